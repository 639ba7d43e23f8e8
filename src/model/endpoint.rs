//! A webhook as its deliveries are sent.

use super::Webhook;

/// A webhook as its deliveries are sent: its settings, owner and signing secrets.
#[derive(Debug)]
pub struct Endpoint {
    /// Its settings.
    pub webhook: Webhook,
    /// Its owner's DID.
    pub owner: String,
    /// Its signing secrets, newest first (none: unsigned).
    pub secrets: Vec<String>,
    /// Unix ms at which one of `secrets` stops signing.
    pub until_ms: Option<i64>,
}
