//! From a roster spreadsheet and a folder of transcripts to every
//! participant turn attributed to a pseudonym code, through the CLI alone.

use std::collections::HashMap;

use crate::participants::{Cell, study_with_sites, xlsx};

#[test]
fn a_roster_and_transcripts_become_pseudonymised_turns() {
    let ws = study_with_sites();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--project", "study.vbt"]);
        ws.run(&all).ok()
    };
    use Cell::{Number, Text};
    // The roster: names, sites and attributes; no codes yet.
    ws.write(
        "roster.xlsx",
        xlsx(&[
            vec![
                Text("Nom"),
                Text("Site"),
                Text("Sexe"),
                Text("Âge"),
                Text("Profession"),
            ],
            vec![
                Text("Marie"),
                Text("CH"),
                Text("F"),
                Number(34.0),
                Text("infirmière"),
            ],
            vec![
                Text("Paul"),
                Text("CH"),
                Text("M"),
                Number(41.0),
                Text("psychiatre"),
            ],
            vec![
                Text("Léa"),
                Text("CH"),
                Text("F"),
                Number(29.0),
                Text("éducatrice"),
            ],
            vec![
                Text("Jean"),
                Text("CS"),
                Text("M"),
                Number(55.0),
                Text("médecin"),
            ],
            vec![
                Text("Anne"),
                Text("CS"),
                Text("F"),
                Number(47.0),
                Text("psychologue"),
            ],
            vec![
                Text("Hélène"),
                Text("CS"),
                Text("F"),
                Number(60.0),
                Text("cadre"),
            ],
        ]),
    );
    run(&["participants", "import", "roster.xlsx"]);
    // The transcripts, as transcribers label them.
    ws.write(
        "transcripts/ch/focus-group-ch.txt",
        "Animatrice : Comment se passe la relation avec les usagers ?\n\
         Paul : Bien, globalement.\nMARIE : C’est variable.\nLea : Ça dépend des jours.\n\
         Animatrice : Et avec l’équipe ?\nMARIE : Très bien.\nPaul : Oui.\nLea : Pareil.\n",
    );
    ws.write(
        "transcripts/cs/entretien-jean.txt",
        "INT : Parlez-moi de votre travail.\nJean : Je suis médecin ici.\nINT : Depuis quand ?\nJean : Dix ans.\n",
    );
    ws.write(
        "transcripts/cs/entretien-anne.txt",
        "INT : Parlez-moi de votre travail.\nP1 : Je suis psychologue.\nINT : Depuis quand ?\nP1 : Cinq ans.\n",
    );
    ws.write(
        "transcripts/context/cadre.txt",
        "INT : Comment organisez-vous le service ?\nHélène : Avec des réunions.\nINT : Merci.\nHélène : De rien.\n",
    );
    ws.import(&["transcripts/ch", "--kind", "focus-group", "--site", "CH"])
        .ok();
    ws.import(&["transcripts/cs", "--kind", "interview", "--site", "CS"])
        .ok();
    ws.import(&["transcripts/context", "--kind", "context", "--site", "CS"])
        .ok();
    // Anne was transcribed as "P1": map it; date the interviews so that
    // Anne's (imported second) comes first.
    ws.write(
        "map.csv",
        "source,label,participant\nentretien-anne,P1,Anne\n",
    );
    run(&["speakers", "import", "map.csv"]);
    run(&[
        "attribute",
        "add",
        "date",
        "--type",
        "date",
        "--for",
        "source",
    ]);
    run(&[
        "attribute",
        "set",
        "--source",
        "entretien-anne",
        "date=02/03/2024",
    ]);
    run(&[
        "attribute",
        "set",
        "--source",
        "entretien-jean",
        "date=2024-04-10",
    ]);
    let assigned = ws
        .run(&["participants", "assign", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    let codes: HashMap<String, String> = assigned["assigned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["label"].as_str().unwrap().to_owned(),
                a["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: HashMap<String, String> = [
        ("Paul", "CHFG-A"),
        ("Marie", "CHFG-B"),
        ("Léa", "CHFG-C"),
        ("Anne", "CSI-1"),
        ("Jean", "CSI-2"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    assert_eq!(codes, expected);
    // Hélène is heard only in a context source, which has no mode: no code.
    assert_eq!(assigned["skipped"][0]["label"], "Hélène");

    // Every turn of every analysed source is an interviewer's or a coded
    // participant's.
    let speakers = ws
        .run(&["speakers", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    let mut who: HashMap<(String, String), String> = HashMap::new();
    for s in speakers.as_array().unwrap() {
        let role = s["role"].as_str().unwrap();
        let value = match role {
            "interviewer" => "interviewer".to_owned(),
            "participant" => s["participant"].as_str().unwrap().to_owned(),
            other => other.to_owned(),
        };
        who.insert(
            (
                s["source"].as_str().unwrap().to_owned(),
                s["label"].as_str().unwrap().to_owned(),
            ),
            value,
        );
    }
    let mut per_code: HashMap<String, usize> = HashMap::new();
    for source in ws.sources() {
        let name = source["name"].as_str().unwrap().to_owned();
        if source["kind"] == "context" {
            continue;
        }
        for (label, _speech) in crate::common::turns(&ws.show(&name)) {
            let mapped = &who[&(name.clone(), label.clone())];
            assert!(
                mapped == "interviewer" || expected.values().any(|c| c == mapped),
                "{name}: {label} is {mapped}"
            );
            *per_code.entry(mapped.clone()).or_default() += 1;
        }
    }
    assert_eq!(per_code["CHFG-B"], 2, "MARIE is Marie of the roster");
    assert_eq!(per_code["CHFG-C"], 2, "Lea is Léa of the roster");
    assert_eq!(per_code["CSI-1"], 2);
    // The list agrees, and the sociodemographic table leaves the context
    // participant out.
    let people = ws
        .run(&["participants", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    let turns: HashMap<&str, i64> = people
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| Some((p["code"].as_str()?, p["turns"].as_i64()?)))
        .collect();
    assert_eq!(turns["CHFG-A"], 2);
    assert_eq!(turns["CSI-2"], 2);
    let table = ws
        .run(&[
            "participants",
            "table",
            "--project",
            "study.vbt",
            "--by",
            "site",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(table["columns"][0]["n"], 5);
    let with_context = ws
        .run(&[
            "participants",
            "table",
            "--project",
            "study.vbt",
            "--include-context",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(with_context["columns"][0]["n"], 6);
    // Codes never change on a second run.
    let again = ws
        .run(&["participants", "assign", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    assert!(again["assigned"].as_array().unwrap().is_empty());
}
