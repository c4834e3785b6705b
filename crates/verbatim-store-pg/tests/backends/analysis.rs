//! `AnalysisReads` (what a coding query reads) on SQLite and PostgreSQL,
//! run on both by `conformance!` over the study `agreement::build` makes:
//! visible codes, paths, descendants, bare spans with the blind rule,
//! turns with who speaks them, the sources' facts, and which sources any
//! coder analysed; and the views `verbatim_views` builds on them
//! (matrix rows and columns, a saturation curve, word counts, the blind
//! rule of alignment), with the same answers on both.

use verbatim_core::SourceKind;
use verbatim_core::Span;
use verbatim_store::{AnalysisReads, AppliesTo, SpanFilter, StoreError};

use super::agreement::{Backend, build};

conformance!(
    the_query_reads_answer_alike,
    the_sources_analysed_are_the_coders_not_the_consensus,
    the_views_over_the_traits_answer_alike,
);

fn the_query_reads_answer_alike(store: &mut impl Backend) {
    build(store);
    let amira = store.scope("amira", false, false).unwrap();
    // amira sees the shared Rire (1) and her own Humeur (2) and Sourire (3),
    // not bruno's Rire (4).
    let seen: Vec<i64> = store
        .visible_codes(&amira)
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(seen, [1, 2, 3]);
    assert_eq!(store.code_path(3).unwrap(), "Humeur/Sourire");
    assert!(matches!(
        store.code_path(99),
        Err(StoreError::UnknownCode(_))
    ));
    assert_eq!(store.code_descendants(2).unwrap(), [2, 3]);
    assert_eq!(store.code_descendants(1).unwrap(), [1]);
    let spans = |scope, filter: &SpanFilter| -> Vec<(i64, i64, usize, usize)> {
        AnalysisReads::coding_spans(store, scope, filter)
            .unwrap()
            .iter()
            .map(|s| (s.source_id, s.code_id, s.start, s.end))
            .collect()
    };
    assert_eq!(
        spans(&amira, &SpanFilter::default()),
        [(1, 1, 22, 28), (1, 3, 26, 27)]
    );
    let only = SpanFilter {
        codes: Some(vec![3]),
        ..SpanFilter::default()
    };
    assert_eq!(spans(&amira, &only), [(1, 3, 26, 27)]);
    // bruno's second coding is on the context note: counted only when asked.
    let bruno = store.scope("bruno", false, false).unwrap();
    assert_eq!(spans(&bruno, &SpanFilter::default()), [(2, 4, 0, 4)]);
    let with_context = SpanFilter {
        include_context: true,
        ..SpanFilter::default()
    };
    assert_eq!(spans(&bruno, &with_context), [(2, 4, 0, 4), (3, 4, 0, 7)]);
    let theirs = SpanFilter {
        coder: Some(3),
        ..SpanFilter::default()
    };
    assert!(matches!(
        AnalysisReads::coding_spans(store, &amira, &theirs),
        Err(StoreError::Blind)
    ));
    // The interview's turns (fixture::interview) and the note's one turn;
    // INT is an interviewer word, and nobody has a roster.
    let turns: Vec<(i64, String, usize, usize, bool)> = store
        .turn_owners(false)
        .unwrap()
        .into_iter()
        .map(|t| {
            assert_eq!(t.participant_id, None);
            (t.source_id, t.label, t.start, t.end, t.interviewer)
        })
        .collect();
    assert_eq!(
        turns,
        [
            (1, "INT".into(), 6, 13, true),
            (1, "CSI-2".into(), 22, 28, false),
            (1, "INT".into(), 35, 40, true),
            (2, "P01".into(), 0, 24, false),
        ]
    );
    assert_eq!(store.turn_owners(true).unwrap().len(), 5);
    let facts: Vec<(i64, String, String, Option<String>)> = store
        .source_facts()
        .unwrap()
        .into_iter()
        .map(|f| (f.id, f.name, f.kind, f.site))
        .collect();
    assert_eq!(
        facts,
        [
            (
                1,
                "entretien".into(),
                SourceKind::Interview.as_str().into(),
                Some("CS".into())
            ),
            (
                2,
                "notes".into(),
                SourceKind::FocusGroup.as_str().into(),
                None
            ),
            (3, "cadre".into(), SourceKind::Context.as_str().into(), None),
        ]
    );
    // No attributes in a new study, on either backend.
    assert!(store.attributes(AppliesTo::Participant).unwrap().is_empty());
    assert!(store.participant_values_of("âge").unwrap().is_empty());
    assert!(store.source_values_of("lieu").unwrap().is_empty());
}

fn the_sources_analysed_are_the_coders_not_the_consensus(store: &mut impl Backend) {
    build(store);
    // amira coded the interview (1), bruno the note (2) and the context
    // note (3), every code analytic.
    assert_eq!(store.sources_coded_by_anyone().unwrap(), [1, 2, 3]);
    assert_eq!(store.analysed_sources(3).unwrap(), [2, 3]);
    // bruno's coding of the context note (the fourth) taken back: nobody
    // analysed it.
    let bruno = store.scope("bruno", false, false).unwrap();
    store.remove_coding(&bruno, 4).unwrap();
    assert_eq!(store.sources_coded_by_anyone().unwrap(), [1, 2]);
    // The consensus layer coding it with the shared Rire (1) is no coder
    // analysing it.
    let consensus = store.consensus_scope().unwrap();
    store
        .add_coding(&consensus, 3, Span::new(0, 7).unwrap(), 1, None)
        .unwrap();
    assert_eq!(store.sources_coded_by_anyone().unwrap(), [1, 2]);
}

fn the_views_over_the_traits_answer_alike(store: &mut impl Backend) {
    use verbatim_analysis::matrix::Columns;
    use verbatim_analysis::saturation::Params;
    use verbatim_search::WordOptions;
    use verbatim_views::{ViewError, alignment, matrix, saturation, words};

    build(store);
    let amira = store.scope("amira", false, false).unwrap();
    // Rows at the idea level: the shared Rire (1) and amira's Sourire (3).
    let rows: Vec<(String, Vec<i64>)> = matrix::rows_at_level(store, &amira, "idea")
        .unwrap()
        .into_iter()
        .map(|r| (r.label, r.codes))
        .collect();
    assert_eq!(
        rows,
        [("Rire".into(), vec![1]), ("Sourire".into(), vec![3])]
    );
    // Columns by kind: the interview and the focus group, not the context.
    let Columns::Source { labels, .. } = matrix::columns(store, &amira, "kind", false).unwrap()
    else {
        panic!("kinds are source columns");
    };
    assert_eq!(labels, ["focus_group", "interview"]);

    // amira analysed the interview only (the focus group is bruno's):
    // Rire and Sourire are new there; rolled up to themes, only Humeur
    // (Sourire's parent; the shared Rire has no theme above it).
    let options = saturation::CurveOptions {
        params: Params {
            base: 1,
            run: 1,
            threshold: 0.05,
        },
        by_date: false,
        ..saturation::CurveOptions::default()
    };
    let me = store.coder_by_name("amira").unwrap().unwrap();
    let curve = |level: Option<i64>| {
        let options = saturation::CurveOptions { level, ..options };
        let c = saturation::curves(store, &amira, &me, &options).unwrap();
        let steps: Vec<(String, usize)> = c[0]
            .saturation
            .steps
            .iter()
            .map(|s| (s.source.clone(), s.new_codes))
            .collect();
        (steps, c[0].not_coded)
    };
    assert_eq!(curve(None), (vec![("entretien".into(), 2)], 1));
    let theme = store.level_rank_of("theme").unwrap();
    assert_eq!(curve(Some(theme)), (vec![("entretien".into(), 1)], 1));

    // The note's one turn is P01's: "Elle a hésité longtemps." has three
    // words of 4 letters or more; "elle" is a French stop word, left out.
    let spec = words::WordsSpec {
        sources: &[2],
        kinds: &[],
        sites: &[],
        include_interviewers: false,
        include_context: false,
        options: WordOptions {
            top: 10,
            min_length: 4,
            stem: false,
        },
    };
    let counted: Vec<(String, usize)> = words::count(store, &spec)
        .unwrap()
        .into_iter()
        .map(|w| (w.word, w.count))
        .collect();
    assert_eq!(counted, [("hésité".into(), 1), ("longtemps".into(), 1)]);

    // Aligning trees reads layers: refused before the reveal, even one's own.
    assert!(matches!(
        alignment::load_layer(store, &amira, me),
        Err(ViewError::Store(StoreError::Blind))
    ));
}
