//! `genie.toml`: the model, the built-in defaults and layered loading.
//!
//! The built-in configuration (`default.toml`, embedded) is the first layer; a
//! repository's `genie.toml` is laid over it. Tables merge key by key; any other
//! value, lists included, replaces the default. Unknown keys are errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::Level;

/// The built-in configuration, as shipped.
pub const DEFAULT_TOML: &str = include_str!("default.toml");
/// File name genie looks for when discovering a repository root.
pub const FILE_NAME: &str = "genie.toml";

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
/// genie's configuration (`genie.toml`), laid over the built-in defaults.
pub struct Config {
    /// `owner/name` of this repository; references such as `acme/shop#12` count as local when they name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Profile of a DocSet that names none.
    pub default_profile: String,
    /// Order of the process stages.
    pub stage_order: Vec<String>,
    /// Owner roles accepted in `owner_role` and `approvals.required` (case-insensitive).
    pub owner_roles: Vec<String>,
    /// Regular expressions for template placeholders that must not remain in front-matter.
    pub placeholders: Vec<String>,
    pub docs: DocsConfig,
    pub docset: DocsetConfig,
    pub statuses: StatusConfig,
    /// Level of a rule by name or code: `error`, `warning` or `off`.
    #[serde(default)]
    pub rules: BTreeMap<String, Level>,
    /// Stages and what each requires.
    pub stages: BTreeMap<String, StageConfig>,
    /// Profiles: which stages an issue passes through.
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// Document types.
    pub types: BTreeMap<String, TypeConfig>,
    /// Traceability: the issue map (`genie matrix`) and the table of contents (`genie toc`).
    pub trace: TraceConfig,
    /// Policy enforced by the git hooks and `genie policy check`.
    pub policy: PolicyConfig,
    /// `genie handoff check`: what the handoff package a task leaves for its reviewer must hold.
    pub handoff: HandoffConfig,
    /// Labels beyond the built-in catalog, or built-in labels changed: `[labels."run:dev"]`.
    #[serde(default)]
    pub labels: BTreeMap<String, LabelConfig>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Regular expressions; a commit message must match one of them (rule `commit-issue-reference`).
    pub issue_patterns: Vec<String>,
    /// Types a Conventional Commits subject may start with (rule `conventional-commit`, off by default).
    pub commit_types: Vec<String>,
    /// Regular expressions; a branch name must match one of them (rule `branch-name`).
    pub branch_patterns: Vec<String>,
    /// Branches nobody commits or pushes to directly (rule `protected-branch`).
    pub protected_branches: Vec<String>,
    /// A line containing this marker is never reported as a secret.
    pub secret_allow_marker: String,
    /// File (relative to the root) of allowed secrets: one per line, a fingerprint, a regular expression or `path:GLOB`.
    pub secrets_allowlist: String,
    /// Globs (relative to the root) of files not scanned for secrets.
    #[serde(default)]
    pub secrets_exclude: Vec<String>,
    /// Staged files larger than this many bytes are not scanned for secrets (with a note).
    pub max_scan_bytes: u64,
}

/// `[handoff]`: the package `genie handoff check` scores.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoffConfig {
    /// Folder of the package, relative to the repository root (`genie handoff check` without DIR).
    pub dir: String,
    /// Files the package must hold, relative to its folder; each must be present and not blank.
    pub files: Vec<String>,
    /// The file (one of `files`) whose sections are checked.
    pub handoff: String,
    /// The test plan (one of `files`): it must list at least one item or table row; `""` checks none.
    pub test_plan: String,
    /// Lowest passing score, 0 to 100.
    #[schemars(range(max = 100))]
    pub min_score: u32,
    /// Sections of the handoff file, found by heading: `name` or an alias, compared case-insensitively.
    pub sections: Vec<HandoffSectionConfig>,
}

/// One section of the handoff file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoffSectionConfig {
    /// The section's name, also a heading that counts.
    pub name: String,
    /// Other headings that count (any language).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// `false`: checked when present, not required.
    #[serde(default = "yes")]
    pub required: bool,
    /// Whether "none" (or "n/a", "нет") alone fills the section.
    #[serde(default)]
    pub none_ok: bool,
    /// What else is checked in the section.
    #[serde(default)]
    pub role: HandoffRole,
}

/// What `genie handoff check` reads a section for, beyond being filled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HandoffRole {
    /// Filled, nothing more.
    #[default]
    Text,
    /// Each decision carries its reason.
    Decisions,
    /// Backticked or linked paths exist in the repository.
    Artifacts,
    /// Commands it names (`make test`, `npm run lint`, …) exist in the repository.
    Commands,
}

fn yes() -> bool {
    true
}

impl HandoffConfig {
    /// Problems with the section, as messages (for [`Config`] validation).
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let relative = |p: &str| {
            !p.is_empty()
                && !p.starts_with('/')
                && !p.contains('\\')
                && !p.split('/').any(|c| c == "..")
        };
        if !relative(&self.dir) {
            out.push((
                "dir",
                format!(
                    "handoff.dir `{}` must be a repository-relative folder, written with `/` (`.` for the root)",
                    self.dir
                ),
            ));
        }
        for f in &self.files {
            if !relative(f) || f.ends_with('/') {
                out.push((
                    "files",
                    format!("handoff.files: `{f}` must be a file path relative to handoff.dir"),
                ));
            }
        }
        if !self.files.contains(&self.handoff) {
            out.push((
                "handoff",
                format!(
                    "handoff.handoff `{}` is not one of handoff.files",
                    self.handoff
                ),
            ));
        }
        if !self.test_plan.is_empty() && !self.files.contains(&self.test_plan) {
            out.push((
                "test_plan",
                format!(
                    "handoff.test_plan `{}` is not one of handoff.files",
                    self.test_plan
                ),
            ));
        }
        if self.min_score > 100 {
            out.push((
                "min_score",
                format!("handoff.min_score {} is above 100", self.min_score),
            ));
        }
        let mut names = std::collections::BTreeSet::new();
        for s in &self.sections {
            if s.name.trim().is_empty() {
                out.push((
                    "sections",
                    "handoff.sections: a section has no name".to_string(),
                ));
            } else if !names.insert(s.name.to_lowercase()) {
                out.push((
                    "sections",
                    format!("handoff.sections: `{}` is listed twice", s.name),
                ));
            }
        }
        out
    }
}

/// A label of the process: added to the built-in catalog, or changing a built-in one.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelConfig {
    /// What the label means.
    #[serde(default)]
    pub description: String,
    /// Colour, six hexadecimal digits without `#`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Repository variable that holds the label's name (default: derived, `run:dev` → `RUN_DEV_LABEL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
    /// `true` removes a built-in label from the catalog.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocsConfig {
    /// Folders searched for markdown documents, relative to the repository root.
    pub roots: Vec<String>,
    /// Globs (relative to the root) that document rules do not look at.
    pub exclude: Vec<String>,
    /// Globs of documents that may go without front-matter (index pages, READMEs).
    #[serde(default)]
    pub optional_front_matter: Vec<String>,
    /// Fields every document must have.
    pub required_fields: Vec<String>,
    /// Digits in the number of a doc_id.
    pub id_width: usize,
    /// Longest document, in lines, before `document-too-long` fires.
    pub max_lines: usize,
    /// Folder of template overrides for `genie new` (`<type>.md`), relative to the root.
    #[serde(default = "default_templates_dir")]
    pub templates_dir: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocsetConfig {
    /// Folder of DocSet files (`issues/issue-<N>.yaml`, `prs/pr-<N>.yaml`).
    pub dir: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusConfig {
    /// The lifecycle statuses.
    pub values: Vec<String>,
    /// Other spellings and the status each stands for.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageConfig {
    #[serde(default)]
    pub description: String,
    /// Types that must exist (and be approved before the issue leaves the stage);
    /// `epic|story` means either.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Pull requests the issue must have linked.
    #[serde(default)]
    pub requires_prs: usize,
    /// Types also required when a document of this stage records `incident: true`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires_on_incident: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    #[serde(default)]
    pub description: String,
    /// The stages, in order, an issue of this profile passes through.
    pub stages: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypeConfig {
    /// doc_id prefix (`ADR` for `ADR-0007`).
    pub prefix: String,
    /// Folder new documents of this type go to.
    #[serde(default)]
    pub dir: String,
    /// Fields required beyond `docs.required_fields`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_fields: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceConfig {
    /// Where `genie matrix --write` writes the issue map (repository-relative).
    pub issue_map: String,
    /// Where `genie toc --write` writes the table of contents (repository-relative).
    pub toc: String,
    /// Types whose documents count as the decisions of a release.
    pub decision_types: Vec<String>,
    /// Columns of the issue map, in order.
    pub columns: Vec<ColumnConfig>,
}

/// One column of the issue map: the documents of some types, or a value of the issue or PR.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnConfig {
    /// Column header.
    pub header: String,
    /// Document types the column lists (with their status).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    /// A value of the issue or PR instead of documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<ColumnValue>,
}

/// What a value column shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnValue {
    /// `#12` and the title.
    Item,
    /// The title alone.
    Title,
    /// A link to the DocSet file.
    Docset,
    /// The profile.
    Profile,
    /// The stage.
    Stage,
    /// Derived: the stage, `blocked` with what the gate misses, `done`, `abandoned`.
    Status,
    /// The releases the work ships in.
    Release,
    /// Linked pull requests (for an issue) or the issue (for a PR).
    Links,
}

fn default_templates_dir() -> String {
    "docs/templates".to_string()
}

/// A configuration problem: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{}{message}", location(path, *line))]
pub struct ConfigError {
    pub path: Option<PathBuf>,
    pub line: Option<usize>,
    pub message: String,
}

fn location(path: &Option<PathBuf>, line: Option<usize>) -> String {
    match (path, line) {
        (Some(p), Some(l)) => format!("{}:{l}: ", p.display()),
        (Some(p), None) => format!("{}: ", p.display()),
        _ => String::new(),
    }
}

impl ConfigError {
    fn new(path: Option<&Path>, line: Option<usize>, message: impl Into<String>) -> Self {
        ConfigError {
            path: path.map(Path::to_path_buf),
            line,
            message: message.into(),
        }
    }
}

impl Config {
    /// The built-in configuration alone.
    pub fn builtin() -> Config {
        Self::from_layers(None).expect("the built-in configuration is valid")
    }

    /// Load a genie.toml file over the defaults.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(
                Some(path),
                None,
                format!("cannot read the configuration: {e}"),
            )
        })?;
        Self::parse(&text, Some(path))
    }

    /// Parse configuration text over the defaults; `path` is only for messages.
    pub fn parse(text: &str, path: Option<&Path>) -> Result<Config, ConfigError> {
        let user: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            ConfigError::new(path, line, e.message().trim().to_string())
        })?;
        Self::from_layers(Some((user, text, path)))
    }

    fn from_layers(
        user: Option<(toml::Table, &str, Option<&Path>)>,
    ) -> Result<Config, ConfigError> {
        let mut merged: toml::Table =
            toml::from_str(DEFAULT_TOML).expect("the built-in configuration parses");
        let (text, path) = match &user {
            Some((_, text, path)) => (*text, *path),
            None => ("", None),
        };
        if let Some((user, _, _)) = user {
            merge(&mut merged, user);
        }
        let de = toml::Value::Table(merged);
        let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let key_path = e.path().to_string();
            let inner = e.into_inner().to_string();
            let message = inner.lines().next().unwrap_or_default().trim().to_string();
            let line = find_key_line(text, &key_path, &message);
            ConfigError::new(path, line, format!("`{key_path}`: {message}"))
        })?;
        config.validate(text, path)?;
        Ok(config)
    }

    fn validate(&self, text: &str, path: Option<&Path>) -> Result<(), ConfigError> {
        let err =
            |key: &str, msg: String| ConfigError::new(path, find_key_line(text, key, ""), msg);
        for stage in &self.stage_order {
            if !self.stages.contains_key(stage) {
                return Err(err(
                    "stage_order",
                    format!("stage_order names `{stage}`, which has no [stages.{stage}] table"),
                ));
            }
        }
        for (name, stage) in &self.stages {
            if !self.stage_order.contains(name) {
                return Err(err(
                    name,
                    format!("[stages.{name}] is not listed in stage_order"),
                ));
            }
            for req in stage.requires.iter().chain(&stage.requires_on_incident) {
                for t in req.split('|') {
                    if !self.types.contains_key(t.trim()) {
                        return Err(err(
                            name,
                            format!(
                                "stage `{name}` requires unknown type `{t}`{}",
                                did_you_mean(t, self.types.keys())
                            ),
                        ));
                    }
                }
            }
        }
        for (name, profile) in &self.profiles {
            let mut last = None;
            for s in &profile.stages {
                let Some(pos) = self.stage_order.iter().position(|o| o == s) else {
                    return Err(err(
                        name,
                        format!(
                            "profile `{name}` names unknown stage `{s}`{}",
                            did_you_mean(s, &self.stage_order)
                        ),
                    ));
                };
                if last.is_some_and(|l| pos <= l) {
                    return Err(err(
                        name,
                        format!("profile `{name}` lists stage `{s}` out of stage_order"),
                    ));
                }
                last = Some(pos);
            }
        }
        for (key, list) in [
            ("issue_patterns", &self.policy.issue_patterns),
            ("branch_patterns", &self.policy.branch_patterns),
        ] {
            for p in list {
                if let Err(e) = regex_syntax::Parser::new().parse(p) {
                    return Err(err(
                        key,
                        format!("policy.{key}: `{p}` is not a regular expression: {e}"),
                    ));
                }
            }
        }
        if !self.profiles.contains_key(&self.default_profile) {
            return Err(err(
                "default_profile",
                format!(
                    "default_profile `{}` is not a profile",
                    self.default_profile
                ),
            ));
        }
        let mut prefixes: BTreeMap<&str, &str> = BTreeMap::new();
        for (name, t) in &self.types {
            if t.prefix.is_empty()
                || !t
                    .prefix
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
                || t.prefix.ends_with('-')
            {
                return Err(err(
                    "prefix",
                    format!(
                        "type `{name}`: prefix `{}` must be upper-case letters, digits and inner dashes",
                        t.prefix
                    ),
                ));
            }
            if let Some(other) = prefixes.insert(&t.prefix, name) {
                return Err(err(
                    "prefix",
                    format!(
                        "types `{other}` and `{name}` share the prefix `{}`",
                        t.prefix
                    ),
                ));
            }
        }
        for (alias, target) in &self.statuses.aliases {
            if !self.statuses.values.contains(target) {
                return Err(err(
                    alias,
                    format!("status alias `{alias}` stands for `{target}`, which is not a status"),
                ));
            }
        }
        for p in &self.placeholders {
            if let Err(e) = regex_syntax::Parser::new().parse(p) {
                return Err(err(
                    "placeholders",
                    format!("placeholder pattern `{p}` is not a valid regular expression: {e}"),
                ));
            }
        }
        for (key, list) in [
            ("exclude", &self.docs.exclude),
            ("optional_front_matter", &self.docs.optional_front_matter),
        ] {
            for g in list {
                if let Err(e) = globset::Glob::new(g) {
                    return Err(err(key, format!("docs.{key} pattern `{g}`: {e}")));
                }
            }
        }
        for key in self.rules.keys() {
            if crate::check::rules::find(key).is_none() {
                let names = crate::check::rules::RULES.iter().map(|r| r.name);
                return Err(err(
                    key,
                    format!("[rules]: unknown rule `{key}`{}", did_you_mean(key, names)),
                ));
            }
        }
        self.validate_trace(text, path)?;
        if let Some((key, message)) = self.handoff.problems().into_iter().next() {
            return Err(err(key, message));
        }
        if self.docs.id_width == 0 || self.docs.id_width > 9 {
            return Err(err(
                "id_width",
                "docs.id_width must be between 1 and 9".into(),
            ));
        }
        Ok(())
    }

    fn validate_trace(&self, text: &str, path: Option<&Path>) -> Result<(), ConfigError> {
        let err =
            |key: &str, msg: String| ConfigError::new(path, find_key_line(text, key, ""), msg);
        for (key, file) in [
            ("issue_map", &self.trace.issue_map),
            ("toc", &self.trace.toc),
        ] {
            let bad = file.is_empty()
                || file.starts_with('/')
                || file.contains('\\')
                || file
                    .split('/')
                    .any(|c| c.is_empty() || c == "." || c == "..")
                || !file.ends_with(".md");
            if bad {
                return Err(err(
                    key,
                    format!(
                        "trace.{key} `{file}` must be a repository-relative path to a .md file, written with `/`"
                    ),
                ));
            }
        }
        if self.trace.issue_map == self.trace.toc {
            return Err(err(
                "toc",
                "trace.issue_map and trace.toc must be different files".into(),
            ));
        }
        let known_type = |t: &str| -> Result<(), ConfigError> {
            if self.types.contains_key(t) {
                Ok(())
            } else {
                Err(err(
                    "types",
                    format!(
                        "trace: unknown type `{t}`{}",
                        did_you_mean(t, self.types.keys())
                    ),
                ))
            }
        };
        for t in &self.trace.decision_types {
            known_type(t)?;
        }
        if self.trace.columns.is_empty() {
            return Err(err("columns", "trace.columns must not be empty".into()));
        }
        for c in &self.trace.columns {
            match (c.types.is_empty(), c.value) {
                (true, None) | (false, Some(_)) => {
                    return Err(err(
                        "header",
                        format!(
                            "trace column `{}` needs either `types` (documents) or `value`, not both",
                            c.header
                        ),
                    ));
                }
                _ => {}
            }
            for t in &c.types {
                known_type(t)?;
            }
        }
        Ok(())
    }

    /// The canonical status for a status or alias.
    pub fn canonical_status<'a>(&'a self, s: &'a str) -> Option<&'a str> {
        if let Some(v) = self.statuses.values.iter().find(|v| *v == s) {
            return Some(v);
        }
        self.statuses.aliases.get(s).map(String::as_str)
    }

    /// The type whose prefix is the longest one `id` starts with (followed by `-`).
    pub fn type_for_id(&self, id: &str) -> Option<&str> {
        self.types
            .iter()
            .filter(|(_, t)| {
                id.len() > t.prefix.len()
                    && id.starts_with(&t.prefix)
                    && id.as_bytes()[t.prefix.len()] == b'-'
            })
            .max_by_key(|(_, t)| t.prefix.len())
            .map(|(name, _)| name.as_str())
    }

    /// The stage a document type is required by, if any.
    pub fn stage_of_type(&self, ty: &str) -> Option<&str> {
        self.stage_order.iter().map(String::as_str).find(|s| {
            self.stages.get(*s).is_some_and(|st| {
                st.requires
                    .iter()
                    .chain(&st.requires_on_incident)
                    .any(|r| r.split('|').any(|t| t.trim() == ty))
            })
        })
    }

    pub fn is_role(&self, role: &str) -> bool {
        self.owner_roles
            .iter()
            .any(|r| r.eq_ignore_ascii_case(role))
    }

    /// The effective configuration as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

/// Lay `over` on `base`: tables merge, everything else replaces.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Best effort: the line of the last key named in a serde path (or in the message).
fn find_key_line(text: &str, key_path: &str, message: &str) -> Option<usize> {
    let mut candidates: Vec<String> = Vec::new();
    if let Some(unknown) = message.split('`').nth(1) {
        candidates.push(unknown.to_string());
    }
    if let Some(last) = key_path.rsplit('.').next() {
        candidates.push(last.split('[').next().unwrap_or(last).to_string());
    }
    for key in candidates.iter().filter(|k| !k.is_empty()) {
        for (i, line) in text.lines().enumerate() {
            let t = line
                .trim_start()
                .trim_start_matches('[')
                .trim_start_matches('"')
                .trim_start_matches('\'');
            let t = t.strip_prefix(key.as_str()).map(str::trim_start);
            if let Some(rest) = t
                && (rest.starts_with('=')
                    || rest.starts_with(']')
                    || rest.starts_with('"')
                    || rest.starts_with('\'')
                    || rest.starts_with('.'))
            {
                return Some(i + 1);
            }
            if line.trim_start().starts_with('[') && line.contains(&format!(".{key}]")) {
                return Some(i + 1);
            }
        }
    }
    None
}

/// ` (did you mean `x`?)` when a close candidate exists.
pub fn did_you_mean<'a, I, S>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str> + 'a,
{
    match suggest(word, candidates) {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn suggest<I, S>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let c = c.as_ref().to_string();
            let score = strsim::jaro_winkler(&lower, &c.to_lowercase());
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(&a.1)))
        .map(|(_, c)| c)
}

/// Where the repository root is and which configuration applies.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub root: PathBuf,
    pub config_path: Option<PathBuf>,
}

/// Find the repository root: the nearest ancestor of `start` holding genie.toml,
/// else the nearest holding `.git`, else `start` itself.
pub fn discover(start: &Path) -> Discovered {
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Discovered {
                root: dir.to_path_buf(),
                config_path: Some(candidate),
            };
        }
    }
    for dir in start.ancestors() {
        if dir.join(".git").exists() {
            return Discovered {
                root: dir.to_path_buf(),
                config_path: None,
            };
        }
    }
    Discovered {
        root: start.to_path_buf(),
        config_path: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_every_default_type_and_stage() {
        let c = Config::builtin();
        assert_eq!(c.types.len(), 42);
        assert_eq!(c.stage_order.len(), 12);
        assert_eq!(c.types["alerts"].prefix, "ALT-ALR");
        assert_eq!(c.profiles["quick-fix"].stages.len(), 6);
    }

    #[test]
    fn longest_prefix_wins() {
        let c = Config::builtin();
        assert_eq!(c.type_for_id("ALT-ALR-0001"), Some("alerts"));
        assert_eq!(c.type_for_id("ALT-0001"), Some("alternatives"));
        assert_eq!(c.type_for_id("TST-PLN-0002"), Some("test-plan"));
        assert_eq!(c.type_for_id("NOPE-0001"), None);
    }

    #[test]
    fn user_tables_merge_and_lists_replace() {
        let c = Config::parse(
            "owner_roles = [\"owner\", \"lead\"]\n[types.adr]\nprefix = \"DEC\"\n[types.memo]\nprefix = \"MEMO\"\n",
            None,
        )
        .unwrap();
        assert_eq!(c.owner_roles, ["owner", "lead"]);
        assert_eq!(c.types["adr"].prefix, "DEC");
        assert_eq!(c.types["adr"].dir, "docs/architecture/adr");
        assert_eq!(c.types["memo"].prefix, "MEMO");
    }

    #[test]
    fn unknown_keys_are_errors_with_a_line() {
        let e = Config::parse(
            "[docs]\nroots = [\"docs\"]\nmax_line = 3\n",
            Some(Path::new("genie.toml")),
        )
        .unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("max_line"), "{e}");
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let e = Config::parse("a = 1\nb = \n", None).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn unknown_rule_names_are_errors() {
        let e = Config::parse("[rules]\nduplicate-doc-ids = \"off\"\n", None).unwrap_err();
        assert!(e.message.contains("did you mean `duplicate-doc-id`"), "{e}");
        let ok = Config::parse(
            "[rules]\nG0203 = \"off\"\nbroken-link = \"warning\"\n",
            None,
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn profiles_must_name_known_stages() {
        let e =
            Config::parse("[profiles.x]\nstages = [\"intake\", \"desgn\"]\n", None).unwrap_err();
        assert!(e.message.contains("did you mean `design`"), "{e}");
    }

    #[test]
    fn dump_round_trips() {
        let c = Config::builtin();
        let again = Config::parse(&c.to_toml(), None).unwrap();
        assert_eq!(again.to_toml(), c.to_toml());
    }
}
