//! Transcripts written the way transcribers really write them, end to end
//! from bytes to turns: role qualifiers after names, time stamps before
//! labels and at the top of turns, subtitle cues with and without speakers,
//! and what the detector reports when it leaves a label out.

#![allow(clippy::unwrap_used)]

use verbatim_core::{Format, NormalisedSource, OffsetTable};

use crate::{LikelyTypo, Options, SpeakerMode, label_report, read_bytes, redetect};

/// `(speaker, speech, begin_ms, end_ms)` of a turn.
type Row = (Option<String>, String, Option<u64>, Option<u64>);

fn read(format: Format, text: &str) -> NormalisedSource {
    read_bytes("t", format, text.as_bytes(), &Options::default()).unwrap()
}

fn rows(source: &NormalisedSource) -> Vec<Row> {
    let table = OffsetTable::new(source.text());
    source
        .turns()
        .iter()
        .map(|t| {
            let speech = table.slice(source.text(), t.span).unwrap().to_owned();
            (t.speaker.clone(), speech, t.begin_ms, t.end_ms)
        })
        .collect()
}

fn row(speaker: Option<&str>, speech: &str, begin: Option<u64>, end: Option<u64>) -> Row {
    (speaker.map(str::to_owned), speech.to_owned(), begin, end)
}

const FOCUS_GROUP: &str = "Groupe de discussion n° 2 — Besançon\n\
[00:00:04] Sonia Martin (ENQ) : Bonjour à toutes et à tous, on commence ?\n\
[00:00:09] Lucie Bernard : Oui, allons-y.\n\
[00:00:12] Sonia Martin (ENQ) : Qui veut parler en premier ?\n\
00:00:20 Marc Petit: Moi, je veux bien.\n\
[00:00:31] Lucie Bernard : D’accord, vas-y.\n";

#[test]
fn role_qualifiers_and_stamped_labels_in_french_text() {
    let source = read(Format::Txt, FOCUS_GROUP);
    // Sonia Martin is kept at once for her role qualifier; Lucie Bernard
    // recurs; Marc Petit speaks once with no role, so his line stays in the
    // turn before it and is reported.
    assert_eq!(
        rows(&source),
        vec![
            row(
                Some("Sonia Martin (ENQ)"),
                "Bonjour à toutes et à tous, on commence ?",
                Some(4_000),
                None
            ),
            row(Some("Lucie Bernard"), "Oui, allons-y.", Some(9_000), None),
            row(
                Some("Sonia Martin (ENQ)"),
                "Qui veut parler en premier ?\n00:00:20 Marc Petit: Moi, je veux bien.",
                Some(12_000),
                None
            ),
            row(
                Some("Lucie Bernard"),
                "D’accord, vas-y.",
                Some(31_000),
                None
            ),
        ]
    );
    let report = label_report(&source);
    assert_eq!(report.unclaimed, 1);
    assert_eq!(
        report.example.as_deref(),
        Some("00:00:20 Marc Petit: Moi, je veux bien.")
    );
    assert!(report.typos.is_empty());
}

#[test]
fn header_lines_are_not_reported_as_missed_labels() {
    let text = "Participant : CHI-1 (infirmier)\nLieu : Valmont\n\
INT : Voilà, ça enregistre.\nCHI-1 : Alors, euh… oui.\nINT : Votre parcours ?\n\
CHI-1 : Quatorze ans.\n";
    let source = read(Format::Txt, text);
    assert_eq!(source.turns().len(), 4);
    assert!(
        label_report(&source).is_empty(),
        "{:?}",
        label_report(&source)
    );
}

#[test]
fn qualifiers_in_english_and_brackets() {
    let text = "Sam Okafor (interviewer): How did the clinic start?\n\
Dana Reyes: With two nurses.\n\
[Sam Okafor (int.)] And then?\n\
Dana Reyes: Then the town paid for a van.\n";
    let source = read(Format::Txt, text);
    assert_eq!(
        rows(&source),
        vec![
            row(
                Some("Sam Okafor (interviewer)"),
                "How did the clinic start?",
                None,
                None
            ),
            row(Some("Dana Reyes"), "With two nurses.", None, None),
            row(Some("Sam Okafor (int.)"), "And then?", None, None),
            row(
                Some("Dana Reyes"),
                "Then the town paid for a van.",
                None,
                None
            ),
        ]
    );
    assert!(label_report(&source).is_empty());
}

#[test]
fn a_frequent_label_and_its_typo_are_reported() {
    let text = "Chercheur : Première question ?\nP1 : Oui.\nChercheur : Deuxième ?\nP2 : Non.\n\
Checheur : Troisième ?\nP1 : Peut-être.\nChercheur : Quatrième ?\nP2 : Bon.\n\
Chercheur : Cinquième ?\nP1 : Voilà.\nCheccheur : Dernière ?\nP2 : Fini.\nChecheur : Merci.\n";
    let source = read(Format::Txt, text);
    // 13 labelled lines, but `Checcheur` is written once and is no role
    // word: its line stays in P1's turn before it, so 12 turns.
    assert_eq!(source.turns().len(), 12);
    let report = label_report(&source);
    assert_eq!(report.unclaimed, 1);
    assert_eq!(report.example.as_deref(), Some("Checcheur : Dernière ?"));
    // Chercheur has 4 turns, Checheur 2 (one letter missing): a likely
    // typo. P1 and P2 differ by a digit: different speakers.
    assert_eq!(
        report.typos,
        vec![LikelyTypo {
            label: "Checheur".into(),
            turns: 2,
            likely: "Chercheur".into(),
            likely_turns: 4
        }]
    );
}

#[test]
fn subtitles_without_speakers_become_timed_segments() {
    let srt = "1\n00:00:01,000 --> 00:00:03,500\nAlors, on commence.\n\n\
2\n00:00:03,500 --> 00:00:06,000\nJe suis arrivée en 1998.\n\n\
3\n00:00:07,250 --> 00:00:09,000\nC’était dur.\n";
    let source = read(Format::Srt, srt);
    assert_eq!(
        source.text(),
        "Alors, on commence. Je suis arrivée en 1998. C’était dur."
    );
    assert_eq!(
        rows(&source),
        vec![
            row(None, "Alors, on commence.", Some(1_000), Some(3_500)),
            row(None, "Je suis arrivée en 1998.", Some(3_500), Some(6_000)),
            row(None, "C’était dur.", Some(7_250), Some(9_000)),
        ]
    );
    assert!(source.speakers().is_empty());
}

#[test]
fn subtitle_cues_opening_with_a_bracketed_role_label() {
    let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nOn enregistre.\n\n\
00:00:02.000 --> 00:00:04.000\n[Paul Durand (ENQ)] Vous habitez ici depuis quand ?\n\n\
00:00:04.000 --> 00:00:07.000\n[Lina] Depuis toujours.\n\n\
00:00:07.000 --> 00:00:08.000\nEnfin, presque.\n\n\
00:00:08.000 --> 00:00:09.000\n[Lina] Voilà.\n";
    let source = read(Format::Vtt, vtt);
    assert_eq!(
        rows(&source),
        vec![
            row(None, "On enregistre.", Some(1_000), Some(2_000)),
            row(
                Some("Paul Durand (ENQ)"),
                "Vous habitez ici depuis quand ?",
                Some(2_000),
                Some(4_000)
            ),
            row(
                Some("Lina"),
                "Depuis toujours. Enfin, presque. Voilà.",
                Some(4_000),
                Some(9_000)
            ),
        ]
    );
}

#[test]
fn text_turns_opening_with_a_stamp_take_its_time() {
    let text = "INT : [00:12:03] Et le travail ?\n\
P03 : 00:12:09 - Le travail… c’était dur.\n\
INT : (12:30 - 12:41) D’accord.\n";
    let source = read(Format::Txt, text);
    // 00:12:03 = 12 × 60 + 3 = 723 s; 12:30 = 750 s, 12:41 = 761 s.
    assert_eq!(
        rows(&source),
        vec![
            row(Some("INT"), "Et le travail ?", Some(723_000), None),
            row(Some("P03"), "Le travail… c’était dur.", Some(729_000), None),
            row(Some("INT"), "D’accord.", Some(750_000), Some(761_000)),
        ]
    );
    assert_eq!(
        source.text(),
        "INT : Et le travail ?\nP03 : Le travail… c’était dur.\nINT : D’accord."
    );
}

#[test]
fn redetect_keeps_the_text_and_finds_new_labels() {
    let source = read(Format::Txt, FOCUS_GROUP);
    let pattern: SpeakerMode = r"^(?:\[?[\d:]+\]?\s*)?(?<speaker>[^:\[\]]+?)\s*:\s"
        .parse()
        .unwrap();
    let again = redetect(Format::Txt, source.text(), &pattern, &[]).unwrap();
    assert_eq!(again.text(), source.text());
    let speakers: Vec<Option<&str>> = again.turns().iter().map(|t| t.speaker.as_deref()).collect();
    assert_eq!(
        speakers,
        vec![
            Some("Sonia Martin (ENQ)"),
            Some("Lucie Bernard"),
            Some("Sonia Martin (ENQ)"),
            Some("Marc Petit"),
            Some("Lucie Bernard")
        ]
    );
    let none = redetect(Format::Txt, source.text(), &SpeakerMode::None, &[]).unwrap();
    assert!(none.turns().is_empty());
    // A stamp opening a turn stays in the text, out of the turn, on redetect.
    let stamped = "INT : (0:11 - 0:15) Bonjour.\nP03 : Salut.";
    let found = redetect(Format::Txt, stamped, &SpeakerMode::Auto, &[]).unwrap();
    assert_eq!(found.text(), stamped);
    assert_eq!(
        rows(&found),
        vec![
            row(Some("INT"), "Bonjour.", Some(11_000), Some(15_000)),
            row(Some("P03"), "Salut.", None, None),
        ]
    );
}

#[test]
fn redetect_reads_a_known_label_alone_on_its_line_again() {
    // A Word transcript whose speakers were bold name paragraphs: stored as
    // plain lines, they are labels only because the source had them.
    let text = "Chercheuse\n\nVous pouvez commencer.\n\nMarie\n\nBon, d’accord.\n\nMarie\n\nVoilà.";
    let known = ["Chercheuse".to_owned(), "Marie".to_owned()];
    let found = redetect(Format::Docx, text, &SpeakerMode::Auto, &known).unwrap();
    assert_eq!(
        rows(&found),
        vec![
            row(Some("Chercheuse"), "Vous pouvez commencer.", None, None),
            row(Some("Marie"), "Bon, d’accord.", None, None),
            row(Some("Marie"), "Voilà.", None, None),
        ]
    );
    let unknown = redetect(Format::Docx, text, &SpeakerMode::Auto, &[]).unwrap();
    assert!(unknown.turns().is_empty());
}
