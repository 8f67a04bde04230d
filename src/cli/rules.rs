//! `genie rules`: every rule with its code, name, level and documentation.

use std::io::Write;
use std::process::ExitCode;

use genie::check::rules::{Levels, RULES};

use super::{Global, OK, fail, io_result};

#[derive(Copy, Clone, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum RulesFormat {
    Human,
    Json,
    Md,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    format: RulesFormat,
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let config = match g.load_config() {
        Ok((_, c)) => c,
        Err(e) => return fail(e, g.color),
    };
    let levels = Levels::new(&config);
    let mut out = std::io::stdout().lock();
    let r = (|| -> std::io::Result<()> {
        match args.format {
            RulesFormat::Json => {
                let list: Vec<_> = RULES
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "code": r.code, "name": r.name,
                            "default_level": r.level.as_str(),
                            "level": levels.of(r).as_str(),
                            "summary": r.summary, "help": r.help
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut out, &list)?;
                writeln!(out)
            }
            RulesFormat::Md => {
                writeln!(out, "| code | name | default level | what it catches |")?;
                writeln!(out, "|---|---|---|---|")?;
                for r in RULES {
                    writeln!(
                        out,
                        "| {} | `{}` | {} | {} |",
                        r.code,
                        r.name,
                        r.level.as_str(),
                        r.summary.replace('|', "\\|")
                    )?;
                }
                Ok(())
            }
            RulesFormat::Human => {
                for r in RULES {
                    let level = levels.of(r);
                    let changed = if level != r.level {
                        format!(" (default {})", r.level.as_str())
                    } else {
                        String::new()
                    };
                    writeln!(
                        out,
                        "{} {:<22} {:<7}{changed}",
                        r.code,
                        r.name,
                        level.as_str()
                    )?;
                    writeln!(out, "      {}", r.summary)?;
                    writeln!(out, "      help: {}", r.help)?;
                }
                Ok(())
            }
        }
    })();
    io_result(r, OK, g.color)
}
