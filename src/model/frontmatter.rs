//! Splitting a document into front-matter and body, and reading the front-matter
//! (YAML between `---` lines, or TOML between `+++` lines) into a positioned tree.

use crate::yaml::{self, Duplicate, Node, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

/// A document cut at its front-matter.
#[derive(Debug, PartialEq, Eq)]
pub enum Split<'a> {
    /// No front-matter: the whole text is body.
    None,
    /// An opening delimiter with no closing one.
    Unterminated(Format),
    Found {
        format: Format,
        /// Front-matter text (between the delimiters).
        text: &'a str,
        /// Line of the first front-matter line (the opening delimiter is line 1).
        first_line: u32,
        body: &'a str,
        /// Line of the first body line.
        body_line: u32,
    },
}

fn delimiter(line: &str) -> &str {
    line.trim_end_matches(['\r', ' ', '\t'])
}

/// Cut `text` (BOM already removed) at its front-matter.
pub fn split(text: &str) -> Split<'_> {
    let first_end = text.find('\n').unwrap_or(text.len());
    let format = match delimiter(&text[..first_end]) {
        "---" => Format::Yaml,
        "+++" => Format::Toml,
        _ => return Split::None,
    };
    let start = (first_end + 1).min(text.len());
    let mut pos = start;
    let mut line = 2u32;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let d = delimiter(&text[pos..end]);
        let closes = match format {
            Format::Yaml => d == "---" || d == "...",
            Format::Toml => d == "+++",
        };
        if closes {
            let body_start = (end + 1).min(text.len());
            return Split::Found {
                format,
                text: &text[start..pos],
                first_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
            };
        }
        pos = end + 1;
        line += 1;
    }
    Split::Unterminated(format)
}

/// A front-matter problem that stops it from being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub line: u32,
    pub col: u32,
}

/// Read front-matter text into a mapping node, with the keys it repeats.
pub fn parse(
    format: Format,
    text: &str,
    first_line: u32,
) -> Result<(Node, Vec<Duplicate>), SyntaxError> {
    match format {
        Format::Yaml => {
            let parsed = yaml::parse(text, first_line - 1).map_err(|e| {
                stray_line(text, first_line, e.line).unwrap_or(SyntaxError {
                    message: e.message,
                    line: e.line,
                    col: e.col,
                })
            })?;
            let root = parsed.root.unwrap_or(Node {
                value: Value::Map(Vec::new()),
                line: first_line,
                col: 1,
            });
            match root.value {
                Value::Map(_) => Ok((root, parsed.duplicates)),
                Value::Null => Ok((
                    Node {
                        value: Value::Map(Vec::new()),
                        line: first_line,
                        col: 1,
                    },
                    parsed.duplicates,
                )),
                Value::Str(s) => Err(SyntaxError {
                    message: format!(
                        "`{}` is not a `key: value` line; front-matter must be a mapping",
                        s.lines()
                            .next()
                            .unwrap_or_default()
                            .chars()
                            .take(60)
                            .collect::<String>()
                    ),
                    line: root.line,
                    col: root.col,
                }),
                _ => Err(SyntaxError {
                    message: format!(
                        "front-matter must be a mapping of `key: value` lines, not {}",
                        root.kind()
                    ),
                    line: root.line,
                    col: root.col,
                }),
            }
        }
        Format::Toml => parse_toml(text, first_line).map(|n| (n, Vec::new())),
    }
}

/// The YAML parser notices a line without a key only on a later line; point at
/// the first top-level line before the error that is not `key: value`.
fn stray_line(text: &str, first_line: u32, error_line: u32) -> Option<SyntaxError> {
    for (i, line) in text.lines().enumerate() {
        let line_no = first_line + i as u32;
        if line_no > error_line {
            break;
        }
        let t = line.trim_end_matches('\r');
        let starts_plain = t.chars().next().is_some_and(|c| c.is_alphanumeric());
        if starts_plain && !t.contains(':') {
            return Some(SyntaxError {
                message: format!("`{}` is not a `key: value` line", t.trim()),
                line: line_no,
                col: 1,
            });
        }
    }
    None
}

fn parse_toml(text: &str, first_line: u32) -> Result<Node, SyntaxError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map_or((0, 0), |s| line_col(text, s.start));
        SyntaxError {
            message: e.message().trim().to_string(),
            line: first_line + line,
            col: col + 1,
        }
    })?;
    // toml does not report positions of values; find each top-level key's line.
    let key_lines = toml_key_lines(text);
    let entries = table
        .into_iter()
        .map(|(k, v)| {
            let line = key_lines
                .iter()
                .find(|(name, _)| *name == k)
                .map_or(first_line, |(_, l)| first_line + *l);
            let key = Node {
                value: Value::Str(k),
                line,
                col: 1,
            };
            let value = toml_node(v, line);
            (key, value)
        })
        .collect();
    Ok(Node {
        value: Value::Map(entries),
        line: first_line,
        col: 1,
    })
}

fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() as u32;
    (line, col)
}

/// (key, 0-based line) of `key = …` lines and `[table]` headers at the top level.
fn toml_key_lines(text: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut in_table = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(header) = t.strip_prefix('[') {
            let name = header
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("");
            let top = name
                .split('.')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"');
            out.push((top.to_string(), i as u32));
            in_table = true;
            continue;
        }
        if in_table {
            continue;
        }
        if let Some((k, _)) = t.split_once('=') {
            let k = k.trim().trim_matches('"').trim_matches('\'');
            out.push((k.to_string(), i as u32));
        }
    }
    out
}

fn toml_node(v: toml::Value, line: u32) -> Node {
    let value = match v {
        toml::Value::String(s) => Value::Str(s),
        toml::Value::Integer(i) => Value::Int(i),
        toml::Value::Float(f) => Value::Float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::Str(d.to_string()),
        toml::Value::Array(items) => {
            Value::Seq(items.into_iter().map(|v| toml_node(v, line)).collect())
        }
        toml::Value::Table(t) => Value::Map(
            t.into_iter()
                .map(|(k, v)| {
                    (
                        Node {
                            value: Value::Str(k),
                            line,
                            col: 1,
                        },
                        toml_node(v, line),
                    )
                })
                .collect(),
        ),
    };
    Node {
        value,
        line,
        col: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_yaml_with_crlf() {
        let t = "---\r\ndoc_id: A\r\n---\r\n# Body\r\n";
        match split(t) {
            Split::Found {
                format,
                text,
                body,
                body_line,
                ..
            } => {
                assert_eq!(format, Format::Yaml);
                assert_eq!(text, "doc_id: A\r\n");
                assert_eq!(body, "# Body\r\n");
                assert_eq!(body_line, 4);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn split_none_and_unterminated() {
        assert_eq!(split("# Just a body\n"), Split::None);
        assert_eq!(split(""), Split::None);
        assert_eq!(split("---\na: 1\n"), Split::Unterminated(Format::Yaml));
        assert_eq!(split("+++\na = 1\n"), Split::Unterminated(Format::Toml));
    }

    #[test]
    fn toml_front_matter_has_key_lines() {
        let (node, _) = parse(
            Format::Toml,
            "doc_id = \"ADR-0001\"\ncreated_at = 2026-01-02\ntags = [\"a\"]\n",
            2,
        )
        .unwrap();
        assert_eq!(node.key_node("created_at").unwrap().line, 3);
        assert_eq!(node.get("created_at").unwrap().as_str(), Some("2026-01-02"));
    }

    #[test]
    fn toml_syntax_error_has_a_line() {
        let e = parse(Format::Toml, "a = 1\nb = = 2\n", 2).unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn a_stray_line_is_pointed_at() {
        let e = parse(Format::Yaml, "a: 1\nthis line has no key\nb: 2\n", 2).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.message.contains("not a `key: value` line"),
            "{}",
            e.message
        );
    }

    #[test]
    fn yaml_must_be_a_mapping() {
        let e = parse(Format::Yaml, "- a\n- b\n", 2).unwrap_err();
        assert!(e.message.contains("mapping"));
        let (empty, _) = parse(Format::Yaml, "# only a comment\n", 2).unwrap();
        assert_eq!(empty.as_map().unwrap().len(), 0);
    }
}
