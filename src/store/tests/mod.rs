//! Store tests against real temporary SQLite files.

mod concurrency;
mod crud;
mod listing;
mod stream_cursors;
mod taking;
mod throughput;
mod tokens;

use serde_json::json;
use tempfile::TempDir;

use super::{Store, StoreError, StoreOptions};
use crate::api::wire;
use crate::clock::Clock;
use crate::lexicon::place::stream::server::defs::Webhook as Shown;
use crate::model::{Claimed, DisablePolicy, Outcome, Webhook, WebhookSettings};
use std::sync::Arc;
use time::OffsetDateTime;

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

/// The settings a create input from JSON gives, exactly as the server would decode them.
fn input(body: serde_json::Value) -> WebhookSettings {
    wire::settings(&serde_json::from_value(body).unwrap())
}

/// Minimal input: `url` with `events`, inactive by lexicon default.
fn simple(url: &str, events: &[&str]) -> WebhookSettings {
    input(json!({ "url": url, "events": events }))
}

/// A stored webhook as the API shows it.
fn shown(w: Webhook) -> Shown {
    wire::webhook(w)
}

/// Unix ms of a time.
fn to_ms(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Asserts a stored webhook is a valid `place.stream.server.defs#webhook`.
fn assert_lexicon_valid(w: &Shown) {
    use placehook_lexrt::Validate;
    w.validate().unwrap_or_else(|e| panic!("{w:?}: {e:?}"));
}

/// A clock stopped at one instant.
#[derive(Debug)]
struct Stopped(i64);

impl Clock for Stopped {
    fn now_ms(&self) -> i64 {
        self.0
    }
}

/// Records outcomes the way the dispatcher does, through the store's outcome writer,
/// all in one transaction, with the writer's clock at `now`; the answers in order.
async fn settle(
    store: &Store,
    finished: &[(&Claimed, &Outcome)],
    policy: DisablePolicy,
    now: OffsetDateTime,
) -> Result<Vec<Option<String>>, StoreError> {
    let clock = Arc::new(Stopped(to_ms(now)));
    let writer = store.outcome_writer(policy, clock);
    let release_soon = store.hold_writer().await;
    let answers: Vec<_> = finished
        .iter()
        .map(|(c, o)| writer.record(Arc::new(((*c).clone(), (*o).clone()))))
        .collect();
    release_soon.await;
    let mut out = Vec::new();
    for answer in answers {
        out.push(answer.await.expect("the writer answers")?);
    }
    Ok(out)
}

/// The next delivery due on `webhook`, read as a lane reads it.
async fn take(store: &Store, webhook: &str, now_ms: i64, skip: &[i64]) -> Option<Claimed> {
    store
        .next_deliveries(webhook, now_ms, skip, 1)
        .await
        .unwrap()
        .pop()
}
