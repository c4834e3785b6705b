//! The demo study's coding layer: three coders who coded independently.
//!
//! `verbatim demo` should give the agreement, alignment and report work
//! something real to chew on: several researchers' theme trees over the same
//! transcripts, overlapping in places and diverging in others. That material
//! is hand-authored data (`demo/coding.json`, embedded at build time); this
//! module only applies it through the same store API the `coder`, `code` and
//! `coding` commands use.
//!
//! Passages are quoted, not given as offsets, so the data survives edits
//! elsewhere in a transcript. A passage that no longer occurs, or occurs more
//! than once without an `occurrence`, is an error naming the coder, the source
//! and the passage: the demo fails loudly instead of silently losing codings.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail};
use serde::Deserialize;
use verbatim_core::Language;
use verbatim_store::{CodeFields, NewCode, Scope, SqliteStore};

/// The whole file: one entry per coder.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodingData {
    coders: Vec<CoderData>,
}

/// One coder, their theme tree and their codings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoderData {
    name: String,
    initials: String,
    colour: String,
    tree: Vec<Node>,
    codings: Vec<Passage>,
}

/// A code of a coder's tree, with the codes below it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Node {
    name: String,
    level: String,
    #[serde(default)]
    definition: Option<String>,
    /// Further parents (by name, in the same tree): the tree is a DAG.
    #[serde(default)]
    also_under: Vec<String>,
    #[serde(default)]
    children: Vec<Node>,
}

/// A passage coded with one of the coder's codes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Passage {
    /// The manifest's file name of the source.
    source: String,
    /// The passage, exactly as it reads in the imported text.
    text: String,
    /// Which occurrence (1-based) when the passage occurs more than once.
    #[serde(default)]
    occurrence: Option<usize>,
    code: String,
    #[serde(default)]
    quote: bool,
    /// Translations by language tag; a translated coding is a quote.
    #[serde(default)]
    translation: BTreeMap<String, String>,
}

/// What was applied for one coder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoderSummary {
    /// The coder's name.
    pub name: String,
    /// Codes in their tree.
    pub codes: usize,
    /// Codings made.
    pub codings: usize,
    /// Codings marked as quotes.
    pub quotes: usize,
    /// Translations attached.
    pub translations: usize,
}

/// Adds the coders (unless [`add_coders`] already did), their trees and
/// their codings described by `json` to `store`; `sources` maps manifest
/// file names to the imported source ids.
pub fn apply(
    store: &mut SqliteStore,
    actor: &str,
    json: &str,
    sources: &HashMap<String, i64>,
) -> anyhow::Result<Vec<CoderSummary>> {
    let data: CodingData =
        serde_json::from_str(json).context("the bundled demo coding data is malformed")?;
    let mut summaries = Vec::new();
    for coder in &data.coders {
        summaries.push(
            apply_coder(store, actor, coder, sources)
                .with_context(|| format!("demo coder {}", coder.name))?,
        );
    }
    Ok(summaries)
}

/// Adds the coders `json` describes, without their trees or codings, so
/// they can write their preconceptions before they code. [`apply`] then
/// codes with these coders instead of adding them again. Returns their names.
pub fn add_coders(store: &mut SqliteStore, actor: &str, json: &str) -> anyhow::Result<Vec<String>> {
    let data: CodingData =
        serde_json::from_str(json).context("the bundled demo coding data is malformed")?;
    let mut names = Vec::new();
    for coder in &data.coders {
        store
            .add_coder(
                actor,
                &coder.name,
                Some(&coder.initials),
                Some(&coder.colour),
            )
            .with_context(|| format!("demo coder {}", coder.name))?;
        names.push(coder.name.clone());
    }
    Ok(names)
}

fn apply_coder(
    store: &mut SqliteStore,
    actor: &str,
    coder: &CoderData,
    sources: &HashMap<String, i64>,
) -> anyhow::Result<CoderSummary> {
    // `demo` adds the coders first (`add_coders`) so that they write their
    // preconceptions before coding; on its own, `apply` adds them here.
    if store.coder_by_name(&coder.name)?.is_none() {
        store.add_coder(
            actor,
            &coder.name,
            Some(&coder.initials),
            Some(&coder.colour),
        )?;
    }
    let scope = store.scope(&coder.name, false, false)?;
    let mut ids = HashMap::new();
    let mut links = Vec::new();
    for node in &coder.tree {
        add_node(store, &scope, node, None, &mut ids, &mut links)?;
    }
    for (child, parent) in links {
        let (Some(&child_id), Some(&parent_id)) = (ids.get(child), ids.get(parent)) else {
            bail!("code {child:?} is also_under {parent:?}, which is not in the tree");
        };
        store
            .link_code(&scope, child_id, parent_id)
            .with_context(|| format!("linking code {child:?} under {parent:?}"))?;
    }
    let mut summary = CoderSummary {
        name: coder.name.clone(),
        codes: ids.len(),
        codings: 0,
        quotes: 0,
        translations: 0,
    };
    for passage in &coder.codings {
        code_passage(store, &scope, passage, &ids, sources, &mut summary).with_context(|| {
            format!(
                "coding {:?} in {} with {:?}",
                shorten(&passage.text),
                passage.source,
                passage.code
            )
        })?;
    }
    Ok(summary)
}

/// Adds `node` and its children; remembers further parents for later, when
/// every code of the tree exists.
fn add_node<'a>(
    store: &mut SqliteStore,
    scope: &Scope,
    node: &'a Node,
    parent: Option<i64>,
    ids: &mut HashMap<&'a str, i64>,
    links: &mut Vec<(&'a str, &'a str)>,
) -> anyhow::Result<()> {
    let new = NewCode {
        name: node.name.clone(),
        level: Some(node.level.clone()),
        parent,
        book: None,
        fields: CodeFields {
            definition: node.definition.clone(),
            ..CodeFields::default()
        },
    };
    let id = store
        .add_code(scope, &new)
        .with_context(|| format!("adding code {:?}", node.name))?;
    if ids.insert(&node.name, id).is_some() {
        bail!("code {:?} appears twice in the tree", node.name);
    }
    links.extend(
        node.also_under
            .iter()
            .map(|p| (node.name.as_str(), p.as_str())),
    );
    for child in &node.children {
        add_node(store, scope, child, Some(id), ids, links)?;
    }
    Ok(())
}

fn code_passage(
    store: &mut SqliteStore,
    scope: &Scope,
    passage: &Passage,
    ids: &HashMap<&str, i64>,
    sources: &HashMap<String, i64>,
    summary: &mut CoderSummary,
) -> anyhow::Result<()> {
    let Some(&source) = sources.get(&passage.source) else {
        bail!(
            "the demo has no imported source {:?} (is it in the manifest?)",
            passage.source
        );
    };
    let Some(&code) = ids.get(passage.code.as_str()) else {
        bail!("the code {:?} is not in the coder's tree", passage.code);
    };
    let located = store.locate(source, &passage.text, passage.occurrence)?;
    let (id, new) = store.add_coding(scope, source, located.span, code, None)?;
    if !new {
        bail!("the same passage is coded twice with the same code");
    }
    summary.codings += 1;
    if passage.quote || !passage.translation.is_empty() {
        store.set_quote(scope, id, true)?;
        summary.quotes += 1;
    }
    for (language, text) in &passage.translation {
        let language: Language = language
            .parse()
            .map_err(|e| anyhow::anyhow!("translation language {language:?}: {e}"))?;
        store.translate(scope, id, &language, text)?;
        summary.translations += 1;
    }
    Ok(())
}

/// The first words of a passage, for error messages.
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use verbatim_core::{Format, SourceKind};
    use verbatim_ingest::{Options, read_bytes};
    use verbatim_store::{CodingFilter, ImportItem, ImportOutcome, Store, StudySettings};

    /// A study with one small source, `talk.txt`.
    fn study(dir: &std::path::Path) -> (SqliteStore, HashMap<String, i64>) {
        let settings = StudySettings {
            title: "test".into(),
            language: "en".parse().ok(),
        };
        let mut store = SqliteStore::create(&dir.join("s.vbt"), &settings, "me").unwrap();
        let text =
            "INT: How is it?\n\nP-1: It is hard. It is hard but we hold on. We hold on together.\n";
        let source = read_bytes(
            "talk.txt",
            Format::Txt,
            text.as_bytes(),
            &Options::default(),
        )
        .unwrap();
        let outcomes = store
            .import_batch(
                "me",
                vec![ImportItem {
                    name: "talk".into(),
                    original_path: None,
                    kind: SourceKind::Interview,
                    site: None,
                    language: "en".parse().ok(),
                    source,
                }],
            )
            .unwrap();
        let ImportOutcome::Imported { id, .. } = outcomes[0] else {
            panic!("not imported");
        };
        (store, HashMap::from([("talk.txt".to_owned(), id)]))
    }

    const TREE: &str = r##"{"name":"ann","initials":"A","colour":"#112233","tree":[
        {"name":"Holding","level":"theme","definition":"d","children":[
            {"name":"Hard","level":"idea"},
            {"name":"Together","level":"idea","also_under":["Other"]}]},
        {"name":"Other","level":"theme"}],"codings":["##;

    #[test]
    fn applies_trees_links_codings_quotes_and_translations() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, sources) = study(dir.path());
        let json = format!(
            r#"{{"coders":[{TREE}
                {{"source":"talk.txt","text":"It is hard","occurrence":2,"code":"Hard"}},
                {{"source":"talk.txt","text":"We hold on together.","code":"Together","translation":{{"fr":"On tient ensemble."}}}}]}}]}}"#
        );
        let summary = apply(&mut store, "me", &json, &sources).unwrap();
        assert_eq!(
            summary,
            vec![CoderSummary {
                name: "ann".into(),
                codes: 4,
                codings: 2,
                quotes: 1,
                translations: 1
            }]
        );
        let scope = store.scope("ann", false, false).unwrap();
        let codings = store.codings(&scope, &CodingFilter::default()).unwrap();
        assert_eq!(codings[0].text, "It is hard");
        // "INT: How is it?\n\nP-1: It is hard. " comes before the second occurrence.
        assert_eq!(codings[0].start, 34);
        assert!(codings[1].is_quote);
    }

    #[test]
    fn a_missing_or_ambiguous_passage_fails_naming_it() {
        for (text, expected) in [
            ("It is soft", "does not occur"),
            ("It is hard", "occurs 2 times"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let (mut store, sources) = study(dir.path());
            let json = format!(
                r#"{{"coders":[{TREE}{{"source":"talk.txt","text":"{text}","code":"Hard"}}]}}]}}"#
            );
            let err = format!(
                "{:#}",
                apply(&mut store, "me", &json, &sources).unwrap_err()
            );
            assert!(err.contains(text) && err.contains(expected), "{err}");
            assert!(err.contains("talk.txt"), "{err}");
        }
    }
}
