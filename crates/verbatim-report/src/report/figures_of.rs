//! The report's figures, drawn with `crate::figures`: one theme tree per
//! top node, the saturation curves, the triangulation heat map.
//!
//! The figures are drawn from the codebook as coded: their labels keep
//! the names the coders gave, whatever the report's language.

use std::collections::HashMap;

use verbatim_store::{AppliesTo, AttrType};

use crate::figures::{heatmap, saturation as saturation_figure, tree};

use super::ReportError;
use super::gather::Ctx;
use super::model::{Figure, Lang, ThemeNode};

/// Draws the report's figures with `crate::figures`: one theme tree per
/// top node (down to sub-themes), the saturation curve of the coder (or
/// of each coder, and the team's, for the shared codebook) and the
/// triangulation heat map of the themes.
pub(crate) fn figures(ctx: &Ctx<'_>, results: &[ThemeNode]) -> Result<Vec<Figure>, ReportError> {
    let mut out = tree_figures(ctx, results)?;
    saturation_figures(ctx, &mut out)?;
    heatmap_figure(ctx, &mut out)?;
    Ok(out)
}

/// One theme tree per top node, down to sub-themes.
fn tree_figures(ctx: &Ctx<'_>, results: &[ThemeNode]) -> Result<Vec<Figure>, ReportError> {
    let (store, scope, book, opts) = (ctx.store, &ctx.reading, ctx.book, ctx.opts);
    let fr = opts.lang == Lang::Fr;
    let coded: HashMap<i64, String> = store
        .code_tree(scope, book)?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    let mut out = Vec::new();
    for (i, root) in results.iter().enumerate() {
        let figure = tree::gather(
            store,
            scope,
            book,
            &tree::TreeOptions {
                meta: Some(
                    coded
                        .get(&root.id)
                        .cloned()
                        .unwrap_or_else(|| root.name.clone()),
                ),
                lowest_level: Some(2),
                ..tree::TreeOptions::default()
            },
        )?;
        let (caption, alt) = if fr {
            (
                format!(
                    "Figure {} — {} : arbre des thèmes, participants par nœud",
                    i + 1,
                    root.name
                ),
                format!(
                    "{} ({} participants sur {}) : {}.",
                    root.name,
                    root.prevalence.overall.n,
                    root.prevalence.overall.of,
                    describe(root)
                ),
            )
        } else {
            (
                format!(
                    "Figure {} — {}: theme tree, participants per node",
                    i + 1,
                    root.name
                ),
                format!(
                    "{} ({} of {} participants): {}.",
                    root.name,
                    root.prevalence.overall.n,
                    root.prevalence.overall.of,
                    describe(root)
                ),
            )
        };
        out.push(Figure {
            stem: format!("figure-{}-tree", i + 1),
            caption,
            alt,
            svg: tree::draw(&figure),
        });
    }
    Ok(out)
}

/// The saturation curve of the coder, or of each coder and the team's for
/// the shared codebook, numbered after those already in `out`.
fn saturation_figures(ctx: &Ctx<'_>, out: &mut Vec<Figure>) -> Result<(), ReportError> {
    let (store, opts) = (ctx.store, ctx.opts);
    let fr = opts.lang == Lang::Fr;
    let mut curves: Vec<(verbatim_store::Scope, verbatim_store::Coder)> = if opts.shared {
        store
            .coders()?
            .into_iter()
            .map(|c| (ctx.scope.clone(), c))
            .collect()
    } else {
        vec![(ctx.scope.clone(), ctx.scope.coder().clone())]
    };
    if opts.shared {
        curves.push((ctx.reading.clone(), ctx.reading.coder().clone()));
    }
    for (scope, coder) in curves {
        let figure = saturation_figure::gather(
            store,
            &scope,
            &coder,
            &saturation_figure::SaturationOptions::default(),
        )?;
        let n = out.len() + 1;
        out.push(Figure {
            stem: format!("figure-{n}-saturation-{}", coder.name),
            caption: if fr {
                format!(
                    "Figure {n} — Saturation ({}) : nouveaux codes par entretien et cumul",
                    coder.name
                )
            } else {
                format!(
                    "Figure {n} — Saturation ({}): new codes per interview and cumulative codes",
                    coder.name
                )
            },
            alt: figure.sentence.clone(),
            svg: saturation_figure::draw(&figure),
        });
    }
    Ok(())
}

/// The triangulation heat map of the themes, by site, the occupation (or
/// first category) attribute and mode of collection.
fn heatmap_figure(ctx: &Ctx<'_>, out: &mut Vec<Figure>) -> Result<(), ReportError> {
    let (store, scope, book, opts) = (ctx.store, &ctx.reading, ctx.book, ctx.opts);
    let fr = opts.lang == Lang::Fr;
    if let Ok(theme) = store.level_rank_of("theme") {
        let attributes = store.attributes(AppliesTo::Participant)?;
        let attribute = attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case("occupation"))
            .or_else(|| attributes.iter().find(|a| a.kind == AttrType::Category))
            .map_or("occupation", |a| a.name.as_str());
        let figure = heatmap::gather(store, scope, book, theme, attribute, false)?;
        let n = out.len() + 1;
        out.push(Figure {
            stem: format!("figure-{n}-triangulation"),
            caption: if fr {
                format!("Figure {n} — Triangulation : participants par thème, site, {attribute} et mode de recueil")
            } else {
                format!("Figure {n} — Triangulation: participants per theme by site, {attribute} and mode of collection")
            },
            alt: figure
                .rows
                .iter()
                .map(|r| format!("{}: {}", r.theme, r.participants))
                .collect::<Vec<_>>()
                .join("; "),
            svg: heatmap::draw(&figure),
        });
    }
    Ok(())
}

/// Returns a node's children and their counts, for a figure's alt text.
fn describe(node: &ThemeNode) -> String {
    node.children
        .iter()
        .map(|c| {
            let inner = if c.children.is_empty() {
                String::new()
            } else {
                format!(
                    " [{}]",
                    c.children
                        .iter()
                        .map(|g| format!("{} {}", g.name, g.prevalence.overall.n))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            format!("{} {}{inner}", c.name, c.prevalence.overall.n)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
