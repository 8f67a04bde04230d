//! Diagnostics and the reporters that write them: human, json, sarif, github.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

/// How serious a finding is. `Off` silences a rule.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// Another place a diagnostic refers to (the first definition of a duplicate id, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub path: String,
    pub line: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<String>,
}

/// One finding of one rule at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub rule: &'static str,
    pub level: Level,
    /// Repository-relative, `/`-separated.
    pub path: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub message: String,
    pub help: String,
    pub related: Vec<Related>,
}

impl Diagnostic {
    fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (&self.path, self.line, self.column, self.code, &self.message)
    }
}

/// The outcome of `genie check`.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Documents read.
    pub docs: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Sort diagnostics by place (path, line, column, code) and drop exact repeats.
    pub fn normalize(&mut self) {
        self.diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.diagnostics.dedup();
    }

    pub fn count(&self, level: Level) -> usize {
        self.diagnostics.iter().filter(|d| d.level == level).count()
    }

    pub fn errors(&self) -> usize {
        self.count(Level::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Level::Warning)
    }

    /// Whether the run fails: any error, or any warning when warnings are denied.
    pub fn failed(&self, deny_warnings: bool) -> bool {
        self.errors() > 0 || (deny_warnings && self.warnings() > 0)
    }
}

/// Output formats of `genie check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// Reads source lines for reporters that show them; files are read on demand so
/// that checking a large repository never holds every document in memory.
pub trait SourceLines {
    fn line(&self, path: &str, line: u32) -> Option<String>;
}

/// Reads lines from files under a root.
pub struct FileSource {
    pub root: std::path::PathBuf,
    cache: std::cell::RefCell<std::collections::HashMap<String, Option<String>>>,
}

impl FileSource {
    pub fn new(root: impl Into<std::path::PathBuf>) -> Self {
        FileSource {
            root: root.into(),
            cache: Default::default(),
        }
    }
}

impl SourceLines for FileSource {
    fn line(&self, path: &str, line: u32) -> Option<String> {
        let mut cache = self.cache.borrow_mut();
        let text = cache.entry(path.to_string()).or_insert_with(|| {
            let bytes = std::fs::read(self.root.join(path)).ok()?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        });
        let text = text.as_deref()?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        text.split('\n')
            .nth(line.checked_sub(1)? as usize)
            .map(|l| l.trim_end_matches('\r').to_string())
    }
}
