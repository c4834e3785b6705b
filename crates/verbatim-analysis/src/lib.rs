//! Analyses of a study's codings: pure computations on spans and tables.
//!
//! Nothing here reads a study file: callers (the CLI, later the server)
//! load codings through `verbatim-store` and hand this crate plain values,
//! so every statistic can be tested against published worked examples.
//!
//! - [`reliability`]: agreement coefficients on a reliability data matrix
//!   (Krippendorff's alpha, Cohen's and Fleiss' kappa, Scott's pi, Gwet's
//!   AC1, Brennan & Prediger, percent agreement).
//! - [`query`]: coding queries (AND, OR, NOT, NEAR, PRECEDING) on spans.
//! - [`matrix`]: codes × columns tables and code co-occurrence.
//! - [`intervals`]: the sweeps over sorted spans both are built on.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod intervals;
pub mod matrix;
pub mod query;
pub mod reliability;
