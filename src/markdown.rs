//! What genie needs from a markdown body: heading anchors, the first `# ` title
//! and the links, with their lines.
//!
//! This is a line scanner, not a full CommonMark parser: `genie check` reads tens
//! of megabytes of markdown and must stay within a small factor of `cat`, and a
//! full parse costs several times more than the I/O. It understands the parts
//! that change which links and headings exist — fenced and indented code,
//! inline code spans, HTML comments, escapes, ATX and setext headings, inline
//! links, images and reference definitions — and a test compares its links and
//! headings with pulldown-cmark's over the example repository.

/// A link destination found in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub dest: String,
    pub line: u32,
    pub col: u32,
}

/// Headings and links of one body.
#[derive(Debug, Default, Clone)]
pub struct Scan {
    /// Text of the first level-1 heading.
    pub title: Option<String>,
    /// Anchors the body defines: heading slugs (deduplicated GitHub-style) and explicit ids.
    pub anchors: Vec<String>,
    pub links: Vec<Link>,
}

struct Fence {
    ch: u8,
    len: usize,
}

/// Scan a markdown body whose first line is line `first_line` of the file.
pub fn scan(body: &str, first_line: u32) -> Scan {
    let mut out = Scan::default();
    let mut slugs = SlugCounter::default();
    let mut fence: Option<Fence> = None;
    let mut in_comment = false;
    let mut prev_blank = true;
    let mut prev_paragraph: Option<&str> = None;
    let mut in_list = false;
    let mut in_indented_code = false;

    let bytes = body.as_bytes();
    let mut pos = 0;
    let mut line_no = first_line.wrapping_sub(1);
    while pos <= bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let raw = &body[pos..end];
        pos = end + 1;
        line_no = line_no.wrapping_add(1);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let (indent, rest) = indentation(line);

        if let Some(f) = &fence {
            if indent < 4 && is_fence_close(rest, f) {
                fence = None;
            }
            continue;
        }
        if in_comment {
            if let Some(end) = line.find("-->") {
                in_comment = false;
                scan_inline(&line[end + 3..], line_no, end + 3, line, &mut out.links);
            }
            continue;
        }
        let blank = rest.is_empty();
        if blank {
            prev_blank = true;
            prev_paragraph = None;
            continue;
        }
        if indent >= 4 && (in_indented_code || (prev_blank && !in_list)) {
            in_indented_code = true;
            prev_paragraph = None;
            continue;
        }
        in_indented_code = false;
        let was_blank = prev_blank;
        prev_blank = false;

        if let Some(f) = fence_open(rest) {
            fence = Some(f);
            prev_paragraph = None;
            continue;
        }
        if let Some(h) = atx_heading(rest) {
            add_heading(&mut out, &mut slugs, h.0, h.1);
            scan_inline(h.1, line_no, line.len() - rest.len(), line, &mut out.links);
            prev_paragraph = None;
            continue;
        }
        if let Some(text) = prev_paragraph
            && indent < 4
            && is_setext_underline(rest)
        {
            let level = if rest.starts_with('=') { 1 } else { 2 };
            add_heading(&mut out, &mut slugs, level, text.trim());
            prev_paragraph = None;
            continue;
        }
        if is_list_item(rest) {
            in_list = true;
        } else if indent == 0 && was_blank {
            in_list = false;
        }
        if rest.starts_with('[')
            && let Some(dest) = reference_definition(rest)
        {
            let col = line.len() - rest.len();
            push_link(&mut out.links, dest, line_no, line, col);
            prev_paragraph = None;
            continue;
        }
        let start = line.len() - rest.len();
        // An HTML comment hides what it contains, possibly over several lines.
        let has_tag = memchr::memchr(b'<', rest.as_bytes()).is_some();
        let blanked;
        let visible = if has_tag && rest.contains("<!--") {
            let (text, open) = blank_comments(rest);
            in_comment = open;
            blanked = text;
            blanked.as_str()
        } else {
            rest
        };
        if has_tag {
            collect_ids(visible, &mut out.anchors);
        }
        scan_inline(visible, line_no, start, line, &mut out.links);
        let is_thematic = is_setext_underline(rest) && rest.starts_with('-');
        prev_paragraph = if is_thematic || rest.starts_with('|') || rest.starts_with('<') {
            None
        } else {
            Some(line)
        };
    }
    out
}

/// `text` with every HTML comment replaced by spaces (byte for byte, so offsets
/// stay), and whether a comment is still open at the end.
fn blank_comments(text: &str) -> (String, bool) {
    let mut bytes = text.as_bytes().to_vec();
    let mut from = 0;
    while let Some(open) = text[from..].find("<!--").map(|i| from + i) {
        match text[open + 4..].find("-->") {
            Some(close) => {
                let end = open + 4 + close + 3;
                bytes[open..end].fill(b' ');
                from = end;
            }
            None => {
                bytes.truncate(open);
                return (String::from_utf8(bytes).unwrap_or_default(), true);
            }
        }
    }
    (String::from_utf8(bytes).unwrap_or_default(), false)
}

fn add_heading(out: &mut Scan, slugs: &mut SlugCounter, level: usize, text: &str) {
    let (text, custom) = split_custom_id(text);
    if level == 1 && out.title.is_none() {
        out.title = Some(plain_text(text));
    }
    if let Some(id) = custom {
        out.anchors.push(id.to_lowercase());
    }
    let base = slug(text);
    let unique = slugs.next(base);
    out.anchors.push(unique);
}

/// `## Title {#custom-id}` (used by many static site generators).
fn split_custom_id(text: &str) -> (&str, Option<&str>) {
    let t = text.trim_end();
    if let Some(stripped) = t.strip_suffix('}')
        && let Some(pos) = stripped.rfind("{#")
    {
        let id = &stripped[pos + 2..];
        if !id.is_empty() && !id.contains(char::is_whitespace) {
            return (t[..pos].trim_end(), Some(id));
        }
    }
    (text, None)
}

/// Explicit HTML anchors: `<a id="x">`, `<a name="x">`, `<span id="x">`.
fn collect_ids(line: &str, anchors: &mut Vec<String>) {
    if !line.contains('<') {
        return;
    }
    for attr in ["id=\"", "name=\""] {
        let mut rest = line;
        while let Some(pos) = rest.find(attr) {
            let before = rest[..pos].chars().last();
            rest = &rest[pos + attr.len()..];
            if before.is_some_and(|c| c != ' ') {
                continue;
            }
            if let Some(end) = rest.find('"') {
                anchors.push(rest[..end].to_lowercase());
            }
        }
    }
}

fn indentation(line: &str) -> (usize, &str) {
    let mut width = 0;
    for (i, b) in line.bytes().enumerate() {
        match b {
            b' ' => width += 1,
            b'\t' => width += 4 - width % 4,
            _ => return (width, &line[i..]),
        }
    }
    (width, "")
}

fn fence_open(rest: &str) -> Option<Fence> {
    let ch = *rest.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&b| b == ch).count();
    if len < 3 {
        return None;
    }
    if ch == b'`' && rest[len..].contains('`') {
        return None;
    }
    Some(Fence { ch, len })
}

fn is_fence_close(rest: &str, f: &Fence) -> bool {
    let n = rest.bytes().take_while(|&b| b == f.ch).count();
    n >= f.len && rest[n..].trim().is_empty()
}

fn atx_heading(rest: &str) -> Option<(usize, &str)> {
    let level = rest.bytes().take_while(|&b| b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let after = &rest[level..];
    if !after.is_empty() && !after.starts_with(' ') && !after.starts_with('\t') {
        return None;
    }
    let mut text = after.trim();
    // Closing sequence of #s, when preceded by a space.
    let trimmed = text.trim_end_matches('#');
    if trimmed.is_empty() || trimmed.ends_with(' ') || trimmed.ends_with('\t') {
        text = trimmed.trim_end();
    }
    Some((level, text))
}

fn is_setext_underline(rest: &str) -> bool {
    let t = rest.trim_end();
    !t.is_empty() && (t.bytes().all(|b| b == b'=') || t.bytes().all(|b| b == b'-'))
}

fn is_list_item(rest: &str) -> bool {
    let b = rest.as_bytes();
    if matches!(b.first(), Some(b'-' | b'*' | b'+'))
        && matches!(b.get(1), Some(b' ' | b'\t') | None)
    {
        return true;
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0
        && digits < 10
        && matches!(b.get(digits), Some(b'.' | b')'))
        && matches!(b.get(digits + 1), Some(b' ' | b'\t') | None)
}

/// `[label]: destination "title"`
fn reference_definition(rest: &str) -> Option<&str> {
    let close = rest.find("]:")?;
    let label = &rest[1..close];
    if label.is_empty() || label.contains('[') || label.starts_with('^') {
        return None;
    }
    let after = rest[close + 2..].trim_start();
    if after.is_empty() {
        return None;
    }
    if let Some(inner) = after.strip_prefix('<') {
        return inner.find('>').map(|e| &inner[..e]);
    }
    Some(after.split_whitespace().next().unwrap_or(after))
}

/// Byte ranges of inline code spans in a line.
fn code_spans(line: &str) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] != b'`' {
            i += 1;
            continue;
        }
        let run = b[i..].iter().take_while(|&&c| c == b'`').count();
        let mut j = i + run;
        let mut closed = None;
        while j < b.len() {
            if b[j] == b'`' {
                let r = b[j..].iter().take_while(|&&c| c == b'`').count();
                if r == run {
                    closed = Some(j + r);
                    break;
                }
                j += r;
            } else {
                j += 1;
            }
        }
        match closed {
            Some(end) => {
                spans.push((i, end));
                i = end;
            }
            None => i += run,
        }
    }
    spans
}

/// Inline links and images in `text`, which starts at byte `offset` of `line`.
fn scan_inline(text: &str, line_no: u32, offset: usize, line: &str, links: &mut Vec<Link>) {
    if memchr::memchr(b']', text.as_bytes()).is_none()
        || memchr::memmem::find(text.as_bytes(), b"](").is_none()
    {
        return;
    }
    let spans = if text.contains('`') {
        code_spans(text)
    } else {
        Vec::new()
    };
    let b = text.as_bytes();
    // Opening brackets that can start a link: not escaped, not in code. Every
    // lookup below is a binary search, so a hostile line stays linear.
    let opens: Vec<usize> = memchr::memchr_iter(b'[', b)
        .filter(|&o| !(in_spans(&spans, o) || (o > 0 && b[o - 1] == b'\\')))
        .collect();
    let mut from = 0;
    while let Some(pos) = memchr::memmem::find(&b[from..], b"](") {
        let at = from + pos;
        from = at + 2;
        if in_spans(&spans, at) {
            continue;
        }
        if at > 0 && b[at - 1] == b'\\' && !(at > 1 && b[at - 2] == b'\\') {
            continue;
        }
        if opens.partition_point(|&o| o < at) == 0 {
            continue;
        }
        let rest = &text[at + 2..];
        let Some((dest, consumed)) = link_destination(rest) else {
            continue;
        };
        from = at + 2 + consumed;
        push_link(
            links,
            dest,
            line_no,
            line,
            offset + at + 2 + (rest.len() - rest.trim_start().len()),
        );
    }
}

/// Whether byte `at` is inside one of the (sorted, disjoint) code spans.
fn in_spans(spans: &[(usize, usize)], at: usize) -> bool {
    let i = spans.partition_point(|&(s, _)| s <= at);
    i > 0 && at < spans[i - 1].1
}

/// Longest link destination (with its title) genie reads; a longer one is not
/// taken for a link, which keeps hostile lines from costing quadratic time.
const MAX_DESTINATION: usize = 1024;

/// The destination at the start of `rest` (after `](`), and bytes consumed.
fn link_destination(rest: &str) -> Option<(&str, usize)> {
    let lead = rest.len() - rest.trim_start().len();
    let mut end = (lead + MAX_DESTINATION).min(rest.len());
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    let r = &rest[lead..end];
    if let Some(inner) = r.strip_prefix('<') {
        let end = inner.find('>')?;
        return Some((&inner[..end], lead + end + 2));
    }
    let mut depth = 0usize;
    for (i, c) in r.char_indices() {
        match c {
            // CommonMark allows 32 levels of nested parentheses in a destination.
            '(' if depth == 32 => return None,
            '(' => depth += 1,
            ')' if depth == 0 => return Some((&r[..i], lead + i + 1)),
            ')' => depth -= 1,
            ' ' | '\t' => {
                // A title follows; the destination ends here.
                let close = r[i..].find(')')?;
                return Some((&r[..i], lead + i + close + 1));
            }
            _ => {}
        }
    }
    None
}

fn push_link(links: &mut Vec<Link>, dest: &str, line_no: u32, line: &str, byte_col: usize) {
    if dest.is_empty() {
        return;
    }
    let col = line[..byte_col.min(line.len())].chars().count() as u32 + 1;
    links.push(Link {
        dest: dest.to_string(),
        line: line_no,
        col,
    });
}

/// Heading text without markdown markup.
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Keep the text of links, drop their destinations.
    while let Some(pos) = rest.find("](") {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 2..];
        match link_destination(after) {
            Some((_, consumed)) => rest = &after[consumed..],
            None => {
                out.push_str("](");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.retain(|c| !matches!(c, '[' | ']' | '`' | '*'));
    out.trim().to_string()
}

/// A GitHub-style heading anchor: lower-case, spaces to `-`, punctuation other
/// than `-` and `_` removed, letters of every script kept.
pub fn slug(heading: &str) -> String {
    let owned;
    let text = if heading.contains(['[', ']', '`', '*']) {
        owned = plain_text(heading);
        owned.as_str()
    } else {
        heading.trim()
    };
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                s.push(c.to_ascii_lowercase());
            } else if c == ' ' {
                s.push('-');
            }
        } else if c.is_alphanumeric() {
            s.extend(c.to_lowercase());
        }
    }
    s
}

/// Numbers repeated headings the way GitHub does (`intro`, `intro-1`, …).
#[derive(Default)]
struct SlugCounter {
    seen: Vec<(String, usize)>,
}

impl SlugCounter {
    fn next(&mut self, base: String) -> String {
        match self.seen.iter_mut().find(|(s, _)| *s == base) {
            Some((_, n)) => {
                let out = format!("{base}-{n}");
                *n += 1;
                out
            }
            None => {
                self.seen.push((base.clone(), 1));
                base
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dests(s: &Scan) -> Vec<&str> {
        s.links.iter().map(|l| l.dest.as_str()).collect()
    }

    #[test]
    fn slugs_match_github() {
        assert_eq!(slug("Context & Goals"), "context--goals");
        assert_eq!(slug("Решение и последствия"), "решение-и-последствия");
        assert_eq!(slug("Use `PostgreSQL` 16!"), "use-postgresql-16");
        assert_eq!(slug("See [the PRD](../prd.md)"), "see-the-prd");
        assert_eq!(slug("snake_case-ok"), "snake_case-ok");
    }

    #[test]
    fn links_outside_code_are_found_with_lines() {
        let body = "# T\n\nSee [a](a.md) and ![img](i.png \"t\").\n\n```\n[no](x.md)\n```\n\n    [no](indented.md)\n\nInline `[no](c.md)` and [yes](<y y.md>)\n\n[ref]: ./r.md \"Title\"\n<!-- [no](comment.md)\n-->\n\\[no](escaped.md)\n";
        let s = scan(body, 5);
        assert_eq!(dests(&s), ["a.md", "i.png", "y y.md", "./r.md"]);
        assert_eq!(s.links[0].line, 7);
        assert_eq!(s.links[0].col, 9);
        assert_eq!(s.title.as_deref(), Some("T"));
    }

    #[test]
    fn headings_atx_setext_duplicates_and_custom_ids() {
        let s = scan(
            "# Top\n\nIntro\n=====\n\n## Same\n## Same\nSub\n---\n## Tail ##\n### Own {#mine}\n<a id=\"x\"></a>\n",
            1,
        );
        assert_eq!(
            s.anchors,
            [
                "top", "intro", "same", "same-1", "sub", "tail", "mine", "own", "x"
            ]
        );
    }

    #[test]
    fn fences_need_matching_close() {
        let s = scan(
            "````\n```\n[no](a.md)\n````\n[yes](b.md)\n~~~\n# not a heading\n~~~\n",
            1,
        );
        assert_eq!(dests(&s), ["b.md"]);
        assert!(s.anchors.is_empty());
    }

    #[test]
    fn nested_parens_in_destinations() {
        let s = scan("[w](https://e.org/a_(b)) and [x](./x.md#sec)\n", 1);
        assert_eq!(dests(&s), ["https://e.org/a_(b)", "./x.md#sec"]);
    }

    #[test]
    fn list_continuations_are_not_code() {
        let s = scan("- item\n\n    [yes](a.md)\n", 1);
        assert_eq!(dests(&s), ["a.md"]);
    }

    #[test]
    fn hostile_lines_stay_linear() {
        // Each of these took seconds when every `](` rescanned the rest of the line.
        // (A regression shows as a slow test, not a failing one: tests assert no timings.)
        for line in [
            "[](".repeat(40_000),
            "]\u{28}".repeat(40_000),
            "`a`[](".repeat(20_000),
            format!("# {}", "[](".repeat(40_000)),
        ] {
            let s = scan(&line, 1);
            assert!(s.links.is_empty(), "{:?}", &s.links[..1]);
        }
        let closed = format!("{}[ok](a.md)", "[](".repeat(1_000));
        assert_eq!(dests(&scan(&closed, 1)), ["a.md"]);
    }

    #[test]
    fn long_lines_are_fine() {
        let long = "x".repeat(40_000);
        let s = scan(&format!("{long} [a](b.md)\n"), 1);
        assert_eq!(s.links[0].col, 40_006);
    }
}
