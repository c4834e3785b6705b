//! A QualCoder project (`data.qda`, an SQLite file, or the `.qda` folder
//! holding it) read into the REFI-QDA model, so that the same planner,
//! position checks and report serve it as serve a `.qdpx`.
//!
//! Only columns present in every QualCoder schema found in the wild are
//! read (`source`, `code_name`, `code_cat`, `code_text`, `cases`,
//! `case_text`, `journal`, `attribute_type`, `attribute`); positions are
//! QualCoder's own (Qt's UTF-16 units), and each coding's stored
//! `seltext` is its selection's name, which the planner checks against
//! the text before placing it. Categories become non-codable codes.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::guid::derived;
use super::model::*;
use super::{ReadProject, RefiError, Report};

/// The `origin` given to a QualCoder project (its positions are UTF-16).
const ORIGIN: &str = "QualCoder (data.qda)";

/// Returns true when `bytes` start like an SQLite database.
pub fn is_sqlite(bytes: &[u8]) -> bool {
    bytes.starts_with(b"SQLite format 3\0")
}

/// Reads a QualCoder project; `file` names it in messages.
pub fn read_qualcoder(path: &Path, file: &str) -> Result<ReadProject, RefiError> {
    let bad = |reason: String| RefiError::Invalid {
        file: file.to_owned(),
        reason,
    };
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| bad(format!("it cannot be opened as SQLite ({e})")))?;
    let has = |table: &str| -> bool {
        conn.query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1",
            [table],
            |_| Ok(()),
        )
        .optional()
        .ok()
        .flatten()
        .is_some()
    };
    if !["source", "code_name", "code_text"].iter().all(|t| has(t)) {
        return Err(RefiError::NotQdaDatabase {
            file: file.to_owned(),
        });
    }
    let sql = |e: rusqlite::Error| bad(format!("its QualCoder tables cannot be read ({e})"));
    let mut reader = Reader {
        key: file.to_owned(),
        users: BTreeSet::new(),
    };
    // A project is named by its `.qda` folder (`data.qda` is every
    // project's file name).
    let folder = path
        .parent()
        .filter(|_| path.file_name().is_some_and(|n| n == "data.qda"));
    let mut project = Project {
        name: folder
            .unwrap_or(path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "QualCoder project".into()),
        origin: Some(ORIGIN.into()),
        ..Project::default()
    };
    project.codes = reader.codes(&conn, has("code_cat")).map_err(sql)?;
    let (sources, texts, media) = reader.sources(&conn).map_err(sql)?;
    project.sources = sources;
    project.uncarried.media_sources = media;
    if has("cases") {
        project.cases = reader.cases(&conn, has("case_text")).map_err(sql)?;
    }
    if has("journal") {
        project.notes = reader.journal(&conn).map_err(sql)?;
        project.note_refs = project.notes.iter().map(|n| n.guid.clone()).collect();
    }
    project.source_descriptions_as_notes(|g| derived(file, "source memo", g));
    if has("attribute_type") && has("attribute") {
        reader.attributes(&conn, &mut project).map_err(sql)?;
    }
    project.users = reader
        .users
        .iter()
        .map(|name| User {
            guid: reader.user(name),
            name: Some(name.clone()),
        })
        .collect();
    let note_texts = project.notes.iter().map(|n| n.content.clone()).collect();
    Ok(ReadProject {
        file: file.to_owned(),
        project,
        texts,
        note_texts,
        media: Vec::new(),
        code_fields: HashMap::new(),
        report: Report::default(),
    })
}

/// Gives QualCoder's integer ids and owner names stable GUIDs.
struct Reader {
    key: String,
    users: BTreeSet<String>,
}

/// Returns a non-empty text, `None` for NULL or blank.
fn text(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// QualCoder writes dates as `YYYY-MM-DD HH:MM:SS`; REFI-QDA wants a `T`.
fn date(s: Option<String>) -> Option<String> {
    let s = s?.trim().replacen(' ', "T", 1);
    super::export::is_datetime(&s).then_some(s)
}

impl Reader {
    fn guid(&self, kind: &str, id: i64) -> String {
        derived(&self.key, kind, &id.to_string())
    }

    fn user(&self, name: &str) -> String {
        derived(&self.key, "user", name)
    }

    /// Notes an owner and returns their GUID.
    fn owner(&mut self, name: Option<String>) -> Option<String> {
        let name = text(name)?;
        let g = self.user(&name);
        self.users.insert(name);
        Some(g)
    }

    /// Categories (as non-codable codes, nested by `supercatid`) with
    /// their codes under them.
    fn codes(&mut self, conn: &Connection, categories: bool) -> rusqlite::Result<Vec<Code>> {
        let mut codes: Vec<(Option<i64>, Code)> = Vec::new();
        let mut stmt =
            conn.prepare("SELECT cid, name, memo, catid, color FROM code_name ORDER BY cid")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            codes.push((
                r.get(3)?,
                Code {
                    guid: self.guid("code", id),
                    name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    codable: true,
                    color: text(r.get(4)?),
                    description: text(r.get(2)?),
                    ..Code::default()
                },
            ));
        }
        if !categories {
            return Ok(codes.into_iter().map(|(_, c)| c).collect());
        }
        let mut cats: Vec<(i64, Option<i64>, Code)> = Vec::new();
        let mut stmt =
            conn.prepare("SELECT catid, name, memo, supercatid FROM code_cat ORDER BY catid")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            cats.push((
                id,
                r.get(3)?,
                Code {
                    guid: self.guid("category", id),
                    name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    codable: false,
                    description: text(r.get(2)?),
                    ..Code::default()
                },
            ));
        }
        let known: BTreeSet<i64> = cats.iter().map(|c| c.0).collect();
        let mut children: HashMap<Option<i64>, Vec<Code>> = HashMap::new();
        for (cat, code) in codes {
            children
                .entry(cat.filter(|c| known.contains(c)))
                .or_default()
                .push(code);
        }
        let mut subcats: HashMap<Option<i64>, Vec<(i64, Code)>> = HashMap::new();
        for (id, parent, code) in cats {
            let parent = parent.filter(|p| known.contains(p) && *p != id);
            subcats.entry(parent).or_default().push((id, code));
        }
        // Builds a category's subtree; `depth` bounds a cycle in
        // `supercatid`, which QualCoder does not prevent.
        fn build(
            at: Option<i64>,
            subcats: &mut HashMap<Option<i64>, Vec<(i64, Code)>>,
            children: &mut HashMap<Option<i64>, Vec<Code>>,
            depth: usize,
        ) -> Vec<Code> {
            let mut out = Vec::new();
            if depth < super::xml::MAX_DEPTH {
                for (id, mut cat) in subcats.remove(&at).unwrap_or_default() {
                    cat.children = build(Some(id), subcats, children, depth + 1);
                    out.push(cat);
                }
            }
            out.extend(children.remove(&at).unwrap_or_default());
            out
        }
        let mut forest = build(None, &mut subcats, &mut children, 0);
        // Categories in a cycle, and their codes, go at the top.
        for (_, list) in subcats.drain() {
            forest.extend(list.into_iter().map(|(_, c)| c));
        }
        for (_, list) in children.drain() {
            forest.extend(list);
        }
        Ok(forest)
    }

    /// Text sources with their codings; media sources are listed.
    #[allow(clippy::type_complexity)]
    fn sources(
        &mut self,
        conn: &Connection,
    ) -> rusqlite::Result<(Vec<TextSource>, Vec<Option<String>>, Vec<(String, String)>)> {
        let mut selections: HashMap<i64, Vec<Selection>> = HashMap::new();
        let mut stmt = conn.prepare(
            "SELECT rowid, cid, fid, seltext, pos0, pos1, owner, date, memo FROM code_text \
             ORDER BY fid, pos0, rowid",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let (Some(start), Some(end)) =
                (r.get::<_, Option<i64>>(4)?, r.get::<_, Option<i64>>(5)?)
            else {
                continue;
            };
            let user = self.owner(r.get(6)?);
            let created = date(r.get(7)?);
            let code: i64 = r.get(1)?;
            selections.entry(r.get(2)?).or_default().push(Selection {
                guid: self.guid("selection", id),
                name: r.get(3)?,
                start,
                end,
                creating_user: user.clone(),
                created: created.clone(),
                description: text(r.get(8)?),
                codings: vec![Coding {
                    guid: self.guid("coding", id),
                    creating_user: user,
                    created,
                    code: self.guid("code", code),
                    note_refs: Vec::new(),
                }],
                note_refs: Vec::new(),
            });
        }
        let mut sources = Vec::new();
        let mut texts = Vec::new();
        let mut media = Vec::new();
        let mut stmt =
            conn.prepare("SELECT id, name, fulltext, memo, owner, date FROM source ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let name: String = r.get::<_, Option<String>>(1)?.unwrap_or_default();
            let Some(full) = r.get::<_, Option<String>>(2)?.filter(|t| !t.is_empty()) else {
                media.push(("media or empty".to_owned(), name));
                continue;
            };
            sources.push(TextSource {
                guid: self.guid("source", id),
                name: Some(name),
                creating_user: self.owner(r.get(4)?),
                created: date(r.get(5)?),
                description: text(r.get(3)?),
                selections: selections.remove(&id).unwrap_or_default(),
                ..TextSource::default()
            });
            texts.push(Some(full));
        }
        Ok((sources, texts, media))
    }

    /// Cases, pointing at the sources `case_text` links them to.
    fn cases(&mut self, conn: &Connection, links: bool) -> rusqlite::Result<Vec<Case>> {
        let mut refs: HashMap<i64, BTreeSet<i64>> = HashMap::new();
        if links {
            let mut stmt = conn.prepare("SELECT caseid, fid FROM case_text")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                refs.entry(r.get(0)?).or_default().insert(r.get(1)?);
            }
        }
        let mut stmt = conn.prepare("SELECT caseid, name, memo FROM cases ORDER BY caseid")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            out.push(Case {
                guid: self.guid("case", id),
                name: text(r.get(1)?),
                description: text(r.get(2)?),
                source_refs: refs
                    .remove(&id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|f| self.guid("source", f))
                    .collect(),
                ..Case::default()
            });
        }
        Ok(out)
    }

    /// Journal entries, as project notes.
    fn journal(&mut self, conn: &Connection) -> rusqlite::Result<Vec<Note>> {
        let mut stmt =
            conn.prepare("SELECT jid, name, jentry, date, owner FROM journal ORDER BY jid")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            out.push(Note {
                guid: self.guid("journal", id),
                name: text(r.get(1)?),
                content: Some(r.get::<_, Option<String>>(2)?.unwrap_or_default()),
                created: date(r.get(3)?),
                creating_user: self.owner(r.get(4)?),
                ..Note::default()
            });
        }
        Ok(out)
    }

    /// Case and file attributes, as variables and their values.
    fn attributes(&mut self, conn: &Connection, project: &mut Project) -> rusqlite::Result<()> {
        let mut stmt = conn.prepare("SELECT name, valuetype FROM attribute_type ORDER BY name")?;
        let mut rows = stmt.query([])?;
        let mut kinds: HashMap<String, VariableType> = HashMap::new();
        while let Some(r) = rows.next()? {
            let name: String = r.get::<_, Option<String>>(0)?.unwrap_or_default();
            let kind = match r.get::<_, Option<String>>(1)?.as_deref() {
                Some("numeric") => VariableType::Float,
                _ => VariableType::Text,
            };
            project.variables.push(Variable {
                guid: derived(&self.key, "variable", &name),
                name: name.clone(),
                kind,
                description: None,
            });
            kinds.insert(name, kind);
        }
        let mut stmt = conn.prepare("SELECT name, attr_type, value, id FROM attribute")?;
        let mut rows = stmt.query([])?;
        let case_at: HashMap<String, usize> = project
            .cases
            .iter()
            .enumerate()
            .map(|(i, c)| (c.guid.clone(), i))
            .collect();
        let source_at: HashMap<String, usize> = project
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.guid.clone(), i))
            .collect();
        while let Some(r) = rows.next()? {
            let name: String = r.get::<_, Option<String>>(0)?.unwrap_or_default();
            if !kinds.contains_key(&name) {
                continue;
            }
            let Some(value) = text(r.get(2)?) else {
                continue;
            };
            let id: i64 = r.get(3)?;
            let v = VariableValue {
                variable: derived(&self.key, "variable", &name),
                value: Some(value),
            };
            match r.get::<_, Option<String>>(1)?.as_deref() {
                Some("case") => {
                    if let Some(&i) = case_at.get(&self.guid("case", id)) {
                        project.cases[i].values.push(v);
                    }
                }
                Some("file") => {
                    if let Some(&i) = source_at.get(&self.guid("source", id)) {
                        project.sources[i].values.push(v);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}
