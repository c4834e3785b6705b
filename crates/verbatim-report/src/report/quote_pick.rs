//! Which quotes a theme shows.
//!
//! SEAM: `crate::quotes` (written beside this module, on the figures
//! branch) owns the choice of a report's quotes — exemplars or top N per
//! code, attribution, translations — and the translation round trip uses
//! the same choice. Until it lands, this module applies the rule the issue
//! states so the report is complete: the passages coders marked as
//! exemplars, or when none is marked the `n` longest spoken by one
//! participant. [`pick`] is the one call to re-point at `crate::quotes`.

use std::collections::HashMap;

use verbatim_analysis::evidence::Passage;

use super::model::{Lang, Quote};

/// Longest quote kept whole, in chars; longer passages rank as this long,
/// so a page-long passage does not crowd out a sharp sentence.
const LONGEST: i64 = 600;

/// Returns the quotes for a theme from its supporting passages: every
/// marked exemplar, else the `n` longest (one speaker first), each with its
/// translation into `lang` when the source is in another language.
pub fn pick(
    support: &[&Passage],
    n: usize,
    lang: Lang,
    languages: &HashMap<i64, Option<String>>,
) -> Vec<Quote> {
    let spoken: Vec<&Passage> = support
        .iter()
        .copied()
        .filter(|p| !p.participants.is_empty() || p.kind == "observation")
        .collect();
    let mut chosen: Vec<&Passage> = spoken.iter().copied().filter(|p| p.is_quote).collect();
    if chosen.is_empty() {
        chosen = spoken;
        chosen.sort_by_key(|p| {
            (
                p.participants.len() != 1,
                -(p.end - p.start).min(LONGEST),
                p.source_id,
                p.start,
            )
        });
        chosen.truncate(n);
        chosen.sort_by_key(|p| (p.source_id, p.start));
    }
    chosen
        .into_iter()
        .map(|p| quote_of(p, lang, languages))
        .collect()
}

/// Returns a passage as a quote, attributed and translated.
pub fn quote_of(p: &Passage, lang: Lang, languages: &HashMap<i64, Option<String>>) -> Quote {
    let language = languages.get(&p.source_id).cloned().flatten();
    let same = language
        .as_deref()
        .and_then(Lang::from_tag)
        .is_some_and(|l| l == lang);
    let translation = if same {
        None
    } else {
        p.translations
            .iter()
            .find(|(l, _)| Lang::from_tag(l) == Some(lang))
            .map(|(_, t)| t.clone())
    };
    Quote {
        text: p.text.trim().to_owned(),
        language,
        attribution: if p.participants.is_empty() {
            p.source.clone()
        } else {
            p.participants.join(", ")
        },
        source: p.source.clone(),
        start: p.start,
        end: p.end,
        exemplar: p.is_quote,
        translation,
    }
}
