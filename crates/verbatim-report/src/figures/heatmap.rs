//! The triangulation matrix as a heat map: themes × sites, values of an
//! attribute (occupation) and modes of collection, each cell shaded by the
//! distinct participants supporting the theme there.
//!
//! The counts are `verbatim_analysis::evidence::triangulate`'s, the function
//! behind `verbatim triangulation`, so each cell equals a number of
//! `verbatim triangulation --json`. A theme supported in one site or one
//! mode only is flagged beside its name, as the command flags it.

use std::collections::{BTreeSet, HashMap};

use verbatim_analysis::evidence::{TriangulationRow, below, triangulate};
use verbatim_store::{Book, Scope, SqliteStore};

use super::FigureError;
use super::study;
use super::svg::{Svg, wrap};

/// A group of columns: sites, an attribute's values, or modes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnGroup {
    /// The group's heading.
    pub name: String,
    /// Its columns' headings.
    pub columns: Vec<String>,
}

/// One theme's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatRow {
    /// The theme's id.
    pub id: i64,
    /// The theme's name.
    pub theme: String,
    /// Distinct participants supporting it anywhere.
    pub participants: usize,
    /// One count per column, groups in order.
    pub cells: Vec<usize>,
    /// Why its support is narrow, if it is.
    pub flags: Vec<String>,
}

/// What the heat map shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatmapFigure {
    /// The figure's title.
    pub title: String,
    /// Column groups, in order.
    pub groups: Vec<ColumnGroup>,
    /// One row per theme.
    pub rows: Vec<HeatRow>,
}

impl HeatmapFigure {
    /// Returns the figure of triangulation rows, grouped by site, by the
    /// attribute named `attribute`, and by mode.
    pub fn of(title: &str, attribute: &str, rows: &[TriangulationRow]) -> Self {
        let keys = |pick: fn(&TriangulationRow) -> Vec<&String>| -> Vec<String> {
            let set: BTreeSet<&String> = rows.iter().flat_map(pick).collect();
            set.into_iter().cloned().collect()
        };
        let groups = vec![
            ColumnGroup {
                name: "Sites".into(),
                columns: keys(|r| r.by_site.keys().collect()),
            },
            ColumnGroup {
                name: attribute.to_owned(),
                columns: keys(|r| r.by_attribute.keys().collect()),
            },
            ColumnGroup {
                name: "Modes".into(),
                columns: keys(|r| r.by_mode.keys().collect()),
            },
        ];
        let rows = rows
            .iter()
            .map(|r| {
                let mut cells = Vec::new();
                for (group, map) in groups.iter().zip([&r.by_site, &r.by_attribute, &r.by_mode]) {
                    cells.extend(
                        group
                            .columns
                            .iter()
                            .map(|c| map.get(c).copied().unwrap_or(0)),
                    );
                }
                HeatRow {
                    id: r.id,
                    theme: r.theme.clone(),
                    participants: r.participants,
                    cells,
                    flags: r.flags.clone(),
                }
            })
            .collect();
        Self {
            title: title.to_owned(),
            groups,
            rows,
        }
    }
}

/// Reads the triangulation of the codes of `level` (a rank) in `book`,
/// broken down by the participant attribute `attribute`.
pub fn gather(
    store: &SqliteStore,
    scope: &Scope,
    book: Book,
    level: i64,
    attribute: &str,
    include_context: bool,
) -> Result<HeatmapFigure, FigureError> {
    let study = study::load(store, scope, book, include_context)?;
    let attribute_of: HashMap<String, String> = study
        .values
        .iter()
        .filter_map(|(who, values)| {
            values
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
                .map(|(_, v)| (who.clone(), v.clone()))
        })
        .collect();
    let themes: Vec<&verbatim_analysis::evidence::Node> =
        study.nodes.iter().filter(|n| n.level == level).collect();
    let rows = triangulate(
        &themes,
        &below(&study.nodes),
        &study.passages,
        &attribute_of,
    );
    Ok(HeatmapFigure::of(
        "Triangulation of themes",
        attribute,
        &rows,
    ))
}

const LEFT: f64 = 20.0;
const LABEL_WIDTH: f64 = 270.0;
const CELL_W: f64 = 78.0;
const CELL_H: f64 = 30.0;
const GROUP_GAP: f64 = 12.0;
const TOP: f64 = 46.0;

/// Returns the colour of a cell: white to deep blue as `share` goes 0 → 1.
fn shade(share: f64) -> String {
    let s = share.clamp(0.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * s).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(255.0, 13.0),
        mix(255.0, 71.0),
        mix(255.0, 161.0)
    )
}

/// Returns the heat map as SVG.
pub fn draw(figure: &HeatmapFigure) -> String {
    let max = figure
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    // Column x positions, with a gap between groups; one "all" column first.
    let mut xs: Vec<f64> = Vec::new();
    let mut x = LEFT + LABEL_WIDTH + CELL_W + GROUP_GAP;
    let mut group_spans: Vec<(f64, f64)> = Vec::new();
    for group in &figure.groups {
        let start = x;
        for _ in &group.columns {
            xs.push(x);
            x += CELL_W;
        }
        group_spans.push((start, x));
        x += GROUP_GAP;
    }
    let width = x + LEFT;
    let header_lines = figure
        .groups
        .iter()
        .flat_map(|g| g.columns.iter())
        .map(|c| wrap(c, 12, 3).len())
        .max()
        .unwrap_or(1)
        .max(1);
    let grid_top = TOP + 22.0 + header_lines as f64 * 13.0 + 6.0;
    let row_heights: Vec<f64> = figure
        .rows
        .iter()
        .map(|r| (wrap(&r.theme, 40, 3).len().max(1) as f64 * 14.0 + 10.0).max(CELL_H))
        .collect();
    let grid_height: f64 = row_heights.iter().sum();
    let height = grid_top + grid_height + 64.0;
    let description = format!(
        "Heat map of {} themes across sites, {} and modes; each cell gives the participants supporting the theme there.",
        figure.rows.len(),
        figure
            .groups
            .get(1)
            .map_or("an attribute", |g| g.name.as_str())
    );
    let mut svg = Svg::new(width, height, &figure.title, &description);
    svg.el("text")
        .attr("x", LEFT)
        .attr("y", 28.0)
        .attr("font-size", 18.0)
        .attr("font-weight", "bold")
        .attr("fill", "#102030")
        .text(&figure.title);

    // Headings: groups, then columns.
    svg.el("g")
        .attr("class", "headings")
        .attr("fill", "#263238")
        .open();
    let all_x = LEFT + LABEL_WIDTH;
    svg.el("text")
        .attr("x", all_x + CELL_W / 2.0)
        .attr("y", TOP + 34.0)
        .attr("text-anchor", "middle")
        .attr("font-size", 11.0)
        .attr("font-weight", "bold")
        .text("all");
    for (group, (start, end)) in figure.groups.iter().zip(&group_spans) {
        if group.columns.is_empty() {
            continue;
        }
        svg.el("text")
            .attr("x", (start + end) / 2.0)
            .attr("y", TOP + 12.0)
            .attr("text-anchor", "middle")
            .attr("font-size", 12.0)
            .attr("font-weight", "bold")
            .text(&group.name);
        svg.el("line")
            .attr("x1", start + 2.0)
            .attr("x2", end - 2.0)
            .attr("y1", TOP + 17.0)
            .attr("y2", TOP + 17.0)
            .attr("stroke", "#90a4ae")
            .empty();
    }
    for (column, x) in figure.groups.iter().flat_map(|g| g.columns.iter()).zip(&xs) {
        for (k, line) in wrap(column, 12, 3).iter().enumerate() {
            svg.el("text")
                .attr("x", x + CELL_W / 2.0)
                .attr("y", TOP + 34.0 + k as f64 * 13.0)
                .attr("text-anchor", "middle")
                .attr("font-size", 11.0)
                .text(line);
        }
    }
    svg.close();

    // Rows.
    let mut y = grid_top;
    let total_max = figure
        .rows
        .iter()
        .map(|r| r.participants)
        .max()
        .unwrap_or(0)
        .max(1);
    for (row, h) in figure.rows.iter().zip(&row_heights) {
        svg.el("g")
            .attr("class", "row")
            .attr("data-code", row.id)
            .attr("data-participants", row.participants)
            .open();
        let lines = wrap(&row.theme, 40, 3);
        let first = y + h / 2.0 - (lines.len() as f64 - 1.0) * 7.0 + 4.0;
        for (k, line) in lines.iter().enumerate() {
            svg.el("text")
                .attr("class", "label")
                .attr("x", LEFT)
                .attr("y", first + k as f64 * 14.0)
                .attr("font-size", 12.0)
                .attr("fill", "#102030")
                .attr_opt("font-weight", (!row.flags.is_empty()).then_some("bold"))
                .text(&if k == 0 && !row.flags.is_empty() {
                    format!("{line} ⚑")
                } else {
                    line.clone()
                });
        }
        if !row.flags.is_empty() {
            svg.el("title")
                .text(&format!("{}: {}", row.theme, row.flags.join("; ")));
        }
        let cell = |svg: &mut Svg, x: f64, value: usize, share: f64, column: &str| {
            svg.el("rect")
                .attr("class", "cell")
                .attr("x", x + 1.0)
                .attr("y", y + 1.0)
                .attr("width", CELL_W - 2.0)
                .attr("height", h - 2.0)
                .attr("fill", shade(share))
                .attr("data-column", column)
                .attr("data-count", value)
                .empty();
            svg.el("text")
                .attr("x", x + CELL_W / 2.0)
                .attr("y", y + h / 2.0 + 4.0)
                .attr("text-anchor", "middle")
                .attr("font-size", 12.0)
                .attr("fill", if share > 0.55 { "#ffffff" } else { "#102030" })
                .text(&value.to_string());
        };
        cell(
            &mut svg,
            all_x,
            row.participants,
            row.participants as f64 / total_max as f64,
            "all",
        );
        let columns = figure.groups.iter().flat_map(|g| g.columns.iter());
        for ((value, x), column) in row.cells.iter().zip(&xs).zip(columns) {
            cell(&mut svg, *x, *value, *value as f64 / max as f64, column);
        }
        svg.close();
        y += h;
    }
    let note = format!(
        "Cells: distinct participants supporting the theme (observation notes count as sources in Modes); shading up to {max}. ⚑ support in one site, one mode or from one participant only."
    );
    for (k, line) in wrap(&note, 120, 3).iter().enumerate() {
        svg.el("text")
            .attr("x", LEFT)
            .attr("y", y + 24.0 + k as f64 * 14.0)
            .attr("font-size", 11.0)
            .attr("fill", "#455a64")
            .text(line);
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn row(
        id: i64,
        theme: &str,
        n: usize,
        site: &[(&str, usize)],
        mode: &[(&str, usize)],
    ) -> TriangulationRow {
        let map = |list: &[(&str, usize)]| -> BTreeMap<String, usize> {
            list.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
        };
        TriangulationRow {
            id,
            theme: theme.into(),
            participants: n,
            by_site: map(site),
            by_attribute: map(&[("infirmier", n)]),
            by_mode: map(mode),
            flags: if site.len() == 1 {
                vec!["only one site".into()]
            } else {
                vec![]
            },
        }
    }

    #[test]
    fn every_cell_carries_its_count_and_missing_columns_are_zero() {
        let rows = vec![
            row(
                1,
                "Construire la confiance",
                5,
                &[("CH", 3), ("CSAPA", 2)],
                &[("interview", 5)],
            ),
            row(2, "Se couvrir", 2, &[("CH", 2)], &[("focus_group", 2)]),
        ];
        let figure = HeatmapFigure::of("T", "occupation", &rows);
        assert_eq!(figure.rows[1].cells, vec![2, 0, 2, 2, 0]);
        let svg = draw(&figure);
        assert!(svg.contains("data-column=\"CSAPA\" data-count=\"0\""));
        assert!(svg.contains("data-column=\"all\" data-count=\"5\""));
        assert!(svg.contains("Se couvrir ⚑"));
        assert_eq!(svg, draw(&figure));
    }

    #[test]
    fn shading_goes_from_white_to_blue() {
        assert_eq!(shade(0.0), "#ffffff");
        assert_eq!(shade(1.0), "#0d47a1");
        assert_eq!(shade(7.0), "#0d47a1");
    }
}
