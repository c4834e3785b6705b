//! Server-rendered pages, one module per area; each exposes
//! `routes() -> Router<AppState>` and renders askama templates that extend
//! `templates/base.html`.

pub mod accounts;
pub mod analysis;
pub mod coder;
pub mod codes;
pub mod compare;
pub mod home;
pub mod journal;
pub mod pager;
pub mod people;
pub mod reader;
pub mod reports;
pub mod search;
pub mod transcribe;
