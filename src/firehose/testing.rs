//! Test support: real-format `subscribeRepos` frames built with the same IPLD crates the
//! consumer reads them with, and commits signed with a real key. Behind the `test-util`
//! feature, like `auth::testing`; used by unit tests, `tests/e2e` and the firehose bench.

use crate::auth::testing::SigningKey;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use futures_util::FutureExt as _;
use ipld_core::cid::multihash::Multihash;
use ipld_core::cid::Cid;
use ipld_core::ipld::Ipld;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The multicodec of DAG-CBOR.
pub const DAG_CBOR: u64 = 0x71;

/// An account that signs its commits.
#[derive(Debug, Clone)]
pub struct Repo {
    /// Its DID.
    pub did: String,
    /// Its `#atproto` key.
    pub key: SigningKey,
}

/// A record create in a commit being built.
#[derive(Debug, Clone)]
pub struct Create {
    /// The collection NSID.
    pub collection: String,
    /// The record key.
    pub rkey: String,
    /// The record in its ATProto JSON form (`$link` and `$bytes` become links and bytes).
    pub record: Value,
}

/// The CIDv1 (DAG-CBOR, sha2-256) of a block.
pub fn cid_of(block: &[u8]) -> Cid {
    let digest = Sha256::digest(block);
    let hash = Multihash::wrap(0x12, &digest).expect("a 32-byte digest fits");
    Cid::new_v1(DAG_CBOR, hash)
}

/// An ATProto JSON value as IPLD: `{"$link": cid}` is a link, `{"$bytes": b64}` bytes.
pub fn ipld(value: &Value) -> Ipld {
    match value {
        Value::Null => Ipld::Null,
        Value::Bool(b) => Ipld::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map(|i| Ipld::Integer(i.into()))
            .unwrap_or_else(|| Ipld::Float(n.as_f64().unwrap_or_default())),
        Value::String(s) => Ipld::String(s.clone()),
        Value::Array(items) => Ipld::List(items.iter().map(ipld).collect()),
        Value::Object(map) => {
            if let (1, Some(Value::String(link))) = (map.len(), map.get("$link")) {
                if let Ok(cid) = link.parse() {
                    return Ipld::Link(cid);
                }
            }
            if let (1, Some(Value::String(b))) = (map.len(), map.get("$bytes")) {
                if let Ok(bytes) = STANDARD_NO_PAD.decode(b) {
                    return Ipld::Bytes(bytes);
                }
            }
            Ipld::Map(map.iter().map(|(k, v)| (k.clone(), ipld(v))).collect())
        }
    }
}

/// DAG-CBOR bytes of an IPLD value.
pub fn encode(value: &Ipld) -> Vec<u8> {
    serde_ipld_dagcbor::to_vec(value).expect("IPLD values encode")
}

fn map(entries: Vec<(&str, Ipld)>) -> Ipld {
    Ipld::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// The commit object `repo` signs: `{did, version: 3, data, rev, prev: null, sig}`.
pub fn signed_commit(repo: &Repo, data: Cid, rev: &str) -> Vec<u8> {
    let mut fields = vec![
        ("did", Ipld::String(repo.did.clone())),
        ("version", Ipld::Integer(3)),
        ("data", Ipld::Link(data)),
        ("rev", Ipld::String(rev.to_string())),
        ("prev", Ipld::Null),
    ];
    let unsigned = encode(&map(fields.clone()));
    fields.push(("sig", Ipld::Bytes(repo.key.sign(&unsigned).to_vec())));
    encode(&map(fields))
}

/// A CAR v1 of `blocks` with `root` as its root.
pub fn car(root: Cid, blocks: &[(Cid, Vec<u8>)]) -> Vec<u8> {
    let mut writer = iroh_car::CarWriter::new(iroh_car::CarHeader::new_v1(vec![root]), Vec::new());
    let done = async {
        writer.write_header().await?;
        for (cid, bytes) in blocks {
            writer.write(*cid, bytes).await?;
        }
        writer.finish().await
    };
    done.now_or_never()
        .expect("writing to a Vec never waits")
        .expect("CAR writes")
}

/// A frame: the header `{op: 1, t}` then `body`.
pub fn frame(t: &str, body: &Ipld) -> Vec<u8> {
    let mut out = encode(&map(vec![
        ("op", Ipld::Integer(1)),
        ("t", Ipld::String(t.to_string())),
    ]));
    out.extend(encode(body));
    out
}

/// An error frame: `{op: -1}` then `{error, message}`.
pub fn error_frame(error: &str, message: &str) -> Vec<u8> {
    let mut out = encode(&map(vec![("op", Ipld::Integer(-1))]));
    out.extend(encode(&map(vec![
        ("error", Ipld::String(error.into())),
        ("message", Ipld::String(message.into())),
    ])));
    out
}

/// The parts of a `#commit` frame, to build as is or to spoil for bad-input tests.
#[derive(Debug, Clone)]
pub struct CommitParts {
    /// `seq`.
    pub seq: i64,
    /// `repo`.
    pub did: String,
    /// The commit block's CID.
    pub commit: Cid,
    /// `rev`.
    pub rev: String,
    /// Every block: the commit, the records, one tree node.
    pub blocks: Vec<(Cid, Vec<u8>)>,
    /// `(action, path, cid)`.
    pub ops: Vec<(String, String, Option<Cid>)>,
}

impl CommitParts {
    /// A commit by `repo` at `seq` creating `creates`, signed, over a one-node tree
    /// holding the records (a real tree has more levels; the format is the same).
    pub fn new(repo: &Repo, seq: i64, creates: &[Create]) -> Self {
        let rev = tid(seq);
        let mut blocks = Vec::new();
        let mut ops = Vec::new();
        let mut entries = Vec::new();
        for c in creates {
            let bytes = encode(&ipld(&c.record));
            let cid = cid_of(&bytes);
            let path = format!("{}/{}", c.collection, c.rkey);
            entries.push(map(vec![
                ("p", Ipld::Integer(0)),
                ("k", Ipld::Bytes(path.clone().into_bytes())),
                ("v", Ipld::Link(cid)),
                ("t", Ipld::Null),
            ]));
            ops.push(("create".to_string(), path, Some(cid)));
            blocks.push((cid, bytes));
        }
        // Tree entries are in key order.
        let mut keyed: Vec<(String, Ipld)> = ops
            .iter()
            .map(|(_, path, _)| path.clone())
            .zip(entries)
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        let entries = keyed.into_iter().map(|(_, e)| e).collect();
        let node = encode(&map(vec![("l", Ipld::Null), ("e", Ipld::List(entries))]));
        let data = cid_of(&node);
        let commit = signed_commit(repo, data, &rev);
        let commit_cid = cid_of(&commit);
        blocks.insert(0, (commit_cid, commit));
        blocks.push((data, node));
        Self {
            seq,
            did: repo.did.clone(),
            commit: commit_cid,
            rev,
            blocks,
            ops,
        }
    }

    /// The frame.
    pub fn frame(&self) -> Vec<u8> {
        self.frame_with_car(car(self.commit, &self.blocks))
    }

    /// The frame with `blocks` set to the given bytes.
    pub fn frame_with_car(&self, blocks: Vec<u8>) -> Vec<u8> {
        let ops = self
            .ops
            .iter()
            .map(|(action, path, cid)| {
                map(vec![
                    ("action", Ipld::String(action.clone())),
                    ("path", Ipld::String(path.clone())),
                    ("cid", cid.map_or(Ipld::Null, Ipld::Link)),
                ])
            })
            .collect();
        frame(
            "#commit",
            &map(vec![
                ("seq", Ipld::Integer(self.seq.into())),
                ("rebase", Ipld::Bool(false)),
                ("tooBig", Ipld::Bool(false)),
                ("repo", Ipld::String(self.did.clone())),
                ("commit", Ipld::Link(self.commit)),
                ("rev", Ipld::String(self.rev.clone())),
                ("since", Ipld::Null),
                ("blocks", Ipld::Bytes(blocks)),
                ("ops", Ipld::List(ops)),
                ("blobs", Ipld::List(Vec::new())),
                ("time", Ipld::String("2026-01-01T00:00:00.000Z".into())),
            ]),
        )
    }
}

/// A `#identity` frame.
pub fn identity_frame(seq: i64, did: &str, handle: &str) -> Vec<u8> {
    frame(
        "#identity",
        &map(vec![
            ("seq", Ipld::Integer(seq.into())),
            ("did", Ipld::String(did.into())),
            ("handle", Ipld::String(handle.into())),
            ("time", Ipld::String("2026-01-01T00:00:00.000Z".into())),
        ]),
    )
}

/// An `#account` frame.
pub fn account_frame(seq: i64, did: &str, active: bool) -> Vec<u8> {
    let mut fields = vec![
        ("seq", Ipld::Integer(seq.into())),
        ("did", Ipld::String(did.into())),
        ("active", Ipld::Bool(active)),
        ("time", Ipld::String("2026-01-01T00:00:00.000Z".into())),
    ];
    if !active {
        fields.push(("status", Ipld::String("deactivated".into())));
    }
    frame("#account", &map(fields))
}

/// An `#info` frame.
pub fn info_frame(name: &str) -> Vec<u8> {
    frame(
        "#info",
        &map(vec![
            ("name", Ipld::String(name.into())),
            (
                "message",
                Ipld::String("cursor is older than the backfill window".into()),
            ),
        ]),
    )
}

/// A TID-like revision for a sequence number (13 base32-sortable characters).
pub fn tid(n: i64) -> String {
    const ALPHABET: &[u8] = b"234567abcdefghijklmnopqrstuvwxyz";
    let mut v = (1_700_000_000_000_000u64 + n.unsigned_abs()) << 10;
    let mut out = [b'2'; 13];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(v & 31) as usize];
        v >>= 5;
    }
    String::from_utf8_lossy(&out).into_owned()
}
