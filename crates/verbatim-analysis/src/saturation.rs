//! Thematic saturation, as Guest, Namey & Chen (2020) assess it.
//!
//! Reference: G. Guest, E. Namey, M. Chen, "A simple method to assess and
//! report thematic saturation in qualitative research", *PLoS ONE* 15(5):
//! e0232076, 2020. Their method has three parameters:
//!
//! - the **base size** `b`: the first `b` interviews (in collection order)
//!   set the denominator, the number of distinct codes they hold;
//! - the **run length** `r`: new information is measured over runs of `r`
//!   consecutive interviews after the base;
//! - the **new-information threshold** `t` (≤ 5 % by default, or 0 %).
//!
//! The first run is interviews `b+1 … b+r`; each next run starts one
//! interview later. A run's new information is the number of codes first
//! seen in that run (absent from every earlier interview, base included),
//! divided by the base count. Saturation is reached at the first run whose
//! new information is at or below the threshold, and is reported as
//! reached *after the interview preceding that run*: the run is the
//! evidence that collecting more brought (almost) nothing new. With `b = 4`,
//! `r = 2`, if interviews 12–13 are the first run at ≤ 5 %, the verdict is
//! "saturation reached after interview 11 at the 5 % threshold, run length
//! 2" (see the hand-worked example in the tests).
//!
//! The same computation runs per coder and per site: callers pass the codes
//! of one coder, or the sources of one site, in collection order.

use std::collections::BTreeSet;

use serde::Serialize;

/// The method's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Params {
    /// How many first interviews make the base.
    pub base: usize,
    /// How many interviews make a run.
    pub run: usize,
    /// The new-information threshold, as a fraction (0.05 for 5 %).
    pub threshold: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            base: 4,
            run: 2,
            threshold: 0.05,
        }
    }
}

/// One source's contribution, in collection order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The source's position in collection order, from 1.
    pub position: usize,
    /// The source's name.
    pub source: String,
    /// Codes first seen in this source.
    pub new_codes: usize,
    /// Distinct codes seen so far.
    pub cumulative: usize,
}

/// One run after the base.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// Position of the run's first interview, from 1.
    pub first: usize,
    /// Position of its last interview.
    pub last: usize,
    /// Codes first seen in the run.
    pub new_codes: usize,
    /// `new_codes` divided by the base count.
    pub new_information: f64,
}

/// What the method concludes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Verdict {
    /// Saturation reached after interview `after`.
    Reached {
        /// The last interview needed: the one before the confirming run.
        after: usize,
        /// The confirming run.
        run: Run,
    },
    /// Every run brought more new information than the threshold.
    NotReached {
        /// How many runs were checked.
        runs_checked: usize,
    },
    /// Too few sources for a base and one run.
    TooFewSources {
        /// Sources available.
        have: usize,
        /// Sources needed (base + run).
        need: usize,
    },
    /// The base holds no code at all, so new information has no denominator.
    EmptyBase,
}

/// The whole assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Saturation {
    /// The parameters used.
    pub params: Params,
    /// New and cumulative codes per source.
    pub steps: Vec<Step>,
    /// Distinct codes in the base.
    pub base_codes: usize,
    /// Every run checked, up to and including the confirming one.
    pub runs: Vec<Run>,
    /// The conclusion.
    pub verdict: Verdict,
}

impl Saturation {
    /// Returns the verdict as a sentence for a methods section.
    pub fn sentence(&self) -> String {
        let pct = self.params.threshold * 100.0;
        match &self.verdict {
            Verdict::Reached { after, run } => format!(
                "saturation reached after interview {after} at the {pct:.0} % threshold, run length {} (base size {}: {} codes; interviews {}–{} added {} new, {:.1} %)",
                self.params.run,
                self.params.base,
                self.base_codes,
                run.first,
                run.last,
                run.new_codes,
                run.new_information * 100.0
            ),
            Verdict::NotReached { runs_checked } => format!(
                "saturation not reached at the {pct:.0} % threshold: each of the {runs_checked} runs of {} interviews after the base of {} added more new codes",
                self.params.run, self.params.base
            ),
            Verdict::TooFewSources { have, need } => format!(
                "too few interviews to judge saturation: {have}, where a base of {} and a run of {} need {need}",
                self.params.base, self.params.run
            ),
            Verdict::EmptyBase => format!(
                "the first {} interviews hold no code, so new information cannot be measured",
                self.params.base
            ),
        }
    }
}

/// Returns the assessment for sources given in collection order, each as
/// `(name, the set of codes applied in it)`.
pub fn assess<K: Ord + Clone>(sources: &[(String, BTreeSet<K>)], params: Params) -> Saturation {
    let mut seen: BTreeSet<K> = BTreeSet::new();
    let mut new_per_source = Vec::with_capacity(sources.len());
    let mut steps = Vec::with_capacity(sources.len());
    for (i, (name, codes)) in sources.iter().enumerate() {
        let new = codes.iter().filter(|c| !seen.contains(*c)).count();
        seen.extend(codes.iter().cloned());
        new_per_source.push(new);
        steps.push(Step {
            position: i + 1,
            source: name.clone(),
            new_codes: new,
            cumulative: seen.len(),
        });
    }
    let base = params.base.max(1);
    let run_len = params.run.max(1);
    let params = Params {
        base,
        run: run_len,
        ..params
    };
    let base_codes = steps.get(base - 1).map_or(0, |s| s.cumulative);
    let need = base + run_len;
    let mut runs = Vec::new();
    let verdict = if sources.len() < need {
        Verdict::TooFewSources {
            have: sources.len(),
            need,
        }
    } else if base_codes == 0 {
        Verdict::EmptyBase
    } else {
        let mut reached = None;
        // Runs start after the base and slide one interview at a time.
        for first in base..=(sources.len() - run_len) {
            let new_codes: usize = new_per_source[first..first + run_len].iter().sum();
            let run = Run {
                first: first + 1,
                last: first + run_len,
                new_codes,
                new_information: new_codes as f64 / base_codes as f64,
            };
            runs.push(run.clone());
            if run.new_information <= params.threshold + f64::EPSILON {
                reached = Some(Verdict::Reached { after: first, run });
                break;
            }
        }
        reached.unwrap_or(Verdict::NotReached {
            runs_checked: runs.len(),
        })
    };
    Saturation {
        params,
        steps,
        base_codes,
        runs,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds sources from lists of code numbers.
    fn sources(codes: &[&[u32]]) -> Vec<(String, BTreeSet<u32>)> {
        codes
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("I{}", i + 1), c.iter().copied().collect()))
            .collect()
    }

    /// The hand-worked example of the module docs: 13 interviews; the base
    /// (interviews 1–4) holds codes 1–20, so 20 codes; interviews 5–13 add
    /// 2, 2, 2, 1, 1, 1, 1, 1, 0 new codes. Runs of 2: 5–6 add 4 (20 %),
    /// 6–7 add 4, 7–8 add 3 (15 %), 8–9, 9–10, 10–11 and 11–12 add 2 each
    /// (10 %), 12–13 add 1 (5 %): the first run at the 5 % threshold, so
    /// saturation is reached after interview 11.
    #[test]
    fn the_hand_worked_example() {
        let all: Vec<&[u32]> = vec![
            &[1, 2, 3, 4, 5, 6],
            &[5, 6, 7, 8, 9, 10, 11],
            &[1, 12, 13, 14, 15],
            &[16, 17, 18, 19, 20, 2],
            &[1, 21, 22], // 5: +2
            &[2, 23, 24], // 6: +2
            &[3, 25, 26], // 7: +2
            &[4, 27],     // 8: +1
            &[5, 28, 28], // 9: +1 (a code applied twice counts once)
            &[6, 29],     // 10: +1
            &[7, 30],     // 11: +1
            &[8, 31],     // 12: +1
            &[9, 10, 31], // 13: +0
        ];
        let s = assess(&sources(&all), Params::default());
        assert_eq!(s.base_codes, 20);
        let new: Vec<usize> = s.runs.iter().map(|r| r.new_codes).collect();
        assert_eq!(new, vec![4, 4, 3, 2, 2, 2, 2, 1]);
        assert_eq!(
            s.verdict,
            Verdict::Reached {
                after: 11,
                run: Run {
                    first: 12,
                    last: 13,
                    new_codes: 1,
                    new_information: 0.05
                }
            }
        );
        assert_eq!(
            s.sentence(),
            "saturation reached after interview 11 at the 5 % threshold, run length 2 (base size 4: 20 codes; interviews 12–13 added 1 new, 5.0 %)"
        );
        assert_eq!(s.steps[12].cumulative, 31);
        // At a 0 % threshold no run qualifies.
        let strict = assess(
            &sources(&all),
            Params {
                threshold: 0.0,
                ..Params::default()
            },
        );
        assert_eq!(strict.verdict, Verdict::NotReached { runs_checked: 8 });
    }

    #[test]
    fn a_zero_threshold_needs_a_run_with_nothing_new() {
        let all: Vec<&[u32]> = vec![&[1, 2], &[3], &[4], &[5], &[6], &[], &[7], &[], &[]];
        let s = assess(
            &sources(&all),
            Params {
                threshold: 0.0,
                ..Params::default()
            },
        );
        assert_eq!(s.base_codes, 5);
        assert!(
            matches!(s.verdict, Verdict::Reached { after: 7, .. }),
            "{:?}",
            s.verdict
        );
    }

    #[test]
    fn too_few_or_empty_are_said_so() {
        let three: Vec<&[u32]> = vec![&[1], &[2], &[3]];
        let s = assess(&sources(&three), Params::default());
        assert_eq!(s.verdict, Verdict::TooFewSources { have: 3, need: 6 });
        let empty: Vec<&[u32]> = vec![&[], &[], &[], &[], &[1], &[2]];
        assert_eq!(
            assess(&sources(&empty), Params::default()).verdict,
            Verdict::EmptyBase
        );
        let always_new: Vec<Vec<u32>> = (0..10u32).map(|i| vec![i * 10, i * 10 + 1]).collect();
        let refs: Vec<&[u32]> = always_new.iter().map(Vec::as_slice).collect();
        let s = assess(&sources(&refs), Params::default());
        assert_eq!(s.verdict, Verdict::NotReached { runs_checked: 5 });
    }
}
