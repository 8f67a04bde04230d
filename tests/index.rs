//! The index itself: up-to-date runs, the writer lock, rebuilding a broken index,
//! git checkouts (blob ids as content keys), odd input, and `genie export`.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::Value;

fn examples_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&manifest_dir().join("examples"), dir.path());
    dir
}

fn index_json(root: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["index", "--format", "json"];
    args.extend_from_slice(extra);
    let out = run(root, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("index JSON")
}

fn search_ids(root: &Path, query: &str) -> Vec<String> {
    let out = run(
        root,
        &["search", query, "--format", "json", "--limit", "50"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("search JSON");
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_second_run_with_nothing_changed_commits_nothing() {
    let dir = examples_copy();
    let first = index_json(dir.path(), &[]);
    assert_eq!(first["committed"], true);
    assert!(first["rebuilt"].is_string(), "{first}");
    assert!(first["indexed"].as_u64().unwrap() > 50);
    assert!(first["chunks"].as_u64().unwrap() > first["indexed"].as_u64().unwrap());
    let second = index_json(dir.path(), &[]);
    assert_eq!(second["committed"], false, "{second}");
    assert_eq!(second["indexed"], 0);
    assert_eq!(second["files"], first["files"]);
    // The index keeps itself out of git.
    assert!(dir.path().join(".genie/index/.gitignore").is_file());
}

#[test]
fn touching_a_file_without_changing_it_reindexes_nothing() {
    let dir = examples_copy();
    index_json(dir.path(), &[]);
    let doc = dir
        .path()
        .join("docs/product/prd-0001-multi-store-inventory-sync.md");
    let text = std::fs::read(&doc).unwrap();
    std::fs::write(&doc, &text).unwrap();
    let v = index_json(dir.path(), &[]);
    assert_eq!(v["indexed"], 0, "{v}");
    assert_eq!(v["committed"], false);
}

#[test]
fn a_held_lock_makes_index_busy_and_search_reads_the_last_index() {
    let dir = examples_copy();
    index_json(dir.path(), &[]);
    std::fs::write(
        dir.path().join("docs/lessons/lsn-0099-new.md"),
        "# Quarantine lesson\n\nA brand new zanzibar lesson.\n",
    )
    .unwrap();
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join(".genie/index.lock"))
        .expect("lock file exists after a run");
    lock.lock().expect("lock");

    let out = run(dir.path(), &["index", "--wait", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("index busy"), "{}", stderr(&out));

    let out = run(dir.path(), &["search", "zanzibar", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("index busy"), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["total"], 0, "the new file is not in the last index");

    lock.unlock().unwrap();
    assert_eq!(search_ids(dir.path(), "zanzibar").len(), 1);
}

#[test]
fn a_broken_index_is_rebuilt() {
    let dir = examples_copy();
    index_json(dir.path(), &[]);
    std::fs::write(dir.path().join(".genie/index/meta.json"), "{ not json").unwrap();
    let out = run(dir.path(), &["search", "rollback", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(v["total"].as_u64().unwrap() > 0);
    // --no-update on a broken index is an error, not a crash.
    std::fs::write(dir.path().join(".genie/index/meta.json"), "{ not json").unwrap();
    let out = run(dir.path(), &["search", "rollback", "--no-update"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let v = index_json(dir.path(), &[]);
    assert!(v["rebuilt"].is_string(), "{v}");
}

#[test]
fn a_configuration_change_rebuilds_the_index() {
    let dir = examples_copy();
    index_json(dir.path(), &[]);
    let toml = dir.path().join("genie.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[rules]\nbroken-link = \"warning\"\n");
    std::fs::write(&toml, text).unwrap();
    let v = index_json(dir.path(), &[]);
    assert_eq!(v["rebuilt"], "the configuration changed", "{v}");
}

#[test]
fn search_without_an_index_and_no_update_says_what_to_do() {
    let dir = examples_copy();
    let out = run(dir.path(), &["search", "rollback", "--no-update"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("genie index"), "{}", stderr(&out));
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn in_a_git_checkout_renames_and_deletions_are_followed() {
    let dir = examples_copy();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "docs"]);
    index_json(dir.path(), &[]);
    let before = search_ids(dir.path(), "rollback");
    assert!(
        before
            .iter()
            .any(|i| i.starts_with("docs/release/rlb-0001"))
    );

    git(
        dir.path(),
        &[
            "mv",
            "docs/release/rlb-0001-v1-2-0-rollback.md",
            "docs/release/rlb-0001-renamed.md",
        ],
    );
    std::fs::remove_file(
        dir.path()
            .join("docs/lessons/lsn-0001-signed-stock-movements.md"),
    )
    .unwrap();
    let v = index_json(dir.path(), &[]);
    assert_eq!(v["indexed"], 1, "{v}");
    assert_eq!(v["removed"], 2, "{v}");
    let after = search_ids(dir.path(), "rollback");
    assert!(
        after
            .iter()
            .any(|i| i.starts_with("docs/release/rlb-0001-renamed.md#"))
    );
    assert!(
        !after
            .iter()
            .any(|i| i.starts_with("docs/release/rlb-0001-v1-2-0"))
    );
    assert!(
        !search_ids(dir.path(), "signed stock movements")
            .iter()
            .any(|i| i.starts_with("docs/lessons/lsn-0001"))
    );
}

#[test]
fn odd_input_is_indexed_or_skipped_never_fatal() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&manifest_dir().join("examples/broken"), dir.path());
    let v = index_json(dir.path(), &[]);
    assert!(v["indexed"].as_u64().unwrap() > 30, "{v}");
    // The BOM and CRLF documents are searchable like any other.
    let out = run(
        dir.path(),
        &["search", "bom", "--format", "json", "--no-update"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(
        dir.path(),
        &[
            "context",
            "billion laughs",
            "--budget",
            "300",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn export_writes_every_chunk_once_in_a_stable_order() {
    let dir = examples_copy();
    let v = index_json(dir.path(), &[]);
    let out = run(dir.path(), &["export", "--format", "ndjson"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    assert_eq!(records.len() as u64, v["chunks"].as_u64().unwrap());
    let mut ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "ids are unique");
    let keys: Vec<(String, u64)> = records
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_string(),
                r["line_start"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "path and line order");
    let first = &records[0];
    assert_eq!(first["repository"], "acme/larder");
    for key in [
        "doc_id",
        "type",
        "status",
        "heading_path",
        "text",
        "line_end",
        "issues",
    ] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    // Same tree, same bytes.
    let again = run(dir.path(), &["export", "--format", "ndjson"]);
    assert_eq!(stdout(&again), text);

    // -o writes atomically and never overwrites without --force.
    let file = dir.path().join("chunks.ndjson");
    let out = run(
        dir.path(),
        &["export", "--format", "ndjson", "-o", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    let out = run(
        dir.path(),
        &["export", "--format", "ndjson", "-o", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"));
}
