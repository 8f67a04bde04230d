//! Authoring: templates, `genie new`, `genie init`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn g(root: &Path, args: &[&str]) -> Output {
    genie(root)
        .args(args)
        .env("GENIE_TODAY", "2026-03-04")
        .env("GENIE_AUTHOR", "Ada Lovelace")
        .env("HOME", root)
        .output()
        .expect("genie runs")
}

fn ok(root: &Path, args: &[&str]) -> String {
    let o = g(root, args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "genie {args:?}\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

fn fails(root: &Path, args: &[&str], code: i32, needle: &str) {
    let o = g(root, args);
    assert_eq!(
        o.status.code(),
        Some(code),
        "genie {args:?}: {}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains(needle),
        "genie {args:?}: expected `{needle}` in\n{}",
        stderr(&o)
    );
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every file under `root` with its content, for "nothing changed" checks.
fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    walk(root, root, &mut out);
    out.sort();
    out
}

fn git(root: &Path, args: &[&str]) {
    let s = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(root)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", root)
        .output()
        .expect("git runs");
    assert!(
        s.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&s.stderr)
    );
}

#[test]
fn every_built_in_template_renders_a_clean_document() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    ok(root, &["init"]);
    let config = genie::config::Config::builtin();
    assert_eq!(config.types.len(), 42);
    for (i, ty) in config.types.keys().enumerate() {
        // Titles that need quoting, in English and Russian.
        let title = if i % 2 == 0 {
            format!("{ty}: \"first\" draft")
        } else {
            format!("Решение {i} для {ty}")
        };
        let out = ok(
            root,
            &["new", ty, &title, "--issue", "7", "--format", "json"],
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let path = v["path"].as_str().unwrap();
        let text = read(root, path);
        assert!(text.contains("created_at: 2026-03-04\n"), "{path}");
        assert!(text.contains("author: Ada Lovelace\n"), "{path}");
        assert!(text.contains("related_issues: [7]\n"), "{path}");
        assert!(text.contains(&format!("\n# {title}\n")), "{path}");
        let fm = genie::edit::front_matter_json(&text).unwrap();
        assert_eq!(fm["title"], title.as_str());
        assert_eq!(fm["type"], ty.as_str());
    }
    let (code, v) = check_json(root, &["--deny", "warnings"]);
    assert_eq!(
        (code, &v["diagnostics"]),
        (0, &serde_json::json!([])),
        "{v:#}"
    );
    assert_eq!(
        v["summary"]["docs"], 43,
        "42 documents and the README index"
    );
    let ds = read(root, "docs/_docset/issues/issue-7.yaml");
    assert_eq!(ds.matches("  - {doc_id: ").count(), 42);
    // Sorted by stage, then doc_id: intake first, types of no stage last.
    let at = |id: &str| ds.find(&format!("{{doc_id: {id},")).unwrap();
    let (first, prd, runbook, session) = (
        at("BRF-0001"),
        at("PRD-0001"),
        at("RB-0001"),
        at("SES-0001"),
    );
    assert!(first < prd && prd < runbook && runbook < session, "{ds}");
    let release = read(
        root,
        "docs/release/rel-note-0001-release-notes-first-draft.md",
    );
    assert!(
        release.contains("release:\n  version: unreleased\n"),
        "{release}"
    );
}

#[test]
fn new_numbers_slugs_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    ok(root, &["init"]);
    write_files(
        root,
        &[(
            "docs/architecture/adr/adr-0003-use-sqlite.md",
            &doc(
                "ADR-0003",
                "adr",
                "status: accepted\nowner_role: sa\nupdated_at: 2026-01-06\n",
            )
            .replace("status: draft\n", "")
            .replace("owner_role: pm\n", ""),
        )],
    );
    let out = ok(
        root,
        &[
            "new",
            "adr",
            "Выбор базы данных",
            "--supersedes",
            "ADR-0003",
        ],
    );
    assert_eq!(
        out,
        "created docs/architecture/adr/adr-0004-vybor-bazy-dannykh.md: ADR-0004 (adr)\nupdated docs/architecture/adr/adr-0003-use-sqlite.md: ADR-0003 superseded by ADR-0004\n"
    );
    let new = read(root, "docs/architecture/adr/adr-0004-vybor-bazy-dannykh.md");
    assert!(new.contains("title: Выбор базы данных\n"), "{new}");
    assert!(new.contains("supersedes: ADR-0003\n"), "{new}");
    assert!(new.contains("owner_role: sa\n"), "{new}");
    let old = read(root, "docs/architecture/adr/adr-0003-use-sqlite.md");
    assert!(old.contains("status: superseded\n"), "{old}");
    assert!(old.contains("updated_at: 2026-03-04\n"), "{old}");
    assert!(old.contains("superseded_by: ADR-0004\n"), "{old}");
    let (code, v) = check_json(root, &[]);
    assert_eq!(code, 0, "{v:#}");
    // An approved decision superseded by a draft is worth a warning, nothing more.
    let codes: Vec<_> = findings(&v).into_iter().map(|f| f.0).collect();
    assert!(codes.iter().all(|c| c == "G0305"), "{codes:?}");

    // --owner-role, --pr, dry run, JSON.
    let before = tree(root);
    let out = ok(
        root,
        &[
            "new",
            "runbook",
            "Queue stuck",
            "--owner-role",
            "SRE",
            "--pr",
            "#40",
            "--dry-run",
            "--format",
            "json",
        ],
    );
    assert_eq!(tree(root), before, "a dry run writes nothing");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["doc_id"], "RB-0001");
    assert_eq!(v["owner_role"], "sre");
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["changes"][0]["action"], "create");
    assert_eq!(v["template"]["kind"], "builtin");

    // A new DocSet says so.
    let out = ok(root, &["new", "problem", "Stock drifts", "--issue", "12"]);
    assert!(out.contains("created docs/_docset/issues/issue-12.yaml: new DocSet for issue #12 (profile feature, stage intake) listing PRB-0001"), "{out}");
    let out = ok(root, &["new", "brief", "Sync", "--issue", "12"]);
    assert!(
        out.contains("updated docs/_docset/issues/issue-12.yaml: issue #12 lists BRF-0001"),
        "{out}"
    );
}

#[test]
fn new_refuses_bad_input_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    ok(root, &["init"]);
    ok(root, &["new", "adr", "First"]);
    let before = tree(root);
    fails(
        root,
        &["new", "runbok", "X"],
        2,
        "unknown document type `runbok` (did you mean `runbook`?)",
    );
    fails(root, &["new", "adr", "!!! ???"], 2, "gives no file name");
    fails(root, &["new", "adr", "   "], 2, "the title is empty");
    fails(
        root,
        &["new", "adr", "X", "--owner-role", "boss"],
        2,
        "unknown owner role `boss`",
    );
    fails(
        root,
        &["new", "adr", "X", "--supersedes", "ADR-0009"],
        2,
        "no document has the doc_id `ADR-0009`",
    );
    fails(
        root,
        &["new", "adr", "X", "--issue", "zero"],
        2,
        "not an issue or PR number",
    );
    fails(
        root,
        &["new", "adr", "X", "--against", "no-such-branch"],
        2,
        "--against",
    );
    assert_eq!(tree(root), before);
}

#[test]
fn ids_on_another_branch_are_taken() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    ok(root, &["init"]);
    ok(root, &["new", "adr", "First"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "first"]);
    git(root, &["checkout", "-q", "-b", "other"]);
    ok(root, &["new", "adr", "Second on other"]);
    ok(root, &["new", "adr", "Third on other"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "other"]);
    git(root, &["checkout", "-q", "main"]);
    let v: serde_json::Value = serde_json::from_str(&ok(
        root,
        &[
            "new",
            "adr",
            "On main",
            "--against",
            "other",
            "--dry-run",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    assert_eq!(v["doc_id"], "ADR-0004");
    assert_eq!(v["against"], "other");
    // With an upstream, it counts by default.
    let remote = tempfile::tempdir().unwrap();
    git(remote.path(), &["init", "-q", "--bare"]);
    git(
        root,
        &[
            "remote",
            "add",
            "origin",
            &remote.path().display().to_string(),
        ],
    );
    git(root, &["push", "-q", "origin", "other"]);
    git(root, &["fetch", "-q", "origin"]);
    git(root, &["branch", "-q", "--set-upstream-to", "origin/other"]);
    let v: serde_json::Value = serde_json::from_str(&ok(
        root,
        &["new", "adr", "On main", "--dry-run", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(v["doc_id"], "ADR-0004", "{v:#}");
    let v: serde_json::Value = serde_json::from_str(&ok(
        root,
        &[
            "new",
            "adr",
            "On main",
            "--no-against",
            "--dry-run",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    assert_eq!(v["doc_id"], "ADR-0002");
}

#[test]
fn the_author_comes_from_git_config() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    git(root, &["config", "user.name", "Grace Hopper"]);
    ok(root, &["init"]);
    let o = genie(root)
        .args(["new", "lesson", "Signed movements"])
        .env_remove("GENIE_AUTHOR")
        .env("HOME", root)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = read(root, "docs/lessons/lsn-0001-signed-movements.md");
    assert!(text.contains("author: Grace Hopper\n"), "{text}");
}

#[test]
fn templates_list_show_and_override() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    ok(root, &["init"]);
    let list = ok(root, &["templates", "list"]);
    assert_eq!(list.lines().count(), 42);
    assert!(
        list.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["adr", "ADR", "sa", "built-in"]),
        "{list}"
    );
    let adr = ok(root, &["templates", "show", "adr"]);
    for section in [
        "## Context",
        "## Decision",
        "## Alternatives considered",
        "## Consequences",
    ] {
        assert!(adr.contains(section), "{section}");
    }
    for (ty, sections) in [
        (
            "runbook",
            &[
                "## Symptoms",
                "## Diagnosis",
                "## Mitigation",
                "## Escalation",
            ][..],
        ),
        (
            "postmortem",
            &[
                "## Timeline",
                "## Impact",
                "## Root cause",
                "## Action items",
            ][..],
        ),
    ] {
        let t = ok(root, &["templates", "show", ty]);
        for s in sections {
            assert!(t.contains(s), "{ty}: {s}");
        }
    }
    fails(
        root,
        &["templates", "show", "adrr"],
        2,
        "did you mean `adr`",
    );

    write_files(
        root,
        &[(
            "docs/templates/adr.md",
            "---\ndoc_id: ADR-XXXX\ntype: adr\ntitle: {{ title | yaml }}\nstatus: proposed\nowner_role: {{ owner_role }}\ncreated_at: {{ today }}\n---\n\n# {{ title }}\n\nOur own ADR layout.\n",
        )],
    );
    let list = ok(root, &["templates", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    let adr = v
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "adr")
        .unwrap();
    assert_eq!(
        adr["source"],
        serde_json::json!({"kind": "repository", "path": "docs/templates/adr.md"})
    );
    ok(root, &["new", "adr", "Custom", "--issue", "3"]);
    let text = read(root, "docs/architecture/adr/adr-0001-custom.md");
    assert_eq!(
        text,
        "---\ndoc_id: ADR-0001\ntype: adr\ntitle: Custom\nstatus: proposed\nowner_role: sa\ncreated_at: 2026-03-04\nrelated_issues: [3]\n---\n\n# Custom\n\nOur own ADR layout.\n"
    );
    let (code, v) = check_json(root, &[]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn init_is_idempotent_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    write_files(root, &[(".gitignore", "target/")]);
    let out = ok(
        root,
        &[
            "init",
            "--profile",
            "quick-fix",
            "--with-hooks",
            "--with-github",
        ],
    );
    for f in [
        "created genie.toml",
        "created docs/README.md",
        "created docs/_docset/issues/.gitkeep",
        "created docs/_docset/prs/.gitkeep",
        "created docs/templates/README.md",
        "updated .gitignore (added `.genie/`)",
        "created .git/hooks/pre-commit",
        "created .github/workflows/genie.yml",
    ] {
        assert!(out.contains(f), "{f} in\n{out}");
    }
    assert_eq!(
        read(root, ".gitignore"),
        "target/\n# genie's cache\n.genie/\n"
    );
    assert!(read(root, "genie.toml").contains("default_profile = \"quick-fix\""));
    let hook = root.join(".git/hooks/pre-commit");
    assert!(read(root, ".git/hooks/pre-commit").contains("genie check -q"));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111,
        0o111
    );
    assert!(read(root, ".github/workflows/genie.yml").contains("genie check --format github"));
    let (code, v) = check_json(root, &["--deny", "warnings"]);
    assert_eq!(code, 0, "{v:#}");

    std::fs::write(root.join("docs/README.md"), "# Our docs\n").unwrap();
    let before = tree(root);
    let out = ok(root, &["init", "--with-hooks", "--with-github"]);
    assert!(out.contains("nothing to do"), "{out}");
    assert!(out.contains("kept docs/README.md"), "{out}");
    assert_eq!(tree(root), before);

    let v: serde_json::Value = serde_json::from_str(&ok(
        root,
        &["init", "--force", "--dry-run", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(v["dry_run"], true);
    assert!(
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "docs/README.md" && f["action"] == "overwritten")
    );
    assert_eq!(tree(root), before);
    fails(
        root,
        &["init", "--profile", "fetaure"],
        2,
        "did you mean `feature`",
    );
}

#[test]
fn overrides_in_a_configured_templates_dir_are_not_documents() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            ("genie.toml", "[docs]\ntemplates_dir = \"docs/_tpl\"\n"),
            (
                "docs/_tpl/lesson.md",
                "---\ndoc_id: {{ doc_id }}\ntype: lesson\ntitle: {{ title | yaml }}\nstatus: draft\nowner_role: km\ncreated_at: {{ today }}\n---\n\n# {{ title }}\n",
            ),
        ],
    );
    ok(root, &["new", "lesson", "Small batches"]);
    let (code, v) = check_json(root, &["--deny", "warnings"]);
    assert_eq!((code, v["summary"]["docs"].as_u64()), (0, Some(1)), "{v:#}");
}
