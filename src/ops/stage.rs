//! Stages of an issue: `genie stage status|advance|abort|rethink` and the view
//! `genie docset show` prints. The profile of the issue's DocSet decides which
//! stages it passes through; the gate to leave a stage is the one `genie check`
//! applies (every artifact of that stage and the ones before it approved).

use std::collections::BTreeSet;

use serde::Serialize;

use super::{OpError, Plan, Work, require_issue_docset, usage};
use crate::check::docsets::{claims, gaps, of_type, prs_of_issue, stage_requires};
use crate::config::{Config, did_you_mean};
use crate::edit::{Op, Val};
use crate::model::Doc;
use crate::model::docset::{DocSet, State};
use crate::repo::Repo;

/// A document as the stage views show it.
#[derive(Debug, Clone, Serialize)]
pub struct DocView {
    pub doc_id: String,
    pub path: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub status: String,
    pub approved: bool,
}

impl DocView {
    fn of(d: &Doc) -> DocView {
        DocView {
            doc_id: d
                .fields
                .doc_id
                .as_ref()
                .map_or_else(|| d.path.clone(), |s| s.value.clone()),
            path: d.path.clone(),
            doc_type: d
                .fields
                .doc_type
                .as_ref()
                .map(|t| t.value.clone())
                .unwrap_or_default(),
            status: d
                .fields
                .status
                .as_ref()
                .map(|s| s.value.clone())
                .unwrap_or_default(),
            approved: d.fields.is_approved(),
        }
    }
}

/// Where a requirement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReqState {
    Approved,
    Present,
    Missing,
}

/// One required type (or set of alternatives, `epic|story`) of a stage.
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    pub types: Vec<String>,
    pub state: ReqState,
    pub docs: Vec<DocView>,
}

/// Where a stage is relative to the issue's current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    Past,
    Current,
    Ahead,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageView {
    pub name: String,
    pub description: String,
    pub position: Position,
    pub requirements: Vec<Requirement>,
    /// Linked pull requests the stage needs.
    pub prs_required: usize,
    /// Every requirement approved (and enough PRs).
    pub complete: bool,
}

/// An issue, its stages and its documents.
#[derive(Debug, Clone, Serialize)]
pub struct IssueView {
    pub issue: u64,
    pub path: String,
    pub title: Option<String>,
    pub profile: String,
    pub stage: String,
    pub state: State,
    pub stages: Vec<StageView>,
    /// The stage `advance` moves to (none at the last stage).
    pub next: Option<String>,
    /// What keeps the issue from leaving its stage (empty: `advance` passes).
    pub gate: Vec<String>,
    /// Linked documents whose type no stage of the profile requires.
    pub other_docs: Vec<DocView>,
    /// Linked pull requests.
    pub prs: usize,
}

/// The issue's DocSet with its profile and the position of its stage.
struct Located<'r> {
    ds: &'r DocSet,
    profile: String,
    stages: Vec<String>,
    pos: usize,
}

fn locate<'r>(repo: &'r Repo, issue: u64) -> Result<Located<'r>, OpError> {
    let idx = require_issue_docset(repo, issue)?;
    let ds = &repo.docsets[idx];
    let config = &repo.config;
    let profile = ds
        .file
        .profile
        .clone()
        .unwrap_or_else(|| config.default_profile.clone());
    let Some(p) = config.profiles.get(&profile) else {
        return usage(format!(
            "{}: unknown profile `{profile}`{}",
            ds.path,
            did_you_mean(&profile, config.profiles.keys())
        ));
    };
    let Some(stage) = ds.file.stage.as_deref() else {
        return usage(format!("{}: the DocSet has no `stage`", ds.path));
    };
    let Some(pos) = p.stages.iter().position(|s| s == stage) else {
        return usage(format!(
            "{}: stage `{stage}` is not a stage of profile `{profile}` ({}){}",
            ds.path,
            p.stages.join(", "),
            did_you_mean(stage, &p.stages)
        ));
    };
    Ok(Located {
        ds,
        profile,
        stages: p.stages.clone(),
        pos,
    })
}

/// Documents linked to an issue: those that name it and those its DocSet lists.
fn linked(repo: &Repo, ds: &DocSet) -> Vec<usize> {
    let Some(n) = ds.number() else {
        return Vec::new();
    };
    let mut set: BTreeSet<usize> = claims(repo)
        .get(&(ds.kind, n))
        .map(|c| c.iter().map(|x| x.0).collect())
        .unwrap_or_default();
    for e in &ds.file.docs {
        if let Some(i) = repo.docs.iter().position(|d| {
            d.fields
                .doc_id
                .as_ref()
                .is_some_and(|x| x.value == e.doc_id)
        }) {
            set.insert(i);
        }
    }
    set.into_iter().collect()
}

fn requirements(config: &Config, stage: &str, docs: &[&Doc]) -> Vec<Requirement> {
    let of = |t: &str| of_type(docs, t);
    stage_requires(config, stage, docs)
        .into_iter()
        .map(|req| {
            let types: Vec<String> = req.split('|').map(|t| t.trim().to_string()).collect();
            let found: Vec<&Doc> = types.iter().flat_map(|t| of(t)).collect();
            let state = if found.iter().any(|d| d.fields.is_approved()) {
                ReqState::Approved
            } else if found.is_empty() {
                ReqState::Missing
            } else {
                ReqState::Present
            };
            Requirement {
                types,
                state,
                docs: found.into_iter().map(DocView::of).collect(),
            }
        })
        .collect()
}

/// The view of an issue for `stage status` and `docset show`.
pub fn view(repo: &Repo, issue: u64) -> Result<IssueView, OpError> {
    let loc = locate(repo, issue)?;
    let config = &repo.config;
    let idxs = linked(repo, loc.ds);
    let docs: Vec<&Doc> = idxs.iter().map(|&i| &repo.docs[i]).collect();
    let prs = loc.ds.file.prs.len() + prs_of_issue(repo).get(&issue).copied().unwrap_or(0);
    let mut required_types: BTreeSet<String> = BTreeSet::new();
    let stages: Vec<StageView> = loc
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let reqs = requirements(config, s, &docs);
            for r in &reqs {
                required_types.extend(r.types.iter().cloned());
            }
            let def = config.stages.get(s);
            let prs_required = def.map_or(0, |d| d.requires_prs);
            StageView {
                name: s.clone(),
                description: def.map(|d| d.description.clone()).unwrap_or_default(),
                position: match i.cmp(&loc.pos) {
                    std::cmp::Ordering::Less => Position::Past,
                    std::cmp::Ordering::Equal => Position::Current,
                    std::cmp::Ordering::Greater => Position::Ahead,
                },
                complete: reqs.iter().all(|r| r.state == ReqState::Approved) && prs >= prs_required,
                requirements: reqs,
                prs_required,
            }
        })
        .collect();
    let other_docs = docs
        .iter()
        .filter(|d| {
            d.fields
                .doc_type
                .as_ref()
                .is_none_or(|t| !required_types.contains(&t.value))
        })
        .map(|d| DocView::of(d))
        .collect();
    Ok(IssueView {
        issue,
        path: loc.ds.path.clone(),
        title: loc.ds.file.title.clone(),
        profile: loc.profile.clone(),
        stage: loc.stages[loc.pos].clone(),
        state: loc.ds.file.state,
        next: loc.stages.get(loc.pos + 1).cloned(),
        gate: leave_gaps(config, &loc.stages, loc.pos, &docs, prs),
        stages,
        other_docs,
        prs,
    })
}

/// What keeps an issue at `stages[pos]` from leaving it: every artifact of this
/// stage and the ones before must be approved.
fn leave_gaps(
    config: &Config,
    stages: &[String],
    pos: usize,
    docs: &[&Doc],
    prs: usize,
) -> Vec<String> {
    stages
        .iter()
        .take(pos + 1)
        .flat_map(|s| gaps(config, s, docs, prs, true))
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct AdvanceReport {
    pub issue: u64,
    pub path: String,
    pub profile: String,
    pub from: String,
    /// The new stage; none when the issue was at its last stage and is now done.
    pub to: Option<String>,
    pub state: State,
    /// Whether the gate passed (and the DocSet was, or would be, changed).
    pub passed: bool,
    /// Every gap, when it did not pass.
    pub gaps: Vec<String>,
}

/// `genie stage advance`: to the next stage of the profile when the gate passes;
/// at the last stage the issue becomes `done`.
pub fn advance(repo: &mut Repo, issue: u64) -> Result<(AdvanceReport, Plan), OpError> {
    let v = view(repo, issue)?;
    match v.state {
        State::Abandoned => {
            return usage(format!(
                "issue #{issue} is abandoned; `genie stage rethink {issue} --to STAGE` takes it up again"
            ));
        }
        State::Done => return usage(format!("issue #{issue} is done; there is no next stage")),
        _ => {}
    }
    let mut report = AdvanceReport {
        issue,
        path: v.path.clone(),
        profile: v.profile.clone(),
        from: v.stage.clone(),
        to: v.next.clone(),
        state: v.state,
        passed: v.gate.is_empty(),
        gaps: v.gate.clone(),
    };
    let mut w = Work::new(repo);
    if report.passed {
        let ops = match &v.next {
            Some(next) => vec![Op::set("stage", Val::str(next))],
            None => {
                report.state = State::Done;
                vec![Op::set("state", Val::str("done"))]
            }
        };
        edit_docset(&mut w, &v.path, &ops)?;
    }
    Ok((report, w.plan))
}

fn edit_docset(w: &mut Work, path: &str, ops: &[Op]) -> Result<(), OpError> {
    let old = w.text(path)?;
    let new = crate::edit::edit_yaml(&old, ops).map_err(|e| OpError::Io(format!("{path}: {e}")))?;
    if new != old {
        w.plan.update(path, new);
    }
    Ok(())
}

/// A document left as it was, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Kept {
    pub doc_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AbortReport {
    pub issue: u64,
    pub path: String,
    /// Whether the issue was abandoned already (nothing to do).
    pub already: bool,
    /// Documents now `abandoned`.
    pub abandoned: Vec<String>,
    pub kept: Vec<Kept>,
    /// DocSets rewritten to match.
    pub docsets: Vec<String>,
}

/// Other issues (not abandoned) a document is linked to.
fn other_active_issues(repo: &Repo, doc: usize, issue: u64) -> Vec<u64> {
    let mut out = BTreeSet::new();
    for ds in &repo.docsets {
        if ds.kind != crate::model::docset::Kind::Issue || ds.file.state == State::Abandoned {
            continue;
        }
        let Some(n) = ds.number().filter(|&n| n != issue) else {
            continue;
        };
        if linked(repo, ds).contains(&doc) {
            out.insert(n);
        }
    }
    out.into_iter().collect()
}

fn id_of(repo: &Repo, i: usize) -> String {
    let d = &repo.docs[i];
    d.fields
        .doc_id
        .as_ref()
        .map_or_else(|| d.path.clone(), |s| s.value.clone())
}

/// Set `status` of the issue's documents in `targets` to `status`, except those
/// already retired or shared with another active issue.
fn retire(
    w: &mut Work,
    issue: u64,
    targets: &[usize],
    status: &str,
    env: &super::Env,
) -> Result<(Vec<String>, Vec<Kept>), OpError> {
    let mut done = Vec::new();
    let mut kept = Vec::new();
    for &i in targets {
        let id = id_of(w.repo, i);
        let canonical = w.repo.docs[i].fields.canonical_status.clone();
        if let Some(c) = canonical
            .as_deref()
            .filter(|c| matches!(*c, "superseded" | "obsolete" | "abandoned"))
        {
            kept.push(Kept {
                doc_id: id,
                reason: format!("already {c}"),
            });
            continue;
        }
        let others = other_active_issues(w.repo, i, issue);
        if !others.is_empty() {
            let list: Vec<String> = others.iter().map(|n| format!("#{n}")).collect();
            kept.push(Kept {
                doc_id: id,
                reason: format!("also linked to issue {}", list.join(", ")),
            });
            continue;
        }
        let mut ops = vec![Op::set("status", Val::str(status))];
        if w.repo.docs[i].fields.key_line("updated_at").is_some() {
            ops.push(Op::set("updated_at", Val::str(&env.today)));
        }
        w.edit_doc(i, &ops)?;
        done.push(id);
    }
    Ok((done, kept))
}

/// `genie stage abort`: the DocSet's state becomes `abandoned`, and so do its documents.
pub fn abort(
    repo: &mut Repo,
    env: &super::Env,
    issue: u64,
) -> Result<(AbortReport, Plan), OpError> {
    let loc = locate(repo, issue)?;
    let path = loc.ds.path.clone();
    let already = loc.ds.file.state == State::Abandoned;
    let targets = linked(repo, loc.ds);
    let mut w = Work::new(repo);
    let mut report = AbortReport {
        issue,
        path: path.clone(),
        already,
        abandoned: Vec::new(),
        kept: Vec::new(),
        docsets: Vec::new(),
    };
    let (done, kept) = retire(&mut w, issue, &targets, "abandoned", env)?;
    report.abandoned = done;
    report.kept = kept;
    edit_docset(&mut w, &path, &[Op::set("state", Val::str("abandoned"))])?;
    report.docsets = w.sync_affected(&targets)?;
    Ok((report, w.plan))
}

#[derive(Debug, Clone, Serialize)]
pub struct RethinkReport {
    pub issue: u64,
    pub path: String,
    pub from: String,
    pub to: String,
    /// Documents of the later stages, now `superseded`.
    pub superseded: Vec<String>,
    pub kept: Vec<Kept>,
    pub docsets: Vec<String>,
}

/// `genie stage rethink --to STAGE`: back to an earlier stage of the profile; the
/// documents of the stages after it become `superseded`.
pub fn rethink(
    repo: &mut Repo,
    env: &super::Env,
    issue: u64,
    to: &str,
) -> Result<(RethinkReport, Plan), OpError> {
    let loc = locate(repo, issue)?;
    let config = &repo.config;
    if !config.stages.contains_key(to) {
        return usage(format!(
            "unknown stage `{to}`{}",
            did_you_mean(to, &config.stage_order)
        ));
    }
    let Some(to_pos) = loc.stages.iter().position(|s| s == to) else {
        return usage(format!(
            "stage `{to}` is not a stage of profile `{}` ({})",
            loc.profile,
            loc.stages.join(", ")
        ));
    };
    let done = loc.ds.file.state == State::Done;
    if to_pos > loc.pos || (to_pos == loc.pos && !done && loc.ds.file.state != State::Abandoned) {
        return usage(format!(
            "issue #{issue} is at stage `{}`; rethink goes back to an earlier stage",
            loc.stages[loc.pos]
        ));
    }
    let later: Vec<&String> = loc.stages[to_pos + 1..].iter().collect();
    let targets: Vec<usize> = linked(repo, loc.ds)
        .into_iter()
        .filter(|&i| {
            repo.docs[i]
                .fields
                .doc_type
                .as_ref()
                .and_then(|t| config.stage_of_type(&t.value))
                .is_some_and(|s| later.iter().any(|l| l.as_str() == s))
        })
        .collect();
    let path = loc.ds.path.clone();
    let from = loc.stages[loc.pos].clone();
    let state_active = loc.ds.file.state != State::Active;
    let mut w = Work::new(repo);
    let (superseded, kept) = retire(&mut w, issue, &targets, "superseded", env)?;
    let mut ops = vec![Op::set("stage", Val::str(to))];
    if state_active {
        ops.push(Op::set("state", Val::str("active")));
    }
    edit_docset(&mut w, &path, &ops)?;
    let docsets = w.sync_affected(&targets)?;
    Ok((
        RethinkReport {
            issue,
            path,
            from,
            to: to.to_string(),
            superseded,
            kept,
            docsets,
        },
        w.plan,
    ))
}
