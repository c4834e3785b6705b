//! Word frequencies: the words a set of speech segments uses most.
//!
//! Counted from the study's text with the same tokenizer as the index
//! (lowercased, French and English stop words and transcript fillers left
//! out). Words are grouped ignoring accents; with stemming, by stem. Each
//! group is shown under its most frequent written form.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tantivy::tokenizer::TokenStream;

use crate::analysis::{Analyzers, Stemming, fold, words_analyzer};

/// One row of a word-frequency table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct WordCount {
    /// The word (its most frequent written form).
    pub word: String,
    /// Occurrences.
    pub count: usize,
    /// Distinct sources using it.
    pub sources: usize,
}

/// Options of a word count.
#[derive(Debug, Clone, Copy)]
pub struct WordOptions {
    /// How many rows to return.
    pub top: usize,
    /// Shortest word counted, in chars.
    pub min_length: usize,
    /// Group words by stem.
    pub stem: bool,
}

#[derive(Default)]
struct Group {
    count: usize,
    sources: HashSet<i64>,
    forms: HashMap<String, usize>,
}

/// Counts words over `(source id, text, stemming)` pieces.
pub fn word_frequencies<'a>(
    pieces: impl IntoIterator<Item = (i64, &'a str, Stemming)>,
    options: WordOptions,
) -> Vec<WordCount> {
    let mut analyzer = words_analyzer();
    let mut stems = Analyzers::default();
    let mut groups: HashMap<String, Group> = HashMap::new();
    let mut stem_cache: HashMap<(String, Stemming), String> = HashMap::new();
    for (source, text, stemming) in pieces {
        let mut stream = analyzer.token_stream(text);
        while let Some(tok) = stream.next() {
            let word = &tok.text;
            if word.chars().count() < options.min_length || word.chars().all(|c| c.is_ascii_digit())
            {
                continue;
            }
            let key = if options.stem {
                stem_cache
                    .entry((word.clone(), stemming))
                    .or_insert_with(|| stems.stem_terms(word, stemming).concat())
                    .clone()
            } else {
                fold(word)
            };
            let g = groups.entry(key).or_default();
            g.count += 1;
            g.sources.insert(source);
            *g.forms.entry(word.clone()).or_default() += 1;
        }
    }
    let mut out: Vec<WordCount> = groups
        .into_values()
        .map(|g| {
            let word = g
                .forms
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(w, _)| w.clone())
                .unwrap_or_default();
            WordCount {
                word,
                count: g.count,
                sources: g.sources.len(),
            }
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
    out.truncate(options.top);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_skip_stop_words_and_group_stems() {
        let opts = WordOptions {
            top: 10,
            min_length: 4,
            stem: false,
        };
        let fr = Stemming::French;
        let rows = word_frequencies(
            [
                (1, "La confiance, la confiance et la méfiance.", fr),
                (2, "Une confiance lente, méfiant.", fr),
            ],
            opts,
        );
        assert_eq!(rows[0].word, "confiance");
        assert_eq!((rows[0].count, rows[0].sources), (3, 2));
        assert!(rows.iter().all(|r| r.word != "la" && r.word != "une"));
        let stemmed = word_frequencies(
            [(1, "méfiance méfiant méfiance", fr)],
            WordOptions { stem: true, ..opts },
        );
        assert_eq!(stemmed.len(), 1);
        assert_eq!(
            (stemmed[0].word.as_str(), stemmed[0].count),
            ("méfiance", 3)
        );
    }
}
