//! Test support: generate keys, build DID documents and mint real
//! service-auth JWTs. Public so integration tests and benches can use it, behind the
//! `test-util` feature (which this package's own dev-dependency turns on), so release
//! builds leave it out; not for production use (keys live in memory, unprotected).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::RngCore as _;
use serde_json::{json, Value};

pub use crate::auth::jwt::Alg;
use crate::auth::keys::PublicKey;

/// A private signing key on either atproto curve.
#[derive(Clone)]
pub enum SigningKey {
    /// secp256k1 (`ES256K`).
    Secp256k1(k256::ecdsa::SigningKey),
    /// NIST P-256 (`ES256`).
    P256(p256::ecdsa::SigningKey),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public_key().to_did_key())
    }
}

impl SigningKey {
    /// Generate a random key for `alg`.
    pub fn generate(alg: Alg) -> Self {
        match alg {
            Alg::Es256k => SigningKey::Secp256k1(k256::ecdsa::SigningKey::random(&mut OsRng)),
            Alg::Es256 => SigningKey::P256(p256::ecdsa::SigningKey::random(&mut OsRng)),
        }
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> Alg {
        match self {
            SigningKey::Secp256k1(_) => Alg::Es256k,
            SigningKey::P256(_) => Alg::Es256,
        }
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        match self {
            SigningKey::Secp256k1(k) => PublicKey::Secp256k1(*k.verifying_key()),
            SigningKey::P256(k) => PublicKey::P256(*k.verifying_key()),
        }
    }

    /// The Multikey (`publicKeyMultibase`) of the public key.
    pub fn multikey(&self) -> String {
        self.public_key().to_multikey()
    }

    /// The `did:key:` of the public key.
    pub fn did_key(&self) -> String {
        self.public_key().to_did_key()
    }

    /// Sign `msg` (ECDSA over SHA-256), returning low-S `r || s`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        use k256::ecdsa::signature::Signer as _;
        let bytes = match self {
            SigningKey::Secp256k1(k) => {
                let sig: k256::ecdsa::Signature = k.sign(msg);
                sig.normalize_s().unwrap_or(sig).to_bytes()
            }
            SigningKey::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(msg);
                sig.normalize_s().unwrap_or(sig).to_bytes()
            }
        };
        let mut out = [0u8; 64];
        out.copy_from_slice(&bytes);
        out
    }
}

/// The Multikey (`z` + base58btc(multicodec + compressed point)) of `pubkey`.
pub fn multikey(pubkey: &PublicKey) -> String {
    pubkey.to_multikey()
}

/// Mint a compact JWS with header `{"typ":"JWT","alg":<alg>}` and the given
/// claims, signed by `key`. `alg` is taken as given (it may deliberately
/// disagree with the key, for negative tests).
pub fn mint_jwt(alg: Alg, key: &SigningKey, claims: &Value) -> String {
    mint_jwt_with_header(&json!({ "typ": "JWT", "alg": alg.as_str() }), key, claims)
}

/// Mint a compact JWS with an arbitrary header, signed by `key`.
pub fn mint_jwt_with_header(header: &Value, key: &SigningKey, claims: &Value) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// Standard service-auth claims: `iat` = now, `exp` = now + `ttl_secs`,
/// a random hex `jti`, and `lxm`.
pub fn service_claims(iss: &str, aud: &str, lxm: &str, ttl_secs: i64) -> Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    json!({
        "iat": now,
        "iss": iss,
        "aud": aud,
        "exp": now + ttl_secs,
        "lxm": lxm,
        "jti": random_jti(),
    })
}

/// 16 random bytes, hex-encoded.
pub fn random_jti() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A DID document as a PLC directory serves it: `#atproto` Multikey,
/// `at://<handle>` alias and `#atproto_pds` service.
pub fn did_document(did: &str, key: &PublicKey, handle: &str, pds: &str) -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
            "https://w3id.org/security/suites/secp256k1-2019/v1"
        ],
        "id": did,
        "alsoKnownAs": [format!("at://{handle}")],
        "verificationMethod": [{
            "id": format!("{did}#atproto"),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.to_multikey(),
        }],
        "service": [{
            "id": "#atproto_pds",
            "type": "AtprotoPersonalDataServer",
            "serviceEndpoint": pds,
        }],
    })
}
