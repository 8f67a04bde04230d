//! Change impact: the documents and DocSets changed between a base commit and the
//! working tree (staged or not), and for each what depends on it: documents that
//! name it in `related_docs` (directly or through others), its supersede chain, the
//! issues and PRs that link it and their stage gate. An approved document whose
//! body changed while its status (and approvals) did not needs re-approval.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::Serialize;

use super::{Note, Status, Trace, doc_label, doc_status, doc_type, item_key};
use crate::check::{Context, Sink};
use crate::model::Doc;
use crate::model::docset::Kind;
use crate::model::frontmatter::{self, Split};
use crate::repo::git::{CommitInfo, Git, GitError};
use crate::repo::{LoadOptions, Repo};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Modified,
    Renamed,
    Deleted,
}

impl ChangeKind {
    pub fn word(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Modified => "modified",
            ChangeKind::Renamed => "renamed",
            ChangeKind::Deleted => "deleted",
        }
    }
}

/// A document that depends on a changed one.
#[derive(Debug, Clone, Serialize)]
pub struct Dependent {
    pub doc_id: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// 1: names the changed document itself; 2 and more: through `via`.
    pub depth: usize,
    /// The document through which it depends (depth 2 and more).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangedDoc {
    pub change: ChangeKind,
    pub path: String,
    /// The path at the base, when renamed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
    /// Status now (`None` when deleted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Status at the base (`None` when added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_status: Option<String>,
    /// Whether the text after the front-matter changed.
    pub body_changed: bool,
    /// Approved, the body changed, the status and approvals did not.
    pub needs_reapproval: bool,
    /// Documents that name it in related_docs, directly (depth 1) or through others.
    pub dependents: Vec<Dependent>,
    /// Its supersede chain, oldest first, itself included (empty when it has none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supersede_chain: Vec<String>,
    /// Issues and PRs that link it (`#27`, `PR #44`).
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangedDocSet {
    pub change: ChangeKind,
    pub path: String,
    /// `#27` or `PR #44`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// An issue or PR a change touches.
#[derive(Debug, Clone, Serialize)]
pub struct AffectedItem {
    pub key: String,
    /// `issue` or `pr`.
    pub kind: &'static str,
    pub number: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its status now, stage gate included.
    pub status: Status,
    /// The changed documents it links.
    pub changed: Vec<String>,
    /// Changed documents needing re-approval whose approval its gate relies on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gate_relies_on: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BaseInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
    /// How the base was chosen, in words.
    pub described: String,
}

/// `genie impact --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct ImpactReport {
    pub version: u32,
    pub base: BaseInfo,
    pub changed: Vec<ChangedDoc>,
    pub docsets: Vec<ChangedDocSet>,
    pub items: Vec<AffectedItem>,
    /// How many changed documents need re-approval.
    pub reapproval: usize,
    pub notes: Vec<Note>,
}

/// What can stop `impact`.
#[derive(Debug, thiserror::Error)]
pub enum ImpactError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Load(#[from] crate::repo::LoadError),
}

/// A document's version at the base, as far as genie needs it.
pub(crate) struct Version {
    pub(crate) doc: Doc,
    body: String,
    approvals: Option<serde_json::Value>,
}

pub(crate) fn read_version(path: &str, bytes: &[u8], ctx: &Context) -> Option<Version> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sink = Sink::new(&ctx.levels);
    let doc =
        crate::repo::parse_doc_with(path, text, ctx, LoadOptions { bodies: false }, &mut sink);
    let (body, approvals) = match frontmatter::split(text) {
        Split::Found {
            format,
            text: fm,
            first_line,
            body,
            ..
        } => {
            let approvals = frontmatter::parse(format, fm, first_line)
                .ok()
                .and_then(|(root, _)| root.get("approvals").map(|n| n.to_json()));
            (body, approvals)
        }
        _ => (text, None),
    };
    Some(Version {
        doc,
        body: body.replace("\r\n", "\n"),
        approvals,
    })
}

/// Whether a change from `old` to `new` needs the document approved again: it is
/// approved, its body changed, and its status and approvals did not.
pub(crate) fn reapproval_needed(old: &Version, new: &Version) -> bool {
    new.doc.fields.is_approved()
        && old.body != new.body
        && old.doc.fields.canonical_status == new.doc.fields.canonical_status
        && old.doc.fields.status.as_ref().map(|s| &s.value)
            == new.doc.fields.status.as_ref().map(|s| &s.value)
        && old.approvals == new.approvals
}

/// Measure the impact of the working tree's changes since `base` (default: the
/// merge-base with the upstream branch, else HEAD).
pub fn run(repo: &Repo, base: Option<&str>) -> Result<ImpactReport, ImpactError> {
    run_with_ids(repo, base, None)
}

/// [`run`], with the blob ids of the working tree's files when the caller has them.
fn run_with_ids(
    repo: &Repo,
    base: Option<&str>,
    known: Option<&HashMap<String, gix::ObjectId>>,
) -> Result<ImpactReport, ImpactError> {
    let git = Git::open(&repo.root)?;
    let base = git.base(base)?;
    let config = &repo.config;
    let ctx = Context::new(config).map_err(crate::repo::LoadError::from)?;
    let docset_dir = config.docset.dir.trim_end_matches('/').to_string();
    let mut dirs: Vec<&str> = config.docs.roots.iter().map(String::as_str).collect();
    dirs.push(&docset_dir);
    let base_files = git.files(&base, &dirs)?;

    let is_doc = |p: &str| {
        (p.ends_with(".md") || p.ends_with(".markdown"))
            && config
                .docs
                .roots
                .iter()
                .any(|r| p.starts_with(&format!("{}/", r.trim_end_matches('/'))))
            && !ctx.excludes.is_match(p)
    };
    let is_docset = |p: &str| {
        let Some(rest) = p.strip_prefix(&format!("{docset_dir}/")) else {
            return false;
        };
        let Some((sub, name)) = rest.split_once('/') else {
            return false;
        };
        matches!(sub, "issues" | "prs")
            && !name.contains('/')
            && (name.ends_with(".yaml") || name.ends_with(".yml"))
    };

    let now_docs: BTreeMap<&str, usize> = repo
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.path.as_str(), i))
        .collect();
    let now_docsets: BTreeMap<&str, usize> = repo
        .docsets
        .iter()
        .enumerate()
        .map(|(i, d)| (d.path.as_str(), i))
        .collect();

    // Paths present at both ends: compare blob ids.
    let both: Vec<&str> = base_files
        .keys()
        .map(String::as_str)
        .filter(|p| now_docs.contains_key(p) || now_docsets.contains_key(p))
        .collect();
    let ids = match known {
        Some(ids) => ids.clone(),
        None => git.worktree_ids(&repo.root, &both)?,
    };

    let trace = Trace::build(repo);
    let items_of = trace.items_of_docs();
    let mut notes = Vec::new();

    // Documents.
    let mut added: Vec<usize> = Vec::new();
    let mut modified: Vec<usize> = Vec::new();
    let mut deleted: Vec<(String, Option<Version>)> = Vec::new();
    for (&p, &i) in &now_docs {
        match base_files.get(p) {
            None => added.push(i),
            Some(id) if ids.get(p) != Some(id) => modified.push(i),
            Some(_) => {}
        }
    }
    for (p, id) in &base_files {
        if is_doc(p) && !now_docs.contains_key(p.as_str()) && !repo.root.join(p).exists() {
            let v = git.blob(*id).ok().and_then(|b| read_version(p, &b, &ctx));
            deleted.push((p.clone(), v));
        }
    }

    let mut changed: Vec<ChangedDoc> = Vec::new();
    let old_version = |p: &str| -> Option<Version> {
        base_files
            .get(p)
            .and_then(|id| git.blob(*id).ok())
            .and_then(|b| read_version(p, &b, &ctx))
    };
    // Renames: a deleted and an added document with the same doc_id.
    let mut renamed_from: HashMap<usize, (String, Version)> = HashMap::new();
    deleted.retain_mut(|(p, v)| {
        let Some(id) = v.as_ref().and_then(|v| v.doc.fields.doc_id.as_ref()) else {
            return true;
        };
        let target = added.iter().copied().find(|&i| {
            repo.docs[i]
                .fields
                .doc_id
                .as_ref()
                .is_some_and(|x| x.value == id.value)
                && !renamed_from.contains_key(&i)
        });
        match (target, v.take()) {
            (Some(i), Some(version)) => {
                renamed_from.insert(i, (p.clone(), version));
                false
            }
            (_, back) => {
                *v = back;
                true
            }
        }
    });
    added.retain(|i| !renamed_from.contains_key(i));

    let now_body = |d: &Doc| -> Option<Version> {
        std::fs::read(repo.root.join(&d.path))
            .ok()
            .and_then(|b| read_version(&d.path, &b, &ctx))
    };
    let mut consider = |i: usize, kind: ChangeKind, old: Option<(Option<String>, Version)>| {
        let doc = &repo.docs[i];
        let now = now_body(doc);
        let (old_path, old) = match old {
            Some((p, v)) => (p, Some(v)),
            None => (None, None),
        };
        let body_changed = match (&old, &now) {
            (Some(o), Some(n)) => o.body != n.body,
            (None, _) => true,
            (Some(_), None) => true,
        };
        let status_same = match (&old, &now) {
            (Some(o), Some(n)) => {
                o.doc.fields.canonical_status == n.doc.fields.canonical_status
                    && o.doc.fields.status.as_ref().map(|s| &s.value)
                        == n.doc.fields.status.as_ref().map(|s| &s.value)
                    && o.approvals == n.approvals
            }
            _ => false,
        };
        let needs_reapproval =
            kind != ChangeKind::Added && doc.fields.is_approved() && body_changed && status_same;
        changed.push(ChangedDoc {
            change: kind,
            path: doc.path.clone(),
            old_path,
            doc_id: doc.fields.doc_id.as_ref().map(|s| s.value.clone()),
            title: doc.fields.title.clone(),
            doc_type: doc_type(doc).map(str::to_string),
            status: doc_status(doc).map(str::to_string),
            old_status: old
                .as_ref()
                .and_then(|o| doc_status(&o.doc).map(str::to_string)),
            body_changed,
            needs_reapproval,
            dependents: Vec::new(),
            supersede_chain: Vec::new(),
            items: items_of
                .get(&i)
                .into_iter()
                .flatten()
                .map(|&it| trace.items[it].key())
                .collect(),
        });
    };
    for &i in &added {
        consider(i, ChangeKind::Added, None);
    }
    for &i in &modified {
        let p = repo.docs[i].path.clone();
        let old = old_version(&p).map(|v| (None, v));
        consider(i, ChangeKind::Modified, old);
    }
    let mut renames: Vec<(usize, (String, Version))> = renamed_from.into_iter().collect();
    renames.sort_by_key(|(i, _)| *i);
    for (i, (p, v)) in renames {
        consider(i, ChangeKind::Renamed, Some((Some(p), v)));
    }
    for (p, v) in deleted {
        let id = v
            .as_ref()
            .and_then(|v| v.doc.fields.doc_id.as_ref().map(|s| s.value.clone()));
        let items: Vec<String> = trace
            .items
            .iter()
            .filter(|it| {
                id.as_ref().is_some_and(|id| {
                    it.missing.iter().any(|m| &m.doc_id == id)
                        || it.docset.is_some_and(|d| {
                            repo.docsets[d].file.docs.iter().any(|e| &e.doc_id == id)
                        })
                })
            })
            .map(|it| it.key())
            .collect();
        changed.push(ChangedDoc {
            change: ChangeKind::Deleted,
            path: p,
            old_path: None,
            doc_id: id,
            title: v.as_ref().and_then(|v| v.doc.fields.title.clone()),
            doc_type: v
                .as_ref()
                .and_then(|v| doc_type(&v.doc).map(str::to_string)),
            status: None,
            old_status: v
                .as_ref()
                .and_then(|v| doc_status(&v.doc).map(str::to_string)),
            body_changed: true,
            needs_reapproval: false,
            dependents: Vec::new(),
            supersede_chain: Vec::new(),
            items,
        });
    }

    // What depends on each: reverse related_docs, transitively; supersede chains.
    let mut named_by: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, d) in repo.docs.iter().enumerate() {
        for r in &d.fields.related_docs {
            named_by.entry(r.value.as_str()).or_default().push(i);
        }
    }
    for c in &mut changed {
        let Some(id) = c.doc_id.clone() else { continue };
        c.dependents = dependents(repo, &named_by, &id);
        c.supersede_chain = supersede_chain(&trace, &id);
        if let Some(newer) = c.supersede_chain.last().filter(|n| **n != id)
            && c.change != ChangeKind::Deleted
        {
            notes.push(Note {
                    path: Some(c.path.clone()),
                    message: format!(
                        "{id} is superseded by {newer}: a change here does not change the current decision"
                    ),
                });
        }
        if c.change == ChangeKind::Deleted && !c.dependents.is_empty() {
            notes.push(Note {
                path: Some(c.path.clone()),
                message: format!(
                    "{id} was deleted, but {} still name it in related_docs",
                    c.dependents
                        .iter()
                        .filter(|d| d.depth == 1)
                        .map(|d| d.doc_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    changed.sort_by(|a, b| a.path.cmp(&b.path));

    // DocSets.
    let mut docsets = Vec::new();
    for (&p, &i) in &now_docsets {
        let kind = match base_files.get(p) {
            None => ChangeKind::Added,
            Some(id) if ids.get(p) != Some(id) => ChangeKind::Modified,
            Some(_) => continue,
        };
        let ds = &repo.docsets[i];
        let old = base_files
            .get(p)
            .and_then(|id| git.blob(*id).ok())
            .and_then(|b| old_docset(p, ds.kind, &b, &ctx.levels));
        docsets.push(ChangedDocSet {
            change: kind,
            path: p.to_string(),
            item: ds.number().map(|n| item_key(ds.kind, n)),
            old_stage: old.as_ref().and_then(|o| o.stage.clone()),
            stage: ds.file.stage.clone(),
            old_state: old.as_ref().map(|o| state_word(o.state).to_string()),
            state: Some(state_word(ds.file.state).to_string()),
        });
    }
    for (p, id) in &base_files {
        if is_docset(p) && !now_docsets.contains_key(p.as_str()) && !repo.root.join(p).exists() {
            let kind = if p.contains("/prs/") {
                Kind::Pr
            } else {
                Kind::Issue
            };
            let old = git
                .blob(*id)
                .ok()
                .and_then(|b| old_docset(p, kind, &b, &ctx.levels));
            docsets.push(ChangedDocSet {
                change: ChangeKind::Deleted,
                path: p.clone(),
                item: old.as_ref().and_then(|o| {
                    match kind {
                        Kind::Issue => o.issue,
                        Kind::Pr => o.pr,
                    }
                    .map(|n| item_key(kind, n.0))
                }),
                old_stage: old.as_ref().and_then(|o| o.stage.clone()),
                stage: None,
                old_state: old.as_ref().map(|o| state_word(o.state).to_string()),
                state: None,
            });
        }
    }
    docsets.sort_by(|a, b| a.path.cmp(&b.path));

    // Issues and PRs touched.
    let mut touched: BTreeMap<(Kind, u64), BTreeSet<String>> = BTreeMap::new();
    for (it_idx, it) in trace.items.iter().enumerate() {
        let _ = it_idx;
        for c in &changed {
            if c.items.contains(&it.key()) {
                touched
                    .entry((it.kind, it.number))
                    .or_default()
                    .insert(c.doc_id.clone().unwrap_or_else(|| c.path.clone()));
            }
        }
        if docsets
            .iter()
            .any(|d| d.item.as_deref() == Some(it.key().as_str()))
        {
            touched.entry((it.kind, it.number)).or_default();
        }
    }
    let items = touched
        .into_iter()
        .filter_map(|((kind, n), changed_ids)| {
            let it = trace.item(kind, n)?;
            let relies = gate_relies_on(&trace, it, &changed);
            Some(AffectedItem {
                key: it.key(),
                kind: match kind {
                    Kind::Issue => "issue",
                    Kind::Pr => "pr",
                },
                number: n,
                title: it.title.clone(),
                status: it.status.clone(),
                changed: changed_ids.into_iter().collect(),
                gate_relies_on: relies,
            })
        })
        .collect();

    let reapproval = changed.iter().filter(|c| c.needs_reapproval).count();
    notes.sort();
    notes.dedup();
    Ok(ImpactReport {
        version: 1,
        base: BaseInfo {
            commit: base.commit.clone(),
            described: base.described.clone(),
        },
        changed,
        docsets,
        items,
        reapproval,
        notes,
    })
}

pub(crate) fn state_word(s: crate::model::docset::State) -> &'static str {
    use crate::model::docset::State;
    match s {
        State::Active => "active",
        State::Blocked => "blocked",
        State::Done => "done",
        State::Abandoned => "abandoned",
    }
}

pub(crate) fn old_docset(
    path: &str,
    kind: Kind,
    bytes: &[u8],
    levels: &crate::check::rules::Levels,
) -> Option<crate::model::docset::DocSetFile> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut sink = Sink::new(levels);
    let name = path.rsplit('/').next().unwrap_or(path);
    let n = crate::model::docset::parse_file_name(kind, name);
    crate::repo::parse_docset(path, kind, n, text, &mut sink).map(|d| d.file)
}

/// Documents naming `id` in related_docs, then those naming them, and so on
/// (breadth first, each once: cycles end there).
fn dependents(repo: &Repo, named_by: &HashMap<&str, Vec<usize>>, id: &str) -> Vec<Dependent> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    seen.insert(id);
    let mut queue: VecDeque<(&str, usize, Option<&str>)> = VecDeque::new();
    queue.push_back((id, 0, None));
    while let Some((cur, depth, _)) = queue.pop_front() {
        let mut next: Vec<usize> = named_by.get(cur).cloned().unwrap_or_default();
        next.sort_by(|&a, &b| {
            super::natural_cmp(doc_label(&repo.docs[a]), doc_label(&repo.docs[b]))
        });
        for i in next {
            let d = &repo.docs[i];
            let Some(did) = d.fields.doc_id.as_ref().map(|s| s.value.as_str()) else {
                continue;
            };
            if !seen.insert(did) {
                continue;
            }
            out.push(Dependent {
                doc_id: did.to_string(),
                path: d.path.clone(),
                title: d.fields.title.clone(),
                status: doc_status(d).map(str::to_string),
                depth: depth + 1,
                via: (depth > 0).then(|| cur.to_string()),
            });
            queue.push_back((did, depth + 1, Some(cur)));
        }
    }
    out
}

/// The supersede chain through `id`, oldest first (empty when it has none).
fn supersede_chain(trace: &Trace, id: &str) -> Vec<String> {
    let repo = trace.repo;
    let fields = |x: &str| trace.doc_index(x).map(|i| &repo.docs[i].fields);
    let older = |x: &str| -> Option<String> {
        let f = fields(x)?;
        f.supersedes.first().map(|s| s.value.clone()).or_else(|| {
            repo.docs
                .iter()
                .find(|d| d.fields.superseded_by.iter().any(|s| s.value == x))
                .and_then(|d| d.fields.doc_id.as_ref().map(|s| s.value.clone()))
        })
    };
    let newer = |x: &str| -> Option<String> {
        let f = fields(x)?;
        f.superseded_by
            .first()
            .map(|s| s.value.clone())
            .or_else(|| {
                repo.docs
                    .iter()
                    .find(|d| d.fields.supersedes.iter().any(|s| s.value == x))
                    .and_then(|d| d.fields.doc_id.as_ref().map(|s| s.value.clone()))
            })
    };
    let mut before = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    seen.insert(id.to_string());
    let mut cur = id.to_string();
    while let Some(o) = older(&cur) {
        if !seen.insert(o.clone()) {
            break;
        }
        before.push(o.clone());
        cur = o;
    }
    let mut after = Vec::new();
    cur = id.to_string();
    while let Some(n) = newer(&cur) {
        if !seen.insert(n.clone()) {
            break;
        }
        after.push(n.clone());
        cur = n;
    }
    if before.is_empty() && after.is_empty() {
        return Vec::new();
    }
    before.reverse();
    before.push(id.to_string());
    before.extend(after);
    before
}

/// Changed documents needing re-approval whose approval the item's gate relies on:
/// their type is required by a stage before the current one (or by the current one
/// when the item is done).
fn gate_relies_on(trace: &Trace, item: &super::Item, changed: &[ChangedDoc]) -> Vec<String> {
    let config = &trace.repo.config;
    let Some(ds) = item.docset.map(|d| &trace.repo.docsets[d]) else {
        return Vec::new();
    };
    if item.kind != Kind::Issue {
        return Vec::new();
    }
    let profile = ds
        .file
        .profile
        .as_deref()
        .unwrap_or(&config.default_profile);
    let Some(profile) = config.profiles.get(profile) else {
        return Vec::new();
    };
    let Some(pos) = ds
        .file
        .stage
        .as_deref()
        .and_then(|s| profile.stages.iter().position(|x| x == s))
    else {
        return Vec::new();
    };
    let upto = if ds.file.state == crate::model::docset::State::Done {
        pos + 1
    } else {
        pos
    };
    let gated: BTreeSet<&str> = profile.stages[..upto]
        .iter()
        .filter_map(|s| config.stages.get(s))
        .flat_map(|s| s.requires.iter().chain(&s.requires_on_incident))
        .flat_map(|r| r.split('|').map(str::trim))
        .collect();
    changed
        .iter()
        .filter(|c| c.needs_reapproval && c.items.contains(&item.key()))
        .filter(|c| c.doc_type.as_deref().is_some_and(|t| gated.contains(t)))
        .filter_map(|c| c.doc_id.clone())
        .collect()
}

/// Load the repository as `impact` needs it (front-matter only) and run it.
pub fn load_and_run(
    root: &std::path::Path,
    config: crate::config::Config,
    base: Option<&str>,
) -> Result<ImpactReport, ImpactError> {
    // In a git work tree, unchanged files come from the metadata cache.
    match Git::open(root) {
        Ok(git) => {
            let (repo, ids) = crate::repo::index::load_worktree(root, config, &git)?;
            run_with_ids(&repo, base, Some(&ids))
        }
        Err(_) => run(
            &Repo::load_with(root, config, LoadOptions { bodies: false })?,
            base,
        ),
    }
}

impl ImpactReport {
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Human-readable text.
    pub fn human(&self) -> String {
        let mut s = String::new();
        let since = match &self.base.commit {
            Some(c) => format!("{} ({})", c.short, self.base.described),
            None => self.base.described.clone(),
        };
        if self.changed.is_empty() && self.docsets.is_empty() {
            s.push_str(&format!("No document or DocSet changed since {since}.\n"));
            return s;
        }
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        s.push_str(&format!(
            "Changed since {since}: {} and {}.\n",
            plural(self.changed.len(), "document", "documents"),
            plural(self.docsets.len(), "DocSet", "DocSets")
        ));
        for c in &self.changed {
            s.push('\n');
            let what = match (&c.doc_id, &c.title) {
                (Some(id), Some(t)) => format!("{id} \"{t}\""),
                (Some(id), None) => id.clone(),
                (None, _) => "(no doc_id)".into(),
            };
            let status = match (&c.old_status, &c.status) {
                (Some(o), Some(n)) if o != n => format!(" ({o} → {n})"),
                (_, Some(n)) => format!(" ({n})"),
                (Some(o), None) => format!(" (was {o})"),
                (None, None) => String::new(),
            };
            s.push_str(&format!(
                "{:<9} {}  {what}{status}\n",
                c.change.word(),
                c.path
            ));
            if let Some(old) = &c.old_path {
                s.push_str(&format!("          from {old}\n"));
            }
            if c.needs_reapproval {
                s.push_str(
                    "  ! needs re-approval: the body changed, the status and approvals did not\n",
                );
            }
            if c.supersede_chain.len() > 1 {
                s.push_str(&format!(
                    "  supersede chain: {}\n",
                    c.supersede_chain.join(" → ")
                ));
            }
            let direct: Vec<&str> = c
                .dependents
                .iter()
                .filter(|d| d.depth == 1)
                .map(|d| d.doc_id.as_str())
                .collect();
            if !direct.is_empty() {
                s.push_str(&format!(
                    "  named in related_docs of: {}\n",
                    direct.join(", ")
                ));
            }
            let indirect = c.dependents.len() - direct.len();
            if indirect > 0 {
                let deepest = c.dependents.iter().map(|d| d.depth).max().unwrap_or(0);
                s.push_str(&format!(
                    "  and through them: {} (up to {deepest} steps away; --format json lists them)\n",
                    plural(indirect, "more document", "more documents")
                ));
            }
            if !c.items.is_empty() {
                s.push_str(&format!("  linked to: {}\n", c.items.join(", ")));
            }
        }
        for d in &self.docsets {
            s.push('\n');
            let mut what = d.item.clone().unwrap_or_default();
            match (&d.old_stage, &d.stage) {
                (Some(o), Some(n)) if o != n => what.push_str(&format!(": stage {o} → {n}")),
                (None, Some(n)) => what.push_str(&format!(": stage {n}")),
                _ => {}
            }
            match (&d.old_state, &d.state) {
                (Some(o), Some(n)) if o != n => what.push_str(&format!(", state {o} → {n}")),
                _ => {}
            }
            s.push_str(&format!("{:<9} {}  {what}\n", d.change.word(), d.path));
        }
        if !self.items.is_empty() {
            s.push_str("\nIssues and pull requests affected:\n");
            for it in &self.items {
                let title = it
                    .title
                    .as_deref()
                    .map(|t| format!(" {t}"))
                    .unwrap_or_default();
                s.push_str(&format!("  {}{title}: {}\n", it.key, it.status.text()));
                if !it.gate_relies_on.is_empty() {
                    s.push_str(&format!(
                        "    its stage gate relies on the approval of {}\n",
                        it.gate_relies_on.join(", ")
                    ));
                }
            }
        }
        for n in &self.notes {
            s.push_str(&format!("\nnote: {}", n.message));
            if let Some(p) = &n.path {
                s.push_str(&format!(" ({p})"));
            }
            s.push('\n');
        }
        s.push('\n');
        if self.reapproval > 0 {
            s.push_str(&format!(
                "{} re-approval.\n",
                plural(self.reapproval, "document needs", "documents need")
            ));
        } else {
            s.push_str("No approved document changed without a status change.\n");
        }
        s
    }
}
