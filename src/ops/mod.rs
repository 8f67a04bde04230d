//! Authoring and lifecycle operations: `genie new`, `init`, `docset sync|show`,
//! `stage …` and `approve`. Each takes the loaded repository and plain options,
//! plans every file it would write, and returns a plain `Serialize` report; the
//! plan is applied only when the whole operation succeeded (and not on a dry run),
//! so bad input leaves nothing half-written.

pub mod approve;
pub mod diff;
pub mod docset;
pub mod init;
pub mod new;
pub mod slug;
pub mod stage;
pub mod write;

use std::path::Path;

use serde::Serialize;

use crate::check::Context;
use crate::check::docsets::claims;
use crate::edit::{self, Op};
use crate::model::Doc;
use crate::model::docset::{DocSet, Kind};
use crate::repo::{LoadError, Repo};
pub use write::{Action, Change, Plan};

/// Why an operation did not happen. Every kind is exit code 2 (usage,
/// configuration or I/O); a failed gate or drift is not an error but a report.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// Bad input: an unknown type, stage or profile, an id that would collide, …
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A file that cannot be read, parsed or written.
    #[error("{0}")]
    Io(String),
}

pub fn usage<T>(msg: impl Into<String>) -> Result<T, OpError> {
    Err(OpError::Usage(msg.into()))
}

/// What an operation needs from the world besides the repository: today's date and
/// who is writing. [`Env::detect`] reads them; tests pass their own.
#[derive(Debug, Clone, Serialize)]
pub struct Env {
    /// `YYYY-MM-DD`.
    pub today: String,
    pub author: String,
}

impl Env {
    /// `GENIE_TODAY` (YYYY-MM-DD) or the system clock (UTC); `GENIE_AUTHOR`, else
    /// git's `user.name`, else `$USER`.
    pub fn detect(root: &Path) -> Result<Env, OpError> {
        let today = match std::env::var("GENIE_TODAY") {
            Ok(t) if !t.is_empty() => {
                crate::model::check_date(&t)
                    .map_err(|e| OpError::Usage(format!("GENIE_TODAY: {e}")))?;
                t
            }
            _ => today_utc(),
        };
        let author = std::env::var("GENIE_AUTHOR")
            .ok()
            .filter(|a| !a.trim().is_empty())
            .or_else(|| git_user_name(root))
            .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| "unknown".to_string());
        Ok(Env {
            today,
            author: author.trim().to_string(),
        })
    }
}

fn git_user_name(root: &Path) -> Option<String> {
    let repo = gix::discover(root).ok()?;
    let name = repo.config_snapshot().string("user.name")?;
    let name = String::from_utf8_lossy(name.as_ref()).trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// Today's date (UTC) from the system clock.
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// (year, month, day) of a count of days since 1970-01-01 (proleptic Gregorian).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A loaded repository being changed: documents are re-read from their planned
/// text so that DocSets synced afterwards see the new state.
pub struct Work<'a> {
    pub repo: &'a mut Repo,
    pub plan: Plan,
}

impl<'a> Work<'a> {
    pub fn new(repo: &'a mut Repo) -> Self {
        Work {
            repo,
            plan: Plan::default(),
        }
    }

    /// Current text of a file: as planned, else as on disk.
    pub fn text(&self, rel: &str) -> Result<String, OpError> {
        if let Some(t) = self.plan.content(rel) {
            return Ok(t.to_string());
        }
        let abs = self.repo.root.join(rel);
        let bytes =
            std::fs::read(&abs).map_err(|e| OpError::Io(format!("{rel}: cannot read: {e}")))?;
        String::from_utf8(bytes).map_err(|_| OpError::Io(format!("{rel}: not valid UTF-8")))
    }

    /// Index of the document with `doc_id`; an error when none or several have it.
    pub fn find_doc(&self, doc_id: &str) -> Result<usize, OpError> {
        let hits: Vec<usize> = self
            .repo
            .docs
            .iter()
            .enumerate()
            .filter(|(_, d)| d.fields.doc_id.as_ref().is_some_and(|i| i.value == doc_id))
            .map(|(i, _)| i)
            .collect();
        match hits.as_slice() {
            [one] => Ok(*one),
            [] => {
                let ids = self
                    .repo
                    .docs
                    .iter()
                    .filter_map(|d| d.fields.doc_id.as_ref().map(|i| i.value.as_str()));
                usage(format!(
                    "no document has the doc_id `{doc_id}`{}",
                    crate::config::did_you_mean(doc_id, ids)
                ))
            }
            many => usage(format!(
                "{} documents have the doc_id `{doc_id}` ({}); fix the duplicate first",
                many.len(),
                many.iter()
                    .map(|&i| self.repo.docs[i].path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// Plan surgical edits of a document's front-matter and re-read it.
    /// Returns whether the text changed.
    pub fn edit_doc(&mut self, idx: usize, ops: &[Op]) -> Result<bool, OpError> {
        let path = self.repo.docs[idx].path.clone();
        let old = self.text(&path)?;
        let new =
            edit::edit_document(&old, ops).map_err(|e| OpError::Io(format!("{path}: {e}")))?;
        if new == old {
            return Ok(false);
        }
        self.reread(idx, &new);
        self.plan.update(&path, new);
        Ok(true)
    }

    /// Plan a new document and add it to the model.
    pub fn add_doc(&mut self, rel: &str, text: String) -> usize {
        let doc = self.parse(rel, &text);
        self.plan.create(rel, text);
        self.repo.docs.push(doc);
        self.repo.docs.len() - 1
    }

    fn reread(&mut self, idx: usize, text: &str) {
        let path = self.repo.docs[idx].path.clone();
        self.repo.docs[idx] = self.parse(&path, text);
    }

    /// Read a document's text as `genie check` would.
    pub fn parse(&self, rel: &str, text: &str) -> Doc {
        parse_doc(&self.repo.config, rel, text)
    }

    /// The issue DocSet for `number`.
    pub fn issue_docset(&self, number: u64) -> Option<usize> {
        self.repo
            .docsets
            .iter()
            .position(|d| d.kind == Kind::Issue && d.number() == Some(number))
    }

    /// Repository-relative path of the DocSet file of an issue or PR.
    pub fn docset_path(&self, kind: Kind, number: u64) -> String {
        docset_path(&self.repo.config, kind, number)
    }

    /// Plan `genie docset sync` of one DocSet: its `docs` list derived from the
    /// documents that name it. Returns whether it changed.
    pub fn sync_docset(&mut self, ds_idx: usize) -> Result<bool, OpError> {
        let ds = &self.repo.docsets[ds_idx];
        let path = ds.path.clone();
        let old = self.text(&path)?;
        let new = docset::synced_text(self.repo, ds, &old)?;
        if new == old {
            return Ok(false);
        }
        self.plan.update(&path, new);
        Ok(true)
    }

    /// Sync every DocSet that lists any of `doc_ids` or is named by them.
    pub fn sync_affected(&mut self, doc_idxs: &[usize]) -> Result<Vec<String>, OpError> {
        let claims = claims(self.repo);
        let ids: Vec<String> = doc_idxs
            .iter()
            .filter_map(|&i| {
                self.repo.docs[i]
                    .fields
                    .doc_id
                    .as_ref()
                    .map(|s| s.value.clone())
            })
            .collect();
        let mut changed = Vec::new();
        for i in 0..self.repo.docsets.len() {
            let ds: &DocSet = &self.repo.docsets[i];
            let Some(n) = ds.number() else { continue };
            let named = claims
                .get(&(ds.kind, n))
                .is_some_and(|c| c.iter().any(|(d, _, _)| doc_idxs.contains(d)));
            let lists = ds.file.docs.iter().any(|e| ids.contains(&e.doc_id));
            if (named || lists) && self.sync_docset(i)? {
                changed.push(self.repo.docsets[i].path.clone());
            }
        }
        Ok(changed)
    }
}

/// Read a document's text as `genie check` would, without collecting findings.
pub fn parse_doc(config: &crate::config::Config, rel: &str, text: &str) -> Doc {
    match Context::new(config) {
        Ok(ctx) => {
            let mut sink = crate::check::Sink::new(&ctx.levels);
            crate::repo::parse_doc(rel, text, &ctx, &mut sink)
        }
        Err(_) => Doc {
            path: rel.to_string(),
            ..Doc::default()
        },
    }
}

/// Repository-relative path of the DocSet file of an issue or PR.
pub fn docset_path(config: &crate::config::Config, kind: Kind, number: u64) -> String {
    let dir = config.docset.dir.trim_end_matches('/');
    match kind {
        Kind::Issue => format!("{dir}/issues/issue-{number}.yaml"),
        Kind::Pr => format!("{dir}/prs/pr-{number}.yaml"),
    }
}

/// The DocSet of an issue, with an error naming the file when there is none.
pub fn require_issue_docset(repo: &Repo, issue: u64) -> Result<usize, OpError> {
    if let Some(i) = repo
        .docsets
        .iter()
        .position(|d| d.kind == Kind::Issue && d.number() == Some(issue))
    {
        return Ok(i);
    }
    let path = docset_path(&repo.config, Kind::Issue, issue);
    if repo.root.join(&path).exists() {
        return Err(OpError::Io(format!(
            "{path} cannot be read as a DocSet; `genie check` says why"
        )));
    }
    usage(format!(
        "issue #{issue} has no DocSet ({path}); `genie new TYPE TITLE --issue {issue}` creates one"
    ))
}

/// Parse `123`, `#123` as an issue or PR number.
pub fn parse_number(s: &str) -> Result<u64, String> {
    let t = s.trim().trim_start_matches('#');
    match t.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "`{s}` is not an issue or PR number (write 12 or #12)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert!(crate::model::check_date(&today_utc()).is_ok());
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("#12"), Ok(12));
        assert!(parse_number("0").is_err());
        assert!(parse_number("x").is_err());
    }
}
