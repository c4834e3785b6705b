//! Pseudonym codes planned from the study's scheme, as rules both backends
//! apply: which code each participant without one receives, why the others
//! are skipped, what a scheme change may hold, and what the audit log
//! records of either. Pure functions over rows each backend reads, so a
//! file and a PostgreSQL study assign the same codes.

use std::collections::{HashMap, HashSet};

use crate::participants::ParticipantRow;
use crate::{Assigned, Assignment, RankStyle, Scheme, Site, SpeakerRow, StoreError, Unassigned};

/// What planning codes reads of a study.
#[derive(Debug, Clone, Copy)]
pub struct CodePlanInput<'a> {
    /// The pseudonym scheme.
    pub scheme: &'a Scheme,
    /// Every site.
    pub sites: &'a [Site],
    /// Each source's `date` attribute value, if set.
    pub source_dates: &'a HashMap<i64, String>,
    /// Each source's site word, if any.
    pub source_sites: &'a HashMap<i64, Option<String>>,
    /// Every speaker label of the study, mapped.
    pub speakers: &'a [SpeakerRow],
    /// Every participant.
    pub rows: &'a [ParticipantRow],
}

/// Where a participant is first heard: (date missing, date, source,
/// first turn), the source's kind, the source.
type Appearance = ((bool, String, i64, i64), String, i64);

/// Returns the first appearance of each participant heard in a source of
/// a kind the scheme has a mode for.
fn first_appearances(input: &CodePlanInput<'_>) -> HashMap<i64, Appearance> {
    let mut first: HashMap<i64, Appearance> = HashMap::new();
    for s in input.speakers {
        let Some(p) = s.participant_id else { continue };
        if !input.scheme.modes.iter().any(|m| m.kind == s.kind) {
            continue;
        }
        let date = input.source_dates.get(&s.source_id).cloned();
        let key = (
            date.is_none(),
            date.unwrap_or_default(),
            s.source_id,
            s.first_turn,
        );
        if first.get(&p).is_none_or(|(k, _, _)| key < *k) {
            first.insert(p, (key, s.kind.clone(), s.source_id));
        }
    }
    first
}

/// Returns the code each participant without one receives, following the
/// scheme: site code, mode of the source where the participant is first
/// heard, and rank in order of first appearance within site and mode
/// (sources by their `date` attribute, then id; then turn order). Codes
/// already given never change, and new ones skip codes already taken.
pub fn plan_codes(input: &CodePlanInput<'_>) -> Assignment {
    let scheme = input.scheme;
    let sites: HashMap<i64, &Site> = input.sites.iter().map(|s| (s.id, s)).collect();
    let first = first_appearances(input);
    let mut taken: HashSet<String> = input
        .rows
        .iter()
        .filter_map(|p| p.code.as_ref().map(|c| c.to_lowercase()))
        .collect();
    let mut ordered: Vec<(&ParticipantRow, Option<&Appearance>)> =
        input.rows.iter().map(|p| (p, first.get(&p.id))).collect();
    ordered.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => x.0.cmp(&y.0),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.0.id.cmp(&b.0.id),
    });
    let mut counters: HashMap<(String, String), usize> = HashMap::new();
    let mut out = Assignment::default();
    for (p, appearance) in ordered {
        if p.code.is_some() {
            continue;
        }
        let skip = |reason: &str| Unassigned {
            id: p.id,
            label: p.label.clone(),
            reason: reason.to_owned(),
        };
        let mode =
            appearance.and_then(|(_, kind, _)| scheme.modes.iter().find(|m| &m.kind == kind));
        if scheme.uses("mode") && mode.is_none() {
            out.skipped.push(skip(
                "no turn is mapped to this participant yet: map their speaker label with `verbatim speakers map`",
            ));
            continue;
        }
        let site = p.site_id.and_then(|s| sites.get(&s).copied()).or_else(|| {
            let source = appearance.map(|a| a.2)?;
            let name = input.source_sites.get(&source)?.as_deref()?;
            input
                .sites
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(name) || s.code.eq_ignore_ascii_case(name))
        });
        if scheme.uses("site") && site.is_none() {
            out.skipped.push(skip(
                "no site: give the participant a site (`verbatim participants set CODE --site S`) or import its source with --site",
            ));
            continue;
        }
        let site_code = site.map(|s| s.code.clone()).unwrap_or_default();
        let mode_code = mode.map(|m| m.code.clone()).unwrap_or_default();
        let style = mode.map_or(RankStyle::Digits, |m| m.rank_style);
        let counter = counters
            .entry((site_code.clone(), mode_code.clone()))
            .or_insert(0);
        let code = loop {
            *counter += 1;
            let candidate = scheme.render(&site_code, &mode_code, &style.render(*counter));
            if !taken.contains(&candidate.to_lowercase()) {
                break candidate;
            }
        };
        taken.insert(code.to_lowercase());
        out.assigned.push(Assigned {
            id: p.id,
            label: p.label.clone(),
            code,
        });
    }
    out
}

/// The summary a `participants.assign` action records: the codes given.
pub fn assign_summary(done: &Assignment) -> serde_json::Value {
    serde_json::json!({ "assigned": done.assigned.iter().map(|a| &a.code).collect::<Vec<_>>() })
}

/// Checks a scheme change: the template (returned trimmed) must hold
/// `{rank}` and no unknown placeholder; each mode must name a source kind
/// and give a code without spaces.
pub fn scheme_change(
    template: Option<&str>,
    modes: &[(String, String, Option<RankStyle>)],
) -> Result<Option<String>, StoreError> {
    let template = template
        .map(crate::participants::check_template)
        .transpose()?;
    let kinds: Vec<&str> = verbatim_core::SourceKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    for (kind, code, _) in modes {
        if !kinds.contains(&kind.as_str()) {
            return Err(StoreError::Invalid(format!(
                "no source kind {kind:?}: kinds are {}",
                kinds.join(", ")
            )));
        }
        crate::participants::one_word(code, &format!("code of {kind}s"))?;
    }
    Ok(template)
}

/// The summary a `scheme.set` action records: the new template (if it
/// changed) and each mode's kind and code.
pub fn scheme_summary(
    template: Option<&str>,
    modes: &[(String, String, Option<RankStyle>)],
) -> serde_json::Value {
    serde_json::json!({ "template": template, "modes": modes.iter().map(|m| (&m.0, &m.1)).collect::<Vec<_>>() })
}
