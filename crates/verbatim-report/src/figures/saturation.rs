//! The saturation curve: new codes per source in collection order, the
//! cumulative count, and Guest, Namey & Chen's (2020) verdict marked on it.
//!
//! The numbers are `verbatim_analysis::saturation::assess`'s, on the input
//! `verbatim_views::saturation` builds for `verbatim saturation` too
//! (interviews and focus groups by their `date` attribute, then import
//! order; each coder's codes, or codes rolled up to a level), so every
//! point equals a line of `verbatim saturation --json`.

use verbatim_analysis::saturation::{Params, Saturation, Verdict};
use verbatim_store::{AgreementReads, AnalysisReads, Coder, Scope};
use verbatim_views as views;

use super::FigureError;
use super::svg::{Svg, num, wrap};

/// One source's point on the curve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    /// Its position in collection order, from 1.
    pub position: usize,
    /// The source's name.
    pub source: String,
    /// Codes first seen in it.
    pub new_codes: usize,
    /// Distinct codes seen so far.
    pub cumulative: usize,
}

/// What the saturation figure shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SaturationFigure {
    /// The figure's title.
    pub title: String,
    /// One point per source.
    pub points: Vec<Point>,
    /// Sources in the base.
    pub base: usize,
    /// The new-information threshold, as a fraction.
    pub threshold: f64,
    /// The confirming run `(first, last)` positions, when saturation was
    /// reached.
    pub run: Option<(usize, usize)>,
    /// The position after which saturation was reached.
    pub after: Option<usize>,
    /// The verdict as a sentence.
    pub sentence: String,
}

impl SaturationFigure {
    /// Returns the figure of an assessment.
    pub fn of(title: &str, assessed: &Saturation) -> Self {
        let (run, after) = match &assessed.verdict {
            Verdict::Reached { after, run } => (Some((run.first, run.last)), Some(*after)),
            _ => (None, None),
        };
        Self {
            title: title.to_owned(),
            points: assessed
                .steps
                .iter()
                .map(|s| Point {
                    position: s.position,
                    source: s.source.clone(),
                    new_codes: s.new_codes,
                    cumulative: s.cumulative,
                })
                .collect(),
            base: assessed.params.base,
            threshold: assessed.params.threshold,
            run,
            after,
            sentence: assessed.sentence(),
        }
    }
}

/// How to assess saturation, as `verbatim saturation`'s options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaturationOptions {
    /// The method's parameters.
    pub params: Params,
    /// Count codes rolled up to this level rank (`None`: codes as applied).
    pub level: Option<i64>,
    /// Order sources by their `date` attribute (then id) rather than by id.
    pub by_date: bool,
    /// Count observation notes as interviews.
    pub include_observation: bool,
}

impl Default for SaturationOptions {
    fn default() -> Self {
        Self {
            params: Params::default(),
            level: None,
            by_date: true,
            include_observation: false,
        }
    }
}

/// Assesses `coder`'s saturation over all sites.
pub fn gather<S: AnalysisReads + AgreementReads + ?Sized>(
    store: &S,
    scope: &Scope,
    coder: &Coder,
    options: &SaturationOptions,
) -> Result<SaturationFigure, FigureError> {
    if !(0.0..=1.0).contains(&options.params.threshold) {
        return Err(FigureError::Invalid(
            "the threshold is a fraction between 0 and 1".into(),
        ));
    }
    // The curve `verbatim saturation` prints: the sources this coder (or,
    // for the consensus, the team) coded, in collection order.
    let curve = views::saturation::curves(
        store,
        scope,
        coder,
        &views::saturation::CurveOptions {
            level: options.level,
            params: options.params,
            by_date: options.by_date,
            include_observation: options.include_observation,
            ..views::saturation::CurveOptions::default()
        },
    )?
    .into_iter()
    .next()
    .ok_or_else(|| FigureError::Invalid("no saturation curve to draw".into()))?;
    Ok(SaturationFigure::of(
        &format!("Thematic saturation — {}", coder.name),
        &curve.saturation,
    ))
}

const WIDTH: f64 = 760.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 56.0;
const PLOT: f64 = 300.0;

/// Returns a tick step of 1, 2 or 5 × 10ⁿ giving at most six ticks up to
/// `max`.
fn tick_step(max: usize) -> usize {
    let mut step = 1;
    loop {
        for k in [1, 2, 5] {
            if max.div_ceil(step * k) <= 6 {
                return step * k;
            }
        }
        step *= 10;
    }
}

/// How values and positions map onto the plot.
struct Scale {
    /// The number of sources (at least 1).
    n: usize,
    /// The width each source gets.
    slot: f64,
    /// The value at the plot's top, a whole number of ticks.
    top_value: usize,
    /// The value between two grid lines.
    step: usize,
    /// The plot's width inside the margins.
    plot_width: f64,
}

impl Scale {
    fn of(figure: &SaturationFigure) -> Self {
        let n = figure.points.len().max(1);
        let max = figure
            .points
            .iter()
            .map(|p| p.cumulative)
            .max()
            .unwrap_or(0)
            .max(1);
        let step = tick_step(max);
        let plot_width = WIDTH - LEFT - RIGHT;
        Scale {
            n,
            slot: plot_width / n as f64,
            top_value: max.div_ceil(step) * step,
            step,
            plot_width,
        }
    }

    /// The centre of the source at `position` (1-based).
    fn x_of(&self, position: usize) -> f64 {
        LEFT + (position as f64 - 0.5) * self.slot
    }

    /// The height of `value` codes.
    fn y_of(&self, value: usize) -> f64 {
        TOP + PLOT - value as f64 / self.top_value as f64 * PLOT
    }
}

/// Returns the saturation figure as SVG.
pub fn draw(figure: &SaturationFigure) -> String {
    let sc = Scale::of(figure);
    let caption = wrap(&format!("Verdict: {}.", figure.sentence), 110, 4);
    let height = TOP + PLOT + 70.0 + caption.len() as f64 * 15.0;
    let description = format!(
        "New and cumulative codes over {} sources in collection order. Verdict: {}.",
        figure.points.len(),
        figure.sentence
    );
    let mut svg = Svg::new(WIDTH, height, &figure.title, &description);
    svg.el("text")
        .attr("x", LEFT)
        .attr("y", 28.0)
        .attr("font-size", 18.0)
        .attr("font-weight", "bold")
        .attr("fill", "#102030")
        .text(&figure.title);
    draw_bands(&mut svg, figure, &sc);
    draw_axes(&mut svg, figure, &sc);
    draw_bars(&mut svg, figure, &sc);
    draw_curve(&mut svg, figure, &sc);
    draw_verdict(&mut svg, figure, &sc, &caption);
    svg.finish()
}

/// Draws the base and the confirming run as shaded bands.
fn draw_bands(svg: &mut Svg, figure: &SaturationFigure, sc: &Scale) {
    let band = |svg: &mut Svg, class: &str, first: usize, last: usize, fill: &str, label: &str| {
        let x = LEFT + (first as f64 - 1.0) * sc.slot;
        svg.el("rect")
            .attr("class", class)
            .attr("x", x)
            .attr("y", TOP)
            .attr("width", (last + 1 - first) as f64 * sc.slot)
            .attr("height", PLOT)
            .attr("fill", fill)
            .empty();
        svg.el("text")
            .attr("x", x + 4.0)
            .attr("y", TOP + 14.0)
            .attr("font-size", 11.0)
            .attr("fill", "#37474f")
            .text(label);
    };
    let base = figure.base.min(figure.points.len());
    if base > 0 {
        band(svg, "base", 1, base, "#eceff1", &format!("base ({base})"));
    }
    if let Some((first, last)) = figure.run {
        band(svg, "run", first, last, "#e8f5e9", "run");
    }
}

/// Draws the axes, the grid and their labels.
fn draw_axes(svg: &mut Svg, figure: &SaturationFigure, sc: &Scale) {
    svg.el("g")
        .attr("class", "axes")
        .attr("font-size", 11.0)
        .attr("fill", "#37474f")
        .open();
    let mut value = 0;
    while value <= sc.top_value {
        let y = sc.y_of(value);
        svg.el("line")
            .attr("x1", LEFT)
            .attr("x2", WIDTH - RIGHT)
            .attr("y1", y)
            .attr("y2", y)
            .attr("stroke", if value == 0 { "#37474f" } else { "#cfd8dc" })
            .attr("stroke-width", if value == 0 { 1.2 } else { 0.6 })
            .empty();
        svg.el("text")
            .attr("x", LEFT - 6.0)
            .attr("y", y + 4.0)
            .attr("text-anchor", "end")
            .text(&value.to_string());
        value += sc.step;
    }
    let label_every = sc.n.div_ceil(30);
    for p in &figure.points {
        if (p.position - 1) % label_every == 0 || p.position == sc.n {
            svg.el("text")
                .attr("x", sc.x_of(p.position))
                .attr("y", TOP + PLOT + 16.0)
                .attr("text-anchor", "middle")
                .text(&p.position.to_string());
        }
    }
    svg.el("text")
        .attr("x", LEFT + sc.plot_width / 2.0)
        .attr("y", TOP + PLOT + 34.0)
        .attr("text-anchor", "middle")
        .text("Sources in collection order");
    svg.el("text")
        .attr(
            "transform",
            format!("translate(18 {}) rotate(-90)", num(TOP + PLOT / 2.0)),
        )
        .attr("text-anchor", "middle")
        .text("Codes");
    svg.close();
}

/// Draws the new codes of each source as bars.
fn draw_bars(svg: &mut Svg, figure: &SaturationFigure, sc: &Scale) {
    svg.el("g")
        .attr("class", "new-codes")
        .attr("fill", "#90caf9")
        .open();
    for p in &figure.points {
        let y = sc.y_of(p.new_codes);
        svg.el("rect")
            .attr("x", sc.x_of(p.position) - sc.slot * 0.3)
            .attr("y", y)
            .attr("width", sc.slot * 0.6)
            .attr("height", TOP + PLOT - y)
            .attr("data-position", p.position)
            .attr("data-new", p.new_codes)
            .open();
        svg.el("title").text(&format!(
            "{}. {}: {} new codes",
            p.position, p.source, p.new_codes
        ));
        svg.close();
    }
    svg.close();
}

/// Draws the cumulative curve and its points.
fn draw_curve(svg: &mut Svg, figure: &SaturationFigure, sc: &Scale) {
    let path: Vec<String> = figure
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "{} {} {}",
                if i == 0 { "M" } else { "L" },
                num(sc.x_of(p.position)),
                num(sc.y_of(p.cumulative))
            )
        })
        .collect();
    svg.el("g").attr("class", "cumulative").open();
    if !path.is_empty() {
        svg.el("path")
            .attr("d", path.join(" "))
            .attr("fill", "none")
            .attr("stroke", "#0d47a1")
            .attr("stroke-width", 2.0)
            .empty();
    }
    for p in &figure.points {
        svg.el("circle")
            .attr("class", "point")
            .attr("cx", sc.x_of(p.position))
            .attr("cy", sc.y_of(p.cumulative))
            .attr("r", 3.5)
            .attr("fill", "#0d47a1")
            .attr("data-position", p.position)
            .attr("data-source", p.source.as_str())
            .attr("data-new", p.new_codes)
            .attr("data-cumulative", p.cumulative)
            .open();
        svg.el("title").text(&format!(
            "{}. {}: {} codes so far",
            p.position, p.source, p.cumulative
        ));
        svg.close();
    }
    svg.close();
}

/// Draws where saturation was reached, and the verdict under the plot.
fn draw_verdict(svg: &mut Svg, figure: &SaturationFigure, sc: &Scale, caption: &[String]) {
    if let Some(after) = figure.after {
        let x = LEFT + after as f64 * sc.slot;
        svg.el("line")
            .attr("class", "saturation")
            .attr("data-after", after)
            .attr("x1", x)
            .attr("x2", x)
            .attr("y1", TOP)
            .attr("y2", TOP + PLOT)
            .attr("stroke", "#2e7d32")
            .attr("stroke-width", 2.0)
            .attr("stroke-dasharray", "6 3")
            .empty();
        svg.el("text")
            .attr("x", x - 4.0)
            .attr("y", TOP - 6.0)
            .attr("text-anchor", "end")
            .attr("font-size", 11.0)
            .attr("fill", "#2e7d32")
            .text(&format!(
                "saturation after source {after} (≤ {} % new)",
                num(figure.threshold * 100.0)
            ));
    }
    for (k, line) in caption.iter().enumerate() {
        svg.el("text")
            .attr("class", "verdict")
            .attr("x", LEFT)
            .attr("y", TOP + PLOT + 58.0 + k as f64 * 15.0)
            .attr("font-size", 12.0)
            .attr("fill", "#102030")
            .text(line);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use verbatim_analysis::saturation;

    #[test]
    fn ticks_are_round_and_few() {
        assert_eq!(tick_step(5), 1);
        assert_eq!(tick_step(13), 5);
        assert_eq!(tick_step(40), 10);
        assert_eq!(tick_step(1200), 200);
    }

    #[test]
    fn points_carry_the_assessments_numbers_and_the_verdict_is_marked() {
        let codes = |list: &[i64]| list.iter().copied().collect::<BTreeSet<i64>>();
        let input: Vec<(String, BTreeSet<i64>)> = [
            &[1, 2, 3][..],
            &[2, 4],
            &[5],
            &[1, 6],
            &[7],
            &[],
            &[1],
            &[2],
        ]
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("S{}", i + 1), codes(c)))
        .collect();
        let assessed = saturation::assess(&input, Params::default());
        let svg = draw(&SaturationFigure::of("T", &assessed));
        for step in &assessed.steps {
            assert!(svg.contains(&format!(
                "data-position=\"{}\" data-source=\"{}\" data-new=\"{}\" data-cumulative=\"{}\"",
                step.position, step.source, step.new_codes, step.cumulative
            )));
        }
        let Verdict::Reached { after, .. } = assessed.verdict else {
            panic!("{:?}", assessed.verdict)
        };
        assert!(svg.contains(&format!("data-after=\"{after}\"")));
        assert!(svg.contains("Verdict: saturation reached"));
    }
}
