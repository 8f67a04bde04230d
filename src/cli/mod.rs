//! The command line: parse arguments, call the library, map the outcome to an exit code.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod approve;
mod authoring;
pub mod check;
mod config;
mod context;
mod docset;
mod export;
mod external;
mod gate;
mod graph;
mod handoff;
mod hook;
mod impact;
mod index;
mod init;
mod labels;
mod lint;
mod log;
mod matrix;
mod new;
mod policy;
mod rules;
mod run;
mod search;
mod stage;
mod templates;
mod toc;

/// Exit codes: 0 clean, 1 findings or a failed gate, 2 usage, configuration or I/O error.
pub const OK: u8 = 0;
pub const FINDINGS: u8 = 1;
pub const TROUBLE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "genie",
    version,
    about = "Documents, DocSets and traceability for product teams, checked from the git repository alone",
    propagate_version = true,
    allow_external_subcommands = true
)]
pub struct Cli {
    /// Repository root (default: the nearest ancestor with genie.toml, else with .git)
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Configuration file to use instead of <root>/genie.toml
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// When to color output (NO_COLOR is honoured)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print less: no summary when there is nothing to report
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Print more: timings and counts on stderr
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check documents, DocSets and required artifacts
    Check(check::Args),
    /// DocSet commands
    #[command(subcommand)]
    Docset(DocsetCommand),
    /// List every rule: code, name, default level and what it catches
    Rules(rules::Args),
    /// Show the effective configuration
    Config(config::Args),
    /// Set up a repository: genie.toml, the docs layout, docs/_docset/
    Init(init::Args),
    /// Start a document from its type's template
    New(new::Args),
    /// The templates `genie new` uses
    Templates(templates::Args),
    /// Where an issue stands, and moving it through its stages
    #[command(subcommand)]
    Stage(stage::Command),
    /// Approve a document
    Approve(approve::Args),
    /// The issue map: every issue and PR with its documents, status and releases
    Matrix(matrix::Args),
    /// The table of contents: every document by folder and type
    Toc(toc::Args),
    /// The relation graph of documents, issues and PRs
    Graph(graph::Args),
    /// What the working tree's changes affect, and what needs re-approval
    Impact(impact::Args),
    /// The status history of a document, or the stage history of an issue, from git
    Log(log::Args),
    /// Git hooks that enforce the policy: install, uninstall, run
    #[command(subcommand)]
    Hook(hook::Command),
    /// Policy checks: staged changes, commit messages, pushes
    #[command(subcommand)]
    Policy(policy::Command),
    /// The process labels: catalog, `gh label create` script, repository variables
    Labels(labels::Args),
    /// Lint files that are not documents
    #[command(subcommand)]
    Lint(LintCommand),
    /// In GitHub Actions: is the stage a label event asks for allowed?
    Gate(gate::Args),
    /// Build or update the search index in .genie/index
    Index(index::Args),
    /// Search the documents: ranked sections with a highlighted snippet
    Search(search::Args),
    /// Assemble prompt-ready context for a task within a token budget
    Context(context::Args),
    /// Every search chunk as one JSON object a line, for an external search cluster
    Export(export::Args),
    /// Run tasks of agents in parallel git worktrees; `run clean`, `run export`
    Run(run::Args),
    /// Handoff packages a task leaves for a reviewer
    #[command(subcommand)]
    Handoff(handoff::Command),
    #[command(external_subcommand)]
    External(Vec<OsString>),
}

#[derive(Subcommand, Debug)]
enum LintCommand {
    /// GitHub workflows: labels compared through repository variables, not string literals
    Workflows(lint::Args),
}

#[derive(Subcommand, Debug)]
enum DocsetCommand {
    /// Same as `genie check`
    Check(check::Args),
    /// Derive the DocSets' document lists from front-matter
    Sync(docset::SyncArgs),
    /// An issue's documents by stage: present, approved, missing
    Show(docset::ShowArgs),
}

/// Global options every command sees.
pub struct Global {
    pub root: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub color: bool,
    pub quiet: bool,
    pub verbose: bool,
}

impl Global {
    /// The repository root and its configuration.
    pub fn load_config(
        &self,
    ) -> Result<(PathBuf, genie::config::Config), genie::config::ConfigError> {
        let start = match &self.root {
            Some(r) => r.clone(),
            None => std::env::current_dir().map_err(|e| genie::config::ConfigError {
                path: None,
                line: None,
                message: format!("cannot read the current directory: {e}"),
            })?,
        };
        let found = if self.root.is_some() {
            let explicit = start.join(genie::config::FILE_NAME);
            genie::config::Discovered {
                config_path: explicit.is_file().then_some(explicit),
                root: start,
            }
        } else {
            genie::config::discover(&start)
        };
        let path = self.config.clone().or(found.config_path);
        let config = match path {
            Some(p) => genie::config::Config::load(&p)?,
            None => genie::config::Config::builtin(),
        };
        Ok((found.root, config))
    }
}

/// Print an error the way every command does, and return exit code 2.
pub fn fail(message: impl std::fmt::Display, color: bool) -> ExitCode {
    let label = if color {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    let _ = writeln!(std::io::stderr(), "{label}: {message}");
    ExitCode::from(TROUBLE)
}

/// Map a write error: a closed pipe (`genie check | head`) is not a failure.
pub fn io_result(r: std::io::Result<()>, code: u8, color: bool) -> ExitCode {
    match r {
        Ok(()) => ExitCode::from(code),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(code),
        Err(e) => fail(format!("cannot write the output: {e}"), color),
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { TROUBLE } else { OK });
        }
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let global = Global {
        root: cli.root,
        config: cli.config,
        color,
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    match cli.command {
        Command::Check(args) | Command::Docset(DocsetCommand::Check(args)) => {
            check::exec(&global, args)
        }
        Command::Rules(args) => rules::exec(&global, args),
        Command::Config(args) => config::exec(&global, args),
        Command::Init(args) => init::exec(&global, args),
        Command::New(args) => new::exec(&global, args),
        Command::Templates(args) => templates::exec(&global, args),
        Command::Stage(cmd) => stage::exec(&global, cmd),
        Command::Approve(args) => approve::exec(&global, args),
        Command::Matrix(args) => matrix::exec(&global, args),
        Command::Toc(args) => toc::exec(&global, args),
        Command::Graph(args) => graph::exec(&global, args),
        Command::Impact(args) => impact::exec(&global, args),
        Command::Log(args) => log::exec(&global, args),
        Command::Docset(DocsetCommand::Sync(args)) => docset::sync(&global, args),
        Command::Docset(DocsetCommand::Show(args)) => docset::show(&global, args),
        Command::Hook(cmd) => hook::exec(&global, cmd),
        Command::Policy(cmd) => policy::exec(&global, cmd),
        Command::Labels(args) => labels::exec(&global, args),
        Command::Lint(LintCommand::Workflows(args)) => lint::exec(&global, args),
        Command::Gate(args) => gate::exec(&global, args),
        Command::Index(args) => index::exec(&global, args),
        Command::Search(args) => search::exec(&global, args),
        Command::Context(args) => context::exec(&global, args),
        Command::Export(args) => export::exec(&global, args),
        Command::Run(args) => run::exec(&global, args),
        Command::Handoff(cmd) => handoff::exec(&global, cmd),
        Command::External(args) => external::exec(&global, args),
    }
}
