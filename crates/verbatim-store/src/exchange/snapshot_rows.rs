//! A study's rows as a backend reads them for export, and the one place
//! that turns them into a [`Snapshot`].
//!
//! Each backend reads its tables in bulk inside one consistent transaction
//! into [`SnapshotRows`] (every row, in a fixed order); [`assemble`] then
//! applies what is not SQL: the blind rule of the [`Scope`] (a coding of a
//! code in a hidden codebook is hidden with it), level names, quote and
//! translation counts, who speaks where. So SQLite and PostgreSQL export
//! the same study alike by construction.

use std::collections::{HashMap, HashSet};

use super::{
    SnapAttribute, SnapCode, SnapCoder, SnapCoding, SnapJournal, SnapMemo, SnapParticipant,
    SnapSource, Snapshot,
};
use crate::TurnOwner;
use crate::coders::Scope;

/// Tables REFI-QDA has no place for, by what they hold: each backend counts
/// the rows of those it has, for the export's loss report.
pub const UNCARRIED_TABLES: [(&str, &str); 4] = [
    ("consent record(s)", "consents"),
    ("interview guide version(s)", "guide_versions"),
    ("reconciliation decision(s)", "reconciliation_decisions"),
    ("de-identification record(s)", "deidentifications"),
];

/// Every row an export reads, before the scope is applied. Orders are
/// the backends' duty (each field says which), so both answer alike.
#[derive(Debug, Clone, Default)]
pub struct SnapshotRows {
    /// The `study` table's `guid`, `title` and `created_at`.
    pub study_guid: String,
    /// The study's title.
    pub title: String,
    /// When the study was created.
    pub created_at: String,
    /// Levels as `(rank, name)`, lowest first.
    pub levels: Vec<(i64, String)>,
    /// Every coder row (the consensus layer's included), by id.
    pub coders: Vec<SnapCoder>,
    /// Every code with its level's rank (`level` left empty), by owner
    /// (shared first), position and id.
    pub codes: Vec<(SnapCode, i64)>,
    /// Every further parent `(child, parent)`, by link id.
    pub code_links: Vec<(i64, i64)>,
    /// Every source with its text, turns and speaker mappings, by id.
    pub sources: Vec<SnapSource>,
    /// Every coding with its quote mark, by source, start, end and id.
    pub codings: Vec<(SnapCoding, bool)>,
    /// The coding id of every translation.
    pub translated: Vec<i64>,
    /// Sites `(id, name, code)`, by id.
    pub sites: Vec<(i64, String, String)>,
    /// Participants, by id.
    pub participants: Vec<SnapParticipant>,
    /// Participant attributes, then source attributes, each in their order.
    pub attributes: Vec<SnapAttribute>,
    /// Participant values `(participant, attribute, value)`, by id.
    pub participant_values: Vec<(i64, i64, String)>,
    /// Source values `(source, attribute, value)`, by id.
    pub source_values: Vec<(i64, i64, String)>,
    /// Every labelled turn (context sources included) with who speaks it,
    /// by source and start.
    pub turn_owners: Vec<TurnOwner>,
    /// Every memo, by id.
    pub memos: Vec<SnapMemo>,
    /// Every journal entry, by id.
    pub journal: Vec<SnapJournal>,
    /// Every journal link `(entry guid, code, relation)`, by link id.
    pub journal_links: Vec<(String, i64, String)>,
    /// Rows counted in the [`UNCARRIED_TABLES`] tables, by what they hold.
    pub uncarried: Vec<(&'static str, i64)>,
}

/// Returns the snapshot `scope` sees of `rows`.
pub fn assemble(rows: SnapshotRows, scope: &Scope) -> Snapshot {
    let level_names: HashMap<i64, String> = rows.levels.iter().cloned().collect();
    let codes: Vec<SnapCode> = rows
        .codes
        .into_iter()
        .filter(|(code, _)| scope.may_see(code.owner))
        .map(|(code, rank)| SnapCode {
            level: level_names
                .get(&rank)
                .cloned()
                .unwrap_or_else(|| format!("level {rank}")),
            ..code
        })
        .collect();
    let seen: HashSet<i64> = codes.iter().map(|c| c.id).collect();
    let mut snap = Snapshot {
        study_guid: rows.study_guid,
        title: rows.title,
        created_at: rows.created_at,
        levels: rows.levels.into_iter().map(|(_, name)| name).collect(),
        coders: rows
            .coders
            .into_iter()
            .filter(|c| scope.may_see(Some(c.id)))
            .collect(),
        code_links: rows
            .code_links
            .into_iter()
            .filter(|(child, parent)| seen.contains(child) && seen.contains(parent))
            .collect(),
        codes,
        sources: rows.sources,
        sites: rows.sites,
        participants: rows.participants,
        attributes: rows.attributes,
        participant_values: rows.participant_values,
        source_values: rows.source_values,
        memos: rows
            .memos
            .into_iter()
            .filter(|m| m.coder_id.is_none() || scope.may_see(m.coder_id))
            .collect(),
        uncarried: rows
            .uncarried
            .into_iter()
            .filter(|&(_, n)| n > 0)
            .map(|(what, n)| (what, usize::try_from(n).unwrap_or(0)))
            .collect(),
        ..Snapshot::default()
    };
    keep_codings(&mut snap, rows.codings, &rows.translated, scope, &seen);
    keep_journal(&mut snap, rows.journal, rows.journal_links, scope, &seen);
    speakers_of(&mut snap, rows.turn_owners);
    snap
}

/// Keeps the visible codings of codes in `seen`, counting their quote
/// marks and translations.
fn keep_codings(
    snap: &mut Snapshot,
    codings: Vec<(SnapCoding, bool)>,
    translated: &[i64],
    scope: &Scope,
    seen: &HashSet<i64>,
) {
    for (coding, quote) in codings {
        if !scope.may_see(Some(coding.coder_id)) || !seen.contains(&coding.code_id) {
            continue;
        }
        snap.quotes += usize::from(quote);
        snap.codings.push(coding);
    }
    let visible: HashSet<i64> = snap.codings.iter().map(|c| c.id).collect();
    snap.translations = translated.iter().filter(|id| visible.contains(id)).count();
}

/// Keeps the visible journal entries, and their links to codes in `seen`.
fn keep_journal(
    snap: &mut Snapshot,
    journal: Vec<SnapJournal>,
    links: Vec<(String, i64, String)>,
    scope: &Scope,
    seen: &HashSet<i64>,
) {
    snap.journal = journal
        .into_iter()
        .filter(|j| scope.may_see(Some(j.coder_id)))
        .collect();
    let entries: HashSet<&str> = snap.journal.iter().map(|j| j.guid.as_str()).collect();
    snap.journal_links = links
        .into_iter()
        .filter(|(guid, code, _)| entries.contains(guid.as_str()) && seen.contains(code))
        .collect();
}

/// Who speaks where: each turn whose label maps to a participant, and the
/// sorted `(participant, source)` pairs they speak in.
fn speakers_of(snap: &mut Snapshot, owners: Vec<TurnOwner>) {
    for turn in owners {
        let Some(p) = turn.participant_id else {
            continue;
        };
        let (start, end) = (turn.start as i64, turn.end as i64);
        snap.participant_turns.push((p, turn.source_id, start, end));
    }
    let mut pairs: Vec<(i64, i64)> = snap
        .participant_turns
        .iter()
        .map(|&(p, source, _, _)| (p, source))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    snap.participant_sources = pairs;
}
