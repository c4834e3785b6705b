//! `speakers` and `guide`: labels mapped to participants or interviewers,
//! interview guides and coding answers by question.

use crate::common::Workspace;
use crate::participants::study_with_sites;

const FOCUS_GROUP: &str = "INT : Comment décririez-vous votre relation avec les usagers ?\n\
Marie : C’est une relation de confiance, qui se construit.\n\
Paul : Pour moi c’est surtout de la méfiance au début.\n\
Mme L. : Je suis d’accord avec Paul.\n\
INT : Merci. Alors : est-ce que l’institution vous aide au quotidien ?\n\
Marie : Pas vraiment.\n\
Paul : Parfois, avec les réunions d’équipe.\n\
Mme L. : Non.\n\
INT : Dernière question, avez-vous des remarques ?\n\
Marie : Non merci.\n";

fn with_focus_group() -> Workspace {
    let ws = study_with_sites();
    ws.write(
        "r.csv",
        "code,nom,site\nCHFG-A,Marie,CH\nCHFG-B,Paul,CH\nCHFG-C,Léa,CH\n",
    );
    ws.run(&["participants", "import", "--project", "study.vbt", "r.csv"])
        .ok();
    ws.write("fg/fg-ch.txt", FOCUS_GROUP);
    ws.import(&["fg", "--kind", "focus-group", "--site", "CH"])
        .ok();
    ws
}

fn speakers(ws: &Workspace) -> Vec<(String, String, String)> {
    ws.run(&["speakers", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap().to_owned(),
                r["role"].as_str().unwrap().to_owned(),
                r["participant"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(a, b, c)| ((*a).into(), (*b).into(), (*c).into()))
        .collect()
}

#[test]
fn labels_map_automatically_explicitly_and_from_a_file() {
    let ws = with_focus_group();
    assert_eq!(
        speakers(&ws),
        owned(&[
            ("INT", "interviewer", ""),
            ("Marie", "participant", "CHFG-A"),
            ("Paul", "participant", "CHFG-B"),
            ("Mme L.", "unmapped", ""),
        ])
    );
    let text = ws
        .run(&[
            "speakers",
            "list",
            "--project",
            "study.vbt",
            "--source",
            "fg-ch",
        ])
        .ok()
        .stdout;
    assert!(text.contains("1 labels are not mapped yet"), "{text}");

    // A label the source does not have: a clear error, nothing changed.
    let before = ws.dump();
    let run = ws.run(&[
        "speakers",
        "map",
        "--project",
        "study.vbt",
        "--source",
        "fg-ch",
        "--label",
        "Léa",
        "--participant",
        "CHFG-C",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("no speaker \"Léa\" in source \"fg-ch\""),
        "{}",
        run.stderr
    );
    assert_eq!(ws.dump(), before);

    ws.run(&[
        "speakers",
        "map",
        "--project",
        "study.vbt",
        "--source",
        "fg-ch",
        "--label",
        "Mme L.",
        "--participant",
        "Léa",
    ])
    .ok();
    assert_eq!(
        speakers(&ws)[3],
        ("Mme L.".into(), "participant".into(), "CHFG-C".into())
    );

    // A mapping file: every row checked first.
    ws.write(
        "map.csv",
        "source,label,participant\nfg-ch,INT,interviewer\nfg-ch,Paul,CHFG-C\nfg-ch,Zoé,CHFG-A\n",
    );
    let before = ws.dump();
    let run = ws.run(&["speakers", "import", "--project", "study.vbt", "map.csv"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("row 4: no speaker \"Zoé\""),
        "{}",
        run.stderr
    );
    assert_eq!(ws.dump(), before);
    ws.write(
        "map.csv",
        "source,label,participant\nfg-ch,INT,interviewer\nfg-ch,Paul,CHFG-C\n",
    );
    ws.run(&["speakers", "import", "--project", "study.vbt", "map.csv"])
        .ok();
    assert_eq!(
        speakers(&ws)[2],
        ("Paul".into(), "participant".into(), "CHFG-C".into())
    );
}

#[test]
fn guide_answers_are_coded_by_question() {
    let ws = with_focus_group();
    ws.run(&["coder", "add", "--project", "study.vbt", "amira"])
        .ok();
    ws.write(
        "guide-v1.md",
        "# Guide focus group\n\n1. Comment décririez-vous votre relation avec les usagers ?\n   - Confiance ou méfiance ?\n2. L'institution vous aide-t-elle au quotidien ?\n3. Parlez-moi du budget de votre service.\n",
    );
    let run = ws
        .run(&[
            "guide",
            "add",
            "--project",
            "study.vbt",
            "Soignants",
            "--file",
            "guide-v1.md",
            "--date",
            "2024-01-15",
        ])
        .ok();
    assert!(
        run.stdout
            .contains("version 1 (3 questions, 1 sub-questions)"),
        "{}",
        run.stdout
    );
    let empty = ws.write("empty.md", "# rien\n");
    let run = ws.run(&[
        "guide",
        "add",
        "--project",
        "study.vbt",
        "Soignants",
        "--file",
        empty.to_str().unwrap(),
    ]);
    assert!(
        run.stderr.contains("the guide has no questions"),
        "{}",
        run.stderr
    );

    let run = ws.run(&[
        "guide",
        "autocode",
        "--project",
        "study.vbt",
        "--coder",
        "amira",
        "--source",
        "fg-ch",
    ]);
    assert!(
        run.stderr.contains("records no interview guide"),
        "{}",
        run.stderr
    );

    ws.run(&[
        "guide",
        "use",
        "--project",
        "study.vbt",
        "--source",
        "fg-ch",
        "--guide",
        "soignants",
    ])
    .ok();
    let reports = ws
        .run(&[
            "guide",
            "autocode",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
            "--all",
            "--json",
        ])
        .ok()
        .json();
    let r = &reports[0];
    assert_eq!(r["guide"], "Soignants");
    let matched: Vec<(&str, u64)> = r["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["number"].as_str().unwrap(),
                m["codings"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(matched, vec![("1", 3), ("2", 3)]);
    let unmatched: Vec<&str> = r["unmatched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert_eq!(
        unmatched,
        vec![
            "1.1. Confiance ou méfiance ?",
            "3. Parlez-moi du budget de votre service."
        ]
    );
    let codings = ws
        .run(&[
            "coding",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
            "list",
            "--json",
        ])
        .ok()
        .json();
    let texts: Vec<&str> = codings
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["code"].as_str().unwrap().starts_with("2. "))
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        vec![
            "Pas vraiment.",
            "Parfois, avec les réunions d’équipe.",
            "Non."
        ]
    );
    // Running again codes nothing twice.
    ws.run(&[
        "guide",
        "autocode",
        "--project",
        "study.vbt",
        "--coder",
        "amira",
        "--all",
    ])
    .ok();
    let again = ws
        .run(&[
            "coding",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
            "list",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(
        again.as_array().unwrap().len(),
        codings.as_array().unwrap().len()
    );
    let guides = ws
        .run(&["guide", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    assert_eq!(guides[0]["versions"][0]["sources"][0], "fg-ch");
    assert_eq!(guides[0]["versions"][0]["date"], "2024-01-15");
}
