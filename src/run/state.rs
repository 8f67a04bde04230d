//! A run's state (`<logs>/<run>/state.json`) and event log (`events.jsonl`).
//!
//! The state is rewritten atomically after every change of a task, so a run
//! killed at any moment leaves a state that `genie run --resume` can pick up:
//! tasks recorded `ok` are kept, every other task runs again. The event log is
//! append-only, one JSON object a line.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::worktree::FileChange;

/// Version of the state file's shape.
pub const STATE_VERSION: u32 = 1;

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    Waiting,
    Running,
    Ok,
    Failed,
    TimedOut,
    /// A dependency did not succeed.
    Skipped,
    /// The run was interrupted while the task ran.
    Cancelled,
}

impl TaskStatus {
    pub fn word(self) -> &'static str {
        match self {
            TaskStatus::Waiting => "waiting",
            TaskStatus::Running => "running",
            TaskStatus::Ok => "ok",
            TaskStatus::Failed => "failed",
            TaskStatus::TimedOut => "timed out",
            TaskStatus::Skipped => "skipped",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Ended, one way or another.
    pub fn is_final(self) -> bool {
        !matches!(
            self,
            TaskStatus::Waiting | TaskStatus::Running | TaskStatus::Cancelled
        )
    }
}

/// Where the run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    Running,
    /// Every task succeeded.
    Ok,
    /// Some task failed, timed out or was skipped.
    Failed,
    /// Interrupted (a signal); `--resume` continues it.
    Interrupted,
}

/// Token counts an agent reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_tokens: Option<u64>,
}

/// The session record written for a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRef {
    pub doc_id: String,
    /// Repository-relative.
    pub path: String,
}

/// One task of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskState {
    pub name: String,
    pub status: TaskStatus,
    /// Attempts made (retries included), over all resumes of the run.
    pub attempts: u32,
    pub branch: String,
    /// Repository-relative.
    pub worktree: String,
    /// Repository-relative log, prompt and output files.
    pub log: String,
    pub prompt_file: String,
    pub output_file: String,
    /// The commit the worktree started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_commit: Option<String>,
    /// The branch head when the task ended (after genie committed its changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// Files changed from `start_commit` to `head`.
    #[serde(default)]
    pub files_changed: Vec<FileChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Why the task did not succeed (or was skipped), in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionRef>,
    /// The last lines of the task's output (at most 20).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tail: String,
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunState {
    pub version: u32,
    pub run: String,
    pub status: RunStatus,
    /// The task file as given (repository-relative when inside); its copy is `taskfile.yaml`.
    pub taskfile: String,
    /// The revision asked for, and the commit it named when the run started.
    pub base: String,
    pub base_commit: String,
    pub jobs: usize,
    pub started: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    /// Of the last genie process that worked on the run.
    pub pid: u32,
    /// Times the run was resumed.
    #[serde(default)]
    pub resumed: u32,
    /// Repository-relative folder of the run's files.
    pub dir: String,
    /// Repository-relative summary file.
    pub summary: String,
    /// In task file order.
    pub tasks: Vec<TaskState>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl RunState {
    pub fn task(&self, name: &str) -> Option<&TaskState> {
        self.tasks.iter().find(|t| t.name == name)
    }

    pub fn task_mut(&mut self, name: &str) -> Option<&mut TaskState> {
        self.tasks.iter_mut().find(|t| t.name == name)
    }

    /// Tasks by status, for totals.
    pub fn count(&self, status: TaskStatus) -> usize {
        self.tasks.iter().filter(|t| t.status == status).count()
    }

    /// Read `state.json`.
    pub fn load(path: &Path) -> Result<RunState, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Write `state.json` atomically.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        text.push('\n');
        super::write_atomic(path, text.as_bytes())
    }
}

/// What happened, as the event log and the progress display see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    RunStarted,
    TaskStarted,
    TaskRetried,
    TaskFinished,
    TaskSkipped,
    TaskTimedOut,
    RunFinished,
    /// Something worth knowing that changes nothing (no context, a dirty main worktree).
    Warning,
}

/// One line of `events.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// RFC 3339, UTC.
    pub time: String,
    pub event: EventKind,
    pub run: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Of `task-finished` and `run-finished`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Of `task-started`: the task's branch; of `warning`: the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Event {
    pub fn new(event: EventKind, run: &str) -> Event {
        Event {
            time: super::now_rfc3339(),
            event,
            run: run.to_string(),
            task: None,
            attempt: None,
            exit_code: None,
            duration_ms: None,
            status: None,
            reason: None,
            message: None,
        }
    }

    pub fn task(mut self, name: &str) -> Event {
        self.task = Some(name.to_string());
        self
    }
}

/// The append-only event log.
#[derive(Debug)]
pub struct EventLog {
    file: Mutex<Option<File>>,
    pub path: PathBuf,
}

impl EventLog {
    /// Open (create, or append to) `path`.
    pub fn open(path: &Path) -> std::io::Result<EventLog> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(EventLog {
            file: Mutex::new(Some(file)),
            path: path.to_path_buf(),
        })
    }

    /// A log that writes nothing (dry runs).
    pub fn none() -> EventLog {
        EventLog {
            file: Mutex::new(None),
            path: PathBuf::new(),
        }
    }

    /// Append one event as one line (one write, so lines never interleave).
    pub fn append(&self, e: &Event) {
        let Ok(mut line) = serde_json::to_string(e) else {
            return;
        };
        line.push('\n');
        let mut guard = self.file.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = guard.as_mut() {
            // The event log is a record, not a control path: a full disk must
            // not stop the run.
            let _ = f.write_all(line.as_bytes());
        }
    }
}
