//! The signed commit object of a repo (`{did, version, data, rev, prev, sig}`) and its
//! signature: ECDSA over sha256 of the DAG-CBOR encoding of the object without `sig`,
//! made with the account's `#atproto` key, low-S (checked by `auth::keys`).
//!
//! The unsigned bytes are the object re-encoded by `serde_ipld_dagcbor` with `sig`
//! removed: DAG-CBOR has one encoding per value (map keys sorted length first), so these
//! are the bytes the repo signed, whatever fields a later commit version adds.

use crate::auth::keys::{PublicKey, SignatureError};
use ipld_core::cid::Cid;
use ipld_core::ipld::Ipld;

/// A decoded commit, ready to verify.
#[derive(Debug, Clone)]
pub struct SignedCommit {
    /// The repo's DID, as the commit states it.
    pub did: String,
    /// The commit revision.
    pub rev: String,
    /// The root of the repo tree the signature covers.
    pub data: Cid,
    sig: Vec<u8>,
    unsigned: Vec<u8>,
}

/// Why a commit block was not a commit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitError {
    /// Not DAG-CBOR, or not a map.
    #[error("commit block is not a DAG-CBOR map: {0}")]
    Decode(String),
    /// A required field is missing or of the wrong type.
    #[error("commit lacks a valid {0:?}")]
    Field(&'static str),
}

impl SignedCommit {
    /// Decodes a commit block.
    pub fn decode(block: &[u8]) -> Result<Self, CommitError> {
        let ipld: Ipld = serde_ipld_dagcbor::from_slice(block)
            .map_err(|e| CommitError::Decode(e.to_string()))?;
        let Ipld::Map(mut map) = ipld else {
            return Err(CommitError::Decode("not a map".into()));
        };
        let Some(Ipld::Bytes(sig)) = map.remove("sig") else {
            return Err(CommitError::Field("sig"));
        };
        let text = |name: &'static str| match map.get(name) {
            Some(Ipld::String(s)) => Ok(s.clone()),
            _ => Err(CommitError::Field(name)),
        };
        let (did, rev) = (text("did")?, text("rev")?);
        let Some(Ipld::Link(data)) = map.get("data") else {
            return Err(CommitError::Field("data"));
        };
        let data = *data;
        let unsigned = serde_ipld_dagcbor::to_vec(&Ipld::Map(map))
            .map_err(|e| CommitError::Decode(e.to_string()))?;
        Ok(Self {
            did,
            rev,
            data,
            sig,
            unsigned,
        })
    }

    /// Checks the signature with `key` (on the key's own curve).
    pub fn verify(&self, key: &PublicKey) -> Result<(), SignatureError> {
        key.verify(key.alg(), &self.unsigned, &self.sig)
    }
}
