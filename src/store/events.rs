//! Webhook events as bits, so filters and duplicate checks are integer tests.

use crate::lexicon::place::stream::server::defs::WebhookEventsItem;

/// The bit for one event: `1 << its position in the lexicon's list`. The migration's
/// `webhooks_dup_*` indexes assume exactly these five positions.
pub(crate) fn bit(event: WebhookEventsItem) -> i64 {
    let pos = WebhookEventsItem::ALL
        .iter()
        .position(|e| *e == event)
        .expect("every variant is in ALL");
    1 << pos
}

/// The union of the bits of `events` (0 for none).
pub(crate) fn mask(events: &[WebhookEventsItem]) -> i64 {
    events.iter().fold(0, |m, e| m | bit(*e))
}

/// `events` as a set: each event once, where it first appears (so a list without repeats
/// is kept as given).
pub(crate) fn dedup(events: impl IntoIterator<Item = WebhookEventsItem>) -> Vec<WebhookEventsItem> {
    let mut seen = 0;
    events
        .into_iter()
        .filter(|e| {
            let new = seen & bit(*e) == 0;
            seen |= bit(*e);
            new
        })
        .collect()
}

/// Converts any generated event enum (create, update, list, defs) by its string form.
/// The lexicons share one list of names; a name defs lacks yields `None`.
pub(crate) fn parse(name: &str) -> Option<WebhookEventsItem> {
    WebhookEventsItem::parse(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::place::stream::server::{create_webhook, update_webhook};

    #[test]
    fn bits_match_the_migration() {
        // Adding an event to the lexicon must come with a new `webhooks_dup_*` index.
        assert_eq!(WebhookEventsItem::ALL.len(), 5);
        assert_eq!(bit(WebhookEventsItem::Chat), 1);
        assert_eq!(bit(WebhookEventsItem::Received), 16);
        assert_eq!(
            mask(&[WebhookEventsItem::Chat, WebhookEventsItem::Follow]),
            5
        );
    }

    #[test]
    fn input_enums_all_convert() {
        for e in create_webhook::InputEventsItem::ALL {
            assert!(parse(e.as_str()).is_some(), "{}", e.as_str());
        }
        for e in update_webhook::InputEventsItem::ALL {
            assert!(parse(e.as_str()).is_some(), "{}", e.as_str());
        }
    }
}
