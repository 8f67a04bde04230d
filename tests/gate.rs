//! `genie gate` on label events over a copy of the example repository, and the
//! GitHub Action, workflows and pre-commit hooks this repository ships.

mod common;

use std::path::Path;
use std::process::Output;

use common::{fixture, manifest_dir, stderr, stdout};

/// Run `genie gate` in `root` with the event file `event` (no GitHub variables
/// from the host leak in).
fn gate(root: &Path, args: &[&str]) -> Output {
    common::genie(root)
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("GITHUB_EVENT_NAME")
        .arg("gate")
        .args(args)
        .output()
        .expect("genie runs")
}

/// A `labeled` event adding `label` to issue or PR `number`, whose labels are
/// then `labels` (the added one included, as GitHub sends them).
fn labeled(kind: &str, number: u64, label: &str, labels: &[&str]) -> String {
    let labels: Vec<serde_json::Value> = labels
        .iter()
        .map(|l| serde_json::json!({"id": 1, "name": l, "color": "ededed"}))
        .collect();
    serde_json::json!({
        "action": "labeled",
        "label": {"id": 1, "name": label, "color": "ededed"},
        kind: {"number": number, "title": "t", "state": "open", "labels": labels},
        "repository": {"full_name": "acme/larder"},
        "sender": {"login": "irina"}
    })
    .to_string()
}

fn issue_event(number: u64, label: &str) -> String {
    labeled("issue", number, label, &[label])
}

/// Write the event into the repository copy and gate it: (exit code, stdout).
fn run_event(root: &Path, event: &str, extra: &[&str]) -> (i32, String, String) {
    let path = root.join("event.json");
    std::fs::write(&path, event).unwrap();
    let mut args = vec!["--event", "event.json"];
    args.extend_from_slice(extra);
    let o = gate(root, &args);
    (o.status.code().unwrap_or(-1), stdout(&o), stderr(&o))
}

fn json(root: &Path, event: &str) -> (i32, serde_json::Value) {
    let (code, out, err) = run_event(root, event, &["--format", "json"]);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}\n{out}\n{err}"));
    (code, v)
}

#[test]
fn allowed_to_enter_the_current_stage_when_the_stages_before_are_approved() {
    let repo = fixture("examples");
    let (code, out, err) = run_event(repo.path(), &issue_event(12, "run:design"), &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "allowed: issue #12 may enter `design`\n");
}

#[test]
fn denied_names_every_missing_artifact() {
    let repo = fixture("examples");
    let (code, out, err) = run_event(repo.path(), &issue_event(12, "run:plan"), &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out,
        "denied: issue #12 may not enter `plan`\n  \
         - stage `design` requires an approved `design-doc`: DSG-0001 is `in-review`\n  \
         - stage `design` requires an approved `api-contract`: API-0001 is `draft`\n"
    );
    // Further ahead: every stage in between is named, the missing documents too.
    let (code, out, _) = run_event(repo.path(), &issue_event(31, "run:qa"), &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("stage `plan` requires an approved `delivery-plan`: PLN-0002 is `draft`"),
        "{out}"
    );
    assert!(
        out.contains("stage `dev` requires at least 1 linked pull request"),
        "{out}"
    );
}

#[test]
fn allowed_once_the_gate_is_met() {
    let repo = fixture("examples");
    // Approve what the design stage of issue 12 lacks.
    for (rel, from) in [
        (
            "docs/design/dsg-0001-stock-sync-service.md",
            "status: in-review",
        ),
        ("docs/design/api-0001-stock-sync-api.md", "status: draft"),
    ] {
        let p = repo.path().join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{rel}");
        let text = text
            .replacen(from, "status: approved", 1)
            .replace("  status: pending", "  status: approved");
        std::fs::write(&p, text).unwrap();
    }
    let (code, out, err) = run_event(repo.path(), &issue_event(12, "run:plan"), &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "allowed: issue #12 may enter `plan`\n");
}

#[test]
fn past_stage_needs_revise() {
    let repo = fixture("examples");
    let (code, out, _) = run_event(repo.path(), &issue_event(12, "run:prd"), &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("issue #12 is past `prd` (it is at `design`)"),
        "{out}"
    );
    assert!(out.contains("`run:prd:revise`"), "{out}");
}

#[test]
fn two_run_labels_are_denied() {
    let repo = fixture("examples");
    let event = labeled(
        "issue",
        12,
        "run:design",
        &["bug", "run:prd:revise", "run:design"],
    );
    let (code, v) = json(repo.path(), &event);
    assert_eq!(code, 1);
    assert_eq!(v["allowed"], false);
    assert_eq!(
        v["run_labels"],
        serde_json::json!(["run:prd:revise", "run:design"])
    );
    let reasons = v["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0]
            .as_str()
            .unwrap()
            .contains("issue #12 has 2 run labels (`run:prd:revise`, `run:design`); only one may be active: remove `run:prd:revise`"),
        "{reasons:?}"
    );
    // Label names compare case-insensitively: `RUN:Design` and `run:design` are one.
    let event = labeled("issue", 12, "run:design", &["RUN:Design", "run:design"]);
    let (code, v) = json(repo.path(), &event);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn a_label_that_is_not_a_run_label_is_not_gated() {
    let repo = fixture("examples");
    let event = labeled("issue", 12, "bug", &["bug", "run:design", "run:plan"]);
    let (code, out, err) = run_event(repo.path(), &event, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "nothing to gate: `bug` added to issue #12 is not a run label\n"
    );
    // Not a label event at all.
    let event = serde_json::json!({"action": "opened", "issue": {"number": 12}}).to_string();
    let (code, v) = json(repo.path(), &event);
    assert_eq!(code, 0);
    assert_eq!(v["gated"], false);
    assert_eq!(v["allowed"], true);
    assert_eq!(v["event"], "issues.opened");
}

#[test]
fn nothing_to_gate_needs_no_repository() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("genie.toml"), "this is = not [valid").unwrap();
    let event = labeled("issue", 3, "documentation", &["documentation"]);
    let (code, out, err) = run_event(dir.path(), &event, &[]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn revise() {
    let repo = fixture("examples");
    let (code, out, _) = run_event(repo.path(), &issue_event(12, "run:prd:revise"), &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "allowed: issue #12 may revise `prd`\n");
    let (code, out, _) = run_event(repo.path(), &issue_event(12, "run:Design:Revise"), &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "allowed: issue #12 may revise `design`\n");
    let (code, out, _) = run_event(repo.path(), &issue_event(12, "run:plan:revise"), &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("stage `plan` is ahead of issue #12's stage `design`"),
        "{out}"
    );
    // Abandoned work is taken up with rethink, not revised.
    let (code, out, _) = run_event(repo.path(), &issue_event(35, "run:intake:revise"), &[]);
    assert_eq!(code, 1);
    assert!(out.contains("issue #35 is abandoned"), "{out}");
}

#[test]
fn abort() {
    let repo = fixture("examples");
    let (code, out, _) = run_event(repo.path(), &issue_event(12, "run:abort"), &[]);
    assert_eq!(code, 0);
    assert_eq!(out, "allowed: issue #12 may be aborted\n");
    let (code, out, _) = run_event(repo.path(), &issue_event(35, "run:abort"), &[]);
    assert_eq!(code, 1);
    assert!(out.contains("issue #35 is abandoned already"), "{out}");
    // A done issue cannot be aborted.
    let p = repo.path().join("docs/_docset/issues/issue-31.yaml");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replace("state: active", "state: done")).unwrap();
    let (code, out, _) = run_event(repo.path(), &issue_event(31, "run:abort"), &[]);
    assert_eq!(code, 1);
    assert!(out.contains("issue #31 is done"), "{out}");
}

#[test]
fn rethink_needs_a_stage_to_go_back_to() {
    let repo = fixture("examples");
    let (code, out, _) = run_event(repo.path(), &issue_event(12, "run:rethink"), &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "allowed: issue #12 may go back to an earlier stage\n");
    // Abandoned work at its first stage can still be taken up again.
    let (code, out, _) = run_event(repo.path(), &issue_event(35, "run:rethink"), &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "allowed: issue #35 may be taken up again (rethink)\n");
    common::write_files(
        repo.path(),
        &[(
            "docs/_docset/issues/issue-50.yaml",
            "issue: 50\ntitle: New\nprofile: feature\nstage: intake\nstate: active\ndocs: []\n",
        )],
    );
    let (code, out, _) = run_event(repo.path(), &issue_event(50, "run:rethink"), &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("issue #50 is at its first stage `intake`; there is no earlier stage"),
        "{out}"
    );
}

#[test]
fn unknown_and_out_of_profile_stages() {
    let repo = fixture("examples");
    let (code, out, _) = run_event(repo.path(), &issue_event(12, "run:desing"), &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("`desing` is not a stage (did you mean `design`?)"),
        "{out}"
    );
    // issue 27 follows the feature profile, which has no `vision`.
    let (code, out, _) = run_event(repo.path(), &issue_event(27, "run:vision"), &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("stage `vision` is not a stage of issue #27's profile `feature`"),
        "{out}"
    );
    let (code, out, _) = run_event(repo.path(), &issue_event(12, "run:a:b"), &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("`run:a:b` is not a run label genie knows"),
        "{out}"
    );
}

#[test]
fn an_issue_without_a_docset() {
    let repo = fixture("examples");
    // The first stage of the default profile starts the DocSet.
    let (code, out, _) = run_event(repo.path(), &issue_event(99, "run:intake"), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("allowed: issue #99 may enter `intake`\n"),
        "{out}"
    );
    assert!(out.contains("note: issue #99 has no DocSet yet"), "{out}");
    let (code, out, _) = run_event(repo.path(), &issue_event(99, "run:design"), &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("issue #99 has no DocSet (docs/_docset/issues/issue-99.yaml)"),
        "{out}"
    );
    // A DocSet that does not parse: denied, and the file is named.
    common::write_files(
        repo.path(),
        &[("docs/_docset/issues/issue-98.yaml", "issue: [oops\n")],
    );
    let (code, out, err) = run_event(repo.path(), &issue_event(98, "run:intake"), &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("docs/_docset/issues/issue-98.yaml"), "{out}");
}

#[test]
fn pull_request_events_gate_the_issue_the_pr_implements() {
    let repo = fixture("examples");
    // pr-44.yaml says `issue: 27`; issue 27 is at release, its earlier stages approved.
    let event = labeled("pull_request", 44, "run:release", &["run:release"]);
    let (code, v) = json(repo.path(), &event);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["event"], "pull_request.labeled");
    assert_eq!(v["item"], serde_json::json!({"kind": "pr", "number": 44}));
    assert_eq!(v["issue"], 27);
    assert_eq!(v["docset"], "docs/_docset/issues/issue-27.yaml");
    let (_, out, _) = run_event(repo.path(), &event, &[]);
    assert_eq!(out, "allowed: PR #44 (issue #27) may enter `release`\n");
    // A PR that no DocSet links to an issue.
    let event = labeled("pull_request", 45, "run:qa", &["run:qa"]);
    let (code, out, _) = run_event(repo.path(), &event, &[]);
    assert_eq!(code, 1);
    assert!(out.contains("PR #45 is linked to no issue"), "{out}");
    assert!(out.contains("docs/_docset/prs/pr-45.yaml"), "{out}");
    // Listed in an issue's `prs` without a PR DocSet of its own.
    let p = repo.path().join("docs/_docset/issues/issue-31.yaml");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replace("prs: []", "prs: [45]")).unwrap();
    let (code, v) = json(repo.path(), &event);
    assert_eq!(v["issue"], 31, "{v}");
    assert_eq!(code, 1, "issue 31's plan is not approved: {v}");
}

#[test]
fn json_output_shape() {
    let repo = fixture("examples");
    let (code, v) = json(repo.path(), &issue_event(12, "run:plan"));
    assert_eq!(code, 1);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "version",
        "allowed",
        "gated",
        "event",
        "item",
        "label",
        "request",
        "stage",
        "issue",
        "docset",
        "current_stage",
        "state",
        "run_labels",
        "reasons",
        "notes",
    ] {
        assert!(keys.contains(&k), "{k} missing from {v}");
    }
    assert_eq!(v["version"], 1);
    assert_eq!(v["allowed"], false);
    assert_eq!(v["gated"], true);
    assert_eq!(v["event"], "issues.labeled");
    assert_eq!(
        v["item"],
        serde_json::json!({"kind": "issue", "number": 12})
    );
    assert_eq!(v["label"], "run:plan");
    assert_eq!(v["request"], "enter");
    assert_eq!(v["stage"], "plan");
    assert_eq!(v["current_stage"], "design");
    assert_eq!(v["state"], "active");
    assert_eq!(v["run_labels"], serde_json::json!(["run:plan"]));
    assert_eq!(v["reasons"].as_array().unwrap().len(), 2, "{v}");
}

#[test]
fn event_from_github_event_path_and_name() {
    let repo = fixture("examples");
    let path = repo.path().join("payload.json");
    std::fs::write(&path, issue_event(12, "run:design")).unwrap();
    let o = common::genie(repo.path())
        .env("GITHUB_EVENT_PATH", &path)
        .env("GITHUB_EVENT_NAME", "issues")
        .args(["gate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["event"], "issues.labeled");
    assert_eq!(v["allowed"], true);
}

#[test]
fn unusable_event_files_exit_2_naming_the_file() {
    let repo = fixture("examples");
    let o = gate(repo.path(), &["--event", "missing.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("missing.json: cannot read the event file"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());

    let (code, _, err) = run_event(repo.path(), "{not json", &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("event.json: the event file is not JSON"),
        "{err}"
    );

    let (code, _, err) = run_event(repo.path(), "", &[]);
    assert_eq!(code, 2, "{err}");

    let (code, _, err) = run_event(
        repo.path(),
        r#"{"ref": "refs/heads/main", "commits": []}"#,
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("event.json: the event has no `issue` or `pull_request`"),
        "{err}"
    );

    let (code, _, err) = run_event(
        repo.path(),
        r#"{"action":"labeled","issue":{"title":"x"}}"#,
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("`issue.number`"), "{err}");

    std::fs::write(repo.path().join("bin.json"), [0xff, 0xfe, 0x00]).unwrap();
    let o = gate(repo.path(), &["--event", "bin.json"]);
    assert_eq!(o.status.code(), Some(2));

    // A directory is not a file.
    let o = gate(repo.path(), &["--event", "docs"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // No event at all outside GitHub Actions.
    let o = gate(repo.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("GITHUB_EVENT_PATH"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------
// The action, the workflows and the pre-commit hooks.

fn read_yaml(rel: &str) -> (String, serde_json::Value) {
    let text =
        std::fs::read_to_string(manifest_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let parsed = genie::yaml::parse(&text, 0)
        .unwrap_or_else(|e| panic!("{rel}:{}:{}: {}", e.line, e.col, e.message));
    assert!(
        parsed.duplicates.is_empty(),
        "{rel}: {:?}",
        parsed.duplicates
    );
    let root = parsed.root.unwrap_or_else(|| panic!("{rel} is empty"));
    (text, root.to_json())
}

/// Every `run:` script of a workflow's jobs or an action's steps.
fn scripts(v: &serde_json::Value) -> Vec<String> {
    let mut steps: Vec<&serde_json::Value> = Vec::new();
    if let Some(s) = v["runs"]["steps"].as_array() {
        steps.extend(s);
    }
    if let Some(jobs) = v["jobs"].as_object() {
        for job in jobs.values() {
            if let Some(s) = job["steps"].as_array() {
                steps.extend(s);
            }
        }
    }
    steps
        .iter()
        .filter_map(|s| s["run"].as_str().map(str::to_string))
        .collect()
}

fn assert_scripts_take_no_expressions(rel: &str, v: &serde_json::Value) {
    let scripts = scripts(v);
    assert!(!scripts.is_empty(), "{rel} has no run: scripts");
    for s in scripts {
        for bad in [
            "${{ inputs.",
            "${{inputs.",
            "${{ github.event",
            "${{github.event",
        ] {
            assert!(
                !s.contains(bad),
                "{rel}: a run: script uses `{bad}`; pass it through env:\n{s}"
            );
        }
    }
}

/// No label is compared with a string literal in an expression (the rule of
/// `genie lint workflows`): `label.name == '…'`, `contains(….labels.*.name, '…')`.
fn assert_no_label_literals(rel: &str, text: &str) {
    let eq =
        regex::Regex::new(r#"label\.name\s*(==|!=)\s*['"]|['"]\s*(==|!=)\s*[\w.]*label\.name"#)
            .unwrap();
    let contains = regex::Regex::new(r#"contains\([^)]*labels\.\*\.name\s*,\s*['"]"#).unwrap();
    for (i, line) in text.lines().enumerate() {
        assert!(
            !eq.is_match(line) && !contains.is_match(line),
            "{rel}:{}: a label compared with a literal: {line}",
            i + 1
        );
    }
}

#[test]
fn action_yml_is_a_composite_action_whose_inputs_are_all_used() {
    let (text, v) = read_yaml("action.yml");
    assert_eq!(v["runs"]["using"], "composite");
    let inputs = v["inputs"].as_object().expect("inputs");
    for name in ["args", "format", "sarif", "working-directory", "version"] {
        assert!(inputs.contains_key(name), "input {name} is declared");
    }
    assert_eq!(inputs["args"]["default"], "check");
    assert_eq!(inputs["format"]["default"], "github");
    assert_eq!(inputs["working-directory"]["default"], ".");
    // Each declared input is used somewhere other than its declaration.
    let body = &text[text.find("\nruns:").expect("runs:")..];
    for name in inputs.keys() {
        assert!(
            body.contains(&format!("inputs.{name}")),
            "input {name} is declared but never used"
        );
    }
    assert_scripts_take_no_expressions("action.yml", &v);
    // Every step with a script names its shell (composite actions require it).
    for step in v["runs"]["steps"].as_array().unwrap() {
        if step.get("run").is_some() {
            assert_eq!(step["shell"], "bash", "{step}");
        }
    }
    // The build from source is cached, keyed on the action's Cargo.lock.
    assert!(text.contains("actions/cache@"), "actions/cache is used");
    assert!(text.contains("$GITHUB_ACTION_PATH/Cargo.lock"));
    assert!(text.contains("cargo install --locked"));
}

#[test]
fn ci_workflow_runs_the_checks_and_the_action_on_the_examples() {
    let (text, v) = read_yaml(".github/workflows/ci.yml");
    assert!(
        v["on"].get("push").is_some() && v["on"].get("pull_request").is_some(),
        "{v}"
    );
    let all = scripts(&v).join("\n");
    assert!(all.contains("bash .ci/run"), "ci runs .ci/run");
    let uses_action = v["jobs"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|j| j["steps"].as_array().cloned().unwrap_or_default())
        .any(|s| s["uses"] == "./" && s["with"]["working-directory"] == "examples");
    assert!(uses_action, "a job uses the action (uses: ./) on examples/");
    assert_scripts_take_no_expressions("ci.yml", &v);
    assert_no_label_literals("ci.yml", &text);
}

#[test]
fn stage_gate_is_a_reusable_workflow_without_label_literals() {
    let (text, v) = read_yaml(".github/workflows/stage-gate.yml");
    assert!(
        v["on"].get("workflow_call").is_some(),
        "on.workflow_call: {v}"
    );
    let all = scripts(&v).join("\n");
    assert!(all.contains("genie gate"), "the workflow runs genie gate");
    assert_scripts_take_no_expressions("stage-gate.yml", &v);
    assert_no_label_literals("stage-gate.yml", &text);
    // The header shows how a repository calls it.
    assert!(text.contains("uses: OWNER/genie/.github/workflows/stage-gate.yml@main"));
    // Tokens reach gh through the environment.
    assert!(!all.contains("secrets."), "no secret in a script");
}

#[test]
fn the_label_literal_check_catches_literals() {
    // The check above is only worth something if it fires.
    let caught = std::panic::catch_unwind(|| {
        assert_no_label_literals("x", "if: github.event.label.name == 'run:dev'")
    });
    assert!(caught.is_err());
    let caught = std::panic::catch_unwind(|| {
        assert_no_label_literals(
            "x",
            "if: contains(github.event.issue.labels.*.name, 'run:dev')",
        )
    });
    assert!(caught.is_err());
    assert_no_label_literals("x", "if: github.event.label.name == vars.RUN_ABORT_LABEL");
}

#[test]
fn pre_commit_hooks() {
    let (_, v) = read_yaml(".pre-commit-hooks.yaml");
    let hooks = v.as_array().expect("a list of hooks");
    let find = |id: &str| {
        hooks
            .iter()
            .find(|h| h["id"] == id)
            .unwrap_or_else(|| panic!("hook {id}"))
    };
    let expect = [
        ("genie-policy", "genie policy check --staged", "pre-commit"),
        (
            "genie-commit-msg",
            "genie policy check --commit-msg",
            "commit-msg",
        ),
        ("genie-pre-push", "genie policy check --push", "pre-push"),
        ("genie-check", "genie check", "pre-commit"),
    ];
    for (id, entry, stage) in expect {
        let h = find(id);
        assert_eq!(h["entry"], entry, "{id}");
        assert_eq!(h["language"], "rust", "{id}");
        assert_eq!(h["stages"], serde_json::json!([stage]), "{id}");
        assert!(h["name"].is_string(), "{id}");
    }
    // The message file name is appended for commit-msg; the others take none.
    assert!(
        find("genie-commit-msg")
            .get("pass_filenames")
            .is_none_or(|p| p == true)
    );
    for id in ["genie-policy", "genie-pre-push", "genie-check"] {
        assert_eq!(find(id)["pass_filenames"], false, "{id}");
    }
    assert_eq!(find("genie-policy")["always_run"], true);
    assert_eq!(find("genie-pre-push")["always_run"], true);
}
