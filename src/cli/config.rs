//! `genie config --dump`: the effective configuration, built-in defaults included.

use std::io::Write;
use std::process::ExitCode;

use super::{Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum ConfigFormat {
    Toml,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print the effective configuration (defaults and genie.toml merged)
    #[arg(long, required = true)]
    dump: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = ConfigFormat::Toml)]
    format: ConfigFormat,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let config = match g.load_config() {
        Ok((_, c)) => c,
        Err(e) => return fail(e, g.color),
    };
    debug_assert!(args.dump);
    let mut out = std::io::stdout().lock();
    let r = match args.format {
        ConfigFormat::Toml => out.write_all(config.to_toml().as_bytes()),
        ConfigFormat::Json => serde_json::to_writer_pretty(&mut out, &config)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
    };
    io_result(r, OK, g.color)
}
