//! The five methods and their declared errors, as a Streamplace client meets them.

use crate::support::{assert_xrpc_error, spawn_app, spawn_app_with};
use serde_json::{json, Value};

const CREATE: &str = "place.stream.server.createWebhook";
const GET: &str = "place.stream.server.getWebhook";
const LIST: &str = "place.stream.server.listWebhooks";
const UPDATE: &str = "place.stream.server.updateWebhook";
const DELETE: &str = "place.stream.server.deleteWebhook";

#[tokio::test]
async fn create_get_update_list_delete_round_trip() {
    let app = spawn_app().await;
    let (_, tok) = app.account("alice").await;
    let created = app
        .create(
            &tok,
            json!({"url": "http://127.0.0.1:9/hook", "events": ["chat", "livestream"],
                   "prefix": "[S] ", "rewrite": [{"from": "a", "to": "b"}],
                   "name": "discord", "muteWords": ["spoiler"]}),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_string();
    // The lexicon's default, not Streamplace's "true".
    assert_eq!(created["active"], false);
    assert_eq!(created["events"], json!(["chat", "livestream"]));
    assert_eq!(created["prefix"], "[S] ");
    assert_eq!(created["rewrite"], json!([{"from": "a", "to": "b"}]));
    assert!(created["createdAt"].is_string());

    let (status, got) = app.get(GET, Some(&tok), &[("id", &id)]).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["webhook"], created);

    let (status, upd) = app
        .post(
            UPDATE,
            Some(&tok),
            &json!({"id": id, "suffix": "!", "active": true}),
        )
        .await;
    assert_eq!(status, 200, "{upd}");
    let w = &upd["webhook"];
    assert_eq!(
        (w["suffix"].as_str(), w["active"].as_bool()),
        (Some("!"), Some(true))
    );
    assert_eq!(w["prefix"], "[S] ", "absent fields stay as they were");
    assert_eq!(w["name"], "discord");
    assert!(w["updatedAt"].is_string());

    let (status, list) = app.get(LIST, Some(&tok), &[]).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["webhooks"].as_array().unwrap().len(), 1);
    assert!(list.get("cursor").is_none());

    let (status, del) = app.post(DELETE, Some(&tok), &json!({"id": id})).await;
    assert_eq!((status.as_u16(), &del), (200, &json!({"success": true})));
    assert_xrpc_error(
        &app.get(GET, Some(&tok), &[("id", &id)]).await,
        404,
        "WebhookNotFound",
    );
    assert_xrpc_error(
        &app.post(DELETE, Some(&tok), &json!({"id": id})).await,
        404,
        "WebhookNotFound",
    );
    app.stop().await;
}

#[tokio::test]
async fn update_clears_with_empty_values_and_keeps_absent_ones() {
    let app = spawn_app().await;
    let (_, tok) = app.account("bob").await;
    let w = app
        .create(
            &tok,
            json!({"url": "http://127.0.0.1:9/a", "events": ["chat"], "prefix": "p",
                   "suffix": "s", "muteWords": ["x"], "rewrite": [{"from": "a", "to": ""}],
                   "description": "d"}),
        )
        .await;
    let (status, out) = app
        .post(
            UPDATE,
            Some(&tok),
            &json!({"id": w["id"], "prefix": "", "muteWords": [], "rewrite": []}),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    let u = &out["webhook"];
    for cleared in ["prefix", "muteWords", "rewrite"] {
        let v = u.get(cleared).cloned().unwrap_or(Value::Null);
        assert!(
            v.is_null() || v == json!("") || v == json!([]),
            "{cleared} should be cleared: {u}"
        );
    }
    assert_eq!(u["suffix"], "s");
    assert_eq!(u["description"], "d");
    assert_eq!(u["events"], json!(["chat"]));
    assert_eq!(u["url"], "http://127.0.0.1:9/a");
    app.stop().await;
}

#[tokio::test]
async fn invalid_url_is_the_declared_error() {
    let app = spawn_app_with(|_| {}).await; // private targets refused
    let (_, tok) = app.account("carol").await;
    for url in [
        "ftp://example.com/x",
        "https://user:pw@example.com/hook",
        "http://127.0.0.1:9/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest",
        "http://[::1]/hook",
        "http://localhost/hook",
        // 127.0.0.1 inside 6to4, Teredo and local-use NAT64 addresses.
        "http://[2002:7f00:1::]/",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
        "http://[64:ff9b:1::7f00:1]/",
        "https://discord.com:0/api/webhooks/1/x",
    ] {
        let got = app
            .post(CREATE, Some(&tok), &json!({"url": url, "events": ["chat"]}))
            .await;
        assert_xrpc_error(&got, 400, "InvalidUrl");
    }
    let w = app
        .store
        .list_webhooks("did:web:carol.example", 10, None, None, None)
        .await
        .unwrap();
    assert!(w.0.is_empty(), "a refused create writes nothing");
    // update checks the URL the same way
    let app2 = spawn_app().await;
    let (_, tok2) = app2.account("carol").await;
    let w = app2
        .create(
            &tok2,
            json!({"url": "http://127.0.0.1:9/x", "events": ["chat"]}),
        )
        .await;
    let got = app2
        .post(
            UPDATE,
            Some(&tok2),
            &json!({"id": w["id"], "url": "gopher://x.example/"}),
        )
        .await;
    assert_xrpc_error(&got, 400, "InvalidUrl");
    app.stop().await;
    app2.stop().await;
}

#[tokio::test]
async fn duplicates_need_the_same_normalised_url_and_a_shared_event() {
    let app = spawn_app().await;
    let (_, tok) = app.account("dave").await;
    app.create(
        &tok,
        json!({"url": "http://127.0.0.1:9/hook", "events": ["chat", "follow"]}),
    )
    .await;
    let dup = app
        .post(
            CREATE,
            Some(&tok),
            &json!({"url": "HTTP://127.0.0.1:9/hook#x", "events": ["follow"]}),
        )
        .await;
    assert_xrpc_error(&dup, 400, "DuplicateWebhook");
    // Same URL, disjoint events: allowed.
    let other = app
        .create(
            &tok,
            json!({"url": "http://127.0.0.1:9/hook", "events": ["livestream"]}),
        )
        .await;
    // Updating into a duplicate is refused too.
    let got = app
        .post(
            UPDATE,
            Some(&tok),
            &json!({"id": other["id"], "events": ["chat"]}),
        )
        .await;
    assert_xrpc_error(&got, 400, "DuplicateWebhook");
    // Another owner may register the same URL.
    let (_, tok2) = app.account("erin").await;
    app.create(
        &tok2,
        json!({"url": "http://127.0.0.1:9/hook", "events": ["chat"]}),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn too_many_webhooks_names_the_limit() {
    let app = spawn_app_with(|c| {
        c.allow_private_targets = true;
        c.max_webhooks_per_owner = 3;
    })
    .await;
    let (_, tok) = app.account("frank").await;
    for i in 0..3 {
        app.create(
            &tok,
            json!({"url": format!("http://127.0.0.1:9/{i}"), "events": ["chat"]}),
        )
        .await;
    }
    let got = app
        .post(
            CREATE,
            Some(&tok),
            &json!({"url": "http://127.0.0.1:9/x", "events": ["chat"]}),
        )
        .await;
    assert_xrpc_error(&got, 400, "TooManyWebhooks");
    assert!(
        got.1["message"].as_str().unwrap().contains('3'),
        "{}",
        got.1
    );
    // Deleting one frees a slot.
    let (_, list) = app.get(LIST, Some(&tok), &[]).await;
    let id = list["webhooks"][0]["id"].clone();
    app.post(DELETE, Some(&tok), &json!({"id": id})).await;
    app.create(
        &tok,
        json!({"url": "http://127.0.0.1:9/x", "events": ["chat"]}),
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn invalid_cursor_is_the_declared_error() {
    let app = spawn_app().await;
    let (_, tok) = app.account("gina").await;
    for cursor in ["garbage", "", "AAAA", "x.y.z"] {
        let got = app.get(LIST, Some(&tok), &[("cursor", cursor)]).await;
        if cursor.is_empty() && got.0 == 200 {
            continue; // an empty cursor reads as "first page"
        }
        assert_xrpc_error(&got, 400, "InvalidCursor");
    }
    app.stop().await;
}

#[tokio::test]
async fn validation_failures_name_the_field_and_the_constraint() {
    let app = spawn_app().await;
    let (_, tok) = app.account("hal").await;
    let base = json!({"url": "http://127.0.0.1:9/hook", "events": ["chat"]});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        (with("prefix", json!("é".repeat(51))), "prefix"), // 102 bytes, 51 chars
        (with("suffix", json!("a".repeat(101))), "suffix"),
        (with("name", json!("a".repeat(101))), "name"),
        (with("description", json!("a".repeat(501))), "description"),
        (with("events", json!(["chat", "nope"])), "events"),
        (with("url", json!("not a uri")), "url"),
        (with("active", json!("yes")), "active"),
        (with("rewrite", json!([{"from": "", "to": "x"}])), "rewrite"),
        (
            with("rewrite", json!([{"from": "a".repeat(101), "to": "x"}])),
            "rewrite",
        ),
        (with("muteWords", json!(["a".repeat(101)])), "muteWords"),
        (json!({"events": ["chat"]}), "url"),
    ];
    for (body, field) in cases {
        let got = app.post(CREATE, Some(&tok), &body).await;
        assert_xrpc_error(&got, 400, "InvalidRequest");
        let msg = got.1["message"].as_str().unwrap();
        assert!(msg.contains(field), "{field}: {msg}");
    }
    // Exactly at the bound is fine: 100 bytes of 2-byte chars.
    app.create(&tok, with("prefix", json!("é".repeat(50))))
        .await;
    // Params are validated too.
    for q in [
        [("limit", "0")],
        [("limit", "101")],
        [("limit", "x")],
        [("event", "stream.nope")],
    ] {
        let got = app.get(LIST, Some(&tok), &q).await;
        assert_xrpc_error(&got, 400, "InvalidRequest");
    }
    let got = app.get(GET, Some(&tok), &[]).await;
    assert_xrpc_error(&got, 400, "InvalidRequest");
    assert!(
        got.1["message"].as_str().unwrap().contains("id"),
        "{}",
        got.1
    );
    app.stop().await;
}

/// The generated validation checks properties in the lexicon file's order, as the
/// reference does (`url` comes before `events` in createWebhook.json), and says `1 byte`.
#[tokio::test]
async fn validation_messages_follow_the_lexicon_order() {
    let app = spawn_app().await;
    let (_, tok) = app.account("ivy").await;
    let cases = [
        (json!({}), r#"$: must have the property "url""#),
        (
            json!({"url": "http://127.0.0.1:9/hook", "events": ["chat"],
                   "rewrite": [{"from": "", "to": "x"}]}),
            "$.rewrite[0].from: must not be shorter than 1 byte",
        ),
    ];
    for (body, message) in cases {
        let got = app.post(CREATE, Some(&tok), &body).await;
        assert_xrpc_error(&got, 400, "InvalidRequest");
        assert_eq!(got.1["message"], message);
    }
    app.stop().await;
}

#[tokio::test]
async fn routing_errors_are_xrpc_errors() {
    let app = spawn_app().await;
    let (_, tok) = app.account("ivy").await;
    let got = app.get("com.example.nothing", Some(&tok), &[]).await;
    assert_xrpc_error(&got, 501, "MethodNotImplemented");
    let got = app.get(CREATE, Some(&tok), &[]).await;
    assert_xrpc_error(&got, 400, "InvalidRequest");
    let got = app.post(LIST, Some(&tok), &json!({})).await;
    assert_xrpc_error(&got, 400, "InvalidRequest");
    // A wrong method on the health route is an XRPC error too, not a bare 405.
    let got = app.post("_health", None, &json!({})).await;
    assert_xrpc_error(&got, 400, "InvalidRequest");
    let res = app
        .http
        .get(format!("{}/xrpc/_health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body["version"].is_string());
    app.stop().await;
}
