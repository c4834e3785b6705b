//! The rules of changing a codebook and a coding, written once for every
//! backend: where a code may move, which level it may take, when two
//! codes may merge, what a split and a deletion need first, and who may
//! change a coding's span or translation. The backends read the rows and
//! call these, so SQLite and PostgreSQL refuse the same edits with the
//! same sentences (re-exported by [`super::rules`]).

use verbatim_core::Span;

use crate::{Book, Cascade, CodeFields, Level, Scope, StoreError, UNCATEGORISED};

/// A code as the codebook edits check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAt {
    /// The coder whose codebook holds it, `None` for the shared one.
    pub owner: Option<i64>,
    /// Its name.
    pub name: String,
    /// Its level's rank.
    pub level: i64,
    /// Its primary parent.
    pub parent: Option<i64>,
}

/// Returns the `codes` columns a description sets: the fields given, each
/// with its text, or `None` (NULL) for an empty one, which clears it.
pub fn described_columns(fields: &CodeFields) -> Vec<(&'static str, Option<String>)> {
    [
        ("colour", &fields.colour),
        ("definition", &fields.definition),
        ("inclusion", &fields.inclusion),
        ("exclusion", &fields.exclusion),
        ("example", &fields.example),
    ]
    .into_iter()
    .filter_map(|(col, v)| {
        v.as_ref()
            .map(|v| (col, Some(v.clone()).filter(|v| !v.is_empty())))
    })
    .collect()
}

/// The refusal for a name a sibling already holds; `parent_path` is the
/// parent's path (`None`: the code is at the top).
pub fn sibling_name_taken(name: &str, parent_path: Option<&str>) -> StoreError {
    let place = match parent_path {
        Some(path) => format!("under {path:?}"),
        None => "at the top of the codebook".to_owned(),
    };
    StoreError::Invalid(format!(
        "the codebook already has a code named {name:?} {place}: choose another name, or another parent"
    ))
}

/// Checks that code `id` may sit under code `parent_id` as its primary
/// parent: the same codebook, no cycle (`below`: the codes below `id`,
/// through primary parents and links), and a parent of a higher level.
pub fn may_move_under(
    levels: &[Level],
    (id, code): (i64, &CodeAt),
    (parent_id, parent): (i64, &CodeAt),
    below: &[i64],
) -> Result<(), StoreError> {
    if parent.owner != code.owner {
        return Err(StoreError::Invalid(
            "a code can only move within its own codebook".into(),
        ));
    }
    no_cycle(id, parent_id, below)?;
    if code.level >= parent.level {
        return Err(StoreError::Invalid(format!(
            "{:?} ({}) cannot sit under {:?} ({}): a parent must be of a higher level",
            code.name,
            super::rules::level_name(levels, code.level),
            parent.name,
            super::rules::level_name(levels, parent.level)
        )));
    }
    Ok(())
}

/// Checks that putting `id` under `parent` closes no cycle, given the
/// codes below `id` (`below`: through primary parents and links).
pub fn no_cycle(id: i64, parent: i64, below: &[i64]) -> Result<(), StoreError> {
    if id == parent || below.contains(&parent) {
        return Err(StoreError::Invalid(
            "that move would put a code under itself (a cycle); choose another parent".into(),
        ));
    }
    Ok(())
}

/// Returns the place a moved code takes among its `siblings` new
/// siblings: the position asked (from 0, at most the end), else the end.
pub fn move_position(siblings: usize, position: Option<i64>) -> usize {
    position.map_or(siblings, |p| usize::try_from(p).unwrap_or(0).min(siblings))
}

/// Checks that a code may take level `rank` between its parents' levels
/// (`parents`: its primary and further parents') and its children's.
pub fn level_fits(rank: i64, parents: &[i64], children: &[i64]) -> Result<(), StoreError> {
    if parents.iter().any(|&p| rank >= p) || children.iter().any(|&c| rank <= c) {
        return Err(StoreError::Invalid(
            "that level would put the code at or above a parent, or at or below a child".into(),
        ));
    }
    Ok(())
}

/// The refusal when a child moved by a merge or a deletion would meet a
/// sibling of its name (both given by their paths).
pub fn children_clash(child_path: &str, other_path: &str) -> StoreError {
    StoreError::Invalid(format!(
        "{child_path:?} would then sit beside {other_path:?}, another code of the same name: rename one of them first"
    ))
}

/// Checks that `from` may merge into `into`: two codes of one codebook,
/// `into` not below `from` (`into_below`).
pub fn may_merge(
    from: i64,
    into: i64,
    src: &CodeAt,
    dst: &CodeAt,
    into_below: bool,
) -> Result<(), StoreError> {
    if from == into {
        return Err(StoreError::Invalid(
            "a code cannot be merged into itself".into(),
        ));
    }
    if src.owner != dst.owner {
        return Err(StoreError::Invalid(
            "both codes must be in the same codebook".into(),
        ));
    }
    if into_below {
        return Err(StoreError::Invalid(format!(
            "{:?} sits below {:?}: move it out before merging",
            dst.name, src.name
        )));
    }
    Ok(())
}

/// Checks that coding `coding`, whose code is `code_of` (`None`: no such
/// coding), may leave code `id` named `name` in a split.
pub fn splittable(
    coding: i64,
    code_of: Option<i64>,
    id: i64,
    name: &str,
) -> Result<(), StoreError> {
    if code_of != Some(id) {
        return Err(StoreError::Invalid(format!(
            "coding {coding} is not coded with {name:?}"
        )));
    }
    Ok(())
}

/// Checks that code `name`, with `count` codings, may be deleted with this
/// cascade: codings need one, and "Uncategorised" cannot take its own.
pub fn deletable(name: &str, count: i64, cascade: Option<Cascade>) -> Result<(), StoreError> {
    if count > 0 && cascade.is_none() {
        return Err(StoreError::Invalid(format!(
            "{name:?} still has {count} codings: pass --cascade uncategorised to move them, or --cascade delete to delete them"
        )));
    }
    if name == UNCATEGORISED && cascade == Some(Cascade::Uncategorised) {
        return Err(StoreError::Invalid(format!(
            "{UNCATEGORISED:?} cannot take its own codings: use --cascade delete"
        )));
    }
    Ok(())
}

/// The position of a new "Uncategorised" code: after every other top code.
pub const UNCATEGORISED_POSITION: i64 = i64::MAX / 2;

/// The audit action of marking (`quote`) or unmarking a coding as a quote.
pub fn quote_action(quote: bool) -> &'static str {
    if quote {
        "coding.quote"
    } else {
        "coding.unquote"
    }
}

/// Checks a coding's new span: coding `id`'s coder is `coder` (`None`: no
/// such coding) and must be the scope's, and the span must fit its
/// source's `chars` (a passage another coding holds is [`span_taken`]).
pub fn new_span(
    scope: &Scope,
    id: i64,
    coder: Option<i64>,
    span: Span,
    chars: i64,
) -> Result<(), StoreError> {
    if coder != Some(scope.coder().id) {
        return Err(not_yours(id));
    }
    super::rules::coding_span(span, chars)
}

/// The refusal for a coding that is not among the scope's own.
pub fn not_yours(id: i64) -> StoreError {
    StoreError::Invalid(format!("no coding {id} among yours"))
}

/// The refusal for a span that another coding with the same code and
/// coder holds already.
pub fn span_taken() -> StoreError {
    StoreError::Invalid(
        "this passage is already coded with this code: remove one of the two codings instead"
            .into(),
    )
}

/// Checks a translation's text: refuses it empty.
pub fn translation_text(text: &str) -> Result<(), StoreError> {
    if text.trim().is_empty() {
        return Err(StoreError::Invalid("the translation is empty".into()));
    }
    super::rules::storable(text, "the translation")
}

/// Whether the scope sees a coding by `coder` with a code owned by
/// `owner` in the reader: a codebook it may see, and its own layer unless
/// it sees every layer.
pub fn reader_sees(scope: &Scope, coder: i64, owner: Option<i64>) -> bool {
    scope.may_see(owner) && (scope.sees_all() || coder == scope.coder().id)
}

/// Checks that code `id` (`row`) may also sit under `parent` (`prow`, both
/// writable by the scope): same codebook, not already there, no cycle
/// (`below`: the codes under `id`), a parent of a higher level.
pub fn may_link(
    (id, row): (i64, &CodeAt),
    (parent, prow): (i64, &CodeAt),
    below: &[i64],
) -> Result<(), StoreError> {
    if prow.owner != row.owner {
        return Err(StoreError::Invalid(
            "both codes must be in the same codebook".into(),
        ));
    }
    if row.parent == Some(parent) {
        return Err(already_linked(&row.name, &prow.name));
    }
    no_cycle(id, parent, below)?;
    if row.level >= prow.level {
        return Err(StoreError::Invalid(format!(
            "{:?} cannot sit under {:?}: a parent must be of a higher level",
            row.name, prow.name
        )));
    }
    Ok(())
}

/// The refusal for a link a code already has.
pub fn already_linked(name: &str, parent: &str) -> StoreError {
    StoreError::Invalid(format!("{name:?} is already under {parent:?}"))
}

/// Returns the study's new level names (lowest first, trimmed, empty ones
/// dropped), refused when none is left or when codes exist at a level
/// (`max_used`, the highest in use) that would disappear.
pub fn level_names(names: &[String], max_used: Option<i64>) -> Result<Vec<String>, StoreError> {
    for name in names {
        super::rules::storable(name, "a level name")?;
    }
    let names: Vec<String> = names
        .iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Err(StoreError::Invalid("give at least one level name".into()));
    }
    if let Some(used) = max_used
        && used > names.len() as i64
    {
        return Err(StoreError::Invalid(format!(
            "codes exist at level {used}; give at least {used} level names"
        )));
    }
    Ok(names)
}

/// Returns the source and target codebooks (`codes.owner`) of a codebook
/// copy: a source the scope sees, a target of its own or the shared one,
/// never the same.
pub fn copy_books(
    scope: &Scope,
    from: Book,
    to: Book,
) -> Result<(Option<i64>, Option<i64>), StoreError> {
    let from_owner = from.owner(scope);
    if !scope.may_see(from_owner) {
        return Err(StoreError::Blind);
    }
    let to_owner = super::rules::new_code_owner(scope, Some(to))?;
    if from_owner == to_owner {
        return Err(StoreError::Invalid(
            "the source and target codebooks are the same".into(),
        ));
    }
    Ok((from_owner, to_owner))
}

/// Refuses a codebook copy whose top-level codes meet top-level codes of
/// the target (`clashes`, their names).
pub fn copy_clashes(clashes: &[String]) -> Result<(), StoreError> {
    if clashes.is_empty() {
        return Ok(());
    }
    Err(StoreError::Invalid(format!(
        "the target codebook already has codes named {}: rename them first",
        clashes.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(owner: Option<i64>, level: i64) -> CodeAt {
        CodeAt {
            owner,
            name: format!("c{level}"),
            level,
            parent: None,
        }
    }

    #[test]
    fn a_move_keeps_the_book_and_the_levels() {
        let levels = [
            Level {
                rank: 1,
                name: "idea".into(),
            },
            Level {
                rank: 2,
                name: "theme".into(),
            },
        ];
        let (idea, theme) = (at(Some(2), 1), at(Some(2), 2));
        assert!(may_move_under(&levels, (1, &idea), (2, &theme), &[]).is_ok());
        let other_book = may_move_under(&levels, (1, &idea), (2, &at(None, 2)), &[]);
        assert!(format!("{other_book:?}").contains("its own codebook"));
        let flat = may_move_under(&levels, (2, &theme), (3, &theme), &[]);
        assert_eq!(
            flat.map_err(|e| e.to_string()),
            Err("\"c2\" (theme) cannot sit under \"c2\" (theme): a parent must be of a higher level".to_owned())
        );
        let under_own_child = may_move_under(&levels, (1, &idea), (2, &theme), &[2]);
        assert!(format!("{under_own_child:?}").contains("cycle"));
        assert!(no_cycle(3, 3, &[]).is_err());
        assert!(no_cycle(3, 5, &[4, 5]).is_err());
        assert!(no_cycle(3, 6, &[4, 5]).is_ok());
    }

    #[test]
    fn positions_levels_and_deletions_follow_the_rules() {
        // Three siblings: 0..=3 are places; past the end goes last.
        assert_eq!(move_position(3, None), 3);
        assert_eq!(move_position(3, Some(1)), 1);
        assert_eq!(move_position(3, Some(9)), 3);
        assert_eq!(move_position(3, Some(-2)), 0);
        assert!(level_fits(2, &[3], &[1]).is_ok());
        assert!(level_fits(3, &[3], &[1]).is_err());
        assert!(level_fits(1, &[3], &[1]).is_err());
        assert!(deletable("x", 0, None).is_ok());
        assert!(format!("{:?}", deletable("x", 2, None)).contains("still has 2 codings"));
        assert!(deletable(UNCATEGORISED, 2, Some(Cascade::Uncategorised)).is_err());
        assert!(deletable(UNCATEGORISED, 2, Some(Cascade::Delete)).is_ok());
    }
}
