//! A DocSet file (`docs/_docset/issues/issue-<N>.yaml`): YAML reading with
//! budgets, then the typed DocSet shape and its error positions.
#![no_main]

use std::sync::OnceLock;

use genie::check::rules::Levels;
use genie::check::Sink;
use genie::config::Config;
use genie::model::docset::Kind;
use libfuzzer_sys::fuzz_target;

fn levels() -> &'static Levels {
    static LEVELS: OnceLock<Levels> = OnceLock::new();
    LEVELS.get_or_init(|| Levels::new(&Config::builtin()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sink = Sink::new(levels());
    let parsed = genie::repo::parse_docset(
        "docs/_docset/issues/issue-1.yaml",
        Kind::Issue,
        Some(1),
        text,
        &mut sink,
    );
    let diagnostics = sink.into_vec();
    if parsed.is_none() {
        assert!(!diagnostics.is_empty(), "a refused DocSet must say why");
    }
});
