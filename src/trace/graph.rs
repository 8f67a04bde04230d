//! The relation graph: documents, issues and PRs, and how they relate
//! (supersedes, related_docs, issue ↔ document, PR → issue), as data and as
//! Mermaid or Graphviz DOT text.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};

use serde::Serialize;

use super::{Item, Target, Trace, doc_label, doc_status, doc_type, item_slug, natural_cmp};
use crate::model::docset::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    Issue,
    Pr,
    Release,
    Doc,
    /// A doc_id a DocSet lists that no document has.
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// `ADR-0003`, `issue-12`, `pr-44`, `release-v1.2.0`.
    pub id: String,
    pub kind: NodeKind,
    /// What to show: the doc_id, `#12`, `PR #44`, the version.
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
    /// A document's status as written; an issue's or PR's derived status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The canonical status (documents), or the status kind (issues and PRs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// From the newer document to the one it supersedes.
    Supersedes,
    /// related_docs, either direction (drawn once per pair).
    Related,
    /// From an issue or PR to one of its documents.
    Tracks,
    /// From a PR to the issue it implements.
    Implements,
    /// From a release to an issue or PR that ships in it.
    Ships,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Edge {
    pub kind: EdgeKind,
    pub from: String,
    pub to: String,
}

/// Nodes (issues, PRs, releases, then documents, each in natural order) and edges.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Graph {
    pub version: u32,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Json,
}

pub fn item_node(item: &Item) -> Node {
    Node {
        id: item.slug(),
        kind: match item.kind {
            Kind::Issue => NodeKind::Issue,
            Kind::Pr => NodeKind::Pr,
        },
        label: item.key(),
        title: item.title.clone(),
        doc_type: None,
        status: Some(item.status.text()),
        class: Some(item.status.kind.as_str().to_string()),
        path: None,
    }
}

fn doc_node(trace: &Trace, d: usize) -> Node {
    let doc = &trace.repo.docs[d];
    Node {
        id: doc_label(doc).to_string(),
        kind: NodeKind::Doc,
        label: doc_label(doc).to_string(),
        title: doc.fields.title.clone(),
        doc_type: doc_type(doc).map(str::to_string),
        status: doc_status(doc).map(str::to_string),
        class: doc.fields.canonical_status.clone(),
        path: Some(doc.path.clone()),
    }
}

impl Graph {
    /// Every relation in the repository.
    pub fn build(trace: &Trace) -> Graph {
        let repo = trace.repo;
        let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
        let mut edges: BTreeSet<Edge> = BTreeSet::new();
        for item in &trace.items {
            nodes.insert(item.slug(), item_node(item));
        }
        // PRs named only in an issue's DocSet.
        for item in &trace.items {
            for &pr in &item.prs {
                nodes
                    .entry(item_slug(Kind::Pr, pr))
                    .or_insert_with(|| Node {
                        id: item_slug(Kind::Pr, pr),
                        kind: NodeKind::Pr,
                        label: super::item_key(Kind::Pr, pr),
                        title: None,
                        doc_type: None,
                        status: None,
                        class: None,
                        path: None,
                    });
                edges.insert(Edge {
                    kind: EdgeKind::Implements,
                    from: item_slug(Kind::Pr, pr),
                    to: item.slug(),
                });
            }
            if let Some(issue) = item.issue {
                let to = item_slug(Kind::Issue, issue);
                nodes.entry(to.clone()).or_insert_with(|| Node {
                    id: to.clone(),
                    kind: NodeKind::Issue,
                    label: super::item_key(Kind::Issue, issue),
                    title: None,
                    doc_type: None,
                    status: None,
                    class: None,
                    path: None,
                });
                edges.insert(Edge {
                    kind: EdgeKind::Implements,
                    from: item.slug(),
                    to,
                });
            }
        }
        for (id, docs) in &trace.index.by_id {
            nodes.insert(id.to_string(), doc_node(trace, docs[0]));
        }
        let exists = |id: &str| trace.index.by_id.contains_key(id);
        for (id, docs) in &trace.index.by_id {
            let f = &repo.docs[docs[0]].fields;
            for old in f.supersedes.iter().filter(|s| exists(&s.value)) {
                edges.insert(Edge {
                    kind: EdgeKind::Supersedes,
                    from: id.to_string(),
                    to: old.value.clone(),
                });
            }
            for new in f.superseded_by.iter().filter(|s| exists(&s.value)) {
                edges.insert(Edge {
                    kind: EdgeKind::Supersedes,
                    from: new.value.clone(),
                    to: id.to_string(),
                });
            }
            for r in f.related_docs.iter().filter(|s| exists(&s.value)) {
                if r.value == *id {
                    continue;
                }
                let (a, b) = if natural_cmp(id, &r.value).is_le() {
                    (id.to_string(), r.value.clone())
                } else {
                    (r.value.clone(), id.to_string())
                };
                edges.insert(Edge {
                    kind: EdgeKind::Related,
                    from: a,
                    to: b,
                });
            }
        }
        for item in &trace.items {
            for &d in &item.docs {
                let doc = &repo.docs[d];
                if doc.fields.doc_id.is_none() {
                    continue;
                }
                edges.insert(Edge {
                    kind: EdgeKind::Tracks,
                    from: item.slug(),
                    to: doc_label(doc).to_string(),
                });
            }
            for m in &item.missing {
                nodes.entry(m.doc_id.clone()).or_insert_with(|| Node {
                    id: m.doc_id.clone(),
                    kind: NodeKind::Missing,
                    label: m.doc_id.clone(),
                    title: None,
                    doc_type: m.doc_type.clone(),
                    status: Some("missing".into()),
                    class: Some("missing".into()),
                    path: None,
                });
                edges.insert(Edge {
                    kind: EdgeKind::Tracks,
                    from: item.slug(),
                    to: m.doc_id.clone(),
                });
            }
        }
        let mut graph = Graph {
            version: 1,
            nodes: nodes.into_values().collect(),
            edges: edges.into_iter().collect(),
        };
        graph.sort();
        graph
    }

    /// Issues, PRs and releases first (by number), then documents by doc_id;
    /// edges by kind, source and target.
    pub fn sort(&mut self) {
        let rank = |n: &Node| -> (u8, u64) {
            let num =
                n.id.rsplit('-')
                    .next()
                    .and_then(|x| x.parse().ok())
                    .unwrap_or(0);
            match n.kind {
                NodeKind::Issue => (0, num),
                NodeKind::Pr => (1, num),
                NodeKind::Release => (2, 0),
                NodeKind::Doc | NodeKind::Missing => (3, 0),
            }
        };
        self.nodes.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then_with(|| natural_cmp(&a.id, &b.id))
        });
        self.nodes.dedup_by(|a, b| a.id == b.id);
        self.edges.sort_by(|a, b| {
            a.kind
                .cmp(&b.kind)
                .then_with(|| natural_cmp(&a.from, &b.from))
                .then_with(|| natural_cmp(&a.to, &b.to))
        });
        self.edges.dedup();
    }

    /// The id of the node a target names, when the graph has it.
    pub fn node_id(&self, target: &Target) -> Option<String> {
        let id = match target {
            Target::Doc(id) => id.clone(),
            Target::Item(kind, n) => item_slug(*kind, *n),
        };
        self.nodes.iter().any(|n| n.id == id).then_some(id)
    }

    /// The nodes `ids` and their direct neighbours, with the edges among them.
    pub fn around(&self, ids: &[String]) -> Graph {
        let mut keep: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        for e in &self.edges {
            if ids.contains(&e.from) {
                keep.insert(&e.to);
            }
            if ids.contains(&e.to) {
                keep.insert(&e.from);
            }
        }
        Graph {
            version: self.version,
            nodes: self
                .nodes
                .iter()
                .filter(|n| keep.contains(n.id.as_str()))
                .cloned()
                .collect(),
            edges: self
                .edges
                .iter()
                .filter(|e| keep.contains(e.from.as_str()) && keep.contains(e.to.as_str()))
                .cloned()
                .collect(),
        }
    }

    pub fn write(&self, format: GraphFormat, out: &mut dyn Write) -> io::Result<()> {
        match format {
            GraphFormat::Mermaid => out.write_all(self.mermaid().as_bytes()),
            GraphFormat::Dot => out.write_all(self.dot().as_bytes()),
            GraphFormat::Json => {
                serde_json::to_writer_pretty(&mut *out, self).map_err(io::Error::from)?;
                writeln!(out)
            }
        }
    }

    /// Mermaid flowchart source.
    pub fn mermaid(&self) -> String {
        let ids = mermaid_ids(&self.nodes);
        let mut s = String::from("flowchart LR\n");
        for (class, style) in CLASS_STYLES {
            s.push_str(&format!("  classDef {class} {style}\n"));
        }
        for n in &self.nodes {
            let id = &ids[&n.id];
            let mut label = mermaid_text(&n.label);
            if let Some(t) = &n.title {
                label.push_str("<br/>");
                label.push_str(&mermaid_text(&shorten(t, 48)));
            }
            let shaped = match n.kind {
                NodeKind::Issue | NodeKind::Pr => format!("{id}([\"{label}\"])"),
                NodeKind::Release => format!("{id}{{{{\"{label}\"}}}}"),
                NodeKind::Doc | NodeKind::Missing => format!("{id}[\"{label}\"]"),
            };
            s.push_str("  ");
            s.push_str(&shaped);
            s.push('\n');
        }
        for e in &self.edges {
            let (from, to) = (&ids[&e.from], &ids[&e.to]);
            let arrow = match e.kind {
                EdgeKind::Supersedes => "-->|supersedes|",
                EdgeKind::Related => "-.-",
                EdgeKind::Tracks => "-->",
                EdgeKind::Implements => "-->|implements|",
                EdgeKind::Ships => "-->|ships|",
            };
            s.push_str(&format!("  {from} {arrow} {to}\n"));
        }
        let mut by_class: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for n in &self.nodes {
            if let Some(c) = n.class.as_deref().filter(|c| known_class(c)) {
                by_class.entry(c).or_default().push(&ids[&n.id]);
            }
        }
        for (class, members) in by_class {
            s.push_str(&format!("  class {} {class}\n", members.join(",")));
        }
        s
    }

    /// Graphviz DOT source.
    pub fn dot(&self) -> String {
        let mut s = String::from(
            "digraph genie {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fillcolor=\"#ffffff\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
        );
        for n in &self.nodes {
            let mut label = n.label.clone();
            if let Some(t) = &n.title {
                label.push('\n');
                label.push_str(&shorten(t, 48));
            }
            let shape = match n.kind {
                NodeKind::Issue | NodeKind::Pr => ", shape=ellipse",
                NodeKind::Release => ", shape=hexagon",
                NodeKind::Missing => ", style=\"rounded,dashed\"",
                NodeKind::Doc => "",
            };
            let fill = n
                .class
                .as_deref()
                .and_then(class_colors)
                .map(|(fill, stroke)| format!(", fillcolor=\"{fill}\", color=\"{stroke}\""))
                .unwrap_or_default();
            s.push_str(&format!(
                "  {} [label={}{shape}{fill}];\n",
                dot_quote(&n.id),
                dot_quote(&label)
            ));
        }
        for e in &self.edges {
            let attrs = match e.kind {
                EdgeKind::Supersedes => " [label=\"supersedes\"]",
                EdgeKind::Related => " [dir=none, style=dashed]",
                EdgeKind::Tracks => "",
                EdgeKind::Implements => " [label=\"implements\"]",
                EdgeKind::Ships => " [label=\"ships\"]",
            };
            s.push_str(&format!(
                "  {} -> {}{attrs};\n",
                dot_quote(&e.from),
                dot_quote(&e.to)
            ));
        }
        s.push_str("}\n");
        s
    }
}

/// Fill and stroke colours of a status class.
pub fn class_colors(class: &str) -> Option<(&'static str, &'static str)> {
    Some(match class {
        "approved" | "done" => ("#d7f0de", "#2e8b57"),
        "in-review" => ("#fdf0d2", "#c98a12"),
        "draft" | "untracked" => ("#eceff3", "#7a8494"),
        "superseded" => ("#e9e2f6", "#7152b0"),
        "obsolete" | "abandoned" => ("#e3e3e3", "#5f6368"),
        "blocked" | "missing" | "invalid" => ("#fbe0de", "#c0392b"),
        "active" => ("#dde8fb", "#2f6fd6"),
        _ => return None,
    })
}

const CLASS_STYLES: &[(&str, &str)] = &[
    ("approved", "fill:#d7f0de,stroke:#2e8b57,color:#123"),
    ("in-review", "fill:#fdf0d2,stroke:#c98a12,color:#321"),
    ("draft", "fill:#eceff3,stroke:#7a8494,color:#222"),
    ("superseded", "fill:#e9e2f6,stroke:#7152b0,color:#222"),
    ("obsolete", "fill:#e3e3e3,stroke:#5f6368,color:#222"),
    ("abandoned", "fill:#e3e3e3,stroke:#5f6368,color:#222"),
    (
        "missing",
        "fill:#fbe0de,stroke:#c0392b,stroke-dasharray:4 3,color:#222",
    ),
    ("active", "fill:#dde8fb,stroke:#2f6fd6,color:#123"),
    ("blocked", "fill:#fbe0de,stroke:#c0392b,color:#222"),
    ("done", "fill:#d7f0de,stroke:#2e8b57,color:#123"),
    ("untracked", "fill:#eceff3,stroke:#7a8494,color:#222"),
    ("invalid", "fill:#fbe0de,stroke:#c0392b,color:#222"),
];

fn known_class(c: &str) -> bool {
    CLASS_STYLES.iter().any(|(k, _)| *k == c)
}

/// At most `max` characters, with an ellipsis when cut.
pub fn shorten(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out = out.trim_end().to_string();
    out.push('…');
    out
}

/// Mermaid node ids: letters, digits and `_`, unique.
fn mermaid_ids(nodes: &[Node]) -> HashMap<String, String> {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut out = HashMap::with_capacity(nodes.len());
    for n in nodes {
        let mut base: String =
            n.id.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base.insert_str(0, "n_");
        }
        if matches!(
            base.to_ascii_lowercase().as_str(),
            "end" | "graph" | "subgraph" | "flowchart" | "class" | "classdef" | "style" | "click"
        ) {
            base.push('_');
        }
        let mut id = base.clone();
        let mut k = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}_{k}");
            k += 1;
        }
        out.insert(n.id.clone(), id);
    }
    out
}

/// Text inside a quoted Mermaid label, with the characters Mermaid reads as syntax
/// written as its entity codes.
fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, kind: NodeKind) -> Node {
        Node {
            id: id.into(),
            kind,
            label: id.into(),
            title: Some("A \"quoted\" <title> #1".into()),
            doc_type: None,
            status: None,
            class: Some("approved".into()),
            path: None,
        }
    }

    #[test]
    fn mermaid_and_dot_escape_what_they_must() {
        let g = Graph {
            version: 1,
            nodes: vec![
                node("issue-1", NodeKind::Issue),
                node("ADR-0001", NodeKind::Doc),
                node("ADR_0001", NodeKind::Doc),
                node("end", NodeKind::Doc),
            ],
            edges: vec![Edge {
                kind: EdgeKind::Tracks,
                from: "issue-1".into(),
                to: "ADR-0001".into(),
            }],
        };
        let m = g.mermaid();
        assert!(
            m.contains("ADR_0001[\"ADR-0001<br/>A #quot;quoted#quot; #lt;title#gt; #35;1\"]"),
            "{m}"
        );
        assert!(m.contains("ADR_0001_2["), "{m}");
        assert!(m.contains("end_[\"end"), "{m}");
        assert!(m.contains("issue_1 --> ADR_0001\n"), "{m}");
        let d = g.dot();
        assert!(
            d.contains("\"ADR-0001\" [label=\"ADR-0001\\nA \\\"quoted\\\" <title> #1\""),
            "{d}"
        );
        assert!(d.contains("\"issue-1\" -> \"ADR-0001\";"), "{d}");
    }

    #[test]
    fn around_keeps_neighbours_only() {
        let g = Graph {
            version: 1,
            nodes: ["A", "B", "C"]
                .iter()
                .map(|i| node(i, NodeKind::Doc))
                .collect(),
            edges: vec![
                Edge {
                    kind: EdgeKind::Related,
                    from: "A".into(),
                    to: "B".into(),
                },
                Edge {
                    kind: EdgeKind::Related,
                    from: "B".into(),
                    to: "C".into(),
                },
            ],
        };
        let a = g.around(&["A".into()]);
        let ids: Vec<&str> = a.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["A", "B"]);
        assert_eq!(a.edges.len(), 1);
    }
}
