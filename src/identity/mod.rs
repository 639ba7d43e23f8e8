//! Profiles of event authors for rendering: [`IdentityResolver`], the network-backed
//! [`ProfileResolver`](crate::profile::ProfileResolver).
//!
//! A profile combines three look-ups, run concurrently, each with its own timeout so that a
//! slow service only costs its own part:
//!
//! * the DID document (through the shared [`DidResolver`](crate::did::DidResolver)):
//!   handle (`alsoKnownAs`) and PDS (`#atproto_pds`), then, from that PDS, the
//!   `place.stream.chat.profile` record (`self`): the chat colour;
//! * the AppView's `app.bsky.actor.getProfile`: the avatar.
//!
//! Results are cached per DID (a shorter TTL when a part failed), concurrent callers for one
//! DID share one look-up, and [`IdentityResolver::invalidate`] drops what is known (for
//! identity events, e.g. a handle change).
//!
//! ```no_run
//! # fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use placehook::did::{DidResolver, DidResolverConfig};
//! use placehook::identity::{IdentityConfig, IdentityResolver};
//! let dids = Arc::new(DidResolver::new(DidResolverConfig::default())?);
//! let profiles = IdentityResolver::new(dids, IdentityConfig::default())?;
//! # let _ = profiles; Ok(()) }
//! ```

mod appview;
mod cache;
mod chat_color;
mod config;
mod http;
mod lookup;
mod resolver;

pub use config::{IdentityConfig, DEFAULT_APPVIEW_URL};
pub use http::http_client;
pub use resolver::IdentityResolver;
