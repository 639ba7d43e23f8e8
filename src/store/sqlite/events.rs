//! Webhook events as bits, so filters and duplicate checks are integer tests, and as the
//! JSON list the `events` column keeps.

use crate::events::EventKind;
use crate::store::StoreError;

/// The bit for one event: `1 << its position in the lexicon's list`. The migration's
/// `webhooks_dup_*` indexes assume exactly these five positions.
pub(crate) fn bit(event: EventKind) -> i64 {
    let pos = EventKind::ALL
        .iter()
        .position(|e| *e == event)
        .expect("every variant is in ALL");
    1 << pos
}

/// The union of the bits of `events` (0 for none).
pub(crate) fn mask(events: &[EventKind]) -> i64 {
    events.iter().fold(0, |m, e| m | bit(*e))
}

/// The events whose bits `mask` holds, in the lexicon's order.
pub(crate) fn from_mask(mask: i64) -> Vec<EventKind> {
    EventKind::ALL
        .into_iter()
        .filter(|e| mask & bit(*e) != 0)
        .collect()
}

/// The `events` column: a JSON list of lexicon names.
pub(crate) fn to_json(events: &[EventKind]) -> String {
    let names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    serde_json::to_string(&names).expect("a list of strings serialises")
}

/// Reads the `events` column, each event once (rows written before events were
/// deduplicated may repeat one).
pub(crate) fn from_json(json: &str) -> Result<Vec<EventKind>, StoreError> {
    let names: Vec<String> = serde_json::from_str(json).map_err(crate::store::decode_error)?;
    let mut events = Vec::with_capacity(names.len());
    for name in names {
        let e = EventKind::parse(&name).ok_or_else(|| {
            crate::store::decode_error(std::io::Error::other(format!("unknown event {name}")))
        })?;
        if !events.contains(&e) {
            events.push(e);
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::place::stream::server::defs::WebhookEventsItem;

    #[test]
    fn bits_match_the_migration() {
        // Adding an event to the lexicon must come with a new `webhooks_dup_*` index.
        assert_eq!(WebhookEventsItem::ALL.len(), 5);
        for (k, w) in EventKind::ALL.iter().zip(WebhookEventsItem::ALL) {
            assert_eq!(
                k.webhook_event(),
                *w,
                "EventKind::ALL is in the lexicon's order"
            );
        }
        assert_eq!(bit(EventKind::Chat), 1);
        assert_eq!(bit(EventKind::StreamReceived), 16);
        assert_eq!(mask(&[EventKind::Chat, EventKind::Follow]), 5);
        assert_eq!(from_mask(5), vec![EventKind::Chat, EventKind::Follow]);
    }

    #[test]
    fn the_column_round_trips_and_repeats_fold() {
        let json = to_json(&[EventKind::StreamReceived, EventKind::Chat]);
        assert_eq!(json, r#"["stream.received","chat"]"#);
        assert_eq!(
            from_json(r#"["chat","chat","follow"]"#).unwrap(),
            vec![EventKind::Chat, EventKind::Follow]
        );
        assert!(from_json(r#"["nope"]"#).is_err());
    }
}
