//! The consensus's rules, written once for every backend (re-exported by
//! [`super::rules`]): how coders' passages join into consensus passages
//! ([`union`]), and the sentences a reconciliation decision is refused
//! with, so SQLite and PostgreSQL refuse the same decisions alike.

use std::collections::BTreeMap;

use verbatim_core::Span;

use crate::StoreError;

/// A stretch of one source and who coded it: coder id → the decision that
/// made them a contributor (`None` while the decision is being written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The source.
    pub source: i64,
    /// First char.
    pub start: i64,
    /// Char past the end.
    pub end: i64,
    /// The coders who coded it, with the decision that brought each in.
    pub coders: BTreeMap<i64, Option<i64>>,
    /// Existing consensus codings this stretch already holds:
    /// `(coding id, start, end)`.
    pub codings: Vec<(i64, i64, i64)>,
}

impl Piece {
    /// Returns a new coder's passage.
    pub fn of(source: i64, start: i64, end: i64, coder: i64) -> Piece {
        Piece {
            source,
            start,
            end,
            coders: BTreeMap::from([(coder, None)]),
            codings: Vec::new(),
        }
    }

    /// Returns the existing consensus coding to keep for this stretch: the
    /// one covering exactly these words, else the first.
    pub fn keeper(&self) -> Option<(i64, i64, i64)> {
        self.codings
            .iter()
            .find(|c| c.1 == self.start && c.2 == self.end)
            .or(self.codings.first())
            .copied()
    }
}

/// Joins pieces per source: overlapping or touching stretches become one,
/// carrying every coder and existing coding of the stretches joined.
/// Returns them by source and start.
pub fn union(mut pieces: Vec<Piece>) -> Vec<Piece> {
    pieces.sort_by_key(|p| (p.source, p.start, p.end));
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match out.last_mut() {
            Some(run) if run.source == piece.source && piece.start <= run.end => {
                run.end = run.end.max(piece.end);
                for (coder, decision) in piece.coders {
                    let kept = run.coders.entry(coder).or_insert(decision);
                    if kept.is_none() {
                        *kept = decision;
                    }
                }
                run.codings.extend(piece.codings);
            }
            _ => out.push(piece),
        }
    }
    out
}

/// Returns a consensus code's name with its white space tidied.
pub fn consensus_name(name: &str) -> Result<String, StoreError> {
    super::rules::storable(name, "the code name")?;
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(StoreError::Invalid("a code needs a name".into()));
    }
    Ok(name)
}

/// Refuses a shared code where a coder's code was wanted.
pub fn already_shared(name: &str) -> StoreError {
    StoreError::Invalid(format!("{name:?} is already in the shared codebook"))
}

/// Refuses a coder's code where a shared one was wanted, saying `what`
/// to do (`--under names a shared code`, `accept or merge it first`…).
pub fn not_shared(name: &str, what: &str) -> StoreError {
    StoreError::Invalid(format!("{name:?} is not in the shared codebook: {what}"))
}

/// Refuses a merge of fewer than two codes.
pub fn merge_needs_two() -> StoreError {
    StoreError::Invalid(
        "a merge needs codes of at least two coders; to add one coder's code to a \
         consensus code, use --into"
            .into(),
    )
}

/// Refuses a code named twice in one merge.
pub fn named_twice(name: &str) -> StoreError {
    StoreError::Invalid(format!("{name:?} is named twice in the merge"))
}

/// Refuses two codes of one coder in one merge.
pub fn one_code_per_coder(twin: &str, name: &str, who: &str) -> StoreError {
    StoreError::Invalid(format!(
        "{twin:?} and {name:?} are both {who}'s: a merge takes one code per coder \
         (merge them in {who}'s codebook first, or add one with --into)"
    ))
}

/// Refuses a merged code whose name a shared sibling already has.
pub fn merged_name_taken(name: &str) -> StoreError {
    StoreError::Invalid(format!(
        "the shared codebook already has a code named {name:?}: pass --name, or add \
         these codes to it with --into"
    ))
}

/// Refuses a merged code under a shared code of its level or lower.
pub fn merged_under_level(level: i64, under_level: Option<i64>) -> Result<(), StoreError> {
    match under_level {
        Some(ul) if ul <= level => Err(StoreError::Invalid(
            "the merged code cannot sit under a shared code of the same or a lower level".into(),
        )),
        _ => Ok(()),
    }
}

/// Returns the note a keep decision needs, refusing none.
pub fn keep_note(note: &str) -> Result<(), StoreError> {
    if note.trim().is_empty() {
        return Err(StoreError::Invalid(
            "say why the code is kept apart: pass --note".into(),
        ));
    }
    super::rules::storable(note, "the decision's note")
}

/// Refuses to accept a passage without the shared code to code it with.
pub fn accept_needs_shared() -> StoreError {
    StoreError::Invalid(
        "an accepted passage needs the shared code to code it with: pass --shared CODE".into(),
    )
}

/// Checks that a passage is inside its source of `chars` chars and not
/// empty.
pub fn decided_passage(span: Span, chars: i64) -> Result<(), StoreError> {
    span.within(usize::try_from(chars).unwrap_or(0))
        .map_err(|e| StoreError::Invalid(format!("{e}: the source has {chars} characters")))?;
    if span.is_empty() {
        return Err(StoreError::Invalid("the passage is empty".into()));
    }
    Ok(())
}

/// Returns a decision's note, trimmed, or `None` when blank; refuses one
/// no study can store.
pub fn decision_note(note: Option<&str>) -> Result<Option<String>, StoreError> {
    if let Some(n) = note {
        super::rules::storable(n, "the decision's note")?;
    }
    Ok(note
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned))
}

/// Refuses an accepted code under a shared code of its level or lower.
pub fn accepted_under_level(
    name: &str,
    level: i64,
    under_level: Option<i64>,
) -> Result<(), StoreError> {
    match under_level {
        Some(ul) if ul <= level => Err(StoreError::Invalid(format!(
            "{name:?} cannot sit under a shared code of the same or a lower level"
        ))),
        _ => Ok(()),
    }
}

/// Refuses an accept whose codes' names shared siblings already have.
pub fn accepted_names_taken(names: &[String]) -> StoreError {
    StoreError::Invalid(format!(
        "the shared codebook already has codes named {}: rename them, or merge instead",
        names.join(", ")
    ))
}

/// Refuses `--into` without a coder's code to add.
pub fn into_needs_a_code() -> StoreError {
    StoreError::Invalid("name at least one coder's code to add to the consensus code".into())
}
