//! What a report reads of a study, named once: [`ReportReads`] lists the
//! store's concerns the report, the member-checking document and the
//! translators' round trip ask of a backend, so they take
//! `&dyn ReportReads` and run on a study file and on PostgreSQL alike.
//! Every study implements it (a blanket impl); nothing here reads SQL.

use verbatim_store::rules::ParticipantRow;
use verbatim_store::{
    AgreementReads, AnalysisReads, Codebook, Coders, Codings, Consensus, Deidentifying, Guides,
    Journal, Participants, Reveal, Store, StoreError, TimedTurn, Transcripts, Translations, rules,
};

/// Every concern a report reads.
pub trait ReportReads:
    Store
    + Coders
    + Codebook
    + Codings
    + Transcripts
    + AnalysisReads
    + AgreementReads
    + Participants
    + Journal
    + Consensus
    + Reveal
    + Deidentifying
    + Translations
    + Guides
{
}

impl<T> ReportReads for T where
    T: Store
        + Coders
        + Codebook
        + Codings
        + Transcripts
        + AnalysisReads
        + AgreementReads
        + Participants
        + Journal
        + Consensus
        + Reveal
        + Deidentifying
        + Translations
        + Guides
        + ?Sized
{
}

/// Returns a source's text and its turns with their times, in text order
/// (`time_range`'s input), read once.
pub fn text_and_times(
    store: &dyn ReportReads,
    source: i64,
) -> Result<(String, Vec<TimedTurn>), StoreError> {
    let (text, _, turns) = store.text_and_turns(source)?;
    let mut timed: Vec<TimedTurn> = turns
        .into_iter()
        .map(|t| TimedTurn {
            start: t.start,
            end: t.end,
            begin_ms: t.begin_ms,
            end_ms: t.end_ms,
        })
        .collect();
    // Turns come in their order; a stable sort by start keeps it within.
    timed.sort_by_key(|t| t.start);
    Ok((text, timed))
}

/// Returns the id of the participant `word` names (a code, else a
/// label), as `verbatim participants` finds them.
pub fn find_participant(store: &dyn ReportReads, word: &str) -> Result<i64, StoreError> {
    let rows: Vec<ParticipantRow> = store
        .participants()?
        .into_iter()
        .map(|p| ParticipantRow {
            id: p.id,
            code: p.code,
            label: p.label,
            site_id: None,
        })
        .collect();
    rules::find_participant_in(&rows, word)
}

/// Returns true once the study is revealed (every layer open to every
/// coder).
pub fn is_revealed(store: &dyn ReportReads) -> Result<bool, StoreError> {
    Ok(store.revealed()?.is_some())
}
