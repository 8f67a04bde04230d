//! `genie run FILE`: the orchestrator; `genie run clean|export|list|wait`.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use genie::run::clean::{self, CleanOptions};
use genie::run::orchestrate::{self, Input, Observer, RunError, RunOptions};
use genie::run::session::duration_text;
use genie::run::state::{Event, EventKind, RunState, RunStatus, TaskStatus};
use genie::run::{lock, taskfile};

use super::{FINDINGS, Global, OK, TROUBLE, fail, io_result};

#[derive(clap::Args, Debug)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Each task runs in its own git worktree (.genie/worktrees/<run>/<task>) on branch \
genie/<run>/<task>, once its dependencies succeeded. Exit code: 0 every task succeeded, 1 a task \
failed, timed out or was skipped, 2 the run could not start, 130 interrupted (resume it with --resume)."
)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// The task file (YAML; see schemas/taskfile.schema.json)
    #[arg(value_name = "FILE", required_unless_present = "resume")]
    file: Option<PathBuf>,
    /// Tasks at once (default: the task file's run.jobs, else 2)
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    jobs: Option<u32>,
    /// Show the plan (levels, worktrees, branches, commands); run and write nothing
    #[arg(long)]
    dry_run: bool,
    /// Continue an interrupted or failed run: tasks that succeeded are kept, the rest run again
    #[arg(long, value_name = "RUN_ID")]
    resume: Option<String>,
    /// Wait this long for another run's lock (.genie/run.lock) before giving up
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    wait: u64,
    /// Replace a summary file that has no genie markers
    #[arg(long)]
    force: bool,
    /// Output format of the plan and the result
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Copy, Clone, Debug, clap::ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Remove the worktrees and branches of finished runs (records are kept)
    Clean(CleanArgs),
    /// Write the task file as a CI workflow
    Export(ExportArgs),
    /// List the runs: status, tasks, worktrees and branches left
    List(ListArgs),
    /// Block until no `genie run` holds the lock of this repository
    Wait(WaitArgs),
}

#[derive(clap::Args, Debug)]
struct CleanArgs {
    /// Only these runs (default: every run that is not in progress)
    #[arg(value_name = "RUN_ID")]
    runs: Vec<String>,
    /// Say what would be removed; remove nothing
    #[arg(long)]
    dry_run: bool,
    /// Also remove worktrees with uncommitted changes and branches not merged into HEAD
    #[arg(long)]
    force: bool,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Copy, Clone, Debug, clap::ValueEnum, PartialEq, Eq)]
enum ExportFormat {
    GithubActions,
}

#[derive(clap::Args, Debug)]
struct ExportArgs {
    /// The task file
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// What to write
    #[arg(long, value_enum, default_value_t = ExportFormat::GithubActions)]
    format: ExportFormat,
    /// Write here instead of standard output
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Overwrite OUT when it exists with other content
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args, Debug)]
struct ListArgs {
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(clap::Args, Debug)]
struct WaitArgs {
    /// Give up after this many seconds (exit 1)
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    match args.command {
        Some(Command::Clean(a)) => exec_clean(g, a),
        Some(Command::Export(a)) => exec_export(g, a),
        Some(Command::List(a)) => exec_list(g, a),
        Some(Command::Wait(a)) => exec_wait(g, a),
        None => exec_run(g, args.run),
    }
}

fn run_error(e: RunError, g: &Global) -> ExitCode {
    fail(e, g.color)
}

fn print_json<T: serde::Serialize>(v: &T) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)
}

fn load_file(
    g: &Global,
    file: &std::path::Path,
    root: &std::path::Path,
) -> Result<Input, ExitCode> {
    match taskfile::read(file, root) {
        Ok((file, text)) => Ok(Input { file, text }),
        Err(errors) => {
            let label = if g.color {
                "\x1b[1;31merror\x1b[0m"
            } else {
                "error"
            };
            let mut err = std::io::stderr().lock();
            for e in &errors.0 {
                let _ = writeln!(err, "{label}: {e}");
            }
            let _ = writeln!(
                err,
                "the task file has {} problem{}; nothing was run",
                errors.0.len(),
                if errors.0.len() == 1 { "" } else { "s" }
            );
            Err(ExitCode::from(TROUBLE))
        }
    }
}

fn exec_run(g: &Global, a: RunArgs) -> ExitCode {
    let (root, config) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    let input = match &a.file {
        Some(f) => match load_file(g, f, &root) {
            Ok(i) => Some(i),
            Err(c) => return c,
        },
        None => None,
    };
    let opts = RunOptions {
        jobs: a.jobs.map(|j| j as usize),
        force: a.force,
        wait: Duration::from_secs(a.wait),
    };
    if a.dry_run {
        let Some(input) = &input else {
            return fail("--dry-run needs the task file", g.color);
        };
        let plan = match orchestrate::plan(&root, &input.file, &opts) {
            Ok(p) => p,
            Err(e) => return run_error(e, g),
        };
        let r = match a.format {
            Format::Json => print_json(&plan),
            Format::Human => print_plan(&plan),
        };
        return io_result(r, OK, g.color);
    }

    genie::run::process::install_signal_handlers();
    let progress = Progress::new(g);
    let result = match &a.resume {
        Some(id) => orchestrate::resume(&root, &config, id, input.as_ref(), &opts, &progress),
        None => match &input {
            Some(i) => orchestrate::run(&root, &config, i, &opts, &progress),
            None => return fail("give the task file, or --resume RUN_ID", g.color),
        },
    };
    progress.done();
    let state = match result {
        Ok(s) => s,
        Err(e) => return run_error(e, g),
    };
    let code = match state.status {
        RunStatus::Ok => OK,
        RunStatus::Interrupted => 130,
        _ => FINDINGS,
    };
    let r = match a.format {
        Format::Json => print_json(&state),
        Format::Human => print_result(&state, g),
    };
    io_result(r, code, g.color)
}

fn print_plan(plan: &orchestrate::Plan) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "plan of {}: {} tasks in {} levels, {} at a time, from {} ({})",
        plan.taskfile,
        plan.tasks.len(),
        plan.levels.len(),
        plan.jobs,
        plan.base,
        &plan.base_commit[..plan.base_commit.len().min(12)]
    )?;
    for (l, names) in plan.levels.iter().enumerate() {
        writeln!(out, "\nlevel {}:", l + 1)?;
        for name in names {
            let Some(t) = plan.tasks.iter().find(|t| &t.name == name) else {
                continue;
            };
            writeln!(out, "  {}", t.name)?;
            if !t.depends_on.is_empty() {
                writeln!(out, "    after:    {}", t.depends_on.join(", "))?;
            }
            writeln!(out, "    worktree: {} (from {})", t.worktree, t.starts_from)?;
            writeln!(out, "    branch:   {}", t.branch)?;
            let mut facts = vec![format!("timeout {}", secs_text(t.timeout_secs))];
            if t.retries > 0 {
                facts.push(format!("retries {}", t.retries));
            }
            if let Some(p) = &t.prompt {
                facts.push(format!("prompt {p}"));
            }
            if let Some(i) = t.issue {
                facts.push(format!("issue #{i}"));
            }
            if t.handoff {
                facts.push("handoff check".into());
            }
            writeln!(out, "    {}", facts.join(", "))?;
            for (i, line) in t.command.trim_end().lines().enumerate() {
                writeln!(out, "    {} {line}", if i == 0 { "$" } else { " " })?;
            }
        }
    }
    writeln!(
        out,
        "\nrecords: {}; summary: {}; sessions: {}",
        plan.dir, plan.summary, plan.sessions
    )?;
    for w in &plan.warnings {
        writeln!(out, "warning: {w}")?;
    }
    writeln!(out, "dry run: nothing was run or written")
}

/// `90 s`, `30 min`, `1 h 30 min`.
fn secs_text(s: u64) -> String {
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, 0) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

fn print_result(state: &RunState, g: &Global) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let status = match state.status {
        RunStatus::Ok => "ok",
        RunStatus::Failed => "failed",
        RunStatus::Interrupted => "interrupted",
        RunStatus::Running => "running",
    };
    writeln!(
        out,
        "run {}: {status} ({} ok, {} failed, {} timed out, {} skipped of {})",
        state.run,
        state.count(TaskStatus::Ok),
        state.count(TaskStatus::Failed),
        state.count(TaskStatus::TimedOut),
        state.count(TaskStatus::Skipped),
        state.tasks.len()
    )?;
    let width = state
        .tasks
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(
        out,
        "  {:width$}  {:10} {:>8} {:>10} {:>8}  branch",
        "task", "status", "attempts", "duration", "changes"
    )?;
    for t in &state.tasks {
        writeln!(
            out,
            "  {:width$}  {:10} {:>8} {:>10} {:>8}  {}",
            t.name,
            t.status.word(),
            t.attempts,
            t.duration_ms.map_or_else(|| "-".into(), duration_text),
            if t.attempts > 0 {
                format!("{} files", t.files_changed.len())
            } else {
                "-".into()
            },
            if t.attempts > 0 {
                t.branch.as_str()
            } else {
                "-"
            },
        )?;
        if let Some(r) = &t.reason
            && t.status != TaskStatus::Ok
        {
            if t.attempts > 0 {
                writeln!(out, "  {:width$}  {r}; log {}", "", t.log)?;
            } else {
                writeln!(out, "  {:width$}  {r}", "")?;
            }
        }
    }
    if !g.quiet {
        writeln!(out, "summary: {}", state.summary)?;
        writeln!(
            out,
            "records: {}/ (events.jsonl, state.json, logs)",
            state.dir
        )?;
        if state.status != RunStatus::Ok {
            writeln!(out, "resume:  genie run --resume {}", state.run)?;
        }
    }
    Ok(())
}

/// The progress display: bars on a terminal, one line per event otherwise.
struct Progress {
    quiet: bool,
    bars: Option<Bars>,
}

struct Bars {
    multi: indicatif::MultiProgress,
    tasks: Mutex<HashMap<String, indicatif::ProgressBar>>,
}

fn style(template: &str) -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
}

impl Progress {
    fn new(g: &Global) -> Progress {
        let tty = std::io::stderr().is_terminal() && !g.quiet;
        Progress {
            quiet: g.quiet,
            bars: tty.then(|| Bars {
                multi: indicatif::MultiProgress::with_draw_target(
                    indicatif::ProgressDrawTarget::stderr(),
                ),
                tasks: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn line(&self, text: String) {
        match &self.bars {
            Some(b) => {
                let _ = b.multi.println(text);
            }
            None => {
                let _ = writeln!(std::io::stderr(), "{text}");
            }
        }
    }

    fn done(&self) {
        if let Some(b) = &self.bars {
            let tasks = b.tasks.lock().unwrap_or_else(|p| p.into_inner());
            for bar in tasks.values() {
                if !bar.is_finished() {
                    bar.abandon();
                }
            }
        }
    }
}

fn clock(time: &str) -> &str {
    time.get(11..19).unwrap_or(time)
}

impl Observer for Progress {
    fn run_started(&self, state: &RunState) {
        if self.quiet {
            return;
        }
        self.line(format!(
            "genie run {}: {} tasks, {} at a time, from {}",
            state.run,
            state.tasks.len(),
            state.jobs,
            state.base
        ));
        if let Some(b) = &self.bars {
            let width = state.tasks.iter().map(|t| t.name.len()).max().unwrap_or(4);
            let mut tasks = b.tasks.lock().unwrap_or_else(|p| p.into_inner());
            for t in &state.tasks {
                let bar = b.multi.add(indicatif::ProgressBar::new_spinner());
                bar.set_prefix(format!("{:width$}", t.name));
                if t.status == TaskStatus::Ok {
                    bar.set_style(style("  {prefix} ✓ {msg}"));
                    bar.finish_with_message("ok (earlier)");
                } else {
                    bar.set_style(style("  {prefix}   {msg}"));
                    bar.set_message("waiting");
                }
                tasks.insert(t.name.clone(), bar);
            }
        }
    }

    fn event(&self, e: &Event) {
        if self.quiet && e.event != EventKind::Warning {
            return;
        }
        let task = e.task.as_deref().unwrap_or("");
        if let Some(b) = &self.bars {
            let tasks = b.tasks.lock().unwrap_or_else(|p| p.into_inner());
            let bar = tasks.get(task);
            match (e.event, bar) {
                (EventKind::TaskStarted, Some(bar)) => {
                    bar.set_style(style("  {prefix} {spinner} {msg} {elapsed}"));
                    bar.reset_elapsed();
                    bar.set_message(format!("running (attempt {})", e.attempt.unwrap_or(1)));
                    bar.enable_steady_tick(Duration::from_millis(120));
                }
                (EventKind::TaskRetried, Some(bar)) => {
                    bar.set_message(format!(
                        "retrying (attempt {}) after {}",
                        e.attempt.unwrap_or(2),
                        e.reason.as_deref().unwrap_or("a failure")
                    ));
                }
                (EventKind::TaskTimedOut, Some(bar)) => {
                    bar.set_message(format!("timed out (attempt {})", e.attempt.unwrap_or(1)));
                }
                (EventKind::TaskFinished, Some(bar)) => {
                    let status = e.status.as_deref().unwrap_or("");
                    let mark = if status == "ok" { "✓" } else { "✗" };
                    bar.set_style(style(&format!("  {{prefix}} {mark} {{msg}} {{elapsed}}")));
                    let mut msg = status.replace('-', " ");
                    if let Some(r) = &e.reason {
                        msg.push_str(&format!(": {r}"));
                    }
                    bar.finish_with_message(msg);
                }
                (EventKind::TaskSkipped, Some(bar)) => {
                    bar.set_style(style("  {prefix} - {msg}"));
                    bar.finish_with_message(format!(
                        "skipped: {}",
                        e.reason.as_deref().unwrap_or("")
                    ));
                }
                (EventKind::Warning, _) => {
                    drop(tasks);
                    self.line(format!(
                        "warning: {}{}",
                        if task.is_empty() {
                            String::new()
                        } else {
                            format!("{task}: ")
                        },
                        e.message.as_deref().unwrap_or("")
                    ));
                }
                _ => {}
            }
            return;
        }
        let t = clock(&e.time);
        let text = match e.event {
            EventKind::RunStarted | EventKind::RunFinished => return,
            EventKind::TaskStarted => format!(
                "[{t}] {task}: started (attempt {}, {})",
                e.attempt.unwrap_or(1),
                e.message.as_deref().unwrap_or("")
            ),
            EventKind::TaskRetried => format!(
                "[{t}] {task}: retrying (attempt {}) after {}",
                e.attempt.unwrap_or(2),
                e.reason.as_deref().unwrap_or("a failure")
            ),
            EventKind::TaskTimedOut => {
                format!(
                    "[{t}] {task}: timed out (attempt {})",
                    e.attempt.unwrap_or(1)
                )
            }
            EventKind::TaskFinished => format!(
                "[{t}] {task}: {}{} (exit {}, {})",
                e.status.as_deref().unwrap_or("").replace('-', " "),
                e.reason
                    .as_deref()
                    .map_or_else(String::new, |r| format!(": {r}")),
                e.exit_code
                    .map_or_else(|| "-".to_string(), |c| c.to_string()),
                e.duration_ms.map_or_else(|| "-".into(), duration_text)
            ),
            EventKind::TaskSkipped => format!(
                "[{t}] {task}: skipped ({})",
                e.reason.as_deref().unwrap_or("")
            ),
            EventKind::Warning => format!(
                "warning: {}{}",
                if task.is_empty() {
                    String::new()
                } else {
                    format!("{task}: ")
                },
                e.message.as_deref().unwrap_or("")
            ),
        };
        self.line(text);
    }
}

fn exec_clean(g: &Global, a: CleanArgs) -> ExitCode {
    let (root, _) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    let opts = CleanOptions {
        dry_run: a.dry_run,
        force: a.force,
        runs: a.runs,
    };
    let report = match clean::clean(&root, &opts) {
        Ok(r) => r,
        Err(e) => return run_error(e, g),
    };
    let r = match a.format {
        Format::Json => print_json(&report),
        Format::Human => (|| {
            let mut out = std::io::stdout().lock();
            let verb = if report.dry_run {
                "would remove"
            } else {
                "removed"
            };
            for i in &report.removed {
                write!(out, "{verb} {} {}", i.kind, i.name)?;
                match &i.reason {
                    Some(r) => writeln!(out, " ({r})")?,
                    None => writeln!(out)?,
                }
            }
            for i in &report.kept {
                writeln!(
                    out,
                    "kept {} {}: {}",
                    i.kind,
                    i.name,
                    i.reason.as_deref().unwrap_or("")
                )?;
            }
            if report.removed.is_empty() && report.kept.is_empty() && !g.quiet {
                writeln!(out, "nothing to clean")?;
            }
            Ok(())
        })(),
    };
    io_result(r, OK, g.color)
}

fn exec_export(g: &Global, a: ExportArgs) -> ExitCode {
    let (root, _) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    let input = match load_file(g, &a.file, &root) {
        Ok(i) => i,
        Err(c) => return c,
    };
    let text = match a.format {
        ExportFormat::GithubActions => genie::run::gha::export(&input.file),
    };
    match &a.output {
        None => io_result(
            std::io::stdout().lock().write_all(text.as_bytes()),
            OK,
            g.color,
        ),
        Some(path) => {
            match std::fs::read(path) {
                Ok(existing) if existing == text.as_bytes() => {}
                Ok(_) if !a.force => {
                    return fail(
                        format!(
                            "{} exists with other content; --force replaces it",
                            path.display()
                        ),
                        g.color,
                    );
                }
                _ => {
                    if let Err(e) = genie::run::write_atomic(path, text.as_bytes()) {
                        return fail(format!("{}: {e}", path.display()), g.color);
                    }
                }
            }
            if !g.quiet {
                let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
            }
            ExitCode::from(OK)
        }
    }
}

fn exec_list(g: &Global, a: ListArgs) -> ExitCode {
    let (root, _) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    let runs = match clean::list(&root) {
        Ok(r) => r,
        Err(e) => return run_error(e, g),
    };
    let r = match a.format {
        Format::Json => print_json(&runs),
        Format::Human => (|| {
            let mut out = std::io::stdout().lock();
            if runs.is_empty() {
                if !g.quiet {
                    writeln!(out, "no runs")?;
                }
                return Ok(());
            }
            writeln!(
                out,
                "{:20}  {:11}  {:>5}  {:>4}  {:>6}  {:>9}  {:>8}  task file",
                "run", "status", "tasks", "ok", "not ok", "worktrees", "branches"
            )?;
            for r in &runs {
                writeln!(
                    out,
                    "{:20}  {:11}  {:>5}  {:>4}  {:>6}  {:>9}  {:>8}  {}",
                    r.run,
                    r.status,
                    r.tasks,
                    r.ok,
                    r.not_ok,
                    r.worktrees,
                    r.branches,
                    r.taskfile.as_deref().unwrap_or("-")
                )?;
            }
            Ok(())
        })(),
    };
    io_result(r, OK, g.color)
}

fn exec_wait(g: &Global, a: WaitArgs) -> ExitCode {
    let (root, _) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    if !g.quiet
        && let Ok(Some(h)) = lock::holder(&root)
    {
        let _ = writeln!(std::io::stderr(), "waiting for genie run ({h}) to finish");
    }
    match lock::wait_free(&root, a.timeout.map(Duration::from_secs)) {
        Ok(true) => ExitCode::from(OK),
        Ok(false) => {
            let _ = writeln!(
                std::io::stderr(),
                "a genie run still holds {} after {}s",
                lock::LOCK_FILE,
                a.timeout.unwrap_or(0)
            );
            ExitCode::from(FINDINGS)
        }
        Err(e) => fail(e, g.color),
    }
}
