//! Standard Webhooks signatures on real deliveries, checked by placehook's verifier and
//! by the official `standardwebhooks` package (PyPI), and secret rotation with overlap.

use crate::receiver::{Received, Receiver};
use crate::support::spawn_app;
use placehook::clock::Clock;
use placehook::signing::{secret_key, verify};
use serde_json::json;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

fn verifies(secret: &str, got: &Received, now: i64) -> bool {
    verify(
        &secret_key(secret).unwrap(),
        got.header("webhook-id"),
        got.header("webhook-timestamp"),
        got.header("webhook-signature"),
        &got.body,
        now,
    )
    .is_ok()
}

/// Verdicts of the official library for (secret, delivery) pairs; `None` without python.
fn independent(cases: &[(&str, &Received)]) -> Option<Vec<bool>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("tools/swh/.venv/bin/python");
    if !python.exists() {
        if Command::new("python3").arg("--version").output().is_err() {
            println!("skipped independent check: python3 not found");
            return None;
        }
        panic!(
            "{} missing: run `bash tools/test.sh` to install standardwebhooks",
            python.display()
        );
    }
    let mut child = Command::new(python)
        .arg(root.join("tools/swh/verify.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = String::new();
    for (secret, got) in cases {
        let headers: serde_json::Map<String, serde_json::Value> = got
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        let line = json!({"secret": secret, "headers": headers, "body": String::from_utf8(got.body.clone()).unwrap()});
        input.push_str(&format!("{line}\n"));
    }
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| l == "ok")
            .collect(),
    )
}

#[tokio::test]
async fn rotation_keeps_the_old_secret_signing_through_the_overlap() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    let (status, first) = app
        .post("dev.placehook.rotateSecret", &app.token, &json!({"id": id}))
        .await;
    assert_eq!(status, 200, "{first}");
    let old = first["secret"].as_str().unwrap().to_string();
    assert!(old.starts_with("whsec_"));
    assert!(first.get("previousExpiresAt").is_none());

    app.push_chat("signed").await;
    let a = rx.next(WAIT).await.unwrap();
    assert!(a.header("webhook-id").unwrap().starts_with("msg_"));
    let now = || app.clock.now().unix_timestamp();
    assert!(verifies(&old, &a, now()));

    let (_, second) = app
        .post(
            "dev.placehook.rotateSecret",
            &app.token,
            &json!({"id": id, "overlapSeconds": 60}),
        )
        .await;
    let new = second["secret"].as_str().unwrap().to_string();
    assert!(second["previousExpiresAt"].is_string());
    app.push_chat("both").await;
    let b = rx.next(WAIT).await.unwrap();
    assert_eq!(b.header("webhook-signature").unwrap().split(' ').count(), 2);
    assert!(verifies(&old, &b, now()) && verifies(&new, &b, now()));

    app.advance(Duration::from_secs(61)).await;
    app.push_chat("new only").await;
    let c = rx.next(WAIT).await.unwrap();
    assert_eq!(c.header("webhook-signature").unwrap().split(' ').count(), 1);
    assert!(verifies(&new, &c, now()) && !verifies(&old, &c, now()));

    if let Some(v) = independent(&[(&old, &a), (&old, &b), (&new, &b), (&new, &c), (&old, &c)]) {
        assert_eq!(
            v,
            vec![true, true, true, true, false],
            "standardwebhooks verdicts"
        );
    }
    // Another owner cannot rotate it.
    let other = app
        .store
        .create_token("did:web:other.example", false, None)
        .await
        .unwrap()
        .1;
    let (status, out) = app
        .post("dev.placehook.rotateSecret", &other, &json!({"id": id}))
        .await;
    assert_eq!(
        (status.as_u16(), out["error"].as_str()),
        (404, Some("WebhookNotFound"))
    );
    app.stop().await;
}
