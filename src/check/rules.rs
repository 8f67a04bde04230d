//! The rule registry: every diagnostic genie emits comes from one of these.
//! Codes are stable; names are what genie.toml uses to change a level.

use crate::report::Level;

/// Static description of one rule.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    /// One line: what the rule catches.
    pub summary: &'static str,
    /// The default help line shown with each finding.
    pub help: &'static str,
}

macro_rules! rules {
    ($( $ident:ident = $code:literal, $name:literal, $level:ident, $summary:literal, $help:literal; )*) => {
        $( pub const $ident: &Rule = &Rule { code: $code, name: $name, level: Level::$level, summary: $summary, help: $help }; )*
        /// Every rule, sorted by code.
        pub const RULES: &[&Rule] = &[ $( $ident ),* ];
    };
}

rules! {
    UNREADABLE = "G0001", "unreadable-file", Error,
        "A document cannot be read: an I/O error, a symlink leading out of the repository, or a file name that is not UTF-8.",
        "genie reads files inside the repository only; replace the symlink with the file or fix the permissions";
    INVALID_UTF8 = "G0002", "invalid-utf8", Error,
        "A document is not valid UTF-8.",
        "save the file as UTF-8";
    EMPTY = "G0003", "empty-document", Warning,
        "A document is empty.",
        "delete the file or give it front-matter and a body";
    MISSING_FRONT_MATTER = "G0101", "missing-front-matter", Error,
        "A document has no front-matter block (`---` YAML or `+++` TOML at the top).",
        "start the file with a `---` line, the fields (doc_id, type, title, status, owner_role, created_at) and a closing `---`";
    FRONT_MATTER_SYNTAX = "G0102", "front-matter-syntax", Error,
        "The front-matter is not valid YAML or TOML, is not a mapping, is not closed, repeats a key, or expands past genie's alias budget.",
        "fix the front-matter so that it is a YAML mapping of `key: value` lines";
    NONSTANDARD_KEY = "G0103", "nonstandard-key", Warning,
        "A front-matter key has spaces or capitals, or is a translation of a standard field.",
        "use the standard snake_case field names";
    MISSING_FIELD = "G0201", "missing-field", Error,
        "A field the document's type requires is missing.",
        "add the field to the front-matter";
    INVALID_DOC_ID = "G0202", "invalid-doc-id", Error,
        "A doc_id is not PREFIX-NNNN with the prefix of the document's type and the configured number width.",
        "use the type's prefix and a zero-padded number, e.g. ADR-0007";
    DUPLICATE_DOC_ID = "G0203", "duplicate-doc-id", Error,
        "Two documents have the same doc_id.",
        "give one of them the next free number of its type";
    UNKNOWN_TYPE = "G0204", "unknown-type", Error,
        "The `type` is not a configured document type.",
        "use one of the types listed by `genie config --dump`, or add the type under [types] in genie.toml";
    UNKNOWN_STATUS = "G0205", "unknown-status", Error,
        "The `status` is not in the configured vocabulary.",
        "use draft, in-review, approved, superseded, obsolete or abandoned (or a configured alias)";
    UNKNOWN_OWNER_ROLE = "G0206", "unknown-owner-role", Error,
        "The `owner_role` (or a role in `approvals.required`) is not a configured role.",
        "use one of the roles in genie.toml `owner_roles`";
    INVALID_DATE = "G0207", "invalid-date", Error,
        "A date is not a real calendar date written YYYY-MM-DD.",
        "write dates as YYYY-MM-DD, e.g. 2026-03-04";
    PLACEHOLDER = "G0208", "template-placeholder", Error,
        "A template placeholder was left in the front-matter (ADR-XXXX, YYYY-MM-DD, a `a|b|c` choice list, …).",
        "replace the placeholder with the real value";
    FIELD_SHAPE = "G0209", "field-shape", Warning,
        "A field has a shape genie can read but should not have: a single value or a comma-separated string where a list is expected.",
        "write the value as a YAML list, e.g. [a, b]";
    INVALID_FIELD = "G0210", "invalid-field", Error,
        "A field's value cannot be read: an issue reference that is not a number, `#N`, `owner/repo#N` or an issue URL; an approvals status other than pending, approved or rejected; a mapping where text is expected.",
        "see the table of standard fields in the README";
    DANGLING_REFERENCE = "G0301", "dangling-reference", Error,
        "supersedes, superseded_by or related_docs names a doc_id that no document has.",
        "fix the id, or remove the reference if the document is gone";
    SUPERSEDE_MISMATCH = "G0302", "supersede-mismatch", Error,
        "supersedes and superseded_by do not agree in both directions.",
        "set `supersedes` on the new document and `superseded_by` on the old one";
    SUPERSEDE_CYCLE = "G0303", "supersede-cycle", Error,
        "Documents supersede each other in a cycle.",
        "a supersede chain must run one way: remove one of the links";
    SUPERSEDED_STATUS = "G0304", "superseded-status", Error,
        "A document has superseded_by but its status is not `superseded`.",
        "set `status: superseded`";
    SUPERSEDED_BY_DRAFT = "G0305", "superseded-by-draft", Warning,
        "An approved decision is superseded by a document that is still a draft.",
        "approve the new document, or keep the old one current until it is";
    BROKEN_LINK = "G0401", "broken-link", Error,
        "A relative markdown link points to a file that does not exist, or out of the repository.",
        "fix the path (relative to this document) or remove the link";
    BROKEN_ANCHOR = "G0402", "broken-anchor", Error,
        "A link's `#anchor` names no heading in the target document.",
        "anchors are heading slugs: lower-case, spaces as `-`, punctuation dropped";
    DOCSET_SYNTAX = "G0501", "docset-syntax", Error,
        "A DocSet file is not valid YAML or does not have the DocSet shape (unknown field, wrong type, missing field).",
        "a DocSet has issue (or pr), title, profile, stage, state, prs, release, docs and notes; see the README";
    DOCSET_NAME = "G0502", "docset-name-mismatch", Error,
        "A DocSet file's name and the issue or PR number inside disagree.",
        "name the file issues/issue-<N>.yaml or prs/pr-<N>.yaml after the number it holds";
    UNKNOWN_STAGE = "G0503", "unknown-stage", Error,
        "A DocSet names a stage that is not configured or not part of its profile.",
        "use a stage of the DocSet's profile";
    UNKNOWN_PROFILE = "G0504", "unknown-profile", Error,
        "A DocSet names a profile that is not configured.",
        "use new-service, feature, quick-fix or a profile from genie.toml";
    DOCSET_MISSING_DOC = "G0505", "docset-missing-doc", Error,
        "A DocSet lists a doc_id that no document has.",
        "remove the entry or restore the document; `genie docset sync` rewrites the list";
    DOCSET_STALE = "G0506", "docset-stale-entry", Error,
        "A DocSet entry's path, type or status is not the document's.",
        "update the entry; `genie docset sync` rewrites the list";
    DOCSET_UNLISTED = "G0507", "docset-unlisted", Error,
        "A document names an issue or PR in related_issues/related_prs, but that DocSet does not list it.",
        "add the document to the DocSet (`genie docset sync`)";
    DOCSET_UNCLAIMED = "G0508", "docset-unclaimed", Error,
        "A DocSet lists a document that does not name the issue or PR in its front-matter.",
        "add the issue to the document's related_issues (or the PR to related_prs), or remove the entry";
    STAGE_GATE = "G0509", "stage-gate", Error,
        "An issue is at a stage whose gate is not met: an artifact an earlier stage requires is missing or not approved (or, for a done issue, one of any stage).",
        "create the missing document (`genie new TYPE …`) or get it approved, or move the issue back";
    TOO_LONG = "G0601", "document-too-long", Warning,
        "A document is longer than docs.max_lines lines.",
        "split it: many small documents are easier to review, approve and search than one monolith";
    SECRET = "G0701", "secret", Error,
        "An added line holds what looks like a secret: a cloud or API key, a token, a private key block, a webhook URL.",
        "remove the secret and rotate it; if it is a test value, add the allow marker to the line or its fingerprint to the allowlist";
    COMMIT_ISSUE = "G0702", "commit-issue-reference", Error,
        "A commit message references no issue (policy.issue_patterns).",
        "end the subject with (#123), or add a line `Refs #123` or `Closes #123`";
    CONVENTIONAL_COMMIT = "G0703", "conventional-commit", Off,
        "A commit subject is not a Conventional Commit (`type(scope): subject`, type from policy.commit_types).",
        "write the subject as `feat: …`, `fix(parser): …`, `docs: …`";
    BRANCH_NAME = "G0704", "branch-name", Error,
        "A branch name matches none of policy.branch_patterns.",
        "rename the branch, e.g. `git branch -m feat/123-short-name`";
    PROTECTED_BRANCH = "G0705", "protected-branch", Error,
        "A commit or push goes straight onto a protected branch (policy.protected_branches).",
        "commit on a feature branch and open a pull request";
    APPROVED_EDITED = "G0706", "approved-body-edited", Warning,
        "The body of an approved document changed without a change of its status.",
        "set the status back to in-review (or draft) so that the change is approved again";
    LABEL_LITERAL = "G0801", "label-literal", Error,
        "A workflow compares a label name with a string literal instead of a repository variable.",
        "compare with the label's variable, e.g. `vars.RUN_DEV_LABEL`; `genie labels --format vars` lists them";
    UNKNOWN_LABEL_VARIABLE = "G0802", "unknown-label-variable", Error,
        "A workflow uses a `vars.*_LABEL` variable that names no label of the catalog.",
        "use a variable listed by `genie labels --format vars`, or add the label under [labels] in genie.toml";
    WORKFLOW_SYNTAX = "G0803", "workflow-syntax", Error,
        "A workflow file is not valid YAML.",
        "fix the YAML; GitHub would refuse the workflow too";
}

/// A rule by code or name.
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
}

/// Effective levels, after genie.toml `[rules]`.
#[derive(Debug, Clone)]
pub struct Levels {
    levels: Vec<Level>,
}

impl Levels {
    pub fn new(config: &crate::config::Config) -> Self {
        let levels = RULES
            .iter()
            .map(|r| {
                config
                    .rules
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(r.code) || *k == r.name)
                    .map_or(r.level, |(_, l)| *l)
            })
            .collect();
        Levels { levels }
    }

    pub fn of(&self, rule: &Rule) -> Level {
        RULES
            .iter()
            .position(|r| r.code == rule.code)
            .map_or(rule.level, |i| self.levels[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_unique_and_documented() {
        for w in RULES.windows(2) {
            assert!(w[0].code < w[1].code, "{} before {}", w[0].code, w[1].code);
        }
        let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RULES.len(), "rule names are unique");
        for r in RULES {
            assert!(r.code.len() == 5 && r.code.starts_with('G'), "{}", r.code);
            assert!(r.summary.ends_with('.'), "{} summary", r.name);
            assert!(!r.help.is_empty(), "{} help", r.name);
            assert!(
                r.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit())
            );
        }
    }

    #[test]
    fn config_changes_levels() {
        let c = crate::config::Config::parse(
            "[rules]\nG0601 = \"error\"\nduplicate-doc-id = \"off\"\n",
            None,
        )
        .unwrap();
        let l = Levels::new(&c);
        assert_eq!(l.of(TOO_LONG), Level::Error);
        assert_eq!(l.of(DUPLICATE_DOC_ID), Level::Off);
        assert_eq!(l.of(BROKEN_LINK), Level::Error);
    }
}
