//! Word frequencies over the study: which sources count, which speaker
//! turns are the participants' (interviewers' turns left out unless asked
//! for; a source without turns counts whole), each source stemmed in its
//! own language (else the study's), counted by `verbatim_search`. The
//! text is read through `Transcripts`, as search reads it, so a file and a
//! PostgreSQL study count alike.

use std::collections::HashSet;

use verbatim_search::{Stemming, WordCount, WordOptions, segments, store_kind, word_frequencies};
use verbatim_store::{StoreError, Transcripts};

/// Which text to count.
#[derive(Debug, Clone, Copy)]
pub struct WordsSpec<'a> {
    /// Only these sources (ids); all when empty.
    pub sources: &'a [i64],
    /// Only sources of these kinds, as written (`focus group` and
    /// `focus_group` alike); all when empty.
    pub kinds: &'a [String],
    /// Only sources of these sites (name or code); all when empty.
    pub sites: &'a [String],
    /// Count interviewers' turns and text outside turns too.
    pub include_interviewers: bool,
    /// Count context-only sources too.
    pub include_context: bool,
    /// How many words, how short, stemmed or not.
    pub options: WordOptions,
}

/// Returns the most frequent words of the text `spec` selects.
pub fn count<S: Transcripts + ?Sized>(
    store: &S,
    spec: &WordsSpec<'_>,
) -> Result<Vec<WordCount>, StoreError> {
    let study_lang = store.study()?.language;
    let kinds: Vec<String> = spec.kinds.iter().map(|k| store_kind(k)).collect();
    let mut sites: Vec<String> = Vec::new();
    for s in spec.sites {
        sites.push(s.clone());
        if let Some(site) = store.find_site(s)? {
            sites.push(site.name);
            sites.push(site.code);
        }
    }
    let interviewers: HashSet<(i64, String)> = store
        .speakers(None)?
        .into_iter()
        .filter(|s| s.role == "interviewer")
        .map(|s| (s.source_id, s.label))
        .collect();
    let mut texts: Vec<(i64, String, Stemming)> = Vec::new();
    for s in store.sources()? {
        if (!spec.sources.is_empty() && !spec.sources.contains(&s.id))
            || (!kinds.is_empty() && !kinds.contains(&s.kind))
            || (!sites.is_empty() && !s.site.as_ref().is_some_and(|x| sites.contains(x)))
            || (s.kind == "context" && !spec.include_context)
        {
            continue;
        }
        let (text, table, turns) = store.text_and_turns(s.id)?;
        let lang = s.language.clone().or_else(|| study_lang.clone());
        let stemming = Stemming::for_language(lang.as_deref());
        let no_turns = turns.is_empty();
        for seg in segments(&text, &turns, &table) {
            let keep = spec.include_interviewers
                || no_turns
                || seg
                    .speaker
                    .as_ref()
                    .is_some_and(|l| !interviewers.contains(&(s.id, l.clone())));
            if keep {
                texts.push((
                    s.id,
                    text[seg.byte_start..seg.byte_end].to_owned(),
                    stemming,
                ));
            }
        }
    }
    Ok(word_frequencies(
        texts.iter().map(|(id, t, s)| (*id, t.as_str(), *s)),
        spec.options,
    ))
}
