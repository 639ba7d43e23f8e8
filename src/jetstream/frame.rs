//! One Jetstream text frame, read without copying: the envelope is borrowed from the
//! frame and the record stays raw JSON until an event needs it.

use super::mapping::{CreateOp, RecordBody};
use serde::Deserialize;
use serde_json::value::RawValue;

/// A Jetstream event (`kind` commit / identity / account).
#[derive(Debug, Deserialize)]
pub struct Frame<'a> {
    /// The repo (account) the event is about.
    #[serde(borrow)]
    pub did: &'a str,
    /// Unix microseconds: the cursor.
    pub time_us: i64,
    /// `commit`, `identity` or `account`.
    #[serde(borrow)]
    pub kind: &'a str,
    /// Present on commits.
    #[serde(borrow, default)]
    pub commit: Option<Commit<'a>>,
}

/// A repo commit.
#[derive(Debug, Deserialize)]
pub struct Commit<'a> {
    /// `create`, `update` or `delete`.
    #[serde(borrow)]
    pub operation: &'a str,
    /// The record's collection NSID.
    #[serde(borrow)]
    pub collection: &'a str,
    /// The record key.
    #[serde(borrow)]
    pub rkey: &'a str,
    /// The record (absent on delete).
    #[serde(borrow, default)]
    pub record: Option<&'a RawValue>,
}

impl<'a> Frame<'a> {
    /// The record create this frame reports, in the form every source maps through;
    /// `None` for anything else (updates, deletes, identity and account events).
    pub fn create_op(&self) -> Option<CreateOp<'a>> {
        let commit = self.commit.as_ref()?;
        if self.kind != "commit" || commit.operation != "create" {
            return None;
        }
        Some(CreateOp {
            did: self.did,
            collection: commit.collection,
            rkey: commit.rkey,
            record: RecordBody::Json(commit.record?.get()),
        })
    }
}

/// Parses a frame; `None` for anything that is not a Jetstream event.
pub fn parse(text: &str) -> Option<Frame<'_>> {
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_wire_format() {
        let f = parse(
            r#"{"did":"did:plc:abc","time_us":1725911162329308,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"create","collection":"app.bsky.graph.follow","rkey":"3l3qo2vuowo2b","record":{"$type":"app.bsky.graph.follow","createdAt":"2024-09-09T19:46:02.102Z","subject":"did:plc:xyz"},"cid":"bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj4"}}"#,
        )
        .unwrap();
        assert_eq!(
            (f.did, f.time_us, f.kind),
            ("did:plc:abc", 1725911162329308, "commit")
        );
        let c = f.commit.unwrap();
        assert_eq!(
            (c.operation, c.collection, c.rkey),
            ("create", "app.bsky.graph.follow", "3l3qo2vuowo2b")
        );
        assert!(c.record.unwrap().get().contains("did:plc:xyz"));
        let d = parse(r#"{"did":"did:plc:abc","time_us":1,"kind":"commit","commit":{"rev":"x","operation":"delete","collection":"app.bsky.graph.follow","rkey":"r"}}"#).unwrap();
        assert!(d.commit.unwrap().record.is_none());
        let i = parse(r#"{"did":"did:plc:abc","time_us":2,"kind":"identity","identity":{"did":"did:plc:abc","handle":"a.test","seq":1,"time":"2024-09-09T19:46:02.102Z"}}"#).unwrap();
        assert_eq!(i.kind, "identity");
        assert!(parse("not json").is_none());
        assert!(parse(r#"{"did":"x"}"#).is_none());
    }
}
