//! Node's base64 decoding, as lex-data applies it to `{"$bytes": ...}` values.

/// Decoded length of a `$bytes` string, or `None` when the reference rejects it.
///
/// Mirrors Node's `Buffer.from(s, "base64")` (which accepts both alphabets, skips any
/// other character and stops at the first `=`) followed by lex-data's
/// `verifyBase64ForBytes` length and tail checks. No crate reproduces that pairing, so it
/// is written out here.
pub fn decoded_len(s: &str) -> Option<usize> {
    // Node reads the string as Latin-1: each UTF-16 unit is truncated to its low byte.
    let units: Vec<u16> = s.encode_utf16().collect();
    let sextet = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_');
    let mut chars = 0usize;
    for &u in &units {
        let c = (u & 0xff) as u8;
        if c == b'=' {
            break;
        }
        if sextet(c) {
            chars += 1;
        }
    }
    let decoded = chars / 4 * 3 + [0, 0, 1, 2][chars % 4];
    let padding = if s.ends_with("==") {
        2
    } else if s.ends_with('=') {
        1
    } else {
        0
    };
    let len = units.len();
    let trimmed = len - padding;
    if decoded != trimmed * 3 / 4 {
        return None;
    }
    // expectedB64Length = decoded / 3 * 4 is a real number in JS; work in thirds.
    let b64_len_x3 = decoded * 4;
    let full_x3 = b64_len_x3.div_ceil(12) * 12;
    if len * 3 > full_x3 {
        return None;
    }
    // The tail check reads the untruncated code units.
    for &u in &units[b64_len_x3.div_ceil(3).min(trimmed)..trimmed] {
        let ok = u < 128 && {
            let c = u as u8;
            c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
        };
        if !ok {
            return None;
        }
    }
    Some(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_lengths() {
        assert_eq!(decoded_len("AAEC"), Some(3));
        assert_eq!(decoded_len("AAE"), Some(2));
        assert_eq!(decoded_len("AA=="), Some(1));
        assert_eq!(decoded_len("AB-_"), Some(3));
        assert_eq!(decoded_len("A"), None);
        assert_eq!(decoded_len("AB CD"), None);
        assert_eq!(decoded_len("AB==="), None);
        assert_eq!(decoded_len(""), Some(0));
    }
}
