//! API tokens as the operator sees them.

/// A token as listed: everything except the secret, which is not stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    /// Short random public id (12 hex digits).
    pub id: String,
    /// The secret's first characters, e.g. `ph_AbC12xYz`.
    pub prefix: String,
    /// The account the token acts for.
    pub did: String,
    /// Whether the token may push producer events (e.g. `stream.received`).
    pub producer: bool,
    /// Operator's note.
    pub label: Option<String>,
    /// Lexicon datetime of issue.
    pub created_at: String,
    /// Roughly when it last authenticated (refreshed at most once a minute).
    pub last_used_at: Option<String>,
    /// When it was revoked; a revoked token never authenticates.
    pub revoked_at: Option<String>,
}

impl TokenInfo {
    /// Whether the token has been revoked.
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}
