//! `genie labels` (the label catalog in every format) and `genie lint workflows`.

mod common;

use common::*;
use serde_json::Value;

fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    dir
}

fn labels_json(dir: &std::path::Path) -> Vec<Value> {
    let o = run(dir, &["labels", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("labels --format json parses");
    assert_eq!(v["version"], 1);
    v["labels"].as_array().unwrap().clone()
}

fn find<'a>(labels: &'a [Value], name: &str) -> Option<&'a Value> {
    labels.iter().find(|l| l["name"] == name)
}

#[test]
fn builtin_catalog_and_variables() {
    let dir = repo_with(&[]);
    let labels = labels_json(dir.path());
    let names: Vec<&str> = labels.iter().map(|l| l["name"].as_str().unwrap()).collect();
    // Run labels first, in stage order, each followed by its revise label.
    assert_eq!(
        &names[..6],
        [
            "run:intake",
            "run:intake:revise",
            "run:vision",
            "run:vision:revise",
            "run:prd",
            "run:prd:revise"
        ]
    );
    let dev = find(&labels, "run:dev").unwrap();
    assert_eq!(dev["variable"], "RUN_DEV_LABEL");
    assert_eq!(dev["group"], "run");
    assert_eq!(
        dev["description"],
        "Run the dev stage: Implementation in pull requests"
    );
    assert_eq!(
        find(&labels, "run:dev:revise").unwrap()["variable"],
        "RUN_DEV_REVISE_LABEL"
    );
    assert_eq!(
        find(&labels, "run:doc-audit").unwrap()["variable"],
        "RUN_DOC_AUDIT_LABEL"
    );
    for name in [
        "run:abort",
        "run:rethink",
        "state:active",
        "state:blocked",
        "state:in-review",
        "state:approved",
        "state:done",
        "state:abandoned",
        "need:pm",
        "need:auditor",
        "need:info",
        "need:decision",
        "feature",
        "bug",
        "doc",
        "debt",
        "idea",
        "epic",
        "model:fast",
        "model:default",
        "model:strong",
        "reasoning:low",
        "reasoning:medium",
        "reasoning:high",
    ] {
        assert!(find(&labels, name).is_some(), "{name} is missing");
    }
    // Groups come in blocks, run labels first.
    let mut groups: Vec<&str> = labels
        .iter()
        .map(|l| l["group"].as_str().unwrap())
        .collect();
    groups.dedup();
    assert_eq!(
        groups,
        ["run", "state", "need", "type", "model", "reasoning"]
    );
    for l in &labels {
        let color = l["color"].as_str().unwrap();
        assert!(
            color.len() == 6 && color.chars().all(|c| c.is_ascii_hexdigit()),
            "{l}"
        );
        assert!(!l["description"].as_str().unwrap().is_empty(), "{l}");
    }
    // Deterministic: the same bytes every time.
    let a = run(dir.path(), &["labels", "--format", "json"]);
    let b = run(dir.path(), &["labels", "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn catalog_follows_stages_roles_and_genie_toml() {
    let dir = repo_with(&[(
        "genie.toml",
        r##"owner_roles = ["pm", "qa", "legal"]

[labels."bug"]
color = "#D73A4B"
description = "Broken behaviour"

[labels."idea"]
disabled = true

[labels."need:security"]
description = "Waiting on a security review"
color = "b60205"

[labels."area:api"]
description = "The public API"
variable = "AREA_API"
"##,
    )]);
    let labels = labels_json(dir.path());
    let bug = find(&labels, "bug").unwrap();
    assert_eq!(bug["color"], "d73a4b");
    assert_eq!(bug["description"], "Broken behaviour");
    assert!(find(&labels, "idea").is_none());
    assert!(find(&labels, "need:legal").is_some());
    assert!(find(&labels, "need:sre").is_none());
    // An added label joins its group; a new group comes last.
    let names: Vec<&str> = labels.iter().map(|l| l["name"].as_str().unwrap()).collect();
    let sec = names.iter().position(|n| *n == "need:security").unwrap();
    assert_eq!(names[sec - 1], "need:decision");
    assert_eq!(labels[sec]["variable"], "NEED_SECURITY_LABEL");
    let last = labels.last().unwrap();
    assert_eq!(last["name"], "area:api");
    assert_eq!(last["group"], "area");
    assert_eq!(last["variable"], "AREA_API");
    assert_eq!(last["color"], "ededed");
}

#[test]
fn bad_labels_are_configuration_errors_with_the_line() {
    let cases = [
        (
            "[labels.\"x:y\"]\ndescription = \"d\"\ncolor = \"red\"\n",
            "genie.toml:3:",
            "six hexadecimal digits",
        ),
        (
            "# labels\n\n[labels.\"bug!\"]\ndescription = \"Also a bug\"\n",
            "genie.toml:3:",
            "same variable `BUG_LABEL`",
        ),
        (
            "[labels.\"x:y\"]\nvariable = \"RUN_DEV_LABEL\"\n",
            "genie.toml:2:",
            "same variable `RUN_DEV_LABEL`",
        ),
        (
            "[labels.\"x:y\"]\nvariable = \"x-y\"\n",
            "genie.toml:2:",
            "upper-case letters",
        ),
        (
            "[labels.\"\"]\ndescription = \"nameless\"\n",
            "genie.toml:1:",
            "empty",
        ),
        (
            "[labels.\"nope\"]\ndisabled = true\n",
            "genie.toml:2:",
            "not a built-in label",
        ),
    ];
    for (toml, at, message) in cases {
        let dir = repo_with(&[("genie.toml", toml)]);
        for cmd in [&["labels"][..], &["lint", "workflows"][..]] {
            let o = run(dir.path(), cmd);
            assert_eq!(o.status.code(), Some(2), "{toml}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(err.contains(at), "{toml}: expected {at} in {err}");
            assert!(err.contains(message), "{toml}: expected {message} in {err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
}

#[test]
fn markdown_table_by_group() {
    let dir = repo_with(&[(
        "genie.toml",
        "[labels.\"a|b\"]\ndescription = \"pipes | in text\"\nvariable = \"A_B_LABEL\"\n",
    )]);
    let o = run(dir.path(), &["labels"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "| group | label | variable | colour | description |"
    );
    assert_eq!(lines[1], "|---|---|---|---|---|");
    assert!(lines[2].starts_with("| run | `run:intake` | `RUN_INTAKE_LABEL` | `#1d76db` |"));
    assert!(out.contains("| type | `bug` | `BUG_LABEL` |"), "{out}");
    assert!(out.contains("pipes \\| in text"), "{out}");
    // Every row has the same number of unescaped cells.
    for l in &lines[2..] {
        assert_eq!(l.replace("\\|", "").matches('|').count(), 6, "{l}");
    }
}

#[test]
fn gh_script_quotes_every_value() {
    let dir = repo_with(&[(
        "genie.toml",
        "[labels.\"it's\"]\ndescription = \"Don't `run` $(this) or \\\"that\\\"\"\ncolor = \"00ff00\"\nvariable = \"ITS_LABEL\"\n",
    )]);
    let o = run(dir.path(), &["labels", "--format", "gh"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let script = stdout(&o);
    assert!(script.starts_with("#!/bin/sh\n"), "{script}");
    assert!(
        script.contains(
            "gh label create 'run:dev' --color '1d76db' --description 'Run the dev stage: Implementation in pull requests' --force\n"
        ),
        "{script}"
    );
    assert!(
        script.contains(
            r#"gh label create 'it'\''s' --color '00ff00' --description 'Don'\''t `run` $(this) or "that"' --force"#
        ),
        "{script}"
    );
    // Run the script with a stand-in `gh` that records its arguments: the shell
    // must hand every value over exactly.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.path().join("gh.log");
    let fake = bin.join("gh");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{}'; done\nprintf -- '--\\n' >> '{}'\n",
            log.display(),
            log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script_path = dir.path().join("labels.sh");
    std::fs::write(&script_path, &script).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = std::process::Command::new("sh")
        .arg(&script_path)
        .env("PATH", path)
        .status()
        .unwrap();
    assert!(status.success());
    let calls = std::fs::read_to_string(&log).unwrap();
    let calls: Vec<&str> = calls.split("--\n").filter(|c| !c.is_empty()).collect();
    let labels = labels_json(dir.path());
    assert_eq!(calls.len(), labels.len());
    let custom = calls
        .iter()
        .find(|c| c.starts_with("label\ncreate\nit's\n"))
        .unwrap();
    assert_eq!(
        *custom,
        "label\ncreate\nit's\n--color\n00ff00\n--description\nDon't `run` $(this) or \"that\"\n--force\n"
    );
}

#[test]
fn vars_is_a_dotenv_file() {
    let dir = repo_with(&[(
        "genie.toml",
        "[labels.\"good first issue\"]\ndescription = \"Easy\"\n",
    )]);
    let o = run(dir.path(), &["labels", "--format", "vars"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with('#'), "{out}");
    assert!(out.contains("gh variable set -f"), "{out}");
    let lines: Vec<&str> = out.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines[0], "RUN_INTAKE_LABEL=run:intake");
    assert!(lines.contains(&"RUN_DEV_REVISE_LABEL=run:dev:revise"));
    assert!(lines.contains(&"BUG_LABEL=bug"));
    assert!(lines.contains(&"GOOD_FIRST_ISSUE_LABEL='good first issue'"));
    assert_eq!(lines.len(), labels_json(dir.path()).len());
    for l in lines {
        let (name, value) = l.split_once('=').unwrap();
        assert!(
            name.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
            "{l}"
        );
        assert!(!value.is_empty(), "{l}");
    }
}

// ---------------------------------------------------------------------------
// genie lint workflows

const FLAGGED: &str = r#"name: stages
on:
  issues:
    types: [labeled]
jobs:
  dev:
    if: github.event.label.name == 'run:dev'
    runs-on: ubuntu-latest
    steps:
      - if: ${{ 'run:qa' != github.event.label.name }}
        run: echo qa
      - if: "GitHub.Event.Label.Name == 'RUN:PRD'"
        run: echo prd
      - if: 'github.event.label.name == ''run:arch'''
        run: echo arch
      - name: scripts
        run: |
          echo "${{ github.event.label.name == 'run:design' }}"
          echo "${{ contains(github.event.pull_request.labels.*.name, 'bug') }}"
      - if: contains(github.event.issue.labels.*.name, 'deploy')
        run: echo deploy
      - if: CONTAINS(GITHUB.EVENT.ISSUE.LABELS.*.NAME, 'Feature') && startsWith(github.event.label.name, 'run:')
        run: echo feature
      - run: |
          if [ "${{ github.event.label.name }}" = "run:plan" ]; then echo plan; fi
"#;

/// (line, column, literal) of every flagged literal of FLAGGED, found by searching
/// the text: the column is that of the literal's first character, in characters.
fn expected_places() -> Vec<(u64, u64, &'static str)> {
    let needles = [
        (7, "'run:dev'"),
        (10, "'run:qa'"),
        (12, "'RUN:PRD'"),
        (14, "''run:arch''"),
        (18, "'run:design'"),
        (19, "'bug'"),
        (20, "'deploy'"),
        (22, "'Feature'"),
        (25, "\"run:plan\""),
    ];
    let lines: Vec<&str> = FLAGGED.lines().collect();
    needles
        .iter()
        .map(|&(line, needle)| {
            let text = lines[line - 1];
            let byte = text
                .find(needle)
                .unwrap_or_else(|| panic!("{needle} on line {line}"));
            (line as u64, text[..byte].chars().count() as u64 + 1, needle)
        })
        .collect()
}

fn lint_json(dir: &std::path::Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["lint", "workflows", "--format", "json"];
    args.extend_from_slice(extra);
    let o = run(dir, &args);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("json: {e}\nstdout: {}\nstderr: {}", stdout(&o), stderr(&o)));
    (o.status.code().unwrap_or(-1), v)
}

fn diagnostics(v: &Value) -> Vec<Value> {
    v["diagnostics"].as_array().unwrap().clone()
}

#[test]
fn every_label_literal_shape_is_found_at_its_place() {
    let dir = repo_with(&[(".github/workflows/stages.yml", FLAGGED)]);
    let (code, v) = lint_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let d = diagnostics(&v);
    let got: Vec<(u64, u64)> = d
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()))
        .collect();
    let want: Vec<(u64, u64)> = expected_places().iter().map(|p| (p.0, p.1)).collect();
    assert_eq!(got, want, "{v:#}");
    for d in &d {
        assert_eq!(d["code"], "G0801");
        assert_eq!(d["rule"], "label-literal");
        assert_eq!(d["level"], "error");
        assert_eq!(d["path"], ".github/workflows/stages.yml");
    }
    let by_line = |line: u64| d.iter().find(|d| d["line"] == line).unwrap();
    let msg = |line: u64| by_line(line)["message"].as_str().unwrap().to_string();
    let help = |line: u64| by_line(line)["help"].as_str().unwrap().to_string();
    assert!(msg(7).contains("'run:dev'"), "{}", msg(7));
    assert!(help(7).contains("vars.RUN_DEV_LABEL"), "{}", help(7));
    // Case-insensitive, like GitHub's expressions.
    assert!(msg(12).contains("'RUN:PRD'"));
    assert!(help(12).contains("vars.RUN_PRD_LABEL"), "{}", help(12));
    assert!(help(14).contains("vars.RUN_ARCH_LABEL"), "{}", help(14));
    assert!(help(19).contains("vars.BUG_LABEL"), "{}", help(19));
    assert!(help(22).contains("vars.FEATURE_LABEL"), "{}", help(22));
    // Not in the catalog: add it.
    assert!(help(20).contains("[labels]"), "{}", help(20));
    assert!(help(20).contains("vars.DEPLOY_LABEL"), "{}", help(20));
    // In a script the variable is an expression.
    assert!(
        help(25).contains("${{ vars.RUN_PLAN_LABEL }}"),
        "{}",
        help(25)
    );
    assert_eq!(v["summary"]["errors"], 9);
    assert_eq!(v["summary"]["docs"], 1);
}

#[test]
fn human_output_points_at_the_literal() {
    let dir = repo_with(&[(".github/workflows/stages.yml", FLAGGED)]);
    let o = run(dir.path(), &["lint", "workflows", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("error[G0801]"), "{out}");
    assert!(out.contains(".github/workflows/stages.yml:7:36"), "{out}");
    assert!(
        out.contains("    if: github.event.label.name == 'run:dev'"),
        "{out}"
    );
}

#[test]
fn a_label_added_in_genie_toml_is_known() {
    let dir = repo_with(&[
        (
            "genie.toml",
            "[labels.\"deploy\"]\ndescription = \"Ship it\"\n",
        ),
        (
            ".github/workflows/w.yml",
            "on: issues\njobs:\n  a:\n    if: github.event.label.name == 'Deploy' || github.event.label.name == vars.deploy_label\n    runs-on: x\n    steps: [{run: echo}]\n",
        ),
    ]);
    let (code, v) = lint_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let d = diagnostics(&v);
    assert_eq!(d.len(), 1, "{v:#}");
    assert_eq!(
        (d[0]["line"].as_u64(), d[0]["column"].as_u64()),
        (Some(4), Some(36))
    );
    assert!(
        d[0]["help"].as_str().unwrap().contains("vars.DEPLOY_LABEL"),
        "{}",
        d[0]["help"]
    );
}

#[test]
fn clean_workflow_passes() {
    let clean = r#"on:
  issues:
    types: [labeled]
  pull_request:
jobs:
  dev:
    if: >-
      github.event.label.name == vars.RUN_DEV_LABEL ||
      startsWith(github.event.label.name, 'run:') ||
      github.event.label.name != ''
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.label.name }}" "${{ vars.RUN_QA_REVISE_LABEL }}" 'literal == text'
      - if: contains(github.event.issue.labels.*.name, vars.BUG_LABEL) && vars.OTHER_SETTING == 'x'
        run: echo bug
      - if: ${{ github.event.label.name == Vars.Run_Abort_Label }}
        run: echo abort
"#;
    let dir = repo_with(&[(".github/workflows/clean.yaml", clean)]);
    let (code, v) = lint_json(dir.path(), &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(diagnostics(&v).len(), 0);
    assert_eq!(v["summary"]["docs"], 1);
    let o = run(dir.path(), &["lint", "workflows"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("no problems"), "{}", stdout(&o));
}

#[test]
fn unknown_label_variables_are_reported() {
    let text = "on: issues\njobs:\n  a:\n    if: github.event.label.name == vars.RUN_DEVV_LABEL\n    runs-on: x\n    steps:\n      - run: echo ${{ vars.NO_SUCH_LABEL }} ${{ vars.NOT_A_LABEL_VAR }}\n";
    let dir = repo_with(&[(".github/workflows/w.yml", text)]);
    let (code, v) = lint_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let d = diagnostics(&v);
    let got: Vec<(&str, u64, u64)> = d
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [("G0802", 4, 36), ("G0802", 7, 23)], "{v:#}");
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .contains("vars.RUN_DEVV_LABEL")
    );
    assert!(
        d[0]["help"]
            .as_str()
            .unwrap()
            .contains("vars.RUN_DEV_LABEL"),
        "{}",
        d[0]["help"]
    );
    assert_eq!(d[0]["rule"], "unknown-label-variable");
}

#[test]
fn broken_yaml_is_reported_and_the_others_still_linted() {
    let dir = repo_with(&[
        (
            ".github/workflows/a-broken.yml",
            "on: issues\njobs:\n  a:\n    steps: [unclosed\n    if: x\n",
        ),
        (
            ".github/workflows/b-good.yml",
            "on: issues\njobs:\n  a:\n    if: github.event.label.name == 'run:dev'\n",
        ),
        (
            ".github/workflows/notes.txt",
            "if: github.event.label.name == 'run:dev'\n",
        ),
    ]);
    let (code, v) = lint_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let d = diagnostics(&v);
    assert_eq!(d.len(), 2, "{v:#}");
    assert_eq!(d[0]["code"], "G0803");
    assert_eq!(d[0]["rule"], "workflow-syntax");
    assert_eq!(d[0]["path"], ".github/workflows/a-broken.yml");
    assert!(d[0]["line"].as_u64().unwrap() >= 4, "{v:#}");
    assert_eq!(d[1]["code"], "G0801");
    assert_eq!(d[1]["path"], ".github/workflows/b-good.yml");
    assert_eq!(v["summary"]["docs"], 2);
}

#[test]
fn github_and_sarif_formats() {
    let dir = repo_with(&[(".github/workflows/stages.yml", FLAGGED)]);
    let o = run(dir.path(), &["lint", "workflows", "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with(
            "::error file=.github/workflows/stages.yml,line=7,col=36,title=G0801 label-literal::"
        ),
        "{out}"
    );
    assert_eq!(out.lines().filter(|l| l.starts_with("::error ")).count(), 9);
    let o = run(dir.path(), &["lint", "workflows", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 9);
}

#[test]
fn rule_levels_apply() {
    let dir = repo_with(&[
        ("genie.toml", "[rules]\nlabel-literal = \"warning\"\n"),
        (".github/workflows/stages.yml", FLAGGED),
    ]);
    let (code, v) = lint_json(dir.path(), &[]);
    assert_eq!(code, 0, "warnings do not fail: {v:#}");
    assert_eq!(v["summary"]["warnings"], 9);
    let dir = repo_with(&[
        ("genie.toml", "[rules]\nG0801 = \"off\"\n"),
        (".github/workflows/stages.yml", FLAGGED),
    ]);
    let (code, v) = lint_json(dir.path(), &[]);
    assert_eq!((code, diagnostics(&v).len()), (0, 0));
}

#[test]
fn paths_missing_folder_and_missing_path() {
    // No .github/workflows: clean, with a note unless quiet.
    let dir = repo_with(&[("README.md", "# x\n")]);
    let o = run(dir.path(), &["lint", "workflows"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("no .github/workflows folder"),
        "{}",
        stderr(&o)
    );
    let o = run(dir.path(), &["-q", "lint", "workflows"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
    let (code, v) = lint_json(dir.path(), &[]);
    assert_eq!((code, diagnostics(&v).len()), (0, 0));

    // A PATH that does not exist is a usage error.
    let o = run(dir.path(), &["lint", "workflows", "nope.yml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope.yml"), "{}", stderr(&o));

    // PATHs name files and folders instead of .github/workflows.
    let dir = repo_with(&[
        ("genie.toml", ""),
        (".github/workflows/stages.yml", FLAGGED),
        ("ci/one.yml", "on: push\njobs: {}\n"),
        ("ci/two.yaml", "if: github.event.label.name == 'bug'\n"),
        (
            "ci/deeper/three.yml",
            "if: github.event.label.name == 'bug'\n",
        ),
        ("other.yml", "x: ${{ vars.MISSING_LABEL }}\n"),
    ]);
    let (code, v) = lint_json(dir.path(), &["ci", "other.yml"]);
    assert_eq!(code, 1);
    let got: Vec<(String, String)> = diagnostics(&v)
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("ci/two.yaml".to_string(), "G0801".to_string()),
            ("other.yml".to_string(), "G0802".to_string())
        ]
    );
    assert_eq!(v["summary"]["docs"], 3);
    // From a subfolder, PATHs are relative to the current directory.
    let (code, v) = lint_json(&dir.path().join("ci"), &["two.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(diagnostics(&v)[0]["path"], "ci/two.yaml");
}

#[test]
fn crlf_bom_and_non_ascii_keep_columns_right() {
    let text = "\u{feff}on: issues\r\njobs:\r\n  a:\r\n    name: «ünïcode»\r\n    if: \"github.event.action != '«ünï»' || github.event.label.name == 'run:dev'\"\r\n";
    let dir = repo_with(&[(".github/workflows/w.yml", text)]);
    let (code, v) = lint_json(dir.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    let d = diagnostics(&v);
    assert_eq!(d.len(), 1, "{v:#}");
    let line = "    if: \"github.event.action != '«ünï»' || github.event.label.name == 'run:dev'\"";
    let col = line[..line.find("'run:dev'").unwrap()].chars().count() + 1;
    assert_eq!(
        (d[0]["line"].as_u64(), d[0]["column"].as_u64()),
        (Some(5), Some(col as u64))
    );
}

#[test]
fn this_repository_workflows_pass() {
    let root = manifest_dir();
    let o = run(
        &root,
        &["--root", root.to_str().unwrap(), "lint", "workflows"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "genie lint workflows on this repository:\n{}{}",
        stdout(&o),
        stderr(&o)
    );
}
