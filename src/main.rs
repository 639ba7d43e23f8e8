//! The `placehook` binary: a thin wrapper over [`placehook::cli`].

use clap::Parser;

fn main() {
    let cli = placehook::cli::Cli::parse();
    std::process::exit(placehook::cli::run(cli));
}
