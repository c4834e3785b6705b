//! The OpenAPI 3.1 description of the JSON API, served at
//! `/api/openapi.json`.
//!
//! Hand-maintained in `openapi.json` at the crate's root: the handlers'
//! bodies are plain serde structs and a generator (utoipa, aide) would
//! add a derive to each of them and a proc-macro crate to the build, for
//! a document of a few hundred lines. The test below keeps the document
//! honest instead: every route registered under `/api` in `src/api/`
//! must appear in it with the same methods, and nothing else may.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// The document, as served.
pub const DOCUMENT: &str = include_str!("../../openapi.json");

/// Returns the route of `/api/openapi.json`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(document))
}

async fn document() -> Response {
    let mut response = DOCUMENT.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::DOCUMENT;

    /// Returns every `(path, method)` the API modules register, read from
    /// their `.route("/api/…", get(…).post(…))` calls.
    fn registered() -> BTreeSet<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let code = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            // Comments left out, then joined into one line so a call
            // rustfmt wrapped reads whole.
            let code: String = code
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .flat_map(str::split_whitespace)
                .collect::<Vec<_>>()
                .join(" ");
            for call in code.split(".route(").skip(1) {
                let Some(rest) = call.trim_start().strip_prefix('"') else {
                    continue;
                };
                let Some((path, handlers)) = rest.split_once('"') else {
                    continue;
                };
                if !path.starts_with("/api") {
                    continue;
                }
                // The method router runs to the call's closing parenthesis.
                let mut depth = 1;
                let end = handlers
                    .char_indices()
                    .find(|&(_, c)| {
                        match c {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        depth == 0
                    })
                    .map_or(handlers.len(), |(i, _)| i);
                for method in ["get", "post", "put", "patch", "delete"] {
                    let called = handlers[..end]
                        .match_indices(&format!("{method}("))
                        .any(|(i, _)| i == 0 || matches!(&handlers[i - 1..i], "." | " " | ","));
                    if called {
                        out.insert((path.to_owned(), method.to_owned()));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn the_document_is_openapi_3_and_lists_every_api_route() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("valid JSON");
        let version = doc["openapi"].as_str().unwrap_or("");
        assert!(version.starts_with("3."), "openapi is {version:?}");
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .expect("operations")
                    .keys()
                    .map(move |m| (path.clone(), m.clone()))
            })
            .collect();
        let registered = registered();
        assert!(
            registered.len() > 40,
            "the route scan found only {}",
            registered.len()
        );
        let missing: Vec<_> = registered.difference(&documented).collect();
        assert!(missing.is_empty(), "undocumented routes: {missing:?}");
        let stale: Vec<_> = documented.difference(&registered).collect();
        assert!(stale.is_empty(), "documented but not served: {stale:?}");
    }

    #[test]
    fn every_reference_resolves_and_every_operation_answers_json() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).unwrap();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let mut refs = Vec::new();
        fn walk(v: &serde_json::Value, refs: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        if k == "$ref" {
                            refs.push(v.as_str().unwrap_or("").to_owned());
                        }
                        walk(v, refs);
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, refs)),
                _ => {}
            }
        }
        walk(&doc, &mut refs);
        for r in &refs {
            if let Some(name) = r.strip_prefix("#/components/schemas/") {
                assert!(schemas.contains_key(name), "dangling $ref {r}");
            } else {
                assert_eq!(r, "#/components/responses/Error", "unexpected $ref {r}");
            }
        }
        let mut by_tag: BTreeMap<String, usize> = BTreeMap::new();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                assert!(
                    op["responses"]["200"]["content"]["application/json"].is_object(),
                    "{method} {path} has no JSON success response"
                );
                let writes = method != "get";
                assert_eq!(
                    op.get("security").is_some(),
                    writes,
                    "{method} {path}: state-changing operations, and only they, need the CSRF token"
                );
                *by_tag
                    .entry(op["tags"][0].as_str().unwrap_or("").into())
                    .or_default() += 1;
            }
        }
        assert!(!by_tag.contains_key(""), "an operation has no tag");
    }
}
