//! `verbatim serve`: the web interface on a local server.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use verbatim_store::Store;
use verbatim_web::{AppState, Config};

use super::ProjectArg;
use super::coder_arg::CoderArg;

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
}

/// Serves the study until Ctrl+C.
pub fn cmd_serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let store = args.project.open()?;
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
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| {
                format!(
                    "could not listen on {}: is another `verbatim serve` running? Pass --addr \
                     127.0.0.1:0 to pick a free port",
                    args.addr
                )
            })?;
        let addr = listener.local_addr()?;
        let url = format!("http://{addr}/");
        if !addr.ip().is_loopback() && !args.team {
            eprintln!(
                "Warning: listening on {addr}, beyond this computer: anyone who can reach it can \
                 read and change the study."
            );
        }
        let mode = if args.team {
            " for the team (log in)"
        } else {
            ""
        };
        println!("Serving {title:?}{mode} at {url} (Ctrl+C to stop)");
        std::io::stdout().flush()?;
        if args.open {
            open_browser(&url);
        }
        let state = AppState::new(
            store,
            Config {
                default_coder,
                addr,
                team: args.team,
                folder: None,
            },
        );
        let stop = async {
            // If the signal cannot be watched, serve until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        verbatim_web::serve(listener, state, stop)
            .await
            .context("the server stopped")?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
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
