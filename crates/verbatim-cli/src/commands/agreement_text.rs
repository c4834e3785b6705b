//! The text output of `verbatim agreement`: which sources each pair was
//! compared on and which were left out, then the character, segment and
//! alpha tables. `agreement.rs` computes; this module only prints.

use std::process::ExitCode;

use verbatim_analysis::agreement::{CodeRow, PairSummary};
use verbatim_analysis::reliability::Estimate;
use verbatim_store::agreement_data::PairedBy;
use verbatim_views::agreement::AgreementView;

use super::agreement::Unitizing;
use super::agreement_domains::Domains;
use super::print_json;
use crate::ui::Table;

/// Names coders, codes and pairs of one comparison for the tables.
struct Names<'a> {
    view: &'a AgreementView,
}

impl Names<'_> {
    fn coder(&self, i: usize) -> &str {
        self.view.coder(i)
    }

    fn code(&self, i: usize) -> &str {
        self.view
            .data
            .codes
            .get(i)
            .map_or("all codes (pooled)", String::as_str)
    }

    fn pair(&self, p: &PairSummary) -> String {
        format!("{} / {}", self.coder(p.a), self.coder(p.b))
    }
}

/// Prints the whole text report.
pub fn print(
    view: &AgreementView,
    unitized: &Unitizing,
    domains: Option<&Domains>,
    threshold: f64,
    by_source: bool,
) {
    print_scope(view);
    let data = &view.data;
    if !data.unshared.is_empty() {
        let shown: Vec<&str> = data.unshared.iter().take(5).map(String::as_str).collect();
        println!(
            "Left out: {} codes not in every compared coder's codebook nor the shared one ({}{}).",
            data.unshared.len(),
            shown.join(", "),
            if data.unshared.len() > shown.len() {
                ", …; --json lists them all"
            } else {
                ""
            }
        );
    }
    if data.codes.is_empty() {
        println!(
            "No shared code to compare: pair the coders' codes with --pair CODER:CODE=CODER:CODE, or build the shared codebook with `verbatim reconcile`."
        );
        return;
    }
    let names = Names { view };
    let comparison = &view.comparison;
    let rows: Vec<&CodeRow> = comparison
        .by_code
        .iter()
        .chain(std::iter::once(&comparison.overall))
        .collect();
    pairs_table(&names, &rows);
    if by_source {
        by_source_table(&names);
    }
    group_table(&names, &rows);
    segments_table(&names, &rows, threshold);
    alphas(&names, unitized, domains);
}

fn pairs_table(names: &Names<'_>, rows: &[&CodeRow]) {
    println!(
        "\nCharacter level, pairs (NVivo Coding Comparison; unit: character; pooled over the sources both coders coded)"
    );
    let mut table = Table::new(&[
        "code",
        "coders",
        "both",
        "A only",
        "B only",
        "neither",
        "agree %",
        "kappa",
        "coded: agree %",
        "NVivo mean κ",
        "weighted",
    ]);
    for row in rows {
        for p in &row.pairs {
            let t = p.chars.table;
            table.row(vec![
                names.code(row.code).to_owned(),
                names.pair(p),
                t.both.to_string(),
                t.a_only.to_string(),
                t.b_only.to_string(),
                t.neither.to_string(),
                percent(p.chars.percent),
                kappa(p.chars.kappa),
                percent(p.chars.coded_percent),
                p.nvivo_means
                    .map_or_else(String::new, |m| format!("{:.4}", m.unweighted)),
                p.nvivo_means
                    .map_or_else(String::new, |m| format!("{:.4}", m.size_weighted)),
            ]);
        }
    }
    print!("{}", table.render());
    println!(
        "kappa: Cohen's on the pooled table. NVivo mean κ / weighted: mean of NVivo's per-source kappas (1 where nobody coded), unweighted / by source size."
    );
    println!(
        "coded: agreement on the characters at least one of the two coders coded (no kappa: with no \"neither\" cell it is never positive)."
    );
}

fn by_source_table(names: &Names<'_>) {
    println!("\nCharacter level by source (sources where at least one coder used the code)");
    let mut table = Table::new(&[
        "code",
        "source",
        "coders",
        "chars",
        "both",
        "A only",
        "B only",
        "agree %",
        "kappa",
        "NVivo kappa",
    ]);
    for row in &names.view.comparison.by_code {
        for s in &row.sources {
            let name = names
                .view
                .data
                .sources
                .get(s.source)
                .map_or("?", |s| s.name.as_str());
            for p in &s.pairs {
                let t = p.chars.table;
                table.row(vec![
                    names.code(row.code).to_owned(),
                    name.to_owned(),
                    names.pair(p),
                    t.total().to_string(),
                    t.both.to_string(),
                    t.a_only.to_string(),
                    t.b_only.to_string(),
                    percent(p.chars.percent),
                    kappa(p.chars.kappa),
                    format!("{:.4}", p.chars.nvivo_kappa),
                ]);
            }
        }
    }
    print!("{}", table.render());
}

fn group_table(names: &Names<'_>, rows: &[&CodeRow]) {
    println!(
        "\nCharacter level, all {} coders (characters as subjects; the sources every coder coded)",
        names.view.data.coders.len()
    );
    let mut table = Table::new(&["code", "Fleiss' kappa", "alpha (character units)"]);
    for row in rows {
        table.row(vec![
            names.code(row.code).to_owned(),
            kappa(row.group.fleiss),
            kappa(row.group.alpha),
        ]);
    }
    print!("{}", table.render());
}

fn segments_table(names: &Names<'_>, rows: &[&CodeRow], threshold: f64) {
    println!(
        "\nSegment level (MAXQDA-style; segments agree when they overlap by ≥ {threshold}% of their union)"
    );
    let mut table = Table::new(&["code", "coders", "agree", "disagree", "total", "agree %"]);
    for row in rows {
        for p in &row.pairs {
            let c = p.segments.counts;
            table.row(vec![
                names.code(row.code).to_owned(),
                names.pair(p),
                c.agreements().to_string(),
                c.disagreements().to_string(),
                (c.agreements() + c.disagreements()).to_string(),
                percent(p.segments.percent),
            ]);
        }
    }
    print!("{}", table.render());
    for p in &names.view.comparison.overall.pairs {
        println!(
            "Brennan & Prediger kappa (segment level, k = {} codes), {}: {}",
            names.view.data.codes.len(),
            names.pair(p),
            kappa(p.segments.kappa)
        );
    }
}

fn alphas(names: &Names<'_>, unitized: &Unitizing, domains: Option<&Domains>) {
    let per_code: Vec<String> = unitized
        .by_code
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} {}", names.code(i), kappa(c.alpha)))
        .collect();
    println!(
        "Unitizing alpha (Krippendorff 1995, 2004), all coders: {} overall; {}",
        kappa(unitized.overall),
        per_code.join(", ")
    );
    if let Some(domains) = domains {
        for d in &domains.within {
            println!(
                "cu-alpha (ATLAS.ti, Krippendorff 2019), domain {} ({}): {} over {:.0} pairable chars",
                d.domain,
                d.codes.join(", "),
                kappa(d.cu_alpha.alpha),
                d.cu_alpha.pairable
            );
        }
        if let Some(across) = &domains.across {
            println!(
                "Cu-alpha across the {} domains: {} over {:.0} pairable chars",
                domains.within.len(),
                kappa(across.alpha),
                across.pairable
            );
        }
    }
}

/// Prints the coders, the codes and how they were paired, and which
/// sources each pair was compared on and which were left out.
pub fn print_scope(view: &AgreementView) {
    let data = &view.data;
    let names: Vec<&str> = data.coders.iter().map(|c| c.name.as_str()).collect();
    println!(
        "{} coders ({}), {} shared codes.",
        names.len(),
        names.join(", "),
        data.codes.len()
    );
    for group in data.groups.iter().filter(|g| g.paired_by != PairedBy::Name) {
        let members: Vec<String> = group
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| format!("{}: {}", view.coder(i), m.join(" + ")))
            .collect();
        let how = match group.paired_by {
            PairedBy::Explicit => "paired with --pair",
            _ => "joined by reconciliation",
        };
        println!("  {} ({how}): {}", group.name, members.join("; "));
    }
    for scope in &view.comparison.pair_scopes {
        let pair: Vec<&str> = scope.coders.iter().map(|&i| view.coder(i)).collect();
        let sources: Vec<&str> = view
            .sources_of(scope)
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        if sources.is_empty() {
            println!(
                "{}: no source coded by both: not compared.",
                pair.join(" / ")
            );
        } else {
            println!(
                "{}: compared on the {} sources both coded ({} chars): {}.",
                pair.join(" / "),
                sources.len(),
                scope.chars,
                sources.join(", ")
            );
        }
    }
    if data.coders.len() > 2 {
        let group = &view.comparison.group_scope;
        println!(
            "All {} coders (Fleiss, alphas): {} sources every coder coded ({} chars).",
            data.coders.len(),
            group.sources.len(),
            group.chars
        );
    }
    let left_out = view.left_out();
    if !left_out.is_empty() {
        let shown: Vec<String> = left_out
            .iter()
            .map(|l| format!("{} (not coded by {})", l.source.name, l.missing.join(", ")))
            .collect();
        println!(
            "Left out, because a coder did not code them: {}.",
            shown.join("; ")
        );
    }
    if !data.off_level.is_empty() {
        println!(
            "Left out: {} codes with no ancestor at the level compared ({}).",
            data.off_level.len(),
            data.off_level.join(", ")
        );
    }
}

/// Prints MAXQDA's document-level comparison over the sources both
/// coders coded.
pub fn print_document_level(view: &AgreementView, json: bool) -> anyhow::Result<ExitCode> {
    let rows = view.document_level();
    if json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_scope(view);
    let mut table = Table::new(&[
        "code",
        "documents",
        "presence agrees",
        "%",
        "frequency agrees",
        "%",
    ]);
    for r in &rows {
        table.row(vec![
            view.data.codes.get(r.code).cloned().unwrap_or_default(),
            r.documents.to_string(),
            r.presence_agree.to_string(),
            percent(r.presence_percent),
            r.frequency_agree.to_string(),
            percent(r.frequency_percent),
        ]);
    }
    print!("{}", table.render());
    Ok(ExitCode::SUCCESS)
}

fn percent(e: Estimate) -> String {
    match e {
        Estimate::Defined { value } => format!("{:.2}", value * 100.0),
        undefined => undefined.to_string(),
    }
}

fn kappa(e: Estimate) -> String {
    e.to_string()
}
