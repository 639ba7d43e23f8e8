//! Switching webhooks off: at once on 410, after N failures over at least T.

use crate::receiver::{Receiver, Reply};
use crate::support::{spawn_app, spawn_app_with, test_config};
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_410_switches_the_webhook_off_at_once_and_says_why() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    rx.script([Reply::status(410)]);
    app.push_chat("a").await;
    rx.next(WAIT).await.unwrap();
    let d = app.settled(&id, 1).await;
    assert_eq!(d["status"], "failed");
    let w = app.get_webhook(&id).await;
    assert_eq!(w["active"], false);
    assert!(w["disabledReason"].as_str().unwrap().contains("410"), "{w}");
    assert!(w["disabledAt"].is_string());
    // No more deliveries while off.
    app.push_chat("b").await;
    rx.nothing(Duration::from_millis(400)).await;
    // The owner switches it back on: it starts afresh.
    let (_, out) = app
        .post(
            "place.stream.server.updateWebhook",
            &app.token,
            &json!({"id": id, "active": true}),
        )
        .await;
    assert!(out["webhook"].get("disabledReason").is_none(), "{out}");
    assert_eq!(app.get_webhook(&id).await["errorCount"], 0);
    app.push_chat("c").await;
    assert_eq!(rx.next(WAIT).await.unwrap().json()["content"], "c");
    app.stop().await;
}

#[tokio::test]
async fn consecutive_failures_switch_it_off_only_over_the_minimum_span() {
    let app = spawn_app_with(|c| {
        test_config(c);
        c.delivery.disable_after_failures = 3;
        c.delivery.disable_after = Duration::from_secs(3600);
        c.delivery.retry_schedule = placehook::config::Schedule(vec![Duration::from_secs(10); 10]);
    })
    .await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    rx.script(std::iter::repeat_n(Reply::status(500), 10));
    app.push_chat("a").await;
    for n in 1..=3 {
        rx.next(WAIT).await.unwrap();
        app.settled(&id, n).await;
        if n < 3 {
            app.advance(Duration::from_secs(11)).await;
        }
    }
    let w = app.get_webhook(&id).await;
    assert_eq!(
        (w["errorCount"].as_i64(), w["active"].as_bool()),
        (Some(3), Some(true)),
        "3 failures in 22 s: not yet"
    );
    app.advance(Duration::from_secs(3600)).await;
    rx.next(WAIT).await.unwrap();
    app.settled(&id, 4).await;
    let w = app.get_webhook(&id).await;
    assert_eq!(w["active"], false, "{w}");
    assert!(
        w["disabledReason"]
            .as_str()
            .unwrap()
            .contains("consecutive"),
        "{w}"
    );
    // Its pending retry is not sent while it is off.
    app.advance(Duration::from_secs(11)).await;
    rx.nothing(Duration::from_millis(400)).await;
    let d = &app.deliveries(&id).await[0];
    assert_eq!(d["status"], "skipped", "{d}");
    app.stop().await;
}
