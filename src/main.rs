//! credscan: which professional credentials do employers actually ask for?

mod cli;
mod fetch;
mod posting;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Fetch(args) => {
            let mut stdout = std::io::stdout().lock();
            fetch::run(&args, &mut stdout).unwrap_or_else(|e| {
                eprintln!("credscan: {e:#}");
                2
            })
        }
        _ => 0,
    };
    std::process::exit(code);
}
