//! Sample events for `testWebhook`: valid records of each type, addressed to the owner.

use crate::events::{Event, EventKind};
use serde_json::json;
use time::OffsetDateTime;

/// A sample event of `kind` whose subject and author are `owner`.
pub fn sample_event(kind: EventKind, owner: &str, now: OffsetDateTime) -> Event {
    let at = crate::store::format_datetime(now);
    let text = "This is a test message from placehook.";
    let record = match kind {
        EventKind::Chat => Some(json!({
            "$type": "place.stream.chat.message", "text": text, "streamer": owner, "createdAt": at,
        })),
        // As Streamplace writes it for a streamer whose handle does not resolve: the
        // stream's page by DID, so the test shows the title and link a real one would.
        EventKind::Livestream => Some(json!({
            "$type": "place.stream.livestream", "title": "Test stream from placehook",
            "url": format!("https://stream.place/{owner}"), "createdAt": at,
        })),
        EventKind::Follow => Some(json!({
            "$type": "app.bsky.graph.follow", "subject": owner, "createdAt": at,
        })),
        EventKind::Mention => {
            let mention = format!("@{owner}");
            let full = format!("{mention} {text}");
            Some(json!({
                "$type": "place.stream.chat.message", "text": full, "streamer": owner, "createdAt": at,
                "facets": [{
                    "index": {"byteStart": 0, "byteEnd": mention.len()},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": owner}],
                }],
            }))
        }
        EventKind::StreamReceived => None,
    };
    Event {
        kind,
        subject: owner.to_string(),
        author: Some(owner.to_string()),
        uri: None,
        record,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_record_is_valid_for_its_lexicon() {
        for kind in EventKind::ALL {
            let e = sample_event(
                kind,
                "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
                OffsetDateTime::now_utc(),
            );
            if let Some(r) = &e.record {
                let collection = r["$type"].as_str().unwrap();
                assert!(kind.collections().contains(&collection));
                let verdict = crate::lexicon::validate_record(collection, r).unwrap();
                assert!(verdict.is_ok(), "{kind:?}: {verdict:?}");
            }
        }
    }
}
