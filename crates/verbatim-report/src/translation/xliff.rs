//! XLIFF 2.0 (OASIS, `urn:oasis:names:tc:xliff:document:2.0`): the format
//! CAT tools (OmegaT, Trados, memoQ, Phrase) open.
//!
//! One `<unit>` per quote, its `id` the coding's GUID (a valid NMTOKEN),
//! `xml:space="preserve"` so tools keep line breaks, and `<notes>` for what
//! a translator needs and verbatim needs back: `attribution`, `code`,
//! `context-before`, `context-after` and `verbatim-hash` (the SHA-256 of
//! the exported words). One `<segment>` holds the `<source>` and, when a
//! translation exists, the `<target>` to review. On reading, a unit's
//! targets are joined across segments and ignorables in order, since tools
//! may split a quote into sentences.

use std::collections::HashSet;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::{Returned, ReturnedUnit, TranslationError, Unit, language};
use crate::figures::svg::escape;

/// The XLIFF 2.0 namespace.
pub const NAMESPACE: &str = "urn:oasis:names:tc:xliff:document:2.0";

/// Returns the units as an XLIFF 2.0 document from `source` to `target`
/// language; `original` names the study.
pub fn write(units: &[Unit], source: &str, target: &str, original: &str) -> String {
    let mut out = String::with_capacity(1024 + units.len() * 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<xliff xmlns=\"{NAMESPACE}\" version=\"2.0\" srcLang=\"{}\" trgLang=\"{}\">\n",
        escape(source),
        escape(target)
    ));
    out.push_str(&format!(
        "  <file id=\"quotes\" original=\"{}\">\n",
        escape(original)
    ));
    for unit in units {
        out.push_str(&format!(
            "    <unit id=\"{}\" name=\"{}\" xml:space=\"preserve\">\n",
            escape(&unit.id),
            escape(&unit.attribution)
        ));
        out.push_str("      <notes>\n");
        for (category, text) in [
            ("attribution", &unit.attribution),
            ("code", &unit.code),
            ("context-before", &unit.before),
            ("context-after", &unit.after),
            ("verbatim-hash", &unit.hash),
        ] {
            out.push_str(&format!(
                "        <note category=\"{category}\">{}</note>\n",
                escape(text)
            ));
        }
        out.push_str("      </notes>\n");
        let state = if unit.existing.is_some() {
            "translated"
        } else {
            "initial"
        };
        out.push_str(&format!("      <segment state=\"{state}\">\n"));
        out.push_str(&format!(
            "        <source>{}</source>\n",
            escape(&unit.text)
        ));
        if let Some(existing) = &unit.existing {
            out.push_str(&format!("        <target>{}</target>\n", escape(existing)));
        }
        out.push_str("      </segment>\n");
        out.push_str("    </unit>\n");
    }
    out.push_str("  </file>\n</xliff>\n");
    out
}

/// Where the reader is inside a unit.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum In {
    #[default]
    Nothing,
    HashNote,
    Target,
}

/// Reads a translated XLIFF 2.0 file; `file` names it in errors.
pub fn read(bytes: &[u8], file: &str) -> Result<Returned, TranslationError> {
    let malformed = |message: String| TranslationError::Malformed {
        file: file.to_owned(),
        message,
    };
    let text = utf8_text(bytes).map_err(malformed)?;
    let gathered = gather_units(text).map_err(malformed)?;
    let tag = gathered.target_language.ok_or_else(|| {
        malformed(
            "the <xliff> element has no trgLang: say the target language, e.g. trgLang=\"en\""
                .into(),
        )
    })?;
    Ok(Returned {
        language: language(&tag, file)?,
        units: gathered.units,
    })
}

/// Returns the file's text without a byte-order mark, or a sentence saying
/// it is not UTF-8.
fn utf8_text(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).map_err(|e| {
        format!(
            "not UTF-8 (byte {}): XLIFF files are UTF-8; save it again from the translation tool",
            e.valid_up_to()
        )
    })
}

/// Walks the XML events of `text` and returns the units and target
/// language it holds, or a sentence saying where the file is broken.
fn gather_units(text: &str) -> Result<Gathered, String> {
    let mut reader = Reader::from_str(text);
    let mut gathered = Gathered::default();
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            format!(
                "not well-formed XML at {}: {e}",
                line_column(text, reader.error_position())
            )
        })?;
        match &event {
            Event::Start(e) => gathered.open(e, false, || line_column(text, at))?,
            Event::Empty(e) => gathered.open(e, true, || line_column(text, at))?,
            Event::End(e) => gathered.close(e.local_name().as_ref()),
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                if let Some(chars) = chars_of(&event) {
                    gathered.text(&chars);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if gathered.depth > 0 {
        return Err(format!(
            "the file ends with {} element(s) still open: it was cut short; export it again",
            gathered.depth
        ));
    }
    if !gathered.seen_root {
        return Err("the file holds no XML element".into());
    }
    Ok(gathered)
}

/// What the reader has gathered so far from an XLIFF file, and where it is.
#[derive(Default)]
struct Gathered {
    target_language: Option<String>,
    units: Vec<ReturnedUnit>,
    ids: HashSet<String>,
    current: Option<ReturnedUnit>,
    inside: In,
    hash: String,
    depth: usize,
    seen_root: bool,
}

impl Gathered {
    /// Opens an element (`empty` for `<x/>`): checks the root, begins a
    /// unit, or starts gathering a hash note's or a target's text; `at`
    /// says where the element is, for errors.
    fn open(
        &mut self,
        e: &BytesStart<'_>,
        empty: bool,
        at: impl Fn() -> String,
    ) -> Result<(), String> {
        let name = local(e);
        if !self.seen_root {
            self.seen_root = true;
            check_root(e, &name)?;
            self.target_language = attr(e, "trgLang");
        }
        if !empty {
            self.depth += 1;
        }
        match name.as_str() {
            "unit" => self.begin_unit(e, at)?,
            "note" if !empty && attr(e, "category").as_deref() == Some("verbatim-hash") => {
                self.inside = In::HashNote;
                self.hash.clear();
            }
            "target" if !empty => self.inside = In::Target,
            _ => {}
        }
        Ok(())
    }

    /// Begins a `<unit>`, refusing one without an id or with an id seen
    /// before.
    fn begin_unit(&mut self, e: &BytesStart<'_>, at: impl Fn() -> String) -> Result<(), String> {
        let id = attr(e, "id").ok_or_else(|| format!("a <unit> without an id at {}", at()))?;
        if !self.ids.insert(id.clone()) {
            return Err(format!("unit {id} appears twice (at {}): keep one", at()));
        }
        self.current = Some(ReturnedUnit {
            id,
            hash: None,
            target: String::new(),
        });
        Ok(())
    }

    /// Closes the element `name`: a hash note gives the unit its hash, a
    /// target stops gathering, a unit is kept.
    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        match name {
            "note" if self.inside == In::HashNote => {
                if let Some(unit) = self.current.as_mut() {
                    unit.hash = Some(self.hash.trim().to_owned());
                }
                self.inside = In::Nothing;
            }
            "target" => self.inside = In::Nothing,
            "unit" => self.units.extend(self.current.take()),
            _ => {}
        }
    }

    /// Adds characters to the hash note or target being read, if any.
    fn text(&mut self, chars: &str) {
        match (self.inside, self.current.as_mut()) {
            (In::HashNote, Some(_)) => self.hash.push_str(chars),
            (In::Target, Some(unit)) => unit.target.push_str(chars),
            _ => {}
        }
    }
}

fn check_root(e: &BytesStart<'_>, name: &str) -> Result<(), String> {
    if name != "xliff" {
        return Err(format!(
            "the root element is <{name}>, not <xliff>: this is not an XLIFF file"
        ));
    }
    let ns = attr(e, "xmlns").unwrap_or_default();
    let version = attr(e, "version").unwrap_or_default();
    if ns != NAMESPACE || !version.starts_with("2.") {
        return Err(format!(
            "this is XLIFF {} ({}), not XLIFF 2.0: save it as XLIFF 2.0, or use the CSV export",
            if version.is_empty() {
                "of an unknown version"
            } else {
                &version
            },
            if ns.is_empty() { "no namespace" } else { &ns }
        ));
    }
    Ok(())
}

fn local(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_owned()
}

/// Returns an attribute's value by its qualified name, entities resolved.
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// Returns the characters an event carries: text, CDATA, or a resolved
/// entity or character reference.
fn chars_of(event: &Event<'_>) -> Option<String> {
    match event {
        Event::Text(t) => Some(t.xml10_content().into_owned()),
        Event::CData(d) => Some(d.xml10_content().into_owned()),
        Event::GeneralRef(r) => match r.resolve_char_ref() {
            Ok(Some(c)) => Some(c.to_string()),
            Ok(None) => resolve_predefined_entity(r).map(str::to_owned),
            Err(_) => None,
        },
        _ => None,
    }
}

/// Returns "line L, column C" (1-based) of a byte offset.
fn line_column(text: &str, offset: u64) -> String {
    let offset = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translation::hash_text;

    fn unit(id: &str, text: &str) -> Unit {
        Unit {
            id: id.into(),
            language: Some("fr".into()),
            text: text.into(),
            before: "Avant.".into(),
            after: "Après.".into(),
            attribution: "CHFG-C — Focus group".into(),
            code: "A › B".into(),
            existing: None,
            hash: hash_text(text),
        }
    }

    #[test]
    fn written_units_read_back_with_their_hash_and_filled_targets() {
        let units = vec![
            unit("a-1", "Il m'a dit « <non> » & puis\nrien."),
            unit("b-2", "Deuxième"),
        ];
        let xml = write(&units, "fr", "en", "Étude");
        // A translator fills the first target.
        let filled = xml.replacen(
            "</source>\n",
            "</source>\n        <target>He told me &quot;&lt;no&gt;&quot; &amp; then\nnothing.</target>\n",
            1,
        );
        let back = read(filled.as_bytes(), "t.xlf").unwrap();
        assert_eq!(back.language.as_str(), "en");
        assert_eq!(back.units.len(), 2);
        assert_eq!(back.units[0].id, "a-1");
        assert_eq!(back.units[0].target, "He told me \"<no>\" & then\nnothing.");
        assert_eq!(back.units[0].hash.as_deref(), Some(units[0].hash.as_str()));
        assert_eq!(back.units[1].target, "");
    }

    #[test]
    fn other_files_are_refused_with_a_sentence_saying_why() {
        let v12 =
            r#"<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file/></xliff>"#;
        let err = read(v12.as_bytes(), "old.xlf").unwrap_err().to_string();
        assert!(
            err.contains("old.xlf") && err.contains("not XLIFF 2.0"),
            "{err}"
        );
        let cut = &write(&[unit("a", "x")], "fr", "en", "s")[..200];
        let err = read(cut.as_bytes(), "cut.xlf").unwrap_err().to_string();
        assert!(err.contains("cut.xlf"), "{err}");
        let twice = write(&[unit("a", "x"), unit("a", "y")], "fr", "en", "s");
        let err = read(twice.as_bytes(), "d.xlf").unwrap_err().to_string();
        assert!(err.contains("appears twice"), "{err}");
        let err = read(b"\xff\xfe<", "bin.xlf").unwrap_err().to_string();
        assert!(err.contains("not UTF-8"), "{err}");
    }
}
