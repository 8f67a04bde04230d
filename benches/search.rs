//! `cargo bench --bench search`: the search index over the synthetic corpus of
//! `cargo bench --bench check`, in a git copy of it (content keys are git blob ids):
//!
//! - `genie index --rebuild`: throughput in MB/s of document text, peak RSS;
//! - `genie index` with nothing changed, and after one file changed;
//! - the index size against the corpus size;
//! - whole-process `genie search WORD` (median and p95 over the query words, with
//!   and without the up-to-date check) next to `rg -i -c WORD` over the same files.
//!
//! Environment: `GENIE_BENCH_DOCS`, `GENIE_BENCH_DOC_BYTES` (the corpus, as for the
//! check bench), `GENIE_BENCH_RUNS` (measured runs after one warm-up, default 5).

mod common;
mod corpus;
mod gitcopy;

use std::error::Error;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use common::{Stats, mb, ms};

const TARGET_MB_PER_S: f64 = 15.0;
const TARGET_NO_CHANGE_MS: f64 = 100.0;
const TARGET_ONE_FILE_MS: f64 = 300.0;
const TARGET_VS_RG: f64 = 5.0;
const TARGET_RSS_MB: f64 = 400.0;

/// Query words: terms of the corpus in both languages, common and rare.
const WORDS: &[&str] = &[
    "latency",
    "pipeline",
    "storage",
    "cache",
    "query",
    "rollout",
    "budget",
    "retry",
    "queue",
    "worker",
    "schema",
    "migration",
    "contract",
    "endpoint",
    "token",
    "billing",
    "invoice",
    "dashboard",
    "alert",
    "threshold",
    "baseline",
    "capacity",
    "throughput",
    "backlog",
    "tradeoff",
    "constraint",
    "requirement",
    "customer",
    "staging",
    "production",
    "rollback",
    "incident",
    "runbook",
    "metric",
    "compliance",
    "permission",
    "tenant",
    "replica",
    "shard",
    "partition",
    "consistency",
    "availability",
    "durability",
    "nightly",
    "PostgreSQL",
    "Kafka",
    "Redis",
    "ClickHouse",
    "Terraform",
    "Keycloak",
    "ledger",
    "reconcile",
    "система",
    "пользователь",
    "требование",
    "последствия",
    "ограничение",
    "хранилище",
    "очередь",
    "задержка",
    "согласование",
    "откат",
    "инцидент",
    "мониторинг",
];

fn main() -> ExitCode {
    if let Some(code) = common::helper_main() {
        return code;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench search: {e}");
            ExitCode::FAILURE
        }
    }
}

fn genie(bin: &str, root: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin);
    c.arg("--root").arg(root).args(args).stdin(Stdio::null());
    c
}

fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut v = samples.to_vec();
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// Each word measured once (after one warm-up of the whole list).
fn per_word(mut cmd: impl FnMut(&str) -> Command) -> std::io::Result<Vec<Duration>> {
    for w in WORDS.iter().take(5) {
        common::measure(&cmd(w))?;
    }
    WORDS
        .iter()
        .map(|w| common::measure(&cmd(w)).map(|s| s.wall))
        .collect()
}

fn run() -> Result<(), Box<dyn Error>> {
    let params = corpus::Params::from_env();
    let runs = common::env_usize("GENIE_BENCH_RUNS", 5).max(1);
    let bin = env!("CARGO_BIN_EXE_genie");
    println!(
        "genie search benchmark: {} documents of ~{} bytes; {runs} runs after a warm-up; {} query words",
        params.docs,
        params.doc_bytes,
        WORDS.len()
    );
    let corpus = corpus::ensure(&params, &common::repo_root().join("bench-out"))?;
    if corpus.generated {
        println!(
            "corpus: generated in {:.2} s at {}",
            corpus.elapsed.as_secs_f64(),
            corpus.root.display()
        );
    }
    let repo = gitcopy::git_copy(&corpus.root)?;
    gitcopy::git(&repo, &["checkout", "-q", "--", "docs"])?;
    let root = repo.as_path();
    let files = common::files_with_ext(&root.join("docs"), root, &["md"])?;
    let bytes = common::total_bytes(root, &files)?;
    println!(
        "corpus: {} markdown files, {:.1} MB, git copy at {}",
        files.len(),
        bytes as f64 / 1e6,
        root.display()
    );

    // Full build.
    let full = common::bench(runs, || {
        common::measure(&genie(bin, root, &["index", "--rebuild", "--quiet"]))
    })?;
    let out = genie(bin, root, &["index", "--rebuild", "--format", "json"]).output()?;
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "genie index: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let index_bytes = stats["index_bytes"].as_u64().unwrap_or(0);
    let doc_bytes = stats["bytes"].as_u64().unwrap_or(bytes);
    println!(
        "genie index: {} documents, {} chunks, {:.1} MB of documents; index {:.1} MB ({:.2}x the corpus)",
        stats["indexed"],
        stats["chunks"],
        doc_bytes as f64 / 1e6,
        index_bytes as f64 / 1e6,
        index_bytes as f64 / doc_bytes.max(1) as f64
    );

    // No change.
    let unchanged = common::bench(runs, || {
        common::measure(&genie(bin, root, &["index", "--quiet"]))
    })?;

    // One file changed before each run.
    let target = root.join(&files[files.len() / 2]);
    let original = std::fs::read_to_string(&target)?;
    let mut n = 0;
    let one = common::bench(runs, || {
        n += 1;
        std::fs::write(
            &target,
            format!("{original}\nEdit {n} for the index benchmark.\n"),
        )?;
        common::measure(&genie(bin, root, &["index", "--quiet"]))
    })?;
    std::fs::write(&target, &original)?;
    genie(bin, root, &["index", "--quiet"]).status()?;

    // Search, whole process, one run per word.
    let search_no_update =
        per_word(|w| genie(bin, root, &["search", w, "--no-update", "--format", "json"]))?;
    let search = per_word(|w| genie(bin, root, &["search", w, "--format", "json"]))?;
    let rg = if common::available("rg") {
        Some(per_word(|w| {
            let mut c = Command::new("rg");
            c.current_dir(root)
                .args(["-i", "-c", "--no-messages", w, "docs"]);
            c
        })?)
    } else {
        None
    };
    let sample = genie(
        bin,
        root,
        &["search", "rollback", "--format", "json", "--no-update"],
    )
    .output()?;
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&sample.stdout) {
        println!(
            "genie search rollback: {} matching sections, top hit {}",
            v["total"], v["hits"][0]["id"]
        );
    }
    let rss_search = common::measure(&genie(bin, root, &["search", "migration", "--no-update"]))?;

    println!();
    println!(
        "{:<40} {:>5} {:>10} {:>9} {:>9} {:>12}",
        "command", "runs", "median ms", "p95 ms", "max ms", "peak RSS MB"
    );
    let row = |name: &str, s: &Stats| {
        println!(
            "{:<40} {:>5} {:>10.1} {:>9} {:>9.1} {:>12.1}",
            name,
            s.runs,
            ms(s.median),
            "",
            ms(s.max),
            mb(s.max_rss_kib)
        );
    };
    let words_row = |name: &str, d: &[Duration]| {
        println!(
            "{:<40} {:>5} {:>10.1} {:>9.1} {:>9.1} {:>12}",
            name,
            d.len(),
            ms(common::median(d)),
            ms(percentile(d, 0.95)),
            ms(*d.iter().max().expect("words")),
            ""
        );
    };
    row("genie index --rebuild", &full);
    row("genie index (nothing changed)", &unchanged);
    row("genie index (one file changed)", &one);
    words_row("genie search WORD --no-update", &search_no_update);
    words_row("genie search WORD (with update check)", &search);
    if let Some(rg) = &rg {
        words_row("rg -i -c WORD docs", rg);
    }
    println!(
        "(genie search peak RSS {:.1} MB)",
        mb(rss_search.max_rss_kib)
    );
    println!();
    let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
    let mbps = doc_bytes as f64 / 1e6 / full.median.as_secs_f64();
    println!(
        "target: full index >= {TARGET_MB_PER_S} MB/s            {} ({mbps:.1} MB/s)",
        verdict(mbps >= TARGET_MB_PER_S)
    );
    println!(
        "target: no-change update < {TARGET_NO_CHANGE_MS} ms          {} ({:.1} ms)",
        verdict(ms(unchanged.median) < TARGET_NO_CHANGE_MS),
        ms(unchanged.median)
    );
    println!(
        "target: one-file update < {TARGET_ONE_FILE_MS} ms           {} ({:.1} ms)",
        verdict(ms(one.median) < TARGET_ONE_FILE_MS),
        ms(one.median)
    );
    if let Some(rg) = &rg {
        for (name, d) in [("--no-update", &search_no_update), ("with update", &search)] {
            let ratio = ms(common::median(rg)) / ms(common::median(d));
            println!(
                "target: search ({name}) >= {TARGET_VS_RG}x faster than rg  {} ({ratio:.1}x)",
                verdict(ratio >= TARGET_VS_RG)
            );
        }
    }
    let rss = mb(full.max_rss_kib.max(one.max_rss_kib));
    println!(
        "target: peak RSS < {TARGET_RSS_MB} MB                 {} ({rss:.1} MB)",
        verdict(rss < TARGET_RSS_MB)
    );
    Ok(())
}
