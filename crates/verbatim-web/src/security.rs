//! The protections every request passes through.
//!
//! - **Host check** on every request: only the address the server bound
//!   (or a loopback name with its port) is served, so a hostile page
//!   cannot reach the study through DNS rebinding.
//! - **CSRF** on every state-changing request (anything but GET, HEAD,
//!   OPTIONS): the per-process token must come back twice, in the
//!   `vb_csrf` cookie (SameSite=Strict, HttpOnly, set on every page) and
//!   in the `X-CSRF-Token` header (fetch) or the `csrf` field of a
//!   urlencoded form. An `Origin`, when the browser sends one, must be the
//!   server's own. A page of another site can neither read the token nor
//!   send the cookie.
//! - **Headers** on every response: a strict Content-Security-Policy
//!   (`default-src 'self'`, recordings only from `/media/`, no inline
//!   script or style, no framing; a
//!   response may bring a stricter one of its own, as the report preview does),
//!   `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`.
//!   Not `no-referrer`: under it Chromium sends a plain HTML form's POST
//!   with `Origin: null`, which the Origin check must refuse (a sandboxed
//!   frame of any site sends the same), so the header's coder picker was
//!   refused. `same-origin` keeps every URL from leaving for another site
//!   and lets the browser name this server as the form's origin, so the
//!   Origin check stays strict: `null` is never accepted, even with the
//!   token.
//! - The body size limit is set in [`crate::app`].

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::WebError;

/// What the layers check a request against: the address the server bound
/// and the server's CSRF token (one study's, or every study's of a folder
/// server).
#[derive(Debug, Clone)]
pub struct Guard {
    /// The address the server listens on.
    pub addr: std::net::SocketAddr,
    /// The CSRF token.
    pub csrf: std::sync::Arc<str>,
}

/// The name of the cookie that carries the CSRF token.
pub const CSRF_COOKIE: &str = "vb_csrf";
/// The header `fetch` calls carry the token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field HTML forms carry the token in.
pub const CSRF_FIELD: &str = "csrf";

/// The Content-Security-Policy of every response.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The largest urlencoded form the CSRF check reads to find its field.
const FORM_LIMIT: usize = 4 * 1024 * 1024;

/// Refuses requests for another host name than the server's own.
pub async fn check_host(State(state): State<Guard>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !host_allowed(host, &state) {
        let addr = state.addr.to_string();
        return WebError::Forbidden(crate::i18n::tf("refused.host", &[("addr", &addr)]))
            .into_response();
    }
    next.run(req).await
}

fn host_allowed(host: &str, state: &Guard) -> bool {
    let addr = state.addr;
    let port = addr.port();
    let bound = addr.to_string();
    // Bound to every interface (a team server on the network): any name
    // with the port; the study is then as open as the network is.
    if addr.ip().is_unspecified() {
        return host
            .rsplit_once(':')
            .is_some_and(|(_, p)| p == port.to_string());
    }
    host == bound
        || [
            format!("localhost:{port}"),
            format!("127.0.0.1:{port}"),
            format!("[::1]:{port}"),
        ]
        .iter()
        .any(|h| h == host)
}

/// Refuses a state-changing request without the CSRF token twice (cookie
/// and header or form field) or from another origin.
pub async fn check_csrf(State(state): State<Guard>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if let Err(e) = check_origin(req.headers(), &state) {
        return e.into_response();
    }
    let token = &*state.csrf;
    if cookie(req.headers(), CSRF_COOKIE) != Some(token) {
        return refused();
    }
    let header_token = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    if header_token == Some(token) {
        return next.run(req).await;
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return refused();
    }
    // Forms carry the token as a field: read the body (bounded), look, and
    // hand the same bytes on to the handler.
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return WebError::BadRequest(crate::i18n::t("refused.form_size").into()).into_response();
    };
    if form_field(&bytes, CSRF_FIELD) != Some(token.as_bytes()) {
        return refused();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn refused() -> Response {
    WebError::Forbidden(crate::i18n::t("refused.csrf").into()).into_response()
}

fn check_origin(headers: &HeaderMap, state: &Guard) -> Result<(), WebError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        // Browsers send Origin on every cross-site POST, so a missing one
        // is a same-site navigation or a non-browser client; the token
        // still has to match.
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("");
    let host = origin.strip_prefix("http://").unwrap_or("");
    if host_allowed(host, state) {
        Ok(())
    } else {
        let origin = format!("{origin:?}");
        Err(WebError::Forbidden(crate::i18n::tf(
            "refused.origin",
            &[("origin", &origin)],
        )))
    }
}

/// Returns the value of a cookie sent with the request.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Returns the raw value of a urlencoded form field (the token is hex, so
/// it never needs decoding).
fn form_field<'b>(body: &'b [u8], name: &str) -> Option<&'b [u8]> {
    body.split(|b| *b == b'&').find_map(|pair| {
        let mut kv = pair.splitn(2, |b| *b == b'=');
        let key = kv.next()?;
        (key == name.as_bytes()).then(|| kv.next().unwrap_or(b""))
    })
}

/// Adds the security headers and the CSRF cookie to every response.
pub async fn headers(State(state): State<Guard>, req: Request, next: Next) -> Response {
    let has_cookie = cookie(req.headers(), CSRF_COOKIE) == Some(&*state.csrf);
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    // A response may bring its own, stricter framing policy: the report
    // preview (pages::reports) allows nothing to load or run, only its
    // inline style sheet by hash, and only this server's pages to frame it.
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !has_cookie
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{CSRF_COOKIE}={}; Path=/; SameSite=Strict; HttpOnly",
            state.csrf
        ))
    {
        h.append(header::SET_COOKIE, v);
    }
    response
}

/// Answers a request the router has no route for.
pub async fn not_found() -> crate::error::PageError {
    crate::error::PageError(WebError::NotFound(crate::i18n::t("refused.no_page").into()))
}

/// Returns `back` if it is a path of this site, else `/`: where a form or
/// a switch may send the browser back to, never an open redirect.
pub fn local_path(back: Option<String>) -> String {
    back.filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or_else(|| "/".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_field_finds_the_token_among_other_fields() {
        assert_eq!(
            form_field(b"name=a%20b&csrf=abc123&x=", "csrf"),
            Some(&b"abc123"[..])
        );
        assert_eq!(form_field(b"csrfx=1&name=2", "csrf"), None);
        assert_eq!(form_field(b"", "csrf"), None);
    }

    #[test]
    fn cookie_reads_one_among_several() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; vb_csrf=tok; b=2"),
        );
        assert_eq!(cookie(&h, "vb_csrf"), Some("tok"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
