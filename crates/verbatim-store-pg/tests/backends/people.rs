//! The `Participants` trait's behaviour, written once and run on SQLite
//! and PostgreSQL by `conformance!`: sites and participants added and
//! refused alike, speaker labels mapped by the same rules, the listing's
//! counts, and each write one audit entry in SQLite's shape.

use verbatim_store::{
    AppliesTo, AttrType, History, NewParticipant, Participants, RankStyle, SourceRef,
    SpeakerTarget, Store, StoreError,
};

use super::fixture;

conformance!(
    sites_and_participants_are_added_and_refused_alike,
    speaker_labels_map_to_participants_and_count_their_turns,
    a_roster_imports_whole_or_not_at_all,
    attributes_values_and_consents_are_edited_alike,
    speaker_labels_are_mapped_and_codes_renamed_alike,
    pseudonym_codes_are_assigned_by_the_scheme_alike,
);

/// A study backend with what the participant commands use.
pub trait Backend: Store + Participants + History {}
impl<T: Store + Participants + History> Backend for T {}

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

fn pairs(values: &[(&str, &str)]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn attributes_values_and_consents_are_edited_alike(store: &mut impl Backend) {
    store.add_site("tester", "Centre de santé", "CS").unwrap();
    store.add_site("tester", "Hôpital", "CH").unwrap();
    let age = store
        .define_attribute(
            "tester",
            " âge ",
            AppliesTo::Participant,
            AttrType::Number,
            &[],
        )
        .unwrap();
    assert_eq!((age.id, age.name.as_str()), (1, "âge"));
    let job = store
        .define_attribute(
            "tester",
            "profession",
            AppliesTo::Participant,
            AttrType::Category,
            &[
                "infirmière".to_owned(),
                " médecin ".to_owned(),
                " ".to_owned(),
            ],
        )
        .unwrap();
    // Values trimmed, the empty one dropped.
    assert_eq!(job.allowed, ["infirmière", "médecin"]);
    assert_eq!(
        invalid(store.define_attribute(
            "tester",
            "ÂGE",
            AppliesTo::Participant,
            AttrType::Text,
            &[]
        )),
        "there is already a participant attribute \"ÂGE\""
    );
    assert_eq!(
        invalid(store.define_attribute(
            "tester",
            "mode",
            AppliesTo::Source,
            AttrType::Category,
            &[]
        )),
        "the category \"mode\" needs its allowed values"
    );
    // The same name on sources is another attribute.
    let length = store
        .define_attribute("tester", "âge", AppliesTo::Source, AttrType::Number, &[])
        .unwrap();
    assert_eq!(length.id, 3);
    let log = store.audit_log(1).unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].target.as_deref()),
        ("attribute.add", Some("attribute:3"))
    );
    assert_eq!(log[0].data["summary"]["for"], "source");
    // Positions count per kind: the first source attribute is 1.
    assert_eq!(log[0].data["changes"][0]["after"]["position"], 1);

    store
        .add_participant("tester", &person(Some("CSI-1"), Some("Anne"), None))
        .unwrap();
    store
        .set_participant(
            "tester",
            "anne",
            Some(" Anne B. "),
            Some("ch"),
            &pairs(&[("ÂGE", " 34 "), ("profession", "Infirmière")]),
        )
        .unwrap();
    let p = &store.participants().unwrap()[0];
    assert_eq!(
        (p.label.as_deref(), p.site_code.as_deref()),
        (Some("Anne B."), Some("CH"))
    );
    // Canonical values: the number as written, the category's spelling.
    assert_eq!(
        p.values,
        pairs(&[("âge", "34"), ("profession", "infirmière")])
    );
    assert!(matches!(
        store.set_participant("tester", "CSI-1", None, None, &pairs(&[("âge", "trente")])),
        Err(StoreError::BadValue { attribute, reason })
            if attribute == "âge" && reason == "\"trente\" is not a number"
    ));
    assert!(matches!(
        store.set_participant("tester", "CSI-1", None, None, &pairs(&[("poids", "70")])),
        Err(StoreError::UnknownAttribute { name, applies_to })
            if name == "poids" && applies_to == "participant"
    ));
    assert!(matches!(
        store.set_participant("tester", "CSI-1", None, Some("ZZ"), &[]),
        Err(StoreError::UnknownSite(s)) if s == "ZZ"
    ));
    assert!(matches!(
        store.set_participant("tester", "Zoé", Some("x"), None, &[]),
        Err(StoreError::UnknownParticipant(w)) if w == "Zoé"
    ));
    // An empty value clears it: one row deleted.
    store
        .set_participant("tester", "#1", None, None, &pairs(&[("âge", "")]))
        .unwrap();
    assert_eq!(
        store.participants().unwrap()[0].values,
        pairs(&[("profession", "infirmière")])
    );
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "participant.set");
    assert_eq!(log[0].target.as_deref(), Some("participant:1"));
    let cleared = &log[0].data["changes"][0];
    assert_eq!(cleared["table"], "participant_values");
    assert_eq!(cleared["before"]["value"], "34");
    assert_eq!(cleared["after"], serde_json::Value::Null);
    assert_eq!(
        log[0].data["summary"]["values"],
        serde_json::json!([["âge", ""]])
    );

    // Source values, read back by id range.
    store
        .import_batch("tester", vec![fixture::interview("cs-02")])
        .unwrap();
    store
        .set_source_values(
            "tester",
            &SourceRef::Name("cs-02".into()),
            &pairs(&[("âge", "45")]),
        )
        .unwrap();
    let values = store.source_values_in(1..=1).unwrap();
    assert_eq!(values.get(&1), Some(&pairs(&[("âge", "45")])));
    assert!(store.source_values_in(2..=9).unwrap().is_empty());
    assert!(matches!(
        store.set_source_values("tester", &SourceRef::Name("absent".into()), &pairs(&[("âge", "1")])),
        Err(StoreError::SourceNotFound(s)) if s == "absent"
    ));

    // Consent: the date read as day/month/year, stored ISO.
    let consent = store
        .record_consent(
            "tester",
            "csi-1",
            "12/03/2024",
            " enregistrement audio ",
            Some(" v2 "),
        )
        .unwrap();
    assert_eq!(
        (
            consent.participant.as_str(),
            consent.date.as_str(),
            consent.scope.as_str(),
            consent.sheet_version.as_deref(),
            consent.status.as_str()
        ),
        (
            "CSI-1",
            "2024-03-12",
            "enregistrement audio",
            Some("v2"),
            "given"
        )
    );
    assert!(matches!(
        store.record_consent("tester", "CSI-1", "demain", "audio", None),
        Err(StoreError::BadValue { attribute, .. }) if attribute == "consent date"
    ));
    assert_eq!(store.consents(None).unwrap(), [consent]);
    assert_eq!(
        store.participants().unwrap()[0].consent.as_deref(),
        Some("given")
    );
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "consent.record");
    assert_eq!(log[0].data["summary"]["date"], "2024-03-12");
    // Undone, the consent goes; the study holds what it held before.
    store.undo("tester", 1).unwrap();
    assert_eq!(store.consents(Some("CSI-1")).unwrap(), []);
}

fn speaker_labels_are_mapped_and_codes_renamed_alike(store: &mut impl Backend) {
    // cs-02: INT, CSI-2, INT (site CS); notes: one turn by P01.
    store
        .import_batch(
            "tester",
            vec![
                fixture::interview("cs-02"),
                fixture::note("notes", "Une seule prise de parole."),
            ],
        )
        .unwrap();
    store
        .add_participant("tester", &person(Some("CSI-2"), None, None))
        .unwrap();
    store
        .add_participant("tester", &person(None, Some("Paul"), None))
        .unwrap();
    // "p01" names P01 ignoring case; Paul is found by his label.
    store
        .map_speaker(
            "tester",
            &SourceRef::Name("notes".into()),
            "p01",
            &SpeakerTarget::Participant("paul".into()),
        )
        .unwrap();
    let row = &store.speakers(Some(2)).unwrap()[0];
    assert_eq!(
        (
            row.label.as_str(),
            row.role.as_str(),
            row.participant.as_deref(),
            row.how.as_deref()
        ),
        ("P01", "participant", Some("Paul"), Some("explicit"))
    );
    let log = store.audit_log(1).unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].target.as_deref()),
        ("speakers.map", None)
    );
    assert_eq!(
        log[0].data["summary"],
        serde_json::json!({ "mappings": [{ "source": 2, "label": "P01", "participant": 2 }] })
    );
    // Mapped again, the same row changes.
    store
        .map_speaker(
            "tester",
            &SourceRef::Id(2),
            "P01",
            &SpeakerTarget::Interviewer,
        )
        .unwrap();
    let change = &store.audit_log(1).unwrap()[0].data["changes"][0];
    assert_eq!(change["key"]["id"], 1);
    assert_eq!(change["before"]["participant_id"], 2);
    assert_eq!(change["after"]["participant_id"], serde_json::Value::Null);
    assert_eq!(change["after"]["interviewer"], 1);
    assert_eq!(store.speakers(Some(2)).unwrap()[0].role, "interviewer");
    assert_eq!(
        invalid(store.map_speaker(
            "tester",
            &SourceRef::Name("notes".into()),
            "XYZ",
            &SpeakerTarget::Interviewer
        )),
        "no speaker \"XYZ\" in source \"notes\": list its speakers with `verbatim speakers list --source notes`"
    );
    assert_eq!(
        invalid(store.map_speaker(
            "tester",
            &SourceRef::Name("notes".into()),
            "P01",
            &SpeakerTarget::Participant("Zoé".into())
        )),
        "no participant \"Zoé\" in this study: list them with `verbatim participants list`"
    );

    // CSI-2 speaks in cs-02 by its code; renamed, the label is pinned.
    store
        .rename_participant("tester", "csi-2", "CSI-02")
        .unwrap();
    let csi = &store.speakers(Some(1)).unwrap()[1];
    assert_eq!(
        (
            csi.label.as_str(),
            csi.participant.as_deref(),
            csi.how.as_deref()
        ),
        ("CSI-2", Some("CSI-02"), Some("explicit"))
    );
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "participant.rename");
    assert_eq!(
        log[0].data["summary"],
        serde_json::json!({ "from": "CSI-2", "to": "CSI-02", "labels_pinned": 1 })
    );
    let tables: Vec<&str> = log[0].data["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["table"].as_str().unwrap())
        .collect();
    assert_eq!(tables, ["speaker_map", "participants"]);
    assert!(matches!(
        store.rename_participant("tester", "Paul", "csi-02"),
        Err(StoreError::DuplicateParticipant(c)) if c == "csi-02"
    ));
    assert!(invalid(store.rename_participant("tester", "Paul", "P 1")).contains("holds a space"));
    // Undone, the code is back and the label maps by it again.
    store.undo("tester", 1).unwrap();
    let csi = &store.speakers(Some(1)).unwrap()[1];
    assert_eq!(
        (csi.participant.as_deref(), csi.how.as_deref()),
        (Some("CSI-2"), Some("auto"))
    );
}

fn pseudonym_codes_are_assigned_by_the_scheme_alike(store: &mut impl Backend) {
    // cs-02: an interview at site CS (INT, CSI-2, INT); notes: a focus
    // group with no site, one turn by P01.
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
    for label in ["Claire", "P01", "Sans voix"] {
        store
            .add_participant("tester", &person(None, Some(label), None))
            .unwrap();
    }
    store
        .map_speaker(
            "tester",
            &SourceRef::Name("cs-02".into()),
            "CSI-2",
            &SpeakerTarget::Participant("Claire".into()),
        )
        .unwrap();
    let scheme = store.scheme().unwrap();
    assert_eq!(scheme.template, "{site}{mode}-{rank}");
    // Claire is first heard in cs-02, an interview (mode I) at CS: CSI-1.
    // P01 speaks in a focus group of no site; "Sans voix" speaks nowhere.
    let done = store.assign_codes("tester").unwrap();
    let given: Vec<(i64, &str)> = done
        .assigned
        .iter()
        .map(|a| (a.id, a.code.as_str()))
        .collect();
    assert_eq!(given, [(1, "CSI-1")]);
    let skipped: Vec<(i64, &str)> = done
        .skipped
        .iter()
        .map(|s| (s.id, s.reason.split(':').next().unwrap()))
        .collect();
    assert_eq!(
        skipped,
        [
            (2, "no site"),
            (3, "no turn is mapped to this participant yet")
        ]
    );

    assert!(
        invalid(store.set_scheme("tester", Some("{site}-x"), &[]))
            .contains("has no {rank}: codes would not be unique")
    );
    assert!(
        invalid(store.set_scheme("tester", None, &[("podcast".into(), "P".into(), None)]))
            .starts_with("no source kind \"podcast\": kinds are interview, ")
    );
    // Without a site in the template, focus groups numbered as G1, G2…
    let scheme = store
        .set_scheme(
            "tester",
            Some(" {mode}{rank} "),
            &[("focus_group".into(), "G".into(), Some(RankStyle::Digits))],
        )
        .unwrap();
    assert_eq!(scheme.template, "{mode}{rank}");
    let fg = scheme
        .modes
        .iter()
        .find(|m| m.kind == "focus_group")
        .unwrap();
    assert_eq!((fg.code.as_str(), fg.rank_style), ("G", RankStyle::Digits));
    let log = store.audit_log(1).unwrap();
    assert_eq!(
        log[0].data["summary"],
        serde_json::json!({ "template": "{mode}{rank}", "modes": [["focus_group", "G"]] })
    );
    let done = store.assign_codes("tester").unwrap();
    let given: Vec<(i64, &str)> = done
        .assigned
        .iter()
        .map(|a| (a.id, a.code.as_str()))
        .collect();
    assert_eq!(given, [(2, "G1")]);
    let log = store.audit_log(1).unwrap();
    assert_eq!(log[0].action, "participants.assign");
    assert_eq!(
        log[0].data["summary"],
        serde_json::json!({ "assigned": ["G1"] })
    );
    // Nobody left to code: nothing written.
    let entries = store.audit_log(50).unwrap().len();
    assert!(store.assign_codes("tester").unwrap().assigned.is_empty());
    assert_eq!(store.audit_log(50).unwrap().len(), entries);
    // Undone, P01 has no code again.
    store.undo("tester", 1).unwrap();
    let codes: Vec<Option<String>> = store
        .participants()
        .unwrap()
        .into_iter()
        .map(|p| p.code)
        .collect();
    assert_eq!(codes, [Some("CSI-1".to_owned()), None, None]);
}
