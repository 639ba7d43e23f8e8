//! A delivery on its way: taken for sending, attempted, and how it ended.

use super::Endpoint;
use crate::events::Event;
use std::sync::Arc;
use time::OffsetDateTime;

/// A delivery taken for sending, with everything needed to render and sign it.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Row key.
    pub seq: i64,
    /// The stable delivery id (`webhook-id`).
    pub id: String,
    /// The attempt about to be made (1 for the first).
    pub attempt: i64,
    /// Sent even though the webhook is inactive (test sends).
    pub force: bool,
    /// When the delivery was queued, Unix ms.
    pub created_ms: i64,
    /// The event.
    pub event: Arc<Event>,
    /// The webhook, its owner and signing secrets, as they were when it was taken.
    pub endpoint: Arc<Endpoint>,
}

/// How an attempt went.
#[derive(Debug, Clone, Default)]
pub struct AttemptLog {
    /// When it started.
    pub started_at: Option<OffsetDateTime>,
    /// How long it took.
    pub duration_ms: i64,
    /// HTTP status, if a response came.
    pub status_code: Option<u16>,
    /// Why it failed.
    pub error: Option<String>,
    /// Start of the response body.
    pub response_body: Option<String>,
}

/// What to do with a claimed delivery after its attempt.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A 2xx: done; the webhook's failure run ends.
    Succeeded(AttemptLog),
    /// A mute word matched: done, nothing was sent (counts as success).
    Muted,
    /// The webhook was inactive when its turn came: done, nothing was sent.
    Skipped,
    /// Try again at `next_ms`. `failure` says whether it counts towards `errorCount`
    /// (a rate-limit answer does not).
    Retry {
        /// The attempt.
        log: AttemptLog,
        /// When to try next, Unix ms.
        next_ms: i64,
        /// Counts as a consecutive failure.
        failure: bool,
    },
    /// No more attempts. With `disable`, the webhook is switched off for that reason.
    Failed {
        /// The attempt.
        log: AttemptLog,
        /// Why the webhook is switched off at once (e.g. 410 Gone).
        disable: Option<String>,
    },
}

impl Outcome {
    /// The outcome's name in metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Succeeded(_) => "succeeded",
            Outcome::Muted => "muted",
            Outcome::Skipped => "skipped",
            Outcome::Retry { .. } => "retry",
            Outcome::Failed { .. } => "failed",
        }
    }
}

/// When a run of failures switches a webhook off.
#[derive(Debug, Clone, Copy)]
pub struct DisablePolicy {
    /// At least this many consecutive failures...
    pub failures: i64,
    /// ...spanning at least this long (ms).
    pub min_span_ms: i64,
}

/// A finished attempt, as handed to the store to record; shared with the lane that may
/// hand it in again.
pub type Finished = Arc<(Claimed, Outcome)>;
