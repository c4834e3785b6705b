//! A verbatim code's fields carried in one REFI-QDA `Code/Description`.
//!
//! The standard gives a code one free-text description; verbatim has a
//! definition, inclusion and exclusion criteria, an example and a level.
//! They are written as paragraphs, the definition first and the others
//! labelled (`Include: …`), which other tools show as readable text and
//! verbatim reads back into the same fields. A description from another
//! tool, with no labels, is the definition.

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
pub fn encode(fields: &Fields) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = fields.definition.as_deref().filter(|d| !d.is_empty()) {
        parts.push(d.to_owned());
    }
    let labelled = [
        &fields.level,
        &fields.inclusion,
        &fields.exclusion,
        &fields.example,
    ];
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
        let text = encode(&fields).unwrap();
        assert!(text.starts_with("Ce qui fait tenir."));
        assert_eq!(decode(&text), fields);
        assert_eq!(encode(&Fields::default()), None);
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
