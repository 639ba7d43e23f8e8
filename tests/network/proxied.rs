//! Every webhook and owner method, called by the official `@atproto/api` client through
//! the reference PDS, for both service ids: what alice can do, what bob cannot, what
//! reached the Discord receiver, and what the PDS signed.

use crate::placehook::Placehook;
use crate::receiver::Receiver;
use crate::reference::{self, Network};
use crate::script::{self, Calls, SERVICE_IDS};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_through_the_reference_pds_for_both_service_ids() {
    if !reference::required() {
        return;
    }
    let network = tokio::task::spawn_blocking(Network::start).await.unwrap();
    let placehook = Placehook::start(&network.urls.plc_url).await;
    let unpublished = Placehook::start_without_did_document(&network.urls.plc_url).await;
    let receiver = Receiver::start().await;
    eprintln!(
        "reference network up in {:?}; placehook answering in {:?}",
        network.started_in, placehook.started_in
    );

    let calls = script::run(&network, &placehook, &receiver, &[&unpublished]).await;

    let mut kept = BTreeSet::new();
    for via in SERVICE_IDS {
        kept.insert(check_alice(&calls, via, &placehook, &receiver));
        check_bob(&calls, via);
        check_deliveries(&receiver, via).await;
    }
    receiver.nothing(Duration::from_millis(300)).await;
    let alice = &network.account("alice").did;
    let bob = &network.account("bob").did;
    check_owners(&placehook, alice, bob, &kept).await;
    check_unpublished(&calls, &unpublished);
    check_service_auth_tokens(&placehook, &[alice, bob]);
    check_plc_documents(&network).await;
}

/// alice's round through `#<via>`: every method works on her webhooks. Returns the id of
/// the webhook she keeps.
fn check_alice(calls: &Calls, via: &str, placehook: &Placehook, receiver: &Receiver) -> String {
    let keep = &calls.ok(via, "alice", "create keep")["webhook"];
    let id = keep["id"].as_str().unwrap().to_string();
    assert_eq!(keep["url"], format!("http://{}/{via}/keep", receiver.addr));
    assert_eq!(calls.ok(via, "alice", "get keep")["webhook"]["id"], id);
    let listed = &calls.ok(via, "alice", "list")["webhooks"];
    let ids: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|w| &w["id"])
        .collect();
    assert!(ids.contains(&&json!(id)), "{via}: {listed:#}");
    let updated = &calls.ok(via, "alice", "update keep")["webhook"];
    assert_eq!(updated["suffix"], " (via PDS)");
    let secret = &calls.ok(via, "alice", "rotate secret")["secret"];
    assert!(secret.as_str().unwrap().starts_with("whsec_"), "{secret}");

    let delivery = &calls.ok(via, "alice", "test")["delivery"]["id"];
    let deliveries = &calls.ok(via, "alice", "list deliveries")["deliveries"];
    let made = deliveries
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == *delivery);
    let made = made.unwrap_or_else(|| panic!("{via}: {deliveries:#}"));
    assert_eq!(made["status"], "succeeded", "{via}: {made:#}");
    assert_eq!(
        calls.ok(via, "alice", "redeliver")["delivery"]["id"],
        *delivery
    );

    let described = calls.ok(via, "alice", "describe");
    assert_eq!(described["did"], placehook.did);
    assert_eq!(
        described["serviceIds"],
        json!(["#placehook", "#streamplace"])
    );
    // Only producer API tokens push events; an account through its PDS is not one.
    calls.failed(via, "alice", "push event", 403, "Forbidden");
    assert_eq!(calls.ok(via, "alice", "delete doomed")["success"], true);
    calls.failed(via, "alice", "get doomed", 404, "WebhookNotFound");
    id
}

/// bob's round: he sees none of alice's webhooks, and her ids are missing ones to him.
fn check_bob(calls: &Calls, via: &str) {
    assert_eq!(calls.ok(via, "bob", "list")["webhooks"], json!([]));
    for step in [
        "get keep",
        "update keep",
        "delete doomed",
        "rotate secret",
        "test",
        "list deliveries",
    ] {
        calls.failed(via, "bob", step, 404, "WebhookNotFound");
    }
    calls.failed(via, "bob", "redeliver", 404, "DeliveryNotFound");
}

/// The round's test send and its redelivery reached the receiver, signed (alice rotated
/// a secret in), rendered with her suffix, as one delivery (one `webhook-id`).
async fn check_deliveries(receiver: &Receiver, via: &str) {
    let first = receiver
        .next(Duration::from_secs(10))
        .await
        .expect("test send");
    let again = receiver
        .next(Duration::from_secs(10))
        .await
        .expect("redelivery");
    for got in [&first, &again] {
        assert_eq!(got.path, format!("/{via}/keep"));
        assert!(got.header("webhook-signature").is_some(), "{got:?}");
        let body = got.json();
        let content = body["content"].as_str().unwrap_or_default();
        assert!(content.ends_with(" (via PDS)"), "{via}: {body}");
    }
    assert_eq!(first.header("webhook-id"), again.header("webhook-id"));
}

/// The webhooks made through the PDS belong to alice's DID: an API token of hers (made
/// with `placehook token create`) sees exactly the kept ones, and bob's none.
async fn check_owners(placehook: &Placehook, alice: &str, bob: &str, kept: &BTreeSet<String>) {
    let list = |did: &str| {
        let req = reqwest::Client::new()
            .get(format!(
                "{}/xrpc/place.stream.server.listWebhooks",
                placehook.url
            ))
            .bearer_auth(placehook.api_token(did));
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let mine = list(alice).await;
    let ids: BTreeSet<String> = mine["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(&ids, kept, "{mine:#}");
    assert_eq!(list(bob).await["webhooks"], json!([]));
}

/// A placehook whose did:web is not of its public URL answers did.json with 404, so the
/// PDS cannot find it and says so; nothing reached that placehook's methods.
fn check_unpublished(calls: &Calls, unpublished: &Placehook) {
    calls.failed(&unpublished.did, "alice", "probe", 400, "InvalidRequest");
    let probe = calls.get(&unpublished.did, "alice", "probe");
    assert_eq!(probe["message"], "could not resolve proxy did", "{probe:#}");
    assert!(unpublished.logged("service auth accepted").is_empty());
    let log = unpublished.log_text();
    assert!(log.contains("not serving a DID document"), "{log}");
}

/// What the reference PDS signed: placehook logs each accepted token's claims at debug.
fn check_service_auth_tokens(placehook: &Placehook, callers: &[&str]) {
    let tokens = placehook.logged("service auth accepted");
    let auds: BTreeSet<String> = std::iter::once(placehook.did.clone())
        .chain(
            SERVICE_IDS
                .iter()
                .map(|id| format!("{}#{id}", placehook.did)),
        )
        .collect();
    let mut methods = BTreeSet::new();
    let mut forms = BTreeSet::new();
    for t in &tokens {
        let text = |k: &str| t[k].as_str().unwrap_or_else(|| panic!("{k}: {t}"));
        assert!(callers.contains(&text("iss")), "{t}");
        assert!(auds.contains(text("aud")), "{t}");
        assert!(!text("jti").is_empty(), "{t}");
        assert!(matches!(text("alg"), "ES256K" | "ES256"), "{t}");
        methods.insert(text("lxm").to_string());
        let lifetime = t["exp"].as_f64().unwrap() - t["iat"].as_f64().unwrap();
        let aud = if text("aud") == placehook.did {
            "the bare service DID"
        } else {
            "service DID#id"
        };
        let (alg, typ) = (text("alg"), text("typ"));
        forms.insert(format!(
            "alg {alg}, typ {typ}, aud {aud}, exp - iat = {lifetime} s"
        ));
    }
    let every_method: BTreeSet<String> = [
        "place.stream.server.createWebhook",
        "place.stream.server.getWebhook",
        "place.stream.server.listWebhooks",
        "place.stream.server.updateWebhook",
        "place.stream.server.deleteWebhook",
        "dev.placehook.rotateSecret",
        "dev.placehook.testWebhook",
        "dev.placehook.listDeliveries",
        "dev.placehook.redeliver",
        "dev.placehook.pushEvent",
    ]
    .map(String::from)
    .into();
    assert_eq!(methods, every_method, "lxm of the accepted tokens");
    let n = tokens.len();
    eprintln!("{n} service-auth tokens from the reference PDS: {forms:?}");
    eprintln!(
        "the first one's claims, as placehook logged them: {}",
        tokens[0]
    );
}

/// The accounts are the PLC directory's: handle, PDS and key from their documents there.
async fn check_plc_documents(network: &Network) {
    for name in ["alice", "bob"] {
        let account = network.account(name);
        let url = format!("{}/{}", network.urls.plc_url, account.did);
        let doc: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        assert_eq!(
            doc["alsoKnownAs"],
            json!([format!("at://{}", account.handle)])
        );
        assert_eq!(
            doc["service"][0]["serviceEndpoint"], network.urls.pds_url,
            "{doc:#}"
        );
        // The key placehook checked the PDS's signatures with. This PLC directory
        // (@did-plc/server 0.0.1) still writes the legacy type
        // EcdsaSecp256k1VerificationKey2019 where plc.directory writes Multikey.
        let key = &doc["verificationMethod"][0];
        assert!(key["id"].as_str().unwrap().ends_with("#atproto"), "{doc:#}");
        assert!(key["publicKeyMultibase"].is_string(), "{doc:#}");
    }
}
