//! [`DidResolver`]: cached, coalesced DID document resolution.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::cache::{Cached, DocCache};
use super::{fetch, method, DidDocument, DidError, DidResolverConfig};
use crate::auth::keys::PublicKey;

type FetchResult = Result<Arc<DidDocument>, DidError>;
type InFlight = Mutex<HashMap<String, Arc<OnceCell<FetchResult>>>>;

/// Resolves `did:plc` and `did:web` DIDs to their documents.
///
/// Documents are cached (TTL, bounded size); concurrent lookups of the same
/// DID share one HTTP request; [`DidResolver::resolve_fresh`] bypasses the
/// cache (used when a signature fails, since keys rotate). Share one
/// resolver per process behind an `Arc`.
pub struct DidResolver {
    config: DidResolverConfig,
    client: reqwest::Client,
    cache: DocCache,
    in_flight: InFlight,
}

impl std::fmt::Debug for DidResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DidResolver")
            .field("config", &self.config)
            .field("cached", &self.cache.len())
            .finish_non_exhaustive()
    }
}

impl DidResolver {
    /// Build a resolver. Fails only if the HTTP client cannot be built.
    pub fn new(config: DidResolverConfig) -> Result<Self, DidError> {
        let client = fetch::client(config.timeout)?;
        let cache = DocCache::new(
            config.cache_capacity,
            config.cache_ttl,
            config.cache_max_stale,
        );
        Ok(Self {
            config,
            client,
            cache,
            in_flight: Mutex::new(HashMap::new()),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &DidResolverConfig {
        &self.config
    }

    /// Resolve `did`, from the cache when fresh. A stale cached document is
    /// refreshed, and served only if the refresh fails transiently
    /// (network error, timeout, 5xx).
    pub async fn resolve(&self, did: &str) -> Result<Arc<DidDocument>, DidError> {
        let stale = match self.cache.get(did) {
            Cached::Fresh(doc) => return Ok(doc),
            Cached::Stale(doc) => Some(doc),
            Cached::Missing => None,
        };
        match (self.fetch_coalesced(did).await, stale) {
            (Err(err), Some(doc)) if err.is_transient() => {
                tracing::warn!(%did, error = %err, "did refresh failed; using stale document");
                Ok(doc)
            }
            (result, _) => result,
        }
    }

    /// Resolve `did` bypassing the cache, and update the cache with the result.
    pub async fn resolve_fresh(&self, did: &str) -> Result<Arc<DidDocument>, DidError> {
        self.fetch_coalesced(did).await
    }

    /// Resolve the `#atproto` signing key of `did` (`fresh` bypasses the cache).
    pub async fn resolve_atproto_key(&self, did: &str, fresh: bool) -> Result<PublicKey, DidError> {
        self.resolve_key(did, "atproto", fresh).await
    }

    /// Resolve the public key of verification method `#<key_id>` of `did`.
    pub async fn resolve_key(
        &self,
        did: &str,
        key_id: &str,
        fresh: bool,
    ) -> Result<PublicKey, DidError> {
        let doc = if fresh {
            self.resolve_fresh(did).await?
        } else {
            self.resolve(did).await?
        };
        match doc.public_key(key_id) {
            Ok(Some(key)) => Ok(key),
            Ok(None) => Err(DidError::MissingKey {
                did: did.to_string(),
                key_id: key_id.to_string(),
            }),
            Err(e) => Err(DidError::BadKey {
                did: did.to_string(),
                reason: e.to_string(),
            }),
        }
    }

    /// Drop any cached document for `did`.
    pub fn invalidate(&self, did: &str) {
        self.cache.remove(did);
    }

    async fn fetch_coalesced(&self, did: &str) -> FetchResult {
        // Validate first so only well-formed DIDs get in-flight entries.
        let location = method::locate(
            did,
            &self.config.plc_url,
            self.config.allow_insecure_did_web_loopback,
        )?;
        let cell = {
            let mut map = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(did.to_string()).or_default().clone()
        };
        let _guard = InFlightGuard {
            map: &self.in_flight,
            did,
            cell: cell.clone(),
        };
        cell.get_or_init(|| async {
            let result = fetch::fetch_document(
                &self.client,
                did,
                &location.url,
                self.config.max_document_bytes,
            )
            .await
            .map(Arc::new);
            match &result {
                Ok(doc) => self.cache.insert(did, doc.clone()),
                Err(e) if !e.is_transient() => self.cache.remove(did),
                Err(_) => {}
            }
            result
        })
        .await
        .clone()
    }
}

/// Removes a DID's in-flight cell once the lookup is done, or when the last
/// waiter is cancelled before it finished (so cancelled lookups leak nothing).
struct InFlightGuard<'a> {
    map: &'a InFlight,
    did: &'a str,
    cell: Arc<OnceCell<FetchResult>>,
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let Some(current) = map.get(self.did) else {
            return;
        };
        // Clones of the cell are only made under this lock, so the count is
        // exact here: 2 means only the map and this guard hold it.
        let done = self.cell.initialized() || Arc::strong_count(&self.cell) == 2;
        if Arc::ptr_eq(current, &self.cell) && done {
            map.remove(self.did);
        }
    }
}
