//! `genie context`: prompt-ready context for a task.

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;
use genie::index::context::{self, ContextOptions};

use super::{Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Markdown, ready to paste above the task
    Md,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The task, in words
    #[arg(required = true, value_name = "TASK")]
    task: Vec<String>,
    /// The issue whose approved documents come first (12 or #12)
    #[arg(long, value_name = "N", value_parser = super::search::parse_issue)]
    issue: Option<u64>,
    /// Tokens (o200k) the context may take
    #[arg(long, default_value_t = 4000, value_name = "TOKENS")]
    budget: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
    /// Use the index as it is, without bringing it up to date first
    #[arg(long)]
    no_update: bool,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let (root, config) = match g.load_config() {
        Ok(c) => c,
        Err(e) => return fail(e, g.color),
    };
    let opts = ContextOptions {
        task: args.task.join(" "),
        issue: args.issue,
        budget: args.budget,
        update: !args.no_update,
    };
    let pack = match context::build(&root, &config, &opts) {
        Ok(p) => p,
        Err(e) => return fail(e, g.color),
    };
    let mut out = std::io::stdout().lock();
    let r = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &pack)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        Format::Md => {
            for w in &pack.warnings {
                super::search::warn(g, w);
            }
            context::write_markdown(&pack, &mut out)
        }
    };
    io_result(r, OK, g.color)
}
