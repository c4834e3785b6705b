//! Finding speaker labels at the start of blocks.
//!
//! Transcribers mark turns in many ways: `INT :`, `P03 :`, `Enquêtrice :`,
//! `[Chercheur]`, `**INT :**`, `Speaker 1  00:03:12` on a line of its own
//! (Otter, Teams), `[00:03:12] INT :`, a bold name in Word. None of them is
//! marked as a label, and prose has colons too (`Note : …`, `Alors : …`), so
//! the detector works in two passes over the whole document:
//!
//! 1. each block start is matched against the label shapes; a candidate is
//!    at most 40 chars and 4 words, starts with an uppercase letter or digit
//!    (or is bracketed) and reads like a name or a code;
//! 2. a candidate is kept when it is a role word (`INT`, `Enquêtrice`,
//!    `Moderator`, `Q`, `R`…), looks like a code (`P03`, `CSI-2`, `CHFG-C`,
//!    `Speaker 1`), or recurs at least twice in the document; metadata words
//!    (`Note`, `Date`, `Lieu`, `Durée`…) and bracketed annotations (`[rires]`,
//!    `[inaudible]`…) are never kept.
//!
//! A line that holds two labels (`CHFG-A : oui — CHFG-B : non`, crosstalk)
//! gives the whole line to its first speaker: splitting it would invent a
//! boundary the transcriber did not mark as a turn.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;

use crate::IngestError;

/// A clock time as transcripts write it: `3:12`, `00:03:12`, `00:03:12.5`,
/// `00:03:12,250`.
const TS: &str = r"(?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?";

/// An optional leading timestamp (`00:03:12`, `[00:03:12]`, `(3:12)`) and an
/// optional caption dash (`- `, `>> `).
const PREFIX: &str = r"^\s*(?:[\[(]?(?<ts>{TS})[\])]?\s*(?:[-–—|]\s*)?)?(?:(?:[-–—]|>>)\s+)?";

/// `[timestamp] NAME [(timestamp)] : speech`, with `**` bold marks around the
/// label or the colon tolerated. A stamp after the colon opens the speech
/// and is taken by `assemble` (see [`stamp_at`]).
static COLON: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        r"{PREFIX}(?:\*\*)?\s*(?<label>[^\s:\[\]*(][^:\[\]*\n]*?)\s*(?:\*\*)?\s*(?:[\[(](?<ts2>{{TS}})(?:\s*[-–—]\s*(?<te2>{{TS}}))?[\])]\s*)?(?:\*\*)?\s*[:：](?:\*\*)?(?:\s+|$)"
    ))
});

/// `[NAME] speech` or `[NAME] : speech`.
static BRACKET: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(&format!(
        r"{PREFIX}(?:\*\*)?\[(?<label>[^\]\n]{{1,40}})\](?:\*\*)?\s*[:：]?(?:\s+|$)"
    ))
});

/// `NAME  00:03:12` alone on the first line of a block.
static TIMESTAMPED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"^\s*(?:\*\*)?(?<label>[^\s\d:\[\]*(][^:\[\]*\n]*?)(?:\*\*)?\s+[\[(]?(?<ts>{TS})(?:\s*[-–—]\s*(?<te>{TS}))?[\])]?[ \t]*(?:\r?\n|$)",
    )
});

/// A time stamp opening a turn's speech: `(0:11 - 0:15)`, `[00:12:03]`,
/// `00:12:03 -`, `00:12:03 - 00:12:09`; bare `10:30` is not one (it can be
/// speech), so a stamp is bracketed, a range, or followed by a dash.
static STAMP: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"^(?:[\[(]\s*(?<b1>{TS})(?:\s*[-–—]\s*(?<e1>{TS}))?\s*[\])]\s*(?:[-–—:]\s+)?|(?<b2>{TS})\s*[-–—]\s*(?<e2>{TS})(?:\s*[-–—:])?(?:\s+|$)|(?<b3>{TS})\s*[-–—:](?:\s+|$))",
    )
});

/// A time stamp at the start of a turn's speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// How many chars it takes, with the blanks after it.
    pub chars: usize,
    /// Its time, in milliseconds.
    pub begin_ms: u64,
    /// The end of its range, when it gives one.
    pub end_ms: Option<u64>,
}

/// Code-like labels: `P03`, `CSI-2`, `CHFG-C`, `INT`, `E1`.
static CODE: LazyLock<Option<Regex>> =
    LazyLock::new(|| compile(r"^[\p{Lu}\d]{1,6}(?:[-_.]?[\p{Lu}\d]{1,5})*$"));

/// Numbered generic labels: `Speaker 1`, `Participant 4`, `Locuteur 2`.
static NUMBERED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    compile(
        r"(?i)^(?:speaker|participant|participante|locuteur|locutrice|intervenant|intervenante|interlocuteur|interlocutrice|interviewee|interviewé|interviewée|respondent|répondant|répondante|enquêté|enquêtée|personne|person|voix|voice|orateur|oratrice|invité|invitée|guest|host|femme|homme|man|woman|sujet)\s*(?:n°\s*|#\s*)?(?:\d{1,4}|\p{Lu})$",
    )
});

/// Role words, compared in lowercase.
const ROLES: &[&str] = &[
    "interviewer",
    "intervieweur",
    "intervieweuse",
    "interviewers",
    "enquêteur",
    "enquêtrice",
    "enqueteur",
    "enquetrice",
    "chercheur",
    "chercheuse",
    "modérateur",
    "modératrice",
    "moderateur",
    "moderatrice",
    "moderator",
    "animateur",
    "animatrice",
    "facilitator",
    "facilitateur",
    "facilitatrice",
    "interviewee",
    "interviewé",
    "interviewée",
    "enquêté",
    "enquêtée",
    "participant",
    "participante",
    "répondant",
    "répondante",
    "respondent",
    "int",
    "enq",
    "mod",
    "anim",
];

/// One-letter roles (`I`, `Q`, `R`, `A`, `E`, `P`), accepted only as the
/// whole label, optionally numbered (`P1`, `E 2`).
const LETTER_ROLES: &[char] = &['i', 'q', 'r', 'a', 'e', 'p'];

/// Words that start header and prose lines (`Date : …`, `Note : …`): never
/// labels, compared in lowercase against the whole label and its first word.
const STOP: &[&str] = &[
    "note",
    "notes",
    "nb",
    "n.b",
    "ps",
    "p.s",
    "date",
    "dates",
    "lieu",
    "lieux",
    "durée",
    "duree",
    "heure",
    "heures",
    "horaire",
    "time",
    "timestamp",
    "place",
    "location",
    "duration",
    "length",
    "titre",
    "title",
    "sujet",
    "subject",
    "objet",
    "object",
    "re",
    "tr",
    "fw",
    "fwd",
    "remarque",
    "remarques",
    "remark",
    "remarks",
    "attention",
    "important",
    "avertissement",
    "warning",
    "source",
    "sources",
    "transcription",
    "transcript",
    "transcripteur",
    "transcriptrice",
    "transcriber",
    "transcribed",
    "projet",
    "project",
    "fichier",
    "file",
    "enregistrement",
    "recording",
    "référence",
    "reference",
    "ref",
    "réf",
    "contexte",
    "context",
    "thème",
    "theme",
    "thèmes",
    "themes",
    "résumé",
    "resume",
    "summary",
    "mots-clés",
    "keywords",
    "age",
    "âge",
    "sexe",
    "sex",
    "genre",
    "gender",
    "profession",
    "métier",
    "statut",
    "status",
    "version",
    "page",
    "annexe",
    "appendix",
    "légende",
    "legend",
    "consigne",
    "consignes",
    "instructions",
    "exemple",
    "example",
    "ex",
    "total",
    "conclusion",
    "introduction",
    "todo",
    "ok",
    "url",
    "email",
    "e-mail",
    "mail",
    "tel",
    "tél",
    "téléphone",
    "phone",
    "adresse",
    "address",
    "http",
    "https",
    "objectif",
    "objectifs",
    "goal",
    "aim",
    "méthode",
    "method",
    "participants",
];

/// Bracketed annotations of the transcription, never labels (first word,
/// lowercase).
const ANNOTATIONS: &[&str] = &[
    "rires",
    "rire",
    "rit",
    "sourire",
    "sourit",
    "laughs",
    "laugh",
    "laughter",
    "laughing",
    "inaudible",
    "inaud",
    "incompréhensible",
    "incomprehensible",
    "inaudible.",
    "crosstalk",
    "cross-talk",
    "silence",
    "pause",
    "pauses",
    "sic",
    "…",
    "...",
    "..",
    "coupure",
    "interruption",
    "interrompu",
    "bruit",
    "bruits",
    "noise",
    "toux",
    "tousse",
    "cough",
    "coughs",
    "soupir",
    "soupire",
    "sigh",
    "sighs",
    "hésitation",
    "hésite",
    "hesitation",
    "unclear",
    "overlapping",
    "chevauchement",
    "music",
    "musique",
    "applause",
    "applaudissements",
    "blank",
    "blanc",
    "gap",
    "anonymisé",
    "anonymise",
    "anonymized",
    "redacted",
    "nom",
    "name",
    "prénom",
    "ville",
    "lieu",
    "date",
    "long",
    "longue",
    "larmes",
    "pleure",
    "cries",
    "crying",
    "téléphone",
    "phone",
    "fin",
    "end",
    "début",
    "start",
    "coupé",
    "cut",
    "off",
    "tape",
    "break",
    "interruption.",
    "?",
    "note",
];

/// Particles allowed in lowercase inside a name (`Jean de La Fontaine`).
const PARTICLES: &[&str] = &[
    "de", "du", "des", "d’", "d'", "la", "le", "van", "von", "der", "den", "di", "da", "dos", "y",
    "el", "al", "bin", "ben", "ter", "zu",
];

/// How speaker turns are found in a transcript.
#[derive(Debug, Clone, Default)]
pub enum SpeakerMode {
    /// Recognise the label styles transcripts really use.
    #[default]
    Auto,
    /// Do not look for speakers: the source has no turns.
    None,
    /// A user's regular expression, matched at the start of each line; its
    /// `speaker` named group (or its first group) is the label, and the turn's
    /// speech starts where the match ends.
    Pattern(Regex),
}

impl FromStr for SpeakerMode {
    type Err = IngestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(SpeakerMode::Auto),
            "none" => Ok(SpeakerMode::None),
            pattern => {
                let regex = Regex::new(pattern)
                    .map_err(|e| IngestError::BadSpeakerPattern(e.to_string()))?;
                if regex.captures_len() < 2 {
                    return Err(IngestError::BadSpeakerPattern(
                        "it needs a group that captures the label, such as ^(\\w+):".into(),
                    ));
                }
                Ok(SpeakerMode::Pattern(regex))
            }
        }
    }
}

/// A speaker label found at the start of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Detected {
    /// The label, normalised by [`normalise_label`].
    pub label: String,
    /// Where the speech starts, in chars from the start of the block; the
    /// block's length when the block holds only the label.
    pub content_start: usize,
    /// A timestamp written with the label, in milliseconds.
    pub begin_ms: Option<u64>,
    /// The end of a time range written with the label (`(0:11 - 0:15)`).
    pub end_ms: Option<u64>,
}

/// What the detector needs to know about one block.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockView<'a> {
    /// The block's normalised text.
    pub text: &'a str,
    /// How many leading chars are bold, when a word-processor reader said so.
    pub bold: Option<usize>,
    /// Whether the block may carry a label (headings and notes may not).
    pub eligible: bool,
    /// Whether the block is a table row, cells separated by tabs: a
    /// transcript laid out as a table puts the speaker in the first cell.
    pub row: bool,
}

#[cfg(test)]
impl<'a> BlockView<'a> {
    /// Returns the view of a plain block of text.
    pub(crate) fn plain(text: &'a str) -> Self {
        Self {
            text,
            bold: None,
            eligible: true,
            row: false,
        }
    }
}

/// Returns, for each block, the speaker label it starts with, if any.
pub(crate) fn detect(blocks: &[BlockView<'_>], mode: &SpeakerMode) -> Vec<Option<Detected>> {
    match mode {
        SpeakerMode::None => vec![None; blocks.len()],
        SpeakerMode::Pattern(regex) => blocks
            .iter()
            .map(|b| {
                if b.eligible {
                    by_pattern(regex, b.text)
                } else {
                    None
                }
            })
            .collect(),
        SpeakerMode::Auto => auto(blocks),
    }
}

/// Returns the label normalised: `**` and surrounding brackets removed,
/// trailing colons stripped, whitespace trimmed and collapsed; case is kept.
pub(crate) fn normalise_label(raw: &str) -> String {
    let mut label = raw.replace("**", "");
    loop {
        let trimmed = label.trim().trim_end_matches([':', '：']).trim();
        let unbracketed = trimmed
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(trimmed);
        if unbracketed.len() == label.len() {
            break;
        }
        label = unbracketed.to_owned();
    }
    label.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Returns the label a user's pattern finds at the start of `text`.
fn by_pattern(regex: &Regex, text: &str) -> Option<Detected> {
    let caps = regex.captures(text)?;
    let whole = caps.get(0)?;
    if whole.start() != 0 {
        return None;
    }
    let label = normalise_label(caps.name("speaker").or_else(|| caps.get(1))?.as_str());
    if label.is_empty() {
        return None;
    }
    Some(Detected {
        label,
        content_start: speech_start(text, whole.end()),
        begin_ms: None,
        end_ms: None,
    })
}

/// Returns the char offset of the first non-blank char at or after byte
/// `from` of `text` (the text's length in chars when none is left).
fn speech_start(text: &str, from: usize) -> usize {
    let rest = text.get(from..).unwrap_or_default();
    let skipped = rest.len() - rest.trim_start().len();
    text.get(..from + skipped)
        .map_or_else(|| text.chars().count(), |s| s.chars().count())
}

/// How a candidate label was written, which sets how much evidence it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `NAME :` in the text, with or without a timestamp.
    Colon,
    /// `[NAME]` followed by speech.
    Bracket,
    /// `NAME  00:03:12` alone on a line (Otter, Teams exports).
    Timestamped,
    /// A bold run ending with a colon: the writer marked it as a label.
    BoldColon,
    /// A paragraph that is only a bold short name.
    BoldOnly,
}

/// A label found by shape, before the evidence of the whole document.
#[derive(Debug, Clone)]
struct Candidate {
    /// The label and where speech starts.
    detected: Detected,
    /// How it was written.
    shape: Shape,
}

/// Returns the regex for `pattern` with `{TS}` expanded; `None` would mean
/// a typo in the literals above, which the tests catch.
fn compile(pattern: &str) -> Option<Regex> {
    Regex::new(&pattern.replace("{TS}", TS)).ok()
}

/// Returns the time stamp `text` holds at char `at`, if any.
pub(crate) fn stamp_at(text: &str, at: usize) -> Option<Stamp> {
    let byte = text.char_indices().nth(at).map(|(b, _)| b)?;
    let rest = text.get(byte..)?;
    let caps = STAMP.as_ref()?.captures(rest)?;
    let whole = caps.get(0)?;
    let time = |names: [&str; 3]| {
        names
            .iter()
            .find_map(|n| caps.name(n))
            .and_then(|m| parse_timestamp(m.as_str()))
    };
    Some(Stamp {
        chars: whole.as_str().chars().count(),
        begin_ms: time(["b1", "b2", "b3"])?,
        end_ms: time(["e1", "e2", "e3"]),
    })
}

/// Returns the labels found by the two-pass detector (see the module docs).
fn auto(blocks: &[BlockView<'_>]) -> Vec<Option<Detected>> {
    let candidates: Vec<Option<Candidate>> = blocks
        .iter()
        .map(|b| {
            if !b.eligible {
                return None;
            }
            b.bold
                .and_then(|chars| from_bold(b.text, chars))
                .or_else(|| if b.row { from_row(b.text) } else { None })
                .or_else(|| from_text(b.text))
        })
        .collect();
    let mut counts = HashMap::<&str, usize>::new();
    for candidate in candidates.iter().flatten() {
        *counts.entry(candidate.detected.label.as_str()).or_default() += 1;
    }
    let recurs = |c: &Candidate| counts.get(c.detected.label.as_str()).copied().unwrap_or(0) >= 2;
    let mut accepted: Vec<bool> = candidates
        .iter()
        .map(|c| c.as_ref().is_some_and(|c| accept(c, recurs(c))))
        .collect();
    // Header lines such as `Participant : CHI-1 (infirmier)` or a table row
    // `Interviewer | Sam Okafor` name a role once, before the transcript's
    // first recurring speaker, with a short phrase that is not a sentence.
    // They describe the interview; they are not turns.
    let first_recurring = candidates
        .iter()
        .zip(&accepted)
        .position(|(c, ok)| *ok && c.as_ref().is_some_and(&recurs));
    if let Some(first) = first_recurring {
        for (i, c) in candidates.iter().enumerate().take(first) {
            if let Some(c) = c
                && accepted[i]
                && !recurs(c)
                && is_header_value(blocks[i].text, c.detected.content_start)
            {
                accepted[i] = false;
            }
        }
    }
    candidates
        .into_iter()
        .zip(accepted)
        .map(|(c, keep)| if keep { c.map(|c| c.detected) } else { None })
        .collect()
}

/// Returns whether the text after a label reads as a header value (present,
/// short, not ending as a sentence) rather than speech; a label alone on its
/// line opens a turn whose speech follows.
pub(crate) fn is_header_value(text: &str, content_start: usize) -> bool {
    let value: String = text.chars().skip(content_start).collect();
    let value = value.trim();
    !value.is_empty()
        && value.chars().count() <= 60
        && !value.ends_with(['.', '?', '!', '…', '»', '"'])
}

/// Returns whether a candidate has enough evidence to be a label.
fn accept(candidate: &Candidate, recurs: bool) -> bool {
    let label = candidate.detected.label.as_str();
    let bracketed = candidate.shape == Shape::Bracket;
    if !shape_ok(label, bracketed) || is_stop(label) {
        return false;
    }
    if bracketed && is_annotation(label) {
        return false;
    }
    let strong = is_role(label) || is_code(label);
    match candidate.shape {
        Shape::BoldColon => true,
        Shape::Bracket => {
            strong || (recurs && label.chars().next().is_some_and(char::is_uppercase))
        }
        Shape::Colon | Shape::Timestamped | Shape::BoldOnly => strong || recurs,
    }
}

/// Returns the candidate found in the bold leading run of a block.
fn from_bold(text: &str, chars: usize) -> Option<Candidate> {
    let split = text
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(at, _)| at);
    let bold = text.get(..split)?;
    let rest = text.get(split..)?;
    let trimmed = bold.trim_end();
    if trimmed.trim().is_empty() {
        return None;
    }
    let (shape, speech_at) = if trimmed.ends_with([':', '：']) {
        (Shape::BoldColon, split)
    } else if let Some(after) = rest.trim_start().strip_prefix([':', '：']) {
        (Shape::BoldColon, text.len() - after.len())
    } else if rest.trim().is_empty() && !trimmed.contains('\n') {
        (Shape::BoldOnly, text.len())
    } else {
        return None;
    };
    let label = normalise_label(trimmed);
    if !shape_ok(&label, false) {
        return None;
    }
    Some(Candidate {
        detected: Detected {
            label,
            content_start: speech_start(text, speech_at),
            begin_ms: None,
            end_ms: None,
        },
        shape,
    })
}

/// Returns the candidate in the first cell of a table row (`INT⇥Bonjour`).
fn from_row(text: &str) -> Option<Candidate> {
    let (cell, _) = text.split_once('\t')?;
    let label = normalise_label(cell);
    if !shape_ok(&label, false) {
        return None;
    }
    let content_start = speech_start(text, cell.len() + 1);
    Some(Candidate {
        detected: Detected {
            label,
            content_start,
            begin_ms: None,
            end_ms: None,
        },
        shape: Shape::Colon,
    })
}

/// Returns the label and the char where speech starts when a line starts
/// like a speaker label (a name and a colon, a bracketed name), whether or
/// not the detector took it: metadata words and annotations excluded.
pub(crate) fn label_like(line: &str) -> Option<(String, usize)> {
    let candidate = from_text(line)?;
    let label = candidate.detected.label;
    let bracketed = candidate.shape == Shape::Bracket;
    if is_stop(&label) || (bracketed && is_annotation(&label)) {
        return None;
    }
    Some((label, candidate.detected.content_start))
}

/// Returns the candidate label a block of text starts with.
fn from_text(text: &str) -> Option<Candidate> {
    let attempts: [(&LazyLock<Option<Regex>>, Shape); 3] = [
        (&TIMESTAMPED, Shape::Timestamped),
        (&BRACKET, Shape::Bracket),
        (&COLON, Shape::Colon),
    ];
    for (regex, shape) in attempts {
        let Some(regex) = regex.as_ref() else {
            continue;
        };
        let Some(caps) = regex.captures(text) else {
            continue;
        };
        let (Some(whole), Some(label)) = (caps.get(0), caps.name("label")) else {
            continue;
        };
        let label = normalise_label(label.as_str());
        if !shape_ok(&label, shape == Shape::Bracket) {
            continue;
        }
        let begin_ms = caps
            .name("ts")
            .or_else(|| caps.name("ts2"))
            .and_then(|m| parse_timestamp(m.as_str()));
        let end_ms = ["te", "te2"]
            .iter()
            .find_map(|name| caps.name(name))
            .and_then(|m| parse_timestamp(m.as_str()));
        return Some(Candidate {
            detected: Detected {
                label,
                content_start: speech_start(text, whole.end()),
                begin_ms,
                end_ms,
            },
            shape,
        });
    }
    None
}

/// Returns whether a normalised label has the shape of a speaker label:
/// 1–40 chars, at most 4 words, a letter somewhere, only name and code
/// chars, an uppercase letter or digit first (any letter when bracketed),
/// and later words capitalised or name particles.
fn shape_ok(label: &str, bracketed: bool) -> bool {
    let (name, qualifier) = split_qualifier(label);
    if qualifier.is_some_and(|q| {
        q.is_empty()
            || q.chars().count() > 24
            || !q
                .chars()
                .all(|c| c.is_alphanumeric() || " .-_'’".contains(c))
    }) {
        return false;
    }
    name_shape_ok(name, bracketed || qualifier.is_some_and(is_role_word))
}

/// Returns the label's name and, when it ends with one, the qualifier in
/// parentheses or brackets (`Sonia Martin (ENQ)` → `Sonia Martin`, `ENQ`).
pub(crate) fn split_qualifier(label: &str) -> (&str, Option<&str>) {
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let Some(inner) = label.strip_suffix(close)
            && let Some((name, qualifier)) = inner.rsplit_once(open)
            && !name.trim().is_empty()
        {
            return (name.trim_end(), Some(qualifier.trim()));
        }
    }
    (label, None)
}

/// Returns whether a word (a qualifier, a label's first word) names an
/// interview role, ignoring case and a final `.`.
fn is_role_word(word: &str) -> bool {
    ROLES.contains(&word.trim_end_matches('.').to_lowercase().as_str())
}

/// Returns whether a label without its qualifier has the shape of a name or
/// a code (see [`shape_ok`]); `lenient` lets it start with a lowercase
/// letter, as brackets and a role qualifier vouch for it.
fn name_shape_ok(label: &str, lenient: bool) -> bool {
    let bracketed = lenient;
    let Some(first) = label.chars().next() else {
        return false;
    };
    let words: Vec<&str> = label.split(' ').collect();
    if label.chars().count() > 40 || words.len() > 4 || !label.chars().any(char::is_alphabetic) {
        return false;
    }
    if !label
        .chars()
        .all(|c| c.is_alphanumeric() || " .-_'’#/°&".contains(c))
    {
        return false;
    }
    if !(first.is_uppercase() || first.is_ascii_digit() || (bracketed && first.is_alphabetic())) {
        return false;
    }
    let first_word = words.first().map(|w| w.to_lowercase()).unwrap_or_default();
    if ROLES.contains(&first_word.as_str()) {
        return true;
    }
    words.iter().skip(1).all(|w| {
        let lower = w.to_lowercase();
        w.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '#')
            || PARTICLES.contains(&lower.as_str())
            || PARTICLES
                .iter()
                .any(|p| p.ends_with(['’', '\'']) && lower.starts_with(p))
    })
}

/// Returns the label's first word in lowercase, without a final `.`.
fn first_word_lower(label: &str) -> String {
    label
        .split([' ', '-'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_lowercase()
}

/// Returns whether the label is a metadata or prose word (`Note`, `Date`).
fn is_stop(label: &str) -> bool {
    let lower = label.to_lowercase();
    STOP.contains(&lower.trim_end_matches('.')) || STOP.contains(&first_word_lower(label).as_str())
}

/// Returns whether bracketed text is a transcription annotation
/// (`[rires]`, `[inaudible 00:03:12]`, `[…]`) rather than a speaker.
fn is_annotation(label: &str) -> bool {
    let lower = label.to_lowercase();
    ANNOTATIONS.contains(&lower.as_str())
        || ANNOTATIONS.contains(&first_word_lower(label).as_str())
        || lower
            .chars()
            .all(|c| !c.is_alphanumeric() || c.is_ascii_digit() || c == ':')
        || label.chars().next().is_some_and(char::is_lowercase) && !is_role(label)
}

/// Returns whether the label names an interview role (`INT`, `Enquêtrice`,
/// `Q`, `P1`).
fn is_role(label: &str) -> bool {
    let (label, qualifier) = split_qualifier(label);
    if qualifier.is_some_and(is_role_word) {
        return true;
    }
    let lower = label.to_lowercase();
    let mut words = lower.split(' ');
    let first = words.next().unwrap_or_default().trim_end_matches('.');
    if ROLES.contains(&first) {
        return true;
    }
    // `Q`, `R`, `P1`, `E 2`.
    let mut chars = lower.chars().filter(|c| *c != ' ');
    chars.next().is_some_and(|c| LETTER_ROLES.contains(&c))
        && chars.all(|c| c.is_ascii_digit())
        && label.chars().next().is_some_and(char::is_uppercase)
}

/// Returns whether the label looks like a participant code (`P03`, `CSI-2`,
/// `Speaker 1`).
fn is_code(label: &str) -> bool {
    if NUMBERED.as_ref().is_some_and(|r| r.is_match(label)) {
        return true;
    }
    let code = CODE.as_ref().is_some_and(|r| r.is_match(label));
    let letters = label.chars().filter(|c| c.is_alphabetic()).count();
    code && (label
        .chars()
        .any(|c| c.is_ascii_digit() || "-_.".contains(c))
        || (2..=5).contains(&letters))
}

/// Returns milliseconds from `h:mm:ss(.mmm)` or `mm:ss(.mmm)`, `,` allowed
/// for the decimal point.
pub(crate) fn parse_timestamp(text: &str) -> Option<u64> {
    let (clock, fraction) = match text.split_once(['.', ',']) {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (text, None),
    };
    let mut total = 0u64;
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    for (index, part) in parts.iter().enumerate() {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 4 {
            return None;
        }
        let value: u64 = part.parse().ok()?;
        if index > 0 && (value >= 60 || part.len() != 2) {
            return None;
        }
        total = total.checked_mul(60)?.checked_add(value)?;
    }
    let mut ms = total.checked_mul(1000)?;
    if let Some(fraction) = fraction {
        if fraction.is_empty()
            || fraction.len() > 3
            || !fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let padded = format!("{fraction:0<3}");
        ms = ms.checked_add(padded.parse::<u64>().ok()?)?;
    }
    Some(ms)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn labels(lines: &[&str]) -> Vec<Option<(String, String, Option<u64>)>> {
        let views: Vec<BlockView<'_>> = lines.iter().map(|t| BlockView::plain(t)).collect();
        detect(&views, &SpeakerMode::Auto)
            .into_iter()
            .zip(lines)
            .map(|(d, text)| {
                d.map(|d| {
                    let speech: String = text.chars().skip(d.content_start).collect();
                    (d.label, speech, d.begin_ms)
                })
            })
            .collect()
    }

    fn one(label: &str, speech: &str) -> Option<(String, String, Option<u64>)> {
        Some((label.to_owned(), speech.to_owned(), None))
    }

    #[test]
    fn role_and_code_labels_are_kept_even_once() {
        let got = labels(&[
            "INT: Vous pouvez vous présenter ?",
            "Intervieweur : Et ensuite ?",
            "Enquêtrice : D’accord.",
            "P03 : Euh… oui, alors, je suis arrivée en 98.",
            "CHFG-C : C’est ça.",
            "CSI-2: Moi je dirais « non ».",
            "Q: And then?",
            "R : Ben… rien.",
            "Speaker 1: Right.",
            "Participant 4 : Bof.",
            "Locuteur 2 : Voilà.",
            "INT :",
        ]);
        assert_eq!(got[0], one("INT", "Vous pouvez vous présenter ?"));
        assert_eq!(got[1], one("Intervieweur", "Et ensuite ?"));
        assert_eq!(got[2], one("Enquêtrice", "D’accord."));
        assert_eq!(
            got[3],
            one("P03", "Euh… oui, alors, je suis arrivée en 98.")
        );
        assert_eq!(got[4], one("CHFG-C", "C’est ça."));
        assert_eq!(got[5], one("CSI-2", "Moi je dirais « non »."));
        assert_eq!(got[6], one("Q", "And then?"));
        assert_eq!(got[7], one("R", "Ben… rien."));
        assert_eq!(got[8], one("Speaker 1", "Right."));
        assert_eq!(got[9], one("Participant 4", "Bof."));
        assert_eq!(got[10], one("Locuteur 2", "Voilà."));
        assert_eq!(got[11], one("INT", ""));
    }

    #[test]
    fn names_need_to_recur() {
        let got = labels(&[
            "Marie Dupont : Bonjour.",
            "Dr. Martin: Good morning.",
            "Marie Dupont : On commence ?",
            "Dr. Martin: Yes.",
            "Jean Valjean : Une seule fois.",
        ]);
        assert_eq!(got[0], one("Marie Dupont", "Bonjour."));
        assert_eq!(got[1], one("Dr. Martin", "Good morning."));
        assert_eq!(got[3], one("Dr. Martin", "Yes."));
        assert_eq!(got[4], None);
    }

    #[test]
    fn header_lines_naming_roles_once_are_not_turns() {
        let found = labels(&[
            "Entretien n° 1",
            "Participant : CHI-1 (infirmier)",
            "Enquêtrice : INT",
            "Interviewer\tResearcher (Sam Okafor)",
            "",
            "INT : Voilà, ça enregistre. On commence ?",
            "CHI-1 : Alors, euh… oui.",
            "INT : Votre parcours ?",
            "CHI-1 : Quatorze ans d’infirmier.",
        ]);
        let speakers: Vec<&str> = found
            .iter()
            .flatten()
            .map(|(label, _, _)| label.as_str())
            .collect();
        assert_eq!(speakers, vec!["INT", "CHI-1", "INT", "CHI-1"]);
        // A single question from a role before the first recurring speaker stays a turn.
        let found = labels(&[
            "INT : Parlez-moi de votre travail ?",
            "P01 : Bon.",
            "P01 : Voilà.",
        ]);
        assert!(found[0].is_some());
    }

    #[test]
    fn prose_and_headers_give_no_labels() {
        let got = labels(&[
            "Date : 12 mars 2024",
            "Lieu : Lyon",
            "Durée : 1 h 12",
            "Heure : 10:30",
            "Note : l’enquêtée a demandé l’anonymat.",
            "Note : deuxième note.",
            "NOTE : en capitales.",
            "Alors : on y va.",
            "Il m’a dit : « reviens demain ».",
            "Il m’a dit : « reviens demain ».",
            "Voir http://example.org pour la suite.",
            "Rendez-vous à 10:30 demain.",
        ]);
        assert!(got.iter().all(Option::is_none), "{got:?}");
    }

    #[test]
    fn brackets_label_speech_but_annotations_do_not() {
        let got = labels(&[
            "[Chercheur] Et vous, qu’en pensez-vous ?",
            "[rires] Oui, bon.",
            "[inaudible] …",
            "[Laughs] OK.",
            "[crosstalk]",
            "[…] et puis voilà.",
            "[Chercheur]",
        ]);
        assert_eq!(got[0], one("Chercheur", "Et vous, qu’en pensez-vous ?"));
        assert!(got[1..6].iter().all(Option::is_none), "{got:?}");
        assert_eq!(got[6], one("Chercheur", ""));
    }

    #[test]
    fn timestamps_give_begin_ms() {
        let got = labels(&[
            "Speaker 1  00:03:12",
            "[00:03:15] INT: Et alors ?",
            "00:04:01 P03 : Alors…",
            "Marie Dupont   3:12",
            "Marie Dupont   4:02",
        ]);
        assert_eq!(
            got[0],
            Some(("Speaker 1".into(), String::new(), Some(192_000)))
        );
        assert_eq!(
            got[1],
            Some(("INT".into(), "Et alors ?".into(), Some(195_000)))
        );
        assert_eq!(got[2], Some(("P03".into(), "Alors…".into(), Some(241_000))));
        assert_eq!(
            got[3],
            Some(("Marie Dupont".into(), String::new(), Some(192_000)))
        );
    }

    #[test]
    fn markdown_bold_and_caption_dashes() {
        let got = labels(&[
            "**INT :** Bonjour.",
            "**P03** : Bonjour.",
            "- SPEAKER 1: Yes.",
        ]);
        assert_eq!(got[0], one("INT", "Bonjour."));
        assert_eq!(got[1], one("P03", "Bonjour."));
        assert_eq!(got[2], one("SPEAKER 1", "Yes."));
    }

    fn view(text: &str, bold: Option<usize>, eligible: bool, row: bool) -> BlockView<'_> {
        BlockView {
            text,
            bold,
            eligible,
            row,
        }
    }

    #[test]
    fn time_ranges_and_role_qualifiers_in_labels() {
        let views: Vec<BlockView<'_>> = [
            "Speaker 1 (00:11 - 00:15)",
            "Sonia Martin (ENQ) (0:16 - 0:42): Et ensuite ?",
            "[Paul Durand (int.)] Oui ?",
            "Jean Dupont (P03) : Une fois.",
        ]
        .iter()
        .map(|t| BlockView::plain(t))
        .collect();
        let got: Vec<_> = detect(&views, &SpeakerMode::Auto)
            .into_iter()
            .map(|d| d.map(|d| (d.label, d.begin_ms, d.end_ms)))
            .collect();
        // A qualifier that is no role word (`P03`) does not vouch for a
        // label written once.
        assert_eq!(
            got,
            [
                Some(("Speaker 1".into(), Some(11_000), Some(15_000))),
                Some(("Sonia Martin (ENQ)".into(), Some(16_000), Some(42_000))),
                Some(("Paul Durand (int.)".into(), None, None)),
                None,
            ]
        );
    }

    #[test]
    fn timestamps_around_the_colon() {
        let got = labels(&["INT (00:01:02) : Bonjour.", "P03 : [00:01:05] Bonjour."]);
        assert_eq!(
            got[0],
            Some(("INT".into(), "Bonjour.".into(), Some(62_000)))
        );
        // A stamp after the colon opens the speech: `assemble` takes it.
        assert_eq!(
            got[1],
            Some(("P03".into(), "[00:01:05] Bonjour.".into(), None))
        );
    }

    #[test]
    fn table_rows_take_the_speaker_from_the_first_cell() {
        let rows = [
            view("INT\tVous habitez où ?", None, true, true),
            view("Mme B.\tIci, depuis « toujours ».", None, true, true),
            view("Mme B.\tOui.", None, true, true),
            view("Total\t12", None, true, true),
        ];
        let got: Vec<_> = detect(&rows, &SpeakerMode::Auto)
            .into_iter()
            .map(|d| d.map(|d| (d.label, d.content_start)))
            .collect();
        assert_eq!(
            got,
            [
                Some(("INT".into(), 4)),
                Some(("Mme B.".into(), 7)),
                Some(("Mme B.".into(), 7)),
                None
            ]
        );
    }

    #[test]
    fn crosstalk_keeps_the_first_speaker() {
        let got = labels(&["CHFG-A : oui — CHFG-B : non"]);
        assert_eq!(got[0], one("CHFG-A", "oui — CHFG-B : non"));
    }

    #[test]
    fn bold_prefixes_from_word() {
        let blocks = [
            view("Marie : Bonjour.", Some(7), true, false),
            view("Marie : Oui.", Some(5), true, false),
            view("Dr Martin", Some(9), true, false),
            view("Une phrase en gras puis la suite.", Some(6), true, false),
            view("Date : hier", Some(6), true, false),
            view("Dr Martin", Some(9), true, false),
            view("INT : titre", None, false, false),
        ];
        let got = detect(&blocks, &SpeakerMode::Auto);
        let summary: Vec<Option<(&str, usize)>> = got
            .iter()
            .map(|d| d.as_ref().map(|d| (d.label.as_str(), d.content_start)))
            .collect();
        assert_eq!(
            summary,
            [
                Some(("Marie", 8)),
                Some(("Marie", 8)),
                Some(("Dr Martin", 9)),
                None,
                None,
                Some(("Dr Martin", 9)),
                None
            ]
        );
    }

    #[test]
    fn modes_none_and_pattern() {
        let views = [
            BlockView::plain("INT : Bonjour."),
            BlockView::plain("<<Anne>> salut"),
        ];
        assert_eq!(detect(&views, &SpeakerMode::None), [None, None]);
        let mode: SpeakerMode = r"^<<(?<speaker>[^>]+)>>".parse().unwrap();
        let got = detect(&views, &mode);
        assert_eq!(got[0], None);
        assert_eq!(
            got[1],
            Some(Detected {
                label: "Anne".into(),
                content_start: 9,
                begin_ms: None,
                end_ms: None
            })
        );
        let numbered: SpeakerMode = r"^(\w+) >".parse().unwrap();
        let got = detect(&[BlockView::plain("Bob > hi")], &numbered);
        assert_eq!(got[0].as_ref().map(|d| d.label.as_str()), Some("Bob"));
        assert!("^\\w+:".parse::<SpeakerMode>().is_err());
        assert!("(".parse::<SpeakerMode>().is_err());
    }

    #[test]
    fn labels_are_normalised() {
        assert_eq!(normalise_label("  **INT :** "), "INT");
        assert_eq!(normalise_label("[Chercheur]"), "Chercheur");
        assert_eq!(
            normalise_label("Marie \u{a0} Dupont\u{202f}:"),
            "Marie Dupont"
        );
    }

    #[test]
    fn timestamps_parse() {
        assert_eq!(parse_timestamp("00:03:12"), Some(192_000));
        assert_eq!(parse_timestamp("1:02:03.5"), Some(3_723_500));
        assert_eq!(parse_timestamp("03:12,250"), Some(192_250));
        assert_eq!(parse_timestamp("03:72"), None);
        assert_eq!(parse_timestamp("3"), None);
        assert_eq!(parse_timestamp("a:00"), None);
    }
}
