//! Quotes out to translators (XLIFF 2.0, CSV) and their translations back
//! in.
//!
//! A paper in English quotes French participants in both languages, and
//! translators work in CAT tools that read XLIFF, the OASIS standard, or
//! from a spreadsheet. The round trip:
//!
//! 1. [`units`] turns the report's quotes ([`crate::quotes::select`]) into
//!    one [`Unit`] per coding: its exchange id (the coding's GUID), the
//!    words, the sentence before and after, the attribution (`CHFG-C`) and
//!    the code path, and a SHA-256 of the words as exported;
//! 2. [`xliff::write`] or [`sheet::write`] writes them for the translator
//!    (an existing translation is filled in as the target, to review);
//! 3. [`xliff::read`] or [`sheet::read`] reads the translated file back
//!    into [`Returned`] units, refusing a malformed file with one sentence
//!    saying where;
//! 4. [`apply`] matches each returned unit to its coding (or code) and
//!    attaches the translation, all in one undoable action.
//!
//! Code names travel in the same file ([`code_units`]): one unit per code
//! above the lowest level (the themes a report names), its id `code-` and
//! the code's GUID, so an English report can name a French study's themes
//! in English ([`apply`] stores them as the codes' names in the target
//! language, `verbatim code translate` does one by hand). A code renamed
//! since the export is skipped and reported, like a changed quote.
//!
//! A quote whose words changed since the export (a source edited, a
//! passage re-cut) is **skipped and reported**, never attached: the
//! translation was made for other words, and attaching it silently would
//! put words in a participant's mouth. Units that match no coding (deleted
//! since, or from another study) are reported too. Nothing is written when
//! the file cannot be read.

pub mod sheet;
pub mod xliff;

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sha2::{Digest, Sha256};
use thiserror::Error;
use verbatim_core::Language;
use verbatim_store::{
    AnalysisReads, CodeNode, NewCodeName, NewTranslation, Scope, StoreError, Translations,
};

use crate::quotes::CodeQuotes;

/// Why a translation file could not be written or read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TranslationError {
    /// The file is not what it should be; the message says where and what.
    #[error("{file}: {message}")]
    Malformed {
        /// The file's name, as the user gave it.
        file: String,
        /// What is wrong, and where.
        message: String,
    },
    /// A language tag is not a BCP 47 primary tag.
    #[error("{0}")]
    Language(String),
    /// The study could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One quote as a translator receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    /// The coding's exchange id.
    pub id: String,
    /// The quote's language, when known.
    pub language: Option<String>,
    /// The words to translate.
    pub text: String,
    /// The sentence before.
    pub before: String,
    /// The sentence after.
    pub after: String,
    /// Who said it (`CHFG-C`) and where (the source's name).
    pub attribution: String,
    /// The code path (`Meta-theme › Theme › Code`).
    pub code: String,
    /// A translation already attached in the target language, to review.
    pub existing: Option<String>,
    /// SHA-256 of `text`, hex: how a changed quote is recognised on import.
    pub hash: String,
}

/// Returns the SHA-256 of a quote's words, hex.
pub fn hash_text(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Returns one unit per quoted coding (a quote shown under several codes
/// once, with its own code's path), in the order the report shows them,
/// leaving out quotes already in `target`'s language.
pub fn units(quotes: &[CodeQuotes], target: &Language) -> Vec<Unit> {
    let own_path: HashMap<i64, String> =
        quotes.iter().map(|c| (c.code_id, c.path_text())).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for code in quotes {
        for q in &code.quotes {
            if !seen.insert(q.guid.as_str()) {
                continue;
            }
            if q.language.as_deref() == Some(target.as_str()) {
                continue;
            }
            out.push(Unit {
                id: q.guid.clone(),
                language: q.language.clone(),
                text: q.text.clone(),
                before: q.before.clone(),
                after: q.after.clone(),
                attribution: format!("{} — {}", q.attribution(), q.source),
                code: own_path
                    .get(&q.code_id)
                    .cloned()
                    .unwrap_or_else(|| code.path_text()),
                existing: q.translation(target.as_str()).map(str::to_owned),
                hash: hash_text(&q.text),
            });
        }
    }
    out
}

/// The prefix of a code name's unit id, before the code's GUID.
pub const CODE_UNIT: &str = "code-";

/// Returns one unit per code of `tree` above the lowest level, in display
/// order: its name to translate, in `language` (the study's), with the
/// name already given in `target` to review.
pub fn code_units(
    tree: &[CodeNode],
    language: Option<&str>,
    existing: &HashMap<i64, String>,
) -> Vec<Unit> {
    let by_id: HashMap<i64, &CodeNode> = tree.iter().map(|n| (n.id, n)).collect();
    tree.iter()
        .filter(|n| n.level >= 2)
        .map(|n| {
            let mut path = vec![n.name.clone()];
            let mut up = n.parent;
            while let Some(p) = up.and_then(|id| by_id.get(&id)) {
                if path.len() > tree.len() {
                    break;
                }
                path.push(p.name.clone());
                up = p.parent;
            }
            path.reverse();
            Unit {
                id: format!("{CODE_UNIT}{}", n.guid),
                language: language.map(str::to_owned),
                text: n.name.clone(),
                before: String::new(),
                after: String::new(),
                attribution: format!("{} ({})", n.level_name, "code name"),
                code: path.join(" › "),
                existing: existing.get(&n.id).cloned(),
                hash: hash_text(&n.name),
            }
        })
        .collect()
}

/// One unit of a translated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedUnit {
    /// The unit's id (a coding's exchange id).
    pub id: String,
    /// The hash of the words as exported, if the file kept it.
    pub hash: Option<String>,
    /// The translation; empty when the translator left it.
    pub target: String,
}

/// A translated file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returned {
    /// The target language the file declares.
    pub language: Language,
    /// Its units, in file order.
    pub units: Vec<ReturnedUnit>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The target language.
    pub language: String,
    /// Translations attached (new or replacing an earlier one).
    pub attached: usize,
    /// Of those, how many were new.
    pub new: usize,
    /// Units whose quote changed since the export: skipped.
    pub changed: Vec<Changed>,
    /// Unit ids that match no coding the scope sees: skipped.
    pub unknown: Vec<String>,
    /// Units left untranslated: skipped.
    pub untranslated: usize,
    /// Code names attached in the target language.
    pub code_names: usize,
    /// Codes renamed since the export: skipped.
    pub changed_codes: Vec<ChangedCode>,
}

/// A code renamed since the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedCode {
    /// The unit's id.
    pub id: String,
    /// The code's id in this study.
    pub code: i64,
    /// The code's name now.
    pub now: String,
}

/// A quote whose words changed since the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The unit's id.
    pub id: String,
    /// The coding's id in this study.
    pub coding: i64,
    /// The quote's words now.
    pub now: String,
}

/// Attaches each returned translation to its coding, in one action; skips
/// and reports units whose quote changed since export or that match no
/// coding (see the module docs).
pub fn apply<S: AnalysisReads + Translations + ?Sized>(
    store: &mut S,
    scope: &Scope,
    returned: &Returned,
) -> Result<ImportReport, TranslationError> {
    let mut report = ImportReport {
        language: returned.language.as_str().to_owned(),
        ..ImportReport::default()
    };
    let mut found = Vec::new();
    let mut names = Vec::new();
    for unit in &returned.units {
        if unit.target.trim().is_empty() {
            report.untranslated += 1;
            continue;
        }
        if let Some(guid) = unit.id.strip_prefix(CODE_UNIT) {
            match code_name(store, scope, guid, unit, returned)? {
                Some(Ok(name)) => names.push(name),
                Some(Err(changed)) => report.changed_codes.push(changed),
                None => report.unknown.push(unit.id.clone()),
            }
            continue;
        }
        match store.coding_by_guid(scope, &unit.id)? {
            Some(coding) => found.push((unit, coding)),
            None => report.unknown.push(unit.id.clone()),
        }
    }
    let spans: Vec<(i64, i64, i64)> = found
        .iter()
        .map(|(_, c)| (c.source_id, c.start, c.end))
        .collect();
    let texts = store.passage_texts(&spans, 0)?;
    let mut items = Vec::new();
    for ((unit, coding), now) in found.iter().zip(texts) {
        // A file without the hash cannot prove the words are the same.
        if unit.hash.as_deref() != Some(hash_text(&now.text).as_str()) {
            report.changed.push(Changed {
                id: unit.id.clone(),
                coding: coding.id,
                now: now.text,
            });
            continue;
        }
        items.push(NewTranslation {
            coding: coding.id,
            language: returned.language.clone(),
            text: unit.target.trim().to_owned(),
        });
    }
    if !items.is_empty() || !names.is_empty() {
        (report.new, report.code_names) =
            store.attach_translations_and_names(scope, &items, &names)?;
    }
    report.attached = items.len();
    Ok(report)
}

/// Matches a code name's unit to its code: the name to set, the code
/// renamed since the export, or `None` when no code the scope sees has
/// this GUID.
fn code_name<S: Translations + ?Sized>(
    store: &S,
    scope: &Scope,
    guid: &str,
    unit: &ReturnedUnit,
    returned: &Returned,
) -> Result<Option<Result<NewCodeName, ChangedCode>>, StoreError> {
    let Some((id, now)) = store.code_by_guid(scope, guid)? else {
        return Ok(None);
    };
    if unit.hash.as_deref() != Some(hash_text(&now).as_str()) {
        return Ok(Some(Err(ChangedCode {
            id: unit.id.clone(),
            code: id,
            now,
        })));
    }
    Ok(Some(Ok(NewCodeName {
        code: id,
        language: returned.language.clone(),
        name: unit.target.trim().to_owned(),
    })))
}

/// Parses a language tag the way the rest of verbatim does.
pub(crate) fn language(tag: &str, file: &str) -> Result<Language, TranslationError> {
    tag.trim()
        .parse::<Language>()
        .map_err(|e| TranslationError::Malformed {
            file: file.to_owned(),
            message: format!("the target language {tag:?} is not a language tag ({e})"),
        })
}

#[cfg(test)]
mod tests {
    use verbatim_store::Book;

    use super::*;
    use crate::quotes::tests::fixture;
    use crate::quotes::{QuoteOptions, select};

    #[test]
    fn translations_attach_to_their_quotes_and_changed_or_unknown_units_are_reported() {
        let mut f = fixture();
        let scope = f.store.scope("amira", false, false).unwrap();
        let en: Language = "en".parse().unwrap();
        let quotes = select(&f.store, &scope, Book::Own, &QuoteOptions::default()).unwrap();
        let exported = units(&quotes, &en);
        // Three codings, each once although the theme shows them again.
        assert_eq!(exported.len(), 3);
        assert!(exported.iter().all(|u| u.code.starts_with("Confiance › ")));
        let mut returned = Returned {
            language: en.clone(),
            units: exported
                .iter()
                .map(|u| ReturnedUnit {
                    id: u.id.clone(),
                    hash: Some(u.hash.clone()),
                    target: format!("EN {}", u.text),
                })
                .collect(),
        };
        returned.units[1].hash = Some(hash_text("other words"));
        returned.units[2].target = "  ".into();
        returned.units.push(ReturnedUnit {
            id: "no-such-coding".into(),
            hash: None,
            target: "x".into(),
        });
        let report = apply(&mut f.store, &scope, &returned).unwrap();
        assert_eq!(report.attached, 1);
        assert_eq!(report.new, 1);
        assert_eq!(report.untranslated, 1);
        assert_eq!(report.unknown, ["no-such-coding"]);
        assert_eq!(report.changed.len(), 1);
        assert_eq!(report.changed[0].now, exported[1].text);
        let after = select(&f.store, &scope, Book::Own, &QuoteOptions::default()).unwrap();
        let translated: Vec<&crate::quotes::Quote> = after
            .iter()
            .flat_map(|c| &c.quotes)
            .filter(|q| q.translation("en").is_some())
            .collect();
        assert!(!translated.is_empty());
        assert!(translated.iter().all(|q| q.guid == exported[0].id
            && q.translation("en") == Some(format!("EN {}", exported[0].text).as_str())));
        // Another coder cannot attach to amira's quotes before the reveal.
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let report = apply(&mut f.store, &bruno, &returned).unwrap();
        assert_eq!(report.attached, 0);
        assert_eq!(report.unknown.len(), 3);
    }
}
