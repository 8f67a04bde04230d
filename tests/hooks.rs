//! The git hooks end to end: `genie hook install` in a real repository, then
//! `git commit` and `git push` with staged content that is broken, secret,
//! partially staged, renamed or clean.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{bin, copy_tree, manifest_dir, run, stderr, stdout};

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ann")
        .env("GIT_AUTHOR_EMAIL", "ann@example.com")
        .env("GIT_COMMITTER_NAME", "Ann")
        .env("GIT_COMMITTER_EMAIL", "ann@example.com")
        .env("GENIE_BIN", bin())
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .output()
        .expect("git runs")
}

fn ok(o: &Output) -> bool {
    o.status.success()
}

fn all(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// The example repository as a git repository on branch `feat/12-sync`, with one
/// commit and genie's hooks installed.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&manifest_dir().join("examples"), dir.path());
    std::fs::remove_dir_all(dir.path().join("broken")).unwrap();
    let d = dir.path();
    assert!(ok(&git(d, &["init", "-q", "-b", "feat/12-sync"])));
    assert!(ok(&git(d, &["add", "-A"])));
    assert!(ok(&git(d, &["commit", "-q", "-m", "Start (#12)"])));
    let o = run(d, &["hook", "install"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    dir
}

const ADR: &str = "docs/architecture/adr/adr-0003-use-postgresql.md";

/// The working tree and the index, to show that the hooks change neither.
fn snapshot(d: &Path) -> (Vec<u8>, String, String) {
    (
        std::fs::read(d.join(ADR)).unwrap(),
        stdout(&git(d, &["diff"])),
        stdout(&git(d, &["diff", "--cached"])),
    )
}

#[test]
fn a_broken_staged_document_is_blocked_and_nothing_is_touched() {
    let dir = repo();
    let d = dir.path();
    let text = std::fs::read_to_string(d.join(ADR)).unwrap();
    std::fs::write(
        d.join(ADR),
        text.replace("status: accepted", "status: done-ish"),
    )
    .unwrap();
    assert!(ok(&git(d, &["add", ADR])));
    let before = snapshot(d);
    let o = git(d, &["commit", "-m", "Try (#12)"]);
    assert!(!ok(&o), "the commit went through: {}", all(&o));
    assert!(all(&o).contains("G0205"), "{}", all(&o));
    assert_eq!(
        snapshot(d),
        before,
        "the hook changed the working tree or the index"
    );
    assert_eq!(
        stdout(&git(d, &["rev-list", "--count", "HEAD"])).trim(),
        "1"
    );
}

#[test]
fn a_staged_secret_is_blocked_and_redacted_and_a_clean_commit_goes_through() {
    let dir = repo();
    let d = dir.path();
    let key = format!("AKIA{}", "Q7W3RT5YU8IOP2MZ");
    let text = std::fs::read_to_string(d.join(ADR)).unwrap();
    std::fs::write(d.join(ADR), format!("{text}\nThe key is `{key}`.\n")).unwrap();
    assert!(ok(&git(d, &["add", ADR])));
    let o = git(d, &["commit", "-m", "Add a key (#12)"]);
    assert!(!ok(&o));
    assert!(all(&o).contains("G0701"), "{}", all(&o));
    assert!(!all(&o).contains(&key), "the secret is shown: {}", all(&o));

    std::fs::write(d.join(ADR), format!("{text}\nOne more paragraph.\n")).unwrap();
    assert!(ok(&git(d, &["add", ADR])));
    let o = git(d, &["commit", "-m", "Explain more (#12)"]);
    assert!(ok(&o), "{}", all(&o));
}

#[test]
fn a_partially_staged_file_is_judged_by_what_is_staged() {
    let dir = repo();
    let d = dir.path();
    let text = std::fs::read_to_string(d.join(ADR)).unwrap();
    let broken = text.replace("status: accepted", "status: done-ish");
    let clean = format!("{text}\nA clean addition.\n");

    // Clean in the index, broken in the working tree: the commit goes through.
    std::fs::write(d.join(ADR), &clean).unwrap();
    assert!(ok(&git(d, &["add", ADR])));
    std::fs::write(d.join(ADR), &broken).unwrap();
    let o = git(d, &["commit", "-m", "Clean part (#12)"]);
    assert!(ok(&o), "{}", all(&o));
    assert_eq!(std::fs::read_to_string(d.join(ADR)).unwrap(), broken);

    // Broken in the index, fixed in the working tree: blocked.
    assert!(ok(&git(d, &["add", ADR])));
    std::fs::write(d.join(ADR), &clean).unwrap();
    let o = git(d, &["commit", "-m", "Broken part (#12)"]);
    assert!(!ok(&o), "{}", all(&o));
    assert_eq!(std::fs::read_to_string(d.join(ADR)).unwrap(), clean);
}

#[test]
fn commit_all_is_judged_by_the_index_git_builds_for_it() {
    let dir = repo();
    let d = dir.path();
    let text = std::fs::read_to_string(d.join(ADR)).unwrap();
    std::fs::write(
        d.join(ADR),
        text.replace("status: accepted", "status: done-ish"),
    )
    .unwrap();
    let o = git(d, &["commit", "-a", "-m", "Everything (#12)"]);
    assert!(!ok(&o), "{}", all(&o));
    assert!(all(&o).contains("G0205"), "{}", all(&o));
}

#[test]
fn removing_a_document_others_name_is_reported_where_they_name_it() {
    let dir = repo();
    let d = dir.path();
    // ADR-0001 is superseded by ADR-0003 and named by other documents.
    let old = "docs/architecture/adr/adr-0001-per-store-sqlite-replicas.md";
    assert!(ok(&git(d, &["rm", "-q", old])));
    let o = git(d, &["commit", "-m", "Drop the old decision (#12)"]);
    assert!(!ok(&o), "{}", all(&o));
    let out = all(&o);
    assert!(out.contains("G0301") && out.contains("ADR-0001"), "{out}");
    assert!(
        out.contains(ADR),
        "the finding is in the document that names it: {out}"
    );
}

#[test]
fn commit_messages_need_an_issue() {
    let dir = repo();
    let d = dir.path();
    std::fs::write(d.join("notes.txt"), "hello\n").unwrap();
    assert!(ok(&git(d, &["add", "notes.txt"])));
    let o = git(d, &["commit", "-m", "Add notes"]);
    assert!(!ok(&o));
    assert!(all(&o).contains("G0702"), "{}", all(&o));
    let o = git(d, &["commit", "-m", "Add notes\n\nRefs #12"]);
    assert!(ok(&o), "{}", all(&o));
}

#[test]
fn pushes_check_branch_names_and_protected_branches() {
    let dir = repo();
    let d = dir.path();
    let remote = tempfile::tempdir().unwrap();
    assert!(ok(&git(remote.path(), &["init", "-q", "--bare"])));
    let url = remote.path().to_str().unwrap();
    assert!(ok(&git(d, &["remote", "add", "origin", url])));

    let o = git(d, &["push", "-q", "origin", "feat/12-sync"]);
    assert!(ok(&o), "{}", all(&o));
    let o = git(d, &["push", "-q", "origin", "HEAD:refs/heads/main"]);
    assert!(!ok(&o), "pushed straight onto main");
    assert!(all(&o).contains("G0705"), "{}", all(&o));
    let o = git(d, &["push", "-q", "origin", "HEAD:refs/heads/My_Branch"]);
    assert!(!ok(&o));
    assert!(all(&o).contains("G0704"), "{}", all(&o));
}

#[test]
fn the_first_commit_of_a_repository_is_checked_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(ok(&git(d, &["init", "-q", "-b", "main"])));
    let o = run(d, &["hook", "install"]);
    assert!(o.status.success(), "{}", all(&o));
    common::write_files(
        d,
        &[(
            "docs/adr/0001.md",
            "---\ndoc_id: ADR-0001\ntype: adr\ntitle: T\nstatus: nonsense\nowner_role: sa\ncreated_at: 2026-01-02\n---\n# T\n",
        )],
    );
    assert!(ok(&git(d, &["add", "-A"])));
    let o = git(d, &["commit", "-m", "First (#1)"]);
    assert!(!ok(&o));
    assert!(all(&o).contains("G0205"), "{}", all(&o));
    let fixed = "---\ndoc_id: ADR-0001\ntype: adr\ntitle: T\nstatus: draft\nowner_role: sa\ncreated_at: 2026-01-02\n---\n# T\n";
    std::fs::write(d.join("docs/adr/0001.md"), fixed).unwrap();
    assert!(ok(&git(d, &["add", "-A"])));
    let o = git(d, &["commit", "-m", "First (#1)"]);
    assert!(ok(&o), "the first commit onto main is allowed: {}", all(&o));
}

#[test]
fn install_honours_core_hooks_path_and_never_clobbers() {
    let dir = repo();
    let d = dir.path();
    assert!(ok(&git(d, &["config", "core.hooksPath", ".githooks"])));
    std::fs::create_dir_all(d.join(".githooks")).unwrap();
    std::fs::write(d.join(".githooks/pre-commit"), "#!/bin/sh\nexit 0\n").unwrap();
    let o = run(d, &["hook", "install"]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    assert!(stdout(&o).contains("--chain"), "{}", all(&o));
    assert_eq!(
        std::fs::read_to_string(d.join(".githooks/pre-commit")).unwrap(),
        "#!/bin/sh\nexit 0\n"
    );
    assert!(d.join(".githooks/commit-msg").is_file());
    let o = run(d, &["hook", "install", "--chain", "--format", "json"]);
    assert!(o.status.success(), "{}", all(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["hooks"][0]["action"], "chained");
    assert!(d.join(".githooks/pre-commit.local").is_file());
    let o = run(d, &["hook", "uninstall"]);
    assert!(o.status.success());
    assert_eq!(
        std::fs::read_to_string(d.join(".githooks/pre-commit")).unwrap(),
        "#!/bin/sh\nexit 0\n"
    );
}

#[test]
fn outside_a_repository_or_in_a_bare_one_the_hook_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["hook", "run", "pre-commit"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("git repository"), "{}", stderr(&o));
    let bare = tempfile::tempdir().unwrap();
    assert!(ok(&git(bare.path(), &["init", "-q", "--bare"])));
    let o = run(bare.path(), &["policy", "check", "--staged"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(stderr(&o).contains("bare"), "{}", stderr(&o));
}

#[test]
fn policy_check_json_lists_staged_findings() {
    let dir = repo();
    let d = dir.path();
    let text = std::fs::read_to_string(d.join(ADR)).unwrap();
    std::fs::write(
        d.join(ADR),
        text.replace("status: accepted", "status: done-ish"),
    )
    .unwrap();
    assert!(ok(&git(d, &["add", ADR])));
    let o = run(d, &["policy", "check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(diags.iter().all(|d| d["path"] == ADR), "{diags:?}");
    assert!(diags.iter().any(|d| d["code"] == "G0205"));
    // Twice: the second run answers from the cache, with the same findings.
    let again = run(d, &["policy", "check", "--format", "json"]);
    assert_eq!(again.stdout, o.stdout);
    assert!(d.join(".genie/cache/meta.bin").is_file());
    assert!(
        stdout(&git(d, &["status", "--porcelain", "--", ".genie"])).is_empty(),
        "the cache shows up in git status"
    );
}

#[test]
fn binary_and_huge_staged_files_are_not_scanned_and_say_so() {
    let dir = repo();
    let d = dir.path();
    common::write_files(d, &[("genie.toml", "[policy]\nmax_scan_bytes = 1000\n")]);
    let key = format!("AKIA{}", "Q7W3RT5YU8IOP2MZ");
    std::fs::write(
        d.join("blob.bin"),
        [b"PNG\0\x01 ".as_slice(), key.as_bytes()].concat(),
    )
    .unwrap();
    std::fs::write(d.join("big.txt"), format!("{key}\n{}", "x".repeat(2000))).unwrap();
    assert!(ok(&git(d, &["add", "blob.bin", "big.txt", "genie.toml"])));
    let o = run(d, &["policy", "check", "--staged"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert!(
        stderr(&o).contains("big.txt") && stderr(&o).contains("max_scan_bytes"),
        "{}",
        all(&o)
    );
}

#[test]
fn a_malformed_policy_configuration_is_a_clear_error() {
    let dir = repo();
    let d = dir.path();
    common::write_files(
        d,
        &[("genie.toml", "[policy]\nbranch_patterns = ['(unclosed']\n")],
    );
    let o = run(d, &["hook", "run", "pre-commit"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(
        stderr(&o).contains("genie.toml") && stderr(&o).contains("branch_patterns"),
        "{}",
        stderr(&o)
    );
    common::write_files(d, &[("genie.toml", "[policy]\nprotected_branchez = []\n")]);
    let o = run(d, &["policy", "check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("protected_branches"),
        "did you mean: {}",
        stderr(&o)
    );
}

#[test]
fn during_a_merge_the_result_is_checked_and_nothing_is_touched() {
    let dir = repo();
    let d = dir.path();
    assert!(ok(&git(d, &["checkout", "-q", "-b", "feat/13-other"])));
    std::fs::write(d.join("notes.txt"), "theirs\n").unwrap();
    assert!(ok(&git(d, &["add", "notes.txt"])));
    assert!(ok(&git(d, &["commit", "-q", "-m", "Theirs (#13)"])));
    assert!(ok(&git(d, &["checkout", "-q", "feat/12-sync"])));
    std::fs::write(d.join("notes.txt"), "ours\n").unwrap();
    assert!(ok(&git(d, &["add", "notes.txt"])));
    assert!(ok(&git(d, &["commit", "-q", "-m", "Ours (#12)"])));
    let o = git(d, &["merge", "-q", "feat/13-other"]);
    assert!(!ok(&o), "the merge conflicts");
    let o = run(d, &["policy", "check", "--staged"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert!(
        stderr(&o).contains("notes.txt") && stderr(&o).contains("unmerged"),
        "{}",
        all(&o)
    );
    std::fs::write(d.join("notes.txt"), "both\n").unwrap();
    assert!(ok(&git(d, &["add", "notes.txt"])));
    let before = std::fs::read(d.join("notes.txt")).unwrap();
    let o = git(d, &["commit", "-q", "--no-edit"]);
    assert!(ok(&o), "{}", all(&o));
    assert_eq!(std::fs::read(d.join("notes.txt")).unwrap(), before);
}
