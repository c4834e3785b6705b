//! Bytes of unknown encoding to text (placeholder: UTF-8, else Windows-1252).

use crate::IngestError;

/// Text decoded from bytes, with the encoding it was decoded from.
pub(crate) struct Decoded {
    /// The text, line ends untouched.
    pub text: String,
    /// The encoding's name (`UTF-8`, `UTF-16LE`, `windows-1252`).
    pub encoding: &'static str,
}

/// Returns `bytes` decoded as text.
pub(crate) fn decode_text(bytes: &[u8]) -> Result<Decoded, IngestError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text: text.to_owned(),
            encoding: "UTF-8",
        }),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Ok(Decoded {
                text: text.into_owned(),
                encoding: "windows-1252",
            })
        }
    }
}
