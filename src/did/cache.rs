//! Bounded, TTL'd in-memory cache of resolved DID documents.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::DidDocument;

/// What the cache holds for a DID.
pub(crate) enum Cached {
    /// Younger than the TTL: use it.
    Fresh(Arc<DidDocument>),
    /// Past the TTL but within the stale limit: refresh, fall back to it
    /// only if the refresh fails transiently.
    Stale(Arc<DidDocument>),
    /// Nothing usable.
    Missing,
}

struct Entry {
    doc: Arc<DidDocument>,
    fetched_at: Instant,
}

/// The document cache. Eviction when full: entries past the stale limit
/// first, then the least recently fetched.
pub(crate) struct DocCache {
    entries: Mutex<HashMap<String, Entry>>,
    capacity: usize,
    ttl: Duration,
    max_stale: Duration,
}

impl DocCache {
    pub(crate) fn new(capacity: usize, ttl: Duration, max_stale: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
            ttl,
            max_stale: max_stale.max(ttl),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock cannot leave the map inconsistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn get(&self, did: &str) -> Cached {
        let mut map = self.lock();
        let Some(entry) = map.get(did) else {
            return Cached::Missing;
        };
        let age = entry.fetched_at.elapsed();
        if age < self.ttl {
            Cached::Fresh(entry.doc.clone())
        } else if age < self.max_stale {
            Cached::Stale(entry.doc.clone())
        } else {
            map.remove(did);
            Cached::Missing
        }
    }

    pub(crate) fn insert(&self, did: &str, doc: Arc<DidDocument>) {
        if self.capacity == 0 {
            return;
        }
        let mut map = self.lock();
        if !map.contains_key(did) && map.len() >= self.capacity {
            let max_stale = self.max_stale;
            map.retain(|_, e| e.fetched_at.elapsed() < max_stale);
            if map.len() >= self.capacity {
                let oldest = map
                    .iter()
                    .min_by_key(|(_, e)| e.fetched_at)
                    .map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    map.remove(&oldest);
                }
            }
        }
        let entry = Entry {
            doc,
            fetched_at: Instant::now(),
        };
        map.insert(did.to_string(), entry);
    }

    pub(crate) fn remove(&self, did: &str) {
        self.lock().remove(did);
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
}
