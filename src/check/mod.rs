//! `genie check`: every rule over a loaded repository.
//!
//! Rules on one file run while the repository is read (in parallel, see
//! [`crate::repo`]); the rules here look across documents and DocSets.

pub mod docsets;
pub mod fields;
pub mod links;
pub mod refs;
pub mod rules;

use crate::config::{Config, ConfigError};
use crate::repo::Repo;
use crate::report::{Diagnostic, Level, Related, Report};
use rules::{Levels, Rule};

/// What rules need besides the repository: configuration, levels and compiled patterns.
pub struct Context<'a> {
    pub config: &'a Config,
    pub levels: Levels,
    pub placeholders: regex::RegexSet,
    pub excludes: globset::GlobSet,
    /// Documents that may go without front-matter.
    pub optional_front_matter: globset::GlobSet,
}

impl<'a> Context<'a> {
    pub fn new(config: &'a Config) -> Result<Self, ConfigError> {
        let bad = |m: String| ConfigError {
            path: None,
            line: None,
            message: m,
        };
        let placeholders = regex::RegexSet::new(&config.placeholders)
            .map_err(|e| bad(format!("placeholders: {e}")))?;
        let globs = |key: &str, list: &[String]| -> Result<globset::GlobSet, ConfigError> {
            let mut b = globset::GlobSetBuilder::new();
            for g in list {
                b.add(globset::Glob::new(g).map_err(|e| bad(format!("docs.{key}: {e}")))?);
            }
            b.build().map_err(|e| bad(format!("docs.{key}: {e}")))
        };
        // Files genie generates are never documents, wherever they are configured to go.
        let mut exclude = config.docs.exclude.clone();
        exclude.extend(
            [&config.trace.issue_map, &config.trace.toc]
                .into_iter()
                .map(|p| globset::escape(p)),
        );
        // Nor are the templates of `genie new`, whose front-matter is full of placeholders.
        let templates = config.docs.templates_dir.trim_end_matches('/');
        if !templates.is_empty() {
            exclude.push(format!("{}/**", globset::escape(templates)));
        }
        Ok(Context {
            config,
            levels: Levels::new(config),
            placeholders,
            excludes: globs("exclude", &exclude)?,
            optional_front_matter: globs(
                "optional_front_matter",
                &config.docs.optional_front_matter,
            )?,
        })
    }
}

/// Collects diagnostics, applying the configured level of each rule.
pub struct Sink<'l> {
    levels: &'l Levels,
    out: Vec<Diagnostic>,
}

impl<'l> Sink<'l> {
    pub fn new(levels: &'l Levels) -> Self {
        Sink {
            levels,
            out: Vec::new(),
        }
    }

    pub fn enabled(&self, rule: &Rule) -> bool {
        self.levels.of(rule) != Level::Off
    }

    pub fn emit(&mut self, rule: &'static Rule, path: &str, line: u32, col: u32, message: String) {
        self.push(rule, path, line, col, message, None, Vec::new());
    }

    pub fn emit_help(
        &mut self,
        rule: &'static Rule,
        path: &str,
        line: u32,
        col: u32,
        message: String,
        help: String,
    ) {
        self.push(rule, path, line, col, message, Some(help), Vec::new());
    }

    pub fn emit_related(
        &mut self,
        rule: &'static Rule,
        path: &str,
        line: u32,
        col: u32,
        message: String,
        related: Vec<Related>,
    ) {
        self.push(rule, path, line, col, message, None, related);
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        rule: &'static Rule,
        path: &str,
        line: u32,
        col: u32,
        message: String,
        help: Option<String>,
        related: Vec<Related>,
    ) {
        let level = self.levels.of(rule);
        if level == Level::Off {
            return;
        }
        self.out.push(Diagnostic {
            code: rule.code,
            rule: rule.name,
            level,
            path: path.to_string(),
            line: line.max(1),
            column: col.max(1),
            message,
            help: help.unwrap_or_else(|| rule.help.to_string()),
            related,
        });
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.out
    }

    /// The levels this sink applies (to make more sinks, e.g. one per thread).
    pub fn levels(&self) -> &'l Levels {
        self.levels
    }

    /// Add findings gathered by another sink with the same levels.
    pub fn extend(&mut self, diagnostics: Vec<Diagnostic>) {
        self.out.extend(diagnostics);
    }
}

/// Options of a check run.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Report only diagnostics under these repository-relative paths (all when empty).
    pub paths: Vec<String>,
    /// Check the links of these documents only (all when `None`): the pre-commit
    /// hook needs the links of the staged documents, not of their neighbours.
    pub links_of: Option<std::collections::HashSet<String>>,
}

/// Run every cross-document rule over a loaded repository and gather all findings.
pub fn run(repo: &Repo, ctx: &Context, opts: &Options) -> Report {
    let mut sink = Sink::new(&ctx.levels);
    let index = refs::Index::new(repo);
    refs::check(repo, &index, &mut sink);
    links::check(repo, &index, opts.links_of.as_ref(), &mut sink);
    docsets::check(repo, &index, ctx, &mut sink);
    let mut diagnostics = repo.diagnostics.clone();
    diagnostics.extend(sink.into_vec());
    if !opts.paths.is_empty() {
        diagnostics.retain(|d| {
            opts.paths.iter().any(|p| {
                let p = p.trim_end_matches('/');
                p.is_empty() || p == "." || d.path == p || d.path.starts_with(&format!("{p}/"))
            })
        });
    }
    let mut report = Report {
        docs: repo.docs.len(),
        diagnostics,
    };
    report.normalize();
    report
}
