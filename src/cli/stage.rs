//! `genie stage status|advance|abort ISSUE`, `genie stage rethink ISSUE --to STAGE`.

use std::io::Write;
use std::process::ExitCode;

use genie::ops::parse_number;
use genie::ops::stage::{IssueView, Position, ReqState};

use super::authoring::{self, Format};
use super::{FINDINGS, Global, OK, io_result};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Where an issue stands: its stage, what the stage requires, what is present,
    /// approved or missing, and the next stage
    Status(IssueArgs),
    /// Move the issue to the next stage of its profile if the gate passes (exit 1
    /// naming every gap if not)
    Advance(WriteArgs),
    /// Abandon the work: the DocSet's state and its documents' status become abandoned
    Abort(WriteArgs),
    /// Go back to an earlier stage; the documents of the later stages become superseded
    Rethink(RethinkArgs),
}

#[derive(clap::Args, Debug)]
pub struct IssueArgs {
    /// The issue
    #[arg(value_name = "ISSUE", value_parser = parse_number)]
    issue: u64,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(clap::Args, Debug)]
pub struct WriteArgs {
    /// The issue
    #[arg(value_name = "ISSUE", value_parser = parse_number)]
    issue: u64,
    /// Show what would be written, write nothing
    #[arg(long)]
    dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(clap::Args, Debug)]
pub struct RethinkArgs {
    /// The issue
    #[arg(value_name = "ISSUE", value_parser = parse_number)]
    issue: u64,
    /// The earlier stage to go back to
    #[arg(long, value_name = "STAGE")]
    to: String,
    /// Show what would be written, write nothing
    #[arg(long)]
    dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn exec(g: &Global, cmd: Command) -> ExitCode {
    let mut repo = match authoring::load(g) {
        Ok(r) => r,
        Err(c) => return c,
    };
    match cmd {
        Command::Status(a) => {
            let view = match genie::ops::stage::view(&repo, a.issue) {
                Ok(v) => v,
                Err(e) => return authoring::op_fail(e, g),
            };
            let r = match a.format {
                Format::Json => {
                    authoring::print_json(&serde_json::to_value(&view).unwrap_or_default())
                }
                Format::Human => print_view(&mut std::io::stdout().lock(), &view, false),
            };
            io_result(r, OK, g.color)
        }
        Command::Advance(a) => {
            let (report, plan) = match genie::ops::stage::advance(&mut repo, a.issue) {
                Ok(x) => x,
                Err(e) => return authoring::op_fail(e, g),
            };
            if let Err(c) = authoring::apply(&plan, &repo, a.dry_run, g) {
                return c;
            }
            let code = if report.passed { OK } else { FINDINGS };
            let r = match a.format {
                Format::Json => {
                    authoring::print_json(&authoring::json_with_changes(&report, &plan, a.dry_run))
                }
                Format::Human => (|| {
                    let mut out = std::io::stdout().lock();
                    if !report.passed {
                        writeln!(
                            out,
                            "issue #{} cannot leave stage `{}`: the gate is not met",
                            report.issue, report.from
                        )?;
                        for gap in &report.gaps {
                            writeln!(out, "  - {gap}")?;
                        }
                        return Ok(());
                    }
                    let would = if a.dry_run { "would move" } else { "moved" };
                    match &report.to {
                        Some(to) => writeln!(
                            out,
                            "issue #{}: {would} from `{}` to `{to}` (profile {})",
                            report.issue, report.from, report.profile
                        )?,
                        None => writeln!(
                            out,
                            "issue #{}: `{}` was the last stage of profile {}; the issue is {}done",
                            report.issue,
                            report.from,
                            report.profile,
                            if a.dry_run { "would be " } else { "" }
                        )?,
                    }
                    authoring::print_plan(&mut out, &plan, a.dry_run)
                })(),
            };
            io_result(r, code, g.color)
        }
        Command::Abort(a) => {
            let env = match authoring::env(g, &repo) {
                Ok(e) => e,
                Err(c) => return c,
            };
            let (report, plan) = match genie::ops::stage::abort(&mut repo, &env, a.issue) {
                Ok(x) => x,
                Err(e) => return authoring::op_fail(e, g),
            };
            if let Err(c) = authoring::apply(&plan, &repo, a.dry_run, g) {
                return c;
            }
            let r = match a.format {
                Format::Json => {
                    authoring::print_json(&authoring::json_with_changes(&report, &plan, a.dry_run))
                }
                Format::Human => (|| {
                    let mut out = std::io::stdout().lock();
                    let verb = if a.dry_run { "would be" } else { "is" };
                    writeln!(out, "issue #{} {verb} abandoned", report.issue)?;
                    if !report.abandoned.is_empty() {
                        writeln!(out, "abandoned: {}", report.abandoned.join(", "))?;
                    }
                    for k in &report.kept {
                        writeln!(out, "kept {}: {}", k.doc_id, k.reason)?;
                    }
                    authoring::print_plan(&mut out, &plan, a.dry_run)
                })(),
            };
            io_result(r, OK, g.color)
        }
        Command::Rethink(a) => {
            let env = match authoring::env(g, &repo) {
                Ok(e) => e,
                Err(c) => return c,
            };
            let (report, plan) = match genie::ops::stage::rethink(&mut repo, &env, a.issue, &a.to) {
                Ok(x) => x,
                Err(e) => return authoring::op_fail(e, g),
            };
            if let Err(c) = authoring::apply(&plan, &repo, a.dry_run, g) {
                return c;
            }
            let r = match a.format {
                Format::Json => {
                    authoring::print_json(&authoring::json_with_changes(&report, &plan, a.dry_run))
                }
                Format::Human => (|| {
                    let mut out = std::io::stdout().lock();
                    let verb = if a.dry_run { "would go" } else { "went" };
                    writeln!(
                        out,
                        "issue #{}: {verb} back from `{}` to `{}`",
                        report.issue, report.from, report.to
                    )?;
                    if !report.superseded.is_empty() {
                        writeln!(out, "superseded: {}", report.superseded.join(", "))?;
                    }
                    for k in &report.kept {
                        writeln!(out, "kept {}: {}", k.doc_id, k.reason)?;
                    }
                    authoring::print_plan(&mut out, &plan, a.dry_run)
                })(),
            };
            io_result(r, OK, g.color)
        }
    }
}

fn mark(s: ReqState) -> &'static str {
    match s {
        ReqState::Approved => "approved",
        ReqState::Present => "present",
        ReqState::Missing => "missing",
    }
}

/// The issue, its stages and documents. `all`: every stage (docset show); else
/// the current stage in detail (stage status).
pub fn print_view(out: &mut dyn Write, v: &IssueView, all: bool) -> std::io::Result<()> {
    let title = v
        .title
        .as_deref()
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    writeln!(out, "issue #{}{title} ({})", v.issue, v.path)?;
    writeln!(
        out,
        "profile {}, stage {}, state {}",
        v.profile,
        v.stage,
        serde_json::to_value(v.state)
            .ok()
            .and_then(|s| s.as_str().map(str::to_string))
            .unwrap_or_default()
    )?;
    let width = v
        .stages
        .iter()
        .flat_map(|s| &s.requirements)
        .map(|r| r.types.join("|").len())
        .max()
        .unwrap_or(8);
    for s in &v.stages {
        if !all && s.position != Position::Current {
            continue;
        }
        let tag = match (s.position, s.complete) {
            (Position::Current, _) => " (current)",
            (Position::Past, true) => " (approved)",
            (Position::Past, false) => " (passed, not approved)",
            (Position::Ahead, _) => "",
        };
        writeln!(out)?;
        writeln!(out, "{}{tag}: {}", s.name, s.description)?;
        if s.requirements.is_empty() && s.prs_required == 0 {
            writeln!(out, "  requires nothing")?;
        }
        for r in &s.requirements {
            let docs = r
                .docs
                .iter()
                .map(|d| format!("{} ({}) {}", d.doc_id, d.status, d.path))
                .collect::<Vec<_>>()
                .join(", ");
            let line = format!(
                "  {:<8}  {:<width$}  {docs}",
                mark(r.state),
                r.types.join("|")
            );
            writeln!(out, "{}", line.trim_end())?;
        }
        if s.prs_required > 0 {
            let state = if v.prs >= s.prs_required {
                "present"
            } else {
                "missing"
            };
            writeln!(
                out,
                "  {state:<8}  {:<width$}  {} of {} linked",
                "pull requests", v.prs, s.prs_required
            )?;
        }
    }
    if all && !v.other_docs.is_empty() {
        writeln!(out)?;
        writeln!(out, "other documents:")?;
        for d in &v.other_docs {
            writeln!(
                out,
                "  {} ({}, {}) {}",
                d.doc_id, d.doc_type, d.status, d.path
            )?;
        }
    }
    writeln!(out)?;
    match &v.next {
        Some(n) => writeln!(out, "next stage: {n}")?,
        None => writeln!(out, "next stage: none (the last stage of {})", v.profile)?,
    }
    if v.gate.is_empty() {
        writeln!(out, "gate: met; `genie stage advance {}` moves on", v.issue)?;
    } else {
        writeln!(out, "gate: not met")?;
        for gap in &v.gate {
            writeln!(out, "  - {gap}")?;
        }
    }
    Ok(())
}
