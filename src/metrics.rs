//! Prometheus metrics: events accepted, deliveries by outcome, attempt latency, queue
//! depth and switched-off webhooks, served as text at `GET /metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TypeLabel {
    r#type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NameLabel {
    name: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

struct Inner {
    registry: Registry,
    events: Family<TypeLabel, Counter>,
    deliveries: Family<OutcomeLabel, Counter>,
    latency: Histogram,
    queue: Family<StateLabel, Gauge>,
    disabled: Gauge,
    frames: Counter,
    invalid_records: Counter,
    reconnects: Counter,
    lag_ms: Gauge,
    firehose: Firehose,
}

/// The repo firehose consumer's counters.
#[derive(Default)]
struct Firehose {
    frames: Counter,
    skipped: Family<ReasonLabel, Counter>,
    reconnects: Counter,
    notices: Family<NameLabel, Counter>,
}

impl Firehose {
    fn register(&self, registry: &mut Registry) {
        registry.register(
            "firehose_frames",
            "Repo firehose frames read",
            self.frames.clone(),
        );
        registry.register(
            "firehose_skipped",
            "Repo firehose frames or commits skipped, by reason (malformed, too_large, \
             bad_car, bad_commit, bad_signature, no_key, did_unresolved, invalid_record, \
             inactive)",
            self.skipped.clone(),
        );
        registry.register(
            "firehose_reconnects",
            "Repo firehose (re)connection attempts",
            self.reconnects.clone(),
        );
        registry.register(
            "firehose_notices",
            "Repo firehose #info and error frames, by name (OutdatedCursor, FutureCursor, ...)",
            self.notices.clone(),
        );
    }
}

/// The service's metrics; cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("placehook");
        let events = Family::<TypeLabel, Counter>::default();
        let deliveries = Family::<OutcomeLabel, Counter>::default();
        // 5 ms .. ~20 s
        let latency = Histogram::new(exponential_buckets(0.005, 2.0, 13));
        let queue = Family::<StateLabel, Gauge>::default();
        let disabled = Gauge::default();
        let (frames, invalid_records, reconnects) =
            (Counter::default(), Counter::default(), Counter::default());
        let lag_ms = Gauge::default();
        registry.register("jetstream_frames", "Jetstream events read", frames.clone());
        registry.register(
            "jetstream_invalid_records",
            "Jetstream records that failed their lexicon and were skipped",
            invalid_records.clone(),
        );
        registry.register(
            "jetstream_reconnects",
            "Jetstream (re)connection attempts",
            reconnects.clone(),
        );
        registry.register(
            "jetstream_lag_milliseconds",
            "Age of the last Jetstream event processed",
            lag_ms.clone(),
        );
        let firehose = Firehose::default();
        firehose.register(&mut registry);
        registry.register(
            "events_accepted",
            "Events accepted, by type",
            events.clone(),
        );
        registry.register(
            "delivery_attempts",
            "Delivery attempts by outcome (succeeded, retry, failed, muted, skipped)",
            deliveries.clone(),
        );
        registry.register(
            "delivery_attempt_duration_seconds",
            "Time from sending a delivery to its response",
            latency.clone(),
        );
        registry.register(
            "delivery_queue",
            "Deliveries waiting (pending) or being sent (inflight)",
            queue.clone(),
        );
        registry.register(
            "webhooks_disabled",
            "Webhooks switched off by placehook",
            disabled.clone(),
        );
        Self {
            inner: Arc::new(Inner {
                registry,
                events,
                deliveries,
                latency,
                queue,
                disabled,
                frames,
                invalid_records,
                reconnects,
                lag_ms,
                firehose,
            }),
        }
    }

    /// Counts an accepted event.
    pub fn event_accepted(&self, kind: &str) {
        self.inner
            .events
            .get_or_create(&TypeLabel {
                r#type: kind.to_string(),
            })
            .inc();
    }

    /// Counts a finished attempt.
    pub fn delivery(&self, outcome: &str) {
        self.inner
            .deliveries
            .get_or_create(&OutcomeLabel {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Records how long an attempt took to get its response.
    pub fn attempt_latency(&self, d: Duration) {
        self.inner.latency.observe(d.as_secs_f64());
    }

    /// Counts Jetstream frames read, of which `invalid` had a record failing its lexicon.
    pub fn jetstream_frames(&self, n: u64, invalid: u64) {
        self.inner.frames.inc_by(n);
        self.inner.invalid_records.inc_by(invalid);
    }

    /// Counts a Jetstream connection attempt.
    pub fn jetstream_reconnect(&self) {
        self.inner.reconnects.inc();
    }

    /// Sets how far behind the stream the consumer is.
    pub fn jetstream_lag(&self, lag: Duration) {
        self.inner
            .lag_ms
            .set(i64::try_from(lag.as_millis()).unwrap_or(i64::MAX));
    }

    /// Counts repo firehose frames read.
    pub fn firehose_frames(&self, n: u64) {
        self.inner.firehose.frames.inc_by(n);
    }

    /// Counts a skipped firehose frame or commit.
    pub fn firehose_skipped(&self, reason: &str) {
        self.inner
            .firehose
            .skipped
            .get_or_create(&ReasonLabel {
                reason: reason.to_string(),
            })
            .inc();
    }

    /// Counts a firehose connection attempt.
    pub fn firehose_reconnect(&self) {
        self.inner.firehose.reconnects.inc();
    }

    /// Counts a firehose `#info` or error frame.
    pub fn firehose_notice(&self, name: &str) {
        self.inner
            .firehose
            .notices
            .get_or_create(&NameLabel {
                name: name.to_string(),
            })
            .inc();
    }

    /// The text exposition, with the queue gauges set from `pending`, `inflight`, `disabled`.
    pub fn render(&self, pending: i64, inflight: i64, disabled: i64) -> String {
        let i = &self.inner;
        i.queue
            .get_or_create(&StateLabel {
                state: "pending".into(),
            })
            .set(pending);
        i.queue
            .get_or_create(&StateLabel {
                state: "inflight".into(),
            })
            .set(inflight);
        i.disabled.set(disabled);
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &i.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposes_every_family() {
        let m = Metrics::new();
        m.event_accepted("chat");
        m.delivery("succeeded");
        m.attempt_latency(Duration::from_millis(12));
        m.firehose_skipped("bad_signature");
        let text = m.render(3, 1, 2);
        for needle in [
            "placehook_events_accepted_total{type=\"chat\"} 1",
            "placehook_delivery_attempts_total{outcome=\"succeeded\"} 1",
            "placehook_delivery_attempt_duration_seconds_count 1",
            "placehook_delivery_queue{state=\"pending\"} 3",
            "placehook_webhooks_disabled 2",
            "placehook_firehose_skipped_total{reason=\"bad_signature\"} 1",
        ] {
            assert!(text.contains(needle), "{needle} missing in\n{text}");
        }
    }
}
