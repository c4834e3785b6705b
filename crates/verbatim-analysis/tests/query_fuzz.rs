//! A bounded fuzzer for the coding-query parser and evaluator.
//!
//! `verbatim query` and the web query page hand user text to
//! `query::parse`, then evaluate the tree on the study's codings. The unit
//! tests fuzz the parser with random letters, which rarely form an
//! operator; this one builds queries from the grammar's own tokens (every
//! operator in English and French, quotes of each kind, parentheses,
//! `NEAR/` with any number) so most cases parse, then evaluates each on
//! coverages and turns drawn at random. The property: a result or a typed
//! error pointing inside the query, never a panic; and a result only holds
//! passages of the sources some named code covers.

use std::collections::HashMap;

use proptest::prelude::*;
use verbatim_analysis::query::{Context, Coverage, parse};

fn cases() -> u32 {
    std::env::var("VERBATIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// Pieces of a query: code names, operators, brackets, and oddities.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop_oneof![Just("A"), Just("B"), Just("Méfiance"), Just("\"Contrôle excessif\""),
            Just("«Relation ambivalente»"), Just("Inconnu"), Just("\"\""), Just("«»")]
            .prop_map(str::to_owned),
        3 => prop_oneof![Just("AND"), Just("OR"), Just("NOT"), Just("PRECEDES"), Just("ET"),
            Just("OU"), Just("SAUF"), Just("PRECEDE"), Just("and")]
            .prop_map(str::to_owned),
        2 => prop_oneof![
            (0usize..50).prop_map(|n| format!("NEAR/{n}")),
            (0usize..50).prop_map(|n| format!("PRES/{n}")),
            Just("NEAR/18446744073709551615".to_owned()),
            Just("NEAR/99999999999999999999999".to_owned()),
            Just("NEAR/".to_owned()),
            Just("NEAR/-1".to_owned()),
        ],
        2 => prop_oneof![Just("("), Just(")")].prop_map(str::to_owned),
        1 => prop_oneof![Just("\""), Just("«"), Just("»"), Just("/"), Just("\u{202e}"),
            Just("😊"), Just("\0"), Just("\t")]
            .prop_map(str::to_owned),
        1 => "\\PC{0,6}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (token(), prop_oneof![Just(" "), Just(""), Just("  ")]),
        0..24,
    )
    .prop_map(|parts| parts.into_iter().map(|(t, sep)| t + sep).collect())
}

/// Spans `(source, start, end)` with start before end, sources 1 to 3.
fn spans() -> impl Strategy<Value = Vec<(i64, usize, usize)>> {
    proptest::collection::vec((1i64..4, 0usize..200, 1usize..40), 0..8).prop_map(|v| {
        v.into_iter()
            .map(|(src, s, len)| (src, s, s + len))
            .collect()
    })
}

fn context(
    codes: [Vec<(i64, usize, usize)>; 4],
    words: Vec<usize>,
    turns: Vec<(usize, usize)>,
    whole: bool,
) -> Context {
    let names = ["A", "B", "Méfiance", "Contrôle excessif"];
    let mut ctx = Context {
        codes: names
            .iter()
            .zip(codes)
            .map(|(n, s)| ((*n).to_owned(), Coverage::from_spans(s)))
            .collect(),
        words: HashMap::new(),
        turns: HashMap::new(),
        whole,
    };
    ctx.codes.insert(
        "Relation ambivalente".into(),
        Coverage::from_spans([(2, 10, 20)]),
    );
    let mut words = words;
    words.sort_unstable();
    words.dedup();
    ctx.words.insert(1, words);
    let mut turns = turns;
    turns.sort_unstable();
    ctx.turns.insert(1, turns);
    ctx
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn grammar_shaped_queries_answer_or_point_inside(
        text in query(),
        codes in [spans(), spans(), spans(), spans()],
        words in proptest::collection::vec(0usize..240, 0..40),
        turns in proptest::collection::vec((0usize..240).prop_map(|s| (s, s + 30)), 0..6),
        whole in any::<bool>(),
    ) {
        let len = text.chars().count();
        let query = match parse(&text) {
            Ok(q) => q,
            Err(e) => {
                prop_assert!(e.position() <= len, "{text:?}: {e} points past the end");
                prop_assert!(!e.to_string().contains('\n'), "{e}");
                return Ok(());
            }
        };
        let ctx = context(codes, words, turns, whole);
        match query.evaluate(&ctx) {
            Ok(passages) => {
                // Every passage lies in a source some code covers.
                for p in passages {
                    prop_assert!(p.start < p.end, "{text:?}: empty passage {p:?}");
                    prop_assert!(
                        ctx.codes.values().any(|c| !c.source(p.source).is_empty()),
                        "{text:?}: passage in an uncovered source {p:?}"
                    );
                }
            }
            Err(e) => {
                // Only an unknown code is refused at evaluation.
                prop_assert!(e.to_string().contains("unknown code"), "{text:?}: {e}");
                prop_assert!(e.position() <= len, "{text:?}: {e} points past the end");
            }
        }
    }

    #[test]
    fn any_text_parses_or_points_inside(text in "\\PC{0,200}") {
        if let Err(e) = parse(&text) {
            prop_assert!(e.position() <= text.chars().count(), "{text:?}: {e}");
        }
    }
}
