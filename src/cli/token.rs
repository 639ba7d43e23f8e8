//! `placehook token create|list|revoke`: API tokens for scripts and the quick start.
//!
//! Tokens live in the server's database, so these commands must open the same file as
//! `placehook serve`. A token written to any other file would be refused by the server
//! with nothing to say why; so they refuse a database that does not exist (`serve`
//! creates it on first start) unless `token create --create-database` is given.

use crate::did::check_did;
use crate::model::TokenInfo;
use crate::store::{Store, StoreOptions};
use clap::Subcommand;

/// Exit code for a usage error: a missing database, a bad DID, no such token.
const EXIT_USAGE: i32 = 2;

/// Length of a whole secret: `ph_` and 32 bytes in unpadded base64url (see `store::tokens`).
const SECRET_LEN: usize = 3 + 43;

/// `placehook token ...`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token acting for DID; prints the secret once (only a hash is stored).
    Create {
        /// The account the token acts for: a did:plc or did:web.
        #[arg(long)]
        did: String,
        /// Allow the token to push events (dev.placehook.pushEvent).
        #[arg(long)]
        producer: bool,
        /// A note to recognise the token by in `token list`.
        #[arg(long)]
        label: Option<String>,
        /// Create the database if it does not exist yet (otherwise `placehook serve`
        /// creates it on first start, and token commands refuse a missing one).
        #[arg(long)]
        create_database: bool,
        /// SQLite database (file path or `sqlite:` URL); the one `serve` uses.
        #[arg(long, env = "PLACEHOOK_DATABASE", default_value = "placehook.sqlite")]
        database: String,
    },
    /// List tokens (never their secrets).
    List {
        /// SQLite database (file path or `sqlite:` URL); the one `serve` uses.
        #[arg(long, env = "PLACEHOOK_DATABASE", default_value = "placehook.sqlite")]
        database: String,
    },
    /// Revoke a token by its id, its secret, or the start of its secret.
    Revoke {
        /// Token id (from `token list`), the whole secret, or the start of the secret
        /// (`ph_...`; more of it when several tokens share that start).
        #[arg(value_name = "KEY")]
        id: String,
        /// SQLite database (file path or `sqlite:` URL); the one `serve` uses.
        #[arg(long, env = "PLACEHOOK_DATABASE", default_value = "placehook.sqlite")]
        database: String,
    },
}

/// Run a token command; returns the exit code.
pub fn run(cmd: TokenCommand) -> i32 {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    rt.block_on(async move {
        match execute(cmd).await {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        }
    })
}

/// A usage error: printed, exit 2.
fn usage(message: impl std::fmt::Display) -> Result<i32, Box<dyn std::error::Error>> {
    eprintln!("error: {message}");
    Ok(EXIT_USAGE)
}

async fn execute(cmd: TokenCommand) -> Result<i32, Box<dyn std::error::Error>> {
    match cmd {
        TokenCommand::Create {
            did,
            producer,
            label,
            create_database,
            database,
        } => {
            if let Err(e) = check_did(&did) {
                return usage(format!("--did {did:?} {e}"));
            }
            if let Err(e) = existing_database(&database, create_database) {
                return usage(e);
            }
            let store = Store::open(&database, StoreOptions::default()).await?;
            let (info, secret) = store.create_token(&did, producer, label.as_deref()).await?;
            store.close().await;
            eprintln!(
                "created token {} for {}{}",
                info.id,
                info.did,
                if producer { " (producer)" } else { "" }
            );
            eprintln!("store it now: it cannot be shown again");
            println!("{secret}");
            Ok(0)
        }
        TokenCommand::List { database } => {
            if let Err(e) = existing_database(&database, false) {
                return usage(e);
            }
            let store = Store::open(&database, StoreOptions::default()).await?;
            let tokens = store.list_tokens().await?;
            store.close().await;
            print_list(tokens);
            Ok(0)
        }
        TokenCommand::Revoke { id, database } => {
            if let Err(e) = existing_database(&database, false) {
                return usage(e);
            }
            let store = Store::open(&database, StoreOptions::default()).await?;
            let result = revoke(&store, &id).await;
            store.close().await;
            match result? {
                Ok(t) => {
                    println!("revoked {} ({}, {})", t.id, t.prefix, t.did);
                    Ok(0)
                }
                Err(why) => usage(why),
            }
        }
    }
}

fn print_list(tokens: Vec<TokenInfo>) {
    println!(
        "{:<14} {:<14} {:<9} {:<24} {:<8} DID",
        "ID", "PREFIX", "PRODUCER", "CREATED", "STATUS"
    );
    for t in tokens {
        let status = if t.is_revoked() { "revoked" } else { "active" };
        println!(
            "{:<14} {:<14} {:<9} {:<24} {:<8} {}{}",
            t.id,
            t.prefix,
            t.producer,
            t.created_at,
            status,
            t.did,
            t.label.map(|l| format!("  ({l})")).unwrap_or_default()
        );
    }
}

/// Revokes the one active token `key` names; `Ok(Err(why))` if it names none, or
/// several.
async fn revoke(
    store: &Store,
    key: &str,
) -> Result<Result<TokenInfo, String>, Box<dyn std::error::Error>> {
    let tokens = store.list_tokens().await?;
    let found = match tokens.iter().find(|t| t.id == key) {
        Some(t) => match &t.revoked_at {
            Some(at) => return Ok(Err(format!("token {key} was already revoked at {at}"))),
            None => vec![t.clone()],
        },
        None if key.len() >= SECRET_LEN => {
            // A whole secret: only its hash can tell, never its first characters alone.
            // (Looking it up counts as a use; it is revoked the moment after.)
            store.authenticate_token(key).await?.into_iter().collect()
        }
        None => matching_start(&tokens, key),
    };
    match found.as_slice() {
        [t] if store.revoke_token(&t.id).await? => Ok(Ok(t.clone())),
        [] | [_] => Ok(Err(format!(
            "no active token matches {key:?} (give its id from `placehook token list`, its \
             secret, or the start of its secret)"
        ))),
        many => {
            let ids: Vec<&str> = many.iter().map(|t| t.id.as_str()).collect();
            Ok(Err(format!(
                "{key:?} matches {} active tokens: {}; give more of it, or an id",
                many.len(),
                ids.join(", ")
            )))
        }
    }
}

/// Active tokens whose secret may start with `start`: it starts with their stored
/// prefix, or (being shorter) is the start of it. Only the prefix is stored, so
/// characters past it cannot be compared.
fn matching_start(tokens: &[TokenInfo], start: &str) -> Vec<TokenInfo> {
    if start.is_empty() {
        return Vec::new();
    }
    tokens
        .iter()
        .filter(|t| !t.is_revoked())
        .filter(|t| {
            if start.len() >= t.prefix.len() {
                start.starts_with(&t.prefix)
            } else {
                t.prefix.starts_with(start)
            }
        })
        .cloned()
        .collect()
}

/// Refuses a database file that does not exist, unless `create`: a typo or another
/// working directory would otherwise give a new, empty database whose tokens the
/// server never sees.
fn existing_database(database: &str, create: bool) -> Result<(), String> {
    let Some(path) = Store::database_file(database) else {
        return Ok(()); // in memory
    };
    if path.is_file() {
        return Ok(());
    }
    let shown = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
    if path.exists() {
        return Err(format!("{} is not a database file", shown.display()));
    }
    if create {
        return Ok(());
    }
    Err(format!(
        "no database at {}\n\
         `placehook serve` creates it on first start; token commands must use the same \
         --database (or PLACEHOOK_DATABASE) as serve. To create it now, run \
         `placehook token create --create-database ...`",
        shown.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `SECRET_LEN` is what the store issues.
    #[tokio::test]
    async fn secret_len_is_the_stores() {
        let store = Store::open("sqlite::memory:", StoreOptions::default())
            .await
            .unwrap();
        let (_, secret) = store
            .create_token("did:plc:ewvi7nxzyoun6zhxrhs64oiz", false, None)
            .await
            .unwrap();
        assert_eq!(secret.len(), SECRET_LEN);
        store.close().await;
    }
}
