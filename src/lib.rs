//! placehook: ATProto webhooks server speaking Streamplace's `place.stream.server.*` API.

pub mod api;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod deliver;
pub mod did;
pub mod events;
pub mod firehose;
pub mod identity;
pub mod jetstream;
pub mod lexicon;
mod lookup_http;
pub mod metrics;
pub mod model;
pub mod profile;
pub mod render;
pub mod server;
pub mod service_did;
pub mod signing;
pub mod state;
pub mod store;
pub mod target_url;
pub mod xrpc;
