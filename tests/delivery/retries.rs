//! Retry timing on a hand-moved clock, Retry-After, timeouts and resets.

use crate::receiver::{Receiver, Reply};
use crate::support::{spawn_app, spawn_app_with, test_config};
use placehook::clock::Clock;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(400);

fn ms(datetime: &serde_json::Value) -> i64 {
    let t = time::OffsetDateTime::parse(
        datetime.as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

#[tokio::test]
async fn failures_are_retried_on_schedule_with_the_same_id() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    rx.script([Reply::status(500), Reply::status(502)]);
    let t0 = app.clock.now_ms();
    app.push_chat("retry me").await;
    let first = rx.next(WAIT).await.unwrap();
    let d = app.settled(&id, 1).await;
    assert_eq!(d["status"], "pending");
    assert_eq!(
        ms(&d["nextAttemptAt"]) - t0,
        10_000,
        "first retry after 10 s: {d}"
    );
    assert_eq!(d["attempts"][0]["statusCode"], 500);
    assert_eq!(app.get_webhook(&id).await["errorCount"], 1);

    app.advance(Duration::from_secs(9)).await;
    rx.nothing(QUIET).await; // not due yet
    app.advance(Duration::from_secs(2)).await;
    let second = rx.next(WAIT).await.unwrap();
    assert_eq!(second.header("webhook-id"), first.header("webhook-id"));
    let d = app.settled(&id, 2).await;
    assert_eq!(ms(&d["nextAttemptAt"]) - app.clock.now_ms(), 60_000, "{d}");
    assert_eq!(app.get_webhook(&id).await["errorCount"], 2);

    app.advance(Duration::from_secs(61)).await;
    rx.next(WAIT).await.unwrap();
    let d = app.settled(&id, 3).await;
    assert_eq!(d["status"], "succeeded");
    let w = app.get_webhook(&id).await;
    assert_eq!(w["errorCount"], 0, "a success ends the failure run");
    assert!(w["lastTriggered"].is_string());
    app.stop().await;
}

#[tokio::test]
async fn attempts_end_with_the_schedule() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    rx.script([Reply::status(500), Reply::status(500), Reply::status(500)]);
    app.push_chat("doomed").await;
    rx.next(WAIT).await.unwrap();
    app.settled(&id, 1).await;
    app.advance(Duration::from_secs(11)).await;
    rx.next(WAIT).await.unwrap();
    app.settled(&id, 2).await;
    app.advance(Duration::from_secs(61)).await;
    rx.next(WAIT).await.unwrap();
    let d = app.settled(&id, 3).await;
    assert_eq!(d["status"], "failed");
    assert!(
        d["lastError"]
            .as_str()
            .unwrap()
            .contains("no attempts left"),
        "{d}"
    );
    app.advance(Duration::from_secs(3600)).await;
    rx.nothing(QUIET).await;
    app.stop().await;
}

#[tokio::test]
async fn retry_after_is_honoured_and_rate_limits_are_not_failures() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    rx.script([
        Reply::Status(429, vec![("retry-after", "3".into())], String::new()),
        // Discord's own form: retry_after in the body.
        Reply::Status(
            429,
            vec![],
            r#"{"message":"You are being rate limited.","retry_after":2.5,"global":false}"#.into(),
        ),
    ]);
    let t0 = app.clock.now_ms();
    app.push_chat("slow down").await;
    rx.next(WAIT).await.unwrap();
    let d = app.settled(&id, 1).await;
    assert_eq!(ms(&d["nextAttemptAt"]) - t0, 3_000, "{d}");
    assert_eq!(
        app.get_webhook(&id).await["errorCount"],
        0,
        "429 is not an endpoint failure"
    );
    app.advance(Duration::from_secs(3)).await;
    rx.next(WAIT).await.unwrap();
    let d = app.settled(&id, 2).await;
    assert_eq!(ms(&d["nextAttemptAt"]) - app.clock.now_ms(), 2_500, "{d}");
    app.advance(Duration::from_millis(2500)).await;
    rx.next(WAIT).await.unwrap();
    assert_eq!(app.settled(&id, 3).await["status"], "succeeded");
    app.stop().await;
}

#[tokio::test]
async fn a_503_retry_after_is_clamped_to_the_maximum() {
    let app = spawn_app_with(|c| {
        test_config(c);
        c.delivery.max_retry_after = Duration::from_secs(30);
    })
    .await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    rx.script([Reply::Status(
        503,
        vec![("retry-after", "86400".into())],
        String::new(),
    )]);
    let t0 = app.clock.now_ms();
    app.push_chat("x").await;
    rx.next(WAIT).await.unwrap();
    let d = app.settled(&id, 1).await;
    assert_eq!(ms(&d["nextAttemptAt"]) - t0, 30_000, "{d}");
    assert_eq!(
        app.get_webhook(&id).await["errorCount"],
        1,
        "503 is a failure"
    );
    app.stop().await;
}

#[tokio::test]
async fn slow_answers_and_resets_are_failed_attempts() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    rx.script([Reply::Slow(Duration::from_secs(3)), Reply::Reset]);
    app.push_chat("x").await;
    rx.next(WAIT).await.unwrap();
    let d = app.settled(&id, 1).await;
    assert!(
        d["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{d}"
    );
    assert!(d["attempts"][0].get("statusCode").is_none());
    app.advance(Duration::from_secs(11)).await;
    rx.next(WAIT).await.unwrap();
    let d = app.settled(&id, 2).await;
    assert_eq!(d["status"], "pending", "{d}");
    assert!(d["attempts"][1]["error"].is_string(), "{d}");
    app.advance(Duration::from_secs(61)).await;
    rx.next(WAIT).await.unwrap();
    assert_eq!(app.settled(&id, 3).await["status"], "succeeded");
    app.stop().await;
}

#[tokio::test]
async fn discord_rate_limit_headers_pace_the_next_request() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    rx.script([Reply::Status(
        204,
        vec![
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset-after", "0.8".into()),
        ],
        String::new(),
    )]);
    app.push_chat("one").await;
    app.push_chat("two").await;
    rx.next(WAIT).await.unwrap();
    let started = std::time::Instant::now();
    rx.next(WAIT).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
    app.stop().await;
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    rx.script([Reply::Status(
        302,
        vec![("location", rx.url("/elsewhere"))],
        String::new(),
    )]);
    app.push_chat("x").await;
    assert_eq!(rx.next(WAIT).await.unwrap().path, "/h");
    let d = app.settled(&id, 1).await;
    assert_eq!(d["attempts"][0]["statusCode"], 302);
    assert_eq!(d["status"], "pending", "a redirect is a failed attempt");
    rx.nothing(QUIET).await;
    app.stop().await;
}
