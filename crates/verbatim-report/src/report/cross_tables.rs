//! The two tables IPA papers print beside the narrative, as real tables in
//! every format (the heat map is a figure, not a table a journal typesets):
//!
//! - the **cross-case table**: themes × participants, a mark where the
//!   participant's words support the theme, and the theme's prevalence
//!   (`verbatim ipa-table`);
//! - the **triangulation table**: themes × sites and modes of collection,
//!   distinct participants in each (`verbatim triangulation`).
//!
//! Both are computed by the `verbatim-analysis` functions those commands
//! call, on the evidence the results section counts, at the theme level.

use std::collections::{BTreeSet, HashMap, HashSet};

use verbatim_analysis::evidence::{Node, below, ipa_tables, triangulate};
use verbatim_store::{count_percent, percent_text};

use super::ReportError;
use super::evidence::Evidence;
use super::gather::Ctx;
use super::model::{Cell, Lang, Table};

/// Returns the cross-case table and the triangulation table.
pub(crate) fn tables(
    ctx: &Ctx<'_>,
    ev: &Evidence,
    level_name: &HashMap<i64, String>,
) -> Result<(Table, Table), ReportError> {
    let theme_rank = ctx.store.level_rank_of("theme").ok();
    let level = theme_rank
        .and_then(|r| level_name.get(&r).cloned())
        .unwrap_or_else(|| "theme".into());
    let themes: Vec<&Node> = ev
        .nodes
        .iter()
        .filter(|n| Some(n.level) == theme_rank)
        .collect();
    let at = ThemeLevel {
        ev,
        below: below(&ev.nodes),
        themes,
        level,
    };
    Ok((cross_case_table(ctx, &at), triangulation_table(ctx, &at)))
}

/// The themes both tables show, with what they need to count them.
struct ThemeLevel<'e> {
    ev: &'e Evidence,
    themes: Vec<&'e Node>,
    /// Every node's descendants, as `verbatim_analysis::evidence::below`.
    below: HashMap<i64, HashSet<i64>>,
    /// The theme level's name, as the commands take it.
    level: String,
}

impl ThemeLevel<'_> {
    /// Formats `n` participants out of all: `3/8 (38 %)`.
    fn prevalence(&self, n: usize) -> String {
        let n_all = self.ev.participants.len();
        format!("{n}/{n_all} ({})", percent_text(count_percent(n, n_all)))
    }
}

/// Themes × participants, a mark where the participant's words support the
/// theme, and the theme's prevalence, as `verbatim ipa-table` gives it.
fn cross_case_table(ctx: &Ctx<'_>, at: &ThemeLevel<'_>) -> Table {
    let lang = ctx.opts.lang;
    let ev = at.ev;
    let ipa_command = ctx.cmd.tree("ipa-table", &at.level);
    let (_, cross) = ipa_tables(&at.themes, &at.below, &ev.passages, &ev.participants);
    let names: Vec<String> = cross
        .rows
        .iter()
        .zip(&at.themes)
        .map(|(row, node)| ctx.name_of(node.id, &row.theme))
        .collect();
    let marks: Vec<Vec<bool>> = cross.rows.iter().map(|r| r.present.clone()).collect();
    let totals: Vec<Cell> = cross
        .rows
        .iter()
        .map(|r| Cell::traced(at.prevalence(r.prevalence), &ipa_command))
        .collect();
    let (header, rows) = cross_case_cells(&names, &cross.participants, &marks, totals, lang);
    Table {
        id: "cross-case".into(),
        caption: match lang {
            Lang::En => "Cross-case table: themes × participants".into(),
            Lang::Fr => "Tableau croisé des cas : thèmes × participants".into(),
        },
        header,
        rows,
        note: Some(note(lang, at.themes.is_empty(), "✓")),
    }
}

/// Themes × sites and modes of collection, distinct participants in each,
/// as `verbatim triangulation` gives it.
fn triangulation_table(ctx: &Ctx<'_>, at: &ThemeLevel<'_>) -> Table {
    let lang = ctx.opts.lang;
    let ev = at.ev;
    let tri_command = ctx.cmd.tree("triangulation", &at.level);
    let found = triangulate(&at.themes, &at.below, &ev.passages, &HashMap::new());
    let mut sites: Vec<String> = ev
        .by_site
        .keys()
        .chain(found.iter().flat_map(|r| r.by_site.keys()))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    ctx.sites.sort(&mut sites);
    let modes: Vec<String> = found
        .iter()
        .flat_map(|r| r.by_mode.keys().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rows = found
        .iter()
        .map(|r| {
            let mut cells = vec![Cell::text(ctx.name_of(r.id, &r.theme))];
            for site in &sites {
                let n = r.by_site.get(site).copied().unwrap_or(0);
                let of = ev.by_site.get(site).map_or(0, BTreeSet::len);
                cells.push(Cell::traced(format!("{n}/{of}"), &tri_command));
            }
            for mode in &modes {
                let n = r.by_mode.get(mode).copied().unwrap_or(0);
                cells.push(Cell::traced(n.to_string(), &tri_command));
            }
            cells.push(Cell::traced(at.prevalence(r.participants), &tri_command));
            cells.push(Cell::text(r.flags.join("; ")));
            cells
        })
        .collect();
    Table {
        id: "triangulation".into(),
        caption: match lang {
            Lang::En => {
                "Triangulation: participants supporting each theme by site and mode of collection"
                    .into()
            }
            Lang::Fr => {
                "Triangulation : participants soutenant chaque thème par site et mode de recueil"
                    .into()
            }
        },
        header: triangulation_header(&sites, &modes, lang),
        rows,
        note: Some(note(lang, at.themes.is_empty(), "n/N")),
    }
}

/// The triangulation table's headings: the theme, each site, each mode of
/// collection, then the participants and the flags.
fn triangulation_header(sites: &[String], modes: &[String], lang: Lang) -> Vec<String> {
    let mut header = vec![theme_word(lang)];
    header.extend(sites.iter().cloned());
    header.extend(modes.iter().map(|m| m.replace('_', " ")));
    header.push(match lang {
        Lang::En => "Participants".into(),
        Lang::Fr => "Participants".into(),
    });
    header.push(match lang {
        Lang::En => "Narrow support".into(),
        Lang::Fr => "Appui étroit".into(),
    });
    header
}

/// The most participants the cross-case table takes as columns; beyond,
/// participants become rows and themes columns, so a large study's table
/// still fits a page's width.
pub const MAX_PARTICIPANT_COLUMNS: usize = 30;

/// Lays out the cross-case table: a theme per row and a participant per
/// column, with each theme's `totals` last; or, with more participants
/// than [`MAX_PARTICIPANT_COLUMNS`], a participant per row and the totals
/// as the last row. `marks[t][p]`: participant `p` supports theme `t`.
fn cross_case_cells(
    themes: &[String],
    participants: &[String],
    marks: &[Vec<bool>],
    totals: Vec<Cell>,
    lang: Lang,
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mark = |on: bool| Cell::text(if on { "✓" } else { "" });
    if participants.len() <= MAX_PARTICIPANT_COLUMNS {
        let mut header = vec![theme_word(lang)];
        header.extend(participants.iter().cloned());
        header.push("n/N".into());
        let rows = themes
            .iter()
            .zip(marks)
            .zip(totals)
            .map(|((name, present), total)| {
                let mut cells = vec![Cell::text(name.clone())];
                cells.extend(present.iter().map(|p| mark(*p)));
                cells.push(total);
                cells
            })
            .collect();
        return (header, rows);
    }
    let mut header = vec!["Participant".to_owned()];
    header.extend(themes.iter().cloned());
    let mut rows: Vec<Vec<Cell>> = participants
        .iter()
        .enumerate()
        .map(|(p, who)| {
            let mut cells = vec![Cell::text(who.clone())];
            cells.extend(
                marks
                    .iter()
                    .map(|present| mark(present.get(p).copied().unwrap_or(false))),
            );
            cells
        })
        .collect();
    let mut last = vec![Cell::text("n/N")];
    last.extend(totals);
    rows.push(last);
    (header, rows)
}

fn theme_word(lang: Lang) -> String {
    match lang {
        Lang::En => "Theme".into(),
        Lang::Fr => "Thème".into(),
    }
}

/// The sentence under either table.
fn note(lang: Lang, empty: bool, mark: &str) -> String {
    match (lang, empty) {
        (Lang::En, true) => "The codebook reported has no theme yet.".into(),
        (Lang::Fr, true) => "La grille présentée n’a pas encore de thème.".into(),
        (Lang::En, false) if mark == "✓" => "✓: the participant's words support the theme (their passages or those of a code below it). n/N: distinct participants supporting it, out of all participants heard, with its percentage rounded half up.".into(),
        (Lang::Fr, false) if mark == "✓" => "✓ : les propos du participant soutiennent le thème (ses passages ou ceux d’un code en dessous). n/N : participants distincts qui le soutiennent, sur l’ensemble des participants entendus, et son pourcentage arrondi au plus proche.".into(),
        (Lang::En, false) => "Per site: distinct participants supporting the theme out of those heard at the site; per mode: distinct participants (sources for observation notes).".into(),
        (Lang::Fr, false) => "Par site : participants distincts soutenant le thème, sur ceux entendus sur le site ; par mode : participants distincts (sources pour les notes d’observation).".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Command;

    fn texts(rows: &[Vec<Cell>]) -> Vec<Vec<&str>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.text.as_str()).collect())
            .collect()
    }

    /// Two themes over three participants: themes are rows. Over the
    /// column limit, participants are rows and the totals the last row.
    #[test]
    fn the_cross_case_table_turns_when_participants_outnumber_a_page() {
        let cmd = Command("verbatim ipa-table".into());
        let themes = vec!["Confiance".to_owned(), "Charge".to_owned()];
        let totals = || {
            vec![
                Cell::traced("1/3 (33 %)", &cmd),
                Cell::traced("2/3 (67 %)", &cmd),
            ]
        };
        let people: Vec<String> = ["A", "B", "C"].map(str::to_owned).to_vec();
        let marks = vec![vec![true, false, false], vec![false, true, true]];
        let (header, rows) = cross_case_cells(&themes, &people, &marks, totals(), Lang::En);
        assert_eq!(header, ["Theme", "A", "B", "C", "n/N"]);
        assert_eq!(
            texts(&rows),
            [
                vec!["Confiance", "✓", "", "", "1/3 (33 %)"],
                vec!["Charge", "", "✓", "✓", "2/3 (67 %)"]
            ]
        );
        let many: Vec<String> = (0..=MAX_PARTICIPANT_COLUMNS)
            .map(|i| format!("P{i}"))
            .collect();
        let mut wide = vec![vec![false; many.len()]; 2];
        wide[1][MAX_PARTICIPANT_COLUMNS] = true;
        let (header, rows) = cross_case_cells(&themes, &many, &wide, totals(), Lang::En);
        assert_eq!(header, ["Participant", "Confiance", "Charge"]);
        assert_eq!(rows.len(), MAX_PARTICIPANT_COLUMNS + 2);
        assert_eq!(texts(&rows)[MAX_PARTICIPANT_COLUMNS], ["P30", "", "✓"]);
        assert_eq!(
            texts(&rows).last().unwrap(),
            &["n/N", "1/3 (33 %)", "2/3 (67 %)"]
        );
    }
}
