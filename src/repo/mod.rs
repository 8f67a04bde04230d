//! Loading a repository: walking the document roots (honouring `.gitignore`),
//! reading and parsing every document in parallel, and reading DocSet files.

pub mod git;
pub mod index;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::check::{Context, Sink, fields, rules};
use crate::config::Config;
use crate::markdown;
use crate::model::Doc;
use crate::model::docset::{self, DocSet, DocSetFile, Kind};
use crate::model::frontmatter::{self, Split};
use crate::report::Diagnostic;
use crate::yaml;

/// A loaded repository: configuration, documents and DocSets, and the findings
/// of the rules that look at one file at a time.
#[derive(Debug)]
pub struct Repo {
    pub root: PathBuf,
    pub config: Config,
    /// Sorted by path.
    pub docs: Vec<Doc>,
    /// Sorted by path.
    pub docsets: Vec<DocSet>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A problem that stops genie from reading the repository at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

/// One file found by the walk.
struct Found {
    rel: String,
    abs: PathBuf,
    /// A problem with the entry itself (link out of the repository, non-UTF-8 name).
    problem: Option<(&'static rules::Rule, String)>,
}

/// How much of each document to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Scan document bodies for links, anchors and length. Without it only the
    /// front-matter is read (and the first heading, for a document with no `title`):
    /// enough for traceability, not for `genie check`.
    pub bodies: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { bodies: true }
    }
}

impl Repo {
    /// Load the repository at `root` with `config`.
    pub fn load(root: &Path, config: Config) -> Result<Repo, LoadError> {
        Self::load_with(root, config, LoadOptions::default())
    }

    /// Load the repository at `root` with `config`, reading as much as `opts` asks.
    pub fn load_with(root: &Path, config: Config, opts: LoadOptions) -> Result<Repo, LoadError> {
        let root = root.to_path_buf();
        let canonical_root = std::fs::canonicalize(&root).map_err(|e| LoadError::Io {
            path: root.display().to_string(),
            message: format!("cannot open the repository root: {e}"),
        })?;
        let ctx = Context::new(&config)?;
        let files = walk_docs(&root, &canonical_root, &ctx);

        let results: Vec<(Option<Doc>, Vec<Diagnostic>)> = files
            .par_iter()
            .map(|f| {
                let mut sink = Sink::new(&ctx.levels);
                let doc = read_doc(f, &ctx, opts, &mut sink);
                (doc, sink.into_vec())
            })
            .collect();
        let mut docs = Vec::with_capacity(results.len());
        let mut diagnostics = Vec::new();
        for (doc, diags) in results {
            docs.extend(doc);
            diagnostics.extend(diags);
        }

        let (docsets, docset_diagnostics) = read_docsets(&root, &config, &ctx.levels);
        diagnostics.extend(docset_diagnostics);
        drop(ctx);
        Ok(Repo {
            root,
            config,
            docs,
            docsets,
            diagnostics,
        })
    }
}

fn rel_path(root: &Path, path: &Path) -> (String, bool) {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut ok = true;
    let parts: Vec<String> = rel
        .components()
        .map(|c| {
            let s = c.as_os_str();
            match s.to_str() {
                Some(t) => t.to_string(),
                None => {
                    ok = false;
                    s.to_string_lossy().into_owned()
                }
            }
        })
        .collect();
    (parts.join("/"), ok)
}

fn is_markdown(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("md" | "markdown")
    )
}

/// Every markdown file under the configured roots, sorted by path.
fn walk_docs(root: &Path, canonical_root: &Path, ctx: &Context) -> Vec<Found> {
    let found = Mutex::new(Vec::new());
    for r in &ctx.config.docs.roots {
        let dir = root.join(r);
        if !dir.is_dir() {
            continue;
        }
        let walker = ignore::WalkBuilder::new(&dir)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .require_git(false)
            .parents(true)
            .follow_links(false)
            .threads(rayon::current_num_threads().min(4))
            .build_parallel();
        walker.run(|| {
            Box::new(|entry| {
                let Ok(entry) = entry else {
                    return ignore::WalkState::Continue;
                };
                let path = entry.path();
                let Some(ft) = entry.file_type() else {
                    return ignore::WalkState::Continue;
                };
                if ft.is_dir() || !is_markdown(path) {
                    return ignore::WalkState::Continue;
                }
                let (rel, utf8) = rel_path(root, path);
                if ctx.excludes.is_match(&rel) {
                    return ignore::WalkState::Continue;
                }
                let mut problem = None;
                if !utf8 {
                    problem = Some((
                        rules::UNREADABLE,
                        "the file name is not valid UTF-8".to_string(),
                    ));
                } else if ft.is_symlink() {
                    match std::fs::canonicalize(path) {
                        Ok(target) if !target.starts_with(canonical_root) => {
                            problem = Some((
                                rules::UNREADABLE,
                                format!(
                                    "symlink leads out of the repository (to {})",
                                    target.display()
                                ),
                            ))
                        }
                        Ok(target) if target.is_dir() => return ignore::WalkState::Continue,
                        Ok(_) => {}
                        Err(e) => {
                            problem = Some((rules::UNREADABLE, format!("broken symlink: {e}")))
                        }
                    }
                }
                found.lock().expect("walk lock").push(Found {
                    rel,
                    abs: path.to_path_buf(),
                    problem,
                });
                ignore::WalkState::Continue
            })
        });
    }
    let mut files = found.into_inner().expect("walk lock");
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    files.dedup_by(|a, b| a.rel == b.rel);
    files
}

/// Every readable document file under the roots (what [`Repo::load`] would read),
/// as (repository-relative path, absolute path), sorted by path. Files with a
/// problem of their own (a symlink out of the repository, a non-UTF-8 name) are
/// left out: `genie check` reports them.
pub fn doc_files(root: &Path, ctx: &Context) -> Result<Vec<(String, PathBuf)>, LoadError> {
    let canonical_root = std::fs::canonicalize(root).map_err(|e| LoadError::Io {
        path: root.display().to_string(),
        message: format!("cannot open the repository root: {e}"),
    })?;
    Ok(walk_docs(root, &canonical_root, ctx)
        .into_iter()
        .filter(|f| f.problem.is_none())
        .map(|f| (f.rel, f.abs))
        .collect())
}

/// Read one document and run the single-file rules on it. `None` when the file
/// could not be read at all.
fn read_doc(f: &Found, ctx: &Context, opts: LoadOptions, sink: &mut Sink) -> Option<Doc> {
    if let Some((rule, msg)) = &f.problem {
        sink.emit(rule, &f.rel, 1, 1, msg.clone());
        return None;
    }
    let bytes = match std::fs::read(&f.abs) {
        Ok(b) => b,
        Err(e) => {
            sink.emit(rules::UNREADABLE, &f.rel, 1, 1, format!("cannot read: {e}"));
            return None;
        }
    };
    Some(parse_doc_bytes(&f.rel, &bytes, ctx, opts, sink))
}

/// Parse a document's bytes (checking they are UTF-8) and run the single-file rules.
pub fn parse_doc_bytes(
    rel: &str,
    bytes: &[u8],
    ctx: &Context,
    opts: LoadOptions,
    sink: &mut Sink,
) -> Doc {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_doc_with(rel, text, ctx, opts, sink),
        Err(e) => {
            let (line, col) = line_col(bytes, e.valid_up_to());
            sink.emit(
                rules::INVALID_UTF8,
                rel,
                line,
                col,
                format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            );
            Doc {
                path: rel.to_string(),
                ..Doc::default()
            }
        }
    }
}

fn line_col(bytes: &[u8], offset: usize) -> (u32, u32) {
    let before = &bytes[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() as u32 + 1;
    let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[start..]).chars().count() as u32 + 1;
    (line, col)
}

/// Parse a document's text (UTF-8) and run the single-file rules.
pub fn parse_doc(path: &str, text: &str, ctx: &Context, sink: &mut Sink) -> Doc {
    parse_doc_with(path, text, ctx, LoadOptions::default(), sink)
}

/// [`parse_doc`], reading the body only as far as `opts` asks.
pub fn parse_doc_with(
    path: &str,
    text: &str,
    ctx: &Context,
    opts: LoadOptions,
    sink: &mut Sink,
) -> Doc {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut doc = Doc {
        path: path.to_string(),
        line_count: count_lines(text),
        ..Doc::default()
    };
    if text.trim().is_empty() {
        sink.emit(rules::EMPTY, path, 1, 1, "the document is empty".into());
        return doc;
    }
    let (body, body_line) = match frontmatter::split(text) {
        Split::None => {
            if !ctx.optional_front_matter.is_match(path) {
                sink.emit(
                    rules::MISSING_FRONT_MATTER,
                    path,
                    1,
                    1,
                    "no front-matter".into(),
                );
            }
            (text, 1)
        }
        Split::Unterminated(fmt) => {
            let delim = if fmt == frontmatter::Format::Yaml {
                "---"
            } else {
                "+++"
            };
            sink.emit(
                rules::FRONT_MATTER_SYNTAX,
                path,
                1,
                1,
                format!("front-matter opened with `{delim}` is never closed"),
            );
            return doc;
        }
        Split::Found {
            format,
            text: fm,
            first_line,
            body,
            body_line,
        } => {
            match frontmatter::parse(format, fm, first_line) {
                Ok((root, dups)) => {
                    doc.has_front_matter = true;
                    let read = fields::read(path, &root, &dups, ctx, sink);
                    doc.fields = read.fields;
                    let mut present = read.present;
                    if !opts.bodies {
                        if doc.fields.title.is_none() {
                            doc.fields.title = markdown::scan(body, body_line).title;
                        }
                        return doc;
                    }
                    let scan = markdown::scan(body, body_line);
                    if doc.fields.title.is_none()
                        && let Some(t) = scan.title.clone()
                    {
                        doc.fields.title = Some(t);
                        present.push("title");
                    }
                    required_fields(path, &doc, &present, ctx, sink);
                    doc.anchors = scan.anchors;
                    doc.links = scan.links;
                    too_long(&doc, ctx, sink);
                    return doc;
                }
                Err(e) => {
                    sink.emit(rules::FRONT_MATTER_SYNTAX, path, e.line, e.col, e.message);
                }
            }
            (body, body_line)
        }
    };
    if !opts.bodies {
        if doc.fields.title.is_none() {
            doc.fields.title = markdown::scan(body, body_line).title;
        }
        return doc;
    }
    let scan = markdown::scan(body, body_line);
    doc.anchors = scan.anchors;
    doc.links = scan.links;
    too_long(&doc, ctx, sink);
    doc
}

fn count_lines(text: &str) -> u32 {
    let n = memchr::memchr_iter(b'\n', text.as_bytes()).count() as u32;
    if text.ends_with('\n') || text.is_empty() {
        n
    } else {
        n + 1
    }
}

fn too_long(doc: &Doc, ctx: &Context, sink: &mut Sink) {
    let max = ctx.config.docs.max_lines;
    if doc.line_count as usize > max {
        sink.emit(
            rules::TOO_LONG,
            &doc.path,
            1,
            1,
            format!(
                "{} lines, more than the {max} allowed (docs.max_lines)",
                doc.line_count
            ),
        );
    }
}

fn required_fields(path: &str, doc: &Doc, present: &[&str], ctx: &Context, sink: &mut Sink) {
    let config = ctx.config;
    let ty = doc.fields.doc_type.as_ref().map(|t| t.value.as_str());
    let extra = ty
        .and_then(|t| config.types.get(t))
        .map(|t| t.required_fields.as_slice())
        .unwrap_or(&[]);
    for field in config.docs.required_fields.iter().chain(extra) {
        if !present.contains(&field.as_str()) {
            let for_type = if extra.contains(field) {
                format!(" (required for type `{}`)", ty.unwrap_or(""))
            } else {
                String::new()
            };
            let line = doc.fields.key_line(field).unwrap_or(1);
            let what = if doc.fields.key_line(field).is_some() {
                "is empty"
            } else {
                "is missing"
            };
            sink.emit(
                rules::MISSING_FIELD,
                path,
                line,
                1,
                format!("required field `{field}` {what}{for_type}"),
            );
        }
    }
}

/// DocSet files under `<docset.dir>/issues` and `<docset.dir>/prs`, read in parallel.
/// The DocSet files under `<docset.dir>/issues` and `<docset.dir>/prs`, sorted.
fn docset_files(root: &Path, config: &Config) -> Vec<(PathBuf, Kind)> {
    let mut files: Vec<(PathBuf, Kind)> = Vec::new();
    for (sub, kind) in [("issues", Kind::Issue), ("prs", Kind::Pr)] {
        let dir = root.join(&config.docset.dir).join(sub);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        files.extend(
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
                .map(|p| (p, kind)),
        );
    }
    files.sort();
    files
}

/// Only the DocSets of the repository (what `genie context` needs to know of an
/// issue), without reading any document.
pub fn load_docsets(root: &Path, config: &Config) -> Result<Vec<DocSet>, LoadError> {
    let ctx = Context::new(config)?;
    Ok(read_docsets(root, config, &ctx.levels).0)
}

fn read_docsets(
    root: &Path,
    config: &Config,
    levels: &rules::Levels,
) -> (Vec<DocSet>, Vec<Diagnostic>) {
    let files = docset_files(root, config);
    let results: Vec<(Option<DocSet>, Vec<Diagnostic>)> = files
        .par_iter()
        .map(|(p, kind)| {
            let mut sink = Sink::new(levels);
            let (rel, _) = rel_path(root, p);
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let file_number = docset::parse_file_name(*kind, name);
            let ds = match std::fs::read(p) {
                Err(e) => {
                    sink.emit(rules::UNREADABLE, &rel, 1, 1, format!("cannot read: {e}"));
                    None
                }
                Ok(bytes) => parse_docset_bytes(&rel, *kind, file_number, &bytes, &mut sink),
            };
            (ds, sink.into_vec())
        })
        .collect();
    let mut docsets = Vec::with_capacity(results.len());
    let mut diagnostics = Vec::new();
    for (ds, diags) in results {
        docsets.extend(ds);
        diagnostics.extend(diags);
    }
    (docsets, diagnostics)
}

/// Parse one DocSet file's bytes (checking they are UTF-8).
pub fn parse_docset_bytes(
    rel: &str,
    kind: Kind,
    file_number: Option<u64>,
    bytes: &[u8],
    sink: &mut Sink,
) -> Option<DocSet> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_docset(rel, kind, file_number, text, sink),
        Err(e) => {
            let (line, col) = line_col(bytes, e.valid_up_to());
            sink.emit(
                rules::DOCSET_SYNTAX,
                rel,
                line,
                col,
                "the DocSet is not valid UTF-8".into(),
            );
            None
        }
    }
}

/// Parse one DocSet file's text; syntax and shape problems go to `sink`.
pub fn parse_docset(
    rel: &str,
    kind: Kind,
    file_number: Option<u64>,
    text: &str,
    sink: &mut Sink,
) -> Option<DocSet> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = match yaml::parse(text, 0) {
        Ok(p) => p,
        Err(e) => {
            sink.emit(rules::DOCSET_SYNTAX, rel, e.line, e.col, e.message);
            return None;
        }
    };
    for d in &parsed.duplicates {
        sink.emit(
            rules::DOCSET_SYNTAX,
            rel,
            d.line,
            d.col,
            format!("duplicate key `{}` (first at line {})", d.key, d.first_line),
        );
    }
    let Some(root) = parsed.root.filter(|r| r.as_map().is_some()) else {
        sink.emit(
            rules::DOCSET_SYNTAX,
            rel,
            1,
            1,
            "a DocSet must be a YAML mapping".into(),
        );
        return None;
    };
    let file: DocSetFile = match serde_path_to_error::deserialize(root.to_json()) {
        Ok(f) => f,
        Err(e) => {
            let path = e.path().to_string();
            let node = root.at_path(&path);
            let mut message = e.into_inner().to_string();
            if let Some(field) = message
                .strip_prefix("unknown field `")
                .and_then(|m| m.split('`').next())
            {
                let field = field.to_string();
                let known = [
                    "issue", "pr", "title", "profile", "stage", "state", "prs", "release", "docs",
                    "notes", "doc_id", "path", "type", "status",
                ];
                message = format!(
                    "unknown field `{field}`{}",
                    crate::config::did_you_mean(&field, known)
                );
                // Point at the unknown key itself.
                let (line, col) = find_key(&root, &field).unwrap_or((node.line, node.col));
                sink.emit(rules::DOCSET_SYNTAX, rel, line, col, message);
                return None;
            }
            let shown = if path == "." || path.is_empty() {
                String::new()
            } else {
                format!("`{path}`: ")
            };
            sink.emit(
                rules::DOCSET_SYNTAX,
                rel,
                node.line,
                node.col,
                format!("{shown}{message}"),
            );
            return None;
        }
    };
    Some(DocSet {
        path: rel.to_string(),
        kind,
        file_number,
        file,
        root,
    })
}

/// Position of a key anywhere in the tree (first match, depth first).
fn find_key(node: &yaml::Node, key: &str) -> Option<(u32, u32)> {
    match &node.value {
        yaml::Value::Map(entries) => entries.iter().find_map(|(k, v)| {
            if k.as_str() == Some(key) {
                Some((k.line, k.col))
            } else {
                find_key(v, key)
            }
        }),
        yaml::Value::Seq(items) => items.iter().find_map(|n| find_key(n, key)),
        _ => None,
    }
}
