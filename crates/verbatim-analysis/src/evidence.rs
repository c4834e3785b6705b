//! Themes, the passages that support them, and who spoke those passages.
//!
//! Triangulation, IPA tables and the confrontation of preconceptions all ask
//! the same question of a coder's work: which participants, in which sites
//! and modes of collection, support each theme, and with which words. This
//! module answers it from plain values the caller loads: the coder's tree
//! (each theme with its descendants), and the coded passages with the
//! participants whose turns they overlap (focus-group attribution by turn).
//! Which sources, codes and participants count (the denominator N) is the
//! caller's choice, made once in `verbatim_views::evidence`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

/// A node of a coder's tree, as the analyses need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The code's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its level rank (1 = lowest).
    pub level: i64,
    /// Its primary parent.
    pub parent: Option<i64>,
    /// Its further parents.
    pub also_under: Vec<i64>,
}

/// A coded passage with what the analyses need to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// The code applied.
    pub code: i64,
    /// The source's id.
    pub source_id: i64,
    /// The source's name.
    pub source: String,
    /// The source's kind (`interview`, `focus_group`, `observation`).
    pub kind: String,
    /// The source's site.
    pub site: Option<String>,
    /// People whose turns the passage overlaps: participant codes, or the
    /// name a speaker label mapped to no participant is counted under (one
    /// person per source); empty for observation notes or passages outside
    /// any participant's turn.
    pub participants: Vec<String>,
    /// First char.
    pub start: i64,
    /// Char just past the passage.
    pub end: i64,
    /// The passage's text.
    pub text: String,
    /// True when the coder marked it as a quote.
    pub is_quote: bool,
    /// Its translations `(language, text)`.
    pub translations: Vec<(String, String)>,
}

/// Returns, for every node, the set of codes at or below it (through
/// primary parents and further parents; each code once).
pub fn below(nodes: &[Node]) -> HashMap<i64, HashSet<i64>> {
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for n in nodes {
        for p in n.parent.iter().chain(&n.also_under) {
            children.entry(*p).or_default().push(n.id);
        }
    }
    nodes
        .iter()
        .map(|n| {
            let mut seen = HashSet::new();
            let mut stack = vec![n.id];
            while let Some(c) = stack.pop() {
                if seen.insert(c) {
                    stack.extend(children.get(&c).into_iter().flatten().copied());
                }
            }
            (n.id, seen)
        })
        .collect()
}

/// Returns the passages supporting `theme` (coded with it or any code
/// below it), each once, in source then position order.
pub fn supporting<'p>(
    theme: i64,
    below: &HashMap<i64, HashSet<i64>>,
    passages: &'p [Passage],
) -> Vec<&'p Passage> {
    let Some(codes) = below.get(&theme) else {
        return Vec::new();
    };
    let mut out: Vec<&Passage> = passages
        .iter()
        .filter(|p| codes.contains(&p.code))
        .collect();
    out.sort_by_key(|p| (p.source_id, p.start, p.end));
    out.dedup_by_key(|p| (p.source_id, p.start, p.end));
    out
}

/// Returns the passage that best represents a set: a marked quote first,
/// then the longest passage spoken by one participant, then the longest.
pub fn representative<'p>(passages: &[&'p Passage]) -> Option<&'p Passage> {
    passages.iter().copied().max_by_key(|p| {
        (
            p.is_quote,
            p.participants.len() == 1,
            (p.end - p.start).min(600),
            -p.source_id,
        )
    })
}

/// One row of the triangulation table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TriangulationRow {
    /// The theme's id.
    pub id: i64,
    /// Its name.
    pub theme: String,
    /// Distinct participants supporting it.
    pub participants: usize,
    /// Distinct participants per site.
    pub by_site: BTreeMap<String, usize>,
    /// Distinct participants per value of the grouping attribute (e.g.
    /// occupation).
    pub by_attribute: BTreeMap<String, usize>,
    /// Distinct participants per data mode (interview, focus group), and
    /// sources for observation notes (which have no participants).
    pub by_mode: BTreeMap<String, usize>,
    /// Why the theme's support is narrow, if it is.
    pub flags: Vec<String>,
}

/// Returns the triangulation of each theme: who supports it across sites,
/// an attribute's values and modes of collection, with themes supported in
/// only one site or one mode flagged.
pub fn triangulate(
    themes: &[&Node],
    below: &HashMap<i64, HashSet<i64>>,
    passages: &[Passage],
    attribute_of: &HashMap<String, String>,
) -> Vec<TriangulationRow> {
    themes
        .iter()
        .map(|theme| {
            let support = supporting(theme.id, below, passages);
            let mut everyone: BTreeSet<&str> = BTreeSet::new();
            let mut by_site: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
            let mut by_attribute: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
            let mut by_mode: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for p in &support {
                let site = p.site.clone().unwrap_or_else(|| "(no site)".into());
                if p.kind == "observation" {
                    by_site.entry(site).or_default();
                    by_mode
                        .entry(p.kind.clone())
                        .or_default()
                        .insert(format!("source {}", p.source_id));
                    continue;
                }
                for who in &p.participants {
                    everyone.insert(who);
                    by_site.entry(site.clone()).or_default().insert(who);
                    let value = attribute_of
                        .get(who)
                        .cloned()
                        .unwrap_or_else(|| "(unknown)".into());
                    by_attribute.entry(value).or_default().insert(who);
                    by_mode
                        .entry(p.kind.clone())
                        .or_default()
                        .insert(who.clone());
                }
            }
            let mut flags = Vec::new();
            if support.is_empty() {
                flags.push("no supporting passage".to_owned());
            } else {
                if by_site.len() == 1 {
                    flags.push(format!(
                        "only one site ({})",
                        by_site.keys().next().map_or("", String::as_str)
                    ));
                }
                if by_mode.len() == 1 {
                    flags.push(format!(
                        "only one mode ({})",
                        by_mode.keys().next().map_or("", String::as_str)
                    ));
                }
                if everyone.len() == 1 {
                    flags.push("only one participant".to_owned());
                }
            }
            TriangulationRow {
                id: theme.id,
                theme: theme.name.clone(),
                participants: everyone.len(),
                by_site: by_site.into_iter().map(|(k, v)| (k, v.len())).collect(),
                by_attribute: by_attribute
                    .into_iter()
                    .map(|(k, v)| (k, v.len()))
                    .collect(),
                by_mode: by_mode.into_iter().map(|(k, v)| (k, v.len())).collect(),
                flags,
            }
        })
        .collect()
}

/// A quote as IPA tables show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// The source's name.
    pub source: String,
    /// First char.
    pub start: i64,
    /// Char just past.
    pub end: i64,
    /// The words.
    pub text: String,
    /// Translations `(language, text)`.
    pub translations: Vec<(String, String)>,
}

impl Quote {
    fn of(p: &Passage) -> Self {
        Self {
            source: p.source.clone(),
            start: p.start,
            end: p.end,
            text: p.text.clone(),
            translations: p.translations.clone(),
        }
    }
}

/// One participant's themes with their supporting quotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParticipantThemes {
    /// The participant's code.
    pub participant: String,
    /// Each theme with the participant's passages supporting it.
    pub themes: Vec<(String, Vec<Quote>)>,
}

/// The cross-case table: themes × participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrossCase {
    /// The participants, in order (columns).
    pub participants: Vec<String>,
    /// One row per theme.
    pub rows: Vec<CrossCaseRow>,
}

/// One theme of the cross-case table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrossCaseRow {
    /// The theme.
    pub theme: String,
    /// For each participant (same order as the columns): present or not.
    pub present: Vec<bool>,
    /// How many participants support it.
    pub prevalence: usize,
    /// A representative quote, with who said it.
    pub quote: Option<(String, Quote)>,
}

/// Returns the IPA tables: per participant, the themes their words support
/// with the quotes; then themes × participants with a representative quote.
pub fn ipa_tables(
    themes: &[&Node],
    below: &HashMap<i64, HashSet<i64>>,
    passages: &[Passage],
    participants: &[String],
) -> (Vec<ParticipantThemes>, CrossCase) {
    // Index each theme's passages by participant once: studies with
    // thousands of participants would otherwise rescan every passage for
    // every participant.
    type PerTheme<'n, 'p> = (
        &'n Node,
        Vec<&'p Passage>,
        HashMap<&'p str, Vec<&'p Passage>>,
    );
    let per_theme: Vec<PerTheme<'_, '_>> = themes
        .iter()
        .map(|t| {
            let support = supporting(t.id, below, passages);
            let mut by_who: HashMap<&str, Vec<&Passage>> = HashMap::new();
            for p in &support {
                for who in &p.participants {
                    by_who.entry(who.as_str()).or_default().push(p);
                }
            }
            (*t, support, by_who)
        })
        .collect();
    let by_participant = participants
        .iter()
        .map(|who| ParticipantThemes {
            participant: who.clone(),
            themes: per_theme
                .iter()
                .filter_map(|(theme, _, by_who)| {
                    let quotes: Vec<Quote> = by_who
                        .get(who.as_str())?
                        .iter()
                        .map(|p| Quote::of(p))
                        .collect();
                    Some((theme.name.clone(), quotes))
                })
                .collect(),
        })
        .collect();
    let rows = per_theme
        .iter()
        .map(|(theme, support, by_who)| {
            let present: Vec<bool> = participants
                .iter()
                .map(|who| by_who.contains_key(who.as_str()))
                .collect();
            let spoken: Vec<&Passage> = support
                .iter()
                .copied()
                .filter(|p| !p.participants.is_empty())
                .collect();
            let quote = representative(&spoken).map(|p| (p.participants.join(", "), Quote::of(p)));
            CrossCaseRow {
                theme: theme.name.clone(),
                prevalence: present.iter().filter(|x| **x).count(),
                present,
                quote,
            }
        })
        .collect();
    (
        by_participant,
        CrossCase {
            participants: participants.to_vec(),
            rows,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: i64, name: &str, level: i64, parent: Option<i64>) -> Node {
        Node {
            id,
            name: name.into(),
            level,
            parent,
            also_under: vec![],
        }
    }

    fn passage(
        code: i64,
        source_id: i64,
        kind: &str,
        site: &str,
        who: &[&str],
        start: i64,
    ) -> Passage {
        Passage {
            code,
            source_id,
            source: format!("s{source_id}"),
            kind: kind.into(),
            site: Some(site.into()),
            participants: who.iter().map(|w| (*w).to_owned()).collect(),
            start,
            end: start + 10,
            text: format!("passage {code}@{source_id}:{start}"),
            is_quote: false,
            translations: vec![],
        }
    }

    /// A focus group counts each participant who spoke the passages, not
    /// the source once.
    #[test]
    fn triangulation_counts_participants_by_turn() {
        let nodes = vec![
            node(1, "Control", 3, None),
            node(2, "Searches", 1, Some(1)),
            node(3, "Only here", 3, None),
            node(4, "Idea", 1, Some(3)),
        ];
        let below = below(&nodes);
        let passages = vec![
            passage(2, 1, "focus_group", "CH", &["CHFG-A"], 0),
            passage(2, 1, "focus_group", "CH", &["CHFG-B", "CHFG-C"], 20),
            passage(1, 2, "interview", "CS", &["CSI-1"], 0),
            passage(2, 3, "observation", "CA", &[], 0),
            passage(4, 2, "interview", "CS", &["CSI-1"], 40),
        ];
        let occupation: HashMap<String, String> = [
            ("CHFG-A", "nurse"),
            ("CHFG-B", "nurse"),
            ("CHFG-C", "physician"),
            ("CSI-1", "educator"),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        let themes: Vec<&Node> = nodes.iter().filter(|n| n.level == 3).collect();
        let rows = triangulate(&themes, &below, &passages, &occupation);
        assert_eq!(rows[0].participants, 4);
        assert_eq!(
            rows[0].by_site,
            BTreeMap::from([("CA".into(), 0), ("CH".into(), 3), ("CS".into(), 1)])
        );
        assert_eq!(rows[0].by_attribute["nurse"], 2);
        assert_eq!(
            rows[0].by_mode,
            BTreeMap::from([
                ("focus_group".into(), 3),
                ("interview".into(), 1),
                ("observation".into(), 1)
            ])
        );
        assert!(rows[0].flags.is_empty(), "{:?}", rows[0].flags);
        assert_eq!(
            rows[1].flags,
            vec![
                "only one site (CS)",
                "only one mode (interview)",
                "only one participant"
            ]
        );
    }

    #[test]
    fn the_cross_case_table_marks_presence_and_picks_a_quote() {
        let nodes = vec![node(1, "Control", 3, None), node(2, "Searches", 1, Some(1))];
        let below = below(&nodes);
        let mut quoted = passage(2, 1, "focus_group", "CH", &["B"], 20);
        quoted.is_quote = true;
        let passages = vec![passage(2, 1, "focus_group", "CH", &["A"], 0), quoted];
        let themes: Vec<&Node> = nodes.iter().filter(|n| n.level == 3).collect();
        let people = vec!["A".to_owned(), "B".to_owned(), "C".to_owned()];
        let (per, cross) = ipa_tables(&themes, &below, &passages, &people);
        assert_eq!(per[0].themes[0].0, "Control");
        assert!(per[2].themes.is_empty());
        assert_eq!(cross.rows[0].present, vec![true, true, false]);
        assert_eq!(cross.rows[0].prevalence, 2);
        assert_eq!(
            cross.rows[0].quote.as_ref().map(|(who, _)| who.as_str()),
            Some("B")
        );
    }
}
