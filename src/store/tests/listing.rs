use std::collections::HashSet;

use serde_json::json;

use super::*;
use crate::store::StoreError;

const EVENTS: [&str; 5] = ["chat", "livestream", "follow", "mention", "stream.received"];

/// Creates webhooks numbered `from..from + n` for `owner` with varied `active` and event sets; returns them
/// oldest first.
async fn seed(store: &Store, owner: &str, from: usize, n: usize) -> Vec<Webhook> {
    let mut out = Vec::new();
    for i in from..from + n {
        // Event sets cycle through every non-empty subset of the five events.
        let events: Vec<&str> = (0..5)
            .filter(|b| (i % 31 + 1) & (1 << b) != 0)
            .map(|b| EVENTS[b])
            .collect();
        let body = json!({ "url": format!("https://{owner}/{i}"), "events": events, "active": i % 3 == 0 });
        let key = format!("{owner}/{i}");
        out.push(
            store
                .create_webhook(owner, &input(body), &key, 10_000)
                .await
                .unwrap(),
        );
    }
    out
}

/// Follows cursors to the end, checking every page but the last is full.
async fn all_pages(
    store: &Store,
    owner: &str,
    limit: u32,
    active: Option<bool>,
    event: Option<&str>,
) -> Vec<Webhook> {
    let mut got = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = store
            .list_webhooks(owner, limit, cursor.as_deref(), active, event)
            .await
            .unwrap();
        assert!(page.len() <= limit as usize);
        got.extend(page.iter().cloned());
        match next {
            Some(c) => {
                assert_eq!(page.len(), limit as usize, "a page before the end is full");
                cursor = Some(c);
            }
            None => return got,
        }
    }
}

#[tokio::test]
async fn pages_cover_every_filter_combination_exactly() {
    let (_dir, store) = temp_store().await;
    // Interleave another owner's rows so keyset ranges cross them.
    let mut alice = Vec::new();
    for round in 0..4 {
        alice.extend(
            seed(&store, ALICE, round * 20, 20)
                .await
                .into_iter()
                .map(|w| w.id)
                .collect::<Vec<_>>(),
        );
        seed(&store, BOB, round * 3, 3).await;
    }
    // One unfiltered page holds all of Alice's; each filtered listing must match it.
    let (everything, none) = store
        .list_webhooks(ALICE, 100, None, None, None)
        .await
        .unwrap();
    assert!(none.is_none());
    assert_eq!(
        everything
            .iter()
            .map(|w| w.id.clone())
            .rev()
            .collect::<Vec<_>>(),
        alice,
        "newest first"
    );

    for active in [None, Some(true), Some(false)] {
        for event in [
            None,
            Some("chat"),
            Some("livestream"),
            Some("follow"),
            Some("mention"),
            Some("stream.received"),
        ] {
            let expected: Vec<&Webhook> = everything
                .iter()
                .filter(|w| active.is_none_or(|a| w.settings.active == a))
                .filter(|w| event.is_none_or(|e| w.settings.events.iter().any(|x| x.as_str() == e)))
                .collect();
            assert!(!expected.is_empty());
            for limit in [1, 3, 7, expected.len() as u32, 100] {
                let got = all_pages(&store, ALICE, limit, active, event).await;
                let ids: Vec<&str> = got.iter().map(|w| w.id.as_str()).collect();
                let want: Vec<&str> = expected.iter().map(|w| w.id.as_str()).collect();
                assert_eq!(ids, want, "active={active:?} event={event:?} limit={limit}");
                assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
            }
        }
    }
}

#[tokio::test]
async fn exact_multiple_of_limit_ends_without_cursor() {
    let (_dir, store) = temp_store().await;
    seed(&store, ALICE, 0, 6).await;
    let (p1, c1) = store
        .list_webhooks(ALICE, 3, None, None, None)
        .await
        .unwrap();
    let (p2, c2) = store
        .list_webhooks(ALICE, 3, c1.as_deref(), None, None)
        .await
        .unwrap();
    assert_eq!((p1.len(), p2.len(), c2), (3, 3, None));
    // Empty owner: empty page, no cursor.
    assert_eq!(
        store.list_webhooks(BOB, 3, None, None, None).await.unwrap(),
        (vec![], None)
    );
    // An event the lexicon lacks matches nothing.
    assert_eq!(
        store
            .list_webhooks(ALICE, 3, None, None, Some("nope"))
            .await
            .unwrap(),
        (vec![], None)
    );
}

#[tokio::test]
async fn foreign_tampered_or_malformed_cursors_are_rejected() {
    let (_dir, store) = temp_store().await;
    seed(&store, ALICE, 0, 30).await;
    seed(&store, BOB, 0, 30).await;
    let (_, c) = store
        .list_webhooks(ALICE, 1, None, Some(true), Some("chat"))
        .await
        .unwrap();
    let c = c.unwrap();
    let bad =
        |owner: &'static str, cursor: String, active: Option<bool>, event: Option<&'static str>| {
            let store = store.clone();
            async move {
                let res = store
                    .list_webhooks(owner, 1, Some(&cursor), active, event)
                    .await;
                assert!(
                    matches!(res, Err(StoreError::InvalidCursor)),
                    "{owner} {cursor} {active:?} {event:?}: {res:?}"
                );
            }
        };
    // It works with its own scope...
    store
        .list_webhooks(ALICE, 1, Some(&c), Some(true), Some("chat"))
        .await
        .unwrap();
    // ...and with nothing else.
    bad(BOB, c.clone(), Some(true), Some("chat")).await;
    bad(ALICE, c.clone(), None, Some("chat")).await;
    bad(ALICE, c.clone(), Some(false), Some("chat")).await;
    bad(ALICE, c.clone(), Some(true), Some("follow")).await;
    bad(ALICE, c.clone(), Some(true), None).await;
    // Tampering with any character, truncating, extending, garbage.
    for i in 0..c.len() {
        let mut t = c.clone().into_bytes();
        t[i] = if t[i] == b'A' { b'B' } else { b'A' };
        bad(
            ALICE,
            String::from_utf8(t).unwrap(),
            Some(true),
            Some("chat"),
        )
        .await;
    }
    for garbage in ["", "abc", "!!!!", "null", &c[1..], &format!("{c}AA")] {
        bad(ALICE, garbage.to_owned(), Some(true), Some("chat")).await;
    }
}

#[tokio::test]
async fn filtered_pages_use_the_owner_index() {
    let (_dir, store) = temp_store().await;
    let sql = format!("EXPLAIN QUERY PLAN {}", crate::store::sqlite::SELECT_PAGE);
    let plan: Vec<(i64, i64, i64, String)> = store
        .sqlite()
        .db()
        .read(|c| {
            let mut q = c.prepare(&sql)?;
            let rows = q.query_map(
                rusqlite::params![ALICE, i64::MAX, Some(true), 1i64, 51i64],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .unwrap();
    let detail = plan
        .iter()
        .map(|p| p.3.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    assert!(detail.contains("webhooks_by_owner"), "{detail}");
    assert!(!detail.contains("TEMP B-TREE"), "no sort step: {detail}");
}

/// The cached `listWebhooks` answer follows every change to the owner's webhooks: edits,
/// deletes, new webhooks, and delivery outcomes (errorCount, lastTriggered, switch-off).
#[tokio::test]
async fn cached_pages_follow_every_change() {
    use crate::events::{Event, EventKind};
    use crate::model::WebhookPatch;
    use crate::model::{AttemptLog, DisablePolicy, Outcome};
    let (_dir, store) = temp_store().await;
    let page = |s: &Store, owner: &'static str| {
        let s = s.clone();
        async move {
            let body = s
                .list_webhooks_page(
                    owner,
                    50,
                    None,
                    None,
                    None,
                    crate::api::webhooks::list_answer,
                )
                .await
                .unwrap();
            serde_json::from_str::<serde_json::Value>(&body).unwrap()["webhooks"].clone()
        }
    };
    let w = store
        .create_webhook(
            ALICE,
            &input(json!({"url": "https://a.test/", "events": ["chat"], "active": true})),
            "a",
            10,
        )
        .await
        .unwrap();
    assert_eq!(page(&store, ALICE).await[0]["errorCount"], 0);
    // Bob's page is cached too, and must survive Alice's changes unchanged.
    assert_eq!(page(&store, BOB).await, json!([]));

    let event = Event {
        kind: EventKind::Chat,
        subject: ALICE.into(),
        author: None,
        uri: None,
        record: None,
    };
    let now = time::OffsetDateTime::now_utc();
    store.accept_event(&event, None, now).await.unwrap();
    store.accept_event(&event, None, now).await.unwrap();
    let policy = DisablePolicy {
        failures: 2,
        min_span_ms: 0,
    };
    let now_ms = to_ms(now);
    let first = take(&store, &w.id, now_ms, &[]).await.unwrap();
    let failed = Outcome::Retry {
        log: AttemptLog::default(),
        next_ms: 0,
        failure: true,
    };
    settle(&store, &[(&first, &failed)], policy, now)
        .await
        .unwrap();
    assert_eq!(page(&store, ALICE).await[0]["errorCount"], 1);
    let second = take(&store, &w.id, now_ms, &[]).await.unwrap();
    assert_eq!(
        (second.seq, second.attempt),
        (first.seq, 2),
        "the retry is due"
    );
    // A lane passes over what it has sent and not yet recorded.
    assert!(take(&store, &w.id, now_ms, &[first.seq])
        .await
        .is_some_and(|d| d.seq != first.seq));
    let ok = Outcome::Succeeded(AttemptLog::default());
    settle(&store, &[(&second, &ok)], policy, now)
        .await
        .unwrap();
    let listed = page(&store, ALICE).await;
    assert_eq!(listed[0]["errorCount"], 0);
    assert!(listed[0]["lastTriggered"].is_string(), "{listed}");

    let patch = WebhookPatch {
        name: Some("renamed".into()),
        ..WebhookPatch::default()
    };
    store
        .update_webhook(ALICE, &w.id, &patch, None)
        .await
        .unwrap();
    assert_eq!(page(&store, ALICE).await[0]["name"], "renamed");
    store
        .create_webhook(ALICE, &simple("https://b.test/", &["follow"]), "b", 10)
        .await
        .unwrap();
    assert_eq!(page(&store, ALICE).await.as_array().unwrap().len(), 2);
    store.delete_webhook(ALICE, &w.id).await.unwrap();
    assert_eq!(page(&store, ALICE).await.as_array().unwrap().len(), 1);
    assert_eq!(page(&store, BOB).await, json!([]));
}
