//! `datetime` format.

mod iso;

use super::FormatError;
use iso::{iso_date, iso_time, tz_offset};

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
    // @atproto/syntax 0.7 `isDatetimeStringLenient`: iso-datestring-validator, and
    // when that says no, the strict atproto check.
    let fallback = || if datetime_strict(s) { Ok(()) } else { Err(ERR) };
    if let Some(ok) = datetime_canonical(s.as_bytes()) {
        return if ok { Ok(()) } else { fallback() };
    }
    let Some(t1) = s.find('T') else {
        return fallback();
    };
    let date = &s[..t1];
    let rest = &s[t1 + 1..];
    let time = match rest.find('T') {
        Some(t2) => &rest[..t2],
        None => rest,
    };
    if time.is_empty() || !iso_date(date) || !iso_time(time) {
        return fallback();
    }
    Ok(())
}

/// @atproto/syntax 0.7 `isDatetimeString`: at most 64 chars, not ending `-00:00`, the
/// strict RFC 3339 regex, then V8's `Date` semantics (day 00 and second 60 are invalid,
/// days past the month's end roll over) and a year within 0..=9999 after the offset.
fn datetime_strict(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() > 64 || !s.is_ascii() || s.ends_with("-00:00") || b.len() < 20 {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let d = b.get(r)?;
        d.iter()
            .all(u8::is_ascii_digit)
            .then(|| d.iter().fold(0i64, |n, c| n * 10 + i64::from(c - b'0')))
    };
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return false;
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return false;
    }
    // Regex ranges: month 01-12, day [0-2][0-9]|3[01], hour 00-23, minute 00-59,
    // second 00-59|60. V8 then rejects day 00 and second 60.
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 59 {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let offset_secs = match &b[i..] {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), rest @ ..] if rest.len() == 5 && rest[2] == b':' => {
            let (Some(oh), Some(om)) = (num(i + 1..i + 3), num(i + 4..i + 6)) else {
                return false;
            };
            if oh > 23 || om > 59 {
                return false;
            }
            let off = oh * 3600 + om * 60;
            if *sign == b'+' {
                off
            } else {
                -off
            }
        }
        _ => return false,
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_secs;
    let year = civil_year(secs.div_euclid(86_400));
    (0..=9999).contains(&year)
}

/// Days since 1970-01-01 in the proleptic Gregorian calendar; days past the end of a
/// month roll over, as in V8.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil year of a day count since 1970-01-01.
fn civil_year(z: i64) -> i64 {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    if m <= 2 {
        y + 1
    } else {
        y
    }
}

/// Fast path for the canonical shape `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)`
/// (ASCII digits in every digit slot). For that shape the library's regexes
/// reduce to plain calendar/clock arithmetic; returns `None` (use the general
/// port) for anything else, including seconds above 60, which the general
/// port may still accept by reading `:SS` as a "fraction".
fn datetime_canonical(b: &[u8]) -> Option<bool> {
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let d2 = |i: usize| {
        let (x, y) = (b[i], b[i + 1]);
        (x.is_ascii_digit() && y.is_ascii_digit())
            .then(|| u32::from(x - b'0') * 10 + u32::from(y - b'0'))
    };
    let (century, yy, month, day) = (d2(0)?, d2(2)?, d2(5)?, d2(8)?);
    let (hour, minute, second) = (d2(11)?, d2(14)?, d2(17)?);
    let mut i = 19;
    if b[i] == b'.' {
        let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        i += 1 + n;
    }
    let tz_ok = match &b[i..] {
        [b'Z'] => true,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            // ASCII throughout, so this slice is on char boundaries
            let d = std::str::from_utf8(&b[i + 1..]).ok()?;
            if !d
                .bytes()
                .enumerate()
                .all(|(k, c)| k == 2 || c.is_ascii_digit())
            {
                return None;
            }
            tz_offset(d, *sign == b'+')
        }
        _ => return None,
    };
    if second > 60 {
        return None;
    }
    // the library's leap-year regex: Gregorian, but year 0000 is not leap
    let leap = (yy % 4 == 0 && yy != 0) || (yy == 0 && century % 4 == 0 && century != 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    let date_ok = day >= 1 && day <= days;
    let time_ok = (hour < 24 || (hour == 24 && minute == 0)) && minute < 60;
    Some(date_ok && time_ok && tz_ok)
}

#[cfg(test)]
mod tests {
    use crate::formats::{table, Format};

    const DATETIME_CASES: &[(&str, bool)] = &[
        ("2023-01-01T00:00:00Z", true),
        ("2023-01-01T00:00:00.000Z", true),
        ("2023-01-01T00:00:00.123456789Z", true),
        ("2023-01-01T00:00:00+05:30", true),
        ("2023-01-01T00:00:00-03:30", true),
        ("2023-01-01T00:00:00+14:00", true),
        ("2023-01-01T23:59:60Z", true),
        ("2024-02-29T12:00:00Z", true),
        ("2000-02-29T12:00:00Z", true),
        ("1600-02-29T12:00:00Z", true),
        ("0000-01-01T00:00:00Z", true),
        ("2023-01-01T24:00:00Z", true),
        ("2023-01-01T24:00:59Z", true),
        ("2023-01-01T12:00:00", true),
        ("20230101T120000Z", true),
        ("20230101T1200Z", true),
        ("2023-01-01T12:00:00ZTanything at all", true),
        ("2023-0,-01T12:00:00Z", true),
        ("2023/01/01T12:00:00Z", true),
        ("2023.01x01T12:00:00Z", true),
        ("2023101.01T12:00:00Z", true),
        ("2023-01-01T12:00:00x5Z", true),
        ("2023-01-01T12:00:61Z", true),
        ("2023-01-01T12.00.00Z", true),
        ("2023-01-01T12.00:00Z", false),
        ("2023-01-01T10:00:00-05:00+", true),
        ("2023-01-01T10:00:00-05:00+x", true),
        ("2023-01-01T10:00:00-05:30+", true),
        ("2023-01-01T10:00:00+05:45", true),
        ("2023-01-01T10:00:00+05.45", true),
        ("2023-01-01T10:00:00+05x45", true),
        ("2023-01-01T12:00Z", false),
        ("2023-01-01T12:00", false),
        ("", false),
        ("2023-01-01", false),
        ("2023-01-01T", false),
        ("2023-01-01t00:00:00Z", false),
        ("2023-01-01 00:00:00Z", false),
        ("2023-00-01T00:00:00Z", false),
        ("2023-13-01T00:00:00Z", false),
        ("2023-01-00T00:00:00Z", false),
        ("2023-01-32T00:00:00Z", false),
        ("2023-04-31T00:00:00Z", true),
        ("2023-02-29T00:00:00Z", true),
        ("1900-02-29T00:00:00Z", true),
        ("0000-02-29T00:00:00Z", true),
        ("2023-02-30T00:00:00Z", true),
        ("2023-01-01T25:00:00Z", false),
        ("2023-01-01T24:01:00Z", false),
        ("2023-01-01T00:60:00Z", false),
        ("2023-01-01T00:00:00-00:00", false),
        ("2023-01-01T00:00:00+00:30", true),
        ("2023-01-01T00:00:00+15:00", true),
        ("2023-01-01T00:00:00+05:15", true),
        ("2023-01-01T00:00:00.1234567890Z", true),
        ("2023-01-01T00:00:00z", false),
        ("2023-01-01T00:00:00Zx", false),
        ("2023-01-01T00:00:00+0530", true),
        ("2023-01-01T00:00:00.Z", false),
        ("2023-01-01T00:00:00\u{2028}5Z", false),
        ("2023-01-01T00:00:00\u{e9}5Z", true),
        ("2023-01-01T00:00:00\u{1F600}5Z", false),
        ("+2023-01-01T00:00:00Z", false),
        ("12023-01-01T00:00:00Z", false),
        ("2023(01(01T00:00:00Z", false),
        ("2023-01-01T00(00(00Z", false),
        ("2023$01$01T00:00:00Z", false),
        ("2023^01^01T00:00:00Z", false),
        ("2023{01{01T00{00{00Z", true),
        ("2023]01]01T00]00]00Z", true),
        // `|` as a separator turns a regex into a top-level alternation
        ("2023|anything05T12:00:00Z", true),
        ("x|31T12:00:00Z", false),
        ("|31T12:00:00Z", true),
        ("0023|xx|xxT12:00:00Z", false),
        ("0023|xx|xx|01T12:00:00Z", true),
        ("2023-01-01T23|9|Z", true),
        ("2023-01-01Tq|9|5959Z", true),
        ("2023-01-01Tq|9|5960x123Z", true),
        ("2023-01-01Tq|9|5961Z", true),
        ("2023-01-01T12:00:00+05|", true),
        ("2023-01-01T12:00:00+x|45", false),
        ("2023-01-01T12:00:00+9|45", true),
        ("2023-01-01T12:00:00-00|x", false),
    ];

    #[test]
    fn datetimes() {
        table(Format::Datetime, DATETIME_CASES);
    }
}
