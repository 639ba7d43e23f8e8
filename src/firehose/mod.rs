//! The repo firehose (`com.atproto.sync.subscribeRepos`) of a PDS or a relay as an event
//! source: DAG-CBOR frames, the CAR slice of each commit, the commit's signature checked
//! against the repo's `#atproto` key (and each record used shown to be in the signed tree), and record creates mapped to events by the same
//! mapping as Jetstream's (`jetstream::mapping`), with the same dedupe keys, so a record
//! seen by both sources is delivered once.

pub mod car;
pub mod commit;
pub mod consumer;
pub mod examine;
pub mod frame;
pub mod keys;
pub mod mst;
pub mod record;
#[cfg(any(test, feature = "test-util"))]
pub mod testing;
pub mod verify;

#[cfg(test)]
mod tests;

pub use consumer::{Consumer, FirehoseConfig};
pub use keys::SigningKeys;
