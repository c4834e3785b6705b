//! What a report says, as plain data: gathered once from the study
//! ([`super::gather`]), then laid out ([`super::layout`]) and written in
//! any format. Keeping the facts apart from their presentation is what lets
//! the tests compare the report's numbers with the analysis commands', and
//! the three writers agree with each other.

use verbatim_analysis::saturation::Saturation;

/// The language of a report's labels (and the target of translations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
}

impl Lang {
    /// Returns the language for a BCP 47 tag (`fr`, `fr-CA`, `en-GB`…);
    /// `None` for languages the labels are not written in.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::Fr),
            _ => None,
        }
    }

    /// Returns the primary language subtag (`en`, `fr`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }
}

/// A `verbatim` command line that reproduces a number of the report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Command(pub String);

impl Command {
    /// Returns the command as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `n` out of `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// How many.
    pub n: usize,
    /// Out of how many.
    pub of: usize,
}

/// How widely a theme is shared: distinct participants whose words support
/// it, overall and per site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prevalence {
    /// Over every participant heard in a counted source.
    pub overall: Count,
    /// Per site (its code), over the participants heard at that site.
    pub by_site: Vec<(String, Count)>,
    /// The command printing these counts (`n`).
    pub command: Command,
    /// The command printing the denominators (`N`).
    pub total_command: Command,
}

/// A quote shown under a theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The words, as transcribed.
    pub text: String,
    /// The language of the source it comes from.
    pub language: Option<String>,
    /// Who said it: participant codes, or the source's name for field notes.
    pub attribution: String,
    /// The source's name.
    pub source: String,
    /// The line printed under the quote: `— CSI-1, Entretien CSI-1`, or the
    /// team's attribution template filled in, `(CSI-1, nurse, CSAPA)`.
    pub cite: String,
    /// First char of the passage in the source.
    pub start: i64,
    /// Char just past it.
    pub end: i64,
    /// True when a coder marked it as an exemplar.
    pub exemplar: bool,
    /// Its translation into the report's language, when one exists and the
    /// quote is in another language.
    pub translation: Option<String>,
    /// True when the quote is in another language than the report's and
    /// has no translation into it: the writers flag it.
    pub untranslated: bool,
}

/// One node of the results tree (meta-theme, theme or sub-theme).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeNode {
    /// The code's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its level's name (`meta-theme`, `theme`, `sub-theme`).
    pub level: String,
    /// What it means, as the codebook defines it.
    pub definition: Option<String>,
    /// How widely it is shared.
    pub prevalence: Prevalence,
    /// Distinct passages supporting it (its own and its descendants').
    pub passages: usize,
    /// Its quotes (only on the lowest nodes shown, so none repeats).
    pub quotes: Vec<Quote>,
    /// Its children shown in the results, in display order.
    pub children: Vec<ThemeNode>,
}

/// A table cell: text, possibly a number traced to its command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// What the cell shows.
    pub text: String,
    /// The command reproducing it, for numbers.
    pub command: Option<Command>,
}

impl Cell {
    /// Returns a cell of plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            command: None,
        }
    }

    /// Returns a number cell traced to `command`.
    pub fn traced(text: impl Into<String>, command: &Command) -> Self {
        Self {
            text: text.into(),
            command: Some(command.clone()),
        }
    }
}

/// A table of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// A stable identifier (`sociodemographics`, `agreement`…), used as an
    /// anchor.
    pub id: String,
    /// The caption above it.
    pub caption: String,
    /// Column headings.
    pub header: Vec<String>,
    /// Rows of cells, as many as headings each.
    pub rows: Vec<Vec<Cell>>,
    /// A sentence under the table (what a missing table needs, how cells read).
    pub note: Option<String>,
}

/// A figure, as standalone SVG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// A file stem for formats that keep figures beside the document.
    pub stem: String,
    /// Its caption.
    pub caption: String,
    /// What it shows, in words, for readers and formats without SVG.
    pub alt: String,
    /// The SVG document.
    pub svg: String,
}

/// Whether a COREQ item could be answered from the study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreqAnswer {
    /// Answered from what the study records.
    Filled(String),
    /// The study does not know: the authors must answer.
    ToComplete,
}

/// One item of the COREQ checklist (Tong, Sainsbury & Craig 2007).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreqItem {
    /// Its number, 1 to 32.
    pub number: u8,
    /// Its domain (research team and reflexivity, study design, analysis
    /// and findings).
    pub domain: &'static str,
    /// Its short name.
    pub item: &'static str,
    /// What it asks.
    pub question: &'static str,
    /// The draft answer.
    pub answer: CoreqAnswer,
}

/// A row of the methods appendix: a fact of the study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// What it is.
    pub label: String,
    /// Its value.
    pub value: Cell,
}

/// One coder's (or the team's, or one site's) saturation assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct SaturationRow {
    /// The coder, or the team's consensus layer as the report names it.
    pub coder: String,
    /// True for the team's verdict on the consensus codebook.
    pub team: bool,
    /// The site, `None` for all sites.
    pub site: Option<String>,
    /// The assessment.
    pub saturation: Saturation,
    /// The command printing it.
    pub command: Command,
}

/// A full report on a study, in one codebook's perspective.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The labels' language (and translations' target).
    pub lang: Lang,
    /// The study's title.
    pub title: String,
    /// Whose codebook: a coder's name, or `None` for the shared one.
    pub coder: Option<String>,
    /// The results tree: its top nodes (usually meta-themes).
    pub results: Vec<ThemeNode>,
    /// Figures (theme trees, saturation curve, heat map).
    pub figures: Vec<Figure>,
    /// Sociodemographics of the participants.
    pub sociodemographics: Table,
    /// Table I: sealed preconceptions, and what became of them.
    pub preconceptions: Table,
    /// Table II: each participant's code, site, mode and chosen attributes.
    pub participants: Table,
    /// The IPA cross-case table: themes × participants.
    pub cross_case: Table,
    /// The triangulation table: themes × sites and modes of collection.
    pub triangulation: Table,
    /// Divergences: codes kept apart from the consensus, with the notes.
    pub divergences: Table,
    /// Quotes shown in another language than the report's, untranslated.
    pub untranslated: usize,
    /// Intercoder agreement per code and overall.
    pub agreement: Table,
    /// Saturation per coder, overall and by site.
    pub saturation: Vec<SaturationRow>,
    /// Sources by kind and site.
    pub sources: Table,
    /// The methods appendix: facts of the study.
    pub methods: Vec<Fact>,
    /// The COREQ checklist.
    pub coreq: Vec<CoreqItem>,
}

/// A member-checking document: one participant's own words and the themes
/// they support, nothing from anyone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberReport {
    /// The participant's language.
    pub lang: Lang,
    /// The study's title.
    pub title: String,
    /// The participant's code.
    pub participant: String,
    /// The themes their words support, each with their own quotes.
    pub themes: Vec<MemberTheme>,
}

/// A theme a participant's words support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberTheme {
    /// The theme's name.
    pub name: String,
    /// Its definition.
    pub definition: Option<String>,
    /// The participant's own words supporting it (only their turns).
    pub quotes: Vec<Quote>,
}
