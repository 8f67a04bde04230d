//! `genie templates list|show TYPE`.

use std::io::Write;
use std::process::ExitCode;

use genie::render::{self, Source};

use super::authoring::Format;
use super::{Global, OK, fail, io_result};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
    format: Format,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Every type and the template `genie new` uses for it (the default)
    List,
    /// Print the template of a type (the repository's override, else the built-in one)
    Show {
        #[arg(value_name = "TYPE")]
        doc_type: String,
    },
}

fn source_text(s: &Source) -> String {
    match s {
        Source::Builtin => "built-in".into(),
        Source::Generic => "built-in (generic)".into(),
        Source::Repository { path } => path.clone(),
    }
}

pub fn exec(g: &Global, args: Args) -> ExitCode {
    let (root, config) = match g.load_config() {
        Ok(x) => x,
        Err(e) => return fail(e, g.color),
    };
    let mut out = std::io::stdout().lock();
    let r = match args.command.unwrap_or(Command::List) {
        Command::List => {
            let list = render::list(&root, &config);
            match args.format {
                Format::Json => serde_json::to_writer_pretty(&mut out, &list)
                    .map_err(std::io::Error::from)
                    .and_then(|()| writeln!(out)),
                Format::Human => (|| {
                    let w = list.iter().map(|t| t.doc_type.len()).max().unwrap_or(4);
                    let p = list.iter().map(|t| t.prefix.len()).max().unwrap_or(6);
                    for t in &list {
                        writeln!(
                            out,
                            "{:<w$}  {:<p$}  {:<7}  {}",
                            t.doc_type,
                            t.prefix,
                            t.owner_role,
                            source_text(&t.source)
                        )?;
                    }
                    Ok(())
                })(),
            }
        }
        Command::Show { doc_type } => {
            let t = match render::find(&root, &config, &doc_type) {
                Ok(t) => t,
                Err(e) => return fail(e, g.color),
            };
            match args.format {
                Format::Json => serde_json::to_writer_pretty(
                    &mut out,
                    &serde_json::json!({"type": t.doc_type, "source": t.source, "text": t.text}),
                )
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out)),
                Format::Human => out.write_all(t.text.as_bytes()),
            }
        }
    };
    io_result(r, OK, g.color)
}
