//! History from git: how a document's status (or an issue's stage and state, from
//! its DocSet file) changed, commit by commit, following renames of the file.

use serde::Serialize;

use super::impact::{old_docset, read_version, state_word};
use super::{Note, Target, TargetError, Trace, item_key};
use crate::check::Context;
use crate::model::docset::Kind;
use crate::repo::Repo;
use crate::repo::git::{CommitInfo, Git, GitError};

/// One change of the value followed.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub commit: CommitInfo,
    /// `added`, `changed`, `renamed`, `deleted`, or `boundary` (a shallow clone's
    /// oldest commit: the value then; earlier history is not in the clone).
    pub change: &'static str,
    /// The file's path in this commit (`None` when deleted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The path it had before, when the commit renamed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
    /// The value before (`None` when the file was added).
    pub old: Option<String>,
    /// The value after (`None` when the file was deleted).
    pub new: Option<String>,
}

/// `genie log --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct LogReport {
    pub version: u32,
    /// `ADR-0003`, `#27`, `PR #44`.
    pub target: String,
    /// What is followed: `status` (documents) or `stage` (issues, with the state).
    pub field: &'static str,
    /// The file followed, as it is now.
    pub path: String,
    /// Oldest first.
    pub entries: Vec<LogEntry>,
    /// Commits that changed the file without changing the value.
    pub other_commits: usize,
    /// Set when the history stops at a shallow clone's boundary while the file existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shallow_cut: Option<CommitInfo>,
    pub notes: Vec<Note>,
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// The history of what `arg` names: a doc_id, or an issue or PR in any spelling.
pub fn run(repo: &Repo, arg: &str) -> Result<LogReport, LogError> {
    let trace = Trace::build(repo);
    let target = match trace.doc_index(arg.trim()) {
        Some(_) => Target::Doc(arg.trim().to_string()),
        None => Target::parse(arg, repo.config.repository.as_deref())?,
    };
    let ctx = Context::new(&repo.config)?;
    let git = Git::open(&repo.root)?;
    match target {
        Target::Doc(id) => {
            let Some(i) = trace.doc_index(&id) else {
                return Err(TargetError(format!(
                    "no document has doc_id `{id}`{}",
                    crate::config::did_you_mean(&id, trace.index.by_id.keys())
                ))
                .into());
            };
            let path = repo.docs[i].path.clone();
            let same = |bytes: &[u8]| {
                read_version("x.md", bytes, &ctx)
                    .is_some_and(|v| v.doc.fields.doc_id.as_ref().is_some_and(|d| d.value == id))
            };
            let history = git.history(&path, &same)?;
            let value = |bytes: &Option<Vec<u8>>, p: &str| -> Option<String> {
                let v = read_version(p, bytes.as_deref()?, &ctx)?;
                v.doc.fields.status.as_ref().map(|s| s.value.clone())
            };
            Ok(report(id, "status", path, history, |c| {
                let new = value(&c.new, c.path.as_deref().unwrap_or("x.md"));
                let old = c.old.as_ref().and_then(|(p, b)| value(&Some(b.clone()), p));
                (old, new)
            }))
        }
        Target::Item(kind, n) => {
            let path = trace
                .item(kind, n)
                .and_then(|it| it.docset)
                .map(|d| repo.docsets[d].path.clone())
                .unwrap_or_else(|| {
                    let dir = repo.config.docset.dir.trim_end_matches('/');
                    match kind {
                        Kind::Issue => format!("{dir}/issues/issue-{n}.yaml"),
                        Kind::Pr => format!("{dir}/prs/pr-{n}.yaml"),
                    }
                });
            let levels = &ctx.levels;
            let parse = |p: &str, bytes: &[u8]| old_docset(p, kind, bytes, levels);
            let same = |bytes: &[u8]| {
                parse("docset.yaml", bytes).is_some_and(|f| {
                    match kind {
                        Kind::Issue => f.issue,
                        Kind::Pr => f.pr,
                    }
                    .is_some_and(|x| x.0 == n)
                })
            };
            let history = git.history(&path, &same)?;
            let value = |bytes: Option<&[u8]>, p: &str| -> Option<String> {
                let f = parse(p, bytes?)?;
                let state = state_word(f.state);
                Some(match (kind, f.stage) {
                    (Kind::Issue, Some(stage)) => format!("{stage} ({state})"),
                    _ => state.to_string(),
                })
            };
            let field = if kind == Kind::Issue {
                "stage"
            } else {
                "state"
            };
            let mut r = report(item_key(kind, n), field, path.clone(), history, |c| {
                let new = value(c.new.as_deref(), c.path.as_deref().unwrap_or(&path));
                let old = c.old.as_ref().and_then(|(p, b)| value(Some(b), p));
                (old, new)
            });
            if r.entries.is_empty() && r.shallow_cut.is_none() {
                r.notes.push(Note {
                    path: Some(r.path.clone()),
                    message: format!("no commit has a DocSet for {} at this path", r.target),
                });
            }
            Ok(r)
        }
    }
}

fn report(
    target: String,
    field: &'static str,
    path: String,
    history: crate::repo::git::History,
    mut values: impl FnMut(&crate::repo::git::FileChange) -> (Option<String>, Option<String>),
) -> LogReport {
    let mut entries = Vec::new();
    let mut other = 0;
    for c in &history.changes {
        let (old, new) = values(c);
        let old_path = c
            .old
            .as_ref()
            .map(|(p, _)| p.clone())
            .filter(|p| c.path.as_deref().is_some_and(|now| now != p));
        let change = match (&c.old, &c.new) {
            _ if c.boundary => "boundary",
            (None, _) => "added",
            (_, None) => "deleted",
            _ if old_path.is_some() => "renamed",
            _ => "changed",
        };
        if change == "changed" && old == new {
            other += 1;
            continue;
        }
        entries.push(LogEntry {
            commit: c.commit.clone(),
            change,
            path: c.path.clone(),
            old_path,
            old,
            new,
        });
    }
    let mut notes = Vec::new();
    if let Some(cut) = &history.shallow_cut_note() {
        notes.push(Note {
            path: Some(path.clone()),
            message: cut.clone(),
        });
    }
    LogReport {
        version: 1,
        target,
        field,
        path,
        entries,
        other_commits: other,
        shallow_cut: history.cut_at.clone(),
        notes,
    }
}

impl crate::repo::git::History {
    fn shallow_cut_note(&self) -> Option<String> {
        self.cut_at.as_ref().map(|c| {
            format!(
                "this is a shallow clone: history stops at {} ({}), where the file already existed; \
                 earlier changes are not in this clone (`git fetch --unshallow` fetches them)",
                c.short,
                c.date.get(..10).unwrap_or(&c.date)
            )
        })
    }
}

impl LogReport {
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn human(&self) -> String {
        let mut s = format!(
            "{} ({}): history of its {}\n",
            self.target, self.path, self.field
        );
        if self.entries.is_empty() {
            s.push_str("\nNo commit changed it.\n");
        } else {
            s.push('\n');
        }
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        for e in &self.entries {
            let date = e.commit.date.get(..10).unwrap_or(&e.commit.date);
            let change = match e.change {
                "added" => format!("added as {}", show(&e.new)),
                "boundary" => format!("{} (oldest commit in this shallow clone)", show(&e.new)),
                "deleted" => format!("deleted (was {})", show(&e.old)),
                "renamed" if e.old == e.new => format!(
                    "renamed from {} ({})",
                    e.old_path.as_deref().unwrap_or("?"),
                    show(&e.new)
                ),
                "renamed" => format!(
                    "{} → {} (renamed from {})",
                    show(&e.old),
                    show(&e.new),
                    e.old_path.as_deref().unwrap_or("?")
                ),
                _ => format!("{} → {}", show(&e.old), show(&e.new)),
            };
            s.push_str(&format!(
                "{}  {date}  {:<20}  {change}\n          {}\n",
                e.commit.short, e.commit.author, e.commit.summary
            ));
        }
        if self.other_commits > 0 {
            s.push_str(&format!(
                "\n{} other commit{} changed the file without changing its {}.\n",
                self.other_commits,
                if self.other_commits == 1 { "" } else { "s" },
                self.field
            ));
        }
        for n in &self.notes {
            s.push_str(&format!("\nnote: {}\n", n.message));
        }
        s
    }
}
