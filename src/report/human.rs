//! Human output, in the manner of cargo's diagnostics.

use std::io::{self, Write};

use super::{Diagnostic, Level, Report, SourceLines};

/// Options of the human reporter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
    /// No summary line when there is nothing to report.
    pub quiet: bool,
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn level(&self, l: Level) -> String {
        match l {
            Level::Error => self.wrap("1;31", "error"),
            Level::Warning => self.wrap("1;33", "warning"),
            Level::Off => "off".into(),
        }
    }
    fn blue(&self, s: &str) -> String {
        self.wrap("1;34", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

/// Longest stretch of a source line shown around the column.
const WINDOW: usize = 120;

pub fn write(
    report: &Report,
    src: &dyn SourceLines,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let p = Paint { on: style.color };
    for d in &report.diagnostics {
        write_one(d, src, &p, out)?;
    }
    let (e, w) = (report.errors(), report.warnings());
    let docs = plural(report.docs, "document");
    if e == 0 && w == 0 {
        if !style.quiet {
            writeln!(out, "{}: {docs} checked, no problems", p.wrap("1;32", "ok"))?;
        }
    } else {
        let lvl = if e > 0 {
            p.level(Level::Error)
        } else {
            p.level(Level::Warning)
        };
        writeln!(
            out,
            "{lvl}: {} and {} in {docs}",
            plural(e, "error"),
            plural(w, "warning")
        )?;
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn write_one(
    d: &Diagnostic,
    src: &dyn SourceLines,
    p: &Paint,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "{}{}: {}",
        p.level(d.level),
        p.bold(&format!("[{}]", d.code)),
        p.bold(&d.message)
    )?;
    let gutter = d.line.to_string().len();
    let pad = " ".repeat(gutter);
    writeln!(
        out,
        "{pad}{} {}:{}:{}",
        p.blue("-->"),
        d.path,
        d.line,
        d.column
    )?;
    // A secret's line is never shown: the finding must not repeat the secret.
    let quoted = (d.code != crate::check::rules::SECRET.code)
        .then(|| src.line(&d.path, d.line))
        .flatten();
    if let Some(line) = quoted {
        let (shown, caret_at, caret_len) = window(&line, d.column as usize);
        writeln!(out, "{pad} {}", p.blue("|"))?;
        writeln!(
            out,
            "{} {} {shown}",
            p.blue(&d.line.to_string()),
            p.blue("|")
        )?;
        let marker = format!("{}{}", " ".repeat(caret_at), "^".repeat(caret_len));
        let colored = if d.level == Level::Error {
            p.wrap("1;31", &marker)
        } else {
            p.wrap("1;33", &marker)
        };
        writeln!(out, "{pad} {} {colored}", p.blue("|"))?;
    }
    for r in &d.related {
        let msg = r
            .message
            .as_deref()
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        writeln!(out, "{pad}{} {}:{}{msg}", p.blue(":::"), r.path, r.line)?;
    }
    writeln!(out, "{pad} {} {}: {}", p.blue("="), p.bold("help"), d.help)?;
    writeln!(out)
}

/// The part of `line` to show, the caret's offset in it and the caret's length.
fn window(line: &str, column: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let col = column.saturating_sub(1).min(chars.len());
    let start = if chars.len() > WINDOW && col > WINDOW / 2 {
        col - WINDOW / 2
    } else {
        0
    };
    let end = (start + WINDOW).min(chars.len());
    let mut shown: String = chars[start..end].iter().collect();
    let mut caret_at = col - start;
    if start > 0 {
        shown = format!("…{shown}");
        caret_at += 1;
    }
    if end < chars.len() {
        shown.push('…');
    }
    let token = chars[col..end]
        .iter()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ']' | '}' | ')'))
        .count();
    (shown, caret_at, token.clamp(1, 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_the_column_of_long_lines_in_view() {
        let line = format!("{}TARGET{}", "x".repeat(20_000), "y".repeat(20_000));
        let (shown, at, len) = window(&line, 20_001);
        assert!(shown.chars().count() <= WINDOW + 2);
        assert_eq!(
            shown.chars().skip(at).take(len).collect::<String>(),
            "TARGETyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
        );
        let (shown, at, len) = window("doc_id: ADR-0002, x", 9);
        assert_eq!((shown.as_str(), at, len), ("doc_id: ADR-0002, x", 8, 8));
    }
}
