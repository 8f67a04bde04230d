//! `genie context`: prompt-ready context for a task within a token budget.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::search::{self, Hit, SearchOptions};
use super::store::{self, Opened};
use super::{IndexError, UpdateError, UpdateOptions};
use crate::config::Config;
use crate::repo;

/// What to assemble.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextOptions {
    /// The task, in words: it is the search query.
    pub task: String,
    /// The issue whose DocSet's approved documents come first.
    pub issue: Option<u64>,
    /// Tokens (o200k) the whole output may take.
    pub budget: usize,
    /// Bring the index up to date first.
    pub update: bool,
}

/// One piece of the context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextChunk {
    pub id: String,
    pub doc_id: Option<String>,
    pub path: String,
    pub title: Option<String>,
    pub heading_path: Vec<String>,
    pub line_start: u32,
    pub line_end: u32,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub status: Option<String>,
    /// `docset` (an approved document of the issue's DocSet) or `search`.
    pub source: &'static str,
    pub score: f32,
    pub tokens: usize,
    pub text: String,
}

/// The assembled context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextPack {
    pub version: u32,
    pub task: String,
    pub issue: Option<u64>,
    pub budget: usize,
    /// Tokens of the Markdown rendering, header included.
    pub tokens: usize,
    pub tokenizer: &'static str,
    pub chunks: Vec<ContextChunk>,
    pub warnings: Vec<String>,
}

/// The tokenizer that counts the budget.
pub const TOKENIZER: &str = "o200k_base";

/// Chunks looked at beyond the issue's documents.
const CANDIDATES: usize = 60;

/// Counts tokens with o200k, loaded once, only by this command.
struct Counter(tiktoken_rs::CoreBPE);

impl Counter {
    fn new() -> Result<Self, IndexError> {
        tiktoken_rs::o200k_base()
            .map(Counter)
            .map_err(|e| IndexError::new(format!("cannot load the {TOKENIZER} tokenizer: {e}")))
    }

    fn count(&self, text: &str) -> usize {
        self.0.encode_ordinary(text).len()
    }
}

/// Assemble the context for `opts.task` from the index of the repository at `root`.
pub fn build(
    root: &Path,
    config: &Config,
    opts: &ContextOptions,
) -> Result<ContextPack, IndexError> {
    let mut warnings = Vec::new();
    if opts.update {
        let up = UpdateOptions {
            wait: std::time::Duration::from_secs(2),
            ..UpdateOptions::default()
        };
        match super::update(root, config, &up) {
            Ok(_) => {}
            Err(UpdateError::Busy) => warnings.push(UpdateError::Busy.to_string()),
            Err(UpdateError::Failed(e)) => return Err(e),
        }
    }
    let opened = store::open(root)?;
    let counter = Counter::new()?;

    let mut picked: Vec<(Hit, &'static str)> = Vec::new();
    if let Some(n) = opts.issue {
        let docsets = repo::load_docsets(root, config)
            .map_err(|e| IndexError::new(format!("cannot read the DocSets: {e}")))?;
        let paths: Vec<String> = docsets
            .iter()
            .filter(|d| d.number() == Some(n))
            .flat_map(|d| d.file.docs.iter())
            .filter_map(|e| e.path.clone())
            .collect();
        if paths.is_empty() {
            warnings.push(format!(
                "no DocSet lists documents for #{n}: only search results are included"
            ));
        } else {
            picked.extend(
                docset_chunks(&opened, &opts.task, &paths, &mut warnings)?
                    .into_iter()
                    .map(|h| (h, "docset")),
            );
        }
    }
    let found = search::search_in(
        &opened,
        &SearchOptions {
            query: opts.task.clone(),
            limit: CANDIDATES,
            ..SearchOptions::default()
        },
    )?;
    warnings.extend(found.warnings);
    for h in found.hits {
        let overlaps = picked.iter().any(|(p, _)| {
            p.id == h.id
                || (p.path == h.path && p.line_start <= h.line_end && h.line_start <= p.line_end)
        });
        if !overlaps {
            picked.push((h, "search"));
        }
    }

    let mut pack = ContextPack {
        version: 1,
        task: opts.task.clone(),
        issue: opts.issue,
        budget: opts.budget,
        tokens: 0,
        tokenizer: TOKENIZER,
        chunks: Vec::new(),
        warnings,
    };
    let mut used = counter.count(&header(&pack));
    for (h, source) in picked {
        let chunk = ContextChunk {
            id: h.id,
            doc_id: h.doc_id,
            path: h.path,
            title: h.title,
            heading_path: h.heading_path,
            line_start: h.line_start,
            line_end: h.line_end,
            doc_type: h.doc_type,
            status: h.status,
            source,
            score: h.score,
            tokens: 0,
            text: h.text,
        };
        let tokens = counter.count(&block(&chunk));
        if used + tokens > opts.budget {
            // A smaller chunk further down may still fit.
            continue;
        }
        used += tokens;
        pack.chunks.push(ContextChunk { tokens, ..chunk });
    }
    // Token counts of parts need not add up to the count of the whole: count the
    // whole, and drop chunks from the end until it fits.
    loop {
        let mut all = Vec::new();
        write_markdown(&pack, &mut all).map_err(|e| IndexError::new(e.to_string()))?;
        let total = counter.count(&String::from_utf8_lossy(&all));
        if total <= opts.budget || pack.chunks.is_empty() {
            pack.tokens = total;
            break;
        }
        pack.chunks.pop();
    }
    if pack.tokens > opts.budget {
        pack.warnings.push(format!(
            "a budget of {} tokens is too small for any context",
            opts.budget
        ));
    }
    Ok(pack)
}

/// Chunks of the issue's approved documents that match the task.
fn docset_chunks(
    opened: &Opened,
    task: &str,
    paths: &[String],
    warnings: &mut Vec<String>,
) -> Result<Vec<Hit>, IndexError> {
    let matched = search::search_in(
        opened,
        &SearchOptions {
            query: task.to_string(),
            status: Some("approved".into()),
            paths: Some(paths.to_vec()),
            limit: CANDIDATES,
            ..SearchOptions::default()
        },
    )?;
    warnings.extend(matched.warnings);
    Ok(matched.hits)
}

fn header(pack: &ContextPack) -> String {
    let mut s = String::from("# Context for the task\n\n");
    s.push_str(&format!("Task: {}\n", pack.task.trim()));
    if let Some(n) = pack.issue {
        s.push_str(&format!("Issue: #{n}\n"));
    }
    s.push_str(&format!(
        "\n<!-- genie context: {} sections, {} of {} tokens ({TOKENIZER}); cite as path:lines -->\n",
        pack.chunks.len(),
        pack.tokens,
        pack.budget
    ));
    s
}

/// One chunk as it is pasted: a heading naming the document and section, the
/// citation, then the text with its headings moved under that heading.
fn block(c: &ContextChunk) -> String {
    let mut s = String::from("\n## ");
    if let Some(id) = &c.doc_id {
        s.push_str(id);
        s.push_str(" · ");
    }
    let mut names: Vec<&str> = Vec::new();
    if let Some(t) = &c.title {
        names.push(t);
    }
    for h in &c.heading_path {
        if names.last() != Some(&h.as_str()) {
            names.push(h);
        }
    }
    if names.is_empty() {
        names.push(&c.path);
    }
    s.push_str(&names.join(" › "));
    s.push_str(&format!(
        "\n\nSource: `{}:{}-{}`",
        c.path, c.line_start, c.line_end
    ));
    for v in [&c.doc_type, &c.status].into_iter().flatten() {
        s.push_str(" · ");
        s.push_str(v);
    }
    if c.source == "docset" {
        s.push_str(" · from the issue's DocSet");
    }
    s.push_str("\n\n");
    s.push_str(&demote(&c.text));
    s.push('\n');
    s
}

/// Move every heading of `text` two levels down (at most to level 6), outside
/// code fences, so that pasted sections sit under their block's heading.
fn demote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut fence: Option<(char, usize)> = None;
    for line in text.lines() {
        let t = line.trim_start();
        let marker = t.chars().next().filter(|c| *c == '`' || *c == '~');
        if let Some(m) = marker {
            let n = t.chars().take_while(|c| *c == m).count();
            if n >= 3 {
                match fence {
                    None => fence = Some((m, n)),
                    Some((fm, fl)) if fm == m && n >= fl && t.trim_end().len() == n => fence = None,
                    _ => {}
                }
            }
        }
        if fence.is_none() && line.starts_with('#') {
            let level = line.chars().take_while(|c| *c == '#').count();
            let rest = &line[level..];
            if level <= 6 && (rest.is_empty() || rest.starts_with(' ')) {
                let new = (level + 2).min(6);
                out.push_str(&"#".repeat(new));
                out.push_str(rest);
                out.push('\n');
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The Markdown rendering, ready to paste above a task.
pub fn write_markdown(pack: &ContextPack, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(header(pack).as_bytes())?;
    for w in &pack.warnings {
        writeln!(out, "<!-- warning: {} -->", w.replace("--", "- -"))?;
    }
    for c in &pack.chunks {
        out.write_all(block(c).as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_move_down_outside_fences_only() {
        let text = "## Goals\ntext\n```\n# not a heading\n```\n###### deep\n#tag";
        assert_eq!(
            demote(text),
            "#### Goals\ntext\n```\n# not a heading\n```\n###### deep\n#tag\n"
        );
    }
}
