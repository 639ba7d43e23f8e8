//! What the outbox says about an accepted event.

/// What accepting an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The event's id (the earlier event's, for a duplicate).
    pub event_id: String,
    /// The webhooks a delivery was queued for (empty for a duplicate).
    pub webhooks: Vec<String>,
    /// The event had been accepted before; nothing new was queued.
    pub duplicate: bool,
}
