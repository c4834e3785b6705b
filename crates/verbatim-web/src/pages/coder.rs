//! The coder picker in the page header: stores the chosen coder in a
//! cookie and goes back to the page it was used on.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

use crate::error::PageResult;
use crate::session::{CODER_COOKIE, encode_cookie};
use crate::{AppState, WebError};

/// Returns the route of the picker's form.
pub fn routes() -> Router<AppState> {
    Router::new().route("/coder", post(pick))
}

#[derive(Deserialize)]
struct PickForm {
    coder: String,
    back: Option<String>,
}

async fn pick(State(state): State<AppState>, Form(form): Form<PickForm>) -> PageResult<Response> {
    let name = form.coder.trim().to_owned();
    let known = {
        let name = name.clone();
        state
            .read(move |store| Ok(store.coder_by_name(&name)?.is_some()))
            .await?
    };
    if !known {
        return Err(WebError::NotFound(format!(
            "no coder {name:?} in this study: add one with `verbatim coder add {name}`"
        ))
        .into());
    }
    // Only a path of this site: never an open redirect.
    let back = crate::security::local_path(form.back);
    let mut response = Redirect::to(&back).into_response();
    let cookie = format!(
        "{CODER_COOKIE}={}; Path=/; SameSite=Strict; HttpOnly",
        encode_cookie(&name)
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}
