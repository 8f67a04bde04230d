//! `genie policy check`: the staged changes, a commit message, the refs of a push.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use genie::check::Sink;
use genie::check::rules::Levels;
use genie::policy::commit::{CommitPolicy, push_line};
use genie::policy::staged;
use genie::repo::git::Git;
use genie::report::Report;

use super::check::{Deny, OutputFormat, write_report};
use super::{Global, fail};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Check the staged changes, a commit message or a push against the policy
    Check(Args),
}

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// The changes staged for the next commit, as the git index holds them (the default)
    #[arg(long)]
    pub staged: bool,
    /// A commit message file (what git passes to the commit-msg hook)
    #[arg(long, value_name = "FILE")]
    pub commit_msg: Option<PathBuf>,
    /// The refs being pushed, as git's pre-push hook reads them on standard input
    #[arg(long)]
    pub push: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Turn warnings into a failing exit code
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
}

pub fn exec(g: &Global, cmd: Command) -> ExitCode {
    match cmd {
        Command::Check(args) => check(g, args, None),
    }
}

/// Run the checks `args` ask for; `stdin` is the push input when the caller
/// already read it.
pub fn check(g: &Global, args: Args, stdin: Option<String>) -> ExitCode {
    let (root, config) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    let git = match Git::open(&root) {
        Ok(git) => git,
        Err(e) => return fail(format!("policy checks need a git repository: {e}"), g.color),
    };
    // Compiled only when a message or a push is checked: the pre-commit hook
    // needs none of it.
    let commit = if args.commit_msg.is_some() || args.push {
        match CommitPolicy::new(&config.policy) {
            Ok(c) => Some(c),
            Err(e) => return fail(e, g.color),
        }
    } else {
        None
    };
    let levels = Levels::new(&config);
    let staged_wanted = args.staged || (args.commit_msg.is_none() && !args.push);
    let mut report = Report::default();
    let mut notes: Vec<String> = Vec::new();

    if let Some(file) = &args.commit_msg {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                return fail(
                    format!("cannot read the commit message {}: {e}", file.display()),
                    g.color,
                );
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        let comment = git
            .config_string("core.commentChar")
            .and_then(|c| c.chars().next().filter(|_| c != "auto"))
            .unwrap_or('#');
        let shown = shown_path(&root, file);
        let mut sink = Sink::new(&levels);
        if let Some(commit) = &commit {
            commit.check_message(&shown, &text, comment, &mut sink);
        }
        report.diagnostics.extend(sink.into_vec());
    }

    if args.push {
        let input = match stdin {
            Some(s) => s,
            None => match push_input() {
                Ok(s) => s,
                Err(e) => return fail(format!("cannot read the refs to push: {e}"), g.color),
            },
        };
        let parsed = genie::policy::commit::parse_push(&input);
        notes.extend(parsed.notes.iter().map(|n| format!("pre-push input {n}")));
        let mut sink = Sink::new(&levels);
        if let Some(commit) = &commit {
            commit.check_push("pre-push", &input, &mut sink);
        }
        report.diagnostics.extend(sink.into_vec());
    }

    if staged_wanted {
        let started = std::time::Instant::now();
        match staged::check(&root, config.clone(), &git) {
            Ok(outcome) => {
                if g.verbose {
                    let _ = writeln!(
                        std::io::stderr(),
                        "genie: {} staged files; {} documents and DocSets from the cache, {} parsed; {:.1?}",
                        outcome.staged.len(),
                        outcome.cached,
                        outcome.parsed,
                        started.elapsed()
                    );
                    for (name, t) in &outcome.phases {
                        let _ = writeln!(std::io::stderr(), "genie:   {name}: {t:.1?}");
                    }
                }
                notes.extend(outcome.notes);
                report.docs = outcome.report.docs;
                report.diagnostics.extend(outcome.report.diagnostics);
            }
            Err(e) => return fail(e, g.color),
        }
    }

    if !g.quiet {
        let mut err = std::io::stderr().lock();
        for n in &notes {
            let _ = writeln!(err, "note: {n}");
        }
    }
    report.normalize();
    write_report(
        g,
        &root,
        &report,
        args.format,
        args.deny == Some(Deny::Warnings),
    )
}

/// The pre-push input: git's standard input, or, under the pre-commit framework
/// (which reads it itself), the ref it hands over in `PRE_COMMIT_*` variables.
fn push_input() -> std::io::Result<String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let (Some(local), Some(to), Some(remote)) = (
        var("PRE_COMMIT_LOCAL_BRANCH"),
        var("PRE_COMMIT_TO_REF"),
        var("PRE_COMMIT_REMOTE_BRANCH"),
    ) {
        let from = var("PRE_COMMIT_FROM_REF").unwrap_or_else(|| "0".repeat(40));
        return Ok(push_line(&local, &to, &remote, &from));
    }
    let mut s = String::new();
    if !std::io::stdin().is_terminal() {
        std::io::stdin().read_to_string(&mut s)?;
    }
    Ok(s)
}

/// A path as diagnostics show it: relative to the root when inside it.
fn shown_path(root: &Path, file: &Path) -> String {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (root, file_abs) = (abs(root), abs(file));
    match file_abs.strip_prefix(&root) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => file.display().to_string(),
    }
}
