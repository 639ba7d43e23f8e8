//! Opaque, signed keyset cursors for `list_webhooks`.
//!
//! A cursor is base64url (no padding) of 25 bytes: a version byte (1), the `seq` of the
//! last webhook on the previous page (big-endian i64), and the first 16 bytes of
//! HMAC-SHA256 over the version, that seq, the owner and the filters. The key lives in the
//! database (`store_meta.cursor_key`), so cursors survive restarts, cannot be forged, and
//! one minted for another owner or other filters fails to verify.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::StoreError;

const VERSION: u8 = 1;
const TAG_LEN: usize = 16;
const LEN: usize = 1 + 8 + TAG_LEN;

/// What a cursor is bound to besides its position.
pub(crate) struct Scope<'a> {
    pub owner: &'a str,
    pub active: Option<bool>,
    pub event: Option<&'a str>,
}

impl Scope<'_> {
    fn tag(&self, key: &[u8], seq: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(&[VERSION]);
        mac.update(&seq.to_be_bytes());
        // Length prefixes keep (owner, event) pairs from running into each other.
        mac.update(&(self.owner.len() as u64).to_be_bytes());
        mac.update(self.owner.as_bytes());
        mac.update(&[match self.active {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        }]);
        let event = self.event.map_or(&b""[..], str::as_bytes);
        mac.update(&[u8::from(self.event.is_some())]);
        mac.update(&(event.len() as u64).to_be_bytes());
        mac.update(event);
        mac
    }

    /// The cursor that resumes after the row with `seq`.
    pub fn encode(&self, key: &[u8], seq: i64) -> String {
        let tag = self.tag(key, seq).finalize().into_bytes();
        let mut raw = [0u8; LEN];
        raw[0] = VERSION;
        raw[1..9].copy_from_slice(&seq.to_be_bytes());
        raw[9..].copy_from_slice(&tag[..TAG_LEN]);
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// The `seq` a cursor resumes after, if it is well-formed and was minted for this scope.
    pub fn decode(&self, key: &[u8], cursor: &str) -> Result<i64, StoreError> {
        let raw = URL_SAFE_NO_PAD
            .decode(cursor)
            .map_err(|_| StoreError::InvalidCursor)?;
        if raw.len() != LEN || raw[0] != VERSION {
            return Err(StoreError::InvalidCursor);
        }
        let seq = i64::from_be_bytes(raw[1..9].try_into().expect("8 bytes"));
        self.tag(key, seq)
            .verify_truncated_left(&raw[9..])
            .map_err(|_| StoreError::InvalidCursor)?;
        Ok(seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn scope(owner: &str) -> Scope<'_> {
        Scope {
            owner,
            active: None,
            event: None,
        }
    }

    #[test]
    fn round_trips() {
        let c = scope("did:plc:a").encode(KEY, 42);
        assert_eq!(c.len(), 34);
        assert_eq!(scope("did:plc:a").decode(KEY, &c).unwrap(), 42);
    }

    #[test]
    fn rejects_other_scope_key_and_garbage() {
        let c = scope("did:plc:a").encode(KEY, 42);
        assert!(scope("did:plc:b").decode(KEY, &c).is_err());
        let filtered = Scope {
            owner: "did:plc:a",
            active: Some(true),
            event: None,
        };
        assert!(filtered.decode(KEY, &c).is_err());
        // An empty event filter is not the same as none.
        let empty_event = Scope {
            owner: "did:plc:a",
            active: None,
            event: Some(""),
        };
        assert!(empty_event.decode(KEY, &c).is_err());
        assert!(scope("did:plc:a").decode(b"another key", &c).is_err());
        for bad in ["", "!!!", "AAAA", &c[..c.len() - 1], &format!("{c}A")] {
            assert!(scope("did:plc:a").decode(KEY, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rejects_every_single_bit_flip() {
        let raw = URL_SAFE_NO_PAD.decode(scope("o").encode(KEY, 7)).unwrap();
        for i in 0..raw.len() * 8 {
            let mut t = raw.clone();
            t[i / 8] ^= 1 << (i % 8);
            let c = URL_SAFE_NO_PAD.encode(&t);
            assert!(scope("o").decode(KEY, &c).is_err(), "bit {i}");
        }
    }
}
