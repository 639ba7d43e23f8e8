//! placehook: ATProto webhooks server speaking Streamplace's `place.stream.server.*` API.

pub mod auth;
pub mod cli;
pub mod lexicon;
pub mod store;
