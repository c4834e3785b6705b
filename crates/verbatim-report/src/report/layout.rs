//! A report laid out as a sequence of blocks (headings, paragraphs, quotes,
//! tables, figures), the one shape the HTML, Markdown and DOCX writers
//! render, so the three formats say the same thing in the same order.
//!
//! Numbers stay tied to their command here ([`Inline::Number`]); the
//! writers decide how to show the link (a hover and a footnote in HTML, a
//! reference to the commands list elsewhere). [`Document::commands`] lists
//! the distinct commands in order of first use, which numbers the
//! references.

use verbatim_store::{count_percent, percent_text};

use super::model::{
    Cell, Command, CoreqAnswer, Figure, Lang, MemberReport, Quote, Report, Table, ThemeNode,
};
use super::words::{Words, words};

/// A run of text inside a paragraph or a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Bold text.
    Strong(String),
    /// A number and the command that reproduces it.
    Number {
        /// The number as shown.
        text: String,
        /// Its command.
        command: Command,
    },
    /// Code (a command line).
    Code(String),
}

/// A block of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading, level 1 (sections) to 4.
    Heading {
        /// 1 to 4.
        level: u8,
        /// Its text.
        text: String,
    },
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A quote with its attribution and translation.
    Quote(Quote),
    /// A table.
    Table(Table),
    /// A figure.
    Figure(Figure),
    /// A numbered list of commands (the traceability appendix).
    Commands,
}

/// A laid-out document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The labels' language.
    pub lang: Lang,
    /// The document's title.
    pub title: String,
    /// A line under the title.
    pub subtitle: String,
    /// The blocks, in order.
    pub blocks: Vec<Block>,
    /// Distinct commands in order of first use (reference `n` is index + 1).
    pub commands: Vec<Command>,
}

impl Document {
    fn new(lang: Lang, title: String, subtitle: String, blocks: Vec<Block>) -> Self {
        let mut commands: Vec<Command> = Vec::new();
        let mut note = |c: &Command| {
            if !commands.contains(c) {
                commands.push(c.clone());
            }
        };
        for b in &blocks {
            match b {
                Block::Paragraph(inlines) => inlines.iter().for_each(|i| {
                    if let Inline::Number { command, .. } = i {
                        note(command);
                    }
                }),
                Block::Table(t) => t
                    .rows
                    .iter()
                    .flatten()
                    .filter_map(|c| c.command.as_ref())
                    .for_each(&mut note),
                _ => {}
            }
        }
        Self {
            lang,
            title,
            subtitle,
            blocks,
            commands,
        }
    }

    /// Returns the reference number (from 1) of a command.
    pub fn reference(&self, command: &Command) -> usize {
        self.commands
            .iter()
            .position(|c| c == command)
            .map_or(0, |i| i + 1)
    }

    /// Returns the labels of the document's language.
    pub fn words(&self) -> &'static Words {
        words(self.lang)
    }
}

fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

fn number(s: impl Into<String>, command: &Command) -> Inline {
    Inline::Number {
        text: s.into(),
        command: command.clone(),
    }
}

/// Lays out a full report.
pub fn report(r: &Report) -> Document {
    let w = words(r.lang);
    let subtitle = match &r.coder {
        Some(c) => format!("{} {c}", w.codebook_of),
        None => w.shared_codebook.to_owned(),
    };
    let mut blocks = Vec::new();
    results_section(&mut blocks, r, w);
    divergences_section(&mut blocks, r, w);
    figures_and_tables_sections(&mut blocks, r, w);
    methods_section(&mut blocks, r, w);
    coreq_section(&mut blocks, r, w);
    blocks.push(Block::Paragraph(vec![text(w.generated_by)]));
    Document::new(r.lang, r.title.clone(), subtitle, blocks)
}

/// The results: how to read the prevalences, then every theme in turn.
fn results_section(blocks: &mut Vec<Block>, r: &Report, w: &Words) {
    blocks.push(Block::Heading {
        level: 1,
        text: w.results.into(),
    });
    blocks.push(Block::Paragraph(vec![text(if r.results.is_empty() {
        w.no_themes
    } else {
        w.prevalence_help
    })]));
    for node in &r.results {
        theme(blocks, node, 2, w);
    }
}

/// The divergences between coders, introduced, as a table.
fn divergences_section(blocks: &mut Vec<Block>, r: &Report, w: &Words) {
    blocks.push(Block::Heading {
        level: 1,
        text: w.divergences.into(),
    });
    blocks.push(Block::Paragraph(vec![text(w.divergences_intro)]));
    blocks.push(Block::Table(r.divergences.clone()));
}

/// The figures (when there are some), then the study's tables and the
/// saturation table.
fn figures_and_tables_sections(blocks: &mut Vec<Block>, r: &Report, w: &Words) {
    if !r.figures.is_empty() {
        blocks.push(Block::Heading {
            level: 1,
            text: w.figures.into(),
        });
        blocks.extend(r.figures.iter().cloned().map(Block::Figure));
    }
    blocks.push(Block::Heading {
        level: 1,
        text: w.tables.into(),
    });
    for t in [
        &r.preconceptions,
        &r.participants,
        &r.sociodemographics,
        &r.cross_case,
        &r.triangulation,
        &r.agreement,
    ] {
        blocks.push(Block::Table(t.clone()));
    }
    blocks.push(Block::Table(saturation_table(r, w)));
}

/// The methods: the sources table, the facts table, and the commands that
/// reproduce every number.
fn methods_section(blocks: &mut Vec<Block>, r: &Report, w: &Words) {
    blocks.push(Block::Heading {
        level: 1,
        text: w.methods.into(),
    });
    blocks.push(Block::Table(r.sources.clone()));
    blocks.push(Block::Table(Table {
        id: "methods".into(),
        caption: w.methods.into(),
        header: vec![w.fact.into(), w.value.into()],
        rows: r
            .methods
            .iter()
            .map(|f| vec![Cell::text(f.label.clone()), f.value.clone()])
            .collect(),
        note: None,
    }));
    blocks.push(Block::Heading {
        level: 2,
        text: w.commands.into(),
    });
    blocks.push(Block::Paragraph(vec![text(w.commands_intro)]));
    blocks.push(Block::Commands);
}

/// The COREQ checklist as a table, each item answered or left to complete.
fn coreq_section(blocks: &mut Vec<Block>, r: &Report, w: &Words) {
    blocks.push(Block::Heading {
        level: 1,
        text: w.coreq.into(),
    });
    blocks.push(Block::Table(Table {
        id: "coreq".into(),
        caption: w.coreq.into(),
        header: vec![
            w.number.into(),
            w.domain.into(),
            w.item.into(),
            w.answer.into(),
        ],
        rows: r
            .coreq
            .iter()
            .map(|i| {
                vec![
                    Cell::text(i.number.to_string()),
                    Cell::text(i.domain),
                    Cell::text(format!("{} — {}", i.item, i.question)),
                    Cell::text(match &i.answer {
                        CoreqAnswer::Filled(a) => a.clone(),
                        CoreqAnswer::ToComplete => w.to_complete.to_owned(),
                    }),
                ]
            })
            .collect(),
        note: None,
    }));
}

fn theme(blocks: &mut Vec<Block>, n: &ThemeNode, level: u8, w: &Words) {
    blocks.push(Block::Heading {
        level: level.min(4),
        text: n.name.clone(),
    });
    let p = &n.prevalence;
    let mut line = vec![
        Inline::Strong(format!("{} ", capitalise(&n.level))),
        text(format!("— {}: ", capitalise(w.participants))),
        number(format!("{}/{}", p.overall.n, p.overall.of), &p.command),
        text(" ("),
        number(
            percent_text(count_percent(p.overall.n, p.overall.of)),
            &p.command,
        ),
        text(")"),
    ];
    if !p.by_site.is_empty() {
        line.push(text(format!(" ({}: ", w.by_site)));
        for (i, (site, c)) in p.by_site.iter().enumerate() {
            if i > 0 {
                line.push(text(", "));
            }
            line.push(text(format!("{site} ")));
            line.push(number(format!("{}/{}", c.n, c.of), &p.command));
        }
        line.push(text(")"));
    }
    blocks.push(Block::Paragraph(line));
    blocks.push(Block::Paragraph(vec![
        Inline::Strong(format!("{}: ", w.definition)),
        text(
            n.definition
                .clone()
                .unwrap_or_else(|| w.no_definition.into()),
        ),
    ]));
    blocks.extend(n.quotes.iter().cloned().map(Block::Quote));
    for child in &n.children {
        theme(blocks, child, level + 1, w);
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn saturation_table(r: &Report, w: &Words) -> Table {
    Table {
        id: "saturation".into(),
        caption: w.saturation.into(),
        header: vec![w.coder.into(), w.site.into(), w.verdict.into()],
        rows: r
            .saturation
            .iter()
            .map(|s| {
                vec![
                    Cell::text(s.coder.clone()),
                    Cell::text(s.site.clone().unwrap_or_else(|| w.all_sites.into())),
                    Cell::traced(
                        super::saturation_words::sentence(&s.saturation, r.lang),
                        &s.command,
                    ),
                ]
            })
            .collect(),
        note: None,
    }
}

/// Lays out a member-checking document.
pub fn member(m: &MemberReport) -> Document {
    let w = words(m.lang);
    let mut blocks = vec![Block::Paragraph(vec![text(w.member_intro)])];
    if m.themes.is_empty() {
        blocks.push(Block::Paragraph(vec![text(w.member_none)]));
    }
    for t in &m.themes {
        blocks.push(Block::Heading {
            level: 1,
            text: t.name.clone(),
        });
        if let Some(d) = &t.definition {
            blocks.push(Block::Paragraph(vec![
                Inline::Strong(format!("{}: ", w.definition)),
                text(d.clone()),
            ]));
        }
        blocks.push(Block::Paragraph(vec![text(w.member_theme_intro)]));
        blocks.extend(t.quotes.iter().cloned().map(Block::Quote));
    }
    blocks.push(Block::Paragraph(vec![text(w.member_closing)]));
    Document::new(
        m.lang,
        format!("{} — {}", w.member_title, m.participant),
        m.title.clone(),
        blocks,
    )
}
