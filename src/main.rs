//! credscan: which professional credentials do employers actually ask for?
//!
//! `main` parses the command line and hands off to one function per subcommand; each
//! returns the exit code. Errors that stop a command print as `credscan: ...` with their
//! causes, and exit 2.

mod aggregate;
mod analysis;
mod cli;
mod date;
mod dictionary;
mod ellipsis;
mod explain;
mod fetch;
mod ingest;
mod level;
mod lint;
mod matcher;
mod normalize;
mod output;
mod posting;
mod report;
mod roles;
mod scan;
mod suggest;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, DictCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        // Output piped into `head` that stopped reading: not an error, as for other tools.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("credscan: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let code = match cli.command {
        Command::Scan(args) => scan::run(args, &mut out)?,
        Command::Fetch(args) => fetch::run(&args, &mut out)?,
        Command::Dict(DictCommand::Check(args)) => lint::run(&args, &mut out)?,
        Command::Explain(args) => explain::run(&args, &mut out)?,
        Command::Suggest(args) => suggest::run(&args, &mut out)?,
    };
    out.flush()?;
    Ok(code)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
