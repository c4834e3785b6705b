//! Reader for plain-text and Markdown transcripts: one block per line.
//!
//! A plain-text transcript has no structure beyond its lines: speaker labels
//! sit at line starts and blank lines separate turns. Keeping each line as
//! its own block (joined back with `\n`) lets the speaker detector look at
//! every line start while the final text keeps the file's layout.

use crate::decode::decode_text;
use crate::{Block, Extracted, IngestError, Join};

/// Returns the lines of a plain-text file as blocks, `\r\n` and lone `\r`
/// counted as line ends and trailing spaces of each line dropped.
pub(crate) fn extract(bytes: &[u8]) -> Result<Extracted, IngestError> {
    let decoded = decode_text(bytes)?;
    let blocks = split_lines(&decoded.text)
        .map(|line| Block::paragraph(line.trim_end_matches([' ', '\t', '\u{a0}'])))
        .collect();
    let mut extracted = Extracted {
        blocks,
        join: Join::Lines,
        ..Extracted::default()
    };
    extracted.metadata.encoding = Some(decoded.encoding.to_owned());
    Ok(extracted)
}

/// Returns the lines of `text`, split at `\n`, `\r\n` and lone `\r`, with no
/// empty last line for a final line end.
pub(crate) fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.find(['\r', '\n']) {
            Some(at) => {
                let line = current.get(..at).unwrap_or_default();
                let after = if current.get(at..at + 2) == Some("\r\n") {
                    at + 2
                } else {
                    at + 1
                };
                rest = Some(current.get(after..).unwrap_or_default());
                Some(line)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lines(bytes: &[u8]) -> Vec<String> {
        extract(bytes)
            .unwrap()
            .blocks
            .into_iter()
            .map(|b| b.text)
            .collect()
    }

    #[test]
    fn crlf_cr_and_lf_all_end_lines() {
        assert_eq!(
            lines(b"INT : Bonjour.  \r\nP03 : Euh\xe2\x80\xa6 bonjour.\rINT : Alors ?\n\nP03 : Bon.\r\n"),
            ["INT : Bonjour.", "P03 : Euh… bonjour.", "INT : Alors ?", "", "P03 : Bon."]
        );
    }

    #[test]
    fn encoding_is_reported_and_legacy_text_decoded() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252
            .encode("Enquêtrice : « Vous étiez où ? »\r\nE2 : À l’hôpital.");
        let extracted = extract(&bytes).unwrap();
        assert_eq!(extracted.metadata.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(extracted.join, Join::Lines);
        assert_eq!(extracted.blocks[1].text, "E2 : À l’hôpital.");
    }

    #[test]
    fn empty_file_is_refused() {
        assert!(matches!(extract(b""), Err(IngestError::Empty)));
    }

    proptest! {
        #[test]
        fn any_text_never_panics(text in "\\PC*") {
            let _ = extract(text.as_bytes());
        }

        #[test]
        fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = extract(&bytes);
        }

        #[test]
        fn lines_rejoin_to_the_text(text in "[a-zé \\r\\n]{0,80}") {
            let unified = text.replace("\r\n", "\n").replace('\r', "\n");
            let expected = unified.strip_suffix('\n').unwrap_or(&unified);
            let joined: Vec<&str> = split_lines(&text).collect();
            prop_assert_eq!(joined.join("\n"), expected);
        }
    }
}
