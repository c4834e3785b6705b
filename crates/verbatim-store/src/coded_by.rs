//! Which sources a coder analysed, and when each source was collected.
//!
//! Every per-coder analysis speaks of "the interviews this coder analysed":
//! agreement compares two coders on the sources both coded, saturation walks
//! a coder's sources in collection order, prevalence counts participants
//! over the sources coded. Walking every source of the study instead tells a
//! coder who never opened an interview that it "added nothing new". This
//! module is the one answer to "which sources did this coder code":
//!
//! - a source holds at least one of the coder's codings with an analytic
//!   code (a structural code such as an interview-guide question, applied
//!   by autocoding, is not analysis), or
//! - the coder marked it done (`verbatim source done`), for a transcript
//!   read in full that needed no code.
//!
//! The consensus layer's sources are those any coder coded: the team's
//! consensus is built from everything the team analysed.

use rusqlite::OptionalExtension;
use rusqlite::types::Value;

use crate::history::{Table, id_key};
use crate::{Scope, SqliteStore, StoreError};

impl SqliteStore {
    /// Returns the ids of the sources the scope's coder analysed (coded with
    /// an analytic code, or marked done), in id order. For the consensus
    /// scope, the sources any coder analysed.
    pub fn sources_coded_by(&self, scope: &Scope) -> Result<Vec<i64>, StoreError> {
        if scope.is_consensus() {
            return self.sources_coded_by_anyone();
        }
        self.sources_coded_by_id(scope.coder().id)
    }

    /// Returns the ids of the sources coder `coder_id` analysed, in id order.
    /// Which sources a colleague coded is not blind: it says nothing of
    /// what they coded.
    pub fn sources_coded_by_id(&self, coder_id: i64) -> Result<Vec<i64>, StoreError> {
        // CROSS JOIN keeps codes outermost, so each analytic code seeks
        // `coding_counts` by its (code_id, coder_id) key prefix instead of
        // scanning every coder's counts (a third faster on 3 coders).
        let mut stmt = self.conn.prepare_cached(
            "SELECT cc.source_id FROM codes c CROSS JOIN coding_counts cc \
             ON cc.code_id = c.id AND cc.coder_id = $1 WHERE c.kind = 'analytic' \
             UNION SELECT source_id FROM source_done WHERE coder_id = $1 ORDER BY 1",
        )?;
        let ids = stmt.query_map([coder_id], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// Returns the ids of the sources any coder (never the consensus)
    /// analysed, in id order.
    pub fn sources_coded_by_anyone(&self) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT cc.source_id FROM coding_counts cc JOIN codes c ON c.id = cc.code_id \
             JOIN coders k ON k.id = cc.coder_id \
             WHERE c.kind = 'analytic' AND k.kind = 'coder' \
             UNION SELECT d.source_id FROM source_done d JOIN coders k ON k.id = d.coder_id \
             WHERE k.kind = 'coder' ORDER BY 1",
        )?;
        let ids = stmt.query_map([], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// Returns the ids of the sources the scope's coder marked done.
    pub fn sources_marked_done(&self, scope: &Scope) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT source_id FROM source_done WHERE coder_id = $1 ORDER BY 1")?;
        let ids = stmt.query_map([scope.coder().id], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// Marks a source as analysed by the scope's coder (`done`), or takes
    /// the mark back. One undoable action; returns false when nothing
    /// changed.
    pub fn set_source_done(
        &mut self,
        actor: &str,
        scope: &Scope,
        source_id: i64,
        done: bool,
    ) -> Result<bool, StoreError> {
        self.source_name(source_id)?;
        let coder = scope.coder().id;
        let existing: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM source_done WHERE source_id = $1 AND coder_id = $2",
                [source_id, coder],
                |r| r.get(0),
            )
            .optional()?;
        if existing.is_some() == done {
            return Ok(false);
        }
        let action = crate::rules::done_action(done);
        self.act(actor, action, &format!("source:{source_id}"), |tx, rec| {
            match existing {
                Some(id) => rec.delete(tx, Table::SourceDone, id_key(id))?,
                None => {
                    rec.insert(
                        tx,
                        Table::SourceDone,
                        &[
                            ("source_id", Value::Integer(source_id)),
                            ("coder_id", Value::Integer(coder)),
                            ("marked_at", Value::Text(crate::audit::now())),
                        ],
                    )?;
                }
            }
            Ok(((), serde_json::json!({ "coder": scope.coder().name })))
        })?;
        Ok(true)
    }

    /// Sets (or, with `None`, clears) the date a source was collected, as
    /// `YYYY-MM-DD`. One undoable action.
    pub fn set_source_date(
        &mut self,
        actor: &str,
        source_id: i64,
        date: Option<&str>,
    ) -> Result<(), StoreError> {
        self.set_sources_date(actor, &[source_id], date)
    }

    /// Sets (or clears) the collection date of several sources at once
    /// (`import --date`): one undoable action; nothing changes when a date
    /// or a source is wrong.
    pub fn set_sources_date(
        &mut self,
        actor: &str,
        source_ids: &[i64],
        date: Option<&str>,
    ) -> Result<(), StoreError> {
        if source_ids.is_empty() {
            return Ok(());
        }
        for &id in source_ids {
            self.source_name(id)?;
        }
        let date = date.map(parse_date).transpose()?;
        let value = date.clone().map_or(Value::Null, Value::Text);
        let target = match source_ids {
            [one] => format!("source:{one}"),
            many => format!("sources:{}", many.len()),
        };
        self.act(actor, "source.date", &target, |tx, rec| {
            for &id in source_ids {
                rec.update(
                    tx,
                    Table::Sources,
                    id_key(id),
                    &[("collected_on", value.clone())],
                )?;
            }
            Ok((
                (),
                serde_json::json!({ "collected_on": date, "sources": source_ids }),
            ))
        })
    }

    /// Returns each source's collection date, where one is known, by id.
    pub fn collection_dates(&self) -> Result<Vec<(i64, Option<String>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, collected_on FROM sources ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn source_name(&self, source_id: i64) -> Result<String, StoreError> {
        self.conn
            .query_row("SELECT name FROM sources WHERE id = $1", [source_id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::SourceNotFound(source_id.to_string()))
    }
}

/// Checks a collection date: `YYYY-MM-DD`, a real calendar day.
pub fn parse_date(text: &str) -> Result<String, StoreError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format)
        .map(|d| d.to_string())
        .map_err(|_| {
            StoreError::Invalid(format!(
                "{text:?} is not a date: write it as YYYY-MM-DD, e.g. 2024-03-12"
            ))
        })
}

#[cfg(test)]
mod tests {
    use crate::testkit::{fixture, span_of};
    use crate::{Book, NewCode};

    #[test]
    fn a_source_counts_when_coded_with_an_analytic_code_or_marked_done() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        assert!(f.store.sources_coded_by(&amira).unwrap().is_empty());
        let code = f
            .store
            .add_code(
                &amira,
                &NewCode {
                    name: "Confiance".into(),
                    book: Some(Book::Own),
                    ..NewCode::default()
                },
            )
            .unwrap();
        f.store
            .add_coding(&amira, f.source, span_of("La confiance"), code, None)
            .unwrap();
        assert_eq!(f.store.sources_coded_by(&amira).unwrap(), vec![f.source]);
        assert!(f.store.sources_coded_by(&bruno).unwrap().is_empty());
        assert!(
            f.store
                .set_source_done("bruno", &bruno, f.source, true)
                .unwrap()
        );
        assert!(
            !f.store
                .set_source_done("bruno", &bruno, f.source, true)
                .unwrap()
        );
        assert_eq!(f.store.sources_coded_by(&bruno).unwrap(), vec![f.source]);
        f.store.undo("bruno", 1).unwrap();
        assert!(f.store.sources_coded_by(&bruno).unwrap().is_empty());
        let consensus = f.store.consensus_scope().unwrap();
        assert_eq!(
            f.store.sources_coded_by(&consensus).unwrap(),
            vec![f.source]
        );
    }

    #[test]
    fn a_collection_date_must_be_a_real_day() {
        let mut f = fixture();
        assert!(
            f.store
                .set_source_date("amira", f.source, Some("2024-02-30"))
                .is_err()
        );
        assert!(
            f.store
                .set_source_date("amira", f.source, Some("12/03/2024"))
                .is_err()
        );
        f.store
            .set_source_date("amira", f.source, Some("2024-03-12"))
            .unwrap();
        assert_eq!(
            f.store.collection_dates().unwrap(),
            vec![(f.source, Some("2024-03-12".to_owned()))]
        );
    }

    #[test]
    fn dates_of_several_sources_are_one_undoable_action() {
        let mut f = fixture();
        f.store
            .set_sources_date("amira", &[f.source], Some("2024-03-12"))
            .unwrap();
        assert!(
            f.store
                .set_sources_date("amira", &[f.source, 9999], Some("2024-03-13"))
                .is_err(),
            "an unknown source changes nothing"
        );
        assert_eq!(
            f.store.collection_dates().unwrap(),
            vec![(f.source, Some("2024-03-12".to_owned()))]
        );
        f.store.undo("amira", 1).unwrap();
        assert_eq!(f.store.collection_dates().unwrap(), vec![(f.source, None)]);
    }

    #[test]
    fn the_consensus_is_no_coder() {
        let mut f = fixture();
        let names: Vec<String> = f
            .store
            .coders()
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, vec!["amira", "bruno"]);
        assert!(f.store.add_coder("t", "Consensus", None, None).is_err());
        assert!(f.store.scope("consensus", false, false).is_err());
        let consensus = f.store.consensus_scope().unwrap();
        assert!(consensus.is_consensus());
        assert_eq!(consensus.own_book(), None);
    }
}
