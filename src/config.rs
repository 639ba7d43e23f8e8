//! `placehook serve` settings: flags with matching `PLACEHOOK_*` environment variables,
//! validated once at start.

use clap::Args;
use std::net::SocketAddr;

/// Settings for the XRPC server.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "PLACEHOOK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// SQLite database: a file path or a `sqlite:` URL. Created and migrated on start.
    #[arg(long, env = "PLACEHOOK_DATABASE", default_value = "placehook.sqlite")]
    pub database: String,

    /// This service's own DID: the `aud` accepted in inter-service auth tokens.
    #[arg(
        long,
        env = "PLACEHOOK_SERVICE_DID",
        default_value = "did:web:localhost"
    )]
    pub service_did: String,

    /// PLC directory used to resolve did:plc identities.
    #[arg(
        long,
        env = "PLACEHOOK_PLC_URL",
        default_value = "https://plc.directory"
    )]
    pub plc_url: url::Url,

    /// Most webhooks one account may have.
    #[arg(long, env = "PLACEHOOK_MAX_WEBHOOKS_PER_OWNER", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_webhooks_per_owner: u32,

    /// Largest request body accepted, in bytes (larger: 413 PayloadTooLarge).
    #[arg(long, env = "PLACEHOOK_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Allow webhook URLs whose host is or resolves to a private, loopback, link-local or
    /// otherwise non-public address (for local development and tests).
    #[arg(long, env = "PLACEHOOK_ALLOW_PRIVATE_TARGETS")]
    pub allow_private_targets: bool,

    /// Resolve did:web identities on loopback hosts over plain http (testing only).
    #[arg(long, env = "PLACEHOOK_DID_WEB_INSECURE_LOOPBACK", hide = true)]
    pub did_web_insecure_loopback: bool,

    /// Seconds to let in-flight requests finish after SIGINT/SIGTERM.
    #[arg(long, env = "PLACEHOOK_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,
}

impl ServeConfig {
    /// Settings for tests and embedding: the database at `database`, everything else default.
    pub fn for_database(database: impl Into<String>) -> Self {
        ServeConfig {
            listen: "127.0.0.1:0".parse().expect("valid address"),
            database: database.into(),
            service_did: "did:web:localhost".into(),
            plc_url: "https://plc.directory".parse().expect("valid URL"),
            max_webhooks_per_owner: 50,
            max_body_bytes: 64 * 1024,
            allow_private_targets: false,
            did_web_insecure_loopback: false,
            shutdown_grace_secs: 10,
        }
    }

    /// Check settings that clap cannot.
    pub fn validate(&self) -> Result<(), String> {
        if placehook_codegen::formats::did(&self.service_did).is_err() {
            return Err(format!("--service-did {:?} is not a DID", self.service_did));
        }
        if !matches!(self.plc_url.scheme(), "http" | "https") {
            return Err("--plc-url must be an http(s) URL".into());
        }
        if self.max_body_bytes < 1024 {
            return Err("--max-body-bytes must be at least 1024".into());
        }
        Ok(())
    }
}
