//! A Taguette project (its "Export project" `.sqlite3`, or a Taguette
//! database holding one project) read into the REFI-QDA model, so that
//! the planner, the report and the one-transaction import serve it as
//! they serve a `.qdpx`. Taguette has no REFI-QDA project export.
//!
//! The schema is Taguette's own (`taguette/database/models.py`, every
//! version since the first migration): `projects`, `documents` (HTML
//! `contents`), `tags` (a `path` whose dots nest them, `emotion.joie`),
//! `highlights` (UTF-8 byte offsets into the document's text nodes, and
//! the HTML `snippet` Taguette cut for them), `highlight_tags`,
//! `project_members`, and `commands`, the project's history, which alone
//! says who made a highlight. Each highlight is placed through
//! [`HtmlText`] and checked against its snippet before it is kept; one
//! that does not match is listed, never moved.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::guid::derived;
use super::html_text::{HtmlText, nodes_text};
use super::model::*;
use super::{ReadProject, RefiError, Report};

/// The `origin` given to a Taguette project (positions are placed here,
/// in code points of the text verbatim stores).
const ORIGIN: &str = "Taguette (sqlite3)";

/// The tables every Taguette database has.
pub const TABLES: &[&str] = &[
    "projects",
    "documents",
    "tags",
    "highlights",
    "highlight_tags",
];

/// Separates the levels of a tag path.
const TAG_SEPARATOR: char = '.';

/// Who did what, read from the project's history.
#[derive(Default)]
struct History {
    /// Highlight id → (login, date) of its `highlight_add`.
    highlights: HashMap<i64, (String, Option<String>)>,
    /// Document id → (login, date) of its `document_add`.
    documents: HashMap<i64, (String, Option<String>)>,
    /// Every login met.
    users: BTreeSet<String>,
    /// Commands read.
    count: usize,
}

/// Reads a Taguette project; `file` names it in messages.
pub fn read_taguette(conn: &Connection, path: &Path, file: &str) -> Result<ReadProject, RefiError> {
    let bad = |reason: String| RefiError::Invalid {
        file: file.to_owned(),
        reason,
    };
    let sql = |e: rusqlite::Error| bad(format!("its Taguette tables cannot be read ({e})"));
    let (id, name, description) = the_project(conn).map_err(|e| match e {
        OneProject::Sql(e) => sql(e),
        OneProject::Not(reason) => bad(reason),
    })?;
    let key = format!("taguette:{file}:{id}");
    let history = history(conn, id).map_err(sql)?;
    let mut report = Report::default();
    let mut project = Project {
        name: if name.trim().is_empty() {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "Taguette project".into())
        } else {
            name.clone()
        },
        origin: Some(ORIGIN.into()),
        ..Project::default()
    };
    let tag_paths = tags(conn, id).map_err(sql)?;
    project.codes = code_tree(&key, &tag_paths);
    let (sources, texts) =
        documents(conn, id, &key, &history, &tag_paths, &mut report).map_err(sql)?;
    project.sources = sources;
    project.source_descriptions_as_notes(|g| derived(&key, "description", g));
    if let Some(d) = description.filter(|d| !d.trim().is_empty()) {
        let guid = derived(&key, "project", "description");
        project.notes.push(Note {
            guid: guid.clone(),
            name: Some(format!("{name} (Taguette project description)")),
            content: Some(d),
            ..Note::default()
        });
        project.note_refs.push(guid);
    }
    let members = members(conn, id).map_err(sql)?;
    add_users(&mut project, &key, &history, &members);
    report.losses.extend(losses(&history, &members));
    let note_texts = project.notes.iter().map(|n| n.content.clone()).collect();
    Ok(ReadProject {
        file: file.to_owned(),
        project,
        texts,
        note_texts,
        code_fields: HashMap::new(),
        // Taguette keeps no recordings.
        media: Vec::new(),
        report,
    })
}

/// Why a database does not give the one project to read.
enum OneProject {
    /// Its `projects` table cannot be read.
    Sql(rusqlite::Error),
    /// It holds no project, or several: the sentence says what to do.
    Not(String),
}

/// Returns the id, name and description of the database's one project;
/// a database holding several is refused, saying to export one.
fn the_project(conn: &Connection) -> Result<(i64, String, Option<String>), OneProject> {
    let projects: Vec<(i64, String, Option<String>)> = conn
        .prepare("SELECT id, name, description FROM projects ORDER BY id")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .map_err(OneProject::Sql)?;
    match projects.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(OneProject::Not("it holds no Taguette project".into())),
        many => {
            let names: Vec<&str> = many.iter().map(|p| p.1.as_str()).collect();
            Err(OneProject::Not(format!(
                "it holds {} Taguette projects ({}); in Taguette, export the one you want (Project info → Export project) and import that file",
                many.len(),
                names.join(", ")
            )))
        }
    }
}

/// Lists the project's users (every login of the history and of the
/// members) and gives the first administrator the memos whose author
/// Taguette does not record.
fn add_users(
    project: &mut Project,
    key: &str,
    history: &History,
    members: &BTreeMap<String, String>,
) {
    let user = |login: &str| derived(key, "user", login);
    // Memos whose author Taguette does not record (the project's
    // description, a document added before the history began) are the
    // first administrator's.
    let admin = members
        .iter()
        .find(|(_, p)| *p == "admin")
        .map(|(login, _)| user(login));
    for note in &mut project.notes {
        if note.creating_user.is_none() {
            note.creating_user = admin.clone();
        }
    }
    let mut logins = history.users.clone();
    logins.extend(members.keys().cloned());
    project.users = logins
        .iter()
        .map(|login| User {
            guid: user(login),
            name: Some(login.clone()),
        })
        .collect();
}

/// What the import leaves behind: the history beyond who added what, and
/// the members' privileges.
fn losses(history: &History, members: &BTreeMap<String, String>) -> Vec<String> {
    let mut losses = Vec::new();
    if history.count > 0 {
        losses.push(format!(
            "the project's history ({} Taguette commands) is not carried beyond who added each document and highlight; verbatim keeps its own audit log from here",
            history.count
        ));
    }
    if !members.is_empty() {
        let listed: Vec<String> = members.iter().map(|(l, p)| format!("{l} ({p})")).collect();
        losses.push(format!(
            "members' privileges are not carried (verbatim's coders all may code): {}",
            listed.join(", ")
        ));
    }
    losses
}

/// Reads who added each highlight and document (the last `*_add` of each
/// id wins, as Taguette reuses none).
fn history(conn: &Connection, project: i64) -> rusqlite::Result<History> {
    let mut out = History::default();
    let exists: bool = conn
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'commands'")?
        .exists([])?;
    if !exists {
        return Ok(out);
    }
    let mut stmt = conn.prepare(
        "SELECT user_login, CAST(date AS TEXT), document_id, payload FROM commands \
         WHERE project_id = $1 ORDER BY id",
    )?;
    let mut rows = stmt.query([project])?;
    while let Some(r) = rows.next()? {
        out.count += 1;
        let Some(login) = r
            .get::<_, Option<String>>(0)?
            .filter(|l| !l.trim().is_empty())
        else {
            continue;
        };
        let date = date(r.get(1)?);
        let document: Option<i64> = r.get(2)?;
        let payload: Option<String> = r.get(3)?;
        let Some(payload) =
            payload.and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
        else {
            continue;
        };
        out.users.insert(login.clone());
        match payload.get("type").and_then(|t| t.as_str()) {
            Some("highlight_add") => {
                // `id` before Taguette's migration bc8e0e0677e9 (2021).
                let id = payload.get("highlight_id").or_else(|| payload.get("id"));
                if let Some(h) = id.and_then(|h| h.as_i64()) {
                    out.highlights.insert(h, (login, date));
                }
            }
            Some("document_add") => {
                if let Some(d) = document {
                    out.documents.insert(d, (login, date));
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Taguette writes dates as `YYYY-MM-DD HH:MM:SS[.ffffff]`; REFI-QDA wants
/// a `T` and no fraction.
fn date(s: Option<String>) -> Option<String> {
    let s = s?.trim().replacen(' ', "T", 1);
    let s = s.split('.').next().unwrap_or_default().to_owned();
    super::export::is_datetime(&s).then_some(s)
}

/// Returns the project's members and their privileges.
fn members(conn: &Connection, project: i64) -> rusqlite::Result<BTreeMap<String, String>> {
    let exists: bool = conn
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'project_members'")?
        .exists([])?;
    if !exists {
        return Ok(BTreeMap::new());
    }
    conn.prepare(
        "SELECT user_login, CAST(privileges AS TEXT) FROM project_members WHERE project_id = $1",
    )?
    .query_map([project], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?
                .unwrap_or_default()
                .to_lowercase(),
        ))
    })?
    .collect()
}

/// Returns the project's tags: id → (path, description).
fn tags(conn: &Connection, project: i64) -> rusqlite::Result<BTreeMap<i64, (String, String)>> {
    conn.prepare("SELECT id, path, description FROM tags WHERE project_id = $1 ORDER BY id")?
        .query_map([project], |r| {
            Ok((
                r.get(0)?,
                (
                    r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                ),
            ))
        })?
        .collect()
}

/// Returns a tag path's levels (`emotion.joie` → `emotion`, `joie`); a path
/// with empty levels (`a..b`, `.a`) is one name, as written.
fn levels(path: &str) -> Vec<String> {
    let parts: Vec<&str> = path.split(TAG_SEPARATOR).collect();
    if parts.len() > 1 && parts.iter().all(|p| !p.trim().is_empty()) {
        parts.into_iter().map(str::to_owned).collect()
    } else {
        vec![path.to_owned()]
    }
}

/// The GUID of the code at a tag path's prefix.
fn code_guid(key: &str, prefix: &[String]) -> String {
    derived(key, "tag", &prefix.join("\u{1f}"))
}

/// Builds the code tree: each tag a codable code under the codes of its
/// path's leading levels; a level no tag holds becomes a category.
fn code_tree(key: &str, tags: &BTreeMap<i64, (String, String)>) -> Vec<Code> {
    #[derive(Default)]
    struct Node {
        code: Option<Code>,
        children: Vec<Vec<String>>,
    }
    let mut nodes: HashMap<Vec<String>, Node> = HashMap::new();
    let mut roots: Vec<Vec<String>> = Vec::new();
    for (path, description) in tags.values() {
        let full = levels(path);
        for depth in 1..=full.len() {
            let prefix = full[..depth].to_vec();
            let is_tag = depth == full.len();
            let fresh = !nodes.contains_key(&prefix);
            let node = nodes.entry(prefix.clone()).or_default();
            if is_tag || node.code.is_none() {
                let codable = is_tag || node.code.as_ref().is_some_and(|c| c.codable);
                node.code = Some(Code {
                    guid: code_guid(key, &prefix),
                    name: prefix[depth - 1].clone(),
                    codable,
                    description: if is_tag {
                        Some(description.clone()).filter(|d| !d.trim().is_empty())
                    } else {
                        node.code.as_ref().and_then(|c| c.description.clone())
                    },
                    ..Code::default()
                });
            }
            if fresh {
                if depth == 1 {
                    roots.push(prefix);
                } else if let Some(parent) = nodes.get_mut(&full[..depth - 1]) {
                    parent.children.push(prefix);
                }
            }
        }
    }
    fn build(at: &[String], nodes: &mut HashMap<Vec<String>, Node>) -> Option<Code> {
        let node = nodes.remove(at)?;
        let mut code = node.code?;
        code.children = node
            .children
            .iter()
            .filter_map(|c| build(c, nodes))
            .collect();
        Some(code)
    }
    roots.iter().filter_map(|r| build(r, &mut nodes)).collect()
}

/// Reads the documents with their highlights placed on verbatim's text.
fn documents(
    conn: &Connection,
    project: i64,
    key: &str,
    history: &History,
    tags: &BTreeMap<i64, (String, String)>,
    report: &mut Report,
) -> rusqlite::Result<(Vec<TextSource>, Vec<Option<String>>)> {
    let tags_of = highlight_tags(conn, project)?;
    let user = |login: &str| derived(key, "user", login);
    let mut sources = Vec::new();
    let mut texts = Vec::new();
    let mut untagged = 0;
    let mut stmt = conn.prepare(
        "SELECT id, name, description, contents FROM documents WHERE project_id = $1 ORDER BY id",
    )?;
    let mut by_document = highlights_by_document(conn, project)?;
    let mut rows = stmt.query([project])?;
    while let Some(r) = rows.next()? {
        let doc: i64 = r.get(0)?;
        let name: String = r.get::<_, Option<String>>(1)?.unwrap_or_default();
        let html: String = r.get::<_, Option<String>>(3)?.unwrap_or_default();
        let text = HtmlText::parse(&html);
        let mut selections = Vec::new();
        for (id, start, end, snippet) in by_document.remove(&doc).unwrap_or_default() {
            let Some(tag_ids) = tags_of.get(&id).filter(|t| !t.is_empty()) else {
                untagged += 1;
                continue;
            };
            let placed = text
                .node_slice(start, end)
                .filter(|s| *s == nodes_text(&snippet))
                .and(text.place(start, end));
            let Some((s, e)) = placed else {
                report.skipped.push(format!(
                    "highlight {id} in {name:?} (bytes {start}–{end}) does not cover the text Taguette stored for it; it was not imported"
                ));
                continue;
            };
            let (who, when) = match history.highlights.get(&id) {
                Some((login, date)) => (Some(user(login)), date.clone()),
                None => (None, None),
            };
            let codings = tag_ids
                .iter()
                .filter_map(|t| tags.get(t))
                .map(|(path, _)| Coding {
                    guid: derived(key, "coding", &format!("{id}:{path}")),
                    creating_user: who.clone(),
                    created: when.clone(),
                    code: code_guid(key, &levels(path)),
                    note_refs: Vec::new(),
                })
                .collect();
            selections.push(Selection {
                guid: derived(key, "highlight", &id.to_string()),
                name: text.slice(s, e).map(str::to_owned),
                start: s as i64,
                end: e as i64,
                creating_user: who,
                created: when,
                description: None,
                codings,
                note_refs: Vec::new(),
            });
        }
        let added = history.documents.get(&doc);
        sources.push(TextSource {
            guid: derived(key, "document", &doc.to_string()),
            name: Some(name),
            creating_user: added.map(|(login, _)| user(login)),
            created: added.and_then(|(_, d)| d.clone()),
            description: r
                .get::<_, Option<String>>(2)?
                .filter(|d| !d.trim().is_empty()),
            selections,
            ..TextSource::default()
        });
        texts.push(Some(text.text));
    }
    if untagged > 0 {
        report.skipped.push(format!(
            "{untagged} highlight(s) carry no tag; verbatim codes passages with codes, so they were not imported"
        ));
    }
    Ok((sources, texts))
}

/// Returns the tags of each highlight of the project, by highlight id.
fn highlight_tags(conn: &Connection, project: i64) -> rusqlite::Result<HashMap<i64, Vec<i64>>> {
    let mut tags_of: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT ht.highlight_id, ht.tag_id FROM highlight_tags ht JOIN tags t ON t.id = ht.tag_id \
         WHERE t.project_id = $1 ORDER BY ht.highlight_id, ht.tag_id",
    )?;
    let mut rows = stmt.query([project])?;
    while let Some(r) = rows.next()? {
        tags_of.entry(r.get(0)?).or_default().push(r.get(1)?);
    }
    Ok(tags_of)
}

/// A highlight: `(id, start, end, snippet)`, offsets in bytes of the
/// document's text nodes.
type Highlight = (i64, i64, i64, String);

/// Returns the project's highlights by document, in order of position.
/// One pass over them all: a database without Taguette's index on
/// `document_id` is not scanned once per document.
fn highlights_by_document(
    conn: &Connection,
    project: i64,
) -> rusqlite::Result<HashMap<i64, Vec<Highlight>>> {
    let mut by_document: HashMap<i64, Vec<Highlight>> = HashMap::new();
    let mut highlights = conn.prepare(
        "SELECT h.id, h.document_id, h.start_offset, h.end_offset, h.snippet FROM highlights h \
         JOIN documents d ON d.id = h.document_id WHERE d.project_id = $1 \
         ORDER BY h.document_id, h.start_offset, h.id",
    )?;
    let mut hl = highlights.query([project])?;
    while let Some(h) = hl.next()? {
        by_document.entry(h.get(1)?).or_default().push((
            h.get(0)?,
            h.get(2)?,
            h.get(3)?,
            h.get::<_, Option<String>>(4)?.unwrap_or_default(),
        ));
    }
    Ok(by_document)
}

/// Returns true when the database has Taguette's tables.
pub fn is_taguette(conn: &Connection) -> bool {
    TABLES.iter().all(|t| {
        conn.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1")
            .and_then(|mut s| s.exists([t]))
            .unwrap_or(false)
    })
}

/// Opens an SQLite file read-only.
pub(super) fn open(path: &Path, file: &str) -> Result<Connection, RefiError> {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| {
        RefiError::Invalid {
            file: file.to_owned(),
            reason: format!("it cannot be opened as SQLite ({e})"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_paths_nest_by_dots_and_missing_levels_are_categories() {
        let tags = BTreeMap::from([
            (1, ("émotion.joie".to_owned(), "Moments heureux".to_owned())),
            (2, ("émotion.peur".to_owned(), String::new())),
            (3, ("confiance".to_owned(), String::new())),
            (4, ("a..b".to_owned(), String::new())),
        ]);
        let tree = code_tree("k", &tags);
        let names: Vec<(&str, bool, usize)> = tree
            .iter()
            .map(|c| (c.name.as_str(), c.codable, c.children.len()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("émotion", false, 2),
                ("confiance", true, 0),
                ("a..b", true, 0)
            ]
        );
        assert_eq!(tree[0].children[0].name, "joie");
        assert_eq!(
            tree[0].children[0].description.as_deref(),
            Some("Moments heureux")
        );
    }
}
