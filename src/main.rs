//! credscan: which professional credentials do employers actually ask for?

mod cli;
mod fetch;
mod posting;
#[cfg_attr(not(test), allow(dead_code))]
mod roles;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let _ = cli;
}
