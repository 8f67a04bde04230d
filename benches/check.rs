//! `cargo bench --bench check`: `genie check` over a large synthetic repository,
//! next to `cat` and `rg` reading exactly the same files.
//!
//! Environment: `GENIE_BENCH_DOCS` (documents, default 10000), `GENIE_BENCH_DOC_BYTES`
//! (average document size, default 7000), `GENIE_BENCH_RUNS` (measured runs after one
//! warm-up, default 7). The corpus is written once to `bench-out/` and reused.

mod common;
mod corpus;

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use common::{Stats, mb, ms};

/// genie may take at most this many times as long as `cat` over the same files.
const TARGET_CAT_RATIO: f64 = 3.0;
/// genie's peak resident set must stay below this many MB.
const TARGET_RSS_MB: f64 = 300.0;

fn main() -> ExitCode {
    if let Some(code) = common::helper_main() {
        return code;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench check: {e}");
            ExitCode::FAILURE
        }
    }
}

fn genie_check(genie: &str, root: &Path) -> Command {
    let mut c = Command::new(genie);
    c.arg("--root")
        .arg(root)
        .args(["check", "--format", "json"])
        .stdin(Stdio::null());
    c
}

fn run() -> Result<(), Box<dyn Error>> {
    let params = corpus::Params::from_env();
    let runs = common::env_usize("GENIE_BENCH_RUNS", 7).max(1);
    let genie = env!("CARGO_BIN_EXE_genie");

    println!(
        "genie check benchmark: {} documents of ~{} bytes, {} DocSets; {runs} runs after a warm-up",
        params.docs, params.doc_bytes, params.issues
    );
    let corpus = corpus::ensure(&params, &common::repo_root().join("bench-out"))?;
    let root = corpus.root.as_path();
    if corpus.generated {
        println!(
            "corpus: generated in {:.2} s (generator v{}) at {}",
            corpus.elapsed.as_secs_f64(),
            corpus::GENERATOR_VERSION,
            root.display()
        );
    } else {
        println!(
            "corpus: reused {} (generator v{})",
            root.display(),
            corpus::GENERATOR_VERSION
        );
    }
    let files = common::files_with_ext(&root.join("docs"), root, &["md", "yaml"])?;
    let markdown = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "md"))
        .count();
    let bytes = common::total_bytes(root, &files)?;
    println!(
        "corpus: {} files ({markdown} markdown, {} yaml), {:.1} MB",
        files.len(),
        files.len() - markdown,
        bytes as f64 / 1e6
    );

    // What genie says about the corpus (this run doubles as a warm-up).
    let out = genie_check(genie, root).stderr(Stdio::piped()).output()?;
    let code = out.status.code().unwrap_or(-1);
    println!("genie: exit code {code}");
    match serde_json::from_slice::<serde_json::Value>(&out.stdout) {
        Ok(json) => report_findings(&json),
        Err(e) => {
            println!("genie: output is not JSON ({e})");
            println!("{}", String::from_utf8_lossy(&out.stderr));
        }
    }

    let genie_cmd = genie_check(genie, root);
    let genie_stats = common::bench(runs, || common::measure(&genie_cmd))?;

    // cat over the same files, in xargs-sized chunks, one after another.
    let cat_cmds = common::chunked("cat", &[], &files, root, 128 * 1024);
    let cat_stats = common::bench(runs, || common::measure_all(&cat_cmds))?;

    let rg_stats = if common::available("rg") {
        let mut rg = Command::new("rg");
        rg.args(["--no-ignore", "-c", "the", "docs"])
            .current_dir(root);
        Some(common::bench(runs, || common::measure(&rg))?)
    } else {
        None
    };

    println!();
    println!(
        "{:<26} {:>4} {:>10} {:>9} {:>9} {:>8} {:>12}",
        "tool", "runs", "median ms", "min ms", "max ms", "cpu ms", "peak RSS MB"
    );
    let row = |name: &str, s: &Stats| {
        println!(
            "{:<26} {:>4} {:>10.1} {:>9.1} {:>9.1} {:>8.1} {:>12.1}",
            name,
            s.runs,
            ms(s.median),
            ms(s.min),
            ms(s.max),
            ms(s.cpu),
            mb(s.max_rss_kib)
        );
    };
    row("genie check --format json", &genie_stats);
    row(&format!("cat ({} processes)", cat_cmds.len()), &cat_stats);
    match &rg_stats {
        Some(s) => row("rg --no-ignore -c the", s),
        None => println!(
            "{:<26} not installed: `apt-get install ripgrep` (or `cargo install ripgrep`) to compare",
            "rg"
        ),
    }
    // What the measuring helper itself leaves in a figure.
    let floor = common::measure(&Command::new("true"))?;
    println!(
        "(cpu = user + system time, median; peak RSS includes the spawning helper's pages: `true` measures {:.1} MB)",
        mb(floor.max_rss_kib)
    );
    println!();

    let ratio = |a: &Stats, b: &Stats| ms(a.median) / ms(b.median);
    let cat_ratio = ratio(&genie_stats, &cat_stats);
    print!("ratios: genie/cat {cat_ratio:.2}x");
    if let Some(rg) = &rg_stats {
        print!(", genie/rg {:.2}x", ratio(&genie_stats, rg));
    }
    println!();
    let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
    println!(
        "target: genie <= {TARGET_CAT_RATIO}x cat       {} ({cat_ratio:.2}x)",
        verdict(cat_ratio <= TARGET_CAT_RATIO)
    );
    let rss = mb(genie_stats.max_rss_kib);
    println!(
        "target: peak RSS < {TARGET_RSS_MB} MB     {} ({rss:.1} MB)",
        verdict(rss < TARGET_RSS_MB)
    );
    Ok(())
}

/// Print the summary of `genie check --format json` and its findings by code.
fn report_findings(json: &serde_json::Value) {
    let summary = &json["summary"];
    println!(
        "genie: summary.docs {}, summary.errors {}, summary.warnings {}",
        summary["docs"], summary["errors"], summary["warnings"]
    );
    let empty = Vec::new();
    let diags = json["diagnostics"].as_array().unwrap_or(&empty);
    let mut by_code: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for d in diags {
        let key = format!(
            "{} {} ({})",
            d["code"].as_str().unwrap_or("?"),
            d["rule"].as_str().unwrap_or("?"),
            d["level"].as_str().unwrap_or("?")
        );
        let e = by_code.entry(key).or_insert_with(|| {
            (
                0,
                format!(
                    "{}:{}: {}",
                    d["path"].as_str().unwrap_or("?"),
                    d["line"],
                    d["message"].as_str().unwrap_or("")
                ),
            )
        });
        e.0 += 1;
    }
    for (code, (n, example)) in &by_code {
        println!("  {n:>6} x {code}, e.g. {example}");
    }
}
