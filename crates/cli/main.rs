//! The `chartdex` command line: argument parsing, settings, output and exit codes.
//!
//! This is the only crate that prints and the only one that uses anyhow. Exit codes: 0 success;
//! 3 an ingest finished but some files were rejected; 4 an audit found problems; 1 the command
//! could not proceed; 2 usage.

mod audit;
mod commands;
mod flags;
mod progress;
mod record;

use clap::Parser;
use flags::{Cli, Command};
use std::io::{self, Write};
use std::process::ExitCode;

/// What a successful command reports to the shell.
pub(crate) enum Outcome {
    Success,
    /// The run completed but some files were rejected.
    SomeRejected,
    /// The audit completed and found problems.
    AuditProblems,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Ingest(_)) && !chartdex_ocr::openmp_limited() {
        // libgomp reads OMP_THREAD_LIMIT when it is loaded, before main: restart with it set.
        return reexec_with_openmp_limit();
    }
    // Everything chartdex writes (catalogue, index, exports) is patient data: owner-only.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    init_logging(cli.verbose);
    match commands::run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::SomeRejected) => ExitCode::from(3),
        Ok(Outcome::AuditProblems) => ExitCode::from(4),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = io::stdout().flush();
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

fn reexec_with_openmp_limit() -> ExitCode {
    use std::os::unix::process::CommandExt;
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("error: cannot find the chartdex executable to restart it: {e}");
            return ExitCode::from(1);
        }
    };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("OMP_THREAD_LIMIT", "1")
        .exec();
    eprintln!("error: cannot restart chartdex with OMP_THREAD_LIMIT=1: {err}");
    ExitCode::from(1)
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    // The PDF libraries log what they find odd in a file (font dictionaries, content); that is
    // noise to a records clerk, and can quote a document, so it stays quiet unless asked for.
    let default = match verbose {
        0 => "warn,lopdf=off,hayro=off,hayro_interpret=off,hayro_syntax=off",
        1 => "info,lopdf=off,hayro=off,hayro_interpret=off,hayro_syntax=off",
        _ => "debug",
    };
    let filter =
        EnvFilter::try_from_env("CHARTDEX_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_target(false)
        .init();
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
