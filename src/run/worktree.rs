//! The git side of `genie run`: worktrees, branches and commits, through the git
//! command line.
//!
//! gix (which genie uses to read the index, blobs and history) cannot add,
//! prune or remove linked worktrees, nor commit a working tree with hooks,
//! attributes, filters and the user's configuration applied; the `git` program
//! does all of that exactly as the user's own git would, so worktree and commit
//! operations go through it. Every call runs with stdin from /dev/null (a
//! credential or signing prompt fails instead of hanging) and without the
//! `GIT_DIR`-style variables a hook may have set.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A git command that failed: what was run and what git said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GitError(pub String);

/// Run git in `dir`; stdout on success, else git's message.
pub fn git(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_PREFIX")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| GitError(format!("cannot run git: {e}")))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let msg = err
            .lines()
            .map(|l| {
                l.trim_start_matches("fatal: ")
                    .trim_start_matches("error: ")
            })
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        Err(GitError(if msg.is_empty() {
            format!("`git {}` failed ({})", args.join(" "), out.status)
        } else {
            msg
        }))
    }
}

/// The top folder of the git working tree holding `dir`.
pub fn toplevel(dir: &Path) -> Result<PathBuf, GitError> {
    let out = git(dir, &["rev-parse", "--show-toplevel"])?;
    let top = out.trim();
    if top.is_empty() {
        return Err(GitError("not inside a git working tree".into()));
    }
    Ok(PathBuf::from(top))
}

/// The full id of the commit `rev` names.
pub fn resolve_commit(dir: &Path, rev: &str) -> Result<String, GitError> {
    let spec = format!("{rev}^{{commit}}");
    git(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )
    .map(|s| s.trim().to_string())
    .map_err(|_| GitError(format!("`{rev}` does not name a commit")))
}

/// Whether the branch `refs/heads/<name>` exists.
pub fn branch_exists(dir: &Path, name: &str) -> bool {
    git(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("refs/heads/{name}"),
        ],
    )
    .is_ok()
}

/// One entry of `git worktree list --porcelain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorktreeEntry {
    pub path: PathBuf,
    pub head: Option<String>,
    /// Short branch name (`genie/…`), when one is checked out.
    pub branch: Option<String>,
    /// Registered, but its folder is gone.
    pub prunable: bool,
}

/// The worktrees git knows of (the main one first).
pub fn worktrees(dir: &Path) -> Result<Vec<WorktreeEntry>, GitError> {
    let out = git(dir, &["worktree", "list", "--porcelain"])?;
    let mut list = Vec::new();
    let mut cur: Option<WorktreeEntry> = None;
    for line in out.lines() {
        if let Some(p) = line.strip_prefix("worktree ") {
            if let Some(e) = cur.take() {
                list.push(e);
            }
            cur = Some(WorktreeEntry {
                path: PathBuf::from(p),
                head: None,
                branch: None,
                prunable: false,
            });
        } else if let Some(e) = cur.as_mut() {
            if let Some(h) = line.strip_prefix("HEAD ") {
                e.head = Some(h.to_string());
            } else if let Some(b) = line.strip_prefix("branch ") {
                e.branch = Some(b.strip_prefix("refs/heads/").unwrap_or(b).to_string());
            } else if line.starts_with("prunable") {
                e.prunable = true;
            }
        }
    }
    if let Some(e) = cur {
        list.push(e);
    }
    Ok(list)
}

/// The registered worktree at `path` (compared canonically).
pub fn find_worktree<'a>(list: &'a [WorktreeEntry], path: &Path) -> Option<&'a WorktreeEntry> {
    let want = canonical(path);
    list.iter().find(|e| canonical(&e.path) == want)
}

/// The path, canonical when it exists (else its parent canonical, then the name).
pub fn canonical(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) => canonical(parent).join(name),
        _ => p.to_path_buf(),
    }
}

/// `git worktree add -b BRANCH PATH START`: a new branch at `start`, checked out at `path`.
pub fn add_new(top: &Path, path: &Path, branch: &str, start: &str) -> Result<(), GitError> {
    let p = path.to_string_lossy();
    git(
        top,
        &["worktree", "add", "--quiet", "-b", branch, "--", &p, start],
    )
    .map(drop)
}

/// `git worktree add PATH BRANCH`: an existing branch checked out at `path`.
pub fn add_existing(top: &Path, path: &Path, branch: &str) -> Result<(), GitError> {
    let p = path.to_string_lossy();
    git(top, &["worktree", "add", "--quiet", "--", &p, branch]).map(drop)
}

/// `git worktree prune`: forget worktrees whose folders are gone.
pub fn prune(top: &Path) -> Result<(), GitError> {
    git(top, &["worktree", "prune"]).map(drop)
}

/// `git worktree remove [--force] PATH`.
pub fn remove(top: &Path, path: &Path, force: bool) -> Result<(), GitError> {
    let p = path.to_string_lossy();
    let mut args = vec!["worktree", "remove"];
    if force {
        // Twice: also a locked worktree.
        args.extend(["--force", "--force"]);
    }
    args.extend(["--", &p]);
    git(top, &args).map(drop)
}

/// `git branch -d|-D NAME`.
pub fn delete_branch(top: &Path, name: &str, force: bool) -> Result<(), GitError> {
    git(
        top,
        &["branch", if force { "-D" } else { "-d" }, "--", name],
    )
    .map(drop)
}

/// Local branches under `prefix` (`genie/`), short names.
pub fn branches(top: &Path, prefix: &str) -> Result<Vec<String>, GitError> {
    let out = git(
        top,
        &[
            "for-each-ref",
            "--format=%(refname:short)",
            &format!("refs/heads/{}", prefix.trim_end_matches('/')),
        ],
    )?;
    Ok(out
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

/// Whether `commit` is an ancestor of (or equal to) `of`.
pub fn is_ancestor(dir: &Path, commit: &str, of: &str) -> bool {
    git(dir, &["merge-base", "--is-ancestor", commit, of]).is_ok()
}

/// `git status --porcelain` lines (untracked files included, ignored ones not).
pub fn status(dir: &Path) -> Result<Vec<String>, GitError> {
    Ok(
        git(dir, &["status", "--porcelain", "--untracked-files=all"])?
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// The commit checked out in `dir`.
pub fn head(dir: &Path) -> Result<String, GitError> {
    git(dir, &["rev-parse", "--verify", "HEAD"]).map(|s| s.trim().to_string())
}

/// Whether git has a committer identity for `dir` (configuration or environment).
fn has_identity(dir: &Path) -> bool {
    let env_ok = |k: &str| std::env::var(k).is_ok_and(|v| !v.trim().is_empty());
    let name = env_ok("GIT_AUTHOR_NAME") && env_ok("GIT_COMMITTER_NAME")
        || git(dir, &["config", "user.name"]).is_ok_and(|s| !s.trim().is_empty());
    let email = env_ok("GIT_AUTHOR_EMAIL") && env_ok("GIT_COMMITTER_EMAIL")
        || git(dir, &["config", "user.email"]).is_ok_and(|s| !s.trim().is_empty());
    name && email
}

/// Commit everything in the worktree at `dir` (`git add -A`, then commit) when
/// anything changed; the new head, or `None` when there was nothing to commit.
///
/// Hooks are skipped (`--no-verify`): this is genie's snapshot of what an agent
/// did, on the task's own branch; the repository's policy applies when the
/// branch is pushed or merged. When git knows no identity, `genie
/// <genie@localhost>` is used for this commit only.
pub fn commit_all(dir: &Path, message: &str) -> Result<Option<String>, GitError> {
    if status(dir)?.is_empty() {
        return Ok(None);
    }
    git(dir, &["add", "-A"])?;
    let mut args: Vec<&str> = Vec::new();
    if !has_identity(dir) {
        args.extend(["-c", "user.name=genie", "-c", "user.email=genie@localhost"]);
    }
    args.extend([
        "-c",
        "gc.auto=0",
        "commit",
        "--quiet",
        "--no-verify",
        "--allow-empty-message",
        "-m",
        message,
    ]);
    git(dir, &args)?;
    head(dir).map(Some)
}

/// Put the worktree at `dir` back to `commit`: tracked changes and untracked
/// files dropped (ignored files are kept, so build caches survive a retry).
pub fn reset_to(dir: &Path, commit: &str) -> Result<(), GitError> {
    git(dir, &["reset", "--quiet", "--hard", commit])?;
    git(dir, &["clean", "-fdq"]).map(drop)
}

/// The worktree's uncommitted changes as a binary patch (untracked files included);
/// the index is left as it was.
pub fn uncommitted_patch(dir: &Path) -> Result<String, GitError> {
    git(dir, &["add", "-A"])?;
    let patch = git(dir, &["diff", "--cached", "--binary", "HEAD"]);
    let _ = git(dir, &["reset", "--quiet"]);
    patch
}

/// One file changed between two commits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileChange {
    /// `A`, `M`, `D`, `R`, … as `git diff --name-status` says.
    pub status: String,
    pub path: String,
}

/// `git diff --name-status FROM..TO`.
pub fn changes(dir: &Path, from: &str, to: &str) -> Result<Vec<FileChange>, GitError> {
    let out = git(
        dir,
        &[
            "-c",
            "core.quotePath=false",
            "diff",
            "--name-status",
            "--no-renames",
            &format!("{from}..{to}"),
        ],
    )?;
    Ok(out
        .lines()
        .filter_map(|l| {
            let (status, path) = l.split_once('\t')?;
            Some(FileChange {
                status: status.to_string(),
                path: path.to_string(),
            })
        })
        .collect())
}
