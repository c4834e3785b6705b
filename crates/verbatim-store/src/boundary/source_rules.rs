//! The rules of repairing a source after import and of the study's solo
//! mark, written once for every backend: whether re-detected turns fit the
//! text and what they change, the summaries of a done mark, and when a
//! study may no longer be declared solo (re-exported by [`super::rules`]).

use verbatim_core::Turn;

use crate::{RedetectReport, StoreError};

/// A turn as stored: its label (empty for none), span and times.
pub type StoredTurn = (String, i64, i64, Option<i64>, Option<i64>);

/// Re-detected turns checked against a source: the report, and the ids of
/// the explicit mappings whose label no longer occurs (to delete).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedetectPlan {
    /// What changes (`changed` false: write nothing).
    pub report: RedetectReport,
    /// The speaker mappings to delete, by id.
    pub dropped: Vec<i64>,
}

/// Returns a turn as stored.
pub fn stored_turn(turn: &Turn) -> StoredTurn {
    let ms = |v: Option<u64>| v.and_then(|v| i64::try_from(v).ok());
    (
        turn.speaker.clone().unwrap_or_default(),
        turn.span.start() as i64,
        turn.span.end() as i64,
        ms(turn.begin_ms),
        ms(turn.end_ms),
    )
}

/// Returns the distinct labels, in order of first appearance.
fn distinct(labels: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for label in labels {
        if !label.is_empty() && !out.contains(&label) {
            out.push(label);
        }
    }
    out
}

/// Checks that `turns` fit source `name` of `chars` chars in order, and
/// compares them with its stored turns `old` and explicit `mappings`
/// `(id, label)`; refuses turns that do not fit.
pub fn plan_redetect(
    name: &str,
    chars: i64,
    old: &[StoredTurn],
    turns: &[Turn],
    mappings: Vec<(i64, String)>,
) -> Result<RedetectPlan, StoreError> {
    let mut previous_end = 0;
    for turn in turns {
        let (start, end) = (turn.span.start() as i64, turn.span.end() as i64);
        if end > chars || start < previous_end {
            return Err(StoreError::Invalid(format!(
                "the turns found do not fit the {chars} characters of {name}: nothing was changed"
            )));
        }
        previous_end = end;
    }
    let same =
        old.len() == turns.len() && old.iter().zip(turns).all(|(row, t)| *row == stored_turn(t));
    let speakers_after = distinct(turns.iter().filter_map(|t| t.speaker.clone()));
    let dropped: Vec<(i64, String)> = mappings
        .into_iter()
        .filter(|(_, label)| !speakers_after.contains(label))
        .collect();
    let report = RedetectReport {
        source: name.to_owned(),
        turns_before: old.len(),
        turns_after: turns.len(),
        speakers_before: distinct(old.iter().map(|t| t.0.clone())),
        speakers_after,
        mappings_dropped: dropped.iter().map(|(_, l)| l.clone()).collect(),
        changed: !same || !dropped.is_empty(),
    };
    Ok(RedetectPlan {
        report,
        dropped: dropped.into_iter().map(|(id, _)| id).collect(),
    })
}

/// The audit action of a done mark set (`true`) or taken back.
pub fn done_action(done: bool) -> &'static str {
    if done { "source.done" } else { "source.undone" }
}

/// The refusal of a solo mark once two or more coders (`coded`, by id)
/// hold codings in a study not revealed.
pub fn solo_refused(coded: &[String]) -> Option<StoreError> {
    (coded.len() >= 2).then(|| {
        StoreError::Invalid(format!(
            "{} have already coded blind, so the study cannot be declared solo now: \
             if these names are all yours, open the layers with `verbatim reveal` \
             (recorded under your name)",
            coded.join(" and ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use verbatim_core::Span;

    use super::*;

    fn turn(speaker: Option<&str>, start: usize, end: usize) -> Turn {
        Turn {
            speaker: speaker.map(str::to_owned),
            span: Span::new(start, end).unwrap(),
            begin_ms: None,
            end_ms: None,
        }
    }

    #[test]
    fn redetected_turns_must_fit_and_drop_the_mappings_of_labels_gone() {
        let old = vec![
            ("INT".to_owned(), 6, 13, None, None),
            ("CSI-2".to_owned(), 22, 28, None, None),
        ];
        let same = [turn(Some("INT"), 6, 13), turn(Some("CSI-2"), 22, 28)];
        let maps = vec![(4, "INT".to_owned()), (5, "CSI-2".to_owned())];
        let plan = plan_redetect("e", 40, &old, &same, maps.clone()).unwrap();
        assert!(!plan.report.changed);
        let one = [turn(Some("INT"), 0, 40)];
        let plan = plan_redetect("e", 40, &old, &one, maps.clone()).unwrap();
        assert!(plan.report.changed);
        assert_eq!(plan.dropped, [5]);
        assert_eq!(plan.report.speakers_before, ["INT", "CSI-2"]);
        assert!(plan_redetect("e", 39, &old, &one, maps.clone()).is_err());
        let overlapping = [turn(None, 0, 10), turn(None, 5, 12)];
        assert!(plan_redetect("e", 40, &old, &overlapping, maps).is_err());
    }
}
