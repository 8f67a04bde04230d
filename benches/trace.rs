//! `cargo bench --bench trace`: the traceability commands over the synthetic corpus
//! of `cargo bench --bench check`: `genie matrix --format json` and `genie toc` next
//! to `cat` over the same files, and `genie impact` for a one-file change in a git
//! repository made from the corpus.
//!
//! Environment: `GENIE_BENCH_DOCS`, `GENIE_BENCH_DOC_BYTES` (the corpus, as for the
//! check bench), `GENIE_BENCH_RUNS` (measured runs after one warm-up, default 7).
//! The git copy of the corpus is made once, with the `git` command, under
//! `bench-out/<corpus>-git/`, and reused.

mod common;
mod corpus;
mod gitcopy;

use gitcopy::{git, git_copy};

use std::error::Error;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use common::{Stats, mb, ms};

/// `genie matrix` and `genie toc` should take less than this.
const TARGET_REPORT_MS: f64 = 1000.0;
/// `genie impact` for a one-file change should take less than this.
const TARGET_IMPACT_MS: f64 = 200.0;

fn main() -> ExitCode {
    if let Some(code) = common::helper_main() {
        return code;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench trace: {e}");
            ExitCode::FAILURE
        }
    }
}

fn genie(genie: &str, root: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(genie);
    c.arg("--root").arg(root).args(args).stdin(Stdio::null());
    c
}

fn run() -> Result<(), Box<dyn Error>> {
    let params = corpus::Params::from_env();
    let runs = common::env_usize("GENIE_BENCH_RUNS", 7).max(1);
    let bin = env!("CARGO_BIN_EXE_genie");
    println!(
        "genie traceability benchmark: {} documents of ~{} bytes, {} DocSets; {runs} runs after a warm-up",
        params.docs, params.doc_bytes, params.issues
    );
    let corpus = corpus::ensure(&params, &common::repo_root().join("bench-out"))?;
    let root = corpus.root.as_path();
    if corpus.generated {
        println!(
            "corpus: generated in {:.2} s at {}",
            corpus.elapsed.as_secs_f64(),
            root.display()
        );
    } else {
        println!("corpus: reused {}", root.display());
    }
    let files = common::files_with_ext(&root.join("docs"), root, &["md", "yaml"])?;
    let bytes = common::total_bytes(root, &files)?;
    println!(
        "corpus: {} files, {:.1} MB",
        files.len(),
        bytes as f64 / 1e6
    );

    // What the commands produce (this doubles as a warm-up).
    let out = genie(bin, root, &["matrix", "--format", "json"]).output()?;
    match serde_json::from_slice::<serde_json::Value>(&out.stdout) {
        Ok(v) => println!(
            "genie matrix: {} rows, {} releases, {} notes, {:.1} MB of JSON",
            v["rows"].as_array().map_or(0, Vec::len),
            v["releases"].as_array().map_or(0, Vec::len),
            v["notes"].as_array().map_or(0, Vec::len),
            out.stdout.len() as f64 / 1e6
        ),
        Err(e) => println!(
            "genie matrix: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
    let toc = genie(bin, root, &["toc"]).output()?;
    println!(
        "genie toc: exit {}, {:.1} MB of Markdown",
        toc.status.code().unwrap_or(-1),
        toc.stdout.len() as f64 / 1e6
    );

    let matrix = common::bench(runs, || {
        common::measure(&genie(bin, root, &["matrix", "--format", "json"]))
    })?;
    let toc = common::bench(runs, || common::measure(&genie(bin, root, &["toc"])))?;
    let html = common::bench(runs, || {
        common::measure(&genie(bin, root, &["matrix", "--format", "html"]))
    })?;
    let cat_cmds = common::chunked("cat", &[], &files, root, 128 * 1024);
    let cat = common::bench(runs, || common::measure_all(&cat_cmds))?;

    // impact: one approved document's body edited in a git copy of the corpus.
    let repo = git_copy(root)?;
    git(&repo, &["checkout", "-q", "--", "docs"])?;
    let changed = common::files_with_ext(&repo.join("docs/product"), &repo, &["md"])?
        .into_iter()
        .find(|p| {
            std::fs::read_to_string(repo.join(p)).is_ok_and(|t| t.contains("\nstatus: approved"))
        })
        .ok_or("no approved PRD in the corpus")?;
    let path = repo.join(&changed);
    let mut text = std::fs::read_to_string(&path)?;
    text.push_str("\nOne more paragraph, for the impact benchmark.\n");
    std::fs::write(&path, text)?;
    let out = genie(bin, &repo, &["impact", "--format", "json"]).output()?;
    match serde_json::from_slice::<serde_json::Value>(&out.stdout) {
        Ok(v) => {
            let c = &v["changed"][0];
            println!(
                "genie impact: {} changed ({}), needs re-approval: {}, {} dependents, {} issues",
                v["changed"].as_array().map_or(0, Vec::len),
                c["doc_id"].as_str().unwrap_or("?"),
                c["needs_reapproval"],
                c["dependents"].as_array().map_or(0, Vec::len),
                v["items"].as_array().map_or(0, Vec::len)
            );
        }
        Err(e) => println!(
            "genie impact: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
    let impact = common::bench(runs, || {
        common::measure(&genie(bin, &repo, &["impact", "--format", "json"]))
    })?;
    git(&repo, &["checkout", "-q", "--", "docs"])?;

    println!();
    println!(
        "{:<34} {:>4} {:>10} {:>9} {:>9} {:>8} {:>12}",
        "command", "runs", "median ms", "min ms", "max ms", "cpu ms", "peak RSS MB"
    );
    let row = |name: &str, s: &Stats| {
        println!(
            "{:<34} {:>4} {:>10.1} {:>9.1} {:>9.1} {:>8.1} {:>12.1}",
            name,
            s.runs,
            ms(s.median),
            ms(s.min),
            ms(s.max),
            ms(s.cpu),
            mb(s.max_rss_kib)
        );
    };
    row("genie matrix --format json", &matrix);
    row("genie toc", &toc);
    row("genie matrix --format html", &html);
    row(&format!("cat ({} processes)", cat_cmds.len()), &cat);
    row("genie impact (one file changed)", &impact);
    let floor = common::measure(&Command::new("true"))?;
    println!(
        "(cpu = user + system time, median; peak RSS includes the spawning helper's pages: `true` measures {:.1} MB)",
        mb(floor.max_rss_kib)
    );
    println!();
    let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
    for (name, s, target) in [
        ("genie matrix --format json", &matrix, TARGET_REPORT_MS),
        ("genie toc", &toc, TARGET_REPORT_MS),
        ("genie impact", &impact, TARGET_IMPACT_MS),
    ] {
        let t = ms(s.median);
        println!(
            "target: {name:<27} < {target:>5.0} ms  {} ({t:.1} ms, {:.2}x cat)",
            verdict(t < target),
            t / ms(cat.median)
        );
    }
    Ok(())
}
