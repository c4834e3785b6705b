//! Tidying the roster's vocabulary before it goes into a paper's Table II:
//! an attribute value renamed (`infirmier` → `nurse`), several values merged
//! into one (`IDE`, `infirmière` → `nurse`), an attribute deleted, and the
//! order the team wants its sites in.
//!
//! Rosters are typed by hand, so the same occupation arrives spelled three
//! ways; a table with three rows for one occupation is wrong, and fixing
//! the spreadsheet and importing again would lose what was set since. Each
//! edit here is one undoable action through [`Recorder`], values stay in
//! their attribute's canonical form, and a category's allowed list follows
//! its values.

use rusqlite::types::Value;

use crate::history::{Table, id_key};
use crate::participants::{AppliesTo, Attribute, Site, attributes_in};
use crate::{SqliteStore, StoreError};

/// What a value edit changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ValueEdit {
    /// The attribute's name.
    pub attribute: String,
    /// The value the others became.
    pub into: String,
    /// How many participants' (or sources') values changed.
    pub changed: usize,
}

/// What merging values of an attribute writes, as [`plan_value_merge`]
/// works it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueMerge {
    /// The values replaced, trimmed and lowercased.
    pub wanted: Vec<String>,
    /// The value they become, in the attribute's canonical form.
    pub into: String,
    /// A category's allowed list afterwards, as JSON (`None` for the
    /// other types, whose list stays empty).
    pub allowed_json: Option<String>,
}

/// Returns the attribute of `attributes` named `name` (ignoring case), or
/// the refusal naming it.
pub fn find_attribute(
    attributes: Vec<Attribute>,
    name: &str,
    applies_to: AppliesTo,
) -> Result<Attribute, StoreError> {
    attributes
        .into_iter()
        .find(|a| a.name.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| StoreError::UnknownAttribute {
            name: name.trim().to_owned(),
            applies_to: applies_to.as_str().to_owned(),
        })
}

/// Checks a merge of `values` of `attr` into `into`: values are matched
/// case-insensitively, `into` is checked against the type as any value
/// entering the study is, and a category's allowed list loses the merged
/// values and gains `into`.
pub fn plan_value_merge(
    attr: &Attribute,
    values: &[String],
    into: &str,
) -> Result<ValueMerge, StoreError> {
    crate::boundary::rules::storable(into, &format!("the new value of {}", attr.name))?;
    let wanted: Vec<String> = values
        .iter()
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .collect();
    if wanted.is_empty() {
        return Err(StoreError::Invalid(format!(
            "say which values of {} to replace",
            attr.name
        )));
    }
    let mut allowed_after: Vec<String> = attr
        .allowed
        .iter()
        .filter(|a| !wanted.contains(&a.to_lowercase()))
        .cloned()
        .collect();
    // A category accepts the new value as a new allowed value.
    let mut check_list = allowed_after.clone();
    check_list.push(into.trim().to_owned());
    let into = attr
        .kind
        .canonical(into, &check_list)
        .map_err(|reason| StoreError::BadValue {
            attribute: attr.name.clone(),
            reason,
        })?;
    if !allowed_after.iter().any(|a| a.eq_ignore_ascii_case(&into)) && !attr.allowed.is_empty() {
        allowed_after.push(into.clone());
    }
    let allowed_json = if attr.allowed.is_empty() {
        None
    } else {
        Some(
            serde_json::to_string(&allowed_after)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        )
    };
    Ok(ValueMerge {
        wanted,
        into,
        allowed_json,
    })
}

/// Returns the `(row id, value)` of `rows` (every value set for `attr`)
/// that the merge replaces; refuses a merge that touches nothing, a value
/// neither set nor allowed.
pub fn merge_hits(
    attr: &Attribute,
    applies_to: AppliesTo,
    values: &[String],
    plan: &ValueMerge,
    rows: Vec<(i64, String)>,
) -> Result<Vec<(i64, String)>, StoreError> {
    let hits: Vec<(i64, String)> = rows
        .into_iter()
        .filter(|(_, v)| plan.wanted.contains(&v.to_lowercase()))
        .collect();
    let known = attr
        .allowed
        .iter()
        .any(|a| plan.wanted.contains(&a.to_lowercase()));
    if hits.is_empty() && !known {
        return Err(StoreError::Invalid(format!(
            "no {} has {} {}: list the values with `verbatim participants table`",
            applies_to.as_str(),
            attr.name,
            values.join(" or ")
        )));
    }
    Ok(hits)
}

/// Returns what a merge of `changed` values reports and its audit summary.
pub fn merge_outcome(
    attr: &Attribute,
    values: &[String],
    plan: &ValueMerge,
    changed: usize,
) -> (ValueEdit, serde_json::Value) {
    let summary = serde_json::json!({
        "attribute": attr.name, "values": values, "into": plan.into, "changed": changed
    });
    let edit = ValueEdit {
        attribute: attr.name.clone(),
        into: plan.into.clone(),
        changed,
    };
    (edit, summary)
}

impl SqliteStore {
    /// Returns the attribute named `name` for participants or sources.
    pub fn attribute_named(
        &self,
        name: &str,
        applies_to: AppliesTo,
    ) -> Result<Attribute, StoreError> {
        find_attribute(attributes_in(&self.conn, applies_to)?, name, applies_to)
    }

    /// Renames one value of an attribute everywhere it is set.
    pub fn rename_attribute_value(
        &mut self,
        actor: &str,
        attribute: &str,
        applies_to: AppliesTo,
        from: &str,
        to: &str,
    ) -> Result<ValueEdit, StoreError> {
        self.merge_attribute_values(actor, attribute, applies_to, &[from.to_owned()], to)
    }

    /// Replaces every value in `values` of an attribute by `into`, in one
    /// action, as [`plan_value_merge`] and [`merge_hits`] work it out.
    pub fn merge_attribute_values(
        &mut self,
        actor: &str,
        attribute: &str,
        applies_to: AppliesTo,
        values: &[String],
        into: &str,
    ) -> Result<ValueEdit, StoreError> {
        let attr = self.attribute_named(attribute, applies_to)?;
        let plan = plan_value_merge(&attr, values, into)?;
        let table = match applies_to {
            AppliesTo::Participant => Table::ParticipantValues,
            AppliesTo::Source => Table::SourceValues,
        };
        let hits = merge_hits(
            &attr,
            applies_to,
            values,
            &plan,
            self.value_rows(&attr, applies_to)?,
        )?;
        let (edit, summary) = merge_outcome(&attr, values, &plan, hits.len());
        let into = plan.into;
        self.act(
            actor,
            "attribute.merge_values",
            &format!("attribute:{}", attr.id),
            |tx, rec| {
                for (id, _) in &hits {
                    rec.update(
                        tx,
                        table,
                        id_key(*id),
                        &[("value", Value::Text(into.clone()))],
                    )?;
                }
                if let Some(json) = plan.allowed_json {
                    rec.update(
                        tx,
                        Table::Attributes,
                        id_key(attr.id),
                        &[("allowed", Value::Text(json))],
                    )?;
                }
                Ok((edit, summary))
            },
        )
    }

    /// Deletes an attribute and every value set for it, in one action.
    /// Returns how many values went with it.
    pub fn delete_attribute(
        &mut self,
        actor: &str,
        attribute: &str,
        applies_to: AppliesTo,
    ) -> Result<usize, StoreError> {
        let attr = self.attribute_named(attribute, applies_to)?;
        let (table, select) = match applies_to {
            AppliesTo::Participant => (
                Table::ParticipantValues,
                "SELECT id FROM participant_values WHERE attribute_id = $1",
            ),
            AppliesTo::Source => (
                Table::SourceValues,
                "SELECT id FROM source_values WHERE attribute_id = $1",
            ),
        };
        let summary = serde_json::json!({ "attribute": attr.name, "for": applies_to.as_str() });
        self.act(
            actor,
            "attribute.delete",
            &format!("attribute:{}", attr.id),
            |tx, rec| {
                let n = rec.delete_ids(tx, table, select, [attr.id])?;
                rec.delete(tx, Table::Attributes, id_key(attr.id))?;
                Ok((n, summary))
            },
        )
    }

    /// Returns `(row id, value)` of every value set for `attr`.
    fn value_rows(
        &self,
        attr: &Attribute,
        applies_to: AppliesTo,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let sql = match applies_to {
            AppliesTo::Participant => {
                "SELECT id, value FROM participant_values WHERE attribute_id = $1 ORDER BY id"
            }
            AppliesTo::Source => {
                "SELECT id, value FROM source_values WHERE attribute_id = $1 ORDER BY id"
            }
        };
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([attr.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Puts the sites in the order given (codes or names, each once); sites
    /// not named follow, by name. One undoable action.
    pub fn set_site_order(
        &mut self,
        actor: &str,
        order: &[String],
    ) -> Result<Vec<Site>, StoreError> {
        let sites = self.sites()?;
        let mut chosen: Vec<i64> = Vec::new();
        for word in order {
            let site = self
                .find_site(word)?
                .ok_or_else(|| StoreError::UnknownSite(word.trim().to_owned()))?;
            if chosen.contains(&site.id) {
                return Err(StoreError::Invalid(format!(
                    "site {} is named twice in the order: name each site once",
                    site.code
                )));
            }
            chosen.push(site.id);
        }
        let rest: Vec<i64> = sites
            .iter()
            .filter(|s| !chosen.contains(&s.id))
            .map(|s| s.id)
            .collect();
        let summary = serde_json::json!({ "order": order });
        self.act(actor, "site.order", "sites", |tx, rec| {
            for (i, id) in chosen.iter().chain(&rest).enumerate() {
                let position = i64::try_from(i + 1).unwrap_or(i64::MAX);
                rec.update(
                    tx,
                    Table::Sites,
                    id_key(*id),
                    &[("position", Value::Integer(position))],
                )?;
            }
            Ok(((), summary))
        })?;
        self.sites()
    }
}

#[cfg(test)]
mod tests {
    use crate::participants::{AppliesTo, NewParticipant};
    use crate::testkit::fixture;
    use crate::{AttrType, StoreError};

    /// Two spellings of one occupation merged into a third, undone as one
    /// action; the attribute deleted with its values.
    #[test]
    fn values_merge_rename_and_delete_as_single_actions() {
        let mut f = fixture();
        let s = &mut f.store;
        s.define_attribute(
            "t",
            "occupation",
            AppliesTo::Participant,
            AttrType::Text,
            &[],
        )
        .unwrap();
        for (code, job) in [("A-1", "IDE"), ("A-2", "infirmière"), ("A-3", "médecin")] {
            let id = s
                .add_participant(
                    "t",
                    &NewParticipant {
                        code: Some(code.into()),
                        ..NewParticipant::default()
                    },
                )
                .unwrap();
            s.set_participant(
                "t",
                &id.to_string(),
                None,
                None,
                &[("occupation".into(), job.into())],
            )
            .unwrap();
        }
        let jobs = |s: &crate::SqliteStore| -> Vec<String> {
            s.participants()
                .unwrap()
                .iter()
                .map(|p| p.values[0].1.clone())
                .collect()
        };
        let edit = s
            .merge_attribute_values(
                "t",
                "Occupation",
                AppliesTo::Participant,
                &["ide".into(), "Infirmière".into()],
                "nurse",
            )
            .unwrap();
        assert_eq!(edit.changed, 2);
        assert_eq!(jobs(s), ["nurse", "nurse", "médecin"]);
        s.undo("t", 1).unwrap();
        assert_eq!(jobs(s), ["IDE", "infirmière", "médecin"]);
        s.rename_attribute_value(
            "t",
            "occupation",
            AppliesTo::Participant,
            "médecin",
            "doctor",
        )
        .unwrap();
        assert_eq!(jobs(s)[2], "doctor");
        assert!(matches!(
            s.rename_attribute_value("t", "occupation", AppliesTo::Participant, "pilote", "x"),
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(
            s.delete_attribute("t", "occupation", AppliesTo::Participant)
                .unwrap(),
            3
        );
        assert!(
            s.participants()
                .unwrap()
                .iter()
                .all(|p| p.values.is_empty())
        );
        assert!(s.attributes(AppliesTo::Participant).unwrap().is_empty());
        s.undo("t", 1).unwrap();
        assert_eq!(jobs(s), ["IDE", "infirmière", "doctor"]);
    }

    /// Sites come in the team's order, the others after by name; undo
    /// restores the alphabetical order.
    #[test]
    fn sites_follow_the_order_given() {
        let mut f = fixture();
        let s = &mut f.store;
        for (name, code) in [("Alpha", "AL"), ("Bravo", "BR"), ("Charlie", "CH")] {
            s.add_site("t", name, code).unwrap();
        }
        let codes = |s: &crate::SqliteStore| -> Vec<String> {
            s.sites().unwrap().into_iter().map(|x| x.code).collect()
        };
        assert_eq!(codes(s), ["AL", "BR", "CH"]);
        s.set_site_order("t", &["CH".into(), "alpha".into()])
            .unwrap();
        assert_eq!(codes(s), ["CH", "AL", "BR"]);
        assert!(matches!(
            s.set_site_order("t", &["CH".into(), "Charlie".into()]),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            s.set_site_order("t", &["ZZ".into()]),
            Err(StoreError::UnknownSite(_))
        ));
        s.undo("t", 1).unwrap();
        assert_eq!(codes(s), ["AL", "BR", "CH"]);
    }
}
