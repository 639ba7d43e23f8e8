use time::macros::datetime;

use super::*;
use crate::lexicon::place::stream::server::defs::WebhookEventsItem as Ev;

#[tokio::test]
async fn results_track_consecutive_failures_and_last_success() {
    let (_dir, store) = temp_store().await;
    let w = store
        .create_webhook(ALICE, &simple("https://a.test/", &["chat"]), "a", 10)
        .await
        .unwrap();
    for _ in 0..3 {
        assert!(store
            .record_delivery_result(&w.id, false, datetime!(2025-01-01 0:00 UTC))
            .await
            .unwrap());
    }
    let got = store.get_webhook(ALICE, &w.id).await.unwrap().unwrap();
    assert_eq!((got.error_count, got.last_triggered), (Some(3), None));

    let at = datetime!(2025-06-07 08:09:10.123 +01:00);
    assert!(store.record_delivery_result(&w.id, true, at).await.unwrap());
    let got = store.get_webhook(ALICE, &w.id).await.unwrap().unwrap();
    assert_eq!(got.error_count, Some(0));
    assert_eq!(
        got.last_triggered.as_deref(),
        Some("2025-06-07T07:09:10.123Z")
    );
    assert_lexicon_valid(&got);

    assert!(!store
        .record_delivery_result("missing", true, at)
        .await
        .unwrap());
}

#[tokio::test]
async fn event_lookup_returns_only_the_subjects_active_matching_webhooks() {
    let (_dir, store) = temp_store().await;
    let make = |url: &str, events: &[&str], active: bool| {
        input(serde_json::json!({ "url": url, "events": events, "active": active }))
    };
    let chat = store
        .create_webhook(
            ALICE,
            &make("https://1/", &["chat", "follow"], true),
            "1",
            10,
        )
        .await
        .unwrap();
    store
        .create_webhook(ALICE, &make("https://2/", &["chat"], false), "2", 10)
        .await
        .unwrap();
    store
        .create_webhook(ALICE, &make("https://3/", &["livestream"], true), "3", 10)
        .await
        .unwrap();
    let chat2 = store
        .create_webhook(ALICE, &make("https://4/", &["chat"], true), "4", 10)
        .await
        .unwrap();
    store
        .create_webhook(BOB, &make("https://5/", &["chat"], true), "5", 10)
        .await
        .unwrap();

    let got = store.webhooks_for_event(ALICE, Ev::Chat).await.unwrap();
    assert_eq!(
        got,
        vec![(ALICE.to_owned(), chat.clone()), (ALICE.to_owned(), chat2)]
    );
    let got = store.webhooks_for_event(ALICE, Ev::Follow).await.unwrap();
    assert_eq!(got, vec![(ALICE.to_owned(), chat)]);
    assert!(store
        .webhooks_for_event(ALICE, Ev::Mention)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .webhooks_for_event("did:plc:nobody", Ev::Chat)
        .await
        .unwrap()
        .is_empty());
}
