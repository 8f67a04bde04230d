//! (being written)

use std::process::ExitCode;

use super::{Global, fail};

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn exec(g: &Global, _args: Args) -> ExitCode {
    fail("not built yet", g.color)
}
