//! The run's Markdown summary (default `docs/_index/orchestrator-run-summary.md`):
//! one row per task and the totals, between genie's "generated, do not edit"
//! markers. Each run rewrites the section; text around the markers is kept, and
//! a file without markers is not overwritten (unless forced).

use std::path::Path;

use crate::trace::generated;

use super::session::duration_text;
use super::state::{RunState, TaskStatus};

/// Why the summary cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SummaryError {
    pub path: String,
    pub message: String,
}

/// Whether the summary at `rel` can be rewritten (it does not exist, or has
/// genie's markers, or `force`).
pub fn check_writable(root: &Path, rel: &str, force: bool) -> Result<(), SummaryError> {
    if force {
        return Ok(());
    }
    let current = generated::read(&root.join(rel)).map_err(|e| SummaryError {
        path: rel.to_string(),
        message: format!("cannot read: {e}"),
    })?;
    generated::splice(current.as_deref(), "")
        .map(drop)
        .map_err(|e| SummaryError {
            path: rel.to_string(),
            message: format!("{e} (or run with --force to replace the whole file)"),
        })
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown of the generated section.
pub fn render(state: &RunState) -> String {
    let mut b = String::new();
    b.push_str(&format!("# genie run {}\n\n", state.run));
    let status = match state.status {
        super::state::RunStatus::Ok => "ok: every task succeeded",
        super::state::RunStatus::Failed => "failed: not every task succeeded",
        super::state::RunStatus::Interrupted => "interrupted (`genie run --resume` continues it)",
        super::state::RunStatus::Running => "running",
    };
    b.push_str(&format!(
        "Task file `{}`, base `{}` (`{}`), started {}{}. Status: {status}.\n\n",
        cell(&state.taskfile),
        cell(&state.base),
        &state.base_commit[..state.base_commit.len().min(12)],
        state.started,
        state
            .finished
            .as_deref()
            .map_or_else(String::new, |f| format!(", finished {f}"))
    ));
    b.push_str("| task | status | attempts | duration | branch | changes | session | log |\n");
    b.push_str("|---|---|---|---|---|---|---|---|\n");
    let mut total_ms = 0u64;
    let mut total_files = 0usize;
    let mut attempts = 0u32;
    for t in &state.tasks {
        total_ms += t.duration_ms.unwrap_or(0);
        total_files += t.files_changed.len();
        attempts += t.attempts;
        let mut status = t.status.word().to_string();
        if let Some(r) = &t.reason
            && t.status != TaskStatus::Ok
        {
            status.push_str(&format!(" ({})", cell(r)));
        }
        let ran = t.attempts > 0;
        b.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            t.name,
            status,
            t.attempts,
            t.duration_ms.map_or_else(|| "-".into(), duration_text),
            if ran {
                format!("`{}`", t.branch)
            } else {
                "-".into()
            },
            if ran {
                format!("{} files", t.files_changed.len())
            } else {
                "-".into()
            },
            t.session
                .as_ref()
                .map_or_else(|| "-".into(), |s| s.doc_id.clone()),
            if ran {
                format!("`{}`", t.log)
            } else {
                "-".into()
            },
        ));
    }
    let n = |s: TaskStatus| state.count(s);
    b.push_str(&format!(
        "\nTotals: {} tasks: {} ok, {} failed, {} timed out, {} skipped{}; {attempts} attempts; {} of task time; {total_files} files changed.\n",
        state.tasks.len(),
        n(TaskStatus::Ok),
        n(TaskStatus::Failed),
        n(TaskStatus::TimedOut),
        n(TaskStatus::Skipped),
        {
            let left = n(TaskStatus::Waiting) + n(TaskStatus::Running) + n(TaskStatus::Cancelled);
            if left > 0 {
                format!(", {left} not finished")
            } else {
                String::new()
            }
        },
        duration_text(total_ms),
    ));
    b.push_str(&format!(
        "\nEvents: `{}/events.jsonl`; state: `{}/state.json`.\n",
        state.dir, state.dir
    ));
    b
}

/// Write the summary of `state` into `rel` under `root`, atomically.
pub fn write(root: &Path, rel: &str, state: &RunState, force: bool) -> Result<(), SummaryError> {
    let path = root.join(rel);
    let err = |message: String| SummaryError {
        path: rel.to_string(),
        message,
    };
    let section = generated::section("genie run", &render(state));
    let current = generated::read(&path).map_err(|e| err(format!("cannot read: {e}")))?;
    let text = match generated::splice(current.as_deref(), &section) {
        Ok(t) => t,
        Err(_) if force => section,
        Err(e) => return Err(err(e.to_string())),
    };
    super::write_atomic(&path, text.as_bytes()).map_err(|e| err(format!("cannot write: {e}")))
}
