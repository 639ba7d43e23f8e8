//! Cross-check: tokens minted by the official `@atproto/crypto` /
//! `@atproto/xrpc-server` (see `testdata/gen_node_fixture.cjs`) verify here.

use std::time::Duration;

use serde_json::Value;

use super::harness::FakeHost;
use crate::auth::jwt::Alg;
use crate::auth::{AuthError, ServiceAuthVerifier};

const FIXTURE: &str = include_str!("../testdata/node_tokens.json");

#[tokio::test]
async fn official_tokens_verify() {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let aud = fixture["aud"].as_str().unwrap();
    let lxm = fixture["lxm"].as_str().unwrap();
    let host = FakeHost::start().await;
    // The fixture expires in 2100, so allow a long lifetime here.
    let verifier = ServiceAuthVerifier::new(aud.to_string(), host.resolver())
        .with_max_lifetime(Duration::from_secs(100 * 365 * 24 * 3600));
    let mut algs = Vec::new();
    for entry in fixture["tokens"].as_array().unwrap() {
        let did = entry["did"].as_str().unwrap();
        host.set_doc(did, &entry["didDoc"]);
        let token = entry["token"].as_str().unwrap();
        let verified = verifier.verify_token(token, lxm).await.unwrap();
        assert_eq!(verified.did, did);
        algs.push(verified.alg);
        assert_eq!(verified.alg.as_str(), entry["alg"].as_str().unwrap());
        // And the default lifetime limit rejects such a long-lived token.
        let strict = ServiceAuthVerifier::new(aud.to_string(), host.resolver());
        assert!(matches!(
            strict.verify(token, lxm).await,
            Err(AuthError::LifetimeTooLong)
        ));
    }
    assert_eq!(algs, [Alg::Es256k, Alg::Es256]);
}
