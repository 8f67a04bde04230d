//! `genie run`: tasks of agents (or any commands) run in parallel, each in its own
//! git worktree and branch, in dependency order, with context written in and a
//! session record written out.
//!
//! - [`taskfile`]: the task file, read and checked before anything starts;
//! - [`orchestrate`]: the scheduler (plan, run, resume);
//! - [`worktree`]: git worktrees, branches and commits, through the git CLI;
//! - [`lock`]: `.genie/run.lock`, one run at a time;
//! - [`state`]: `state.json` and `events.jsonl`;
//! - [`agent`]: what an agent left behind (its final message, token usage);
//! - [`session`]: the session record of each task; [`summary`]: the run's summary;
//! - [`clean`]: `genie run clean` and `genie run list`;
//! - [`process`]: running one command; [`gha`]: export to GitHub Actions;
//!   [`handoff`]: the handoff check.

pub mod agent;
pub mod clean;
pub mod gha;
pub mod handoff;
pub mod lock;
pub mod orchestrate;
pub mod process;
pub mod session;
pub mod state;
pub mod summary;
pub mod taskfile;
pub mod worktree;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Repository-relative folder of the worktrees (`<this>/<run>/<task>`).
pub const WORKTREES_DIR: &str = ".genie/worktrees";
/// Prefix of the branches (`genie/<run>/<task>`).
pub const BRANCH_PREFIX: &str = "genie/";
/// Default folder of the runs' files.
pub const DEFAULT_LOGS: &str = ".genie/runs";

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of a time.
pub fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (y, m, day) = crate::ops::civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// Now, RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
}

/// A new run id: `YYYYMMDD-HHMMSS-xxxx` (UTC, then 4 random hex digits), so ids
/// sort by start time.
pub fn new_run_id() -> String {
    let now = SystemTime::now();
    let d = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (y, m, day) = crate::ops::civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    let random = {
        use std::hash::{BuildHasher, Hasher};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(d.as_nanos());
        h.write_u32(std::process::id());
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.finish() as u16
    };
    format!(
        "{y:04}{m:02}{day:02}-{:02}{:02}{:02}-{random:04x}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Whether `id` has the shape of a run id (it names folders and branches).
pub fn valid_run_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 15 => *c == b'-',
            16..=19 => c.is_ascii_hexdigit(),
            _ => c.is_ascii_digit(),
        })
}

pub use crate::trace::generated::write_atomic;

/// Give the `.genie` folder a `.gitignore` that ignores everything in it, so
/// worktrees, logs and locks never show up in `git status` of the main worktree.
pub fn ensure_gitignore(genie_dir: &Path) {
    let ignore = genie_dir.join(".gitignore");
    if genie_dir.file_name().is_some_and(|n| n == ".genie") && !ignore.exists() {
        let _ = std::fs::write(
            &ignore,
            "# genie's cache, runs and worktrees: never committed\n*\n",
        );
    }
}

/// `path` relative to `root`, `/`-separated (as given when outside).
pub fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids() {
        let a = new_run_id();
        let b = new_run_id();
        assert!(valid_run_id(&a), "{a}");
        assert_ne!(a, b);
        assert!(!valid_run_id("20260101-000000-xyz1"));
        assert!(!valid_run_id("../../etc"));
        assert_eq!(
            rfc3339(UNIX_EPOCH + std::time::Duration::from_millis(1_767_225_600_123)),
            "2026-01-01T00:00:00.123Z"
        );
    }
}
