//! `genie hook install|uninstall|run`: git hooks that enforce the policy.

use std::io::Write;
use std::process::ExitCode;

use genie::policy::hooks::{self, Action, Existing};
use genie::repo::git::Git;

use super::check::OutputFormat;
use super::{FINDINGS, Global, OK, TROUBLE, fail, io_result, policy};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Install the pre-commit, commit-msg and pre-push hooks (honours core.hooksPath)
    Install(InstallArgs),
    /// Remove genie's hooks, putting back any hook `--chain` kept
    Uninstall(FormatArgs),
    /// Run one hook's checks (what the installed hooks call)
    Run(RunArgs),
}

#[derive(Copy, Clone, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct InstallArgs {
    /// Keep a hook genie did not write as NAME.local and run it after genie's checks
    #[arg(long, conflicts_with = "force")]
    chain: bool,
    /// Replace a hook genie did not write (a copy is kept as NAME.genie-backup)
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    format: FormatArgs,
}

#[derive(clap::Args, Debug)]
pub struct FormatArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// pre-commit, commit-msg or pre-push
    #[arg(value_parser = ["pre-commit", "commit-msg", "pre-push"])]
    name: String,
    /// What git passes to the hook (commit-msg: the message file; pre-push: remote name and URL)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

pub fn exec(g: &Global, cmd: Command) -> ExitCode {
    match cmd {
        Command::Install(a) => {
            let existing = if a.chain {
                Existing::Chain
            } else if a.force {
                Existing::Force
            } else {
                Existing::Refuse
            };
            manage(g, a.format.format, |dir| hooks::install(dir, existing))
        }
        Command::Uninstall(a) => manage(g, a.format, hooks::uninstall),
        Command::Run(a) => run(g, a),
    }
}

fn manage(
    g: &Global,
    format: Format,
    f: impl FnOnce(&std::path::Path) -> std::io::Result<Vec<hooks::HookResult>>,
) -> ExitCode {
    let (root, _) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    let git = match Git::open(&root) {
        Ok(git) => git,
        Err(e) => return fail(format!("hooks need a git repository: {e}"), g.color),
    };
    let dir = git.hooks_dir();
    let results = match f(&dir) {
        Ok(r) => r,
        Err(e) => return fail(format!("{}: {e}", dir.display()), g.color),
    };
    let refused = results
        .iter()
        .any(|r| matches!(r.action, Action::Refused { .. }));
    let mut out = std::io::stdout().lock();
    let written = match format {
        Format::Json => {
            let v = serde_json::json!({
                "version": 1,
                "hooks_dir": dir.display().to_string(),
                "hooks": results,
            });
            serde_json::to_writer_pretty(&mut out, &v)
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out))
        }
        Format::Human => (|| {
            for r in &results {
                let line = match &r.action {
                    Action::Installed => format!("installed {}", r.path),
                    Action::Updated => format!("updated {}", r.path),
                    Action::Unchanged => format!("up to date {}", r.path),
                    Action::Chained { kept } => {
                        format!(
                            "installed {} (the hook that was there runs after it, from {kept})",
                            r.path
                        )
                    }
                    Action::Replaced { backup } => {
                        format!("replaced {} (the old hook is kept as {backup})", r.path)
                    }
                    Action::Refused { reason } => format!("refused: {reason}"),
                    Action::Removed => format!("removed {}", r.path),
                    Action::Restored => format!("removed {} and put the chained hook back", r.path),
                    Action::NotOurs => format!("left {} alone: genie did not write it", r.path),
                    Action::Absent => format!("no {} to remove", r.path),
                };
                writeln!(out, "{line}")?;
            }
            Ok(())
        })(),
    };
    let code = if refused { FINDINGS } else { OK };
    io_result(written, code, g.color)
}

fn run(g: &Global, a: RunArgs) -> ExitCode {
    let mut args = policy::Args {
        format: OutputFormat::Human,
        ..Default::default()
    };
    match a.name.as_str() {
        "pre-commit" => args.staged = true,
        "commit-msg" => match a.args.first() {
            Some(f) => args.commit_msg = Some(f.into()),
            None => {
                return fail(
                    "the commit-msg hook needs the message file (git passes it)",
                    g.color,
                );
            }
        },
        "pre-push" => args.push = true,
        other => {
            let _ = writeln!(std::io::stderr(), "error: unknown hook `{other}`");
            return ExitCode::from(TROUBLE);
        }
    }
    policy::check(g, args, None)
}
