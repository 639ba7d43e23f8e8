//! The service's records, independent of how a backend stores them: deliveries and
//! their outcomes, tokens, the endpoint a delivery is sent to, and what accepting an event
//! did. The store's traits (`crate::store`) speak these types.

mod delivery;
mod endpoint;
mod event;
mod token;

pub use delivery::{AttemptLog, Claimed, DisablePolicy, Finished, Outcome};
pub use endpoint::Endpoint;
pub use event::Accepted;
pub use token::TokenInfo;
