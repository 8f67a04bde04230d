//! `genie impact`: what the working tree's changes affect.

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;
use genie::trace::impact;

use super::matrix::warn_notes;
use super::{FINDINGS, Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Deny {
    /// Fail when an approved document changed without a status change
    Reapproval,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Compare with this revision (default: the merge-base with the upstream branch, else HEAD)
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// Exit 1 when a changed document needs re-approval
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "reapproval")]
    deny: Option<Deny>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let (root, config) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    let report = match impact::load_and_run(&root, config, args.base.as_deref()) {
        Ok(r) => r,
        Err(e) => return fail(e, g.color),
    };
    let code = if args.deny.is_some() && report.reapproval > 0 {
        FINDINGS
    } else {
        OK
    };
    let text = match args.format {
        Format::Human => report.human(),
        Format::Json => {
            warn_notes(g, &report.notes);
            report.json()
        }
    };
    let mut out = std::io::stdout().lock();
    io_result(out.write_all(text.as_bytes()), code, g.color)
}
