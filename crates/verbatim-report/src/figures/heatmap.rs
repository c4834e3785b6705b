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
use verbatim_store::{AgreementReads, AnalysisReads, Book, Scope};

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
pub fn gather<S: AnalysisReads + AgreementReads + ?Sized>(
    store: &S,
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

/// Where everything goes: column positions, row heights, the canvas.
struct Layout {
    /// The largest count of any cell (at least 1): the darkest shade.
    max: usize,
    /// The largest participant count of any theme (at least 1): the darkest
    /// shade of the "all" column.
    total_max: usize,
    /// Each column's left edge, groups in order.
    xs: Vec<f64>,
    /// Each group's left and right edges.
    group_spans: Vec<(f64, f64)>,
    /// Where the first row starts.
    grid_top: f64,
    /// Each row's height.
    row_heights: Vec<f64>,
    /// The canvas width.
    width: f64,
    /// The canvas height.
    height: f64,
}

/// The left edge of the "all" column, before the groups.
const ALL_X: f64 = LEFT + LABEL_WIDTH;

impl Layout {
    fn of(figure: &HeatmapFigure) -> Self {
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
        let total_max = figure
            .rows
            .iter()
            .map(|r| r.participants)
            .max()
            .unwrap_or(0)
            .max(1);
        Self {
            max,
            total_max,
            xs,
            group_spans,
            grid_top,
            row_heights,
            width: x + LEFT,
            height: grid_top + grid_height + 64.0,
        }
    }
}

/// Returns the heat map as SVG.
pub fn draw(figure: &HeatmapFigure) -> String {
    let layout = Layout::of(figure);
    let description = format!(
        "Heat map of {} themes across sites, {} and modes; each cell gives the participants supporting the theme there.",
        figure.rows.len(),
        figure
            .groups
            .get(1)
            .map_or("an attribute", |g| g.name.as_str())
    );
    let mut svg = Svg::new(layout.width, layout.height, &figure.title, &description);
    svg.el("text")
        .attr("x", LEFT)
        .attr("y", 28.0)
        .attr("font-size", 18.0)
        .attr("font-weight", "bold")
        .attr("fill", "#102030")
        .text(&figure.title);
    draw_headings(&mut svg, figure, &layout);
    let mut y = layout.grid_top;
    for (row, h) in figure.rows.iter().zip(&layout.row_heights) {
        draw_row(&mut svg, figure, &layout, row, y, *h);
        y += h;
    }
    draw_note(&mut svg, layout.max, y);
    svg.finish()
}

/// Draws the headings: the "all" column, the groups, then the columns.
fn draw_headings(svg: &mut Svg, figure: &HeatmapFigure, layout: &Layout) {
    svg.el("g")
        .attr("class", "headings")
        .attr("fill", "#263238")
        .open();
    svg.el("text")
        .attr("x", ALL_X + CELL_W / 2.0)
        .attr("y", TOP + 34.0)
        .attr("text-anchor", "middle")
        .attr("font-size", 11.0)
        .attr("font-weight", "bold")
        .text("all");
    for (group, (start, end)) in figure.groups.iter().zip(&layout.group_spans) {
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
    let columns = figure.groups.iter().flat_map(|g| g.columns.iter());
    for (column, x) in columns.zip(&layout.xs) {
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
}

/// Draws one theme's row of height `h` at `y`: its label (flagged if its
/// support is narrow), its "all" cell, then one cell per column.
fn draw_row(svg: &mut Svg, figure: &HeatmapFigure, layout: &Layout, row: &HeatRow, y: f64, h: f64) {
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
    let all = Cell {
        x: ALL_X,
        value: row.participants,
        share: row.participants as f64 / layout.total_max as f64,
        column: "all",
    };
    all.draw(svg, y, h);
    let columns = figure.groups.iter().flat_map(|g| g.columns.iter());
    for ((value, x), column) in row.cells.iter().zip(&layout.xs).zip(columns) {
        let cell = Cell {
            x: *x,
            value: *value,
            share: *value as f64 / layout.max as f64,
            column,
        };
        cell.draw(svg, y, h);
    }
    svg.close();
}

/// One shaded cell of a row.
struct Cell<'a> {
    /// Its left edge.
    x: f64,
    /// The count it shows.
    value: usize,
    /// Its count as a share of the darkest shade's.
    share: f64,
    /// Its column's heading.
    column: &'a str,
}

impl Cell<'_> {
    /// Draws the cell in the row of height `h` at `y`.
    fn draw(&self, svg: &mut Svg, y: f64, h: f64) {
        svg.el("rect")
            .attr("class", "cell")
            .attr("x", self.x + 1.0)
            .attr("y", y + 1.0)
            .attr("width", CELL_W - 2.0)
            .attr("height", h - 2.0)
            .attr("fill", shade(self.share))
            .attr("data-column", self.column)
            .attr("data-count", self.value)
            .empty();
        svg.el("text")
            .attr("x", self.x + CELL_W / 2.0)
            .attr("y", y + h / 2.0 + 4.0)
            .attr("text-anchor", "middle")
            .attr("font-size", 12.0)
            .attr(
                "fill",
                if self.share > 0.55 {
                    "#ffffff"
                } else {
                    "#102030"
                },
            )
            .text(&self.value.to_string());
    }
}

/// Draws the reading note under the grid, whose bottom is at `y`; `max` is
/// the count of the darkest shade.
fn draw_note(svg: &mut Svg, max: usize, y: f64) {
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
