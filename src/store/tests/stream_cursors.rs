//! Named stream cursors (the repo firehose's seq, per source URL).

use super::*;
use crate::events::Event;
use crate::events::EventKind;
use time::OffsetDateTime;

const A: &str = "wss://relay.example/xrpc/com.atproto.sync.subscribeRepos";
const B: &str = "wss://pds.example/xrpc/com.atproto.sync.subscribeRepos";

fn event(uri: &str) -> Event {
    Event {
        kind: EventKind::Follow,
        subject: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa".into(),
        author: Some("did:plc:bbbbbbbbbbbbbbbbbbbbbbbb".into()),
        uri: Some(uri.into()),
        record: None,
    }
}

#[tokio::test]
async fn cursors_are_per_source_and_never_move_back() {
    let store = Store::open("sqlite::memory:", StoreOptions::default())
        .await
        .unwrap();
    assert_eq!(store.stream_cursor(A).await.unwrap(), None);
    store.save_stream_cursor(A, 10).await.unwrap();
    store.save_stream_cursor(A, 7).await.unwrap();
    store.save_stream_cursor(B, 3).await.unwrap();
    assert_eq!(store.stream_cursor(A).await.unwrap(), Some(10));
    assert_eq!(store.stream_cursor(B).await.unwrap(), Some(3));
    store.forget_stream_cursor(B).await.unwrap();
    assert_eq!(store.stream_cursor(B).await.unwrap(), None);
    store.save_stream_cursor(B, 1).await.unwrap();
    assert_eq!(store.stream_cursor(B).await.unwrap(), Some(1));
    assert_eq!(store.stream_cursor(A).await.unwrap(), Some(10));
    // Jetstream's cursor is apart.
    assert_eq!(store.jetstream_cursor().await.unwrap(), None);
}

#[tokio::test]
async fn an_accepted_event_moves_its_sources_cursor_even_when_a_duplicate() {
    let store = Store::open("sqlite::memory:", StoreOptions::default())
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc();
    let first = store
        .accept_streamed_event_from(&event("at://x/c/1"), "k1", now, A, 20)
        .await
        .unwrap();
    assert!(!first.duplicate);
    assert_eq!(store.stream_cursor(A).await.unwrap(), Some(20));
    let again = store
        .accept_streamed_event_from(&event("at://x/c/1"), "k1", now, B, 5)
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.event_id, first.event_id);
    assert_eq!(store.stream_cursor(B).await.unwrap(), Some(5));
    // The Jetstream path still writes its own row.
    store
        .accept_streamed_event(&event("at://x/c/2"), "k2", now, 99)
        .await
        .unwrap();
    assert_eq!(store.jetstream_cursor().await.unwrap(), Some(99));
    assert_eq!(store.stream_cursor(A).await.unwrap(), Some(20));
}
