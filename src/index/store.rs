//! The index on disk: its schema, opening it, and bringing it up to date.
//!
//! Each commit records its state in the commit payload: the schema version, the
//! configuration's fingerprint and the name of the state file that holds, for
//! every indexed file, the key of the content that was indexed (its git blob id;
//! outside a git checkout, the blob id computed from the content). The state
//! file is named by the hash of its content and written before the commit, so a
//! commit always names a complete state; keeping the file list out of
//! `meta.json` keeps opening the index for a search cheap. An update compares those keys with the files as they are now and
//! re-indexes only what changed, in one commit. A killed update leaves the last
//! commit, which is a complete index. Writers take an OS lock on
//! `.genie/index.lock` (released by the OS when a process dies); a second writer
//! waits briefly, then reports the index busy.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::IndexError;
use super::analyzer;
use super::chunk::{self, Chunk, ChunkOptions};
use crate::check::{Context, Sink};
use crate::config::Config;
use crate::model::Doc;
use crate::model::frontmatter::{self, Split};
use crate::repo::git::Git;
use crate::repo::{self, LoadOptions};

/// Bumped whenever the schema, the analyzer or the chunking changes: an index
/// with another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 1;

/// Where the index lives, under the repository root.
pub const DIR: &str = ".genie/index";
const LOCK: &str = ".genie/index.lock";
/// Where a rebuild writes before it replaces [`DIR`].
const NEW_DIR: &str = ".genie/index.new";
const OLD_DIR: &str = ".genie/index.old";

/// Put the index built in `building` in place of `dir`.
fn swap_in(root: &Path, building: &Path, dir: &Path) -> Result<(), IndexError> {
    let old = root.join(OLD_DIR);
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| err(&format!("cannot remove {OLD_DIR}"), e))?;
    }
    if dir.exists() {
        std::fs::rename(dir, &old)
            .map_err(|e| err(&format!("cannot move the old index to {OLD_DIR}"), e))?;
    }
    std::fs::rename(building, dir)
        .map_err(|e| err(&format!("cannot move {NEW_DIR} to {DIR}"), e))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Memory each indexing thread may use before it writes a segment.
const THREAD_BUDGET: usize = 64 * 1024 * 1024;

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// `path#anchor[-part]`: stable while the section keeps its heading.
    pub id: Field,
    pub path: Field,
    pub doc_id: Field,
    pub doc_type: Field,
    pub status: Field,
    /// Indexed: doc_id and title.
    pub title: Field,
    /// Stored: the title as written.
    pub title_s: Field,
    /// Indexed: every heading of the heading path and the merged headings.
    pub heading: Field,
    /// Stored, one value per level.
    pub heading_path: Field,
    /// Stored: the headings the chunk covers.
    pub headings: Field,
    /// Indexed and stored: the markdown source of the chunk.
    pub body: Field,
    pub issues: Field,
    pub line_start: Field,
    pub line_end: Field,
}

pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(analyzer::NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let o = TextOptions::default().set_indexing_options(indexing);
        if stored { o.set_stored() } else { o }
    };
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        path: b.add_text_field("path", STRING | STORED),
        doc_id: b.add_text_field("doc_id", STRING | STORED),
        doc_type: b.add_text_field("type", STRING | STORED),
        status: b.add_text_field("status", STRING | STORED),
        title: b.add_text_field("title", text(false)),
        title_s: b.add_text_field("title_s", STORED),
        heading: b.add_text_field("heading", text(false)),
        heading_path: b.add_text_field("heading_path", STORED),
        headings: b.add_text_field("headings", STORED),
        body: b.add_text_field("body", text(true)),
        issues: b.add_u64_field("issues", INDEXED | STORED),
        line_start: b.add_u64_field("line_start", STORED),
        line_end: b.add_u64_field("line_end", STORED),
    };
    (b.build(), fields)
}

/// The commit payload.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Payload {
    schema: u32,
    /// Fingerprint of the configuration (statuses and types change indexed fields).
    config: String,
    /// The state file, in the index folder.
    state: String,
    files: usize,
}

/// What the last commit indexed: path → content key.
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    files: BTreeMap<String, String>,
}

impl State {
    /// Write the state beside the index under a name made from its content.
    fn write(&self, dir: &Path) -> Result<String, IndexError> {
        let text = serde_json::to_string(self).map_err(|e| err("index state", e))?;
        let mut h = crate::cache::Fnv::new();
        h.write(text.as_bytes());
        let name = format!("state-{:016x}.json", h.finish());
        crate::trace::generated::write_atomic(&dir.join(&name), &text)
            .map_err(|e| err("cannot write the index state", e))?;
        Ok(name)
    }
}

/// Remove the state files no commit names any more.
fn remove_old_states(dir: &Path, keep: &str) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("state-") && name.ends_with(".json") && name != keep {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// How to update.
#[derive(Default)]
pub struct UpdateOptions<'a> {
    /// Throw the index away and build it again.
    pub rebuild: bool,
    /// How long to wait for another writer before reporting the index busy.
    pub wait: Duration,
    /// Called with (files done, files to do) while files are indexed.
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
}

/// What an update did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateStats {
    /// Documents the index covers now.
    pub files: usize,
    /// Files (re-)indexed by this run.
    pub indexed: usize,
    /// Files removed from the index.
    pub removed: usize,
    /// Chunks written by this run.
    pub chunks: usize,
    /// Bytes of the files indexed by this run.
    pub bytes: u64,
    /// Why the index was built from scratch, when it was.
    pub rebuilt: Option<String>,
    /// Whether a commit was made (false when nothing changed).
    pub committed: bool,
    /// Size of the index directory after the run, in bytes.
    pub index_bytes: u64,
    pub elapsed_ms: u64,
}

/// Why an update did not run.
#[derive(Debug)]
pub enum UpdateError {
    /// Another process holds the index lock.
    Busy,
    Failed(IndexError),
}

impl From<IndexError> for UpdateError {
    fn from(e: IndexError) -> Self {
        UpdateError::Failed(e)
    }
}

impl std::fmt::Display for UpdateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UpdateError::Busy => write!(
                f,
                "index busy: another genie process is updating {DIR}; try again in a moment"
            ),
            UpdateError::Failed(e) => e.fmt(f),
        }
    }
}

fn err(what: &str, e: impl std::fmt::Display) -> IndexError {
    IndexError::new(format!("{what}: {e}"))
}

/// An open index, ready to search.
pub(crate) struct Opened {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
}

fn register(index: &Index) {
    index
        .tokenizers()
        .register(analyzer::NAME, analyzer::analyzer());
}

/// A fingerprint of the configuration: fields such as the canonical status
/// depend on it, so an index built under another configuration is rebuilt.
fn config_fingerprint(config: &Config) -> String {
    let mut h = crate::cache::Fnv::new();
    h.write(serde_json::to_string(config).unwrap_or_default().as_bytes());
    format!("{:016x}", h.finish())
}

fn open_dir(dir: &Path, config: &Config) -> Result<(Index, State), IndexError> {
    let index = Index::open_in_dir(dir).map_err(|e| err("cannot open the index", e))?;
    register(&index);
    let metas = index
        .load_metas()
        .map_err(|e| err("cannot read the index", e))?;
    let payload: Payload = match metas.payload.as_deref() {
        Some(p) => serde_json::from_str(p).map_err(|e| err("unreadable index state", e))?,
        None => return Err(IndexError::new("the index has no state")),
    };
    if payload.schema != SCHEMA_VERSION {
        return Err(IndexError::new(format!(
            "the index has schema version {}, this genie writes {SCHEMA_VERSION}",
            payload.schema
        )));
    }
    if index.schema() != schema().0 {
        return Err(IndexError::new("the index has another schema"));
    }
    if payload.config != config_fingerprint(config) {
        return Err(IndexError::new("the configuration changed"));
    }
    let text = std::fs::read_to_string(dir.join(&payload.state))
        .map_err(|e| err(&format!("cannot read the index state {}", payload.state), e))?;
    let state: State = serde_json::from_str(&text).map_err(|e| err("unreadable index state", e))?;
    Ok((index, state))
}

/// Open the index for searching.
pub(crate) fn open(root: &Path) -> Result<Opened, IndexError> {
    let dir = root.join(DIR);
    if !dir.join("meta.json").is_file() {
        return Err(IndexError::new(format!(
            "no search index in {DIR}: run `genie index` first"
        )));
    }
    // Searching needs the schema, not the state of every file.
    let index = Index::open_in_dir(&dir).map_err(|e| err("cannot open the index", e))?;
    register(&index);
    if index.schema() != schema().0 {
        return Err(IndexError::new(
            "the index was built by another version of genie: run `genie index`",
        ));
    }
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e| err("cannot read the index", e))?;
    Ok(Opened {
        index,
        reader,
        fields: schema().1,
    })
}

/// Take the writer lock, waiting up to `wait`.
fn lock(root: &Path, wait: Duration) -> Result<File, UpdateError> {
    let path = root.join(LOCK);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| err(&format!("cannot create {LOCK}"), e))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| err(&format!("cannot open {LOCK}"), e))?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {
                if start.elapsed() >= wait {
                    return Err(UpdateError::Busy);
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(err(&format!("cannot lock {LOCK}"), e).into());
            }
        }
    }
}

/// A file to index: where it is and its content key.
struct Current {
    rel: String,
    abs: PathBuf,
    key: String,
}

/// Every document file under the roots, with its content key.
fn current_files(root: &Path, config: &Config) -> Result<Vec<Current>, IndexError> {
    let ctx = Context::new(config).map_err(|e| err("configuration", e))?;
    let found = repo::doc_files(root, &ctx).map_err(|e| err("cannot walk", e))?;
    let paths: Vec<&str> = found.iter().map(|(rel, _)| rel.as_str()).collect();
    let ids = match Git::open(root) {
        Ok(git) => Some(git.worktree_ids(root, &paths).map_err(|e| err("git", e))?),
        Err(_) => None,
    };
    let keyed: Vec<Option<Current>> = found
        .into_par_iter()
        .map(|(rel, abs)| {
            let key = match &ids {
                Some(ids) => ids.get(&rel)?.to_hex().to_string(),
                None => {
                    let bytes = std::fs::read(&abs).ok()?;
                    blob_key(&bytes)
                }
            };
            Some(Current { rel, abs, key })
        })
        .collect();
    Ok(keyed.into_iter().flatten().collect())
}

/// The git blob id of `bytes`, as a content key.
fn blob_key(bytes: &[u8]) -> String {
    gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, bytes)
        .map(|id| id.to_hex().to_string())
        .unwrap_or_default()
}

/// A document cut into chunks, ready for the index.
pub struct Prepared {
    pub doc: Doc,
    pub chunks: Vec<Chunk>,
}

/// Parse a document's bytes into its fields and chunks. `None` for a file that is
/// not UTF-8 (it is reported by `genie check`, not indexed).
pub fn prepare(rel: &str, bytes: &[u8], ctx: &Context) -> Option<Prepared> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sink = Sink::new(&ctx.levels);
    let doc = repo::parse_doc_bytes(
        rel,
        text.as_bytes(),
        ctx,
        LoadOptions { bodies: false },
        &mut sink,
    );
    let (body, body_line) = match frontmatter::split(text) {
        Split::Found {
            body, body_line, ..
        } => (body, body_line),
        // Unreadable front-matter: nothing reliable to index but the text itself.
        Split::None | Split::Unterminated(_) => (text, 1),
    };
    let chunks = chunk::chunk(body, body_line, &ChunkOptions::default());
    Some(Prepared { doc, chunks })
}

/// The stable id of a chunk: the path, the anchor of its heading, the part.
pub fn chunk_id(path: &str, c: &Chunk, seen: &mut BTreeMap<String, u32>) -> String {
    let mut id = format!("{path}#{}", c.anchor);
    if c.part > 1 {
        id.push_str(&format!("~{}", c.part));
    }
    // Two sections with the same heading in one document: number the later ones.
    let n = seen.entry(id.clone()).or_insert(0);
    *n += 1;
    if *n > 1 {
        id.push_str(&format!("~~{n}"));
    }
    id
}

fn lower(s: &Option<crate::model::Spanned<String>>) -> Option<String> {
    s.as_ref().map(|v| v.value.trim().to_ascii_lowercase())
}

fn documents(rel: &str, p: &Prepared, f: &Fields) -> Vec<TantivyDocument> {
    let fields = &p.doc.fields;
    let doc_id = fields.doc_id.as_ref().map(|d| d.value.trim().to_string());
    let doc_type = lower(&fields.doc_type);
    let status = fields
        .canonical_status
        .clone()
        .or_else(|| lower(&fields.status));
    let title = fields.title.clone();
    let issues: Vec<u64> = fields
        .related_issues
        .iter()
        .filter(|i| i.value.repo.is_none())
        .map(|i| i.value.number)
        .collect();
    let mut seen = BTreeMap::new();
    p.chunks
        .iter()
        .map(|c| {
            let mut d = TantivyDocument::new();
            d.add_text(f.id, chunk_id(rel, c, &mut seen));
            d.add_text(f.path, rel);
            if let Some(v) = &doc_id {
                d.add_text(f.doc_id, v);
            }
            if let Some(v) = &doc_type {
                d.add_text(f.doc_type, v);
            }
            if let Some(v) = &status {
                d.add_text(f.status, v);
            }
            let title_text = format!(
                "{} {}",
                doc_id.as_deref().unwrap_or(""),
                title.as_deref().unwrap_or("")
            );
            d.add_text(f.title, title_text.trim());
            if let Some(t) = &title {
                d.add_text(f.title_s, t);
            }
            let mut heading_text = c.heading_path.join(" \u{203a} ");
            for h in c.headings.iter().skip(1) {
                heading_text.push_str(" \u{203a} ");
                heading_text.push_str(h);
            }
            d.add_text(f.heading, heading_text);
            for h in &c.heading_path {
                d.add_text(f.heading_path, h);
            }
            for h in &c.headings {
                d.add_text(f.headings, h);
            }
            d.add_text(f.body, &c.text);
            for i in &issues {
                d.add_u64(f.issues, *i);
            }
            d.add_u64(f.line_start, u64::from(c.line_start));
            d.add_u64(f.line_end, u64::from(c.line_end));
            d
        })
        .collect()
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Bring the index of the repository at `root` up to date with its documents.
pub fn update(
    root: &Path,
    config: &Config,
    opts: &UpdateOptions,
) -> Result<UpdateStats, UpdateError> {
    let start = Instant::now();
    let dir = root.join(DIR);
    if !opts.rebuild
        && let Some(files) = fresh::check(root, &dir, config)
    {
        return Ok(UpdateStats {
            files,
            index_bytes: dir_size(&dir),
            elapsed_ms: start.elapsed().as_millis() as u64,
            ..UpdateStats::default()
        });
    }
    // Stat data first: a file that changes after this is seen again next time.
    let stamp = fresh::Stamp::take(root, config);
    let current = current_files(root, config)?;

    // Cheap path: the committed state already matches.
    let existing = if opts.rebuild {
        Err(IndexError::new("--rebuild"))
    } else if !dir.join("meta.json").is_file() {
        Err(IndexError::new("no index yet"))
    } else {
        open_dir(&dir, config)
    };
    if let Ok((_, state)) = &existing
        && state.files.len() == current.len()
        && current
            .iter()
            .all(|c| state.files.get(&c.rel) == Some(&c.key))
    {
        if let Ok(_lock) = lock(root, Duration::ZERO) {
            stamp.write(&dir, config, current.len());
        }
        return Ok(UpdateStats {
            files: current.len(),
            index_bytes: dir_size(&dir),
            elapsed_ms: start.elapsed().as_millis() as u64,
            ..UpdateStats::default()
        });
    }

    let _lock = lock(root, opts.wait)?;
    let building = root.join(NEW_DIR);
    // Another writer may have brought it up to date while this one waited.
    let existing = match existing {
        Ok(_) => open_dir(&dir, config),
        e => e,
    };
    let (index, old, rebuilt) = match existing {
        Ok((index, state)) => (index, state.files, None),
        Err(reason) => {
            // A new index is built beside the old one, which stays searchable
            // (and stays the last good index if this run is killed).
            if building.exists() {
                std::fs::remove_dir_all(&building)
                    .map_err(|e| err(&format!("cannot remove {NEW_DIR}"), e))?;
            }
            std::fs::create_dir_all(&building)
                .map_err(|e| err(&format!("cannot create {NEW_DIR}"), e))?;
            // Keep the index out of git whatever the repository's .gitignore says.
            let _ = std::fs::write(building.join(".gitignore"), "*\n");
            let index = Index::create_in_dir(&building, schema().0)
                .map_err(|e| err("cannot create the index", e))?;
            register(&index);
            (index, BTreeMap::new(), Some(reason.message))
        }
    };
    let fields = schema().1;

    let todo: Vec<&Current> = current
        .iter()
        .filter(|c| old.get(&c.rel) != Some(&c.key))
        .collect();
    let current_paths: std::collections::HashSet<&str> =
        current.iter().map(|c| c.rel.as_str()).collect();
    let gone: Vec<String> = old
        .keys()
        .filter(|p| !current_paths.contains(p.as_str()))
        .cloned()
        .collect();

    // More indexing threads than cores only adds contention (measured on 2 cores).
    let threads = rayon::current_num_threads().clamp(1, 4);
    let mut writer: IndexWriter<TantivyDocument> = index
        .writer_with_num_threads(threads, threads * THREAD_BUDGET)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => UpdateError::Busy,
            e => err("cannot write the index", e).into(),
        })?;

    if rebuilt.is_some() {
        // A fresh build writes a few large segments; merging them would only
        // make the build wait for one thread.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    }
    for p in &gone {
        writer.delete_term(Term::from_field_text(fields.path, p));
    }
    let ctx = Context::new(config).map_err(|e| err("configuration", e))?;
    let mut stats = UpdateStats {
        files: current.len(),
        removed: gone.len(),
        rebuilt: rebuilt.clone(),
        ..UpdateStats::default()
    };
    let mut state = State { files: old };
    let target = if rebuilt.is_some() { &building } else { &dir };
    for p in &gone {
        state.files.remove(p);
    }
    // Parse and cut in parallel, in batches, while tantivy's threads index the
    // previous batch.
    let total = todo.len();
    let mut done = 0usize;
    for batch in todo.chunks(256) {
        let prepared: Vec<(&Current, u64, Vec<TantivyDocument>)> = batch
            .par_iter()
            .map(|c| {
                let bytes = std::fs::read(&c.abs).unwrap_or_default();
                let docs = prepare(&c.rel, &bytes, &ctx)
                    .map(|p| documents(&c.rel, &p, &fields))
                    .unwrap_or_default();
                (*c, bytes.len() as u64, docs)
            })
            .collect();
        for (c, len, docs) in prepared {
            writer.delete_term(Term::from_field_text(fields.path, &c.rel));
            stats.chunks += docs.len();
            stats.bytes += len;
            stats.indexed += 1;
            for d in docs {
                writer
                    .add_document(d)
                    .map_err(|e| err("cannot write the index", e))?;
            }
            state.files.insert(c.rel.clone(), c.key.clone());
        }
        done += batch.len();
        if let Some(progress) = opts.progress {
            progress(done, total);
        }
    }
    let state_file = state.write(target)?;
    let payload = Payload {
        schema: SCHEMA_VERSION,
        config: config_fingerprint(config),
        state: state_file.clone(),
        files: state.files.len(),
    };
    let payload = serde_json::to_string(&payload).map_err(|e| err("index state", e))?;
    let mut prepared = writer
        .prepare_commit()
        .map_err(|e| err("cannot commit the index", e))?;
    prepared.set_payload(&payload);
    prepared
        .commit()
        .map_err(|e| err("cannot commit the index", e))?;
    writer
        .wait_merging_threads()
        .map_err(|e| err("cannot merge index segments", e))?;
    remove_old_states(target, &state_file);
    drop(index);
    if stats.rebuilt.is_some() {
        swap_in(root, &building, &dir)?;
    }
    stats.committed = true;
    stamp.write(&dir, config, current.len());
    stats.index_bytes = dir_size(&dir);
    stats.elapsed_ms = start.elapsed().as_millis() as u64;
    Ok(stats)
}

/// Every chunk of the repository's documents as the index would hold them, in
/// path and line order, without touching the index.
pub fn all_chunks(root: &Path, config: &Config) -> Result<Vec<(String, Prepared)>, IndexError> {
    let ctx = Context::new(config).map_err(|e| err("configuration", e))?;
    let found = repo::doc_files(root, &ctx).map_err(|e| err("cannot walk", e))?;
    Ok(found
        .into_par_iter()
        .filter_map(|(rel, abs)| {
            let bytes = std::fs::read(&abs).ok()?;
            let p = prepare(&rel, &bytes, &ctx)?;
            Some((rel, p))
        })
        .collect())
}

/// A cheap answer to "is the index up to date?": the stat data (size, mtime,
/// inode) of every document file and of every folder under the roots, taken
/// before the last update read them. When all of it is unchanged, no file was
/// added, removed, renamed or edited since, and nothing needs to be read or
/// hashed. Any difference sends the update down the full comparison of content
/// keys, so a stale stamp costs time, never correctness.
mod fresh {
    use std::path::Path;

    use super::{Config, config_fingerprint};

    const FILE: &str = "fresh.txt";
    const MAGIC: &str = "genie-index-fresh 1";

    /// Stat data: size, mtime (seconds, nanoseconds), inode.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Stat(u64, i64, u32, u64);

    impl Stat {
        fn of(path: &Path) -> Option<Stat> {
            let m = std::fs::symlink_metadata(path).ok()?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                Some(Stat(
                    m.len(),
                    m.mtime(),
                    u32::try_from(m.mtime_nsec()).unwrap_or(0),
                    m.ino(),
                ))
            }
            #[cfg(not(unix))]
            {
                let t = m
                    .modified()
                    .ok()?
                    .duration_since(std::time::UNIX_EPOCH)
                    .ok()?;
                let secs = i64::try_from(t.as_secs()).unwrap_or(0);
                Some(Stat(m.len(), secs, t.subsec_nanos(), 0))
            }
        }

        /// `size mtime_s mtime_ns inode`, as a stamp line holds it.
        fn parse(mut parts: std::str::SplitN<'_, char>) -> Option<Stat> {
            Some(Stat(
                parts.next()?.parse().ok()?,
                parts.next()?.parse().ok()?,
                parts.next()?.parse().ok()?,
                parts.next()?.parse().ok()?,
            ))
        }
    }

    /// Every folder and markdown file under the roots with its stat data.
    pub struct Stamp {
        lines: Vec<(char, Stat, String)>,
    }

    impl Stamp {
        pub fn take(root: &Path, config: &Config) -> Stamp {
            let mut lines = Vec::new();
            let mut dirs: Vec<String> = config.docs.roots.clone();
            while let Some(rel) = dirs.pop() {
                let abs = root.join(&rel);
                let Some(st) = Stat::of(&abs) else { continue };
                lines.push(('D', st, rel.clone()));
                let Ok(rd) = std::fs::read_dir(&abs) else {
                    continue;
                };
                for e in rd.flatten() {
                    let Some(name) = e.file_name().to_str().map(str::to_string) else {
                        continue;
                    };
                    if name.starts_with('.') {
                        continue;
                    }
                    let child = if rel.is_empty() || rel == "." {
                        name.clone()
                    } else {
                        format!("{}/{name}", rel.trim_end_matches('/'))
                    };
                    let Ok(ft) = e.file_type() else { continue };
                    if ft.is_dir() {
                        dirs.push(child);
                    } else if (name.ends_with(".md") || name.ends_with(".markdown"))
                        && let Some(st) = Stat::of(&e.path())
                    {
                        lines.push(('F', st, child));
                    }
                }
            }
            Stamp { lines }
        }

        /// Write the stamp next to the index (best effort: without it the next
        /// update only takes the longer way).
        pub fn write(&self, dir: &Path, config: &Config, files: usize) {
            let mut text = format!(
                "{MAGIC} {} {} {files}\n",
                super::SCHEMA_VERSION,
                config_fingerprint(config)
            );
            // The index's own meta.json: a damaged or replaced index is not fresh.
            let meta = Stat::of(&dir.join("meta.json"));
            let own = meta.map(|m| ('I', m, format!("{}/meta.json", super::DIR)));
            for (kind, Stat(size, secs, nanos, ino), rel) in self.lines.iter().chain(own.iter()) {
                text.push_str(&format!("{kind} {size} {secs} {nanos} {ino} {rel}\n"));
            }
            let _ = crate::trace::generated::write_atomic(&dir.join(FILE), &text);
        }
    }

    /// `Some(number of files)` when nothing under the roots changed since the stamp.
    pub fn check(root: &Path, dir: &Path, config: &Config) -> Option<usize> {
        let text = std::fs::read_to_string(dir.join(FILE)).ok()?;
        let mut lines = text.lines();
        let head = lines.next()?;
        let expect = format!(
            "{MAGIC} {} {}",
            super::SCHEMA_VERSION,
            config_fingerprint(config)
        );
        let files: usize = head.strip_prefix(&expect)?.trim().parse().ok()?;
        if !dir.join("meta.json").is_file() {
            return None;
        }
        let entries: Vec<(char, Stat, &str)> = lines
            .map(|l| {
                // kind size mtime_s mtime_ns inode path
                let kind = l.chars().next()?;
                let rest = l.get(2..)?;
                let (numbers, rel) = split_at_nth_space(rest, 4)?;
                Some((kind, Stat::parse(numbers.splitn(4, ' '))?, rel))
            })
            .collect::<Option<_>>()?;
        // A folder's files follow its line: look each group up from its folder.
        let mut groups: Vec<Folder> = Vec::new();
        for (kind, st, rel) in entries {
            match kind {
                'F' => {
                    let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
                    match groups.last_mut() {
                        Some(g) if g.0 == parent => g.2.push((name, st)),
                        _ => return None,
                    }
                }
                'D' => groups.push((rel, st, Vec::new())),
                _ => {
                    if Stat::of(&root.join(rel)) != Some(st) {
                        return None;
                    }
                }
            }
        }
        use rayon::prelude::*;
        let same = groups
            .par_iter()
            .with_min_len(4)
            .all(|(rel, st, files)| same_folder(&root.join(rel), *st, files));
        same.then_some(files)
    }

    /// A folder's path and stat data, and its files' names and stat data.
    type Folder<'a> = (&'a str, Stat, Vec<(&'a str, Stat)>);

    /// Whether a folder and its files still have the recorded stat data. Files
    /// are looked up relative to the open folder: one path component each
    /// instead of the whole path.
    #[cfg(unix)]
    fn same_folder(dir: &Path, st: Stat, files: &[(&str, Stat)]) -> bool {
        use std::os::fd::AsRawFd;
        if Stat::of(dir) != Some(st) {
            return false;
        }
        let Ok(handle) = std::fs::File::open(dir) else {
            return false;
        };
        let fd = handle.as_raw_fd();
        let mut name = Vec::with_capacity(256);
        files.iter().all(|(file, want)| {
            name.clear();
            name.extend_from_slice(file.as_bytes());
            name.push(0);
            let Ok(c) = std::ffi::CStr::from_bytes_with_nul(&name) else {
                return false;
            };
            // SAFETY: `c` is NUL-terminated, `fd` is open for the call, and
            // `out` is a plain struct fstatat fills.
            let mut out: libc::stat = unsafe { std::mem::zeroed() };
            let r = unsafe { libc::fstatat(fd, c.as_ptr(), &mut out, libc::AT_SYMLINK_NOFOLLOW) };
            r == 0
                && Stat(
                    u64::try_from(out.st_size).unwrap_or(0),
                    out.st_mtime,
                    u32::try_from(out.st_mtime_nsec).unwrap_or(0),
                    out.st_ino,
                ) == *want
        })
    }

    #[cfg(not(unix))]
    fn same_folder(dir: &Path, st: Stat, files: &[(&str, Stat)]) -> bool {
        Stat::of(dir) == Some(st)
            && files
                .iter()
                .all(|(name, want)| Stat::of(&dir.join(name)) == Some(*want))
    }

    /// Cut `s` before its `n`-th space: (the part before, the rest after it).
    fn split_at_nth_space(s: &str, n: usize) -> Option<(&str, &str)> {
        let (i, _) = s.match_indices(' ').nth(n - 1)?;
        Some((&s[..i], &s[i + 1..]))
    }
}
