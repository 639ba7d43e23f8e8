//! Hostile input never yields a 5xx, a panic, or a half-written row.

use crate::support::{read, spawn_app, App};
use reqwest::Method;
use serde_json::json;

const CREATE: &str = "/xrpc/place.stream.server.createWebhook";

async fn post_raw(
    app: &App,
    tok: &str,
    ct: Option<&str>,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let mut req = app.raw(Method::POST, CREATE).bearer_auth(tok).body(body);
    if let Some(ct) = ct {
        req = req.header("Content-Type", ct);
    }
    let (s, b) = read(req.send().await.unwrap()).await;
    (s.as_u16(), b)
}

#[tokio::test]
async fn malformed_bodies_are_400s_that_change_nothing() {
    let app = spawn_app().await;
    let (did, tok) = app.account("hostile").await;
    let json_ct = Some("application/json");
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_obj = format!(
        "{{\"url\":\"http://127.0.0.1:9/x\",\"events\":[\"chat\"],\"x\":{}{}}}",
        "{\"a\":".repeat(5_000),
        "}".repeat(5_000)
    );
    let cases: Vec<(&str, Option<&str>, Vec<u8>, u16)> = vec![
        ("truncated json", json_ct, b"{\"url\":".to_vec(), 400),
        ("not json", json_ct, b"hello".to_vec(), 400),
        ("empty body", json_ct, Vec::new(), 400),
        ("array", json_ct, b"[]".to_vec(), 400),
        ("null", json_ct, b"null".to_vec(), 400),
        (
            "invalid utf-8",
            json_ct,
            b"{\"url\":\"http://127.0.0.1:9/\xff\",\"events\":[\"chat\"]}".to_vec(),
            400,
        ),
        (
            "lone surrogate",
            json_ct,
            br#"{"url":"http://127.0.0.1:9/x","events":["chat"],"prefix":"\ud800"}"#.to_vec(),
            400,
        ),
        (
            "wrong type",
            json_ct,
            br#"{"url":5,"events":"chat"}"#.to_vec(),
            400,
        ),
        ("deep array", json_ct, deep.into_bytes(), 400),
        ("deep object", json_ct, deep_obj.into_bytes(), 400),
        (
            "no content type",
            None,
            br#"{"url":"http://127.0.0.1:9/x","events":["chat"]}"#.to_vec(),
            400,
        ),
        (
            "text/plain",
            Some("text/plain"),
            br#"{"url":"http://127.0.0.1:9/x","events":["chat"]}"#.to_vec(),
            400,
        ),
        ("huge", json_ct, vec![b' '; 2 * 1024 * 1024], 413),
        (
            "integer overflow",
            json_ct,
            br#"{"url":"http://127.0.0.1:9/x","events":["chat"],"active":1e999}"#.to_vec(),
            400,
        ),
    ];
    for (what, ct, body, want) in cases {
        let (status, body) = post_raw(&app, &tok, ct, body).await;
        assert_eq!(status, want, "{what}: {body}");
        assert!(
            body["error"].is_string() && body["message"].is_string(),
            "{what}: {body}"
        );
    }
    let (rows, _) = app
        .store
        .list_webhooks(&did, 100, None, None, None)
        .await
        .unwrap();
    assert!(rows.is_empty(), "nothing was written");
    app.stop().await;
}

#[tokio::test]
async fn unknown_fields_are_accepted_and_do_not_break_anything() {
    let app = spawn_app().await;
    let (_, tok) = app.account("extra").await;
    let (status, body) = post_raw(
        &app,
        &tok,
        Some("application/json; charset=utf-8"),
        serde_json::to_vec(&json!({"url": "http://127.0.0.1:9/x", "events": ["chat"],
                                   "futureField": {"nested": [1, 2, 3]}}))
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn hostile_query_strings_are_400s() {
    let app = spawn_app().await;
    let (_, tok) = app.account("q").await;
    for q in [
        "limit=1&limit=2",
        "limit=%FF",
        "active=TRUE",
        "active=1",
        "limit=99999999999999999999999",
        "limit=-1",
        "limit=2.0",
        "event=chat&event=follow",
        "cursor=%00%01",
    ] {
        let res = app
            .raw(
                Method::GET,
                &format!("/xrpc/place.stream.server.listWebhooks?{q}"),
            )
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        let (status, body) = read(res).await;
        assert_eq!(status.as_u16(), 400, "{q}: {body}");
        assert!(body["error"].is_string(), "{q}: {body}");
    }
    let long_id = "x".repeat(20_000);
    let res = app
        .raw(
            Method::GET,
            &format!("/xrpc/place.stream.server.getWebhook?id={long_id}"),
        )
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    app.stop().await;
}
