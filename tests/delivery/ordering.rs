//! Per webhook, one request in flight and event order; webhooks in parallel.

use crate::receiver::{Receiver, Reply};
use crate::support::spawn_app;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_webhook_gets_its_events_in_order_one_at_a_time() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    rx.script(std::iter::repeat_n(
        Reply::Slow(Duration::from_millis(20)),
        30,
    ));
    for i in 0..30 {
        app.push_chat(&format!("m{i}")).await;
    }
    for i in 0..30 {
        let got = rx.next(Duration::from_secs(10)).await.expect("delivered");
        assert_eq!(got.json()["content"], format!("m{i}"));
    }
    assert_eq!(
        rx.max_in_flight.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn different_webhooks_proceed_in_parallel() {
    let app = spawn_app().await;
    let slow = Receiver::start().await;
    let fast = Receiver::start().await;
    app.webhook(&slow.url("/slow"), &["chat"], json!({})).await;
    app.webhook(&fast.url("/fast"), &["chat"], json!({})).await;
    slow.script([Reply::Slow(Duration::from_secs(2))]);
    app.push_chat("a").await;
    app.push_chat("b").await;
    // The fast receiver gets both while the slow one still holds its first.
    assert_eq!(
        fast.next(Duration::from_secs(1)).await.unwrap().json()["content"],
        "a"
    );
    assert_eq!(
        fast.next(Duration::from_secs(1)).await.unwrap().json()["content"],
        "b"
    );
    assert_eq!(slow.in_flight(), 1);
    app.stop().await;
}
