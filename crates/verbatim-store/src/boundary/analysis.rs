//! The reads a coding query makes, on any backend: the codes a scope sees,
//! their paths and descendants, codings as bare spans, speaker turns with
//! who speaks them, sources' facts and attribute values, and which sources
//! the team analysed.
//!
//! `verbatim_views` (query, matrix, saturation, words, speakers, evidence,
//! alignment) is written against this trait and the concerns it extends,
//! so `verbatim query`, `matrix`, `saturation`, `words` and
//! `triangulation` answer alike on a file and on PostgreSQL. Who owns a turn is decided once ([`owned_turns`]) from the
//! backend's `Participants::speakers`; attributes come from
//! `Participants::attributes`.

use std::collections::HashMap;

use super::{Codebook, Transcripts};
use crate::{CodeInfo, Scope, SourceFacts, SpanFilter, SpanRow, SpeakerRow, StoreError, TurnOwner};

/// A speaker turn as stored: source, label, first char, char past the end.
pub type SpeechTurn = (i64, String, i64, i64);

/// The reads a coding query makes.
pub trait AnalysisReads: Codebook + Transcripts {
    /// Returns every code the scope sees (its coder's codebook, the shared
    /// one, and every codebook once it sees all layers), by id.
    fn visible_codes(&self, scope: &Scope) -> Result<Vec<CodeInfo>, StoreError>;

    /// Returns a code's full path (`Top/Middle/Code`), escaped.
    fn code_path(&self, id: i64) -> Result<String, StoreError>;

    /// Returns the code and every code below it (through primary parents
    /// and links), sorted.
    fn code_descendants(&self, id: i64) -> Result<Vec<i64>, StoreError>;

    /// Returns the codings the scope sees that pass the filter, as bare
    /// spans by coding id.
    fn coding_spans(&self, scope: &Scope, filter: &SpanFilter) -> Result<Vec<SpanRow>, StoreError>;

    /// Returns every speaker turn with the participant its label maps to,
    /// by source then position.
    fn turn_owners(&self, include_context: bool) -> Result<Vec<TurnOwner>, StoreError>;

    /// Returns the kind and site of every source, by id.
    fn source_facts(&self) -> Result<Vec<SourceFacts>, StoreError>;

    /// Returns each participant's value of the participant attribute `name`.
    fn participant_values_of(&self, name: &str) -> Result<HashMap<i64, String>, StoreError>;

    /// Returns each source's value of the source attribute `name`.
    fn source_values_of(&self, name: &str) -> Result<HashMap<i64, String>, StoreError>;

    /// Returns the ids of the sources any coder (never the consensus)
    /// analysed: coded with an analytic code, or marked done, in id order.
    /// One coder's are `AgreementReads::analysed_sources`.
    fn sources_coded_by_anyone(&self) -> Result<Vec<i64>, StoreError>;
}

/// Returns the turns `(source, label, start, end)` with who speaks each,
/// from the speaker rows of every source (a label no row names is nobody's
/// and not an interviewer).
pub fn owned_turns(speakers: Vec<SpeakerRow>, turns: Vec<SpeechTurn>) -> Vec<TurnOwner> {
    let who: HashMap<(i64, String), (Option<i64>, bool)> = speakers
        .into_iter()
        .map(|s| {
            let interviewer = s.role == "interviewer";
            ((s.source_id, s.label), (s.participant_id, interviewer))
        })
        .collect();
    turns
        .into_iter()
        .map(|(source_id, label, start, end)| {
            let (participant_id, interviewer) = who
                .get(&(source_id, label.clone()))
                .copied()
                .unwrap_or((None, false));
            TurnOwner {
                source_id,
                start: usize::try_from(start).unwrap_or(0),
                end: usize::try_from(end).unwrap_or(0),
                label,
                participant_id,
                interviewer,
            }
        })
        .collect()
}
