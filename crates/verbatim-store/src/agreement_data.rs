//! The spans an agreement computation needs, read in one pass.
//!
//! Intercoder agreement compares coders on codes they share: the codes of
//! the shared codebook, codes with the same name in every compared coder's
//! own codebook, codes a reconciliation decision joined, and codes the user
//! paired (see [`crate::agreement_codes`] for the rules, and `--level` to
//! roll ideas up to their theme). This module reads just `(source, code,
//! coder, start, end)` for those codes, each source's size and which
//! compared coders coded it (`coded_by`), without the passage texts, so that
//! `verbatim-analysis` can compare 170,000 passages in well under a second.
//! Context-only sources are left out: they are read, never counted. The
//! consensus layer is never a coder here. Reading other coders' layers
//! needs a [`Scope`] that sees every layer (the study revealed, or solo).

use std::collections::{BTreeSet, HashMap};

pub use crate::agreement_codes::{CodeGroup, CodePairing, CodeRef, PairedBy};
use crate::coders::{Coder, Scope};
use crate::{SqliteStore, StoreError};

/// A source compared: its id, name, size in chars and who coded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementSource {
    /// The source's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its length in chars.
    pub chars: u64,
    /// For each compared coder (by index), whether they coded it (an
    /// analytic coding, or marked done).
    pub coded_by: Vec<bool>,
}

/// One coding, by index into [`AgreementData`]'s coders, codes and sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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

/// What to compare.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgreementRequest {
    /// The coders by name (every coder of the study when empty).
    pub coders: Vec<String>,
    /// Only the compared code of this name.
    pub only_code: Option<String>,
    /// Codes to compare as one, beyond names and reconciliation.
    pub pairs: Vec<CodePairing>,
    /// Roll codes up to their ancestor of this level rank first.
    pub level: Option<i64>,
}

/// Everything an agreement computation reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementData {
    /// The coders compared, in the order asked.
    pub coders: Vec<Coder>,
    /// The names of the codes every compared coder can use, sorted.
    pub codes: Vec<String>,
    /// For each compared code, how it was paired and what it holds.
    pub groups: Vec<CodeGroup>,
    /// Codes some coders have and others lack (left out), sorted.
    pub unshared: Vec<String>,
    /// Codes left out because they have no ancestor at the level compared.
    pub off_level: Vec<String>,
    /// The sources (context-only sources left out), by id.
    pub sources: Vec<AgreementSource>,
    /// The codings of those coders with those codes in those sources, each
    /// once (a passage coded with an idea and its theme counts once at the
    /// theme level).
    pub spans: Vec<AgreementSpan>,
}

impl SqliteStore {
    /// Returns the codings of `coders` (names; every coder when empty) on
    /// their shared codes, optionally only the code named `only_code`.
    pub fn agreement_data(
        &self,
        scope: &Scope,
        coders: &[String],
        only_code: Option<&str>,
    ) -> Result<AgreementData, StoreError> {
        self.agreement_data_for(
            scope,
            &AgreementRequest {
                coders: coders.to_vec(),
                only_code: only_code.map(str::to_owned),
                ..AgreementRequest::default()
            },
        )
    }

    /// Returns what `request` asks to compare.
    ///
    /// Needs a scope that sees every layer. Refuses unknown coders, the
    /// consensus layer, fewer than two coders, and a code name no compared
    /// coder shares.
    pub fn agreement_data_for(
        &self,
        scope: &Scope,
        request: &AgreementRequest,
    ) -> Result<AgreementData, StoreError> {
        if !scope.sees_all() {
            return Err(StoreError::Blind);
        }
        let coders = self.compared_coders(&request.coders)?;
        let pairing = self.pair_codes(&coders, &request.pairs, request.level)?;
        let only_code = request.only_code.as_deref();
        let mut groups = Vec::new();
        let mut unshared = Vec::new();
        for (name, group) in pairing.groups.clone() {
            if only_code.is_some_and(|only| only != name) {
                continue;
            }
            if group.ids.iter().any(BTreeSet::is_empty) {
                unshared.push(name);
            } else {
                let mut group = group;
                group.members.iter_mut().for_each(|m| m.sort());
                groups.push(group);
            }
        }
        if let Some(only) = only_code
            && groups.is_empty()
        {
            return Err(if unshared.is_empty() {
                StoreError::UnknownCode(only.to_owned())
            } else {
                StoreError::Invalid(format!(
                    "code {only:?} is not in every compared coder's codebook, nor in the shared one"
                ))
            });
        }
        // (coder index, unit code id) -> compared code indices.
        let mut code_of: HashMap<(usize, i64), Vec<usize>> = HashMap::new();
        for (index, group) in groups.iter().enumerate() {
            for (coder, ids) in group.ids.iter().enumerate() {
                for &id in ids {
                    code_of.entry((coder, id)).or_default().push(index);
                }
            }
        }
        let sources = self.compared_sources(&coders)?;
        let source_index: HashMap<i64, usize> =
            sources.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let coder_index: HashMap<i64, usize> =
            coders.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        let mut spans = Vec::new();
        let mut stmt = self
            .conn
            .prepare("SELECT source_id, code_id, coder_id, start_char, end_char FROM codings")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let (source_id, code_id, coder_id): (i64, i64, i64) =
                (row.get(0)?, row.get(1)?, row.get(2)?);
            let (Some(&coder), Some(&source), Some(unit)) = (
                coder_index.get(&coder_id),
                source_index.get(&source_id),
                pairing.unit.get(&code_id),
            ) else {
                continue;
            };
            let Some(codes) = code_of.get(&(coder, *unit)) else {
                continue;
            };
            let (start, end): (i64, i64) = (row.get(3)?, row.get(4)?);
            for &code in codes {
                spans.push(AgreementSpan {
                    source,
                    code,
                    coder,
                    start: u64::try_from(start).unwrap_or(0),
                    end: u64::try_from(end).unwrap_or(0),
                });
            }
        }
        spans.sort_unstable();
        spans.dedup();
        Ok(AgreementData {
            coders,
            codes: groups.iter().map(|g| g.name.clone()).collect(),
            groups,
            unshared,
            off_level: pairing.off_level.into_iter().collect(),
            sources,
            spans,
        })
    }

    /// Resolves the coders asked for (every coder when none), refusing the
    /// consensus layer, unknown names, repeats and fewer than two.
    fn compared_coders(&self, names: &[String]) -> Result<Vec<Coder>, StoreError> {
        let consensus = self.consensus_coder()?;
        let coders: Vec<Coder> = if names.is_empty() {
            self.coders()?
        } else {
            let mut out = Vec::new();
            for name in names {
                if name.trim() == consensus.name {
                    return Err(StoreError::Invalid(format!(
                        "{name:?} is the team's consensus layer, not a coder: agreement compares coders' own layers, so leave it out of --coders"
                    )));
                }
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
        Ok(coders)
    }

    /// Returns the study's sources (context-only ones left out) with which
    /// of `coders` coded each.
    fn compared_sources(&self, coders: &[Coder]) -> Result<Vec<AgreementSource>, StoreError> {
        let mut coded: Vec<BTreeSet<i64>> = Vec::with_capacity(coders.len());
        for coder in coders {
            coded.push(self.sources_coded_by_id(coder.id)?.into_iter().collect());
        }
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, chars FROM sources WHERE kind <> 'context' ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut sources = Vec::new();
        for row in rows {
            let (id, name, chars) = row?;
            sources.push(AgreementSource {
                id,
                name,
                chars: u64::try_from(chars).unwrap_or(0),
                coded_by: coded.iter().map(|set| set.contains(&id)).collect(),
            });
        }
        Ok(sources)
    }
}

#[cfg(test)]
mod tests {
    use verbatim_core::Span;

    use super::{AgreementRequest, CodePairing, CodeRef, PairedBy};
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

    fn own(name: &str, level: &str, parent: Option<i64>) -> NewCode {
        NewCode {
            name: name.into(),
            level: Some(level.into()),
            parent,
            book: Some(Book::Own),
            ..NewCode::default()
        }
    }

    /// Two independent trees: amira's theme "Relation" holds the idea
    /// "Confiance", bruno's theme "Lien" holds the idea "Trust". A merge of
    /// the two ideas pairs them through the reconciliation decision; an
    /// explicit pairing of the themes, with codings rolled up to the theme
    /// level, compares the themes (each coding of an idea counts for its
    /// theme, and the same passage coded twice counts once).
    #[test]
    fn codes_pair_through_reconciliation_explicit_pairs_and_levels() {
        let testkit::Fixture {
            dir: _dir,
            mut store,
            source,
        } = testkit::fixture();
        let ana = store.scope("amira", false, false).unwrap();
        let ben = store.scope("bruno", false, false).unwrap();
        let relation = store
            .add_code(&ana, &own("Relation", "theme", None))
            .unwrap();
        let confiance = store
            .add_code(&ana, &own("Confiance", "idea", Some(relation)))
            .unwrap();
        let lien = store.add_code(&ben, &own("Lien", "theme", None)).unwrap();
        let trust = store
            .add_code(&ben, &own("Trust", "idea", Some(lien)))
            .unwrap();
        let span = |s, e| Span::new(s, e).unwrap();
        store
            .add_coding(&ana, source, span(0, 10), confiance, None)
            .unwrap();
        store
            .add_coding(&ana, source, span(0, 10), relation, None)
            .unwrap();
        store
            .add_coding(&ben, source, span(5, 10), trust, None)
            .unwrap();
        store.reveal("amira").unwrap();
        let solo = store.scope("amira", true, true).unwrap();

        let by_name = store.agreement_data(&solo, &[], None).unwrap();
        assert!(by_name.codes.is_empty());
        assert_eq!(by_name.unshared, ["Confiance", "Lien", "Relation", "Trust"]);
        assert_eq!(by_name.sources[0].coded_by, [true, true]);

        let pairs = vec![CodePairing {
            a: CodeRef {
                coder: "amira".into(),
                code: "Relation".into(),
            },
            b: CodeRef {
                coder: "bruno".into(),
                code: "Lien".into(),
            },
        }];
        let themes = store
            .agreement_data_for(
                &solo,
                &AgreementRequest {
                    pairs,
                    level: Some(store.level_rank_of("theme").unwrap()),
                    ..AgreementRequest::default()
                },
            )
            .unwrap();
        assert_eq!(themes.codes, ["Relation = Lien"]);
        assert_eq!(themes.groups[0].paired_by, PairedBy::Explicit);
        assert_eq!(themes.groups[0].members, [vec!["Relation"], vec!["Lien"]]);
        // amira's two codings of [0, 10) count once at the theme level.
        let spans: Vec<(usize, u64, u64)> = themes
            .spans
            .iter()
            .map(|s| (s.coder, s.start, s.end))
            .collect();
        assert_eq!(spans, [(0, 0, 10), (1, 5, 10)]);

        store
            .reconcile_merge(
                &solo,
                confiance,
                trust,
                Some("Confiance mutuelle"),
                None,
                None,
            )
            .unwrap();
        let merged = store.agreement_data(&solo, &[], None).unwrap();
        assert_eq!(merged.codes, ["Confiance mutuelle"]);
        assert_eq!(merged.groups[0].paired_by, PairedBy::Reconciliation);
        assert_eq!(
            merged.groups[0].members,
            [
                vec!["Confiance", "Confiance mutuelle"],
                vec!["Confiance mutuelle", "Trust"]
            ]
        );
        assert_eq!(merged.unshared, ["Lien", "Relation"]);
        assert_eq!(merged.spans.len(), 2);

        let bad = |pairs: Vec<CodePairing>| {
            store
                .agreement_data_for(
                    &solo,
                    &AgreementRequest {
                        pairs,
                        ..AgreementRequest::default()
                    },
                )
                .unwrap_err()
                .to_string()
        };
        let side = |coder: &str, code: &str| CodeRef {
            coder: coder.into(),
            code: code.into(),
        };
        let unknown = bad(vec![CodePairing {
            a: side("amira", "Absent"),
            b: side("bruno", "Trust"),
        }]);
        assert!(unknown.contains("no code named \"Absent\""), "{unknown}");
        let stranger = bad(vec![CodePairing {
            a: side("zoé", "Relation"),
            b: side("bruno", "Trust"),
        }]);
        assert!(
            stranger.contains("not among the coders compared"),
            "{stranger}"
        );
        let consensus = store
            .agreement_data(&solo, &["amira".into(), crate::CONSENSUS_NAME.into()], None)
            .unwrap_err()
            .to_string();
        assert!(consensus.contains("consensus layer"), "{consensus}");
    }
}
