//! The commands a handoff package names, and whether what they run exists in
//! the repository (see the table in the module documentation of `handoff`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::markdown::{Kind, Line, code_spans, normalize_rel, one_of};

/// Languages of the code blocks read for commands (and blocks with none).
const SHELL_LANGS: &str = "sh bash shell zsh console shell-session shellsession terminal";

/// The command texts of some lines: inline code spans, and the lines of shell code
/// blocks (a `$ ` prompt stripped; `\` continuations joined; comments skipped).
pub(super) fn command_texts(lines: &[Line]) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    for l in lines {
        match &l.kind {
            Kind::Text => {
                for span in code_spans(&l.text) {
                    out.push((l.no, span));
                }
            }
            Kind::Code(lang) if lang.is_empty() || one_of(SHELL_LANGS, lang) => {
                let mut t = l.text.trim();
                let session = matches!(
                    lang.as_str(),
                    "console" | "shell-session" | "shellsession" | "terminal"
                );
                if let Some((no, mut acc)) = pending.take() {
                    acc.push(' ');
                    acc.push_str(t.trim_end_matches('\\'));
                    if t.ends_with('\\') {
                        pending = Some((no, acc));
                    } else {
                        out.push((no, acc));
                    }
                    continue;
                }
                match t.strip_prefix("$ ").or_else(|| t.strip_prefix("% ")) {
                    Some(r) => t = r.trim(),
                    None if session => continue,
                    None => {}
                }
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                if let Some(r) = t.strip_suffix('\\') {
                    pending = Some((l.no, r.trim_end().to_string()));
                } else {
                    out.push((l.no, t.to_string()));
                }
            }
            _ => {
                if let Some(p) = pending.take() {
                    out.push(p);
                }
            }
        }
    }
    if let Some(p) = pending {
        out.push(p);
    }
    out
}

/// One simple command of a command line, and what it asks of the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Named {
    /// The simple command as written (`cd` steps folded in).
    pub(super) text: String,
    /// `None`: not a known runner, or not judged.
    pub(super) invocation: Option<Invocation>,
}

/// What a command needs to exist. `dir` is repository-relative, `""` for the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Invocation {
    /// A makefile (`file`, else the default names in `dir`) with each target.
    Make {
        dir: String,
        file: Option<String>,
        targets: Vec<String>,
    },
    /// A script of `dir/package.json`; `bare`: `pnpm S` / `yarn S`, which may
    /// also run a dependency's binary.
    NodeScript {
        dir: String,
        script: String,
        bare: bool,
    },
    /// `dir/package.json` itself.
    PackageJson { dir: String },
    /// A justfile in `dir` or above (or `file`), with the recipe.
    Just {
        dir: String,
        file: Option<String>,
        recipe: Option<String>,
    },
    /// A `Cargo.toml` in `dir` or above (or `manifest`), with the targets named.
    Cargo {
        dir: String,
        manifest: Option<String>,
        targets: Vec<(CargoTarget, String)>,
        package: bool,
    },
    /// A `go.mod` in `dir` or above, and the relative package paths.
    Go { dir: String, paths: Vec<String> },
    /// Files or folders, relative to `dir`.
    Paths { dir: String, paths: Vec<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CargoTarget {
    Test,
    Bench,
    Example,
    Bin,
}

impl CargoTarget {
    pub(super) fn folder(self) -> &'static str {
        match self {
            CargoTarget::Test => "tests",
            CargoTarget::Bench => "benches",
            CargoTarget::Example => "examples",
            CargoTarget::Bin => "src/bin",
        }
    }
    pub(super) fn flag(self) -> &'static str {
        match self {
            CargoTarget::Test => "--test",
            CargoTarget::Bench => "--bench",
            CargoTarget::Example => "--example",
            CargoTarget::Bin => "--bin",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    Word(String),
    /// `&&`, `||`, `;`, `|`, `&`, a parenthesis, a newline: the end of a simple command.
    Sep,
}

/// Split a command line into words and separators, the way a POSIX shell quotes;
/// redirections and their targets are dropped, a `#` comment ends the line.
pub(super) fn tokenize(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut skip_next_word = false;
    let mut chars = s.chars().peekable();
    let finish = |cur: &mut String, in_word: &mut bool, skip: &mut bool, out: &mut Vec<Tok>| {
        if *in_word {
            if *skip {
                *skip = false;
            } else {
                out.push(Tok::Word(std::mem::take(cur)));
            }
            cur.clear();
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => finish(&mut cur, &mut in_word, &mut skip_next_word, &mut out),
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                if !matches!(e, '"' | '\\' | '$' | '`') {
                                    cur.push('\\');
                                }
                                cur.push(e);
                            }
                        }
                        d => cur.push(d),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(e) = chars.next() {
                    cur.push(e);
                }
            }
            '#' if !in_word => break,
            '>' | '<' => {
                // `2>`, `>>`, `>&2`, `<file`: drop the redirection and its target.
                if in_word && cur.chars().all(|d| d.is_ascii_digit()) {
                    cur.clear();
                    in_word = false;
                } else {
                    finish(&mut cur, &mut in_word, &mut skip_next_word, &mut out);
                }
                while chars.peek().is_some_and(|d| matches!(d, '>' | '<')) {
                    chars.next();
                }
                if chars.peek() == Some(&'&') {
                    chars.next();
                    while chars
                        .peek()
                        .is_some_and(|d| d.is_ascii_digit() || *d == '-')
                    {
                        chars.next();
                    }
                } else {
                    skip_next_word = true;
                }
            }
            '&' if chars.peek() == Some(&'>') => {
                finish(&mut cur, &mut in_word, &mut skip_next_word, &mut out);
                chars.next();
                skip_next_word = true;
            }
            ';' | '|' | '&' | '(' | ')' | '\n' => {
                finish(&mut cur, &mut in_word, &mut skip_next_word, &mut out);
                if let Some(&d) = chars.peek()
                    && (d == c && (c == '&' || c == '|'))
                {
                    chars.next();
                }
                if out.last() != Some(&Tok::Sep) {
                    out.push(Tok::Sep);
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    finish(&mut cur, &mut in_word, &mut skip_next_word, &mut out);
    out
}

pub(super) fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Whether a word is a placeholder or depends on the shell (`<target>`, `$X`, globs).
pub(super) fn unjudgeable(w: &str) -> bool {
    w.contains(['$', '<', '>', '{', '}', '*', '?', '[', ']', '`', '~'])
        || w.contains("...") && !w.starts_with("./") && !w.starts_with("../")
        || w.contains('…')
}

/// Split a command line into its simple commands and what each asks of the
/// repository. `cd DIR` moves the folder later commands are judged in.
pub(super) fn parse_command(line: &str) -> Vec<Named> {
    let line = line.trim();
    let line = line.strip_prefix("$ ").unwrap_or(line);
    let mut out = Vec::new();
    // `make <target>` and `{{cmd}}` are templates, not commands.
    let templated = line.contains("{{")
        || line.char_indices().any(|(i, c)| {
            c == '<'
                && line[i + 1..].find('>').is_some_and(|j| {
                    j > 0
                        && line[i + 1..i + 1 + j].chars().all(|d| {
                            d.is_alphanumeric() || matches!(d, '-' | '_' | ' ' | '.' | '/')
                        })
                })
        });
    let toks = tokenize(line);
    let mut cwd: Option<String> = Some(String::new());
    let mut words: Vec<String> = Vec::new();
    let flush = |words: &mut Vec<String>, cwd: &mut Option<String>, out: &mut Vec<Named>| {
        if words.is_empty() {
            return;
        }
        let mut w: Vec<String> = std::mem::take(words);
        // Leading assignments and wrappers run the rest.
        loop {
            match w.first().map(String::as_str) {
                Some(x) if is_assignment(x) => {
                    w.remove(0);
                }
                Some("env" | "time" | "command" | "exec" | "nohup" | "sudo" | "!") => {
                    w.remove(0);
                }
                _ => break,
            }
        }
        let Some(program) = w.first() else { return };
        if program == "cd" || program == "pushd" {
            *cwd = match (&*cwd, w.get(1)) {
                (Some(d), Some(arg)) if !unjudgeable(arg) && arg != "-" => normalize_rel(d, arg),
                _ => None,
            };
            return;
        }
        let text = w.join(" ");
        let invocation = match &*cwd {
            Some(dir) if !templated => invocation(dir, &w),
            _ => None,
        };
        out.push(Named { text, invocation });
    };
    for t in toks {
        match t {
            Tok::Word(w) => words.push(w),
            Tok::Sep => flush(&mut words, &mut cwd, &mut out),
        }
    }
    flush(&mut words, &mut cwd, &mut out);
    out
}

/// What the simple command `w` (program first) needs, run in `dir`.
pub(super) fn invocation(dir: &str, w: &[String]) -> Option<Invocation> {
    let program = w[0].as_str();
    let args = &w[1..];
    if args.iter().any(|a| unjudgeable(a)) && !matches!(program, "go") {
        return None;
    }
    match program {
        "make" | "gmake" => make_invocation(dir, args),
        "npm" => npm_invocation(dir, args),
        "pnpm" | "yarn" => pnpm_yarn_invocation(program, dir, args),
        "just" => just_invocation(dir, args),
        "cargo" => cargo_invocation(dir, args),
        "go" => go_invocation(dir, args),
        "pytest" | "py.test" => pytest_invocation(dir, args),
        "python" | "python3" => {
            // `python -m pytest …`
            if let Some(i) = args.iter().position(|a| a == "-m") {
                return match args.get(i + 1).map(String::as_str) {
                    Some("pytest") => pytest_invocation(dir, &args[i + 2..]),
                    _ => None,
                };
            }
            script_invocation(dir, args, &["-c"], &["-W", "-X", "-Q"])
        }
        "bash" | "sh" | "zsh" | "dash" | "ksh" => {
            script_invocation(dir, args, &["-c"], &["-o", "-O", "+O"])
        }
        "node" | "deno" | "bun" | "ruby" | "perl" | "tsx" | "ts-node" => script_invocation(
            dir,
            args,
            &["-e", "-p", "--eval", "--print", "-E"],
            &["-r", "--require", "-I"],
        ),
        p if runs_a_path(p) => {
            let path = normalize_rel("", p)?;
            Some(Invocation::Paths {
                dir: dir.to_string(),
                paths: vec![path],
            })
        }
        _ => None,
    }
}

/// Whether a program word runs a file of the repository (`./x`, `scripts/x.sh`):
/// relative, with a slash, and either `./`-rooted or a script by its extension
/// (so that output such as `src/lib.rs:3:` in a code block is not taken for one).
pub(super) fn runs_a_path(p: &str) -> bool {
    if !p.contains('/') || p.starts_with('/') || unjudgeable(p) || p.contains([':', '=', ',']) {
        return false;
    }
    if p.starts_with("./") || p.starts_with("../") {
        return true;
    }
    let last = p.rsplit('/').next().unwrap_or(p);
    match last.rsplit_once('.') {
        None => !last.is_empty(),
        Some((_, ext)) => matches!(
            ext,
            "sh" | "bash" | "zsh" | "py" | "rb" | "pl" | "js" | "mjs" | "ts" | "ps1"
        ),
    }
}

/// The value of `--flag VALUE` / `--flag=VALUE` / `-fVALUE` at `args[i]`, and how
/// many words it took.
pub(super) fn flag_value(
    args: &[String],
    i: usize,
    short: &[&str],
    long: &[&str],
) -> Option<(String, usize)> {
    let a = args[i].as_str();
    for l in long {
        if a == *l {
            return args.get(i + 1).map(|v| (v.clone(), 2));
        }
        if let Some(v) = a.strip_prefix(l).and_then(|r| r.strip_prefix('=')) {
            return Some((v.to_string(), 1));
        }
    }
    for s in short {
        if a == *s {
            return args.get(i + 1).map(|v| (v.clone(), 2));
        }
        if let Some(v) = a.strip_prefix(s)
            && !v.is_empty()
            && !a.starts_with("--")
        {
            return Some((v.trim_start_matches('=').to_string(), 1));
        }
    }
    None
}

pub(super) fn make_invocation(dir: &str, args: &[String]) -> Option<Invocation> {
    let mut dir = dir.to_string();
    let mut file = None;
    let mut targets = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if let Some((v, n)) = flag_value(args, i, &["-C"], &["--directory"]) {
            dir = normalize_rel(&dir, &v)?;
            i += n;
        } else if let Some((v, n)) = flag_value(args, i, &["-f"], &["--file", "--makefile"]) {
            file = Some(v);
            i += n;
        } else if let Some((_, n)) = flag_value(
            args,
            i,
            &["-I", "-o", "-W"],
            &[
                "--include-dir",
                "--old-file",
                "--what-if",
                "--assume-new",
                "--assume-old",
                "--new-file",
            ],
        ) {
            i += n;
        } else if a == "-j" || a == "-l" {
            // An optional number follows.
            i += if args.get(i + 1).is_some_and(|n| n.parse::<u32>().is_ok()) {
                2
            } else {
                1
            };
        } else if a.starts_with('-') || is_assignment(a) {
            i += 1;
        } else {
            targets.push(a.to_string());
            i += 1;
        }
    }
    let file = match file {
        Some(f) => Some(normalize_rel(&dir, &f)?),
        None => None,
    };
    Some(Invocation::Make { dir, file, targets })
}

pub(super) fn node_dir(
    dir: &str,
    args: &[String],
    i: usize,
    flags_short: &[&str],
    flags_long: &[&str],
) -> Option<(Option<String>, usize)> {
    flag_value(args, i, flags_short, flags_long).map(|(v, n)| (normalize_rel(dir, &v), n))
}

pub(super) fn npm_invocation(dir: &str, args: &[String]) -> Option<Invocation> {
    let mut dir = dir.to_string();
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if matches!(
            a,
            "-w" | "--workspace" | "--workspaces" | "-ws" | "--global" | "-g"
        ) || a.starts_with("--workspace=")
        {
            return None;
        }
        if let Some((d, n)) = node_dir(&dir, args, i, &[], &["--prefix"]) {
            dir = d?;
            i += n;
            continue;
        }
        if a == "--" {
            break;
        }
        if !a.starts_with('-') {
            rest.push(a);
        }
        i += 1;
    }
    let script = |s: &str| Invocation::NodeScript {
        dir: dir.clone(),
        script: s.to_string(),
        bare: false,
    };
    match rest.first().copied() {
        Some("run" | "run-script" | "rum" | "urn") => match rest.get(1) {
            Some(s) => Some(script(s)),
            None => Some(Invocation::PackageJson { dir }),
        },
        Some("test" | "t" | "tst") => Some(script("test")),
        Some(s @ ("start" | "stop" | "restart")) => Some(script(s)),
        Some("install" | "i" | "ci" | "clean-install" | "it" | "install-test")
            if rest.len() == 1 =>
        {
            Some(Invocation::PackageJson { dir })
        }
        _ => None,
    }
}

/// pnpm and yarn commands that are not scripts.
const PNPM_YARN_BUILTINS: &str = "add audit bin cache config create dedupe deploy dlx doctor env exec explain fetch \
    global help i import info init install licenses link list login logout ls node npm \
    outdated pack patch patch-commit plugin prune publish rebuild remove rm root server \
    set setup store unlink up update upgrade upgrade-interactive version why workspace \
    workspaces constraints self-update recursive multi m";

pub(super) fn pnpm_yarn_invocation(
    program: &str,
    dir: &str,
    args: &[String],
) -> Option<Invocation> {
    let mut dir = dir.to_string();
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if matches!(
            a,
            "-r" | "--recursive"
                | "-w"
                | "--workspace-root"
                | "-F"
                | "--filter"
                | "--global"
                | "-g"
        ) || a.starts_with("--filter=")
        {
            return None;
        }
        let (short, long): (&[&str], &[&str]) = if program == "pnpm" {
            (&["-C"], &["--dir"])
        } else {
            (&[], &["--cwd"])
        };
        if let Some((d, n)) = node_dir(&dir, args, i, short, long) {
            dir = d?;
            i += n;
            continue;
        }
        if a == "--" {
            break;
        }
        if !a.starts_with('-') {
            rest.push(a);
        }
        i += 1;
    }
    match rest.first().copied() {
        None if program == "yarn" => Some(Invocation::PackageJson { dir }),
        None => None,
        Some("run" | "run-script") => match rest.get(1) {
            Some(s) => Some(Invocation::NodeScript {
                dir,
                script: s.to_string(),
                bare: false,
            }),
            None => Some(Invocation::PackageJson { dir }),
        },
        Some("install" | "i") if rest.len() == 1 => Some(Invocation::PackageJson { dir }),
        Some(s) if one_of(PNPM_YARN_BUILTINS, s) => None,
        Some(s) => Some(Invocation::NodeScript {
            dir,
            script: s.to_string(),
            bare: !matches!(s, "test" | "start" | "stop" | "restart"),
        }),
    }
}

pub(super) fn just_invocation(dir: &str, args: &[String]) -> Option<Invocation> {
    let mut dir = dir.to_string();
    let mut file = None;
    let mut recipe = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if let Some((v, n)) = flag_value(args, i, &["-f"], &["--justfile"]) {
            file = Some(normalize_rel(&dir, &v)?);
            i += n;
        } else if let Some((v, n)) = flag_value(args, i, &["-d"], &["--working-directory"]) {
            dir = normalize_rel(&dir, &v)?;
            i += n;
        } else if let Some((_, n)) = flag_value(
            args,
            i,
            &[],
            &[
                "--set",
                "--shell",
                "--dotenv-path",
                "--dotenv-filename",
                "--color",
                "--chooser",
            ],
        ) {
            i += n + usize::from(a == "--set");
        } else if a.starts_with('-') {
            // `--list`, `--summary`, `--evaluate`…: no recipe is run.
            if matches!(
                a,
                "-l" | "--list"
                    | "--summary"
                    | "--evaluate"
                    | "--show"
                    | "-s"
                    | "--choose"
                    | "--dump"
                    | "--init"
                    | "--edit"
                    | "--fmt"
            ) {
                return None;
            }
            i += 1;
        } else if is_assignment(a) {
            i += 1;
        } else {
            if a.contains("::") || a.contains('/') {
                return None;
            }
            recipe = Some(a.to_string());
            break;
        }
    }
    Some(Invocation::Just { dir, file, recipe })
}

/// cargo commands that need a `Cargo.toml`.
const CARGO_PROJECT_COMMANDS: &str = "build b check c test t run r bench clippy doc d fmt fix nextest tarpaulin llvm-cov \
    miri tree metadata update package publish insta fuzz deny audit udeps machete hack";

pub(super) fn cargo_invocation(dir: &str, args: &[String]) -> Option<Invocation> {
    let mut manifest = None;
    let mut targets = Vec::new();
    let mut package = false;
    let mut sub: Option<&str> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            break;
        }
        if a.starts_with('+') && sub.is_none() {
            i += 1;
            continue;
        }
        if let Some((v, n)) = flag_value(args, i, &[], &["--manifest-path"]) {
            manifest = Some(normalize_rel(dir, &v)?);
            i += n;
            continue;
        }
        let mut matched = false;
        for kind in [
            CargoTarget::Test,
            CargoTarget::Bench,
            CargoTarget::Example,
            CargoTarget::Bin,
        ] {
            if let Some((v, n)) = flag_value(args, i, &[], &[kind.flag()]) {
                if !v.starts_with('-') && !v.is_empty() {
                    targets.push((kind, v));
                }
                i += n;
                matched = true;
                break;
            }
        }
        if matched {
            continue;
        }
        if let Some((_, n)) = flag_value(args, i, &["-p"], &["--package"]) {
            package = true;
            i += n;
            continue;
        }
        if a == "--workspace" || a == "--all" {
            package = true;
        }
        if let Some((_, n)) = flag_value(
            args,
            i,
            &["-j", "-F", "-Z"],
            &[
                "--color",
                "--config",
                "--features",
                "--target",
                "--target-dir",
                "--profile",
                "--jobs",
                "--exclude",
                "--message-format",
            ],
        ) {
            i += n;
            continue;
        }
        if sub.is_none() && !a.starts_with('-') {
            sub = Some(a);
        }
        i += 1;
    }
    let sub = sub?;
    if !one_of(CARGO_PROJECT_COMMANDS, sub) {
        return None;
    }
    Some(Invocation::Cargo {
        dir: dir.to_string(),
        manifest,
        targets,
        package,
    })
}

pub(super) fn go_invocation(dir: &str, args: &[String]) -> Option<Invocation> {
    let sub = args.first()?.as_str();
    if !matches!(
        sub,
        "test" | "build" | "vet" | "run" | "generate" | "install"
    ) {
        return None;
    }
    let mut paths = Vec::new();
    for a in &args[1..] {
        if a == "--" || (sub == "run" && !paths.is_empty()) {
            break;
        }
        let relative = a.starts_with("./") || a.starts_with("../") || a == ".";
        if relative || (a.ends_with(".go") && !a.starts_with('-')) {
            let p = a.strip_suffix("/...").unwrap_or(a);
            let p = if p == "..." { "." } else { p };
            if unjudgeable(p) {
                return None;
            }
            paths.push(normalize_rel("", p)?);
        }
    }
    Some(Invocation::Go {
        dir: dir.to_string(),
        paths,
    })
}

/// pytest options followed by a value.
const PYTEST_VALUE_FLAGS: &str = "-k -m -c -p -o -n -W -r --maxfail --rootdir --junitxml --junit-xml --deselect \
    --ignore --ignore-glob --confcutdir --basetemp --tb --durations --log-level \
    --timeout --cov --cov-report --cov-config --cov-fail-under --dist --numprocesses \
    --capture --import-mode";

pub(super) fn pytest_invocation(dir: &str, args: &[String]) -> Option<Invocation> {
    let mut paths = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if one_of(PYTEST_VALUE_FLAGS, a) {
            i += 2;
            continue;
        }
        if !a.starts_with('-') && !a.contains('=') {
            let p = a.split("::").next().unwrap_or(a);
            paths.push(normalize_rel("", p)?);
        }
        i += 1;
    }
    if paths.is_empty() {
        return None;
    }
    Some(Invocation::Paths {
        dir: dir.to_string(),
        paths,
    })
}

/// `bash FILE`, `python FILE`, …: the first word that is not an option is the file.
pub(super) fn script_invocation(
    dir: &str,
    args: &[String],
    inline: &[&str],
    valued: &[&str],
) -> Option<Invocation> {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if inline.contains(&a) {
            return None;
        }
        if valued.contains(&a) {
            i += 2;
            continue;
        }
        if a == "--" {
            i += 1;
            continue;
        }
        if a.starts_with('-') || a.starts_with('+') {
            i += 1;
            continue;
        }
        let path = normalize_rel("", a)?;
        return Some(Invocation::Paths {
            dir: dir.to_string(),
            paths: vec![path],
        });
    }
    None
}

/// How a repository-relative folder is named in messages.
pub(super) fn where_(dir: &str) -> String {
    if dir.is_empty() {
        "the repository root".into()
    } else {
        format!("{dir}/")
    }
}

pub(super) fn join(dir: &str, rel: &str) -> String {
    match (dir.is_empty(), rel.is_empty()) {
        (true, _) => rel.to_string(),
        (_, true) => dir.to_string(),
        _ => format!("{dir}/{rel}"),
    }
}

/// `dir` and its parents up to the root, nearest first.
pub(super) fn ancestors(dir: &str) -> Vec<String> {
    let mut out = vec![dir.to_string()];
    let mut d = dir;
    while !d.is_empty() {
        d = d.rsplit_once('/').map_or("", |(h, _)| h);
        out.push(d.to_string());
    }
    out
}

/// Whether the command's needs are in the repository; `Err` says what is missing.
pub(super) fn judge(root: &Path, inv: &Invocation) -> Result<(), String> {
    let at = |rel: &str| -> PathBuf { root.join(rel) };
    match inv {
        Invocation::Make { dir, file, targets } => {
            let mk = match file {
                Some(f) => {
                    if !at(f).is_file() {
                        return Err(format!("there is no makefile `{f}`"));
                    }
                    f.clone()
                }
                None => ["GNUmakefile", "makefile", "Makefile"]
                    .iter()
                    .map(|n| join(dir, n))
                    .find(|p| at(p).is_file())
                    .ok_or_else(|| format!("there is no Makefile in {}", where_(dir)))?,
            };
            let mut found = BTreeSet::new();
            let mut dynamic = false;
            make_targets(root, &mk, &mut found, &mut dynamic, 0);
            let missing: Vec<&String> = targets.iter().filter(|t| !found.contains(*t)).collect();
            if missing.is_empty() || dynamic {
                Ok(())
            } else {
                Err(format!(
                    "`{mk}` has no target {}",
                    missing
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
        Invocation::NodeScript { dir, script, bare } => {
            let pj = join(dir, "package.json");
            let v = read_package_json(root, &pj)?;
            let has_script = v
                .get("scripts")
                .and_then(|s| s.as_object())
                .is_some_and(|s| s.contains_key(script));
            if has_script {
                return Ok(());
            }
            if script == "start" && at(&join(dir, "server.js")).is_file() {
                return Ok(());
            }
            if *bare {
                let dep = [
                    "dependencies",
                    "devDependencies",
                    "optionalDependencies",
                    "peerDependencies",
                ]
                .iter()
                .any(|k| {
                    v.get(k)
                        .and_then(|d| d.as_object())
                        .is_some_and(|d| d.contains_key(script))
                });
                if dep || at(&join(dir, &format!("node_modules/.bin/{script}"))).exists() {
                    return Ok(());
                }
            }
            Err(format!("`{pj}` has no script `{script}`"))
        }
        Invocation::PackageJson { dir } => {
            read_package_json(root, &join(dir, "package.json")).map(|_| ())
        }
        Invocation::Just { dir, file, recipe } => {
            let jf = match file {
                Some(f) if at(f).is_file() => f.clone(),
                Some(f) => return Err(format!("there is no justfile `{f}`")),
                None => find_justfile(root, dir)
                    .ok_or_else(|| format!("there is no justfile in {} or above", where_(dir)))?,
            };
            let Some(recipe) = recipe else { return Ok(()) };
            let text = std::fs::read_to_string(at(&jf)).unwrap_or_default();
            let (recipes, dynamic) = just_recipes(&text);
            if recipes.contains(recipe) || dynamic {
                Ok(())
            } else {
                Err(format!("`{jf}` has no recipe `{recipe}`"))
            }
        }
        Invocation::Cargo {
            dir,
            manifest,
            targets,
            package,
        } => {
            let manifest = match manifest {
                Some(m) if at(m).is_file() => m.clone(),
                Some(m) => return Err(format!("there is no manifest `{m}`")),
                None => ancestors(dir)
                    .iter()
                    .map(|d| join(d, "Cargo.toml"))
                    .find(|p| at(p).is_file())
                    .ok_or_else(|| format!("there is no Cargo.toml in {} or above", where_(dir)))?,
            };
            let pkg_dir = manifest.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            let text = std::fs::read_to_string(at(&manifest)).unwrap_or_default();
            let workspace = text.lines().any(|l| l.trim() == "[workspace]");
            for (kind, name) in targets {
                if cargo_target_exists(root, &pkg_dir, &text, *kind, name, *package || workspace) {
                    continue;
                }
                return Err(format!(
                    "there is no {} target `{name}` (no `{}`)",
                    kind.flag().trim_start_matches('-'),
                    join(&pkg_dir, &format!("{}/{name}.rs", kind.folder()))
                ));
            }
            Ok(())
        }
        Invocation::Go { dir, paths } => {
            if !ancestors(dir)
                .iter()
                .any(|d| at(&join(d, "go.mod")).is_file())
            {
                return Err(format!("there is no go.mod in {} or above", where_(dir)));
            }
            for p in paths {
                let full = normalize_rel(dir, p).unwrap_or_default();
                if !at(&full).exists() {
                    return Err(format!("`{p}` does not exist in {}", where_(dir)));
                }
            }
            Ok(())
        }
        Invocation::Paths { dir, paths } => {
            for p in paths {
                let Some(full) = normalize_rel(dir, p) else {
                    continue;
                };
                if !at(&full).exists() {
                    return Err(if dir.is_empty() {
                        format!("`{p}` does not exist")
                    } else {
                        format!("`{p}` does not exist in {}", where_(dir))
                    });
                }
            }
            Ok(())
        }
    }
}

pub(super) fn read_package_json(root: &Path, rel: &str) -> Result<serde_json::Value, String> {
    let text =
        std::fs::read_to_string(root.join(rel)).map_err(|_| format!("there is no `{rel}`"))?;
    serde_json::from_str(&text).map_err(|e| format!("`{rel}` is not valid JSON: {e}"))
}

pub(super) fn find_justfile(root: &Path, dir: &str) -> Option<String> {
    for d in ancestors(dir) {
        let Ok(entries) = std::fs::read_dir(root.join(&d)) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                let l = n.to_lowercase();
                l == "justfile" || l == ".justfile"
            })
            .collect();
        names.sort();
        if let Some(n) = names.into_iter().next() {
            return Some(join(&d, &n));
        }
    }
    None
}

pub(super) fn cargo_target_exists(
    root: &Path,
    pkg_dir: &str,
    manifest: &str,
    kind: CargoTarget,
    name: &str,
    search_members: bool,
) -> bool {
    if manifest.contains(&format!("name = \"{name}\"")) {
        return true;
    }
    let candidates = |d: &str| {
        let folder = join(d, kind.folder());
        vec![
            join(&folder, &format!("{name}.rs")),
            join(&folder, &format!("{name}/main.rs")),
        ]
    };
    if candidates(pkg_dir).iter().any(|c| root.join(c).is_file()) {
        return true;
    }
    if !search_members {
        return false;
    }
    // A workspace: any member folder (a few levels down) with the target.
    let mut stack = vec![(pkg_dir.to_string(), 0)];
    while let Some((d, depth)) = stack.pop() {
        if candidates(&d).iter().any(|c| root.join(c).is_file()) {
            return true;
        }
        if let Ok(m) = std::fs::read_to_string(root.join(join(&d, "Cargo.toml")))
            && m.contains(&format!("name = \"{name}\""))
            && depth > 0
        {
            return true;
        }
        if depth >= 3 {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(root.join(&d)) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with('.') || matches!(n.as_str(), "target" | "node_modules") {
                continue;
            }
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push((join(&d, &n), depth + 1));
            }
        }
    }
    false
}

/// The rules of a makefile and its includes; `dynamic` when some target names are
/// computed (`$(X):`, `%.o:`) or an include cannot be read, so a missing one may exist.
pub(super) fn make_targets(
    root: &Path,
    rel: &str,
    out: &mut BTreeSet<String>,
    dynamic: &mut bool,
    depth: u8,
) {
    let Ok(text) = std::fs::read_to_string(root.join(rel)) else {
        *dynamic = true;
        return;
    };
    let base = rel.rsplit_once('/').map_or("", |(d, _)| d);
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut in_define = false;
    for line in joined.lines() {
        if line.starts_with('\t') {
            continue;
        }
        let l = match line.find('#') {
            Some(i) if !line[..i].ends_with('\\') => &line[..i],
            _ => line,
        };
        let t = l.trim();
        if in_define {
            if t.starts_with("endef") {
                in_define = false;
            }
            continue;
        }
        let first = t.split_whitespace().next().unwrap_or("");
        match first {
            "define" => {
                in_define = true;
                continue;
            }
            "include" | "-include" | "sinclude" => {
                for f in t.split_whitespace().skip(1) {
                    if f.contains(['$', '*', '?']) || depth >= 5 {
                        *dynamic = true;
                    } else if let Some(p) = normalize_rel(base, f) {
                        make_targets(root, &p, out, dynamic, depth + 1);
                    }
                }
                continue;
            }
            "ifeq" | "ifneq" | "ifdef" | "ifndef" | "else" | "endif" | "export" | "unexport"
            | "override" | "vpath" | "undefine" | "private" => continue,
            _ => {}
        }
        let Some(colon) = l.find(':') else { continue };
        let (before, after) = (&l[..colon], &l[colon + 1..]);
        if before.contains('=') || after.starts_with('=') || after.starts_with(":=") {
            continue;
        }
        let before = before.trim().trim_end_matches('&');
        for name in before.split_whitespace() {
            if name.contains(['$', '%']) {
                *dynamic = true;
            } else if !name.starts_with('.') || name.contains('/') {
                out.insert(name.to_string());
            }
        }
    }
}

/// The recipes and aliases of a justfile; `dynamic` when it imports others.
pub(super) fn just_recipes(text: &str) -> (BTreeSet<String>, bool) {
    let mut out = BTreeSet::new();
    let mut dynamic = false;
    for line in text.lines() {
        if line.starts_with([' ', '\t', '#', '[']) || line.trim().is_empty() {
            continue;
        }
        let t = line.trim_end();
        let first = t.split_whitespace().next().unwrap_or("");
        match first {
            "import" | "import?" | "mod" | "mod?" => {
                dynamic = true;
                continue;
            }
            "alias" => {
                if let Some(name) = t.split_whitespace().nth(1) {
                    out.insert(name.trim_end_matches(':').to_string());
                }
                continue;
            }
            "set" | "export" => continue,
            _ => {}
        }
        let t = t.strip_prefix('@').unwrap_or(t);
        let ident: String = t
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if ident.is_empty() {
            continue;
        }
        let rest = &t[ident.len()..];
        if rest.trim_start().starts_with(":=") || rest.trim_start().starts_with('=') {
            continue;
        }
        if let Some(i) = rest.find(':')
            && !rest[i + 1..].starts_with('=')
        {
            out.insert(ident);
        }
    }
    (out, dynamic)
}

#[cfg(test)]
mod tests {
    use super::super::markdown::Doc;
    use super::*;

    fn inv(line: &str) -> Vec<Option<Invocation>> {
        parse_command(line)
            .into_iter()
            .map(|n| n.invocation)
            .collect()
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn make_commands() {
        assert_eq!(
            inv("make test"),
            [Some(Invocation::Make {
                dir: "".into(),
                file: None,
                targets: s(&["test"])
            })]
        );
        assert_eq!(
            inv("make -C web -j 4 build lint V=1"),
            [Some(Invocation::Make {
                dir: "web".into(),
                file: None,
                targets: s(&["build", "lint"])
            })]
        );
        assert_eq!(
            inv("make -f ci.mk check"),
            [Some(Invocation::Make {
                dir: "".into(),
                file: Some("ci.mk".into()),
                targets: s(&["check"])
            })]
        );
        assert_eq!(inv("make <target>"), [None]);
        assert_eq!(inv("make $TARGET"), [None]);
    }

    #[test]
    fn node_commands() {
        let script = |dir: &str, s: &str, bare| {
            Some(Invocation::NodeScript {
                dir: dir.into(),
                script: s.into(),
                bare,
            })
        };
        assert_eq!(inv("npm run lint"), [script("", "lint", false)]);
        assert_eq!(inv("npm run lint -- --fix"), [script("", "lint", false)]);
        assert_eq!(inv("npm test"), [script("", "test", false)]);
        assert_eq!(
            inv("npm --prefix web run build"),
            [script("web", "build", false)]
        );
        assert_eq!(
            inv("npm ci"),
            [Some(Invocation::PackageJson { dir: "".into() })]
        );
        assert_eq!(inv("npm exec foo"), [None]);
        assert_eq!(inv("npm run build -w app"), [None]);
        assert_eq!(inv("pnpm lint"), [script("", "lint", true)]);
        assert_eq!(inv("pnpm test"), [script("", "test", false)]);
        assert_eq!(inv("pnpm -C web run e2e"), [script("web", "e2e", false)]);
        assert_eq!(inv("pnpm add left-pad"), [None]);
        assert_eq!(inv("yarn build"), [script("", "build", true)]);
        assert_eq!(
            inv("yarn"),
            [Some(Invocation::PackageJson { dir: "".into() })]
        );
        assert_eq!(inv("yarn workspace app build"), [None]);
    }

    #[test]
    fn cd_and_separators() {
        let got = inv("cd web && npm run lint; make -C .. test | tee out.txt");
        assert_eq!(
            got,
            [
                Some(Invocation::NodeScript {
                    dir: "web".into(),
                    script: "lint".into(),
                    bare: false
                }),
                Some(Invocation::Make {
                    dir: "".into(),
                    file: None,
                    targets: s(&["test"])
                }),
                None,
            ]
        );
        // Leaving the repository, or an unknown folder, stops judging.
        assert_eq!(inv("cd .. && make test"), [None]);
        assert_eq!(inv("cd $DIR && make test"), [None]);
        assert_eq!(inv("cd && make test"), [None]);
    }

    #[test]
    fn redirections_assignments_and_quotes() {
        assert_eq!(
            inv("RUST_LOG=debug cargo test --test handoff 2>&1 > log.txt"),
            [Some(Invocation::Cargo {
                dir: "".into(),
                manifest: None,
                targets: vec![(CargoTarget::Test, "handoff".into())],
                package: false
            })]
        );
        assert_eq!(
            inv("bash 'scripts/my check.sh' --fast"),
            [Some(Invocation::Paths {
                dir: "".into(),
                paths: s(&["scripts/my check.sh"])
            })]
        );
        assert_eq!(inv("echo \"make test\" # make lint"), [None]);
    }

    #[test]
    fn cargo_commands() {
        assert_eq!(
            inv("cargo +nightly test --test=cli -- --nocapture"),
            [Some(Invocation::Cargo {
                dir: "".into(),
                manifest: None,
                targets: vec![(CargoTarget::Test, "cli".into())],
                package: false
            })]
        );
        assert_eq!(
            inv("cargo build --manifest-path tools/x/Cargo.toml"),
            [Some(Invocation::Cargo {
                dir: "".into(),
                manifest: Some("tools/x/Cargo.toml".into()),
                targets: vec![],
                package: false
            })]
        );
        assert_eq!(inv("cargo install ripgrep"), [None]);
        assert_eq!(inv("cargo"), [None]);
    }

    #[test]
    fn scripts_tests_and_unknown_programs() {
        let paths = |p: &[&str]| {
            Some(Invocation::Paths {
                dir: "".into(),
                paths: s(p),
            })
        };
        assert_eq!(
            inv("./scripts/smoke.sh --quick"),
            [paths(&["scripts/smoke.sh"])]
        );
        assert_eq!(inv("scripts/smoke.sh"), [paths(&["scripts/smoke.sh"])]);
        assert_eq!(inv("python3 -u tools/gen.py x"), [paths(&["tools/gen.py"])]);
        assert_eq!(inv("python -c 'print(1)'"), [None]);
        assert_eq!(
            inv("pytest -k 'not slow' tests/test_a.py::test_x tests/b"),
            [paths(&["tests/test_a.py", "tests/b"])]
        );
        assert_eq!(inv("python -m pytest tests"), [paths(&["tests"])]);
        assert_eq!(inv("pytest"), [None]);
        assert_eq!(
            inv("go test ./internal/... ./cmd/x"),
            [Some(Invocation::Go {
                dir: "".into(),
                paths: s(&["internal", "cmd/x"])
            })]
        );
        assert_eq!(
            inv("just test"),
            [Some(Invocation::Just {
                dir: "".into(),
                file: None,
                recipe: Some("test".into())
            })]
        );
        assert_eq!(inv("just --list"), [None]);
        assert_eq!(inv("genie check"), [None]);
        assert_eq!(inv("docker compose up"), [None]);
        assert_eq!(inv("/usr/bin/make test"), [None]);
    }

    #[test]
    fn makefile_targets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Makefile"),
            "VAR := x\nCC=gcc\n.PHONY: test lint\n\ntest lint: deps ## run\n\t@echo $(VAR)\nbuild:\n\tcc\ninclude more.mk\ndefine X\nfake:\nendef\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("more.mk"), "deploy: build\n").unwrap();
        let mut t = BTreeSet::new();
        let mut dynamic = false;
        make_targets(dir.path(), "Makefile", &mut t, &mut dynamic, 0);
        assert_eq!(
            t.into_iter().collect::<Vec<_>>(),
            ["build", "deploy", "lint", "test"]
        );
        assert!(!dynamic);
    }

    #[test]
    fn justfile_recipes() {
        let (r, dynamic) = just_recipes(
            "set shell := [\"bash\", \"-c\"]\nversion := \"1\"\n\n# Run tests\ntest *args:\n    cargo test {{args}}\n@lint: test\n    true\nalias t := test\n[private]\nbuild target='x':\n  echo\n",
        );
        assert_eq!(
            r.into_iter().collect::<Vec<_>>(),
            ["build", "lint", "t", "test"]
        );
        assert!(!dynamic);
    }

    #[test]
    fn code_spans_and_shell_blocks() {
        assert_eq!(
            code_spans("run `make test` then ``a ` b``"),
            ["make test", "a ` b"]
        );
        let doc = Doc::parse(
            "```bash\n# comment\n$ make test\ncargo build \\\n  --release\n```\n```console\n$ npm test\nok 1\n```\n```rust\nfn main() {}\n```\n",
        );
        let cmds: Vec<(u32, String)> = command_texts(&doc.lines);
        assert_eq!(
            cmds,
            [
                (3, "make test".to_string()),
                (4, "cargo build --release".to_string()),
                (8, "npm test".to_string()),
            ]
        );
    }
}
