//! Partial updates of a webhook.

use crate::lexicon::place::stream::server::defs::{RewriteRule, Webhook, WebhookEventsItem};
use crate::lexicon::place::stream::server::update_webhook;

use super::row::to_events;

/// The fields `updateWebhook` may change. `None` leaves a field as it is; `Some` of an
/// empty string or list clears it (it is then stored and returned as absent; `events`
/// becomes `[]`, which the lexicon requires to be present).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookPatch {
    /// New target URL; pass its normalised form as `url_key` to `update_webhook`.
    pub url: Option<String>,
    /// New event list.
    pub events: Option<Vec<WebhookEventsItem>>,
    /// Enable or disable deliveries.
    pub active: Option<bool>,
    /// Switch the chat message format.
    pub streamplace_format: Option<bool>,
    /// Text before each message.
    pub prefix: Option<String>,
    /// Text after each message.
    pub suffix: Option<String>,
    /// Replacement rules, applied in order.
    pub rewrite: Option<Vec<RewriteRule>>,
    /// Display name.
    pub name: Option<String>,
    /// Free-text description.
    pub description: Option<String>,
    /// Words that suppress a chat delivery.
    pub mute_words: Option<Vec<String>>,
}

impl WebhookPatch {
    /// The patch an `updateWebhook` body asks for. `body` is the raw JSON the input was
    /// decoded from: the generated input fills an omitted `streamplaceFormat` with its
    /// lexicon default (`false`), so only the raw body tells "omitted" from "false".
    pub fn from_update_input(input: &update_webhook::Input, body: &serde_json::Value) -> Self {
        Self {
            url: input.url.clone(),
            events: input.events.as_ref().map(|e| to_events(e, |e| e.as_str())),
            active: input.active,
            streamplace_format: body
                .get("streamplaceFormat")
                .map(|_| input.streamplace_format),
            prefix: input.prefix.clone(),
            suffix: input.suffix.clone(),
            rewrite: input.rewrite.clone(),
            name: input.name.clone(),
            description: input.description.clone(),
            mute_words: input.mute_words.clone(),
        }
    }

    /// Writes the present fields into `w` (normalising happens afterwards, on write).
    pub(crate) fn apply(&self, w: &mut Webhook) {
        fn set<T: Clone>(field: &mut T, value: &Option<T>) {
            if let Some(v) = value {
                *field = v.clone();
            }
        }
        fn set_opt<T: Clone>(field: &mut Option<T>, value: &Option<T>) {
            if value.is_some() {
                field.clone_from(value);
            }
        }
        set(&mut w.url, &self.url);
        set(&mut w.events, &self.events);
        set(&mut w.active, &self.active);
        set(&mut w.streamplace_format, &self.streamplace_format);
        set_opt(&mut w.prefix, &self.prefix);
        set_opt(&mut w.suffix, &self.suffix);
        set_opt(&mut w.rewrite, &self.rewrite);
        set_opt(&mut w.name, &self.name);
        set_opt(&mut w.description, &self.description);
        set_opt(&mut w.mute_words, &self.mute_words);
    }
}
