//! The issue map: one row per issue and per pull request, a column per configured
//! group of document types, the derived status, and what shipped in each release.
//! Written as Markdown (the generated `docs/_index/issue-map.md`), CSV, JSON,
//! Mermaid, or the HTML report ([`super::html`]).

use std::collections::BTreeSet;

use serde::Serialize;

use super::graph::{Edge, EdgeKind, Graph, Node, NodeKind, item_node};
use super::{Item, Note, Status, Trace, doc_label, doc_status, doc_type, item_key};
use crate::config::{ColumnConfig, ColumnValue};
use crate::model::docset::Kind;

/// A document as a cell shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocRef {
    pub doc_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
    /// As written (`accepted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Aliases resolved (`approved`); `missing` for an id no document has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_role: Option<String>,
    /// `None` for a doc_id a DocSet lists that no document has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl DocRef {
    pub fn of(trace: &Trace, d: usize) -> DocRef {
        let doc = &trace.repo.docs[d];
        DocRef {
            doc_id: doc_label(doc).to_string(),
            title: doc.fields.title.clone(),
            doc_type: doc_type(doc).map(str::to_string),
            status: doc_status(doc).map(str::to_string),
            canonical_status: doc.fields.canonical_status.clone(),
            owner_role: doc.fields.owner_role.clone(),
            path: Some(doc.path.clone()),
        }
    }

    /// `PRD-0001 (approved)`.
    pub fn text(&self) -> String {
        match self.status.as_deref() {
            Some(s) => format!("{} ({s})", self.doc_id),
            None if self.path.is_none() => format!("{} (missing)", self.doc_id),
            None => self.doc_id.clone(),
        }
    }
}

/// One cell: a value, or documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub header: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docs: Option<Vec<DocRef>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `issue` or `pr`.
    pub kind: &'static str,
    pub number: u64,
    /// `#12` or `PR #44`.
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Path of the DocSet file, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docset: Option<String>,
    pub status: Status,
    /// Issue: the PRs that implement it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prs: Vec<u64>,
    /// PR: the issue it implements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub releases: Vec<String>,
    /// Every linked document (in the columns or not), by doc_id.
    pub docs: Vec<DocRef>,
    /// The configured columns, in order.
    pub cells: Vec<Cell>,
}

/// An issue or PR as a release lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRef {
    pub key: String,
    pub number: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReleaseRow {
    pub version: String,
    pub issues: Vec<ItemRef>,
    pub prs: Vec<ItemRef>,
    /// Documents whose `release.version` is this one.
    pub docs: Vec<DocRef>,
    /// Documents of `trace.decision_types` linked to those issues and PRs.
    pub decisions: Vec<DocRef>,
}

/// `genie matrix --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixReport {
    pub version: u32,
    pub columns: Vec<ColumnConfig>,
    pub rows: Vec<Row>,
    pub releases: Vec<ReleaseRow>,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixFormat {
    Md,
    Csv,
    Json,
    Html,
    Mermaid,
}

fn item_ref(trace: &Trace, kind: Kind, n: u64) -> ItemRef {
    let item = trace.item(kind, n);
    ItemRef {
        key: item_key(kind, n),
        number: n,
        title: item.and_then(|i| i.title.clone()),
        status: item.map(|i| i.status.text()),
    }
}

fn cell_docs(trace: &Trace, item: &Item, types: &[String]) -> Vec<DocRef> {
    let mut out: Vec<DocRef> = item
        .docs
        .iter()
        .filter(|&&d| doc_type(&trace.repo.docs[d]).is_some_and(|t| types.iter().any(|x| x == t)))
        .map(|&d| DocRef::of(trace, d))
        .collect();
    for m in &item.missing {
        if m.doc_type
            .as_deref()
            .is_some_and(|t| types.iter().any(|x| x == t))
        {
            out.push(DocRef {
                doc_id: m.doc_id.clone(),
                title: None,
                doc_type: m.doc_type.clone(),
                status: None,
                canonical_status: Some("missing".into()),
                owner_role: None,
                path: None,
            });
        }
    }
    out.sort_by(|a, b| super::natural_cmp(&a.doc_id, &b.doc_id));
    out
}

fn value_text(trace: &Trace, item: &Item, value: ColumnValue) -> String {
    match value {
        ColumnValue::Item => match &item.title {
            Some(t) => format!("{} {t}", item.key()),
            None => item.key(),
        },
        ColumnValue::Title => item.title.clone().unwrap_or_default(),
        ColumnValue::Docset => item
            .docset
            .map(|d| trace.repo.docsets[d].path.clone())
            .unwrap_or_default(),
        ColumnValue::Profile => item.status.profile.clone().unwrap_or_default(),
        ColumnValue::Stage => item.status.stage.clone().unwrap_or_default(),
        ColumnValue::Status => item.status.text(),
        ColumnValue::Release => item.releases.join(", "),
        ColumnValue::Links => match item.kind {
            Kind::Issue => item
                .prs
                .iter()
                .map(|p| item_key(Kind::Pr, *p))
                .collect::<Vec<_>>()
                .join(", "),
            Kind::Pr => item
                .issue
                .map(|i| item_key(Kind::Issue, i))
                .unwrap_or_default(),
        },
    }
}

/// The issue map of a repository.
pub fn build(trace: &Trace) -> MatrixReport {
    let columns = trace.repo.config.trace.columns.clone();
    let rows = trace
        .items
        .iter()
        .map(|item| Row {
            kind: match item.kind {
                Kind::Issue => "issue",
                Kind::Pr => "pr",
            },
            number: item.number,
            key: item.key(),
            title: item.title.clone(),
            docset: item.docset.map(|d| trace.repo.docsets[d].path.clone()),
            status: item.status.clone(),
            prs: item.prs.clone(),
            issue: item.issue,
            releases: item.releases.clone(),
            docs: item.docs.iter().map(|&d| DocRef::of(trace, d)).collect(),
            cells: columns
                .iter()
                .map(|c| Cell {
                    header: c.header.clone(),
                    text: c.value.map(|v| value_text(trace, item, v)),
                    docs: c.value.is_none().then(|| cell_docs(trace, item, &c.types)),
                })
                .collect(),
        })
        .collect();
    let releases = trace
        .releases
        .iter()
        .map(|r| ReleaseRow {
            version: r.version.clone(),
            issues: r
                .issues
                .iter()
                .map(|&n| item_ref(trace, Kind::Issue, n))
                .collect(),
            prs: r
                .prs
                .iter()
                .map(|&n| item_ref(trace, Kind::Pr, n))
                .collect(),
            docs: r.docs.iter().map(|&d| DocRef::of(trace, d)).collect(),
            decisions: r.decisions.iter().map(|&d| DocRef::of(trace, d)).collect(),
        })
        .collect();
    MatrixReport {
        version: 1,
        columns,
        rows,
        releases,
        notes: trace.notes.clone(),
    }
}

/// A table cell's text: no line breaks, `|` escaped.
pub fn md_cell(s: &str) -> String {
    s.replace(['\r', '\n'], " ").replace('|', "\\|")
}

/// Inline text: characters Markdown would read as syntax escaped.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn md_doc(d: &DocRef, file: &str) -> String {
    match (&d.path, &d.status) {
        (Some(p), Some(s)) => format!(
            "[{}]({}) {}",
            md_text(&d.doc_id),
            super::relative_link(file, p),
            md_text(s)
        ),
        (Some(p), None) => format!(
            "[{}]({})",
            md_text(&d.doc_id),
            super::relative_link(file, p)
        ),
        (None, _) => format!("{} (missing)", md_text(&d.doc_id)),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl MatrixReport {
    /// The Markdown body of the issue map (without the generated markers), with
    /// links relative to `file`.
    pub fn markdown(&self, file: &str) -> String {
        let mut s = String::from("# Issue map\n\n");
        let issues = self.rows.iter().filter(|r| r.kind == "issue").count();
        let prs = self.rows.len() - issues;
        s.push_str(&format!(
            "Every issue and pull request with its documents, from DocSets and front-matter: {}, {}, {}.\n\n",
            plural(issues, "issue", "issues"),
            plural(prs, "pull request", "pull requests"),
            plural(self.releases.len(), "release", "releases"),
        ));
        if self.rows.is_empty() {
            s.push_str("No issue or pull request is linked to a document yet.\n");
        } else {
            let headers: Vec<String> = self.columns.iter().map(|c| md_cell(&c.header)).collect();
            s.push_str(&format!("| {} |\n", headers.join(" | ")));
            s.push_str(&format!(
                "|{}\n",
                self.columns.iter().map(|_| " --- |").collect::<String>()
            ));
            for row in &self.rows {
                let cells: Vec<String> = row
                    .cells
                    .iter()
                    .zip(&self.columns)
                    .map(|(cell, col)| {
                        if let Some(docs) = &cell.docs {
                            return docs
                                .iter()
                                .map(|d| md_doc(d, file))
                                .collect::<Vec<_>>()
                                .join(", ");
                        }
                        let text = cell.text.clone().unwrap_or_default();
                        match col.value {
                            Some(ColumnValue::Docset) if !text.is_empty() => {
                                let name = text
                                    .rsplit('/')
                                    .next()
                                    .unwrap_or(&text)
                                    .trim_end_matches(".yaml")
                                    .trim_end_matches(".yml");
                                format!(
                                    "[{}]({})",
                                    md_text(name),
                                    super::relative_link(file, &text)
                                )
                            }
                            Some(ColumnValue::Status)
                                if row.status.kind == super::StatusKind::Blocked =>
                            {
                                format!("**{}**", md_text(&text))
                            }
                            _ => md_text(&text),
                        }
                    })
                    .map(|c| md_cell(&c))
                    .collect();
                s.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
        }
        if !self.releases.is_empty() {
            s.push_str("\n## Releases\n");
            for r in &self.releases {
                s.push_str(&format!("\n### {}\n\n", md_text(&r.version)));
                let items = |list: &[ItemRef]| -> String {
                    if list.is_empty() {
                        return "none".into();
                    }
                    list.iter()
                        .map(|i| {
                            let mut t = i.key.clone();
                            if let Some(title) = &i.title {
                                t.push(' ');
                                t.push_str(title);
                            }
                            if let Some(st) = &i.status {
                                t.push_str(&format!(" ({st})"));
                            }
                            md_text(&t)
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                let docs = |list: &[DocRef]| -> String {
                    if list.is_empty() {
                        return "none linked".into();
                    }
                    list.iter()
                        .map(|d| {
                            let mut t = md_doc(d, file);
                            if let Some(title) = &d.title {
                                t.push_str(&format!(" — {}", md_text(title)));
                            }
                            t
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                s.push_str(&format!("- Issues: {}\n", items(&r.issues)));
                s.push_str(&format!("- Pull requests: {}\n", items(&r.prs)));
                s.push_str(&format!("- Release documents: {}\n", docs(&r.docs)));
                s.push_str(&format!("- Decisions: {}\n", docs(&r.decisions)));
            }
        }
        s
    }

    /// CSV (RFC 4180 quoting, `\n` line ends): a header row, then one row per issue or PR.
    pub fn csv(&self) -> String {
        let mut s = String::new();
        let line = |cells: Vec<String>| -> String {
            let mut l = cells
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(",");
            l.push('\n');
            l
        };
        s.push_str(&line(
            self.columns.iter().map(|c| c.header.clone()).collect(),
        ));
        for row in &self.rows {
            s.push_str(&line(
                row.cells
                    .iter()
                    .map(|c| match (&c.text, &c.docs) {
                        (Some(t), _) => t.clone(),
                        (None, Some(docs)) => {
                            docs.iter().map(DocRef::text).collect::<Vec<_>>().join("; ")
                        }
                        (None, None) => String::new(),
                    })
                    .collect(),
            ));
        }
        s
    }

    /// Pretty JSON with a trailing newline.
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The issue map as a graph: releases ship issues and PRs, PRs implement issues,
/// issues and PRs track the documents of the matrix columns.
pub fn graph(trace: &Trace) -> Graph {
    let config = &trace.repo.config;
    let column_types: BTreeSet<&str> = config
        .trace
        .columns
        .iter()
        .flat_map(|c| c.types.iter().map(String::as_str))
        .collect();
    let mut g = Graph {
        version: 1,
        ..Graph::default()
    };
    let mut docs = BTreeSet::new();
    for item in &trace.items {
        g.nodes.push(item_node(item));
        for &d in &item.docs {
            let doc = &trace.repo.docs[d];
            if doc.fields.doc_id.is_some()
                && doc_type(doc).is_some_and(|t| column_types.contains(t))
            {
                docs.insert(d);
                g.edges.push(Edge {
                    kind: EdgeKind::Tracks,
                    from: item.slug(),
                    to: doc_label(doc).to_string(),
                });
            }
        }
        if let Some(issue) = item.issue.filter(|&i| trace.item(Kind::Issue, i).is_some()) {
            g.edges.push(Edge {
                kind: EdgeKind::Implements,
                from: item.slug(),
                to: super::item_slug(Kind::Issue, issue),
            });
        }
        for &pr in item
            .prs
            .iter()
            .filter(|&&p| trace.item(Kind::Pr, p).is_some())
        {
            g.edges.push(Edge {
                kind: EdgeKind::Implements,
                from: super::item_slug(Kind::Pr, pr),
                to: item.slug(),
            });
        }
    }
    for r in &trace.releases {
        let id = format!("release-{}", r.version);
        g.nodes.push(Node {
            id: id.clone(),
            kind: NodeKind::Release,
            label: r.version.clone(),
            title: None,
            doc_type: None,
            status: None,
            class: None,
            path: None,
        });
        for &n in &r.issues {
            if trace.item(Kind::Issue, n).is_some() {
                g.edges.push(Edge {
                    kind: EdgeKind::Ships,
                    from: id.clone(),
                    to: super::item_slug(Kind::Issue, n),
                });
            }
        }
        for &n in &r.prs {
            if trace.item(Kind::Pr, n).is_some() {
                g.edges.push(Edge {
                    kind: EdgeKind::Ships,
                    from: id.clone(),
                    to: super::item_slug(Kind::Pr, n),
                });
            }
        }
    }
    for d in docs {
        let doc = &trace.repo.docs[d];
        g.nodes.push(Node {
            id: doc_label(doc).to_string(),
            kind: NodeKind::Doc,
            label: doc_label(doc).to_string(),
            title: doc.fields.title.clone(),
            doc_type: doc_type(doc).map(str::to_string),
            status: doc_status(doc).map(str::to_string),
            class: doc.fields.canonical_status.clone(),
            path: Some(doc.path.clone()),
        });
    }
    g.sort();
    g
}

/// The full issue-map file: `existing` (the file as it is, if any) with the
/// generated section replaced.
pub fn issue_map_file(
    report: &MatrixReport,
    file: &str,
    existing: Option<&str>,
) -> Result<String, super::generated::SpliceError> {
    let section = super::generated::section("genie matrix --write", &report.markdown(file));
    super::generated::splice(existing, &section)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn markdown_text_is_escaped() {
        assert_eq!(md_text("a|b [c] *d*"), "a|b \\[c\\] \\*d\\*");
        assert_eq!(md_cell("a|b\nc"), "a\\|b c");
    }
}
