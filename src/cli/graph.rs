//! `genie graph`: the relation graph, whole or around one issue or document.

use std::process::ExitCode;

use clap::ValueEnum;
use genie::trace::graph::{Graph, GraphFormat};
use genie::trace::{Target, Trace};

use super::matrix::{load, warn_notes};
use super::{Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Dot,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    format: Format,
    /// Only this issue (12, #12, owner/repo#12, an issue URL; pr-44 for a PR) and its neighbours
    #[arg(long, value_name = "N", conflicts_with = "doc")]
    issue: Option<String>,
    /// Only this document and its neighbours
    #[arg(long, value_name = "ID")]
    doc: Option<String>,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let repo = match load(g) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let trace = Trace::build(&repo);
    warn_notes(g, &trace.notes);
    let mut graph = Graph::build(&trace);
    let here = repo.config.repository.as_deref();
    let target = match (&args.issue, &args.doc) {
        (Some(i), _) => match Target::parse(i, here) {
            Ok(t @ Target::Item(..)) => Some(t),
            Ok(Target::Doc(_)) => {
                return fail(
                    format!("--issue `{i}` is not an issue or PR number (write 12, #12 or pr-44)"),
                    g.color,
                );
            }
            Err(e) => return fail(e, g.color),
        },
        (None, Some(d)) => Some(Target::Doc(d.trim().to_string())),
        (None, None) => None,
    };
    if let Some(t) = target {
        let Some(id) = graph.node_id(&t) else {
            let what = match &t {
                Target::Doc(id) => format!(
                    "no document has doc_id `{id}`{}",
                    genie::config::did_you_mean(id, trace.index.by_id.keys())
                ),
                Target::Item(kind, n) => format!(
                    "{} is in no DocSet and no front-matter",
                    genie::trace::item_key(*kind, *n)
                ),
            };
            return fail(what, g.color);
        };
        graph = graph.around(&[id]);
    }
    let format = match args.format {
        Format::Mermaid => GraphFormat::Mermaid,
        Format::Dot => GraphFormat::Dot,
        Format::Json => GraphFormat::Json,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let r = graph
        .write(format, &mut out)
        .and_then(|()| std::io::Write::flush(&mut out));
    io_result(r, OK, g.color)
}
