//! A webhook as the service keeps it: its settings, and the status delivery gives it.
//!
//! These are not the lexicon's wire types: `place.stream.server.defs#webhook` and the
//! create / update inputs are converted to and from these at the API edge
//! (`api::wire`), so a backend stores and returns only what is here.

use crate::events::EventKind;

/// One literal replace-all rule, applied to message text in order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rewrite {
    /// Text to find (case-sensitive).
    pub from: String,
    /// What to put in its place.
    pub to: String,
}

/// What an owner sets on a webhook: everything `createWebhook` takes.
///
/// Empty texts and lists mean "absent": [`WebhookSettings::normalise`] folds them so a
/// backend stores one spelling of each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookSettings {
    /// The target URL (a Discord webhook URL, mostly).
    pub url: String,
    /// The event types it receives, each once.
    pub events: Vec<EventKind>,
    /// Whether deliveries are made.
    pub active: bool,
    /// Send chat messages in Streamplace's own format instead of Discord's.
    pub streamplace_format: bool,
    /// Text before each message.
    pub prefix: Option<String>,
    /// Text after each message.
    pub suffix: Option<String>,
    /// Replacement rules, applied in order.
    pub rewrite: Vec<Rewrite>,
    /// Display name.
    pub name: Option<String>,
    /// Free-text description.
    pub description: Option<String>,
    /// Words that suppress a chat delivery.
    pub mute_words: Vec<String>,
}

impl WebhookSettings {
    /// Folds empty texts to absent and repeated events to one.
    pub fn normalise(&mut self) {
        for field in [
            &mut self.prefix,
            &mut self.suffix,
            &mut self.name,
            &mut self.description,
        ] {
            if field.as_deref() == Some("") {
                *field = None;
            }
        }
        let mut seen = Vec::with_capacity(self.events.len());
        self.events.retain(|e| {
            let new = !seen.contains(e);
            seen.push(*e);
            new
        });
    }
}

/// Why placehook switched a webhook off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disabled {
    /// The reason, for the owner.
    pub reason: String,
    /// When (lexicon datetime).
    pub at: Option<String>,
}

/// A stored webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// Its id (a UUIDv7, so ids ascend with creation).
    pub id: String,
    /// What its owner set.
    pub settings: WebhookSettings,
    /// When it was created (lexicon datetime).
    pub created_at: String,
    /// When its owner last changed it.
    pub updated_at: Option<String>,
    /// When a delivery last succeeded.
    pub last_triggered: Option<String>,
    /// Consecutive failed deliveries.
    pub error_count: i64,
    /// Set when placehook switched it off after failures.
    pub disabled: Option<Disabled>,
}

/// The fields `updateWebhook` may change. `None` leaves a field as it is; `Some` of an
/// empty string or list clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookPatch {
    /// New target URL; its normalised form goes to the store as the duplicate key.
    pub url: Option<String>,
    /// New event list.
    pub events: Option<Vec<EventKind>>,
    /// Enable or disable deliveries (enabling also clears a switch-off).
    pub active: Option<bool>,
    /// Switch the chat message format.
    pub streamplace_format: Option<bool>,
    /// Text before each message.
    pub prefix: Option<String>,
    /// Text after each message.
    pub suffix: Option<String>,
    /// Replacement rules, applied in order.
    pub rewrite: Option<Vec<Rewrite>>,
    /// Display name.
    pub name: Option<String>,
    /// Free-text description.
    pub description: Option<String>,
    /// Words that suppress a chat delivery.
    pub mute_words: Option<Vec<String>>,
}

impl WebhookPatch {
    /// Writes the present fields into `s` (then normalised).
    pub fn apply(&self, s: &mut WebhookSettings) {
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
        set(&mut s.url, &self.url);
        set(&mut s.events, &self.events);
        set(&mut s.active, &self.active);
        set(&mut s.streamplace_format, &self.streamplace_format);
        set_opt(&mut s.prefix, &self.prefix);
        set_opt(&mut s.suffix, &self.suffix);
        set(&mut s.rewrite, &self.rewrite);
        set_opt(&mut s.name, &self.name);
        set_opt(&mut s.description, &self.description);
        set(&mut s.mute_words, &self.mute_words);
        s.normalise();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_clears_with_empty_values_and_keeps_what_it_omits() {
        let mut s = WebhookSettings {
            url: "https://a.test/".into(),
            events: vec![EventKind::Chat],
            prefix: Some("p".into()),
            name: Some("n".into()),
            mute_words: vec!["x".into()],
            ..Default::default()
        };
        WebhookPatch {
            prefix: Some(String::new()),
            mute_words: Some(Vec::new()),
            events: Some(vec![EventKind::Follow, EventKind::Follow]),
            ..Default::default()
        }
        .apply(&mut s);
        assert_eq!(s.prefix, None);
        assert!(s.mute_words.is_empty());
        assert_eq!(s.events, vec![EventKind::Follow]);
        assert_eq!(s.name.as_deref(), Some("n"));
    }
}
