//! Char → byte (and UTF-16) offset conversion without rescanning.
//!
//! Spans count chars, Rust strings index bytes and browsers count UTF-16
//! units. Scanning a 50,000-word transcript from the start for every coding
//! would make listing codings quadratic, so each source keeps a table of
//! checkpoints: for every [`OffsetTable::STRIDE`]-th char, its byte offset and
//! its UTF-16 offset. A lookup jumps to the checkpoint and walks at most
//! `STRIDE - 1` chars. The table serialises to a compact blob stored beside
//! the text.

use crate::Span;

/// Checkpoints from char offsets to byte and UTF-16 offsets of one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetTable {
    /// `(byte, utf16)` offsets of chars `0, STRIDE, 2*STRIDE, …`.
    checkpoints: Vec<(u32, u32)>,
    /// The text's length in chars.
    chars: usize,
}

impl OffsetTable {
    /// The number of chars between two checkpoints.
    pub const STRIDE: usize = 256;

    /// Returns the table for `text`.
    ///
    /// Texts are bounded well below 4 GiB by the importers, so byte and
    /// UTF-16 offsets fit in `u32`; a longer text saturates, which callers
    /// never reach because import refuses such files first.
    pub fn new(text: &str) -> Self {
        let mut checkpoints = Vec::with_capacity(text.len() / Self::STRIDE + 1);
        let mut utf16 = 0usize;
        let mut chars = 0usize;
        for (byte, ch) in text.char_indices() {
            if chars.is_multiple_of(Self::STRIDE) {
                checkpoints.push((saturate(byte), saturate(utf16)));
            }
            utf16 += ch.len_utf16();
            chars += 1;
        }
        if chars.is_multiple_of(Self::STRIDE) {
            checkpoints.push((saturate(text.len()), saturate(utf16)));
        }
        Self { checkpoints, chars }
    }

    /// Returns the text's length in chars.
    pub fn chars(&self) -> usize {
        self.chars
    }

    /// Returns the byte offset of char offset `at`, or `None` past the end.
    pub fn byte_of(&self, text: &str, at: usize) -> Option<usize> {
        if at > self.chars {
            return None;
        }
        let (base_byte, _) = *self.checkpoints.get(at / Self::STRIDE)?;
        let base_byte = base_byte as usize;
        let rest = at % Self::STRIDE;
        let tail = text.get(base_byte..)?;
        match tail.char_indices().nth(rest) {
            Some((offset, _)) => Some(base_byte + offset),
            None => Some(text.len()),
        }
    }

    /// Returns the UTF-16 offset of char offset `at`, or `None` past the end.
    pub fn utf16_of(&self, text: &str, at: usize) -> Option<usize> {
        if at > self.chars {
            return None;
        }
        let (base_byte, base_utf16) = *self.checkpoints.get(at / Self::STRIDE)?;
        let tail = text.get(base_byte as usize..)?;
        let walked: usize = tail
            .chars()
            .take(at % Self::STRIDE)
            .map(char::len_utf16)
            .sum();
        Some(base_utf16 as usize + walked)
    }

    /// Returns the text a span covers, or `None` when it lies outside `text`.
    pub fn slice<'t>(&self, text: &'t str, span: Span) -> Option<&'t str> {
        let start = self.byte_of(text, span.start())?;
        let end = self.byte_of(text, span.end())?;
        text.get(start..end)
    }

    /// Returns the table as a blob: the char count, then `(byte, utf16)` pairs,
    /// all little-endian `u32`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + self.checkpoints.len() * 8);
        out.extend_from_slice(&saturate(self.chars).to_le_bytes());
        for (byte, utf16) in &self.checkpoints {
            out.extend_from_slice(&byte.to_le_bytes());
            out.extend_from_slice(&utf16.to_le_bytes());
        }
        out
    }

    /// Returns the table read back from [`OffsetTable::to_bytes`], or `None`
    /// when the blob is malformed (the caller then rebuilds it from the text).
    pub fn from_bytes(blob: &[u8]) -> Option<Self> {
        let (head, rest) = blob.split_first_chunk::<4>()?;
        if rest.len() % 8 != 0 {
            return None;
        }
        let chars = u32::from_le_bytes(*head) as usize;
        let checkpoints: Vec<(u32, u32)> = rest
            .chunks_exact(8)
            .map(|pair| {
                let (b, u) = pair.split_at(4);
                (le_u32(b), le_u32(u))
            })
            .collect();
        if checkpoints.len() != chars / Self::STRIDE + 1 {
            return None;
        }
        Some(Self { checkpoints, chars })
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn le_u32(bytes: &[u8]) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(bytes);
    u32::from_le_bytes(word)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn emoji_count_two_utf16_units() {
        let text = "ça 😀 va";
        let table = OffsetTable::new(text);
        assert_eq!(table.chars(), 7);
        assert_eq!(table.utf16_of(text, 4), Some(5));
        assert_eq!(table.utf16_of(text, 7), Some(8));
        assert_eq!(table.slice(text, Span::new(3, 4).unwrap()), Some("😀"));
    }

    #[test]
    fn past_the_end_is_none() {
        let text = "abc";
        let table = OffsetTable::new(text);
        assert_eq!(table.byte_of(text, 3), Some(3));
        assert_eq!(table.byte_of(text, 4), None);
    }

    proptest! {
        #[test]
        fn lookups_match_a_naive_scan(text in "[a-zé😀\n ]{0,700}", at in 0usize..800) {
            let table = OffsetTable::new(&text);
            let naive_byte = if at <= text.chars().count() {
                Some(text.char_indices().nth(at).map_or(text.len(), |(b, _)| b))
            } else {
                None
            };
            prop_assert_eq!(table.byte_of(&text, at), naive_byte);
            let naive_utf16 = naive_byte.map(|b| text[..b].encode_utf16().count());
            prop_assert_eq!(table.utf16_of(&text, at), naive_utf16);
            let back = OffsetTable::from_bytes(&table.to_bytes());
            prop_assert_eq!(back, Some(table));
        }
    }
}
