//! Lexicon string `format` checks, ported byte-for-byte from the reference
//! TypeScript implementation so that placehook gives the same verdicts.
//!
//! Reference versions ported (npm):
//! - `@atproto/lexicon` 0.6.2 (`dist/validators/formats.js`, `primitives.js`)
//! - `@atproto/syntax` 0.5.4 (did, handle, nsid, aturi_validation, tid,
//!   recordkey, uri, language)
//! - `@atproto/lex-json` 0.0.16 / `@atproto/lex-data` 0.0.15 (`$link` parsing)
//! - `multiformats` 9.9.0 (the copy nested under `@atproto/lexicon`, used by
//!   `CID.parse` for the `cid` format and by lex-data for `$link`)
//! - `iso-datestring-validator` 2.2.2 (the *only* check behind the lexicon
//!   `datetime` format; `@atproto/syntax`'s stricter `isValidDatetime` is not
//!   used by the lexicon validator)
//!
//! Every function here is a hand-written byte/char-level port of a JS regex or
//! parser. JS regexes here run without the `u` flag, so they see UTF-16 code
//! units: `\d` is `[0-9]`, `\w` is `[A-Za-z0-9_]`, `.` is any code unit except
//! `\n`, `\r`, U+2028, U+2029, and `.length` counts UTF-16 code units. Where a
//! check can only pass on ASCII input, byte length equals `.length` and is
//! used directly.
//!
//! Nothing here allocates, except for CID strings longer than 128 (base58)
//! or 160 (base32) characters, far beyond real atproto CIDs (59 chars).

mod at_identifier;
mod at_uri;
mod cid;
mod datetime;
mod did;
mod handle;
mod language;
mod mime;
mod nsid;
mod record_key;
mod uri;

pub use at_identifier::at_identifier;
pub use at_uri::at_uri;
pub use cid::{cid, cid_link};
pub use datetime::datetime;
pub use did::did;
pub use handle::handle;
pub use language::language;
pub use mime::{mime_accepted, mime_matches};
pub use nsid::nsid;
pub use record_key::{record_key, tid};
pub use uri::uri;

use std::fmt;

/// Why a value failed a format check; `Display` gives a short human reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FormatError(pub &'static str);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for FormatError {}

/// The string formats the lexicon validator knows. Any other `format` name is
/// ignored by the reference (the string passes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Did,
    Handle,
    AtIdentifier,
    Nsid,
    AtUri,
    Cid,
    Datetime,
    Language,
    Tid,
    RecordKey,
    Uri,
}

impl Format {
    /// Every format, in declaration order.
    pub const ALL: [Format; 11] = [
        Format::Did,
        Format::Handle,
        Format::AtIdentifier,
        Format::Nsid,
        Format::AtUri,
        Format::Cid,
        Format::Datetime,
        Format::Language,
        Format::Tid,
        Format::RecordKey,
        Format::Uri,
    ];

    /// The format for a lexicon `format` name (exact, case-sensitive match, as
    /// in the reference's `switch (def.format)`).
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "did" => Format::Did,
            "handle" => Format::Handle,
            "at-identifier" => Format::AtIdentifier,
            "nsid" => Format::Nsid,
            "at-uri" => Format::AtUri,
            "cid" => Format::Cid,
            "datetime" => Format::Datetime,
            "language" => Format::Language,
            "tid" => Format::Tid,
            "record-key" => Format::RecordKey,
            "uri" => Format::Uri,
            _ => return None,
        })
    }

    /// The lexicon `format` name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Did => "did",
            Format::Handle => "handle",
            Format::AtIdentifier => "at-identifier",
            Format::Nsid => "nsid",
            Format::AtUri => "at-uri",
            Format::Cid => "cid",
            Format::Datetime => "datetime",
            Format::Language => "language",
            Format::Tid => "tid",
            Format::RecordKey => "record-key",
            Format::Uri => "uri",
        }
    }

    /// Check `s` against this format.
    pub fn check(self, s: &str) -> Result<(), FormatError> {
        match self {
            Format::Did => did(s),
            Format::Handle => handle(s),
            Format::AtIdentifier => at_identifier(s),
            Format::Nsid => nsid(s),
            Format::AtUri => at_uri(s),
            Format::Cid => cid(s),
            Format::Datetime => datetime(s),
            Format::Language => language(s),
            Format::Tid => tid(s),
            Format::RecordKey => record_key(s),
            Format::Uri => uri(s),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether every byte passes `f`.
fn all_bytes(s: &[u8], f: impl Fn(u8) -> bool) -> bool {
    s.iter().all(|&b| f(b))
}

/// Assert the verdict of `f` on each input. The `(input, verdict)` tables of the format
/// modules' tests were each checked against the reference (@atproto/lexicon 0.7.19 on
/// Node 20, tools/ref) with a throwaway node script.
#[cfg(test)]
fn table(f: Format, cases: &[(&str, bool)]) {
    for &(s, want) in cases {
        let got = f.check(s);
        let shown: String = s.chars().take(80).collect();
        assert_eq!(
            got.is_ok(),
            want,
            "{f} on {shown:?} (len {}): {got:?}",
            s.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::from_name("DID"), None);
        assert_eq!(Format::from_name("bytes"), None);
    }
}
