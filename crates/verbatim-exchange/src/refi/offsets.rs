//! Text positions: what producers count, and how to tell.
//!
//! REFI-QDA 1.5 §10.2 counts Unicode code points from 0, end exclusive in
//! practice. Producers differ (implementer notes §7): NVivo and QualCoder
//! count UTF-16 units with a CRLF as two, ATLAS.ti counts a line break as
//! one, the rest follow the spec (a CRLF is then two code points). The two
//! questions, unit and line ends, only matter when a text has characters
//! outside the Basic Multilingual Plane or CRLF line ends; otherwise every
//! reading gives the same positions.
//!
//! verbatim stores texts with `\n` line ends and counts chars, so a
//! producer's positions are mapped through a [`PositionMap`] of the raw
//! text; [`choose`] picks the convention from the producer's name and
//! confirms it against `PlainTextSelection@name` where it quotes the text.

/// What a position counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Unicode scalar values (the standard).
    CodePoints,
    /// UTF-16 code units (NVivo, QualCoder: an emoji counts 2).
    Utf16,
}

/// How a CRLF line end counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineEnds {
    /// A CRLF is two positions (the raw file).
    CrlfTwo,
    /// A CRLF is one position (ATLAS.ti).
    CrlfOne,
}

/// A producer's way of counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Convention {
    /// The unit.
    pub unit: Unit,
    /// Line ends.
    pub line_ends: LineEnds,
}

impl Convention {
    /// The standard's reading: code points of the file as it is.
    pub const STANDARD: Self = Self {
        unit: Unit::CodePoints,
        line_ends: LineEnds::CrlfTwo,
    };

    /// Returns the convention a producer is known to use, from `origin`.
    pub fn of_origin(origin: &str) -> Self {
        let origin = origin.to_ascii_lowercase();
        if origin.starts_with("nvivo") || origin.contains("qualcoder") {
            Self {
                unit: Unit::Utf16,
                line_ends: LineEnds::CrlfTwo,
            }
        } else if origin.contains("atlas") || origin.contains("maxqda") {
            Self {
                unit: Unit::CodePoints,
                line_ends: LineEnds::CrlfOne,
            }
        } else {
            Self::STANDARD
        }
    }

    /// Returns a short description for reports.
    pub fn describe(self) -> &'static str {
        match (self.unit, self.line_ends) {
            (Unit::CodePoints, LineEnds::CrlfTwo) => "code points",
            (Unit::CodePoints, LineEnds::CrlfOne) => "code points, a line break counted once",
            (Unit::Utf16, LineEnds::CrlfTwo) => "UTF-16 units",
            (Unit::Utf16, LineEnds::CrlfOne) => "UTF-16 units, a line break counted once",
        }
    }
}

/// Returns the text verbatim stores for a raw source text: BOM removed,
/// NUL dropped (`verbatim_core::storable`), CRLF and lone CR turned into `\n`.
pub fn canonical_text(raw: &str) -> String {
    let raw = raw.strip_prefix('\u{FEFF}').unwrap_or(raw);
    let raw = verbatim_core::storable::without_nul(raw);
    if !raw.contains('\r') {
        return raw.into_owned();
    }
    raw.replace("\r\n", "\n").replace('\r', "\n")
}

/// Producer positions of each char of the canonical text, for one
/// convention.
#[derive(Debug, Clone)]
pub struct PositionMap {
    /// `starts[i]` is where canonical char `i` starts in the producer's
    /// count; the last entry is the total.
    starts: Vec<u64>,
}

impl PositionMap {
    /// Returns the map of the raw text (BOM already removed or not: it is
    /// never counted) under `convention`.
    pub fn new(raw: &str, convention: Convention) -> Self {
        let raw = raw.strip_prefix('\u{FEFF}').unwrap_or(raw);
        let mut starts = Vec::with_capacity(raw.len() + 1);
        let mut pos = 0u64;
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            if c == verbatim_core::storable::NUL {
                // Counted by the producer, dropped from the text: a
                // position on it is inside no char.
                pos += 1;
                continue;
            }
            starts.push(pos);
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
                pos += match convention.line_ends {
                    LineEnds::CrlfTwo => 2,
                    LineEnds::CrlfOne => 1,
                };
                continue;
            }
            pos += match convention.unit {
                Unit::CodePoints => 1,
                Unit::Utf16 => c.len_utf16() as u64,
            };
        }
        starts.push(pos);
        Self { starts }
    }

    /// Returns the canonical char index of a producer position, or `None`
    /// when it is past the end or inside a char (half a surrogate pair,
    /// between a CR and its LF).
    pub fn to_char(&self, position: i64) -> Option<usize> {
        let p = u64::try_from(position).ok()?;
        self.starts.binary_search(&p).ok()
    }

    /// Returns the canonical length in chars.
    pub fn chars(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
}

/// Returns the UTF-16 position of every char boundary of `text`, or `None`
/// when the text is all in the Basic Multilingual Plane (positions are then
/// the same in both units).
pub fn utf16_positions(text: &str) -> Option<Vec<u64>> {
    if text.chars().all(|c| c.len_utf16() == 1) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() + 1);
    let mut pos = 0u64;
    for c in text.chars() {
        out.push(pos);
        pos += c.len_utf16() as u64;
    }
    out.push(pos);
    Some(out)
}

/// Returns `s` with runs of white space made one space, trimmed: the form
/// in which a quote and a passage are compared (producers trim names, and
/// an XML reader turns line breaks in attributes into spaces).
pub fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Returns true when the selection name `quote` quotes `passage`: equal
/// once white space is squeezed, or its start when the name was cut short
/// (ending with `…` or `...`).
pub fn quotes(quote: &str, passage: &str) -> bool {
    let q = squeeze(quote);
    let p = squeeze(passage);
    if q == p {
        return true;
    }
    for ellipsis in ["…", "..."] {
        if let Some(head) = q.strip_suffix(ellipsis) {
            let head = head.trim_end();
            if !head.is_empty() && p.starts_with(head) {
                return true;
            }
        }
    }
    false
}

/// A selection to place: raw positions and the name, if any.
#[derive(Debug, Clone, Copy)]
pub struct Probe<'a> {
    /// The raw text of its source.
    pub source: usize,
    /// `startPosition`.
    pub start: i64,
    /// `endPosition`.
    pub end: i64,
    /// `name`.
    pub name: Option<&'a str>,
}

/// The convention chosen for a file, and how sure it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The convention used.
    pub convention: Convention,
    /// True when selection names quote the text (so each selection can be
    /// checked against its name).
    pub names_quote: bool,
    /// Named selections that matched under the chosen convention.
    pub confirmed: usize,
    /// Named selections compared.
    pub compared: usize,
    /// True when the texts hold something (CRLF, astral chars) on which
    /// conventions differ.
    pub matters: bool,
}

/// Chooses the convention for a file: the producer's known one, unless the
/// selection names say another fits better.
///
/// `raws` are the raw source texts; `probes` the selections.
pub fn choose(origin: &str, raws: &[&str], probes: &[Probe<'_>]) -> Choice {
    let preferred = Convention::of_origin(origin);
    let matters = raws
        .iter()
        .any(|t| t.contains('\r') || t.chars().any(|c| c.len_utf16() == 2));
    let candidates = [
        preferred,
        Convention::STANDARD,
        Convention {
            unit: Unit::Utf16,
            line_ends: LineEnds::CrlfTwo,
        },
        Convention {
            unit: Unit::CodePoints,
            line_ends: LineEnds::CrlfOne,
        },
        Convention {
            unit: Unit::Utf16,
            line_ends: LineEnds::CrlfOne,
        },
    ];
    // Up to this many named selections are compared per candidate: enough
    // to tell conventions apart, cheap on a 100,000-selection file.
    const SAMPLE: usize = 2_000;
    let named: Vec<&Probe<'_>> = probes
        .iter()
        .filter(|p| p.name.is_some_and(|n| !n.trim().is_empty()))
        .take(SAMPLE)
        .collect();
    let canon: Vec<Vec<char>> = if named.is_empty() {
        Vec::new()
    } else {
        raws.iter()
            .map(|r| canonical_text(r).chars().collect())
            .collect()
    };
    // (quotes matched, named selections placed, convention)
    let mut best: Option<(usize, usize, Convention)> = None;
    let mut tried: Vec<Convention> = Vec::new();
    for candidate in candidates {
        if tried.contains(&candidate) || (!matters && !tried.is_empty()) {
            continue;
        }
        tried.push(candidate);
        if named.is_empty() {
            break;
        }
        let maps: Vec<PositionMap> = raws
            .iter()
            .map(|r| PositionMap::new(r, candidate))
            .collect();
        let mut hits = 0;
        let mut placed = 0;
        for p in &named {
            if let Some((s, e)) = place(&maps, &canon, p) {
                placed += 1;
                let passage: String = canon[p.source][s..e].iter().collect();
                if p.name.is_some_and(|n| quotes(n, &passage)) {
                    hits += 1;
                }
            }
        }
        if best.is_none_or(|(b, _, _)| hits > b) {
            best = Some((hits, placed, candidate));
        }
    }
    let (confirmed, placed, convention) = best.unwrap_or((0, 0, preferred));
    Choice {
        convention,
        // Names quote the text when most selections that fall inside it
        // match their name (qc writes "line:N" instead: no check then).
        names_quote: confirmed > 0 && confirmed * 2 >= placed,
        confirmed,
        compared: placed,
        matters,
    }
}

/// Returns the canonical span of a probe under the maps, if it is inside
/// its text and not reversed.
fn place(maps: &[PositionMap], canon: &[Vec<char>], p: &Probe<'_>) -> Option<(usize, usize)> {
    let map = maps.get(p.source)?;
    let s = map.to_char(p.start)?;
    let e = map.to_char(p.end)?;
    (s < e && e <= canon.get(p.source)?.len()).then_some((s, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NVIVO: Convention = Convention {
        unit: Unit::Utf16,
        line_ends: LineEnds::CrlfTwo,
    };

    #[test]
    fn a_nul_is_dropped_from_the_text_and_positions_past_it_still_map() {
        // "a\0bc": the producer counts the NUL (position 1), verbatim keeps
        // "abc", so producer 2 ("b") is char 1 and producer 1 is no char.
        let raw = "a\0bc";
        assert_eq!(canonical_text(raw), "abc");
        let map = PositionMap::new(raw, Convention::STANDARD);
        assert_eq!(map.chars(), 3);
        assert_eq!(map.to_char(0), Some(0));
        assert_eq!(map.to_char(1), None);
        assert_eq!(map.to_char(2), Some(1));
        assert_eq!(map.to_char(4), Some(3));
    }

    #[test]
    fn utf16_and_crlf_positions_map_to_chars() {
        // "😀 a\r\nb": the emoji is 2 UTF-16 units, the CRLF 2 positions.
        let raw = "\u{FEFF}😀 a\r\nb";
        let map = PositionMap::new(raw, NVIVO);
        assert_eq!(canonical_text(raw), "😀 a\nb");
        assert_eq!(map.to_char(3), Some(2)); // "a"
        assert_eq!(map.to_char(6), Some(4)); // "b"
        assert_eq!(map.to_char(1), None); // inside the emoji
        let atlas = PositionMap::new(
            raw,
            Convention {
                unit: Unit::CodePoints,
                line_ends: LineEnds::CrlfOne,
            },
        );
        assert_eq!(atlas.to_char(4), Some(4)); // "b"
        assert_eq!(atlas.chars(), 5);
    }

    #[test]
    fn names_pick_the_convention_whatever_the_origin_says() {
        let raw = "😀😀 bonjour\r\nau revoir";
        // NVivo-style positions of "au revoir": 2+2+1+7+2 = 14 .. 23.
        let probes = [Probe {
            source: 0,
            start: 14,
            end: 23,
            name: Some("au revoir"),
        }];
        let choice = choose("Some Tool 1.0", &[raw], &probes);
        assert_eq!(choice.convention, NVIVO);
        assert!(choice.names_quote);
        assert!(choice.matters);
    }

    #[test]
    fn without_names_the_origin_decides() {
        let raw = "a\r\nb 😀";
        assert_eq!(choose("NVivo 14", &[raw], &[]).convention, NVIVO);
        assert_eq!(
            choose("ATLAS.ti 23", &[raw], &[]).convention.line_ends,
            LineEnds::CrlfOne
        );
        assert_eq!(
            choose("f4analyse", &[raw], &[]).convention,
            Convention::STANDARD
        );
    }

    #[test]
    fn quotes_tolerate_squeezed_space_and_cut_names() {
        assert!(quotes("a  b\nc", "a b c"));
        assert!(quotes("Oh, that was…", "Oh, that was great."));
        assert!(!quotes("line:3", "Oh, that was great."));
    }

    #[test]
    fn utf16_positions_only_when_needed() {
        assert_eq!(utf16_positions("abc é"), None);
        assert_eq!(utf16_positions("a😀b"), Some(vec![0, 1, 3, 4]));
    }
}
