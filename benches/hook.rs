//! `cargo bench --bench hook`: the pre-commit hook in a git repository made from
//! the synthetic corpus of `cargo bench --bench check`, with one document staged:
//! the whole `genie hook run pre-commit` process, cache warm, next to a plain `sh`
//! no-op and, when the pre-commit framework is installed, a no-op hook run
//! through it. Also the first run (the cache built from nothing) and a run with a
//! document deleted (every document's record read).
//!
//! Environment: `GENIE_BENCH_DOCS`, `GENIE_BENCH_DOC_BYTES` (the corpus),
//! `GENIE_BENCH_RUNS` (measured runs after one warm-up, default 21).

mod common;
mod corpus;
mod gitcopy;

use std::error::Error;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use common::{Stats, mb, ms};
use gitcopy::{git, git_copy};

/// The whole hook process should take less than this with the cache warm.
const TARGET_MS: f64 = 50.0;

fn main() -> ExitCode {
    if let Some(code) = common::helper_main() {
        return code;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench hook: {e}");
            ExitCode::FAILURE
        }
    }
}

fn hook(bin: &str, repo: &Path) -> Command {
    let mut c = Command::new(bin);
    c.args(["hook", "run", "pre-commit"])
        .current_dir(repo)
        .stdin(Stdio::null());
    c
}

fn run() -> Result<(), Box<dyn Error>> {
    let params = corpus::Params::from_env();
    let runs = common::env_usize("GENIE_BENCH_RUNS", 21).max(1);
    let bin = env!("CARGO_BIN_EXE_genie");
    println!(
        "genie pre-commit hook benchmark: {} documents of ~{} bytes, {} DocSets; {runs} runs after a warm-up",
        params.docs, params.doc_bytes, params.issues
    );
    let corpus = corpus::ensure(&params, &common::repo_root().join("bench-out"))?;
    if corpus.generated {
        println!("corpus: generated in {:.2} s", corpus.elapsed.as_secs_f64());
    }
    let repo = git_copy(&corpus.root)?;
    git(&repo, &["reset", "-q", "--hard"])?;
    // On a feature branch: a commit straight onto main is a finding of its own.
    git(&repo, &["checkout", "-q", "-B", "feat/1-hook-bench"])?;
    let _ = std::fs::remove_dir_all(repo.join(".genie"));

    // One approved document's body edited and staged.
    let changed = common::files_with_ext(&repo.join("docs/product"), &repo, &["md"])?
        .into_iter()
        .next()
        .ok_or("no document in docs/product")?;
    let path = repo.join(&changed);
    let mut text = std::fs::read_to_string(&path)?;
    text.push_str("\nOne more paragraph, for the hook benchmark.\n");
    std::fs::write(&path, text)?;
    git(&repo, &["add", "--", changed.to_str().unwrap_or_default()])?;

    let cold = common::measure(&hook(bin, &repo))?;
    let out = hook(bin, &repo).arg("-v").output()?;
    println!(
        "staged: {} (exit {}); {}",
        changed.display(),
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .next()
            .unwrap_or("")
    );
    let warm = common::bench(runs, || common::measure(&hook(bin, &repo)))?;
    let mut sh = Command::new("sh");
    sh.args(["-c", "true"]);
    let sh = common::bench(runs, || common::measure(&sh))?;
    let framework = if common::available("pre-commit") {
        let fw = repo.with_file_name("pre-commit-noop");
        let _ = std::fs::remove_dir_all(&fw);
        std::fs::create_dir_all(&fw)?;
        git(&fw, &["init", "-q"])?;
        std::fs::write(
            fw.join(".pre-commit-config.yaml"),
            "repos:\n  - repo: local\n    hooks:\n      - id: noop\n        name: noop\n        entry: 'true'\n        language: system\n        pass_filenames: false\n        always_run: true\n",
        )?;
        std::fs::write(fw.join("a.txt"), "a\n")?;
        git(&fw, &["add", "-A"])?;
        let mut c = Command::new("pre-commit");
        c.args(["run", "--hook-stage", "pre-commit"])
            .current_dir(&fw);
        Some(common::bench(runs, || common::measure(&c))?)
    } else {
        None
    };

    // A deletion: links to the file may be anywhere, so every record is read.
    let victim = common::files_with_ext(&repo.join("docs/architecture"), &repo, &["md"])?
        .into_iter()
        .next()
        .ok_or("no document in docs/architecture")?;
    git(
        &repo,
        &["rm", "-q", "--", victim.to_str().unwrap_or_default()],
    )?;
    let deleted = common::bench(runs.min(7), || common::measure(&hook(bin, &repo)))?;
    git(&repo, &["reset", "-q", "--hard"])?;

    println!();
    println!(
        "{:<44} {:>4} {:>10} {:>9} {:>9} {:>12}",
        "command", "runs", "median ms", "min ms", "max ms", "peak RSS MB"
    );
    let row = |name: &str, s: &Stats| {
        println!(
            "{name:<44} {:>4} {:>10.1} {:>9.1} {:>9.1} {:>12.1}",
            s.runs,
            ms(s.median),
            ms(s.min),
            ms(s.max),
            mb(s.max_rss_kib)
        );
    };
    println!(
        "{:<44} {:>4} {:>10.1} {:>9} {:>9} {:>12.1}",
        "genie hook run pre-commit (cache cold)",
        1,
        ms(cold.wall),
        "",
        "",
        mb(cold.max_rss_kib)
    );
    row("genie hook run pre-commit (cache warm)", &warm);
    row("genie hook run pre-commit (a file deleted)", &deleted);
    row("sh -c true", &sh);
    match &framework {
        Some(f) => row("pre-commit run (one no-op hook)", f),
        None => println!("{:<44} not installed", "pre-commit run (one no-op hook)"),
    }
    println!();
    let verdict = if ms(warm.median) < TARGET_MS {
        "meets"
    } else {
        "misses"
    };
    println!(
        "hook, cache warm: {:.1} ms median, {verdict} the {TARGET_MS:.0} ms target; {:.0}x a sh no-op",
        ms(warm.median),
        ms(warm.median) / ms(sh.median).max(0.001)
    );
    Ok(())
}
