//! The coding concerns as traits: coders, codebooks and codings.
//!
//! Reads take a [`Scope`], and only the provided methods of [`Coders`]
//! (or `SqliteStore::scope`) build one, from what the backend answers; so
//! the blind-coding rule (a coder sees only their layer until the layers
//! are open) is decided in one place for every backend.

use verbatim_core::Span;

use super::rules;
use crate::{
    Book, CodeNode, Coder, CodingFilter, CodingRecord, Level, Located, NewCode, Scope, SourceRef,
    SqliteStore, StoreError,
};

/// The coders of a study, its code levels, and the scopes they act in.
pub trait Coders {
    /// Adds a coder; refuses an empty name, a name taken, or the consensus
    /// layer's name.
    fn add_coder(
        &mut self,
        actor: &str,
        name: &str,
        initials: Option<&str>,
        colour: Option<&str>,
    ) -> Result<Coder, StoreError>;

    /// Returns every coder, by id (never the consensus layer).
    fn coders(&self) -> Result<Vec<Coder>, StoreError>;

    /// Returns the coder with this name, if any (never the consensus layer).
    fn coder_by_name(&self, name: &str) -> Result<Option<Coder>, StoreError>;

    /// Returns the consensus layer's row (every study has exactly one).
    fn consensus_coder(&self) -> Result<Coder, StoreError>;

    /// Returns true when a scope may see every coder's layer: the study was
    /// revealed, is marked solo, or has fewer than two coders.
    fn layers_open(&self) -> Result<bool, StoreError>;

    /// Returns the code levels, lowest first.
    fn levels(&self) -> Result<Vec<Level>, StoreError>;

    /// Returns the scope of `coder`: their own layer and the shared
    /// codebook, or every layer when `all` is asked and the layers are open;
    /// `solo` is refused unless they are.
    fn scope(&self, coder: &str, all: bool, solo: bool) -> Result<Scope, StoreError> {
        let found = self
            .coder_by_name(coder)?
            .ok_or_else(|| StoreError::UnknownCoder(coder.to_owned()))?;
        if (all || solo) && !self.layers_open()? {
            return Err(StoreError::Blind);
        }
        Ok(Scope::issue(found, all, false))
    }

    /// Returns the scope of the team's consensus layer (the shared codebook
    /// is its own; it sees no coder's private layer).
    fn consensus_scope(&self) -> Result<Scope, StoreError> {
        Ok(Scope::issue(self.consensus_coder()?, false, true))
    }

    /// Returns the rank of the level a user named.
    fn level_rank_of(&self, name: &str) -> Result<i64, StoreError> {
        rules::level_rank(&self.levels()?, name)
    }
}

/// Codebooks: each coder's private tree of codes, and the shared one.
pub trait Codebook {
    /// Adds a code (under `new.parent`, in its parent's codebook, else in
    /// the book asked) and returns its id.
    fn add_code(&mut self, scope: &Scope, new: &NewCode) -> Result<i64, StoreError>;

    /// Returns one codebook in tree order with coding counts in the layers
    /// the scope sees.
    fn code_tree(&self, scope: &Scope, book: Book) -> Result<Vec<CodeNode>, StoreError>;

    /// Returns the id of the code a user named (an id, or a name in the
    /// coder's codebook or the shared one; a name in both is refused).
    fn find_code(&self, scope: &Scope, word: &str, book: Option<Book>) -> Result<i64, StoreError>;
}

/// Codings: passages of a source marked with a code by a coder.
pub trait Codings {
    /// Returns a source's id from a user's word (id, else name).
    fn source_id(&self, which: &SourceRef) -> Result<i64, StoreError>;

    /// Returns where `quote` occurs in the source (see [`rules::locate`]).
    fn locate(
        &self,
        source: i64,
        quote: &str,
        occurrence: Option<usize>,
    ) -> Result<Located, StoreError>;

    /// Codes a passage for the scope's coder; returns the coding's id and
    /// whether it is new (the same passage, code and coder is one coding).
    fn add_coding(
        &mut self,
        scope: &Scope,
        source: i64,
        span: Span,
        code: i64,
        memo: Option<&str>,
    ) -> Result<(i64, bool), StoreError>;

    /// Codes many passages `(source, span, code)` in one undoable action
    /// (one audit entry, [`rules::CODING_BATCH`]) and returns how many
    /// codings are new. Every item is checked first with the rules of
    /// [`Codings::add_coding`]; one bad item refuses the whole batch and
    /// writes nothing. Passages already coded, and repeats, are skipped;
    /// when nothing is new, nothing is written.
    fn add_codings(
        &mut self,
        scope: &Scope,
        items: &[(i64, Span, i64)],
    ) -> Result<usize, StoreError>;

    /// Returns the codings the scope sees that match the filter, by source
    /// then position.
    fn codings(
        &self,
        scope: &Scope,
        filter: &CodingFilter,
    ) -> Result<Vec<CodingRecord>, StoreError>;

    /// Removes one of the scope's own codings.
    fn remove_coding(&mut self, scope: &Scope, id: i64) -> Result<(), StoreError>;
}

impl Coders for SqliteStore {
    fn add_coder(
        &mut self,
        actor: &str,
        name: &str,
        initials: Option<&str>,
        colour: Option<&str>,
    ) -> Result<Coder, StoreError> {
        SqliteStore::add_coder(self, actor, name, initials, colour)
    }

    fn coders(&self) -> Result<Vec<Coder>, StoreError> {
        SqliteStore::coders(self)
    }

    fn coder_by_name(&self, name: &str) -> Result<Option<Coder>, StoreError> {
        SqliteStore::coder_by_name(self, name)
    }

    fn consensus_coder(&self) -> Result<Coder, StoreError> {
        SqliteStore::consensus_coder(self)
    }

    fn layers_open(&self) -> Result<bool, StoreError> {
        SqliteStore::layers_open(self)
    }

    fn levels(&self) -> Result<Vec<Level>, StoreError> {
        SqliteStore::levels(self)
    }
}

impl Codebook for SqliteStore {
    fn add_code(&mut self, scope: &Scope, new: &NewCode) -> Result<i64, StoreError> {
        SqliteStore::add_code(self, scope, new)
    }

    fn code_tree(&self, scope: &Scope, book: Book) -> Result<Vec<CodeNode>, StoreError> {
        SqliteStore::code_tree(self, scope, book)
    }

    fn find_code(&self, scope: &Scope, word: &str, book: Option<Book>) -> Result<i64, StoreError> {
        SqliteStore::find_code(self, scope, word, book)
    }
}

impl Codings for SqliteStore {
    fn source_id(&self, which: &SourceRef) -> Result<i64, StoreError> {
        SqliteStore::source_id(self, which)
    }

    fn locate(
        &self,
        source: i64,
        quote: &str,
        occurrence: Option<usize>,
    ) -> Result<Located, StoreError> {
        SqliteStore::locate(self, source, quote, occurrence)
    }

    fn add_coding(
        &mut self,
        scope: &Scope,
        source: i64,
        span: Span,
        code: i64,
        memo: Option<&str>,
    ) -> Result<(i64, bool), StoreError> {
        SqliteStore::add_coding(self, scope, source, span, code, memo)
    }

    fn add_codings(
        &mut self,
        scope: &Scope,
        items: &[(i64, Span, i64)],
    ) -> Result<usize, StoreError> {
        SqliteStore::add_codings(self, scope, items)
    }

    fn codings(
        &self,
        scope: &Scope,
        filter: &CodingFilter,
    ) -> Result<Vec<CodingRecord>, StoreError> {
        SqliteStore::codings(self, scope, filter)
    }

    fn remove_coding(&mut self, scope: &Scope, id: i64) -> Result<(), StoreError> {
        SqliteStore::remove_coding(self, scope, id)
    }
}
