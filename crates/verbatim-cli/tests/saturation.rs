//! `verbatim saturation` on a small study whose answer is worked by hand.

use crate::common::Workspace;

/// Six interviews in collection order (dates given out of import order);
/// each line of an interview is one passage coded with the code it names.
#[test]
fn the_verdict_follows_the_collection_order() {
    let ws = Workspace::with_study();
    let interviews: [(&str, &str, &[&str]); 6] = [
        ("i6", "2024-03-06", &["Trust", "Fear"]),
        ("i1", "2024-03-01", &["Trust", "Control", "Fear"]),
        ("i2", "2024-03-02", &["Stigma", "Burnout"]),
        ("i3", "2024-03-03", &["Limits", "Control"]),
        ("i4", "2024-03-04", &["Relapse", "Hope", "Trust", "Team"]),
        ("i5", "2024-03-05", &["Trust", "Stigma"]),
    ];
    ws.run(&["coder", "add", "--project", "study.vbt", "amira"])
        .ok();
    ws.run(&[
        "attribute",
        "add",
        "--project",
        "study.vbt",
        "date",
        "--type",
        "date",
        "--for",
        "source",
    ])
    .ok();
    for (name, date, codes) in &interviews {
        let text: String = codes
            .iter()
            .map(|c| format!("P01 : on parle de {c} ici.\n"))
            .collect();
        ws.write(
            &format!("{name}.txt"),
            format!("INT : Alors ?\n{text}INT : Merci.\n"),
        );
        ws.import(&[&format!("{name}.txt")]).ok();
        ws.run(&[
            "attribute",
            "set",
            "--project",
            "study.vbt",
            "--source",
            name,
            &format!("date={date}"),
        ])
        .ok();
    }
    for (name, _, codes) in &interviews {
        for code in codes.iter() {
            let _ = ws.run(&[
                "code",
                "add",
                "--project",
                "study.vbt",
                "--coder",
                "amira",
                code,
            ]);
            ws.run(&[
                "coding",
                "add",
                "--project",
                "study.vbt",
                "--coder",
                "amira",
                "--source",
                name,
                "--code",
                code,
                "--text",
                &format!("on parle de {code} ici"),
            ])
            .ok();
        }
    }
    // Base i1–i4: Trust, Control, Fear, Stigma, Burnout, Limits, Relapse,
    // Hope, Team = 9 codes. Run i5–i6 adds nothing new: 0 % ≤ 5 %.
    let run = ws
        .run(&[
            "saturation",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
            "--json",
        ])
        .ok()
        .json();
    let first = &run[0];
    assert_eq!(first["base_codes"], 9);
    let order: Vec<&str> = first["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(order, vec!["i1", "i2", "i3", "i4", "i5", "i6"]);
    assert_eq!(
        first["sentence"],
        "saturation reached after interview 4 at the 5 % threshold, run length 2 (base size 4: 9 codes; interviews 5–6 added 0 new, 0.0 %)"
    );
    // A base of 5 leaves too few interviews for a run of 2.
    let short = ws
        .run(&[
            "saturation",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
            "--base",
            "5",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(short[0]["verdict"]["status"], "too_few_sources");
    assert_eq!(short[0]["verdict"]["need"], 7);
}
