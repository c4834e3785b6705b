//! Participants (REFI-QDA "cases"), sites, typed attributes, consent, and
//! the pseudonym scheme that gives each participant a meaningful code.
//!
//! A participant code carries meaning: site + data-collection mode + rank,
//! e.g. `CHFG-C` is the third focus-group participant heard at the hospital
//! (CH). Codes are assigned once, in order of first appearance, and never
//! change unless a researcher renames one explicitly; every other table
//! refers to participants by id, so a rename changes one row. Every write
//! goes through [`Recorder`], so it can be undone and is in the audit log.

use std::collections::{HashMap, HashSet};

use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use serde::Serialize;

use crate::codes::{opt_int, opt_text};
use crate::fold::fold;
use crate::history::{Recorder, Table, id_key};
use crate::values::{AttrType, parse_date};
use crate::{SourceRef, SqliteStore, StoreError, audit};

/// A site where data was collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Site {
    /// Its id.
    pub id: i64,
    /// Its full name ("Centre hospitalier de Valmont").
    pub name: String,
    /// The short code pseudonyms use ("CH").
    pub code: String,
}

/// How ranks are written in participant codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankStyle {
    /// A, B, … Z, AA, AB…
    Letters,
    /// 1, 2, 3…
    Digits,
}

impl RankStyle {
    /// Returns the style's stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RankStyle::Letters => "letters",
            RankStyle::Digits => "digits",
        }
    }

    /// Returns the style a user named.
    pub fn parse(word: &str) -> Result<Self, StoreError> {
        match word.trim().to_lowercase().as_str() {
            "letters" | "letter" => Ok(RankStyle::Letters),
            "digits" | "digit" | "numbers" => Ok(RankStyle::Digits),
            other => Err(StoreError::Invalid(format!(
                "rank style {other:?} is neither letters nor digits"
            ))),
        }
    }

    /// Returns rank `n` (from 1) written in this style.
    pub fn render(self, n: usize) -> String {
        match self {
            RankStyle::Digits => n.to_string(),
            RankStyle::Letters => {
                let mut n = n;
                let mut out = Vec::new();
                while n > 0 {
                    let r = (n - 1) % 26;
                    out.push(char::from(b'A' + r as u8));
                    n = (n - 1) / 26;
                }
                out.iter().rev().collect()
            }
        }
    }
}

/// The code and rank style of one source kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mode {
    /// The source kind (`interview`, `focus_group`…).
    pub kind: String,
    /// Its code in participant codes (`I`, `FG`).
    pub code: String,
    /// How ranks are written for it.
    pub rank_style: RankStyle,
}

/// The study's pseudonym scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scheme {
    /// The template, with `{site}`, `{mode}` and `{rank}` placeholders.
    pub template: String,
    /// The mode of each source kind that has one.
    pub modes: Vec<Mode>,
}

impl Scheme {
    /// Returns the code the template gives for these parts.
    pub fn render(&self, site: &str, mode: &str, rank: &str) -> String {
        self.template
            .replace("{site}", site)
            .replace("{mode}", mode)
            .replace("{rank}", rank)
    }

    /// Returns true when the template uses a placeholder.
    pub(crate) fn uses(&self, part: &str) -> bool {
        self.template.contains(&format!("{{{part}}}"))
    }
}

/// Checks a pseudonym template: `{rank}` present, no unknown placeholder.
pub(crate) fn check_template(template: &str) -> Result<String, StoreError> {
    let t = template.trim();
    crate::boundary::rules::storable(t, "the code template")?;
    if !t.contains("{rank}") {
        return Err(StoreError::Invalid(format!(
            "the template {t:?} has no {{rank}}: codes would not be unique"
        )));
    }
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| StoreError::Invalid(format!("the template {t:?} has an unclosed {{")))?;
        let name = &after[..close];
        if !["site", "mode", "rank"].contains(&name) {
            return Err(StoreError::Invalid(format!(
                "the template {t:?} uses {{{name}}}: only {{site}}, {{mode}} and {{rank}} exist"
            )));
        }
        rest = &after[close + 1..];
    }
    Ok(t.to_owned())
}

/// Whether an attribute describes participants or sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppliesTo {
    /// Participants.
    Participant,
    /// Sources.
    Source,
}

impl AppliesTo {
    /// Returns the stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AppliesTo::Participant => "participant",
            AppliesTo::Source => "source",
        }
    }
}

/// A typed variable on participants or sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Attribute {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What it describes.
    pub applies_to: AppliesTo,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: AttrType,
    /// The values a category takes (empty for other types).
    pub allowed: Vec<String>,
}

/// A participant as listings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Participant {
    /// Its id.
    pub id: i64,
    /// Its pseudonym code, once assigned.
    pub code: Option<String>,
    /// Its display label (the roster name).
    pub label: Option<String>,
    /// Its site's name.
    pub site: Option<String>,
    /// Its site's code.
    pub site_code: Option<String>,
    /// Attribute values, in attribute order: `(name, value)`.
    pub values: Vec<(String, String)>,
    /// Turns attributed to it, across sources.
    pub turns: i64,
    /// Sources in which it speaks.
    pub sources: i64,
    /// Its latest consent status (`given`, `withdrawn`), if recorded.
    pub consent: Option<String>,
}

impl Participant {
    /// Returns the name to show: the code, else the label.
    pub fn display(&self) -> String {
        self.code
            .clone()
            .or_else(|| self.label.clone())
            .unwrap_or_else(|| format!("#{}", self.id))
    }
}

/// A participant to add.
#[derive(Debug, Clone, Default)]
pub struct NewParticipant {
    /// Its code, if already known.
    pub code: Option<String>,
    /// Its display label.
    pub label: Option<String>,
    /// Its site (name or code).
    pub site: Option<String>,
}

/// A consent record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consent {
    /// Its id.
    pub id: i64,
    /// The participant's display name.
    pub participant: String,
    /// When consent was given (`YYYY-MM-DD`).
    pub date: String,
    /// What was consented to.
    pub scope: String,
    /// The information sheet's version.
    pub sheet_version: Option<String>,
    /// `given` or `withdrawn`.
    pub status: String,
}

/// A code given by [`SqliteStore::assign_codes`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assigned {
    /// The participant's id.
    pub id: i64,
    /// Its label.
    pub label: Option<String>,
    /// The new code.
    pub code: String,
}

/// A participant `assign` could not give a code, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unassigned {
    /// The participant's id.
    pub id: i64,
    /// Its label.
    pub label: Option<String>,
    /// Why.
    pub reason: String,
}

/// What `assign` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// Codes given.
    pub assigned: Vec<Assigned>,
    /// Participants left without a code.
    pub skipped: Vec<Unassigned>,
}

/// A participant's row as stored, for lookups and listings.
#[derive(Debug, Clone)]
pub struct ParticipantRow {
    /// Its id.
    pub id: i64,
    /// Its pseudonym code, once assigned.
    pub code: Option<String>,
    /// Its roster name.
    pub label: Option<String>,
    /// Its site's id.
    pub site_id: Option<i64>,
}

/// Returns a name or label (`what` says which, for the refusal) trimmed;
/// refuses it empty or holding a control character.
pub fn clean(text: &str, what: &str) -> Result<String, StoreError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(StoreError::Invalid(format!("{what} is empty")));
    }
    crate::boundary::rules::storable(t, what)?;
    if t.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "{what} {t:?} holds a control character"
        )));
    }
    Ok(t.to_owned())
}

/// Checks a participant code: non-empty, one word.
pub fn clean_code(code: &str) -> Result<String, StoreError> {
    one_word(code, "participant code")
}

/// Checks a short code (`what`: "participant code", "site code"…):
/// non-empty, one word.
pub fn one_word(code: &str, what: &str) -> Result<String, StoreError> {
    let c = clean(code, &format!("the {what}"))?;
    if c.chars().any(char::is_whitespace) {
        return Err(StoreError::Invalid(format!(
            "{what} {c:?} holds a space: codes are one word, like CHFG-C"
        )));
    }
    Ok(c)
}

impl SqliteStore {
    /// Adds a site with its short code.
    pub fn add_site(&mut self, actor: &str, name: &str, code: &str) -> Result<Site, StoreError> {
        let name = clean(name, "the site name")?;
        let code = one_word(code, "site code")?;
        if let Some(s) = self.find_site(&name)?.or(self.find_site(&code)?) {
            return Err(StoreError::Invalid(format!(
                "site {:?} ({}) already exists",
                s.name, s.code
            )));
        }
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let id = rec.insert(
            &tx,
            Table::Sites,
            &[
                ("name", Value::Text(name.clone())),
                ("code", Value::Text(code.clone())),
            ],
        )?;
        rec.finish(
            &tx,
            actor,
            "site.add",
            Some(&format!("site:{id}")),
            serde_json::json!({ "name": name, "code": code }),
        )?;
        tx.commit()?;
        Ok(Site { id, name, code })
    }

    /// Returns every site in the team's order (`verbatim sites order`),
    /// then by name.
    pub fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, code FROM sites ORDER BY position IS NULL, position, name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Site {
                id: r.get(0)?,
                name: r.get(1)?,
                code: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the site whose name or code is `word` (case-insensitive).
    pub fn find_site(&self, word: &str) -> Result<Option<Site>, StoreError> {
        let w = word.trim();
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, code FROM sites WHERE name = $1 OR code = $1 \
                 ORDER BY code = $1 DESC LIMIT 1",
                [w],
                |r| {
                    Ok(Site {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        code: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn site_id(&self, word: &str) -> Result<i64, StoreError> {
        self.find_site(word)?
            .map(|s| s.id)
            .ok_or_else(|| StoreError::UnknownSite(word.trim().to_owned()))
    }

    /// Returns the pseudonym scheme.
    pub fn scheme(&self) -> Result<Scheme, StoreError> {
        let template: String =
            self.conn
                .query_row("SELECT template FROM pseudonym_scheme", [], |r| r.get(0))?;
        let mut stmt = self
            .conn
            .prepare("SELECT kind, code, rank_style FROM modes ORDER BY id")?;
        let modes = stmt
            .query_map([], |r| {
                let style: String = r.get(2)?;
                Ok(Mode {
                    kind: r.get(0)?,
                    code: r.get(1)?,
                    rank_style: if style == "letters" {
                        RankStyle::Letters
                    } else {
                        RankStyle::Digits
                    },
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Scheme { template, modes })
    }

    /// Changes the template and, for the kinds given, the mode code and rank
    /// style (`kind`, `code`, style). Existing codes do not change.
    pub fn set_scheme(
        &mut self,
        actor: &str,
        template: Option<&str>,
        modes: &[(String, String, Option<RankStyle>)],
    ) -> Result<Scheme, StoreError> {
        let template = crate::pseudonyms::scheme_change(template, modes)?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        if let Some(t) = &template {
            rec.update(
                &tx,
                Table::PseudonymScheme,
                id_key(1),
                &[("template", Value::Text(t.clone()))],
            )?;
        }
        for (kind, code, style) in modes {
            let existing: Option<(i64, String)> = tx
                .query_row(
                    "SELECT id, rank_style FROM modes WHERE kind = $1",
                    [kind],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let style = style.map(RankStyle::as_str);
            match existing {
                Some((id, old)) => rec.update(
                    &tx,
                    Table::Modes,
                    id_key(id),
                    &[
                        ("code", Value::Text(code.trim().to_owned())),
                        ("rank_style", Value::Text(style.unwrap_or(&old).to_owned())),
                    ],
                )?,
                None => {
                    rec.insert(
                        &tx,
                        Table::Modes,
                        &[
                            ("kind", Value::Text(kind.clone())),
                            ("code", Value::Text(code.trim().to_owned())),
                            ("rank_style", Value::Text(style.unwrap_or("digits").into())),
                        ],
                    )?;
                }
            }
        }
        rec.finish(
            &tx,
            actor,
            "scheme.set",
            None,
            crate::pseudonyms::scheme_summary(template.as_deref(), modes),
        )?;
        tx.commit()?;
        self.scheme()
    }

    /// Defines an attribute on participants or sources.
    pub fn define_attribute(
        &mut self,
        actor: &str,
        name: &str,
        applies_to: AppliesTo,
        kind: AttrType,
        allowed: &[String],
    ) -> Result<Attribute, StoreError> {
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let attr = insert_attribute(&tx, &mut rec, name, applies_to, kind, allowed)?;
        rec.finish(
            &tx,
            actor,
            "attribute.add",
            Some(&format!("attribute:{}", attr.id)),
            serde_json::json!({ "name": attr.name, "for": applies_to.as_str(), "type": kind.as_str() }),
        )?;
        tx.commit()?;
        Ok(attr)
    }

    /// Returns the attributes defined for participants or sources, in order.
    pub fn attributes(&self, applies_to: AppliesTo) -> Result<Vec<Attribute>, StoreError> {
        attributes_in(&self.conn, applies_to)
    }

    pub(crate) fn participant_rows(&self) -> Result<Vec<ParticipantRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, code, label, site_id FROM participants ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(ParticipantRow {
                id: r.get(0)?,
                code: r.get(1)?,
                label: r.get(2)?,
                site_id: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the id of the participant a user named: by code, else by
    /// label (case- and accent-insensitive, when only one has it), else by
    /// numeric id.
    pub fn find_participant(&self, word: &str) -> Result<i64, StoreError> {
        find_participant_in(&self.participant_rows()?, word)
    }

    /// Adds a participant; a code, if given, must be free.
    pub fn add_participant(
        &mut self,
        actor: &str,
        new: &NewParticipant,
    ) -> Result<i64, StoreError> {
        let code = new.code.as_deref().map(clean_code).transpose()?;
        let label = new
            .label
            .as_deref()
            .map(|l| clean(l, "the participant's label"))
            .transpose()?;
        if code.is_none() && label.is_none() {
            return Err(StoreError::Invalid(
                "a participant needs a code or a label".into(),
            ));
        }
        if let Some(c) = &code {
            self.check_code_free(c, None)?;
        }
        let site = new.site.as_deref().map(|s| self.site_id(s)).transpose()?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let id = insert_participant(&tx, &mut rec, code.as_deref(), label.as_deref(), site)?;
        rec.finish(
            &tx,
            actor,
            "participant.add",
            Some(&format!("participant:{id}")),
            serde_json::json!({ "code": code, "label": label }),
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn check_code_free(&self, code: &str, except: Option<i64>) -> Result<(), StoreError> {
        let taken: Option<i64> = self
            .conn
            .query_row("SELECT id FROM participants WHERE code = $1", [code], |r| {
                r.get(0)
            })
            .optional()?;
        match taken {
            Some(id) if Some(id) != except => {
                Err(StoreError::DuplicateParticipant(code.to_owned()))
            }
            _ => Ok(()),
        }
    }

    /// Gives a participant a new code. Speaker labels that matched the old
    /// code automatically are mapped explicitly in the same action, so every
    /// turn stays attributed.
    pub fn rename_participant(
        &mut self,
        actor: &str,
        word: &str,
        new_code: &str,
    ) -> Result<(), StoreError> {
        let id = self.find_participant(word)?;
        let code = clean_code(new_code)?;
        self.check_code_free(&code, Some(id))?;
        let old: Option<String> =
            self.conn
                .query_row("SELECT code FROM participants WHERE id = $1", [id], |r| {
                    r.get(0)
                })?;
        let pinned = auto_mapped(&self.speakers(None)?, id);
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        for (source, label) in &pinned {
            rec.insert(
                &tx,
                Table::SpeakerMap,
                &[
                    ("source_id", Value::Integer(*source)),
                    ("label", Value::Text(label.clone())),
                    ("participant_id", Value::Integer(id)),
                    ("interviewer", Value::Integer(0)),
                ],
            )?;
        }
        rec.update(
            &tx,
            Table::Participants,
            id_key(id),
            &[("code", Value::Text(code.clone()))],
        )?;
        rec.finish(
            &tx,
            actor,
            "participant.rename",
            Some(&format!("participant:{id}")),
            serde_json::json!({ "from": old, "to": code, "labels_pinned": pinned.len() }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets a participant's label, site and attribute values (`(name,
    /// value)`; an empty value clears it), all checked before anything is
    /// written.
    pub fn set_participant(
        &mut self,
        actor: &str,
        word: &str,
        label: Option<&str>,
        site: Option<&str>,
        values: &[(String, String)],
    ) -> Result<(), StoreError> {
        let id = self.find_participant(word)?;
        let label = label
            .map(|l| clean(l, "the participant's label"))
            .transpose()?;
        let site = site.map(|s| self.site_id(s)).transpose()?;
        let checked = self.check_values(AppliesTo::Participant, values)?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let mut cols = Vec::new();
        if let Some(l) = &label {
            cols.push(("label", Value::Text(l.clone())));
        }
        if let Some(s) = site {
            cols.push(("site_id", Value::Integer(s)));
        }
        if !cols.is_empty() {
            rec.update(&tx, Table::Participants, id_key(id), &cols)?;
        }
        write_values(&tx, &mut rec, Table::ParticipantValues, id, &checked)?;
        rec.finish(
            &tx,
            actor,
            "participant.set",
            Some(&format!("participant:{id}")),
            serde_json::json!({ "label": label, "values": values }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sets attribute values of a source (`(name, value)`; empty clears).
    pub fn set_source_values(
        &mut self,
        actor: &str,
        source: &SourceRef,
        values: &[(String, String)],
    ) -> Result<(), StoreError> {
        let id = self.resolve(source)?;
        let checked = self.check_values(AppliesTo::Source, values)?;
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        write_values(&tx, &mut rec, Table::SourceValues, id, &checked)?;
        rec.finish(
            &tx,
            actor,
            "source.set",
            Some(&format!("source:{id}")),
            serde_json::json!({ "values": values }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Returns each value's attribute id and canonical form (`None` clears),
    /// or the first refusal.
    fn check_values(
        &self,
        applies_to: AppliesTo,
        values: &[(String, String)],
    ) -> Result<Vec<(i64, Option<String>)>, StoreError> {
        checked_values(&self.attributes(applies_to)?, applies_to, values)
    }

    /// Returns the attribute values of every source: source id → `(name,
    /// value)`.
    pub fn source_values(&self) -> Result<HashMap<i64, Vec<(String, String)>>, StoreError> {
        self.source_values_in(i64::MIN..=i64::MAX)
    }

    /// Returns the attribute values of the sources whose ids lie in
    /// `sources` (a page of the sources table, or one source), read by
    /// the `(source_id, attribute_id)` index.
    pub fn source_values_in(
        &self,
        sources: std::ops::RangeInclusive<i64>,
    ) -> Result<HashMap<i64, Vec<(String, String)>>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.source_id, a.name, v.value FROM source_values v \
             JOIN attributes a ON a.id = v.attribute_id \
             WHERE v.source_id BETWEEN $1 AND $2 ORDER BY a.position, a.id",
        )?;
        let mut out: HashMap<i64, Vec<(String, String)>> = HashMap::new();
        let mut rows = stmt.query([*sources.start(), *sources.end()])?;
        while let Some(r) = rows.next()? {
            out.entry(r.get(0)?)
                .or_default()
                .push((r.get(1)?, r.get(2)?));
        }
        Ok(out)
    }

    /// Returns every participant with its values, turn counts and consent,
    /// by code (participants without one last, by id).
    pub fn participants(&self) -> Result<Vec<Participant>, StoreError> {
        let mut values: HashMap<i64, Vec<(String, String)>> = HashMap::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT v.participant_id, a.name, v.value FROM participant_values v \
                 JOIN attributes a ON a.id = v.attribute_id ORDER BY a.position, a.id",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                values
                    .entry(r.get(0)?)
                    .or_default()
                    .push((r.get(1)?, r.get(2)?));
            }
        }
        let mut consent: HashMap<i64, String> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT participant_id, status FROM consents ORDER BY given_on, id")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                consent.insert(r.get(0)?, r.get(1)?);
            }
        }
        Ok(participant_listing(
            self.participant_rows()?,
            &self.sites()?,
            values,
            consent,
            &self.speakers(None)?,
        ))
    }

    /// Records a participant's consent: date, scope and information-sheet
    /// version.
    pub fn record_consent(
        &mut self,
        actor: &str,
        word: &str,
        date: &str,
        scope: &str,
        sheet_version: Option<&str>,
    ) -> Result<Consent, StoreError> {
        let id = self.find_participant(word)?;
        let (date, scope, version) = consent_fields(date, scope, sheet_version)?;
        let version = version.as_deref();
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        let cid = rec.insert(
            &tx,
            Table::Consents,
            &[
                ("participant_id", Value::Integer(id)),
                ("given_on", Value::Text(date.clone())),
                ("scope", Value::Text(scope.clone())),
                ("sheet_version", opt_text(&version.map(str::to_owned))),
                ("status", Value::Text("given".into())),
                ("recorded_at", Value::Text(audit::now())),
            ],
        )?;
        rec.finish(
            &tx,
            actor,
            "consent.record",
            Some(&format!("participant:{id}")),
            serde_json::json!({ "date": date, "scope": scope, "sheet_version": version }),
        )?;
        tx.commit()?;
        self.consents(Some(word))?
            .into_iter()
            .find(|c| c.id == cid)
            .ok_or_else(|| StoreError::Corrupt(format!("consent {cid} vanished")))
    }

    /// Returns consent records, of one participant or of all, by date.
    pub fn consents(&self, participant: Option<&str>) -> Result<Vec<Consent>, StoreError> {
        let only = participant.map(|p| self.find_participant(p)).transpose()?;
        let mut stmt = self.conn.prepare(
            "SELECT c.id, COALESCE(p.code, p.label), c.given_on, c.scope, c.sheet_version, c.status \
             FROM consents c JOIN participants p ON p.id = c.participant_id \
             WHERE ($1 IS NULL OR c.participant_id = $1) ORDER BY c.given_on, c.id",
        )?;
        let rows = stmt.query_map([only], |r| {
            Ok(Consent {
                id: r.get(0)?,
                participant: r.get(1)?,
                date: r.get(2)?,
                scope: r.get(3)?,
                sheet_version: r.get(4)?,
                status: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Gives a code to every participant that has none, following the
    /// scheme: site code, mode of the source where the participant is first
    /// heard, and rank in order of first appearance within site and mode
    /// (sources by their `date` attribute, then id; then turn order). Codes
    /// already given never change, and new ones skip codes already taken.
    pub fn assign_codes(&mut self, actor: &str) -> Result<Assignment, StoreError> {
        let source_sites: HashMap<i64, Option<String>> = {
            let mut stmt = self.conn.prepare("SELECT id, site FROM sources")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?
        };
        let out = crate::pseudonyms::plan_codes(&crate::pseudonyms::CodePlanInput {
            scheme: &self.scheme()?,
            sites: &self.sites()?,
            source_dates: &self.source_dates()?,
            source_sites: &source_sites,
            speakers: &self.speakers(None)?,
            rows: &self.participant_rows()?,
        });
        if out.assigned.is_empty() {
            return Ok(out);
        }
        let tx = crate::sqlite::begin_write(&mut self.conn)?;
        let mut rec = Recorder::default();
        for a in &out.assigned {
            rec.update(
                &tx,
                Table::Participants,
                id_key(a.id),
                &[("code", Value::Text(a.code.clone()))],
            )?;
        }
        rec.finish(
            &tx,
            actor,
            "participants.assign",
            None,
            crate::pseudonyms::assign_summary(&out),
        )?;
        tx.commit()?;
        Ok(out)
    }

    /// Returns each source's `date` attribute value, if set.
    pub(crate) fn source_dates(&self) -> Result<HashMap<i64, String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT v.source_id, v.value FROM source_values v JOIN attributes a \
             ON a.id = v.attribute_id WHERE a.applies_to = 'source' AND a.name = 'date'",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Returns the attributes for participants or sources, in order.
pub(crate) fn attributes_in(
    conn: &rusqlite::Connection,
    applies_to: AppliesTo,
) -> Result<Vec<Attribute>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, name, type, allowed FROM attributes WHERE applies_to = $1 ORDER BY position, id",
    )?;
    let rows = stmt.query_map([applies_to.as_str()], |r| {
        let kind: String = r.get(2)?;
        let allowed: Option<String> = r.get(3)?;
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, kind, allowed))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, kind, allowed) = row?;
        out.push(attribute_from_row(id, name, applies_to, &kind, allowed)?);
    }
    Ok(out)
}

/// Returns an attribute from its stored columns (`allowed` a JSON array).
pub fn attribute_from_row(
    id: i64,
    name: String,
    applies_to: AppliesTo,
    kind: &str,
    allowed: Option<String>,
) -> Result<Attribute, StoreError> {
    let kind: AttrType = kind
        .parse()
        .map_err(|e: String| StoreError::Corrupt(format!("attribute {name}: {e}")))?;
    let allowed: Vec<String> = match allowed {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("attribute {name}: {e}")))?,
        None => Vec::new(),
    };
    Ok(Attribute {
        id,
        name,
        applies_to,
        kind,
        allowed,
    })
}

/// Returns a new attribute's name (checked), allowed values (trimmed, empty
/// ones dropped) and their stored JSON (categories only); refuses a
/// category without values.
pub fn attribute_columns(
    name: &str,
    kind: AttrType,
    allowed: &[String],
) -> Result<(String, Vec<String>, Option<String>), StoreError> {
    let name = clean(name, "the attribute name")?;
    for a in allowed {
        crate::boundary::rules::storable(a, &format!("an allowed value of {name}"))?;
    }
    let allowed: Vec<String> = allowed
        .iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    if kind == AttrType::Category && allowed.is_empty() {
        return Err(StoreError::Invalid(format!(
            "the category {name:?} needs its allowed values"
        )));
    }
    let json = (kind == AttrType::Category)
        .then(|| serde_json::to_string(&allowed).unwrap_or_else(|_| "[]".into()));
    Ok((name, allowed, json))
}

/// Inserts an attribute inside the caller's transaction.
pub(crate) fn insert_attribute(
    conn: &rusqlite::Connection,
    rec: &mut Recorder,
    name: &str,
    applies_to: AppliesTo,
    kind: AttrType,
    allowed: &[String],
) -> Result<Attribute, StoreError> {
    let name = clean(name, "the attribute name")?;
    attribute_name_free(&attributes_in(conn, applies_to)?, &name, applies_to)?;
    let position = next_attribute_position(conn, applies_to)?;
    insert_attribute_at(conn, rec, &name, applies_to, kind, allowed, position)
}

/// Returns the position after the last attribute of `applies_to`.
pub(crate) fn next_attribute_position(
    conn: &rusqlite::Connection,
    applies_to: AppliesTo,
) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT IFNULL(max(position), 0) + 1 FROM attributes WHERE applies_to = $1",
        [applies_to.as_str()],
        |r| r.get(0),
    )?)
}

/// Inserts an attribute at `position` without looking for a namesake: the
/// caller has checked the name against every attribute (a roster checks
/// thousands of columns at once, which a query per column made quadratic).
pub(crate) fn insert_attribute_at(
    conn: &rusqlite::Connection,
    rec: &mut Recorder,
    name: &str,
    applies_to: AppliesTo,
    kind: AttrType,
    allowed: &[String],
    position: i64,
) -> Result<Attribute, StoreError> {
    let (name, allowed, allowed_json) = attribute_columns(name, kind, allowed)?;
    let id = rec.insert(
        conn,
        Table::Attributes,
        &[
            ("name", Value::Text(name.clone())),
            ("applies_to", Value::Text(applies_to.as_str().into())),
            ("type", Value::Text(kind.as_str().into())),
            ("allowed", opt_text(&allowed_json)),
            ("position", Value::Integer(position)),
        ],
    )?;
    Ok(Attribute {
        id,
        name,
        applies_to,
        kind,
        allowed: if kind == AttrType::Category {
            allowed
        } else {
            Vec::new()
        },
    })
}

/// Inserts a participant inside the caller's transaction.
/// Returns the participants listing from its parts: the rows, the sites,
/// each participant's values (in attribute order) and latest consent, and
/// the study's speaker labels (for turn and source counts); by code,
/// participants without one last, by id.
pub fn participant_listing(
    rows: Vec<ParticipantRow>,
    sites: &[Site],
    mut values: HashMap<i64, Vec<(String, String)>>,
    mut consent: HashMap<i64, String>,
    speakers: &[crate::SpeakerRow],
) -> Vec<Participant> {
    let sites: HashMap<i64, &Site> = sites.iter().map(|s| (s.id, s)).collect();
    let mut turns: HashMap<i64, (i64, HashSet<i64>)> = HashMap::new();
    for s in speakers {
        if let Some(p) = s.participant_id {
            let e = turns.entry(p).or_default();
            e.0 += s.turns;
            e.1.insert(s.source_id);
        }
    }
    let mut out: Vec<Participant> = rows
        .into_iter()
        .map(|p| {
            let site = p.site_id.and_then(|s| sites.get(&s));
            let (t, srcs) = turns.remove(&p.id).unwrap_or_default();
            Participant {
                id: p.id,
                code: p.code,
                label: p.label,
                site: site.map(|s| s.name.clone()),
                site_code: site.map(|s| s.code.clone()),
                values: values.remove(&p.id).unwrap_or_default(),
                turns: t,
                sources: srcs.len() as i64,
                consent: consent.remove(&p.id),
            }
        })
        .collect();
    out.sort_by(|a, b| (a.code.is_none(), &a.code, a.id).cmp(&(b.code.is_none(), &b.code, b.id)));
    out
}

pub(crate) fn insert_participant(
    conn: &rusqlite::Connection,
    rec: &mut Recorder,
    code: Option<&str>,
    label: Option<&str>,
    site: Option<i64>,
) -> Result<i64, StoreError> {
    rec.insert(
        conn,
        Table::Participants,
        &[
            ("guid", Value::Text(uuid::Uuid::new_v4().to_string())),
            ("code", opt_text(&code.map(str::to_owned))),
            ("label", opt_text(&label.map(str::to_owned))),
            ("site_id", opt_int(site)),
            ("created_at", Value::Text(audit::now())),
        ],
    )
}

/// Writes checked values of one participant or source (`table` says which):
/// inserts, updates, or deletes when the value is `None`.
pub(crate) fn write_values(
    conn: &rusqlite::Connection,
    rec: &mut Recorder,
    table: Table,
    owner: i64,
    values: &[(i64, Option<String>)],
) -> Result<(), StoreError> {
    let (sql, owner_col) = match table {
        Table::SourceValues => (
            "SELECT id FROM source_values WHERE source_id = $1 AND attribute_id = $2",
            "source_id",
        ),
        _ => (
            "SELECT id FROM participant_values WHERE participant_id = $1 AND attribute_id = $2",
            "participant_id",
        ),
    };
    for (attr, value) in values {
        let existing: Option<i64> = conn
            .query_row(sql, [owner, *attr], |r| r.get(0))
            .optional()?;
        match (existing, value) {
            (Some(id), Some(v)) => {
                rec.update(
                    conn,
                    table,
                    id_key(id),
                    &[("value", Value::Text(v.clone()))],
                )?;
            }
            (Some(id), None) => rec.delete(conn, table, id_key(id))?,
            (None, Some(v)) => {
                rec.insert(
                    conn,
                    table,
                    &[
                        (owner_col, Value::Integer(owner)),
                        ("attribute_id", Value::Integer(*attr)),
                        ("value", Value::Text(v.clone())),
                    ],
                )?;
            }
            (None, None) => {}
        }
    }
    Ok(())
}

/// Returns the id of the participant a user named among `rows`: by code
/// (ignoring ASCII case), else by label (case- and accent-insensitive,
/// when only one has it), else by numeric id (`#` allowed).
pub fn find_participant_in(rows: &[ParticipantRow], word: &str) -> Result<i64, StoreError> {
    let w = word.trim();
    if let Some(p) = rows
        .iter()
        .find(|p| p.code.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(w)))
    {
        return Ok(p.id);
    }
    let folded = fold(w);
    let by_label: Vec<&ParticipantRow> = rows
        .iter()
        .filter(|p| p.label.as_deref().is_some_and(|l| fold(l) == folded))
        .collect();
    match by_label.as_slice() {
        [one] => return Ok(one.id),
        [] => {}
        _ => {
            return Err(StoreError::Invalid(format!(
                "{w:?} names {} participants: use their code or id",
                by_label.len()
            )));
        }
    }
    let id = w.trim_start_matches('#').parse::<i64>().ok();
    rows.iter()
        .find(|p| Some(p.id) == id)
        .map(|p| p.id)
        .ok_or_else(|| StoreError::UnknownParticipant(w.to_owned()))
}

/// Returns each `(name, value)` as its attribute's id among `attrs` and
/// its canonical form (`None`: an empty value clears it), or the first
/// refusal: an unknown attribute or a value its type refuses.
pub fn checked_values(
    attrs: &[Attribute],
    applies_to: AppliesTo,
    values: &[(String, String)],
) -> Result<Vec<(i64, Option<String>)>, StoreError> {
    values
        .iter()
        .map(|(name, raw)| {
            let attr = attrs
                .iter()
                .find(|a| a.name.to_lowercase() == name.trim().to_lowercase())
                .ok_or_else(|| StoreError::UnknownAttribute {
                    name: name.trim().to_owned(),
                    applies_to: applies_to.as_str().into(),
                })?;
            if raw.trim().is_empty() {
                return Ok((attr.id, None));
            }
            crate::boundary::rules::storable(raw, &format!("the value of {}", attr.name))?;
            attr.kind
                .canonical(raw, &attr.allowed)
                .map(|v| (attr.id, Some(v)))
                .map_err(|reason| StoreError::BadValue {
                    attribute: attr.name.clone(),
                    reason,
                })
        })
        .collect()
}

/// Refuses a new attribute whose (cleaned) name another attribute of
/// `applies_to` has, ignoring case.
pub fn attribute_name_free(
    existing: &[Attribute],
    name: &str,
    applies_to: AppliesTo,
) -> Result<(), StoreError> {
    if existing
        .iter()
        .any(|a| a.name.to_lowercase() == name.to_lowercase())
    {
        return Err(StoreError::Invalid(format!(
            "there is already a {} attribute {name:?}",
            applies_to.as_str()
        )));
    }
    Ok(())
}

/// Returns a consent's date (ISO), scope and sheet version, checked.
pub fn consent_fields(
    date: &str,
    scope: &str,
    sheet_version: Option<&str>,
) -> Result<(String, String, Option<String>), StoreError> {
    let iso = parse_date(date).ok_or_else(|| StoreError::BadValue {
        attribute: "consent date".into(),
        reason: format!("{:?} is not a date (2024-03-12 or 12/03/2024)", date.trim()),
    })?;
    let scope = clean(scope, "the consent scope")?;
    if let Some(v) = sheet_version {
        crate::boundary::rules::storable(v, "the information sheet's version")?;
    }
    let version = sheet_version
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    Ok((iso, scope, version))
}

/// Returns the `(source, label)` of the speaker labels that map to
/// participant `id` automatically (by its code or label): a new code
/// pins them explicitly, so their turns stay attributed.
pub fn auto_mapped(speakers: &[crate::SpeakerRow], id: i64) -> Vec<(i64, String)> {
    speakers
        .iter()
        .filter(|s| s.participant_id == Some(id) && s.how.as_deref() == Some("auto"))
        .map(|s| (s.source_id, s.label.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};

    use super::*;
    use crate::{DemoCell, ImportItem, SpeakerTarget, Store, StudySettings};

    struct Study {
        _dir: tempfile::TempDir,
        store: SqliteStore,
    }

    /// Imports a source whose turns are `(label, speech)`.
    fn source(
        store: &mut SqliteStore,
        name: &str,
        kind: SourceKind,
        site: &str,
        turns: &[(&str, &str)],
    ) -> i64 {
        let mut text = String::new();
        let mut list = Vec::new();
        for (who, what) in turns {
            text.push_str(who);
            text.push_str(" : ");
            let start = text.chars().count();
            text.push_str(what);
            list.push(Turn {
                speaker: Some((*who).into()),
                span: Span::new(start, text.chars().count()).unwrap(),
                begin_ms: None,
                end_ms: None,
            });
            text.push('\n');
        }
        let source =
            NormalisedSource::new(Format::Txt, text, list, vec![], SourceMetadata::default())
                .unwrap();
        let out = store
            .import_batch(
                "t",
                vec![ImportItem {
                    name: name.into(),
                    original_path: None,
                    kind,
                    site: Some(site.into()),
                    language: None,
                    source,
                }],
            )
            .unwrap();
        match &out[0] {
            crate::ImportOutcome::Imported { id, .. } => *id,
            other => panic!("{other:?}"),
        }
    }

    fn study() -> Study {
        let dir = tempfile::tempdir().unwrap();
        let mut store =
            SqliteStore::create(&dir.path().join("s.vbt"), &StudySettings::titled("t"), "t")
                .unwrap();
        store
            .add_site("t", "Centre hospitalier de Valmont", "CH")
            .unwrap();
        store.add_site("t", "Centre de soins", "CS").unwrap();
        Study { _dir: dir, store }
    }

    fn roster(store: &mut SqliteStore, csv: &str) -> Result<RosterOutcome, StoreError> {
        let mut lines = csv
            .lines()
            .map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>());
        let header = lines.next().unwrap();
        let rows: Vec<Vec<String>> = lines.collect();
        store.import_roster("t", &header, &rows, &[])
    }

    use crate::RosterOutcome;

    fn code_of(store: &SqliteStore, label: &str) -> Option<String> {
        store
            .participants()
            .unwrap()
            .into_iter()
            .find(|p| p.label.as_deref() == Some(label))
            .and_then(|p| p.code)
    }

    #[test]
    fn ranks_render_as_letters_or_digits() {
        assert_eq!(RankStyle::Letters.render(1), "A");
        assert_eq!(RankStyle::Letters.render(3), "C");
        assert_eq!(RankStyle::Letters.render(26), "Z");
        assert_eq!(RankStyle::Letters.render(27), "AA");
        assert_eq!(RankStyle::Digits.render(12), "12");
    }

    #[test]
    fn templates_are_checked() {
        assert!(check_template("{site}{mode}-{rank}").is_ok());
        assert!(check_template("{site}{mode}").is_err());
        assert!(check_template("{site}-{rang}-{rank}").is_err());
    }

    #[test]
    fn assign_follows_first_appearance_within_site_and_mode() {
        let Study { _dir, mut store } = study();
        roster(
            &mut store,
            "name,site\nMarie,CH\nPaul,CH\nLéa,CH\nJean,CS\nAnne,CS\nNobody,CS",
        )
        .unwrap();
        // Focus group at CH: Paul speaks first, then Marie (Léa twice: once).
        let fg = source(
            &mut store,
            "fg",
            SourceKind::FocusGroup,
            "CH",
            &[
                ("INT", "Bonjour"),
                ("Paul", "Oui"),
                ("marie", "Non"),
                ("LEA", "Peut-être"),
            ],
        );
        // Two interviews at CS, the later-imported one dated earlier.
        let i1 = source(
            &mut store,
            "i1",
            SourceKind::Interview,
            "CS",
            &[("INT", "Q"), ("Jean", "R")],
        );
        let i2 = source(
            &mut store,
            "i2",
            SourceKind::Interview,
            "CS",
            &[("INT", "Q"), ("Anne", "R2")],
        );
        store
            .define_attribute("t", "date", AppliesTo::Source, AttrType::Date, &[])
            .unwrap();
        store
            .set_source_values(
                "t",
                &SourceRef::Id(i1),
                &[("date".into(), "2024-05-02".into())],
            )
            .unwrap();
        store
            .set_source_values(
                "t",
                &SourceRef::Id(i2),
                &[("date".into(), "12/03/2024".into())],
            )
            .unwrap();
        let _ = fg;
        let done = store.assign_codes("t").unwrap();
        assert_eq!(code_of(&store, "Paul").as_deref(), Some("CHFG-A"));
        assert_eq!(code_of(&store, "Marie").as_deref(), Some("CHFG-B"));
        assert_eq!(code_of(&store, "Léa").as_deref(), Some("CHFG-C"));
        assert_eq!(code_of(&store, "Anne").as_deref(), Some("CSI-1"));
        assert_eq!(code_of(&store, "Jean").as_deref(), Some("CSI-2"));
        assert_eq!(done.assigned.len(), 5);
        assert_eq!(done.skipped.len(), 1);
        assert!(done.skipped[0].reason.contains("speakers map"));
        // Codes never change on a second run; the label still maps by name.
        assert!(store.assign_codes("t").unwrap().assigned.is_empty());
        let rows = store.speakers(Some(fg)).unwrap();
        assert_eq!(rows[1].participant.as_deref(), Some("CHFG-A"));
        assert_eq!(rows[0].role, "interviewer");
    }

    #[test]
    fn assign_skips_taken_codes_and_follows_a_custom_template() {
        let Study { _dir, mut store } = study();
        store
            .add_participant(
                "t",
                &NewParticipant {
                    code: Some("P-CH-1".into()),
                    label: Some("Ancien".into()),
                    site: Some("CH".into()),
                },
            )
            .unwrap();
        roster(&mut store, "name,site\nMarie,CH\nPaul,CH").unwrap();
        store
            .set_scheme(
                "t",
                Some("P-{site}-{rank}"),
                &[("focus_group".into(), "G".into(), Some(RankStyle::Digits))],
            )
            .unwrap();
        source(
            &mut store,
            "fg",
            SourceKind::FocusGroup,
            "CH",
            &[("Marie", "a"), ("Paul", "b")],
        );
        store.assign_codes("t").unwrap();
        assert_eq!(code_of(&store, "Marie").as_deref(), Some("P-CH-2"));
        assert_eq!(code_of(&store, "Paul").as_deref(), Some("P-CH-3"));
        assert_eq!(code_of(&store, "Ancien").as_deref(), Some("P-CH-1"));
        // Undo takes the codes back.
        store.undo("t", 1).unwrap();
        assert_eq!(code_of(&store, "Marie"), None);
    }

    #[test]
    fn speaker_mapping_rules() {
        let Study { _dir, mut store } = study();
        roster(
            &mut store,
            "code,name,site\nCHFG-C,Marie,CH\nCSI-1,Marie,CS\nCSI-2,Élodie,CS",
        )
        .unwrap();
        let s = source(
            &mut store,
            "fg",
            SourceKind::FocusGroup,
            "CH",
            &[
                ("Chercheuse", "Q"),
                ("chfg-c", "code match"),
                ("MARIE", "name shared by two: the site decides"),
                ("elodie", "accent-insensitive"),
                ("X", "unknown"),
            ],
        );
        let rows = store.speakers(Some(s)).unwrap();
        let who: Vec<(&str, &str, Option<&str>)> = rows
            .iter()
            .map(|r| (r.label.as_str(), r.role.as_str(), r.participant.as_deref()))
            .collect();
        assert_eq!(
            who,
            vec![
                ("Chercheuse", "interviewer", None),
                ("chfg-c", "participant", Some("CHFG-C")),
                ("MARIE", "participant", Some("CHFG-C")),
                ("elodie", "participant", Some("CSI-2")),
                ("X", "unmapped", None),
            ]
        );
        // Explicit mapping wins; unknown labels are refused clearly.
        store
            .map_speaker(
                "t",
                &SourceRef::Id(s),
                "X",
                &SpeakerTarget::Participant("CSI-1".into()),
            )
            .unwrap();
        store
            .map_speaker(
                "t",
                &SourceRef::Id(s),
                "elodie",
                &SpeakerTarget::Interviewer,
            )
            .unwrap();
        let rows = store.speakers(Some(s)).unwrap();
        assert_eq!(rows[4].participant.as_deref(), Some("CSI-1"));
        assert_eq!(rows[4].how.as_deref(), Some("explicit"));
        assert_eq!(rows[3].role, "interviewer");
        let err = store
            .map_speaker("t", &SourceRef::Id(s), "Zoé", &SpeakerTarget::Interviewer)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("no speaker \"Zoé\" in source \"fg\""),
            "{err}"
        );
        // Renaming keeps auto-mapped labels attributed.
        store.rename_participant("t", "CHFG-C", "CHFG-Z").unwrap();
        let rows = store.speakers(Some(s)).unwrap();
        assert_eq!(rows[1].participant.as_deref(), Some("CHFG-Z"));
        assert_eq!(rows[2].participant.as_deref(), Some("CHFG-Z"));
        assert!(matches!(
            store.rename_participant("t", "CHFG-Z", "csi-1"),
            Err(StoreError::DuplicateParticipant(_))
        ));
    }

    #[test]
    fn values_are_type_checked_with_clear_errors() {
        let Study { _dir, mut store } = study();
        roster(&mut store, "code,age,sex\nA,34,F\nB,41,M\nC,29,F").unwrap();
        let attrs = store.attributes(AppliesTo::Participant).unwrap();
        assert_eq!(attrs[0].kind, AttrType::Number);
        assert_eq!(attrs[1].kind, AttrType::Category);
        let err = store
            .set_participant("t", "A", None, None, &[("age".into(), "quarante".into())])
            .unwrap_err();
        assert_eq!(err.to_string(), "age \"quarante\" is not a number");
        let err = store
            .set_participant("t", "A", None, None, &[("sex".into(), "X".into())])
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("not one of the allowed values (F, M)")
        );
        let err = store
            .set_participant("t", "A", None, None, &[("height".into(), "1".into())])
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownAttribute { .. }));
        store
            .set_participant("t", "a", None, None, &[("age".into(), "35".into())])
            .unwrap();
        let a = &store.participants().unwrap()[0];
        assert_eq!(a.values[0], ("age".into(), "35".into()));
    }

    #[test]
    fn a_bad_roster_writes_nothing_and_names_every_row() {
        let Study { _dir, mut store } = study();
        roster(&mut store, "code,age\nA,34\nB,41").unwrap();
        let before = store.audit_log(100).unwrap().len();
        let err = roster(
            &mut store,
            "code,age,site,colour\nC,quarante,CH,x\nA,30,CH,y\n,31,CH,z\nD,32,Nowhere,z\nD,33,CH,z",
        )
        .unwrap_err();
        let StoreError::Rejected(why) = err else {
            panic!("{err}")
        };
        assert!(
            why[0].contains("column \"colour\" is not a participant attribute"),
            "{why:?}"
        );
        assert!(
            why.contains(&"row 2: age \"quarante\" is not a number".to_owned()),
            "{why:?}"
        );
        assert!(
            why.iter()
                .any(|w| w.starts_with("row 3: participant \"A\" already exists"))
        );
        assert!(
            why.iter()
                .any(|w| w.starts_with("row 4: the code is missing"))
        );
        assert!(
            why.iter()
                .any(|w| w.starts_with("row 5: site \"Nowhere\" is not known"))
        );
        assert!(
            why.iter()
                .any(|w| w.starts_with("row 6: code \"D\" is used twice (first on row 5)"))
        );
        assert_eq!(store.participants().unwrap().len(), 2);
        assert_eq!(store.audit_log(100).unwrap().len(), before);
        // A roster of names imported twice would duplicate everyone.
        roster(&mut store, "name\nMarie").unwrap();
        let err = roster(&mut store, "name\nmarie").unwrap_err();
        assert!(
            err.to_string()
                .contains("row 2: a participant named \"marie\" is already"),
            "{err}"
        );
    }

    #[test]
    fn the_sociodemographic_table_counts_a_known_roster() {
        let Study { _dir, mut store } = study();
        roster(
            &mut store,
            "code,site,sex,age,nurse\nCHFG-A,CH,F,30,oui\nCHFG-B,CH,F,40,non\nCHFG-C,CH,M,50,oui\nCSI-1,CS,F,20,oui\nCSI-9,CS,M,60,non",
        )
        .unwrap();
        // CSI-9 is heard only in a context source: left out by default.
        source(
            &mut store,
            "ctx",
            SourceKind::Context,
            "CS",
            &[("CSI-9", "chef d'équipe")],
        );
        source(
            &mut store,
            "i",
            SourceKind::Interview,
            "CS",
            &[("CSI-1", "r")],
        );
        let t = store.demographics(true, false).unwrap();
        let names: Vec<(&str, usize)> = t.columns.iter().map(|c| (c.name.as_str(), c.n)).collect();
        assert_eq!(names, vec![("All", 4), ("CH", 3), ("CS", 1)]);
        let row = |attr: &str, value: Option<&str>| {
            t.rows
                .iter()
                .find(|r| r.attribute == attr && r.value.as_deref() == value)
                .unwrap()
                .cells
                .iter()
                .map(DemoCell::display)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            row("sex", Some("F")),
            vec!["3 (75 %)", "2 (67 %)", "1 (100 %)"]
        );
        assert_eq!(
            row("sex", Some("M")),
            vec!["1 (25 %)", "1 (33 %)", "0 (0 %)"]
        );
        assert_eq!(
            row("age", None),
            vec!["35.0 (20–50)", "40.0 (30–50)", "20.0 (20–20)"]
        );
        assert_eq!(
            row("nurse", Some("true")),
            vec!["3 (75 %)", "2 (67 %)", "1 (100 %)"]
        );
        let all = store.demographics(false, true).unwrap();
        assert_eq!(all.columns[0].n, 5);
    }

    #[test]
    fn consent_is_recorded_per_participant() {
        let Study { _dir, mut store } = study();
        roster(&mut store, "code\nCHFG-C").unwrap();
        let c = store
            .record_consent(
                "t",
                "chfg-c",
                "12/03/2024",
                "enregistrement et citations",
                Some("v2"),
            )
            .unwrap();
        assert_eq!(c.date, "2024-03-12");
        assert_eq!(c.status, "given");
        assert_eq!(
            store.participants().unwrap()[0].consent.as_deref(),
            Some("given")
        );
        assert!(
            store
                .record_consent("t", "CHFG-C", "hier", "x", None)
                .is_err()
        );
    }
}
