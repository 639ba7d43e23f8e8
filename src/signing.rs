//! Standard Webhooks signatures: `whsec_` secrets, the `webhook-id` /
//! `webhook-timestamp` / `webhook-signature` headers, and verification.
//!
//! Written here rather than taken from a crate: the scheme is a few lines of HMAC over
//! `<id>.<timestamp>.<body>`, and placehook needs both sides (signing several secrets at
//! once during rotation, and verifying in `placehook listen`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// How far a verifier lets a timestamp stray from its clock, in seconds.
pub const TOLERANCE_SECS: i64 = 5 * 60;

/// A new random secret: `whsec_` + base64 of 32 random bytes.
pub fn generate_secret() -> String {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The key bytes of a secret (`whsec_` + base64 of 24..=64 bytes).
pub fn secret_key(secret: &str) -> Result<Vec<u8>, String> {
    let b64 = secret
        .strip_prefix(SECRET_PREFIX)
        .ok_or_else(|| format!("a secret starts with {SECRET_PREFIX}"))?;
    let key = STANDARD
        .decode(b64)
        .map_err(|_| "the secret after whsec_ is not base64".to_string())?;
    if !(24..=64).contains(&key.len()) {
        return Err("a secret holds 24 to 64 bytes".into());
    }
    Ok(key)
}

/// `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The `webhook-signature` header value: one signature per key, space-separated (the
/// newest key first), so a receiver holding either secret during a rotation verifies.
pub fn signature_header(keys: &[Vec<u8>], id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter()
        .map(|k| sign(k, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a delivery does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A required header is absent.
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    /// The timestamp is not an integer.
    #[error("webhook-timestamp is not a number")]
    BadTimestamp,
    /// The timestamp is too old or too far ahead.
    #[error("webhook-timestamp is outside the 5-minute tolerance")]
    StaleTimestamp,
    /// No listed signature matches.
    #[error("no signature matches")]
    NoMatch,
}

/// Verifies a delivery's headers and body with `key`, as Standard Webhooks receivers do.
pub fn verify(
    key: &[u8],
    id: Option<&str>,
    timestamp: Option<&str>,
    signatures: Option<&str>,
    body: &[u8],
    now_secs: i64,
) -> Result<(), VerifyError> {
    let id = id.ok_or(VerifyError::MissingHeader("webhook-id"))?;
    let ts = timestamp.ok_or(VerifyError::MissingHeader("webhook-timestamp"))?;
    let sigs = signatures.ok_or(VerifyError::MissingHeader("webhook-signature"))?;
    let ts: i64 = ts.trim().parse().map_err(|_| VerifyError::BadTimestamp)?;
    if (now_secs - ts).abs() > TOLERANCE_SECS {
        return Err(VerifyError::StaleTimestamp);
    }
    let expected = sign(key, id, ts, body);
    let expected = expected.as_bytes();
    let matched = sigs.split(' ').any(|s| {
        // Constant-time compare; lengths are public.
        s.len() == expected.len()
            && s.bytes()
                .zip(expected)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if matched {
        Ok(())
    } else {
        Err(VerifyError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example from the Standard Webhooks specification's reference libraries.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn matches_the_specification_example() {
        let key = secret_key(SECRET).unwrap();
        assert_eq!(sign(&key, ID, TS, BODY), SIG);
        assert_eq!(
            verify(&key, Some(ID), Some("1614265330"), Some(SIG), BODY, TS + 10),
            Ok(())
        );
    }

    #[test]
    fn rejects_what_a_receiver_must_reject() {
        let key = secret_key(SECRET).unwrap();
        let v = |ts: &str, sig: &str, body: &[u8], now: i64| {
            verify(&key, Some(ID), Some(ts), Some(sig), body, now)
        };
        assert_eq!(v("1614265330", SIG, b"{}", TS), Err(VerifyError::NoMatch));
        assert_eq!(
            v("1614265330", SIG, BODY, TS + 301),
            Err(VerifyError::StaleTimestamp)
        );
        assert_eq!(v("soon", SIG, BODY, TS), Err(VerifyError::BadTimestamp));
        assert_eq!(
            verify(&key, None, Some("1"), Some(SIG), BODY, 1),
            Err(VerifyError::MissingHeader("webhook-id"))
        );
        // Any of several signatures may match (rotation overlap).
        let both = format!("v1,bm90IGl0 {SIG}");
        assert_eq!(v("1614265330", &both, BODY, TS), Ok(()));
    }

    #[test]
    fn generated_secrets_are_valid_and_distinct() {
        let (a, b) = (generate_secret(), generate_secret());
        assert_ne!(a, b);
        assert_eq!(secret_key(&a).unwrap().len(), 32);
        assert!(secret_key("whsec_c2hvcnQ=").is_err());
        assert!(secret_key("nope").is_err());
        let keys = [secret_key(&a).unwrap(), secret_key(&b).unwrap()];
        let header = signature_header(&keys, ID, TS, BODY);
        assert_eq!(header.split(' ').count(), 2);
        assert!(verify(
            &keys[1],
            Some(ID),
            Some(&TS.to_string()),
            Some(&header),
            BODY,
            TS
        )
        .is_ok());
    }
}
