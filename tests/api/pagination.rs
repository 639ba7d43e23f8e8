//! listWebhooks across many pages: newest first, full pages under filters, every
//! webhook exactly once.

use crate::support::spawn_app_with;
use serde_json::{json, Value};
use std::collections::HashSet;

const LIST: &str = "place.stream.server.listWebhooks";

#[tokio::test]
async fn pages_are_full_ordered_and_complete_under_every_filter() {
    let app = spawn_app_with(|c| {
        c.allow_private_targets = true;
        c.max_webhooks_per_owner = 500;
    })
    .await;
    let (_, tok) = app.account("pager").await;
    let events = ["chat", "livestream", "follow", "mention", "stream.received"];
    let mut all = Vec::new();
    for i in 0..137 {
        let ev = events[i % events.len()];
        let w = app
            .create(
                &tok,
                json!({"url": format!("http://127.0.0.1:9/{i}"), "events": [ev],
                       "active": i % 3 == 0}),
            )
            .await;
        all.push(w);
    }
    // Another owner's rows must not leak into or disturb the pages.
    let (_, other) = app.account("noise").await;
    for i in 0..20 {
        app.create(
            &other,
            json!({"url": format!("http://127.0.0.1:9/n{i}"), "events": ["chat"], "active": true}),
        )
        .await;
    }
    let filters: Vec<(Option<&str>, Option<bool>)> = vec![
        (None, None),
        (Some("chat"), None),
        (Some("mention"), Some(true)),
        (None, Some(false)),
        (Some("follow"), Some(false)),
    ];
    for (event, active) in filters {
        let expected: Vec<Value> = all
            .iter()
            .rev() // newest first
            .filter(|w| event.is_none_or(|e| w["events"][0] == e))
            .filter(|w| active.is_none_or(|a| w["active"] == a))
            .map(|w| w["id"].clone())
            .collect();
        for limit in [1usize, 7, 50, 100] {
            let mut got = Vec::new();
            let mut cursor: Option<String> = None;
            let mut pages = 0;
            loop {
                let limit_s = limit.to_string();
                let active_s = active.map(|a| a.to_string());
                let mut q: Vec<(&str, &str)> = vec![("limit", &limit_s)];
                if let Some(e) = event {
                    q.push(("event", e));
                }
                if let Some(a) = &active_s {
                    q.push(("active", a));
                }
                if let Some(c) = &cursor {
                    q.push(("cursor", c));
                }
                let (status, page) = app.get(LIST, Some(&tok), &q).await;
                assert_eq!(status, 200, "{page}");
                let ws = page["webhooks"].as_array().unwrap();
                pages += 1;
                got.extend(ws.iter().map(|w| w["id"].clone()));
                match page.get("cursor").and_then(Value::as_str) {
                    Some(c) => {
                        assert_eq!(ws.len(), limit, "every page but the last is full");
                        cursor = Some(c.to_string());
                    }
                    None => break,
                }
                assert!(pages < 1000);
            }
            assert_eq!(
                got, expected,
                "event={event:?} active={active:?} limit={limit}"
            );
            let unique: HashSet<_> = got.iter().map(Value::to_string).collect();
            assert_eq!(unique.len(), got.len());
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_cursor_from_another_query_or_owner_is_refused() {
    let app = spawn_app_with(|c| c.allow_private_targets = true).await;
    let (_, a) = app.account("a").await;
    let (_, b) = app.account("b").await;
    for i in 0..3 {
        app.create(
            &a,
            json!({"url": format!("http://127.0.0.1:9/{i}"), "events": ["chat"]}),
        )
        .await;
    }
    let (_, page) = app.get(LIST, Some(&a), &[("limit", "1")]).await;
    let cursor = page["cursor"].as_str().unwrap().to_string();
    let foreign = app.get(LIST, Some(&b), &[("cursor", &cursor)]).await;
    assert_eq!(
        (foreign.0.as_u16(), foreign.1["error"].as_str()),
        (400, Some("InvalidCursor"))
    );
    let other_filter = app
        .get(LIST, Some(&a), &[("cursor", &cursor), ("event", "follow")])
        .await;
    assert_eq!(
        other_filter.1["error"], "InvalidCursor",
        "{}",
        other_filter.1
    );
    let mut tampered = cursor.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let got = app.get(LIST, Some(&a), &[("cursor", &tampered)]).await;
    assert_eq!(got.1["error"], "InvalidCursor", "{}", got.1);
    app.stop().await;
}
