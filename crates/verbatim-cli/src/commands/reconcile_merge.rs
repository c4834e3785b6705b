//! `verbatim reconcile merge`: which coders' codes a merge takes.
//!
//! A merge names its codes in three ways, all resolved here into
//! `(coder, code id)` pairs before the store is asked: repeated
//! `--code CODER:NAME`; `--coders a,b,c --code NAME` (the same name in each
//! coder's codebook); and the two-coder form kept from before,
//! `--coders a,b --code X --code-b Y`.

use anyhow::{anyhow, bail};
use verbatim_store::{Book, Coder, Scope, StoreError};

use super::reconcile::ReconcileStore;

/// A coder's code a merge takes.
pub(super) struct Named {
    /// Whose code it is.
    pub coder: Coder,
    /// The code's id.
    pub id: i64,
    /// The name given.
    pub name: String,
}

/// Resolves a merge's `--coders`, `--code` and `--code-b` into codes.
pub(super) fn merged_codes(
    store: &dyn ReconcileStore,
    scope: &Scope,
    coders: &[String],
    codes: &[String],
    code_b: Option<&str>,
) -> anyhow::Result<Vec<Named>> {
    let coders: Vec<Coder> = coders
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(|n| {
            store
                .coder_by_name(n)?
                .ok_or_else(|| StoreError::UnknownCoder(n.to_owned()))
        })
        .collect::<Result<_, _>>()?;
    let mut wanted: Vec<(Coder, String)> = Vec::new();
    if let Some(b) = code_b {
        let ([a_coder, b_coder], [a]) = (&coders[..], codes) else {
            bail!("--code-b is for two coders: --coders a,b --code X --code-b Y");
        };
        wanted.push((a_coder.clone(), a.clone()));
        wanted.push((b_coder.clone(), b.to_owned()));
    } else {
        for word in codes {
            match qualified(store, word)? {
                Some(pair) => wanted.push(pair),
                None if coders.is_empty() => bail!(
                    "say whose code {word:?} is: --code CODER:NAME, or --coders a,b,c --code NAME"
                ),
                None => wanted.extend(coders.iter().map(|c| (c.clone(), word.clone()))),
            }
        }
    }
    wanted
        .into_iter()
        .map(|(coder, name)| {
            let id = store
                .find_code(scope, &name, Some(Book::Of(coder.id)))
                .map_err(|_| {
                    anyhow!(
                        "{} has no code {name:?}: list their codes with `verbatim code tree --of {}`",
                        coder.name,
                        coder.name
                    )
                })?;
            Ok(Named { coder, id, name })
        })
        .collect()
}

/// Splits `CODER:NAME` when the part before the first colon is a coder's
/// name (a code name may itself hold a colon).
fn qualified(store: &dyn ReconcileStore, word: &str) -> anyhow::Result<Option<(Coder, String)>> {
    let Some((who, name)) = word.split_once(':') else {
        return Ok(None);
    };
    Ok(store
        .coder_by_name(who)?
        .map(|coder| (coder, name.trim().to_owned())))
}

/// Describes the merged codes for a sentence: `"X" (amira), "Y" (bruno)`.
pub(super) fn described(codes: &[Named]) -> String {
    codes
        .iter()
        .map(|c| format!("{:?} ({})", c.name, c.coder.name))
        .collect::<Vec<_>>()
        .join(", ")
}
