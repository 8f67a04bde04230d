//! genie's line scanner against a full CommonMark parser (pulldown-cmark): over
//! every example document, both must find the same link destinations and the
//! same headings.

mod common;

use std::collections::BTreeSet;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

fn reference(body: &str) -> (BTreeSet<String>, Vec<String>) {
    let mut links = BTreeSet::new();
    let mut headings = Vec::new();
    let mut in_heading: Option<String> = None;
    for ev in Parser::new(body) {
        match ev {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                links.insert(dest_url.to_string());
            }
            Event::Start(Tag::Heading { .. }) => in_heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => headings.push(genie::markdown::slug(
                &in_heading.take().unwrap_or_default(),
            )),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = in_heading.as_mut() {
                    h.push_str(&t);
                }
            }
            _ => {}
        }
    }
    (links, headings)
}

fn compare(name: &str, body: &str) {
    let scan = genie::markdown::scan(body, 1);
    let ours: BTreeSet<String> = scan.links.iter().map(|l| l.dest.clone()).collect();
    let (theirs, headings) = reference(body);
    // Reference definitions that nothing uses are not links to pulldown-cmark; genie checks them anyway.
    let ours_used: BTreeSet<String> = ours
        .iter()
        .filter(|d| theirs.contains(*d) || !body.contains(&format!("]: {d}")))
        .cloned()
        .collect();
    assert_eq!(ours_used, theirs, "links of {name}");
    let our_headings: Vec<String> = scan
        .anchors
        .iter()
        .filter(|a| !a.is_empty())
        .cloned()
        .collect();
    let mut dedup = std::collections::HashMap::<String, usize>::new();
    let expected: Vec<String> = headings
        .into_iter()
        .map(|h| {
            let n = dedup.entry(h.clone()).or_insert(0);
            let s = if *n == 0 {
                h.clone()
            } else {
                format!("{h}-{n}")
            };
            *n += 1;
            s
        })
        .collect();
    assert_eq!(our_headings, expected, "headings of {name}");
}

#[test]
fn example_documents_agree_with_pulldown_cmark() {
    let mut files = Vec::new();
    collect(&common::manifest_dir().join("examples"), &mut files);
    assert!(files.len() > 50);
    for p in files {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let body = match genie::model::frontmatter::split(text.trim_start_matches('\u{feff}')) {
            genie::model::frontmatter::Split::Found { body, .. } => body.to_string(),
            _ => text.clone(),
        };
        compare(&p.display().to_string(), &body);
    }
}

#[test]
fn tricky_markdown_agrees_with_pulldown_cmark() {
    let body = "# Title\n\nText with `code [x](no.md)` and [yes](a.md) and ![img](i.png \"t\").\n\n```rust\n[no](fenced.md)\n```\n\n~~~~\n```\n[no](still.md)\n~~~~\n\n- item [l](list.md)\n\n    [cont](continued.md)\n\nSetext\n======\n\nAnother\n-------\n\n## With `code` and *emphasis*\n\n<!-- [hidden](comment.md) -->\n\n\\[escaped](not-a-link.md)\n\n[angle](<with space.md>) [paren](a_(b).md) [titled](t.md 'x')\n\n| table | [cell](cell.md) |\n|---|---|\n";
    compare("tricky", body);
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}
