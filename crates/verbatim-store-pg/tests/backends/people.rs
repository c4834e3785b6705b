//! The `Participants` trait's behaviour, written once and run on SQLite
//! and PostgreSQL by `conformance!`: sites and participants added and
//! refused alike, speaker labels mapped by the same rules, the listing's
//! counts, and each write one audit entry in SQLite's shape.

use verbatim_store::{AppliesTo, AttrType, NewParticipant, Participants, Store, StoreError};

use super::fixture;

conformance!(
    sites_and_participants_are_added_and_refused_alike,
    speaker_labels_map_to_participants_and_count_their_turns,
    a_roster_imports_whole_or_not_at_all,
);

/// A study backend with what the participant commands use.
pub trait Backend: Store + Participants {}
impl<T: Store + Participants> Backend for T {}

/// A speaker label as the test reads it: source, label, turns, first
/// turn, role, participant, how.
type Label<'a> = (
    i64,
    &'a str,
    i64,
    i64,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
);

/// A participant as the test reads it: code, label, site code, turns,
/// sources.
type Listed<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, i64, i64);

fn invalid(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn person(code: Option<&str>, label: Option<&str>, site: Option<&str>) -> NewParticipant {
    NewParticipant {
        code: code.map(str::to_owned),
        label: label.map(str::to_owned),
        site: site.map(str::to_owned),
    }
}

fn sites_and_participants_are_added_and_refused_alike(store: &mut impl Backend) {
    let hopital = store.add_site("tester", " Hôpital ", "CH").unwrap();
    let centre = store.add_site("tester", "centre de santé", "CS").unwrap();
    assert_eq!((hopital.id, hopital.name.as_str()), (1, "Hôpital"));
    assert_eq!(centre.id, 2);
    // The name "cs" is the code of a site already (case ignored).
    assert_eq!(
        invalid(store.add_site("tester", "cs", "XX")),
        "site \"centre de santé\" (CS) already exists"
    );
    assert_eq!(
        invalid(store.add_site("tester", " ", "X")),
        "the site name is empty"
    );
    assert!(invalid(store.add_site("tester", "Annexe", "A B")).contains("holds a space"));
    // No position set: by name ignoring case, "centre" before "Hôpital".
    let codes: Vec<String> = store.sites().unwrap().into_iter().map(|s| s.code).collect();
    assert_eq!(codes, ["CS", "CH"]);

    assert_eq!(
        store
            .add_participant("tester", &person(Some("CHI-1"), None, Some("ch")))
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .add_participant("tester", &person(None, Some("Marie"), None))
            .unwrap(),
        2
    );
    assert!(matches!(
        store.add_participant("tester", &person(Some("chi-1"), None, None)),
        Err(StoreError::DuplicateParticipant(c)) if c == "chi-1"
    ));
    assert!(matches!(
        store.add_participant("tester", &person(Some("P9"), None, Some("ZZ"))),
        Err(StoreError::UnknownSite(s)) if s == "ZZ"
    ));
    assert_eq!(
        invalid(store.add_participant("tester", &person(None, None, None))),
        "a participant needs a code or a label"
    );
    // Four refusals wrote nothing: creation, two sites, two participants.
    let log = store.audit_log(20).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "participant.add",
            "participant.add",
            "site.add",
            "site.add",
            "study.create"
        ]
    );
    assert_eq!(log[0].target.as_deref(), Some("participant:2"));
    assert_eq!(log[0].data["summary"]["label"], "Marie");
    assert_eq!(log[0].data["summary"]["code"], serde_json::Value::Null);
    let added = &log[1].data["changes"][0];
    assert_eq!(added["table"], "participants");
    assert_eq!(added["key"]["id"], 1);
    assert_eq!(added["after"]["code"], "CHI-1");
    assert_eq!(added["after"]["site_id"], 1);
    let site = &log[3].data["changes"][0];
    assert_eq!(site["table"], "sites");
    assert_eq!(site["after"]["name"], "Hôpital");
    assert_eq!(site["after"]["position"], serde_json::Value::Null);
}

fn speaker_labels_map_to_participants_and_count_their_turns(store: &mut impl Backend) {
    // fixture::interview: INT, CSI-2, INT at site CS; fixture::note: one
    // turn by P01, no site.
    store
        .import_batch(
            "tester",
            vec![
                fixture::interview("cs-02"),
                fixture::note("notes", "Une seule prise de parole."),
            ],
        )
        .unwrap();
    store.add_site("tester", "Centre de santé", "CS").unwrap();
    store
        .add_participant("tester", &person(Some("csi-2"), None, Some("CS")))
        .unwrap();
    store
        .add_participant("tester", &person(None, Some("Marie"), None))
        .unwrap();
    let speakers = store.speakers(None).unwrap();
    let seen: Vec<Label<'_>> = speakers
        .iter()
        .map(|s| {
            (
                s.source_id,
                s.label.as_str(),
                s.turns,
                s.first_turn,
                s.role.as_str(),
                s.participant.as_deref(),
                s.how.as_deref(),
            )
        })
        .collect();
    // INT speaks turns 0 and 2 (an interviewer word); CSI-2 turn 1, the
    // code csi-2 ignoring case; P01 is nobody known.
    assert_eq!(
        seen,
        [
            (1, "INT", 2, 0, "interviewer", None, Some("auto")),
            (1, "CSI-2", 1, 1, "participant", Some("csi-2"), Some("auto")),
            (2, "P01", 1, 0, "unmapped", None, None),
        ]
    );
    assert_eq!(store.speakers(Some(2)).unwrap().len(), 1);
    let people = store.participants().unwrap();
    let listed: Vec<Listed<'_>> = people
        .iter()
        .map(|p| {
            (
                p.code.as_deref(),
                p.label.as_deref(),
                p.site_code.as_deref(),
                p.turns,
                p.sources,
            )
        })
        .collect();
    // By code, those without one last: csi-2 speaks 1 turn in 1 source.
    assert_eq!(
        listed,
        [
            (Some("csi-2"), None, Some("CS"), 1, 1),
            (None, Some("Marie"), None, 0, 0),
        ]
    );
}

fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
        .collect()
}

fn a_roster_imports_whole_or_not_at_all(store: &mut impl Backend) {
    store.add_site("tester", "Centre de santé", "CS").unwrap();
    let header = sheet(&[&["code", "nom", "site", "âge", "profession"]])[0].clone();
    let rows = sheet(&[
        &["CSI-1", "Anne", "CS", "34", "infirmière"],
        &["CSI-2", "Bruno", "cs", "51", "médecin"],
        &["", "", "", "", ""],
        &["CSI-3", "Chloé", "", "29", "Infirmière"],
    ]);
    let types = [
        ("âge".to_owned(), AttrType::Number),
        ("profession".to_owned(), AttrType::Category),
    ];
    let done = store
        .import_roster("tester", &header, &rows, &types)
        .unwrap();
    // The blank row is skipped: three participants, two new attributes.
    assert_eq!(done.participants, 3);
    assert_eq!(
        done.new_attributes,
        [
            ("âge".to_owned(), "number".to_owned()),
            ("profession".to_owned(), "category".to_owned())
        ]
    );
    let attributes = store.attributes(AppliesTo::Participant).unwrap();
    let names: Vec<&str> = attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["âge", "profession"]);
    // A category's values are the column's, first spelling kept, case
    // ignored: "Infirmière" is "infirmière".
    assert_eq!(attributes[1].allowed, ["infirmière", "médecin"]);
    assert!(store.attributes(AppliesTo::Source).unwrap().is_empty());
    let people = store.participants().unwrap();
    let first = &people[0];
    assert_eq!(
        (
            first.code.as_deref(),
            first.label.as_deref(),
            first.site_code.as_deref()
        ),
        (Some("CSI-1"), Some("Anne"), Some("CS"))
    );
    assert_eq!(
        first.values,
        [
            ("âge".to_owned(), "34".to_owned()),
            ("profession".to_owned(), "infirmière".to_owned())
        ]
    );
    assert_eq!(people[1].site_code.as_deref(), Some("CS"));
    assert_eq!(people[2].site_code, None);
    assert_eq!(people[2].values[1].1, "infirmière");

    // One action: 2 attributes, 3 participants, 6 values = 11 rows.
    let log = store.audit_log(10).unwrap();
    assert_eq!(log[0].action, "participants.import");
    assert_eq!(log[0].data["summary"]["participants"], 3);
    assert_eq!(log[0].data["changes"].as_array().unwrap().len(), 11);
    assert_eq!(log[0].data["changes"][0]["after"]["position"], 1);
    assert_eq!(
        log[0].data["changes"][1]["after"]["allowed"],
        "[\"infirmière\",\"médecin\"]"
    );

    // Every bad row is named and nothing is written.
    let again = sheet(&[&["CSI-1", "40"], &["CSI-9", "quarante"], &["CSI-9", "41"]]);
    let header = sheet(&[&["code", "âge"]])[0].clone();
    match store.import_roster("tester", &header, &again, &[]) {
        Err(StoreError::Rejected(why)) => assert_eq!(
            why,
            [
                "row 2: participant \"CSI-1\" already exists in the study",
                "row 3: âge \"quarante\" is not a number",
                "row 4: code \"CSI-9\" is used twice (first on row 3)",
            ]
        ),
        other => panic!("expected the roster refused, got {other:?}"),
    }
    assert_eq!(store.participants().unwrap().len(), 3);
    assert_eq!(store.audit_log(10).unwrap().len(), log.len());
}
