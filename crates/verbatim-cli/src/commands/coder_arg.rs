//! `--coder NAME` (or `VERBATIM_CODER`): who acts, and so whose layer a
//! command reads and writes. Blind coding is enforced by the store's
//! [`Scope`]; this only turns the arguments into one.

use clap::Args;
use verbatim_store::{Scope, SqliteStore};

/// The coder a command acts as.
#[derive(Args, Debug, Clone)]
pub struct CoderArg {
    /// The coder acting: their layer is the one read and written
    #[arg(long, env = "VERBATIM_CODER", value_name = "NAME")]
    pub coder: String,
}

/// Whether to see every coder's layer.
#[derive(Args, Debug, Clone, Default)]
pub struct LayersArg {
    /// Show every coder's work (once the study is revealed, or with --solo)
    #[arg(long)]
    pub all: bool,
    /// One researcher coding alone under several names: nothing is blind
    #[arg(long, requires = "all")]
    pub solo: bool,
}

impl CoderArg {
    /// Returns the coder's own scope.
    pub fn scope(&self, store: &SqliteStore) -> anyhow::Result<Scope> {
        Ok(store.scope(&self.coder, false, false)?)
    }

    /// Returns the coder's scope, seeing every layer when asked and allowed.
    pub fn scope_with(&self, store: &SqliteStore, layers: &LayersArg) -> anyhow::Result<Scope> {
        Ok(store.scope(&self.coder, layers.all, layers.solo)?)
    }
}
