//! Surgical front-matter edits: change the fields a command must change and
//! nothing else. Comments, key order, quoting style, line endings (CRLF stays
//! CRLF), blank lines and the body are kept byte for byte.
//!
//! The editor works on the text, not on a re-serialized tree: it finds the byte
//! span of the value to change (a top-level key, or a key one level below it in a
//! block or flow mapping) and splices new text in. After every edit the result is
//! parsed again and compared with the original: every field the edit did not name
//! must read exactly as before, and the edited fields must read as asked. An edit
//! that cannot keep that promise (anchors, tags, shapes genie does not write) is
//! refused with an error instead of being written.

use crate::model::frontmatter::{self, Format, Split};
use crate::yaml;

/// A value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Int(i64),
    /// A flow list: `[a, b]`.
    List(Vec<Val>),
    /// A flow mapping: `{k: v}`.
    Map(Vec<(String, Val)>),
    /// A block list of flow items, one per line (`docs:` of a DocSet).
    Block(Vec<Val>),
}

impl Val {
    pub fn str(s: impl Into<String>) -> Val {
        Val::Str(s.into())
    }

    /// The value as JSON, as genie's YAML reader would give it back.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Val::Str(s) => J::String(s.clone()),
            Val::Int(i) => J::from(*i),
            Val::List(items) | Val::Block(items) => {
                J::Array(items.iter().map(Val::to_json).collect())
            }
            Val::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Flow-style text of the value.
    pub fn render(&self) -> String {
        match self {
            Val::Str(s) => scalar(s, Style::Plain),
            Val::Int(i) => i.to_string(),
            Val::List(items) | Val::Block(items) => {
                let inner: Vec<String> = items.iter().map(Val::render).collect();
                format!("[{}]", inner.join(", "))
            }
            Val::Map(entries) => {
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", scalar(k, Style::Plain), v.render()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
        }
    }

    fn render_styled(&self, style: Style) -> String {
        match self {
            Val::Str(s) => scalar(s, style),
            other => other.render(),
        }
    }
}

/// One change. `key` is a top-level key or `parent.key` one level below.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Set the value (the key is added at the end of its mapping when absent).
    Set { key: String, value: Val },
    /// Add an item to a list (created when absent; a single value becomes a list).
    Append { key: String, item: Val },
}

impl Op {
    pub fn set(key: &str, value: Val) -> Op {
        Op::Set {
            key: key.to_string(),
            value,
        }
    }

    pub fn append(key: &str, item: Val) -> Op {
        Op::Append {
            key: key.to_string(),
            item,
        }
    }

    fn key(&self) -> &str {
        match self {
            Op::Set { key, .. } | Op::Append { key, .. } => key,
        }
    }
}

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EditError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, EditError> {
    Err(EditError(msg.into()))
}

/// Edit the YAML front-matter of a markdown document.
pub fn edit_document(text: &str, ops: &[Op]) -> Result<String, EditError> {
    let (bom, rest) = match text.strip_prefix('\u{feff}') {
        Some(r) => ("\u{feff}", r),
        None => ("", text),
    };
    let fm = match frontmatter::split(rest) {
        Split::Found {
            format: Format::Yaml,
            text,
            ..
        } => text,
        Split::Found {
            format: Format::Toml,
            ..
        } => return err("genie edits YAML (`---`) front-matter only, not TOML (`+++`)"),
        Split::Unterminated(_) => return err("the front-matter is never closed"),
        Split::None => return err("the document has no front-matter"),
    };
    let start = fm.as_ptr() as usize - rest.as_ptr() as usize;
    let end = start + fm.len();
    let eol = if rest.contains("\r\n") { "\r\n" } else { "\n" };
    let edited = edit_with_eol(fm, ops, eol)?;
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(bom);
    out.push_str(&rest[..start]);
    out.push_str(&edited);
    out.push_str(&rest[end..]);
    Ok(out)
}

/// The YAML front-matter of a document as JSON (`None` when there is none or it
/// does not parse).
pub fn front_matter_json(text: &str) -> Option<serde_json::Value> {
    let rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    match frontmatter::split(rest) {
        Split::Found {
            format: Format::Yaml,
            text,
            ..
        } => parse_map(text).ok(),
        _ => None,
    }
}

/// Edit a YAML file whose root is a mapping (a DocSet).
pub fn edit_yaml(text: &str, ops: &[Op]) -> Result<String, EditError> {
    let (bom, rest) = match text.strip_prefix('\u{feff}') {
        Some(r) => ("\u{feff}", r),
        None => ("", text),
    };
    let eol = if rest.contains("\r\n") { "\r\n" } else { "\n" };
    Ok(format!("{bom}{}", edit_with_eol(rest, ops, eol)?))
}

fn parse_map(text: &str) -> Result<serde_json::Value, EditError> {
    let parsed = yaml::parse(text, 0).map_err(|e| {
        EditError(format!(
            "the YAML does not parse (line {}: {})",
            e.line, e.message
        ))
    })?;
    if let Some(d) = parsed.duplicates.first() {
        return err(format!(
            "the key `{}` appears twice (lines {} and {}); genie will not guess which to edit",
            d.key, d.first_line, d.line
        ));
    }
    match parsed.root.map(|r| r.to_json()) {
        Some(v @ serde_json::Value::Object(_)) => Ok(v),
        None | Some(serde_json::Value::Null) => Ok(serde_json::Value::Object(Default::default())),
        Some(_) => err("the YAML is not a mapping of `key: value` lines"),
    }
}

fn key_order(text: &str) -> Vec<String> {
    yaml::parse(text, 0)
        .ok()
        .and_then(|p| p.root)
        .and_then(|r| {
            r.as_map()
                .map(|m| m.iter().filter_map(|(k, _)| k.scalar_text()).collect())
        })
        .unwrap_or_default()
}

fn edit_with_eol(text: &str, ops: &[Op], eol: &str) -> Result<String, EditError> {
    let before = parse_map(text)?;
    let mut current = text.to_string();
    for op in ops {
        let parts: Vec<&str> = op.key().split('.').collect();
        if parts.is_empty() || parts.len() > 2 || parts.iter().any(|p| p.is_empty()) {
            return err(format!(
                "cannot edit `{}`: keys are one or two levels deep",
                op.key()
            ));
        }
        let tree = parse_map(&current)?;
        let (range, replacement) = plan(&current, &tree, &parts, op, eol)?;
        current.replace_range(range, &replacement);
    }
    verify(text, &before, &current, ops)?;
    Ok(current)
}

/// The edited text must read as the original everywhere the ops do not name, and
/// as the ops ask where they do.
fn verify(
    old_text: &str,
    old: &serde_json::Value,
    new_text: &str,
    ops: &[Op],
) -> Result<(), EditError> {
    let new = parse_map(new_text)
        .map_err(|e| EditError(format!("internal: the edit broke the YAML: {e}")))?;
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
        return err("internal: not a mapping");
    };
    let touched_top: Vec<&str> = ops
        .iter()
        .map(|op| op.key().split('.').next().unwrap_or(""))
        .collect();
    let broken = |what: &str| {
        EditError(format!(
            "internal: the edit would change {what}; nothing was written"
        ))
    };
    for (k, v) in o {
        if touched_top.contains(&k.as_str()) {
            continue;
        }
        if n.get(k) != Some(v) {
            return Err(broken(&format!("`{k}`")));
        }
    }
    for (k, _) in n {
        if !o.contains_key(k) && !touched_top.contains(&k.as_str()) {
            return Err(broken(&format!("the keys (a new `{k}`)")));
        }
    }
    // Nested mappings: sub-keys the ops do not name stay as they were.
    for top in &touched_top {
        let named: Vec<&str> = ops
            .iter()
            .filter_map(|op| op.key().split_once('.'))
            .filter(|(p, _)| p == top)
            .map(|(_, c)| c)
            .collect();
        let whole = ops.iter().any(|op| op.key() == *top);
        if whole || named.is_empty() {
            continue;
        }
        if let (Some(om), Some(nm)) = (
            o.get(*top).and_then(|v| v.as_object()),
            n.get(*top).and_then(|v| v.as_object()),
        ) {
            for (k, v) in om {
                if !named.contains(&k.as_str()) && nm.get(k) != Some(v) {
                    return Err(broken(&format!("`{top}.{k}`")));
                }
            }
        }
    }
    // The last op on each key decides what it must read as.
    for (i, op) in ops.iter().enumerate() {
        if ops[i + 1..].iter().any(|later| later.key() == op.key()) {
            continue;
        }
        let mut node = &new;
        for part in op.key().split('.') {
            node = node.get(part).unwrap_or(&serde_json::Value::Null);
        }
        let ok = match op {
            Op::Set { value, .. } => *node == value.to_json(),
            Op::Append { item, .. } => node.as_array().is_some_and(|a| a.contains(&item.to_json())),
        };
        if !ok {
            return Err(EditError(format!(
                "internal: `{}` does not read back as written; nothing was written",
                op.key()
            )));
        }
    }
    // Key order is kept: the original keys appear in the same order.
    let old_order = key_order(old_text);
    let new_order: Vec<String> = key_order(new_text)
        .into_iter()
        .filter(|k| old_order.contains(k))
        .collect();
    if old_order != new_order {
        return Err(broken("the order of the keys"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Lines, keys and value spans.

#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    /// End of the content (before `\r\n` or `\n`).
    end: usize,
    /// Start of the next line (== end when the text ends without a newline).
    next: usize,
}

fn scan_lines(t: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = t.as_bytes();
    while start < t.len() {
        let nl = memchr::memchr(b'\n', &b[start..]).map(|i| start + i);
        let (end, next) = match nl {
            Some(i) => (
                if i > start && b[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                },
                i + 1,
            ),
            None => (t.len(), t.len()),
        };
        out.push(Line { start, end, next });
        start = next;
    }
    out
}

fn indent_of(s: &str) -> usize {
    s.len() - s.trim_start_matches(' ').len()
}

#[derive(Debug)]
struct Entry {
    key: String,
    /// Line index of the key.
    line: usize,
    /// Byte offset just after the `:`.
    after_colon: usize,
    /// Index of the last line that belongs to the value (== line when none follows).
    last: usize,
}

/// `key:` at the start of `c`: the key and the offset of the colon.
fn parse_key(c: &str) -> Option<(String, usize)> {
    if c.starts_with("- ") || c == "-" || c.starts_with('?') {
        return None;
    }
    let (key, rest_at) = if let Some(q) = c.chars().next().filter(|ch| *ch == '"' || *ch == '\'') {
        let end = quoted_end(c, 0, q)?;
        let raw = &c[1..end - 1];
        let key = if q == '"' {
            raw.replace("\\\"", "\"").replace("\\\\", "\\")
        } else {
            raw.replace("''", "'")
        };
        (key, end)
    } else {
        let bytes = c.as_bytes();
        let mut pos = None;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ' || bytes[i + 1] == b'\t')
            {
                pos = Some(i);
                break;
            }
            if b == b'#' && i > 0 && bytes[i - 1] == b' ' {
                return None;
            }
        }
        let p = pos?;
        return Some((c[..p].trim_end().to_string(), p));
    };
    let after = &c[rest_at..];
    let spaces = after.len() - after.trim_start().len();
    after[spaces..]
        .starts_with(':')
        .then_some((key, rest_at + spaces))
}

/// End (exclusive) of a quoted scalar starting at `start` with quote `q`.
fn quoted_end(t: &str, start: usize, q: char) -> Option<usize> {
    let b = t.as_bytes();
    let mut i = start + 1;
    while i < b.len() {
        let c = b[i];
        if q == '"' && c == b'\\' {
            i += 2;
            continue;
        }
        if c == q as u8 {
            if q == '\'' && i + 1 < b.len() && b[i + 1] == b'\'' {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// End (exclusive) of the flow collection starting at `start` (`[` or `{`).
fn flow_end(t: &str, start: usize) -> Option<usize> {
    let b = t.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'"' | b'\'' if opens_quote(b, i) => {
                i = quoted_end(t, i, b[i] as char)?;
                continue;
            }
            b'#' if i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n') => {
                // A comment inside a multi-line flow collection: skip the line.
                i = t[i..].find('\n').map_or(b.len(), |n| i + n);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether the quote at `i` starts a quoted scalar inside a flow collection (and
/// is not an apostrophe inside a plain one, as in `O'Brien`).
fn opens_quote(b: &[u8], i: usize) -> bool {
    let prev = b[..i]
        .iter()
        .rev()
        .find(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'));
    matches!(prev, None | Some(b'[' | b'{' | b',' | b':'))
}

/// Entries of the block mapping at `indent` on lines `lo..hi`.
fn map_entries(
    t: &str,
    lines: &[Line],
    lo: usize,
    hi: usize,
    indent: usize,
) -> Result<Vec<Entry>, EditError> {
    let mut out = Vec::new();
    let mut i = lo;
    while i < hi {
        let s = &t[lines[i].start..lines[i].end];
        let ind = indent_of(s);
        let c = &s[ind..];
        if c.is_empty() || c.starts_with('#') {
            i += 1;
            continue;
        }
        if ind != indent || c.starts_with('\t') {
            return err(format!(
                "line {} is not a `key: value` line genie can edit around",
                i + 1
            ));
        }
        let Some((key, colon)) = parse_key(c) else {
            return err(format!(
                "line {} is not a `key: value` line genie can edit around",
                i + 1
            ));
        };
        let after_colon = lines[i].start + ind + colon + 1;
        let mut last = i;
        let mut j = i + 1;
        while j < hi {
            let s2 = &t[lines[j].start..lines[j].end];
            let ind2 = indent_of(s2);
            let c2 = &s2[ind2..];
            if c2.is_empty() || (ind2 <= indent && c2.starts_with('#')) {
                j += 1;
                continue;
            }
            if ind2 > indent || (ind2 == indent && (c2 == "-" || c2.starts_with("- "))) {
                last = j;
                j += 1;
                continue;
            }
            break;
        }
        out.push(Entry {
            key,
            line: i,
            after_colon,
            last,
        });
        i = last + 1;
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
}

/// Where an entry's value is.
#[derive(Debug)]
enum Shape {
    /// A value on the key line: `start..end` (comments after it excluded).
    Inline { start: usize, end: usize },
    /// A value that starts on the key line and continues below (`start..end`).
    InlineMulti { start: usize, end: usize },
    /// A block below the key line (its lines `first..=last`).
    Block { first: usize, last: usize },
    /// No value (null).
    Empty,
}

fn shape(t: &str, lines: &[Line], e: &Entry) -> Result<Shape, EditError> {
    let key_line = lines[e.line];
    let rest = &t[e.after_colon..key_line.end];
    let lead = rest.len() - rest.trim_start().len();
    let vstart = e.after_colon + lead;
    let inline = rest.trim_start();
    let has_cont = (e.line + 1..=e.last).any(|j| {
        let s = &t[lines[j].start..lines[j].end];
        !s.trim().is_empty()
    });
    if inline.is_empty() || inline.starts_with('#') {
        if has_cont {
            return Ok(Shape::Block {
                first: e.line + 1,
                last: e.last,
            });
        }
        return Ok(Shape::Empty);
    }
    let first = inline.as_bytes()[0];
    let token_end = match first {
        b'&' | b'*' | b'!' => {
            return err(format!(
                "`{}` uses a YAML anchor, alias or tag; genie does not edit it",
                e.key
            ));
        }
        b'[' | b'{' => flow_end(t, vstart),
        b'"' | b'\'' => quoted_end(t, vstart, first as char),
        b'|' | b'>' => None,
        _ => {
            let line = &t[vstart..key_line.end];
            let cut = line
                .find(" #")
                .or_else(|| line.find("\t#"))
                .unwrap_or(line.len());
            Some(vstart + line[..cut].trim_end().len())
        }
    };
    match token_end {
        Some(end) if end <= key_line.end && !has_cont => Ok(Shape::Inline { start: vstart, end }),
        _ => Ok(Shape::InlineMulti {
            start: vstart,
            end: lines[e.last].end,
        }),
    }
}

fn style_of(t: &str, start: usize) -> Style {
    match t.as_bytes().get(start) {
        Some(b'"') => Style::Double,
        Some(b'\'') => Style::Single,
        _ => Style::Plain,
    }
}

/// The byte range to replace and its replacement, for one op.
fn plan(
    t: &str,
    tree: &serde_json::Value,
    parts: &[&str],
    op: &Op,
    eol: &str,
) -> Result<(std::ops::Range<usize>, String), EditError> {
    let lines = scan_lines(t);
    let top = map_entries(t, &lines, 0, lines.len(), 0)?;
    let current = tree.get(parts[0]);
    if parts.len() == 1 {
        return plan_in_map(t, &lines, &top, 0, 0, parts[0], current, op, eol);
    }
    let (parent, child) = (parts[0], parts[1]);
    let child_current = current.and_then(|c| c.get(child));
    let Some(entry) = top.iter().find(|e| e.key == parent) else {
        let value = nested_value(child, op);
        return Ok(insert_entry(t, &lines, &top, 0, 0, parent, &value, eol));
    };
    match current {
        None | Some(serde_json::Value::Null) => {
            let value = nested_value(child, op);
            return set_entry(t, &lines, entry, 0, &value, eol);
        }
        Some(serde_json::Value::Object(_)) => {}
        Some(other) => {
            return err(format!(
                "`{parent}` is {}, not a mapping; genie will not replace it",
                json_kind(other)
            ));
        }
    }
    match shape(t, &lines, entry)? {
        Shape::Block { first, last } => {
            let indent = (first..=last)
                .map(|j| &t[lines[j].start..lines[j].end])
                .find(|s| {
                    let c = s.trim_start_matches(' ');
                    !c.is_empty() && !c.starts_with('#')
                })
                .map(indent_of)
                .unwrap_or(2);
            let sub = map_entries(t, &lines, first, last + 1, indent)?;
            plan_in_map(
                t,
                &lines,
                &sub,
                indent,
                first,
                child,
                child_current,
                op,
                eol,
            )
        }
        Shape::Inline { start, end } | Shape::InlineMulti { start, end }
            if t.as_bytes()[start] == b'{' =>
        {
            let end = flow_end(t, start).unwrap_or(end);
            plan_in_flow_map(t, start, end, child, child_current, op)
        }
        _ => err(format!("`{parent}` is not a mapping genie can edit")),
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "empty",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "text",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a mapping",
    }
}

/// `{child: value}` for a parent that does not exist yet.
fn nested_value(child: &str, op: &Op) -> Val {
    match op {
        Op::Set { value, .. } => Val::Map(vec![(child.to_string(), value.clone())]),
        Op::Append { item, .. } => {
            Val::Map(vec![(child.to_string(), Val::List(vec![item.clone()]))])
        }
    }
}

/// A JSON list or scalar as the items of a list value.
fn items_of(key: &str, current: Option<&serde_json::Value>) -> Result<Vec<Val>, EditError> {
    fn one(v: &serde_json::Value) -> Option<Val> {
        match v {
            serde_json::Value::String(s) => Some(Val::Str(s.clone())),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Some(Val::Int(i)),
                None => Some(Val::Str(n.to_string())),
            },
            serde_json::Value::Bool(b) => Some(Val::Str(b.to_string())),
            _ => None,
        }
    }
    match current {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| {
                one(i).ok_or_else(|| {
                    EditError(format!(
                        "`{key}` holds nested lists or mappings; genie will not rewrite it"
                    ))
                })
            })
            .collect(),
        Some(serde_json::Value::String(s)) if s.contains(',') => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.parse::<i64>() {
                Ok(i) if !p.starts_with('0') => Val::Int(i),
                _ => Val::Str(p.to_string()),
            })
            .collect()),
        Some(serde_json::Value::Object(_)) => err(format!("`{key}` is a mapping, not a list")),
        Some(v) => Ok(one(v).into_iter().collect()),
    }
}

#[allow(clippy::too_many_arguments)]
fn plan_in_map(
    t: &str,
    lines: &[Line],
    entries: &[Entry],
    indent: usize,
    lo: usize,
    key: &str,
    current: Option<&serde_json::Value>,
    op: &Op,
    eol: &str,
) -> Result<(std::ops::Range<usize>, String), EditError> {
    let Some(entry) = entries.iter().find(|e| e.key == key) else {
        let value = match op {
            Op::Set { value, .. } => value.clone(),
            Op::Append { item, .. } => Val::List(vec![item.clone()]),
        };
        return Ok(insert_entry(
            t, lines, entries, indent, lo, key, &value, eol,
        ));
    };
    match op {
        Op::Set { value, .. } => set_entry(t, lines, entry, indent, value, eol),
        Op::Append { item, .. } => {
            match shape(t, lines, entry)? {
                Shape::Inline { start, end } | Shape::InlineMulti { start, end }
                    if t.as_bytes()[start] == b'[' =>
                {
                    let end = flow_end(t, start).unwrap_or(end);
                    return Ok(append_in_flow_list(t, start, end, item));
                }
                Shape::Block { first, last } => {
                    let first_content = (first..=last)
                        .map(|j| (j, &t[lines[j].start..lines[j].end]))
                        .find(|(_, s)| {
                            let c = s.trim_start_matches(' ');
                            !c.is_empty() && !c.starts_with('#')
                        });
                    if let Some((_, s)) = first_content {
                        let c = s.trim_start_matches(' ');
                        if c.starts_with("- ") || c == "-" {
                            let ind = indent_of(s);
                            let line = format!("{}- {}", " ".repeat(ind), item.render());
                            let at = lines[last];
                            return Ok(if at.next == at.end {
                                (at.end..at.end, format!("{eol}{line}"))
                            } else {
                                (at.next..at.next, format!("{line}{eol}"))
                            });
                        }
                    }
                }
                _ => {}
            }
            let mut items = items_of(key, current)?;
            items.push(item.clone());
            set_entry(t, lines, entry, indent, &Val::List(items), eol)
        }
    }
}

/// Replace the value of an existing entry.
fn set_entry(
    t: &str,
    lines: &[Line],
    e: &Entry,
    indent: usize,
    value: &Val,
    eol: &str,
) -> Result<(std::ops::Range<usize>, String), EditError> {
    let sh = shape(t, lines, e)?;
    if let Val::Block(items) = value
        && !items.is_empty()
    {
        let seq_indent = match &sh {
            Shape::Block { first, last } => (*first..=*last)
                .map(|j| &t[lines[j].start..lines[j].end])
                .find(|s| s.trim_start_matches(' ').starts_with('-'))
                .map(indent_of)
                .unwrap_or(indent + 2),
            _ => indent + 2,
        };
        let block: Vec<String> = items
            .iter()
            .map(|i| format!("{}- {}", " ".repeat(seq_indent), i.render()))
            .collect();
        let block = block.join(eol);
        let key_end = lines[e.line].end;
        return Ok(match sh {
            Shape::Empty => (key_end..key_end, format!("{eol}{block}")),
            Shape::Block { last, .. } => (key_end..lines[last].end, format!("{eol}{block}")),
            Shape::Inline { end, .. } => {
                let after = t[end..key_end].trim();
                let comment = if after.starts_with('#') {
                    format!(" {after}")
                } else {
                    String::new()
                };
                (e.after_colon..key_end, format!("{comment}{eol}{block}"))
            }
            Shape::InlineMulti { end, .. } => (e.after_colon..end, format!("{eol}{block}")),
        });
    }
    Ok(match sh {
        Shape::Inline { start, end } => (start..end, value.render_styled(style_of(t, start))),
        Shape::InlineMulti { end, .. } => (e.after_colon..end, format!(" {}", value.render())),
        Shape::Block { last, .. } => (
            e.after_colon..lines[last].end,
            format!(" {}", value.render()),
        ),
        Shape::Empty => {
            // `key:` or `key:   # comment`: the value goes right after the colon.
            (e.after_colon..e.after_colon, format!(" {}", value.render()))
        }
    })
}

/// Add `key: value` after the last entry of a mapping.
#[allow(clippy::too_many_arguments)]
fn insert_entry(
    t: &str,
    lines: &[Line],
    entries: &[Entry],
    indent: usize,
    lo: usize,
    key: &str,
    value: &Val,
    eol: &str,
) -> (std::ops::Range<usize>, String) {
    let pad = " ".repeat(indent);
    let text = match value {
        Val::Block(items) if !items.is_empty() => {
            let mut s = format!("{pad}{}:", scalar(key, Style::Plain));
            for i in items {
                s.push_str(eol);
                s.push_str(&format!("{pad}  - {}", i.render()));
            }
            s
        }
        v => format!("{pad}{}: {}", scalar(key, Style::Plain), v.render()),
    };
    match entries.last() {
        Some(last) => {
            let at = lines[last.last];
            if at.next == at.end {
                (at.end..at.end, format!("{eol}{text}"))
            } else {
                (at.next..at.next, format!("{text}{eol}"))
            }
        }
        None => {
            let at = lines.get(lo).map_or(t.len(), |l| l.start);
            if at == t.len() && !t.is_empty() && !t.ends_with('\n') {
                (at..at, format!("{eol}{text}"))
            } else {
                (at..at, format!("{text}{eol}"))
            }
        }
    }
}

/// Insert an item before the closing `]` of the flow list at `start..end`.
fn append_in_flow_list(
    t: &str,
    start: usize,
    end: usize,
    item: &Val,
) -> (std::ops::Range<usize>, String) {
    let inner = &t[start + 1..end - 1];
    if inner.trim().is_empty() {
        return (start + 1..end - 1, item.render());
    }
    let content_end = start + 1 + inner.trim_end().len();
    (content_end..content_end, format!(", {}", item.render()))
}

/// Items of a flow mapping at `start..end`: (key, value start, value end).
fn flow_map_items(t: &str, start: usize, end: usize) -> Vec<(String, usize, usize)> {
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut part_start = start + 1;
    let mut i = start + 1;
    let close = end - 1;
    let mut push = |from: usize, to: usize| {
        let part = &t[from..to];
        let lead = part.len() - part.trim_start().len();
        let p = part.trim();
        if p.is_empty() {
            return;
        }
        let (key, colon) = if p.starts_with('"') || p.starts_with('\'') {
            let q = p.chars().next().unwrap_or('"');
            match quoted_end(p, 0, q) {
                Some(e) => {
                    let after = &p[e..];
                    let sp = after.len() - after.trim_start().len();
                    if !after[sp..].starts_with(':') {
                        return;
                    }
                    (p[1..e - 1].to_string(), e + sp)
                }
                None => return,
            }
        } else {
            match p.find(':') {
                Some(c) => (p[..c].trim().to_string(), c),
                None => return,
            }
        };
        let vpart = &p[colon + 1..];
        let vlead = vpart.len() - vpart.trim_start().len();
        let vstart = from + lead + colon + 1 + vlead;
        let vend = from + lead + p.len();
        out.push((key, vstart, vend));
    };
    while i < close {
        match b[i] {
            b'[' | b'{' => {
                i = flow_end(t, i).unwrap_or(close);
                continue;
            }
            b'"' | b'\'' if opens_quote(b, i) => {
                i = quoted_end(t, i, b[i] as char).unwrap_or(close);
                continue;
            }
            b',' => {
                push(part_start, i);
                part_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    push(part_start, close);
    out
}

fn plan_in_flow_map(
    t: &str,
    start: usize,
    end: usize,
    key: &str,
    current: Option<&serde_json::Value>,
    op: &Op,
) -> Result<(std::ops::Range<usize>, String), EditError> {
    let items = flow_map_items(t, start, end);
    match items.iter().find(|(k, _, _)| k == key) {
        Some(&(_, vs, ve)) => match op {
            Op::Set { value, .. } => Ok((vs..ve, value.render_styled(style_of(t, vs)))),
            Op::Append { item, .. } => {
                if t.as_bytes().get(vs) == Some(&b'[') {
                    let le = flow_end(t, vs).unwrap_or(ve);
                    return Ok(append_in_flow_list(t, vs, le, item));
                }
                let mut list = items_of(key, current)?;
                list.push(item.clone());
                Ok((vs..ve, Val::List(list).render()))
            }
        },
        None => {
            let value = match op {
                Op::Set { value, .. } => value.clone(),
                Op::Append { item, .. } => Val::List(vec![item.clone()]),
            };
            let entry = format!("{}: {}", scalar(key, Style::Plain), value.render());
            Ok(match items.last() {
                Some(&(_, _, ve)) => (ve..ve, format!(", {entry}")),
                None => (start + 1..end - 1, entry),
            })
        }
    }
}

// ---------------------------------------------------------------------------
// Scalars.

/// Whether `s` can be written as a plain YAML scalar (in block and flow context)
/// and read back as the same string.
pub fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() {
        return false;
    }
    if s.ends_with(|c: char| c.is_whitespace() || c == ':')
        || s.contains(": ")
        || s.contains(" #")
        || s.contains(['\n', '\r', '\t', ',', '[', ']', '{', '}'])
        || s.chars().any(char::is_control)
    {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "yes" | "no" | "on" | "off" | "y" | "n" | "true" | "false" | "null" | "~"
    ) {
        return false;
    }
    matches!(yaml::resolve_plain(s), yaml::Value::Str(_))
}

/// A string as a YAML scalar: plain when that reads back the same, else quoted.
pub fn quote(s: &str) -> String {
    scalar(s, Style::Plain)
}

fn scalar(s: &str, style: Style) -> String {
    match style {
        Style::Plain if plain_ok(s) => s.to_string(),
        Style::Single if !s.chars().any(char::is_control) => format!("'{}'", s.replace('\'', "''")),
        _ => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    '\r' => out.push_str("\\r"),
                    c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(fm: &str) -> String {
        format!("---\n{fm}---\n\n# Body\n\nText: with: colons\n")
    }

    #[test]
    fn sets_a_scalar_and_keeps_everything_else() {
        let d = doc(
            "doc_id: ADR-0001  # the id\ntitle: 'It''s here'\nstatus: draft # not yet\n\n# a comment\ntags: [a, b]\n",
        );
        let out = edit_document(&d, &[Op::set("status", Val::str("approved"))]).unwrap();
        assert_eq!(out, d.replace("status: draft #", "status: approved #"));
    }

    #[test]
    fn keeps_quoting_style() {
        let d = doc("title: \"Old\"\nowner: 'x'\n");
        let out = edit_document(
            &d,
            &[
                Op::set("title", Val::str("New: one")),
                Op::set("owner", Val::str("y")),
            ],
        )
        .unwrap();
        assert!(out.contains("title: \"New: one\"\nowner: 'y'\n"), "{out}");
    }

    #[test]
    fn crlf_stays_crlf() {
        let d = "---\r\ndoc_id: A-0001\r\nstatus: draft\r\n---\r\nbody\r\n";
        let out = edit_document(
            d,
            &[
                Op::set("status", Val::str("approved")),
                Op::append("related_issues", Val::Int(3)),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "---\r\ndoc_id: A-0001\r\nstatus: approved\r\nrelated_issues: [3]\r\n---\r\nbody\r\n"
        );
    }

    #[test]
    fn appends_to_every_list_shape() {
        let d = doc("a: [1, 2]\nb:\n  - x\n  - y\nc: 5\nd: \"p, q\"\ne: []\n");
        let out = edit_document(
            &d,
            &[
                Op::append("a", Val::Int(3)),
                Op::append("b", Val::str("z")),
                Op::append("c", Val::Int(6)),
                Op::append("d", Val::str("r")),
                Op::append("e", Val::str("s")),
                Op::append("f", Val::Int(7)),
            ],
        )
        .unwrap();
        assert!(
            out.contains(
                "a: [1, 2, 3]\nb:\n  - x\n  - y\n  - z\nc: [5, 6]\nd: [p, q, r]\ne: [s]\nf: [7]\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn nested_block_and_flow_mappings() {
        let block = doc("approvals:\n  required: [sa]   # who\n  status: pending\ntags: [x]\n");
        let out = edit_document(
            &block,
            &[
                Op::set("approvals.status", Val::str("approved")),
                Op::append("approvals.approved_by", Val::str("Irina Petrova")),
                Op::set("approvals.approved_at", Val::str("2026-03-18")),
            ],
        )
        .unwrap();
        assert!(
            out.contains("approvals:\n  required: [sa]   # who\n  status: approved\n  approved_by: [Irina Petrova]\n  approved_at: 2026-03-18\ntags: [x]\n"),
            "{out}"
        );
        let flow = doc("approvals: {required: [sa, em], status: pending, approved_by: [A]}\n");
        let out = edit_document(
            &flow,
            &[
                Op::set("approvals.status", Val::str("approved")),
                Op::append("approvals.approved_by", Val::str("B")),
                Op::set("approvals.approved_at", Val::str("2026-03-18")),
            ],
        )
        .unwrap();
        assert!(
            out.contains("approvals: {required: [sa, em], status: approved, approved_by: [A, B], approved_at: 2026-03-18}\n"),
            "{out}"
        );
        let none = doc("title: T\n");
        let out =
            edit_document(&none, &[Op::set("approvals.status", Val::str("approved"))]).unwrap();
        assert!(
            out.contains("title: T\napprovals: {status: approved}\n"),
            "{out}"
        );
    }

    #[test]
    fn block_lists_replace_in_place() {
        let ds = "issue: 3\ndocs:   # kept in sync\n  - {doc_id: A-0001}\n  - {doc_id: B-0001}\nnotes: |\n  free\n";
        let out = edit_yaml(
            ds,
            &[Op::set(
                "docs",
                Val::Block(vec![Val::Map(vec![("doc_id".into(), Val::str("C-0001"))])]),
            )],
        )
        .unwrap();
        assert_eq!(
            out,
            "issue: 3\ndocs:   # kept in sync\n  - {doc_id: C-0001}\nnotes: |\n  free\n"
        );
        let flow = "issue: 3\ndocs: []  # none yet\nstate: active";
        let out = edit_yaml(flow, &[Op::set("docs", Val::Block(vec![Val::str("x")]))]).unwrap();
        assert_eq!(out, "issue: 3\ndocs: # none yet\n  - x\nstate: active");
        let out = edit_yaml("issue: 3", &[Op::set("stage", Val::str("prd"))]).unwrap();
        assert_eq!(out, "issue: 3\nstage: prd");
    }

    #[test]
    fn refuses_what_it_cannot_keep() {
        let d = doc("a: &x ADR-0001\nb: *x\n");
        assert!(edit_document(&d, &[Op::set("a", Val::str("ADR-0002"))]).is_err());
        let d = "+++\na = 1\n+++\n";
        assert!(edit_document(d, &[Op::set("a", Val::Int(2))]).is_err());
        let d = doc("a: [unclosed\n");
        assert!(edit_document(&d, &[Op::set("a", Val::Int(2))]).is_err());
        let d = doc("a: 1\na: 2\n");
        assert!(edit_document(&d, &[Op::set("a", Val::Int(2))]).is_err());
        let d = doc("approvals: yes please\n");
        assert!(edit_document(&d, &[Op::set("approvals.status", Val::str("x"))]).is_err());
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("Use Postgres"), "Use Postgres");
        assert_eq!(quote("Use: Postgres"), "\"Use: Postgres\"");
        assert_eq!(quote("12"), "\"12\"");
        assert_eq!(quote("yes"), "\"yes\"");
        assert_eq!(quote("Решение"), "Решение");
        assert_eq!(quote("a \"b\""), "a \"b\"");
        assert_eq!(quote("\"b\""), "\"\\\"b\\\"\"");
        assert_eq!(quote(""), "\"\"");
    }
}
