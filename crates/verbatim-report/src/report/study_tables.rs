//! The tables that describe the study rather than its themes: intercoder
//! agreement, sociodemographics, sources by kind and site.

use verbatim_analysis::reliability::Estimate;
use verbatim_store::{AttrType, SourceSummary, percent_half_up, percent_text};
use verbatim_views::agreement::{AgreementOptions, AgreementView};

use super::ReportError;
use super::gather::Ctx;
use super::model::{Cell, Command, Lang, Table};
use super::words::words;

/// Formats an agreement as the report prints every percentage: whole,
/// rounded half up (`88 %`); an undefined one as `verbatim agreement`
/// words it.
fn percent(e: Estimate) -> String {
    match e {
        Estimate::Defined { value } => percent_text(percent_half_up(value)),
        undefined => undefined.to_string(),
    }
}

/// Intercoder agreement on the codes every coder shares (character level,
/// pooled over sources, NVivo's table; Fleiss' kappa for all coders), when
/// the study is revealed.
pub(crate) fn agreement_table(ctx: &Ctx<'_>) -> Result<Table, ReportError> {
    let (store, opts) = (ctx.store, ctx.opts);
    let command = agreement_command(ctx);
    let mut table = Table {
        id: "agreement".into(),
        caption: words(opts.lang).agreement.into(),
        header: agreement_header(opts.lang),
        rows: Vec::new(),
        note: None,
    };
    // The comparison reads every coder's layer whatever codebook the report
    // shows (a consensus report included): it needs the reveal.
    let compare = match store.scope(&opts.coder, true, false) {
        Ok(compare) => compare,
        Err(verbatim_store::StoreError::Blind) => {
            table.note = Some(match opts.lang {
                Lang::En => "Not computed: the coders' layers are still blind. Run `verbatim reveal`, then write the report again.".into(),
                Lang::Fr => "Non calculé : les couches des codeurs sont encore aveugles. Lancez `verbatim reveal`, puis refaites le rapport.".into(),
            });
            return Ok(table);
        }
        Err(e) => return Err(e.into()),
    };
    let compared = if opts.coders.is_empty() {
        store.coders()?.len()
    } else {
        opts.coders.len()
    };
    if compared < 2 {
        table.note = Some(match opts.lang {
            Lang::En => "Not computed: agreement compares at least two coders.".into(),
            Lang::Fr => "Non calculé : l’accord compare au moins deux codeurs.".into(),
        });
        return Ok(table);
    }
    // The computation `verbatim agreement` makes: each pair over the sources
    // both coders coded, codes paired by name or through the team's merges.
    let view = verbatim_views::agreement::agreement(
        store,
        &compare,
        &AgreementOptions::for_coders(&opts.coders),
    )
    .map_err(|e| match e {
        verbatim_views::ViewError::Store(e) => ReportError::Store(e),
        other => ReportError::BadOption(other.to_string()),
    })?;
    if view.data.codes.is_empty() {
        table.note = Some(match opts.lang {
            Lang::En => "Not computed: no code is shared by every coder (same name in each codebook, the shared codebook, or merged into one consensus code).".into(),
            Lang::Fr => "Non calculé : aucun code n’est commun à tous les codeurs (même nom dans chaque grille, grille commune, ou fusionné en un code du consensus).".into(),
        });
        return Ok(table);
    }
    table.rows = agreement_rows(&view, &command, opts.lang);
    table.note = Some(match opts.lang {
        Lang::En => "Character level, pooled over the sources both coders of a pair coded (NVivo's coding comparison); context-only sources left out. `verbatim agreement` also gives segment-level agreement and Krippendorff's unitizing alpha.".into(),
        Lang::Fr => "Au niveau des caractères, cumulé sur les sources codées par les deux codeurs de chaque paire (comparaison de codage de NVivo) ; sources de contexte exclues. `verbatim agreement` donne aussi l’accord par segments et l’alpha de Krippendorff (unitizing).".into(),
    });
    Ok(table)
}

/// The command line that reproduces the agreement table: `verbatim
/// agreement`, with the report's `--coders` when it names some.
fn agreement_command(ctx: &Ctx<'_>) -> Command {
    let coders = &ctx.opts.coders;
    if coders.is_empty() {
        ctx.cmd.plain("agreement", "")
    } else {
        ctx.cmd.plain(
            "agreement",
            &format!("--coders {}", super::gather::shell_word(&coders.join(","))),
        )
    }
}

/// The agreement table's column headings in the report's language.
fn agreement_header(lang: Lang) -> Vec<String> {
    match lang {
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
    .collect()
}

/// One row per code and pair of coders, then the pooled rows over all
/// codes; Fleiss' kappa is printed once per code, on its first pair.
fn agreement_rows(view: &AgreementView, command: &Command, lang: Lang) -> Vec<Vec<Cell>> {
    let (data, comparison) = (&view.data, &view.comparison);
    let coder = |i: usize| data.coders.get(i).map_or("?", |c| c.name.as_str());
    let overall = match lang {
        Lang::En => "all codes (pooled)",
        Lang::Fr => "tous les codes (cumulés)",
    };
    let mut rows = Vec::new();
    for row in comparison
        .by_code
        .iter()
        .chain(std::iter::once(&comparison.overall))
    {
        let name = data.codes.get(row.code).map_or(overall, String::as_str);
        for (i, p) in row.pairs.iter().enumerate() {
            rows.push(vec![
                Cell::text(name),
                Cell::text(format!("{} / {}", coder(p.a), coder(p.b))),
                Cell::traced(percent(p.chars.percent), command),
                Cell::traced(p.chars.kappa.to_string(), command),
                if i == 0 {
                    Cell::traced(row.group.fleiss.to_string(), command)
                } else {
                    Cell::text("")
                },
            ]);
        }
    }
    rows
}

/// The sociodemographic table as `verbatim participants table --by site`
/// prints it.
pub(crate) fn demographics_table(ctx: &Ctx<'_>) -> Result<Table, ReportError> {
    let (store, opts) = (ctx.store, ctx.opts);
    let w = words(opts.lang);
    let demo = verbatim_store::demographics_of(store, true, false)?;
    let command = ctx.cmd.study("participants table", "--by site");
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
pub(crate) fn sources_table(ctx: &Ctx<'_>, sources: &[SourceSummary]) -> Table {
    let opts = ctx.opts;
    let w = words(opts.lang);
    let command = ctx.cmd.study("sources", "");
    let mut sites: Vec<String> = sources
        .iter()
        .map(|s| s.site.clone().unwrap_or_else(|| "(no site)".into()))
        .collect();
    sites.sort();
    sites.dedup();
    ctx.sites.sort(&mut sites);
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
