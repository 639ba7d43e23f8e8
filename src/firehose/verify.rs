//! Whether a candidate commit's signature verifies with its repo's current key.

use super::examine::{Candidate, Skip};
use super::keys::SigningKeys;
use crate::did::DidError;

/// Why a commit was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The metric label.
    pub reason: Skip,
    /// What exactly, for the log.
    pub detail: String,
}

/// Checks `c`'s signature against its repo's `#atproto` key: the cached key first, then,
/// if that fails, a key fetched afresh (keys rotate; the document is re-read once).
pub async fn verify(keys: &SigningKeys, c: &Candidate) -> Result<(), Rejected> {
    let unusable = |e: DidError| Rejected {
        reason: match e {
            DidError::MissingKey { .. } | DidError::BadKey { .. } => Skip::NoKey,
            _ => Skip::DidUnresolved,
        },
        detail: e.to_string(),
    };
    let key = keys.key(&c.did, false).await.map_err(unusable)?;
    if c.commit.verify(&key).is_ok() {
        return Ok(());
    }
    let fresh = keys.key(&c.did, true).await.map_err(unusable)?;
    c.commit.verify(&fresh).map_err(|e| Rejected {
        reason: Skip::BadSignature,
        detail: format!("{e:?} with {fresh}"),
    })
}
