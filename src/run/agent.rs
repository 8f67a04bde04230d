//! What an agent left behind: its final message and the tokens it used, read
//! leniently from `$GENIE_OUTPUT_FILE` or the end of its output.
//!
//! Agents print these in different shapes: `claude -p --output-format json`
//! one object with `result` and `usage`; `codex exec --json` one event a line,
//! with `usage` on `turn.completed` and the message in an `agent_message` item;
//! `gemini -p --output-format json` `response` and `stats`. genie looks for
//! objects named `usage` (or holding `input_tokens` / `output_tokens` /
//! `total_tokens`) and for a `result`, `message`, `response` or `text` string,
//! anywhere; what it cannot read it leaves out.

use serde_json::Value;

use super::state::Usage;

/// The final message and usage found in `text`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub message: Option<String>,
    pub usage: Option<Usage>,
}

/// JSON values in `text`: the whole text as one value, else one a line.
fn values(text: &str) -> Vec<Value> {
    let t = text.trim();
    if t.is_empty() {
        return Vec::new();
    }
    if let Ok(v) = serde_json::from_str::<Value>(t)
        && (v.is_object() || v.is_array())
    {
        return vec![v];
    }
    t.lines()
        .filter_map(|l| {
            let l = l.trim();
            (l.starts_with('{') || l.starts_with('['))
                .then(|| serde_json::from_str::<Value>(l).ok())
                .flatten()
        })
        .collect()
}

fn number(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
}

/// A usage object: one with any of the token fields.
fn usage_of(obj: &serde_json::Map<String, Value>) -> Option<Usage> {
    let get = |keys: &[&str]| keys.iter().find_map(|k| obj.get(*k).and_then(number));
    let u = Usage {
        input_tokens: get(&["input_tokens", "prompt_tokens", "promptTokenCount"]),
        output_tokens: get(&["output_tokens", "completion_tokens", "candidatesTokenCount"]),
        total_tokens: get(&["total_tokens", "totalTokenCount"]),
    };
    (u != Usage::default()).then_some(u)
}

/// The last usage in `v` (depth first, later wins).
fn find_usage(v: &Value, depth: usize) -> Option<Usage> {
    if depth > 32 {
        return None;
    }
    match v {
        Value::Object(obj) => {
            let mut found = None;
            for (k, child) in obj {
                if (k == "usage" || k == "usageMetadata" || k == "token_usage")
                    && let Some(inner) = child.as_object()
                    && let Some(u) = usage_of(inner)
                {
                    found = Some(u);
                } else if let Some(u) = find_usage(child, depth + 1) {
                    found = Some(u);
                }
            }
            found.or_else(|| usage_of(obj))
        }
        Value::Array(items) => items.iter().rev().find_map(|i| find_usage(i, depth + 1)),
        _ => None,
    }
}

/// The last final-message-like string in `v`.
fn find_message(v: &Value, depth: usize) -> Option<String> {
    if depth > 32 {
        return None;
    }
    match v {
        Value::Object(obj) => {
            for key in [
                "result",
                "message",
                "response",
                "last_message",
                "text",
                "content",
            ] {
                if let Some(s) = obj.get(key).and_then(Value::as_str)
                    && !s.trim().is_empty()
                {
                    return Some(s.trim().to_string());
                }
            }
            // `{"item": {"type": "agent_message", "text": …}}` and friends.
            obj.values()
                .filter(|c| c.is_object() || c.is_array())
                .filter_map(|c| find_message(c, depth + 1))
                .next_back()
        }
        Value::Array(items) => items.iter().rev().find_map(|i| find_message(i, depth + 1)),
        _ => None,
    }
}

/// Sum several usages (one per line of an event stream is one per turn).
fn add(a: Option<Usage>, b: Usage) -> Usage {
    let Some(a) = a else { return b };
    let sum = |x: Option<u64>, y: Option<u64>| match (x, y) {
        (None, None) => None,
        (x, y) => Some(x.unwrap_or(0) + y.unwrap_or(0)),
    };
    Usage {
        input_tokens: sum(a.input_tokens, b.input_tokens),
        output_tokens: sum(a.output_tokens, b.output_tokens),
        total_tokens: sum(a.total_tokens, b.total_tokens),
    }
}

/// Read what the agent reported: from `output` (the output file), else from
/// `tail` (the end of its log). The message falls back to the output file's
/// text, then to the tail's last lines.
pub fn read(output: Option<&str>, tail: &str) -> Report {
    let mut report = Report::default();
    for text in [output.unwrap_or(""), tail] {
        let vals = values(text);
        if vals.is_empty() {
            continue;
        }
        if report.usage.is_none() {
            // An event stream reports usage per turn: add the turns up. One
            // document reports the whole session once.
            if vals.len() > 1 {
                let mut total = None;
                for v in &vals {
                    if let Some(u) = find_usage(v, 0) {
                        total = Some(add(total, u));
                    }
                }
                report.usage = total;
            } else {
                report.usage = find_usage(&vals[0], 0);
            }
        }
        if report.message.is_none() {
            report.message = vals.iter().rev().find_map(|v| find_message(v, 0));
        }
    }
    if report.message.is_none() {
        let text = output.map(str::trim).filter(|t| !t.is_empty());
        report.message = match text {
            Some(t) => Some(t.to_string()),
            None => {
                let t = last_lines(tail, 20);
                (!t.trim().is_empty()).then_some(t)
            }
        };
    }
    report
}

/// The last `n` lines of `text`, without genie's own `# genie:` footer lines.
pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("# genie:"))
        .collect();
    let start = lines.len().saturating_sub(n);
    let mut out = lines[start..].join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_json() {
        let out = r#"{"type":"result","subtype":"success","result":"Added the schema.","usage":{"input_tokens":1200,"output_tokens":340,"cache_read_input_tokens":5}}"#;
        let r = read(Some(out), "");
        assert_eq!(r.message.as_deref(), Some("Added the schema."));
        let u = r.usage.unwrap();
        assert_eq!((u.input_tokens, u.output_tokens), (Some(1200), Some(340)));
    }

    #[test]
    fn codex_events() {
        let tail = "some text\n{\"type\":\"item.completed\",\"item\":{\"type\":\"agent_message\",\"text\":\"Done.\"}}\n{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}\n{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}\n";
        let r = read(None, tail);
        assert_eq!(r.message.as_deref(), Some("Done."));
        let u = r.usage.unwrap();
        assert_eq!((u.input_tokens, u.output_tokens), (Some(11), Some(7)));
    }

    #[test]
    fn plain_text_and_nothing() {
        let r = read(Some("All good.\n"), "x\n");
        assert_eq!(r.message.as_deref(), Some("All good."));
        assert!(r.usage.is_none());
        let r = read(None, "line 1\nline 2\n# genie: exit 0 after 1s\n");
        assert_eq!(r.message.as_deref(), Some("line 1\nline 2\n"));
        assert_eq!(read(None, ""), Report::default());
        let r = read(Some("{\"total_tokens\": 99}"), "");
        assert_eq!(r.usage.unwrap().total_tokens, Some(99));
    }
}
