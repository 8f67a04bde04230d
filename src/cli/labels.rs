//! `genie labels`: the process labels as a table, JSON, a `gh` script or variables.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use genie::policy::labels;

use super::{Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum LabelsFormat {
    /// A markdown table
    Md,
    /// `{"version": 1, "labels": [...]}`
    Json,
    /// A shell script of `gh label create … --force` lines
    Gh,
    /// `NAME=value` lines for `gh variable set -f FILE`
    Vars,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = LabelsFormat::Md)]
    format: LabelsFormat,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let (root, config) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    let catalog = match labels::catalog_in(&config, config_file(g, &root).as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(e, g.color),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.format {
        LabelsFormat::Md => labels::write_md(&catalog, &mut out),
        LabelsFormat::Json => labels::write_json(&catalog, &mut out),
        LabelsFormat::Gh => labels::write_gh(&catalog, &mut out),
        LabelsFormat::Vars => labels::write_vars(&catalog, &mut out),
    };
    io_result(written.and_then(|()| out.flush()), OK, g.color)
}

/// The genie.toml the configuration came from, if any (for error positions).
pub fn config_file(g: &Global, root: &std::path::Path) -> Option<PathBuf> {
    g.config.clone().or_else(|| {
        let p = root.join(genie::config::FILE_NAME);
        p.is_file().then_some(p)
    })
}
