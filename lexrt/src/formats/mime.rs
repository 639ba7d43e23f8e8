//! Blob MIME types against a lexicon's `accept` patterns, as the reference PDS matches them.

/// Whether a blob's `mime` type is allowed by one `accept` pattern, as in the
/// PDS's `acceptedMime` (`@atproto/pds` blob transactor): `*/*` matches
/// anything; a pattern ending in `/*` matches any mime starting with the
/// pattern's text before its *first* `/` plus `/` (so `image/*` matches
/// `image/png` and `image/`, but not `image`); anything else must be equal.
/// Case-sensitive, no trimming, no parameter stripping.
///
/// Note: `@atproto/lexicon` 0.6.2's own blob validator checks neither `accept`
/// nor `maxSize` (it only checks that the value is a blob ref); this is the
/// rule the reference PDS applies at upload/commit time.
pub fn mime_matches(pattern: &str, mime: &str) -> bool {
    if pattern == "*/*" || pattern == mime {
        return true;
    }
    if pattern.ends_with("/*") {
        let start = pattern.split('/').next().unwrap_or("");
        return mime.len() > start.len()
            && mime.starts_with(start)
            && mime.as_bytes()[start.len()] == b'/';
    }
    false
}

/// `acceptedMime(mime, accept)`: true if any pattern matches (see
/// [`mime_matches`]). An empty list accepts nothing; callers treat a missing
/// `accept` as "anything".
pub fn mime_accepted<'a>(mime: &str, accept: impl IntoIterator<Item = &'a str>) -> bool {
    accept.into_iter().any(|p| mime_matches(p, mime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime() {
        assert!(mime_matches("*/*", "anything"));
        assert!(mime_matches("image/*", "image/png"));
        assert!(mime_matches("image/*", "image/"));
        assert!(!mime_matches("image/*", "image"));
        assert!(!mime_matches("image/*", "Image/png"));
        assert!(!mime_matches("image/*", "video/mp4"));
        assert!(mime_matches("image/png", "image/png"));
        assert!(!mime_matches("image/png", "image/jpeg"));
        assert!(mime_matches("a/b/*", "a/x"));
        assert!(mime_matches("/*", "/x"));
        assert!(mime_matches("*", "*"));
        assert!(!mime_matches("*", "x"));
        assert!(mime_accepted("video/mp4", ["image/*", "video/mp4"]));
        assert!(!mime_accepted("video/mp4", []));
    }
}
