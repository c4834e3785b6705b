//! [`Project`] → XML that validates against Project-mrt2019.xsd, and codes
//! → a `.qdc` that validates against Codebook-mrt2019.xsd.
//!
//! Every container is an `xsd:sequence`, so children are written in the
//! schema's order; a wrapper (`Users`, `Sets`…) is written only when it has
//! a child, because the schema wants at least one (notes §4). Optional
//! attributes and elements are left out rather than written empty.

use super::model::*;
use super::xml::{attr, text};

const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";
const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";
const PROJECT_XSD: &str = "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd";
const CODEBOOK_XSD: &str = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd";

/// Returns the `.qde` document of a project.
pub(crate) fn project(p: &Project) -> String {
    let mut out = String::with_capacity(1 << 16);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Project");
    attr(&mut out, "xmlns", PROJECT_NS);
    attr(
        &mut out,
        "xmlns:xsi",
        "http://www.w3.org/2001/XMLSchema-instance",
    );
    attr(
        &mut out,
        "xsi:schemaLocation",
        &format!("{PROJECT_NS} {PROJECT_XSD}"),
    );
    attr(&mut out, "name", &p.name);
    opt_attr(&mut out, "origin", p.origin.as_deref());
    opt_attr(&mut out, "creationDateTime", p.created.as_deref());
    out.push_str(">\n");
    wrapper(&mut out, "Users", &p.users, user);
    if !p.codes.is_empty() {
        out.push_str("<CodeBook>\n<Codes>\n");
        for c in &p.codes {
            code(&mut out, c, true);
        }
        out.push_str("</Codes>\n</CodeBook>\n");
    }
    wrapper(&mut out, "Variables", &p.variables, variable);
    wrapper(&mut out, "Cases", &p.cases, |out, c| {
        case(out, c, &p.variables);
    });
    if !p.sources.is_empty() || !p.media.is_empty() {
        out.push_str("<Sources>\n");
        for s in &p.sources {
            text_source(&mut out, "TextSource", s, &p.variables);
        }
        super::media::write_sources(&mut out, &p.media);
        out.push_str("</Sources>\n");
    }
    wrapper(&mut out, "Notes", &p.notes, |out, n| {
        text_source(out, "Note", n, &p.variables);
    });
    wrapper(&mut out, "Links", &p.links, link);
    wrapper(&mut out, "Sets", &p.sets, |out, s| {
        set(out, s, "targetGUID");
    });
    if let Some(d) = &p.description {
        element(&mut out, "Description", d);
    }
    refs(&mut out, "NoteRef", &p.note_refs);
    out.push_str("</Project>\n");
    out
}

/// Writes `<name>`, each item, `</name>`; nothing when there is no item
/// (the schema wants at least one child in a wrapper).
fn wrapper<T>(out: &mut String, name: &str, items: &[T], mut each: impl FnMut(&mut String, &T)) {
    if items.is_empty() {
        return;
    }
    out.push('<');
    out.push_str(name);
    out.push_str(">\n");
    for item in items {
        each(out, item);
    }
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

/// Writes a `User`.
fn user(out: &mut String, u: &User) {
    out.push_str("<User");
    attr(out, "guid", &u.guid);
    opt_attr(out, "name", u.name.as_deref());
    out.push_str("/>\n");
}

/// Writes a `Variable`, its description inside when it has one.
fn variable(out: &mut String, v: &Variable) {
    out.push_str("<Variable");
    attr(out, "guid", &v.guid);
    attr(out, "name", &v.name);
    attr(out, "typeOfVariable", v.kind.as_str());
    match &v.description {
        Some(d) => {
            out.push('>');
            element(out, "Description", d);
            out.push_str("</Variable>\n");
        }
        None => out.push_str("/>\n"),
    }
}

/// Writes a `Case` (its values typed by `variables`).
fn case(out: &mut String, c: &Case, variables: &[Variable]) {
    out.push_str("<Case");
    attr(out, "guid", &c.guid);
    opt_attr(out, "name", c.name.as_deref());
    out.push('>');
    if let Some(d) = &c.description {
        element(out, "Description", d);
    }
    values(out, &c.values, variables);
    refs(out, "SourceRef", &c.source_refs);
    refs(out, "SelectionRef", &c.selection_refs);
    out.push_str("</Case>\n");
}

/// Writes a `Link`, one way from its origin to its target.
fn link(out: &mut String, l: &Link) {
    out.push_str("<Link");
    attr(out, "guid", &l.guid);
    opt_attr(out, "name", l.name.as_deref());
    attr(out, "direction", "OneWay");
    opt_attr(out, "originGUID", l.origin.as_deref());
    opt_attr(out, "targetGUID", l.target.as_deref());
    out.push_str("/>\n");
}

/// Returns a `.qdc` document holding `codes` (and `sets`, whose members
/// are written with `@guid`, as the codebook schema names them).
pub(crate) fn codebook(origin: &str, codes: &[Code], sets: &[Set]) -> String {
    let mut out = String::with_capacity(1 << 14);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CodeBook");
    attr(&mut out, "xmlns", CODEBOOK_NS);
    attr(
        &mut out,
        "xmlns:xsi",
        "http://www.w3.org/2001/XMLSchema-instance",
    );
    attr(
        &mut out,
        "xsi:schemaLocation",
        &format!("{CODEBOOK_NS} {CODEBOOK_XSD}"),
    );
    attr(&mut out, "origin", origin);
    out.push_str(">\n<Codes>\n");
    for c in codes {
        code(&mut out, c, false);
    }
    out.push_str("</Codes>\n");
    if !sets.is_empty() {
        out.push_str("<Sets>\n");
        for s in sets {
            set(&mut out, s, "guid");
        }
        out.push_str("</Sets>\n");
    }
    out.push_str("</CodeBook>\n");
    out
}

fn opt_attr(out: &mut String, name: &str, value: Option<&str>) {
    if let Some(v) = value {
        attr(out, name, v);
    }
}

fn element(out: &mut String, name: &str, content: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    text(out, content);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

fn refs(out: &mut String, name: &str, guids: &[String]) {
    for g in guids {
        out.push('<');
        out.push_str(name);
        attr(out, "targetGUID", g);
        out.push_str("/>\n");
    }
}

/// Writes a code; the codebook schema has no `NoteRef` on codes.
fn code(out: &mut String, c: &Code, note_refs: bool) {
    out.push_str("<Code");
    attr(out, "guid", &c.guid);
    attr(out, "name", &c.name);
    attr(out, "isCodable", if c.codable { "true" } else { "false" });
    opt_attr(out, "color", c.color.as_deref());
    let has_notes = note_refs && !c.note_refs.is_empty();
    if c.description.is_none() && !has_notes && c.children.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    if let Some(d) = &c.description {
        element(out, "Description", d);
    }
    if note_refs {
        refs(out, "NoteRef", &c.note_refs);
    }
    for child in &c.children {
        code(out, child, note_refs);
    }
    out.push_str("</Code>\n");
}

fn set(out: &mut String, s: &Set, member_attr: &str) {
    out.push_str("<Set");
    attr(out, "guid", &s.guid);
    attr(out, "name", &s.name);
    out.push_str(">\n");
    if let Some(d) = &s.description {
        element(out, "Description", d);
    }
    for (name, members) in [
        ("MemberCode", &s.codes),
        ("MemberSource", &s.sources),
        ("MemberNote", &s.notes),
    ] {
        // The codebook schema's Set holds only MemberCode.
        if member_attr == "guid" && name != "MemberCode" {
            continue;
        }
        for m in members {
            out.push('<');
            out.push_str(name);
            attr(out, member_attr, m);
            out.push_str("/>\n");
        }
    }
    out.push_str("</Set>\n");
}

fn values(out: &mut String, values: &[VariableValue], variables: &[Variable]) {
    for v in values {
        let Some(kind) = variables
            .iter()
            .find(|var| var.guid == v.variable)
            .map(|var| var.kind)
        else {
            continue;
        };
        out.push_str("<VariableValue><VariableRef");
        attr(out, "targetGUID", &v.variable);
        out.push_str("/>");
        if let Some(value) = &v.value {
            let name = kind.value_element();
            out.push('<');
            out.push_str(name);
            out.push('>');
            text(out, value);
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        out.push_str("</VariableValue>\n");
    }
}

fn coding(out: &mut String, c: &Coding) {
    out.push_str("<Coding");
    attr(out, "guid", &c.guid);
    opt_attr(out, "creatingUser", c.creating_user.as_deref());
    opt_attr(out, "creationDateTime", c.created.as_deref());
    out.push_str("><CodeRef");
    attr(out, "targetGUID", &c.code);
    out.push_str("/>");
    refs(out, "NoteRef", &c.note_refs);
    out.push_str("</Coding>\n");
}

fn text_source(out: &mut String, element_name: &str, s: &TextSource, variables: &[Variable]) {
    out.push('<');
    out.push_str(element_name);
    attr(out, "guid", &s.guid);
    opt_attr(out, "name", s.name.as_deref());
    opt_attr(out, "richTextPath", s.rich_text_path.as_deref());
    opt_attr(out, "plainTextPath", s.plain_text_path.as_deref());
    opt_attr(out, "creatingUser", s.creating_user.as_deref());
    opt_attr(out, "creationDateTime", s.created.as_deref());
    out.push_str(">\n");
    if let Some(d) = &s.description {
        element(out, "Description", d);
    }
    if let Some(c) = &s.content {
        element(out, "PlainTextContent", c);
    }
    for sel in &s.selections {
        out.push_str("<PlainTextSelection");
        attr(out, "guid", &sel.guid);
        opt_attr(out, "name", sel.name.as_deref());
        attr(out, "startPosition", &sel.start.to_string());
        attr(out, "endPosition", &sel.end.to_string());
        opt_attr(out, "creatingUser", sel.creating_user.as_deref());
        opt_attr(out, "creationDateTime", sel.created.as_deref());
        out.push_str(">\n");
        if let Some(d) = &sel.description {
            element(out, "Description", d);
        }
        for c in &sel.codings {
            coding(out, c);
        }
        refs(out, "NoteRef", &sel.note_refs);
        out.push_str("</PlainTextSelection>\n");
    }
    for c in &s.codings {
        coding(out, c);
    }
    refs(out, "NoteRef", &s.note_refs);
    values(out, &s.values, variables);
    out.push_str("</");
    out.push_str(element_name);
    out.push_str(">\n");
}
