//! A codebook as other tools and spreadsheets carry it: a forest of named
//! codes with their definitions. Both the `.qdc` reader and the CSV/XLSX
//! codebook reader produce this, and one function writes it into a coder's
//! layer of a study.
//!
//! [`write_codebook`] turns the forest into the flat, parents-first list
//! [`CodebookEdits::import_codes`] stores in one transaction (on either
//! backend). A study's
//! codebook is a DAG with names unique among siblings, so in a spreadsheet
//! a name met twice in the forest is one code under two parents (the way
//! the spreadsheet export writes a code that feeds two themes), provided
//! both places describe it alike; in a `.qdc` the GUID says which code is
//! which, and two GUIDs are two codes even when they share a name. Levels left out are derived from the tree: a leaf is of the lowest
//! level, a parent one above its highest child.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use thiserror::Error;
use verbatim_store::{
    Book, CodeFields, CodebookEdits, Coders, ImportedCode, Level, Scope, StoreError,
};

use crate::sheets::headers::fold;

/// One code of an imported codebook, its children nested under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodebookEntry {
    /// The code's name, unique among its siblings.
    pub name: String,
    /// Level name (`idea`, `sub-theme`, `theme`, `meta-theme`) when the file says it.
    pub level: Option<String>,
    /// What the code means.
    pub definition: Option<String>,
    /// When to apply it.
    pub inclusion: Option<String>,
    /// When not to apply it.
    pub exclusion: Option<String>,
    /// A typical passage.
    pub example: Option<String>,
    /// `#RRGGBB` when the file gives a colour.
    pub colour: Option<String>,
    /// The producer's GUID, when there is one.
    pub guid: Option<String>,
    /// The codes directly under this one.
    pub children: Vec<CodebookEntry>,
}

/// Why a codebook cannot be written into a study; nothing was written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CodebookError {
    /// A level name the study does not have.
    #[error(
        "code {code:?} has level {level:?}, which the study does not have: use one of {levels} (or its number, 1 = lowest)"
    )]
    UnknownLevel {
        /// The code.
        code: String,
        /// The level as written.
        level: String,
        /// The study's levels, comma-separated.
        levels: String,
    },
    /// A code appears twice, described differently.
    #[error(
        "code {code:?} appears twice with different {field}: {first:?} and {second:?}; make them the same, or rename one"
    )]
    Conflict {
        /// The code.
        code: String,
        /// The field that differs (`definition`, `level`…).
        field: &'static str,
        /// The value first met.
        first: String,
        /// The value met later.
        second: String,
    },
    /// The parents form a loop.
    #[error("code {code:?} ends up under itself (a cycle through its parents): fix its parent")]
    Cycle {
        /// A code on the cycle.
        code: String,
    },
    /// A code is not below its parent in level.
    #[error(
        "code {child:?} ({child_level}) cannot sit under {parent:?} ({parent_level}): a parent must be of a higher level"
    )]
    LevelOrder {
        /// The child.
        child: String,
        /// Its level's name.
        child_level: String,
        /// The parent.
        parent: String,
        /// Its level's name.
        parent_level: String,
    },
    /// The tree is deeper than the study has levels.
    #[error(
        "code {code:?} has codes {depth} levels deep below it, but the study has {levels} levels: give each code a level, or add levels with `verbatim code levels`"
    )]
    TooDeep {
        /// The code at the top of the too-deep branch.
        code: String,
        /// Levels needed.
        depth: i64,
        /// Levels the study has.
        levels: usize,
    },
    /// The file holds no code.
    #[error("the codebook holds no code")]
    Empty,
    /// The study refused the codebook.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What [`write_codebook`] stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenCodebook {
    /// Codes created.
    pub codes: usize,
    /// Further parents (a code under a second theme).
    pub links: usize,
}

/// Writes the codebook into the acting coder's codebook (`Book::Own`) or
/// the shared one, as one undoable action; on any error nothing is written.
pub fn write_codebook<S: CodebookEdits + Coders + ?Sized>(
    store: &mut S,
    scope: &Scope,
    book: Book,
    entries: &[CodebookEntry],
) -> Result<WrittenCodebook, CodebookError> {
    let levels = store.levels()?;
    let codes = plan(entries, &levels)?;
    let links = codes
        .iter()
        .map(|c| c.parents.len().saturating_sub(1))
        .sum();
    store.import_codes(scope, book, &codes)?;
    Ok(WrittenCodebook {
        codes: codes.len(),
        links,
    })
}

/// Returns the rank of the level a file names: the study's level name
/// (ignoring case and accents), its French or plural form for the default
/// levels, or its number (1 = lowest). `None` when none matches.
pub fn resolve_level(word: &str, levels: &[Level]) -> Option<i64> {
    let word = word.trim();
    if let Ok(n) = word.parse::<i64>() {
        return levels.iter().find(|l| l.rank == n).map(|l| l.rank);
    }
    let folded = fold(word);
    let canonical = match folded.as_str() {
        "idee" | "idees" | "ideas" => "idea",
        "sous theme" | "sous themes" | "subtheme" | "sub themes" | "subthemes" => "sub theme",
        "themes" => "theme",
        "meta theme" | "metatheme" | "meta themes" | "metathemes" => "meta theme",
        other => other,
    };
    levels
        .iter()
        .find(|l| {
            let name = fold(&l.name);
            name == folded || name == canonical
        })
        .map(|l| l.rank)
}

/// Nesting deeper than this is refused before levels are even looked at.
const MAX_NESTING: usize = 64;

/// One code while the forest is flattened.
struct Node {
    name: String,
    level: Option<String>,
    fields: CodeFields,
    guid: Option<String>,
    parents: Vec<usize>,
    children: Vec<usize>,
}

/// Returns the codes in an order where every parent comes first (the
/// file's order where the tree allows), with levels resolved or derived.
pub fn plan(
    entries: &[CodebookEntry],
    levels: &[Level],
) -> Result<Vec<ImportedCode>, CodebookError> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for entry in entries {
        flatten(entry, None, 0, &mut nodes, &mut by_name)?;
    }
    if nodes.is_empty() {
        return Err(CodebookError::Empty);
    }
    let topological = parents_first(&nodes)?;
    let top = levels.iter().map(|l| l.rank).max().unwrap_or(1);
    let level_name = |rank: i64| {
        levels
            .iter()
            .find(|l| l.rank == rank)
            .map_or_else(|| format!("level {rank}"), |l| l.name.clone())
    };
    let mut rank = vec![0i64; nodes.len()];
    // Children before parents, so a derived level sees its children's.
    for &i in topological.iter().rev() {
        let node = &nodes[i];
        rank[i] = match &node.level {
            Some(word) => {
                resolve_level(word, levels).ok_or_else(|| CodebookError::UnknownLevel {
                    code: node.name.clone(),
                    level: word.clone(),
                    levels: levels
                        .iter()
                        .map(|l| l.name.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?
            }
            None => {
                let below = node.children.iter().map(|&c| rank[c]).max().unwrap_or(0);
                if below >= top {
                    return Err(CodebookError::TooDeep {
                        code: node.name.clone(),
                        depth: below + 1,
                        levels: levels.len(),
                    });
                }
                below + 1
            }
        };
    }
    for (i, node) in nodes.iter().enumerate() {
        for &p in &node.parents {
            if rank[p] <= rank[i] {
                return Err(CodebookError::LevelOrder {
                    child: node.name.clone(),
                    child_level: level_name(rank[i]),
                    parent: nodes[p].name.clone(),
                    parent_level: level_name(rank[p]),
                });
            }
        }
    }
    // The store wants primary parents first; the order of the forest's
    // primary tree (depth first) keeps the file's order among siblings,
    // which a topological order would not.
    let order = primary_preorder(&nodes);
    let mut position = vec![0usize; nodes.len()];
    for (at, &i) in order.iter().enumerate() {
        position[i] = at;
    }
    Ok(order
        .iter()
        .map(|&i| {
            let node = &nodes[i];
            ImportedCode {
                name: node.name.clone(),
                level: rank[i],
                parents: node.parents.iter().map(|&p| position[p]).collect(),
                fields: node.fields.clone(),
                guid: node.guid.clone(),
            }
        })
        .collect())
}

/// Adds an entry and its subtree to the flat list; a name met again is the
/// same code, under one more parent.
fn flatten(
    entry: &CodebookEntry,
    parent: Option<usize>,
    depth: usize,
    nodes: &mut Vec<Node>,
    by_name: &mut HashMap<String, usize>,
) -> Result<(), CodebookError> {
    // No study has this many levels; the bound keeps a hostile file's
    // nesting from exhausting the stack.
    if depth > MAX_NESTING {
        return Err(CodebookError::TooDeep {
            code: entry.name.clone(),
            depth: depth as i64,
            levels: MAX_NESTING,
        });
    }
    let name = entry.name.split_whitespace().collect::<Vec<_>>().join(" ");
    let key = identity(entry, &name);
    let fields = fields_of(entry);
    let level = given(&entry.level);
    let index = match by_name.get(&key) {
        Some(&i) => {
            merge_node(&mut nodes[i], &name, level, fields, given(&entry.guid))?;
            i
        }
        None => {
            nodes.push(Node {
                name,
                level,
                fields,
                guid: given(&entry.guid),
                parents: Vec::new(),
                children: Vec::new(),
            });
            let i = nodes.len() - 1;
            by_name.insert(key, i);
            i
        }
    };
    if let Some(p) = parent {
        if p == index {
            return Err(CodebookError::Cycle {
                code: nodes[index].name.clone(),
            });
        }
        if !nodes[index].parents.contains(&p) {
            nodes[index].parents.push(p);
            nodes[p].children.push(index);
        }
    }
    for child in &entry.children {
        flatten(child, Some(index), depth + 1, nodes, by_name)?;
    }
    Ok(())
}

/// Returns the key that says which code an entry is: its GUID when it has
/// one, else its `name` (spaces tidied), in lower case.
fn identity(entry: &CodebookEntry, name: &str) -> String {
    // A code with a GUID (a .qdc) is that code wherever it appears, and
    // two GUIDs are two codes even under one name (names are unique among
    // siblings only); without one (a spreadsheet), a name is the code.
    match entry
        .guid
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
    {
        Some(guid) => format!("guid:{}", guid.to_lowercase()),
        None => format!("name:{}", name.to_lowercase()),
    }
}

/// Returns a field's value trimmed, or nothing when it is blank.
fn given(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Returns the fields an entry gives (blank ones left out).
fn fields_of(entry: &CodebookEntry) -> CodeFields {
    CodeFields {
        colour: given(&entry.colour),
        definition: given(&entry.definition),
        inclusion: given(&entry.inclusion),
        exclusion: given(&entry.exclusion),
        example: given(&entry.example),
    }
}

/// Merges what a code met again gives into the code met first (`name`
/// names it in a conflict); a GUID fills one not yet known.
fn merge_node(
    node: &mut Node,
    name: &str,
    level: Option<String>,
    fields: CodeFields,
    guid: Option<String>,
) -> Result<(), CodebookError> {
    merge(name, "level", &mut node.level, level)?;
    merge(name, "colour", &mut node.fields.colour, fields.colour)?;
    merge(
        name,
        "definition",
        &mut node.fields.definition,
        fields.definition,
    )?;
    merge(
        name,
        "inclusion criteria",
        &mut node.fields.inclusion,
        fields.inclusion,
    )?;
    merge(
        name,
        "exclusion criteria",
        &mut node.fields.exclusion,
        fields.exclusion,
    )?;
    merge(name, "example", &mut node.fields.example, fields.example)?;
    if node.guid.is_none() {
        node.guid = guid;
    }
    Ok(())
}

/// Keeps the first value given for a field; a different second value is a
/// conflict, a missing one agrees with anything.
fn merge(
    code: &str,
    field: &'static str,
    kept: &mut Option<String>,
    new: Option<String>,
) -> Result<(), CodebookError> {
    match (kept.as_ref(), new) {
        (_, None) => Ok(()),
        (None, Some(v)) => {
            *kept = Some(v);
            Ok(())
        }
        (Some(a), Some(b)) if same(a, &b, field) => Ok(()),
        (Some(a), Some(b)) => Err(CodebookError::Conflict {
            code: code.to_owned(),
            field,
            first: a.clone(),
            second: b,
        }),
    }
}

/// Returns true when two values of a field say the same thing: levels and
/// colours ignoring case and accents, texts ignoring runs of white space.
fn same(a: &str, b: &str, field: &str) -> bool {
    if field == "level" || field == "colour" {
        return fold(a) == fold(b);
    }
    a.split_whitespace().eq(b.split_whitespace())
}

/// Returns the node indices depth first along primary parents (a code's
/// first parent), siblings in the order they were met; iterative, so a
/// deep file cannot exhaust the stack.
fn primary_preorder(nodes: &[Node]) -> Vec<usize> {
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        match node.parents.first() {
            Some(&p) => kids[p].push(i),
            None => roots.push(i),
        }
    }
    let mut order = Vec::with_capacity(nodes.len());
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        stack.extend(kids[i].iter().rev());
    }
    order
}

/// Returns the node indices ordered so that parents come first, keeping
/// the file's order among codes that are free to go (Kahn's algorithm with
/// the smallest index first); a cycle is an error naming one of its codes.
fn parents_first(nodes: &[Node]) -> Result<Vec<usize>, CodebookError> {
    let mut waiting: Vec<usize> = nodes.iter().map(|n| n.parents.len()).collect();
    let mut ready: BinaryHeap<Reverse<usize>> = waiting
        .iter()
        .enumerate()
        .filter(|(_, w)| **w == 0)
        .map(|(i, _)| Reverse(i))
        .collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &c in &nodes[i].children {
            waiting[c] -= 1;
            if waiting[c] == 0 {
                ready.push(Reverse(c));
            }
        }
    }
    if order.len() < nodes.len() {
        let stuck = waiting.iter().position(|&w| w > 0).unwrap_or(0);
        return Err(CodebookError::Cycle {
            code: nodes[stuck].name.clone(),
        });
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels() -> Vec<Level> {
        ["idea", "sub-theme", "theme", "meta-theme"]
            .iter()
            .enumerate()
            .map(|(i, n)| Level {
                rank: i as i64 + 1,
                name: (*n).into(),
            })
            .collect()
    }

    fn entry(name: &str, children: Vec<CodebookEntry>) -> CodebookEntry {
        CodebookEntry {
            name: name.into(),
            children,
            ..CodebookEntry::default()
        }
    }

    #[test]
    fn levels_are_named_in_french_english_or_by_number() {
        let l = levels();
        assert_eq!(resolve_level("Sous-thème", &l), Some(2));
        assert_eq!(resolve_level("META THEME", &l), Some(4));
        assert_eq!(resolve_level("idée", &l), Some(1));
        assert_eq!(resolve_level("3", &l), Some(3));
        assert_eq!(resolve_level("9", &l), None);
        assert_eq!(resolve_level("catégorie", &l), None);
    }

    #[test]
    fn missing_levels_come_from_the_tree() {
        let forest = vec![entry(
            "Relation",
            vec![entry("Confiance", vec![]), entry("Méfiance", vec![])],
        )];
        let codes = plan(&forest, &levels()).unwrap();
        let got: Vec<(&str, i64, Vec<usize>)> = codes
            .iter()
            .map(|c| (c.name.as_str(), c.level, c.parents.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("Relation", 2, vec![]),
                ("Confiance", 1, vec![0]),
                ("Méfiance", 1, vec![0])
            ]
        );
    }

    #[test]
    fn a_name_met_twice_is_one_code_under_two_parents() {
        let mut shared = entry("Confiance", vec![]);
        shared.definition = Some("Se fier à l’équipe".into());
        let mut again = shared.clone();
        again.definition = Some("Se  fier à l’équipe".into());
        let forest = vec![
            entry("Relation", vec![shared]),
            entry("Institution", vec![again]),
        ];
        let codes = plan(&forest, &levels()).unwrap();
        assert_eq!(codes.len(), 3);
        let confiance = codes.iter().find(|c| c.name == "Confiance").unwrap();
        assert_eq!(confiance.parents.len(), 2);
        for &p in &confiance.parents {
            assert!(codes[p].level > confiance.level);
        }
    }

    #[test]
    fn two_guids_are_two_codes_even_under_one_name() {
        // A .qdc from QualCoder or NVivo: "Choix" under two parents, each
        // its own code (its own GUID), with different definitions.
        let mut a = entry("Choix", vec![]);
        a.guid = Some("8E1D0C6B-1C2A-4F4E-9E51-0D2C1B9A7F01".into());
        a.definition = Some("Choisir son école".into());
        let mut b = entry("Choix", vec![]);
        b.guid = Some("8E1D0C6B-1C2A-4F4E-9E51-0D2C1B9A7F02".into());
        b.definition = Some("Choisir de voter".into());
        let forest = vec![entry("Éducation", vec![a]), entry("Citoyenneté", vec![b])];
        let codes = plan(&forest, &levels()).unwrap();
        // 2 parents + 2 codes named "Choix", each under one parent.
        assert_eq!(codes.len(), 4);
        let choix: Vec<&ImportedCode> = codes.iter().filter(|c| c.name == "Choix").collect();
        assert_eq!(choix.len(), 2);
        assert!(choix.iter().all(|c| c.parents.len() == 1));
        assert_ne!(choix[0].parents, choix[1].parents);
    }

    #[test]
    fn conflicts_cycles_and_bad_levels_are_refused() {
        let mut a = entry("Confiance", vec![]);
        a.definition = Some("Se fier".into());
        let mut b = a.clone();
        b.definition = Some("Douter".into());
        let err = plan(&[entry("R", vec![a]), entry("S", vec![b])], &levels()).unwrap_err();
        assert!(
            matches!(
                err,
                CodebookError::Conflict {
                    field: "definition",
                    ..
                }
            ),
            "{err}"
        );

        let cycle = vec![
            entry("A", vec![entry("B", vec![])]),
            entry("B", vec![entry("A", vec![])]),
        ];
        assert!(matches!(
            plan(&cycle, &levels()),
            Err(CodebookError::Cycle { .. })
        ));

        let mut odd = entry("A", vec![]);
        odd.level = Some("catégorie".into());
        let err = plan(&[odd], &levels()).unwrap_err();
        assert!(
            err.to_string()
                .contains("idea, sub-theme, theme, meta-theme"),
            "{err}"
        );

        let mut low = entry("Haut", vec![entry("Bas", vec![])]);
        low.level = Some("idea".into());
        assert!(matches!(
            plan(&[low], &levels()),
            Err(CodebookError::LevelOrder { .. })
        ));

        let deep = entry(
            "1",
            vec![entry(
                "2",
                vec![entry("3", vec![entry("4", vec![entry("5", vec![])])])],
            )],
        );
        assert!(matches!(
            plan(&[deep], &levels()),
            Err(CodebookError::TooDeep { .. })
        ));
        assert!(matches!(plan(&[], &levels()), Err(CodebookError::Empty)));
    }
}
