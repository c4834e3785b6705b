//! Participants and sites as a trait: the people a study hears and where,
//! and which speaker label of which source is whom, on any backend.
//!
//! Names and codes are checked by [`super::rules::person_text`] and
//! [`super::rules::participant_code`]; speaker labels are mapped by
//! [`super::rules::SpeakerMapper`] and the listing assembled by
//! [`super::rules::participant_listing`]; participants, labels, values and
//! consents are found and checked by [`super::rules::find_participant_in`],
//! [`super::rules::find_label_in`], [`super::rules::checked_values`] and
//! [`super::rules::consent_fields`], so both backends answer alike.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use crate::{
    AppliesTo, Assignment, AttrType, Attribute, Consent, NewParticipant, Participant, RankStyle,
    RosterOutcome, Scheme, Site, SourceRef, SpeakerRow, SpeakerTarget, SqliteStore, StoreError,
};

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

    /// Changes a participant's label, site or attribute values (`(name,
    /// value)`; an empty value clears it), all checked before anything is
    /// written (one undoable action).
    fn set_participant(
        &mut self,
        actor: &str,
        word: &str,
        label: Option<&str>,
        site: Option<&str>,
        values: &[(String, String)],
    ) -> Result<(), StoreError>;

    /// Gives a participant a new code; the speaker labels that matched it
    /// automatically are mapped explicitly in the same undoable action.
    fn rename_participant(
        &mut self,
        actor: &str,
        word: &str,
        new_code: &str,
    ) -> Result<(), StoreError>;

    /// Says who a speaker label of a source is, replacing any earlier
    /// explicit mapping (one undoable action).
    fn map_speaker(
        &mut self,
        actor: &str,
        source: &SourceRef,
        label: &str,
        target: &SpeakerTarget,
    ) -> Result<(), StoreError>;

    /// Defines an attribute of participants or sources (one undoable
    /// action); refuses a name taken (ignoring case).
    fn define_attribute(
        &mut self,
        actor: &str,
        name: &str,
        applies_to: AppliesTo,
        kind: AttrType,
        allowed: &[String],
    ) -> Result<Attribute, StoreError>;

    /// Sets a source's attribute values (an empty value clears it; one
    /// undoable action).
    fn set_source_values(
        &mut self,
        actor: &str,
        source: &SourceRef,
        values: &[(String, String)],
    ) -> Result<(), StoreError>;

    /// Returns the attribute values of the sources in a range of ids,
    /// each source's in attribute order.
    fn source_values_in(
        &self,
        sources: RangeInclusive<i64>,
    ) -> Result<HashMap<i64, Vec<(String, String)>>, StoreError>;

    /// Records a participant's consent (date, scope, information-sheet
    /// version) and returns it (one undoable action).
    fn record_consent(
        &mut self,
        actor: &str,
        word: &str,
        date: &str,
        scope: &str,
        sheet_version: Option<&str>,
    ) -> Result<Consent, StoreError>;

    /// Returns the consent records of one participant or of all, by date.
    fn consents(&self, participant: Option<&str>) -> Result<Vec<Consent>, StoreError>;

    /// Returns the pseudonym scheme: its template and each source kind's
    /// mode code and rank style.
    fn scheme(&self) -> Result<Scheme, StoreError>;

    /// Changes the template and, for the kinds given, the mode code and
    /// rank style (checked by [`super::rules::scheme_change`]; one undoable
    /// action). Existing codes do not change.
    fn set_scheme(
        &mut self,
        actor: &str,
        template: Option<&str>,
        modes: &[(String, String, Option<RankStyle>)],
    ) -> Result<Scheme, StoreError>;

    /// Gives a code to every participant that has none, as
    /// [`super::rules::plan_codes`] plans them (one undoable action, none
    /// when nobody receives a code).
    fn assign_codes(&mut self, actor: &str) -> Result<Assignment, StoreError>;
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

    fn rename_participant(
        &mut self,
        actor: &str,
        word: &str,
        new_code: &str,
    ) -> Result<(), StoreError> {
        SqliteStore::rename_participant(self, actor, word, new_code)
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

    fn record_consent(
        &mut self,
        actor: &str,
        word: &str,
        date: &str,
        scope: &str,
        sheet_version: Option<&str>,
    ) -> Result<Consent, StoreError> {
        SqliteStore::record_consent(self, actor, word, date, scope, sheet_version)
    }

    fn consents(&self, participant: Option<&str>) -> Result<Vec<Consent>, StoreError> {
        SqliteStore::consents(self, participant)
    }

    fn scheme(&self) -> Result<Scheme, StoreError> {
        SqliteStore::scheme(self)
    }

    fn set_scheme(
        &mut self,
        actor: &str,
        template: Option<&str>,
        modes: &[(String, String, Option<RankStyle>)],
    ) -> Result<Scheme, StoreError> {
        SqliteStore::set_scheme(self, actor, template, modes)
    }

    fn assign_codes(&mut self, actor: &str) -> Result<Assignment, StoreError> {
        SqliteStore::assign_codes(self, actor)
    }
}
