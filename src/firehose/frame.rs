//! One `com.atproto.sync.subscribeRepos` frame: a binary websocket message holding two
//! DAG-CBOR objects back to back, a header (`op` 1 with a message type `t`, or `op` -1 for
//! an error) and a body. Decoded with `serde_ipld_dagcbor` straight from the message,
//! borrowing strings and the CAR slice, so an unrelated commit costs one pass over its
//! bytes and no copy of its blocks.

use ipld_core::cid::Cid;
use serde::Deserialize;

/// A decoded frame.
#[derive(Debug)]
pub enum Frame<'a> {
    /// `#commit`: a repo changed.
    Commit(Commit<'a>),
    /// `#identity`: the account's handle or DID document may have changed.
    Identity(Identity<'a>),
    /// `#account`: the account's hosting status changed.
    Account(Account<'a>),
    /// `#sync`: the repo's state was reset to a commit (no ops to act on).
    Sync(Seq<'a>),
    /// `#info`: a notice from the host, such as `OutdatedCursor`.
    Info(Info<'a>),
    /// An error frame (`op` -1); the host closes the connection after it.
    Error(ErrorBody<'a>),
    /// A message type this build does not act on (older `#handle`, `#tombstone`, ...).
    Other {
        /// Its type.
        t: &'a str,
        /// Its `seq`, if it has one.
        seq: Option<i64>,
    },
}

impl Frame<'_> {
    /// The stream position this frame moves the cursor to, if any.
    pub fn seq(&self) -> Option<i64> {
        match self {
            Frame::Commit(c) => Some(c.seq),
            Frame::Identity(i) => Some(i.seq),
            Frame::Account(a) => Some(a.seq),
            Frame::Sync(s) => Some(s.seq),
            Frame::Info(_) | Frame::Error(_) => None,
            Frame::Other { seq, .. } => *seq,
        }
    }
}

#[derive(Deserialize)]
struct Header<'a> {
    op: i64,
    #[serde(borrow, default)]
    t: Option<&'a str>,
}

/// A `#commit` body (the deprecated `rebase`, `blobs` and `since` are read past).
#[derive(Debug, Deserialize)]
pub struct Commit<'a> {
    /// The stream position.
    pub seq: i64,
    /// The repo's DID.
    pub repo: &'a str,
    /// The CID of the signed commit object, one of `blocks`.
    pub commit: Cid,
    /// The commit's revision (a TID).
    pub rev: &'a str,
    /// Set (by older hosts) when the commit was too large to include its blocks.
    #[serde(rename = "tooBig", default)]
    pub too_big: bool,
    /// A CAR v1 slice: the commit block, changed records and tree nodes.
    #[serde(borrow)]
    pub blocks: &'a [u8],
    /// What changed, by record path.
    #[serde(borrow)]
    pub ops: Vec<RepoOp<'a>>,
}

/// One change of a commit.
#[derive(Debug, Deserialize)]
pub struct RepoOp<'a> {
    /// `create`, `update` or `delete`.
    pub action: &'a str,
    /// `<collection>/<rkey>`.
    pub path: &'a str,
    /// The new record's CID (none on delete).
    pub cid: Option<Cid>,
}

impl<'a> RepoOp<'a> {
    /// The collection and record key of the path, if it has both.
    pub fn split_path(&self) -> Option<(&'a str, &'a str)> {
        let path: &'a str = self.path;
        path.split_once('/')
    }
}

/// An `#identity` body.
#[derive(Debug, Deserialize)]
pub struct Identity<'a> {
    /// The stream position.
    pub seq: i64,
    /// The account.
    pub did: &'a str,
}

/// An `#account` body.
#[derive(Debug, Deserialize)]
pub struct Account<'a> {
    /// The stream position.
    pub seq: i64,
    /// The account.
    pub did: &'a str,
    /// Whether the repo is served (false: takendown, suspended, deleted, deactivated).
    pub active: bool,
    /// Why it is not active.
    #[serde(default)]
    pub status: Option<&'a str>,
}

/// A body of which only the position and the account are needed (`#sync`).
#[derive(Debug, Deserialize)]
pub struct Seq<'a> {
    /// The stream position.
    pub seq: i64,
    /// The account.
    pub did: &'a str,
}

/// An `#info` body.
#[derive(Debug, Deserialize)]
pub struct Info<'a> {
    /// `OutdatedCursor`, or another notice.
    pub name: &'a str,
    /// Its text.
    #[serde(default)]
    pub message: Option<&'a str>,
}

/// An error frame's body.
#[derive(Debug, Deserialize)]
pub struct ErrorBody<'a> {
    /// `FutureCursor`, `ConsumerTooSlow`, ...
    pub error: &'a str,
    /// Its text.
    #[serde(default)]
    pub message: Option<&'a str>,
}

#[derive(Deserialize)]
struct SeqOnly {
    #[serde(default)]
    seq: Option<i64>,
}

/// Why a frame was not decoded.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// Over the size placehook reads.
    #[error("frame of {0} bytes is over the limit")]
    TooLarge(usize),
    /// Not a header and a body of the expected shape.
    #[error("malformed frame: {0}")]
    Malformed(String),
}

/// Decodes a frame of at most `max_bytes`.
pub fn decode(bytes: &[u8], max_bytes: usize) -> Result<Frame<'_>, FrameError> {
    if bytes.len() > max_bytes {
        return Err(FrameError::TooLarge(bytes.len()));
    }
    let bad = |e: serde_ipld_dagcbor::DecodeError<std::convert::Infallible>| {
        FrameError::Malformed(e.to_string())
    };
    let mut de = serde_ipld_dagcbor::de::Deserializer::from_slice(bytes);
    let header = Header::deserialize(&mut de).map_err(bad)?;
    let frame = match (header.op, header.t) {
        (-1, _) => Frame::Error(ErrorBody::deserialize(&mut de).map_err(bad)?),
        (1, Some("#commit")) => Frame::Commit(Commit::deserialize(&mut de).map_err(bad)?),
        (1, Some("#identity")) => Frame::Identity(Identity::deserialize(&mut de).map_err(bad)?),
        (1, Some("#account")) => Frame::Account(Account::deserialize(&mut de).map_err(bad)?),
        (1, Some("#sync")) => Frame::Sync(Seq::deserialize(&mut de).map_err(bad)?),
        (1, Some("#info")) => Frame::Info(Info::deserialize(&mut de).map_err(bad)?),
        (1, Some(t)) => Frame::Other {
            t,
            seq: SeqOnly::deserialize(&mut de).map_err(bad)?.seq,
        },
        (op, t) => {
            return Err(FrameError::Malformed(format!(
                "header op {op} with type {t:?}"
            )))
        }
    };
    de.end().map_err(bad)?;
    Ok(frame)
}
