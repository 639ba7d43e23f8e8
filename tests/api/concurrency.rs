//! Concurrent creates at the limit and with the same URL: the checks hold under races.

use crate::support::spawn_app_with;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_never_exceed_the_limit_or_duplicate() {
    let app = spawn_app_with(|c| {
        c.allow_private_targets = true;
        c.max_webhooks_per_owner = 10;
    })
    .await;
    let (did, tok) = app.account("racer").await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let http = app.http.clone();
        let url = format!("{}/xrpc/place.stream.server.createWebhook", app.base);
        let tok = tok.clone();
        // Half of the requests share one URL: at most one of those may win.
        let target = if i % 2 == 0 {
            "http://127.0.0.1:9/same".to_string()
        } else {
            format!("http://127.0.0.1:9/{i}")
        };
        tasks.push(tokio::spawn(async move {
            let res = http
                .post(url)
                .bearer_auth(tok)
                .json(&json!({"url": target, "events": ["chat"]}))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let body: serde_json::Value = res.json().await.unwrap();
            (status, body)
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            200 => ok += 1,
            400 => assert!(
                matches!(
                    body["error"].as_str(),
                    Some("TooManyWebhooks" | "DuplicateWebhook")
                ),
                "{body}"
            ),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    let (rows, _) = app
        .store
        .list_webhooks(&did, 100, None, None, None)
        .await
        .unwrap();
    assert_eq!(rows.len(), ok);
    assert_eq!(ok, 10, "exactly the limit is reached");
    let same = rows
        .iter()
        .filter(|w| w.settings.url == "http://127.0.0.1:9/same")
        .count();
    assert!(same <= 1, "{same} duplicates slipped through");
    app.stop().await;
}
