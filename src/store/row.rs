//! How a webhook is laid out in the `webhooks` table, both ways.

use sqlx::query::Query;
use sqlx::sqlite::{Sqlite, SqliteArguments};

use super::error::decode_error;
use super::{events, StoreError};
use crate::lexicon::place::stream::server::defs::{RewriteRule, Webhook, WebhookEventsItem};

/// The columns [`WebhookRow`] reads, as a literal so queries can be `concat!`ed into
/// `&'static str` (sqlx caches prepared statements by their text).
macro_rules! webhook_columns {
    () => {
        "seq, id, owner, url, url_key, events, active, streamplace_format, prefix, suffix, \
         rewrite, name, description, mute_words, created_at, updated_at, last_triggered, \
         error_count, disabled_reason, disabled_at"
    };
}
pub(crate) use webhook_columns;

/// One `webhooks` row as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct WebhookRow {
    pub seq: i64,
    id: String,
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
    /// The lexicon object this row stores.
    pub fn to_webhook(&self) -> Result<Webhook, StoreError> {
        Ok(Webhook {
            id: self.id.clone(),
            url: self.url.clone(),
            events: serde_json::from_str(&self.events).map_err(decode_error)?,
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
            *rule = RewriteRule {
                from: std::mem::take(&mut rule.from),
                to: std::mem::take(&mut rule.to),
                type_: None,
                extra: serde_json::Map::new(),
            };
        }
    }
    if w.mute_words.as_ref().is_some_and(Vec::is_empty) {
        w.mute_words = None;
    }
}

/// The column values a create or update writes, encoded once.
pub(crate) struct Encoded<'a> {
    w: &'a Webhook,
    url_key: &'a str,
    events: String,
    events_mask: i64,
    rewrite: Option<String>,
    mute_words: Option<String>,
}

impl<'a> Encoded<'a> {
    pub fn new(w: &'a Webhook, url_key: &'a str) -> Self {
        Self {
            w,
            url_key,
            events: to_json(&w.events),
            events_mask: events::mask(&w.events),
            rewrite: w.rewrite.as_ref().map(to_json),
            mute_words: w.mute_words.as_ref().map(to_json),
        }
    }

    /// Binds, in this order: url, url_key, events, events_mask, active,
    /// streamplace_format, prefix, suffix, rewrite, name, description, mute_words.
    pub fn bind<'q>(
        &'q self,
        q: Query<'q, Sqlite, SqliteArguments<'q>>,
    ) -> Query<'q, Sqlite, SqliteArguments<'q>> {
        let w = self.w;
        q.bind(&w.url)
            .bind(self.url_key)
            .bind(&self.events)
            .bind(self.events_mask)
            .bind(w.active)
            .bind(w.streamplace_format)
            .bind(&w.prefix)
            .bind(&w.suffix)
            .bind(&self.rewrite)
            .bind(&w.name)
            .bind(&w.description)
            .bind(&self.mute_words)
    }
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Only plain strings, enums and string-keyed maps reach here; they always serialise.
    serde_json::to_string(value).expect("webhook fields serialise to JSON")
}

/// Converts a generated event list (create or update input) to the stored enum.
pub(crate) fn to_events<E>(
    items: &[E],
    name: impl Fn(&E) -> &'static str,
) -> Vec<WebhookEventsItem> {
    // Every input enum shares the defs names (checked by a test in `events.rs`).
    items
        .iter()
        .filter_map(|e| events::parse(name(e)))
        .collect()
}
