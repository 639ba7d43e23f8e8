//! `handle` format.

use super::{all_bytes, FormatError};

/// `handle` format: port of `ensureValidHandle` (@atproto/syntax `handle.ts`).
/// No TLD deny-list is applied at the lexicon layer.
pub fn handle(s: &str) -> Result<(), FormatError> {
    let b = s.as_bytes();
    if !all_bytes(b, |c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-') {
        return Err(FormatError("disallowed characters in handle"));
    }
    if b.len() > 253 {
        return Err(FormatError("handle is too long (253 chars max)"));
    }
    if !b.contains(&b'.') {
        return Err(FormatError("handle domain needs at least two parts"));
    }
    let mut last: &[u8] = &[];
    for l in b.split(|&c| c == b'.') {
        if l.is_empty() {
            return Err(FormatError("handle parts can not be empty"));
        }
        if l.len() > 63 {
            return Err(FormatError("handle part too long (max 63 chars)"));
        }
        if l[0] == b'-' || l[l.len() - 1] == b'-' {
            return Err(FormatError(
                "handle parts can not start or end with hyphens",
            ));
        }
        last = l;
    }
    if !last[0].is_ascii_alphabetic() {
        return Err(FormatError(
            "handle final component (TLD) must start with ASCII letter",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::formats::{table, Format};

    const HANDLE_CASES: &[(&str, bool)] = &[
        ("a.co", true),
        ("alice.bsky.social", true),
        ("4chan.org", true),
        ("x.y-z", true),
        ("a.b.c.d", true),
        ("xn--ls8h.test", true),
        ("A.COM", true),
        ("foo.local", true),
        ("co", false),
        ("a.4c", false),
        ("-a.com", false),
        ("a-.com", false),
        ("a..com", false),
        (".a.com", false),
        ("a.com.", false),
        ("a_b.com", false),
        ("a.-com", false),
        ("\u{e9}.com", false),
        ("", false),
    ];

    #[test]
    fn handles() {
        table(Format::Handle, HANDLE_CASES);
        let label = "a".repeat(63);
        let long = format!("{0}.{0}.{0}.{1}.com", label, "a".repeat(57));
        assert_eq!(long.len(), 253);
        table(
            Format::Handle,
            &[
                (&format!("{label}.com"), true),
                (&format!("a{label}.com"), false),
                (&long, true),
                (&format!("a{long}"), false),
            ],
        );
    }
}
