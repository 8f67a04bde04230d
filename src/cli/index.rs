//! `genie index`: build or update the search index.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::ValueEnum;
use genie::index::{self, UpdateError, UpdateOptions, UpdateStats};

use super::{Global, OK, TROUBLE, fail, io_result};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Throw the index away and build it again
    #[arg(long)]
    rebuild: bool,
    /// Seconds to wait for another genie process that is updating the index
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    wait: u64,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// Files to index before a progress bar is worth drawing.
const PROGRESS_FROM: usize = 500;

/// Update the index with a progress bar on a terminal. `Err` carries the exit code.
pub fn update(
    g: &Global,
    root: &std::path::Path,
    config: &genie::config::Config,
    rebuild: bool,
    wait: Duration,
) -> Result<UpdateStats, UpdateError> {
    let bar = (!g.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::hidden();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix:>8} [{bar:30}] {pos}/{len} files, {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix("indexing");
        bar
    });
    let progress = |done: usize, total: usize| {
        if let Some(bar) = &bar
            && total >= PROGRESS_FROM
        {
            if bar.is_hidden() {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.set_length(total as u64);
            }
            bar.set_position(done as u64);
        }
    };
    let opts = UpdateOptions {
        rebuild,
        wait,
        progress: Some(&progress),
    };
    let result = index::update(root, config, &opts);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let (root, config) = match g.load_config() {
        Ok(c) => c,
        Err(e) => return fail(e, g.color),
    };
    let stats = match update(
        g,
        &root,
        &config,
        args.rebuild,
        Duration::from_secs(args.wait),
    ) {
        Ok(s) => s,
        Err(e) => return fail(e, g.color),
    };
    let mut out = std::io::stdout().lock();
    let r = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &stats)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        Format::Human => {
            if !stats.committed {
                if g.quiet {
                    Ok(())
                } else {
                    writeln!(
                        out,
                        "index up to date: {} documents ({} in {})",
                        stats.files,
                        mb(stats.index_bytes),
                        index::DIR
                    )
                }
            } else {
                let how = match &stats.rebuilt {
                    Some(reason) => format!("built from scratch ({reason})"),
                    None => "updated".to_string(),
                };
                writeln!(
                    out,
                    "index {how}: {} documents indexed ({} chunks, {}), {} removed; {} documents in all, {} in {}, {} ms",
                    stats.indexed,
                    stats.chunks,
                    mb(stats.bytes),
                    stats.removed,
                    stats.files,
                    mb(stats.index_bytes),
                    index::DIR,
                    stats.elapsed_ms
                )
            }
        }
    };
    io_result(r, OK, g.color)
}

/// Exit code of a failed update, for commands that update before they read.
pub fn update_failure(g: &Global, e: UpdateError) -> Result<(), ExitCode> {
    match e {
        UpdateError::Busy => {
            super::search::warn(g, &format!("{e}; searching the last complete index"));
            Ok(())
        }
        UpdateError::Failed(e) => {
            let _ = TROUBLE;
            Err(fail(e, g.color))
        }
    }
}
