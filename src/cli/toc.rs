//! `genie toc`: the table of contents.

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;
use genie::trace::toc;

use super::matrix::{Mode, generated_file, load};
use super::{Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Markdown: what `--write` writes
    Md,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
    /// Write the table of contents to its file (trace.toc, default docs/_index/README.md)
    #[arg(long, conflicts_with = "check")]
    write: bool,
    /// Exit 1, with a diff, when the file is not what --write would write
    #[arg(long)]
    check: bool,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let mode = match (args.write, args.check) {
        (true, _) => Mode::Write,
        (_, true) => Mode::Check,
        _ => Mode::Print,
    };
    if mode != Mode::Print && args.format != Format::Md {
        return fail(
            "--write and --check apply to the Markdown table of contents (--format md)",
            g.color,
        );
    }
    let repo = match load(g) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let report = toc::build(&repo);
    let file = repo.config.trace.toc.clone();
    match args.format {
        Format::Md => generated_file(
            g,
            &repo.root,
            &file,
            "genie toc --write",
            mode,
            |existing| report.file(&file, existing),
        ),
        Format::Json => {
            let mut out = std::io::stdout().lock();
            io_result(out.write_all(report.json().as_bytes()), OK, g.color)
        }
    }
}
