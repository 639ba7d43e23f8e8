//! The replay: pre-serialised frames, their sorts, and the mix `Gen::generate` draws.

use crate::generator::Gen;
use rand::Rng;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// One pre-serialised frame.
pub(crate) struct WireFrame {
    pub(crate) time_us: i64,
    /// The commit's collection ("" for identity / account events).
    pub(crate) collection: &'static str,
    /// Index into [`SORTS`].
    pub(crate) sort: u8,
    pub(crate) text: Utf8Bytes,
}

/// The sorts of frame in the replay (`WireFrame::sort` indexes this).
pub(crate) const SORTS: [&str; 14] = [
    "post create",
    "post create, #mention of others",
    "post delete",
    "follow create (random subject)",
    "follow delete",
    "chat message (others' streamer)",
    "livestream create (others)",
    "livestream update (an owner's)",
    "identity",
    "account",
    "MATCH: follow of an owner",
    "MATCH: post mentioning an owner",
    "MATCH: chat to an owner",
    "MATCH: livestream by an owner",
];

pub(crate) struct Replay {
    pub(crate) frames: Arc<Vec<WireFrame>>,
    pub(crate) bytes: usize,
    pub(crate) last_us: i64,
    /// Frames of each sort.
    pub(crate) mix: [u64; SORTS.len()],
    /// Deliveries each owner's webhook must get.
    pub(crate) expected: Vec<u32>,
    pub(crate) matching: u64,
}

impl Gen {
    pub(crate) fn generate(mut self, frames: usize, match_ppm: u32) -> Replay {
        let mut out = Vec::with_capacity(frames);
        let mut mix = [0u64; SORTS.len()];
        let mut expected = vec![0u32; self.owners.len()];
        let mut bytes = 0;
        // Per million: the sorts that match nothing, in order; posts take the rest.
        let table: [(u32, u8); 9] = [
            (10_000, 1),  // post with #mention facets of people nobody subscribed to
            (50_000, 2),  // post delete
            (220_000, 3), // follow of a random DID
            (30_000, 4),  // follow delete
            (20_000, 5),  // chat message to a streamer nobody subscribed to
            (1_000, 6),   // livestream by someone nobody subscribed to
            (500, 7),     // livestream update by an owner (an update: no event)
            (20_000, 8),  // identity
            (10_000, 9),  // account
        ];
        for _ in 0..frames {
            self.t_us += self.rng.gen_range(50..550);
            self.seq += 1;
            let created = Self::datetime(self.t_us - self.rng.gen_range(0..2_000_000));
            let roll = self.rng.gen_range(0..1_000_000u32);
            let mut sort = 0u8;
            if roll < match_ppm {
                sort = 100;
            } else {
                let mut acc = match_ppm;
                for (w, s) in table {
                    acc += w;
                    if roll < acc {
                        sort = s;
                        break;
                    }
                }
            }
            let collection: &'static str;
            let label: u8;
            match sort {
                100 => {
                    let o = self.rng.gen_range(0..self.owners.len());
                    expected[o] += 1;
                    let owner = self.owners[o].clone();
                    let author = self.person();
                    match self.rng.gen_range(0..100) {
                        0..=39 => {
                            label = 10;
                            collection = "app.bsky.graph.follow";
                            let rec = format!(
                                r#"{{"$type":"app.bsky.graph.follow","createdAt":"{created}","subject":"{owner}"}}"#
                            );
                            self.commit(&author, "create", collection, Some(&rec));
                        }
                        40..=69 => {
                            label = 11;
                            collection = "app.bsky.feed.post";
                            let rec = self.post(&created, &[owner], true);
                            self.commit(&author, "create", collection, Some(&rec));
                        }
                        70..=94 => {
                            label = 12;
                            collection = "place.stream.chat.message";
                            let text = self.text(1, 12).replace("\\n", "");
                            let rec = format!(
                                r#"{{"$type":"place.stream.chat.message","createdAt":"{created}","streamer":"{owner}","text":"{text}"}}"#
                            );
                            self.commit(&author, "create", collection, Some(&rec));
                        }
                        _ => {
                            label = 13;
                            collection = "place.stream.livestream";
                            let rec = format!(
                                r#"{{"$type":"place.stream.livestream","agent":"Streamplace/0.7.5","canonicalUrl":"https://stream.place/x","createdAt":"{created}","title":"live now","url":"https://stream.place"}}"#
                            );
                            self.commit(&owner, "create", collection, Some(&rec));
                        }
                    }
                }
                1 => {
                    label = 1;
                    collection = "app.bsky.feed.post";
                    let n = if self.rng.gen_bool(0.8) { 1 } else { 2 };
                    let named: Vec<String> = (0..n).map(|_| self.person()).collect();
                    let rec = self.post(&created, &named, false);
                    let author = self.author();
                    self.commit(&author, "create", collection, Some(&rec));
                }
                2 => {
                    label = 2;
                    collection = "app.bsky.feed.post";
                    let author = self.author();
                    self.commit(&author, "delete", collection, None);
                }
                3 => {
                    label = 3;
                    collection = "app.bsky.graph.follow";
                    let subject = self.person();
                    let rec = format!(
                        r#"{{"$type":"app.bsky.graph.follow","createdAt":"{created}","subject":"{subject}"}}"#
                    );
                    let author = self.author();
                    self.commit(&author, "create", collection, Some(&rec));
                }
                4 => {
                    label = 4;
                    collection = "app.bsky.graph.follow";
                    let author = self.author();
                    self.commit(&author, "delete", collection, None);
                }
                5 => {
                    label = 5;
                    collection = "place.stream.chat.message";
                    let streamer =
                        self.streamers[self.rng.gen_range(0..self.streamers.len())].clone();
                    let text = self.text(1, 15);
                    let rec = format!(
                        r#"{{"$type":"place.stream.chat.message","createdAt":"{created}","streamer":"{streamer}","text":"{text}"}}"#
                    );
                    let author = self.author();
                    self.commit(&author, "create", collection, Some(&rec));
                }
                6 | 7 => {
                    collection = "place.stream.livestream";
                    let (did, op) = if sort == 6 {
                        label = 6;
                        (self.person(), "create")
                    } else {
                        label = 7;
                        (
                            self.owners[self.rng.gen_range(0..self.owners.len())].clone(),
                            "update",
                        )
                    };
                    let rec = format!(
                        r#"{{"$type":"place.stream.livestream","createdAt":"{created}","lastSeenAt":"{created}","title":"streaming","url":"https://stream.place"}}"#
                    );
                    self.commit(&did, op, collection, Some(&rec));
                }
                8 => {
                    label = 8;
                    collection = "";
                    self.identity();
                }
                9 => {
                    label = 9;
                    collection = "";
                    self.account();
                }
                _ => {
                    label = 0;
                    collection = "app.bsky.feed.post";
                    let rec = self.post(&created, &[], false);
                    let author = self.author();
                    self.commit(&author, "create", collection, Some(&rec));
                }
            }
            bytes += self.buf.len();
            mix[usize::from(label)] += 1;
            out.push(WireFrame {
                time_us: self.t_us,
                collection,
                sort: label,
                text: Utf8Bytes::from(self.buf.clone()),
            });
        }
        let matching = expected.iter().map(|&n| u64::from(n)).sum();
        Replay {
            last_us: self.t_us,
            frames: Arc::new(out),
            bytes,
            mix,
            expected,
            matching,
        }
    }
}
