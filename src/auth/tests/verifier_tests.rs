//! Claim-level acceptance and rejection.

use std::time::Duration;

use serde_json::json;

use super::harness::{now, FakeHost, LXM, SERVICE_DID};
use crate::auth::testing::{mint_jwt_with_header, Alg};
use crate::auth::{bearer_token, AuthError};
use crate::did::DidError;

#[tokio::test]
async fn accepts_valid_tokens_on_both_curves() {
    let host = FakeHost::start().await;
    let verifier = host.verifier();
    for alg in [Alg::Es256k, Alg::Es256] {
        let account = host.account(alg);
        let token = verifier.verify_token(&account.token(), LXM).await.unwrap();
        assert_eq!(token.did, account.did);
        assert_eq!(token.alg, alg);
        assert_eq!(token.service, None);
        assert_eq!(token.lxm, LXM);
    }
}

#[tokio::test]
async fn rejects_expired() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let token = account.token_with(|c| {
        c["iat"] = json!(now() - 180);
        c["exp"] = json!(now() - 120);
    });
    let err = host.verifier().verify(&token, LXM).await.unwrap_err();
    assert!(matches!(err, AuthError::Expired), "{err}");
    assert_eq!(err.to_string(), "jwt expired");
}

#[tokio::test]
async fn clock_skew_allows_just_expired() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    // Issued for 60 s, 65 s ago.
    let just_expired = |c: &mut serde_json::Value| {
        c["iat"] = json!(now() - 65);
        c["exp"] = json!(now() - 5);
    };
    let token = account.token_with(just_expired);
    host.verifier().verify(&token, LXM).await.unwrap();
    let strict = host.verifier().with_clock_skew(Duration::ZERO);
    let token = account.token_with(just_expired);
    assert!(matches!(
        strict.verify(&token, LXM).await,
        Err(AuthError::Expired)
    ));
}

#[tokio::test]
async fn rejects_lifetime_too_long() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256);
    let token = account.token_with(|c| c["exp"] = json!(now() + 2 * 3600));
    let err = host.verifier().verify(&token, LXM).await.unwrap_err();
    assert!(matches!(err, AuthError::LifetimeTooLong), "{err}");
}

#[tokio::test]
async fn rejects_wrong_audience() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let verifier = host.verifier();
    for aud in [
        "did:web:other.test",
        "did:web:hooks.placehook.test.evil",
        "did:web:hooks.placehook.test#",
    ] {
        let token = account.token_with(|c| c["aud"] = json!(aud));
        let err = verifier.verify(&token, LXM).await.unwrap_err();
        assert!(matches!(err, AuthError::BadAudience), "{aud}: {err}");
        assert_eq!(err.to_string(), "jwt audience does not match service did");
    }
}

#[tokio::test]
async fn other_service_ids_replace_placehooks() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let restricted = host
        .verifier()
        .with_service_ids(vec!["other_service".into()]);
    let token = account.token_with(|c| c["aud"] = json!(format!("{SERVICE_DID}#placehook")));
    assert!(matches!(
        restricted.verify(&token, LXM).await,
        Err(AuthError::BadAudience)
    ));
    let aud = format!("{SERVICE_DID}#other_service");
    let token = account.token_with(|c| c["aud"] = json!(aud));
    assert_eq!(restricted.verify_token(&token, LXM).await.unwrap().aud, aud);
}

#[tokio::test]
async fn accepts_audience_with_either_service_id() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let verifier = host.verifier();
    // The bare DID (what the reference PDS signs today) and did#<service id> (newer
    // PDSes, atproto proposal 0014) for both entries of the DID document.
    for aud in [
        SERVICE_DID.to_string(),
        format!("{SERVICE_DID}#placehook"),
        format!("{SERVICE_DID}#streamplace"),
    ] {
        let token = account.token_with(|c| c["aud"] = json!(aud));
        let verified = verifier.verify_token(&token, LXM).await.unwrap();
        assert_eq!(verified.aud, aud);
    }
}

#[tokio::test]
async fn rejects_audience_with_a_fragment_that_is_not_a_service_id() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let verifier = host.verifier();
    // Tokens a PDS made for another service of the same host (an AppView, a labeler)
    // must not be usable here.
    for fragment in [
        "atproto_labeler",
        "bsky_appview",
        "atproto_pds",
        "Placehook",
        "placehook_x",
        "streamplace ",
    ] {
        let aud = format!("{SERVICE_DID}#{fragment}");
        let token = account.token_with(|c| c["aud"] = json!(aud));
        let err = verifier.verify(&token, LXM).await.unwrap_err();
        assert!(matches!(err, AuthError::BadAudience), "{aud}: {err}");
        assert_eq!(err.xrpc_error(), "BadJwtAudience");
    }
}

#[tokio::test]
async fn rejects_missing_iat() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let token = account.token_with(|c| {
        c.as_object_mut().unwrap().remove("iat");
    });
    let err = host.verifier().verify(&token, LXM).await.unwrap_err();
    assert!(matches!(err, AuthError::MalformedToken(_)), "{err}");
    assert_eq!(err.to_string(), "malformed jwt: iat is missing");
    assert_eq!(err.xrpc_error(), "BadJwt");
    for bad in [json!(null), json!("now")] {
        let token = account.token_with(|c| c["iat"] = bad.clone());
        let err = host.verifier().verify(&token, LXM).await.unwrap_err();
        assert!(matches!(err, AuthError::MalformedToken(_)), "{bad}: {err}");
    }
}

#[tokio::test]
async fn rejects_iat_in_the_future_beyond_the_skew() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let verifier = host.verifier();
    let token = account.token_with(|c| c["iat"] = json!(now() + 120));
    let err = verifier.verify(&token, LXM).await.unwrap_err();
    assert!(matches!(err, AuthError::IssuedInFuture), "{err}");
    assert_eq!(err.xrpc_error(), "BadJwtLifetime");
    // A few seconds ahead is a clock a little fast: allowed.
    let token = account.token_with(|c| c["iat"] = json!(now() + 5));
    verifier.verify(&token, LXM).await.unwrap();
}

#[tokio::test]
async fn rejects_exp_before_iat() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let token = account.token_with(|c| {
        c["iat"] = json!(now());
        c["exp"] = json!(now() - 1);
    });
    let err = host.verifier().verify(&token, LXM).await.unwrap_err();
    assert!(matches!(err, AuthError::ExpiresBeforeIssued), "{err}");
    assert_eq!(err.xrpc_error(), "BadJwtLifetime");
}

#[tokio::test]
async fn rejects_lifetime_counted_from_iat() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    // Not expired and not far ahead, but issued two hours ago for two hours: longer than
    // any PDS issues (getServiceAuth allows at most one hour).
    let token = account.token_with(|c| {
        c["iat"] = json!(now() - 7200);
        c["exp"] = json!(now() + 60);
    });
    let err = host.verifier().verify(&token, LXM).await.unwrap_err();
    assert!(matches!(err, AuthError::LifetimeTooLong), "{err}");
    assert_eq!(err.xrpc_error(), "BadJwtLifetime");
}

#[tokio::test]
async fn rejects_missing_lxm() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let token = account.token_with(|c| {
        c.as_object_mut().unwrap().remove("lxm");
    });
    let err = host.verifier().verify(&token, LXM).await.unwrap_err();
    assert!(matches!(err, AuthError::MissingLxm(_)), "{err}");
}

#[tokio::test]
async fn rejects_wrong_lxm() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let token = account.token_with(|c| c["lxm"] = json!("place.stream.server.deleteWebhook"));
    let err = host.verifier().verify(&token, LXM).await.unwrap_err();
    assert!(matches!(err, AuthError::BadLxm { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!("jwt lxm does not match the called method {LXM}")
    );
}

#[tokio::test]
async fn typ_rules_match_upstream() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let verifier = host.verifier();
    let claims = || crate::auth::testing::service_claims(&account.did, SERVICE_DID, LXM, 60);
    for typ in ["at+jwt", "refresh+jwt", "dpop+jwt", "AT+JWT"] {
        let token = mint_jwt_with_header(
            &json!({"alg": "ES256K", "typ": typ}),
            &account.key,
            &claims(),
        );
        let err = verifier.verify(&token, LXM).await.unwrap_err();
        assert!(matches!(err, AuthError::BadType(_)), "{typ}: {err}");
    }
    // Missing typ is accepted, as in @atproto/xrpc-server.
    let token = mint_jwt_with_header(&json!({"alg": "ES256K"}), &account.key, &claims());
    verifier.verify(&token, LXM).await.unwrap();
}

#[tokio::test]
async fn rejects_unsupported_alg() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let claims = crate::auth::testing::service_claims(&account.did, SERVICE_DID, LXM, 60);
    for alg in ["none", "HS256", "RS256", "es256k"] {
        let token = mint_jwt_with_header(&json!({"alg": alg, "typ": "JWT"}), &account.key, &claims);
        let err = host.verifier().verify(&token, LXM).await.unwrap_err();
        assert!(
            matches!(err, AuthError::UnsupportedAlgorithm(_)),
            "{alg}: {err}"
        );
    }
}

#[tokio::test]
async fn rejects_malformed_tokens() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let good = account.token();
    let parts: Vec<&str> = good.split('.').collect();
    let not_json = "bm90IGpzb24"; // "not json"
                                  // Not even a JWT's shape: said plainly, under the same XRPC error name.
    for case in [
        String::new(),
        "abc".to_string(),
        "ph".to_string(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{good}.extra"),
    ] {
        let err = host.verifier().verify(&case, LXM).await.unwrap_err();
        assert!(matches!(err, AuthError::NotAJwt), "{case:.40}: {err}");
        assert_eq!(err.xrpc_error(), "BadJwt");
        assert_eq!(
            err.to_string(),
            "bearer token is not an API token (ph_...) or a JWT"
        );
    }
    let cases = [
        format!("{}.{}.{}=", parts[0], parts[1], parts[2]),
        format!("{}.{not_json}.{}", parts[0], parts[2]),
        format!("{not_json}.{}.{}", parts[1], parts[2]),
        format!("{}.{}.AAAA", parts[0], parts[1]),
        "x".repeat(20_000),
    ];
    for case in cases {
        let err = host.verifier().verify(&case, LXM).await.unwrap_err();
        assert!(
            matches!(err, AuthError::MalformedToken(_)),
            "{case:.40}: {err}"
        );
    }
    // Claims of the wrong type.
    for (claim, value) in [
        ("exp", json!("soon")),
        ("iss", json!(42)),
        ("lxm", json!(["x"])),
        ("jti", json!(1)),
    ] {
        let token = account.token_with(|c| c[claim] = value.clone());
        let err = host.verifier().verify(&token, LXM).await.unwrap_err();
        assert!(
            matches!(err, AuthError::MalformedToken(_)),
            "{claim}: {err}"
        );
    }
}

#[tokio::test]
async fn rejects_bad_issuer() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    for iss in [
        "alice",
        "did:plc:",
        "did:PLC:abc",
        "did:plc:abc#",
        "did:plc:abc#a#b",
    ] {
        let token = account.token_with(|c| c["iss"] = json!(iss));
        let err = host.verifier().verify(&token, LXM).await.unwrap_err();
        assert!(matches!(err, AuthError::BadIssuer), "{iss}: {err}");
    }
}

#[tokio::test]
async fn issuer_service_fragment_is_stripped() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256);
    let iss = format!("{}#placehook_caller", account.did);
    let token = account.token_with(|c| c["iss"] = json!(iss));
    let verified = host.verifier().verify_token(&token, LXM).await.unwrap();
    assert_eq!(verified.did, account.did);
    assert_eq!(verified.service.as_deref(), Some("placehook_caller"));
}

#[tokio::test]
async fn rejects_replayed_jti() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let verifier = host.verifier();
    let token = account.token();
    verifier.verify(&token, LXM).await.unwrap();
    let err = verifier.verify(&token, LXM).await.unwrap_err();
    assert!(matches!(err, AuthError::Replayed), "{err}");

    // Without a jti the token itself (its signature) is remembered.
    let token = account.token_with(|c| {
        c.as_object_mut().unwrap().remove("jti");
    });
    verifier.verify(&token, LXM).await.unwrap();
    assert!(matches!(
        verifier.verify(&token, LXM).await,
        Err(AuthError::Replayed)
    ));

    // A full replay cache fails closed.
    let tiny = host.verifier().with_replay_capacity(1);
    tiny.verify(&account.token(), LXM).await.unwrap();
    let err = tiny.verify(&account.token(), LXM).await.unwrap_err();
    assert!(matches!(err, AuthError::ReplayCacheFull), "{err}");
}

#[tokio::test]
async fn rejects_unknown_did_method() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    for iss in ["did:example:123456".to_string(), account.key.did_key()] {
        let token = account.token_with(|c| c["iss"] = json!(iss));
        let err = host.verifier().verify(&token, LXM).await.unwrap_err();
        assert!(
            matches!(
                &err,
                AuthError::KeyResolution {
                    source: DidError::UnsupportedMethod(_),
                    ..
                }
            ),
            "{iss}: {err}"
        );
        assert!(
            err.to_string()
                .starts_with("could not resolve signing key for did:"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn rejects_unresolvable_issuer() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let verifier = host.verifier();

    // PLC 404.
    host.set_raw(
        &format!("/{}", account.did),
        axum::http::StatusCode::NOT_FOUND,
        "{}",
    );
    let err = verifier.verify(&account.token(), LXM).await.unwrap_err();
    assert!(
        matches!(
            &err,
            AuthError::KeyResolution {
                source: DidError::NotFound(_),
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "could not resolve signing key for {0}: did not found: {0}",
            account.did
        )
    );

    // Malformed document.
    host.set_raw(
        &format!("/{}", account.did),
        axum::http::StatusCode::OK,
        "{\"id\": 5}",
    );
    let err = verifier.verify(&account.token(), LXM).await.unwrap_err();
    assert!(
        matches!(
            &err,
            AuthError::KeyResolution {
                source: DidError::Malformed { .. },
                ..
            }
        ),
        "{err}"
    );

    // Document without an #atproto key.
    let mut doc = account.document();
    doc["verificationMethod"] = json!([]);
    host.set_doc(&account.did, &doc);
    let err = verifier.verify(&account.token(), LXM).await.unwrap_err();
    assert!(
        matches!(
            &err,
            AuthError::KeyResolution {
                source: DidError::MissingKey { .. },
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn did_web_caller() {
    let host = FakeHost::start().await;
    let key = crate::auth::testing::SigningKey::generate(Alg::Es256);
    let did = host.web_did();
    let doc =
        crate::auth::testing::did_document(&did, &key.public_key(), "web.test", "https://pds.test");
    host.set_doc(&did, &doc);
    let claims = crate::auth::testing::service_claims(&did, SERVICE_DID, LXM, 60);
    let token = crate::auth::testing::mint_jwt(Alg::Es256, &key, &claims);
    assert_eq!(host.verifier().verify(&token, LXM).await.unwrap(), did);
}

#[test]
fn bearer_token_extraction() {
    assert_eq!(bearer_token("Bearer abc.def.ghi"), Some("abc.def.ghi"));
    assert_eq!(bearer_token("bearer   abc "), Some("abc"));
    assert_eq!(bearer_token("Basic abc"), None);
    assert_eq!(bearer_token("Bearer "), None);
    assert_eq!(bearer_token("Bearerabc"), None);
}

#[test]
fn error_messages_are_distinct() {
    let did = "did:plc:x".to_string();
    let errors = [
        AuthError::MissingToken,
        AuthError::NotAJwt,
        AuthError::MalformedToken("x".into()),
        AuthError::UnsupportedAlgorithm("x".into()),
        AuthError::BadType("x".into()),
        AuthError::Expired,
        AuthError::LifetimeTooLong,
        AuthError::IssuedInFuture,
        AuthError::ExpiresBeforeIssued,
        AuthError::BadAudience,
        AuthError::MissingLxm("x".into()),
        AuthError::BadLxm {
            expected: "x".into(),
        },
        AuthError::BadIssuer,
        AuthError::HighSSignature,
        AuthError::AlgorithmMismatch {
            did: did.clone(),
            alg: "ES256",
            key_alg: "ES256K",
        },
        AuthError::BadSignature,
        AuthError::KeyResolution {
            did: did.clone(),
            source: DidError::NotFound(did),
        },
        AuthError::Replayed,
        AuthError::ReplayCacheFull,
    ];
    let messages: std::collections::HashSet<String> =
        errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(messages.len(), errors.len());
}

#[test]
fn every_rejection_keeps_its_xrpc_name() {
    let did = "did:plc:x".to_string();
    let table = [
        (AuthError::MissingToken, "AuthMissing"),
        (AuthError::NotAJwt, "BadJwt"),
        (AuthError::MalformedToken("x".into()), "BadJwt"),
        (AuthError::UnsupportedAlgorithm("x".into()), "BadJwt"),
        (AuthError::BadType("x".into()), "BadJwtType"),
        (AuthError::Expired, "JwtExpired"),
        (AuthError::LifetimeTooLong, "BadJwtLifetime"),
        (AuthError::IssuedInFuture, "BadJwtLifetime"),
        (AuthError::ExpiresBeforeIssued, "BadJwtLifetime"),
        (AuthError::BadAudience, "BadJwtAudience"),
        (AuthError::MissingLxm("x".into()), "BadJwtLexiconMethod"),
        (
            AuthError::BadLxm {
                expected: "x".into(),
            },
            "BadJwtLexiconMethod",
        ),
        (AuthError::BadIssuer, "BadJwtIss"),
        (AuthError::HighSSignature, "BadJwtSignature"),
        (
            AuthError::AlgorithmMismatch {
                did: did.clone(),
                alg: "ES256",
                key_alg: "ES256K",
            },
            "BadJwtSignature",
        ),
        (AuthError::BadSignature, "BadJwtSignature"),
        (
            AuthError::KeyResolution {
                did: did.clone(),
                source: DidError::NotFound(did),
            },
            "BadJwtIss",
        ),
        (AuthError::Replayed, "JwtReplayed"),
        (AuthError::ReplayCacheFull, "AuthUnavailable"),
    ];
    for (err, name) in table {
        assert_eq!(err.xrpc_error(), name, "{err}");
    }
}
