//! Text folding for matching what people typed against what transcripts say.
//!
//! Speaker labels, roster names and interview-guide questions are written by
//! different hands: "Marie", "MARIE", "Marié"; "Comment décririez-vous…" and
//! "comment decririez vous". Matching them needs one folded form: lower
//! case, accents removed, punctuation turned into spaces.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Returns `text` in lower case with accents removed and every run of
/// punctuation or white space turned into one space, trimmed.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Returns the distinct words of `text`, folded.
pub(crate) fn words(text: &str) -> HashSet<String> {
    fold(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Returns the share of `question`'s distinct words found in `turn` (0 to
/// 1): a token-set similarity that tolerates an interviewer's preamble
/// ("Merci. Alors, ma question suivante : …") around the guide's wording.
pub(crate) fn similarity(question: &HashSet<String>, turn: &HashSet<String>) -> f64 {
    if question.is_empty() {
        return 0.0;
    }
    let shared = question.iter().filter(|w| turn.contains(*w)).count();
    shared as f64 / question.len() as f64
}

/// Speaker labels that name an interviewer when nothing else says who
/// spoke, folded.
const INTERVIEWER_LABELS: &[&str] = &[
    "int",
    "interviewer",
    "intervieweur",
    "intervieweuse",
    "interviewer 1",
    "interviewer 2",
    "chercheur",
    "chercheuse",
    "enqueteur",
    "enqueteuse",
    "enqueteur trice",
    "enquetrice",
    "enq",
    "moderateur",
    "moderatrice",
    "animateur",
    "animatrice",
    "researcher",
    "facilitator",
    "moderator",
    "q",
    "i",
];

/// Returns true when a speaker label conventionally names the interviewer:
/// the whole label (`INT`, `Chercheuse`) or the qualifier transcribers put
/// after a name (`Sonia Martin (ENQ)`, `[Paul Durand (interviewer)]`).
pub(crate) fn looks_like_interviewer(label: &str) -> bool {
    if INTERVIEWER_LABELS.contains(&fold(label).as_str()) {
        return true;
    }
    let trimmed = label.trim().trim_matches(['[', ']']).trim_end();
    let qualifier = trimmed
        .strip_suffix(')')
        .and_then(|inner| inner.rsplit_once('('))
        .filter(|(name, _)| !name.trim().is_empty())
        .map(|(_, qualifier)| fold(qualifier));
    qualifier.is_some_and(|q| q != "q" && q != "i" && INTERVIEWER_LABELS.contains(&q.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_and_punctuation() {
        assert_eq!(fold("  Marié-Hélène !"), "marie helene");
        assert_eq!(
            fold("Comment décririez-vous… votre « relation » ?"),
            "comment decririez vous votre relation"
        );
        assert_eq!(fold("d’avoir"), "d avoir");
    }

    #[test]
    fn similarity_is_the_share_of_question_words_found() {
        let q = words("Comment décririez-vous votre relation avec les usagers ?");
        let t = words("Merci. Alors : comment decririez vous votre relation avec les usagers");
        assert!((similarity(&q, &t) - 1.0).abs() < 1e-9);
        let other = words("Et l'institution, elle vous aide ?");
        assert!(similarity(&q, &other) < 0.3);
    }

    #[test]
    fn interviewer_labels_are_recognised() {
        assert!(looks_like_interviewer("INT"));
        assert!(looks_like_interviewer("Enquêtrice"));
        assert!(!looks_like_interviewer("Marie"));
        assert!(looks_like_interviewer("Sonia Martin (ENQ)"));
        assert!(looks_like_interviewer("Paul Durand (int.)"));
        assert!(looks_like_interviewer("Sam Okafor (interviewer)"));
        assert!(looks_like_interviewer("Léa (modératrice)"));
        assert!(looks_like_interviewer("Luc (Enquêteur)"));
        assert!(!looks_like_interviewer("Marie (P03)"));
    }
}
