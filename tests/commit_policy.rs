//! Commit-message and push rules over what real git writes: the message file of
//! `git commit --verbose` (comments, scissors line, diff), with another
//! core.commentChar, and the standard input git gives a pre-push hook.

use std::path::{Path, PathBuf};
use std::process::Command;

use genie::check::Sink;
use genie::check::rules::Levels;
use genie::config::Config;
use genie::policy::commit::{CommitPolicy, parse_push};
use genie::report::Diagnostic;

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    let o = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .args([
            "-c",
            "user.name=Irina Petrova",
            "-c",
            "user.email=irina@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn write_script(path: &Path, body: &str) {
    std::fs::write(path, body).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A repository with one staged file whose content mentions an issue, so that a
/// diff below the scissors line would satisfy the rule if it were read.
fn repo_with_staged_change() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    std::fs::write(dir.path().join("notes.txt"), "Closes #12\nSee (#12)\n").unwrap();
    git(dir.path(), &["add", "notes.txt"]);
    dir
}

/// Commit with an "editor" that puts `subject` on top of git's template and keeps
/// a copy of the message file as git handed it to the commit-msg stage.
fn commit_capturing(dir: &Path, extra: &[&str], subject: &str) -> String {
    let capture = dir.join("captured-msg");
    let editor = dir.join("editor.sh");
    write_script(
        &editor,
        &format!(
            "#!/bin/sh\n{{ printf '%s\\n' '{subject}'; cat \"$1\"; }} > \"$1.new\" && mv \"$1.new\" \"$1\" && cp \"$1\" '{}'\n",
            capture.display()
        ),
    );
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(["commit", "-q", "--verbose"]);
    let o = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_EDITOR", &editor)
        .args([
            "-c",
            "user.name=Irina Petrova",
            "-c",
            "user.email=irina@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(&args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(capture).unwrap()
}

fn check(config: &Config, f: impl FnOnce(&CommitPolicy, &mut Sink)) -> Vec<Diagnostic> {
    let levels = Levels::new(config);
    let policy = CommitPolicy::new(&config.policy).unwrap();
    let mut sink = Sink::new(&levels);
    f(&policy, &mut sink);
    sink.into_vec()
}

fn codes(d: &[Diagnostic]) -> Vec<(&str, u32)> {
    d.iter().map(|d| (d.code, d.line)).collect()
}

#[test]
fn verbose_commit_message_from_git() {
    let repo = repo_with_staged_change();
    let text = commit_capturing(repo.path(), &[], "Export users to CSV");
    assert!(
        text.contains(">8"),
        "git wrote a scissors line and the diff:\n{text}"
    );
    assert!(text.contains("+Closes #12"), "{text}");
    let config = Config::builtin();
    let d = check(&config, |p, s| {
        p.check_message(".git/COMMIT_EDITMSG", &text, '#', s)
    });
    // The issue is only mentioned in the diff below the scissors line.
    assert_eq!(codes(&d), [("G0702", 1)]);
    assert_eq!(d[0].path, ".git/COMMIT_EDITMSG");
}

#[test]
fn verbose_commit_with_a_reference_passes() {
    let repo = repo_with_staged_change();
    let text = commit_capturing(repo.path(), &[], "Export users to CSV (#12)");
    let d = check(&Config::builtin(), |p, s| {
        p.check_message("M", &text, '#', s)
    });
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn another_comment_char() {
    let repo = repo_with_staged_change();
    let text = commit_capturing(
        repo.path(),
        &["-c", "core.commentChar=;"],
        "Export users to CSV",
    );
    assert!(text.contains("\n; "), "git used `;` for comments:\n{text}");
    let d = check(&Config::builtin(), |p, s| {
        p.check_message("M", &text, ';', s)
    });
    assert_eq!(codes(&d), [("G0702", 1)]);
}

#[test]
fn configured_patterns_and_conventional_commits() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("genie.toml");
    std::fs::write(
        &toml,
        "[rules]\nconventional-commit = \"warning\"\n\n[policy]\nissue_patterns = ['\\bLARDER-\\d+\\b']\n",
    )
    .unwrap();
    let config = Config::load(&toml).unwrap();
    let d = check(&config, |p, s| {
        p.check_message("M", "feat: export users\n\nLARDER-12\n", '#', s)
    });
    assert!(d.is_empty(), "{d:?}");
    let d = check(&config, |p, s| {
        p.check_message("M", "Added CSV export (#12)\r\n", '#', s)
    });
    assert_eq!(codes(&d), [("G0702", 1), ("G0703", 1)]);
    let conv = d.iter().find(|d| d.code == "G0703").unwrap();
    assert_eq!(conv.level.as_str(), "warning");
    assert!(conv.message.contains("`Added`"), "{}", conv.message);
    assert!(
        conv.help.contains("feat: added CSV export (#12)"),
        "{}",
        conv.help
    );
}

#[test]
fn invalid_pattern_is_a_configuration_error() {
    // genie.toml is refused when it is loaded, with the line...
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("genie.toml");
    std::fs::write(&toml, "[policy]\nbranch_patterns = ['(feat']\n").unwrap();
    let e = Config::load(&toml).unwrap_err();
    assert_eq!(e.line, Some(2), "{e:?}");
    // ...and a configuration built in code is refused by CommitPolicy::new.
    let mut config = Config::builtin();
    config.policy.branch_patterns = vec!["(feat".into()];
    let e = CommitPolicy::new(&config.policy).unwrap_err();
    assert!(
        e.message.contains("policy.branch_patterns[0]") && e.message.contains("(feat"),
        "{}",
        e.message
    );
}

/// Push `refspecs` to a bare remote with a pre-push hook that keeps its input.
fn push_capturing(dir: &Path, remote: &Path, refspecs: &[&str]) -> String {
    let capture = dir.join("captured-push");
    write_script(
        &dir.join(".git/hooks/pre-push"),
        &format!("#!/bin/sh\ncat > '{}'\n", capture.display()),
    );
    let mut args = vec!["push", "-q", remote.to_str().unwrap()];
    args.extend_from_slice(refspecs);
    git(dir, &args);
    std::fs::read_to_string(capture).unwrap()
}

fn line_of(stdin: &str, needle: &str) -> u32 {
    stdin
        .lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u32 + 1)
        .unwrap_or_else(|| panic!("`{needle}` not in:\n{stdin}"))
}

#[test]
fn pre_push_input_from_git() {
    let repo = repo_with_staged_change();
    let dir = repo.path();
    git(dir, &["commit", "-q", "-m", "Notes (#12)"]);
    git(dir, &["tag", "v1"]);
    let remote: PathBuf = dir.join("remote.git");
    git(dir, &["init", "-q", "--bare", remote.to_str().unwrap()]);
    // A branch to delete later, pushed before the hook exists.
    git(
        dir,
        &[
            "push",
            "-q",
            remote.to_str().unwrap(),
            "HEAD:refs/heads/feat/old",
        ],
    );
    let stdin = push_capturing(
        dir,
        &remote,
        &[
            "HEAD:refs/heads/main",
            "HEAD:refs/heads/oops",
            "HEAD:refs/heads/feat/export",
            "refs/tags/v1",
            ":refs/heads/feat/old",
        ],
    );
    assert_eq!(stdin.lines().count(), 5, "{stdin}");
    let parsed = parse_push(&stdin);
    assert!(parsed.notes.is_empty(), "{:?}", parsed.notes);
    assert!(parsed.refs.iter().any(|r| r.is_deletion()), "{stdin}");

    let config = Config::builtin();
    let mut d = check(&config, |p, s| p.check_push("(pre-push)", &stdin, s));
    d.sort_by_key(|d| d.line);
    let mut expected = vec![
        ("G0705", line_of(&stdin, "refs/heads/main")),
        ("G0704", line_of(&stdin, "refs/heads/oops")),
    ];
    expected.sort_by_key(|e| e.1);
    assert_eq!(codes(&d), expected, "{stdin}");
    for diag in &d {
        assert_eq!(diag.path, "(pre-push)");
        // The column points at the remote ref.
        let line = stdin.lines().nth(diag.line as usize - 1).unwrap();
        let col = diag.column as usize - 1;
        assert!(line[col..].starts_with("refs/heads/"), "{line} @ {col}");
    }
}

#[test]
fn protected_branch_globs_from_genie_toml() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("genie.toml");
    std::fs::write(
        &toml,
        "[policy]\nprotected_branches = [\"main\", \"release/*\"]\n",
    )
    .unwrap();
    let config = Config::load(&toml).unwrap();
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let zero = "0000000000000000000000000000000000000000";
    let stdin = format!(
        "refs/heads/release/1.2 {sha} refs/heads/release/1.2 {zero}\nrefs/heads/feat/x {sha} refs/heads/feat/x {zero}\n"
    );
    let d = check(&config, |p, s| p.check_push("push", &stdin, s));
    // release/1.2 is protected and (with the default patterns) a fine name.
    assert_eq!(codes(&d), [("G0705", 1)]);
    assert!(d[0].message.contains("`release/1.2`"), "{}", d[0].message);
}
