//! `uri` format.

use super::FormatError;
use crate::js;

/// `uri` format: port of `isValidUri`:
/// `/^\w+:(?:\/\/)?[^\s/][^\s]*$/` (JS `\w`/`\s`, no `u` flag). There is no
/// length limit beyond the schema's own `maxLength`.
pub fn uri(s: &str) -> Result<(), FormatError> {
    const ERR: FormatError = FormatError("must be a uri");
    let b = s.as_bytes();
    let scheme = b
        .iter()
        .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_')
        .count();
    if scheme == 0 || b.get(scheme) != Some(&b':') {
        return Err(ERR);
    }
    let rest = &s[scheme + 1..];
    // `(?:\/\/)?[^\s/]`: after an optional "//", the next char must exist and
    // be neither '/' nor whitespace (backtracking cannot help: skipping the
    // "//" leaves '/' as the next char).
    let after = rest.strip_prefix("//").unwrap_or(rest);
    match after.chars().next() {
        Some(c) if c != '/' => {}
        _ => return Err(ERR),
    }
    if rest.chars().any(js::regex::is_space) {
        return Err(ERR);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::formats::{table, Format};

    const URI_CASES: &[(&str, bool)] = &[
        ("https://example.com", true),
        ("a:b", true),
        ("_:x", true),
        ("at://did:plc:x", true),
        ("mailto:me@x", true),
        ("x://y", true),
        ("x:y/z", true),
        ("x:\u{1F600}", true),
        ("x:\u{180e}", true),
        ("x://y z", false),
        ("", false),
        (":x", false),
        ("a:", false),
        ("a://", false),
        ("a:///x", false),
        ("a:/x", false),
        ("a b:c", false),
        ("a:b c", false),
        ("a:\u{a0}", false),
        ("a:b\u{3000}", false),
        ("a:b\u{feff}", false),
        ("a:b\u{2028}", false),
        ("\u{e9}:x", false),
        ("a-b:c", false),
    ];

    #[test]
    fn uris() {
        table(Format::Uri, URI_CASES);
    }
}
