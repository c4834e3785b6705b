//! The divergences section: the coders' themes the team decided to keep
//! apart from the consensus (`verbatim reconcile keep`), each with the
//! coder who held it, the team's note, who decided and when.
//!
//! A consensus that hides its disagreements is not a finding; IPA papers
//! report the readings the team did not merge. The decisions are read with
//! [`verbatim_store::Consensus::decisions`], which needs every coder's
//! layer: before `verbatim reveal` the section says so instead.

use verbatim_store::DecisionKind;

use super::ReportError;
use super::gather::Ctx;
use super::model::{Cell, Lang, Table};
use super::preconceptions::to_minute;

/// Returns the divergences table.
pub(crate) fn table(ctx: &Ctx<'_>) -> Result<Table, ReportError> {
    let lang = ctx.opts.lang;
    let header: &[&str] = match lang {
        Lang::En => &[
            "Code kept apart",
            "Held by",
            "Note",
            "Decided by",
            "When (UTC)",
        ],
        Lang::Fr => &[
            "Code gardé à part",
            "Porté par",
            "Note",
            "Décidé par",
            "Quand (UTC)",
        ],
    };
    let mut table = Table {
        id: "divergences".into(),
        caption: match lang {
            Lang::En => "Divergences: themes kept apart from the consensus".into(),
            Lang::Fr => "Divergences : thèmes gardés à part du consensus".into(),
        },
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        rows: Vec::new(),
        note: None,
    };
    if !ctx.scope.sees_all() {
        table.note = Some(match lang {
            Lang::En => "Not shown: the coders' layers are still blind. Run `verbatim reveal`, then write the report again.".into(),
            Lang::Fr => "Non présentées : les couches des codeurs sont encore aveugles. Lancez `verbatim reveal`, puis refaites le rapport.".into(),
        });
        return Ok(table);
    }
    let command = ctx.cmd.plain("reconcile list", "");
    for d in ctx.store.decisions(&ctx.scope)? {
        if d.kind != DecisionKind::Keep {
            continue;
        }
        for o in &d.origins {
            table.rows.push(vec![
                Cell::text(ctx.name_of(o.code_id, &o.code_name)),
                Cell::text(o.coder.clone().unwrap_or_else(|| "–".into())),
                Cell::text(d.note.clone().unwrap_or_default()),
                Cell::text(d.coder.clone()),
                Cell::traced(to_minute(&d.decided_at), &command),
            ]);
        }
    }
    table.note = Some(match (lang, table.rows.is_empty()) {
        (Lang::En, true) => "No theme was kept apart: every divergence was merged, accepted or rejected.".into(),
        (Lang::Fr, true) => "Aucun thème n’a été gardé à part : chaque divergence a été fusionnée, acceptée ou rejetée.".into(),
        (Lang::En, false) => "Each row is a `verbatim reconcile keep` decision: the coder's code stays in their own codebook, out of the consensus, for the reason noted.".into(),
        (Lang::Fr, false) => "Chaque ligne est une décision `verbatim reconcile keep` : le code reste dans la grille de son codeur, hors du consensus, pour la raison notée.".into(),
    });
    Ok(table)
}
