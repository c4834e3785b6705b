//! The REFI-QDA project as the standard shapes it (Project-mrt2019.xsd),
//! independent of any study: what the reader fills and the writer writes.
//!
//! Only what verbatim can carry is modelled in full; picture and PDF
//! sources, selections on a recording's time line, graphs and links other
//! than note links are kept as counts so the importer can report them as
//! losses (REFI-QDA 1.5 §7). Audio and video sources, with their
//! transcripts and sync points, are modelled in [`super::media`].

/// A project file's content.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Project {
    /// `Project@name`.
    pub name: String,
    /// `Project@origin`: the producing software.
    pub origin: Option<String>,
    /// `Project@creationDateTime`.
    pub created: Option<String>,
    /// `Project@basePath`: where `relative://` sources were on the
    /// producer's machine.
    pub base_path: Option<String>,
    /// `Users/User`.
    pub users: Vec<User>,
    /// `CodeBook/Codes/Code`: a forest.
    pub codes: Vec<Code>,
    /// `Variables/Variable`.
    pub variables: Vec<Variable>,
    /// `Cases/Case`.
    pub cases: Vec<Case>,
    /// `Sources/TextSource`.
    pub sources: Vec<TextSource>,
    /// `Sources/AudioSource` and `Sources/VideoSource`.
    pub media: Vec<super::media::MediaSource>,
    /// `Notes/Note`.
    pub notes: Vec<Note>,
    /// `Links/Link`.
    pub links: Vec<Link>,
    /// `Sets/Set`.
    pub sets: Vec<Set>,
    /// `Project/Description`.
    pub description: Option<String>,
    /// `Project/NoteRef`: project-level memos.
    pub note_refs: Vec<String>,
    /// What the file held that this model does not carry (read only).
    pub uncarried: Uncarried,
}

/// Elements read but not carried into a study, counted for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uncarried {
    /// `(kind, name)` of picture and PDF sources.
    pub media_sources: Vec<(String, String)>,
    /// Selections in media (PDF, picture, audio, video).
    pub media_selections: usize,
    /// Codings of a media source as a whole.
    pub media_codings: usize,
    /// `Graphs/Graph`.
    pub graphs: usize,
}

/// `User`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    /// `@guid`.
    pub guid: String,
    /// `@name`.
    pub name: Option<String>,
}

/// `Code`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Code {
    /// `@guid`.
    pub guid: String,
    /// `@name`.
    pub name: String,
    /// `@isCodable`.
    pub codable: bool,
    /// `@color` (`#rrggbb`).
    pub color: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `NoteRef@targetGUID`.
    pub note_refs: Vec<String>,
    /// Nested `Code`s.
    pub children: Vec<Code>,
}

/// `Variable@typeOfVariable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableType {
    /// `Text`.
    Text,
    /// `Boolean`.
    Boolean,
    /// `Integer`.
    Integer,
    /// `Float`.
    Float,
    /// `Date`.
    Date,
    /// `DateTime`.
    DateTime,
}

impl Project {
    /// Turns each source's description into a note the source refers to,
    /// named after it: how REFI-QDA carries a source memo, and where the
    /// importer reads one. For readers of other tools' databases, whose
    /// source memos would otherwise land in a `Description` the importer
    /// keeps only for verbatim's own markers. `guid` derives the note's
    /// GUID from the source's.
    pub fn source_descriptions_as_notes(&mut self, guid: impl Fn(&str) -> String) {
        for source in &mut self.sources {
            let Some(memo) = source.description.take() else {
                continue;
            };
            let note = guid(&source.guid);
            source.note_refs.push(note.clone());
            self.notes.push(Note {
                guid: note,
                name: source.name.as_ref().map(|n| format!("{n} (memo)")),
                content: Some(memo),
                creating_user: source.creating_user.clone(),
                created: source.created.clone(),
                ..Note::default()
            });
        }
    }
}

impl VariableType {
    /// Returns the schema's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "Text",
            Self::Boolean => "Boolean",
            Self::Integer => "Integer",
            Self::Float => "Float",
            Self::Date => "Date",
            Self::DateTime => "DateTime",
        }
    }

    /// Returns the `VariableValue` child element holding a value of this type.
    pub fn value_element(self) -> &'static str {
        match self {
            Self::Text => "TextValue",
            Self::Boolean => "BooleanValue",
            Self::Integer => "IntegerValue",
            Self::Float => "FloatValue",
            Self::Date => "DateValue",
            Self::DateTime => "DateTimeValue",
        }
    }

    /// Returns the type a schema word names (case-insensitive).
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "text" => Self::Text,
            "boolean" => Self::Boolean,
            "integer" => Self::Integer,
            "float" => Self::Float,
            "date" => Self::Date,
            "datetime" => Self::DateTime,
            _ => return None,
        })
    }
}

/// `Variable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// `@guid`.
    pub guid: String,
    /// `@name`.
    pub name: String,
    /// `@typeOfVariable`.
    pub kind: VariableType,
    /// `Description`.
    pub description: Option<String>,
}

/// `VariableValue`: a variable and its value as written (`None`: no value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableValue {
    /// `VariableRef@targetGUID`.
    pub variable: String,
    /// The value's text, whichever `*Value` element held it.
    pub value: Option<String>,
}

/// `Case`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Case {
    /// `@guid`.
    pub guid: String,
    /// `@name`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `VariableValue`s.
    pub values: Vec<VariableValue>,
    /// `SourceRef@targetGUID`.
    pub source_refs: Vec<String>,
    /// `SelectionRef@targetGUID`.
    pub selection_refs: Vec<String>,
}

/// `TextSource` (and a `Note`, which has the same type).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextSource {
    /// `@guid`.
    pub guid: String,
    /// `@name`.
    pub name: Option<String>,
    /// `@plainTextPath` as written.
    pub plain_text_path: Option<String>,
    /// `@richTextPath` as written.
    pub rich_text_path: Option<String>,
    /// `@creatingUser`.
    pub creating_user: Option<String>,
    /// `@creationDateTime`.
    pub created: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `PlainTextContent`, when the text is inline.
    pub content: Option<String>,
    /// `PlainTextSelection`s.
    pub selections: Vec<Selection>,
    /// `Coding`s of the whole source.
    pub codings: Vec<Coding>,
    /// `NoteRef@targetGUID`.
    pub note_refs: Vec<String>,
    /// `VariableValue`s.
    pub values: Vec<VariableValue>,
}

/// A note is a text source (`Note` is of `TextSourceType`).
pub type Note = TextSource;

/// `PlainTextSelection`; positions as the file wrote them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// `@guid`.
    pub guid: String,
    /// `@name`: the quoted text, for most producers.
    pub name: Option<String>,
    /// `@startPosition`.
    pub start: i64,
    /// `@endPosition` (exclusive, as every producer writes it).
    pub end: i64,
    /// `@creatingUser`.
    pub creating_user: Option<String>,
    /// `@creationDateTime`.
    pub created: Option<String>,
    /// `Description`: a comment on the passage.
    pub description: Option<String>,
    /// `Coding`s.
    pub codings: Vec<Coding>,
    /// `NoteRef@targetGUID`.
    pub note_refs: Vec<String>,
}

/// `Coding`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coding {
    /// `@guid`.
    pub guid: String,
    /// `@creatingUser`.
    pub creating_user: Option<String>,
    /// `@creationDateTime`.
    pub created: Option<String>,
    /// `CodeRef@targetGUID`.
    pub code: String,
    /// `NoteRef@targetGUID`.
    pub note_refs: Vec<String>,
}

/// `Link`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Link {
    /// `@guid`.
    pub guid: String,
    /// `@name`.
    pub name: Option<String>,
    /// `@originGUID`.
    pub origin: Option<String>,
    /// `@targetGUID`.
    pub target: Option<String>,
}

/// `Set`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Set {
    /// `@guid`.
    pub guid: String,
    /// `@name`.
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// `MemberCode` GUIDs (`@targetGUID` in a project, `@guid` in a codebook).
    pub codes: Vec<String>,
    /// `MemberSource@targetGUID`.
    pub sources: Vec<String>,
    /// `MemberNote@targetGUID`.
    pub notes: Vec<String>,
}
