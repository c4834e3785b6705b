//! The `Deidentifying` trait's behaviour, written once and run on SQLite
//! and PostgreSQL by `conformance!`: the same replacements in the same
//! places, spans moved alike, sealed entries reported, the audit log
//! redacted, refusals that change nothing; and a de-identified study
//! copied to PostgreSQL and back with its record.

use verbatim_core::Span;
use verbatim_store::transfer::{CARRIED, TableRows, Transfer};
use verbatim_store::{
    Book, Codebook, Coders, CodingFilter, Codings, Deidentifying, EntryKind, Journal, MemoTarget,
    Memos, NamesList, NewCode, Replacement, SealedHit, SourceRef, SqliteStore, Store, StoreError,
};
use verbatim_store_pg::PgStore;

use super::{fixture, pg};

conformance!(
    names_go_from_every_place_and_spans_keep_their_words_alike,
    a_dry_run_reports_the_same_and_writes_nothing,
    some_sources_only_and_refusals_change_nothing_alike,
    candidates_are_the_same_words_alike,
);

/// A study backend with what de-identification and its checks use.
pub trait Backend: Store + Coders + Codebook + Codings + Memos + Journal + Deidentifying {}
impl<T: Store + Coders + Codebook + Codings + Memos + Journal + Deidentifying> Backend for T {}

/// The note every test imports: 50 chars.
///
/// "Marie Dupont" is 0..12; " parle à " 12..21; "Paul" 21..25; ". " 25..27;
/// "marie DUPONT" 27..39; " revient " 39..48; "😀" 48; "." 49: 50 chars.
const NOTE: &str = "Marie Dupont parle à Paul. marie DUPONT revient 😀.";

/// The names file: two names (its SHA-256 is given, not computed).
fn names() -> NamesList {
    let rows = vec![
        vec!["real".to_owned(), "replacement".to_owned()],
        vec!["Marie Dupont".to_owned(), "[P1]".to_owned()],
        vec!["Paul".to_owned(), "[P2]".to_owned()],
    ];
    NamesList::parse(&rows, "5ha").unwrap()
}

fn line(place: &str, position: usize, before: &str, found: &str, after: &str) -> Replacement {
    let replacement = if found == "Paul" { "[P2]" } else { "[P1]" };
    Replacement {
        place: place.into(),
        position,
        before: before.into(),
        found: found.into(),
        replacement: replacement.into(),
        after: after.into(),
    }
}

/// Imports the note, codes two passages, writes a memo, a code and a
/// sealed preconception that name people; returns the code's and the
/// sealed entry's ids.
fn study_with_names(store: &mut impl Backend) -> (i64, i64) {
    store
        .import_batch("tester", vec![fixture::note("note", NOTE)])
        .unwrap();
    store.add_coder("tester", "amira", None, None).unwrap();
    let amira = store.scope("amira", false, false).unwrap();
    let new = NewCode {
        name: "Confiance de Paul".into(),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let code = store.add_code(&amira, &new).unwrap();
    // "Marie Dupont parle" 0..18 and "revient 😀" 40..49.
    for span in [Span::new(0, 18).unwrap(), Span::new(40, 49).unwrap()] {
        store.add_coding(&amira, 1, span, code, None).unwrap();
    }
    store
        .add_memo(&amira, &MemoTarget::Study, None, "Paul a parlé.")
        .unwrap();
    let sealed = store
        .add_entry(
            &amira,
            EntryKind::Preconception,
            "Attentes",
            "Je crois que Marie Dupont dira non.",
        )
        .unwrap();
    store.seal(&amira, sealed).unwrap();
    (code, sealed)
}

fn names_go_from_every_place_and_spans_keep_their_words_alike(store: &mut impl Backend) {
    let (code, sealed) = study_with_names(store);
    let report = store.deidentify("amira", &names(), None, false).unwrap();
    // The places first (memo 1 is the only memo; the code's name), then
    // the note's text, leftmost first.
    let code_place = format!("code {code}");
    assert_eq!(
        report.replacements,
        vec![
            line("memo 1", 0, "", "Paul", " a parlé."),
            line(&code_place, 13, "Confiance de ", "Paul", ""),
            line(
                "source note",
                0,
                "",
                "Marie Dupont",
                " parle à Paul. marie DUPONT revient 😀."
            ),
            line(
                "source note",
                21,
                "Marie Dupont parle à ",
                "Paul",
                ". marie DUPONT revient 😀."
            ),
            line(
                "source note",
                27,
                "Marie Dupont parle à Paul. ",
                "marie DUPONT",
                " revient 😀."
            ),
        ]
    );
    assert_eq!(report.names, 2);
    assert_eq!(report.names_sha256, "5ha");
    assert_eq!(report.sources_changed, 1);
    // "Marie Dupont parle" loses a name; "revient 😀" only moves.
    assert_eq!(report.codings_changed, 1);
    assert_eq!(
        report.sealed,
        vec![SealedHit {
            entry: sealed,
            title: "Attentes".into(),
            names: 1,
        }]
    );
    // Audit entries holding a name: the code's creation, the memo's, the
    // entry's (its body). The import keeps no text, the codings no name,
    // the seal only a hash: 3.
    assert_eq!(report.audit_redacted, 3);

    // 50 chars, minus 8 for each "Marie Dupont" → "[P1]", "Paul" → "[P2]"
    // keeps 4: 34.
    let new_text = "[P1] parle à [P2]. [P1] revient 😀.";
    let source = store.source(&SourceRef::Id(1)).unwrap();
    assert_eq!(source.text, new_text);
    assert_eq!(source.summary.chars, 34);
    assert_eq!(
        (source.turn_list[0].start, source.turn_list[0].end),
        (0, 34)
    );
    let amira = store.scope("amira", false, false).unwrap();
    let passages: Vec<(i64, i64, String)> = store
        .codings(&amira, &CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| (c.start, c.end, c.text))
        .collect();
    // "[P1] parle" is 0..10; "revient 😀" moved back by 16: 24..33.
    assert_eq!(
        passages,
        vec![(0, 10, "[P1] parle".into()), (24, 33, "revient 😀".into())]
    );
    let log = store.audit_log(2).unwrap();
    assert_eq!(log[0].action, "deidentify.apply");
    assert_eq!(log[0].data["summary"]["replacements"], 5);
    assert_eq!(log[0].data["summary"]["undoable"], false);
    assert_eq!(log[1].action, "history.redact");
    assert_eq!(log[1].data["entries"], 3);
    let records = store.deidentifications().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        (
            records[0].names,
            records[0].replacements,
            records[0].scope.as_str()
        ),
        (2, 5, "study")
    );
    // Only the sealed entry still holds a name.
    let left = store.deid_check(&names()).unwrap();
    let places: Vec<&str> = left.iter().map(|r| r.place.as_str()).collect();
    assert_eq!(places, vec![format!("sealed journal entry {sealed}")]);
    assert!(store.verify_journal().unwrap().is_empty());
}

fn a_dry_run_reports_the_same_and_writes_nothing(store: &mut impl Backend) {
    study_with_names(store);
    let log_before = store.audit_log(100).unwrap();
    let dry = store.deidentify("amira", &names(), None, true).unwrap();
    assert!(dry.dry_run);
    assert_eq!(store.source(&SourceRef::Id(1)).unwrap().text, NOTE);
    assert_eq!(store.audit_log(100).unwrap(), log_before);
    assert!(store.deidentifications().unwrap().is_empty());
    // Still there: 3 in the note, the memo, the code, the sealed entry;
    // in the log, the code's creation twice (its summary and its row), the
    // memo's and the entry's once: 6 + 4 = 10.
    assert_eq!(store.deid_check(&names()).unwrap().len(), 10);
    let done = store.deidentify("amira", &names(), None, false).unwrap();
    assert_eq!(done.replacements, dry.replacements);
    assert_eq!(done.audit_redacted, dry.audit_redacted);
}

fn some_sources_only_and_refusals_change_nothing_alike(store: &mut impl Backend) {
    study_with_names(store);
    store
        .import_batch("tester", vec![fixture::note("Paul", "Paul revient.")])
        .unwrap();
    let log_before = store.audit_log(100).unwrap();
    let refused = store.deidentify("amira", &names(), Some(&[1, 9]), false);
    assert!(matches!(refused, Err(StoreError::SourceNotFound(s)) if s == "9"));
    // Source 2 is named "Paul": renaming it "[P2]" is fine, but a source
    // named "[P2]" already would clash.
    store
        .import_batch("tester", vec![fixture::note("[P2]", "Autre texte.")])
        .unwrap();
    let log_before_clash = store.audit_log(100).unwrap();
    let err = store
        .deidentify("amira", &names(), Some(&[2]), false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("replacing the names in source name 2 would make it identical to another one"),
        "{err}"
    );
    assert_eq!(store.audit_log(100).unwrap(), log_before_clash);
    assert_eq!(
        store.source(&SourceRef::Id(2)).unwrap().text,
        "Paul revient."
    );
    assert!(log_before.len() + 1 == log_before_clash.len());

    // Source 1 only: its text and its codings' memos change; the study
    // memo, the code and the journal are not tied to it and stay.
    let report = store
        .deidentify("amira", &names(), Some(&[1]), false)
        .unwrap();
    let places: Vec<&str> = report
        .replacements
        .iter()
        .map(|r| r.place.as_str())
        .collect();
    assert_eq!(places, vec!["source note"; 3]);
    assert!(report.sealed.is_empty());
    assert_eq!(store.deidentifications().unwrap()[0].scope, "sources 1");
    assert_eq!(
        store.source(&SourceRef::Id(2)).unwrap().text,
        "Paul revient."
    );
}

fn candidates_are_the_same_words_alike(store: &mut impl Backend) {
    // "Hier" opens the text, "et", "ont", "vu", "dort" are lower case,
    // "P01" (the speaker label) has a digit: left out. "Marie" is on the
    // names file. "Paul" opens a sentence but is a known first name.
    let text = "Hier, Marie et Jean-Pierre ont vu Bichat. Paul dort.";
    store
        .import_batch("tester", vec![fixture::note("n", text)])
        .unwrap();
    let rows = vec![vec!["Marie".to_owned(), "[P1]".to_owned()]];
    let list = NamesList::parse(&rows, "x").unwrap();
    let found: Vec<(String, String, usize)> = store
        .deid_candidates(Some(&list))
        .unwrap()
        .into_iter()
        .map(|c| (c.word, c.kind, c.count))
        .collect();
    assert_eq!(
        found,
        vec![
            ("Bichat".into(), "capitalised".into(), 1),
            ("Jean-Pierre".into(), "capitalised".into(), 1),
            ("Paul".into(), "first name".into(), 1),
        ]
    );
    let all = store.deid_candidates(None).unwrap();
    assert_eq!(all.len(), 4);
    let marie = all.iter().find(|c| c.word == "Marie").unwrap();
    // 40 chars after the name: the final "." is the 41st.
    assert_eq!(
        marie.context,
        "Hier, [Marie] et Jean-Pierre ont vu Bichat. Paul dort"
    );
}

fn tables(store: &impl Transfer) -> Vec<TableRows> {
    let mut tables: Vec<TableRows> = CARRIED
        .iter()
        .map(|t| store.read_table(t).unwrap())
        .collect();
    for t in &mut tables {
        t.rows.sort_by_key(|row| format!("{row:?}"));
    }
    tables
}

#[test]
fn a_deidentified_study_copies_to_postgres_and_back_with_its_record() {
    let Some(study) = pg::study("deid_copy") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lite =
        SqliteStore::create(&dir.path().join("s.vbt"), &fixture::settings(), "tester").unwrap();
    study_with_names(&mut lite);
    Deidentifying::deidentify(&mut lite, "amira", &names(), None, false).unwrap();
    assert!(lite.uncarried().unwrap().is_empty());
    let original = tables(&lite);
    let there = PgStore::create_copy(&study.address, &original).unwrap();
    assert_eq!(tables(&there), original);
    let record = Deidentifying::deidentifications(&lite).unwrap();
    assert_eq!(record.len(), 1);
    assert_eq!(there.deidentifications().unwrap(), record);
    let back = SqliteStore::create_copy(&dir.path().join("back.vbt"), &tables(&there)).unwrap();
    assert_eq!(tables(&back), original);
    assert_eq!(Deidentifying::deidentifications(&back).unwrap(), record);
}

#[test]
fn the_audit_log_is_append_only_again_after_a_redaction_on_the_server() {
    let Some(study) = pg::study("deid_append_only") else {
        return;
    };
    let mut store = pg::create(&study);
    study_with_names(&mut store);
    let report = store.deidentify("amira", &names(), None, false).unwrap();
    assert_eq!(report.audit_redacted, 3);
    let mut admin = study.admin();
    let schema = study.address.study();
    for statement in [
        format!("UPDATE \"{schema}\".audit SET actor = 'mallory'"),
        format!("DELETE FROM \"{schema}\".audit"),
    ] {
        let err = admin.batch_execute(&statement).unwrap_err();
        let message = err.as_db_error().map(|d| d.message().to_owned());
        assert_eq!(
            message.as_deref(),
            Some("the audit log is append-only"),
            "{statement}"
        );
    }
    // A dry run's redaction is rolled back with the rest: still refused.
    let mut store = store;
    store.deidentify("amira", &names(), None, true).unwrap();
    let err = admin
        .batch_execute(&format!("DELETE FROM \"{schema}\".audit"))
        .unwrap_err();
    assert!(err.as_db_error().is_some());
}
