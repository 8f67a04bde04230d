//! `genie foo …` runs `genie-foo …` from PATH, as cargo does with its subcommands.

use std::ffi::OsString;
use std::process::ExitCode;

use super::{Global, fail};

pub fn exec(g: &Global, args: Vec<OsString>) -> ExitCode {
    let Some((name, rest)) = args.split_first() else {
        return fail("no command given; see `genie --help`", g.color);
    };
    let program = format!("genie-{}", name.to_string_lossy());
    match std::process::Command::new(&program).args(rest).status() {
        Ok(status) => ExitCode::from(
            status
                .code()
                .map_or(super::TROUBLE, |c| c.clamp(0, 255) as u8),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => fail(
            format!(
                "no such command: `{}` (and no `{program}` on PATH); see `genie --help`",
                name.to_string_lossy()
            ),
            g.color,
        ),
        Err(e) => fail(format!("cannot run `{program}`: {e}"), g.color),
    }
}
