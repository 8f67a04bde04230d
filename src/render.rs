//! Document templates for `genie new`: one per default type, embedded from
//! `templates/` and rendered with minijinja. A repository overrides any of them
//! (or adds one for a type of its own) with `<docs.templates_dir>/<type>.md`.
//!
//! Variables: `doc_id`, `type`, `title`, `owner_role`, `today`, `author`,
//! `issue` and `pr` (numbers or none), `supersedes` (a doc_id or none) and
//! `release` (the issue's release, or `unreleased`). The `yaml` filter writes a
//! string as a YAML scalar, quoted when it has to be.

use std::path::Path;

use serde::Serialize;

use crate::config::Config;

/// A built-in template and the owner role documents of its type get by default.
#[derive(Debug)]
pub struct Builtin {
    pub doc_type: &'static str,
    pub owner_role: &'static str,
    pub source: &'static str,
}

macro_rules! builtins {
    ($( $ty:literal => $role:literal, )*) => {
        /// Every built-in template, in the order of the default types.
        pub const BUILTINS: &[Builtin] = &[
            $( Builtin {
                doc_type: $ty,
                owner_role: $role,
                source: include_str!(concat!("../templates/", $ty, ".md")),
            }, )*
        ];
    };
}

builtins! {
    "brief" => "pm",
    "problem" => "pm",
    "personas" => "pm",
    "scope" => "pm",
    "constraints" => "sa",
    "questions" => "pm",
    "charter" => "owner",
    "success-metrics" => "pm",
    "risks" => "pm",
    "prd" => "pm",
    "nfr" => "sa",
    "epic" => "pm",
    "story" => "pm",
    "c4-context" => "sa",
    "c4-container" => "sa",
    "alternatives" => "sa",
    "adr" => "sa",
    "design-doc" => "sa",
    "api-contract" => "sa",
    "data-model" => "sa",
    "migrations-policy" => "sa",
    "delivery-plan" => "em",
    "definition-of-done" => "em",
    "roadmap" => "pm",
    "audit-report" => "auditor",
    "test-strategy" => "qa",
    "test-plan" => "qa",
    "test-matrix" => "qa",
    "regression-checklist" => "qa",
    "release-plan" => "em",
    "rollback-plan" => "sre",
    "release-notes" => "pm",
    "postdeploy-review" => "em",
    "postmortem" => "sre",
    "monitoring" => "sre",
    "slo" => "sre",
    "alerts" => "sre",
    "runbook" => "sre",
    "incident-playbook" => "sre",
    "lesson" => "km",
    "handoff" => "em",
    "session" => "km",
}

/// The template of a configured type that has no built-in one.
pub const GENERIC: &str = include_str!("../templates/generic.md");

/// Where a template comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    /// Embedded in genie.
    Builtin,
    /// Embedded generic template, for a configured type with no built-in one.
    Generic,
    /// The repository's override (repository-relative path).
    Repository { path: String },
}

/// A template ready to render.
#[derive(Debug, Clone)]
pub struct Template {
    pub doc_type: String,
    pub source: Source,
    pub text: String,
}

/// One row of `genie templates list`.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateInfo {
    #[serde(rename = "type")]
    pub doc_type: String,
    pub prefix: String,
    pub source: Source,
    /// The owner role new documents of this type get by default.
    pub owner_role: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("unknown document type `{0}`{1}")]
    UnknownType(String, String),
    #[error("{path}: cannot read the template: {message}")]
    Read { path: String, message: String },
    #[error("{origin}: {message}")]
    Template { origin: String, message: String },
}

/// The built-in template of a type, if there is one.
pub fn builtin(doc_type: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.doc_type == doc_type)
}

fn override_path(config: &Config, doc_type: &str) -> String {
    format!(
        "{}/{doc_type}.md",
        config.docs.templates_dir.trim_end_matches('/')
    )
}

/// The template `genie new` uses for `doc_type`: the repository's override, else
/// the built-in one, else the generic one (for configured types only).
pub fn find(root: &Path, config: &Config, doc_type: &str) -> Result<Template, RenderError> {
    if !config.types.contains_key(doc_type) {
        return Err(RenderError::UnknownType(
            doc_type.to_string(),
            crate::config::did_you_mean(doc_type, config.types.keys()),
        ));
    }
    let rel = override_path(config, doc_type);
    let abs = root.join(&rel);
    if abs.is_file() {
        let text = std::fs::read_to_string(&abs).map_err(|e| RenderError::Read {
            path: rel.clone(),
            message: e.to_string(),
        })?;
        return Ok(Template {
            doc_type: doc_type.to_string(),
            source: Source::Repository { path: rel },
            text,
        });
    }
    Ok(match builtin(doc_type) {
        Some(b) => Template {
            doc_type: doc_type.to_string(),
            source: Source::Builtin,
            text: b.source.to_string(),
        },
        None => Template {
            doc_type: doc_type.to_string(),
            source: Source::Generic,
            text: GENERIC.to_string(),
        },
    })
}

/// Every configured type and the template it uses.
pub fn list(root: &Path, config: &Config) -> Vec<TemplateInfo> {
    config
        .types
        .iter()
        .map(|(name, t)| {
            let rel = override_path(config, name);
            let source = if root.join(&rel).is_file() {
                Source::Repository { path: rel }
            } else if builtin(name).is_some() {
                Source::Builtin
            } else {
                Source::Generic
            };
            TemplateInfo {
                doc_type: name.clone(),
                prefix: t.prefix.clone(),
                source,
                owner_role: default_owner_role(config, name),
            }
        })
        .collect()
}

/// The owner role a new document of `doc_type` gets: the built-in default when the
/// repository has that role, else the first configured role.
pub fn default_owner_role(config: &Config, doc_type: &str) -> String {
    builtin(doc_type)
        .map(|b| b.owner_role)
        .filter(|r| config.is_role(r))
        .map(str::to_string)
        .or_else(|| config.owner_roles.first().cloned())
        .unwrap_or_else(|| "owner".to_string())
}

/// What a template is rendered with.
#[derive(Debug, Clone, Serialize)]
pub struct Vars {
    pub doc_id: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub title: String,
    pub owner_role: String,
    pub today: String,
    pub author: String,
    pub issue: Option<u64>,
    pub pr: Option<u64>,
    pub supersedes: Option<String>,
    pub release: String,
}

impl Vars {
    fn to_value(&self) -> minijinja::Value {
        use minijinja::Value;
        let opt = |o: Option<Value>| o.unwrap_or(Value::from(()));
        let pairs: Vec<(&str, Value)> = vec![
            ("doc_id", Value::from(self.doc_id.as_str())),
            ("type", Value::from(self.doc_type.as_str())),
            ("title", Value::from(self.title.as_str())),
            ("owner_role", Value::from(self.owner_role.as_str())),
            ("today", Value::from(self.today.as_str())),
            ("author", Value::from(self.author.as_str())),
            ("issue", opt(self.issue.map(Value::from))),
            ("pr", opt(self.pr.map(Value::from))),
            (
                "supersedes",
                opt(self.supersedes.as_deref().map(Value::from)),
            ),
            ("release", Value::from(self.release.as_str())),
        ];
        let map: std::collections::BTreeMap<String, Value> =
            pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        Value::from(map)
    }
}

/// Render a template.
pub fn render(template: &Template, vars: &Vars) -> Result<String, RenderError> {
    let origin = match &template.source {
        Source::Repository { path } => path.clone(),
        Source::Builtin => format!("built-in template `{}`", template.doc_type),
        Source::Generic => "built-in generic template".to_string(),
    };
    let mut env = minijinja::Environment::new();
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .map_err(|e| RenderError::Template {
            origin: origin.clone(),
            message: e.to_string(),
        })?;
    env.set_syntax(syntax);
    env.add_filter("yaml", |s: String| crate::edit::quote(&s));
    let out = env
        .render_str(&template.text, vars.to_value())
        .map_err(|e| RenderError::Template {
            origin: origin.clone(),
            message: describe(&e),
        })?;
    Ok(out)
}

fn describe(e: &minijinja::Error) -> String {
    let mut msg = e.to_string();
    if let Some(line) = e.line()
        && !msg.contains("line")
    {
        msg = format!("line {line}: {msg}");
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_type_has_a_template() {
        let config = Config::builtin();
        assert_eq!(BUILTINS.len(), config.types.len());
        for name in config.types.keys() {
            assert!(builtin(name).is_some(), "{name}");
        }
        for b in BUILTINS {
            assert!(config.is_role(b.owner_role), "{}", b.doc_type);
            assert!(
                b.source.starts_with("---\n"),
                "{} starts with front-matter",
                b.doc_type
            );
        }
    }

    #[test]
    fn titles_are_quoted_when_they_must_be() {
        let t = Template {
            doc_type: "adr".into(),
            source: Source::Builtin,
            text: "title: {{ title | yaml }}\n{% if issue %}issue: {{ issue }}\n{% endif %}end\n"
                .into(),
        };
        let mut vars = Vars {
            doc_id: "ADR-0001".into(),
            doc_type: "adr".into(),
            title: "Use: Postgres".into(),
            owner_role: "sa".into(),
            today: "2026-01-02".into(),
            author: "A".into(),
            issue: None,
            pr: None,
            supersedes: None,
            release: "unreleased".into(),
        };
        assert_eq!(
            render(&t, &vars).unwrap(),
            "title: \"Use: Postgres\"\nend\n"
        );
        vars.issue = Some(7);
        assert_eq!(
            render(&t, &vars).unwrap(),
            "title: \"Use: Postgres\"\nissue: 7\nend\n"
        );
    }
}
