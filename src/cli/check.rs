//! `genie check` (alias `genie docset check`).

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use clap::ValueEnum;
use genie::check::{self, Context, Options};
use genie::repo::Repo;
use genie::report::{self, FileSource};

use super::{FINDINGS, Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    #[default]
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Deny {
    /// Fail on warnings too
    Warnings,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Report only findings in these files or folders (the whole repository is still read)
    #[arg(value_name = "PATH")]
    paths: Vec<std::path::PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Turn warnings into a failing exit code
    #[arg(long, value_enum)]
    deny: Option<Deny>,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let started = Instant::now();
    let (root, config) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    let repo = match Repo::load(&root, config) {
        Ok(r) => r,
        Err(e) => return fail(e, g.color),
    };
    let ctx = match Context::new(&repo.config) {
        Ok(c) => c,
        Err(e) => return fail(e, g.color),
    };
    let paths = match relative_paths(&root, &args.paths) {
        Ok(p) => p,
        Err(e) => return fail(e, g.color),
    };
    let report = check::run(
        &repo,
        &ctx,
        &Options {
            paths,
            ..Default::default()
        },
    );
    if g.verbose {
        let _ = writeln!(
            std::io::stderr(),
            "genie: read {} documents and {} DocSets in {:.1?}",
            repo.docs.len(),
            repo.docsets.len(),
            started.elapsed()
        );
    }
    write_report(
        g,
        &root,
        &report,
        args.format,
        args.deny == Some(Deny::Warnings),
    )
}

/// Write a report of diagnostics in `format` to stdout (and, for `github`, the job
/// summary to `$GITHUB_STEP_SUMMARY`), and return the exit code: 1 when it fails.
/// Every command whose findings are diagnostics writes them through here.
pub fn write_report(
    g: &Global,
    root: &std::path::Path,
    report: &report::Report,
    format: OutputFormat,
    deny_warnings: bool,
) -> ExitCode {
    let failed = report.failed(deny_warnings);
    let code = if failed { FINDINGS } else { OK };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match format {
        OutputFormat::Human => {
            let style = report::human::Style {
                color: g.color,
                quiet: g.quiet,
            };
            report::human::write(report, &FileSource::new(root), style, &mut out)
        }
        OutputFormat::Json => report::json::write(report, &mut out),
        OutputFormat::Sarif => report::sarif::write(report, &mut out),
        OutputFormat::Github => {
            let r = report::github::write(report, &mut out);
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
                let appended = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .and_then(|mut f| {
                        let mut buf = Vec::new();
                        report::github::summary(report, &mut buf)?;
                        f.write_all(&buf)
                    });
                if let Err(e) = appended {
                    return fail(
                        format!(
                            "cannot append the job summary to {}: {e}",
                            std::path::Path::new(&path).display()
                        ),
                        g.color,
                    );
                }
            }
            r
        }
    };
    io_result(written.and_then(|()| out.flush()), code, g.color)
}

/// PATH arguments as repository-relative `/` paths.
fn relative_paths(
    root: &std::path::Path,
    paths: &[std::path::PathBuf],
) -> Result<Vec<String>, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let root_abs = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    paths
        .iter()
        .map(|p| {
            let abs = if p.is_absolute() {
                p.clone()
            } else {
                cwd.join(p)
            };
            let abs = std::fs::canonicalize(&abs).map_err(|e| format!("{}: {e}", p.display()))?;
            let rel = abs.strip_prefix(&root_abs).map_err(|_| {
                format!(
                    "{} is outside the repository {}",
                    p.display(),
                    root_abs.display()
                )
            })?;
            Ok(rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"))
        })
        .collect()
}
