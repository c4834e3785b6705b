//! (being written)

use axum::Router;

use crate::AppState;

/// Returns this area's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
