//! The scheduler of `genie run`: plan, run and resume.
//!
//! One thread (the caller's) schedules; each running task has its own thread,
//! inside a [`std::thread::scope`], that prepares the task's worktree, writes its
//! prompt, runs its command through [`super::process`] (attempts, backoff),
//! commits what it changed, checks its handoff and writes its session record,
//! then reports back over a channel. The scheduler starts a task when all its
//! dependencies succeeded, at most `jobs` at once, skips the dependents of a task
//! that did not succeed, and writes `state.json` after every change so a run
//! killed at any moment can be resumed.
//!
//! Files: `<logs>/<run>/` holds `taskfile.yaml` (a copy), `state.json`,
//! `events.jsonl` and per task `<task>.log`, `<task>.prompt.md`, `<task>.output`.
//! Worktrees are `.genie/worktrees/<run>/<task>` on branches `genie/<run>/<task>`.
//! Nothing else in the main worktree is written except the session records, the
//! summary (and the DocSet of a task's issue, when it exists, to list the record).
//!
//! Retries wait 1 s, 2 s, 4 s, … (at most 30 s) before attempt 2, 3, 4, …; the
//! environment variable `GENIE_RUN_BACKOFF_MS` sets the first wait in
//! milliseconds (tests set it to a few ms).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use crate::config::Config;

use super::lock::{self, LockError};
use super::process::{self, Outcome};
use super::session::{self, Relation, Sessions};
use super::state::{
    Event, EventKind, EventLog, RunState, RunStatus, STATE_VERSION, TaskState, TaskStatus,
};
use super::taskfile::{Prompt, Task, TaskFile};
use super::worktree::{self as wt, GitError};
use super::{BRANCH_PREFIX, DEFAULT_LOGS, WORKTREES_DIR, agent, rel, summary};

/// Why a run could not start (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Not a git repository, no git, or a base that names no commit.
    #[error("{0}")]
    Git(String),
    #[error(transparent)]
    Locked(#[from] LockError),
    /// Bad input: an unknown run id, a summary that is not genie's, …
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(String),
}

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Overrides the task file's `run.jobs`.
    pub jobs: Option<usize>,
    /// Replace a summary file that has no genie markers.
    pub force: bool,
    /// How long to wait for another run's lock.
    pub wait: Duration,
}

/// Sees the run as it goes (the command line's progress display).
pub trait Observer: Sync {
    /// The run is set up: every task is in `state`.
    fn run_started(&self, _state: &RunState) {}
    /// Something happened (also written to `events.jsonl`).
    fn event(&self, _event: &Event) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl Observer for Quiet {}

/// The task file as given: parsed, and its text (copied into the run's folder).
#[derive(Debug, Clone)]
pub struct Input {
    pub file: TaskFile,
    pub text: String,
}

/// Where the repository is.
struct Place {
    /// The genie root (canonical).
    root: PathBuf,
    /// The git top-level of the main worktree.
    top: PathBuf,
    /// `root` relative to `top` (empty when the same).
    prefix: PathBuf,
}

fn place(root: &Path) -> Result<Place, RunError> {
    let root = std::fs::canonicalize(root)
        .map_err(|e| RunError::Io(format!("{}: {e}", root.display())))?;
    let top = wt::toplevel(&root).map_err(|e| {
        RunError::Git(format!(
            "{} is not in a git repository ({e}); `genie run` gives each task a git worktree, so it needs one",
            root.display()
        ))
    })?;
    let top = std::fs::canonicalize(&top).unwrap_or(top);
    let prefix = root
        .strip_prefix(&top)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    Ok(Place { root, top, prefix })
}

fn worktree_rel(run: &str, task: &str) -> String {
    format!("{WORKTREES_DIR}/{run}/{task}")
}

fn branch_name(run: &str, task: &str) -> String {
    format!("{BRANCH_PREFIX}{run}/{task}")
}

// ---------------------------------------------------------------------------
// The plan (`--dry-run`).

/// One task of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedTask {
    pub name: String,
    pub level: usize,
    pub depends_on: Vec<String>,
    pub worktree: String,
    pub branch: String,
    /// `base` or the task whose branch it starts from.
    pub starts_from: String,
    pub command: String,
    pub timeout_secs: u64,
    pub retries: u32,
    /// The prompt file, or `inline`, or nothing.
    pub prompt: Option<String>,
    pub issue: Option<u64>,
    pub handoff: bool,
}

/// What a run would do.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub version: u32,
    pub taskfile: String,
    pub base: String,
    pub base_commit: String,
    pub jobs: usize,
    /// Task names by level: a level's tasks can run together once the levels
    /// before it are done.
    pub levels: Vec<Vec<String>>,
    pub tasks: Vec<PlannedTask>,
    /// Where the run's files would go (`<run>` stands for the run id).
    pub dir: String,
    pub summary: String,
    pub sessions: String,
    pub warnings: Vec<String>,
}

/// The plan of a run of `file`: nothing is written.
pub fn plan(root: &Path, file: &TaskFile, opts: &RunOptions) -> Result<Plan, RunError> {
    let p = place(root)?;
    let base_commit = wt::resolve_commit(&p.top, &file.run.base)
        .map_err(|e| RunError::Git(format!("run.base: {e}")))?;
    let mut warnings = Vec::new();
    if let Some(w) = dirty_warning(&p, &file.run.base) {
        warnings.push(w);
    }
    if let Err(e) = summary::check_writable(&p.root, &file.run.summary, opts.force) {
        warnings.push(format!("the run would stop before starting: {e}"));
    }
    let levels = file.levels();
    let mut level_of = vec![0; file.tasks.len()];
    for (l, idxs) in levels.iter().enumerate() {
        for &i in idxs {
            level_of[i] = l;
        }
    }
    let tasks = file
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| PlannedTask {
            name: t.name.clone(),
            level: level_of[i],
            depends_on: t.depends_on.clone(),
            worktree: worktree_rel("<run>", &t.name),
            branch: branch_name("<run>", &t.name),
            starts_from: t
                .worktree_from
                .as_ref()
                .map_or_else(|| "base".to_string(), |f| format!("branch of {f}")),
            command: t.command.clone(),
            timeout_secs: t.timeout_secs.unwrap_or(file.run.timeout_secs),
            retries: t.retries,
            prompt: t.prompt.as_ref().map(|p| match p {
                Prompt::File(f) => f.clone(),
                Prompt::Text(_) => "inline".to_string(),
            }),
            issue: t.issue,
            handoff: t.handoff,
        })
        .collect();
    Ok(Plan {
        version: 1,
        taskfile: file.path.clone(),
        base: file.run.base.clone(),
        base_commit,
        jobs: opts.jobs.unwrap_or(file.run.jobs).max(1),
        levels: levels
            .iter()
            .map(|l| l.iter().map(|&i| file.tasks[i].name.clone()).collect())
            .collect(),
        tasks,
        dir: format!("{}/<run>", file.run.logs),
        summary: file.run.summary.clone(),
        sessions: file.run.sessions.clone(),
        warnings,
    })
}

fn dirty_warning(p: &Place, base: &str) -> Option<String> {
    let dirty = wt::status(&p.top).ok()?;
    (!dirty.is_empty()).then(|| {
        format!(
            "the main worktree has uncommitted changes ({} files); the tasks' worktrees start from the committed {base} and do not see them",
            dirty.len()
        )
    })
}

// ---------------------------------------------------------------------------
// Running.

/// Run `input` from the start. `Err` only when the run could not start; a run
/// whose tasks failed is an `Ok` state with status `failed`.
pub fn run(
    root: &Path,
    config: &Config,
    input: &Input,
    opts: &RunOptions,
    observer: &dyn Observer,
) -> Result<RunState, RunError> {
    let p = place(root)?;
    let file = &input.file;
    let base_commit = wt::resolve_commit(&p.top, &file.run.base)
        .map_err(|e| RunError::Git(format!("run.base: {e}")))?;
    summary::check_writable(&p.root, &file.run.summary, opts.force)
        .map_err(|e| RunError::Usage(e.to_string()))?;
    let genie_dir = p.root.join(".genie");
    std::fs::create_dir_all(&genie_dir)
        .map_err(|e| RunError::Io(format!("{}: {e}", genie_dir.display())))?;
    super::ensure_gitignore(&genie_dir);

    // The run id names the lock's holder, so it comes first; its folder is made
    // under the lock.
    let mut run_id = super::new_run_id();
    let lock = lock::acquire(&p.root, &run_id, opts.wait)?;
    let logs = p.root.join(&file.run.logs);
    std::fs::create_dir_all(&logs).map_err(|e| RunError::Io(format!("{}: {e}", logs.display())))?;
    let mut tries = 0;
    let run_dir = loop {
        let dir = logs.join(&run_id);
        match std::fs::create_dir(&dir) {
            Ok(()) => break dir,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < 20 => {
                tries += 1;
                run_id = super::new_run_id();
            }
            Err(e) => return Err(RunError::Io(format!("{}: {e}", dir.display()))),
        }
    };
    if file.run.logs.trim_end_matches('/') != DEFAULT_LOGS {
        // `--resume ID` and `genie run list` look in the default folder.
        let link = p.root.join(DEFAULT_LOGS).join(format!("{run_id}.link"));
        let _ = super::write_atomic(&link, format!("{}\n", rel(&p.root, &run_dir)).as_bytes());
    }
    super::write_atomic(&run_dir.join("taskfile.yaml"), input.text.as_bytes())
        .map_err(|e| RunError::Io(format!("{}: {e}", run_dir.display())))?;

    let mut state = RunState {
        version: STATE_VERSION,
        run: run_id.clone(),
        status: RunStatus::Running,
        taskfile: file.path.clone(),
        base: file.run.base.clone(),
        base_commit,
        jobs: opts.jobs.unwrap_or(file.run.jobs).max(1),
        started: super::now_rfc3339(),
        finished: None,
        pid: std::process::id(),
        resumed: 0,
        dir: rel(&p.root, &run_dir),
        summary: file.run.summary.clone(),
        tasks: file
            .tasks
            .iter()
            .map(|t| new_task_state(&p.root, &run_dir, &run_id, t))
            .collect(),
        warnings: Vec::new(),
    };
    if let Some(w) = dirty_warning(&p, &file.run.base) {
        state.warnings.push(w);
    }
    execute(&p, config, file, state, &run_dir, opts, observer, lock)
}

fn new_task_state(root: &Path, run_dir: &Path, run: &str, t: &Task) -> TaskState {
    TaskState {
        name: t.name.clone(),
        status: TaskStatus::Waiting,
        attempts: 0,
        branch: branch_name(run, &t.name),
        worktree: worktree_rel(run, &t.name),
        log: rel(root, &run_dir.join(format!("{}.log", t.name))),
        prompt_file: rel(root, &run_dir.join(format!("{}.prompt.md", t.name))),
        output_file: rel(root, &run_dir.join(format!("{}.output", t.name))),
        start_commit: None,
        head: None,
        files_changed: Vec::new(),
        exit_code: None,
        reason: None,
        started: None,
        finished: None,
        duration_ms: None,
        usage: None,
        session: None,
        tail: String::new(),
    }
}

/// The folder of run `id`: under `logs` (the task file's, when one is given),
/// else under the default folder or where its link there points.
pub fn find_run_dir(root: &Path, id: &str, logs: Option<&str>) -> Option<PathBuf> {
    if !super::valid_run_id(id) {
        return None;
    }
    let mut candidates = Vec::new();
    if let Some(l) = logs {
        candidates.push(root.join(l).join(id));
    }
    candidates.push(root.join(DEFAULT_LOGS).join(id));
    if let Ok(text) = std::fs::read_to_string(root.join(DEFAULT_LOGS).join(format!("{id}.link"))) {
        candidates.push(root.join(text.trim()));
    }
    candidates
        .into_iter()
        .find(|d| d.join("state.json").is_file())
}

/// Continue run `id`: tasks that succeeded are kept, every other task runs
/// again (in a fresh or reset worktree). `input` replaces the task file the run
/// started with (task names must match for their state to carry over).
pub fn resume(
    root: &Path,
    config: &Config,
    id: &str,
    input: Option<&Input>,
    opts: &RunOptions,
    observer: &dyn Observer,
) -> Result<RunState, RunError> {
    let p = place(root)?;
    if !super::valid_run_id(id) {
        return Err(RunError::Usage(format!(
            "`{id}` is not a run id (they look like 20260105-101500-3fa2; `genie run list` shows them)"
        )));
    }
    let run_dir =
        find_run_dir(&p.root, id, input.map(|i| i.file.run.logs.as_str())).ok_or_else(|| {
            RunError::Usage(format!(
                "no run {id}: no state.json for it (`genie run list` shows the runs)"
            ))
        })?;
    let lock = lock::acquire(&p.root, id, opts.wait)?;
    let mut state = RunState::load(&run_dir.join("state.json")).map_err(RunError::Io)?;
    let file = match input {
        Some(i) => {
            super::write_atomic(&run_dir.join("taskfile.yaml"), i.text.as_bytes())
                .map_err(|e| RunError::Io(format!("{}: {e}", run_dir.display())))?;
            i.file.clone()
        }
        None => {
            let copy = run_dir.join("taskfile.yaml");
            let text = std::fs::read_to_string(&copy)
                .map_err(|e| RunError::Io(format!("{}: {e}", copy.display())))?;
            super::taskfile::parse(&text, &rel(&p.root, &copy), &p.root)
                .map_err(|e| RunError::Usage(e.to_string()))?
        }
    };
    summary::check_writable(&p.root, &file.run.summary, opts.force)
        .map_err(|e| RunError::Usage(e.to_string()))?;
    // The task file decides the tasks; a task keeps its state when it succeeded.
    let mut tasks = Vec::with_capacity(file.tasks.len());
    for t in &file.tasks {
        match state.task(&t.name) {
            Some(old) if old.status == TaskStatus::Ok => tasks.push(old.clone()),
            Some(old) => {
                let mut s = old.clone();
                s.status = TaskStatus::Waiting;
                s.reason = None;
                s.exit_code = None;
                s.finished = None;
                tasks.push(s);
            }
            None => tasks.push(new_task_state(&p.root, &run_dir, id, t)),
        }
    }
    let dropped: Vec<String> = state
        .tasks
        .iter()
        .filter(|old| file.task(&old.name).is_none())
        .map(|old| {
            format!(
                "task `{}` is no longer in the task file; its record is dropped",
                old.name
            )
        })
        .collect();
    state.tasks = tasks;
    state.warnings.clear();
    state.warnings.extend(dropped);
    if let Some(w) = dirty_warning(&p, &file.run.base) {
        state.warnings.push(w);
    }
    state.status = RunStatus::Running;
    state.finished = None;
    state.pid = std::process::id();
    state.resumed += 1;
    state.jobs = opts.jobs.unwrap_or(file.run.jobs).max(1);
    state.summary = file.run.summary.clone();
    state.taskfile = input.map_or(state.taskfile, |i| i.file.path.clone());
    let _ = wt::prune(&p.top);
    execute(&p, config, &file, state, &run_dir, opts, observer, lock)
}

/// What the task threads share.
struct Shared<'a> {
    place: &'a Place,
    config: &'a Config,
    file: &'a TaskFile,
    run: String,
    run_dir: PathBuf,
    events: EventLog,
    observer: &'a dyn Observer,
    /// `git worktree prune`, one at a time. Adding worktrees needs no lock: git
    /// marks a worktree being created as locked, so prune leaves it alone, and
    /// every task has its own branch and folder.
    prune: Mutex<()>,
    /// Context building, one at a time (it updates the index).
    context: Mutex<()>,
    sessions: Sessions,
    base: String,
    base_commit: String,
    backoff: Duration,
}

impl Shared<'_> {
    fn emit(&self, e: Event) {
        self.events.append(&e);
        self.observer.event(&e);
    }

    fn warn(&self, task: Option<&str>, message: String) {
        let mut e = Event::new(EventKind::Warning, &self.run);
        e.task = task.map(str::to_string);
        e.message = Some(message);
        self.emit(e);
    }
}

/// First wait before a retry: `GENIE_RUN_BACKOFF_MS`, else 1 s.
fn backoff_base() -> Duration {
    std::env::var("GENIE_RUN_BACKOFF_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis)
}

/// Wait before retry `n` (1 for the first retry): base × 2^(n-1), at most 30 s.
pub fn backoff(base: Duration, n: u32) -> Duration {
    let factor = 1u32
        .checked_shl(n.saturating_sub(1).min(20))
        .unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(Duration::from_secs(30))
}

#[allow(clippy::too_many_arguments)]
fn execute(
    p: &Place,
    config: &Config,
    file: &TaskFile,
    mut state: RunState,
    run_dir: &Path,
    opts: &RunOptions,
    observer: &dyn Observer,
    lock: lock::RunLock,
) -> Result<RunState, RunError> {
    let state_path = run_dir.join("state.json");
    let events = EventLog::open(&run_dir.join("events.jsonl"))
        .map_err(|e| RunError::Io(format!("{}: {e}", run_dir.display())))?;
    let shared = Shared {
        place: p,
        config,
        file,
        run: state.run.clone(),
        run_dir: run_dir.to_path_buf(),
        events,
        observer,
        prune: Mutex::new(()),
        context: Mutex::new(()),
        sessions: Sessions::new(&p.root, config, &file.run.sessions),
        base: state.base.clone(),
        base_commit: state.base_commit.clone(),
        backoff: backoff_base(),
    };
    let save = |s: &RunState| {
        if let Err(e) = s.save(&state_path) {
            shared.warn(None, format!("cannot write {}: {e}", state_path.display()));
        }
    };
    save(&state);
    observer.run_started(&state);
    let mut e = Event::new(EventKind::RunStarted, &state.run);
    e.message = Some(if state.resumed > 0 {
        format!(
            "resumed ({}), {} tasks, jobs {}",
            state.resumed,
            state.tasks.len(),
            state.jobs
        )
    } else {
        format!("{} tasks, jobs {}", state.tasks.len(), state.jobs)
    });
    shared.emit(e);
    for w in state.warnings.clone() {
        shared.warn(None, w);
    }

    // Task indexes in dependency order, so one pass marks chains of skips.
    let order: Vec<usize> = file.levels().into_iter().flatten().collect();
    let jobs = state.jobs;
    let status_of = |s: &RunState, name: &str| s.task(name).map(|t| t.status);

    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<Msg>();
        let mut running = 0usize;
        loop {
            let cancelled = process::cancelled();
            // Skip what can no longer run.
            for &i in &order {
                let t = &file.tasks[i];
                if status_of(&state, &t.name) != Some(TaskStatus::Waiting) {
                    continue;
                }
                let failed_dep = t.depends_on.iter().find(|d| {
                    status_of(&state, d).is_some_and(|s| s.is_final() && s != TaskStatus::Ok)
                });
                if let Some(d) = failed_dep {
                    let word = status_of(&state, d).map_or("failed", TaskStatus::word);
                    let reason = format!("dependency `{d}` {word}");
                    if let Some(ts) = state.task_mut(&t.name) {
                        ts.status = TaskStatus::Skipped;
                        ts.reason = Some(reason.clone());
                        ts.finished = Some(super::now_rfc3339());
                    }
                    let mut e = Event::new(EventKind::TaskSkipped, &shared.run).task(&t.name);
                    e.reason = Some(reason);
                    shared.emit(e);
                    save(&state);
                }
            }
            // Start what can run.
            if !cancelled {
                for &i in &order {
                    if running >= jobs {
                        break;
                    }
                    let t = &file.tasks[i];
                    if status_of(&state, &t.name) != Some(TaskStatus::Waiting) {
                        continue;
                    }
                    let ready = t
                        .depends_on
                        .iter()
                        .all(|d| status_of(&state, d) == Some(TaskStatus::Ok));
                    if !ready {
                        continue;
                    }
                    let deps: Vec<TaskState> = t
                        .depends_on
                        .iter()
                        .filter_map(|d| state.task(d).cloned())
                        .collect();
                    let from = t
                        .worktree_from
                        .as_ref()
                        .and_then(|f| state.task(f).cloned());
                    let start_commit = match &from {
                        Some(f) => f.head.clone().unwrap_or_else(|| state.base_commit.clone()),
                        None => state.base_commit.clone(),
                    };
                    let Some(ts) = state.task_mut(&t.name) else {
                        continue;
                    };
                    ts.status = TaskStatus::Running;
                    ts.started = Some(super::now_rfc3339());
                    ts.start_commit = Some(start_commit.clone());
                    ts.reason = None;
                    let job = Job {
                        task: t,
                        state: ts.clone(),
                        deps,
                        from,
                        start_commit,
                        reuse: state.resumed > 0,
                    };
                    let mut e = Event::new(EventKind::TaskStarted, &shared.run).task(&t.name);
                    e.attempt = Some(job.state.attempts + 1);
                    e.message = Some(job.state.branch.clone());
                    shared.emit(e);
                    save(&state);
                    running += 1;
                    let tx = tx.clone();
                    let shared = &shared;
                    let spawned = std::thread::Builder::new()
                        .name(format!("genie-task-{}", t.name))
                        .spawn_scoped(scope, move || {
                            let attempt = |n: u32| {
                                let _ = tx.send(Msg::Attempt(i, n));
                            };
                            let result = run_task(shared, job, &attempt);
                            let _ = tx.send(Msg::Done(i, Box::new(result)));
                        });
                    if let Err(e) = spawned {
                        running -= 1;
                        if let Some(ts) = state.task_mut(&t.name) {
                            ts.status = TaskStatus::Failed;
                            ts.reason = Some(format!("cannot start a thread: {e}"));
                        }
                    }
                }
            }
            if running == 0 {
                break;
            }
            let (i, result) = match rx.recv() {
                Ok(Msg::Done(i, result)) => (i, *result),
                Ok(Msg::Attempt(i, n)) => {
                    // Recorded at once, so a crash does not forget an attempt.
                    if let Some(ts) = state.task_mut(&file.tasks[i].name) {
                        ts.attempts = n;
                    }
                    save(&state);
                    continue;
                }
                Err(_) => break,
            };
            running -= 1;
            let name = file.tasks[i].name.clone();
            let mut e = Event::new(EventKind::TaskFinished, &shared.run).task(&name);
            e.attempt = Some(result.attempts);
            e.exit_code = result.exit_code;
            e.duration_ms = result.duration_ms;
            e.status = Some(
                serde_json::to_value(result.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            );
            e.reason = result.reason.clone();
            if let Some(ts) = state.task_mut(&name) {
                *ts = result;
            }
            save(&state);
            shared.emit(e);
        }
    });

    let interrupted = state.tasks.iter().any(|t| {
        matches!(
            t.status,
            TaskStatus::Waiting | TaskStatus::Running | TaskStatus::Cancelled
        )
    });
    state.status = if interrupted {
        RunStatus::Interrupted
    } else if state.tasks.iter().all(|t| t.status == TaskStatus::Ok) {
        RunStatus::Ok
    } else {
        RunStatus::Failed
    };
    state.finished = Some(super::now_rfc3339());
    if let Err(e) = summary::write(&p.root, &file.run.summary, &state, opts.force) {
        let w = format!("the summary was not written: {e}");
        shared.warn(None, w.clone());
        state.warnings.push(w);
    }
    save(&state);
    let mut e = Event::new(EventKind::RunFinished, &state.run);
    e.status = Some(
        serde_json::to_value(state.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    );
    e.message = Some(format!(
        "{} ok, {} failed, {} timed out, {} skipped",
        state.count(TaskStatus::Ok),
        state.count(TaskStatus::Failed),
        state.count(TaskStatus::TimedOut),
        state.count(TaskStatus::Skipped)
    ));
    shared.emit(e);
    drop(lock);
    Ok(state)
}

/// What a task's thread tells the scheduler.
enum Msg {
    /// Attempt n started.
    Attempt(usize, u32),
    Done(usize, Box<TaskState>),
}

/// One task to run, as its thread gets it.
struct Job<'a> {
    task: &'a Task,
    state: TaskState,
    /// The dependencies' states (for the prompt and the session record).
    deps: Vec<TaskState>,
    /// The task whose branch this one starts from.
    from: Option<TaskState>,
    start_commit: String,
    /// Resuming: reuse an existing branch or worktree of the task.
    reuse: bool,
}

fn run_task(sh: &Shared, job: Job, on_attempt: &dyn Fn(u32)) -> TaskState {
    let started = Instant::now();
    let mut st = job.state.clone();
    let t = job.task;
    let worktree = sh.place.root.join(&st.worktree);
    let finish = |mut st: TaskState, status: TaskStatus, reason: Option<String>| {
        st.status = status;
        st.reason = reason;
        st.finished = Some(super::now_rfc3339());
        st.duration_ms = Some(started.elapsed().as_millis() as u64);
        st
    };

    // The worktree.
    let prepared = prepare_worktree(
        sh,
        &worktree,
        &st.branch,
        &job.start_commit,
        job.reuse,
        &st.name,
    );
    if let Err(reason) = prepared {
        return finish(st, TaskStatus::Failed, Some(reason));
    }

    // The prompt.
    let prompt_path = sh.place.root.join(&st.prompt_file);
    let output_path = sh.place.root.join(&st.output_file);
    let log_path = sh.place.root.join(&st.log);
    if let Err(reason) = write_prompt(sh, t, &job.deps, &prompt_path) {
        return finish(st, TaskStatus::Failed, Some(reason));
    }

    // The attempts.
    let cwd = {
        let c = worktree.join(&sh.place.prefix);
        if c.is_dir() { c } else { worktree.clone() }
    };
    let mut env: Vec<(String, String)> = vec![
        ("GENIE_RUN_ID".into(), sh.run.clone()),
        ("GENIE_TASK".into(), t.name.clone()),
        (
            "GENIE_WORKTREE".into(),
            worktree.to_string_lossy().into_owned(),
        ),
        (
            "GENIE_PROMPT_FILE".into(),
            prompt_path.to_string_lossy().into_owned(),
        ),
        (
            "GENIE_OUTPUT_FILE".into(),
            output_path.to_string_lossy().into_owned(),
        ),
        ("GENIE_BRANCH".into(), st.branch.clone()),
    ];
    if let Some(n) = t.issue {
        env.push(("GENIE_ISSUE".into(), n.to_string()));
    }
    env.extend(t.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    let timeout = Duration::from_secs(t.timeout_secs.unwrap_or(sh.file.run.timeout_secs));
    let max = t.retries + 1;
    let mut last_tail = String::new();
    let mut outcome = Outcome::Cancelled;
    for n in 1..=max {
        if n > 1 {
            let wait = backoff(sh.backoff, n - 1);
            let mut e = Event::new(EventKind::TaskRetried, &sh.run).task(&t.name);
            e.attempt = Some(st.attempts + 1);
            e.exit_code = Some(outcome.exit_code());
            e.duration_ms = Some(wait.as_millis() as u64);
            e.reason = Some(describe(&outcome));
            sh.emit(e);
            if !sleep_unless_cancelled(wait) {
                outcome = Outcome::Cancelled;
                break;
            }
            // A retry starts from where the first attempt did.
            if let Err(err) = wt::reset_to(&worktree, &job.start_commit) {
                return finish(
                    st,
                    TaskStatus::Failed,
                    Some(format!("cannot reset the worktree for a retry: {err}")),
                );
            }
        }
        if process::cancelled() {
            outcome = Outcome::Cancelled;
            break;
        }
        let _ = std::fs::remove_file(&output_path);
        st.attempts += 1;
        on_attempt(st.attempts);
        let fin = process::run(&process::Spec {
            command: &t.command,
            cwd: &cwd,
            env: env.clone(),
            log: &log_path,
            timeout,
            grace: Duration::from_secs(sh.file.run.grace_secs),
            max_log_bytes: sh.file.run.max_log_bytes,
        });
        outcome = fin.outcome;
        last_tail = fin.tail;
        st.exit_code = Some(outcome.exit_code());
        match &outcome {
            Outcome::Exited(0) | Outcome::Cancelled => break,
            Outcome::TimedOut => {
                let mut e = Event::new(EventKind::TaskTimedOut, &sh.run).task(&t.name);
                e.attempt = Some(st.attempts);
                e.exit_code = Some(124);
                e.duration_ms = Some(fin.duration.as_millis() as u64);
                sh.emit(e);
            }
            _ => {}
        }
    }
    st.tail = agent::last_lines(&last_tail, 20);
    if outcome == Outcome::Cancelled {
        // Left as it is: `--resume` saves any changes as a patch and starts over.
        return finish(
            st,
            TaskStatus::Cancelled,
            Some("the run was interrupted".into()),
        );
    }
    let (mut status, mut reason) = match &outcome {
        Outcome::Exited(0) => (TaskStatus::Ok, None),
        Outcome::TimedOut => (
            TaskStatus::TimedOut,
            Some(format!(
                "timed out after {}",
                session::duration_text(timeout.as_millis() as u64)
            )),
        ),
        other => (TaskStatus::Failed, Some(describe(other))),
    };

    // What the task changed, committed on its branch.
    let message = match t.issue {
        Some(n) => format!("genie run {}: {} (#{n})", sh.run, t.name),
        None => format!("genie run {}: {}", sh.run, t.name),
    };
    match wt::commit_all(&worktree, &message) {
        Ok(_) => {}
        Err(e) => {
            if status == TaskStatus::Ok {
                status = TaskStatus::Failed;
            }
            reason = Some(format!("cannot commit the task's changes: {e}"));
        }
    }
    match wt::head(&worktree) {
        Ok(h) => {
            st.files_changed = wt::changes(&worktree, &job.start_commit, &h).unwrap_or_default();
            st.head = Some(h);
        }
        Err(e) => sh.warn(
            Some(&t.name),
            format!("cannot read the worktree's head: {e}"),
        ),
    }

    // The handoff package.
    if t.handoff && status == TaskStatus::Ok {
        let dir = Path::new(&sh.config.handoff.dir);
        match super::handoff::check(&worktree, dir, &sh.config.handoff) {
            Ok(r) if r.passed => {}
            Ok(r) => {
                status = TaskStatus::Failed;
                let gaps: Vec<String> = r.gaps.iter().take(3).map(|g| g.message.clone()).collect();
                reason = Some(format!(
                    "handoff: score {} below {}{}",
                    r.score,
                    r.min_score,
                    if gaps.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", gaps.join("; "))
                    }
                ));
            }
            Err(e) => {
                status = TaskStatus::Failed;
                reason = Some(format!("handoff: {e}"));
            }
        }
    }

    // What the agent reported.
    let output = read_capped(&output_path, 1 << 20);
    let report = agent::read(output.as_deref(), &last_tail);
    st.usage = report.usage;

    let mut st = finish(st, status, reason);
    let relation = |d: &TaskState| Relation {
        task: d.name.clone(),
        status: d.status,
        session: d.session.clone(),
    };
    let rec = session::Record {
        run: &sh.run,
        state: &st,
        issue: t.issue,
        command: &t.command,
        base: &sh.base,
        base_commit: &sh.base_commit,
        depends_on: job.deps.iter().map(relation).collect(),
        continues: job.from.as_ref().map(relation),
        summary: report.message,
    };
    match sh.sessions.write(&rec) {
        Ok(s) => st.session = Some(s),
        Err(e) => sh.warn(Some(&t.name), format!("no session record: {e}")),
    }
    st
}

fn describe(o: &Outcome) -> String {
    match o {
        Outcome::Exited(127) => "exit 127 (command not found)".into(),
        Outcome::Exited(c) => format!("exit {c}"),
        Outcome::Signalled(s) => format!("killed by signal {s}"),
        Outcome::TimedOut => "timed out".into(),
        Outcome::SpawnFailed(r) => format!("could not start: {r}"),
        Outcome::Cancelled => "cancelled".into(),
    }
}

/// Sleep, waking early when the run is cancelled; whether the whole time passed.
fn sleep_unless_cancelled(d: Duration) -> bool {
    let end = Instant::now() + d;
    loop {
        if process::cancelled() {
            return false;
        }
        let now = Instant::now();
        if now >= end {
            return true;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(50)));
    }
}

fn read_capped(path: &Path, max: u64) -> Option<String> {
    use std::io::Read;
    let f = std::fs::File::open(path).ok()?;
    let mut buf = Vec::new();
    f.take(max).read_to_end(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Make (or, when resuming, reuse) the task's worktree at `start`.
fn prepare_worktree(
    sh: &Shared,
    path: &Path,
    branch: &str,
    start: &str,
    reuse: bool,
    task: &str,
) -> Result<(), String> {
    let top = &sh.place.top;
    let shown = rel(&sh.place.root, path);
    let git_err = |what: &str, e: GitError| format!("{what}: {e}");
    let mut list = wt::worktrees(top).map_err(|e| git_err("cannot list worktrees", e))?;
    if wt::find_worktree(&list, path).is_some_and(|e| e.prunable) {
        let _g = sh.prune.lock().unwrap_or_else(|p| p.into_inner());
        wt::prune(top).map_err(|e| git_err("git worktree prune", e))?;
        list = wt::worktrees(top).map_err(|e| git_err("cannot list worktrees", e))?;
    }
    if let Some(entry) = wt::find_worktree(&list, path) {
        if !reuse {
            return Err(format!("{shown} is already a git worktree"));
        }
        if entry.branch.as_deref() != Some(branch) {
            return Err(format!(
                "{shown} is a worktree of {}, not of {branch}; remove it (`git worktree remove`) and resume again",
                entry.branch.as_deref().unwrap_or("a detached head")
            ));
        }
        save_uncommitted(sh, path, task)?;
        return wt::reset_to(path, start).map_err(|e| git_err("cannot reset the worktree", e));
    }
    if path.symlink_metadata().is_ok() {
        // A folder left by a crashed run, no longer (or never) registered.
        if leftover_is_clean(top, path, branch) {
            std::fs::remove_dir_all(path)
                .map_err(|e| format!("cannot remove the stale folder {shown}: {e}"))?;
        } else {
            return Err(format!(
                "{shown} exists and is not a git worktree (left by a crashed run?) and holds changes; move it away, or `genie run clean --force` removes it"
            ));
        }
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    if wt::branch_exists(top, branch) {
        if !reuse {
            return Err(format!(
                "the branch {branch} already exists; delete it (`git branch -D {branch}`) or resume the run"
            ));
        }
        if let Some(other) = list.iter().find(|e| e.branch.as_deref() == Some(branch)) {
            return Err(format!(
                "the branch {branch} is checked out at {}; remove that worktree first",
                other.path.display()
            ));
        }
        wt::add_existing(top, path, branch).map_err(|e| git_err("git worktree add", e))?;
        return wt::reset_to(path, start).map_err(|e| git_err("cannot reset the worktree", e));
    }
    wt::add_new(top, path, branch, start).map_err(|e| git_err("git worktree add", e))
}

/// Keep the uncommitted changes an interrupted attempt left, as a patch in the
/// run's folder, before the worktree is reset.
fn save_uncommitted(sh: &Shared, path: &Path, task: &str) -> Result<(), String> {
    let dirty = wt::status(path).map_err(|e| format!("git status: {e}"))?;
    if dirty.is_empty() {
        return Ok(());
    }
    let patch = wt::uncommitted_patch(path).map_err(|e| format!("cannot save the changes: {e}"))?;
    let stamp = super::rfc3339(SystemTime::now()).replace([':', '.'], "");
    let file = sh.run_dir.join(format!("{task}.interrupted-{stamp}.patch"));
    super::write_atomic(&file, patch.as_bytes())
        .map_err(|e| format!("cannot save the changes to {}: {e}", file.display()))?;
    sh.warn(
        Some(task),
        format!(
            "the worktree had uncommitted changes from the interrupted attempt; saved to {} before starting over",
            rel(&sh.place.root, &file)
        ),
    );
    Ok(())
}

/// Whether a folder that is not a registered worktree can go: it is empty,
/// holds only a `.git` link, or matches the tip of `branch` file for file.
pub fn leftover_is_clean(top: &Path, path: &Path, branch: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(path) else {
        return false;
    };
    let names: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    if names.iter().all(|n| n == ".git") {
        return true;
    }
    if !wt::branch_exists(top, branch) {
        return false;
    }
    // Compare with the branch tip through a throwaway index.
    let index = std::env::temp_dir().join(format!(
        "genie-leftover-{}-{}.index",
        std::process::id(),
        branch.replace('/', "-")
    ));
    let work = path.to_string_lossy();
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .current_dir(top)
            .env("GIT_INDEX_FILE", &index)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .arg(format!("--work-tree={work}"))
            .args(args)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
    };
    // Tracked files as on the branch (after refreshing the stat data a fresh
    // index lacks), and no file the branch does not have, ignored ones included.
    let ok = |args: &[&str]| git(args).is_ok_and(|o| o.status.success());
    let read = ok(&["read-tree", &format!("refs/heads/{branch}")]);
    // Exit 1 only says that some files need updating; diff-files tells which.
    let _ = git(&["update-index", "-q", "--refresh"]);
    let clean = read
        && ok(&["diff-files", "--quiet"])
        && git(&["ls-files", "--others", "--directory"])
            .is_ok_and(|o| o.status.success() && o.stdout.is_empty());
    let _ = std::fs::remove_file(&index);
    clean
}

/// Write the task's prompt file: its prompt, the previous steps, the context.
fn write_prompt(sh: &Shared, t: &Task, deps: &[TaskState], path: &Path) -> Result<(), String> {
    let prompt = match &t.prompt {
        Some(Prompt::File(f)) => std::fs::read_to_string(sh.place.root.join(f))
            .map_err(|e| format!("cannot read the prompt file {f}: {e}"))?,
        Some(Prompt::Text(s)) => s.clone(),
        None => String::new(),
    };
    let mut out = String::new();
    if prompt.trim().is_empty() {
        out.push_str(&format!("# Task {}\n", t.name));
    } else {
        out.push_str(prompt.trim_end());
        out.push('\n');
    }
    if !deps.is_empty() {
        out.push_str("\n## Previous steps\n");
        for d in deps {
            out.push_str(&format!("\n### {} ({})\n\n", d.name, d.status.word()));
            out.push_str(&format!("- branch: `{}`", d.branch));
            if let Some(h) = &d.head {
                out.push_str(&format!(" at {}", &h[..h.len().min(12)]));
            }
            out.push('\n');
            if let Some(s) = &d.session {
                out.push_str(&format!("- session record: {} (`{}`)\n", s.doc_id, s.path));
            }
            out.push_str(&format!("- files changed: {}\n", d.files_changed.len()));
            for f in d.files_changed.iter().take(20) {
                out.push_str(&format!("  - {} `{}`\n", f.status, f.path));
            }
            if d.files_changed.len() > 20 {
                out.push_str(&format!("  - … and {} more\n", d.files_changed.len() - 20));
            }
            let tail = agent::last_lines(&d.tail, 20);
            if !tail.trim().is_empty() {
                out.push_str("\nEnd of its output:\n\n```text\n");
                out.push_str(&tail.replace("```", "` ` `"));
                out.push_str("```\n");
            }
        }
    }
    let budget = sh.file.run.context_budget;
    if budget > 0 {
        let query = if prompt.trim().is_empty() {
            t.name.clone()
        } else {
            prompt.chars().take(2000).collect()
        };
        let opts = crate::index::context::ContextOptions {
            task: query,
            issue: t.issue,
            budget,
            update: true,
        };
        let built = {
            let _g = sh.context.lock().unwrap_or_else(|p| p.into_inner());
            crate::index::context::build(&sh.place.root, sh.config, &opts)
        };
        match built {
            Ok(pack) => {
                let mut md = Vec::new();
                if crate::index::context::write_markdown(&pack, &mut md).is_ok() {
                    out.push('\n');
                    out.push_str(&String::from_utf8_lossy(&md));
                }
            }
            Err(e) => sh.warn(
                Some(&t.name),
                format!("the prompt has no repository context: {e}"),
            ),
        }
    }
    super::write_atomic(path, out.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let s = Duration::from_secs(1);
        assert_eq!(backoff(s, 1), Duration::from_secs(1));
        assert_eq!(backoff(s, 2), Duration::from_secs(2));
        assert_eq!(backoff(s, 3), Duration::from_secs(4));
        assert_eq!(backoff(s, 6), Duration::from_secs(30));
        assert_eq!(backoff(s, 99), Duration::from_secs(30));
        assert_eq!(
            backoff(Duration::from_millis(10), 2),
            Duration::from_millis(20)
        );
    }
}
