//! What the authoring and lifecycle commands share: output format, loading the
//! repository, applying a plan, printing the files written.

use std::io::Write;
use std::process::ExitCode;

use genie::ops::{Env, OpError, Plan};
use genie::repo::Repo;
use serde::Serialize;

use super::{Global, fail};

#[derive(Copy, Clone, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// The repository, loaded; or the exit code of the error already printed.
pub fn load(g: &Global) -> Result<Repo, ExitCode> {
    let (root, config) = g.load_config().map_err(|e| fail(e, g.color))?;
    Repo::load(&root, config).map_err(|e| fail(e, g.color))
}

pub fn env(g: &Global, repo: &Repo) -> Result<Env, ExitCode> {
    Env::detect(&repo.root).map_err(|e| op_fail(e, g))
}

/// Every operation error is exit code 2.
pub fn op_fail(e: OpError, g: &Global) -> ExitCode {
    fail(e, g.color)
}

/// Write the plan unless this is a dry run.
pub fn apply(plan: &Plan, repo: &Repo, dry_run: bool, g: &Global) -> Result<(), ExitCode> {
    if dry_run {
        return Ok(());
    }
    plan.apply(&repo.root).map_err(|e| op_fail(e, g))
}

/// `report` as JSON with `dry_run` and the planned `changes` added.
pub fn json_with_changes<T: Serialize>(
    report: &T,
    plan: &Plan,
    dry_run: bool,
) -> serde_json::Value {
    let mut v = serde_json::to_value(report).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("dry_run".into(), dry_run.into());
        obj.insert(
            "changes".into(),
            serde_json::to_value(&plan.changes).unwrap_or_default(),
        );
    }
    v
}

pub fn print_json(v: &serde_json::Value) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)
}

/// `created` / `would create` and friends.
pub fn verb(action: genie::ops::Action, dry_run: bool) -> &'static str {
    use genie::ops::Action;
    match (action, dry_run) {
        (Action::Create, false) => "created",
        (Action::Create, true) => "would create",
        (Action::Update, false) => "updated",
        (Action::Update, true) => "would update",
    }
}

/// One line per planned file.
pub fn print_plan(out: &mut dyn Write, plan: &Plan, dry_run: bool) -> std::io::Result<()> {
    for c in &plan.changes {
        writeln!(out, "{} {}", verb(c.action, dry_run), c.path)?;
    }
    Ok(())
}
