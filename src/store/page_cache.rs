//! Answers to `listWebhooks`, kept in memory until the owner's webhooks change.
//!
//! A page of 50 webhooks costs about 75 µs to read and decode and 10 µs to serialise; a
//! cached answer is a hash look-up. Every store write to an owner's `webhooks` rows (create,
//! update, delete, and the delivery outcomes that move `errorCount` / `lastTriggered` or
//! switch a webhook off) calls [`PageCache::invalidate`] for that owner after it commits,
//! and before the write is acknowledged.
//!
//! The race that matters: a reader misses, reads the database, and meanwhile a write
//! commits and invalidates; the reader must not then store what it read. Each owner's
//! entry carries a generation, taken from one counter: a reader notes it before reading,
//! and stores its page only if the generation is unchanged. An entry evicted meanwhile
//! counts as changed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Bytes of cached answers kept in all; past it the cache starts afresh.
const MAX_BYTES: usize = 16 << 20;

/// What identifies one answer of one owner.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PageKey {
    pub limit: u32,
    pub cursor: Option<String>,
    pub active: Option<bool>,
    pub event: Option<String>,
}

#[derive(Default)]
struct Entry {
    generation: u64,
    pages: HashMap<PageKey, Arc<str>>,
}

#[derive(Default)]
struct State {
    owners: HashMap<String, Entry>,
    bytes: usize,
}

/// See the module docs.
#[derive(Default)]
pub(crate) struct PageCache {
    state: Mutex<State>,
    next: AtomicU64,
}

/// A miss: what a reader must hand back to [`PageCache::store`].
#[derive(Debug)]
pub(crate) struct Ticket(u64);

impl PageCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn generation(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The cached answer, or a ticket to store one read now.
    pub fn get(&self, owner: &str, key: &PageKey) -> Result<Arc<str>, Ticket> {
        let mut state = self.lock();
        if let Some(entry) = state.owners.get(owner) {
            return match entry.pages.get(key) {
                Some(page) => Ok(page.clone()),
                None => Err(Ticket(entry.generation)),
            };
        }
        let generation = self.generation();
        state.owners.insert(
            owner.to_owned(),
            Entry {
                generation,
                pages: HashMap::new(),
            },
        );
        Err(Ticket(generation))
    }

    /// Keeps `page` unless the owner's webhooks changed since `ticket` was issued.
    pub fn store(&self, owner: &str, key: PageKey, ticket: Ticket, page: Arc<str>) {
        let mut state = self.lock();
        if state.bytes + page.len() > MAX_BYTES {
            // Cheaper to rebuild than to track recency; readers holding tickets see their
            // entries gone and store nothing.
            state.owners.clear();
            state.bytes = 0;
            return;
        }
        let Some(entry) = state.owners.get_mut(owner) else {
            return;
        };
        if entry.generation != ticket.0 {
            return;
        }
        let len = page.len();
        if let Some(old) = entry.pages.insert(key, page) {
            state.bytes -= old.len();
        }
        state.bytes += len;
    }

    /// Forgets every answer of `owner`; call after a write to its webhooks commits.
    pub fn invalidate(&self, owner: &str) {
        let generation = self.generation();
        let mut state = self.lock();
        if let Some(entry) = state.owners.get_mut(owner) {
            entry.generation = generation;
            let freed: usize = entry.pages.drain().map(|(_, p)| p.len()).sum();
            state.bytes -= freed;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PageKey {
        PageKey {
            limit: 50,
            cursor: None,
            active: None,
            event: None,
        }
    }

    #[test]
    fn a_write_during_a_read_keeps_the_read_out() {
        let cache = PageCache::default();
        let Err(ticket) = cache.get("a", &key()) else {
            panic!("empty cache hit")
        };
        cache.invalidate("a");
        cache.store("a", key(), ticket, "old".into());
        assert!(cache.get("a", &key()).is_err());
    }

    #[test]
    fn pages_stay_until_their_owner_changes() {
        let cache = PageCache::default();
        let Err(t) = cache.get("a", &key()) else {
            panic!()
        };
        cache.store("a", key(), t, "page".into());
        let Err(t) = cache.get("b", &key()) else {
            panic!()
        };
        cache.store("b", key(), t, "other".into());
        assert_eq!(&*cache.get("a", &key()).unwrap(), "page");
        cache.invalidate("b");
        assert_eq!(&*cache.get("a", &key()).unwrap(), "page");
        assert!(cache.get("b", &key()).is_err());
        cache.invalidate("a");
        assert!(cache.get("a", &key()).is_err());
    }

    #[test]
    fn filling_up_starts_afresh_and_stays_correct() {
        let cache = PageCache::default();
        let big: Arc<str> = "x".repeat(MAX_BYTES / 2 + 1).into();
        for owner in ["a", "b"] {
            let Err(t) = cache.get(owner, &key()) else {
                panic!()
            };
            cache.store(owner, key(), t, big.clone());
        }
        assert!(cache.get("a", &key()).is_err());
        assert!(cache.get("b", &key()).is_err());
        assert_eq!(cache.lock().bytes, 0);
    }
}
