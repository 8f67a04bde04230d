//! Rules across documents: duplicate ids, dangling references and supersede chains.

use std::collections::HashMap;

use crate::check::Sink;
use crate::check::rules;
use crate::config::did_you_mean;
use crate::model::{Doc, Spanned};
use crate::repo::Repo;
use crate::report::Related;

/// Lookups over the documents of a repository.
pub struct Index<'r> {
    /// doc_id → indexes of the documents that carry it, in path order.
    pub by_id: HashMap<&'r str, Vec<usize>>,
    /// path → index.
    pub by_path: HashMap<&'r str, usize>,
}

impl<'r> Index<'r> {
    pub fn new(repo: &'r Repo) -> Self {
        let mut by_id: HashMap<&str, Vec<usize>> = HashMap::with_capacity(repo.docs.len());
        let mut by_path = HashMap::with_capacity(repo.docs.len());
        for (i, d) in repo.docs.iter().enumerate() {
            by_path.insert(d.path.as_str(), i);
            if let Some(id) = &d.fields.doc_id {
                by_id.entry(id.value.as_str()).or_default().push(i);
            }
        }
        Index { by_id, by_path }
    }

    /// The (first) document with this id.
    pub fn get<'a>(&self, repo: &'a Repo, id: &str) -> Option<&'a Doc> {
        self.by_id
            .get(id)
            .and_then(|v| v.first())
            .map(|&i| &repo.docs[i])
    }

    fn suggestion(&self, id: &str) -> String {
        did_you_mean(id, self.by_id.keys())
    }
}

fn related(doc: &Doc, line: u32, message: impl Into<String>) -> Related {
    Related {
        path: doc.path.clone(),
        line,
        message: Some(message.into()),
    }
}

fn id_line(doc: &Doc) -> u32 {
    doc.fields.doc_id.as_ref().map_or(1, |s| s.line)
}

fn lists(ids: &[Spanned<String>], id: &str) -> bool {
    ids.iter().any(|s| s.value == id)
}

pub fn check(repo: &Repo, index: &Index, sink: &mut Sink) {
    // Duplicate ids: every later occurrence points back at the first.
    let mut dup_ids: Vec<(&&str, &Vec<usize>)> =
        index.by_id.iter().filter(|(_, v)| v.len() > 1).collect();
    dup_ids.sort();
    for (id, docs) in dup_ids {
        let first = &repo.docs[docs[0]];
        for &i in &docs[1..] {
            let d = &repo.docs[i];
            let at = d.fields.doc_id.as_ref().map_or((1, 1), |s| (s.line, s.col));
            sink.emit_related(
                rules::DUPLICATE_DOC_ID,
                &d.path,
                at.0,
                at.1,
                format!("duplicate doc_id {id}"),
                vec![related(
                    first,
                    id_line(first),
                    format!("{id} is first defined here"),
                )],
            );
        }
    }

    for doc in &repo.docs {
        dangling(index, doc, sink);
        let Some(me) = doc.fields.doc_id.as_ref().map(|s| s.value.as_str()) else {
            continue;
        };
        let f = &doc.fields;
        for new in &f.superseded_by {
            let Some(target) = index.get(repo, &new.value) else {
                continue;
            };
            if !lists(&target.fields.supersedes, me) {
                sink.emit_related(
                    rules::SUPERSEDE_MISMATCH,
                    &doc.path,
                    new.line,
                    new.col,
                    format!(
                        "{me} is superseded_by {}, but {} does not list {me} in `supersedes`",
                        new.value, new.value
                    ),
                    vec![related(
                        target,
                        target
                            .fields
                            .key_line("supersedes")
                            .unwrap_or(id_line(target)),
                        format!("{} is here", new.value),
                    )],
                );
            }
            let draft = target.fields.canonical_status.as_deref() == Some("draft");
            let was_approved = matches!(
                f.canonical_status.as_deref(),
                Some("approved" | "superseded")
            );
            if draft && was_approved {
                sink.emit_related(
                    rules::SUPERSEDED_BY_DRAFT,
                    &doc.path,
                    new.line,
                    new.col,
                    format!(
                        "approved {me} is superseded by {}, which is still a draft",
                        new.value
                    ),
                    vec![related(
                        target,
                        target.fields.status.as_ref().map_or(1, |s| s.line),
                        "status: draft",
                    )],
                );
            }
        }
        for old in &f.supersedes {
            let Some(target) = index.get(repo, &old.value) else {
                continue;
            };
            if !lists(&target.fields.superseded_by, me) {
                sink.emit_related(
                    rules::SUPERSEDE_MISMATCH,
                    &doc.path,
                    old.line,
                    old.col,
                    format!(
                        "{me} supersedes {}, but {} does not name {me} in `superseded_by`",
                        old.value, old.value
                    ),
                    vec![related(
                        target,
                        id_line(target),
                        format!("{} is here", old.value),
                    )],
                );
            }
        }
        if f.superseded_by
            .iter()
            .any(|s| index.by_id.contains_key(s.value.as_str()))
            && f.canonical_status.is_some()
            && f.canonical_status.as_deref() != Some("superseded")
        {
            let st = f
                .status
                .as_ref()
                .expect("canonical status comes from status");
            sink.emit_help(
                rules::SUPERSEDED_STATUS,
                &doc.path,
                st.line,
                st.col,
                format!(
                    "{me} is superseded_by {}, but its status is `{}`",
                    f.superseded_by[0].value, st.value
                ),
                "set `status: superseded`".into(),
            );
        }
    }
    cycles(repo, index, sink);
}

fn dangling(index: &Index, doc: &Doc, sink: &mut Sink) {
    let f = &doc.fields;
    for (field, ids) in [
        ("related_docs", &f.related_docs),
        ("supersedes", &f.supersedes),
        ("superseded_by", &f.superseded_by),
    ] {
        for r in ids {
            if !index.by_id.contains_key(r.value.as_str()) {
                sink.emit(
                    rules::DANGLING_REFERENCE,
                    &doc.path,
                    r.line,
                    r.col,
                    format!(
                        "`{field}` names {}, which no document has{}",
                        r.value,
                        index.suggestion(&r.value)
                    ),
                );
            }
        }
    }
}

/// Supersede edges run old → new; a cycle is reported once, at its smallest id.
fn cycles(repo: &Repo, index: &Index, sink: &mut Sink) {
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for doc in &repo.docs {
        let Some(me) = doc.fields.doc_id.as_ref().map(|s| s.value.as_str()) else {
            continue;
        };
        for n in &doc.fields.superseded_by {
            if index.by_id.contains_key(n.value.as_str()) {
                next.entry(me).or_default().push(n.value.as_str());
            }
        }
        for o in &doc.fields.supersedes {
            if let Some((key, _)) = index.by_id.get_key_value(o.value.as_str()) {
                next.entry(key).or_default().push(me);
            }
        }
    }
    for v in next.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    // Iterative DFS with colours: 1 = on the path, 2 = done.
    let mut colour: HashMap<&str, u8> = HashMap::new();
    let mut starts: Vec<&str> = next.keys().copied().collect();
    starts.sort_unstable();
    let mut reported: Vec<Vec<&str>> = Vec::new();
    for start in starts {
        if colour.contains_key(start) {
            continue;
        }
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        colour.insert(start, 1);
        while let Some((node, i)) = path.last_mut() {
            let succ = next.get(*node).map(Vec::as_slice).unwrap_or(&[]);
            if *i >= succ.len() {
                colour.insert(node, 2);
                path.pop();
                continue;
            }
            let s = succ[*i];
            *i += 1;
            match colour.get(s) {
                Some(1) => {
                    let from = path.iter().position(|(n, _)| *n == s).unwrap_or(0);
                    let mut cycle: Vec<&str> = path[from..].iter().map(|(n, _)| *n).collect();
                    let min = cycle
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, n)| **n)
                        .map_or(0, |(i, _)| i);
                    cycle.rotate_left(min);
                    if !reported.contains(&cycle) {
                        reported.push(cycle);
                    }
                }
                Some(_) => {}
                None => {
                    colour.insert(s, 1);
                    path.push((s, 0));
                }
            }
        }
    }
    for cycle in reported {
        let Some(doc) = index.get(repo, cycle[0]) else {
            continue;
        };
        let mut shown = cycle.join(" → ");
        shown.push_str(&format!(" → {}", cycle[0]));
        let line = doc
            .fields
            .key_line("superseded_by")
            .or(doc.fields.key_line("supersedes"))
            .unwrap_or(id_line(doc));
        let rel = cycle[1..]
            .iter()
            .filter_map(|id| index.get(repo, id))
            .map(|d| related(d, id_line(d), "part of the cycle"))
            .collect();
        sink.emit_related(
            rules::SUPERSEDE_CYCLE,
            &doc.path,
            line,
            1,
            format!("supersede cycle: {shown}"),
            rel,
        );
    }
}
