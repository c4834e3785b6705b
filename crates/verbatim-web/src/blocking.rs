//! Running blocking work (files, a PostgreSQL connection, rendering a long
//! report, reading an upload) on tokio's blocking pool, so the runtime's
//! workers go on serving other requests meanwhile.

use crate::WebError;

/// Runs `f` on the blocking pool; a task that stops (panics or is
/// cancelled) is an internal error saying that `what` stopped.
pub(crate) async fn off_runtime<T, F>(what: &str, f: F) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, WebError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| WebError::Internal(format!("{what} stopped: {e}")))?
}
