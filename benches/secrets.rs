//! `cargo bench --bench secrets`: the secret scanner of the pre-commit hook over a
//! realistic staged diff, next to baselines over exactly the same bytes: a plain
//! memchr newline count (in this process) and `rg` looking for the scanner's keywords
//! in a file holding the same lines (a process, so its figure includes start-up).
//!
//! The diff is generated at run time (code, YAML, markdown, JSON and shell, with a
//! handful of real-looking secrets and many near misses); it is written to
//! `bench-out/secrets/added-lines.txt` for `rg`.
//!
//! Environment: `GENIE_BENCH_SECRET_LINES` (added lines, default 10000),
//! `GENIE_BENCH_RUNS` (measured runs after one warm-up, default 21, at least 15).

mod common;

use std::error::Error;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use common::{median, ms};
use genie::check::Sink;
use genie::check::rules::Levels;
use genie::config::Config;
use genie::policy::secrets::Scanner;

/// The target: a 10,000-line staged diff scanned in under this (release build).
const TARGET_SCAN_MS: f64 = 50.0;

fn main() -> ExitCode {
    if let Some(code) = common::helper_main() {
        return code;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench secrets: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A deterministic generator (xorshift64*).
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn of(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.below(alphabet.len())]))
            .collect()
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

const WORDS: &[&str] = &[
    "the",
    "service",
    "export",
    "users",
    "to",
    "CSV",
    "with",
    "a",
    "retry",
    "budget",
    "of",
    "three",
    "attempts",
    "and",
    "the",
    "token",
    "is",
    "read",
    "from",
    "vault",
    "before",
    "deploy",
    "Asia-Pacific",
    "region",
    "latency",
    "p99",
    "under",
    "200",
    "ms",
    "rollback",
    "plan",
    "approved",
    "by",
    "SRE",
    "ключ",
    "доступа",
    "données",
    "task-runner",
    "npm_config",
];

/// Noise a real diff has: near misses that wake the prefilter but are no secrets.
const NEAR_MISSES: &[&str] = &[
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "    # Create a ghp_ token with the `repo` scope and store it as GITHUB_TOKEN.",
    "SLACK_WEBHOOK=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "    if line.starts_with(\"-----BEGIN RSA PRIVATE KEY-----\") {",
    "STRIPE_KEY=sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "OPENAI_API_KEY=sk-proj-...",
    "  npm_token: ${{ secrets.NPM_TOKEN }}",
    "Keys look like `xoxb-…`; never paste one into an issue.",
];

struct File {
    path: String,
    lines: Vec<String>,
}

fn rust_line(g: &mut Gen, i: usize) -> String {
    match g.below(6) {
        0 => format!(
            "    let {} = {}(&{}, {i})?;",
            g.pick(WORDS),
            g.pick(WORDS),
            g.pick(WORDS)
        ),
        1 => format!(
            "    // {} {} {} {}",
            g.pick(WORDS),
            g.pick(WORDS),
            g.pick(WORDS),
            g.pick(WORDS)
        ),
        2 => format!(
            "pub fn {}_{}(input: &str) -> Result<Vec<u32>, Error> {{",
            g.pick(WORDS),
            i
        ),
        3 => "    }".to_string(),
        4 => format!(
            "        .map(|x| x.{}().unwrap_or_default())",
            g.pick(WORDS)
        ),
        _ => format!(
            "    assert_eq!(parse(\"{}-{i}\"), Ok({}));",
            g.pick(WORDS),
            g.below(1000)
        ),
    }
}

fn yaml_line(g: &mut Gen, i: usize) -> String {
    match g.below(5) {
        0 => format!("  {}_{}: {}", g.pick(WORDS), i % 7, g.pick(WORDS)),
        1 => format!("    - name: {}-{}", g.pick(WORDS), g.below(100)),
        2 => format!(
            "      image: ghcr.io/acme/{}:{}.{}",
            g.pick(WORDS),
            g.below(9),
            g.below(30)
        ),
        3 => format!("  checksum: sha256:{}", g.of(b"0123456789abcdef", 64)),
        _ => format!("{}:", g.pick(WORDS)),
    }
}

fn markdown_line(g: &mut Gen) -> String {
    let n = 8 + g.below(14);
    let mut s = String::new();
    for k in 0..n {
        if k > 0 {
            s.push(' ');
        }
        s.push_str(g.pick(WORDS));
    }
    s.push('.');
    s
}

fn json_line(g: &mut Gen, i: usize) -> String {
    match g.below(3) {
        0 => format!("  \"{}\": \"{}\",", g.pick(WORDS), g.of(ALNUM, 12)),
        1 => format!("  \"id\": {i},"),
        _ => format!(
            "  \"{}\": [{}, {}],",
            g.pick(WORDS),
            g.below(99),
            g.below(99)
        ),
    }
}

/// The staged diff: `total` added lines over files of a few kinds, with secrets.
fn corpus(total: usize) -> (Vec<File>, usize) {
    let mut g = Gen(0x5eed_1234_abcd_0001);
    let kinds = ["rs", "yaml", "md", "json", "sh"];
    let mut files = Vec::new();
    let mut made = 0;
    let mut n = 0;
    while made < total {
        let ext = kinds[n % kinds.len()];
        let len = (150 + g.below(200)).min(total - made);
        let mut lines = Vec::with_capacity(len);
        for i in 0..len {
            let line = if i % 53 == 17 {
                g.pick(NEAR_MISSES).to_string()
            } else {
                match ext {
                    "rs" => rust_line(&mut g, i),
                    "yaml" => yaml_line(&mut g, i),
                    "md" => markdown_line(&mut g),
                    "json" => json_line(&mut g, i),
                    _ => format!(
                        "run_step {} --{}={}",
                        g.pick(WORDS),
                        g.pick(WORDS),
                        g.below(50)
                    ),
                }
            };
            lines.push(line);
        }
        files.push(File {
            path: format!(
                "src/{}/{}-{n}.{ext}",
                g.pick(&["api", "web", "ops"]),
                g.pick(WORDS)
            ),
            lines,
        });
        made += len;
        n += 1;
    }
    // The secrets: six one-line ones and one private key block, at fixed places.
    let mut planted = 0;
    let mut put = |files: &mut Vec<File>, f: usize, at: usize, new: Vec<String>| {
        let count = files.len();
        let file = &mut files[f % count];
        let at = at.min(file.lines.len());
        let k = new.len().min(file.lines.len() - at);
        file.lines.splice(at..at + k, new);
        planted += 1;
    };
    put(
        &mut files,
        4,
        10,
        vec![format!("export GITHUB_TOKEN=ghp_{}", g.of(ALNUM, 36))],
    );
    put(
        &mut files,
        6,
        20,
        vec![format!("  aws_access_key_id: AKIA{}", g.of(UPPER, 16))],
    );
    put(
        &mut files,
        6,
        21,
        vec![format!("  aws_secret_access_key: {}", g.of(BASE64, 40))],
    );
    put(
        &mut files,
        10,
        30,
        vec![format!("Stripe.api_key = \"sk_live_{}\"", g.of(ALNUM, 24))],
    );
    put(
        &mut files,
        13,
        40,
        vec![format!(
            "  \"token\": \"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkZXBsb3kiLCJpYXQiOjE3MDAwMDAwMDB9.{}\",",
            g.of(B64URL, 43)
        )],
    );
    put(
        &mut files,
        17,
        50,
        vec![format!(
            "Alerts go to https://hooks.slack.com/services/T{}/B{}/{} (ops channel).",
            g.of(UPPER, 8),
            g.of(UPPER, 10),
            g.of(ALNUM, 24)
        )],
    );
    let mut block = vec![
        "  tls_key: |".to_string(),
        "    -----BEGIN EC PRIVATE KEY-----".to_string(),
    ];
    for _ in 0..3 {
        block.push(format!("    {}", g.of(BASE64, 64)));
    }
    block.push("    -----END EC PRIVATE KEY-----".to_string());
    put(&mut files, 21, 60, block);
    // Line counts stay as made: the splices replaced as many lines as they added.
    (files, planted)
}

fn scan_all(
    scanner: &Scanner,
    levels: &Levels,
    numbered: &[(String, Vec<(u32, &str)>)],
) -> Vec<genie::report::Diagnostic> {
    let mut sink = Sink::new(levels);
    for (path, lines) in numbered {
        scanner.scan(path, lines, &mut sink);
    }
    sink.into_vec()
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut last = f();
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        last = std::hint::black_box(f());
        samples.push(t.elapsed());
    }
    (median(&samples), last)
}

fn run() -> Result<(), Box<dyn Error>> {
    let total = common::env_usize("GENIE_BENCH_SECRET_LINES", 10_000).max(1);
    let runs = common::env_usize("GENIE_BENCH_RUNS", 21).max(15);
    let (files, planted) = corpus(total);
    let numbered: Vec<(String, Vec<(u32, &str)>)> = files
        .iter()
        .map(|f| {
            let lines = f
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| (i as u32 + 1, l.as_str()))
                .collect();
            (f.path.clone(), lines)
        })
        .collect();
    let lines: usize = files.iter().map(|f| f.lines.len()).sum();
    let mut text = String::new();
    for f in &files {
        for l in &f.lines {
            text.push_str(l);
            text.push('\n');
        }
    }
    let out_dir = common::repo_root().join("bench-out").join("secrets");
    std::fs::create_dir_all(&out_dir)?;
    let file = out_dir.join("added-lines.txt");
    std::fs::write(&file, &text)?;
    println!(
        "secret scan benchmark: {lines} added lines in {} files, {:.0} KB; {runs} runs after a warm-up",
        files.len(),
        text.len() as f64 / 1e3
    );

    let config = Config::builtin();
    let levels = Levels::new(&config);
    let root = tempfile_root(&out_dir)?;
    let (new_time, scanner) = time(runs, || Scanner::new(&config.policy, &root));
    let scanner = scanner?;
    let (scan_time, found) = time(runs, || scan_all(&scanner, &levels, &numbered));
    println!(
        "findings: {} (planted {planted} secrets, each should be reported once)",
        found.len()
    );
    for d in &found {
        println!("  {}:{}:{}: {}", d.path, d.line, d.column, d.message);
    }
    // What a pre-commit hook pays: a new scanner (its regexes compile on first use) and one scan.
    let (cold_time, _) = time(runs, || {
        Scanner::new(&config.policy, &root).map(|s| scan_all(&s, &levels, &numbered).len())
    });

    let (nl_time, newlines) = time(runs, || memchr::memchr_iter(b'\n', text.as_bytes()).count());
    if newlines != lines {
        return Err(format!("the baseline counted {newlines} lines, not {lines}").into());
    }

    // One 40,000-character minified line, with non-ASCII text and keyword noise.
    let mut g = Gen(42);
    let mut long = String::new();
    while long.len() < 40_000 {
        long.push_str(&format!(
            "var é{}=\"eyJ{}\",t='ghp_',u=\"{}\";",
            g.below(999),
            g.of(ALNUM, 6),
            g.of(ALNUM, 20)
        ));
    }
    let long_lines = [(1u32, long.as_str())];
    let (long_time, _) = time(runs, || {
        let mut sink = Sink::new(&levels);
        scanner.scan("dist/app.min.js", &long_lines, &mut sink);
        sink.into_vec().len()
    });

    // A hostile line: every piece wakes the prefilter, holds a token glued to another
    // quoted piece, a BEGIN marker and JWT-like text. Twice the bytes should take about
    // twice the time.
    let hostile = |bytes: usize| {
        let mut g = Gen(7);
        let mut line = String::new();
        while line.len() < bytes {
            line.push_str(&format!(
                "a=\"ghp_{}\"+\"x9\";b='-----BEGIN PRIVATE KEY-----';c=\"eyJ{}.eyJ{}.\";d=\"AKIA\";",
                g.of(ALNUM, 36),
                g.of(ALNUM, 8),
                g.of(ALNUM, 8)
            ));
        }
        line
    };
    let mut worst = Vec::new();
    for bytes in [500_000, 1_000_000] {
        let line = hostile(bytes);
        let input = [(1u32, line.as_str())];
        let (t, n) = time(runs, || {
            let mut sink = Sink::new(&levels);
            scanner.scan("hostile.js", &input, &mut sink);
            sink.into_vec().len()
        });
        worst.push((bytes, t, n));
    }

    let rg = if common::available("rg") {
        let keywords = "AKIA|ASIA|ABIA|ACCA|secret.?access.?key|aws.?secret|gh[pousr]_|github_pat_|-----BEGIN|xox[bpars]-|xapp-|hooks\\.slack\\.com|[sr]k_live_|AIza|npm_|sk-proj-|sk-svcacct-|sk-admin-|T3BlbkFJ|sk-ant-|eyJ";
        let mut cmd = Command::new("rg");
        cmd.args(["--no-config", "-i", "-c", "-e", keywords])
            .arg(&file);
        let s = common::bench(runs, || common::measure(&cmd))?;
        Some(s.median)
    } else {
        None
    };

    println!();
    println!("{:<48} {:>10}", "measure (median)", "ms");
    println!(
        "{:<48} {:>10.3}",
        "Scanner::new (rule set + allowlist)",
        ms(new_time)
    );
    println!(
        "{:<48} {:>10.3}",
        format!("Scanner::scan, {lines} lines"),
        ms(scan_time)
    );
    println!(
        "{:<48} {:>10.3}",
        "Scanner::new + scan, cold (the hook's cost)",
        ms(cold_time)
    );
    println!(
        "{:<48} {:>10.3}",
        "Scanner::scan, one 40,000-char line",
        ms(long_time)
    );
    for (bytes, t, n) in &worst {
        println!(
            "{:<48} {:>10.3}",
            format!(
                "Scanner::scan, hostile {} KB line ({n} found)",
                bytes / 1000
            ),
            ms(*t)
        );
    }
    println!(
        "{:<48} {:>10.3}",
        "memchr newline count, same bytes",
        ms(nl_time)
    );
    match rg {
        Some(d) => println!(
            "{:<48} {:>10.3}",
            "rg -i -c KEYWORDS, same lines (a process)",
            ms(d)
        ),
        None => println!("{:<48} {:>10}", "rg", "not installed"),
    }
    println!();
    let rg_note = rg.map_or(String::new(), |d| format!(" (rg {:.1} ms)", ms(d)));
    println!(
        "secrets: {lines} lines, {:.0} KB: scan {:.1} ms median{rg_note}, {:.0} MB/s",
        text.len() as f64 / 1e3,
        ms(scan_time),
        text.len() as f64 / 1e6 / scan_time.as_secs_f64().max(1e-9)
    );
    let verdict = if ms(scan_time) < TARGET_SCAN_MS {
        "PASS"
    } else {
        "MISS"
    };
    println!(
        "target: scan of a 10,000-line diff < {TARGET_SCAN_MS} ms   {verdict} ({:.1} ms)",
        ms(scan_time)
    );
    Ok(())
}

/// A folder without an allowlist file, as root of the scanner.
fn tempfile_root(base: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
    let root = base.join("root");
    std::fs::create_dir_all(&root)?;
    let _ = std::fs::remove_file(root.join(".genie/secrets-allow"));
    Ok(root)
}
