//! The secret scanner behind the `secret` rule (G0701): what `genie policy check
//! --staged` and the pre-commit hook run over the lines a commit adds.
//!
//! # How a line is scanned
//! 1. One pass of an Aho-Corasick automaton over the line looks for the literal
//!    keywords of every detector (`AKIA`, `ghp_`, `-----BEGIN`, `xoxb-`, `eyJ`, …,
//!    ASCII case-insensitively). Most lines hit none and cost nothing more.
//! 2. The regular expression of each detector whose keyword hit runs once over the
//!    line (the `regex` crate: linear time, so a 40,000-character line is fine).
//! 3. A candidate is dropped when it looks like a placeholder: its random part has
//!    too little Shannon entropy (`AKIAXXXXXXXXXXXXXXXX`), a run of six equal or six
//!    ascending characters (`T00000000`, `123456`), or it contains `EXAMPLE` (the
//!    keys of AWS's documentation). JWTs must have a header that decodes to JSON
//!    with an `alg`, and the jwt.io example token is known.
//! 4. What survives is checked against the allowlist (fingerprints and regular
//!    expressions) and reported at its line and 1-based character column.
//!
//! # Secrets over more than one line
//! * A private key block is reported once, at its `-----BEGIN … PRIVATE KEY-----`
//!   line, and only when a body follows it (40 or more base64 characters with the
//!   entropy of real key material): on the same line (`"-----BEGIN PRIVATE KEY-----\nMII…"`
//!   in a JSON service-account file) or on the added lines after it. A BEGIN line on
//!   its own (prose, or code that looks for keys) is not a secret. The body lines are
//!   not scanned again.
//! * A token wrapped with a trailing backslash, or split into adjacent quoted pieces
//!   (`"ghp_abc" + "def"`, `"ghp_abc"` ⏎ `"def"`, Python's implicit concatenation),
//!   is found by scanning the joined text of such a chain of consecutive added lines
//!   (starting at a line where a keyword hit). Only secrets that cross a join are
//!   reported from that pass, and not where a piece was already reported alone. The
//!   keyword itself must not be split (`"gh" "p_…"` is not found).
//!
//! # Suppression
//! A line holding `policy.secret_allow_marker` is skipped. The allowlist file
//! (`policy.secrets_allowlist`, relative to the root) holds, one a line: blank
//! lines and `#` comments; `fingerprint:HEX` or a bare 16-digit hex fingerprint
//! (as printed in each finding's help, see [`fingerprint`]); `regex:PATTERN`
//! (a secret in which the pattern finds a match is allowed); `path:GLOB` (files not
//! scanned, like `policy.secrets_exclude`).

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::{Regex, RegexSet};

use crate::check::Sink;
use crate::check::rules::SECRET;
use crate::config::{ConfigError, PolicyConfig};

/// Extra checks a detector makes on a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Entropy and placeholder checks only.
    Plain,
    /// A JSON Web Token: the header must decode to JSON naming an `alg`.
    Jwt,
}

/// One kind of secret, as written in the source.
struct Spec {
    /// Literal keywords of the prefilter (matched ASCII case-insensitively).
    keywords: &'static [&'static str],
    /// The pattern: group `s` is the secret, group `r` its random part.
    pattern: &'static str,
    /// `(prefix, kind)`: the kind of the first prefix the secret starts with.
    kinds: &'static [(&'static str, &'static str)],
    /// Least Shannon entropy (bits per character) of the random part.
    min_entropy: f64,
    check: Check,
}

const SPECS: &[Spec] = &[
    Spec {
        keywords: &["AKIA", "ASIA", "ABIA", "ACCA"],
        pattern: r"(?-u:\b)(?P<s>(?:AKIA|ASIA|ABIA|ACCA)(?P<r>[A-Z0-9]{16}))(?-u:\b)",
        kinds: &[
            ("ASIA", "AWS temporary access key id"),
            ("", "AWS access key id"),
        ],
        min_entropy: 2.75,
        check: Check::Plain,
    },
    Spec {
        keywords: &[
            "secret_access_key",
            "secret-access-key",
            "secret.access.key",
            "secretaccesskey",
            "aws_secret",
            "aws-secret",
            "aws.secret",
            "awssecret",
        ],
        pattern: r#"(?i:aws[_.-]?secret[_.-]?(?:access[_.-]?)?key|secret[_.-]?access[_.-]?key)[A-Za-z0-9_.-]*["']?(?:[ \t]*(?:=|:=|:|=>|,)[ \t]*|[ \t]+)["']?(?P<s>(?P<r>[A-Za-z0-9/+]{40}))(?:[^A-Za-z0-9/+=]|$)"#,
        kinds: &[("", "AWS secret access key")],
        // Above what 40 hexadecimal digits (a git hash) can reach.
        min_entropy: 4.1,
        check: Check::Plain,
    },
    Spec {
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        pattern: r"(?-u:\b)(?P<s>gh[pousr]_(?P<r>[A-Za-z0-9]{36,251}))(?-u:\b)",
        kinds: &[
            ("ghp_", "GitHub personal access token"),
            ("gho_", "GitHub OAuth access token"),
            ("ghu_", "GitHub user-to-server token"),
            ("ghs_", "GitHub server-to-server token"),
            ("ghr_", "GitHub refresh token"),
        ],
        min_entropy: 3.0,
        check: Check::Plain,
    },
    Spec {
        keywords: &["github_pat_"],
        pattern: r"(?-u:\b)(?P<s>github_pat_(?P<r>[A-Za-z0-9]{20,30}_[A-Za-z0-9]{40,100}))(?-u:\b)",
        kinds: &[("", "GitHub fine-grained personal access token")],
        min_entropy: 3.5,
        check: Check::Plain,
    },
    Spec {
        keywords: &["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"],
        pattern: r"(?-u:\b)(?P<s>xox[abprs]-(?P<r>[0-9]{1,16}-[0-9A-Za-z-]{10,250}))(?:[^0-9A-Za-z-]|$)",
        kinds: &[
            ("xoxb-", "Slack bot token"),
            ("xoxp-", "Slack user token"),
            ("xoxa-", "Slack workspace token"),
            ("xoxr-", "Slack refresh token"),
            ("xoxs-", "Slack session token"),
        ],
        min_entropy: 3.0,
        check: Check::Plain,
    },
    Spec {
        keywords: &["xapp-"],
        pattern: r"(?-u:\b)(?P<s>xapp-(?P<r>[0-9]{1,3}-[A-Z0-9]{8,16}-[0-9]{6,20}-[0-9A-Za-z]{20,100}))(?-u:\b)",
        kinds: &[("", "Slack app-level token")],
        min_entropy: 3.0,
        check: Check::Plain,
    },
    Spec {
        keywords: &["hooks.slack.com"],
        pattern: r"(?P<s>(?:https?://)?hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]{6,16}/[AB][A-Z0-9]{6,16}/(?P<r>[0-9A-Za-z]{16,64}))(?-u:\b)",
        kinds: &[("", "Slack webhook URL")],
        min_entropy: 3.0,
        check: Check::Plain,
    },
    Spec {
        keywords: &["sk_live_", "rk_live_"],
        pattern: r"(?-u:\b)(?P<s>[sr]k_live_(?P<r>[0-9A-Za-z]{20,247}))(?-u:\b)",
        kinds: &[
            ("sk_", "Stripe live secret key"),
            ("rk_", "Stripe live restricted key"),
        ],
        min_entropy: 3.0,
        check: Check::Plain,
    },
    Spec {
        keywords: &["AIza"],
        pattern: r"(?-u:\b)(?P<s>AIza(?P<r>[0-9A-Za-z_-]{35}))(?:[^0-9A-Za-z_-]|$)",
        kinds: &[("", "Google API key")],
        min_entropy: 3.0,
        check: Check::Plain,
    },
    Spec {
        keywords: &["npm_"],
        pattern: r"(?-u:\b)(?P<s>npm_(?P<r>[A-Za-z0-9]{36}))(?-u:\b)",
        kinds: &[("", "npm access token")],
        min_entropy: 3.0,
        check: Check::Plain,
    },
    Spec {
        keywords: &["sk-proj-", "sk-svcacct-", "sk-admin-"],
        pattern: r"(?-u:\b)(?P<s>sk-(?:proj|svcacct|admin)-(?P<r>[A-Za-z0-9_-]{40,300}))(?:[^A-Za-z0-9_-]|$)",
        kinds: &[
            ("sk-proj-", "OpenAI project API key"),
            ("sk-svcacct-", "OpenAI service account key"),
            ("sk-admin-", "OpenAI admin key"),
        ],
        min_entropy: 3.5,
        check: Check::Plain,
    },
    Spec {
        keywords: &["T3BlbkFJ"],
        pattern: r"(?-u:\b)(?P<s>sk-(?P<r>[A-Za-z0-9]{8,100}T3BlbkFJ[A-Za-z0-9]{8,100}))(?-u:\b)",
        kinds: &[("", "OpenAI API key")],
        min_entropy: 3.5,
        check: Check::Plain,
    },
    Spec {
        keywords: &["sk-ant-"],
        pattern: r"(?-u:\b)(?P<s>sk-ant-(?:api|admin)[0-9]{2}-(?P<r>[A-Za-z0-9_-]{32,300}))(?:[^A-Za-z0-9_-]|$)",
        kinds: &[
            ("sk-ant-admin", "Anthropic admin key"),
            ("", "Anthropic API key"),
        ],
        min_entropy: 3.5,
        check: Check::Plain,
    },
    Spec {
        keywords: &["eyJ"],
        pattern: r"(?-u:\b)(?P<s>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.(?P<r>[A-Za-z0-9_-]{16,}))(?:[^A-Za-z0-9_.-]|$)",
        kinds: &[("", "JSON Web Token")],
        min_entropy: 3.0,
        check: Check::Jwt,
    },
];

/// Keyword of private key blocks (handled apart from the one-line detectors).
const KEY_KEYWORD: &str = "-----BEGIN";
const KEY_BEGIN: &str =
    r"-----BEGIN (?P<t>(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----";

/// Signatures of tokens printed in public documentation (jwt.io's example).
const KNOWN_EXAMPLES: &[&str] = &["SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"];

/// Prefixes that carry no secret and may be shown by [`redact`].
const PUBLIC_PREFIXES: &[&str] = &[
    "AKIA",
    "ASIA",
    "ABIA",
    "ACCA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xoxs-",
    "xapp-",
    "https://hooks.slack.com/services/",
    "https://hooks.slack.com/workflows/",
    "hooks.slack.com/services/",
    "hooks.slack.com/workflows/",
    "sk_live_",
    "rk_live_",
    "AIza",
    "npm_",
    "sk-proj-",
    "sk-svcacct-",
    "sk-admin-",
    "sk-ant-api03-",
    "sk-ant-admin01-",
    "eyJ",
];

/// A detector; its regular expression is compiled the first time a keyword of it
/// hits, so that a commit pays only for the detectors its lines wake.
struct Detector {
    pattern: &'static str,
    re: OnceLock<Option<Regex>>,
    kinds: &'static [(&'static str, &'static str)],
    min_entropy: f64,
    check: Check,
}

/// The compiled rule set, allowlist and exclusions. Cheap to share between threads.
pub struct Scanner {
    prefilter: AhoCorasick,
    /// Bit of the detector (or of private keys) of each prefilter pattern.
    keyword_bits: Vec<u32>,
    detectors: Vec<Detector>,
    key_begin: OnceLock<Option<Regex>>,
    marker: Option<String>,
    fingerprints: HashSet<u64>,
    allow_patterns: RegexSet,
    excludes: GlobSet,
    /// The allowlist file as configured, for the help line.
    allowlist: String,
}

/// A secret found in the added lines of one file.
struct Found {
    /// Index into the lines.
    idx: usize,
    /// Byte offset of the secret in its line, and of its end (on that line).
    start: usize,
    end: usize,
    secret: String,
    kind: &'static str,
    /// Number of lines the secret was split over (1 when it was not).
    lines: usize,
}

impl Scanner {
    /// Compile the rule set and read the allowlist file (`root.join(policy.secrets_allowlist)`)
    /// if it exists. A malformed allowlist line (bad regex, bad glob, unknown form) is a
    /// [`ConfigError`] naming the file and line; so is a bad `secrets_exclude` glob.
    pub fn new(policy: &PolicyConfig, root: &Path) -> Result<Scanner, ConfigError> {
        let bad = |message: String| ConfigError {
            path: None,
            line: None,
            message,
        };
        let key_bit = SPECS.len();
        let mut keywords = Vec::new();
        let mut keyword_bits = Vec::new();
        for (i, spec) in SPECS.iter().enumerate() {
            for k in spec.keywords {
                keywords.push(*k);
                keyword_bits.push(1u32 << i);
            }
        }
        keywords.push(KEY_KEYWORD);
        keyword_bits.push(1u32 << key_bit);
        let prefilter = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&keywords)
            .map_err(|e| bad(format!("secret keywords: {e}")))?;
        let detectors = SPECS
            .iter()
            .map(|spec| Detector {
                pattern: spec.pattern,
                re: OnceLock::new(),
                kinds: spec.kinds,
                min_entropy: spec.min_entropy,
                check: spec.check,
            })
            .collect();

        let mut globs = GlobSetBuilder::new();
        for g in &policy.secrets_exclude {
            globs.add(Glob::new(g).map_err(|e| bad(format!("policy.secrets_exclude: {e}")))?);
        }
        let mut fingerprints = HashSet::new();
        let mut patterns = Vec::new();
        if !policy.secrets_allowlist.trim().is_empty() {
            let file = root.join(&policy.secrets_allowlist);
            let at = |line: usize, message: String| ConfigError {
                path: Some(file.clone()),
                line: Some(line),
                message,
            };
            let text = match std::fs::read(&file) {
                Ok(bytes) => String::from_utf8(bytes)
                    .map_err(|_| at(1, "the secrets allowlist is not UTF-8".to_string()))?,
                Err(e)
                    if e.kind() == std::io::ErrorKind::NotFound
                        || e.kind() == std::io::ErrorKind::NotADirectory =>
                {
                    String::new()
                }
                Err(e) => {
                    return Err(ConfigError {
                        path: Some(file.clone()),
                        line: None,
                        message: format!("cannot read the secrets allowlist: {e}"),
                    });
                }
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            for (n, raw) in text.lines().enumerate() {
                let n = n + 1;
                let entry = raw.trim();
                if entry.is_empty() || entry.starts_with('#') {
                    continue;
                }
                if let Some(hex) = entry.strip_prefix("fingerprint:") {
                    let fp = parse_fingerprint(hex.trim()).ok_or_else(|| {
                        at(
                            n,
                            format!(
                                "`{entry}`: a fingerprint is 16 hexadecimal digits, as genie prints it"
                            ),
                        )
                    })?;
                    fingerprints.insert(fp);
                } else if let Some(pattern) = entry.strip_prefix("regex:") {
                    let pattern = pattern.trim();
                    if pattern.is_empty() {
                        return Err(at(n, "`regex:` needs a pattern".to_string()));
                    }
                    Regex::new(pattern).map_err(|e| {
                        at(
                            n,
                            format!("bad regular expression `{pattern}`: {}", one_line(&e)),
                        )
                    })?;
                    patterns.push(pattern.to_string());
                } else if let Some(glob) = entry.strip_prefix("path:") {
                    let glob = glob.trim();
                    if glob.is_empty() {
                        return Err(at(n, "`path:` needs a glob".to_string()));
                    }
                    globs.add(
                        Glob::new(glob).map_err(|e| at(n, format!("bad glob `{glob}`: {e}")))?,
                    );
                } else if let Some(fp) = parse_fingerprint(entry) {
                    fingerprints.insert(fp);
                } else {
                    return Err(at(
                        n,
                        format!(
                            "`{entry}` is not an allowlist entry: write `fingerprint:HEX`, `regex:PATTERN` or `path:GLOB`"
                        ),
                    ));
                }
            }
        }
        let allow_patterns = RegexSet::new(&patterns).map_err(|e| ConfigError {
            path: Some(root.join(&policy.secrets_allowlist)),
            line: None,
            message: format!("the allowlist patterns: {}", one_line(&e)),
        })?;
        let excludes = globs
            .build()
            .map_err(|e| bad(format!("secret exclusions: {e}")))?;
        let marker = Some(policy.secret_allow_marker.clone()).filter(|m| !m.is_empty());
        Ok(Scanner {
            prefilter,
            keyword_bits,
            detectors,
            key_begin: OnceLock::new(),
            marker,
            fingerprints,
            allow_patterns,
            excludes,
            allowlist: policy.secrets_allowlist.clone(),
        })
    }

    /// Whether `path` (repository-relative, `/`) is excluded from scanning
    /// (`secrets_exclude` globs or a `path:GLOB` allowlist line).
    pub fn excluded(&self, path: &str) -> bool {
        let path = path.strip_prefix("./").unwrap_or(path);
        self.excludes.is_match(path)
    }

    /// Scan the added lines of one file: (1-based line number in the new file, line text
    /// without the newline), in order. Findings go to `sink` as SECRET diagnostics at the
    /// exact line and 1-based column (in characters) of the secret. An excluded `path`
    /// is not scanned.
    pub fn scan(&self, path: &str, lines: &[(u32, &str)], sink: &mut Sink) {
        if lines.is_empty() || !sink.enabled(SECRET) || self.excluded(path) {
            return;
        }
        let key_bit = 1u32 << SPECS.len();
        let mut hits = vec![0u32; lines.len()];
        let mut consumed = vec![false; lines.len()];
        let mut found: Vec<Found> = Vec::new();
        for idx in 0..lines.len() {
            if consumed[idx] {
                continue;
            }
            let text = lines[idx].1;
            let mask = self.keywords(text);
            hits[idx] = mask;
            if mask == 0 || self.marked(text) {
                continue;
            }
            if mask & key_bit != 0 {
                self.key_blocks(lines, idx, &mut consumed, &mut found);
            }
            self.detect(text, mask & !key_bit, |start, end, secret, kind| {
                found.push(Found {
                    idx,
                    start,
                    end,
                    secret: secret.to_string(),
                    kind,
                    lines: 1,
                });
            });
        }
        found.sort_by_key(|f| (f.idx, f.start));
        self.joined(lines, &hits, &consumed, &mut found);
        found.sort_by_key(|f| (f.idx, f.start));
        found.dedup_by_key(|f| (f.idx, f.start));
        self.emit(path, lines, &found, sink);
    }

    /// Prefilter: the bits of the detectors whose keywords occur in `text`.
    fn keywords(&self, text: &str) -> u32 {
        let mut mask = 0;
        for m in self.prefilter.find_overlapping_iter(text) {
            mask |= self.keyword_bits[m.pattern().as_usize()];
        }
        mask
    }

    fn marked(&self, text: &str) -> bool {
        self.marker.as_deref().is_some_and(|m| text.contains(m))
    }

    fn allowed(&self, secret: &str) -> bool {
        self.fingerprints.contains(&fnv1a(secret.as_bytes()))
            || self.allow_patterns.is_match(secret)
    }

    /// Run the detectors of `mask` over `text`; `out(start, end, secret, kind)` for
    /// every plausible secret not on the allowlist.
    fn detect(&self, text: &str, mask: u32, mut out: impl FnMut(usize, usize, &str, &'static str)) {
        for (i, det) in self.detectors.iter().enumerate() {
            if mask & (1 << i) == 0 {
                continue;
            }
            let Some(re) = compiled(&det.re, det.pattern) else {
                continue;
            };
            for caps in re.captures_iter(text) {
                let (Some(s), Some(r)) = (caps.name("s"), caps.name("r")) else {
                    continue;
                };
                if !plausible(det, s.as_str(), r.as_str()) || self.allowed(s.as_str()) {
                    continue;
                }
                let kind = det
                    .kinds
                    .iter()
                    .find(|(p, _)| s.as_str().starts_with(p))
                    .map_or("secret", |(_, k)| k);
                out(s.start(), s.end(), s.as_str(), kind);
            }
        }
    }

    /// Private key blocks that begin on line `idx`; their body lines are marked consumed.
    fn key_blocks(
        &self,
        lines: &[(u32, &str)],
        idx: usize,
        consumed: &mut [bool],
        found: &mut Vec<Found>,
    ) {
        let text = lines[idx].1;
        let Some(re) = compiled(&self.key_begin, KEY_BEGIN) else {
            return;
        };
        let begins: Vec<_> = re.captures_iter(text).collect();
        for (b, caps) in begins.iter().enumerate() {
            let (Some(m), t) = (caps.get(0), caps.name("t")) else {
                continue;
            };
            // The body on this line: up to an END marker or the next BEGIN.
            let limit = begins
                .get(b + 1)
                .and_then(|c| c.get(0))
                .map_or(text.len(), |n| n.start());
            let rest = &text[m.end()..limit];
            let (piece, closed) = match rest.find("-----END") {
                Some(e) => (&rest[..e], true),
                None => (rest, false),
            };
            // Prose after the marker (`-----BEGIN … KEY----- blocks must not be
            // committed`) is no key body.
            let Some(mut body) = body_piece(piece) else {
                continue;
            };
            // Only the last block of a line can go on over the next lines.
            let mut taken = idx + 1;
            if !closed && b + 1 == begins.len() {
                while taken < lines.len()
                    && !consumed[taken]
                    && lines[taken].0 == lines[taken - 1].0.wrapping_add(1)
                {
                    let next = lines[taken].1;
                    if let Some(e) = next.find("-----END") {
                        if let Some(p) = body_piece(&next[..e]) {
                            body.push_str(&p);
                        }
                        taken += 1;
                        break;
                    }
                    let Some(p) = body_piece(next) else {
                        break;
                    };
                    body.push_str(&p);
                    taken += 1;
                }
            }
            if body.len() < 40 || entropy(body.as_bytes()) < 4.0 {
                // No key material: the lines after are scanned as they are.
                continue;
            }
            // The body is not scanned again, allowed or not.
            for c in &mut consumed[idx + 1..taken] {
                *c = true;
            }
            if self.allowed(&body) {
                continue;
            }
            let kind = match t.map(|t| t.as_str().trim_end()) {
                Some("RSA") => "RSA private key",
                Some("EC") => "EC private key",
                Some("DSA") => "DSA private key",
                Some("OPENSSH") => "OpenSSH private key",
                Some("PGP") => "PGP private key block",
                Some("ENCRYPTED") => "encrypted private key",
                _ => "private key",
            };
            found.push(Found {
                idx,
                start: m.start(),
                end: m.end(),
                secret: body,
                kind,
                lines: 1,
            });
        }
    }

    /// Secrets split over joined pieces: chains of consecutive added lines that go on
    /// with a trailing backslash or a quoted piece, and lines with adjacent quoted
    /// pieces. Only secrets that cross a join and were not found whole are added.
    fn joined(
        &self,
        lines: &[(u32, &str)],
        hits: &[u32],
        consumed: &[bool],
        found: &mut Vec<Found>,
    ) {
        let key_bit = 1u32 << SPECS.len();
        // The findings so far, sorted by place, and how far each line's findings
        // reach up to each one: whether a piece was found whole is a binary search.
        let primary = found.len();
        let mut reach: Vec<usize> = Vec::with_capacity(primary);
        for (k, f) in found.iter().enumerate() {
            let before = match k.checked_sub(1) {
                Some(p) if found[p].idx == f.idx => reach[p],
                _ => 0,
            };
            reach.push(before.max(f.end));
        }
        let mut marks: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            if consumed[i] || hits[i] & !key_bit == 0 {
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < lines.len()
                && !consumed[j + 1]
                && lines[j + 1].0 == lines[j].0.wrapping_add(1)
                && continuation(lines[j].1).is_some_and(|c| resumes(lines[j + 1].1, c).is_some())
            {
                j += 1;
            }
            if j == i && !has_inline_glue(lines[i].1) {
                i += 1;
                continue;
            }
            // Marked lines of the chain, as prefix counts.
            marks.clear();
            marks.push(0);
            for (_, line) in &lines[i..=j] {
                let last = marks.last().copied().unwrap_or(0);
                marks.push(last + usize::from(self.marked(line)));
            }
            let (text, segs) = join(lines, i, j);
            let mask = self.keywords(&text) & !key_bit;
            let mut extra = Vec::new();
            self.detect(&text, mask, |start, end, secret, kind| {
                let a = seg_of(&segs, start);
                let b = seg_of(&segs, end - 1);
                if a == b {
                    return;
                }
                let (sa, sb) = (&segs[a], &segs[b]);
                let at = sa.byte + (start - sa.at);
                let first_end = sa.byte + sa.len;
                let p =
                    found[..primary].partition_point(|f| (f.idx, f.start) < (sa.idx, first_end));
                let whole = p > 0 && found[p - 1].idx == sa.idx && reach[p - 1] > at;
                let marked = marks[sb.idx - i + 1] > marks[sa.idx - i];
                if whole || marked {
                    return;
                }
                extra.push(Found {
                    idx: sa.idx,
                    start: at,
                    end: first_end,
                    secret: secret.to_string(),
                    kind,
                    lines: sb.idx - sa.idx + 1,
                });
            });
            found.extend(extra);
            i = j + 1;
        }
    }

    fn emit(&self, path: &str, lines: &[(u32, &str)], found: &[Found], sink: &mut Sink) {
        // Columns in characters, counted once per line however many findings it has.
        let mut cursor = (usize::MAX, 0usize, 0usize);
        for f in found {
            let text = lines[f.idx].1;
            if cursor.0 != f.idx || cursor.1 > f.start {
                cursor = (f.idx, 0, 0);
            }
            let chars = text.get(cursor.1..f.start).map_or(0, |s| s.chars().count());
            cursor = (f.idx, f.start, cursor.2 + chars);
            let col = u32::try_from(cursor.2 + 1).unwrap_or(u32::MAX);
            let split = if f.lines > 1 {
                format!(", split over {} lines", f.lines)
            } else {
                String::new()
            };
            let message = format!("{} `{}`{split}", f.kind, redact(&f.secret));
            let marker = match &self.marker {
                Some(m) => format!("add `{m}` to the line or "),
                None => String::new(),
            };
            let help = format!(
                "remove the secret from the change and rotate it; if it is a test value, {marker}add `fingerprint:{}` to {}",
                fingerprint(&f.secret),
                if self.allowlist.trim().is_empty() {
                    "the file named by policy.secrets_allowlist"
                } else {
                    &self.allowlist
                }
            );
            sink.emit_help(SECRET, path, lines[f.idx].0, col, message, help);
        }
    }
}

/// The regular expression of a built-in pattern, compiled once. The patterns are
/// constants (a unit test compiles each); one that failed would find nothing.
fn compiled<'a>(cell: &'a OnceLock<Option<Regex>>, pattern: &str) -> Option<&'a Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

/// A stable fingerprint of a secret, as the allowlist takes it: 16 lower-case hex
/// digits of the 64-bit FNV-1a hash of the secret's bytes.
pub fn fingerprint(secret: &str) -> String {
    format!("{:016x}", fnv1a(secret.as_bytes()))
}

/// The secret as it may be shown: a public prefix (`ghp_`, `sk_live_`, …) or a few
/// leading characters, then `…` and the length, never the secret itself:
/// `ghp_…(40 chars)`.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let shown = match PUBLIC_PREFIXES
        .iter()
        .filter(|p| secret.starts_with(*p))
        .map(|p| p.len())
        .max()
    {
        // Prefixes are ASCII: bytes are characters.
        Some(len) => len.min(n / 2),
        None => 4.min(n / 4),
    };
    let head: String = secret.chars().take(shown).collect();
    format!("{head}…({n} chars)")
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn parse_fingerprint(s: &str) -> Option<u64> {
    if s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        u64::from_str_radix(s, 16).ok()
    } else {
        None
    }
}

fn one_line(e: &dyn std::fmt::Display) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Shannon entropy of `bytes` in bits per byte.
fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for b in bytes {
        counts[usize::from(*b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = f64::from(*c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether a candidate looks like a real secret rather than a placeholder.
fn plausible(det: &Detector, secret: &str, random: &str) -> bool {
    if contains_ignore_case(secret, "example") || has_run(random) {
        return false;
    }
    if entropy(random.as_bytes()) < det.min_entropy {
        return false;
    }
    match det.check {
        Check::Plain => true,
        Check::Jwt => {
            let mut parts = secret.split('.');
            let header = parts.next().map(base64url_decode).unwrap_or_default();
            let signature = secret.rsplit('.').next().unwrap_or("");
            contains_ignore_case(&String::from_utf8_lossy(&header), "\"alg\"")
                && !KNOWN_EXAMPLES.contains(&signature)
        }
    }
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Six equal characters in a row, or six ascending letters or digits (`XXXXXX`, `123456`).
fn has_run(s: &str) -> bool {
    let b = s.as_bytes();
    let (mut same, mut up) = (1, 1);
    for w in b.windows(2) {
        same = if w[1] == w[0] { same + 1 } else { 1 };
        up = if w[1] == w[0].wrapping_add(1) && w[1].is_ascii_alphanumeric() {
            up + 1
        } else {
            1
        };
        if same >= 6 || up >= 6 {
            return true;
        }
    }
    false
}

fn base64url_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => break,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// The base64 characters of a piece of a private key body, or `None` when the piece
/// is not one. A piece may be quoted and hold `\n` escapes (a key in a JSON or code
/// string); it is base64 in chunks of 16 or more characters (but the last), an armour
/// header (`Proc-Type: …`, `Version: …`), or blank.
fn body_piece(piece: &str) -> Option<String> {
    let b = piece.as_bytes();
    let mut cleaned = String::with_capacity(piece.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() && matches!(b[i + 1], b'n' | b'r') {
            cleaned.push(' ');
            i += 2;
            continue;
        }
        // Only ASCII matters here; anything else makes the piece prose.
        cleaned.push(if b[i].is_ascii() {
            char::from(b[i])
        } else {
            '~'
        });
        i += 1;
    }
    let core = cleaned.trim_matches(|c: char| {
        c.is_ascii_whitespace() || matches!(c, '"' | '\'' | '`' | ',' | ';' | '\\' | '(' | ')')
    });
    let core = core
        .strip_suffix(" +")
        .unwrap_or(core)
        .trim_end_matches(['"', '\'', ' ']);
    if core.is_empty() {
        return Some(String::new());
    }
    if let Some((key, _)) = core.split_once(": ") {
        if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Some(String::new());
        }
        return None;
    }
    let chunks: Vec<&str> = core.split_ascii_whitespace().collect();
    let last = chunks.len().saturating_sub(1);
    let ok = chunks.iter().enumerate().all(|(k, c)| {
        (k == last || c.len() >= 16)
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    });
    ok.then(|| chunks.concat())
}

/// How a line goes on onto the next one.
#[derive(Debug, Clone, Copy)]
enum Cont {
    /// A trailing backslash.
    Backslash,
    /// A quoted piece ends the line (perhaps followed by `+`, `.` or `&`).
    Quote(u8),
}

/// Whether `line` goes on onto the next line, and where its kept part ends.
fn continuation(line: &str) -> Option<Cont> {
    let t = line.trim_end();
    let trailing = t.bytes().rev().take_while(|b| *b == b'\\').count();
    if trailing % 2 == 1 {
        return Some(Cont::Backslash);
    }
    let t = t
        .strip_suffix("..")
        .or_else(|| t.strip_suffix(['+', '.', '&']))
        .unwrap_or(t)
        .trim_end();
    match t.bytes().last() {
        Some(q @ (b'"' | b'\'')) => Some(Cont::Quote(q)),
        _ => None,
    }
}

/// The byte where the kept part of a continued line ends.
fn kept_end(line: &str, cont: Cont) -> usize {
    let t = line.trim_end();
    match cont {
        Cont::Backslash => t.len() - 1,
        Cont::Quote(q) => t.rfind(char::from(q)).unwrap_or(t.len()),
    }
}

/// Where the continuation of a line starts on `next`, if `next` does go on with it.
fn resumes(next: &str, cont: Cont) -> Option<usize> {
    let start = next.len() - next.trim_start().len();
    match cont {
        Cont::Backslash => Some(start),
        Cont::Quote(_) => {
            let t = &next[start..];
            let ops = t
                .strip_prefix("..")
                .or_else(|| t.strip_prefix(['+', '.', '&']))
                .unwrap_or(t);
            let t2 = ops.trim_start();
            // Either quote: `"abc" + 'def'` is one string too.
            matches!(t2.as_bytes().first(), Some(b'"' | b'\'')).then(|| next.len() - t2.len() + 1)
        }
    }
}

/// Adjacent quoted pieces on one line: `"…" + "…"`, `'…' '…'`: the byte ranges of the
/// glue (closing quote to opening quote, both included) in `line[from..to]`.
fn inline_glues(line: &str, from: usize, to: usize) -> Vec<(usize, usize)> {
    let b = &line.as_bytes()[..to];
    let mut out = Vec::new();
    let mut p = from;
    while p < b.len() {
        let q = b[p];
        if q != b'"' && q != b'\'' {
            p += 1;
            continue;
        }
        let mut k = p + 1;
        while k < b.len() && matches!(b[k], b' ' | b'\t') {
            k += 1;
        }
        if k + 1 < b.len() && b[k] == b'.' && b[k + 1] == b'.' {
            k += 2;
        } else if k < b.len() && matches!(b[k], b'+' | b'.' | b'&') {
            k += 1;
        }
        while k < b.len() && matches!(b[k], b' ' | b'\t') {
            k += 1;
        }
        if k < b.len() && matches!(b[k], b'"' | b'\'') {
            out.push((p, k + 1));
            p = k + 1;
        } else {
            p += 1;
        }
    }
    out
}

fn has_inline_glue(line: &str) -> bool {
    !inline_glues(line, 0, line.len()).is_empty()
}

/// A piece of joined text: `len` bytes from `byte` in line `idx`, at `at` in the join.
#[derive(Debug)]
struct Seg {
    at: usize,
    idx: usize,
    byte: usize,
    len: usize,
}

/// Join lines `i..=j` (a chain of continued lines), dropping the glue between pieces.
fn join(lines: &[(u32, &str)], i: usize, j: usize) -> (String, Vec<Seg>) {
    let mut text = String::new();
    let mut segs = Vec::new();
    let mut push = |text: &mut String, idx: usize, line: &str, from: usize, to: usize| {
        if from < to {
            segs.push(Seg {
                at: text.len(),
                idx,
                byte: from,
                len: to - from,
            });
            text.push_str(&line[from..to]);
        }
    };
    let mut prev: Option<Cont> = None;
    for (idx, &(_, line)) in lines.iter().enumerate().take(j + 1).skip(i) {
        let from = prev.and_then(|c| resumes(line, c)).unwrap_or(0);
        let cont = if idx < j { continuation(line) } else { None };
        let to = cont.map_or(line.len(), |c| kept_end(line, c)).max(from);
        let mut p = from;
        for (gs, ge) in inline_glues(line, from, to) {
            push(&mut text, idx, line, p, gs);
            p = ge;
        }
        push(&mut text, idx, line, p, to);
        prev = cont;
    }
    (text, segs)
}

/// The segment holding byte `at` of the joined text.
fn seg_of(segs: &[Seg], at: usize) -> usize {
    segs.partition_point(|s| s.at <= at).saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_pattern_compiles_and_names_its_groups() {
        for spec in SPECS {
            let re = Regex::new(spec.pattern).unwrap_or_else(|e| panic!("{}: {e}", spec.pattern));
            let names: Vec<_> = re.capture_names().flatten().collect();
            assert_eq!(names, ["s", "r"], "{}", spec.pattern);
            assert!(!spec.keywords.is_empty() && !spec.kinds.is_empty());
        }
        assert!(Regex::new(KEY_BEGIN).is_ok());
        assert!(SPECS.len() < 31, "a detector is a bit of a u32 mask");
    }

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
        assert_eq!(fingerprint("foobar"), "85944171f73967e8");
    }

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!((entropy(b"0123456789abcdef") - 4.0).abs() < 1e-9);
    }

    #[test]
    fn runs_are_placeholders() {
        assert!(has_run("abXXXXXXcd"));
        assert!(has_run("x123456y"));
        assert!(has_run("abcdefg"));
        assert!(!has_run("a1b2c3d4e5XXXXX"));
        assert!(!has_run("9Ab3kQ0zPm"));
    }

    #[test]
    fn base64url_decodes_a_jwt_header() {
        assert_eq!(
            base64url_decode("eyJhbGciOiJIUzI1NiJ9"),
            br#"{"alg":"HS256"}"#.to_vec()
        );
        assert_eq!(base64url_decode("!!"), Vec::<u8>::new());
    }

    #[test]
    fn continuations() {
        assert!(matches!(
            continuation("x = \"abc\" +"),
            Some(Cont::Quote(b'"'))
        ));
        assert!(matches!(
            continuation("x = 'abc'"),
            Some(Cont::Quote(b'\''))
        ));
        assert!(matches!(continuation("TOKEN=abc\\"), Some(Cont::Backslash)));
        assert!(continuation("path\\\\").is_none());
        assert!(continuation("x = abc").is_none());
        assert_eq!(resumes("    \"def\"", Cont::Quote(b'"')), Some(5));
        assert_eq!(resumes("  + \"def\"", Cont::Quote(b'"')), Some(5));
        assert_eq!(resumes("  def", Cont::Quote(b'"')), None);
        assert_eq!(resumes("  def", Cont::Backslash), Some(2));
    }

    #[test]
    fn inline_glue_ranges() {
        let l = r#"t = "ab" + "cd" "ef", "gh""#;
        let g = inline_glues(l, 0, l.len());
        assert_eq!(g.len(), 2, "{g:?}");
        assert_eq!(&l[g[0].0..g[0].1], r#"" + ""#);
        assert_eq!(&l[g[1].0..g[1].1], r#"" ""#);
        let (text, segs) = join(&[(1, l)], 0, 0);
        assert_eq!(text, r#"t = "abcdef", "gh""#);
        assert_eq!(segs.len(), 3);
    }

    #[test]
    fn joins_a_chain_of_lines() {
        let lines = [(3, "key = \"abc\" +"), (4, "  \"def\" \\"), (5, "ghi")];
        let (text, segs) = join(&lines, 0, 2);
        // The backslash of line 4 sits after the closing quote: the quote stays.
        assert_eq!(text, "key = \"abcdef\" ghi");
        assert_eq!(segs[1].idx, 1);
        assert_eq!(seg_of(&segs, 0), 0);
        assert_eq!(seg_of(&segs, text.len() - 1), segs.len() - 1);
    }

    #[test]
    fn redact_never_shows_much() {
        assert_eq!(
            redact("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            "ghp_…(40 chars)"
        );
        assert_eq!(redact(""), "…(0 chars)");
        assert_eq!(redact("abc"), "…(3 chars)");
        assert_eq!(redact("ghp_"), "gh…(4 chars)");
        assert_eq!(redact("пароль-пароль-пароль"), "паро…(20 chars)");
    }
}
