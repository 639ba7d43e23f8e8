//! `nsid` format.

use super::{all_bytes, FormatError};
use crate::js;

/// `nsid` format: port of `isValidNsid` = `validateNsidRegex`
/// (@atproto/syntax 0.5 `nsid.ts`): reversed domain authority plus a name
/// segment that is letters/digits only and starts with a letter.
pub fn nsid(s: &str) -> Result<(), FormatError> {
    let b = s.as_bytes();
    if js::string::utf16_len_exceeds(s, 253 + 1 + 63) {
        return Err(FormatError("NSID is too long (317 chars max)"));
    }
    if !all_bytes(b, |c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-') {
        return Err(FormatError("disallowed characters in NSID"));
    }
    let mut segs = 0usize;
    let mut first = true;
    let mut last: &[u8] = &[];
    for seg in b.split(|&c| c == b'.') {
        segs += 1;
        if seg.is_empty() {
            return Err(FormatError("NSID parts can not be empty"));
        }
        if seg.len() > 63 {
            return Err(FormatError("NSID part too long (max 63 chars)"));
        }
        if seg[0] == b'-' || seg[seg.len() - 1] == b'-' {
            return Err(FormatError("NSID parts can not start or end with hyphen"));
        }
        if first && seg[0].is_ascii_digit() {
            return Err(FormatError("NSID first part may not start with a digit"));
        }
        first = false;
        last = seg;
    }
    if segs < 3 {
        return Err(FormatError("NSID needs at least three parts"));
    }
    if last[0].is_ascii_digit() || last.contains(&b'-') {
        return Err(FormatError(
            "NSID name part must be only letters and digits (and no leading digit)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::formats::{table, Format};

    const NSID_CASES: &[(&str, bool)] = &[
        ("com.example.foo", true),
        ("a.b.c", true),
        ("com.example.fooBar2", true),
        ("a1.b-c.d", true),
        ("com.exa-mple.x", true),
        ("a.0.c", true),
        ("com.example", false),
        ("1a.b.c", false),
        ("a.b.1c", false),
        ("a.b.c-d", false),
        ("a.-b.c", false),
        ("a.b-.c", false),
        ("a..c", false),
        ("a.b.c.", false),
        ("a.b.*", false),
        ("a.b.c d", false),
        ("", false),
    ];

    #[test]
    fn nsids() {
        table(Format::Nsid, NSID_CASES);
        let seg = "a".repeat(63);
        let long = format!("{seg}.{seg}.{seg}.{seg}.{}.{seg}", "a".repeat(61));
        assert_eq!(long.len(), 381);
        let ok317 = format!("{seg}.{seg}.{seg}.{}.{seg}", "a".repeat(61));
        assert_eq!(ok317.len(), 317);
        table(
            Format::Nsid,
            &[
                (&format!("{seg}.b.c"), true),
                (&format!("a{seg}.b.c"), false),
                (&ok317, true),
                (&format!("a{ok317}"), false),
                (&long, false),
            ],
        );
    }
}
