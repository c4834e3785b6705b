//! Analyses of a study's codings: pure computations on spans and tables.
//!
//! Nothing here reads a study file: callers (the CLI, later the server)
//! load codings through `verbatim-store` and hand this crate plain values,
//! so every statistic can be tested against published worked examples.
//!
//! - [`agreement`]: intercoder agreement on coded passages, at character
//!   level (NVivo) and segment level (MAXQDA), computed on intervals.
//! - [`reliability`]: agreement coefficients on a reliability data matrix
//!   (Krippendorff's alpha, Cohen's and Fleiss' kappa, Scott's pi, Gwet's
//!   AC1, Brennan & Prediger, percent agreement).
//! - [`query`]: coding queries (AND, OR, NOT, NEAR, PRECEDING) on spans.
//! - [`matrix`]: codes × columns tables and code co-occurrence.
//! - [`evidence`]: themes, their supporting passages and who spoke them:
//!   triangulation and IPA tables.
//! - [`saturation`]: new codes per interview and the Guest, Namey & Chen
//!   (2020) saturation verdict.
//! - [`alignment`]: matching two coders' theme trees by what they cover,
//!   and the passages only one of them coded.
//! - [`intervals`]: the sweeps over sorted spans both are built on.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod agreement;
pub mod alignment;
pub mod domain_alpha;
pub mod evidence;
pub mod intervals;
pub mod matrix;
pub mod query;
pub mod reliability;
pub mod saturation;
pub mod unitizing;
