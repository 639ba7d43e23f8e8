//! The synchronous part of handling a frame: decode it, scan a commit's ops for creates
//! the mapping wants, and only then read its blocks, map its records and decode its
//! signed commit. What is left (the signature, which may need a DID look-up, and the
//! store) is the consumer's.

use super::car::Blocks;
use super::commit::SignedCommit;
use super::frame::{self, Commit, Frame};
use super::mst;
use crate::events::Event;
use crate::jetstream::mapping::{map, may_produce, CreateOp, RecordBody, COLLECTIONS};
use ipld_core::cid::Cid;
use std::collections::HashSet;

/// Why a frame, or the commit in it, was skipped: the `reason` label of
/// `placehook_firehose_skipped_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Over the frame size limit, or a commit sent without its blocks (`tooBig`).
    TooLarge,
    /// Not a DAG-CBOR header and body of the expected shape.
    Malformed,
    /// The CAR slice is unreadable, lacks a needed block, or a block does not match its CID.
    BadCar,
    /// The commit block is not a commit of this repo, or a record used is not in its
    /// signed tree.
    BadCommit,
    /// The commit's signature does not verify with the repo's current key.
    BadSignature,
    /// The repo's DID document has no usable `#atproto` key.
    NoKey,
    /// The repo's DID document could not be fetched.
    DidUnresolved,
    /// A record failed its lexicon (or did not decode).
    InvalidRecord,
    /// The account is not active (`#account` said so).
    Inactive,
}

impl Skip {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::TooLarge => "too_large",
            Skip::Malformed => "malformed",
            Skip::BadCar => "bad_car",
            Skip::BadCommit => "bad_commit",
            Skip::BadSignature => "bad_signature",
            Skip::NoKey => "no_key",
            Skip::DidUnresolved => "did_unresolved",
            Skip::InvalidRecord => "invalid_record",
            Skip::Inactive => "inactive",
        }
    }
}

/// A commit whose creates produce events, once its signature verifies.
#[derive(Debug)]
pub struct Candidate {
    /// The repo.
    pub did: String,
    /// The decoded commit object.
    pub commit: SignedCommit,
    /// What its creates produce.
    pub events: Vec<Event>,
}

/// What a frame asks of the consumer.
#[derive(Debug)]
pub enum Step {
    /// Nothing but moving the cursor.
    Pass,
    /// Verify the commit, then accept its events.
    Verify(Box<Candidate>),
    /// Drop the account's cached handle and key.
    Identity(String),
    /// The account became active or inactive.
    Account {
        /// The account.
        did: String,
        /// Its new state.
        active: bool,
    },
    /// A notice or error from the host (`OutdatedCursor`, `FutureCursor`, ...).
    Notice {
        /// Its name.
        name: String,
        /// Its text.
        message: String,
        /// Whether it came as an error frame.
        error: bool,
    },
    /// Skipped, with the repo when known.
    Skip {
        /// Why.
        reason: Skip,
        /// The repo.
        did: Option<String>,
        /// What exactly, for the log.
        detail: String,
    },
}

/// A frame, examined.
#[derive(Debug)]
pub struct Examined {
    /// Where the cursor moves once the step is done (none for undecodable frames).
    pub seq: Option<i64>,
    /// What to do.
    pub step: Step,
    /// Records of the commit that failed their lexicon (skipped, the rest go on).
    pub invalid: Vec<String>,
}

impl Examined {
    fn new(seq: Option<i64>, step: Step) -> Self {
        Self {
            seq,
            step,
            invalid: Vec::new(),
        }
    }
}

fn skip(reason: Skip, did: Option<&str>, detail: impl ToString) -> Step {
    Step::Skip {
        reason,
        did: did.map(str::to_string),
        detail: detail.to_string(),
    }
}

/// Examines one binary frame against the subjects in `sets`; `inactive` holds the
/// accounts `#account` said are not active.
pub fn examine(
    bytes: &[u8],
    max_bytes: usize,
    sets: &[HashSet<String>; 5],
    inactive: &HashSet<String>,
) -> Examined {
    let frame = match frame::decode(bytes, max_bytes) {
        Ok(f) => f,
        Err(e @ frame::FrameError::TooLarge(_)) => {
            return Examined::new(None, skip(Skip::TooLarge, None, e))
        }
        Err(e) => return Examined::new(None, skip(Skip::Malformed, None, e)),
    };
    let seq = frame.seq();
    let step = match frame {
        Frame::Commit(c) => return commit(&c, sets, inactive),
        Frame::Identity(i) => Step::Identity(i.did.to_string()),
        Frame::Account(a) => Step::Account {
            did: a.did.to_string(),
            active: a.active,
        },
        Frame::Info(i) => Step::Notice {
            name: i.name.to_string(),
            message: i.message.unwrap_or_default().to_string(),
            error: false,
        },
        Frame::Error(e) => Step::Notice {
            name: e.error.to_string(),
            message: e.message.unwrap_or_default().to_string(),
            error: true,
        },
        Frame::Sync(_) | Frame::Other { .. } => Step::Pass,
    };
    Examined::new(seq, step)
}

fn commit(c: &Commit<'_>, sets: &[HashSet<String>; 5], inactive: &HashSet<String>) -> Examined {
    let seq = Some(c.seq);
    let did = c.repo;
    // The path scan: for an unrelated commit, the work ends here.
    let mut wanted = c
        .ops
        .iter()
        .filter(|op| op.action == "create")
        .filter_map(|op| {
            let (collection, rkey) = op.split_path()?;
            (COLLECTIONS.contains(&collection) && may_produce(collection, did, c.blocks, sets))
                .then_some((collection, rkey, op.cid))
        })
        .peekable();
    if wanted.peek().is_none() {
        return Examined::new(seq, Step::Pass);
    }
    if inactive.contains(did) {
        return Examined::new(seq, skip(Skip::Inactive, Some(did), "account not active"));
    }
    if c.too_big {
        return Examined::new(
            seq,
            skip(Skip::TooLarge, Some(did), "commit sent as tooBig"),
        );
    }
    let blocks = match Blocks::read(c.blocks) {
        Ok(b) => b,
        Err(e) => return Examined::new(seq, skip(Skip::BadCar, Some(did), e)),
    };
    let (mut events, mut invalid, mut used) = (Vec::new(), Vec::new(), Vec::new());
    for (collection, rkey, cid) in wanted {
        let Some(cid) = cid else {
            return Examined::new(
                seq,
                skip(Skip::BadCommit, Some(did), "create without a cid"),
            );
        };
        let record = match blocks.get(&cid) {
            Ok(r) => r,
            Err(e) => return Examined::new(seq, skip(Skip::BadCar, Some(did), e)),
        };
        let op = CreateOp {
            did,
            collection,
            rkey,
            record: RecordBody::Cbor(record),
        };
        let mapped = map(&op, sets);
        if mapped.invalid {
            invalid.push(format!("{collection}/{rkey}"));
        }
        if !mapped.events.is_empty() {
            used.push((collection, rkey, cid));
        }
        events.extend(mapped.events);
    }
    if events.is_empty() {
        return Examined {
            seq,
            step: Step::Pass,
            invalid,
        };
    }
    let step = match blocks.get(&c.commit).map(SignedCommit::decode) {
        Err(e) => skip(Skip::BadCar, Some(did), e),
        Ok(Err(e)) => skip(Skip::BadCommit, Some(did), e),
        Ok(Ok(signed)) if signed.did != did => skip(
            Skip::BadCommit,
            Some(did),
            format!("commit is for {}", signed.did),
        ),
        Ok(Ok(signed)) => match unsigned_record(&blocks, signed.data, &used) {
            Some(detail) => skip(Skip::BadCommit, Some(did), detail),
            None => Step::Verify(Box::new(Candidate {
                did: did.to_string(),
                commit: signed,
                events,
            })),
        },
    };
    Examined { seq, step, invalid }
}

/// The first record used whose path the signed tree does not map to its CID, if any.
fn unsigned_record(blocks: &Blocks, root: Cid, used: &[(&str, &str, Cid)]) -> Option<String> {
    used.iter().find_map(|(collection, rkey, cid)| {
        let path = format!("{collection}/{rkey}");
        match mst::lookup(blocks, root, path.as_bytes()) {
            Ok(Some(found)) if found == *cid => None,
            Ok(Some(other)) => Some(format!("the signed tree has {other} at {path}")),
            Ok(None) => Some(format!("{path} is not in the signed tree")),
            Err(e) => Some(format!("{path}: {e}")),
        }
    })
}
