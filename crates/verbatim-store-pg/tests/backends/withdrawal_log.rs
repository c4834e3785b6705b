//! A withdrawn participant's words leave the audit log in every wording it
//! recorded, on SQLite and PostgreSQL alike: the text before a typo fixed
//! in their turn, that fix's removed and inserted words, the translation
//! of their coded passage and the memo on it. The other participant's
//! words, and the log's entries, stay. The last two tests scan every
//! column of every table of each engine's database.

use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
use verbatim_store::{
    Book, History, ImportItem, MemoTarget, Memos, NewCode, NewParticipant, Participants,
    SourceEdits, SourceRef, WITHDRAWN_NOTICE, WithdrawReport, Withdrawing,
};

use super::coding::Backend;

conformance!(
    every_recorded_wording_of_the_withdrawn_speech_leaves_the_log,
    every_version_of_a_memo_on_their_speech_leaves_the_log,
);

/// A backend that withdraws participants, edits sources and translates.
pub trait Withdraws:
    Backend + Participants + Withdrawing + History + SourceEdits + verbatim_store::CodingEdits
{
}
impl<T> Withdraws for T where
    T: Backend + Participants + Withdrawing + History + SourceEdits + verbatim_store::CodingEdits
{
}

/// A follow-up interview written for this test, with a typo ("médcins")
/// in CSI-2's turn. "INT : " is 6 chars, so INT's speech is 6..35 (29
/// chars); the newline is 35, "CSI-2 : " 36..44, CSI-2's speech 44..76 (32
/// chars); newline 76, "INT : " 77..83, "Et vous ?" 83..92; newline 92,
/// "CSI-3 : " 93..101, CSI-3's speech 101..134 (33 chars): 134 chars.
const SUIVI: &str = "INT : Comment vivez-vous le suivi ?\n\
CSI-2 : Je me méfie des médcins pressés.\n\
INT : Et vous ?\n\
CSI-3 : Ma généraliste m'écoute toujours.";

/// What CSI-2 said, wrote about them or translated from them: none may
/// remain anywhere once they withdrew.
const GONE: [&str; 9] = [
    "pharmacienne",
    "wary",
    "méfie",
    "médcins",
    "médecins",
    "pressés",
    "horaires",
    "distrust",
    "Jeanne Morel",
];

fn turn(speaker: &str, start: usize, end: usize) -> Turn {
    Turn {
        speaker: Some(speaker.into()),
        span: Span::new(start, end).unwrap(),
        begin_ms: None,
        end_ms: None,
    }
}

/// A second interview, removed before the withdrawal: "INT : " 0..6,
/// "Et la pharmacie ?" 6..23 (17 chars), newline 23, "CSI-2 : " 24..32,
/// "Je préfère la pharmacienne du village." 32..70 (38 chars).
const RAPPEL: &str = "INT : Et la pharmacie ?\nCSI-2 : Je préfère la pharmacienne du village.";

fn suivi() -> ImportItem {
    let turns = vec![
        turn("INT", 6, 35),
        turn("CSI-2", 44, 76),
        turn("INT", 83, 92),
        turn("CSI-3", 101, 134),
    ];
    item("suivi", SUIVI, turns)
}

fn rappel() -> ImportItem {
    item(
        "rappel",
        RAPPEL,
        vec![turn("INT", 6, 23), turn("CSI-2", 32, 70)],
    )
}

fn item(name: &str, text: &str, turns: Vec<Turn>) -> ImportItem {
    let source = NormalisedSource::new(
        Format::Txt,
        text.into(),
        turns,
        Vec::new(),
        SourceMetadata::default(),
    )
    .unwrap();
    ImportItem {
        name: name.into(),
        original_path: None,
        kind: SourceKind::Interview,
        site: None,
        language: None,
        source,
    }
}

/// Imports the interview, names both participants, fixes the typo in
/// CSI-2's turn, codes and translates a passage of each (a memo on
/// CSI-2's), then withdraws CSI-2. Returns the report and how many
/// entries the log held just before the withdrawal.
fn withdraw_after_a_history(store: &mut impl Withdraws) -> (WithdrawReport, usize) {
    store
        .import_batch("tester", vec![suivi(), rappel()])
        .unwrap();
    for (code, label) in [("CSI-2", Some("Jeanne Morel")), ("CSI-3", None)] {
        let who = NewParticipant {
            code: Some(code.into()),
            label: label.map(str::to_owned),
            site: None,
        };
        store.add_participant("tester", &who).unwrap();
    }
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let new = NewCode {
        name: "Confiance".into(),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let code = store.add_code(&me, &new).unwrap();
    let en = "en".parse().unwrap();
    // A coding on "Je me méfie" (44..55), translated, then removed before
    // the typo is fixed: its translation is in two entries of the log.
    let (early, _) = store
        .add_coding(&me, 1, Span::new(44, 55).unwrap(), code, None)
        .unwrap();
    store.translate(&me, early, &en, "I am wary").unwrap();
    store.remove_coding(&me, early).unwrap();
    // "médcins" is 60..67 (44 + "Je me méfie des " 16); "médecins" has one
    // char more, so CSI-2's speech becomes 44..77 and CSI-3's 102..135.
    store
        .edit_source(&me, 1, Span::new(60, 67).unwrap(), "médecins")
        .unwrap();
    let record = store.source(&SourceRef::Id(1)).unwrap();
    assert_eq!(record.text.chars().count(), 135);
    // "méfie des médecins pressés" is 50..76 (44 + "Je me " 6, 26 chars);
    // "m'écoute toujours" is 117..134 (102 + "Ma généraliste " 15, 17 chars).
    let memo = Some("colère contre les horaires");
    let (theirs, _) = store
        .add_coding(&me, 1, Span::new(50, 76).unwrap(), code, memo)
        .unwrap();
    let (others, _) = store
        .add_coding(&me, 1, Span::new(117, 134).unwrap(), code, None)
        .unwrap();
    store
        .translate(&me, theirs, &en, "distrust of doctors in a hurry")
        .unwrap();
    store
        .translate(&me, others, &en, "always listens to me")
        .unwrap();
    // The second interview goes; its removal records its text and turns.
    store.remove_source("tester", 2).unwrap();
    let before = store.audit_log(1000).unwrap().len();
    let report = store.withdraw_participant("tester", "CSI-2").unwrap();
    (report, before)
}

fn every_recorded_wording_of_the_withdrawn_speech_leaves_the_log(store: &mut impl Withdraws) {
    let (report, before) = withdraw_after_a_history(store);
    let s = &report.sources[0];
    // "Je me méfie des médecins pressés." is 33 chars, one turn.
    assert_eq!((s.turns_removed, s.chars_removed), (1, 33));
    assert_eq!(s.codings_deleted.get("amira"), Some(&1));
    // Seven earlier entries held CSI-2's words: the participant's row (the
    // label), the removed coding's translation and its removal (the row
    // deleted), the edit (the text before and after, and the "e" it
    // inserted: "méd" and "cins" are kept, so it narrowed to 63..63), the
    // coding (its memo), its translation, and the second interview's
    // removal (its text).
    assert_eq!(report.audit_redacted, 7);
    let log = store.audit_log(1000).unwrap();
    // Nothing was dropped: the redaction entry and the withdrawal's own.
    assert_eq!(log.len(), before + 2);
    assert_eq!(log[0].action, "participant.withdraw");
    assert_eq!(log[1].action, "history.redact");
    assert_eq!(log[1].data["entries"], 7);
    // The removed interview's text keeps the interviewer's words.
    let removal = log.iter().find(|e| e.action == "source.remove").unwrap();
    let text = removal.data["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["table"] == "source_texts")
        .map(|c| c["before"]["text"].clone())
        .unwrap();
    assert_eq!(
        text.as_str().unwrap(),
        format!("INT : Et la pharmacie ?\nCSI-2 : {WITHDRAWN_NOTICE}")
    );
    let all: Vec<String> = log.iter().map(|e| e.data.to_string()).collect();
    for (entry, data) in log.iter().zip(&all) {
        for word in GONE {
            assert!(
                !data.contains(word),
                "{} keeps {word}: {data}",
                entry.action
            );
        }
    }
    // The edit's entry keeps its shape and CSI-3's words, before and after.
    let edit = log.iter().find(|e| e.action == "source.edit").unwrap();
    let texts: Vec<&str> = edit.data["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["table"] == "source_texts")
        .flat_map(|c| [c["before"]["text"].as_str(), c["after"]["text"].as_str()])
        .map(Option::unwrap)
        .collect();
    let withdrawn = format!(
        "INT : Comment vivez-vous le suivi ?\nCSI-2 : {WITHDRAWN_NOTICE}\nINT : Et vous ?\n\
         CSI-3 : Ma généraliste m'écoute toujours."
    );
    assert_eq!(texts, [withdrawn.as_str(), withdrawn.as_str()]);
    assert_eq!(edit.data["summary"]["inserted"], WITHDRAWN_NOTICE);
    assert_eq!(edit.data["summary"]["start"], 63);
    assert_eq!(edit.data["summary"]["removed"], "");
    assert!(all.iter().any(|d| d.contains("always listens to me")));
    assert_eq!(store.source(&SourceRef::Id(1)).unwrap().text, withdrawn);
}

/// Every wording, titles included, of the memos about CSI-2's speech: a
/// memo on their coding (written, then edited twice), one on CSI-2
/// themselves (edited once), and their coding's own memo column (set,
/// then changed twice).
const THEIR_MEMOS: [&str; 10] = [
    "titre provisoire",
    "première lecture : défiance",
    "titre revu",
    "deuxième lecture : défiance tenace",
    "troisième lecture : défiance envers les soignants",
    "portrait initial de la participante",
    "portrait complété de la participante",
    "note un sur la méfiance",
    "note deux sur la méfiance",
    "note trois sur la méfiance",
];

/// Every wording of the memos about CSI-3's speech: they stay.
const OTHER_MEMOS: [&str; 5] = [
    "titre sur l'écoute",
    "lecture de l'écoute, version une",
    "lecture de l'écoute, version deux",
    "remarque une sur l'écoute",
    "remarque deux sur l'écoute",
];

fn every_version_of_a_memo_on_their_speech_leaves_the_log(store: &mut (impl Withdraws + Memos)) {
    store.import_batch("tester", vec![suivi()]).unwrap();
    for code in ["CSI-2", "CSI-3"] {
        let who = NewParticipant {
            code: Some(code.into()),
            label: None,
            site: None,
        };
        store.add_participant("tester", &who).unwrap();
    }
    store.add_coder("tester", "amira", None, None).unwrap();
    let me = store.scope("amira", false, false).unwrap();
    let new = NewCode {
        name: "Confiance".into(),
        book: Some(Book::Own),
        ..NewCode::default()
    };
    let code = store.add_code(&me, &new).unwrap();
    let [t1, b1, t2, b2, b3, p1, p2, c1, c2, c3] = THEIR_MEMOS;
    let [ot, o1, o2, r1, r2] = OTHER_MEMOS;
    // "Je me méfie" is 44..55 in CSI-2's speech (44..76); "m'écoute
    // toujours" is 116..133 in CSI-3's (101 + "Ma généraliste " 15).
    let (theirs, _) = store
        .add_coding(&me, 1, Span::new(44, 55).unwrap(), code, Some(c1))
        .unwrap();
    let (others, _) = store
        .add_coding(&me, 1, Span::new(116, 133).unwrap(), code, Some(r1))
        .unwrap();
    let on_theirs = store
        .add_memo(&me, &MemoTarget::Coding(theirs), Some(t1), b1)
        .unwrap();
    store.edit_memo(&me, on_theirs, Some(t2), Some(b2)).unwrap();
    store.edit_memo(&me, on_theirs, None, Some(b3)).unwrap();
    let on_them = store
        .add_memo(&me, &MemoTarget::Participant("CSI-2".into()), None, p1)
        .unwrap();
    store.edit_memo(&me, on_them, None, Some(p2)).unwrap();
    let on_others = store
        .add_memo(&me, &MemoTarget::Coding(others), Some(ot), o1)
        .unwrap();
    store.edit_memo(&me, on_others, None, Some(o2)).unwrap();
    store.set_coding_memo(&me, others, Some(r2)).unwrap();
    store.set_coding_memo(&me, theirs, Some(c2)).unwrap();
    store.set_coding_memo(&me, theirs, Some(c3)).unwrap();
    let report = store.withdraw_participant("tester", "CSI-2").unwrap();
    assert_eq!(report.sources[0].codings_deleted.get("amira"), Some(&1));
    assert_eq!(report.memos_removed, 1);
    let log = store.audit_log(1000).unwrap();
    let all: Vec<String> = log.iter().map(|e| e.data.to_string()).collect();
    for (entry, data) in log.iter().zip(&all) {
        for wording in THEIR_MEMOS {
            assert!(
                !data.contains(wording),
                "{} keeps {wording}: {data}",
                entry.action
            );
        }
    }
    // Every version of the memos on CSI-3's passage is still there: the
    // withdrawal blanked only what was about CSI-2.
    for wording in OTHER_MEMOS {
        assert!(all.iter().any(|d| d.contains(wording)), "{wording} is gone");
    }
    // The rewritten edits carry the withdrawal's mark, so amira's last
    // action (her coding memo's change) cannot be undone.
    let edits = log.iter().filter(|e| {
        e.action == "memo.edit" && e.target.as_deref() != Some(&format!("memo:{on_others}"))
    });
    for edit in edits.chain(log.iter().filter(|e| e.action == "coding.memo").take(2)) {
        assert_eq!(
            edit.data["redacted"], "participant.withdraw",
            "{}",
            edit.action
        );
    }
    let refused = store.undo("amira", 1).unwrap_err().to_string();
    assert!(refused.contains("withdrawal"), "{refused}");
}

/// Every text cell of every table, one line per row.
fn sqlite_dump(path: &std::path::Path) -> Vec<String> {
    use rusqlite::types::ValueRef;
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let cols = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let cells: Vec<String> = (0..cols)
                .map(|i| match row.get_ref(i).unwrap() {
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        String::from_utf8_lossy(t).into_owned()
                    }
                    other => format!("{other:?}"),
                })
                .collect();
            out.push(format!("{table}: {}", cells.join(" | ")));
        }
    }
    out
}

/// Asserts no line of `dump` holds a withdrawn word, and some still hold
/// CSI-3's.
fn assert_only_others_remain(dump: &[String]) {
    for line in dump {
        for word in GONE {
            assert!(!line.contains(word), "{word} is left: {line}");
        }
    }
    assert!(dump.iter().any(|l| l.contains("généraliste")));
    assert!(dump.iter().any(|l| l.contains("always listens to me")));
}

#[test]
fn no_table_of_the_study_file_keeps_the_withdrawn_words() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.vbt");
    let mut store =
        verbatim_store::SqliteStore::create(&path, &super::fixture::settings(), "tester").unwrap();
    withdraw_after_a_history(&mut store);
    drop(store);
    assert_only_others_remain(&sqlite_dump(&path));
}

#[test]
fn no_table_of_the_postgresql_study_keeps_the_withdrawn_words() {
    let Some(study) = super::pg::study("withdraw_log_dump") else {
        return;
    };
    let mut store = super::pg::create(&study);
    withdraw_after_a_history(&mut store);
    let schema = study.address.study();
    let mut admin = study.admin();
    let tables: Vec<String> = admin
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = $1 ORDER BY 1",
            &[&schema],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(tables.iter().any(|t| t == "audit"), "{tables:?}");
    let mut dump = Vec::new();
    for table in tables {
        let sql = format!("SELECT t::text FROM \"{schema}\".\"{table}\" t");
        for row in admin.query(&sql, &[]).unwrap() {
            // A row as text escapes bytea as hex: the media table's bytes
            // are not text anyway, and this study holds none.
            let line: String = row.get(0);
            dump.push(format!("{table}: {line}"));
        }
    }
    assert_only_others_remain(&dump);
}
