//! `placehook token create|list|revoke`: API tokens for scripts and the quick start.

use crate::store::{Store, StoreOptions};
use clap::Subcommand;

/// `placehook token ...`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token acting for DID; prints the secret once (only a hash is stored).
    Create {
        /// The account the token acts for.
        #[arg(long)]
        did: String,
        /// Allow the token to push events (dev.placehook.pushEvent).
        #[arg(long)]
        producer: bool,
        /// A note to recognise the token by in `token list`.
        #[arg(long)]
        label: Option<String>,
        /// SQLite database (file path or `sqlite:` URL).
        #[arg(long, env = "PLACEHOOK_DATABASE", default_value = "placehook.sqlite")]
        database: String,
    },
    /// List tokens (never their secrets).
    List {
        /// SQLite database (file path or `sqlite:` URL).
        #[arg(long, env = "PLACEHOOK_DATABASE", default_value = "placehook.sqlite")]
        database: String,
    },
    /// Revoke a token by its id or secret prefix.
    Revoke {
        /// Token id (from `token list`) or the start of its secret.
        id: String,
        /// SQLite database (file path or `sqlite:` URL).
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

async fn execute(cmd: TokenCommand) -> Result<i32, Box<dyn std::error::Error>> {
    match cmd {
        TokenCommand::Create {
            did,
            producer,
            label,
            database,
        } => {
            if placehook_codegen::formats::did(&did).is_err() {
                eprintln!("error: --did {did:?} is not a DID");
                return Ok(2);
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
            let store = Store::open(&database, StoreOptions::default()).await?;
            let tokens = store.list_tokens().await?;
            store.close().await;
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
            Ok(0)
        }
        TokenCommand::Revoke { id, database } => {
            let store = Store::open(&database, StoreOptions::default()).await?;
            let revoked = store.revoke_token(&id).await?;
            store.close().await;
            if revoked {
                println!("revoked {id}");
                Ok(0)
            } else {
                eprintln!("no active token matches {id:?}");
                Ok(1)
            }
        }
    }
}
