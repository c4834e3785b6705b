//! Every free-text write refuses a NUL (U+0000) alike on SQLite and
//! PostgreSQL: PostgreSQL's `text` cannot hold it, so the shared rules
//! (`boundary::rules::storable`) refuse it first, in one sentence naming
//! the field, and nothing is written (the audit log keeps its length).

use verbatim_core::{Language, Span};
use verbatim_store::{
    AppliesTo, AttrType, CodeFields, CodebookEdits, Coders, CodingEdits, Consensus, History,
    NewCodeName, NewParticipant, NewTranslation, Participants, Reveal, SourceEdits, SourceRef,
    SqliteStore, StoreError, StudySettings, Translations, Verdict,
};
use verbatim_store_pg::PgStore;

use super::agreement::{Backend, build};
use super::pg;

/// What these behaviours ask of a backend.
pub trait Writes:
    Backend
    + Coders
    + Participants
    + CodingEdits
    + CodebookEdits
    + Translations
    + Consensus
    + Reveal
    + SourceEdits
    + History
{
}
impl<T> Writes for T where
    T: Backend
        + Coders
        + Participants
        + CodingEdits
        + CodebookEdits
        + Translations
        + Consensus
        + Reveal
        + SourceEdits
        + History
{
}

conformance!(a_nul_in_any_free_text_is_refused_alike_and_nothing_is_written);

/// The sentence a refusal of `what` reads, written out here rather than
/// taken from the code under test.
fn refusal(what: &str) -> String {
    format!(
        "{what} holds the character U+0000 (NUL), which a study cannot store, so nothing \
         was changed: remove it and try again"
    )
}

/// The sentence a write gave, or `accepted` when it wrote.
fn said(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Ok(_) => "accepted".into(),
        Err(e) => e.to_string(),
    }
}

/// A new participant with a code or a label.
fn person(code: Option<&str>, label: Option<&str>) -> NewParticipant {
    NewParticipant {
        code: code.map(str::to_owned),
        label: label.map(str::to_owned),
        site: None,
    }
}

/// `agreement::build`'s study, revealed, with a site, participant P01
/// (Métier "infirmière") and a text attribute on sources.
fn study(store: &mut impl Writes) {
    build(store);
    store.reveal("owner").unwrap();
    store.add_site("tester", "Hôpital", "CH").unwrap();
    store
        .add_participant("tester", &person(Some("P01"), None))
        .unwrap();
    for applies_to in [AppliesTo::Participant, AppliesTo::Source] {
        store
            .define_attribute("tester", "Métier", applies_to, AttrType::Text, &[])
            .unwrap();
    }
    let value = [("Métier".to_owned(), "infirmière".to_owned())];
    store
        .set_participant("tester", "P01", None, None, &value)
        .unwrap();
}

/// What each write said, beside the field its refusal should name.
type Tried = Vec<(String, &'static str)>;

fn a_nul_in_any_free_text_is_refused_alike_and_nothing_is_written(store: &mut impl Writes) {
    study(store);
    let before = store.audit_log(1000).unwrap().len();
    let mut tried = people_writes(store);
    tried.extend(codebook_writes(store));
    tried.extend(decision_and_source_writes(store));
    let wrong: Vec<&(String, &str)> = tried.iter().filter(|(s, w)| *s != refusal(w)).collect();
    assert!(wrong.is_empty(), "not refused as expected: {wrong:#?}");
    assert_eq!(tried.len(), 32);
    assert_eq!(store.audit_log(1000).unwrap().len(), before);
}

/// Coders, sites, participants, attributes, consents, the code scheme and
/// speaker labels.
fn people_writes(store: &mut impl Writes) -> Tried {
    let metier = |v: &str| [("Métier".to_owned(), v.to_owned())];
    let p = AppliesTo::Participant;
    let category = AttrType::Category;
    let interviews = [("interview".to_owned(), "E\0".to_owned(), None)];
    vec![
        (
            said(store.add_coder("tester", "chloé", Some("C\0"), None)),
            "the coder's initials",
        ),
        (
            said(store.add_site("tester", "Cli\0nique", "CL")),
            "the site name",
        ),
        (
            said(store.add_site("tester", "Clinique", "C\0L")),
            "the site code",
        ),
        (
            said(store.add_participant("tester", &person(Some("P\u{0}2"), None))),
            "the participant code",
        ),
        (
            said(store.add_participant("tester", &person(None, Some("Éloï\0se")))),
            "the participant's label",
        ),
        (
            said(store.set_participant("tester", "P01", Some("É\0"), None, &[])),
            "the participant's label",
        ),
        (
            said(store.set_participant("tester", "P01", None, None, &metier("a\0"))),
            "the value of Métier",
        ),
        (
            said(store.rename_participant("tester", "P01", "P\u{0}0")),
            "the participant code",
        ),
        (
            said(store.define_attribute("tester", "Â\0ge", p, AttrType::Text, &[])),
            "the attribute name",
        ),
        (
            said(store.define_attribute("tester", "Rôle", p, category, &["a\0".into()])),
            "an allowed value of Rôle",
        ),
        (
            said(store.set_source_values("tester", &SourceRef::Id(1), &metier("x\0"))),
            "the value of Métier",
        ),
        (
            said(store.rename_attribute_value("tester", "Métier", p, "infirmière", "y\0")),
            "the new value of Métier",
        ),
        (
            said(store.record_consent("tester", "P01", "2026-01-02", "tout\0", None)),
            "the consent scope",
        ),
        (
            said(store.record_consent("tester", "P01", "2026-01-02", "tout", Some("v\u{0}1"))),
            "the information sheet's version",
        ),
        (
            said(store.set_scheme("tester", Some("{site}\0{rank}"), &[])),
            "the code template",
        ),
        (
            said(store.set_scheme("tester", None, &interviews)),
            "the code of interviews",
        ),
        (
            said(store.rename_speaker("tester", 1, "INT", "I\0NT")),
            "the new speaker label",
        ),
    ]
}

/// Codings' memos and translations, codes' names, fields and levels.
fn codebook_writes(store: &mut impl Writes) -> Tried {
    let amira = store.scope("amira", true, false).unwrap();
    let coded = Span::new(6, 13).unwrap();
    let fields = CodeFields {
        inclusion: Some("On \0rit".into()),
        ..CodeFields::default()
    };
    let en: Language = "en".parse().unwrap();
    let en_name = NewCodeName {
        code: 1,
        language: en.clone(),
        name: "Laugh\0".into(),
    };
    let translation = NewTranslation {
        coding: 1,
        language: en.clone(),
        text: "laugh\0".into(),
    };
    let levels = ["idée\0".to_owned(), "thème".to_owned()];
    vec![
        (
            said(store.add_coding(&amira, 1, coded, 1, Some("note\0"))),
            "the coding's memo",
        ),
        (
            said(store.set_coding_memo(&amira, 1, Some("note\0"))),
            "the coding's memo",
        ),
        (
            said(store.translate(&amira, 1, &en, "laugh\0")),
            "the translation",
        ),
        (
            said(store.attach_translations_and_names(&amira, &[translation], &[])),
            "the translation of coding 1",
        ),
        (
            said(store.set_code_names(&amira, &[en_name])),
            "the en name of \"Rire\"",
        ),
        (
            said(store.rename_code(&amira, 1, "Ri\0re")),
            "the code name",
        ),
        (
            said(store.describe_code(&amira, 1, &fields, None)),
            "the code's inclusion criteria",
        ),
        (
            said(store.split_code(&amira, 1, "Ri\0re 2", &[1])),
            "the code name",
        ),
        (said(store.set_levels("tester", &levels)), "a level name"),
    ]
}

/// Consensus decisions' notes and names, and an edit of a transcript.
fn decision_and_source_writes(store: &mut impl Writes) -> Tried {
    let amira = store.scope("amira", true, false).unwrap();
    let span = |s, e| Span::new(s, e).unwrap();
    let reject = Verdict::Reject;
    vec![
        (
            said(store.reconcile_keep(&amira, 4, "propre\0")),
            "the decision's note",
        ),
        (
            said(store.reconcile_accept(&amira, 2, false, None, Some("vu\0"))),
            "the decision's note",
        ),
        (
            said(store.reconcile_merge_into(&amira, 1, &[4], Some("même\0"))),
            "the decision's note",
        ),
        (
            said(store.reconcile_merge_codes(&amira, &[2, 4], Some("Hu\0mour"), None, None)),
            "the code name",
        ),
        (
            said(store.reconcile_passage(
                &amira,
                reject,
                1,
                span(22, 28),
                None,
                &[1],
                Some("non\0"),
            )),
            "the decision's note",
        ),
        (
            said(store.edit_source(&amira, 1, span(6, 7), "B\0")),
            "the replacement text",
        ),
    ]
}

/// A study's title with a NUL is refused before the study exists: no file
/// is left on SQLite and no schema on PostgreSQL.
#[test]
fn a_title_with_a_nul_creates_no_study_on_either_backend() {
    let settings = StudySettings::titled("Ét\0ude");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.vbt");
    let lite = SqliteStore::create(&path, &settings, "tester");
    assert_eq!(said(lite.map(|_| ())), refusal("the study's title"));
    assert!(!path.exists());
    let Some(study) = pg::study("nul_title") else {
        return;
    };
    let created = PgStore::create(&study.address, &settings, "tester");
    assert_eq!(said(created.map(|_| ())), refusal("the study's title"));
    let fine = PgStore::create(&study.address, &StudySettings::titled("Étude"), "tester");
    assert!(fine.is_ok(), "the refused title left a schema behind");
}
