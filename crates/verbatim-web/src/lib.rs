//! The web interface that `verbatim serve` runs: server-rendered pages with
//! small plain JavaScript, and a JSON API, both over the same library calls
//! as the CLI.
//!
//! Why a crate of its own: HTTP, HTML and browser concerns (CSRF, CSP,
//! UTF-16 offsets) stay here, so nothing below knows about the web
//! (`../../ARCHITECTURE.md`, guiding rules).
//!
//! The shape:
//!
//! - [`AppState`] holds the open study behind a mutex; every store call
//!   runs on tokio's blocking pool ([`AppState::read`], [`AppState::write`]).
//! - [`app::router`] merges one router per area: `pages::*` (HTML) and
//!   `api::*` (JSON under `/api/…`), each a module exposing
//!   `fn routes() -> Router<AppState>`, then wraps them in the security
//!   layers of [`security`].
//! - Templates are askama files under `templates/` (escaping on, always);
//!   CSS and JS are static files under `assets/`, embedded in the binary
//!   ([`assets`]) because the Content-Security-Policy forbids inline code.
//!
//! Errors are [`WebError`]: JSON `{"error": "…"}` under `/api`, an HTML
//! page elsewhere.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod assets;
pub mod auth;
pub mod auth_limit;
pub mod auth_pages;
pub mod backend;
mod blocking;
pub mod error;
pub mod folder;
pub mod i18n;
pub mod layout;
pub mod media;
pub mod offsets;
pub mod pages;
pub mod palette;
pub mod queries;
pub mod roles;
pub mod security;
pub mod server;
pub mod session;
pub mod state;
pub mod transcript;

pub use app::router;
pub use backend::Backend;
pub use error::WebError;
pub use state::{AppState, Config};

/// Serves the study on an already bound listener until the process ends or
/// `shutdown` completes, within the default [`server::Limits`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = server::Limits::default();
    let app = router(state, limits.request);
    server::run(listener, app, limits, shutdown).await
}
