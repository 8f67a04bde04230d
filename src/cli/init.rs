//! `genie init`.

use std::io::Write;
use std::process::ExitCode;

use genie::ops::init::{InitAction, InitOptions};

use super::authoring::{self, Format};
use super::{Global, OK, fail, io_result};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Default profile of new DocSets (new-service, feature, quick-fix)
    #[arg(long, value_name = "P")]
    profile: Option<String>,
    /// Also install a pre-commit hook running `genie check -q` (only if there is none)
    #[arg(long)]
    with_hooks: bool,
    /// Also write .github/workflows/genie.yml running `genie check --format github`
    #[arg(long)]
    with_github: bool,
    /// Rewrite genie.toml and the README files even if they exist
    #[arg(long)]
    force: bool,
    /// Show what would be written, write nothing
    #[arg(long)]
    dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let root = match &g.root {
        Some(r) => r.clone(),
        None => match std::env::current_dir() {
            Ok(d) => d,
            Err(e) => return fail(format!("cannot read the current directory: {e}"), g.color),
        },
    };
    if !root.is_dir() {
        return fail(format!("{} is not a directory", root.display()), g.color);
    }
    let opts = InitOptions {
        profile: args.profile,
        with_hooks: args.with_hooks,
        with_github: args.with_github,
        force: args.force,
    };
    let (report, plan) = match genie::ops::init::init(&root, &opts) {
        Ok(x) => x,
        Err(e) => return authoring::op_fail(e, g),
    };
    if !args.dry_run
        && let Err(e) = plan.apply(&root)
    {
        return authoring::op_fail(e, g);
    }
    let r = match args.format {
        Format::Json => {
            authoring::print_json(&authoring::json_with_changes(&report, &plan, args.dry_run))
        }
        Format::Human => (|| {
            let mut out = std::io::stdout().lock();
            for f in &report.files {
                let what = match (f.action, args.dry_run) {
                    (InitAction::Created, false) => "created",
                    (InitAction::Created, true) => "would create",
                    (InitAction::Overwritten, false) => "overwrote",
                    (InitAction::Overwritten, true) => "would overwrite",
                    (InitAction::Updated, false) => "updated",
                    (InitAction::Updated, true) => "would update",
                    (InitAction::Kept, _) => "kept",
                    (InitAction::Skipped, _) => "skipped",
                };
                if f.action == InitAction::Kept && g.quiet {
                    continue;
                }
                let note = if f.note.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", f.note)
                };
                writeln!(out, "{what} {}{note}", f.path)?;
            }
            if plan.is_empty() && !g.quiet {
                writeln!(out, "nothing to do: the repository is set up")?;
            }
            Ok(())
        })(),
    };
    io_result(r, OK, g.color)
}
