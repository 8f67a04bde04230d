//! The secret scanner (`genie::policy::secrets`): every detector on realistic samples
//! and near misses, suppression, the allowlist, redaction, columns, lines that are
//! split, and arbitrary input.
//!
//! Samples are generated from a fixed seed at test time, so that no file of this
//! repository holds a string that looks like a live secret.

use std::path::Path;

use genie::check::Sink;
use genie::check::rules::{Levels, SECRET};
use genie::config::{Config, PolicyConfig};
use genie::policy::secrets::{Scanner, fingerprint, redact};
use genie::report::Diagnostic;
use proptest::prelude::*;

const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const DIGITS: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// A deterministic generator of random-looking strings (xorshift64*).
struct Gen(u64);

impl Gen {
    fn new(seed: u64) -> Self {
        Gen(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn of(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[(self.next() % alphabet.len() as u64) as usize]))
            .collect()
    }
}

fn b64url(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |a, (i, b)| a | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(BASE64URL[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

fn policy() -> PolicyConfig {
    Config::builtin().policy
}

fn scanner_in(root: &Path, policy: &PolicyConfig) -> Scanner {
    Scanner::new(policy, root).expect("the scanner builds")
}

/// Scan `lines` (numbered from 1) of `path` with the built-in policy and no allowlist.
fn scan(path: &str, lines: &[&str]) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().unwrap();
    run(&scanner_in(dir.path(), &policy()), path, lines)
}

fn run(scanner: &Scanner, path: &str, lines: &[&str]) -> Vec<Diagnostic> {
    let numbered: Vec<(u32, &str)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (i as u32 + 1, *l))
        .collect();
    run_numbered(scanner, path, &numbered)
}

fn run_numbered(scanner: &Scanner, path: &str, lines: &[(u32, &str)]) -> Vec<Diagnostic> {
    static LEVELS: std::sync::OnceLock<Levels> = std::sync::OnceLock::new();
    let levels = LEVELS.get_or_init(|| Levels::new(&Config::builtin()));
    let mut sink = Sink::new(levels);
    scanner.scan(path, lines, &mut sink);
    sink.into_vec()
}

/// The one finding of a scan, checked for the rule and for not showing `secret`.
fn one(found: &[Diagnostic], secret: &str) -> Diagnostic {
    assert_eq!(found.len(), 1, "{found:#?}");
    let d = found[0].clone();
    assert_eq!(d.code, SECRET.code);
    assert_eq!(d.rule, "secret");
    assert_no_secret(&d, secret);
    d
}

fn assert_no_secret(d: &Diagnostic, secret: &str) {
    let all = format!(
        "{} {} {} {}",
        d.path,
        d.message,
        d.help,
        d.related
            .iter()
            .map(|r| format!("{} {:?}", r.path, r.message))
            .collect::<String>()
    );
    assert!(!all.contains(secret), "the secret leaks: {all}");
    // Not even a long piece of it.
    if secret.len() >= 24 {
        let middle = &secret[secret.len() / 2 - 6..secret.len() / 2 + 6];
        assert!(!all.contains(middle), "a piece of the secret leaks: {all}");
    }
}

/// Realistic samples: (kind in the message, secret, line holding it).
fn samples() -> Vec<(&'static str, String, String)> {
    let mut g = Gen::new(7);
    let mut out = Vec::new();
    let mut add = |kind: &'static str, secret: String, line: String| {
        assert!(line.contains(&secret));
        out.push((kind, secret, line));
    };
    let s = format!("AKIA{}", g.of(UPPER_DIGITS, 16));
    add(
        "AWS access key id",
        s.clone(),
        format!("aws_access_key_id = {s}"),
    );
    let s = format!("ASIA{}", g.of(UPPER_DIGITS, 16));
    add(
        "AWS temporary access key id",
        s.clone(),
        format!("  AccessKeyId: {s}"),
    );
    let s = g.of(BASE64, 40);
    add(
        "AWS secret access key",
        s.clone(),
        format!("aws_secret_access_key = {s}"),
    );
    let s = g.of(BASE64, 40);
    add(
        "AWS secret access key",
        s.clone(),
        format!("export AWS_SECRET_ACCESS_KEY=\"{s}\""),
    );
    let s = g.of(BASE64, 40);
    add(
        "AWS secret access key",
        s.clone(),
        format!("  \"SecretAccessKey\": \"{s}\","),
    );
    for (prefix, kind) in [
        ("ghp_", "GitHub personal access token"),
        ("gho_", "GitHub OAuth access token"),
        ("ghu_", "GitHub user-to-server token"),
        ("ghs_", "GitHub server-to-server token"),
        ("ghr_", "GitHub refresh token"),
    ] {
        let s = format!("{prefix}{}", g.of(ALNUM, 36));
        add(kind, s.clone(), format!("GITHUB_TOKEN={s}"));
    }
    let s = format!("github_pat_{}_{}", g.of(ALNUM, 22), g.of(ALNUM, 59));
    add(
        "GitHub fine-grained personal access token",
        s.clone(),
        format!("token: '{s}'"),
    );
    let s = format!(
        "xoxb-{}-{}-{}",
        g.of(DIGITS, 12),
        g.of(DIGITS, 13),
        g.of(ALNUM, 24)
    );
    add(
        "Slack bot token",
        s.clone(),
        format!("SLACK_BOT_TOKEN: {s}"),
    );
    let s = format!(
        "xoxp-{}-{}-{}-{}",
        g.of(DIGITS, 11),
        g.of(DIGITS, 12),
        g.of(DIGITS, 13),
        g.of(HEX, 32)
    );
    add(
        "Slack user token",
        s.clone(),
        format!("slack_token = \"{s}\""),
    );
    let s = format!("xoxa-2-{}-{}", g.of(DIGITS, 12), g.of(ALNUM, 32));
    add("Slack workspace token", s.clone(), format!("token={s}"));
    let s = format!("xoxr-{}-{}", g.of(DIGITS, 12), g.of(ALNUM, 40));
    add("Slack refresh token", s.clone(), format!("refresh: {s}"));
    let s = format!(
        "xoxs-{}-{}-{}",
        g.of(DIGITS, 10),
        g.of(DIGITS, 12),
        g.of(HEX, 40)
    );
    add("Slack session token", s.clone(), format!("session {s}"));
    let s = format!(
        "xapp-1-A{}-{}-{}",
        g.of(UPPER_DIGITS, 10),
        g.of(DIGITS, 13),
        g.of(HEX, 64)
    );
    add(
        "Slack app-level token",
        s.clone(),
        format!("SLACK_APP_TOKEN={s}"),
    );
    let s = format!(
        "https://hooks.slack.com/services/T{}/B{}/{}",
        g.of(UPPER_DIGITS, 8),
        g.of(UPPER_DIGITS, 10),
        g.of(ALNUM, 24)
    );
    add(
        "Slack webhook URL",
        s.clone(),
        format!("webhook_url: \"{s}\""),
    );
    let s = format!("sk_live_{}", g.of(ALNUM, 24));
    add(
        "Stripe live secret key",
        s.clone(),
        format!("Stripe.api_key = '{s}'"),
    );
    let s = format!("rk_live_{}", g.of(ALNUM, 99));
    add(
        "Stripe live restricted key",
        s.clone(),
        format!("STRIPE_KEY={s}"),
    );
    let s = format!("AIza{}", g.of(BASE64URL, 35));
    add(
        "Google API key",
        s.clone(),
        format!(
            "<script src=\"https://maps.googleapis.com/maps/api/js?key={s}&callback=init\"></script>"
        ),
    );
    let s = format!("npm_{}", g.of(ALNUM, 36));
    add(
        "npm access token",
        s.clone(),
        format!("//registry.npmjs.org/:_authToken={s}"),
    );
    let s = format!("sk-proj-{}", g.of(BASE64URL, 156));
    add(
        "OpenAI project API key",
        s.clone(),
        format!("OPENAI_API_KEY={s}"),
    );
    let s = format!("sk-svcacct-{}", g.of(BASE64URL, 140));
    add(
        "OpenAI service account key",
        s.clone(),
        format!("openai.api_key = \"{s}\""),
    );
    let s = format!("sk-{}T3BlbkFJ{}", g.of(ALNUM, 20), g.of(ALNUM, 20));
    add("OpenAI API key", s.clone(), format!("const key = \"{s}\";"));
    let s = format!("sk-ant-api03-{}AA", g.of(BASE64URL, 93));
    add(
        "Anthropic API key",
        s.clone(),
        format!("ANTHROPIC_API_KEY={s}"),
    );
    let s = format!("sk-ant-admin01-{}AA", g.of(BASE64URL, 93));
    add("Anthropic admin key", s.clone(), format!("admin_key: {s}"));
    let s = format!(
        "{}.{}.{}",
        b64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64url(br#"{"sub":"user-4711","iat":1700000000,"scope":"admin"}"#),
        g.of(BASE64URL, 43)
    );
    add(
        "JSON Web Token",
        s.clone(),
        format!("Authorization: Bearer {s}"),
    );
    out
}

#[test]
fn every_detector_fires_on_a_realistic_sample() {
    for (kind, secret, line) in samples() {
        let found = scan("config/app.env", &["# settings", &line, "debug = true"]);
        let d = one(&found, &secret);
        assert_eq!(d.line, 2, "{kind}");
        let col = line[..line.find(&secret).unwrap()].chars().count() as u32 + 1;
        assert_eq!(d.column, col, "{kind}: {line}");
        assert!(
            d.message.starts_with(&format!("{kind} `")),
            "{kind}: {}",
            d.message
        );
        assert!(
            d.message.contains(&redact(&secret)),
            "{kind}: {}",
            d.message
        );
        assert!(
            d.help
                .contains(&format!("fingerprint:{}", fingerprint(&secret))),
            "{}",
            d.help
        );
        assert!(d.help.contains(".genie/secrets-allow"), "{}", d.help);
        assert!(d.help.contains("genie:allow-secret"), "{}", d.help);
        assert_eq!(d.path, "config/app.env");
    }
}

#[test]
fn near_misses_stay_quiet() {
    let mut g = Gen::new(99);
    let lines = vec![
        // Placeholders and the keys of AWS's documentation.
        "aws_access_key_id = AKIAXXXXXXXXXXXXXXXX".to_string(),
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE".to_string(),
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string(),
        "aws_access_key_id = AKIA1234567890ABCDEF".to_string(),
        // Too short, lower case, or a word.
        format!("id = AKIA{}", g.of(UPPER_DIGITS, 15)),
        format!("id = akia{}", g.of(UPPER_DIGITS, 16).to_lowercase()),
        "Our Asia-Pacific ACCOUNTING team".to_string(),
        // An AWS secret name with a hash, a template, or a random value without the name.
        format!("aws_secret_access_key = {}", g.of(HEX, 40)),
        "aws_secret_access_key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}".to_string(),
        format!("checksum = {}", g.of(BASE64, 40)),
        // GitHub.
        format!("token = ghp_{}", "x".repeat(36)),
        "token = ghp_abc123".to_string(),
        format!("token = ghp_{}", g.of(ALNUM, 35)),
        "Create a ghp_ token with the repo scope.".to_string(),
        format!("github_pat_{}", g.of(ALNUM, 12)),
        // Slack.
        "SLACK_BOT_TOKEN=xoxb-your-bot-token-here".to_string(),
        "SLACK_BOT_TOKEN=xoxb-000000000000-0000000000000-xxxxxxxxxxxxxxxxxxxxxxxx".to_string(),
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
            .to_string(),
        "See https://api.slack.com/messaging/webhooks (hooks.slack.com/services/...)".to_string(),
        // Stripe test keys and placeholders.
        format!("stripe_key = sk_test_{}", g.of(ALNUM, 24)),
        "stripe_key = sk_live_xxxxxxxxxxxxxxxxxxxxxxxx".to_string(),
        format!("stripe_key = sk_live_{}", g.of(ALNUM, 10)),
        // Google, npm.
        format!("key = AIzaSy{}", "X".repeat(33)),
        format!("key = AIza{}", g.of(ALNUM, 20)),
        "run npm_install_deps and npm_config_cache".to_string(),
        format!("npm_{}", g.of(ALNUM, 20)),
        // OpenAI and Anthropic.
        "OPENAI_API_KEY=sk-proj-...".to_string(),
        format!("OPENAI_API_KEY=sk-{}", g.of(ALNUM, 48)),
        "export OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            .to_string(),
        "ANTHROPIC_API_KEY=sk-ant-api03-...".to_string(),
        format!("ANTHROPIC_API_KEY=sk-ant-api03-{}", g.of(ALNUM, 20)),
        "task-runner: disk-cleanup ask-questions".to_string(),
        // JWTs: jwt.io's example, a header without alg, no signature.
        "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c".to_string(),
        format!(
            "{}.{}.{}",
            b64url(br#"{"kid":"k1","typ":"JWT"}"#),
            b64url(br#"{"sub":"x"}"#),
            g.of(BASE64URL, 43)
        ),
        format!(
            "{}.{}.",
            b64url(br#"{"alg":"none"}"#),
            b64url(br#"{"sub":"someone"}"#)
        ),
        // Prose about secrets.
        "Never commit an AWS secret access key or a GitHub token (ghp_…).".to_string(),
        "The aws_secret_access_key setting takes the key from the vault.".to_string(),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let found = scan("docs/guide.md", &refs);
    assert!(found.is_empty(), "{found:#?}");
}

fn key_block(kind: &str, g: &mut Gen, lines: usize) -> Vec<String> {
    let mut out = vec![format!("-----BEGIN {kind}-----")];
    if kind.starts_with("PGP") {
        out.push("Version: GnuPG v2".to_string());
        out.push(String::new());
    }
    if kind.starts_with("RSA") {
        out.push("Proc-Type: 4,ENCRYPTED".to_string());
        out.push(format!(
            "DEK-Info: AES-128-CBC,{}",
            g.of(HEX, 32).to_uppercase()
        ));
        out.push(String::new());
    }
    for _ in 0..lines {
        out.push(format!("MII{}", g.of(BASE64, 61)));
    }
    out.push(format!("{}==", g.of(BASE64, 30)));
    out.push(format!("-----END {kind}-----"));
    out
}

#[test]
fn private_key_blocks_are_reported_once_at_their_begin_line() {
    let mut g = Gen::new(3);
    for (kind, message) in [
        ("RSA PRIVATE KEY", "RSA private key"),
        ("EC PRIVATE KEY", "EC private key"),
        ("DSA PRIVATE KEY", "DSA private key"),
        ("OPENSSH PRIVATE KEY", "OpenSSH private key"),
        ("PGP PRIVATE KEY BLOCK", "PGP private key block"),
        ("ENCRYPTED PRIVATE KEY", "encrypted private key"),
        ("PRIVATE KEY", "private key"),
    ] {
        let mut lines = vec!["fixtures:".to_string(), "  key: |".to_string()];
        lines.extend(
            key_block(kind, &mut g, 12)
                .into_iter()
                .map(|l| if l.is_empty() { l } else { format!("    {l}") }),
        );
        lines.push("  user: deploy".to_string());
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let found = scan("deploy/values.yaml", &refs);
        assert_eq!(found.len(), 1, "{kind}: {found:#?}");
        let d = &found[0];
        assert_eq!((d.line, d.column), (3, 5), "{kind}");
        assert!(d.message.starts_with(message), "{kind}: {}", d.message);
        for body in &lines[3..lines.len() - 2] {
            if body.trim().len() > 20 {
                assert_no_secret(d, body.trim());
            }
        }
    }
}

#[test]
fn a_private_key_inside_a_json_string_is_found() {
    let mut g = Gen::new(4);
    let body: Vec<String> = (0..10).map(|_| g.of(BASE64, 64)).collect();
    let line = format!(
        "  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\",",
        body.join("\\n")
    );
    let found = scan(
        "svc-account.json",
        &["{", "  \"type\": \"service_account\",", &line, "}"],
    );
    let d = one(&found, &body.concat());
    assert_eq!((d.line, d.column), (3, 19));
    for b in &body {
        assert_no_secret(&d, b);
    }

    // In code, a string per line.
    let mut lines = vec!["KEY = (\"-----BEGIN RSA PRIVATE KEY-----\\n\"".to_string()];
    lines.extend(body.iter().map(|b| format!("       \"{b}\\n\"")));
    lines.push("       \"-----END RSA PRIVATE KEY-----\\n\")".to_string());
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let found = scan("tests/keys.py", &refs);
    let d = one(&found, &body.concat());
    assert_eq!((d.line, d.column), (1, 9));
}

#[test]
fn begin_lines_without_a_key_are_not_reported() {
    let mut g = Gen::new(5);
    let body = g.of(BASE64, 64);
    let prose = [
        "Never commit a `-----BEGIN RSA PRIVATE KEY-----` block; keep the key material in the vault instead.",
        "if line.starts_with(\"-----BEGIN OPENSSH PRIVATE KEY-----\") {",
        "    return Kind::OpenSsh;",
        "}",
        "-----BEGIN RSA PRIVATE KEY-----",
        "...",
        "-----END RSA PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
        "-----END PRIVATE KEY-----",
        "-----BEGIN PUBLIC KEY-----",
        body.as_str(),
        "-----END PUBLIC KEY-----",
        "-----BEGIN CERTIFICATE-----",
        body.as_str(),
        "-----END CERTIFICATE-----",
        "-----BEGIN RSA PRIVATE KEY-----",
    ];
    let found = scan("docs/keys.md", &prose);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn lines_after_a_begin_line_without_key_material_are_still_scanned() {
    let (_, secret, _) = samples().remove(0);
    assert!(secret.starts_with("AKIA"));
    let found = scan(
        "notes.txt",
        &[
            "-----BEGIN RSA PRIVATE KEY-----",
            &secret,
            "-----END RSA PRIVATE KEY-----",
        ],
    );
    let d = one(&found, &secret);
    assert_eq!((d.line, d.column), (2, 1));
    assert!(d.message.starts_with("AWS access key id"), "{}", d.message);
}

#[test]
fn a_key_body_is_only_read_from_consecutive_added_lines() {
    let mut g = Gen::new(6);
    let block = key_block("OPENSSH PRIVATE KEY", &mut g, 8);
    let scanner = scanner_in(tempfile::tempdir().unwrap().path(), &policy());
    // The BEGIN line was added, the body was already there (a gap in the numbers).
    let found = run_numbered(&scanner, "id_ed25519", &[(1, block[0].as_str())]);
    assert!(found.is_empty(), "{found:#?}");
    let lines: Vec<(u32, &str)> = std::iter::once((1, block[0].as_str()))
        .chain(
            block[1..]
                .iter()
                .enumerate()
                .map(|(i, l)| (i as u32 + 10, l.as_str())),
        )
        .collect();
    assert!(run_numbered(&scanner, "id_ed25519", &lines).is_empty());
    let lines: Vec<(u32, &str)> = block
        .iter()
        .enumerate()
        .map(|(i, l)| (i as u32 + 10, l.as_str()))
        .collect();
    let found = run_numbered(&scanner, "id_ed25519", &lines);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, 10);
}

#[test]
fn the_allow_marker_skips_a_line() {
    let (_, secret, line) = samples().remove(5);
    let marked = format!("{line}  # genie:allow-secret test fixture");
    assert!(scan("a.sh", &[&marked]).is_empty());
    assert_eq!(scan("a.sh", &[&line, &marked]).len(), 1);

    // A custom marker, and an empty one (which marks nothing).
    let dir = tempfile::tempdir().unwrap();
    let mut p = policy();
    p.secret_allow_marker = "pragma: allowlist secret".to_string();
    let s = scanner_in(dir.path(), &p);
    assert!(run(&s, "a.sh", &[&format!("{line} # pragma: allowlist secret")]).is_empty());
    let d = one(&run(&s, "a.sh", &[&marked]), &secret);
    assert!(d.help.contains("pragma: allowlist secret"), "{}", d.help);
    p.secret_allow_marker = String::new();
    let s = scanner_in(dir.path(), &p);
    let d = one(&run(&s, "a.sh", &[&line]), &secret);
    assert!(!d.help.contains("``"), "{}", d.help);
}

fn with_allowlist(text: &str) -> (tempfile::TempDir, Scanner) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".genie")).unwrap();
    std::fs::write(dir.path().join(".genie/secrets-allow"), text).unwrap();
    let s = scanner_in(dir.path(), &policy());
    (dir, s)
}

#[test]
fn each_allowlist_form_allows() {
    let all = samples();
    let (_, gh_secret, gh_line) = &all[5];
    let (_, stripe_secret, stripe_line) = &all[18];
    assert!(stripe_secret.starts_with("sk_live_"));
    let lines = [gh_line.as_str(), stripe_line.as_str()];
    let fp = fingerprint(gh_secret);

    let (_d, s) = with_allowlist(&format!("\u{feff}# test fixtures\n\nfingerprint:{fp}\r\n"));
    let found = run(&s, "app.env", &lines);
    assert_eq!(one(&found, stripe_secret).line, 2);

    let (_d, s) = with_allowlist(&format!("  {}  \n", fp.to_uppercase()));
    assert_eq!(one(&run(&s, "app.env", &lines), stripe_secret).line, 2);

    let (_d, s) = with_allowlist("regex:^sk_live_\n");
    assert_eq!(one(&run(&s, "app.env", &lines), gh_secret).line, 1);

    let (_d, s) = with_allowlist("path:tests/fixtures/**\npath:*.example\n");
    assert!(s.excluded("tests/fixtures/keys/app.env"));
    assert!(s.excluded("config/app.env.example"));
    assert!(!s.excluded("config/app.env"));
    assert!(run(&s, "tests/fixtures/keys/app.env", &lines).is_empty());
    assert_eq!(run(&s, "config/app.env", &lines).len(), 2);

    // A fingerprint of a private key body allows that key.
    let mut g = Gen::new(8);
    let block = key_block("EC PRIVATE KEY", &mut g, 4);
    let refs: Vec<&str> = block.iter().map(String::as_str).collect();
    let found = scan("k.pem", &refs);
    assert_eq!(found.len(), 1);
    let fp = found[0]
        .help
        .split("fingerprint:")
        .nth(1)
        .and_then(|s| s.get(..16))
        .unwrap()
        .to_string();
    let (_d, s) = with_allowlist(&format!("fingerprint:{fp}\n"));
    assert!(run(&s, "k.pem", &refs).is_empty());
}

#[test]
fn secrets_exclude_globs_exclude_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = policy();
    p.secrets_exclude = vec!["**/testdata/**".to_string(), "*.lock".to_string()];
    let s = scanner_in(dir.path(), &p);
    let (_, _, line) = samples().remove(5);
    assert!(s.excluded("pkg/testdata/token.txt"));
    assert!(s.excluded("./Cargo.lock"));
    assert!(run(&s, "pkg/testdata/token.txt", &[&line]).is_empty());
    assert_eq!(run(&s, "pkg/token.txt", &[&line]).len(), 1);

    p.secrets_exclude = vec!["a/[b".to_string()];
    let e = Scanner::new(&p, dir.path())
        .err()
        .expect("a bad glob is an error");
    assert!(e.message.contains("secrets_exclude"), "{}", e.message);
}

#[test]
fn a_bad_allowlist_line_is_a_config_error_with_its_line() {
    for (text, line, words) in [
        ("# ok\nregex:^sk_(live\n", 2, "regular expression"),
        ("\n\n\npath:a/[b\n", 4, "glob"),
        ("fingerprint:12ab\n", 1, "16 hexadecimal"),
        (
            "# fine\nfingerprint:0123456789abcdef\nghp_sometoken\n",
            3,
            "not an allowlist entry",
        ),
        ("regex:\n", 1, "pattern"),
        ("path:   \n", 1, "glob"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".genie")).unwrap();
        let file = dir.path().join(".genie/secrets-allow");
        std::fs::write(&file, text).unwrap();
        let e = Scanner::new(&policy(), dir.path())
            .err()
            .unwrap_or_else(|| panic!("{text:?} is an error"));
        assert_eq!(e.line, Some(line), "{text:?}: {}", e.message);
        assert_eq!(e.path.as_deref(), Some(file.as_path()));
        assert!(e.message.contains(words), "{text:?}: {}", e.message);
    }
    // No allowlist file is fine; an allowlist that is not UTF-8 is not.
    let dir = tempfile::tempdir().unwrap();
    assert!(Scanner::new(&policy(), dir.path()).is_ok());
    std::fs::create_dir_all(dir.path().join(".genie")).unwrap();
    std::fs::write(dir.path().join(".genie/secrets-allow"), b"path:\xff\n").unwrap();
    assert!(Scanner::new(&policy(), dir.path()).is_err());
}

#[test]
fn no_finding_shows_the_secret() {
    for (kind, secret, line) in samples() {
        let found = scan("x.txt", &[&line]);
        let d = one(&found, &secret);
        assert!(d.related.is_empty(), "{kind}");
        let shown = d.message.split('`').nth(1).unwrap();
        assert!(shown.contains('…') && shown.ends_with(" chars)"), "{shown}");
        let head = shown.split('…').next().unwrap();
        assert!(head.len() * 2 <= secret.len(), "{kind}: {shown}");
        assert!(shown.contains(&format!("({} chars)", secret.chars().count())));
    }
}

#[test]
fn redact_and_fingerprint() {
    assert_eq!(
        redact(&format!("ghp_{}", "a1".repeat(18))),
        "ghp_…(40 chars)"
    );
    assert_eq!(
        redact("sk_live_0123456789abcdefghij"),
        "sk_live_…(28 chars)"
    );
    assert_eq!(
        redact("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz"),
        "wJal…(40 chars)"
    );
    assert_eq!(redact("short"), "s…(5 chars)");
    // FNV-1a 64 reference values.
    assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
    assert_eq!(fingerprint("foobar"), "85944171f73967e8");
    assert_eq!(fingerprint("ghp_x").len(), 16);
}

#[test]
fn columns_count_characters_after_non_ascii_text() {
    let (_, secret, _) = samples().remove(5);
    let line = format!("Токен доступа — «{secret}» 🔑 {secret}");
    let found = scan("docs/ru.md", &[&line]);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].column, 18);
    assert_eq!(
        found[1].column,
        18 + secret.chars().count() as u32 + 4,
        "{line}"
    );
    for d in &found {
        assert_no_secret(d, &secret);
    }
}

#[test]
fn a_huge_minified_line_is_scanned_with_exact_columns() {
    let all = samples();
    let (_, jwt, _) = all.last().unwrap();
    let (_, gh, _) = &all[5];
    let mut line = String::new();
    let mut expected = Vec::new();
    let mut chars = 0;
    for i in 0..1200 {
        let piece = format!("var ä{i}=\"eyJ{i}x\",tk='ghp_';task-runner;");
        chars += piece.chars().count();
        line.push_str(&piece);
        if i % 300 == 50 {
            let piece = format!("auth=\"{jwt}\";g=\"{gh}\";");
            expected.push(chars as u32 + 7);
            expected.push((chars + 6 + jwt.len() + 5) as u32 + 1);
            chars += piece.chars().count();
            line.push_str(&piece);
        }
    }
    assert!(line.len() > 40_000, "{}", line.len());
    let found = scan("dist/app.min.js", &[&line]);
    let cols: Vec<u32> = found.iter().map(|d| d.column).collect();
    assert_eq!(cols, expected);
}

#[test]
fn a_token_wrapped_with_a_backslash_is_found() {
    let (_, secret, _) = samples().remove(5);
    let (a, b) = secret.split_at(20);
    let lines = [
        "#!/bin/sh".to_string(),
        format!("export GITHUB_TOKEN={a}\\"),
        b.to_string(),
        "gh auth status".to_string(),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let d = one(&scan("deploy.sh", &refs), &secret);
    assert_eq!((d.line, d.column), (2, 21));
    assert!(d.message.contains("split over 2 lines"), "{}", d.message);
    assert!(d.help.contains(&fingerprint(&secret)), "{}", d.help);
}

#[test]
fn a_token_split_into_quoted_pieces_is_found() {
    let all = samples();
    let (_, secret, _) = &all[18];
    let (a, b) = secret.split_at(14);
    let (b, c) = b.split_at(6);
    // Pieces on one line, on two lines (JavaScript `+`), Python's implicit concatenation.
    for (lines, line, col) in [
        (
            vec![format!("const key = \"{a}\" + \"{b}\" + '{c}';")],
            1,
            14,
        ),
        (
            vec![
                "config = {".to_string(),
                format!("  key: \"{a}\" +"),
                format!("       \"{b}{c}\","),
                "}".to_string(),
            ],
            2,
            9,
        ),
        (
            vec![
                format!("KEY = (\"{a}\""),
                format!("       \"{b}\""),
                format!("       \"{c}\")"),
            ],
            1,
            9,
        ),
    ] {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let d = one(&scan("src/pay.js", &refs), secret);
        assert_eq!((d.line, d.column), (line, col), "{lines:#?}");
        assert!(d.help.contains(&fingerprint(secret)), "{}", d.help);
    }
}

#[test]
fn a_whole_token_next_to_a_join_is_reported_once() {
    let (_, secret, _) = samples().remove(5);
    let lines = [
        format!("t = \"{secret}\" + \"Zq8xWv\""),
        format!("u = \"{secret}\""),
        "  \"Zq8xWv\"".to_string(),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let found = scan("x.py", &refs);
    assert_eq!(found.len(), 2, "{found:#?}");
    for d in &found {
        assert!(d.message.ends_with("(40 chars)`"), "{}", d.message);
        assert_eq!(d.column, 6);
    }
}

#[test]
fn nothing_is_reported_when_the_rule_is_off() {
    let config = Config::parse("[rules]\nsecret = \"off\"\n", None).unwrap();
    let levels = Levels::new(&config);
    let mut sink = Sink::new(&levels);
    let dir = tempfile::tempdir().unwrap();
    let s = scanner_in(dir.path(), &config.policy);
    let (_, _, line) = samples().remove(5);
    s.scan("a", &[(1, line.as_str())], &mut sink);
    assert!(sink.into_vec().is_empty());
}

const FRAGMENTS: &[&str] = &[
    "AKIA",
    "ASIA",
    "ghp_",
    "github_pat_",
    "xoxb-",
    "xapp-1-",
    "hooks.slack.com/services/T",
    "/B",
    "sk_live_",
    "AIza",
    "npm_",
    "sk-proj-",
    "sk-ant-api03-",
    "T3BlbkFJ",
    "eyJ",
    ".eyJ",
    ".",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----",
    "-----END PRIVATE KEY-----",
    "aws_secret_access_key = ",
    "\\n",
    "\\",
    "\"",
    "'",
    " + ",
    "-",
    "_",
    "=",
    "é",
    "ключ",
    "🔑",
    "\u{feff}",
    "genie:allow-secret",
    "0123456789",
    "Zx9Qk2Lm7Pw4Rt8Yv3Bn6Hj1Df5Gs0Ac",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC",
];

/// One scanner for all the generated cases (compiling the rule set takes a while
/// in a debug build).
fn shared_scanner() -> &'static Scanner {
    static SCANNER: std::sync::OnceLock<Scanner> = std::sync::OnceLock::new();
    SCANNER.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        scanner_in(dir.path(), &policy())
    })
}

fn line_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
            1 => "[A-Za-z0-9+/_-]{0,50}",
            1 => any::<String>(),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_input_never_panics_and_points_inside_the_lines(
        lines in prop::collection::vec(line_strategy(), 0..12),
        gaps in prop::collection::vec(1u32..3, 12),
    ) {
        let s = shared_scanner();
        let mut n = 0u32;
        let numbered: Vec<(u32, &str)> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                n += gaps[i];
                (n, l.as_str())
            })
            .collect();
        let found = run_numbered(s, "f.txt", &numbered);
        let mut last = (0, 0);
        for d in &found {
            let line = numbered.iter().find(|(k, _)| *k == d.line);
            prop_assert!(line.is_some(), "{d:?}");
            let text = line.unwrap().1;
            prop_assert!(d.column as usize <= text.chars().count(), "{d:?}");
            prop_assert!((d.line, d.column) > last, "in order, no duplicates: {found:?}");
            last = (d.line, d.column);
        }
    }
}
