//! [`ProfileCache`]: profiles by DID, each with its own expiry, at most `capacity` of
//! them (the oldest written are dropped first).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use crate::profile::Profile;

struct Entry {
    profile: Profile,
    /// `None`: the TTL is too long to represent, so never.
    expires_at: Option<Instant>,
    /// Position in the write order.
    seq: u64,
}

/// The cache itself; not synchronised (the resolver keeps it behind a mutex).
pub(crate) struct ProfileCache {
    entries: HashMap<String, Entry>,
    /// `seq` → DID, oldest write first.
    order: BTreeMap<u64, String>,
    next_seq: u64,
    capacity: usize,
}

impl ProfileCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: HashMap::new(),
            order: BTreeMap::new(),
            next_seq: 0,
            capacity,
        }
    }

    /// The profile of `did` if cached and not expired at `now` (an expired one is dropped).
    pub(crate) fn get(&mut self, did: &str, now: Instant) -> Option<Profile> {
        let entry = self.entries.get(did)?;
        if entry.expires_at.is_some_and(|at| at <= now) {
            self.remove(did);
            return None;
        }
        Some(entry.profile.clone())
    }

    /// Store `profile` for `did` until `now + ttl`, dropping the oldest entries beyond
    /// the capacity.
    pub(crate) fn insert(&mut self, did: &str, profile: Profile, ttl: Duration, now: Instant) {
        if self.capacity == 0 || ttl.is_zero() {
            self.remove(did);
            return;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = Entry {
            profile,
            expires_at: now.checked_add(ttl),
            seq,
        };
        if let Some(old) = self.entries.insert(did.to_string(), entry) {
            self.order.remove(&old.seq);
        }
        self.order.insert(seq, did.to_string());
        while self.entries.len() > self.capacity {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
        }
    }

    /// Forget `did`.
    pub(crate) fn remove(&mut self, did: &str) {
        if let Some(old) = self.entries.remove(did) {
            self.order.remove(&old.seq);
        }
    }

    /// Number of entries (expired ones included until they are looked up or evicted).
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    fn profile(did: &str, handle: &str) -> Profile {
        Profile {
            handle: Some(handle.into()),
            ..Profile::did_only(did)
        }
    }

    #[test]
    fn entries_live_until_their_ttl() {
        let now = Instant::now();
        let mut c = ProfileCache::new(10);
        c.insert("did:a", profile("did:a", "a.test"), MIN, now);
        c.insert("did:b", profile("did:b", "b.test"), 10 * MIN, now);
        assert_eq!(
            c.get("did:a", now + MIN / 2),
            Some(profile("did:a", "a.test"))
        );
        assert_eq!(c.get("did:a", now + MIN), None);
        assert_eq!(c.len(), 1, "the expired entry is dropped");
        assert_eq!(c.get("did:b", now + MIN), Some(profile("did:b", "b.test")));
        assert_eq!(c.get("did:c", now), None);
    }

    #[test]
    fn a_rewrite_replaces_profile_and_expiry() {
        let now = Instant::now();
        let mut c = ProfileCache::new(10);
        c.insert("did:a", profile("did:a", "old.test"), MIN, now);
        c.insert("did:a", profile("did:a", "new.test"), 10 * MIN, now);
        assert_eq!(c.len(), 1);
        assert_eq!(
            c.get("did:a", now + 2 * MIN),
            Some(profile("did:a", "new.test"))
        );
    }

    #[test]
    fn the_oldest_writes_are_evicted_beyond_capacity() {
        let now = Instant::now();
        let mut c = ProfileCache::new(3);
        for d in ["did:1", "did:2", "did:3"] {
            c.insert(d, Profile::did_only(d), MIN, now);
        }
        // Rewriting did:1 makes it the newest.
        c.insert("did:1", Profile::did_only("did:1"), MIN, now);
        c.insert("did:4", Profile::did_only("did:4"), MIN, now);
        assert_eq!(c.len(), 3);
        assert_eq!(c.get("did:2", now), None, "oldest write evicted");
        for d in ["did:1", "did:3", "did:4"] {
            assert!(c.get(d, now).is_some(), "{d}");
        }
        for i in 0..100 {
            let d = format!("did:x{i}");
            c.insert(&d, Profile::did_only(&d), MIN, now);
        }
        assert_eq!(c.len(), 3);
        assert_eq!(c.order.len(), 3, "the order index does not leak");
    }

    #[test]
    fn remove_and_zero_capacity() {
        let now = Instant::now();
        let mut c = ProfileCache::new(2);
        c.insert("did:a", Profile::did_only("did:a"), MIN, now);
        c.remove("did:a");
        assert_eq!(c.get("did:a", now), None);
        assert_eq!((c.len(), c.order.len()), (0, 0));

        let mut off = ProfileCache::new(0);
        off.insert("did:a", Profile::did_only("did:a"), MIN, now);
        assert_eq!(off.get("did:a", now), None);
    }

    #[test]
    fn huge_ttls_never_expire() {
        let now = Instant::now();
        let mut c = ProfileCache::new(2);
        c.insert("did:a", Profile::did_only("did:a"), Duration::MAX, now);
        assert!(c.get("did:a", now + 1000 * MIN).is_some());
    }
}
