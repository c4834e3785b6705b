//! Column names as people type them: found by meaning, in English or French.
//!
//! A codebook typed by a team says `Définition`, `definition`, `DEFINITION `
//! or `Critères d'inclusion`; each is compared after folding (lower case, no
//! accents, runs of spaces, `_`, `-`, `'` and `.` made one space), against
//! the names below. The export writes the first English name of each.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// What a column of a codebook holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The code's name.
    Name,
    /// The path from the top of the tree to the code.
    Path,
    /// The name of the code's parent.
    Parent,
    /// The code's depth in the tree (1 = top), for indented lists.
    Depth,
    /// The code's level (idea, theme…).
    Level,
    /// What the code means.
    Definition,
    /// When to apply it.
    Inclusion,
    /// When not to.
    Exclusion,
    /// A typical passage.
    Example,
    /// Its colour.
    Colour,
    /// The coder whose codebook the row comes from (an export with `--all`).
    Codebook,
    /// The producer's identifier.
    Guid,
    /// Counts and other columns an export adds, read as nothing.
    Ignored,
}

/// The accepted names of each field, folded; the export uses the first.
const NAMES: &[(Field, &[&str])] = &[
    (
        Field::Path,
        &[
            "code path",
            "path",
            "chemin",
            "chemin du code",
            "hierarchy",
            "hierarchie",
            "arborescence",
        ],
    ),
    (
        Field::Name,
        &[
            "code",
            "name",
            "code name",
            "nom",
            "nom du code",
            "libelle",
            "label",
            "intitule",
        ],
    ),
    (
        Field::Parent,
        &[
            "parent",
            "parent code",
            "code parent",
            "parent theme",
            "theme parent",
            "parent name",
            "nom du parent",
        ],
    ),
    (
        Field::Depth,
        &[
            "depth",
            "indent",
            "indentation",
            "indentation level",
            "profondeur",
            "retrait",
            "niveau d indentation",
            "rang",
        ],
    ),
    (
        Field::Level,
        &["level", "niveau", "code level", "niveau du code", "type"],
    ),
    (
        Field::Definition,
        &["definition", "description", "meaning", "sens"],
    ),
    (
        Field::Inclusion,
        &[
            "inclusion criteria",
            "inclusion",
            "include",
            "when to use",
            "criteres d inclusion",
            "critere d inclusion",
            "quand l utiliser",
        ],
    ),
    (
        Field::Exclusion,
        &[
            "exclusion criteria",
            "exclusion",
            "exclude",
            "when not to use",
            "criteres d exclusion",
            "critere d exclusion",
            "quand ne pas l utiliser",
        ],
    ),
    (
        Field::Example,
        &[
            "example",
            "examples",
            "typical example",
            "exemple",
            "exemples",
            "exemple type",
        ],
    ),
    (Field::Colour, &["colour", "color", "couleur"]),
    (Field::Codebook, &["codebook", "coder", "codeur", "codeuse"]),
    (Field::Guid, &["guid", "id", "identifier", "identifiant"]),
    (
        Field::Ignored,
        &[
            "codings",
            "codings with codes below",
            "count",
            "sources",
            "codages",
            "nombre",
            "references",
            "files",
        ],
    ),
];

/// Returns text folded for comparison: lower case, accents removed,
/// separators made single spaces.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// Returns the field a header names, if any.
pub fn field_of(header: &str) -> Option<Field> {
    let folded = fold(header);
    NAMES
        .iter()
        .find(|(_, names)| names.contains(&folded.as_str()))
        .map(|(field, _)| *field)
}

/// Returns the name the export writes for a field.
pub fn name_of(field: Field) -> &'static str {
    NAMES
        .iter()
        .find(|(f, _)| *f == field)
        .and_then(|(_, names)| names.first())
        .copied()
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_and_english_headers_are_found() {
        assert_eq!(field_of(" Définition "), Some(Field::Definition));
        assert_eq!(field_of("Critères d'inclusion"), Some(Field::Inclusion));
        assert_eq!(field_of("CHEMIN"), Some(Field::Path));
        assert_eq!(field_of("Niveau"), Some(Field::Level));
        assert_eq!(field_of("code_parent"), Some(Field::Parent));
        assert_eq!(field_of("Couleur"), Some(Field::Colour));
        assert_eq!(field_of("Remarques"), None);
    }

    #[test]
    fn export_names_are_read_back() {
        for (field, _) in NAMES {
            assert_eq!(field_of(name_of(*field)), Some(*field));
        }
    }
}
