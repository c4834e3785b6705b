//! The demo study's people and reflexive layer: sites, the participant
//! roster, speaker mappings, the coders' sealed preconceptions, journal notes
//! and memos.
//!
//! A demo with transcripts and codings but no participants, no attributes
//! and no journal leaves half of verbatim with nothing to show: the
//! sociodemographic table, triangulation by site or occupation, the
//! preconceptions table and memo listings would all be empty. This module
//! fills them with hand-authored data embedded at build time
//! (`demo/sites.csv`, `demo/roster.csv`, `demo/journal.json`,
//! `demo/memos.json`) and applies it through the same store API the
//! `sites`, `participants import`, `speakers map`, `journal` and `memo`
//! commands use; the roster goes through [`SqliteStore::import_roster`]
//! exactly as `verbatim participants import` sends it.
//!
//! The order matters and is the study's own: participants and speaker
//! mappings come with the transcripts; each coder writes and seals their
//! preconceptions ([`write_preconceptions`]) before coding; links from
//! preconceptions to the themes that confirm or contradict them, journal
//! notes and memos come after coding ([`reflect`]).
//!
//! Data that does not match the study fails the demo with the item named:
//! a roster code nobody speaks under, a speaker label left unmapped, a code
//! not in the coder's tree, a quoted passage that does not occur or that the
//! coder did not code.

use std::collections::HashMap;

use anyhow::{Context, bail};
use serde::Deserialize;
use verbatim_ingest::read_sheet_bytes;
use verbatim_store::{
    AttrType, Book, CodingFilter, EntryKind, MemoFilter, MemoTarget, Relation, Scope, SourceRef,
    SpeakerTarget, SqliteStore,
};

use crate::commands::demo_coding::shorten;

/// Speaker labels the demo's interviewers go by, marked explicitly as
/// interviewers (the store would also recognise most of them by itself).
const INTERVIEWER_LABELS: [&str; 5] = [
    "INT",
    "Chercheuse",
    "Enquêtrice",
    "Researcher",
    "Interviewer",
];

/// Roster columns read with a fixed type rather than the inferred one.
const ROSTER_TYPES: [(&str, AttrType); 5] = [
    ("sex", AttrType::Category),
    ("age", AttrType::Number),
    ("occupation", AttrType::Category),
    ("years_in_field", AttrType::Number),
    ("mode", AttrType::Category),
];

/// `demo/journal.json`: each coder's preconceptions and notes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JournalData {
    coders: Vec<CoderJournal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoderJournal {
    coder: String,
    preconceptions: Vec<Preconception>,
    #[serde(default)]
    notes: Vec<Note>,
}

/// A preconception, written and sealed before coding, linked after.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Preconception {
    title: String,
    body: String,
    #[serde(default)]
    links: Vec<Link>,
}

/// A link from a preconception to a code of the coder's own tree.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Link {
    code: String,
    /// `expected`, `emerged` or `absent`.
    relation: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Note {
    title: String,
    body: String,
}

/// `demo/memos.json`: each coder's memos.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemoData {
    coders: Vec<CoderMemos>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoderMemos {
    coder: String,
    memos: Vec<MemoItem>,
}

/// A memo. `on` is `study`, `source` (with `source`), `code` (with `code`)
/// or `coding` (with `source`, `quote` and `code`: the coder's coding with
/// that code whose passage holds the quote).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemoItem {
    on: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    quote: Option<String>,
    /// Which occurrence (1-based) of the quote, when it occurs more than once.
    #[serde(default)]
    occurrence: Option<usize>,
    #[serde(default)]
    title: Option<String>,
    body: String,
}

/// The preconceptions written for each coder: `(coder, entry ids)` in the
/// order of the journal data, so [`reflect`] can link them.
pub struct Written {
    entries: Vec<(String, Vec<i64>)>,
}

/// What `verbatim demo` reports at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Participants in the study.
    pub participants: usize,
    /// Participants per site code, in site order.
    pub by_site: Vec<(String, usize)>,
    /// Coders.
    pub coders: usize,
    /// Codes across the coders' trees.
    pub codes: usize,
    /// Codings across the coders' layers.
    pub codings: usize,
    /// Sealed preconceptions across coders.
    pub sealed: usize,
    /// Journal notes across coders.
    pub notes: usize,
    /// The coders' memos (imported document comments left out).
    pub memos: usize,
}

/// Adds the sites (`sites_csv`: `code,name`), imports the roster and maps
/// every speaker label: participant codes automatically, interviewer labels
/// explicitly. Fails naming any label left unmapped or roster code heard in
/// no transcript. Returns the number of participants added.
pub fn add_people(
    store: &mut SqliteStore,
    actor: &str,
    sites_csv: &str,
    roster_csv: &str,
) -> anyhow::Result<usize> {
    let sites = read_sheet_bytes("csv", sites_csv.as_bytes())
        .context("the bundled demo site table (demo/sites.csv) is malformed")?;
    let column = |name: &str| {
        sites
            .header
            .iter()
            .position(|h| h.trim() == name)
            .with_context(|| format!("demo/sites.csv has no {name:?} column"))
    };
    let (code_col, name_col) = (column("code")?, column("name")?);
    for (i, row) in sites.rows.iter().enumerate() {
        let (Some(code), Some(name)) = (row.get(code_col), row.get(name_col)) else {
            bail!("demo/sites.csv row {}: a code or name is missing", i + 2);
        };
        store
            .add_site(actor, name, code)
            .with_context(|| format!("demo site {code} ({name})"))?;
    }

    let roster = read_sheet_bytes("csv", roster_csv.as_bytes())
        .context("the bundled demo roster (demo/roster.csv) is malformed")?;
    let types: Vec<(String, AttrType)> = ROSTER_TYPES
        .iter()
        .filter(|(name, _)| roster.header.iter().any(|h| h.trim() == *name))
        .map(|(name, kind)| ((*name).to_owned(), *kind))
        .collect();
    let outcome = store
        .import_roster(actor, &roster.header, &roster.rows, &types)
        .context("the bundled demo roster (demo/roster.csv) was refused")?;

    // Interviewer labels: marked explicitly, in one action.
    let mut marks = Vec::new();
    for row in store.speakers(None)? {
        if row.role != "participant"
            && INTERVIEWER_LABELS
                .iter()
                .any(|l| l.eq_ignore_ascii_case(&row.label))
        {
            marks.push((
                SourceRef::Id(row.source_id),
                row.label.clone(),
                SpeakerTarget::Interviewer,
            ));
        }
    }
    if !marks.is_empty() {
        store
            .map_speakers(actor, &marks)
            .context("marking the demo interviewers")?;
    }
    let unmapped: Vec<String> = store
        .speakers(None)?
        .into_iter()
        .filter(|row| row.role != "participant" && row.role != "interviewer")
        .map(|row| format!("{:?} in {:?} ({})", row.label, row.source, row.role))
        .collect();
    if !unmapped.is_empty() {
        bail!(
            "speaker labels match no roster code and no interviewer label: {} (add them to demo/roster.csv)",
            unmapped.join(", ")
        );
    }
    let silent: Vec<String> = store
        .participants()?
        .into_iter()
        .filter(|p| p.turns == 0)
        .map(|p| p.display())
        .collect();
    if !silent.is_empty() {
        bail!(
            "demo/roster.csv lists participants who speak in no transcript: {}",
            silent.join(", ")
        );
    }
    Ok(outcome.participants)
}

/// Writes and seals each coder's preconceptions (`journal_json`), as the
/// coders do before their first reading. The coders must exist.
pub fn write_preconceptions(
    store: &mut SqliteStore,
    journal_json: &str,
) -> anyhow::Result<Written> {
    let data: JournalData = serde_json::from_str(journal_json)
        .context("the bundled demo journal (demo/journal.json) is malformed")?;
    let mut entries = Vec::new();
    for coder in &data.coders {
        let scope = coder_scope(store, &coder.coder, "demo/journal.json")?;
        let mut ids = Vec::new();
        for p in &coder.preconceptions {
            let id = store
                .add_entry(&scope, EntryKind::Preconception, &p.title, &p.body)
                .and_then(|id| store.seal(&scope, id).map(|_| id))
                .with_context(|| {
                    format!("demo coder {}: preconception {:?}", coder.coder, p.title)
                })?;
            ids.push(id);
        }
        entries.push((coder.coder.clone(), ids));
    }
    Ok(Written { entries })
}

/// After coding: links each sealed preconception to the coder's themes,
/// writes the journal notes and the memos. `sources` maps manifest file
/// names to source ids.
pub fn reflect(
    store: &mut SqliteStore,
    written: &Written,
    journal_json: &str,
    memos_json: &str,
    sources: &HashMap<String, i64>,
) -> anyhow::Result<()> {
    let journal: JournalData = serde_json::from_str(journal_json)
        .context("the bundled demo journal (demo/journal.json) is malformed")?;
    for coder in &journal.coders {
        let scope = coder_scope(store, &coder.coder, "demo/journal.json")?;
        let Some((_, ids)) = written.entries.iter().find(|(c, _)| *c == coder.coder) else {
            bail!(
                "demo coder {}: preconceptions were not written before coding",
                coder.coder
            );
        };
        for (p, id) in coder.preconceptions.iter().zip(ids) {
            for link in &p.links {
                let relation = Relation::parse(&link.relation)?;
                store
                    .find_code(&scope, &link.code, Some(Book::Own))
                    .and_then(|code| store.link_entry(&scope, *id, code, relation))
                    .with_context(|| {
                        format!(
                            "demo coder {}: linking preconception {:?} to code {:?} (is it in their tree in demo/coding.json?)",
                            coder.coder, p.title, link.code
                        )
                    })?;
            }
        }
        for note in &coder.notes {
            store
                .add_entry(&scope, EntryKind::Note, &note.title, &note.body)
                .with_context(|| format!("demo coder {}: note {:?}", coder.coder, note.title))?;
        }
    }
    let memos: MemoData = serde_json::from_str(memos_json)
        .context("the bundled demo memos (demo/memos.json) are malformed")?;
    for coder in &memos.coders {
        let scope = coder_scope(store, &coder.coder, "demo/memos.json")?;
        for (i, memo) in coder.memos.iter().enumerate() {
            let what = format!(
                "demo coder {}: memo {} on {}{} {:?}",
                coder.coder,
                i + 1,
                memo.on,
                memo.source
                    .as_deref()
                    .map(|f| format!(" in {f}"))
                    .unwrap_or_default(),
                shorten(memo.title.as_deref().unwrap_or(&memo.body))
            );
            let target = memo_target(store, &scope, memo, sources).with_context(|| what.clone())?;
            store
                .add_memo(&scope, &target, memo.title.as_deref(), &memo.body)
                .with_context(|| what)?;
        }
    }
    Ok(())
}

/// Counts what the demo holds, for the closing summary.
pub fn summary(store: &SqliteStore) -> anyhow::Result<Summary> {
    let people = store.participants()?;
    let by_site = store
        .sites()?
        .into_iter()
        .map(|s| {
            let n = people
                .iter()
                .filter(|p| p.site_code.as_deref() == Some(s.code.as_str()))
                .count();
            (s.code, n)
        })
        .collect();
    let mut out = Summary {
        participants: people.len(),
        by_site,
        coders: 0,
        codes: 0,
        codings: 0,
        sealed: 0,
        notes: 0,
        memos: 0,
    };
    for coder in store.coders()? {
        out.coders += 1;
        let scope = store.scope(&coder.name, false, false)?;
        out.codes += store.code_tree(&scope, Book::Own)?.len();
        out.codings += store.codings(&scope, &CodingFilter::default())?.len();
        for entry in store.entries(&scope)? {
            if entry.sealed_at.is_some() {
                out.sealed += 1;
            } else if entry.kind == EntryKind::Note.as_str() {
                out.notes += 1;
            }
        }
        out.memos += store
            .memos(&scope, &MemoFilter::default())?
            .iter()
            .filter(|m| m.coder.as_deref() == Some(coder.name.as_str()))
            .count();
    }
    Ok(out)
}

/// Returns the coder's own scope, failing with the data file named when the
/// coder is not one of the demo's.
fn coder_scope(store: &SqliteStore, coder: &str, file: &str) -> anyhow::Result<Scope> {
    if store.coder_by_name(coder)?.is_none() {
        bail!("{file} names coder {coder:?}, who is not in demo/coding.json");
    }
    Ok(store.scope(coder, false, false)?)
}

/// Resolves what a memo is about.
fn memo_target(
    store: &SqliteStore,
    scope: &Scope,
    memo: &MemoItem,
    sources: &HashMap<String, i64>,
) -> anyhow::Result<MemoTarget> {
    let source = || -> anyhow::Result<i64> {
        let Some(file) = &memo.source else {
            bail!("a memo on a {} needs a \"source\"", memo.on);
        };
        sources.get(file).copied().with_context(|| {
            format!("the demo has no imported source {file:?} (is it in the manifest?)")
        })
    };
    let code = || -> anyhow::Result<i64> {
        let Some(name) = &memo.code else {
            bail!("a memo on a {} needs a \"code\"", memo.on);
        };
        store
            .find_code(scope, name, Some(Book::Own))
            .with_context(|| format!("the code {name:?} is not in the coder's tree"))
    };
    Ok(match memo.on.as_str() {
        "study" => MemoTarget::Study,
        "source" => MemoTarget::Source(source()?),
        "code" => MemoTarget::Code(code()?),
        "coding" => {
            let (source, code) = (source()?, code()?);
            let Some(quote) = &memo.quote else {
                bail!("a memo on a coding needs a \"quote\" of the coded passage");
            };
            let span = store.locate(source, quote, memo.occurrence)?.span;
            let filter = CodingFilter {
                source: Some(source),
                code: Some(code),
                ..CodingFilter::default()
            };
            let found = store.codings(scope, &filter)?.into_iter().find(|c| {
                c.code_id == code && c.start <= span.start() as i64 && span.end() as i64 <= c.end
            });
            match found {
                Some(coding) => MemoTarget::Coding(coding.id),
                None => bail!(
                    "the coder has no coding with {:?} holding the passage {:?}",
                    memo.code.as_deref().unwrap_or_default(),
                    shorten(quote)
                ),
            }
        }
        other => bail!("\"on\": {other:?} is not study, source, code or coding"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::demo_coding;
    use verbatim_core::{Format, SourceKind};
    use verbatim_ingest::{Options, read_bytes};
    use verbatim_store::{ImportItem, ImportOutcome, Store, StudySettings};

    const SITES: &str = "code,name\nXA,Site A\n";
    const CODING: &str = r##"{"coders":[{"name":"ann","initials":"A","colour":"#112233",
        "tree":[{"name":"Holding","level":"theme","children":[{"name":"Hard","level":"idea"}]}],
        "codings":[{"source":"talk.txt","text":"It is hard but we hold on.","code":"Hard"}]}]}"##;

    /// A study with one source, `talk.txt`, at site XA.
    fn study(dir: &std::path::Path) -> (SqliteStore, HashMap<String, i64>) {
        let settings = StudySettings {
            title: "test".into(),
            language: "en".parse().ok(),
        };
        let mut store = SqliteStore::create(&dir.join("s.vbt"), &settings, "me").unwrap();
        let text = "INT: How is it?\n\nXAI-1: It is hard but we hold on.\n\nResearcher: Thanks.\n";
        let source = read_bytes(
            "talk.txt",
            Format::Txt,
            text.as_bytes(),
            &Options::default(),
        )
        .unwrap();
        let outcomes = store
            .import_batch(
                "me",
                vec![ImportItem {
                    name: "talk".into(),
                    original_path: None,
                    kind: SourceKind::Interview,
                    site: Some("XA".into()),
                    language: "en".parse().ok(),
                    source,
                }],
            )
            .unwrap();
        let ImportOutcome::Imported { id, .. } = outcomes[0] else {
            panic!("not imported");
        };
        (store, HashMap::from([("talk.txt".to_owned(), id)]))
    }

    fn journal(code: &str) -> String {
        format!(
            r#"{{"coders":[{{"coder":"ann","preconceptions":[
                {{"title":"T1","body":"B1","links":[{{"code":"{code}","relation":"expected"}}]}},
                {{"title":"T2","body":"B2"}}],
                "notes":[{{"title":"N","body":"after"}}]}}]}}"#
        )
    }

    fn memos(quote: &str, code: &str) -> String {
        format!(
            r#"{{"coders":[{{"coder":"ann","memos":[
                {{"on":"study","body":"s"}},
                {{"on":"coding","source":"talk.txt","quote":"{quote}","code":"{code}","body":"m"}}]}}]}}"#
        )
    }

    /// Runs every step of the demo's people and reflexive layers.
    fn run(roster: &str, journal: &str, memos: &str) -> anyhow::Result<Summary> {
        let dir = tempfile::tempdir()?;
        let (mut store, sources) = study(dir.path());
        add_people(&mut store, "me", SITES, roster)?;
        demo_coding::add_coders(&mut store, "me", CODING)?;
        let written = write_preconceptions(&mut store, journal)?;
        demo_coding::apply(&mut store, "me", CODING, &sources)?;
        reflect(&mut store, &written, journal, memos, &sources)?;
        summary(&store)
    }

    #[test]
    fn builds_people_sealed_preconceptions_notes_and_memos() {
        let roster = "code,site,occupation,years_in_field\nXAI-1,XA,nurse,3\n";
        let done = run(roster, &journal("Holding"), &memos("we hold on", "Hard")).unwrap();
        assert_eq!(
            done,
            Summary {
                participants: 1,
                by_site: vec![("XA".into(), 1)],
                coders: 1,
                codes: 2,
                codings: 1,
                sealed: 2,
                notes: 1,
                memos: 2,
            }
        );
    }

    #[test]
    fn data_that_does_not_match_the_study_fails_naming_the_item() {
        let roster = "code,site\nXAI-1,XA\n";
        let good_journal = journal("Holding");
        let good_memos = memos("we hold on", "Hard");
        for (roster, journal, memos, expected) in [
            // A speaker label no roster row names.
            (
                "code,site\nXAI-2,XA\n",
                &good_journal,
                &good_memos,
                "\"XAI-1\"",
            ),
            // A roster row with an unknown site.
            (
                "code,site\nXAI-1,ZZ\n",
                &good_journal,
                &good_memos,
                "\"ZZ\"",
            ),
            // A preconception linked to a code not in the coder's tree.
            (roster, &journal("Nowhere"), &good_memos, "\"Nowhere\""),
            // A memo quoting a passage that is not in the source.
            (
                roster,
                &good_journal,
                &memos("we let go", "Hard"),
                "we let go",
            ),
            // A memo on a coding the coder did not make.
            (
                roster,
                &good_journal,
                &memos("How is it?", "Hard"),
                "How is it?",
            ),
            // A memo on a code not in the tree.
            (
                roster,
                &good_journal,
                &memos("we hold on", "Soft"),
                "\"Soft\"",
            ),
        ] {
            let err = format!("{:#}", run(roster, journal, memos).unwrap_err());
            assert!(err.contains(expected), "{expected}: {err}");
        }
    }
}
