//! `genie approve DOC_ID --by NAME`: the document's status becomes approved, and
//! its `approvals` record who approved it and when.

use serde::Serialize;

use super::{Env, OpError, Plan, Work, usage};
use crate::edit::{self, Op, Val};
use crate::repo::Repo;

#[derive(Debug, Clone, Serialize)]
pub struct ApproveReport {
    pub doc_id: String,
    pub path: String,
    pub by: String,
    /// The status written (`approved`, or `accepted` where the document uses ADR-style statuses).
    pub status: String,
    pub approved_at: String,
    /// Already approved by this name: nothing changed.
    pub already: bool,
    /// DocSets rewritten to show the new status.
    pub docsets: Vec<String>,
}

/// Plan the approval of `doc_id` by `by`.
pub fn approve(
    repo: &mut Repo,
    env: &Env,
    doc_id: &str,
    by: &str,
) -> Result<(ApproveReport, Plan), OpError> {
    let by = by.trim();
    if by.is_empty() {
        return usage("--by needs the name of the person who approves");
    }
    let mut w = Work::new(repo);
    let idx = w.find_doc(doc_id)?;
    let doc = &w.repo.docs[idx];
    let path = doc.path.clone();
    if let Some(c) = doc
        .fields
        .canonical_status
        .as_deref()
        .filter(|c| matches!(*c, "superseded" | "obsolete" | "abandoned"))
    {
        return usage(format!(
            "{doc_id} is {c}; approve the document that replaces it instead"
        ));
    }
    let config = &w.repo.config;
    // Keep the document's vocabulary: an ADR that says `proposed` becomes `accepted`.
    let written = doc.fields.status.as_ref().map(|s| s.value.as_str());
    let status = match written {
        Some(s) if config.statuses.aliases.contains_key(s) => config
            .statuses
            .aliases
            .iter()
            .find(|(_, target)| *target == "approved")
            .map_or("approved", |(alias, _)| alias.as_str()),
        _ => "approved",
    }
    .to_string();
    let text = w.text(&path)?;
    let fm = edit::front_matter_json(&text).unwrap_or_default();
    let approvals = fm.get("approvals");
    let by_list: Vec<String> = match approvals.and_then(|a| a.get("approved_by")) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(s)) => s.split(',').map(|p| p.trim().to_string()).collect(),
        _ => Vec::new(),
    };
    let already = doc.fields.is_approved()
        && by_list.iter().any(|n| n == by)
        && approvals
            .and_then(|a| a.get("status"))
            .and_then(|s| s.as_str())
            == Some("approved");
    let mut report = ApproveReport {
        doc_id: doc_id.to_string(),
        path: path.clone(),
        by: by.to_string(),
        status: status.clone(),
        approved_at: env.today.clone(),
        already,
        docsets: Vec::new(),
    };
    if already {
        return Ok((report, w.plan));
    }
    let mut ops = vec![
        Op::set("status", Val::str(&status)),
        Op::set("approvals.status", Val::str("approved")),
    ];
    if !by_list.iter().any(|n| n == by) {
        ops.push(Op::append("approvals.approved_by", Val::str(by)));
    }
    ops.push(Op::set("approvals.approved_at", Val::str(&env.today)));
    if fm.get("updated_at").is_some() {
        ops.push(Op::set("updated_at", Val::str(&env.today)));
    }
    w.edit_doc(idx, &ops)?;
    report.docsets = w.sync_affected(&[idx])?;
    Ok((report, w.plan))
}
