//! The repo firehose (`com.atproto.sync.subscribeRepos`) of a PDS or a relay.

pub mod record;
