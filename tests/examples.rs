//! The shipped example repositories: `examples/` is clean, and in
//! `examples/broken/` every rule fires where EXPECTED.md says, in every format.

mod common;

use common::*;
use genie::check::rules::RULES;

#[test]
fn example_repository_is_clean() {
    let root = manifest_dir().join("examples");
    let o = run(&root, &["check", "--color", "never"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.starts_with("ok: "), "{out}");
    let (_, v) = check_json(&root, &["--deny", "warnings"]);
    let docs = v["summary"]["docs"].as_u64().unwrap();
    assert!((30..=60).contains(&docs), "{docs} documents");
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0);
}

/// (path, code, line) rows of EXPECTED.md.
fn expected_rows() -> Vec<(String, String, u64)> {
    let text = std::fs::read_to_string(manifest_dir().join("examples/broken/EXPECTED.md")).unwrap();
    text.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            if cells.len() < 3 || !cells[0].starts_with("| `") {
                return None;
            }
            let path = cells[0]
                .trim_start_matches("| `")
                .trim_end_matches('`')
                .to_string();
            let line: u64 = cells[1].parse().ok()?;
            let code = cells[2].split_whitespace().next()?.to_string();
            code.starts_with('G').then_some((path, code, line))
        })
        .collect()
}

#[test]
fn broken_repository_reports_every_rule_where_expected() {
    let dir = fixture("examples/broken");
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let got = findings(&v);
    let expected = expected_rows();
    assert!(
        expected.len() >= RULES.iter().filter(|r| r.code < "G0700").count(),
        "EXPECTED.md has {} rows",
        expected.len()
    );
    for row in &expected {
        let (p, c, l) = row;
        assert!(
            got.iter().any(|(gc, gp, gl)| gc == c && gp == p && gl == l),
            "expected {c} at {p}:{l}; got {:?}",
            got.iter().filter(|(_, gp, _)| gp == p).collect::<Vec<_>>()
        );
    }
    for (c, p, l) in &got {
        assert!(
            expected.iter().any(|(ep, ec, _)| ep == p && ec == c),
            "unexpected {c} at {p}:{l}"
        );
    }
    // Document rules; policy and workflow rules (G07xx, G08xx) do not look at a
    // repository's documents and have their own tests (policy, secrets, labels).
    for rule in RULES.iter().filter(|r| r.code < "G0700") {
        assert!(
            got.iter().any(|(c, _, _)| c == rule.code),
            "rule {} ({}) never fires",
            rule.code,
            rule.name
        );
    }
}

#[test]
fn broken_repository_in_all_four_formats() {
    let dir = fixture("examples/broken");
    for (format, name) in [
        ("human", "broken.human.txt"),
        ("json", "broken.json"),
        ("sarif", "broken.sarif.json"),
        ("github", "broken.github.txt"),
    ] {
        let o = run(
            dir.path(),
            &["check", "--color", "never", "--format", format],
        );
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
        assert!(stderr(&o).is_empty(), "{format}: {}", stderr(&o));
        snapshot(name, &stdout(&o));
    }
}

#[test]
fn sarif_is_well_formed() {
    let dir = fixture("examples/broken");
    let o = run(dir.path(), &["check", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RULES.len());
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(matches!(r["level"].as_str(), Some("error" | "warning")));
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains('\\') && !uri.contains(' '),
            "{uri}"
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
    }
    // Non-ASCII paths are percent-encoded URIs.
    assert_eq!(
        genie::report::sarif::uri("docs/р é.md"),
        "docs/%D1%80%20%C3%A9.md"
    );
}

#[test]
fn github_annotations_are_capped_and_summarised() {
    let dir = fixture("examples/broken");
    let summary = dir.path().join("summary.md");
    let o = genie(dir.path())
        .args(["check", "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let out = stdout(&o);
    let errors = out.lines().filter(|l| l.starts_with("::error ")).count();
    let warnings = out.lines().filter(|l| l.starts_with("::warning ")).count();
    assert_eq!(errors, 10);
    assert!(warnings <= 10);
    let notice = out
        .lines()
        .find(|l| l.starts_with("::notice"))
        .expect("a notice counts the rest");
    let (_, v) = check_json(dir.path(), &[]);
    let total = v["diagnostics"].as_array().unwrap().len();
    assert!(
        notice.contains(&format!("{} more findings", total - errors - warnings)),
        "{notice}"
    );
    for l in out.lines().filter(|l| l.starts_with("::")) {
        assert!(!l.contains('\r'));
        let (props, _) = l[2..].split_once("::").unwrap();
        if let Some(file) = props.split("file=").nth(1) {
            assert!(!file.split(",line=").next().unwrap().contains(':'));
        }
    }
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("## genie check: ❌ failed"), "{md}");
    assert_eq!(
        md.lines()
            .filter(|l| l.starts_with("| error |") || l.starts_with("| warning |"))
            .count(),
        total
    );
    // Appended, not overwritten.
    genie(dir.path())
        .args(["check", "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .matches("## genie check")
            .count(),
        2
    );
}

#[test]
fn paths_limit_what_is_reported() {
    let dir = fixture("examples/broken");
    let (_, v) = check_json(dir.path(), &["docs/g0203-duplicate-b.md"]);
    let got = findings(&v);
    assert_eq!(
        got,
        vec![(
            "G0203".to_string(),
            "docs/g0203-duplicate-b.md".to_string(),
            2
        )]
    );
    let related = &v["diagnostics"][0]["related"][0];
    assert_eq!(related["path"], "docs/g0203-duplicate-a.md");
    assert_eq!(related["line"], 2);
}

#[test]
fn docset_check_is_an_alias() {
    let dir = fixture("examples/broken");
    let a = run(dir.path(), &["check", "--format", "json"]);
    let b = run(dir.path(), &["docset", "check", "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.status.code(), b.status.code());
}
