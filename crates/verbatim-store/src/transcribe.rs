//! Transcribing with the recording: a source's text grown one timed turn at
//! a time.
//!
//! The web's transcription view saves each turn as soon as it is typed, so
//! a crash or a closed tab loses at most the line being typed. Each turn is
//! one undoable action: the line `SPEAKER : text` is appended to the text
//! (after a line break when the text does not end with one) through the
//! same core splice as `source edit` ([`crate::edit`]), so the codings,
//! turns and memos already anchored keep their place, and a new turn row
//! records the speech span (label excluded, as importers do) and when it
//! starts in the recording. The previous turn, when its end is unknown,
//! ends where the new one begins, so a passage coded in it has a time
//! range. Turns must come in the recording's order: a start before the
//! previous turn's, or past the recording's end, is refused.

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde::Serialize;
use serde_json::{Map, Value as Json};
use unicode_normalization::UnicodeNormalization;

use crate::edit::{Splice, splice_source};
use crate::history::Table;
use crate::{SqliteStore, StoreError};

/// The longest speaker label accepted, in chars.
const MAX_LABEL: usize = 60;

/// A turn as the transcriber typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedTurn {
    /// Who speaks (`INT`, `CSI-2`).
    pub speaker: String,
    /// When the turn starts in the recording, in milliseconds.
    pub begin_ms: u64,
    /// What they say, on one line.
    pub text: String,
}

/// A turn appended to a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppendedTurn {
    /// The turn's ordinal in the source.
    pub ordinal: i64,
    /// The speaker label.
    pub speaker: String,
    /// First char of the speech.
    pub start: i64,
    /// Char just past the speech.
    pub end: i64,
    /// When it starts in the recording.
    pub begin_ms: i64,
    /// The speech as stored (trimmed, NFC).
    pub text: String,
}

/// The last turn of a source: ordinal, start and end in the recording.
pub type LastTurn = (i64, Option<i64>, Option<i64>);

/// A typed turn checked: its label, its speech (trimmed, NFC) and when it
/// starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedTurn {
    /// The speaker label.
    pub speaker: String,
    /// The speech.
    pub text: String,
    /// When it starts in the recording, in milliseconds.
    pub begin_ms: i64,
}

/// Checks a typed turn before the source is read: a label, one line of
/// speech, a start that fits.
pub fn check_turn(turn: &TypedTurn) -> Result<CheckedTurn, StoreError> {
    let speaker = checked_label(&turn.speaker)?;
    let text: String = turn.text.trim().nfc().collect();
    crate::boundary::rules::storable(&text, "the turn's text")?;
    if text.is_empty() {
        return Err(StoreError::Invalid(
            "the turn is empty: type what is said before saving it".into(),
        ));
    }
    if text.contains(['\n', '\r']) {
        return Err(StoreError::Invalid(
            "a turn is one line: save each speaker's turn separately".into(),
        ));
    }
    let begin_ms = i64::try_from(turn.begin_ms)
        .map_err(|_| StoreError::Invalid("the turn's start time is too large".into()))?;
    Ok(CheckedTurn {
        speaker,
        text,
        begin_ms,
    })
}

/// Where a checked turn goes at the end of a source's text.
#[derive(Debug, Clone)]
pub struct PlacedTurn {
    /// The line appended (after a line break when needed).
    pub splice: Splice,
    /// The turn as it will be stored.
    pub turn: AppendedTurn,
    /// The previous turn whose unknown end becomes this turn's start.
    pub closes: Option<i64>,
    /// The summary of the `source.append_turn` audit entry.
    pub summary: Json,
}

/// Places a checked turn after a source's `chars` chars (its text ending
/// in a line break or not), refusing one that starts past the recording's
/// `duration` or before the `last` turn.
pub fn place_turn(
    turn: CheckedTurn,
    chars: i64,
    ends_line: bool,
    duration: Option<i64>,
    last: Option<LastTurn>,
) -> Result<PlacedTurn, StoreError> {
    let begin_ms = turn.begin_ms;
    if let Some(d) = duration.filter(|&d| begin_ms > d) {
        return Err(StoreError::Invalid(format!(
            "the turn starts at {begin_ms} ms, after the recording's end ({d} ms)"
        )));
    }
    if let Some((_, Some(previous), _)) = last
        && previous > begin_ms
    {
        return Err(StoreError::Invalid(format!(
            "the turn starts at {begin_ms} ms, before the previous turn ({previous} ms): turns are typed in the recording's order"
        )));
    }
    let gap = if chars == 0 || ends_line { "" } else { "\n" };
    let line = format!("{gap}{} : {}", turn.speaker, turn.text);
    let start = chars + (gap.len() + turn.speaker.chars().count() + 3) as i64;
    let end = start + turn.text.chars().count() as i64;
    let ordinal = last.map_or(0, |l| l.0 + 1);
    let summary = serde_json::json!({
        "speaker": turn.speaker, "begin_ms": begin_ms, "start": start, "end": end,
    });
    let closes = match last {
        Some((previous, Some(_), None)) => Some(previous),
        _ => None,
    };
    Ok(PlacedTurn {
        splice: Splice {
            start: chars,
            end: chars,
            text: line,
        },
        turn: AppendedTurn {
            ordinal,
            speaker: turn.speaker,
            start,
            end,
            begin_ms,
            text: turn.text,
        },
        closes,
        summary,
    })
}

impl SqliteStore {
    /// Appends a typed turn to the end of a source's text, with its start
    /// in the recording, as one undoable action (see the module docs).
    pub fn append_turn(
        &mut self,
        actor: &str,
        source: i64,
        turn: &TypedTurn,
    ) -> Result<AppendedTurn, StoreError> {
        let checked = check_turn(turn)?;
        let (chars, duration): (i64, Option<i64>) = self
            .conn
            .query_row(
                "SELECT s.chars, m.duration_ms FROM sources s \
                 LEFT JOIN media m ON m.source_id = s.id WHERE s.id = $1",
                [source],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::SourceNotFound(source.to_string()))?;
        let last = self.last_turn(source)?;
        let ends_line = self.text_of(source)?.0.ends_with('\n');
        let placed = place_turn(checked, chars, ends_line, duration, last)?;
        let PlacedTurn {
            splice,
            turn,
            closes,
            summary,
        } = placed;
        self.act(
            actor,
            "source.append_turn",
            &format!("source:{source}"),
            |tx, rec| {
                splice_source(tx, rec, source, &[splice], false)?;
                if let Some(previous) = closes {
                    rec.update(
                        tx,
                        Table::Turns,
                        turn_key(source, previous),
                        &[("end_ms", Value::Integer(turn.begin_ms))],
                    )?;
                }
                rec.insert(
                    tx,
                    Table::Turns,
                    &[
                        ("source_id", Value::Integer(source)),
                        ("ordinal", Value::Integer(turn.ordinal)),
                        ("speaker", Value::Text(turn.speaker.clone())),
                        ("start_char", Value::Integer(turn.start)),
                        ("end_char", Value::Integer(turn.end)),
                        ("begin_ms", Value::Integer(turn.begin_ms)),
                    ],
                )?;
                Ok(((), summary))
            },
        )?;
        Ok(turn)
    }

    /// The source's last turn (by ordinal), if it has one.
    fn last_turn(&self, source: i64) -> Result<Option<LastTurn>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT ordinal, begin_ms, end_ms FROM turns WHERE source_id = $1 \
                 ORDER BY ordinal DESC LIMIT 1",
                [source],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }
}

/// Checks a typed speaker label: one line, not empty, no colon (the text
/// writes `LABEL : speech`), at most [`MAX_LABEL`] chars.
fn checked_label(label: &str) -> Result<String, StoreError> {
    let label: String = label.trim().nfc().collect();
    crate::boundary::rules::storable(&label, "the speaker label")?;
    if label.is_empty() {
        return Err(StoreError::Invalid(
            "the turn has no speaker: type a label such as INT or P1 (Ctrl+1 to Ctrl+9 insert the study's labels)".into(),
        ));
    }
    if label.contains(['\n', '\r', ':']) || label.chars().count() > MAX_LABEL {
        return Err(StoreError::Invalid(format!(
            "the speaker label {label:?} must be one short line without a colon (at most {MAX_LABEL} characters)"
        )));
    }
    Ok(label)
}

fn turn_key(source: i64, ordinal: i64) -> Map<String, Json> {
    let mut key = Map::new();
    key.insert("source_id".into(), Json::from(source));
    key.insert("ordinal".into(), Json::from(ordinal));
    key
}

#[cfg(test)]
#[path = "transcribe_tests.rs"]
mod tests;
