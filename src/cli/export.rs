//! `genie export`: every search chunk, one JSON object a line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use genie::index::export;

use super::{Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// One JSON object a line (Elasticsearch, OpenSearch and Quickwit bulk-load it)
    Ndjson,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum)]
    format: Format,
    /// Write to this file (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Overwrite an existing output file
    #[arg(long)]
    force: bool,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let (root, config) = match g.load_config() {
        Ok(c) => c,
        Err(e) => return fail(e, g.color),
    };
    let Format::Ndjson = args.format;
    match &args.output {
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match export::write_ndjson(&root, &config, &mut out) {
                Ok(r) => io_result(r.map(|_| ()), OK, g.color),
                Err(e) => fail(e, g.color),
            }
        }
        Some(path) => {
            if path.exists() && !args.force {
                return fail(
                    format!("{} exists; --force overwrites it", path.display()),
                    g.color,
                );
            }
            let mut buf = Vec::new();
            let stats = match export::write_ndjson(&root, &config, &mut buf) {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => return fail(e, g.color),
                Err(e) => return fail(e, g.color),
            };
            if let Err(e) = genie::trace::generated::write_atomic(path, &buf) {
                return fail(format!("cannot write {}: {e}", path.display()), g.color);
            }
            if !g.quiet {
                let _ = writeln!(
                    std::io::stderr(),
                    "wrote {} chunks of {} documents to {}",
                    stats.chunks,
                    stats.documents,
                    path.display()
                );
            }
            ExitCode::from(OK)
        }
    }
}
