//! `AgreementReads` on SQLite and PostgreSQL: the five plain reads answer
//! alike (run on both by `conformance!`), the comparison refuses alike, and
//! a revealed study copied to PostgreSQL gives the same `AgreementData`.

use verbatim_core::{SourceKind, Span};
use verbatim_store::agreement_data::{
    AgreementRequest, CodePairing, CodeRef, PairedBy, PairingCode,
};
use verbatim_store::transfer::{CARRIED, TableRows, Transfer};
use verbatim_store::{
    AgreementReads, AnalysisReads, Book, CodeFields, Codebook, Coders, CodingSpanRow, Codings,
    NewCode, SourceSize, SqliteStore, Store, StoreError,
};
use verbatim_store_pg::PgStore;

use super::{fixture, pg};

/// A study backend with the traits these tests use.
pub trait Backend: Store + AgreementReads + AnalysisReads + Codebook + Codings {}
impl<T: Store + AgreementReads + AnalysisReads + Codebook + Codings> Backend for T {}

conformance!(the_plain_reads_answer_alike, the_comparison_refuses_alike,);

fn code(name: &str, parent: Option<i64>, level: &str, book: Book) -> NewCode {
    NewCode {
        name: name.into(),
        level: Some(level.into()),
        parent,
        book: Some(book),
        fields: CodeFields::default(),
    }
}

/// Imports the interview (source 1, 40 chars), a note (2, 24 chars) and a
/// context note (3); coders amira (2) and bruno (3); the shared code
/// Rire (1), amira's theme Humeur (2) and its idea Sourire (3), bruno's own
/// Rire (4); four codings, the last on the context note.
pub fn build(store: &mut impl Backend) {
    let mut context = fixture::note("cadre", "Réunion d'équipe.");
    context.kind = SourceKind::Context;
    store
        .import_batch(
            "tester",
            vec![
                fixture::interview("entretien"),
                // 24 chars: "Elle a hésité longtemps." (é is one char).
                fixture::note("notes", "Elle a hésité longtemps."),
                context,
            ],
        )
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    let ids = [
        store
            .add_code(&amira, &code("Rire", None, "idea", Book::Shared))
            .unwrap(),
        store
            .add_code(&amira, &code("Humeur", None, "theme", Book::Own))
            .unwrap(),
        store
            .add_code(&amira, &code("Sourire", Some(2), "idea", Book::Own))
            .unwrap(),
        store
            .add_code(&bruno, &code("Rire", None, "idea", Book::Own))
            .unwrap(),
    ];
    assert_eq!(ids, [1, 2, 3, 4]);
    let span = |s, e| Span::new(s, e).unwrap();
    // The emoji's turn, 22..28, and the emoji, 26..27 (fixture::TEXT).
    store.add_coding(&amira, 1, span(22, 28), 1, None).unwrap();
    store.add_coding(&amira, 1, span(26, 27), 3, None).unwrap();
    store.add_coding(&bruno, 2, span(0, 4), 4, None).unwrap();
    store.add_coding(&bruno, 3, span(0, 7), 4, None).unwrap();
}

fn the_plain_reads_answer_alike(store: &mut impl Backend) {
    build(store);
    let mut codes = store.pairing_codes().unwrap();
    codes.sort_by_key(|c| c.id);
    let row = |id, owner, name: &str, parent, level| PairingCode {
        id,
        owner,
        name: name.into(),
        parent,
        level,
    };
    assert_eq!(
        codes,
        [
            row(1, None, "Rire", None, 1),
            row(2, Some(2), "Humeur", None, 3),
            row(3, Some(2), "Sourire", Some(2), 1),
            row(4, Some(3), "Rire", None, 1),
        ]
    );
    assert!(store.reconciled_origins().unwrap().is_empty());
    // Context sources are analysed like any other; only comparing skips them.
    assert_eq!(store.analysed_sources(2).unwrap(), [1]);
    assert_eq!(store.analysed_sources(3).unwrap(), [2, 3]);
    assert!(store.analysed_sources(1).unwrap().is_empty());
    let size = |id, name: &str, chars| SourceSize {
        id,
        name: name.into(),
        chars,
    };
    assert_eq!(
        store.compared_source_sizes().unwrap(),
        [size(1, "entretien", 40), size(2, "notes", 24)]
    );
    let mut rows = Vec::new();
    store.each_coding(&mut |r| rows.push(r)).unwrap();
    rows.sort_by_key(|r| (r.source, r.code, r.start));
    let coding = |source, code, coder, start, end| CodingSpanRow {
        source,
        code,
        coder,
        start,
        end,
    };
    assert_eq!(
        rows,
        [
            coding(1, 1, 2, 22, 28),
            coding(1, 3, 2, 26, 27),
            coding(2, 4, 3, 0, 4),
            coding(3, 4, 3, 0, 7),
        ]
    );
    // Two coders, nothing revealed: other layers stay closed.
    assert!(matches!(
        store.scope("amira", true, false),
        Err(StoreError::Blind)
    ));
    let own = store.scope("amira", false, false).unwrap();
    assert!(matches!(
        store.agreement_data(&own, &[], None),
        Err(StoreError::Blind)
    ));
}

fn the_comparison_refuses_alike(store: &mut impl Backend) {
    store.add_coder("tester", "amira", None, None).unwrap();
    // One coder: the layers are open, and there is no one to compare with.
    let all = store.scope("amira", true, false).unwrap();
    let refusal = |names: &[&str]| {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        store
            .agreement_data(&all, &names, None)
            .unwrap_err()
            .to_string()
    };
    assert!(
        refusal(&[]).contains("at least 2 coders; 1 given"),
        "{}",
        refusal(&[])
    );
    assert!(refusal(&["amira", "amira"]).contains("named twice"));
    assert!(refusal(&["amira", "consensus"]).contains("consensus layer"));
    assert!(matches!(
        store.agreement_data(&all, &["amira".into(), "zoé".into()], None),
        Err(StoreError::UnknownCoder(_))
    ));
}

fn tables(store: &impl Transfer) -> Vec<TableRows> {
    CARRIED
        .iter()
        .map(|t| store.read_table(t).unwrap())
        .collect()
}

#[test]
fn a_revealed_study_copied_to_postgres_compares_alike() {
    let Some(study) = pg::study("agreement_after_copy") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lite =
        SqliteStore::create(&dir.path().join("s.vbt"), &fixture::settings(), "tester").unwrap();
    build(&mut lite);
    lite.reveal("tester").unwrap();
    let there = PgStore::create_copy(&study.address, &tables(&lite)).unwrap();
    let side = |coder: &str, code: &str| CodeRef {
        coder: coder.into(),
        code: code.into(),
    };
    let requests = [
        AgreementRequest::default(),
        AgreementRequest {
            pairs: vec![CodePairing {
                a: side("amira", "Sourire"),
                b: side("bruno", "Rire"),
            }],
            ..AgreementRequest::default()
        },
        AgreementRequest {
            level: Some(3),
            ..AgreementRequest::default()
        },
    ];
    let (lite_all, pg_all) = (
        lite.scope("amira", true, false).unwrap(),
        there.scope("amira", true, false).unwrap(),
    );
    let mut answers = Vec::new();
    for request in &requests {
        let on_file = lite.agreement_data_for(&lite_all, request).unwrap();
        assert_eq!(there.agreement_data_for(&pg_all, request).unwrap(), on_file);
        answers.push(on_file);
    }
    // By name: the shared Rire is both coders', bruno's own Rire joins it;
    // Humeur and Sourire are amira's alone.
    let by_name = &answers[0];
    assert_eq!(by_name.codes, ["Rire"]);
    assert_eq!(
        by_name.groups[0].members,
        [vec!["Rire"], vec!["Rire", "Rire"]]
    );
    assert_eq!(by_name.unshared, ["Humeur", "Sourire"]);
    let coded: Vec<(&str, u64, Vec<bool>)> = by_name
        .sources
        .iter()
        .map(|s| (s.name.as_str(), s.chars, s.coded_by.clone()))
        .collect();
    assert_eq!(
        coded,
        [
            ("entretien", 40, vec![true, false]),
            ("notes", 24, vec![false, true])
        ]
    );
    let spans: Vec<(usize, usize, u64, u64)> = by_name
        .spans
        .iter()
        .map(|s| (s.source, s.coder, s.start, s.end))
        .collect();
    // amira's shared Rire on the interview, bruno's own on the note; the
    // context note is not compared.
    assert_eq!(spans, [(0, 0, 22, 28), (1, 1, 0, 4)]);
    // Paired: amira's Sourire with bruno's Rire, under a joined label.
    let paired = &answers[1];
    assert!(
        paired.codes.contains(&"Sourire = Rire".to_owned()),
        "{:?}",
        paired.codes
    );
    let group = paired
        .groups
        .iter()
        .find(|g| g.name == "Sourire = Rire")
        .unwrap();
    assert_eq!(group.paired_by, PairedBy::Explicit);
    // At the theme level only Humeur is left, and it is amira's alone.
    let themes = &answers[2];
    assert!(themes.codes.is_empty());
    assert_eq!(themes.unshared, ["Humeur"]);
    // Neither Rire has an ancestor at the theme level.
    assert_eq!(themes.off_level, ["Rire"]);
}
