//! Repo signing keys: each account's `#atproto` key from its DID document, kept decoded
//! so a verification costs no document look-up or key parsing; dropped on `#identity`,
//! and fetched afresh once when a signature fails (keys rotate).

use crate::auth::keys::PublicKey;
use crate::did::{DidError, DidResolver};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Most keys kept; past it the cache starts over (the DID resolver keeps its documents,
/// so a refill costs key decoding, not network).
const CAPACITY: usize = 50_000;

/// The cache of signing keys, over the process's DID resolver.
pub struct SigningKeys {
    dids: Arc<DidResolver>,
    keys: Mutex<HashMap<String, PublicKey>>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys").finish_non_exhaustive()
    }
}

impl SigningKeys {
    /// An empty cache resolving through `dids`.
    pub fn new(dids: Arc<DidResolver>) -> Self {
        Self {
            dids,
            keys: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, PublicKey>> {
        // A panic while holding the lock cannot leave the map inconsistent.
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `did`'s current `#atproto` key: from the cache, or (and always when `fresh`) from
    /// its DID document.
    pub async fn key(&self, did: &str, fresh: bool) -> Result<PublicKey, DidError> {
        if !fresh {
            if let Some(key) = self.lock().get(did) {
                return Ok(key.clone());
            }
        }
        let key = self.dids.resolve_atproto_key(did, fresh).await?;
        let mut keys = self.lock();
        if keys.len() >= CAPACITY {
            keys.clear();
        }
        keys.insert(did.to_string(), key.clone());
        Ok(key)
    }

    /// Forgets `did`'s key and cached document (after `#identity` or `#account`).
    pub fn forget(&self, did: &str) {
        self.lock().remove(did);
        self.dids.invalidate(did);
    }
}
