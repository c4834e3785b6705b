//! A study copied table by table (`verbatim_store::transfer`): SQLite →
//! PostgreSQL → SQLite keeps every carried row, and a copy that fails
//! leaves no study behind, nor changes one that exists.

use verbatim_core::Span;
use verbatim_store::transfer::{CARRIED, Cell, TableRows, Transfer};
use verbatim_store::{
    Accounts, Book, Codebook, Coders, Codings, LoginEvent, NewCode, Role, SqliteStore, Store,
    StoreError,
};
use verbatim_store_pg::PgStore;

use super::{fixture, pg};

fn tables(store: &impl Transfer) -> Vec<TableRows> {
    CARRIED
        .iter()
        .map(|t| store.read_table(t).unwrap())
        .collect()
}

/// Each table's rows in a fixed order (engines return them in their own).
fn sorted(mut tables: Vec<TableRows>) -> Vec<TableRows> {
    for t in &mut tables {
        t.rows.sort_by_key(|row| format!("{row:?}"));
    }
    tables
}

fn coded(store: &mut (impl Store + Coders + Codebook + Codings)) {
    store
        .import_batch("amira", vec![fixture::interview("entretien")])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let theme = NewCode {
        name: "Humeur".into(),
        level: Some("theme".into()),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let theme = store.add_code(&me, &theme).unwrap();
    let idea = NewCode {
        name: "Rire".into(),
        parent: Some(theme),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let idea = store.add_code(&me, &idea).unwrap();
    store
        .add_coding(&me, 1, Span::new(22, 28).unwrap(), idea, Some("rit"))
        .unwrap();
}

#[test]
fn a_study_copied_to_postgres_and_back_keeps_every_row() {
    let Some(study) = pg::study("copy_round_trip") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lite =
        SqliteStore::create(&dir.path().join("s.vbt"), &fixture::settings(), "tester").unwrap();
    coded(&mut lite);
    // The team server's people go along: an account, its session, an
    // invitation and a login, and the account named in the log.
    lite.act_as_account(Some("amira")).unwrap();
    lite.add_account("tester", "amira", Role::Coder, "secret-amira-1")
        .unwrap();
    let session = lite.open_session("amira").unwrap();
    let invitation = lite.invite("amira", "bruno", Role::Viewer).unwrap();
    lite.record_login("amira", LoginEvent::Login, Some("127.0.0.1"))
        .unwrap();
    assert!(lite.uncarried().unwrap().is_empty());
    let original = sorted(tables(&lite));
    let there = PgStore::create_copy(&study.address, &original).unwrap();
    assert_eq!(sorted(tables(&there)), original);
    let back = SqliteStore::create_copy(&dir.path().join("back.vbt"), &tables(&there)).unwrap();
    assert_eq!(sorted(tables(&back)), original);
    for copy in [&there as &dyn Accounts, &back] {
        assert_eq!(copy.session(&session).unwrap().unwrap().name, "amira");
        assert_eq!(copy.invitation(&invitation).unwrap().name, "bruno");
        assert_eq!(copy.login_log(5).unwrap(), lite.login_log(5).unwrap());
    }
    assert_eq!(
        there.audit_log(1).unwrap()[0].account.as_deref(),
        Some("amira")
    );
    // The copy goes on: the next ids follow the copied ones on both.
    let mut there = there;
    let me = there.scope("amira", false, false).unwrap();
    let (id, new) = there
        .add_coding(&me, 1, Span::new(6, 13).unwrap(), 2, None)
        .unwrap();
    assert_eq!((id, new), (2, true));
    // 1 creation + 1 import + 1 coder + 2 codes + 2 codings + 1 account
    // + 1 invitation = 9 entries.
    assert_eq!(there.audit_log(100).unwrap().len(), 9);
    // The account ids follow the copied ones too: dora is account 2.
    there
        .add_account("tester", "dora", Role::Viewer, "secret-dora-1")
        .unwrap();
    assert_eq!(
        there.audit_log(1).unwrap()[0].target.as_deref(),
        Some("account:2")
    );
}

#[test]
fn a_failed_copy_leaves_no_study_and_an_existing_one_untouched() {
    let Some(study) = pg::study("copy_failures") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lite =
        SqliteStore::create(&dir.path().join("s.vbt"), &fixture::settings(), "tester").unwrap();
    coded(&mut lite);
    let mut broken = tables(&lite);
    // A coding whose code does not exist: refused by both engines' keys.
    let codings = broken.iter_mut().find(|t| t.table == "codings").unwrap();
    let code_at = codings.columns.iter().position(|c| c == "code_id").unwrap();
    codings.rows[0][code_at] = Cell::Int(99);
    let target = dir.path().join("copie.vbt");
    assert!(SqliteStore::create_copy(&target, &broken).is_err());
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("copie"))
        .collect();
    assert!(left.is_empty(), "nothing of the copy is left: {left:?}");
    assert!(PgStore::create_copy(&study.address, &broken).is_err());
    assert!(matches!(
        PgStore::open(&study.address),
        Err(StoreError::NoStudy(_))
    ));
    // Over an existing study: refused, and the study is as it was.
    let existing = pg::create(&study);
    let err = PgStore::create_copy(&study.address, &tables(&lite)).unwrap_err();
    assert!(matches!(err, StoreError::StudyExists(_)), "{err:?}");
    assert!(existing.sources().unwrap().is_empty());
    let err = SqliteStore::create_copy(&dir.path().join("s.vbt"), &tables(&lite)).unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
}

#[test]
fn guides_and_done_marks_copy_to_postgres_and_back() {
    use verbatim_store::{Guides, SourceRef};
    let Some(study) = pg::study("copy_guides") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lite =
        SqliteStore::create(&dir.path().join("s.vbt"), &fixture::settings(), "tester").unwrap();
    coded(&mut lite);
    // Two versions, the first with a sub-question, the source using it.
    let v1 = "1. Comment allez-vous ?\n   - Et au travail ?\n2. Quel budget ?\n";
    lite.add_guide("tester", "Guide", v1, None, None).unwrap();
    lite.add_guide(
        "tester",
        "Guide",
        "1. Et demain ?\n",
        None,
        Some("2026-03-12"),
    )
    .unwrap();
    lite.use_guide("tester", &SourceRef::Id(1), "Guide", Some(1))
        .unwrap();
    let amira = lite.scope("amira", false, false).unwrap();
    lite.set_source_done("amira", &amira, 1, true).unwrap();
    // Nothing is left behind: guides and done marks are carried.
    assert!(lite.uncarried().unwrap().is_empty());
    let original = sorted(tables(&lite));
    let count = |name: &str| {
        let t = original.iter().find(|t| t.table == name).unwrap();
        t.rows.len()
    };
    // 1 guide, 2 versions, 3 + 1 questions, 1 use, 1 done mark.
    let counts: Vec<usize> = [
        "guides",
        "guide_versions",
        "guide_questions",
        "source_guides",
        "source_done",
    ]
    .iter()
    .map(|t| count(t))
    .collect();
    assert_eq!(counts, [1, 2, 4, 1, 1]);
    let there = PgStore::create_copy(&study.address, &original).unwrap();
    assert_eq!(sorted(tables(&there)), original);
    assert_eq!(there.guides().unwrap(), lite.guides().unwrap());
    let back = SqliteStore::create_copy(&dir.path().join("back.vbt"), &tables(&there)).unwrap();
    assert_eq!(sorted(tables(&back)), original);
    // The copy goes on: a third version follows the copied ids.
    let mut there = there;
    let v3 = there
        .add_guide("tester", "guide", "1. Enfin ?\n", None, None)
        .unwrap();
    assert_eq!(v3.version, 3);
    assert_eq!(
        there.audit_log(1).unwrap()[0].target.as_deref(),
        Some("guide:1")
    );
}
