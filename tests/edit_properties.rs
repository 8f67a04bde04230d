//! The surgical editor changes only what it is asked to: over generated documents
//! (quoting styles, comments, block and flow values, CRLF, bodies that look like
//! YAML), every byte outside the edited field is unchanged, the edited field
//! reads back as written, and line endings stay what they were.

use genie::edit::{Op, Val, edit_document};
use proptest::prelude::*;

/// One `key: value` entry of generated front-matter, with the lines before it.
#[derive(Debug, Clone)]
struct Chunk {
    key: &'static str,
    /// Blank and comment lines before the key (kept with the chunk).
    lead: String,
    /// The entry itself, from the key to the end of its last line.
    entry: String,
}

const WORDS: &[&str] = &[
    "draft",
    "in-review",
    "Use PostgreSQL",
    "a: b",
    "it's",
    "Решение о хранилище",
    "x # not a comment",
    "12",
    "yes",
    "2026-03-04",
    "\"quoted\" inside",
];

fn scalar_text(word: &str, style: u8) -> String {
    match style % 3 {
        0 if genie::edit::plain_ok(word) => word.to_string(),
        1 => format!("'{}'", word.replace('\'', "''")),
        _ => format!("\"{}\"", word.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

fn comment(on: bool) -> &'static str {
    if on { "   # note: keep me" } else { "" }
}

fn scalar_entry(key: &'static str) -> impl Strategy<Value = Chunk> {
    (prop::sample::select(WORDS), any::<u8>(), any::<bool>()).prop_map(move |(w, style, c)| Chunk {
        key,
        lead: String::new(),
        entry: format!("{key}: {}{}\n", scalar_text(w, style), comment(c)),
    })
}

fn list_entry(key: &'static str, items: &'static [&'static str]) -> impl Strategy<Value = Chunk> {
    (0u8..6, any::<bool>(), 0usize..3).prop_map(move |(shape, c, n)| {
        let chosen: Vec<&str> = items.iter().copied().take(n.max(1)).collect();
        let entry = match shape {
            0 => format!("{key}: [{}]{}\n", chosen.join(", "), comment(c)),
            1 => {
                let mut s = format!("{key}:{}\n", comment(c));
                for i in &chosen {
                    s.push_str(&format!("  - {i}\n"));
                }
                s
            }
            2 => {
                let mut s = format!("{key}:\n");
                for i in &chosen {
                    s.push_str(&format!("- {i}\n"));
                }
                s
            }
            3 => format!("{key}: {}{}\n", chosen[0], comment(c)),
            4 => format!("{key}: \"{}\"\n", chosen.join(", ").replace('"', "")),
            _ => format!("{key}: []{}\n", comment(c)),
        };
        Chunk {
            key,
            lead: String::new(),
            entry,
        }
    })
}

fn approvals_entry() -> impl Strategy<Value = Chunk> {
    (0u8..4, prop::sample::select(&[2usize, 4][..]), any::<bool>()).prop_map(|(shape, ind, c)| {
        let pad = " ".repeat(ind);
        let entry = match shape {
            0 => format!(
                "approvals:{}\n{pad}required: [sa, em]\n{pad}# who signs\n{pad}status: pending\n",
                comment(c)
            ),
            1 => format!(
                "approvals:\n{pad}required:\n{pad}  - sa\n{pad}status: 'pending'\n{pad}approved_by: [Tom Lee]\n"
            ),
            2 => format!(
                "approvals: {{required: [sa], status: pending, approved_by: [\"A. B.\"]}}{}\n",
                comment(c)
            ),
            _ => "approvals: {}\n".to_string(),
        };
        Chunk {
            key: "approvals",
            lead: String::new(),
            entry,
        }
    })
}

fn notes_entry() -> impl Strategy<Value = Chunk> {
    any::<bool>().prop_map(|folded| Chunk {
        key: "notes",
        lead: String::new(),
        entry: format!(
            "notes: {}\n  first line\n  # not a comment: content\n\n  last: line\n",
            if folded { ">" } else { "|" }
        ),
    })
}

fn lead() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(&["\n", "# a comment\n", "#\n", "# key: looks like yaml\n"][..]),
        0..3,
    )
    .prop_map(|v| v.concat())
}

fn chunks() -> impl Strategy<Value = Vec<Chunk>> {
    let all = (
        scalar_entry("doc_id"),
        scalar_entry("title"),
        scalar_entry("status"),
        scalar_entry("updated_at"),
        scalar_entry("Module Name"),
        list_entry("related_issues", &["12", "\"#13\"", "acme/shop#4"]),
        list_entry("related_docs", &["ADR-0001", "PRD-0002", "NFR-0003"]),
        list_entry("tags", &["storage", "db", "тег"]),
        approvals_entry(),
        notes_entry(),
    );
    (
        all,
        prop::collection::vec(any::<bool>(), 10),
        prop::collection::vec(lead(), 10),
    )
        .prop_map(|(t, present, leads)| {
            let v = vec![t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7, t.8, t.9];
            v.into_iter()
                .zip(present)
                .zip(leads)
                .filter(|((_, p), _)| *p)
                .map(|((mut c, _), l)| {
                    c.lead = l;
                    c
                })
                .collect::<Vec<_>>()
        })
        .prop_shuffle()
}

#[derive(Debug, Clone)]
enum Edit {
    One(Op),
    Approve(String),
}

fn edits() -> impl Strategy<Value = Edit> {
    prop_oneof![
        prop::sample::select(WORDS).prop_map(|w| Edit::One(Op::set("status", Val::str(w)))),
        prop::sample::select(WORDS).prop_map(|w| Edit::One(Op::set("title", Val::str(w)))),
        Just(Edit::One(Op::set("updated_at", Val::str("2026-05-01")))),
        (1i64..500).prop_map(|n| Edit::One(Op::append("related_issues", Val::Int(n)))),
        Just(Edit::One(Op::append("related_docs", Val::str("ADR-0009")))),
        prop::sample::select(&["Irina Petrova", "Ирина", "O'Brien", "a: b"][..])
            .prop_map(|n| Edit::Approve(n.to_string())),
    ]
}

fn ops_of(e: &Edit) -> Vec<Op> {
    match e {
        Edit::One(op) => vec![op.clone()],
        Edit::Approve(name) => vec![
            Op::set("approvals.status", Val::str("approved")),
            Op::append("approvals.approved_by", Val::str(name)),
            Op::set("approvals.approved_at", Val::str("2026-03-18")),
        ],
    }
}

fn top_key(e: &Edit) -> &'static str {
    let ops = ops_of(e);
    let key = match &ops[0] {
        Op::Set { key, .. } | Op::Append { key, .. } => key.split('.').next().unwrap().to_string(),
    };
    [
        "status",
        "title",
        "updated_at",
        "related_issues",
        "related_docs",
        "approvals",
    ]
    .into_iter()
    .find(|k| *k == key)
    .unwrap()
}

const BODY: &str =
    "\n# Heading\n\n---\nkey: not front-matter\n  indented: text\n\nLast line without newline";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn only_the_edited_field_changes(chunks in chunks(), edit in edits(), crlf in any::<bool>(), bom in any::<bool>()) {
        let fix = |s: &str| if crlf { s.replace('\n', "\r\n") } else { s.to_string() };
        let key = top_key(&edit);
        let head = fix(&format!("{}---\n", if bom { "\u{feff}" } else { "" }));
        let tail = fix(&format!("---\n{BODY}"));
        let mut doc = head.clone();
        let mut prefix = head.clone();
        let mut suffix = String::new();
        let mut seen = false;
        for c in &chunks {
            let lead = fix(&c.lead);
            let entry = fix(&c.entry);
            doc.push_str(&lead);
            doc.push_str(&entry);
            if seen {
                suffix.push_str(&lead);
                suffix.push_str(&entry);
            } else {
                prefix.push_str(&lead);
                if c.key == key {
                    seen = true;
                } else {
                    prefix.push_str(&entry);
                }
            }
        }
        doc.push_str(&tail);
        suffix.push_str(&tail);

        let ops = ops_of(&edit);
        let out = edit_document(&doc, &ops);
        let out = match out {
            Ok(o) => o,
            Err(e) => {
                // The only refusal allowed: approvals that are not a mapping genie writes.
                prop_assert!(false, "refused: {e}\n{doc}");
                unreachable!()
            }
        };
        prop_assert!(out.starts_with(&prefix), "prefix changed:\n{doc}\n=>\n{out}");
        prop_assert!(out.ends_with(&suffix), "suffix changed:\n{doc}\n=>\n{out}");
        prop_assert!(out.len() >= prefix.len() + suffix.len());
        if crlf {
            let bare = out.as_bytes().windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r')
                || out.starts_with('\n');
            prop_assert!(!bare, "a bare LF in a CRLF file:\n{out:?}");
        } else {
            prop_assert!(!out.contains('\r'));
        }
        // The edited field reads back as asked.
        let fm = genie::edit::front_matter_json(&out).expect("front-matter still parses");
        for op in &ops {
            let (k, want_set, item) = match op {
                Op::Set { key, value } => (key, Some(value.to_json()), None),
                Op::Append { key, item } => (key, None, Some(item.to_json())),
            };
            let mut node = &fm;
            for part in k.split('.') {
                node = &node[part];
            }
            if let Some(w) = want_set {
                prop_assert_eq!(node, &w);
            }
            if let Some(i) = item {
                prop_assert!(node.as_array().is_some_and(|a| a.last() == Some(&i)), "{k}: {node}");
            }
        }
        // Editing again with the same sets changes nothing.
        if let Edit::One(op @ Op::Set { .. }) = &edit {
            let again = edit_document(&out, std::slice::from_ref(op)).unwrap();
            prop_assert_eq!(&again, &out);
        }
    }
}
