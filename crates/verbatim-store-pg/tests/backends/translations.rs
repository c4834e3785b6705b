//! `Translations` (codes' names in other languages, a translator's file
//! attached) on SQLite and PostgreSQL, run on both by `conformance!` over
//! the study `agreement::build` makes; and a study with code names
//! copied to PostgreSQL and back keeps them, undoable on the copy.

use verbatim_store::transfer::{CARRIED, TableRows, Transfer};
use verbatim_store::{
    Book, CodebookEdits, Coders, History, NewCode, NewCodeName, NewTranslation, SqliteStore,
    StoreError, Translations,
};
use verbatim_store_pg::PgStore;

use super::agreement::{Backend, build};
use super::{fixture, pg};

/// What these behaviours ask of a backend.
pub trait Translating: Backend + Translations + History + CodebookEdits {}
impl<T: Backend + Translations + History + CodebookEdits> Translating for T {}

conformance!(
    code_names_are_set_by_language_and_undone_alike,
    a_translators_file_attaches_in_one_action_or_not_at_all_alike,
    a_named_code_merges_and_deletes_alike,
);

fn name(code: i64, tag: &str, text: &str) -> NewCodeName {
    NewCodeName {
        code,
        language: tag.parse().unwrap(),
        name: text.into(),
    }
}

fn code_names_are_set_by_language_and_undone_alike(store: &mut impl Translating) {
    build(store);
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    // Codes 1 (shared Rire), 2 (amira's Humeur), 3 (amira's Sourire).
    let set = store
        .set_code_names(&amira, &[name(1, "en", "Laugh"), name(2, "en", " Mood ")])
        .unwrap();
    assert_eq!(set, 2);
    let log = store.audit_log(1).unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].target.as_deref()),
        ("code.translate", Some("codes"))
    );
    assert_eq!(log[0].data["summary"]["names"][1]["name"], "Mood");
    store
        .set_code_names(&amira, &[name(3, "en", "Smile")])
        .unwrap();
    assert_eq!(
        store.audit_log(1).unwrap()[0].target.as_deref(),
        Some("code:3")
    );
    let en = store.code_names("en-GB").unwrap();
    assert_eq!(en.len(), 3);
    assert_eq!((en[&1].as_str(), en[&2].as_str()), ("Laugh", "Mood"));
    assert!(store.code_names("de").unwrap().is_empty());
    // A second name replaces the first; an empty one clears it.
    store
        .set_code_names(&amira, &[name(2, "en", "Humour")])
        .unwrap();
    assert_eq!(store.code_names("en").unwrap()[&2], "Humour");
    store.undo("amira", 1).unwrap();
    assert_eq!(store.code_names("en").unwrap()[&2], "Mood");
    store.set_code_names(&amira, &[name(3, "en", "")]).unwrap();
    assert!(!store.code_names("en").unwrap().contains_key(&3));
    // bruno does not see amira's Humeur; a control character is refused;
    // neither writes anything.
    let entries = store.audit_log(100).unwrap().len();
    assert!(matches!(
        store.set_code_names(&bruno, &[name(2, "en", "Mood")]),
        Err(StoreError::UnknownCode(c)) if c == "2"
    ));
    let refused = store
        .set_code_names(
            &amira,
            &[name(1, "fr", "Rire"), name(2, "fr", "Hu\u{7}meur")],
        )
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        StoreError::Invalid("the fr name of \"Humeur\" holds a control character".into())
            .to_string()
    );
    assert_eq!(store.audit_log(100).unwrap().len(), entries);
    assert!(store.code_names("fr").unwrap().is_empty());
    // Codes found by exchange id, within the scope.
    let guid = store.code_tree(&amira, Book::Own).unwrap()[0].guid.clone();
    assert_eq!(
        store.code_by_guid(&amira, &guid).unwrap(),
        Some((2, "Humeur".to_owned()))
    );
    assert_eq!(store.code_by_guid(&bruno, &guid).unwrap(), None);
    assert_eq!(store.code_by_guid(&amira, "nope").unwrap(), None);
}

fn a_translators_file_attaches_in_one_action_or_not_at_all_alike(store: &mut impl Translating) {
    build(store);
    let amira = store.scope("amira", false, false).unwrap();
    let bruno = store.scope("bruno", false, false).unwrap();
    // amira's codings 1 and 2 (Rire, Sourire), bruno's 3 and 4.
    let own = store.quote_candidates(&amira, Book::Own).unwrap();
    assert_eq!(own.len(), 1);
    let found = store.coding_by_guid(&amira, &own[0].guid).unwrap().unwrap();
    assert_eq!((found.id, found.code_id, found.is_quote), (2, 3, false));
    assert_eq!(store.coding_by_guid(&bruno, &own[0].guid).unwrap(), None);
    let item = |coding: i64, text: &str| NewTranslation {
        coding,
        language: "en".parse().unwrap(),
        text: text.into(),
    };
    let entries = store.audit_log(100).unwrap().len();
    // bruno's coding 3 is not amira's to translate: nothing is written,
    // not even the first item or the code name.
    let refused = store
        .attach_translations_and_names(
            &amira,
            &[item(2, "smile"), item(3, "hesitated")],
            &[name(3, "en", "Smile")],
        )
        .unwrap_err();
    assert_eq!(refused.to_string(), "no coding 3 among those you can see");
    let empty = store
        .attach_translations_and_names(&amira, &[item(2, "  ")], &[])
        .unwrap_err();
    assert_eq!(empty.to_string(), "the translation of coding 2 is empty");
    assert_eq!(store.audit_log(100).unwrap().len(), entries);
    assert!(store.translations_of(&[2]).unwrap().is_empty());
    let done = store
        .attach_translations_and_names(
            &amira,
            &[item(1, "laughs"), item(2, "smile")],
            &[name(3, "en", "Smile")],
        )
        .unwrap();
    assert_eq!(done, (2, 1));
    let log = &store.audit_log(1).unwrap()[0];
    assert_eq!(
        (log.action.as_str(), log.target.as_deref()),
        ("coding.translate_many", Some("codings"))
    );
    assert_eq!(
        log.data["summary"],
        serde_json::json!({"translations": 2, "languages": ["en"], "code_names": 1})
    );
    assert_eq!(
        store.translations_of(&[2]).unwrap()[&2],
        [("en".to_owned(), "smile".to_owned())]
    );
    assert!(
        store
            .coding_by_guid(&amira, &own[0].guid)
            .unwrap()
            .unwrap()
            .is_quote
    );
    assert_eq!(store.code_names("en").unwrap()[&3], "Smile");
    // Again: the translation replaces, none is new.
    let again = store
        .attach_translations_and_names(&amira, &[item(2, "a smile")], &[])
        .unwrap();
    assert_eq!(again, (0, 0));
    // One undo takes back the whole file.
    store.undo("amira", 2).unwrap();
    assert!(store.translations_of(&[1, 2]).unwrap().is_empty());
    assert!(store.code_names("en").unwrap().is_empty());
    assert!(
        !store
            .coding_by_guid(&amira, &own[0].guid)
            .unwrap()
            .unwrap()
            .is_quote
    );
}

/// A code with names in other languages can be merged and deleted: its
/// names go with it, in the same undoable action.
fn a_named_code_merges_and_deletes_alike(store: &mut impl Translating) {
    build(store);
    let amira = store.scope("amira", false, false).unwrap();
    let cheer = NewCode {
        name: "Gaieté".into(),
        level: Some("idea".into()),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    // Codes 1 to 4 come from `build`: Gaieté is 5.
    let cheer = store.add_code(&amira, &cheer).unwrap();
    assert_eq!(cheer, 5);
    store
        .set_code_names(
            &amira,
            &[
                name(5, "en", "Cheer"),
                name(3, "en", "Smile"),
                name(2, "en", "Mood"),
            ],
        )
        .unwrap();
    let named = |store: &dyn Translations| -> Vec<(i64, String)> {
        let mut names: Vec<_> = store.code_names("en").unwrap().into_iter().collect();
        names.sort();
        names
    };
    // Gaieté (no coding) into Sourire: Sourire keeps its own name.
    assert_eq!(store.merge_codes(&amira, 5, 3).unwrap(), 0);
    assert_eq!(named(store), [(2, "Mood".into()), (3, "Smile".into())]);
    // Humeur has no coding of its own: deleted, Sourire moves up.
    store.delete_code(&amira, 2, None).unwrap();
    assert_eq!(named(store), [(3, "Smile".into())]);
    store.undo("amira", 2).unwrap();
    assert_eq!(
        named(store),
        [(2, "Mood".into()), (3, "Smile".into()), (5, "Cheer".into())]
    );
}

fn tables(store: &impl Transfer) -> Vec<TableRows> {
    CARRIED
        .iter()
        .map(|t| store.read_table(t).unwrap())
        .collect()
}

#[test]
fn code_names_go_to_postgres_and_back_and_undo_there() {
    let Some(study) = pg::study("copy_code_names") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lite =
        SqliteStore::create(&dir.path().join("s.vbt"), &fixture::settings(), "tester").unwrap();
    build(&mut lite);
    let amira = lite.scope("amira", false, false).unwrap();
    lite.set_code_names(&amira, &[name(2, "en", "Mood")])
        .unwrap();
    // Carried, not refused: nothing is left behind.
    assert!(lite.uncarried().unwrap().is_empty());
    let mut there = PgStore::create_copy(&study.address, &tables(&lite)).unwrap();
    assert_eq!(
        there.carried_counts().unwrap(),
        lite.carried_counts().unwrap()
    );
    assert_eq!(there.code_names("en").unwrap()[&2], "Mood");
    // The copied entry undoes on PostgreSQL, and the next name takes the
    // next id.
    there.undo("amira", 1).unwrap();
    assert!(there.code_names("en").unwrap().is_empty());
    there
        .set_code_names(&amira, &[name(3, "en", "Smile")])
        .unwrap();
    let back = SqliteStore::create_copy(&dir.path().join("back.vbt"), &tables(&there)).unwrap();
    assert_eq!(Translations::code_names(&back, "en").unwrap()[&3], "Smile");
    let rows = back.read_table("code_translations").unwrap();
    assert_eq!(rows.rows.len(), 1);
    assert_eq!(rows.rows[0][0], verbatim_store::transfer::Cell::Int(2));
}

/// A study made before migration 0011 (while 0012 was applied: numbers
/// come from parallel branches) gets the code names' table when opened.
#[test]
fn a_study_made_before_code_names_gets_their_table_when_opened() {
    let Some(study) = pg::study("code_names_upgrade") else {
        return;
    };
    pg::create(&study);
    let schema = study.address.study();
    study
        .admin()
        .batch_execute(&format!(
            "SET search_path TO \"{schema}\"; DROP TABLE code_translations; \
             DELETE FROM verbatim_migrations WHERE version = 11"
        ))
        .unwrap();
    let mut store = PgStore::open(&study.address).unwrap();
    build(&mut store);
    let amira = store.scope("amira", false, false).unwrap();
    store
        .set_code_names(&amira, &[name(2, "en", "Mood")])
        .unwrap();
    assert_eq!(store.code_names("en").unwrap()[&2], "Mood");
}
