//! Who wants what: the subjects with an active webhook, per event type. The consumer
//! checks every candidate against this set, so its cost per firehose event does not
//! grow with the number of webhooks.

use crate::events::EventKind;
use crate::store::{Store, StoreError};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

/// The set, swapped whole on reload.
#[derive(Debug, Default)]
pub struct Interests {
    sets: RwLock<Arc<[HashSet<String>; 5]>>,
    stale: AtomicBool,
}

impl Interests {
    /// An empty set that needs loading.
    pub fn new() -> Self {
        let s = Self::default();
        s.stale.store(true, Ordering::SeqCst);
        s
    }

    /// A snapshot for a batch of look-ups.
    pub fn snapshot(&self) -> Arc<[HashSet<String>; 5]> {
        self.sets.read().expect("interest lock").clone()
    }

    /// Webhooks changed: reload before the next look-up.
    pub fn mark_stale(&self) {
        self.stale.store(true, Ordering::SeqCst);
    }

    /// Whether a reload is due.
    pub fn is_stale(&self) -> bool {
        self.stale.load(Ordering::SeqCst)
    }

    /// Reloads from the database.
    pub async fn reload(&self, store: &Store) -> Result<(), StoreError> {
        self.stale.store(false, Ordering::SeqCst);
        let rows = store.active_subscriptions().await?;
        let mut sets: [HashSet<String>; 5] = Default::default();
        for (owner, mask) in rows {
            for (i, kind) in EventKind::ALL.iter().enumerate() {
                if mask & (1 << index(*kind)) != 0 {
                    sets[i].insert(owner.clone());
                }
            }
        }
        *self.sets.write().expect("interest lock") = Arc::new(sets);
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
