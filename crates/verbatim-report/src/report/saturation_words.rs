//! The saturation verdict as a sentence in the report's language.
//!
//! In English it is exactly the sentence `verbatim saturation` prints
//! ([`Saturation::sentence`]), so the two can be compared; the French
//! sentence says the same with the same numbers.

use verbatim_analysis::saturation::{Saturation, Verdict};

use super::model::Lang;

/// Returns the verdict of `s` in `lang`.
pub fn sentence(s: &Saturation, lang: Lang) -> String {
    if lang == Lang::En {
        return s.sentence();
    }
    let pct = s.params.threshold * 100.0;
    match &s.verdict {
        Verdict::Reached { after, run } => format!(
            "saturation atteinte après l’entretien {after} au seuil de {pct:.0} %, runs de {} (base de {} : {} codes ; les entretiens {}–{} ont ajouté {} nouveaux codes, {:.1} %)",
            s.params.run,
            s.params.base,
            s.base_codes,
            run.first,
            run.last,
            run.new_codes,
            run.new_information * 100.0
        ),
        Verdict::NotReached { runs_checked } => format!(
            "saturation non atteinte au seuil de {pct:.0} % : chacun des {runs_checked} runs de {} entretiens après la base de {} a ajouté davantage de nouveaux codes",
            s.params.run, s.params.base
        ),
        Verdict::TooFewSources { have, need } => format!(
            "trop peu d’entretiens pour juger de la saturation : {have}, alors qu’une base de {} et un run de {} en demandent {need}",
            s.params.base, s.params.run
        ),
        Verdict::EmptyBase => format!(
            "les {} premiers entretiens ne portent aucun code : la nouvelle information ne peut pas être mesurée",
            s.params.base
        ),
    }
}
