//! Tests of transcribing turn by turn: a source made from a recording, turns
//! appended with their times, codings kept, undo, refusals.

use verbatim_core::{SourceKind, Span};

use crate::media::tests::write_wav;
use crate::testkit::{TEXT, fixture};
use crate::{CodingFilter, NewCode, SourceRef, Store, StoreError, TypedTurn};

fn typed(speaker: &str, begin_ms: u64, text: &str) -> TypedTurn {
    TypedTurn {
        speaker: speaker.into(),
        begin_ms,
        text: text.into(),
    }
}

#[test]
fn a_recording_becomes_a_source_grown_turn_by_turn() {
    let mut f = fixture();
    let wav = f.dir.path().join("visite.wav");
    // 8,000 Hz, 40,000 samples: 5 s, 5,000 ms.
    write_wav(&wav, 8000, 40_000);
    let rec = f
        .store
        .source_from_recording("amira", "visite", SourceKind::Interview, &wav)
        .unwrap();
    assert_eq!(rec.source, "visite");
    assert_eq!(rec.duration_ms, Some(5000));
    let id = rec.source_id;
    let empty = f.store.source(&SourceRef::Id(id)).unwrap();
    assert_eq!(empty.text, "");
    assert!(empty.turn_list.is_empty());

    let first = f
        .store
        .append_turn("amira", id, &typed("INT", 1200, "Bonjour, on commence ?"))
        .unwrap();
    // "INT : " is 6 chars; the speech is 22 chars: [6, 28).
    assert_eq!((first.start, first.end, first.ordinal), (6, 28, 0));
    let second = f
        .store
        .append_turn("amira", id, &typed(" CSI-3 ", 3400, "Oui, allons-y."))
        .unwrap();
    // After "\n" (char 28) and "CSI-3 : " (8 chars): 28 + 1 + 8 = 37;
    // "Oui, allons-y." is 14 chars: [37, 51).
    assert_eq!((second.start, second.end, second.ordinal), (37, 51, 1));
    let source = f.store.source(&SourceRef::Id(id)).unwrap();
    assert_eq!(
        source.text,
        "INT : Bonjour, on commence ?\nCSI-3 : Oui, allons-y."
    );
    let times: Vec<_> = source
        .turn_list
        .iter()
        .map(|t| {
            (
                t.speaker.clone().unwrap(),
                t.start,
                t.end,
                t.begin_ms,
                t.end_ms,
            )
        })
        .collect();
    // The first turn ends where the second begins (3,400 ms).
    assert_eq!(
        times,
        vec![
            ("INT".into(), 6, 28, Some(1200), Some(3400)),
            ("CSI-3".into(), 37, 51, Some(3400), None),
        ]
    );

    // One undo removes the second turn and the first turn's end again.
    f.store.undo("amira", 1).unwrap();
    let source = f.store.source(&SourceRef::Id(id)).unwrap();
    assert_eq!(source.text, "INT : Bonjour, on commence ?");
    assert_eq!(source.turn_list.len(), 1);
    assert_eq!(source.turn_list[0].end_ms, None);
    // Two more undos: the first turn, then the source itself.
    f.store.undo("amira", 2).unwrap();
    assert!(f.store.recording(id).unwrap().is_none());
    assert!(f.store.source(&SourceRef::Id(id)).is_err());
}

/// Checks that `r` is a refusal whose sentence contains `says`.
fn refused<T: std::fmt::Debug>(r: Result<T, StoreError>, says: &str) {
    match r {
        Err(StoreError::Invalid(m)) => assert!(m.contains(says), "{m}"),
        other => panic!("expected a refusal saying {says:?}, got {other:?}"),
    }
}

#[test]
fn turns_out_of_order_or_past_the_end_are_refused_and_nothing_changes() {
    let mut f = fixture();
    let wav = f.dir.path().join("visite.wav");
    write_wav(&wav, 8000, 40_000);
    let id = f
        .store
        .source_from_recording("amira", "visite", SourceKind::Interview, &wav)
        .unwrap()
        .source_id;
    f.store
        .append_turn("amira", id, &typed("INT", 2000, "Bonjour."))
        .unwrap();
    let before = f.store.source(&SourceRef::Id(id)).unwrap();
    refused(
        f.store
            .append_turn("amira", id, &typed("P1", 1999, "Avant.")),
        "before the previous turn (2000 ms)",
    );
    refused(
        f.store
            .append_turn("amira", id, &typed("P1", 5001, "Après.")),
        "after the recording's end (5000 ms)",
    );
    refused(
        f.store
            .append_turn("amira", id, &typed("", 3000, "Sans voix.")),
        "no speaker",
    );
    refused(
        f.store
            .append_turn("amira", id, &typed("P1 : x", 3000, "Deux.")),
        "without a colon",
    );
    refused(
        f.store.append_turn("amira", id, &typed("P1", 3000, "  ")),
        "empty",
    );
    // A NUL cannot be stored on PostgreSQL: refused on both, naming where.
    refused(
        f.store
            .append_turn("amira", id, &typed("P1", 3000, "Ou\0i.")),
        "the turn's text holds the character U+0000 (NUL)",
    );
    refused(
        f.store
            .append_turn("amira", id, &typed("P\u{0}1", 3000, "Oui.")),
        "the speaker label holds the character U+0000 (NUL)",
    );
    assert_eq!(f.store.source(&SourceRef::Id(id)).unwrap(), before);
    // The same recording cannot start a second source.
    refused(
        f.store
            .source_from_recording("amira", "visite bis", SourceKind::Interview, &wav),
        "already the recording of source \"visite\"",
    );
    refused(
        f.store
            .source_from_recording("amira", "entretien", SourceKind::Interview, &wav),
        "already exists",
    );
}

#[test]
fn a_partial_transcript_grows_and_keeps_its_codings() {
    let mut f = fixture();
    let amira = f.store.scope("amira", false, false).unwrap();
    let code = f
        .store
        .add_code(
            &amira,
            &NewCode {
                name: "Confiance".into(),
                ..NewCode::default()
            },
        )
        .unwrap();
    // The coded passage runs to the end of the text.
    let chars = TEXT.chars().count();
    let start = crate::testkit::at("la méfiance revient.");
    let span = Span::new(start, chars).unwrap();
    f.store
        .add_coding(&amira, f.source, span, code, None)
        .unwrap();
    let added = f
        .store
        .append_turn("amira", f.source, &typed("INT", 0, "Merci."))
        .unwrap();
    // The text gains "\nINT : Merci.": the speech starts at chars + 1 + 6.
    assert_eq!(added.start, chars as i64 + 7);
    assert_eq!(added.ordinal, 2);
    let codings = f.store.codings(&amira, &CodingFilter::default()).unwrap();
    assert_eq!(codings.len(), 1);
    assert_eq!(
        (codings[0].start, codings[0].end),
        (start as i64, chars as i64)
    );
    let text = f.store.source(&SourceRef::Id(f.source)).unwrap().text;
    assert_eq!(text, format!("{TEXT}\nINT : Merci."));
}
