//! The study home page: what the study holds (sources by kind and site,
//! participants, coders) and what happened lately.
//!
//! Its counts come from the study-wide lists the server keeps (see
//! [`crate::state::Study`]), and each kind lists its first
//! [`HOME_LIST`] sources with a link to the paged sources page, so the
//! page's weight does not grow with the study.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use verbatim_store::{AuditEntry, Participant, SourceSummary};

use crate::error::PageResult;

use crate::i18n::t;
use crate::layout::{Nav, Page};
use crate::palette;
use crate::session::Session;
use crate::state::Study;
use crate::{AppState, Backend, WebError};

/// Returns the home page's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// How many audit entries the activity list shows.
const ACTIVITY: usize = 12;

/// How many sources of each kind the home page lists.
pub const HOME_LIST: usize = 20;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    sources: usize,
    sites: Vec<String>,
    matrix: Vec<KindRow>,
    site_totals: Vec<usize>,
    groups: Vec<KindGroup>,
    participants: usize,
    participants_by_site: Vec<(String, usize)>,
    coders: Vec<CoderRow>,
    activity: Vec<Activity>,
}

struct KindRow {
    kind: String,
    cells: Vec<usize>,
    total: usize,
}

struct KindGroup {
    kind: String,
    /// The first [`HOME_LIST`] sources of the kind.
    sources: Vec<SourceRow>,
    /// How many sources of the kind there are.
    total: usize,
}

struct SourceRow {
    id: i64,
    name: String,
    site: String,
    words: String,
    turns: i64,
    speakers: usize,
    language: String,
}

struct CoderRow {
    name: String,
    initials: String,
    colour: String,
    current: bool,
    codes: Option<i64>,
    codings: Option<i64>,
}

struct Activity {
    when: String,
    actor: String,
    what: String,
}

async fn home(State(state): State<AppState>, session: Session) -> PageResult<HomePage> {
    let csrf = state.csrf().to_owned();
    Ok(state
        .with_study(move |study| build(study, &session, &csrf))
        .await?)
}

/// Builds the home page from the study's kept lists and its store.
fn build(study: &mut Study, session: &Session, csrf: &str) -> Result<HomePage, WebError> {
    let summaries = study.summaries()?;
    let people = study.participants()?;
    let store = &*study.store;
    let page = Page::new(store, session, csrf, t("title.home"), Nav::Home)?;
    let kinds = KindTable::of(&summaries);
    let coders = coder_rows(store, session, &page)?;
    let activity = recent_activity(store, session, page.revealed)?;
    Ok(HomePage {
        page,
        sources: summaries.len(),
        sites: kinds
            .sites
            .into_iter()
            .map(|s| if s.is_empty() { "no site".into() } else { s })
            .collect(),
        matrix: kinds.matrix,
        site_totals: kinds.site_totals,
        groups: kinds.groups,
        participants: people.len(),
        participants_by_site: participants_by_site(&people),
        coders,
        activity,
    })
}

/// The sources counted by kind and site, and each kind's first sources.
struct KindTable {
    /// The sites, sorted (an empty name for sources with no site).
    sites: Vec<String>,
    /// A row per kind: its count at each site.
    matrix: Vec<KindRow>,
    /// Each site's count over all kinds.
    site_totals: Vec<usize>,
    /// A group per kind, with its first [`HOME_LIST`] sources.
    groups: Vec<KindGroup>,
}

impl KindTable {
    /// Counts the sources by kind and site, in the kinds' order.
    fn of(summaries: &[SourceSummary]) -> Self {
        let mut sites: Vec<String> = summaries
            .iter()
            .map(|s| s.site.clone().unwrap_or_default())
            .collect();
        sites.sort();
        sites.dedup();
        let mut by_kind: BTreeMap<u8, (String, Vec<SourceRow>, Vec<usize>)> = BTreeMap::new();
        for s in summaries {
            let (order, label) = kind_label(&s.kind);
            let entry = by_kind
                .entry(order)
                .or_insert_with(|| (label, Vec::new(), vec![0; sites.len()]));
            let site = s.site.clone().unwrap_or_default();
            if let Ok(col) = sites.binary_search(&site) {
                entry.2[col] += 1;
            }
            if entry.1.len() >= HOME_LIST {
                continue;
            }
            entry.1.push(SourceRow {
                id: s.id,
                name: s.name.clone(),
                site,
                words: approx_words(s.chars),
                turns: s.turns,
                speakers: s.speakers.len(),
                language: s.language.clone().unwrap_or_default(),
            });
        }
        let site_totals = (0..sites.len())
            .map(|i| by_kind.values().map(|(_, _, cells)| cells[i]).sum())
            .collect();
        let mut matrix = Vec::new();
        let mut groups = Vec::new();
        for (_, (kind, sources, cells)) in by_kind {
            let total = cells.iter().sum();
            matrix.push(KindRow {
                kind: kind.clone(),
                total,
                cells,
            });
            groups.push(KindGroup {
                kind,
                sources,
                total,
            });
        }
        Self {
            sites,
            matrix,
            site_totals,
            groups,
        }
    }
}

/// How many participants each site has (by site code, else site name).
fn participants_by_site(people: &[Participant]) -> Vec<(String, usize)> {
    let mut per_site: BTreeMap<String, usize> = BTreeMap::new();
    for p in people {
        let site = p.site_code.clone().or_else(|| p.site.clone());
        *per_site
            .entry(site.unwrap_or_else(|| "no site".into()))
            .or_default() += 1;
    }
    per_site.into_iter().collect()
}

/// The coders, each with the totals the session's scope lets it see.
fn coder_rows(
    store: &dyn Backend,
    session: &Session,
    page: &Page,
) -> Result<Vec<CoderRow>, WebError> {
    // A coder picked earlier may have been removed: the home page still
    // shows, without their totals.
    let scope = session.scope(store).ok();
    let totals = match &scope {
        Some(scope) => store.coder_totals(scope)?,
        None => Vec::new(),
    };
    Ok(store
        .coders()?
        .into_iter()
        .map(|c| {
            let mine = totals.iter().find(|t| t.coder_id == c.id);
            CoderRow {
                current: page.is_coder(&c.name),
                colour: palette::class_of(c.id),
                initials: c.initials,
                name: c.name,
                codes: mine.map(|t| t.codes),
                codings: mine.map(|t| t.codings),
            }
        })
        .collect())
}

/// The last [`ACTIVITY`] audit entries the session may see.
fn recent_activity(
    store: &dyn Backend,
    session: &Session,
    revealed: bool,
) -> Result<Vec<Activity>, WebError> {
    Ok(store
        .audit_log(ACTIVITY * 8)?
        .into_iter()
        .filter(|e| revealed || visible_activity(e, session.coder.as_deref()))
        .take(ACTIVITY)
        .map(|e| Activity {
            when: e.at.get(..16).unwrap_or(&e.at).replace('T', " "),
            what: describe(&e),
            actor: e.actor,
        })
        .collect())
}

/// Returns true when an entry may be shown before the study is revealed:
/// work on coding layers (codes, codings, memos, journal) is shown only to
/// the coder who did it.
fn visible_activity(entry: &AuditEntry, coder: Option<&str>) -> bool {
    let layered = ["code.", "coding.", "memo.", "journal."]
        .iter()
        .any(|p| entry.action.starts_with(p));
    !layered || coder == Some(entry.actor.as_str())
}

fn kind_label(kind: &str) -> (u8, String) {
    let (order, label) = match kind {
        "interview" => (0, "Interviews"),
        "focus_group" => (1, "Focus groups"),
        "observation" => (2, "Observations"),
        "context" => (3, "Context"),
        _ => (4, "Other"),
    };
    (order, label.to_owned())
}

/// Returns a reading length: chars / 6 is close to the word count of
/// French and English prose.
fn approx_words(chars: i64) -> String {
    let words = chars / 6;
    if words >= 1000 {
        format!("{:.1}k words", words as f64 / 1000.0)
    } else {
        format!("{words} words")
    }
}

fn describe(e: &AuditEntry) -> String {
    describe_action(&e.action)
}

/// Returns an audit action (`coding.add`) in words (`coded a passage`).
pub fn describe_action(action: &str) -> String {
    let what = match action {
        "study.create" => "created the study",
        "source.import" => "imported a source",
        "source.edit" => "corrected a source",
        "coder.add" => "added a coder",
        "code.add" => "added a code",
        "code.rename" => "renamed a code",
        "code.move" => "moved a code",
        "code.merge" => "merged codes",
        "code.describe" => "described a code",
        "code.delete" => "deleted a code",
        "coding.add" => "coded a passage",
        "coding.add_many" => "coded passages",
        "coding.remove" => "removed a coding",
        "coding.span" => "resized a coding",
        "coding.quote" => "marked a quote",
        "coding.memo" => "wrote a coding memo",
        "coding.translate" => "translated a quote",
        "memo.add" => "wrote a memo",
        "journal.add" => "wrote in the journal",
        "journal.seal" => "sealed a preconception",
        "history.undo" => "undid a change",
        "history.redo" => "redid a change",
        "study.reveal" => "revealed the coders' work",
        other => return other.replace(['.', '_'], " "),
    };
    what.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_estimate_reads_naturally() {
        assert_eq!(approx_words(600), "100 words");
        assert_eq!(approx_words(60_000), "10.0k words");
    }
}
