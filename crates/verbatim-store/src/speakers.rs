//! Speaker labels in transcripts, mapped to participants or interviewers.
//!
//! Transcripts name speakers however the transcriber chose ("Marie",
//! "CHFG-C", "INT"). Every turn must be attributable to a participant code,
//! so each `(source, label)` resolves to a participant, an interviewer, or
//! nothing yet:
//!
//! 1. an explicit mapping (`verbatim speakers map`) wins;
//! 2. otherwise a label equal to one participant's code or roster name
//!    (ignoring case and accents) maps to it automatically; when several
//!    share the name, the one from the source's site is taken, else the
//!    label stays ambiguous;
//! 3. otherwise a conventional interviewer label (INT, Interviewer,
//!    Chercheur…) marks an interviewer;
//! 4. otherwise the label is unmapped.
//!
//! Automatic mappings are computed when read, so adding a participant or a
//! roster later maps labels without another step.
//!
//! A label no rule maps names nobody in particular: the same `[Interviewé]`
//! (or `Participant`, `R`, `Enquêté`: see [`is_generic_interviewee`]) in
//! three interviews is three people. Analyses therefore count an unmapped
//! label as one person per source, never merged across sources by label
//! (`verbatim_views::speakers`).

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params_from_iter};
use serde::Serialize;

use crate::fold::{fold, looks_like_interviewer};
use crate::history::{Recorder, Table, id_key};
use crate::participants::{ParticipantRow, Site};
use crate::{SourceRef, SqliteStore, StoreError};

/// Generic interviewee labels, folded: a transcriber's word for "the person
/// interviewed here", which names a different person in every source.
const GENERIC_INTERVIEWEE_LABELS: &[&str] = &[
    "interviewe",
    "interviewee",
    "participant",
    "participante",
    "r",
    "repondant",
    "repondante",
    "respondent",
    "enquete",
    "enquetee",
    "p",
];

/// Returns true when a speaker label is a generic word for the person
/// interviewed (`Interviewé`, `Participant`, `R`, `Enquêtée`…, ignoring case
/// and accents) rather than a name or a code. Interviewer words
/// (`Interviewer`, `Enquêteur`) are not.
pub fn is_generic_interviewee(label: &str) -> bool {
    GENERIC_INTERVIEWEE_LABELS.contains(&fold(label).as_str())
}

/// One speaker label of one source and who it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SpeakerRow {
    /// The source's id.
    pub source_id: i64,
    /// The source's name.
    pub source: String,
    /// The source's kind.
    pub kind: String,
    /// The label as transcribed.
    pub label: String,
    /// Turns with this label.
    pub turns: i64,
    /// The ordinal of its first turn.
    pub first_turn: i64,
    /// `participant`, `interviewer`, `ambiguous` or `unmapped`.
    pub role: String,
    /// The participant's id, when mapped to one.
    pub participant_id: Option<i64>,
    /// The participant's code (or label until a code is assigned).
    pub participant: Option<String>,
    /// `explicit` or `auto`, when mapped.
    pub how: Option<String>,
}

impl SpeakerRow {
    /// A label of a source, with its turn count and first turn, not mapped
    /// yet (see [`SpeakerMapper::mapped`]).
    pub fn unmapped(
        source_id: i64,
        (source, kind): (String, String),
        label: String,
        turns: i64,
        first_turn: i64,
    ) -> Self {
        Self {
            source_id,
            source,
            kind,
            label,
            turns,
            first_turn,
            role: "unmapped".into(),
            participant_id: None,
            participant: None,
            how: None,
        }
    }
}

/// A source's name, kind and site, by id: what mapping a label needs of
/// its source.
pub type LabelSources = HashMap<i64, (String, String, Option<String>)>;

/// Who a label should map to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeakerTarget {
    /// A participant, by code, name or id.
    Participant(String),
    /// An interviewer.
    Interviewer,
}

impl SpeakerTarget {
    /// Returns the target a mapping file's third column means:
    /// `interviewer` (or `int`), else a participant.
    pub fn parse(word: &str) -> Self {
        match fold(word).as_str() {
            "interviewer" | "int" | "intervieweur" | "chercheur" | "chercheuse" => {
                SpeakerTarget::Interviewer
            }
            _ => SpeakerTarget::Participant(word.trim().to_owned()),
        }
    }
}

/// The labels of every source, or of one (`$1`) when `one` is true, from
/// the counts the triggers on `turns` keep (`speaker_turns`): two
/// statements, since `($1 IS NULL OR t.source_id = $1)` would make SQLite
/// scan every label of the study for one source.
fn labels_sql(one: bool) -> String {
    format!(
        "SELECT t.source_id, s.name, s.kind, s.site, t.speaker, t.turns, t.first_ordinal \
         FROM speaker_turns t JOIN sources s ON s.id = t.source_id {} \
         ORDER BY t.source_id, t.first_ordinal",
        if one { "WHERE t.source_id = $1" } else { "" }
    )
}

/// What the speaker mapping knows, read once per listing: participants by
/// folded code and label, sites, and the explicit mappings. Built from
/// plain rows, so every backend maps labels by the same rules.
#[derive(Debug)]
pub struct SpeakerMapper {
    display: HashMap<i64, String>,
    by_name: HashMap<String, Vec<(i64, Option<i64>)>>,
    site_ids: HashMap<String, i64>,
    explicit: HashMap<(i64, String), (Option<i64>, bool)>,
}

/// The explicit mappings: `(source, label)` → (participant, interviewer).
pub type ExplicitMappings = HashMap<(i64, String), (Option<i64>, bool)>;

impl SpeakerMapper {
    /// Returns the mapper for these participants, sites and explicit
    /// mappings.
    pub fn new(
        participants: &[ParticipantRow],
        sites: &[Site],
        explicit: ExplicitMappings,
    ) -> Self {
        let display = participants
            .iter()
            .map(|p| {
                (
                    p.id,
                    p.code
                        .clone()
                        .or_else(|| p.label.clone())
                        .unwrap_or_else(|| format!("#{}", p.id)),
                )
            })
            .collect();
        let mut by_name: HashMap<String, Vec<(i64, Option<i64>)>> = HashMap::new();
        for p in participants {
            let mut keys: Vec<String> = p
                .code
                .iter()
                .chain(p.label.iter())
                .map(|k| fold(k))
                .collect();
            keys.dedup();
            for k in keys.into_iter().filter(|k| !k.is_empty()) {
                by_name.entry(k).or_default().push((p.id, p.site_id));
            }
        }
        let site_ids = sites
            .iter()
            .flat_map(|s| [(s.name.to_lowercase(), s.id), (s.code.to_lowercase(), s.id)])
            .collect();
        Self {
            display,
            by_name,
            site_ids,
            explicit,
        }
    }

    /// Reads the mapping, with the explicit mappings of one source or all.
    fn read(store: &SqliteStore, source: Option<i64>) -> Result<Self, StoreError> {
        let sql = "SELECT source_id, label, participant_id, interviewer FROM speaker_map";
        let mut stmt = match source {
            Some(_) => store.conn.prepare(&format!("{sql} WHERE source_id = $1"))?,
            None => store.conn.prepare(sql)?,
        };
        let explicit = stmt
            .query_map(params_from_iter(source), |r| {
                Ok((
                    (r.get(0)?, r.get(1)?),
                    (r.get(2)?, r.get::<_, i64>(3)? == 1),
                ))
            })?
            .collect::<Result<_, _>>()?;
        Ok(Self::new(
            &store.participant_rows()?,
            &store.sites()?,
            explicit,
        ))
    }

    /// Returns `row` with its role, participant and how filled, its source
    /// being at `site`.
    pub fn mapped(&self, mut row: SpeakerRow, site: Option<&str>) -> SpeakerRow {
        self.map(&mut row, site);
        row
    }

    /// Returns what each `(source id, label)` maps to, without turn counts
    /// (0), for the sources of `sources`; labels of other sources are left
    /// out.
    pub fn label_roles(
        &self,
        sources: &LabelSources,
        labels: impl IntoIterator<Item = (i64, String)>,
    ) -> Vec<SpeakerRow> {
        labels
            .into_iter()
            .filter_map(|(source_id, label)| {
                let (name, kind, site) = sources.get(&source_id)?;
                let row =
                    SpeakerRow::unmapped(source_id, (name.clone(), kind.clone()), label, 0, 0);
                Some(self.mapped(row, site.as_deref()))
            })
            .collect()
    }

    /// Fills the role, participant and how of `row`, whose source is at
    /// `site`.
    pub fn map(&self, row: &mut SpeakerRow, site: Option<&str>) {
        let mapped = |row: &mut SpeakerRow, who: Option<i64>, how: &str| {
            row.how = Some(how.into());
            match who {
                Some(p) => {
                    row.role = "participant".into();
                    row.participant_id = Some(p);
                    row.participant = self.display.get(&p).cloned();
                }
                None => row.role = "interviewer".into(),
            }
        };
        if let Some((who, interviewer)) = self.explicit.get(&(row.source_id, row.label.clone())) {
            mapped(row, if *interviewer { None } else { *who }, "explicit");
        } else if let Some(candidates) = self.by_name.get(&fold(&row.label)) {
            let mut ids: Vec<(i64, Option<i64>)> = candidates.clone();
            ids.dedup_by_key(|c| c.0);
            if ids.len() > 1 {
                let here = site.and_then(|s| self.site_ids.get(&s.to_lowercase()));
                ids.retain(|c| here.is_some() && c.1.as_ref() == here);
            }
            match ids.as_slice() {
                [one] => mapped(row, Some(one.0), "auto"),
                _ => row.role = "ambiguous".into(),
            }
        } else if looks_like_interviewer(&row.label) {
            mapped(row, None, "auto");
        }
    }
}

impl SqliteStore {
    /// Returns each speaker label of one source (or all) with its turn count
    /// and what it maps to, by source then first appearance.
    pub fn speakers(&self, source: Option<i64>) -> Result<Vec<SpeakerRow>, StoreError> {
        let mapper = SpeakerMapper::read(self, source)?;
        let mut stmt = self.conn.prepare(&labels_sql(source.is_some()))?;
        let mut rows = stmt.query(params_from_iter(source))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let site: Option<String> = r.get(3)?;
            let row = SpeakerRow::unmapped(
                r.get(0)?,
                (r.get(1)?, r.get(2)?),
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            );
            out.push(mapper.mapped(row, site.as_deref()));
        }
        Ok(out)
    }

    /// Returns what each `(source id, label)` maps to, as [`Self::speakers`]
    /// does, without counting turns (`turns` and `first_turn` are 0): for a
    /// search that already knows its labels, so the cost follows the
    /// sources and participants, not the study's turns. Unknown sources
    /// are left out.
    pub fn label_roles(
        &self,
        labels: impl IntoIterator<Item = (i64, String)>,
    ) -> Result<Vec<SpeakerRow>, StoreError> {
        let mapper = SpeakerMapper::read(self, None)?;
        let sources: LabelSources = self
            .conn
            .prepare("SELECT id, name, kind, site FROM sources")?
            .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?
            .collect::<Result<_, _>>()?;
        Ok(mapper.label_roles(&sources, labels))
    }

    /// Returns the label of `source` a user named: exact, else the only
    /// label equal to it ignoring case and accents.
    pub(crate) fn find_label(&self, source: i64, label: &str) -> Result<String, StoreError> {
        let labels: Vec<String> = self
            .conn
            .prepare("SELECT DISTINCT speaker FROM turns WHERE source_id = $1 AND speaker <> ''")?
            .query_map([source], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        match find_label_in(&labels, label) {
            Some(found) => Ok(found),
            None => {
                let name: String = self.conn.query_row(
                    "SELECT name FROM sources WHERE id = $1",
                    [source],
                    |r| r.get(0),
                )?;
                Err(unknown_speaker(name, label))
            }
        }
    }

    /// Maps a speaker label of a source to a participant or an interviewer,
    /// replacing any earlier explicit mapping.
    pub fn map_speaker(
        &mut self,
        actor: &str,
        source: &SourceRef,
        label: &str,
        target: &SpeakerTarget,
    ) -> Result<(), StoreError> {
        self.map_speakers(actor, &[(source.clone(), label.to_owned(), target.clone())])
            .map_err(|e| match e {
                StoreError::Rejected(mut why) if why.len() == 1 => {
                    StoreError::Invalid(why.remove(0))
                }
                other => other,
            })
    }

    /// Applies many mappings at once (a mapping file): every row is checked
    /// first, and one refusal per bad row means nothing is written. Rows are
    /// numbered from 1 in the errors.
    pub fn map_speakers(
        &mut self,
        actor: &str,
        rows: &[(SourceRef, String, SpeakerTarget)],
    ) -> Result<(), StoreError> {
        let mut checked: Vec<(i64, String, Option<i64>)> = Vec::new();
        let mut errors = Vec::new();
        for (i, (source, label, target)) in rows.iter().enumerate() {
            let prefix = if rows.len() == 1 {
                String::new()
            } else {
                format!("row {}: ", i + 1)
            };
            let result = (|| -> Result<(i64, String, Option<i64>), StoreError> {
                let sid = self.resolve(source)?;
                let label = self.find_label(sid, label)?;
                let who = match target {
                    SpeakerTarget::Interviewer => None,
                    SpeakerTarget::Participant(word) => Some(self.find_participant(word)?),
                };
                Ok((sid, label, who))
            })();
            match result {
                Ok(c) => checked.push(c),
                Err(e) => errors.push(format!("{prefix}{e}")),
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Rejected(errors));
        }
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        for (sid, label, who) in &checked {
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT id FROM speaker_map WHERE source_id = $1 AND label = $2",
                    rusqlite::params![sid, label],
                    |r| r.get(0),
                )
                .optional()?;
            let cols = [
                ("participant_id", who.map_or(Value::Null, Value::Integer)),
                ("interviewer", Value::Integer(i64::from(who.is_none()))),
            ];
            match existing {
                Some(id) => rec.update(&tx, Table::SpeakerMap, id_key(id), &cols)?,
                None => {
                    rec.insert(
                        &tx,
                        Table::SpeakerMap,
                        &[
                            ("source_id", Value::Integer(*sid)),
                            ("label", Value::Text(label.clone())),
                            cols[0].clone(),
                            cols[1].clone(),
                        ],
                    )?;
                }
            }
        }
        rec.finish(&tx, actor, "speakers.map", None, mappings_summary(&checked))?;
        tx.commit()?;
        Ok(())
    }
}

/// Returns the label among a source's `labels` a user named: exactly, else
/// the only one equal to it ignoring case and accents.
pub fn find_label_in(labels: &[String], label: &str) -> Option<String> {
    if let Some(l) = labels.iter().find(|l| l.as_str() == label.trim()) {
        return Some(l.clone());
    }
    let folded: Vec<&String> = labels.iter().filter(|l| fold(l) == fold(label)).collect();
    match folded.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

/// The refusal for a label source `source_name` does not have.
pub fn unknown_speaker(source_name: String, label: &str) -> StoreError {
    StoreError::UnknownSpeaker {
        source_name,
        label: label.trim().to_owned(),
    }
}

/// The summary a `speakers.map` action records: each mapping's source id,
/// label and participant id (`None`: an interviewer).
pub fn mappings_summary(checked: &[(i64, String, Option<i64>)]) -> serde_json::Value {
    serde_json::json!({ "mappings": checked.iter().map(|(s, l, p)| serde_json::json!({"source": s, "label": l, "participant": p})).collect::<Vec<_>>() })
}

#[cfg(test)]
mod tests {
    use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};

    use super::{SpeakerRow, SpeakerTarget, is_generic_interviewee, labels_sql};
    use crate::testkit::{fixture, full_scans};
    use crate::{ImportItem, ImportOutcome, Store};

    #[test]
    fn one_source_labels_read_only_its_turns() {
        let f = fixture();
        assert!(full_scans(&f.store, &labels_sql(true)).is_empty());
        // The same guard sees the scan of the every-source statement.
        assert!(!full_scans(&f.store, &labels_sql(false)).is_empty());
    }

    #[test]
    fn the_speakers_of_one_source_are_its_own() {
        let mut f = fixture();
        // A second interview: "Marc" speaks twice, then "INT" once.
        let text = "Marc : Oui.\nMarc : Non.\nINT : Merci.";
        let turn = |speaker: &str, a: usize, b: usize| Turn {
            speaker: Some(speaker.into()),
            span: Span::new(a, b).unwrap(),
            begin_ms: None,
            end_ms: None,
        };
        let turns = vec![
            turn("Marc", 7, 11),
            turn("Marc", 19, 23),
            turn("INT", 30, 36),
        ];
        let source = NormalisedSource::new(
            Format::Txt,
            text.into(),
            turns,
            vec![],
            SourceMetadata::default(),
        )
        .unwrap();
        let outcomes = f
            .store
            .import_batch(
                "tester",
                vec![ImportItem {
                    name: "second".into(),
                    original_path: None,
                    kind: SourceKind::Interview,
                    site: None,
                    language: None,
                    source,
                }],
            )
            .unwrap();
        let ImportOutcome::Imported { id: second, .. } = outcomes[0] else {
            panic!("not imported");
        };
        f.store
            .map_speaker(
                "tester",
                &crate::SourceRef::Id(second),
                "INT",
                &SpeakerTarget::Interviewer,
            )
            .unwrap();
        let rows = f.store.speakers(Some(second)).unwrap();
        type Row<'a> = (i64, &'a str, i64, i64, &'a str, Option<&'a str>);
        let got: Vec<Row<'_>> = rows
            .iter()
            .map(|r| {
                let how = r.how.as_deref();
                (
                    r.source_id,
                    r.label.as_str(),
                    r.turns,
                    r.first_turn,
                    r.role.as_str(),
                    how,
                )
            })
            .collect();
        // Marc: turns 0 and 1, first at ordinal 0; INT: turn 2, mapped by hand.
        assert_eq!(
            got,
            vec![
                (second, "Marc", 2, 0, "unmapped", None),
                (second, "INT", 1, 2, "interviewer", Some("explicit")),
            ]
        );
        // The fixture's own source still has its INT and CSI-2, unmapped by hand.
        let first = f.store.speakers(Some(f.source)).unwrap();
        let labels: Vec<(&str, Option<&str>)> = first
            .iter()
            .map(|r| (r.label.as_str(), r.how.as_deref()))
            .collect();
        assert_eq!(labels, vec![("INT", Some("auto")), ("CSI-2", None)]);
        // Every source's list is the two lists one after the other.
        let all = f.store.speakers(None).unwrap();
        assert_eq!(all, [first, rows].concat());
        // Mapping known labels gives the same answers, without turn counts.
        let pairs = all.iter().map(|r| (r.source_id, r.label.clone()));
        let roles = f.store.label_roles(pairs).unwrap();
        let uncounted: Vec<SpeakerRow> = all
            .into_iter()
            .map(|r| SpeakerRow {
                turns: 0,
                first_turn: 0,
                ..r
            })
            .collect();
        assert_eq!(roles, uncounted);
    }

    /// A label, its turn count and its first turn's ordinal.
    type LabelCount = (String, i64, i64);

    /// Returns the kept label counts of `source`, and the same grouped
    /// from its turns, by label.
    fn kept_and_grouped(
        store: &crate::SqliteStore,
        source: i64,
    ) -> (Vec<LabelCount>, Vec<LabelCount>) {
        let read = |sql: &str| -> Vec<LabelCount> {
            let mut stmt = store.conn.prepare(sql).unwrap();
            stmt.query_map([source], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        (
            read(
                "SELECT speaker, turns, first_ordinal FROM speaker_turns \
                 WHERE source_id = $1 ORDER BY speaker",
            ),
            read(
                "SELECT speaker, count(*), min(ordinal) FROM turns \
                 WHERE source_id = $1 AND speaker <> '' GROUP BY speaker ORDER BY speaker",
            ),
        )
    }

    #[test]
    fn kept_label_counts_follow_renames_removals_undo_and_updates() {
        let mut f = fixture();
        let id = f.source;
        let check = |store: &crate::SqliteStore, expected: &[(&str, i64, i64)]| {
            let (kept, grouped) = kept_and_grouped(store, id);
            let expected: Vec<LabelCount> = expected
                .iter()
                .map(|(l, n, first)| ((*l).to_owned(), *n, *first))
                .collect();
            assert_eq!(kept, expected);
            assert_eq!(grouped, expected, "the turns themselves agree");
        };
        // The fixture: INT speaks turn 0, CSI-2 turn 1.
        check(&f.store, &[("CSI-2", 1, 1), ("INT", 1, 0)]);
        // INT merged into CSI-2: one label, two turns, first at 0.
        f.store
            .rename_speaker("tester", id, "INT", "CSI-2")
            .unwrap();
        check(&f.store, &[("CSI-2", 2, 0)]);
        f.store.undo("tester", 1).unwrap();
        check(&f.store, &[("CSI-2", 1, 1), ("INT", 1, 0)]);
        // A label's only turn renamed: the old row goes, the new one comes.
        f.store
            .rename_speaker("tester", id, "CSI-2", "Marie")
            .unwrap();
        check(&f.store, &[("INT", 1, 0), ("Marie", 1, 1)]);
        // Removing the source empties its labels; undo brings them back.
        f.store.remove_source("tester", id).unwrap();
        check(&f.store, &[]);
        f.store.undo("tester", 1).unwrap();
        check(&f.store, &[("INT", 1, 0), ("Marie", 1, 1)]);
        // A first turn moved (ordinal 0 -> 5): INT's first is looked up
        // again among the turns left, which is the moved one, 5.
        f.store
            .conn
            .execute(
                "UPDATE turns SET ordinal = 5 WHERE source_id = $1 AND ordinal = 0",
                [id],
            )
            .unwrap();
        check(&f.store, &[("INT", 1, 5), ("Marie", 1, 1)]);
        // Marie's turn given to INT: INT has turns 1 and 5, first 1.
        f.store
            .conn
            .execute(
                "UPDATE turns SET speaker = 'INT' WHERE source_id = $1 AND ordinal = 1",
                [id],
            )
            .unwrap();
        check(&f.store, &[("INT", 2, 1)]);
        // A turn with no speaker has no row.
        f.store
            .conn
            .execute(
                "UPDATE turns SET speaker = '' WHERE source_id = $1 AND ordinal = 5",
                [id],
            )
            .unwrap();
        check(&f.store, &[("INT", 1, 1)]);
    }

    #[test]
    fn generic_interviewee_labels_are_told_from_interviewers_and_names() {
        for generic in [
            "Interviewé",
            "INTERVIEWE",
            "Interviewee",
            "participante",
            "R",
            "Répondant",
            "Respondent",
            "Enquêtée",
            "p",
        ] {
            assert!(is_generic_interviewee(generic), "{generic}");
        }
        for other in [
            "Interviewer",
            "Enquêteur",
            "Chercheur",
            "CSI-1",
            "Marie",
            "Pr",
        ] {
            assert!(!is_generic_interviewee(other), "{other}");
        }
    }
}
