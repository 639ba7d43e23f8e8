//! Command-line interface: `placehook <command>`.

pub mod lex;
pub mod listen;
pub mod serve;
pub mod token;

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
    /// Run the XRPC webhook server (SQLite database, created on first start).
    Serve(Box<crate::config::ServeConfig>),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Tools for lexicon documents: check them, validate values against them.
    #[command(subcommand)]
    Lex(lex::LexCommand),
    /// Receive webhooks locally: print each delivery and check its signature.
    Listen(listen::ListenArgs),
}

/// Run a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Serve(config) => serve::run(*config),
        Command::Token(cmd) => token::run(cmd),
        Command::Lex(cmd) => lex::run(cmd),
        Command::Listen(args) => listen::run(args),
    }
}
