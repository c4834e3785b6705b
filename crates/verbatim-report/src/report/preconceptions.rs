//! Table I: the researchers' preconceptions, sealed before analysis, and
//! what became of them.
//!
//! A reviewer asks two things of a preconception: was it really written
//! before the data were seen, and what happened to it. Each row gives the
//! author, the first 12 hex digits of the seal's SHA-256 (enough to find
//! the entry; `verbatim journal verify` recomputes the whole), the seal's
//! time to the minute, whether that was before the first interview was
//! collected (the earliest collection date of an interview or focus
//! group; "unknown" while no source has one), and each link's evidence as
//! `verbatim confront` gives it.

use std::collections::{HashMap, HashSet};

use verbatim_analysis::evidence::{below, supporting};
use verbatim_store::{Book, JournalLink, SourceSummary};

use super::ReportError;
use super::evidence::{self, Evidence};
use super::gather::{Ctx, day};
use super::model::{Cell, Lang, Table};
use super::words::words;

/// How many hex digits of a seal's hash Table I shows.
pub const SHORT_HASH: usize = 12;

/// What a preconception's link to a code came to, as `verbatim confront`
/// words it.
pub(crate) fn outcome(relation: &str, supported: bool, lang: Lang) -> &'static str {
    match (lang, relation, supported) {
        (Lang::En, "expected", true) => "expected and emerged",
        (Lang::En, "expected", false) => "expected but absent: no passage supports it",
        (Lang::En, "absent", false) => "absent, as recorded",
        (Lang::En, "absent", true) => "recorded as absent, yet passages support it: review",
        (Lang::En, "emerged", true) => "emerged beyond what was expected",
        (Lang::En, "emerged", false) => "recorded as emerged, but no passage supports it: review",
        (Lang::En, "reversed", _) => {
            "emerged reversed: the data say the opposite of the expectation"
        }
        (Lang::En, _, _) => "recorded",
        (Lang::Fr, "expected", true) => "attendu et apparu",
        (Lang::Fr, "expected", false) => "attendu mais absent : aucun passage ne le soutient",
        (Lang::Fr, "absent", false) => "absent, comme consigné",
        (Lang::Fr, "absent", true) => {
            "consigné absent, mais des passages le soutiennent : à revoir"
        }
        (Lang::Fr, "emerged", true) => "apparu au-delà de l’attendu",
        (Lang::Fr, "emerged", false) => {
            "consigné comme apparu, mais aucun passage ne le soutient : à revoir"
        }
        (Lang::Fr, "reversed", _) => {
            "apparu inversé : les données disent le contraire de l’attente"
        }
        (Lang::Fr, _, _) => "consigné",
    }
}

/// The sealed preconceptions of the coders reported, each link with its
/// evidence and outcome, as `verbatim confront` gives them.
pub(crate) fn table(
    ctx: &Ctx<'_>,
    coders: &[String],
    own: &Evidence,
    sources: &[SourceSummary],
) -> Result<Table, ReportError> {
    let (store, scope, opts) = (ctx.store, &ctx.scope, ctx.opts);
    let entries = store.entries(scope)?;
    let first = first_interview(sources);
    let mut rows = Vec::new();
    for name in coders {
        let Some(coder) = store.coder_by_name(name)? else {
            continue;
        };
        let mine = coder.id == scope.coder().id;
        let loaded;
        let ev = if mine && !opts.shared {
            own
        } else {
            let book = if mine { Book::Own } else { Book::Of(coder.id) };
            loaded = evidence::load(store, scope, book, Some(coder.id))?;
            &loaded
        };
        let command = if mine {
            ctx.cmd.plain("confront", "")
        } else {
            ctx.cmd.plain("confront", "--all")
        };
        let tree_below = below(&ev.nodes);
        for e in entries
            .iter()
            .filter(|e| e.coder == coder.name && e.kind == "preconception" && e.sealed_at.is_some())
        {
            let sealed = e.sealed_at.clone().unwrap_or_default();
            let hash = e.content_hash.clone().unwrap_or_default();
            rows.push(vec![
                Cell::text(coder.name.clone()),
                Cell::text(e.title.clone()),
                Cell::text(hash.chars().take(SHORT_HASH).collect::<String>()),
                Cell::text(to_minute(&sealed)),
                Cell::text(before_first(&sealed, first.as_deref(), opts.lang)),
                Cell::traced(
                    confrontation(&e.links, &tree_below, ev, opts.lang),
                    &command,
                ),
            ]);
        }
    }
    Ok(Table {
        id: "preconceptions".into(),
        caption: words(opts.lang).preconceptions.into(),
        header: header(opts.lang),
        note: Some(note(rows.is_empty(), first.as_deref(), opts.lang)),
        rows,
    })
}

/// One line per link of a preconception: the code, the relation, what it
/// came to, and how many passages and participants support it.
fn confrontation(
    links: &[JournalLink],
    tree_below: &HashMap<i64, HashSet<i64>>,
    ev: &Evidence,
    lang: Lang,
) -> String {
    let w = words(lang);
    let mut lines = Vec::new();
    for l in links {
        let support = supporting(l.code_id, tree_below, &ev.passages);
        let people: HashSet<&String> = support.iter().flat_map(|p| &p.participants).collect();
        lines.push(format!(
            "{} [{}]: {} — {} {}, {} {}",
            l.code,
            l.relation,
            outcome(&l.relation, !support.is_empty(), lang),
            support.len(),
            w.passages,
            people.len(),
            w.participants
        ));
    }
    lines.join("\n")
}

/// Table I's column headings in the report's language.
fn header(lang: Lang) -> Vec<String> {
    let header: &[&str] = match lang {
        Lang::En => &[
            "Author",
            "Preconception",
            "SHA-256",
            "Sealed (UTC)",
            "Sealed before the first interview",
            "Confrontation",
        ],
        Lang::Fr => &[
            "Auteur",
            "Préconception",
            "SHA-256",
            "Scellée le (UTC)",
            "Scellée avant le premier entretien",
            "Confrontation",
        ],
    };
    header.iter().map(|h| (*h).to_owned()).collect()
}

/// Table I's note: how the seals were made and are checked, and the day
/// the first interview was collected (`first`); or, when the table is
/// `empty`, that nothing was sealed.
fn note(empty: bool, first: Option<&str>, lang: Lang) -> String {
    if empty {
        return match lang {
            Lang::En => "No sealed preconception was recorded.".to_owned(),
            Lang::Fr => "Aucune préconception scellée n’a été consignée.".to_owned(),
        };
    }
    let first_text = first.map(str::to_owned).unwrap_or_else(|| match lang {
        Lang::En => {
            "unknown: no source has a collection date (`verbatim source set SOURCE --date`)".into()
        }
        Lang::Fr => {
            "inconnu : aucune source n’a de date de recueil (`verbatim source set SOURCE --date`)"
                .into()
        }
    });
    match lang {
        Lang::En => format!(
            "Each entry was sealed (SHA-256 of its content, first {SHORT_HASH} hex digits shown; time) before coding; `verbatim journal verify` recomputes the seals. First interview collected: {first_text}."
        ),
        Lang::Fr => format!(
            "Chaque entrée a été scellée (SHA-256 de son contenu, {SHORT_HASH} premiers chiffres hexadécimaux ; heure) avant le codage ; `verbatim journal verify` recalcule les sceaux. Premier entretien recueilli : {first_text}."
        ),
    }
}

/// Returns the earliest collection date of an interview or focus group.
fn first_interview(sources: &[SourceSummary]) -> Option<String> {
    sources
        .iter()
        .filter(|s| matches!(s.kind.as_str(), "interview" | "focus_group"))
        .filter_map(|s| s.collected_on.clone())
        .min()
}

/// Returns an RFC 3339 time to the minute: `2024-03-12 09:41 UTC`.
pub(crate) fn to_minute(time: &str) -> String {
    match (time.get(..10), time.get(11..16)) {
        (Some(date), Some(clock)) if time.ends_with('Z') => format!("{date} {clock} UTC"),
        (Some(date), Some(clock)) => format!("{date} {clock}"),
        _ => time.to_owned(),
    }
}

/// Says whether a seal (RFC 3339, UTC) came before the first interview's
/// day: yes, no, the same day (the hour of the interview is not known),
/// or unknown without a collection date.
fn before_first(sealed: &str, first: Option<&str>, lang: Lang) -> String {
    let en = lang == Lang::En;
    let Some(first) = first else {
        return if en { "unknown" } else { "inconnu" }.into();
    };
    let sealed_day = day(sealed);
    let (yes, no, same) = if en {
        ("yes", "no", "same day")
    } else {
        ("oui", "non", "le même jour")
    };
    let word = match sealed_day.cmp(first) {
        std::cmp::Ordering::Less => yes,
        std::cmp::Ordering::Greater => no,
        std::cmp::Ordering::Equal => same,
    };
    format!("{word} ({first})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_read_to_the_minute_and_against_the_first_interview() {
        assert_eq!(to_minute("2024-03-12T09:41:27.5Z"), "2024-03-12 09:41 UTC");
        let sealed = "2024-03-12T09:41:27Z";
        assert_eq!(
            before_first(sealed, Some("2024-03-13"), Lang::En),
            "yes (2024-03-13)"
        );
        assert_eq!(
            before_first(sealed, Some("2024-03-01"), Lang::En),
            "no (2024-03-01)"
        );
        assert_eq!(
            before_first(sealed, Some("2024-03-12"), Lang::Fr),
            "le même jour (2024-03-12)"
        );
        assert_eq!(before_first(sealed, None, Lang::En), "unknown");
    }
}
