//! `genie index`, `genie search` and `genie context` on a copy of the example
//! repository: the golden queries of `tests/golden/search.yaml` (with figures:
//! top-5 hit rate, MRR@10, nDCG@10), Russian morphology and ё/е folding, filters,
//! query syntax errors, incremental updates and context packing.
//!
//! Every test works on its own temporary copy of `examples/`: indexing writes
//! `.genie/index` under the root, and the example repository must stay clean.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

const GOLDEN: &str = "tests/golden/search.yaml";

/// The share of golden queries whose expected section must be in the top 5.
const MIN_TOP5_RATE: f64 = 0.90;

// ---------------------------------------------------------------------------
// The golden file

/// One golden query: `query` should find the section under `heading` in `path`.
#[derive(Debug, Clone)]
struct Golden {
    /// Line of the entry in the golden file.
    line: usize,
    query: String,
    lang: String,
    path: String,
    heading: String,
}

const KEYS: [&str; 4] = ["query", "lang", "path", "heading"];

/// Read the golden file's fixed format: a list of maps with the four keys of
/// [`KEYS`], one `key: value` per line, values double-quoted (with `\"` and `\\`)
/// or bare; blank lines and whole-line `#` comments are skipped.
fn parse_golden(text: &str) -> Result<Vec<Golden>, String> {
    let mut out = Vec::new();
    let mut current: Option<(usize, BTreeMap<String, String>)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let rest = if let Some(rest) = line.strip_prefix("- ") {
            if let Some((start, map)) = current.take() {
                out.push(finish_entry(start, map)?);
            }
            current = Some((n, BTreeMap::new()));
            rest
        } else if let Some(rest) = line.strip_prefix("  ") {
            if current.is_none() {
                return Err(format!("line {n}: a key outside of a list entry: {line:?}"));
            }
            rest
        } else {
            return Err(format!(
                "line {n}: expected `- key: value` or `  key: value`, found {line:?}"
            ));
        };
        let (key, value) = rest
            .split_once(':')
            .ok_or_else(|| format!("line {n}: expected `key: value`, found {rest:?}"))?;
        let key = key.trim();
        if !KEYS.contains(&key) {
            return Err(format!(
                "line {n}: unknown key {key:?} (expected one of {KEYS:?})"
            ));
        }
        let value = parse_value(value.trim()).map_err(|e| format!("line {n}: {e}"))?;
        let (_, map) = current.as_mut().expect("an entry is open");
        if map.insert(key.to_string(), value).is_some() {
            return Err(format!("line {n}: duplicate key {key:?}"));
        }
    }
    if let Some((start, map)) = current.take() {
        out.push(finish_entry(start, map)?);
    }
    Ok(out)
}

fn finish_entry(line: usize, mut map: BTreeMap<String, String>) -> Result<Golden, String> {
    let mut take = |key: &str| {
        map.remove(key)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| format!("entry at line {line}: missing or empty `{key}`"))
    };
    Ok(Golden {
        line,
        query: take("query")?,
        lang: take("lang")?,
        path: take("path")?,
        heading: take("heading")?,
    })
}

/// A double-quoted value with `\"` and `\\` escapes, or a bare word.
fn parse_value(v: &str) -> Result<String, String> {
    let Some(body) = v.strip_prefix('"') else {
        if v.is_empty() || v.contains(['"', '#']) {
            return Err(format!("bad bare value {v:?}; quote it"));
        }
        return Ok(v.to_string());
    };
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let tail: String = chars.collect();
                if !tail.trim().is_empty() {
                    return Err(format!("text after the closing quote: {tail:?}"));
                }
                return Ok(out);
            }
            '\\' => match chars.next() {
                Some(e @ ('"' | '\\')) => out.push(e),
                other => return Err(format!("unsupported escape \\{other:?}")),
            },
            c => out.push(c),
        }
    }
    Err(format!("unterminated string {v:?}"))
}

/// The golden queries, parsed (a malformed file fails here, with its line).
fn golden() -> Vec<Golden> {
    let text = std::fs::read_to_string(manifest_dir().join(GOLDEN))
        .unwrap_or_else(|e| panic!("cannot read {GOLDEN}: {e}"));
    parse_golden(&text).unwrap_or_else(|e| panic!("{GOLDEN}: {e}"))
}

/// A markdown heading: its plain text, level and 1-based line.
#[derive(Debug)]
struct Heading {
    text: String,
    level: usize,
    line: usize,
}

/// The ATX headings of a markdown file, skipping YAML (`---`) or TOML (`+++`)
/// front-matter and fenced code blocks.
fn markdown_headings(text: &str) -> Vec<Heading> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut start = 0;
    if let Some(&delim @ ("---" | "+++")) = lines.first()
        && let Some(end) = lines.iter().skip(1).position(|l| l.trim_end() == delim)
    {
        start = end + 2;
    }
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for (i, line) in lines.iter().enumerate().skip(start) {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = line.trim_start_matches(' ');
        if indent < 4 {
            let fence_char = rest.chars().next().filter(|c| *c == '`' || *c == '~');
            if let Some(c) = fence_char {
                let run = rest.chars().take_while(|x| *x == c).count();
                if run >= 3 {
                    match fence {
                        None => fence = Some((c, run)),
                        Some((fc, fl)) if fc == c && run >= fl && rest[run..].trim().is_empty() => {
                            fence = None
                        }
                        Some(_) => {}
                    }
                    continue;
                }
            }
        }
        if fence.is_some() || indent >= 4 {
            continue;
        }
        let level = rest.chars().take_while(|c| *c == '#').count();
        if !(1..=6).contains(&level) {
            continue;
        }
        let after = &rest[level..];
        if !(after.is_empty() || after.starts_with(' ') || after.starts_with('\t')) {
            continue;
        }
        // An optional closing sequence of `#`s, preceded by a space.
        let mut t = after.trim();
        let stripped = t.trim_end_matches('#');
        if stripped.is_empty() || stripped.ends_with(' ') {
            t = stripped.trim_end();
        }
        out.push(Heading {
            text: plain_inline(t),
            level,
            line: i + 1,
        });
    }
    out
}

/// Inline markup removed: links and images keep their text, code spans and
/// strong/emphasis markers go.
fn plain_inline(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open);
        let before = before.strip_suffix('!').unwrap_or(before);
        out.push_str(before);
        let link = after[1..]
            .split_once("](")
            .and_then(|(label, tail)| tail.find(')').map(|close| (label, &tail[close + 1..])));
        match link {
            Some((label, tail)) => {
                out.push_str(label);
                rest = tail;
            }
            None => {
                out.push('[');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out.replace('`', "")
        .replace("**", "")
        .replace("__", "")
        .replace('*', "")
        .trim()
        .to_string()
}

fn has_cyrillic(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё'))
}

fn has_latin(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_alphabetic())
}

/// Lower-case words of prose, (Russian, English): names and identifiers are
/// capitalised or contain digits or `_`, so a table of people does not make a
/// section Russian.
fn prose_words(s: &str) -> (usize, usize) {
    let mut ru = 0;
    let mut en = 0;
    for w in s.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        if w.chars().count() < 3 || !w.chars().all(char::is_lowercase) {
            continue;
        }
        if w.chars().all(|c| matches!(c, 'а'..='я' | 'ё')) {
            ru += 1;
        } else if w.chars().all(|c| c.is_ascii_lowercase()) {
            en += 1;
        }
    }
    (ru, en)
}

/// The text of the section under `h` (up to the next heading of the same or a
/// higher level).
fn section_text(file: &str, headings: &[Heading], h: &Heading) -> String {
    let end = headings
        .iter()
        .find(|o| o.line > h.line && o.level <= h.level)
        .map_or(usize::MAX, |o| o.line - 1);
    file.lines()
        .enumerate()
        .filter(|(i, _)| *i + 1 > h.line && *i < end)
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every problem with the golden file, each naming its entry.
fn golden_problems(golden: &[Golden]) -> Vec<String> {
    let examples = manifest_dir().join("examples");
    let mut problems = Vec::new();
    let mut seen = BTreeMap::new();
    for g in golden {
        let at = format!("{GOLDEN}:{} ({:?})", g.line, g.query);
        if let Some(first) = seen.insert(g.query.to_lowercase(), g.line) {
            problems.push(format!("{at}: the same query as line {first}"));
        }
        match g.lang.as_str() {
            "ru" if !has_cyrillic(&g.query) => {
                problems.push(format!("{at}: lang ru but the query has no Cyrillic"))
            }
            "en" if has_cyrillic(&g.query) => {
                problems.push(format!("{at}: lang en but the query has Cyrillic"))
            }
            "mixed" if !(has_cyrillic(&g.query) && has_latin(&g.query)) => problems.push(format!(
                "{at}: lang mixed but the query does not mix Cyrillic and Latin words"
            )),
            "ru" | "en" | "mixed" => {}
            other => problems.push(format!("{at}: lang {other:?} is not ru, en or mixed")),
        }
        if !g.path.starts_with("docs/") || !g.path.ends_with(".md") || g.path.starts_with("docs/_")
        {
            problems.push(format!(
                "{at}: path {:?} is not a document under docs/",
                g.path
            ));
            continue;
        }
        let file = match std::fs::read_to_string(examples.join(&g.path)) {
            Ok(f) => f,
            Err(e) => {
                problems.push(format!(
                    "{at}: path examples/{} cannot be read: {e}",
                    g.path
                ));
                continue;
            }
        };
        let headings = markdown_headings(&file);
        let Some(h) = headings.iter().find(|h| h.text == g.heading) else {
            let list: Vec<&str> = headings.iter().map(|h| h.text.as_str()).collect();
            problems.push(format!(
                "{at}: examples/{} has no heading {:?}; its headings are {list:?}",
                g.path, g.heading
            ));
            continue;
        };
        let section = format!("{}\n{}", h.text, section_text(&file, &headings, h));
        let (ru, en) = prose_words(&section);
        match g.lang.as_str() {
            "ru" if ru < 5 || ru < en => problems.push(format!(
                "{at}: a Russian query, but the section {:?} of {} is not written in Russian",
                g.heading, g.path
            )),
            "en" if en < 5 || en < ru => problems.push(format!(
                "{at}: an English query, but the section {:?} of {} is written in Russian",
                g.heading, g.path
            )),
            _ => {}
        }
    }
    problems
}

#[test]
fn golden_file_is_valid() {
    let golden = golden();
    let problems = golden_problems(&golden);
    assert!(
        problems.is_empty(),
        "{GOLDEN} has {} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    let count = |lang: &str| golden.iter().filter(|g| g.lang == lang).count();
    assert!(
        golden.len() >= 48,
        "{GOLDEN}: {} queries, want 48 or more",
        golden.len()
    );
    assert!(
        count("ru") >= 20 && count("en") >= 20 && count("mixed") >= 3,
        "{GOLDEN}: {} ru, {} en, {} mixed queries",
        count("ru"),
        count("en"),
        count("mixed")
    );
}

#[test]
fn golden_parser_reports_mistakes_with_their_line() {
    let ok = "# c\n- query: \"a \\\"b\\\" c\"\n  lang: en\n  path: docs/x.md\n  heading: \"H\"\n";
    let g = parse_golden(ok).unwrap();
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].query, "a \"b\" c");
    assert_eq!(g[0].line, 2);
    for (bad, want) in [
        (
            "- query: \"a\"\n  lang: en\n  path: docs/x.md\n",
            "missing or empty `heading`",
        ),
        ("- query: \"a\n", "line 1: unterminated"),
        ("- query: \"a\"\n  langg: en\n", "line 2: unknown key"),
        ("- query: \"a\"\n  query: \"b\"\n", "line 2: duplicate key"),
        (
            "- query: \"a\" # note\n",
            "line 1: text after the closing quote",
        ),
        ("query: \"a\"\n", "line 1: expected `- key: value`"),
    ] {
        let err = parse_golden(bad).unwrap_err();
        assert!(err.contains(want), "{bad:?}: {err}");
    }
    let md = "---\ntitle: x\n# not: a heading\n---\n\n# Title\n\n```bash\n# comment\n```\n\n## `code` and **bold** [link](x.md) ##\n";
    let hs: Vec<String> = markdown_headings(md).into_iter().map(|h| h.text).collect();
    assert_eq!(hs, ["Title", "code and bold link"]);
}

// ---------------------------------------------------------------------------
// Running genie

/// A temporary copy of `examples/`.
fn example_copy() -> tempfile::TempDir {
    fixture("examples")
}

fn root_str(root: &Path) -> &str {
    root.to_str().expect("temporary paths are UTF-8")
}

fn genie_in(root: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--root", root_str(root)];
    all.extend_from_slice(args);
    run(root, &all)
}

fn build_index(root: &Path) {
    let o = genie_in(root, &["index"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "genie index failed\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
}

/// A temporary copy of `examples/` with its index built.
fn indexed_examples() -> tempfile::TempDir {
    let dir = example_copy();
    build_index(dir.path());
    dir
}

/// `genie search --format json OPTIONS -- QUERY`: the parsed output, or what went
/// wrong.
fn try_search(root: &Path, query: &str, options: &[&str]) -> Result<Value, String> {
    let mut args = vec!["search", "--format", "json"];
    args.extend_from_slice(options);
    args.extend_from_slice(&["--", query]);
    let o = genie_in(root, &args);
    if o.status.code() != Some(0) {
        return Err(format!(
            "genie search {query:?} {options:?} exited with {:?}\nstdout: {}\nstderr: {}",
            o.status.code(),
            stdout(&o),
            stderr(&o)
        ));
    }
    let v: Value = serde_json::from_slice(&o.stdout).map_err(|e| {
        format!(
            "genie search {query:?}: output is not JSON ({e})\nstdout: {}",
            stdout(&o)
        )
    })?;
    if v["version"] != 1 || !v["hits"].is_array() || !v["warnings"].is_array() {
        return Err(format!(
            "genie search {query:?}: no version 1, hits and warnings in {v}"
        ));
    }
    Ok(v)
}

fn search(root: &Path, query: &str, options: &[&str]) -> Value {
    try_search(root, query, options).unwrap_or_else(|e| panic!("{e}"))
}

fn hits(v: &Value) -> &Vec<Value> {
    v["hits"].as_array().expect("hits is an array")
}

fn hit_path(h: &Value) -> &str {
    h["path"].as_str().unwrap_or("")
}

fn hit_headings(h: &Value) -> Vec<&str> {
    h["headings"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Whether a hit is the chunk that covers `heading` of `path`.
fn is_hit(h: &Value, path: &str, heading: &str) -> bool {
    hit_path(h) == path && hit_headings(h).contains(&heading)
}

/// The first `n` hits, one line each, for failure messages.
fn describe_hits(v: &Value, n: usize) -> String {
    let mut s = String::new();
    for (i, h) in hits(v).iter().take(n).enumerate() {
        let _ = writeln!(
            s,
            "      {}. {} {:?} (score {}, type {}, status {})",
            i + 1,
            hit_path(h),
            hit_headings(h),
            h["score"],
            h["type"],
            h["status"]
        );
    }
    if s.is_empty() {
        s.push_str("      (no hits)\n");
    }
    s
}

// ---------------------------------------------------------------------------
// The golden queries

#[derive(Default)]
struct Figures {
    queries: usize,
    top5: usize,
    reciprocal_ranks: f64,
    ndcg: f64,
}

impl Figures {
    fn add(&mut self, rank: Option<usize>) {
        self.queries += 1;
        if let Some(r) = rank {
            if r <= 5 {
                self.top5 += 1;
            }
            self.reciprocal_ranks += 1.0 / r as f64;
            // Binary relevance with one relevant chunk: IDCG@10 = 1.
            self.ndcg += 1.0 / ((r + 1) as f64).log2();
        }
    }

    fn top5_rate(&self) -> f64 {
        self.top5 as f64 / self.queries.max(1) as f64
    }

    fn line(&self, label: &str) -> String {
        let n = self.queries.max(1) as f64;
        format!(
            "{label:<8} {:>3} queries  top-5 {:>3}/{:<3} = {:>5.1} %  MRR@10 {:.3}  nDCG@10 {:.3}",
            self.queries,
            self.top5,
            self.queries,
            100.0 * self.top5_rate(),
            self.reciprocal_ranks / n,
            self.ndcg / n
        )
    }
}

#[test]
fn golden_queries_find_their_sections() {
    let golden = golden();
    let problems = golden_problems(&golden);
    assert!(
        problems.is_empty(),
        "{GOLDEN} is invalid:\n{}",
        problems.join("\n")
    );

    let dir = indexed_examples();
    let root = dir.path();
    let mut overall = Figures::default();
    let mut by_lang: BTreeMap<String, Figures> = BTreeMap::new();
    let mut misses = Vec::new();
    for g in &golden {
        let (rank, shown) = match try_search(root, &g.query, &["--limit", "10", "--no-update"]) {
            Ok(v) => {
                let rank = hits(&v)
                    .iter()
                    .take(10)
                    .position(|h| is_hit(h, &g.path, &g.heading))
                    .map(|i| i + 1);
                (rank, describe_hits(&v, 5))
            }
            Err(e) => (None, format!("      {}\n", e.replace('\n', "\n      "))),
        };
        overall.add(rank);
        by_lang.entry(g.lang.clone()).or_default().add(rank);
        if rank.is_none_or(|r| r > 5) {
            let at = rank.map_or("not in the top 10".to_string(), |r| format!("rank {r}"));
            misses.push(format!(
                "  [{}] {:?} ({GOLDEN}:{})\n    want {} # {:?}, {at}; top 5:\n{shown}",
                g.lang, g.query, g.line, g.path, g.heading
            ));
        }
    }

    eprintln!("golden search figures ({} queries):", overall.queries);
    eprintln!("  {}", overall.line("all"));
    for (lang, f) in &by_lang {
        eprintln!("  {}", f.line(lang));
    }
    if !misses.is_empty() {
        eprintln!(
            "{} queries missed the top 5:\n{}",
            misses.len(),
            misses.join("")
        );
    }
    assert!(
        overall.top5_rate() >= MIN_TOP5_RATE,
        "top-5 hit rate {:.1} % is below {:.0} %; {} of {} queries missed:\n{}",
        100.0 * overall.top5_rate(),
        100.0 * MIN_TOP5_RATE,
        misses.len(),
        overall.queries,
        misses.join("")
    );
}

// ---------------------------------------------------------------------------
// Language: morphology and ё/е

/// The top hit of `query` is the section `heading` of `path`.
fn assert_top_hit(root: &Path, query: &str, path: &str, heading: &str) {
    let v = search(root, query, &["--limit", "10", "--no-update"]);
    assert!(
        hits(&v).first().is_some_and(|h| is_hit(h, path, heading)),
        "{query:?} should find {path} # {heading:?} first; got:\n{}",
        describe_hits(&v, 10)
    );
}

#[test]
fn russian_queries_find_other_word_forms() {
    let dir = indexed_examples();
    // The text says «пекарни-кафе» and «Пекарня», nowhere else; the query is accusative.
    assert_top_hit(
        dir.path(),
        "пекарню",
        "docs/intake/per-0001-shop-owners-and-staff.md",
        "Владелица одной пекарни-кафе",
    );
    // The text says «франшизы» (only in the charter's scope section).
    assert_top_hit(
        dir.path(),
        "франшиза",
        "docs/vision/chr-0001-multi-store-sync-charter.md",
        "Границы",
    );
}

#[test]
fn yo_and_ye_are_the_same_letter() {
    let dir = indexed_examples();
    // The text says «развёрнут в Kubernetes», in this one section only.
    for query in ["развернут", "развёрнут"] {
        assert_top_hit(
            dir.path(),
            query,
            "docs/intake/cst-0001-platform-constraints.md",
            "Технические ограничения",
        );
    }
}

// ---------------------------------------------------------------------------
// Filters

/// `query` without the filter returns a hit the filter excludes (so the filter is
/// tested, not just a query that only matches the wanted documents), and with
/// it returns hits that all pass `keep`.
fn assert_filter(root: &Path, query: &str, filter: &[&str], keep: impl Fn(&Value) -> bool) {
    let all = search(root, query, &["--limit", "20", "--no-update"]);
    assert!(
        hits(&all).iter().any(|h| !keep(h)),
        "{query:?} without {filter:?} should also find documents the filter excludes:\n{}",
        describe_hits(&all, 20)
    );
    let mut options = vec!["--limit", "20", "--no-update"];
    options.extend_from_slice(filter);
    let filtered = search(root, query, &options);
    assert!(
        !hits(&filtered).is_empty(),
        "{query:?} {filter:?} found nothing"
    );
    let wrong: Vec<&Value> = hits(&filtered).iter().filter(|h| !keep(h)).collect();
    assert!(
        wrong.is_empty(),
        "{query:?} {filter:?} returned hits it should exclude:\n{}",
        describe_hits(&filtered, 20)
    );
}

fn issue_number(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_str()
            .and_then(|s| s.trim_start_matches('#').parse().ok())
    })
}

#[test]
fn filters_by_type_status_and_issue() {
    let dir = indexed_examples();
    let root = dir.path();
    assert_filter(
        root,
        "PostgreSQL хранилище остатков",
        &["--type", "adr"],
        |h| h["type"] == "adr",
    );
    // `accepted` (ADRs) is the configured alias of `approved`.
    assert_filter(root, "stock-sync", &["--status", "approved"], |h| {
        h["status"] == "approved" || h["status"] == "accepted"
    });
    assert_filter(root, "остатки", &["--issue", "31"], |h| {
        h["issues"]
            .as_array()
            .is_some_and(|a| a.iter().any(|i| issue_number(i) == Some(31)))
    });
}

// ---------------------------------------------------------------------------
// Query syntax

#[test]
fn query_syntax_errors_are_warnings_not_failures() {
    let dir = indexed_examples();
    let root = dir.path();
    for query in ["\"unclosed", "AND OR ("] {
        let v = search(root, query, &["--limit", "10", "--no-update"]);
        let warnings = v["warnings"].as_array().unwrap();
        assert!(
            !warnings.is_empty(),
            "{query:?} should come with a warning about the query syntax: {v}"
        );
    }
    let long = "остатки ".repeat(2000);
    for query in [
        ")",
        "(((((((((",
        "\"",
        "title:",
        ":",
        "path:\"docs",
        "*",
        "?",
        "-",
        "+",
        "NOT",
        "[1 TO",
        "{",
        "~2",
        "^3",
        "\\",
        "остатки AND",
        "stock^",
        long.as_str(),
    ] {
        let shown: String = query.chars().take(40).collect();
        let v = try_search(root, query, &["--limit", "10", "--no-update"])
            .unwrap_or_else(|e| panic!("query {shown:?}: {e}"));
        assert!(v["hits"].is_array(), "query {shown:?}: {v}");
    }
    for query in ["", "   "] {
        let o = genie_in(
            root,
            &["search", "--format", "json", "--no-update", "--", query],
        );
        assert_ne!(
            o.status.code(),
            Some(101),
            "{query:?} made genie panic: {}",
            stderr(&o)
        );
    }
}

// ---------------------------------------------------------------------------
// Incremental update

const NEW_DOC: &str = "docs/ops/runbooks/rb-0002-freezer-temperature.md";

fn new_doc(word: &str) -> String {
    format!(
        "---\ndoc_id: RB-0002\ntype: runbook\ntitle: \"Runbook: температура морозильной камеры\"\n\
         status: draft\nowner_role: sre\ncreated_at: 2026-04-28\n---\n\n\
         # Runbook: температура морозильной камеры\n\n\
         ## Что делать\n\n\
         Датчик {word} в морозильной камере магазина показывает выше минус 12 градусов.\n\
         Check the {word} sensor battery first, then the door seal.\n"
    )
}

fn paths_of(v: &Value) -> Vec<&str> {
    hits(v).iter().map(hit_path).collect()
}

#[test]
fn search_updates_the_index_for_new_changed_and_deleted_files() {
    let dir = indexed_examples();
    let root = dir.path();
    write_files(root, &[(NEW_DOC, &new_doc("Frostline"))]);

    // --no-update searches the index as it is.
    let stale = search(root, "Frostline", &["--no-update"]);
    assert!(
        !paths_of(&stale).contains(&NEW_DOC),
        "--no-update should not index the new file:\n{}",
        describe_hits(&stale, 10)
    );

    // Without it, the new file is indexed before searching, and stays indexed.
    for options in [&[][..], &["--no-update"][..]] {
        let v = search(root, "Frostline", options);
        assert_eq!(
            paths_of(&v).first(),
            Some(&NEW_DOC),
            "a new document should be found (options {options:?}):\n{}",
            describe_hits(&v, 10)
        );
    }
    let v = search(root, "морозильная камера", &[]);
    assert!(
        paths_of(&v).contains(&NEW_DOC),
        "the new document's Russian text should be found:\n{}",
        describe_hits(&v, 10)
    );

    // A changed file: the old word is gone, the new one is found.
    write_files(root, &[(NEW_DOC, &new_doc("Icewatch"))]);
    let v = search(root, "Icewatch", &[]);
    assert_eq!(
        paths_of(&v).first(),
        Some(&NEW_DOC),
        "the changed document should be found by its new text:\n{}",
        describe_hits(&v, 10)
    );
    let v = search(root, "Frostline", &[]);
    assert!(
        !paths_of(&v).contains(&NEW_DOC),
        "the changed document should no longer be found by its old text:\n{}",
        describe_hits(&v, 10)
    );

    // A deleted file: its hits disappear.
    std::fs::remove_file(root.join(NEW_DOC)).unwrap();
    for query in ["Icewatch", "морозильная камера"] {
        let v = search(root, query, &[]);
        assert!(
            !paths_of(&v).contains(&NEW_DOC),
            "{query:?}: a deleted document should not be found:\n{}",
            describe_hits(&v, 10)
        );
    }
}

// ---------------------------------------------------------------------------
// Context

const TASK: &str = "Fix the sign of partial refunds in the stock movement handler and recalculate the affected stock";

/// The paths of the approved documents in a DocSet file (`docs:` entries in
/// flow-map form, as `genie docset sync` writes them).
fn approved_docset_paths(root: &Path, issue: u64) -> Vec<String> {
    let file = root.join(format!("docs/_docset/issues/issue-{issue}.yaml"));
    let text = std::fs::read_to_string(&file).unwrap();
    let field = |entry: &str, key: &str| -> Option<String> {
        let start = entry.find(&format!("{key}: "))? + key.len() + 2;
        let rest = &entry[start..];
        let end = rest.find([',', '}']).unwrap_or(rest.len());
        Some(rest[..end].trim().to_string())
    };
    let paths: Vec<String> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("- {doc_id:"))
        .filter(|l| matches!(field(l, "status").as_deref(), Some("approved" | "accepted")))
        .filter_map(|l| field(l, "path"))
        .collect();
    assert!(
        !paths.is_empty(),
        "no approved documents in {}",
        file.display()
    );
    paths
}

/// `path:START-END` citations in a text: (path, start, end).
fn citations(text: &str) -> Vec<(String, u64, u64)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(".md:") {
        let at = from + i;
        from = at + 4;
        let start = text[..at]
            .rfind(|c: char| c.is_whitespace() || "([<`'\"".contains(c))
            .map_or(0, |p| p + 1);
        let path = &text[start..at + 3];
        let nums: String = text[at + 4..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        if let Some((a, b)) = nums.split_once('-')
            && let (Ok(a), Ok(b)) = (a.parse(), b.parse())
        {
            out.push((path.to_string(), a, b));
        }
    }
    out
}

/// `path` exists under `root` and `start..=end` are lines of it.
fn check_citation(root: &Path, path: &str, start: u64, end: u64) -> Result<Vec<String>, String> {
    let text =
        std::fs::read_to_string(root.join(path)).map_err(|e| format!("cited file {path}: {e}"))?;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    if start < 1 || start > end || end as usize > lines.len() {
        return Err(format!(
            "citation {path}:{start}-{end} is outside the file's {} lines",
            lines.len()
        ));
    }
    Ok(lines[start as usize - 1..end as usize].to_vec())
}

#[test]
fn context_puts_approved_docset_chunks_first_within_the_budget() {
    let dir = indexed_examples();
    let root = dir.path();
    let o = genie_in(
        root,
        &[
            "context", TASK, "--issue", "31", "--budget", "800", "--format", "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let v: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    assert_eq!(v["version"], 1, "{v}");
    assert_eq!(v["task"], TASK, "{v}");
    assert_eq!(v["budget"], 800, "{v}");
    let total = v["tokens"].as_u64().expect("tokens is a number");
    assert!(total <= 800, "{total} tokens for a budget of 800");
    let chunks = v["chunks"].as_array().expect("chunks is an array");
    assert!(!chunks.is_empty(), "no chunks: {v}");

    let approved = approved_docset_paths(root, 31);
    let mut sum = 0;
    let mut seen_search = false;
    for (i, c) in chunks.iter().enumerate() {
        let id = c["id"].as_str().unwrap_or("");
        let path = c["path"].as_str().unwrap_or("");
        let (start, end) = (
            c["line_start"].as_u64().unwrap_or(0),
            c["line_end"].as_u64().unwrap_or(0),
        );
        let tokens = c["tokens"].as_u64().unwrap_or(0);
        let text = c["text"].as_str().unwrap_or("");
        assert!(
            !id.is_empty() && !path.is_empty() && tokens > 0 && !text.trim().is_empty(),
            "chunk {i} lacks id, path, tokens or text: {c}"
        );
        sum += tokens;
        let lines =
            check_citation(root, path, start, end).unwrap_or_else(|e| panic!("chunk {i}: {e}"));
        let file_lines: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
        assert!(
            text.lines()
                .map(str::trim)
                .any(|l| !l.is_empty() && file_lines.contains(&l)),
            "chunk {i}: its text is not from {path}:{start}-{end}:\n{text}"
        );
        match c["source"].as_str() {
            Some("docset") => {
                assert!(
                    !seen_search,
                    "chunk {i} from the DocSet comes after search chunks: {v}"
                );
                assert!(
                    approved.iter().any(|p| p == path),
                    "chunk {i} ({path}) is not an approved document of issue 31's DocSet {approved:?}"
                );
            }
            Some("search") => seen_search = true,
            other => panic!("chunk {i}: source {other:?} is neither docset nor search"),
        }
    }
    assert_eq!(
        chunks[0]["source"], "docset",
        "the first chunk should come from the DocSet: {v}"
    );
    assert!(
        sum <= total,
        "chunk tokens add up to {sum}, more than tokens = {total}"
    );

    // A smaller budget is respected too.
    let o = genie_in(
        root,
        &[
            "context", TASK, "--issue", "31", "--budget", "200", "--format", "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let small: Value = serde_json::from_slice(&o.stdout).unwrap();
    let t = small["tokens"].as_u64().expect("tokens is a number");
    let s: u64 = small["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["tokens"].as_u64().unwrap_or(0))
        .sum();
    assert!(t <= 200 && s <= t, "budget 200: tokens {t}, chunk sum {s}");

    // Markdown: the same chunks, cited as path:START-END.
    let o = genie_in(
        root,
        &[
            "context", TASK, "--issue", "31", "--budget", "800", "--format", "md",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let md = stdout(&o);
    let first = format!(
        "{}:{}-{}",
        chunks[0]["path"].as_str().unwrap(),
        chunks[0]["line_start"],
        chunks[0]["line_end"]
    );
    assert!(
        md.contains(&first),
        "the markdown context lacks the citation {first}:\n{md}"
    );
    let cited = citations(&md);
    assert!(!cited.is_empty(), "no path:START-END citations in:\n{md}");
    for (path, a, b) in &cited {
        check_citation(root, path, *a, *b).unwrap_or_else(|e| panic!("{e}\n{md}"));
    }
}
