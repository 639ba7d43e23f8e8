//! Hostile webhook settings: rewrite rules that compound without bound must neither take
//! the process down nor leave a delivery that does so again at the next start.

use crate::receiver::Receiver;
use crate::support::spawn_app;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);
const TYPES: [&str; 5] = ["chat", "livestream", "follow", "mention", "stream.received"];

#[tokio::test]
async fn compounding_rewrite_rules_still_deliver_cut_to_discords_limit() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    // Unbounded, one test send needs about 10^12 bytes; before the bound the process
    // aborted with a failed allocation of 2.4 GB.
    // Every type's sample has spaces.
    let rule = json!({"from": " ", "to": " ".repeat(100)});
    let rules: Vec<Value> = vec![rule; 6];
    let id = app
        .webhook(&rx.url("/h"), &TYPES, json!({"rewrite": rules}))
        .await;
    for kind in TYPES {
        app.test_send(&id, kind).await;
        let got = rx.next(WAIT).await.unwrap_or_else(|| panic!("{kind} send"));
        let content = got.json()["content"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(content.chars().count(), 2000, "{kind}");
        assert!(content.ends_with('…'), "{kind}");
    }
    let health = app
        .http
        .get(format!("{}/xrpc/_health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn rules_over_the_work_budget_fail_the_delivery_with_a_clear_error() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let grow = json!({"from": "a", "to": "a".repeat(100)});
    let mut rules: Vec<Value> = vec![grow; 3];
    // Each copies a full 16 KiB output: about 2,000 of them spend the budget.
    rules.extend(std::iter::repeat_n(json!({"from": "b", "to": "c"}), 2600));
    let id = app
        .webhook(&rx.url("/h"), &["chat"], json!({"rewrite": rules}))
        .await;
    app.push_chat("a").await;
    let d = app.settled(&id, 1).await;
    assert_eq!(d["status"], "failed", "{d}");
    let error = d["attempts"][0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("rewrite rules need more than"),
        "the attempt says why: {error}"
    );
    assert!(rx.next(Duration::from_millis(300)).await.is_none());
    app.stop().await;
}
