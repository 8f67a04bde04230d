//! DocSet rules: names, stages and profiles, the listed documents, and the stage gate.

use std::collections::{BTreeSet, HashMap};

use crate::check::refs::Index;
use crate::check::{Context, Sink, rules};
use crate::config::{Config, did_you_mean};
use crate::model::Doc;
use crate::model::docset::{DocSet, Kind, State};
use crate::repo::Repo;
use crate::report::Related;

/// Documents that name an issue (or PR) in their front-matter: (doc index, line, col).
pub type Claims = HashMap<(Kind, u64), Vec<(usize, u32, u32)>>;

pub fn claims(repo: &Repo) -> Claims {
    let here = repo.config.repository.as_deref();
    let mut out: Claims = HashMap::new();
    for (i, d) in repo.docs.iter().enumerate() {
        for (kind, refs) in [
            (Kind::Issue, &d.fields.related_issues),
            (Kind::Pr, &d.fields.related_prs),
        ] {
            let mut seen = BTreeSet::new();
            for r in refs.iter().filter(|r| r.value.is_local(here)) {
                if seen.insert(r.value.number) {
                    out.entry((kind, r.value.number))
                        .or_default()
                        .push((i, r.line, r.col));
                }
            }
        }
    }
    out
}

/// PRs per issue, from PR DocSets that name the issue they implement.
pub fn prs_of_issue(repo: &Repo) -> HashMap<u64, usize> {
    let mut out: HashMap<u64, usize> = HashMap::new();
    for ds in repo.docsets.iter().filter(|d| d.kind == Kind::Pr) {
        if let Some(issue) = ds.file.issue {
            *out.entry(issue.0).or_default() += 1;
        }
    }
    out
}

pub fn check(repo: &Repo, index: &Index, ctx: &Context, sink: &mut Sink) {
    let claims = claims(repo);
    let prs_of_issue = prs_of_issue(repo);
    for ds in &repo.docsets {
        check_one(repo, index, ctx, &claims, &prs_of_issue, ds, sink);
    }
}

fn docset_related(ds: &DocSet, line: u32, msg: &str) -> Related {
    Related {
        path: ds.path.clone(),
        line,
        message: Some(msg.to_string()),
    }
}

fn check_one(
    repo: &Repo,
    index: &Index,
    ctx: &Context,
    claims: &Claims,
    prs_of_issue: &HashMap<u64, usize>,
    ds: &DocSet,
    sink: &mut Sink,
) {
    let config = ctx.config;
    let word = ds.kind.word();
    let field = match ds.kind {
        Kind::Issue => "issue",
        Kind::Pr => "pr",
    };
    let own = match ds.kind {
        Kind::Issue => ds.file.issue,
        Kind::Pr => ds.file.pr,
    }
    .map(|n| n.0);
    match (ds.file_number, own) {
        (None, _) => {
            let expect = own.map_or_else(
                || format!("{field}-<N>.yaml"),
                |n| format!("{field}-{n}.yaml"),
            );
            sink.emit(
                rules::DOCSET_NAME,
                &ds.path,
                1,
                1,
                format!("DocSet file name is not {field}-<N>.yaml (expected `{expect}`)"),
            );
        }
        (Some(f), Some(n)) if f != n => {
            let (line, col) = ds.line(field);
            sink.emit(
                rules::DOCSET_NAME,
                &ds.path,
                line,
                col,
                format!("the file is named for {word} #{f}, but `{field}` is {n}"),
            );
        }
        (Some(_), None) => sink.emit(
            rules::DOCSET_SYNTAX,
            &ds.path,
            1,
            1,
            format!("the DocSet has no `{field}` field"),
        ),
        _ => {}
    }
    let Some(number) = ds.number() else { return };

    // Listed documents against the documents themselves.
    let claimers: &[(usize, u32, u32)] = claims
        .get(&(ds.kind, number))
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut linked: BTreeSet<usize> = claimers.iter().map(|c| c.0).collect();
    for (i, entry) in ds.file.docs.iter().enumerate() {
        let (line, col) = ds.line(&format!("docs[{i}].doc_id"));
        let Some(doc_idx) = index
            .by_id
            .get(entry.doc_id.as_str())
            .and_then(|v| v.first().copied())
        else {
            sink.emit(
                rules::DOCSET_MISSING_DOC,
                &ds.path,
                line,
                col,
                format!(
                    "{word} #{number} lists {}, which no document has{}",
                    entry.doc_id,
                    did_you_mean(&entry.doc_id, index.by_id.keys())
                ),
            );
            continue;
        };
        let doc = &repo.docs[doc_idx];
        linked.insert(doc_idx);
        let mut stale = Vec::new();
        if let Some(p) = entry.path.as_deref().filter(|p| *p != doc.path) {
            stale.push(format!("path `{p}` (the document is at `{}`)", doc.path));
        }
        let actual_type = doc.fields.doc_type.as_ref().map(|t| t.value.as_str());
        if let Some(t) = entry
            .doc_type
            .as_deref()
            .filter(|t| Some(*t) != actual_type)
        {
            stale.push(format!(
                "type `{t}` (the document says `{}`)",
                actual_type.unwrap_or("")
            ));
        }
        let actual_status = doc.fields.status.as_ref().map(|s| s.value.as_str());
        if let Some(s) = entry
            .status
            .as_deref()
            .filter(|s| Some(*s) != actual_status)
        {
            stale.push(format!(
                "status `{s}` (the document says `{}`)",
                actual_status.unwrap_or("")
            ));
        }
        if !stale.is_empty() {
            sink.emit_related(
                rules::DOCSET_STALE,
                &ds.path,
                line,
                col,
                format!("entry {}: stale {}", entry.doc_id, stale.join(", ")),
                vec![Related {
                    path: doc.path.clone(),
                    line: doc.fields.doc_id.as_ref().map_or(1, |s| s.line),
                    message: Some(format!("{} is here", entry.doc_id)),
                }],
            );
        }
        if !claimers.iter().any(|c| c.0 == doc_idx) {
            let field = if ds.kind == Kind::Issue {
                "related_issues"
            } else {
                "related_prs"
            };
            sink.emit_related(
                rules::DOCSET_UNCLAIMED,
                &ds.path,
                line,
                col,
                format!(
                    "{word} #{number} lists {}, but its `{field}` does not name #{number}",
                    entry.doc_id
                ),
                vec![Related {
                    path: doc.path.clone(),
                    line: doc
                        .fields
                        .key_line(field)
                        .or(doc.fields.doc_id.as_ref().map(|s| s.line))
                        .unwrap_or(1),
                    message: None,
                }],
            );
        }
    }
    for &(doc_idx, line, col) in claimers {
        let doc = &repo.docs[doc_idx];
        let listed = doc
            .fields
            .doc_id
            .as_ref()
            .is_some_and(|id| ds.file.docs.iter().any(|e| e.doc_id == id.value));
        if !listed {
            let what = doc
                .fields
                .doc_id
                .as_ref()
                .map_or_else(|| doc.path.clone(), |s| s.value.clone());
            sink.emit_related(
                rules::DOCSET_UNLISTED,
                &doc.path,
                line,
                col,
                format!(
                    "{what} names {word} #{number}, but `{}` does not list it",
                    ds.path
                ),
                vec![docset_related(
                    ds,
                    ds.line("docs").0,
                    "the DocSet's documents",
                )],
            );
        }
    }

    if ds.kind != Kind::Issue {
        return;
    }
    // Profile and stage.
    let profile_name = ds
        .file
        .profile
        .clone()
        .unwrap_or_else(|| config.default_profile.clone());
    let Some(profile) = config.profiles.get(&profile_name) else {
        let (line, col) = ds.line("profile");
        sink.emit(
            rules::UNKNOWN_PROFILE,
            &ds.path,
            line,
            col,
            format!(
                "unknown profile `{profile_name}`{}",
                did_you_mean(&profile_name, config.profiles.keys())
            ),
        );
        return;
    };
    let Some(stage) = ds.file.stage.as_deref() else {
        sink.emit(
            rules::DOCSET_SYNTAX,
            &ds.path,
            1,
            1,
            format!("issue #{number} has no `stage`"),
        );
        return;
    };
    let (stage_line, stage_col) = ds.line("stage");
    if !config.stages.contains_key(stage) {
        sink.emit(
            rules::UNKNOWN_STAGE,
            &ds.path,
            stage_line,
            stage_col,
            format!(
                "unknown stage `{stage}`{}",
                did_you_mean(stage, &profile.stages)
            ),
        );
        return;
    }
    let Some(pos) = profile.stages.iter().position(|s| s == stage) else {
        sink.emit(
            rules::UNKNOWN_STAGE,
            &ds.path,
            stage_line,
            stage_col,
            format!(
                "stage `{stage}` is not part of profile `{profile_name}` ({})",
                profile.stages.join(", ")
            ),
        );
        return;
    };
    if ds.file.state == State::Abandoned {
        return;
    }
    let docs: Vec<&Doc> = linked.iter().map(|&i| &repo.docs[i]).collect();
    let prs = ds.file.prs.len() + prs_of_issue.get(&number).copied().unwrap_or(0);
    for gap in gate(config, &profile.stages, pos, ds.file.state, &docs, prs) {
        sink.emit(
            rules::STAGE_GATE,
            &ds.path,
            stage_line,
            stage_col,
            format!("issue #{number} is at stage `{stage}`, but {gap}"),
        );
    }
}

/// The stage gate of an issue at `stages[pos]` in state `state`: what it lacks
/// among its linked `docs` and `prs`. Every stage before the current one needs its
/// artifacts approved (the gate is passed when an issue leaves a stage); the
/// current stage's artifacts are work in progress and may still be missing, unless
/// the issue is done. An abandoned issue is not gated.
pub fn gate(
    config: &Config,
    stages: &[String],
    pos: usize,
    state: State,
    docs: &[&Doc],
    prs: usize,
) -> Vec<Gap> {
    if state == State::Abandoned {
        return Vec::new();
    }
    let upto = if state == State::Done { pos + 1 } else { pos };
    stages
        .iter()
        .take(upto)
        .flat_map(|s| gate_gaps(config, s, docs, prs, true))
        .collect()
}

/// One thing a stage lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub stage: String,
    pub kind: GapKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GapKind {
    /// No document of these types (alternatives) is linked.
    Missing {
        types: Vec<String>,
        need_approval: bool,
    },
    /// Documents of these types are linked, but none is approved: (doc_id, status).
    Unapproved {
        types: Vec<String>,
        docs: Vec<(String, String)>,
    },
    /// Fewer linked pull requests than the stage requires.
    PullRequests { required: usize },
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stage = &self.stage;
        let shown = |types: &[String]| {
            types
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        match &self.kind {
            GapKind::Missing {
                types,
                need_approval,
            } => {
                let what = if *need_approval { "an approved" } else { "a" };
                write!(
                    f,
                    "stage `{stage}` requires {what} {}: none is linked",
                    shown(types)
                )
            }
            GapKind::Unapproved { types, docs } => {
                let list = docs
                    .iter()
                    .map(|(id, st)| format!("{id} is `{st}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                write!(
                    f,
                    "stage `{stage}` requires an approved {}: {list}",
                    shown(types)
                )
            }
            GapKind::PullRequests { required } => write!(
                f,
                "stage `{stage}` requires at least {required} linked pull request{} (`prs` in the DocSet)",
                if *required == 1 { "" } else { "s" }
            ),
        }
    }
}

/// The documents of type `t` among `docs`.
pub fn of_type<'d>(docs: &[&'d Doc], t: &str) -> Vec<&'d Doc> {
    docs.iter()
        .copied()
        .filter(|d| d.fields.doc_type.as_ref().is_some_and(|x| x.value == t))
        .collect()
}

/// What `stage` requires of these documents: its `requires` (each entry one type
/// or `a|b` alternatives), plus `requires_on_incident` when one of its documents
/// records `incident: true`.
pub fn stage_requires<'c>(config: &'c Config, stage: &str, docs: &[&Doc]) -> Vec<&'c str> {
    let Some(def) = config.stages.get(stage) else {
        return Vec::new();
    };
    let incident = def
        .requires
        .iter()
        .flat_map(|r| r.split('|'))
        .any(|t| of_type(docs, t.trim()).iter().any(|d| d.fields.incident));
    let extra: &[String] = if incident {
        &def.requires_on_incident
    } else {
        &[]
    };
    def.requires
        .iter()
        .chain(extra)
        .map(String::as_str)
        .collect()
}

/// What stage `stage` lacks among `docs`: each gap as a sentence.
pub fn gaps(
    config: &Config,
    stage: &str,
    docs: &[&Doc],
    prs: usize,
    need_approval: bool,
) -> Vec<String> {
    gate_gaps(config, stage, docs, prs, need_approval)
        .iter()
        .map(Gap::to_string)
        .collect()
}

/// What stage `stage` lacks among `docs`.
pub fn gate_gaps(
    config: &Config,
    stage: &str,
    docs: &[&Doc],
    prs: usize,
    need_approval: bool,
) -> Vec<Gap> {
    let mut out = Vec::new();
    let Some(def) = config.stages.get(stage) else {
        return out;
    };
    let of_type = |t: &str| of_type(docs, t);
    for req in stage_requires(config, stage, docs) {
        let alts: Vec<&str> = req.split('|').map(str::trim).collect();
        let found: Vec<&Doc> = alts.iter().flat_map(|t| of_type(t)).collect();
        let types: Vec<String> = alts.iter().map(|t| t.to_string()).collect();
        if found.is_empty() {
            out.push(Gap {
                stage: stage.to_string(),
                kind: GapKind::Missing {
                    types,
                    need_approval,
                },
            });
        } else if need_approval && !found.iter().any(|d| d.fields.is_approved()) {
            let docs = found
                .iter()
                .map(|d| {
                    let id = d
                        .fields
                        .doc_id
                        .as_ref()
                        .map_or(d.path.as_str(), |s| s.value.as_str());
                    let st = d
                        .fields
                        .status
                        .as_ref()
                        .map_or("no status", |s| s.value.as_str());
                    (id.to_string(), st.to_string())
                })
                .collect();
            out.push(Gap {
                stage: stage.to_string(),
                kind: GapKind::Unapproved { types, docs },
            });
        }
    }
    if prs < def.requires_prs {
        out.push(Gap {
            stage: stage.to_string(),
            kind: GapKind::PullRequests {
                required: def.requires_prs,
            },
        });
    }
    out
}
