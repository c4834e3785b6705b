//! The rules every backend applies alike, written once: what a coder's or
//! a code's name may be, which level a new code takes, which spans can be
//! coded, who may code with which code, how a quoted passage is found, who
//! speaks in a passage, and how a codebook is ordered and counted. The
//! backends fetch rows and call these, so SQLite and PostgreSQL refuse the
//! same requests with the same sentences and answer alike.

use std::collections::{BTreeSet, HashMap, HashSet};

use verbatim_core::Span;

/// De-identification's rules (names files, matching, review lines).
pub use super::deid_rules as deid;
/// How a rewrite of a source's text moves the spans anchored in it.
pub use super::splice_rules as splice;
/// What a withdrawal rewrites in the audit log's earlier entries.
pub use super::withdraw_rules as withdraw;

pub use crate::accounts::{
    account_name, check_password_hash, idle_before, invitation_expiry, keep_an_owner, new_token,
    now_secs, session_account, session_expiry, session_needs_touch, sort_accounts, token_hash,
};
pub use crate::code_names::{
    CheckedName, NameChange, attach_summary, attachable, checked_code_name, code_names_action,
    primary_language, sees_coding_of,
};
pub use crate::journal::{SealedRow, entry_edit, seal_mismatch, unsealed as unsealed_entry};
pub use crate::logins::login_name;
pub use crate::media::{
    Probed, already_recorded, copy_hashing, detach_summary as media_detach_summary,
    make_private_dir, nothing_to_detach, probe as probe_recording,
};
pub use crate::memos::{
    MemoEdit, check_target as check_memo_target, clean_body as memo_body,
    clean_title as memo_title, memo_edit, own_memo, target_label as memo_target_label,
};
pub use crate::participants::{
    ParticipantRow, attribute_columns, attribute_from_row, attribute_name_free, auto_mapped,
    checked_values, clean as person_text, clean_code as participant_code, consent_fields,
    find_participant_in, one_word as short_code, participant_listing,
};
pub use crate::pseudonyms::{
    CodePlanInput, assign_summary, plan_codes, scheme_change, scheme_summary,
};
pub use crate::report_reads::period_coder;
pub use crate::roster::{RosterPlan, RosterRow, plan_roster};
pub use crate::roster_edits::{
    ValueMerge, find_attribute, merge_hits, merge_outcome, plan_value_merge,
};
pub use crate::source_ops::new_speaker_label;
pub use crate::speakers::{
    ExplicitMappings, SpeakerMapper, find_label_in, mappings_summary, unknown_speaker,
};
pub use crate::transcribe::{CheckedTurn, LastTurn, PlacedTurn, check_turn, place_turn};

use crate::{Book, CodeFields, CodeNode, Coder, CodingFilter, Level, Located, Scope, StoreError};

pub use super::codebook_rules::*;
pub use super::consensus_rules::*;
pub use super::guide_rules::{
    GuidePlan, NewGuide, autocode, guide_add_summary, guide_use_summary, guide_version_number,
    new_guide, parse_guide, questions_from_rows, stored_questions, unknown_guide,
};
pub use super::source_rules::{
    RedetectPlan, StoredTurn, done_action, plan_redetect, solo_refused, stored_turn,
};
pub use crate::code_import::{checked_import, import_owner, producer_guid, taken_roots};
pub use crate::withdraw::{
    known_labels, shown as withdrawn_name, shrunk_codings, source_withdrawal, withdraw_payload,
    withdrawal_redactor, withdrawn_splices,
};

/// Default colours given to coders in order, readable on white.
const PALETTE: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
];

/// Returns the new coder's name, trimmed; refuses an empty name and the
/// consensus layer's (`consensus`, the study's consensus row's name).
pub fn coder_name(name: &str, consensus: &Coder) -> Result<String, StoreError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("a coder needs a name".into()));
    }
    storable(name, "the coder name")?;
    if consensus.name.eq_ignore_ascii_case(name) || name.eq_ignore_ascii_case(crate::CONSENSUS_NAME)
    {
        return Err(StoreError::Invalid(format!(
            "{name:?} names the team's consensus layer; choose another coder name"
        )));
    }
    Ok(name.to_owned())
}

/// The refusal for a coder name already taken.
pub fn coder_name_taken(name: &str) -> StoreError {
    StoreError::Invalid(format!("there is already a coder named {name:?}"))
}

/// Returns the initials given (trimmed), or the first letters of the name;
/// refuses given initials no study can store.
pub fn initials(given: Option<&str>, name: &str) -> Result<String, StoreError> {
    if let Some(given) = given {
        storable(given, "the coder's initials")?;
        return Ok(given.trim().to_owned());
    }
    let letters: String = name
        .split(|c: char| c.is_whitespace() || c == '-' || c == '.')
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    Ok(if letters.is_empty() {
        name.chars().take(2).collect()
    } else {
        letters
    })
}

/// Returns the colour given (checked), or the palette's next one after
/// `coders` coders.
pub fn coder_colour(given: Option<&str>, coders: i64) -> Result<String, StoreError> {
    match given {
        Some(c) => parse_colour(c),
        None => Ok(PALETTE[usize::try_from(coders).unwrap_or(0) % PALETTE.len()].to_owned()),
    }
}

/// Returns `#rrggbb` in lower case, or an error for anything else.
pub fn parse_colour(colour: &str) -> Result<String, StoreError> {
    let c = colour.trim().to_lowercase();
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    if ok {
        Ok(c)
    } else {
        Err(StoreError::Invalid(format!(
            "colour {colour:?} is not of the form #rrggbb"
        )))
    }
}

/// Returns a code's name with white space runs made one space; refuses an
/// empty name and one over 200 characters.
pub fn code_name(name: &str) -> Result<String, StoreError> {
    storable(name, "the code name")?;
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(StoreError::Invalid("a code needs a name".into()));
    }
    if name.chars().count() > 200 {
        return Err(StoreError::Invalid(
            "a code name is limited to 200 characters".into(),
        ));
    }
    Ok(name)
}

/// The refusal for a code name already taken in its codebook.
pub fn code_name_taken(name: &str) -> StoreError {
    StoreError::Invalid(format!("the codebook already has a code named {name:?}"))
}

/// Returns the fields with the colour checked; refuses a text no study can
/// store.
pub fn code_fields(fields: &CodeFields) -> Result<CodeFields, StoreError> {
    storable_fields(fields)?;
    let mut out = fields.clone();
    if let Some(c) = &fields.colour
        && !c.is_empty()
    {
        out.colour = Some(parse_colour(c)?);
    }
    Ok(out)
}

/// Refuses a code's fields when one holds a text no study can store.
pub fn storable_fields(fields: &CodeFields) -> Result<(), StoreError> {
    for (text, what) in [
        (&fields.definition, "the code's definition"),
        (&fields.inclusion, "the code's inclusion criteria"),
        (&fields.exclusion, "the code's exclusion criteria"),
        (&fields.example, "the code's example"),
        (&fields.colour, "the code's colour"),
    ] {
        if let Some(text) = text {
            storable(text, what)?;
        }
    }
    Ok(())
}

/// Returns the codebook (`codes.owner`) a new code without a parent goes
/// in: the scope's own or the shared one.
pub fn new_code_owner(scope: &Scope, book: Option<Book>) -> Result<Option<i64>, StoreError> {
    match book.unwrap_or(Book::Own) {
        Book::Own => Ok(scope.own_book()),
        Book::Shared => Ok(None),
        Book::Of(c) if c == scope.coder().id => Ok(Some(c)),
        Book::Of(_) => Err(StoreError::Invalid(
            "codes can only be added to your own codebook or the shared one".into(),
        )),
    }
}

/// Checks that the scope may change a code owned by `owner` (its own
/// codebook or the shared one); a code it may not see is unknown.
pub fn writable(scope: &Scope, id: i64, name: &str, owner: Option<i64>) -> Result<(), StoreError> {
    if owner.is_some() && owner != Some(scope.coder().id) {
        return Err(if scope.may_see(owner) {
            StoreError::Invalid(format!(
                "code {name:?} belongs to another coder's codebook: copy it to yours first"
            ))
        } else {
            StoreError::UnknownCode(id.to_string())
        });
    }
    Ok(())
}

/// Returns a new code's level rank: the one asked, else one below its
/// parent's (`parent_level`), else the lowest; refuses a level at or above
/// the parent's.
pub fn child_level(
    levels: &[Level],
    parent_level: Option<i64>,
    asked: Option<&str>,
) -> Result<i64, StoreError> {
    let level = match asked {
        Some(level) => level_rank(levels, level)?,
        None => parent_level.map_or(1, |l| (l - 1).max(1)),
    };
    if let Some(pl) = parent_level
        && level >= pl
    {
        return Err(StoreError::Invalid(format!(
            "a {} cannot sit under a code of the same or a lower level",
            level_name(levels, level)
        )));
    }
    Ok(level)
}

/// Returns the rank of the level named `name` (ignoring case).
pub fn level_rank(levels: &[Level], name: &str) -> Result<i64, StoreError> {
    let wanted = name.trim().to_lowercase();
    levels
        .iter()
        .find(|l| l.name.to_lowercase() == wanted)
        .map(|l| l.rank)
        .ok_or_else(|| {
            let names: Vec<&str> = levels.iter().map(|l| l.name.as_str()).collect();
            StoreError::Invalid(format!(
                "no level {name:?}: the study's levels are {}",
                names.join(", ")
            ))
        })
}

/// Returns the name of level `rank`, or `level N` when it has none.
pub fn level_name(levels: &[Level], rank: i64) -> String {
    levels
        .iter()
        .find(|l| l.rank == rank)
        .map(|l| l.name.clone())
        .unwrap_or_else(|| format!("level {rank}"))
}

/// Returns the codebooks (`codes.owner`) a code name is looked up in, in
/// order: `book` when given, else the coder's and the shared one (the
/// consensus layer's own is the shared one); books the scope may not see
/// are left out.
pub fn lookup_books(scope: &Scope, book: Option<Book>) -> Vec<Option<i64>> {
    let books = match book {
        Some(b) => vec![b.owner(scope)],
        None if scope.is_consensus() => vec![None],
        None => vec![Some(scope.coder().id), None],
    };
    books.into_iter().filter(|o| scope.may_see(*o)).collect()
}

/// Returns the one code a name found (`found`: the ids it names in the
/// books looked up, in order); refuses none, and a name in two books.
pub fn one_code(word: &str, found: &[i64]) -> Result<i64, StoreError> {
    match found {
        [] => Err(StoreError::UnknownCode(word.to_owned())),
        [id] => Ok(*id),
        [mine, shared, ..] => Err(StoreError::Invalid(format!(
            "{word:?} names two codes: {mine} in your codebook and {shared} in the shared \
             codebook; give the id of the one you mean"
        ))),
    }
}

/// Checks a passage to code against its source's length in chars.
pub fn coding_span(span: Span, chars: i64) -> Result<(), StoreError> {
    span.within(usize::try_from(chars).unwrap_or(0))
        .map_err(|e| StoreError::Invalid(format!("{e}: the source has {chars} characters")))?;
    if span.is_empty() {
        return Err(StoreError::Invalid(
            "an empty passage cannot be coded".into(),
        ));
    }
    Ok(())
}

/// Checks that the scope may code with code `code`, owned by `owner`
/// (`None` when no such code exists): a code it sees, in its own codebook
/// or the shared one.
pub fn may_code_with(
    scope: &Scope,
    code: i64,
    owner: Option<Option<i64>>,
) -> Result<(), StoreError> {
    let owner = owner
        .filter(|o| scope.may_see(*o))
        .ok_or_else(|| StoreError::UnknownCode(code.to_string()))?;
    if owner.is_some() && owner != scope.own_book() {
        return Err(StoreError::Invalid(
            "you can only code with codes of your own codebook or the shared one".into(),
        ));
    }
    Ok(())
}

/// The audit action of many codings written at once (auto-coding).
pub const CODING_BATCH: &str = "coding.add_many";

/// One coding of a batch: `(source, code, start, end)`, the passage's key.
pub type BatchKey = (i64, i64, i64, i64);

/// Returns the batch's items as coding keys in the order given, each once.
pub fn batch_keys(items: &[(i64, Span, i64)]) -> Vec<BatchKey> {
    let mut seen = HashSet::new();
    items
        .iter()
        .map(|&(source, span, code)| (source, code, span.start() as i64, span.end() as i64))
        .filter(|key| seen.insert(*key))
        .collect()
}

/// Returns the summary a batch's audit entry keeps: how many codings, in
/// how many sources, with which codes (ascending).
pub fn batch_summary(written: &[BatchKey]) -> serde_json::Value {
    let sources: HashSet<i64> = written.iter().map(|k| k.0).collect();
    let codes: BTreeSet<i64> = written.iter().map(|k| k.1).collect();
    serde_json::json!({
        "codings": written.len(),
        "sources": sources.len(),
        "codes": codes.into_iter().collect::<Vec<_>>(),
    })
}

/// Checks that the scope may remove coding `id`, whose coder is `coder`
/// (`None`: no such coding).
pub fn own_coding(scope: &Scope, id: i64, coder: Option<i64>) -> Result<(), StoreError> {
    match coder {
        Some(c) if c == scope.coder().id => Ok(()),
        Some(_) if scope.sees_all() => Err(StoreError::Invalid(format!(
            "coding {id} belongs to another coder: only its coder can change it"
        ))),
        _ => Err(StoreError::Invalid(format!("no coding {id} among yours"))),
    }
}

/// Returns true when the scope sees a coding of `coder` with a code of
/// codebook `owner`: another coder's codings stay hidden until the layers
/// are open, even on shared codes (the reader's and the tables' rule).
pub fn sees_coding(scope: &Scope, coder: i64, owner: Option<i64>) -> bool {
    scope.may_see(owner) && (scope.sees_all() || coder == scope.coder().id)
}

/// Returns the coder whose codings a listing keeps (`None`: every layer the
/// scope sees); refuses another coder's before the layers are open.
pub fn listed_coder(scope: &Scope, filter: &CodingFilter) -> Result<Option<i64>, StoreError> {
    if let Some(coder) = filter.coder
        && coder != scope.coder().id
        && !scope.sees_all()
    {
        return Err(StoreError::Blind);
    }
    Ok(match filter.coder {
        Some(c) => Some(c),
        None if scope.sees_all() => None,
        None => Some(scope.coder().id),
    })
}

/// Returns the span of the `occurrence`-th (1-based) place where `quote`
/// occurs in `text`; without `occurrence`, the quote must occur once.
pub fn locate(text: &str, quote: &str, occurrence: Option<usize>) -> Result<Located, StoreError> {
    if quote.is_empty() {
        return Err(StoreError::Invalid("the quoted passage is empty".into()));
    }
    let hits: Vec<usize> = text.match_indices(quote).map(|(b, _)| b).collect();
    let pick = match (hits.len(), occurrence) {
        (0, _) => {
            return Err(StoreError::Invalid(format!(
                "the passage {:?} does not occur in this source: copy it exactly, or give --start and --end",
                shorten(quote)
            )));
        }
        (1, None) => 0,
        (n, None) => {
            return Err(StoreError::Invalid(format!(
                "the passage {:?} occurs {n} times in this source: add --occurrence N (1 to {n}) or quote more",
                shorten(quote)
            )));
        }
        (n, Some(k)) if k == 0 || k > n => {
            return Err(StoreError::Invalid(format!(
                "--occurrence {k} is out of range: the passage occurs {n} times"
            )));
        }
        (_, Some(k)) => k - 1,
    };
    let byte = hits[pick];
    let start = text[..byte].chars().count();
    let span = Span::new(start, start + quote.chars().count())
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok(Located {
        span,
        occurrences: hits.len(),
    })
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= 60 {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(59).collect::<String>())
    }
}

/// Returns the labels of the turns `(speaker, start, end)` that overlap
/// `[start, end)`, each once, in turn order.
pub fn speakers_over(turns: &[(String, i64, i64)], start: i64, end: i64) -> Vec<String> {
    let mut speakers: Vec<String> = Vec::new();
    for (who, s, e) in turns {
        if *s < end && start < *e && !speakers.contains(who) {
            speakers.push(who.clone());
        }
    }
    speakers
}

/// Fills a codebook's counts and returns it in display order.
///
/// `nodes` are the book's codes (counts zero, `also_under` empty), `links`
/// its further-parent links `(child, parent)`, `counts` the codings per
/// `(code, source, n)` in the layers the scope sees. A code's totals roll
/// up through primary parents and links, a code reached twice counting
/// once; the order is depth first along primary parents, roots highest
/// level first, siblings by position then id.
pub fn arrange_tree(
    mut nodes: Vec<CodeNode>,
    links: &[(i64, i64)],
    counts: &[(i64, i64, i64)],
) -> Vec<CodeNode> {
    let index: HashMap<i64, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for n in &nodes {
        if let Some(p) = n.parent {
            children.entry(p).or_default().push(n.id);
        }
    }
    for &(child, parent) in links {
        if let Some(&i) = index.get(&child) {
            nodes[i].also_under.push(parent);
        }
        children.entry(parent).or_default().push(child);
    }
    let mut per_code: HashMap<i64, (i64, BTreeSet<i64>)> = HashMap::new();
    for &(code, source, n) in counts {
        let entry = per_code.entry(code).or_default();
        entry.0 += n;
        entry.1.insert(source);
    }
    for node in &mut nodes {
        if let Some((count, sources)) = per_code.get(&node.id) {
            node.codings = *count;
            node.sources = sources.len() as i64;
        }
        let mut seen = HashSet::new();
        let mut stack = vec![node.id];
        let mut total = 0;
        let mut sources = BTreeSet::new();
        while let Some(c) = stack.pop() {
            if !seen.insert(c) {
                continue;
            }
            if let Some((count, s)) = per_code.get(&c) {
                total += count;
                sources.extend(s.iter().copied());
            }
            stack.extend(children.get(&c).into_iter().flatten().copied());
        }
        node.codings_total = total;
        node.sources_total = sources.len() as i64;
    }
    tree_order(nodes, &index)
}

/// Returns the nodes depth first along primary parents.
fn tree_order(nodes: Vec<CodeNode>, index: &HashMap<i64, usize>) -> Vec<CodeNode> {
    let mut roots: Vec<usize> = (0..nodes.len())
        .filter(|&i| nodes[i].parent.is_none_or(|p| !index.contains_key(&p)))
        .collect();
    roots.sort_by_key(|&i| (-(nodes[i].level), nodes[i].position, nodes[i].id));
    let mut kids: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if let Some(p) = n.parent {
            kids.entry(p).or_default().push(i);
        }
    }
    for list in kids.values_mut() {
        list.sort_by_key(|&k| (nodes[k].position, nodes[k].id));
    }
    let mut ordered = Vec::with_capacity(nodes.len());
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        ordered.push(i);
        if let Some(mine) = kids.get(&nodes[i].id) {
            stack.extend(mine.iter().rev().copied());
        }
    }
    let mut slots: Vec<Option<CodeNode>> = nodes.into_iter().map(Some).collect();
    ordered
        .into_iter()
        .filter_map(|i| slots[i].take())
        .collect()
}

/// One audit entry of an actor, as undo and redo read the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// The entry's id (UUIDv7 text, in log order).
    pub id: String,
    /// What it was (`coding.add`, `history.undo`, `journal.seal`…).
    pub action: String,
    /// What it targeted (`audit:ID` for undo and redo).
    pub target: Option<String>,
    /// Whether it carries the rows it changed.
    pub undoable: bool,
}

/// Returns an actor's undo and redo stacks (entry ids, oldest first) from
/// their undoable entries and journal seals, in log order: their actions,
/// minus those undone (an `history.undo` names the entry it undid), plus
/// those redone; a new action clears what could be redone, and a sealed
/// journal entry takes the actions that wrote it off both stacks.
pub fn undo_stacks(entries: &[Logged]) -> (Vec<String>, Vec<String>) {
    let (mut done, mut undone): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let replayed = |e: &Logged| {
        e.target
            .as_deref()
            .and_then(|t| t.strip_prefix("audit:"))
            .map(str::to_owned)
    };
    for entry in entries {
        match entry.action.as_str() {
            "history.undo" => {
                if let Some(t) = replayed(entry) {
                    done.retain(|d| d != &t);
                    undone.push(t);
                }
            }
            "history.redo" => {
                if let Some(t) = replayed(entry) {
                    undone.retain(|u| u != &t);
                    done.push(t);
                }
            }
            // A sealed entry can never change again: the actions that
            // wrote it leave the undo stack (the rest of it stays).
            "journal.seal" => {
                let touching: Vec<&str> = entries
                    .iter()
                    .filter(|e| e.undoable && e.target.is_some() && e.target == entry.target)
                    .map(|e| e.id.as_str())
                    .collect();
                done.retain(|d| !touching.contains(&d.as_str()));
                undone.retain(|u| !touching.contains(&u.as_str()));
            }
            _ if entry.undoable => {
                done.push(entry.id.clone());
                undone.clear();
            }
            _ => {}
        }
    }
    (done, undone)
}

/// The refusal when an actor has nothing left to undo (`undo`) or redo.
pub fn nothing_to(undo: bool, actor: &str) -> StoreError {
    StoreError::History(if undo {
        format!("nothing to undo for {actor}")
    } else {
        format!("nothing to redo for {actor}")
    })
}

/// Why a replay stops: a row the action touched is no longer as it left it.
pub fn row_changed(table: &str, key: &serde_json::Map<String, serde_json::Value>) -> String {
    let key = key
        .values()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("/");
    format!("{table} row {key} has changed since")
}

/// The refusal to undo (`undo`) or redo `action`, saying `why`.
pub fn replay_refused(undo: bool, action: &str, why: &str) -> StoreError {
    StoreError::History(format!(
        "cannot {} {action}: {why}; undo the later changes first",
        if undo { "undo" } else { "redo" }
    ))
}

/// Returns a journal entry's title or text (`what`) trimmed and in NFC;
/// refuses it empty.
pub fn journal_text(text: &str, what: &str) -> Result<String, StoreError> {
    use unicode_normalization::UnicodeNormalization;
    let text: String = text.trim().nfc().collect();
    if text.is_empty() {
        return Err(StoreError::Invalid(format!(
            "the journal entry's {what} is empty"
        )));
    }
    storable(&text, &format!("the journal entry's {what}"))?;
    Ok(text)
}

/// Refuses `text` (`what`: "the code name"…) when it holds a character no
/// study can store (`verbatim_core::storable`), before anything is written,
/// so that SQLite and PostgreSQL refuse it alike.
pub fn storable(text: &str, what: &str) -> Result<(), StoreError> {
    if verbatim_core::storable::holds_nul(text) {
        return Err(StoreError::Invalid(verbatim_core::storable::nul_refusal(
            what,
        )));
    }
    Ok(())
}

/// Refuses a coding's memo (`None`: no memo) no study can store.
pub fn coding_memo(memo: Option<&str>) -> Result<(), StoreError> {
    memo.map_or(Ok(()), |m| storable(m, "the coding's memo"))
}

/// Refuses a batch of sources to import when a name or site holds a text
/// no study can store, before any is written.
pub fn import_items(items: &[crate::ImportItem]) -> Result<(), StoreError> {
    for item in items {
        storable(&item.name, "the source's name")?;
        if let Some(site) = &item.site {
            storable(site, "the source's site")?;
        }
    }
    Ok(())
}

/// Refuses a new study's settings no study can store, before the study
/// is created.
pub fn study_settings(settings: &crate::StudySettings) -> Result<(), StoreError> {
    storable(&settings.title, "the study's title")
}

/// Checks that journal entry `id`, written by `author` (`None`: no such
/// entry), is the scope's coder's own: a colleague's entry the scope sees
/// and an entry it does not see are refused with different sentences.
pub fn own_entry(scope: &Scope, id: i64, author: Option<i64>) -> Result<(), StoreError> {
    match author {
        Some(coder) if coder == scope.coder().id => Ok(()),
        Some(coder) if scope.may_see(Some(coder)) => Err(StoreError::Invalid(format!(
            "journal entry {id} belongs to another coder: only its author can change it"
        ))),
        _ => Err(StoreError::Invalid(format!(
            "no journal entry {id} among yours: list them with `verbatim journal list`"
        ))),
    }
}

/// Checks that journal entry `id` of this `kind` may be sealed: a
/// preconception not sealed yet.
pub fn sealable(id: i64, kind: &str, sealed_at: Option<&str>) -> Result<(), StoreError> {
    if kind != crate::EntryKind::Preconception.as_str() {
        return Err(StoreError::Invalid(format!(
            "journal entry {id} is a {kind}: only preconceptions are sealed"
        )));
    }
    if let Some(at) = sealed_at {
        return Err(StoreError::Invalid(format!(
            "journal entry {id} was already sealed on {at}"
        )));
    }
    Ok(())
}
