//! The JSON API under `/api/…`, one module per resource; each exposes
//! `routes() -> Router<AppState>`.
//!
//! Conventions: request and response bodies are JSON; errors are
//! `{"error": "one sentence"}` with a 4xx/5xx status ([`crate::WebError`]);
//! every state-changing call needs the `X-CSRF-Token` header
//! ([`crate::security`]); text positions are UTF-16 code units, as
//! browsers count them, converted to the study's chars in
//! [`crate::offsets`].

pub mod accounts;
pub mod analysis;
pub mod autocode;
pub mod codes;
pub mod codings;
pub mod compare;
pub mod history;
pub mod journal;
pub mod openapi;
pub mod people;
pub mod search;
pub mod turns;
pub mod upload;
