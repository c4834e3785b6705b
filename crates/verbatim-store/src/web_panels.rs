//! Reads the web interface's tables and review panels need, which no
//! command of the CLI prints.
//!
//! The sources table shows how many codings each source holds, as far as
//! the acting coder may see (the CLI counts codings per code, never per
//! source); the de-identification review lists the replacements already
//! applied, which the study keeps as counts and the names file's SHA-256
//! only (the names themselves never enter the study). Both keep the blind
//! rule through [`Scope`] where coding layers are involved.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use serde::Serialize;

use crate::coders::Scope;
use crate::{SqliteStore, StoreError};

/// One de-identification applied to the study, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct DeidRecord {
    /// Its id.
    pub id: i64,
    /// When it was applied (RFC 3339, UTC).
    pub applied_at: String,
    /// Who applied it.
    pub actor: String,
    /// The SHA-256 of the names file used.
    pub names_sha256: String,
    /// How many names the file listed.
    pub names: i64,
    /// How many replacements were made.
    pub replacements: i64,
    /// `study`, or the sources it was limited to.
    pub scope: String,
}

impl SqliteStore {
    /// Returns, per source id within `sources` (a page of the sources
    /// table), how many codings the scope sees in it (sources without any
    /// are absent). Read from the counts the triggers on `codings` keep,
    /// by source, so a page's cost follows its own sources.
    pub fn source_coding_counts(
        &self,
        scope: &Scope,
        sources: RangeInclusive<i64>,
    ) -> Result<HashMap<i64, i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT k.source_id, k.coder_id, c.owner, sum(k.n) \
             FROM coding_counts k JOIN codes c ON c.id = k.code_id \
             WHERE k.source_id BETWEEN $1 AND $2 \
             GROUP BY k.source_id, k.coder_id, c.owner",
        )?;
        let mut rows = stmt.query([*sources.start(), *sources.end()])?;
        let mut out: HashMap<i64, i64> = HashMap::new();
        while let Some(r) = rows.next()? {
            let coder: i64 = r.get(1)?;
            let owner: Option<i64> = r.get(2)?;
            if !crate::rules::sees_coding(scope, coder, owner) {
                continue;
            }
            *out.entry(r.get(0)?).or_default() += r.get::<_, i64>(3)?;
        }
        Ok(out)
    }

    /// Returns the de-identifications applied to the study, oldest first.
    pub fn deidentifications(&self) -> Result<Vec<DeidRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, applied_at, actor, names_sha256, names, replacements, scope \
             FROM deidentifications ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DeidRecord {
                id: r.get(0)?,
                applied_at: r.get(1)?,
                actor: r.get(2)?,
                names_sha256: r.get(3)?,
                names: r.get(4)?,
                replacements: r.get(5)?,
                scope: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::{fixture, span_of};
    use crate::{Book, NamesList, NewCode};

    #[test]
    fn coding_counts_follow_the_blind_rule() {
        let mut f = fixture();
        let amira = f.store.scope("amira", false, false).unwrap();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        for (scope, name, passage) in [
            (&amira, "Confiance", "La confiance"),
            (&amira, "Méfiance", "la méfiance"),
            (&bruno, "Trust", "La confiance se construit"),
        ] {
            let code = f
                .store
                .add_code(
                    scope,
                    &NewCode {
                        name: name.into(),
                        book: Some(Book::Own),
                        ..NewCode::default()
                    },
                )
                .unwrap();
            f.store
                .add_coding(scope, f.source, span_of(passage), code, None)
                .unwrap();
        }
        let mine = f
            .store
            .source_coding_counts(&amira, f.source..=f.source)
            .unwrap();
        assert_eq!(mine.get(&f.source), Some(&2), "amira sees her two only");
        f.store.reveal("tester").unwrap();
        let all = f.store.scope("amira", true, false).unwrap();
        let every = f.store.source_coding_counts(&all, 1..=i64::MAX).unwrap();
        assert_eq!(every.get(&f.source), Some(&3));
    }

    #[test]
    fn applied_deidentifications_are_listed_with_counts_only() {
        let mut f = fixture();
        assert!(f.store.deidentifications().unwrap().is_empty());
        let rows = vec![
            vec!["real".to_owned(), "replacement".to_owned()],
            vec!["confiance".to_owned(), "[X]".to_owned()],
        ];
        let names = NamesList::parse(&rows, &"ab".repeat(32)).unwrap();
        let dry = f.store.deidentify("tester", &names, None, true).unwrap();
        assert_eq!(dry.replacements.len(), 1);
        assert!(
            f.store.deidentifications().unwrap().is_empty(),
            "a dry run records nothing"
        );
        f.store.deidentify("tester", &names, None, false).unwrap();
        let done = f.store.deidentifications().unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].replacements, 1);
        assert_eq!(done[0].names, 1);
        assert_eq!(done[0].actor, "tester");
        assert_eq!(done[0].names_sha256, "ab".repeat(32));
    }
}
