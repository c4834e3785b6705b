//! A codebook's tree and the coded passages supporting it, each attributed
//! to the participants who spoke it: the input of triangulation, the IPA
//! tables, confrontation and the report's prevalence and quotes.
//!
//! `verbatim triangulation`, `ipa-table`, `confront` and `verbatim report`
//! must count the same passages for the same participants, so they load
//! them here, once. Two rules make their "n of N participants" printable:
//!
//! - N counts the people heard in the sources the coder coded (for the
//!   consensus layer or a reader of every layer, the sources the team
//!   coded: [`coded_sources`]), and only those sources'
//!   passages count; `Evidence::sources` says which entered;
//! - structural codes (interview-guide questions) are no results: they are
//!   left out of the tree unless `include_structural`.
//!
//! Read through the store's traits, so triangulation counts alike on a
//! file and on PostgreSQL.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use verbatim_analysis::evidence::{Node, Passage};
use verbatim_store::{
    AgreementReads, AnalysisReads, Book, CodeNode, CodingFilter, Codings, Scope, StoreError,
};

use crate::coded::analytic_only;
use crate::speakers::{Person, Speakers, Unmapped, speakers_in};

/// A codebook's tree and its supporting passages.
pub struct Evidence {
    /// Every node, in display order, with its descriptive fields.
    pub tree: Vec<CodeNode>,
    /// The same nodes as the analyses take them.
    pub nodes: Vec<Node>,
    /// The coded passages of counted sources, attributed to participants.
    pub passages: Vec<Passage>,
    /// Every person heard in a counted source, sorted.
    pub participants: Vec<String>,
    /// People heard in counted sources, per site.
    pub by_site: BTreeMap<String, BTreeSet<String>>,
    /// The counted sources `(id, name)`: those coded, by id.
    pub sources: Vec<(i64, String)>,
    /// The people among `participants` who stand for an unmapped label.
    pub unmapped: BTreeMap<String, Unmapped>,
}

impl Evidence {
    /// Returns every counted person, described (unmapped ones flagged).
    pub fn people(&self) -> Vec<Person> {
        let speakers = Speakers {
            participants: self.participants.clone(),
            unmapped: self.unmapped.clone(),
            ..Speakers::default()
        };
        speakers.people()
    }

    /// Returns the counted sources' names, in id order.
    pub fn source_names(&self) -> Vec<String> {
        self.sources.iter().map(|(_, n)| n.clone()).collect()
    }
}

/// Which sources and codes count.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Count context-only sources too.
    pub include_context: bool,
    /// Keep structural codes (interview-guide questions) in the tree.
    pub include_structural: bool,
}

/// Loads one codebook's analytic tree and the passages coded with it, by
/// `coder_filter` (or every coder the scope sees), over the sources that
/// coder (or the team) coded. Context-only sources count only when
/// `include_context` asks for them.
pub fn load<S: AnalysisReads + AgreementReads + Codings + ?Sized>(
    store: &S,
    scope: &Scope,
    book: Book,
    coder_filter: Option<i64>,
    include_context: bool,
) -> Result<Evidence, StoreError> {
    let options = Options {
        include_context,
        include_structural: false,
    };
    load_with(store, scope, book, coder_filter, options)
}

/// Returns the ids of the sources whose people count: those `coder_filter`
/// coded; the team's when it is the consensus layer, or when no coder is
/// named and the scope reads every layer (or is the consensus).
pub fn coded_sources<S: AnalysisReads + AgreementReads + ?Sized>(
    store: &S,
    scope: &Scope,
    coder_filter: Option<i64>,
) -> Result<Vec<i64>, StoreError> {
    let consensus = store.consensus_coder()?.id;
    match coder_filter {
        Some(id) if id == consensus => store.sources_coded_by_anyone(),
        Some(id) => store.analysed_sources(id),
        None if scope.sees_all() || scope.is_consensus() => store.sources_coded_by_anyone(),
        None => store.analysed_sources(scope.coder().id),
    }
}

/// [`load`] with every option.
pub fn load_with<S: AnalysisReads + AgreementReads + Codings + ?Sized>(
    store: &S,
    scope: &Scope,
    book: Book,
    coder_filter: Option<i64>,
    options: Options,
) -> Result<Evidence, StoreError> {
    let include_context = options.include_context;
    let mut tree = store.code_tree(scope, book)?;
    if !options.include_structural {
        tree = analytic_only(tree);
    }
    let nodes: Vec<Node> = tree
        .iter()
        .map(|n| Node {
            id: n.id,
            name: n.name.clone(),
            level: n.level,
            parent: n.parent,
            also_under: n.also_under.clone(),
        })
        .collect();
    let coded: HashSet<i64> = coded_sources(store, scope, coder_filter)?
        .into_iter()
        .collect();
    let mut entered = Vec::new();
    let mut sources: HashMap<i64, (String, Option<String>)> = HashMap::new();
    for s in store.sources()? {
        if coded.contains(&s.id) && (include_context || s.kind != "context") {
            entered.push((s.id, s.name));
            sources.insert(s.id, (s.kind, s.site));
        }
    }
    entered.sort_unstable();
    let Speakers {
        owners: who,
        participants,
        by_site,
        unmapped,
    } = speakers_in(store, include_context, Some(&coded))?;
    let in_book: HashSet<i64> = nodes.iter().map(|n| n.id).collect();
    let filter = CodingFilter {
        coder: coder_filter,
        ..CodingFilter::default()
    };
    let mut passages = Vec::new();
    for c in store.codings(scope, &filter)? {
        let Some((kind, site)) = sources.get(&c.source_id) else {
            continue;
        };
        if !in_book.contains(&c.code_id) {
            continue;
        }
        let mut people: Vec<String> = c
            .speakers
            .iter()
            .filter_map(|label| who.get(&(c.source_id, label.clone())).cloned().flatten())
            .collect();
        people.dedup();
        passages.push(Passage {
            code: c.code_id,
            source_id: c.source_id,
            source: c.source,
            kind: kind.clone(),
            site: site.clone(),
            participants: people,
            start: c.start,
            end: c.end,
            text: c.text,
            is_quote: c.is_quote,
            translations: c.translations,
        });
    }
    Ok(Evidence {
        tree,
        nodes,
        passages,
        participants,
        by_site,
        sources: entered,
        unmapped,
    })
}

#[cfg(test)]
mod tests {
    use verbatim_analysis::evidence::{below, triangulate};
    use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
    use verbatim_store::{CodeKind, ImportItem, NewCode, SqliteStore, Store, StudySettings};

    use super::*;

    /// Imports one interview of `[Chercheur]` / `[Interviewé]` turns and
    /// returns the span of `answer` in it.
    fn interview(store: &mut SqliteStore, name: &str, answer: &str) -> Span {
        let (mut text, mut turns) = (String::new(), Vec::new());
        let mut span = None;
        for (who, what) in [
            ("Chercheur", "Comment vivez-vous l'accueil ?"),
            ("Interviewé", answer),
        ] {
            text.push_str(&format!("[{who}] "));
            let start = text.chars().count();
            text.push_str(what);
            let s = Span::new(start, text.chars().count()).unwrap();
            turns.push(Turn {
                speaker: Some(who.into()),
                span: s,
                begin_ms: None,
                end_ms: None,
            });
            span = Some(s);
            text.push('\n');
        }
        let source =
            NormalisedSource::new(Format::Txt, text, turns, vec![], SourceMetadata::default())
                .unwrap();
        store
            .import_batch(
                "t",
                vec![ImportItem {
                    name: name.into(),
                    original_path: None,
                    kind: SourceKind::Interview,
                    site: None,
                    language: None,
                    source,
                }],
            )
            .unwrap();
        span.unwrap()
    }

    /// Three interviews whose interviewee is only `[Interviewé]`: amira codes
    /// the first two (and a structural code in the third), bruno the third.
    #[test]
    fn n_counts_the_people_of_the_sources_coded_one_per_unmapped_label_and_source() {
        let dir = tempfile::tempdir().unwrap();
        let mut store =
            SqliteStore::create(&dir.path().join("s.vbt"), &StudySettings::titled("t"), "t")
                .unwrap();
        let answers = [
            interview(&mut store, "e1", "La confiance se gagne."),
            interview(&mut store, "e2", "Sans confiance, rien."),
            interview(&mut store, "e3", "Je n'y crois plus."),
        ];
        store.add_coder("t", "amira", None, None).unwrap();
        store.add_coder("t", "bruno", None, None).unwrap();
        let amira = store.scope("amira", false, false).unwrap();
        let bruno = store.scope("bruno", false, false).unwrap();
        let theme = |name: &str| NewCode {
            name: name.into(),
            level: Some("theme".into()),
            book: Some(Book::Own),
            ..NewCode::default()
        };
        let trust = store.add_code(&amira, &theme("Confiance")).unwrap();
        let guide = store.add_code(&amira, &theme("Guide")).unwrap();
        store
            .set_code_kind(&amira, guide, CodeKind::Structural)
            .unwrap();
        let doubt = store.add_code(&bruno, &theme("Doute")).unwrap();
        store
            .add_coding(&amira, 1, answers[0], trust, None)
            .unwrap();
        store
            .add_coding(&amira, 2, answers[1], trust, None)
            .unwrap();
        store
            .add_coding(&amira, 1, answers[0], guide, None)
            .unwrap();
        store
            .add_coding(&amira, 3, answers[2], guide, None)
            .unwrap();
        store
            .add_coding(&bruno, 3, answers[2], doubt, None)
            .unwrap();

        let ev = load(&store, &amira, Book::Own, Some(amira.coder().id), false).unwrap();
        // Amira analysed e1 and e2: e3 holds only a structural coding.
        assert_eq!(ev.sources, vec![(1, "e1".to_owned()), (2, "e2".to_owned())]);
        // N = 2: one `Interviewé` per coded source, not 1 (merged by label)
        // nor 3 (every source).
        assert_eq!(
            ev.participants,
            vec!["Interviewé [e1, unmapped]", "Interviewé [e2, unmapped]"]
        );
        assert!(ev.people().iter().all(|p| p.unmapped && p.generic));
        let names: Vec<&str> = ev.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, vec!["Confiance"], "the structural code is no theme");
        let themes: Vec<&Node> = ev.nodes.iter().collect();
        let rows = triangulate(&themes, &below(&ev.nodes), &ev.passages, &HashMap::new());
        assert_eq!(rows[0].participants, 2);

        // Asked for, the structural code comes back, with its passages in
        // the coded sources only (e1, not e3).
        let options = Options {
            include_context: false,
            include_structural: true,
        };
        let ev = load_with(&store, &amira, Book::Own, Some(amira.coder().id), options).unwrap();
        let guide_passages: Vec<i64> = ev
            .passages
            .iter()
            .filter(|p| p.code == guide)
            .map(|p| p.source_id)
            .collect();
        assert_eq!(guide_passages, vec![1]);

        // The team (the consensus layer) coded all three: N = 3, the one
        // generic label counting three people.
        let consensus = store.consensus_scope().unwrap();
        let team = load(&store, &consensus, Book::Shared, None, false).unwrap();
        assert_eq!(team.sources.len(), 3);
        assert_eq!(team.participants.len(), 3);
    }
}
