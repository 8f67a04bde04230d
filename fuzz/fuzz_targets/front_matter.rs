//! A document as genie reads it: front-matter split and parse (YAML and TOML),
//! the single-file rules of `parse_doc`, and the markdown body scanner.
#![no_main]

use std::sync::OnceLock;

use genie::check::{Context, Sink};
use genie::config::Config;
use genie::markdown;
use genie::model::frontmatter::{self, Format, Split};
use libfuzzer_sys::fuzz_target;

/// The built-in configuration and its compiled context, built once per process.
fn context() -> &'static Context<'static> {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    static CONTEXT: OnceLock<Context<'static>> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        let config = CONFIG.get_or_init(Config::builtin);
        Context::new(config).expect("the built-in configuration compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ctx = context();

    // The whole pipeline for one file.
    let mut sink = Sink::new(&ctx.levels);
    let doc = genie::repo::parse_doc("docs/fuzz.md", text, ctx, &mut sink);
    assert_eq!(doc.path, "docs/fuzz.md");
    assert!(doc.line_count as usize <= text.len() + 1);
    drop(sink.into_vec());

    // The pieces, directly.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    match frontmatter::split(body) {
        Split::Found {
            format,
            text: fm,
            first_line,
            body,
            body_line,
        } => {
            assert!(body_line > first_line);
            let _ = frontmatter::parse(format, fm, first_line);
            markdown::scan(body, body_line);
        }
        Split::None | Split::Unterminated(_) => {}
    }
    // The whole text read as either kind of front-matter, whatever its delimiters.
    let _ = frontmatter::parse(Format::Yaml, text, 2);
    let _ = frontmatter::parse(Format::Toml, text, 2);
    markdown::scan(text, 1);
});
