//! `genie search`: ranked chunks for a query, with a highlighted snippet.
//!
//! The query is read by Tantivy's query parser over the title (doc_id and title),
//! heading and body fields, headings boosted; words are analyzed like the text
//! (Russian and English stems). A query with a syntax error is read leniently and
//! the error becomes a warning. Filters are exact terms.

use std::path::Path;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::IndexError;
use super::store::{self, Fields, Opened};

/// Boost of a match in a heading, against 1.0 for the body.
const HEADING_BOOST: f32 = 2.0;
/// Boost of a match in the doc_id or title.
const TITLE_BOOST: f32 = 1.5;

/// What to search for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchOptions {
    pub query: String,
    /// Exact document type (`adr`).
    pub doc_type: Option<String>,
    /// Exact status (`approved`).
    pub status: Option<String>,
    /// Documents related to this issue.
    pub issue: Option<u64>,
    /// Only these documents (repository-relative paths).
    pub paths: Option<Vec<String>>,
    pub limit: usize,
    /// Characters of the snippet (0: no snippet).
    pub snippet_chars: usize,
}

/// One ranked chunk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub id: String,
    pub doc_id: Option<String>,
    pub path: String,
    pub title: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub status: Option<String>,
    pub heading_path: Vec<String>,
    pub headings: Vec<String>,
    pub line_start: u32,
    pub line_end: u32,
    pub issues: Vec<u64>,
    pub snippet: String,
    /// Byte ranges of `snippet` that matched the query.
    pub highlights: Vec<[usize; 2]>,
    /// The chunk's markdown source.
    #[serde(skip)]
    pub text: String,
}

/// The answer to a query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    pub version: u32,
    pub query: String,
    /// Chunks that match (all of them, not only those returned).
    pub total: usize,
    pub warnings: Vec<String>,
    pub hits: Vec<Hit>,
}

/// Search the index of the repository at `root` as it is (see
/// [`super::update`] to bring it up to date first).
pub fn search(root: &Path, opts: &SearchOptions) -> Result<Results, IndexError> {
    let opened = store::open(root)?;
    search_in(&opened, opts)
}

fn err(what: &str, e: impl std::fmt::Display) -> IndexError {
    IndexError::new(format!("{what}: {e}"))
}

fn term(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

pub(crate) fn search_in(opened: &Opened, opts: &SearchOptions) -> Result<Results, IndexError> {
    let f = &opened.fields;
    let mut parser = QueryParser::for_index(&opened.index, vec![f.title, f.heading, f.body]);
    parser.set_field_boost(f.heading, HEADING_BOOST);
    parser.set_field_boost(f.title, TITLE_BOOST);
    let (text_query, errors) = parser.parse_query_lenient(&opts.query);
    let mut warnings: Vec<String> = Vec::new();
    if !errors.is_empty() {
        let first = errors[0].to_string();
        warnings.push(format!(
            "the query is not valid query syntax ({first}); it was read leniently"
        ));
    }

    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
    if let Some(t) = &opts.doc_type {
        clauses.push((Occur::Must, term(f.doc_type, &t.to_ascii_lowercase())));
    }
    if let Some(s) = &opts.status {
        clauses.push((Occur::Must, term(f.status, &s.to_ascii_lowercase())));
    }
    if let Some(n) = opts.issue {
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_u64(f.issues, n),
                IndexRecordOption::Basic,
            )),
        ));
    }
    if let Some(paths) = &opts.paths {
        let any: Vec<(Occur, Box<dyn Query>)> = paths
            .iter()
            .map(|p| (Occur::Should, term(f.path, p)))
            .collect();
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    let query = BooleanQuery::new(clauses);

    let searcher = opened.reader.searcher();
    let limit = opts.limit.max(1);
    let (top, total) = searcher
        .search(
            &query,
            &(TopDocs::with_limit(limit).order_by_score(), Count),
        )
        .map_err(|e| err("search failed", e))?;
    let snippets = if opts.snippet_chars > 0 && !top.is_empty() {
        let mut g = SnippetGenerator::create(&searcher, &query, f.body)
            .map_err(|e| err("search failed", e))?;
        g.set_max_num_chars(opts.snippet_chars);
        Some(g)
    } else {
        None
    };
    let mut hits = Vec::with_capacity(top.len());
    for (i, (score, addr)) in top.into_iter().enumerate() {
        let doc = load(&searcher, addr)?;
        let mut hit = to_hit(&doc, f, i + 1, score);
        if let Some(g) = &snippets {
            let s = g.snippet_from_doc(&doc);
            hit.snippet = s.fragment().to_string();
            hit.highlights = s.highlighted().iter().map(|r| [r.start, r.end]).collect();
        }
        if hit.snippet.is_empty() && opts.snippet_chars > 0 {
            hit.snippet = lead(&hit.text, opts.snippet_chars);
        }
        hits.push(hit);
    }
    Ok(Results {
        version: 1,
        query: opts.query.clone(),
        total,
        warnings,
        hits,
    })
}

fn load(searcher: &Searcher, addr: DocAddress) -> Result<TantivyDocument, IndexError> {
    searcher
        .doc::<TantivyDocument>(addr)
        .map_err(|e| err("cannot read the index", e))
}

/// The start of a chunk's text, for a hit whose match was not in the body.
fn lead(text: &str, max: usize) -> String {
    let body = text
        .lines()
        .skip_while(|l| l.trim_start().starts_with('#') || l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    match body.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &body[..i]),
        None => body,
    }
}

fn text(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

fn texts(doc: &TantivyDocument, field: tantivy::schema::Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str())
        .map(str::to_string)
        .collect()
}

fn number(doc: &TantivyDocument, field: tantivy::schema::Field) -> u32 {
    doc.get_first(field)
        .and_then(|v| v.as_u64())
        .map_or(0, |n| n.min(u64::from(u32::MAX)) as u32)
}

fn to_hit(doc: &TantivyDocument, f: &Fields, rank: usize, score: f32) -> Hit {
    Hit {
        rank,
        score: (score * 10_000.0).round() / 10_000.0,
        id: text(doc, f.id).unwrap_or_default(),
        doc_id: text(doc, f.doc_id),
        path: text(doc, f.path).unwrap_or_default(),
        title: text(doc, f.title_s),
        doc_type: text(doc, f.doc_type),
        status: text(doc, f.status),
        heading_path: texts(doc, f.heading_path),
        headings: texts(doc, f.headings),
        line_start: number(doc, f.line_start),
        line_end: number(doc, f.line_end),
        issues: doc.get_all(f.issues).filter_map(|v| v.as_u64()).collect(),
        snippet: String::new(),
        highlights: Vec::new(),
        text: text(doc, f.body).unwrap_or_default(),
    }
}
