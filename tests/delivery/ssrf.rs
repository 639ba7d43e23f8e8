//! The delivery-time SSRF guard: with private targets not allowed, a webhook whose URL
//! is (or resolves to) a non-public address is never connected to.

use crate::support::{spawn_app_with, test_config};
use placehook::lexicon::place::stream::server::create_webhook;
use std::time::Duration;

#[tokio::test]
async fn private_loopback_and_link_local_targets_are_refused_at_send_time() {
    let app = spawn_app_with(|c| {
        test_config(c);
        c.allow_private_targets = false;
    })
    .await;
    let targets = [
        "http://127.0.0.1:9/h",
        "http://10.0.0.1/h",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:9/h",
        "http://localhost:9/h",
        "http://[2002:7f00:1::]:9/h",
    ];
    let mut ids = Vec::new();
    for (i, url) in targets.iter().enumerate() {
        // Stored directly: the API would refuse these URLs with InvalidUrl before any
        // delivery; this checks the second line of defence.
        let input: create_webhook::Input = serde_json::from_value(serde_json::json!({
            "url": url, "events": ["chat"], "active": true, "name": format!("t{i}")
        }))
        .unwrap();
        let w = app
            .store
            .create_webhook(&app.owner, &placehook::api::wire::settings(&input), url, 50)
            .await
            .unwrap();
        ids.push(w.id);
    }
    app.push_chat("hello").await;
    for (id, url) in ids.iter().zip(targets) {
        let d = app.settled(id, 1).await;
        let err = d["attempts"][0]["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            err.contains("not public") || err.contains("no public address"),
            "{url}: {err}"
        );
        assert!(d["attempts"][0].get("statusCode").is_none(), "{url}");
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    app.stop().await;
}
