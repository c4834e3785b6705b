//! The one character no study keeps: U+0000 (NUL).
//!
//! SQLite stores NUL inside a text; PostgreSQL's `text` refuses it. So
//! that a study answers alike on both backends, the rule lives here once:
//! a transcript's NUL characters are dropped when it is assembled (they
//! show nothing and carry nothing), and a name or note typed with one is
//! refused in one sentence before anything is written.

use std::borrow::Cow;

/// The character a study cannot store.
pub const NUL: char = '\0';

/// Returns true when `text` holds a character no study can store.
pub fn holds_nul(text: &str) -> bool {
    text.contains(NUL)
}

/// Returns `text` without its NUL characters (borrowed when it has none).
pub fn without_nul(text: &str) -> Cow<'_, str> {
    if holds_nul(text) {
        Cow::Owned(text.replace(NUL, ""))
    } else {
        Cow::Borrowed(text)
    }
}

/// Returns the sentence refusing `what` (for example "the code name")
/// because it holds a NUL character.
pub fn nul_refusal(what: &str) -> String {
    format!(
        "{what} holds the character U+0000 (NUL), which a study cannot store, so nothing was changed: remove it and try again"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_dropped_and_nothing_else() {
        assert_eq!(without_nul("Con\0fi\0ance\t\u{1}"), "Confiance\t\u{1}");
        assert!(matches!(without_nul("Confiance"), Cow::Borrowed(_)));
        assert!(holds_nul("a\0"));
        assert!(!holds_nul("a\u{1}"));
    }
}
