//! Delivery: the dispatcher and its lanes, the retry policy, the guarded HTTP client.

mod attempt;
mod dispatcher;
pub mod http;
mod lane;
pub mod retry;

pub use dispatcher::Dispatcher;
pub use lane::UNWRITTEN;

use crate::model::DisablePolicy;
use retry::RetryPolicy;
use std::time::Duration;

/// How deliveries are made.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Requests in flight at once, across all webhooks.
    pub concurrency: usize,
    /// Outbound HTTP settings.
    pub http: http::HttpConfig,
    /// Retry schedule.
    pub retry: RetryPolicy,
    /// When a run of failures switches a webhook off.
    pub disable: DisablePolicy,
    /// Longest body sent.
    pub max_payload_bytes: usize,
    /// Longest wait for a profile look-up before falling back to the DID.
    pub resolve_timeout: Duration,
    /// How often, at most, the scheduler looks for due retries.
    pub poll_interval: Duration,
    /// Finished events older than this are deleted.
    pub retention: time::Duration,
}
