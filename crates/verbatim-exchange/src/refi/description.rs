//! A verbatim code's fields carried in a REFI-QDA file.
//!
//! The standard gives a code one free-text description, which other tools
//! show as the code's memo; verbatim has a definition, inclusion and
//! exclusion criteria, an example and a level. So that the other tool's
//! memo is what the user wrote, the description holds the definition and,
//! labelled (`Include: …`), the criteria and example the user wrote, but
//! never the level; every field, the level included, is also written whole
//! in a part of the archive only verbatim reads ([`PART`], keyed by code
//! GUID), which other tools ignore. On import the part wins; without it
//! (another tool's file, a `.qdc`, an older verbatim export) the
//! description is read back, labels included (`Level: …` too, as older
//! exports wrote it). A description from another tool, with no labels, is
//! the definition.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// The archive entry holding every code's fields, as verbatim wrote them.
pub const PART: &str = "verbatim/codes.json";

/// A code's descriptive fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// What the code means.
    pub definition: Option<String>,
    /// When to apply it.
    pub inclusion: Option<String>,
    /// When not to.
    pub exclusion: Option<String>,
    /// A typical passage.
    pub example: Option<String>,
    /// Its level's name.
    pub level: Option<String>,
}

const LABELS: [&str; 4] = ["Level: ", "Include: ", "Exclude: ", "Example: "];

/// Returns the description carrying `fields`, `None` when all are empty.
/// The level is written only when `with_level` (a `.qdc`, which has no
/// other place for it).
pub fn encode(fields: &Fields, with_level: bool) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = fields.definition.as_deref().filter(|d| !d.is_empty()) {
        parts.push(d.to_owned());
    }
    let level = if with_level { &fields.level } else { &None };
    let labelled = [level, &fields.inclusion, &fields.exclusion, &fields.example];
    for (label, value) in LABELS.iter().zip(labelled) {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{label}{v}"));
        }
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// Returns the fields a description carries.
///
/// Paragraphs are split on blank lines; a labelled paragraph and the
/// unlabelled ones after it (a criterion written over several paragraphs)
/// fill its field; unlabelled paragraphs before any label are the
/// definition. Labels are matched in English and French.
pub fn decode(description: &str) -> Fields {
    let text = description.replace("\r\n", "\n");
    let mut fields = Fields::default();
    let mut current: Option<usize> = None; // index into the labelled fields
    let mut buffers: [Vec<String>; 5] = Default::default(); // definition + 4
    for paragraph in text.split("\n\n") {
        let (slot, body) = match label_of(paragraph) {
            Some((i, rest)) => {
                current = Some(i);
                (i + 1, rest)
            }
            None => (current.map_or(0, |i| i + 1), paragraph),
        };
        if let Some(buffer) = buffers.get_mut(slot) {
            buffer.push(body.to_owned());
        }
    }
    let join = |b: &Vec<String>| {
        let s = b.join("\n\n");
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_owned())
    };
    fields.definition = join(&buffers[0]);
    fields.level = join(&buffers[1]);
    fields.inclusion = join(&buffers[2]);
    fields.exclusion = join(&buffers[3]);
    fields.example = join(&buffers[4]);
    fields
}

/// Returns the [`PART`] holding each code's fields, keyed by GUID.
pub fn part(codes: &[(String, Fields)]) -> String {
    let mut all = Map::new();
    for (guid, f) in codes {
        let mut one = Map::new();
        for (name, value) in [
            ("definition", &f.definition),
            ("inclusion", &f.inclusion),
            ("exclusion", &f.exclusion),
            ("example", &f.example),
            ("level", &f.level),
        ] {
            if let Some(v) = value {
                one.insert(name.to_owned(), Value::String(v.clone()));
            }
        }
        all.insert(guid.clone(), Value::Object(one));
    }
    let doc = serde_json::json!({ "format": "verbatim code fields 1", "codes": all });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// Returns the fields a [`PART`] holds, keyed by the GUID as written;
/// `None` when it is not a part verbatim wrote (then descriptions are read).
pub fn read_part(bytes: &[u8]) -> Option<HashMap<String, Fields>> {
    let doc: Value = serde_json::from_slice(bytes).ok()?;
    let codes = doc.get("codes")?.as_object()?;
    let text = |o: &Map<String, Value>, k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .filter(|s| !s.trim().is_empty())
    };
    let mut out = HashMap::with_capacity(codes.len());
    for (guid, fields) in codes {
        let Some(o) = fields.as_object() else {
            continue;
        };
        out.insert(
            guid.clone(),
            Fields {
                definition: text(o, "definition"),
                inclusion: text(o, "inclusion"),
                exclusion: text(o, "exclusion"),
                example: text(o, "example"),
                level: text(o, "level"),
            },
        );
    }
    Some(out)
}

/// Returns which label a paragraph starts with, and the rest.
fn label_of(paragraph: &str) -> Option<(usize, &str)> {
    const SPELLINGS: [&[&str]; 4] = [
        &["Level:", "Niveau :", "Niveau:"],
        &["Include:", "Inclusion:", "Inclure :", "Inclusion :"],
        &["Exclude:", "Exclusion:", "Exclure :", "Exclusion :"],
        &["Example:", "Exemple :", "Exemple:"],
    ];
    for (i, spellings) in SPELLINGS.iter().enumerate() {
        for s in *spellings {
            if let Some(rest) = paragraph.strip_prefix(s) {
                return Some((i, rest.trim_start()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip() {
        let fields = Fields {
            definition: Some("Ce qui fait tenir.\n\nDeux paragraphes.".into()),
            inclusion: Some("Quand on parle de lien".into()),
            exclusion: None,
            example: Some("« Je suis là »".into()),
            level: Some("theme".into()),
        };
        let text = encode(&fields, true).unwrap();
        assert!(text.starts_with("Ce qui fait tenir."));
        assert_eq!(decode(&text), fields);
        assert_eq!(encode(&Fields::default(), true), None);
        // In a project the level stays out of the memo other tools show.
        let memo = encode(&fields, false).unwrap();
        assert!(!memo.contains("theme"), "{memo}");
        let part = part(&[("G1".into(), fields.clone())]);
        assert_eq!(read_part(part.as_bytes()).unwrap()["G1"], fields);
        assert_eq!(read_part(b"not json"), None);
    }

    #[test]
    fn another_tools_description_is_the_definition() {
        let fields = decode("Anything about jobs or taxes or business");
        assert_eq!(
            fields.definition.as_deref(),
            Some("Anything about jobs or taxes or business")
        );
        assert_eq!(fields.level, None);
    }
}
