//! One owner can never read, change, list or delete another's webhooks, and cannot
//! tell a foreign id from a missing one.

use crate::support::spawn_app;
use serde_json::json;

#[tokio::test]
async fn owners_are_isolated() {
    let app = spawn_app().await;
    let (_, alice) = app.account("alice").await;
    let (_, mallory) = app.account("mallory").await;
    let w = app
        .create(
            &alice,
            json!({"url": "http://127.0.0.1:9/a", "events": ["chat"], "active": true}),
        )
        .await;
    let id = w["id"].as_str().unwrap();

    let foreign = app
        .get(
            "place.stream.server.getWebhook",
            Some(&mallory),
            &[("id", id)],
        )
        .await;
    let missing = app
        .get(
            "place.stream.server.getWebhook",
            Some(&mallory),
            &[("id", "no-such-id")],
        )
        .await;
    assert_eq!(foreign.0, 404);
    assert_eq!(foreign, missing, "foreign and missing ids answer the same");

    for (nsid, body) in [
        (
            "place.stream.server.updateWebhook",
            json!({"id": id, "prefix": "pwned"}),
        ),
        ("place.stream.server.deleteWebhook", json!({"id": id})),
    ] {
        let got = app.post(nsid, Some(&mallory), &body).await;
        let miss = app
            .post(
                nsid,
                Some(&mallory),
                &json!({"id": "no-such-id", "prefix": "x"}),
            )
            .await;
        assert_eq!(got.0, 404, "{nsid}: {}", got.1);
        assert_eq!(got, miss, "{nsid}");
    }
    let (_, list) = app
        .get("place.stream.server.listWebhooks", Some(&mallory), &[])
        .await;
    assert_eq!(list["webhooks"], json!([]));

    // Alice's webhook is untouched.
    let (_, mine) = app
        .get(
            "place.stream.server.getWebhook",
            Some(&alice),
            &[("id", id)],
        )
        .await;
    assert_eq!(mine["webhook"], w);
    app.stop().await;
}
