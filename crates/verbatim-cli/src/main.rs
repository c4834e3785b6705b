//! The `verbatim` binary: parses arguments, wires the library crates
//! together and prints. No analysis or storage logic lives here.

mod commands;
mod ui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    read_untrusted_in_child();
    // Benchmarks only (BENCHMARKS.md, "Durability"): the cost of fsyncing
    // each commit, measured on one build. Not a user setting.
    if std::env::var_os("VERBATIM_BENCH_SYNCHRONOUS_NORMAL").is_some_and(|v| v == "1") {
        verbatim_store::commit_without_fsync_for_benchmarks();
    }
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

/// Makes every PDF import and every workbook read (rosters, codebook
/// sheets; CLI and server) run in a child process of this binary
/// (`verbatim internal-extract pdf|workbook`) with at most
/// `VERBATIM_READER_MEMORY_MIB` MiB of address space (default 1024), so a
/// hostile file cannot abort, exhaust or keep busy the command or the
/// server. `VERBATIM_READ_IN_PROCESS=1` reads them on a thread instead
/// (for measuring the cost).
fn read_untrusted_in_child() {
    if std::env::var_os("VERBATIM_READ_IN_PROCESS").is_some_and(|v| v == "1") {
        return;
    }
    let Ok(program) = std::env::current_exe() else {
        return;
    };
    let mib = std::env::var("VERBATIM_READER_MEMORY_MIB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1024);
    verbatim_ingest::read_untrusted_in_child(verbatim_ingest::ChildReader {
        program,
        args: vec!["internal-extract".into()],
        memory_bytes: mib.saturating_mul(1024 * 1024),
    });
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
