//! A recorded-stream stand-in: `subscribeRepos` frames in the real wire format, built
//! with the same IPLD crates (`placehook::firehose::testing`), every commit signed with
//! its author's secp256k1 key, with a few tree nodes beside its records as real commits
//! carry. Mostly what the network is made of (posts, likes, reposts, follows of anyone,
//! deletes, profile updates, identity and account events), and one commit in
//! `match_every` (and the last) that produces an event for a webhook owner (a follow of,
//! a chat message to, or a post mentioning one).

use ipld_core::cid::Cid;
use ipld_core::ipld::Ipld;
use placehook::auth::testing::{Alg, SigningKey};
use placehook::firehose::testing::{self, CommitParts, Create, Repo};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The generated stream.
pub(crate) struct Stream {
    pub(crate) frames: Vec<Vec<u8>>,
    /// Commits that produce events (each makes exactly one).
    pub(crate) matching: u64,
    /// Frames by sort, in `SORTS` order.
    pub(crate) mix: [u64; SORTS.len()],
    pub(crate) bytes: u64,
}

/// The sorts of frame, for the mix line.
pub(crate) const SORTS: [&str; 9] = [
    "post",
    "post with a mention of nobody watched",
    "like",
    "repost",
    "follow of anyone",
    "delete",
    "profile update",
    "identity / account",
    "matching",
];

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";

pub(crate) fn did(rng: &mut StdRng) -> String {
    let id: String = (0..24)
        .map(|_| LETTERS[rng.gen_range(0..LETTERS.len())] as char)
        .collect();
    format!("did:plc:{id}")
}

fn words(rng: &mut StdRng, n: usize) -> String {
    const W: [&str; 12] = [
        "the", "stream", "tonight", "is", "great", "look", "at", "this", "new", "build", "hello",
        "everyone",
    ];
    (0..n)
        .map(|_| W[rng.gen_range(0..W.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

fn now() -> &'static str {
    "2026-01-01T00:00:00.000Z"
}

fn strong_ref(rng: &mut StdRng) -> Value {
    let cid = testing::cid_of(&rng.gen::<[u8; 16]>());
    json!({"uri": format!("at://{}/app.bsky.feed.post/3k{}", did(rng), rng.gen_range(0..1_000_000)),
           "cid": cid.to_string()})
}

fn post(rng: &mut StdRng, mention: Option<&str>) -> Value {
    let n = rng.gen_range(5..30);
    let text = words(rng, n);
    let mut rec =
        json!({"$type": "app.bsky.feed.post", "text": text, "langs": ["en"], "createdAt": now()});
    if rng.gen_bool(0.3) {
        rec["reply"] = json!({"root": strong_ref(rng), "parent": strong_ref(rng)});
    }
    if let Some(who) = mention {
        rec["facets"] = json!([{"index": {"byteStart": 0, "byteEnd": 5},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": who}]}]);
    }
    rec
}

/// A tree node with `n` entries, as a real commit carries a few on each path it changed.
fn tree_node(rng: &mut StdRng, n: usize) -> (Cid, Vec<u8>) {
    let entries = (0..n)
        .map(|i| {
            let mut e = BTreeMap::new();
            e.insert("p".to_string(), Ipld::Integer(if i == 0 { 0 } else { 20 }));
            let key = format!(
                "app.bsky.feed.like/3k{:011}",
                rng.gen_range(0..u64::MAX / 4096)
            );
            e.insert("k".to_string(), Ipld::Bytes(key.into_bytes()));
            e.insert(
                "v".to_string(),
                Ipld::Link(testing::cid_of(&rng.gen::<[u8; 8]>())),
            );
            e.insert("t".to_string(), Ipld::Null);
            Ipld::Map(e)
        })
        .collect();
    let mut node = BTreeMap::new();
    node.insert("l".to_string(), Ipld::Null);
    node.insert("e".to_string(), Ipld::List(entries));
    let bytes = testing::encode(&Ipld::Map(node));
    (testing::cid_of(&bytes), bytes)
}

pub(crate) struct Gen {
    rng: StdRng,
    pub(crate) owners: Vec<String>,
    pub(crate) authors: Vec<Repo>,
}

impl Gen {
    pub(crate) fn new(seed: u64, owners: usize, authors: usize) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let owners = (0..owners).map(|_| did(&mut rng)).collect();
        let authors = (0..authors)
            .map(|_| Repo {
                did: did(&mut rng),
                key: SigningKey::generate(Alg::Es256k),
            })
            .collect();
        Self {
            rng,
            owners,
            authors,
        }
    }

    pub(crate) fn generate(&mut self, n: usize, match_every: usize) -> Stream {
        let mut frames = Vec::with_capacity(n);
        let (mut matching, mut mix, mut bytes) = (0u64, [0u64; SORTS.len()], 0u64);
        for i in 0..n {
            let seq = i as i64 + 1;
            // The last frame matches, so the consumer saves its cursor with its event
            // (the end-to-end run's finish line) rather than at its next timer tick.
            let last = i + 1 == n;
            let (sort, frame) = if match_every > 0 && (i % match_every == match_every / 2 || last) {
                matching += 1;
                (8, self.matching(seq))
            } else {
                self.unrelated(seq)
            };
            mix[sort] += 1;
            bytes += frame.len() as u64;
            frames.push(frame);
        }
        Stream {
            frames,
            matching,
            mix,
            bytes,
        }
    }

    fn author(&mut self) -> Repo {
        let i = self.rng.gen_range(0..self.authors.len());
        self.authors[i].clone()
    }

    fn rkey(&mut self) -> String {
        format!("3k{:011}", self.rng.gen_range(0..u64::MAX / 4096))
    }

    fn commit(&mut self, seq: i64, create: Option<(&str, Value)>, action: &str) -> Vec<u8> {
        let repo = self.author();
        let rkey = self.rkey();
        let creates: Vec<Create> = create
            .map(|(collection, record)| Create {
                collection: collection.into(),
                rkey: rkey.clone(),
                record,
            })
            .into_iter()
            .collect();
        let mut parts = CommitParts::new(&repo, seq, &creates);
        if action != "create" {
            // An update or delete of an unrelated record.
            let collection = if action == "delete" {
                "app.bsky.feed.like"
            } else {
                "app.bsky.actor.profile"
            };
            let cid = (action == "update").then(|| testing::cid_of(&self.rng.gen::<[u8; 8]>()));
            parts.ops = vec![(action.into(), format!("{collection}/{rkey}"), cid)];
        }
        for _ in 0..self.rng.gen_range(2..5) {
            let n = self.rng.gen_range(3..9);
            let node = tree_node(&mut self.rng, n);
            parts.blocks.push(node);
        }
        parts.frame()
    }

    fn unrelated(&mut self, seq: i64) -> (usize, Vec<u8>) {
        let roll = self.rng.gen_range(0..1000);
        let rng = &mut self.rng;
        let (sort, create, action) = match roll {
            0..=349 => (0, Some(("app.bsky.feed.post", post(rng, None))), "create"),
            350..=359 => {
                let nobody = did(rng);
                (
                    1,
                    Some(("app.bsky.feed.post", post(rng, Some(&nobody)))),
                    "create",
                )
            }
            360..=699 => {
                let rec = json!({"$type": "app.bsky.feed.like", "subject": strong_ref(rng), "createdAt": now()});
                (2, Some(("app.bsky.feed.like", rec)), "create")
            }
            700..=799 => {
                let rec = json!({"$type": "app.bsky.feed.repost", "subject": strong_ref(rng), "createdAt": now()});
                (3, Some(("app.bsky.feed.repost", rec)), "create")
            }
            800..=879 => {
                let rec = json!({"$type": "app.bsky.graph.follow", "subject": did(rng), "createdAt": now()});
                (4, Some(("app.bsky.graph.follow", rec)), "create")
            }
            880..=949 => (5, None, "delete"),
            950..=989 => (6, None, "update"),
            _ => {
                let who = did(rng);
                let frame = if roll % 2 == 0 {
                    testing::identity_frame(seq, &who, "someone.bsky.social")
                } else {
                    testing::account_frame(seq, &who, true)
                };
                return (7, frame);
            }
        };
        (sort, self.commit(seq, create, action))
    }

    fn matching(&mut self, seq: i64) -> Vec<u8> {
        let owner = self.owners[self.rng.gen_range(0..self.owners.len())].clone();
        let rng = &mut self.rng;
        let create = match rng.gen_range(0..3) {
            0 => (
                "app.bsky.graph.follow",
                json!({"$type": "app.bsky.graph.follow", "subject": owner, "createdAt": now()}),
            ),
            1 => (
                "place.stream.chat.message",
                json!({"$type": "place.stream.chat.message",
                    "text": words(rng, 8), "streamer": owner, "createdAt": now()}),
            ),
            _ => ("app.bsky.feed.post", post(rng, Some(&owner))),
        };
        self.commit(seq, Some(create), "create")
    }
}
