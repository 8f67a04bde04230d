//! Rules on one document's front-matter fields: types, statuses, roles, ids,
//! dates, placeholders, references and the shape of each standard field.

use crate::check::rules::{self, Rule};
use crate::check::{Context, Sink};
use crate::config::did_you_mean;
use crate::model::{Fields, IssueRef, Spanned, check_date};
use crate::yaml::{Duplicate, Node, Value};

/// The standard front-matter fields.
pub const STANDARD_FIELDS: &[&str] = &[
    "doc_id",
    "type",
    "title",
    "status",
    "owner_role",
    "created_at",
    "updated_at",
    "related_issues",
    "related_prs",
    "related_docs",
    "supersedes",
    "superseded_by",
    "approvals",
    "release",
    "tags",
];

/// Keys seen in translated or localized front-matter, and the field each stands for.
const TRANSLATED: &[(&str, &str)] = &[
    ("заголовок", "title"),
    ("название", "title"),
    ("наименование", "title"),
    ("статус", "status"),
    ("тип", "type"),
    ("владелец", "owner_role"),
    ("роль", "owner_role"),
    ("дата", "created_at"),
    ("создан", "created_at"),
    ("создано", "created_at"),
    ("дата создания", "created_at"),
    ("обновлено", "updated_at"),
    ("дата обновления", "updated_at"),
    ("теги", "tags"),
    ("метки", "tags"),
    ("идентификатор", "doc_id"),
    ("titel", "title"),
    ("titre", "title"),
    ("título", "title"),
    ("titolo", "title"),
    ("estado", "status"),
];

/// What reading the fields found, beyond [`Fields`]: the standard keys present.
pub struct Read {
    pub fields: Fields,
    /// Standard fields present with a non-empty value.
    pub present: Vec<&'static str>,
}

pub(crate) fn standard(name: &str) -> Option<&'static str> {
    STANDARD_FIELDS.iter().copied().find(|f| *f == name)
}

/// Read and check the front-matter mapping of the document at `path`.
pub fn read(
    path: &str,
    root: &Node,
    duplicates: &[Duplicate],
    ctx: &Context,
    sink: &mut Sink,
) -> Read {
    for d in duplicates {
        sink.emit(
            rules::FRONT_MATTER_SYNTAX,
            path,
            d.line,
            d.col,
            format!(
                "duplicate key `{}` (first at line {}); the first value is used",
                d.key, d.first_line
            ),
        );
    }

    // Placeholders anywhere in the front-matter; fields holding one are not checked further.
    let mut placeholder_at: Vec<(u32, u32)> = Vec::new();
    find_placeholders(root, ctx, &mut |node, text| {
        placeholder_at.push((node.line, node.col));
        sink.emit(
            rules::PLACEHOLDER,
            path,
            node.line,
            node.col,
            format!("template placeholder `{}` left in", short(text)),
        );
    });
    let is_placeholder = |n: &Node| placeholder_at.contains(&(n.line, n.col));

    // Map each key to a standard field: directly, by normalizing its spelling, or by translation.
    let entries = root.as_map().unwrap_or(&[]);
    let mut chosen: Vec<(&'static str, &Node, &Node)> = Vec::new();
    for (k, v) in entries {
        let Some(name) = k.scalar_text() else {
            continue;
        };
        if let Some(f) = standard(&name) {
            chosen.retain(|(c, _, _)| *c != f);
            chosen.push((f, k, v));
            continue;
        }
        let normalized = name.trim().to_lowercase().replace([' ', '-'], "_");
        let translated = TRANSLATED
            .iter()
            .find(|(t, _)| *t == name.trim().to_lowercase())
            .map(|(_, f)| *f);
        if let Some(f) = standard(&normalized).or(translated) {
            let how = if translated.is_some() {
                "a translation of"
            } else {
                "another spelling of"
            };
            sink.emit_help(
                rules::NONSTANDARD_KEY,
                path,
                k.line,
                k.col,
                format!("key `{name}` is {how} the standard field `{f}`"),
                format!("rename it to `{f}`; genie reads it as `{f}` meanwhile"),
            );
            if !chosen.iter().any(|(c, _, _)| *c == f) {
                chosen.push((f, k, v));
            }
            continue;
        }
        if name.contains(char::is_whitespace) || name.chars().any(char::is_uppercase) {
            let snake: String = name
                .trim()
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("_");
            sink.emit_help(
                rules::NONSTANDARD_KEY,
                path,
                k.line,
                k.col,
                format!("key `{name}` has spaces or capitals"),
                format!("front-matter keys are snake_case: `{snake}`"),
            );
        }
    }

    let mut fields = Fields::default();
    let mut present = Vec::new();
    let config = ctx.config;

    for &(name, key, value) in &chosen {
        fields.key_lines.push((name, key.line));
        if matches!(value.value, Value::Null) || value.as_str().is_some_and(|s| s.trim().is_empty())
        {
            continue; // empty: reported as missing if required
        }
        present.push(name);
        if is_placeholder(value) {
            continue;
        }
        match name {
            "doc_id" => {
                if let Some(s) = text_field(path, name, value, sink) {
                    fields.doc_id = Some(Spanned::new(s, value.line, value.col));
                }
            }
            "type" => {
                if let Some(s) = text_field(path, name, value, sink) {
                    if !config.types.contains_key(&s) {
                        sink.emit(
                            rules::UNKNOWN_TYPE,
                            path,
                            value.line,
                            value.col,
                            format!(
                                "unknown document type `{s}`{}",
                                did_you_mean(&s, config.types.keys())
                            ),
                        );
                    }
                    fields.doc_type = Some(Spanned::new(s, value.line, value.col));
                }
            }
            "title" => fields.title = text_field(path, name, value, sink),
            "status" => {
                if let Some(s) = text_field(path, name, value, sink) {
                    match config.canonical_status(&s) {
                        Some(c) => fields.canonical_status = Some(c.to_string()),
                        None => {
                            let all = config
                                .statuses
                                .values
                                .iter()
                                .chain(config.statuses.aliases.keys());
                            sink.emit(
                                rules::UNKNOWN_STATUS,
                                path,
                                value.line,
                                value.col,
                                format!("unknown status `{s}`{}", did_you_mean(&s, all)),
                            );
                        }
                    }
                    fields.status = Some(Spanned::new(s, value.line, value.col));
                }
            }
            "owner_role" => {
                if let Some(s) = text_field(path, name, value, sink) {
                    check_role(path, &s, value, ctx, sink);
                    fields.owner_role = Some(s);
                }
            }
            "created_at" | "updated_at" => date_field(path, name, value, sink),
            "related_issues" | "related_prs" => {
                let refs = issue_refs(path, name, value, &is_placeholder, sink);
                if name == "related_issues" {
                    fields.related_issues = refs;
                } else {
                    fields.related_prs = refs;
                }
            }
            "related_docs" | "supersedes" | "superseded_by" => {
                let ids = list_field(
                    path,
                    name,
                    value,
                    name == "related_docs",
                    &is_placeholder,
                    sink,
                );
                match name {
                    "related_docs" => fields.related_docs = ids,
                    "supersedes" => fields.supersedes = ids,
                    _ => fields.superseded_by = ids,
                }
            }
            "tags" => {
                list_field(path, name, value, true, &is_placeholder, sink);
            }
            "approvals" => {
                fields.approvals_status = approvals(path, value, &is_placeholder, ctx, sink)
            }
            "release" => fields.release = release(path, value, &is_placeholder, sink),
            _ => {}
        }
    }
    if let Some(Value::Bool(true)) = root.get("incident").map(|n| &n.value) {
        fields.incident = true;
    }
    check_doc_id(path, &fields, ctx, sink);
    Read { fields, present }
}

fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

fn find_placeholders(node: &Node, ctx: &Context, found: &mut dyn FnMut(&Node, &str)) {
    match &node.value {
        Value::Str(s) if ctx.placeholders.is_match(s) => found(node, s),
        Value::Seq(items) => items.iter().for_each(|n| find_placeholders(n, ctx, found)),
        Value::Map(entries) => entries
            .iter()
            .for_each(|(_, v)| find_placeholders(v, ctx, found)),
        _ => {}
    }
}

/// A field that must be text; numbers are accepted as their text.
fn text_field(path: &str, name: &str, value: &Node, sink: &mut Sink) -> Option<String> {
    match &value.value {
        Value::Str(s) => Some(s.trim().to_string()),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => value.scalar_text(),
        _ => {
            sink.emit(
                rules::INVALID_FIELD,
                path,
                value.line,
                value.col,
                format!("`{name}` must be text, not {}", value.kind()),
            );
            None
        }
    }
}

fn check_role(path: &str, role: &str, node: &Node, ctx: &Context, sink: &mut Sink) {
    if !ctx.config.is_role(role) {
        sink.emit(
            rules::UNKNOWN_OWNER_ROLE,
            path,
            node.line,
            node.col,
            format!(
                "unknown owner role `{role}`{}",
                did_you_mean(role, &ctx.config.owner_roles)
            ),
        );
    }
}

fn date_field(path: &str, name: &str, value: &Node, sink: &mut Sink) {
    let text = match &value.value {
        Value::Str(s) => s.trim().to_string(),
        Value::Int(_) | Value::Float(_) => value.scalar_text().unwrap_or_default(),
        _ => {
            sink.emit(
                rules::INVALID_DATE,
                path,
                value.line,
                value.col,
                format!(
                    "`{name}` must be a date written YYYY-MM-DD, not {}",
                    value.kind()
                ),
            );
            return;
        }
    };
    if let Err(why) = check_date(&text) {
        sink.emit(
            rules::INVALID_DATE,
            path,
            value.line,
            value.col,
            format!("`{name}`: {why}"),
        );
    }
}

/// Items of a list field, accepting a single value or a comma-separated string
/// with a `field-shape` warning when `want_list`.
fn items<'a>(
    path: &str,
    name: &str,
    value: &'a Node,
    want_list: bool,
    sink: &mut Sink,
) -> Vec<(String, &'a Node)> {
    match &value.value {
        Value::Seq(items) => items
            .iter()
            .filter_map(|n| match n.scalar_text() {
                Some(t) => Some((t.trim().to_string(), n)),
                None => {
                    sink.emit(
                        rules::INVALID_FIELD,
                        path,
                        n.line,
                        n.col,
                        format!(
                            "items of `{name}` must be text or numbers, not {}",
                            n.kind()
                        ),
                    );
                    None
                }
            })
            .collect(),
        Value::Str(s) if s.contains(',') => {
            let parts: Vec<String> = s
                .split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect();
            sink.emit_help(
                rules::FIELD_SHAPE,
                path,
                value.line,
                value.col,
                format!(
                    "`{name}` is a comma-separated string where a list is expected; read as [{}]",
                    parts.join(", ")
                ),
                format!("write `{name}: [{}]`", parts.join(", ")),
            );
            parts.into_iter().map(|p| (p, value)).collect()
        }
        Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
            let t = value.scalar_text().unwrap_or_default();
            if want_list {
                sink.emit_help(
                    rules::FIELD_SHAPE,
                    path,
                    value.line,
                    value.col,
                    format!(
                        "`{name}` is {} where a list is expected; read as [{t}]",
                        value.kind()
                    ),
                    format!("write `{name}: [{t}]`"),
                );
            }
            vec![(t.trim().to_string(), value)]
        }
        _ => {
            sink.emit(
                rules::INVALID_FIELD,
                path,
                value.line,
                value.col,
                format!("`{name}` must be a list, not {}", value.kind()),
            );
            Vec::new()
        }
    }
}

fn list_field(
    path: &str,
    name: &str,
    value: &Node,
    want_list: bool,
    is_placeholder: &dyn Fn(&Node) -> bool,
    sink: &mut Sink,
) -> Vec<Spanned<String>> {
    items(path, name, value, want_list, sink)
        .into_iter()
        .filter(|(_, n)| !is_placeholder(n))
        .map(|(t, n)| Spanned::new(t, n.line, n.col))
        .collect()
}

fn issue_refs(
    path: &str,
    name: &str,
    value: &Node,
    is_placeholder: &dyn Fn(&Node) -> bool,
    sink: &mut Sink,
) -> Vec<Spanned<IssueRef>> {
    let mut out = Vec::new();
    for (text, node) in items(path, name, value, true, sink) {
        if is_placeholder(node) {
            continue;
        }
        match IssueRef::parse(&text) {
            Some(r) => out.push(Spanned::new(r, node.line, node.col)),
            None => sink.emit(
                rules::INVALID_FIELD,
                path,
                node.line,
                node.col,
                format!("`{text}` in `{name}` is not an issue reference (123, \"#123\", \"owner/repo#123\" or an issue URL)"),
            ),
        }
    }
    out
}

fn approvals(
    path: &str,
    value: &Node,
    is_placeholder: &dyn Fn(&Node) -> bool,
    ctx: &Context,
    sink: &mut Sink,
) -> Option<String> {
    if value.as_map().is_none() {
        sink.emit(
            rules::INVALID_FIELD,
            path,
            value.line,
            value.col,
            format!("`approvals` must be a mapping (required, status, approved_by, approved_at), not {}", value.kind()),
        );
        return None;
    }
    if let Some(req) = value.get("required") {
        for (role, node) in items(path, "approvals.required", req, true, sink) {
            if !is_placeholder(node) {
                check_role(path, &role, node, ctx, sink);
            }
        }
    }
    if let Some(at) = value
        .get("approved_at")
        .filter(|n| !is_placeholder(n) && n.value != Value::Null)
    {
        date_field(path, "approvals.approved_at", at, sink);
    }
    let status = value.get("status")?;
    if is_placeholder(status) {
        return None;
    }
    let s = status.scalar_text().unwrap_or_default();
    if !matches!(s.as_str(), "pending" | "approved" | "rejected") {
        sink.emit(
            rules::INVALID_FIELD,
            path,
            status.line,
            status.col,
            format!(
                "approvals status `{s}` is not pending, approved or rejected{}",
                did_you_mean(&s, ["pending", "approved", "rejected"])
            ),
        );
        return None;
    }
    Some(s)
}

fn release(
    path: &str,
    value: &Node,
    is_placeholder: &dyn Fn(&Node) -> bool,
    sink: &mut Sink,
) -> Option<String> {
    if value.as_map().is_none() {
        sink.emit(
            rules::INVALID_FIELD,
            path,
            value.line,
            value.col,
            format!(
                "`release` must be a mapping (version, date, commit, environment), not {}",
                value.kind()
            ),
        );
        return None;
    }
    if let Some(date) = value
        .get("date")
        .filter(|n| !is_placeholder(n) && n.value != Value::Null)
    {
        date_field(path, "release.date", date, sink);
    }
    if let Some(commit) = value.get("commit").filter(|n| !is_placeholder(n))
        && let Some(c) = commit.scalar_text()
        && (c.len() < 7 || c.len() > 64 || !c.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        sink.emit(
            rules::INVALID_FIELD,
            path,
            commit.line,
            commit.col,
            format!("`release.commit` `{c}` is not a commit id (7 to 64 hex digits)"),
        );
    }
    value.get("version").and_then(Node::scalar_text)
}

/// `PREFIX-NNNN`, the prefix fixed by the type, the number as wide as configured.
fn check_doc_id(path: &str, fields: &Fields, ctx: &Context, sink: &mut Sink) {
    let Some(id) = &fields.doc_id else { return };
    let config = ctx.config;
    let width = config.docs.id_width;
    let emit = |sink: &mut Sink, rule: &'static Rule, msg: String| {
        sink.emit(rule, path, id.line, id.col, msg)
    };
    let Some((prefix, digits)) = id.value.rsplit_once('-') else {
        emit(
            sink,
            rules::INVALID_DOC_ID,
            format!("doc_id `{}` is not PREFIX-{}", id.value, "N".repeat(width)),
        );
        return;
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        emit(
            sink,
            rules::INVALID_DOC_ID,
            format!(
                "doc_id `{}` does not end in a number (PREFIX-{})",
                id.value,
                "N".repeat(width)
            ),
        );
        return;
    }
    let expected = fields.doc_type.as_ref().and_then(|t| {
        config
            .types
            .get(&t.value)
            .map(|c| (t.value.as_str(), c.prefix.as_str()))
    });
    match expected {
        Some((ty, want)) if want != prefix => {
            let other = config
                .type_for_id(&id.value)
                .map(|t| format!(", the prefix of `{t}`"))
                .unwrap_or_default();
            emit(
                sink,
                rules::INVALID_DOC_ID,
                format!(
                    "doc_id `{}` has the prefix `{prefix}`{other}, but the type `{ty}` uses `{want}` ({want}-{})",
                    id.value,
                    "N".repeat(width)
                ),
            );
            return;
        }
        None if !config.types.values().any(|t| t.prefix == prefix) => {
            emit(
                sink,
                rules::INVALID_DOC_ID,
                format!(
                    "doc_id `{}`: `{prefix}` is not the prefix of any type",
                    id.value
                ),
            );
            return;
        }
        _ => {}
    }
    let n: u64 = digits.parse().unwrap_or(0);
    let proper = format!("{prefix}-{n:0width$}");
    if digits.len() < width || (digits.len() > width && digits.starts_with('0')) || n == 0 {
        let fix = if n == 0 {
            String::new()
        } else {
            format!(" (write `{proper}`)")
        };
        emit(
            sink,
            rules::INVALID_DOC_ID,
            format!(
                "doc_id `{}`: the number must have {width} digits{fix}",
                id.value
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::frontmatter::{self, Format};

    fn run(fm: &str) -> (Read, Vec<String>) {
        let config = Config::builtin();
        let ctx = Context::new(&config).unwrap();
        let mut sink = Sink::new(&ctx.levels);
        let (root, dups) = frontmatter::parse(Format::Yaml, fm, 2).unwrap();
        let r = read("d.md", &root, &dups, &ctx, &mut sink);
        let msgs = sink
            .into_vec()
            .into_iter()
            .map(|d| format!("{}:{}:{}", d.code, d.line, d.message))
            .collect();
        (r, msgs)
    }

    #[test]
    fn clean_front_matter_reads_fields() {
        let (r, msgs) = run(
            "doc_id: ADR-0007\ntype: adr\ntitle: T\nstatus: accepted\nowner_role: SA\ncreated_at: 2026-01-02\nrelated_issues: [12, \"#13\"]\nsupersedes: ADR-0001\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(r.fields.canonical_status.as_deref(), Some("approved"));
        assert_eq!(r.fields.related_issues.len(), 2);
        assert_eq!(r.fields.supersedes[0].value, "ADR-0001");
        assert_eq!(r.fields.key_line("supersedes"), Some(9));
    }

    #[test]
    fn ids_types_statuses_roles() {
        let (_, msgs) =
            run("doc_id: DSG-0004\ntype: adr\nstatus: aproved\nowner_role: architekt\n");
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("G0202:2:") && m.contains("`design-doc`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("G0205:4:") && m.contains("did you mean `approved`")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.starts_with("G0206:5:")), "{msgs:?}");
        let (_, msgs) = run("doc_id: PRD-12\ntype: prd\n");
        assert!(
            msgs.iter().any(|m| m.contains("write `PRD-0012`")),
            "{msgs:?}"
        );
        let (_, msgs) = run("doc_id: X\ntype: archdecision\n");
        assert!(msgs.iter().any(|m| m.starts_with("G0204:3:")), "{msgs:?}");
    }

    #[test]
    fn placeholders_dates_and_shapes() {
        let (_, msgs) = run(
            "doc_id: ADR-XXXX\ntype: adr\ncreated_at: YYYY-MM-DD\nstatus: provisional|implementable|implemented\nupdated_at: 2023-14-05\nrelated_issues: 42\ntags: \"a, b\"\n",
        );
        let codes: Vec<&str> = msgs.iter().map(|m| &m[..5]).collect();
        assert_eq!(
            codes.iter().filter(|c| **c == "G0208").count(),
            3,
            "{msgs:?}"
        );
        assert!(
            !codes.contains(&"G0202"),
            "a placeholder id is not also a bad id: {msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("G0207:6:") && m.contains("2023-05-14")),
            "{msgs:?}"
        );
        assert_eq!(
            codes.iter().filter(|c| **c == "G0209").count(),
            2,
            "{msgs:?}"
        );
    }

    #[test]
    fn nonstandard_and_translated_keys() {
        let (r, msgs) = run("Заголовок: Решение\nModule Name: billing\nStatus: draft\n");
        assert_eq!(r.fields.title.as_deref(), Some("Решение"));
        assert_eq!(r.fields.canonical_status.as_deref(), Some("draft"));
        assert_eq!(
            msgs.iter().filter(|m| m.starts_with("G0103")).count(),
            3,
            "{msgs:?}"
        );
    }

    #[test]
    fn invalid_values() {
        let (_, msgs) = run(
            "related_issues: [not-an-issue, 5]\napprovals: {status: maybe, required: [qa, boss]}\nrelease: {commit: zz}\n",
        );
        let codes: Vec<&str> = msgs.iter().map(|m| &m[..5]).collect();
        assert_eq!(
            codes.iter().filter(|c| **c == "G0210").count(),
            3,
            "{msgs:?}"
        );
        assert!(codes.contains(&"G0206"), "{msgs:?}");
    }
}
