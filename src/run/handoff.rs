//! `genie handoff check`: is a handoff package complete enough for a reviewer?
//!
//! A task (an AI agent, or a person) that ends leaves a package for whoever reviews
//! its work: by default `review/handoff.md` and `review/test-plan.md`. [`check`]
//! reads the package (nothing else is run) and scores it out of 100:
//!
//! | check | points | what is judged |
//! |---|---|---|
//! | `files` | 10 | every file of `[handoff] files` is present and not blank (shared equally among the files) |
//! | `sections` | 45 | every required section of the handoff file is there and filled (shared equally among the required sections) |
//! | `decisions` | 10 | every item of the decisions section carries its reason (shared among the decisions) |
//! | `commands` | 15 | every command the package names to run the work exists in the repository (shared among the commands judged) |
//! | `artifacts` | 10 | every path listed in the files-and-artifacts section exists (shared among the paths) |
//! | `test-plan` | 10 | the test plan lists at least one item or table row |
//!
//! Shares are whole points: 45 over 9 sections is 5 each; when a weight does not
//! divide evenly the first items carry one point more. A check with nothing to
//! judge (no decisions, no commands, no paths) keeps its points. A missing or blank
//! file loses its share of `files` and every check that reads it: a missing handoff
//! file scores no `sections`, `decisions`, `commands` or `artifacts`, and a missing
//! test plan no `test-plan`; those points are counted on the `missing-file` gap.
//! So a missing package scores 0, and the points of the gaps always add up to
//! `100 - score`.
//!
//! Sections are markdown headings of any level, matched to a configured section by
//! its name or an alias: case-insensitively, `&` read as `and`, punctuation and a
//! leading number ignored, and a heading that starts with the name counts
//! (`## Key decisions (and why)`). A section is filled when it holds text other
//! than placeholders (`TBD`, `TODO`, `…`, `-`, `<describe>`, `[fill in]`, `{{x}}`);
//! "none", "n/a", "нет" fill the sections configured with `none_ok` (blocked, what
//! failed, open questions, …) and no others. HTML comments never fill a section.
//!
//! A decision is a top-level list item, a table row, a sub-heading with its text,
//! or a paragraph. It carries a reason when it says why ("because", "since", "so
//! that", "to avoid", "потому что", "чтобы", "так как", …), explains itself after a
//! dash (`Use Postgres — transactions`), has a reason column in a table, or has
//! nested lines under it.
//!
//! Commands are read from the inline code and shell code blocks of the sections
//! with `role = "commands"` (test status, how to run) and of the whole test plan.
//! A command whose program is a known runner is judged against the repository; `cd`
//! is followed, `&&`, `||`, `;` and `|` split commands:
//!
//! | command | exists when |
//! |---|---|
//! | `make [T…]`, `make -C D`, `make -f F` | a Makefile (GNUmakefile, makefile) with a rule for each target (includes followed; generated targets are trusted) |
//! | `npm run S`, `npm test`, `pnpm S`, `yarn S` | `package.json` has the script `S` (a bare `pnpm S` / `yarn S` may also name a dependency's binary) |
//! | `npm install`, `npm ci`, `yarn` | `package.json` exists |
//! | `just [R]` | a justfile (here or above) with the recipe or alias `R` |
//! | `cargo build/test/run/…` | `Cargo.toml` here or above; `--test N` / `--bench N` / `--example N` / `--bin N` a target of that name |
//! | `go test/build/vet/run` | `go.mod` here or above; `./pkg/...` paths exist |
//! | `pytest PATH`, `python -m pytest PATH` | each path exists (`::test` suffixes ignored) |
//! | `./script`, `dir/script`, `bash F`, `sh F`, `python F`, `node F`, … | the file exists |
//!
//! Other programs (and `genie …`) are not judged. Placeholders (`make <target>`),
//! variables and absolute paths are not judged either.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::path::{Component, Path};

use serde::Serialize;

use crate::config::{HandoffConfig, HandoffRole};

mod commands;
mod markdown;

use commands::{command_texts, judge, parse_command};
use markdown::{Doc, Fill, artifact_paths, count_items, decision_items, fill_of, match_sections};

/// Points for the package's files being present and not blank.
pub const WEIGHT_FILES: u32 = 10;
/// Points for the required sections of the handoff file being present and filled.
pub const WEIGHT_SECTIONS: u32 = 45;
/// Points for every decision carrying its reason.
pub const WEIGHT_DECISIONS: u32 = 10;
/// Points for the commands named existing in the repository.
pub const WEIGHT_COMMANDS: u32 = 15;
/// Points for the files and artifacts listed existing.
pub const WEIGHT_ARTIFACTS: u32 = 10;
/// Points for a test plan that lists something.
pub const WEIGHT_TEST_PLAN: u32 = 10;

/// The score of a package, its gaps and how each check did.
#[derive(Debug, Clone, Serialize)]
pub struct HandoffReport {
    /// Version of this JSON shape.
    pub version: u32,
    /// The package's folder: repository-relative with `/` (`.` for the root) when inside it.
    pub dir: String,
    /// 0 to 100: the sum of the checks' scores.
    pub score: u32,
    /// The minimum the score was compared with (`[handoff] min_score`).
    pub min_score: u32,
    /// `score >= min_score`.
    pub passed: bool,
    /// What is missing or wrong, each with the points it costs.
    pub gaps: Vec<Gap>,
    /// Every check, in the order of the table in the module documentation.
    pub checks: Vec<CheckScore>,
}

impl HandoffReport {
    /// Whether the package passes with another minimum.
    pub fn passed(&self, min_score: u32) -> bool {
        self.score >= min_score
    }
}

/// One thing the package misses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub kind: GapKind,
    /// The file, shown like [`HandoffReport::dir`] (`review/handoff.md`).
    pub file: String,
    /// 1-based line, when the gap is at one.
    pub line: Option<u32>,
    pub message: String,
    /// Points the gap costs.
    pub points: u32,
}

/// The kinds of gaps, stable names for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GapKind {
    MissingFile,
    EmptyFile,
    MissingSection,
    EmptySection,
    PlaceholderSection,
    DecisionWithoutReason,
    BrokenCommand,
    MissingArtifact,
    TestPlanWithoutItems,
}

impl GapKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::MissingFile => "missing-file",
            GapKind::EmptyFile => "empty-file",
            GapKind::MissingSection => "missing-section",
            GapKind::EmptySection => "empty-section",
            GapKind::PlaceholderSection => "placeholder-section",
            GapKind::DecisionWithoutReason => "decision-without-reason",
            GapKind::BrokenCommand => "broken-command",
            GapKind::MissingArtifact => "missing-artifact",
            GapKind::TestPlanWithoutItems => "test-plan-without-items",
        }
    }
}

/// How one check did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckScore {
    /// `files`, `sections`, `decisions`, `commands`, `artifacts`, `test-plan`.
    pub name: &'static str,
    /// Points the check is worth.
    pub weight: u32,
    /// Points it scored.
    pub score: u32,
    /// What was judged, in a few words.
    pub summary: String,
}

/// A package that cannot be read: exit code 2. (A missing package is not an error:
/// it scores 0.)
#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    #[error("{0} is not a folder")]
    NotADirectory(String),
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// Score the package in `dir` (absolute, or relative to `repo_root`) against
/// `config`. Reads files only; the paths and commands the package names are
/// looked up under `repo_root`.
pub fn check(
    repo_root: &Path,
    dir: &Path,
    config: &HandoffConfig,
) -> Result<HandoffReport, HandoffError> {
    let pkg = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        repo_root.join(dir)
    };
    let shown_dir = display_path(repo_root, &pkg);
    if pkg.exists() && !pkg.is_dir() {
        return Err(HandoffError::NotADirectory(shown_dir));
    }
    let mut s = Scorer {
        root: repo_root,
        pkg: &pkg,
        shown_dir: &shown_dir,
        gaps: Vec::new(),
        checks: Vec::new(),
        file_gaps: BTreeMap::new(),
    };

    // Read every file the checks need.
    let mut names: Vec<&str> = config.files.iter().map(String::as_str).collect();
    for extra in [config.handoff.as_str(), config.test_plan.as_str()] {
        if !extra.is_empty() && !names.contains(&extra) {
            names.push(extra);
        }
    }
    let mut contents: BTreeMap<&str, FileState> = BTreeMap::new();
    for name in names {
        contents.insert(name, read_state(&pkg.join(name), &s.shown(name))?);
    }

    s.files(config, &contents);
    let handoff = match contents.get(config.handoff.as_str()) {
        Some(FileState::Text(t)) => Some(Doc::parse(t)),
        _ => None,
    };
    let test_plan = match contents.get(config.test_plan.as_str()) {
        Some(FileState::Text(t)) if !config.test_plan.is_empty() => Some(Doc::parse(t)),
        _ => None,
    };
    match &handoff {
        Some(doc) => {
            let found = match_sections(doc, &config.sections);
            s.sections(config, doc, &found);
            s.decisions(config, doc, &found);
            s.commands(config, doc, &found, test_plan.as_ref());
            s.artifacts(config, doc, &found);
        }
        None => {
            let what = s.file_problem(&config.handoff, &contents);
            for (name, weight) in [
                ("sections", WEIGHT_SECTIONS),
                ("decisions", WEIGHT_DECISIONS),
                ("commands", WEIGHT_COMMANDS),
                ("artifacts", WEIGHT_ARTIFACTS),
            ] {
                s.lost_to_file(&config.handoff, weight);
                s.push_check(name, weight, 0, format!("not judged: {what}"));
            }
        }
    }
    s.test_plan(config, &contents, test_plan.as_ref());

    let score = s.checks.iter().map(|c| c.score).sum::<u32>().min(100);
    Ok(HandoffReport {
        version: 1,
        dir: shown_dir.clone(),
        score,
        min_score: config.min_score,
        passed: score >= config.min_score,
        gaps: s.gaps,
        checks: s.checks,
    })
}

/// The report as a short human summary: one gap a paragraph, the checks, a verdict.
pub fn write_human(
    r: &HandoffReport,
    color: bool,
    quiet: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    for g in &r.gaps {
        let head = paint("1;33", &format!("gap[{}]", g.kind.as_str()));
        writeln!(out, "{head}: {} (-{})", g.message, points(g.points))?;
        let at = match g.line {
            Some(l) => format!("{}:{l}", g.file),
            None => g.file.clone(),
        };
        writeln!(out, "  {} {at}", paint("1;34", "-->"))?;
    }
    if quiet && r.gaps.is_empty() && r.passed {
        return Ok(());
    }
    let checks: Vec<String> = r
        .checks
        .iter()
        .map(|c| format!("{} {}/{}", c.name, c.score, c.weight))
        .collect();
    writeln!(out, "checks: {}", checks.join(", "))?;
    let gaps = match r.gaps.len() {
        0 => "no gaps".to_string(),
        1 => "1 gap".to_string(),
        n => format!("{n} gaps"),
    };
    if r.passed {
        writeln!(
            out,
            "{}: handoff {} scores {}/100 (minimum {}), {gaps}",
            paint("1;32", "ok"),
            r.dir,
            r.score,
            r.min_score
        )
    } else {
        writeln!(
            out,
            "{}: handoff {} scores {}/100, below the minimum {} ({gaps})",
            paint("1;31", "error"),
            r.dir,
            r.score,
            r.min_score
        )
    }
}

fn points(n: u32) -> String {
    if n == 1 {
        "1 point".into()
    } else {
        format!("{n} points")
    }
}

/// The report as JSON (pretty, one object, a newline after it).
pub fn write_json(r: &HandoffReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, r)?;
    writeln!(out)
}

// ---------------------------------------------------------------------------
// Scoring

enum FileState {
    Missing,
    Blank,
    Text(String),
}

/// Bytes of a package file that are read; a longer file is judged on its start.
const MAX_FILE_BYTES: u64 = 8 << 20;

fn read_state(path: &Path, shown: &str) -> Result<FileState, HandoffError> {
    use std::io::Read;
    let io_error = |source| HandoffError::Io {
        path: shown.to_string(),
        source,
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(e) => return Err(io_error(e)),
    };
    if path.is_dir() {
        return Ok(FileState::Missing);
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim().is_empty() {
        Ok(FileState::Blank)
    } else {
        Ok(FileState::Text(text.to_string()))
    }
}

struct Scorer<'a> {
    root: &'a Path,
    pkg: &'a Path,
    shown_dir: &'a str,
    gaps: Vec<Gap>,
    checks: Vec<CheckScore>,
    /// The gap of each missing or blank file, to charge dependent checks to.
    file_gaps: BTreeMap<String, usize>,
}

impl Scorer<'_> {
    fn shown(&self, name: &str) -> String {
        if self.shown_dir == "." {
            name.to_string()
        } else {
            format!("{}/{name}", self.shown_dir.trim_end_matches('/'))
        }
    }

    fn push_check(&mut self, name: &'static str, weight: u32, score: u32, summary: String) {
        self.checks.push(CheckScore {
            name,
            weight,
            score,
            summary,
        });
    }

    fn gap(&mut self, kind: GapKind, file: String, line: Option<u32>, message: String, pts: u32) {
        self.gaps.push(Gap {
            kind,
            file,
            line,
            message,
            points: pts,
        });
    }

    /// "review/handoff.md is missing" or "… is blank".
    fn file_problem(&self, name: &str, contents: &BTreeMap<&str, FileState>) -> String {
        match contents.get(name) {
            Some(FileState::Blank) => format!("{} is blank", self.shown(name)),
            _ => format!("{} is missing", self.shown(name)),
        }
    }

    /// Charge `pts` to the gap of the missing or blank file `name` (made if needed).
    fn lost_to_file(&mut self, name: &str, pts: u32) {
        if let Some(&i) = self.file_gaps.get(name) {
            self.gaps[i].points += pts;
        }
    }

    fn files(&mut self, config: &HandoffConfig, contents: &BTreeMap<&str, FileState>) {
        let shares = split(WEIGHT_FILES, config.files.len());
        let mut score = if config.files.is_empty() {
            WEIGHT_FILES
        } else {
            0
        };
        let mut ok = 0;
        // Files the checks read but `files` does not list still get a gap to charge.
        let mut all: Vec<(&str, u32)> = config
            .files
            .iter()
            .map(String::as_str)
            .zip(shares.iter().copied())
            .collect();
        for extra in [config.handoff.as_str(), config.test_plan.as_str()] {
            if !extra.is_empty() && !all.iter().any(|(n, _)| *n == extra) {
                all.push((extra, 0));
            }
        }
        for (name, share) in all {
            let listed = config.files.iter().any(|f| f == name);
            let shown = self.shown(name);
            let role = if name == config.handoff {
                "the handoff"
            } else if name == config.test_plan {
                "the test plan"
            } else {
                "a required file"
            };
            match contents.get(name) {
                Some(FileState::Text(_)) => {
                    score += share;
                    ok += usize::from(listed);
                }
                Some(FileState::Blank) => {
                    self.file_gaps.insert(name.to_string(), self.gaps.len());
                    self.gap(
                        GapKind::EmptyFile,
                        shown.clone(),
                        None,
                        format!("{shown} ({role}) is blank"),
                        share,
                    );
                }
                _ => {
                    self.file_gaps.insert(name.to_string(), self.gaps.len());
                    self.gap(
                        GapKind::MissingFile,
                        shown.clone(),
                        None,
                        format!("{shown} ({role}) is missing"),
                        share,
                    );
                }
            }
        }
        self.push_check(
            "files",
            WEIGHT_FILES,
            score,
            format!("{ok} of {} files present and not blank", config.files.len()),
        );
    }

    fn sections(&mut self, config: &HandoffConfig, doc: &Doc, found: &[Vec<usize>]) {
        let file = self.shown(&config.handoff);
        let required: Vec<usize> = (0..config.sections.len())
            .filter(|&i| config.sections[i].required)
            .collect();
        let shares = split(WEIGHT_SECTIONS, required.len());
        let mut score = if required.is_empty() {
            WEIGHT_SECTIONS
        } else {
            0
        };
        let mut ok = 0;
        for (&i, &share) in required.iter().zip(&shares) {
            let sec = &config.sections[i];
            let title = display_name(&sec.name);
            let Some(&first) = found[i].first() else {
                self.gap(
                    GapKind::MissingSection,
                    file.clone(),
                    None,
                    format!("no “{title}” section (a heading such as `## {title}`)"),
                    share,
                );
                continue;
            };
            let fill = found[i]
                .iter()
                .map(|&h| fill_of(doc.body(h)))
                .max_by_key(Fill::rank)
                .unwrap_or(Fill::Empty);
            let line = Some(doc.lines[first].no);
            match fill {
                Fill::Filled => {
                    score += share;
                    ok += 1;
                }
                Fill::NoneOnly if sec.none_ok => {
                    score += share;
                    ok += 1;
                }
                Fill::NoneOnly => self.gap(
                    GapKind::EmptySection,
                    file.clone(),
                    line,
                    format!("“{title}” says only “none”; this section needs content"),
                    share,
                ),
                Fill::Placeholder(p) => self.gap(
                    GapKind::PlaceholderSection,
                    file.clone(),
                    line,
                    format!("“{title}” holds only a placeholder (`{p}`)"),
                    share,
                ),
                Fill::Empty => self.gap(
                    GapKind::EmptySection,
                    file.clone(),
                    line,
                    format!("“{title}” is empty"),
                    share,
                ),
            }
        }
        self.push_check(
            "sections",
            WEIGHT_SECTIONS,
            score,
            format!(
                "{ok} of {} required sections present and filled",
                required.len()
            ),
        );
    }

    fn decisions(&mut self, config: &HandoffConfig, doc: &Doc, found: &[Vec<usize>]) {
        let file = self.shown(&config.handoff);
        let mut items = Vec::new();
        for (i, sec) in config.sections.iter().enumerate() {
            if sec.role != HandoffRole::Decisions {
                continue;
            }
            for &h in &found[i] {
                items.extend(decision_items(doc.body(h)));
            }
        }
        let shares = split(WEIGHT_DECISIONS, items.len());
        let mut score = if items.is_empty() {
            WEIGHT_DECISIONS
        } else {
            0
        };
        let mut without = 0;
        for (item, share) in items.iter().zip(shares) {
            if item.reasoned {
                score += share;
            } else {
                without += 1;
                self.gap(
                    GapKind::DecisionWithoutReason,
                    file.clone(),
                    Some(item.line),
                    format!(
                        "decision “{}” gives no reason (say why: “because …”, “so that …”, or after a dash)",
                        shorten(&item.text, 60)
                    ),
                    share,
                );
            }
        }
        let summary = if items.is_empty() {
            "no decisions listed".to_string()
        } else {
            format!(
                "{} of {} decisions give a reason",
                items.len() - without,
                items.len()
            )
        };
        self.push_check("decisions", WEIGHT_DECISIONS, score, summary);
    }

    fn commands(
        &mut self,
        config: &HandoffConfig,
        doc: &Doc,
        found: &[Vec<usize>],
        test_plan: Option<&Doc>,
    ) {
        // (file, line, command text)
        let mut named: Vec<(String, u32, String)> = Vec::new();
        let handoff_file = self.shown(&config.handoff);
        for (i, sec) in config.sections.iter().enumerate() {
            if sec.role != HandoffRole::Commands {
                continue;
            }
            for &h in &found[i] {
                for (line, cmd) in command_texts(doc.body(h)) {
                    named.push((handoff_file.clone(), line, cmd));
                }
            }
        }
        if let Some(tp) = test_plan {
            let file = self.shown(&config.test_plan);
            for (line, cmd) in command_texts(&tp.lines) {
                named.push((file.clone(), line, cmd));
            }
        }
        let mut judged: Vec<(String, u32, String, Result<(), String>)> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut not_judged = 0;
        for (file, line, text) in named {
            for c in parse_command(&text) {
                match c.invocation {
                    Some(inv) => {
                        if seen.insert(format!("{inv:?}")) {
                            let verdict = judge(self.root, &inv);
                            judged.push((file.clone(), line, c.text, verdict));
                        }
                    }
                    None => not_judged += 1,
                }
            }
        }
        let shares = split(WEIGHT_COMMANDS, judged.len());
        let mut score = if judged.is_empty() {
            WEIGHT_COMMANDS
        } else {
            0
        };
        let mut broken = 0;
        for ((file, line, text, verdict), share) in judged.iter().zip(shares) {
            match verdict {
                Ok(()) => score += share,
                Err(why) => {
                    broken += 1;
                    self.gap(
                        GapKind::BrokenCommand,
                        file.clone(),
                        Some(*line),
                        format!("`{}`: {why}", shorten(text, 80)),
                        share,
                    );
                }
            }
        }
        let mut summary = match judged.len() {
            0 => "no command to judge".to_string(),
            n => format!("{} of {n} commands exist", n - broken),
        };
        if not_judged > 0 {
            summary.push_str(&format!(" ({not_judged} with other programs not judged)"));
        }
        self.push_check("commands", WEIGHT_COMMANDS, score, summary);
    }

    fn artifacts(&mut self, config: &HandoffConfig, doc: &Doc, found: &[Vec<usize>]) {
        let file = self.shown(&config.handoff);
        // Links are relative to the handoff file's folder.
        let base = match self.shown_dir {
            "." => String::new(),
            d if d.starts_with('/') || d.starts_with("..") => String::new(),
            d => d.to_string(),
        };
        let mut paths: Vec<(u32, String)> = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, sec) in config.sections.iter().enumerate() {
            if sec.role != HandoffRole::Artifacts {
                continue;
            }
            for &h in &found[i] {
                for (line, p) in artifact_paths(doc.body(h), self.root, &base) {
                    // The package's own files are judged by `files`.
                    let own = config.files.iter().any(|f| *f == p || self.shown(f) == p);
                    if !own && seen.insert(p.clone()) {
                        paths.push((line, p));
                    }
                }
            }
        }
        let shares = split(WEIGHT_ARTIFACTS, paths.len());
        let mut score = if paths.is_empty() {
            WEIGHT_ARTIFACTS
        } else {
            0
        };
        let mut missing = 0;
        for ((line, p), share) in paths.iter().zip(shares) {
            let exists = self.root.join(p).exists() || self.pkg.join(p).exists();
            if exists {
                score += share;
            } else {
                missing += 1;
                self.gap(
                    GapKind::MissingArtifact,
                    file.clone(),
                    Some(*line),
                    format!("`{p}` is listed but does not exist"),
                    share,
                );
            }
        }
        let summary = match paths.len() {
            0 => "no paths listed".to_string(),
            n => format!("{} of {n} listed paths exist", n - missing),
        };
        self.push_check("artifacts", WEIGHT_ARTIFACTS, score, summary);
    }

    fn test_plan(
        &mut self,
        config: &HandoffConfig,
        contents: &BTreeMap<&str, FileState>,
        doc: Option<&Doc>,
    ) {
        if config.test_plan.is_empty() {
            self.push_check(
                "test-plan",
                WEIGHT_TEST_PLAN,
                WEIGHT_TEST_PLAN,
                "no test plan configured".into(),
            );
            return;
        }
        let Some(doc) = doc else {
            let what = self.file_problem(&config.test_plan, contents);
            self.lost_to_file(&config.test_plan, WEIGHT_TEST_PLAN);
            self.push_check(
                "test-plan",
                WEIGHT_TEST_PLAN,
                0,
                format!("not judged: {what}"),
            );
            return;
        };
        let n = count_items(&doc.lines);
        if n == 0 {
            let file = self.shown(&config.test_plan);
            self.gap(
                GapKind::TestPlanWithoutItems,
                file.clone(),
                None,
                format!("{file} lists no test: no list item or table row"),
                WEIGHT_TEST_PLAN,
            );
            self.push_check("test-plan", WEIGHT_TEST_PLAN, 0, "no items".into());
        } else {
            self.push_check(
                "test-plan",
                WEIGHT_TEST_PLAN,
                WEIGHT_TEST_PLAN,
                format!("{n} items"),
            );
        }
    }
}

/// `total` points in `n` whole shares, the first ones a point larger.
fn split(total: u32, n: usize) -> Vec<u32> {
    if n == 0 {
        return Vec::new();
    }
    let n32 = u32::try_from(n).unwrap_or(u32::MAX);
    let base = total / n32;
    let extra = (total % n32) as usize;
    (0..n).map(|i| base + u32::from(i < extra)).collect()
}

fn display_name(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub(crate) fn shorten(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// `path` relative to `root` with `/` when inside it (`.` for the root), else as given.
fn display_path(root: &Path, path: &Path) -> String {
    let rel = |r: &Path, p: &Path| -> Option<String> {
        let rest = p.strip_prefix(r).ok()?;
        let parts: Vec<String> = rest
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.iter().any(|p| p == "..") {
            return None;
        }
        Some(if parts.is_empty() {
            ".".into()
        } else {
            parts.join("/")
        })
    };
    if let Some(r) = rel(root, path) {
        return r;
    }
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    rel(&canon(root), &canon(path)).unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up() {
        assert_eq!(split(45, 9), [5; 9]);
        assert_eq!(split(10, 3), [4, 3, 3]);
        assert_eq!(split(15, 0), Vec::<u32>::new());
        assert_eq!(split(10, 3).iter().sum::<u32>(), 10);
    }
}
