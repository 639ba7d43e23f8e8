//! The one place where a change to webhooks reaches every cache of them.
//!
//! Three caches hold what the store knows about webhooks: `listWebhooks` answers per owner
//! ([`PageCache`]), webhooks as deliveries are sent ([`SendCache`]), and the subjects
//! with an active webhook per event type that the stream consumers filter on (kept by
//! `jetstream::Interests`, which compares [`Changes::subscriptions`] with the generation
//! it loaded). Every write that touches a webhook says here what it touched, after it
//! commits (or failed: a write that may have committed counts as a change), and before
//! it is acknowledged; no cache is invalidated anywhere else.

use super::page_cache::PageCache;
use super::send_cache::SendCache;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a write touched, from the least to the most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Touched {
    /// What only listings show: `errorCount`, `lastTriggered`.
    Listing,
    /// What sending reads as well: URL, texts, signing secrets.
    Sending,
    /// What decides who receives which events: a webhook created, deleted, switched on
    /// or off, or its events changed.
    Subscriptions,
}

/// The caches, and a generation of the subscription set.
#[derive(Default)]
pub(crate) struct Changes {
    pub pages: PageCache,
    pub sends: SendCache,
    subscriptions: AtomicU64,
}

impl Changes {
    /// Webhooks of `owners` changed as far as `touched`.
    pub fn webhooks<'a>(&self, owners: impl IntoIterator<Item = &'a str>, touched: Touched) {
        if touched >= Touched::Sending {
            self.sends.webhooks_changed();
        }
        if touched >= Touched::Subscriptions {
            self.subscriptions.fetch_add(1, Ordering::AcqRel);
        }
        for owner in owners {
            self.pages.invalidate(owner);
        }
    }

    /// Moves on whenever the set of active subscriptions may have changed; a reader takes
    /// it before reading the set, so a change that commits meanwhile leaves it stale.
    pub fn subscriptions(&self) -> u64 {
        self.subscriptions.load(Ordering::Acquire)
    }
}
