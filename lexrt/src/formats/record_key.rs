//! `record-key` format, and `tid`, the record key most records use.

use super::{all_bytes, FormatError};
use crate::js;

/// `tid` format: port of `isValidTid`:
/// `/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/`.
pub fn tid(s: &str) -> Result<(), FormatError> {
    let b = s.as_bytes();
    let tail = |c: u8| matches!(c, b'2'..=b'7' | b'a'..=b'z');
    if b.len() == 13 && matches!(b[0], b'2'..=b'7' | b'a'..=b'j') && all_bytes(&b[1..], tail) {
        Ok(())
    } else {
        Err(FormatError("must be a valid TID"))
    }
}

/// `record-key` format: port of `ensureValidRecordKey`: 1-512 chars of
/// `[a-zA-Z0-9_~.:-]`, and not `.` or `..`.
pub fn record_key(s: &str) -> Result<(), FormatError> {
    let b = s.as_bytes();
    if b.is_empty() || js::string::utf16_len_exceeds(s, 512) {
        return Err(FormatError("record key must be 1 to 512 characters"));
    }
    if s == "." || s == ".." {
        return Err(FormatError("record key can not be \".\" or \"..\""));
    }
    if !all_bytes(b, is_rkey_char) {
        return Err(FormatError("record key syntax not valid"));
    }
    Ok(())
}

fn is_rkey_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'~' | b'.' | b':' | b'-')
}

#[cfg(test)]
mod tests {
    use crate::formats::{table, Format};

    const TID_CASES: &[(&str, bool)] = &[
        ("3jzfcijpj2z2a", true),
        ("7777777777777", true),
        ("3jzfcijpj2z2", false),
        ("kjzfcijpj2z2a", false),
        ("3jzfcijpj2z2A", false),
        ("3jzfcijpj2z21", false),
    ];

    const RECORD_KEY_CASES: &[(&str, bool)] = &[
        ("self", true),
        ("a", true),
        ("...", true),
        ("a:b~c_d-e.f", true),
        (".", false),
        ("..", false),
        ("", false),
        ("a/b", false),
        ("a b", false),
        ("a#", false),
        ("\u{e9}", false),
    ];

    #[test]
    fn tids_and_rkeys() {
        table(Format::Tid, TID_CASES);
        table(Format::RecordKey, RECORD_KEY_CASES);
        table(
            Format::RecordKey,
            &[(&"a".repeat(512), true), (&"a".repeat(513), false)],
        );
    }
}
