//! Consent withdrawal: a participant's speech removed from the whole study.
//!
//! A participant may withdraw consent after the interviews. From then on the
//! study must not hold their words, yet it must still show that they took
//! part and withdrew, and nobody else's words may move or be lost.
//! [`SqliteStore::withdraw_participant`], in one transaction:
//!
//! - replaces the speech of every turn mapped to the participant (through
//!   the speaker mapping of `speakers.rs`, whether explicit or automatic)
//!   with [`WITHDRAWN_NOTICE`], through the span-shifting core of source
//!   edits in its exclusive mode: codings wholly inside a removed turn are
//!   deleted (with their translations and memos), codings that straddle its
//!   edge shrink to the other speakers' words (and lose their translation,
//!   which no longer matches), memos anchored inside are deleted, every
//!   other span moves with its words;
//! - deletes the memos written on the participant;
//! - turns automatic speaker mappings (which may rest on the label) into
//!   explicit ones, so the removed turns stay attributed to the code;
//! - clears their label (when they have a code) and attribute values, and
//!   marks their consent `withdrawn` (the code stays, so reports can say
//!   "withdrew");
//! - redacts earlier audit entries holding the removed speech in any
//!   wording the log recorded (a text before a correction, translations,
//!   memos on deleted codings: `rules::withdraw`), removed memo texts or
//!   the label ([`crate::redact`]), and appends one `participant.withdraw`
//!   entry with counts and no removed content.
//!
//! Nothing of it can be undone: the rows are changed without being kept.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::Serialize;

use crate::boundary::splice_rules::Spliced;
use crate::boundary::withdraw_rules::LogRedaction;
use crate::codes::delete_memos_on;
use crate::deidentify::NamesList;
use crate::edit::{Splice, splice_source};
use crate::history::{Recorder, Table, id_key};
use crate::redact::redact_audit_entries;
use crate::rules;
use crate::{SqliteStore, StoreError, audit};

/// What replaces each withdrawn turn's speech.
pub const WITHDRAWN_NOTICE: &str = "[passage removed: participant withdrew]";

/// What a withdrawal changed in one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceWithdrawal {
    /// The source's id.
    pub source_id: i64,
    /// The source's name.
    pub source: String,
    /// Turns whose speech was removed.
    pub turns_removed: usize,
    /// Chars of speech removed.
    pub chars_removed: usize,
    /// Codings deleted, by coder.
    pub codings_deleted: BTreeMap<String, usize>,
    /// Codings shrunk to the other speakers' words, by coder.
    pub codings_shrunk: BTreeMap<String, usize>,
    /// Translations of deleted or shrunk codings removed.
    pub translations_removed: usize,
    /// Memos anchored inside removed speech, deleted.
    pub memos_removed: usize,
}

/// What a withdrawal changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WithdrawReport {
    /// The participant's code (or id when they had none).
    pub participant: String,
    /// Per source where they spoke.
    pub sources: Vec<SourceWithdrawal>,
    /// Memos written on the participant, deleted.
    pub memos_removed: usize,
    /// Attribute values cleared.
    pub attributes_cleared: usize,
    /// True when their label was cleared.
    pub label_cleared: bool,
    /// Consent records marked withdrawn (or 1 when one was created).
    pub consents_withdrawn: usize,
    /// Earlier audit entries rewritten to drop the removed content.
    pub audit_redacted: usize,
}

/// A participant's speaker labels, by source id, with the source's name.
type LabelsBySource = BTreeMap<i64, (String, Vec<String>)>;

impl SqliteStore {
    /// Withdraws a participant (by code, label or id): removes their speech
    /// everywhere and clears what identifies them, in one transaction that
    /// cannot be undone. See the module docs.
    pub fn withdraw_participant(
        &mut self,
        actor: &str,
        word: &str,
    ) -> Result<WithdrawReport, StoreError> {
        let id = self.find_participant(word)?;
        let (code, label): (Option<String>, Option<String>) = self.conn.query_row(
            "SELECT code, label FROM participants WHERE id = $1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (labels, automatic) = self.labels_of(id)?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut w = Withdrawal {
            tx: &tx,
            rec: Recorder::forgetful(),
            id,
            log: LogRedaction {
                labels: known_labels(&labels, code.as_deref()),
                ..LogRedaction::default()
            },
            code,
            label,
        };
        let mut sources = Vec::new();
        for (source_id, (source, speaker_labels)) in &labels {
            sources.extend(w.remove_speech(*source_id, source, speaker_labels)?);
        }
        let memos_removed = w.delete_memos_on_participant()?;
        w.make_mappings_explicit(&automatic)?;
        let cleared = w.clear_identity()?;
        let audit_redacted = w.redact_log(actor)?;
        let report = WithdrawReport {
            participant: w.shown(),
            sources,
            memos_removed,
            attributes_cleared: cleared.values,
            label_cleared: cleared.label,
            consents_withdrawn: cleared.consents.max(1),
            audit_redacted,
        };
        w.finish(actor, &report)?;
        tx.commit()?;
        Ok(report)
    }

    /// The speaker labels mapped to participant `id`, by source (with the
    /// source's name), and those of them mapped automatically.
    fn labels_of(&self, id: i64) -> Result<(LabelsBySource, Vec<(i64, String)>), StoreError> {
        let mut labels = LabelsBySource::new();
        let mut automatic: Vec<(i64, String)> = Vec::new();
        for row in self.speakers(None)? {
            if row.participant_id == Some(id) {
                if row.how.as_deref() == Some("auto") {
                    automatic.push((row.source_id, row.label.clone()));
                }
                labels
                    .entry(row.source_id)
                    .or_insert_with(|| (row.source.clone(), Vec::new()))
                    .1
                    .push(row.label);
            }
        }
        Ok((labels, automatic))
    }
}

/// A withdrawal under way: the transaction, the forgetful recorder, the
/// participant, and every removed text the audit log must lose.
struct Withdrawal<'a> {
    tx: &'a Connection,
    rec: Recorder,
    id: i64,
    code: Option<String>,
    label: Option<String>,
    /// What the log must lose: removed speech, memo texts, codings.
    log: LogRedaction,
}

/// How many identifying rows [`Withdrawal::clear_identity`] changed.
struct Cleared {
    /// Attribute values deleted.
    values: usize,
    /// True when the label was cleared.
    label: bool,
    /// Consent records marked withdrawn (0 when one was created).
    consents: usize,
}

impl Withdrawal<'_> {
    /// The participant as reports name them.
    fn shown(&self) -> String {
        shown(self.code.as_deref(), self.id)
    }

    /// Replaces the speech of the participant's turns in one source with
    /// [`WITHDRAWN_NOTICE`], and says what moved; `None` when nothing of
    /// theirs was left to remove there.
    fn remove_speech(
        &mut self,
        source_id: i64,
        source: &str,
        speaker_labels: &[String],
    ) -> Result<Option<SourceWithdrawal>, StoreError> {
        let (splices, chars_removed, text) = self.withdrawn_turns(source_id, speaker_labels)?;
        if splices.is_empty() {
            return Ok(None);
        }
        let tx = self.tx;
        let done = splice_source(tx, &mut self.rec, source_id, &splices, true)?;
        self.log.note_source(source_id, &text, &splices, &done);
        let mut translations_removed = 0;
        for coding in shrunk_codings(&done) {
            let ids: Vec<i64> = tx
                .prepare_cached("SELECT id FROM translations WHERE coding_id = $1")?
                .query_map([coding], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for t in ids {
                self.rec.delete(tx, Table::Translations, id_key(t))?;
                translations_removed += 1;
            }
        }
        Ok(Some(source_withdrawal(
            (source_id, source),
            (splices.len(), chars_removed),
            &done,
            translations_removed,
        )))
    }

    /// The splices that replace each turn of `speaker_labels` in a source
    /// (a turn already withdrawn is left), the chars they remove and the
    /// source's text; the removed speech is kept for the log's redaction.
    fn withdrawn_turns(
        &mut self,
        source_id: i64,
        speaker_labels: &[String],
    ) -> Result<(Vec<Splice>, usize, String), StoreError> {
        let text: String = self.tx.query_row(
            "SELECT text FROM source_texts WHERE source_id = $1",
            [source_id],
            |r| r.get(0),
        )?;
        let turns: Vec<(String, i64, i64)> = self
            .tx
            .prepare(
                "SELECT speaker, start_char, end_char FROM turns WHERE source_id = $1 AND speaker <> '' ORDER BY ordinal",
            )?
            .query_map([source_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let (splices, chars_removed, passages) = withdrawn_splices(&text, &turns, speaker_labels);
        self.log.passages.extend(passages);
        Ok((splices, chars_removed, text))
    }

    /// Deletes the memos written on the participant (by id, code or
    /// label), keeping their text for the redaction; returns how many.
    fn delete_memos_on_participant(&mut self) -> Result<usize, StoreError> {
        let tx = self.tx;
        let memos: Vec<i64> = tx
            .prepare(
                "SELECT id FROM memos WHERE target_kind = 'participant' \
                 AND (target_id = $1 OR target_label = $2 COLLATE NOCASE OR target_label = $3 COLLATE NOCASE)",
            )?
            .query_map(
                rusqlite::params![self.id, self.code.as_deref(), self.label.as_deref()],
                |r| r.get(0),
            )?
            .collect::<Result<_, _>>()?;
        for memo in &memos {
            let (title, body): (Option<String>, String) =
                tx.query_row("SELECT title, body FROM memos WHERE id = $1", [memo], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            self.log.passages.extend(title);
            self.log.passages.push(body);
            self.log.memos.insert(*memo);
            delete_memos_on(tx, &mut self.rec, "memo", *memo)?;
            self.rec.delete(tx, Table::Memos, id_key(*memo))?;
        }
        Ok(memos.len())
    }

    /// Automatic mappings rest on the label about to be cleared: makes
    /// them explicit, so the removed turns stay attributed.
    fn make_mappings_explicit(&mut self, automatic: &[(i64, String)]) -> Result<(), StoreError> {
        for (source_id, speaker) in automatic {
            self.rec.insert(
                self.tx,
                Table::SpeakerMap,
                &[
                    ("source_id", Value::Integer(*source_id)),
                    ("label", Value::Text(speaker.clone())),
                    ("participant_id", Value::Integer(self.id)),
                    ("interviewer", Value::Integer(0)),
                ],
            )?;
        }
        Ok(())
    }

    /// Clears what identifies the participant: their attribute values,
    /// their label (when they have a code), and marks their consent
    /// withdrawn (recording a withdrawn one when they had none).
    fn clear_identity(&mut self) -> Result<Cleared, StoreError> {
        let (tx, id) = (self.tx, self.id);
        let values: Vec<i64> = tx
            .prepare("SELECT id FROM participant_values WHERE participant_id = $1")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for v in &values {
            self.rec.delete(tx, Table::ParticipantValues, id_key(*v))?;
        }
        let label_cleared = self.label.is_some() && self.code.is_some();
        if label_cleared {
            self.rec.update(
                tx,
                Table::Participants,
                id_key(id),
                &[("label", Value::Null)],
            )?;
        }
        let consents: Vec<i64> = tx
            .prepare("SELECT id FROM consents WHERE participant_id = $1")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for c in &consents {
            self.rec.update(
                tx,
                Table::Consents,
                id_key(*c),
                &[("status", Value::Text("withdrawn".into()))],
            )?;
        }
        if consents.is_empty() {
            let now = audit::now();
            self.rec.insert(
                tx,
                Table::Consents,
                &[
                    ("participant_id", Value::Integer(id)),
                    ("given_on", Value::Text(now.chars().take(10).collect())),
                    ("scope", Value::Text("withdrawn".into())),
                    ("sheet_version", Value::Null),
                    ("status", Value::Text("withdrawn".into())),
                    ("recorded_at", Value::Text(now)),
                ],
            )?;
        }
        Ok(Cleared {
            values: values.len(),
            label: label_cleared,
            consents: consents.len(),
        })
    }

    /// Rewrites earlier audit entries that hold what was removed (in any
    /// of its recorded wordings, `rules::withdraw`) or the label; returns
    /// how many.
    fn redact_log(&mut self, actor: &str) -> Result<usize, StoreError> {
        let shown = self.shown();
        let log = std::mem::take(&mut self.log);
        let [texts, codings, memos] = rules::withdraw::RECORDED;
        let mut entries = Vec::new();
        let mut stmt = self.tx.prepare(
            "SELECT data FROM audit WHERE data LIKE $1 OR data LIKE $2 OR data LIKE $3 ORDER BY id",
        )?;
        let mut rows = stmt.query([texts, codings, memos])?;
        while let Some(row) = rows.next()? {
            let data: String = row.get(0)?;
            entries.extend(serde_json::from_str(&data).ok());
        }
        let names = (self.code.as_deref(), self.label.as_deref(), shown.as_str());
        let rewrite = log.plan(&entries, names);
        redact_audit_entries(self.tx, actor, "participant.withdraw", &|data| {
            rewrite.rewrite(data)
        })
    }

    /// Appends the one `participant.withdraw` entry: counts, no content.
    fn finish(self, actor: &str, report: &WithdrawReport) -> Result<(), StoreError> {
        self.rec.finish(
            self.tx,
            actor,
            "participant.withdraw",
            Some(&format!("participant:{}", self.id)),
            withdraw_payload(report),
        )?;
        Ok(())
    }
}

/// The speaker labels a participant has in any source, and their code:
/// how their turns are recognised in a text the log recorded with its
/// turns.
pub fn known_labels(
    labels: &BTreeMap<i64, (String, Vec<String>)>,
    code: Option<&str>,
) -> std::collections::BTreeSet<String> {
    let spoken = labels.values().flat_map(|(_, l)| l.iter().cloned());
    spoken.chain(code.map(str::to_owned)).collect()
}

/// The participant as reports name them: their code, else `#id`.
pub fn shown(code: Option<&str>, id: i64) -> String {
    code.map_or_else(|| format!("#{id}"), str::to_owned)
}

/// The splices that replace the speech of each turn `(label, start, end)`
/// of `labels` in `text` with [`WITHDRAWN_NOTICE`] (a turn already
/// withdrawn is left), the chars they remove, and the speech removed (for
/// the log's redaction).
pub fn withdrawn_splices(
    text: &str,
    turns: &[(String, i64, i64)],
    labels: &[String],
) -> (Vec<Splice>, usize, Vec<String>) {
    let chars: Vec<char> = text.chars().collect();
    let mut splices = Vec::new();
    let mut chars_removed = 0;
    let mut passages = Vec::new();
    for (speaker, a, b) in turns {
        if !labels.contains(speaker) || a >= b {
            continue;
        }
        let (ua, ub) = (
            usize::try_from(*a).unwrap_or(0).min(chars.len()),
            usize::try_from(*b).unwrap_or(0).min(chars.len()),
        );
        let passage: String = chars[ua..ub].iter().collect();
        if passage == WITHDRAWN_NOTICE {
            continue;
        }
        chars_removed += ub - ua;
        passages.push(passage);
        splices.push(Splice {
            start: *a,
            end: *b,
            text: WITHDRAWN_NOTICE.to_owned(),
        });
    }
    (splices, chars_removed, passages)
}

/// The codings a withdrawal's splice shrank (kept, with fewer words), whose
/// translations no longer match and go.
pub fn shrunk_codings(done: &Spliced) -> Vec<i64> {
    done.changed
        .iter()
        .filter(|f| f.deleted.is_none())
        .map(|f| f.row.id)
        .collect()
}

/// What a withdrawal changed in one source (`(id, name)`), from its
/// splice: `(turns, chars)` removed and the translations it deleted.
pub fn source_withdrawal(
    (source_id, source): (i64, &str),
    (turns_removed, chars_removed): (usize, usize),
    done: &Spliced,
    translations_removed: usize,
) -> SourceWithdrawal {
    let mut deleted: BTreeMap<String, usize> = BTreeMap::new();
    let mut shrunk: BTreeMap<String, usize> = BTreeMap::new();
    for fate in &done.changed {
        let by = if fate.deleted.is_some() {
            &mut deleted
        } else {
            &mut shrunk
        };
        *by.entry(fate.row.coder.clone()).or_default() += 1;
    }
    SourceWithdrawal {
        source_id,
        source: source.to_owned(),
        turns_removed,
        chars_removed,
        codings_deleted: deleted,
        codings_shrunk: shrunk,
        translations_removed,
        memos_removed: done.memos_removed,
    }
}

/// The rewrite of the audit log's strings a withdrawal makes: each removed
/// passage (longest first) becomes [`WITHDRAWN_NOTICE`], the label (when it
/// is not the code) the participant's shown name in brackets.
pub fn withdrawal_redactor(
    mut passages: Vec<String>,
    code: Option<&str>,
    label: Option<&str>,
    shown: &str,
) -> impl Fn(&str) -> Option<String> + use<> {
    passages.retain(|p| !p.trim().is_empty());
    passages.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    passages.dedup();
    let label_names = label
        .filter(|l| code.is_none_or(|c| !c.eq_ignore_ascii_case(l)))
        .and_then(|l| NamesList::parse(&[vec![l.to_owned(), format!("[{shown}]")]], "").ok());
    move |s: &str| {
        let mut out = s.to_owned();
        for p in &passages {
            if out.contains(p.as_str()) {
                out = out.replace(p.as_str(), WITHDRAWN_NOTICE);
            }
        }
        if let Some(names) = &label_names {
            out = names.replace(&out).0;
        }
        (out != s).then_some(out)
    }
}

/// The summary of the one `participant.withdraw` entry: counts, no
/// content.
pub fn withdraw_payload(report: &WithdrawReport) -> serde_json::Value {
    let sources = &report.sources;
    let totals: HashMap<&str, usize> = HashMap::from([
        (
            "turns_removed",
            sources.iter().map(|s| s.turns_removed).sum(),
        ),
        (
            "chars_removed",
            sources.iter().map(|s| s.chars_removed).sum(),
        ),
        (
            "codings_deleted",
            sources
                .iter()
                .flat_map(|s| s.codings_deleted.values())
                .sum(),
        ),
        (
            "codings_shrunk",
            sources.iter().flat_map(|s| s.codings_shrunk.values()).sum(),
        ),
        (
            "anchored_memos_removed",
            sources.iter().map(|s| s.memos_removed).sum(),
        ),
        ("memos_removed", report.memos_removed),
        ("attributes_cleared", report.attributes_cleared),
        ("audit_redacted", report.audit_redacted),
        ("sources", sources.len()),
    ]);
    serde_json::json!({
        "participant": report.participant,
        "counts": totals,
        "per_source": sources.iter().map(|s| serde_json::json!({
            "source": s.source_id,
            "turns_removed": s.turns_removed,
            "chars_removed": s.chars_removed,
            "codings_deleted": s.codings_deleted,
            "codings_shrunk": s.codings_shrunk,
            "memos_removed": s.memos_removed,
        })).collect::<Vec<_>>(),
        "undoable": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{TEXT, fixture, span_of};
    use crate::{Book, CodingFilter, NewCode, NewParticipant, Store};

    #[test]
    fn withdrawal_removes_the_speech_and_keeps_everyone_else_in_place() {
        let mut f = fixture();
        f.store
            .add_participant(
                "tester",
                &NewParticipant {
                    code: Some("CSI-2".into()),
                    label: Some("Marie Dupont".into()),
                    site: None,
                },
            )
            .unwrap();
        let amira = f.store.scope("amira", false, false).unwrap();
        let code = f
            .store
            .add_code(
                &amira,
                &NewCode {
                    name: "Accueil".into(),
                    book: Some(Book::Own),
                    ..NewCode::default()
                },
            )
            .unwrap();
        // Inside the withdrawn turn, inside the interviewer's, and across.
        f.store
            .add_coding(&amira, f.source, span_of("confiance"), code, None)
            .unwrap();
        f.store
            .add_coding(&amira, f.source, span_of("allez-vous"), code, None)
            .unwrap();
        f.store
            .add_coding(&amira, f.source, span_of("vous ?\nCSI-2 : La"), code, None)
            .unwrap();
        // An earlier edit keeps the whole text in the log.
        f.store
            .edit_source(&amira, f.source, span_of("Comment"), "Alors, comment")
            .unwrap();
        let report = f.store.withdraw_participant("tester", "CSI-2").unwrap();
        assert_eq!(report.sources.len(), 1);
        let s = &report.sources[0];
        assert_eq!(s.turns_removed, 1);
        assert_eq!(s.codings_deleted.get("amira"), Some(&1));
        assert_eq!(s.codings_shrunk.get("amira"), Some(&1));
        assert_eq!(s.memos_removed, 1);
        let (text, _) = f.store.text_of(f.source).unwrap();
        assert_eq!(
            text,
            format!("INT : Alors, comment allez-vous ?\nCSI-2 : {WITHDRAWN_NOTICE}")
        );
        let mut texts: Vec<String> = f
            .store
            .codings(&amira, &CodingFilter::default())
            .unwrap()
            .into_iter()
            .map(|c| c.text)
            .collect();
        texts.sort();
        assert_eq!(texts, vec!["allez-vous", "vous ?\nCSI-2 : "]);
        let withdrawn = &TEXT[TEXT.find("La confiance").unwrap()..];
        for e in f.store.audit_log(1000).unwrap() {
            let d = e.data.to_string();
            assert!(
                !d.contains("méfiance"),
                "{} keeps the speech: {d}",
                e.action
            );
            assert!(!d.contains("Marie Dupont"), "{} keeps the label", e.action);
        }
        assert!(!withdrawn.is_empty());
        let people = f.store.participants().unwrap();
        assert_eq!(people[0].code.as_deref(), Some("CSI-2"));
        assert_eq!(people[0].label, None);
        assert_eq!(
            f.store.consents(Some("CSI-2")).unwrap()[0].status,
            "withdrawn"
        );
        assert!(f.store.undo("amira", 1).is_err());
        let speakers = f.store.speakers(None).unwrap();
        let csi = speakers.iter().find(|s| s.label == "CSI-2").unwrap();
        assert_eq!(csi.participant.as_deref(), Some("CSI-2"));
    }

    #[test]
    fn an_unknown_participant_changes_nothing() {
        let mut f = fixture();
        let log = f.store.audit_log(100).unwrap().len();
        let err = f.store.withdraw_participant("tester", "ZZ-9").unwrap_err();
        assert!(matches!(err, StoreError::UnknownParticipant(_)));
        assert_eq!(f.store.audit_log(100).unwrap().len(), log);
    }
}
