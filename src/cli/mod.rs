//! Command-line interface: `placehook <command>`.

pub mod lex;

use clap::{Parser, Subcommand};

/// placehook: ATProto webhooks for Streamplace events.
#[derive(Debug, Parser)]
#[command(name = "placehook", version, about)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tools for lexicon documents: check them, validate values against them.
    #[command(subcommand)]
    Lex(lex::LexCommand),
}

/// Run a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Lex(cmd) => lex::run(cmd),
    }
}
