//! `events` is a set: a repeated event is stored once, where it first appears.

use crate::support::spawn_app;
use serde_json::json;

#[tokio::test]
async fn repeated_events_are_stored_once_in_first_appearance_order() {
    let app = spawn_app().await;
    let (_, tok) = app.account("sets").await;
    let created = app
        .create(
            &tok,
            json!({"url": "http://127.0.0.1:9/a", "events": ["livestream", "chat", "livestream", "chat"]}),
        )
        .await;
    assert_eq!(created["events"], json!(["livestream", "chat"]));
    let id = created["id"].as_str().unwrap();

    let many = vec!["follow"; 5000];
    let (status, out) = app
        .post(
            "place.stream.server.updateWebhook",
            Some(&tok),
            &json!({"id": id, "events": many}),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["webhook"]["events"], json!(["follow"]));

    let (status, got) = app
        .get("place.stream.server.getWebhook", Some(&tok), &[("id", id)])
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["webhook"]["events"], json!(["follow"]));
    let (_, listed) = app
        .get("place.stream.server.listWebhooks", Some(&tok), &[])
        .await;
    assert_eq!(listed["webhooks"][0]["events"], json!(["follow"]));
    app.stop().await;
}
