//! The methods appendix: facts of the study, each traced to the command
//! that prints it.

use std::collections::BTreeSet;

use verbatim_store::SourceSummary;

use super::ReportError;
use super::evidence::Evidence;
use super::gather::{Ctx, day};
use super::model::{Cell, Fact, Lang};
use super::words::words;

/// Returns the facts of the methods appendix; `untranslated` is how many
/// quotes shown have no translation into the report's language.
pub(crate) fn facts(
    ctx: &Ctx<'_>,
    ev: &Evidence,
    sources: &[SourceSummary],
    untranslated: usize,
) -> Result<Vec<Fact>, ReportError> {
    let (store, scope, opts, cmd) = (ctx.store, &ctx.scope, ctx.opts, &ctx.cmd);
    let coder_filter = (!opts.shared).then(|| scope.coder().id);
    let fr = opts.lang == Lang::Fr;
    let label = |en: &str, fr_text: &str| {
        if fr {
            fr_text.to_owned()
        } else {
            en.to_owned()
        }
    };
    let study = store.study()?;
    let mut facts = vec![
        Fact {
            label: label("Study", "Étude"),
            value: Cell::text(study.title.clone()),
        },
        Fact {
            label: label("Study file created", "Fichier d’étude créé le"),
            value: Cell::text(day(&study.created_at)),
        },
        Fact {
            label: label("Codebook reported", "Grille de codage présentée"),
            value: Cell::text(if opts.shared {
                label(
                    "the team's consensus codebook (shared codebook, consensus passages)",
                    "la grille consensuelle de l’équipe (grille commune, passages consensuels)",
                )
            } else {
                format!("{} {}", words(opts.lang).codebook_of, opts.coder)
            }),
        },
        Fact {
            label: label(
                "Participants heard in counted sources (N)",
                "Participants entendus dans les sources comptées (N)",
            ),
            value: Cell::traced(
                ev.participants.len().to_string(),
                &cmd.tree("ipa-table", "theme"),
            ),
        },
    ];
    let all_coders = store.coders()?;
    facts.push(Fact {
        label: label("Coders", "Codeurs"),
        value: Cell::traced(
            format!(
                "{} ({})",
                all_coders.len(),
                all_coders
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &cmd.study("coder list", ""),
        ),
    });
    if let Some(period) = store.coding_period(scope, coder_filter)? {
        facts.push(Fact {
            label: label("Coding period", "Période de codage"),
            value: Cell::text(format!("{} – {}", day(&period.first), day(&period.last))),
        });
    }
    let imported: Vec<&str> = sources.iter().map(|s| day(&s.imported_at)).collect();
    if let (Some(first), Some(last)) = (imported.iter().min(), imported.iter().max()) {
        facts.push(Fact {
            label: label("Sources imported", "Sources importées"),
            value: Cell::text(format!("{first} – {last}")),
        });
    }
    let dates = store.source_values_of("date")?;
    let mut collected: BTreeSet<String> = sources
        .iter()
        .filter_map(|s| s.collected_on.clone())
        .collect();
    if collected.is_empty() {
        collected = dates.values().cloned().collect();
    }
    if let (Some(first), Some(last)) = (collected.first(), collected.last()) {
        facts.push(Fact {
            label: label(
                "Data collected (sources' date)",
                "Données recueillies (date des sources)",
            ),
            value: Cell::text(format!("{first} – {last}")),
        });
    }
    let deid = store.deidentifications()?;
    facts.push(Fact {
        label: label("De-identification", "Désidentification"),
        value: Cell::text(if deid.is_empty() {
            label("not applied in verbatim", "non appliquée dans verbatim")
        } else {
            deid.iter()
                .map(|d| {
                    format!(
                        "{} {} ({} {}, {} {}, SHA-256 {})",
                        label("yes,", "oui,"),
                        day(&d.applied_at),
                        d.names,
                        label("names", "noms"),
                        d.replacements,
                        label("replacements", "remplacements"),
                        d.names_sha256
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        }),
    });
    let withdrawn = store.withdrawn_participants()?;
    facts.push(Fact {
        label: label("Participants who withdrew", "Participants retirés"),
        value: Cell::traced(
            withdrawn.to_string(),
            &cmd.study("participants consent", ""),
        ),
    });
    let context: Vec<&str> = sources
        .iter()
        .filter(|s| s.kind == "context")
        .map(|s| s.name.as_str())
        .collect();
    facts.push(Fact {
        label: label(
            "Context-only sources excluded from every count",
            "Sources de contexte exclues de tout décompte",
        ),
        value: Cell::traced(
            if context.is_empty() {
                "0".to_owned()
            } else {
                format!("{} ({})", context.len(), context.join("; "))
            },
            &cmd.study("sources", ""),
        ),
    });
    if untranslated > 0 || opts.lang.tag() != study.language.as_deref().unwrap_or("") {
        facts.push(Fact {
            label: match opts.lang {
                Lang::En => {
                    "Quotes shown without an English translation (marked in the text)".into()
                }
                Lang::Fr => {
                    "Citations présentées sans traduction française (signalées dans le texte)"
                        .into()
                }
            },
            value: Cell::text(untranslated.to_string()),
        });
    }
    Ok(facts)
}
