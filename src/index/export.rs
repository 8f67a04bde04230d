//! `genie export --format ndjson`: every chunk, one JSON object a line, for an
//! organisation that loads many repositories' chunks into one search cluster.
//!
//! Chunks are the ones the index holds (same cutting, same ids), read from the
//! files directly, in path and line order, so two exports of the same tree are
//! byte-identical. `id` is unique within a repository; `repository` + `id` is
//! unique across repositories.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::IndexError;
use super::store::{self, chunk_id};
use crate::config::Config;

/// One line of the export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record<'a> {
    pub id: String,
    /// `owner/name` from genie.toml, when set.
    pub repository: Option<&'a str>,
    pub path: &'a str,
    pub doc_id: Option<&'a str>,
    pub title: Option<&'a str>,
    #[serde(rename = "type")]
    pub doc_type: Option<&'a str>,
    pub status: Option<&'a str>,
    pub owner_role: Option<&'a str>,
    pub issues: Vec<u64>,
    pub heading_path: &'a [String],
    pub headings: &'a [String],
    pub anchor: &'a str,
    pub part: u32,
    pub line_start: u32,
    pub line_end: u32,
    pub chars: usize,
    pub text: &'a str,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportStats {
    pub documents: usize,
    pub chunks: usize,
}

/// Write every chunk of the repository at `root` to `out`, one JSON object a line.
pub fn write_ndjson(
    root: &Path,
    config: &Config,
    out: &mut dyn Write,
) -> Result<std::io::Result<ExportStats>, IndexError> {
    let mut all = store::all_chunks(root, config)?;
    all.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(write_all(&all, config, out))
}

fn write_all(
    all: &[(String, store::Prepared)],
    config: &Config,
    out: &mut dyn Write,
) -> std::io::Result<ExportStats> {
    let mut stats = ExportStats::default();
    let mut line = Vec::with_capacity(4096);
    for (path, p) in all {
        stats.documents += 1;
        let f = &p.doc.fields;
        let status = f
            .canonical_status
            .as_deref()
            .or(f.status.as_ref().map(|s| s.value.as_str()));
        let issues: Vec<u64> = f
            .related_issues
            .iter()
            .filter(|i| i.value.repo.is_none())
            .map(|i| i.value.number)
            .collect();
        let mut seen = std::collections::BTreeMap::new();
        for c in &p.chunks {
            let record = Record {
                id: chunk_id(path, c, &mut seen),
                repository: config.repository.as_deref(),
                path,
                doc_id: f.doc_id.as_ref().map(|d| d.value.as_str()),
                title: f.title.as_deref(),
                doc_type: f.doc_type.as_ref().map(|d| d.value.as_str()),
                status,
                owner_role: f.owner_role.as_deref(),
                issues: issues.clone(),
                heading_path: &c.heading_path,
                headings: &c.headings,
                anchor: &c.anchor,
                part: c.part,
                line_start: c.line_start,
                line_end: c.line_end,
                chars: c.text.chars().count(),
                text: &c.text,
            };
            line.clear();
            serde_json::to_writer(&mut line, &record).map_err(std::io::Error::other)?;
            line.push(b'\n');
            out.write_all(&line)?;
            stats.chunks += 1;
        }
    }
    out.flush()?;
    Ok(stats)
}
