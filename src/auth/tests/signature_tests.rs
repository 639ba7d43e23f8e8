//! Signature checks: tampering, malleability, key rotation, key selection.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::json;

use super::harness::{FakeHost, LXM, SERVICE_DID};
use crate::auth::testing::{self, mint_jwt, Alg, SigningKey};
use crate::auth::AuthError;

/// secp256k1 group order, big-endian.
const SECP256K1_N: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
/// P-256 group order, big-endian.
const P256_N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

fn hex32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// `n - s` on 32-byte big-endian numbers: the high-S twin of a signature.
fn negate_s(sig: &[u8], order: &str) -> Vec<u8> {
    let n = hex32(order);
    let mut out = sig.to_vec();
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = n[i] as i16 - sig[32 + i] as i16 - borrow;
        borrow = if d < 0 { 1 } else { 0 };
        if d < 0 {
            d += 256;
        }
        out[32 + i] = d as u8;
    }
    out
}

fn replace_signature(token: &str, sig: &[u8]) -> String {
    let (input, _) = token.rsplit_once('.').unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn signature_of(token: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(token.rsplit_once('.').unwrap().1)
        .unwrap()
}

#[tokio::test]
async fn rejects_tampered_signature_and_payload() {
    let host = FakeHost::start().await;
    for alg in [Alg::Es256k, Alg::Es256] {
        let account = host.account(alg);
        let token = account.token();
        let mut sig = signature_of(&token);
        sig[10] ^= 0x01;
        let err = host
            .verifier()
            .verify(&replace_signature(&token, &sig), LXM)
            .await
            .unwrap_err();
        assert!(matches!(err, AuthError::BadSignature), "{alg}: {err}");
        assert_eq!(err.to_string(), "jwt signature is invalid");

        // Payload swapped for another, validly-shaped one.
        let other = account.token_with(|c| c["lxm"] = json!(LXM));
        let (h, _) = token.split_once('.').unwrap();
        let payload = other.split('.').nth(1).unwrap();
        let sig = token.rsplit_once('.').unwrap().1;
        let forged = format!("{h}.{payload}.{sig}");
        let err = host.verifier().verify(&forged, LXM).await.unwrap_err();
        assert!(matches!(err, AuthError::BadSignature), "{alg}: {err}");
    }
}

#[tokio::test]
async fn rejects_high_s_signatures_on_both_curves() {
    let host = FakeHost::start().await;
    for (alg, order) in [(Alg::Es256k, SECP256K1_N), (Alg::Es256, P256_N)] {
        let account = host.account(alg);
        let token = account.token();
        let high = negate_s(&signature_of(&token), order);
        // The twin is a mathematically valid signature (the P-256 crate
        // accepts it), so only the low-S rule rejects it.
        if let SigningKey::P256(k) = &account.key {
            use p256::ecdsa::signature::Verifier as _;
            let sig = p256::ecdsa::Signature::from_slice(&high).unwrap();
            let input = token.rsplit_once('.').unwrap().0;
            k.verifying_key().verify(input.as_bytes(), &sig).unwrap();
        }
        let err = host
            .verifier()
            .verify(&replace_signature(&token, &high), LXM)
            .await
            .unwrap_err();
        assert!(matches!(err, AuthError::HighSSignature), "{alg}: {err}");
        // Rejected before any DID lookup.
        assert_eq!(host.hits(&account.did), 0, "{alg}");
    }
}

#[tokio::test]
async fn key_rotation_triggers_one_fresh_resolution() {
    let host = FakeHost::start().await;
    let verifier = host.verifier();
    let mut account = host.account(Alg::Es256k);
    verifier.verify(&account.token(), LXM).await.unwrap();
    assert_eq!(host.hits(&account.did), 1);

    // Rotate (to the other curve, even): the cached document has the old key.
    let old_key = std::mem::replace(&mut account.key, SigningKey::generate(Alg::Es256));
    host.publish(&account);
    verifier.verify(&account.token(), LXM).await.unwrap();
    assert_eq!(host.hits(&account.did), 2, "exactly one re-resolution");
    // The refreshed document is cached now.
    verifier.verify(&account.token(), LXM).await.unwrap();
    assert_eq!(host.hits(&account.did), 2);

    // The old key no longer verifies, even after the forced refresh.
    let claims = testing::service_claims(&account.did, SERVICE_DID, LXM, 60);
    let stale_token = mint_jwt(Alg::Es256k, &old_key, &claims);
    let err = verifier.verify(&stale_token, LXM).await.unwrap_err();
    assert!(matches!(err, AuthError::AlgorithmMismatch { .. }), "{err}");
    assert_eq!(host.hits(&account.did), 3);
}

#[tokio::test]
async fn rejects_alg_that_does_not_match_key() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let claims = testing::service_claims(&account.did, SERVICE_DID, LXM, 60);
    // Header says ES256 but the DID's key is secp256k1.
    let token = mint_jwt(Alg::Es256, &account.key, &claims);
    let err = host.verifier().verify(&token, LXM).await.unwrap_err();
    assert!(matches!(err, AuthError::AlgorithmMismatch { .. }), "{err}");
}

#[tokio::test]
async fn labeler_issuer_uses_atproto_label_key() {
    let host = FakeHost::start().await;
    let account = host.account(Alg::Es256k);
    let label_key = SigningKey::generate(Alg::Es256k);
    let mut doc = account.document();
    doc["verificationMethod"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "id": "#atproto_label",
            "type": "Multikey",
            "controller": account.did,
            "publicKeyMultibase": label_key.multikey(),
        }));
    host.set_doc(&account.did, &doc);
    let iss = format!("{}#atproto_labeler", account.did);
    let claims = testing::service_claims(&iss, SERVICE_DID, LXM, 60);
    let verifier = host.verifier();
    let verified = verifier
        .verify_token(&mint_jwt(Alg::Es256k, &label_key, &claims), LXM)
        .await
        .unwrap();
    assert_eq!(verified.did, account.did);
    assert_eq!(verified.service.as_deref(), Some("atproto_labeler"));
    // The #atproto key does not sign for the labeler service.
    let claims = testing::service_claims(&iss, SERVICE_DID, LXM, 60);
    let err = verifier
        .verify(&mint_jwt(Alg::Es256k, &account.key, &claims), LXM)
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::BadSignature), "{err}");
}

#[test]
fn multikey_round_trip_and_prefixes() {
    for (alg, prefix) in [(Alg::Es256k, "zQ3s"), (Alg::Es256, "zDn")] {
        let key = SigningKey::generate(alg);
        let mk = testing::multikey(&key.public_key());
        assert!(mk.starts_with(prefix), "{mk}");
        let parsed = crate::auth::keys::PublicKey::from_multikey(&mk).unwrap();
        assert_eq!(parsed, key.public_key());
        assert_eq!(
            crate::auth::keys::PublicKey::from_did_key(&key.did_key()).unwrap(),
            parsed
        );
    }
}
