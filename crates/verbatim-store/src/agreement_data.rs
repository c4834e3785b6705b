//! The spans an agreement computation needs, read in one pass.
//!
//! Intercoder agreement compares coders on a shared codebook: the codes of
//! the shared codebook, and the codes that have the same name in every
//! compared coder's own codebook (teams that each build a tree from an
//! agreed list). This module reads just `(source, code, coder, start, end)`
//! for those codes, plus each source's size, without the passage texts, so
//! that `verbatim-analysis` can compare 170,000 passages in well under a
//! second. Context-only sources are left out: they are read, never counted.
//! Reading other coders' layers needs a [`Scope`] that sees every layer
//! (the study revealed, or solo mode).

use std::collections::{BTreeMap, HashMap};

use crate::coders::{Coder, Scope};
use crate::{SqliteStore, StoreError};

/// A source compared: its id, name and size in chars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementSource {
    /// The source's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its length in chars.
    pub chars: u64,
}

/// One coding, by index into [`AgreementData`]'s coders, codes and sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgreementSpan {
    /// Index into `sources`.
    pub source: usize,
    /// Index into `codes`.
    pub code: usize,
    /// Index into `coders`.
    pub coder: usize,
    /// First char.
    pub start: u64,
    /// Char just past the passage.
    pub end: u64,
}

/// Everything an agreement computation reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementData {
    /// The coders compared, in the order asked.
    pub coders: Vec<Coder>,
    /// The names of the codes every compared coder can use, sorted.
    pub codes: Vec<String>,
    /// Codes some coders have and others lack (left out), sorted.
    pub unshared: Vec<String>,
    /// The sources compared (context-only sources left out), by id.
    pub sources: Vec<AgreementSource>,
    /// The codings of those coders with those codes in those sources.
    pub spans: Vec<AgreementSpan>,
}

impl SqliteStore {
    /// Returns the codings of `coders` (names; every coder when empty) on
    /// their shared codes, optionally only the code named `only_code`.
    ///
    /// Needs a scope that sees every layer. Refuses unknown coders, fewer
    /// than two, and a code name no compared coder shares.
    pub fn agreement_data(
        &self,
        scope: &Scope,
        coders: &[String],
        only_code: Option<&str>,
    ) -> Result<AgreementData, StoreError> {
        if !scope.sees_all() {
            return Err(StoreError::Blind);
        }
        let coders: Vec<Coder> = if coders.is_empty() {
            self.coders()?
        } else {
            let mut out = Vec::new();
            for name in coders {
                let coder = self
                    .coder_by_name(name)?
                    .ok_or_else(|| StoreError::UnknownCoder(name.clone()))?;
                if out.iter().any(|c: &Coder| c.id == coder.id) {
                    return Err(StoreError::Invalid(format!(
                        "coder {name:?} is named twice in --coders"
                    )));
                }
                out.push(coder);
            }
            out
        };
        if coders.len() < 2 {
            return Err(StoreError::Invalid(format!(
                "agreement compares at least 2 coders; {} given or in the study",
                coders.len()
            )));
        }
        let coder_index: HashMap<i64, usize> =
            coders.iter().enumerate().map(|(i, c)| (c.id, i)).collect();

        // Code name -> for each compared coder, the code ids they may use.
        let mut by_name: BTreeMap<String, Vec<Vec<i64>>> = BTreeMap::new();
        let mut stmt = self.conn.prepare("SELECT id, owner, name FROM codes")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, owner, name) = row?;
            let entry = by_name
                .entry(name)
                .or_insert_with(|| vec![Vec::new(); coders.len()]);
            match owner {
                None => entry.iter_mut().for_each(|ids| ids.push(id)),
                Some(owner) => {
                    if let Some(&i) = coder_index.get(&owner) {
                        entry[i].push(id);
                    }
                }
            }
        }
        let mut codes = Vec::new();
        let mut unshared = Vec::new();
        // (coder index, code id) -> code index.
        let mut code_of: HashMap<(usize, i64), usize> = HashMap::new();
        for (name, ids) in by_name {
            if ids.iter().all(Vec::is_empty) {
                continue;
            }
            if only_code.is_some_and(|only| only != name) {
                continue;
            }
            if ids.iter().any(Vec::is_empty) {
                unshared.push(name);
                continue;
            }
            let index = codes.len();
            for (coder, ids) in ids.iter().enumerate() {
                for &id in ids {
                    code_of.insert((coder, id), index);
                }
            }
            codes.push(name);
        }
        if let Some(only) = only_code
            && codes.is_empty()
        {
            return Err(if unshared.is_empty() {
                StoreError::UnknownCode(only.to_owned())
            } else {
                StoreError::Invalid(format!(
                    "code {only:?} is not in every compared coder's codebook, nor in the shared one"
                ))
            });
        }

        let mut sources = Vec::new();
        let mut source_index: HashMap<i64, usize> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, chars FROM sources WHERE kind <> 'context' ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(AgreementSource {
                id: r.get(0)?,
                name: r.get(1)?,
                chars: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
            })
        })?;
        for row in rows {
            let source = row?;
            source_index.insert(source.id, sources.len());
            sources.push(source);
        }

        let mut spans = Vec::new();
        let mut stmt = self
            .conn
            .prepare("SELECT source_id, code_id, coder_id, start_char, end_char FROM codings")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let (source_id, code_id, coder_id): (i64, i64, i64) =
                (row.get(0)?, row.get(1)?, row.get(2)?);
            let Some(&coder) = coder_index.get(&coder_id) else {
                continue;
            };
            let (Some(&code), Some(&source)) =
                (code_of.get(&(coder, code_id)), source_index.get(&source_id))
            else {
                continue;
            };
            let (start, end): (i64, i64) = (row.get(3)?, row.get(4)?);
            spans.push(AgreementSpan {
                source,
                code,
                coder,
                start: u64::try_from(start).unwrap_or(0),
                end: u64::try_from(end).unwrap_or(0),
            });
        }
        Ok(AgreementData {
            coders,
            codes,
            unshared,
            sources,
            spans,
        })
    }
}

#[cfg(test)]
mod tests {
    use verbatim_core::Span;

    use crate::testkit;
    use crate::{Book, NewCode};

    fn code(name: &str, book: Book) -> NewCode {
        NewCode {
            name: name.into(),
            book: Some(book),
            ..NewCode::default()
        }
    }

    #[test]
    fn shared_and_same_named_codes_are_compared() {
        let testkit::Fixture {
            dir: _dir,
            mut store,
            source,
        } = testkit::fixture();
        let ana = store.scope("amira", false, false).unwrap();
        let ben = store.scope("bruno", false, false).unwrap();
        let shared = store
            .add_code(&ana, &code("confiance", Book::Shared))
            .unwrap();
        let ana_own = store.add_code(&ana, &code("limite", Book::Own)).unwrap();
        let ben_own = store.add_code(&ben, &code("limite", Book::Own)).unwrap();
        store.add_code(&ben, &code("cadre", Book::Own)).unwrap();
        let span = |s, e| Span::new(s, e).unwrap();
        store
            .add_coding(&ana, source, span(0, 10), shared, None)
            .unwrap();
        store
            .add_coding(&ben, source, span(5, 10), shared, None)
            .unwrap();
        store
            .add_coding(&ana, source, span(2, 4), ana_own, None)
            .unwrap();
        store
            .add_coding(&ben, source, span(2, 6), ben_own, None)
            .unwrap();

        assert!(store.agreement_data(&ana, &[], None).is_err(), "blind");
        assert!(store.scope("amira", true, false).is_err(), "not revealed");
        assert!(
            store.scope("amira", true, true).is_err(),
            "solo is the study's"
        );
        store.reveal("tester").unwrap();
        let solo = store.scope("amira", true, false).unwrap();
        let data = store.agreement_data(&solo, &[], None).unwrap();
        assert_eq!(data.codes, ["confiance", "limite"]);
        assert_eq!(data.unshared, ["cadre"]);
        assert_eq!(data.spans.len(), 4);
        assert_eq!(data.sources.len(), 1);
        let only = store.agreement_data(&solo, &[], Some("limite")).unwrap();
        assert_eq!(only.codes, ["limite"]);
        assert_eq!(only.spans.len(), 2);
        assert!(store.agreement_data(&solo, &[], Some("cadre")).is_err());
        assert!(store.agreement_data(&solo, &[], Some("absent")).is_err());
        assert!(
            store
                .agreement_data(&solo, &["amira".into()], None)
                .is_err()
        );
        assert!(
            store
                .agreement_data(&solo, &["amira".into(), "zoe".into()], None)
                .is_err()
        );
    }
}
