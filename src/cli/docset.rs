//! `genie docset sync [ISSUE | --all] [--check]` and `genie docset show ISSUE`.

use std::io::Write;
use std::process::ExitCode;

use genie::ops::docset::Target;
use genie::ops::parse_number;

use super::authoring::{self, Format};
use super::{FINDINGS, Global, OK, io_result};

#[derive(clap::Args, Debug)]
pub struct SyncArgs {
    /// The issue whose DocSet to sync
    #[arg(value_name = "ISSUE", value_parser = parse_number, required_unless_present = "all", conflicts_with = "all")]
    issue: Option<u64>,
    /// Sync every DocSet (issues and pull requests)
    #[arg(long)]
    all: bool,
    /// Write nothing; exit 1 and show the difference when a DocSet is not what sync would write
    #[arg(long)]
    check: bool,
    /// Show what would be written, write nothing
    #[arg(long)]
    dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn sync(g: &Global, args: SyncArgs) -> ExitCode {
    let mut repo = match authoring::load(g) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let target = match args.issue {
        Some(n) => Target::Issue(n),
        None => Target::All,
    };
    let (report, plan) = match genie::ops::docset::sync(&mut repo, target, args.check, args.dry_run)
    {
        Ok(x) => x,
        Err(e) => return authoring::op_fail(e, g),
    };
    if let Err(c) = authoring::apply(&plan, &repo, args.dry_run || args.check, g) {
        return c;
    }
    let code = if args.check && report.drift {
        FINDINGS
    } else {
        OK
    };
    let r = match args.format {
        Format::Json => {
            authoring::print_json(&authoring::json_with_changes(&report, &plan, args.dry_run))
        }
        Format::Human => (|| {
            let mut out = std::io::stdout().lock();
            for s in &report.docsets {
                if !s.changed {
                    if !g.quiet {
                        writeln!(out, "ok {}", s.path)?;
                    }
                    continue;
                }
                let mut what = Vec::new();
                if !s.added.is_empty() {
                    what.push(format!("adds {}", s.added.join(", ")));
                }
                if !s.removed.is_empty() {
                    what.push(format!("removes {}", s.removed.join(", ")));
                }
                if !s.updated.is_empty() {
                    what.push(format!("updates {}", s.updated.join(", ")));
                }
                if what.is_empty() {
                    what.push("reorders or reformats the list".into());
                }
                let verb = if args.check {
                    "out of sync"
                } else if args.dry_run {
                    "would sync"
                } else {
                    "synced"
                };
                writeln!(out, "{verb} {}: {}", s.path, what.join("; "))?;
                if args.check || args.dry_run {
                    out.write_all(s.diff.as_bytes())?;
                }
            }
            if args.check && report.drift {
                writeln!(out, "run `genie docset sync` to rewrite them")?;
            }
            Ok(())
        })(),
    };
    io_result(r, code, g.color)
}

#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    /// The issue
    #[arg(value_name = "ISSUE", value_parser = parse_number)]
    issue: u64,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn show(g: &Global, args: ShowArgs) -> ExitCode {
    let repo = match authoring::load(g) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let view = match genie::ops::stage::view(&repo, args.issue) {
        Ok(v) => v,
        Err(e) => return authoring::op_fail(e, g),
    };
    let r = match args.format {
        Format::Json => authoring::print_json(&serde_json::to_value(&view).unwrap_or_default()),
        Format::Human => {
            let mut out = std::io::stdout().lock();
            super::stage::print_view(&mut out, &view, true)
        }
    };
    io_result(r, OK, g.color)
}
