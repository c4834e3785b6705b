//! Bytes of unknown encoding to text.
//!
//! Plain-text and caption transcripts arrive in whatever encoding the
//! transcriber's editor used: UTF-8 with or without a byte-order mark,
//! UTF-16 from Windows Notepad ("Unicode"), or a legacy code page such as
//! Windows-1252 from an old French Word "text only" export. Decoding such a
//! file as the wrong encoding turns `é` into `Ã©` for good, so this module
//! decides the encoding from evidence, in this order:
//!
//! 1. a byte-order mark (UTF-8, UTF-16LE, UTF-16BE);
//! 2. UTF-16 without a mark, recognised by its zero bytes piling up at odd
//!    (little-endian) or even (big-endian) positions;
//! 3. binary data (a NUL byte, or many control bytes) is refused;
//! 4. valid UTF-8;
//! 5. otherwise `chardetng`'s guess (Windows-1252 for Western European text).

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::IngestError;

/// Text decoded from bytes, with the encoding it was decoded from.
#[derive(Debug)]
pub(crate) struct Decoded {
    /// The text, line ends untouched, byte-order mark removed.
    pub text: String,
    /// The encoding's name (`UTF-8`, `UTF-16LE`, `windows-1252`).
    pub encoding: &'static str,
}

/// How many leading bytes the UTF-16 and binary heuristics look at.
const SAMPLE: usize = 64 * 1024;

/// Returns `bytes` decoded as text, or why they are not text.
pub(crate) fn decode_text(bytes: &[u8]) -> Result<Decoded, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Empty);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return finish(rest, UTF_8, 3);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return finish(rest, UTF_16LE, 2);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return finish(rest, UTF_16BE, 2);
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        return finish(bytes, encoding, 0);
    }
    if let Some(offset) = binary_offset(bytes) {
        return Err(IngestError::NotText { offset });
    }
    if std::str::from_utf8(bytes).is_ok() {
        return finish(bytes, UTF_8, 0);
    }
    if let Some(mixed) = mostly_utf8(bytes) {
        return Ok(mixed);
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, Utf8Detection::Deny);
    // A guess that cannot decode the bytes cleanly is worse than the
    // Western default: Windows-1252 maps almost every byte to a char.
    let (_, had_errors) = guess.decode_without_bom_handling(bytes);
    let encoding = if had_errors { WINDOWS_1252 } else { guess };
    finish(bytes, encoding, 0)
}

/// Returns the text decoded as `encoding` (no mark left in `bytes`), after
/// checking that it is not binary; `skipped` is the mark's length, used to
/// report byte offsets in the original file.
fn finish(
    bytes: &[u8],
    encoding: &'static Encoding,
    skipped: usize,
) -> Result<Decoded, IngestError> {
    // Malformed sequences become U+FFFD rather than refusing the file: a
    // transcript with one damaged byte is still worth importing.
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    if text.trim().is_empty() {
        return Err(IngestError::Empty);
    }
    let unit = if encoding == UTF_16LE || encoding == UTF_16BE {
        2
    } else {
        1
    };
    if let Some(index) = binary_char(&text) {
        // For UTF-16 the offset is the code-unit index doubled: exact for
        // text in the Basic Multilingual Plane, close enough otherwise.
        let before = text
            .get(..index)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        let offset = if unit == 2 {
            skipped + before * 2
        } else {
            skipped + index
        };
        return Err(IngestError::NotText { offset });
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
    })
}

/// Returns the text of a UTF-8 file with a few stray legacy bytes (a
/// Windows-1252 `’` pasted into a UTF-8 transcript), decoding the valid
/// parts as UTF-8 and each stray byte as Windows-1252, when valid non-ASCII
/// UTF-8 chars outnumber the stray bytes. Decoding such a file wholly as
/// Windows-1252 would garble every accent (`é` → `Ã©`).
fn mostly_utf8(bytes: &[u8]) -> Option<Decoded> {
    let mut valid_non_ascii = 0usize;
    let mut stray = 0usize;
    for chunk in bytes.utf8_chunks() {
        valid_non_ascii += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        stray += chunk.invalid().len();
    }
    if valid_non_ascii <= stray {
        return None;
    }
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        text.push_str(&WINDOWS_1252.decode_without_bom_handling(chunk.invalid()).0);
    }
    Some(Decoded {
        text,
        encoding: "UTF-8 (some windows-1252 bytes)",
    })
}

/// Returns the UTF-16 byte order of text written without a byte-order mark,
/// recognised by zero high bytes: ASCII and Latin text in UTF-16LE has a zero
/// at almost every odd position and almost none at even ones.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = bytes.get(..SAMPLE.min(bytes.len()))?;
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        if let [a, b] = pair {
            even += usize::from(*a == 0);
            odd += usize::from(*b == 0);
        }
    }
    // At least 40% of the units look like ASCII, and the other side almost
    // never holds a zero (which a binary file would).
    let many = (pairs * 2 / 5).max(1);
    let few = pairs / 20;
    if odd >= many && even <= few {
        Some(UTF_16LE)
    } else if even >= many && odd <= few {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Returns the offset of the first sign that raw bytes in an ASCII-compatible
/// encoding are binary: a NUL byte, or a control byte when control bytes are
/// more than 5% of the sample.
fn binary_offset(bytes: &[u8]) -> Option<usize> {
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Some(offset);
    }
    let sample = bytes.get(..SAMPLE.min(bytes.len()))?;
    let controls = sample.iter().filter(|&&b| is_control_byte(b)).count();
    if controls * 20 > sample.len() {
        sample.iter().position(|&b| is_control_byte(b))
    } else {
        None
    }
}

/// Returns the byte index of the first sign that decoded text is binary:
/// a NUL char, or a control char when they are more than 5% of the chars.
fn binary_char(text: &str) -> Option<usize> {
    if let Some(index) = text.find('\0') {
        return Some(index);
    }
    let mut total = 0usize;
    let mut controls = 0usize;
    let mut first = None;
    for (index, ch) in text.char_indices().take(SAMPLE) {
        total += 1;
        if u32::from(ch) < 0x80 && is_control_byte(ch as u8) {
            controls += 1;
            first.get_or_insert(index);
        }
    }
    if controls * 20 > total { first } else { None }
}

/// Returns whether a byte is a C0 control or DEL that text files do not
/// hold; tab, line feed, carriage return, form feed, vertical tab and the
/// DOS end-of-file mark (0x1A) are allowed.
fn is_control_byte(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | 0x1A)) || b == 0x7F
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const FRENCH: &str = "INT : Vous êtes arrivée en 1998 ?\n\
        P03 : Oui… enfin, c’était l’été, à Besançon. « Une drôle d’époque », \
        comme dit ma sœur. Ça a été dur.\n";

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode_text(FRENCH.as_bytes()).unwrap();
        assert_eq!((plain.text.as_str(), plain.encoding), (FRENCH, "UTF-8"));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(FRENCH.as_bytes());
        let marked = decode_text(&bom).unwrap();
        assert_eq!((marked.text.as_str(), marked.encoding), (FRENCH, "UTF-8"));
    }

    #[test]
    fn windows_1252_french_decodes_without_mojibake() {
        let (bytes, _, unmappable) = WINDOWS_1252.encode(FRENCH);
        assert!(!unmappable);
        assert!(
            bytes.contains(&0x92),
            "the apostrophe is 0x92 in windows-1252"
        );
        let decoded = decode_text(&bytes).unwrap();
        assert_eq!(decoded.encoding, "windows-1252");
        assert_eq!(decoded.text, FRENCH);
        assert!(!decoded.text.contains("Ã"));
    }

    #[test]
    fn short_latin1_line_decodes_as_western() {
        let (bytes, _, _) = WINDOWS_1252.encode("Enquêtrice : ça va ? Très bien, merci.");
        let decoded = decode_text(&bytes).unwrap();
        assert_eq!(decoded.text, "Enquêtrice : ça va ? Très bien, merci.");
        let (bytes, _, _) = WINDOWS_1252.encode("é");
        assert_eq!(decode_text(&bytes).unwrap().text, "é");
    }

    #[test]
    fn utf16_with_bom_both_orders() {
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16(FRENCH, false));
        let decoded = decode_text(&le).unwrap();
        assert_eq!(
            (decoded.text.as_str(), decoded.encoding),
            (FRENCH, "UTF-16LE")
        );
        let mut be = vec![0xFE, 0xFF];
        be.extend(utf16(FRENCH, true));
        let decoded = decode_text(&be).unwrap();
        assert_eq!(
            (decoded.text.as_str(), decoded.encoding),
            (FRENCH, "UTF-16BE")
        );
    }

    #[test]
    fn utf16_without_bom_both_orders() {
        let decoded = decode_text(&utf16(FRENCH, false)).unwrap();
        assert_eq!(
            (decoded.text.as_str(), decoded.encoding),
            (FRENCH, "UTF-16LE")
        );
        let decoded = decode_text(&utf16(FRENCH, true)).unwrap();
        assert_eq!(
            (decoded.text.as_str(), decoded.encoding),
            (FRENCH, "UTF-16BE")
        );
    }

    #[test]
    fn binary_junk_is_refused() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0";
        assert!(matches!(
            decode_text(png),
            Err(IngestError::NotText { offset: 8 })
        ));
        let controls: Vec<u8> = (0u8..=255).cycle().skip(1).take(600).collect();
        assert!(matches!(
            decode_text(&controls),
            Err(IngestError::NotText { .. })
        ));
        let mut nul_inside = b"INT : bonjour".to_vec();
        nul_inside.push(0);
        nul_inside.extend_from_slice(b"P03 : oui");
        assert!(matches!(
            decode_text(&nul_inside),
            Err(IngestError::NotText { offset: 13 })
        ));
    }

    #[test]
    fn empty_and_blank_are_refused() {
        assert!(matches!(decode_text(b""), Err(IngestError::Empty)));
        assert!(matches!(
            decode_text(b"\xEF\xBB\xBF"),
            Err(IngestError::Empty)
        ));
        assert!(matches!(decode_text(b" \r\n\n\t"), Err(IngestError::Empty)));
    }

    #[test]
    fn utf8_with_stray_legacy_bytes_keeps_its_accents() {
        let mut bytes = "P03 : J’étais là, à l’école, déjà.".as_bytes().to_vec();
        bytes.extend_from_slice(b" C\x92est s\xfbr.");
        let decoded = decode_text(&bytes).unwrap();
        assert_eq!(
            decoded.text,
            "P03 : J’étais là, à l’école, déjà. C’est sûr."
        );
        assert!(decoded.encoding.starts_with("UTF-8"));
    }

    #[test]
    fn short_french_phrases_in_windows_1252() {
        for phrase in [
            "cœur",
            "L’été à Noël",
            "«Déjà»",
            "garçon",
            "Où ça ?",
            "À bientôt !",
            "Ève, 42 ans",
            "INT : Et là-bas ?\nP03 : Bah… j’sais pas, moi.",
            "Enquêteur : Ça fait combien de temps ?",
        ] {
            let (bytes, _, _) = WINDOWS_1252.encode(phrase);
            let decoded = decode_text(&bytes).unwrap();
            assert_eq!(decoded.text, phrase, "guessed {}", decoded.encoding);
        }
    }

    #[test]
    fn a_few_control_chars_are_tolerated() {
        let text = "INT : alors\x0b voilà\x1e c’est tout.\n".repeat(3);
        assert!(decode_text(text.as_bytes()).is_ok());
    }
}
