//! The table of contents (`docs/_index/README.md`): every document grouped by
//! folder and type, with title, status and owner role, and counts.

use std::collections::BTreeMap;

use serde::Serialize;

use super::matrix::{md_cell, md_text};
use super::{doc_status, doc_type, natural_cmp};
use crate::markdown::slug;
use crate::repo::Repo;

#[derive(Debug, Clone, Serialize)]
pub struct TocDoc {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_role: Option<String>,
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TypeGroup {
    /// `None` for documents without a type.
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub count: usize,
    pub docs: Vec<TocDoc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Folder {
    pub path: String,
    pub count: usize,
    pub types: Vec<TypeGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub name: String,
    pub count: usize,
}

/// `genie toc --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct TocReport {
    pub version: u32,
    pub total: usize,
    /// Documents per canonical status, in the configured order; `none` last.
    pub statuses: Vec<Count>,
    pub folders: Vec<Folder>,
}

/// The table of contents of a repository.
pub fn build(repo: &Repo) -> TocReport {
    let config = &repo.config;
    // Type order: by the stage that requires the type, then by name.
    let type_rank = |t: Option<&str>| -> (usize, String) {
        match t {
            None => (usize::MAX, String::new()),
            Some(t) => {
                let stage = config
                    .stage_of_type(t)
                    .and_then(|s| config.stage_order.iter().position(|x| x == s))
                    .unwrap_or(config.stage_order.len());
                (stage, t.to_string())
            }
        }
    };
    let mut folders: BTreeMap<&str, BTreeMap<(usize, String), Vec<usize>>> = BTreeMap::new();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for (i, d) in repo.docs.iter().enumerate() {
        let folder = d.path.rsplit_once('/').map_or("", |(f, _)| f);
        folders
            .entry(folder)
            .or_default()
            .entry(type_rank(doc_type(d)))
            .or_default()
            .push(i);
        let st = d
            .fields
            .canonical_status
            .clone()
            .or_else(|| doc_status(d).map(str::to_string))
            .unwrap_or_else(|| "none".into());
        *statuses.entry(st).or_default() += 1;
    }
    let mut status_counts: Vec<Count> = Vec::new();
    for v in &config.statuses.values {
        if let Some(n) = statuses.remove(v) {
            status_counts.push(Count {
                name: v.clone(),
                count: n,
            });
        }
    }
    let none = statuses.remove("none");
    status_counts.extend(
        statuses
            .into_iter()
            .map(|(name, count)| Count { name, count }),
    );
    if let Some(n) = none {
        status_counts.push(Count {
            name: "none".into(),
            count: n,
        });
    }
    let mut out: Vec<Folder> = folders
        .into_iter()
        .map(|(path, types)| {
            let types: Vec<TypeGroup> = types
                .into_iter()
                .map(|((_, name), mut docs)| {
                    docs.sort_by(|&a, &b| {
                        let (x, y) = (&repo.docs[a], &repo.docs[b]);
                        let key = |d: &crate::model::Doc| {
                            d.fields
                                .doc_id
                                .as_ref()
                                .map_or(String::new(), |s| s.value.clone())
                        };
                        natural_cmp(&key(x), &key(y)).then_with(|| x.path.cmp(&y.path))
                    });
                    TypeGroup {
                        doc_type: (!name.is_empty()).then_some(name),
                        count: docs.len(),
                        docs: docs
                            .iter()
                            .map(|&i| {
                                let d = &repo.docs[i];
                                TocDoc {
                                    doc_id: d.fields.doc_id.as_ref().map(|s| s.value.clone()),
                                    title: d.fields.title.clone(),
                                    status: doc_status(d).map(str::to_string),
                                    owner_role: d.fields.owner_role.clone(),
                                    path: d.path.clone(),
                                }
                            })
                            .collect(),
                    }
                })
                .collect();
            Folder {
                path: path.to_string(),
                count: types.iter().map(|t| t.count).sum(),
                types,
            }
        })
        .collect();
    out.sort_by(|a, b| natural_cmp(&a.path, &b.path));
    TocReport {
        version: 1,
        total: repo.docs.len(),
        statuses: status_counts,
        folders: out,
    }
}

impl TocReport {
    /// The Markdown body (without the generated markers), links relative to `file`.
    pub fn markdown(&self, file: &str) -> String {
        let mut s = String::from("# Table of contents\n\n");
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        s.push_str(&plural(self.total, "document", "documents"));
        s.push_str(&format!(
            " in {}",
            plural(self.folders.len(), "folder", "folders")
        ));
        if !self.statuses.is_empty() {
            let list: Vec<String> = self
                .statuses
                .iter()
                .map(|c| {
                    if c.name == "none" {
                        format!("{} without a status", c.count)
                    } else {
                        format!("{} {}", c.count, c.name)
                    }
                })
                .collect();
            s.push_str(&format!(": {}", list.join(", ")));
        }
        s.push_str(".\n");
        if self.folders.is_empty() {
            return s;
        }
        s.push_str("\n| folder | documents |\n| --- | ---: |\n");
        for f in &self.folders {
            let shown = if f.path.is_empty() { "(root)" } else { &f.path };
            s.push_str(&format!(
                "| [{}](#{}) | {} |\n",
                md_cell(&md_text(shown)),
                slug(shown),
                f.count
            ));
        }
        for f in &self.folders {
            let shown = if f.path.is_empty() { "(root)" } else { &f.path };
            s.push_str(&format!(
                "\n## {}\n\n{}\n",
                md_text(shown),
                plural(f.count, "document", "documents")
            ));
            for t in &f.types {
                s.push_str(&format!(
                    "\n### {} ({})\n\n| doc_id | title | status | owner |\n| --- | --- | --- | --- |\n",
                    md_text(t.doc_type.as_deref().unwrap_or("no type")),
                    t.count
                ));
                for d in &t.docs {
                    let link = super::relative_link(file, &d.path);
                    let name = d.doc_id.clone().unwrap_or_else(|| {
                        d.path.rsplit('/').next().unwrap_or(&d.path).to_string()
                    });
                    let cells = [
                        format!("[{}]({link})", md_text(&name)),
                        md_text(d.title.as_deref().unwrap_or("")),
                        md_text(d.status.as_deref().unwrap_or("")),
                        md_text(d.owner_role.as_deref().unwrap_or("")),
                    ];
                    let cells: Vec<String> = cells.iter().map(|c| md_cell(c)).collect();
                    s.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
            }
        }
        s
    }

    /// The full TOC file: `existing` with the generated section replaced.
    pub fn file(
        &self,
        file: &str,
        existing: Option<&str>,
    ) -> Result<String, super::generated::SpliceError> {
        let section = super::generated::section("genie toc --write", &self.markdown(file));
        super::generated::splice(existing, &section)
    }

    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}
