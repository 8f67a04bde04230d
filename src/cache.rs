//! The metadata cache in `.genie/cache/`: every document and DocSet genie has
//! parsed, keyed by its path and git blob id, with the findings of the rules that
//! look at one file at a time. The pre-commit hook and `genie impact` answer from
//! it instead of re-reading the repository; a file whose blob id changed is parsed
//! again, and the cache is rewritten (atomically) when anything was added.
//!
//! The file is a compact binary encoding written and read by this module alone.
//! Its header carries a format version and a key derived from genie's version and
//! the configuration: a cache written by another genie, or under another
//! configuration, is ignored and rebuilt. A cache that does not decode is ignored
//! too; it is only ever a cache.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::check::rules;
use crate::config::Config;
use crate::markdown::Link;
use crate::model::docset::{DocSet, DocSetFile, Entry, Kind, Number, State};
use crate::model::{Doc, Fields, IssueRef, Spanned};
use crate::repo::Repo;
use crate::report::{Diagnostic, Level, Related};
use crate::yaml::{Node, Value};

/// Changes with every change of the encoding: a cache of another format is ignored.
const MAGIC: &[u8; 8] = b"GENIEC\x00\x03";
/// Folder of the cache, relative to the repository root.
pub const DIR: &str = ".genie/cache";
const FILE: &str = "meta.bin";

/// What the cache holds for one file.
#[derive(Debug, Clone)]
pub enum Parsed {
    Doc(Doc),
    DocSet(Option<DocSet>),
}

/// Where a cached record's parts are.
#[derive(Debug, Clone, Copy)]
struct Record {
    /// In the meta file.
    id: (usize, usize),
    kind: u8,
    summary: (usize, usize),
    /// In the body file: offset and length.
    body: (u64, u32),
    /// FNV-1a of the body.
    hash: u64,
}

/// A record the cache has (see [`Cache::find`]).
#[derive(Debug, Clone, Copy)]
pub struct Found(Record);

impl Found {
    /// Whether the record is of a document (else of a DocSet file).
    pub fn is_doc(&self) -> bool {
        self.0.kind == 0
    }
}

/// The part of a cached document read only when asked for: its anchors, links
/// and single-file findings (see [`Cache::complete`]).
#[derive(Debug, Clone)]
pub struct Rest {
    bytes: Vec<u8>,
}

/// A summary as stored, read field by field without allocating.
#[derive(Debug, Clone, Copy)]
pub enum Raw<'a> {
    Doc(&'a [u8]),
    DocSet(&'a [u8]),
    /// A DocSet file that did not parse.
    Refused,
}

/// A document's summary: what the pre-commit hook needs to know of every
/// document to decide which ones to read whole (its id, the ids it names, how
/// many of those are supersede links, the issues and PRs of this repository it
/// names). [`DocView`] reads it.
pub fn doc_summary_bytes(doc: &Doc, repository: Option<&str>) -> Vec<u8> {
    let f = &doc.fields;
    let mut e = Enc(Vec::new());
    e.opt_str(f.doc_id.as_ref().map(|s| s.value.as_str()));
    e.spanned_ids(&[&f.related_docs, &f.supersedes, &f.superseded_by]);
    e.len(f.supersedes.len() + f.superseded_by.len());
    let items: Vec<(bool, u64)> = f
        .related_issues
        .iter()
        .map(|r| (false, r))
        .chain(f.related_prs.iter().map(|r| (true, r)))
        .filter(|(_, r)| r.value.is_local(repository))
        .map(|(pr, r)| (pr, r.value.number))
        .collect();
    e.len(items.len());
    for (pr, n) in items {
        e.u8(u8::from(pr));
        e.u64(n);
    }
    e.0
}

/// A DocSet's summary: its kind, number, the issue a PR DocSet implements, its
/// PRs and the doc_ids it lists. [`DocSetView`] reads it.
pub fn docset_summary_bytes(ds: &DocSet) -> Vec<u8> {
    let mut e = Enc(Vec::new());
    e.u8(u8::from(ds.kind == Kind::Pr));
    for n in [ds.number(), ds.file.issue.map(|n| n.0)] {
        match n {
            None => e.u8(0),
            Some(n) => {
                e.u8(1);
                e.u64(n);
            }
        }
    }
    e.len(ds.file.prs.len());
    for p in &ds.file.prs {
        e.u64(p.0);
    }
    e.len(ds.file.docs.len());
    for d in &ds.file.docs {
        e.str(&d.doc_id);
    }
    e.0
}

/// Strings one after another, each with its length.
pub struct Strs<'a> {
    d: Dec<'a>,
    left: usize,
}

impl<'a> Iterator for Strs<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let s = self.d.str_ref();
        if s.is_none() {
            self.left = 0;
        }
        s
    }
}

/// A document's summary, read.
#[derive(Debug, Clone, Copy)]
pub struct DocView<'a> {
    pub doc_id: Option<&'a str>,
    refs: (&'a [u8], usize),
    /// How many of the refs, from the end, are supersede links.
    chain: usize,
    items: (&'a [u8], usize),
}

fn skip_strs(d: &mut Dec, n: usize) -> Option<()> {
    for _ in 0..n {
        d.bytes()?;
    }
    Some(())
}

impl<'a> DocView<'a> {
    pub fn read(b: &'a [u8]) -> Option<DocView<'a>> {
        let mut d = Dec { b, pos: 0 };
        let doc_id = d.opt_str_ref()?;
        let n = d.len()?;
        let start = d.pos;
        skip_strs(&mut d, n)?;
        let refs = (&b[start..d.pos], n);
        let chain = (d.u32()? as usize).min(n);
        let n = d.len()?;
        let start = d.pos;
        d.take(n.checked_mul(9)?)?;
        let items = (&b[start..d.pos], n);
        Some(DocView {
            doc_id,
            refs,
            chain,
            items,
        })
    }

    /// Ids named, each with whether it is a supersede link.
    pub fn refs(&self) -> impl Iterator<Item = (&'a str, bool)> + 'a {
        let (b, n) = self.refs;
        let first_chain = n - self.chain;
        Strs {
            d: Dec { b, pos: 0 },
            left: n,
        }
        .enumerate()
        .map(move |(i, s)| (s, i >= first_chain))
    }

    /// Issues (`false`) and PRs (`true`) named.
    pub fn items(&self) -> impl Iterator<Item = (bool, u64)> + 'a {
        let (b, _) = self.items;
        b.chunks_exact(9).map(|c| {
            let mut n = [0u8; 8];
            n.copy_from_slice(&c[1..]);
            (c[0] == 1, u64::from_le_bytes(n))
        })
    }
}

/// A DocSet's summary, read.
#[derive(Debug, Clone)]
pub struct DocSetView<'a> {
    pub pr: bool,
    pub number: Option<u64>,
    pub issue: Option<u64>,
    pub prs: Vec<u64>,
    listed: (&'a [u8], usize),
}

impl<'a> DocSetView<'a> {
    pub fn read(b: &'a [u8]) -> Option<DocSetView<'a>> {
        let mut d = Dec { b, pos: 0 };
        let pr = d.u8()? == 1;
        let mut opt = || -> Option<Option<u64>> {
            match d.u8()? {
                0 => Some(None),
                1 => Some(Some(d.u64()?)),
                _ => None,
            }
        };
        let number = opt()?;
        let issue = opt()?;
        let n = d.len()?;
        let prs = (0..n).map(|_| d.u64()).collect::<Option<_>>()?;
        let n = d.len()?;
        let start = d.pos;
        skip_strs(&mut d, n)?;
        Some(DocSetView {
            pr,
            number,
            issue,
            prs,
            listed: (&b[start..d.pos], n),
        })
    }

    /// The doc_ids listed.
    pub fn listed(&self) -> Strs<'a> {
        Strs {
            d: Dec {
                b: self.listed.0,
                pos: 0,
            },
            left: self.listed.1,
        }
    }
}

/// Parsed files by path, each valid for one blob id, in two files: `meta.bin`,
/// which holds every file's summary (what it is and what it names) and is read
/// whole, and `body-<generation>.bin`, which holds the parsed records and is read
/// record by record. The pre-commit hook reads every summary but few records.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    key: u64,
    generation: u64,
    meta: Vec<u8>,
    records: FastMap<String, Record>,
    /// Records in the meta file, stale ones included.
    total: usize,
    /// The body file and its length, opened on first use.
    body: std::sync::OnceLock<Option<(std::fs::File, u64)>>,
    hits: usize,
    misses: usize,
}

/// The key of a configuration: a cache made under another one is not used.
pub fn config_key(config: &Config) -> u64 {
    let mut h = Fnv::new();
    h.write(env!("CARGO_PKG_VERSION").as_bytes());
    h.write(&[0]);
    h.write(serde_json::to_string(config).unwrap_or_default().as_bytes());
    h.finish()
}

const HEADER: usize = MAGIC.len() + 16;

impl Cache {
    /// The cache of the repository at `root` for `config`; empty when there is
    /// none, or it was made by another genie or configuration, or it is damaged.
    pub fn open(root: &Path, config: &Config) -> Cache {
        let mut cache = Cache::empty(root, config);
        if let Ok(bytes) = std::fs::read(cache.dir.join(FILE))
            && let Some((generation, records, total)) = index_file(&bytes, cache.key)
        {
            cache.generation = generation;
            cache.records = records;
            cache.total = total;
            cache.meta = bytes;
        }
        cache
    }

    /// An empty cache that would be written to `root`'s cache folder.
    pub fn empty(root: &Path, config: &Config) -> Cache {
        Cache {
            dir: root.join(DIR),
            key: config_key(config),
            generation: 0,
            meta: Vec::new(),
            records: FastMap::default(),
            total: 0,
            body: std::sync::OnceLock::new(),
            hits: 0,
            misses: 0,
        }
    }

    fn body_path(&self, generation: u64) -> PathBuf {
        self.dir.join(format!("body-{generation}.bin"))
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Files found by [`Cache::take`] so far.
    pub fn hits(&self) -> usize {
        self.hits
    }

    /// Files looked up and not found (or found with another blob id).
    pub fn misses(&self) -> usize {
        self.misses
    }

    /// The record of `path` with blob id `id`, to read its summary from.
    pub fn find(&self, path: &str, id: &[u8]) -> Option<Found> {
        self.record(path, id).map(Found)
    }

    /// The stored summary of a record found.
    pub fn summary_of(&self, found: Found) -> Raw<'_> {
        let r = found.0;
        let bytes = &self.meta[r.summary.0..r.summary.1];
        match r.kind {
            0 => Raw::Doc(bytes),
            2 => Raw::DocSet(bytes),
            _ => Raw::Refused,
        }
    }

    /// Whether the cache has a record of `path` with blob id `id`.
    pub fn has(&self, path: &str, id: &[u8]) -> bool {
        self.record(path, id).is_some()
    }

    fn record(&self, path: &str, id: &[u8]) -> Option<Record> {
        self.records
            .get(path)
            .copied()
            .filter(|r| &self.meta[r.id.0..r.id.1] == id)
    }

    fn read_body(&self, r: Record) -> Option<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        let (file, len) = self
            .body
            .get_or_init(|| {
                let f = std::fs::File::open(self.body_path(self.generation)).ok()?;
                let len = f.metadata().ok()?.len();
                Some((f, len))
            })
            .as_ref()?;
        if r.body.0.checked_add(u64::from(r.body.1))? > *len {
            return None;
        }
        let mut buf = vec![0; r.body.1 as usize];
        file.read_exact_at(&mut buf, r.body.0).ok()?;
        (body_hash(&buf) == r.hash).then_some(buf)
    }

    /// The parsed file at `path` with blob id `id`. A document comes without its
    /// anchors, links and findings, which [`Cache::complete`] adds from the
    /// returned [`Rest`]; a DocSet comes whole, with its findings.
    pub fn take(
        &mut self,
        path: &str,
        id: &[u8],
    ) -> Option<(Parsed, Option<Rest>, Vec<Diagnostic>)> {
        let found = self
            .record(path, id)
            .and_then(|r| Some((r, self.read_body(r)?)))
            .and_then(|(r, body)| decode_body(path, r.kind, body));
        match found {
            Some(f) => {
                self.hits += 1;
                Some(f)
            }
            None => {
                self.misses += 1;
                None
            }
        }
    }

    /// [`Cache::take`] without counting, for reading many records from several
    /// threads at once.
    pub fn get(&self, path: &str, id: &[u8]) -> Option<(Parsed, Option<Rest>, Vec<Diagnostic>)> {
        let r = self.record(path, id)?;
        decode_body(path, r.kind, self.read_body(r)?)
    }

    /// Add a cached document's anchors and links, and return its findings.
    /// `None` when the record does not decode (the caller parses the file).
    pub fn complete(&self, doc: &mut Doc, rest: Rest) -> Option<Vec<Diagnostic>> {
        let mut d = Dec {
            b: &rest.bytes,
            pos: 0,
        };
        let anchors = d.strs()?;
        let n = d.len()?;
        let links = (0..n)
            .map(|_| {
                Some(Link {
                    dest: d.str()?,
                    line: d.u32()?,
                    col: d.u32()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let diags = decode_diagnostics(&mut d, &doc.path)?;
        doc.anchors = anchors;
        doc.links = links;
        Some(diags)
    }

    /// The stored summary of the file at `path` with blob id `id`.
    pub fn summary(&self, path: &str, id: &[u8]) -> Option<Raw<'_>> {
        self.find(path, id).map(|f| self.summary_of(f))
    }

    /// Write the cache for a loaded repository: every document and DocSet of
    /// `files` (path, blob id). A file with a record for its blob keeps it (a blob
    /// parses the same every time); any other is encoded from `repo`, with the
    /// single-file findings at its path. New records are appended when the files hold little else
    /// that is stale (under a lock, so two genies at once do not mix their
    /// records); otherwise both files are rewritten under a new generation, the
    /// meta file last and by renaming, so a reader never sees half a cache. The
    /// folder gets a `.gitignore` so it is never committed.
    pub fn write(&self, repo: &Repo, files: &[(&str, &[u8])]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        if let Some(genie_dir) = self.dir.parent() {
            let ignore = genie_dir.join(".gitignore");
            if !ignore.exists() {
                let _ = std::fs::write(&ignore, "# genie's cache: never committed\n*\n");
            }
        }
        let docs: HashMap<&str, &Doc> = repo.docs.iter().map(|d| (d.path.as_str(), d)).collect();
        let docsets: HashMap<&str, &DocSet> =
            repo.docsets.iter().map(|d| (d.path.as_str(), d)).collect();
        let mut diags: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
        for d in &repo.diagnostics {
            diags.entry(d.path.as_str()).or_default().push(d);
        }
        let repository = repo.config.repository.as_deref();
        // New records: (path, id, kind, summary, body).
        let mut new: Vec<NewRecord> = Vec::new();
        let mut kept: Vec<(&str, Record)> = Vec::new();
        for &(path, id) in files {
            if let Some(r) = self.record(path, id) {
                kept.push((path, r));
                continue;
            }
            let found = diags.get(path).map(Vec::as_slice).unwrap_or(&[]);
            let mut summary = Enc(Vec::new());
            let mut body = Enc(Vec::new());
            let kind = if let Some(d) = docs.get(path) {
                summary.0 = doc_summary_bytes(d, repository);
                let mut eager = Enc(Vec::new());
                encode_doc(&mut eager, d);
                let mut lazy = Enc(Vec::new());
                lazy.strs(&d.anchors);
                lazy.len(d.links.len());
                for l in &d.links {
                    lazy.str(&l.dest);
                    lazy.u32(l.line);
                    lazy.u32(l.col);
                }
                encode_diagnostics(&mut lazy, found);
                body.bytes(&eager.0);
                body.bytes(&lazy.0);
                0
            } else if let Some(ds) = docsets.get(path) {
                summary.0 = docset_summary_bytes(ds);
                let mut eager = Enc(Vec::new());
                encode_docset(&mut eager, ds);
                encode_diagnostics(&mut eager, found);
                body.bytes(&eager.0);
                body.bytes(&[]);
                2
            } else if is_docset_path(repo, path) {
                let mut eager = Enc(Vec::new());
                encode_diagnostics(&mut eager, found);
                body.bytes(&eager.0);
                body.bytes(&[]);
                1
            } else {
                continue;
            };
            new.push((path, id, kind, summary.0, body.0));
        }
        let live = kept.len() + new.len();
        if !self.meta.is_empty() && self.total + new.len() <= live + live / 2 + 16 {
            if new.is_empty() {
                return Ok(());
            }
            return self.append(&new);
        }
        // Rewrite both files under the next generation.
        let old_body = std::fs::read(self.body_path(self.generation)).unwrap_or_default();
        let generation = self.generation.wrapping_add(1);
        let mut meta = Enc(Vec::with_capacity(self.meta.len() + 1024));
        meta.0.extend_from_slice(MAGIC);
        meta.u64(self.key);
        meta.u64(generation);
        let mut body: Vec<u8> = Vec::with_capacity(old_body.len() + 1024);
        for (path, r) in kept {
            let (off, len) = (r.body.0 as usize, r.body.1 as usize);
            let Some(bytes) = old_body.get(off..off + len) else {
                continue;
            };
            let at = body.len() as u64;
            body.extend_from_slice(bytes);
            meta.str(path);
            meta.bytes(&self.meta[r.id.0..r.id.1]);
            meta.u8(r.kind);
            meta.bytes(&self.meta[r.summary.0..r.summary.1]);
            meta.u64(at);
            meta.u32(r.body.1);
            meta.u64(r.hash);
        }
        for (path, id, kind, summary, b) in &new {
            let at = body.len() as u64;
            body.extend_from_slice(b);
            meta_record(&mut meta, path, id, *kind, summary, at, b);
        }
        let body_path = self.body_path(generation);
        write_atomically(&self.dir, &body_path, &body)?;
        write_atomically(&self.dir, &self.dir.join(FILE), &meta.0)?;
        if generation != self.generation {
            let _ = std::fs::remove_file(self.body_path(self.generation));
        }
        Ok(())
    }

    /// Append records to both files. Without a lock two genies may append at
    /// once; every record carries a hash of its body, so a record whose body
    /// landed elsewhere reads as a miss, never as another file's data.
    fn append(&self, new: &[NewRecord]) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        let mut meta_file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(self.dir.join(FILE))?;
        // Another genie may have rewritten the cache since it was read: then its
        // body file is not ours to append to, and these records wait for next time.
        let mut header = [0u8; HEADER];
        meta_file.read_exact_at(&mut header, 0)?;
        if header[..] != self.meta[..HEADER] {
            return Ok(());
        }
        let mut body_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.body_path(self.generation))?;
        let mut at = body_file.metadata()?.len();
        let mut body = Vec::new();
        let mut meta = Enc(Vec::new());
        for (path, id, kind, summary, b) in new {
            body.extend_from_slice(b);
            meta_record(&mut meta, path, id, *kind, summary, at, b);
            at += b.len() as u64;
        }
        // One write each: appends do not interleave within a write.
        body_file.write_all(&body)?;
        body_file.flush()?;
        meta_file.write_all(&meta.0)?;
        meta_file.flush()
    }
}

/// A record to add: path, blob id, kind, summary, body.
type NewRecord<'a> = (&'a str, &'a [u8], u8, Vec<u8>, Vec<u8>);

fn meta_record(e: &mut Enc, path: &str, id: &[u8], kind: u8, summary: &[u8], at: u64, body: &[u8]) {
    e.str(path);
    e.bytes(id);
    e.u8(kind);
    e.bytes(summary);
    e.u64(at);
    e.len(body.len());
    e.u64(body_hash(body));
}

fn body_hash(body: &[u8]) -> u64 {
    let mut h = Fnv::new();
    h.write(body);
    h.finish()
}

fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map_or_else(|| "cache".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.flush()
    });
    if let Err(err) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(err);
    }
    Ok(())
}

/// Decode a record's body: the parsed file, a document's rest, a DocSet's findings.
fn decode_body(
    path: &str,
    kind: u8,
    body: Vec<u8>,
) -> Option<(Parsed, Option<Rest>, Vec<Diagnostic>)> {
    let mut d = Dec { b: &body, pos: 0 };
    let eager = d.bytes()?;
    let lazy = d.bytes()?;
    if d.pos != body.len() {
        return None;
    }
    let mut e = Dec { b: eager, pos: 0 };
    match kind {
        0 => {
            let doc = decode_doc(&mut e, path)?;
            Some((
                Parsed::Doc(doc),
                Some(Rest {
                    bytes: lazy.to_vec(),
                }),
                Vec::new(),
            ))
        }
        1 => Some((
            Parsed::DocSet(None),
            None,
            decode_diagnostics(&mut e, path)?,
        )),
        2 => {
            let ds = decode_docset(&mut e, path)?;
            let diags = decode_diagnostics(&mut e, path)?;
            Some((Parsed::DocSet(Some(ds)), None, diags))
        }
        _ => None,
    }
}

fn is_docset_path(repo: &Repo, path: &str) -> bool {
    let dir = repo.config.docset.dir.trim_end_matches('/');
    path.strip_prefix(dir)
        .and_then(|r| r.strip_prefix('/'))
        .is_some_and(|r| r.starts_with("issues/") || r.starts_with("prs/"))
}

/// Find every record of a meta file without decoding any: (generation, records
/// by path — the last one of a path winning —, records in the file).
fn index_file(bytes: &[u8], key: u64) -> Option<(u64, FastMap<String, Record>, usize)> {
    let mut d = Dec { b: bytes, pos: 0 };
    if d.take(MAGIC.len())? != MAGIC || d.u64()? != key {
        return None;
    }
    let generation = d.u64()?;
    let mut out = FastMap::default();
    let mut total = 0;
    while d.pos < bytes.len() {
        let path = d.str_ref()?.to_string();
        let id_len = d.len()?;
        let id = (d.pos, d.pos + id_len);
        d.take(id_len)?;
        let kind = d.u8()?;
        let summary_len = d.len()?;
        let summary = (d.pos, d.pos + summary_len);
        d.take(summary_len)?;
        let body = (d.u64()?, d.u32()?);
        let hash = d.u64()?;
        total += 1;
        out.insert(
            path,
            Record {
                id,
                kind,
                summary,
                body,
                hash,
            },
        );
    }
    Some((generation, out, total))
}

/// A fast hasher for maps of genie's own data (paths, ids): the multiply-rotate
/// hash of rustc's hash maps. Not for anything an attacker chooses keys for.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;
pub type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<FxHasher>>;

/// FNV-1a, 64 bits: a stable hash (std's hasher may change between releases).
pub struct Fnv(u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}

// ---- encoding ----------------------------------------------------------------

struct Enc(Vec<u8>);

impl Enc {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }
    fn spanned(&mut self, s: &Spanned<String>) {
        self.str(&s.value);
        self.u32(s.line);
        self.u32(s.col);
    }
    fn opt_spanned(&mut self, s: Option<&Spanned<String>>) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.spanned(s);
            }
        }
    }
    fn spanned_list(&mut self, list: &[Spanned<String>]) {
        self.len(list.len());
        for s in list {
            self.spanned(s);
        }
    }
    fn issue_refs(&mut self, list: &[Spanned<IssueRef>]) {
        self.len(list.len());
        for s in list {
            self.opt_str(s.value.repo.as_deref());
            self.u64(s.value.number);
            self.u32(s.line);
            self.u32(s.col);
        }
    }
    /// The values of several lists of ids, as one list.
    fn spanned_ids(&mut self, lists: &[&Vec<Spanned<String>>]) {
        self.len(lists.iter().map(|l| l.len()).sum());
        for s in lists.iter().flat_map(|l| l.iter()) {
            self.str(&s.value);
        }
    }
    fn strs(&mut self, list: &[String]) {
        self.len(list.len());
        for s in list {
            self.str(s);
        }
    }
}

pub struct Dec<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Dec<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.b.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|s| s[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn u64(&mut self) -> Option<u64> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Some(u64::from_le_bytes(a))
    }
    fn len(&mut self) -> Option<usize> {
        let n = self.u32()? as usize;
        // Every element takes at least one byte: a length past the end is damage.
        (n <= self.b.len() - self.pos).then_some(n)
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }
    fn str_ref(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }
    fn opt_str_ref(&mut self) -> Option<Option<&'a str>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.str_ref()?)),
            _ => None,
        }
    }
    fn str(&mut self) -> Option<String> {
        std::str::from_utf8(self.bytes()?).ok().map(str::to_string)
    }
    fn opt_str(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.str()?)),
            _ => None,
        }
    }
    fn bool(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    fn spanned(&mut self) -> Option<Spanned<String>> {
        Some(Spanned::new(self.str()?, self.u32()?, self.u32()?))
    }
    fn opt_spanned(&mut self) -> Option<Option<Spanned<String>>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.spanned()?)),
            _ => None,
        }
    }
    fn spanned_list(&mut self) -> Option<Vec<Spanned<String>>> {
        let n = self.len()?;
        (0..n).map(|_| self.spanned()).collect()
    }
    fn issue_refs(&mut self) -> Option<Vec<Spanned<IssueRef>>> {
        let n = self.len()?;
        (0..n)
            .map(|_| {
                let repo = self.opt_str()?;
                let number = self.u64()?;
                Some(Spanned::new(
                    IssueRef { repo, number },
                    self.u32()?,
                    self.u32()?,
                ))
            })
            .collect()
    }
    fn strs(&mut self) -> Option<Vec<String>> {
        let n = self.len()?;
        (0..n).map(|_| self.str()).collect()
    }
}

fn encode_diagnostics(e: &mut Enc, list: &[&Diagnostic]) {
    e.len(list.len());
    for d in list {
        encode_diagnostic(e, d);
    }
}

fn decode_diagnostics(d: &mut Dec, path: &str) -> Option<Vec<Diagnostic>> {
    let n = d.len()?;
    (0..n).map(|_| decode_diagnostic(d, path)).collect()
}

fn encode_doc(e: &mut Enc, doc: &Doc) {
    e.u8(u8::from(doc.has_front_matter));
    e.u32(doc.line_count);
    let f = &doc.fields;
    e.opt_spanned(f.doc_id.as_ref());
    e.opt_spanned(f.doc_type.as_ref());
    e.opt_str(f.title.as_deref());
    e.opt_spanned(f.status.as_ref());
    e.opt_str(f.canonical_status.as_deref());
    e.opt_str(f.owner_role.as_deref());
    e.issue_refs(&f.related_issues);
    e.issue_refs(&f.related_prs);
    e.spanned_list(&f.related_docs);
    e.spanned_list(&f.supersedes);
    e.spanned_list(&f.superseded_by);
    e.opt_str(f.approvals_status.as_deref());
    e.u8(u8::from(f.incident));
    e.opt_str(f.release.as_deref());
    e.len(f.key_lines.len());
    for (k, l) in &f.key_lines {
        e.str(k);
        e.u32(*l);
    }
}

fn decode_doc(d: &mut Dec, path: &str) -> Option<Doc> {
    let has_front_matter = d.bool()?;
    let line_count = d.u32()?;
    let mut f = Fields {
        doc_id: d.opt_spanned()?,
        doc_type: d.opt_spanned()?,
        title: d.opt_str()?,
        status: d.opt_spanned()?,
        canonical_status: d.opt_str()?,
        owner_role: d.opt_str()?,
        related_issues: d.issue_refs()?,
        related_prs: d.issue_refs()?,
        related_docs: d.spanned_list()?,
        supersedes: d.spanned_list()?,
        superseded_by: d.spanned_list()?,
        approvals_status: d.opt_str()?,
        incident: d.bool()?,
        release: d.opt_str()?,
        key_lines: Vec::new(),
    };
    let n = d.len()?;
    for _ in 0..n {
        let key = d.str()?;
        let line = d.u32()?;
        f.key_lines
            .push((crate::check::fields::standard(&key)?, line));
    }
    Some(Doc {
        path: path.to_string(),
        has_front_matter,
        fields: f,
        anchors: Vec::new(),
        links: Vec::new(),
        line_count,
    })
}

fn encode_diagnostic(e: &mut Enc, d: &Diagnostic) {
    e.str(d.code);
    e.u8(match d.level {
        Level::Off => 0,
        Level::Warning => 1,
        Level::Error => 2,
    });
    e.u32(d.line);
    e.u32(d.column);
    e.str(&d.message);
    e.str(&d.help);
    e.len(d.related.len());
    for r in &d.related {
        e.str(&r.path);
        e.u32(r.line);
        e.opt_str(r.message.as_deref());
    }
}

fn decode_diagnostic(d: &mut Dec, path: &str) -> Option<Diagnostic> {
    let rule = rules::find(&d.str()?)?;
    let level = match d.u8()? {
        0 => Level::Off,
        1 => Level::Warning,
        2 => Level::Error,
        _ => return None,
    };
    let line = d.u32()?;
    let column = d.u32()?;
    let message = d.str()?;
    let help = d.str()?;
    let n = d.len()?;
    let related = (0..n)
        .map(|_| {
            Some(Related {
                path: d.str()?,
                line: d.u32()?,
                message: d.opt_str()?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Diagnostic {
        code: rule.code,
        rule: rule.name,
        level,
        path: path.to_string(),
        line,
        column,
        message,
        help,
        related,
    })
}

fn encode_docset(e: &mut Enc, ds: &DocSet) {
    e.u8(match ds.kind {
        Kind::Issue => 0,
        Kind::Pr => 1,
    });
    match ds.file_number {
        None => e.u8(0),
        Some(n) => {
            e.u8(1);
            e.u64(n);
        }
    }
    let f = &ds.file;
    let num = |e: &mut Enc, n: Option<Number>| match n {
        None => e.u8(0),
        Some(n) => {
            e.u8(1);
            e.u64(n.0);
        }
    };
    num(e, f.issue);
    num(e, f.pr);
    e.opt_str(f.title.as_deref());
    e.opt_str(f.profile.as_deref());
    e.opt_str(f.stage.as_deref());
    e.u8(match f.state {
        State::Active => 0,
        State::Blocked => 1,
        State::Done => 2,
        State::Abandoned => 3,
    });
    e.len(f.prs.len());
    for p in &f.prs {
        e.u64(p.0);
    }
    e.opt_str(f.release.as_deref());
    e.len(f.docs.len());
    for d in &f.docs {
        e.str(&d.doc_id);
        e.opt_str(d.path.as_deref());
        e.opt_str(d.doc_type.as_deref());
        e.opt_str(d.status.as_deref());
    }
    e.opt_str(f.notes.as_deref());
    encode_node(e, &ds.root);
}

fn decode_docset(d: &mut Dec, path: &str) -> Option<DocSet> {
    let kind = match d.u8()? {
        0 => Kind::Issue,
        1 => Kind::Pr,
        _ => return None,
    };
    let file_number = match d.u8()? {
        0 => None,
        1 => Some(d.u64()?),
        _ => return None,
    };
    let num = |d: &mut Dec| -> Option<Option<Number>> {
        match d.u8()? {
            0 => Some(None),
            1 => Some(Some(Number(d.u64()?))),
            _ => None,
        }
    };
    let issue = num(d)?;
    let pr = num(d)?;
    let title = d.opt_str()?;
    let profile = d.opt_str()?;
    let stage = d.opt_str()?;
    let state = match d.u8()? {
        0 => State::Active,
        1 => State::Blocked,
        2 => State::Done,
        3 => State::Abandoned,
        _ => return None,
    };
    let n = d.len()?;
    let prs = (0..n)
        .map(|_| d.u64().map(Number))
        .collect::<Option<Vec<_>>>()?;
    let release = d.opt_str()?;
    let n = d.len()?;
    let docs = (0..n)
        .map(|_| {
            Some(Entry {
                doc_id: d.str()?,
                path: d.opt_str()?,
                doc_type: d.opt_str()?,
                status: d.opt_str()?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let notes = d.opt_str()?;
    let root = decode_node(d, 0)?;
    Some(DocSet {
        path: path.to_string(),
        kind,
        file_number,
        file: DocSetFile {
            issue,
            pr,
            title,
            profile,
            stage,
            state,
            prs,
            release,
            docs,
            notes,
        },
        root,
    })
}

fn encode_node(e: &mut Enc, n: &Node) {
    e.u32(n.line);
    e.u32(n.col);
    match &n.value {
        Value::Null => e.u8(0),
        Value::Bool(b) => {
            e.u8(1);
            e.u8(u8::from(*b));
        }
        Value::Int(i) => {
            e.u8(2);
            e.u64(*i as u64);
        }
        Value::Float(f) => {
            e.u8(3);
            e.u64(f.to_bits());
        }
        Value::Str(s) => {
            e.u8(4);
            e.str(s);
        }
        Value::Seq(items) => {
            e.u8(5);
            e.len(items.len());
            for i in items {
                encode_node(e, i);
            }
        }
        Value::Map(entries) => {
            e.u8(6);
            e.len(entries.len());
            for (k, v) in entries {
                encode_node(e, k);
                encode_node(e, v);
            }
        }
    }
}

fn decode_node(d: &mut Dec, depth: usize) -> Option<Node> {
    if depth > crate::yaml::MAX_DEPTH + 1 {
        return None;
    }
    let line = d.u32()?;
    let col = d.u32()?;
    let value = match d.u8()? {
        0 => Value::Null,
        1 => Value::Bool(d.bool()?),
        2 => Value::Int(d.u64()? as i64),
        3 => Value::Float(f64::from_bits(d.u64()?)),
        4 => Value::Str(d.str()?),
        5 => {
            let n = d.len()?;
            Value::Seq(
                (0..n)
                    .map(|_| decode_node(d, depth + 1))
                    .collect::<Option<_>>()?,
            )
        }
        6 => {
            let n = d.len()?;
            Value::Map(
                (0..n)
                    .map(|_| Some((decode_node(d, depth + 1)?, decode_node(d, depth + 1)?)))
                    .collect::<Option<_>>()?,
            )
        }
        _ => return None,
    };
    Some(Node { value, line, col })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Context, Sink};

    const DOC: &str = "---\ndoc_id: ADR-0001\ntype: adr\ntitle: Use Postgres\nstatus: accepted\nowner_role: SA\ncreated_at: 2024-13-01\nrelated_issues: [12, \"acme/shop#3\"]\nrelated_docs: [PRD-0001]\nsupersedes: ADR-0000\nModule Name: x\n---\n# Use Postgres\n\n## Context\n\nSee [PRD](../prd.md#goals) and ![img](a.png).\n";
    const DOCSET: &str = "issue: 12\ntitle: T\nprofile: feature\nstage: design\nstate: blocked\nprs: [\"#4\"]\nrelease: v1\ndocs:\n  - {doc_id: ADR-0001, path: docs/adr/0001.md, type: adr, status: approved}\nnotes: |\n  free\n  text\nextra: [1, 2.5, true, null, {a: b}]\n";

    /// A repository of one document and two DocSets (one refused), parsed.
    fn sample(root: &Path) -> Repo {
        let config = Config::builtin();
        let ctx = Context::new(&config).unwrap();
        let mut sink = Sink::new(&ctx.levels);
        let doc = crate::repo::parse_doc("docs/adr/0001.md", DOC, &ctx, &mut sink);
        let good = DOCSET.replace("extra: [1, 2.5, true, null, {a: b}]\n", "");
        let ds = crate::repo::parse_docset(
            "docs/_docset/issues/issue-12.yaml",
            Kind::Issue,
            Some(12),
            &good,
            &mut sink,
        )
        .unwrap();
        // `extra` is not a DocSet field: the DocSet is refused, and that is cached too.
        assert!(
            crate::repo::parse_docset(
                "docs/_docset/issues/issue-13.yaml",
                Kind::Issue,
                Some(13),
                DOCSET,
                &mut sink,
            )
            .is_none()
        );
        let diagnostics = sink.into_vec();
        drop(ctx);
        Repo {
            root: root.to_path_buf(),
            config,
            docs: vec![doc],
            docsets: vec![ds],
            diagnostics,
        }
    }

    const FILES: [(&str, &[u8]); 3] = [
        ("docs/adr/0001.md", b"id-1"),
        ("docs/_docset/issues/issue-12.yaml", b"id-2"),
        ("docs/_docset/issues/issue-13.yaml", b"id-3"),
    ];

    #[test]
    fn documents_docsets_and_findings_survive_a_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let repo = sample(dir.path());
        assert!(
            repo.diagnostics.len() >= 3,
            "the sample has findings to carry"
        );
        let cache = Cache::open(dir.path(), &repo.config);
        assert!(cache.is_empty());
        cache.write(&repo, &FILES).unwrap();
        assert!(dir.path().join(".genie/.gitignore").is_file());

        let mut again = Cache::open(dir.path(), &repo.config);
        assert_eq!(again.len(), 3);
        assert!(
            again.take(FILES[0].0, b"other-id").is_none(),
            "another blob is a miss"
        );
        let (parsed, rest, none) = again.take(FILES[0].0, b"id-1").unwrap();
        assert!(none.is_empty(), "a document's findings come with the rest");
        let Parsed::Doc(mut back) = parsed else {
            panic!("a document")
        };
        assert!(back.links.is_empty() && back.anchors.is_empty());
        let found = again.complete(&mut back, rest.unwrap()).unwrap();
        assert_eq!(format!("{back:?}"), format!("{:?}", repo.docs[0]));
        let expected: Vec<&Diagnostic> = repo
            .diagnostics
            .iter()
            .filter(|d| d.path == FILES[0].0)
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(found.iter().collect::<Vec<_>>(), expected);
        let (parsed, _, _) = again.take(FILES[1].0, b"id-2").unwrap();
        let Parsed::DocSet(Some(back)) = parsed else {
            panic!("a DocSet")
        };
        assert_eq!(format!("{back:?}"), format!("{:?}", repo.docsets[0]));
        let (parsed, _, found) = again.take(FILES[2].0, b"id-3").unwrap();
        assert!(matches!(parsed, Parsed::DocSet(None)));
        assert!(found.iter().any(|d| d.code == "G0501"), "{found:?}");
        assert_eq!((again.hits(), again.misses()), (3, 1));

        // Nothing new: the files stay as they were.
        again.write(&repo, &FILES).unwrap();
        let copied = std::fs::read(dir.path().join(DIR).join(FILE)).unwrap();
        assert_eq!(copied, again.meta);
        // A new blob of a file is appended; the last record of a path wins.
        let moved: [(&str, &[u8]); 3] = [FILES[0], FILES[1], (FILES[2].0, b"id-9")];
        again.write(&repo, &moved).unwrap();
        let mut third = Cache::open(dir.path(), &repo.config);
        assert_eq!((third.len(), third.total), (3, 4));
        assert!(third.take(FILES[2].0, b"id-9").is_some());
        assert!(third.take(FILES[2].0, b"id-3").is_none());
        let Some(Raw::Doc(raw)) = third.summary(FILES[0].0, b"id-1") else {
            panic!("a document's summary")
        };
        let view = DocView::read(raw).unwrap();
        assert_eq!(view.doc_id, Some("ADR-0001"));
        assert_eq!(
            view.refs().collect::<Vec<_>>(),
            [("PRD-0001", false), ("ADR-0000", true)]
        );
        assert_eq!(view.items().collect::<Vec<_>>(), [(false, 12)]);
        let Some(Raw::DocSet(raw)) = third.summary(FILES[1].0, b"id-2") else {
            panic!("a DocSet's summary")
        };
        let set = DocSetView::read(raw).unwrap();
        assert_eq!(
            (set.pr, set.number, set.prs.clone()),
            (false, Some(12), vec![4])
        );
        assert_eq!(set.listed().collect::<Vec<_>>(), ["ADR-0001"]);
        // Many new blobs later the file is compacted, not grown without end.
        for round in 0..40u8 {
            let c = Cache::open(dir.path(), &repo.config);
            let id = [b'x', round];
            let files: [(&str, &[u8]); 3] = [FILES[0], FILES[1], (FILES[2].0, &id)];
            c.write(&repo, &files).unwrap();
        }
        let last = Cache::open(dir.path(), &repo.config);
        assert_eq!(last.len(), 3);
        assert!(last.total <= 3 + 3 / 2 + 17, "{} records", last.total);
    }

    #[test]
    fn another_configuration_or_a_damaged_file_is_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        let repo = sample(dir.path());
        Cache::open(dir.path(), &repo.config)
            .write(&repo, &FILES)
            .unwrap();
        assert_eq!(Cache::open(dir.path(), &repo.config).len(), 3);

        let other = Config::parse("[docs]\nmax_lines = 9\n", None).unwrap();
        assert!(Cache::open(dir.path(), &other).is_empty());

        let meta = dir.path().join(DIR).join(FILE);
        let body = dir.path().join(DIR).join("body-1.bin");
        assert!(body.is_file());
        let meta_bytes = std::fs::read(&meta).unwrap();
        let body_bytes = std::fs::read(&body).unwrap();
        for cut in [0, 5, 16, meta_bytes.len() / 2, meta_bytes.len() - 1] {
            std::fs::write(&meta, &meta_bytes[..cut]).unwrap();
            assert!(
                Cache::open(dir.path(), &repo.config).is_empty(),
                "cut at {cut}"
            );
        }
        std::fs::write(&meta, &meta_bytes).unwrap();
        // Damaged bytes in either file may or may not decode, but never panic.
        let exercise = || {
            let mut c = Cache::open(dir.path(), &repo.config);
            for (p, id) in FILES {
                let _ = c.summary(p, id);
                if let Some((Parsed::Doc(mut d), Some(rest), _)) = c.take(p, id) {
                    let _ = c.complete(&mut d, rest);
                }
            }
        };
        for (file, bytes) in [(&meta, &meta_bytes), (&body, &body_bytes)] {
            for i in (0..bytes.len()).step_by(5) {
                let mut flipped = bytes.clone();
                flipped[i] ^= 0xa5;
                std::fs::write(file, &flipped).unwrap();
                exercise();
            }
            std::fs::write(file, bytes).unwrap();
            let _ = std::fs::write(&body, &body_bytes[..body_bytes.len() / 2]);
            exercise();
            std::fs::write(&body, &body_bytes).unwrap();
        }
    }
}
