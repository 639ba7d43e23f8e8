//! How a webhook is laid out in the `webhooks` table, both ways.

use rusqlite::types::ToSql;

use super::events;
use crate::model::{Disabled, Webhook, WebhookSettings};
use crate::store::{decode_error, StoreError};

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

    /// The webhook this row stores.
    pub fn into_webhook(self) -> Result<Webhook, StoreError> {
        let disabled = self.disabled_reason.map(|reason| Disabled {
            reason,
            at: self.disabled_at,
        });
        Ok(Webhook {
            settings: WebhookSettings {
                url: self.url,
                events: events::from_json(&self.events)?,
                active: self.active,
                streamplace_format: self.streamplace_format,
                prefix: self.prefix,
                suffix: self.suffix,
                rewrite: json_opt(self.rewrite.as_deref())?.unwrap_or_default(),
                name: self.name,
                description: self.description,
                mute_words: json_opt(self.mute_words.as_deref())?.unwrap_or_default(),
            },
            id: self.id,
            created_at: self.created_at,
            updated_at: self.updated_at,
            last_triggered: self.last_triggered,
            error_count: self.error_count,
            disabled,
        })
    }
}

fn json_opt<T: serde::de::DeserializeOwned>(text: Option<&str>) -> Result<Option<T>, StoreError> {
    text.map(serde_json::from_str)
        .transpose()
        .map_err(decode_error)
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
    pub fn new(w: &WebhookSettings, url_key: &str) -> Self {
        // Empty lists are stored as NULL: one spelling of "none".
        Self {
            url: w.url.clone(),
            url_key: url_key.to_owned(),
            events: events::to_json(&w.events),
            events_mask: events::mask(&w.events),
            active: w.active,
            streamplace_format: w.streamplace_format,
            prefix: w.prefix.clone(),
            suffix: w.suffix.clone(),
            rewrite: (!w.rewrite.is_empty()).then(|| to_json(&w.rewrite)),
            name: w.name.clone(),
            description: w.description.clone(),
            mute_words: (!w.mute_words.is_empty()).then(|| to_json(&w.mute_words)),
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
