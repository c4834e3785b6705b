//! Participants and sites as a trait: the people a study hears and where,
//! and which speaker label of which source is whom, on any backend.
//!
//! Names and codes are checked by [`super::rules::person_text`] and
//! [`super::rules::participant_code`]; speaker labels are mapped by
//! [`super::rules::SpeakerMapper`] and the listing assembled by
//! [`super::rules::participant_listing`], so both backends answer alike.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use crate::{
    AppliesTo, AttrType, Attribute, NewParticipant, Participant, RosterOutcome, Site, SourceRef,
    SpeakerRow, SpeakerTarget, SqliteStore, StoreError,
};

/// The name of the edits below in the "not yet on PostgreSQL" sentence.
const PEOPLE_EDITS: &str = "changing participants, speakers and attributes";

/// The participants, sites and speaker labels of a study.
pub trait Participants {
    /// Adds a site with its short code; refuses a name or code taken
    /// (ignoring case).
    fn add_site(&mut self, actor: &str, name: &str, code: &str) -> Result<Site, StoreError>;

    /// Returns every site in the team's order, then by name.
    fn sites(&self) -> Result<Vec<Site>, StoreError>;

    /// Adds a participant (a code, a label or both, and a site by name or
    /// code); a code must be free. Returns its id.
    fn add_participant(&mut self, actor: &str, new: &NewParticipant) -> Result<i64, StoreError>;

    /// Returns every participant with values, turn counts and consent.
    fn participants(&self) -> Result<Vec<Participant>, StoreError>;

    /// Returns each speaker label of one source (or all) with its turns and
    /// whom it maps to, by source then first appearance.
    fn speakers(&self, source: Option<i64>) -> Result<Vec<SpeakerRow>, StoreError>;

    /// Returns the attributes of participants or sources, in their order.
    fn attributes(&self, applies_to: AppliesTo) -> Result<Vec<Attribute>, StoreError>;

    /// Imports a roster read by `verbatim_ingest::read_sheet`, checked whole
    /// by [`super::rules::plan_roster`]: nothing is written unless every
    /// row is right; one undoable action.
    fn import_roster(
        &mut self,
        actor: &str,
        header: &[String],
        rows: &[Vec<String>],
        types: &[(String, AttrType)],
    ) -> Result<RosterOutcome, StoreError>;

    /// Changes a participant's label, site or attribute values.
    fn set_participant(
        &mut self,
        _actor: &str,
        _word: &str,
        _label: Option<&str>,
        _site: Option<&str>,
        _values: &[(String, String)],
    ) -> Result<(), StoreError> {
        Err(StoreError::NotOnPostgres(PEOPLE_EDITS))
    }

    /// Says who a speaker label of a source is.
    fn map_speaker(
        &mut self,
        _actor: &str,
        _source: &SourceRef,
        _label: &str,
        _target: &SpeakerTarget,
    ) -> Result<(), StoreError> {
        Err(StoreError::NotOnPostgres(PEOPLE_EDITS))
    }

    /// Defines an attribute of participants or sources.
    fn define_attribute(
        &mut self,
        _actor: &str,
        _name: &str,
        _applies_to: AppliesTo,
        _kind: AttrType,
        _allowed: &[String],
    ) -> Result<Attribute, StoreError> {
        Err(StoreError::NotOnPostgres(PEOPLE_EDITS))
    }

    /// Sets a source's attribute values.
    fn set_source_values(
        &mut self,
        _actor: &str,
        _source: &SourceRef,
        _values: &[(String, String)],
    ) -> Result<(), StoreError> {
        Err(StoreError::NotOnPostgres(PEOPLE_EDITS))
    }

    /// Returns the attribute values of the sources in a range of ids.
    fn source_values_in(
        &self,
        _sources: RangeInclusive<i64>,
    ) -> Result<HashMap<i64, Vec<(String, String)>>, StoreError> {
        Err(StoreError::NotOnPostgres(PEOPLE_EDITS))
    }
}

impl Participants for SqliteStore {
    fn add_site(&mut self, actor: &str, name: &str, code: &str) -> Result<Site, StoreError> {
        SqliteStore::add_site(self, actor, name, code)
    }

    fn sites(&self) -> Result<Vec<Site>, StoreError> {
        SqliteStore::sites(self)
    }

    fn add_participant(&mut self, actor: &str, new: &NewParticipant) -> Result<i64, StoreError> {
        SqliteStore::add_participant(self, actor, new)
    }

    fn participants(&self) -> Result<Vec<Participant>, StoreError> {
        SqliteStore::participants(self)
    }

    fn speakers(&self, source: Option<i64>) -> Result<Vec<SpeakerRow>, StoreError> {
        SqliteStore::speakers(self, source)
    }

    fn attributes(&self, applies_to: AppliesTo) -> Result<Vec<Attribute>, StoreError> {
        SqliteStore::attributes(self, applies_to)
    }

    fn import_roster(
        &mut self,
        actor: &str,
        header: &[String],
        rows: &[Vec<String>],
        types: &[(String, AttrType)],
    ) -> Result<RosterOutcome, StoreError> {
        SqliteStore::import_roster(self, actor, header, rows, types)
    }

    fn set_participant(
        &mut self,
        actor: &str,
        word: &str,
        label: Option<&str>,
        site: Option<&str>,
        values: &[(String, String)],
    ) -> Result<(), StoreError> {
        SqliteStore::set_participant(self, actor, word, label, site, values)
    }

    fn map_speaker(
        &mut self,
        actor: &str,
        source: &SourceRef,
        label: &str,
        target: &SpeakerTarget,
    ) -> Result<(), StoreError> {
        SqliteStore::map_speaker(self, actor, source, label, target)
    }

    fn define_attribute(
        &mut self,
        actor: &str,
        name: &str,
        applies_to: AppliesTo,
        kind: AttrType,
        allowed: &[String],
    ) -> Result<Attribute, StoreError> {
        SqliteStore::define_attribute(self, actor, name, applies_to, kind, allowed)
    }

    fn set_source_values(
        &mut self,
        actor: &str,
        source: &SourceRef,
        values: &[(String, String)],
    ) -> Result<(), StoreError> {
        SqliteStore::set_source_values(self, actor, source, values)
    }

    fn source_values_in(
        &self,
        sources: RangeInclusive<i64>,
    ) -> Result<HashMap<i64, Vec<(String, String)>>, StoreError> {
        SqliteStore::source_values_in(self, sources)
    }
}
