//! `genie lint workflows`: labels in GitHub workflows go through repository variables.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use genie::check::rules::Levels;
use genie::policy::{labels, workflows};

use super::check::{OutputFormat, write_report};
use super::{Global, fail};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Workflow files, or folders whose .yml/.yaml files to lint (default: <root>/.github/workflows)
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let (root, config) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    let catalog = match labels::catalog_in(&config, super::labels::config_file(g, &root).as_deref())
    {
        Ok(c) => c,
        Err(e) => return fail(e, g.color),
    };
    let found = match workflows::find(&root, &args.paths) {
        Ok(f) => f,
        Err(e) => return fail(e, g.color),
    };
    if found.no_workflows_dir && !g.quiet {
        let _ = writeln!(
            std::io::stderr(),
            "note: {} has no {} folder; no workflow to lint",
            root.display(),
            workflows::WORKFLOWS_DIR
        );
    }
    let levels = Levels::new(&config);
    let report = match workflows::lint_files(&root, &found.files, &catalog, &levels) {
        Ok(r) => r,
        Err(e) => return fail(e, g.color),
    };
    if g.verbose {
        let _ = writeln!(
            std::io::stderr(),
            "genie: linted {} workflow files against {} labels",
            found.files.len(),
            catalog.len()
        );
    }
    write_report(g, &root, &report, args.format, false)
}
