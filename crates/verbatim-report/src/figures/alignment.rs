//! Two coders' trees side by side, matched nodes joined by lines as thick
//! as their Jaccard index.
//!
//! The matching is `verbatim_analysis::alignment::align` on the layers
//! `verbatim_views::alignment` loads for `verbatim align` too (each code's
//! passages and those below it), so the
//! lines are that command's matched pairs. Reading the figure: a thick line
//! is two names for one theme; a node with no line is a theme only one
//! coder saw.

use std::collections::{HashMap, HashSet};

use verbatim_analysis::alignment::{self, AlignOptions};
use verbatim_store::{AnalysisReads, CodeNode, Coder, Scope};
use verbatim_views::alignment::load_layer;

use super::FigureError;
use super::svg::{Svg, num, text_width, wrap};

/// One node of one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideNode {
    /// The code's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its depth along primary parents (0 at the top).
    pub depth: usize,
    /// Its level's name.
    pub level_name: String,
    /// False when a level filter left it out of the comparison (drawn
    /// faded).
    pub compared: bool,
}

/// A matched pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The left node.
    pub left: i64,
    /// The right node.
    pub right: i64,
    /// Their Jaccard index.
    pub jaccard: f64,
}

/// What the alignment figure shows.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignmentFigure {
    /// The figure's title.
    pub title: String,
    /// The two coders' names (left, right).
    pub coders: [String; 2],
    /// The left tree in display order.
    pub left: Vec<SideNode>,
    /// The right tree in display order.
    pub right: Vec<SideNode>,
    /// Matched pairs, best first.
    pub links: Vec<Link>,
    /// Pairs below this Jaccard index stay unmatched.
    pub min_jaccard: f64,
}

/// Aligns the trees of coders `a` and `b` (the scope must see every layer:
/// after `verbatim reveal`, or solo).
pub fn gather<S: AnalysisReads + ?Sized>(
    store: &S,
    scope: &Scope,
    a: &Coder,
    b: &Coder,
    options: &AlignOptions,
) -> Result<AlignmentFigure, FigureError> {
    let la = load_layer(store, scope, a.clone())?;
    let lb = load_layer(store, scope, b.clone())?;
    let result = alignment::align(&la.tree, &la.coverage, &lb.tree, &lb.coverage, options)?;
    let side = |codes: &[CodeNode]| -> Vec<SideNode> {
        let depth = depths(codes);
        codes
            .iter()
            .map(|c| SideNode {
                id: c.id,
                name: c.name.clone(),
                depth: depth.get(&c.id).copied().unwrap_or(0),
                level_name: c.level_name.clone(),
                compared: options.level.is_none_or(|l| l == c.level),
            })
            .collect()
    };
    Ok(AlignmentFigure {
        title: format!("Alignment of {} and {}", a.name, b.name),
        coders: [a.name.clone(), b.name.clone()],
        left: side(&la.codes),
        right: side(&lb.codes),
        links: result
            .matched
            .iter()
            .map(|p| Link {
                left: p.a,
                right: p.b,
                jaccard: p.overlap.jaccard,
            })
            .collect(),
        min_jaccard: options.min_jaccard,
    })
}

/// Returns each code's depth along primary parents.
fn depths(codes: &[CodeNode]) -> HashMap<i64, usize> {
    let parent: HashMap<i64, Option<i64>> = codes.iter().map(|c| (c.id, c.parent)).collect();
    codes
        .iter()
        .map(|c| {
            let mut d = 0;
            let mut seen = HashSet::from([c.id]);
            let mut current = c.parent;
            while let Some(p) = current {
                if !seen.insert(p) {
                    break;
                }
                d += 1;
                current = parent.get(&p).copied().flatten();
            }
            (c.id, d)
        })
        .collect()
}

const MARGIN: f64 = 20.0;
const COLUMN: f64 = 300.0;
const GAP: f64 = 180.0;
const ROW: f64 = 18.0;
const TOP: f64 = 74.0;
const INDENT: f64 = 14.0;
const SIZE: f64 = 12.0;

/// Where the right column starts.
const RIGHT_X: f64 = MARGIN + COLUMN + GAP;

/// Points where links attach to a side's labels, by code id.
type Anchors = HashMap<i64, (f64, f64)>;

/// Returns the alignment figure as SVG.
pub fn draw(figure: &AlignmentFigure) -> String {
    let rows = figure.left.len().max(figure.right.len()).max(1);
    let mut svg = canvas(figure, rows);
    let matched_left: HashSet<i64> = figure.links.iter().map(|l| l.left).collect();
    let matched_right: HashSet<i64> = figure.links.iter().map(|l| l.right).collect();
    let left_end = draw_side(&mut svg, Side::Left, &figure.left, &matched_left);
    let right_start = draw_side(&mut svg, Side::Right, &figure.right, &matched_right);
    draw_links(&mut svg, &figure.links, &left_end, &right_start);
    draw_note(&mut svg, figure.min_jaccard, rows);
    svg.finish()
}

/// Returns the canvas for `rows` rows, with the title and the two coders'
/// names over their columns.
fn canvas(figure: &AlignmentFigure, rows: usize) -> Svg {
    let width = MARGIN * 2.0 + COLUMN * 2.0 + GAP;
    let height = TOP + rows as f64 * ROW + 60.0;
    let description = format!(
        "Two theme trees side by side: {} (left) and {} (right); {} matched pairs joined by lines as thick as their Jaccard index.",
        figure.coders[0],
        figure.coders[1],
        figure.links.len()
    );
    let mut svg = Svg::new(width, height, &figure.title, &description);
    svg.el("text")
        .attr("x", MARGIN)
        .attr("y", 28.0)
        .attr("font-size", 18.0)
        .attr("font-weight", "bold")
        .attr("fill", "#102030")
        .text(&figure.title);
    for (x, name) in [(MARGIN, &figure.coders[0]), (RIGHT_X, &figure.coders[1])] {
        svg.el("text")
            .attr("x", x)
            .attr("y", TOP - 18.0)
            .attr("font-size", 14.0)
            .attr("font-weight", "bold")
            .attr("fill", "#263238")
            .text(name);
    }
    svg
}

/// Which coder's column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// Draws one side's tree, one node a row, and returns where each node's
/// label ends (left) or starts (right), for the lines.
fn draw_side(svg: &mut Svg, side: Side, nodes: &[SideNode], matched: &HashSet<i64>) -> Anchors {
    let mut anchors = Anchors::new();
    svg.el("g")
        .attr("class", if side == Side::Left { "left" } else { "right" })
        .attr("font-size", SIZE)
        .open();
    for (row, node) in nodes.iter().enumerate() {
        let anchor = draw_node(svg, side, node, row, matched.contains(&node.id));
        anchors.insert(node.id, anchor);
    }
    svg.close();
    anchors
}

/// Draws `node` in row `row` of its side and returns where a line meets it.
fn draw_node(
    svg: &mut Svg,
    side: Side,
    node: &SideNode,
    row: usize,
    is_matched: bool,
) -> (f64, f64) {
    let text = label(node);
    let y = TOP + row as f64 * ROW;
    let left = if side == Side::Left { MARGIN } else { RIGHT_X };
    let x = left + node.depth as f64 * INDENT;
    let colour = if !node.compared {
        "#b0bec5"
    } else if is_matched {
        "#102030"
    } else {
        "#8d6e63"
    };
    svg.el("text")
        .attr("class", if is_matched { "node matched" } else { "node" })
        .attr("data-code", node.id)
        .attr("x", x)
        .attr("y", y)
        .attr("text-anchor", "start")
        .attr("fill", colour)
        .attr_opt("font-weight", is_matched.then_some("bold"))
        .attr_opt("font-style", (!node.compared).then_some("italic"))
        .open();
    svg.el("title")
        .text(&format!("{} ({})", node.name, node.level_name));
    svg.el("tspan").text(&text);
    svg.close();
    let bold = if is_matched { 1.1 } else { 1.0 };
    let mid = y - SIZE * 0.35;
    match side {
        Side::Left => (
            (x + text_width(&text, SIZE) * bold + 4.0).min(MARGIN + COLUMN),
            mid,
        ),
        Side::Right => (x - 4.0, mid),
    }
}

/// Returns a node's label: its name cut to one line of its column.
fn label(node: &SideNode) -> String {
    let max_chars = ((COLUMN - 10.0 - node.depth as f64 * INDENT) / (SIZE * 0.6))
        .floor()
        .max(6.0) as usize;
    wrap(&node.name, max_chars, 1)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// Draws one line per matched pair whose nodes are both drawn, as thick and
/// opaque as its Jaccard index.
fn draw_links(svg: &mut Svg, links: &[Link], left_end: &Anchors, right_start: &Anchors) {
    svg.el("g")
        .attr("class", "links")
        .attr("fill", "none")
        .open();
    for link in links {
        let (Some(&from), Some(&to)) = (left_end.get(&link.left), right_start.get(&link.right))
        else {
            continue;
        };
        let j = link.jaccard.clamp(0.0, 1.0);
        svg.el("path")
            .attr("class", "link")
            .attr("data-left", link.left)
            .attr("data-right", link.right)
            .attr("data-jaccard", format!("{j:.2}"))
            .attr("d", link_path(from, to))
            .attr("stroke", "#1565c0")
            .attr("stroke-width", 0.8 + 6.0 * j)
            .attr("stroke-opacity", 0.35 + 0.5 * j)
            .open();
        svg.el("title").text(&format!("Jaccard {j:.2}"));
        svg.close();
    }
    svg.close();
}

/// Returns the path of a link from a left label's end to a right label's
/// start: straight to the left column's edge, a curve across the gap, then
/// straight on.
fn link_path((x1, y1): (f64, f64), (x2, y2): (f64, f64)) -> String {
    let xm = (MARGIN + COLUMN + RIGHT_X) / 2.0;
    format!(
        "M {} {} L {} {} C {} {}, {} {}, {} {} L {} {}",
        num(x1),
        num(y1),
        num(MARGIN + COLUMN),
        num(y1),
        num(xm),
        num(y1),
        num(xm),
        num(y2),
        num(RIGHT_X - 8.0),
        num(y2),
        num(x2),
        num(y2)
    )
}

/// Draws the reading note under `rows` rows.
fn draw_note(svg: &mut Svg, min_jaccard: f64, rows: usize) {
    let note = format!(
        "Lines join the one-to-one matching with the largest total Jaccard index (passages coded with a node or below it); thickness grows with Jaccard; pairs under {min_jaccard:.2} stay unmatched. Brown: a node only one coder has; faded: outside the compared level."
    );
    for (k, line) in wrap(&note, 130, 3).iter().enumerate() {
        svg.el("text")
            .attr("x", MARGIN)
            .attr("y", TOP + rows as f64 * ROW + 16.0 + k as f64 * 14.0)
            .attr("font-size", 11.0)
            .attr("fill", "#455a64")
            .text(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: i64, name: &str, depth: usize) -> SideNode {
        SideNode {
            id,
            name: name.into(),
            depth,
            level_name: "theme".into(),
            compared: true,
        }
    }

    #[test]
    fn each_pair_is_one_line_weighted_by_jaccard() {
        let figure = AlignmentFigure {
            title: "A & B".into(),
            coders: ["amira".into(), "bruno".into()],
            left: vec![
                node(1, "Confiance", 0),
                node(2, "Présence", 1),
                node(3, "Seul A", 1),
            ],
            right: vec![node(10, "Lien de confiance", 0), node(11, "Être là", 1)],
            links: vec![
                Link {
                    left: 1,
                    right: 10,
                    jaccard: 0.8,
                },
                Link {
                    left: 2,
                    right: 11,
                    jaccard: 0.25,
                },
            ],
            min_jaccard: 0.2,
        };
        let svg = draw(&figure);
        assert_eq!(svg.matches("class=\"link\"").count(), 2);
        assert!(svg.contains("data-left=\"1\" data-right=\"10\" data-jaccard=\"0.80\""));
        assert!(svg.contains("stroke-width=\"5.6\""));
        assert!(svg.contains("A &amp; B"));
        assert_eq!(svg.matches("class=\"node matched\"").count(), 4);
        assert_eq!(svg, draw(&figure));
    }
}
