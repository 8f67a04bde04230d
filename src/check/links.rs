//! Relative markdown links: the file must exist inside the repository, and a
//! `#anchor` must name a heading of the target.

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;
use std::path::Path;

use crate::check::refs::Index;
use crate::check::{Sink, rules};
use crate::config::did_you_mean;
use crate::model::Doc;
use crate::repo::Repo;
use crate::report::Diagnostic;

/// Whether a destination is a URL (scheme or protocol-relative) rather than a path.
fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.find(':') {
        Some(colon) => {
            let scheme = &dest[..colon];
            !scheme.is_empty()
                && !dest[..colon].contains(['/', '#', '?'])
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        }
        None => false,
    }
}

pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(b[i + 1]) * 16 + hex(b[i + 2]));
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The repository-relative file a link in `doc_path` points to; `None` for an
/// external link, a link to the document itself (`#anchor`) or one that climbs out.
pub fn link_target(doc_path: &str, dest: &str) -> Option<String> {
    let dest = dest.trim();
    if is_external(dest) {
        return None;
    }
    let path = dest.split(['#', '?']).next().unwrap_or("");
    if path.is_empty() {
        return None;
    }
    resolve(doc_path, &percent_decode(path))
}

/// Join a link path to the folder of the linking document; `None` when `..`
/// climbs above the repository root.
pub fn resolve(doc_path: &str, link_path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if link_path.starts_with('/') {
        Vec::new()
    } else {
        doc_path.split('/').collect()
    };
    if !link_path.starts_with('/') {
        parts.pop(); // the document's own file name
    }
    for seg in link_path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

pub fn check(
    repo: &Repo,
    index: &Index,
    only: Option<&std::collections::HashSet<String>>,
    sink: &mut Sink,
) {
    if !sink.enabled(rules::BROKEN_LINK) && !sink.enabled(rules::BROKEN_ANCHOR) {
        return;
    }
    // Anchors of markdown files that are not documents (excluded or outside the roots), read on demand.
    let other: Mutex<HashMap<String, Option<Vec<String>>>> = Mutex::new(HashMap::new());
    let other_anchors = |target: &str| -> Option<Vec<String>> {
        other
            .lock()
            .expect("anchor cache")
            .entry(target.to_string())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(repo.root.join(target)).ok()?;
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                let body = match crate::model::frontmatter::split(text) {
                    crate::model::frontmatter::Split::Found { body, .. } => body,
                    _ => text,
                };
                Some(crate::markdown::scan(body, 1).anchors)
            })
            .clone()
    };

    // Documents are independent: check their links in parallel, each into its own sink.
    let levels = sink.levels();
    let one = |doc: &Doc| {
        let mut sink = Sink::new(levels);
        if only.is_some_and(|o| !o.contains(&doc.path)) {
            return Vec::new();
        }
        check_doc(repo, index, doc, &other_anchors, &mut sink);
        sink.into_vec()
    };
    // A few documents are checked faster than a thread pool starts.
    let found: Vec<Diagnostic> = if repo.docs.len() < 256 {
        repo.docs.iter().flat_map(one).collect()
    } else {
        repo.docs.par_iter().flat_map_iter(one).collect()
    };
    sink.extend(found);
}

fn check_doc(
    repo: &Repo,
    index: &Index,
    doc: &Doc,
    other_anchors: &(dyn Fn(&str) -> Option<Vec<String>> + Sync),
    sink: &mut Sink,
) {
    for link in &doc.links {
        let dest = link.dest.trim();
        if is_external(dest) {
            continue;
        }
        let (path_part, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (dest, None),
        };
        let path_part = path_part.split('?').next().unwrap_or("");
        let decoded = percent_decode(path_part);
        let target = if decoded.is_empty() {
            doc.path.clone()
        } else {
            match resolve(&doc.path, &decoded) {
                Some(t) => t,
                None => {
                    sink.emit(
                        rules::BROKEN_LINK,
                        &doc.path,
                        link.line,
                        link.col,
                        format!("link `{dest}` leads out of the repository"),
                    );
                    continue;
                }
            }
        };
        let exists = index.by_path.contains_key(target.as_str())
            || target.is_empty()
            || exists_in(&repo.root, &target);
        if !exists {
            let hint = nearby(repo, &target);
            sink.emit(
                rules::BROKEN_LINK,
                &doc.path,
                link.line,
                link.col,
                format!("link `{dest}`: `{target}` does not exist{hint}"),
            );
            continue;
        }
        let Some(anchor) = anchor.filter(|a| !a.is_empty()) else {
            continue;
        };
        let is_markdown = target.ends_with(".md") || target.ends_with(".markdown");
        if !is_markdown {
            continue;
        }
        let anchor = percent_decode(anchor).to_lowercase();
        let owned;
        let anchors = match index.by_path.get(target.as_str()) {
            Some(&i) => Some(repo.docs[i].anchors.as_slice()),
            None => {
                owned = other_anchors(&target);
                owned.as_deref()
            }
        };
        if let Some(anchors) = anchors
            && !anchors.contains(&anchor)
        {
            sink.emit(
                rules::BROKEN_ANCHOR,
                &doc.path,
                link.line,
                link.col,
                format!(
                    "link `{dest}`: `{target}` has no heading `#{anchor}`{}",
                    did_you_mean(&anchor, anchors)
                ),
            );
        }
    }
}

fn exists_in(root: &Path, target: &str) -> bool {
    // symlink_metadata: a link that exists counts, wherever it points.
    std::fs::symlink_metadata(root.join(target)).is_ok()
}

/// ` (did you mean `x`?)` among documents of the same folder.
fn nearby(repo: &Repo, target: &str) -> String {
    let dir = target.rsplit_once('/').map_or("", |(d, _)| d);
    let siblings = repo
        .docs
        .iter()
        .map(|d| d.path.as_str())
        .filter(|p| p.rsplit_once('/').map_or("", |(d, _)| d) == dir);
    did_you_mean(target, siblings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_and_rooted_paths() {
        assert_eq!(
            resolve("docs/a/b.md", "../c.md").as_deref(),
            Some("docs/c.md")
        );
        assert_eq!(
            resolve("docs/a/b.md", "./d/e.md").as_deref(),
            Some("docs/a/d/e.md")
        );
        assert_eq!(
            resolve("docs/a/b.md", "/README.md").as_deref(),
            Some("README.md")
        );
        assert_eq!(resolve("docs/b.md", "../../x.md"), None);
    }

    #[test]
    fn urls_are_external() {
        assert!(is_external("https://x.org/a"));
        assert!(is_external("mailto:a@b.c"));
        assert!(is_external("//cdn.example/x"));
        assert!(!is_external("./a.md"));
        assert!(!is_external("a.md#x:y"));
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("my%20doc.md"), "my doc.md");
        assert_eq!(percent_decode("%D1%80.md"), "р.md");
        assert_eq!(percent_decode("bad%zz"), "bad%zz");
        assert_eq!(percent_decode("end%2"), "end%2");
    }
}
