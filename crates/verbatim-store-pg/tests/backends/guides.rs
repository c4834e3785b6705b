//! Interview guides (`Guides`: what `guide add|list|use|autocode` do), run
//! on SQLite and PostgreSQL by `conformance!`: versions numbered and
//! refused alike, the version a source used, undo of a use, and autocoding
//! that codes the same answers with the same structural codes. The
//! consensus row is coder 1, so amira is coder 2; the default levels are
//! idea 1, sub-theme 2, theme 3, meta-theme 4.

use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
use verbatim_store::{
    Book, CodeKind, CodingFilter, GuideQuestion, Guides, History, ImportItem, SourceRef, StoreError,
};

conformance!(
    guide_versions_are_numbered_listed_and_used_alike,
    autocode_codes_the_answers_until_the_next_interviewer_turn,
);

/// A backend with guides and history.
pub trait Guided: Guides + History {}
impl<T: Guides + History> Guided for T {}

const GUIDE_V1: &str = "# Guide soignants\n\n1. Comment décririez-vous votre relation avec les usagers ?\n   - Et la confiance ?\n2) Quel budget ?\n";

fn q(number: &str, text: &str, sub: Vec<GuideQuestion>) -> GuideQuestion {
    GuideQuestion {
        number: number.into(),
        text: text.into(),
        sub,
    }
}

/// An interview whose lines are `(speaker, speech)`, each `LABEL : speech`
/// on its own line, a turn per line.
fn interview(name: &str, lines: &[(&str, &str)]) -> ImportItem {
    let (mut text, mut turns) = (String::new(), Vec::new());
    for (who, what) in lines {
        text.push_str(who);
        text.push_str(" : ");
        let start = text.chars().count();
        text.push_str(what);
        turns.push(Turn {
            speaker: Some((*who).into()),
            span: Span::new(start, text.chars().count()).unwrap(),
            begin_ms: None,
            end_ms: None,
        });
        text.push('\n');
    }
    let source =
        NormalisedSource::new(Format::Txt, text, turns, vec![], SourceMetadata::default()).unwrap();
    ImportItem {
        name: name.into(),
        original_path: None,
        kind: SourceKind::Interview,
        site: None,
        language: None,
        source,
    }
}

fn refusal<T: std::fmt::Debug>(result: Result<T, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn guide_versions_are_numbered_listed_and_used_alike(store: &mut impl Guided) {
    store
        .import_batch("tester", vec![super::fixture::interview("entretien")])
        .unwrap();
    let v1 = store
        .add_guide("tester", " Guide soignants ", GUIDE_V1, None, None)
        .unwrap();
    assert_eq!(v1.version, 1);
    let v2 = store
        .add_guide(
            "tester",
            "guide SOIGNANTS",
            "1. Et demain ?\n",
            None,
            Some("12/03/2026"),
        )
        .unwrap();
    // The next number after 1, the date written as ISO.
    assert_eq!((v2.version, v2.date.as_deref()), (2, Some("2026-03-12")));
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "guide.add");
    assert_eq!(log[0].target.as_deref(), Some("guide:1"));
    assert_eq!(log[0].data["summary"]["version"], 2);
    // Refusals write nothing.
    let entries = store.audit_log(100).unwrap().len();
    assert_eq!(
        refusal(store.add_guide("tester", "Guide soignants", GUIDE_V1, Some(1), None)),
        "guide \"Guide soignants\" already has a version 1: give another --version"
    );
    assert!(
        refusal(store.add_guide("tester", "G", "\n# titre\n", None, None))
            .starts_with("the guide has no questions")
    );
    assert!(matches!(
        store.use_guide("tester", &SourceRef::Id(1), "Autre", None),
        Err(StoreError::UnknownGuide(_))
    ));
    assert!(matches!(
        store.use_guide("tester", &SourceRef::Id(1), "Guide soignants", Some(7)),
        Err(StoreError::UnknownGuide(_))
    ));
    assert_eq!(store.audit_log(100).unwrap().len(), entries);
    // Without a version, the latest (2); then version 1 replaces it.
    let used = store
        .use_guide(
            "amira",
            &SourceRef::Name("entretien".into()),
            "GUIDE soignants",
            None,
        )
        .unwrap();
    assert_eq!(used, 2);
    store
        .use_guide("amira", &SourceRef::Id(1), "Guide soignants", Some(1))
        .unwrap();
    let guides = store.guides().unwrap();
    assert_eq!(guides.len(), 1);
    assert_eq!(guides[0].name, "Guide soignants");
    let versions: Vec<(i64, Option<&str>, Vec<&str>)> = guides[0]
        .versions
        .iter()
        .map(|v| {
            let sources = v.sources.iter().map(String::as_str).collect();
            (v.version, v.date.as_deref(), sources)
        })
        .collect();
    assert_eq!(
        versions,
        [
            (1, None, vec!["entretien"]),
            (2, Some("2026-03-12"), vec![])
        ]
    );
    assert_eq!(
        guides[0].versions[0].questions,
        [
            q(
                "1",
                "Comment décririez-vous votre relation avec les usagers ?",
                vec![q("1.1", "Et la confiance ?", vec![])]
            ),
            q("2", "Quel budget ?", vec![])
        ]
    );
    // Undoing the second use brings version 2 back.
    store.undo("amira", 1).unwrap();
    let guides = store.guides().unwrap();
    assert_eq!(guides[0].versions[1].sources, ["entretien"]);
    assert!(guides[0].versions[0].sources.is_empty());
}

fn autocode_codes_the_answers_until_the_next_interviewer_turn(store: &mut impl Guided) {
    let lines = [
        (
            "INT",
            "Alors, comment décririez vous la relation avec les usagers ?",
        ),
        ("CSI-2", "Compliquée."),
        ("CSI-2", "Mais riche."),
        ("INT", "Et votre hiérarchie ?"),
        ("CSI-2", "Absente."),
    ];
    store
        .import_batch(
            "tester",
            vec![
                interview("soignante", &lines),
                interview("sans guide", &lines[..2]),
            ],
        )
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let guide = "1. Comment décririez-vous votre relation avec les usagers ?\n2. Quel budget ?\n";
    store.add_guide("tester", "G", guide, None, None).unwrap();
    store
        .use_guide("tester", &SourceRef::Id(1), "g", None)
        .unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let refused = store.autocode(&me, Some(&SourceRef::Id(2)), 0.6);
    assert_eq!(
        refusal(refused),
        "source \"sans guide\" records no interview guide: say which with `verbatim guide use --source sans guide --guide G`"
    );
    assert!(refusal(store.autocode(&me, None, 0.0)).contains("must be above 0"));
    let reports = store.autocode(&me, None, 0.6).unwrap();
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert_eq!(
        (r.source.as_str(), r.guide.as_str(), r.version),
        ("soignante", "G", 1)
    );
    // Question 1's words: comment, décririez, vous, votre, relation, avec,
    // les, usagers (8); the first turn lacks only "votre": 7/8 = 0.875.
    assert_eq!(r.matched.len(), 1);
    let m = &r.matched[0];
    assert_eq!((m.number.as_str(), m.turn, m.codings), ("1", 0, 2));
    assert!((m.score - 0.875).abs() < 1e-9, "{}", m.score);
    assert_eq!(r.unmatched, ["2. Quel budget ?"]);
    // The guide (at theme, the third level) and its two questions are
    // structural codes of amira's book.
    let tree = store.code_tree(&me, Book::Own).unwrap();
    let shape: Vec<(&str, &str, CodeKind)> = tree
        .iter()
        .map(|n| (n.name.as_str(), n.level_name.as_str(), n.kind))
        .collect();
    assert_eq!(
        shape,
        [
            ("G", "theme", CodeKind::Structural),
            (
                "1. Comment décririez-vous votre relation avec les usagers ?",
                "sub-theme",
                CodeKind::Structural
            ),
            ("2. Quel budget ?", "sub-theme", CodeKind::Structural),
        ]
    );
    let texts = |store: &dyn Guides| -> Vec<String> {
        let codings = store.codings(&me, &CodingFilter::default()).unwrap();
        codings.into_iter().map(|c| c.text).collect()
    };
    assert_eq!(texts(store), ["Compliquée.", "Mais riche."]);
    // A second run reuses the codes and codes nothing twice.
    store.autocode(&me, Some(&SourceRef::Id(1)), 0.6).unwrap();
    assert_eq!(store.code_tree(&me, Book::Own).unwrap().len(), 3);
    assert_eq!(texts(store), ["Compliquée.", "Mais riche."]);
    // Each code, kind and coding is its own action, in guide order: the
    // unmatched question 2's code (made, then structural) came last, after
    // question 1's two codings. Three undos take back those two and the
    // second coding.
    let undone: Vec<String> = store
        .undo("amira", 3)
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(undone, ["code.kind", "code.add", "coding.add"]);
    assert_eq!(store.code_tree(&me, Book::Own).unwrap().len(), 2);
    assert_eq!(texts(store), ["Compliquée."]);
}
