//! What can go wrong in the store, whatever the backend.

/// A failed store operation.
///
/// Every variant's `Display` is safe to show a client: [`StoreError::Db`] says only
/// "database error" and keeps the driver's error (which may quote SQL) as its `source`
/// for logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The owner already has the maximum number of webhooks.
    #[error("too many webhooks for this account")]
    TooManyWebhooks,
    /// The owner has another webhook with the same normalised URL sharing an event.
    #[error("a webhook with this URL already receives one of these events")]
    DuplicateWebhook,
    /// No webhook with this id belongs to the caller (missing and foreign look the same).
    #[error("webhook not found")]
    WebhookNotFound,
    /// The list cursor is malformed, or was issued for another owner or other filters.
    #[error("invalid cursor")]
    InvalidCursor,
    /// The database stayed locked past the busy timeout; the request may succeed if
    /// retried.
    #[error("the database is busy, try again")]
    Busy,
    /// Another process is serving this database file (one `serve` per file: the
    /// dispatcher assumes it is alone).
    #[error("another placehook process is serving the database {0}; stop it first (one serve per SQLite file)")]
    InUse(String),
    /// Any other database failure.
    #[error("database error")]
    Db(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Wraps a failure to decode a stored column (corrupt JSON, unknown event) as `Db`.
pub(crate) fn decode_error(err: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Db(Box::new(err))
}
