//! From a query to KWIC hits: candidates from the index, exact matching on
//! the study's text, the filters the index cannot apply (speaker roles,
//! participant attributes, coded passages), and the concordance lines.
//!
//! Offsets: the analyzer reports byte offsets within a segment; they are
//! turned into char offsets of the source here, once, and everything
//! returned counts chars (plus UTF-16 units for browsers).

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;
use verbatim_core::{OffsetTable, Span};
use verbatim_store::{CodingFilter, Codings, Scope, Transcripts};

use crate::analysis::{Analyzers, Stemming};
use crate::error::{Result, SearchError};
use crate::index::{Candidate, Index, IndexFilter};
use crate::query::Query;

/// Whose speech to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// Everything, including text outside turns.
    #[default]
    All,
    /// Turns of participants (and of labels not mapped to anyone).
    Participants,
    /// Turns of interviewers.
    Interviewers,
}

/// What to search in.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only these source kinds (`focus-group` and `focus_group` both work).
    pub kinds: Vec<String>,
    /// Only these sites (name as stored on the source).
    pub sites: Vec<String>,
    /// Only turns with these speaker labels.
    pub speakers: Vec<String>,
    /// Whose speech.
    pub role: Role,
    /// Only participants with these attribute values (`name`, `value`),
    /// compared ignoring case and accents.
    pub attributes: Vec<(String, String)>,
    /// Only inside these passages: source id → char ranges.
    pub within: Option<HashMap<i64, Vec<(usize, usize)>>>,
    /// Include context-only sources.
    pub include_context: bool,
}

/// One occurrence of the query, with its concordance line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Hit {
    /// The source's id.
    pub source_id: i64,
    /// The source's name.
    pub source: String,
    /// The turn's speaker label (`None` outside turns).
    pub speaker: Option<String>,
    /// The participant code the label maps to, if any.
    pub participant: Option<String>,
    /// `participant`, `interviewer`, `unmapped`, `ambiguous` or `none`.
    pub role: String,
    /// First char of the hit in the source.
    pub start: usize,
    /// Char just past the hit.
    pub end: usize,
    /// The same span in UTF-16 code units, for browsers.
    pub utf16_start: usize,
    /// End of the span in UTF-16 code units.
    pub utf16_end: usize,
    /// Up to N chars before the hit.
    pub left: String,
    /// The hit's text.
    pub text: String,
    /// Up to N chars after the hit.
    pub right: String,
    /// The segment (turn) the hit is in: first char.
    pub turn_start: usize,
    /// The segment's end char.
    pub turn_end: usize,
}

/// How to order hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// By source, then position.
    #[default]
    Source,
    /// By the words before the hit, nearest first.
    Left,
    /// By the words after the hit.
    Right,
}

/// Returns a kind as the store spells it (`focus-group` → `focus_group`).
pub fn store_kind(kind: &str) -> String {
    kind.trim().to_lowercase().replace(['-', ' '], "_")
}

struct Loaded {
    name: String,
    text: String,
    table: OffsetTable,
    stemming: Stemming,
    /// Turn start char → speaker label.
    labels: HashMap<usize, String>,
}

/// Who a `(source, label)` is.
#[derive(Debug, Clone)]
struct Who {
    role: String,
    participant: Option<String>,
    participant_id: Option<i64>,
}

fn fold_eq(a: &str, b: &str) -> bool {
    crate::analysis::fold(a.trim()) == crate::analysis::fold(b.trim())
}

/// Runs a query over an up-to-date index and returns its hits, ordered by
/// source and position, each with `context` chars of context either side.
pub fn search(
    store: &dyn Transcripts,
    index: &Index,
    query: &Query,
    filters: &Filters,
    context: usize,
) -> Result<Vec<Hit>> {
    let candidates = index.candidates(query, &index_filter(store, filters)?)?;
    exact_hits(store, query, filters, &candidates, context)
}

/// One page of a search's hits, with the count of them all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HitPage {
    /// Every hit the filters keep.
    pub total: usize,
    /// Distinct sources with a kept hit.
    pub sources: usize,
    /// Hits skipped before this page.
    pub offset: usize,
    /// At most `limit` hits from `offset`, by source and position.
    pub hits: Vec<Hit>,
}

impl HitPage {
    /// Returns the page `offset..offset + limit` of hits already found.
    pub fn of(hits: Vec<Hit>, offset: usize, limit: usize) -> Self {
        let sources: HashSet<i64> = hits.iter().map(|h| h.source_id).collect();
        Self {
            total: hits.len(),
            sources: sources.len(),
            offset,
            hits: hits.into_iter().skip(offset).take(limit).collect(),
        }
    }
}

/// Returns the hits `offset..offset + limit`, by source and position, and
/// the count of all, reading the study's text only for the segments on
/// the page: every segment's hits are counted from the index's word
/// positions. With a coded-passage filter (`within`), which needs each
/// hit's chars, every hit is cut from the text as [`search`] does.
pub fn search_page(
    store: &dyn Transcripts,
    index: &Index,
    query: &Query,
    filters: &Filters,
    context: usize,
    (offset, limit): (usize, usize),
) -> Result<HitPage> {
    if filters.within.is_some() {
        let all = search(store, index, query, filters, context)?;
        return Ok(HitPage::of(all, offset, limit));
    }
    let by_speaker = filters.role != Role::All || !filters.attributes.is_empty();
    let found = index.found(query, &index_filter(store, filters)?, by_speaker)?;
    let (who, allowed) = if by_speaker {
        // The labels come from the index: no count of the study's turns.
        let labels: BTreeSet<(i64, &str)> = found
            .iter()
            .filter_map(|f| Some((f.candidate.source, f.speaker.as_deref()?)))
            .collect();
        let labels = labels.into_iter().map(|(s, l)| (s, l.to_owned()));
        (
            who_map(store.label_roles(labels.collect())?),
            allowed_participants(store, filters)?,
        )
    } else {
        (HashMap::new(), None)
    };
    let mut total = 0usize;
    let mut sources = HashSet::new();
    let mut on_page = Vec::new();
    let mut skip = 0usize;
    for f in found {
        if f.hits == 0 {
            continue;
        }
        if by_speaker {
            let mapped = f
                .speaker
                .as_ref()
                .and_then(|l| who.get(&f.candidate.source)?.get(l));
            if keeps(filters, allowed.as_ref(), f.speaker.as_ref(), mapped).is_none() {
                continue;
            }
        }
        let end = total + f.hits;
        if end > offset && total < offset.saturating_add(limit) {
            if on_page.is_empty() {
                skip = offset.saturating_sub(total);
            }
            on_page.push(f.candidate);
        }
        total = end;
        sources.insert(f.candidate.source);
    }
    let hits = exact_hits(store, query, filters, &on_page, context)?;
    Ok(HitPage {
        total,
        sources: sources.len(),
        offset,
        hits: hits.into_iter().skip(skip).take(limit).collect(),
    })
}

fn index_filter(store: &dyn Transcripts, filters: &Filters) -> Result<IndexFilter> {
    Ok(IndexFilter {
        kinds: filters.kinds.iter().map(|k| store_kind(k)).collect(),
        sites: site_values(store, &filters.sites)?,
        speakers: filters.speakers.clone(),
        exclude_context: !filters.include_context,
    })
}

/// Above this many sources, study-wide reads beat one read per source.
const PER_SOURCE_READS: usize = 64;

/// Who each speaker label is: source id → label → who.
type WhoMap = HashMap<i64, HashMap<String, Who>>;

/// Returns who each speaker label of `sources` is.
fn who_of(store: &dyn Transcripts, sources: &BTreeSet<i64>) -> Result<WhoMap> {
    let rows = if sources.len() > PER_SOURCE_READS {
        store.speakers(None)?
    } else {
        let mut rows = Vec::new();
        for s in sources {
            rows.extend(store.speakers(Some(*s))?);
        }
        rows
    };
    Ok(who_map(rows))
}

fn who_map(rows: Vec<verbatim_store::SpeakerRow>) -> WhoMap {
    let mut out: WhoMap = HashMap::new();
    for s in rows {
        out.entry(s.source_id).or_default().insert(
            s.label,
            Who {
                role: s.role,
                participant: s.participant,
                participant_id: s.participant_id,
            },
        );
    }
    out
}

/// Returns the name and language of each of `sources`.
fn names_of(
    store: &dyn Transcripts,
    sources: &BTreeSet<i64>,
) -> Result<HashMap<i64, (String, Option<String>)>> {
    let all = if sources.len() > PER_SOURCE_READS {
        store.sources()?
    } else {
        let mut rows = Vec::new();
        for s in sources {
            rows.push(store.source_summary(*s)?);
        }
        rows
    };
    Ok(all
        .into_iter()
        .map(|s| (s.id, (s.name, s.language)))
        .collect())
}

/// Returns the participants the attribute filters keep (`None`: all).
fn allowed_participants(
    store: &dyn Transcripts,
    filters: &Filters,
) -> Result<Option<HashSet<i64>>> {
    if filters.attributes.is_empty() {
        return Ok(None);
    }
    let wanted = &filters.attributes;
    Ok(Some(
        store
            .participants()?
            .into_iter()
            .filter(|p| {
                wanted.iter().all(|(name, value)| {
                    p.values
                        .iter()
                        .any(|(n, v)| fold_eq(n, name) && fold_eq(v, value))
                })
            })
            .map(|p| p.id)
            .collect(),
    ))
}

/// Returns the role of a segment's speaker when the role and attribute
/// filters keep it, `None` when they leave it out.
fn keeps(
    filters: &Filters,
    allowed: Option<&HashSet<i64>>,
    label: Option<&String>,
    mapped: Option<&Who>,
) -> Option<String> {
    let role = match (label, mapped) {
        (None, _) => "none".to_owned(),
        (Some(_), Some(w)) => w.role.clone(),
        (Some(_), None) => "unmapped".to_owned(),
    };
    let is_interviewer = role == "interviewer";
    let keep_role = match filters.role {
        Role::All => true,
        Role::Participants => label.is_some() && !is_interviewer,
        Role::Interviewers => is_interviewer,
    };
    if !keep_role {
        return None;
    }
    if let Some(allowed) = allowed
        && !mapped
            .and_then(|w| w.participant_id)
            .is_some_and(|id| allowed.contains(&id))
    {
        return None;
    }
    Some(role)
}

/// Cuts the hits of `candidates` from the study's text: exact matching,
/// the speaker and passage filters, KWIC lines.
fn exact_hits(
    store: &dyn Transcripts,
    query: &Query,
    filters: &Filters,
    candidates: &[Candidate],
    context: usize,
) -> Result<Vec<Hit>> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let sources: BTreeSet<i64> = candidates.iter().map(|c| c.source).collect();
    let who = who_of(store, &sources)?;
    let summaries = names_of(store, &sources)?;
    let allowed = allowed_participants(store, filters)?;
    let study_lang = store.study()?.language;
    let mut analyzers = Analyzers::default();
    let mut loaded: HashMap<i64, Loaded> = HashMap::new();
    let mut hits = Vec::new();
    for cand in candidates {
        if let std::collections::hash_map::Entry::Vacant(slot) = loaded.entry(cand.source) {
            let (name, lang) = summaries.get(&cand.source).cloned().unwrap_or_default();
            let lang = lang.or_else(|| study_lang.clone());
            let (text, table, turns) = store.text_and_turns(cand.source)?;
            let labels = turns
                .iter()
                .filter_map(|t| Some((usize::try_from(t.start).unwrap_or(0), t.speaker.clone()?)))
                .collect();
            slot.insert(Loaded {
                name,
                stemming: Stemming::for_language(lang.as_deref()),
                text,
                table,
                labels,
            });
        }
        let Some(src) = loaded.get(&cand.source) else {
            continue;
        };
        let (Some(b0), Some(b1)) = (
            src.table.byte_of(&src.text, cand.start),
            src.table.byte_of(&src.text, cand.end),
        ) else {
            continue;
        };
        let seg_text = &src.text[b0..b1];
        // The label: the turn starting here, if any.
        let label = src.labels.get(&cand.start).cloned();
        let mapped = label.as_ref().and_then(|l| who.get(&cand.source)?.get(l));
        let Some(role) = keeps(filters, allowed.as_ref(), label.as_ref(), mapped) else {
            continue;
        };
        let tokens = analyzers.tokens(seg_text, src.stemming);
        let spans = query.matches(&tokens, src.stemming);
        if spans.is_empty() {
            continue;
        }
        // Byte offsets within the segment → char offsets in the source.
        let mut char_at = 0usize;
        let mut byte_at = 0usize;
        let mut to_char = |b: usize| {
            char_at += seg_text[byte_at..b].chars().count();
            byte_at = b;
            cand.start + char_at
        };
        let mut char_spans = Vec::with_capacity(spans.len());
        for (a, b) in spans.iter().copied() {
            // Spans are sorted by start; ends may go back for nested spans,
            // which `matches` removed, so both walks only move forward.
            let s = to_char(a);
            let e = to_char(b);
            char_spans.push((s, e));
        }
        for (s, e) in char_spans {
            if let Some(within) = &filters.within {
                let inside = within
                    .get(&cand.source)
                    .is_some_and(|r| r.iter().any(|&(a, b)| a <= s && e <= b));
                if !inside {
                    continue;
                }
            }
            hits.push(kwic(
                src,
                cand.source,
                (s, e),
                context,
                &label,
                mapped,
                &role,
                cand,
            ));
        }
    }
    Ok(hits)
}

#[allow(clippy::too_many_arguments)]
fn kwic(
    src: &Loaded,
    source_id: i64,
    (s, e): (usize, usize),
    context: usize,
    label: &Option<String>,
    mapped: Option<&Who>,
    role: &str,
    cand: &Candidate,
) -> Hit {
    let total = src.table.chars();
    let slice = |a: usize, b: usize| -> String {
        Span::new(a, b)
            .ok()
            .and_then(|sp| src.table.slice(&src.text, sp))
            .unwrap_or_default()
            .to_owned()
    };
    Hit {
        source_id,
        source: src.name.clone(),
        speaker: label.clone(),
        participant: mapped.and_then(|w| w.participant.clone()),
        role: role.to_owned(),
        start: s,
        end: e,
        utf16_start: src.table.utf16_of(&src.text, s).unwrap_or(0),
        utf16_end: src.table.utf16_of(&src.text, e).unwrap_or(0),
        left: slice(s.saturating_sub(context), s),
        text: slice(s, e),
        right: slice(e, (e + context).min(total)),
        turn_start: cand.start,
        turn_end: cand.end,
    }
}

fn site_values(store: &dyn Transcripts, sites: &[String]) -> Result<Vec<String>> {
    // A site may be named by its name or its code; sources store what the
    // importer was given, so search for both spellings.
    let mut out = Vec::new();
    for word in sites {
        out.push(word.clone());
        if let Some(site) = store.find_site(word)? {
            out.push(site.name.clone());
            out.push(site.code.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Returns the passages coded with `code` or its descendants in the
/// scope's own layer (or `coder`'s, where the scope may see it): source id
/// → char ranges.
pub fn coded_ranges(
    store: &dyn Codings,
    scope: &Scope,
    code: i64,
    coder: Option<i64>,
) -> Result<HashMap<i64, Vec<(usize, usize)>>> {
    let filter = CodingFilter {
        code: Some(code),
        coder: Some(coder.unwrap_or(scope.coder().id)),
        ..CodingFilter::default()
    };
    let mut out: HashMap<i64, Vec<(usize, usize)>> = HashMap::new();
    for c in store.codings(scope, &filter)? {
        out.entry(c.source_id).or_default().push((
            usize::try_from(c.start).unwrap_or(0),
            usize::try_from(c.end).unwrap_or(0),
        ));
    }
    Ok(out)
}

/// Orders hits in place.
pub fn sort_hits(hits: &mut [Hit], key: SortKey) {
    let fold = |s: &str| crate::analysis::fold(s);
    match key {
        SortKey::Source => hits.sort_by_key(|h| (h.source_id, h.start)),
        SortKey::Right => {
            hits.sort_by_cached_key(|h| (fold(h.right.trim_start()), h.source_id, h.start));
        }
        SortKey::Left => hits.sort_by_cached_key(|h| {
            let words: Vec<String> = h.left.split_whitespace().rev().map(fold).collect();
            (words, h.source_id, h.start)
        }),
    }
}

/// What a search hit codes when auto-coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// The matched words.
    Hit,
    /// The sentence around the hit, within its turn.
    Sentence,
    /// The paragraph around the hit, within its turn.
    Paragraph,
    /// The whole turn (or segment outside turns).
    Turn,
}

impl std::str::FromStr for Unit {
    type Err = SearchError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "hit" => Ok(Unit::Hit),
            "sentence" => Ok(Unit::Sentence),
            "paragraph" => Ok(Unit::Paragraph),
            "turn" => Ok(Unit::Turn),
            other => Err(SearchError::Invalid(format!(
                "unknown unit {other:?}: use hit, sentence, paragraph or turn"
            ))),
        }
    }
}

/// Returns the char span a hit's unit covers in its source text.
///
/// Sentences end at `.`, `!`, `?` or `…` followed by a space, or at a line
/// end; paragraphs at a blank line; both stay inside the hit's turn and are
/// trimmed of surrounding spaces.
pub fn unit_span(text: &str, hit: &Hit, unit: Unit) -> Option<Span> {
    let (s, e) = match unit {
        Unit::Hit => (hit.start, hit.end),
        Unit::Turn => (hit.turn_start, hit.turn_end),
        Unit::Sentence | Unit::Paragraph => {
            let turn: Vec<char> = text
                .chars()
                .skip(hit.turn_start)
                .take(hit.turn_end - hit.turn_start)
                .collect();
            let (hs, he) = (hit.start - hit.turn_start, hit.end - hit.turn_start);
            let ends_before = |i: usize| -> bool {
                // true when a unit boundary lies just before char i
                match unit {
                    Unit::Paragraph => i >= 2 && turn[i - 1] == '\n' && turn[i - 2] == '\n',
                    _ => {
                        i >= 1
                            && (turn[i - 1] == '\n'
                                || (i >= 2
                                    && turn[i - 1].is_whitespace()
                                    && matches!(turn[i - 2], '.' | '!' | '?' | '…')))
                    }
                }
            };
            let mut a = hs;
            while a > 0 && !ends_before(a) {
                a -= 1;
            }
            let mut b = he;
            while b < turn.len() && !ends_before(b + 1) {
                b += 1;
            }
            while a < b && turn[a].is_whitespace() {
                a += 1;
            }
            while b > a && turn[b - 1].is_whitespace() {
                b -= 1;
            }
            (hit.turn_start + a, hit.turn_start + b)
        }
    };
    Span::new(s, e).ok().filter(|sp| !sp.is_empty())
}

/// Returns `(source, span)` of every hit's unit, reading each source's
/// text once; hits whose unit is empty are left out. What `verbatim search
/// --autocode` and the web's "code all hits" code.
pub fn unit_spans(store: &dyn Transcripts, hits: &[Hit], unit: Unit) -> Result<Vec<(i64, Span)>> {
    let mut texts: HashMap<i64, String> = HashMap::new();
    let mut spans = Vec::with_capacity(hits.len());
    for h in hits {
        if let std::collections::hash_map::Entry::Vacant(slot) = texts.entry(h.source_id) {
            slot.insert(store.source_text(h.source_id)?);
        }
        if let Some(span) = texts
            .get(&h.source_id)
            .and_then(|text| unit_span(text, h, unit))
        {
            spans.push((h.source_id, span));
        }
    }
    Ok(spans)
}
