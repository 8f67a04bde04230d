//! `genie gate`: in GitHub Actions, is the stage a label event asks for allowed?
//! Exit 0 allowed (or nothing to gate), 1 denied, 2 when the event file cannot
//! be used or the repository cannot be read.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use genie::policy::gate;

use super::{FINDINGS, Global, OK, authoring, fail, io_result};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The event payload (default: $GITHUB_EVENT_PATH)
    #[arg(long, value_name = "FILE")]
    event: Option<PathBuf>,
    /// The event's name, e.g. `issues` (default: $GITHUB_EVENT_NAME, else read from the payload)
    #[arg(long, value_name = "NAME")]
    event_name: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

fn env_nonempty(key: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(key).filter(|v| !v.is_empty())
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let Some(path) = args
        .event
        .clone()
        .or_else(|| env_nonempty("GITHUB_EVENT_PATH").map(PathBuf::from))
    else {
        return fail(
            "no event to gate: pass --event FILE, or run inside GitHub Actions (GITHUB_EVENT_PATH is not set)",
            g.color,
        );
    };
    let name = args
        .event_name
        .clone()
        .or_else(|| env_nonempty("GITHUB_EVENT_NAME").map(|v| v.to_string_lossy().into_owned()));
    let event = match gate::read_event(&path, name.as_deref()) {
        Ok(e) => e,
        Err(e) => return fail(e, g.color),
    };
    let decision = match gate::ungated(&event) {
        Some(d) => d,
        None => {
            let repo = match authoring::load(g) {
                Ok(r) => r,
                Err(code) => return code,
            };
            match gate::decide(&repo, &event) {
                Ok(d) => d,
                Err(e) => return fail(e, g.color),
            }
        }
    };
    let code = if decision.allowed { OK } else { FINDINGS };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match args.format {
        Format::Human if g.quiet && decision.allowed => Ok(()),
        Format::Human => gate::write_human(&decision, &mut out),
        Format::Json => gate::write_json(&decision, &mut out),
    };
    io_result(written.and_then(|()| out.flush()), code, g.color)
}
