//! The one event model: the five event types a webhook can receive, and an event as the
//! dispatcher sees it, whichever source (push, test send, Jetstream) it came from.

use crate::lexicon::place::stream::server::defs::WebhookEventsItem;
use serde_json::Value;

/// An event type, named as in the webhook lexicon's `events` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A new `place.stream.chat.message` (subject = its `streamer`).
    Chat,
    /// A new `place.stream.livestream` (subject = its author).
    Livestream,
    /// A new `app.bsky.graph.follow` (subject = its `subject`).
    Follow,
    /// A chat message or post whose facets mention the subject.
    Mention,
    /// Pushed by a trusted node (subject = the streamer).
    StreamReceived,
}

impl EventKind {
    /// Every kind, in the lexicon's order.
    pub const ALL: [EventKind; 5] = [
        EventKind::Chat,
        EventKind::Livestream,
        EventKind::Follow,
        EventKind::Mention,
        EventKind::StreamReceived,
    ];

    /// The lexicon name (`chat`, ..., `stream.received`).
    pub fn as_str(self) -> &'static str {
        self.webhook_event().as_str()
    }

    /// Parse a lexicon name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The matching value of the generated webhook `events` enum.
    pub fn webhook_event(self) -> WebhookEventsItem {
        match self {
            EventKind::Chat => WebhookEventsItem::Chat,
            EventKind::Livestream => WebhookEventsItem::Livestream,
            EventKind::Follow => WebhookEventsItem::Follow,
            EventKind::Mention => WebhookEventsItem::Mention,
            EventKind::StreamReceived => WebhookEventsItem::Received,
        }
    }

    /// The record collections an event of this kind may carry (empty: no record).
    pub fn collections(self) -> &'static [&'static str] {
        match self {
            EventKind::Chat => &["place.stream.chat.message"],
            EventKind::Livestream => &["place.stream.livestream"],
            EventKind::Follow => &["app.bsky.graph.follow"],
            EventKind::Mention => &["place.stream.chat.message", "app.bsky.feed.post"],
            EventKind::StreamReceived => &[],
        }
    }
}

/// An event to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Its type.
    pub kind: EventKind,
    /// The DID whose webhooks fire.
    pub subject: String,
    /// The DID that caused it (record author), when there is one.
    pub author: Option<String>,
    /// The at-uri of the record, when there is one.
    pub uri: Option<String>,
    /// The ATProto record (already validated against its lexicon), when there is one.
    pub record: Option<Value>,
}

/// The idempotency key of a record-backed event, shared by every source (push and
/// Jetstream), so the same record reaching placehook twice is delivered once. The
/// subject is part of it: one post may mention several accounts.
pub fn uri_dedupe_key(kind: EventKind, subject: &str, uri: &str) -> String {
    format!("uri:{}:{subject}:{uri}", kind.as_str())
}

/// DIDs named by mention features in a record's facets.
pub fn mentions(rec: &Value) -> impl Iterator<Item = &str> {
    rec.get("facets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| f.get("features").and_then(Value::as_array))
        .flatten()
        .filter(|feat| {
            feat.get("$type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.ends_with("#mention"))
        })
        .filter_map(|feat| feat.get("did").and_then(Value::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_the_lexicon() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(EventKind::StreamReceived.as_str(), "stream.received");
        assert_eq!(EventKind::parse("nope"), None);
        assert_eq!(WebhookEventsItem::ALL.len(), EventKind::ALL.len());
    }
}
