//! The command line: exit codes, configuration, discovery, help and the small commands.

mod common;

use common::*;

fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    dir
}

#[test]
fn help_output() {
    let here = manifest_dir();
    snapshot("help.txt", &stdout(&run(&here, &["--help"])));
    snapshot("check-help.txt", &stdout(&run(&here, &["check", "--help"])));
}

#[test]
fn usage_errors_exit_2() {
    let dir = repo_with(&[]);
    let o = run(dir.path(), &["check", "--format", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid value 'yaml'"),
        "{}",
        stderr(&o)
    );
    let o = run(dir.path(), &["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no such command: `frobnicate`"),
        "{}",
        stderr(&o)
    );
    let o = run(dir.path(), &["check", "--root", "/nonexistent/genie-root"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot open the repository root"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn external_subcommands_run_from_path() {
    let dir = repo_with(&[("bin/genie-hello", "#!/bin/sh\necho \"hello $1\"\nexit 3\n")]);
    let script = dir.path().join("bin/genie-hello");
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&script).unwrap().permissions(),
        0o755,
    );
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        dir.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = genie(dir.path())
        .args(["hello", "world"])
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(stdout(&o), "hello world\n");
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn configuration_errors_exit_2_with_file_and_line() {
    let dir = repo_with(&[("genie.toml", "[docs]\nroots = [\"docs\"]\nmax_line = 10\n")]);
    let o = run(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("genie.toml:3:"), "{err}");
    assert!(err.contains("max_line"), "{err}");

    let dir = repo_with(&[("genie.toml", "[rules]\nbroken-links = \"off\"\n")]);
    let o = run(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `broken-link`"),
        "{}",
        stderr(&o)
    );

    let dir = repo_with(&[("genie.toml", "[rules\n")]);
    let o = run(dir.path(), &["config", "--dump"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("genie.toml:1:"), "{}", stderr(&o));
}

#[test]
fn root_is_found_by_walking_up() {
    let dir = repo_with(&[
        ("genie.toml", "[docs]\nmax_lines = 3\n"),
        ("docs/a.md", &doc("PRD-0001", "prd", "")),
    ]);
    let sub = dir.path().join("docs");
    let (code, v) = check_json(&sub, &[]);
    assert_eq!(code, 0, "warnings do not fail by default");
    let f = findings(&v);
    assert_eq!(f, vec![("G0601".into(), "docs/a.md".into(), 1)]);
    let (code, _) = check_json(&sub, &["--deny", "warnings"]);
    assert_eq!(code, 1);
}

#[test]
fn explicit_config_file_and_rule_levels() {
    let dir = repo_with(&[
        ("docs/a.md", &doc("PRD-0001", "prd", "")),
        ("docs/b.md", &doc("PRD-0001", "prd", "")),
        (
            "strict.toml",
            "[rules]\nduplicate-doc-id = \"warning\"\nG0601 = \"off\"\n",
        ),
    ]);
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(v["diagnostics"][0]["level"], "error");
    let (code, v) = check_json(dir.path(), &["--config", "strict.toml"]);
    assert_eq!(code, 0);
    assert_eq!(v["diagnostics"][0]["level"], "warning");
    assert_eq!(v["summary"]["warnings"], 1);
}

#[test]
fn gitignore_is_honoured_in_plain_directories_and_checkouts() {
    let dir = repo_with(&[
        (".gitignore", "docs/drafts/\n"),
        ("docs/a.md", &doc("PRD-0001", "prd", "")),
        ("docs/drafts/b.md", "no front-matter\n"),
    ]);
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!((code, v["summary"]["docs"].as_u64()), (0, Some(1)));
    let git = std::process::Command::new("git")
        .arg("init")
        .arg("-q")
        .current_dir(dir.path())
        .status();
    if git.is_ok_and(|s| s.success()) {
        let (code, v) = check_json(dir.path(), &[]);
        assert_eq!((code, v["summary"]["docs"].as_u64()), (0, Some(1)));
    }
}

#[test]
fn rules_lists_every_rule_with_configured_levels() {
    let dir = repo_with(&[("genie.toml", "[rules]\ndocument-too-long = \"error\"\n")]);
    let o = run(dir.path(), &["rules", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), genie::check::rules::RULES.len());
    let long = list
        .iter()
        .find(|r| r["name"] == "document-too-long")
        .unwrap();
    assert_eq!(
        (long["level"].as_str(), long["default_level"].as_str()),
        (Some("error"), Some("warning"))
    );
    let human = stdout(&run(dir.path(), &["rules"]));
    assert!(human.contains("G0203 duplicate-doc-id"), "{human}");
    assert!(human.contains("error   (default warning)"), "{human}");
}

#[test]
fn config_dump_shows_defaults_and_overrides_and_parses_back() {
    let dir = repo_with(&[(
        "genie.toml",
        "owner_roles = [\"owner\", \"lead\"]\n[types.adr]\nprefix = \"DEC\"\n",
    )]);
    let o = run(dir.path(), &["config", "--dump"]);
    assert_eq!(o.status.code(), Some(0));
    let dumped = stdout(&o);
    assert!(dumped.contains("prefix = \"DEC\""), "{dumped}");
    assert!(dumped.contains("[types.alerts]"), "{dumped}");
    let back = genie::config::Config::parse(&dumped, None).unwrap();
    assert_eq!(back.owner_roles, ["owner", "lead"]);
    let o = run(dir.path(), &["config", "--dump", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["types"]["release-notes"]["required_fields"][0], "release");
}

#[test]
fn a_repository_without_documents_is_clean() {
    let dir = repo_with(&[("README.md", "# nothing here\n")]);
    let o = run(dir.path(), &["check", "--color", "never"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "ok: 0 documents checked, no problems\n");
    let o = run(dir.path(), &["check", "-q"]);
    assert_eq!(stdout(&o), "");
}

#[test]
fn human_output_points_at_the_field() {
    let dir = repo_with(&[(
        "docs/a.md",
        &doc("PRD-0001", "prd", "related_docs: [PRD-0009]\n"),
    )]);
    let o = run(dir.path(), &["check", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    let expected = "\
error[G0301]: `related_docs` names PRD-0009, which no document has (did you mean `PRD-0001`?)
 --> docs/a.md:8:16
  |
8 | related_docs: [PRD-0009]
  |                ^^^^^^^^
  = help: fix the id, or remove the reference if the document is gone

error: 1 error and 0 warnings in 1 document
";
    assert_eq!(stdout(&o), expected);
    let colored = stdout(&run(dir.path(), &["check", "--color", "always"]));
    assert!(colored.contains("\x1b[1;31merror\x1b[0m"), "{colored}");
    let no_color = genie(dir.path())
        .args(["check"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&no_color).contains('\x1b'));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = fixture("examples/broken");
    let mut child = genie(dir.path())
        .args(["check", "--format", "sarif"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "the findings decide the code, not the pipe"
    );
}

#[test]
fn readme_lists_every_rule_as_genie_rules_prints_them() {
    let table = stdout(&run(&manifest_dir(), &["rules", "--format", "md"]));
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    assert!(
        readme.contains(&table),
        "README.md's rules table is out of date; paste `genie rules --format md`"
    );
}
