//! The coding traits' behaviour (`Coders`, `Codebook`, `Codings`), written
//! once and run on SQLite and PostgreSQL by `conformance!`. Every study
//! starts as `fixture::settings()` says; its consensus row is coder 1, so
//! the first coder added is coder 2.

use verbatim_core::Span;
use verbatim_store::{
    Book, CodeFields, Codebook, Coders, CodingFilter, Codings, NewCode, Scope, SourceRef, Store,
    StoreError,
};

use super::fixture;

/// A study backend with every trait the coding commands use.
pub trait Backend: Store + Coders + Codebook + Codings {}
impl<T: Store + Coders + Codebook + Codings> Backend for T {}

conformance!(
    coders_are_added_listed_and_refused_alike,
    codes_take_levels_and_names_within_their_codebook,
    codings_check_spans_and_list_text_and_speakers,
    a_coder_sees_only_their_layer_until_the_layers_open,
    a_coding_is_removed_by_its_coder_only,
);

fn code(name: &str, parent: Option<i64>, level: Option<&str>, book: Book) -> NewCode {
    NewCode {
        name: name.into(),
        level: level.map(str::to_owned),
        parent,
        book: Some(book),
        fields: CodeFields::default(),
    }
}

fn span(start: usize, end: usize) -> Span {
    Span::new(start, end).unwrap()
}

fn invalid(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn coders_are_added_listed_and_refused_alike(store: &mut impl Backend) {
    assert_eq!(store.consensus_coder().unwrap().id, 1);
    let amira = store.add_coder("tester", " amira ", None, None).unwrap();
    // Trimmed; one word gives one initial; the palette's first colour.
    assert_eq!(
        (amira.id, amira.name.as_str(), amira.initials.as_str()),
        (2, "amira", "A")
    );
    assert_eq!(amira.colour, "#1f77b4");
    let bruno = store
        .add_coder("tester", "Bruno Diaz", None, Some("#ABCDEF"))
        .unwrap();
    assert_eq!((bruno.id, bruno.initials.as_str()), (3, "BD"));
    assert_eq!(bruno.colour, "#abcdef");
    assert_eq!(store.coders().unwrap(), [amira.clone(), bruno]);
    assert_eq!(store.coder_by_name("amira").unwrap(), Some(amira));
    assert_eq!(store.coder_by_name("consensus").unwrap(), None);
    assert!(invalid(store.add_coder("tester", "amira", None, None)).contains("already a coder"));
    assert!(invalid(store.add_coder("tester", "Consensus", None, None)).contains("consensus"));
    assert!(invalid(store.add_coder("tester", "c", None, Some("red"))).contains("#rrggbb"));
    // Three refusals left no trace: creation and two additions.
    let log = store.audit_log(10).unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].action, "coder.add");
    assert_eq!(log[0].target.as_deref(), Some("coder:3"));
    let change = &log[0].data["changes"][0];
    assert_eq!(change["table"], "coders");
    assert_eq!(change["key"]["id"], 3);
    assert_eq!(change["before"], serde_json::Value::Null);
    assert_eq!(change["after"]["name"], "Bruno Diaz");
    assert_eq!(change["after"]["kind"], "coder");
    assert_eq!(log[0].data["summary"]["name"], "Bruno Diaz");
}

fn codes_take_levels_and_names_within_their_codebook(store: &mut impl Backend) {
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let theme = store
        .add_code(&me, &code("Accès", None, Some("theme"), Book::Own))
        .unwrap();
    // Under a theme (rank 3) a code defaults to one level below: 2.
    let sub = store
        .add_code(&me, &code("Délais", Some(theme), None, Book::Own))
        .unwrap();
    let first = store
        .add_code(&me, &code("Attente", Some(sub), None, Book::Own))
        .unwrap();
    let second = store
        .add_code(&me, &code("Coût", Some(sub), None, Book::Own))
        .unwrap();
    let shared = store
        .add_code(&me, &code("Délais", None, None, Book::Shared))
        .unwrap();
    assert_eq!((theme, sub, first, second, shared), (1, 2, 3, 4, 5));
    let refused = invalid(store.add_code(&me, &code("Autre", Some(sub), Some("theme"), Book::Own)));
    assert!(refused.contains("a theme cannot sit under"), "{refused}");
    // Names are unique among siblings: a second "Coût" under the same
    // parent is refused (one at the top would be allowed, as in NVivo).
    let taken = invalid(store.add_code(&me, &code(" Coût  ", Some(sub), None, Book::Own)));
    assert!(
        taken.contains("already has a code named \"Coût\" under \"Accès/Délais\""),
        "{taken}"
    );

    let tree = store.code_tree(&me, Book::Own).unwrap();
    let shape: Vec<(&str, i64, &str, Option<i64>, i64)> = tree
        .iter()
        .map(|n| {
            (
                n.name.as_str(),
                n.level,
                n.level_name.as_str(),
                n.parent,
                n.position,
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("Accès", 3, "theme", None, 0),
            ("Délais", 2, "sub-theme", Some(1), 0),
            ("Attente", 1, "idea", Some(2), 0),
            ("Coût", 1, "idea", Some(2), 1),
        ]
    );
    let shared_tree = store.code_tree(&me, Book::Shared).unwrap();
    assert_eq!(shared_tree.len(), 1);
    assert_eq!(shared_tree[0].owner, None);
    assert_eq!(store.find_code(&me, "Coût", None).unwrap(), 4);
    assert_eq!(store.find_code(&me, "5", None).unwrap(), 5);
    assert_eq!(
        store.find_code(&me, "Délais", Some(Book::Shared)).unwrap(),
        5
    );
    let both = invalid(store.find_code(&me, "Délais", None));
    // Refused as ambiguous, naming both codes (SQLite words it with their
    // paths, PostgreSQL with their codebooks).
    assert!(
        both.contains("\"Délais\" names")
            && both.contains('2')
            && both.contains('5')
            && both.contains("your codebook"),
        "{both}"
    );
    assert!(matches!(
        store.find_code(&me, "Absent", None),
        Err(StoreError::UnknownCode(_))
    ));
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "code.add");
    assert_eq!(log[0].data["summary"]["level"], 1);
    assert_eq!(
        log[0].data["changes"][0]["after"]["owner"],
        serde_json::Value::Null
    );
}

/// Imports the fixture interview and returns amira's scope with a theme
/// (code 1) and an idea under it (code 2) in her codebook.
fn coded_study(store: &mut impl Backend) -> Scope {
    store
        .import_batch("amira", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let theme = store
        .add_code(&me, &code("Humeur", None, Some("theme"), Book::Own))
        .unwrap();
    store
        .add_code(&me, &code("Rire", Some(theme), Some("idea"), Book::Own))
        .unwrap();
    me
}

/// A coding as the listing test compares it: id, start, code, text,
/// speakers, memo.
type Listed<'a> = (i64, i64, i64, &'a str, &'a [String], Option<&'a str>);

fn codings_check_spans_and_list_text_and_speakers(store: &mut impl Backend) {
    let me = coded_study(store);
    let source = store
        .source_id(&SourceRef::Name("entretien".into()))
        .unwrap();
    // "Oui 😀." is 22..28 (fixture::interview's turn of CSI-2).
    let found = store.locate(source, "Oui 😀.", None).unwrap();
    assert_eq!((found.span, found.occurrences), (span(22, 28), 1));
    assert!(invalid(store.locate(source, "INT", None)).contains("occurs 2 times"));
    let (id, new) = store
        .add_coding(&me, source, span(22, 28), 2, Some("rit"))
        .unwrap();
    assert_eq!((id, new), (1, true));
    assert_eq!(
        store
            .add_coding(&me, source, span(22, 28), 2, None)
            .unwrap(),
        (1, false)
    );
    // 9..24 runs from "va ?" (INT's turn is 6..13) into CSI-2's (22..28).
    store.add_coding(&me, source, span(9, 24), 1, None).unwrap();
    let past = invalid(store.add_coding(&me, source, span(35, 41), 1, None));
    assert!(past.contains("the source has 40 characters"), "{past}");
    assert!(invalid(store.add_coding(&me, source, span(5, 5), 1, None)).contains("empty"));
    assert!(matches!(
        store.add_coding(&me, source, span(0, 3), 99, None),
        Err(StoreError::UnknownCode(_))
    ));

    let all = store.codings(&me, &CodingFilter::default()).unwrap();
    let seen: Vec<Listed<'_>> = all
        .iter()
        .map(|c| {
            (
                c.id,
                c.start,
                c.code_id,
                c.text.as_str(),
                c.speakers.as_slice(),
                c.memo.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                2,
                9,
                1,
                "va ?\nCSI-2 : Ou",
                &["INT".to_owned(), "CSI-2".to_owned()][..],
                None
            ),
            (1, 22, 2, "Oui 😀.", &["CSI-2".to_owned()][..], Some("rit")),
        ]
    );
    assert_eq!(
        (all[1].coder.as_str(), all[1].level, all[1].source.as_str()),
        ("amira", 1, "entretien")
    );
    // Code 1 includes the idea below it; code 2 only itself.
    let under = |code| CodingFilter {
        code: Some(code),
        ..CodingFilter::default()
    };
    assert_eq!(store.codings(&me, &under(1)).unwrap().len(), 2);
    assert_eq!(store.codings(&me, &under(2)).unwrap().len(), 1);
    let by_speaker = CodingFilter {
        speaker: Some("INT".into()),
        ..CodingFilter::default()
    };
    assert_eq!(store.codings(&me, &by_speaker).unwrap()[0].id, 2);
    // The theme's own count is 1, with its idea 2 codings in 1 source.
    let tree = store.code_tree(&me, Book::Own).unwrap();
    let counts: Vec<(i64, i64, i64, i64)> = tree
        .iter()
        .map(|n| (n.codings, n.sources, n.codings_total, n.sources_total))
        .collect();
    assert_eq!(counts, [(1, 1, 2, 1), (1, 1, 1, 1)]);
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "coding.add");
    assert_eq!(log[0].actor, "amira");
    assert_eq!(log[0].data["summary"]["start"], 9);
    assert_eq!(log[0].data["changes"][0]["after"]["is_quote"], 0);
}

fn a_coder_sees_only_their_layer_until_the_layers_open(store: &mut impl Backend) {
    let amira = coded_study(store);
    // One coder: the layers are open, so asking for all is allowed.
    assert!(store.scope("amira", true, false).is_ok());
    store.add_coder("tester", "bruno", None, None).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    assert!(matches!(
        store.scope("bruno", true, false),
        Err(StoreError::Blind)
    ));
    assert!(matches!(
        store.scope("bruno", false, true),
        Err(StoreError::Blind)
    ));
    assert!(matches!(
        store.scope("nobody", false, false),
        Err(StoreError::UnknownCoder(_))
    ));
    store.add_coding(&amira, 1, span(6, 13), 2, None).unwrap();
    // Bruno cannot see, find or code with amira's codes.
    assert!(matches!(
        store.find_code(&bruno, "Rire", None),
        Err(StoreError::UnknownCode(_))
    ));
    assert!(matches!(
        store.add_coding(&bruno, 1, span(6, 13), 2, None),
        Err(StoreError::UnknownCode(_))
    ));
    assert!(matches!(
        store.code_tree(&bruno, Book::Of(amira.coder().id)),
        Err(StoreError::Blind)
    ));
    let shared = store
        .add_code(&bruno, &code("Calme", None, None, Book::Shared))
        .unwrap();
    store
        .add_coding(&bruno, 1, span(35, 40), shared, None)
        .unwrap();
    store
        .add_coding(&amira, 1, span(6, 13), shared, None)
        .unwrap();
    let seen = |scope: &Scope| -> Vec<(String, i64)> {
        store
            .codings(scope, &CodingFilter::default())
            .unwrap()
            .into_iter()
            .map(|c| (c.coder, c.start))
            .collect()
    };
    assert_eq!(seen(&bruno), [("bruno".to_owned(), 35)]);
    assert_eq!(
        seen(&amira),
        [("amira".to_owned(), 6), ("amira".to_owned(), 6)]
    );
    let theirs = CodingFilter {
        coder: Some(amira.coder().id),
        ..CodingFilter::default()
    };
    assert!(matches!(
        store.codings(&bruno, &theirs),
        Err(StoreError::Blind)
    ));
    // The shared code counts, in bruno's tree, only his own passage.
    let tree = store.code_tree(&bruno, Book::Shared).unwrap();
    assert_eq!((tree[0].name.as_str(), tree[0].codings), ("Calme", 1));
    let consensus = store.consensus_scope().unwrap();
    assert!(consensus.is_consensus());
    assert_eq!(store.find_code(&consensus, "Calme", None).unwrap(), shared);
}

fn a_coding_is_removed_by_its_coder_only(store: &mut impl Backend) {
    let amira = coded_study(store);
    let (id, _) = store.add_coding(&amira, 1, span(22, 28), 2, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    assert_eq!(
        invalid(store.remove_coding(&bruno, id)),
        format!("no coding {id} among yours")
    );
    store.remove_coding(&amira, id).unwrap();
    assert!(
        store
            .codings(&amira, &CodingFilter::default())
            .unwrap()
            .is_empty()
    );
    let log = store.audit_log(1).unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].actor.as_str()),
        ("coding.remove", "amira")
    );
    let change = &log[0].data["changes"][0];
    assert_eq!(change["table"], "codings");
    assert_eq!(change["before"]["start_char"], 22);
    assert_eq!(change["after"], serde_json::Value::Null);
    assert!(invalid(store.remove_coding(&amira, id)).contains("among yours"));
}
