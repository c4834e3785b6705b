//! The theme tree: a codebook drawn left to right, one column per depth.
//!
//! Results sections show the structure of the findings as a tree, one
//! figure per meta-theme. Levels are told apart three ways at once (shape,
//! fill and type weight) so the figure survives greyscale printing: the top
//! level is a dark pill with bold white text, the next a tinted box with bold
//! text, the next a pale box, and lower levels an outlined box in italics.
//! Each node says how many participants support it (`n/N`, counted as
//! `verbatim triangulation` counts them: distinct participants whose words
//! are coded with the node or a code below it). A code under a second parent
//! (the DAG's further parents) is drawn once, under its primary parent, with
//! a dashed line from the other parent.
//!
//! Layout is a tidy tree computed from the tree itself: each subtree takes a
//! band of rows as tall as its leaves (or as its own box, if taller), a
//! parent is centred on its first and last child, so no two boxes overlap
//! and the result depends on nothing but the data.

use std::collections::{BTreeSet, HashMap, HashSet};

use verbatim_analysis::evidence::{below, triangulate};
use verbatim_store::{AgreementReads, AnalysisReads, Book, Scope};

use super::FigureError;
use super::study;
use super::svg::{Svg, num, text_width, wrap};

/// One code of the tree figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNode {
    /// The code's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its level's rank (1 = lowest).
    pub level: i64,
    /// Its level's name.
    pub level_name: String,
    /// Its primary parent (`None` at the top of the figure).
    pub parent: Option<i64>,
    /// Distinct participants supporting it.
    pub participants: usize,
}

/// What the tree figure shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFigure {
    /// The figure's title.
    pub title: String,
    /// Participants who speak in the counted sources (the `N` of `n/N`).
    pub total: usize,
    /// The codes in display order (a parent before its children).
    pub nodes: Vec<TreeNode>,
    /// Further parents: `(parent, child)` pairs drawn dashed.
    pub links: Vec<(i64, i64)>,
}

/// Which part of which codebook to draw.
#[derive(Debug, Clone, Default)]
pub struct TreeOptions {
    /// Only the subtree of the code with this name (a meta-theme).
    pub meta: Option<String>,
    /// Leave out codes below this level rank (e.g. draw down to sub-themes).
    pub lowest_level: Option<i64>,
    /// Count context-only sources too.
    pub include_context: bool,
    /// The figure's title; by default the subtree's name or "Theme tree".
    pub title: Option<String>,
}

/// Reads the tree of `book` with each node's participants.
pub fn gather<S: AnalysisReads + AgreementReads + ?Sized>(
    store: &S,
    scope: &Scope,
    book: Book,
    options: &TreeOptions,
) -> Result<TreeFigure, FigureError> {
    let study = study::load(store, scope, book, options.include_context)?;
    let (keep, top) = kept_codes(&study, options)?;
    let themes: Vec<&verbatim_analysis::evidence::Node> = study
        .nodes
        .iter()
        .filter(|n| keep.contains(&n.id))
        .collect();
    let counts: HashMap<i64, usize> = triangulate(
        &themes,
        &below(&study.nodes),
        &study.passages,
        &HashMap::new(),
    )
    .into_iter()
    .map(|row| (row.id, row.participants))
    .collect();
    let nodes: Vec<TreeNode> = study
        .codes
        .iter()
        .filter(|c| keep.contains(&c.id))
        .map(|c| TreeNode {
            id: c.id,
            name: c.name.clone(),
            level: c.level,
            level_name: c.level_name.clone(),
            parent: c.parent.filter(|p| keep.contains(p) && Some(c.id) != top),
            participants: counts.get(&c.id).copied().unwrap_or(0),
        })
        .collect();
    let links = study
        .codes
        .iter()
        .filter(|c| keep.contains(&c.id))
        .flat_map(|c| c.also_under.iter().map(move |p| (*p, c.id)))
        .filter(|(p, _)| keep.contains(p))
        .collect();
    let title = options.title.clone().unwrap_or_else(|| {
        top.and_then(|t| study.codes.iter().find(|c| c.id == t))
            .map_or_else(|| "Theme tree".to_owned(), |c| c.name.clone())
    });
    Ok(TreeFigure {
        title,
        total: study.participants.len(),
        nodes,
        links,
    })
}

/// Returns the codes the figure draws (the `--meta` subtree along primary
/// parents, down to `--level`) and the subtree's top code.
fn kept_codes(
    study: &study::Study,
    options: &TreeOptions,
) -> Result<(HashSet<i64>, Option<i64>), FigureError> {
    let mut keep: HashSet<i64> = study.codes.iter().map(|c| c.id).collect();
    let mut top: Option<i64> = None;
    if let Some(name) = &options.meta {
        let wanted = name.trim().to_lowercase();
        let found = study
            .codes
            .iter()
            .find(|c| c.name.to_lowercase() == wanted)
            .ok_or_else(|| FigureError::UnknownCode {
                name: name.clone(),
                known: study
                    .codes
                    .iter()
                    .filter(|c| c.parent.is_none())
                    .map(|c| format!("{:?}", c.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        // The subtree along primary parents: what the figure draws.
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for c in &study.codes {
            if let Some(p) = c.parent {
                children.entry(p).or_default().push(c.id);
            }
        }
        keep.clear();
        let mut stack = vec![found.id];
        while let Some(id) = stack.pop() {
            if keep.insert(id) {
                stack.extend(children.get(&id).into_iter().flatten().copied());
            }
        }
        top = Some(found.id);
    }
    if let Some(lowest) = options.lowest_level {
        let low: HashSet<i64> = study
            .codes
            .iter()
            .filter(|c| c.level < lowest)
            .map(|c| c.id)
            .collect();
        keep.retain(|id| !low.contains(id));
    }
    Ok((keep, top))
}

/// How one level is drawn.
struct Style {
    fill: &'static str,
    stroke: &'static str,
    text: &'static str,
    size: f64,
    weight: &'static str,
    italic: bool,
    radius: f64,
    dash: Option<&'static str>,
}

/// Styles from the top level down; lower levels reuse the last.
const STYLES: [Style; 4] = [
    Style {
        fill: "#263238",
        stroke: "#263238",
        text: "#ffffff",
        size: 15.0,
        weight: "bold",
        italic: false,
        radius: 16.0,
        dash: None,
    },
    Style {
        fill: "#bbdefb",
        stroke: "#0d47a1",
        text: "#0d1b2a",
        size: 13.0,
        weight: "bold",
        italic: false,
        radius: 4.0,
        dash: None,
    },
    Style {
        fill: "#eef5fb",
        stroke: "#5c8db8",
        text: "#102030",
        size: 12.0,
        weight: "normal",
        italic: false,
        radius: 2.0,
        dash: None,
    },
    Style {
        fill: "#ffffff",
        stroke: "#90a4ae",
        text: "#263238",
        size: 11.0,
        weight: "normal",
        italic: true,
        radius: 0.0,
        dash: Some("4 2"),
    },
];

const BOX_WIDTH: f64 = 210.0;
const COLUMN_GAP: f64 = 56.0;
const ROW_GAP: f64 = 10.0;
const PAD: f64 = 7.0;
const MARGIN: f64 = 20.0;
const HEADER: f64 = 46.0;
const COUNT_SIZE: f64 = 10.0;

/// A node placed on the page.
struct Placed {
    lines: Vec<String>,
    height: f64,
    x: f64,
    y: f64,
    style: usize,
}

/// Where every node of a tree figure goes.
struct Layout {
    /// Each node's box, by its index in the figure (`None`: not reached).
    placed: Vec<Option<Placed>>,
    /// The highest level rank drawn (styled as the top level).
    top_rank: i64,
    /// How many columns right of the roots the deepest node sits.
    max_depth: usize,
    /// Where the legend starts, below the last band.
    legend_top: f64,
}

impl Layout {
    /// Places every node, root by root, depth first.
    fn of(figure: &TreeFigure) -> Self {
        let ids: HashSet<i64> = figure.nodes.iter().map(|n| n.id).collect();
        let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
        let mut roots: Vec<usize> = Vec::new();
        for (i, n) in figure.nodes.iter().enumerate() {
            match n.parent.filter(|p| ids.contains(p) && *p != n.id) {
                Some(p) => children.entry(p).or_default().push(i),
                None => roots.push(i),
            }
        }
        let top_rank = figure.nodes.iter().map(|n| n.level).max().unwrap_or(1);
        let mut placed: Vec<Option<Placed>> = figure.nodes.iter().map(|_| None).collect();
        // Depth-first from each root, iteratively: (node, depth, top of band).
        let mut y = HEADER;
        let mut max_depth = 0usize;
        let mut visiting: BTreeSet<usize> = BTreeSet::new();
        for &root in &roots {
            let height = place(
                root,
                0,
                y,
                figure,
                &children,
                top_rank,
                &mut placed,
                &mut max_depth,
                &mut visiting,
            );
            y += height + ROW_GAP * 2.0;
        }
        Layout {
            placed,
            top_rank,
            max_depth,
            legend_top: y + 4.0,
        }
    }
}

/// Returns the tree figure as SVG.
pub fn draw(figure: &TreeFigure) -> String {
    let layout = Layout::of(figure);
    let max_depth = layout.max_depth;
    let width =
        (MARGIN * 2.0 + (max_depth as f64 + 1.0) * BOX_WIDTH + max_depth as f64 * COLUMN_GAP)
            .max(520.0);
    let height = layout.legend_top + 56.0;
    let description = format!(
        "Theme tree with {} codes; each node gives the participants supporting it, of {}.",
        figure.nodes.len(),
        figure.total
    );
    let mut svg = Svg::new(width, height, &figure.title, &description);
    svg.el("text")
        .attr("x", MARGIN)
        .attr("y", 28.0)
        .attr("font-size", 18.0)
        .attr("font-weight", "bold")
        .attr("fill", "#102030")
        .text(&figure.title);
    draw_edges(&mut svg, figure, &layout.placed);
    draw_nodes(&mut svg, figure, &layout.placed);
    draw_legend(&mut svg, figure, &layout);
    svg.finish()
}

/// Draws the edges first, so boxes cover their ends.
fn draw_edges(svg: &mut Svg, figure: &TreeFigure, placed: &[Option<Placed>]) {
    let centre = |i: usize| {
        placed[i]
            .as_ref()
            .map(|p| (p.x, p.y + p.height / 2.0, p.height))
    };
    svg.el("g")
        .attr("class", "edges")
        .attr("fill", "none")
        .attr("stroke", "#78909c")
        .attr("stroke-width", 1.2)
        .open();
    let index: HashMap<i64, usize> = figure
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id, i))
        .collect();
    for (i, n) in figure.nodes.iter().enumerate() {
        let Some(p) = n.parent.and_then(|p| index.get(&p)) else {
            continue;
        };
        if let (Some((px, py, _)), Some((cx, cy, _))) = (centre(*p), centre(i)) {
            svg.el("path")
                .attr("d", curve(px + BOX_WIDTH, py, cx, cy))
                .empty();
        }
    }
    for (parent, child) in &figure.links {
        let (Some(p), Some(c)) = (index.get(parent), index.get(child)) else {
            continue;
        };
        if let (Some((px, py, _)), Some((cx, cy, _))) = (centre(*p), centre(*c)) {
            svg.el("path")
                .attr("class", "also-under")
                .attr("d", curve(px + BOX_WIDTH, py, cx, cy))
                .attr("stroke-dasharray", "5 4")
                .empty();
        }
    }
    svg.close();
}

/// Draws each node's box, its wrapped name and its count.
fn draw_nodes(svg: &mut Svg, figure: &TreeFigure, placed: &[Option<Placed>]) {
    svg.el("g").attr("class", "nodes").open();
    for (i, n) in figure.nodes.iter().enumerate() {
        let Some(p) = &placed[i] else {
            continue;
        };
        let style = &STYLES[p.style];
        svg.el("g")
            .attr("class", "node")
            .attr("data-code", n.id)
            .attr("data-level", n.level_name.as_str())
            .attr("data-participants", n.participants)
            .open();
        svg.el("title").text(&format!(
            "{} ({}): {} of {} participants",
            n.name, n.level_name, n.participants, figure.total
        ));
        svg.el("rect")
            .attr("x", p.x)
            .attr("y", p.y)
            .attr("width", BOX_WIDTH)
            .attr("height", p.height)
            .attr("rx", style.radius)
            .attr("fill", style.fill)
            .attr("stroke", style.stroke)
            .attr_opt("stroke-dasharray", style.dash)
            .empty();
        let line_height = style.size * 1.25;
        for (k, line) in p.lines.iter().enumerate() {
            svg.el("text")
                .attr("class", "label")
                .attr("x", p.x + PAD)
                .attr("y", p.y + PAD + style.size + k as f64 * line_height)
                .attr("font-size", style.size)
                .attr("font-weight", style.weight)
                .attr_opt("font-style", style.italic.then_some("italic"))
                .attr("fill", style.text)
                .text(line);
        }
        svg.el("text")
            .attr("class", "count")
            .attr("x", p.x + BOX_WIDTH - PAD)
            .attr("y", p.y + p.height - PAD)
            .attr("text-anchor", "end")
            .attr("font-size", COUNT_SIZE)
            .attr("fill", style.text)
            .text(&format!("n = {}/{}", n.participants, figure.total));
        svg.close();
    }
    svg.close();
}

/// Draws one sample box per level present, top level first, and the key.
fn draw_legend(svg: &mut Svg, figure: &TreeFigure, layout: &Layout) {
    let (top_rank, legend_top) = (layout.top_rank, layout.legend_top);
    let levels: BTreeSet<(i64, &str)> = figure
        .nodes
        .iter()
        .map(|n| (n.level, n.level_name.as_str()))
        .collect();
    svg.el("g").attr("class", "legend").open();
    let mut x = MARGIN;
    for (rank, name) in levels.iter().rev() {
        let style = &STYLES[style_of(*rank, top_rank)];
        // Bold type runs wider than the estimate.
        let w = text_width(name, 11.0) * 1.15 + 2.0 * PAD;
        svg.el("rect")
            .attr("x", x)
            .attr("y", legend_top)
            .attr("width", w)
            .attr("height", 22.0)
            .attr("rx", style.radius.min(11.0))
            .attr("fill", style.fill)
            .attr("stroke", style.stroke)
            .attr_opt("stroke-dasharray", style.dash)
            .empty();
        svg.el("text")
            .attr("x", x + PAD)
            .attr("y", legend_top + 15.0)
            .attr("font-size", 11.0)
            .attr("font-weight", style.weight)
            .attr_opt("font-style", style.italic.then_some("italic"))
            .attr("fill", style.text)
            .text(name);
        x += w + 10.0;
    }
    svg.el("text")
        .attr("x", MARGIN)
        .attr("y", legend_top + 42.0)
        .attr("font-size", 11.0)
        .attr("fill", "#455a64")
        .text(&format!(
            "n = participants whose words support the code or a code below it, of {} participants. Dashed lines: a code also under a second parent.",
            figure.total
        ));
    svg.close();
}

fn style_of(rank: i64, top_rank: i64) -> usize {
    usize::try_from(top_rank - rank)
        .unwrap_or(0)
        .min(STYLES.len() - 1)
}

/// Places `i` and its subtree in the band starting at `top`; returns the
/// band's height.
#[allow(clippy::too_many_arguments)]
fn place(
    i: usize,
    depth: usize,
    top: f64,
    figure: &TreeFigure,
    children: &HashMap<i64, Vec<usize>>,
    top_rank: i64,
    placed: &mut Vec<Option<Placed>>,
    max_depth: &mut usize,
    visiting: &mut BTreeSet<usize>,
) -> f64 {
    // A cycle cannot be stored, but a figure must not recurse forever on
    // hand-built data.
    if !visiting.insert(i) {
        return 0.0;
    }
    *max_depth = (*max_depth).max(depth);
    let node = &figure.nodes[i];
    let style = style_of(node.level, top_rank);
    let size = STYLES[style].size;
    let max_chars = ((BOX_WIDTH - 2.0 * PAD) / (size * 0.6)).floor() as usize;
    let lines = wrap(&node.name, max_chars, 4);
    let own = PAD * 2.0 + lines.len().max(1) as f64 * size * 1.25 + COUNT_SIZE + 4.0;
    let x = MARGIN + depth as f64 * (BOX_WIDTH + COLUMN_GAP);
    let kids = children.get(&node.id).cloned().unwrap_or_default();
    let mut band = 0.0;
    let mut centres: Vec<f64> = Vec::new();
    for (k, child) in kids.iter().enumerate() {
        if k > 0 {
            band += ROW_GAP;
        }
        let h = place(
            *child,
            depth + 1,
            top + band,
            figure,
            children,
            top_rank,
            placed,
            max_depth,
            visiting,
        );
        if let Some(p) = &placed[*child] {
            centres.push(p.y + p.height / 2.0);
        }
        band += h;
    }
    let (y, band) = match (centres.first(), centres.last()) {
        (Some(first), Some(last)) => {
            let mid = (first + last) / 2.0;
            let y = (mid - own / 2.0).max(top);
            (y, band.max(y - top + own))
        }
        _ => (top, own),
    };
    placed[i] = Some(Placed {
        lines,
        height: own,
        x,
        y,
        style,
    });
    band
}

/// Returns a horizontal S-curve from `(x1, y1)` to `(x2, y2)`.
fn curve(x1: f64, y1: f64, x2: f64, y2: f64) -> String {
    let mid = (x1 + x2) / 2.0;
    format!(
        "M {} {} C {} {}, {} {}, {} {}",
        num(x1),
        num(y1),
        num(mid),
        num(y1),
        num(mid),
        num(y2),
        num(x2),
        num(y2)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: i64, name: &str, level: i64, parent: Option<i64>, n: usize) -> TreeNode {
        TreeNode {
            id,
            name: name.into(),
            level,
            level_name: ["idea", "sub-theme", "theme", "meta-theme"][level as usize - 1].into(),
            parent,
            participants: n,
        }
    }

    fn sample() -> TreeFigure {
        TreeFigure {
            title: "La relation comme soin".into(),
            total: 13,
            nodes: vec![
                node(1, "La relation comme soin", 4, None, 9),
                node(
                    2,
                    "Construire la confiance, lentement et à l'épreuve",
                    3,
                    Some(1),
                    7,
                ),
                node(3, "Présence fiable", 2, Some(2), 5),
                node(4, "Ne pas lâcher le patient", 1, Some(3), 3),
                node(5, "<script>&\"", 1, Some(3), 1),
                node(6, "Moments de rencontre", 3, Some(1), 4),
            ],
            links: vec![(6, 4)],
        }
    }

    #[test]
    fn boxes_never_overlap_and_parents_sit_between_their_children() {
        let figure = sample();
        let svg = draw(&figure);
        // Read back each node's box.
        let mut boxes: Vec<(f64, f64, f64, f64)> = Vec::new();
        for chunk in svg.split("<g class=\"node\"").skip(1) {
            let rect = &chunk[chunk.find("<rect").unwrap()..];
            let get = |name: &str| -> f64 {
                let at = rect.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                rect[at..at + rect[at..].find('"').unwrap()]
                    .parse()
                    .unwrap()
            };
            boxes.push((get("x"), get("y"), get("width"), get("height")));
        }
        assert_eq!(boxes.len(), 6);
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart =
                    a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        // Présence fiable (index 2) is centred between its two ideas.
        let mid = |b: &(f64, f64, f64, f64)| b.1 + b.3 / 2.0;
        assert!((mid(&boxes[2]) - (mid(&boxes[3]) + mid(&boxes[4])) / 2.0).abs() < 0.02);
        // Columns by depth.
        assert!(boxes[0].0 < boxes[1].0 && boxes[1].0 < boxes[2].0 && boxes[2].0 < boxes[3].0);
        assert_eq!(boxes[1].0, boxes[5].0);
    }

    #[test]
    fn labels_are_escaped_and_counts_carried() {
        let svg = draw(&sample());
        assert!(svg.contains("&lt;script&gt;&amp;&quot;"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("data-participants=\"7\""));
        assert!(svg.contains("n = 7/13"));
        assert!(svg.contains("class=\"also-under\""));
        assert_eq!(svg, draw(&sample()));
    }
}
