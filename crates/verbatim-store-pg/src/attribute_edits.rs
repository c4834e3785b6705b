//! Tidying an attribute's vocabulary on PostgreSQL: values renamed or
//! merged into one, an attribute deleted with its values, written as
//! SQLite writes them (the same rows, audit entries and refusals). Which
//! attribute a name means and what a merge changes are
//! `verbatim_store::rules`' ([`rules::find_attribute`],
//! [`rules::plan_value_merge`], [`rules::merge_hits`]).

use postgres::GenericClient;
use verbatim_store::{AppliesTo, Attribute, StoreError, ValueEdit, rules};

use crate::PgStore;
use crate::participants::attributes;
use crate::reads::ReadError;

/// The table holding the values of attributes of `applies_to`.
fn values_table(applies_to: AppliesTo) -> &'static str {
    match applies_to {
        AppliesTo::Participant => "participant_values",
        AppliesTo::Source => "source_values",
    }
}

/// Returns the attribute named `name`, its row locked until the action
/// ends so no other edit of it interleaves.
fn attribute(
    client: &mut impl GenericClient,
    name: &str,
    applies_to: AppliesTo,
) -> Result<Attribute, ReadError> {
    let attr = rules::find_attribute(attributes(client, applies_to)??, name, applies_to)?;
    client.execute(
        "SELECT id FROM attributes WHERE id = $1 FOR UPDATE",
        &[&attr.id],
    )?;
    Ok(attr)
}

/// Returns `(row id, value)` of every value set for `attr`, by id.
fn value_rows(
    client: &mut impl GenericClient,
    attr: &Attribute,
    applies_to: AppliesTo,
) -> Result<Vec<(i64, String)>, postgres::Error> {
    let sql = format!(
        "SELECT id, value FROM {} WHERE attribute_id = $1 ORDER BY id FOR UPDATE",
        values_table(applies_to)
    );
    client
        .query(&sql, &[&attr.id])?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

impl PgStore {
    /// `Participants::merge_attribute_values`.
    pub(crate) fn merge_values_in(
        &self,
        actor: &str,
        attribute: &str,
        applies_to: AppliesTo,
        values: &[String],
        into: &str,
    ) -> Result<ValueEdit, StoreError> {
        self.act(actor, "attribute.merge_values", |tx, rec| {
            let attr = self::attribute(tx, attribute, applies_to)?;
            let plan = rules::plan_value_merge(&attr, values, into)?;
            let rows = value_rows(tx, &attr, applies_to)?;
            let hits = rules::merge_hits(&attr, applies_to, values, &plan, rows)?;
            let (edit, summary) = rules::merge_outcome(&attr, values, &plan, hits.len());
            let table = values_table(applies_to);
            for (id, _) in &hits {
                rec.update_text(tx, table, *id, "value", &plan.into)?;
            }
            if let Some(json) = &plan.allowed_json {
                rec.update_text(tx, "attributes", attr.id, "allowed", json)?;
            }
            Ok((edit, Some(format!("attribute:{}", attr.id)), summary))
        })
    }

    /// `Participants::delete_attribute`: its values first, then itself.
    pub(crate) fn delete_attribute_in(
        &self,
        actor: &str,
        attribute: &str,
        applies_to: AppliesTo,
    ) -> Result<usize, StoreError> {
        self.act(actor, "attribute.delete", |tx, rec| {
            let attr = self::attribute(tx, attribute, applies_to)?;
            let rows = value_rows(tx, &attr, applies_to)?;
            let table = values_table(applies_to);
            for (id, _) in &rows {
                rec.delete(tx, table, *id)?;
            }
            rec.delete(tx, "attributes", attr.id)?;
            let summary = serde_json::json!({ "attribute": attr.name, "for": applies_to.as_str() });
            Ok((rows.len(), Some(format!("attribute:{}", attr.id)), summary))
        })
    }
}
