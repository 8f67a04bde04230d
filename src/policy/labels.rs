//! The process labels: the built-in catalog, laid over by `[labels]` in genie.toml.
//!
//! Every label has a repository variable that holds its name (`run:dev` →
//! `RUN_DEV_LABEL`), so that workflows compare `github.event.label.name` with
//! `vars.RUN_DEV_LABEL` rather than with a string literal, and a label renamed in
//! one place is renamed everywhere (see [`crate::policy::workflows`]).
//!
//! The catalog is written as a markdown table, JSON, a `gh label create` script or
//! a dotenv file of the variables for `gh variable set -f`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::config::{Config, ConfigError, LabelConfig, did_you_mean};

/// One label of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub name: String,
    pub description: String,
    /// Six hexadecimal digits, lower-case, without `#`.
    pub color: String,
    /// `run`, `state`, `need`, `type`, `model`, `reasoning`, or for an added label
    /// the part of its name before the first `:` (`custom` when it has none).
    pub group: String,
    /// The repository variable holding the name (`RUN_DEV_LABEL`).
    pub variable: String,
}

/// Longest description GitHub accepts for a label.
pub const MAX_DESCRIPTION: usize = 100;
/// Longest label name GitHub accepts.
pub const MAX_NAME: usize = 50;

/// Group of the built-in labels in the order the catalog lists them.
const GROUPS: &[&str] = &["run", "state", "need", "type", "model", "reasoning"];

/// Colour of an added label that sets none (GitHub's default grey).
const DEFAULT_COLOR: &str = "ededed";

const STATES: &[(&str, &str, &str)] = &[
    ("active", "0e8a16", "Work is under way in the current stage"),
    (
        "blocked",
        "b60205",
        "Work cannot go on: a gate, a dependency or a question stops it",
    ),
    (
        "in-review",
        "fbca04",
        "The stage's documents wait for review and approval",
    ),
    (
        "changes-requested",
        "d93f0b",
        "A reviewer asked for changes to the stage's documents",
    ),
    (
        "approved",
        "2ea44f",
        "The stage's documents are approved; the issue may advance",
    ),
    ("done", "5319e7", "Every stage of the profile is complete"),
    ("abandoned", "cccccc", "The work was aborted"),
];

const TYPES: &[(&str, &str, &str)] = &[
    ("feature", "a2eeef", "New functionality"),
    ("bug", "d73a4a", "Something does not work as it should"),
    ("doc", "0075ca", "Documentation only"),
    ("debt", "e4e669", "Technical debt to pay down"),
    ("idea", "c5def5", "An idea to explore; not yet planned work"),
    ("epic", "3e4b9e", "A body of work split into stories"),
];

const MODELS: &[(&str, &str, &str)] = &[
    (
        "fast",
        "bfdadc",
        "Agents on this issue use the fast, inexpensive model tier",
    ),
    (
        "default",
        "bfd4f2",
        "Agents on this issue use the default model tier",
    ),
    (
        "strong",
        "5319e7",
        "Agents on this issue use the most capable model tier",
    ),
];

const REASONING: &[(&str, &str, &str)] = &[
    ("low", "f9d0c4", "Agents spend little reasoning effort"),
    (
        "medium",
        "f7a58f",
        "Agents spend a moderate reasoning effort",
    ),
    ("high", "e4606d", "Agents spend a high reasoning effort"),
];

/// The repository variable derived from a label name: upper-case, every run of
/// characters other than ASCII letters and digits becomes `_`, then `_LABEL`
/// (`run:dev:revise` → `RUN_DEV_REVISE_LABEL`).
pub fn variable_of(name: &str) -> String {
    let mut core = String::with_capacity(name.len() + 6);
    let mut gap = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !core.is_empty() {
                core.push('_');
            }
            gap = false;
            core.push(c.to_ascii_uppercase());
        } else {
            gap = true;
        }
    }
    core.push_str("_LABEL");
    core
}

/// Whether `v` may name a repository variable here: `[A-Z][A-Z0-9_]*`.
pub fn is_valid_variable(v: &str) -> bool {
    let mut bytes = v.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_uppercase())
        && bytes.all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn is_color(c: &str) -> bool {
    c.len() == 6 && c.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The label whose variable is `variable`, ignoring case (GitHub's `vars` are
/// case-insensitive).
pub fn by_variable<'a>(labels: &'a [Label], variable: &str) -> Option<&'a Label> {
    labels
        .iter()
        .find(|l| l.variable.eq_ignore_ascii_case(variable))
}

/// The label named `name`, ignoring case (GitHub label names are case-insensitive).
pub fn by_name<'a>(labels: &'a [Label], name: &str) -> Option<&'a Label> {
    labels.iter().find(|l| l.name.eq_ignore_ascii_case(name))
}

/// The catalog: the built-in labels for the configured stages and roles, with the
/// `[labels]` tables of genie.toml applied. Errors name the label but carry no
/// file position; see [`catalog_in`].
pub fn catalog(config: &Config) -> Result<Vec<Label>, ConfigError> {
    build(config).map_err(|e| ConfigError {
        path: None,
        line: None,
        message: e.message,
    })
}

/// [`catalog`], with errors pointing at the line of `config_file` (the genie.toml
/// the configuration was read from) that defines the offending label.
pub fn catalog_in(config: &Config, config_file: Option<&Path>) -> Result<Vec<Label>, ConfigError> {
    build(config).map_err(|e| {
        let line = match (config_file, &e.label) {
            (Some(p), Some(label)) => std::fs::read_to_string(p)
                .ok()
                .and_then(|text| line_of_label(&text, label, e.key)),
            _ => None,
        };
        ConfigError {
            path: config_file.map(Path::to_path_buf),
            line,
            message: e.message,
        }
    })
}

struct BuildError {
    message: String,
    /// The `[labels]` entry at fault, when one is.
    label: Option<String>,
    key: Option<&'static str>,
}

fn built_in(config: &Config) -> Vec<Label> {
    let mut out = Vec::new();
    let mut push = |name: String, description: String, color: &str, group: &str| {
        out.push(Label {
            variable: variable_of(&name),
            name,
            description: clip(&description),
            color: color.to_string(),
            group: group.to_string(),
        });
    };
    for stage in &config.stage_order {
        let about = config
            .stages
            .get(stage)
            .map(|s| s.description.trim())
            .unwrap_or_default();
        let description = if about.is_empty() {
            format!("Run the {stage} stage")
        } else {
            format!("Run the {stage} stage: {about}")
        };
        push(format!("run:{stage}"), description, "1d76db", "run");
        push(
            format!("run:{stage}:revise"),
            format!("Revise the {stage} stage's documents after review"),
            "fbca04",
            "run",
        );
    }
    push(
        "run:abort".into(),
        "Abort the work: the issue and its documents are marked abandoned".into(),
        "b60205",
        "run",
    );
    push(
        "run:rethink".into(),
        "Return to an earlier stage; later stages' documents are superseded".into(),
        "d93f0b",
        "run",
    );
    for (name, color, description) in STATES {
        push(
            format!("state:{name}"),
            description.to_string(),
            color,
            "state",
        );
    }
    for role in &config.owner_roles {
        push(
            format!("need:{role}"),
            format!("Waiting on the {role} role's input or approval"),
            "d876e3",
            "need",
        );
    }
    push(
        "need:info".into(),
        "Waiting on more information before work can go on".into(),
        "d876e3",
        "need",
    );
    push(
        "need:decision".into(),
        "Waiting on a decision before work can go on".into(),
        "d876e3",
        "need",
    );
    for (name, color, description) in TYPES {
        push(name.to_string(), description.to_string(), color, "type");
    }
    for (name, color, description) in MODELS {
        push(
            format!("model:{name}"),
            description.to_string(),
            color,
            "model",
        );
    }
    for (name, color, description) in REASONING {
        push(
            format!("reasoning:{name}"),
            description.to_string(),
            color,
            "reasoning",
        );
    }
    out
}

/// Cut a derived description to what GitHub accepts.
fn clip(s: &str) -> String {
    if s.chars().count() <= MAX_DESCRIPTION {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(MAX_DESCRIPTION - 1).collect();
    cut.push('…');
    cut
}

/// Group of a label added in genie.toml: a built-in group when its name has that
/// prefix (`need:legal` → `need`), else the prefix itself, else `custom`.
fn group_of(name: &str) -> String {
    match name.split_once(':') {
        Some((prefix, _)) if !prefix.trim().is_empty() => prefix.trim().to_lowercase(),
        _ => "custom".to_string(),
    }
}

fn build(config: &Config) -> Result<Vec<Label>, BuildError> {
    let mut labels = built_in(config);
    let mut added: Vec<Label> = Vec::new();
    for (name, over) in &config.labels {
        let err = |key: Option<&'static str>, message: String| BuildError {
            message,
            label: Some(name.clone()),
            key,
        };
        if name.trim().is_empty() {
            return Err(err(None, "[labels]: a label name is empty".into()));
        }
        if name.trim() != name {
            return Err(err(
                None,
                format!("[labels.\"{name}\"]: a label name must not start or end with spaces"),
            ));
        }
        if name.chars().count() > MAX_NAME {
            return Err(err(
                None,
                format!(
                    "[labels.\"{name}\"]: a label name may have at most {MAX_NAME} characters (GitHub's limit)"
                ),
            ));
        }
        if let Some(color) = &over.color {
            let c = color.strip_prefix('#').unwrap_or(color);
            if !is_color(c) {
                return Err(err(
                    Some("color"),
                    format!(
                        "[labels.\"{name}\"]: color `{color}` is not six hexadecimal digits (e.g. \"d73a4a\")"
                    ),
                ));
            }
        }
        if over.description.chars().count() > MAX_DESCRIPTION {
            return Err(err(
                Some("description"),
                format!(
                    "[labels.\"{name}\"]: the description has {} characters; GitHub accepts at most {MAX_DESCRIPTION}",
                    over.description.chars().count()
                ),
            ));
        }
        if let Some(v) = &over.variable
            && !is_valid_variable(v)
        {
            return Err(err(
                Some("variable"),
                format!(
                    "[labels.\"{name}\"]: variable `{v}` must be upper-case letters, digits and `_`, starting with a letter"
                ),
            ));
        }
        let existing = labels.iter().position(|l| l.name == *name).or_else(|| {
            labels
                .iter()
                .position(|l| l.name.eq_ignore_ascii_case(name))
        });
        match existing {
            Some(i) if over.disabled => {
                labels.remove(i);
            }
            Some(i) => apply(&mut labels[i], name, over),
            None if over.disabled => {
                return Err(err(
                    Some("disabled"),
                    format!(
                        "[labels.\"{name}\"]: `disabled = true`, but `{name}` is not a built-in label{}",
                        did_you_mean(name, built_in(config).iter().map(|l| l.name.clone()))
                    ),
                ));
            }
            None => {
                let mut label = Label {
                    name: name.clone(),
                    description: String::new(),
                    color: DEFAULT_COLOR.to_string(),
                    group: group_of(name),
                    variable: variable_of(name),
                };
                apply(&mut label, name, over);
                added.push(label);
            }
        }
    }
    // Added labels join the end of their group; new groups follow the built-in ones.
    for label in added {
        let at = labels
            .iter()
            .rposition(|l| l.group == label.group)
            .map(|i| i + 1);
        match at {
            Some(i) => labels.insert(i, label),
            None => labels.push(label),
        }
    }
    let tail = labels
        .iter()
        .position(|l| !GROUPS.contains(&l.group.as_str()))
        .unwrap_or(labels.len());
    labels[tail..].sort_by(|a, b| a.group.cmp(&b.group));
    validate(&labels, config)?;
    Ok(labels)
}

fn apply(label: &mut Label, name: &str, over: &LabelConfig) {
    label.name = name.to_string();
    if !over.description.is_empty() {
        label.description = over.description.clone();
    }
    if let Some(c) = &over.color {
        label.color = c.strip_prefix('#').unwrap_or(c).to_ascii_lowercase();
    }
    label.variable = match &over.variable {
        Some(v) => v.clone(),
        None => variable_of(name),
    };
}

fn validate(labels: &[Label], config: &Config) -> Result<(), BuildError> {
    // The entry of genie.toml that set a label, for the error's position.
    let entry = |l: &Label| -> Option<String> {
        config
            .labels
            .keys()
            .find(|k| k.eq_ignore_ascii_case(&l.name))
            .cloned()
    };
    let mut variables: BTreeMap<&str, &Label> = BTreeMap::new();
    let mut names: BTreeMap<String, &Label> = BTreeMap::new();
    for l in labels {
        if !is_valid_variable(&l.variable) {
            return Err(BuildError {
                message: format!(
                    "label `{}`: its variable `{}` must be upper-case letters, digits and `_`, starting with a letter; set one with `variable = \"…\"` under [labels.\"{}\"]",
                    l.name, l.variable, l.name
                ),
                label: entry(l),
                key: None,
            });
        }
        if let Some(other) = names.insert(l.name.to_lowercase(), l) {
            return Err(BuildError {
                message: format!(
                    "labels `{}` and `{}` differ only in case; GitHub treats them as one label",
                    other.name, l.name
                ),
                label: entry(l).or_else(|| entry(other)),
                key: None,
            });
        }
        if let Some(other) = variables.insert(&l.variable, l) {
            return Err(BuildError {
                message: format!(
                    "labels `{}` and `{}` have the same variable `{}`; give one of them another with `variable = \"…\"`",
                    other.name, l.name, l.variable
                ),
                label: entry(l).or_else(|| entry(other)),
                key: Some("variable"),
            });
        }
    }
    Ok(())
}

/// The line of genie.toml that defines `[labels."label"]` (or its `key` inside that
/// table), found by reading the text: TOML spans are gone after merging layers.
fn line_of_label(text: &str, label: &str, key: Option<&str>) -> Option<usize> {
    let header_forms = [
        format!("labels.\"{label}\""),
        format!("labels.'{label}'"),
        format!("labels.{label}"),
    ];
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let lines: Vec<&str> = text.lines().collect();
    let mut header = None;
    let mut in_labels_table = false;
    for (i, line) in lines.iter().enumerate() {
        let t = squash(line);
        if t.starts_with('[') {
            let inner = t.trim_start_matches('[').trim_end_matches(']');
            in_labels_table = inner == "labels";
            if header_forms.iter().any(|h| inner == *h) {
                header = Some(i);
                break;
            }
        } else if in_labels_table || t.starts_with("labels.") {
            // `"name" = { … }` inside [labels], or a dotted key at the top level.
            let quoted = [format!("\"{label}\""), format!("'{label}'")];
            let forms = quoted
                .iter()
                .flat_map(|q| [q.clone(), format!("labels.{q}")])
                .chain([label.to_string(), format!("labels.{label}")]);
            if forms
                .into_iter()
                .any(|f| t.starts_with(&format!("{f}=")) || t.starts_with(&format!("{f}.")))
            {
                return Some(i + 1);
            }
        }
    }
    let start = header?;
    if let Some(key) = key {
        for (j, line) in lines.iter().enumerate().skip(start + 1) {
            let t = squash(line);
            if t.starts_with('[') {
                break;
            }
            if t.starts_with(&format!("{key}=")) {
                return Some(j + 1);
            }
        }
    }
    Some(start + 1)
}

/// The catalog as a markdown table, rows grouped by group in catalog order.
pub fn write_md(labels: &[Label], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "| group | label | variable | colour | description |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for l in labels {
        writeln!(
            out,
            "| {} | `{}` | `{}` | `#{}` | {} |",
            md_cell(&l.group),
            l.name.replace('`', "'").replace('|', "\\|"),
            l.variable,
            l.color,
            md_cell(&l.description)
        )?;
    }
    Ok(())
}

fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

#[derive(Serialize)]
struct JsonCatalog<'a> {
    version: u32,
    labels: &'a [Label],
}

/// The catalog as JSON: `{"version": 1, "labels": [{name, description, color, group, variable}]}`.
pub fn write_json(labels: &[Label], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &JsonCatalog { version: 1, labels })?;
    writeln!(out)
}

/// Quote a word for a POSIX shell: inside single quotes nothing is special, and a
/// single quote is written as `'\''`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A POSIX shell script that creates (or updates) every label with `gh label create --force`.
pub fn write_gh(labels: &[Label], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "#!/bin/sh")?;
    writeln!(
        out,
        "# The process labels of genie's catalog, written by `genie labels --format gh`."
    )?;
    writeln!(
        out,
        "# Creates each label, or updates it when it exists, in the repository `gh` works on"
    )?;
    writeln!(
        out,
        "# (the current clone, or GH_REPO=owner/name). Needs `gh auth login` first."
    )?;
    writeln!(out, "set -eu")?;
    for l in labels {
        writeln!(
            out,
            "gh label create {} --color {} --description {} --force",
            shell_quote(&l.name),
            shell_quote(&l.color),
            shell_quote(&l.description)
        )?;
    }
    Ok(())
}

/// A value of a dotenv file as `gh variable set -f` reads it: bare when nothing in
/// it is special, else single-quoted (literal), else double-quoted with escapes.
fn dotenv_value(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_' | '.' | '/' | '@' | '+' | ',')
        });
    if plain {
        v.to_string()
    } else if !v.contains('\'') && !v.contains('\n') {
        format!("'{v}'")
    } else {
        let mut s = String::from("\"");
        for c in v.chars() {
            match c {
                '\\' | '"' | '$' => {
                    s.push('\\');
                    s.push(c);
                }
                '\n' => s.push_str("\\n"),
                _ => s.push(c),
            }
        }
        s.push('"');
        s
    }
}

/// The variables as `NAME=value` lines: a dotenv file for `gh variable set -f FILE`.
pub fn write_vars(labels: &[Label], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "# Repository variables holding the names of genie's process labels,"
    )?;
    writeln!(
        out,
        "# written by `genie labels --format vars`. Workflows compare label names with"
    )?;
    writeln!(
        out,
        "# them (`github.event.label.name == vars.RUN_DEV_LABEL`). Set them all with:"
    )?;
    writeln!(
        out,
        "#   genie labels --format vars > labels.env && gh variable set -f labels.env"
    )?;
    for l in labels {
        writeln!(out, "{}={}", l.variable, dotenv_value(&l.name))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(toml: &str) -> Result<Vec<Label>, ConfigError> {
        catalog(&Config::parse(toml, None).expect("config parses"))
    }

    #[test]
    fn variables_are_derived() {
        assert_eq!(variable_of("run:dev"), "RUN_DEV_LABEL");
        assert_eq!(variable_of("run:dev:revise"), "RUN_DEV_REVISE_LABEL");
        assert_eq!(variable_of("run:doc-audit"), "RUN_DOC_AUDIT_LABEL");
        assert_eq!(variable_of("good first issue"), "GOOD_FIRST_ISSUE_LABEL");
        assert_eq!(variable_of("::bug!!"), "BUG_LABEL");
        assert_eq!(variable_of("🔥"), "_LABEL");
        assert!(is_valid_variable("RUN_DEV_LABEL"));
        assert!(!is_valid_variable("_LABEL"));
        assert!(!is_valid_variable("run_dev"));
        assert!(!is_valid_variable("1_LABEL"));
        assert!(!is_valid_variable(""));
    }

    #[test]
    fn builtin_catalog_covers_the_process() {
        let labels = catalog(&Config::builtin()).unwrap();
        let names: Vec<&str> = labels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            &names[..4],
            [
                "run:intake",
                "run:intake:revise",
                "run:vision",
                "run:vision:revise"
            ]
        );
        for n in [
            "run:ops:revise",
            "run:abort",
            "run:rethink",
            "state:blocked",
            "need:pm",
            "need:info",
            "need:decision",
            "bug",
            "epic",
            "model:strong",
            "reasoning:high",
        ] {
            assert!(names.contains(&n), "{n} missing");
        }
        let mut groups: Vec<&str> = labels.iter().map(|l| l.group.as_str()).collect();
        groups.dedup();
        assert_eq!(groups, GROUPS);
        for l in &labels {
            assert!(is_color(&l.color), "{}", l.name);
            assert!(is_valid_variable(&l.variable));
            assert!(l.description.chars().count() <= MAX_DESCRIPTION);
            assert!(!l.description.is_empty(), "{}", l.name);
        }
        assert!(labels[0].description.starts_with("Run the intake stage: "));
        assert_eq!(
            by_variable(&labels, "run_dev_label").unwrap().name,
            "run:dev"
        );
        assert_eq!(
            by_name(&labels, "RUN:DEV").unwrap().variable,
            "RUN_DEV_LABEL"
        );
    }

    #[test]
    fn overrides_additions_and_disabled() {
        let labels = with(
            r##"
[labels."bug"]
color = "#FF0000"
description = "Broken"
[labels."need:legal"]
description = "Legal must review"
[labels."area:api"]
variable = "API_AREA_LABEL"
[labels."idea"]
disabled = true
"##,
        )
        .unwrap();
        let bug = by_name(&labels, "bug").unwrap();
        assert_eq!(
            (bug.color.as_str(), bug.description.as_str()),
            ("ff0000", "Broken")
        );
        assert!(by_name(&labels, "idea").is_none());
        let legal = labels.iter().position(|l| l.name == "need:legal").unwrap();
        assert_eq!(labels[legal - 1].name, "need:decision");
        assert_eq!(labels[legal].group, "need");
        let last = labels.last().unwrap();
        assert_eq!(
            (last.name.as_str(), last.group.as_str()),
            ("area:api", "area")
        );
        assert_eq!(last.variable, "API_AREA_LABEL");
        assert_eq!(last.color, DEFAULT_COLOR);
    }

    #[test]
    fn bad_labels_are_configuration_errors() {
        let e = |t: &str| with(t).unwrap_err().message;
        assert!(e("[labels.\"x\"]\ncolor = \"12345g\"\n").contains("six hexadecimal"));
        assert!(e("[labels.\"x\"]\nvariable = \"BUG_LABEL\"\n").contains("same variable"));
        assert!(e("[labels.\"x\"]\nvariable = \"lower\"\n").contains("upper-case"));
        assert!(e("[labels.\"\"]\ndescription = \"d\"\n").contains("empty"));
        assert!(e("[labels.\"🔥\"]\ndescription = \"d\"\n").contains("_LABEL"));
        assert!(e("[labels.\"nope\"]\ndisabled = true\n").contains("not a built-in"));
        assert!(e("[labels.\"Bug!\"]\ndescription = \"d\"\n").contains("same variable"));
    }

    #[test]
    fn error_lines_point_into_genie_toml() {
        let text = "# c\n[labels.\"a:b\"]\ndescription = \"x\"\ncolor = \"zz\"\n";
        assert_eq!(line_of_label(text, "a:b", Some("color")), Some(4));
        assert_eq!(line_of_label(text, "a:b", None), Some(2));
        let inline = "[labels]\n\"a:b\" = { color = \"zz\" }\n";
        assert_eq!(line_of_label(inline, "a:b", Some("color")), Some(2));
    }

    #[test]
    fn output_quoting() {
        let labels = vec![Label {
            name: "it's".into(),
            description: "a 'quoted' $word".into(),
            color: "ededed".into(),
            group: "custom".into(),
            variable: "IT_S_LABEL".into(),
        }];
        let mut gh = Vec::new();
        write_gh(&labels, &mut gh).unwrap();
        let gh = String::from_utf8(gh).unwrap();
        assert!(gh.contains(r"gh label create 'it'\''s' --color 'ededed' --description 'a '\''quoted'\'' $word' --force"));
        assert_eq!(dotenv_value("run:dev"), "run:dev");
        assert_eq!(dotenv_value("good first issue"), "'good first issue'");
        assert_eq!(dotenv_value("it's $x"), "\"it's \\$x\"");
    }
}
