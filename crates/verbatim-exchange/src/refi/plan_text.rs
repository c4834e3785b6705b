//! The texts of an import plan made storable: NUL dropped from every name,
//! note and value a project carries (`verbatim_core::storable`).
//!
//! Other tools store NUL where SQLite lets them (a QualCoder code name, a
//! journal entry); PostgreSQL's `text` refuses it. Source texts lose theirs
//! in [`super::offsets::canonical_text`], where positions are mapped; the
//! rest is cleaned here in one pass over the finished plan, so a project
//! imports alike into a file and into a PostgreSQL study.

use verbatim_core::storable::NUL;
use verbatim_store::{ImportPlan, PlanTarget};

/// Drops NUL from every text of `plan` but the sources' (already clean).
pub(super) fn drop_nul(plan: &mut ImportPlan) {
    for coder in &mut plan.coders {
        clean(&mut coder.name);
    }
    for source in &mut plan.sources {
        clean(&mut source.item.name);
        clean_opt(&mut source.item.site);
        for (label, _) in &mut source.speaker_map {
            clean(label);
        }
    }
    for code in &mut plan.codes {
        clean(&mut code.name);
        for field in [
            &mut code.colour,
            &mut code.definition,
            &mut code.inclusion,
            &mut code.exclusion,
            &mut code.example,
        ] {
            clean_opt(field);
        }
    }
    for coding in &mut plan.codings {
        clean_opt(&mut coding.memo);
    }
    for (name, code) in &mut plan.sites {
        clean(name);
        clean(code);
    }
    for attribute in &mut plan.attributes {
        clean(&mut attribute.name);
        attribute.allowed.iter_mut().for_each(clean);
    }
    for participant in &mut plan.participants {
        clean_opt(&mut participant.code);
        clean_opt(&mut participant.label);
        participant.values.iter_mut().for_each(|(_, v)| clean(v));
    }
    plan.source_values.iter_mut().for_each(|(_, _, v)| clean(v));
    for memo in &mut plan.memos {
        if let PlanTarget::Participant(code) = &mut memo.target {
            clean(code);
        }
        clean_opt(&mut memo.title);
        clean_opt(&mut memo.author);
        clean(&mut memo.body);
    }
    for entry in &mut plan.journal {
        clean(&mut entry.title);
        clean(&mut entry.body);
        entry
            .links
            .iter_mut()
            .for_each(|(_, relation)| clean(relation));
    }
}

fn clean(text: &mut String) {
    if text.contains(NUL) {
        text.retain(|c| c != NUL);
    }
}

fn clean_opt(text: &mut Option<String>) {
    if let Some(text) = text {
        clean(text);
    }
}
