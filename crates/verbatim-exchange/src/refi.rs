//! REFI-QDA 1.5: `.qdpx` projects and `.qdc` codebooks, read and written.
//!
//! The standard is the one common format of qualitative data analysis
//! tools, and every producer departs from it somewhere (see
//! `../shared/refi-qda/NOTES.md`). Reading is liberal, writing strict:
//!
//! - [`read_project`] opens a `.qdpx` or a bare `.qde` into the standard's
//!   [`model`] with each source's raw text; [`plan_import`] turns that into
//!   a [`verbatim_store::ImportPlan`], placing every selection (offsets
//!   detected per producer and confirmed against the quoted text,
//!   [`offsets`]) and listing in a [`Report`] every element it could not
//!   carry or place.
//! - [`export_project`] turns a study [`verbatim_store::Snapshot`] into a
//!   project and its source files; [`write_qdpx`] zips them; the XML
//!   validates against Project-mrt2019.xsd. [`export_codebook`] writes a
//!   `.qdc` that validates against Codebook-mrt2019.xsd.
//!
//! What the standard cannot say, verbatim writes in the standard's own
//! free places so that a round trip keeps it: a code's definition,
//! criteria and level in its `Description` ([`description`]); each coder's
//! codebook, a code's further parents in the DAG and the reflexive journal
//! as `Set`s whose description ends with a `[verbatim:…]` marker; sites,
//! source kinds and languages as variables.

// No panic on a producer's file: every value from outside is checked.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod archive;
pub mod description;
mod export;
pub mod guid;
mod html_text;
mod import;
pub mod media;
pub mod model;
pub mod offsets;
mod plan_text;
pub mod qualcoder;
mod read;
pub mod taguette;
mod turns;
mod write;
mod xml;

use std::collections::HashMap;
use std::path::Path;

use thiserror::Error;

pub use archive::Caps;
pub use export::{Exported, Target, export_codebook, export_project};
pub use import::{ImportOptions, plan_import};

use crate::codebook::CodebookEntry;

/// Why a REFI-QDA file could not be read or written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RefiError {
    /// The XML is not well formed or not UTF-8.
    #[error(
        "{file} is not readable XML: {reason}; check that the export finished, or export again"
    )]
    BadXml {
        /// The file or archive entry.
        file: String,
        /// What is wrong, and where.
        reason: String,
    },
    /// The root element is not a `Project`.
    #[error(
        "{file} is not a REFI-QDA project: its root element is <{root}>, where <Project> was expected"
    )]
    NotAProject {
        /// The file.
        file: String,
        /// The root element found.
        root: String,
    },
    /// The root element is not a `CodeBook`.
    #[error(
        "{file} is not a REFI-QDA codebook: its root element is <{root}>, where <CodeBook> was expected"
    )]
    NotACodebook {
        /// The file.
        file: String,
        /// The root element found.
        root: String,
    },
    /// The project breaks a rule the importer cannot work around.
    #[error("{file} cannot be imported: {reason}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// The zip container cannot be read.
    #[error("{file} is not a readable .qdpx: {reason}")]
    BadArchive {
        /// The file.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// An entry name tries to escape the archive, or is a link.
    #[error(
        "{file} is refused: its entry {entry:?} is {why}, which no QDA tool writes; nothing was imported"
    )]
    UnsafeArchive {
        /// The file.
        file: String,
        /// The entry.
        entry: String,
        /// Why it is refused.
        why: String,
    },
    /// An entry decompresses past the cap (a zip bomb, or a huge file).
    #[error(
        "{file} is refused: {entry} decompresses to more than {limit} bytes; nothing was imported"
    )]
    TooLarge {
        /// The file.
        file: String,
        /// The entry.
        entry: String,
        /// The cap, in bytes.
        limit: u64,
    },
    /// A source path points outside the project (`absolute://`, or a
    /// `relative://` file not in the archive) and no folder was named for
    /// such sources, or it leaves the folder named.
    #[error(
        "{file} is refused: source {path} lies outside the project, and verbatim reads only the project's own files; nothing was imported. If you trust this project, copy its source files into one folder and name it with --sources-from DIR"
    )]
    OutsideProject {
        /// The file.
        file: String,
        /// The path attribute as written.
        path: String,
    },
    /// A source file named by the project (inside `--sources-from`, or
    /// beside a bare `.qde`) is not a regular file.
    #[error("{file} is refused: its source {path} cannot be read ({reason}); nothing was imported")]
    BadSourceFile {
        /// The file.
        file: String,
        /// The source file on disk.
        path: String,
        /// Why it was refused.
        reason: String,
    },
    /// An SQLite file that is neither a QualCoder nor a Taguette project.
    #[error(
        "{file} is not a QualCoder or Taguette project: it is an SQLite database without QualCoder's tables (source, code_name, code_text) or Taguette's (projects, documents, tags, highlights); give a QualCoder project's data.qda or its .qda folder, a Taguette project exported as .sqlite3, or a .qdpx"
    )]
    NotQdaDatabase {
        /// The file.
        file: String,
    },
    /// Writing the export failed.
    #[error("could not write the REFI-QDA file: {0}")]
    Write(String),
}

/// What an import or export could not carry, and what it decided.
///
/// REFI-QDA 1.5 §7 asks importers to show which elements are discarded;
/// every entry is one sentence for the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// What the target format or study cannot hold (dropped, by kind).
    pub losses: Vec<String>,
    /// Selections, values or files skipped because they could not be
    /// placed or read, one per item.
    pub skipped: Vec<String>,
    /// Decisions worth knowing (offset convention, renamed codes…).
    pub notes: Vec<String>,
}

impl Report {
    /// Returns true when nothing was lost or skipped.
    pub fn is_lossless(&self) -> bool {
        self.losses.is_empty() && self.skipped.is_empty()
    }
}

/// A project read from a file, with its texts, before it meets a study.
#[derive(Debug, Clone, Default)]
pub struct ReadProject {
    /// The file's name, for messages.
    pub file: String,
    /// The project.
    pub project: model::Project,
    /// Each source's raw text (same order as `project.sources`), `None`
    /// when its file is missing or not UTF-8 (reported).
    pub texts: Vec<Option<String>>,
    /// Each note's text (same order as `project.notes`).
    pub note_texts: Vec<Option<String>>,
    /// Each media source's transcripts and recording (same order as
    /// `project.media`).
    pub media: Vec<media::MediaFiles>,
    /// Code fields verbatim wrote in [`description::PART`], by GUID key;
    /// empty for other tools' files.
    pub code_fields: HashMap<String, description::Fields>,
    /// What reading could not resolve.
    pub report: Report,
}

/// Reads a `.qdpx` (zip) or a bare `.qde` (XML), told apart by content.
///
/// `file` names it in messages; `folder` is where it lies, where a bare
/// `.qde` finds its `sources/`. Sources outside the project
/// (`absolute://`, and `relative://` files not in the archive) are read
/// only from `sources_from`, the folder the user named for them, and only
/// as regular files under it: without it, such a source refuses the whole
/// project ([`RefiError::OutsideProject`]), since a project file must not
/// pull `/etc/passwd` or a private key into a study that is then shared.
pub fn read_project(
    bytes: &[u8],
    file: &str,
    folder: Option<&Path>,
    sources_from: Option<&Path>,
    caps: Caps,
) -> Result<ReadProject, RefiError> {
    let outside = archive::Outside {
        file,
        sources_from,
        cap: caps.entry,
    };
    if bytes.starts_with(b"PK") {
        let mut archive = archive::Archive::open(bytes, file, caps)?;
        let xml = archive.project_xml()?;
        let qde = format!("{file}/{}", archive.qde);
        let root = xml::parse(&xml, &qde)?;
        drop(xml);
        let project = read::project(&root, &qde)?;
        drop(root);
        let code_fields = archive
            .read(description::PART)?
            .and_then(|bytes| description::read_part(&bytes))
            .map(|m| m.into_iter().map(|(g, f)| (guid::key(&g), f)).collect())
            .unwrap_or_default();
        let mut fetch = |path: &str| archive.source(path, &outside);
        let mut read = resolve_texts(project, file, &mut fetch)?;
        read.code_fields = code_fields;
        Ok(read)
    } else {
        if bytes.len() as u64 > caps.entry {
            return Err(RefiError::TooLarge {
                file: file.to_owned(),
                entry: file.to_owned(),
                limit: caps.entry,
            });
        }
        let root = xml::parse(bytes, file)?;
        let project = read::project(&root, file)?;
        drop(root);
        let mut fetch = |path: &str| match archive::resolve(path) {
            archive::Location::Internal(name) => match folder {
                Some(dir) => outside.beside(dir, &name),
                None => Ok(None),
            },
            archive::Location::External(p) => outside.read(path, &p),
        };
        resolve_texts(project, file, &mut fetch)
    }
}

/// Reads a QualCoder (`data.qda`) or Taguette (`.sqlite3`) project, told
/// apart by their tables; `file` names it in messages.
pub fn read_database(path: &Path, file: &str) -> Result<ReadProject, RefiError> {
    let conn = taguette::open(path, file)?;
    if taguette::is_taguette(&conn) {
        return taguette::read_taguette(&conn, path, file);
    }
    drop(conn);
    qualcoder::read_qualcoder(path, file)
}

type Fetch<'f> = dyn FnMut(&str) -> Result<Option<Vec<u8>>, RefiError> + 'f;

/// Fills in each source's and note's text, reporting what cannot be found.
fn resolve_texts(
    project: model::Project,
    file: &str,
    fetch: &mut Fetch<'_>,
) -> Result<ReadProject, RefiError> {
    let mut report = Report::default();
    let mut text_of = |s: &model::TextSource,
                       what: &str,
                       report: &mut Report|
     -> Result<Option<String>, RefiError> {
        if let Some(content) = &s.content {
            return Ok(Some(content.clone()));
        }
        let label = s.name.clone().unwrap_or_else(|| s.guid.clone());
        let Some(path) = &s.plain_text_path else {
            if s.rich_text_path.is_some() {
                report.skipped.push(format!(
                    "{what} {label:?} has only a rich-text (.docx) file and no plain-text representation; it was not imported"
                ));
            } else {
                report.skipped.push(format!(
                    "{what} {label:?} names no text file and holds no text; it was not imported"
                ));
            }
            return Ok(None);
        };
        match fetch(path)? {
            None => {
                report.skipped.push(format!(
                    "{what} {label:?}: its text file {path} is not in {file}; it was not imported, with its selections"
                ));
                Ok(None)
            }
            Some(bytes) => {
                let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
                match String::from_utf8(bytes.to_vec()) {
                    Ok(t) => Ok(Some(t)),
                    Err(_) => {
                        report.skipped.push(format!(
                            "{what} {label:?}: its text file {path} is not UTF-8 as REFI-QDA requires (§9.1); it was not imported"
                        ));
                        Ok(None)
                    }
                }
            }
        }
    };
    let mut texts = Vec::with_capacity(project.sources.len());
    for s in &project.sources {
        texts.push(text_of(s, "source", &mut report)?);
    }
    let mut note_texts = Vec::with_capacity(project.notes.len());
    for n in &project.notes {
        note_texts.push(text_of(n, "note", &mut report)?);
    }
    let mut transcripts = Vec::with_capacity(project.media.len());
    for m in &project.media {
        let mut texts = Vec::with_capacity(m.transcripts.len());
        for t in &m.transcripts {
            texts.push(text_of(&t.text, "transcript", &mut report)?);
        }
        transcripts.push(texts);
    }
    let media = media::fetch_recordings(&project, transcripts, fetch, &mut report)?;
    Ok(ReadProject {
        file: file.to_owned(),
        project,
        texts,
        note_texts,
        media,
        code_fields: HashMap::new(),
        report,
    })
}

/// Returns the codes of a `.qdc` codebook as entries (definitions and
/// criteria read out of each description).
pub fn read_codebook(bytes: &[u8]) -> Result<Vec<CodebookEntry>, RefiError> {
    read_codebook_with_report(bytes, "the codebook").map(|(entries, _)| entries)
}

/// Returns the codes of a `.qdc` codebook and what it could not carry
/// (sets). `file` names it in messages.
pub fn read_codebook_with_report(
    bytes: &[u8],
    file: &str,
) -> Result<(Vec<CodebookEntry>, Report), RefiError> {
    let root = xml::parse(bytes, file)?;
    let (codes, sets) = read::codebook(&root, file)?;
    let mut report = Report::default();
    for set in &sets {
        report.losses.push(format!(
            "the set {:?} ({} codes) is not carried: verbatim codebooks have no sets",
            set.name,
            set.codes.len()
        ));
    }
    fn entry(c: &model::Code) -> CodebookEntry {
        let fields = description::decode(c.description.as_deref().unwrap_or_default());
        CodebookEntry {
            name: c.name.clone(),
            level: fields.level,
            definition: fields.definition,
            inclusion: fields.inclusion,
            exclusion: fields.exclusion,
            example: fields.example,
            colour: c.color.clone(),
            guid: Some(guid::key(&c.guid)),
            children: c.children.iter().map(entry).collect(),
        }
    }
    Ok((codes.iter().map(entry).collect(), report))
}

/// Writes a `.qdpx` archive of an export into `out`.
pub fn write_qdpx<W: std::io::Write + std::io::Seek>(
    out: W,
    exported: &Exported,
) -> Result<W, RefiError> {
    let qde = write::project(&exported.project);
    let files: Vec<(String, &str)> = exported
        .files
        .iter()
        .map(|(name, text)| (name.clone(), text.as_str()))
        .collect();
    archive::write_qdpx(out, &qde, &files, &exported.parts, &exported.recordings)
}

/// Returns the `.qde` XML of an export (what [`write_qdpx`] puts in the
/// archive).
pub fn project_xml(exported: &Exported) -> String {
    write::project(&exported.project)
}
