//! [`ManualClock`], for tests: behind the `test-util` feature (like
//! [`auth::testing`](crate::auth::testing)), so release builds leave it out.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use super::{Clock, SystemClock};

/// A clock that moves only when told to (for tests).
#[derive(Debug)]
pub struct ManualClock {
    ms: AtomicI64,
}

impl ManualClock {
    /// A clock showing the current system time.
    pub fn new() -> Self {
        Self {
            ms: AtomicI64::new(SystemClock.now_ms()),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.ms.fetch_add(
            i64::try_from(by.as_millis()).unwrap_or(i64::MAX),
            Ordering::SeqCst,
        );
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.ms.load(Ordering::SeqCst)
    }
}
