//! `genie run`: task files, scheduling in git worktrees, records, lock, resume,
//! clean. Stand-in agents are small shell commands; a scratch folder outside the
//! repository (`$SCRATCH`) is where they leave evidence. Tests assert states and
//! orders, never durations.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ann")
        .env("GIT_AUTHOR_EMAIL", "ann@example.com")
        .env("GIT_COMMITTER_NAME", "Ann")
        .env("GIT_COMMITTER_EMAIL", "ann@example.com")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .output()
        .expect("git runs")
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let o = git(dir, args);
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
    stdout(&o)
}

fn all(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// A repository on `main` with one commit: a few files, a design document for
/// issue 12 and its DocSet, and a prompt file.
struct Repo {
    dir: tempfile::TempDir,
    scratch: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert!(git(d, &["init", "-q", "-b", "main"]).status.success());
        write_files(
            d,
            &[
                ("README.md", "# Test repository\n"),
                ("src/lib.txt", "code\n"),
                (
                    "prompts/schema.md",
                    "Write the schema for the sync service.\n",
                ),
            ],
        );
        let o = genie(d)
            .args(["new", "design-doc", "Sync design", "--issue", "12"])
            .env("GENIE_TODAY", "2026-01-05")
            .env("GENIE_AUTHOR", "Ann")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", all(&o));
        git_ok(d, &["add", "-A"]);
        git_ok(d, &["commit", "-q", "-m", "Start (#12)"]);
        let o = genie(d).arg("check").output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "clean before the run: {}",
            all(&o)
        );
        Repo {
            dir,
            scratch: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn scratch(&self) -> &Path {
        self.scratch.path()
    }

    fn write(&self, rel: &str, text: &str) {
        write_files(self.path(), &[(rel, text)]);
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = genie(self.path());
        c.args(args)
            .env("GENIE_RUN_BACKOFF_MS", "10")
            .env("SCRATCH", self.scratch())
            .env("GIT_AUTHOR_NAME", "Ann")
            .env("GIT_AUTHOR_EMAIL", "ann@example.com")
            .env("GIT_COMMITTER_NAME", "Ann")
            .env("GIT_COMMITTER_EMAIL", "ann@example.com")
            .stdin(Stdio::null());
        c
    }

    fn genie(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("genie runs")
    }

    /// The only run's id.
    fn run_id(&self) -> String {
        let ids = self.run_ids();
        assert_eq!(ids.len(), 1, "{ids:?}");
        ids[0].clone()
    }

    fn run_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = std::fs::read_dir(self.path().join(".genie/runs"))
            .map(|d| {
                d.flatten()
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids
    }

    fn run_dir(&self, id: &str) -> PathBuf {
        self.path().join(".genie/runs").join(id)
    }

    fn state(&self, id: &str) -> Value {
        let text = std::fs::read_to_string(self.run_dir(id).join("state.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn events(&self, id: &str) -> Vec<Value> {
        std::fs::read_to_string(self.run_dir(id).join("events.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

fn task<'a>(state: &'a Value, name: &str) -> &'a Value {
    state["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no task {name} in {state}"))
}

fn status(state: &Value, name: &str) -> String {
    task(state, name)["status"].as_str().unwrap().to_string()
}

fn wait_for(path: &Path, limit: Duration) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if path.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

// ---------------------------------------------------------------------------

#[test]
fn task_file_errors_stop_everything_and_name_the_line() {
    let r = Repo::new();
    let cases = [
        (
            "tasks:\n  - {name: a, command: x, depends_on: [b]}\n  - {name: b, command: x, depends_on: [a]}\n",
            "tasks.yaml:2:",
            "dependency cycle: a → b → a",
        ),
        (
            "tasks:\n  - name: a\n    command: x\n    depends_on: [nope]\n",
            "tasks.yaml:4:",
            "depends on `nope`, which is not a task",
        ),
        (
            "tasks:\n  - name: a\n    command: x\n  - name: a\n    command: y\n",
            "tasks.yaml:4:",
            "duplicate task name `a` (first at line 2)",
        ),
        (
            "tasks:\n  - name: a/b\n    command: x\n",
            "tasks.yaml:2:",
            "`a/b` is not a valid task name",
        ),
        (
            "tasks:\n  - name: a\n    command: x\n    retires: 1\n",
            "tasks.yaml:4:5:",
            "unknown key `retires` in a task (did you mean `retries`?)",
        ),
        (
            "run:\n  jobs: 2\n  tmeout: 5\ntasks:\n  - name: a\n    command: x\n",
            "tasks.yaml:3:3:",
            "unknown key `tmeout` in `run`",
        ),
        (
            "tasks:\n  - name: a\n    command: x\n    timeout: later\n",
            "tasks.yaml:4:",
            "`later` is not a duration",
        ),
        (
            "tasks:\n  - name: a\n    command: x\n  - name: b\n    command: y\n    worktree_from: a\n",
            "tasks.yaml:6:",
            "must depend on `a`",
        ),
    ];
    for (text, at, message) in cases {
        r.write("tasks.yaml", text);
        let o = r.genie(&["run", "tasks.yaml"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{text}\n{err}");
        assert!(err.contains(at), "want {at} in:\n{err}");
        assert!(err.contains(message), "want {message} in:\n{err}");
        assert!(err.contains("nothing was run"), "{err}");
    }
    assert!(!r.path().join(".genie").exists(), "nothing may start");
}

#[test]
fn a_run_orders_tasks_skips_dependents_and_writes_its_records() {
    let r = Repo::new();
    r.write(
        "tasks.yaml",
        r#"run:
  jobs: 2
  context_budget: 300
tasks:
  - name: schema
    issue: 12
    prompt: prompts/schema.md
    command: |
      printf 'create table t (id int);\n' > schema.sql
      env | grep '^GENIE_' | sort > "$SCRATCH/schema.env"
      cp "$GENIE_PROMPT_FILE" "$SCRATCH/schema.prompt"
      printf '{"result": "Wrote schema.sql.", "usage": {"input_tokens": 1200, "output_tokens": 340}}' > "$GENIE_OUTPUT_FILE"
  - name: api
    prompt: Draft the API.
    command: echo api > api.txt; echo "api done"
  - name: review
    depends_on: [schema, api]
    worktree_from: schema
    command: test -f schema.sql && test ! -f api.txt && cp "$GENIE_PROMPT_FILE" "$SCRATCH/review.prompt"
  - name: broken
    command: echo about to fail; exit 3
  - name: after-broken
    depends_on: broken
    command: touch "$SCRATCH/after-broken-ran"
  - name: missing
    command: genie-no-such-agent --flag
  - name: unreviewed
    command: "true"
    handoff: true
"#,
    );
    let o = r.genie(&["run", "tasks.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    let id = r.run_id();
    let st = r.state(&id);
    assert_eq!(st["status"], "failed");
    for (name, want) in [
        ("schema", "ok"),
        ("api", "ok"),
        ("review", "ok"),
        ("broken", "failed"),
        ("after-broken", "skipped"),
        ("missing", "failed"),
        ("unreviewed", "failed"),
    ] {
        assert_eq!(status(&st, name), want, "{name}: {}", task(&st, name));
    }
    assert_eq!(task(&st, "broken")["exit_code"], 3);
    assert_eq!(task(&st, "missing")["exit_code"], 127);
    assert!(
        task(&st, "unreviewed")["reason"]
            .as_str()
            .unwrap()
            .starts_with("handoff"),
        "{}",
        task(&st, "unreviewed")
    );
    assert!(
        task(&st, "after-broken")["reason"]
            .as_str()
            .unwrap()
            .contains("`broken`")
    );
    assert!(!r.scratch().join("after-broken-ran").exists());

    // The environment of the command.
    let env = std::fs::read_to_string(r.scratch().join("schema.env")).unwrap();
    let root = std::fs::canonicalize(r.path()).unwrap();
    let wt = root.join(format!(".genie/worktrees/{id}/schema"));
    for want in [
        format!("GENIE_RUN_ID={id}"),
        "GENIE_TASK=schema".to_string(),
        format!("GENIE_WORKTREE={}", wt.display()),
        format!(
            "GENIE_PROMPT_FILE={}",
            root.join(format!(".genie/runs/{id}/schema.prompt.md"))
                .display()
        ),
        format!(
            "GENIE_OUTPUT_FILE={}",
            root.join(format!(".genie/runs/{id}/schema.output"))
                .display()
        ),
        "GENIE_ISSUE=12".to_string(),
    ] {
        assert!(env.lines().any(|l| l == want), "want {want} in\n{env}");
    }
    // The prompts: the task's own, then the previous steps.
    let prompt = std::fs::read_to_string(r.scratch().join("schema.prompt")).unwrap();
    assert!(
        prompt.starts_with("Write the schema for the sync service."),
        "{prompt}"
    );
    let review = std::fs::read_to_string(r.scratch().join("review.prompt")).unwrap();
    assert!(review.contains("## Previous steps"), "{review}");
    assert!(review.contains("### schema (ok)"), "{review}");
    assert!(review.contains("A `schema.sql`"), "{review}");
    assert!(review.contains("api done"), "{review}");

    // Commits on the task branches; what changed, what the agent reported.
    let sql = git_ok(
        r.path(),
        &["show", &format!("genie/{id}/schema:schema.sql")],
    );
    assert_eq!(sql, "create table t (id int);\n");
    let schema = task(&st, "schema");
    assert_eq!(schema["files_changed"][0]["path"], "schema.sql");
    assert_eq!(schema["files_changed"][0]["status"], "A");
    assert_eq!(schema["usage"]["input_tokens"], 1200);
    assert_ne!(schema["head"], schema["start_commit"]);
    assert_eq!(task(&st, "review")["start_commit"], schema["head"]);
    assert_eq!(task(&st, "review")["files_changed"], serde_json::json!([]));

    // Session records, found by genie check and linked to the issue's DocSet.
    let sessions: Vec<PathBuf> = std::fs::read_dir(r.path().join("docs/sessions"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(sessions.len(), 6, "{sessions:?}");
    let schema_session = schema["session"]["path"].as_str().unwrap();
    let text = std::fs::read_to_string(r.path().join(schema_session)).unwrap();
    assert!(text.contains("type: session"), "{text}");
    assert!(text.contains("related_issues: [12]"), "{text}");
    assert!(text.contains("Wrote schema.sql."), "{text}");
    assert!(text.contains("input 1200, output 340"), "{text}");
    assert!(text.contains(&format!("`genie/{id}/schema`")), "{text}");
    let review_session = std::fs::read_to_string(
        r.path()
            .join(task(&st, "review")["session"]["path"].as_str().unwrap()),
    )
    .unwrap();
    let schema_id = schema["session"]["doc_id"].as_str().unwrap();
    let api_id = task(&st, "api")["session"]["doc_id"].as_str().unwrap();
    assert!(
        review_session.contains(&format!("related_docs: [{schema_id}, {api_id}]")),
        "{review_session}"
    );
    let docset =
        std::fs::read_to_string(r.path().join("docs/_docset/issues/issue-12.yaml")).unwrap();
    assert!(docset.contains(schema_id), "{docset}");
    let o = r.genie(&["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));

    // The summary and the event log.
    let summary =
        std::fs::read_to_string(r.path().join("docs/_index/orchestrator-run-summary.md")).unwrap();
    assert!(summary.contains("generated by genie"), "{summary}");
    for name in [
        "schema",
        "api",
        "review",
        "broken",
        "after-broken",
        "missing",
    ] {
        assert!(summary.contains(&format!("| `{name}` |")), "{summary}");
    }
    assert!(
        summary.contains("7 tasks: 3 ok, 3 failed, 0 timed out, 1 skipped"),
        "{summary}"
    );
    let events = r.events(&id);
    assert_eq!(events[0]["event"], "run-started");
    assert_eq!(events.last().unwrap()["event"], "run-finished");
    assert_eq!(events.last().unwrap()["status"], "failed");
    let kinds = |task: &str| -> Vec<String> {
        events
            .iter()
            .filter(|e| e["task"] == task)
            .map(|e| e["event"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds("after-broken"), ["task-skipped"]);
    assert_eq!(kinds("schema"), ["task-started", "task-finished"]);
    let pos = |task: &str, kind: &str| {
        events
            .iter()
            .position(|e| e["task"] == task && e["event"] == kind)
            .unwrap()
    };
    assert!(pos("schema", "task-finished") < pos("review", "task-started"));
    assert!(pos("api", "task-finished") < pos("review", "task-started"));
    for e in &events {
        assert!(e["time"].as_str().unwrap().ends_with('Z'), "{e}");
    }

    // The main worktree: only the records changed.
    let changed = git_ok(
        r.path(),
        &["status", "--porcelain", "--untracked-files=all"],
    );
    for line in changed.lines() {
        let path = &line[3..];
        assert!(
            path.starts_with("docs/sessions/")
                || path == "docs/_index/orchestrator-run-summary.md"
                || path == "docs/_docset/issues/issue-12.yaml"
                || path == "tasks.yaml",
            "unexpected change in the main worktree: {line}"
        );
    }
}

/// Tasks append `start NAME` and `end NAME` lines to one file; the most tasks
/// between a start and its end is the concurrency genie allowed.
fn most_at_once(log: &str) -> usize {
    let (mut now, mut most) = (0usize, 0usize);
    for line in log.lines() {
        if line.starts_with("start ") {
            now += 1;
            most = most.max(now);
        } else if line.starts_with("end ") {
            now -= 1;
        }
    }
    most
}

#[test]
fn jobs_limit_how_many_tasks_run_at_once() {
    let r = Repo::new();
    let slot = |name: &str| {
        format!(
            "  - name: {name}\n    command: echo \"start {name}\" >> \"$SCRATCH/log\"; sleep 0.3; echo \"end {name}\" >> \"$SCRATCH/log\"\n"
        )
    };
    let mut text = "run:\n  context_budget: 0\ntasks:\n".to_string();
    for n in ["s1", "s2", "s3"] {
        text.push_str(&slot(n));
    }
    r.write("one.yaml", &text);
    let o = r.genie(&["run", "one.yaml", "--jobs", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let log = std::fs::read_to_string(r.scratch().join("log")).unwrap();
    assert_eq!(most_at_once(&log), 1, "{log}");
    assert_eq!(log.lines().count(), 6);

    // Two tasks that each wait for the other to have started: they can only
    // both succeed when they run together.
    std::fs::remove_file(r.scratch().join("log")).unwrap();
    let meet = |me: &str, other: &str| {
        format!(
            "  - name: {me}\n    command: echo \"start {me}\" >> \"$SCRATCH/log\"; touch \"$SCRATCH/{me}.here\"; i=0; while [ ! -f \"$SCRATCH/{other}.here\" ]; do i=$((i+1)); [ $i -gt 600 ] && exit 1; sleep 0.05; done; echo \"end {me}\" >> \"$SCRATCH/log\"\n"
        )
    };
    let mut text = "run:\n  jobs: 1\n  context_budget: 0\ntasks:\n".to_string();
    text.push_str(&meet("x", "y"));
    text.push_str(&meet("y", "x"));
    for n in ["s4", "s5"] {
        text.push_str(&slot(n));
    }
    r.write("two.yaml", &text);
    let o = r.genie(&["run", "two.yaml", "--jobs", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let log = std::fs::read_to_string(r.scratch().join("log")).unwrap();
    assert_eq!(most_at_once(&log), 2, "{log}");
}

fn gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // A zombie waiting for a reaper is dead too.
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn a_task_past_its_timeout_is_killed_with_its_group_and_recorded_as_124() {
    let r = Repo::new();
    r.write(
        "tasks.yaml",
        r#"run:
  grace: 1
  context_budget: 0
tasks:
  - name: stuck
    timeout: 1s
    command: |
      trap '' TERM
      sh -c 'trap "" TERM; echo $$ > "$SCRATCH/child.pid"; while :; do sleep 1; done' &
      wait
  - name: after
    depends_on: [stuck]
    command: "true"
"#,
    );
    let o = r.genie(&["run", "tasks.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    let id = r.run_id();
    let st = r.state(&id);
    assert_eq!(status(&st, "stuck"), "timed-out");
    assert_eq!(task(&st, "stuck")["exit_code"], 124);
    assert_eq!(status(&st, "after"), "skipped");
    let events = r.events(&id);
    assert!(
        events.iter().any(|e| e["event"] == "task-timed-out"
            && e["task"] == "stuck"
            && e["exit_code"] == 124)
    );
    let pid: i32 = std::fs::read_to_string(r.scratch().join("child.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let end = Instant::now() + Duration::from_secs(10);
    while !gone(pid) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        gone(pid),
        "the child that ignores SIGTERM outlived its task"
    );
}

#[test]
fn a_failed_attempt_is_retried_from_a_clean_worktree() {
    let r = Repo::new();
    r.write(
        "tasks.yaml",
        r#"run:
  context_budget: 0
tasks:
  - name: flaky
    retries: 3
    command: |
      n=$(cat "$SCRATCH/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$SCRATCH/count"
      if [ "$n" -eq 1 ]; then touch junk.txt; exit 1; fi
      test ! -f junk.txt && echo "attempt $n" > result.txt
"#,
    );
    let o = r.genie(&["run", "tasks.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let id = r.run_id();
    let st = r.state(&id);
    assert_eq!(status(&st, "flaky"), "ok");
    assert_eq!(task(&st, "flaky")["attempts"], 2);
    assert_eq!(
        std::fs::read_to_string(r.scratch().join("count")).unwrap(),
        "2\n"
    );
    let events = r.events(&id);
    let retried: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "task-retried")
        .collect();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0]["attempt"], 2);
    assert_eq!(retried[0]["exit_code"], 1);
    let files = &task(&st, "flaky")["files_changed"];
    assert_eq!(files.as_array().unwrap().len(), 1, "{files}");
    assert_eq!(files[0]["path"], "result.txt");
}

#[test]
fn a_held_lock_refuses_a_second_run_and_wait_blocks_until_it_is_free() {
    let r = Repo::new();
    r.write("tasks.yaml", "tasks:\n  - {name: a, command: \"true\"}\n");
    std::fs::create_dir_all(r.path().join(".genie")).unwrap();
    let mut lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(r.path().join(".genie/run.lock"))
        .unwrap();
    lock.lock().unwrap();
    use std::io::Write;
    write!(lock, "run 20260101-000000-abcd\npid 4242\n").unwrap();
    let o = r.genie(&["run", "tasks.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(
        stderr(&o).contains(
            "another genie run (run 20260101-000000-abcd, pid 4242) holds .genie/run.lock"
        ),
        "{}",
        stderr(&o)
    );
    assert!(r.run_ids().is_empty());
    let o = r.genie(&["run", "tasks.yaml", "--wait", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    let o = r.genie(&["run", "wait", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));

    // `genie run wait` returns once the holder lets go.
    let mut waiter = r.cmd(&["run", "wait"]).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        waiter.try_wait().unwrap().is_none(),
        "wait returned while the lock was held"
    );
    drop(lock);
    assert_eq!(waiter.wait().unwrap().code(), Some(0));
    let o = r.genie(&["run", "tasks.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
}

#[test]
fn a_killed_run_resumes_only_its_unfinished_tasks() {
    let r = Repo::new();
    r.write(
        "tasks.yaml",
        r#"run:
  jobs: 2
  grace: 1
  context_budget: 0
tasks:
  - name: first
    command: echo ran >> "$SCRATCH/first.count"; echo first > first.txt
  - name: slow-a
    depends_on: [first]
    command: if [ -f "$SCRATCH/resumed" ]; then echo done > a.txt; else touch "$SCRATCH/a.started"; exec sleep 60; fi
  - name: slow-b
    depends_on: [first]
    worktree_from: first
    command: if [ -f "$SCRATCH/resumed" ]; then test -f first.txt; else touch "$SCRATCH/b.started"; exec sleep 60; fi
  - name: last
    depends_on: [slow-a, slow-b]
    command: echo ran >> "$SCRATCH/last.count"
"#,
    );
    let mut child = r
        .cmd(&["run", "tasks.yaml"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = wait_for(&r.scratch().join("a.started"), Duration::from_secs(60))
        && wait_for(&r.scratch().join("b.started"), Duration::from_secs(60));
    if !started {
        let _ = child.kill();
        panic!("the slow tasks did not start");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let id = r.run_id();
    let st = r.state(&id);
    assert_eq!(st["status"], "running");
    assert_eq!(status(&st, "first"), "ok");
    assert_eq!(status(&st, "slow-a"), "running");
    assert_eq!(status(&st, "last"), "waiting");
    let o = r.genie(&["run", "list", "--format", "json"]);
    let runs: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(runs[0]["run"], id.as_str());
    assert_eq!(runs[0]["status"], "interrupted");

    // What a crash leaves: slow-a's worktree with uncommitted changes; slow-b's
    // folder no longer registered with git.
    let wt = r.path().join(".genie/worktrees").join(&id);
    std::fs::write(wt.join("slow-a/partial.txt"), "half done\n").unwrap();
    let common = git_ok(r.path(), &["rev-parse", "--git-common-dir"]);
    let admin = r.path().join(common.trim()).join("worktrees/slow-b");
    assert!(admin.is_dir(), "{}", admin.display());
    std::fs::remove_dir_all(&admin).unwrap();
    assert!(wt.join("slow-b/first.txt").is_file());

    std::fs::write(r.scratch().join("resumed"), "").unwrap();
    let o = r.genie(&["run", "--resume", &id]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let st = r.state(&id);
    assert_eq!(st["status"], "ok");
    assert_eq!(st["resumed"], 1);
    for name in ["first", "slow-a", "slow-b", "last"] {
        assert_eq!(status(&st, name), "ok", "{name}");
    }
    let count = |f: &str| {
        std::fs::read_to_string(r.scratch().join(f))
            .unwrap()
            .lines()
            .count()
    };
    assert_eq!(count("first.count"), 1, "first must not run again");
    assert_eq!(task(&st, "first")["attempts"], 1);
    assert_eq!(
        task(&st, "slow-a")["attempts"],
        2,
        "the killed attempt counts"
    );
    assert_eq!(count("last.count"), 1);
    let patches: Vec<String> = std::fs::read_dir(r.run_dir(&id))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("slow-a.interrupted-") && n.ends_with(".patch"))
        .collect();
    assert_eq!(patches.len(), 1, "{patches:?}");
    let patch = std::fs::read_to_string(r.run_dir(&id).join(&patches[0])).unwrap();
    assert!(patch.contains("partial.txt"), "{patch}");
    let a = git_ok(r.path(), &["show", &format!("genie/{id}/slow-a:a.txt")]);
    assert_eq!(a, "done\n");
    let ls = git_ok(
        r.path(),
        &["ls-tree", "--name-only", &format!("genie/{id}/slow-a")],
    );
    assert!(!ls.contains("partial.txt"), "{ls}");
    let starts = r
        .events(&id)
        .iter()
        .filter(|e| e["event"] == "run-started")
        .count();
    assert_eq!(starts, 2);
}

#[test]
fn resume_fails_a_task_whose_branch_is_checked_out_elsewhere_then_reuses_it() {
    let r = Repo::new();
    r.write(
        "tasks.yaml",
        "run: {context_budget: 0}\ntasks:\n  - {name: t, command: 'test -f \"$SCRATCH/fixed\"'}\n",
    );
    let o = r.genie(&["run", "tasks.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    let id = r.run_id();
    std::fs::write(r.scratch().join("fixed"), "").unwrap();
    let elsewhere = r.scratch().join("moved");
    let from = format!(".genie/worktrees/{id}/t");
    git_ok(
        r.path(),
        &["worktree", "move", &from, elsewhere.to_str().unwrap()],
    );
    let o = r.genie(&["run", "--resume", &id]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    let st = r.state(&id);
    assert_eq!(status(&st, "t"), "failed");
    let reason = task(&st, "t")["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("is checked out at"), "{reason}");
    git_ok(
        r.path(),
        &["worktree", "remove", elsewhere.to_str().unwrap()],
    );
    let o = r.genie(&["run", "--resume", &id]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert_eq!(status(&r.state(&id), "t"), "ok");
    assert_eq!(task(&r.state(&id), "t")["attempts"], 2);
}

#[test]
fn clean_removes_finished_runs_and_keeps_uncommitted_work() {
    let r = Repo::new();
    r.write(
        "tasks.yaml",
        "run: {context_budget: 0}\ntasks:\n  - {name: changes, command: 'echo x > new.txt'}\n  - {name: nochange, command: 'true'}\n  - {name: dirty, command: 'true'}\n",
    );
    let o = r.genie(&["run", "tasks.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let id = r.run_id();
    let wt = r.path().join(".genie/worktrees").join(&id);
    std::fs::write(wt.join("dirty/wip.txt"), "work in progress\n").unwrap();
    let before = git_ok(r.path(), &["worktree", "list"]);

    let clean = |args: &[&str]| -> Value {
        let mut a = vec!["run", "clean", "--format", "json"];
        a.extend_from_slice(args);
        let o = r.genie(&a);
        assert_eq!(o.status.code(), Some(0), "{}", all(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let names = |v: &Value, key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{} {}",
                    i["kind"].as_str().unwrap(),
                    i["name"].as_str().unwrap()
                )
            })
            .collect()
    };
    let dry = clean(&["--dry-run"]);
    assert_eq!(
        git_ok(r.path(), &["worktree", "list"]),
        before,
        "a dry run removes nothing"
    );
    assert!(names(&dry, "removed").contains(&format!("worktree .genie/worktrees/{id}/nochange")));

    let v = clean(&[]);
    let removed = names(&v, "removed");
    let kept = names(&v, "kept");
    assert!(
        removed.contains(&format!("worktree .genie/worktrees/{id}/nochange")),
        "{v}"
    );
    assert!(
        removed.contains(&format!("worktree .genie/worktrees/{id}/changes")),
        "{v}"
    );
    assert!(
        removed.contains(&format!("branch genie/{id}/nochange")),
        "{v}"
    );
    assert!(
        kept.contains(&format!("worktree .genie/worktrees/{id}/dirty")),
        "{v}"
    );
    assert!(
        kept.contains(&format!("branch genie/{id}/changes")),
        "unmerged work is kept: {v}"
    );
    assert!(wt.join("dirty/wip.txt").is_file());
    let reason = v["kept"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "worktree")
        .unwrap()["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("uncommitted"), "{reason}");

    let v = clean(&["--force"]);
    assert!(v["kept"].as_array().unwrap().is_empty(), "{v}");
    assert!(!wt.exists());
    assert_eq!(git_ok(r.path(), &["branch", "--list", "genie/*"]), "");
    assert!(r.run_dir(&id).join("state.json").is_file(), "records stay");
    let o = r.genie(&["run", "clean"]);
    assert_eq!(stdout(&o), "nothing to clean\n");
}

#[test]
fn outside_a_git_repository_genie_run_stops_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("genie.toml", ""),
            ("tasks.yaml", "tasks:\n  - {name: a, command: \"true\"}\n"),
        ],
    );
    let o = run(dir.path(), &["run", "tasks.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(
        stderr(&o).contains("not in a git repository"),
        "{}",
        stderr(&o)
    );
    let o = run(dir.path(), &["run", "tasks.yaml", "--dry-run"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));

    let r = Repo::new();
    r.write(
        "tasks.yaml",
        "run: {base: no-such-branch}\ntasks:\n  - {name: a, command: \"true\"}\n",
    );
    let o = r.genie(&["run", "tasks.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(
        stderr(&o).contains("`no-such-branch` does not name a commit"),
        "{}",
        stderr(&o)
    );
    assert!(r.run_ids().is_empty());
}

fn listing(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn dry_run_shows_the_plan_and_touches_nothing() {
    let r = Repo::new();
    r.write(
        "tasks.yaml",
        "tasks:\n  - {name: a, command: 'echo a'}\n  - {name: b, command: 'echo b', depends_on: [a], worktree_from: a}\n  - {name: c, command: 'echo c'}\n",
    );
    let before = listing(r.path());
    let refs = git_ok(r.path(), &["for-each-ref"]);
    let o = r.genie(&["run", "tasks.yaml", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let out = stdout(&o);
    assert!(out.contains("3 tasks in 2 levels"), "{out}");
    assert!(out.contains("branch:   genie/<run>/b"), "{out}");
    assert!(
        out.contains("worktree: .genie/worktrees/<run>/b (from branch of a)"),
        "{out}"
    );
    assert!(out.contains("$ echo c"), "{out}");
    let o = r.genie(&["run", "tasks.yaml", "--dry-run", "--format", "json"]);
    let plan: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(plan["levels"], serde_json::json!([["a", "c"], ["b"]]));
    assert_eq!(listing(r.path()), before);
    assert_eq!(git_ok(r.path(), &["for-each-ref"]), refs);
}

#[test]
fn huge_output_is_capped_in_the_log() {
    let r = Repo::new();
    r.write(
        "tasks.yaml",
        "run: {context_budget: 0, max_log_bytes: 100000}\ntasks:\n  - name: chatty\n    command: head -c 5000000 /dev/zero | tr '\\0' x; echo; echo done\n",
    );
    let o = r.genie(&["run", "tasks.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let id = r.run_id();
    let log = std::fs::metadata(r.run_dir(&id).join("chatty.log")).unwrap();
    assert!(log.len() < 200_000, "{}", log.len());
}

#[test]
fn a_summary_genie_did_not_write_is_not_overwritten_without_force() {
    let r = Repo::new();
    r.write("docs/_index/orchestrator-run-summary.md", "# Mine\n");
    r.write(
        "tasks.yaml",
        "run: {context_budget: 0}\ntasks:\n  - {name: a, command: \"true\"}\n",
    );
    let o = r.genie(&["run", "tasks.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(stderr(&o).contains("no genie markers"), "{}", stderr(&o));
    assert!(r.run_ids().is_empty());
    let o = r.genie(&["run", "tasks.yaml", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let text =
        std::fs::read_to_string(r.path().join("docs/_index/orchestrator-run-summary.md")).unwrap();
    assert!(text.contains("generated by genie"));
}

#[test]
fn sigterm_interrupts_the_run_and_it_can_be_resumed() {
    let r = Repo::new();
    r.write(
        "tasks.yaml",
        "run: {grace: 1, context_budget: 0}\ntasks:\n  - name: long\n    command: if [ -f \"$SCRATCH/go\" ]; then true; else touch \"$SCRATCH/started\"; sleep 60; fi\n  - {name: next, command: 'true', depends_on: [long]}\n",
    );
    let mut child = r
        .cmd(&["run", "tasks.yaml"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    if !wait_for(&r.scratch().join("started"), Duration::from_secs(60)) {
        let _ = child.kill();
        panic!("the task did not start");
    }
    // SAFETY: a plain kill(2) of our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(130));
    let id = r.run_id();
    let st = r.state(&id);
    assert_eq!(st["status"], "interrupted");
    assert_eq!(status(&st, "long"), "cancelled");
    assert_eq!(status(&st, "next"), "waiting");
    std::fs::write(r.scratch().join("go"), "").unwrap();
    let o = r.genie(&["run", "--resume", &id]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
}

// ---------------------------------------------------------------------------
// The schema and the documented example.

fn example_root() -> PathBuf {
    manifest_dir().join("examples")
}

#[test]
fn the_schema_matches_the_types() {
    let mut want = serde_json::to_string_pretty(&genie::run::taskfile::json_schema()).unwrap();
    want.push('\n');
    let path = manifest_dir().join("schemas/taskfile.schema.json");
    if std::env::var_os("GENIE_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == want,
        "schemas/taskfile.schema.json is out of date: run `GENIE_BLESS=1 cargo test --test run the_schema`"
    );
}

#[test]
fn the_example_task_file_parses_and_validates_against_the_schema() {
    let file = example_root().join("tasks/feature-run.yaml");
    let parsed =
        genie::run::taskfile::load(&file, &example_root()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = parsed.tasks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["db-schema", "api-draft", "review"]);
    assert_eq!(parsed.levels().len(), 2);
    assert!(parsed.tasks[2].handoff);

    let text =
        std::fs::read_to_string(manifest_dir().join("schemas/taskfile.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let yaml = std::fs::read_to_string(&file).unwrap();
    let node = genie::yaml::parse(&yaml, 0).unwrap().root.unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&node.to_json())
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        !validator
            .is_valid(&serde_json::json!({"tasks": [{"name": "a", "command": "x", "retires": 1}]}))
    );
    assert!(!validator.is_valid(&serde_json::json!({"tasks": [{"name": "a b", "command": "x"}]})));
    assert!(validator.is_valid(&serde_json::json!({"run": {"timeout": "15m"}, "tasks": [{"name": "a", "command": "x", "timeout": 90, "issue": "#12", "depends_on": "b"}]})));

    // The README shows the same file.
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let section = readme
        .split("## Running agent tasks: genie run")
        .nth(1)
        .expect("README has the genie run section");
    let block = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("```\n").next())
        .expect("a yaml block");
    let from_readme = genie::run::taskfile::parse(block, "README.md", &example_root())
        .unwrap_or_else(|e| panic!("{e}"));
    let unlined = |f: &genie::run::taskfile::TaskFile| {
        f.tasks
            .iter()
            .map(|t| genie::run::taskfile::Task {
                line: 0,
                ..t.clone()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(unlined(&from_readme), unlined(&parsed));
    assert_eq!(from_readme.run, parsed.run);
}

#[test]
fn export_writes_a_workflow_and_keeps_a_file_it_did_not_write() {
    let r = Repo::new();
    r.write(
        "tasks.yaml",
        "tasks:\n  - {name: a, command: 'echo a'}\n  - {name: b, command: 'echo b', depends_on: [a]}\n",
    );
    let o = r.genie(&["run", "export", "--format", "github-actions", "tasks.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let workflow = stdout(&o);
    assert!(workflow.contains("jobs:"), "{workflow}");
    let o = r.genie(&["run", "export", "tasks.yaml", "-o", "wf.yml"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert_eq!(
        std::fs::read_to_string(r.path().join("wf.yml")).unwrap(),
        workflow
    );
    r.write("mine.yml", "name: mine\n");
    let o = r.genie(&["run", "export", "tasks.yaml", "-o", "mine.yml"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert_eq!(
        std::fs::read_to_string(r.path().join("mine.yml")).unwrap(),
        "name: mine\n"
    );
    let o = r.genie(&["run", "export", "tasks.yaml", "-o", "mine.yml", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert_eq!(
        std::fs::read_to_string(r.path().join("mine.yml")).unwrap(),
        workflow
    );
}
