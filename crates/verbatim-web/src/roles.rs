//! Team mode's second layer: what the logged-in account may do.
//!
//! One table, [`POLICY`], maps routes to the role they need; the first
//! rule that matches a request's method and path decides, and a request
//! no rule names gets the safe default: reading (GET, HEAD) needs a
//! viewer, anything else a coder. So a route added later can be read by
//! every account and changed by coders, never by a viewer, until it is
//! listed here. A refusal is 403 with one sentence, before the handler
//! runs, so nothing changes. Roles order as viewer < coder < owner.
//!
//! What each role sees is not decided here but by the store's `Scope`,
//! built from the account in [`crate::session::Session`]: a coder sees
//! their own layer, and other coders' only once the study is revealed
//! (or solo, or with fewer than two coders), exactly as on the command
//! line; a viewer, and an owner who codes under no coder name, see the
//! shared codebook and the consensus layer, and every layer once open.

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use verbatim_store::Role;

use crate::WebError;
use crate::auth::CurrentAccount;
use crate::error::PageError;

/// Which methods a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Methods {
    /// Every method.
    Any,
    /// Every method but GET, HEAD and OPTIONS.
    Write,
    /// One method.
    Only(&'static str),
}

/// One line of the policy: methods, a path pattern, the role needed.
///
/// A pattern's segments match literally, `{}` matches any one segment and
/// a final `**` any number (zero included).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The methods covered.
    pub methods: Methods,
    /// The path pattern.
    pub pattern: &'static str,
    /// The role needed.
    pub role: Role,
}

const fn rule(methods: Methods, pattern: &'static str, role: Role) -> Rule {
    Rule {
        methods,
        pattern,
        role,
    }
}

use Methods::{Any, Only, Write};
use Role::{Owner, Viewer};

/// The routes that need another role than the default, first match wins.
pub const POLICY: &[Rule] = &[
    // Irreversible or identifying: the owner's.
    rule(Only("POST"), "/api/reveal", Owner),
    rule(Any, "/api/deidentify/**", Owner),
    rule(Write, "/api/participants/**", Owner),
    rule(Write, "/api/sites/**", Owner),
    rule(Write, "/api/sources", Owner),
    rule(Write, "/api/sources/{}", Owner),
    // Who codes is the accounts' business in team mode; studies are the
    // owner's (a server of several studies, `serve --dir`).
    rule(Write, "/api/coders/**", Owner),
    rule(Write, "/api/studies/**", Owner),
    rule(Write, "/api/attributes/**", Owner),
    rule(Write, "/api/speakers/**", Owner),
    rule(Any, "/api/withdraw/**", Owner),
    rule(Any, "/api/imports/**", Owner),
    rule(Any, "/api/accounts/**", Owner),
    rule(Any, "/api/invitations/**", Owner),
    rule(Any, "/accounts/**", Owner),
    // Everyone logged in may log out.
    rule(Only("POST"), "/logout", Viewer),
];

/// Returns true when `pattern` matches `path`.
fn matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.trim_start_matches('/').split('/');
    let mut have = path.trim_start_matches('/').split('/');
    loop {
        match (want.next(), have.next()) {
            (Some("**"), _) => return true,
            (Some("{}"), Some(seg)) if !seg.is_empty() => {}
            (Some(w), Some(h)) if w == h => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Returns the role a request needs.
pub fn required(method: &Method, path: &str) -> Role {
    let reading = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    POLICY
        .iter()
        .find(|r| {
            let method_ok = match r.methods {
                Any => true,
                Write => !reading,
                Only(m) => method.as_str() == m,
            };
            method_ok && matches(r.pattern, path)
        })
        .map_or(if reading { Role::Viewer } else { Role::Coder }, |r| r.role)
}

/// Refuses a team-mode request whose account's role is below the one the
/// route needs. Requests without an account (local mode, login pages)
/// pass: the authentication layer has already refused the others.
pub async fn check_role(req: Request, next: Next) -> Response {
    let Some(CurrentAccount(account)) = req.extensions().get::<CurrentAccount>() else {
        return next.run(req).await;
    };
    let needed = required(req.method(), req.uri().path());
    if account.role >= needed {
        return next.run(req).await;
    }
    let error = WebError::Forbidden(crate::i18n::tf(
        "refused.role",
        &[
            ("name", &account.name),
            ("role", account.role.as_str()),
            ("needed", needed.as_str()),
        ],
    ));
    if req.uri().path().starts_with("/api/") {
        error.into_response()
    } else {
        PageError(error).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(method: &str, path: &str) -> Role {
        required(&Method::from_bytes(method.as_bytes()).unwrap(), path)
    }

    #[test]
    fn the_owner_routes_of_the_brief_need_the_owner() {
        for (m, p) in [
            ("POST", "/api/reveal"),
            ("GET", "/api/deidentify"),
            ("POST", "/api/deidentify/apply"),
            ("POST", "/api/participants/roster"),
            ("POST", "/api/participants"),
            ("PATCH", "/api/participants/12"),
            ("POST", "/api/sites"),
            ("POST", "/api/sources"),
            ("PATCH", "/api/sources/3"),
            ("GET", "/api/accounts"),
            ("DELETE", "/api/accounts/bruno"),
            ("POST", "/api/invitations"),
            ("GET", "/accounts"),
            ("POST", "/api/coders"),
        ] {
            assert_eq!(role(m, p), Owner, "{m} {p}");
        }
    }

    #[test]
    fn anything_else_defaults_to_viewer_for_reads_and_coder_for_writes() {
        assert_eq!(role("GET", "/api/participants"), Viewer);
        assert_eq!(role("GET", "/api/sources/3/codings"), Viewer);
        assert_eq!(role("POST", "/api/codings"), Role::Coder);
        assert_eq!(role("DELETE", "/api/codings/4"), Role::Coder);
        // A source's codings are read under /api/sources/{id}/…: not the
        // owner-only PATCH of the source itself.
        assert_eq!(role("POST", "/api/sources/3/codings"), Role::Coder);
        assert_eq!(role("POST", "/api/some-future-route"), Role::Coder);
        assert_eq!(role("GET", "/some-future-page"), Viewer);
        assert_eq!(role("POST", "/logout"), Viewer);
    }

    #[test]
    fn patterns_match_whole_segments() {
        assert!(matches("/api/sources/{}", "/api/sources/3"));
        assert!(!matches("/api/sources/{}", "/api/sources/"));
        assert!(!matches("/api/sources/{}", "/api/sources/3/codings"));
        assert!(matches("/api/deidentify/**", "/api/deidentify"));
        assert!(!matches("/api/deidentify/**", "/api/deidentifyx"));
        assert!(!matches("/api/reveal", "/api/reveal/x"));
    }
}
