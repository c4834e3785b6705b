//! Tests against published worked examples, hand-computed cases and
//! invariants.
//!
//! Reference values: Krippendorff (2011) for alpha on his 4 × 12 example;
//! Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed., through the
//! datasets and expected values of the irrCAC package (R by Gwet, Python
//! port by Fergadis), for Fleiss, Cohen, Scott, AC1 and Brennan–Prediger;
//! the Fleiss (1971) diagnoses distribution as irrCAC ships it; the worked
//! example of Fleiss' kappa on Wikipedia (10 subjects, 14 raters).

use proptest::prelude::*;

use super::*;

fn approx(outcome: &Outcome, expected: f64, tolerance: f64) {
    let value = outcome
        .estimate
        .value()
        .unwrap_or_else(|| panic!("{} is undefined", outcome.statistic));
    assert!(
        (value - expected).abs() <= tolerance,
        "{}: {value} is not {expected} ± {tolerance}",
        outcome.statistic
    );
}

/// Published to 3 decimals: equal after rounding to 3 decimals.
fn three(outcome: &Outcome, expected: f64) {
    approx(outcome, expected, 0.0005);
}

fn matrix(rows: &[(&str, &[Option<i64>])]) -> Matrix {
    Matrix::new(
        rows.iter()
            .map(|(coder, cells)| {
                (
                    (*coder).to_owned(),
                    cells.iter().map(|c| c.map(|v| v.to_string())).collect(),
                )
            })
            .collect(),
    )
    .unwrap()
}

fn text_matrix(rows: &[(&str, &str)]) -> Matrix {
    Matrix::new(
        rows.iter()
            .map(|(coder, cells)| {
                (
                    (*coder).to_owned(),
                    cells
                        .split(' ')
                        .map(|c| (c != "-").then(|| c.to_owned()))
                        .collect(),
                )
            })
            .collect(),
    )
    .unwrap()
}

/// Krippendorff (2011), p. 3–5: 4 observers, 12 units, missing values.
/// It is also Gwet's (2014, p. 120) `raw_4raters`.
fn krippendorff_example() -> Matrix {
    let n = None;
    matrix(&[
        (
            "A",
            &[
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(1),
                Some(4),
                Some(1),
                Some(2),
                n,
                n,
                n,
            ],
        ),
        (
            "B",
            &[
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(2),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                n,
                Some(3),
            ],
        ),
        (
            "C",
            &[
                n,
                Some(3),
                Some(3),
                Some(3),
                Some(2),
                Some(3),
                Some(4),
                Some(2),
                Some(2),
                Some(5),
                Some(1),
                n,
            ],
        ),
        (
            "D",
            &[
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(4),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                Some(1),
                n,
            ],
        ),
    ])
}

#[test]
fn krippendorff_2011_example_all_levels() {
    let data = krippendorff_example();
    three(&krippendorff_alpha(&data, Level::Nominal).unwrap(), 0.743);
    three(&krippendorff_alpha(&data, Level::Ordinal).unwrap(), 0.815);
    three(&krippendorff_alpha(&data, Level::Interval).unwrap(), 0.849);
    three(&krippendorff_alpha(&data, Level::Ratio).unwrap(), 0.797);
    let nominal = krippendorff_alpha(&data, Level::Nominal).unwrap();
    assert_eq!(
        nominal.units, 11,
        "unit 12 has one value and is not pairable"
    );
    assert_eq!(nominal.values, 40);
}

/// irrCAC's `raw_4raters` is Krippendorff's matrix with the last unit read
/// as rater 3 alone; Krippendorff's layout (B rates unit 12) gives the same
/// pairable data, so the multi-rater coefficients match too.
#[test]
fn gwet_2014_raw_4raters() {
    let data = krippendorff_example();
    let fleiss = fleiss_kappa(&data);
    three(&fleiss, 0.761);
    assert!((fleiss.observed.unwrap() - 9.0 / 11.0).abs() < 1e-12);
    three(&gwet_ac1(&data, None).unwrap(), 0.775);
    three(&percent_agreement(&data), 0.818);
    // Hand-computed: p_a = 9/11, q = 5: (9/11 − 1/5)/(4/5) = 34/44.
    approx(&brennan_prediger(&data, None).unwrap(), 34.0 / 44.0, 1e-12);
    // With 10 possible categories: (9/11 − 1/10)/(9/10).
    approx(
        &brennan_prediger(&data, Some(10)).unwrap(),
        (9.0 / 11.0 - 0.1) / 0.9,
        1e-12,
    );
}

#[test]
fn gwet_2014_raw_5observers() {
    let n = None;
    let data = matrix(&[
        (
            "1",
            &[
                Some(1),
                Some(1),
                Some(2),
                n,
                Some(0),
                Some(0),
                Some(1),
                Some(1),
                Some(2),
                Some(2),
                n,
                Some(0),
                Some(1),
                Some(3),
                Some(1),
            ],
        ),
        (
            "2",
            &[
                Some(1),
                Some(1),
                Some(3),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                n,
                Some(2),
                Some(1),
                Some(1),
                Some(0),
                Some(2),
                Some(3),
                Some(1),
            ],
        ),
        (
            "3",
            &[
                Some(2),
                Some(0),
                Some(3),
                Some(0),
                Some(0),
                Some(0),
                Some(2),
                Some(2),
                Some(2),
                Some(1),
                Some(0),
                Some(0),
                Some(2),
                Some(2),
                Some(1),
            ],
        ),
        (
            "4",
            &[
                n,
                Some(1),
                Some(3),
                n,
                n,
                n,
                n,
                Some(0),
                n,
                Some(1),
                Some(0),
                Some(0),
                Some(2),
                Some(2),
                n,
            ],
        ),
        (
            "5",
            &[
                Some(2),
                n,
                n,
                Some(0),
                Some(0),
                Some(0),
                Some(1),
                n,
                Some(2),
                n,
                n,
                n,
                n,
                Some(3),
                Some(1),
            ],
        ),
    ]);
    three(&fleiss_kappa(&data), 0.458);
    three(&gwet_ac1(&data, None).unwrap(), 0.497);
    three(&krippendorff_alpha(&data, Level::Nominal).unwrap(), 0.481);
    three(&percent_agreement(&data), 0.616);
}

#[test]
fn gwet_2014_raw_g1g2() {
    let data = text_matrix(&[
        ("1", "a b c c b a d a b - - - b b"),
        ("2", "a b c c b b d a b e - - b a"),
        ("3", "- c c c b c d b b e a c c c"),
        ("4", "a b c c b d d a b e a - b b"),
    ]);
    three(&fleiss_kappa(&data), 0.657);
    three(&gwet_ac1(&data, None).unwrap(), 0.685);
    three(&krippendorff_alpha(&data, Level::Nominal).unwrap(), 0.632);
    three(&percent_agreement(&data), 0.744);
}

#[test]
fn gwet_2014_raw_gender() {
    let data = text_matrix(&[
        ("1", "a a a a a b b b c a a a a a b"),
        ("2", "a a a a b a b c c a a a a b a"),
        ("3", "a b b c a a b b c a b b c a a"),
        ("4", "c c c c a a b b c c c c c a a"),
    ]);
    three(&fleiss_kappa(&data), 0.129);
    three(&gwet_ac1(&data, None).unwrap(), 0.208);
    three(&krippendorff_alpha(&data, Level::Nominal).unwrap(), 0.143);
}

#[test]
fn gwet_2014_raw_ben_gerry_two_raters_one_missing() {
    let data = text_matrix(&[
        ("Ben", "a a b b d c c c e d d a"),
        ("Gerry", "b a b b b c c c e - d d"),
    ]);
    three(&fleiss_kappa(&data), 0.649);
    three(&gwet_ac1(&data, None).unwrap(), 0.661);
    three(&krippendorff_alpha(&data, Level::Nominal).unwrap(), 0.665);
    approx(&percent_agreement(&data), 8.0 / 11.0, 1e-12);
}

/// Expands a subjects × categories distribution into a matrix (rater
/// identity does not matter to these coefficients).
fn from_distribution(rows: &[&[usize]]) -> Matrix {
    let raters: usize = rows[0].iter().sum();
    let mut cells = vec![Vec::new(); raters];
    for row in rows {
        let mut r = 0;
        for (category, &count) in row.iter().enumerate() {
            for _ in 0..count {
                cells[r].push(Some(category.to_string()));
                r += 1;
            }
        }
    }
    Matrix::new(
        cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| (i.to_string(), c))
            .collect(),
    )
    .unwrap()
}

/// Fleiss (1971) diagnoses, 6 psychiatrists, as in irrCAC's
/// `distrib.6raters` (15 patients); values from the irrCAC README.
#[test]
fn fleiss_1971_distrib_6raters() {
    let data = from_distribution(&[
        &[0, 0, 0, 6, 0],
        &[0, 3, 0, 0, 3],
        &[0, 1, 4, 0, 1],
        &[0, 0, 0, 0, 6],
        &[0, 3, 0, 3, 0],
        &[2, 0, 4, 0, 0],
        &[0, 0, 4, 0, 2],
        &[2, 0, 3, 1, 0],
        &[2, 0, 0, 4, 0],
        &[0, 0, 0, 0, 6],
        &[1, 0, 0, 5, 0],
        &[1, 1, 0, 4, 0],
        &[0, 3, 3, 0, 0],
        &[1, 0, 0, 5, 0],
        &[0, 2, 0, 3, 1],
    ]);
    approx(&fleiss_kappa(&data), 0.413_926_5, 1e-6);
    approx(&gwet_ac1(&data, None).unwrap(), 0.444_800_7, 1e-6);
    approx(
        &krippendorff_alpha(&data, Level::Nominal).unwrap(),
        0.420_438_4,
        1e-6,
    );
    approx(&percent_agreement(&data), 0.551_111_1, 1e-6);
}

/// The worked example of the Wikipedia article "Fleiss' kappa": 10
/// subjects, 14 raters, 5 categories; P̄ = 0.378, P̄_e = 0.213, κ = 0.210.
#[test]
fn fleiss_wikipedia_example() {
    let data = from_distribution(&[
        &[0, 0, 0, 0, 14],
        &[0, 2, 6, 4, 2],
        &[0, 0, 3, 5, 6],
        &[0, 3, 9, 2, 0],
        &[2, 2, 8, 1, 1],
        &[7, 7, 0, 0, 0],
        &[3, 2, 6, 3, 0],
        &[2, 5, 3, 2, 2],
        &[6, 5, 2, 1, 0],
        &[0, 2, 2, 3, 7],
    ]);
    let k = fleiss_kappa(&data);
    three(&k, 0.210);
    assert!((k.observed.unwrap() - 0.378).abs() < 0.0005);
    assert!((k.expected.unwrap() - 0.213).abs() < 0.0005);
}

fn cont3x3abstractors() -> Vec<Vec<usize>> {
    vec![vec![13, 0, 0], vec![0, 20, 7], vec![0, 4, 56]]
}

fn cont4x4diagnosis() -> Vec<Vec<usize>> {
    vec![
        vec![40, 4, 4, 17],
        vec![6, 25, 2, 13],
        vec![4, 1, 21, 12],
        vec![15, 5, 9, 45],
    ]
}

#[test]
fn gwet_2014_cont3x3abstractors() {
    let data = Matrix::from_table(&cont3x3abstractors()).unwrap();
    three(&cohen_kappa(&data).unwrap(), 0.796);
    // agreement.md §5.3: Scott's pi 1 − 0.2037603, alpha 0.7972585.
    approx(&scott_pi(&data).unwrap(), 1.0 - 0.203_760_3, 1e-7);
    approx(
        &krippendorff_alpha(&data, Level::Nominal).unwrap(),
        0.797_258_5,
        1e-7,
    );
    three(&gwet_ac1(&data, None).unwrap(), 0.849);
    three(&brennan_prediger(&data, None).unwrap(), 0.835);
    approx(&percent_agreement(&data), 0.89, 1e-12);
    // Fleiss with two raters and complete data is Scott's pi.
    approx(&fleiss_kappa(&data), 1.0 - 0.203_760_3, 1e-7);
}

#[test]
fn gwet_2014_cont4x4diagnosis() {
    let data = Matrix::from_table(&cont4x4diagnosis()).unwrap();
    three(&cohen_kappa(&data).unwrap(), 0.432);
    three(&scott_pi(&data).unwrap(), 0.430);
    three(&gwet_ac1(&data, None).unwrap(), 0.456);
    three(&brennan_prediger(&data, None).unwrap(), 0.450);
}

/// Cohen's kappa, the 2 × 2 example of the Wikipedia article: 50
/// proposals, p_o = 0.7, p_e = 0.5, κ = 0.4.
#[test]
fn cohen_two_by_two() {
    let table = vec![vec![20.0, 5.0], vec![10.0, 15.0]];
    let k = cohen_kappa_table(&table).unwrap();
    approx(&k, 0.4, 1e-12);
    assert_eq!(k.observed, Some(0.7));
    assert_eq!(k.expected, Some(0.5));
}

/// Hand-computed: A = a a b b, B = a b b b. Cohen: p_o = 3/4, p_e = 1/2,
/// κ = 1/2. Scott: π = (a 3/8, b 5/8), p_e = 17/32, π = 7/15. Alpha:
/// n = 8, o_ab = o_ba = 1, α = 1 − 7 · 2 / (2 · 3 · 5) = 8/15.
#[test]
fn small_two_coder_case_by_hand() {
    let data = text_matrix(&[("A", "a a b b"), ("B", "a b b b")]);
    approx(&cohen_kappa(&data).unwrap(), 0.5, 1e-12);
    approx(&scott_pi(&data).unwrap(), 7.0 / 15.0, 1e-12);
    approx(&fleiss_kappa(&data), 7.0 / 15.0, 1e-12);
    approx(
        &krippendorff_alpha(&data, Level::Nominal).unwrap(),
        8.0 / 15.0,
        1e-12,
    );
    approx(&percent_agreement(&data), 0.75, 1e-12);
    // AC1: p_e = (3/8 · 5/8 + 5/8 · 3/8) / 1 = 15/32; (3/4 − 15/32)/(17/32) = 9/17.
    approx(&gwet_ac1(&data, None).unwrap(), 9.0 / 17.0, 1e-12);
    approx(&brennan_prediger(&data, None).unwrap(), 0.5, 1e-12);
}

/// Hand-computed interval and ratio alpha: two coders, units (1,2), (3,3).
/// Values 1, 2, 3, 3; n = 4; o_12 = o_21 = 1.
/// Interval: D_o ∝ 2 · 1 = 2; D_e ∝ Σ_{c≠k} n_c n_k (c − k)² =
/// 2 · (1·1·1 + 1·2·4 + 1·2·1) = 22; α = 1 − 3 · 2/22 = 8/11.
/// Ratio: δ²(1,2) = 1/9, δ²(1,3) = 1/4, δ²(2,3) = 1/25;
/// α = 1 − 3 · (2/9) / (2 · (1/9 + 2/4 + 2/25)).
#[test]
fn small_interval_and_ratio_by_hand() {
    let data = matrix(&[("A", &[Some(1), Some(3)]), ("B", &[Some(2), Some(3)])]);
    approx(
        &krippendorff_alpha(&data, Level::Interval).unwrap(),
        8.0 / 11.0,
        1e-12,
    );
    let ratio = 1.0 - 3.0 * (2.0 / 9.0) / (2.0 * (1.0 / 9.0 + 0.5 + 2.0 / 25.0));
    approx(
        &krippendorff_alpha(&data, Level::Ratio).unwrap(),
        ratio,
        1e-12,
    );
}

#[test]
fn no_variation_is_undefined_not_a_number() {
    let data = text_matrix(&[("A", "x x x"), ("B", "x x x"), ("C", "x - x")]);
    let undefined = Estimate::Undefined {
        reason: UndefinedReason::NoVariation,
    };
    assert_eq!(
        krippendorff_alpha(&data, Level::Nominal).unwrap().estimate,
        undefined
    );
    assert_eq!(fleiss_kappa(&data).estimate, undefined);
    assert_eq!(gwet_ac1(&data, None).unwrap().estimate, undefined);
    assert_eq!(brennan_prediger(&data, None).unwrap().estimate, undefined);
    // With two possible categories Brennan & Prediger is defined: all agree.
    approx(&brennan_prediger(&data, Some(2)).unwrap(), 1.0, 1e-12);
    approx(&percent_agreement(&data), 1.0, 1e-12);
    let two = text_matrix(&[("A", "x x"), ("B", "x x")]);
    assert_eq!(cohen_kappa(&two).unwrap().estimate, undefined);
    assert_eq!(scott_pi(&two).unwrap().estimate, undefined);
    assert_eq!(undefined.to_string(), "undefined (no variation)");
}

#[test]
fn no_pairable_unit_is_undefined() {
    let data = text_matrix(&[("A", "x - y"), ("B", "- z -")]);
    let none = Estimate::Undefined {
        reason: UndefinedReason::NoPairableUnits,
    };
    assert_eq!(
        krippendorff_alpha(&data, Level::Nominal).unwrap().estimate,
        none
    );
    assert_eq!(fleiss_kappa(&data).estimate, none);
    assert_eq!(cohen_kappa(&data).unwrap().estimate, none);
    assert_eq!(percent_agreement(&data).estimate, none);
    // A matrix with no value at all (found by proptest): every level is
    // "no pairable units", not a refusal.
    let empty = text_matrix(&[("A", "- -"), ("B", "- -")]);
    for level in [
        Level::Nominal,
        Level::Ordinal,
        Level::Interval,
        Level::Ratio,
    ] {
        assert_eq!(krippendorff_alpha(&empty, level).unwrap().estimate, none);
    }
}

#[test]
fn refusals() {
    let data = text_matrix(&[("A", "x y"), ("B", "y y")]);
    assert!(matches!(
        krippendorff_alpha(&data, Level::Interval),
        Err(ReliabilityError::NotNumeric { .. })
    ));
    assert!(matches!(
        brennan_prediger(&data, Some(1)),
        Err(ReliabilityError::TooFewCategories { given: 1, used: 2 })
    ));
    let three = text_matrix(&[("A", "x y"), ("B", "y y"), ("C", "x x")]);
    assert!(matches!(
        cohen_kappa(&three),
        Err(ReliabilityError::NotTwoCoders { coders: 3, .. })
    ));
    let negative = matrix(&[("A", &[Some(-1), Some(2)]), ("B", &[Some(1), Some(2)])]);
    assert!(matches!(
        krippendorff_alpha(&negative, Level::Ratio),
        Err(ReliabilityError::NegativeRatio { .. })
    ));
    let ragged = Matrix::new(vec![
        ("A".into(), vec![Some("1".into())]),
        ("B".into(), vec![]),
    ]);
    assert!(matches!(ragged, Err(ReliabilityError::RaggedRow { .. })));
}

fn all_values(data: &Matrix) -> Vec<Option<f64>> {
    let mut out = vec![
        fleiss_kappa(data).estimate.value(),
        gwet_ac1(data, None).unwrap().estimate.value(),
        brennan_prediger(data, None).unwrap().estimate.value(),
        percent_agreement(data).estimate.value(),
    ];
    for level in [
        Level::Nominal,
        Level::Ordinal,
        Level::Interval,
        Level::Ratio,
    ] {
        out.push(krippendorff_alpha(data, level).unwrap().estimate.value());
    }
    if data.coders().len() == 2 {
        out.push(cohen_kappa(data).unwrap().estimate.value());
        out.push(scott_pi(data).unwrap().estimate.value());
    }
    out
}

/// A random matrix: 2–5 coders, 1–30 units, values 0–4, some missing.
fn random_matrix() -> impl Strategy<Value = Vec<Vec<Option<u8>>>> {
    (2usize..=5, 1usize..=30).prop_flat_map(|(coders, units)| {
        prop::collection::vec(
            prop::collection::vec(prop::option::weighted(0.8, 0u8..5), units),
            coders,
        )
    })
}

fn to_matrix(rows: &[Vec<Option<u8>>]) -> Matrix {
    Matrix::new(
        rows.iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    i.to_string(),
                    r.iter().map(|v| v.map(|v| v.to_string())).collect(),
                )
            })
            .collect(),
    )
    .unwrap()
}

proptest! {
    #[test]
    fn identical_coders_agree_perfectly(
        row in prop::collection::vec(0u8..5, 2..30),
        coders in 2usize..5,
    ) {
        let rows = vec![row.iter().map(|&v| Some(v)).collect::<Vec<_>>(); coders];
        let data = to_matrix(&rows);
        for value in all_values(&data).into_iter().flatten() {
            prop_assert!((value - 1.0).abs() < 1e-9, "{value}");
        }
        // Defined exactly when two values differ.
        let varied = row.iter().any(|&v| v != row[0]);
        let alpha = krippendorff_alpha(&data, Level::Nominal).unwrap();
        prop_assert_eq!(alpha.estimate.value().is_some(), varied);
    }

    #[test]
    fn alpha_and_kappas_never_exceed_one(rows in random_matrix()) {
        let data = to_matrix(&rows);
        for value in all_values(&data).into_iter().flatten() {
            prop_assert!(value <= 1.0 + 1e-9, "{value}");
            prop_assert!(value.is_finite());
        }
    }

    #[test]
    fn permuting_units_changes_nothing(
        (rows, order) in random_matrix().prop_flat_map(|rows| {
            let units = rows[0].len();
            (Just(rows), Just((0..units).collect::<Vec<_>>()).prop_shuffle())
        })
    ) {
        let permuted: Vec<Vec<Option<u8>>> = rows
            .iter()
            .map(|r| order.iter().map(|&u| r[u]).collect())
            .collect();
        let before = all_values(&to_matrix(&rows));
        let after = all_values(&to_matrix(&permuted));
        prop_assert_eq!(before.len(), after.len());
        for (a, b) in before.iter().zip(&after) {
            match (a, b) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9),
                (None, None) => {}
                _ => prop_assert!(false, "{a:?} vs {b:?}"),
            }
        }
    }

    /// agreement.md §5.3: with two coders and no missing values,
    /// α = 1 − (2N − 1)/(2N) · (1 − π).
    #[test]
    fn alpha_and_scott_pi_two_complete_coders(
        pairs in prop::collection::vec((0u8..4, 0u8..4), 1..40)
    ) {
        let rows = vec![
            pairs.iter().map(|p| Some(p.0)).collect::<Vec<_>>(),
            pairs.iter().map(|p| Some(p.1)).collect::<Vec<_>>(),
        ];
        let data = to_matrix(&rows);
        let n = pairs.len() as f64;
        let pi = scott_pi(&data).unwrap().estimate.value();
        let alpha = krippendorff_alpha(&data, Level::Nominal).unwrap().estimate.value();
        match (pi, alpha) {
            (Some(pi), Some(alpha)) => {
                prop_assert!((alpha - (1.0 - (2.0 * n - 1.0) / (2.0 * n) * (1.0 - pi))).abs() < 1e-9);
            }
            (None, None) => {}
            other => prop_assert!(false, "{other:?}"),
        }
    }
}
