//! `genie run list` and `genie run clean`.
//!
//! A run is known by any of: its folder of records (`.genie/runs/<run>/`, or
//! where a link there points), its worktrees (`.genie/worktrees/<run>/`) and its
//! branches (`genie/<run>/…`). Cleaning removes worktrees and branches of runs
//! that no genie is working on (the lock's holder is left alone) and keeps the
//! records. It never removes a worktree with uncommitted changes, nor a branch
//! holding commits that are not in `HEAD`, unless forced; what it keeps, it says
//! why.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use super::lock::{self, Holder};
use super::orchestrate::{RunError, find_run_dir, leftover_is_clean};
use super::state::{RunState, TaskStatus};
use super::worktree as wt;
use super::{BRANCH_PREFIX, DEFAULT_LOGS, WORKTREES_DIR, rel, valid_run_id};

/// One run, as `genie run list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub run: String,
    /// `running` (the lock's holder), `ok`, `failed`, `interrupted` (resumable),
    /// or `unknown` (no state file).
    pub status: String,
    pub started: Option<String>,
    pub finished: Option<String>,
    pub taskfile: Option<String>,
    pub tasks: usize,
    pub ok: usize,
    /// Failed, timed out or skipped.
    pub not_ok: usize,
    pub worktrees: usize,
    pub branches: usize,
    /// Repository-relative folder of the records.
    pub dir: Option<String>,
}

fn place(root: &Path) -> Result<(std::path::PathBuf, std::path::PathBuf), RunError> {
    let root = std::fs::canonicalize(root)
        .map_err(|e| RunError::Io(format!("{}: {e}", root.display())))?;
    let top = wt::toplevel(&root).map_err(|e| {
        RunError::Git(format!(
            "{} is not in a git repository ({e})",
            root.display()
        ))
    })?;
    Ok((root, top))
}

/// Run ids with anything left: records, worktree folders or branches.
fn run_ids(root: &Path, top: &Path) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for dir in [root.join(DEFAULT_LOGS), root.join(WORKTREES_DIR)] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let id = name.strip_suffix(".link").unwrap_or(&name);
                if valid_run_id(id) {
                    ids.insert(id.to_string());
                }
            }
        }
    }
    for b in wt::branches(top, BRANCH_PREFIX).unwrap_or_default() {
        if let Some(id) = b
            .strip_prefix(BRANCH_PREFIX)
            .and_then(|r| r.split('/').next())
            && valid_run_id(id)
        {
            ids.insert(id.to_string());
        }
    }
    ids
}

fn holder_run(root: &Path) -> Result<Option<Holder>, RunError> {
    lock::holder(root).map_err(RunError::Locked)
}

/// Every run, oldest first.
pub fn list(root: &Path) -> Result<Vec<RunInfo>, RunError> {
    let (root, top) = place(root)?;
    let holder = holder_run(&root)?;
    let branches = wt::branches(&top, BRANCH_PREFIX).unwrap_or_default();
    let mut out = Vec::new();
    for id in run_ids(&root, &top) {
        let dir = find_run_dir(&root, &id, None);
        let state = dir
            .as_ref()
            .and_then(|d| RunState::load(&d.join("state.json")).ok());
        let locked = holder
            .as_ref()
            .is_some_and(|h| h.run.as_deref() == Some(&id));
        let status = if locked {
            "running".to_string()
        } else {
            match &state {
                Some(s) => match s.status {
                    // Not locked, so no genie is working on it: it died.
                    super::state::RunStatus::Running => "interrupted".to_string(),
                    other => serde_json::to_value(other)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                },
                None => "unknown".to_string(),
            }
        };
        let worktrees = std::fs::read_dir(root.join(WORKTREES_DIR).join(&id))
            .map(|d| d.flatten().count())
            .unwrap_or(0);
        let prefix = format!("{BRANCH_PREFIX}{id}/");
        out.push(RunInfo {
            run: id.clone(),
            status,
            started: state.as_ref().map(|s| s.started.clone()),
            finished: state.as_ref().and_then(|s| s.finished.clone()),
            taskfile: state.as_ref().map(|s| s.taskfile.clone()),
            tasks: state.as_ref().map_or(0, |s| s.tasks.len()),
            ok: state.as_ref().map_or(0, |s| s.count(TaskStatus::Ok)),
            not_ok: state.as_ref().map_or(0, |s| {
                s.count(TaskStatus::Failed)
                    + s.count(TaskStatus::TimedOut)
                    + s.count(TaskStatus::Skipped)
            }),
            worktrees,
            branches: branches.iter().filter(|b| b.starts_with(&prefix)).count(),
            dir: dir.map(|d| rel(&root, &d)),
        });
    }
    Ok(out)
}

/// What to clean.
#[derive(Debug, Clone, Default)]
pub struct CleanOptions {
    /// Say what would go; remove nothing.
    pub dry_run: bool,
    /// Also worktrees with uncommitted changes, folders that are not worktrees,
    /// and branches with commits not in `HEAD`.
    pub force: bool,
    /// Only these runs (default: every run not in progress).
    pub runs: Vec<String>,
}

/// One thing removed or kept.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub run: String,
    /// `worktree`, `branch` or `folder`.
    pub kind: &'static str,
    /// Repository-relative path, or branch name.
    pub name: String,
    /// Why it was kept (or how it was removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CleanReport {
    pub dry_run: bool,
    pub removed: Vec<Item>,
    pub kept: Vec<Item>,
}

/// Remove the worktrees and branches of finished runs.
pub fn clean(root: &Path, opts: &CleanOptions) -> Result<CleanReport, RunError> {
    let (root, top) = place(root)?;
    for r in &opts.runs {
        if !valid_run_id(r) {
            return Err(RunError::Usage(format!("`{r}` is not a run id")));
        }
    }
    // Hold the lock while cleaning, so no run starts meanwhile; when a run holds
    // it, leave that run alone.
    let (_lock, busy) = if opts.dry_run {
        (None, holder_run(&root)?.and_then(|h| h.run))
    } else {
        match lock::acquire(&root, "clean", std::time::Duration::ZERO) {
            Ok(l) => (Some(l), None),
            Err(lock::LockError::Held { holder }) => match holder.run {
                Some(r) => (None, Some(r)),
                None => {
                    return Err(RunError::Usage(format!(
                        "another genie holds {} ({holder}); try again when it is done (`genie run wait`)",
                        lock::LOCK_FILE
                    )));
                }
            },
            Err(e) => return Err(e.into()),
        }
    };
    let mut report = CleanReport {
        dry_run: opts.dry_run,
        ..CleanReport::default()
    };
    if !opts.dry_run {
        let _ = wt::prune(&top);
    }
    let list = wt::worktrees(&top).map_err(|e| RunError::Git(e.to_string()))?;
    let all_branches = wt::branches(&top, BRANCH_PREFIX).unwrap_or_default();
    for id in run_ids(&root, &top) {
        if !opts.runs.is_empty() && !opts.runs.contains(&id) {
            continue;
        }
        let item = |kind: &'static str, name: String, reason: Option<String>| Item {
            run: id.clone(),
            kind,
            name,
            reason,
        };
        if busy.as_deref() == Some(id.as_str()) {
            report.kept.push(item(
                "folder",
                format!("{WORKTREES_DIR}/{id}"),
                Some("the run is in progress".into()),
            ));
            continue;
        }
        let run_wt = root.join(WORKTREES_DIR).join(&id);
        // Branches kept because their worktree is.
        let mut kept_branches: BTreeSet<String> = BTreeSet::new();
        let mut folders: Vec<std::path::PathBuf> = std::fs::read_dir(&run_wt)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        folders.sort();
        // Registered worktrees under the run's folder whose folder is gone
        // are pruned above; list them for the report in a dry run.
        for e in list
            .iter()
            .filter(|e| e.path.starts_with(&run_wt) || wt::canonical(&e.path).starts_with(&run_wt))
        {
            if e.prunable {
                report.removed.push(item(
                    "worktree",
                    rel(&root, &e.path),
                    Some("registered, folder gone: pruned".into()),
                ));
            }
        }
        for path in folders {
            let shown = rel(&root, &path);
            let entry = wt::find_worktree(&list, &path).filter(|e| !e.prunable);
            match entry {
                Some(e) => {
                    let dirty = wt::status(&path).map(|s| s.len()).unwrap_or(0);
                    if dirty > 0 && !opts.force {
                        report.kept.push(item(
                            "worktree",
                            shown,
                            Some(format!("{dirty} uncommitted changes; --force removes them")),
                        ));
                        if let Some(b) = &e.branch {
                            kept_branches.insert(b.clone());
                        }
                        continue;
                    }
                    if !opts.dry_run
                        && let Err(err) = wt::remove(&top, &path, dirty > 0)
                    {
                        report
                            .kept
                            .push(item("worktree", shown, Some(err.to_string())));
                        if let Some(b) = &e.branch {
                            kept_branches.insert(b.clone());
                        }
                        continue;
                    }
                    report.removed.push(item(
                        "worktree",
                        shown,
                        (dirty > 0)
                            .then(|| format!("{dirty} uncommitted changes dropped: --force")),
                    ));
                }
                None => {
                    let task = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let branch = format!("{BRANCH_PREFIX}{id}/{task}");
                    let clean = path.is_dir() && leftover_is_clean(&top, &path, &branch);
                    if !clean && !opts.force {
                        report.kept.push(item(
                            "folder",
                            shown,
                            Some("not a git worktree, and it holds files that are not on the task's branch; --force removes it".into()),
                        ));
                        continue;
                    }
                    let removed = if opts.dry_run {
                        Ok(())
                    } else if path.is_dir() {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                    match removed {
                        Ok(()) => report.removed.push(item(
                            "folder",
                            shown,
                            Some("not a git worktree (left by a crashed run)".into()),
                        )),
                        Err(err) => report
                            .kept
                            .push(item("folder", shown, Some(err.to_string()))),
                    }
                }
            }
        }
        if !opts.dry_run {
            // Empty now (or it was kept for a reason already reported).
            let _ = std::fs::remove_dir(&run_wt);
        }
        let prefix = format!("{BRANCH_PREFIX}{id}/");
        for b in all_branches.iter().filter(|b| b.starts_with(&prefix)) {
            if kept_branches.contains(b) {
                report.kept.push(item(
                    "branch",
                    b.clone(),
                    Some("its worktree is kept".into()),
                ));
                continue;
            }
            if let Some(e) = list.iter().find(|e| {
                e.branch.as_deref() == Some(b.as_str())
                    && !e.path.starts_with(&run_wt)
                    && !wt::canonical(&e.path).starts_with(&run_wt)
            }) {
                report.kept.push(item(
                    "branch",
                    b.clone(),
                    Some(format!("checked out at {}", e.path.display())),
                ));
                continue;
            }
            let merged = wt::is_ancestor(&top, &format!("refs/heads/{b}"), "HEAD");
            if !merged && !opts.force {
                report.kept.push(item(
                    "branch",
                    b.clone(),
                    Some(
                        "has commits that are not in HEAD (merge it, or --force deletes it)".into(),
                    ),
                ));
                continue;
            }
            if !opts.dry_run
                && let Err(err) = wt::delete_branch(&top, b, true)
            {
                report
                    .kept
                    .push(item("branch", b.clone(), Some(err.to_string())));
                continue;
            }
            report.removed.push(item(
                "branch",
                b.clone(),
                (!merged).then(|| "not merged into HEAD: --force".to_string()),
            ));
        }
    }
    Ok(report)
}
