//! Owner methods: listDeliveries, redeliver, testWebhook, describeServer, /metrics.

use crate::receiver::{Receiver, Reply};
use crate::support::spawn_app;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn redeliver_sends_again_with_the_same_id() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    app.push_chat("again").await;
    let first = rx.next(WAIT).await.unwrap();
    let d = app.settled(&id, 1).await;
    let (status, out) = app
        .post(
            "dev.placehook.redeliver",
            &app.token,
            &json!({"id": d["id"]}),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    let second = rx.next(WAIT).await.unwrap();
    assert_eq!(second.header("webhook-id"), first.header("webhook-id"));
    assert_eq!(second.body, first.body);
    let d = app.settled(&id, 2).await;
    assert_eq!(d["status"], "succeeded");
    // Another owner cannot see or redeliver it.
    let other = app
        .store
        .create_token("did:web:other.example", false, None)
        .await
        .unwrap()
        .1;
    let (status, out) = app
        .post("dev.placehook.redeliver", &other, &json!({"id": d["id"]}))
        .await;
    assert_eq!(
        (status.as_u16(), out["error"].as_str()),
        (404, Some("DeliveryNotFound"))
    );
    let (status, out) = app
        .get("dev.placehook.listDeliveries", &other, &[("id", &id)])
        .await;
    assert_eq!(
        (status.as_u16(), out["error"].as_str()),
        (404, Some("WebhookNotFound"))
    );
    app.stop().await;
}

#[tokio::test]
async fn redeliver_refuses_a_delivery_still_in_progress() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    rx.script([Reply::status(500)]);
    app.push_chat("x").await;
    rx.next(WAIT).await.unwrap();
    let d = app.settled(&id, 1).await;
    let (status, out) = app
        .post(
            "dev.placehook.redeliver",
            &app.token,
            &json!({"id": d["id"]}),
        )
        .await;
    assert_eq!(
        (status.as_u16(), out["error"].as_str()),
        (400, Some("DeliveryInProgress")),
        "{out}"
    );
    app.stop().await;
}

#[tokio::test]
async fn test_sends_reach_even_an_inactive_webhook() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app
        .webhook(
            &rx.url("/h"),
            &["chat"],
            json!({"active": false, "prefix": "[t] "}),
        )
        .await;
    for (kind, needle) in [
        ("chat", "[t] **"),
        ("livestream", "🔴 LIVE"),
        ("follow", "followed you"),
        ("mention", "mentioned you"),
        ("stream.received", "stream.received"),
    ] {
        let delivery = app.test_send(&id, kind).await;
        assert_eq!(delivery["eventType"], kind);
        let got = rx
            .next(WAIT)
            .await
            .unwrap_or_else(|| panic!("{kind} test send"));
        let body = got.json();
        let content = body["content"].as_str().unwrap_or_default();
        if kind == "chat" {
            assert!(content.starts_with("[t] This is a test"), "{kind}: {body}");
        } else {
            assert!(
                content.contains(needle.trim_start_matches("[t] ")),
                "{kind}: {body}"
            );
        }
    }
    let (status, out) = app
        .post(
            "dev.placehook.testWebhook",
            &app.token,
            &json!({"id": "nope"}),
        )
        .await;
    assert_eq!(
        (status.as_u16(), out["error"].as_str()),
        (404, Some("WebhookNotFound"))
    );
    app.stop().await;
}

#[tokio::test]
async fn list_deliveries_pages_newest_first_and_filters() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    for i in 0..7 {
        app.push_chat(&format!("m{i}")).await;
    }
    for _ in 0..7 {
        rx.next(WAIT).await.unwrap();
    }
    app.settled(&id, 1).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = vec![("id", id.as_str()), ("limit", "3"), ("status", "succeeded")];
        if let Some(c) = &cursor {
            q.push(("cursor", c));
        }
        let (status, out) = app
            .get("dev.placehook.listDeliveries", &app.token, &q)
            .await;
        assert_eq!(status, 200, "{out}");
        seen.extend(
            out["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["eventId"].clone()),
        );
        match out["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.as_str().cmp(&a.as_str()));
    assert_eq!(seen, sorted, "newest first");
    let (_, out) = app
        .get(
            "dev.placehook.listDeliveries",
            &app.token,
            &[("id", &id), ("status", "failed")],
        )
        .await;
    assert_eq!(out["deliveries"], json!([]));
    let (status, out) = app
        .get(
            "dev.placehook.listDeliveries",
            &app.token,
            &[("id", &id), ("cursor", "bogus")],
        )
        .await;
    assert_eq!(
        (status.as_u16(), out["error"].as_str()),
        (400, Some("InvalidCursor"))
    );
    app.stop().await;
}

#[tokio::test]
async fn describe_server_and_metrics_tell_what_is_going_on() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    let res = app
        .http
        .get(format!("{}/xrpc/dev.placehook.describeServer", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let d: serde_json::Value = res.json().await.unwrap();
    assert_eq!(d["maxWebhooksPerOwner"], 50);
    assert_eq!(d["retryPolicy"]["scheduleSeconds"], json!([10, 60]));
    assert_eq!(d["retryPolicy"]["maxAttempts"], 3);
    assert_eq!(d["eventTypes"].as_array().unwrap().len(), 5);
    assert_eq!(d["signatureScheme"], "standard-webhooks-v1");
    app.push_chat("count me").await;
    rx.next(WAIT).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let text = app
        .http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "placehook_events_accepted_total{type=\"chat\"} 1",
        "placehook_delivery_attempts_total{outcome=\"succeeded\"} 1",
        "placehook_delivery_attempt_duration_seconds_count 1",
        "placehook_delivery_queue{state=\"pending\"} 0",
        "placehook_webhooks_disabled 0",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_livestream_test_send_is_what_a_real_livestream_gives() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["livestream"], json!({})).await;
    app.test_send(&id, "livestream").await;
    let test = rx.next(WAIT).await.expect("test send").json();
    // A real livestream record of an account whose handle does not resolve.
    let real = json!({"type": "livestream", "subject": app.owner, "author": app.owner,
        "record": {"$type": "place.stream.livestream", "title": "Test stream from placehook",
                   "url": format!("https://stream.place/{}", app.owner),
                   "createdAt": "2026-12-01T00:00:00.000Z"}});
    let (status, out) = app
        .post("dev.placehook.pushEvent", &app.producer, &real)
        .await;
    assert_eq!(status, 200, "{out}");
    let real = rx.next(WAIT).await.expect("real send").json();
    assert_eq!(test, real);
    app.stop().await;
}
