//! The document against the code: every route the router serves is
//! documented with its methods and role, every schema it names exists,
//! and real answers of the running application fit their schemas.

use std::collections::BTreeSet;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;
use verbatim_store::{SqliteStore, StudySettings};

use super::{Role, document, required_role};
use crate::{AppState, Config};

const HOST: &str = "127.0.0.1:4321";

fn doc() -> Value {
    document().expect("the document builds")
}

/// Returns every `(path, method)` the document lists.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            out.insert((path.clone(), method.clone()));
        }
    }
    out
}

/// Returns every `(path, method)` the API modules register, read from
/// their `.route("/api/…", get(…).post(…))` calls: axum's `Router` does
/// not list its routes, so the source is the route table.
fn registered() -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("src/api") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let code = std::fs::read_to_string(path).expect("source");
        // Comments left out, then joined into one line so a call rustfmt
        // wrapped reads whole.
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
            if !path.starts_with("/api") || path == "/api/openapi.json" {
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

/// A study in a temporary folder served by the whole application, with
/// the coder `claire` acting.
struct App {
    _dir: tempfile::TempDir,
    router: Router,
    csrf: String,
}

impl App {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("etude.verbatim");
        let mut store =
            SqliteStore::create(&path, &StudySettings::titled("Rentrée"), "test").expect("study");
        store
            .add_coder("test", "claire", None, None)
            .expect("coder");
        let config = Config {
            default_coder: Some("claire".into()),
            addr: HOST.parse().expect("address"),
            team: false,
            folder: None,
        };
        let state = AppState::new(store, config);
        let csrf = state.csrf().to_owned();
        App {
            _dir: dir,
            router: crate::app::router(state, Duration::from_secs(30)),
            csrf,
        }
    }

    /// Sends one request (with the CSRF token on writes) and returns the
    /// status and the body.
    async fn send(
        &self,
        method: &str,
        uri: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Vec<u8>) {
        let mut request = Request::builder()
            .method(Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"))
            .uri(uri)
            .header(header::HOST, HOST);
        if method != "get" {
            request = request
                .header(header::COOKIE, format!("vb_csrf={}", self.csrf))
                .header("x-csrf-token", &self.csrf)
                .header(header::CONTENT_TYPE, content_type);
        }
        let request = request.body(Body::from(body)).expect("request");
        let response = self.router.clone().oneshot(request).await.expect("answer");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        (status, bytes.to_vec())
    }

    /// Sends a request that must succeed and returns its JSON answer.
    async fn json(&self, method: &str, uri: &str, content_type: &str, body: Vec<u8>) -> Value {
        let (status, bytes) = self.send(method, uri, content_type, body).await;
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(status, StatusCode::OK, "{method} {uri}: {text}");
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{method} {uri}: {e}: {text}"))
    }
}

#[test]
fn every_registered_route_is_documented_with_its_methods() {
    let doc = doc();
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3.1"));
    let documented = documented(&doc);
    let registered = registered();
    // 63 operations: 5 accounts, 5 analysis, 1 autocode, 10 codes, 7
    // codings, 6 compare, 2 history, 9 journal, 15 people, 1 search, 1
    // turns, 1 upload.
    assert_eq!(registered.len(), 63, "the route scan found {registered:?}");
    let missing: Vec<_> = registered.difference(&documented).collect();
    assert!(missing.is_empty(), "undocumented routes: {missing:?}");
    let stale: Vec<_> = documented.difference(&registered).collect();
    assert!(stale.is_empty(), "documented but not registered: {stale:?}");
}

#[tokio::test]
async fn every_documented_operation_is_served_by_the_router() {
    let app = App::new();
    for (path, method) in documented(&doc()) {
        let uri = path.replace("{id}", "999").replace("{language}", "en");
        let (status, body) = app
            .send(&method, &uri, "application/json", b"{}".to_vec())
            .await;
        // axum answers an unknown route 404 and a known route with
        // another method 405, both with an empty body; a handler's own
        // 404 (no object 999) carries {"error": …}.
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        if status == StatusCode::NOT_FOUND {
            let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            assert!(answer["error"].is_string(), "{method} {path} is not routed");
        }
    }
    // And the check can fail: a path nobody serves is a bare 404.
    let (status, body) = app.send("get", "/api/nowhere", "", Vec::new()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(serde_json::from_slice::<Value>(&body).is_err());
}

/// Returns every `$ref` under `v`.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.push(v.as_str().unwrap_or("").to_owned());
                }
                refs(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let doc = doc();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 100, "only {} references", all.len());
    for r in &all {
        let target = r
            .strip_prefix("#/")
            .map(|p| p.split('/').fold(&doc, |v, key| &v[key]));
        assert!(target.is_some_and(Value::is_object), "dangling $ref {r}");
    }
}

#[test]
fn every_operation_has_its_role_its_answers_and_the_csrf_rule() {
    let doc = doc();
    let mut ids = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            let role = op["x-required-role"].as_str().unwrap_or("");
            assert!(
                ["viewer", "coder", "owner"].contains(&role),
                "{method} {path}: role {role:?}"
            );
            assert_eq!(role, required_role(method, path).as_str());
            assert!(
                op["responses"]["200"]["content"]["application/json"]["schema"].is_object(),
                "{method} {path} has no JSON success schema"
            );
            assert_eq!(
                op["responses"]["4XX"]["$ref"], "#/components/responses/Error",
                "{method} {path}"
            );
            assert_eq!(
                op.get("security").is_some(),
                method != "get",
                "{method} {path}: state-changing operations, and only they, need the CSRF token"
            );
            assert!(op["tags"][0].is_string(), "{method} {path} has no tag");
            let id = op["operationId"].as_str().unwrap_or("").to_owned();
            assert!(
                ids.insert(id.clone()),
                "{method} {path}: operationId {id:?} twice"
            );
        }
    }
    assert_eq!(
        doc["paths"]["/api/codes/{id}/merge"]["post"]["operationId"],
        "post_codes_id_merge"
    );
    let error = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], json!(["error"]));
    assert_eq!(error["properties"]["error"]["type"], "string");
}

#[test]
fn roles_follow_the_rule() {
    let cases = [
        ("get", "/api/codes", Role::Viewer),
        ("get", "/api/participants", Role::Viewer),
        ("post", "/api/codings", Role::Coder),
        ("delete", "/api/memos/{id}", Role::Coder),
        ("post", "/api/reveal", Role::Owner),
        ("post", "/api/deidentify/apply", Role::Owner),
        ("post", "/api/participants/roster", Role::Owner),
        ("post", "/api/participants", Role::Owner),
        ("patch", "/api/participants/{id}", Role::Owner),
        ("post", "/api/sites", Role::Owner),
        ("post", "/api/sources", Role::Owner),
        ("get", "/api/sources", Role::Viewer),
        ("patch", "/api/sources/{id}", Role::Owner),
        ("get", "/api/accounts", Role::Owner),
        ("post", "/api/invitations/{id}", Role::Owner),
    ];
    for (method, path, role) in cases {
        assert_eq!(required_role(method, path), role, "{method} {path}");
    }
}

/// Returns what in `value` breaks `schema` (a subset of JSON Schema
/// 2020-12, the part the generator writes: `$ref`, `type`, `enum`,
/// `required`, `properties`, `items`, `allOf`/`oneOf`/`anyOf`,
/// `minimum`). Stricter than the standard on one point: an object
/// described by `properties` may not carry a key the schema does not
/// name, so a field the document forgets is caught.
fn violations(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return violations(doc, &doc["components"]["schemas"][name], value, at);
    }
    if let Some(all) = schema["allOf"].as_array() {
        let mut out: Vec<String> = all
            .iter()
            .flat_map(|s| violations(doc, &loose(doc, s), value, at))
            .collect();
        out.extend(violations(doc, &without(schema, "allOf"), value, at));
        return out;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let fits = options
                .iter()
                .any(|s| violations(doc, s, value, at).is_empty());
            return if fits {
                Vec::new()
            } else {
                vec![format!("{at}: {value} fits none of the {key} options")]
            };
        }
    }
    let mut out = Vec::new();
    if let Some(types) = types(schema) {
        let fits = types.iter().any(|t| match t.as_str() {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "string" => value.is_string(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => false,
        });
        if !fits {
            return vec![format!("{at}: {value} is not {types:?}")];
        }
    }
    if let Some(options) = schema["enum"].as_array()
        && !options.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {options:?}"));
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_f64(), value.as_f64())
        && n < min
    {
        out.push(format!("{at}: {n} is below {min}"));
    }
    if let Some(object) = value.as_object() {
        for key in schema["required"].as_array().into_iter().flatten() {
            let key = key.as_str().unwrap_or("");
            if !object.contains_key(key) {
                out.push(format!("{at}: required {key} is missing"));
            }
        }
        if let Some(properties) = schema["properties"].as_object() {
            for (key, v) in object {
                match properties.get(key) {
                    Some(s) => out.extend(violations(doc, s, v, &format!("{at}.{key}"))),
                    None if schema.get("additionalProperties").is_none()
                        && !schema["x-loose"].as_bool().unwrap_or(false) =>
                    {
                        out.push(format!("{at}: {key} is not documented"));
                    }
                    None => {}
                }
            }
        }
        if let Some(extra) = schema["additionalProperties"].as_object() {
            let extra = Value::Object(extra.clone());
            for (key, v) in object {
                if !schema["properties"]
                    .as_object()
                    .is_some_and(|p| p.contains_key(key))
                {
                    out.extend(violations(doc, &extra, v, &format!("{at}.{key}")));
                }
            }
        }
    }
    if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
        for (i, v) in values.iter().enumerate() {
            out.extend(violations(doc, items, v, &format!("{at}[{i}]")));
        }
    }
    out
}

/// Returns the schema's `type` as a list.
fn types(schema: &Value) -> Option<Vec<String>> {
    match &schema["type"] {
        Value::String(t) => Some(vec![t.clone()]),
        Value::Array(ts) => Some(
            ts.iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    }
}

/// Returns `schema` (resolved) marked so that keys it does not name are
/// allowed: each part of an `allOf` describes only some of the keys.
fn loose(doc: &Value, schema: &Value) -> Value {
    let mut schema = match schema["$ref"].as_str() {
        Some(r) => {
            doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")].clone()
        }
        None => schema.clone(),
    };
    if let Some(map) = schema.as_object_mut() {
        map.insert("x-loose".into(), Value::Bool(true));
    }
    schema
}

fn without(schema: &Value, key: &str) -> Value {
    let mut schema = schema.clone();
    if let Some(map) = schema.as_object_mut() {
        map.remove(key);
    }
    schema
}

/// Checks a real answer against the document's success schema of the
/// operation.
fn assert_fits(doc: &Value, method: &str, path: &str, answer: &Value) {
    let schema =
        &doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {path} has no success schema");
    let broken = violations(doc, schema, answer, "$");
    assert!(
        broken.is_empty(),
        "{method} {path}: {broken:#?}\nanswer: {answer:#}"
    );
}

/// A French interview written for this test.
const INTERVIEW: &str = "ENQUÊTRICE : Comment s'est passée la rentrée ?\n\
CLAIRE : J'avais confiance dans l'équipe, mais la fouille des sacs m'a surprise.\n\
ENQUÊTRICE : Et ensuite ?\n\
CLAIRE : Ensuite la confiance est revenue, petit à petit.\n";

fn multipart(file: &str, text: &str) -> (String, Vec<u8>) {
    let boundary = "verbatimBoundary7MA4YWxk";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\n\
         Content-Type: text/plain\r\n\r\n{text}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"language\"\r\n\r\nfr\r\n\
         --{boundary}--\r\n"
    );
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

#[tokio::test]
async fn real_answers_fit_their_documented_schemas() {
    let doc = doc();
    let app = App::new();
    let json_body = |v: Value| serde_json::to_vec(&v).expect("json");

    // 1. Upload: one report per file.
    let (form_type, form) = multipart("entretien-claire.txt", INTERVIEW);
    let reports = app.json("post", "/api/sources", &form_type, form).await;
    assert_fits(&doc, "post", "/api/sources", &reports);
    assert_eq!(reports[0]["status"], "imported", "{reports}");
    let source = reports[0]["id"].as_i64().expect("source id");

    // 2. A code.
    let code = app
        .json(
            "post",
            "/api/codes",
            "application/json",
            json_body(json!({"name": "confiance"})),
        )
        .await;
    assert_fits(&doc, "post", "/api/codes", &code);
    let code_id = code["id"].as_i64().expect("code id");

    // 3. A coding on the first "confiance": every char before it is in
    // the BMP, so its UTF-16 offsets are its char offsets.
    let sources = app.json("get", "/api/sources", "", Vec::new()).await;
    assert_fits(&doc, "get", "/api/sources", &sources);
    let byte = INTERVIEW.find("confiance").expect("the word");
    let start = INTERVIEW[..byte].chars().count();
    let end = start + "confiance".len();
    let coding = app
        .json(
            "post",
            "/api/codings",
            "application/json",
            json_body(json!({"source_id": source, "start": start, "end": end, "code_id": code_id})),
        )
        .await;
    assert_fits(&doc, "post", "/api/codings", &coding);
    assert_eq!(coding["new"], true);
    assert_eq!(coding["coding"]["start"], start);

    // 4. The source's codings and the code tree (store types).
    let path = "/api/sources/{id}/codings";
    let codings = app
        .json(
            "get",
            &format!("/api/sources/{source}/codings"),
            "",
            Vec::new(),
        )
        .await;
    assert_fits(&doc, "get", path, &codings);
    assert_eq!(codings.as_array().map(Vec::len), Some(1));
    let tree = app.json("get", "/api/codes", "", Vec::new()).await;
    assert_fits(&doc, "get", "/api/codes", &tree);
    assert_eq!(tree["own"][0]["name"], "confiance");

    // 5. A search: "confiance" is said twice in the interview.
    let hits = app
        .json("get", "/api/search?q=confiance", "", Vec::new())
        .await;
    assert_fits(&doc, "get", "/api/search", &hits);
    assert_eq!(hits["total"], 2, "{hits}");

    // The check can fail: the same answer without a required field, or
    // with a field the document does not name, is refused.
    let mut broken = code.clone();
    broken.as_object_mut().expect("object").remove("id");
    assert!(
        !violations(
            &doc,
            &doc["paths"]["/api/codes"]["post"]["responses"]["200"]["content"]["application/json"]
                ["schema"],
            &broken,
            "$"
        )
        .is_empty()
    );
    let mut extra = code;
    extra["surprise"] = json!(1);
    assert!(
        !violations(
            &doc,
            &doc["paths"]["/api/codes"]["post"]["responses"]["200"]["content"]["application/json"]
                ["schema"],
            &extra,
            "$"
        )
        .is_empty()
    );
}

#[tokio::test]
async fn the_document_is_served_as_json() {
    let app = App::new();
    let (status, body) = app.send("get", "/api/openapi.json", "", Vec::new()).await;
    assert_eq!(status, StatusCode::OK);
    let served: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(served, doc());
}
