//! A fast reader for the plain subset of YAML that nearly all front-matter and
//! DocSet files use: top-level `key: value` lines whose values are plain or
//! simply quoted scalars, flow lists and flow mappings of scalars, and one level
//! of block list or block mapping below a key.
//!
//! Anything outside that subset (anchors, tags, escapes, block scalars,
//! multi-line scalars, comments after values, deeper nesting, …) makes it give
//! up and return `None`; the full parser then reads the text. For text inside
//! the subset the result is the one the full parser gives, which a property
//! test checks.

use super::{Duplicate, Keys, MAX_NODES, Node, Parsed, Value, resolve_plain};

struct Line<'a> {
    text: &'a str,
    /// Absolute 1-based line number.
    no: u32,
    indent: usize,
}

/// Read `text` if it is inside the subset.
pub fn parse(text: &str, line_offset: u32) -> Option<Parsed> {
    let mut lines = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.contains('\t') || line.contains('\r') {
            return None;
        }
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        lines.push(Line {
            text: line,
            no: line_offset + i as u32 + 1,
            indent: line.len() - content.len(),
        });
    }
    if lines.len() > MAX_NODES {
        return None; // the full parser stops at its budget as it reads
    }
    if lines.is_empty() {
        return Some(Parsed {
            root: None,
            duplicates: Vec::new(),
        });
    }
    let mut entries = MapBuilder::default();
    let mut duplicates = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = &lines[i];
        if l.indent != 0 {
            return None;
        }
        let (key, rest, value_col) = split_key(l.text)?;
        let key_node = Node {
            value: resolve_plain(key),
            line: l.no,
            col: 1,
        };
        i += 1;
        let value = if rest.is_empty() {
            // A block below the key, or nothing (null).
            let start = i;
            while i < lines.len() && (lines[i].indent > 0 || lines[i].text.starts_with("- ")) {
                i += 1;
            }
            block(&lines[start..i], l, value_col)?
        } else {
            inline(rest, l.no, value_col)?
        };
        entries.insert(key_node, value, &mut duplicates);
    }
    Some(Parsed {
        root: Some(Node {
            value: Value::Map(entries.entries),
            line: lines[0].no,
            col: 1,
        }),
        duplicates,
    })
}

/// A mapping being read: its entries in order, and its keys for duplicates.
#[derive(Default)]
struct MapBuilder {
    entries: Vec<(Node, Node)>,
    keys: Keys,
}

impl MapBuilder {
    fn insert(&mut self, key: Node, value: Node, duplicates: &mut Vec<Duplicate>) {
        match self.keys.admit(&key) {
            Ok(()) => self.entries.push((key, value)),
            Err(d) => duplicates.push(d),
        }
    }
}

/// Column (1-based, in characters) of byte offset `at` in `line`.
fn col(line: &str, at: usize) -> u32 {
    line[..at].chars().count() as u32 + 1
}

/// `key: rest` → (key, rest trimmed, column of rest). `rest` is empty for `key:`.
fn split_key(line: &str) -> Option<(&str, &str, u32)> {
    let (key, after) = match line.find(": ") {
        Some(p) => (&line[..p], &line[p + 2..]),
        None => (line.strip_suffix(':')?, ""),
    };
    if !plain_ok(key) || key.ends_with(' ') {
        return None;
    }
    let lead = after.len() - after.trim_start_matches(' ').len();
    let rest = after.trim_matches(' ');
    let rest_at = line.len() - after.len() + lead;
    Some((key, rest, col(line, rest_at)))
}

/// The lines below a `key:` line: a block list or a block mapping of scalars.
fn block(lines: &[Line], parent: &Line, value_col: u32) -> Option<Node> {
    let Some(first) = lines.first() else {
        return Some(Node {
            value: Value::Null,
            line: parent.no,
            col: value_col,
        });
    };
    let indent = first.indent;
    let is_seq = first.text[indent..].starts_with("- ") || &first.text[indent..] == "-";
    let mut items = Vec::new();
    let mut entries = MapBuilder::default();
    let mut duplicates = Vec::new();
    for l in lines {
        if l.indent != indent {
            return None;
        }
        let content = &l.text[indent..];
        if is_seq {
            let rest = content.strip_prefix("- ")?;
            let lead = rest.len() - rest.trim_start_matches(' ').len();
            let value = rest.trim_matches(' ');
            if value.is_empty() {
                return None;
            }
            let at = indent + 2 + lead;
            items.push(inline(value, l.no, col(l.text, at))?);
        } else {
            if content.starts_with('-') {
                return None;
            }
            let (key, rest, value_col) = split_key(content)?;
            if rest.is_empty() {
                return None;
            }
            let key_node = Node {
                value: resolve_plain(key),
                line: l.no,
                col: col(l.text, indent),
            };
            let value_col = value_col + col(l.text, indent) - 1;
            let value = inline(rest, l.no, value_col)?;
            entries.insert(key_node, value, &mut duplicates);
        }
    }
    if !duplicates.is_empty() {
        return None; // reported by the full parser with the same result; keep one path for nested duplicates
    }
    // The parser places an indented block list at its first `-`, and one at the
    // key's own indentation at its first item.
    let (line, col_no) = match items.first() {
        Some(item) if indent == 0 => (item.line, item.col),
        _ => (first.no, col(first.text, indent)),
    };
    Some(Node {
        value: if is_seq {
            Value::Seq(items)
        } else {
            Value::Map(entries.entries)
        },
        line,
        col: col_no,
    })
}

/// A value written on one line: a scalar, `[a, b]` or `{k: v}`.
fn inline(text: &str, line: u32, col_no: u32) -> Option<Node> {
    if let Some(inner) = text.strip_prefix('[') {
        let inner = inner.strip_suffix(']')?;
        let items = flow_items(inner, col_no + 1)?
            .into_iter()
            .map(|(t, c)| scalar(t, line, c, true))
            .collect::<Option<Vec<_>>>()?;
        return Some(Node {
            value: Value::Seq(items),
            line,
            col: col_no,
        });
    }
    if let Some(inner) = text.strip_prefix('{') {
        let inner = inner.strip_suffix('}')?;
        let mut entries = MapBuilder::default();
        let mut duplicates = Vec::new();
        for (item, c) in flow_items(inner, col_no + 1)? {
            let p = item.find(": ")?;
            let key = &item[..p];
            if !plain_ok(key) {
                return None;
            }
            let after = &item[p + 2..];
            let lead = after.len() - after.trim_start_matches(' ').len();
            let value = after.trim_start_matches(' ');
            let vcol = c + (key.chars().count() + 2 + lead) as u32;
            let key_node = Node {
                value: resolve_plain(key),
                line,
                col: c,
            };
            entries.insert(key_node, scalar(value, line, vcol, true)?, &mut duplicates);
        }
        if !duplicates.is_empty() {
            return None;
        }
        return Some(Node {
            value: Value::Map(entries.entries),
            line,
            col: col_no,
        });
    }
    scalar(text, line, col_no, false)
}

/// Items of a flow collection's inside, with their columns; `None` when an item
/// is empty or nested.
fn flow_items(inner: &str, first_col: u32) -> Option<Vec<(&str, u32)>> {
    let mut out = Vec::new();
    if inner.trim_matches(' ').is_empty() {
        return Some(out);
    }
    let mut start = 0;
    let mut quote: Option<char> = None;
    let mut start_chars = 0u32;
    for (chars_before, (i, c)) in (0u32..).zip(inner.char_indices()) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | ']' | '{' | '}') => return None,
            (None, ',') => {
                out.push(trim_item(&inner[start..i], first_col + start_chars)?);
                start = i + 1;
                start_chars = chars_before + 1;
            }
            _ => {}
        }
    }
    if quote.is_some() {
        return None;
    }
    out.push(trim_item(&inner[start..], first_col + start_chars)?);
    Some(out)
}

fn trim_item(item: &str, col_no: u32) -> Option<(&str, u32)> {
    let lead = item.len() - item.trim_start_matches(' ').len();
    let t = item.trim_matches(' ');
    if t.is_empty() {
        return None;
    }
    Some((t, col_no + lead as u32))
}

/// A plain scalar the full parser reads the same way (no indicators, comments or
/// `: `); inside a flow collection, no flow indicators either.
fn plain_ok(s: &str) -> bool {
    plain_in(s, true)
}

fn plain_in(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if matches!(
        first,
        '-' | '?'
            | ':'
            | ','
            | '['
            | ']'
            | '{'
            | '}'
            | '#'
            | '&'
            | '*'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
            | ' '
    ) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.contains('\t') {
        return false;
    }
    !(flow && s.contains(['[', ']', '{', '}', ',']))
}

fn scalar(text: &str, line: u32, col_no: u32, flow: bool) -> Option<Node> {
    let value = if let Some(inner) = text.strip_prefix('"') {
        let inner = inner.strip_suffix('"')?;
        if inner.contains(['"', '\\']) {
            return None;
        }
        Value::Str(inner.to_string())
    } else if let Some(inner) = text.strip_prefix('\'') {
        let inner = inner.strip_suffix('\'')?;
        if inner.contains('\'') {
            return None;
        }
        Value::Str(inner.to_string())
    } else {
        if !plain_in(text, flow) {
            // Numbers may start with '-'.
            let numeric = text
                .strip_prefix('-')
                .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()) && plain_in(n, flow));
            if !numeric {
                return None;
            }
        }
        resolve_plain(text)
    };
    Some(Node {
        value,
        line,
        col: col_no,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Positions of null nodes are not compared: genie never reports at them.
    fn same(a: &Node, b: &Node) -> Result<(), String> {
        if a.value != Value::Null && (a.line, a.col) != (b.line, b.col) {
            return Err(format!(
                "position {:?} vs {:?} of {:?}",
                (a.line, a.col),
                (b.line, b.col),
                a.value
            ));
        }
        match (&a.value, &b.value) {
            (Value::Seq(x), Value::Seq(y)) if x.len() == y.len() => {
                x.iter().zip(y).try_for_each(|(a, b)| same(a, b))
            }
            (Value::Map(x), Value::Map(y)) if x.len() == y.len() => {
                x.iter().zip(y).try_for_each(|((ka, va), (kb, vb))| {
                    same(ka, kb)?;
                    same(va, vb)
                })
            }
            (Value::Seq(_) | Value::Map(_), _) => Err(format!("{:?} vs {:?}", a.value, b.value)),
            (x, y) if x == y => Ok(()),
            (Value::Float(x), Value::Float(y)) if x.is_nan() && y.is_nan() => Ok(()),
            (x, y) => Err(format!("{x:?} vs {y:?}")),
        }
    }

    fn check(text: &str) -> Result<bool, String> {
        let Some(fast) = parse(text, 1) else {
            return Ok(false);
        };
        let full = super::super::parse_full(text, 1)
            .map_err(|e| format!("fast path accepted what the parser rejects: {e:?}"))?;
        match (&fast.root, &full.root) {
            (None, None) => {}
            (Some(a), Some(b)) => same(a, b)?,
            (a, b) => return Err(format!("{a:?} vs {b:?}")),
        }
        if fast.duplicates != full.duplicates {
            return Err(format!(
                "duplicates {:?} vs {:?}",
                fast.duplicates, full.duplicates
            ));
        }
        Ok(true)
    }

    #[test]
    fn typical_front_matter_takes_the_fast_path() {
        let text = "doc_id: ADR-0003\ntype: adr\ntitle: Use PostgreSQL, not MySQL\nstatus: accepted\ncreated_at: 2026-03-04\nrelated_issues: [12, \"#13\"]\nempty:\napprovals:\n  required: [sa, em]\n  status: approved\n  approved_by: 'Ирина Петрова'\ntags:\n  - storage\n  - db\nlist:\n- a\n- 2\ndocs:\n  - {doc_id: PRD-0001, path: docs/a b.md, type: prd}\n# comment\nn: -3\nf: 1.5e3\nstatus: dup\n";
        assert_eq!(check(text), Ok(true));
    }

    #[test]
    fn anything_else_falls_back() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: |\n  text\n",
            "a: \"esc\\n\"\n",
            "a: b # comment\n",
            "a:\n  b:\n    c: 1\n",
            "this line has no key\n",
            "a: [x, [y]]\n",
            "a: 'it''s'\n",
            "---\na: 1\n",
            "a:\n  - b: 1\n",
            "a: plain\n  continued\n",
        ] {
            assert_eq!(check(text), Ok(false), "{text:?}");
        }
    }

    const KEYS: &[&str] = &[
        "doc_id",
        "type",
        "title",
        "Module Name",
        "Заголовок",
        "tags",
        "x1",
        "123",
        "true",
        "a:b",
    ];
    const VALUES: &[&str] = &[
        "ADR-0001",
        "Use PostgreSQL, not MySQL",
        "2026-03-04",
        "12",
        "-3",
        "1.5",
        "0x1f",
        "null",
        "~",
        "true",
        "\"#12\"",
        "'single'",
        "\"quoted, comma\"",
        "[12, \"#13\", owner/repo#4]",
        "[]",
        "[a,b , c]",
        "{status: approved, by: x}",
        "{}",
        "a: b",
        "x # c",
        "&a x",
        "*a",
        "[a, [b]]",
        "'it''s'",
        "\"e\\n\"",
        "|",
        "-",
        "- x",
        "http://x.org/a",
        "C#",
        "ё",
        "[ a , ]",
        "{a: 1, a: 2}",
        "..",
        "?",
        "a,b",
        "[\"x, y\"]",
        "1e3",
        ".inf",
        "+5",
        "0o17",
        "007",
    ];

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            (prop::sample::select(KEYS), prop::sample::select(VALUES))
                .prop_map(|(k, v)| format!("{k}: {v}")),
            prop::sample::select(KEYS).prop_map(|k| format!("{k}:")),
            prop::sample::select(VALUES).prop_map(|v| format!("  - {v}")),
            prop::sample::select(VALUES).prop_map(|v| format!("- {v}")),
            (prop::sample::select(KEYS), prop::sample::select(VALUES))
                .prop_map(|(k, v)| format!("  {k}: {v}")),
            Just("# comment".to_string()),
            Just(String::new()),
            Just("   ".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn fast_path_agrees_with_the_parser(lines in prop::collection::vec(line(), 0..12), crlf in any::<bool>()) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let text = lines.join(nl);
            if let Err(e) = check(&text) {
                prop_assert!(false, "{e}\n--- text ---\n{text}");
            }
        }
    }
}
