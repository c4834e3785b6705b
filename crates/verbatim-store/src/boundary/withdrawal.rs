//! Consent withdrawal as a trait: a participant's speech removed from the
//! whole study, what identifies them cleared, and the audit log's earlier
//! entries redacted, in one transaction that cannot be undone (see the
//! SQLite module `withdraw`). Which turns go, how spans shrink (the
//! exclusive splice of `splice_rules`), the log's rewrite and the entry's
//! counts are `rules`' (`withdrawn_splices`, `withdrawal_redactor`,
//! `withdraw_payload`…, and `rules::withdraw` for every earlier wording
//! the log recorded), so both backends remove and report alike.

use crate::{SqliteStore, StoreError, WithdrawReport};

/// Withdrawing a participant.
pub trait Withdrawing {
    /// Returns the id of the participant a user named (code, label or
    /// id), so a caller can refuse an unknown one before asking.
    fn find_participant(&self, word: &str) -> Result<i64, StoreError>;

    /// Withdraws a participant (by code, label or id): removes their
    /// speech everywhere and clears what identifies them, in one
    /// transaction that cannot be undone.
    fn withdraw_participant(
        &mut self,
        actor: &str,
        word: &str,
    ) -> Result<WithdrawReport, StoreError>;
}

impl Withdrawing for SqliteStore {
    fn find_participant(&self, word: &str) -> Result<i64, StoreError> {
        SqliteStore::find_participant(self, word)
    }

    fn withdraw_participant(
        &mut self,
        actor: &str,
        word: &str,
    ) -> Result<WithdrawReport, StoreError> {
        SqliteStore::withdraw_participant(self, actor, word)
    }
}
