//! What an owner sees of deliveries: each delivery with every attempt made. The API edge
//! turns these into `dev.placehook.defs#delivery`.

use crate::events::EventKind;

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// Being sent (written only by older builds, which claimed on disk).
    Inflight,
    /// A 2xx was received.
    Succeeded,
    /// Retries exhausted, or refused.
    Failed,
    /// A mute word matched; nothing was sent.
    Muted,
    /// The webhook was inactive when its turn came; nothing was sent.
    Skipped,
}

impl DeliveryState {
    /// Every state.
    pub const ALL: [DeliveryState; 6] = [
        Self::Pending,
        Self::Inflight,
        Self::Succeeded,
        Self::Failed,
        Self::Muted,
        Self::Skipped,
    ];

    /// Its name, as stored and as the lexicon's `status` says it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Inflight => "inflight",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Muted => "muted",
            Self::Skipped => "skipped",
        }
    }

    /// The state with this name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// One attempt at a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRecord {
    /// 1 for the first.
    pub number: i64,
    /// When it started (lexicon datetime).
    pub started_at: String,
    /// How long it took.
    pub duration_ms: i64,
    /// Whether a 2xx came back.
    pub success: bool,
    /// The HTTP status, if a response came.
    pub status_code: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
    /// The start of the response body.
    pub response_body: Option<String>,
}

/// One event's delivery to one webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryRecord {
    /// The stable delivery id (`webhook-id`).
    pub id: String,
    /// Its webhook.
    pub webhook_id: String,
    /// Its event.
    pub event_id: String,
    /// The event's type.
    pub event_kind: EventKind,
    /// Where it is.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempt_count: i64,
    /// When the next attempt is due (pending deliveries only), Unix ms.
    pub next_attempt_ms: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was queued (lexicon datetime).
    pub created_at: String,
    /// When it finished.
    pub completed_at: Option<String>,
    /// Every attempt, first first.
    pub attempts: Vec<AttemptRecord>,
}
