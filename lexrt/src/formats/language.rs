//! `language` format: BCP 47 language tags.

use super::{all_bytes, FormatError};

/// `language` format: port of `isValidLanguage`, the BCP-47 regex
/// `BCP47_REGEXP` in @atproto/syntax `language.ts` (case-sensitive
/// grandfathered tags; `x` or `X` for private use). The regex is
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
            if tok.eq_ignore_ascii_case(b"x") {
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
            if tok[0] == b'x' || tok[0] == b'X' {
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

#[cfg(test)]
mod tests {
    use crate::formats::{table, Format};

    const LANGUAGE_CASES: &[(&str, bool)] = &[
        ("en", true),
        ("en-US", true),
        ("zh-Hant-TW", true),
        ("i-klingon", true),
        ("en-GB-oed", true),
        ("x-private", true),
        ("sgn-BE-FR", true),
        ("de-CH-1996", true),
        ("de-1996", true),
        ("sl-rozaj-biske", true),
        ("en-a-bbb-x-a-ccc", true),
        ("zh-min-nan", true),
        ("zh-yue-abc-def", true),
        ("abcde", true),
        ("abcdefgh", true),
        ("en-419", true),
        ("en-a-bb-b-cc", true),
        ("", false),
        ("e", false),
        ("abcdefghi", false),
        ("en-", false),
        ("-en", false),
        ("en--US", false),
        ("I-KLINGON", false),
        ("X-private", true),
        ("en-x", false),
        ("en-a", false),
        ("en-a-x-b", false),
        ("zh-yue-abc-def-ghi", false),
        ("en-US-US", false),
        ("en-Latn-Latn", false),
        ("en_US", false),
        ("\u{e9}", false),
        ("1-x", false),
    ];

    #[test]
    fn languages() {
        table(Format::Language, LANGUAGE_CASES);
    }
}
