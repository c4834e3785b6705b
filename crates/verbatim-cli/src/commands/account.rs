//! `verbatim account`: the people who log in to `verbatim serve --team`.
//!
//! Passwords are read from standard input (`--password-stdin`), never from
//! the command line, where other users of the machine could read them in
//! the process list. Every action runs on a study file or a PostgreSQL
//! study alike, through the store's `Accounts` trait.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use verbatim_store::{Accounts, INVITATION_LIFE_SECS, Role};
use verbatim_store_pg::PgStore;

use super::{Location, ProjectArg, print_json};
use crate::ui::{self, Table};

/// Manage the accounts of a team server (`verbatim serve --team`)
#[derive(Args, Debug)]
pub struct AccountArgs {
    #[command(subcommand)]
    action: AccountAction,
}

#[derive(Subcommand, Debug)]
enum AccountAction {
    /// Add an account; a coder account codes as the coder of its name
    Add {
        #[command(flatten)]
        project: ProjectArg,
        /// The account's name (a coder's name for a coder)
        name: String,
        /// owner, coder or viewer
        #[arg(long)]
        role: String,
        /// Read the password from standard input (its first line)
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts
    List {
        #[command(flatten)]
        project: ProjectArg,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Change an account's role
    Role {
        #[command(flatten)]
        project: ProjectArg,
        /// The account's name
        name: String,
        /// owner, coder or viewer
        role: String,
    },
    /// Remove an account: it can no longer log in (its coding stays)
    Remove {
        #[command(flatten)]
        project: ProjectArg,
        /// The account's name
        name: String,
    },
    /// Set an account's password (its sessions end)
    Password {
        #[command(flatten)]
        project: ProjectArg,
        /// The account's name
        name: String,
        /// Read the password from standard input (its first line)
        #[arg(long)]
        password_stdin: bool,
    },
    /// Show who logged in, failed to, logged out or used an invitation
    Log {
        #[command(flatten)]
        project: ProjectArg,
        /// How many events, newest first
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Create a one-time link with which someone sets their password
    Invite {
        #[command(flatten)]
        project: ProjectArg,
        /// The account the link creates
        name: String,
        /// owner, coder or viewer
        #[arg(long)]
        role: String,
    },
}

/// Returns the study's accounts, on a file or on PostgreSQL.
fn open_accounts(project: &ProjectArg) -> anyhow::Result<Box<dyn Accounts>> {
    Ok(match project.location()? {
        Location::File(_) => Box::new(project.open()?),
        Location::Postgres(address) => Box::new(PgStore::open(&address)?),
    })
}

/// Runs one `account` action.
pub fn cmd_account(args: &AccountArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        AccountAction::Add {
            project,
            name,
            role,
            password_stdin,
        } => {
            let role: Role = role.parse()?;
            let password = read_password(*password_stdin)?;
            let mut store = open_accounts(project)?;
            let account = store.add_account(&ui::actor(), name, role, &password)?;
            let coder = if role == Role::Coder {
                format!("; it codes as coder {:?}", account.name)
            } else {
                String::new()
            };
            println!("Added account {} ({}){coder}.", account.name, account.role);
        }
        AccountAction::List { project, json } => list(project, *json)?,
        AccountAction::Log {
            project,
            limit,
            json,
        } => login_log(project, *limit, *json)?,
        AccountAction::Role {
            project,
            name,
            role,
        } => {
            let role: Role = role.parse()?;
            open_accounts(project)?.set_account_role(&ui::actor(), name, role)?;
            println!("{} is now {role}.", name.trim());
        }
        AccountAction::Remove { project, name } => {
            open_accounts(project)?.remove_account(&ui::actor(), name)?;
            println!(
                "Removed account {}: it can no longer log in; its coding stays in the study.",
                name.trim()
            );
        }
        AccountAction::Password {
            project,
            name,
            password_stdin,
        } => {
            let password = read_password(*password_stdin)?;
            let mut store = open_accounts(project)?;
            store.set_account_password(&ui::actor(), name, &password)?;
            println!(
                "Changed the password of {}; its open sessions have ended.",
                name.trim()
            );
        }
        AccountAction::Invite {
            project,
            name,
            role,
        } => {
            let role: Role = role.parse()?;
            let token = open_accounts(project)?.invite(&ui::actor(), name, role)?;
            println!("/invite/{token}");
            eprintln!(
                "Send this path, after the team server's address, to {} ({role}); it works once, \
                 within {} days.",
                name.trim(),
                INVITATION_LIFE_SECS / 86_400
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn list(project: &ProjectArg, json: bool) -> anyhow::Result<()> {
    let accounts = open_accounts(project)?.accounts()?;
    if json {
        print_json(&accounts)?;
        return Ok(());
    }
    if accounts.is_empty() {
        println!(
            "No accounts yet: add the owner with `verbatim account add NAME --role owner \
             --password-stdin`."
        );
        return Ok(());
    }
    let mut table = Table::new(&["name", "role", "created", "state"]);
    for a in &accounts {
        table.row(vec![
            a.name.clone(),
            a.role.to_string(),
            a.created_at.clone(),
            if a.disabled_at.is_some() {
                "removed".into()
            } else {
                "active".into()
            },
        ]);
    }
    print!("{}", table.render());
    Ok(())
}

fn login_log(project: &ProjectArg, limit: usize, json: bool) -> anyhow::Result<()> {
    let events = open_accounts(project)?.login_log(limit)?;
    if json {
        print_json(&events)?;
        return Ok(());
    }
    if events.is_empty() {
        println!("No logins yet: the team server records them here.");
        return Ok(());
    }
    let mut table = Table::new(&["time", "name", "event", "address"]);
    for e in &events {
        table.row(vec![
            e.at.clone(),
            e.name.clone(),
            e.event.clone(),
            e.address.clone().unwrap_or_default(),
        ]);
    }
    print!("{}", table.render());
    Ok(())
}

/// Returns the first line of standard input, without its line end.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if !from_stdin {
        anyhow::bail!(
            "give the password on standard input with --password-stdin, e.g. \
             `verbatim account add NAME --role coder --password-stdin < password.txt`"
        );
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("could not read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        anyhow::bail!("standard input held no password: write it on the first line");
    }
    Ok(password.to_owned())
}
