//! The COREQ checklist (Consolidated criteria for reporting qualitative
//! research: Tong, Sainsbury & Craig, *Int J Qual Health Care* 19(6), 2007),
//! drafted from what the study records.
//!
//! The 32 items are worded here in our own short form. An item is filled
//! only with what the study file knows for certain (counts, sites, coders,
//! saturation, quotes); anything that depends on what happened outside the
//! software (who interviewed, credentials, recording, duration…) is left
//! "to complete by the authors", never guessed.

use super::model::{CoreqAnswer, CoreqItem, Lang};

/// What the study knows that the checklist asks.
#[derive(Debug, Clone, Default)]
pub struct StudyFacts {
    /// Participants heard in counted sources.
    pub participants: usize,
    /// Site codes.
    pub sites: Vec<String>,
    /// Interviews.
    pub interviews: usize,
    /// Focus groups.
    pub focus_groups: usize,
    /// Field observation notes.
    pub observations: usize,
    /// Context-only sources.
    pub context: usize,
    /// Coder names.
    pub coders: Vec<String>,
    /// Interview guides recorded.
    pub guides: usize,
    /// The saturation verdict, all sites, in the report's language, and
    /// whose codebook it comes from: `None` for the team's consensus
    /// codebook, else the coder's name.
    pub saturation: Option<(String, Option<String>)>,
    /// Codes per level in the reported tree, highest level first.
    pub tree_levels: Vec<(String, usize)>,
    /// Themes shown.
    pub themes: usize,
    /// Sub-themes shown.
    pub minor_themes: usize,
    /// Quotes shown.
    pub quotes: usize,
    /// Participants who withdrew.
    pub withdrawn: i64,
    /// Whether names were replaced in verbatim.
    pub deidentified: bool,
    /// Sealed preconceptions reported.
    pub sealed_preconceptions: usize,
    /// Participants heard in more than one interview or focus group.
    pub repeat_interviews: usize,
}

const TEAM: &str = "Research team and reflexivity";
const DESIGN: &str = "Study design";
const ANALYSIS: &str = "Analysis and findings";

/// The 32 items: domain, short name, question.
const ITEMS: [(&str, &str, &str); 32] = [
    (
        TEAM,
        "Interviewer or facilitator",
        "Who conducted the interviews or focus groups?",
    ),
    (
        TEAM,
        "Credentials",
        "Which credentials did the researchers hold?",
    ),
    (
        TEAM,
        "Occupation",
        "What was their occupation at the time of the study?",
    ),
    (TEAM, "Gender", "What was the researchers' gender?"),
    (
        TEAM,
        "Experience and training",
        "What experience or training in qualitative research did they have?",
    ),
    (
        TEAM,
        "Relationship established",
        "Did a relationship exist before the study began?",
    ),
    (
        TEAM,
        "Participants' knowledge of the interviewer",
        "What did participants know about the researcher and the study's goals?",
    ),
    (
        TEAM,
        "Interviewer characteristics",
        "Which characteristics of the researcher (assumptions, interests, biases) are reported?",
    ),
    (
        DESIGN,
        "Methodological orientation and theory",
        "Which orientation underpinned the study?",
    ),
    (DESIGN, "Sampling", "How were participants selected?"),
    (
        DESIGN,
        "Method of approach",
        "How were participants approached?",
    ),
    (DESIGN, "Sample size", "How many participants took part?"),
    (
        DESIGN,
        "Non-participation",
        "How many refused or dropped out, and why?",
    ),
    (
        DESIGN,
        "Setting of data collection",
        "Where were the data collected?",
    ),
    (
        DESIGN,
        "Presence of non-participants",
        "Was anyone else present besides participants and researchers?",
    ),
    (
        DESIGN,
        "Description of sample",
        "What are the important characteristics of the sample?",
    ),
    (
        DESIGN,
        "Interview guide",
        "Were questions or prompts provided, and was the guide pilot-tested?",
    ),
    (
        DESIGN,
        "Repeat interviews",
        "Were repeat interviews carried out, and how many?",
    ),
    (
        DESIGN,
        "Audio or visual recording",
        "Were the sessions recorded?",
    ),
    (
        DESIGN,
        "Field notes",
        "Were field notes made during or after the sessions?",
    ),
    (
        DESIGN,
        "Duration",
        "How long did the interviews or focus groups last?",
    ),
    (DESIGN, "Data saturation", "Was data saturation discussed?"),
    (
        DESIGN,
        "Transcripts returned",
        "Were transcripts returned to participants for comment or correction?",
    ),
    (
        ANALYSIS,
        "Number of data coders",
        "How many coders coded the data?",
    ),
    (
        ANALYSIS,
        "Description of the coding tree",
        "Is the coding tree described?",
    ),
    (
        ANALYSIS,
        "Derivation of themes",
        "Were themes set in advance or derived from the data?",
    ),
    (ANALYSIS, "Software", "Which software managed the data?"),
    (
        ANALYSIS,
        "Participant checking",
        "Did participants give feedback on the findings?",
    ),
    (
        ANALYSIS,
        "Quotations presented",
        "Are quotations presented, each attributed to a participant?",
    ),
    (
        ANALYSIS,
        "Data and findings consistent",
        "Are the data presented consistent with the findings?",
    ),
    (
        ANALYSIS,
        "Clarity of major themes",
        "Are the major themes clearly presented?",
    ),
    (
        ANALYSIS,
        "Clarity of minor themes",
        "Are diverse cases and minor themes described?",
    ),
];

const EQUIPE: &str = "Équipe de recherche et réflexivité";
const PLAN: &str = "Conception de l’étude";
const ANALYSE: &str = "Analyse et résultats";

/// The same 32 items in French (our own wording), for reports written in
/// French: same order, same meaning.
const ITEMS_FR: [(&str, &str, &str); 32] = [
    (
        EQUIPE,
        "Enquêteur ou animateur",
        "Qui a mené les entretiens ou les focus groups ?",
    ),
    (
        EQUIPE,
        "Titres",
        "Quels titres ou diplômes les chercheurs avaient-ils ?",
    ),
    (
        EQUIPE,
        "Profession",
        "Quelle était leur profession au moment de l’étude ?",
    ),
    (EQUIPE, "Genre", "Quel était le genre des chercheurs ?"),
    (
        EQUIPE,
        "Expérience et formation",
        "Quelle expérience ou formation en recherche qualitative avaient-ils ?",
    ),
    (
        EQUIPE,
        "Relation préalable",
        "Une relation existait-elle avant le début de l’étude ?",
    ),
    (
        EQUIPE,
        "Ce que les participants savaient de l’enquêteur",
        "Que savaient les participants du chercheur et des objectifs de l’étude ?",
    ),
    (
        EQUIPE,
        "Caractéristiques de l’enquêteur",
        "Quelles caractéristiques du chercheur (présupposés, intérêts, biais) sont rapportées ?",
    ),
    (
        PLAN,
        "Orientation méthodologique et théorie",
        "Sur quelle orientation l’étude reposait-elle ?",
    ),
    (
        PLAN,
        "Échantillonnage",
        "Comment les participants ont-ils été choisis ?",
    ),
    (
        PLAN,
        "Mode de contact",
        "Comment les participants ont-ils été approchés ?",
    ),
    (
        PLAN,
        "Taille de l’échantillon",
        "Combien de participants ont pris part à l’étude ?",
    ),
    (
        PLAN,
        "Non-participation",
        "Combien ont refusé ou abandonné, et pourquoi ?",
    ),
    (
        PLAN,
        "Lieu du recueil",
        "Où les données ont-elles été recueillies ?",
    ),
    (
        PLAN,
        "Présence de non-participants",
        "D’autres personnes que les participants et les chercheurs étaient-elles présentes ?",
    ),
    (
        PLAN,
        "Description de l’échantillon",
        "Quelles sont les caractéristiques importantes de l’échantillon ?",
    ),
    (
        PLAN,
        "Guide d’entretien",
        "Des questions ou des relances étaient-elles prévues, et le guide a-t-il été testé ?",
    ),
    (
        PLAN,
        "Entretiens répétés",
        "Des entretiens répétés ont-ils eu lieu, et combien ?",
    ),
    (
        PLAN,
        "Enregistrement audio ou vidéo",
        "Les séances ont-elles été enregistrées ?",
    ),
    (
        PLAN,
        "Notes de terrain",
        "Des notes de terrain ont-elles été prises pendant ou après les séances ?",
    ),
    (
        PLAN,
        "Durée",
        "Combien de temps ont duré les entretiens ou les focus groups ?",
    ),
    (
        PLAN,
        "Saturation des données",
        "La saturation des données a-t-elle été discutée ?",
    ),
    (
        PLAN,
        "Retour des transcriptions",
        "Les transcriptions ont-elles été rendues aux participants pour commentaire ou correction ?",
    ),
    (
        ANALYSE,
        "Nombre de codeurs",
        "Combien de codeurs ont codé les données ?",
    ),
    (
        ANALYSE,
        "Description de l’arbre de codage",
        "L’arbre de codage est-il décrit ?",
    ),
    (
        ANALYSE,
        "Origine des thèmes",
        "Les thèmes ont-ils été fixés à l’avance ou tirés des données ?",
    ),
    (
        ANALYSE,
        "Logiciel",
        "Quel logiciel a servi à gérer les données ?",
    ),
    (
        ANALYSE,
        "Vérification par les participants",
        "Les participants ont-ils donné leur avis sur les résultats ?",
    ),
    (
        ANALYSE,
        "Citations présentées",
        "Des citations sont-elles présentées, chacune attribuée à un participant ?",
    ),
    (
        ANALYSE,
        "Cohérence des données et des résultats",
        "Les données présentées sont-elles cohérentes avec les résultats ?",
    ),
    (
        ANALYSE,
        "Clarté des thèmes majeurs",
        "Les thèmes majeurs sont-ils présentés clairement ?",
    ),
    (
        ANALYSE,
        "Clarté des thèmes mineurs",
        "Les cas divergents et les thèmes mineurs sont-ils décrits ?",
    ),
];

/// Returns the checklist with every item the study can answer filled.
pub fn draft(f: &StudyFacts, lang: Lang) -> Vec<CoreqItem> {
    let items = match lang {
        Lang::En => &ITEMS,
        Lang::Fr => &ITEMS_FR,
    };
    items
        .iter()
        .zip(1u8..)
        .map(|((domain, item, question), number)| CoreqItem {
            number,
            domain,
            item,
            question,
            answer: answer(f, lang, number),
        })
        .collect()
}

/// The answer to item `n`, in the report's language, or "to complete"
/// when the study cannot say.
fn answer(f: &StudyFacts, lang: Lang, n: u8) -> CoreqAnswer {
    match n {
        ..=13 => team_and_participants_answer(f, lang, n),
        14..=23 => setting_and_collection_answer(f, lang, n),
        _ => analysis_answer(f, lang, n),
    }
}

/// A filled answer in the report's language.
fn filled(lang: Lang, en: String, fr: String) -> CoreqAnswer {
    match lang {
        Lang::En => CoreqAnswer::Filled(en),
        Lang::Fr => CoreqAnswer::Filled(fr),
    }
}

/// The answers about the research team and the participants (COREQ items
/// 1–13) that the study's facts can give.
fn team_and_participants_answer(f: &StudyFacts, lang: Lang, n: u8) -> CoreqAnswer {
    let t = |en: String, fr: String| filled(lang, en, fr);
    match n {
        8 if f.sealed_preconceptions > 0 => t(
            format!(
                "{} preconceptions were sealed (hashed and dated) before coding and are confronted with the results (preconceptions table).",
                f.sealed_preconceptions
            ),
            format!(
                "{} préconceptions ont été scellées (empreinte et date) avant le codage et sont confrontées aux résultats (tableau des préconceptions).",
                f.sealed_preconceptions
            ),
        ),
        12 => t(
            format!(
                "{} participants in {} interviews and {} focus groups.",
                f.participants, f.interviews, f.focus_groups
            ),
            format!(
                "{} participants, en {} entretiens et {} focus groups.",
                f.participants, f.interviews, f.focus_groups
            ),
        ),
        13 if f.withdrawn > 0 => t(
            format!(
                "{} participant(s) withdrew; their speech was removed from every source. Refusals before inclusion: to complete by the authors.",
                f.withdrawn
            ),
            format!(
                "{} participant(s) retiré(s) ; leurs propos ont été supprimés de toutes les sources. Refus avant inclusion : à compléter par les auteurs.",
                f.withdrawn
            ),
        ),
        _ => CoreqAnswer::ToComplete,
    }
}

/// The answers about the setting and the data collection (COREQ items
/// 14–23) that the study's facts can give.
fn setting_and_collection_answer(f: &StudyFacts, lang: Lang, n: u8) -> CoreqAnswer {
    let t = |en: String, fr: String| filled(lang, en, fr);
    match n {
        14 if !f.sites.is_empty() => t(
            format!(
                "{} sites ({}); see the sources table.",
                f.sites.len(),
                f.sites.join(", ")
            ),
            format!(
                "{} sites ({}) ; voir le tableau des sources.",
                f.sites.len(),
                f.sites.join(", ")
            ),
        ),
        16 => t(
            "See the sociodemographic table.".into(),
            "Voir le tableau sociodémographique.".into(),
        ),
        17 if f.guides > 0 => t(
            format!(
                "{} interview guide(s) recorded with their versions; pilot testing: to complete by the authors.",
                f.guides
            ),
            format!(
                "{} guide(s) d’entretien consigné(s) avec leurs versions ; test préalable : à compléter par les auteurs.",
                f.guides
            ),
        ),
        18 => t(
            if f.repeat_interviews == 0 {
                "No participant was heard in more than one interview or focus group.".into()
            } else {
                format!(
                    "{} participants were heard in more than one interview or focus group.",
                    f.repeat_interviews
                )
            },
            if f.repeat_interviews == 0 {
                "Aucun participant n’a été entendu dans plus d’un entretien ou focus group.".into()
            } else {
                format!(
                    "{} participants ont été entendus dans plus d’un entretien ou focus group.",
                    f.repeat_interviews
                )
            },
        ),
        20 if f.observations > 0 => t(
            format!(
                "{} field observation notes are part of the data.",
                f.observations
            ),
            format!(
                "{} notes d’observation de terrain font partie des données.",
                f.observations
            ),
        ),
        22 => match &f.saturation {
            Some((s, None)) => t(
                format!(
                    "Assessed with Guest, Namey & Chen (2020) on the team's consensus codebook: {s}."
                ),
                format!(
                    "Évaluée selon Guest, Namey & Chen (2020) sur la grille consensuelle de l’équipe : {s}."
                ),
            ),
            Some((s, Some(coder))) => t(
                format!(
                    "Assessed with Guest, Namey & Chen (2020) on {coder}'s codebook (the team has no consensus passage yet): {s}."
                ),
                format!(
                    "Évaluée selon Guest, Namey & Chen (2020) sur la grille de {coder} (l’équipe n’a pas encore de passage consensuel) : {s}."
                ),
            ),
            None => CoreqAnswer::ToComplete,
        },
        _ => CoreqAnswer::ToComplete,
    }
}

/// The answers of COREQ's third domain (items 24–32: analysis and
/// findings) that the study's facts can give.
fn analysis_answer(f: &StudyFacts, lang: Lang, n: u8) -> CoreqAnswer {
    let t = |en: String, fr: String| filled(lang, en, fr);
    match n {
        24 => t(
            format!("{} coders ({}), each coding independently in a blind layer.", f.coders.len(), f.coders.join(", ")),
            format!("{} codeurs ({}), chacun codant indépendamment dans une couche aveugle.", f.coders.len(), f.coders.join(", ")),
        ),
        25 if !f.tree_levels.is_empty() => {
            let levels = f
                .tree_levels
                .iter()
                .map(|(name, n)| format!("{n} {name}"))
                .collect::<Vec<_>>()
                .join(", ");
            t(
                format!("The results present the tree: {levels}."),
                format!("Les résultats présentent l’arbre : {levels}."),
            )
        }
        26 => t(
            "Themes were built from the coded passages in each coder's tree; prior expectations were sealed beforehand and confronted with them.".into(),
            "Les thèmes ont été construits à partir des passages codés, dans l’arbre de chaque codeur ; les attentes préalables ont été scellées avant et confrontées aux thèmes.".into(),
        ),
        27 => t(
            format!("verbatim {}", env!("CARGO_PKG_VERSION")),
            format!("verbatim {}", env!("CARGO_PKG_VERSION")),
        ),
        29 if f.quotes > 0 => t(
            format!("{} quotations, each attributed to a participant code.", f.quotes),
            format!("{} citations, chacune attribuée à un code de participant.", f.quotes),
        ),
        31 if f.themes > 0 => t(
            format!("{} themes, each with its definition, prevalence and quotations.", f.themes),
            format!("{} thèmes, chacun avec sa définition, sa prévalence et des citations.", f.themes),
        ),
        32 if f.minor_themes > 0 => t(
            format!("{} sub-themes are presented under their themes.", f.minor_themes),
            format!("{} sous-thèmes sont présentés sous leurs thèmes.", f.minor_themes),
        ),
        _ => CoreqAnswer::ToComplete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A study that knows nothing fills only what is certain; every item
    /// is numbered 1 to 32 in order.
    #[test]
    fn unknowns_stay_to_complete() {
        let items = draft(&StudyFacts::default(), Lang::En);
        assert_eq!(items.len(), 32);
        assert!(items.iter().zip(1u8..).all(|(i, n)| i.number == n));
        for n in [1u8, 2, 3, 4, 5, 8, 13, 14, 19, 21, 22, 23, 28, 29, 31] {
            assert_eq!(
                items[usize::from(n) - 1].answer,
                CoreqAnswer::ToComplete,
                "item {n}"
            );
        }
    }

    /// Facts the study holds fill their items, in the report's language.
    #[test]
    fn facts_fill_items() {
        let facts = StudyFacts {
            participants: 24,
            interviews: 9,
            focus_groups: 3,
            sites: vec!["CA".into(), "CH".into()],
            coders: vec!["amira".into(), "bruno".into()],
            saturation: Some(("saturation reached after interview 4".into(), None)),
            ..StudyFacts::default()
        };
        let items = draft(&facts, Lang::Fr);
        assert_eq!(
            items[11].answer,
            CoreqAnswer::Filled("24 participants, en 9 entretiens et 3 focus groups.".into())
        );
        let CoreqAnswer::Filled(sites) = &items[13].answer else {
            panic!("item 14 not filled");
        };
        assert!(sites.contains("CA, CH"));
        let CoreqAnswer::Filled(sat) = &items[21].answer else {
            panic!("item 22 not filled");
        };
        assert!(sat.contains("after interview 4"));
        assert!(
            sat.contains("sur la grille consensuelle de l’équipe"),
            "{sat}"
        );
        // A French report asks its questions in French too.
        assert_eq!(items[11].item, "Taille de l’échantillon");
        assert_eq!(items[21].domain, "Conception de l’étude");
        assert!(items.iter().all(|i| !i.question.contains("What ")));
    }

    /// The English and French lists are the same items in the same order:
    /// same domains at the same places.
    #[test]
    fn both_languages_list_the_same_items() {
        let domain = |d: &str| match d {
            TEAM | EQUIPE => 1,
            DESIGN | PLAN => 2,
            ANALYSIS | ANALYSE => 3,
            _ => 0,
        };
        for (en, fr) in ITEMS.iter().zip(ITEMS_FR.iter()) {
            assert_eq!(domain(en.0), domain(fr.0), "{} / {}", en.1, fr.1);
            assert!(domain(en.0) > 0);
            assert!(fr.2.ends_with(" ?"), "{}", fr.2);
        }
    }
}
