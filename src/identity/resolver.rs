//! [`IdentityResolver`]: cached, coalesced profile look-ups.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use futures_util::future::{BoxFuture, Shared};
use futures_util::FutureExt;

use super::cache::ProfileCache;
use super::lookup::look_up;
use super::{http_client, IdentityConfig};
use crate::did::{is_atproto_did, DidResolver};
use crate::profile::{Profile, ProfileResolver};

/// A look-up in progress, shared by every caller asking for its DID meanwhile.
struct InFlight {
    /// Tells this look-up apart from a later one for the same DID (after an invalidation).
    id: u64,
    result: Shared<BoxFuture<'static, Profile>>,
}

struct Inner {
    dids: Arc<DidResolver>,
    client: reqwest::Client,
    config: IdentityConfig,
    cache: Mutex<ProfileCache>,
    /// Lock order: `in_flight`, then `cache`.
    in_flight: Mutex<HashMap<String, InFlight>>,
    next_id: AtomicU64,
}

/// Resolves DIDs to [`Profile`]s: handle and PDS from the DID document, avatar from the
/// AppView, chat colour from the `place.stream.chat.profile` record on the PDS.
///
/// * Profiles are cached for [`IdentityConfig::ttl`], or [`IdentityConfig::negative_ttl`]
///   when a part of the look-up failed (so it is retried soon), at most
///   [`IdentityConfig::max_entries`] of them.
/// * Concurrent callers for one DID share one look-up. It runs as its own task, so a
///   caller giving up early (the dispatcher's timeout) still leaves the result cached.
/// * Each part has its own timeout ([`IdentityConfig::timeout`]): a slow AppView only
///   costs the avatar, a slow PDS only the colour.
///
/// Cheap to clone (clones share everything); needs a Tokio runtime to resolve.
#[derive(Clone)]
pub struct IdentityResolver {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for IdentityResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityResolver")
            .field("config", &self.inner.config)
            .field("cached", &lock(&self.inner.cache).len())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing here can panic half-way through an update, so a poisoned lock is still sound.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl IdentityResolver {
    /// A resolver with its own HTTP client ([`http_client`]). Fails only if the client
    /// cannot be built.
    pub fn new(dids: Arc<DidResolver>, config: IdentityConfig) -> reqwest::Result<Self> {
        let client = http_client(&config)?;
        Ok(Self::with_client(dids, config, client))
    }

    /// A resolver using `client` for the AppView and PDS requests (it should have
    /// timeouts and a `User-Agent`, like [`http_client`]'s).
    pub fn with_client(
        dids: Arc<DidResolver>,
        config: IdentityConfig,
        client: reqwest::Client,
    ) -> Self {
        let cache = Mutex::new(ProfileCache::new(config.max_entries));
        Self {
            inner: Arc::new(Inner {
                dids,
                client,
                config,
                cache,
                in_flight: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(0),
            }),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &IdentityConfig {
        &self.inner.config
    }

    /// The profile of `did`: cached, or looked up (sharing a look-up already in progress).
    /// Never fails; see [`ProfileResolver`].
    pub async fn profile(&self, did: &str) -> Profile {
        // Anything else is not worth a request (the DID resolver would reject it, the
        // AppView would not know it).
        if !is_atproto_did(did) {
            return Profile::did_only(did);
        }
        let result = {
            let mut in_flight = lock(&self.inner.in_flight);
            // Checked under the in-flight lock: a finishing look-up fills the cache and
            // leaves the map in one step, so this sees one or the other.
            if let Some(profile) = lock(&self.inner.cache).get(did, Instant::now()) {
                return profile;
            }
            match in_flight.get(did) {
                Some(flight) => flight.result.clone(),
                None => {
                    let flight = self.start(did);
                    let result = flight.result.clone();
                    in_flight.insert(did.to_string(), flight);
                    result
                }
            }
        };
        result.await
    }

    /// Forget what is known about `did`: its cached profile, any look-up in progress (its
    /// result is no longer cached), and the DID resolver's cached document, so the next
    /// resolve fetches everything again (e.g. after an identity event changed the handle).
    pub fn invalidate(&self, did: &str) {
        {
            let mut in_flight = lock(&self.inner.in_flight);
            in_flight.remove(did);
            lock(&self.inner.cache).remove(did);
        }
        self.inner.dids.invalidate(did);
    }

    /// Spawn the look-up of `did`. The caller registers it in the in-flight map.
    fn start(&self, did: &str) -> InFlight {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let inner = self.inner.clone();
        let owned = did.to_string();
        let task = tokio::spawn(async move {
            let lookup = look_up(&inner.dids, &inner.client, &inner.config, &owned).await;
            inner.finish(&owned, id, lookup.profile.clone(), lookup.complete);
            lookup.profile
        });
        let inner = self.inner.clone();
        let owned = did.to_string();
        let result = task
            .map(move |joined| {
                joined.unwrap_or_else(|err| {
                    // The task panicked or the runtime is shutting down: do not leave
                    // a dead look-up registered.
                    tracing::warn!(did = %owned, error = %err, "profile look-up failed");
                    inner.forget_flight(&owned, id);
                    Profile::did_only(owned)
                })
            })
            .boxed()
            .shared();
        InFlight { id, result }
    }
}

impl Inner {
    /// Cache the result of look-up `id` of `did`, unless it was invalidated meanwhile.
    fn finish(&self, did: &str, id: u64, profile: Profile, complete: bool) {
        let mut in_flight = lock(&self.in_flight);
        if in_flight.get(did).is_some_and(|f| f.id == id) {
            let ttl = if complete {
                self.config.ttl
            } else {
                self.config.negative_ttl
            };
            lock(&self.cache).insert(did, profile, ttl, Instant::now());
            in_flight.remove(did);
        }
    }

    fn forget_flight(&self, did: &str, id: u64) {
        let mut in_flight = lock(&self.in_flight);
        if in_flight.get(did).is_some_and(|f| f.id == id) {
            in_flight.remove(did);
        }
    }
}

impl ProfileResolver for IdentityResolver {
    fn resolve<'a>(&'a self, did: &'a str) -> BoxFuture<'a, Profile> {
        self.profile(did).boxed()
    }

    fn invalidate(&self, did: &str) {
        IdentityResolver::invalidate(self, did);
    }
}
