//! `genie new TYPE TITLE`.

use std::io::Write;
use std::process::ExitCode;

use genie::ops::new::{Against, NewOptions};
use genie::ops::parse_number;

use super::authoring::{self, Format};
use super::{Global, OK, io_result};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Document type (`genie templates list` shows them)
    #[arg(value_name = "TYPE")]
    doc_type: String,
    /// Title of the document
    #[arg(value_name = "TITLE")]
    title: String,
    /// Link the document to this issue and add it to the issue's DocSet (created when missing)
    #[arg(long, value_name = "N", value_parser = parse_number)]
    issue: Option<u64>,
    /// Link the document to this pull request
    #[arg(long, value_name = "N", value_parser = parse_number)]
    pr: Option<u64>,
    /// The doc_id this document replaces (its status becomes superseded)
    #[arg(long, value_name = "ID")]
    supersedes: Option<String>,
    /// Owner role (default: the type's usual owner)
    #[arg(long, value_name = "R")]
    owner_role: Option<String>,
    /// Also count the ids in this revision's tree (default: the upstream branch, when there is one)
    #[arg(long, value_name = "REV", conflicts_with = "no_against")]
    against: Option<String>,
    /// Count only the ids of the working tree
    #[arg(long)]
    no_against: bool,
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
    let opts = NewOptions {
        doc_type: args.doc_type,
        title: args.title,
        issue: args.issue,
        pr: args.pr,
        supersedes: args.supersedes,
        owner_role: args.owner_role,
        against: match (args.against, args.no_against) {
            (Some(r), _) => Against::Rev(r),
            (None, true) => Against::Nothing,
            (None, false) => Against::Upstream,
        },
    };
    let (report, plan) = match genie::ops::new::new(&mut repo, &env, &opts) {
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
            for f in &report.files {
                writeln!(
                    out,
                    "{} {}: {}",
                    authoring::verb(f.action, args.dry_run),
                    f.path,
                    f.what
                )?;
            }
            if let Some(a) = &report.against
                && !g.quiet
            {
                writeln!(out, "(ids in {a} counted too)")?;
            }
            Ok(())
        })(),
    };
    io_result(r, OK, g.color)
}
