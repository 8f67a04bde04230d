//! `genie log`: a document's status history, or an issue's stage history, from git.

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;
use genie::trace::log;

use super::matrix::{load, warn_notes};
use super::{Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A doc_id (ADR-0003), or an issue (12, #12, owner/repo#12, URL) or PR (pr-44)
    #[arg(value_name = "DOC_ID|ISSUE")]
    target: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let repo = match load(g) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let report = match log::run(&repo, &args.target) {
        Ok(r) => r,
        Err(e) => return fail(e, g.color),
    };
    let text = match args.format {
        Format::Human => report.human(),
        Format::Json => {
            warn_notes(g, &report.notes);
            report.json()
        }
    };
    let mut out = std::io::stdout().lock();
    io_result(out.write_all(text.as_bytes()), OK, g.color)
}
