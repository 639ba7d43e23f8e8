//! `did` format.

use super::{all_bytes, FormatError};
use crate::js;

fn is_did_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'%' | b'-')
}

/// `did` format: port of `ensureValidDid` (@atproto/syntax `did.ts`).
pub fn did(s: &str) -> Result<(), FormatError> {
    let b = s.as_bytes();
    if !s.starts_with("did:") {
        return Err(FormatError("DID requires \"did:\" prefix"));
    }
    if js::string::utf16_len_exceeds(s, 2048) {
        return Err(FormatError("DID is too long (2048 chars max)"));
    }
    if s.ends_with(':') || s.ends_with('%') {
        return Err(FormatError("DID can not end with \":\" or \"%\""));
    }
    if !all_bytes(b, is_did_char) {
        return Err(FormatError("disallowed characters in DID"));
    }
    // input.split(':'): [ "did", method, ...rest ]; need >= 3 parts and
    // method matching /^[a-z]+$/.
    let rest = &b[4..];
    let Some(colon) = rest.iter().position(|&c| c == b':') else {
        return Err(FormatError(
            "DID requires prefix, method, and method-specific content",
        ));
    };
    let method = &rest[..colon];
    if method.is_empty() || !all_bytes(method, |c| c.is_ascii_lowercase()) {
        return Err(FormatError("DID method must be lower-case letters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::formats::{table, Format};

    const DID_CASES: &[(&str, bool)] = &[
        ("did:plc:abc", true),
        ("did:web:example.com", true),
        ("did:a:b", true),
        ("did:a::b", true),
        ("did:a:%20x", true),
        ("did:m:-._", true),
        ("did:plc:", false),
        ("did:plc", false),
        ("did::abc", false),
        ("did:PLC:abc", false),
        ("did:plc:ab%", false),
        ("DID:plc:abc", false),
        ("did:plc:a b", false),
        ("did:pl1:abc", false),
        ("did:plc:\u{e9}", false),
        ("", false),
    ];

    #[test]
    fn dids() {
        table(Format::Did, DID_CASES);
        let long = format!("did:plc:{}", "a".repeat(2040));
        assert_eq!(long.len(), 2048);
        table(Format::Did, &[(&long, true), (&format!("{long}a"), false)]);
    }
}
