//! `--coder NAME` / `VERBATIM_CODER`: who is acting, and what they may see.

use anyhow::bail;
use clap::Args;
use verbatim_store::{Coders, Scope, SqliteStore};

/// The coder a command acts as.
#[derive(Args, Debug, Clone)]
pub struct CoderArg {
    /// The coder acting (a name added with `verbatim coder add`)
    #[arg(long, env = "VERBATIM_CODER", value_name = "NAME", global = true)]
    pub coder: Option<String>,
}

impl CoderArg {
    /// Returns the coder's name, or a clear error when none was given.
    pub fn name(&self) -> anyhow::Result<&str> {
        match self.coder.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => Ok(name),
            _ => bail!("say who is coding: pass --coder NAME or set VERBATIM_CODER"),
        }
    }

    /// Returns the coder's scope: their own layer, or every layer when
    /// `all` is asked (allowed once revealed, or in a study marked solo).
    pub fn scope_as(&self, store: &SqliteStore, all: bool, solo: bool) -> anyhow::Result<Scope> {
        Ok(store.scope(self.name()?, all, solo)?)
    }

    /// Returns the coder's scope on either backend, seeing every layer when
    /// `all` is asked and allowed.
    pub fn scope_on<S: Coders + ?Sized>(
        &self,
        store: &S,
        all: bool,
        solo: bool,
    ) -> anyhow::Result<Scope> {
        Ok(Coders::scope(store, self.name()?, all, solo)?)
    }

    /// Returns the coder's scope, seeing every layer when asked and allowed.
    pub fn scope_with(&self, store: &SqliteStore, layers: &LayersArg) -> anyhow::Result<Scope> {
        self.scope_as(store, layers.all, layers.solo)
    }
}

/// Asks for every coder's layer (the name the memo and journal commands use).
pub type LayersArg = AllArg;

/// Asks for every coder's layer.
#[derive(Args, Debug, Clone, Default)]
pub struct AllArg {
    /// Include every coder's work (needs `verbatim reveal` first, or a study marked solo)
    #[arg(long)]
    pub all: bool,
    /// Accepted in a study marked solo (`verbatim study solo`); refused otherwise
    #[arg(long)]
    pub solo: bool,
}
