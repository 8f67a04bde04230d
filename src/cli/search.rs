//! `genie search`: ranked sections for a query.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::ValueEnum;
use genie::index::search::{self, Results, SearchOptions};

use super::{Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// What to look for: words in Russian or English; "quoted phrases", -excluded, field:value
    #[arg(required = true, value_name = "QUERY")]
    query: Vec<String>,
    /// Only documents of this type (adr, prd, runbook…)
    #[arg(long = "type", value_name = "T")]
    doc_type: Option<String>,
    /// Only documents with this status (approved, draft…)
    #[arg(long, value_name = "S")]
    status: Option<String>,
    /// Only documents related to this issue (12 or #12)
    #[arg(long, value_name = "N", value_parser = parse_issue)]
    issue: Option<u64>,
    /// How many results
    #[arg(long, default_value_t = 10, value_name = "N")]
    limit: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Search the index as it is, without bringing it up to date first
    #[arg(long)]
    no_update: bool,
}

/// An issue number, with or without `#`.
pub fn parse_issue(s: &str) -> Result<u64, String> {
    genie::ops::parse_number(s)
}

/// A warning on stderr, unless quiet.
pub fn warn(g: &Global, message: &str) {
    if g.quiet {
        return;
    }
    let label = if g.color {
        "\x1b[1;33mwarning\x1b[0m"
    } else {
        "warning"
    };
    let _ = writeln!(std::io::stderr(), "{label}: {message}");
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let (root, config) = match g.load_config() {
        Ok(c) => c,
        Err(e) => return fail(e, g.color),
    };
    if !args.no_update
        && let Err(e) = super::index::update(g, &root, &config, false, Duration::from_secs(2))
        && let Err(code) = super::index::update_failure(g, e)
    {
        return code;
    }
    let opts = SearchOptions {
        query: args.query.join(" "),
        doc_type: args.doc_type,
        status: args.status,
        issue: args.issue,
        paths: None,
        limit: args.limit,
        snippet_chars: 180,
    };
    let results = match search::search(&root, &opts) {
        Ok(r) => r,
        Err(e) => return fail(e, g.color),
    };
    let mut out = std::io::stdout().lock();
    let r = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &results)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        Format::Human => {
            for w in &results.warnings {
                warn(g, w);
            }
            human(g, &results, &mut out)
        }
    };
    io_result(r, OK, g.color)
}

fn human(g: &Global, results: &Results, out: &mut dyn Write) -> std::io::Result<()> {
    let (bold, dim, hl, reset) = if g.color {
        ("\x1b[1m", "\x1b[2m", "\x1b[1;33m", "\x1b[0m")
    } else {
        ("", "", "**", "")
    };
    let hl_end = if g.color { reset } else { "**" };
    for h in &results.hits {
        let mut meta: Vec<&str> = Vec::new();
        meta.extend(h.doc_id.as_deref());
        meta.extend(h.doc_type.as_deref());
        meta.extend(h.status.as_deref());
        writeln!(
            out,
            "{bold}{}:{}-{}{reset}  {}  {dim}({:.2}){reset}",
            h.path,
            h.line_start,
            h.line_end,
            meta.join(" · "),
            h.score
        )?;
        if !h.heading_path.is_empty() {
            writeln!(out, "  {}", h.heading_path.join(" › "))?;
        }
        if !h.snippet.is_empty() {
            let mut s = String::new();
            let mut at = 0;
            for [a, b] in &h.highlights {
                if *a < at || *b > h.snippet.len() {
                    continue;
                }
                s.push_str(&h.snippet[at..*a]);
                s.push_str(hl);
                s.push_str(&h.snippet[*a..*b]);
                s.push_str(hl_end);
                at = *b;
            }
            s.push_str(&h.snippet[at..]);
            let one_line: Vec<&str> = s.split_whitespace().collect();
            writeln!(out, "  {}", one_line.join(" "))?;
        }
        writeln!(out)?;
    }
    if !g.quiet {
        writeln!(
            out,
            "{} of {} matching sections",
            results.hits.len(),
            results.total
        )?;
    }
    Ok(())
}
