//! Shared handles every request needs: cheap to clone.

use crate::auth::ServiceAuthVerifier;
use crate::clock::Clock;
use crate::config::ServeConfig;
use crate::deliver::Dispatcher;
use crate::jetstream::Interests;
use crate::metrics::Metrics;
use crate::profile::ProfileResolver;
use crate::service_did::ServiceIdentity;
use crate::store::Store;
use std::sync::Arc;

/// Application state passed to every handler.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Verifies inter-service auth JWTs.
    pub verifier: Arc<ServiceAuthVerifier>,
    /// Settings, validated at start.
    pub config: Arc<ServeConfig>,
    /// The service DID, public URL and the DID document served for them.
    pub identity: Arc<ServiceIdentity>,
    /// The time (injected so tests can move it).
    pub clock: Arc<dyn Clock>,
    /// Sends queued deliveries.
    pub dispatcher: Dispatcher,
    /// Counters for `/metrics`.
    pub metrics: Metrics,
    /// Subjects with active webhooks, for the stream consumers' filter (Jetstream, firehose).
    pub interests: Arc<Interests>,
    /// Handle, avatar and colour look-ups.
    pub profiles: Arc<dyn ProfileResolver>,
}
