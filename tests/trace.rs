//! Traceability commands: `genie matrix`, `toc`, `graph` on the example repository
//! and on small repositories with awkward input; `impact` and `log` on git
//! histories made at test time.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn examples() -> std::path::PathBuf {
    manifest_dir().join("examples")
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&ok(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

// ---------------------------------------------------------------------------
// The example repository

#[test]
fn example_matrix_in_every_text_format() {
    let root = examples();
    for (args, name) in [
        (&["matrix"][..], "trace/examples.matrix.md"),
        (
            &["matrix", "--format", "csv"][..],
            "trace/examples.matrix.csv",
        ),
        (
            &["matrix", "--format", "mermaid"][..],
            "trace/examples.matrix.mmd",
        ),
        (&["toc"][..], "trace/examples.toc.md"),
        (
            &["graph", "--issue", "31"][..],
            "trace/examples.graph-issue-31.mmd",
        ),
        (
            &["graph", "--doc", "ADR-0003", "--format", "dot"][..],
            "trace/examples.graph-adr-0003.dot",
        ),
    ] {
        let first = ok(&run(&root, args));
        let second = ok(&run(&root, args));
        assert_eq!(first, second, "{args:?} is not deterministic");
        snapshot(name, &first);
    }
}

#[test]
fn example_matrix_json_says_what_each_issue_has() {
    let v = json(&run(&examples(), &["matrix", "--format", "json"]));
    let rows = v["rows"].as_array().unwrap();
    let keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["#12", "#27", "#31", "#35", "PR #44"]);
    let status = |i: usize| rows[i]["status"]["label"].as_str().unwrap().to_string();
    assert_eq!(status(0), "design");
    assert_eq!(status(1), "release");
    assert_eq!(status(3), "abandoned");
    assert_eq!(status(4), "done");
    // ADRs of #12, with their status as written.
    let adrs = &rows[0]["cells"][4];
    assert_eq!(adrs["header"], "ADRs");
    let ids: Vec<String> = adrs["docs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["doc_id"].as_str().unwrap(),
                d["status"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            "ADR-0001 superseded",
            "ADR-0002 accepted",
            "ADR-0003 accepted"
        ]
    );
    // What shipped in v1.2.0.
    let rel = &v["releases"][0];
    assert_eq!(rel["version"], "v1.2.0");
    assert_eq!(rel["issues"][0]["key"], "#27");
    assert_eq!(rel["prs"][0]["key"], "PR #44");
    assert_eq!(rel["docs"][0]["doc_id"], "REL-NOTE-0001");
    assert_eq!(v["notes"].as_array().unwrap().len(), 0);
}

#[test]
fn example_indexes_are_committed_and_up_to_date() {
    for cmd in ["matrix", "toc"] {
        let o = run(&examples(), &[cmd, "--check"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{cmd}: {}{}",
            stdout(&o),
            stderr(&o)
        );
    }
    // And `genie check` does not look at them.
    let (code, v) = check_json(&examples(), &[]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn example_graph_json_has_every_relation_kind() {
    let v = json(&run(&examples(), &["graph", "--format", "json"]));
    let kinds: std::collections::BTreeSet<&str> = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in ["supersedes", "related", "tracks", "implements"] {
        assert!(kinds.contains(k), "{k} missing: {kinds:?}");
    }
    let sup: Vec<(&str, &str)> = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "supersedes")
        .map(|e| (e["from"].as_str().unwrap(), e["to"].as_str().unwrap()))
        .collect();
    assert_eq!(sup, [("ADR-0003", "ADR-0001")]);
    // Every document with an id is a node.
    let docs = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "doc")
        .count();
    assert_eq!(docs, 55);
}

#[test]
fn html_report_is_one_self_contained_page() {
    let o = run(&examples(), &["matrix", "--format", "html"]);
    let page = ok(&o);
    assert_eq!(page, ok(&run(&examples(), &["matrix", "--format", "html"])));
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    // Nothing is fetched: no external scripts, styles, images or fonts.
    let without_ns = page.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
    for tag in [
        "<script src",
        "<link",
        "<img",
        "@import",
        "url(http",
        "url(//",
    ] {
        assert!(!page.contains(tag), "{tag}");
    }
    // The matrix, with one row per issue and PR and coloured status pills.
    for id in ["issue-12", "issue-27", "issue-31", "issue-35", "pr-44"] {
        assert!(page.contains(&format!("<tr data-item=\"{id}\"")), "{id}");
    }
    assert!(page.contains("<table id=\"matrix\">"));
    assert!(page.contains("<span class=\"pill k-active\""));
    assert!(page.contains("class=\"doc s-superseded\" data-doc=\"ADR-0001\""));
    // Filters, search and the graph.
    for control in [
        "<input type=\"search\" id=\"q\"",
        "<select id=\"f-stage\"",
        "<select id=\"f-status\"",
        "<select id=\"f-type\"",
        "<svg id=\"graph\"",
        "<table id=\"docs\">",
    ] {
        assert!(page.contains(control), "{control}");
    }
    assert!(page.contains("<option value=\"design\">design</option>"));
    assert!(page.contains("<option value=\"doc:superseded\">superseded</option>"));
    assert!(page.contains("<option value=\"adr\">adr</option>"));
    // The embedded data parses and has the graph.
    let start = page
        .find("<script type=\"application/json\" id=\"genie-data\">")
        .unwrap();
    let rest = &page[start..];
    let body = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    let data: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(data["docs"].as_array().unwrap().len(), 55);
    assert_eq!(data["items"].as_array().unwrap().len(), 5);
    assert!(data["edges"].as_array().unwrap().len() > 100);
    assert_eq!(data["layers"][0], "issues & PRs");
    // Exactly one inline script besides the data, and it is the embedded asset.
    assert_eq!(page.matches("<script>").count(), 1);
    assert!(page.contains("function draw(ids)"));
}

#[test]
fn help_lists_the_traceability_commands() {
    let help = ok(&run(&examples(), &["--help"]));
    for cmd in ["matrix", "toc", "graph", "impact", "log"] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(cmd)),
            "{cmd} missing from --help:\n{help}"
        );
    }
}

// ---------------------------------------------------------------------------
// --write and --check

#[test]
fn write_then_check_then_drift() {
    let dir = fixture("examples");
    let root = dir.path();
    std::fs::remove_dir_all(root.join("docs/_index")).unwrap();
    let o = run(root, &["matrix", "--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
    ok(&run(root, &["matrix", "--write"]));
    ok(&run(root, &["toc", "--write"]));
    ok(&run(root, &["matrix", "--check"]));
    ok(&run(root, &["toc", "--check"]));
    let written = std::fs::read_to_string(root.join("docs/_index/issue-map.md")).unwrap();
    assert!(written.starts_with("<!-- BEGIN generated by genie, do not edit"));
    assert_eq!(written, ok(&run(root, &["matrix"])), "print = write");
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(root.join("docs/_index"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // A status changes: both files drift, with a diff.
    let prd = root.join("docs/product/prd-0002-barcode-scanning.md");
    let text = std::fs::read_to_string(&prd).unwrap();
    std::fs::write(
        &prd,
        text.replacen("status: approved", "status: in-review", 1),
    )
    .unwrap();
    let o = run(root, &["matrix", "--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is out of date"), "{}", stderr(&o));
    let diff = stdout(&o);
    assert!(
        diff.starts_with("--- a/docs/_index/issue-map.md\n+++ b/docs/_index/issue-map.md\n@@"),
        "{diff}"
    );
    assert!(diff.contains("+| #27 Barcode scanning for deliveries | [issue-27](../_docset/issues/issue-27.yaml) | [PRD-0002](../product/prd-0002-barcode-scanning.md) in-review"), "{diff}");
    assert_eq!(run(root, &["toc", "--check"]).status.code(), Some(1));
    // `genie check` does not report the generated files, fresh or stale.
    let (_, v) = check_json(root, &[]);
    assert!(
        findings(&v).iter().all(|(_, p, _)| !p.contains("_index")),
        "{v}"
    );
}

#[test]
fn write_keeps_hand_written_text_around_the_markers() {
    let dir = fixture("examples");
    let root = dir.path();
    let path = root.join("docs/_index/README.md");
    let generated = std::fs::read_to_string(&path).unwrap();
    let stale = generated.replace("55 documents", "54 documents");
    std::fs::write(
        &path,
        format!("# Our docs\n\nRead me first.\n\n{stale}\nFooter.\n"),
    )
    .unwrap();
    assert_eq!(run(root, &["toc", "--check"]).status.code(), Some(1));
    ok(&run(root, &["toc", "--write"]));
    let now = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        now,
        format!("# Our docs\n\nRead me first.\n\n{generated}\nFooter.\n")
    );
    ok(&run(root, &["toc", "--check"]));

    // A file without markers is not overwritten.
    std::fs::write(&path, "# Mine\n").unwrap();
    let o = run(root, &["toc", "--write"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has no genie markers"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# Mine\n");
}

#[test]
fn generated_files_may_live_elsewhere_and_are_still_not_documents() {
    let dir = fixture("examples");
    let root = dir.path();
    let toml = std::fs::read_to_string(root.join("genie.toml")).unwrap();
    std::fs::write(
        root.join("genie.toml"),
        format!("{toml}\n[trace]\nissue_map = \"docs/ISSUES.md\"\ntoc = \"docs/README.md\"\n"),
    )
    .unwrap();
    ok(&run(root, &["matrix", "--write"]));
    ok(&run(root, &["toc", "--write"]));
    let map = std::fs::read_to_string(root.join("docs/ISSUES.md")).unwrap();
    assert!(
        map.contains("[PRD-0001](product/prd-0001-multi-store-inventory-sync.md)"),
        "{map}"
    );
    let (code, v) = check_json(root, &[]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn usage_errors_exit_2() {
    let root = examples();
    for args in [
        &["matrix", "--write", "--format", "csv"][..],
        &["matrix", "--write", "--check"][..],
        &["toc", "--check", "--format", "json"][..],
        &["graph", "--doc", "ADR-9999"][..],
        &["graph", "--issue", "999"][..],
        &["graph", "--issue", "other/repo#12"][..],
        &["log", "NOPE-0001"][..],
    ] {
        let o = run(&root, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty());
    }
    let o = run(&root, &["graph", "--doc", "ADR-003"]);
    assert!(
        stderr(&o).contains("did you mean `ADR-0003`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn config_columns_and_paths_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    for (toml, says) in [
        ("[trace]\ntoc = \"/abs/README.md\"\n", "repository-relative"),
        (
            "[trace]\nissue_map = \"docs/_index/README.md\"\n",
            "different files",
        ),
        ("[[trace.columns]]\nheader = \"X\"\n", "either `types`"),
        (
            "[[trace.columns]]\nheader = \"X\"\ntypes = [\"prdd\"]\n",
            "did you mean `prd`",
        ),
        (
            "[[trace.columns]]\nheader = \"X\"\nvalue = \"nope\"\n",
            "nope",
        ),
    ] {
        std::fs::write(dir.path().join("genie.toml"), toml).unwrap();
        let o = run(dir.path(), &["matrix"]);
        assert_eq!(o.status.code(), Some(2), "{toml}");
        assert!(stderr(&o).contains(says), "{toml}: {}", stderr(&o));
    }
}

// ---------------------------------------------------------------------------
// Awkward input

const GENIE_TOML: &str = "repository = \"acme/shop\"\n";

fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec![("genie.toml", GENIE_TOML)];
    all.extend_from_slice(files);
    write_files(dir.path(), &all);
    dir
}

#[test]
fn an_issue_written_five_ways_is_one_row() {
    let a = doc("PRB-0001", "problem", "related_issues: [7]\n");
    let b = doc("BRF-0001", "brief", "related_issues: [\"#7\"]\n");
    let c = doc("MVP-0001", "scope", "related_issues: [\"acme/shop#7\"]\n");
    let d = doc(
        "PER-0001",
        "personas",
        "related_issues: [\"https://github.com/acme/shop/issues/7\"]\n",
    );
    let e = doc("CST-0001", "constraints", "related_issues: \"7\"\n");
    let other = doc(
        "PRD-0001",
        "prd",
        "related_issues: [\"elsewhere/repo#7\"]\n",
    );
    let dir = repo_with(&[
        ("docs/a.md", &a),
        ("docs/b.md", &b),
        ("docs/c.md", &c),
        ("docs/d.md", &d),
        ("docs/e.md", &e),
        ("docs/f.md", &other),
    ]);
    let v = json(&run(dir.path(), &["matrix", "--format", "json"]));
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{v}");
    assert_eq!(rows[0]["key"], "#7");
    let ids: Vec<&str> = rows[0]["docs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["doc_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["BRF-0001", "CST-0001", "MVP-0001", "PER-0001", "PRB-0001"]
    );
    assert_eq!(rows[0]["status"]["label"], "no DocSet");
    // The graph takes the issue in any spelling.
    let expected = ok(&run(dir.path(), &["graph", "--issue", "7"]));
    for spelling in [
        "#7",
        "issue-7",
        "acme/shop#7",
        "https://github.com/acme/shop/issues/7",
    ] {
        assert_eq!(
            ok(&run(dir.path(), &["graph", "--issue", spelling])),
            expected,
            "{spelling}"
        );
    }
}

#[test]
fn missing_documents_shared_documents_and_cycles() {
    let approved = |id: &str, ty: &str, extra: &str| {
        doc(id, ty, extra).replace("status: draft", "status: approved")
    };
    let files = [
        (
            "docs/prd.md",
            approved(
                "PRD-0001",
                "prd",
                "related_issues: [1, 2]\nrelated_docs: [DSG-0001]\n",
            ),
        ),
        (
            "docs/dsg.md",
            doc(
                "DSG-0001",
                "design-doc",
                "related_issues: [1]\nrelated_docs: [ADR-0001]\n",
            ),
        ),
        (
            "docs/adr.md",
            doc(
                "ADR-0001",
                "adr",
                "related_issues: [1]\nrelated_docs: [PRD-0001]\n",
            ),
        ),
        (
            "docs/_docset/issues/issue-1.yaml",
            "issue: 1\ntitle: One\nprofile: feature\nstage: design\ndocs:\n  - {doc_id: PRD-0001}\n  - {doc_id: DSG-0001}\n  - {doc_id: ADR-0001}\n  - {doc_id: API-0009, type: api-contract}\n"
                .to_string(),
        ),
        (
            "docs/_docset/issues/issue-2.yaml",
            "issue: 2\ntitle: Two\nprofile: feature\nstage: prd\ndocs:\n  - {doc_id: PRD-0001}\n".to_string(),
        ),
    ];
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let dir = repo_with(&refs);
    let o = run(dir.path(), &["matrix", "--format", "json"]);
    assert!(
        stderr(&o).contains(
            "warning: docs/_docset/issues/issue-1.yaml: #1 lists API-0009, which no document has"
        ),
        "{}",
        stderr(&o)
    );
    let v = json(&o);
    let rows = v["rows"].as_array().unwrap();
    // PRD-0001 is in both DocSets and shows in both rows.
    for r in rows {
        assert_eq!(r["cells"][2]["docs"][0]["doc_id"], "PRD-0001", "{r}");
    }
    // The missing API-0009 shows in the Design column of #1, marked missing.
    let design = rows[0]["cells"][3]["docs"].as_array().unwrap();
    let shown: Vec<String> = design
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["doc_id"].as_str().unwrap(),
                d["canonical_status"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(shown, ["API-0009 missing", "DSG-0001 draft"]);
    // #1 is at design: intake's artifacts, due before design, are missing.
    let st = &rows[0]["status"];
    assert_eq!(st["kind"], "blocked");
    assert_eq!(st["label"], "blocked at design");
    let missing: Vec<&str> = st["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        ["problem", "personas", "scope", "constraints", "brief"]
    );
    assert!(
        st["detail"]
            .as_str()
            .unwrap()
            .starts_with("missing problem, personas"),
        "{st}"
    );
    let md = ok(&run(dir.path(), &["matrix"]));
    assert!(md.contains("API-0009 (missing)"), "{md}");
    assert!(
        md.contains("| **blocked at design: missing problem, personas, scope, constraints, brief"),
        "{md}"
    );

    // The related_docs cycle PRD → DSG → ADR → PRD neither hangs nor repeats.
    let g = json(&run(dir.path(), &["graph", "--format", "json"]));
    let related = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "related")
        .count();
    assert_eq!(related, 3);
    ok(&run(
        dir.path(),
        &["graph", "--doc", "PRD-0001", "--format", "dot"],
    ));
    let html = ok(&run(dir.path(), &["matrix", "--format", "html"]));
    assert!(html.contains("API-0009"));
}

#[test]
fn releases_answer_what_shipped_with_which_decisions() {
    let approved = |id: &str, ty: &str, extra: &str| {
        doc(id, ty, extra).replace("status: draft", "status: approved")
    };
    let files = [
        (
            "docs/adr1.md",
            approved("ADR-0001", "adr", "related_issues: [3]\n"),
        ),
        (
            "docs/adr2.md",
            approved("ADR-0002", "adr", "related_issues: [4]\n"),
        ),
        (
            "docs/notes.md",
            doc(
                "REL-NOTE-0001",
                "release-notes",
                "related_issues: [3]\nrelated_prs: [9]\nrelease: {version: v1.10.0}\n",
            ),
        ),
        (
            "docs/notes2.md",
            doc(
                "REL-NOTE-0002",
                "release-notes",
                "related_issues: [4]\nrelease: {version: v1.9.2}\n",
            ),
        ),
    ];
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let dir = repo_with(&refs);
    let v = json(&run(dir.path(), &["matrix", "--format", "json"]));
    let rel = v["releases"].as_array().unwrap();
    let versions: Vec<&str> = rel.iter().map(|r| r["version"].as_str().unwrap()).collect();
    assert_eq!(versions, ["v1.10.0", "v1.9.2"], "newest first, numerically");
    assert_eq!(rel[0]["issues"][0]["key"], "#3");
    assert_eq!(rel[0]["prs"][0]["key"], "PR #9");
    assert_eq!(rel[0]["decisions"][0]["doc_id"], "ADR-0001");
    assert_eq!(rel[1]["decisions"][0]["doc_id"], "ADR-0002");
    let md = ok(&run(dir.path(), &["matrix"]));
    assert!(md.contains("### v1.10.0"), "{md}");
    assert!(
        md.contains("- Decisions: [ADR-0001](../adr1.md) approved — ADR-0001 title"),
        "{md}"
    );
}

#[test]
fn an_empty_repository_has_an_empty_map() {
    let dir = repo_with(&[]);
    let md = ok(&run(dir.path(), &["matrix"]));
    assert!(md.contains("No issue or pull request is linked to a document yet."));
    let toc = ok(&run(dir.path(), &["toc"]));
    assert!(toc.contains("0 documents in 0 folders."), "{toc}");
    ok(&run(dir.path(), &["matrix", "--format", "html"]));
    ok(&run(dir.path(), &["graph"]));
}

// ---------------------------------------------------------------------------
// git: impact and log

/// Run git in `dir` with a fixed identity and clock; panics on failure.
fn git(dir: &Path, args: &[&str], when: u32) -> String {
    let date = format!("2026-03-{:02}T10:00:00+01:00", when.clamp(1, 28));
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ada Author")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Author")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn git_repo_from(rel: &str) -> tempfile::TempDir {
    let dir = fixture(rel);
    git(dir.path(), &["init", "-q", "-b", "main"], 1);
    git(dir.path(), &["add", "-A"], 1);
    git(dir.path(), &["commit", "-q", "-m", "Initial documents"], 1);
    dir
}

fn edit(root: &Path, rel: &str, f: impl Fn(String) -> String) {
    let p = root.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, f(text)).unwrap();
}

const PRD2: &str = "docs/product/prd-0002-barcode-scanning.md";
const DSG1: &str = "docs/design/dsg-0001-stock-sync-service.md";

#[test]
fn impact_flags_approved_documents_edited_without_a_status_change() {
    let dir = git_repo_from("examples");
    let root = dir.path();
    let v = json(&run(root, &["impact", "--format", "json"]));
    assert_eq!(v["changed"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["base"]["described"], "HEAD (no upstream branch)");

    // The approved PRD-0002 gets a new paragraph (unstaged); DSG-0001 is approved
    // along with its edit (staged); a new document appears; a DocSet moves on.
    edit(root, PRD2, |t| format!("{t}\nA new requirement.\n"));
    edit(root, DSG1, |t| {
        format!(
            "{}\nEdited.\n",
            t.replacen("status: in-review", "status: approved", 1)
        )
    });
    git(root, &["add", DSG1], 2);
    write_files(
        root,
        &[(
            "docs/lessons/lsn-0002-new.md",
            &doc("LSN-0002", "lesson", "related_docs: [PRD-0002]\n"),
        )],
    );
    edit(root, "docs/_docset/issues/issue-31.yaml", |t| {
        t.replace("stage: plan", "stage: dev")
    });

    let v = json(&run(root, &["impact", "--format", "json"]));
    // The first run filled the metadata cache; the second answers from it, the same.
    assert!(root.join(".genie/cache/meta.bin").is_file());
    assert_eq!(json(&run(root, &["impact", "--format", "json"])), v);
    let changed = v["changed"].as_array().unwrap();
    let by_path = |p: &str| {
        changed
            .iter()
            .find(|c| c["path"] == p)
            .unwrap_or_else(|| panic!("{p}: {v}"))
    };
    let prd = by_path(PRD2);
    assert_eq!(prd["change"], "modified");
    assert_eq!(prd["needs_reapproval"], true);
    assert_eq!(prd["body_changed"], true);
    let direct: Vec<&str> = prd["dependents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["depth"] == 1)
        .map(|d| d["doc_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        direct,
        [
            "AUD-0001",
            "DSG-0002",
            "EPC-0001",
            "LSN-0002",
            "REL-NOTE-0001",
            "TST-PLN-0001"
        ]
    );
    assert!(
        prd["dependents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["depth"] == 2 && d["via"].is_string())
    );
    assert_eq!(prd["items"], serde_json::json!(["#27"]));
    let dsg = by_path(DSG1);
    assert_eq!(dsg["needs_reapproval"], false, "its status changed");
    assert_eq!(dsg["old_status"], "in-review");
    assert_eq!(dsg["status"], "approved");
    assert_eq!(by_path("docs/lessons/lsn-0002-new.md")["change"], "added");
    let ds = &v["docsets"][0];
    assert_eq!(ds["path"], "docs/_docset/issues/issue-31.yaml");
    assert_eq!(
        (ds["old_stage"].as_str(), ds["stage"].as_str()),
        (Some("plan"), Some("dev"))
    );
    let items = v["items"].as_array().unwrap();
    let i27 = items.iter().find(|i| i["key"] == "#27").unwrap();
    assert_eq!(i27["gate_relies_on"], serde_json::json!(["PRD-0002"]));
    let i31 = items.iter().find(|i| i["key"] == "#31").unwrap();
    assert_eq!(i31["status"]["kind"], "blocked", "{i31}");
    assert_eq!(v["reapproval"], 1);

    let human = ok(&run(root, &["impact"]));
    assert!(human.contains("! needs re-approval"), "{human}");
    assert!(human.contains("#31: stage plan → dev"), "{human}");
    assert!(
        human.contains("its stage gate relies on the approval of PRD-0002"),
        "{human}"
    );
    assert!(
        human.ends_with("1 document needs re-approval.\n"),
        "{human}"
    );
    let o = run(root, &["impact", "--deny"]);
    assert_eq!(o.status.code(), Some(1));

    // Committed, the change is measured from --base.
    git(root, &["add", "-A"], 3);
    git(root, &["commit", "-q", "-m", "Edit PRD-0002"], 3);
    let v = json(&run(root, &["impact", "--format", "json"]));
    assert_eq!(v["changed"].as_array().unwrap().len(), 0);
    let v = json(&run(
        root,
        &["impact", "--base", "HEAD~1", "--format", "json"],
    ));
    assert_eq!(v["reapproval"], 1);
    assert_eq!(v["base"]["commit"]["summary"], "Initial documents");
}

#[test]
fn impact_follows_renames_deletions_and_the_upstream_branch() {
    let origin = git_repo_from("examples");
    let work = tempfile::tempdir().unwrap();
    let clone = work.path().join("clone");
    git(
        work.path(),
        &["clone", "-q", origin.path().to_str().unwrap(), "clone"],
        2,
    );
    // A local commit on top of origin/main: renamed STR-0001, deleted NFR-0001.
    git(
        &clone,
        &[
            "mv",
            "docs/plan/str-0001-scan-delivery-into-stock.md",
            "docs/plan/str-0001-scan-a-delivery.md",
        ],
        3,
    );
    git(
        &clone,
        &["rm", "-q", "docs/architecture/nfr-0001-stock-sync-nfr.md"],
        3,
    );
    git(&clone, &["commit", "-q", "-m", "Rename and delete"], 3);
    let v = json(&run(&clone, &["impact", "--format", "json"]));
    assert_eq!(
        v["base"]["described"],
        "the merge-base of HEAD and origin/main"
    );
    assert_eq!(v["base"]["commit"]["summary"], "Initial documents");
    let changed = v["changed"].as_array().unwrap();
    let renamed = changed.iter().find(|c| c["change"] == "renamed").unwrap();
    assert_eq!(renamed["path"], "docs/plan/str-0001-scan-a-delivery.md");
    assert_eq!(
        renamed["old_path"],
        "docs/plan/str-0001-scan-delivery-into-stock.md"
    );
    assert_eq!(renamed["needs_reapproval"], false, "content unchanged");
    let deleted = changed.iter().find(|c| c["change"] == "deleted").unwrap();
    assert_eq!(deleted["doc_id"], "NFR-0001");
    assert_eq!(deleted["old_status"], "approved");
    let notes = v["notes"].to_string();
    assert!(notes.contains("NFR-0001 was deleted, but ADR-0002, ADR-0003, ALT-0001, PRD-0001, SLO-0001 still name it"), "{notes}");
}

#[test]
fn impact_outside_git_and_in_a_shallow_clone_says_why() {
    let dir = fixture("examples");
    let o = run(dir.path(), &["impact"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not inside a git repository"),
        "{}",
        stderr(&o)
    );

    let origin = git_repo_from("examples");
    edit(origin.path(), PRD2, |t| format!("{t}\nMore.\n"));
    git(origin.path(), &["commit", "-q", "-am", "Second"], 2);
    let work = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(
        work.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
        3,
    );
    let shallow = work.path().join("shallow");
    let o = run(&shallow, &["impact", "--base", "HEAD~1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("this is a shallow clone"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("git fetch --unshallow"),
        "{}",
        stderr(&o)
    );

    let v = json(&run(&shallow, &["log", "PRD-0002", "--format", "json"]));
    assert_eq!(v["entries"][0]["change"], "boundary", "{v}");
    assert_eq!(v["entries"][0]["new"], "approved");
    assert_eq!(v["shallow_cut"]["summary"], "Second");
    let human = ok(&run(&shallow, &["log", "PRD-0002"]));
    assert!(
        human.contains("this is a shallow clone: history stops at"),
        "{human}"
    );
}

#[test]
fn log_shows_status_and_stage_history_across_renames() {
    let dir = git_repo_from("examples");
    let root = dir.path();
    edit(root, DSG1, |t| {
        t.replacen("status: in-review", "status: approved", 1)
    });
    edit(root, "docs/_docset/issues/issue-12.yaml", |t| {
        t.replace("stage: design", "stage: plan")
    });
    git(root, &["commit", "-q", "-am", "Approve the design"], 5);
    edit(root, DSG1, |t| format!("{t}\nTypo fixed.\n"));
    git(root, &["commit", "-q", "-am", "Typo"], 6);
    git(root, &["mv", DSG1, "docs/design/dsg-0001-sync.md"], 7);
    git(root, &["commit", "-q", "-m", "Shorter name"], 7);
    edit(root, "docs/design/dsg-0001-sync.md", |t| {
        t.replacen("status: approved", "status: superseded", 1)
    });
    git(root, &["commit", "-q", "-am", "Supersede the design"], 8);

    let v = json(&run(root, &["log", "DSG-0001", "--format", "json"]));
    assert_eq!(v["path"], "docs/design/dsg-0001-sync.md");
    let steps: Vec<String> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {}→{} {}",
                &e["commit"]["date"].as_str().unwrap()[..10],
                e["change"].as_str().unwrap(),
                e["old"].as_str().unwrap_or("-"),
                e["new"].as_str().unwrap_or("-"),
                e["commit"]["summary"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            "2026-03-01 added -→in-review Initial documents",
            "2026-03-05 changed in-review→approved Approve the design",
            "2026-03-07 renamed approved→approved Shorter name",
            "2026-03-08 changed approved→superseded Supersede the design",
        ]
    );
    assert_eq!(v["other_commits"], 1);
    assert_eq!(v["entries"][2]["old_path"], DSG1);
    assert_eq!(v["entries"][0]["commit"]["author"], "Ada Author");

    let human = ok(&run(root, &["log", "DSG-0001"]));
    assert!(human.contains("in-review → approved"), "{human}");
    assert!(
        human.contains("renamed from docs/design/dsg-0001-stock-sync-service.md (approved)"),
        "{human}"
    );
    assert!(
        human.contains("1 other commit changed the file without changing its status."),
        "{human}"
    );

    // An issue's stage, in any spelling.
    for spelling in [
        "12",
        "#12",
        "acme/larder#12",
        "https://github.com/acme/larder/issues/12",
    ] {
        let v = json(&run(root, &["log", spelling, "--format", "json"]));
        assert_eq!(v["target"], "#12", "{spelling}");
        let stages: Vec<(Option<&str>, Option<&str>)> = v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["old"].as_str(), e["new"].as_str()))
            .collect();
        assert_eq!(
            stages,
            [
                (None, Some("design (active)")),
                (Some("design (active)"), Some("plan (active)"))
            ]
        );
    }
    let v = json(&run(root, &["log", "pr-44", "--format", "json"]));
    assert_eq!(v["field"], "state");
    assert_eq!(v["entries"][0]["new"], "done");
}
