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
//! Nothing here allocates, except base58 CIDs (never used by atproto, whose
//! CIDs are base32) or base32 CIDs longer than 160 characters.

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

// ---------------------------------------------------------------------------
// small helpers

/// Number of UTF-16 code units of `s` (JS `.length`).
pub fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars().map(char::len_utf16).sum()
}

/// JS `s.length > max`, computed without counting when the byte length decides
/// (UTF-16 length <= UTF-8 length).
fn utf16_len_exceeds(s: &str, max: usize) -> bool {
    s.len() > max && utf16_len(s) > max
}

/// JS `\s` without the `u` flag (WhiteSpace + LineTerminator), per code point.
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\u{b}'
            | '\u{c}'
            | '\r'
            | ' '
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
            | '\u{feff}'
    )
}

/// JS `.` (no `s`/`u` flags) applied to a whole char: one code unit that is
/// not a line terminator. Astral chars are two code units, so `.` followed by
/// anything but another wildcard never matches them; every caller below is in
/// that situation.
fn js_dot(c: char) -> bool {
    !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') && (c as u32) < 0x10000
}

fn all_bytes(s: &[u8], f: impl Fn(u8) -> bool) -> bool {
    s.iter().all(|&b| f(b))
}

// ---------------------------------------------------------------------------
// did

fn is_did_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'%' | b'-')
}

/// `did` format: port of `ensureValidDid` (@atproto/syntax `did.ts`).
pub fn did(s: &str) -> Result<(), FormatError> {
    let b = s.as_bytes();
    if !s.starts_with("did:") {
        return Err(FormatError("DID requires \"did:\" prefix"));
    }
    if utf16_len_exceeds(s, 2048) {
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

// ---------------------------------------------------------------------------
// handle

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
            return Err(FormatError("handle parts can not start or end with hyphens"));
        }
        last = l;
    }
    if !last[0].is_ascii_alphabetic() {
        return Err(FormatError("handle final component (TLD) must start with ASCII letter"));
    }
    Ok(())
}

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

// ---------------------------------------------------------------------------
// nsid

/// `nsid` format: port of `isValidNsid` = `validateNsidRegex`
/// (@atproto/syntax 0.5 `nsid.ts`): reversed domain authority plus a name
/// segment that is letters/digits only and starts with a letter.
pub fn nsid(s: &str) -> Result<(), FormatError> {
    let b = s.as_bytes();
    if utf16_len_exceeds(s, 253 + 1 + 63) {
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

// ---------------------------------------------------------------------------
// tid / record-key

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
    if b.is_empty() || utf16_len_exceeds(s, 512) {
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

// ---------------------------------------------------------------------------
// uri

/// `uri` format: port of `isValidUri`:
/// `/^\w+:(?:\/\/)?[^\s/][^\s]*$/` (JS `\w`/`\s`, no `u` flag). There is no
/// length limit beyond the schema's own `maxLength`.
pub fn uri(s: &str) -> Result<(), FormatError> {
    const ERR: FormatError = FormatError("must be a uri");
    let b = s.as_bytes();
    let scheme = b.iter().take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_').count();
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
    if rest.chars().any(is_js_space) {
        return Err(ERR);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// at-uri

/// `at-uri` format: port of `ensureValidAtUri`, i.e. `parseAtUriString` with
/// `{ strict: false }` (@atproto/syntax 0.5 `aturi_validation.ts`): trailing
/// slash, query and arbitrary record keys are allowed; the authority must be a
/// DID or handle, the collection (if any) an NSID, and a fragment must be a
/// `/`-prefixed JSON pointer (percent-encoding not decoded in non-strict mode).
pub fn at_uri(s: &str) -> Result<(), FormatError> {
    let b = s.as_bytes();
    if utf16_len_exceeds(s, 8192) {
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
    let auth_len = rest.iter().position(|&c| matches!(c, b'/' | b'?' | b'#')).unwrap_or(rest.len());
    if auth_len == 0 {
        return Err(FormatError("ATURI does not match expected format"));
    }
    let authority = &s[5..5 + auth_len];
    let rest = &rest[auth_len..];
    let path_len = rest.iter().position(|&c| c == b'?' || c == b'#').unwrap_or(rest.len());
    let (path, tail) = rest.split_at(path_len);
    // path is "", "/", "/C", "/C/", "/C/R" or "/C/R/" with non-empty segments.
    let mut collection: Option<&[u8]> = None;
    if let Some(inner) = path.strip_prefix(b"/") {
        if !inner.is_empty() {
            let body = inner.strip_suffix(b"/").unwrap_or(inner);
            let mut parts = body.split(|&c| c == b'/');
            let c = parts.next().unwrap_or_default();
            let r = parts.next();
            if c.is_empty() || r.is_some_and(<[u8]>::is_empty) || parts.next().is_some() {
                return Err(FormatError("ATURI does not match expected format"));
            }
            collection = Some(c);
        }
    }
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
            return Err(FormatError("ATURI has invalid fragment (Invalid JSON pointer)"));
        }
    }
    Ok(())
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

// ---------------------------------------------------------------------------
// language

/// `language` format: port of `isValidLanguage`, the BCP-47 regex
/// `BCP47_REGEXP` in @atproto/syntax `language.ts` (case-sensitive
/// grandfathered tags; lowercase `x` only for private use). The regex is
/// anchored, purely regular and its subtags are `-`-separated, so it is run
/// here as a small NFA over subtags.
pub fn language(s: &str) -> Result<(), FormatError> {
    if is_bcp47(s.as_bytes()) {
        Ok(())
    } else {
        Err(FormatError("must be a well-formed BCP 47 language tag"))
    }
}

const GRANDFATHERED: [&str; 26] = [
    "en-GB-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-BE-FR",
    "sgn-BE-NL",
    "sgn-CH-DE",
    "art-lojban",
    "cel-gaulish",
    "no-bok",
    "no-nyn",
    "zh-guoyu",
    "zh-hakka",
    "zh-min",
    "zh-min-nan",
    "zh-xiang",
];

// NFA states (bits)
const L_START: u16 = 1 << 0;
const L_LANG23: u16 = 1 << 1; // 2-3 letter language, extlang may follow
const L_EXT1: u16 = 1 << 2;
const L_EXT2: u16 = 1 << 3;
const L_EXT3: u16 = 1 << 4;
const L_LANG48: u16 = 1 << 5; // 4 or 5-8 letter language
const L_SCRIPT: u16 = 1 << 6;
const L_REGION: u16 = 1 << 7;
const L_VARIANT: u16 = 1 << 8;
const L_EXT_SINGLETON: u16 = 1 << 9;
const L_EXT_SUB: u16 = 1 << 10;
const L_PRIV_X: u16 = 1 << 11;
const L_PRIV_SUB: u16 = 1 << 12;

const L_AFTER_LANG: u16 = L_LANG23 | L_EXT1 | L_EXT2 | L_EXT3 | L_LANG48;
const L_ACCEPT: u16 = L_AFTER_LANG | L_SCRIPT | L_REGION | L_VARIANT | L_EXT_SUB | L_PRIV_SUB;

fn is_bcp47(b: &[u8]) -> bool {
    if GRANDFATHERED.iter().any(|g| g.as_bytes() == b) {
        return true;
    }
    let mut st = L_START;
    for tok in b.split(|&c| c == b'-') {
        let n = tok.len();
        if n == 0 || n > 8 || !all_bytes(tok, |c| c.is_ascii_alphanumeric()) {
            return false;
        }
        let alpha = all_bytes(tok, |c| c.is_ascii_alphabetic());
        let digit = all_bytes(tok, |c| c.is_ascii_digit());
        let mut next = 0u16;
        if st & L_START != 0 {
            if alpha && (2..=3).contains(&n) {
                next |= L_LANG23;
            }
            if alpha && n >= 4 {
                next |= L_LANG48;
            }
            if tok == b"x" {
                next |= L_PRIV_X;
            }
        }
        if alpha && n == 3 {
            if st & L_LANG23 != 0 {
                next |= L_EXT1;
            }
            if st & L_EXT1 != 0 {
                next |= L_EXT2;
            }
            if st & L_EXT2 != 0 {
                next |= L_EXT3;
            }
        }
        if st & L_AFTER_LANG != 0 && alpha && n == 4 {
            next |= L_SCRIPT;
        }
        if st & (L_AFTER_LANG | L_SCRIPT) != 0 && ((alpha && n == 2) || (digit && n == 3)) {
            next |= L_REGION;
        }
        let pre_variant = L_AFTER_LANG | L_SCRIPT | L_REGION | L_VARIANT;
        if st & pre_variant != 0 && (n >= 5 || (n == 4 && tok[0].is_ascii_digit())) {
            next |= L_VARIANT;
        }
        let pre_ext = pre_variant | L_EXT_SUB;
        if st & pre_ext != 0 && n == 1 {
            if tok[0] != b'x' && tok[0] != b'X' {
                next |= L_EXT_SINGLETON;
            }
            if tok[0] == b'x' {
                next |= L_PRIV_X;
            }
        }
        if st & (L_EXT_SINGLETON | L_EXT_SUB) != 0 && n >= 2 {
            next |= L_EXT_SUB;
        }
        if st & (L_PRIV_X | L_PRIV_SUB) != 0 {
            next |= L_PRIV_SUB;
        }
        st = next;
        if st == 0 {
            return false;
        }
    }
    st & L_ACCEPT != 0
}

// ---------------------------------------------------------------------------
// cid

/// `cid` format: port of multiformats 9.9.0 `CID.parse(value)` (no base
/// argument), which is all the lexicon `cid` format checks:
/// - first char `b`: base32 (lowercase RFC 4648, no padding — but trailing
///   `=` are stripped before decoding, so `bafy...===` passes; leftover bits
///   must be zero);
/// - first char `z`: base58btc of the rest; first char `Q`: base58btc of the
///   whole string (CIDv0 style); base-x quirks kept (a leading space fails,
///   and a UTF-16 code unit above 0xFF is not rejected but zeroes the low byte
///   of the accumulator — so some non-ASCII strings are valid CIDs);
/// - anything else fails.
///
/// Then `CID.decode`: varints decoded like JS (doubles, unbounded length,
/// non-minimal encodings allowed). First varint 18 means CIDv0 (re-read as
/// the multihash), 1 means CIDv1 (then a codec varint), 0 means a "version 0"
/// CID with no codec; anything else fails. Then multihash code (any) and
/// digest length, which must exactly cover the remaining bytes. No codec,
/// hash-function or digest-size rules are applied, and CIDv0 is accepted.
pub fn cid(s: &str) -> Result<(), FormatError> {
    if s.is_empty() {
        return Err(FormatError("must be a cid string"));
    }
    match s.as_bytes()[0] {
        b'b' => {
            let body = &s.as_bytes()[1..];
            let mut stack = [0u8; 100];
            let mut heap = Vec::new();
            let out = base32_decode(body, &mut stack, &mut heap)?;
            decode_cid_bytes(out)
        }
        b'z' => base58_then_decode(&s[1..]),
        b'Q' => base58_then_decode(s),
        _ => Err(FormatError("cid must be base32 (b...) or base58btc (z.../Qm...)")),
    }
}

/// `cid-link` values, `{"$link": "..."}`: port of lex-json `parseLexLink`
/// followed by lexicon's `cidLink` (`CID.asCID`). An object that fails to
/// parse stays a plain object and then fails `asCID`, so the rule is: the
/// string is 1..=2048 UTF-16 code units and passes [`cid`]. (Checking that the
/// object has no other key than `$link` is the caller's job.)
pub fn cid_link(s: &str) -> Result<(), FormatError> {
    if s.is_empty() || utf16_len_exceeds(s, 2048) {
        return Err(FormatError("must be a CID"));
    }
    cid(s).map_err(|_| FormatError("must be a CID"))
}

/// RFC 4648 base32 decode as in multiformats 9.9.0 `bases/base.js` `decode`.
fn base32_decode<'a>(
    body: &[u8],
    stack: &'a mut [u8],
    heap: &'a mut Vec<u8>,
) -> Result<&'a [u8], FormatError> {
    let mut end = body.len();
    while end > 0 && body[end - 1] == b'=' {
        end -= 1;
    }
    let out_len = end * 5 / 8;
    let out: &mut [u8] = if out_len <= stack.len() {
        &mut stack[..out_len]
    } else {
        heap.resize(out_len, 0);
        &mut heap[..]
    };
    let mut bits = 0u32;
    let mut buffer = 0u32;
    let mut written = 0usize;
    for &c in &body[..end] {
        let v = match c {
            b'a'..=b'z' => c - b'a',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return Err(FormatError("non-base32 character in cid")),
        };
        buffer = (buffer << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out[written] = (buffer >> bits) as u8;
            written += 1;
        }
    }
    if bits >= 5 || (buffer << (8 - bits)) & 0xff != 0 {
        return Err(FormatError("unexpected end of base32 data in cid"));
    }
    Ok(out)
}

const BASE58_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn base58_value(c: u8) -> Option<u8> {
    BASE58_ALPHABET.iter().position(|&a| a == c).map(|p| p as u8)
}

fn base58_then_decode(src: &str) -> Result<(), FormatError> {
    // Port of vendored base-x `decodeUnsafe` (multiformats 9.9.0), including
    // its handling of code units > 0xFF (`BASE_MAP[code]` is `undefined`, the
    // carry becomes NaN, which zeroes the lowest byte and drops its carry).
    if src.is_empty() {
        return decode_cid_bytes(&[]);
    }
    let b = src.as_bytes();
    if b[0] == b' ' {
        return Err(FormatError("non-base58 character in cid"));
    }
    let zeroes = b.iter().take_while(|&&c| c == b'1').count();
    let body = &src[zeroes..];
    // Each base58 digit adds < 1 byte, so `units` bytes always suffice.
    let units = body.len();
    let mut stack = [0u8; 128];
    let mut heap = Vec::new();
    let num: &mut [u8] = if units <= stack.len() {
        &mut stack[..units]
    } else {
        heap.resize(units, 0);
        &mut heap[..]
    };
    // little-endian big number; `length` = bytes touched so far (as in base-x)
    let mut length = 0usize;
    let mut nan_step = |num: &mut [u8], length: &mut usize| {
        // carry = NaN: lowest byte becomes 0, carry 0; then continue while i < length
        if num.is_empty() {
            return;
        }
        num[0] = 0;
        let mut carry: u32 = 0;
        let mut i = 1;
        while i < *length && i < num.len() {
            carry += 58 * u32::from(num[i]);
            num[i] = (carry & 0xff) as u8;
            carry >>= 8;
            i += 1;
        }
        while carry != 0 && i < num.len() {
            carry += 58 * u32::from(num[i]);
            num[i] = (carry & 0xff) as u8;
            carry >>= 8;
            i += 1;
        }
        *length = i.max(1);
    };
    for c in body.chars() {
        let cu = c as u32;
        if cu >= 0x100 {
            nan_step(num, &mut length);
            if cu >= 0x10000 {
                nan_step(num, &mut length);
            }
            continue;
        }
        let Some(v) = (cu < 0x80).then(|| base58_value(cu as u8)).flatten() else {
            return Err(FormatError("non-base58 character in cid"));
        };
        let mut carry = u32::from(v);
        let mut i = 0;
        while (carry != 0 || i < length) && i < num.len() {
            carry += 58 * u32::from(num[i]);
            num[i] = (carry & 0xff) as u8;
            carry >>= 8;
            i += 1;
        }
        length = i;
    }
    // output: `zeroes` zero bytes, then the big number big-endian without
    // leading zero bytes.
    let sig = num.iter().rposition(|&x| x != 0).map_or(0, |p| p + 1);
    let total = zeroes + sig;
    let mut out_stack = [0u8; 128];
    let mut out_heap = Vec::new();
    let out: &mut [u8] = if total <= out_stack.len() {
        &mut out_stack[..total]
    } else {
        out_heap.resize(total, 0);
        &mut out_heap[..]
    };
    for k in 0..sig {
        out[zeroes + k] = num[sig - 1 - k];
    }
    decode_cid_bytes(out)
}

/// Vendored `varint.decode` (multiformats 9.9.0): JS doubles, any length.
fn js_varint(bytes: &[u8], off: &mut usize) -> Option<f64> {
    let mut res = 0f64;
    let mut shift: u64 = 0;
    loop {
        let b = *bytes.get(*off)?;
        *off += 1;
        let low = b & 0x7f;
        let term = if shift < 28 {
            f64::from(i32::from(low) << shift)
        } else if shift >= 1024 {
            f64::from(low) * f64::INFINITY // 0 * Infinity = NaN, as in JS
        } else {
            f64::from(low) * f64::from_bits((shift + 1023) << 52)
        };
        res += term;
        shift += 7;
        if b < 0x80 {
            return Some(res);
        }
    }
}

/// Port of multiformats 9.9.0 `CID.decode` (`inspectBytes` + `decodeFirst` +
/// remainder check).
fn decode_cid_bytes(bytes: &[u8]) -> Result<(), FormatError> {
    const TRUNC: FormatError = FormatError("truncated cid varint");
    let mut off = 0usize;
    let first = js_varint(bytes, &mut off).ok_or(TRUNC)?;
    let mut codec = 0x70 as f64;
    let version;
    if first == 18.0 {
        version = 0;
        off = 0;
    } else if first == 1.0 {
        version = 1;
        codec = js_varint(bytes, &mut off).ok_or(TRUNC)?;
    } else if first == 0.0 {
        version = 0;
    } else {
        return Err(FormatError("invalid cid version"));
    }
    let _multihash_code = js_varint(bytes, &mut off).ok_or(TRUNC)?;
    let digest_size = js_varint(bytes, &mut off).ok_or(TRUNC)?;
    if digest_size != (bytes.len() - off) as f64 {
        return Err(FormatError("incorrect cid length"));
    }
    if version == 1 && codec == f64::INFINITY {
        // multiformats' varint.encode loops forever on Infinity (the reference
        // never returns); treat as invalid.
        return Err(FormatError("cid codec varint out of range"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// datetime

/// `datetime` format: exact port of `isValidISODateString` from
/// `iso-datestring-validator` 2.2.2, the only check the lexicon applies. Its
/// behaviour is much looser (and odder) than RFC 3339:
/// - the value is split on `T`; only the parts before the first and between
///   the first and second `T` are looked at (anything after a second `T` is
///   ignored);
/// - the date separator is the first non-digit of the date part, the time
///   separator the first char `c` (not `Z`, `+`, `-`, digit) followed by
///   digits and `c` again; the timezone separator the first non-digit of the
///   offset; each is pasted *unescaped* into a regex (so `.` is a wildcard,
///   `|` splits the regex into alternatives, `( ) [ \ * ? +` make the regex
///   throw, i.e. invalid, and `^ $` can never match);
/// - calendar: real month lengths and Gregorian leap years for Feb 29 (except
///   year 0000); month `0,` is accepted (`[1,3-9]` regex typo); no day 00;
/// - time: hours 00-23 or `24` only when followed by `:00`; seconds optional
///   (00-60); an optional fraction of 1-9 digits after *any* single char;
/// - timezone optional! `Z` (only the first `Z` is removed and the rest
///   re-checked), or `+hh:mm`/`-hh:mm` from a fixed list of real-world
///   offsets (`+` offsets up to +14:00, minutes 00/30/45 by hour; `-` offsets
///   -01:00..-12:00 plus -03:30 and -09:30; `-00:00` invalid). The `+` rules
///   apply whenever the time part contains a `+` anywhere.
///
/// There is no length limit and no `Date.parse` check.
pub fn datetime(s: &str) -> Result<(), FormatError> {
    const ERR: FormatError =
        FormatError("must be an valid atproto datetime (both RFC-3339 and ISO-8601)");
    let Some(t1) = s.find('T') else {
        return Err(ERR);
    };
    let date = &s[..t1];
    let rest = &s[t1 + 1..];
    let time = match rest.find('T') {
        Some(t2) => &rest[..t2],
        None => rest,
    };
    if time.is_empty() || !iso_date(date) || !iso_time(time) {
        return Err(ERR);
    }
    Ok(())
}

/// How a separator pasted into one of the library's regexes behaves.
#[derive(Clone, Copy)]
enum Sep {
    /// No separator (`""`): zero width.
    None,
    /// A literal character.
    Lit(char),
    /// `.`: any code unit but a line terminator.
    Any,
}

impl Sep {
    fn width(self) -> usize {
        match self {
            Sep::None => 0,
            _ => 1,
        }
    }
    fn matches(self, c: Option<char>) -> bool {
        match (self, c) {
            (Sep::None, _) => true,
            (Sep::Lit(l), Some(c)) => l == c,
            (Sep::Any, Some(c)) => js_dot(c),
            _ => false,
        }
    }
}

/// How a given separator character turns a regex built by the library.
enum SepKind {
    Plain(Sep),
    /// `|`: the regex becomes a top-level alternation.
    Pipe,
    /// `\ * + ? ( ) [`: `new RegExp` throws; `^ $`: an anchor in mid-pattern
    /// never matches; astral chars: pasted as a lone surrogate that cannot
    /// match. All invalid.
    Never,
}

fn sep_kind(c: Option<char>) -> SepKind {
    match c {
        None => SepKind::Plain(Sep::None),
        Some('\\' | '*' | '+' | '?' | '(' | ')' | '[' | '^' | '$') => SepKind::Never,
        Some('|') => SepKind::Pipe,
        Some('.') => SepKind::Plain(Sep::Any),
        Some(c) if (c as u32) >= 0x10000 => SepKind::Never,
        Some(c) => SepKind::Plain(Sep::Lit(c)),
    }
}

fn first_non_digit(s: &str) -> Option<char> {
    s.chars().find(|c| !c.is_ascii_digit())
}

/// Collect exactly `N` chars (or fewer if `s` is shorter) and the total count
/// (capped at `N + 1`).
fn take_chars<const N: usize>(it: impl Iterator<Item = char>) -> ([char; N], usize) {
    let mut buf = ['\0'; N];
    let mut n = 0;
    for c in it {
        if n == N {
            return (buf, N + 1);
        }
        buf[n] = c;
        n += 1;
    }
    (buf, n)
}

fn is_d(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_digit())
}
fn in_range(c: Option<char>, lo: char, hi: char) -> bool {
    c.is_some_and(|c| (lo..=hi).contains(&c))
}
fn is_c(c: Option<char>, x: char) -> bool {
    c == Some(x)
}
fn one_of(c: Option<char>, set: &str) -> bool {
    c.is_some_and(|c| set.contains(c))
}

/// `isValidDate(date, getStringSeparator(date))`.
fn iso_date(o: &str) -> bool {
    match sep_kind(first_non_digit(o)) {
        SepKind::Never => false,
        SepKind::Pipe => date_pipe(o.as_bytes()),
        SepKind::Plain(sep) => date_plain(o, sep),
    }
}

/// The date regex with a plain separator `t`:
/// `^(?!0{4}t0{2}t0{2})((?=[0-9]{4}t(((0[^2])|1[0-2])|02(?=t(([0-1][0-9])|2[0-8])))t[0-9]{2})|(?=LEAP t02t29))([0-9]{4})t(?!((0[469])|11)t31)((0[1,3-9]|1[0-2])|(02(?!t3)))t(0[1-9]|[1-2][0-9]|3[0-1])$`
fn date_plain(o: &str, sep: Sep) -> bool {
    let w = sep.width();
    let (c, n) = take_chars::<10>(o.chars());
    if n != 8 + 2 * w || c[..n].iter().any(|&ch| (ch as u32) >= 0x10000) {
        return false;
    }
    let at = |i: usize| c.get(i).copied().filter(|_| i < n);
    let (m0, m1, s2, d0, d1) = (4 + w, 5 + w, 6 + w, 6 + 2 * w, 7 + 2 * w);
    let t1 = w == 0 || sep.matches(at(4));
    let t2 = w == 0 || sep.matches(at(s2));
    let year_digits = (0..4).all(|i| is_d(at(i)));
    // (?!0{4}t0{2}t0{2})
    let all_zero = (0..4).all(|i| is_c(at(i), '0'))
        && t1
        && is_c(at(m0), '0')
        && is_c(at(m1), '0')
        && t2
        && is_c(at(d0), '0')
        && is_c(at(d1), '0');
    if all_zero {
        return false;
    }
    // first lookahead
    let la1 = year_digits
        && t1
        && ((is_c(at(m0), '0') && at(m1).is_some() && !is_c(at(m1), '2'))
            || (is_c(at(m0), '1') && in_range(at(m1), '0', '2'))
            || (is_c(at(m0), '0')
                && is_c(at(m1), '2')
                && t2
                && ((in_range(at(d0), '0', '1') && is_d(at(d1)))
                    || (is_c(at(d0), '2') && in_range(at(d1), '0', '8')))))
        && t2
        && is_d(at(d0))
        && is_d(at(d1));
    // second lookahead: leap year Feb 29
    let y = |i: usize| at(i);
    let leap_century = (one_of(y(0), "13579") && one_of(y(1), "26")
        || one_of(y(0), "2468") && one_of(y(1), "048")
        || is_c(y(0), '0') && one_of(y(1), "48"))
        && is_c(y(2), '0')
        && is_c(y(3), '0');
    let leap_plain = is_d(y(0))
        && is_d(y(1))
        && ((one_of(y(2), "02468") && one_of(y(3), "48"))
            || (one_of(y(2), "2468") && one_of(y(3), "048"))
            || (one_of(y(2), "13579") && one_of(y(3), "26")));
    let la2 = (leap_century || leap_plain)
        && t1
        && is_c(at(m0), '0')
        && is_c(at(m1), '2')
        && t2
        && is_c(at(d0), '2')
        && is_c(at(d1), '9');
    if !(la1 || la2) {
        return false;
    }
    // main
    let short_month = (is_c(at(m0), '0') && one_of(at(m1), "469")) || (is_c(at(m0), '1') && is_c(at(m1), '1'));
    if short_month && t2 && is_c(at(d0), '3') && is_c(at(d1), '1') {
        return false;
    }
    let month = (is_c(at(m0), '0') && one_of(at(m1), "1,3456789"))
        || (is_c(at(m0), '1') && in_range(at(m1), '0', '2'))
        || (is_c(at(m0), '0') && is_c(at(m1), '2') && !(t2 && is_c(at(d0), '3')));
    let day = (is_c(at(d0), '0') && in_range(at(d1), '1', '9'))
        || (in_range(at(d0), '1', '2') && is_d(at(d1)))
        || (is_c(at(d0), '3') && in_range(at(d1), '0', '1'));
    year_digits && t1 && month && t2 && day
}

/// The date regex with `|` as separator splits into three top-level
/// alternatives (`test` searches anywhere):
/// A `^(?!0{4}|0{2}|0{2})(...)([0-9]{4})` — starts with 4 digits, not "00";
/// B `(?!((0[469])|11)|31)((0[1,3-9]|1[0-2])|(02(?!|3)))` — contains one of
///   01 03 05 07 08 `0,` 10 12 (the `02` branch has an always-failing lookahead);
/// C `(0[1-9]|[1-2][0-9]|3[0-1])$` — ends with a day number.
fn date_pipe(b: &[u8]) -> bool {
    let a = b.len() >= 4 && all_bytes(&b[..4], |c| c.is_ascii_digit()) && !(b[0] == b'0' && b[1] == b'0');
    let bb = b.windows(2).any(|w| {
        matches!(
            (w[0], w[1]),
            (b'0', b'1' | b'3' | b'5' | b'7' | b'8' | b',') | (b'1', b'0' | b'2')
        )
    });
    let c = b.len() >= 2 && {
        let (x, y) = (b[b.len() - 2], b[b.len() - 1]);
        (x == b'0' && (b'1'..=b'9').contains(&y))
            || ((b'1'..=b'2').contains(&x) && y.is_ascii_digit())
            || (x == b'3' && (y == b'0' || y == b'1'))
    };
    a || bb || c
}

/// `isValidTime(time, sep, true)`.
fn iso_time(a: &str) -> bool {
    let kind = sep_kind(time_separator(a));
    if let SepKind::Never = kind {
        return false; // the regex is built (and throws) before anything else
    }
    if !a.contains(['Z', '+', '-']) {
        return time_regex(&kind, a, None);
    }
    if a.ends_with('Z') {
        // e.replace("Z", ""): only the first Z is removed
        let z = a.find('Z').unwrap_or(a.len() - 1);
        return time_regex(&kind, a, Some(z));
    }
    let is_plus = a.contains('+');
    let Some(p) = a.find(['+', '-']) else {
        return false;
    };
    let u = &a[..p];
    let after = &a[p + 1..];
    let d = match after.find(['+', '-']) {
        Some(q) => &after[..q],
        None => after,
    };
    time_regex(&kind, u, None) && tz_offset(d, is_plus)
}

/// `time.match(/([^Z+\-\d])(?=\d+\1)/)`: the first char (BMP; not Z, +, -,
/// digit) followed by one or more digits and the same char again.
fn time_separator(a: &str) -> Option<char> {
    for (i, c) in a.char_indices() {
        if matches!(c, 'Z' | '+' | '-' | '0'..='9') || (c as u32) >= 0x10000 {
            continue;
        }
        let rest = &a[i + c.len_utf8()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(c) {
            return Some(c);
        }
    }
    None
}

/// The chars of `a`, without the byte at `skip` (an ASCII `Z`).
fn chars_skipping(a: &str, skip: Option<usize>) -> impl DoubleEndedIterator<Item = char> + '_ {
    let (x, y) = match skip {
        Some(k) => (&a[..k], &a[k + 1..]),
        None => (a, ""),
    };
    x.chars().chain(y.chars())
}

/// The time regex built with separator `s`:
/// `^([0-1]|2(?=([0-3])|4s00))[0-9]s[0-5][0-9](s([0-5]|6(?=0))[0-9])?(.[0-9]{1,9})?$`
fn time_regex(kind: &SepKind, a: &str, skip: Option<usize>) -> bool {
    match *kind {
        SepKind::Never => false,
        SepKind::Pipe => time_pipe(a, skip),
        SepKind::Plain(sep) => {
            let (x, n) = take_chars::<18>(chars_skipping(a, skip));
            n <= 18 && time_plain(&x[..n], sep)
        }
    }
}

fn time_plain(x: &[char], sep: Sep) -> bool {
    let w = sep.width();
    let at = |i: usize| x.get(i).copied();
    let t = |i: usize| w == 0 || sep.matches(at(i));
    let hour = in_range(at(0), '0', '1')
        || (is_c(at(0), '2')
            && (in_range(at(1), '0', '3')
                || (is_c(at(1), '4') && t(2) && is_c(at(2 + w), '0') && is_c(at(3 + w), '0'))));
    if !(hour && is_d(at(1)) && t(2) && in_range(at(2 + w), '0', '5') && is_d(at(3 + w))) {
        return false;
    }
    let r = &x[(4 + w).min(x.len())..];
    // (s([0-5]|6(?=0))[0-9])?  → length of the match, if any
    let secs = |r: &[char]| -> bool {
        let g = |i: usize| r.get(i).copied();
        (w == 0 || sep.matches(g(0)))
            && ((in_range(g(w), '0', '5') && is_d(g(w + 1))) || (is_c(g(w), '6') && is_c(g(w + 1), '0')))
    };
    // (.[0-9]{1,9})?$
    let frac = |r: &[char]| -> bool {
        (2..=10).contains(&r.len()) && js_dot(r[0]) && r[1..].iter().all(char::is_ascii_digit)
    };
    r.is_empty()
        || frac(r)
        || (secs(r) && (r.len() == w + 2 || frac(&r[w + 2..])))
}

/// The time regex with `|` as separator:
/// `^([0-1]|2(?=([0-3])|4|00))[0-9]` OR `[0-5][0-9](|([0-5]|6(?=0))[0-9])?(.[0-9]{1,9})?$`
/// (the second alternative may match anywhere, i.e. on a suffix).
fn time_pipe(a: &str, skip: Option<usize>) -> bool {
    let (f, _) = take_chars::<2>(chars_skipping(a, skip));
    let (f0, f1) = (Some(f[0]), Some(f[1]));
    if (in_range(f0, '0', '1') && is_d(f1)) || (is_c(f0, '2') && in_range(f1, '0', '4')) {
        return true;
    }
    // last (up to) 14 chars, in order
    let (rev, n) = take_chars::<14>(chars_skipping(a, skip).rev());
    let n = n.min(14);
    let mut y = ['\0'; 14];
    for i in 0..n {
        y[i] = rev[n - 1 - i];
    }
    let y = &y[..n];
    for frac_len in [0usize, 2, 3, 4, 5, 6, 7, 8, 9, 10] {
        for sec_len in [0usize, 2] {
            let total = 2 + sec_len + frac_len;
            if total > n {
                continue;
            }
            let z = &y[n - total..];
            let g = |i: usize| z.get(i).copied();
            let mut ok = in_range(g(0), '0', '5') && is_d(g(1));
            if sec_len == 2 {
                ok &= (in_range(g(2), '0', '5') && is_d(g(3))) || (is_c(g(2), '6') && is_c(g(3), '0'));
            }
            if frac_len > 0 {
                let fr = &z[2 + sec_len..];
                ok &= js_dot(fr[0]) && fr[1..].iter().all(char::is_ascii_digit);
            }
            if ok {
                return true;
            }
        }
    }
    false
}

/// `isValidTimezoneOffset(d, isPlus, getStringSeparator(d))`.
fn tz_offset(d: &str, plus: bool) -> bool {
    match sep_kind(first_non_digit(d)) {
        SepKind::Never => false,
        SepKind::Pipe => tz_pipe(d.as_bytes(), plus),
        SepKind::Plain(sep) => {
            let w = sep.width();
            let (x, n) = take_chars::<5>(d.chars());
            if n != 4 + w {
                return false;
            }
            let at = |i: usize| x.get(i).copied().filter(|_| i < n);
            let t = w == 0 || sep.matches(at(2));
            let (h0, h1, m0, m1) = (at(0), at(1), at(2 + w), at(3 + w));
            if plus {
                // ^(0(?!(2r4)|0r3)|1(?=([0-1]|2(?=r[04])|[34](?=r0))))
                //  ([03469](?=r[03])|[17](?=r0)|2(?=r[04])|5(?=r[034])|8(?=r[04]))
                //  r([03](?=0)|4(?=5))[05]$
                let first = (is_c(h0, '0')
                    && !(is_c(h1, '2') && t && is_c(m0, '4'))
                    && !(is_c(h1, '0') && t && is_c(m0, '3')))
                    || (is_c(h0, '1')
                        && (in_range(h1, '0', '1')
                            || (is_c(h1, '2') && t && one_of(m0, "04"))
                            || (one_of(h1, "34") && t && is_c(m0, '0'))));
                let second = t
                    && match h1 {
                        Some('0' | '3' | '4' | '6' | '9') => one_of(m0, "03"),
                        Some('1' | '7') => is_c(m0, '0'),
                        Some('2' | '8') => one_of(m0, "04"),
                        Some('5') => one_of(m0, "034"),
                        _ => false,
                    };
                let mins = (one_of(m0, "03") && is_c(m1, '0')) || (is_c(m0, '4') && is_c(m1, '5'));
                first && second && t && mins
            } else {
                // ^(0(?=[^0])|1(?=[0-2]))([39](?=r[03])|[0-24-8](?=r00))r[03]0$
                let first = (is_c(h0, '0') && h1.is_some() && !is_c(h1, '0'))
                    || (is_c(h0, '1') && in_range(h1, '0', '2'));
                let second = t
                    && match h1 {
                        Some('3' | '9') => one_of(m0, "03"),
                        Some('0'..='2' | '4'..='8') => is_c(m0, '0') && is_c(m1, '0'),
                        _ => false,
                    };
                first && second && t && one_of(m0, "03") && is_c(m1, '0')
            }
        }
    }
}

/// Offset regexes with `|` as separator: a top-level alternation of a prefix
/// test and a suffix test.
fn tz_pipe(d: &[u8], plus: bool) -> bool {
    let (d0, d1) = (d.first().copied(), d.get(1).copied());
    let ends = |suf: &[u8]| d.ends_with(suf);
    if plus {
        // ^(0(?!(2|4)|0|3)|1(?=...))(digit)  |  ([03](?=0)|4(?=5))[05]$
        (d0 == Some(b'0') && matches!(d1, Some(b'1' | b'5'..=b'9')))
            || (d0 == Some(b'1') && matches!(d1, Some(b'0'..=b'4')))
            || ends(b"00")
            || ends(b"30")
            || ends(b"45")
    } else {
        // ^(0(?=[^0])|1(?=[0-2]))(digit)  |  [03]0$
        (d0 == Some(b'0') && matches!(d1, Some(b'1'..=b'9')))
            || (d0 == Some(b'1') && matches!(d1, Some(b'0'..=b'2')))
            || ends(b"00")
            || ends(b"30")
    }
}

// ---------------------------------------------------------------------------
// blob mime types

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
        return mime.len() > start.len() && mime.starts_with(start) && mime.as_bytes()[start.len()] == b'/';
    }
    false
}

/// `acceptedMime(mime, accept)`: true if any pattern matches (see
/// [`mime_matches`]). An empty list accepts nothing; callers treat a missing
/// `accept` as "anything".
pub fn mime_accepted<'a>(mime: &str, accept: impl IntoIterator<Item = &'a str>) -> bool {
    accept.into_iter().any(|p| mime_matches(p, mime))
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(f: Format, s: &str) {
        assert!(f.check(s).is_ok(), "{f} should accept {s:?}: {:?}", f.check(s));
    }
    fn bad(f: Format, s: &str) {
        assert!(f.check(s).is_err(), "{f} should reject {s:?}");
    }

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::from_name("DID"), None);
        assert_eq!(Format::from_name("bytes"), None);
    }

    #[test]
    fn dids() {
        for s in ["did:plc:abc", "did:web:example.com", "did:a:b", "did:a::b", "did:a:%20x", "did:m:-._"] {
            ok(Format::Did, s);
        }
        for s in [
            "did:plc:",
            "did:plc",
            "did::abc",
            "did:PLC:abc",
            "did:plc:ab%",
            "DID:plc:abc",
            "did:plc:a b",
            "did:pl1:abc",
            "did:plc:é",
            "",
        ] {
            bad(Format::Did, s);
        }
        let long = format!("did:plc:{}", "a".repeat(2040));
        ok(Format::Did, &long);
        bad(Format::Did, &format!("{long}a"));
    }

    #[test]
    fn handles() {
        for s in ["a.co", "alice.bsky.social", "4chan.org", "x.y-z", "a.b.c.d", "xn--ls8h.test", "A.COM", "foo.local"] {
            ok(Format::Handle, s);
        }
        for s in ["co", "a.4c", "-a.com", "a-.com", "a..com", ".a.com", "a.com.", "a_b.com", "a.-com", "é.com", ""] {
            bad(Format::Handle, s);
        }
        let label = "a".repeat(63);
        ok(Format::Handle, &format!("{label}.com"));
        bad(Format::Handle, &format!("a{label}.com"));
        let long = format!("{0}.{0}.{0}.{1}.com", label, "a".repeat(61));
        assert_eq!(long.len(), 253);
        ok(Format::Handle, &long);
        bad(Format::Handle, &format!("a{long}"));
    }

    #[test]
    fn at_identifiers() {
        ok(Format::AtIdentifier, "did:plc:abc");
        ok(Format::AtIdentifier, "bsky.app");
        bad(Format::AtIdentifier, "did:plc:");
        bad(Format::AtIdentifier, "did.example.com:");
        bad(Format::AtIdentifier, "");
    }

    #[test]
    fn nsids() {
        for s in ["com.example.foo", "a.b.c", "com.example.fooBar2", "a1.b-c.d", "com.exa-mple.x"] {
            ok(Format::Nsid, s);
        }
        for s in [
            "com.example",
            "1a.b.c",
            "a.b.1c",
            "a.b.c-d",
            "a.-b.c",
            "a.b-.c",
            "a..c",
            "a.b.c.",
            "a.b.*",
            "a.b.c d",
            "",
        ] {
            bad(Format::Nsid, s);
        }
        let seg = "a".repeat(63);
        ok(Format::Nsid, &format!("{seg}.b.c"));
        bad(Format::Nsid, &format!("a{seg}.b.c"));
        let long = format!("{seg}.{seg}.{seg}.{seg}.{}.{seg}", "a".repeat(61));
        assert_eq!(long.len(), 317);
        ok(Format::Nsid, &long);
        bad(Format::Nsid, &format!("a{long}"));
    }

    #[test]
    fn tids_and_rkeys() {
        ok(Format::Tid, "3jzfcijpj2z2a");
        ok(Format::Tid, "7777777777777");
        bad(Format::Tid, "3jzfcijpj2z2");
        bad(Format::Tid, "kjzfcijpj2z2a");
        bad(Format::Tid, "3jzfcijpj2z2A");
        bad(Format::Tid, "3jzfcijpj2z21");
        for s in ["self", "a", "...", "a:b~c_d-e.f", "3jzfcijpj2z2a"] {
            ok(Format::RecordKey, s);
        }
        for s in [".", "..", "", "a/b", "a b", "a#", "é"] {
            bad(Format::RecordKey, s);
        }
        ok(Format::RecordKey, &"a".repeat(512));
        bad(Format::RecordKey, &"a".repeat(513));
    }

    #[test]
    fn uris() {
        for s in ["https://example.com", "a:b", "_:x", "at://did:plc:x", "mailto:me@x", "x://y", "x:y/z", "x:😀", "x:\u{180e}"] {
            ok(Format::Uri, s);
        }
        for s in [
            "",
            ":x",
            "a:",
            "a://",
            "a:///x",
            "a:/x",
            "a b:c",
            "a:b c",
            "a:\u{a0}",
            "a:b\u{3000}",
            "a:b\u{feff}",
            "é:x",
            "a-b:c",
        ] {
            bad(Format::Uri, s);
        }
    }

    #[test]
    fn at_uris() {
        for s in [
            "at://did:plc:abc",
            "at://bsky.app",
            "at://bsky.app/",
            "at://bsky.app/app.bsky.feed.post",
            "at://bsky.app/app.bsky.feed.post/",
            "at://bsky.app/app.bsky.feed.post/3k",
            "at://bsky.app/app.bsky.feed.post/3k/",
            "at://bsky.app/app.bsky.feed.post/any$thing(ok)",
            "at://bsky.app?q=1/2?",
            "at://bsky.app#/a/b",
            "at://bsky.app/a.b.c#/%zz",
            "at://bsky.app/a.b.c/r?x#/",
        ] {
            ok(Format::AtUri, s);
        }
        for s in [
            "at://",
            "at:///a.b.c",
            "at://bsky.app//",
            "at://bsky.app//?x",
            "at://bsky.app/a.b.c//",
            "at://bsky.app/a.b.c/r/x",
            "at://bsky.app/notnsid",
            "at://bsky.app#",
            "at://bsky.app#x",
            "at://bsky.app#/a#b",
            "at://bsky.app#/a?",
            "at://bsky.app/a.b.c/r s",
            "at://did:plc:",
            "at://bsky",
            "AT://bsky.app",
            "https://bsky.app",
            "at://bsky.app/é",
            "at://bsky.app/a.b.c#/\\",
        ] {
            bad(Format::AtUri, s);
        }
        ok(Format::AtUri, &format!("at://bsky.app?{}", "a".repeat(8192 - 15)));
        bad(Format::AtUri, &format!("at://bsky.app?{}", "a".repeat(8192 - 14)));
    }

    #[test]
    fn languages() {
        for s in [
            "en",
            "en-US",
            "zh-Hant-TW",
            "i-klingon",
            "en-GB-oed",
            "x-private",
            "sgn-BE-FR",
            "de-CH-1996",
            "de-1996",
            "sl-rozaj-biske",
            "en-a-bbb-x-a-ccc",
            "zh-min-nan",
            "zh-yue-abc-def",
            "abcde",
            "abcdefgh",
            "en-419",
            "en-a-bb-b-cc",
        ] {
            ok(Format::Language, s);
        }
        for s in [
            "",
            "e",
            "abcdefghi",
            "en-",
            "-en",
            "en--US",
            "I-KLINGON",
            "X-private",
            "en-x",
            "en-a",
            "en-a-x-b",
            "zh-yue-abc-def-ghi",
            "en-US-US",
            "en-Latn-Latn",
            "en_US",
            "é",
            "1-x",
        ] {
            bad(Format::Language, s);
        }
    }

    #[test]
    fn cids() {
        for s in [
            "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm===",
            "bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n",
            "zQmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n",
            // non-ASCII accepted by base-x's NaN path
            "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1\u{100}",
            // identity multihash, empty digest: [1, 0x55, 0, 0]
            "bafkqaaa",
        ] {
            ok(Format::Cid, s);
        }
        for s in [
            "",
            "b",
            "z",
            "Q",
            "Bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hp",
            "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpma",
            "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpn",
            "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1é",
            "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR10",
            "z QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n",
            "fafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
        ] {
            bad(Format::Cid, s);
        }
    }

    #[test]
    fn cid_links() {
        assert!(cid_link("bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm").is_ok());
        assert!(cid_link("").is_err());
        // identity-hash CID of 1270 zero bytes (varint 1270 = f6 09): a valid
        // `cid` string, but longer than the 2048 allowed in `$link`.
        let mut bytes = vec![1u8, 0x55, 0, 0xf6, 0x09];
        bytes.extend(std::iter::repeat_n(0u8, 1270));
        let big = format!("b{}", b32(&bytes));
        assert!(cid(&big).is_ok());
        assert!(big.len() > 2048);
        assert!(cid_link(&big).is_err());
    }

    fn b32(data: &[u8]) -> String {
        const A: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
        let mut out = String::new();
        let (mut bits, mut buf) = (0u32, 0u32);
        for &d in data {
            buf = (buf << 8) | u32::from(d);
            bits += 8;
            while bits > 5 {
                bits -= 5;
                out.push(A[((buf >> bits) & 31) as usize] as char);
            }
        }
        if bits > 0 {
            out.push(A[((buf << (5 - bits)) & 31) as usize] as char);
        }
        out
    }

    #[test]
    fn cid_varint_edge_cases() {
        // explicit version 0 varint, non-minimal version 1 varint
        assert!(decode_cid_bytes(&[0, 0x12, 1, 7]).is_ok());
        assert!(decode_cid_bytes(&[0x81, 0x00, 0x71, 0x12, 0]).is_ok());
        assert!(decode_cid_bytes(&[2, 0x71, 0x12, 0]).is_err());
        assert!(decode_cid_bytes(&[0x12, 0x02, 1]).is_err());
        assert!(decode_cid_bytes(&[0x12, 0x01, 9]).is_ok());
        assert!(decode_cid_bytes(&[1, 0x71, 0x12]).is_err());
        assert!(decode_cid_bytes(&[1, 0x71, 0x12, 0x80]).is_err());
        // codec varint that is +Infinity as a JS double (reference hangs)
        let mut v = vec![1u8];
        v.extend(std::iter::repeat_n(0xffu8, 150));
        v.extend([0x7f, 0x12, 0]);
        assert!(decode_cid_bytes(&v).is_err());
        // codec varint that is NaN as a JS double is fine
        let mut v = vec![1u8];
        v.extend(std::iter::repeat_n(0x80u8, 150));
        v.extend([0x00, 0x12, 0]);
        assert!(decode_cid_bytes(&v).is_ok());
    }

    #[test]
    fn datetimes_usual() {
        for s in [
            "2023-01-01T00:00:00Z",
            "2023-01-01T00:00:00.000Z",
            "2023-01-01T00:00:00.123456789Z",
            "2023-01-01T00:00:00+05:30",
            "2023-01-01T00:00:00-03:30",
            "2023-01-01T00:00:00+14:00",
            "2023-01-01T23:59:60Z",
            "2024-02-29T12:00:00Z",
            "2000-02-29T12:00:00Z",
            "1600-02-29T12:00:00Z",
            "0000-01-01T00:00:00Z",
            "2023-01-01T24:00:00Z",
            "2023-01-01T24:00:59Z",
            "2023-01-01T12:00Z",
            "2023-01-01T12:00:00",
            "2023-01-01T12:00",
            "20230101T120000Z",
            "2023-01-01T12:00:00ZTanything at all",
            "2023-0,-01T12:00:00Z",
            "2023/01/01T12:00:00Z",
            "2023.01x01T12:00:00Z",
            "2023-01-01T12:00:00x5Z",
            "2023-01-01T12:00:61Z",
            "2023-01-01T12.00.00Z",
            "2023-01-01T10:00:00-05:00+",
        ] {
            ok(Format::Datetime, s);
        }
        for s in [
            "",
            "2023-01-01",
            "2023-01-01T",
            "2023-01-01t00:00:00Z",
            "2023-01-01 00:00:00Z",
            "2023-00-01T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-01-00T00:00:00Z",
            "2023-01-32T00:00:00Z",
            "2023-04-31T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "0000-02-29T00:00:00Z",
            "2023-02-30T00:00:00Z",
            "2023-01-01T25:00:00Z",
            "2023-01-01T24:01:00Z",
            "2023-01-01T00:60:00Z",
            "2023-01-01T00:00:00-00:00",
            "2023-01-01T00:00:00+00:30",
            "2023-01-01T00:00:00+15:00",
            "2023-01-01T00:00:00+05:15",
            "2023-01-01T00:00:00.1234567890Z",
            "2023-01-01T00:00:00z",
            "2023-01-01T00:00:00Zx",
            "2023-01-01T00:00:00+0530",
            "2023-01-01T00:00:00.Z",
            "+2023-01-01T00:00:00Z",
            "12023-01-01T00:00:00Z",
            "2023(01(01T00:00:00Z",
            "2023-01-01T00(00(00Z",
            "2023$01$01T00:00:00Z",
        ] {
            bad(Format::Datetime, s);
        }
    }

    #[test]
    fn datetimes_pipe_separators() {
        // date separator '|': top-level alternation
        ok(Format::Datetime, "2023|anything05T12:00:00Z");
        ok(Format::Datetime, "x|31T12:00:00Z");
        bad(Format::Datetime, "0023|xx|xxT12:00:00Z");
        ok(Format::Datetime, "0023|xx|xx|01T12:00:00Z");
        // time separator '|'
        ok(Format::Datetime, "2023-01-01T23|9|Z");
        ok(Format::Datetime, "2023-01-01Tq|9|5959Z");
        ok(Format::Datetime, "2023-01-01Tq|9|5960x123Z");
        bad(Format::Datetime, "2023-01-01Tq|9|5961Z");
        // tz separator '|'
        ok(Format::Datetime, "2023-01-01T12:00:00+05|");
        ok(Format::Datetime, "2023-01-01T12:00:00+x|45");
        bad(Format::Datetime, "2023-01-01T12:00:00-00|x");
    }

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
