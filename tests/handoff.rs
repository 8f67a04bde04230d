//! `genie handoff check` over copies of `tests/fixtures/handoff-good` (a complete
//! package) and `tests/fixtures/handoff-poor` (a thin one), edited per test.

mod common;

use std::path::Path;

use common::{fixture, run, stdout, write_files};
use serde_json::Value;

const GOOD: &str = "tests/fixtures/handoff-good";
const POOR: &str = "tests/fixtures/handoff-poor";
const HANDOFF: &str = "review/handoff.md";

/// `genie handoff check ARGS --format json`: (exit code, report).
fn check_json(root: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["handoff", "check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let o = run(root, &all);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "json: {e}\nstdout: {}\nstderr: {}",
            stdout(&o),
            common::stderr(&o)
        )
    });
    (o.status.code().unwrap_or(-1), v)
}

/// `genie handoff check ARGS` in human form: (exit code, stdout).
fn check_human(root: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["--color", "never", "handoff", "check"];
    all.extend_from_slice(args);
    let o = run(root, &all);
    (o.status.code().unwrap_or(-1), stdout(&o))
}

/// (kind, file, line, points) of every gap.
fn gaps(v: &Value) -> Vec<(String, String, Option<u64>, u64)> {
    v["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["kind"].as_str().unwrap().to_string(),
                g["file"].as_str().unwrap().to_string(),
                g["line"].as_u64(),
                g["points"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn kinds(v: &Value) -> Vec<String> {
    gaps(v).into_iter().map(|g| g.0).collect()
}

fn message(v: &Value, kind: &str) -> String {
    v["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} gap in {v:#}"))["message"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Replace `from` (which must be there) with `to` in a file of the copy.
fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn score(v: &Value) -> u64 {
    v["score"].as_u64().unwrap()
}

/// The points of the gaps add up to what the score misses.
fn assert_consistent(v: &Value) {
    let lost: u64 = gaps(v).iter().map(|g| g.3).sum();
    assert_eq!(lost + score(v), 100, "{v:#}");
    let checks: u64 = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["score"].as_u64().unwrap())
        .sum();
    assert_eq!(checks, score(v), "{v:#}");
}

#[test]
fn a_complete_package_scores_100() {
    let dir = fixture(GOOD);
    let (code, v) = check_json(dir.path(), &["review"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(score(&v), 100, "{v:#}");
    assert_eq!(v["passed"], true);
    assert!(kinds(&v).is_empty(), "{v:#}");
    let (code, out) = check_human(dir.path(), &["review"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "checks: files 10/10, sections 45/45, decisions 10/10, commands 15/15, artifacts 10/10, test-plan 10/10\n\
         ok: handoff review scores 100/100 (minimum 80), no gaps\n"
    );
    // -q: nothing to say.
    let o = run(dir.path(), &["-q", "handoff", "check", "review"]);
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), String::new()));
}

#[test]
fn dir_defaults_to_the_configured_folder_and_min_score_to_the_config() {
    let dir = fixture(GOOD);
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!((code, v["dir"].as_str()), (0, Some("review")));
    assert_eq!(v["min_score"], 80);
    std::fs::remove_file(dir.path().join("review/test-plan.md")).unwrap();
    write_files(dir.path(), &[("genie.toml", "[handoff]\nmin_score = 90\n")]);
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(
        (code, score(&v), v["min_score"].as_u64()),
        (1, 85, Some(90))
    );
    // The package in the root: `handoff check .`.
    let dir = fixture(GOOD);
    for f in ["handoff.md", "test-plan.md"] {
        std::fs::rename(dir.path().join("review").join(f), dir.path().join(f)).unwrap();
    }
    let (code, v) = check_json(dir.path(), &["."]);
    assert_eq!(
        (code, v["dir"].as_str(), score(&v)),
        (0, Some("."), 100),
        "{v:#}"
    );
}

#[test]
fn a_missing_test_plan_costs_its_file_and_its_check() {
    let dir = fixture(GOOD);
    std::fs::remove_file(dir.path().join("review/test-plan.md")).unwrap();
    let (code, v) = check_json(dir.path(), &["review"]);
    assert_eq!(
        gaps(&v),
        [(
            "missing-file".into(),
            "review/test-plan.md".into(),
            None,
            15
        )]
    );
    assert_eq!((code, score(&v)), (0, 85));
    assert_consistent(&v);
    // A blank one is no better.
    write_files(dir.path(), &[("review/test-plan.md", "  \n\n")]);
    let (_, v) = check_json(dir.path(), &["review"]);
    assert_eq!(kinds(&v), ["empty-file"]);
    assert_eq!(score(&v), 85);
    // One with no list item or table row.
    write_files(
        dir.path(),
        &[(
            "review/test-plan.md",
            "# Test plan\n\nWe will test it.\n\n- TBD\n",
        )],
    );
    let (_, v) = check_json(dir.path(), &["review"]);
    assert_eq!(kinds(&v), ["test-plan-without-items"]);
    assert_eq!(score(&v), 90);
}

#[test]
fn a_missing_section_is_a_gap() {
    let dir = fixture(GOOD);
    edit(
        dir.path(),
        HANDOFF,
        "## Open questions\n- Should the export include deactivated users? Asked in #42.\n",
        "",
    );
    let (code, v) = check_json(dir.path(), &["review"]);
    assert_eq!(
        gaps(&v),
        [(
            "missing-section".into(),
            "review/handoff.md".into(),
            None,
            5
        )]
    );
    assert!(message(&v, "missing-section").contains("Open questions"));
    assert_eq!((code, score(&v)), (0, 95));
}

#[test]
fn empty_placeholder_and_none_sections() {
    let dir = fixture(GOOD);
    edit(dir.path(), HANDOFF, "- Nothing is blocked.", "TBD");
    edit(
        dir.path(),
        HANDOFF,
        "- `export()` writes users as CSV rows (`src/export.py`).\n- Unit test for the happy path (`tests/test_export.py`).\n",
        "<!-- what was done -->\n",
    );
    edit(
        dir.path(),
        HANDOFF,
        "1. Quote fields once names may hold commas (issue #57).\n2. Add the CSV download button in the web app.",
        "- …",
    );
    let (code, v) = check_json(dir.path(), &["review"]);
    assert_eq!(
        gaps(&v),
        [
            ("empty-section".into(), HANDOFF.into(), Some(3), 5),
            ("placeholder-section".into(), HANDOFF.into(), Some(9), 5),
            ("placeholder-section".into(), HANDOFF.into(), Some(19), 5),
        ],
        "{v:#}"
    );
    assert!(message(&v, "placeholder-section").contains("`TBD`"));
    assert_eq!((code, score(&v)), (0, 85));
    // "None" fills `blocked` but not `completed`.
    edit(dir.path(), HANDOFF, "TBD", "None.");
    edit(dir.path(), HANDOFF, "<!-- what was done -->", "none");
    let (_, v) = check_json(dir.path(), &["review"]);
    assert_eq!(kinds(&v), ["empty-section", "placeholder-section"]);
    assert!(message(&v, "empty-section").contains("“Completed” says only “none”"));
}

#[test]
fn decisions_without_reasons() {
    let dir = fixture(GOOD);
    edit(
        dir.path(),
        HANDOFF,
        "- Build rows with `str.join` instead of the `csv` module, because the fields never hold commas or quotes (validated upstream).\n- Keep the export synchronous — the largest tenant has 2,000 users.\n",
        "- Build rows with `str.join`\n- Keep the export synchronous\n- Store dates as ISO strings so that spreadsheets sort them\n",
    );
    let (code, v) = check_json(dir.path(), &["review"]);
    assert_eq!(
        gaps(&v),
        [
            (
                "decision-without-reason".into(),
                HANDOFF.into(),
                Some(14),
                4
            ),
            (
                "decision-without-reason".into(),
                HANDOFF.into(),
                Some(15),
                3
            ),
        ],
        "{v:#}"
    );
    assert!(message(&v, "decision-without-reason").contains("Build rows with `str.join`"));
    assert_eq!((code, score(&v)), (0, 93));
    assert_consistent(&v);
}

#[test]
fn a_make_target_that_does_not_exist() {
    let dir = fixture(GOOD);
    edit(dir.path(), HANDOFF, "make test\n", "make check\n");
    let (code, v) = check_json(dir.path(), &["review"]);
    assert_eq!(
        gaps(&v),
        [("broken-command".into(), HANDOFF.into(), Some(34), 3)],
        "{v:#}"
    );
    assert_eq!(
        message(&v, "broken-command"),
        "`make check`: `Makefile` has no target `check`"
    );
    assert_eq!(code, 0);
    // No Makefile at all.
    std::fs::remove_file(dir.path().join("Makefile")).unwrap();
    let (_, v) = check_json(dir.path(), &["review"]);
    assert!(
        message(&v, "broken-command").contains("there is no Makefile in the repository root"),
        "{v:#}"
    );
}

#[test]
fn an_npm_script_that_does_not_exist() {
    let dir = fixture(GOOD);
    edit(dir.path(), HANDOFF, "npm run build\n", "npm run lint\n");
    let (_, v) = check_json(dir.path(), &["review"]);
    assert_eq!(kinds(&v), ["broken-command"]);
    assert_eq!(
        message(&v, "broken-command"),
        "`npm run lint`: `package.json` has no script `lint`"
    );
    // In a sub-folder after `cd`, with its own package.json that has it.
    write_files(
        dir.path(),
        &[("web/package.json", r#"{"scripts": {"lint": "eslint ."}}"#)],
    );
    edit(
        dir.path(),
        HANDOFF,
        "npm run lint\n",
        "cd web && npm run lint\n",
    );
    let (_, v) = check_json(dir.path(), &["review"]);
    assert!(kinds(&v).is_empty(), "{v:#}");
}

#[test]
fn cargo_tests_and_other_runners() {
    let dir = fixture(GOOD);
    write_files(
        dir.path(),
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"x\"\nversion = \"0.1.0\"\n",
            ),
            ("tests/cli.rs", "#[test]\nfn t() {}\n"),
            ("justfile", "check:\n    make test\n"),
        ],
    );
    edit(
        dir.path(),
        HANDOFF,
        "make test\n",
        "cargo test --test cli\ncargo test --test nope -- --nocapture\njust check\njust deploy\ndocker compose up\ngenie check\n",
    );
    let (_, v) = check_json(dir.path(), &["review"]);
    let messages: Vec<&str> = v["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "`cargo test --test nope -- --nocapture`: there is no test target `nope` (no `tests/nope.rs`)",
            "`just deploy`: `justfile` has no recipe `deploy`",
        ],
        "{v:#}"
    );
    let commands = &v["checks"][3];
    assert_eq!(commands["name"], "commands");
    assert!(
        commands["summary"]
            .as_str()
            .unwrap()
            .contains("2 with other programs not judged"),
        "{commands}"
    );
}

#[test]
fn a_listed_artifact_that_does_not_exist() {
    let dir = fixture(GOOD);
    edit(
        dir.path(),
        HANDOFF,
        "- [smoke check](../scripts/smoke.sh)\n",
        "- [smoke check](../scripts/smoke.sh)\n- `docs/export.md` — the user guide\n- `src/old_export.py` (deleted)\n- branch `feat/csv`\n",
    );
    let (code, v) = check_json(dir.path(), &["review"]);
    assert_eq!(
        gaps(&v),
        [("missing-artifact".into(), HANDOFF.into(), Some(28), 2)],
        "{v:#}"
    );
    assert_eq!(
        message(&v, "missing-artifact"),
        "`docs/export.md` is listed but does not exist"
    );
    assert_eq!(code, 0);
}

#[test]
fn min_score_sets_the_exit_code() {
    let dir = fixture(POOR);
    let (code, v) = check_json(dir.path(), &["review"]);
    assert_eq!(
        (code, score(&v), &v["passed"]),
        (1, 20, &Value::Bool(false))
    );
    assert_consistent(&v);
    for (min, expected) in [("20", 0), ("21", 1), ("0", 0)] {
        let (code, v) = check_json(dir.path(), &["review", "--min-score", min]);
        assert_eq!(code, expected, "--min-score {min}");
        assert_eq!(v["min_score"].as_u64().unwrap().to_string(), min);
    }
    let o = run(
        dir.path(),
        &["handoff", "check", "review", "--min-score", "101"],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_poor_package_lists_every_gap() {
    let dir = fixture(POOR);
    let (_, v) = check_json(dir.path(), &["review"]);
    assert_eq!(
        gaps(&v),
        [
            (
                "missing-file".into(),
                "review/test-plan.md".into(),
                None,
                15
            ),
            ("placeholder-section".into(), HANDOFF.into(), Some(3), 5),
            ("missing-section".into(), HANDOFF.into(), None, 5),
            ("missing-section".into(), HANDOFF.into(), None, 5),
            ("missing-section".into(), HANDOFF.into(), None, 5),
            ("missing-section".into(), HANDOFF.into(), None, 5),
            ("missing-section".into(), HANDOFF.into(), None, 5),
            ("decision-without-reason".into(), HANDOFF.into(), Some(7), 5),
            ("decision-without-reason".into(), HANDOFF.into(), Some(8), 5),
            ("broken-command".into(), HANDOFF.into(), Some(11), 8),
            ("broken-command".into(), HANDOFF.into(), Some(11), 7),
            ("missing-artifact".into(), HANDOFF.into(), Some(14), 10),
        ],
        "{v:#}"
    );
    let (code, out) = check_human(dir.path(), &["review"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with(
            "gap[missing-file]: review/test-plan.md (the test plan) is missing (-15 points)\n  --> review/test-plan.md\n\
             gap[placeholder-section]: “Completed” holds only a placeholder (`TBD`) (-5 points)\n  --> review/handoff.md:3\n"
        ),
        "{out}"
    );
    assert!(
        out.ends_with(
            "checks: files 5/10, sections 15/45, decisions 0/10, commands 0/15, artifacts 0/10, test-plan 0/10\n\
             error: handoff review scores 20/100, below the minimum 80 (12 gaps)\n"
        ),
        "{out}"
    );
}

#[test]
fn json_shape() {
    let dir = fixture(POOR);
    let (_, v) = check_json(dir.path(), &["review"]);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "checks",
            "dir",
            "gaps",
            "min_score",
            "passed",
            "score",
            "version"
        ]
    );
    assert_eq!(v["version"], 1);
    assert_eq!(v["dir"], "review");
    let gap = &v["gaps"][9];
    assert_eq!(
        gap,
        &serde_json::json!({
            "kind": "broken-command",
            "file": "review/handoff.md",
            "line": 11,
            "message": "`make test`: `Makefile` has no target `test`",
            "points": 8
        })
    );
    assert_eq!(v["gaps"][0]["line"], Value::Null);
    let checks: Vec<(&str, u64)> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["weight"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        checks,
        [
            ("files", 10),
            ("sections", 45),
            ("decisions", 10),
            ("commands", 15),
            ("artifacts", 10),
            ("test-plan", 10)
        ]
    );
    assert!(v["checks"][0]["summary"].is_string());
}

#[test]
fn russian_headings_are_accepted() {
    let dir = fixture(GOOD);
    write_files(
        dir.path(),
        &[(
            HANDOFF,
            "# Передача: экспорт пользователей\n\n\
             ## Что сделано\n- Экспорт в CSV (`src/export.py`).\n\n\
             ## В процессе\nНет.\n\n\
             ## Блокеры\nнет\n\n\
             ## Ключевые решения\n- Строки собираем через `str.join`, потому что в полях нет запятых.\n- Экспорт синхронный, так как пользователей мало.\n\n\
             ## Что не получилось\n- Генератор строк: тесты падали на Python 3.9.\n\n\
             ## Следующие шаги\n- Кнопка выгрузки в веб-приложении.\n\n\
             ## Файлы и артефакты\n- `src/export.py`\n- `tests/test_export.py`\n\n\
             ## Статус тестов\nВсё зелёное: `make test`, `npm run build`.\n\n\
             ## Открытые вопросы\n- Выгружать ли деактивированных?\n",
        )],
    );
    let (code, v) = check_json(dir.path(), &["review"]);
    assert_eq!((code, score(&v)), (0, 100), "{v:#}");
    edit(
        dir.path(),
        HANDOFF,
        "- Экспорт синхронный, так как пользователей мало.",
        "- Экспорт синхронный.",
    );
    let (_, v) = check_json(dir.path(), &["review"]);
    assert_eq!(kinds(&v), ["decision-without-reason"]);
}

#[test]
fn a_missing_package_scores_zero() {
    let dir = fixture(GOOD);
    let (code, v) = check_json(dir.path(), &["nowhere"]);
    assert_eq!((code, score(&v)), (1, 0));
    assert_eq!(
        gaps(&v),
        [
            ("missing-file".into(), "nowhere/handoff.md".into(), None, 85),
            (
                "missing-file".into(),
                "nowhere/test-plan.md".into(),
                None,
                15
            ),
        ]
    );
    assert_consistent(&v);
}

#[test]
fn a_file_given_as_dir_is_an_error() {
    let dir = fixture(GOOD);
    let o = run(dir.path(), &["handoff", "check", "review/handoff.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("review/handoff.md is not a folder"),
        "{}",
        common::stderr(&o)
    );
}

#[test]
fn sections_configured_in_genie_toml() {
    let dir = fixture(GOOD);
    write_files(
        dir.path(),
        &[(
            "genie.toml",
            "[handoff]\nfiles = [\"handoff.md\"]\ntest_plan = \"\"\n\n[[handoff.sections]]\nname = \"summary\"\n\n[[handoff.sections]]\nname = \"risks\"\naliases = [\"риски\"]\n",
        )],
    );
    let (code, v) = check_json(dir.path(), &["review"]);
    assert_eq!(code, 1);
    assert_eq!(kinds(&v), ["missing-section", "missing-section"]);
    assert_eq!(score(&v), 55);
    let bad = fixture(GOOD);
    write_files(
        bad.path(),
        &[("genie.toml", "[handoff]\nhandoff = \"notes.md\"\n")],
    );
    let o = run(bad.path(), &["handoff", "check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("is not one of handoff.files"));
}
