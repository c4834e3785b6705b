//! A coding query answered from the study: each name resolved to codes
//! (every visible code so named, one per codebook after reveal, else the
//! code `find_code` resolves) rolled up with their descendants, passages
//! narrowed by site, kind and attribute values, then handed to
//! `verbatim_analysis::query`. Written against `AnalysisReads`, so a file
//! and a PostgreSQL study answer alike.

use std::collections::HashSet;

use verbatim_analysis::query::{self, Context, Coverage, Passage, Query, QueryError};
use verbatim_store::{AnalysisReads, AppliesTo, Scope, SpanFilter, StoreError};

use crate::{ViewError, coded};

/// What narrows a query's passages.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filters<'a> {
    /// AND returns the overlapping passages whole.
    pub whole: bool,
    /// Only sources of this site (name or code).
    pub site: Option<&'a str>,
    /// Only sources of this kind.
    pub kind: Option<&'a str>,
    /// Only passages of participants (or in sources) with each
    /// `(NAME, VALUE)`, compared without regard to case.
    pub attributes: &'a [(String, String)],
    /// Search sources of kind `context` too.
    pub include_context: bool,
}

/// Returns each code name of the query with the codes it stands for.
pub fn code_sets(
    store: &dyn AnalysisReads,
    scope: &Scope,
    parsed: &Query,
) -> Result<Vec<(String, Vec<i64>)>, ViewError> {
    let visible = store.visible_codes(scope)?;
    let mut sets: Vec<(String, Vec<i64>)> = Vec::new();
    for (name, position) in parsed.code_names() {
        let mut ids: Vec<i64> = visible
            .iter()
            .filter(|c| c.name == name)
            .map(|c| c.id)
            .collect();
        if ids.is_empty() {
            ids = visible
                .iter()
                .filter(|c| c.name.to_lowercase() == name.to_lowercase())
                .map(|c| c.id)
                .collect();
        }
        if ids.is_empty() {
            match store.find_code(scope, &name, None) {
                Ok(id) => ids.push(id),
                Err(StoreError::Invalid(why)) => return Err(StoreError::Invalid(why).into()),
                Err(_) => return Err(QueryError::UnknownCode { name, position }.into()),
            }
        }
        // One name is one code in each coder's codebook (compared after
        // `reveal`); the same name at two places of a tree is two codes,
        // named apart by their paths.
        let mut paths: Vec<String> = Vec::new();
        for &id in &ids {
            let path = store.code_path(id)?;
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        if paths.len() > 1 {
            paths.sort();
            return Err(StoreError::Invalid(format!(
                "{name:?} at character {} names codes at {} places: {}; write the path in quotes (\"Parent/Child\")",
                position + 1,
                paths.len(),
                paths.join(", ")
            ))
            .into());
        }
        let mut all = Vec::new();
        for id in ids {
            all.extend(store.code_descendants(id)?);
        }
        sets.push((name, all));
    }
    Ok(sets)
}

/// Returns the passages answering `parsed` with the codings the scope
/// sees, by source and position.
pub fn answer(
    store: &dyn AnalysisReads,
    scope: &Scope,
    parsed: &Query,
    filters: &Filters<'_>,
) -> Result<Vec<Passage>, ViewError> {
    let sets = code_sets(store, scope, parsed)?;
    let codes = coded::distinct(sets.iter().flat_map(|(_, v)| v.iter().copied()));
    let spans = coded::spans(
        store,
        scope,
        &SpanFilter {
            codes: Some(codes),
            coder: None,
            include_context: filters.include_context,
        },
    )?;
    let turns = coded::turns(store, filters.include_context)?;

    let Narrowing {
        sources: keep_sources,
        speakers: speakers_wanted,
    } = narrowing(store, filters)?;

    let mut ctx = Context {
        whole: filters.whole,
        ..Context::default()
    };
    for (name, set) in &sets {
        let set: HashSet<i64> = set.iter().copied().collect();
        let mut cov = Coverage::from_spans(
            spans
                .iter()
                .filter(|s| set.contains(&s.code))
                .map(|s| (s.source, s.start, s.end)),
        );
        if let Some(keep) = &keep_sources {
            cov.retain_sources(|s| keep.contains(&s));
        }
        ctx.codes.insert(name.clone(), cov);
    }
    let involved: HashSet<i64> = spans.iter().map(|s| s.source).collect();
    for &source in &involved {
        if parsed.uses_near() {
            ctx.words
                .insert(source, query::word_starts(&store.source_text(source)?));
        }
        ctx.turns.insert(source, turns.spans(source));
    }
    let mut passages = parsed.evaluate(&ctx)?;
    if let Some(who) = &speakers_wanted {
        passages.retain(|p| {
            let mut hit = false;
            turns.speakers(p.source, p.start, p.end, |q| hit |= who.contains(&q));
            hit
        });
    }
    Ok(passages)
}

/// What the filters keep: the sources (site, kind, source attributes) and
/// the participants whose turns a passage must touch (participant
/// attributes); `None` keeps all.
struct Narrowing {
    sources: Option<HashSet<i64>>,
    speakers: Option<HashSet<i64>>,
}

/// Reads the filters against the study.
fn narrowing(store: &dyn AnalysisReads, filters: &Filters<'_>) -> Result<Narrowing, ViewError> {
    let facts = store.source_facts()?;
    let mut keep_sources: Option<HashSet<i64>> = None;
    let mut narrow = |ids: HashSet<i64>| {
        keep_sources = Some(match keep_sources.take() {
            Some(k) => k.intersection(&ids).copied().collect(),
            None => ids,
        });
    };
    if let Some(site) = filters.site {
        let found = store.find_site(site)?;
        let matches = |s: &str| {
            s.eq_ignore_ascii_case(site.trim())
                || found.as_ref().is_some_and(|f| {
                    s.eq_ignore_ascii_case(&f.name) || s.eq_ignore_ascii_case(&f.code)
                })
        };
        narrow(
            facts
                .iter()
                .filter(|f| f.site.as_deref().is_some_and(matches))
                .map(|f| f.id)
                .collect(),
        );
    }
    if let Some(kind) = filters.kind {
        narrow(
            facts
                .iter()
                .filter(|f| f.kind.eq_ignore_ascii_case(kind.trim()))
                .map(|f| f.id)
                .collect(),
        );
    }
    let mut speakers_wanted: Option<HashSet<i64>> = None;
    for (name, value) in filters.attributes {
        // Values are read by the attribute's stored name: SQLite compares
        // names without regard to case, PostgreSQL exactly.
        let stored = |applies| -> Result<Option<String>, ViewError> {
            Ok(store
                .attributes(applies)?
                .into_iter()
                .find(|a| a.name.eq_ignore_ascii_case(name))
                .map(|a| a.name))
        };
        if let Some(name) = stored(AppliesTo::Participant)? {
            let who: HashSet<i64> = store
                .participant_values_of(&name)?
                .into_iter()
                .filter(|(_, v)| v.eq_ignore_ascii_case(value))
                .map(|(k, _)| k)
                .collect();
            speakers_wanted = Some(match speakers_wanted.take() {
                Some(k) => k.intersection(&who).copied().collect(),
                None => who,
            });
        } else if let Some(name) = stored(AppliesTo::Source)? {
            narrow(
                store
                    .source_values_of(&name)?
                    .into_iter()
                    .filter(|(_, v)| v.eq_ignore_ascii_case(value))
                    .map(|(k, _)| k)
                    .collect(),
            );
        } else {
            return Err(ViewError::UnknownAttribute { name: name.clone() });
        }
    }
    Ok(Narrowing {
        sources: keep_sources,
        speakers: speakers_wanted,
    })
}
