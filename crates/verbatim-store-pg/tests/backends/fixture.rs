//! The interviews every backend imports: written for these tests, with an
//! accented letter and an emoji so that chars, not bytes, are counted.

use verbatim_core::{
    Format, NormalisedSource, SourceAnchor, SourceKind, SourceMetadata, Span, Turn,
};
use verbatim_store::{ImportItem, StudySettings};

/// Three turns, two speakers; 40 chars (44 bytes: Ç is 2, 😀 is 4).
///
/// "INT : Ça va ?" is 13 chars, the newline makes 14; "CSI-2 : Oui 😀."
/// is 14 more (28), the newline 29; "INT : Bien." is 11 more: 40.
pub const TEXT: &str = "INT : Ça va ?\nCSI-2 : Oui 😀.\nINT : Bien.";

/// The settings every test study is created with.
pub fn settings() -> StudySettings {
    StudySettings {
        title: "Étude".into(),
        language: Some("fr".parse().expect("fr is a language")),
    }
}

fn turn(speaker: &str, start: usize, end: usize, begin_ms: Option<u64>) -> Turn {
    Turn {
        speaker: Some(speaker.into()),
        span: Span::new(start, end).expect("a valid span"),
        begin_ms,
        end_ms: None,
    }
}

/// The interview in [`TEXT`] named `name`: turns INT 6..13 ("Ça va ?"),
/// CSI-2 22..28 ("Oui 😀."), INT 35..40 ("Bien."), and one comment on the
/// emoji, 26..27 ("Oui " starts at 22, so 😀 is char 26).
pub fn interview(name: &str) -> ImportItem {
    let turns = vec![
        turn("INT", 6, 13, Some(0)),
        turn("CSI-2", 22, 28, Some(2_500)),
        turn("INT", 35, 40, None),
    ];
    let anchors = vec![SourceAnchor {
        span: Span::new(26, 27).expect("a valid span"),
        author: Some("Relectrice".into()),
        date: Some("2026-03-02T10:00:00Z".into()),
        text: "Rire à l'enregistrement".into(),
    }];
    let source = NormalisedSource::new(
        Format::Txt,
        TEXT.into(),
        turns,
        anchors,
        SourceMetadata::default(),
    )
    .expect("the fixture is a valid source");
    ImportItem {
        name: name.into(),
        original_path: Some("entretiens/cs-02.txt".into()),
        kind: SourceKind::Interview,
        site: Some("CS".into()),
        language: None,
        source,
    }
}

/// A one-turn note whose whole text is `text`.
pub fn note(name: &str, text: &str) -> ImportItem {
    let chars = text.chars().count();
    let source = NormalisedSource::new(
        Format::Txt,
        text.into(),
        vec![turn("P01", 0, chars, None)],
        vec![],
        SourceMetadata::default(),
    )
    .expect("the note is a valid source");
    ImportItem {
        name: name.into(),
        original_path: None,
        kind: SourceKind::FocusGroup,
        site: None,
        language: Some("en".parse().expect("en is a language")),
        source,
    }
}
