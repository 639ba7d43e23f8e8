//! The service's records, independent of how a backend stores them and of the lexicon
//! wire types: webhooks, deliveries and their outcomes, the delivery log, tokens, the
//! endpoint a delivery is sent to, and what accepting an event did. The store's traits
//! (`crate::store::traits`) speak these types; the API edge converts them to the wire.

mod delivery;
mod delivery_log;
mod endpoint;
mod event;
mod token;
mod webhook;

pub use delivery::{AttemptLog, Claimed, DisablePolicy, Finished, Outcome};
pub use delivery_log::{AttemptRecord, DeliveryRecord, DeliveryState};
pub use endpoint::Endpoint;
pub use event::Accepted;
pub use token::TokenInfo;
pub use webhook::{Disabled, Rewrite, Webhook, WebhookPatch, WebhookSettings};
