//! SPEC §4: real-world input genie must take in its stride. Each case is read
//! correctly or gets a precise diagnostic; none crashes, hangs or eats memory.

mod common;

use common::*;

fn check_files(files: &[(&str, &str)]) -> (i32, Vec<(String, String, u64)>, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    let (code, v) = check_json(dir.path(), &[]);
    (code, findings(&v), v)
}

#[test]
fn bom_crlf_and_toml_front_matter_are_read() {
    let crlf = doc("PRD-0002", "prd", "").replace('\n', "\r\n");
    let bom = format!("\u{feff}{}", doc("PRD-0003", "prd", ""));
    let toml = "+++\r\ndoc_id = \"PRD-0004\"\ntype = \"prd\"\ntitle = \"T\"\nstatus = \"approved\"\nowner_role = \"pm\"\ncreated_at = 2026-01-02\nrelated_docs = [\"PRD-0009\"]\n+++\n# T\n";
    let (code, f, v) = check_files(&[
        ("docs/crlf.md", &crlf),
        ("docs/bom.md", &bom),
        ("docs/toml.md", toml),
    ]);
    assert_eq!(v["summary"]["docs"], 3);
    // The one finding is the dangling reference in the TOML file, at its line.
    assert_eq!(f, vec![("G0301".into(), "docs/toml.md".into(), 8)]);
    assert_eq!(code, 1);
}

#[test]
fn yaml_anchors_and_aliases_are_expanded() {
    let text = "---\ndoc_id: PRD-0001\ntype: prd\ntitle: T\nstatus: draft\nowner_role: &r pm\ncreated_at: 2026-01-02\napprovals:\n  required: [*r]\n  status: pending\n---\n";
    let (code, f, _) = check_files(&[("docs/a.md", text)]);
    assert_eq!((code, f.len()), (0, 0), "{f:?}");
}

#[test]
fn billion_laughs_finishes_quickly_with_a_diagnostic() {
    let mut text = String::from(
        "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        text.push_str(&format!(
            "{}: &{} [{}]\n",
            w[1],
            w[1],
            vec![format!("*{}", w[0]); 9].join(",")
        ));
    }
    text.push_str("---\n");
    let (code, f, _) = check_files(&[("docs/bomb.md", &text)]);
    assert_eq!(code, 1);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].0, "G0102");
}

#[test]
fn symlinks_inside_are_read_and_outside_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("shared/real.md", &doc("PRD-0001", "prd", "")),
            ("secret.txt", "x"),
        ],
    );
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("shared/real.md"),
        dir.path().join("docs/linked.md"),
    )
    .unwrap();
    let outside = tempfile::tempdir().unwrap();
    write_files(outside.path(), &[("x.md", &doc("PRD-0002", "prd", ""))]);
    std::os::unix::fs::symlink(
        outside.path().join("x.md"),
        dir.path().join("docs/escape.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("nowhere.md"),
        dir.path().join("docs/dangling.md"),
    )
    .unwrap();
    let (code, v) = check_json(dir.path(), &[]);
    let f = findings(&v);
    assert_eq!(code, 1);
    assert_eq!(
        f,
        vec![
            ("G0001".into(), "docs/dangling.md".into(), 1),
            ("G0001".into(), "docs/escape.md".into(), 1)
        ]
    );
    assert_eq!(
        v["summary"]["docs"], 1,
        "the link inside the repository is read"
    );
}

#[test]
fn non_ascii_names_long_lines_and_mixed_files() {
    let long = format!(
        "{}\n\n{} [x](./решение.md#итог)\n",
        doc("PRD-0001", "prd", ""),
        "word ".repeat(8_000)
    );
    let target = format!("{}\n## Итог\n", doc("PRD-0002", "prd", ""));
    let (code, f, v) = check_files(&[
        ("docs/long.md", &long),
        ("docs/решение.md", &target),
        ("docs/plain.md", "# No front-matter\n"),
    ]);
    assert_eq!(v["summary"]["docs"], 3);
    assert_eq!(f, vec![("G0101".into(), "docs/plain.md".into(), 1)]);
    assert_eq!(code, 1);
}

#[test]
fn invalid_utf8_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("docs/empty.md", "")]);
    std::fs::write(
        dir.path().join("docs/bad.md"),
        b"---\ndoc_id: PRD-0001\ntitle: \xff\xfe\n---\n",
    )
    .unwrap();
    let (_, v) = check_json(dir.path(), &[]);
    let f = findings(&v);
    assert_eq!(
        f,
        vec![
            ("G0002".into(), "docs/bad.md".into(), 3),
            ("G0003".into(), "docs/empty.md".into(), 1)
        ]
    );
    assert_eq!(v["diagnostics"][0]["column"], 8);
}

#[test]
fn lists_written_as_numbers_or_comma_strings_are_read() {
    let a = doc(
        "PRD-0001",
        "prd",
        "related_issues: 7\nrelated_docs: \"PRD-0002, PRD-0003\"\n",
    );
    let (_, f, _) = check_files(&[
        ("docs/a.md", &a),
        ("docs/b.md", &doc("PRD-0002", "prd", "")),
        ("docs/c.md", &doc("PRD-0003", "prd", "")),
    ]);
    // Two shape warnings and no dangling references: the values were read.
    assert_eq!(
        f,
        vec![
            ("G0209".into(), "docs/a.md".into(), 8),
            ("G0209".into(), "docs/a.md".into(), 9)
        ]
    );
}

#[test]
fn moved_documents_break_links_and_references() {
    let a = format!(
        "{}\nSee [the design](./design/old.md).\n",
        doc("PRD-0001", "prd", "related_docs: [DSG-0001]\n")
    );
    let (_, f, v) = check_files(&[
        ("docs/a.md", &a),
        ("docs/design/new.md", &doc("DSG-0002", "design-doc", "")),
    ]);
    assert_eq!(
        f,
        vec![
            ("G0301".into(), "docs/a.md".into(), 8),
            ("G0401".into(), "docs/a.md".into(), 15)
        ]
    );
    assert!(
        v["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `DSG-0002`")
    );
}

#[test]
fn front_matter_that_is_not_yaml() {
    let text = "---\nThis is just a sentence someone typed.\nAnd another one.\n---\n# T\n";
    let (_, f, v) = check_files(&[("docs/a.md", text)]);
    assert_eq!(f, vec![("G0102".into(), "docs/a.md".into(), 2)]);
    assert!(
        v["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not a `key: value` line")
    );
}

#[test]
fn front_matter_can_be_optional_for_configured_files() {
    let readme = "# Docs\n\nSee [the PRD](./a.md) and [nothing](./gone.md).\n";
    let (code, f, v) = check_files(&[
        (
            "genie.toml",
            "[docs]\noptional_front_matter = [\"**/README.md\"]\n",
        ),
        ("docs/README.md", readme),
        ("docs/a.md", &doc("PRD-0001", "prd", "")),
        ("docs/sub/README.md", "no front-matter either\n"),
        ("docs/notes.md", "but this one needs it\n"),
    ]);
    assert_eq!(v["summary"]["docs"], 4);
    assert_eq!(
        f,
        vec![
            ("G0401".into(), "docs/README.md".into(), 3),
            ("G0101".into(), "docs/notes.md".into(), 1)
        ]
    );
    assert_eq!(code, 1);
}
