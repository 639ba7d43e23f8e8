//! Where a record sits in the signed repo tree: the Merkle Search Tree under a commit's
//! `data`, walked through the commit's own blocks. A create's block is only the record
//! the repo signed if the tree the signature covers maps its path to its CID; the ops
//! list and the blocks beside the commit are not signed themselves.
//!
//! A node is `{l: left subtree | null, e: [{p, k, v, t}]}`: entries in key order, each
//! key stored as the length `p` it shares with the previous key plus the rest `k`, its
//! record `v`, and `t` the subtree of keys between it and the next entry. Written here
//! because the IPLD crates decode nodes but do not walk repository trees; a create
//! rewrites every node on its key's path, so a commit carries all of them.

use super::car::{Blocks, CarError};
use ipld_core::cid::Cid;
use serde::Deserialize;
use std::cmp::Ordering;

/// Deeper than any real tree (a fanout of 16 reaches 2^64 keys by 16 levels).
const MAX_DEPTH: usize = 64;

#[derive(Deserialize)]
struct Node<'a> {
    l: Option<Cid>,
    #[serde(borrow)]
    e: Vec<Entry<'a>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    p: usize,
    k: &'a [u8],
    v: Cid,
    t: Option<Cid>,
}

/// Why a path could not be looked up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MstError {
    /// A node on the path is missing or does not match its CID.
    #[error("tree node: {0}")]
    Block(#[from] CarError),
    /// A node is not a tree node.
    #[error("malformed tree node {0}")]
    Malformed(Cid),
    /// Deeper than any real tree.
    #[error("tree deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// The record CID the tree under `root` holds for `key`, `None` if it holds none.
pub fn lookup(blocks: &Blocks, root: Cid, key: &[u8]) -> Result<Option<Cid>, MstError> {
    let mut at = root;
    for _ in 0..MAX_DEPTH {
        let node: Node = serde_ipld_dagcbor::from_slice(blocks.get(&at)?)
            .map_err(|_| MstError::Malformed(at))?;
        let mut below = node.l;
        let mut prev: Vec<u8> = Vec::new();
        for entry in &node.e {
            if entry.p > prev.len() {
                return Err(MstError::Malformed(at));
            }
            prev.truncate(entry.p);
            prev.extend_from_slice(entry.k);
            match prev.as_slice().cmp(key) {
                Ordering::Equal => return Ok(Some(entry.v)),
                Ordering::Less => below = entry.t,
                Ordering::Greater => break,
            }
        }
        match below {
            Some(next) => at = next,
            None => return Ok(None),
        }
    }
    Err(MstError::TooDeep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::firehose::testing::{car, cid_of, encode};
    use ipld_core::ipld::Ipld;
    use std::collections::BTreeMap;

    fn node(l: Option<Cid>, entries: &[(usize, &str, Cid, Option<Cid>)]) -> (Cid, Vec<u8>) {
        let link = |c: Option<Cid>| c.map_or(Ipld::Null, Ipld::Link);
        let e = entries
            .iter()
            .map(|(p, k, v, t)| {
                let mut m = BTreeMap::new();
                m.insert("p".to_string(), Ipld::Integer(*p as i128));
                m.insert("k".to_string(), Ipld::Bytes(k.as_bytes().to_vec()));
                m.insert("v".to_string(), Ipld::Link(*v));
                m.insert("t".to_string(), link(*t));
                Ipld::Map(m)
            })
            .collect();
        let mut m = BTreeMap::new();
        m.insert("l".to_string(), link(l));
        m.insert("e".to_string(), Ipld::List(e));
        let bytes = encode(&Ipld::Map(m));
        (cid_of(&bytes), bytes)
    }

    #[test]
    fn finds_keys_through_subtrees_and_shared_prefixes() {
        let rec = |n: u8| cid_of(&[n]);
        // Left of the root's first key, between its keys, and right of its last.
        let left = node(None, &[(0, "app.bsky.graph.follow/3a", rec(1), None)]);
        let mid = node(None, &[(0, "app.bsky.graph.follow/3n", rec(2), None)]);
        let right = node(None, &[(0, "app.bsky.graph.follow/3z", rec(3), None)]);
        let root = node(
            Some(left.0),
            &[
                (0, "app.bsky.graph.follow/3m", rec(4), Some(mid.0)),
                // Shares "app.bsky.graph.follow/3" (23 bytes) with the key before.
                (23, "p", rec(5), Some(right.0)),
            ],
        );
        let blocks = Blocks::read(&car(
            root.0,
            &[root.clone(), left.clone(), mid.clone(), right.clone()],
        ))
        .unwrap();
        let find = |k: &str| lookup(&blocks, root.0, k.as_bytes()).unwrap();
        assert_eq!(find("app.bsky.graph.follow/3a"), Some(rec(1)));
        assert_eq!(find("app.bsky.graph.follow/3n"), Some(rec(2)));
        assert_eq!(find("app.bsky.graph.follow/3z"), Some(rec(3)));
        assert_eq!(find("app.bsky.graph.follow/3m"), Some(rec(4)));
        assert_eq!(find("app.bsky.graph.follow/3p"), Some(rec(5)));
        assert_eq!(find("app.bsky.graph.follow/3b"), None);
        assert_eq!(find("app.bsky.feed.post/3a"), None);
        // A node on the path missing from the blocks: not provable.
        let partial = Blocks::read(&car(root.0, &[root.clone(), left])).unwrap();
        assert!(matches!(
            lookup(&partial, root.0, b"app.bsky.graph.follow/3z"),
            Err(MstError::Block(CarError::Missing(_)))
        ));
        // A prefix longer than the previous key, and a block that is not a node.
        let bad = node(None, &[(5, "x", rec(1), None)]);
        let blocks = Blocks::read(&car(bad.0, std::slice::from_ref(&bad))).unwrap();
        assert_eq!(
            lookup(&blocks, bad.0, b"x"),
            Err(MstError::Malformed(bad.0))
        );
        let not_node = encode(&Ipld::String("hi".into()));
        let cid = cid_of(&not_node);
        let blocks = Blocks::read(&car(cid, &[(cid, not_node)])).unwrap();
        assert_eq!(lookup(&blocks, cid, b"x"), Err(MstError::Malformed(cid)));
    }
}
