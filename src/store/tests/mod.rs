//! Store tests against real temporary SQLite files.

mod concurrency;
mod crud;
mod listing;
mod taking;
mod throughput;
mod tokens;

use serde_json::json;
use tempfile::TempDir;

use super::{Store, StoreOptions};
use crate::lexicon::place::stream::server::create_webhook;
use crate::lexicon::place::stream::server::defs::Webhook;

const ALICE: &str = "did:plc:alice";
const BOB: &str = "did:plc:bob";

/// A store on a fresh file; keep the `TempDir` alive as long as the store.
async fn temp_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_path(dir.path().join("store.sqlite"), StoreOptions::default())
        .await
        .unwrap();
    (dir, store)
}

/// A create input from JSON, exactly as the server would decode it.
fn input(body: serde_json::Value) -> create_webhook::Input {
    serde_json::from_value(body).unwrap()
}

/// Minimal input: `url` with `events`, inactive by lexicon default.
fn simple(url: &str, events: &[&str]) -> create_webhook::Input {
    input(json!({ "url": url, "events": events }))
}

/// Asserts a stored webhook is a valid `place.stream.server.defs#webhook`.
fn assert_lexicon_valid(w: &Webhook) {
    use placehook_codegen::rt::Validate;
    w.validate().unwrap_or_else(|e| panic!("{w:?}: {e:?}"));
}
