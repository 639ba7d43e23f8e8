//! What sending a delivery needs besides the delivery row, kept decoded between
//! deliveries: the event (shared by every webhook it fans out to) and the webhook's
//! settings and signing secrets (shared by all of its deliveries). Decoding them was most
//! of the cost of taking a delivery.
//!
//! Events never change once accepted, and no event number is given twice (pruning keeps
//! the newest event, see `Store::prune`). Webhook settings are checked against a generation
//! that every write to a webhook's settings, activity or secrets moves on after it
//! commits; an entry is used only if it was read at the current generation. A reader
//! takes the generation before reading, so a write that commits meanwhile leaves its entry
//! stale, never the other way round. Entries are also dropped when their earliest secret
//! expiry passes. Both maps are bounded.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::events::Event;
use crate::model::Endpoint;

/// Events kept; lanes move through events in order, so the oldest goes first.
const EVENTS: usize = 1024;
/// Webhooks kept; past this the map starts afresh.
const ENDPOINTS: usize = 4096;

/// Events by sequence, and the order they came in.
#[derive(Default)]
struct Events {
    by_seq: HashMap<i64, Arc<Event>>,
    order: VecDeque<i64>,
}

/// The cache; one per store.
#[derive(Default)]
pub(crate) struct SendCache {
    generation: AtomicU64,
    events: Mutex<Events>,
    endpoints: Mutex<HashMap<String, (u64, Arc<Endpoint>)>>,
}

impl SendCache {
    /// A webhook's settings or secrets changed (or may have: called after a failed write
    /// too). Everything read before now is stale.
    pub fn webhooks_changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Take this before reading a webhook, and hand it to [`Self::put_endpoint`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The event with this sequence number, if kept.
    pub fn event(&self, seq: i64) -> Option<Arc<Event>> {
        self.events
            .lock()
            .expect("event cache lock")
            .by_seq
            .get(&seq)
            .cloned()
    }

    /// Keeps a decoded event; the oldest goes when full.
    pub fn put_event(&self, seq: i64, event: Arc<Event>) {
        let mut events = self.events.lock().expect("event cache lock");
        if events.by_seq.insert(seq, event).is_none() {
            events.order.push_back(seq);
            if events.order.len() > EVENTS {
                if let Some(old) = events.order.pop_front() {
                    events.by_seq.remove(&old);
                }
            }
        }
    }

    /// The webhook as read at the current generation, unless a secret has expired since.
    pub fn endpoint(&self, webhook_id: &str, now_ms: i64) -> Option<Arc<Endpoint>> {
        let current = self.generation();
        let endpoints = self.endpoints.lock().expect("endpoint cache lock");
        let (generation, endpoint) = endpoints.get(webhook_id)?;
        let fresh = *generation == current && endpoint.until_ms.is_none_or(|u| now_ms < u);
        fresh.then(|| endpoint.clone())
    }

    /// Keeps a webhook as read at `generation` (taken before the read).
    pub fn put_endpoint(&self, webhook_id: &str, generation: u64, endpoint: Arc<Endpoint>) {
        let mut endpoints = self.endpoints.lock().expect("endpoint cache lock");
        if endpoints.len() >= ENDPOINTS && !endpoints.contains_key(webhook_id) {
            endpoints.clear();
        }
        endpoints.insert(webhook_id.to_owned(), (generation, endpoint));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EventKind;
    use crate::model::{Webhook, WebhookSettings};

    fn endpoint(active: bool, until_ms: Option<i64>) -> Arc<Endpoint> {
        let webhook = Webhook {
            id: "w".into(),
            settings: WebhookSettings {
                url: "https://a.test/".into(),
                events: vec![EventKind::Chat],
                active,
                ..Default::default()
            },
            created_at: "2026-12-01T00:00:00.000Z".into(),
            updated_at: None,
            last_triggered: None,
            error_count: 0,
            disabled: None,
        };
        Arc::new(Endpoint {
            webhook,
            owner: "did:plc:a".into(),
            secrets: Vec::new(),
            until_ms,
        })
    }

    #[test]
    fn a_change_during_a_read_leaves_that_read_stale() {
        let cache = SendCache::default();
        let before = cache.generation();
        // A write commits while the row is being read...
        cache.webhooks_changed();
        cache.put_endpoint("w", before, endpoint(true, None));
        // ...so what was read is not used.
        assert!(cache.endpoint("w", 0).is_none());
        let now = cache.generation();
        cache.put_endpoint("w", now, endpoint(false, None));
        assert!(!cache.endpoint("w", 0).unwrap().webhook.settings.active);
        cache.webhooks_changed();
        assert!(cache.endpoint("w", 0).is_none());
    }

    #[test]
    fn an_expired_secret_drops_the_entry() {
        let cache = SendCache::default();
        cache.put_endpoint("w", cache.generation(), endpoint(true, Some(1_000)));
        assert!(cache.endpoint("w", 999).is_some());
        assert!(cache.endpoint("w", 1_000).is_none());
    }

    #[test]
    fn events_are_kept_oldest_out() {
        let cache = SendCache::default();
        let event = Arc::new(Event {
            kind: EventKind::Chat,
            subject: "did:plc:a".into(),
            author: None,
            uri: None,
            record: None,
        });
        for seq in 0..=EVENTS as i64 {
            cache.put_event(seq, event.clone());
        }
        assert!(cache.event(0).is_none());
        assert!(cache.event(1).is_some());
        assert!(cache.event(EVENTS as i64).is_some());
    }
}
