//! `genie matrix`: the issue map.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::ValueEnum;
use genie::repo::{LoadOptions, Repo};
use genie::trace::generated::{self, Drift, SpliceError};
use genie::trace::{Note, Trace, html, matrix};

use super::{FINDINGS, Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Markdown: what `--write` writes
    Md,
    Csv,
    Json,
    /// One self-contained page with filters, search and the relation graph
    Html,
    /// A Mermaid flowchart: releases, issues, PRs and their documents
    Mermaid,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
    /// Write the issue map to its file (trace.issue_map, default docs/_index/issue-map.md)
    #[arg(long, conflicts_with = "check")]
    write: bool,
    /// Exit 1, with a diff, when the issue map file is not what --write would write
    #[arg(long)]
    check: bool,
}

/// Load the repository as the traceability commands need it (front-matter only).
pub fn load(g: &Global) -> Result<Repo, ExitCode> {
    let (root, config) = g.load_config().map_err(|e| fail(e, g.color))?;
    Repo::load_with(&root, config, LoadOptions { bodies: false }).map_err(|e| fail(e, g.color))
}

/// Notes about odd input, as warnings on stderr.
pub fn warn_notes(g: &Global, notes: &[Note]) {
    if g.quiet {
        return;
    }
    let label = if g.color {
        "\x1b[1;33mwarning\x1b[0m"
    } else {
        "warning"
    };
    let mut err = std::io::stderr().lock();
    for n in notes {
        let _ = match &n.path {
            Some(p) => writeln!(err, "{label}: {p}: {}", n.message),
            None => writeln!(err, "{label}: {}", n.message),
        };
    }
}

/// What to do with a generated file.
#[derive(Copy, Clone, PartialEq, Eq)]
pub enum Mode {
    Print,
    Write,
    Check,
}

/// Print, write or check the generated file `rel` (repository-relative); `render`
/// turns the file's current text (if any) into what genie would write.
pub fn generated_file(
    g: &Global,
    root: &Path,
    rel: &str,
    command: &str,
    mode: Mode,
    render: impl Fn(Option<&str>) -> Result<String, SpliceError>,
) -> ExitCode {
    if mode == Mode::Print {
        let text = match render(None) {
            Ok(t) => t,
            Err(e) => return fail(e, g.color),
        };
        let mut out = std::io::stdout().lock();
        return io_result(out.write_all(text.as_bytes()), OK, g.color);
    }
    let path = root.join(rel);
    let current = match generated::read(&path) {
        Ok(c) => c,
        Err(e) => return fail(format!("cannot read {rel}: {e}"), g.color),
    };
    let expected = match render(current.as_deref()) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot update {rel}: {e}"), g.color),
    };
    let mut err = std::io::stderr().lock();
    match mode {
        Mode::Write => {
            if current.as_deref() == Some(expected.as_str()) {
                if !g.quiet {
                    let _ = writeln!(err, "{rel} is up to date");
                }
                return ExitCode::from(OK);
            }
            if let Err(e) = generated::write_atomic(&path, &expected) {
                return fail(format!("cannot write {rel}: {e}"), g.color);
            }
            if !g.quiet {
                let _ = writeln!(err, "wrote {rel}");
            }
            ExitCode::from(OK)
        }
        Mode::Check => match generated::drift(rel, current.as_deref(), &expected) {
            Drift::UpToDate => {
                if !g.quiet {
                    let _ = writeln!(err, "ok: {rel} is up to date");
                }
                ExitCode::from(OK)
            }
            Drift::Missing => {
                let _ = writeln!(
                    err,
                    "{}: {rel} does not exist; `{command}` writes it",
                    error_label(g.color)
                );
                ExitCode::from(FINDINGS)
            }
            Drift::Differs(diff) => {
                let _ = writeln!(
                    err,
                    "{}: {rel} is out of date; `{command}` rewrites it",
                    error_label(g.color)
                );
                drop(err);
                let mut out = std::io::stdout().lock();
                io_result(out.write_all(diff.as_bytes()), FINDINGS, g.color)
            }
        },
        Mode::Print => unreachable!("handled above"),
    }
}

fn error_label(color: bool) -> &'static str {
    if color {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    }
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let mode = match (args.write, args.check) {
        (true, _) => Mode::Write,
        (_, true) => Mode::Check,
        _ => Mode::Print,
    };
    if mode != Mode::Print && args.format != Format::Md {
        return fail(
            "--write and --check apply to the Markdown issue map (--format md)",
            g.color,
        );
    }
    let repo = match load(g) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let trace = Trace::build(&repo);
    let report = matrix::build(&trace);
    warn_notes(g, &report.notes);
    let file = repo.config.trace.issue_map.clone();
    let text = match args.format {
        Format::Md => {
            return generated_file(
                g,
                &repo.root,
                &file,
                "genie matrix --write",
                mode,
                |existing| matrix::issue_map_file(&report, &file, existing),
            );
        }
        Format::Csv => report.csv(),
        Format::Json => report.json(),
        Format::Html => html::render(&trace, &report),
        Format::Mermaid => matrix::graph(&trace).mermaid(),
    };
    let mut out = std::io::stdout().lock();
    io_result(out.write_all(text.as_bytes()), OK, g.color)
}
