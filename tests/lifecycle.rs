//! Issues through their stages: the transcript of a fresh repository taken through
//! intake, the gate, abort, rethink, DocSet sync and show, and approvals.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

const TODAY: &str = "2026-03-04";

fn g(root: &Path, args: &[&str]) -> Output {
    genie(root)
        .args(args)
        .env("GENIE_TODAY", TODAY)
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

/// `genie check` finds nothing at all.
fn assert_clean(root: &Path, after: &str) {
    let (code, v) = check_json(root, &["--deny", "warnings"]);
    assert_eq!(
        (code, v["diagnostics"].as_array().map(Vec::len)),
        (0, Some(0)),
        "after {after}: {v:#}"
    );
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn fresh() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init"]);
    dir
}

const INTAKE: &[(&str, &str)] = &[
    ("problem", "Stock drifts between stores"),
    ("personas", "Shop owners and staff"),
    ("scope", "Multi-store sync MVP"),
    ("constraints", "Platform constraints"),
    ("brief", "Multi-store sync"),
];

/// The issue's intake documents, created and approved; returns their doc_ids.
fn intake(root: &Path, issue: &str, transcript: &mut String) -> Vec<String> {
    let mut ids = Vec::new();
    for (ty, title) in INTAKE {
        let args = ["new", ty, title, "--issue", issue, "--format", "json"];
        let out = ok(root, &args);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        ids.push(v["doc_id"].as_str().unwrap().to_string());
        transcript.push_str(&format!("$ genie {}\n{}\n", args[..5].join(" "), v["path"]));
        assert_clean(root, &format!("genie new {ty}"));
    }
    ids
}

#[test]
fn a_fresh_repository_through_intake_to_the_next_stage() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut t = String::new();
    let step = |t: &mut String, args: &[&str]| {
        let o = g(root, args);
        t.push_str(&format!("$ genie {}\n{}", args.join(" "), stdout(&o)));
        if !stderr(&o).is_empty() {
            t.push_str(&format!("[stderr] {}", stderr(&o)));
        }
        t.push_str(&format!("[exit {}]\n\n", o.status.code().unwrap_or(-1)));
        o.status.code()
    };
    assert_eq!(step(&mut t, &["init"]), Some(0));
    assert_clean(root, "init");
    for (ty, title) in INTAKE {
        assert_eq!(step(&mut t, &["new", ty, title, "--issue", "1"]), Some(0));
        assert_clean(root, &format!("new {ty}"));
    }
    assert_eq!(step(&mut t, &["stage", "status", "1"]), Some(0));
    assert_eq!(step(&mut t, &["stage", "advance", "1"]), Some(1));
    assert_clean(root, "a refused advance");
    for id in ["PRB-0001", "PER-0001", "MVP-0001", "CST-0001", "BRF-0001"] {
        assert_eq!(
            step(&mut t, &["approve", id, "--by", "Irina Petrova"]),
            Some(0)
        );
        assert_clean(root, &format!("approve {id}"));
    }
    assert_eq!(step(&mut t, &["stage", "advance", "1"]), Some(0));
    assert_clean(root, "advance");
    assert_eq!(step(&mut t, &["docset", "show", "1"]), Some(0));
    assert_eq!(
        step(&mut t, &["docset", "sync", "--all", "--check"]),
        Some(0)
    );
    snapshot("lifecycle-transcript.txt", &t);

    let ds = read(root, "docs/_docset/issues/issue-1.yaml");
    assert!(ds.contains("profile: feature\nstage: prd\n"), "{ds}");
    let brief = read(root, "docs/intake/brf-0001-multi-store-sync.md");
    assert!(brief.contains("status: approved\n"), "{brief}");
    assert!(
        brief.contains(
            "  status: approved\n  approved_by: [Irina Petrova]\n  approved_at: 2026-03-04\n"
        ),
        "{brief}"
    );
}

#[test]
fn a_refused_advance_names_every_gap_and_writes_nothing() {
    let dir = fresh();
    let root = dir.path();
    ok(root, &["new", "problem", "Drift", "--issue", "4"]);
    ok(root, &["new", "brief", "Sync", "--issue", "4"]);
    ok(root, &["approve", "PRB-0001", "--by", "Tom"]);
    let before = read(root, "docs/_docset/issues/issue-4.yaml");
    let o = g(root, &["stage", "advance", "4", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["passed"], false);
    let gaps: Vec<&str> = v["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(gaps.len(), 4, "{gaps:?}");
    assert!(
        gaps.iter()
            .any(|g| g.contains("`brief`: BRF-0001 is `draft`"))
    );
    for ty in ["personas", "scope", "constraints"] {
        assert!(
            gaps.iter()
                .any(|g| g.contains(&format!("`{ty}`: none is linked"))),
            "{gaps:?}"
        );
    }
    assert_eq!(read(root, "docs/_docset/issues/issue-4.yaml"), before);
    let human = g(root, &["stage", "advance", "4"]);
    assert_eq!(human.status.code(), Some(1));
    assert!(stdout(&human).contains("cannot leave stage `intake`"));
}

#[test]
fn abort_abandons_the_issue_and_its_documents() {
    let dir = fresh();
    let root = dir.path();
    let mut t = String::new();
    intake(root, "2", &mut t);
    // A document shared with another active issue is kept.
    ok(root, &["new", "problem", "Other", "--issue", "3"]);
    let shared = "docs/intake/cst-0001-platform-constraints.md";
    let text = read(root, shared).replace("related_issues: [2]", "related_issues: [2, 3]");
    std::fs::write(root.join(shared), text).unwrap();
    ok(root, &["docset", "sync", "--all"]);
    assert_clean(root, "sharing CST-0001");

    let o = g(root, &["stage", "abort", "2", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("would update docs/_docset/issues/issue-2.yaml"));
    assert!(read(root, "docs/_docset/issues/issue-2.yaml").contains("state: active"));

    let out = ok(root, &["stage", "abort", "2", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["abandoned"].as_array().unwrap().len(), 4, "{v:#}");
    assert_eq!(v["kept"][0]["doc_id"], "CST-0001");
    assert!(read(root, "docs/_docset/issues/issue-2.yaml").contains("state: abandoned"));
    assert!(
        read(root, "docs/intake/prb-0001-stock-drifts-between-stores.md")
            .contains("status: abandoned")
    );
    assert!(read(root, shared).contains("status: draft"));
    assert_clean(root, "abort");
    let o = g(root, &["stage", "advance", "2"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn rethink_goes_back_and_supersedes_the_later_stages() {
    let dir = fresh();
    let root = dir.path();
    let mut t = String::new();
    for id in intake(root, "5", &mut t) {
        ok(root, &["approve", &id, "--by", "Irina"]);
    }
    ok(root, &["stage", "advance", "5"]);
    ok(
        root,
        &["new", "prd", "Multi-store sync PRD", "--issue", "5"],
    );
    assert_clean(root, "new prd at stage prd");

    for (args, why) in [
        (
            vec!["stage", "rethink", "5", "--to", "desgn"],
            "did you mean `design`",
        ),
        (
            vec!["stage", "rethink", "5", "--to", "design"],
            "earlier stage",
        ),
        (
            vec!["stage", "rethink", "5", "--to", "vision"],
            "not a stage of profile `feature`",
        ),
    ] {
        let o = g(root, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(why), "{args:?}: {}", stderr(&o));
    }
    let out = ok(root, &["stage", "rethink", "5", "--to", "intake"]);
    assert!(out.contains("went back from `prd` to `intake`"), "{out}");
    assert!(out.contains("superseded: PRD-0001"), "{out}");
    let ds = read(root, "docs/_docset/issues/issue-5.yaml");
    assert!(ds.contains("stage: intake"), "{ds}");
    assert!(ds.contains("type: prd, status: superseded}"), "{ds}");
    assert_clean(root, "rethink");
}

#[test]
fn docset_sync_keeps_hand_written_fields_and_check_shows_drift() {
    let dir = fresh();
    let root = dir.path();
    ok(root, &["new", "problem", "Drift", "--issue", "9"]);
    ok(root, &["new", "brief", "Sync", "--issue", "9"]);
    let path = "docs/_docset/issues/issue-9.yaml";
    // Hand-written: a comment, a title, notes; the list edited by hand (wrong order, a stray entry).
    let hand = "# DocSet of issue 9\nissue: 9\ntitle: \"Sync: stores\"   # keep\nprofile: feature\nstage: intake\nstate: active\ndocs:\n  - {doc_id: PRB-0001, path: docs/intake/prb-0001-drift.md, type: problem, status: draft}\n  - {doc_id: GONE-0001}\nnotes: |\n  Written by hand.\n";
    std::fs::write(root.join(path), hand).unwrap();
    let (code, _) = check_json(root, &[]);
    assert_eq!(
        code, 1,
        "the stray entry and the missing brief are findings"
    );

    let o = g(root, &["docset", "sync", "9", "--check"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains(
            "out of sync docs/_docset/issues/issue-9.yaml: adds BRF-0001; removes GONE-0001"
        ),
        "{out}"
    );
    assert!(out.contains("-   - {doc_id: GONE-0001}"), "{out}");
    assert!(out.contains("+   - {doc_id: BRF-0001, path: docs/intake/brf-0001-sync.md, type: brief, status: draft}"), "{out}");
    assert_eq!(read(root, path), hand, "--check writes nothing");

    ok(root, &["docset", "sync", "9"]);
    let synced = read(root, path);
    assert_eq!(
        synced,
        "# DocSet of issue 9\nissue: 9\ntitle: \"Sync: stores\"   # keep\nprofile: feature\nstage: intake\nstate: active\ndocs:\n  - {doc_id: BRF-0001, path: docs/intake/brf-0001-sync.md, type: brief, status: draft}\n  - {doc_id: PRB-0001, path: docs/intake/prb-0001-drift.md, type: problem, status: draft}\nnotes: |\n  Written by hand.\n"
    );
    assert_clean(root, "sync");
    let again = g(
        root,
        &["docset", "sync", "--all", "--check", "--format", "json"],
    );
    assert_eq!(again.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v["drift"], false);

    let o = g(root, &["docset", "sync", "77"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("issue #77 has no DocSet"),
        "{}",
        stderr(&o)
    );
    let o = g(root, &["docset", "sync"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn show_and_status_in_json() {
    let dir = fresh();
    let root = dir.path();
    ok(root, &["new", "problem", "Drift", "--issue", "9"]);
    ok(root, &["new", "handoff", "Away in May", "--issue", "9"]);
    ok(root, &["approve", "PRB-0001", "--by", "Tom"]);
    let v: serde_json::Value =
        serde_json::from_str(&ok(root, &["docset", "show", "9", "--format", "json"])).unwrap();
    assert_eq!(v["stage"], "intake");
    assert_eq!(v["next"], "prd");
    let intake = &v["stages"][0];
    assert_eq!(intake["position"], "current");
    let states: Vec<(&str, &str)> = intake["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["types"][0].as_str().unwrap(),
                r["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("problem", "approved"),
            ("personas", "missing"),
            ("scope", "missing"),
            ("constraints", "missing"),
            ("brief", "missing")
        ]
    );
    assert_eq!(v["other_docs"][0]["doc_id"], "HND-0001");
    let s = ok(root, &["stage", "status", "9"]);
    assert!(s.contains("intake (current)"), "{s}");
    assert!(s.contains("approved  problem"), "{s}");
    assert!(s.contains("next stage: prd"), "{s}");
    let o = g(root, &["stage", "status", "10"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`genie new TYPE TITLE --issue 10` creates one"));
}

#[test]
fn approve_keeps_the_document_vocabulary_and_bytes() {
    let dir = fresh();
    let root = dir.path();
    let adr = "---\r\ndoc_id: ADR-0001\r\ntype: adr\r\ntitle: 'Use PostgreSQL'   # the decision\r\nstatus: proposed\r\nowner_role: sa\r\ncreated_at: 2026-01-02\r\nrelated_issues: [\"#8\"]\r\napprovals: {required: [sa, em], status: pending}\r\n---\r\n\r\n# Use PostgreSQL\r\n\r\nstatus: proposed is in the body too\r\n";
    write_files(
        root,
        &[("docs/architecture/adr/adr-0001-use-postgresql.md", adr)],
    );
    let out = ok(root, &["approve", "ADR-0001", "--by", "Irina Petrova"]);
    assert!(
        out.contains("ADR-0001 is accepted by Irina Petrova on 2026-03-04"),
        "{out}"
    );
    let after = read(root, "docs/architecture/adr/adr-0001-use-postgresql.md");
    assert_eq!(
        after,
        adr.replace("status: proposed\r\n", "status: accepted\r\n")
            .replace(
                "status: pending}",
                "status: approved, approved_by: [Irina Petrova], approved_at: 2026-03-04}"
            )
    );
    let again = ok(root, &["approve", "ADR-0001", "--by", "Irina Petrova"]);
    assert!(again.contains("already approved"), "{again}");
    let o = g(root, &["approve", "ADR-0002", "--by", "X"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `ADR-0001`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_input_is_refused_and_nothing_is_half_written() {
    let dir = fresh();
    let root = dir.path();
    ok(root, &["new", "problem", "Drift", "--issue", "6"]);
    let doc = "docs/intake/prb-0001-drift.md";
    let ds = "docs/_docset/issues/issue-6.yaml";
    let (doc_before, ds_before) = (read(root, doc), read(root, ds));

    // A read-only DocSet: the approval would change the document and the DocSet; neither changes.
    let ro = |p: &str, on: bool| {
        let mut perm = std::fs::metadata(root.join(p)).unwrap().permissions();
        perm.set_readonly(on);
        std::fs::set_permissions(root.join(p), perm).unwrap();
    };
    ro(ds, true);
    let o = g(root, &["approve", "PRB-0001", "--by", "Tom"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert_eq!(
        (read(root, doc), read(root, ds)),
        (doc_before.clone(), ds_before.clone())
    );
    ro(ds, false);

    // A document whose front-matter does not parse.
    let broken = doc_before.replace("status: draft", "status: [draft");
    std::fs::write(root.join(doc), &broken).unwrap();
    let o = g(root, &["approve", "PRB-0001", "--by", "Tom"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    std::fs::write(root.join(doc), &doc_before).unwrap();

    // A DocSet that does not parse stops `new --issue`.
    std::fs::write(root.join(ds), "issue: [6\n").unwrap();
    let o = g(root, &["new", "brief", "Sync", "--issue", "6"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot be read as a DocSet"),
        "{}",
        stderr(&o)
    );
    assert!(!root.join("docs/intake/brf-0001-sync.md").exists());
    std::fs::write(root.join(ds), &ds_before).unwrap();

    // An unknown profile in the DocSet.
    std::fs::write(
        root.join(ds),
        ds_before.replace("profile: feature", "profile: featur"),
    )
    .unwrap();
    let o = g(root, &["stage", "status", "6"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `feature`"),
        "{}",
        stderr(&o)
    );
}
