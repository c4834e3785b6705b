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
//! The assembly is written once over [`AgreementReads`], whose plain reads
//! each backend answers (SQLite's are at the end of this module).

use std::collections::{BTreeSet, HashMap};

pub use crate::agreement_codes::{
    CodeGroup, CodePairing, CodeRef, PairedBy, PairingCode, ReconciledOrigin,
};
use crate::agreement_codes::{Pairing, pair_codes};
use crate::boundary::{AgreementReads, CodingSpanRow, SourceSize};
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

/// Returns what `request` asks to compare, from any backend's reads (the
/// body of [`AgreementReads::agreement_data_for`]).
pub(crate) fn gather<S: AgreementReads + ?Sized>(
    store: &S,
    scope: &Scope,
    request: &AgreementRequest,
) -> Result<AgreementData, StoreError> {
    if !scope.sees_all() {
        return Err(StoreError::Blind);
    }
    let coders = compared_coders(store, &request.coders)?;
    let pairing = pair_codes(
        store.pairing_codes()?,
        &store.reconciled_origins()?,
        &coders,
        &request.pairs,
        request.level,
    )?;
    let (groups, unshared) = compared_groups(&pairing, request.only_code.as_deref())?;
    // (coder index, unit code id) -> compared code indices.
    let mut code_of: HashMap<(usize, i64), Vec<usize>> = HashMap::new();
    for (index, group) in groups.iter().enumerate() {
        for (coder, ids) in group.ids.iter().enumerate() {
            for &id in ids {
                code_of.entry((coder, id)).or_default().push(index);
            }
        }
    }
    let sources = compared_sources(store, &coders)?;
    let source_index: HashMap<i64, usize> =
        sources.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let coder_index: HashMap<i64, usize> =
        coders.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut spans = Vec::new();
    store.each_coding(&mut |row| {
        let (Some(&coder), Some(&source), Some(unit)) = (
            coder_index.get(&row.coder),
            source_index.get(&row.source),
            pairing.unit.get(&row.code),
        ) else {
            return;
        };
        for &code in code_of.get(&(coder, *unit)).into_iter().flatten() {
            spans.push(AgreementSpan {
                source,
                code,
                coder,
                start: u64::try_from(row.start).unwrap_or(0),
                end: u64::try_from(row.end).unwrap_or(0),
            });
        }
    })?;
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

/// Splits the pairing's groups into those every compared coder has and the
/// names of the others, keeping only `only_code` when asked; refuses a code
/// name no compared coder shares.
fn compared_groups(
    pairing: &Pairing,
    only_code: Option<&str>,
) -> Result<(Vec<CodeGroup>, Vec<String>), StoreError> {
    let mut groups = Vec::new();
    let mut unshared = Vec::new();
    for (name, group) in &pairing.groups {
        if only_code.is_some_and(|only| only != name) {
            continue;
        }
        if group.ids.iter().any(BTreeSet::is_empty) {
            unshared.push(name.clone());
        } else {
            let mut group = group.clone();
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
    Ok((groups, unshared))
}

/// Resolves the coders asked for (every coder when none), refusing the
/// consensus layer, unknown names, repeats and fewer than two.
fn compared_coders<S: AgreementReads + ?Sized>(
    store: &S,
    names: &[String],
) -> Result<Vec<Coder>, StoreError> {
    let consensus = store.consensus_coder()?;
    let coders: Vec<Coder> = if names.is_empty() {
        store.coders()?
    } else {
        let mut out = Vec::new();
        for name in names {
            if name.trim() == consensus.name {
                return Err(StoreError::Invalid(format!(
                    "{name:?} is the team's consensus layer, not a coder: agreement compares coders' own layers, so leave it out of --coders"
                )));
            }
            let coder = store
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

/// Returns the study's sources (context-only ones left out) with which of
/// `coders` coded each.
fn compared_sources<S: AgreementReads + ?Sized>(
    store: &S,
    coders: &[Coder],
) -> Result<Vec<AgreementSource>, StoreError> {
    let mut coded: Vec<BTreeSet<i64>> = Vec::with_capacity(coders.len());
    for coder in coders {
        coded.push(store.analysed_sources(coder.id)?.into_iter().collect());
    }
    Ok(store
        .compared_source_sizes()?
        .into_iter()
        .map(|s| AgreementSource {
            coded_by: coded.iter().map(|set| set.contains(&s.id)).collect(),
            id: s.id,
            name: s.name,
            chars: u64::try_from(s.chars).unwrap_or(0),
        })
        .collect())
}

impl AgreementReads for SqliteStore {
    fn pairing_codes(&self) -> Result<Vec<PairingCode>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, owner, name, parent, level FROM codes")?;
        let rows = stmt.query_map([], |r| {
            Ok(PairingCode {
                id: r.get(0)?,
                owner: r.get(1)?,
                name: r.get(2)?,
                parent: r.get(3)?,
                level: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn reconciled_origins(&self) -> Result<Vec<ReconciledOrigin>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT o.code_id, o.owner, o.shared_code FROM reconciliation_origins o \
             JOIN reconciliation_decisions d ON d.id = o.decision_id \
             JOIN codes s ON s.id = o.shared_code AND s.owner IS NULL \
             WHERE d.kind IN ('accept', 'merge') AND o.owner IS NOT NULL ORDER BY o.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ReconciledOrigin {
                code: r.get(0)?,
                owner: r.get(1)?,
                shared: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn analysed_sources(&self, coder: i64) -> Result<Vec<i64>, StoreError> {
        self.sources_coded_by_id(coder)
    }

    fn compared_source_sizes(&self) -> Result<Vec<SourceSize>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, chars FROM sources WHERE kind <> 'context' ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(SourceSize {
                id: r.get(0)?,
                name: r.get(1)?,
                chars: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn each_coding(&self, visit: &mut dyn FnMut(CodingSpanRow)) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT source_id, code_id, coder_id, start_char, end_char FROM codings")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            visit(CodingSpanRow {
                source: row.get(0)?,
                code: row.get(1)?,
                coder: row.get(2)?,
                start: row.get(3)?,
                end: row.get(4)?,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use verbatim_core::Span;

    use super::{AgreementRequest, CodePairing, CodeRef, PairedBy};
    use crate::AgreementReads;
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
