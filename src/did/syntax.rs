//! DID syntax, and the two DID methods atproto uses.

/// Prefix of `did:plc` DIDs, whose documents a PLC directory serves.
pub(crate) const PLC_PREFIX: &str = "did:plc:";
/// Prefix of `did:web` DIDs, whose documents their host serves.
pub(crate) const WEB_PREFIX: &str = "did:web:";

/// atproto DID syntax: `did:<lowercase method>:<id>`, id chars
/// `[A-Za-z0-9._:%-]`, not ending in `:` or `%`, at most 2048 chars.
pub fn is_valid_did(did: &str) -> bool {
    if did.len() > 2048 {
        return false;
    }
    let Some(rest) = did.strip_prefix("did:") else {
        return false;
    };
    let Some((method, id)) = rest.split_once(':') else {
        return false;
    };
    !method.is_empty()
        && method.bytes().all(|b| b.is_ascii_lowercase())
        && !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:%-".contains(&b))
        && !id.ends_with([':', '%'])
}

/// Whether `did` is a valid DID of a method atproto uses (`did:plc`, `did:web`): the
/// only ones worth a network request. [`DidResolver`](super::DidResolver) may still
/// refuse it by the method's own rules (a did:plc's 24 base32 characters, a did:web's
/// host).
pub fn is_atproto_did(did: &str) -> bool {
    (did.starts_with(PLC_PREFIX) || did.starts_with(WEB_PREFIX)) && is_valid_did(did)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_syntax() {
        for ok in [
            "did:plc:abcdefghijklmnopqrstuvwx",
            "did:web:example.com",
            "did:web:localhost%3A8080",
            "did:example:a.b_c-d:e",
        ] {
            assert!(is_valid_did(ok), "{ok}");
        }
        let too_long = format!("did:web:{}", "a".repeat(2041));
        for bad in [
            "",
            "did:",
            "did:plc",
            "did:plc:",
            "did:PLC:abc",
            "did:plc:abc:",
            "did:plc:abc%",
            "did:plc:a/b",
            "DID:plc:abc",
            too_long.as_str(),
        ] {
            assert!(!is_valid_did(bad), "{bad}");
        }
    }

    #[test]
    fn atproto_methods() {
        assert!(is_atproto_did("did:plc:abcdefghijklmnopqrstuvwx"));
        assert!(is_atproto_did("did:web:example.com"));
        assert!(!is_atproto_did(
            "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"
        ));
        assert!(!is_atproto_did("did:web:"));
        assert!(!is_atproto_did("did:plc:abc:"));
    }
}
