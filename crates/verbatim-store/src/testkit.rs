//! Fixtures shared by the unit tests of the coding modules: a temporary
//! study with coders and one imported interview.

use verbatim_core::{
    Format, NormalisedSource, SourceAnchor, SourceKind, SourceMetadata, Span, Turn,
};

use crate::{ImportItem, ImportOutcome, SqliteStore, Store, StudySettings};

/// The interview every fixture study holds: two turns and one comment.
pub(crate) const TEXT: &str = "INT : Comment allez-vous ?\nCSI-2 : La confiance se construit lentement 😀, puis la méfiance revient.";

/// A temporary study with coders `amira` and `bruno` and the interview
/// imported as source `entretien`.
pub(crate) struct Fixture {
    /// Keeps the folder alive.
    pub dir: tempfile::TempDir,
    pub store: SqliteStore,
    pub source: i64,
}

/// Returns the char offset of the first occurrence of `needle` in [`TEXT`].
pub(crate) fn at(needle: &str) -> usize {
    let byte = TEXT.find(needle).unwrap();
    TEXT[..byte].chars().count()
}

/// Returns the span of the first occurrence of `needle` in [`TEXT`].
pub(crate) fn span_of(needle: &str) -> Span {
    let start = at(needle);
    Span::new(start, start + needle.chars().count()).unwrap()
}

/// Returns a study with the fixture interview and two coders.
pub(crate) fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::create(
        &dir.path().join("s.vbt"),
        &StudySettings::titled("Étude"),
        "tester",
    )
    .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    store.add_coder("tester", "bruno", None, None).unwrap();
    let int = span_of("Comment allez-vous ?");
    let csi_start = at("La confiance");
    let turns = vec![
        Turn {
            speaker: Some("INT".into()),
            span: int,
            begin_ms: None,
            end_ms: None,
        },
        Turn {
            speaker: Some("CSI-2".into()),
            span: Span::new(csi_start, TEXT.chars().count()).unwrap(),
            begin_ms: None,
            end_ms: None,
        },
    ];
    let anchors = vec![SourceAnchor {
        span: span_of("la méfiance"),
        author: Some("Relectrice".into()),
        date: None,
        text: "Mot souligné à l'oral".into(),
    }];
    let source = NormalisedSource::new(
        Format::Txt,
        TEXT.into(),
        turns,
        anchors,
        SourceMetadata::default(),
    )
    .unwrap();
    let outcomes = store
        .import_batch(
            "tester",
            vec![ImportItem {
                name: "entretien".into(),
                original_path: None,
                kind: SourceKind::Interview,
                site: None,
                language: None,
                source,
            }],
        )
        .unwrap();
    let ImportOutcome::Imported { id, .. } = outcomes[0] else {
        panic!("not imported");
    };
    Fixture {
        dir,
        store,
        source: id,
    }
}

/// Returns the tables a statement reads by scanning them whole (the
/// `SCAN` lines of `EXPLAIN QUERY PLAN`): a one-source read must have none
/// over a table that grows with the study.
pub(crate) fn full_scans(store: &SqliteStore, sql: &str) -> Vec<String> {
    let mut stmt = store
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let count = stmt.parameter_count();
    let params: Vec<i64> = vec![1; count];
    stmt.query_map(rusqlite::params_from_iter(params), |r| {
        r.get::<_, String>(3)
    })
    .unwrap()
    .map(Result::unwrap)
    .filter(|detail| detail.starts_with("SCAN"))
    .collect()
}
