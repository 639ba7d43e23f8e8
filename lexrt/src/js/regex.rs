//! Character classes of JavaScript regular expressions without the `u` flag, which match
//! UTF-16 code units rather than code points.

/// JS `\s` without the `u` flag (WhiteSpace + LineTerminator), per code point.
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
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
/// anything but another wildcard never matches them; every caller is in that
/// situation.
pub fn is_dot(c: char) -> bool {
    !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') && (c as u32) < 0x10000
}
