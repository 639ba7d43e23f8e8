//! Timestamps as the lexicon `datetime` format wants them.

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// RFC 3339 in UTC with exactly three fractional digits and a `Z`: fixed width, so stored
/// values also sort correctly as text.
const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Formats `at` (any offset) as a UTC lexicon datetime, e.g. `2025-01-02T03:04:05.678Z`.
pub(crate) fn format(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(FORMAT)
        // Only years outside 0..=9999 fail, and `time` cannot represent those without the
        // `large-dates` feature.
        .expect("a 4-digit-year UTC datetime always formats")
}

/// Unix milliseconds of a stored datetime (any RFC 3339 form).
pub(crate) fn parse_ms(text: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some((at.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The current time, formatted by [`format`].
pub(crate) fn now() -> String {
    format(OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_utc_with_millis() {
        assert_eq!(
            format(datetime!(2025-01-02 03:04:05.678_9 +02:00)),
            "2025-01-02T01:04:05.678Z"
        );
        assert_eq!(
            format(datetime!(2025-01-02 03:04:05 UTC)),
            "2025-01-02T03:04:05.000Z"
        );
    }
}
