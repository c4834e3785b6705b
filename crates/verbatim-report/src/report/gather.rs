//! Gathering a [`Report`] from a study: the results tree with prevalence
//! and quotes, the tables, the methods appendix and the COREQ draft.
//!
//! Every number is computed by the same `verbatim-analysis` function the
//! matching command calls, on the same data, and carries that command's
//! line ([`Command`]) so a reader can reproduce it. Blind coding holds: the
//! report reads through a [`Scope`] for the acting coder, which sees other
//! coders' layers only once the study is revealed; what needs every layer
//! (agreement, divergences) is left out with a note until then. The shared
//! report reads the team's consensus layer
//! ([`verbatim_store::Coders::consensus_scope`]): the shared codebook and the
//! consensus passages, never a coder's own.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use verbatim_analysis::evidence::{below, supporting, triangulate};
use verbatim_store::{Book, CodeNode, Scope};

use crate::reads::{self, ReportReads};

use crate::quotes::{self, QuoteOptions};

use super::ReportError;
use super::attribution::Attributor;
use super::coreq::{self, StudyFacts};
use super::evidence::{self, Evidence};
use super::model::{Command, Count, Lang, Prevalence, Quote, Report, SaturationRow, ThemeNode};
use super::site_order::SiteOrder;
use super::{
    cross_tables, divergences, figures_of, methods, participants_table, preconceptions,
    saturation_rows, study_tables,
};

/// What to report and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The coder acting (whose layer the report reads through).
    pub coder: String,
    /// Report the team's consensus codebook instead of the coder's own.
    pub shared: bool,
    /// The labels' language and the translations' target.
    pub lang: Lang,
    /// Quotes per theme when none is marked as an exemplar.
    pub quotes: usize,
    /// How the printed commands name the study (`--project` value).
    pub project: String,
    /// The coders the agreement table compares; empty for every coder
    /// (never the consensus layer, which is not a coder).
    pub coders: Vec<String>,
    /// The participant attributes Table II shows, in order; empty for
    /// every attribute.
    pub table_columns: Vec<String>,
    /// How quotes are attributed (`{code}, {occupation}, {site}`); `None`
    /// for the participant codes and the source's name.
    pub attribution: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            coder: String::new(),
            shared: false,
            lang: Lang::En,
            quotes: 3,
            project: "study.vbt".into(),
            coders: Vec::new(),
            table_columns: Vec::new(),
            attribution: None,
        }
    }
}

/// What every part of the report reads through, decided once.
pub(crate) struct Ctx<'a> {
    pub store: &'a dyn ReportReads,
    pub opts: &'a Options,
    pub cmd: Commands,
    /// The acting coder's scope: every layer once the study is revealed.
    pub scope: Scope,
    /// The scope the reported codebook is read through: the coder's own,
    /// or the consensus layer's.
    pub reading: Scope,
    /// The reported codebook, as `reading` names it.
    pub book: Book,
    /// Whose passages count: the coder's, or the consensus layer's.
    pub coder_filter: Option<i64>,
    /// Code names in the report's language, where the team gave them.
    pub names: HashMap<i64, String>,
    /// The sites in the team's order.
    pub sites: SiteOrder,
}

impl<'a> Ctx<'a> {
    fn new(store: &'a dyn ReportReads, opts: &'a Options) -> Result<Self, ReportError> {
        let revealed = reads::is_revealed(store)?;
        if opts.shared && !revealed {
            return Err(ReportError::SharedNeedsReveal);
        }
        let scope = store.scope(&opts.coder, revealed, false)?;
        let reading = if opts.shared {
            store.consensus_scope()?
        } else {
            scope.clone()
        };
        let coder_filter = Some(reading.coder().id);
        Ok(Self {
            store,
            opts,
            cmd: Commands::new(opts),
            scope,
            reading,
            book: Book::Own,
            coder_filter,
            names: store.code_names(opts.lang.tag())?,
            sites: SiteOrder::load(store)?,
        })
    }

    /// Returns a code's name in the report's language, else as coded.
    pub fn name_of(&self, id: i64, coded: &str) -> String {
        self.names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| coded.to_owned())
    }
}

/// Returns the report the options describe.
pub fn gather(store: &dyn ReportReads, opts: &Options) -> Result<Report, ReportError> {
    let ctx = Ctx::new(store, opts)?;
    let ev = evidence::load(store, &ctx.reading, ctx.book, ctx.coder_filter)?;
    let level_name: HashMap<i64, String> = store
        .levels()?
        .into_iter()
        .map(|l| (l.rank, l.name))
        .collect();
    let attributor = opts
        .attribution
        .as_deref()
        .map(|t| Attributor::new(store, t))
        .transpose()?;
    let study = store.study()?;
    let shown = QuoteShown {
        lang: opts.lang,
        study_language: study.language.clone(),
        attributor: attributor.as_ref(),
    };
    let chosen = quotes::select(
        store,
        &ctx.reading,
        ctx.book,
        &QuoteOptions {
            fallback: opts.quotes,
            ..QuoteOptions::default()
        },
    )?;
    let mut quotes_of: HashMap<i64, Vec<Quote>> = chosen
        .into_iter()
        .map(|code| {
            let list = code.quotes.iter().map(|q| shown.quote(q)).collect();
            (code.code_id, list)
        })
        .collect();
    let results = results_tree(&ev, &level_name, &mut quotes_of, &ctx);

    let coders: Vec<String> = if opts.shared {
        store.coders()?.into_iter().map(|c| c.name).collect()
    } else {
        vec![ctx.scope.coder().name.clone()]
    };
    let sources = store.sources()?;
    let saturation = saturation_rows::rows(&ctx, &coders)?;
    let preconceptions = preconceptions::table(&ctx, &coders, &ev, &sources)?;
    let mut counts = NodeCounts::default();
    counts.add(&results, &level_name);
    let methods = methods::facts(&ctx, &ev, &sources, counts.untranslated)?;
    let facts = coreq_facts(
        &ctx,
        &ev,
        &sources,
        &saturation,
        &counts,
        &level_name,
        preconceptions.rows.len(),
    )?;
    let (cross_case, triangulation) = cross_tables::tables(&ctx, &ev, &level_name)?;
    Ok(Report {
        lang: opts.lang,
        title: study.title,
        coder: (!opts.shared).then(|| ctx.scope.coder().name.clone()),
        figures: figures_of::figures(&ctx, &results)?,
        results,
        sociodemographics: study_tables::demographics_table(&ctx)?,
        participants: participants_table::table(&ctx, &ev, &sources)?,
        preconceptions,
        cross_case,
        triangulation,
        divergences: divergences::table(&ctx)?,
        agreement: study_tables::agreement_table(&ctx)?,
        saturation,
        sources: study_tables::sources_table(&ctx, &sources),
        methods,
        untranslated: counts.untranslated,
        coreq: coreq::draft(&facts, opts.lang),
    })
}

/// What the COREQ draft needs to know of the study; item 22 takes the
/// team's saturation verdict when the consensus has passages, else the
/// reported coder's, and says whose it is.
fn coreq_facts(
    ctx: &Ctx<'_>,
    ev: &Evidence,
    sources: &[verbatim_store::SourceSummary],
    saturation: &[SaturationRow],
    counts: &NodeCounts,
    level_name: &HashMap<i64, String>,
    sealed: usize,
) -> Result<StudyFacts, ReportError> {
    let store = ctx.store;
    let team = saturation.iter().find(|r| r.team && r.site.is_none());
    let verdict = team.or_else(|| saturation.iter().find(|r| r.site.is_none()));
    let of_kind = |kind: &str| sources.iter().filter(|s| s.kind == kind).count();
    Ok(StudyFacts {
        participants: ev.participants.len(),
        sites: ev
            .by_site
            .keys()
            .filter(|s| *s != "(no site)")
            .cloned()
            .collect(),
        interviews: of_kind("interview"),
        focus_groups: of_kind("focus_group"),
        observations: of_kind("observation"),
        context: of_kind("context"),
        coders: store.coders()?.into_iter().map(|c| c.name).collect(),
        guides: store.guides()?.len(),
        saturation: verdict.map(|r| {
            (
                super::saturation_words::sentence(&r.saturation, ctx.opts.lang),
                if r.team { None } else { Some(r.coder.clone()) },
            )
        }),
        tree_levels: level_counts(&ev.tree, level_name),
        themes: counts.themes,
        minor_themes: counts.minor,
        quotes: counts.quotes,
        withdrawn: store.withdrawn_participants()?,
        deidentified: !store.deidentifications()?.is_empty(),
        sealed_preconceptions: sealed,
        repeat_interviews: repeat_interviews(store)?,
    })
}

/// The command lines of the report, built once with the study's and the
/// perspective's flags.
pub(crate) struct Commands {
    project: String,
    base: String,
    shared: bool,
}

impl Commands {
    pub(crate) fn new(opts: &Options) -> Self {
        Self {
            project: format!("--project {}", shell_word(&opts.project)),
            base: format!(
                "--project {} --coder {}",
                shell_word(&opts.project),
                shell_word(&opts.coder)
            ),
            shared: opts.shared,
        }
    }

    /// Returns `verbatim NAME --project P --coder C REST`.
    pub(crate) fn plain(&self, name: &str, rest: &str) -> Command {
        let rest = if rest.is_empty() {
            String::new()
        } else {
            format!(" {rest}")
        };
        Command(format!("verbatim {name} {}{rest}", self.base))
    }

    /// Returns `verbatim NAME --project P REST`, for commands that read no
    /// coder's layer.
    pub(crate) fn study(&self, name: &str, rest: &str) -> Command {
        let rest = if rest.is_empty() {
            String::new()
        } else {
            format!(" {rest}")
        };
        Command(format!("verbatim {name} {}{rest}", self.project))
    }

    /// Returns a tree command in the report's perspective (`--shared --all`).
    pub(crate) fn tree(&self, name: &str, level: &str) -> Command {
        let shared = if self.shared { " --shared --all" } else { "" };
        self.plain(name, &format!("--level {}{shared}", shell_word(level)))
    }
}

/// Quotes a word for a POSIX shell when it needs it.
pub(crate) fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./,:=@".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Builds the results tree: every node above the lowest level (ideas), by
/// primary parent, in display order.
fn results_tree(
    ev: &Evidence,
    level_name: &HashMap<i64, String>,
    quotes: &mut HashMap<i64, Vec<Quote>>,
    report: &Ctx<'_>,
) -> Vec<ThemeNode> {
    let shown: Vec<&CodeNode> = ev.tree.iter().filter(|n| n.level >= 2).collect();
    let shown_ids: HashSet<i64> = shown.iter().map(|n| n.id).collect();
    let mut children: HashMap<i64, Vec<&CodeNode>> = HashMap::new();
    let mut roots = Vec::new();
    for n in &shown {
        match n.parent {
            Some(p) if shown_ids.contains(&p) => children.entry(p).or_default().push(n),
            _ => roots.push(*n),
        }
    }
    let below = below(&ev.nodes);
    let mut ctx = TreeContext {
        ev,
        below: &below,
        children: &children,
        level_name,
        quotes,
        report,
    };
    roots.into_iter().map(|n| ctx.node(n)).collect()
}

struct TreeContext<'a> {
    ev: &'a Evidence,
    below: &'a HashMap<i64, HashSet<i64>>,
    children: &'a HashMap<i64, Vec<&'a CodeNode>>,
    level_name: &'a HashMap<i64, String>,
    quotes: &'a mut HashMap<i64, Vec<Quote>>,
    report: &'a Ctx<'a>,
}

impl TreeContext<'_> {
    fn node(&mut self, n: &CodeNode) -> ThemeNode {
        let level = self
            .level_name
            .get(&n.level)
            .cloned()
            .unwrap_or_else(|| n.level_name.clone());
        let node = verbatim_analysis::evidence::Node {
            id: n.id,
            name: n.name.clone(),
            level: n.level,
            parent: n.parent,
            also_under: n.also_under.clone(),
        };
        let row = triangulate(&[&node], self.below, &self.ev.passages, &HashMap::new());
        let (n_all, by_site) = row
            .first()
            .map(|r| (r.participants, r.by_site.clone()))
            .unwrap_or_default();
        let prevalence = Prevalence {
            overall: Count {
                n: n_all,
                of: self.ev.participants.len(),
            },
            by_site: self
                .report
                .sites
                .in_order(self.ev.by_site.iter().map(|(site, people)| {
                    (
                        site.clone(),
                        Count {
                            n: by_site.get(site).copied().unwrap_or(0),
                            of: people.len(),
                        },
                    )
                })),
            command: self.report.cmd.tree("triangulation", &level),
            total_command: self.report.cmd.tree("ipa-table", &level),
        };
        let support = supporting(n.id, self.below, &self.ev.passages);
        let children: Vec<&CodeNode> = self.children.get(&n.id).cloned().unwrap_or_default();
        let kids: Vec<ThemeNode> = children.into_iter().map(|k| self.node(k)).collect();
        // Quotes (chosen by `crate::quotes`, rolled up through the tree) go
        // on the lowest nodes shown, so no passage is quoted twice down one
        // branch.
        let quotes = if kids.is_empty() {
            self.quotes.remove(&n.id).unwrap_or_default()
        } else {
            Vec::new()
        };
        ThemeNode {
            id: n.id,
            name: self.report.name_of(n.id, &n.name),
            level,
            definition: n.fields.definition.clone().filter(|d| !d.trim().is_empty()),
            prevalence,
            passages: support.len(),
            quotes,
            children: kids,
        }
    }
}

/// How chosen quotes are shown: in which language, attributed how.
struct QuoteShown<'a> {
    lang: Lang,
    /// The study's language, for sources that do not say theirs.
    study_language: Option<String>,
    attributor: Option<&'a Attributor>,
}

impl QuoteShown<'_> {
    /// Returns a chosen quote as the report shows it: attributed, and
    /// translated into the report's language when its source is in
    /// another, or flagged when it has no translation.
    fn quote(&self, q: &quotes::Quote) -> Quote {
        let language = q.language.clone().or_else(|| self.study_language.clone());
        let same = language
            .as_deref()
            .and_then(Lang::from_tag)
            .is_some_and(|l| l == self.lang);
        let translation = if same {
            None
        } else {
            q.translation(self.lang.tag()).map(str::to_owned)
        };
        let cite = self
            .attributor
            .and_then(|a| a.cite(&q.participants, q.site.as_deref()))
            .unwrap_or_else(|| format!("— {}, {}", q.attribution(), q.source));
        Quote {
            text: q.text.trim().to_owned(),
            language: q.language.clone(),
            attribution: q.attribution(),
            source: q.source.clone(),
            cite,
            start: q.start,
            end: q.end,
            exemplar: q.marked,
            untranslated: language.is_some() && !same && translation.is_none(),
            translation,
        }
    }
}

/// What the results tree shows, counted for the COREQ draft and the
/// methods appendix.
#[derive(Default)]
struct NodeCounts {
    quotes: usize,
    untranslated: usize,
    themes: usize,
    minor: usize,
}

impl NodeCounts {
    fn add(&mut self, nodes: &[ThemeNode], level_name: &HashMap<i64, String>) {
        let theme = level_name.get(&3).map(String::as_str).unwrap_or("theme");
        let sub = level_name
            .get(&2)
            .map(String::as_str)
            .unwrap_or("sub-theme");
        for n in nodes {
            self.quotes += n.quotes.len();
            self.untranslated += n.quotes.iter().filter(|q| q.untranslated).count();
            if n.level == theme {
                self.themes += 1;
            } else if n.level == sub {
                self.minor += 1;
            }
            self.add(&n.children, level_name);
        }
    }
}

fn level_counts(tree: &[CodeNode], level_name: &HashMap<i64, String>) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for n in tree {
        *counts.entry(n.level).or_default() += 1;
    }
    counts
        .into_iter()
        .rev()
        .map(|(rank, n)| {
            (
                level_name
                    .get(&rank)
                    .cloned()
                    .unwrap_or_else(|| rank.to_string()),
                n,
            )
        })
        .collect()
}

/// Returns how many participants speak in more than one interview or focus
/// group (repeat interviews, COREQ item 18).
fn repeat_interviews(store: &dyn ReportReads) -> Result<usize, ReportError> {
    let mut seen: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for row in store.speakers(None)? {
        if let Some(p) = row.participant_id
            && (row.kind == "interview" || row.kind == "focus_group")
        {
            seen.entry(p).or_default().insert(row.source_id);
        }
    }
    Ok(seen.values().filter(|s| s.len() > 1).count())
}

/// Returns the date part of an RFC 3339 time.
pub(crate) fn day(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}
