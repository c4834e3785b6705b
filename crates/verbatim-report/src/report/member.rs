//! Member checking: a short document for one participant, in their
//! language, with the themes their words support and only their own words.
//!
//! A coded passage in a focus group often spans several speakers' turns.
//! Quoting it whole would show a participant what colleagues said, which
//! the consent did not cover; so every passage is cut down to the
//! participant's own turns (intersected with their speech spans, label
//! excluded) before its text is read. Nothing else from the study — no
//! prevalence, no other participant's code — goes into the document.
//! A quote from a timed transcript cites when it is heard in the recording
//! (`— CSI-1, Entretien CSI-1, 0:12–0:31`), so the participant can listen
//! to it again.

use std::collections::{BTreeMap, HashMap};

use verbatim_analysis::evidence::{below, supporting};
use verbatim_store::{Book, TimedTurn, clock_range, time_range};

use crate::reads::{self, ReportReads};

use super::ReportError;
use super::evidence;
use super::model::{Lang, MemberReport, MemberTheme, Quote};

/// Whose document, from which codebook.
#[derive(Debug, Clone)]
pub struct MemberOptions {
    /// The coder acting.
    pub coder: String,
    /// Use the team's consensus codebook instead of the coder's own.
    pub shared: bool,
    /// The participant's code.
    pub participant: String,
    /// Force the document's language (else the participant's sources').
    pub lang: Option<Lang>,
}

/// Returns the member-checking document for one participant.
pub fn gather_member(
    store: &dyn ReportReads,
    opts: &MemberOptions,
) -> Result<MemberReport, ReportError> {
    let revealed = reads::is_revealed(store)?;
    if opts.shared && !revealed {
        return Err(ReportError::SharedNeedsReveal);
    }
    let scope = store.scope(&opts.coder, revealed, false)?;
    let id = reads::find_participant(store, &opts.participant)
        .map_err(|_| ReportError::UnknownParticipant(opts.participant.clone()))?;
    let code = store
        .participants()?
        .into_iter()
        .find(|p| p.id == id)
        .map_or_else(|| opts.participant.clone(), |p| p.display());
    // The participant's own speech, per source: these spans bound every
    // word the document may show.
    let mut own: BTreeMap<i64, Vec<(usize, usize)>> = BTreeMap::new();
    for t in store.turn_owners(false)? {
        if t.participant_id == Some(id) && !t.interviewer && t.start < t.end {
            own.entry(t.source_id).or_default().push((t.start, t.end));
        }
    }
    if own.is_empty() {
        return Err(ReportError::NotHeard(code));
    }
    let sources = store.sources()?;
    let language_of: HashMap<i64, Option<String>> =
        sources.iter().map(|s| (s.id, s.language.clone())).collect();
    let lang = opts.lang.unwrap_or_else(|| {
        let mut votes: HashMap<Lang, usize> = HashMap::new();
        for source in own.keys() {
            if let Some(l) = language_of
                .get(source)
                .cloned()
                .flatten()
                .as_deref()
                .and_then(Lang::from_tag)
            {
                *votes.entry(l).or_default() += 1;
            }
        }
        let fallback = store
            .study()
            .ok()
            .and_then(|s| s.language)
            .as_deref()
            .and_then(Lang::from_tag)
            .unwrap_or(Lang::En);
        votes
            .into_iter()
            .max_by_key(|(l, n)| (*n, *l == Lang::Fr))
            .map_or(fallback, |(l, _)| l)
    });
    // The shared document reads the team's consensus layer, as the shared
    // report does.
    let reading = if opts.shared {
        store.consensus_scope()?
    } else {
        scope
    };
    let ev = evidence::load(store, &reading, Book::Own, Some(reading.coder().id))?;
    let translated = store.code_names(lang.tag())?;
    let theme_rank = store.level_rank_of("theme").unwrap_or(2);
    let tree_below = below(&ev.nodes);
    let mut quoter = Quoter {
        store,
        code: code.clone(),
        names: sources.iter().map(|s| (s.id, s.name.clone())).collect(),
        language_of,
        texts: HashMap::new(),
        timed: HashMap::new(),
    };
    let mut themes = Vec::new();
    for node in ev.tree.iter().filter(|n| n.level == theme_rank) {
        // Each passage of the theme the participant spoke in, cut to their
        // turns, merged per source.
        let mut spans: BTreeMap<i64, Vec<(usize, usize)>> = BTreeMap::new();
        for p in supporting(node.id, &tree_below, &ev.passages) {
            if !p.participants.contains(&code) {
                continue;
            }
            let (Ok(start), Ok(end)) = (usize::try_from(p.start), usize::try_from(p.end)) else {
                continue;
            };
            for &(ts, te) in own.get(&p.source_id).into_iter().flatten() {
                let (s, e) = (start.max(ts), end.min(te));
                if s < e {
                    spans.entry(p.source_id).or_default().push((s, e));
                }
            }
        }
        let mut quotes = Vec::new();
        for (source, mut list) in spans {
            list.sort_unstable();
            let mut merged: Vec<(usize, usize)> = Vec::new();
            for (s, e) in list {
                match merged.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => merged.push((s, e)),
                }
            }
            quotes.extend(quoter.quotes(source, &merged)?);
        }
        if !quotes.is_empty() {
            themes.push(MemberTheme {
                name: translated
                    .get(&node.id)
                    .cloned()
                    .unwrap_or_else(|| node.name.clone()),
                definition: node
                    .fields
                    .definition
                    .clone()
                    .filter(|d| !d.trim().is_empty()),
                quotes,
            });
        }
    }
    Ok(MemberReport {
        lang,
        title: store.study()?.title,
        participant: code,
        themes,
    })
}

/// Reads the participant's quotes out of their sources, each text and each
/// source's timed turns read once.
struct Quoter<'s> {
    store: &'s dyn ReportReads,
    /// The participant's code, the quotes' attribution.
    code: String,
    names: HashMap<i64, String>,
    language_of: HashMap<i64, Option<String>>,
    texts: HashMap<i64, Vec<char>>,
    timed: HashMap<i64, Vec<TimedTurn>>,
}

impl Quoter<'_> {
    /// Returns the quotes of the merged char spans of one source, cited with
    /// when they are heard in the recording when the transcript is timed.
    fn quotes(
        &mut self,
        source: i64,
        merged: &[(usize, usize)],
    ) -> Result<Vec<Quote>, ReportError> {
        if !self.texts.contains_key(&source) {
            let (text, timed) = reads::text_and_times(self.store, source)?;
            self.texts.insert(source, text.chars().collect());
            self.timed.insert(source, timed);
        }
        let (chars, turns) = (&self.texts[&source], &self.timed[&source]);
        let source_name = self.names.get(&source).cloned().unwrap_or_default();
        let mut out = Vec::new();
        for &(s, e) in merged {
            let Some(words) = chars.get(s..e) else {
                continue;
            };
            let text: String = words.iter().collect::<String>().trim().to_owned();
            if text.is_empty() {
                continue;
            }
            let (start, end) = (
                i64::try_from(s).unwrap_or(i64::MAX),
                i64::try_from(e).unwrap_or(i64::MAX),
            );
            let heard = match time_range(turns, start, end) {
                (Some(begin), finish) => format!(", {}", clock_range(begin, finish)),
                _ => String::new(),
            };
            out.push(Quote {
                text,
                language: self.language_of.get(&source).cloned().flatten(),
                attribution: self.code.clone(),
                cite: format!("— {}, {source_name}{heard}", self.code),
                source: source_name.clone(),
                start,
                end,
                exemplar: false,
                translation: None,
                untranslated: false,
            });
        }
        Ok(out)
    }
}
