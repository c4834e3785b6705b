//! The `verbatim` binary: parses arguments, wires the library crates
//! together and prints. No analysis or storage logic lives here.

mod commands;
mod ui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = commands::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Makes `println!` on a closed pipe (`verbatim show X | head -1`) end the
/// process quietly with success, as `head` expects, instead of a panic
/// message: the standard library ignores SIGPIPE, so a write to a closed
/// pipe fails with `EPIPE` and `println!` panics. Every other panic keeps
/// the default report.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        let broken_pipe = message.starts_with("failed printing to stdout")
            && (message.contains("Broken pipe") || message.contains("os error 32"));
        if broken_pipe {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// Returns true when the error is stdout closing early (`verbatim … | head`),
/// which is not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
