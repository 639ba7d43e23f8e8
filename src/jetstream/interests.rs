//! Who wants what: the subjects with an active webhook, per event type. The consumer
//! checks every candidate against this set, so its cost per firehose event does not
//! grow with the number of webhooks.

use crate::events::EventKind;
use crate::store::{Store, StoreError};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The set, swapped whole on reload.
#[derive(Debug)]
pub struct Interests {
    sets: RwLock<Arc<[HashSet<String>; 5]>>,
    /// The store's subscription generation the sets were read at (`u64::MAX`: never).
    loaded: AtomicU64,
}

impl Default for Interests {
    fn default() -> Self {
        Self {
            sets: RwLock::default(),
            loaded: AtomicU64::new(u64::MAX),
        }
    }
}

impl Interests {
    /// An empty set that needs loading.
    pub fn new() -> Self {
        Self::default()
    }

    /// A snapshot for a batch of look-ups.
    pub fn snapshot(&self) -> Arc<[HashSet<String>; 5]> {
        self.sets.read().expect("interest lock").clone()
    }

    /// Whether the store's webhooks changed who receives what since the last reload
    /// (created, deleted, switched on or off by their owner or by failures): the store
    /// says so in one place (`Store::subscriptions_generation`).
    pub fn is_stale(&self, store: &Store) -> bool {
        self.loaded.load(Ordering::Acquire) != store.subscriptions_generation()
    }

    /// Reloads from the database.
    pub async fn reload(&self, store: &Store) -> Result<(), StoreError> {
        // Taken before reading: a change that commits meanwhile leaves the set stale.
        let generation = store.subscriptions_generation();
        let rows = store.active_subscriptions().await?;
        let mut sets: [HashSet<String>; 5] = Default::default();
        for (owner, kinds) in rows {
            for kind in kinds {
                sets[index(kind)].insert(owner.clone());
            }
        }
        *self.sets.write().expect("interest lock") = Arc::new(sets);
        self.loaded.store(generation, Ordering::Release);
        Ok(())
    }
}

/// The position of a kind in the sets (and its bit in `events_mask`).
pub fn index(kind: EventKind) -> usize {
    EventKind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("every kind is in ALL")
}

/// Whether `did` has an active webhook for `kind` in a snapshot.
pub fn wants(sets: &[HashSet<String>; 5], kind: EventKind, did: &str) -> bool {
    sets[index(kind)].contains(did)
}
