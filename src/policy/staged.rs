//! `genie policy check --staged` and the pre-commit hook: judge what the next
//! commit will hold — the git index, read with gix — never the working tree, and
//! never change either.
//!
//! - Documents: every document rule, cross-document ones included, over the
//!   repository as staged (from the metadata cache, so only changed files are
//!   parsed). Findings are reported in the staged files, and elsewhere when the
//!   staged change breaks something there (a doc_id or a file that is gone).
//! - An approved document whose body changed without a status change.
//! - Secrets in the lines the commit adds.
//! - A commit straight onto a protected branch.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use gix::ObjectId;

use super::commit::{is_protected_in, protected_set};
use super::secrets::Scanner;
use crate::check::{self, Context, Sink, rules};
use crate::config::Config;
use crate::repo::git::{Git, InProgress};
use crate::repo::{LoadError, index};
use crate::report::{Diagnostic, Report};
use crate::trace::impact::{read_version, reapproval_needed};

/// How a file differs between HEAD and the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Modified,
    Deleted,
}

/// One staged file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Staged {
    pub path: String,
    pub change: Change,
}

/// The outcome of checking the staged changes.
#[derive(Debug)]
pub struct Outcome {
    pub report: Report,
    pub staged: Vec<Staged>,
    /// Things worth saying that are not findings (a skipped binary file, a merge in progress).
    pub notes: Vec<String>,
    /// Documents and DocSets answered from the cache, and parsed afresh.
    pub cached: usize,
    pub parsed: usize,
    /// Time spent in each phase, for `-v`.
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

/// Why the staged changes could not be checked at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum StagedError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("{0}")]
    Git(String),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

impl From<crate::repo::git::GitError> for StagedError {
    fn from(e: crate::repo::git::GitError) -> Self {
        StagedError::Git(e.message)
    }
}

/// Check the changes staged in the git repository around `root`.
pub fn check(root: &Path, config: Config, git: &Git) -> Result<Outcome, StagedError> {
    let mut phases = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str, phases: &mut Vec<(&'static str, std::time::Duration)>| {
        phases.push((name, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let scanner = Scanner::new(&config.policy, root)?;
    let protected = protected_set(&config.policy)?;
    let head = git.head()?;
    lap("setup", &mut phases);
    let (files, changes) = git.index_files_and_changes(&head)?;
    lap("the index and HEAD", &mut phases);
    let mut notes = Vec::new();

    // What the commit changes.
    let conflicted: HashSet<&str> = files
        .iter()
        .filter(|f| f.conflicted)
        .map(|f| f.path.as_str())
        .collect();
    let head_files: HashMap<&str, ObjectId> = changes
        .iter()
        .filter_map(|c| Some((c.path.as_str(), c.base?)))
        .collect();
    let mut staged: Vec<Staged> = Vec::new();
    let mut new_ids: HashMap<&str, ObjectId> = HashMap::new();
    let mut deleted: Vec<&str> = Vec::new();
    for c in &changes {
        if conflicted.contains(c.path.as_str()) {
            notes.push(format!("{}: unmerged (conflicts): not checked", c.path));
            continue;
        }
        let change = match (c.base, c.index) {
            (None, Some(_)) => Change::Added,
            (Some(_), Some(_)) => Change::Modified,
            (Some(_), None) => Change::Deleted,
            (None, None) => continue,
        };
        if let Some(id) = c.index {
            new_ids.insert(c.path.as_str(), id);
        }
        if change == Change::Deleted {
            deleted.push(c.path.as_str());
        }
        staged.push(Staged {
            path: c.path.clone(),
            change,
        });
    }
    staged.sort_by(|a, b| a.path.cmp(&b.path));

    // What the change takes away (ids and paths other files may still name), and
    // approved documents edited without a new approval.
    let levels = rules::Levels::new(&config);
    let mut sink = Sink::new(&levels);
    let ctx = Context::new(&config)?;
    let mut lost: BTreeSet<String> = BTreeSet::new();
    for s in &staged {
        if s.change == Change::Added {
            continue;
        }
        if s.change == Change::Deleted {
            lost.insert(s.path.clone());
        }
        if !(s.path.ends_with(".md") || s.path.ends_with(".markdown")) {
            continue;
        }
        let Some(old) = head_files
            .get(s.path.as_str())
            .and_then(|id| git.blob(*id).ok())
            .and_then(|b| read_version(&s.path, &b, &ctx))
        else {
            continue;
        };
        let new = new_ids
            .get(s.path.as_str())
            .and_then(|id| git.blob(*id).ok())
            .and_then(|b| read_version(&s.path, &b, &ctx));
        let new_id = new
            .as_ref()
            .and_then(|n| n.doc.fields.doc_id.as_ref())
            .map(|i| i.value.as_str());
        if let Some(id) = &old.doc.fields.doc_id
            && new_id != Some(id.value.as_str())
        {
            lost.insert(id.value.clone());
        }
        if let Some(new) = new.filter(|n| reapproval_needed(&old, n)) {
            let (line, col) = new
                .doc
                .fields
                .status
                .as_ref()
                .map_or((1, 1), |st| (st.line, st.col));
            let shown = new
                .doc
                .fields
                .doc_id
                .as_ref()
                .map_or(s.path.as_str(), |d| d.value.as_str());
            sink.emit(
                rules::APPROVED_EDITED,
                &s.path,
                line,
                col,
                format!("{shown} is approved and its body changed, but its status did not"),
            );
        }
    }
    lap("staged versions", &mut phases);

    // Every document rule over the part of the repository the change can affect.
    let around = index::Around {
        changed: staged
            .iter()
            .filter(|s| s.change != Change::Deleted)
            .map(|s| s.path.clone())
            .collect(),
        lost_ids: lost.iter().filter(|l| !l.contains('/')).cloned().collect(),
        lost_paths: deleted.iter().map(|p| p.to_string()).collect(),
    };
    let loaded = index::load_around(root, &ctx, git, &files, &around)?;
    if let Some(e) = &loaded.cache_error {
        notes.push(e.clone());
    }
    lap("documents around the change", &mut phases);
    let repo = &loaded.repo;
    // Links of the staged documents only, unless a file is gone: then links to
    // it anywhere are broken.
    let opts = check::Options {
        links_of: deleted
            .is_empty()
            .then(|| around.changed.iter().cloned().collect()),
        ..Default::default()
    };
    let full = check::run(repo, &ctx, &opts);
    lap("document rules", &mut phases);

    let changed: HashSet<&str> = staged
        .iter()
        .filter(|s| s.change != Change::Deleted)
        .map(|s| s.path.as_str())
        .collect();
    let breaks_elsewhere = |d: &Diagnostic| {
        matches!(
            d.code,
            "G0301" | "G0302" | "G0401" | "G0402" | "G0505" | "G0506"
        ) && lost.iter().any(|l| mentions(&d.message, l))
    };
    let mut diagnostics: Vec<Diagnostic> = full
        .diagnostics
        .into_iter()
        .filter(|d| changed.contains(d.path.as_str()) || breaks_elsewhere(d))
        .collect();

    // Secrets in added lines.
    for s in &staged {
        if s.change == Change::Deleted || scanner.excluded(&s.path) {
            continue;
        }
        let Some(f) = files.iter().find(|f| f.path == s.path) else {
            continue;
        };
        if f.symlink {
            continue;
        }
        let new = match git.blob(f.id) {
            Ok(b) => b,
            Err(e) => {
                notes.push(format!("{}: {e}", s.path));
                continue;
            }
        };
        if new.len() as u64 > repo.config.policy.max_scan_bytes {
            notes.push(format!(
                "{}: {} bytes, larger than policy.max_scan_bytes: not scanned for secrets",
                s.path,
                new.len()
            ));
            continue;
        }
        if is_binary(&new) {
            continue;
        }
        let old = match head_files.get(s.path.as_str()) {
            Some(id) => git.blob(*id).unwrap_or_default(),
            None => Vec::new(),
        };
        let new_text = String::from_utf8_lossy(&new);
        let old_text = String::from_utf8_lossy(&old);
        let lines = added_lines(&old_text, &new_text);
        scanner.scan(&s.path, &lines, &mut sink);
    }

    lap("secrets", &mut phases);
    // Straight onto a protected branch (not while finishing a merge or rebase,
    // whose commits come from elsewhere, nor for the very first commit).
    match git.in_progress() {
        Some(InProgress::Merge) => notes.push("a merge is in progress: checking its result".into()),
        Some(InProgress::Rebase) => notes.push("a rebase is in progress".into()),
        _ => {
            if head.commit.is_some()
                && let Some(branch) = git.branch()
                && is_protected_in(&protected, &branch)
            {
                sink.emit(
                    rules::PROTECTED_BRANCH,
                    "HEAD",
                    1,
                    1,
                    format!("committing straight onto the protected branch `{branch}`"),
                );
            }
        }
    }

    diagnostics.extend(sink.into_vec());
    let mut report = Report {
        docs: loaded.docs_in_index,
        diagnostics,
    };
    report.normalize();
    Ok(Outcome {
        report,
        staged,
        notes,
        cached: loaded.cached,
        parsed: loaded.parsed,
        phases,
    })
}

/// Whether `message` names `what` as a whole word (an id or a path).
fn mentions(message: &str, what: &str) -> bool {
    message.match_indices(what).any(|(i, _)| {
        let word = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '/');
        let before = message[..i].chars().next_back();
        let mut after = message[i + what.len()..].chars();
        let ends = match after.next() {
            None => true,
            // `docs/a.md.bak` goes on; a sentence's full stop does not.
            Some('.') => after.next().is_none_or(|c| !word(c)),
            Some(c) => !word(c),
        };
        before.is_none_or(|c| !word(c)) && ends
    })
}

/// Git's rule of thumb: a NUL byte in the first 8,000 bytes means binary.
fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8000)]).is_some()
}

/// The lines of `new` that are not in `old`, by a line diff: (1-based line, text).
pub fn added_lines<'a>(old: &str, new: &'a str) -> Vec<(u32, &'a str)> {
    use gix::diff::blob::{Algorithm, Diff, InternedInput};
    let new_lines: Vec<&str> = split_lines(new);
    if old.is_empty() {
        return new_lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i as u32 + 1, *l))
            .collect();
    }
    let old_lines: Vec<&str> = split_lines(old);
    let mut input: InternedInput<&str> = InternedInput::default();
    input.update_before(old_lines.iter().copied());
    input.update_after(new_lines.iter().copied());
    let diff = Diff::compute(Algorithm::Histogram, &input);
    let mut out = Vec::new();
    for h in diff.hunks() {
        for i in h.after {
            if let Some(l) = new_lines.get(i as usize) {
                out.push((i + 1, *l));
            }
        }
    }
    out
}

fn split_lines(text: &str) -> Vec<&str> {
    let mut v: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if text.ends_with('\n') {
        v.pop();
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_are_the_new_ones_only() {
        assert_eq!(added_lines("", "a\nb\n"), vec![(1, "a"), (2, "b")]);
        assert_eq!(
            added_lines("a\nb\nc\n", "a\nx\nb\nc\ny"),
            vec![(2, "x"), (5, "y")]
        );
        assert_eq!(added_lines("a\r\nb\r\n", "a\r\nB\r\n"), vec![(2, "B")]);
        assert!(added_lines("same\n", "same\n").is_empty());
    }

    #[test]
    fn mentions_whole_words_only() {
        assert!(mentions(
            "names ADR-0001, which no document has",
            "ADR-0001"
        ));
        assert!(!mentions("names ADR-00012", "ADR-0001"));
        assert!(mentions("`docs/a.md` does not exist", "docs/a.md"));
        assert!(!mentions("docs/a.md.bak", "docs/a.md"));
    }

    #[test]
    fn binary_is_a_nul_byte_early_on() {
        assert!(is_binary(b"PNG\0\x01"));
        assert!(!is_binary("текст".as_bytes()));
    }
}
