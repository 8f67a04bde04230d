//! `--format sarif`: SARIF 2.1.0 for code-scanning services.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Level, Report};
use crate::check::rules::RULES;

fn sarif_level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Off => "none",
    }
}

/// A repository-relative path as a URI reference (each segment percent-encoded).
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn location(path: &str, line: u32, column: Option<u32>) -> Value {
    let mut region = json!({ "startLine": line });
    if let Some(c) = column {
        region["startColumn"] = json!(c);
    }
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(path), "uriBaseId": "%SRCROOT%" },
            "region": region
        }
    })
}

/// Build the SARIF log as JSON.
pub fn to_value(report: &Report) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.help },
                "defaultConfiguration": { "level": sarif_level(r.level) },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let index = RULES.iter().position(|r| r.code == d.code).unwrap_or(0);
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": index,
                "level": sarif_level(d.level),
                "message": { "text": format!("{}\nhelp: {}", d.message, d.help) },
                "locations": [location(&d.path, d.line, Some(d.column))],
                "partialFingerprints": {
                    "genie/v1": format!("{}:{}:{}", d.code, d.path, d.message)
                }
            });
            if !d.related.is_empty() {
                result["relatedLocations"] = Value::Array(
                    d.related
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let mut l = location(&r.path, r.line, None);
                            l["id"] = json!(i);
                            if let Some(m) = &r.message {
                                l["message"] = json!({ "text": m });
                            }
                            l
                        })
                        .collect(),
                );
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "genie",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules
                }
            },
            "originalUriBaseIds": {
                "%SRCROOT%": { "description": { "text": "The repository root." } }
            },
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    })
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report))?;
    writeln!(out)
}
