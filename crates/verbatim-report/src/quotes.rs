//! The quotes a report shows.
//!
//! A results section illustrates each theme with a few of the participants'
//! own words. Coders mark the passages they want (`verbatim coding quote`);
//! a code with none marked still gets its best candidates, so a draft report
//! is never empty. [`select`] decides, for every code of one codebook (a
//! coder's layer or the shared one), which codings are shown, and gathers
//! what a reader needs beside the words: the participant codes they are
//! attributed to (`CHFG-C`, through the speaker mapping), the source, its
//! language, the translations already attached, and the sentence before
//! and after (for translators, who need context to render tone).
//!
//! Selection rules, in order:
//!
//! 1. a code's candidates are the passages coded with it or, when
//!    [`QuoteOptions::roll_up`] is on, with any code below it in the DAG;
//!    the same passage coded twice counts once; context-only sources are
//!    left out;
//! 2. if any candidate is marked as a quote, every marked one is shown
//!    ([`Choice::Marked`]);
//! 3. otherwise up to [`QuoteOptions::fallback`] are chosen
//!    ([`Choice::Best`]): passages spoken by a single participant first,
//!    then the longest (length counts up to [`GOOD_LENGTH`] chars, so a
//!    page-long passage does not beat a quotable one), one per participant
//!    before any participant is quoted twice, ties by source and position.
//!
//! Quotes of a code come out in source then position order; codes in the
//! codebook's display order. The whole selection is a handful of queries
//! whatever the study's size: codings as bare numbers, then text only for
//! the chosen passages.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use verbatim_store::{
    AnalysisReads, Book, CodeNode, Participants, QuoteCandidate, Scope, StoreError, Transcripts,
};

/// Passages up to this many chars rank by length; longer ones rank as if
/// this long.
pub const GOOD_LENGTH: i64 = 600;

/// How quotes are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteOptions {
    /// How many quotes a code with no marked quote gets.
    pub fallback: usize,
    /// Whether a code's candidates include the passages of codes below it.
    pub roll_up: bool,
    /// How many chars around a quote are read to find the sentence before
    /// and after it.
    pub context: usize,
    /// Whether context-only sources may be quoted.
    pub include_context_sources: bool,
}

impl Default for QuoteOptions {
    fn default() -> Self {
        Self {
            fallback: 3,
            roll_up: true,
            context: 400,
            include_context_sources: false,
        }
    }
}

/// Why a code's quotes are these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// A coder marked them as quotes.
    Marked,
    /// None is marked: the best candidates by the rules of this module.
    Best,
    /// The code has no passage to quote.
    Nothing,
}

/// One quote, with everything a report or a translator needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// The coding's id.
    pub coding_id: i64,
    /// The coding's exchange identifier, stable across copies of the study.
    pub guid: String,
    /// The code the coding carries (the code itself or one below it).
    pub code_id: i64,
    /// The coder who made the coding.
    pub coder_id: i64,
    /// The source's id.
    pub source_id: i64,
    /// The source's name.
    pub source: String,
    /// The source's kind (`interview`, `focus_group`, `observation`…).
    pub kind: String,
    /// The source's site.
    pub site: Option<String>,
    /// The source's language (BCP 47 primary tag), when known.
    pub language: Option<String>,
    /// The participants the passage is attributed to (codes such as
    /// `CHFG-C`, or the transcript's label while a speaker is unmapped);
    /// interviewers are left out.
    pub participants: Vec<String>,
    /// The speaker labels whose turns the passage overlaps.
    pub speakers: Vec<String>,
    /// First char of the passage.
    pub start: i64,
    /// Char just past the passage.
    pub end: i64,
    /// The passage's words.
    pub text: String,
    /// The sentence before the passage (with the start of the passage's own
    /// sentence when it begins mid-sentence).
    pub before: String,
    /// The sentence after the passage (with the end of the passage's own
    /// sentence when it ends mid-sentence).
    pub after: String,
    /// True when a coder marked it as a quote.
    pub marked: bool,
    /// Translations attached to it: `(language, text)`, by language.
    pub translations: Vec<(String, String)>,
}

impl Quote {
    /// Returns how a report attributes the quote: the participant codes
    /// (`CHFG-C`), else the source's name (an observation note).
    pub fn attribution(&self) -> String {
        if self.participants.is_empty() {
            self.source.clone()
        } else {
            self.participants.join(", ")
        }
    }

    /// Returns the translation into `language`, if attached.
    pub fn translation(&self, language: &str) -> Option<&str> {
        self.translations
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(language))
            .map(|(_, t)| t.as_str())
    }
}

/// One code with the quotes that illustrate it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeQuotes {
    /// The code's id.
    pub code_id: i64,
    /// Its name.
    pub name: String,
    /// Its level's rank (1 = lowest).
    pub level: i64,
    /// Its level's name.
    pub level_name: String,
    /// The names from the top of the tree down to this code, along primary
    /// parents.
    pub path: Vec<String>,
    /// Why these quotes.
    pub choice: Choice,
    /// The quotes, in source then position order.
    pub quotes: Vec<Quote>,
}

impl CodeQuotes {
    /// Returns the path as one string: `Meta-theme › Theme › Code`.
    pub fn path_text(&self) -> String {
        self.path.join(" › ")
    }
}

/// Returns, for every code of `book` the scope sees, in display order, the
/// quotes a report shows (see the module docs for the rules).
pub fn select<S: AnalysisReads + ?Sized>(
    store: &S,
    scope: &Scope,
    book: Book,
    options: &QuoteOptions,
) -> Result<Vec<CodeQuotes>, StoreError> {
    let tree = store.code_tree(scope, book)?;
    let sources: HashMap<i64, verbatim_store::SourceSummary> =
        store.sources()?.into_iter().map(|s| (s.id, s)).collect();
    let candidates: Vec<QuoteCandidate> = store
        .quote_candidates(scope, book)?
        .into_iter()
        .filter(|c| {
            sources
                .get(&c.source_id)
                .is_some_and(|s| options.include_context_sources || s.kind != "context")
        })
        .collect();
    let who = speaker_owners(store)?;

    // Each code's candidates, by index into `candidates`.
    let reach = ancestors(&tree, options.roll_up);
    let mut buckets: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        for code in reach.get(&c.code_id).into_iter().flatten() {
            buckets.entry(*code).or_default().push(i);
        }
    }
    // Speakers are needed to rank the unmarked candidates by who speaks;
    // they come from the turns, read once per source (not per coding).
    let turns = TurnIndex::load(store, &candidates, &buckets)?;

    let chosen: Vec<(i64, Choice, Vec<usize>)> = tree
        .iter()
        .map(|node| {
            let pool = buckets.remove(&node.id).unwrap_or_default();
            let (choice, picked) = choose(pool, &candidates, &turns, &who, options);
            (node.id, choice, picked)
        })
        .collect();
    let quotes = chosen_quotes(store, &candidates, &chosen, &sources, &who, options)?;
    let by_id: HashMap<i64, &CodeNode> = tree.iter().map(|n| (n.id, n)).collect();
    Ok(chosen
        .into_iter()
        .filter_map(|(id, choice, picked)| {
            let node = by_id.get(&id)?;
            let mut list: Vec<Quote> = picked
                .iter()
                .filter_map(|i| quotes.get(i).cloned())
                .collect();
            list.sort_by_key(|q| (q.source_id, q.start, q.end, q.coding_id));
            Some(CodeQuotes {
                code_id: id,
                name: node.name.clone(),
                level: node.level,
                level_name: node.level_name.clone(),
                path: path_of(node, &by_id),
                choice,
                quotes: list,
            })
        })
        .collect())
}

/// Picks one code's quotes from its pool of candidates (indices into
/// `candidates`): the marked ones, else the best `options.fallback`
/// unmarked ones, else nothing. One passage coded by several codes below
/// the node counts once: the marked coding wins, then the first.
fn choose(
    mut pool: Vec<usize>,
    candidates: &[QuoteCandidate],
    turns: &TurnIndex,
    who: &Owners,
    options: &QuoteOptions,
) -> (Choice, Vec<usize>) {
    pool.sort_by_key(|&i| {
        let c = &candidates[i];
        (c.source_id, c.start, c.end, !c.is_quote, c.id)
    });
    pool.dedup_by_key(|i| {
        let c = &candidates[*i];
        (c.source_id, c.start, c.end)
    });
    let marked: Vec<usize> = pool
        .iter()
        .copied()
        .filter(|&i| candidates[i].is_quote)
        .collect();
    if !marked.is_empty() {
        (Choice::Marked, marked)
    } else if pool.is_empty() || options.fallback == 0 {
        (Choice::Nothing, Vec::new())
    } else {
        let best = best_of(&pool, candidates, turns, who, options.fallback);
        (Choice::Best, best)
    }
}

/// Reads the text, context and translations of the chosen codings only,
/// and returns each as a quote, by index into `candidates`.
fn chosen_quotes<S: AnalysisReads + ?Sized>(
    store: &S,
    candidates: &[QuoteCandidate],
    chosen: &[(i64, Choice, Vec<usize>)],
    sources: &HashMap<i64, verbatim_store::SourceSummary>,
    who: &Owners,
    options: &QuoteOptions,
) -> Result<HashMap<usize, Quote>, StoreError> {
    let mut wanted: Vec<usize> = chosen
        .iter()
        .flat_map(|(_, _, p)| p.iter().copied())
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let spans: Vec<(i64, i64, i64)> = wanted
        .iter()
        .map(|&i| {
            (
                candidates[i].source_id,
                candidates[i].start,
                candidates[i].end,
            )
        })
        .collect();
    let texts = store.passage_texts(&spans, options.context)?;
    let ids: Vec<i64> = wanted.iter().map(|&i| candidates[i].id).collect();
    let mut translations = store.translations_of(&ids)?;
    let mut quotes: HashMap<usize, Quote> = HashMap::with_capacity(wanted.len());
    for (&i, passage) in wanted.iter().zip(texts) {
        let c = &candidates[i];
        let Some(source) = sources.get(&c.source_id) else {
            continue;
        };
        let participants = people(c.source_id, &passage.speakers, who);
        let (before, after) = (
            sentence_before(&passage.before),
            sentence_after(&passage.text, &passage.after),
        );
        quotes.insert(
            i,
            Quote {
                coding_id: c.id,
                guid: c.guid.clone(),
                code_id: c.code_id,
                coder_id: c.coder_id,
                source_id: c.source_id,
                source: source.name.clone(),
                kind: source.kind.clone(),
                site: source.site.clone(),
                language: source.language.clone(),
                participants,
                speakers: passage.speakers,
                start: c.start,
                end: c.end,
                text: passage.text,
                before,
                after,
                marked: c.is_quote,
                translations: translations.remove(&c.id).unwrap_or_default(),
            },
        );
    }
    Ok(quotes)
}

/// `(source, speaker label)` → the participant it stands for; `None` for
/// interviewers. Unmapped labels stand for themselves, as in
/// `verbatim triangulation`.
pub(crate) type Owners = HashMap<(i64, String), Option<String>>;

pub(crate) fn speaker_owners<S: Participants + ?Sized>(store: &S) -> Result<Owners, StoreError> {
    Ok(store
        .speakers(None)?
        .into_iter()
        .map(|row| {
            let person = match row.role.as_str() {
                "interviewer" => None,
                _ => Some(row.participant.unwrap_or_else(|| row.label.clone())),
            };
            ((row.source_id, row.label), person)
        })
        .collect())
}

pub(crate) fn people(source: i64, speakers: &[String], who: &Owners) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for label in speakers {
        if let Some(Some(p)) = who.get(&(source, label.clone()))
            && !out.contains(p)
        {
            out.push(p.clone());
        }
    }
    out
}

/// Each code → the codes whose candidates it collects: itself, and (when
/// rolling up) every ancestor through primary and further parents, each
/// once.
fn ancestors(tree: &[CodeNode], roll_up: bool) -> HashMap<i64, Vec<i64>> {
    let parents: HashMap<i64, Vec<i64>> = tree
        .iter()
        .map(|n| {
            (
                n.id,
                n.parent.iter().chain(&n.also_under).copied().collect(),
            )
        })
        .collect();
    tree.iter()
        .map(|n| {
            if !roll_up {
                return (n.id, vec![n.id]);
            }
            let mut seen: HashSet<i64> = HashSet::new();
            let mut stack = vec![n.id];
            let mut out = Vec::new();
            while let Some(c) = stack.pop() {
                if seen.insert(c) {
                    out.push(c);
                    stack.extend(parents.get(&c).into_iter().flatten().copied());
                }
            }
            (n.id, out)
        })
        .collect()
}

fn path_of(node: &CodeNode, by_id: &HashMap<i64, &CodeNode>) -> Vec<String> {
    let mut path = vec![node.name.clone()];
    let mut seen = HashSet::from([node.id]);
    let mut current = node.parent;
    while let Some(id) = current {
        // The store refuses cycles; the guard keeps a corrupt file from
        // looping forever.
        if !seen.insert(id) {
            break;
        }
        let Some(parent) = by_id.get(&id) else {
            break;
        };
        path.push(parent.name.clone());
        current = parent.parent;
    }
    path.reverse();
    path
}

/// The speaker turns of the sources whose candidates may be ranked.
struct TurnIndex {
    /// Source → its turns `(label, start, end)` in order.
    turns: HashMap<i64, Vec<(String, i64, i64)>>,
}

impl TurnIndex {
    /// Loads the turns of the sources holding candidates of codes that have
    /// no marked quote (the only ones ranked by speaker).
    fn load<S: Transcripts + ?Sized>(
        store: &S,
        candidates: &[QuoteCandidate],
        buckets: &HashMap<i64, Vec<usize>>,
    ) -> Result<Self, StoreError> {
        let mut needed: Vec<i64> = buckets
            .values()
            .filter(|pool| !pool.iter().any(|&i| candidates[i].is_quote))
            .flat_map(|pool| pool.iter().map(|&i| candidates[i].source_id))
            .collect();
        needed.sort_unstable();
        needed.dedup();
        Ok(Self {
            turns: store.turns_of(&needed)?,
        })
    }

    /// Returns the labels whose turns `[start, end)` of `source` overlaps.
    fn speakers(&self, source: i64, start: i64, end: i64) -> Vec<String> {
        overlapping(self.turns.get(&source), start, end)
    }
}

/// Returns the labels of the turns `[start, end)` overlaps, each once, in
/// turn order.
pub(crate) fn overlapping(
    turns: Option<&Vec<(String, i64, i64)>>,
    start: i64,
    end: i64,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(turns) = turns else {
        return out;
    };
    for (label, s, e) in turns {
        if *s < end && start < *e && !out.contains(label) {
            out.push(label.clone());
        }
    }
    out
}

/// Returns up to `n` of `pool`'s candidates by the fallback rules.
fn best_of(
    pool: &[usize],
    candidates: &[QuoteCandidate],
    turns: &TurnIndex,
    who: &Owners,
    n: usize,
) -> Vec<usize> {
    let mut ranked: Vec<(usize, Vec<String>)> = pool
        .iter()
        .map(|&i| {
            let c = &candidates[i];
            let labels = turns.speakers(c.source_id, c.start, c.end);
            (i, people(c.source_id, &labels, who))
        })
        .collect();
    ranked.sort_by_key(|(i, people)| {
        let c = &candidates[*i];
        (
            people.len() != 1,
            people.is_empty(),
            -(c.end - c.start).min(GOOD_LENGTH),
            c.source_id,
            c.start,
            c.id,
        )
    });
    // One per participant first, then the rest in rank order.
    let mut quoted: BTreeMap<String, usize> = BTreeMap::new();
    let mut picked: Vec<usize> = Vec::new();
    for (i, people) in &ranked {
        if picked.len() == n {
            break;
        }
        if people.iter().all(|p| !quoted.contains_key(p)) {
            for p in people {
                quoted.insert(p.clone(), *i);
            }
            picked.push(*i);
        }
    }
    for (i, _) in &ranked {
        if picked.len() == n {
            break;
        }
        if !picked.contains(i) {
            picked.push(*i);
        }
    }
    picked
}

/// Characters that end a sentence.
fn ends_sentence(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '\n')
}

/// Characters that may follow a sentence's final mark and still belong to
/// it (closing quotes and brackets).
fn closes(c: char) -> bool {
    matches!(c, '»' | '"' | '”' | '’' | ')' | ']' | '\u{a0}')
}

/// Returns the char positions just past each sentence end in `text`.
fn boundaries(text: &[char]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if ends_sentence(text[i]) {
            let mut j = i + 1;
            loop {
                while j < text.len() && (ends_sentence(text[j]) || closes(text[j])) {
                    j += 1;
                }
                // French sets a space before the closing guillemet.
                if j + 1 < text.len() && text[j].is_whitespace() && text[j + 1] == '»' {
                    j += 2;
                } else {
                    break;
                }
            }
            if j == text.len() || text[j].is_whitespace() || text[j - 1] == '\n' {
                out.push(j);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Returns one line: whitespace runs (line breaks included) become one
/// space.
fn one_line(chars: &[char]) -> String {
    chars
        .iter()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Returns the sentence before a passage from the text just before it.
fn sentence_before(window: &str) -> String {
    let chars: Vec<char> = window.trim_end().chars().collect();
    let cuts = boundaries(&chars);
    // The last cut is the end of the sentence before the passage when the
    // window ends on one; otherwise the passage starts mid-sentence and
    // the last cut opens its sentence. Either way, the context starts at the
    // cut before the last full sentence.
    let from = match cuts.len() {
        n if n >= 2 => cuts[n - 2],
        _ => 0,
    };
    clip_start(&one_line(&chars[from..]))
}

/// The longest context kept on either side, in chars.
const CONTEXT_CHARS: usize = 240;

/// Returns `text` with its start cut at a word so it keeps at most
/// [`CONTEXT_CHARS`] chars, marked with `…`.
fn clip_start(text: &str) -> String {
    let n = text.chars().count();
    if n <= CONTEXT_CHARS {
        return text.to_owned();
    }
    let tail: String = text.chars().skip(n - CONTEXT_CHARS).collect();
    let tail = tail.split_once(' ').map_or(tail.as_str(), |(_, rest)| rest);
    format!("…{tail}")
}

/// Returns `text` with its end cut at a word so it keeps at most
/// [`CONTEXT_CHARS`] chars, marked with `…`.
fn clip_end(text: &str) -> String {
    if text.chars().count() <= CONTEXT_CHARS {
        return text.to_owned();
    }
    let head: String = text.chars().take(CONTEXT_CHARS).collect();
    let head = head
        .rsplit_once(' ')
        .map_or(head.as_str(), |(kept, _)| kept);
    format!("{head}…")
}

/// Returns the sentence after a passage from the text just after it.
fn sentence_after(passage: &str, window: &str) -> String {
    let chars: Vec<char> = window.chars().collect();
    let cuts = boundaries(&chars);
    let passage_ends_sentence = passage
        .trim_end()
        .chars()
        .last()
        .is_some_and(|c| ends_sentence(c) || closes(c));
    // Cuts at the very start belong to the passage's own sentence.
    let mut cuts = cuts
        .into_iter()
        .filter(|&c| chars[..c].iter().any(|ch| !ch.is_whitespace()));
    let first = cuts.next();
    let to = if passage_ends_sentence {
        first
    } else {
        cuts.next().or(first)
    };
    clip_end(&one_line(&chars[..to.unwrap_or(chars.len())]))
}

#[cfg(test)]
pub(crate) mod tests {
    use verbatim_core::{
        Format, Language, NormalisedSource, SourceKind, SourceMetadata, Span, Turn,
    };
    use verbatim_store::{
        ImportItem, ImportOutcome, NewCode, NewTranslation, SqliteStore, Store, StudySettings,
    };

    use super::*;

    /// The interview of the fixture study.
    pub(crate) const TEXT: &str = "INT : Qu'est-ce qui a changé ?\n\
        CSI-2 : Au début je ne faisais pas confiance. Puis elle est revenue chaque semaine, sans juger. Maintenant je lui dis tout.\n\
        CHI-1 : Moi c'est pareil. On teste les soignants, forcément.\n";

    /// A study with one interview, coder `amira` (and `bruno`), a theme
    /// `Confiance` with ideas `Présence` and `Tester`, and three codings.
    pub(crate) struct Fixture {
        pub _dir: tempfile::TempDir,
        pub store: SqliteStore,
        pub source: i64,
        pub theme: i64,
        pub presence: i64,
        pub tester: i64,
    }

    /// Returns the span of `needle` in [`TEXT`].
    pub(crate) fn span_of(needle: &str) -> Span {
        let byte = TEXT.find(needle).unwrap();
        let start = TEXT[..byte].chars().count();
        Span::new(start, start + needle.chars().count()).unwrap()
    }

    pub(crate) fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let mut store =
            SqliteStore::create(&dir.path().join("s.vbt"), &StudySettings::titled("É"), "t")
                .unwrap();
        store.add_coder("t", "amira", None, None).unwrap();
        store.add_coder("t", "bruno", None, None).unwrap();
        let turn = |speaker: &str, from: &str, to: &str| Turn {
            speaker: Some(speaker.into()),
            span: Span::new(span_of(from).start(), span_of(to).end()).unwrap(),
            begin_ms: None,
            end_ms: None,
        };
        let turns = vec![
            turn("INT", "Qu'est-ce", "changé ?"),
            turn("CSI-2", "Au début", "dis tout."),
            turn("CHI-1", "Moi c'est", "forcément."),
        ];
        let normalised = NormalisedSource::new(
            Format::Txt,
            TEXT.into(),
            turns,
            vec![],
            SourceMetadata::default(),
        )
        .unwrap();
        let out = store
            .import_batch(
                "t",
                vec![ImportItem {
                    name: "entretien".into(),
                    original_path: None,
                    kind: SourceKind::Interview,
                    site: None,
                    language: Some("fr".parse::<Language>().unwrap()),
                    source: normalised,
                }],
            )
            .unwrap();
        let ImportOutcome::Imported { id: source, .. } = out[0] else {
            panic!("not imported");
        };
        let scope = store.scope("amira", false, false).unwrap();
        let code = |store: &mut SqliteStore, name: &str, level: &str, parent: Option<i64>| {
            store
                .add_code(
                    &scope,
                    &NewCode {
                        name: name.into(),
                        level: Some(level.into()),
                        parent,
                        book: Some(Book::Own),
                        fields: Default::default(),
                    },
                )
                .unwrap()
        };
        let theme = code(&mut store, "Confiance", "theme", None);
        let presence = code(&mut store, "Présence", "idea", Some(theme));
        let tester = code(&mut store, "Tester", "idea", Some(theme));
        for (code, passage) in [
            (
                presence,
                "Puis elle est revenue chaque semaine, sans juger.",
            ),
            (tester, "On teste les soignants, forcément."),
            (tester, "Au début je ne faisais pas confiance."),
        ] {
            store
                .add_coding(&scope, source, span_of(passage), code, None)
                .unwrap();
        }
        Fixture {
            _dir: dir,
            store,
            source,
            theme,
            presence,
            tester,
        }
    }

    fn of(list: &[CodeQuotes], code: i64) -> &CodeQuotes {
        list.iter().find(|c| c.code_id == code).unwrap()
    }

    #[test]
    fn unmarked_codes_get_their_best_passages_with_attribution_and_context() {
        let f = fixture();
        let scope = f.store.scope("amira", false, false).unwrap();
        let options = QuoteOptions {
            fallback: 1,
            ..QuoteOptions::default()
        };
        let list = select(&f.store, &scope, Book::Own, &options).unwrap();
        assert_eq!(
            list.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["Confiance", "Présence", "Tester"]
        );
        let presence = of(&list, f.presence);
        assert_eq!(presence.choice, Choice::Best);
        assert_eq!(presence.path, ["Confiance", "Présence"]);
        let [q] = &presence.quotes[..] else {
            panic!("{presence:?}")
        };
        assert_eq!(q.text, "Puis elle est revenue chaque semaine, sans juger.");
        assert_eq!(q.attribution(), "CSI-2");
        assert_eq!(q.speakers, ["CSI-2"]);
        assert_eq!(q.language.as_deref(), Some("fr"));
        assert_eq!(q.source_id, f.source);
        assert_eq!(q.before, "CSI-2 : Au début je ne faisais pas confiance.");
        assert_eq!(q.after, "Maintenant je lui dis tout.");
        // The theme rolls its ideas up and takes the longest passage.
        let theme = of(&list, f.theme);
        assert_eq!(theme.quotes.len(), 1);
        assert_eq!(theme.quotes[0].text, presence.quotes[0].text);
        // Tester: two participants' passages, one quote asked: the longer.
        assert_eq!(
            of(&list, f.tester).quotes[0].text,
            "Au début je ne faisais pas confiance."
        );
    }

    #[test]
    fn marked_quotes_replace_the_best_ones_and_carry_their_translations() {
        let mut f = fixture();
        let scope = f.store.scope("amira", false, false).unwrap();
        let all = verbatim_store::CodingFilter::default();
        let short = f
            .store
            .codings(&scope, &all)
            .unwrap()
            .into_iter()
            .find(|c| c.text.starts_with("On teste"))
            .unwrap();
        f.store
            .attach_translations(
                &scope,
                &[NewTranslation {
                    coding: short.id,
                    language: "en".parse::<Language>().unwrap(),
                    text: "We test the carers, of course.".into(),
                }],
            )
            .unwrap();
        let list = select(&f.store, &scope, Book::Own, &QuoteOptions::default()).unwrap();
        for code in [f.theme, f.tester] {
            let c = of(&list, code);
            assert_eq!(c.choice, Choice::Marked, "{}", c.name);
            let [q] = &c.quotes[..] else { panic!("{c:?}") };
            assert!(q.marked);
            assert_eq!(q.attribution(), "CHI-1");
            assert_eq!(q.translation("en"), Some("We test the carers, of course."));
            assert_eq!(q.after, "");
        }
        // Présence has none marked: its best passage still shows.
        assert_eq!(of(&list, f.presence).choice, Choice::Best);
        // Without roll-up the theme has no passage of its own.
        let flat = QuoteOptions {
            roll_up: false,
            ..QuoteOptions::default()
        };
        let list = select(&f.store, &scope, Book::Own, &flat).unwrap();
        assert_eq!(of(&list, f.theme).choice, Choice::Nothing);
    }

    #[test]
    fn another_coders_quotes_stay_hidden_until_the_study_is_revealed() {
        let f = fixture();
        let bruno = f.store.scope("bruno", false, false).unwrap();
        let amira = f.store.coder_by_name("amira").unwrap().unwrap();
        assert!(matches!(
            select(
                &f.store,
                &bruno,
                Book::Of(amira.id),
                &QuoteOptions::default()
            ),
            Err(StoreError::Blind)
        ));
        let own = select(&f.store, &bruno, Book::Own, &QuoteOptions::default()).unwrap();
        assert!(own.is_empty());
    }

    #[test]
    fn the_sentence_before_is_the_last_full_one_and_any_start_of_the_passages_own() {
        assert_eq!(
            sentence_before("bla. Première phrase. Deuxième phrase. "),
            "Deuxième phrase."
        );
        assert_eq!(
            sentence_before("bla. Première phrase. Et puis "),
            "Première phrase. Et puis"
        );
        assert_eq!(sentence_before("début sans point "), "début sans point");
        assert_eq!(
            sentence_before("Il a dit « non. » Alors\n"),
            "Il a dit « non. » Alors"
        );
    }

    #[test]
    fn the_sentence_after_completes_the_passages_own_then_adds_the_next() {
        assert_eq!(
            sentence_after("Elle est venue.", " Le lendemain aussi. Puis plus rien."),
            "Le lendemain aussi."
        );
        assert_eq!(
            sentence_after("Elle est venue", " hier. Le lendemain aussi. Puis plus."),
            "hier. Le lendemain aussi."
        );
        assert_eq!(sentence_after("Fin.", "  "), "");
    }

    #[test]
    fn context_without_punctuation_is_clipped_at_a_word() {
        let long = "mot ".repeat(200);
        let before = sentence_before(&long);
        assert!(before.starts_with("…mot"), "{before}");
        assert!(before.chars().count() <= CONTEXT_CHARS + 1);
        let after = sentence_after("x", &long);
        assert!(after.ends_with("mot…"), "{after}");
    }

    #[test]
    fn boundaries_skip_decimal_points_and_keep_closing_quotes() {
        let chars: Vec<char> = "Il y a 3.5 fois plus. « Oui. » Non".chars().collect();
        let cuts = boundaries(&chars);
        let text: String = chars[..cuts[0]].iter().collect();
        assert_eq!(text, "Il y a 3.5 fois plus.");
        let text: String = chars[..cuts[1]].iter().collect();
        assert_eq!(text, "Il y a 3.5 fois plus. « Oui. »");
    }
}
