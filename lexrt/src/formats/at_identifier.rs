//! `at-identifier` format: a DID or a handle.

use super::{did, handle, FormatError};

/// `at-identifier` format: port of lexicon `formats.atIdentifier`: a value
/// starting with `did:` must be a valid DID, anything else a valid handle.
pub fn at_identifier(s: &str) -> Result<(), FormatError> {
    let ok = if s.starts_with("did:") {
        did(s).is_ok()
    } else {
        handle(s).is_ok()
    };
    if ok {
        Ok(())
    } else {
        Err(FormatError("must be a valid did or a handle"))
    }
}

#[cfg(test)]
mod tests {
    use crate::formats::{table, Format};

    const AT_IDENTIFIER_CASES: &[(&str, bool)] = &[
        ("did:plc:abc", true),
        ("bsky.app", true),
        ("did:plc:", false),
        ("did.example.com", true),
        ("did:example.com", false),
        ("", false),
    ];

    #[test]
    fn at_identifiers() {
        table(Format::AtIdentifier, AT_IDENTIFIER_CASES);
    }
}
