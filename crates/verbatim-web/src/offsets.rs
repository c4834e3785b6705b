//! Char offsets (the study's) and UTF-16 offsets (the browser's).
//!
//! The study counts text positions in Unicode scalar values; JavaScript
//! strings, DOM ranges and selections count UTF-16 code units. Every
//! position crossing the HTTP boundary is converted here (char → UTF-16
//! through the source's offset table, UTF-16 → char by one walk of the
//! text), so a transcript with emoji or other characters outside the
//! Basic Multilingual Plane codes the passage the user selected.

use verbatim_core::OffsetTable;

use crate::WebError;

/// Returns the UTF-16 offset of char offset `at` (clamped to the text).
pub fn to_utf16(table: &OffsetTable, text: &str, at: usize) -> usize {
    table
        .utf16_of(text, at.min(table.chars()))
        .unwrap_or_else(|| text.encode_utf16().count())
}

/// Returns the char offset of UTF-16 offset `at`, refusing a position past
/// the end or inside a surrogate pair.
pub fn to_char(text: &str, at: usize) -> Result<usize, WebError> {
    let mut units = 0;
    for (chars, c) in text.chars().enumerate() {
        if units == at {
            return Ok(chars);
        }
        units += c.len_utf16();
        if units > at {
            return Err(WebError::BadRequest(format!(
                "position {at} falls inside a character: select the passage again"
            )));
        }
    }
    if units == at {
        Ok(text.chars().count())
    } else {
        Err(WebError::BadRequest(format!(
            "position {at} is past the end of the source ({units} UTF-16 units): reload the page"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_trip_through_utf16_with_astral_characters() {
        // "é" is one unit, "😀" two, "𝄞" two.
        let text = "é😀a𝄞 fin";
        let table = OffsetTable::new(text);
        for (char_at, u16_at) in [(0, 0), (1, 1), (2, 3), (3, 4), (4, 6), (8, 10)] {
            assert_eq!(to_utf16(&table, text, char_at), u16_at);
            assert_eq!(to_char(text, u16_at).ok(), Some(char_at));
        }
        assert!(
            to_char(text, 2).is_err(),
            "inside the emoji's surrogate pair"
        );
        assert!(to_char(text, 11).is_err(), "past the end");
    }
}
