//! `cargo bench --bench run`: `genie run` with 100 trivial tasks (`true`), two at a
//! time, in a fresh git repository of a few hundred files: the whole run's wall
//! time and genie's cost per task (worktree, prompt, process, commit check,
//! session record, state and events), next to what git alone needs to add and
//! remove 100 worktrees of the same repository one after another.
//!
//! Environment: `GENIE_BENCH_TASKS` (default 100), `GENIE_BENCH_FILES` (files in
//! the repository, default 300), `GENIE_BENCH_RUNS` (measured runs, default 3;
//! each in a repository made afresh, the median is shown).

mod common;

use std::error::Error;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use common::{mb, median, ms};

const JOBS: usize = 2;

fn main() -> ExitCode {
    if let Some(code) = common::helper_main() {
        return code;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench run: {e}");
            ExitCode::FAILURE
        }
    }
}

fn with_git_env(c: &mut Command) -> &mut Command {
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
}

fn git(dir: &Path, args: &[&str]) -> Result<(), Box<dyn Error>> {
    let st = with_git_env(Command::new("git").args(args).current_dir(dir))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()?;
    if !st.success() {
        return Err(format!("git {args:?} failed in {}", dir.display()).into());
    }
    Ok(())
}

/// A git repository with `files` small files in a few folders, one commit.
fn make_repo(dir: &Path, files: usize) -> Result<(), Box<dyn Error>> {
    std::fs::create_dir_all(dir)?;
    git(dir, &["init", "-q", "-b", "main"])?;
    for i in 0..files {
        let sub = dir.join(format!("src/m{:02}", i % 20));
        std::fs::create_dir_all(&sub)?;
        let body = format!("// file {i}\n{}\n", "x".repeat(200 + i % 700));
        std::fs::write(sub.join(format!("f{i:04}.rs")), body)?;
    }
    std::fs::create_dir_all(dir.join("docs"))?;
    std::fs::write(dir.join("README.md"), "# bench\n")?;
    git(dir, &["add", "-A"])?;
    git(dir, &["commit", "-q", "-m", "start"])?;
    Ok(())
}

fn task_file(tasks: usize) -> String {
    let mut s = format!("run:\n  jobs: {JOBS}\n  context_budget: 0\ntasks:\n");
    for i in 0..tasks {
        s.push_str(&format!("  - {{name: t{i:03}, command: \"true\"}}\n"));
    }
    s
}

fn run() -> Result<(), Box<dyn Error>> {
    let tasks = common::env_usize("GENIE_BENCH_TASKS", 100).max(1);
    let files = common::env_usize("GENIE_BENCH_FILES", 300).max(1);
    let runs = common::env_usize("GENIE_BENCH_RUNS", 3).max(1);
    let bin = env!("CARGO_BIN_EXE_genie");
    println!(
        "genie run benchmark: {tasks} tasks (`true`), --jobs {JOBS}, a repository of {files} files; median of {runs} runs, each in a fresh repository"
    );
    let base = std::env::temp_dir().join(format!("genie-bench-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);

    // genie run, whole process.
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut rss = 0;
    for r in 0..runs {
        let repo = base.join(format!("repo-{r}"));
        make_repo(&repo, files)?;
        let tf = base.join(format!("tasks-{r}.yaml"));
        std::fs::write(&tf, task_file(tasks))?;
        let mut c = Command::new(bin);
        c.args(["run", "-q"]).arg(&tf).current_dir(&repo);
        with_git_env(&mut c);
        let s = common::measure(&c)?;
        if s.code != 0 {
            return Err(format!("genie run exited {} in {}", s.code, repo.display()).into());
        }
        walls.push(s.wall);
        cpus.push(s.cpu);
        rss = rss.max(s.max_rss_kib);
    }

    // git alone: add and remove `tasks` worktrees, one after another.
    let mut git_walls = Vec::new();
    let mut add_walls = Vec::new();
    for r in 0..runs {
        let repo = base.join(format!("git-{r}"));
        make_repo(&repo, files)?;
        let mut add = Duration::ZERO;
        let started = Instant::now();
        for i in 0..tasks {
            let path = format!(".wt/t{i:03}");
            let branch = format!("wt-{i:03}");
            let t = Instant::now();
            git(
                &repo,
                &["worktree", "add", "-q", "-b", &branch, &path, "HEAD"],
            )?;
            add += t.elapsed();
            git(&repo, &["worktree", "remove", &path])?;
        }
        git_walls.push(started.elapsed());
        add_walls.push(add);
    }
    let _ = std::fs::remove_dir_all(&base);

    let wall = median(&walls);
    let cpu = median(&cpus);
    let git_wall = median(&git_walls);
    let add_wall = median(&add_walls);
    let per = |d: Duration| ms(d) / tasks as f64;
    println!();
    println!("{:<52} {:>10} {:>13}", "what", "total s", "per task ms");
    println!(
        "{:<52} {:>10.2} {:>13.1}",
        format!("genie run, {tasks} tasks, --jobs {JOBS} (wall)"),
        wall.as_secs_f64(),
        per(wall)
    );
    println!(
        "{:<52} {:>10} {:>13.1}",
        format!("  one task's latency ({JOBS} at once: wall x {JOBS})"),
        "",
        per(wall) * JOBS as f64
    );
    println!(
        "{:<52} {:>10.2} {:>13.1}",
        "  CPU of genie and of the git and sh it started",
        cpu.as_secs_f64(),
        per(cpu)
    );
    println!(
        "{:<52} {:>10.2} {:>13.1}",
        format!("git worktree add + remove x {tasks}, one at a time"),
        git_wall.as_secs_f64(),
        per(git_wall)
    );
    println!(
        "{:<52} {:>10.2} {:>13.1}",
        "  of which git worktree add",
        add_wall.as_secs_f64(),
        per(add_wall)
    );
    println!();
    println!(
        "genie run: {:.1} ms of wall time per task at --jobs {JOBS}, {:.1} ms of latency per task against {:.1} ms for `git worktree add` alone; peak RSS {:.1} MB; runs: {}",
        per(wall),
        per(wall) * JOBS as f64,
        per(add_wall),
        mb(rss),
        walls
            .iter()
            .map(|w| format!("{:.2} s", w.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}
