//! Commit messages, branch names and pushes: the rules `genie policy check` and
//! the git hooks apply (`commit-issue-reference` G0702, `conventional-commit`
//! G0703, `branch-name` G0704, `protected-branch` G0705).
//!
//! Everything here is a pure function of text: the caller reads the message
//! file, the branch or git's pre-push standard input and decides which file the
//! diagnostics name.

use crate::check::Sink;
use crate::check::rules::{BRANCH_NAME, COMMIT_ISSUE, CONVENTIONAL_COMMIT, PROTECTED_BRANCH};
use crate::config::{ConfigError, PolicyConfig};

/// The line git writes above the diff of `git commit --verbose`, after the comment
/// character and a space; everything from it on is not part of the message.
const SCISSORS: &str = "------------------------ >8 ------------------------";

/// Subjects of commits git or a review tool wrote: not checked.
const GENERATED_SUBJECTS: &[&str] = &[
    "Merge branch ",
    "Merge branches ",
    "Merge pull request ",
    "Merge remote-tracking branch ",
    "Merge tag ",
    "Merge commit ",
    "fixup! ",
    "squash! ",
    "amend! ",
    "Revert \"",
];

/// The compiled `[policy]` rules for commits, branches and pushes.
#[derive(Debug, Clone)]
pub struct CommitPolicy {
    issue_patterns: Vec<regex::Regex>,
    commit_types: Vec<String>,
    branch_patterns: Vec<regex::Regex>,
    branch_sources: Vec<String>,
    protected: globset::GlobSet,
}

fn config_error(message: String) -> ConfigError {
    ConfigError {
        path: None,
        line: None,
        message,
    }
}

fn compile(key: &str, patterns: &[String]) -> Result<Vec<regex::Regex>, ConfigError> {
    patterns
        .iter()
        .enumerate()
        .map(|(i, p)| {
            regex::Regex::new(p).map_err(|e| {
                config_error(format!(
                    "policy.{key}[{i}]: `{p}` is not a regular expression: {e}"
                ))
            })
        })
        .collect()
}

impl CommitPolicy {
    /// Compile `policy.issue_patterns`, `policy.branch_patterns` and
    /// `policy.protected_branches` (names or globs such as `release/*`).
    pub fn new(policy: &PolicyConfig) -> Result<CommitPolicy, ConfigError> {
        Ok(CommitPolicy {
            issue_patterns: compile("issue_patterns", &policy.issue_patterns)?,
            commit_types: policy.commit_types.clone(),
            branch_patterns: compile("branch_patterns", &policy.branch_patterns)?,
            branch_sources: policy.branch_patterns.clone(),
            protected: protected_set(policy)?,
        })
    }
}

/// `policy.protected_branches` compiled (names or globs such as `release/*`).
pub fn protected_set(policy: &PolicyConfig) -> Result<globset::GlobSet, ConfigError> {
    let mut protected = globset::GlobSetBuilder::new();
    {
        for (i, b) in policy.protected_branches.iter().enumerate() {
            let glob = globset::GlobBuilder::new(b)
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    config_error(format!(
                        "policy.protected_branches[{i}]: `{b}` is not a branch name or glob: {e}"
                    ))
                })?;
            protected.add(glob);
        }
    }
    protected
        .build()
        .map_err(|e| config_error(format!("policy.protected_branches: {e}")))
}

/// Whether `branch` (a `refs/heads/` prefix is removed) is in `protected`.
pub fn is_protected_in(protected: &globset::GlobSet, branch: &str) -> bool {
    let branch = branch.strip_prefix("refs/heads/").unwrap_or(branch);
    !branch.is_empty() && protected.is_match(branch)
}

impl CommitPolicy {
    /// Check a commit message file's text; `path` is how the file is named in
    /// diagnostics. `comment_char` is git's core.commentChar (default '#').
    ///
    /// Comment lines and everything from git's scissors line on are not part of
    /// the message; merge, `fixup!`, `squash!`, `amend!` and `Revert "…"` commits
    /// are not checked, and neither is an empty message (git refuses it itself).
    pub fn check_message(&self, path: &str, text: &str, comment_char: char, sink: &mut Sink) {
        let msg = Message::parse(text, comment_char);
        let Some((subject_line, subject)) = msg.subject() else {
            return;
        };
        if is_generated(subject) {
            return;
        }
        if !self.issue_patterns.is_empty() {
            let body = msg.text();
            if !self.issue_patterns.iter().any(|re| re.is_match(&body)) {
                sink.emit(
                    COMMIT_ISSUE,
                    path,
                    subject_line,
                    1,
                    "the commit message references no issue (none of policy.issue_patterns matches)"
                        .to_string(),
                );
            }
        }
        if sink.enabled(CONVENTIONAL_COMMIT) && !self.commit_types.is_empty() {
            let problem = match parse_conventional(subject) {
                Err(p) => Some(p),
                Ok(c) if !self.commit_types.iter().any(|t| t == c.kind) => {
                    Some(Problem::UnknownType {
                        found: c.kind.to_string(),
                    })
                }
                Ok(_) => None,
            };
            if let Some(p) = problem {
                let (message, help) = self.explain(subject, &p);
                sink.emit_help(
                    CONVENTIONAL_COMMIT,
                    path,
                    subject_line,
                    p.column(),
                    message,
                    help,
                );
            }
        }
    }

    /// Check a branch name (short, `feat/x`; a `refs/heads/` prefix is removed);
    /// diagnostics at `path`:`line`.
    pub fn check_branch(&self, branch: &str, path: &str, line: u32, sink: &mut Sink) {
        let branch = branch.strip_prefix("refs/heads/").unwrap_or(branch);
        if let Some((message, help)) = self.branch_problem(branch) {
            sink.emit_help(BRANCH_NAME, path, line, 1, message, help);
        }
    }

    /// Whether nobody may commit or push straight onto `branch` (a `refs/heads/`
    /// prefix is removed).
    pub fn is_protected(&self, branch: &str) -> bool {
        is_protected_in(&self.protected, branch)
    }

    /// pre-push: git's standard input, lines `<local ref> <local sha> <remote ref>
    /// <remote sha>`; `path` names the source in diagnostics, the line is the
    /// input line. For each branch pushed (`refs/heads/X` on the remote side;
    /// deletions and tags are not checked): `branch-name` for X, and
    /// `protected-branch` when X is protected. Lines that are not in git's format
    /// are ignored here; [`parse_push`] returns a note for each of them.
    pub fn check_push(&self, path: &str, stdin: &str, sink: &mut Sink) {
        for r in parse_push(stdin).refs {
            if r.is_deletion() {
                continue;
            }
            let Some(branch) = r.remote_ref.strip_prefix("refs/heads/") else {
                continue;
            };
            if let Some((message, help)) = self.branch_problem(branch) {
                sink.emit_help(
                    BRANCH_NAME,
                    path,
                    r.line,
                    r.remote_column,
                    format!("pushing to {message}"),
                    help,
                );
            }
            if self.is_protected(branch) {
                sink.emit(
                    PROTECTED_BRANCH,
                    path,
                    r.line,
                    r.remote_column,
                    format!("push straight onto the protected branch `{branch}`"),
                );
            }
        }
    }

    /// (message, help) when `branch` matches none of the patterns.
    fn branch_problem(&self, branch: &str) -> Option<(String, String)> {
        if branch.is_empty()
            || self.branch_patterns.is_empty()
            || self.branch_patterns.iter().any(|re| re.is_match(branch))
        {
            return None;
        }
        let patterns = self
            .branch_sources
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let slug: String = branch
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let slug = slug.trim_matches(|c| c == '-' || c == '/');
        let rename = ["feat", "fix", "chore"]
            .iter()
            .map(|p| format!("{p}/{slug}"))
            .find(|c| !slug.is_empty() && self.branch_patterns.iter().any(|re| re.is_match(c)));
        let help = match rename {
            Some(new) => format!(
                "rename it, e.g. `git branch -m {branch} {new}`; policy.branch_patterns: {patterns}"
            ),
            None => format!("rename it to match one of policy.branch_patterns: {patterns}"),
        };
        Some((
            format!("branch `{branch}`: the name matches none of policy.branch_patterns"),
            help,
        ))
    }

    /// (message, help) of a subject that is not a Conventional Commit.
    fn explain(&self, subject: &str, p: &Problem) -> (String, String) {
        let types = self.commit_types.join(", ");
        let shape = "`type(scope)!: description`";
        match p {
            Problem::NoType { first_word } => {
                let message = format!(
                    "the commit subject is not a Conventional Commit ({shape}): it starts with `{first_word}`, not a type"
                );
                let help = match self.closest_type(first_word) {
                    Some(t) => format!(
                        "write `{t}: {}`; types (policy.commit_types): {types}",
                        lower_first(subject.trim())
                    ),
                    None => format!(
                        "start the subject with a type, `TYPE: {}`, TYPE one of: {types}",
                        lower_first(subject.trim())
                    ),
                };
                (message, help)
            }
            Problem::UnknownType { found } => {
                let message = format!(
                    "the commit type `{found}` is not one of policy.commit_types ({types})"
                );
                let help = match self.closest_type(found) {
                    Some(t) => format!(
                        "did you mean `{t}`? e.g. `{}`",
                        replace_type(subject, found, &t)
                    ),
                    None => format!("use one of: {types}"),
                };
                (message, help)
            }
            Problem::UnclosedScope { kind } => (
                format!("the commit subject `{kind}(…` opens a scope and never closes it"),
                format!("write {shape}, e.g. `{kind}(parser): …`"),
            ),
            Problem::EmptyScope { kind } => (
                format!("the commit subject `{kind}()` has an empty scope"),
                format!("name the scope or leave the parentheses out: `{kind}: …`"),
            ),
            Problem::NoSpace { kind, .. } => (
                format!("the commit subject needs a space after `{kind}:`"),
                format!("write `{kind}: description`"),
            ),
            Problem::NoDescription { kind, .. } => (
                format!("the commit subject `{kind}:` has no description"),
                format!("say what the change does after `{kind}: `"),
            ),
        }
    }

    /// The configured type closest to `word`: a known synonym (`add` → `feat`),
    /// the same word in another case, else the most similar type.
    fn closest_type(&self, word: &str) -> Option<String> {
        let lower = word.to_lowercase();
        let has = |t: &str| self.commit_types.iter().any(|c| c == t);
        if let Some(t) = self.commit_types.iter().find(|t| t.to_lowercase() == lower) {
            return Some(t.clone());
        }
        if let Some((_, t)) = SYNONYMS
            .iter()
            .find(|(words, t)| has(t) && words.contains(&lower.as_str()))
        {
            return Some((*t).to_string());
        }
        self.commit_types
            .iter()
            .map(|t| (strsim::jaro_winkler(&lower, &t.to_lowercase()), t))
            .filter(|(score, _)| *score >= 0.75)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, t)| t.clone())
    }
}

/// Words people start subjects with, and the Conventional Commits type each means.
const SYNONYMS: &[(&[&str], &str)] = &[
    (
        &[
            "add",
            "adds",
            "added",
            "adding",
            "new",
            "feature",
            "features",
            "implement",
            "implements",
            "implemented",
            "introduce",
            "introduces",
            "support",
            "allow",
            "enable",
            "create",
            "creates",
        ],
        "feat",
    ),
    (
        &[
            "bug", "bugfix", "hotfix", "fixed", "fixes", "fixing", "correct", "corrects", "repair",
            "patch", "resolve", "resolves",
        ],
        "fix",
    ),
    (
        &["doc", "documentation", "readme", "document", "documents"],
        "docs",
    ),
    (&["tests", "testing", "spec", "specs"], "test"),
    (
        &[
            "refactoring",
            "refactored",
            "restructure",
            "rename",
            "renames",
            "move",
            "moves",
            "cleanup",
            "clean",
            "simplify",
            "tidy",
            "extract",
        ],
        "refactor",
    ),
    (
        &["performance", "optimize", "optimise", "speed", "faster"],
        "perf",
    ),
    (&["format", "formatting", "lint", "whitespace"], "style"),
    (
        &[
            "bump",
            "update",
            "updates",
            "upgrade",
            "deps",
            "dependencies",
            "remove",
            "delete",
            "drop",
            "wip",
        ],
        "chore",
    ),
    (&["pipeline", "workflow", "workflows", "github"], "ci"),
    (&["cargo", "makefile", "dockerfile", "compile"], "build"),
    (&["reverts", "reverted", "undo"], "revert"),
];

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.clone().next()) {
        // Keep acronyms: `CSV export` stays as it is.
        (Some(c), Some(n)) if c.is_uppercase() && !n.is_uppercase() => {
            c.to_lowercase().chain(chars).collect()
        }
        _ => s.to_string(),
    }
}

fn replace_type(subject: &str, found: &str, with: &str) -> String {
    match subject.trim_start().strip_prefix(found) {
        Some(rest) => format!("{with}{rest}"),
        None => format!("{with}: …"),
    }
}

fn is_generated(subject: &str) -> bool {
    GENERATED_SUBJECTS.iter().any(|p| subject.starts_with(p))
}

/// The lines of a commit message file that are the message: (line number in the
/// file, text without the line ending).
struct Message<'t> {
    lines: Vec<(u32, &'t str)>,
}

impl<'t> Message<'t> {
    fn parse(text: &'t str, comment_char: char) -> Message<'t> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = Vec::new();
        for (i, raw) in text.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if let Some(rest) = line.strip_prefix(comment_char) {
                if rest.strip_prefix(' ').map(str::trim_end) == Some(SCISSORS) {
                    break;
                }
                continue;
            }
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            lines.push((n, line.trim_end()));
        }
        Message { lines }
    }

    /// The first line with text, and its line number.
    fn subject(&self) -> Option<(u32, &'t str)> {
        self.lines.iter().find(|(_, l)| !l.is_empty()).copied()
    }

    /// The message as one text, lines joined with `\n`.
    fn text(&self) -> String {
        self.lines
            .iter()
            .map(|(_, l)| *l)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A subject that parses as `type(scope)!: description`.
#[derive(Debug, PartialEq, Eq)]
struct Conventional<'s> {
    kind: &'s str,
}

/// Why a subject is not a Conventional Commit.
#[derive(Debug, PartialEq, Eq)]
enum Problem {
    NoType { first_word: String },
    UnknownType { found: String },
    UnclosedScope { kind: String },
    EmptyScope { kind: String },
    NoSpace { kind: String, column: u32 },
    NoDescription { kind: String, column: u32 },
}

impl Problem {
    fn column(&self) -> u32 {
        match self {
            Problem::NoSpace { column, .. } | Problem::NoDescription { column, .. } => *column,
            _ => 1,
        }
    }
}

fn parse_conventional(subject: &str) -> Result<Conventional<'_>, Problem> {
    let end = subject
        .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(subject.len());
    let kind = &subject[..end];
    let first_word = || {
        subject
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches(|c: char| !c.is_alphanumeric())
            .to_string()
    };
    if kind.is_empty() {
        return Err(Problem::NoType {
            first_word: first_word(),
        });
    }
    let mut rest = &subject[end..];
    if let Some(after) = rest.strip_prefix('(') {
        let close = after
            .find(')')
            .filter(|&c| !after[..c].contains([':', '(']));
        let Some(close) = close else {
            return Err(Problem::UnclosedScope { kind: kind.into() });
        };
        if after[..close].trim().is_empty() {
            return Err(Problem::EmptyScope { kind: kind.into() });
        }
        rest = &after[close + 1..];
    }
    rest = rest.strip_prefix('!').unwrap_or(rest);
    let Some(after_colon) = rest.strip_prefix(':') else {
        return Err(Problem::NoType {
            first_word: first_word(),
        });
    };
    let colon_col = subject[..subject.len() - rest.len()].chars().count() as u32 + 1;
    if after_colon.trim().is_empty() {
        return Err(Problem::NoDescription {
            kind: kind.into(),
            column: colon_col,
        });
    }
    if !after_colon.starts_with(' ') {
        return Err(Problem::NoSpace {
            kind: kind.into(),
            column: colon_col + 1,
        });
    }
    Ok(Conventional { kind })
}

/// One line of git's pre-push standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRef {
    /// 1-based line of the input.
    pub line: u32,
    pub local_ref: String,
    pub local_sha: String,
    pub remote_ref: String,
    pub remote_sha: String,
    /// 1-based column of the remote ref in the line.
    pub remote_column: u32,
}

impl PushRef {
    /// A deletion (`git push origin :branch`): the local object name is all zeros.
    pub fn is_deletion(&self) -> bool {
        self.local_sha.bytes().all(|b| b == b'0')
    }
}

/// git's pre-push standard input, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushInput {
    pub refs: Vec<PushRef>,
    /// One note per line that is not in git's format (`line N: …`); such lines
    /// are not checked.
    pub notes: Vec<String>,
}

fn is_object_name(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Read git's pre-push standard input: one `<local ref> <local sha> <remote ref>
/// <remote sha>` line per ref pushed. Blank lines are skipped; other lines that
/// do not have four fields with 40- or 64-digit object names get a note.
pub fn parse_push(stdin: &str) -> PushInput {
    let mut out = PushInput::default();
    for (i, raw) in stdin.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let ok = fields.len() == 4 && is_object_name(fields[1]) && is_object_name(fields[3]);
        if !ok {
            let shown: String = line.chars().take(120).collect();
            out.notes.push(format!(
                "line {n}: not `<local ref> <local sha> <remote ref> <remote sha>`, ignored: `{shown}`"
            ));
            continue;
        }
        // The column of the third field, in characters.
        let mut col = 0;
        let mut seen = 0;
        let mut in_field = false;
        for (ci, c) in line.chars().enumerate() {
            if c.is_whitespace() {
                in_field = false;
            } else if !in_field {
                in_field = true;
                seen += 1;
                if seen == 3 {
                    col = ci + 1;
                    break;
                }
            }
        }
        out.refs.push(PushRef {
            line: n,
            local_ref: fields[0].to_string(),
            local_sha: fields[1].to_string(),
            remote_ref: fields[2].to_string(),
            remote_sha: fields[3].to_string(),
            remote_column: u32::try_from(col).unwrap_or(1),
        });
    }
    out
}

/// The pre-push input line of one ref, for hook runners that read git's standard
/// input themselves and hand each ref to the hook in variables (pre-commit sets
/// `PRE_COMMIT_LOCAL_BRANCH`, `PRE_COMMIT_TO_REF`, `PRE_COMMIT_REMOTE_BRANCH`,
/// `PRE_COMMIT_FROM_REF`).
pub fn push_line(local_ref: &str, local_sha: &str, remote_ref: &str, remote_sha: &str) -> String {
    format!("{local_ref} {local_sha} {remote_ref} {remote_sha}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::rules::Levels;
    use crate::config::Config;
    use crate::report::{Diagnostic, Level};

    const ZERO: &str = "0000000000000000000000000000000000000000";
    const SHA: &str = "1111111111111111111111111111111111111111";
    const SHA2: &str = "2222222222222222222222222222222222222222";

    fn config(conventional: bool) -> Config {
        let mut c = Config::builtin();
        if conventional {
            c.rules.insert("conventional-commit".into(), Level::Error);
        }
        c
    }

    fn run(conventional: bool, f: impl FnOnce(&CommitPolicy, &mut Sink)) -> Vec<Diagnostic> {
        let c = config(conventional);
        let levels = Levels::new(&c);
        let policy = CommitPolicy::new(&c.policy).unwrap();
        let mut sink = Sink::new(&levels);
        f(&policy, &mut sink);
        sink.into_vec()
    }

    fn message(text: &str) -> Vec<Diagnostic> {
        run(false, |p, s| {
            p.check_message(".git/COMMIT_EDITMSG", text, '#', s)
        })
    }

    fn conventional(text: &str) -> Vec<Diagnostic> {
        run(true, |p, s| p.check_message("MSG", text, '#', s))
            .into_iter()
            .filter(|d| d.code == "G0703")
            .collect()
    }

    fn codes(d: &[Diagnostic]) -> Vec<(&str, u32)> {
        d.iter().map(|d| (d.code, d.line)).collect()
    }

    #[test]
    fn issue_reference_in_subject_or_body_passes() {
        assert!(message("Export users to CSV (#12)\n").is_empty());
        assert!(message("Export users to CSV\n\nCloses #12\n").is_empty());
        assert!(message("Export users\n\nRefs acme/larder#7\n").is_empty());
        assert!(message("fix: stock drift\n\nfixes: #31\n").is_empty());
    }

    #[test]
    fn message_without_issue_is_reported_on_the_subject_line() {
        let d = message("Export users to CSV\n\nNo reference here.\n");
        assert_eq!(codes(&d), [("G0702", 1)]);
        assert_eq!(d[0].path, ".git/COMMIT_EDITMSG");
        assert!(
            d[0].message.contains("references no issue"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn subject_line_counts_leading_comments_and_blank_lines() {
        let d = message("# a template comment\n\nExport users to CSV\n");
        assert_eq!(codes(&d), [("G0702", 3)]);
    }

    #[test]
    fn reference_only_in_a_comment_does_not_count() {
        let d = message("Export users\n# Closes #12\n");
        assert_eq!(codes(&d), [("G0702", 1)]);
    }

    #[test]
    fn crlf_message() {
        assert!(message("Export users (#12)\r\n\r\nbody\r\n").is_empty());
        let d = message("Export users\r\n\r\nbody\r\n");
        assert_eq!(codes(&d), [("G0702", 1)]);
        // A CRLF scissors line still cuts the message.
        let d = message(
            "Export users\r\n# ------------------------ >8 ------------------------\r\nCloses #12\r\n",
        );
        assert_eq!(codes(&d), [("G0702", 1)]);
    }

    #[test]
    fn empty_and_comment_only_messages_give_nothing() {
        assert!(message("").is_empty());
        assert!(message("\n\n  \n").is_empty());
        assert!(message("# Please enter the commit message\n#\n# On branch main\n").is_empty());
        assert!(message("\u{feff}").is_empty());
    }

    #[test]
    fn verbose_commit_diff_after_scissors_is_ignored() {
        let text = "Export users\n\n# Please enter the commit message for your changes.\n# ------------------------ >8 ------------------------\n# Do not modify or remove the line above.\ndiff --git a/x b/x\n+Closes #12\n";
        let d = message(text);
        assert_eq!(codes(&d), [("G0702", 1)]);
        let ok = "Export users (#12)\n# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n+no reference\n";
        assert!(message(ok).is_empty());
    }

    #[test]
    fn other_comment_char() {
        let d = run(false, |p, s| {
            p.check_message("M", "; comment (#12)\nExport users\n", ';', s)
        });
        assert_eq!(codes(&d), [("G0702", 2)]);
        // With `;` as the comment char, `#` lines are message text.
        let d = run(false, |p, s| {
            p.check_message("M", "Export users\n# Closes #12\n", ';', s)
        });
        assert!(d.is_empty(), "{d:?}");
        let d = run(false, |p, s| {
            p.check_message("M", "Export users\n; ------------------------ >8 ------------------------\nCloses #12\n", ';', s)
        });
        assert_eq!(codes(&d), [("G0702", 1)]);
    }

    #[test]
    fn generated_commits_are_skipped() {
        for subject in [
            "Merge branch 'main' into feat/x",
            "Merge branch 'main' of github.com:acme/larder",
            "Merge pull request #4 from acme/feat/x",
            "Merge remote-tracking branch 'origin/main'",
            "Merge tag 'v1.2.0'",
            "fixup! Export users",
            "squash! Export users",
            "amend! Export users",
            "Revert \"Export users\"",
        ] {
            let text = format!("{subject}\n\nbody\n");
            assert!(message(&text).is_empty(), "{subject}");
            assert!(conventional(&text).is_empty(), "{subject}");
        }
        // Not merely anything that starts with `Merge`.
        assert_eq!(codes(&message("Merged the two lists\n")), [("G0702", 1)]);
    }

    #[test]
    fn no_issue_patterns_means_no_requirement() {
        let mut c = Config::builtin();
        c.policy.issue_patterns.clear();
        let levels = Levels::new(&c);
        let p = CommitPolicy::new(&c.policy).unwrap();
        let mut sink = Sink::new(&levels);
        p.check_message("M", "anything\n", '#', &mut sink);
        assert!(sink.into_vec().is_empty());
    }

    #[test]
    fn bad_patterns_are_configuration_errors() {
        let mut c = Config::builtin();
        c.policy.issue_patterns = vec!["(unclosed".into()];
        let e = CommitPolicy::new(&c.policy).unwrap_err();
        assert!(
            e.message.contains("policy.issue_patterns[0]"),
            "{}",
            e.message
        );
        let mut c = Config::builtin();
        c.policy.branch_patterns = vec!["ok".into(), "[".into()];
        let e = CommitPolicy::new(&c.policy).unwrap_err();
        assert!(
            e.message.contains("policy.branch_patterns[1]"),
            "{}",
            e.message
        );
        let mut c = Config::builtin();
        c.policy.protected_branches = vec!["release/[".into()];
        let e = CommitPolicy::new(&c.policy).unwrap_err();
        assert!(
            e.message.contains("policy.protected_branches[0]"),
            "{}",
            e.message
        );
    }

    #[test]
    fn conventional_commit_is_off_by_default() {
        let d = message("Add CSV export (#12)\n");
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn conventional_subjects_that_pass() {
        for s in [
            "feat: export users (#12)",
            "fix(parser): handle CRLF (#12)",
            "feat!: drop the v1 API (#12)",
            "feat(api)!: drop the v1 API (#12)",
            "docs: readme (#12)",
        ] {
            assert!(conventional(&format!("{s}\n")).is_empty(), "{s}");
        }
    }

    #[test]
    fn conventional_unknown_type_names_it_and_suggests() {
        let d = conventional("# comment\nfeature: export users (#12)\n");
        assert_eq!(codes(&d), [("G0703", 2)]);
        assert!(d[0].message.contains("`feature`"), "{}", d[0].message);
        assert!(d[0].help.contains("`feat`"), "{}", d[0].help);
        assert!(
            d[0].help.contains("feat: export users (#12)"),
            "{}",
            d[0].help
        );
        let d = conventional("Fix: crash (#12)\n");
        assert!(d[0].message.contains("`Fix`"), "{}", d[0].message);
        assert!(d[0].help.contains("`fix`"), "{}", d[0].help);
        let d = conventional("bugfix(cart): crash (#12)\n");
        assert!(d[0].help.contains("`fix`"), "{}", d[0].help);
    }

    #[test]
    fn conventional_missing_type_suggests_from_the_first_word() {
        let d = conventional("Add CSV export (#12)\n");
        assert_eq!(codes(&d), [("G0703", 1)]);
        assert!(d[0].message.contains("`Add`"), "{}", d[0].message);
        assert!(
            d[0].help.contains("feat: add CSV export (#12)"),
            "{}",
            d[0].help
        );
        let d = conventional("CSV export (#12)\n");
        assert!(d[0].help.contains("CSV export"), "{}", d[0].help);
        let d = conventional("Zzyzx the frobnicator (#12)\n");
        assert!(
            d[0].help.contains("`TYPE: zzyzx the frobnicator (#12)`"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn conventional_shape_problems() {
        let d = conventional("feat(api: x (#12)\n");
        assert!(d[0].message.contains("never closes"), "{}", d[0].message);
        let d = conventional("feat(): x (#12)\n");
        assert!(d[0].message.contains("empty scope"), "{}", d[0].message);
        let d = conventional("feat:x (#12)\n");
        assert!(
            d[0].message.contains("space after `feat:`"),
            "{}",
            d[0].message
        );
        assert_eq!(d[0].column, 6);
        let d = conventional("feat:   \n\nCloses #12\n");
        assert!(d[0].message.contains("no description"), "{}", d[0].message);
    }

    #[test]
    fn branch_names() {
        let check = |b: &str| run(false, |p, s| p.check_branch(b, "(branch)", 1, s));
        for ok in [
            "main",
            "feat/export-csv",
            "fix/31-negative-stock",
            "refs/heads/feat/x",
            "12-export",
            "dependabot/cargo/regex-1.12",
        ] {
            assert!(check(ok).is_empty(), "{ok}");
        }
        let d = check("my feature");
        assert_eq!(codes(&d), [("G0704", 1)]);
        assert_eq!(d[0].path, "(branch)");
        assert!(d[0].message.contains("`my feature`"), "{}", d[0].message);
        assert!(
            d[0].help
                .contains("git branch -m my feature feat/my-feature"),
            "{}",
            d[0].help
        );
        assert!(check("").is_empty());
    }

    #[test]
    fn protected_branches() {
        let mut c = Config::builtin();
        c.policy.protected_branches = vec!["main".into(), "release/*".into()];
        let p = CommitPolicy::new(&c.policy).unwrap();
        assert!(p.is_protected("main"));
        assert!(p.is_protected("refs/heads/main"));
        assert!(p.is_protected("release/1.2"));
        assert!(!p.is_protected("release/1.2/hotfix"));
        assert!(!p.is_protected("feat/main"));
        assert!(!p.is_protected("mainline"));
        assert!(!p.is_protected(""));
    }

    fn push(stdin: &str) -> Vec<Diagnostic> {
        run(false, |p, s| p.check_push("(pre-push)", stdin, s))
    }

    #[test]
    fn push_to_protected_branch() {
        let d = push(&format!("refs/heads/feat/x {SHA} refs/heads/main {SHA2}\n"));
        assert_eq!(codes(&d), [("G0705", 1)]);
        assert_eq!(d[0].path, "(pre-push)");
        assert_eq!(d[0].column, 60);
        assert!(d[0].message.contains("`main`"), "{}", d[0].message);
    }

    #[test]
    fn push_checks_each_branch_by_line() {
        let stdin = format!(
            "refs/heads/feat/x {SHA} refs/heads/feat/x {ZERO}\nrefs/heads/oops {SHA} refs/heads/oops {ZERO}\nrefs/heads/main {SHA} refs/heads/main {SHA2}\n"
        );
        let d = push(&stdin);
        assert_eq!(codes(&d), [("G0704", 2), ("G0705", 3)]);
        assert!(d[0].message.contains("`oops`"), "{}", d[0].message);
    }

    #[test]
    fn push_skips_deletions_and_tags() {
        let stdin = format!(
            "(delete) {ZERO} refs/heads/main {SHA}\nrefs/tags/v1 {SHA} refs/tags/v1 {ZERO}\n"
        );
        assert!(push(&stdin).is_empty());
        assert!(push("").is_empty());
    }

    #[test]
    fn push_crlf_and_sha256() {
        let sha256 = "a".repeat(64);
        let stdin = format!("refs/heads/x {sha256} refs/heads/main {sha256}\r\n");
        assert_eq!(codes(&push(&stdin)), [("G0705", 1)]);
    }

    #[test]
    fn malformed_push_lines_are_ignored_with_a_note() {
        let stdin = format!(
            "garbage\nrefs/heads/x nothex refs/heads/main {SHA}\n\nrefs/heads/x {SHA} refs/heads/main {SHA2}\n"
        );
        assert_eq!(codes(&push(&stdin)), [("G0705", 4)]);
        let parsed = parse_push(&stdin);
        assert_eq!(parsed.refs.len(), 1);
        assert_eq!(parsed.notes.len(), 2);
        assert!(
            parsed.notes[0].starts_with("line 1: "),
            "{}",
            parsed.notes[0]
        );
        assert!(
            parsed.notes[1].starts_with("line 2: "),
            "{}",
            parsed.notes[1]
        );
    }

    #[test]
    fn push_line_round_trips() {
        let line = push_line("refs/heads/x", SHA, "refs/heads/main", SHA2);
        let parsed = parse_push(&line);
        assert_eq!(parsed.refs[0].remote_ref, "refs/heads/main");
        assert!(parsed.notes.is_empty());
    }

    #[test]
    fn conventional_parser() {
        assert_eq!(
            parse_conventional("feat: x"),
            Ok(Conventional { kind: "feat" })
        );
        assert_eq!(
            parse_conventional("feat(a-b)!: x"),
            Ok(Conventional { kind: "feat" })
        );
        assert!(matches!(
            parse_conventional(": x"),
            Err(Problem::NoType { .. })
        ));
        assert!(matches!(
            parse_conventional("Add, remove"),
            Err(Problem::NoType { first_word }) if first_word == "Add"
        ));
    }
}
