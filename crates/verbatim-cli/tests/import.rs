//! `import`, `sources` and `show` on every format and encoding.

use crate::common::{INTERVIEW_FR, Workspace, interview_docx, interview_lines, turns};

/// Returns the fixture's turns as `(speaker, speech)`.
fn expected_turns() -> Vec<(String, String)> {
    INTERVIEW_FR
        .iter()
        .map(|(w, s)| ((*w).to_owned(), (*s).to_owned()))
        .collect()
}

#[test]
fn a_text_transcript_becomes_a_source_with_turns() {
    let ws = Workspace::with_study();
    ws.write(
        "CSI-2 entretien.txt",
        format!(
            "Entretien CSI-2\nDate : 12 mars 2024\n\n{}",
            interview_lines()
        ),
    );
    let run = ws.import(&["CSI-2 entretien.txt", "--site", "CS"]).ok();
    assert!(
        run.stdout
            .contains("1 imported, 0 skipped as duplicates, 0 not supported, 0 failed.")
    );

    let sources = ws.sources();
    assert_eq!(sources.len(), 1);
    let s = &sources[0];
    assert_eq!(s["name"], "CSI-2 entretien");
    assert_eq!(s["format"], "txt");
    assert_eq!(s["kind"], "interview");
    assert_eq!(s["language"], "fr");
    assert_eq!(s["site"], "CS");
    assert_eq!(s["turns"], 4);
    assert_eq!(s["speakers"], serde_json::json!(["INT", "CSI-2"]));

    let shown = ws.show("CSI-2 entretien");
    assert_eq!(
        shown["chars"].as_u64().unwrap() as usize,
        shown["text"].as_str().unwrap().chars().count()
    );
    assert_eq!(turns(&shown), expected_turns());
    assert!(
        shown["text"]
            .as_str()
            .unwrap()
            .starts_with("Entretien CSI-2\nDate : 12 mars 2024\n")
    );
    // By id too.
    assert_eq!(ws.show("1")["name"], "CSI-2 entretien");
}

#[test]
fn a_word_transcript_with_bold_labels_becomes_a_source_with_turns() {
    let ws = Workspace::with_study();
    ws.write("focus.docx", interview_docx());
    ws.import(&["focus.docx"]).ok();
    let shown = ws.show("focus");
    assert_eq!(shown["format"], "docx");
    assert_eq!(turns(&shown), expected_turns());
}

#[test]
fn legacy_and_utf16_encodings_keep_their_accents() {
    let ws = Workspace::with_study();
    let text = interview_lines().replace(" 😀", "");
    let (latin, _, lossy) = encoding_rs_like_windows_1252(&text);
    assert!(!lossy);
    ws.write("cp1252.txt", latin);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        text.replace("Bonjour", "Bonsoir")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    ws.write("utf16.txt", utf16);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(text.replace("Bonjour", "Salut").as_bytes());
    ws.write("bom.txt", bom);
    ws.import(&["cp1252.txt", "utf16.txt", "bom.txt"]).ok();
    for name in ["cp1252", "utf16", "bom"] {
        let shown = ws.show(name);
        let got = shown["text"].as_str().unwrap();
        assert!(
            got.contains("« la confiance », qu’on construit très lentement"),
            "{name}: {got}"
        );
        assert!(!got.contains('Ã'), "{name} has mojibake: {got}");
        assert!(!got.starts_with('\u{feff}'), "{name} kept its BOM");
        assert_eq!(
            shown["speakers"],
            serde_json::json!(["INT", "CSI-2"]),
            "{name}"
        );
    }
}

/// Returns `text` encoded as Windows-1252 (the fixture has no char outside it).
fn encoding_rs_like_windows_1252(text: &str) -> (Vec<u8>, (), bool) {
    let mut out = Vec::new();
    let mut lossy = false;
    for ch in text.chars() {
        let byte = match ch {
            '’' => 0x92,
            '…' => 0x85,
            '—' => 0x97,
            'œ' => 0x9C,
            c if (c as u32) < 0x100 => c as u32 as u8,
            _ => {
                lossy = true;
                b'?'
            }
        };
        out.push(byte);
    }
    (out, (), lossy)
}

#[test]
fn a_folder_imports_recursively_and_reports_each_file() {
    let ws = Workspace::with_study();
    ws.write("transcripts/site-CH/a.txt", interview_lines());
    ws.write(
        "transcripts/site-CS/b.txt",
        interview_lines().replace("Bonjour", "Bonsoir"),
    );
    ws.write("transcripts/site-CS/copie.txt", interview_lines());
    ws.write("transcripts/photo.jpg", [0xFF, 0xD8, 0xFF]);
    ws.write("transcripts/.hidden.txt", "caché");
    let run = ws.import(&["transcripts", "--json"]).ok();
    let report = run.json();
    let statuses: Vec<(&str, &str)> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["file"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("transcripts/site-CH/a.txt", "imported"),
            ("transcripts/site-CS/b.txt", "imported"),
            ("transcripts/site-CS/copie.txt", "duplicate"),
            ("transcripts/photo.jpg", "unsupported"),
        ]
    );
    assert_eq!(report[2]["name"], "a");
    assert_eq!(ws.sources().len(), 2);
}

#[test]
fn speaker_detection_can_be_turned_off_or_given_a_pattern() {
    let ws = Workspace::with_study();
    ws.write("a.txt", interview_lines());
    ws.import(&["a.txt", "--speakers", "none"]).ok();
    assert_eq!(ws.show("a")["turns"], serde_json::json!([]));

    ws.write(
        "b.txt",
        "<Q> Vous êtes infirmière ?\n<R> Oui, depuis douze ans.\n",
    );
    ws.import(&["b.txt", "--speakers", r"^<(?<speaker>[QR])>\s*"])
        .ok();
    let shown = ws.show("b");
    assert_eq!(
        turns(&shown),
        vec![
            ("Q".to_owned(), "Vous êtes infirmière ?".to_owned()),
            ("R".to_owned(), "Oui, depuis douze ans.".to_owned())
        ]
    );

    let bad = ws.import(&["a.txt", "--speakers", "(unclosed"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr
            .contains("speaker pattern is not a valid regular expression"),
        "{}",
        bad.stderr
    );
}

#[test]
fn many_speakers_make_a_focus_group_unless_told_otherwise() {
    let ws = Workspace::with_study();
    let lines: String = ["CHFG-A", "CHFG-B", "CHFG-C", "CHFG-D", "INT"]
        .iter()
        .flat_map(|who| {
            [
                format!("{who} : oui, je suis d’accord.\n"),
                format!("{who} : enfin, presque.\n"),
            ]
        })
        .collect();
    ws.write("fg.txt", &lines);
    ws.write("fg2.txt", lines.replace("oui", "non"));
    ws.import(&["fg.txt"]).ok();
    ws.import(&["fg2.txt", "--kind", "other"]).ok();
    assert_eq!(ws.show("fg")["kind"], "focus_group");
    assert_eq!(ws.show("fg2")["kind"], "other");
}

#[test]
fn an_english_transcript_is_recognised_as_english() {
    let ws = Workspace::with_study();
    ws.write(
        "harbour.txt",
        "Researcher: So how do you see your relationship with the clients?\nCAI-1: Um, I think it is about trust, you know, and not judging them.\n",
    );
    ws.import(&["harbour.txt"]).ok();
    assert_eq!(ws.show("harbour")["language"], "en");
    ws.write(
        "force.txt",
        "Researcher: And you?\nCAI-2: Same, I guess, but with more of the paperwork.\n",
    );
    ws.import(&["force.txt", "--language", "fr"]).ok();
    assert_eq!(ws.show("force")["language"], "fr");
}
