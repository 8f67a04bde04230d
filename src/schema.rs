//! JSON Schemas shipped in `schemas/`: genie.toml, DocSet files and front-matter.
//! A test regenerates each from the Rust types and the built-in configuration and
//! compares it with the checked-in file, so the schemas cannot drift.

use serde_json::{Map, Value, json};

use crate::check::fields::STANDARD_FIELDS;
use crate::config::Config;
use crate::model::docset::DocSetFile;

/// (file name in `schemas/`, content) for every shipped schema.
pub fn all() -> Vec<(&'static str, String)> {
    let config = Config::builtin();
    vec![
        ("genie.schema.json", pretty(&config_schema())),
        ("docset.schema.json", pretty(&docset_schema())),
        (
            "front-matter.schema.json",
            pretty(&front_matter_schema(&config)),
        ),
    ]
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

pub fn config_schema() -> Value {
    let mut v = serde_json::to_value(schemars::schema_for!(Config)).unwrap_or_default();
    v["title"] = json!("genie.toml");
    // Every key has a built-in default, so a repository's file may set any subset
    // of any table: nothing is required anywhere.
    strip_required(&mut v);
    v
}

fn strip_required(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("required");
            map.values_mut().for_each(strip_required);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_required),
        _ => {}
    }
}

pub fn docset_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(DocSetFile)).unwrap_or_default()
}

fn id_list() -> Value {
    json!({
        "anyOf": [
            {"type": "string", "pattern": "^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-[0-9]+$"},
            {"type": "array", "items": {"type": "string", "pattern": "^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-[0-9]+$"}}
        ]
    })
}

fn issue_refs() -> Value {
    let item = json!({
        "anyOf": [
            {"type": "integer", "minimum": 1},
            {"type": "string", "pattern": "^(#?[1-9][0-9]*|[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+#[1-9][0-9]*|https?://.+/(issues|pull)/[1-9][0-9]*)$"}
        ]
    });
    json!({"type": "array", "items": item})
}

/// The front-matter schema for the built-in configuration.
pub fn front_matter_schema(config: &Config) -> Value {
    let date = json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"});
    let mut statuses: Vec<String> = config.statuses.values.clone();
    statuses.extend(config.statuses.aliases.keys().cloned());
    let types: Vec<&String> = config.types.keys().collect();
    let mut props = Map::new();
    for field in STANDARD_FIELDS {
        let schema = match *field {
            "doc_id" => {
                json!({"type": "string", "description": "PREFIX-NNNN, the prefix fixed by the type", "pattern": "^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-[0-9]+$"})
            }
            "type" => json!({"enum": types}),
            "title" => {
                json!({"type": "string", "description": "Human title (else the first `# ` heading)"})
            }
            "status" => json!({"enum": statuses}),
            "owner_role" => {
                json!({"type": "string", "description": format!("One of: {} (case-insensitive)", config.owner_roles.join(", "))})
            }
            "created_at" | "updated_at" => date.clone(),
            "related_issues" | "related_prs" => issue_refs(),
            "related_docs" => json!({"type": "array", "items": {"type": "string"}}),
            "supersedes" | "superseded_by" => id_list(),
            "approvals" => json!({
                "type": "object",
                "properties": {
                    "required": {"type": "array", "items": {"type": "string"}},
                    "status": {"enum": ["pending", "approved", "rejected"]},
                    "approved_by": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                    "approved_at": date.clone(),
                    "request_id": {"type": ["string", "integer"]}
                }
            }),
            "release" => json!({
                "type": "object",
                "properties": {
                    "version": {"type": "string"},
                    "date": date.clone(),
                    "commit": {"type": "string", "pattern": "^[0-9a-fA-F]{7,64}$"},
                    "environment": {"type": "string"}
                }
            }),
            "tags" => json!({"type": "array", "items": {"type": "string"}}),
            _ => json!({}),
        };
        props.insert(field.to_string(), schema);
    }
    props.insert("incident".into(), json!({"type": "boolean", "description": "A postdeploy review that records an incident (a postmortem is then required)"}));
    let required: Vec<&String> = config
        .docs
        .required_fields
        .iter()
        .filter(|f| *f != "title")
        .collect();
    let per_type: Vec<Value> = config
        .types
        .iter()
        .map(|(name, t)| {
            let mut then = json!({
                "properties": {
                    "doc_id": {"pattern": format!("^{}-[0-9]{{{},}}$", regex::escape(&t.prefix), config.docs.id_width)}
                }
            });
            if !t.required_fields.is_empty() {
                then["required"] = json!(t.required_fields);
            }
            json!({
                "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
                "then": then
            })
        })
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "genie document front-matter",
        "description": "Front-matter of a genie document (built-in configuration). Extra fields are allowed.",
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": true,
        "allOf": per_type
    })
}
