//! Jetstream consumer throughput and memory (issue 5): events/s consumed and filtered
//! from a local replay of mostly non-matching events, on one core, with 10,000
//! registered webhooks.
//!
//! Run: `cargo bench --bench jetstream`.
//!
//! Setup (in the bench process):
//!
//! * `WEBHOOKS` owners (distinct `did:plc` DIDs), one webhook each for `chat`,
//!   `livestream`, `follow` and `mention`, created with `Store::create_webhook` in a
//!   template SQLite file; each webhook's URL is its own path on a local receiver that
//!   answers 204 (`--allow-private-targets`).
//! * A generated replay of `FRAMES` frames in the Jetstream wire format, pre-serialised:
//!   only what a real Jetstream sends for the consumer's `wantedCollections` (posts,
//!   follows, chat messages, livestreams; no likes or reposts) plus identity and account
//!   events. Mostly post creates (some with replies, image / external / quote embeds,
//!   link and tag facets, ~1% of frames with `#mention` facets naming DIDs nobody
//!   subscribed to), follows of random DIDs, chat messages to random streamers, deletes,
//!   livestream updates by owners, and `MATCH_PPM` per million frames that do match one
//!   webhook (a follow of, chat to, mention of or livestream by an owner).
//! * A fake Jetstream: a websocket server (`tokio_tungstenite::accept_hdr_async`) on its
//!   own thread and current-thread runtime, honouring `wantedCollections` and `cursor`.
//!   The first connection gets the whole replay as fast as the client reads it, then a
//!   close; later connections (the consumer's reconnect) get nothing and stay open.
//!
//! Measured, per round, each in a child process (this binary re-executed), pinned with
//! `taskset` to one core while the bench process (fake Jetstream, receiver) is pinned to
//! another, so the child's every thread (runtime, SQLite writer and checkpointer) shares
//! one core:
//!
//! 1. `bare`: a tokio-tungstenite client on a current-thread runtime reading and
//!    discarding the frames (the transport ceiling).
//! 2. `consumer`: the real service (`placehook::server::run_with`, so the real
//!    `jetstream::Consumer`, dispatcher and store, with
//!    `Hooks { resolver: DidOnlyResolver }`) on a current-thread runtime, against a fresh
//!    copy of the template database. Time: from the fake's websocket handshake until
//!    the consumer's saved cursor (`Store::jetstream_cursor`, polled every `POLL_MS`)
//!    equals the last frame's `time_us`. Memory: the child's VmRSS, sampled every 50 ms, reported
//!    at start, every 10% of the stream, at the end and at its peak (VmHWM). The child
//!    does not hold the replay (the bench process does; its size is printed apart).
//!    Checked: frames read = frames sent, events accepted = matching frames, every
//!    webhook's receiver path got exactly its matching frames' deliveries, no invalid
//!    records.
//! 3. `consumer, no webhooks`: the same against a database without webhooks, so nothing
//!    matches; the difference from 2 is the cost of the matching frames.
//!
//! And once, in this process on one thread: `frame::parse` alone and `frame::parse` +
//! `mapping::map` over the pre-serialised frames against the real `Interests` snapshot
//! (which must yield exactly the matching events).
//!
//! Environment (defaults in brackets): `FRAMES` [1000000], `WEBHOOKS` [10000],
//! `MATCH_PPM` [1000], `SEED` [5], `ROUNDS` [3], `PARSE_PASSES` [3], `PIN` [1] (0: no
//! `taskset`), `POLL_MS` [5], `PERF` [unset] (a path: `perf record -g` the last
//! consumer round into it).
//! Quick run: `FRAMES=100000 WEBHOOKS=1000 ROUNDS=1 cargo bench --bench jetstream`.
//! Nothing leaves loopback: profiles come from `DidOnlyResolver`, and the PLC / AppView
//! URLs point at a closed loopback port.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use placehook::config::ServeConfig;
use placehook::jetstream::consumer::subscribe_url;
use placehook::jetstream::{frame, mapping, Interests};
use placehook::lexicon::place::stream::server::create_webhook;
use placehook::profile::{DidOnlyResolver, ProfileResolver};
use placehook::server::Hooks;
use placehook::store::{Store, StoreOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_util::sync::CancellationToken;

/// The issue's target, events/s.
const TARGET: f64 = 100_000.0;
/// 2025-12-01T00:00:00Z in Unix microseconds.
const BASE_US: i64 = 1_764_547_200_000_000;
/// Where the PLC directory and AppView "are": a closed loopback port (never used).
const NOWHERE: &str = "http://127.0.0.1:9/";

fn env_or<T: FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Cfg {
    frames: usize,
    webhooks: usize,
    match_ppm: u32,
    seed: u64,
    rounds: usize,
    parse_passes: usize,
    pin: bool,
    perf: Option<String>,
}

impl Cfg {
    fn from_env() -> Self {
        Self {
            frames: env_or("FRAMES", 1_000_000),
            webhooks: env_or("WEBHOOKS", 10_000),
            match_ppm: env_or("MATCH_PPM", 1000),
            seed: env_or("SEED", 5),
            rounds: env_or("ROUNDS", 3usize).max(1),
            parse_passes: env_or("PARSE_PASSES", 3usize).max(1),
            pin: env_or("PIN", 1u8) != 0,
            perf: std::env::var("PERF").ok().filter(|p| !p.is_empty()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The replay

/// One pre-serialised frame.
struct WireFrame {
    time_us: i64,
    /// The commit's collection ("" for identity / account events).
    collection: &'static str,
    /// Index into [`SORTS`].
    sort: u8,
    text: Utf8Bytes,
}

/// The sorts of frame in the replay (`WireFrame::sort` indexes this).
const SORTS: [&str; 14] = [
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

struct Replay {
    frames: Arc<Vec<WireFrame>>,
    bytes: usize,
    last_us: i64,
    /// Frames of each sort.
    mix: [u64; SORTS.len()],
    /// Deliveries each owner's webhook must get.
    expected: Vec<u32>,
    matching: u64,
}

const DID_CHARS: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
const TID_CHARS: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// Words for post and chat texts, already JSON-escaped (Go's encoder escapes `&` and
/// `<`; real texts have newlines, quotes, emoji and other non-ASCII text).
const WORDS: &[&str] = &[
    "the",
    "a",
    "stream",
    "tonight",
    "just",
    "posting",
    "really",
    "love",
    "this",
    "new",
    "art",
    "coffee",
    "morning",
    "good",
    "why",
    "is",
    "everyone",
    "so",
    "today",
    "game",
    "music",
    "photo",
    "cat",
    "dog",
    "weekend",
    "finally",
    "working",
    "on",
    "my",
    "project",
    "thread",
    "🧵",
    "✨",
    "😂",
    "café",
    "naïve",
    "\\n",
    "\\n\\n",
    "\\u0026",
    "\\u003c3",
    "\\\"quote\\\"",
    "lol",
    "honestly",
    "what",
    "do",
    "you",
    "think",
    "about",
    "it",
    "…",
    "日本語",
    "のテスト",
    "bluesky",
    "atproto",
    "release",
    "tomorrow",
    "👀",
    "🔴",
    "live",
    "chat",
    "come",
    "hang",
    "out",
    "with",
    "us",
    "👋",
    "hello",
    "world",
    "again",
];

struct Gen {
    rng: StdRng,
    t_us: i64,
    seq: i64,
    owners: Vec<String>,
    /// Authors, follow subjects and mention targets: random DIDs, none an owner.
    people: Vec<String>,
    /// Streamers nobody subscribed to.
    streamers: Vec<String>,
    buf: String,
}

impl Gen {
    fn did(rng: &mut StdRng) -> String {
        let mut s = String::with_capacity(32);
        s.push_str("did:plc:");
        for _ in 0..24 {
            s.push(DID_CHARS[rng.gen_range(0..32)] as char);
        }
        s
    }

    fn new(seed: u64, webhooks: usize) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut owners_set = HashSet::new();
        let mut owners = Vec::with_capacity(webhooks);
        while owners.len() < webhooks {
            let d = Self::did(&mut rng);
            if owners_set.insert(d.clone()) {
                owners.push(d);
            }
        }
        let fresh = |n: usize, rng: &mut StdRng| -> Vec<String> {
            (0..n)
                .map(|_| loop {
                    let d = Self::did(rng);
                    if !owners_set.contains(&d) {
                        break d;
                    }
                })
                .collect()
        };
        let people = fresh(100_000, &mut rng);
        let streamers = fresh(2_000, &mut rng);
        Self {
            rng,
            t_us: BASE_US,
            seq: 8_000_000_000,
            owners,
            people,
            streamers,
            buf: String::new(),
        }
    }

    fn person(&mut self) -> String {
        self.people[self.rng.gen_range(0..self.people.len())].clone()
    }

    /// An author: mostly random people, sometimes an owner (whose own posts, follows
    /// and chat messages match nothing).
    fn author(&mut self) -> String {
        if self.rng.gen_bool(0.03) {
            self.owners[self.rng.gen_range(0..self.owners.len())].clone()
        } else {
            self.person()
        }
    }

    /// A record key: a TID from the current time and a random clock id.
    fn tid(&mut self, us: i64) -> String {
        let v = ((us as u64) << 10) | self.rng.gen_range(0..1024u64);
        (0..13)
            .map(|i| TID_CHARS[((v >> (60 - 5 * i)) & 31) as usize] as char)
            .collect()
    }

    fn cid(&mut self, prefix: &str) -> String {
        let mut s = String::with_capacity(59);
        s.push_str(prefix);
        for _ in 0..(59 - prefix.len()) {
            s.push(DID_CHARS[self.rng.gen_range(0..32)] as char);
        }
        s
    }

    fn datetime(us: i64) -> String {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
            .expect("valid time");
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }

    fn text(&mut self, min: usize, max: usize) -> String {
        let n = self.rng.gen_range(min..=max);
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(WORDS[self.rng.gen_range(0..WORDS.len())]);
        }
        s
    }

    fn blob(&mut self, mime: &str) -> String {
        let cid = self.cid("bafkrei");
        let size = self.rng.gen_range(20_000..950_000);
        format!(r#"{{"$type":"blob","ref":{{"$link":"{cid}"}},"mimeType":"{mime}","size":{size}}}"#)
    }

    fn strong_ref(&mut self, collection: &str) -> String {
        let did = self.person();
        let t = self.t_us - self.rng.gen_range(1_000_000..86_400_000_000);
        let rkey = self.tid(t);
        let cid = self.cid("bafyrei");
        format!(r#"{{"cid":"{cid}","uri":"at://{did}/{collection}/{rkey}"}}"#)
    }

    /// A post record; `mentions` are DIDs named by `#mention` facets.
    fn post(&mut self, created: &str, mentions: &[String], plain: bool) -> String {
        let mut text = if plain {
            "hey look at this".to_string()
        } else {
            self.text(2, 40)
        };
        let mut facets: Vec<String> = Vec::new();
        for d in mentions {
            let start = text.len() + 1;
            let _ = write!(text, " @user{}.bsky.social", self.rng.gen_range(0..100_000));
            facets.push(format!(
                r##"{{"features":[{{"$type":"app.bsky.richtext.facet#mention","did":"{d}"}}],"index":{{"byteEnd":{},"byteStart":{start}}}}}"##,
                text.len()
            ));
        }
        if !plain && self.rng.gen_bool(0.15) {
            let start = text.len() + 1;
            let path = self.tid(self.t_us);
            let uri = format!("https://example.com/articles/{path}");
            let _ = write!(text, " {uri}");
            facets.push(format!(
                r##"{{"features":[{{"$type":"app.bsky.richtext.facet#link","uri":"{uri}"}}],"index":{{"byteEnd":{},"byteStart":{start}}}}}"##,
                text.len()
            ));
        }
        if !plain && self.rng.gen_bool(0.05) {
            let start = text.len() + 1;
            text.push_str(" #art");
            facets.push(format!(
                r##"{{"features":[{{"$type":"app.bsky.richtext.facet#tag","tag":"art"}}],"index":{{"byteEnd":{},"byteStart":{start}}}}}"##,
                text.len()
            ));
        }
        let mut r = String::with_capacity(512);
        let _ = write!(
            r,
            r#"{{"$type":"app.bsky.feed.post","createdAt":"{created}""#
        );
        if !plain {
            let roll: f64 = self.rng.gen();
            if roll < 0.18 {
                let n = self.rng.gen_range(1..=4);
                let images: Vec<String> = (0..n)
                    .map(|_| {
                        let alt = if self.rng.gen_bool(0.4) {
                            self.text(3, 15)
                        } else {
                            String::new()
                        };
                        let blob = self.blob("image/jpeg");
                        let (w, h) = (self.rng.gen_range(400..4000), self.rng.gen_range(400..4000));
                        format!(r#"{{"alt":"{alt}","aspectRatio":{{"height":{h},"width":{w}}},"image":{blob}}}"#)
                    })
                    .collect();
                let _ = write!(
                    r,
                    r#","embed":{{"$type":"app.bsky.embed.images","images":[{}]}}"#,
                    images.join(",")
                );
            } else if roll < 0.26 {
                let title = self.text(3, 10);
                let desc = self.text(5, 30);
                let thumb = self.blob("image/jpeg");
                let path = self.tid(self.t_us);
                let _ = write!(
                    r,
                    r#","embed":{{"$type":"app.bsky.embed.external","external":{{"description":"{desc}","thumb":{thumb},"title":"{title}","uri":"https://news.example.com/{path}"}}}}"#
                );
            } else if roll < 0.31 {
                let rec = self.strong_ref("app.bsky.feed.post");
                let _ = write!(
                    r,
                    r#","embed":{{"$type":"app.bsky.embed.record","record":{rec}}}"#
                );
            }
        }
        if !facets.is_empty() {
            let _ = write!(r, r#","facets":[{}]"#, facets.join(","));
        }
        r.push_str(r#","langs":["en"]"#);
        if !plain && self.rng.gen_bool(0.35) {
            let root = self.strong_ref("app.bsky.feed.post");
            let parent = if self.rng.gen_bool(0.5) {
                root.clone()
            } else {
                self.strong_ref("app.bsky.feed.post")
            };
            let _ = write!(r, r#","reply":{{"parent":{parent},"root":{root}}}"#);
        }
        let _ = write!(r, r#","text":"{text}"}}"#);
        r
    }

    fn commit(&mut self, did: &str, op: &str, collection: &str, record: Option<&str>) {
        let rev = self.tid(self.t_us);
        let back = self.rng.gen_range(0..5_000);
        let rkey = self.tid(self.t_us - back);
        let t = self.t_us;
        self.buf.clear();
        let _ = write!(
            self.buf,
            r#"{{"did":"{did}","time_us":{t},"kind":"commit","commit":{{"rev":"{rev}","operation":"{op}","collection":"{collection}","rkey":"{rkey}""#
        );
        if let Some(rec) = record {
            let cid = self.cid("bafyrei");
            let _ = write!(self.buf, r#","record":{rec},"cid":"{cid}""#);
        }
        self.buf.push_str("}}");
    }

    fn identity(&mut self) {
        let did = self.author();
        let (t, seq) = (self.t_us, self.seq);
        let time = Self::datetime(t);
        let handle = format!("user{}.bsky.social", self.rng.gen_range(0..1_000_000));
        self.buf.clear();
        let _ = write!(
            self.buf,
            r#"{{"did":"{did}","time_us":{t},"kind":"identity","identity":{{"did":"{did}","handle":"{handle}","seq":{seq},"time":"{time}"}}}}"#
        );
    }

    fn account(&mut self) {
        let did = self.author();
        let (t, seq) = (self.t_us, self.seq);
        let time = Self::datetime(t);
        let status = if self.rng.gen_bool(0.3) {
            r#"false,"did":"DID","seq":SEQ,"status":"deactivated""#
        } else {
            r#"true,"did":"DID","seq":SEQ"#
        }
        .replace("DID", &did)
        .replace("SEQ", &seq.to_string());
        self.buf.clear();
        let _ = write!(
            self.buf,
            r#"{{"did":"{did}","time_us":{t},"kind":"account","account":{{"active":{status},"time":"{time}"}}}}"#
        );
    }

    fn generate(mut self, frames: usize, match_ppm: u32) -> Replay {
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

// ---------------------------------------------------------------------------------------
// The fake Jetstream

#[derive(Default)]
struct FakeStats {
    sent: AtomicU64,
    connections: AtomicU64,
    /// When the first connection's handshake completed.
    started: Mutex<Option<Instant>>,
    /// When the last frame had been written.
    finished: Mutex<Option<Instant>>,
}

struct Fake {
    url: String,
    stats: Arc<FakeStats>,
    cancel: CancellationToken,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Fake {
    fn start(frames: Arc<Vec<WireFrame>>) -> Self {
        let stats = Arc::new(FakeStats::default());
        let cancel = CancellationToken::new();
        let (tx, rx) = mpsc::channel();
        let (stats2, cancel2) = (stats.clone(), cancel.clone());
        let thread = std::thread::Builder::new()
            .name("fake-jetstream".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                    tx.send(listener.local_addr().expect("addr")).expect("addr");
                    loop {
                        let stream = tokio::select! {
                            r = listener.accept() => match r { Ok((s, _)) => s, Err(_) => return },
                            _ = cancel2.cancelled() => return,
                        };
                        let _ = stream.set_nodelay(true);
                        tokio::spawn(serve_connection(stream, frames.clone(), stats2.clone()));
                    }
                });
            })
            .expect("thread");
        let addr = rx.recv().expect("fake address");
        Fake {
            url: format!("ws://{addr}/subscribe"),
            stats,
            cancel,
            thread: Some(thread),
        }
    }

    fn started(&self) -> Option<Instant> {
        *self.stats.started.lock().expect("lock")
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.cancel.cancel();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    frames: Arc<Vec<WireFrame>>,
    stats: Arc<FakeStats>,
) {
    let query = Arc::new(Mutex::new(String::new()));
    let q2 = query.clone();
    // The callback's signature is tungstenite's; its error type is large.
    #[allow(clippy::result_large_err)]
    let cb = move |req: &Request, res: Response| {
        *q2.lock().expect("lock") = req.uri().query().unwrap_or("").to_string();
        Ok(res)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, cb).await else {
        return;
    };
    let n = stats.connections.fetch_add(1, Ordering::SeqCst);
    if n > 0 {
        // A reconnect: the replay is over, this is the live tail with nothing new.
        while let Some(Ok(_)) = ws.next().await {}
        return;
    }
    *stats.started.lock().expect("lock") = Some(Instant::now());
    let query = query.lock().expect("lock").clone();
    let (wanted, cursor) = parse_query(&query);
    let mut since_flush = 0;
    for f in frames.iter() {
        if cursor.is_some_and(|c| f.time_us < c) {
            continue;
        }
        if !f.collection.is_empty()
            && !wanted.is_empty()
            && !wanted.iter().any(|w| w == f.collection)
        {
            continue;
        }
        // Buffered (tungstenite writes out once its buffer is full); flushed in batches.
        if ws.feed(Message::Text(f.text.clone())).await.is_err() {
            return;
        }
        stats.sent.fetch_add(1, Ordering::Relaxed);
        since_flush += 1;
        if since_flush == 256 {
            since_flush = 0;
            if ws.flush().await.is_err() {
                return;
            }
        }
    }
    if ws.flush().await.is_err() {
        return;
    }
    *stats.finished.lock().expect("lock") = Some(Instant::now());
    let _ = ws.close(None).await;
    while let Some(Ok(_)) = ws.next().await {}
}

fn parse_query(q: &str) -> (Vec<String>, Option<i64>) {
    let mut wanted = Vec::new();
    let mut cursor = None;
    for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
        match &*k {
            "wantedCollections" => wanted.push(v.into_owned()),
            "cursor" => cursor = v.parse().ok(),
            _ => {}
        }
    }
    (wanted, cursor)
}

// ---------------------------------------------------------------------------------------
// The receiver

struct Rx {
    per_owner: Vec<AtomicU64>,
    total: AtomicU64,
    other: AtomicU64,
}

impl Rx {
    fn reset(&self) {
        for c in &self.per_owner {
            c.store(0, Ordering::SeqCst);
        }
        self.total.store(0, Ordering::SeqCst);
        self.other.store(0, Ordering::SeqCst);
    }
}

async fn receive(State(rx): State<Arc<Rx>>, uri: Uri) -> StatusCode {
    let i: Option<usize> = uri
        .path()
        .strip_prefix("/hook/")
        .and_then(|i| i.parse().ok());
    match i.and_then(|i| rx.per_owner.get(i)) {
        Some(c) => {
            c.fetch_add(1, Ordering::SeqCst);
            rx.total.fetch_add(1, Ordering::SeqCst);
        }
        None => {
            rx.other.fetch_add(1, Ordering::SeqCst);
        }
    }
    StatusCode::NO_CONTENT
}

async fn start_receiver(owners: usize) -> (String, Arc<Rx>) {
    let rx = Arc::new(Rx {
        per_owner: (0..owners).map(|_| AtomicU64::new(0)).collect(),
        total: AtomicU64::new(0),
        other: AtomicU64::new(0),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new().fallback(receive).with_state(rx.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), rx)
}

// ---------------------------------------------------------------------------------------
// /proc

fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// (name, utime + stime ticks) from a `stat` line.
fn stat_ticks(stat: &str) -> Option<(String, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat[open + 1..close].to_string();
    let f: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let u: u64 = f.get(11)?.parse().ok()?;
    let s: u64 = f.get(12)?.parse().ok()?;
    Some((name, u + s))
}

/// CPU seconds per thread name (summed) of a live process, and the whole process's.
fn cpu_by_thread(pid: u32) -> (Vec<(String, f64, usize)>, f64) {
    let hz = 100.0; // USER_HZ on Linux
    let mut by: HashMap<String, (u64, usize)> = HashMap::new();
    if let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for e in dir.flatten() {
            let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
            if let Some((name, t)) = stat_ticks(&stat) {
                // tokio-runtime-worker-3 and -4 (say) are one kind of thread.
                let kind = name
                    .trim_end_matches(|c: char| c.is_ascii_digit())
                    .to_string();
                let e = by.entry(kind).or_default();
                e.0 += t;
                e.1 += 1;
            }
        }
    }
    let total = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| stat_ticks(&s))
        .map_or(0, |t| t.1);
    let mut rows: Vec<_> = by
        .into_iter()
        .map(|(n, (t, c))| (n, t as f64 / hz, c))
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    (rows, total as f64 / hz)
}

fn self_rss_kb() -> u64 {
    status_kb(std::process::id(), "VmRSS:")
}

// ---------------------------------------------------------------------------------------
// Child processes

/// A child that is killed if the bench panics.
struct ChildGuard(Option<Child>);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

struct Spawned {
    guard: ChildGuard,
    pid: u32,
    lines: mpsc::Receiver<(Instant, String)>,
}

impl Spawned {
    /// The next line starting with `prefix` (others are echoed), and when it arrived.
    fn expect(&self, prefix: &str, limit: Duration) -> (Instant, String) {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((at, line)) if line.starts_with(prefix) => return (at, line),
                Ok((_, line)) => println!("  child: {line}"),
                Err(e) => panic!("child never said {prefix:?}: {e}"),
            }
        }
    }

    /// Closes the child's stdin (its cue to stop) and waits for it to exit.
    fn finish(mut self, limit: Duration) {
        let Some(mut child) = self.guard.0.take() else {
            return;
        };
        drop(child.stdin.take());
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                assert!(status.success(), "child failed: {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("child did not exit");
    }
}

fn spawn_child(mode: &str, cfg: &Cfg, env: &[(&str, String)]) -> Spawned {
    let exe = std::env::current_exe().expect("current exe");
    let mut cmd = if cfg.pin {
        let mut c = Command::new("taskset");
        c.arg("-c").arg("1").arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.env("JETSTREAM_BENCH_CHILD", mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn child");
    let pid = child.id();
    let stdout = child.stdout.take().expect("stdout");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send((Instant::now(), line)).is_err() {
                return;
            }
        }
    });
    Spawned {
        guard: ChildGuard(Some(child)),
        pid,
        lines,
    }
}

/// `JETSTREAM_BENCH_CHILD=bare`: read and discard every frame, then report.
fn child_bare() {
    let url = std::env::var("JETSTREAM_BENCH_URL").expect("url");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let url = subscribe_url(&url.parse().expect("url"), None);
        let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .expect("connect");
        // As the consumer does: keep only the read half.
        let (_, mut read) = ws.split();
        let (mut n, mut bytes) = (0u64, 0u64);
        while let Some(msg) = read.next().await {
            match msg {
                Ok(Message::Text(t)) => {
                    n += 1;
                    bytes += t.len() as u64;
                }
                Ok(Message::Close(_)) | Err(_) => break,
                Ok(_) => {}
            }
        }
        println!("DONE {n} {bytes}");
    });
}

/// `JETSTREAM_BENCH_CHILD=consumer`: the real service with the Jetstream consumer; says
/// DONE once the saved cursor reaches the last frame, then STATS, and stops when its
/// stdin closes.
fn child_consumer() {
    let url = std::env::var("JETSTREAM_BENCH_URL").expect("url");
    let db = std::env::var("JETSTREAM_BENCH_DB").expect("db");
    let last: i64 = env_or("JETSTREAM_BENCH_LAST_US", 0);
    let poll = Duration::from_millis(env_or("POLL_MS", 5));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let mut config = ServeConfig::for_database(db);
        config.allow_private_targets = true;
        config.plc_url = NOWHERE.parse().expect("url");
        config.appview_url = NOWHERE.parse().expect("url");
        config.jetstream_urls = vec![url.parse().expect("url")];
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (started_tx, started) = tokio::sync::oneshot::channel();
        let hooks = Hooks {
            resolver: Some(Arc::new(DidOnlyResolver)),
            started: Some(started_tx),
            ..Hooks::default()
        };
        let server = tokio::spawn(placehook::server::run_with(
            config,
            listener,
            async {
                let _ = stopped.await;
            },
            hooks,
        ));
        let state = started.await.expect("server started");
        println!("READY {}", self_rss_kb());
        loop {
            if state.store.jetstream_cursor().await.expect("cursor") == Some(last) {
                break;
            }
            tokio::time::sleep(poll).await;
        }
        println!("DONE");
        let metrics = state.metrics.render(0, 0, 0);
        let sum = |prefix: &str| -> u64 {
            metrics
                .lines()
                .filter(|l| l.starts_with(prefix))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
                .sum()
        };
        println!(
            "STATS frames={} accepted={} invalid={}",
            sum("placehook_jetstream_frames_total"),
            sum("placehook_events_accepted_total"),
            sum("placehook_jetstream_invalid_records_total")
        );
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .expect("stdin");
        let _ = stop.send(());
        server.await.expect("server task").expect("server");
    });
}

// ---------------------------------------------------------------------------------------
// Memory sampling

struct Sample {
    sent: u64,
    rss_kb: u64,
}

struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<Sample>>,
}

impl Sampler {
    fn start(pid: u32, stats: Arc<FakeStats>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut out = Vec::new();
            while !stop2.load(Ordering::SeqCst) {
                out.push(Sample {
                    sent: stats.sent.load(Ordering::Relaxed),
                    rss_kb: status_kb(pid, "VmRSS:"),
                });
                std::thread::sleep(Duration::from_millis(50));
            }
            out
        });
        Sampler { stop, thread }
    }

    fn finish(self) -> Vec<Sample> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().expect("sampler")
    }
}

// ---------------------------------------------------------------------------------------
// Rounds

struct BareRun {
    frames: u64,
    secs: f64,
    cpu: f64,
}

fn run_bare(cfg: &Cfg, replay: &Replay) -> BareRun {
    let fake = Fake::start(replay.frames.clone());
    let child = spawn_child("bare", cfg, &[("JETSTREAM_BENCH_URL", fake.url.clone())]);
    let (done, line) = child.expect("DONE", Duration::from_secs(600));
    let (_, cpu) = cpu_by_thread(child.pid);
    let t0 = fake.started().expect("connected");
    let frames: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert_eq!(
        frames,
        fake.stats.sent.load(Ordering::SeqCst),
        "bare: frames read"
    );
    child.finish(Duration::from_secs(30));
    BareRun {
        frames,
        secs: (done - t0).as_secs_f64(),
        cpu,
    }
}

struct ConsumerRun {
    frames: u64,
    secs: f64,
    cpu: f64,
    threads: Vec<(String, f64, usize)>,
    rss_ready: u64,
    /// (frames sent, RSS kB) at every 10% of the stream.
    milestones: Vec<(u64, u64)>,
    rss_done: u64,
    rss_delivered: u64,
    rss_peak_sampled: u64,
    hwm: u64,
    accepted: u64,
    delivered: u64,
    delivery_wait: f64,
    /// When the fake had written the last frame (s after the handshake).
    written_secs: f64,
}

async fn wait_for(count: impl Fn() -> u64, want: u64, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if count() >= want {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    count() >= want
}

async fn run_consumer(
    cfg: &Cfg,
    replay: &Replay,
    template: &Path,
    round: usize,
    rx: &Arc<Rx>,
    perf: Option<&str>,
    with_webhooks: bool,
) -> ConsumerRun {
    let dir = template.parent().expect("template in a directory");
    // Without webhooks nothing matches: no accepts, no deliveries.
    let matching = if with_webhooks { replay.matching } else { 0 };
    let want = |i: usize| {
        if with_webhooks {
            u64::from(replay.expected[i])
        } else {
            0
        }
    };
    let db = dir.join(format!("round{round}-{with_webhooks}.sqlite"));
    std::fs::copy(template, &db).expect("copy template");
    rx.reset();
    let fake = Fake::start(replay.frames.clone());
    let child = spawn_child(
        "consumer",
        cfg,
        &[
            ("JETSTREAM_BENCH_URL", fake.url.clone()),
            (
                "JETSTREAM_BENCH_DB",
                db.to_str().expect("utf-8 path").to_string(),
            ),
            ("JETSTREAM_BENCH_LAST_US", replay.last_us.to_string()),
        ],
    );
    let (_, ready) = child.expect("READY", Duration::from_secs(60));
    let rss_ready: u64 = ready
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let sampler = Sampler::start(child.pid, fake.stats.clone());
    let perf_child = perf.map(|path| {
        let c = Command::new("perf")
            .args(["record", "-F", "1999", "-g", "-o", path, "-p"])
            .arg(child.pid.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("perf");
        ChildGuard(Some(c))
    });
    let (done, _) = child.expect("DONE", Duration::from_secs(900));
    let (threads, cpu) = cpu_by_thread(child.pid);
    let rss_done = status_kb(child.pid, "VmRSS:");
    if let Some(mut p) = perf_child {
        if let Some(c) = p.0.take() {
            let _ = Command::new("kill")
                .args(["-INT", &c.id().to_string()])
                .status();
            let mut c = c;
            let _ = c.wait();
        }
    }
    let (_, stats) = child.expect("STATS", Duration::from_secs(30));
    let field = |name: &str| -> u64 {
        stats
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or(u64::MAX)
    };
    let t0 = fake.started().expect("connected");
    let written = fake
        .stats
        .finished
        .lock()
        .expect("lock")
        .map_or(f64::NAN, |f| (f - t0).as_secs_f64());
    let sent = fake.stats.sent.load(Ordering::SeqCst);
    assert_eq!(sent, replay.frames.len() as u64, "every frame is wanted");
    assert_eq!(field("frames"), sent, "consumer: frames read");
    assert_eq!(field("invalid"), 0, "consumer: invalid records");
    let accepted = field("accepted");
    let wait_started = Instant::now();
    let all = wait_for(
        || rx.total.load(Ordering::SeqCst),
        matching,
        Duration::from_secs(120),
    )
    .await;
    let delivery_wait = wait_started.elapsed().as_secs_f64();
    // Anything extra would arrive right away.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_delivered = status_kb(child.pid, "VmRSS:");
    let hwm = status_kb(child.pid, "VmHWM:");
    let samples = sampler.finish();
    child.finish(Duration::from_secs(60));
    drop(fake);
    let delivered = rx.total.load(Ordering::SeqCst);
    assert!(all, "only {delivered} of {matching} deliveries");
    assert_eq!(
        rx.other.load(Ordering::SeqCst),
        0,
        "deliveries to unknown paths"
    );
    for i in 0..replay.expected.len() {
        assert_eq!(
            rx.per_owner[i].load(Ordering::SeqCst),
            want(i),
            "deliveries to owner {i}'s webhook"
        );
    }
    assert_eq!(accepted, matching, "consumer: events accepted");
    let total = sent;
    let milestones = (1..=10u64)
        .filter_map(|k| {
            let m = total * k / 10;
            samples
                .iter()
                .find(|s| s.sent >= m && s.rss_kb > 0)
                .map(|s| (m, s.rss_kb))
        })
        .collect();
    let rss_peak_sampled = samples.iter().map(|s| s.rss_kb).max().unwrap_or(0);
    ConsumerRun {
        frames: sent,
        secs: (done - t0).as_secs_f64(),
        cpu,
        threads,
        rss_ready,
        milestones,
        rss_done,
        rss_delivered,
        rss_peak_sampled,
        hwm,
        accepted,
        delivered,
        delivery_wait,
        written_secs: written,
    }
}

// ---------------------------------------------------------------------------------------
// In-process parse and filter

/// Best-of-`passes` frames/s of `frame::parse` alone, and of `parse` + `mapping::map`
/// (as the consumer calls them, with the identity hook), and the events `map` made.
fn parse_filter(
    frames: &[WireFrame],
    sets: &[HashSet<String>; 5],
    passes: usize,
) -> (f64, f64, u64, u64) {
    let resolver = DidOnlyResolver;
    let mut best_parse = f64::MAX;
    let mut best_map = f64::MAX;
    let (mut events, mut invalid) = (0, 0);
    for _ in 0..passes {
        let t = Instant::now();
        let mut ok = 0u64;
        for f in frames {
            if let Some(fr) = frame::parse(std::hint::black_box(f.text.as_str())) {
                ok += u64::from(fr.time_us > 0);
            }
        }
        std::hint::black_box(ok);
        best_parse = best_parse.min(t.elapsed().as_secs_f64());

        let t = Instant::now();
        let (mut ev, mut inv) = (0u64, 0u64);
        for f in frames {
            let Some(fr) = frame::parse(std::hint::black_box(f.text.as_str())) else {
                continue;
            };
            if fr.kind == "identity" {
                resolver.invalidate(fr.did);
            }
            let m = mapping::map(&fr, sets);
            inv += u64::from(m.invalid);
            ev += m.events.len() as u64;
        }
        best_map = best_map.min(t.elapsed().as_secs_f64());
        (events, invalid) = (ev, inv);
    }
    let n = frames.len() as f64;
    (n / best_parse, n / best_map, events, invalid)
}

/// Per sort of frame: frames, mean bytes, best-of-`passes` ns/frame of `parse` and of
/// `parse` + `map`.
fn by_sort(
    frames: &[WireFrame],
    sets: &[HashSet<String>; 5],
    passes: usize,
) -> Vec<(usize, usize, f64, f64, f64)> {
    let mut groups: Vec<Vec<&str>> = vec![Vec::new(); SORTS.len()];
    for f in frames {
        groups[usize::from(f.sort)].push(f.text.as_str());
    }
    let mut rows = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        if g.is_empty() {
            continue;
        }
        let bytes = g.iter().map(|t| t.len()).sum::<usize>() as f64 / g.len() as f64;
        let (mut parse, mut both) = (f64::MAX, f64::MAX);
        for _ in 0..passes {
            let t = Instant::now();
            for text in g {
                std::hint::black_box(frame::parse(std::hint::black_box(text)));
            }
            parse = parse.min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            for text in g {
                if let Some(fr) = frame::parse(std::hint::black_box(text)) {
                    std::hint::black_box(mapping::map(&fr, sets));
                }
            }
            both = both.min(t.elapsed().as_secs_f64());
        }
        let n = g.len() as f64;
        rows.push((i, g.len(), bytes, parse * 1e9 / n, both * 1e9 / n));
    }
    rows
}

// ---------------------------------------------------------------------------------------
// Figures

fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_default();
    format!("{cpus} CPUs, {model}")
}

fn main() {
    match std::env::var("JETSTREAM_BENCH_CHILD").as_deref() {
        Ok("bare") => return child_bare(),
        Ok("consumer") => return child_consumer(),
        _ => {}
    }
    let mut cfg = Cfg::from_env();
    // Before pinning (which makes this process see one CPU).
    let machine = machine();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cfg.pin {
        // This process (fake Jetstream, receiver, sampler) on core 0; children on core 1.
        let ok = cpus >= 2
            && Command::new("taskset")
                .args(["-a", "-p", "-c", "0", &std::process::id().to_string()])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if !ok {
            println!("taskset unavailable or one core: not pinning");
            cfg.pin = false;
        }
    }
    let load = || {
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!("machine: {machine}; load average {}", load());
    println!(
        "frames {}, webhooks {}, match {} ppm, seed {}, rounds {}, pinned: {}",
        cfg.frames,
        cfg.webhooks,
        cfg.match_ppm,
        cfg.seed,
        cfg.rounds,
        if cfg.pin {
            "bench process on CPU 0, measured child on CPU 1"
        } else {
            "no"
        }
    );

    let t = Instant::now();
    let gen = Gen::new(cfg.seed, cfg.webhooks);
    let owners = gen.owners.clone();
    let replay = gen.generate(cfg.frames, cfg.match_ppm);
    println!(
        "replay: {} frames, {:.1} MB of JSON (mean {:.0} B/frame), {} matching, generated in {:.1} s; bench process RSS {}",
        replay.frames.len(),
        replay.bytes as f64 / 1e6,
        replay.bytes as f64 / replay.frames.len().max(1) as f64,
        replay.matching,
        t.elapsed().as_secs_f64(),
        mb(self_rss_kb())
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "mix: {}",
        SORTS
            .iter()
            .zip(replay.mix)
            .map(|(name, n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("tempdir");
        let (rx_url, rx) = start_receiver(owners.len()).await;

        // The template database: one webhook per owner.
        let template: PathBuf = dir.path().join("template.sqlite");
        let t = Instant::now();
        let store = Store::open_path(&template, StoreOptions::default())
            .await
            .expect("store");
        for (i, owner) in owners.iter().enumerate() {
            let url = format!("{rx_url}/hook/{i}");
            let input: create_webhook::Input = serde_json::from_value(serde_json::json!({
                "url": url,
                "events": ["chat", "livestream", "follow", "mention"],
                "active": true,
            }))
            .expect("input");
            store
                .create_webhook(owner, &input, &url, 50)
                .await
                .expect("create webhook");
        }
        let empty: PathBuf = dir.path().join("empty.sqlite");
        Store::open_path(&empty, StoreOptions::default())
            .await
            .expect("store")
            .close()
            .await;
        let interests = Interests::new();
        interests.reload(&store).await.expect("interests");
        let sets = interests.snapshot();
        store.close().await;
        println!(
            "{} webhooks created with Store::create_webhook in {:.1} s",
            owners.len(),
            t.elapsed().as_secs_f64()
        );

        // In process, one thread.
        let (parse_rate, map_rate, events, invalid) =
            parse_filter(&replay.frames, &sets, cfg.parse_passes);
        assert_eq!(invalid, 0, "map: invalid records");
        assert_eq!(events, replay.matching, "map: events = matching frames");
        println!(
            "in process: parse {} frames/s, parse + filter {} frames/s ({} events)",
            thousands(parse_rate),
            thousands(map_rate),
            events
        );

        let rows = by_sort(&replay.frames, &sets, cfg.parse_passes);
        let total_ns: f64 = rows.iter().map(|r| r.1 as f64 * r.4).sum();
        println!();
        println!("in process, by sort of frame (best of {} passes):", cfg.parse_passes);
        println!("| frame | share | mean size | parse ns | parse + map ns | share of parse + map time |");
        println!("|---|---:|---:|---:|---:|---:|");
        for (i, n, bytes, parse, both) in &rows {
            println!(
                "| {} | {:.2}% | {:.0} B | {:.0} | {:.0} | {:.1}% |",
                SORTS[*i],
                100.0 * *n as f64 / replay.frames.len() as f64,
                bytes,
                parse,
                both,
                100.0 * *n as f64 * both / total_ns
            );
        }
        println!();

        let mut bares = Vec::new();
        let mut consumers = Vec::new();
        let mut empties = Vec::new();
        let report = |round: usize, what: &str, c: &ConsumerRun, perf: bool| {
            println!(
                "round {}: {what} {} frames in {:.3} s (fake done writing at {:.3} s) = {} frames/s (CPU {:.2} s: {}); RSS start {}, end {}, peak {}; {} accepted, {} delivered ({:.2} s after the last frame){}",
                round + 1,
                c.frames,
                c.secs,
                c.written_secs,
                thousands(c.frames as f64 / c.secs),
                c.cpu,
                c.threads
                    .iter()
                    .filter(|t| t.1 > 0.0)
                    .map(|(n, s, k)| format!("{n} x{k} {s:.2} s"))
                    .collect::<Vec<_>>()
                    .join(", "),
                mb(c.rss_ready),
                mb(c.rss_done),
                mb(c.hwm),
                c.accepted,
                c.delivered,
                c.delivery_wait,
                if perf { " [under perf]" } else { "" }
            );
        };
        for round in 0..cfg.rounds {
            let b = run_bare(&cfg, &replay);
            println!(
                "round {}: bare client {} frames in {:.3} s = {} frames/s (CPU {:.2} s)",
                round + 1,
                b.frames,
                b.secs,
                thousands(b.frames as f64 / b.secs),
                b.cpu
            );
            bares.push(b);
            let perf = (round + 1 == cfg.rounds).then_some(cfg.perf.as_deref()).flatten();
            let c = run_consumer(&cfg, &replay, &template, round, &rx, perf, true).await;
            report(round, "consumer", &c, perf.is_some());
            consumers.push(c);
            let e = run_consumer(&cfg, &replay, &empty, round, &rx, None, false).await;
            report(round, "consumer, no webhooks", &e, false);
            empties.push(e);
        }

        let rate = |frames: u64, secs: f64| frames as f64 / secs;
        let bare_rate = median(bares.iter().map(|b| rate(b.frames, b.secs)).collect());
        let bare_cpu = median(bares.iter().map(|b| b.cpu * 1e6 / b.frames as f64).collect());
        let cons_rates: Vec<f64> = consumers.iter().map(|c| rate(c.frames, c.secs)).collect();
        let cons_rate = median(cons_rates.clone());
        let cons_cpu = median(consumers.iter().map(|c| c.cpu * 1e6 / c.frames as f64).collect());
        let empty_rate = median(empties.iter().map(|c| rate(c.frames, c.secs)).collect());
        let empty_cpu = median(empties.iter().map(|c| c.cpu * 1e6 / c.frames as f64).collect());
        println!();
        println!(
            "| path (one core) | frames/s (median of {}) | µs/frame (wall) | CPU µs/frame | vs transport |",
            cfg.rounds
        );
        println!("|---|---:|---:|---:|---:|");
        println!(
            "| bare tokio-tungstenite client, read + discard (transport ceiling) | {} | {:.2} | {:.2} | 1.00x |",
            thousands(bare_rate),
            1e6 / bare_rate,
            bare_cpu
        );
        println!(
            "| **placehook consumer** (`server::run_with`, current-thread runtime), {} webhooks, {} matching frames | **{}** | {:.2} | {:.2} | {:.2}x |",
            owners.len(),
            replay.matching,
            thousands(cons_rate),
            1e6 / cons_rate,
            cons_cpu,
            cons_rate / bare_rate
        );
        println!(
            "| placehook consumer, no webhooks (nothing matches) | {} | {:.2} | {:.2} | {:.2}x |",
            thousands(empty_rate),
            1e6 / empty_rate,
            empty_cpu,
            empty_rate / bare_rate
        );
        println!(
            "| in process: `frame::parse` only | {} | {:.2} | | |",
            thousands(parse_rate),
            1e6 / parse_rate
        );
        println!(
            "| in process: `frame::parse` + `mapping::map` | {} | {:.2} | | |",
            thousands(map_rate),
            1e6 / map_rate
        );
        println!();
        println!(
            "consumer rounds: {}; without webhooks: {}",
            cons_rates.iter().map(|r| thousands(*r)).collect::<Vec<_>>().join(", "),
            empties
                .iter()
                .map(|c| thousands(rate(c.frames, c.secs)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if replay.matching > 0 {
            println!(
                "cost of the matching frames (accept + delivery), from the CPU difference: {:.0} µs of the core per matching frame",
                (cons_cpu - empty_cpu) * replay.frames.len() as f64 / replay.matching as f64
            );
        }
        println!(
            "target {} events/s: {}",
            thousands(TARGET),
            if cons_rate >= TARGET { "met" } else { "MISSED" }
        );

        println!();
        println!("consumer child VmRSS (round by round):");
        let mut head = String::from("| round | start |");
        let mut sep = String::from("|---|---:|");
        if let Some(c) = consumers.first() {
            for (m, _) in &c.milestones {
                let _ = write!(head, " {}k |", m / 1000);
                sep.push_str("---:|");
            }
        }
        head.push_str(" last frame | deliveries done | peak (VmHWM) |");
        sep.push_str("---:|---:|---:|");
        println!("{head}");
        println!("{sep}");
        for (i, c) in consumers.iter().enumerate() {
            let mut row = format!("| {} | {} |", i + 1, mb(c.rss_ready));
            for (_, kb) in &c.milestones {
                let _ = write!(row, " {} |", mb(*kb));
            }
            let _ = write!(
                row,
                " {} | {} | {} |",
                mb(c.rss_done),
                mb(c.rss_delivered),
                mb(c.hwm.max(c.rss_peak_sampled))
            );
            println!("{row}");
        }
        for (i, c) in consumers.iter().enumerate() {
            if let (Some(first), Some(last)) = (c.milestones.first(), c.milestones.last()) {
                let growth = (c.rss_done.max(last.1) as f64 - first.1 as f64) / 1024.0;
                println!(
                    "round {}: growth from {}k frames to the last frame: {:+.1} MB ({})",
                    i + 1,
                    first.0 / 1000,
                    growth,
                    if growth < 2.0 { "flat" } else { "GROWS" }
                );
            }
        }
        println!(
            "bench process (holds the replay, {:.0} MB of frames): RSS {}",
            replay.bytes as f64 / 1e6,
            mb(self_rss_kb())
        );
        drop(dir);
    });
    println!("load average at the end: {}", load());
}
