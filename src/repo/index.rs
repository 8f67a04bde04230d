//! Loading a repository as the git index holds it: what the next commit will
//! contain, blobs read with gix, not the working tree. A partially staged file is
//! read as staged. Parsed files come from the metadata cache ([`crate::cache`])
//! when their blob id is known, so the pre-commit hook reads only what changed;
//! [`load_worktree`] does the same for the working tree (`genie impact`).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;

use super::git::{Git, GitError, IndexFile};
use super::{LoadError, LoadOptions, Repo, parse_doc_bytes, parse_docset_bytes};
use crate::cache::{Cache, FastMap, FastSet, Parsed};
use crate::check::{Context, Sink, rules};
use crate::config::Config;
use crate::model::Doc;
use crate::model::docset::{self, DocSet, Kind};
use crate::report::Diagnostic;

/// A repository read from the git index (see [`load_around`]).
pub struct IndexRepo {
    pub repo: Repo,
    /// Documents and DocSets found in the cache, and parsed afresh.
    pub cached: usize,
    pub parsed: usize,
    /// Documents in the index (read or not).
    pub docs_in_index: usize,
    /// Why the cache could not be written (the check itself went on).
    pub cache_error: Option<String>,
}

impl From<GitError> for LoadError {
    fn from(e: GitError) -> Self {
        LoadError::Io {
            path: "git".into(),
            message: e.message,
        }
    }
}

#[derive(Clone, Copy)]
enum What {
    Doc,
    DocSet(Kind, Option<u64>),
}

struct Todo<'f> {
    file: &'f IndexFile,
    what: What,
    bytes: Result<Vec<u8>, String>,
}

/// The document roots as path prefixes (`docs/`; empty for the whole repository).
fn doc_roots(config: &Config) -> Vec<String> {
    config
        .docs
        .roots
        .iter()
        .map(|r| {
            let r = r.trim_matches('/');
            if r.is_empty() || r == "." {
                String::new()
            } else {
                format!("{r}/")
            }
        })
        .collect()
}

/// Whether a file of the index is a document, a DocSet, or neither.
fn classify(path: &str, roots: &[String], docset_dir: &str, ctx: &Context) -> Option<What> {
    if is_markdown(path)
        && roots.iter().any(|r| path.starts_with(r.as_str()))
        && !ctx.excludes.is_match(path)
    {
        Some(What::Doc)
    } else {
        docset_file(path, docset_dir).map(|(kind, number)| What::DocSet(kind, number))
    }
}

/// A file parsed: a document, or a DocSet (or neither, when unreadable), and
/// the findings of the single-file rules.
type ParsedFile = (Option<Doc>, Option<DocSet>, Vec<Diagnostic>);

/// Parse files read from the index, in parallel.
fn parse_all(todo: &[Todo], ctx: &Context) -> Vec<ParsedFile> {
    // A few files are parsed faster than a thread pool starts.
    if todo.len() < 32 {
        return todo.iter().map(|t| parse_one(t, ctx)).collect();
    }
    todo.par_iter().map(|t| parse_one(t, ctx)).collect()
}

fn parse_one(t: &Todo, ctx: &Context) -> ParsedFile {
    let mut sink = Sink::new(&ctx.levels);
    let rel = t.file.path.as_str();
    let bytes = match &t.bytes {
        Ok(b) => b,
        Err(e) => {
            sink.emit(rules::UNREADABLE, rel, 1, 1, format!("cannot read: {e}"));
            return (None, None, sink.into_vec());
        }
    };
    match t.what {
        What::Doc => {
            let d = parse_doc_bytes(rel, bytes, ctx, LoadOptions::default(), &mut sink);
            (Some(d), None, sink.into_vec())
        }
        What::DocSet(kind, number) => {
            let ds = parse_docset_bytes(rel, kind, number, bytes, &mut sink);
            (None, ds, sink.into_vec())
        }
    }
}

fn is_markdown(path: &str) -> bool {
    path.ends_with(".md") || path.ends_with(".markdown")
}

/// `docs/_docset/issues/issue-12.yaml` → (Issue, Some(12)).
fn docset_file(path: &str, dir: &str) -> Option<(Kind, Option<u64>)> {
    let rest = path.strip_prefix(dir)?;
    let (sub, name) = rest.split_once('/')?;
    if name.contains('/') || !(name.ends_with(".yaml") || name.ends_with(".yml")) {
        return None;
    }
    let kind = match sub {
        "issues" => Kind::Issue,
        "prs" => Kind::Pr,
        _ => return None,
    };
    Some((kind, docset::parse_file_name(kind, name)))
}

/// A symlinked document is read through the link, as the walk does: only when it
/// stays inside the repository.
fn read_link_target(root: &Path, rel: &str) -> Result<Vec<u8>, String> {
    let abs = root.join(rel);
    let root = std::fs::canonicalize(root).map_err(|e| e.to_string())?;
    match std::fs::canonicalize(&abs) {
        Ok(t) if !t.starts_with(&root) => Err(format!(
            "symlink leads out of the repository (to {})",
            t.display()
        )),
        Ok(t) => std::fs::read(t).map_err(|e| e.to_string()),
        Err(e) => Err(format!("broken symlink: {e}")),
    }
}

/// What a change touches, for [`load_around`].
#[derive(Debug, Default)]
pub struct Around {
    /// Files changed (added or modified): always read whole, never from the cache.
    pub changed: HashSet<String>,
    /// doc_ids the change took away.
    pub lost_ids: Vec<String>,
    /// Files the change took away.
    pub lost_paths: Vec<String>,
}

/// One document or DocSet of the index, and what is known of it so far.
struct Candidate<'f> {
    file: &'f IndexFile,
    what: What,
}

/// Read only the part of the repository a change can affect: the changed files,
/// and the documents and DocSets they are connected to — same id, references in
/// either direction, supersede chains, the DocSets and documents of the issues and
/// PRs they name, the files they link to — found from the cache's summaries
/// without reading the rest. Every rule then gives, for the changed files, what it
/// would give over the whole repository.
pub fn load_around(
    root: &Path,
    ctx: &Context,
    git: &Git,
    files: &[IndexFile],
    around: &Around,
) -> Result<IndexRepo, LoadError> {
    use crate::cache::{DocSetView, DocView, Raw, doc_summary_bytes, docset_summary_bytes};

    let config = ctx.config.clone();
    let mut cache = Cache::open(root, &config);
    let roots = doc_roots(&config);
    let docset_dir = format!("{}/", config.docset.dir.trim_matches('/'));
    // A file the cache has a record of was a document or DocSet under this
    // configuration; only the others are classified.
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut raws: Vec<Option<Raw>> = Vec::new();
    for f in files {
        let found = if f.symlink || around.changed.contains(&f.path) {
            None
        } else {
            cache.find(&f.path, f.id.as_bytes())
        };
        let what = match found {
            Some(r) if r.is_doc() => What::Doc,
            _ => match classify(&f.path, &roots, &docset_dir, ctx) {
                Some(w) => w,
                None => continue,
            },
        };
        candidates.push(Candidate { file: f, what });
        raws.push(found.map(|r| cache.summary_of(r)));
    }
    let need_parse: Vec<usize> = raws
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_none())
        .map(|(i, _)| i)
        .collect();
    let todo: Vec<Todo> = need_parse
        .iter()
        .map(|&i| {
            let f = candidates[i].file;
            let bytes = if f.symlink {
                read_link_target(root, &f.path)
            } else {
                git.blob(f.id).map_err(|e| e.message)
            };
            Todo {
                file: f,
                what: candidates[i].what,
                bytes,
            }
        })
        .collect();
    let parsed_now = parse_all(&todo, ctx);
    let mut fresh: HashMap<usize, ParsedFile> =
        need_parse.iter().copied().zip(parsed_now).collect();

    // The summary of every candidate.
    let repository = config.repository.clone();
    let fresh_sums: HashMap<usize, (u8, Vec<u8>)> = fresh
        .iter()
        .map(|(&i, (d, ds, _))| match (d, ds) {
            (Some(d), _) => (i, (0, doc_summary_bytes(d, repository.as_deref()))),
            (_, Some(ds)) => (i, (2, docset_summary_bytes(ds))),
            _ => (i, (1, Vec::new())),
        })
        .collect();
    for (&i, (kind, bytes)) in &fresh_sums {
        raws[i] = Some(match kind {
            0 => Raw::Doc(bytes),
            2 => Raw::DocSet(bytes),
            _ => Raw::Refused,
        });
    }
    let docs_v: Vec<Option<DocView>> = raws
        .iter()
        .map(|r| match r {
            Some(Raw::Doc(b)) => DocView::read(b),
            _ => None,
        })
        .collect();
    let sets_v: Vec<(usize, DocSetView)> = raws
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r {
            Some(Raw::DocSet(b)) => DocSetView::read(b).map(|v| (i, v)),
            _ => None,
        })
        .collect();

    // Ids, and the supersede links pointing at each.
    let mut by_id: FastMap<&str, Vec<usize>> = FastMap::default();
    by_id.reserve(docs_v.len());
    let mut chained_by: FastMap<&str, Vec<usize>> = FastMap::default();
    for (i, v) in docs_v.iter().enumerate() {
        let Some(v) = v else { continue };
        if let Some(id) = v.doc_id {
            by_id.entry(id).or_default().push(i);
        }
        for (r, chain) in v.refs() {
            if chain {
                chained_by.entry(r).or_default().push(i);
            }
        }
    }
    let at_path = |p: &str| {
        candidates
            .binary_search_by(|c| c.file.path.as_str().cmp(p))
            .ok()
    };

    // From the changed files outwards.
    let mut take = vec![false; candidates.len()];
    let mut seeds: Vec<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| around.changed.contains(&c.file.path))
        .map(|(i, _)| i)
        .collect();
    for &i in &seeds {
        take[i] = true;
    }
    let mut ids: FastSet<&str> = around.lost_ids.iter().map(String::as_str).collect();
    let mut items: FastSet<(bool, u64)> = FastSet::default();
    let mut chain: Vec<usize> = Vec::new();
    for &i in &seeds {
        if let Some(v) = &docs_v[i] {
            ids.extend(v.doc_id);
            items.extend(v.items());
            for (r, _) in v.refs() {
                for &j in by_id.get(r).into_iter().flatten() {
                    take[j] = true;
                }
            }
            chain.push(i);
        }
    }
    // The files the changed documents link to (for their anchors).
    for &i in &seeds {
        if let Some((Some(d), _, _)) = fresh.get(&i) {
            for l in &d.links {
                if let Some(j) =
                    crate::check::links::link_target(&d.path, &l.dest).and_then(|t| at_path(&t))
                {
                    take[j] = true;
                }
            }
        }
    }
    // A file that is gone may be linked to from anywhere, and the summaries do
    // not hold links: read everything.
    if !around.lost_paths.is_empty() {
        take.iter_mut().for_each(|t| *t = true);
    }
    for (i, s) in &sets_v {
        if take[*i] {
            items.extend(s.number.map(|n| (s.pr, n)));
            items.extend(s.issue.filter(|_| s.pr).map(|n| (false, n)));
        }
    }
    // Everything that names the seeds' ids, issues and PRs, or a file that is gone.
    for (i, v) in docs_v.iter().enumerate() {
        let Some(v) = v else { continue };
        if take[i] {
            continue;
        }
        if v.doc_id.is_some_and(|id| ids.contains(id))
            || v.refs().any(|(r, _)| ids.contains(r))
            || v.items().any(|it| items.contains(&it))
        {
            take[i] = true;
            seeds.push(i);
        }
    }
    let mut listed: Vec<usize> = Vec::new();
    for (i, s) in &sets_v {
        let names_item = s.number.is_some_and(|n| items.contains(&(s.pr, n)))
            || (s.pr && s.issue.is_some_and(|n| items.contains(&(false, n))))
            || (!s.pr && s.prs.iter().any(|p| items.contains(&(true, *p))));
        if take[*i] || names_item || s.listed().any(|l| ids.contains(l)) {
            take[*i] = true;
            listed.push(*i);
        }
    }
    for (_, s) in sets_v.iter().filter(|(i, _)| listed.contains(i)) {
        for l in s.listed() {
            for &j in by_id.get(l).into_iter().flatten() {
                take[j] = true;
            }
        }
    }
    // Supersede chains, to their ends (cycles and statuses along them).
    let mut seen: HashSet<usize> = chain.iter().copied().collect();
    while let Some(i) = chain.pop() {
        let Some(v) = &docs_v[i] else { continue };
        let mut next: Vec<usize> = Vec::new();
        for (r, is_chain) in v.refs() {
            if is_chain {
                next.extend(by_id.get(r).into_iter().flatten());
            }
        }
        if let Some(id) = v.doc_id {
            next.extend(chained_by.get(id).into_iter().flatten());
        }
        for j in next {
            take[j] = true;
            if seen.insert(j) {
                chain.push(j);
            }
        }
    }
    drop((docs_v, sets_v, by_id, chained_by, raws));

    // Read the chosen ones whole.
    let mut docs: Vec<Doc> = Vec::new();
    let mut docsets: Vec<DocSet> = Vec::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut cached = 0;
    for (i, c) in candidates.iter().enumerate() {
        if let Some((d, ds, diags)) = fresh.remove(&i) {
            docs.extend(d);
            docsets.extend(ds);
            diagnostics.extend(diags);
            continue;
        }
        if !take[i] {
            continue;
        }
        match cache.take(&c.file.path, c.file.id.as_bytes()) {
            Some((Parsed::Doc(mut d), rest, _)) => {
                if let Some(found) = rest.and_then(|r| cache.complete(&mut d, r)) {
                    diagnostics.extend(found);
                }
                docs.push(d);
            }
            Some((Parsed::DocSet(ds), _, found)) => {
                docsets.extend(ds);
                diagnostics.extend(found);
            }
            None => {}
        }
        cached += 1;
    }
    docs.sort_by(|a, b| a.path.cmp(&b.path));
    docsets.sort_by(|a, b| a.path.cmp(&b.path));
    let repo = Repo {
        root: root.to_path_buf(),
        config,
        docs,
        docsets,
        diagnostics,
    };
    let mut cache_error = None;
    let unrecorded = todo
        .iter()
        .any(|t| !t.file.symlink && !cache.has(&t.file.path, t.file.id.as_bytes()));
    if unrecorded || cache.len() > candidates.len() + candidates.len() / 2 {
        let list: Vec<(&str, &[u8])> = candidates
            .iter()
            .filter(|c| !c.file.symlink)
            .map(|c| (c.file.path.as_str(), c.file.id.as_bytes()))
            .collect();
        if let Err(e) = cache.write(&repo, &list) {
            cache_error = Some(format!(
                "cannot write the cache in {}: {e}",
                root.join(crate::cache::DIR).display()
            ));
        }
    }
    Ok(IndexRepo {
        repo,
        cached,
        parsed: todo.len(),
        docs_in_index: candidates
            .iter()
            .filter(|c| matches!(c.what, What::Doc))
            .count(),
        cache_error,
    })
}

/// Read the documents and DocSets of the working tree at `root` as far as
/// traceability needs them (their fields, not their bodies' links): files whose
/// blob id git's index vouches for (by stat data, see [`Git::worktree_ids`]) come
/// from the cache, the others are read and parsed, and the cache learns them.
/// The repository's diagnostics are those of the files parsed now only. Also
/// returns the blob id of every file read.
pub fn load_worktree(
    root: &Path,
    config: Config,
    git: &Git,
) -> Result<(Repo, HashMap<String, gix::ObjectId>), LoadError> {
    let canonical_root = std::fs::canonicalize(root).map_err(|e| LoadError::Io {
        path: root.display().to_string(),
        message: format!("cannot open the repository root: {e}"),
    })?;
    let ctx = Context::new(&config)?;
    let found = super::walk_docs(root, &canonical_root, &ctx);
    let docset_files: Vec<(String, Kind, Option<u64>)> = super::docset_files(root, &config)
        .into_iter()
        .filter_map(|(p, kind)| {
            let (rel, utf8) = super::rel_path(root, &p);
            let name = p.file_name()?.to_str()?;
            utf8.then(|| (rel, kind, docset::parse_file_name(kind, name)))
        })
        .collect();
    let paths: Vec<&str> = found
        .iter()
        .filter(|f| f.problem.is_none())
        .map(|f| f.rel.as_str())
        .chain(docset_files.iter().map(|(p, _, _)| p.as_str()))
        .collect();
    let ids = git.worktree_ids(root, &paths)?;
    let cache = Cache::open(root, &config);

    let mut docs: Vec<Doc> = Vec::new();
    let mut docsets: Vec<DocSet> = Vec::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    // Records are read on both cores: a pread and a decode each.
    let cached_docs: Vec<Option<Doc>> = found
        .par_iter()
        .map(|f| {
            let id = ids.get(&f.rel).filter(|_| f.problem.is_none())?;
            match cache.get(&f.rel, id.as_bytes())? {
                (Parsed::Doc(d), _, _) => Some(d),
                _ => None,
            }
        })
        .collect();
    let mut doc_misses: Vec<&super::Found> = Vec::new();
    for (f, hit) in found.iter().zip(cached_docs) {
        match hit {
            Some(d) => docs.push(d),
            None => doc_misses.push(f),
        }
    }
    let cached_sets: Vec<Option<(Option<DocSet>, Vec<Diagnostic>)>> = docset_files
        .par_iter()
        .map(|entry| {
            let id = ids.get(&entry.0)?;
            match cache.get(&entry.0, id.as_bytes())? {
                (Parsed::DocSet(ds), _, found) => Some((ds, found)),
                _ => None,
            }
        })
        .collect();
    let mut set_misses: Vec<&(String, Kind, Option<u64>)> = Vec::new();
    for (entry, hit) in docset_files.iter().zip(cached_sets) {
        match hit {
            Some((ds, found)) => {
                docsets.extend(ds);
                diagnostics.extend(found);
            }
            None => set_misses.push(entry),
        }
    }
    let parsed_docs: Vec<(Option<Doc>, Vec<Diagnostic>)> = doc_misses
        .par_iter()
        .map(|f| {
            let mut sink = Sink::new(&ctx.levels);
            let d = super::read_doc(f, &ctx, LoadOptions::default(), &mut sink);
            (d, sink.into_vec())
        })
        .collect();
    let parsed_sets: Vec<(Option<DocSet>, Vec<Diagnostic>)> = set_misses
        .par_iter()
        .map(|(rel, kind, number)| {
            let mut sink = Sink::new(&ctx.levels);
            let ds = match std::fs::read(root.join(rel)) {
                Ok(bytes) => parse_docset_bytes(rel, *kind, *number, &bytes, &mut sink),
                Err(e) => {
                    sink.emit(rules::UNREADABLE, rel, 1, 1, format!("cannot read: {e}"));
                    None
                }
            };
            (ds, sink.into_vec())
        })
        .collect();
    let misses = doc_misses.len() + set_misses.len();
    for (d, diags) in parsed_docs {
        docs.extend(d);
        diagnostics.extend(diags);
    }
    for (ds, diags) in parsed_sets {
        docsets.extend(ds);
        diagnostics.extend(diags);
    }
    drop(ctx);
    docs.sort_by(|a, b| a.path.cmp(&b.path));
    docsets.sort_by(|a, b| a.path.cmp(&b.path));
    let repo = Repo {
        root: root.to_path_buf(),
        config,
        docs,
        docsets,
        diagnostics,
    };
    if misses > 0 {
        let list: Vec<(&str, &[u8])> = ids
            .iter()
            .map(|(p, id)| (p.as_str(), id.as_bytes()))
            .collect();
        // Only a cache: a repository that cannot hold one is still read.
        let _ = cache.write(&repo, &list);
    }
    Ok((repo, ids))
}
