//! Which events a record create makes: a create of a chat message, livestream, follow or
//! post, for a subject with an active webhook of that type. One mapping for every source:
//! Jetstream hands it JSON text, the repo firehose a DAG-CBOR block, both as a
//! [`CreateOp`], so both build the same events with the same dedupe keys.

use super::interests::wants;
use crate::events::{mentions, Event, EventKind};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::LazyLock;

/// The collections the five events need (`wantedCollections`).
pub const COLLECTIONS: [&str; 4] = [
    "place.stream.chat.message",
    "place.stream.livestream",
    "app.bsky.graph.follow",
    "app.bsky.feed.post",
];

/// The mark of a mention facet (`app.bsky.richtext.facet#mention`), searched for in the
/// encoded record; built once, since posts are most of every stream.
static MENTION: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"#mention"));

/// A record as its source carries it, decoded only once the cheap checks pass.
#[derive(Debug, Clone, Copy)]
pub enum RecordBody<'a> {
    /// JSON text (Jetstream).
    Json(&'a str),
    /// DAG-CBOR bytes (the repo firehose's record block, already checked against its CID).
    Cbor(&'a [u8]),
}

impl RecordBody<'_> {
    /// The encoded bytes: strings are plain UTF-8 in both encodings, so a text search
    /// over them finds what the decoded record holds.
    pub fn raw(&self) -> &[u8] {
        match self {
            RecordBody::Json(text) => text.as_bytes(),
            RecordBody::Cbor(bytes) => bytes,
        }
    }

    /// The record as a JSON value (the ATProto data model's JSON form); `None` when it
    /// does not decode.
    pub fn to_value(&self) -> Option<Value> {
        match self {
            RecordBody::Json(text) => serde_json::from_str(text).ok(),
            RecordBody::Cbor(bytes) => crate::firehose::record::to_json(bytes).ok(),
        }
    }
}

/// A record create, whichever source reported it.
#[derive(Debug, Clone, Copy)]
pub struct CreateOp<'a> {
    /// The repo (author).
    pub did: &'a str,
    /// The record's collection NSID.
    pub collection: &'a str,
    /// The record key.
    pub rkey: &'a str,
    /// The record.
    pub record: RecordBody<'a>,
}

/// What one create turned into.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Events to accept.
    pub events: Vec<Event>,
    /// The record failed its lexicon and was skipped.
    pub invalid: bool,
}

/// The cheap look before a record is decoded: whether a create in `collection` by `did`
/// can produce an event, given `raw`, its record's encoded bytes (or any bytes that hold
/// them: the firehose passes a commit's whole block slice, before reading it).
pub fn may_produce(collection: &str, did: &str, raw: &[u8], sets: &[HashSet<String>; 5]) -> bool {
    // Most of the network is posts, and most posts mention no one this service cares about.
    match collection {
        "place.stream.chat.message" | "app.bsky.graph.follow" => true,
        "place.stream.livestream" => wants(sets, EventKind::Livestream, did),
        "app.bsky.feed.post" => MENTION.find(raw).is_some(),
        _ => false,
    }
}

/// The events a create produces for the subjects in `sets`.
pub fn map(op: &CreateOp<'_>, sets: &[HashSet<String>; 5]) -> Mapped {
    let mut out = Mapped::default();
    let did = op.did;
    if !may_produce(op.collection, did, op.record.raw(), sets) {
        return out;
    }
    let Some(record) = op.record.to_value() else {
        out.invalid = true;
        return out;
    };
    let uri = format!("at://{did}/{}/{}", op.collection, op.rkey);
    let mut push = |kind: EventKind, subject: &str| {
        out.events.push(Event {
            kind,
            subject: subject.to_string(),
            author: Some(did.to_string()),
            uri: Some(uri.clone()),
            record: Some(record.clone()),
        });
    };
    let str_field = |name: &str| record.get(name).and_then(Value::as_str);
    match op.collection {
        "place.stream.chat.message" => {
            if let Some(streamer) =
                str_field("streamer").filter(|s| wants(sets, EventKind::Chat, s))
            {
                push(EventKind::Chat, streamer);
            }
        }
        "place.stream.livestream" => push(EventKind::Livestream, did),
        "app.bsky.graph.follow" => {
            if let Some(subject) =
                str_field("subject").filter(|s| wants(sets, EventKind::Follow, s))
            {
                push(EventKind::Follow, subject);
            }
        }
        _ => {}
    }
    if matches!(
        op.collection,
        "place.stream.chat.message" | "app.bsky.feed.post"
    ) {
        let mut seen = HashSet::new();
        let subjects: Vec<String> = mentions(&record)
            .filter(|d| wants(sets, EventKind::Mention, d) && seen.insert(d.to_string()))
            .map(str::to_string)
            .collect();
        for s in subjects {
            push(EventKind::Mention, &s);
        }
    }
    if out.events.is_empty() {
        return out;
    }
    // Validate only what would be delivered.
    let collection = op.collection;
    match crate::lexicon::validate_record(collection, &with_type(&record, collection)) {
        Some(Ok(())) => {}
        _ => {
            out.events.clear();
            out.invalid = true;
        }
    }
    out
}

/// Records on the wire carry `$type`; validation needs it, so add it when missing.
fn with_type(record: &Value, collection: &str) -> Value {
    if record.get("$type").is_some() {
        return record.clone();
    }
    let mut r = record.clone();
    if let Some(o) = r.as_object_mut() {
        o.insert("$type".into(), collection.into());
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jetstream::frame::{parse, Frame};
    use crate::jetstream::interests::index;

    /// Maps a Jetstream frame as the consumer does.
    fn map_frame(frame: &Frame<'_>, sets: &[HashSet<String>; 5]) -> Mapped {
        frame
            .create_op()
            .map(|op| map(&op, sets))
            .unwrap_or_default()
    }

    const ALICE: &str = "did:plc:aliceaaaaaaaaaaaaaaaaaaa";
    const BOB: &str = "did:plc:bobbbbbbbbbbbbbbbbbbbbbb";

    fn sets(entries: &[(EventKind, &str)]) -> [HashSet<String>; 5] {
        let mut s: [HashSet<String>; 5] = Default::default();
        for (k, d) in entries {
            s[index(*k)].insert(d.to_string());
        }
        s
    }

    fn frame(did: &str, op: &str, collection: &str, record: &str) -> String {
        format!(
            r#"{{"did":"{did}","time_us":1,"kind":"commit","commit":{{"rev":"r","operation":"{op}","collection":"{collection}","rkey":"3kabc","record":{record},"cid":"bafy"}}}}"#
        )
    }

    #[test]
    fn chat_follow_livestream_and_mentions_map_to_their_subjects() {
        let s = sets(&[
            (EventKind::Chat, ALICE),
            (EventKind::Mention, BOB),
            (EventKind::Follow, BOB),
            (EventKind::Livestream, ALICE),
        ]);
        let chat = frame(
            BOB,
            "create",
            "place.stream.chat.message",
            &format!(
                r#"{{"$type":"place.stream.chat.message","text":"hi @bob","streamer":"{ALICE}","createdAt":"2026-01-01T00:00:00Z","facets":[{{"index":{{"byteStart":3,"byteEnd":7}},"features":[{{"$type":"app.bsky.richtext.facet#mention","did":"{BOB}"}}]}}]}}"#
            ),
        );
        let m = map_frame(&parse(&chat).unwrap(), &s);
        let got: Vec<_> = m
            .events
            .iter()
            .map(|e| (e.kind, e.subject.as_str(), e.author.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (EventKind::Chat, ALICE, Some(BOB)),
                (EventKind::Mention, BOB, Some(BOB))
            ]
        );
        assert_eq!(
            m.events[0].uri.as_deref(),
            Some(&*format!("at://{BOB}/place.stream.chat.message/3kabc"))
        );

        let follow = frame(
            ALICE,
            "create",
            "app.bsky.graph.follow",
            &format!(
                r#"{{"$type":"app.bsky.graph.follow","subject":"{BOB}","createdAt":"2026-01-01T00:00:00Z"}}"#
            ),
        );
        assert_eq!(
            map_frame(&parse(&follow).unwrap(), &s).events[0].subject,
            BOB
        );
        let live = frame(
            ALICE,
            "create",
            "place.stream.livestream",
            r#"{"$type":"place.stream.livestream","title":"hi","createdAt":"2026-01-01T00:00:00Z"}"#,
        );
        assert_eq!(
            map_frame(&parse(&live).unwrap(), &s).events[0].kind,
            EventKind::Livestream
        );
    }

    #[test]
    fn unrelated_updates_deletes_and_invalid_records_produce_nothing() {
        let s = sets(&[(EventKind::Follow, BOB)]);
        let rec = format!(
            r#"{{"$type":"app.bsky.graph.follow","subject":"{BOB}","createdAt":"2026-01-01T00:00:00Z"}}"#
        );
        assert!(map_frame(
            &parse(&frame(ALICE, "update", "app.bsky.graph.follow", &rec)).unwrap(),
            &s
        )
        .events
        .is_empty());
        let other = rec.replace(BOB, ALICE);
        assert!(map_frame(
            &parse(&frame(ALICE, "create", "app.bsky.graph.follow", &other)).unwrap(),
            &s
        )
        .events
        .is_empty());
        let post =
            r#"{"$type":"app.bsky.feed.post","text":"hello","createdAt":"2026-01-01T00:00:00Z"}"#;
        assert!(map_frame(
            &parse(&frame(ALICE, "create", "app.bsky.feed.post", post)).unwrap(),
            &s
        )
        .events
        .is_empty());
        let bad = format!(
            r#"{{"$type":"app.bsky.graph.follow","subject":"{BOB}","createdAt":"not a date"}}"#
        );
        let m = map_frame(
            &parse(&frame(ALICE, "create", "app.bsky.graph.follow", &bad)).unwrap(),
            &s,
        );
        assert!(m.events.is_empty() && m.invalid);
    }
}
