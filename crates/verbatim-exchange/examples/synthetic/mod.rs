//! The synthetic interview text the exchange benchmarks share: French and
//! English words with an emoji, lines of 12 words each opened by a speaker
//! label, the same for a seed on every run.

const WORDS: &[&str] = &[
    "la",
    "confiance",
    "se",
    "construit",
    "avec",
    "le",
    "temps",
    "and",
    "the",
    "team",
    "talks",
    "about",
    "control",
    "on",
    "fait",
    "attention",
    "aux",
    "patients",
    "qui",
    "reviennent",
    "souvent",
    "nurses",
    "say",
    "that",
    "trust",
    "is",
    "earned",
    "😀",
    "slowly",
    "les",
    "règles",
    "protègent",
];

/// Returns a deterministic text of about `words` words, lines of 12 words.
pub fn text(seed: usize, words: usize) -> String {
    let mut out = String::with_capacity(words * 7);
    let mut x = seed as u64 * 2_654_435_761 + 1;
    for i in 0..words {
        if i % 12 == 0 {
            out.push_str(if (i / 12) % 2 == 0 { "I: " } else { "P01: " });
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
        out.push(if i % 12 == 11 { '\n' } else { ' ' });
    }
    out
}
