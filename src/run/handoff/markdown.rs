//! Reading a handoff file: lines, headings and sections, whether a section is
//! filled, the decisions and their reasons, the paths a section lists.

use std::path::Path;

use crate::config::HandoffSectionConfig;

use super::shorten;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    Blank,
    Heading {
        level: usize,
        title: String,
    },
    Fence,
    /// A line inside a fenced block, with the block's language.
    Code(String),
    Text,
}

#[derive(Debug, Clone)]
pub(super) struct Line {
    /// 1-based.
    pub(super) no: u32,
    pub(super) kind: Kind,
    /// The line without HTML comments (for code: as written).
    pub(super) text: String,
}

pub(super) struct Doc {
    pub(super) lines: Vec<Line>,
}

impl Doc {
    pub(super) fn parse(text: &str) -> Doc {
        let raw: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        // Front-matter (`---` or `+++` fences at the top) is not part of the body.
        let opening = raw.first().map(|l| l.trim_end()).unwrap_or("");
        let mut skip_to = 0;
        if (opening == "---" || opening == "+++")
            && let Some(end) = raw.iter().skip(1).take(500).position(|l| {
                let l = l.trim_end();
                l == opening || (opening == "---" && l == "...")
            })
        {
            skip_to = end + 2;
        }
        let mut lines = Vec::with_capacity(raw.len());
        let mut fence: Option<(char, usize, String)> = None;
        let mut in_comment = false;
        for (i, l) in raw.iter().enumerate() {
            let no = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if i < skip_to {
                lines.push(Line {
                    no,
                    kind: Kind::Blank,
                    text: String::new(),
                });
                continue;
            }
            if let Some((ch, len, lang)) = &fence {
                let kind = if is_fence_close(l, *ch, *len) {
                    fence = None;
                    Kind::Fence
                } else {
                    Kind::Code(lang.clone())
                };
                lines.push(Line {
                    no,
                    kind,
                    text: l.to_string(),
                });
                continue;
            }
            let visible = strip_comments(l, &mut in_comment);
            let kind = if visible.trim().is_empty() {
                Kind::Blank
            } else if let Some((ch, len, lang)) = fence_open(&visible) {
                fence = Some((ch, len, lang));
                Kind::Fence
            } else if let Some((level, title)) = atx_heading(&visible) {
                Kind::Heading { level, title }
            } else {
                Kind::Text
            };
            lines.push(Line {
                no,
                kind,
                text: visible,
            });
        }
        Doc { lines }
    }

    /// The lines under heading `h`, up to the next heading of its level or above.
    pub(super) fn body(&self, h: usize) -> &[Line] {
        let Kind::Heading { level, .. } = self.lines[h].kind else {
            return &[];
        };
        let end = self.lines[h + 1..]
            .iter()
            .position(|l| matches!(l.kind, Kind::Heading { level: lv, .. } if lv <= level))
            .map_or(self.lines.len(), |p| h + 1 + p);
        &self.lines[h + 1..end]
    }
}

pub(super) fn strip_comments(line: &str, in_comment: &mut bool) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        if *in_comment {
            match rest.find("-->") {
                Some(i) => {
                    rest = &rest[i + 3..];
                    *in_comment = false;
                }
                None => return out,
            }
        } else {
            match rest.find("<!--") {
                Some(i) => {
                    out.push_str(&rest[..i]);
                    rest = &rest[i + 4..];
                    *in_comment = true;
                }
                None => {
                    out.push_str(rest);
                    return out;
                }
            }
        }
    }
}

pub(super) fn leading_spaces(l: &str) -> usize {
    l.len() - l.trim_start_matches(' ').len()
}

pub(super) fn fence_open(l: &str) -> Option<(char, usize, String)> {
    if leading_spaces(l) > 3 {
        return None;
    }
    let t = l.trim_start();
    let ch = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = t.chars().take_while(|c| *c == ch).count();
    if len < 3 {
        return None;
    }
    let info = t[len..].trim();
    if ch == '`' && info.contains('`') {
        return None;
    }
    let lang = info
        .split(|c: char| c.is_whitespace() || c == '{' || c == ',')
        .next()
        .unwrap_or("")
        .to_lowercase();
    Some((ch, len, lang))
}

pub(super) fn is_fence_close(l: &str, ch: char, len: usize) -> bool {
    if leading_spaces(l) > 3 {
        return false;
    }
    let t = l.trim();
    t.chars().take_while(|c| *c == ch).count() >= len && t.chars().all(|c| c == ch)
}

pub(super) fn atx_heading(l: &str) -> Option<(usize, String)> {
    if leading_spaces(l) > 3 {
        return None;
    }
    let t = l.trim_start();
    let level = t.chars().take_while(|c| *c == '#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &t[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut title = rest.trim();
    // A closing sequence of #s.
    let stripped = title.trim_end_matches('#');
    if stripped.is_empty() || stripped.ends_with([' ', '\t']) {
        title = stripped.trim_end();
    }
    Some((level, title.to_string()))
}

/// Lower case, `&` as `and`, `ё` as `е`, every other non-alphanumeric a space,
/// a leading number (`1.`, `2)`) dropped, spaces collapsed.
pub(super) fn normalize_heading(s: &str) -> String {
    let lower = s.to_lowercase().replace('&', " and ").replace('ё', "е");
    let spaced: String = lower
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words: Vec<&str> = spaced.split_whitespace().collect();
    while words
        .first()
        .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
    {
        words.remove(0);
    }
    words.join(" ")
}

/// For each configured section, the headings (line indexes) that name it. A heading
/// names the section whose name or alias it equals, else the longest one it starts with.
pub(super) fn match_sections(doc: &Doc, sections: &[HandoffSectionConfig]) -> Vec<Vec<usize>> {
    let labels: Vec<Vec<String>> = sections
        .iter()
        .map(|s| {
            std::iter::once(&s.name)
                .chain(&s.aliases)
                .map(|l| normalize_heading(l))
                .filter(|l| !l.is_empty())
                .collect()
        })
        .collect();
    let mut found = vec![Vec::new(); sections.len()];
    for (i, line) in doc.lines.iter().enumerate() {
        let Kind::Heading { title, .. } = &line.kind else {
            continue;
        };
        let h = normalize_heading(&markdown_plain(title));
        let mut best: Option<(usize, usize)> = None;
        for (si, ls) in labels.iter().enumerate() {
            for l in ls {
                let score = if h == *l {
                    10_000 + l.len()
                } else if h.starts_with(l.as_str()) && h.as_bytes().get(l.len()) == Some(&b' ') {
                    l.len()
                } else {
                    continue;
                };
                if best.is_none_or(|(b, _)| score > b) {
                    best = Some((score, si));
                }
            }
        }
        if let Some((_, si)) = best {
            found[si].push(i);
        }
    }
    found
}

/// Text without emphasis markers, code backticks and link targets.
pub(super) fn markdown_plain(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("](") {
        out.push_str(&rest[..i]);
        match rest[i..].find(')') {
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '['))
        .collect()
}

// ---------------------------------------------------------------------------
// Filled or not

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Fill {
    Empty,
    Placeholder(String),
    NoneOnly,
    Filled,
}

impl Fill {
    pub(super) fn rank(&self) -> u8 {
        match self {
            Fill::Empty => 0,
            Fill::Placeholder(_) => 1,
            Fill::NoneOnly => 2,
            Fill::Filled => 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Class {
    Content,
    NoneWord,
    Placeholder(String),
}

pub(super) fn is_table_row(t: &str) -> bool {
    t.trim_start().starts_with('|')
}

pub(super) fn is_table_separator(t: &str) -> bool {
    let t = t.trim();
    t.contains('-')
        && t.contains('|')
        && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

pub(super) fn table_cells(t: &str) -> Vec<String> {
    let t = t.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').map(|c| c.trim().to_string()).collect()
}

/// Whether line `i` of `lines` is the header of a table (the next line separates).
pub(super) fn is_table_header(lines: &[Line], i: usize) -> bool {
    lines
        .get(i + 1)
        .is_some_and(|n| n.kind == Kind::Text && is_table_separator(&n.text))
}

/// The text of a list item or quoted line, without its marker and checkbox.
pub(super) fn strip_item(t: &str) -> &str {
    let mut s = t.trim();
    while let Some(r) = s.strip_prefix('>') {
        s = r.trim_start();
    }
    if let Some(r) = list_marker(s) {
        s = r;
    }
    for cb in ["[ ]", "[x]", "[X]"] {
        if let Some(r) = s.strip_prefix(cb)
            && (r.is_empty() || r.starts_with([' ', '\t']))
        {
            s = r.trim_start();
        }
    }
    s.trim()
}

/// The rest of a list item line after its marker, if it is one.
pub(super) fn list_marker(s: &str) -> Option<&str> {
    let s = s.trim_start();
    if let Some(r) = s.strip_prefix(['-', '*', '+']) {
        if r.is_empty() || r.starts_with([' ', '\t']) {
            return Some(r.trim_start());
        }
        return None;
    }
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let r = &s[digits..];
        if let Some(r) = r.strip_prefix(['.', ')'])
            && (r.is_empty() || r.starts_with([' ', '\t']))
        {
            return Some(r.trim_start());
        }
    }
    None
}

pub(super) const PLACEHOLDERS: &[&str] = &[
    "tbd",
    "todo",
    "tba",
    "tbc",
    "fixme",
    "xxx",
    "to do",
    "to be done",
    "to be decided",
    "to be determined",
    "fill in",
    "fill me in",
    "coming soon",
    "later",
    "placeholder",
    "тбд",
    "позже",
    "заполнить",
    "добавить позже",
];

pub(super) const NONE_WORDS: &[&str] = &[
    "none",
    "nothing",
    "n/a",
    "na",
    "no",
    "nope",
    "not applicable",
    "нет",
    "нету",
    "ничего",
    "отсутствует",
    "отсутствуют",
    "не было",
    "пока нет",
    "не применимо",
];

pub(super) fn classify(t: &str) -> Class {
    let s = strip_item(t);
    let s = s.trim_matches(|c| c == '*' || c == '_').trim();
    let lower = s.to_lowercase();
    let core = lower.trim_end_matches(['.', ':', ';', '!']).trim();
    if core.is_empty() || !core.chars().any(char::is_alphanumeric) {
        let shown = if s.is_empty() { t.trim() } else { s };
        return Class::Placeholder(shorten(shown, 20));
    }
    let placeholder = PLACEHOLDERS.contains(&core)
        || [
            "todo:", "tbd:", "fixme:", "todo -", "tbd -", "todo (", "tbd (",
        ]
        .iter()
        .any(|p| core.starts_with(p))
        || core.starts_with("lorem ipsum")
        || (core.starts_with('<') && core.ends_with('>') && !core.contains("://"))
        || (core.starts_with("{{") && core.ends_with("}}"))
        || (core.starts_with('[') && core.ends_with(']') && !core.contains("]("));
    if placeholder {
        return Class::Placeholder(shorten(s, 20));
    }
    let words = core.split_whitespace().count();
    let none = NONE_WORDS.contains(&core)
        || (words <= 4
            && ["none ", "nothing ", "no ", "нет ", "ничего "]
                .iter()
                .any(|p| core.starts_with(p)));
    if none {
        return Class::NoneWord;
    }
    Class::Content
}

/// How filled the lines of a section are.
pub(super) fn fill_of(body: &[Line]) -> Fill {
    let mut best = Fill::Empty;
    let mut bump = |f: Fill| {
        if f.rank() > best.rank() {
            best = f;
        }
    };
    for (i, l) in body.iter().enumerate() {
        match &l.kind {
            Kind::Blank | Kind::Fence | Kind::Heading { .. } => {}
            Kind::Code(_) => {
                if !l.text.trim().is_empty() {
                    bump(Fill::Filled);
                }
            }
            Kind::Text => {
                if is_table_row(&l.text) {
                    if is_table_separator(&l.text) || is_table_header(body, i) {
                        continue;
                    }
                    for cell in table_cells(&l.text) {
                        if cell.is_empty() {
                            continue;
                        }
                        bump(class_fill(classify(&cell)));
                    }
                } else {
                    bump(class_fill(classify(&l.text)));
                }
            }
        }
    }
    best
}

pub(super) fn class_fill(c: Class) -> Fill {
    match c {
        Class::Content => Fill::Filled,
        Class::NoneWord => Fill::NoneOnly,
        Class::Placeholder(p) => Fill::Placeholder(p),
    }
}

/// List items and table rows with content (for the test plan).
pub(super) fn count_items(lines: &[Line]) -> usize {
    let mut n = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.kind != Kind::Text {
            continue;
        }
        if is_table_row(&l.text) {
            if is_table_separator(&l.text) || is_table_header(lines, i) {
                continue;
            }
            if table_cells(&l.text)
                .iter()
                .any(|c| !c.is_empty() && classify(c) == Class::Content)
            {
                n += 1;
            }
        } else if list_marker(&l.text).is_some() && classify(&l.text) == Class::Content {
            n += 1;
        }
    }
    n
}

// ---------------------------------------------------------------------------
// Decisions

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Decision {
    pub(super) line: u32,
    pub(super) text: String,
    pub(super) reasoned: bool,
}

pub(super) const REASON_WORDS: &[&str] = &[
    "because",
    "since",
    "so that",
    "so we",
    "so it",
    "in order to",
    "to avoid",
    "to keep",
    "to make",
    "to allow",
    "to support",
    "to prevent",
    "to reduce",
    "due to",
    "given that",
    "as it",
    "as they",
    "reason",
    "rationale",
    "why",
    "otherwise",
    "motivation",
    "trade-off",
    "tradeoff",
    "потому",
    "так как",
    "поскольку",
    "чтобы",
    "из-за",
    "ради",
    "причин",
    "иначе",
    "т.к.",
    "т. к.",
    "почему",
    "обоснован",
    "благодаря",
    "для того",
    "зачем",
];

/// Whether `phrase` occurs in `lower` at the start of a word.
pub(super) fn has_word(lower: &str, phrase: &str) -> bool {
    let mut from = 0;
    while let Some(i) = lower[from..].find(phrase) {
        let at = from + i;
        let before = lower[..at].chars().next_back();
        if before.is_none_or(|c| !c.is_alphanumeric()) {
            return true;
        }
        from = at + phrase.len();
    }
    false
}

/// Whether a decision's text says why.
pub(super) fn has_reason(text: &str) -> bool {
    let lower = text.to_lowercase();
    if REASON_WORDS.iter().any(|w| has_word(&lower, w)) {
        return true;
    }
    let body = strip_item(text);
    let inner = body.char_indices().skip(1).map(|(i, _)| &body[i..]);
    for rest in inner {
        if rest.starts_with(['—', '–', '→']) || rest.starts_with(" - ") || rest.starts_with(" -- ")
        {
            return true;
        }
    }
    if body.contains("->") || body.contains("=>") {
        return true;
    }
    if let Some((left, right)) = body.split_once(": ") {
        let words = |s: &str| {
            s.split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count()
        };
        if words(left) >= 2 && words(right) >= 2 {
            return true;
        }
    }
    false
}

pub(super) fn decision_items(body: &[Line]) -> Vec<Decision> {
    let keep = |d: &Decision| classify(&d.text) == Class::Content;
    // Sub-headings: each with its text is one decision.
    if body.iter().any(|l| matches!(l.kind, Kind::Heading { .. })) {
        let mut out = Vec::new();
        let mut cur: Option<(Decision, bool)> = None;
        for l in body {
            match &l.kind {
                Kind::Heading { title, .. } => {
                    if let Some((mut d, has_body)) = cur.take() {
                        d.reasoned = d.reasoned || has_body;
                        out.push(d);
                    }
                    cur = Some((
                        Decision {
                            line: l.no,
                            text: title.clone(),
                            reasoned: has_reason(title),
                        },
                        false,
                    ));
                }
                Kind::Text | Kind::Code(_) => {
                    if let Some((d, has_body)) = cur.as_mut() {
                        if has_reason(&l.text) {
                            d.reasoned = true;
                        }
                        if classify(&l.text) == Class::Content {
                            *has_body = true;
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some((mut d, has_body)) = cur {
            d.reasoned = d.reasoned || has_body;
            out.push(d);
        }
        return out.into_iter().filter(keep).collect();
    }
    // A list: top-level items, with their continuation and nested lines.
    let base = body
        .iter()
        .filter(|l| l.kind == Kind::Text && list_marker(&l.text).is_some())
        .map(|l| leading_spaces(&l.text))
        .min();
    if let Some(base) = base {
        let mut out: Vec<Decision> = Vec::new();
        for l in body {
            match &l.kind {
                Kind::Text => {
                    let indent = leading_spaces(&l.text);
                    if list_marker(&l.text).is_some() && indent <= base + 1 {
                        out.push(Decision {
                            line: l.no,
                            text: strip_item(&l.text).to_string(),
                            reasoned: has_reason(&l.text),
                        });
                    } else if let Some(d) = out.last_mut()
                        && classify(&l.text) == Class::Content
                    {
                        // A nested or continued line explains the decision.
                        d.reasoned = true;
                    }
                }
                Kind::Code(_) => {
                    if let Some(d) = out.last_mut() {
                        d.reasoned = true;
                    }
                }
                _ => {}
            }
        }
        return out.into_iter().filter(keep).collect();
    }
    // A table: one decision a row; a reason column, or a second filled cell.
    let rows: Vec<(usize, &Line)> = body
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind == Kind::Text && is_table_row(&l.text))
        .collect();
    if !rows.is_empty() {
        let mut reason_col = None;
        let mut out = Vec::new();
        for (i, l) in rows {
            if is_table_separator(&l.text) {
                continue;
            }
            let cells = table_cells(&l.text);
            if is_table_header(body, i) {
                reason_col = cells.iter().position(|c| {
                    let c = c.to_lowercase();
                    [
                        "why",
                        "reason",
                        "rationale",
                        "because",
                        "motivation",
                        "почему",
                        "причин",
                        "обоснован",
                        "зачем",
                    ]
                    .iter()
                    .any(|w| c.contains(w))
                });
                continue;
            }
            let filled: Vec<&String> = cells
                .iter()
                .filter(|c| !c.is_empty() && classify(c) == Class::Content)
                .collect();
            let Some(first) = filled.first() else {
                continue;
            };
            let reasoned = match reason_col {
                Some(c) => cells
                    .get(c)
                    .is_some_and(|x| !x.is_empty() && classify(x) == Class::Content),
                None => filled.len() >= 2 || has_reason(&l.text),
            };
            out.push(Decision {
                line: l.no,
                text: (*first).clone(),
                reasoned,
            });
        }
        return out;
    }
    // Paragraphs.
    let mut out: Vec<Decision> = Vec::new();
    let mut in_para = false;
    for l in body {
        match &l.kind {
            Kind::Text => {
                if in_para {
                    if let Some(d) = out.last_mut() {
                        d.reasoned = true;
                    }
                } else {
                    out.push(Decision {
                        line: l.no,
                        text: l.text.trim().to_string(),
                        reasoned: has_reason(&l.text) || l.text.trim().contains(". "),
                    });
                    in_para = true;
                }
            }
            Kind::Blank => in_para = false,
            _ => {}
        }
    }
    out.into_iter().filter(keep).collect()
}

// ---------------------------------------------------------------------------
// Artifacts

/// Inline code spans of a line (the text between matching runs of backticks).
pub(super) fn code_spans(line: &str) -> Vec<String> {
    let b = line.as_bytes();
    let mut out = Vec::new();
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
        let start = i;
        while i < b.len() && b[i] == b'`' {
            i += 1;
        }
        let run = i - start;
        // Find the closing run of the same length.
        let mut j = i;
        let mut close = None;
        while j < b.len() {
            if b[j] == b'`' {
                let s = j;
                while j < b.len() && b[j] == b'`' {
                    j += 1;
                }
                if j - s == run {
                    close = Some(s);
                    break;
                }
            } else {
                j += 1;
            }
        }
        match close {
            Some(c) => {
                let inner = &line[i..c];
                let inner = if inner.starts_with(' ') && inner.ends_with(' ') && inner.len() > 2 {
                    &inner[1..inner.len() - 1]
                } else {
                    inner
                };
                out.push(inner.to_string());
                i = c + run;
            }
            None => i = start + run,
        }
    }
    out
}

/// Link destinations `](dest)` of a line.
pub(super) fn link_targets(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(j) => {
                let dest = after[..j].split_whitespace().next().unwrap_or("");
                let dest = dest.trim_start_matches('<').trim_end_matches('>');
                out.push(dest.to_string());
                rest = &after[j..];
            }
            None => break,
        }
    }
    out
}

/// Whether `word` is one of the words of `list`.
pub(super) fn one_of(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

/// Extensions that make a bare name (`README.md`) a path.
const KNOWN_EXTENSIONS: &str = "md markdown rs toml json jsonl ndjson yaml yml txt py js mjs cjs ts tsx jsx go sh \
    bash lock csv tsv html css scss sql proto xml ini cfg conf env java kt c h cc cpp \
    hpp rb php swift mk svg png jpg jpeg gif pdf log tf hcl gradle ps1 cs lua vue svelte \
    zip gz wasm patch diff sarif snap ron ipynb mdx rst adoc";

/// Names without an extension that are files.
const KNOWN_BARE_FILES: &str = "Makefile GNUmakefile Dockerfile justfile Justfile LICENSE README Procfile Gemfile \
    Rakefile Jenkinsfile Vagrantfile CODEOWNERS";

/// The repository-relative path a code span or link names (relative to the
/// folder `base`), if it looks like one.
pub(super) fn artifact_path(s: &str, root: &Path, base: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty()
        || s.chars().any(char::is_whitespace)
        || s.contains("://")
        || s.starts_with(['#', '-', '$', '~', '/', '\\'])
    {
        return None;
    }
    let mut p = s.split('#').next().unwrap_or("");
    // `src/a.rs:12`, `src/a.rs:12:5`
    while let Some((head, tail)) = p.rsplit_once(':') {
        if !tail.is_empty() && tail.chars().all(|c| c.is_ascii_digit() || c == '-') {
            p = head;
        } else {
            break;
        }
    }
    if p.is_empty()
        || p.contains(|c: char| "*?[]{}<>|;&$()`'\",@!=:\\".contains(c))
        || p.starts_with('-')
    {
        return None;
    }
    let norm = normalize_rel(base, p)?;
    if norm.is_empty() {
        return None;
    }
    let last = norm.rsplit('/').next().unwrap_or(&norm);
    let ext = last
        .rsplit_once('.')
        .map(|(stem, e)| (stem, e.to_ascii_lowercase()));
    let known_ext = ext
        .as_ref()
        .is_some_and(|(stem, e)| !stem.is_empty() && one_of(KNOWN_EXTENSIONS, e.as_str()));
    let has_slash = p.trim_end_matches('/').contains('/');
    let ok = if has_slash {
        let any_ext = ext.as_ref().is_some_and(|(stem, e)| {
            !stem.is_empty() && e.chars().any(|c| c.is_ascii_alphabetic())
        });
        // `feat/x` is likelier a branch than a folder: judge a path without an
        // extension only when its first folder exists.
        any_ext || p.ends_with('/') || root.join(norm.split('/').next().unwrap_or("")).is_dir()
    } else {
        known_ext || one_of(KNOWN_BARE_FILES, last) || p.ends_with('/')
    };
    ok.then_some(norm)
}

/// Lexically join `rel` to the repository-relative folder `dir`: `None` when it is
/// absolute or leaves the repository.
pub(super) fn normalize_rel(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.starts_with('~') || rel.contains('$') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|c| !c.is_empty()).collect();
    for c in rel.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// The paths a files-and-artifacts section lists: code spans (repository-relative)
/// and link targets (relative to `base`, the package's folder); not the lines
/// that say the file is gone or still to come.
pub(super) fn artifact_paths(body: &[Line], root: &Path, base: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for l in body {
        let lower = l.text.to_lowercase();
        let gone = [
            "deleted",
            "removed",
            "renamed from",
            "planned",
            "not yet",
            "will be",
            "удал",
            "заплан",
        ]
        .iter()
        .any(|w| lower.contains(w));
        if gone {
            continue;
        }
        let mut candidates: Vec<(String, &str)> = Vec::new();
        match &l.kind {
            Kind::Text => {
                candidates.extend(code_spans(&l.text).into_iter().map(|c| (c, "")));
                candidates.extend(link_targets(&l.text).into_iter().map(|c| (c, base)));
            }
            Kind::Code(_) => candidates.push((l.text.trim().to_string(), "")),
            _ => {}
        }
        for (c, from) in candidates {
            if let Some(p) = artifact_path(&c, root, from) {
                out.push((l.no, p));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_none() {
        assert!(matches!(classify("TBD"), Class::Placeholder(_)));
        assert!(matches!(classify("- TODO: fill in"), Class::Placeholder(_)));
        assert!(matches!(classify("- …"), Class::Placeholder(_)));
        assert!(matches!(classify("-"), Class::Placeholder(_)));
        assert!(matches!(
            classify("<describe what was done>"),
            Class::Placeholder(_)
        ));
        assert!(matches!(classify("[fill in]"), Class::Placeholder(_)));
        assert!(matches!(classify("{{ blockers }}"), Class::Placeholder(_)));
        assert_eq!(classify("- None."), Class::NoneWord);
        assert_eq!(classify("n/a"), Class::NoneWord);
        assert_eq!(classify("Нет"), Class::NoneWord);
        assert_eq!(classify("- No blockers"), Class::NoneWord);
        assert_eq!(classify("- [x] Parser for task files"), Class::Content);
        assert_eq!(
            classify("No changes to the public API were needed"),
            Class::Content
        );
        assert_eq!(classify("See [the PR](https://x/1)"), Class::Content);
    }

    #[test]
    fn headings_match_names_and_aliases() {
        let config = crate::config::Config::builtin().handoff;
        let doc = Doc::parse(
            "# Handoff\n\n## 1. What's done\nx\n## Key Decisions (and why)\ny\n### Ключевые решения\nz\n## Files & artifacts\n## Тесты\n## Something else\n```\n## not a heading\n```\n",
        );
        let found = match_sections(&doc, &config.sections);
        let names: Vec<(&str, Vec<u32>)> = config
            .sections
            .iter()
            .zip(&found)
            .filter(|(_, f)| !f.is_empty())
            .map(|(s, f)| {
                (
                    s.name.as_str(),
                    f.iter().map(|&i| doc.lines[i].no).collect(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("completed", vec![3]),
                ("key decisions", vec![5, 7]),
                ("files and artifacts", vec![9]),
                ("test status", vec![10]),
            ]
        );
    }

    #[test]
    fn front_matter_is_skipped() {
        let doc = Doc::parse("---\ndoc_id: HND-0001\n# not a heading\n---\n## Completed\ntext\n");
        let headings: Vec<u32> = doc
            .lines
            .iter()
            .filter(|l| matches!(l.kind, Kind::Heading { .. }))
            .map(|l| l.no)
            .collect();
        assert_eq!(headings, [5]);
    }

    #[test]
    fn sections_fill() {
        let doc = Doc::parse(
            "## A\n<!-- describe -->\n\n## B\n- TBD\n## C\n| File | Why |\n|---|---|\n## D\nnone\n## E\n### sub\ntext\n",
        );
        let fills: Vec<Fill> = doc
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(l.kind, Kind::Heading { level: 2, .. }))
            .map(|(i, _)| fill_of(doc.body(i)))
            .collect();
        assert_eq!(
            fills,
            [
                Fill::Empty,
                Fill::Placeholder("TBD".into()),
                Fill::Empty,
                Fill::NoneOnly,
                Fill::Filled
            ]
        );
    }

    #[test]
    fn decisions_need_reasons() {
        let doc = Doc::parse(
            "## D\n- Use Postgres because we need transactions\n- Use rayon\n- Keep the CLI thin — the MCP server reuses the library\n- Drop YAML anchors\n  - they made the parser 3x slower\n- Решили кешировать, чтобы не ходить в сеть\n- Store ids as strings: leading zeros matter here\n- None\n",
        );
        let items = decision_items(doc.body(0));
        let got: Vec<(u32, bool)> = items.iter().map(|d| (d.line, d.reasoned)).collect();
        assert_eq!(
            got,
            [
                (2, true),
                (3, false),
                (4, true),
                (5, true),
                (7, true),
                (8, true)
            ]
        );

        let table =
            Doc::parse("## D\n| Decision | Why |\n|---|---|\n| Use X | faster |\n| Use Y | |\n");
        let got: Vec<bool> = decision_items(table.body(0))
            .iter()
            .map(|d| d.reasoned)
            .collect();
        assert_eq!(got, [true, false]);
    }

    #[test]
    fn artifact_paths_are_recognised() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("src")).unwrap();
        let p = |s: &str| artifact_path(s, root.path(), "");
        assert_eq!(
            artifact_path("../src/a.rs", root.path(), "review"),
            Some("src/a.rs".into())
        );
        assert_eq!(p("src/run/gha.rs"), Some("src/run/gha.rs".into()));
        assert_eq!(p("./README.md"), Some("README.md".into()));
        assert_eq!(p("src/a.rs:12"), Some("src/a.rs".into()));
        assert_eq!(p("src/run"), Some("src/run".into()));
        assert_eq!(p("feat/login"), None);
        assert_eq!(p("Cargo.toml"), Some("Cargo.toml".into()));
        assert_eq!(p("Makefile"), Some("Makefile".into()));
        assert_eq!(p("genie::run::gha"), None);
        assert_eq!(p("report.score"), None);
        assert_eq!(p("1.2.3"), None);
        assert_eq!(p("cargo test"), None);
        assert_eq!(p("https://example.com/a.md"), None);
        assert_eq!(p("../outside.md"), None);
        assert_eq!(
            p(".github/workflows/ci.yml"),
            Some(".github/workflows/ci.yml".into())
        );
        assert_eq!(p("actions/checkout@v4"), None);
    }
}
