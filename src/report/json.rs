//! `--format json`: the stable machine shape documented in the README.

use std::io::{self, Write};

use serde::Serialize;

use super::Report;

#[derive(Serialize)]
struct Out<'a> {
    version: u32,
    summary: Summary,
    diagnostics: Vec<Diag<'a>>,
}

#[derive(Serialize)]
struct Summary {
    docs: usize,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct Diag<'a> {
    code: &'a str,
    rule: &'a str,
    level: &'a str,
    path: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
    help: &'a str,
    related: Vec<Rel<'a>>,
}

#[derive(Serialize)]
struct Rel<'a> {
    path: &'a str,
    line: u32,
}

/// Write the report as one JSON document followed by a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let doc = Out {
        version: 1,
        summary: Summary {
            docs: report.docs,
            errors: report.errors(),
            warnings: report.warnings(),
        },
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| Diag {
                code: d.code,
                rule: d.rule,
                level: d.level.as_str(),
                path: &d.path,
                line: d.line,
                column: d.column,
                message: &d.message,
                help: &d.help,
                related: d
                    .related
                    .iter()
                    .map(|r| Rel {
                        path: &r.path,
                        line: r.line,
                    })
                    .collect(),
            })
            .collect(),
    };
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)
}
