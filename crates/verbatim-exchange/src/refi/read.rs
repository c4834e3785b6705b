//! Element tree → [`Project`], liberally (implementer notes §9 "Import").
//!
//! Elements are matched by local name, whatever the namespace version; a
//! missing optional attribute is never an error; empty wrappers are
//! accepted; `Set/MemberCode` takes `@targetGUID` or the codebook's
//! `@guid`. Only a missing `guid` on something others refer to, or a
//! selection position that is not a number, refuses the file.

use super::RefiError;
use super::model::*;
use super::xml::Element;

/// Returns the project an element tree holds. `file` names it in errors.
pub(crate) fn project(root: &Element, file: &str) -> Result<Project, RefiError> {
    if root.name != "Project" {
        return Err(RefiError::NotAProject {
            file: file.to_owned(),
            root: root.name.clone(),
        });
    }
    let mut p = Project {
        name: root.attr("name").unwrap_or_default().to_owned(),
        origin: root.attr_nonempty("origin").map(str::to_owned),
        created: root.attr_nonempty("creationDateTime").map(str::to_owned),
        base_path: root.attr_nonempty("basePath").map(str::to_owned),
        description: root.child_text("Description"),
        note_refs: refs(root, "NoteRef"),
        ..Project::default()
    };
    for child in &root.children {
        match child.name.as_str() {
            "Users" => {
                for u in child.all("User") {
                    p.users.push(User {
                        guid: guid_of(u, file)?,
                        name: u.attr_nonempty("name").map(str::to_owned),
                    });
                }
            }
            "CodeBook" => {
                if let Some(codes) = child.first("Codes") {
                    p.codes = codes_of(codes, file)?;
                }
            }
            "Variables" => {
                for v in child.all("Variable") {
                    p.variables.push(Variable {
                        guid: guid_of(v, file)?,
                        name: v.attr("name").unwrap_or_default().to_owned(),
                        kind: v
                            .attr("typeOfVariable")
                            .and_then(VariableType::parse)
                            .unwrap_or(VariableType::Text),
                        description: v.child_text("Description"),
                    });
                }
            }
            "Cases" => {
                for c in child.all("Case") {
                    p.cases.push(Case {
                        guid: guid_of(c, file)?,
                        name: c.attr_nonempty("name").map(str::to_owned),
                        description: c.child_text("Description"),
                        values: values_of(c),
                        source_refs: refs(c, "SourceRef"),
                        selection_refs: refs(c, "SelectionRef"),
                    });
                }
            }
            "Sources" => {
                for s in &child.children {
                    match s.name.as_str() {
                        "TextSource" => p.sources.push(text_source(s, file)?),
                        "AudioSource" | "VideoSource" => {
                            p.media.push(super::media::read_source(s, &mut p.uncarried));
                        }
                        "PictureSource" | "PDFSource" => media(s, &mut p.uncarried),
                        _ => {}
                    }
                }
            }
            "Notes" => {
                for n in child.all("Note") {
                    p.notes.push(text_source(n, file)?);
                }
            }
            "Links" => {
                for l in child.all("Link") {
                    p.links.push(Link {
                        guid: l.attr("guid").unwrap_or_default().to_owned(),
                        name: l.attr_nonempty("name").map(str::to_owned),
                        origin: l.attr_nonempty("originGUID").map(str::to_owned),
                        target: l.attr_nonempty("targetGUID").map(str::to_owned),
                    });
                }
            }
            "Sets" => {
                for s in child.all("Set") {
                    p.sets.push(set_of(s));
                }
            }
            "Graphs" => p.uncarried.graphs += child.all("Graph").count(),
            _ => {}
        }
    }
    Ok(p)
}

/// Returns the codes and sets of a `.qdc` codebook (or of a project's
/// codebook, read liberally).
pub(crate) fn codebook(root: &Element, file: &str) -> Result<(Vec<Code>, Vec<Set>), RefiError> {
    let book = match root.name.as_str() {
        "CodeBook" => root,
        "Project" => root.first("CodeBook").unwrap_or(root),
        other => {
            return Err(RefiError::NotACodebook {
                file: file.to_owned(),
                root: other.to_owned(),
            });
        }
    };
    let codes = match book.first("Codes") {
        Some(codes) => codes_of(codes, file)?,
        None => Vec::new(),
    };
    let sets = book
        .first("Sets")
        .or_else(|| root.first("Sets"))
        .map(|s| s.all("Set").map(set_of).collect())
        .unwrap_or_default();
    Ok((codes, sets))
}

fn guid_of(e: &Element, file: &str) -> Result<String, RefiError> {
    e.attr_nonempty("guid")
        .map(str::to_owned)
        .ok_or_else(|| RefiError::Invalid {
            file: file.to_owned(),
            reason: format!("a {} has no guid", e.name),
        })
}

fn refs(e: &Element, name: &str) -> Vec<String> {
    e.all(name)
        .filter_map(|r| r.attr_nonempty("targetGUID").map(str::to_owned))
        .collect()
}

fn codes_of(codes: &Element, file: &str) -> Result<Vec<Code>, RefiError> {
    codes.all("Code").map(|c| code_of(c, file)).collect()
}

fn code_of(c: &Element, file: &str) -> Result<Code, RefiError> {
    Ok(Code {
        guid: guid_of(c, file)?,
        name: c.attr("name").unwrap_or_default().to_owned(),
        codable: !c
            .attr("isCodable")
            .is_some_and(|v| matches!(v.trim(), "false" | "0")),
        color: c.attr_nonempty("color").map(str::to_owned),
        description: c.child_text("Description"),
        note_refs: refs(c, "NoteRef"),
        children: c
            .all("Code")
            .map(|k| code_of(k, file))
            .collect::<Result<_, _>>()?,
    })
}

fn values_of(e: &Element) -> Vec<VariableValue> {
    e.all("VariableValue")
        .filter_map(|v| {
            let variable = v.first("VariableRef")?.attr_nonempty("targetGUID")?;
            let value = v
                .children
                .iter()
                .find(|c| c.name.ends_with("Value"))
                .map(|c| c.text.clone())
                .filter(|t| !t.trim().is_empty());
            Some(VariableValue {
                variable: variable.to_owned(),
                value,
            })
        })
        .collect()
}

fn set_of(s: &Element) -> Set {
    let member = |name: &str| -> Vec<String> {
        s.all(name)
            .filter_map(|m| {
                m.attr_nonempty("targetGUID")
                    .or_else(|| m.attr_nonempty("guid"))
                    .map(str::to_owned)
            })
            .collect()
    };
    Set {
        guid: s.attr("guid").unwrap_or_default().to_owned(),
        name: s.attr("name").unwrap_or_default().to_owned(),
        description: s.child_text("Description"),
        codes: member("MemberCode"),
        sources: member("MemberSource"),
        notes: member("MemberNote"),
    }
}

fn coding_of(c: &Element) -> Option<Coding> {
    Some(Coding {
        guid: c.attr("guid").unwrap_or_default().to_owned(),
        creating_user: c.attr_nonempty("creatingUser").map(str::to_owned),
        created: c.attr_nonempty("creationDateTime").map(str::to_owned),
        code: c.first("CodeRef")?.attr_nonempty("targetGUID")?.to_owned(),
        note_refs: refs(c, "NoteRef"),
    })
}

fn position(e: &Element, name: &str, file: &str) -> Result<i64, RefiError> {
    let raw = e.attr(name).unwrap_or_default();
    raw.trim().parse().map_err(|_| RefiError::Invalid {
        file: file.to_owned(),
        reason: format!(
            "the {} {} has {name}={raw:?}, which is not a whole number",
            e.name,
            e.attr("guid").unwrap_or("?")
        ),
    })
}

fn text_source(s: &Element, file: &str) -> Result<TextSource, RefiError> {
    let mut selections = Vec::new();
    for sel in s.all("PlainTextSelection") {
        selections.push(Selection {
            guid: sel.attr("guid").unwrap_or_default().to_owned(),
            name: sel.attr("name").map(str::to_owned),
            start: position(sel, "startPosition", file)?,
            end: position(sel, "endPosition", file)?,
            creating_user: sel
                .attr_nonempty("creatingUser")
                .or_else(|| sel.attr_nonempty("modifyingUser"))
                .map(str::to_owned),
            created: sel
                .attr_nonempty("creationDateTime")
                .or_else(|| sel.attr_nonempty("modifiedDateTime"))
                .map(str::to_owned),
            description: sel.child_text("Description"),
            codings: sel.all("Coding").filter_map(coding_of).collect(),
            note_refs: refs(sel, "NoteRef"),
        });
    }
    Ok(TextSource {
        guid: guid_of(s, file)?,
        name: s.attr_nonempty("name").map(str::to_owned),
        plain_text_path: s.attr_nonempty("plainTextPath").map(str::to_owned),
        rich_text_path: s.attr_nonempty("richTextPath").map(str::to_owned),
        creating_user: s.attr_nonempty("creatingUser").map(str::to_owned),
        created: s.attr_nonempty("creationDateTime").map(str::to_owned),
        description: s.child_text("Description"),
        content: s.first("PlainTextContent").map(|c| c.text.clone()),
        selections,
        codings: s.all("Coding").filter_map(coding_of).collect(),
        note_refs: refs(s, "NoteRef"),
        values: values_of(s),
    })
}

/// Counts what a media source holds, for the loss report.
fn media(s: &Element, lost: &mut Uncarried) {
    let kind = match s.name.as_str() {
        "PictureSource" => "picture",
        "PDFSource" => "PDF",
        "AudioSource" => "audio",
        _ => "video",
    };
    lost.media_sources.push((
        kind.to_owned(),
        s.attr("name").unwrap_or_default().to_owned(),
    ));
    fn count(e: &Element, lost: &mut Uncarried) {
        for c in &e.children {
            if c.name.ends_with("Selection") {
                lost.media_selections += 1;
            } else if c.name == "Coding" {
                lost.media_codings += 1;
            }
            if c.name != "Coding" {
                count(c, lost);
            }
        }
    }
    count(s, lost);
}
