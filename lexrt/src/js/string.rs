//! JavaScript strings: sequences of UTF-16 code units, which is what `.length` counts.

/// Number of UTF-16 code units of `s` (JS `.length`).
pub fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars().map(char::len_utf16).sum()
}

/// JS `s.length > max`, computed without counting when the byte length decides
/// (UTF-16 length <= UTF-8 length).
pub fn utf16_len_exceeds(s: &str, max: usize) -> bool {
    s.len() > max && utf16_len(s) > max
}
