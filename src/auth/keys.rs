//! Public signing keys: `did:key` / Multikey decoding and ECDSA verification.
//!
//! atproto uses two curves, each named by its JWT `alg`:
//! secp256k1 (`ES256K`, multicodec `0xe7 0x01`) and NIST P-256 (`ES256`,
//! multicodec `0x80 0x24`). A Multikey is `z` + base58btc(multicodec varint +
//! 33-byte compressed SEC1 point). Signatures are the raw 64-byte `r || s`
//! of ECDSA over SHA-256, and must be in low-S form on both curves (the
//! atproto cryptography rules; `@atproto/crypto`'s default verifier enforces
//! it for both `ES256K` and `ES256`).

use std::fmt;

use base64::Engine as _;

use crate::auth::jwt::Alg;

/// Multicodec varint prefix of a compressed secp256k1 public key.
pub const SECP256K1_MULTICODEC: [u8; 2] = [0xe7, 0x01];
/// Multicodec varint prefix of a compressed P-256 public key.
pub const P256_MULTICODEC: [u8; 2] = [0x80, 0x24];

/// Legacy verification method type for secp256k1 keys.
pub const LEGACY_SECP256K1_TYPE: &str = "EcdsaSecp256k1VerificationKey2019";
/// Legacy verification method type for P-256 keys.
pub const LEGACY_P256_TYPE: &str = "EcdsaSecp256r1VerificationKey2019";

/// A public key that can verify atproto signatures.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// secp256k1 (`ES256K`).
    Secp256k1(k256::ecdsa::VerifyingKey),
    /// NIST P-256 (`ES256`).
    P256(p256::ecdsa::VerifyingKey),
}

/// Why a key could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The multibase string uses an unknown base or does not decode.
    #[error("invalid multibase key encoding")]
    Multibase,
    /// The multicodec prefix names a key type atproto does not use.
    #[error("unsupported multicodec key type")]
    UnsupportedCodec,
    /// The bytes are not a valid point on the curve.
    #[error("invalid public key bytes")]
    InvalidPoint,
    /// The verification method type is not one atproto understands.
    #[error("unsupported verification method type {0:?}")]
    UnsupportedType(String),
}

/// Why a signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// The signature is not 64 bytes or has out-of-range `r`/`s`.
    Malformed,
    /// `s` is in the upper half of the curve order (malleable form).
    HighS,
    /// The JWT `alg` does not match the curve of the key.
    AlgMismatch,
    /// The signature does not match the message and key.
    Invalid,
}

impl PublicKey {
    /// The JWT `alg` that signatures from this key carry.
    pub fn alg(&self) -> Alg {
        match self {
            PublicKey::Secp256k1(_) => Alg::Es256k,
            PublicKey::P256(_) => Alg::Es256,
        }
    }

    /// Decode a Multikey (`z` + base58btc(multicodec + compressed point)),
    /// as found in a `Multikey` verification method or after `did:key:`.
    pub fn from_multikey(multikey: &str) -> Result<Self, KeyError> {
        let encoded = multikey.strip_prefix('z').ok_or(KeyError::Multibase)?;
        let bytes = bs58::decode(encoded)
            .into_vec()
            .map_err(|_| KeyError::Multibase)?;
        // Multikeys carry compressed points only (33 bytes), as in @atproto/crypto.
        if let Some(point) = bytes.strip_prefix(&SECP256K1_MULTICODEC) {
            if point.len() != 33 {
                return Err(KeyError::InvalidPoint);
            }
            return Self::from_sec1(Alg::Es256k, point);
        }
        if let Some(point) = bytes.strip_prefix(&P256_MULTICODEC) {
            if point.len() != 33 {
                return Err(KeyError::InvalidPoint);
            }
            return Self::from_sec1(Alg::Es256, point);
        }
        Err(KeyError::UnsupportedCodec)
    }

    /// Decode a `did:key:z...` identifier.
    pub fn from_did_key(did_key: &str) -> Result<Self, KeyError> {
        let multikey = did_key
            .strip_prefix("did:key:")
            .ok_or(KeyError::Multibase)?;
        Self::from_multikey(multikey)
    }

    /// Decode the key of a DID document verification method, accepting the
    /// same types as `@atproto/identity`: `Multikey`, and the legacy
    /// `EcdsaSecp256k1VerificationKey2019` / `EcdsaSecp256r1VerificationKey2019`
    /// whose `publicKeyMultibase` holds raw SEC1 bytes (compressed or
    /// uncompressed, no multicodec prefix) in any common multibase.
    pub fn from_verification_method(
        method_type: &str,
        public_key_multibase: &str,
    ) -> Result<Self, KeyError> {
        match method_type {
            "Multikey" => Self::from_multikey(public_key_multibase),
            LEGACY_SECP256K1_TYPE => {
                Self::from_sec1(Alg::Es256k, &decode_multibase(public_key_multibase)?)
            }
            LEGACY_P256_TYPE => {
                Self::from_sec1(Alg::Es256, &decode_multibase(public_key_multibase)?)
            }
            other => Err(KeyError::UnsupportedType(other.to_string())),
        }
    }

    /// Decode SEC1 point bytes (33-byte compressed or 65-byte uncompressed).
    pub fn from_sec1(alg: Alg, bytes: &[u8]) -> Result<Self, KeyError> {
        match alg {
            Alg::Es256k => k256::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
                .map(PublicKey::Secp256k1)
                .map_err(|_| KeyError::InvalidPoint),
            Alg::Es256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
                .map(PublicKey::P256)
                .map_err(|_| KeyError::InvalidPoint),
        }
    }

    /// The 33-byte compressed SEC1 encoding of the point.
    pub fn to_compressed(&self) -> Vec<u8> {
        match self {
            PublicKey::Secp256k1(k) => k.to_encoded_point(true).as_bytes().to_vec(),
            PublicKey::P256(k) => k.to_encoded_point(true).as_bytes().to_vec(),
        }
    }

    /// The Multikey form (`z` + base58btc(multicodec + compressed point)).
    pub fn to_multikey(&self) -> String {
        let prefix = match self {
            PublicKey::Secp256k1(_) => SECP256K1_MULTICODEC,
            PublicKey::P256(_) => P256_MULTICODEC,
        };
        let mut bytes = prefix.to_vec();
        bytes.extend_from_slice(&self.to_compressed());
        format!("z{}", bs58::encode(bytes).into_string())
    }

    /// The `did:key:` form of this key.
    pub fn to_did_key(&self) -> String {
        format!("did:key:{}", self.to_multikey())
    }

    /// Verify a raw 64-byte `r || s` ECDSA/SHA-256 signature over `msg`,
    /// made with `alg`. High-S signatures are rejected on both curves.
    pub fn verify(&self, alg: Alg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        use k256::ecdsa::signature::Verifier as _;
        check_low_s(alg, sig)?;
        match self {
            PublicKey::Secp256k1(key) if alg == Alg::Es256k => {
                let sig = k256::ecdsa::Signature::from_slice(sig)
                    .map_err(|_| SignatureError::Malformed)?;
                key.verify(msg, &sig).map_err(|_| SignatureError::Invalid)
            }
            PublicKey::P256(key) if alg == Alg::Es256 => {
                let sig = p256::ecdsa::Signature::from_slice(sig)
                    .map_err(|_| SignatureError::Malformed)?;
                key.verify(msg, &sig).map_err(|_| SignatureError::Invalid)
            }
            _ => Err(SignatureError::AlgMismatch),
        }
    }
}

/// Check that `sig` is a well-formed 64-byte signature for `alg`'s curve
/// with `s` in the lower half of the group order. Needs no key, so a
/// verifier can reject malleable signatures before any network lookup.
pub fn check_low_s(alg: Alg, sig: &[u8]) -> Result<(), SignatureError> {
    let high = match alg {
        Alg::Es256k => k256::ecdsa::Signature::from_slice(sig)
            .map_err(|_| SignatureError::Malformed)?
            .normalize_s()
            .is_some(),
        Alg::Es256 => p256::ecdsa::Signature::from_slice(sig)
            .map_err(|_| SignatureError::Malformed)?
            .normalize_s()
            .is_some(),
    };
    if high {
        Err(SignatureError::HighS)
    } else {
        Ok(())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({} {})", self.alg(), self.to_multikey())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_did_key())
    }
}

/// Decode a multibase string in the bases `@atproto/crypto` accepts for
/// legacy keys: base58btc (`z`), base16 (`f`/`F`), base64 (`m`),
/// base64url (`u`) and padded base64url (`U`). Base32 is not supported.
fn decode_multibase(s: &str) -> Result<Vec<u8>, KeyError> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut chars = s.chars();
    let base = chars.next().ok_or(KeyError::Multibase)?;
    let rest = chars.as_str();
    let decoded = match base {
        'z' => bs58::decode(rest).into_vec().ok(),
        'f' | 'F' => decode_hex(rest),
        'm' => STANDARD_NO_PAD.decode(rest).ok(),
        'u' => URL_SAFE_NO_PAD.decode(rest).ok(),
        'U' => URL_SAFE.decode(rest).ok(),
        _ => None,
    };
    decoded.ok_or(KeyError::Multibase)
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}
