//! DocSet files: one per issue (`issues/issue-<N>.yaml`) or PR (`prs/pr-<N>.yaml`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::yaml::Node;

/// An issue or PR number, written `123` or `"#123"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Number(pub u64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(u64),
            Str(String),
        }
        match Raw::deserialize(d) {
            Ok(Raw::Int(n)) if n > 0 => Ok(Number(n)),
            Ok(Raw::Str(s)) => {
                let t = s.trim().trim_start_matches('#');
                match t.parse::<u64>() {
                    Ok(n) if n > 0 => Ok(Number(n)),
                    _ => Err(serde::de::Error::custom(format!(
                        "`{s}` is not an issue number (write 123 or \"#123\")"
                    ))),
                }
            }
            _ => Err(serde::de::Error::custom(
                "expected an issue number (write 123 or \"#123\")",
            )),
        }
    }
}

impl JsonSchema for Number {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Number".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An issue or PR number: 123 or \"#123\".",
            "anyOf": [
                {"type": "integer", "minimum": 1},
                {"type": "string", "pattern": "^#?[1-9][0-9]*$"}
            ]
        })
    }
}

/// Where the work of a DocSet stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum State {
    #[default]
    Active,
    Blocked,
    Done,
    Abandoned,
}

/// One document of a DocSet, as `genie docset sync` writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub doc_id: String,
    /// Repository-relative path of the document.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(rename = "type", default)]
    pub doc_type: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// A DocSet file: the documents, stage and state of one issue or PR.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "genie DocSet")]
pub struct DocSetFile {
    /// The issue this DocSet is for (issue DocSets), or the issue a PR implements (PR DocSets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<Number>,
    /// The pull request (PR DocSets only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pr: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Which stages the issue passes through (default: the configured default_profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The stage the issue is at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default)]
    pub state: State,
    /// Pull requests that implement the issue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prs: Vec<Number>,
    /// The release the work ships in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Documents, kept in sync with front-matter by `genie docset sync`.
    #[serde(default)]
    pub docs: Vec<Entry>,
    /// Free text, kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Issue,
    Pr,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Issue => "issue",
            Kind::Pr => "PR",
        }
    }
}

/// A DocSet file as read from the repository.
#[derive(Debug, Clone)]
pub struct DocSet {
    /// Repository-relative path.
    pub path: String,
    pub kind: Kind,
    /// The number in the file name, when it has one.
    pub file_number: Option<u64>,
    pub file: DocSetFile,
    /// The YAML tree, for the lines of fields.
    pub root: Node,
}

impl DocSet {
    /// The issue or PR number the DocSet is for (from its content, else its name).
    pub fn number(&self) -> Option<u64> {
        let own = match self.kind {
            Kind::Issue => self.file.issue,
            Kind::Pr => self.file.pr,
        };
        own.map(|n| n.0).or(self.file_number)
    }

    /// Line of a field (serde path such as `docs[2].doc_id`).
    pub fn line(&self, path: &str) -> (u32, u32) {
        let n = self.root.at_path(path);
        (n.line, n.col)
    }
}

/// `issue-12.yaml` → (Issue, Some(12)); `pr-7.yml` → (Pr, Some(7)).
pub fn parse_file_name(dir_kind: Kind, name: &str) -> Option<u64> {
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))?;
    let prefix = match dir_kind {
        Kind::Issue => "issue-",
        Kind::Pr => "pr-",
    };
    stem.strip_prefix(prefix)?.parse().ok().filter(|&n| n > 0)
}
