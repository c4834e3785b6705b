//! Figures as standalone, deterministic SVG: the theme tree, the saturation
//! curve, the triangulation heat map and the alignment of two coders' trees.
//!
//! Each figure is two functions: `gather` reads a study into a small data
//! struct (the numbers the analysis commands print, computed by the same
//! `verbatim-analysis` functions), and `draw` turns that struct into SVG
//! text and does nothing else. `draw` is pure: the same struct gives the
//! same bytes, which makes figures testable, diffable and embeddable in
//! HTML reports as they are. Every drawn element that carries a number also
//! carries it as a `data-*` attribute, so tests (and curious readers) can
//! check the figure against `verbatim triangulation --json` and
//! `verbatim saturation --json` without reading pixels.
//!
//! - [`tree`] — a codebook as a left-to-right tree, levels told apart by
//!   shape, fill and weight, each node with its participants;
//! - [`saturation`] — new codes per source and the cumulative curve, the
//!   base, the confirming run and the verdict;
//! - [`heatmap`] — themes × sites, attribute values and modes, shaded by
//!   the participants supporting each cell;
//! - [`alignment`] — two coders' trees side by side, matched nodes joined
//!   by lines as thick as their Jaccard index.

pub mod alignment;
pub mod heatmap;
pub mod saturation;
mod study;
pub mod svg;
pub mod tree;

use thiserror::Error;
use verbatim_analysis::alignment::AlignError;
use verbatim_store::StoreError;

/// Why a figure could not be gathered.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum FigureError {
    /// The study could not be read (or the scope may not see the layer).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The alignment of two trees failed.
    #[error(transparent)]
    Align(#[from] AlignError),
    /// No code of the codebook has the name asked for.
    #[error("no code named {name:?} in this codebook: the top-level codes are {known}")]
    UnknownCode {
        /// The name asked for.
        name: String,
        /// The names that exist at the top of the tree.
        known: String,
    },
    /// A parameter is out of its range.
    #[error("{0}")]
    Invalid(String),
}
