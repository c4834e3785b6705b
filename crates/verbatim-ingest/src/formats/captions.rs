//! Readers for caption files from automatic transcription: WebVTT and SubRip.
//!
//! Zoom, Teams, YouTube and Whisper export their transcripts as captions:
//! short timed cues, the speaker given by a WebVTT voice tag (`<v Marie>`) or
//! written at the start of the cue text (`Marie Dupont: Bonjour`). Both
//! formats are small enough to read by hand, and hand-written readers can be
//! tolerant where exports are sloppy (missing cue numbers, CRLF, a blank line
//! inside a cue, a byte-order mark, a legacy encoding) while still naming the
//! line of a timing they cannot read.
//!
//! Each cue becomes one [`Block`] with its timing and, for a voice tag, a
//! [`LabelHint::Speaker`]; a cue holding several voices becomes one block per
//! voice, all with the cue's timing. An inline label (`Marie Dupont: …`,
//! `- INTERVIEWER: …`) stays in the block's text: assembly finds it with the
//! same detector as for transcripts, so `--speakers` rules apply to captions
//! too, and drops it from the cue text. [`Join::Cues`] then merges
//! consecutive cues of one speaker into a paragraph.

use crate::decode::decode_text;
use crate::formats::txt::split_lines;
use crate::speakers::{self, parse_timestamp};
use crate::{Block, Extracted, IngestError, Join, LabelHint};

/// Returns the cues of a WebVTT file as blocks.
pub(crate) fn extract_vtt(bytes: &[u8]) -> Result<Extracted, IngestError> {
    extract(bytes, Kind::Vtt)
}

/// Returns the cues of a SubRip file as blocks.
pub(crate) fn extract_srt(bytes: &[u8]) -> Result<Extracted, IngestError> {
    extract(bytes, Kind::Srt)
}

/// Which caption format a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// WebVTT.
    Vtt,
    /// SubRip.
    Srt,
}

impl Kind {
    /// Returns the format's name as error messages give it.
    fn name(self) -> &'static str {
        match self {
            Kind::Vtt => "vtt",
            Kind::Srt => "srt",
        }
    }
}

/// A cue as read: its timing and the raw lines of its text.
struct RawCue<'a> {
    /// `(begin_ms, end_ms)`.
    timing: (u64, u64),
    /// The text lines, tags and all.
    lines: Vec<&'a str>,
}

/// Returns the cues of a caption file of either kind as blocks.
fn extract(bytes: &[u8], kind: Kind) -> Result<Extracted, IngestError> {
    let decoded = decode_text(bytes)?;
    let mut notes = Vec::new();
    let cues = parse(&decoded.text, kind, &mut notes)?;
    let mut blocks = Vec::new();
    for cue in &cues {
        let text = cue.lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty());
        let joined = text.collect::<Vec<_>>().join(" ");
        for (speaker, speech) in voices(&joined) {
            // Only ASCII spaces collapse: `&nbsp;` before `?` is French typography.
            let words = speech
                .split(|c: char| c.is_ascii_whitespace())
                .filter(|w| !w.is_empty());
            let speech = words.collect::<Vec<_>>().join(" ");
            if speech.is_empty() && speaker.is_none() {
                continue;
            }
            blocks.push(Block {
                text: speech,
                label: speaker.map(LabelHint::Speaker),
                timing: Some(cue.timing),
                ..Block::default()
            });
        }
    }
    if blocks.iter().all(|b| b.text.trim().is_empty()) {
        return Err(IngestError::Empty);
    }
    let mut extracted = Extracted {
        blocks,
        join: Join::Cues,
        ..Extracted::default()
    };
    extracted.metadata.encoding = Some(decoded.encoding.to_owned());
    extracted.metadata.notes = notes;
    Ok(extracted)
}

/// Returns the cues of a caption file. Blocks are runs of non-blank lines;
/// a timing line (one holding `-->`) starts a cue, the line just before it
/// is its identifier, and a block without a timing line after a cue is more
/// of that cue's text (a blank line inside a cue).
fn parse<'a>(
    text: &'a str,
    kind: Kind,
    notes: &mut Vec<String>,
) -> Result<Vec<RawCue<'a>>, IngestError> {
    let lines: Vec<&str> = split_lines(text).collect();
    let mut cues: Vec<RawCue<'a>> = Vec::new();
    let mut at = 0usize;
    let mut first_block = true;
    let mut saw_header = false;
    while at < lines.len() {
        if lines.get(at).is_some_and(|l| l.trim().is_empty()) {
            at += 1;
            continue;
        }
        let start = at;
        while lines.get(at).is_some_and(|l| !l.trim().is_empty()) {
            at += 1;
        }
        let block = lines.get(start..at).unwrap_or_default();
        let head = block
            .first()
            .map(|l| l.trim_start_matches('\u{feff}').trim())
            .unwrap_or("");
        if kind == Kind::Vtt && first_block && is_keyword(head, "WEBVTT") {
            first_block = false;
            saw_header = true;
            // A cue written right under the header, without a blank line.
            if let Some(timing) = block.iter().position(|l| l.contains("-->")) {
                let from = timing.saturating_sub(1).max(1);
                let cue = block.get(from..).unwrap_or_default();
                read_block(cue, start + from, kind, &mut cues, notes)?;
            }
            continue;
        }
        if kind == Kind::Vtt
            && !saw_header
            && first_block
            && !block.iter().any(|l| l.contains("-->"))
        {
            return Err(malformed(
                kind,
                start + 1,
                "the file does not start with WEBVTT",
            ));
        }
        first_block = false;
        if kind == Kind::Vtt
            && ["NOTE", "STYLE", "REGION"]
                .iter()
                .any(|k| is_keyword(head, k))
        {
            continue;
        }
        read_block(block, start, kind, &mut cues, notes)?;
    }
    Ok(cues)
}

/// Reads one run of non-blank lines starting at line index `start`.
fn read_block<'a>(
    block: &[&'a str],
    start: usize,
    kind: Kind,
    cues: &mut Vec<RawCue<'a>>,
    notes: &mut Vec<String>,
) -> Result<(), IngestError> {
    let mut pending: Vec<&'a str> = Vec::new();
    let mut current: Option<RawCue<'a>> = None;
    for (offset, &line) in block.iter().enumerate() {
        let number = start + offset + 1;
        if line.contains("-->") {
            let timing = parse_timing(line, kind, number, notes)?;
            // The line just before a timing line is the cue's identifier
            // (SRT: its number) when it opens the block or is a number.
            let is_identifier = |l: &str| {
                let l = l.trim().trim_start_matches('\u{feff}');
                (offset == 1 && current.is_none())
                    || (!l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
            };
            if pending.last().is_some_and(|l| is_identifier(l)) {
                pending.pop();
            }
            flush(&mut current, &mut pending, cues);
            current = Some(RawCue {
                timing,
                lines: Vec::new(),
            });
        } else if looks_like_timing(line) {
            return Err(malformed(
                kind,
                number,
                &format!(
                    "cannot read the cue timing {:?}: expected `00:00:01.000 --> 00:00:04.000`",
                    line.trim()
                ),
            ));
        } else {
            pending.push(line);
        }
    }
    if current.is_none() {
        // A block without a timing line: more text of the previous cue, or
        // stray lines (a lone cue number) before the first cue.
        if let Some(last) = cues.last_mut() {
            let all_number = pending
                .iter()
                .all(|l| l.trim().bytes().all(|b| b.is_ascii_digit()));
            if !(kind == Kind::Srt && all_number) {
                last.lines.append(&mut pending);
            }
        }
        return Ok(());
    }
    flush(&mut current, &mut pending, cues);
    Ok(())
}

/// Moves the pending text lines into the current cue (or, with no current
/// cue, onto the previous one) and files the current cue.
fn flush<'a>(
    current: &mut Option<RawCue<'a>>,
    pending: &mut Vec<&'a str>,
    cues: &mut Vec<RawCue<'a>>,
) {
    match current.take() {
        Some(mut cue) => {
            cue.lines.append(pending);
            cues.push(cue);
        }
        None => {
            if let Some(last) = cues.last_mut() {
                last.lines.append(pending);
            }
            pending.clear();
        }
    }
}

/// Returns whether `line` starts with `keyword` as a whole word (`NOTE`,
/// `WEBVTT - title`).
fn is_keyword(line: &str, keyword: &str) -> bool {
    line.strip_prefix(keyword)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '-']))
}

/// Returns the error for a line that cannot be read.
fn malformed(kind: Kind, line: usize, what: &str) -> IngestError {
    IngestError::Malformed {
        format: kind.name(),
        reason: format!("line {line}: {what}"),
    }
}

/// Returns whether a line without `-->` was meant as a timing line:
/// `00:00:01,000 -> 00:00:02,000` and the like.
fn looks_like_timing(line: &str) -> bool {
    let line = line.trim();
    let Some(first) = line.split_whitespace().next() else {
        return false;
    };
    let clock_like = first.contains(':')
        && first
            .bytes()
            .all(|b| b.is_ascii_digit() || b":.,".contains(&b))
        && first.bytes().next().is_some_and(|b| b.is_ascii_digit());
    clock_like
        && ["->", "—>", "–>", "→", "-- >", "=>"]
            .iter()
            .any(|a| line.contains(a))
}

/// Returns `(begin_ms, end_ms)` from `start --> end [settings]`.
fn parse_timing(
    line: &str,
    kind: Kind,
    number: usize,
    notes: &mut Vec<String>,
) -> Result<(u64, u64), IngestError> {
    let bad = |what: &str| malformed(kind, number, what);
    let (left, right) = line
        .split_once("-->")
        .ok_or_else(|| bad("no `-->` in the timing line"))?;
    let start_text = left.trim();
    let end_text = right.split_whitespace().next().unwrap_or_default();
    let expected = match kind {
        Kind::Vtt => "hh:mm:ss.mmm or mm:ss.mmm",
        Kind::Srt => "hh:mm:ss,mmm",
    };
    let begin = parse_timestamp(start_text).ok_or_else(|| {
        bad(&format!(
            "cannot read the start time {start_text:?} (expected {expected})"
        ))
    })?;
    let end = parse_timestamp(end_text).ok_or_else(|| {
        bad(&format!(
            "cannot read the end time {end_text:?} (expected {expected})"
        ))
    })?;
    if end < begin {
        notes.push(format!(
            "line {number}: a cue ends ({end_text}) before it starts ({start_text}); its end was set to its start"
        ));
        return Ok((begin, begin));
    }
    Ok((begin, end))
}

/// Returns the cue text split by voice: `(speaker, text)` pairs, tags
/// removed and entities decoded. Text before any voice tag has no speaker.
fn voices(raw: &str) -> Vec<(Option<String>, String)> {
    let mut out: Vec<(Option<String>, String)> = vec![(None, String::new())];
    let mut rest = raw;
    while let Some(open) = rest.find(['<', '&', '{']) {
        let (before, from) = rest.split_at(open);
        push_text(&mut out, before);
        let Some(close_at) = from.find(match from.as_bytes().first() {
            Some(b'<') => '>',
            Some(b'{') => '}',
            _ => ';',
        }) else {
            push_text(&mut out, from.get(..1).unwrap_or_default());
            rest = from.get(1..).unwrap_or_default();
            continue;
        };
        let token = from.get(..=close_at).unwrap_or_default();
        rest = from.get(close_at + 1..).unwrap_or_default();
        let inner = token.get(1..token.len() - 1).unwrap_or_default();
        let is_tag = inner.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '/');
        match token.as_bytes().first() {
            Some(b'<') if is_tag => {
                if let Some(name) = voice_name(inner) {
                    out.push((Some(name), String::new()));
                }
            }
            // `{\an8}` and other SubStation overrides in SRT files.
            Some(b'{') if token.starts_with("{\\") => {}
            Some(b'&') if entity(token).is_some() => {
                push_text(&mut out, &entity(token).unwrap_or_default());
            }
            // Not markup (`a < b`, a lone `&`): the char is text.
            _ => {
                push_text(&mut out, from.get(..1).unwrap_or_default());
                rest = from.get(1..).unwrap_or_default();
            }
        }
    }
    push_text(&mut out, rest);
    out.retain(|(speaker, text)| speaker.is_some() || !text.trim().is_empty());
    // A voice tag repeated for the same speaker does not split the cue.
    let mut merged: Vec<(Option<String>, String)> = Vec::new();
    for (speaker, text) in out {
        match merged.last_mut() {
            Some((last, buffer)) if *last == speaker => {
                buffer.push(' ');
                buffer.push_str(&text);
            }
            _ => merged.push((speaker, text)),
        }
    }
    merged
}

/// Appends text to the last voice's buffer.
fn push_text(out: &mut [(Option<String>, String)], text: &str) {
    if let Some((_, buffer)) = out.last_mut() {
        buffer.push_str(text);
    }
}

/// Returns the speaker of a `v` tag's inside (`v Marie`, `v.loud Marie`).
fn voice_name(inner: &str) -> Option<String> {
    let rest = inner.strip_prefix('v')?;
    if !rest.starts_with(['.', ' ', '\t']) {
        return None;
    }
    let name = rest.split_once([' ', '\t']).map(|(_, name)| name)?;
    let name = speakers::normalise_label(name);
    (!name.is_empty()).then_some(name)
}

/// Returns the text of an entity (`&amp;`, `&#233;`), or `None` when it is
/// not one.
fn entity(token: &str) -> Option<String> {
    let name = token.strip_prefix('&')?.strip_suffix(';')?;
    let ch = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "lrm" => '\u{200e}',
        "rlm" => '\u{200f}',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some(ch.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use verbatim_core::Format;

    fn cues(extracted: &Extracted) -> Vec<(Option<&str>, &str, (u64, u64))> {
        extracted
            .blocks
            .iter()
            .map(|b| {
                let speaker = match &b.label {
                    Some(LabelHint::Speaker(s)) => Some(s.as_str()),
                    _ => None,
                };
                (speaker, b.text.as_str(), b.timing.unwrap_or_default())
            })
            .collect()
    }

    const VTT: &str = "\u{feff}WEBVTT - entretien Zoom\n\
Kind: captions\n\
\n\
NOTE transcription automatique,\n\
relue le 3 mars\n\
\n\
STYLE\n\
::cue { color: yellow }\n\
\n\
1\n\
00:00:01.000 --> 00:00:04.500 align:start position:10%\n\
<v Marie Dupont>Bonjour, euh… merci d’être <i>venue</i>.</v>\n\
\n\
intro-2\n\
00:04.500 --> 00:07.250\n\
<v.loud Marie Dupont>On commence&nbsp;?\n\
\n\
00:00:07.250 --> 00:00:10.000\n\
<v Paul>Oui &amp; non…\n\
<c.yellow>enfin</c> <00:00:09.000>d’accord.</v>\n\
\n\
00:00:10.000 --> 00:00:12.000\n\
<v Marie Dupont>Bon.</v> <v Paul>Voilà.</v>\n";

    #[test]
    fn vtt_voice_tags_tags_entities_and_timings() {
        let extracted = extract_vtt(VTT.as_bytes()).unwrap();
        assert_eq!(extracted.join, Join::Cues);
        assert_eq!(
            cues(&extracted),
            [
                (
                    Some("Marie Dupont"),
                    "Bonjour, euh… merci d’être venue.",
                    (1_000, 4_500)
                ),
                (Some("Marie Dupont"), "On commence\u{a0}?", (4_500, 7_250)),
                (Some("Paul"), "Oui & non… enfin d’accord.", (7_250, 10_000)),
                (Some("Marie Dupont"), "Bon.", (10_000, 12_000)),
                (Some("Paul"), "Voilà.", (10_000, 12_000)),
            ]
        );
    }

    #[test]
    fn vtt_assembles_into_merged_speaker_paragraphs() {
        let source = crate::read_bytes(
            "zoom.vtt",
            verbatim_core::Format::Vtt,
            VTT.as_bytes(),
            &crate::Options::default(),
        )
        .unwrap();
        assert_eq!(
            source.text(),
            "Bonjour, euh… merci d’être venue. On commence\u{a0}?\n\nOui & non… enfin d’accord.\n\nBon.\n\nVoilà."
        );
        let timing: Vec<_> = source
            .turns()
            .iter()
            .map(|t| (t.speaker.as_deref().unwrap_or(""), t.begin_ms, t.end_ms))
            .collect();
        assert_eq!(
            timing,
            [
                ("Marie Dupont", Some(1_000), Some(7_250)),
                ("Paul", Some(7_250), Some(10_000)),
                ("Marie Dupont", Some(10_000), Some(12_000)),
                ("Paul", Some(10_000), Some(12_000)),
            ]
        );
    }

    #[test]
    fn vtt_inline_labels_become_speakers() {
        let vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\nMarie Dupont: Bonjour.\n\n\
00:02.000 --> 00:03.000\n- INTERVIEWER: Vous allez bien ?\n\n\
00:03.000 --> 00:04.000\nMarie Dupont: Oui,\nmerci.\n\n\
00:04.000 --> 00:05.000\nNote: ceci n’est pas un locuteur.\n";
        let source = read(vtt, Format::Vtt, "auto");
        assert_eq!(
            source.text(),
            "Bonjour.\n\nVous allez bien ?\n\nOui, merci. Note: ceci n’est pas un locuteur."
        );
        assert_eq!(
            turns(&source),
            [
                ("Marie Dupont", "Bonjour.", Some(1_000), Some(2_000)),
                ("INTERVIEWER", "Vous allez bien ?", Some(2_000), Some(3_000)),
                (
                    "Marie Dupont",
                    "Oui, merci. Note: ceci n’est pas un locuteur.",
                    Some(3_000),
                    Some(5_000)
                ),
            ]
        );
        // Without speaker detection the labels stay in the text, and each
        // cue is a timed segment with no speaker.
        let plain = read(vtt, Format::Vtt, "none");
        let segments: Vec<_> = turns(&plain)
            .into_iter()
            .map(|(who, _, begin, end)| (who, begin, end))
            .collect();
        assert_eq!(
            segments,
            [
                ("", Some(1_000), Some(2_000)),
                ("", Some(2_000), Some(3_000)),
                ("", Some(3_000), Some(4_000)),
                ("", Some(4_000), Some(5_000)),
            ]
        );
        assert!(
            plain
                .text()
                .starts_with("Marie Dupont: Bonjour. - INTERVIEWER: Vous")
        );
    }

    fn read(text: &str, format: Format, speakers: &str) -> verbatim_core::NormalisedSource {
        let options = crate::Options {
            speakers: speakers.parse().unwrap(),
            ..Default::default()
        };
        crate::read_bytes("c", format, text.as_bytes(), &options).unwrap()
    }

    fn turns(
        source: &verbatim_core::NormalisedSource,
    ) -> Vec<(&str, &str, Option<u64>, Option<u64>)> {
        let table = verbatim_core::OffsetTable::new(source.text());
        source
            .turns()
            .iter()
            .map(|t| {
                let speech = table
                    .slice(source.text(), t.span)
                    .unwrap_or("<out of range>");
                (
                    t.speaker.as_deref().unwrap_or(""),
                    speech,
                    t.begin_ms,
                    t.end_ms,
                )
            })
            .collect()
    }

    #[test]
    fn vtt_malformed_timing_names_the_line() {
        let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nBonjour.\n\n00:00:02.000 --> 00:0x:03.000\nOups.\n";
        let err = extract_vtt(vtt.as_bytes()).unwrap_err();
        match err {
            IngestError::Malformed { format, reason } => {
                assert_eq!(format, "vtt");
                assert!(reason.starts_with("line 6:"), "{reason}");
            }
            other => panic!("unexpected {other:?}"),
        }
        let arrow = "WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nBonjour.\n";
        let err = extract_vtt(arrow.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("line 3:"), "{err}");
    }

    #[test]
    fn vtt_without_header_is_refused() {
        let err = extract_vtt(b"Juste du texte.\nRien d'autre.")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 1: the file does not start with WEBVTT"),
            "{err}"
        );
    }

    #[test]
    fn srt_crlf_missing_numbers_comma_ms_and_bom() {
        let srt = "\u{feff}1\r\n00:00:01,000 --> 00:00:03,500\r\n<i>INT :</i> Vous êtes née où ?\r\n\r\n\
00:00:03,500 --> 00:00:06,000\r\nP03 : À Alger,\r\nen 1954.\r\n\r\n\r\n\
3\r\n00:00:06.000 --> 00:00:08.000 X1:40 X2:600\r\n{\\an8}INT : Et ensuite ?\r\n\
4\r\n00:00:08,000 --> 00:00:09,000\r\nP03 : Lyon.\r\n\r\nPuis Paris.\r\n";
        let extracted = extract_srt(srt.as_bytes()).unwrap();
        assert_eq!(extracted.join, Join::Cues);
        assert_eq!(
            cues(&extracted),
            [
                (None, "INT : Vous êtes née où ?", (1_000, 3_500)),
                (None, "P03 : À Alger, en 1954.", (3_500, 6_000)),
                (None, "INT : Et ensuite ?", (6_000, 8_000)),
                (None, "P03 : Lyon. Puis Paris.", (8_000, 9_000)),
            ]
        );
        assert_eq!(
            turns(&read(srt, Format::Srt, "auto")),
            [
                ("INT", "Vous êtes née où ?", Some(1_000), Some(3_500)),
                ("P03", "À Alger, en 1954.", Some(3_500), Some(6_000)),
                ("INT", "Et ensuite ?", Some(6_000), Some(8_000)),
                ("P03", "Lyon. Puis Paris.", Some(8_000), Some(9_000)),
            ]
        );
    }

    #[test]
    fn label_only_cue_opens_the_next_paragraph() {
        let srt = "1\n00:00:01,000 --> 00:00:02,000\nINT : Bonjour.\n\n2\n00:00:02,000 --> 00:00:03,000\nP03 :\n\n3\n00:00:03,000 --> 00:00:04,000\nSalut.\n";
        let source = read(srt, Format::Srt, "auto");
        assert_eq!(source.text(), "Bonjour.\n\nSalut.");
        assert_eq!(
            turns(&source),
            [
                ("INT", "Bonjour.", Some(1_000), Some(2_000)),
                ("P03", "Salut.", Some(2_000), Some(4_000)),
            ]
        );
    }

    #[test]
    fn srt_in_windows_1252_decodes() {
        let text = "1\r\n00:00:01,000 --> 00:00:02,000\r\nEnquêtrice : Ça s’est passé où ?\r\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        let extracted = extract_srt(&bytes).unwrap();
        assert_eq!(extracted.metadata.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(
            cues(&extracted),
            [(None, "Enquêtrice : Ça s’est passé où ?", (1_000, 2_000))]
        );
    }

    #[test]
    fn srt_malformed_timing_names_the_line() {
        let srt = "1\n00:00:01,000 --> 00:00:02,000\nBonjour.\n\n2\n00:00:02,000 --> 00:00:99,000\nOups.\n";
        let err = extract_srt(srt.as_bytes()).unwrap_err();
        assert!(
            matches!(&err, IngestError::Malformed { format: "srt", reason } if reason.starts_with("line 6:")),
            "{err:?}"
        );
    }

    #[test]
    fn end_before_start_is_noted_not_refused() {
        let srt = "1\n00:00:05,000 --> 00:00:02,000\nBonjour.\n";
        let extracted = extract_srt(srt.as_bytes()).unwrap();
        assert_eq!(extracted.blocks[0].timing, Some((5_000, 5_000)));
        assert_eq!(extracted.metadata.notes.len(), 1);
    }

    #[test]
    fn captions_without_cues_are_empty() {
        assert!(matches!(
            extract_vtt(b"WEBVTT\n\nNOTE rien\n"),
            Err(IngestError::Empty)
        ));
        assert!(matches!(extract_srt(b""), Err(IngestError::Empty)));
    }

    #[test]
    fn stray_angle_brackets_stay_text() {
        let got = voices("si a < b et b > c alors &unknown; & fin");
        assert_eq!(
            got,
            [(None, "si a < b et b > c alors &unknown; & fin".to_owned())]
        );
    }

    proptest! {
        #[test]
        fn vtt_never_panics(text in "\\PC*") {
            let _ = extract_vtt(text.as_bytes());
            let _ = extract_vtt(format!("WEBVTT\n\n{text}").as_bytes());
        }

        #[test]
        fn srt_never_panics(text in "\\PC*") {
            let _ = extract_srt(text.as_bytes());
        }

        #[test]
        fn caption_shaped_input_never_panics(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("00:00:01.000 --> 00:00:02.000".to_owned()),
                    Just("\n".to_owned()),
                    Just("<v A>".to_owned()),
                    Just("</v>".to_owned()),
                    Just("&amp;".to_owned()),
                    Just("&".to_owned()),
                    Just("<".to_owned()),
                    "[a-zA-Z0-9:,.> -]{0,12}",
                ],
                0..30,
            )
        ) {
            let body = parts.concat();
            let _ = extract_vtt(format!("WEBVTT\n\n{body}").as_bytes());
            let _ = extract_srt(body.as_bytes());
        }

        #[test]
        fn srt_round_trips(cues in proptest::collection::vec(("[A-Za-zéà ,.?]{1,30}", 0u64..3_600_000, 0u64..60_000), 1..8)) {
            let mut file = String::new();
            let mut expected = Vec::new();
            for (index, (text, begin, length)) in cues.iter().enumerate() {
                let end = begin + length;
                let stamp = |ms: u64| format!("{:02}:{:02}:{:02},{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
                file.push_str(&format!("{}\n{} --> {}\n{}\n\n", index + 1, stamp(*begin), stamp(end), text));
                let clean = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !clean.is_empty() {
                    expected.push((clean, (*begin, end)));
                }
            }
            match extract_srt(file.as_bytes()) {
                Ok(extracted) => {
                    let got: Vec<(String, (u64, u64))> = extracted
                        .blocks
                        .iter()
                        .map(|b| {
                            (b.text.clone(), b.timing.unwrap_or_default())
                        })
                        .collect();
                    prop_assert_eq!(got.len(), expected.len());
                    for ((text, timing), (want, want_timing)) in got.iter().zip(&expected) {
                        prop_assert_eq!(timing, want_timing);
                        prop_assert!(want.ends_with(text.as_str()));
                    }
                }
                Err(IngestError::Empty) => prop_assert!(expected.is_empty()),
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }
}
