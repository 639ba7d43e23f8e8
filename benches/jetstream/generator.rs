//! The replay's generator: random DIDs, keys, CIDs and texts, and the JSON of each frame.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::fmt::Write as _;

/// 2025-12-01T00:00:00Z in Unix microseconds.
const BASE_US: i64 = 1_764_547_200_000_000;

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

pub(crate) struct Gen {
    pub(crate) rng: StdRng,
    pub(crate) t_us: i64,
    pub(crate) seq: i64,
    pub(crate) owners: Vec<String>,
    /// Authors, follow subjects and mention targets: random DIDs, none an owner.
    people: Vec<String>,
    /// Streamers nobody subscribed to.
    pub(crate) streamers: Vec<String>,
    pub(crate) buf: String,
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

    pub(crate) fn new(seed: u64, webhooks: usize) -> Self {
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

    pub(crate) fn person(&mut self) -> String {
        self.people[self.rng.gen_range(0..self.people.len())].clone()
    }

    /// An author: mostly random people, sometimes an owner (whose own posts, follows
    /// and chat messages match nothing).
    pub(crate) fn author(&mut self) -> String {
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

    pub(crate) fn datetime(us: i64) -> String {
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

    pub(crate) fn text(&mut self, min: usize, max: usize) -> String {
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
    pub(crate) fn post(&mut self, created: &str, mentions: &[String], plain: bool) -> String {
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

    pub(crate) fn commit(&mut self, did: &str, op: &str, collection: &str, record: Option<&str>) {
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

    pub(crate) fn identity(&mut self) {
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

    pub(crate) fn account(&mut self) {
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
}
