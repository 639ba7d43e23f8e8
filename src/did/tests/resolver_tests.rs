//! DID resolution: methods, documents, caching, coalescing, limits.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use super::fake_host::{random_plc_did, FakeHost};
use crate::auth::keys::PublicKey;
use crate::auth::testing::{Alg, SigningKey};
use crate::did::{DidDocument, DidError, DidResolver, DidResolverConfig};

#[tokio::test]
async fn resolves_plc_document_with_handle_pds_and_key() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let resolver = host.resolver();
    let doc = resolver.resolve(&account.did).await.unwrap();
    assert_eq!(doc.id, account.did);
    assert_eq!(doc.handle(), Some("alice.test"));
    assert_eq!(doc.pds(), Some("https://pds.example.com"));
    assert_eq!(doc.atproto_key().unwrap(), Some(account.key.public_key()));
}

#[tokio::test]
async fn resolves_did_web_on_loopback_only_when_allowed() {
    let host = FakeHost::start().await;
    let did = host.web_did();
    let key = SigningKey::generate(Alg::Es256);
    host.set_doc(
        &did,
        &crate::auth::testing::did_document(&did, &key.public_key(), "w.test", "https://p.test"),
    );
    let doc = host.resolver().resolve(&did).await.unwrap();
    assert_eq!(doc.handle(), Some("w.test"));

    let strict = DidResolver::new(DidResolverConfig {
        allow_insecure_did_web_loopback: false,
        ..host.resolver_config()
    })
    .unwrap();
    let err = strict.resolve(&did).await.unwrap_err();
    assert!(matches!(err, DidError::UnsupportedMethod(_)), "{err}");
    assert_eq!(host.hits(&did), 1, "strict resolver made no request");
}

#[tokio::test]
async fn rejects_unsupported_and_invalid_dids_without_network() {
    let resolver = DidResolver::new(DidResolverConfig::default()).unwrap();
    let cases = [
        ("did:example:abc", "unsupported"),
        ("did:web:example.com:user:alice", "unsupported"),
        ("did:web:10.0.0.1", "unsupported"),
        ("did:plc:tooshort", "invalid"),
        ("did:plc:abcdefghijklmnopqrstuvw1", "invalid"),
        ("did:web:exa_mple.com", "invalid"),
        ("did:web:example.com%2Fpath", "invalid"),
        ("did:web:example.com%3A99999999", "invalid"),
        ("not-a-did", "invalid"),
    ];
    for (did, kind) in cases {
        let err = resolver.resolve(did).await.unwrap_err();
        let ok = match kind {
            "unsupported" => matches!(err, DidError::UnsupportedMethod(_)),
            _ => matches!(err, DidError::InvalidDid(_)),
        };
        assert!(ok, "{did}: {err}");
    }
}

#[tokio::test]
async fn not_found_malformed_mismatched_and_oversized_documents() {
    let host = FakeHost::start().await;
    let resolver = DidResolver::new(DidResolverConfig {
        max_document_bytes: 4096,
        ..host.resolver_config()
    })
    .unwrap();
    let did = random_plc_did();
    let path = format!("/{did}");
    assert_eq!(
        resolver.resolve(&did).await.unwrap_err(),
        DidError::NotFound(did.clone())
    );

    host.set_raw(&path, StatusCode::GONE, "tombstoned");
    assert!(matches!(
        resolver.resolve(&did).await,
        Err(DidError::NotFound(_))
    ));

    for body in [
        "not json",
        "[]",
        "{\"id\": 5}",
        "{\"id\":\"x\",\"alsoKnownAs\":[1]}",
    ] {
        host.set_raw(&path, StatusCode::OK, body);
        let err = resolver.resolve(&did).await.unwrap_err();
        assert!(matches!(err, DidError::Malformed { .. }), "{body}: {err}");
    }

    let other = json!({"id": random_plc_did()});
    host.set_raw(&path, StatusCode::OK, &other.to_string());
    let err = resolver.resolve(&did).await.unwrap_err();
    assert!(
        err.to_string().contains("does not match the resolved did"),
        "{err}"
    );

    let huge = json!({"id": did, "alsoKnownAs": [ "x".repeat(10_000) ]});
    host.set_raw(&path, StatusCode::OK, &huge.to_string());
    let err = resolver.resolve(&did).await.unwrap_err();
    assert!(
        matches!(err, DidError::TooLarge { limit: 4096, .. }),
        "{err}"
    );

    host.set_raw(&path, StatusCode::INTERNAL_SERVER_ERROR, "oops");
    let err = resolver.resolve(&did).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
}

#[tokio::test]
async fn caches_and_refreshes() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256);
    let resolver = host.resolver();
    resolver.resolve(&account.did).await.unwrap();
    resolver.resolve(&account.did).await.unwrap();
    assert_eq!(host.hits(&account.did), 1);
    resolver.resolve_fresh(&account.did).await.unwrap();
    assert_eq!(host.hits(&account.did), 2);
    resolver.invalidate(&account.did);
    resolver.resolve(&account.did).await.unwrap();
    assert_eq!(host.hits(&account.did), 3);
}

#[tokio::test]
async fn serves_stale_document_only_on_transient_failure() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let resolver = DidResolver::new(DidResolverConfig {
        cache_ttl: Duration::ZERO,
        ..host.resolver_config()
    })
    .unwrap();
    resolver.resolve(&account.did).await.unwrap();
    host.set_raw(
        &format!("/{}", account.did),
        StatusCode::BAD_GATEWAY,
        "down",
    );
    // Stale copy used while the directory is down...
    resolver.resolve(&account.did).await.unwrap();
    // ...but never for a forced refresh.
    assert!(resolver
        .resolve_fresh(&account.did)
        .await
        .unwrap_err()
        .is_transient());
    // A definite 404 is not papered over.
    host.set_raw(&format!("/{}", account.did), StatusCode::NOT_FOUND, "");
    assert!(matches!(
        resolver.resolve(&account.did).await,
        Err(DidError::NotFound(_))
    ));
}

#[tokio::test]
async fn coalesces_concurrent_lookups() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    host.set_delay(Duration::from_millis(200));
    let resolver = host.resolver();
    let lookups = (0..16).map(|i| {
        let resolver = Arc::clone(&resolver);
        let did = account.did.clone();
        async move {
            if i % 2 == 0 {
                resolver.resolve(&did).await
            } else {
                resolver.resolve_fresh(&did).await
            }
        }
    });
    let results = futures_util::future::join_all(lookups).await;
    assert!(results.iter().all(|r| r.is_ok()));
    assert_eq!(host.hits(&account.did), 1);
}

#[tokio::test]
async fn cancelled_lookup_does_not_wedge_the_did() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    host.set_delay(Duration::from_millis(300));
    let resolver = host.resolver();
    let cancelled =
        tokio::time::timeout(Duration::from_millis(50), resolver.resolve(&account.did)).await;
    assert!(cancelled.is_err());
    host.set_delay(Duration::ZERO);
    resolver.resolve(&account.did).await.unwrap();
}

#[tokio::test]
async fn times_out() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    host.set_delay(Duration::from_secs(3));
    let resolver = DidResolver::new(DidResolverConfig {
        timeout: Duration::from_millis(200),
        ..host.resolver_config()
    })
    .unwrap();
    let started = std::time::Instant::now();
    let err = resolver.resolve(&account.did).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn legacy_key_types_and_relative_ids() {
    for alg in [Alg::Es256k, Alg::Es256] {
        let key = SigningKey::generate(alg);
        let pk = key.public_key();
        let (method_type, uncompressed) = match &pk {
            PublicKey::Secp256k1(k) => (
                "EcdsaSecp256k1VerificationKey2019",
                k.to_encoded_point(false).as_bytes().to_vec(),
            ),
            PublicKey::P256(k) => (
                "EcdsaSecp256r1VerificationKey2019",
                k.to_encoded_point(false).as_bytes().to_vec(),
            ),
        };
        for raw in [uncompressed, pk.to_compressed()] {
            let did = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
            let doc = json!({
                "id": did,
                "verificationMethod": [
                    {"id": "#other", "type": "Multikey", "controller": did, "publicKeyMultibase": "zbad"},
                    {"id": "#atproto", "type": method_type, "controller": did,
                     "publicKeyMultibase": format!("z{}", bs58::encode(&raw).into_string())},
                ],
            });
            let doc = DidDocument::parse(did, doc.to_string().as_bytes()).unwrap();
            assert_eq!(doc.atproto_key().unwrap(), Some(pk.clone()));
            assert_eq!(doc.handle(), None);
            assert_eq!(doc.pds(), None);
        }
    }
}

#[test]
fn service_and_key_lookup_rules() {
    let did = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
    let doc = json!({
        "id": did,
        "alsoKnownAs": ["https://example.com", "at://first.test", "at://second.test"],
        "verificationMethod": [
            {"id": "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb#atproto", "type": "Multikey", "controller": did,
             "publicKeyMultibase": SigningKey::generate(Alg::Es256k).multikey()},
            {"id": "#atproto", "type": "JsonWebKey2020", "controller": did, "publicKeyMultibase": "z"},
        ],
        "service": [
            {"id": "#atproto_pds", "type": "SomethingElse", "serviceEndpoint": "https://a.test"},
        ],
    });
    let doc = DidDocument::parse(did, doc.to_string().as_bytes()).unwrap();
    assert_eq!(doc.handle(), Some("first.test"));
    assert_eq!(doc.pds(), None, "wrong service type");
    // Another DID's #atproto is ignored; the relative one has an unusable type.
    assert!(doc.atproto_key().is_err());
    let with_pds = json!({"id": did, "service": [
        {"id": format!("{did}#atproto_pds"), "type": "AtprotoPersonalDataServer", "serviceEndpoint": "ftp://x"},
    ]});
    let doc = DidDocument::parse(did, with_pds.to_string().as_bytes()).unwrap();
    assert_eq!(doc.pds(), None, "non-http endpoint");
}
