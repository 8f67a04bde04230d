//! `genie docset sync` and `genie docset show`.
//!
//! Sync derives a DocSet's `docs` from the documents whose front-matter names the
//! issue (`related_issues`) or PR (`related_prs`), sorted by the stage order of
//! each document's type, then doc_id; every other field of the file is kept as
//! written. The output is deterministic: syncing twice changes nothing.

use serde::Serialize;

use super::{OpError, Plan, Work, diff, require_issue_docset};
use crate::check::docsets::claims;
use crate::edit::{self, Op, Val};
use crate::model::docset::{DocSet, Entry, Kind};
use crate::repo::Repo;

/// The entries sync writes for the issue or PR `(kind, number)`.
pub fn entries(repo: &Repo, kind: Kind, number: u64) -> Vec<Entry> {
    let claims = claims(repo);
    let config = &repo.config;
    let mut out: Vec<(usize, Entry)> = Vec::new();
    for &(i, _, _) in claims
        .get(&(kind, number))
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let d = &repo.docs[i];
        let Some(id) = &d.fields.doc_id else { continue };
        let ty = d.fields.doc_type.as_ref().map(|t| t.value.clone());
        let order = ty
            .as_deref()
            .and_then(|t| config.stage_of_type(t))
            .and_then(|s| config.stage_order.iter().position(|o| o == s))
            .unwrap_or(usize::MAX);
        out.push((
            order,
            Entry {
                doc_id: id.value.clone(),
                path: Some(d.path.clone()),
                doc_type: ty,
                status: d.fields.status.as_ref().map(|s| s.value.clone()),
            },
        ));
    }
    out.sort_by(|a, b| (a.0, &a.1.doc_id, &a.1.path).cmp(&(b.0, &b.1.doc_id, &b.1.path)));
    out.dedup_by(|a, b| a.1.doc_id == b.1.doc_id);
    out.into_iter().map(|(_, e)| e).collect()
}

fn entry_val(e: &Entry) -> Val {
    let mut m = vec![("doc_id".to_string(), Val::str(&e.doc_id))];
    if let Some(p) = &e.path {
        m.push(("path".into(), Val::str(p)));
    }
    if let Some(t) = &e.doc_type {
        m.push(("type".into(), Val::str(t)));
    }
    if let Some(s) = &e.status {
        m.push(("status".into(), Val::str(s)));
    }
    Val::Map(m)
}

/// The text of a DocSet file after sync: `docs` rewritten, everything else kept.
pub fn synced_text(repo: &Repo, ds: &DocSet, old: &str) -> Result<String, OpError> {
    let Some(number) = ds.number() else {
        return Err(OpError::Io(format!(
            "{}: the DocSet names no issue or PR",
            ds.path
        )));
    };
    synced_text_for(repo, ds.kind, number, &ds.path, old)
}

pub(crate) fn synced_text_for(
    repo: &Repo,
    kind: Kind,
    number: u64,
    path: &str,
    old: &str,
) -> Result<String, OpError> {
    let items: Vec<Val> = entries(repo, kind, number).iter().map(entry_val).collect();
    edit::edit_yaml(old, &[Op::set("docs", Val::Block(items))])
        .map_err(|e| OpError::Io(format!("{path}: {e}")))
}

/// The text of a new issue DocSet: default profile, its first stage, the documents
/// that name the issue.
pub fn new_issue_docset(repo: &Repo, number: u64) -> Result<(String, String, String), OpError> {
    let config = &repo.config;
    let profile = config.default_profile.clone();
    let stage = config
        .profiles
        .get(&profile)
        .and_then(|p| p.stages.first().cloned())
        .ok_or_else(|| {
            OpError::Usage(format!("profile `{profile}` has no stages; fix genie.toml"))
        })?;
    let path = super::docset_path(config, Kind::Issue, number);
    let skeleton = format!(
        "issue: {number}\nprofile: {}\nstage: {}\nstate: active\ndocs: []\n",
        edit::quote(&profile),
        edit::quote(&stage)
    );
    let text = synced_text_for(repo, Kind::Issue, number, &path, &skeleton)?;
    Ok((text, profile, stage))
}

/// Which DocSets to sync.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Issue(u64),
    All,
}

/// One DocSet looked at by sync.
#[derive(Debug, Clone, Serialize)]
pub struct Synced {
    pub path: String,
    pub kind: &'static str,
    pub number: u64,
    /// Whether the file is (or, with `--check`, would be) rewritten.
    pub changed: bool,
    /// doc_ids sync adds to the list.
    pub added: Vec<String>,
    /// doc_ids sync removes from the list.
    pub removed: Vec<String>,
    /// Entries whose path, type or status sync corrects.
    pub updated: Vec<String>,
    /// The difference, when changed.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub diff: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    pub docsets: Vec<Synced>,
    /// Whether any DocSet is not what sync writes.
    pub drift: bool,
    pub check: bool,
    pub dry_run: bool,
}

/// Plan `genie docset sync`. With `check`, nothing is planned; `drift` tells.
pub fn sync(
    repo: &mut Repo,
    target: Target,
    check: bool,
    dry_run: bool,
) -> Result<(SyncReport, Plan), OpError> {
    let indexes: Vec<usize> = match target {
        Target::Issue(n) => vec![require_issue_docset(repo, n)?],
        Target::All => (0..repo.docsets.len()).collect(),
    };
    let mut w = Work::new(repo);
    let mut out = Vec::new();
    for i in indexes {
        let ds = &w.repo.docsets[i];
        let Some(number) = ds.number() else { continue };
        let old = w.text(&ds.path)?;
        let new = synced_text(w.repo, ds, &old)?;
        let fresh = entries(w.repo, ds.kind, number);
        let before = &ds.file.docs;
        let added = fresh
            .iter()
            .filter(|e| !before.iter().any(|b| b.doc_id == e.doc_id))
            .map(|e| e.doc_id.clone())
            .collect();
        let removed = before
            .iter()
            .filter(|b| !fresh.iter().any(|e| e.doc_id == b.doc_id))
            .map(|b| b.doc_id.clone())
            .collect();
        let updated = fresh
            .iter()
            .filter(|e| before.iter().any(|b| b.doc_id == e.doc_id && b != *e))
            .map(|e| e.doc_id.clone())
            .collect();
        let changed = new != old;
        let path = ds.path.clone();
        out.push(Synced {
            diff: if changed {
                diff::unified(&path, &old, &new, 2)
            } else {
                String::new()
            },
            kind: if ds.kind == Kind::Issue {
                "issue"
            } else {
                "pr"
            },
            number,
            path: path.clone(),
            changed,
            added,
            removed,
            updated,
        });
        if changed && !check {
            w.plan.update(&path, new);
        }
    }
    let drift = out.iter().any(|s| s.changed);
    let plan = std::mem::take(&mut w.plan);
    Ok((
        SyncReport {
            docsets: out,
            drift,
            check,
            dry_run,
        },
        plan,
    ))
}
