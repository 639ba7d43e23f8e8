use serde_json::json;

use super::*;
use crate::events::EventKind as Kind;
use crate::lexicon::place::stream::server::defs::{RewriteRule, WebhookEventsItem as Ev};
use crate::lexicon::place::stream::server::update_webhook;
use crate::model::WebhookPatch;
use crate::store::StoreError;

fn rule(from: &str, to: &str) -> RewriteRule {
    serde_json::from_value(json!({ "from": from, "to": to })).unwrap()
}

#[tokio::test]
async fn create_stores_every_field_and_get_returns_it() {
    let (_dir, store) = temp_store().await;
    let body = json!({
        "url": "https://discord.com/api/webhooks/1/abc",
        "events": ["chat", "stream.received"],
        "active": true,
        "streamplaceFormat": true,
        "prefix": "[p] ", "suffix": " [s]",
        "rewrite": [{ "from": "a", "to": "b", "$type": "x", "junk": 1 }],
        "name": "n", "description": "d",
        "muteWords": ["spoiler"]
    });
    let w = shown(
        store
            .create_webhook(ALICE, &input(body), "key", 10)
            .await
            .unwrap(),
    );
    assert_lexicon_valid(&w);
    assert_eq!(uuid::Uuid::parse_str(&w.id).unwrap().get_version_num(), 7);
    assert_eq!(w.created_at.len(), "2025-01-01T00:00:00.000Z".len());
    assert!(w.created_at.ends_with('Z'));
    assert_eq!(w.events, vec![Ev::Chat, Ev::Received]);
    assert!(w.active && w.streamplace_format);
    assert_eq!(w.prefix.as_deref(), Some("[p] "));
    assert_eq!(w.suffix.as_deref(), Some(" [s]"));
    // Rules keep only from/to.
    assert_eq!(w.rewrite, Some(vec![rule("a", "b")]));
    assert_eq!(
        (w.name.as_deref(), w.description.as_deref()),
        (Some("n"), Some("d"))
    );
    assert_eq!(w.mute_words, Some(vec!["spoiler".to_owned()]));
    assert_eq!(
        (
            w.error_count,
            w.last_triggered.as_deref(),
            w.updated_at.as_deref()
        ),
        (Some(0), None, None)
    );

    let got = shown(store.get_webhook(ALICE, &w.id).await.unwrap().unwrap());
    assert_eq!(got, w);
}

#[tokio::test]
async fn create_applies_lexicon_defaults_and_drops_empty_fields() {
    let (_dir, store) = temp_store().await;
    let body = json!({ "url": "https://x.test/", "events": [], "prefix": "", "rewrite": [], "muteWords": [] });
    let w = shown(
        store
            .create_webhook(ALICE, &input(body), "k", 10)
            .await
            .unwrap(),
    );
    assert!(!w.active && !w.streamplace_format);
    assert_eq!((w.prefix, w.rewrite, w.mute_words), (None, None, None));
    assert!(w.events.is_empty());
}

#[tokio::test]
async fn owners_are_isolated() {
    let (_dir, store) = temp_store().await;
    let w = shown(
        store
            .create_webhook(ALICE, &simple("https://a.test/", &["chat"]), "a", 10)
            .await
            .unwrap(),
    );
    assert_eq!(
        store.get_webhook(BOB, &w.id).await.unwrap().map(shown),
        None
    );
    let patch = WebhookPatch {
        active: Some(true),
        ..Default::default()
    };
    assert!(matches!(
        store.update_webhook(BOB, &w.id, &patch, None).await,
        Err(StoreError::WebhookNotFound)
    ));
    assert!(!store.delete_webhook(BOB, &w.id).await.unwrap());
    assert!(store
        .list_webhooks(BOB, 50, None, None, None)
        .await
        .unwrap()
        .0
        .is_empty());
    // Bob may register the very same URL and events: duplicates are per owner.
    store
        .create_webhook(BOB, &simple("https://a.test/", &["chat"]), "a", 10)
        .await
        .unwrap();
    // Alice's webhook is untouched by all of that.
    assert_eq!(
        store.get_webhook(ALICE, &w.id).await.unwrap().map(shown),
        Some(w)
    );
}

#[tokio::test]
async fn limit_and_duplicates_on_create() {
    let (_dir, store) = temp_store().await;
    let first = simple("https://a.test/x", &["chat", "follow"]);
    store.create_webhook(ALICE, &first, "a", 2).await.unwrap();
    // Same key sharing one event: duplicate, whatever the raw URL spelling.
    let dup = simple("https://A.test/x", &["follow", "mention"]);
    assert!(matches!(
        store.create_webhook(ALICE, &dup, "a", 2).await,
        Err(StoreError::DuplicateWebhook)
    ));
    // Same key, disjoint events: allowed; then the limit bites.
    store
        .create_webhook(ALICE, &simple("https://a.test/x", &["livestream"]), "a", 2)
        .await
        .unwrap();
    let third = simple("https://c.test/", &["chat"]);
    assert!(matches!(
        store.create_webhook(ALICE, &third, "c", 2).await,
        Err(StoreError::TooManyWebhooks)
    ));
    // No half-written rows from the failures.
    assert_eq!(
        store
            .list_webhooks(ALICE, 50, None, None, None)
            .await
            .unwrap()
            .0
            .len(),
        2
    );
    // Deleting frees a slot.
    let (page, _) = store
        .list_webhooks(ALICE, 50, None, None, None)
        .await
        .unwrap();
    assert!(store.delete_webhook(ALICE, &page[0].id).await.unwrap());
    assert!(!store.delete_webhook(ALICE, &page[0].id).await.unwrap());
    store.create_webhook(ALICE, &third, "c", 2).await.unwrap();
}

#[tokio::test]
async fn update_is_partial_and_empty_clears() {
    let (_dir, store) = temp_store().await;
    let body = json!({
        "url": "https://a.test/", "events": ["chat"], "prefix": "p", "suffix": "s",
        "name": "n", "description": "d", "rewrite": [{ "from": "x", "to": "y" }], "muteWords": ["m"]
    });
    let w = shown(
        store
            .create_webhook(ALICE, &input(body), "a", 10)
            .await
            .unwrap(),
    );

    // An empty patch changes nothing but updatedAt.
    let same = shown(
        store
            .update_webhook(ALICE, &w.id, &WebhookPatch::default(), None)
            .await
            .unwrap(),
    );
    assert!(same.updated_at.is_some());
    assert_eq!(
        Shown {
            updated_at: None,
            ..same
        },
        w
    );

    let patch = WebhookPatch {
        prefix: Some(String::new()),
        rewrite: Some(vec![]),
        mute_words: Some(vec![]),
        name: Some("renamed".into()),
        active: Some(true),
        ..Default::default()
    };
    let u = shown(
        store
            .update_webhook(ALICE, &w.id, &patch, None)
            .await
            .unwrap(),
    );
    assert_lexicon_valid(&u);
    assert_eq!(
        (
            u.prefix.as_deref(),
            u.rewrite.as_ref(),
            u.mute_words.as_ref()
        ),
        (None, None, None)
    );
    assert_eq!(u.name.as_deref(), Some("renamed"));
    assert!(u.active);
    // Untouched fields survive.
    assert_eq!(
        (u.suffix.as_deref(), u.description.as_deref()),
        (Some("s"), Some("d"))
    );
    assert_eq!(
        (u.url.as_str(), &u.events, &u.created_at),
        (w.url.as_str(), &w.events, &w.created_at)
    );
    assert_eq!(
        store.get_webhook(ALICE, &w.id).await.unwrap().map(shown),
        Some(u)
    );

    let gone = WebhookPatch {
        events: Some(vec![]),
        ..Default::default()
    };
    let u = shown(
        store
            .update_webhook(ALICE, &w.id, &gone, None)
            .await
            .unwrap(),
    );
    assert!(u.events.is_empty());
    assert_lexicon_valid(&u);
}

#[tokio::test]
async fn update_rechecks_duplicates_against_other_webhooks_only() {
    let (_dir, store) = temp_store().await;
    let a = shown(
        store
            .create_webhook(ALICE, &simple("https://a.test/", &["chat"]), "a", 10)
            .await
            .unwrap(),
    );
    let b = shown(
        store
            .create_webhook(ALICE, &simple("https://b.test/", &["follow"]), "b", 10)
            .await
            .unwrap(),
    );
    // Moving b onto a's URL is fine while events are disjoint...
    let to_a = WebhookPatch {
        url: Some("https://a.test".into()),
        ..Default::default()
    };
    let moved = shown(
        store
            .update_webhook(ALICE, &b.id, &to_a, Some("a"))
            .await
            .unwrap(),
    );
    assert_eq!(moved.url, "https://a.test");
    // ...but not once they overlap, and the failed update changes nothing.
    let overlap = WebhookPatch {
        events: Some(vec![Kind::Chat, Kind::Follow]),
        name: Some("x".into()),
        ..Default::default()
    };
    assert!(matches!(
        store.update_webhook(ALICE, &b.id, &overlap, None).await,
        Err(StoreError::DuplicateWebhook)
    ));
    assert_eq!(
        store.get_webhook(ALICE, &b.id).await.unwrap().map(shown),
        Some(moved)
    );
    // A webhook never collides with itself.
    let own = WebhookPatch {
        events: Some(vec![Kind::Chat, Kind::Mention]),
        ..Default::default()
    };
    store
        .update_webhook(ALICE, &a.id, &own, Some("a"))
        .await
        .unwrap();
    // Missing id.
    assert!(matches!(
        store.update_webhook(ALICE, "nope", &own, None).await,
        Err(StoreError::WebhookNotFound)
    ));
}

#[tokio::test]
async fn patch_from_update_input_tells_omitted_from_false() {
    let body = json!({ "id": "x", "name": "", "events": ["livestream"] });
    let parsed: update_webhook::Input = serde_json::from_value(body.clone()).unwrap();
    let patch = wire::patch(&parsed, &body);
    assert_eq!(patch.streamplace_format, None);
    assert_eq!(patch.name.as_deref(), Some(""));
    assert_eq!(patch.events, Some(vec![Kind::Livestream]));
    assert_eq!(patch.url, None);

    let body = json!({ "id": "x", "streamplaceFormat": false });
    let parsed: update_webhook::Input = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(wire::patch(&parsed, &body).streamplace_format, Some(false));
}

#[tokio::test]
async fn db_errors_do_not_leak_sql() {
    let (_dir, store) = temp_store().await;
    let err = store.raw_read_error("SELECT nope FROM nowhere");
    assert!(matches!(err, StoreError::Db(_)));
    assert_eq!(err.to_string(), "database error");
    assert!(std::error::Error::source(&err)
        .unwrap()
        .to_string()
        .contains("nowhere"));
}

#[tokio::test]
async fn reopening_keeps_data_and_cursors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url, StoreOptions::default()).await.unwrap();
    for i in 0..3 {
        store
            .create_webhook(
                ALICE,
                &simple(&format!("https://{i}.test/"), &["chat"]),
                &i.to_string(),
                10,
            )
            .await
            .unwrap();
    }
    let (_, cursor) = store
        .list_webhooks(ALICE, 1, None, None, None)
        .await
        .unwrap();
    store.close().await;
    let store = Store::open(path.to_str().unwrap(), StoreOptions::default())
        .await
        .unwrap();
    let (page, _) = store
        .list_webhooks(ALICE, 5, cursor.as_deref(), None, None)
        .await
        .unwrap();
    assert_eq!(page.len(), 2);
}

#[tokio::test]
async fn in_memory_works() {
    let store = Store::open("sqlite::memory:", StoreOptions::default())
        .await
        .unwrap();
    let w = shown(
        store
            .create_webhook(ALICE, &simple("https://a.test/", &["chat"]), "a", 1)
            .await
            .unwrap(),
    );
    assert_eq!(
        store.get_webhook(ALICE, &w.id).await.unwrap().map(shown),
        Some(w)
    );
}

/// `close` leaves everything in the database file itself: copying the file alone (as a
/// backup script or the Jetstream bench's template copy does) keeps every write.
#[tokio::test]
async fn close_checkpoints_into_the_file() {
    let (dir, store) = temp_store().await;
    let w = shown(
        store
            .create_webhook(ALICE, &simple("https://a.test/", &["chat"]), "a", 10)
            .await
            .unwrap(),
    );
    store.close().await;
    let wal = dir.path().join("store.sqlite-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "WAL left behind"
    );
    let copy = dir.path().join("copy.sqlite");
    std::fs::copy(dir.path().join("store.sqlite"), &copy).unwrap();
    let reopened = Store::open_path(&copy, StoreOptions::default())
        .await
        .unwrap();
    assert_eq!(
        reopened.get_webhook(ALICE, &w.id).await.unwrap().map(shown),
        Some(w)
    );
}

/// A `sqlite:` URL with parameters is an SQLite URI: SQLite reads `mode` itself.
#[tokio::test]
async fn sqlite_urls_with_parameters_open_as_uris() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u.sqlite");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let store = Store::open(&url, StoreOptions::default()).await.unwrap();
    let w = shown(
        store
            .create_webhook(ALICE, &simple("https://a.test/", &["chat"]), "a", 10)
            .await
            .unwrap(),
    );
    store.close().await;
    let store = Store::open_path(&path, StoreOptions::default())
        .await
        .unwrap();
    assert_eq!(
        store.get_webhook(ALICE, &w.id).await.unwrap().map(shown),
        Some(w)
    );
    let missing = format!(
        "sqlite://{}?mode=rw",
        dir.path().join("none.sqlite").display()
    );
    assert!(Store::open(&missing, StoreOptions::default())
        .await
        .is_err());
}
