//! How a webhook is laid out in the `webhooks` table, both ways.

use rusqlite::types::ToSql;

use super::error::decode_error;
use super::{events, StoreError};
use crate::lexicon::place::stream::server::defs::{RewriteRule, Webhook, WebhookEventsItem};

/// The columns [`WebhookRow`] reads, in its field order, as a literal so queries can be
/// `concat!`ed into `&'static str` (prepared statements are cached by their text).
macro_rules! webhook_columns {
    () => {
        "seq, id, owner, url, url_key, events, active, streamplace_format, prefix, suffix, \
         rewrite, name, description, mute_words, created_at, updated_at, last_triggered, \
         error_count, disabled_reason, disabled_at"
    };
}
pub(crate) use webhook_columns;

/// One `webhooks` row as stored.
pub(crate) struct WebhookRow {
    pub seq: i64,
    id: String,
    pub owner: String,
    url: String,
    pub url_key: String,
    events: String,
    active: bool,
    streamplace_format: bool,
    prefix: Option<String>,
    suffix: Option<String>,
    rewrite: Option<String>,
    name: Option<String>,
    description: Option<String>,
    mute_words: Option<String>,
    created_at: String,
    updated_at: Option<String>,
    last_triggered: Option<String>,
    error_count: i64,
    disabled_reason: Option<String>,
    disabled_at: Option<String>,
}

impl WebhookRow {
    /// Reads the columns of `webhook_columns!()`, starting at column `at`.
    pub fn read(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Self> {
        Ok(Self {
            seq: r.get(at)?,
            id: r.get(at + 1)?,
            owner: r.get(at + 2)?,
            url: r.get(at + 3)?,
            url_key: r.get(at + 4)?,
            events: r.get(at + 5)?,
            active: r.get(at + 6)?,
            streamplace_format: r.get(at + 7)?,
            prefix: r.get(at + 8)?,
            suffix: r.get(at + 9)?,
            rewrite: r.get(at + 10)?,
            name: r.get(at + 11)?,
            description: r.get(at + 12)?,
            mute_words: r.get(at + 13)?,
            created_at: r.get(at + 14)?,
            updated_at: r.get(at + 15)?,
            last_triggered: r.get(at + 16)?,
            error_count: r.get(at + 17)?,
            disabled_reason: r.get(at + 18)?,
            disabled_at: r.get(at + 19)?,
        })
    }

    /// [`WebhookRow::read`] from column 0, as `query_map` wants it.
    pub fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Self::read(r, 0)
    }

    /// The lexicon object this row stores.
    pub fn to_webhook(&self) -> Result<Webhook, StoreError> {
        Ok(Webhook {
            id: self.id.clone(),
            url: self.url.clone(),
            events: decode_events(&self.events)?,
            active: self.active,
            streamplace_format: self.streamplace_format,
            prefix: self.prefix.clone(),
            suffix: self.suffix.clone(),
            rewrite: json_opt(self.rewrite.as_deref())?,
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            last_triggered: self.last_triggered.clone(),
            error_count: Some(self.error_count),
            mute_words: json_opt(self.mute_words.as_deref())?,
            type_: None,
            extra: self.status_fields(),
        })
    }

    /// [`WebhookRow::to_webhook`], moving the strings instead of copying them.
    pub fn into_webhook(self) -> Result<Webhook, StoreError> {
        let extra = self.status_fields();
        Ok(Webhook {
            events: decode_events(&self.events)?,
            rewrite: json_opt(self.rewrite.as_deref())?,
            mute_words: json_opt(self.mute_words.as_deref())?,
            id: self.id,
            url: self.url,
            active: self.active,
            streamplace_format: self.streamplace_format,
            prefix: self.prefix,
            suffix: self.suffix,
            created_at: self.created_at,
            updated_at: self.updated_at,
            name: self.name,
            description: self.description,
            last_triggered: self.last_triggered,
            error_count: Some(self.error_count),
            type_: None,
            extra,
        })
    }
}

impl WebhookRow {
    /// Why placehook switched the webhook off, shown beside the lexicon's fields (clients
    /// keep unknown fields; Streamplace clients ignore them).
    fn status_fields(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut extra = serde_json::Map::new();
        if let Some(reason) = &self.disabled_reason {
            extra.insert("disabledReason".into(), reason.clone().into());
        }
        if let Some(at) = &self.disabled_at {
            extra.insert("disabledAt".into(), at.clone().into());
        }
        extra
    }
}

fn json_opt<T: serde::de::DeserializeOwned>(text: Option<&str>) -> Result<Option<T>, StoreError> {
    text.map(serde_json::from_str)
        .transpose()
        .map_err(decode_error)
}

/// Empty strings and lists mean "absent" (update clears with them), and rewrite rules
/// keep only `from`/`to`; applied before every write so storage has one spelling of each.
pub(crate) fn normalise(w: &mut Webhook) {
    for field in [
        &mut w.prefix,
        &mut w.suffix,
        &mut w.name,
        &mut w.description,
    ] {
        if field.as_deref() == Some("") {
            *field = None;
        }
    }
    if w.rewrite.as_ref().is_some_and(Vec::is_empty) {
        w.rewrite = None;
    }
    if let Some(rules) = &mut w.rewrite {
        for rule in rules {
            *rule = RewriteRule::new(std::mem::take(&mut rule.from), std::mem::take(&mut rule.to));
        }
    }
    if w.mute_words.as_ref().is_some_and(Vec::is_empty) {
        w.mute_words = None;
    }
}

/// The column values a create or update writes, encoded once and owned (writes run on
/// the writer thread).
pub(crate) struct Encoded {
    url: String,
    url_key: String,
    events: String,
    events_mask: i64,
    active: bool,
    streamplace_format: bool,
    prefix: Option<String>,
    suffix: Option<String>,
    rewrite: Option<String>,
    name: Option<String>,
    description: Option<String>,
    mute_words: Option<String>,
}

impl Encoded {
    pub fn new(w: &Webhook, url_key: &str) -> Self {
        Self {
            url: w.url.clone(),
            url_key: url_key.to_owned(),
            events: to_json(&w.events),
            events_mask: events::mask(&w.events),
            active: w.active,
            streamplace_format: w.streamplace_format,
            prefix: w.prefix.clone(),
            suffix: w.suffix.clone(),
            rewrite: w.rewrite.as_ref().map(to_json),
            name: w.name.clone(),
            description: w.description.clone(),
            mute_words: w.mute_words.as_ref().map(to_json),
        }
    }

    /// The values, in this order: url, url_key, events, events_mask, active,
    /// streamplace_format, prefix, suffix, rewrite, name, description, mute_words.
    pub fn values(&self) -> [&dyn ToSql; 12] {
        [
            &self.url,
            &self.url_key,
            &self.events,
            &self.events_mask,
            &self.active,
            &self.streamplace_format,
            &self.prefix,
            &self.suffix,
            &self.rewrite,
            &self.name,
            &self.description,
            &self.mute_words,
        ]
    }
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Only plain strings, enums and string-keyed maps reach here; they always serialise.
    serde_json::to_string(value).expect("webhook fields serialise to JSON")
}

/// Converts a generated event list (create or update input) to the stored enum.
/// The stored events, each once (rows written before events were deduplicated may
/// repeat one).
fn decode_events(json: &str) -> Result<Vec<WebhookEventsItem>, StoreError> {
    let events: Vec<WebhookEventsItem> = serde_json::from_str(json).map_err(decode_error)?;
    Ok(events::dedup(events))
}

pub(crate) fn to_events<E>(
    items: &[E],
    name: impl Fn(&E) -> &'static str,
) -> Vec<WebhookEventsItem> {
    // Every input enum shares the defs names (checked by a test in `events.rs`).
    events::dedup(items.iter().filter_map(|e| events::parse(name(e))))
}
