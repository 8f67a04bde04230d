//! Cutting a document body into search chunks: heading sections, long ones split
//! at paragraph or code-fence boundaries with a little overlap, tiny ones merged
//! into a neighbour; code blocks and tables are never split.
//!
//! Like [`crate::markdown`], this is a line scanner, not a CommonMark parser. What
//! it understands:
//!
//! - **ATX headings**: one to six `#` after at most three spaces, then a space, a
//!   tab or the end of the line (`#hashtag` and `####### x` are text); a closing
//!   run of `#` is dropped.
//! - **Setext headings**: a paragraph underlined with `=` (level 1) or `-`
//!   (level 2), only when the paragraph is unambiguous: its first line is not
//!   indented and follows a blank line, a heading, a thematic break, a closed
//!   code fence or the start of the body, and none of its lines looks like a list
//!   item, a block quote or HTML. Anything else leaves `---` a thematic break.
//!   The heading's section starts at the paragraph's first line.
//! - **Fenced code** (```` ``` ```` or `~~~`, three or more, closed by the same
//!   character at least as many times; an unclosed fence runs to the end) and
//!   multi-line **HTML comments**: nothing inside them is a heading.
//! - **Tables**: a run of lines starting with `|`.
//!
//! Anchors are [`slug`]s of the heading text, numbered GitHub-style when repeated
//! (`intro`, `intro-1`, …) exactly as [`crate::markdown::scan`] numbers them; a
//! heading ending in `{#custom-id}` takes that id as its anchor instead.

use std::borrow::Cow;

use crate::markdown::{plain_text, slug};

/// Sizes that steer the cutting, in characters of markdown source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkOptions {
    /// A section longer than this is split.
    pub max_chars: usize,
    /// A section shorter than this merges into a neighbour.
    pub min_chars: usize,
    /// How much of the end of one part a split repeats at the start of the next.
    pub overlap_chars: usize,
}

impl Default for ChunkOptions {
    fn default() -> Self {
        ChunkOptions {
            max_chars: 1600,
            min_chars: 200,
            overlap_chars: 200,
        }
    }
}

/// One piece of a document body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Plain-text headings from the outermost down to the section's own heading
    /// (empty for text before the first heading).
    pub heading_path: Vec<String>,
    /// Every heading whose section the chunk covers, its own first (more when tiny
    /// sections were merged into it).
    pub headings: Vec<String>,
    /// The slug of the section's own heading (`""` before the first heading).
    pub anchor: String,
    /// 1-based part number of a split section (1 when not split).
    pub part: u32,
    /// 1-based, inclusive, lines of the file (not of the body).
    pub line_start: u32,
    pub line_end: u32,
    /// The markdown source of those lines.
    pub text: String,
}

/// Cut `body` (the document after its front-matter; `body_line` is the file line of
/// its first line) into chunks, in document order.
///
/// Each heading starts a section that runs to the next heading of any level; text
/// before the first heading is a section of its own. Blank lines at either end
/// of a section are left out, and a section of blank lines gives no chunk.
///
/// A section longer than `max_chars` is cut into parts of similar size between
/// blocks (paragraphs, code blocks, tables), a paragraph longer than `max_chars`
/// between its lines; a code block or a table is never cut, nor is a line, so a
/// part may exceed `max_chars` when one of them alone does. The heading stays
/// with the block after it. Each part after the first repeats the last block of
/// the one before when that block is at most `overlap_chars` long (and the two
/// fit in a part).
///
/// A section shorter than `min_chars` joins the section after it when that one
/// is nested under it (the chunk keeps the short section's path and anchor),
/// otherwise the chunk before it, when the result stays within `max_chars` and
/// that chunk is not a part of a split section; otherwise it stays alone.
pub fn chunk(body: &str, body_line: u32, opts: &ChunkOptions) -> Vec<Chunk> {
    let doc = Doc::read(body);
    let sections = doc.sections();
    doc.pieces(&sections, opts)
        .into_iter()
        .map(|p| doc.finish(p, body_line))
        .collect()
}

/// What a line is, as far as cutting goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Only spaces and tabs, outside code and comments.
    Blank,
    /// Paragraph text, and anything else not listed here.
    Text,
    /// A thematic break (`---`, `* * *`).
    Rule,
    /// A line starting with `|`.
    Table,
    /// The opening line of a code fence.
    Fence,
    /// Inside a code fence, or its closing line.
    Code,
    /// Inside a multi-line HTML comment.
    Comment,
    /// An ATX heading, or a line of a setext heading's text.
    Heading,
    /// A setext heading's underline.
    Underline,
}

/// One line of the body: its bytes (without `\n` or a trailing `\r`) and kind.
struct Line {
    start: usize,
    end: usize,
    kind: Kind,
}

/// A heading as read: its first line, how many lines it takes, level and text.
struct RawHead<'a> {
    line: usize,
    lines: usize,
    level: u8,
    text: Cow<'a, str>,
}

/// A heading, ready for chunks.
struct Head {
    line: usize,
    lines: usize,
    level: u8,
    /// The nearest heading before it of a lower level.
    parent: Option<usize>,
    plain: String,
    anchor: String,
}

/// A body read into lines.
struct Doc<'a> {
    body: &'a str,
    lines: Vec<Line>,
    heads: Vec<Head>,
    has_cr: bool,
}

/// A heading section, or several merged ones.
#[derive(Clone, Copy)]
struct Section {
    start: usize,
    /// Inclusive.
    end: usize,
    /// 0 for the text before the first heading.
    level: u8,
    /// Its own heading (`None` before the first heading).
    head: Option<usize>,
    /// The headings it covers: `heads[from..to]` (merged sections are neighbours,
    /// so their headings always are).
    heads: (usize, usize),
    /// Characters.
    size: usize,
}

/// A chunk still in line and heading indices.
struct Piece {
    start: usize,
    end: usize,
    head: Option<usize>,
    heads: (usize, usize),
    size: usize,
    part: u32,
    /// One of several parts of a section (nothing merges into it).
    split: bool,
}

/// State carried from line to line while reading.
#[derive(Default)]
struct Reader {
    fence: Option<Fence>,
    in_comment: bool,
    /// First line of the paragraph being read.
    para_start: usize,
    /// Whether that paragraph could be a setext heading's text.
    para_simple: bool,
}

struct Fence {
    ch: u8,
    len: usize,
}

impl<'a> Doc<'a> {
    fn read(body: &'a str) -> Self {
        let bytes = body.as_bytes();
        let mut lines = Vec::with_capacity(bytes.len() / 40 + 1);
        let mut raw = Vec::new();
        let mut reader = Reader::default();
        let mut pos = 0;
        let mut newlines = memchr::memchr_iter(b'\n', bytes);
        loop {
            let newline = newlines.next();
            let mut end = newline.unwrap_or(bytes.len());
            if end > pos && bytes[end - 1] == b'\r' {
                end -= 1;
            }
            let text = &body[pos..end];
            let kind = reader.classify(&mut lines, &mut raw, body, text);
            lines.push(Line {
                start: pos,
                end,
                kind,
            });
            match newline {
                Some(n) => pos = n + 1,
                None => break,
            }
        }
        Doc {
            body,
            lines,
            heads: headings(raw),
            has_cr: memchr::memchr(b'\r', bytes).is_some(),
        }
    }

    fn text(&self, i: usize) -> &'a str {
        &self.body[self.lines[i].start..self.lines[i].end]
    }

    fn is_blank(&self, i: usize) -> bool {
        self.text(i).bytes().all(|b| b == b' ' || b == b'\t')
    }

    /// Characters of the body's bytes `from..to` as lines joined with `\n` (a
    /// `\r` before a newline does not count).
    fn count(&self, from: usize, to: usize) -> usize {
        let text = &self.body[from..to];
        let chars = text.chars().count();
        if self.has_cr {
            chars - memchr::memmem::find_iter(text.as_bytes(), b"\r\n").count()
        } else {
            chars
        }
    }

    /// Characters of lines `start..=end` joined with newlines.
    fn size(&self, start: usize, end: usize) -> usize {
        self.count(self.lines[start].start, self.lines[end].end)
    }

    /// Characters from the end of line `end` to the start of line `start`.
    fn gap(&self, end: usize, start: usize) -> usize {
        self.count(self.lines[end].end, self.lines[start].start)
    }

    /// Lines `from..to` without the blank ones at either end; `None` if all blank.
    fn trim(&self, from: usize, to: usize) -> Option<(usize, usize)> {
        let start = (from..to).find(|&i| !self.is_blank(i))?;
        let end = (start..to).rev().find(|&i| !self.is_blank(i))?;
        Some((start, end))
    }

    fn sections(&self) -> Vec<Section> {
        let mut out = Vec::with_capacity(self.heads.len() + 1);
        let first = self.heads.first().map_or(self.lines.len(), |h| h.line);
        if let Some((start, end)) = self.trim(0, first) {
            out.push(Section {
                start,
                end,
                level: 0,
                head: None,
                heads: (0, 0),
                size: self.size(start, end),
            });
        }
        for (k, h) in self.heads.iter().enumerate() {
            let next = self.heads.get(k + 1).map_or(self.lines.len(), |n| n.line);
            let end = self
                .trim(h.line, next)
                .map_or(h.line + h.lines - 1, |(_, end)| end);
            out.push(Section {
                start: h.line,
                end,
                level: h.level,
                head: Some(k),
                heads: (k, k + 1),
                size: self.size(h.line, end),
            });
        }
        out
    }

    /// Sections cut when long and merged when tiny.
    fn pieces(&self, sections: &[Section], opts: &ChunkOptions) -> Vec<Piece> {
        let max = opts.max_chars;
        let mut out: Vec<Piece> = Vec::with_capacity(sections.len());
        let mut carry: Option<Section> = None;
        for (k, &section) in sections.iter().enumerate() {
            let group = match carry.take() {
                Some(mut c) => {
                    c.size += self.gap(c.end, section.start) + section.size;
                    c.end = section.end;
                    c.heads.1 = section.heads.1;
                    c
                }
                None => section,
            };
            if group.size > max {
                self.split(group, opts, &mut out);
                continue;
            }
            if group.size < opts.min_chars {
                // Into the following section when it is nested under this one…
                if let Some(next) = sections.get(k + 1)
                    && next.level > group.level
                    && group.size + self.gap(group.end, next.start) + next.size <= max
                {
                    carry = Some(group);
                    continue;
                }
                // …otherwise into the chunk before.
                if let Some(prev) = out.last_mut()
                    && !prev.split
                {
                    let size = prev.size + self.gap(prev.end, group.start) + group.size;
                    if size <= max {
                        prev.end = group.end;
                        prev.heads.1 = group.heads.1;
                        prev.size = size;
                        continue;
                    }
                }
            }
            out.push(Piece {
                start: group.start,
                end: group.end,
                head: group.head,
                heads: group.heads,
                size: group.size,
                part: 1,
                split: false,
            });
        }
        out
    }

    /// Cut a long section into parts of similar size.
    fn split(&self, s: Section, opts: &ChunkOptions, out: &mut Vec<Piece>) {
        let head_lines = s.head.map_or(0, |h| self.heads[h].lines);
        let sizes = self.sizes(s.start, s.end);
        let units = self.units(&s, head_lines, &sizes, opts.max_chars);
        let glue = head_lines > 0;
        let pack = |limit: usize, emit: &mut dyn FnMut(usize, usize)| {
            pack(&units, &sizes, limit, opts.overlap_chars, glue, emit);
        };
        let mut n = 0;
        pack(opts.max_chars, &mut |_, _| n += 1);
        // The smallest limit that needs no more parts than `max_chars` does:
        // parts of even size rather than full ones and a scrap at the end.
        let mut limit = opts.max_chars;
        if n > 1 {
            let mut lo = 0;
            while lo < limit {
                let mid = lo + (limit - lo) / 2;
                let mut count = 0;
                pack(mid, &mut |_, _| count += 1);
                if count <= n {
                    limit = mid;
                } else {
                    lo = mid + 1;
                }
            }
        }
        let mut parts = Vec::with_capacity(n);
        pack(limit, &mut |start, end| parts.push((start, end)));
        let split = parts.len() > 1;
        for (i, (start, end)) in parts.into_iter().enumerate() {
            out.push(Piece {
                start,
                end,
                head: s.head,
                heads: s.heads,
                size: sizes.size(start, end),
                part: u32::try_from(i + 1).unwrap_or(u32::MAX),
                split,
            });
        }
    }

    /// The section's blocks as line ranges that are never cut: the heading, code
    /// blocks, tables, paragraphs — or a long paragraph's single lines.
    fn units(
        &self,
        s: &Section,
        head_lines: usize,
        sizes: &Sizes,
        max: usize,
    ) -> Vec<(usize, usize)> {
        let mut units = Vec::new();
        let mut i = s.start;
        if head_lines > 0 {
            let end = (s.start + head_lines - 1).min(s.end);
            units.push((s.start, end));
            i = end + 1;
        }
        let kind = |i: usize| self.lines[i].kind;
        while i <= s.end {
            let mut j = i;
            match kind(i) {
                Kind::Blank => {
                    i += 1;
                    continue;
                }
                Kind::Fence => {
                    while j < s.end && kind(j + 1) == Kind::Code {
                        j += 1;
                    }
                }
                Kind::Table => {
                    while j < s.end && kind(j + 1) == Kind::Table {
                        j += 1;
                    }
                }
                _ => {
                    while j < s.end
                        && !matches!(kind(j + 1), Kind::Blank | Kind::Fence | Kind::Table)
                    {
                        j += 1;
                    }
                    // Lines in an HTML comment may be blank.
                    let run = self.trim(i, j + 1);
                    i = j + 1;
                    match run {
                        Some((start, end)) if sizes.size(start, end) > max => units
                            .extend((start..=end).filter(|&l| !self.is_blank(l)).map(|l| (l, l))),
                        Some(unit) => units.push(unit),
                        None => {}
                    }
                    continue;
                }
            }
            units.push((i, j));
            i = j + 1;
        }
        units
    }

    /// Characters of each of lines `first..=last`, for sizes of their sub-ranges.
    fn sizes(&self, first: usize, last: usize) -> Sizes {
        let mut total = 0;
        let upto = (first..=last)
            .map(|i| {
                total += self.count(self.lines[i].start, self.lines[i].end) + 1;
                total
            })
            .collect();
        Sizes { first, upto }
    }

    fn finish(&self, p: Piece, body_line: u32) -> Chunk {
        let text = if self.has_cr {
            let bytes = self.lines[p.end].end - self.lines[p.start].start;
            let mut text = String::with_capacity(bytes);
            for i in p.start..=p.end {
                if i > p.start {
                    text.push('\n');
                }
                text.push_str(self.text(i));
            }
            text
        } else {
            self.body[self.lines[p.start].start..self.lines[p.end].end].to_string()
        };
        let line = |i: usize| body_line.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
        let mut heading_path = Vec::new();
        let mut at = p.head;
        while let Some(h) = at {
            heading_path.push(self.heads[h].plain.clone());
            at = self.heads[h].parent;
        }
        heading_path.reverse();
        let (from, to) = p.heads;
        Chunk {
            heading_path,
            headings: self.heads[from..to]
                .iter()
                .map(|h| h.plain.clone())
                .collect(),
            anchor: p
                .head
                .map_or_else(String::new, |h| self.heads[h].anchor.clone()),
            part: p.part,
            line_start: line(p.start),
            line_end: line(p.end),
            text,
        }
    }
}

/// Character counts of a run of lines.
struct Sizes {
    first: usize,
    /// `upto[k]`: characters of lines `first..=first + k`, each with its newline.
    upto: Vec<usize>,
}

impl Sizes {
    /// Characters of lines `start..=end` joined with newlines.
    fn size(&self, start: usize, end: usize) -> usize {
        let before = (start - self.first)
            .checked_sub(1)
            .map_or(0, |k| self.upto[k]);
        self.upto[end - self.first] - before - 1
    }
}

/// Fill parts of at most `limit` characters with whole units (at least one new
/// unit each, the heading with the unit after it), each part after the first
/// starting with the last unit of the one before when it is short.
fn pack(
    units: &[(usize, usize)],
    sizes: &Sizes,
    limit: usize,
    overlap: usize,
    glue: bool,
    emit: &mut dyn FnMut(usize, usize),
) {
    let mut i = 0;
    while i < units.len() {
        let mut first = units[i].0;
        if i > 0 {
            let (start, end) = units[i - 1];
            if sizes.size(start, end) <= overlap && sizes.size(start, units[i].1) <= limit {
                first = start;
            }
        }
        let mut j = i;
        if glue && i == 0 && units.len() > 1 {
            j = 1;
        }
        while j + 1 < units.len() && sizes.size(first, units[j + 1].1) <= limit {
            j += 1;
        }
        emit(first, units[j].1);
        i = j + 1;
    }
}

impl Reader {
    /// The kind of `text`, the line after `lines`; records headings, and turns a
    /// paragraph into a setext heading when `text` underlines it.
    fn classify<'a>(
        &mut self,
        lines: &mut [Line],
        heads: &mut Vec<RawHead<'a>>,
        body: &'a str,
        text: &'a str,
    ) -> Kind {
        let i = lines.len();
        let (indent, rest) = indentation(text);
        if let Some(f) = &self.fence {
            if indent < 4 && f.closed_by(rest) {
                self.fence = None;
            }
            return Kind::Code;
        }
        if self.in_comment {
            if let Some(p) = text.find("-->") {
                self.in_comment = opens_comment(&text[p + 3..]);
            }
            return Kind::Comment;
        }
        if rest.is_empty() {
            return Kind::Blank;
        }
        if indent < 4 {
            if let Some(f) = fence_open(rest) {
                self.fence = Some(f);
                return Kind::Fence;
            }
            if let Some((level, title)) = atx_heading(rest) {
                heads.push(RawHead {
                    line: i,
                    lines: 1,
                    level,
                    text: Cow::Borrowed(title),
                });
                return Kind::Heading;
            }
            if let Some(level) = underline_level(rest)
                && self.para_simple
                && i > 0
                && lines[i - 1].kind == Kind::Text
            {
                let first = self.para_start;
                let mut title = Cow::Borrowed("");
                for line in &mut lines[first..i] {
                    line.kind = Kind::Heading;
                    let text = body[line.start..line.end].trim();
                    if title.is_empty() {
                        title = Cow::Borrowed(text);
                    } else {
                        let joined = title.to_mut();
                        joined.push(' ');
                        joined.push_str(text);
                    }
                }
                heads.push(RawHead {
                    line: first,
                    lines: i - first + 1,
                    level,
                    text: title,
                });
                return Kind::Underline;
            }
            if is_thematic_break(rest) {
                return Kind::Rule;
            }
        }
        let kind = if rest.starts_with('|') {
            Kind::Table
        } else {
            Kind::Text
        };
        if memchr::memchr(b'<', rest.as_bytes()).is_some() && rest.contains("<!--") {
            self.in_comment = opens_comment(rest);
        }
        if kind == Kind::Text {
            let plain = !is_list_item(rest) && !rest.starts_with(['>', '<']);
            let prev = i.checked_sub(1).map(|p| lines[p].kind);
            if prev == Some(Kind::Text) {
                self.para_simple &= plain;
            } else {
                let after_break = matches!(
                    prev,
                    None | Some(
                        Kind::Blank | Kind::Heading | Kind::Underline | Kind::Code | Kind::Rule
                    )
                );
                self.para_start = i;
                self.para_simple = after_break && indent == 0 && plain;
            }
        }
        kind
    }
}

impl Fence {
    fn closed_by(&self, rest: &str) -> bool {
        let n = rest.bytes().take_while(|&b| b == self.ch).count();
        n >= self.len && rest[n..].bytes().all(|b| b == b' ' || b == b'\t')
    }
}

/// Indentation width (a tab to the next multiple of 4) and the rest of the line.
fn indentation(line: &str) -> (usize, &str) {
    let mut width = 0;
    for (i, b) in line.bytes().enumerate() {
        match b {
            b' ' => width += 1,
            b'\t' => width = (width / 4 + 1) * 4,
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
    // A backtick fence's info string cannot hold a backtick (that is inline code).
    if len < 3 || (ch == b'`' && rest[len..].contains('`')) {
        return None;
    }
    Some(Fence { ch, len })
}

/// Level and text of an ATX heading.
fn atx_heading(rest: &str) -> Option<(u8, &str)> {
    let level = rest.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let after = &rest[level..];
    if !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let text = after.trim();
    let open = text.trim_end_matches('#');
    let text = if open.is_empty() || open.ends_with([' ', '\t']) {
        open.trim_end()
    } else {
        text
    };
    Some((level as u8, text))
}

/// The level a setext underline gives (`=` 1, `-` 2).
fn underline_level(rest: &str) -> Option<u8> {
    let first = *rest.as_bytes().first()?;
    if first != b'=' && first != b'-' {
        return None;
    }
    let t = rest.trim_end_matches([' ', '\t']).as_bytes();
    if t.iter().all(|&b| b == first) {
        Some(if first == b'=' { 1 } else { 2 })
    } else {
        None
    }
}

fn is_thematic_break(rest: &str) -> bool {
    let Some(&first) = rest.as_bytes().first() else {
        return false;
    };
    if !matches!(first, b'-' | b'*' | b'_') {
        return false;
    }
    let mut n = 0;
    for b in rest.bytes() {
        if b == first {
            n += 1;
        } else if b != b' ' && b != b'\t' {
            return false;
        }
    }
    n >= 3
}

fn is_list_item(rest: &str) -> bool {
    let b = rest.as_bytes();
    let after_marker = |at: usize| matches!(b.get(at), None | Some(b' ' | b'\t'));
    if matches!(b.first(), Some(b'-' | b'*' | b'+')) {
        return after_marker(1);
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    (1..10).contains(&digits)
        && matches!(b.get(digits), Some(b'.' | b')'))
        && after_marker(digits + 1)
}

/// Whether an HTML comment opened in `text` is still open at its end.
fn opens_comment(text: &str) -> bool {
    let mut rest = text;
    while let Some(open) = rest.find("<!--") {
        match rest[open + 4..].find("-->") {
            Some(close) => rest = &rest[open + 4 + close + 3..],
            None => return true,
        }
    }
    false
}

/// `Title {#custom-id}`: the title and the id.
fn split_custom_id(text: &str) -> (&str, Option<&str>) {
    let t = text.trim_end();
    if let Some(inner) = t.strip_suffix('}')
        && let Some(at) = inner.rfind("{#")
    {
        let id = &inner[at + 2..];
        if !id.is_empty() && !id.contains(char::is_whitespace) {
            return (t[..at].trim_end(), Some(id));
        }
    }
    (text, None)
}

/// Headings with their plain text, parent and anchor: the slug, numbered like
/// GitHub's (`intro`, `intro-1`, …) when repeated, or a `{#custom-id}`.
fn headings(raw: Vec<RawHead<'_>>) -> Vec<Head> {
    let mut heads: Vec<Head> = Vec::with_capacity(raw.len());
    let mut slugs = Vec::with_capacity(raw.len());
    let mut open: Vec<usize> = Vec::new();
    for r in raw {
        let (text, custom) = split_custom_id(&r.text);
        let plain = plain_text(text);
        slugs.push(slug(&plain));
        while open.last().is_some_and(|&p| heads[p].level >= r.level) {
            open.pop();
        }
        let parent = open.last().copied();
        open.push(heads.len());
        heads.push(Head {
            line: r.line,
            lines: r.lines,
            level: r.level,
            parent,
            plain,
            anchor: custom.map(str::to_lowercase).unwrap_or_default(),
        });
    }
    // The n-th repeat of a slug gets `-n`: sorting (stably) brings repeats
    // together in document order, and no hashing is needed.
    let mut repeat = vec![0; slugs.len()];
    if slugs.len() > 1 {
        let mut order: Vec<usize> = (0..slugs.len()).collect();
        order.sort_by(|&a, &b| slugs[a].cmp(&slugs[b]));
        for w in order.windows(2) {
            if slugs[w[0]] == slugs[w[1]] {
                repeat[w[1]] = repeat[w[0]] + 1;
            }
        }
    }
    for ((head, base), n) in heads.iter_mut().zip(slugs).zip(repeat) {
        if head.anchor.is_empty() {
            head.anchor = if n == 0 { base } else { format!("{base}-{n}") };
        }
    }
    heads
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn opts(max_chars: usize, min_chars: usize, overlap_chars: usize) -> ChunkOptions {
        ChunkOptions {
            max_chars,
            min_chars,
            overlap_chars,
        }
    }

    /// No merging, no splitting.
    const PLAIN: ChunkOptions = ChunkOptions {
        max_chars: 100_000,
        min_chars: 0,
        overlap_chars: 0,
    };

    fn paths(chunks: &[Chunk]) -> Vec<Vec<&str>> {
        chunks
            .iter()
            .map(|c| c.heading_path.iter().map(String::as_str).collect())
            .collect()
    }

    fn anchors(chunks: &[Chunk]) -> Vec<&str> {
        chunks.iter().map(|c| c.anchor.as_str()).collect()
    }

    fn ranges(chunks: &[Chunk]) -> Vec<(u32, u32)> {
        chunks.iter().map(|c| (c.line_start, c.line_end)).collect()
    }

    /// `n` paragraphs of about `len` characters, separated by blank lines.
    fn paragraphs(n: usize, len: usize) -> String {
        (0..n)
            .map(|i| format!("p{i:02} {}", "w".repeat(len.saturating_sub(4))))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    #[test]
    fn sections_nest_and_pop() {
        let body = "\
# Top

intro

## Context **bold**

### Details with `code`

text

## [Decision](adr.md) ##

# Other
";
        let c = chunk(body, 1, &PLAIN);
        assert_eq!(
            paths(&c),
            [
                vec!["Top"],
                vec!["Top", "Context bold"],
                vec!["Top", "Context bold", "Details with code"],
                vec!["Top", "Decision"],
                vec!["Other"],
            ]
        );
        assert_eq!(
            anchors(&c),
            [
                "top",
                "context-bold",
                "details-with-code",
                "decision",
                "other"
            ]
        );
        assert_eq!(c[2].headings, ["Details with code"]);
        assert!(c.iter().all(|c| c.part == 1));
        assert_eq!(ranges(&c), [(1, 3), (5, 5), (7, 9), (11, 11), (13, 13)]);
    }

    #[test]
    fn text_before_the_first_heading_and_line_offsets() {
        let body = "\n\nPreamble line\nsecond\n\n\n# Title\n\nBody\n\n\n";
        let c = chunk(body, 10, &PLAIN);
        assert_eq!(paths(&c), [vec![], vec!["Title"]]);
        assert_eq!(anchors(&c), ["", "title"]);
        assert!(c[0].headings.is_empty());
        // Blank lines at either end are left out.
        assert_eq!(ranges(&c), [(12, 13), (16, 18)]);
        assert_eq!(c[0].text, "Preamble line\nsecond");
        assert_eq!(c[1].text, "# Title\n\nBody");
    }

    #[test]
    fn what_is_not_a_heading() {
        let body = "\
# Real

#hashtag and text
####### seven hashes
    # indented code
```sh
# not a heading
```
~~~~
```
# still code
~~~
## not either
~~~~
<!--
## commented out
-->
#
## Closing ## ###
```
# unclosed fence
";
        let c = chunk(body, 1, &PLAIN);
        assert_eq!(paths(&c), [vec!["Real"], vec![""], vec!["", "Closing ##"]]);
        assert_eq!(ranges(&c), [(1, 17), (18, 18), (19, 21)]);
    }

    #[test]
    fn setext_headings_only_when_unambiguous() {
        let body = "\
Title
=====

Two line
heading
--------

text

---

- item
---

> quote
---
| a |
---
";
        let c = chunk(body, 1, &PLAIN);
        assert_eq!(
            paths(&c),
            [vec!["Title"], vec!["Title", "Two line heading"]]
        );
        assert_eq!(anchors(&c), ["title", "two-line-heading"]);
        assert_eq!(ranges(&c), [(1, 2), (4, 18)]);
    }

    #[test]
    fn repeated_slugs_are_numbered_and_custom_ids_win() {
        let body = "# Notes\n## Notes\n## Notes\n## Own {#my-id}\n## Решение\n";
        let c = chunk(body, 1, &PLAIN);
        assert_eq!(
            anchors(&c),
            ["notes", "notes-1", "notes-2", "my-id", "решение"]
        );
        assert_eq!(c[3].heading_path, ["Notes", "Own"]);
        // The same anchors `markdown::scan` reports.
        let scanned = crate::markdown::scan(body, 1).anchors;
        assert!(anchors(&c).iter().all(|a| scanned.iter().any(|s| s == a)));
    }

    #[test]
    fn crlf_lines() {
        let body = "# T\r\n\r\nline one\r\nline two\r\n\r\n## U\r\nx\r\n";
        let c = chunk(body, 3, &PLAIN);
        assert_eq!(c[0].text, "# T\n\nline one\nline two");
        assert_eq!(ranges(&c), [(3, 6), (8, 9)]);
        assert_eq!(c[1].text, "## U\nx");
    }

    #[test]
    fn empty_and_blank_bodies() {
        for body in ["", "\n", "  \n\t\n", "\r\n\r\n"] {
            assert!(
                chunk(body, 1, &ChunkOptions::default()).is_empty(),
                "{body:?}"
            );
        }
        let c = chunk("#", 1, &ChunkOptions::default());
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].anchor.as_str(), c[0].text.as_str()), ("", "#"));
    }

    #[test]
    fn long_sections_split_with_overlap() {
        // Ten paragraphs of 100 characters: 1,018 characters after the heading.
        let body = format!(
            "## Long\n\n{}\n\n## Next\n\n{}",
            paragraphs(10, 100),
            paragraphs(1, 50)
        );
        let c = chunk(&body, 1, &opts(450, 0, 120));
        let long: Vec<&Chunk> = c.iter().filter(|c| c.anchor == "long").collect();
        assert_eq!(long.len(), 3);
        for (i, part) in long.iter().enumerate() {
            assert_eq!(part.part, i as u32 + 1);
            assert_eq!(part.heading_path, ["Long"]);
            assert_eq!(part.headings, ["Long"]);
            assert!(part.text.chars().count() <= 450, "{}", part.text);
            assert_eq!(part.text.starts_with("## Long"), i == 0);
        }
        // Each later part starts with the last paragraph of the one before.
        for pair in long.windows(2) {
            let last = pair[0].text.rsplit("\n\n").next().unwrap();
            assert!(pair[1].text.starts_with(last), "{:?}", pair[1].text);
            assert_eq!(pair[1].line_start, pair[0].line_end);
        }
        // Even parts, not two full ones and a scrap.
        let sizes: Vec<usize> = long.iter().map(|p| p.text.len()).collect();
        assert!(sizes.iter().all(|&s| s >= 300), "{sizes:?}");
        assert_eq!(c.last().unwrap().anchor, "next");
        assert_eq!(c.last().unwrap().part, 1);

        // Paragraphs longer than the overlap are not repeated.
        let c = chunk(&body, 1, &opts(450, 0, 50));
        assert!(c.windows(2).all(|w| w[0].line_end < w[1].line_start));
    }

    #[test]
    fn code_blocks_and_tables_are_never_split() {
        let rows: String = (0..40).map(|i| format!("| row {i} | value |\n")).collect();
        let code: String = (0..40).map(|i| format!("let x{i} = {i};\n\n")).collect();
        let body = format!("# Data\n\nIntro.\n\n{rows}\n```rust\n{code}```\n\nAfter.\n");
        let c = chunk(&body, 1, &opts(200, 0, 0));
        let table = c.iter().find(|c| c.text.contains("| row 0 |")).unwrap();
        assert!(table.text.contains("| row 39 |"));
        let code = c.iter().find(|c| c.text.contains("```rust")).unwrap();
        assert!(code.text.contains("let x39 = 39;") && code.text.ends_with("```"));
        assert!(c.iter().all(|c| c.anchor == "data"));
        assert_eq!(c.len(), 4);
        assert_eq!(c[0].text, "# Data\n\nIntro.");
        assert_eq!(c[3].text, "After.");
    }

    #[test]
    fn heading_stays_with_the_block_after_it() {
        let code: String = (0..50).map(|i| format!("line {i}\n")).collect();
        let body = format!("## Big\n```\n{code}```\ntail paragraph\n");
        let c = chunk(&body, 1, &opts(100, 0, 0));
        assert!(c[0].text.starts_with("## Big\n```"));
        assert_eq!(c[1].text, "tail paragraph");
        assert_eq!((c[0].part, c[1].part), (1, 2));
    }

    #[test]
    fn long_paragraphs_split_between_lines_never_inside_one() {
        let lines: Vec<String> = (0..30)
            .map(|i| format!("line {i:02} of a long list"))
            .collect();
        let body = format!("# L\n{}\n", lines.join("\n"));
        let c = chunk(&body, 1, &opts(200, 0, 0));
        assert!(c.len() > 2);
        assert!(c.iter().all(|c| c.text.chars().count() <= 200));
        let joined: Vec<&str> = c.iter().flat_map(|c| c.text.lines()).collect();
        assert_eq!(joined.len(), 31);

        let huge = "ю".repeat(40_000);
        let body = format!("# H\n\nbefore\n\n{huge}\n\nafter\n");
        let c = chunk(&body, 1, &opts(100, 0, 0));
        assert!(c.iter().any(|c| c.text == huge));
    }

    #[test]
    fn cyrillic_counts_characters_not_bytes() {
        // 150 characters, 300 bytes.
        let body = format!("{}\n\n{}", "я".repeat(75), "ж".repeat(74));
        let c = chunk(&body, 1, &opts(160, 0, 0));
        assert_eq!(c.len(), 1);
        let c = chunk(&body, 1, &opts(140, 0, 0));
        assert_eq!(c.len(), 2);
        // Tiny is measured in characters as well.
        let body = format!("# А\n{}\n## Б\n{}\n", "ы".repeat(60), "ы".repeat(300));
        assert_eq!(chunk(&body, 1, &opts(1000, 100, 0)).len(), 1);
        assert_eq!(chunk(&body, 1, &opts(1000, 50, 0)).len(), 2);
    }

    #[test]
    fn tiny_section_merges_into_its_descendant() {
        let body = format!(
            "# Title\n\n## Context\nshort\n\n### Details\n\n{}\n",
            paragraphs(2, 150)
        );
        let c = chunk(&body, 1, &opts(1600, 200, 0));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].heading_path, ["Title"]);
        assert_eq!(c[0].anchor, "title");
        assert_eq!(c[0].headings, ["Title", "Context", "Details"]);
        assert_eq!(ranges(&c), [(1, 10)]);
    }

    #[test]
    fn tiny_section_merges_into_the_chunk_before() {
        let body = format!(
            "## A\n\n{}\n\n## See also\n\n- a link\n",
            paragraphs(2, 150)
        );
        let c = chunk(&body, 1, &opts(1600, 200, 0));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].anchor, "a");
        assert_eq!(c[0].headings, ["A", "See also"]);
        assert_eq!(ranges(&c), [(1, 9)]);
    }

    #[test]
    fn tiny_section_stays_alone_when_nothing_fits() {
        // No chunk before it, and the next section is a sibling.
        let body = format!("## Tiny\nx\n## Big\n\n{}\n", paragraphs(2, 150));
        let c = chunk(&body, 1, &opts(1600, 200, 0));
        assert_eq!(anchors(&c), ["tiny", "big"]);
        // The chunk before is too big to take it.
        let body = format!("## Big\n\n{}\n## Tiny\nx\n", paragraphs(3, 150));
        let c = chunk(&body, 1, &opts(470, 200, 0));
        assert_eq!(anchors(&c), ["big", "tiny"]);
        // The chunk before is a part of a split section.
        let c = chunk(&body, 1, &opts(300, 200, 0));
        assert_eq!(c.last().unwrap().anchor, "tiny");
        assert!(c.iter().filter(|c| c.anchor == "big").count() > 1);
    }

    /// Lines markdown-ish bodies are made of.
    const ALPHABET: &[&str] = &[
        "# Title",
        "## Section **bold**",
        "### Sub `code`",
        "#hashtag",
        "####### seven",
        "#",
        "```",
        "~~~",
        "````md",
        "| a | b |",
        "|---|---|",
        "A paragraph line with some words in it.",
        "Строка абзаца на русском языке.",
        "",
        "   ",
        "---",
        "===",
        "- item",
        "> quote",
        "<!-- comment",
        "-->",
        "    indented",
        "\t# tab-indented",
        "   ### Three spaces",
        "## Заголовок {#custom-id}",
        "- - -",
        "Setext title",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ];

    proptest! {
        #[test]
        fn chunks_cover_the_body_with_exact_text(
            picks in proptest::collection::vec(0..ALPHABET.len(), 0..80),
            crlf in any::<bool>(),
            trailing_newline in any::<bool>(),
            body_line in 1u32..50,
            max_chars in 1usize..400,
            min_chars in 0usize..300,
            overlap_chars in 0usize..200,
        ) {
            let sep = if crlf { "\r\n" } else { "\n" };
            let mut body = picks.iter().map(|&i| ALPHABET[i]).collect::<Vec<_>>().join(sep);
            if trailing_newline {
                body.push_str(sep);
            }
            let source: Vec<&str> = body
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .collect();
            let chunks = chunk(&body, body_line, &opts(max_chars, min_chars, overlap_chars));
            let mut covered = vec![false; source.len()];
            for c in &chunks {
                prop_assert!(c.line_start >= body_line && c.line_start <= c.line_end);
                let (s, e) = ((c.line_start - body_line) as usize, (c.line_end - body_line) as usize);
                prop_assert!(e < source.len());
                prop_assert_eq!(&c.text, &source[s..=e].join("\n"));
                prop_assert!(!source[e].trim().is_empty());
                prop_assert!(c.part >= 1);
                covered[s..=e].iter_mut().for_each(|c| *c = true);
            }
            for (i, line) in source.iter().enumerate() {
                prop_assert!(covered[i] || line.trim().is_empty(), "line {} not covered: {:?}", i, line);
            }
            // Chunks come in document order; parts of a section in a row.
            for (i, c) in chunks.iter().enumerate() {
                if c.part > 1 {
                    let prev = &chunks[i - 1];
                    prop_assert_eq!((&prev.anchor, prev.part + 1), (&c.anchor, c.part));
                    prop_assert!(prev.line_start < c.line_start && prev.line_end < c.line_end);
                } else if i > 0 {
                    prop_assert!(chunks[i - 1].line_end < c.line_start);
                }
            }
        }
    }
}
