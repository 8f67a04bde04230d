//! The task file: run-level settings and the tasks, read from YAML and checked
//! (unknown dependencies, cycles, duplicate names) before anything starts.
//!
//! The YAML is read with genie's own reader ([`crate::yaml`]: positions on every
//! node, budgets against alias bombs), converted to the serde shapes below
//! (`deny_unknown_fields`, so a misspelt key is an error), then checked as a
//! whole. Every error carries the file and the line. The same shapes generate
//! `schemas/taskfile.schema.json` ([`json_schema`]), which a test compares with the
//! checked-in file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Component, Path};

use schemars::JsonSchema;
use serde::Deserialize;

use crate::model::docset::Number;
use crate::yaml::{self, Node};

/// A whole task file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskFile {
    /// The file it was read from, repository-relative when inside the repository.
    pub path: String,
    pub run: RunSettings,
    /// In file order.
    pub tasks: Vec<Task>,
}

/// Run-level settings (the `run:` map of the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSettings {
    /// Tasks at once (default 2; `--jobs` overrides).
    pub jobs: usize,
    /// Default timeout of a task, in seconds (default 3600).
    pub timeout_secs: u64,
    /// The revision worktrees start from (default `HEAD`).
    pub base: String,
    /// Where task logs, prompts, outputs and the event log go
    /// (default `.genie/runs`; a run's files in `<logs>/<run id>/`).
    pub logs: String,
    /// The Markdown summary (default `docs/_index/orchestrator-run-summary.md`:
    /// among genie's generated files, which document rules do not look at, so
    /// `genie check` stays clean).
    pub summary: String,
    /// Where session records go (default `docs/sessions`).
    pub sessions: String,
    /// Token budget of the `genie context` written into each prompt (default 2000; 0 = none).
    pub context_budget: usize,
    /// Seconds between SIGTERM and SIGKILL when a task times out or the run is
    /// interrupted (default 10).
    pub grace_secs: u64,
    /// Output of one attempt kept in its log; the rest is read and discarded
    /// (default 64 MiB).
    pub max_log_bytes: u64,
}

/// Default of [`RunSettings::summary`].
pub const DEFAULT_SUMMARY: &str = "docs/_index/orchestrator-run-summary.md";

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            jobs: 2,
            timeout_secs: 3600,
            base: "HEAD".into(),
            logs: ".genie/runs".into(),
            summary: DEFAULT_SUMMARY.into(),
            sessions: "docs/sessions".into(),
            context_budget: 2000,
            grace_secs: 10,
            max_log_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Where a task's prompt comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// A repository-relative file (`prompt: docs/tasks/db-schema.md`, or `prompt: {file: …}`).
    File(String),
    /// Inline text (`prompt: {text: …}`, or any value with a newline or not naming an existing file).
    Text(String),
}

/// One task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// Unique; `[A-Za-z0-9._-]+` (used in branch and path names).
    pub name: String,
    /// 1-based line of the task in the file (for diagnostics).
    pub line: u32,
    /// A shell command (`sh -c`); exit 0 is success.
    pub command: String,
    pub prompt: Option<Prompt>,
    pub depends_on: Vec<String>,
    /// Extra attempts after a failure or timeout (default 0).
    pub retries: u32,
    /// Seconds (default: the run's).
    pub timeout_secs: Option<u64>,
    pub env: BTreeMap<String, String>,
    pub issue: Option<u64>,
    /// Start from this task's branch instead of the run's base (it must also be a dependency).
    pub worktree_from: Option<String>,
    /// Check the handoff package (`genie handoff check`) in the worktree when the task ends.
    pub handoff: bool,
}

impl TaskFile {
    /// The task called `name`.
    pub fn task(&self, name: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.name == name)
    }

    /// Index of the task called `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.tasks.iter().position(|t| t.name == name)
    }

    /// The tasks by level: level 0 depends on nothing, level n on tasks of
    /// levels below n (at least one of n-1). Indexes into `tasks`, file order
    /// within a level. The file is acyclic once parsed.
    pub fn levels(&self) -> Vec<Vec<usize>> {
        let mut level: Vec<Option<usize>> = vec![None; self.tasks.len()];
        // Bounded: each pass fixes at least one task of an acyclic file.
        for _ in 0..=self.tasks.len() {
            let mut changed = false;
            for (i, t) in self.tasks.iter().enumerate() {
                if level[i].is_some() {
                    continue;
                }
                let deps: Option<Vec<usize>> = t
                    .depends_on
                    .iter()
                    .map(|d| self.index(d).and_then(|j| level[j]))
                    .collect();
                if let Some(deps) = deps {
                    level[i] = Some(deps.iter().map(|l| l + 1).max().unwrap_or(0));
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let depth = level.iter().flatten().max().map_or(0, |m| m + 1);
        let mut out = vec![Vec::new(); depth];
        for (i, l) in level.iter().enumerate() {
            if let Some(l) = l {
                out[*l].push(i);
            }
        }
        out
    }

    /// Every task `name` depends on, directly or not.
    pub fn ancestors(&self, name: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = vec![name];
        while let Some(n) = stack.pop() {
            if let Some(t) = self.task(n) {
                for d in &t.depends_on {
                    if seen.insert(d.clone()) {
                        stack.push(d);
                    }
                }
            }
        }
        seen
    }
}

/// A problem with a task file, at a line of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFileError {
    pub path: String,
    /// 1-based; 0 when the problem is not at a line (the file cannot be read).
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for TaskFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.col, self.message
            )
        }
    }
}

/// All the problems of one task file (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFileErrors(pub Vec<TaskFileError>);

impl fmt::Display for TaskFileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TaskFileErrors {}

// ---------------------------------------------------------------------------
// The file's shapes, as serde reads them (and as the JSON Schema shows them).

/// A duration: seconds (`90`) or a string with units (`"90s"`, `"15m"`, `"2h"`, `"1h30m"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Duration(u64);

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(u64),
            Str(String),
        }
        let bad = |s: &str| {
            serde::de::Error::custom(format!(
                "`{s}` is not a duration (write seconds, or \"90s\", \"15m\", \"2h\", \"1h30m\")"
            ))
        };
        match Raw::deserialize(d) {
            Ok(Raw::Int(0)) => Err(serde::de::Error::custom("a duration must be above zero")),
            Ok(Raw::Int(n)) => Ok(Duration(n)),
            Ok(Raw::Str(s)) => match parse_duration(&s) {
                Some(0) => Err(serde::de::Error::custom("a duration must be above zero")),
                Some(n) => Ok(Duration(n)),
                None => Err(bad(&s)),
            },
            Err(_) => Err(serde::de::Error::custom(
                "expected a duration: seconds, or a string like \"90s\", \"15m\", \"2h\"",
            )),
        }
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Seconds, or a string with units: \"90s\", \"15m\", \"2h\", \"1h30m\".",
            "anyOf": [
                {"type": "integer", "minimum": 1},
                {"type": "string", "pattern": "^\\s*([0-9]+\\s*[smhd]\\s*)+$|^\\s*[0-9]+\\s*$"}
            ]
        })
    }
}

/// Seconds of `"90s"`, `"15m"`, `"2h"`, `"1d"`, `"1h30m"` or `"120"`.
pub fn parse_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(n) = s.parse::<u64>() {
        return Some(n);
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    let mut any = false;
    for c in s.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' => {}
            's' | 'm' | 'h' | 'd' => {
                let n: u64 = digits.parse().ok()?;
                digits.clear();
                let unit = match c {
                    's' => 1,
                    'm' => 60,
                    'h' => 3600,
                    _ => 86_400,
                };
                total = total.checked_add(n.checked_mul(unit)?)?;
                any = true;
            }
            _ => return None,
        }
    }
    (any && digits.is_empty()).then_some(total)
}

/// An environment value: a string, number or boolean (written as text).
#[derive(Debug, Clone, PartialEq, Eq)]
struct EnvValue(String);

impl<'de> Deserialize<'de> for EnvValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(EnvValue(s)),
            serde_json::Value::Number(n) => Ok(EnvValue(n.to_string())),
            serde_json::Value::Bool(b) => Ok(EnvValue(b.to_string())),
            _ => Err(serde::de::Error::custom(
                "an environment value must be a string, a number or a boolean",
            )),
        }
    }
}

impl JsonSchema for EnvValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EnvValue".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": ["string", "number", "boolean"]})
    }
}

/// One name or a list of names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
enum Names {
    One(String),
    Many(Vec<String>),
}

/// `prompt:` as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
enum RawPrompt {
    /// A repository file path (when it names an existing file), else inline text.
    Plain(String),
    /// Explicitly a file or inline text.
    Explicit(ExplicitPrompt),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum ExplicitPrompt {
    /// A repository-relative file whose content is the prompt.
    File(String),
    /// The prompt itself.
    Text(String),
}

/// Run-level settings.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawRun {
    /// Tasks at once (default 2; `genie run --jobs` overrides).
    #[serde(default)]
    #[schemars(range(min = 1))]
    jobs: Option<usize>,
    /// Default timeout of a task (default 1h).
    #[serde(default)]
    timeout: Option<Duration>,
    /// The revision worktrees start from (default HEAD).
    #[serde(default)]
    base: Option<String>,
    /// Folder of the runs' logs, prompts, outputs, events and state (default .genie/runs).
    #[serde(default)]
    logs: Option<String>,
    /// The Markdown summary genie rewrites at the end of each run
    /// (default docs/_index/orchestrator-run-summary.md).
    #[serde(default)]
    summary: Option<String>,
    /// Folder of the session records (default docs/sessions).
    #[serde(default)]
    sessions: Option<String>,
    /// Token budget of the repository context written into each prompt (default 2000; 0: none).
    #[serde(default)]
    context_budget: Option<usize>,
    /// Time between SIGTERM and SIGKILL when a task is stopped (default 10s).
    #[serde(default)]
    grace: Option<Duration>,
    /// Output of one attempt kept in its log, in bytes (default 64 MiB).
    #[serde(default)]
    #[schemars(range(min = 1))]
    max_log_bytes: Option<u64>,
}

/// One task.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawTask {
    /// Unique name: letters, digits, `.`, `_`, `-` (used in branch and folder names).
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"), length(max = 64))]
    name: String,
    /// Shell command (`sh -c`), run in the task's worktree; exit 0 is success.
    command: String,
    /// A repository file whose content is the prompt, or inline text.
    #[serde(default)]
    prompt: Option<RawPrompt>,
    /// Tasks that must succeed before this one starts.
    #[serde(default)]
    depends_on: Option<Names>,
    /// Extra attempts after a failure or timeout (default 0).
    #[serde(default)]
    retries: Option<u32>,
    /// Timeout of one attempt (default: the run's).
    #[serde(default)]
    timeout: Option<Duration>,
    /// Environment variables added for the command.
    #[serde(default)]
    env: BTreeMap<String, EnvValue>,
    /// The issue the task works on (123 or "#123").
    #[serde(default)]
    issue: Option<Number>,
    /// Start from this task's branch (after it committed) instead of the run's base; it
    /// must be among the task's dependencies (directly or not).
    #[serde(default)]
    worktree_from: Option<String>,
    /// Check the handoff package in the worktree when the task ends; an incomplete one fails the task.
    #[serde(default)]
    handoff: bool,
}

/// A `genie run` task file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "genie run task file")]
struct RawFile {
    /// Run-level settings.
    #[serde(default)]
    run: Option<RawRun>,
    /// The tasks, run in dependency order, each in its own git worktree and branch.
    tasks: Vec<RawTask>,
}

/// The JSON Schema of task files (`schemas/taskfile.schema.json`).
pub fn json_schema() -> serde_json::Value {
    let mut v = serde_json::to_value(schemars::schema_for!(RawFile)).unwrap_or_default();
    v["description"] = serde_json::json!(
        "Tasks for `genie run`: each runs in its own git worktree and branch, in dependency order."
    );
    v
}

const KEYS_FILE: &[&str] = &["run", "tasks"];
const KEYS_RUN: &[&str] = &[
    "jobs",
    "timeout",
    "base",
    "logs",
    "summary",
    "sessions",
    "context_budget",
    "grace",
    "max_log_bytes",
];
const KEYS_TASK: &[&str] = &[
    "name",
    "command",
    "prompt",
    "depends_on",
    "retries",
    "timeout",
    "env",
    "issue",
    "worktree_from",
    "handoff",
];

// ---------------------------------------------------------------------------
// Reading.

/// Read and check the task file at `file`; `root` is the repository root (prompt
/// files are looked up there, and the path is shown relative to it).
pub fn load(file: &Path, root: &Path) -> Result<TaskFile, TaskFileErrors> {
    read(file, root).map(|(f, _)| f)
}

/// [`load`], also returning the file's text.
pub fn read(file: &Path, root: &Path) -> Result<(TaskFile, String), TaskFileErrors> {
    let shown = display_path(file, root);
    let bytes = std::fs::read(file).map_err(|e| {
        TaskFileErrors(vec![TaskFileError {
            path: shown.clone(),
            line: 0,
            col: 0,
            message: format!("cannot read the task file: {e}"),
        }])
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        TaskFileErrors(vec![TaskFileError {
            path: shown.clone(),
            line: 0,
            col: 0,
            message: "the task file is not valid UTF-8".into(),
        }])
    })?;
    let parsed = parse(&text, &shown, root)?;
    Ok((parsed, text))
}

/// `file` relative to `root` when inside it, `/`-separated.
pub fn display_path(file: &Path, root: &Path) -> String {
    let abs = if file.is_absolute() {
        file.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(file))
            .unwrap_or_else(|_| file.to_path_buf())
    };
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    match canon(&abs).strip_prefix(canon(root)) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => file.to_string_lossy().into_owned(),
    }
}

/// Parse and check a task file's text; `path` is how errors name it.
pub fn parse(text: &str, path: &str, root: &Path) -> Result<TaskFile, TaskFileErrors> {
    let mut errors = Errors {
        path: path.to_string(),
        list: Vec::new(),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = match yaml::parse(text, 0) {
        Ok(p) => p,
        Err(e) => {
            errors.at(e.line, e.col, e.message);
            return Err(errors.into());
        }
    };
    for d in &parsed.duplicates {
        errors.at(
            d.line,
            d.col,
            format!("duplicate key `{}` (first at line {})", d.key, d.first_line),
        );
    }
    let Some(root_node) = parsed.root.filter(|r| r.as_map().is_some()) else {
        errors.at(
            1,
            1,
            "a task file must be a mapping with `tasks:` (and optionally `run:`)".into(),
        );
        return Err(errors.into());
    };
    let raw: RawFile = match serde_path_to_error::deserialize(root_node.to_json()) {
        Ok(r) => r,
        Err(e) => {
            serde_error(&root_node, e, &mut errors);
            return Err(errors.into());
        }
    };
    if !errors.list.is_empty() {
        return Err(errors.into());
    }
    let file = convert(raw, &root_node, path, root, &mut errors);
    if errors.list.is_empty() {
        Ok(file)
    } else {
        errors.list.sort_by_key(|e| (e.line, e.col));
        Err(errors.into())
    }
}

struct Errors {
    path: String,
    list: Vec<TaskFileError>,
}

impl Errors {
    fn at(&mut self, line: u32, col: u32, message: String) {
        self.list.push(TaskFileError {
            path: self.path.clone(),
            line,
            col,
            message,
        });
    }

    fn node(&mut self, node: &Node, message: String) {
        self.at(node.line, node.col, message);
    }
}

impl From<Errors> for TaskFileErrors {
    fn from(e: Errors) -> Self {
        TaskFileErrors(e.list)
    }
}

fn serde_error(root: &Node, e: serde_path_to_error::Error<serde_json::Error>, errors: &mut Errors) {
    let path = e.path().to_string();
    let node = root.at_path(&path);
    let message = e.into_inner().to_string();
    if let Some(field) = message
        .strip_prefix("unknown field `")
        .and_then(|m| m.split('`').next())
    {
        let known: &[&str] = if path.starts_with("tasks") {
            KEYS_TASK
        } else if path.starts_with("run") {
            KEYS_RUN
        } else {
            KEYS_FILE
        };
        let key = node
            .key_node(field)
            .or_else(|| find_key(root, field))
            .unwrap_or(node);
        let place = if path.starts_with("tasks") {
            " in a task"
        } else if path.starts_with("run") {
            " in `run`"
        } else {
            ""
        };
        errors.node(
            key,
            format!(
                "unknown key `{field}`{place}{} (known: {})",
                crate::config::did_you_mean(field, known.iter().copied()),
                known.join(", ")
            ),
        );
        return;
    }
    // Untagged enums say "data did not match any variant": say what is expected.
    let message = if message.starts_with("data did not match any variant") {
        let last = path.rsplit('.').next().unwrap_or("");
        match last.split('[').next().unwrap_or("") {
            "prompt" => {
                "expected a file path, inline text, `{file: PATH}` or `{text: TEXT}`".into()
            }
            "depends_on" => "expected a task name or a list of task names".into(),
            _ => message,
        }
    } else {
        message
    };
    let shown = if path == "." || path.is_empty() {
        String::new()
    } else {
        format!("`{path}`: ")
    };
    errors.node(node, format!("{shown}{message}"));
}

/// The first key called `name` anywhere in the tree.
fn find_key<'a>(node: &'a Node, name: &str) -> Option<&'a Node> {
    match &node.value {
        yaml::Value::Map(entries) => entries.iter().find_map(|(k, v)| {
            if k.as_str() == Some(name) {
                Some(k)
            } else {
                find_key(v, name)
            }
        }),
        yaml::Value::Seq(items) => items.iter().find_map(|i| find_key(i, name)),
        _ => None,
    }
}

/// Whether `name` can be a task name (a branch and folder name component).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && !name.contains("..")
        && !name.ends_with(".lock")
        && !name.ends_with('.')
}

fn valid_env_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A repository-relative path that stays inside the repository.
fn relative_inside(p: &str) -> bool {
    let path = Path::new(p);
    !p.trim().is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Whether a one-line prompt value reads as a file path rather than as text.
fn looks_like_path(s: &str) -> bool {
    !s.contains(char::is_whitespace)
        && (s.contains('/')
            || [".md", ".markdown", ".txt", ".prompt"]
                .iter()
                .any(|x| s.ends_with(x)))
}

/// Variables genie sets for every command; a task's `env` may not set them.
pub const RESERVED_ENV: &[&str] = &[
    "GENIE_RUN_ID",
    "GENIE_BRANCH",
    "GENIE_TASK",
    "GENIE_WORKTREE",
    "GENIE_PROMPT_FILE",
    "GENIE_OUTPUT_FILE",
    "GENIE_ISSUE",
];

fn convert(
    raw: RawFile,
    root_node: &Node,
    path: &str,
    root: &Path,
    errors: &mut Errors,
) -> TaskFile {
    let run_node = root_node.get("run");
    let at_run = |key: &str| run_node.and_then(|r| r.get(key)).unwrap_or(root_node);
    let mut run = RunSettings::default();
    if let Some(r) = raw.run {
        if let Some(j) = r.jobs {
            if j == 0 {
                errors.node(at_run("jobs"), "`jobs` must be at least 1".into());
            }
            run.jobs = j.max(1);
        }
        if let Some(t) = r.timeout {
            run.timeout_secs = t.0;
        }
        if let Some(b) = r.base {
            if b.trim().is_empty() || b.starts_with('-') {
                errors.node(at_run("base"), format!("`{b}` is not a revision"));
            }
            run.base = b.trim().to_string();
        }
        for (key, value, slot) in [
            ("logs", r.logs, &mut run.logs),
            ("summary", r.summary, &mut run.summary),
            ("sessions", r.sessions, &mut run.sessions),
        ] {
            if let Some(v) = value {
                if !relative_inside(&v) {
                    errors.node(
                        at_run(key),
                        format!(
                            "`{key}` must be a path relative to the repository root, inside it (`{v}`)"
                        ),
                    );
                }
                *slot = v.trim().trim_end_matches('/').to_string();
            }
        }
        if run.summary.ends_with('/') || !run.summary.ends_with(".md") {
            errors.node(
                at_run("summary"),
                format!("`summary` must be a Markdown file (`{}`)", run.summary),
            );
        }
        if let Some(b) = r.context_budget {
            run.context_budget = b;
        }
        if let Some(g) = r.grace {
            run.grace_secs = g.0;
        }
        if let Some(m) = r.max_log_bytes {
            if m == 0 {
                errors.node(
                    at_run("max_log_bytes"),
                    "`max_log_bytes` must be at least 1".into(),
                );
            }
            run.max_log_bytes = m.max(1);
        }
    }

    let task_nodes: Vec<&Node> = match root_node.get("tasks").map(|n| &n.value) {
        Some(yaml::Value::Seq(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    if raw.tasks.is_empty() {
        errors.node(
            root_node.key_node("tasks").unwrap_or(root_node),
            "`tasks` is empty: there is nothing to run".into(),
        );
    }
    let mut tasks = Vec::with_capacity(raw.tasks.len());
    // (task index, dependency name) → line of the name.
    let mut dep_nodes: HashMap<(usize, String), &Node> = HashMap::new();
    let mut first_line: HashMap<String, u32> = HashMap::new();
    for (i, t) in raw.tasks.into_iter().enumerate() {
        let node = task_nodes.get(i).copied().unwrap_or(root_node);
        let at = |key: &str| node.get(key).unwrap_or(node);
        let name = t.name.trim().to_string();
        if !valid_name(&name) {
            errors.node(
                at("name"),
                format!(
                    "`{}` is not a valid task name: use letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 64 characters (it names a branch and a folder)",
                    t.name
                ),
            );
        } else if let Some(first) = first_line.get(&name) {
            errors.node(
                at("name"),
                format!("duplicate task name `{name}` (first at line {first})"),
            );
        } else {
            first_line.insert(name.clone(), at("name").line);
        }
        if t.command.trim().is_empty() {
            errors.node(at("command"), format!("task `{name}`: `command` is empty"));
        }
        let prompt = match t.prompt {
            None => None,
            Some(RawPrompt::Explicit(ExplicitPrompt::Text(s))) => Some(Prompt::Text(s)),
            Some(RawPrompt::Explicit(ExplicitPrompt::File(f))) => {
                check_prompt_file(&f, root, at("prompt"), &name, errors);
                Some(Prompt::File(f.trim().to_string()))
            }
            Some(RawPrompt::Plain(s)) => {
                let one_line = s.trim();
                if s.contains('\n') || one_line.is_empty() {
                    Some(Prompt::Text(s))
                } else if relative_inside(one_line) && root.join(one_line).is_file() {
                    Some(Prompt::File(one_line.to_string()))
                } else if looks_like_path(one_line) {
                    errors.node(
                        at("prompt"),
                        format!(
                            "task `{name}`: the prompt file `{one_line}` does not exist in the repository (for inline text write `prompt: {{text: …}}`)"
                        ),
                    );
                    Some(Prompt::File(one_line.to_string()))
                } else {
                    Some(Prompt::Text(s))
                }
            }
        };
        let depends_on: Vec<String> = match t.depends_on {
            None => Vec::new(),
            Some(Names::One(n)) => vec![n.trim().to_string()],
            Some(Names::Many(v)) => v.into_iter().map(|n| n.trim().to_string()).collect(),
        };
        let dep_node = node.get("depends_on");
        for (j, d) in depends_on.iter().enumerate() {
            let n = match dep_node.map(|n| &n.value) {
                Some(yaml::Value::Seq(items)) => items.get(j).unwrap_or(node),
                Some(_) => dep_node.unwrap_or(node),
                None => node,
            };
            if dep_nodes.insert((i, d.clone()), n).is_some() {
                errors.node(n, format!("task `{name}` depends on `{d}` twice"));
            }
        }
        let mut env = BTreeMap::new();
        for (k, v) in t.env {
            let key_node = node
                .get("env")
                .and_then(|e| e.key_node(&k))
                .unwrap_or(at("env"));
            if !valid_env_name(&k) {
                errors.node(
                    key_node,
                    format!("task `{name}`: `{k}` is not an environment variable name"),
                );
            } else if RESERVED_ENV.contains(&k.as_str()) {
                errors.node(
                    key_node,
                    format!("task `{name}`: `{k}` is set by genie; the task file cannot set it"),
                );
            }
            env.insert(k, v.0);
        }
        tasks.push(Task {
            name,
            line: node.line,
            command: t.command,
            prompt,
            depends_on,
            retries: t.retries.unwrap_or(0),
            timeout_secs: t.timeout.map(|d| d.0),
            env,
            issue: t.issue.map(|n| n.0),
            worktree_from: t.worktree_from.map(|w| w.trim().to_string()),
            handoff: t.handoff,
        });
    }
    if tasks.iter().any(|t| t.retries > 100) {
        for (i, t) in tasks.iter().enumerate() {
            if t.retries > 100 {
                let node = task_nodes.get(i).copied().unwrap_or(root_node);
                errors.node(
                    node.get("retries").unwrap_or(node),
                    format!("task `{}`: at most 100 retries", t.name),
                );
            }
        }
    }

    let file = TaskFile {
        path: path.to_string(),
        run,
        tasks,
    };
    let names: BTreeSet<&str> = file.tasks.iter().map(|t| t.name.as_str()).collect();
    let mut graph_ok = true;
    for (i, t) in file.tasks.iter().enumerate() {
        for d in &t.depends_on {
            let node = dep_nodes.get(&(i, d.clone())).copied().unwrap_or(root_node);
            if d == &t.name {
                errors.node(node, format!("task `{}` depends on itself", t.name));
                graph_ok = false;
            } else if !names.contains(d.as_str()) {
                errors.node(
                    node,
                    format!(
                        "task `{}` depends on `{d}`, which is not a task{}",
                        t.name,
                        crate::config::did_you_mean(d, names.iter().copied())
                    ),
                );
                graph_ok = false;
            }
        }
    }
    if graph_ok && let Some(cycle) = find_cycle(&file) {
        // Point at the dependency that closes the cycle in its first task.
        let first = file.index(&cycle[0]).unwrap_or(0);
        let node = dep_nodes
            .get(&(first, cycle[1].clone()))
            .copied()
            .unwrap_or(root_node);
        errors.node(node, format!("dependency cycle: {}", cycle.join(" → ")));
        graph_ok = false;
    }
    for (i, t) in file.tasks.iter().enumerate() {
        let Some(from) = &t.worktree_from else {
            continue;
        };
        let node = task_nodes.get(i).copied().unwrap_or(root_node);
        let node = node.get("worktree_from").unwrap_or(node);
        if !names.contains(from.as_str()) {
            errors.node(
                node,
                format!(
                    "task `{}`: worktree_from `{from}` is not a task{}",
                    t.name,
                    crate::config::did_you_mean(from, names.iter().copied())
                ),
            );
        } else if graph_ok && !file.ancestors(&t.name).contains(from) {
            errors.node(
                node,
                format!(
                    "task `{}` starts from `{from}`'s branch, so it must depend on `{from}` (add it to depends_on)",
                    t.name
                ),
            );
        }
    }
    file
}

fn check_prompt_file(f: &str, root: &Path, node: &Node, task: &str, errors: &mut Errors) {
    let f = f.trim();
    if !relative_inside(f) {
        errors.node(
            node,
            format!("task `{task}`: the prompt file `{f}` must be a path relative to the repository root, inside it"),
        );
    } else if !root.join(f).is_file() {
        errors.node(
            node,
            format!("task `{task}`: the prompt file `{f}` does not exist in the repository"),
        );
    }
}

/// A dependency cycle as task names, first repeated at the end (`a → b → a`).
fn find_cycle(file: &TaskFile) -> Option<Vec<String>> {
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; file.tasks.len()];
    for start in 0..file.tasks.len() {
        if state[start] != 0 {
            continue;
        }
        // Iterative DFS: (task, next dependency to look at).
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let deps = &file.tasks[node].depends_on;
            if *next < deps.len() {
                let dep = &deps[*next];
                *next += 1;
                let Some(j) = file.index(dep) else { continue };
                match state[j] {
                    0 => {
                        state[j] = 1;
                        stack.push((j, 0));
                    }
                    1 => {
                        let pos = stack.iter().position(|(n, _)| *n == j).unwrap_or(0);
                        let mut cycle: Vec<String> = stack[pos..]
                            .iter()
                            .map(|(n, _)| file.tasks[*n].name.clone())
                            .collect();
                        cycle.push(file.tasks[j].name.clone());
                        return Some(cycle);
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<TaskFile, TaskFileErrors> {
        parse(text, "tasks.yaml", Path::new("/nonexistent-root"))
    }

    fn first_error(text: &str) -> TaskFileError {
        parse_str(text).unwrap_err().0.remove(0)
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(90));
        assert_eq!(parse_duration("15m"), Some(900));
        assert_eq!(parse_duration("2h"), Some(7200));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("120"), Some(120));
        assert_eq!(parse_duration("1d"), Some(86_400));
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(parse_duration("5"), Some(5));
        assert_eq!(parse_duration("99999999999999999999h"), None);
    }

    #[test]
    fn a_full_file() {
        let f = parse_str(
            "run:\n  jobs: 3\n  timeout: 15m\n  context_budget: 0\ntasks:\n  - name: a\n    command: echo a\n    prompt: |\n      Do a.\n      Then b.\n    issue: \"#12\"\n    env: {X: 1, Y: true, Z: yes}\n  - name: b\n    command: echo b\n    depends_on: a\n    worktree_from: a\n    timeout: 90\n    retries: 2\n    handoff: true\n",
        )
        .unwrap();
        assert_eq!(f.run.jobs, 3);
        assert_eq!(f.run.timeout_secs, 900);
        assert_eq!(f.run.context_budget, 0);
        assert_eq!(f.tasks[0].issue, Some(12));
        assert_eq!(f.tasks[0].env["X"], "1");
        assert_eq!(f.tasks[0].env["Y"], "true");
        assert_eq!(f.tasks[0].env["Z"], "yes");
        assert_eq!(f.tasks[0].line, 6);
        assert!(matches!(&f.tasks[0].prompt, Some(Prompt::Text(t)) if t.starts_with("Do a.")));
        assert_eq!(f.tasks[1].depends_on, vec!["a".to_string()]);
        assert_eq!(f.tasks[1].timeout_secs, Some(90));
        assert!(f.tasks[1].handoff);
        assert_eq!(f.levels(), vec![vec![0], vec![1]]);
    }

    #[test]
    fn errors_have_lines() {
        let e = first_error(
            "tasks:\n  - name: a\n    command: x\n    depends_on: [b]\n  - name: b\n    command: y\n    depends_on: [a]\n",
        );
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("cycle: a → b → a"), "{e}");
        let e = first_error("tasks:\n  - name: a\n    command: x\n    depends_on: [nope]\n");
        assert_eq!(e.line, 4);
        assert!(e.message.contains("`nope`, which is not a task"), "{e}");
        let e = first_error("tasks:\n  - name: a\n    command: x\n  - name: a\n    command: y\n");
        assert_eq!(e.line, 4);
        assert!(
            e.message
                .contains("duplicate task name `a` (first at line 2)"),
            "{e}"
        );
        let e = first_error("tasks:\n  - name: a b\n    command: x\n");
        assert_eq!(e.line, 2);
        let e = first_error("tasks:\n  - name: a\n    command: x\n    retires: 2\n");
        assert_eq!((e.line, e.col), (4, 5), "{e}");
        assert!(e.message.contains("did you mean `retries`"), "{e}");
        let e = first_error("run:\n  jbos: 2\ntasks:\n  - name: a\n    command: x\n");
        assert_eq!(e.line, 2, "{e}");
        let e = first_error("tasks:\n  - name: a\n    command: x\n    timeout: soon\n");
        assert_eq!(e.line, 4, "{e}");
        let e =
            first_error("tasks:\n  - name: a\n    command: x\n    prompt: docs/tasks/missing.md\n");
        assert_eq!(e.line, 4, "{e}");
        let e = first_error(
            "tasks:\n  - name: a\n    command: x\n  - name: b\n    command: y\n    worktree_from: a\n",
        );
        assert_eq!(e.line, 6, "{e}");
        assert!(e.message.contains("must depend on `a`"), "{e}");
        let e = first_error("tasks: []\n");
        assert!(e.message.contains("empty"), "{e}");
        let e = first_error("tasks:\n  - name: a\n    command: x\n    env: {GENIE_TASK: x}\n");
        assert!(e.message.contains("set by genie"), "{e}");
    }

    #[test]
    fn transitive_worktree_from_is_fine() {
        let f = parse_str("tasks:\n  - {name: a, command: x}\n  - {name: b, command: x, depends_on: [a]}\n  - {name: c, command: x, depends_on: [b], worktree_from: a}\n").unwrap();
        assert_eq!(f.levels(), vec![vec![0], vec![1], vec![2]]);
        assert_eq!(f.ancestors("c").len(), 2);
    }

    #[test]
    fn longer_cycles_and_bombs() {
        let e = first_error(
            "tasks:\n  - {name: a, command: x, depends_on: [c]}\n  - {name: b, command: x, depends_on: [a]}\n  - {name: c, command: x, depends_on: [b]}\n",
        );
        assert!(e.message.contains("a → c → b → a"), "{e}");
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\ntasks: []\n";
        assert!(parse_str(bomb).is_err());
        assert!(parse_str("").is_err());
        assert!(parse_str("- a\n").is_err());
    }

    #[test]
    fn names() {
        assert!(valid_name("db-schema"));
        assert!(valid_name("v1.2_x"));
        assert!(!valid_name("-x"));
        assert!(!valid_name(".x"));
        assert!(!valid_name("a..b"));
        assert!(!valid_name("a.lock"));
        assert!(!valid_name("a/b"));
        assert!(!valid_name(""));
    }
}
