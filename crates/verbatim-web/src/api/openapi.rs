//! The OpenAPI 3.1 description of the JSON API, served at
//! `/api/openapi.json`.
//!
//! Generated from the code, so it cannot drift from it: each handler
//! under `src/api/` carries a `#[utoipa::path]` (method, path,
//! parameters, request body, success response) and its request and
//! response types derive `utoipa::ToSchema` — the store's, analysis',
//! search's and ingest's types behind their optional `utoipa` feature,
//! which only this crate turns on, so the command line's other users of
//! those crates build without the derive. This module gathers the
//! operations ([`ApiDoc`]) and adds once what every operation shares:
//! the `{"error": …}` answers, the CSRF token on writes and the role the
//! operation needs (`x-required-role`, from [`required_role`], which reads
//! the policy table the server enforces, [`crate::roles`]). The
//! document is built once, when the router is.

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use utoipa::OpenApi;

use crate::AppState;
use crate::api::{
    accounts, analysis, autocode, codes, codings, compare, history, journal, people, search, turns,
    upload,
};
use crate::error::ErrorBody;
use verbatim_store::Role;

/// Every operation of the JSON API, with the schemas they name.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "verbatim web API",
        description = "The JSON API of `verbatim serve`: the same operations as the CLI, on the \
            open study. Text positions of codings are UTF-16 code units (as browsers count them) \
            unless a field says chars. Every error is {\"error\": \"one sentence\"} with a 4xx or \
            5xx status. Every state-changing request must carry the page's CSRF token twice: in \
            the vb_csrf cookie (set on every page) and in the X-CSRF-Token header. Reads of other \
            coders' work follow the blind rule: only once the study is revealed. Each operation \
            names the least role it needs in `x-required-role` (viewer, coder or owner)."
    ),
    paths(
        accounts::list,
        accounts::add,
        accounts::change_role,
        accounts::remove,
        accounts::invite,
        analysis::query,
        analysis::matrix,
        analysis::cell,
        analysis::words,
        analysis::cooccurrence,
        autocode::autocode,
        codes::tree,
        codes::create,
        codes::visible,
        codes::one,
        codes::update,
        codes::delete,
        codes::move_code,
        codes::merge,
        codes::split,
        codes::passages,
        codings::list,
        codings::create,
        codings::detail,
        codings::update,
        codings::remove,
        codings::translate,
        codings::resize,
        compare::agreement_route,
        compare::alignment_route,
        compare::disagreements_route,
        compare::decisions,
        compare::decide,
        compare::reveal,
        history::undo,
        history::redo,
        journal::entries,
        journal::add_entry,
        journal::edit_entry,
        journal::seal,
        journal::link,
        journal::memos,
        journal::add_memo,
        journal::edit_memo,
        journal::delete_memo,
        people::participants,
        people::add_participant,
        people::sites,
        people::add_site,
        people::update_participant,
        people::import_roster,
        people::sources,
        people::update_source,
        people::attributes,
        people::define_attribute,
        people::speakers,
        people::map_speaker,
        people::deid_review,
        people::deid_preview,
        people::deid_apply,
        search::search_api,
        turns::append,
        upload::upload,
    ),
    components(schemas(ErrorBody))
)]
pub struct ApiDoc;

/// Returns the role a request for the route `path` (as registered, with
/// `{id}` placeholders) with `method` needs, from the one policy table the
/// server enforces ([`crate::roles`]).
pub fn required_role(method: &str, path: &str) -> Role {
    let method = axum::http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .unwrap_or(axum::http::Method::POST);
    crate::roles::required(&method, path)
}

/// Returns the whole document: the generated operations with the error
/// answers, the CSRF requirement and the required role added to each.
pub fn document() -> Result<Value, serde_json::Error> {
    let mut doc = serde_json::to_value(ApiDoc::openapi())?;
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, operations) in paths.iter_mut() {
            let Some(operations) = operations.as_object_mut() else {
                continue;
            };
            for (method, op) in operations.iter_mut() {
                annotate(op, method, path);
            }
        }
    }
    let components = &mut doc["components"];
    components["responses"]["Error"] = json!({
        "description": "The request failed: one sentence saying what went wrong and what to do \
            (400 bad request, 403 refused, 404 not found, 409 the study refused the change, \
            500 the server failed).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    });
    components["securitySchemes"] = json!({
        "csrfHeader": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
        "csrfCookie": {"type": "apiKey", "in": "cookie", "name": "vb_csrf"}
    });
    Ok(doc)
}

/// Adds to one operation what every operation shares.
fn annotate(op: &mut Value, method: &str, path: &str) {
    let error = json!({"$ref": "#/components/responses/Error"});
    op["responses"]["4XX"] = error.clone();
    op["responses"]["5XX"] = error;
    op["x-required-role"] = json!(required_role(method, path).as_str());
    op["operationId"] = json!(operation_id(method, path));
    if method != "get" {
        op["security"] = json!([{"csrfHeader": [], "csrfCookie": []}]);
    }
}

/// Returns a name unique to the operation (the generator takes the
/// handler's name, and `create` is both a code's and a coding's):
/// `post /api/codes/{id}/merge` is `post_codes_id_merge`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for part in path.trim_start_matches("/api/").split('/') {
        id.push('_');
        id.extend(
            part.chars()
                .filter(|c| !matches!(c, '{' | '}'))
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
        );
    }
    id
}

/// Returns the route of `/api/openapi.json`, the document built now.
pub fn routes() -> Router<AppState> {
    let served: Result<Bytes, String> = document()
        .and_then(|doc| serde_json::to_vec(&doc))
        .map(Bytes::from)
        .map_err(|e| format!("the API description could not be built: {e}"));
    Router::new().route(
        "/api/openapi.json",
        get(move || std::future::ready(serve(&served))),
    )
}

/// Answers one request for the document.
fn serve(served: &Result<Bytes, String>) -> Response {
    match served {
        Ok(bytes) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes.clone(),
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(ErrorBody { error: e.clone() }),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests;
