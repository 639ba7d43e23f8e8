//! Taking deliveries for sending, and recording how they went.

use super::*;
use crate::events::{Event, EventKind};

/// An active webhook of Alice's for `chat`.
async fn chat_webhook(store: &Store, url: &str) -> Webhook {
    let body = input(json!({ "url": url, "events": ["chat"], "active": true }));
    store.create_webhook(ALICE, &body, url, 10).await.unwrap()
}

/// Failures never switch a webhook off in these tests.
const POLICY: crate::model::DisablePolicy = crate::model::DisablePolicy {
    failures: 1_000,
    min_span_ms: 0,
};

fn chat(subject: &str, text: &str) -> Event {
    Event {
        kind: EventKind::Chat,
        subject: subject.into(),
        author: None,
        uri: None,
        record: Some(json!({ "text": text })),
    }
}

/// A webhook deleted with its newest delivery frees that row number, and the next
/// delivery gets it: a lane takes the new delivery, nothing of the old one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reused_row_number_is_taken_as_its_own_delivery() {
    let (_dir, store) = temp_store().await;
    let a = chat_webhook(&store, "https://a.test/").await;
    let now = time::OffsetDateTime::now_utc();
    let now_ms = to_ms(now);
    store
        .accept_event(&chat(ALICE, "for a"), None, now)
        .await
        .unwrap();
    let a_id = a.id.clone();
    let seq_a: i64 = store
        .sqlite()
        .db()
        .read(move |c| {
            let q = "SELECT seq FROM deliveries WHERE webhook_id = ?";
            Ok(c.query_row(q, [&a_id], |r| r.get(0))?)
        })
        .unwrap();
    assert!(store.delete_webhook(ALICE, &a.id).await.unwrap());

    let b = chat_webhook(&store, "https://b.test/").await;
    // A test send: it brings an event of its own.
    let id = store
        .queue_test_delivery(ALICE, &b.id, &chat(ALICE, "for b"), now)
        .await
        .unwrap();
    let taken = take(&store, &b.id, now_ms, &[]).await.unwrap();
    assert_eq!(taken.seq, seq_a, "the row number was reused");
    assert_eq!(taken.id, id);
    assert!(taken.force);
    assert_eq!(taken.event.record, Some(json!({ "text": "for b" })));
}

/// Pruning everything old would free the newest event's number for the next event, and
/// the lanes would send the old event, still kept decoded under that number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pruning_keeps_the_newest_event_so_its_number_is_not_reused() {
    use crate::model::{AttemptLog, Outcome};
    let (_dir, store) = temp_store().await;
    let w = chat_webhook(&store, "https://a.test/").await;
    let now = time::OffsetDateTime::now_utc();
    let now_ms = to_ms(now);
    for text in ["older", "old"] {
        store
            .accept_event(&chat(ALICE, text), None, now)
            .await
            .unwrap();
        let d = take(&store, &w.id, now_ms, &[]).await.unwrap();
        let ok = Outcome::Succeeded(AttemptLog::default());
        settle(&store, &[(&d, &ok)], POLICY, now).await.unwrap();
    }
    let pruned = store.prune(now + time::Duration::days(1)).await.unwrap();
    assert_eq!(pruned, 1, "the older event goes, the newest stays");

    store
        .queue_test_delivery(ALICE, &w.id, &chat(ALICE, "new"), now)
        .await
        .unwrap();
    let taken = take(&store, &w.id, now_ms, &[]).await.unwrap();
    assert_eq!(taken.event.record, Some(json!({ "text": "new" })));
}

/// One batch of outcomes for one webhook: a success, a failure, a success. The webhook's
/// failure run ends, starts and ends again, in that order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_outcomes_counts_failures_in_order() {
    use crate::model::{AttemptLog, Outcome};
    let (_dir, store) = temp_store().await;
    let w = chat_webhook(&store, "https://a.test/").await;
    let now = time::OffsetDateTime::now_utc();
    let now_ms = to_ms(now);
    for text in ["1", "2", "3", "4"] {
        store
            .accept_event(&chat(ALICE, text), None, now)
            .await
            .unwrap();
    }
    let d = store.next_deliveries(&w.id, now_ms, &[], 4).await.unwrap();
    let ok = Outcome::Succeeded(AttemptLog::default());
    let failed = Outcome::Retry {
        log: AttemptLog::default(),
        next_ms: now_ms + 60_000,
        failure: true,
    };
    settle(
        &store,
        &[(&d[0], &ok), (&d[1], &failed), (&d[2], &ok)],
        POLICY,
        now,
    )
    .await
    .unwrap();
    let error_count = || async {
        let w = store.get_webhook(ALICE, &w.id).await.unwrap().unwrap();
        w.error_count
    };
    assert_eq!(error_count().await, 0, "the last success ends the run");
    settle(&store, &[(&d[3], &ok), (&d[1], &failed)], POLICY, now)
        .await
        .unwrap();
    assert_eq!(
        error_count().await,
        1,
        "the failure after the success counts"
    );
}

/// A webhook switched off by its failures stops its owner's events at the stream
/// consumers too: the subscription set is told, as for an owner's own changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_switched_off_by_failures_leaves_the_subscription_set() {
    use crate::jetstream::interests::wants;
    use crate::jetstream::Interests;
    use crate::model::{AttemptLog, DisablePolicy, Outcome};
    let (_dir, store) = temp_store().await;
    let w = chat_webhook(&store, "https://a.test/").await;
    let interests = Interests::new();
    assert!(interests.is_stale(&store), "a new set needs loading");
    interests.reload(&store).await.unwrap();
    assert!(!interests.is_stale(&store));
    assert!(wants(&interests.snapshot(), EventKind::Chat, ALICE));

    let now = time::OffsetDateTime::now_utc();
    let now_ms = to_ms(now);
    store
        .accept_event(&chat(ALICE, "hi"), None, now)
        .await
        .unwrap();
    let d = take(&store, &w.id, now_ms, &[]).await.unwrap();
    let failed = Outcome::Failed {
        log: AttemptLog::default(),
        disable: None,
    };
    let at_once = DisablePolicy {
        failures: 1,
        min_span_ms: 0,
    };
    let disabled = settle(&store, &[(&d, &failed)], at_once, now)
        .await
        .unwrap();
    assert!(
        disabled[0].is_some(),
        "the failure switched the webhook off"
    );
    assert!(interests.is_stale(&store), "the set was told");
    interests.reload(&store).await.unwrap();
    assert!(!wants(&interests.snapshot(), EventKind::Chat, ALICE));

    // The owner switching it on again says so too.
    store
        .update_webhook(
            ALICE,
            &w.id,
            &crate::model::WebhookPatch {
                active: Some(true),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    assert!(interests.is_stale(&store));
}
