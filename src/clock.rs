//! Time as the dispatcher sees it: the system clock in production, a hand-moved clock in
//! tests so retry schedules can be checked without waiting.

use time::OffsetDateTime;

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, as Unix milliseconds.
    fn now_ms(&self) -> i64;

    /// Now, as a datetime.
    fn now(&self) -> OffsetDateTime {
        from_ms(self.now_ms())
    }
}

/// Converts Unix milliseconds to a datetime (clamped to what `time` represents).
pub fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        let now = OffsetDateTime::now_utc();
        (now.unix_timestamp_nanos() / 1_000_000) as i64
    }
}

#[cfg(any(test, feature = "test-util"))]
mod manual;
#[cfg(any(test, feature = "test-util"))]
pub use manual::ManualClock;
