//! The HTML report of `genie matrix --format html`: one self-contained file (no
//! network, no external assets) with the issue map coloured by status, filters by
//! stage, status and type, search as you type over ids and titles, the releases,
//! every document, and the relation graph drawn in an inline SVG by a little
//! vanilla JavaScript (a layered layout: issues, then the stages left to right).
//!
//! The tables are written here, so the page reads without JavaScript too; the
//! script filters them and draws the graph from the JSON embedded in the page.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use super::graph::Graph;
use super::matrix::{DocRef, MatrixReport};
use super::{Trace, doc_label, doc_status, doc_type};

const CSS: &str = include_str!("assets/report.css");
const JS: &str = include_str!("assets/report.js");

/// Text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON that can sit inside a `<script>` element: `<`, `>` and `&` as `\u` escapes
/// (they only occur inside strings), so no `</script>` or `<!--` can appear.
fn script_json<T: Serialize>(v: &T) -> String {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Serialize)]
struct DataDoc<'a> {
    id: &'a str,
    title: Option<&'a str>,
    #[serde(rename = "type")]
    doc_type: Option<&'a str>,
    status: Option<&'a str>,
    class: &'a str,
    owner: Option<&'a str>,
    path: &'a str,
    /// Index of the layer (stage) the type belongs to.
    layer: usize,
}

#[derive(Serialize)]
struct DataItem {
    id: String,
    key: String,
    title: Option<String>,
    class: &'static str,
    status: String,
}

#[derive(Serialize)]
struct Data<'a> {
    /// Layer names: `issues & PRs`, then stages, then `other`.
    layers: Vec<String>,
    items: Vec<DataItem>,
    docs: Vec<DataDoc<'a>>,
    /// (kind, from, to) with kinds: supersedes, related, tracks, implements.
    edges: Vec<(String, String, String)>,
}

fn class_of(canonical: Option<&str>) -> &str {
    match canonical {
        Some(c) => c,
        None => "none",
    }
}

fn chip(d: &DocRef) -> String {
    let class = d.canonical_status.as_deref().unwrap_or("none");
    let status = match (&d.status, d.path.is_none()) {
        (_, true) => "missing".to_string(),
        (Some(s), _) => s.clone(),
        (None, _) => "no status".to_string(),
    };
    let tip = match &d.title {
        Some(t) => format!("{} — {t} ({status})", d.doc_id),
        None => format!("{} ({status})", d.doc_id),
    };
    format!(
        "<button type=\"button\" class=\"doc s-{}\" data-doc=\"{}\" data-type=\"{}\" data-status=\"{}\" title=\"{}\">{}<small>{}</small></button>",
        esc(class),
        esc(&d.doc_id),
        esc(d.doc_type.as_deref().unwrap_or("")),
        esc(class),
        esc(&tip),
        esc(&d.doc_id),
        esc(&status)
    )
}

/// The whole page.
pub fn render(trace: &Trace, report: &MatrixReport) -> String {
    let repo = trace.repo;
    let config = &repo.config;
    let name = config.repository.clone().unwrap_or_else(|| {
        std::fs::canonicalize(&repo.root)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "repository".into())
    });
    let graph = Graph::build(trace);

    // Layers: 0 issues and PRs, then every stage, then types no stage requires.
    let mut layers = vec!["issues & PRs".to_string()];
    layers.extend(config.stage_order.iter().cloned());
    layers.push("other".into());
    let layer_of = |t: Option<&str>| -> usize {
        t.and_then(|t| config.stage_of_type(t))
            .and_then(|s| config.stage_order.iter().position(|x| x == s))
            .map_or(layers.len() - 1, |p| p + 1)
    };
    let mut docs: Vec<DataDoc> = Vec::new();
    for (id, idx) in &trace.index.by_id {
        let d = &repo.docs[idx[0]];
        docs.push(DataDoc {
            id,
            title: d.fields.title.as_deref(),
            doc_type: doc_type(d),
            status: doc_status(d),
            class: class_of(d.fields.canonical_status.as_deref()),
            owner: d.fields.owner_role.as_deref(),
            path: &d.path,
            layer: layer_of(doc_type(d)),
        });
    }
    docs.sort_by(|a, b| super::natural_cmp(a.id, b.id));
    let items: Vec<DataItem> = trace
        .items
        .iter()
        .map(|it| DataItem {
            id: it.slug(),
            key: it.key(),
            title: it.title.clone(),
            class: it.status.kind.as_str(),
            status: it.status.text(),
        })
        .collect();
    let known: BTreeSet<&str> = docs
        .iter()
        .map(|d| d.id)
        .chain(items.iter().map(|i| i.id.as_str()))
        .collect();
    let edges: Vec<(String, String, String)> = graph
        .edges
        .iter()
        .filter(|e| known.contains(e.from.as_str()) && known.contains(e.to.as_str()))
        .map(|e| {
            let kind = serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            (kind, e.from.clone(), e.to.clone())
        })
        .collect();
    let data = Data {
        layers: layers.clone(),
        items,
        docs,
        edges,
    };

    let mut h = String::with_capacity(64 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
    h.push_str("<meta name=\"generator\" content=\"genie\">\n");
    let _ = writeln!(h, "<title>Issue map · {}</title>", esc(&name));
    let _ = writeln!(h, "<style>\n{CSS}</style>\n</head>\n<body>");

    // Header and summary.
    let issues = report.rows.iter().filter(|r| r.kind == "issue").count();
    let prs = report.rows.len() - issues;
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &report.rows {
        *kinds.entry(r.status.kind.as_str()).or_default() += 1;
    }
    let _ = writeln!(
        h,
        "<header>\n<div class=\"title\"><h1>Issue map</h1><span class=\"repo\">{}</span></div>",
        esc(&name)
    );
    let _ = write!(
        h,
        "<p class=\"summary\"><b>{issues}</b> issue{} · <b>{prs}</b> pull request{} · <b>{}</b> document{} · <b>{}</b> release{}",
        if issues == 1 { "" } else { "s" },
        if prs == 1 { "" } else { "s" },
        repo.docs.len(),
        if repo.docs.len() == 1 { "" } else { "s" },
        report.releases.len(),
        if report.releases.len() == 1 { "" } else { "s" },
    );
    for k in [
        "active",
        "blocked",
        "done",
        "abandoned",
        "untracked",
        "invalid",
    ] {
        if let Some(n) = kinds.get(k) {
            let _ = write!(h, " <span class=\"pill k-{k}\">{n} {k}</span>");
        }
    }
    h.push_str("</p>\n</header>\n");

    // Controls.
    h.push_str("<nav class=\"controls\" aria-label=\"Filters\">\n");
    h.push_str("<input type=\"search\" id=\"q\" placeholder=\"Search ids and titles…\" autocomplete=\"off\" aria-label=\"Search ids and titles\">\n");
    h.push_str(
        "<select id=\"f-stage\" aria-label=\"Stage\"><option value=\"\">All stages</option>",
    );
    let used_stages: BTreeSet<&str> = report
        .rows
        .iter()
        .filter_map(|r| r.status.stage.as_deref())
        .collect();
    for s in config
        .stage_order
        .iter()
        .filter(|s| used_stages.contains(s.as_str()))
    {
        let _ = write!(h, "<option value=\"{0}\">{0}</option>", esc(s));
    }
    h.push_str("</select>\n<select id=\"f-status\" aria-label=\"Status\"><option value=\"\">Any status</option><optgroup label=\"Issues and PRs\">");
    for k in kinds.keys() {
        let _ = write!(h, "<option value=\"item:{0}\">{0}</option>", esc(k));
    }
    h.push_str("</optgroup><optgroup label=\"Documents\">");
    let doc_statuses: BTreeSet<&str> = repo
        .docs
        .iter()
        .filter_map(|d| d.fields.canonical_status.as_deref())
        .collect();
    for s in config
        .statuses
        .values
        .iter()
        .filter(|s| doc_statuses.contains(s.as_str()))
    {
        let _ = write!(h, "<option value=\"doc:{0}\">{0}</option>", esc(s));
    }
    h.push_str("</optgroup></select>\n<select id=\"f-type\" aria-label=\"Document type\"><option value=\"\">All types</option>");
    let used_types: BTreeSet<&str> = repo.docs.iter().filter_map(doc_type).collect();
    for t in used_types {
        let _ = write!(h, "<option value=\"{0}\">{0}</option>", esc(t));
    }
    h.push_str("</select>\n<button type=\"button\" id=\"reset\">Reset</button>\n<span id=\"count\" aria-live=\"polite\"></span>\n</nav>\n<main>\n");

    // The matrix.
    h.push_str("<section id=\"matrix-section\">\n<h2>Matrix</h2>\n");
    if report.rows.is_empty() {
        h.push_str(
            "<p class=\"empty\">No issue or pull request is linked to a document yet.</p>\n",
        );
    }
    h.push_str("<div class=\"table-wrap\"><table id=\"matrix\">\n<thead><tr>");
    for c in &report.columns {
        let _ = write!(h, "<th scope=\"col\">{}</th>", esc(&c.header));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in &report.rows {
        let types: BTreeSet<&str> = row
            .docs
            .iter()
            .filter_map(|d| d.doc_type.as_deref())
            .collect();
        let doc_classes: BTreeSet<&str> = row
            .docs
            .iter()
            .filter_map(|d| d.canonical_status.as_deref())
            .collect();
        let mut search = format!("{} {}", row.key, row.title.as_deref().unwrap_or(""));
        for d in &row.docs {
            let _ = write!(search, " {} {}", d.doc_id, d.title.as_deref().unwrap_or(""));
        }
        let node = if row.kind == "pr" {
            format!("pr-{}", row.number)
        } else {
            format!("issue-{}", row.number)
        };
        let _ = write!(
            h,
            "<tr data-item=\"{}\" data-kind=\"{}\" data-stage=\"{}\" data-status=\"{}\" data-types=\"{}\" data-doc-statuses=\"{}\" data-search=\"{}\">",
            node,
            row.kind,
            esc(row.status.stage.as_deref().unwrap_or("")),
            row.status.kind.as_str(),
            esc(&types.into_iter().collect::<Vec<_>>().join(" ")),
            esc(&doc_classes.into_iter().collect::<Vec<_>>().join(" ")),
            esc(&search.to_lowercase()),
        );
        for (cell, col) in row.cells.iter().zip(&report.columns) {
            h.push_str("<td>");
            if let Some(docs) = &cell.docs {
                for d in docs {
                    h.push_str(&chip(d));
                }
            } else {
                let text = cell.text.clone().unwrap_or_default();
                match col.value {
                    Some(crate::config::ColumnValue::Status) => {
                        let _ = write!(
                            h,
                            "<span class=\"pill k-{}\" title=\"{}\">{}</span>",
                            row.status.kind.as_str(),
                            esc(&row.status.gaps.join("\n")),
                            esc(&row.status.label)
                        );
                        if !row.status.detail.is_empty() {
                            let _ = write!(
                                h,
                                "<div class=\"detail\">{}</div>",
                                esc(&row.status.detail)
                            );
                        }
                    }
                    Some(crate::config::ColumnValue::Item) => {
                        let _ = write!(
                            h,
                            "<button type=\"button\" class=\"item\" data-node=\"{}\"><b>{}</b> {}</button>",
                            node,
                            esc(&row.key),
                            esc(row.title.as_deref().unwrap_or(""))
                        );
                    }
                    Some(crate::config::ColumnValue::Docset) => {
                        let short = text.rsplit('/').next().unwrap_or(&text);
                        let _ = write!(h, "<code title=\"{}\">{}</code>", esc(&text), esc(short));
                    }
                    _ => h.push_str(&esc(&text)),
                }
            }
            h.push_str("</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n</section>\n");

    // The graph.
    h.push_str("<section id=\"graph-section\">\n<h2>Relations</h2>\n");
    h.push_str("<p class=\"legend\"><span class=\"e e-tracks\"></span>issue or PR → document <span class=\"e e-related\"></span>related_docs <span class=\"e e-supersedes\"></span>supersedes <span class=\"e e-implements\"></span>PR implements issue · click a node to focus it, click the background to clear</p>\n");
    h.push_str("<div class=\"graph-wrap\"><svg id=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Relation graph\" width=\"800\" height=\"120\"></svg></div>\n<p id=\"graph-note\" class=\"empty\"></p>\n<div id=\"info\" class=\"info\" hidden></div>\n</section>\n");

    // Releases.
    h.push_str("<section id=\"releases\">\n<h2>Releases</h2>\n");
    if report.releases.is_empty() {
        h.push_str("<p class=\"empty\">No document carries a <code>release.version</code> and no DocSet names a release.</p>\n");
    }
    for r in &report.releases {
        let _ = write!(
            h,
            "<article class=\"release\"><h3>{}</h3><dl>",
            esc(&r.version)
        );
        let list = |items: &[super::matrix::ItemRef]| -> String {
            if items.is_empty() {
                return "<span class=\"none\">none</span>".into();
            }
            items
                .iter()
                .map(|i| {
                    format!(
                        "<span class=\"ref\"><b>{}</b> {}</span>",
                        esc(&i.key),
                        esc(i.title.as_deref().unwrap_or(""))
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let docs = |docs: &[DocRef]| -> String {
            if docs.is_empty() {
                return "<span class=\"none\">none linked</span>".into();
            }
            docs.iter().map(chip).collect::<String>()
        };
        let _ = write!(
            h,
            "<dt>Issues</dt><dd>{}</dd><dt>Pull requests</dt><dd>{}</dd><dt>Release documents</dt><dd>{}</dd><dt>Decisions</dt><dd>{}</dd></dl></article>",
            list(&r.issues),
            list(&r.prs),
            docs(&r.docs),
            docs(&r.decisions)
        );
        h.push('\n');
    }
    h.push_str("</section>\n");

    // Every document.
    let items_of = trace.items_of_docs();
    h.push_str("<section id=\"documents\">\n<h2>Documents</h2>\n<div class=\"table-wrap\"><table id=\"docs\">\n<thead><tr><th scope=\"col\">doc_id</th><th scope=\"col\">title</th><th scope=\"col\">type</th><th scope=\"col\">status</th><th scope=\"col\">owner</th><th scope=\"col\">issues and PRs</th><th scope=\"col\">path</th></tr></thead>\n<tbody>\n");
    let mut order: Vec<usize> = (0..repo.docs.len()).collect();
    order.sort_by(|&a, &b| {
        super::natural_cmp(doc_label(&repo.docs[a]), doc_label(&repo.docs[b]))
            .then_with(|| repo.docs[a].path.cmp(&repo.docs[b].path))
    });
    for i in order {
        let d = &repo.docs[i];
        let id = doc_label(d);
        let class = class_of(d.fields.canonical_status.as_deref());
        let stage = doc_type(d)
            .and_then(|t| config.stage_of_type(t))
            .unwrap_or("");
        let its: Vec<String> = items_of
            .get(&i)
            .into_iter()
            .flatten()
            .map(|&it| trace.items[it].key())
            .collect();
        let search = format!(
            "{} {} {}",
            id,
            d.fields.title.as_deref().unwrap_or(""),
            d.path
        );
        let _ = writeln!(
            h,
            "<tr data-doc=\"{}\" data-type=\"{}\" data-status=\"{}\" data-stage=\"{}\" data-items=\"{}\" data-search=\"{}\"><td><button type=\"button\" class=\"doc s-{}\" data-doc=\"{}\">{}</button></td><td>{}</td><td>{}</td><td><span class=\"st s-{}\">{}</span></td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(id),
            esc(doc_type(d).unwrap_or("")),
            esc(class),
            esc(stage),
            esc(&its.join(" ")),
            esc(&search.to_lowercase()),
            esc(class),
            esc(id),
            esc(id),
            esc(d.fields.title.as_deref().unwrap_or("")),
            esc(doc_type(d).unwrap_or("")),
            esc(class),
            esc(doc_status(d).unwrap_or("")),
            esc(d.fields.owner_role.as_deref().unwrap_or("")),
            esc(&its.join(", ")),
            esc(&d.path)
        );
    }
    h.push_str("</tbody></table></div>\n</section>\n");

    if !report.notes.is_empty() {
        h.push_str("<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
        for n in &report.notes {
            let _ = writeln!(
                h,
                "<li>{}{}</li>",
                n.path
                    .as_deref()
                    .map(|p| format!("<code>{}</code>: ", esc(p)))
                    .unwrap_or_default(),
                esc(&n.message)
            );
        }
        h.push_str("</ul>\n</section>\n");
    }
    h.push_str("</main>\n<footer>Generated by genie from the repository alone: front-matter, DocSets and configuration.</footer>\n");
    let _ = writeln!(
        h,
        "<script type=\"application/json\" id=\"genie-data\">{}</script>",
        script_json(&data)
    );
    let _ = write!(h, "<script>\n{JS}</script>\n</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script() {
        let s = script_json(&vec!["</script><!-- & >"]);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back, ["</script><!-- & >"]);
    }

    #[test]
    fn escapes_text() {
        assert_eq!(esc("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
    }
}
