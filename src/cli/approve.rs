//! `genie approve DOC_ID --by NAME`.

use std::io::Write;
use std::process::ExitCode;

use super::authoring::{self, Format};
use super::{Global, OK, io_result};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The document to approve
    #[arg(value_name = "DOC_ID")]
    doc_id: String,
    /// Who approves it
    #[arg(long, value_name = "NAME")]
    by: String,
    /// Show what would be written, write nothing
    #[arg(long)]
    dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let mut repo = match authoring::load(g) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let env = match authoring::env(g, &repo) {
        Ok(e) => e,
        Err(c) => return c,
    };
    let (report, plan) = match genie::ops::approve::approve(&mut repo, &env, &args.doc_id, &args.by)
    {
        Ok(x) => x,
        Err(e) => return authoring::op_fail(e, g),
    };
    if let Err(c) = authoring::apply(&plan, &repo, args.dry_run, g) {
        return c;
    }
    let r = match args.format {
        Format::Json => {
            authoring::print_json(&authoring::json_with_changes(&report, &plan, args.dry_run))
        }
        Format::Human => (|| {
            let mut out = std::io::stdout().lock();
            if report.already {
                writeln!(
                    out,
                    "{} is already approved by {}",
                    report.doc_id, report.by
                )?;
                return Ok(());
            }
            let verb = if args.dry_run { "would be" } else { "is" };
            writeln!(
                out,
                "{} {verb} {} by {} on {}",
                report.doc_id, report.status, report.by, report.approved_at
            )?;
            authoring::print_plan(&mut out, &plan, args.dry_run)
        })(),
    };
    io_result(r, OK, g.color)
}
