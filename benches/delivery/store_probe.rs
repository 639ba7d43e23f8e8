//! Part 4, the store alone: the store calls a delivery makes, one at a time, no HTTP.

use crate::{AUTHOR, OWNER_R};
use placehook::store::{Store, StoreOptions};
use serde_json::json;
use std::time::{Duration, Instant};

pub(crate) struct Probe {
    pub(crate) round_trip_us: f64,
    pub(crate) accept_us: f64,
    pub(crate) claim_us: f64,
    pub(crate) finish_us: f64,
    pub(crate) backlog: usize,
    pub(crate) claim_backlog_us: f64,
    pub(crate) finish_backlog_us: f64,
}

/// The next delivery due on `webhook`, read as a lane reads it.
async fn claim_one(store: &Store, webhook: &str) -> placehook::model::Claimed {
    let now = time::OffsetDateTime::now_utc() + time::Duration::milliseconds(1);
    let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    store
        .next_deliveries(webhook, now_ms, &[], 1)
        .await
        .expect("next delivery")
        .pop()
        .expect("one is due")
}

/// Records one outcome through the dispatcher's outcome writer and waits for its commit.
async fn finish_one(
    writer: &placehook::store::OutcomeWriter,
    c: &placehook::model::Claimed,
    o: &placehook::model::Outcome,
) {
    writer
        .record(std::sync::Arc::new((c.clone(), o.clone())))
        .await
        .expect("the writer answers")
        .expect("finish");
}

/// Mean microseconds of the store calls a delivery makes, made one at a time on an
/// otherwise idle store: `accept_event` (one webhook), taking the next delivery
/// (`next_deliveries`, a read) and recording its outcome (the outcome writer, one outcome
/// per commit) with a queue of one, then the same with `backlog` deliveries pending.
pub(crate) async fn store_probe(rounds: usize, backlog: usize) -> Probe {
    use placehook::events::{Event, EventKind};
    use placehook::lexicon::place::stream::server::create_webhook;
    use placehook::model::{AttemptLog, DisablePolicy, Outcome};
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("probe.sqlite");
    let store = Store::open(db.to_str().expect("utf-8"), StoreOptions::default())
        .await
        .expect("store");
    let url = "http://127.0.0.1:9/probe";
    let input: create_webhook::Input =
        serde_json::from_value(json!({"url": url, "events": ["chat"], "active": true}))
            .expect("input");
    let webhook = store
        .create_webhook(OWNER_R, &placehook::api::wire::settings(&input), url, 50)
        .await
        .expect("webhook")
        .id;
    let event = Event {
        kind: EventKind::Chat,
        subject: OWNER_R.into(),
        author: Some(AUTHOR.into()),
        uri: None,
        record: Some(
            json!({"$type": "place.stream.chat.message", "text": "probe",
                            "streamer": OWNER_R, "createdAt": "2026-12-01T00:00:00.000Z"}),
        ),
    };
    let policy = DisablePolicy {
        failures: 20,
        min_span_ms: 86_400_000,
    };
    let ok = || {
        Outcome::Succeeded(AttemptLog {
            started_at: Some(time::OffsetDateTime::now_utc()),
            duration_ms: 1,
            status_code: Some(204),
            ..AttemptLog::default()
        })
    };
    let writer = store.outcome_writer(policy, std::sync::Arc::new(placehook::clock::SystemClock));
    let us = |d: Duration, n: usize| d.as_secs_f64() * 1e6 / n as f64;
    let (mut accept, mut claim, mut finish) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for _ in 0..rounds {
        let t = Instant::now();
        store
            .accept_event(&event, None, time::OffsetDateTime::now_utc())
            .await
            .expect("accept");
        accept += t.elapsed();
        let t = Instant::now();
        let c = claim_one(&store, &webhook).await;
        claim += t.elapsed();
        let t = Instant::now();
        finish_one(&writer, &c, &ok()).await;
        finish += t.elapsed();
    }
    for _ in 0..backlog {
        store
            .accept_event(&event, None, time::OffsetDateTime::now_utc())
            .await
            .expect("accept");
    }
    let sample = rounds.min(backlog);
    let (mut claim_b, mut finish_b) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..sample {
        let t = Instant::now();
        let c = claim_one(&store, &webhook).await;
        claim_b += t.elapsed();
        let t = Instant::now();
        finish_one(&writer, &c, &ok()).await;
        finish_b += t.elapsed();
    }
    store.close().await;
    // One bare statement on a connection of the same file, on this thread (how the store
    // runs reads), for scale.
    let conn = rusqlite::Connection::open(&db).expect("open db");
    let n = rounds * 4;
    let t = Instant::now();
    for _ in 0..n {
        let one: i64 = conn
            .prepare_cached("SELECT 1")
            .and_then(|mut q| q.query_row([], |r| r.get(0)))
            .expect("select 1");
        assert_eq!(one, 1);
    }
    let rt = t.elapsed();
    Probe {
        round_trip_us: us(rt, n),
        accept_us: us(accept, rounds),
        claim_us: us(claim, rounds),
        finish_us: us(finish, rounds),
        backlog,
        claim_backlog_us: us(claim_b, sample.max(1)),
        finish_backlog_us: us(finish_b, sample.max(1)),
    }
}
