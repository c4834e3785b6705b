//! Gathering a [`Report`] from a study: the results tree with prevalence
//! and quotes, the tables, the methods appendix and the COREQ draft.
//!
//! Every number is computed by the same `verbatim-analysis` function the
//! matching command calls, on the same data, and carries that command's
//! line ([`Command`]) so a reader can reproduce it. Blind coding holds: the
//! report reads through a [`Scope`] for the acting coder, which sees other
//! coders' layers only once the study is revealed; what needs every layer
//! (agreement, the shared codebook) is left out with a note until then.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use verbatim_analysis::agreement::{self, Passage as AgreementPassage};
use verbatim_analysis::evidence::{below, supporting, triangulate};
use verbatim_analysis::reliability::Estimate;
use verbatim_analysis::saturation::{self, Params};
use verbatim_store::{
    AppliesTo, AttrType, Book, CodeNode, Scope, SourceSummary, SpanFilter, SqliteStore, Store,
};

use crate::figures::{heatmap, saturation as saturation_figure, tree};
use crate::quotes::{self, QuoteOptions};

use super::ReportError;
use super::coreq::{self, StudyFacts};
use super::evidence::{self, Evidence};
use super::model::{
    Cell, Command, Count, Fact, Figure, Lang, Prevalence, Quote, Report, SaturationRow, Table,
    ThemeNode,
};
use super::words::words;

/// What to report and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The coder acting (whose layer the report reads through).
    pub coder: String,
    /// Report the shared codebook instead of the coder's own.
    pub shared: bool,
    /// The labels' language and the translations' target.
    pub lang: Lang,
    /// Quotes per theme when none is marked as an exemplar.
    pub quotes: usize,
    /// How the printed commands name the study (`--project` value).
    pub project: String,
}

/// Returns the report the options describe.
pub fn gather(store: &SqliteStore, opts: &Options) -> Result<Report, ReportError> {
    let revealed = store.is_revealed()?;
    if opts.shared && !revealed {
        return Err(ReportError::SharedNeedsReveal);
    }
    let scope = store.scope(&opts.coder, revealed, false)?;
    let me = scope.coder().clone();
    let cmd = Commands::new(opts);
    let (book, coder_filter) = if opts.shared {
        (Book::Shared, None)
    } else {
        (Book::Own, Some(me.id))
    };
    let ev = evidence::load(store, &scope, book, coder_filter)?;
    let levels = store.levels()?;
    let level_name: HashMap<i64, String> =
        levels.iter().map(|l| (l.rank, l.name.clone())).collect();
    let chosen = quotes::select(
        store,
        &scope,
        book,
        &QuoteOptions {
            fallback: opts.quotes,
            ..QuoteOptions::default()
        },
    )?;
    let mut quotes_of: HashMap<i64, Vec<Quote>> = HashMap::new();
    for code in chosen {
        let list = code.quotes.iter().map(|q| quote_of(q, opts.lang)).collect();
        quotes_of.insert(code.code_id, list);
    }
    let results = results_tree(&ev, &level_name, &mut quotes_of, &cmd);

    let coders: Vec<String> = if opts.shared {
        store.coders()?.into_iter().map(|c| c.name).collect()
    } else {
        vec![me.name.clone()]
    };
    let study = store.study()?;
    let sources = store.sources()?;
    let saturation = saturation_rows(store, &scope, &coders, &sources, &cmd)?;
    let preconceptions = preconceptions_table(store, &scope, &coders, &ev, opts, &cmd)?;
    let agreement = agreement_table(store, &scope, opts, &cmd)?;
    let sociodemographics = demographics_table(store, opts, &cmd)?;
    let sources_table = sources_table(&sources, opts, &cmd);
    let mut quotes = 0;
    let mut themes = 0;
    let mut minor = 0;
    count_nodes(&results, &level_name, &mut quotes, &mut themes, &mut minor);
    let methods = methods_facts(store, &scope, coder_filter, &ev, &sources, opts, &cmd)?;
    let facts = StudyFacts {
        participants: ev.participants.len(),
        sites: ev
            .by_site
            .keys()
            .filter(|s| *s != "(no site)")
            .cloned()
            .collect(),
        interviews: sources.iter().filter(|s| s.kind == "interview").count(),
        focus_groups: sources.iter().filter(|s| s.kind == "focus_group").count(),
        observations: sources.iter().filter(|s| s.kind == "observation").count(),
        context: sources.iter().filter(|s| s.kind == "context").count(),
        coders: store.coders()?.into_iter().map(|c| c.name).collect(),
        guides: store.guides()?.len(),
        saturation: saturation
            .iter()
            .find(|r| r.site.is_none())
            .map(|r| r.saturation.sentence()),
        tree_levels: level_counts(&ev.tree, &level_name),
        themes,
        minor_themes: minor,
        quotes,
        withdrawn: store.withdrawn_participants()?,
        deidentified: !store.deidentifications()?.is_empty(),
        sealed_preconceptions: preconceptions.rows.len(),
        repeat_interviews: repeat_interviews(store)?,
    };
    let figures = figures(store, &scope, book, &results, opts)?;
    Ok(Report {
        lang: opts.lang,
        title: study.title,
        coder: (!opts.shared).then(|| me.name.clone()),
        results,
        figures,
        sociodemographics,
        preconceptions,
        agreement,
        saturation,
        sources: sources_table,
        methods,
        coreq: coreq::draft(&facts, opts.lang),
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
    fn tree(&self, name: &str, level: &str) -> Command {
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
    cmd: &Commands,
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
        cmd,
    };
    roots.into_iter().map(|n| ctx.node(n)).collect()
}

struct TreeContext<'a> {
    ev: &'a Evidence,
    below: &'a HashMap<i64, HashSet<i64>>,
    children: &'a HashMap<i64, Vec<&'a CodeNode>>,
    level_name: &'a HashMap<i64, String>,
    quotes: &'a mut HashMap<i64, Vec<Quote>>,
    cmd: &'a Commands,
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
                .ev
                .by_site
                .iter()
                .map(|(site, people)| {
                    (
                        site.clone(),
                        Count {
                            n: by_site.get(site).copied().unwrap_or(0),
                            of: people.len(),
                        },
                    )
                })
                .collect(),
            command: self.cmd.tree("triangulation", &level),
            total_command: self.cmd.tree("ipa-table", &level),
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
            name: n.name.clone(),
            level,
            definition: n.fields.definition.clone().filter(|d| !d.trim().is_empty()),
            prevalence,
            passages: support.len(),
            quotes,
            children: kids,
        }
    }
}

/// Returns a chosen quote as the report shows it: attributed, and
/// translated into the report's language when its source is in another.
fn quote_of(q: &quotes::Quote, lang: Lang) -> Quote {
    let same = q
        .language
        .as_deref()
        .and_then(Lang::from_tag)
        .is_some_and(|l| l == lang);
    Quote {
        text: q.text.trim().to_owned(),
        language: q.language.clone(),
        attribution: q.attribution(),
        source: q.source.clone(),
        start: q.start,
        end: q.end,
        exemplar: q.marked,
        translation: if same {
            None
        } else {
            q.translation(lang.tag()).map(str::to_owned)
        },
    }
}

/// Draws the report's figures with `crate::figures`: one theme tree per
/// top node (down to sub-themes), the saturation curve of the coder (or
/// of each coder for the shared codebook) and the triangulation heat map
/// of the themes.
fn figures(
    store: &SqliteStore,
    scope: &Scope,
    book: Book,
    results: &[ThemeNode],
    opts: &Options,
) -> Result<Vec<Figure>, ReportError> {
    let fr = opts.lang == Lang::Fr;
    let mut out = Vec::new();
    for (i, root) in results.iter().enumerate() {
        let figure = tree::gather(
            store,
            scope,
            book,
            &tree::TreeOptions {
                meta: Some(root.name.clone()),
                lowest_level: Some(2),
                ..tree::TreeOptions::default()
            },
        )?;
        let (caption, alt) = if fr {
            (
                format!(
                    "Figure {} — {} : arbre des thèmes, participants par nœud",
                    i + 1,
                    root.name
                ),
                format!(
                    "{} ({} participants sur {}) : {}.",
                    root.name,
                    root.prevalence.overall.n,
                    root.prevalence.overall.of,
                    describe(root)
                ),
            )
        } else {
            (
                format!(
                    "Figure {} — {}: theme tree, participants per node",
                    i + 1,
                    root.name
                ),
                format!(
                    "{} ({} of {} participants): {}.",
                    root.name,
                    root.prevalence.overall.n,
                    root.prevalence.overall.of,
                    describe(root)
                ),
            )
        };
        out.push(Figure {
            stem: format!("figure-{}-tree", i + 1),
            caption,
            alt,
            svg: tree::draw(&figure),
        });
    }
    let coders: Vec<verbatim_store::Coder> = if opts.shared {
        store.coders()?
    } else {
        vec![scope.coder().clone()]
    };
    for coder in coders {
        let figure = saturation_figure::gather(
            store,
            scope,
            &coder,
            &saturation_figure::SaturationOptions::default(),
        )?;
        let n = out.len() + 1;
        out.push(Figure {
            stem: format!("figure-{n}-saturation-{}", coder.name),
            caption: if fr {
                format!(
                    "Figure {n} — Saturation ({}) : nouveaux codes par entretien et cumul",
                    coder.name
                )
            } else {
                format!(
                    "Figure {n} — Saturation ({}): new codes per interview and cumulative codes",
                    coder.name
                )
            },
            alt: figure.sentence.clone(),
            svg: saturation_figure::draw(&figure),
        });
    }
    if let Ok(theme) = store.level_rank_of("theme") {
        let attributes = store.attributes(AppliesTo::Participant)?;
        let attribute = attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case("occupation"))
            .or_else(|| attributes.iter().find(|a| a.kind == AttrType::Category))
            .map_or("occupation", |a| a.name.as_str());
        let figure = heatmap::gather(store, scope, book, theme, attribute, false)?;
        let n = out.len() + 1;
        out.push(Figure {
            stem: format!("figure-{n}-triangulation"),
            caption: if fr {
                format!("Figure {n} — Triangulation : participants par thème, site, {attribute} et mode de recueil")
            } else {
                format!("Figure {n} — Triangulation: participants per theme by site, {attribute} and mode of collection")
            },
            alt: figure
                .rows
                .iter()
                .map(|r| format!("{}: {}", r.theme, r.participants))
                .collect::<Vec<_>>()
                .join("; "),
            svg: heatmap::draw(&figure),
        });
    }
    Ok(out)
}

/// Returns a node's children and their counts, for a figure's alt text.
fn describe(node: &ThemeNode) -> String {
    node.children
        .iter()
        .map(|c| {
            let inner = if c.children.is_empty() {
                String::new()
            } else {
                format!(
                    " [{}]",
                    c.children
                        .iter()
                        .map(|g| format!("{} {}", g.name, g.prevalence.overall.n))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            format!("{} {}{inner}", c.name, c.prevalence.overall.n)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn count_nodes(
    nodes: &[ThemeNode],
    level_name: &HashMap<i64, String>,
    quotes: &mut usize,
    themes: &mut usize,
    minor: &mut usize,
) {
    let theme = level_name.get(&3).map(String::as_str).unwrap_or("theme");
    let sub = level_name
        .get(&2)
        .map(String::as_str)
        .unwrap_or("sub-theme");
    for n in nodes {
        *quotes += n.quotes.len();
        if n.level == theme {
            *themes += 1;
        } else if n.level == sub {
            *minor += 1;
        }
        count_nodes(&n.children, level_name, quotes, themes, minor);
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
fn repeat_interviews(store: &SqliteStore) -> Result<usize, ReportError> {
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

/// Saturation per coder, overall and by site, as `verbatim saturation
/// --by-site` computes it with its defaults (codes as applied, collection
/// order by the sources' `date`, interviews and focus groups).
fn saturation_rows(
    store: &SqliteStore,
    scope: &Scope,
    coders: &[String],
    sources: &[SourceSummary],
    cmd: &Commands,
) -> Result<Vec<SaturationRow>, ReportError> {
    let dates = store.source_values_of("date")?;
    let mut ordered: Vec<&SourceSummary> = sources
        .iter()
        .filter(|s| s.kind == "interview" || s.kind == "focus_group")
        .collect();
    ordered.sort_by_key(|s| {
        let date = dates.get(&s.id);
        (date.is_none(), date.cloned(), s.id)
    });
    let mut sites: Vec<String> = ordered.iter().filter_map(|s| s.site.clone()).collect();
    sites.sort();
    sites.dedup();
    let mut out = Vec::new();
    for name in coders {
        let Some(coder) = store.coder_by_name(name)? else {
            continue;
        };
        let command = if coder.id == scope.coder().id {
            cmd.plain("saturation", "--by-site")
        } else {
            cmd.plain(
                "saturation",
                &format!("--coders {} --all --by-site", shell_word(&coder.name)),
            )
        };
        let spans = store.coding_spans(
            scope,
            &SpanFilter {
                coder: Some(coder.id),
                ..SpanFilter::default()
            },
        )?;
        let mut per_source: HashMap<i64, BTreeSet<i64>> = HashMap::new();
        for s in spans {
            per_source.entry(s.source_id).or_default().insert(s.code_id);
        }
        let groups = std::iter::once(None).chain(sites.iter().map(Some));
        for site in groups {
            let input: Vec<(String, BTreeSet<i64>)> = ordered
                .iter()
                .filter(|s| site.is_none_or(|site| s.site.as_ref() == Some(site)))
                .map(|s| {
                    (
                        s.name.clone(),
                        per_source.get(&s.id).cloned().unwrap_or_default(),
                    )
                })
                .collect();
            out.push(SaturationRow {
                coder: coder.name.clone(),
                site: site.cloned(),
                saturation: saturation::assess(&input, Params::default()),
                command: command.clone(),
            });
        }
    }
    Ok(out)
}

/// What a preconception's link to a code came to, as `verbatim confront`
/// words it.
pub(crate) fn outcome(relation: &str, supported: bool, lang: Lang) -> &'static str {
    match (lang, relation, supported) {
        (Lang::En, "expected", true) => "expected and emerged",
        (Lang::En, "expected", false) => "expected but absent: no passage supports it",
        (Lang::En, "absent", false) => "absent, as recorded",
        (Lang::En, "absent", true) => "recorded as absent, yet passages support it: review",
        (Lang::En, "emerged", true) => "emerged beyond what was expected",
        (Lang::En, "emerged", false) => "recorded as emerged, but no passage supports it: review",
        (Lang::En, "reversed", _) => {
            "emerged reversed: the data say the opposite of the expectation"
        }
        (Lang::En, _, _) => "recorded",
        (Lang::Fr, "expected", true) => "attendu et apparu",
        (Lang::Fr, "expected", false) => "attendu mais absent : aucun passage ne le soutient",
        (Lang::Fr, "absent", false) => "absent, comme consigné",
        (Lang::Fr, "absent", true) => {
            "consigné absent, mais des passages le soutiennent : à revoir"
        }
        (Lang::Fr, "emerged", true) => "apparu au-delà de l’attendu",
        (Lang::Fr, "emerged", false) => {
            "consigné comme apparu, mais aucun passage ne le soutient : à revoir"
        }
        (Lang::Fr, "reversed", _) => {
            "apparu inversé : les données disent le contraire de l’attente"
        }
        (Lang::Fr, _, _) => "consigné",
    }
}

/// The sealed preconceptions of the coders reported, each link with its
/// evidence and outcome, as `verbatim confront` gives them.
fn preconceptions_table(
    store: &SqliteStore,
    scope: &Scope,
    coders: &[String],
    own: &Evidence,
    opts: &Options,
    cmd: &Commands,
) -> Result<Table, ReportError> {
    let w = words(opts.lang);
    let entries = store.entries(scope)?;
    let mut rows = Vec::new();
    for name in coders {
        let Some(coder) = store.coder_by_name(name)? else {
            continue;
        };
        let mine = coder.id == scope.coder().id;
        let loaded;
        let ev = if mine && !opts.shared {
            own
        } else {
            let book = if mine { Book::Own } else { Book::Of(coder.id) };
            loaded = evidence::load(store, scope, book, Some(coder.id))?;
            &loaded
        };
        let command = if mine {
            cmd.plain("confront", "")
        } else {
            cmd.plain("confront", "--all")
        };
        let tree_below = below(&ev.nodes);
        for e in entries
            .iter()
            .filter(|e| e.coder == coder.name && e.kind == "preconception" && e.sealed_at.is_some())
        {
            let mut lines = Vec::new();
            for l in &e.links {
                let support = supporting(l.code_id, &tree_below, &ev.passages);
                let people: HashSet<&String> =
                    support.iter().flat_map(|p| &p.participants).collect();
                lines.push(format!(
                    "{} [{}]: {} — {} {}, {} {}",
                    l.code,
                    l.relation,
                    outcome(&l.relation, !support.is_empty(), opts.lang),
                    support.len(),
                    w.passages,
                    people.len(),
                    w.participants
                ));
            }
            rows.push(vec![
                Cell::text(coder.name.clone()),
                Cell::text(e.title.clone()),
                Cell::text(e.sealed_at.clone().unwrap_or_default()),
                Cell::text(e.content_hash.clone().unwrap_or_default()),
                Cell::traced(lines.join("\n"), &command),
            ]);
        }
    }
    let (header, note) = match opts.lang {
        Lang::En => (
            [
                "Coder",
                "Preconception",
                "Sealed at",
                "SHA-256",
                "Confrontation",
            ],
            "Each entry was sealed (SHA-256 of its content, time) before coding; `verbatim journal verify` recomputes the seals.",
        ),
        Lang::Fr => (
            [
                "Codeur",
                "Préconception",
                "Scellée le",
                "SHA-256",
                "Confrontation",
            ],
            "Chaque entrée a été scellée (SHA-256 de son contenu, heure) avant le codage ; `verbatim journal verify` recalcule les sceaux.",
        ),
    };
    let note = if rows.is_empty() {
        match opts.lang {
            Lang::En => "No sealed preconception was recorded.",
            Lang::Fr => "Aucune préconception scellée n’a été consignée.",
        }
    } else {
        note
    };
    Ok(Table {
        id: "preconceptions".into(),
        caption: w.preconceptions.into(),
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        rows,
        note: Some(note.into()),
    })
}

/// Formats an estimate as `verbatim agreement` prints it: percentages with
/// two decimals, coefficients with four.
fn percent(e: Estimate) -> String {
    match e {
        Estimate::Defined { value } => format!("{:.2}", value * 100.0),
        undefined => undefined.to_string(),
    }
}

/// Intercoder agreement on the codes every coder shares (character level,
/// pooled over sources, NVivo's table; Fleiss' kappa for all coders), when
/// the study is revealed.
fn agreement_table(
    store: &SqliteStore,
    scope: &Scope,
    opts: &Options,
    cmd: &Commands,
) -> Result<Table, ReportError> {
    let w = words(opts.lang);
    let command = cmd.plain("agreement", "");
    let header: Vec<String> = match opts.lang {
        Lang::En => [
            "Code",
            "Coders",
            "Agreement %",
            "Cohen's κ",
            "Fleiss' κ (all coders)",
        ],
        Lang::Fr => [
            "Code",
            "Codeurs",
            "Accord %",
            "κ de Cohen",
            "κ de Fleiss (tous)",
        ],
    }
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    let mut table = Table {
        id: "agreement".into(),
        caption: w.agreement.into(),
        header,
        rows: Vec::new(),
        note: None,
    };
    if !scope.sees_all() {
        table.note = Some(match opts.lang {
            Lang::En => "Not computed: the coders' layers are still blind. Run `verbatim reveal`, then write the report again.".into(),
            Lang::Fr => "Non calculé : les couches des codeurs sont encore aveugles. Lancez `verbatim reveal`, puis refaites le rapport.".into(),
        });
        return Ok(table);
    }
    if store.coders()?.len() < 2 {
        table.note = Some(match opts.lang {
            Lang::En => "Not computed: the study has one coder.".into(),
            Lang::Fr => "Non calculé : l’étude n’a qu’un codeur.".into(),
        });
        return Ok(table);
    }
    let data = store.agreement_data(scope, &[], None)?;
    if data.codes.is_empty() {
        table.note = Some(match opts.lang {
            Lang::En => "Not computed: no code is shared by every coder (same name in each codebook, or the shared codebook).".into(),
            Lang::Fr => "Non calculé : aucun code n’est commun à tous les codeurs (même nom dans chaque grille, ou grille commune).".into(),
        });
        return Ok(table);
    }
    let mut passages: Vec<AgreementPassage> = data
        .spans
        .iter()
        .map(|s| AgreementPassage {
            source: s.source,
            code: s.code,
            coder: s.coder,
            start: s.start,
            end: s.end,
        })
        .collect();
    let sizes: Vec<u64> = data.sources.iter().map(|s| s.chars).collect();
    let comparison = agreement::compare(
        data.coders.len(),
        data.codes.len(),
        &sizes,
        &mut passages,
        0.9,
        agreement::OverlapBase::Union,
        false,
    );
    let coder = |i: usize| data.coders.get(i).map_or("?", |c| c.name.as_str());
    let overall = match opts.lang {
        Lang::En => "all codes (pooled)",
        Lang::Fr => "tous les codes (cumulés)",
    };
    for row in comparison
        .by_code
        .iter()
        .chain(std::iter::once(&comparison.overall))
    {
        let name = data.codes.get(row.code).map_or(overall, String::as_str);
        for (i, p) in row.pairs.iter().enumerate() {
            table.rows.push(vec![
                Cell::text(name),
                Cell::text(format!("{} / {}", coder(p.a), coder(p.b))),
                Cell::traced(percent(p.chars.percent), &command),
                Cell::traced(p.chars.kappa.to_string(), &command),
                if i == 0 {
                    Cell::traced(row.group.fleiss.to_string(), &command)
                } else {
                    Cell::text("")
                },
            ]);
        }
    }
    table.note = Some(match opts.lang {
        Lang::En => "Character level, pooled over sources (NVivo's coding comparison); context-only sources left out. `verbatim agreement` also gives segment-level agreement and Krippendorff's unitizing alpha.".into(),
        Lang::Fr => "Au niveau des caractères, cumulé sur les sources (comparaison de codage de NVivo) ; sources de contexte exclues. `verbatim agreement` donne aussi l’accord par segments et l’alpha de Krippendorff (unitizing).".into(),
    });
    Ok(table)
}

/// The sociodemographic table as `verbatim participants table --by site`
/// prints it.
fn demographics_table(
    store: &SqliteStore,
    opts: &Options,
    cmd: &Commands,
) -> Result<Table, ReportError> {
    let w = words(opts.lang);
    let demo = store.demographics(true, false)?;
    let command = cmd.study("participants table", "--by site");
    let mut header = vec![String::new()];
    header.extend(
        demo.columns
            .iter()
            .map(|c| format!("{} (n={})", c.name, c.n)),
    );
    let width = header.len();
    let mut rows = Vec::new();
    let mut last = String::new();
    for r in &demo.rows {
        if r.attribute != last && r.value.is_some() {
            let mut row = vec![Cell::text(r.attribute.clone())];
            row.resize(width, Cell::text(""));
            rows.push(row);
            last = r.attribute.clone();
        }
        let label = match &r.value {
            Some(v) => format!("  {v}"),
            None => {
                last = r.attribute.clone();
                let stat = match r.kind {
                    AttrType::Number => "mean (min–max)",
                    AttrType::Date => "range",
                    _ => "n (%)",
                };
                format!("{} ({stat})", r.attribute)
            }
        };
        let mut row = vec![Cell::text(label)];
        row.extend(r.cells.iter().map(|c| Cell::traced(c.display(), &command)));
        rows.push(row);
    }
    Ok(Table {
        id: "sociodemographics".into(),
        caption: w.sociodemographics.into(),
        header,
        rows,
        note: Some(match opts.lang {
            Lang::En => "Participants heard only in context sources are left out.".into(),
            Lang::Fr => {
                "Les participants entendus seulement dans des sources de contexte sont exclus."
                    .into()
            }
        }),
    })
}

/// Sources by kind (rows) and site (columns).
fn sources_table(sources: &[SourceSummary], opts: &Options, cmd: &Commands) -> Table {
    let w = words(opts.lang);
    let command = cmd.study("sources", "");
    let mut sites: Vec<String> = sources
        .iter()
        .map(|s| s.site.clone().unwrap_or_else(|| "(no site)".into()))
        .collect();
    sites.sort();
    sites.dedup();
    let mut kinds: Vec<&str> = sources.iter().map(|s| s.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut header = vec![match opts.lang {
        Lang::En => "Kind".to_owned(),
        Lang::Fr => "Type".to_owned(),
    }];
    header.extend(sites.iter().cloned());
    header.push("Total".into());
    let rows = kinds
        .iter()
        .map(|kind| {
            let label = if *kind == "context" {
                match opts.lang {
                    Lang::En => "context (read, not counted)".to_owned(),
                    Lang::Fr => "contexte (lu, non compté)".to_owned(),
                }
            } else {
                kind.replace('_', " ")
            };
            let mut row = vec![Cell::text(label)];
            for site in &sites {
                let n = sources
                    .iter()
                    .filter(|s| s.kind == *kind && s.site.as_deref().unwrap_or("(no site)") == site)
                    .count();
                row.push(Cell::traced(n.to_string(), &command));
            }
            let total = sources.iter().filter(|s| s.kind == *kind).count();
            row.push(Cell::traced(total.to_string(), &command));
            row
        })
        .collect();
    Table {
        id: "sources".into(),
        caption: w.sources_by_kind.into(),
        header,
        rows,
        note: None,
    }
}

/// Returns the date part of an RFC 3339 time.
fn day(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}

#[allow(clippy::too_many_arguments)]
fn methods_facts(
    store: &SqliteStore,
    scope: &Scope,
    coder_filter: Option<i64>,
    ev: &Evidence,
    sources: &[SourceSummary],
    opts: &Options,
    cmd: &Commands,
) -> Result<Vec<Fact>, ReportError> {
    let fr = opts.lang == Lang::Fr;
    let label = |en: &str, fr_text: &str| {
        if fr {
            fr_text.to_owned()
        } else {
            en.to_owned()
        }
    };
    let study = store.study()?;
    let mut facts = vec![
        Fact {
            label: label("Study", "Étude"),
            value: Cell::text(study.title.clone()),
        },
        Fact {
            label: label("Study file created", "Fichier d’étude créé le"),
            value: Cell::text(day(&study.created_at)),
        },
        Fact {
            label: label("Codebook reported", "Grille de codage présentée"),
            value: Cell::text(if opts.shared {
                label("shared codebook", "grille commune")
            } else {
                format!("{} {}", words(opts.lang).codebook_of, opts.coder)
            }),
        },
        Fact {
            label: label(
                "Participants heard in counted sources (N)",
                "Participants entendus dans les sources comptées (N)",
            ),
            value: Cell::traced(
                ev.participants.len().to_string(),
                &cmd.tree("ipa-table", "theme"),
            ),
        },
    ];
    let all_coders = store.coders()?;
    facts.push(Fact {
        label: label("Coders", "Codeurs"),
        value: Cell::traced(
            format!(
                "{} ({})",
                all_coders.len(),
                all_coders
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &cmd.study("coder list", ""),
        ),
    });
    if let Some(period) = store.coding_period(scope, coder_filter)? {
        facts.push(Fact {
            label: label("Coding period", "Période de codage"),
            value: Cell::text(format!("{} – {}", day(&period.first), day(&period.last))),
        });
    }
    let imported: Vec<&str> = sources.iter().map(|s| day(&s.imported_at)).collect();
    if let (Some(first), Some(last)) = (imported.iter().min(), imported.iter().max()) {
        facts.push(Fact {
            label: label("Sources imported", "Sources importées"),
            value: Cell::text(format!("{first} – {last}")),
        });
    }
    let dates = store.source_values_of("date")?;
    let collected: BTreeSet<&String> = dates.values().collect();
    if let (Some(first), Some(last)) = (collected.first(), collected.last()) {
        facts.push(Fact {
            label: label(
                "Data collected (sources' date)",
                "Données recueillies (date des sources)",
            ),
            value: Cell::text(format!("{first} – {last}")),
        });
    }
    let deid = store.deidentifications()?;
    facts.push(Fact {
        label: label("De-identification", "Désidentification"),
        value: Cell::text(if deid.is_empty() {
            label("not applied in verbatim", "non appliquée dans verbatim")
        } else {
            deid.iter()
                .map(|d| {
                    format!(
                        "{} {} ({} {}, {} {}, SHA-256 {})",
                        label("yes,", "oui,"),
                        day(&d.applied_at),
                        d.names,
                        label("names", "noms"),
                        d.replacements,
                        label("replacements", "remplacements"),
                        d.names_sha256
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        }),
    });
    let withdrawn = store.withdrawn_participants()?;
    facts.push(Fact {
        label: label("Participants who withdrew", "Participants retirés"),
        value: Cell::traced(
            withdrawn.to_string(),
            &cmd.study("participants consent", ""),
        ),
    });
    let context: Vec<&str> = sources
        .iter()
        .filter(|s| s.kind == "context")
        .map(|s| s.name.as_str())
        .collect();
    facts.push(Fact {
        label: label(
            "Context-only sources excluded from every count",
            "Sources de contexte exclues de tout décompte",
        ),
        value: Cell::traced(
            if context.is_empty() {
                "0".to_owned()
            } else {
                format!("{} ({})", context.len(), context.join("; "))
            },
            &cmd.study("sources", ""),
        ),
    });
    Ok(facts)
}
