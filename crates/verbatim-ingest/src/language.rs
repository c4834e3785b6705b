//! A cheap guess of a transcript's language from its commonest words.
//!
//! Teams import French and English transcripts side by side and rarely say
//! which is which per file; stemming and stop words later depend on it. A
//! count of a few dozen function words is enough to tell the languages
//! verbatim stems apart; anything unclear is left to the study's default.

use verbatim_core::Language;

const FRENCH: &[&str] = &[
    "le", "la", "les", "de", "des", "du", "et", "est", "un", "une", "que", "qui", "pas", "je",
    "on", "en", "il", "elle", "ce", "ça", "mais", "avec", "pour", "dans", "c'est", "nous", "vous",
    "euh", "alors", "oui", "non",
];
const ENGLISH: &[&str] = &[
    "the", "and", "is", "of", "to", "a", "in", "that", "it", "i", "you", "we", "they", "was",
    "with", "for", "but", "not", "what", "this", "so", "yeah", "um", "like", "know", "just",
];

/// Returns `fr` or `en` when the text clearly reads as one of them.
pub fn guess_language(text: &str) -> Option<Language> {
    let (mut fr, mut en) = (0usize, 0usize);
    for word in text
        .split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '’'))
        .take(5_000)
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase().replace('’', "'");
        if FRENCH.contains(&word.as_str()) {
            fr += 1;
        }
        if ENGLISH.contains(&word.as_str()) {
            en += 1;
        }
    }
    let (winner, high, low) = if fr >= en {
        ("fr", fr, en)
    } else {
        ("en", en, fr)
    };
    (high >= 5 && high >= 2 * low)
        .then(|| winner.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_french_from_english() {
        let fr = "Alors euh, je pense que c'est la relation avec les usagers qui est difficile, mais on fait avec.";
        let en = "So, um, I think that the relationship with the clients is what we struggle with, you know.";
        assert_eq!(
            guess_language(fr).map(|l| l.to_string()).as_deref(),
            Some("fr")
        );
        assert_eq!(
            guess_language(en).map(|l| l.to_string()).as_deref(),
            Some("en")
        );
        assert_eq!(guess_language("12 34 56"), None);
    }
}
