//! How a quote is attributed in a paper: `(CSI-1, nurse, CSAPA)`, from a
//! template the team writes once (`--attribution '{code}, {occupation},
//! {site}'`).
//!
//! Placeholders are `{code}` (the participant's code), `{site}` (their
//! site's name) and any participant attribute. A participant with no value
//! for a placeholder loses the placeholder and the separator before it
//! (after it, for the first one), so a missing occupation gives
//! `(CSI-1, CSAPA)`, never `(CSI-1, , CSAPA)`. Several speakers in one
//! passage are attributed one after the other, separated by `; `.

use std::collections::HashMap;

use verbatim_store::{AppliesTo, Participants};

use super::ReportError;

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Text written as is (separators, brackets).
    Text(String),
    /// A placeholder's name, lowercased.
    Field(String),
}

/// A parsed attribution template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

impl Template {
    /// Parses a template; `known` are the placeholder names allowed besides
    /// `code` and `site` (the participant attributes).
    pub fn parse(text: &str, known: &[String]) -> Result<Self, ReportError> {
        let bad = |why: String| ReportError::Attribution(format!("--attribution {text:?}: {why}"));
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_owned()));
            }
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or_else(|| {
                bad(
                    "a `{` is not closed: write placeholders as {code}, {site} or {ATTRIBUTE}"
                        .into(),
                )
            })?;
            let name = after[..close].trim().to_lowercase();
            let allowed =
                name == "code" || name == "site" || known.iter().any(|k| k.to_lowercase() == name);
            if !allowed {
                let mut names = vec!["code".to_owned(), "site".to_owned()];
                names.extend(known.iter().cloned());
                return Err(bad(format!(
                    "{{{name}}} is not a placeholder; use {}",
                    names
                        .iter()
                        .map(|n| format!("{{{n}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            pieces.push(Piece::Field(name));
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        if !pieces.iter().any(|p| matches!(p, Piece::Field(_))) {
            return Err(bad("it has no placeholder: write at least {code}".into()));
        }
        Ok(Self { pieces })
    }

    /// Returns the template filled with `value` (a placeholder's value, if
    /// the participant has one), leaving out missing ones with their
    /// separator.
    pub fn render(&self, value: impl Fn(&str) -> Option<String>) -> String {
        // The text before the first placeholder (an opening bracket) is
        // kept whichever placeholder comes first; between placeholders only
        // the separator right before a filled one is.
        let lead = match self.pieces.first() {
            Some(Piece::Text(t)) => t.as_str(),
            _ => "",
        };
        let mut out = String::new();
        let mut pending = String::new();
        let mut any = false;
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => pending.push_str(t),
                Piece::Field(name) => {
                    if let Some(v) = value(name).filter(|v| !v.trim().is_empty()) {
                        out.push_str(if any { &pending } else { lead });
                        out.push_str(v.trim());
                        any = true;
                    }
                    pending.clear();
                }
            }
        }
        if any {
            out.push_str(&pending);
        }
        out
    }
}

/// A participant as the template sees them: their site's name and their
/// attribute values `(name, value)`.
type Known = (Option<String>, Vec<(String, String)>);

/// What the template needs about each participant, by participant code.
pub struct Attributor {
    template: Template,
    people: HashMap<String, Known>,
}

impl Attributor {
    /// Reads the participants and parses `template` against their
    /// attributes.
    pub fn new<S: Participants + ?Sized>(store: &S, template: &str) -> Result<Self, ReportError> {
        let known: Vec<String> = store
            .attributes(AppliesTo::Participant)?
            .into_iter()
            .map(|a| a.name)
            .collect();
        let template = Template::parse(template, &known)?;
        let people = store
            .participants()?
            .into_iter()
            .map(|p| (p.display(), (p.site.clone(), p.values.clone())))
            .collect();
        Ok(Self { template, people })
    }

    /// Returns the attribution of a passage spoken by `participants` (codes,
    /// or labels while unmapped) in a source at `source_site`:
    /// `(CSI-1, nurse, CSAPA)`; `None` when nobody is named (field notes).
    pub fn cite(&self, participants: &[String], source_site: Option<&str>) -> Option<String> {
        if participants.is_empty() {
            return None;
        }
        let each: Vec<String> = participants
            .iter()
            .map(|who| {
                let known = self.people.get(who);
                self.template.render(|field| match field {
                    "code" => Some(who.clone()),
                    "site" => known
                        .and_then(|(site, _)| site.clone())
                        .or_else(|| source_site.map(str::to_owned)),
                    name => known.and_then(|(_, values)| {
                        values
                            .iter()
                            .find(|(n, _)| n.to_lowercase() == name)
                            .map(|(_, v)| v.clone())
                    }),
                })
            })
            .collect();
        Some(format!("({})", each.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> Template {
        Template::parse(text, &["occupation".into(), "âge".into()]).unwrap()
    }

    /// Missing values drop their placeholder and the separator before it
    /// (after it for the first placeholder); the text around is kept.
    #[test]
    fn missing_values_leave_no_empty_separator() {
        let t = template("{code}, {occupation}, {site}");
        let all = |f: &str| match f {
            "code" => Some("CSI-1".to_owned()),
            "occupation" => Some("nurse".to_owned()),
            "site" => Some("CSAPA".to_owned()),
            _ => None,
        };
        assert_eq!(t.render(all), "CSI-1, nurse, CSAPA");
        assert_eq!(
            t.render(|f| (f != "occupation").then(|| all(f)).flatten()),
            "CSI-1, CSAPA"
        );
        assert_eq!(
            t.render(|f| (f != "code").then(|| all(f)).flatten()),
            "nurse, CSAPA"
        );
        assert_eq!(
            t.render(|f| (f == "code").then(|| all(f)).flatten()),
            "CSI-1"
        );
        let t = template("[{code}, {âge}]");
        assert_eq!(t.render(|f| (f == "âge").then(|| "40".to_owned())), "[40]");
        assert_eq!(t.render(|_| None), "");
    }

    #[test]
    fn unknown_placeholders_and_open_braces_are_refused() {
        for bad in ["{code}, {metier}", "{code", "no placeholder"] {
            let err = Template::parse(bad, &["occupation".into()]).unwrap_err();
            assert!(err.to_string().starts_with("--attribution"), "{err}");
        }
    }
}
