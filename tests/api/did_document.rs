//! `GET /.well-known/did.json` and what `describeServer` says about the service's
//! identity: the DID document PDSes read to proxy calls here.

use crate::support::{spawn_app, spawn_app_on, spawn_app_with};
use placehook::did::{DidResolver, DidResolverConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn did_json(base: &str) -> (StatusCode, Value) {
    let res = reqwest::get(format!("{base}/.well-known/did.json"))
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(
        res.headers()["content-type"],
        "application/json",
        "{status}"
    );
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn a_did_web_of_the_listen_address_is_served_and_resolves() {
    // No --public-url: it is derived from the address the server listens on.
    let app = spawn_app_on(|c, addr| {
        c.service_did = format!("did:web:127.0.0.1%3A{}", addr.port());
    })
    .await;
    let did = format!("did:web:127.0.0.1%3A{}", app.addr.port());
    let (status, doc) = did_json(&app.base).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(doc["id"], did.as_str());
    assert_eq!(
        doc["service"],
        json!([
            {"id": "#placehook", "type": "PlacehookService", "serviceEndpoint": app.base},
            {"id": "#streamplace", "type": "StreamplaceServer", "serviceEndpoint": app.base},
        ])
    );

    // placehook's own did:web resolver (the code that resolves callers) reads it back.
    let resolver = DidResolver::new(DidResolverConfig {
        allow_insecure_did_web_loopback: true,
        ..DidResolverConfig::default()
    })
    .unwrap();
    let resolved = resolver.resolve(&did).await.unwrap();
    for (id, kind) in [
        ("placehook", "PlacehookService"),
        ("streamplace", "StreamplaceServer"),
    ] {
        assert_eq!(
            resolved.service_endpoint(id, kind),
            Some(app.base.as_str()),
            "#{id}"
        );
    }
}

#[tokio::test]
async fn the_public_url_is_the_service_endpoint() {
    // Behind a TLS proxy: the document names the public URL, not the listen address.
    let app = spawn_app_with(|c| {
        c.service_did = "did:web:hooks.example".into();
        c.public_url = Some("https://hooks.example/".parse().unwrap());
    })
    .await;
    let (status, doc) = did_json(&app.base).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(doc["id"], "did:web:hooks.example");
    for service in doc["service"].as_array().unwrap() {
        assert_eq!(service["serviceEndpoint"], "https://hooks.example");
    }
}

#[tokio::test]
async fn a_did_that_is_not_a_did_web_of_the_public_url_gets_404() {
    for (did, public_url) in [
        // The defaults: did:web:localhost and http://127.0.0.1:<port>.
        ("did:web:localhost", None),
        ("did:web:hooks.example", Some("https://other.example")),
        (
            "did:web:hooks.example%3A8443",
            Some("https://hooks.example"),
        ),
        (
            "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
            Some("https://hooks.example"),
        ),
    ] {
        let app = spawn_app_with(|c| {
            c.service_did = did.into();
            c.public_url = public_url.map(|u| u.parse().unwrap());
        })
        .await;
        let (status, body) = did_json(&app.base).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{did}: {body}");
        assert_eq!(body["error"], "NotFound", "{did}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("not a did:web of its public URL"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn describe_server_names_the_service_did_and_its_service_ids() {
    let app = spawn_app_with(|c| c.service_did = "did:web:hooks.example".into()).await;
    let (status, body) = app.get("dev.placehook.describeServer", None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["did"], "did:web:hooks.example");
    assert_eq!(body["serviceIds"], json!(["#placehook", "#streamplace"]));
    // The same without a matching public URL: the ids are what tokens may name in aud.
    let app = spawn_app().await;
    let (_, body) = app.get("dev.placehook.describeServer", None, &[]).await;
    assert_eq!(body["did"], "did:web:localhost");
    assert_eq!(body["serviceIds"], json!(["#placehook", "#streamplace"]));
}
