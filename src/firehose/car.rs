//! The CAR v1 slice of a commit: its blocks by CID, each checked against its CID when it
//! is used.
//!
//! Read with `iroh-car`, whose reader is async over any `AsyncRead`; a byte slice never
//! waits, so each step completes on its first poll (`now_or_never`), and a step that
//! did not would be reported as an error, never block.

use futures_util::FutureExt as _;
use ipld_core::cid::Cid;
use iroh_car::CarReader;
use sha2::{Digest, Sha256};

/// The multihash code of sha2-256, the only hash ATProto repositories use.
const SHA2_256: u64 = 0x12;

/// Why the blocks were not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CarError {
    /// Not a CAR v1 stream.
    #[error("unreadable CAR: {0}")]
    Unreadable(String),
    /// A needed block is not in the CAR.
    #[error("block {0} missing from the CAR")]
    Missing(Cid),
    /// A block's bytes do not hash to its CID.
    #[error("block {0} does not match its CID")]
    Mismatch(Cid),
}

/// The blocks of one CAR slice.
#[derive(Debug)]
pub struct Blocks {
    blocks: Vec<(Cid, Vec<u8>)>,
}

impl Blocks {
    /// Reads every block of `car` (a commit has a handful, so a list is the fastest map).
    pub fn read(car: &[u8]) -> Result<Self, CarError> {
        let unreadable = |what: String| CarError::Unreadable(what);
        let pending = || CarError::Unreadable("the reader waited on a byte slice".into());
        let mut reader = CarReader::new(car)
            .now_or_never()
            .ok_or_else(pending)?
            .map_err(|e| unreadable(e.to_string()))?;
        let mut blocks = Vec::new();
        while let Some(block) = reader
            .next_block()
            .now_or_never()
            .ok_or_else(pending)?
            .map_err(|e| unreadable(e.to_string()))?
        {
            blocks.push(block);
        }
        Ok(Self { blocks })
    }

    /// The bytes of block `cid`, once they are shown to hash to it.
    pub fn get(&self, cid: &Cid) -> Result<&[u8], CarError> {
        let (_, bytes) = self
            .blocks
            .iter()
            .find(|(c, _)| c == cid)
            .ok_or(CarError::Missing(*cid))?;
        if matches_cid(cid, bytes) {
            Ok(bytes)
        } else {
            Err(CarError::Mismatch(*cid))
        }
    }
}

/// Whether `bytes` hash to `cid`. Only sha2-256 is accepted, as in ATProto repositories;
/// the hash is `sha2`'s (a multihash code table crate would bring a second major
/// version of `sha2` into the build for this one hash).
fn matches_cid(cid: &Cid, bytes: &[u8]) -> bool {
    let hash = cid.hash();
    hash.code() == SHA2_256 && hash.digest() == &Sha256::digest(bytes)[..]
}
