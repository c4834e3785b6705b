//! Code paths: naming a code by its place in the tree.
//!
//! Code names are unique among siblings only (migration 0019), as in
//! QualCoder, NVivo, ATLAS.ti and MAXQDA, so a bare name may fit several
//! codes ("Choice" under "Programming" and under "Citizenship"). Wherever
//! a user names a code, they may give its path instead: the names from
//! the top down joined by [`SEPARATOR`] (`Citizenship/Choice`), or only its
//! last steps (`Programming/Choice`); a leading `/` anchors the path at
//! the top. A name holding the separator or a backslash writes it escaped
//! (`Work\/life`, `a\\b`). A bare name still works whenever it fits one
//! code, and one that fits several is refused with every matching path,
//! so a command never silently picks one.

use rusqlite::{OptionalExtension, params};

use crate::sqlite::SqliteStore;
use crate::{Book, Scope, StoreError};

/// Separates the names of a code path.
pub const SEPARATOR: char = '/';

/// How deep a path is followed up (bounds a cycle in `parent`).
const MAX_DEPTH: i64 = 64;

/// Returns `name` with the separator and backslash escaped, as one step
/// of a path.
pub fn escape_step(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c == SEPARATOR || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Joins names, top first, into a path.
pub fn join_path<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| escape_step(n.as_ref()))
        .collect::<Vec<_>>()
        .join(&SEPARATOR.to_string())
}

/// A path as the user wrote it: its steps, and whether it starts at the top.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Path {
    pub steps: Vec<String>,
    pub anchored: bool,
}

/// Splits `word` at each unescaped separator and unescapes the steps; a
/// backslash before any other character is kept as it is.
pub(crate) fn split_path(word: &str) -> Path {
    let mut steps = vec![String::new()];
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some(&n) if n == SEPARATOR || n == '\\') => {
                if let (Some(n), Some(last)) = (chars.next(), steps.last_mut()) {
                    last.push(n);
                }
            }
            c if c == SEPARATOR => steps.push(String::new()),
            c => {
                if let Some(last) = steps.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    let anchored = steps.len() > 1 && steps[0].is_empty();
    if anchored {
        steps.remove(0);
    }
    for s in &mut steps {
        *s = s.trim().to_owned();
    }
    Path { steps, anchored }
}

impl SqliteStore {
    /// Returns a code's names from the top of its tree down to it (by
    /// primary parents).
    pub(crate) fn code_names_up(&self, id: i64) -> Result<Vec<String>, StoreError> {
        let names: Vec<String> = self
            .conn
            .prepare_cached(
                "WITH RECURSIVE up(id, parent, name, depth) AS ( \
                   SELECT id, parent, name, 0 FROM codes WHERE id = $1 \
                   UNION ALL SELECT c.id, c.parent, c.name, up.depth + 1 \
                   FROM codes c JOIN up ON c.id = up.parent WHERE up.depth < $2) \
                 SELECT name FROM up ORDER BY depth DESC",
            )?
            .query_map(params![id, MAX_DEPTH], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if names.is_empty() {
            return Err(StoreError::UnknownCode(id.to_string()));
        }
        Ok(names)
    }

    /// Returns a code's full path (`Top/Middle/Code`), escaped.
    pub fn code_path(&self, id: i64) -> Result<String, StoreError> {
        Ok(join_path(&self.code_names_up(id)?))
    }

    /// Returns the id of the code a user named: an id, a name, or a path,
    /// looked up in the coder's codebook and the shared one (or only
    /// `book` when given). A word that fits several codes is refused with
    /// their paths.
    pub fn find_code(
        &self,
        scope: &Scope,
        word: &str,
        book: Option<Book>,
    ) -> Result<i64, StoreError> {
        let word = word.trim();
        if let Ok(id) = word.parse::<i64>()
            && let Some(row) = self.code_row(id)?
            && scope.may_see(row.owner)
        {
            return Ok(id);
        }
        let books: Vec<Option<i64>> = match book {
            Some(b) => vec![b.owner(scope)],
            None if scope.is_consensus() => vec![None],
            None => vec![Some(scope.coder().id), None],
        };
        let path = split_path(word);
        let mut found: Vec<(Option<i64>, i64, Vec<String>)> = Vec::new();
        for owner in books.into_iter().filter(|o| scope.may_see(*o)) {
            for id in self.named(owner, word)? {
                found.push((owner, id, self.code_names_up(id)?));
            }
            let plain = !path.anchored && path.steps.len() == 1 && path.steps[0] == word;
            let Some(last) = path.steps.last().filter(|_| !plain) else {
                continue;
            };
            for id in self.named(owner, last)? {
                let names = self.code_names_up(id)?;
                let fits = if path.anchored {
                    names == path.steps
                } else {
                    names.ends_with(&path.steps)
                };
                if fits && !found.iter().any(|f| f.1 == id) {
                    found.push((owner, id, names));
                }
            }
        }
        match found.as_slice() {
            [] => Err(StoreError::UnknownCode(word.to_owned())),
            [(_, id, _)] => Ok(*id),
            many => {
                let listed: Vec<String> = many
                    .iter()
                    .map(|(owner, id, names)| {
                        let book = match owner {
                            None if !scope.is_consensus() => ", shared codebook",
                            Some(_) => ", your codebook",
                            None => "",
                        };
                        format!("{} (id {id}{book})", join_path(names))
                    })
                    .collect();
                Err(StoreError::Invalid(format!(
                    "{word:?} names {} codes: {}; give the path (Parent{SEPARATOR}Child) or the id of the one you mean",
                    many.len(),
                    listed.join(", ")
                )))
            }
        }
    }

    /// Returns the codes of one codebook called `name`, whatever their parent.
    fn named(&self, owner: Option<i64>, name: &str) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id FROM codes WHERE IFNULL(owner, 0) = $1 AND name = $2 ORDER BY id",
            )?
            .query_map(params![owner.unwrap_or(0), name], |r| r.get(0))?
            .collect::<Result<_, _>>()?)
    }

    /// Returns the sibling of `except` (same codebook and parent) called
    /// `name`, if any.
    pub(crate) fn sibling_named(
        &self,
        owner: Option<i64>,
        parent: Option<i64>,
        name: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM codes WHERE IFNULL(owner, 0) = $1 AND IFNULL(parent, 0) = $2 \
                 AND name = $3",
                params![owner.unwrap_or(0), parent.unwrap_or(0), name],
                |r| r.get(0),
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_at_unescaped_separators() {
        assert_eq!(
            split_path("Citizenship/Choice"),
            Path {
                steps: vec!["Citizenship".into(), "Choice".into()],
                anchored: false
            }
        );
        assert_eq!(
            split_path("/Top/Work\\/life"),
            Path {
                steps: vec!["Top".into(), "Work/life".into()],
                anchored: true
            }
        );
        assert_eq!(split_path("a\\\\b").steps, vec!["a\\b".to_owned()]);
        // A backslash before anything else stays.
        assert_eq!(split_path("C:\\x").steps, vec!["C:\\x".to_owned()]);
    }

    /// Adds a code (level by name) and returns its id.
    fn add(
        f: &mut crate::testkit::Fixture,
        scope: &Scope,
        name: &str,
        level: &str,
        parent: Option<i64>,
    ) -> i64 {
        let new = crate::NewCode {
            name: name.into(),
            level: Some(level.into()),
            parent,
            ..Default::default()
        };
        f.store.add_code(scope, &new).unwrap()
    }

    #[test]
    fn a_name_shared_by_siblings_of_different_parents_is_told_apart_by_path() {
        let mut f = crate::testkit::fixture();
        let scope = f.store.scope("amira", false, false).unwrap();
        let edu = add(&mut f, &scope, "Éducation", "theme", None);
        let cit = add(&mut f, &scope, "Citoyenneté", "theme", None);
        let a = add(&mut f, &scope, "Choix", "idea", Some(edu));
        let b = add(&mut f, &scope, "Choix", "idea", Some(cit));
        let err = f.store.find_code(&scope, "Choix", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "\"Choix\" names 2 codes: Éducation/Choix (id {a}, your codebook), \
                 Citoyenneté/Choix (id {b}, your codebook); give the path (Parent/Child) or the \
                 id of the one you mean"
            )
        );
        assert_eq!(
            f.store.find_code(&scope, "Éducation/Choix", None).unwrap(),
            a
        );
        assert_eq!(
            f.store
                .find_code(&scope, "/Citoyenneté/Choix", None)
                .unwrap(),
            b
        );
        assert!(matches!(
            f.store.find_code(&scope, "Choix/Éducation", None),
            Err(StoreError::UnknownCode(_))
        ));
        // Siblings still cannot share a name: added, renamed or moved in.
        let new = crate::NewCode {
            name: "Choix".into(),
            parent: Some(edu),
            ..Default::default()
        };
        assert!(f.store.add_code(&scope, &new).is_err());
        let c = add(&mut f, &scope, "Autre", "idea", Some(edu));
        let err = f.store.rename_code(&scope, c, "Choix").unwrap_err();
        assert!(err.to_string().contains("under \"Éducation\""), "{err}");
        assert!(f.store.move_code(&scope, b, Some(edu), None).is_err());
        // Merging Citoyenneté into Éducation would put two "Choix" side by side.
        assert!(f.store.merge_codes(&scope, cit, edu).is_err());
        // A name holding the separator is found whole, or escaped in a path.
        let w = add(&mut f, &scope, "Travail/vie", "idea", Some(cit));
        assert_eq!(f.store.find_code(&scope, "Travail/vie", None).unwrap(), w);
        assert_eq!(
            f.store
                .find_code(&scope, "Citoyenneté/Travail\\/vie", None)
                .unwrap(),
            w
        );
        assert_eq!(f.store.code_path(w).unwrap(), "Citoyenneté/Travail\\/vie");
    }

    #[test]
    fn a_joined_path_splits_back_into_its_names() {
        let names = ["Travail/vie", "a\\b", "Choix"];
        let path = join_path(&names);
        assert_eq!(path, "Travail\\/vie/a\\\\b/Choix");
        assert_eq!(split_path(&path).steps, names);
    }
}
