//! Table II: one row per participant heard in the sources the reported
//! codebook counts — their code, site, mode of collection and the
//! attributes the team chose (`--table-columns`), in the team's order of
//! sites, then by code.
//!
//! Values are printed as the roster holds them, after the team tidied them
//! (`verbatim attribute rename-value`, `merge-values`, `delete`). A speaker
//! label nobody mapped to a participant is listed under its label, marked
//! "unmapped", with the site and mode of the source it was heard in.

use std::collections::{BTreeSet, HashMap};

use verbatim_store::{AppliesTo, Participant, SourceSummary};

use super::ReportError;
use super::evidence::Evidence;
use super::gather::Ctx;
use super::model::{Cell, Lang, Table};

/// Returns Table II.
pub(crate) fn table(
    ctx: &Ctx<'_>,
    ev: &Evidence,
    sources: &[SourceSummary],
) -> Result<Table, ReportError> {
    let store = ctx.store;
    let lang = ctx.opts.lang;
    let attributes: Vec<String> = store
        .attributes(AppliesTo::Participant)?
        .into_iter()
        .map(|a| a.name)
        .collect();
    let columns = chosen_columns(&ctx.opts.table_columns, &attributes)?;
    let roster: HashMap<String, Participant> = store
        .participants()?
        .into_iter()
        .map(|p| (p.display(), p))
        .collect();
    let heard = heard_in(ctx, sources)?;
    let mut people: Vec<&String> = ev.participants.iter().collect();
    let site_of = |who: &str| -> Option<String> {
        roster
            .get(who)
            .and_then(|p| p.site.clone())
            .or_else(|| heard.get(who).and_then(|h| h.sites.iter().next().cloned()))
    };
    people.sort_by_cached_key(|who| {
        let site = site_of(who).unwrap_or_default();
        (site.is_empty(), ctx.sites.key(&site), (*who).clone())
    });
    let unmapped = match lang {
        Lang::En => " (unmapped)",
        Lang::Fr => " (non rattaché)",
    };
    let rows = people
        .into_iter()
        .map(|who| {
            let known = roster.get(who);
            let mut row = vec![Cell::text(if known.is_some() {
                who.clone()
            } else {
                format!("{who}{unmapped}")
            })];
            let site = site_of(who).map(|s| ctx.sites.name_of(&s).map_or(s.clone(), str::to_owned));
            row.push(Cell::text(site.unwrap_or_else(|| "–".into())));
            let modes: Vec<String> = heard
                .get(who)
                .map(|h| h.kinds.iter().map(|k| mode_word(k, lang)).collect())
                .unwrap_or_default();
            row.push(Cell::text(if modes.is_empty() {
                "–".to_owned()
            } else {
                modes.join(", ")
            }));
            for column in &columns {
                let value = known.and_then(|p| {
                    p.values
                        .iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case(column))
                        .map(|(_, v)| v.clone())
                });
                row.push(Cell::text(value.unwrap_or_else(|| "–".into())));
            }
            row
        })
        .collect();
    let mut header: Vec<String> = match lang {
        Lang::En => ["Participant", "Site", "Mode"],
        Lang::Fr => ["Participant", "Site", "Mode de recueil"],
    }
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    header.extend(columns);
    Ok(Table {
        id: "participants".into(),
        caption: match lang {
            Lang::En => "Table II — The participants: code, site, mode of collection and characteristics".into(),
            Lang::Fr => "Tableau II — Les participants : code, site, mode de recueil et caractéristiques".into(),
        },
        header,
        rows,
        note: Some(match lang {
            Lang::En => "Participants heard in the sources the reported codebook counts; sites in the team's order (`verbatim sites order`).".into(),
            Lang::Fr => "Participants entendus dans les sources comptées par la grille présentée ; sites dans l’ordre de l’équipe (`verbatim sites order`).".into(),
        }),
    })
}

/// Returns the attribute columns asked for, spelled as defined, or every
/// attribute when none is asked; refuses a name that is not an attribute.
fn chosen_columns(asked: &[String], attributes: &[String]) -> Result<Vec<String>, ReportError> {
    if asked.is_empty() {
        return Ok(attributes.to_vec());
    }
    asked
        .iter()
        .map(|name| {
            attributes
                .iter()
                .find(|a| a.eq_ignore_ascii_case(name.trim()))
                .cloned()
                .ok_or_else(|| {
                    ReportError::BadOption(format!(
                        "--table-columns: {:?} is not a participant attribute; the study has {}",
                        name.trim(),
                        if attributes.is_empty() {
                            "none (define them with `verbatim attribute add`)".to_owned()
                        } else {
                            attributes.join(", ")
                        }
                    ))
                })
        })
        .collect()
}

/// Where a participant (or an unmapped label) was heard: the sites and
/// kinds of the counted sources they speak in.
#[derive(Default)]
struct Heard {
    sites: BTreeSet<String>,
    kinds: BTreeSet<String>,
}

fn heard_in(
    ctx: &Ctx<'_>,
    sources: &[SourceSummary],
) -> Result<HashMap<String, Heard>, ReportError> {
    let by_id: HashMap<i64, &SourceSummary> = sources.iter().map(|s| (s.id, s)).collect();
    let mut out: HashMap<String, Heard> = HashMap::new();
    for row in ctx.store.speakers(None)? {
        if row.role == "interviewer" {
            continue;
        }
        let Some(source) = by_id.get(&row.source_id) else {
            continue;
        };
        if source.kind == "context" {
            continue;
        }
        let who = row.participant.unwrap_or(row.label);
        let h = out.entry(who).or_default();
        h.kinds.insert(source.kind.clone());
        if let Some(site) = &source.site {
            h.sites.insert(site.clone());
        }
    }
    Ok(out)
}

/// Returns a source kind as a mode of collection.
fn mode_word(kind: &str, lang: Lang) -> String {
    match (kind, lang) {
        ("interview", Lang::En) => "interview".into(),
        ("interview", Lang::Fr) => "entretien".into(),
        ("focus_group", _) => "focus group".into(),
        ("observation", Lang::En) => "observation".into(),
        ("observation", Lang::Fr) => "observation".into(),
        (other, _) => other.replace('_', " "),
    }
}
