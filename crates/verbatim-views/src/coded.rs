//! Coded spans, speaker turns and participant names as the analyses take
//! them: the three reads every coding query, matrix and co-occurrence
//! table starts from; and the analytic part of a code tree, which results
//! count.
//!
//! A turn whose label maps to no participant is owned by one person per
//! source (`speakers::unmapped_id`), so a matrix counts the `[Interviewé]`
//! of three interviews as three participants, named as unmapped. The
//! reads go through `AnalysisReads`, so they work on either backend.

use std::collections::HashMap;

use verbatim_analysis::matrix::{CodedSpan, OwnedTurn, Turns};
use verbatim_store::{AnalysisReads, CodeKind, CodeNode, Scope, SpanFilter, StoreError};

use crate::speakers::{unmapped_id, unmapped_name};

/// Returns the spans the scope sees that `filter` keeps.
pub fn spans(
    store: &dyn AnalysisReads,
    scope: &Scope,
    filter: &SpanFilter,
) -> Result<Vec<CodedSpan>, StoreError> {
    Ok(store
        .coding_spans(scope, filter)?
        .into_iter()
        .map(|s| CodedSpan {
            source: s.source_id,
            code: s.code_id,
            coder: s.coder_id,
            start: s.start,
            end: s.end,
        })
        .collect())
}

/// Returns the speaker turns indexed for participant attribution: a turn
/// of an unmapped label is owned by that label's person in its source.
pub fn turns(store: &dyn AnalysisReads, include_context: bool) -> Result<Turns, StoreError> {
    Ok(Turns::new(
        store
            .turn_owners(include_context)?
            .into_iter()
            .map(|t| OwnedTurn {
                source: t.source_id,
                start: t.start,
                end: t.end,
                participant: match (t.participant_id, t.interviewer) {
                    (Some(p), _) => Some(p),
                    (None, true) => None,
                    (None, false) => Some(unmapped_id(t.source_id, &t.label)),
                },
            }),
    ))
}

/// Returns the participants' display names (code, else label), by id,
/// with the people unmapped labels stand for under the ids [`turns`] gives
/// them.
pub fn participant_names(store: &dyn AnalysisReads) -> Result<HashMap<i64, String>, StoreError> {
    let mut names: HashMap<i64, String> = store
        .participants()?
        .into_iter()
        .map(|p| (p.id, p.display()))
        .collect();
    for row in store.speakers(None)? {
        if row.participant_id.is_none() && row.role != "interviewer" {
            names.insert(
                unmapped_id(row.source_id, &row.label),
                unmapped_name(&row.label, &row.source),
            );
        }
    }
    Ok(names)
}

/// Returns `tree` without its structural codes (interview-guide questions
/// and the like): the codes triangulation, IPA tables, confrontation,
/// prevalence and saturation count as results. Queries and matrices keep
/// the whole tree.
pub fn analytic_only(mut tree: Vec<CodeNode>) -> Vec<CodeNode> {
    tree.retain(|n| n.kind == CodeKind::Analytic);
    tree
}

/// Returns `ids` sorted without repeats: the codes a span filter takes.
pub fn distinct(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut codes: Vec<i64> = ids.into_iter().collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

#[cfg(test)]
mod tests {
    use verbatim_store::CodeFields;

    use super::*;

    fn node(id: i64, name: &str, kind: CodeKind) -> CodeNode {
        CodeNode {
            id,
            guid: format!("g{id}"),
            name: name.into(),
            level: 3,
            level_name: "theme".into(),
            owner: Some(1),
            parent: None,
            also_under: vec![],
            position: id,
            kind,
            fields: CodeFields::default(),
            codings: 0,
            sources: 0,
            codings_total: 0,
            sources_total: 0,
        }
    }

    #[test]
    fn analytic_only_drops_the_structural_codes_and_keeps_the_order() {
        let tree = vec![
            node(1, "Confiance", CodeKind::Analytic),
            node(2, "Guide", CodeKind::Structural),
            node(3, "Cadre", CodeKind::Analytic),
        ];
        let names: Vec<String> = analytic_only(tree).into_iter().map(|n| n.name).collect();
        assert_eq!(names, vec!["Confiance", "Cadre"]);
    }
}
