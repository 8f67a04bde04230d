//! Properties over generated documents: reading never panics, and every
//! diagnostic points inside the file it names.

use genie::check::{Context, Sink};
use genie::config::Config;
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    "---\n",
    "+++\n",
    "...\n",
    "doc_id: ADR-0001\n",
    "type: adr\n",
    "status: approved|draft\n",
    "title: Заголовок\n",
    "owner_role: SA\n",
    "created_at: 2023-14-05\n",
    "related_issues: 12\n",
    "related_docs: [ADR-0002, \n",
    "supersedes: &a ADR-0003\n",
    "superseded_by: *a\n",
    "x: *b\n",
    "approvals: {status: maybe}\n",
    "release: [1, 2]\n",
    "a = \"toml\"\n",
    "  - item\n",
    "key:\n",
    "# Heading\n",
    "## Раздел и итог\n",
    "[link](./other.md#раздел)\n",
    "![i](<a b.png>)\n",
    "```\n",
    "~~~\n",
    "    indented\n",
    "<!-- \n",
    "-->\n",
    "`code [x](y)`\n",
    "\\[no](x)\n",
    "\r\n",
    "\u{feff}",
    "\t",
    ":",
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    "&",
    "*",
    "!",
    "|",
    ">",
    "%",
    "é",
    "日本",
    "\n",
];

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn reading_a_document_never_panics_and_points_inside_it(text in document()) {
        let config = Config::builtin();
        let ctx = Context::new(&config).unwrap();
        let mut sink = Sink::new(&ctx.levels);
        let doc = genie::repo::parse_doc("docs/p.md", &text, &ctx, &mut sink);
        let lines = text.split('\n').count() as u32;
        for d in sink.into_vec() {
            prop_assert!(d.line >= 1 && d.line <= lines.max(1), "{d:?} in {lines} lines");
            prop_assert!(d.column >= 1);
        }
        for l in &doc.links {
            prop_assert!(l.line >= 1 && l.line <= lines);
        }
    }

    #[test]
    fn reading_a_docset_never_panics(text in document()) {
        let config = Config::builtin();
        let ctx = Context::new(&config).unwrap();
        let mut sink = Sink::new(&ctx.levels);
        let _ = genie::repo::parse_docset("docs/_docset/issues/issue-1.yaml", genie::model::docset::Kind::Issue, Some(1), &text, &mut sink);
    }
}
