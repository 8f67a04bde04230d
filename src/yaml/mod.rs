//! A small YAML reader that keeps the line and column of every node.
//!
//! Front-matter and DocSet files are read through this module instead of a serde
//! deserializer because diagnostics must point at the line of each field, and
//! because untrusted input needs budgets: alias expansion ("billion laughs"),
//! nesting depth and node count are all bounded, so no input can hang genie or
//! make it eat memory.

use saphyr_parser::{Event, Parser, ScalarStyle};

mod fast;

/// Most nodes one document may expand to, aliases included.
pub const MAX_NODES: usize = 20_000;
/// Deepest nesting of sequences and mappings.
pub const MAX_DEPTH: usize = 64;

/// A parsed YAML node with its 1-based position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: u32,
    pub col: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Keys in file order; duplicates are reported by the reader and the first kept.
    Map(Vec<(Node, Node)>),
}

/// A YAML error with its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    pub line: u32,
    pub col: u32,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Scalar rendered as text (strings, numbers, booleans); `None` for null and collections.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Look up a key of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The key node of a mapping entry (for diagnostics that point at the key).
    pub fn key_node(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, _)| k)
    }

    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "a number",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Convert to JSON (used to deserialize typed structures with serde).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.scalar_text().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Follow a serde path (`docs[2].doc_id`) to the node it names, as far as it exists.
    pub fn at_path(&self, path: &str) -> &Node {
        let mut node = self;
        for part in path.split('.') {
            if part.is_empty() || part == "?" {
                continue;
            }
            let (name, indexes) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !name.is_empty() {
                match node.get(name).or_else(|| node.key_node(name)) {
                    Some(n) => node = n,
                    None => return node,
                }
            }
            for idx in indexes.split('[').filter(|s| !s.is_empty()) {
                let Ok(i) = idx.trim_end_matches(']').parse::<usize>() else {
                    return node;
                };
                match &node.value {
                    Value::Seq(items) if i < items.len() => node = &items[i],
                    _ => return node,
                }
            }
        }
        node
    }

    fn count(&self) -> usize {
        match &self.value {
            Value::Seq(items) => 1 + items.iter().map(Node::count).sum::<usize>(),
            Value::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|(k, v)| k.count() + v.count())
                    .sum::<usize>()
            }
            _ => 1,
        }
    }
}

/// Result of reading one YAML text: the root node, plus non-fatal problems.
#[derive(Debug)]
pub struct Parsed {
    /// `None` when the text holds no document (empty or only comments).
    pub root: Option<Node>,
    /// Keys repeated within one mapping (the first value is kept).
    pub duplicates: Vec<Duplicate>,
}

/// A mapping key seen twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub key: String,
    pub line: u32,
    pub col: u32,
    /// Line of the first occurrence.
    pub first_line: u32,
}

/// The keys of one mapping being read, so that a repeated key is found in
/// constant time (a mapping with thousands of keys must not cost quadratic time).
#[derive(Default)]
pub(crate) struct Keys(std::collections::HashMap<String, u32>);

impl Keys {
    /// Whether `key` is to be kept: `Err` with the duplicate when an identical
    /// key came earlier (the first one is kept).
    pub(crate) fn admit(&mut self, key: &Node) -> Result<(), Duplicate> {
        let Some(text) = key.scalar_text() else {
            return Ok(());
        };
        match self.0.entry(text) {
            std::collections::hash_map::Entry::Occupied(e) => Err(Duplicate {
                key: e.key().clone(),
                line: key.line,
                col: key.col,
                first_line: *e.get(),
            }),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(key.line);
                Ok(())
            }
        }
    }
}

enum Frame {
    Seq(Node),
    Map(Node, Option<Node>, Keys),
}

/// Parse a YAML text holding one document. `line_offset` is added to every line
/// (front-matter starts below the opening `---`).
pub fn parse(text: &str, line_offset: u32) -> Result<Parsed, Error> {
    if let Some(parsed) = fast::parse(text, line_offset)
        && parsed.root.as_ref().is_none_or(|r| r.count() <= MAX_NODES)
    {
        return Ok(parsed);
    }
    parse_full(text, line_offset)
}

/// Parse with the full YAML parser (no fast path).
pub fn parse_full(text: &str, line_offset: u32) -> Result<Parsed, Error> {
    // The parser is not expected to panic, but a panic on hostile input must not
    // take genie down: turn it into a diagnostic.
    match std::panic::catch_unwind(|| parse_inner(text, line_offset)) {
        Ok(r) => r,
        Err(_) => Err(Error {
            message: "the YAML parser failed on this input".into(),
            line: line_offset + 1,
            col: 1,
        }),
    }
}

fn parse_inner(text: &str, line_offset: u32) -> Result<Parsed, Error> {
    let mut anchors: Vec<Option<Node>> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    let mut nodes = 0usize;
    let mut duplicates = Vec::new();
    // Anchor ids of the collections being built, so they can be registered on close.
    let mut open_anchors: Vec<usize> = Vec::new();

    let pos = |line: usize, col: usize| -> (u32, u32) {
        (
            (line as u32).saturating_add(line_offset),
            (col as u32).saturating_add(1),
        )
    };

    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| {
            let (line, col) = pos(e.marker().line(), e.marker().col());
            Error {
                message: e.info().to_string(),
                line,
                col,
            }
        })?;
        let (line, col) = pos(span.start.line(), span.start.col());
        let finished: Option<Node> = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => None,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(Error {
                        message: "more than one YAML document (a `---` line inside the block?)"
                            .into(),
                        line,
                        col,
                    });
                }
                None
            }
            Event::Alias(id) => {
                let target = anchors.get(id).and_then(|a| a.as_ref()).ok_or(Error {
                    message: "alias to an unknown or unfinished anchor".into(),
                    line,
                    col,
                })?;
                nodes += target.count();
                if nodes > MAX_NODES {
                    return Err(budget_error(line, col));
                }
                let mut copy = target.clone();
                copy.line = line;
                copy.col = col;
                Some(copy)
            }
            Event::Scalar(value, style, anchor, tag) => {
                nodes += 1;
                if nodes > MAX_NODES {
                    return Err(budget_error(line, col));
                }
                let forced_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let v = if style == ScalarStyle::Plain && !forced_str {
                    resolve_plain(&value)
                } else {
                    Value::Str(value.into_owned())
                };
                let node = Node {
                    value: v,
                    line,
                    col,
                };
                if anchor > 0 {
                    register(&mut anchors, anchor, node.clone());
                }
                Some(node)
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                nodes += 1;
                if nodes > MAX_NODES {
                    return Err(budget_error(line, col));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(Error {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        line,
                        col,
                    });
                }
                let is_seq = matches!(event, Event::SequenceStart(..));
                let node = Node {
                    value: if is_seq {
                        Value::Seq(Vec::new())
                    } else {
                        Value::Map(Vec::new())
                    },
                    line,
                    col,
                };
                stack.push(if is_seq {
                    Frame::Seq(node)
                } else {
                    Frame::Map(node, None, Keys::default())
                });
                open_anchors.push(anchor);
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match stack.pop() {
                    Some(Frame::Seq(n)) | Some(Frame::Map(n, _, _)) => n,
                    None => continue,
                };
                let anchor = open_anchors.pop().unwrap_or(0);
                if anchor > 0 {
                    register(&mut anchors, anchor, node.clone());
                }
                Some(node)
            }
        };
        let Some(node) = finished else { continue };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(seq)) => {
                if let Value::Seq(items) = &mut seq.value {
                    items.push(node);
                }
            }
            Some(Frame::Map(map, pending, keys)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    if let Value::Map(entries) = &mut map.value {
                        match keys.admit(&key) {
                            Ok(()) => entries.push((key, node)),
                            Err(d) => duplicates.push(d),
                        }
                    }
                }
            },
        }
    }
    Ok(Parsed { root, duplicates })
}

fn budget_error(line: u32, col: u32) -> Error {
    Error {
        message: format!(
            "YAML aliases expand to more than {MAX_NODES} nodes (an alias bomb?); genie stops reading here"
        ),
        line,
        col,
    }
}

fn register(anchors: &mut Vec<Option<Node>>, id: usize, node: Node) {
    if anchors.len() <= id {
        anchors.resize(id + 1, None);
    }
    anchors[id] = Some(node);
}

/// YAML 1.2 core schema resolution of a plain scalar.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let b = s.as_bytes();
    let numeric_start = b[0].is_ascii_digit() || (b.len() > 1 && matches!(b[0], b'-' | b'+'));
    if numeric_start {
        if let Ok(i) = s.parse::<i64>() {
            return Value::Int(i);
        }
        if let Some(hex) = s.strip_prefix("0x")
            && let Ok(i) = i64::from_str_radix(hex, 16)
        {
            return Value::Int(i);
        }
        if let Some(oct) = s.strip_prefix("0o")
            && let Ok(i) = i64::from_str_radix(oct, 8)
        {
            return Value::Int(i);
        }
        if s.bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'-' | b'+'))
            && let Ok(f) = s.parse::<f64>()
        {
            return Value::Float(f);
        }
    }
    Value::Str(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_offset() {
        let p = parse("a: 1\nb: [x, y]\n", 1).unwrap();
        let root = p.root.unwrap();
        assert_eq!(root.key_node("b").unwrap().line, 3);
        let b = root.get("b").unwrap();
        assert_eq!((b.line, b.col), (3, 4));
        assert_eq!(root.get("a").unwrap().value, Value::Int(1));
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let p = parse("a: 2026-01-02\nb: '12'\nc: ~\nd: true\ne: 1.5\nf: 0x1f", 0).unwrap();
        let r = p.root.unwrap();
        assert_eq!(r.get("a").unwrap().as_str(), Some("2026-01-02"));
        assert_eq!(r.get("b").unwrap().as_str(), Some("12"));
        assert_eq!(r.get("c").unwrap().value, Value::Null);
        assert_eq!(r.get("d").unwrap().value, Value::Bool(true));
        assert_eq!(r.get("e").unwrap().value, Value::Float(1.5));
        assert_eq!(r.get("f").unwrap().value, Value::Int(31));
    }

    #[test]
    fn aliases_are_expanded_within_budget() {
        let p = parse("a: &x [1, 2]\nb: *x\n", 0).unwrap();
        let r = p.root.unwrap();
        assert_eq!(r.get("b").unwrap().to_json(), serde_json::json!([1, 2]));
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut s = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            s.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], refs));
        }
        let err = parse(&s, 0).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let s = format!("a: {}{}", "[".repeat(500), "]".repeat(500));
        let err = parse(&s, 0).unwrap_err();
        assert!(
            err.message.contains("nesting") || err.message.contains("recursion"),
            "{}",
            err.message
        );
    }

    #[test]
    fn duplicate_keys_are_reported_and_first_kept() {
        let p = parse("a: 1\nb: 2\na: 3\n", 0).unwrap();
        assert_eq!(
            p.duplicates,
            vec![Duplicate {
                key: "a".to_string(),
                line: 3,
                col: 1,
                first_line: 1
            }]
        );
        assert_eq!(p.root.unwrap().get("a").unwrap().value, Value::Int(1));
    }

    #[test]
    fn many_keys_and_a_late_duplicate() {
        let mut text: String = (0..5000).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k17: again\n");
        for p in [parse(&text, 0).unwrap(), parse_full(&text, 0).unwrap()] {
            assert_eq!(p.root.unwrap().as_map().unwrap().len(), 5000);
            assert_eq!(p.duplicates.len(), 1);
            assert_eq!(
                (p.duplicates[0].line, p.duplicates[0].first_line),
                (5001, 18)
            );
        }
    }

    #[test]
    fn syntax_errors_carry_a_line() {
        let err = parse("a: 1\nthis line has no key\nb: 2\n", 1).unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn serde_paths_resolve_to_nodes() {
        let r = parse("docs:\n  - {doc_id: A}\n  - {doc_id: B}\n", 0)
            .unwrap()
            .root
            .unwrap();
        assert_eq!(r.at_path("docs[1].doc_id").line, 3);
    }
}
