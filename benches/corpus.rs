//! A deterministic generator of a synthetic genie repository, for benchmarks.
//!
//! The corpus looks like a real documentation repository: `genie.toml`, documents of
//! every default type under `docs/` with full front-matter (ids, statuses, dates,
//! issues, related documents, approvals, tags, ADR supersede chains), bodies of a few
//! kilobytes with headings, English and Russian prose, lists, code fences, tables and
//! relative links (some to `#anchors` of the target), and one DocSet per issue whose
//! `docs` are exactly the documents that name the issue. It is built to check clean.
//!
//! Everything comes from a fixed seed through a small splitmix64 generator, so the
//! same parameters always give byte-for-byte the same files. A corpus is written once
//! to `bench-out/corpus-<docs>/` and reused while its marker file matches.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Bump when the generated files change, so stale corpora are rebuilt.
pub const GENERATOR_VERSION: u32 = 5;
/// Default number of documents (`GENIE_BENCH_DOCS`).
pub const DEFAULT_DOCS: usize = 10_000;
/// Default average size of a document in bytes (`GENIE_BENCH_DOC_BYTES`).
pub const DEFAULT_DOC_BYTES: usize = 7_000;
/// The `repository` of the generated genie.toml; issue references may name it.
pub const REPOSITORY: &str = "acme/shop";

const SEED: u64 = 0x6765_6e69_6562_3031;
const MARKER: &str = ".genie-bench-corpus";

// ---------------------------------------------------------------------------
// Parameters and the on-disk cache

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub docs: usize,
    /// Average size of a document (front-matter and body), in bytes.
    pub doc_bytes: usize,
    /// Number of issues, each with a DocSet file.
    pub issues: usize,
}

impl Params {
    pub fn new(docs: usize, doc_bytes: usize) -> Params {
        let docs = docs.max(1);
        Params {
            docs,
            doc_bytes: doc_bytes.max(1_000),
            issues: (docs / 10).max(1),
        }
    }

    /// From `GENIE_BENCH_DOCS` and `GENIE_BENCH_DOC_BYTES`, else the defaults.
    pub fn from_env() -> Params {
        Params::new(
            env_usize("GENIE_BENCH_DOCS", DEFAULT_DOCS),
            env_usize("GENIE_BENCH_DOC_BYTES", DEFAULT_DOC_BYTES),
        )
    }

    /// `corpus-<docs>`, with the size appended when it is not the default.
    pub fn dir_name(&self) -> String {
        if self.doc_bytes == DEFAULT_DOC_BYTES {
            format!("corpus-{}", self.docs)
        } else {
            format!("corpus-{}-{}b", self.docs, self.doc_bytes)
        }
    }

    fn marker(&self) -> String {
        format!(
            "genie bench corpus v{GENERATOR_VERSION} seed={SEED:#x} docs={} doc_bytes={} issues={}\n",
            self.docs, self.doc_bytes, self.issues
        )
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a number")),
        _ => default,
    }
}

/// A corpus on disk.
#[derive(Debug)]
pub struct Corpus {
    /// The repository root (holds genie.toml).
    pub root: PathBuf,
    /// Whether this call generated it (else it was reused).
    pub generated: bool,
    /// Time spent generating (zero when reused).
    pub elapsed: Duration,
}

/// The corpus for `params` under `base` (normally `<repo>/bench-out`): reused when its
/// marker says it is complete and of this generator version, else (re)generated.
pub fn ensure(params: &Params, base: &Path) -> io::Result<Corpus> {
    let root = base.join(params.dir_name());
    if fs::read_to_string(root.join(MARKER)).is_ok_and(|m| m == params.marker()) {
        return Ok(Corpus {
            root,
            generated: false,
            elapsed: Duration::ZERO,
        });
    }
    let started = Instant::now();
    if root.exists() {
        fs::remove_dir_all(&root)?;
    }
    generate(params, &root)?;
    // Written last: its presence means every other file is complete.
    fs::write(root.join(MARKER), params.marker())?;
    Ok(Corpus {
        root,
        generated: true,
        elapsed: started.elapsed(),
    })
}

// ---------------------------------------------------------------------------
// Randomness

/// splitmix64: tiny, fast and good enough for synthetic text.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An independent stream for `(seed, salt)`.
    pub fn derive(seed: u64, salt: u64) -> Rng {
        let mut r = Rng(seed ^ salt.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        Rng(r.next_u64())
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p` percent.
    pub fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------
// What genie's default configuration defines (src/config/default.toml)

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Product,
    Decision,
    Design,
    Plan,
    Quality,
    Release,
    Ops,
    Knowledge,
}

struct TypeDef {
    name: &'static str,
    prefix: &'static str,
    dir: &'static str,
    /// Relative frequency in the corpus.
    weight: usize,
    roles: &'static [&'static str],
    kind: Kind,
}

const PM: &[&str] = &["pm", "owner"];
const SA: &[&str] = &["sa", "dev"];
const EM: &[&str] = &["em", "pm"];
const QA: &[&str] = &["qa"];
const SRE: &[&str] = &["sre", "em"];
const KM: &[&str] = &["km", "dev", "auditor"];

macro_rules! types {
    ($( $name:literal $prefix:literal $dir:literal $weight:literal $roles:ident $kind:ident; )*) => {
        const TYPES: &[TypeDef] = &[ $( TypeDef {
            name: $name, prefix: $prefix, dir: $dir, weight: $weight, roles: $roles, kind: Kind::$kind,
        } ),* ];
    };
}

types! {
    "brief" "BRF" "docs/intake" 2 PM Product;
    "problem" "PRB" "docs/intake" 2 PM Product;
    "personas" "PER" "docs/intake" 2 PM Product;
    "scope" "MVP" "docs/intake" 2 PM Product;
    "constraints" "CST" "docs/intake" 2 PM Product;
    "questions" "QST" "docs/intake" 2 PM Product;
    "charter" "CHR" "docs/vision" 1 PM Product;
    "success-metrics" "MET" "docs/vision" 1 PM Product;
    "risks" "RSK" "docs/vision" 2 PM Product;
    "prd" "PRD" "docs/product" 5 PM Product;
    "nfr" "NFR" "docs/architecture" 2 SA Decision;
    "epic" "EPC" "docs/plan" 4 PM Plan;
    "story" "STR" "docs/plan" 10 PM Plan;
    "c4-context" "ARC-C4C" "docs/architecture" 1 SA Design;
    "c4-container" "ARC-C4N" "docs/architecture" 1 SA Design;
    "alternatives" "ALT" "docs/architecture" 2 SA Decision;
    "adr" "ADR" "docs/architecture/adr" 9 SA Decision;
    "design-doc" "DSG" "docs/design" 5 SA Design;
    "api-contract" "API" "docs/design" 3 SA Design;
    "data-model" "DM" "docs/design" 2 SA Design;
    "migrations-policy" "MIG" "docs/design" 1 SA Design;
    "delivery-plan" "PLN" "docs/plan" 2 EM Plan;
    "definition-of-done" "DOD" "docs/plan" 1 EM Plan;
    "roadmap" "RDM" "docs/plan" 1 EM Plan;
    "audit-report" "AUD" "docs/audit" 2 KM Quality;
    "test-strategy" "TST-STR" "docs/qa" 1 QA Quality;
    "test-plan" "TST-PLN" "docs/qa" 3 QA Quality;
    "test-matrix" "TST-MTX" "docs/qa" 2 QA Quality;
    "regression-checklist" "REG" "docs/qa" 2 QA Quality;
    "release-plan" "REL-PLN" "docs/release" 2 EM Release;
    "rollback-plan" "RLB" "docs/release" 2 SRE Release;
    "release-notes" "REL-NOTE" "docs/release" 3 EM Release;
    "postdeploy-review" "PDR" "docs/postdeploy" 2 SRE Ops;
    "postmortem" "PM" "docs/postdeploy" 2 SRE Ops;
    "monitoring" "MON" "docs/ops" 1 SRE Ops;
    "slo" "SLO" "docs/ops" 1 SRE Ops;
    "alerts" "ALT-ALR" "docs/ops" 1 SRE Ops;
    "runbook" "RB" "docs/ops/runbooks" 3 SRE Ops;
    "incident-playbook" "INC-PLY" "docs/ops" 1 SRE Ops;
    "lesson" "LSN" "docs/lessons" 2 KM Knowledge;
    "handoff" "HND" "docs/handoffs" 1 KM Knowledge;
    "session" "SES" "docs/sessions" 2 KM Knowledge;
}

/// Stage, its required types (`a|b` = either) and the pull requests it needs.
const STAGES: &[(&str, &[&str], usize)] = &[
    (
        "intake",
        &["problem", "personas", "scope", "constraints", "brief"],
        0,
    ),
    ("vision", &["charter", "success-metrics", "risks"], 0),
    ("prd", &["prd"], 0),
    (
        "arch",
        &["c4-context", "c4-container", "alternatives", "adr", "nfr"],
        0,
    ),
    (
        "design",
        &[
            "design-doc",
            "api-contract",
            "data-model",
            "migrations-policy",
        ],
        0,
    ),
    (
        "plan",
        &[
            "delivery-plan",
            "epic|story",
            "definition-of-done",
            "roadmap",
        ],
        0,
    ),
    ("dev", &[], 1),
    ("doc-audit", &["audit-report"], 0),
    (
        "qa",
        &[
            "test-strategy",
            "test-plan",
            "test-matrix",
            "regression-checklist",
        ],
        0,
    ),
    (
        "release",
        &["release-plan", "rollback-plan", "release-notes"],
        0,
    ),
    ("postdeploy", &["postdeploy-review"], 0),
    (
        "ops",
        &[
            "monitoring",
            "slo",
            "alerts",
            "runbook",
            "incident-playbook",
        ],
        0,
    ),
];

/// Profile, its stages and its relative frequency.
const PROFILES: &[(&str, &[&str], usize)] = &[
    (
        "feature",
        &[
            "intake",
            "prd",
            "design",
            "plan",
            "dev",
            "doc-audit",
            "qa",
            "release",
            "postdeploy",
        ],
        50,
    ),
    (
        "quick-fix",
        &["intake", "plan", "dev", "qa", "release", "postdeploy"],
        30,
    ),
    (
        "new-service",
        &[
            "intake",
            "vision",
            "prd",
            "arch",
            "design",
            "plan",
            "dev",
            "doc-audit",
            "qa",
            "release",
            "postdeploy",
            "ops",
        ],
        20,
    ),
];

fn type_index(name: &str) -> usize {
    TYPES
        .iter()
        .position(|t| t.name == name)
        .unwrap_or_else(|| panic!("unknown type {name}"))
}

fn stage_def(name: &str) -> &'static (&'static str, &'static [&'static str], usize) {
    STAGES
        .iter()
        .find(|s| s.0 == name)
        .unwrap_or_else(|| panic!("unknown stage {name}"))
}

/// Position of the stage that requires a type (types of no stage sort last).
fn stage_rank(ty: usize) -> usize {
    let name = TYPES[ty].name;
    if name == "postmortem" {
        return STAGES.iter().position(|s| s.0 == "postdeploy").unwrap_or(0);
    }
    STAGES
        .iter()
        .position(|s| s.1.iter().any(|r| r.split('|').any(|t| t == name)))
        .unwrap_or(STAGES.len())
}

// ---------------------------------------------------------------------------
// Vocabulary

#[rustfmt::skip]
const EN: &[&str] = &[
    "the", "the", "the", "the", "service", "request", "latency", "users", "team", "data",
    "export", "pipeline", "storage", "cache", "index", "query", "deploy", "rollout", "budget",
    "error", "retry", "queue", "worker", "schema", "migration", "contract", "endpoint", "token",
    "session", "account", "billing", "invoice", "report", "dashboard", "alert", "threshold",
    "window", "baseline", "capacity", "throughput", "backlog", "owner", "review", "decision",
    "tradeoff", "risk", "constraint", "requirement", "customer", "feature", "release",
    "version", "environment", "staging", "production", "rollback", "incident", "runbook",
    "metric", "signal", "trace", "log", "audit", "compliance", "security", "access",
    "permission", "role", "tenant", "region", "replica", "shard", "partition", "consistency",
    "availability", "durability", "because", "when", "while", "after", "before", "with",
    "without", "across", "between", "every", "each", "some", "most", "only", "also", "still",
    "already", "must", "should", "may", "can", "will", "we", "they", "it", "this", "that",
    "these", "those", "is", "are", "was", "were", "be", "been", "has", "have", "keeps", "moves",
    "reads", "writes", "checks", "handles", "sends", "stores", "serves", "blocks", "allows",
    "needs", "adds", "removes", "and", "and", "or", "but", "so", "of", "of", "to", "to", "in",
    "in", "on", "for", "by", "from", "at", "as", "not", "new", "old", "small", "large", "fast",
    "slow", "safe", "simple", "current", "existing", "manual", "automatic", "p99", "2x", "v2",
    "nightly",
];

#[rustfmt::skip]
const RU: &[&str] = &[
    "система", "данные", "пользователь", "требование", "решение", "последствия", "риск",
    "ограничение", "выпуск", "проверка", "команда", "документ", "сервис", "запрос", "ошибка",
    "хранилище", "очередь", "метрика", "задержка", "доступ", "владелец", "согласование",
    "релиз", "откат", "инцидент", "мониторинг", "и", "в", "на", "для", "не", "что", "это",
    "как", "при", "после", "нужно", "должен", "быстро", "надёжно",
];

#[rustfmt::skip]
const CODE_WORDS: &[&str] = &[
    "retry_budget", "max_batch_size", "user_id", "GET /v1/users", "POST /v1/exports",
    "SELECT count(*)", "genie check", "ledger_entries", "export.csv", "X-Request-Id",
];

#[rustfmt::skip]
const SECTIONS: &[&str] = &[
    "Context", "Context & Goals", "Problem statement", "Goals and non-goals", "Decision",
    "Consequences", "Решение и последствия", "Alternatives considered",
    "Risks: what could go wrong", "Open questions", "Rollout plan (phase 2)", "API surface",
    "Data model", "Testing strategy", "Monitoring & alerting", "Security considerations",
    "Migration path", "Timeline", "Glossary", "Требования", "Ограничения", "Scope — in and out",
    "Success metrics", "Dependencies", "Cost estimate", "Background", "Proposal",
    "Detailed design", "Failure modes", "Operational readiness", "Use `PostgreSQL` 16!",
    "What changes for users?",
];
const SUBSECTIONS: &[&str] = &["Details", "Notes", "Example", "Примечания"];
const RELATED_SECTION: &str = "Related documents";

#[rustfmt::skip]
const TECH: &[&str] = &[
    "PostgreSQL", "Kafka", "Redis", "gRPC", "OpenTelemetry", "S3", "ClickHouse", "SQLite",
    "NATS", "Terraform", "Envoy", "Keycloak",
];
#[rustfmt::skip]
const AREA: &[&str] = &[
    "ledger", "billing", "checkout", "search", "notifications", "user export", "audit log",
    "onboarding", "reporting", "payments", "inventory", "auth", "mobile sync", "pricing",
];
#[rustfmt::skip]
const THINGS: &[&str] = &[
    "users", "invoices", "orders", "events", "reports", "accounts", "refunds",
];
const FORMATS: &[&str] = &["CSV", "Parquet", "JSON", "PDF", "XLSX"];
const VERBS: &[&str] = &[
    "Export",
    "Import",
    "Archive",
    "Bulk edit",
    "Search",
    "Reconcile",
    "Sync",
];
const RU_TITLES: &[&str] = &[
    "Экспорт пользователей в CSV",
    "Отчёт по инцидентам",
    "Требования к хранилищу",
    "Ограничения платёжного шлюза",
    "Перенос данных биллинга",
    "Мониторинг очередей",
];
#[rustfmt::skip]
const TAGS: &[&str] = &[
    "billing", "storage", "security", "performance", "ux", "api", "data", "compliance",
    "mobile", "infra", "observability", "платежи",
];
#[rustfmt::skip]
const PEOPLE: &[&str] = &[
    "alice", "bob", "carol", "dmitry", "erin", "farid", "grace", "heidi", "ivan", "judy",
];
const COMPONENTS: &[&str] = &["api", "web", "worker", "ledger", "search", "mobile"];

// ---------------------------------------------------------------------------
// Dates

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn date(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

// ---------------------------------------------------------------------------
// Slugs and paths

/// GitHub's heading slug, as genie computes it: lower-case, spaces as `-`,
/// everything but letters, digits, `_` and `-` dropped.
pub fn slug(heading: &str) -> String {
    let mut s = String::with_capacity(heading.len());
    for c in heading.chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            s.extend(c.to_lowercase());
        } else if c == ' ' {
            s.push('-');
        }
    }
    s
}

/// An ASCII file-name slug of a title (may be empty).
fn file_slug(title: &str) -> String {
    let mut s = String::new();
    for w in title.split(|c: char| !c.is_ascii_alphanumeric()) {
        if w.is_empty() {
            continue;
        }
        if s.len() + w.len() > 40 {
            break;
        }
        if !s.is_empty() {
            s.push('-');
        }
        s.push_str(&w.to_ascii_lowercase());
    }
    s
}

/// The path of `to` relative to the folder of `from` (both repository-relative).
pub fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let to_dir = &to_parts[..to_parts.len() - 1];
    let common = from_dir
        .iter()
        .zip(to_dir)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = String::new();
    for _ in common..from_dir.len() {
        out.push_str("../");
    }
    out.push_str(&to_parts[common..].join("/"));
    out
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The plan of the corpus

#[derive(Clone, Copy, PartialEq, Eq)]
enum Approvals {
    None,
    Pending,
    Approved,
}

struct Plan {
    ty: usize,
    id: String,
    title: String,
    path: String,
    status: &'static str,
    approvals: Approvals,
    created: i64,
    updated: i64,
    /// Section headings (`##`), each with an optional `###` sub-heading.
    sections: Vec<(&'static str, Option<&'static str>)>,
    /// Every anchor of the body, in order (title first), deduplicated like GitHub.
    anchors: Vec<String>,
    issues: Vec<u64>,
    prs: Vec<u64>,
    related: Vec<usize>,
    supersedes: Option<usize>,
    superseded_by: Option<usize>,
    seed: u64,
}

impl Plan {
    fn approved(&self) -> bool {
        matches!(self.status, "approved" | "accepted") && self.approvals != Approvals::Pending
    }
}

struct Issue {
    number: u64,
    title: String,
    profile: usize,
    write_profile: bool,
    stage: &'static str,
    state: &'static str,
    prs: Vec<u64>,
    release: Option<String>,
    notes: Option<String>,
    members: BTreeSet<usize>,
}

/// Documents per type: the weights scaled to `total`, every type at least one
/// when there is room (largest remainder).
fn type_counts(total: usize) -> Vec<usize> {
    let wsum: usize = TYPES.iter().map(|t| t.weight).sum();
    let mut counts: Vec<usize> = TYPES.iter().map(|t| total * t.weight / wsum).collect();
    let mut rest: Vec<(usize, usize)> = TYPES
        .iter()
        .enumerate()
        .map(|(i, t)| (total * t.weight % wsum, i))
        .collect();
    rest.sort_by(|a, b| b.cmp(a));
    let mut missing = total - counts.iter().sum::<usize>();
    for &(_, i) in rest.iter().cycle() {
        if missing == 0 {
            break;
        }
        counts[i] += 1;
        missing -= 1;
    }
    counts
}

fn title_for(ty: &TypeDef, rng: &mut Rng) -> String {
    if rng.percent(5) {
        return rng.pick(RU_TITLES).to_string();
    }
    let area = *rng.pick(AREA);
    let tech = *rng.pick(TECH);
    match ty.kind {
        Kind::Decision => match rng.below(3) {
            0 => format!("Use {tech} for {area}"),
            1 => format!("Adopt {tech} in the {area} service"),
            _ => format!("Replace {} with {tech} in {area}", rng.pick(TECH)),
        },
        Kind::Product | Kind::Plan => format!(
            "{} {} to {} in {area}",
            rng.pick(VERBS),
            rng.pick(THINGS),
            rng.pick(FORMATS)
        ),
        Kind::Design => format!("{} {area} with {tech}", capitalize(ty.name)),
        Kind::Quality => format!("{} of {area} export", capitalize(ty.name)),
        Kind::Release => format!(
            "{} v{}.{}.0 ({area})",
            capitalize(ty.name),
            rng.range(1, 4),
            rng.below(20)
        ),
        Kind::Ops => format!("{area} {}", ty.name.replace('-', " ")),
        Kind::Knowledge => format!("{} on {area} and {tech}", capitalize(ty.name)),
    }
}

fn capitalize(s: &str) -> String {
    let s = s.replace('-', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

fn plan_docs(params: &Params) -> Vec<Plan> {
    let counts = type_counts(params.docs);
    let start = days_from_civil(2022, 1, 3);
    let span = 1_300; // about 3.5 years of history
    let mut plans = Vec::with_capacity(params.docs);
    for (t, ty) in TYPES.iter().enumerate() {
        for n in 1..=counts[t] {
            let seed = Rng::derive(SEED, plans.len() as u64).next_u64();
            let mut rng = Rng::new(seed);
            let id = format!("{}-{n:04}", ty.prefix);
            let title = title_for(ty, &mut rng);
            let name = file_slug(&title);
            let name = if name.is_empty() {
                ty.name.to_string()
            } else {
                name
            };
            let path = format!(
                "{}/{}-{n:04}-{name}.md",
                ty.dir,
                ty.prefix.to_ascii_lowercase()
            );
            let created = start + (n * span / counts[t].max(1)) as i64 + rng.below(30) as i64;
            let updated = created + rng.below(200) as i64;
            let (status, approvals) = match rng.below(100) {
                0..20 => ("draft", Approvals::None),
                20..40 => (
                    "in-review",
                    if rng.percent(50) {
                        Approvals::Pending
                    } else {
                        Approvals::None
                    },
                ),
                _ => (
                    if ty.name == "adr" && rng.percent(10) {
                        "accepted"
                    } else {
                        "approved"
                    },
                    if rng.percent(50) {
                        Approvals::Approved
                    } else {
                        Approvals::None
                    },
                ),
            };
            // Sections: distinct headings, some with a (repeated) sub-heading.
            let mut sections = Vec::new();
            let want = rng.range(6, 9);
            while sections.len() < want {
                let h = *rng.pick(SECTIONS);
                if sections.iter().all(|(s, _)| *s != h) {
                    let sub = rng.percent(40).then(|| *rng.pick(SUBSECTIONS));
                    sections.push((h, sub));
                }
            }
            sections.push((RELATED_SECTION, None));
            let mut anchors = Vec::new();
            let mut seen: Vec<(String, usize)> = Vec::new();
            let mut add = |h: &str| {
                let base = slug(h);
                let anchor = match seen.iter_mut().find(|(b, _)| *b == base) {
                    Some((_, k)) => {
                        *k += 1;
                        format!("{base}-{k}")
                    }
                    None => {
                        seen.push((base.clone(), 0));
                        base
                    }
                };
                anchors.push(anchor);
            };
            add(&title);
            for (h, sub) in &sections {
                add(h);
                if let Some(s) = sub {
                    add(s);
                }
            }
            plans.push(Plan {
                ty: t,
                id,
                title,
                path,
                status,
                approvals,
                created,
                updated,
                sections,
                anchors,
                issues: Vec::new(),
                prs: Vec::new(),
                related: Vec::new(),
                supersedes: None,
                superseded_by: None,
                seed,
            });
        }
    }

    // Supersede chains among ADRs: all but the newest `superseded`.
    let mut rng = Rng::derive(SEED, 0xADA);
    let adr = type_index("adr");
    let adrs: Vec<usize> = (0..plans.len()).filter(|&i| plans[i].ty == adr).collect();
    let mut i = 0;
    while i + 1 < adrs.len() {
        if !rng.percent(12) {
            i += 1;
            continue;
        }
        let len = rng.range(2, 4).min(adrs.len() - i);
        let chain = &adrs[i..i + len];
        for w in chain.windows(2) {
            plans[w[0]].superseded_by = Some(w[1]);
            plans[w[1]].supersedes = Some(w[0]);
        }
        for &old in &chain[..len - 1] {
            plans[old].status = "superseded";
            plans[old].approvals = if rng.percent(50) {
                Approvals::Approved
            } else {
                Approvals::None
            };
        }
        let newest = chain[len - 1];
        if plans[newest].status == "draft" {
            plans[newest].status = "in-review";
        }
        i += len;
    }

    // Related documents: a few random others.
    let total = plans.len();
    for (k, p) in plans.iter_mut().enumerate() {
        let mut rng = Rng::derive(p.seed, 1);
        if total < 2 {
            break;
        }
        for _ in 0..rng.below(5) {
            let j = rng.below(total);
            if j != k && !p.related.contains(&j) {
                p.related.push(j);
            }
        }
    }
    plans
}

fn plan_issues(params: &Params, plans: &mut [Plan]) -> Vec<Issue> {
    let mut all: Vec<Vec<usize>> = vec![Vec::new(); TYPES.len()];
    let mut approved: Vec<Vec<usize>> = vec![Vec::new(); TYPES.len()];
    for (i, p) in plans.iter().enumerate() {
        all[p.ty].push(i);
        if p.approved() {
            approved[p.ty].push(i);
        }
    }
    let weights: usize = PROFILES.iter().map(|p| p.2).sum();
    let mut issues = Vec::with_capacity(params.issues);
    for number in 1..=params.issues as u64 {
        let mut rng = Rng::derive(SEED ^ 0x1550E, number);
        let mut w = rng.below(weights);
        let profile = PROFILES
            .iter()
            .position(|p| {
                if w < p.2 {
                    true
                } else {
                    w -= p.2;
                    false
                }
            })
            .unwrap_or(0);
        let stages = PROFILES[profile].1;
        let k = rng.below(stages.len());
        let mut state = match rng.below(100) {
            0..30 => "abandoned",
            30..45 => "done",
            45..50 => "blocked",
            _ => "active",
        };
        let pr = params.issues as u64 + 2 * number;
        let mut prs = Vec::new();
        let mut members = BTreeSet::new();
        if state != "abandoned" {
            // Pick documents so that the gate holds: earlier stages approved,
            // the current one present (and approved too when done).
            let upto = if state == "done" { k + 1 } else { k };
            let mut ok = true;
            'stages: for (i, s) in stages[..=k].iter().enumerate() {
                let (_, requires, need_prs) = stage_def(s);
                if *need_prs > 0 {
                    prs = vec![pr];
                }
                for req in *requires {
                    let pools: Vec<&Vec<usize>> = req
                        .split('|')
                        .map(type_index)
                        .map(|t| if i < upto { &approved[t] } else { &all[t] })
                        .filter(|v| !v.is_empty())
                        .collect();
                    if pools.is_empty() {
                        ok = false;
                        break 'stages;
                    }
                    let pool = rng.pick(&pools);
                    members.insert(*rng.pick(pool.as_slice()));
                }
            }
            if !ok {
                state = "abandoned";
                members.clear();
            }
        }
        if state == "abandoned" {
            for _ in 0..rng.range(1, 6) {
                members.insert(rng.below(plans.len()));
            }
            if rng.percent(20) {
                prs = vec![pr];
            }
        }
        for _ in 0..rng.below(3) {
            members.insert(rng.below(plans.len()));
        }
        for &m in &members {
            plans[m].issues.push(number);
            if !prs.is_empty() && rng.percent(20) && !plans[m].prs.contains(&pr) {
                plans[m].prs.push(pr);
            }
        }
        let title = format!(
            "{} {} to {} for {}",
            rng.pick(VERBS),
            rng.pick(THINGS),
            rng.pick(FORMATS),
            rng.pick(AREA)
        );
        let release = (stages[k] == "release" || stages[k] == "postdeploy" || rng.percent(10))
            .then(|| format!("v{}.{}.0", rng.range(1, 4), rng.below(20)));
        let notes = match rng.below(10) {
            0 => Some("Waiting on the vendor's sandbox; see the risks document.".to_string()),
            1 => Some("|\n  Split from a larger epic.\n  Owner changed in Q3.".to_string()),
            _ => None,
        };
        issues.push(Issue {
            number,
            title,
            profile,
            write_profile: profile != 0 || rng.percent(70),
            stage: stages[k],
            state,
            prs,
            release,
            notes,
            members,
        });
    }
    issues
}

// ---------------------------------------------------------------------------
// Writing

fn issue_ref(n: u64, rng: &mut Rng) -> String {
    match rng.below(10) {
        0..6 => n.to_string(),
        6 | 7 => format!("\"#{n}\""),
        8 => format!("\"{REPOSITORY}#{n}\""),
        _ => format!("\"https://github.com/{REPOSITORY}/issues/{n}\""),
    }
}

fn yaml_list(out: &mut String, key: &str, items: &[String], rng: &mut Rng) {
    if items.is_empty() {
        return;
    }
    if rng.percent(50) {
        let _ = writeln!(out, "{key}: [{}]", items.join(", "));
    } else {
        let _ = writeln!(out, "{key}:");
        for it in items {
            let _ = writeln!(out, "  - {it}");
        }
    }
}

fn roles_list(ty: &TypeDef, rng: &mut Rng) -> Vec<String> {
    let mut roles = vec![rng.pick(ty.roles).to_string()];
    if rng.percent(60) {
        let r = ["em", "sa", "qa", "owner"][rng.below(4)].to_string();
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    roles
}

fn front_matter(p: &Plan, plans: &[Plan], rng: &mut Rng) -> String {
    let ty = &TYPES[p.ty];
    let mut out = String::with_capacity(1024);
    out.push_str("---\n");
    let _ = writeln!(out, "doc_id: {}", p.id);
    let _ = writeln!(out, "type: {}", ty.name);
    if p.title.chars().all(|c| c.is_alphanumeric() || c == ' ') && rng.percent(50) {
        let _ = writeln!(out, "title: {}", p.title);
    } else {
        let _ = writeln!(out, "title: \"{}\"", p.title);
    }
    let _ = writeln!(out, "status: {}", p.status);
    let role = rng.pick(ty.roles);
    if rng.percent(5) {
        let _ = writeln!(out, "owner_role: {}", role.to_ascii_uppercase());
    } else {
        let _ = writeln!(out, "owner_role: {role}");
    }
    let _ = writeln!(out, "created_at: {}", date(p.created));
    let _ = writeln!(out, "updated_at: {}", date(p.updated));
    let issues: Vec<String> = p.issues.iter().map(|&n| issue_ref(n, rng)).collect();
    yaml_list(&mut out, "related_issues", &issues, rng);
    let prs: Vec<String> = p.prs.iter().map(u64::to_string).collect();
    yaml_list(&mut out, "related_prs", &prs, rng);
    let related: Vec<String> = p.related.iter().map(|&j| plans[j].id.clone()).collect();
    yaml_list(&mut out, "related_docs", &related, rng);
    if let Some(old) = p.supersedes {
        if rng.percent(30) {
            let _ = writeln!(out, "supersedes: [{}]", plans[old].id);
        } else {
            let _ = writeln!(out, "supersedes: {}", plans[old].id);
        }
    }
    if let Some(new) = p.superseded_by {
        let _ = writeln!(out, "superseded_by: {}", plans[new].id);
    }
    match p.approvals {
        Approvals::None => {}
        Approvals::Pending => {
            let _ = writeln!(
                out,
                "approvals:\n  required: [{}]\n  status: pending\n  request_id: \"{}\"",
                roles_list(ty, rng).join(", "),
                1000 + rng.below(9000)
            );
        }
        Approvals::Approved => {
            let by: Vec<&str> = (0..rng.range(1, 2)).map(|_| *rng.pick(PEOPLE)).collect();
            let at = p.created + rng.below((p.updated - p.created + 1) as usize) as i64;
            let _ = writeln!(
                out,
                "approvals:\n  required: [{}]\n  status: approved\n  approved_by: [{}]\n  approved_at: {}",
                roles_list(ty, rng).join(", "),
                by.join(", "),
                date(at)
            );
        }
    }
    if ty.name == "release-notes" || (ty.kind == Kind::Release && rng.percent(30)) {
        let commit: String = (0..12)
            .map(|_| b"0123456789abcdef"[rng.below(16)] as char)
            .collect();
        let _ = writeln!(
            out,
            "release:\n  version: v{}.{}.{}\n  date: {}\n  commit: \"{commit}\"\n  environment: production",
            rng.range(1, 4),
            rng.below(20),
            rng.below(5),
            date(p.updated)
        );
    }
    let mut tags: Vec<String> = Vec::new();
    for _ in 0..rng.range(1, 4) {
        let t = rng.pick(TAGS).to_string();
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    yaml_list(&mut out, "tags", &tags, rng);
    if rng.percent(30) {
        let _ = writeln!(out, "component: {}", rng.pick(COMPONENTS));
    }
    if ty.name == "postdeploy-review" && rng.percent(50) {
        out.push_str("incident: false\n");
    }
    out.push_str("---\n");
    out
}

/// Words of prose wrapped at 90 columns; `extra` tokens (links, code) are never split.
fn paragraph(out: &mut String, rng: &mut Rng, extra: Vec<String>) {
    let russian = rng.percent(10);
    let mut tokens: Vec<String> = Vec::new();
    for _ in 0..rng.range(2, 4) {
        let words = rng.range(6, 16);
        for w in 0..words {
            let mut word = if russian || rng.percent(6) {
                rng.pick(RU).to_string()
            } else {
                rng.pick(EN).to_string()
            };
            if rng.percent(3) {
                word = format!("`{}`", rng.pick(CODE_WORDS));
            } else if rng.percent(2) {
                word = format!("**{word}**");
            }
            if w == 0 {
                word = capitalize_word(&word);
            }
            if w + 1 == words {
                word.push('.');
            } else if rng.percent(6) {
                word.push(',');
            }
            tokens.push(word);
        }
    }
    for e in extra {
        let at = rng.below(tokens.len() + 1);
        tokens.insert(at, e);
    }
    let mut col = 0;
    for t in tokens {
        if col > 0 && col + 1 + t.chars().count() > 90 {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(&t);
        col += t.chars().count();
    }
    out.push_str("\n\n");
}

fn capitalize_word(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) if f.is_alphabetic() => f.to_uppercase().chain(c).collect(),
        _ => w.to_string(),
    }
}

fn sentence(rng: &mut Rng, lo: usize, hi: usize) -> String {
    let words = rng.range(lo, hi);
    let mut s: Vec<&str> = (0..words).map(|_| *rng.pick(EN)).collect();
    let first = capitalize_word(s[0]);
    s[0] = &first;
    s.join(" ")
}

/// A markdown link from document `from` to document `to`, sometimes to an anchor.
fn link(from: &Plan, to: &Plan, rng: &mut Rng, with_title: bool) -> String {
    let mut dest = if rng.percent(5) {
        format!("/{}", to.path)
    } else {
        let rel = relative(&from.path, &to.path);
        if !rel.starts_with("../") && rng.percent(50) {
            format!("./{rel}")
        } else {
            rel
        }
    };
    if rng.percent(40) {
        let anchor = rng.pick(&to.anchors);
        if !anchor.is_ascii() && rng.percent(30) {
            dest.push('#');
            dest.push_str(&percent_encode(anchor));
        } else {
            dest.push('#');
            dest.push_str(anchor);
        }
    }
    if with_title {
        format!("[{} {}]({dest})", to.id, to.title)
    } else {
        format!("[{}]({dest})", to.id)
    }
}

const SNIPPETS: &[(&str, &str)] = &[
    (
        "sql",
        "CREATE TABLE ledger_entries (\n  id BIGSERIAL PRIMARY KEY,\n  account_id BIGINT NOT NULL,\n  amount_cents BIGINT NOT NULL,\n  created_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\nCREATE INDEX ON ledger_entries (account_id, created_at);",
    ),
    (
        "bash",
        "# build and run the export job\ncargo build --release\n./target/release/export --since 2024-01-01 > users.csv\n# check the result\nwc -l users.csv",
    ),
    (
        "markdown",
        "## Not a heading: this is inside a fence\nSee [the template](missing-template.md) for details.\n- [ ] fill in the [owner](../nowhere.md)",
    ),
    (
        "yaml",
        "retry:\n  attempts: 3\n  backoff: 250ms\n  jitter: true\nlimits:\n  max_batch_size: 500",
    ),
    (
        "rust",
        "fn handle(req: Request) -> Result<Response, Error> {\n    let user = repo.find(req.user_id)?;\n    let rows = export::csv(&user, &req.filter)?;\n    Ok(Response::ok(rows))\n}",
    ),
    (
        "json",
        "{\n  \"event\": \"user.exported\",\n  \"count\": 1200,\n  \"format\": \"csv\",\n  \"links\": [\"[x](y.md)\"]\n}",
    ),
    (
        "text",
        "GET /v1/exports/42 HTTP/1.1\nHost: api.example.com\nX-Request-Id: 7f3c",
    ),
];

fn block(out: &mut String, rng: &mut Rng, link_to: Option<String>) {
    match rng.below(6) {
        0 => {
            for _ in 0..rng.range(3, 6) {
                let _ = writeln!(out, "- {}.", sentence(rng, 4, 12));
            }
            if let Some(l) = link_to {
                let _ = writeln!(out, "- See {l}.");
            }
        }
        1 => {
            for i in 1..=rng.range(3, 6) {
                let _ = writeln!(out, "{i}. {}.", sentence(rng, 4, 12));
            }
        }
        2 => {
            for _ in 0..rng.range(3, 5) {
                let done = if rng.percent(50) { "x" } else { " " };
                let _ = writeln!(out, "- [{done}] {}", sentence(rng, 3, 8));
            }
        }
        3 => {
            let (lang, code) = rng.pick(SNIPPETS);
            let fence = if rng.percent(20) { "~~~" } else { "```" };
            let _ = writeln!(out, "{fence}{lang}\n{code}\n{fence}");
        }
        4 => {
            out.push_str("| Item | Owner | Status | Notes |\n|------|-------|--------|-------|\n");
            for r in 0..rng.range(3, 6) {
                let notes = match (&link_to, r) {
                    (Some(l), 0) => l.clone(),
                    _ => sentence(rng, 3, 7),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    sentence(rng, 2, 2),
                    rng.pick(&["pm", "owner", "sre", "em", "qa"]),
                    ["done", "open", "blocked"][rng.below(3)],
                    notes
                );
            }
        }
        _ => {
            let _ = writeln!(
                out,
                "> **Note:** {}. {}.",
                sentence(rng, 6, 14),
                sentence(rng, 4, 10)
            );
        }
    }
    out.push('\n');
}

/// A paragraph of prose, sometimes with a link to a random document.
fn prose(out: &mut String, p: &Plan, plans: &[Plan], rng: &mut Rng) {
    let mut extra = Vec::new();
    if rng.percent(35) {
        extra.push(link(p, &plans[rng.below(plans.len())], rng, false));
    }
    if rng.percent(3) {
        extra.push("`[not a link](nope.md)`".to_string());
    }
    paragraph(out, rng, extra);
}

fn body(p: &Plan, plans: &[Plan], target: usize, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(target + 1024);
    let _ = writeln!(out, "# {}\n", p.title);
    let mut extra = Vec::new();
    if let Some(&n) = p.issues.first()
        && rng.percent(30)
    {
        let ds = format!("docs/_docset/issues/issue-{n}.yaml");
        extra.push(format!("[issue #{n}]({})", relative(&p.path, &ds)));
    }
    paragraph(&mut out, rng, extra);
    let total = plans.len();
    let sections = p.sections.len() - 1;
    let budget = target.saturating_sub(out.len() + 250) / sections.max(1);
    for (h, sub) in &p.sections[..sections] {
        let start = out.len();
        let _ = writeln!(out, "## {h}\n");
        // Prose up to half the budget, a block, the sub-section, prose up to the budget
        // (stopping about half a paragraph early, so sizes average out on target).
        loop {
            prose(&mut out, p, plans, rng);
            if out.len() - start >= budget / 2 {
                break;
            }
        }
        if rng.percent(75) {
            let l = rng
                .percent(30)
                .then(|| link(p, &plans[rng.below(total)], rng, false));
            block(&mut out, rng, l);
        }
        if let Some(s) = sub {
            let _ = writeln!(out, "### {s}\n");
            prose(&mut out, p, plans, rng);
        }
        while out.len() - start + 150 < budget {
            prose(&mut out, p, plans, rng);
        }
        if rng.percent(3) {
            out.push_str(
                "<!-- TODO: revisit [the old plan](old-plan.md)\n     after the review -->\n\n",
            );
        }
    }
    let _ = writeln!(out, "## {RELATED_SECTION}\n");
    let mut refs: Vec<usize> = p.related.clone();
    refs.extend(p.supersedes);
    refs.extend(p.superseded_by);
    if refs.is_empty() {
        out.push_str("None yet.\n");
    }
    for j in refs {
        let _ = writeln!(out, "- {}", link(p, &plans[j], rng, true));
    }
    if rng.percent(10) {
        let _ = writeln!(
            out,
            "\n[spec]: {}",
            relative(&p.path, &plans[rng.below(total)].path)
        );
    }
    out
}

fn write_docset(is: &Issue, plans: &[Plan]) -> String {
    let mut out = String::with_capacity(512 + 120 * is.members.len());
    let _ = writeln!(out, "issue: {}", is.number);
    let _ = writeln!(out, "title: \"{}\"", is.title);
    if is.write_profile {
        let _ = writeln!(out, "profile: {}", PROFILES[is.profile].0);
    }
    let _ = writeln!(out, "stage: {}", is.stage);
    let _ = writeln!(out, "state: {}", is.state);
    if !is.prs.is_empty() {
        let prs: Vec<String> = is.prs.iter().map(u64::to_string).collect();
        let _ = writeln!(out, "prs: [{}]", prs.join(", "));
    }
    if let Some(r) = &is.release {
        let _ = writeln!(out, "release: {r}");
    }
    let mut docs: Vec<usize> = is.members.iter().copied().collect();
    docs.sort_by(|&a, &b| {
        (stage_rank(plans[a].ty), &plans[a].id).cmp(&(stage_rank(plans[b].ty), &plans[b].id))
    });
    if docs.is_empty() {
        out.push_str("docs: []\n");
    } else {
        out.push_str("docs:\n");
    }
    for d in docs {
        let p = &plans[d];
        let _ = writeln!(
            out,
            "  - {{doc_id: {}, path: {}, type: {}, status: {}}}",
            p.id, p.path, TYPES[p.ty].name, p.status
        );
    }
    if let Some(n) = &is.notes {
        let _ = writeln!(out, "notes: {n}");
    }
    out
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        "adr.md",
        "---\ndoc_id: ADR-XXXX\ntype: adr\ntitle: \"<decision>\"\nstatus: proposed|accepted|rejected\nowner_role: sa\ncreated_at: YYYY-MM-DD\n---\n# <decision>\n\n## Context\n\n## Decision\n\n## Consequences\n",
    ),
    (
        "prd.md",
        "---\ndoc_id: PRD-XXXX\ntype: prd\ntitle: \"{{title}}\"\nstatus: draft\nowner_role: pm\ncreated_at: YYYY-MM-DD\n---\n# {{title}}\n\n## Problem\n\n## Requirements\n",
    ),
    (
        "runbook.md",
        "---\ndoc_id: RB-XXXX\ntype: runbook\ntitle: TBD\nstatus: draft\nowner_role: sre\ncreated_at: YYYY-MM-DD\n---\n# TBD\n\n## Symptoms\n\n## Steps\n",
    ),
];

/// Write the corpus for `params` into `root` (which must not exist or be empty).
pub fn generate(params: &Params, root: &Path) -> io::Result<()> {
    let mut plans = plan_docs(params);
    let issues = plan_issues(params, &mut plans);

    fs::create_dir_all(root)?;
    fs::write(
        root.join("genie.toml"),
        format!(
            "# A synthetic repository written by genie's benchmark harness (benches/corpus.rs).\nrepository = \"{REPOSITORY}\"\n"
        ),
    )?;
    let mut dirs: BTreeSet<&str> = TYPES.iter().map(|t| t.dir).collect();
    dirs.insert("docs/templates");
    dirs.insert("docs/_docset/issues");
    for d in dirs {
        fs::create_dir_all(root.join(d))?;
    }
    for (name, text) in TEMPLATES {
        fs::write(root.join("docs/templates").join(name), text)?;
    }
    let mut size_rng = Rng::derive(SEED, 0x5123);
    for p in &plans {
        let mut rng = Rng::derive(p.seed, 2);
        let fm = front_matter(p, &plans, &mut rng);
        // Sizes vary ±30% around the average.
        let want = params.doc_bytes * size_rng.range(70, 130) / 100;
        // The body overshoots its target by about a fifth (whole paragraphs and
        // blocks); aim under it so that documents average `doc_bytes`.
        let target = want.saturating_sub(fm.len()) * 81 / 100;
        let text = fm + &body(p, &plans, target, &mut rng);
        fs::write(root.join(&p.path), text)?;
    }
    for is in &issues {
        fs::write(
            root.join(format!("docs/_docset/issues/issue-{}.yaml", is.number)),
            write_docset(is, &plans),
        )?;
    }
    Ok(())
}
