//! The JSON Schemas in `schemas/` are generated from the Rust types and the
//! built-in configuration; this test regenerates them and compares
//! (GENIE_BLESS=1 rewrites them), then validates the example repository with them.

mod common;

use common::*;

#[test]
fn schemas_match_the_types() {
    for (name, content) in genie::schema::all() {
        snapshot_file(&format!("schemas/{name}"), &content);
    }
}

fn snapshot_file(rel: &str, content: &str) {
    let path = manifest_dir().join(rel);
    if std::env::var_os("GENIE_BLESS").is_some() {
        std::fs::write(&path, content).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == content,
        "{rel} is out of date: run `GENIE_BLESS=1 cargo test --test schemas`"
    );
}

fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(manifest_dir().join("schemas").join(name)).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn md_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        // Generated indexes (`genie matrix`/`genie toc`) are not documents.
        if p.file_name().is_some_and(|n| n == "_index") {
            continue;
        }
        if p.is_dir() {
            md_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "md" || x == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn example_documents_and_docsets_validate() {
    let fm = validator("front-matter.schema.json");
    let ds = validator("docset.schema.json");
    let mut files = Vec::new();
    md_files(&manifest_dir().join("examples/docs"), &mut files);
    let mut checked = 0;
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        let rel = p.display().to_string();
        let (yaml_text, validator) = if p.extension().is_some_and(|x| x == "yaml") {
            (text.as_str(), &ds)
        } else {
            let genie::model::frontmatter::Split::Found {
                format,
                text: fm_text,
                ..
            } = genie::model::frontmatter::split(&text)
            else {
                panic!("{rel}: no front-matter")
            };
            if format != genie::model::frontmatter::Format::Yaml {
                continue;
            }
            (fm_text, &fm)
        };
        let node = genie::yaml::parse(yaml_text, 0).unwrap().root.unwrap();
        let json = node.to_json();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{rel}: {errors:?}");
        checked += 1;
    }
    assert!(checked > 40, "{checked}");
}

#[test]
fn schemas_reject_what_genie_rejects() {
    let fm = validator("front-matter.schema.json");
    let bad_prefix = serde_json::json!({"doc_id": "DSG-0004", "type": "adr", "status": "draft", "owner_role": "sa", "created_at": "2026-01-02"});
    assert!(!fm.is_valid(&bad_prefix));
    let good = serde_json::json!({"doc_id": "ADR-0004", "type": "adr", "status": "draft", "owner_role": "sa", "created_at": "2026-01-02", "Module Name": "extra fields are allowed"});
    assert!(fm.is_valid(&good));
    let notes = serde_json::json!({"doc_id": "REL-NOTE-0001", "type": "release-notes", "status": "draft", "owner_role": "pm", "created_at": "2026-01-02"});
    assert!(!fm.is_valid(&notes), "release-notes require `release`");
    let ds = validator("docset.schema.json");
    assert!(!ds.is_valid(&serde_json::json!({"issue": 1, "stge": "x"})));
    assert!(ds.is_valid(&serde_json::json!({"issue": "#1", "stage": "prd", "docs": []})));
    let cfg = validator("genie.schema.json");
    assert!(cfg.is_valid(&serde_json::json!({"docs": {"max_lines": 10, "roots": ["docs"], "exclude": [], "required_fields": [], "id_width": 4}})));
    assert!(!cfg.is_valid(&serde_json::json!({"docz": {}})));
    // Any subset of a table is fine: the rest comes from the defaults.
    assert!(cfg.is_valid(
        &serde_json::json!({"docs": {"max_lines": 60}, "trace": {"toc": "docs/_index/README.md"}})
    ));
    for file in ["examples/genie.toml", "examples/broken/genie.toml"] {
        let text = std::fs::read_to_string(manifest_dir().join(file)).unwrap();
        let value: toml::Value = toml::from_str(&text).unwrap();
        let json = serde_json::to_value(value).unwrap();
        assert!(cfg.is_valid(&json), "{file}");
    }
}
