//! Talking to placehook: chat events pushed, webhooks created, health and counts awaited.

use crate::AUTHOR;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const PUSH: &str = "/xrpc/dev.placehook.pushEvent";
const CREATE: &str = "/xrpc/place.stream.server.createWebhook";

fn chat(owner: &str, text: &str) -> String {
    json!({
        "type": "chat",
        "subject": owner,
        "author": AUTHOR,
        "record": {
            "$type": "place.stream.chat.message",
            "text": text,
            "streamer": owner,
            "createdAt": "2026-12-01T00:00:00.000Z"
        }
    })
    .to_string()
}

/// Pushes one chat event; returns the deliveries queued.
pub(crate) async fn push(
    http: &reqwest::Client,
    base: &str,
    producer: &str,
    owner: &str,
    text: &str,
) -> i64 {
    let res = http
        .post(format!("{base}{PUSH}"))
        .bearer_auth(producer)
        .header("content-type", "application/json")
        .body(chat(owner, text))
        .send()
        .await
        .expect("push");
    let status = res.status();
    let v: Value = res.json().await.expect("push output");
    assert_eq!(status, 200, "push failed: {v}");
    v["deliveries"].as_i64().expect("deliveries")
}

pub(crate) async fn create_webhook(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    url: &str,
) -> String {
    let v: Value = http
        .post(format!("{base}{CREATE}"))
        .bearer_auth(token)
        .json(&json!({"url": url, "events": ["chat"], "active": true}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("create output");
    v["webhook"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createWebhook failed: {v}"))
        .to_string()
}

pub(crate) async fn wait_healthy(http: &reqwest::Client, base: &str) {
    for _ in 0..500 {
        if let Ok(r) = http.get(format!("{base}/xrpc/_health")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("server at {base} did not start");
}

/// Waits until `count() >= want` (at most `limit`); returns whether it got there.
pub(crate) async fn wait_for(count: impl Fn() -> u64, want: u64, limit: Duration) -> bool {
    let end = Instant::now() + limit;
    while count() < want {
        if Instant::now() > end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    true
}
