//! When to try a failed delivery again: a pure function of the policy, the attempt just
//! made and what the receiver answered.

use std::time::Duration;

/// The retry schedule and its bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Delay before retry n (the first entry follows the first attempt). Attempts end
    /// when the schedule does: at most `schedule.len() + 1` attempts.
    pub schedule: Vec<Duration>,
    /// No attempt is made once a delivery is this old.
    pub max_age: Duration,
    /// Each delay is spread by up to this fraction either way (0.2 = ±20 %).
    pub jitter: f64,
    /// Longest `Retry-After` honoured; longer requests are clamped to this.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Close to Svix's schedule, shortened at the end: about 27 hours in all.
    fn default() -> Self {
        let s = Duration::from_secs;
        Self {
            schedule: vec![
                s(5),
                s(30),
                s(120),
                s(600),
                s(1800),
                s(3600),
                s(3 * 3600),
                s(6 * 3600),
                s(16 * 3600),
            ],
            max_age: s(36 * 3600),
            jitter: 0.2,
            max_retry_after: s(600),
        }
    }
}

/// What one attempt produced, as far as retrying cares.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// An HTTP response with this status and, for 429/503, the wait it asked for.
    Status {
        /// HTTP status code.
        code: u16,
        /// `Retry-After` (or Discord's `retry_after` body field).
        retry_after: Option<Duration>,
    },
    /// No response (refused, reset, timed out, blocked by the SSRF guard).
    NoResponse,
}

/// The verdict for one attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// A 2xx.
    Success,
    /// 410 Gone: stop and switch the webhook off.
    Gone,
    /// Try again after `after`; `failure` says whether it counts towards `errorCount`.
    Retry {
        /// Wait before the next attempt.
        after: Duration,
        /// Counts as a consecutive failure (rate limiting does not).
        failure: bool,
    },
    /// Attempts or age exhausted.
    GiveUp,
}

/// Decides after attempt number `attempt` (1-based) of a delivery that is `age` old.
/// `unit` is a random number in `[0, 1)` for the jitter.
pub fn decide(
    policy: &RetryPolicy,
    attempt: i64,
    age: Duration,
    answer: &Answer,
    unit: f64,
) -> Decision {
    let (code, retry_after) = match answer {
        Answer::Status { code, retry_after } => (Some(*code), *retry_after),
        Answer::NoResponse => (None, None),
    };
    match code {
        Some(200..=299) => return Decision::Success,
        Some(410) => return Decision::Gone,
        _ => {}
    }
    let rate_limited = code == Some(429);
    let wait = match (code, retry_after) {
        (Some(429 | 503), Some(ra)) => ra.min(policy.max_retry_after),
        _ => {
            let Some(base) = usize::try_from(attempt - 1)
                .ok()
                .and_then(|i| policy.schedule.get(i))
            else {
                return Decision::GiveUp;
            };
            jittered(*base, policy.jitter, unit)
        }
    };
    if attempt > policy.schedule.len() as i64 && !rate_limited {
        return Decision::GiveUp;
    }
    if age + wait > policy.max_age {
        return Decision::GiveUp;
    }
    Decision::Retry {
        after: wait,
        failure: !rate_limited,
    }
}

fn jittered(base: Duration, jitter: f64, unit: f64) -> Duration {
    let spread = (unit.clamp(0.0, 1.0) * 2.0 - 1.0) * jitter.clamp(0.0, 1.0);
    base.mul_f64((1.0 + spread).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            schedule: vec![Duration::from_secs(10), Duration::from_secs(60)],
            max_age: Duration::from_secs(3600),
            jitter: 0.0,
            max_retry_after: Duration::from_secs(120),
        }
    }

    fn status(code: u16) -> Answer {
        Answer::Status {
            code,
            retry_after: None,
        }
    }

    #[test]
    fn follows_the_schedule_then_gives_up() {
        let p = policy();
        let age = Duration::ZERO;
        assert_eq!(
            decide(&p, 1, age, &status(500), 0.5),
            Decision::Retry {
                after: Duration::from_secs(10),
                failure: true
            }
        );
        assert_eq!(
            decide(&p, 2, age, &Answer::NoResponse, 0.5),
            Decision::Retry {
                after: Duration::from_secs(60),
                failure: true
            }
        );
        assert_eq!(decide(&p, 3, age, &status(500), 0.5), Decision::GiveUp);
        assert_eq!(decide(&p, 1, age, &status(204), 0.5), Decision::Success);
        assert_eq!(decide(&p, 1, age, &status(299), 0.5), Decision::Success);
        assert_eq!(decide(&p, 1, age, &status(410), 0.5), Decision::Gone);
        assert_eq!(
            decide(&p, 1, age, &status(301), 0.5),
            Decision::Retry {
                after: Duration::from_secs(10),
                failure: true
            }
        );
    }

    #[test]
    fn retry_after_is_honoured_within_bounds_on_429_and_503() {
        let p = policy();
        let ra = |code, s| Answer::Status {
            code,
            retry_after: Some(Duration::from_secs(s)),
        };
        assert_eq!(
            decide(&p, 1, Duration::ZERO, &ra(429, 3), 0.9),
            Decision::Retry {
                after: Duration::from_secs(3),
                failure: false
            }
        );
        assert_eq!(
            decide(&p, 1, Duration::ZERO, &ra(503, 30), 0.9),
            Decision::Retry {
                after: Duration::from_secs(30),
                failure: true
            }
        );
        assert_eq!(
            decide(&p, 1, Duration::ZERO, &ra(429, 9999), 0.9),
            Decision::Retry {
                after: Duration::from_secs(120),
                failure: false
            }
        );
        // Only 429/503 honour it.
        assert_eq!(
            decide(&p, 1, Duration::ZERO, &ra(500, 3), 0.5),
            Decision::Retry {
                after: Duration::from_secs(10),
                failure: true
            }
        );
        // Rate limiting past the schedule still retries (bounded by age).
        assert_eq!(
            decide(&p, 5, Duration::ZERO, &ra(429, 1), 0.5),
            Decision::Retry {
                after: Duration::from_secs(1),
                failure: false
            }
        );
    }

    #[test]
    fn age_bounds_every_retry() {
        let p = policy();
        assert_eq!(
            decide(&p, 1, Duration::from_secs(3595), &status(500), 0.5),
            Decision::GiveUp
        );
        let ra = Answer::Status {
            code: 429,
            retry_after: Some(Duration::from_secs(10)),
        };
        assert_eq!(
            decide(&p, 9, Duration::from_secs(3595), &ra, 0.5),
            Decision::GiveUp
        );
    }

    #[test]
    fn jitter_stays_within_its_spread() {
        let p = RetryPolicy {
            jitter: 0.2,
            ..policy()
        };
        for unit in [0.0, 0.25, 0.5, 0.75, 0.999] {
            let Decision::Retry { after, .. } = decide(&p, 1, Duration::ZERO, &status(500), unit)
            else {
                panic!()
            };
            assert!(
                after >= Duration::from_secs(8) && after <= Duration::from_secs(12),
                "{after:?}"
            );
        }
        let lo = decide(&p, 1, Duration::ZERO, &status(500), 0.0);
        let hi = decide(&p, 1, Duration::ZERO, &status(500), 0.999);
        assert_ne!(lo, hi);
    }
}
