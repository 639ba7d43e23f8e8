//! The regular expressions of `iso-datestring-validator` 2.2.2, the check behind the
//! lexicon `datetime` format, run by hand. The library pastes the separators it finds into
//! its regexes unescaped; [`sep_kind`] says what each separator turns a regex into.

use crate::formats::all_bytes;
use crate::js;

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
            (Sep::Any, Some(c)) => js::regex::is_dot(c),
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
pub(super) fn iso_date(o: &str) -> bool {
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
    let short_month =
        (is_c(at(m0), '0') && one_of(at(m1), "469")) || (is_c(at(m0), '1') && is_c(at(m1), '1'));
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
    let a = b.len() >= 4
        && all_bytes(&b[..4], |c| c.is_ascii_digit())
        && !(b[0] == b'0' && b[1] == b'0');
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
pub(super) fn iso_time(a: &str) -> bool {
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
            && ((in_range(g(w), '0', '5') && is_d(g(w + 1)))
                || (is_c(g(w), '6') && is_c(g(w + 1), '0')))
    };
    // (.[0-9]{1,9})?$
    let frac = |r: &[char]| -> bool {
        (2..=10).contains(&r.len())
            && js::regex::is_dot(r[0])
            && r[1..].iter().all(char::is_ascii_digit)
    };
    r.is_empty() || frac(r) || (secs(r) && (r.len() == w + 2 || frac(&r[w + 2..])))
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
                ok &= (in_range(g(2), '0', '5') && is_d(g(3)))
                    || (is_c(g(2), '6') && is_c(g(3), '0'));
            }
            if frac_len > 0 {
                let fr = &z[2 + sec_len..];
                ok &= js::regex::is_dot(fr[0]) && fr[1..].iter().all(char::is_ascii_digit);
            }
            if ok {
                return true;
            }
        }
    }
    false
}

/// `isValidTimezoneOffset(d, isPlus, getStringSeparator(d))`.
pub(super) fn tz_offset(d: &str, plus: bool) -> bool {
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
