//! `at-uri` format.

use super::{all_bytes, did, handle, nsid, record_key, FormatError};
use crate::js;

/// `at-uri` format: port of `isAtUriString` (@atproto/syntax 0.7, as called by
/// @atproto/lexicon 0.7's format validator, i.e. in strict mode): the authority must be
/// a DID or handle, the collection (if any) an NSID, the record key (if any) a valid
/// record key; no trailing slash and no query; a fragment must be a `/`-prefixed JSON
/// pointer whose percent-encoding decodes (`decodeURIComponent`).
pub fn at_uri(s: &str) -> Result<(), FormatError> {
    let b = s.as_bytes();
    if js::string::utf16_len_exceeds(s, 8192) {
        return Err(FormatError("ATURI exceeds maximum length"));
    }
    // INVALID_CHAR_REGEXP = /[^a-zA-Z0-9._~:@!$&'()*+,;=%/\\[\]#?-]/
    if !all_bytes(b, is_aturi_char) {
        return Err(FormatError("disallowed characters in ATURI"));
    }
    // AT_URI_REGEXP; whitespace is already excluded by the charset.
    let Some(rest) = b.strip_prefix(b"at://") else {
        return Err(FormatError("ATURI must start with \"at://\""));
    };
    let auth_len = rest
        .iter()
        .position(|&c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    if auth_len == 0 {
        return Err(FormatError("ATURI does not match expected format"));
    }
    let authority = &s[5..5 + auth_len];
    let rest = &rest[auth_len..];
    let path_len = rest
        .iter()
        .position(|&c| c == b'?' || c == b'#')
        .unwrap_or(rest.len());
    let (path, tail) = rest.split_at(path_len);
    // path is "", "/", "/C", "/C/", "/C/R" or "/C/R/" with non-empty segments.
    let mut collection: Option<&[u8]> = None;
    let mut rkey: Option<&[u8]> = None;
    let mut trailing_slash = false;
    if let Some(inner) = path.strip_prefix(b"/") {
        if inner.is_empty() {
            trailing_slash = true;
        } else {
            trailing_slash = inner.ends_with(b"/");
            let body = inner.strip_suffix(b"/").unwrap_or(inner);
            let mut parts = body.split(|&c| c == b'/');
            let c = parts.next().unwrap_or_default();
            let r = parts.next();
            if c.is_empty() || r.is_some_and(<[u8]>::is_empty) || parts.next().is_some() {
                return Err(FormatError("ATURI does not match expected format"));
            }
            collection = Some(c);
            rkey = r;
        }
    }
    let has_query = tail.first() == Some(&b'?');
    let hash = match tail.first() {
        None => None,
        Some(b'#') => Some(&tail[1..]),
        Some(_) => {
            // '?' query: anything up to the first '#'
            tail.iter().position(|&c| c == b'#').map(|i| &tail[i + 1..])
        }
    };
    let auth_ok = if authority.starts_with("did:") {
        did(authority).is_ok()
    } else {
        handle(authority).is_ok()
    };
    if !auth_ok {
        return Err(FormatError("ATURI has invalid authority"));
    }
    if let Some(c) = collection {
        // ASCII was checked above, so this is valid UTF-8.
        let c = std::str::from_utf8(c).unwrap_or("");
        if nsid(c).is_err() {
            return Err(FormatError("ATURI has invalid collection"));
        }
    }
    if let Some(h) = hash {
        // BASIC_JSON_POINTER_REGEXP = /^\/[a-zA-Z0-9._~:@!$&')(*+,;=%[\]/-]*$/
        if h.first() != Some(&b'/') || !all_bytes(h, is_json_pointer_char) {
            return Err(FormatError(
                "ATURI has invalid fragment (Invalid JSON pointer)",
            ));
        }
        if !percent_decodes(h) {
            return Err(FormatError(
                "ATURI has invalid fragment (Invalid percent-encoding)",
            ));
        }
    }
    if trailing_slash {
        return Err(FormatError("ATURI can not have a trailing slash"));
    }
    if has_query {
        return Err(FormatError("ATURI query part is not allowed"));
    }
    if let Some(r) = rkey {
        let r = std::str::from_utf8(r).unwrap_or("");
        if record_key(r).is_err() {
            return Err(FormatError("ATURI has invalid record key"));
        }
    }
    Ok(())
}

/// Whether `decodeURIComponent` accepts `s`: every `%` starts two hex digits and the
/// decoded bytes are UTF-8.
fn percent_decodes(s: &[u8]) -> bool {
    if !s.contains(&b'%') {
        return true;
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(b) if hex.is_some_and(|h| h.bytes().all(|c| c.is_ascii_hexdigit())) => {
                    out.push(b)
                }
                _ => return false,
            }
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    std::str::from_utf8(&out).is_ok()
}

fn is_aturi_char(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'.' | b'_'
                | b'~'
                | b':'
                | b'@'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b'%'
                | b'/'
                | b'\\'
                | b'['
                | b']'
                | b'#'
                | b'?'
                | b'-'
        )
}

fn is_json_pointer_char(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'.' | b'_'
                | b'~'
                | b':'
                | b'@'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b')'
                | b'('
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b'%'
                | b'['
                | b']'
                | b'/'
                | b'-'
        )
}

#[cfg(test)]
mod tests {
    use crate::formats::{table, Format};

    const AT_URI_CASES: &[(&str, bool)] = &[
        ("at://did:plc:abc", true),
        ("at://bsky.app", true),
        ("at://bsky.app/", false),
        ("at://bsky.app/app.bsky.feed.post", true),
        ("at://bsky.app/app.bsky.feed.post/", false),
        ("at://bsky.app/app.bsky.feed.post/3k", true),
        ("at://bsky.app/app.bsky.feed.post/3k/", false),
        ("at://bsky.app/app.bsky.feed.post/any$thing(ok)", false),
        ("at://bsky.app?q=1/2?", false),
        ("at://bsky.app#/a/b", true),
        ("at://bsky.app/a.b.c#/%zz", false),
        ("at://bsky.app/a.b.c/r?x#/", false),
        ("at://", false),
        ("at:///a.b.c", false),
        ("at://bsky.app//", false),
        ("at://bsky.app//?x", false),
        ("at://bsky.app/a.b.c//", false),
        ("at://bsky.app/a.b.c/r/x", false),
        ("at://bsky.app/notnsid", false),
        ("at://bsky.app#", false),
        ("at://bsky.app#x", false),
        ("at://bsky.app#/a#b", false),
        ("at://bsky.app#/a?", false),
        ("at://bsky.app/a.b.c/r s", false),
        ("at://did:plc:", false),
        ("at://bsky", false),
        ("AT://bsky.app", false),
        ("https://bsky.app", false),
        ("at://bsky.app/\u{e9}", false),
        ("at://bsky.app/a.b.c#/\\", false),
    ];

    #[test]
    fn at_uris() {
        table(Format::AtUri, AT_URI_CASES);
        let q = |n: usize| format!("at://bsky.app#/{}", "a".repeat(n));
        table(
            Format::AtUri,
            &[(&q(8192 - 15), true), (&q(8192 - 14), false)],
        );
    }
}
