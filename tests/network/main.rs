//! placehook called the ATProto way, through the reference PDS: the official
//! `@atproto/dev-env` PLC directory and PDS (`tools/pds`), accounts created there, and
//! the official `@atproto/api` client asking the PDS to proxy each call to placehook
//! (`atproto-proxy: did:web:localhost%3A<port>#placehook` or `#streamplace`). The PDS
//! resolves placehook's DID document over http (dev mode), signs a service-auth JWT with
//! the account's key, and placehook checks it against the account's document in the real
//! PLC directory. Nothing here is a fake except the Discord receiver.
//!
//! Needs `bash tools/pds/install.sh` (tools/test.sh runs it). Without it these tests
//! fail, saying so; `PLACEHOOK_SKIP_NETWORK_TESTS=1` skips them instead (CI never sets it).

mod firehose;
mod placehook;
mod proxied;
#[path = "../delivery/receiver.rs"]
#[allow(dead_code)]
mod receiver;
mod reference;
mod script;
mod writer;
