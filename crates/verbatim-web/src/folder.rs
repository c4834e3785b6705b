//! One server for a folder of studies (`verbatim serve --dir STUDIES/`),
//! or for every study of a PostgreSQL database (`serve --dir
//! postgres://…/DB`): [`Shelf`] says where the studies live, the rest is
//! the same.
//!
//! Why a router in front of the study routers rather than a base path in
//! every URL: each study keeps its own accounts, sessions and audit log
//! (a study moved to another server keeps its team), and every page,
//! script and API route stays at the URL it has on a one-study server,
//! so no template or script knows about folders. The front router holds
//! the start page (`/studies`: the folder's `*.vbt` files, or the
//! database's studies, and a form to
//! create one), team mode's login (study, name, password) and the
//! creation; every other request goes, with `tower::ServiceExt::oneshot`,
//! to the router of the study the `vb_study` cookie names, built with
//! [`crate::app::router`] the first time it is needed and kept. That
//! study's own layers then decide (session, role, CSRF), so a session of
//! one study opens nothing in another: naming another study in the cookie
//! only leads to its login.
//!
//! All studies share one CSRF token and one failed-login count
//! ([`Secrets`]). Creating a study is open to anyone on a local server;
//! with `--team`, to whoever logs in at the start page with the name and
//! password of an owner of one of the folder's studies, who becomes the
//! new study's owner with the same password hash.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tower::ServiceExt;
use verbatim_store::LoginEvent;

use crate::auth::with_session_cookie;
use crate::blocking::off_runtime;
use crate::security::cookie;
use crate::state::Secrets;
use crate::{AppState, Config, WebError, i18n, security};

mod pages;
mod shelf;

use shelf::Opened;
pub use shelf::Shelf;

/// The cookie naming the study a browser works in.
pub const STUDY_COOKIE: &str = "vb_study";
/// The extension of a study file in the folder.
pub const EXTENSION: &str = "vbt";

/// Where the studies live, how they are served, and those opened so far.
pub struct Folder {
    shelf: Shelf,
    team: bool,
    addr: SocketAddr,
    timeout: Duration,
    secrets: Secrets,
    studies: Mutex<HashMap<String, Served>>,
    /// Held while a study is opened, so that first requests racing for one
    /// study open it once (a PostgreSQL study's pool is bounded per store:
    /// two stores for one study would open twice its connections).
    opening: tokio::sync::Mutex<()>,
}

/// One opened study: its state and its router.
#[derive(Clone)]
struct Served {
    state: AppState,
    router: Router,
}

/// A study of the folder as the start page lists it.
#[derive(Debug, Clone)]
pub struct Listed {
    /// Its name in the folder (the file name without `.vbt`), or in the
    /// database (its schema).
    pub name: String,
    /// Its title, or why it cannot be opened.
    pub title: Result<String, String>,
}

impl Folder {
    /// Returns the server of the studies on `shelf`; `team` asks every
    /// study's accounts, `addr` is the address the server listens on, and
    /// `secrets` are what its studies share (a database's processes share
    /// one CSRF token).
    pub fn new(
        shelf: Shelf,
        team: bool,
        addr: SocketAddr,
        timeout: Duration,
        secrets: Secrets,
    ) -> Arc<Self> {
        Arc::new(Folder {
            shelf,
            team,
            addr,
            timeout,
            secrets,
            studies: Mutex::new(HashMap::new()),
            opening: tokio::sync::Mutex::new(()),
        })
    }

    /// Returns the names of the studies, sorted.
    pub async fn names(&self) -> Result<Vec<String>, WebError> {
        let shelf = self.shelf.clone();
        off_runtime("a study operation", move || shelf.names()).await
    }

    /// Returns every study with its title: a database's read over one
    /// connection, a folder's files opened (and kept) one by one.
    pub async fn listed(&self) -> Result<Vec<Listed>, WebError> {
        if let Shelf::Database { database, .. } = &self.shelf {
            let database = database.clone();
            let studies = off_runtime("a study operation", move || {
                Ok(verbatim_store_pg::studies(&database)?)
            })
            .await?;
            return Ok(studies
                .into_iter()
                .map(|s| Listed {
                    name: s.name,
                    title: s.title.map_err(|e| e.to_string()),
                })
                .collect());
        }
        let mut listed = Vec::new();
        for name in self.names().await? {
            let title = match self.open(&name).await {
                Ok(served) => served
                    .state
                    .read(|store| Ok(store.study()?.title))
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            listed.push(Listed { name, title });
        }
        Ok(listed)
    }

    /// Returns where the studies live.
    pub fn shelf(&self) -> &Shelf {
        &self.shelf
    }

    fn config(&self, name: &str) -> Config {
        Config {
            default_coder: None,
            addr: self.addr,
            team: self.team,
            folder: Some(name.to_owned()),
        }
    }

    /// Keeps `opened` as the study `name` and returns how it is served.
    async fn keep(&self, name: &str, opened: Opened) -> Served {
        let state = AppState::serving(
            opened.store,
            opened.index_dir,
            self.config(name),
            self.secrets.clone(),
        );
        let router = crate::app::router(state.clone(), self.timeout);
        let (kept, extra) = {
            let mut studies = self
                .studies
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Two first requests may both have opened it: the first kept wins.
            match studies.get(name) {
                Some(kept) => (kept.clone(), Some(Served { state, router })),
                None => {
                    let served = Served { state, router };
                    studies.insert(name.to_owned(), served.clone());
                    (served, None)
                }
            }
        };
        if let Some(extra) = extra {
            // A PostgreSQL client must not close on one of tokio's workers.
            let _ = tokio::task::spawn_blocking(move || drop(extra)).await;
        }
        kept
    }

    /// Returns the study `name` when it is served already.
    fn served(&self, name: &str) -> Option<Served> {
        self.studies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
            .cloned()
    }

    /// Returns the study `name`, opened on first use (once, however many
    /// requests ask at once).
    async fn open(&self, name: &str) -> Result<Served, WebError> {
        let name = self.shelf.checked_name(name)?;
        if let Some(served) = self.served(name) {
            return Ok(served);
        }
        let _opening = self.opening.lock().await;
        if let Some(served) = self.served(name) {
            return Ok(served);
        }
        let (shelf, owned) = (self.shelf.clone(), name.to_owned());
        let opened = off_runtime("a study operation", move || shelf.open(&owned)).await?;
        Ok(self.keep(name, opened).await)
    }
}

/// Returns `name` when it can name a study file of the folder: 1 to 64
/// ASCII letters, digits, `-`, `_` or `.`, not starting with a dot and
/// without `..` (so never a path outside the folder), else why not.
pub fn checked_name(name: &str) -> Result<&str, WebError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && !name.contains("..")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok {
        Ok(name)
    } else {
        Err(WebError::BadRequest(i18n::tf(
            "studies.bad_name",
            &[("name", name)],
        )))
    }
}

/// Returns the front router of `folder`.
pub fn router(folder: Arc<Folder>) -> Router {
    let guard = security::Guard {
        addr: folder.addr,
        csrf: Arc::from(folder.secrets.csrf()),
    };
    let own = Router::new()
        .route("/studies", get(pages::start).post(pages::create))
        .route("/studies/open", get(pages::open))
        .route("/login", get(pages::login_page).post(pages::login))
        .merge(crate::assets::routes())
        .layer(from_fn_with_state(guard.clone(), security::check_csrf))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .layer(from_fn_with_state(guard.clone(), security::check_host))
        .layer(from_fn_with_state(guard, security::headers))
        .layer(axum::middleware::from_fn(i18n::negotiate));
    own.fallback(dispatch).with_state(folder)
}

/// Serves the folder on an already bound listener until `shutdown`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    folder: Arc<Folder>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = crate::server::Limits::default();
    crate::server::run(listener, router(folder), limits, shutdown).await
}

/// Returns the study a request is for: an invitation link's `?study=`,
/// else the `vb_study` cookie.
fn chosen(req: &Request) -> Option<String> {
    if req.uri().path().starts_with("/invite/")
        && let Some(name) = req
            .uri()
            .query()
            .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("study=")))
    {
        return Some(name.to_owned());
    }
    cookie(req.headers(), STUDY_COOKIE).map(str::to_owned)
}

/// Hands a request to the router of its study.
async fn dispatch(State(folder): State<Arc<Folder>>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let Some(name) = chosen(&req).filter(|n| folder.shelf.checked_name(n).is_ok()) else {
        return no_study(&folder, &path);
    };
    let served = match folder.open(&name).await {
        Ok(served) => served,
        // A study removed from the folder, or no study: the start page.
        Err(_) => return no_study(&folder, &path),
    };
    let from_invitation = path.starts_with("/invite/");
    let mut response = match served.router.oneshot(req).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if from_invitation {
        append_study_cookie(&mut response, &name);
    }
    response
}

/// Answers a request that names no study: the API says what to do, pages
/// go to the start page (team mode: its login).
fn no_study(folder: &Folder, path: &str) -> Response {
    if path == "/api" || path.starts_with("/api/") {
        let status = if folder.team {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::NOT_FOUND
        };
        let body = crate::error::ErrorBody {
            error: i18n::t("refused.no_study").into(),
        };
        return (status, axum::Json(body)).into_response();
    }
    Redirect::to("/studies").into_response()
}

/// Adds the cookie that makes `name` the browser's study.
fn append_study_cookie(response: &mut Response, name: &str) {
    let value = format!("{STUDY_COOKIE}={name}; Path=/; HttpOnly; SameSite=Strict");
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Returns the redirect to the study `name`'s home page, with its session
/// when one was opened.
fn into_study(name: &str, token: Option<&str>, next: &str) -> Response {
    let mut response = match token {
        Some(token) => with_session_cookie(next, Some(token)),
        None => Redirect::to(next).into_response(),
    };
    append_study_cookie(&mut response, name);
    response
}

/// What creating a study needs, checked.
struct NewStudy {
    name: String,
    title: String,
    /// The owner's account and password hash (team mode).
    owner: Option<(String, String)>,
}

impl Folder {
    /// Returns the password hash of `account` when it is an owner of one
    /// of the folder's studies and `password` is theirs.
    async fn owner_hash(&self, account: &str, password: &str) -> Result<Option<String>, WebError> {
        for name in self.names().await? {
            let Ok(Some(hash)) = self.owner_hash_in(&name, account).await else {
                continue;
            };
            let (password, checked) = (password.to_owned(), hash.clone());
            let matches = tokio::task::spawn_blocking(move || {
                verbatim_store::password_matches(&password, Some(&checked))
            })
            .await
            .map_err(|e| WebError::Internal(format!("the password check stopped: {e}")))?;
            if matches {
                return Ok(Some(hash));
            }
        }
        Ok(None)
    }

    /// Returns the password hash of `account` when it owns the study
    /// `name`. A study not served yet is opened for the question only and
    /// closed after, so an attempt to create a study does not leave every
    /// study of a database holding a connection.
    async fn owner_hash_in(&self, name: &str, account: &str) -> Result<Option<String>, WebError> {
        let who = account.to_owned();
        let served = self
            .studies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
            .cloned();
        if let Some(served) = served {
            return served
                .state
                .read(move |store| Ok(store.owner_hash(&who)?))
                .await;
        }
        let (shelf, name) = (self.shelf.clone(), name.to_owned());
        off_runtime("a study operation", move || {
            Ok(shelf.open(&name)?.store.owner_hash(&who)?)
        })
        .await
    }

    /// Creates the study and its owner account, or nothing: a study half
    /// made is removed.
    async fn create(&self, new: NewStudy, addr: Option<IpAddr>) -> Result<Served, WebError> {
        let actor = new
            .owner
            .as_ref()
            .map_or("web", |(a, _)| a.as_str())
            .to_owned();
        let opened = {
            let (shelf, name, owner) = (self.shelf.clone(), new.name.clone(), new.owner.clone());
            off_runtime("a study operation", move || {
                shelf.create(&name, new.title, &actor, owner)
            })
            .await?
        };
        let served = self.keep(&new.name, opened).await;
        if let Some((account, _)) = new.owner {
            let address = addr.map(|a| a.to_string());
            served
                .state
                .write(move |store| {
                    Ok(store.record_login(&account, LoginEvent::Login, address.as_deref())?)
                })
                .await?;
        }
        Ok(served)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn study_names_stay_inside_the_folder() {
        for good in ["entretiens-2026", "Etude_A", "v1.2"] {
            assert_eq!(checked_name(good).ok(), Some(good));
        }
        for bad in [
            "",
            "../x",
            "a/b",
            "a\\b",
            "..",
            ".cache",
            "a..b",
            "é",
            "a b",
            &"x".repeat(65),
        ] {
            assert!(checked_name(bad).is_err(), "{bad:?}");
        }
    }
}
