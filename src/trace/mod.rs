//! Traceability: which documents each issue and pull request has, what state it is
//! in, what ships in which release, and how documents relate.
//!
//! [`Trace::build`] reads a loaded [`Repo`] once into that picture. DocSets are used
//! where they exist, front-matter (`related_issues` / `related_prs`) alone where they
//! do not; the two are united, as the stage gate of `genie check` unites them. The
//! commands are built on it: [`matrix`] (the issue map), [`toc`] (the table of
//! contents), [`graph`] (relations), [`html`] (a report for people), and on git:
//! [`impact`] and [`log`].

pub mod generated;
pub mod graph;
pub mod html;
pub mod impact;
pub mod log;
pub mod matrix;
pub mod toc;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::check::docsets::{self, GapKind};
use crate::check::refs::Index;
use crate::model::Doc;
use crate::model::docset::{Kind, State};
use crate::repo::Repo;

/// Something odd in the input that the traceability commands worked around.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Note {
    /// Repository-relative file the note is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub message: String,
}

/// A doc_id a DocSet lists that no document has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingDoc {
    pub doc_id: String,
    /// The type the DocSet entry gives, else the one its prefix implies.
    pub doc_type: Option<String>,
}

/// How an issue or PR stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusKind {
    /// Work in progress at a stage whose gate is met.
    Active,
    /// The gate is not met, or the DocSet says `state: blocked`.
    Blocked,
    Done,
    Abandoned,
    /// Named in front-matter, but there is no DocSet.
    Untracked,
    /// The DocSet names a profile or stage that does not exist.
    Invalid,
}

impl StatusKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Active => "active",
            StatusKind::Blocked => "blocked",
            StatusKind::Done => "done",
            StatusKind::Abandoned => "abandoned",
            StatusKind::Untracked => "untracked",
            StatusKind::Invalid => "invalid",
        }
    }
}

/// The derived status of an issue or PR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub kind: StatusKind,
    /// Short: the stage, `blocked`, `done`, `abandoned`, `open`, `no DocSet`.
    pub label: String,
    /// What blocks it, in words (empty unless blocked or invalid).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'static str>,
    /// Types the gate requires with no document linked (`epic|story`: either).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Types the gate requires approved whose documents are not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unapproved: Vec<String>,
    /// Pull requests the gate requires that are not linked.
    #[serde(skip_serializing_if = "is_zero")]
    pub missing_prs: usize,
    /// The gate's findings as `genie check` words them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Status {
    fn simple(kind: StatusKind, label: &str) -> Status {
        Status {
            kind,
            label: label.to_string(),
            detail: String::new(),
            profile: None,
            stage: None,
            state: None,
            missing: Vec::new(),
            unapproved: Vec::new(),
            missing_prs: 0,
            gaps: Vec::new(),
        }
    }

    /// One line: `design`, `blocked at design: missing data-model; not approved: prd`.
    pub fn text(&self) -> String {
        if self.detail.is_empty() {
            self.label.clone()
        } else {
            format!("{}: {}", self.label, self.detail)
        }
    }
}

/// One issue or pull request.
#[derive(Debug, Clone)]
pub struct Item {
    pub kind: Kind,
    pub number: u64,
    pub title: Option<String>,
    /// Index into `repo.docsets`.
    pub docset: Option<usize>,
    /// Indexes into `repo.docs`: listed in the DocSet or naming the item in
    /// front-matter; sorted by doc_id.
    pub docs: Vec<usize>,
    /// Listed in the DocSet, but no document has the id.
    pub missing: Vec<MissingDoc>,
    /// Issue: the PRs that implement it. PR: empty.
    pub prs: Vec<u64>,
    /// PR: the issue it implements.
    pub issue: Option<u64>,
    /// Versions, newest first.
    pub releases: Vec<String>,
    pub status: Status,
}

impl Item {
    /// `#12` or `PR #44`.
    pub fn key(&self) -> String {
        item_key(self.kind, self.number)
    }

    /// `issue-12` or `pr-44`: a stable id without spaces.
    pub fn slug(&self) -> String {
        item_slug(self.kind, self.number)
    }
}

pub fn item_key(kind: Kind, number: u64) -> String {
    match kind {
        Kind::Issue => format!("#{number}"),
        Kind::Pr => format!("PR #{number}"),
    }
}

pub fn item_slug(kind: Kind, number: u64) -> String {
    match kind {
        Kind::Issue => format!("issue-{number}"),
        Kind::Pr => format!("pr-{number}"),
    }
}

/// What shipped in one release.
#[derive(Debug, Clone)]
pub struct Release {
    pub version: String,
    /// Documents whose `release.version` is this one (release notes and friends).
    pub docs: Vec<usize>,
    pub issues: Vec<u64>,
    pub prs: Vec<u64>,
    /// Documents of `trace.decision_types` linked to those issues and PRs.
    pub decisions: Vec<usize>,
}

/// Traceability over a loaded repository.
pub struct Trace<'r> {
    pub repo: &'r Repo,
    pub index: Index<'r>,
    /// Issues by number, then PRs by number.
    pub items: Vec<Item>,
    /// Newest first.
    pub releases: Vec<Release>,
    pub notes: Vec<Note>,
}

impl<'r> Trace<'r> {
    pub fn build(repo: &'r Repo) -> Trace<'r> {
        let index = Index::new(repo);
        let config = &repo.config;
        let mut notes = Vec::new();

        // DocSet files that could not be read: the work falls back to front-matter.
        let docset_dir = format!("{}/", config.docset.dir.trim_end_matches('/'));
        let mut unreadable: BTreeSet<&str> = BTreeSet::new();
        for d in &repo.diagnostics {
            if d.path.starts_with(&docset_dir) && unreadable.insert(d.path.as_str()) {
                notes.push(Note {
                    path: Some(d.path.clone()),
                    message: format!(
                        "DocSet not read ({}); front-matter is used instead; `genie check` says more",
                        d.message
                    ),
                });
            }
        }

        let mut ids: Vec<(&&str, &Vec<usize>)> =
            index.by_id.iter().filter(|(_, v)| v.len() > 1).collect();
        ids.sort();
        for (id, docs) in ids {
            notes.push(Note {
                path: Some(repo.docs[docs[1]].path.clone()),
                message: format!("duplicate doc_id {id}: {} is used", repo.docs[docs[0]].path),
            });
        }

        let claims = docsets::claims(repo);
        let mut keys: BTreeSet<(Kind, u64)> = claims.keys().copied().collect();
        let mut by_key: HashMap<(Kind, u64), usize> = HashMap::new();
        for (i, ds) in repo.docsets.iter().enumerate() {
            let Some(n) = ds.number() else { continue };
            if let Some(&first) = by_key.get(&(ds.kind, n)) {
                notes.push(Note {
                    path: Some(ds.path.clone()),
                    message: format!(
                        "a second DocSet for {}; `{}` is used",
                        item_key(ds.kind, n),
                        repo.docsets[first].path
                    ),
                });
                continue;
            }
            by_key.insert((ds.kind, n), i);
            keys.insert((ds.kind, n));
        }

        // PRs of each issue: the issue DocSet's `prs`, PR DocSets naming the issue.
        let mut prs_of: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
        for (&(kind, n), &i) in &by_key {
            let f = &repo.docsets[i].file;
            match kind {
                Kind::Issue => prs_of
                    .entry(n)
                    .or_default()
                    .extend(f.prs.iter().map(|p| p.0)),
                Kind::Pr => {
                    if let Some(issue) = f.issue {
                        prs_of.entry(issue.0).or_default().insert(n);
                    }
                }
            }
        }
        let pr_counts = docsets::prs_of_issue(repo);

        let mut items = Vec::with_capacity(keys.len());
        for (kind, number) in keys {
            let ds_idx = by_key.get(&(kind, number)).copied();
            let ds = ds_idx.map(|i| &repo.docsets[i]);
            let mut linked: BTreeSet<usize> = claims
                .get(&(kind, number))
                .map(|v| v.iter().map(|c| c.0).collect())
                .unwrap_or_default();
            let mut missing = Vec::new();
            if let Some(ds) = ds {
                for e in &ds.file.docs {
                    match index.by_id.get(e.doc_id.as_str()).and_then(|v| v.first()) {
                        Some(&i) => {
                            linked.insert(i);
                        }
                        None => {
                            notes.push(Note {
                                path: Some(ds.path.clone()),
                                message: format!(
                                    "{} lists {}, which no document has",
                                    item_key(kind, number),
                                    e.doc_id
                                ),
                            });
                            if !missing.iter().any(|m: &MissingDoc| m.doc_id == e.doc_id) {
                                missing.push(MissingDoc {
                                    doc_id: e.doc_id.clone(),
                                    doc_type: e.doc_type.clone().or_else(|| {
                                        config.type_for_id(&e.doc_id).map(str::to_string)
                                    }),
                                });
                            }
                        }
                    }
                }
            }
            let mut docs: Vec<usize> = linked.into_iter().collect();
            docs.sort_by(|&a, &b| {
                natural_cmp(doc_label(&repo.docs[a]), doc_label(&repo.docs[b]))
                    .then_with(|| repo.docs[a].path.cmp(&repo.docs[b].path))
            });
            missing.sort_by(|a, b| natural_cmp(&a.doc_id, &b.doc_id));
            let prs = match kind {
                Kind::Issue => prs_of
                    .get(&number)
                    .map(|s| s.iter().copied().collect())
                    .unwrap_or_default(),
                Kind::Pr => Vec::new(),
            };
            let status = match ds {
                None => Status::simple(StatusKind::Untracked, "no DocSet"),
                Some(ds) => {
                    let linked_docs: Vec<&Doc> = docs.iter().map(|&i| &repo.docs[i]).collect();
                    let pr_count = ds.file.prs.len() + pr_counts.get(&number).copied().unwrap_or(0);
                    derive_status(repo, ds, kind, &linked_docs, pr_count)
                }
            };
            items.push(Item {
                kind,
                number,
                title: ds.and_then(|d| d.file.title.clone()),
                docset: ds_idx,
                docs,
                missing,
                prs,
                issue: ds
                    .filter(|_| kind == Kind::Pr)
                    .and_then(|d| d.file.issue)
                    .map(|n| n.0),
                releases: Vec::new(),
                status,
            });
        }

        let releases = releases(repo, &mut items, &index);
        notes.sort();
        notes.dedup();
        Trace {
            repo,
            index,
            items,
            releases,
            notes,
        }
    }

    /// The item for an issue or PR.
    pub fn item(&self, kind: Kind, number: u64) -> Option<&Item> {
        self.items
            .iter()
            .find(|i| i.kind == kind && i.number == number)
    }

    /// The (first) document with this doc_id, as an index into `repo.docs`.
    pub fn doc_index(&self, id: &str) -> Option<usize> {
        self.index.by_id.get(id).and_then(|v| v.first().copied())
    }

    /// Items each document belongs to: doc index → item indexes.
    pub fn items_of_docs(&self) -> HashMap<usize, Vec<usize>> {
        let mut out: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, item) in self.items.iter().enumerate() {
            for &d in &item.docs {
                out.entry(d).or_default().push(i);
            }
        }
        out
    }
}

fn derive_status(
    repo: &Repo,
    ds: &crate::model::docset::DocSet,
    kind: Kind,
    docs: &[&Doc],
    prs: usize,
) -> Status {
    let config = &repo.config;
    let state = ds.file.state;
    let state_word = match state {
        State::Active => "active",
        State::Blocked => "blocked",
        State::Done => "done",
        State::Abandoned => "abandoned",
    };
    let mut status = Status::simple(StatusKind::Active, "");
    status.state = Some(state_word);
    if kind == Kind::Pr {
        let (k, label) = match state {
            State::Active => (StatusKind::Active, "open"),
            State::Blocked => (StatusKind::Blocked, "blocked"),
            State::Done => (StatusKind::Done, "done"),
            State::Abandoned => (StatusKind::Abandoned, "abandoned"),
        };
        status.kind = k;
        status.label = label.into();
        return status;
    }
    let profile_name = ds
        .file
        .profile
        .clone()
        .unwrap_or_else(|| config.default_profile.clone());
    status.profile = Some(profile_name.clone());
    status.stage = ds.file.stage.clone();
    if state == State::Abandoned {
        status.kind = StatusKind::Abandoned;
        status.label = "abandoned".into();
        return status;
    }
    let invalid = |mut s: Status, detail: String| {
        s.kind = StatusKind::Invalid;
        s.label = "invalid".into();
        s.detail = detail;
        s
    };
    let Some(profile) = config.profiles.get(&profile_name) else {
        return invalid(status, format!("unknown profile `{profile_name}`"));
    };
    let Some(stage) = ds.file.stage.clone() else {
        return invalid(status, "no stage".into());
    };
    let Some(pos) = profile.stages.iter().position(|s| *s == stage) else {
        return invalid(
            status,
            format!("stage `{stage}` is not part of profile `{profile_name}`"),
        );
    };
    let gaps = docsets::gate(config, &profile.stages, pos, state, docs, prs);
    for g in &gaps {
        match &g.kind {
            GapKind::Missing { types, .. } => status.missing.push(types.join("|")),
            GapKind::Unapproved { types, .. } => status.unapproved.push(types.join("|")),
            GapKind::PullRequests { required } => {
                status.missing_prs = required.saturating_sub(prs);
            }
        }
    }
    status.gaps = gaps.iter().map(ToString::to_string).collect();
    if !gaps.is_empty() {
        status.kind = StatusKind::Blocked;
        status.label = format!("blocked at {stage}");
        let mut parts = Vec::new();
        if !status.missing.is_empty() {
            parts.push(format!(
                "missing {}",
                status
                    .missing
                    .iter()
                    .map(|t| t.replace('|', " or "))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !status.unapproved.is_empty() {
            parts.push(format!(
                "not approved {}",
                status
                    .unapproved
                    .iter()
                    .map(|t| t.replace('|', " or "))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if status.missing_prs > 0 {
            parts.push(format!(
                "needs {} linked pull request{}",
                status.missing_prs,
                if status.missing_prs == 1 { "" } else { "s" }
            ));
        }
        status.detail = parts.join("; ");
        return status;
    }
    match state {
        State::Done => {
            status.kind = StatusKind::Done;
            status.label = "done".into();
        }
        State::Blocked => {
            status.kind = StatusKind::Blocked;
            status.label = format!("blocked at {stage}");
            status.detail = "marked blocked in the DocSet".into();
        }
        _ => status.label = stage,
    }
    status
}

/// Releases from `release.version` of documents and `release` of DocSets.
fn releases(repo: &Repo, items: &mut [Item], index: &Index) -> Vec<Release> {
    let config = &repo.config;
    let mut by_version: BTreeMap<String, (BTreeSet<usize>, BTreeSet<usize>)> = BTreeMap::new();
    // Documents → items that link them.
    let mut items_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        for &d in &item.docs {
            items_of.entry(d).or_default().push(i);
        }
    }
    for (d, doc) in repo.docs.iter().enumerate() {
        let Some(v) = doc.fields.release.as_deref().map(str::trim) else {
            continue;
        };
        if v.is_empty() {
            continue;
        }
        let entry = by_version.entry(v.to_string()).or_default();
        entry.0.insert(d);
        entry
            .1
            .extend(items_of.get(&d).into_iter().flatten().copied());
    }
    for (i, item) in items.iter().enumerate() {
        let Some(ds) = item.docset.map(|d| &repo.docsets[d]) else {
            continue;
        };
        if let Some(v) = ds
            .file
            .release
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            by_version.entry(v.to_string()).or_default().1.insert(i);
        }
    }
    // A PR's issue ships with it, and an issue's PRs with the issue.
    let mut out = Vec::new();
    for (version, (docs, members)) in by_version {
        let mut issues = BTreeSet::new();
        let mut prs = BTreeSet::new();
        for &i in &members {
            let it = &items[i];
            match it.kind {
                Kind::Issue => {
                    issues.insert(it.number);
                    prs.extend(it.prs.iter().copied());
                }
                Kind::Pr => {
                    prs.insert(it.number);
                    issues.extend(it.issue);
                }
            }
        }
        let mut decisions = BTreeSet::new();
        for it in items.iter() {
            let member = match it.kind {
                Kind::Issue => issues.contains(&it.number),
                Kind::Pr => prs.contains(&it.number),
            };
            if !member {
                continue;
            }
            for &d in &it.docs {
                let ty = repo.docs[d]
                    .fields
                    .doc_type
                    .as_ref()
                    .map(|t| t.value.as_str());
                if ty.is_some_and(|t| config.trace.decision_types.iter().any(|x| x == t)) {
                    decisions.insert(d);
                }
            }
        }
        for it in items.iter_mut() {
            let member = match it.kind {
                Kind::Issue => issues.contains(&it.number),
                Kind::Pr => prs.contains(&it.number),
            };
            if member {
                it.releases.push(version.clone());
            }
        }
        let sort = |set: BTreeSet<usize>| {
            let mut v: Vec<usize> = set.into_iter().collect();
            v.sort_by(|&a, &b| natural_cmp(doc_label(&repo.docs[a]), doc_label(&repo.docs[b])));
            v
        };
        out.push(Release {
            version,
            docs: sort(docs),
            issues: issues.into_iter().collect(),
            prs: prs.into_iter().collect(),
            decisions: sort(decisions),
        });
    }
    let _ = index;
    out.sort_by(|a, b| natural_cmp(&b.version, &a.version));
    for it in items.iter_mut() {
        it.releases.sort_by(|a, b| natural_cmp(b, a));
    }
    out
}

/// A document's doc_id, else its path.
pub fn doc_label(doc: &Doc) -> &str {
    doc.fields
        .doc_id
        .as_ref()
        .map_or(doc.path.as_str(), |s| s.value.as_str())
}

/// A document's type, when it has one.
pub fn doc_type(doc: &Doc) -> Option<&str> {
    doc.fields.doc_type.as_ref().map(|t| t.value.as_str())
}

/// A document's status as written, when it has one.
pub fn doc_status(doc: &Doc) -> Option<&str> {
    doc.fields.status.as_ref().map(|t| t.value.as_str())
}

/// Compare with runs of digits as numbers: `v1.10.0` after `v1.9.2`, `ADR-10` after `ADR-9`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let n = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let m = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (p, q) = (&x[..n], &y[..m]);
                let strip = |s: &[u8]| -> usize { s.iter().take_while(|&&c| c == b'0').count() };
                let (p2, q2) = (&p[strip(p)..], &q[strip(q)..]);
                let ord = p2.len().cmp(&q2.len()).then_with(|| p2.cmp(q2));
                if ord != Ordering::Equal {
                    return ord;
                }
                x = &x[n..];
                y = &y[m..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

/// A relative link from the file `from` to the file `to` (both repository-relative),
/// with the characters markdown links cannot carry percent-encoded.
pub fn relative_link(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = match from.rsplit_once('/') {
        Some((d, _)) => d.split('/').collect(),
        None => Vec::new(),
    };
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len().saturating_sub(1));
    let mut out: Vec<&str> = vec![".."; from_dir.len() - common];
    out.extend(&to_parts[common..]);
    let joined = out.join("/");
    let mut s = String::with_capacity(joined.len());
    for c in joined.chars() {
        match c {
            ' ' => s.push_str("%20"),
            '(' => s.push_str("%28"),
            ')' => s.push_str("%29"),
            '<' => s.push_str("%3C"),
            '>' => s.push_str("%3E"),
            '[' => s.push_str("%5B"),
            ']' => s.push_str("%5D"),
            '|' => s.push_str("%7C"),
            '#' => s.push_str("%23"),
            '?' => s.push_str("%3F"),
            '%' => s.push_str("%25"),
            c => s.push(c),
        }
    }
    s
}

/// What a command-line argument names: a document, an issue or a PR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Doc(String),
    Item(Kind, u64),
}

/// Why an argument names nothing genie can look up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TargetError(pub String);

impl Target {
    /// `ADR-0003`; an issue as `12`, `#12`, `issue-12`, `owner/repo#12` (this
    /// repository) or an issue URL; a PR as `pr-44`, `PR#44` or a pull-request URL.
    pub fn parse(s: &str, repository: Option<&str>) -> Result<Target, TargetError> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        let number = |n: &str| -> Option<u64> {
            let n = n.trim().trim_start_matches('#').trim();
            (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .then(|| n.parse().ok())
                .flatten()
                .filter(|&n| n > 0)
        };
        for (prefix, kind) in [
            ("issue-", Kind::Issue),
            ("issue", Kind::Issue),
            ("pr-", Kind::Pr),
            ("pr", Kind::Pr),
        ] {
            if let Some(n) = lower.strip_prefix(prefix).and_then(number) {
                return Ok(Target::Item(kind, n));
            }
        }
        if let Some(r) = crate::model::IssueRef::parse(t) {
            if !r.is_local(repository) {
                return Err(TargetError(format!(
                    "`{t}` names {} #{}, not this repository{}",
                    r.repo.as_deref().unwrap_or("another repository"),
                    r.number,
                    match repository {
                        Some(here) => format!(" ({here})"),
                        None => " (set `repository` in genie.toml to count it as local)".into(),
                    }
                )));
            }
            let kind = if lower.contains("/pull/")
                || lower.contains("/pulls/")
                || lower.contains("/merge_requests/")
            {
                Kind::Pr
            } else {
                Kind::Issue
            };
            return Ok(Target::Item(kind, r.number));
        }
        if t.is_empty() {
            return Err(TargetError("an empty argument names nothing".into()));
        }
        Ok(Target::Doc(t.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        assert_eq!(natural_cmp("v1.10.0", "v1.9.2"), Ordering::Greater);
        assert_eq!(natural_cmp("ADR-0002", "ADR-0010"), Ordering::Less);
        assert_eq!(natural_cmp("ADR-2", "ADR-0002"), Ordering::Greater);
        assert_eq!(natural_cmp("a", "a"), Ordering::Equal);
    }

    #[test]
    fn relative_links() {
        assert_eq!(
            relative_link("docs/_index/issue-map.md", "docs/product/prd 1.md"),
            "../product/prd%201.md"
        );
        assert_eq!(
            relative_link("docs/_index/README.md", "docs/_docset/issues/issue-1.yaml"),
            "../_docset/issues/issue-1.yaml"
        );
        assert_eq!(relative_link("map.md", "docs/a.md"), "docs/a.md");
        assert_eq!(relative_link("docs/x/y.md", "docs/x/z.md"), "z.md");
    }

    #[test]
    fn targets_in_every_spelling() {
        let here = Some("acme/shop");
        for s in [
            "12",
            "#12",
            "issue-12",
            "Issue 12",
            "acme/shop#12",
            "https://github.com/acme/shop/issues/12",
        ] {
            assert_eq!(
                Target::parse(s, here),
                Ok(Target::Item(Kind::Issue, 12)),
                "{s}"
            );
        }
        for s in ["pr-44", "PR#44", "https://github.com/acme/shop/pull/44"] {
            assert_eq!(
                Target::parse(s, here),
                Ok(Target::Item(Kind::Pr, 44)),
                "{s}"
            );
        }
        assert!(Target::parse("other/repo#12", here).is_err());
        assert_eq!(
            Target::parse("ADR-0003", here),
            Ok(Target::Doc("ADR-0003".into()))
        );
    }
}
