//! `genie gate`: in GitHub Actions, is the stage a label event asks for allowed?
//!
//! A `run:*` label on an issue or pull request asks for work on a stage:
//! `run:<stage>` to enter (or work in) a stage, `run:<stage>:revise` to revise
//! the current stage or an earlier one, `run:abort` to abandon the work,
//! `run:rethink` to go back to an earlier stage. The gate reads the event
//! payload, finds the issue's DocSet and answers with a [`Decision`]: allowed,
//! or denied with one reason per line, each naming what is missing.

use std::io::{Read, Write};
use std::path::Path;

use serde::Serialize;

use crate::check::docsets::{Gap, GapKind};
use crate::config::did_you_mean;
use crate::model::docset::{Kind, State};
use crate::ops::stage::{IssueView, Position, ReqState};
use crate::ops::{OpError, docset_path};
use crate::repo::Repo;

/// The shape of the JSON [`Decision`]; changes only when the shape does.
pub const VERSION: u32 = 1;

/// Largest event payload read (GitHub's are far smaller).
const MAX_EVENT_BYTES: u64 = 32 << 20;

/// What a label event is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Issue,
    Pr,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    pub number: u64,
}

impl Item {
    fn word(&self) -> String {
        match self.kind {
            ItemKind::Issue => format!("issue #{}", self.number),
            ItemKind::Pr => format!("PR #{}", self.number),
        }
    }
}

/// The parts of a GitHub event payload the gate reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `issues`, `pull_request`, `pull_request_target`, …
    pub name: String,
    /// `labeled`, `opened`, …
    pub action: Option<String>,
    pub item: Item,
    /// The label the event is about (`label.name`).
    pub label: Option<String>,
    /// The item's labels after the event.
    pub labels: Vec<String>,
}

/// An event file that cannot be used: exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct EventError {
    pub path: String,
    pub message: String,
}

/// Read the event payload at `path`. `name` is the event's name
/// (`$GITHUB_EVENT_NAME`); without it the name is read from the payload's shape.
pub fn read_event(path: &Path, name: Option<&str>) -> Result<Event, EventError> {
    let shown = path.display().to_string();
    let err = |message: String| EventError {
        path: shown.clone(),
        message,
    };
    let file =
        std::fs::File::open(path).map_err(|e| err(format!("cannot read the event file: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_EVENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(format!("cannot read the event file: {e}")))?;
    if bytes.len() as u64 > MAX_EVENT_BYTES {
        return Err(err(format!(
            "the event file is larger than {} MiB; not a GitHub event payload",
            MAX_EVENT_BYTES >> 20
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| err("the event file is not UTF-8 text, so not JSON".to_string()))?;
    parse_event(&text, name, &shown)
}

/// Read an event payload's text; `path` names it in errors.
pub fn parse_event(text: &str, name: Option<&str>, path: &str) -> Result<Event, EventError> {
    let err = |message: String| EventError {
        path: path.to_string(),
        message,
    };
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        err(format!(
            "the event file is not JSON ({e}); genie gate reads the payload of an `issues` or `pull_request` event"
        ))
    })?;
    if !v.is_object() {
        return Err(err(
            "the event payload is not a JSON object; genie gate reads the payload of an `issues` or `pull_request` event".into(),
        ));
    }
    let pr = v.get("pull_request").filter(|x| x.is_object());
    let issue = v.get("issue").filter(|x| x.is_object());
    let (obj, kind) = match (pr, issue) {
        (Some(p), _) => (p, ItemKind::Pr),
        // An issue payload can be a pull request's (issue_comment on a PR).
        (None, Some(i)) if i.get("pull_request").is_some_and(|p| !p.is_null()) => (i, ItemKind::Pr),
        (None, Some(i)) => (i, ItemKind::Issue),
        (None, None) => {
            return Err(err(
                "the event has no `issue` or `pull_request`; run genie gate on `issues` or `pull_request` events (types: [labeled])".into(),
            ));
        }
    };
    let key = if kind == ItemKind::Pr && pr.is_some() {
        "pull_request"
    } else {
        "issue"
    };
    let number = obj
        .get("number")
        .and_then(serde_json::Value::as_u64)
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            err(format!(
                "`{key}.number` is missing or not a positive number"
            ))
        })?;
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.to_string(),
        None if key == "pull_request" => "pull_request".to_string(),
        None => "issues".to_string(),
    };
    let labels = obj
        .get("labels")
        .and_then(serde_json::Value::as_array)
        .map(|a| a.iter().filter_map(label_name).collect())
        .unwrap_or_default();
    Ok(Event {
        name,
        action: v
            .get("action")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string),
        item: Item { kind, number },
        label: v.get("label").and_then(label_name),
        labels,
    })
}

/// A label: `{"name": "run:dev", …}` (GitHub), or a plain string.
fn label_name(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(_) => v.get("name")?.as_str().map(str::to_string),
        _ => None,
    }
}

/// What a `run:*` label asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `run:<stage>`: work on the stage (entering it when the issue is before it).
    Enter(String),
    /// `run:<stage>:revise`: revise the current stage or an earlier one.
    Revise(String),
    /// `run:abort`: abandon the work.
    Abort,
    /// `run:rethink`: go back to an earlier stage.
    Rethink,
    /// `run:` followed by something that is none of the above.
    Malformed,
}

impl Request {
    /// The name in the JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            Request::Enter(_) => "enter",
            Request::Revise(_) => "revise",
            Request::Abort => "abort",
            Request::Rethink => "rethink",
            Request::Malformed => "malformed",
        }
    }
}

/// Whether `name` is a run label (`run:` in any case), and what it asks for.
/// Stage names come back lower-cased.
pub fn parse_run_label(name: &str) -> Option<Request> {
    let name = name.trim();
    let head = name.get(..4)?;
    if !head.eq_ignore_ascii_case("run:") {
        return None;
    }
    let rest = name[4..].trim().to_lowercase();
    let parts: Vec<&str> = rest.split(':').map(str::trim).collect();
    Some(match parts.as_slice() {
        ["abort"] => Request::Abort,
        ["rethink"] => Request::Rethink,
        [stage] if !stage.is_empty() => Request::Enter(stage.to_string()),
        [stage, "revise"] if !stage.is_empty() => Request::Revise(stage.to_string()),
        _ => Request::Malformed,
    })
}

/// The gate's answer, also its JSON output (`genie gate --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub version: u32,
    pub allowed: bool,
    /// Whether the event asked for anything (a `run:*` label was added).
    pub gated: bool,
    /// `issues.labeled`, `pull_request.labeled`, …
    pub event: String,
    pub item: Item,
    /// The label the event added.
    pub label: Option<String>,
    /// `enter`, `revise`, `abort`, `rethink` or `malformed` (null when not gated).
    pub request: Option<&'static str>,
    /// The stage asked for (`run:<stage>` and `run:<stage>:revise`).
    pub stage: Option<String>,
    /// The issue whose stages were gated (for a PR, the issue it implements).
    pub issue: Option<u64>,
    /// The issue's DocSet.
    pub docset: Option<String>,
    /// The stage the issue's DocSet is at.
    pub current_stage: Option<String>,
    pub state: Option<State>,
    /// Every `run:*` label of the item after the event.
    pub run_labels: Vec<String>,
    /// Why it is denied: one per line, each naming what is missing.
    pub reasons: Vec<String>,
    /// What the gate noticed without denying (nothing to gate, no DocSet yet, …).
    pub notes: Vec<String>,
}

impl Decision {
    fn new(event: &Event) -> Decision {
        Decision {
            version: VERSION,
            allowed: true,
            gated: false,
            event: match &event.action {
                Some(a) => format!("{}.{a}", event.name),
                None => event.name.clone(),
            },
            item: event.item.clone(),
            label: event.label.clone(),
            request: None,
            stage: None,
            issue: None,
            docset: None,
            current_stage: None,
            state: None,
            run_labels: Vec::new(),
            reasons: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn deny(&mut self, reason: impl Into<String>) {
        self.reasons.push(reason.into());
    }
}

/// The decision for an event that asks for nothing (not a label event, or the
/// label is not a `run:*` label); `None` when the event must be gated.
pub fn ungated(event: &Event) -> Option<Decision> {
    let mut d = Decision::new(event);
    let note = if event.action.as_deref() != Some("labeled") {
        format!("nothing to gate: `{}` is not a label event", d.event)
    } else {
        match &event.label {
            None => "nothing to gate: the event names no label".to_string(),
            Some(l) if parse_run_label(l).is_none() => format!(
                "nothing to gate: `{l}` added to {} is not a run label",
                event.item.word()
            ),
            Some(_) => return None,
        }
    };
    d.notes.push(note);
    Some(d)
}

/// Decide whether the label event is allowed, with the repository loaded.
/// Errors are problems reading the repository (exit 2); a DocSet that is missing
/// or names an unknown profile or stage denies the request instead.
pub fn decide(repo: &Repo, event: &Event) -> Result<Decision, OpError> {
    if let Some(d) = ungated(event) {
        return Ok(d);
    }
    let mut d = Decision::new(event);
    d.gated = true;
    let label = event.label.clone().unwrap_or_default();
    let request = parse_run_label(&label).unwrap_or(Request::Malformed);
    d.request = Some(request.kind());
    if let Request::Enter(s) | Request::Revise(s) = &request {
        d.stage = Some(s.clone());
    }

    // Exactly one active run label: the others must go first.
    let mut run_labels: Vec<String> = Vec::new();
    for l in event.labels.iter().chain(std::iter::once(&label)) {
        if parse_run_label(l).is_some() && !run_labels.iter().any(|x| x.eq_ignore_ascii_case(l)) {
            run_labels.push(l.clone());
        }
    }
    if run_labels.len() > 1 {
        let others: Vec<String> = run_labels
            .iter()
            .filter(|l| !l.eq_ignore_ascii_case(&label))
            .map(|l| format!("`{l}`"))
            .collect();
        d.deny(format!(
            "{} has {} run labels ({}); only one may be active: remove {} or `{label}`",
            event.item.word(),
            run_labels.len(),
            run_labels
                .iter()
                .map(|l| format!("`{l}`"))
                .collect::<Vec<_>>()
                .join(", "),
            others.join(", ")
        ));
    }
    d.run_labels = run_labels;

    if request == Request::Malformed {
        d.deny(format!(
            "`{label}` is not a run label genie knows: write `run:STAGE`, `run:STAGE:revise`, `run:abort` or `run:rethink`"
        ));
        d.allowed = false;
        return Ok(d);
    }

    let Some(issue) = issue_of(repo, &event.item, &mut d) else {
        d.allowed = false;
        return Ok(d);
    };
    d.issue = Some(issue);

    let path = docset_path(&repo.config, Kind::Issue, issue);
    d.docset = Some(path.clone());
    let has_docset = repo
        .docsets
        .iter()
        .any(|x| x.kind == Kind::Issue && x.number() == Some(issue));
    if !has_docset {
        if repo.root.join(&path).exists() {
            d.deny(format!(
                "{path} cannot be read as a DocSet; `genie check` says why"
            ));
        } else {
            no_docset(repo, issue, &path, &request, &mut d);
        }
        d.allowed = d.reasons.is_empty();
        return Ok(d);
    }
    let view = match crate::ops::stage::view(repo, issue) {
        Ok(v) => v,
        Err(OpError::Usage(m)) => {
            d.deny(m);
            d.allowed = false;
            return Ok(d);
        }
        Err(e) => return Err(e),
    };
    d.current_stage = Some(view.stage.clone());
    d.state = Some(view.state);
    judge(repo, &view, &request, &mut d);
    d.allowed = d.reasons.is_empty();
    Ok(d)
}

/// The issue whose stages the item's label is about: the issue itself, or the
/// issue a PR implements (its PR DocSet's `issue`, else the issue DocSet that
/// lists it in `prs`).
fn issue_of(repo: &Repo, item: &Item, d: &mut Decision) -> Option<u64> {
    if item.kind == ItemKind::Issue {
        return Some(item.number);
    }
    let pr = item.number;
    if let Some(ds) = repo
        .docsets
        .iter()
        .find(|x| x.kind == Kind::Pr && x.number() == Some(pr))
        && let Some(i) = ds.file.issue
    {
        d.docset = Some(ds.path.clone());
        return Some(i.0);
    }
    let listing: Vec<u64> = repo
        .docsets
        .iter()
        .filter(|x| x.kind == Kind::Issue && x.file.prs.iter().any(|p| p.0 == pr))
        .filter_map(|x| x.number())
        .collect();
    match listing.as_slice() {
        [one] => Some(*one),
        [] => {
            d.deny(format!(
                "PR #{pr} is linked to no issue: give it a DocSet {} with `issue: N`, or list it in the issue's DocSet (`prs: [{pr}]`)",
                docset_path(&repo.config, Kind::Pr, pr)
            ));
            None
        }
        many => {
            let list: Vec<String> = many.iter().map(|n| format!("#{n}")).collect();
            d.deny(format!(
                "PR #{pr} is listed in the DocSets of several issues ({}); give it a DocSet {} with `issue: N` to say which one it implements",
                list.join(", "),
                docset_path(&repo.config, Kind::Pr, pr)
            ));
            None
        }
    }
}

/// An issue without a DocSet may enter the first stage of the default profile
/// (the DocSet is created with the first document, `genie new … --issue N`);
/// anything else needs the DocSet.
fn no_docset(repo: &Repo, issue: u64, path: &str, request: &Request, d: &mut Decision) {
    let config = &repo.config;
    let profile = &config.default_profile;
    let first = config.profiles.get(profile).and_then(|p| p.stages.first());
    if let (Request::Enter(s), Some(first)) = (request, first)
        && s.eq_ignore_ascii_case(first)
    {
        d.stage = Some(first.clone());
        d.notes.push(format!(
                "issue #{issue} has no DocSet yet; `genie new TYPE TITLE --issue {issue}` creates {path} (profile `{profile}`, stage `{first}`)"
            ));
        return;
    }
    let start = first
        .map(|f| format!(", or start with `run:{f}`"))
        .unwrap_or_default();
    d.deny(format!(
        "issue #{issue} has no DocSet ({path}); `genie new TYPE TITLE --issue {issue}` creates one{start}"
    ));
}

/// The rules of each request, against the issue's stages.
fn judge(repo: &Repo, view: &IssueView, request: &Request, d: &mut Decision) {
    let who = format!("issue #{}", view.issue);
    let names: Vec<&str> = view.stages.iter().map(|s| s.name.as_str()).collect();
    let current = view
        .stages
        .iter()
        .position(|s| s.position == Position::Current)
        .unwrap_or(0);
    let find = |stage: &str, d: &mut Decision| -> Option<usize> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(stage)) {
            d.stage = Some(names[i].to_string());
            return Some(i);
        }
        let known = repo
            .config
            .stages
            .keys()
            .any(|k| k.eq_ignore_ascii_case(stage));
        if known {
            d.deny(format!(
                "stage `{stage}` is not a stage of {who}'s profile `{}` ({})",
                view.profile,
                names.join(", ")
            ));
        } else {
            d.deny(format!(
                "`{stage}` is not a stage{}; the stages of profile `{}` are {}",
                did_you_mean(stage, &names),
                view.profile,
                names.join(", ")
            ));
        }
        None
    };
    match request {
        Request::Enter(stage) => {
            let idx = find(stage, d);
            match view.state {
                State::Abandoned => d.deny(format!(
                    "{who} is abandoned; `run:rethink` takes it up again"
                )),
                State::Done => d.deny(format!(
                    "{who} is done; `run:STAGE:revise` revises a stage, `run:rethink` goes back"
                )),
                _ => {}
            }
            let Some(idx) = idx else { return };
            if matches!(view.state, State::Abandoned | State::Done) {
                return;
            }
            if idx < current {
                let s = names[idx];
                d.deny(format!(
                    "{who} is past `{s}` (it is at `{}`); `run:{s}:revise` revises it, `run:rethink` goes back",
                    names[current]
                ));
                return;
            }
            for s in &view.stages[..idx] {
                if !s.complete {
                    for gap in stage_gaps(view, s) {
                        d.deny(gap.to_string());
                    }
                }
            }
        }
        Request::Revise(stage) => {
            let idx = find(stage, d);
            if view.state == State::Abandoned {
                d.deny(format!(
                    "{who} is abandoned; `run:rethink` takes it up again"
                ));
            }
            let Some(idx) = idx else { return };
            if idx > current && view.state != State::Done {
                d.deny(format!(
                    "stage `{}` is ahead of {who}'s stage `{}`: there is nothing to revise yet",
                    names[idx], names[current]
                ));
            }
        }
        Request::Abort => match view.state {
            State::Done => d.deny(format!("{who} is done; there is nothing to abort")),
            State::Abandoned => d.deny(format!("{who} is abandoned already")),
            _ => {}
        },
        Request::Rethink => {
            let reopening = matches!(view.state, State::Done | State::Abandoned);
            if current == 0 && !reopening {
                d.deny(format!(
                    "{who} is at its first stage `{}`; there is no earlier stage to go back to",
                    names.first().copied().unwrap_or_default()
                ));
            }
        }
        Request::Malformed => {}
    }
}

/// What a stage lacks, in the words `genie stage advance` uses.
fn stage_gaps(view: &IssueView, s: &crate::ops::stage::StageView) -> Vec<Gap> {
    let mut out: Vec<Gap> = s
        .requirements
        .iter()
        .filter_map(|r| {
            let kind = match r.state {
                ReqState::Approved => return None,
                ReqState::Missing => GapKind::Missing {
                    types: r.types.clone(),
                    need_approval: true,
                },
                ReqState::Present => GapKind::Unapproved {
                    types: r.types.clone(),
                    docs: r
                        .docs
                        .iter()
                        .map(|d| (d.doc_id.clone(), d.status.clone()))
                        .collect(),
                },
            };
            Some(Gap {
                stage: s.name.clone(),
                kind,
            })
        })
        .collect();
    if view.prs < s.prs_required {
        out.push(Gap {
            stage: s.name.clone(),
            kind: GapKind::PullRequests {
                required: s.prs_required,
            },
        });
    }
    out
}

/// Who the decision is about: `issue #12`, `PR #44 (issue #27)`.
fn subject(d: &Decision) -> String {
    match (d.item.kind, d.issue) {
        (ItemKind::Pr, Some(i)) => format!("{} (issue #{i})", d.item.word()),
        _ => d.item.word(),
    }
}

/// What was asked, as a verb phrase: `enter \`design\``, `be aborted`.
fn asked(d: &Decision) -> String {
    let stage = d.stage.as_deref().unwrap_or("?");
    match d.request {
        Some("enter") => format!("enter `{stage}`"),
        Some("revise") => format!("revise `{stage}`"),
        Some("abort") => "be aborted".to_string(),
        Some("rethink") if matches!(d.state, Some(State::Done | State::Abandoned)) => {
            "be taken up again (rethink)".to_string()
        }
        Some("rethink") => "go back to an earlier stage".to_string(),
        _ => format!(
            "take the label `{}`",
            d.label.as_deref().unwrap_or_default()
        ),
    }
}

/// The decision for people: `allowed: issue #12 may enter \`design\``, or
/// `denied: …` and one reason per line; notes follow.
pub fn write_human(d: &Decision, out: &mut dyn Write) -> std::io::Result<()> {
    if !d.gated {
        for n in &d.notes {
            writeln!(out, "{n}")?;
        }
        return Ok(());
    }
    if d.allowed {
        writeln!(out, "allowed: {} may {}", subject(d), asked(d))?;
    } else {
        writeln!(out, "denied: {} may not {}", subject(d), asked(d))?;
        for r in &d.reasons {
            writeln!(out, "  - {r}")?;
        }
    }
    for n in &d.notes {
        writeln!(out, "note: {n}")?;
    }
    Ok(())
}

/// The decision as JSON (pretty, one object, a newline after it).
pub fn write_json(d: &Decision, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, d)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_labels() {
        assert_eq!(
            parse_run_label("run:design"),
            Some(Request::Enter("design".into()))
        );
        assert_eq!(
            parse_run_label("RUN:Design"),
            Some(Request::Enter("design".into()))
        );
        assert_eq!(
            parse_run_label("run:prd:revise"),
            Some(Request::Revise("prd".into()))
        );
        assert_eq!(
            parse_run_label("run:PRD:Revise"),
            Some(Request::Revise("prd".into()))
        );
        assert_eq!(parse_run_label("run:abort"), Some(Request::Abort));
        assert_eq!(parse_run_label("Run:Rethink"), Some(Request::Rethink));
        assert_eq!(parse_run_label("run:"), Some(Request::Malformed));
        assert_eq!(parse_run_label("run:a:b"), Some(Request::Malformed));
        assert_eq!(parse_run_label("run:a:revise:x"), Some(Request::Malformed));
        assert_eq!(parse_run_label("bug"), None);
        assert_eq!(parse_run_label("ru"), None);
        assert_eq!(parse_run_label("runner"), None);
        assert_eq!(parse_run_label("стадия"), None);
        assert_eq!(parse_run_label("ru\u{e9}:x"), None);
    }

    fn event(json: &str) -> Result<Event, EventError> {
        parse_event(json, None, "event.json")
    }

    #[test]
    fn issue_event() {
        let e = event(
            r#"{"action":"labeled","label":{"name":"run:design"},
                "issue":{"number":12,"labels":[{"name":"bug"},{"name":"run:design"}]}}"#,
        )
        .unwrap();
        assert_eq!(e.name, "issues");
        assert_eq!(e.action.as_deref(), Some("labeled"));
        assert_eq!(
            e.item,
            Item {
                kind: ItemKind::Issue,
                number: 12
            }
        );
        assert_eq!(e.label.as_deref(), Some("run:design"));
        assert_eq!(e.labels, ["bug", "run:design"]);
    }

    #[test]
    fn pull_request_event() {
        let e = event(
            r#"{"action":"labeled","number":44,"label":{"name":"run:qa"},
                "pull_request":{"number":44,"labels":[]}}"#,
        )
        .unwrap();
        assert_eq!(e.name, "pull_request");
        assert_eq!(e.item.kind, ItemKind::Pr);
        let e = parse_event(
            r#"{"action":"labeled","pull_request":{"number":44}}"#,
            Some("pull_request_target"),
            "e",
        )
        .unwrap();
        assert_eq!(e.name, "pull_request_target");
        // issue_comment on a pull request: the issue is the PR.
        let e = event(r#"{"action":"created","issue":{"number":7,"pull_request":{"url":"x"}}}"#)
            .unwrap();
        assert_eq!(e.item.kind, ItemKind::Pr);
    }

    #[test]
    fn bad_events() {
        let e = event("not json").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("event.json: the event file is not JSON"),
            "{e}"
        );
        let e = event("[1]").unwrap_err();
        assert!(e.message.contains("not a JSON object"), "{e}");
        let e = event(r#"{"ref":"refs/heads/main"}"#).unwrap_err();
        assert!(e.message.contains("no `issue` or `pull_request`"), "{e}");
        let e = event(r#"{"issue":{"number":"12"}}"#).unwrap_err();
        assert!(e.message.contains("`issue.number`"), "{e}");
        let e = event(r#"{"issue":{"number":0}}"#).unwrap_err();
        assert!(e.message.contains("`issue.number`"), "{e}");
    }

    #[test]
    fn nothing_to_gate() {
        let e = event(r#"{"action":"opened","issue":{"number":3}}"#).unwrap();
        let d = ungated(&e).unwrap();
        assert!(d.allowed && !d.gated);
        assert_eq!(d.event, "issues.opened");
        assert!(d.notes[0].contains("not a label event"), "{:?}", d.notes);
        let e =
            event(r#"{"action":"labeled","label":{"name":"bug"},"issue":{"number":3}}"#).unwrap();
        let d = ungated(&e).unwrap();
        assert!(d.notes[0].contains("`bug` added to issue #3 is not a run label"));
        let e = event(r#"{"action":"labeled","label":{"name":"run:dev"},"issue":{"number":3}}"#)
            .unwrap();
        assert!(ungated(&e).is_none());
    }
}
