//! `genie lint workflows`: GitHub workflows compare label names through repository
//! variables, never through string literals.
//!
//! A workflow that tests `github.event.label.name == 'run:dev'` breaks silently
//! when the label is renamed; one that tests `== vars.RUN_DEV_LABEL` follows the
//! catalog (`genie labels --format vars` sets the variables). The lint reads each
//! file with [`crate::yaml`], so that quoting is undone exactly as GitHub undoes it,
//! then parses the GitHub expressions in every string — the `${{ … }}` spans
//! anywhere, and whole `if:` values — and maps what it finds back to the line and
//! column of the file.
//!
//! Rules:
//! - G0801 `label-literal`: a label name compared with a string literal, with
//!   `==` / `!=` in either order, `contains(github.event.issue.labels.*.name, 'x')`,
//!   `contains(fromJSON('["a","b"]'), github.event.label.name)`, and in scripts a
//!   `"${{ github.event.label.name }}" == "x"` test. Prefix and substring tests
//!   (`startsWith(github.event.label.name, 'run:')`) test a naming convention, not
//!   a label, and are not reported.
//! - G0802 `unknown-label-variable`: `vars.NAME_LABEL` that is no catalog label's variable.
//! - G0803 `workflow-syntax`: a file that is not valid YAML.

use std::path::{Path, PathBuf};

use crate::check::Sink;
use crate::check::rules::{LABEL_LITERAL, Levels, UNKNOWN_LABEL_VARIABLE, WORKFLOW_SYNTAX};
use crate::config::suggest;
use crate::policy::labels::{Label, by_name, by_variable, variable_of};
use crate::report::Report;
use crate::yaml::{self, Node, Value};

/// Where GitHub reads workflows, relative to the repository root.
pub const WORKFLOWS_DIR: &str = ".github/workflows";

/// A problem that stops the lint: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LintError(pub String);

/// The files to lint.
#[derive(Debug, Default)]
pub struct Files {
    pub files: Vec<PathBuf>,
    /// No PATH was given and the repository has no `.github/workflows` folder.
    pub no_workflows_dir: bool,
}

fn is_yaml(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// The `.yml` and `.yaml` files directly in `dir`, sorted.
fn yaml_files_in(dir: &Path) -> Result<Vec<PathBuf>, LintError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| LintError(format!("cannot read {}: {e}", dir.display())))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| LintError(format!("cannot read {}: {e}", dir.display())))?;
        let path = entry.path();
        if is_yaml(&path) && path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// The workflow files: every `.yml` / `.yaml` file of `<root>/.github/workflows`
/// when `paths` is empty; else the files named, and the `.yml` / `.yaml` files
/// directly inside the folders named (as GitHub, which reads no subfolder).
pub fn find(root: &Path, paths: &[PathBuf]) -> Result<Files, LintError> {
    if paths.is_empty() {
        let dir = root.join(WORKFLOWS_DIR);
        if !dir.is_dir() {
            return Ok(Files {
                files: Vec::new(),
                no_workflows_dir: true,
            });
        }
        return Ok(Files {
            files: yaml_files_in(&dir)?,
            no_workflows_dir: false,
        });
    }
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| LintError(format!("{}: {e}", p.display())))?;
        if meta.is_dir() {
            files.extend(yaml_files_in(p)?);
        } else {
            files.push(p.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    Ok(Files {
        files,
        no_workflows_dir: false,
    })
}

/// How a file is named in diagnostics: repository-relative with `/` when it is
/// inside `root`, else as given.
pub fn display_path(root: &Path, file: &Path) -> String {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    match canon(file).strip_prefix(canon(root)) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => file.display().to_string(),
    }
}

/// Lint `files` (paths as [`find`] returns them) against the label catalog.
pub fn lint_files(
    root: &Path,
    files: &[PathBuf],
    labels: &[Label],
    levels: &Levels,
) -> Result<Report, LintError> {
    let mut sink = Sink::new(levels);
    for file in files {
        let bytes = std::fs::read(file)
            .map_err(|e| LintError(format!("cannot read {}: {e}", file.display())))?;
        let shown = display_path(root, file);
        match std::str::from_utf8(&bytes) {
            Ok(text) => lint_text(&shown, text, labels, &mut sink),
            Err(e) => {
                let before = &bytes[..e.valid_up_to()];
                let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
                let line_start = before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let col = String::from_utf8_lossy(&before[line_start..])
                    .chars()
                    .count() as u32
                    + 1;
                sink.emit(
                    WORKFLOW_SYNTAX,
                    &shown,
                    line,
                    col,
                    "the file is not valid UTF-8".into(),
                );
            }
        }
    }
    let mut report = Report {
        docs: files.len(),
        diagnostics: sink.into_vec(),
    };
    report.normalize();
    Ok(report)
}

/// Lint the text of one workflow file; `path` is how diagnostics name it.
pub fn lint_text(path: &str, text: &str, labels: &[Label], sink: &mut Sink) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = match yaml::parse(text, 0) {
        Ok(p) => p,
        Err(e) => {
            sink.emit(
                WORKFLOW_SYNTAX,
                path,
                e.line,
                e.col,
                format!("not valid YAML: {}", e.message),
            );
            return;
        }
    };
    for d in &parsed.duplicates {
        sink.emit(
            WORKFLOW_SYNTAX,
            path,
            d.line,
            d.col,
            format!(
                "the key `{}` is repeated (first on line {}); GitHub refuses the workflow",
                d.key, d.first_line
            ),
        );
    }
    let Some(root) = parsed.root else { return };
    let source = Source::new(text);
    let mut findings = Vec::new();
    walk(&root, false, &source, labels, &mut findings);
    for f in findings {
        let rule = match f.kind {
            Kind::Literal => LABEL_LITERAL,
            Kind::UnknownVariable => UNKNOWN_LABEL_VARIABLE,
        };
        match f.help {
            Some(help) => sink.emit_help(rule, path, f.line, f.col, f.message, help),
            None => sink.emit(rule, path, f.line, f.col, f.message),
        }
    }
}

// ---------------------------------------------------------------------------
// Source positions

/// The characters of the file with the line and column of each.
struct Source {
    chars: Vec<char>,
    pos: Vec<(u32, u32)>,
    line_start: Vec<usize>,
}

impl Source {
    fn new(text: &str) -> Self {
        let mut chars = Vec::with_capacity(text.len());
        let mut pos = Vec::with_capacity(text.len());
        let mut line_start = vec![0];
        let (mut line, mut col) = (1u32, 1u32);
        for c in text.chars() {
            chars.push(c);
            pos.push((line, col));
            if c == '\n' {
                line += 1;
                col = 1;
                line_start.push(chars.len());
            } else {
                col += 1;
            }
        }
        Source {
            chars,
            pos,
            line_start,
        }
    }

    fn index(&self, line: u32, col: u32) -> Option<usize> {
        let start = *self.line_start.get((line as usize).checked_sub(1)?)?;
        let i = start + (col as usize).checked_sub(1)?;
        (i < self.chars.len()).then_some(i)
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn position(&self, i: usize) -> (u32, u32) {
        self.pos
            .get(i)
            .or(self.pos.last())
            .copied()
            .unwrap_or((1, 1))
    }

    /// Whether the line before the one of index `i` that holds anything opens a
    /// block scalar (`key: |`, `- >-`, `run: | # comment`).
    fn after_block_header(&self, i: usize) -> bool {
        let line = self.pos[i].0 as usize;
        // Block content starts its line (after the indentation).
        if self.chars[self.line_start[line - 1]..i]
            .iter()
            .any(|c| !c.is_whitespace())
        {
            return false;
        }
        for l in (1..line).rev() {
            let start = self.line_start[l - 1];
            let end = self.line_start.get(l).copied().unwrap_or(self.chars.len());
            let text: String = self.chars[start..end].iter().collect();
            let mut content = text.trim();
            if content.is_empty() {
                continue;
            }
            if let Some(hash) = content.find(" #") {
                content = content[..hash].trim_end();
            }
            let header =
                content.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
            return header.ends_with('|') || header.ends_with('>');
        }
        false
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    /// An alias (`*name`): every character is reported at the alias.
    Alias,
}

/// The index in `source` of every character of a scalar's value, found by walking
/// the value and the raw text side by side from the node's position: YAML only
/// drops characters (quotes, indentation, escapes) or turns line breaks into
/// spaces, so each character of the value is the next matching one of the text.
fn align(source: &Source, node: &Node, value: &[char]) -> Vec<usize> {
    let Some(mut p) = source.index(node.line, node.col) else {
        return vec![0; value.len()];
    };
    // Anchors and tags come before the scalar itself.
    while matches!(source.at(p), Some('&' | '!')) {
        while source.at(p).is_some_and(|c| !c.is_whitespace()) {
            p += 1;
        }
        while source.at(p).is_some_and(|c| c == ' ' || c == '\t') {
            p += 1;
        }
    }
    let block = source.after_block_header(p.min(source.chars.len().saturating_sub(1)));
    let style = match source.at(p) {
        Some('*') => Style::Alias,
        Some('\'') if !block => Style::Single,
        Some('"') if !block => Style::Double,
        _ => Style::Plain,
    };
    if style == Style::Alias {
        return vec![p; value.len()];
    }
    if matches!(style, Style::Single | Style::Double) {
        p += 1;
    }
    let n = source.chars.len();
    let mut out = Vec::with_capacity(value.len());
    for &d in value {
        loop {
            let Some(r) = source.at(p) else {
                out.push(n.saturating_sub(1));
                break;
            };
            if style == Style::Single && d == '\'' && r == '\'' {
                out.push(p);
                p += if source.at(p + 1) == Some('\'') { 2 } else { 1 };
                break;
            }
            if style == Style::Double && r == '\\' {
                let len = match source.at(p + 1) {
                    Some('\n' | '\r') => {
                        p += 2;
                        continue;
                    }
                    Some('x') => 4,
                    Some('u') => 6,
                    Some('U') => 10,
                    _ => 2,
                };
                out.push(p);
                p += len;
                break;
            }
            if r == d || (d.is_whitespace() && r.is_whitespace()) {
                out.push(p);
                p += 1;
                break;
            }
            p += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Walking the YAML tree

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Literal,
    UnknownVariable,
}

struct Finding {
    kind: Kind,
    line: u32,
    col: u32,
    message: String,
    help: Option<String>,
}

/// A finding inside one string, at a character offset of its value.
struct Hit {
    kind: Kind,
    at: usize,
    message: String,
    help: Option<String>,
}

fn walk(node: &Node, is_if: bool, source: &Source, labels: &[Label], out: &mut Vec<Finding>) {
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                walk(k, false, source, labels, out);
                walk(v, k.as_str() == Some("if"), source, labels, out);
            }
        }
        Value::Seq(items) => {
            for item in items {
                walk(item, false, source, labels, out);
            }
        }
        Value::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            let hits = scan(&chars, is_if, labels);
            if hits.is_empty() {
                return;
            }
            let map = align(source, node, &chars);
            for h in hits {
                let i = map.get(h.at).copied().unwrap_or(0);
                let (line, col) = source.position(i);
                out.push(Finding {
                    kind: h.kind,
                    line,
                    col,
                    message: h.message,
                    help: h.help,
                });
            }
        }
        _ => {}
    }
}

/// The findings in one string value: its `${{ … }}` expressions, the whole value
/// when it is an `if:` without `${{`, and label tests of scripts.
fn scan(text: &[char], is_if: bool, labels: &[Label]) -> Vec<Hit> {
    let mut hits = Vec::new();
    let spans = expression_spans(text);
    if spans.is_empty() {
        if is_if && let Some(e) = parse_expression(text, 0, text.len()) {
            visit(&e, labels, &mut hits);
        }
        return hits;
    }
    for &(open, start, end) in &spans {
        let Some(e) = parse_expression(text, start, end) else {
            continue;
        };
        visit(&e, labels, &mut hits);
        if !is_if {
            script_comparison(text, open, end + 2, &e, labels, &mut hits);
        }
    }
    hits
}

/// `(index of "${{", start of the inside, end of the inside)` of every `${{ … }}`.
fn expression_spans(text: &[char]) -> Vec<(usize, usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i + 2 < text.len() {
        if text[i] == '$' && text[i + 1] == '{' && text[i + 2] == '{' {
            let start = i + 3;
            let mut j = start;
            let mut closed = None;
            while j < text.len() {
                match text[j] {
                    '\'' => {
                        // A string literal may hold `}}`; `''` inside is a quote.
                        j += 1;
                        while j < text.len() {
                            if text[j] == '\'' {
                                if text.get(j + 1) == Some(&'\'') {
                                    j += 2;
                                    continue;
                                }
                                break;
                            }
                            j += 1;
                        }
                        j += 1;
                    }
                    '}' if text.get(j + 1) == Some(&'}') => {
                        closed = Some(j);
                        break;
                    }
                    _ => j += 1,
                }
            }
            let Some(end) = closed else { break };
            spans.push((i, start, end));
            i = end + 2;
        } else {
            i += 1;
        }
    }
    spans
}

// ---------------------------------------------------------------------------
// GitHub expressions

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num,
    Dot,
    Star,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Comma,
    Op(&'static str),
    Not,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    at: usize,
}

fn tokenize(text: &[char], start: usize, end: usize) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        let c = text[i];
        let at = i;
        let tok = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    if i >= end {
                        return None;
                    }
                    if text[i] == '\'' {
                        if i + 1 < end && text[i + 1] == '\'' {
                            s.push('\'');
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    s.push(text[i]);
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Str(s),
                    at,
                });
                continue;
            }
            '.' => Tok::Dot,
            '*' => Tok::Star,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            ',' => Tok::Comma,
            '=' | '!' | '<' | '>' | '&' | '|' => {
                let next = if i + 1 < end { text[i + 1] } else { '\0' };
                let (tok, len) = match (c, next) {
                    ('=', '=') => (Tok::Op("=="), 2),
                    ('!', '=') => (Tok::Op("!="), 2),
                    ('<', '=') => (Tok::Op("<="), 2),
                    ('>', '=') => (Tok::Op(">="), 2),
                    ('&', '&') => (Tok::Op("&&"), 2),
                    ('|', '|') => (Tok::Op("||"), 2),
                    ('<', _) => (Tok::Op("<"), 1),
                    ('>', _) => (Tok::Op(">"), 1),
                    ('!', _) => (Tok::Not, 1),
                    _ => return None,
                };
                i += len;
                out.push(Token { tok, at });
                continue;
            }
            c if c.is_ascii_digit()
                || (c == '-'
                    && i + 1 < end
                    && (text[i + 1].is_ascii_digit() || text[i + 1] == '.')) =>
            {
                i += 1;
                while i < end
                    && (text[i].is_ascii_alphanumeric()
                        || text[i] == '.'
                        || ((text[i] == '+' || text[i] == '-') && matches!(text[i - 1], 'e' | 'E')))
                {
                    i += 1;
                }
                out.push(Token { tok: Tok::Num, at });
                continue;
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut s = String::new();
                while i < end && (text[i].is_alphanumeric() || text[i] == '_' || text[i] == '-') {
                    s.push(text[i]);
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Ident(s),
                    at,
                });
                continue;
            }
            _ => return None,
        };
        i += 1;
        out.push(Token { tok, at });
    }
    Some(out)
}

#[derive(Debug, Clone)]
enum Seg {
    Name(String),
    Star,
    Index(Box<Expr>),
}

#[derive(Debug, Clone)]
enum Expr {
    Str {
        value: String,
        at: usize,
    },
    /// Numbers, and anything the lint does not look into.
    Other,
    /// A context and its properties: `github.event.label.name`, `vars['X']`.
    Path {
        root: String,
        segs: Vec<Seg>,
        at: usize,
    },
    Call {
        name: String,
        args: Vec<Expr>,
    },
    /// Properties of something that is not a context (`fromJSON(x).y`).
    Access {
        base: Box<Expr>,
        segs: Vec<Seg>,
    },
    Binary {
        op: &'static str,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Not(Box<Expr>),
}

/// Parse the expression in `text[start..end]`; `None` when it is not one.
fn parse_expression(text: &[char], start: usize, end: usize) -> Option<Expr> {
    let tokens = tokenize(text, start, end)?;
    if tokens.is_empty() {
        return None;
    }
    let mut p = ExprParser {
        tokens,
        i: 0,
        depth: 0,
    };
    let e = p.or()?;
    (p.i == p.tokens.len()).then_some(e)
}

struct ExprParser {
    tokens: Vec<Token>,
    i: usize,
    depth: usize,
}

/// Deepest nesting of parentheses, brackets and calls the parser follows.
const MAX_EXPR_DEPTH: usize = 100;

impl ExprParser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.i).map(|t| &t.tok)
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == Some(tok) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn binary(
        &mut self,
        ops: &[&'static str],
        next: fn(&mut Self) -> Option<Expr>,
    ) -> Option<Expr> {
        let mut lhs = next(self)?;
        while let Some(Tok::Op(op)) = self.peek() {
            let Some(op) = ops.iter().copied().find(|o| o == op) else {
                break;
            };
            self.i += 1;
            let rhs = next(self)?;
            lhs = Expr::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            };
        }
        Some(lhs)
    }

    fn or(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return None;
        }
        let e = self.binary(&["||"], Self::and);
        self.depth -= 1;
        e
    }

    fn and(&mut self) -> Option<Expr> {
        self.binary(&["&&"], Self::equality)
    }

    fn equality(&mut self) -> Option<Expr> {
        self.binary(&["==", "!="], Self::comparison)
    }

    fn comparison(&mut self) -> Option<Expr> {
        self.binary(&["<", "<=", ">", ">="], Self::unary)
    }

    fn unary(&mut self) -> Option<Expr> {
        let mut nots = 0;
        while self.eat(&Tok::Not) {
            nots += 1;
        }
        let mut e = self.postfix()?;
        for _ in 0..nots {
            e = Expr::Not(Box::new(e));
        }
        Some(e)
    }

    fn segments(&mut self) -> Option<Vec<Seg>> {
        let mut segs = Vec::new();
        loop {
            if self.eat(&Tok::Dot) {
                match self.peek().cloned() {
                    Some(Tok::Ident(name)) => {
                        self.i += 1;
                        segs.push(Seg::Name(name));
                    }
                    Some(Tok::Star) => {
                        self.i += 1;
                        segs.push(Seg::Star);
                    }
                    _ => return None,
                }
            } else if self.eat(&Tok::LBracket) {
                if self.eat(&Tok::Star) {
                    segs.push(Seg::Star);
                } else {
                    let index = self.or()?;
                    segs.push(Seg::Index(Box::new(index)));
                }
                if !self.eat(&Tok::RBracket) {
                    return None;
                }
            } else {
                return Some(segs);
            }
        }
    }

    fn postfix(&mut self) -> Option<Expr> {
        let token = self.tokens.get(self.i)?.clone();
        self.i += 1;
        let base = match token.tok {
            Tok::Str(value) => Expr::Str {
                value,
                at: token.at,
            },
            Tok::Num => Expr::Other,
            Tok::LParen => {
                let inner = self.or()?;
                if !self.eat(&Tok::RParen) {
                    return None;
                }
                inner
            }
            Tok::Ident(name) if self.peek() == Some(&Tok::LParen) => {
                self.i += 1;
                let mut args = Vec::new();
                if !self.eat(&Tok::RParen) {
                    loop {
                        args.push(self.or()?);
                        if self.eat(&Tok::Comma) {
                            continue;
                        }
                        if self.eat(&Tok::RParen) {
                            break;
                        }
                        return None;
                    }
                }
                Expr::Call { name, args }
            }
            Tok::Ident(root) => {
                let segs = self.segments()?;
                return Some(Expr::Path {
                    root,
                    segs,
                    at: token.at,
                });
            }
            _ => return None,
        };
        let segs = self.segments()?;
        if segs.is_empty() {
            Some(base)
        } else {
            Some(Expr::Access {
                base: Box::new(base),
                segs,
            })
        }
    }
}

/// What a path names, as far as labels go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelRef {
    /// One label name: `github.event.label.name`, `…labels[0].name`.
    One,
    /// Every label name of an issue or PR: `github.event.issue.labels.*.name`.
    All,
}

fn label_ref(e: &Expr) -> Option<LabelRef> {
    let Expr::Path { root, segs, .. } = e else {
        return None;
    };
    if !root.eq_ignore_ascii_case("github") {
        return None;
    }
    let parts: Vec<String> = segs
        .iter()
        .map(|s| match s {
            Seg::Name(n) => n.to_ascii_lowercase(),
            Seg::Star => "*".into(),
            Seg::Index(i) => match i.as_ref() {
                Expr::Str { value, .. } => value.to_ascii_lowercase(),
                _ => "#".into(),
            },
        })
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    match parts.as_slice() {
        ["event", "label", "name"] => Some(LabelRef::One),
        [
            "event",
            "issue" | "pull_request" | "discussion",
            "labels",
            which,
            "name",
        ] => match *which {
            "*" => Some(LabelRef::All),
            "#" => Some(LabelRef::One),
            _ => None,
        },
        _ => None,
    }
}

/// Quote a value as a GitHub expression string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The help for a literal compared with a label name.
fn literal_help(lit: &str, labels: &[Label], in_script: bool) -> String {
    let show = |var: &str| {
        if in_script {
            format!("`${{{{ vars.{var} }}}}`")
        } else {
            format!("`vars.{var}`")
        }
    };
    match by_name(labels, lit) {
        Some(l) => format!(
            "compare with {} (the variable of the catalog label `{}`)",
            show(&l.variable),
            l.name
        ),
        None => format!(
            "`{lit}` is not in the label catalog: add it under [labels] in genie.toml (`[labels.\"{lit}\"]`), then compare with {}",
            show(&variable_of(lit))
        ),
    }
}

/// The help for a literal holding several label names (`fromJSON('["a","b"]')`).
fn list_help(lit: &str, json: bool, labels: &[Label]) -> String {
    let items: Vec<String> = match json
        .then(|| serde_json::from_str::<Vec<String>>(lit).ok())
        .flatten()
    {
        Some(list) => list,
        None => lit
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '|' | '[' | ']' | '"'))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    };
    let mut vars = Vec::new();
    let mut missing = Vec::new();
    for item in &items {
        match by_name(labels, item) {
            Some(l) => vars.push(format!("`vars.{}`", l.variable)),
            None => missing.push(format!("`{item}`")),
        }
    }
    let mut help =
        String::from("compare the label name with each label's variable, joined with `||`");
    if !vars.is_empty() {
        help.push_str(&format!(": {}", vars.join(", ")));
    }
    if !missing.is_empty() {
        help.push_str(&format!(
            "; not in the label catalog (add them under [labels] in genie.toml): {}",
            missing.join(", ")
        ));
    }
    help
}

fn literal_hit(value: &str, at: usize, labels: &[Label], what: &str) -> Hit {
    Hit {
        kind: Kind::Literal,
        at,
        message: format!("{what} the string literal {}", literal(value)),
        help: Some(literal_help(value, labels, false)),
    }
}

fn visit(e: &Expr, labels: &[Label], hits: &mut Vec<Hit>) {
    match e {
        Expr::Str { .. } | Expr::Other => {}
        Expr::Path { root, segs, at } => {
            if root.eq_ignore_ascii_case("vars") {
                let name = match segs.first() {
                    Some(Seg::Name(n)) => Some(n.as_str()),
                    Some(Seg::Index(i)) => match i.as_ref() {
                        Expr::Str { value, .. } => Some(value.as_str()),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(name) = name {
                    check_variable(name, *at, labels, hits);
                }
            }
            visit_segs(segs, labels, hits);
        }
        Expr::Access { base, segs } => {
            visit(base, labels, hits);
            visit_segs(segs, labels, hits);
        }
        Expr::Not(inner) => visit(inner, labels, hits),
        Expr::Binary { op, lhs, rhs } => {
            if matches!(*op, "==" | "!=") {
                for (a, b) in [(lhs, rhs), (rhs, lhs)] {
                    if let (Some(_), Expr::Str { value, at }) = (label_ref(a), b.as_ref())
                        && !value.is_empty()
                    {
                        hits.push(literal_hit(value, *at, labels, "label name compared with"));
                    }
                }
            }
            visit(lhs, labels, hits);
            visit(rhs, labels, hits);
        }
        Expr::Call { name, args } => {
            if name.eq_ignore_ascii_case("contains") && args.len() == 2 {
                contains(&args[0], &args[1], labels, hits);
            }
            for a in args {
                visit(a, labels, hits);
            }
        }
    }
}

fn visit_segs(segs: &[Seg], labels: &[Label], hits: &mut Vec<Hit>) {
    for s in segs {
        if let Seg::Index(i) = s {
            visit(i, labels, hits);
        }
    }
}

/// `contains(haystack, needle)` with label names on one side and a literal on the other.
fn contains(haystack: &Expr, needle: &Expr, labels: &[Label], hits: &mut Vec<Hit>) {
    match (label_ref(haystack), needle) {
        // Is the label among the issue's labels?
        (Some(LabelRef::All), Expr::Str { value, at }) if !value.is_empty() => {
            hits.push(literal_hit(
                value,
                *at,
                labels,
                "label names tested against",
            ));
        }
        // A substring of one name: a naming convention unless it is a whole catalog label.
        (Some(LabelRef::One), Expr::Str { value, at }) if by_name(labels, value).is_some() => {
            hits.push(literal_hit(value, *at, labels, "label name tested against"));
        }
        _ => {}
    }
    if label_ref(needle).is_some() {
        // contains('run:dev run:qa', github.event.label.name), contains(fromJSON('[…]'), …)
        let (lit, json) = match haystack {
            Expr::Str { value, at } => (Some((value, *at)), false),
            Expr::Call { name, args }
                if name.eq_ignore_ascii_case("fromjson") && args.len() == 1 =>
            {
                match &args[0] {
                    Expr::Str { value, at } => (Some((value, *at)), true),
                    _ => (None, false),
                }
            }
            _ => (None, false),
        };
        if let Some((value, at)) = lit
            && !value.trim().is_empty()
        {
            hits.push(Hit {
                kind: Kind::Literal,
                at,
                message: format!(
                    "label name looked up in the string literal {}",
                    literal(value)
                ),
                help: Some(list_help(value, json, labels)),
            });
        }
    }
}

fn check_variable(name: &str, at: usize, labels: &[Label], hits: &mut Vec<Hit>) {
    if !name.to_ascii_uppercase().ends_with("_LABEL") || by_variable(labels, name).is_some() {
        return;
    }
    let help = suggest(name, labels.iter().map(|l| l.variable.as_str())).map(|v| {
        let label = by_variable(labels, &v).map(|l| l.name.as_str()).unwrap_or("");
        format!(
            "did you mean `vars.{v}` (label `{label}`)? `genie labels --format vars` lists the variables; a new label goes under [labels] in genie.toml"
        )
    });
    hits.push(Hit {
        kind: Kind::UnknownVariable,
        at,
        message: format!("`vars.{name}` is not the variable of any label in the catalog"),
        help,
    });
}

/// In a script, a shell or JavaScript test of an expression that is a label name
/// against a literal: `[ "${{ github.event.label.name }}" == 'run:dev' ]`,
/// `'${{ github.event.label.name }}' === 'run:dev'`, in either order.
/// `open..close` is the `${{ … }}` span.
fn script_comparison(
    text: &[char],
    open: usize,
    close: usize,
    e: &Expr,
    labels: &[Label],
    hits: &mut Vec<Hit>,
) {
    if label_ref(e) != Some(LabelRef::One) {
        return;
    }
    const OPS: &[&str] = &["===", "!==", "==", "!=", "="];
    let skip_ws_fwd = |mut i: usize| {
        while i < text.len() && (text[i] == ' ' || text[i] == '\t') {
            i += 1;
        }
        i
    };
    // After: `${{ … }}"  ==  'lit'`
    let mut i = close;
    if i < text.len()
        && (text[i] == '"' || text[i] == '\'')
        && open > 0
        && text[open - 1] == text[i]
    {
        i += 1;
    }
    i = skip_ws_fwd(i);
    let op_after = OPS.iter().find(|op| {
        let op: Vec<char> = op.chars().collect();
        text.get(i..i + op.len()) == Some(&op[..])
    });
    if let Some(op) = op_after {
        let j = skip_ws_fwd(i + op.len());
        if let Some((value, at)) = script_word_forward(text, j) {
            hits.push(script_hit(&value, at, labels));
        }
        return;
    }
    // Before: `'lit'  ==  "${{ … }}`
    let mut k = open;
    if k > 0 && (text[k - 1] == '"' || text[k - 1] == '\'') {
        k -= 1;
    }
    while k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\t') {
        k -= 1;
    }
    let op_before = OPS.iter().find(|op| {
        let n = op.chars().count();
        k >= n && text[k - n..k].iter().copied().eq(op.chars())
    });
    if let Some(op) = op_before {
        let mut end = k - op.len();
        while end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t') {
            end -= 1;
        }
        if let Some((value, at)) = script_word_backward(text, end) {
            hits.push(script_hit(&value, at, labels));
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '.' | '/' | '@' | '+')
}

/// A quoted or bare literal starting at `i` (not a variable or an expression).
fn script_word_forward(text: &[char], i: usize) -> Option<(String, usize)> {
    let c = *text.get(i)?;
    if c == '\'' || c == '"' {
        let end = (i + 1..text.len()).find(|&j| text[j] == c || text[j] == '\n')?;
        if text[end] != c {
            return None;
        }
        let value: String = text[i + 1..end].iter().collect();
        return literal_value(value, i);
    }
    let end = (i..text.len())
        .find(|&j| !is_word_char(text[j]))
        .unwrap_or(text.len());
    literal_value(text[i..end].iter().collect(), i)
}

/// A quoted or bare literal ending just before `end`.
fn script_word_backward(text: &[char], end: usize) -> Option<(String, usize)> {
    let c = *text.get(end.checked_sub(1)?)?;
    if c == '\'' || c == '"' {
        let start = (0..end - 1)
            .rev()
            .find(|&j| text[j] == c || text[j] == '\n')?;
        if text[start] != c {
            return None;
        }
        let value: String = text[start + 1..end - 1].iter().collect();
        return literal_value(value, start);
    }
    let start = (0..end)
        .rev()
        .find(|&j| !is_word_char(text[j]))
        .map_or(0, |j| j + 1);
    literal_value(text[start..end].iter().collect(), start)
}

fn literal_value(value: String, at: usize) -> Option<(String, usize)> {
    let usable = !value.trim().is_empty() && !value.contains('$') && !value.contains('`');
    usable.then_some((value, at))
}

fn script_hit(value: &str, at: usize, labels: &[Label]) -> Hit {
    Hit {
        kind: Kind::Literal,
        at,
        message: format!("label name compared with the literal \"{value}\" in a script"),
        help: Some(literal_help(value, labels, true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::report::Diagnostic;

    fn lint(text: &str) -> Vec<Diagnostic> {
        let config = Config::builtin();
        let labels = crate::policy::labels::catalog(&config).unwrap();
        let levels = Levels::new(&config);
        let mut sink = Sink::new(&levels);
        lint_text("w.yml", text, &labels, &mut sink);
        let mut r = Report {
            docs: 1,
            diagnostics: sink.into_vec(),
        };
        r.normalize();
        r.diagnostics
    }

    fn places(text: &str) -> Vec<(&'static str, u32, u32)> {
        lint(text)
            .iter()
            .map(|d| (d.code, d.line, d.column))
            .collect()
    }

    #[test]
    fn comparisons_in_every_shape() {
        let text = r#"on: [issues]
jobs:
  a:
    if: github.event.label.name == 'run:dev'
    runs-on: x
    steps:
      - if: ${{ 'run:qa' != github.event.label.name }}
        run: echo hi
      - if: "GitHub.Event.Label.Name == 'RUN:DEV'"
        run: echo ${{ github.event.label.name == 'run:prd' && 'yes' || 'no' }}
      - if: 'github.event.label.name == ''run:arch'''
        run: |
          echo start
          echo "${{ contains(github.event.pull_request.labels.*.name, 'bug') }}"
      - if: contains(github.event.issue.labels.*.name, 'deploy')
        run: echo ok
"#;
        assert_eq!(
            places(text),
            vec![
                ("G0801", 4, 36),
                ("G0801", 7, 17),
                ("G0801", 9, 41),
                ("G0801", 10, 50),
                ("G0801", 11, 41),
                ("G0801", 14, 71),
                ("G0801", 15, 56),
            ]
        );
        let d = lint(text);
        assert!(d[2].message.contains("'RUN:DEV'"), "{}", d[2].message);
        assert!(d[2].help.contains("vars.RUN_DEV_LABEL"), "{}", d[2].help);
        assert!(d[6].help.contains("[labels]"), "{}", d[6].help);
    }

    #[test]
    fn conventions_variables_and_empty_strings_are_fine() {
        let text = r#"on: issues
jobs:
  a:
    if: >-
      startsWith(github.event.label.name, 'run:') &&
      github.event.label.name != '' &&
      (github.event.label.name == vars.RUN_DEV_LABEL || github.event.label.name == VARS.run_qa_label)
    runs-on: x
    steps:
      - run: echo "it's ${{ github.event.label.name }}" '${{ vars.OTHER }}'
"#;
        assert_eq!(places(text), vec![]);
    }

    #[test]
    fn unknown_label_variables() {
        let text = "on: issues\njobs:\n  a:\n    if: github.event.label.name == vars.RUN_DEVV_LABEL || vars['nope_label'] == 'x'\n";
        let d = lint(text);
        assert_eq!(
            d.iter()
                .map(|d| (d.code, d.line, d.column))
                .collect::<Vec<_>>(),
            vec![("G0802", 4, 36), ("G0802", 4, 59)]
        );
        assert!(d[0].help.contains("vars.RUN_DEV_LABEL"), "{}", d[0].help);
    }

    #[test]
    fn scripts_and_lists() {
        let text = r#"jobs:
  a:
    steps:
      - run: |
          if [ "${{ github.event.label.name }}" = "run:dev" ]; then exit 0; fi
          if [[ 'run:qa' == '${{ github.event.label.name }}' ]]; then exit 0; fi
      - if: contains(fromJSON('["run:dev", "run:qa"]'), github.event.label.name)
        run: echo
"#;
        let d = lint(text);
        assert_eq!(
            d.iter()
                .map(|d| (d.code, d.line, d.column))
                .collect::<Vec<_>>(),
            vec![("G0801", 5, 51), ("G0801", 6, 17), ("G0801", 7, 31)]
        );
        assert!(
            d[0].help.contains("${{ vars.RUN_DEV_LABEL }}"),
            "{}",
            d[0].help
        );
        assert!(d[2].help.contains("vars.RUN_QA_LABEL"), "{}", d[2].help);
    }

    #[test]
    fn broken_yaml_is_reported() {
        let d = lint("on: [issues\njobs: x\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, "G0803");
        assert!(d[0].line >= 1);
        let d = lint("on: issues\njobs:\n  a:\n    if: x\n    if: y\n");
        assert_eq!(
            d.iter()
                .map(|d| (d.code, d.line, d.column))
                .collect::<Vec<_>>(),
            vec![("G0803", 5, 5)]
        );
        assert!(d[0].message.contains("first on line 4"), "{}", d[0].message);
    }

    #[test]
    fn folded_and_plain_multi_line_values() {
        let text = "jobs:\n  a:\n    if: >-\n      startsWith(github.event.label.name, 'run:') &&\n      github.event.label.name == 'run:dev'\n    steps:\n      - if: github.event.action == 'labeled' &&\n          'run:qa' == github.event.label.name\n        run: x |\n      - if: \"github.event.label.name == 'bug'\"\n";
        assert_eq!(
            places(text),
            vec![("G0801", 5, 34), ("G0801", 8, 11), ("G0801", 10, 41)]
        );
    }

    #[test]
    fn hostile_expressions_do_not_crash() {
        let deep = format!("if: {}x{}\n", "(".repeat(5000), ")".repeat(5000));
        assert!(lint(&deep).is_empty());
        for t in [
            "if: ${{\n",
            "if: \"${{ 'unterminated }}\"\n",
            "if: github.event.label.name ==\n",
            "a: !!str &x 'github.event.label.name == ''run:dev'''\nb: *x\n",
            "a: \"\\u00e9 ${{ github.event.label.name == 'run:dev' }}\"\n",
        ] {
            let _ = lint(t);
        }
        let d = lint("a: \"\\u00e9 ${{ github.event.label.name == 'run:dev' }}\"\n");
        assert_eq!((d[0].line, d[0].column), (1, 43));
    }
}
