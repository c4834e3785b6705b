//! A whole project written at once (`Exchange::import_project`, what
//! `verbatim import project` writes), run on SQLite and PostgreSQL by
//! `conformance!`: the rows a plan makes, counted by hand, its audit
//! entries, and a plan that fails half-way leaving every table as it was.

use verbatim_store::transfer::Transfer;
use verbatim_store::{
    AppliesTo, AttrType, Exchange, ImportPlan, ImportedCounts, PlanAttribute, PlanCode, PlanCoder,
    PlanCoding, PlanJournal, PlanMemo, PlanParticipant, PlanSource, PlanTarget, Store, StoreError,
    seal_hash,
};

use super::fixture;

/// A backend that imports projects and can count its tables.
pub trait Planning: Store + Exchange + Transfer {}
impl<T: Store + Exchange + Transfer> Planning for T {}

conformance!(
    a_project_writes_its_rows_and_one_import_entry,
    a_project_failing_half_way_leaves_every_table_as_it_was,
);

fn code(name: &str, level: i64, parent: Option<usize>) -> PlanCode {
    PlanCode {
        guid: None,
        owner: Some(0),
        name: name.into(),
        level,
        parent,
        colour: None,
        definition: None,
        inclusion: None,
        exclusion: None,
        example: None,
        codable: true,
    }
}

fn coding(code: usize, start: i64, end: i64) -> PlanCoding {
    PlanCoding {
        guid: None,
        source: 0,
        code,
        coder: 0,
        start,
        end,
        memo: None,
        created_at: Some("2026-03-02T10:00:00Z".into()),
    }
}

/// Amira's project on the fixture interview: a theme and its idea, three
/// codings of which one repeats another, a site, a participant speaking
/// as CSI-2 with an age, a memo on a coding and a sealed preconception.
fn project() -> ImportPlan {
    let (sealed_at, written_at) = ("2026-03-01T09:00:00Z", "2026-03-01T08:00:00Z");
    let guid = "eeeeeeee-0000-4000-8000-000000000001";
    let body = "Je m'attends à de la méfiance.";
    ImportPlan {
        coders: vec![PlanCoder {
            name: "amira".into(),
            guid: Some("aaaaaaaa-0000-4000-8000-000000000001".into()),
        }],
        sources: vec![PlanSource {
            guid: Some("dddddddd-0000-4000-8000-000000000001".into()),
            item: fixture::interview("entretien"),
            speaker_map: vec![("CSI-2".into(), Some(0))],
        }],
        codes: vec![code("Relation", 3, None), code("Humour", 1, Some(0))],
        code_links: vec![],
        // Turn CSI-2 is 22..28 ("Oui 😀."); the second coding repeats
        // the first.
        codings: vec![coding(1, 22, 28), coding(1, 22, 28), coding(0, 6, 13)],
        sites: vec![("Centre de santé".into(), "CS".into())],
        attributes: vec![PlanAttribute {
            name: "âge".into(),
            applies_to: AppliesTo::Participant,
            kind: AttrType::Number,
            allowed: vec![],
        }],
        participants: vec![PlanParticipant {
            guid: None,
            code: Some("CSI-2".into()),
            label: None,
            site: Some(0),
            values: vec![(0, "54".into())],
        }],
        source_values: vec![],
        memos: vec![PlanMemo {
            guid: None,
            target: PlanTarget::Coding(2),
            coder: Some(0),
            title: None,
            author: Some("amira".into()),
            written_at: None,
            body: "Rires partagés.".into(),
        }],
        journal: vec![PlanJournal {
            guid: guid.into(),
            coder: 0,
            kind: "preconception".into(),
            title: "Avant".into(),
            body: body.into(),
            written_at: written_at.into(),
            seal: Some((
                sealed_at.into(),
                seal_hash(guid, "preconception", "Avant", body, written_at, sealed_at),
            )),
            links: vec![(0, "expected".into())],
        }],
        summary: serde_json::json!({ "file": "amira.qdpx" }),
    }
}

fn count(store: &impl Planning, table: &str) -> i64 {
    store
        .carried_counts()
        .unwrap()
        .into_iter()
        .find(|(t, _)| *t == table)
        .map(|(_, n)| n)
        .unwrap()
}

fn a_project_writes_its_rows_and_one_import_entry(store: &mut impl Planning) {
    let counts = store.import_project("tester", &project()).unwrap();
    assert_eq!(
        counts,
        ImportedCounts {
            coders: 1,
            sources: 1,
            sources_matched: vec![],
            codes: 2,
            codings: 2,
            codings_duplicate: 1,
            participants: 1,
            participants_matched: 0,
            memos: 1,
            journal: 1,
            seals_kept: 1,
        }
    );
    // Coders: the consensus row and amira; codings: 2 of 3 planned; memos:
    // the fixture's comment on the emoji and the coding's memo.
    for (table, n) in [
        ("coders", 2),
        ("codes", 2),
        ("codings", 2),
        ("memos", 2),
        ("sites", 1),
        ("participants", 1),
        ("participant_values", 1),
        ("speaker_map", 1),
        ("journal", 1),
        ("journal_links", 1),
    ] {
        assert_eq!(count(store, table), n, "{table}");
    }
    let log = store.audit_log(10).unwrap();
    let actions: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("tester", "exchange.import"),
            ("amira", "journal.seal"),
            ("tester", "source.import"),
            ("tester", "study.create"),
        ]
    );
    assert_eq!(log[0].data["file"], "amira.qdpx");
    assert_eq!(log[0].data["codings"], 2);
    assert_eq!(log[0].data["sources_matched"], 0);
    let source = &store.sources().unwrap()[0];
    assert_eq!(source.guid, "dddddddd-0000-4000-8000-000000000001");
    // The same project again: the text is matched, amira and CSI-2 are
    // reused, every coding repeats one (3 duplicates), the codes are new
    // siblings named "Relation (2)" and "Humour" under it.
    let again = store.import_project("tester", &project()).unwrap();
    assert_eq!(
        (again.sources, again.sources_matched.len(), again.coders),
        (0, 1, 0)
    );
    assert_eq!(
        (again.codes, again.codings, again.codings_duplicate),
        (2, 2, 1)
    );
    assert_eq!(again.participants_matched, 1);
    // The journal entry's guid is taken, so the copy gets a new one and
    // its seal no longer recomputes: it stays unsealed.
    assert_eq!(again.seals_kept, 0);
}

fn a_project_failing_half_way_leaves_every_table_as_it_was(store: &mut impl Planning) {
    store.import_project("tester", &project()).unwrap();
    let before = (
        store.carried_counts().unwrap(),
        store.audit_log(100).unwrap(),
    );
    // A second source and codes are written before the coding past the
    // end of the 40-char interview is reached.
    let mut plan = project();
    plan.sources[0].item = fixture::note("note", "Une autre source, plus courte.");
    plan.codings.push(coding(0, 30, 41));
    let refused = store.import_project("tester", &plan);
    match refused {
        Err(StoreError::Invalid(message)) => {
            assert_eq!(
                message,
                "a coding [30, 41) falls outside its source (30 chars)"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        (
            store.carried_counts().unwrap(),
            store.audit_log(100).unwrap()
        ),
        before
    );
}
