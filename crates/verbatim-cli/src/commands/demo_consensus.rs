//! The demo study's consensus: the team reveals its layers and reconciles.
//!
//! After the three coders coded blind (`demo_coding`), one of them reveals
//! the study and the team builds its consensus codebook: merges of the
//! themes that match across coders (some across all three), a further
//! coder's theme joined to a consensus code (`--into`), a divergent theme
//! kept apart with its note, and a passage accepted into the consensus.
//! The decisions are hand-authored data (`demo/consensus.json`, embedded at
//! build time), applied through the store API `verbatim reconcile` uses, so
//! the consensus passages come from several coders, as on a real team.

use std::collections::HashMap;

use anyhow::{Context, bail};
use serde::Deserialize;
use verbatim_store::{Book, Scope, SqliteStore, Verdict};

/// The whole file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsensusData {
    /// The coder who reveals the study.
    revealed_by: String,
    /// The coder who records the team's decisions.
    decided_by: String,
    merges: Vec<Merge>,
    #[serde(default)]
    into: Vec<Join>,
    #[serde(default)]
    keeps: Vec<Keep>,
    #[serde(default)]
    passages: Vec<PassageDecision>,
}

/// A coder's code: `[coder, code name]`.
type CoderCode = (String, String);

/// Several coders' codes made one consensus code.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Merge {
    name: String,
    codes: Vec<CoderCode>,
    note: String,
}

/// Further codes joined to an existing consensus code.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Join {
    into: String,
    codes: Vec<CoderCode>,
    note: String,
}

/// A coder's code kept apart, with why.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Keep {
    coder: String,
    code: String,
    note: String,
}

/// A passage accepted into a consensus code.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PassageDecision {
    shared: String,
    /// The manifest's file name of the source.
    source: String,
    /// The passage, exactly as it reads in the imported text.
    text: String,
    origins: Vec<CoderCode>,
    note: String,
}

/// What the team decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsensusSummary {
    /// Consensus codes made.
    pub codes: usize,
    /// Decisions recorded.
    pub decisions: usize,
}

/// Reveals the study and records the team's decisions described by `json`;
/// `sources` maps manifest file names to the imported source ids.
pub fn apply(
    store: &mut SqliteStore,
    json: &str,
    sources: &HashMap<String, i64>,
) -> anyhow::Result<ConsensusSummary> {
    let data: ConsensusData =
        serde_json::from_str(json).context("the bundled demo consensus data is malformed")?;
    store.reveal(&data.revealed_by)?;
    let scope = store.scope(&data.decided_by, true, false)?;
    let mut decisions = 0;
    for m in &data.merges {
        let ids = codes_of(store, &scope, &m.codes)?;
        store
            .reconcile_merge_codes(&scope, &ids, Some(&m.name), None, Some(&m.note))
            .with_context(|| format!("merging into {:?}", m.name))?;
        decisions += 1;
    }
    for m in &data.into {
        let ids = codes_of(store, &scope, &m.codes)?;
        let target = store.find_code(&scope, &m.into, Some(Book::Shared))?;
        store
            .reconcile_merge_into(&scope, target, &ids, Some(&m.note))
            .with_context(|| format!("joining codes to {:?}", m.into))?;
        decisions += 1;
    }
    for k in &data.keeps {
        let [id] = codes_of(store, &scope, &[(k.coder.clone(), k.code.clone())])?[..] else {
            bail!("keeping {:?}: one code expected", k.code);
        };
        store.reconcile_keep(&scope, id, &k.note)?;
        decisions += 1;
    }
    for p in &data.passages {
        let Some(&source) = sources.get(&p.source) else {
            bail!("the demo has no imported source {:?}", p.source);
        };
        let span = store.locate(source, &p.text, None)?.span;
        let shared = store.find_code(&scope, &p.shared, Some(Book::Shared))?;
        let origins = codes_of(store, &scope, &p.origins)?;
        store
            .reconcile_passage(
                &scope,
                Verdict::Accept,
                source,
                span,
                Some(shared),
                &origins,
                Some(&p.note),
            )
            .with_context(|| format!("accepting a passage of {} into {:?}", p.source, p.shared))?;
        decisions += 1;
    }
    Ok(ConsensusSummary {
        codes: store.code_tree(&scope, Book::Shared)?.len(),
        decisions,
    })
}

/// Returns the ids of coders' codes named `[coder, code]`.
fn codes_of(store: &SqliteStore, scope: &Scope, codes: &[CoderCode]) -> anyhow::Result<Vec<i64>> {
    codes
        .iter()
        .map(|(who, name)| {
            let coder = store
                .coder_by_name(who)?
                .with_context(|| format!("the demo consensus names an unknown coder {who:?}"))?;
            store
                .find_code(scope, name, Some(Book::Of(coder.id)))
                .with_context(|| format!("{who} has no code {name:?} in the demo"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_data_reads() {
        let data: ConsensusData =
            serde_json::from_str(include_str!("../../demo/consensus.json")).unwrap();
        // At least one merge joins all three coders.
        assert!(data.merges.iter().any(|m| m.codes.len() == 3));
        assert!(!data.keeps.is_empty() && !data.passages.is_empty());
    }
}
