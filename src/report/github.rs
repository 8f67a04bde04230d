//! `--format github`: workflow-command annotations, and a Markdown job summary.

use std::io::{self, Write};

use super::{Level, Report};

/// Annotations GitHub shows per level for one step; the rest are counted.
pub const MAX_PER_LEVEL: usize = 10;

/// Escape the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut shown = [0usize; 2];
    let mut hidden = 0usize;
    for d in &report.diagnostics {
        let (cmd, slot) = match d.level {
            Level::Error => ("error", 0),
            Level::Warning => ("warning", 1),
            Level::Off => continue,
        };
        if shown[slot] >= MAX_PER_LEVEL {
            hidden += 1;
            continue;
        }
        shown[slot] += 1;
        writeln!(
            out,
            "::{cmd} file={},line={},col={},title={}::{}",
            escape_property(&d.path),
            d.line,
            d.column,
            escape_property(&format!("{} {}", d.code, d.rule)),
            escape_data(&format!("{}\nhelp: {}", d.message, d.help)),
        )?;
    }
    if hidden > 0 {
        writeln!(
            out,
            "::notice title=genie::{hidden} more finding{} not shown as annotations; see the job summary or run genie check locally",
            if hidden == 1 { " is" } else { "s are" }
        )?;
    }
    writeln!(
        out,
        "genie: {} errors, {} warnings in {} documents ({} shown as annotations, {hidden} more)",
        report.errors(),
        report.warnings(),
        report.docs,
        shown[0] + shown[1]
    )
}

/// Rows of the job summary table before it is cut.
pub const SUMMARY_ROWS: usize = 200;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The Markdown job summary (appended to `$GITHUB_STEP_SUMMARY`).
pub fn summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let (e, w) = (report.errors(), report.warnings());
    let verdict = if e > 0 {
        "❌ failed"
    } else if w > 0 {
        "⚠️ passed with warnings"
    } else {
        "✅ passed"
    };
    writeln!(out, "## genie check: {verdict}\n")?;
    writeln!(
        out,
        "{} documents checked: **{e}** errors, **{w}** warnings.\n",
        report.docs
    )?;
    if report.diagnostics.is_empty() {
        return Ok(());
    }
    writeln!(out, "| level | code | rule | location | message |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for d in report.diagnostics.iter().take(SUMMARY_ROWS) {
        writeln!(
            out,
            "| {} | {} | {} | `{}:{}` | {} |",
            d.level.as_str(),
            d.code,
            d.rule,
            cell(&d.path),
            d.line,
            cell(&d.message)
        )?;
    }
    if report.diagnostics.len() > SUMMARY_ROWS {
        writeln!(
            out,
            "\n…and {} more.",
            report.diagnostics.len() - SUMMARY_ROWS
        )?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
