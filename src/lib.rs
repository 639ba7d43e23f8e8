//! placehook: ATProto webhooks server speaking Streamplace's `place.stream.server.*` API.

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod lexicon;
pub mod server;
pub mod state;
pub mod store;
pub mod target_url;
pub mod xrpc;
