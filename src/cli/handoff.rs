//! `genie handoff check [DIR]`: score the handoff package a task leaves for its
//! reviewer. Exit 0 when the score reaches the minimum, 1 when it does not (a
//! missing package scores 0), 2 when the configuration or a file cannot be read.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use genie::run::handoff;

use super::{FINDINGS, Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Score a handoff package: files, sections, decisions with reasons, commands and paths that exist
    Check(CheckArgs),
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Folder of the package, relative to the current directory (default: `[handoff] dir` under the root, `review`)
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Lowest passing score, 0 to 100 (default: `[handoff] min_score`, 80)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=100))]
    min_score: Option<u32>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn exec(g: &Global, cmd: Command) -> ExitCode {
    match cmd {
        Command::Check(args) => check(g, args),
    }
}

fn check(g: &Global, args: CheckArgs) -> ExitCode {
    let (root, config) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    let mut settings = config.handoff;
    if let Some(n) = args.min_score {
        settings.min_score = n;
    }
    let dir = match args.dir {
        Some(d) if d.is_absolute() => d,
        Some(d) => match std::env::current_dir() {
            Ok(cwd) => cwd.join(d),
            Err(e) => return fail(format!("cannot read the current directory: {e}"), g.color),
        },
        None => root.join(&settings.dir),
    };
    let report = match handoff::check(&root, &dir, &settings) {
        Ok(r) => r,
        Err(e) => return fail(e, g.color),
    };
    let code = if report.passed { OK } else { FINDINGS };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.format {
        Format::Human => handoff::write_human(&report, g.color, g.quiet, &mut out),
        Format::Json => handoff::write_json(&report, &mut out),
    };
    io_result(written.and_then(|()| out.flush()), code, g.color)
}
