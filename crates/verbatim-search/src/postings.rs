//! Counting a query's hits from the index's word positions, without the
//! text.
//!
//! Why: a search page shows 50 hits but says how many there are in all.
//! Re-reading and re-tokenising every matching turn from the study costs
//! about 70 µs a hit (0.45 s for 6,000 hits at 1,000 transcripts), while
//! the index already holds the position of every word. For each matching
//! segment, the query's own terms are read back from the postings at their
//! positions as sparse [`Token`]s, and [`Query::matches`] runs over them:
//! the same matcher as on the text, so the same count. Words the query
//! does not name are absent, which changes nothing: the matcher only
//! compares positions and the query's forms. KWIC lines are still cut
//! from the study's text, for the hits shown only.
//!
//! The commonest queries need less: for one word, one phrase without a
//! distance or one prefix, a hit is one place where a word sequence
//! occurs, so a word's count is its term frequency (no positions decoded)
//! and a phrase's the first word's positions the others follow. That path
//! costs tens of nanoseconds a segment instead of microseconds.

use std::collections::{BTreeMap, BTreeSet};

use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, SegmentReader, TERMINATED, TantivyError, Term};

use crate::analysis::{Stemming, Token};
use crate::error::Result;
use crate::query::{Leaf, Node, Query};

/// The fields whose postings are read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PostingFields {
    pub exact: Field,
    pub stem_fr: Field,
    pub stem_en: Field,
}

/// The forms a query names, by field.
#[derive(Debug, Default)]
struct Forms {
    exact: BTreeSet<String>,
    prefixes: BTreeSet<String>,
    fr: BTreeSet<String>,
    en: BTreeSet<String>,
}

fn collect(node: &Node, forms: &mut Forms) {
    match node {
        Node::Leaf(Leaf::Prefix(p)) => {
            forms.prefixes.insert(p.clone());
        }
        Node::Leaf(Leaf::Words {
            exact,
            fr,
            en,
            exact_only,
            ..
        }) => {
            if *exact_only {
                forms.exact.extend(exact.iter().cloned());
            } else {
                forms.fr.extend(fr.iter().cloned());
                forms.en.extend(en.iter().cloned());
            }
        }
        Node::And(parts) | Node::Or(parts) => parts.iter().for_each(|p| collect(p, forms)),
        Node::Not(inner) => collect(inner, forms),
    }
}

/// What one position of one document holds of the query's forms.
#[derive(Debug, Default, Clone)]
struct Slot {
    exact: String,
    stem: String,
}

/// Positions of the query's forms, per document of one index segment.
type Sparse = BTreeMap<DocId, BTreeMap<u32, Slot>>;

/// Reads where `term` occurs in `docs` (sorted), writing `form` into the
/// exact or stem side of each position.
fn read_term(
    reader: &SegmentReader,
    term: &Term,
    docs: &[DocId],
    stem: bool,
    sparse: &mut Sparse,
) -> Result<()> {
    let inverted = reader.inverted_index(term.field())?;
    let Some(mut postings) = inverted
        .read_postings(term, IndexRecordOption::WithFreqsAndPositions)
        .map_err(TantivyError::from)?
    else {
        return Ok(());
    };
    let form = term.value().as_str().unwrap_or_default().to_owned();
    let mut positions = Vec::new();
    for &doc in docs {
        if postings.doc() == TERMINATED {
            break;
        }
        if postings.doc() > doc || postings.seek(doc) != doc {
            continue;
        }
        positions.clear();
        postings.positions(&mut positions);
        let slots = sparse.entry(doc).or_default();
        for &p in &positions {
            let slot = slots.entry(p).or_default();
            if stem {
                slot.stem.clone_from(&form);
            } else {
                slot.exact.clone_from(&form);
            }
        }
    }
    Ok(())
}

/// Word sequences to count, each in one field.
type Sequences = Vec<(Field, Vec<String>)>;

/// The word sequences whose occurrences are a query's hits, when the
/// query is one word, one phrase without a distance or one prefix: then a
/// hit is one place where the sequence occurs, and the count needs no
/// matcher. `None` for any other query (booleans, distances), which the
/// sparse tokens answer. A French source has only `stem_fr` terms and an
/// English one only `stem_en` terms, so summing both sides counts each
/// document in its own language.
fn sequences(
    root: &Node,
    reader: &SegmentReader,
    fields: PostingFields,
) -> Result<Option<Sequences>> {
    Ok(match root {
        Node::Leaf(Leaf::Prefix(p)) => Some(
            expand(reader, fields.exact, p)?
                .into_iter()
                .map(|form| (fields.exact, vec![form]))
                .collect(),
        ),
        Node::Leaf(Leaf::Words {
            exact,
            fr,
            en,
            exact_only,
            slop: 0,
        }) => Some(if *exact_only {
            vec![(fields.exact, exact.clone())]
        } else {
            vec![(fields.stem_fr, fr.clone()), (fields.stem_en, en.clone())]
        }),
        _ => None,
    })
}

/// Adds to `counts` the occurrences of `words` in a row, in `field`, in
/// each of `docs` (sorted). One word: its term frequency, no positions
/// read. Several: the first word's positions `p` where word `k` is at
/// `p + k` for every `k`.
fn count_sequence(
    reader: &SegmentReader,
    field: Field,
    words: &[String],
    docs: &[DocId],
    counts: &mut [usize],
) -> Result<()> {
    if words.is_empty() {
        return Ok(());
    }
    let inverted = reader.inverted_index(field)?;
    let option = if words.len() == 1 {
        IndexRecordOption::WithFreqs
    } else {
        IndexRecordOption::WithFreqsAndPositions
    };
    let mut lists = Vec::with_capacity(words.len());
    for w in words {
        let term = Term::from_field_text(field, w);
        match inverted
            .read_postings(&term, option)
            .map_err(TantivyError::from)?
        {
            Some(p) => lists.push(p),
            None => return Ok(()),
        }
    }
    let (mut starts, mut other) = (Vec::new(), Vec::new());
    for (i, &doc) in docs.iter().enumerate() {
        let mut present = true;
        for p in &mut lists {
            if p.doc() < doc {
                p.seek(doc);
            }
            present &= p.doc() == doc;
        }
        if !present {
            continue;
        }
        if let [only] = lists.as_slice() {
            counts[i] += only.term_freq() as usize;
            continue;
        }
        lists[0].positions(&mut starts);
        for (k, p) in lists.iter_mut().enumerate().skip(1) {
            p.positions(&mut other);
            starts.retain(|s| other.binary_search(&(s + k as u32)).is_ok());
        }
        counts[i] += starts.len();
    }
    Ok(())
}

/// Returns every term of `field` starting with `prefix`.
fn expand(reader: &SegmentReader, field: Field, prefix: &str) -> Result<Vec<String>> {
    let inverted = reader.inverted_index(field)?;
    let mut stream = inverted
        .terms()
        .range()
        .ge(prefix.as_bytes())
        .into_stream()
        .map_err(TantivyError::from)?;
    let mut out = Vec::new();
    while stream.advance() {
        let Ok(key) = std::str::from_utf8(stream.key()) else {
            continue;
        };
        if !key.starts_with(prefix) {
            break;
        }
        out.push(key.to_owned());
    }
    Ok(out)
}

/// Returns the number of hits of `query` in each of `docs` (sorted ids of
/// one index segment), in order; `stemming_of` tells each document's
/// stemmer.
pub(crate) fn count_hits(
    reader: &SegmentReader,
    fields: PostingFields,
    query: &Query,
    docs: &[DocId],
    stemming_of: &dyn Fn(DocId) -> Stemming,
) -> Result<Vec<usize>> {
    if let Some(sequences) = sequences(query.root(), reader, fields)? {
        let mut counts = vec![0; docs.len()];
        for (field, words) in &sequences {
            count_sequence(reader, *field, words, docs, &mut counts)?;
        }
        return Ok(counts);
    }
    let mut forms = Forms::default();
    collect(query.root(), &mut forms);
    let mut exact: BTreeSet<String> = forms.exact.clone();
    for p in &forms.prefixes {
        exact.extend(expand(reader, fields.exact, p)?);
    }
    let mut sparse = Sparse::new();
    for form in &exact {
        let term = Term::from_field_text(fields.exact, form);
        read_term(reader, &term, docs, false, &mut sparse)?;
    }
    for (field, stems) in [(fields.stem_fr, &forms.fr), (fields.stem_en, &forms.en)] {
        for form in stems {
            let term = Term::from_field_text(field, form);
            read_term(reader, &term, docs, true, &mut sparse)?;
        }
    }
    Ok(docs
        .iter()
        .map(|doc| {
            let tokens: Vec<Token> = sparse
                .remove(doc)
                .unwrap_or_default()
                .into_iter()
                .map(|(p, slot)| {
                    let p = p as usize;
                    Token {
                        exact: slot.exact,
                        stem: slot.stem,
                        position: p,
                        from: p,
                        to: p + 1,
                    }
                })
                .collect();
            query.matches(&tokens, stemming_of(*doc)).len()
        })
        .collect())
}
