//! The little genie needs from git, read with gix: the base of a change (a
//! revision, or the merge-base with the upstream branch), the files of a commit,
//! which working-tree files differ from it, and the history of one file.
//!
//! Paths in and out are relative to the genie repository root, which may be a
//! folder inside the git work tree.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};

/// A git problem. Shallow clones get their own kind so the message can say so.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct GitError {
    pub kind: GitErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitErrorKind {
    /// The root is not inside a git work tree.
    NotARepository,
    /// The history needed is not in this (shallow) clone.
    Shallow,
    /// A revision that does not resolve.
    Revision,
    Other,
}

impl GitError {
    fn new(kind: GitErrorKind, message: impl Into<String>) -> Self {
        GitError {
            kind,
            message: message.into(),
        }
    }

    fn other(context: &str, e: impl std::fmt::Display) -> Self {
        GitError::new(GitErrorKind::Other, format!("{context}: {e}"))
    }
}

/// A commit as genie shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommitInfo {
    /// Full hexadecimal id.
    pub id: String,
    /// The first seven hexadecimal digits.
    pub short: String,
    /// Author date, ISO 8601 with the author's offset.
    pub date: String,
    pub author: String,
    pub email: String,
    /// The first line of the message.
    pub summary: String,
}

/// The commit a change is measured from, and how genie chose it.
#[derive(Debug, Clone)]
pub struct Base {
    /// `None`: there is no commit yet; everything in the working tree is new.
    pub commit: Option<CommitInfo>,
    oid: Option<ObjectId>,
    /// In words: `HEAD`, `merge-base of HEAD and origin/main`, the revision given.
    pub described: String,
}

/// One version of a file in its history: a commit that changed it.
#[derive(Debug, Clone)]
pub struct FileChange {
    pub commit: CommitInfo,
    /// Root-relative path in this commit (`None` when the commit deleted the file).
    pub path: Option<String>,
    /// Content in this commit.
    pub new: Option<Vec<u8>>,
    /// Root-relative path and content in the first parent (`None` when added here).
    pub old: Option<(String, Vec<u8>)>,
    /// The commit is a shallow clone's boundary: the file existed, its earlier
    /// history is not in the clone.
    pub boundary: bool,
}

/// The history of a file, oldest change first.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub changes: Vec<FileChange>,
    /// The commit where a shallow clone's history stops while the file still
    /// existed: earlier changes are not in this clone.
    pub cut_at: Option<CommitInfo>,
    /// Commits looked at.
    pub commits: usize,
}

/// A git repository around a genie root.
pub struct Git {
    repo: gix::Repository,
    /// The genie root relative to the work tree, `/`-terminated, or empty.
    prefix: String,
    shallow: Vec<ObjectId>,
}

impl Git {
    /// The repository whose work tree holds `root`.
    pub fn open(root: &Path) -> Result<Git, GitError> {
        let mut repo = gix::discover(root).map_err(|e| {
            GitError::new(
                GitErrorKind::NotARepository,
                format!("{} is not inside a git repository ({e})", root.display()),
            )
        })?;
        repo.object_cache_size_if_unset(8 * 1024 * 1024);
        let workdir = repo.workdir().map(Path::to_path_buf).ok_or_else(|| {
            GitError::new(
                GitErrorKind::NotARepository,
                "the git repository has no work tree (a bare repository)",
            )
        })?;
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let (root_abs, work_abs) = (canon(root), canon(&workdir));
        let rel: PathBuf = root_abs
            .strip_prefix(&work_abs)
            .map(Path::to_path_buf)
            .map_err(|_| {
                GitError::new(
                    GitErrorKind::NotARepository,
                    format!(
                        "{} is outside the work tree {}",
                        root.display(),
                        workdir.display()
                    ),
                )
            })?;
        let mut prefix = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        if !prefix.is_empty() {
            prefix.push('/');
        }
        let mut shallow: Vec<ObjectId> = repo
            .shallow_commits()
            .ok()
            .flatten()
            .map(|c| c.iter().copied().collect())
            .unwrap_or_default();
        shallow.sort();
        Ok(Git {
            repo,
            prefix,
            shallow,
        })
    }

    /// Whether this is a shallow clone.
    pub fn is_shallow(&self) -> bool {
        !self.shallow.is_empty()
    }

    fn shallow_hint(&self) -> &'static str {
        if self.is_shallow() {
            "; this is a shallow clone: `git fetch --unshallow` (or `fetch-depth: 0` in actions/checkout) fetches the history it lacks"
        } else {
            ""
        }
    }

    fn to_git(&self, rel: &str) -> String {
        format!("{}{rel}", self.prefix)
    }

    fn to_rel(&self, path: &BStr) -> Option<String> {
        let p = path.to_str().ok()?;
        p.strip_prefix(self.prefix.as_str()).map(str::to_string)
    }

    fn head_id(&self) -> Result<Option<ObjectId>, GitError> {
        let mut head = self
            .repo
            .head()
            .map_err(|e| GitError::other("cannot read HEAD", e))?;
        if head.is_unborn() {
            return Ok(None);
        }
        let commit = head
            .peel_to_commit()
            .map_err(|e| GitError::other("cannot read the HEAD commit", e))?;
        Ok(Some(commit.id))
    }

    /// The upstream of the current branch (`refs/remotes/origin/main`), when one is
    /// configured and fetched.
    fn upstream(&self) -> Option<(String, ObjectId)> {
        let name = self.repo.head_name().ok().flatten()?;
        let tracking = self
            .repo
            .branch_remote_tracking_ref_name(name.as_ref(), gix::remote::Direction::Fetch)?
            .ok()?;
        let mut r = self.repo.try_find_reference(tracking.as_ref()).ok()??;
        let id = r.peel_to_id().ok()?.detach();
        Some((tracking.as_bstr().to_str_lossy().into_owned(), id))
    }

    /// The commit a change is measured from: `rev` when given; else the merge-base of
    /// HEAD with its upstream branch; else HEAD; `None` commit before the first commit.
    pub fn base(&self, rev: Option<&str>) -> Result<Base, GitError> {
        if let Some(rev) = rev {
            let id = self
                .repo
                .rev_parse_single(rev)
                .map_err(|e| {
                    GitError::new(
                        if self.is_shallow() {
                            GitErrorKind::Shallow
                        } else {
                            GitErrorKind::Revision
                        },
                        format!("cannot resolve `{rev}`: {e}{}", self.shallow_hint()),
                    )
                })?
                .object()
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| {
                    GitError::new(
                        GitErrorKind::Revision,
                        format!("`{rev}` is not a commit: {e}"),
                    )
                })?
                .id;
            return Ok(Base {
                commit: Some(self.commit_info(id)?),
                oid: Some(id),
                described: format!("`{rev}`"),
            });
        }
        let Some(head) = self.head_id()? else {
            return Ok(Base {
                commit: None,
                oid: None,
                described: "the empty repository (no commit yet)".into(),
            });
        };
        if let Some((name, upstream)) = self.upstream() {
            let short = name
                .strip_prefix("refs/remotes/")
                .unwrap_or(&name)
                .to_string();
            return match self.repo.merge_base(head, upstream) {
                Ok(Some(id)) => Ok(Base {
                    commit: Some(self.commit_info(id.detach())?),
                    oid: Some(id.detach()),
                    described: format!("the merge-base of HEAD and {short}"),
                }),
                Ok(None) if !self.is_shallow() => Err(GitError::new(
                    GitErrorKind::Revision,
                    format!("HEAD and {short} have no common history; pass --base REV"),
                )),
                Ok(None) | Err(_) if self.is_shallow() => Err(GitError::new(
                    GitErrorKind::Shallow,
                    format!(
                        "the merge-base of HEAD and {short} is not in this shallow clone; `git fetch --unshallow` (or `fetch-depth: 0` in actions/checkout) fetches the history it lacks, or pass --base REV"
                    ),
                )),
                Ok(None) => unreachable!("handled above"),
                Err(e) => Err(GitError::other(
                    &format!("cannot find the merge-base of HEAD and {short}"),
                    e,
                )),
            };
        }
        Ok(Base {
            commit: Some(self.commit_info(head)?),
            oid: Some(head),
            described: "HEAD (no upstream branch)".into(),
        })
    }

    fn commit_info(&self, id: ObjectId) -> Result<CommitInfo, GitError> {
        let commit = self
            .repo
            .find_commit(id)
            .map_err(|e| GitError::other(&format!("cannot read commit {id}"), e))?;
        let author = commit
            .author()
            .map_err(|e| GitError::other(&format!("cannot read the author of {id}"), e))?;
        let date = author
            .time()
            .ok()
            .and_then(|t| t.format(gix::date::time::format::ISO8601_STRICT).ok())
            .unwrap_or_default();
        let summary = commit
            .message_raw_sloppy()
            .lines()
            .next()
            .map(|l| l.to_str_lossy().trim().to_string())
            .unwrap_or_default();
        let hex = id.to_string();
        Ok(CommitInfo {
            short: hex.chars().take(7).collect(),
            id: hex,
            date,
            author: author.name.to_str_lossy().trim().to_string(),
            email: author.email.to_str_lossy().trim().to_string(),
            summary,
        })
    }

    /// Root-relative paths and blob ids of the files of `base` under `dirs`
    /// (root-relative folders).
    pub fn files(
        &self,
        base: &Base,
        dirs: &[&str],
    ) -> Result<BTreeMap<String, ObjectId>, GitError> {
        let Some(oid) = base.oid else {
            return Ok(BTreeMap::new());
        };
        let tree = self
            .repo
            .find_commit(oid)
            .and_then(|c| c.tree())
            .map_err(|e| GitError::other("cannot read the base tree", e))?;
        let mut out = BTreeMap::new();
        for dir in dirs {
            let git_dir = self.to_git(dir.trim_end_matches('/'));
            let sub = if git_dir.is_empty() {
                Some(tree.clone())
            } else {
                match tree.lookup_entry_by_path(&git_dir) {
                    Ok(Some(e)) if e.mode().is_tree() => Some(
                        e.object()
                            .map_err(|e| GitError::other("cannot read a tree", e))?
                            .into_tree(),
                    ),
                    Ok(_) => None,
                    Err(e) => return Err(GitError::other("cannot read the base tree", e)),
                }
            };
            let Some(sub) = sub else { continue };
            let files = sub
                .traverse()
                .breadthfirst
                .files()
                .map_err(|e| GitError::other("cannot walk the base tree", e))?;
            for f in files {
                if !f.mode.is_blob() {
                    continue;
                }
                let Ok(p) = f.filepath.to_str() else { continue };
                let git_path = if git_dir.is_empty() {
                    p.to_string()
                } else {
                    format!("{git_dir}/{p}")
                };
                if let Some(rel) = self.to_rel(git_path.as_bytes().as_bstr()) {
                    out.insert(rel, f.oid);
                }
            }
        }
        Ok(out)
    }

    /// The content of a blob.
    pub fn blob(&self, id: ObjectId) -> Result<Vec<u8>, GitError> {
        self.repo
            .find_blob(id)
            .map(|b| b.data.clone())
            .map_err(|e| GitError::other(&format!("cannot read blob {id}"), e))
    }

    /// Which of `paths` (root-relative, in the working tree) differ from their ids
    /// in `base_files`: a file whose index entry has the same size and mtime as the
    /// file on disk, and is not racy, has the index's id; any other is hashed.
    /// Returns the id of every path.
    pub fn worktree_ids(
        &self,
        root: &Path,
        paths: &[&str],
    ) -> Result<HashMap<String, ObjectId>, GitError> {
        let empty;
        let read = self.open_index()?;
        let index = match &read {
            Some(i) => i,
            None => {
                empty = gix::index::File::from_state(
                    gix::index::State::new(self.repo.object_hash()),
                    self.repo.index_path(),
                );
                &empty
            }
        };
        let prefix = self.prefix.as_str();
        let stamp = index.timestamp().unix_seconds();
        let kind = self.repo.object_hash();
        use rayon::prelude::*;
        let found: Vec<Option<(String, ObjectId)>> = paths
            .par_iter()
            .map(|rel| -> Result<Option<(String, ObjectId)>, GitError> {
                let abs = root.join(rel);
                let Ok(meta) = std::fs::symlink_metadata(&abs) else {
                    return Ok(None);
                };
                if !meta.is_file() {
                    return Ok(None);
                }
                let git_path = format!("{prefix}{rel}");
                if let Some(entry) = index.entry_by_path(git_path.as_bytes().as_bstr())
                    && stat_matches(&entry.stat, &meta, stamp)
                {
                    return Ok(Some((rel.to_string(), entry.id)));
                }
                let bytes = std::fs::read(&abs)
                    .map_err(|e| GitError::other(&format!("cannot read {rel}"), e))?;
                let id = gix::objs::compute_hash(kind, gix::objs::Kind::Blob, &bytes)
                    .map_err(|e| GitError::other(&format!("cannot hash {rel}"), e))?;
                Ok(Some((rel.to_string(), id)))
            })
            .collect::<Result<_, _>>()?;
        Ok(found.into_iter().flatten().collect())
    }

    /// The changes to the file at `path` (root-relative) in the history of HEAD,
    /// oldest first. A commit that adds the file continues at the path of a file it
    /// deletes for which `same_file` says yes (a rename).
    pub fn history(
        &self,
        path: &str,
        same_file: &dyn Fn(&[u8]) -> bool,
    ) -> Result<History, GitError> {
        let Some(head) = self.head_id()? else {
            return Ok(History::default());
        };
        let walk = self
            .repo
            .rev_walk([head])
            .sorting(gix::revision::walk::Sorting::ByCommitTime(
                gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
            ))
            .all()
            .map_err(|e| GitError::other("cannot walk the history", e))?;
        // The path to look at in each commit, set by its children.
        let mut path_in: HashMap<ObjectId, String> = HashMap::new();
        path_in.insert(head, self.to_git(path));
        let mut blob_cache: HashMap<(ObjectId, String), Option<ObjectId>> = HashMap::new();
        let mut history = History::default();
        for info in walk {
            let info = info.map_err(|e| {
                GitError::new(
                    if self.is_shallow() {
                        GitErrorKind::Shallow
                    } else {
                        GitErrorKind::Other
                    },
                    format!("cannot walk the history: {e}{}", self.shallow_hint()),
                )
            })?;
            history.commits += 1;
            let id = info.id;
            let here = path_in
                .get(&id)
                .cloned()
                .unwrap_or_else(|| self.to_git(path));
            let blob = self.blob_at(&mut blob_cache, id, &here)?;
            let parents: Vec<ObjectId> = info.parent_ids().map(|p| p.detach()).collect();
            let cut = self.shallow.binary_search(&id).is_ok();
            if cut || parents.is_empty() {
                if let Some(b) = blob {
                    if cut {
                        history.cut_at = Some(self.commit_info(id)?);
                    }
                    history.changes.push(FileChange {
                        commit: self.commit_info(id)?,
                        path: self.to_rel(here.as_bytes().as_bstr()),
                        new: Some(self.blob(b)?),
                        old: None,
                        boundary: cut,
                    });
                }
                continue;
            }
            let mut parent_blobs = Vec::with_capacity(parents.len());
            for p in &parents {
                parent_blobs.push(self.blob_at(&mut blob_cache, *p, &here)?);
            }
            // Rename: the file appears here, no parent has it at this path.
            let mut parent_path = here.clone();
            let mut renamed_from = None;
            if blob.is_some()
                && parent_blobs.iter().all(Option::is_none)
                && let Some((old_path, old_blob)) =
                    self.renamed_from(parents[0], id, &here, same_file)?
            {
                parent_path = old_path.clone();
                renamed_from = Some((old_path, old_blob));
            }
            for p in &parents {
                path_in.entry(*p).or_insert_with(|| parent_path.clone());
            }
            if renamed_from.is_none() && parent_blobs.contains(&blob) {
                // Not changed here (or a merge taking one side as it was).
                continue;
            }
            let new = match blob {
                Some(b) => Some(self.blob(b)?),
                None => None,
            };
            let old = match (&renamed_from, parent_blobs[0]) {
                (Some((p, b)), _) => Some((p.clone(), *b)),
                (None, Some(b)) => Some((here.clone(), b)),
                (None, None) => None,
            };
            let old = match old {
                Some((p, b)) => Some((
                    self.to_rel(p.as_bytes().as_bstr()).unwrap_or(p),
                    self.blob(b)?,
                )),
                None => None,
            };
            history.changes.push(FileChange {
                commit: self.commit_info(id)?,
                path: blob.and_then(|_| self.to_rel(here.as_bytes().as_bstr())),
                new,
                old,
                boundary: false,
            });
        }
        history.changes.reverse();
        Ok(history)
    }

    fn blob_at(
        &self,
        cache: &mut HashMap<(ObjectId, String), Option<ObjectId>>,
        commit: ObjectId,
        git_path: &str,
    ) -> Result<Option<ObjectId>, GitError> {
        if let Some(v) = cache.get(&(commit, git_path.to_string())) {
            return Ok(*v);
        }
        let tree = match self.repo.find_commit(commit).and_then(|c| c.tree()) {
            Ok(t) => t,
            Err(e) => {
                return Err(GitError::new(
                    if self.is_shallow() {
                        GitErrorKind::Shallow
                    } else {
                        GitErrorKind::Other
                    },
                    format!("cannot read commit {commit}: {e}{}", self.shallow_hint()),
                ));
            }
        };
        let id = tree
            .lookup_entry_by_path(git_path)
            .map_err(|e| GitError::other("cannot read a tree", e))?
            .filter(|e| e.mode().is_blob())
            .map(|e| e.object_id());
        cache.insert((commit, git_path.to_string()), id);
        Ok(id)
    }

    /// A file of `parent` that `commit` deleted and `same_file` recognises, as the
    /// source of `path` (git path) added in `commit`.
    fn renamed_from(
        &self,
        parent: ObjectId,
        commit: ObjectId,
        git_path: &str,
        same_file: &dyn Fn(&[u8]) -> bool,
    ) -> Result<Option<(String, ObjectId)>, GitError> {
        let list = |id: ObjectId| -> Result<BTreeMap<String, ObjectId>, GitError> {
            let tree = self
                .repo
                .find_commit(id)
                .and_then(|c| c.tree())
                .map_err(|e| GitError::other(&format!("cannot read commit {id}"), e))?;
            let files = tree
                .traverse()
                .breadthfirst
                .files()
                .map_err(|e| GitError::other("cannot walk a tree", e))?;
            Ok(files
                .into_iter()
                .filter(|f| f.mode.is_blob())
                .filter_map(|f| Some((f.filepath.to_str().ok()?.to_string(), f.oid)))
                .collect())
        };
        let before = list(parent)?;
        let after = list(commit)?;
        let ext = |p: &str| p.rsplit_once('.').map(|(_, e)| e.to_string());
        let want = ext(git_path);
        for (p, id) in &before {
            if after.contains_key(p) || ext(p) != want {
                continue;
            }
            if same_file(&self.blob(*id)?) {
                return Ok(Some((p.clone(), *id)));
            }
        }
        Ok(None)
    }
}

/// A file in the git index (what the next commit will hold).
#[derive(Debug, Clone)]
pub struct IndexFile {
    /// Root-relative, `/`-separated.
    pub path: String,
    pub id: ObjectId,
    pub symlink: bool,
    pub executable: bool,
    /// Unmerged: the path has conflict stages; `id` is "ours".
    pub conflicted: bool,
}

/// What git is in the middle of, when a hook runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InProgress {
    Merge,
    Rebase,
    CherryPick,
    Revert,
    Bisect,
    Other,
}

impl Git {
    /// The files of the index under the genie root, sorted by path (submodules,
    /// sparse folders and intent-to-add entries left out), and how they differ
    /// from `base`; the index is read once.
    pub fn index_files_and_changes(
        &self,
        base: &Base,
    ) -> Result<(Vec<IndexFile>, Vec<IndexChange>), GitError> {
        let index = self.open_index()?;
        let files = index.as_ref().map(|i| self.files_of(i)).unwrap_or_default();
        let changes = self.changes_of(base, index.as_ref())?;
        Ok((files, changes))
    }

    fn files_of(&self, index: &gix::index::File) -> Vec<IndexFile> {
        use gix::index::entry::{Flags, Mode, Stage};
        let mut out: Vec<IndexFile> = Vec::with_capacity(index.entries().len());
        for entry in index.entries() {
            if entry.mode.is_submodule()
                || entry.mode.is_sparse()
                || entry.flags.contains(Flags::INTENT_TO_ADD)
            {
                continue;
            }
            let path = entry.path(index);
            let Some(rel) = self.to_rel(path) else {
                continue;
            };
            let stage = entry.flags.stage();
            if stage != Stage::Unconflicted
                && let Some(last) = out.last_mut().filter(|l| l.path == rel)
            {
                last.conflicted = true;
                if stage == Stage::Ours {
                    last.id = entry.id;
                }
                continue;
            }
            out.push(IndexFile {
                path: rel,
                id: entry.id,
                symlink: entry.mode == Mode::SYMLINK,
                executable: entry.mode == Mode::FILE_EXECUTABLE,
                conflicted: stage != Stage::Unconflicted,
            });
        }
        out
    }

    /// HEAD as a base (no commit before the first one).
    pub fn head(&self) -> Result<Base, GitError> {
        match self.head_id()? {
            None => Ok(Base {
                commit: None,
                oid: None,
                described: "the empty repository (no commit yet)".into(),
            }),
            Some(id) => Ok(Base {
                commit: Some(self.commit_info(id)?),
                oid: Some(id),
                described: "HEAD".into(),
            }),
        }
    }

    /// The current branch's short name; `None` on a detached HEAD.
    pub fn branch(&self) -> Option<String> {
        let name = self.repo.head_name().ok().flatten()?;
        Some(name.shorten().to_str_lossy().into_owned())
    }

    /// An operation in progress (merge, rebase, …), if any.
    pub fn in_progress(&self) -> Option<InProgress> {
        use gix::state::InProgress as S;
        self.repo.state().map(|s| match s {
            S::Merge => InProgress::Merge,
            S::Rebase | S::RebaseInteractive | S::ApplyMailboxRebase => InProgress::Rebase,
            S::CherryPick | S::CherryPickSequence => InProgress::CherryPick,
            S::Revert | S::RevertSequence => InProgress::Revert,
            S::Bisect => InProgress::Bisect,
            _ => InProgress::Other,
        })
    }

    /// A string from git's configuration (`core.hooksPath`).
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.repo
            .config_snapshot()
            .string(key)
            .map(|v| v.to_str_lossy().into_owned())
    }

    /// The folder git runs hooks from: `core.hooksPath` (relative to the work
    /// tree's top), else `hooks/` in the common git directory.
    pub fn hooks_dir(&self) -> PathBuf {
        match self.config_string("core.hooksPath") {
            Some(p) if !p.trim().is_empty() => {
                let p = expand_home(p.trim());
                if p.is_absolute() {
                    p
                } else {
                    self.work_dir().join(p)
                }
            }
            _ => self.repo.common_dir().join("hooks"),
        }
    }

    /// The top of the work tree.
    pub fn work_dir(&self) -> PathBuf {
        self.repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.repo.git_dir().to_path_buf())
    }

    /// The git directory (`.git`, or the worktree's own one).
    pub fn git_dir(&self) -> PathBuf {
        self.repo.git_dir().to_path_buf()
    }

    /// Hash bytes as a git blob.
    pub fn hash_blob(&self, bytes: &[u8]) -> Result<ObjectId, GitError> {
        gix::objs::compute_hash(self.repo.object_hash(), gix::objs::Kind::Blob, bytes)
            .map_err(|e| GitError::other("cannot hash a blob", e))
    }
}

/// A file whose content the index and a base commit disagree on.
#[derive(Debug, Clone)]
pub struct IndexChange {
    /// Root-relative.
    pub path: String,
    /// In the base commit (`None`: added).
    pub base: Option<ObjectId>,
    /// In the index (`None`: deleted).
    pub index: Option<ObjectId>,
}

impl Git {
    fn open_index(&self) -> Result<Option<gix::index::File>, GitError> {
        let path = self.repo.index_path();
        if !path.exists() {
            return Ok(None);
        }
        // Read as git reads it, without re-hashing all of it: the hook runs on
        // every commit, and the trailing checksum costs more than the rest.
        gix::index::File::at(
            &path,
            self.repo.object_hash(),
            true,
            gix::index::decode::Options::default(),
        )
        .map(Some)
        .map_err(|e| GitError::other("cannot read the git index", e))
    }

    /// How the index differs from `base`, for the files under the genie root.
    /// Folders the index's cache-tree records as unchanged since they were
    /// written are not opened, so this costs what the change costs, not what the
    /// repository holds.
    fn changes_of(
        &self,
        base: &Base,
        index: Option<&gix::index::File>,
    ) -> Result<Vec<IndexChange>, GitError> {
        let tree = match base.oid {
            Some(oid) => Some(
                self.repo
                    .find_commit(oid)
                    .and_then(|c| c.tree_id().map(|t| t.detach()))
                    .map_err(|e| GitError::other("cannot read the base tree", e))?,
            ),
            None => None,
        };
        let mut out = Vec::new();
        let empty;
        let (index, n) = match index {
            Some(i) => (i, i.entries().len()),
            None => {
                empty = gix::index::File::from_state(
                    gix::index::State::new(self.repo.object_hash()),
                    self.repo.index_path(),
                );
                (&empty, 0)
            }
        };
        self.diff_dir(tree, index.tree(), b"", index, 0..n, &mut out)?;
        let mut changes: Vec<IndexChange> = out
            .into_iter()
            .filter_map(|(p, base, index)| {
                let rel = self.to_rel(p.as_bstr())?;
                Some(IndexChange {
                    path: rel,
                    base,
                    index,
                })
            })
            .collect();
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        changes.dedup_by(|a, b| a.path == b.path);
        Ok(changes)
    }

    #[allow(clippy::type_complexity)]
    fn diff_dir(
        &self,
        tree: Option<ObjectId>,
        cache: Option<&gix::index::extension::Tree>,
        prefix: &[u8],
        index: &gix::index::File,
        range: std::ops::Range<usize>,
        out: &mut Vec<(Vec<u8>, Option<ObjectId>, Option<ObjectId>)>,
    ) -> Result<(), GitError> {
        if let (Some(t), Some(c)) = (tree, cache)
            && c.num_entries.is_some()
            && c.id == t
        {
            return Ok(());
        }
        let entries = index.entries();
        // The index's files here, and its folders with their entries.
        let mut files: HashMap<&[u8], (ObjectId, bool)> = HashMap::new();
        let mut dirs: Vec<(&[u8], std::ops::Range<usize>)> = Vec::new();
        let mut i = range.start;
        while i < range.end {
            let path: &[u8] = entries[i].path(index);
            let rest = &path[prefix.len()..];
            match rest.iter().position(|&b| b == b'/') {
                None => {
                    let e = &entries[i];
                    let skip = e.mode.is_submodule()
                        || e.mode.is_sparse()
                        || e.flags.contains(gix::index::entry::Flags::INTENT_TO_ADD);
                    if !skip {
                        let conflicted = e.flags.stage() != gix::index::entry::Stage::Unconflicted;
                        let slot = files.entry(rest).or_insert((e.id, false));
                        slot.1 |= conflicted;
                    }
                    i += 1;
                }
                Some(k) => {
                    let name = &rest[..k];
                    let start = i;
                    let dir_len = prefix.len() + k + 1;
                    while i < range.end {
                        let p: &[u8] = entries[i].path(index);
                        if p.len() > dir_len
                            && p[..dir_len - 1] == path[..dir_len - 1]
                            && p[dir_len - 1] == b'/'
                        {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    dirs.push((name, start..i));
                }
            }
        }
        let join = |name: &[u8]| {
            let mut p = prefix.to_vec();
            p.extend_from_slice(name);
            p
        };
        let child =
            |name: &[u8]| cache.and_then(|c| c.children.iter().find(|t| t.name.as_slice() == name));
        let mut seen_dirs: Vec<&[u8]> = Vec::new();
        if let Some(t) = tree {
            let tree = self
                .repo
                .find_tree(t)
                .map_err(|e| GitError::other("cannot read a tree", e))?;
            let decoded = tree
                .decode()
                .map_err(|e| GitError::other("cannot read a tree", e))?;
            for e in &decoded.entries {
                let name: &[u8] = e.filename;
                if e.mode.is_tree() {
                    match dirs.iter().find(|(n, _)| *n == name) {
                        Some((n, r)) => {
                            seen_dirs.push(n);
                            let mut p = join(name);
                            p.push(b'/');
                            self.diff_dir(
                                Some(e.oid.to_owned()),
                                child(name),
                                &p,
                                index,
                                r.clone(),
                                out,
                            )?;
                        }
                        None => {
                            // The whole folder is gone from the index.
                            let mut p = join(name);
                            p.push(b'/');
                            self.diff_dir(Some(e.oid.to_owned()), None, &p, index, 0..0, out)?;
                        }
                    }
                } else if e.mode.is_commit() {
                    continue;
                } else {
                    match files.remove(name) {
                        Some((id, conflicted)) => {
                            if conflicted || id != e.oid {
                                out.push((join(name), Some(e.oid.to_owned()), Some(id)));
                            }
                        }
                        None => out.push((join(name), Some(e.oid.to_owned()), None)),
                    }
                }
            }
        }
        for (name, (id, _)) in files {
            out.push((join(name), None, Some(id)));
        }
        for (name, r) in &dirs {
            if !seen_dirs.contains(name) {
                let mut p = join(name);
                p.push(b'/');
                self.diff_dir(None, child(name), &p, index, r.clone(), out)?;
            }
        }
        Ok(())
    }
}

fn expand_home(p: &str) -> PathBuf {
    match p.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(rest))
            .unwrap_or_else(|| PathBuf::from(p)),
        None => PathBuf::from(p),
    }
}

/// Whether an index entry's stat data still describes the file on disk (size and
/// modification time), and the entry is not racy (written in the same second as
/// the index, when a later change could keep the same stat data).
fn stat_matches(stat: &gix::index::entry::Stat, meta: &std::fs::Metadata, stamp: i64) -> bool {
    use std::os::unix::fs::MetadataExt;
    let racy = i64::from(stat.mtime.secs) >= stamp;
    !racy
        && u64::from(stat.size) == (meta.len() & 0xffff_ffff)
        && i64::from(stat.mtime.secs) == meta.mtime()
        && (stat.mtime.nsecs == 0 || i64::from(stat.mtime.nsecs) == meta.mtime_nsec())
}
