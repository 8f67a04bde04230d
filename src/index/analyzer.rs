//! One analyzer for Russian and English text, often mixed in one document: words
//! are split on anything that is not a letter or a digit, lower-cased, `ё` folded
//! to `е`, stop words of both languages dropped, and each word stemmed by its
//! script: Cyrillic words with the Russian Snowball stemmer, Latin words with the
//! English one. Numbers and other scripts are kept as they are.

use std::cell::RefCell;

use crate::cache::FastMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// The name the analyzer is registered under in the index.
pub const NAME: &str = "genie_ru_en";

/// Words longer than this (in bytes) are not indexed: hashes, base64, minified code.
const MAX_TOKEN_BYTES: usize = 64;

/// Common English words that say nothing about a section.
const EN_STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "do", "does", "for", "from",
    "had", "has", "have", "he", "her", "his", "i", "if", "in", "into", "is", "it", "its", "me",
    "my", "no", "not", "of", "on", "or", "our", "she", "so", "such", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "to", "was", "we", "were",
    "what", "when", "which", "who", "will", "with", "would", "you", "your",
];

/// Common Russian words that say nothing about a section (after `ё` → `е`).
const RU_STOP: &[&str] = &[
    "а",
    "без",
    "бы",
    "был",
    "была",
    "были",
    "было",
    "быть",
    "в",
    "вам",
    "вас",
    "во",
    "вот",
    "все",
    "всех",
    "вы",
    "где",
    "да",
    "для",
    "до",
    "его",
    "ее",
    "если",
    "есть",
    "еще",
    "же",
    "за",
    "и",
    "из",
    "или",
    "им",
    "их",
    "к",
    "как",
    "ко",
    "когда",
    "кто",
    "ли",
    "мы",
    "на",
    "над",
    "не",
    "нет",
    "ни",
    "но",
    "о",
    "об",
    "он",
    "она",
    "они",
    "оно",
    "от",
    "по",
    "при",
    "с",
    "со",
    "так",
    "также",
    "там",
    "то",
    "тоже",
    "только",
    "у",
    "уже",
    "что",
    "чтобы",
    "эта",
    "эти",
    "это",
    "этот",
    "я",
];

/// Longest stop word in bytes: longer words are never looked up.
const MAX_STOP_BYTES: usize = 12;

fn is_stop(word: &str) -> bool {
    if word.len() > MAX_STOP_BYTES {
        return false;
    }
    if word.is_ascii() {
        EN_STOP.binary_search(&word).is_ok()
    } else {
        RU_STOP.binary_search(&word).is_ok()
    }
}

/// The analyzer to register under [`NAME`].
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::from(RuEn)
}

/// Normalise one word the way the index does; `None` for a stop word. Used by
/// tests and by anything that needs to compare words as the index sees them.
pub fn normalize(word: &str) -> Option<String> {
    let mut out = String::new();
    fold_into(word, &mut out);
    if is_stop(&out) {
        return None;
    }
    Some(stem(&out).unwrap_or(out))
}

/// Lower-case and fold `ё` into `out`.
fn fold_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
        return;
    }
    for c in word.chars() {
        push_folded(c, out);
    }
}

fn push_folded(c: char, out: &mut String) {
    match c {
        // Basic Cyrillic: А-Я → а-я, Ё/ё → е, without the Unicode tables.
        '\u{0410}'..='\u{042f}' => out.push(char::from_u32(c as u32 + 32).unwrap_or(c)),
        '\u{0430}'..='\u{044f}' => out.push(c),
        '\u{0401}' | '\u{0451}' => out.push('е'),
        _ => {
            for l in c.to_lowercase() {
                out.push(if l == 'ё' { 'е' } else { l });
            }
        }
    }
}

/// Whether `c` belongs to a word: letters and digits of any script, with the
/// common ranges answered without the Unicode tables.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{0400}'..='\u{04ff}').contains(&c) {
        c != '\u{0482}' && !('\u{0483}'..='\u{0489}').contains(&c)
    } else {
        c.is_alphanumeric()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Other,
}

/// The script of a lower-cased word: the first letter decides.
fn script(word: &str) -> Script {
    for c in word.chars() {
        if c.is_ascii_lowercase() {
            return Script::Latin;
        }
        if ('\u{0430}'..='\u{045f}').contains(&c) {
            return Script::Cyrillic;
        }
        if c.is_alphabetic() {
            return if ('\u{00e0}'..='\u{024f}').contains(&c) {
                Script::Latin
            } else {
                Script::Other
            };
        }
    }
    Script::Other
}

/// Stemming costs far more than a hash lookup, and a repository's vocabulary is
/// small: each indexing thread keeps the stems it has computed.
const STEM_CACHE_LIMIT: usize = 200_000;

thread_local! {
    static STEMS: RefCell<FastMap<String, String>> = RefCell::new(FastMap::default());
}

fn stemmers() -> &'static (frostem::Stemmer, frostem::Stemmer) {
    static STEMMERS: std::sync::OnceLock<(frostem::Stemmer, frostem::Stemmer)> =
        std::sync::OnceLock::new();
    STEMMERS.get_or_init(|| {
        (
            frostem::Stemmer::new(frostem::Algorithm::English),
            frostem::Stemmer::new(frostem::Algorithm::Russian),
        )
    })
}

/// The stem of a lower-cased, folded word; `None` when it stays as it is.
fn stem(word: &str) -> Option<String> {
    let script = script(word);
    if script == Script::Other || word.len() < 3 {
        return None;
    }
    STEMS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(s) = cache.get(word) {
            return Some(s.clone());
        }
        let (en, ru) = stemmers();
        let stemmer = if script == Script::Cyrillic { ru } else { en };
        let s = stemmer.stem(word).into_owned();
        if cache.len() >= STEM_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(word.to_string(), s.clone());
        Some(s)
    })
}

/// The tokenizer: split, fold, drop stop words and long words, stem by script, in
/// one pass over the text.
#[derive(Clone, Copy)]
struct RuEn;

impl Tokenizer for RuEn {
    type TokenStream<'a> = RuEnStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> RuEnStream<'a> {
        RuEnStream {
            text,
            at: 0,
            position: 0,
            token: Token::default(),
        }
    }
}

struct RuEnStream<'a> {
    text: &'a str,
    at: usize,
    /// Position of the next word, stop words counted (so phrases keep their gaps).
    position: usize,
    token: Token,
}

impl RuEnStream<'_> {
    /// The next word as (start, end) byte offsets.
    fn next_word(&mut self) -> Option<(usize, usize)> {
        let rest = &self.text[self.at..];
        let mut start = None;
        for (i, c) in rest.char_indices() {
            let word = is_word_char(c);
            match (start, word) {
                (None, true) => start = Some(i),
                (Some(s), false) => {
                    self.at += i;
                    return Some((self.at - i + s, self.at));
                }
                _ => {}
            }
        }
        let s = start?;
        let from = self.at + s;
        self.at = self.text.len();
        Some((from, self.at))
    }
}

impl TokenStream for RuEnStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((from, to)) = self.next_word() {
            let position = self.position;
            self.position += 1;
            if to - from > MAX_TOKEN_BYTES {
                continue;
            }
            let word = &self.text[from..to];
            let text = &mut self.token.text;
            fold_into(word, text);
            if is_stop(text) {
                continue;
            }
            if let Some(s) = stem(text) {
                *text = s;
            }
            self.token.offset_from = from;
            self.token.offset_to = to;
            self.token.position = position;
            self.token.position_length = 1;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        let mut a = analyzer();
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn stop_word_lists_are_sorted_for_binary_search() {
        assert!(EN_STOP.windows(2).all(|w| w[0] < w[1]));
        assert!(RU_STOP.windows(2).all(|w| w[0] < w[1]));
        assert!(RU_STOP.iter().all(|w| !w.contains('ё')));
    }

    #[test]
    fn russian_word_forms_share_a_stem() {
        let a = normalize("развёртывание").unwrap();
        assert_eq!(normalize("развертывания").as_deref(), Some(a.as_str()));
        assert_eq!(normalize("Развертыванию").as_deref(), Some(a.as_str()));
        assert_eq!(normalize("миграции"), normalize("миграция"));
        assert_eq!(normalize("складе"), normalize("склад"));
    }

    #[test]
    fn english_word_forms_share_a_stem() {
        assert_eq!(normalize("migrations"), normalize("migration"));
        assert_eq!(normalize("Deploying"), normalize("deployed"));
        assert_eq!(normalize("connections"), normalize("connection"));
    }

    #[test]
    fn yo_is_folded_and_case_lowered() {
        assert_eq!(normalize("ЁЖ"), normalize("еж"));
        assert_eq!(normalize("Ёлка"), normalize("елка"));
    }

    #[test]
    fn mixed_text_is_stemmed_per_word_and_stop_words_dropped() {
        let t = terms("The rollback of миграции в базе and 42 ADR-0002");
        assert_eq!(
            t,
            vec![
                normalize("rollback").unwrap(),
                normalize("миграции").unwrap(),
                normalize("базе").unwrap(),
                "42".to_string(),
                "adr".to_string(),
                "0002".to_string(),
            ]
        );
    }

    #[test]
    fn offsets_and_positions_count_stop_words() {
        let mut a = analyzer();
        let mut stream = a.token_stream("Откат и the Rollback");
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            got.push((t.offset_from, t.offset_to, t.position));
        }
        // "Откат" is 10 bytes; "и" and "the" are stop words but keep their positions.
        assert_eq!(got, vec![(0, 10, 0), (18, 26, 3)]);
    }

    #[test]
    fn long_tokens_and_other_scripts_do_not_break_it() {
        let long = "x".repeat(500);
        assert!(terms(&long).is_empty());
        assert_eq!(terms("日本語 δοκιμή"), vec!["日本語", "δοκιμή"]);
        assert!(terms("").is_empty());
        assert!(terms("— … !!! ").is_empty());
    }
}
