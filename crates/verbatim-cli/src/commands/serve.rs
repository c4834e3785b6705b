//! `verbatim serve`: the web interface on a local server.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use verbatim_store_pg::{PgAddress, PgDatabase, PgStore};
use verbatim_web::folder::{Folder, Shelf};
use verbatim_web::state::Secrets;
use verbatim_web::{AppState, Backend, Config};

use super::coder_arg::CoderArg;
use super::search::{server_index_dir, server_index_root};
use super::{Location, ProjectArg};

/// Open the study in the browser: read, code, edit themes, search
#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    project: ProjectArg,
    #[command(flatten)]
    coder: CoderArg,
    /// The address to listen on; loopback by default (port 0 picks a free one)
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "IP:PORT")]
    addr: SocketAddr,
    /// Open the page in the default browser once the server listens
    #[arg(long)]
    open: bool,
    /// Serve a team: everyone logs in with an account (`verbatim account`),
    /// whose role decides what they may see and do; --coder is ignored
    #[arg(long)]
    team: bool,
    /// Serve every study (*.vbt) of a folder, or every study of a
    /// PostgreSQL database (postgres://USER@HOST:PORT/DB, no ?study=), and
    /// let people create new ones from the start page; --project is then
    /// ignored
    #[arg(long, value_name = "FOLDER|DATABASE")]
    dir: Option<PathBuf>,
}

/// Serves the study until Ctrl+C.
pub fn cmd_serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.dir {
        return serve_folder(args, dir);
    }
    let (mut store, index_dir) = open_served(&args.project)?;
    // One process per file study draws its own token; the processes of a
    // PostgreSQL study share the study's, so a browser may be sent to any.
    let secrets = match args.project.location()? {
        Location::File(_) => Secrets::new(),
        Location::Postgres(_) => Secrets::with_csrf(store.shared_secret("web_csrf_token")?),
    };
    if args.team {
        if !store.has_owner()? {
            anyhow::bail!(
                "a team server needs an owner account first: create it with `verbatim account add \
                 NAME --role owner --password-stdin` (the password on standard input), then start \
                 the server again"
            );
        }
        if args.coder.coder.is_some() {
            eprintln!(
                "Note: --coder (or VERBATIM_CODER) is ignored with --team: each person codes as \
                 their account."
            );
        }
        // The dummy hash for unknown names, before the first login.
        verbatim_store::warm_up_logins();
    }
    let default_coder = match args.coder.coder.as_deref().map(str::trim) {
        // In team mode the session's account is the coder.
        _ if args.team => None,
        Some(name) if !name.is_empty() => {
            if store.coder_by_name(name)?.is_none() {
                anyhow::bail!(
                    "no coder {name:?} in this study: add one with `verbatim coder add {name}`, \
                     or leave out --coder and pick one in the page"
                );
            }
            Some(name.to_owned())
        }
        _ => None,
    };
    let title = store.study()?.title;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the server's runtime")?;
    // The study never enters the runtime's futures, only a handle to it:
    // a PostgreSQL client blocks on a runtime of its own when it closes,
    // which must not happen on one of this runtime's workers.
    let (listener, addr) = listen(&runtime, args, &format!("{title:?}"), "the study.")?;
    let state = AppState::serving(
        store,
        index_dir,
        Config {
            default_coder,
            addr,
            team: args.team,
            folder: None,
        },
        secrets,
    );
    let served = runtime.block_on(verbatim_web::serve(listener, state.clone(), stop()));
    drop(runtime);
    drop(state);
    served.context("the server stopped")?;
    Ok(ExitCode::SUCCESS)
}

/// Opens the study to serve, a file or a PostgreSQL study, and returns it
/// with the folder its search index is kept in (beside a file; in the
/// user's cache for a server's study).
fn open_served(project: &ProjectArg) -> anyhow::Result<(Box<dyn Backend>, PathBuf)> {
    Ok(match project.location()? {
        Location::File(_) => {
            let store = project.open()?;
            let index_dir = verbatim_search::index_dir(store.path());
            (Box::new(store), index_dir)
        }
        Location::Postgres(address) => {
            let index_dir = server_index_dir(&address)?;
            (Box::new(PgStore::open(&address)?), index_dir)
        }
    })
}

/// Returns where the studies `--dir` names live: a folder, or a
/// PostgreSQL database given without a study.
fn shelf_of(dir: &Path) -> anyhow::Result<Shelf> {
    if let Some(word) = dir.to_str().filter(|w| PgAddress::is_postgres(w)) {
        let database: PgDatabase = word.parse()?;
        let index_root = server_index_root(&database)?;
        return Ok(Shelf::Database {
            database: Box::new(database),
            index_root,
        });
    }
    if !dir.is_dir() {
        anyhow::bail!(
            "{} is not a folder: give --dir the folder that holds (or will hold) the studies, \
             or a PostgreSQL database as postgres://USER@HOST:PORT/DB",
            dir.display()
        );
    }
    Ok(Shelf::Files(dir.to_path_buf()))
}

/// Says how to give a team server its first owner, on `shelf`.
fn no_owner(shelf: &Shelf) -> anyhow::Error {
    let first = match shelf {
        Shelf::Files(dir) => format!("{}/first.vbt", dir.display()),
        Shelf::Database { database, .. } => format!("'{database}?study=first'"),
    };
    anyhow::anyhow!(
        "a team server of {shelf} needs one study with an owner account first: create it with \
         `verbatim init --project {first}` and `verbatim account add NAME --role owner \
         --password-stdin --project {first}` (the password on standard input), then start the \
         server again"
    )
}

/// Serves every study of the folder or database `dir` until Ctrl+C.
fn serve_folder(args: &ServeArgs, dir: &Path) -> anyhow::Result<ExitCode> {
    let shelf = shelf_of(dir)?;
    if args.team {
        if !shelf.has_owner()? {
            return Err(no_owner(&shelf));
        }
        verbatim_store::warm_up_logins();
    } else if shelf.is_database() {
        // Reach the server now: a wrong address fails here, in one sentence.
        shelf.names()?;
    }
    // The processes serving one database share its CSRF token (kept in the
    // database), so a page from one may post to another; a folder's server
    // draws its own.
    let secrets = match &shelf {
        Shelf::Files(_) => Secrets::new(),
        Shelf::Database { database, .. } => Secrets::with_csrf(verbatim_store_pg::server_secret(
            database,
            "web_csrf_token",
        )?),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the server's runtime")?;
    let (listener, addr) = listen(
        &runtime,
        args,
        &format!("the studies of {shelf}"),
        "the studies, and create new ones.",
    )?;
    let limits = verbatim_web::server::Limits::default();
    let folder = Folder::new(shelf, args.team, addr, limits.request, secrets);
    // The studies never close on the runtime's workers: this handle keeps
    // them until the runtime is gone (a PostgreSQL client blocks on a
    // runtime of its own when it closes).
    let served = runtime.block_on(verbatim_web::folder::serve(
        listener,
        folder.clone(),
        stop(),
    ));
    drop(runtime);
    drop(folder);
    served.context("the server stopped")?;
    Ok(ExitCode::SUCCESS)
}

/// Listens on `--addr`, warns when that reaches beyond this computer
/// without `--team` (anyone could read and change `what_changes`), says
/// what is served where, and opens the browser when asked.
fn listen(
    runtime: &tokio::runtime::Runtime,
    args: &ServeArgs,
    serving: &str,
    what_changes: &str,
) -> anyhow::Result<(tokio::net::TcpListener, SocketAddr)> {
    let listener = runtime.block_on(bind(args.addr))?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}/");
    if !addr.ip().is_loopback() && !args.team {
        eprintln!(
            "Warning: listening on {addr}, beyond this computer: anyone who can reach it can read \
             and change {what_changes}"
        );
    }
    let mode = if args.team {
        " for the team (log in)"
    } else {
        ""
    };
    println!("Serving {serving}{mode} at {url} (Ctrl+C to stop)");
    std::io::stdout().flush()?;
    if args.open {
        open_browser(&url);
    }
    Ok((listener, addr))
}

/// Listens on `addr`, or says what to do when it is taken.
async fn bind(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!(
            "could not listen on {addr}: is another `verbatim serve` running? Pass --addr \
             127.0.0.1:0 to pick a free port"
        )
    })
}

/// Completes on Ctrl+C (never, if the signal cannot be watched).
async fn stop() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Launches the desktop's browser on `url`; says so and carries on when
/// there is none.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let launched = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if launched.is_err() {
        eprintln!("Could not start a browser ({opener}); open {url} yourself.");
    }
}
