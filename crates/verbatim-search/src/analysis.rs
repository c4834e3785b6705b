//! The analyzer chain, shared by indexing, querying, KWIC and word counts.
//!
//! One chain must serve all four, or a hit found by the index would not be
//! found again when the KWIC line is cut: tokens are runs of letters and
//! digits (`SimpleTokenizer`, so `l’entretien` gives `l` + `entretien`),
//! tokens over 40 bytes are dropped, then lowercased. The *exact* form is
//! then ASCII-folded (`méfiance` → `mefiance`); the *stem* form is stemmed
//! by the source language's Snowball stemmer **before** folding, because the
//! French stemmer expects accents, then folded. Stemming over-reaches
//! (`opérations` and `opérateur` share a stem), so both forms are indexed
//! and a query can ask for the exact one (`=word`).

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, Token as TToken, TokenFilter, TokenStream, Tokenizer,
};

/// Words of a transcript that carry no topic: French elisions and fillers
/// on top of the French and English stop lists.
const EXTRA_STOP_WORDS: &[&str] = &[
    "l",
    "d",
    "j",
    "qu",
    "n",
    "s",
    "c",
    "m",
    "t",
    "y",
    "a",
    "ça",
    "ca",
    "euh",
    "heu",
    "hum",
    "mmh",
    "mm",
    "hm",
    "bah",
    "ben",
    "bon",
    "ah",
    "oh",
    "oui",
    "non",
    "alors",
    "donc",
    "voilà",
    "voila",
    "fait",
    "être",
    "avoir",
    "est",
    "sont",
    "pas",
    "plus",
    "très",
    "aussi",
    "comme",
    "quand",
    "tout",
    "tous",
    "toute",
    "toutes",
    "quoi",
    "dire",
    "peu",
    "bien",
    "faire",
    "cette",
    "cet",
    "ces",
    "là",
    "si",
    "ils",
    "elles",
    "nous",
    "vous",
    "on",
    "i",
    "you",
    "he",
    "she",
    "we",
    "me",
    "my",
    "your",
    "our",
    "his",
    "her",
    "them",
    "us",
    "its",
    "do",
    "does",
    "did",
    "have",
    "has",
    "had",
    "so",
    "yeah",
    "yes",
    "um",
    "uh",
    "like",
    "just",
    "what",
    "when",
    "who",
    "how",
    "which",
    "would",
    "could",
    "there",
    "been",
    "were",
    "am",
    "from",
    "about",
    "really",
    "very",
    "know",
    "think",
    "mean",
    "well",
    "okay",
    "ok",
    "because",
    "all",
    "some",
    "can",
    "don",
    "t",
    "s",
    "m",
    "re",
    "ve",
    "ll",
    "d",
    "parce",
    "puis",
    "enfin",
    "ici",
    "here",
    "someone",
    "something",
    "people",
    "get",
    "got",
    "one",
    "out",
    "then",
    "now",
    "going",
    "way",
    "still",
    "even",
    // Transcription annotations ([rires], [inaudible]…), not speech.
    "rires",
    "rire",
    "rit",
    "laughs",
    "laughter",
    "laughing",
    "inaudible",
    "crosstalk",
    "silence",
    "pause",
    "sic",
];

/// The tokenizer name of the exact field.
pub(crate) const EXACT: &str = "verbatim_exact";
/// The tokenizer name of the French stemmed field.
pub(crate) const STEM_FR: &str = "verbatim_stem_fr";
/// The tokenizer name of the English stemmed field.
pub(crate) const STEM_EN: &str = "verbatim_stem_en";

/// Which stemmer a source's text goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stemming {
    /// Snowball French.
    French,
    /// Snowball English (also used for languages without a stemmer here).
    English,
}

impl Stemming {
    /// Returns the stemmer for a BCP 47 language tag: French for `fr…`,
    /// English otherwise.
    pub fn for_language(tag: Option<&str>) -> Self {
        match tag {
            Some(t) if t.to_ascii_lowercase().starts_with("fr") => Stemming::French,
            _ => Stemming::English,
        }
    }

    fn language(self) -> Language {
        match self {
            Stemming::French => Language::French,
            Stemming::English => Language::English,
        }
    }
}

/// One token of a text, in both forms, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lowercased and folded.
    pub exact: String,
    /// Stemmed, then folded.
    pub stem: String,
    /// Its position (word count from the start, gaps where tokens dropped).
    pub position: usize,
    /// First byte in the analysed text.
    pub from: usize,
    /// Byte just past it.
    pub to: usize,
}

/// Returns the exact-form analyzer.
pub(crate) fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Returns the stemmed-form analyzer of a language.
pub(crate) fn stem_analyzer(stemming: Stemming) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(Stemmer::new(stemming.language()))
        .filter(FamilyFilter(stemming))
        .filter(AsciiFoldingFilter)
        .build()
}

/// Completes Snowball French for the families researchers search most:
/// Snowball leaves `-anc`/`-enc` on nouns in `-ance`/`-ence` when the
/// suffix is short of its R2 region (`méfiance` → `méfianc`), while the
/// adjective loses `-ant` (`méfiant` → `méfi`). Stripping `anc`/`enc` from
/// a French stem of at least 6 chars joins the noun to its adjective and
/// verb (`méfi`, `confi`). English stems are left as Snowball makes them.
#[derive(Clone, Copy)]
struct FamilyFilter(Stemming);

/// The tokenizer [`FamilyFilter`] wraps.
#[derive(Clone)]
struct FamilyTokenizer<T> {
    inner: T,
    stemming: Stemming,
}

/// The token stream [`FamilyFilter`] wraps.
struct FamilyStream<T> {
    tail: T,
    stemming: Stemming,
}

impl TokenFilter for FamilyFilter {
    type Tokenizer<T: Tokenizer> = FamilyTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> FamilyTokenizer<T> {
        FamilyTokenizer {
            inner,
            stemming: self.0,
        }
    }
}

impl<T: Tokenizer> Tokenizer for FamilyTokenizer<T> {
    type TokenStream<'a> = FamilyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FamilyStream {
            tail: self.inner.token_stream(text),
            stemming: self.stemming,
        }
    }
}

impl<T: TokenStream> TokenStream for FamilyStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        if self.stemming == Stemming::French {
            let text = &mut self.tail.token_mut().text;
            if (text.ends_with("anc") || text.ends_with("enc")) && text.chars().count() >= 6 {
                text.truncate(text.len() - 3);
            }
        }
        true
    }

    fn token(&self) -> &TToken {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut TToken {
        self.tail.token_mut()
    }
}

/// The three analyzers, built once and reused.
#[derive(Clone)]
pub struct Analyzers {
    exact: TextAnalyzer,
    fr: TextAnalyzer,
    en: TextAnalyzer,
}

impl Default for Analyzers {
    fn default() -> Self {
        Self {
            exact: exact_analyzer(),
            fr: stem_analyzer(Stemming::French),
            en: stem_analyzer(Stemming::English),
        }
    }
}

impl std::fmt::Debug for Analyzers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzers")
    }
}

impl Analyzers {
    /// Returns the tokens of `text` with both forms and byte offsets.
    pub fn tokens(&mut self, text: &str, stemming: Stemming) -> Vec<Token> {
        let mut out = Vec::new();
        let mut stream = self.exact.token_stream(text);
        while let Some(t) = stream.next() {
            out.push(Token {
                exact: t.text.clone(),
                stem: String::new(),
                position: t.position,
                from: t.offset_from,
                to: t.offset_to,
            });
        }
        let stemmer = match stemming {
            Stemming::French => &mut self.fr,
            Stemming::English => &mut self.en,
        };
        let mut stream = stemmer.token_stream(text);
        let mut i = 0;
        while let Some(t) = stream.next() {
            // Both chains drop the same tokens, so they line up; check anyway.
            while i < out.len() && out[i].position < t.position {
                i += 1;
            }
            if let Some(tok) = out.get_mut(i)
                && tok.position == t.position
            {
                tok.stem = t.text.clone();
            }
        }
        out
    }

    /// Returns the exact forms of the words of `text`.
    pub fn exact_terms(&mut self, text: &str) -> Vec<String> {
        terms(&mut self.exact, text)
    }

    /// Returns the stemmed forms of the words of `text`.
    pub fn stem_terms(&mut self, text: &str, stemming: Stemming) -> Vec<String> {
        match stemming {
            Stemming::French => terms(&mut self.fr, text),
            Stemming::English => terms(&mut self.en, text),
        }
    }
}

fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

/// Returns the analyzer of word counts: lowercased words without French or
/// English stop words, unfolded (folding is applied by the caller so the
/// accented form can be shown).
pub(crate) fn words_analyzer() -> TextAnalyzer {
    let mut builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(
            EXTRA_STOP_WORDS.iter().map(|w| (*w).to_owned()),
        ))
        .dynamic();
    for lang in [Language::French, Language::English] {
        if let Some(filter) = StopWordFilter::new(lang) {
            builder = builder.filter_dynamic(filter);
        }
    }
    builder.build()
}

/// Returns `word` ASCII-folded the way the index folds it.
pub fn fold(word: &str) -> String {
    let mut analyzer = TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    terms(&mut analyzer, word).concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_stems_join_word_families_and_fold_accents() {
        let mut a = Analyzers::default();
        let fr = Stemming::French;
        assert_eq!(
            a.stem_terms("méfiance", fr),
            a.stem_terms("méfiant", fr),
            "méfiance and méfiant share a stem"
        );
        assert_eq!(a.exact_terms("Méfiance"), vec!["mefiance"]);
        assert_eq!(a.exact_terms("l’entretien"), vec!["l", "entretien"]);
    }

    #[test]
    fn english_stems_join_word_families() {
        let mut a = Analyzers::default();
        let en = Stemming::English;
        assert_eq!(a.stem_terms("trusting", en), a.stem_terms("trust", en));
    }

    #[test]
    fn tokens_carry_byte_offsets_and_both_forms() {
        let mut a = Analyzers::default();
        let text = "😀 La méfiance";
        let toks = a.tokens(text, Stemming::French);
        assert_eq!(toks.len(), 2);
        assert_eq!(&text[toks[1].from..toks[1].to], "méfiance");
        assert_eq!(toks[1].exact, "mefiance");
        assert!(!toks[1].stem.is_empty());
    }
}
