//! Create, read, update and delete one webhook, always within its owner's scope.

use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use super::changes::Touched;
use super::error::is_unique_violation;
use super::row::{normalise, to_events, webhook_columns, Encoded, WebhookRow};
use super::{datetime, events, Store, StoreError, WebhookPatch};
use crate::lexicon::place::stream::server::create_webhook;
use crate::lexicon::place::stream::server::defs::Webhook;

const SELECT_ONE: &str = concat!(
    "SELECT ",
    webhook_columns!(),
    " FROM webhooks WHERE id = ? AND owner = ?"
);

// Inserts only while the owner is under the limit (`?2` is the owner, `?16` the limit), so
// counting and inserting is one statement: one round trip fewer per create. Every
// parameter is numbered: anonymous `?` mixed with a reused `?2` would be miscounted.
const INSERT: &str = "INSERT INTO webhooks (id, owner, created_at, url, url_key, events, \
    events_mask, active, streamplace_format, prefix, suffix, rewrite, name, description, \
    mute_words) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15 \
    WHERE (SELECT COUNT(*) FROM webhooks WHERE owner = ?2) < ?16";

const UPDATE: &str = "UPDATE webhooks SET updated_at = ?, url = ?, url_key = ?, events = ?, \
    events_mask = ?, active = ?, streamplace_format = ?, prefix = ?, suffix = ?, rewrite = ?, \
    name = ?, description = ?, mute_words = ? WHERE seq = ?";

impl Store {
    /// Stores a new webhook for `owner`. `url_key` is the caller's normalised form of
    /// `input.url`; duplicates are judged on it.
    ///
    /// Fails with [`StoreError::TooManyWebhooks`] when the owner already has
    /// `max_per_owner`, and [`StoreError::DuplicateWebhook`] when another of theirs has
    /// the same `url_key` and shares an event. Both checks and the insert run in one
    /// `BEGIN IMMEDIATE` transaction, so concurrent creates (from any process) cannot
    /// overshoot either.
    pub async fn create_webhook(
        &self,
        owner: &str,
        input: &create_webhook::Input,
        url_key: &str,
        max_per_owner: u32,
    ) -> Result<Webhook, StoreError> {
        let mut webhook = Webhook {
            id: String::new(),
            url: input.url.clone(),
            events: to_events(&input.events, |e| e.as_str()),
            active: input.active,
            streamplace_format: input.streamplace_format,
            prefix: input.prefix.clone(),
            suffix: input.suffix.clone(),
            rewrite: input.rewrite.clone(),
            created_at: String::new(),
            updated_at: None,
            name: input.name.clone(),
            description: input.description.clone(),
            last_triggered: None,
            error_count: Some(0),
            mute_words: input.mute_words.clone(),
            type_: None,
            extra: serde_json::Map::new(),
        };
        normalise(&mut webhook);

        let who = owner.to_owned();
        let url_key = url_key.to_owned();
        let created = self
            .db
            .write(move |c| {
                let owner = &who;
                let mut webhook = webhook.clone();
                // Taken under the write lock, so ids and times ascend with insertion order.
                webhook.id = Uuid::now_v7().to_string();
                webhook.created_at = datetime::now();
                let enc = Encoded::new(&webhook, &url_key);
                let limit = i64::from(max_per_owner);
                let mut values: Vec<&dyn rusqlite::ToSql> =
                    vec![&webhook.id, owner, &webhook.created_at];
                values.extend(enc.values());
                values.push(&limit);
                // The `webhooks_dup_*` unique indexes refuse a duplicate.
                let inserted = c.prepare_cached(INSERT)?.execute(&*values).map_err(|e| {
                    write_failed(c, e, owner, &url_key, events::mask(&webhook.events), None)
                })?;
                if inserted == 0 {
                    return Err(StoreError::TooManyWebhooks);
                }
                Ok(webhook)
            })
            .await?;
        self.changes.webhooks([owner], Touched::Subscriptions);
        Ok(created)
    }

    /// The owner's webhook with this id, if there is one.
    pub async fn get_webhook(&self, owner: &str, id: &str) -> Result<Option<Webhook>, StoreError> {
        let row = self.db.read(|c| select_one(c, owner, id))?;
        row.map(WebhookRow::into_webhook).transpose()
    }

    /// Applies `patch` to the owner's webhook and sets `updatedAt`. When the patch has a
    /// `url`, `url_key` is its normalised form (the url itself is used if `None`).
    ///
    /// Fails with [`StoreError::WebhookNotFound`] for a missing or foreign id and
    /// [`StoreError::DuplicateWebhook`] if the new url/events collide with another of
    /// the owner's webhooks; nothing is changed on failure.
    pub async fn update_webhook(
        &self,
        owner: &str,
        id: &str,
        patch: &WebhookPatch,
        url_key: Option<&str>,
    ) -> Result<Webhook, StoreError> {
        let (who, id, patch) = (owner.to_owned(), id.to_owned(), patch.clone());
        let url_key = url_key.map(str::to_owned);
        let updated = self
            .db
            .write(move |c| {
                let owner = &who;
                let row = select_one(c, owner, &id)?.ok_or(StoreError::WebhookNotFound)?;
                let mut webhook = row.to_webhook()?;
                patch.apply(&mut webhook);
                normalise(&mut webhook);
                webhook.updated_at = Some(datetime::now());
                let key = match (&patch.url, url_key.as_deref()) {
                    (Some(_), Some(key)) => key,
                    (Some(url), None) => url.as_str(),
                    (None, _) => row.url_key.as_str(),
                };
                let enc = Encoded::new(&webhook, key);
                let mut values: Vec<&dyn rusqlite::ToSql> = vec![&webhook.updated_at];
                values.extend(enc.values());
                values.push(&row.seq);
                // The duplicate indexes compare against the owner's other rows only, so they
                // fire exactly when a changed url or event list collides with one of those.
                c.prepare_cached(UPDATE)?.execute(&*values).map_err(|e| {
                    write_failed(
                        c,
                        e,
                        owner,
                        key,
                        events::mask(&webhook.events),
                        Some(row.seq),
                    )
                })?;
                if patch.active == Some(true) {
                    // The owner switched it back on: it starts afresh.
                    c.prepare_cached(
                        "UPDATE webhooks SET disabled_reason = NULL, disabled_at = NULL, \
                         failing_since = NULL, error_count = 0 WHERE seq = ?",
                    )?
                    .execute([row.seq])?;
                    webhook.error_count = Some(0);
                    webhook.extra = serde_json::Map::new();
                }
                Ok(webhook)
            })
            .await;
        self.changes.webhooks([owner], Touched::Subscriptions);
        let updated = updated?;
        Ok(updated)
    }

    /// Deletes the owner's webhook; `false` if there was none with this id.
    pub async fn delete_webhook(&self, owner: &str, id: &str) -> Result<bool, StoreError> {
        let (who, id) = (owner.to_owned(), id.to_owned());
        let deleted = self
            .db
            .write(move |c| {
                Ok(
                    c.prepare_cached("DELETE FROM webhooks WHERE id = ? AND owner = ?")?
                        .execute([&id, &who])?,
                )
            })
            .await;
        self.changes.webhooks([owner], Touched::Subscriptions);
        let deleted = deleted?;
        Ok(deleted > 0)
    }
}

/// Classifies a failed write of one of the owner's webhooks (`mask`: its events as bits;
/// `seq`: the row an update writes). A `UNIQUE` violation is [`StoreError::DuplicateWebhook`] when another of the
/// owner's webhooks has this URL key and shares an event, which is asked of the table
/// rather than read from SQLite's message text (the only place it names the index). The
/// transaction is still open (a failed statement undoes only itself) and holds the write
/// lock, so the answer is the state the statement saw; and only a failure pays for it.
/// Any other violation (an `id` collision) is a bug, left as `Db`.
fn write_failed(
    c: &Connection,
    err: rusqlite::Error,
    owner: &str,
    url_key: &str,
    mask: i64,
    seq: Option<i64>,
) -> StoreError {
    if !is_unique_violation(&err) {
        return err.into();
    }
    let clash = c
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM webhooks WHERE owner = ?1 AND url_key = ?2 \
             AND events_mask & ?3 AND seq IS NOT ?4)",
        )
        .and_then(|mut q| q.query_row(rusqlite::params![owner, url_key, mask, seq], |r| r.get(0)));
    match clash {
        Ok(true) => StoreError::DuplicateWebhook,
        Ok(false) => err.into(),
        Err(e) => e.into(),
    }
}

fn select_one(c: &Connection, owner: &str, id: &str) -> Result<Option<WebhookRow>, StoreError> {
    let mut q = c.prepare_cached(SELECT_ONE)?;
    Ok(q.query_row([id, owner], WebhookRow::from_row).optional()?)
}

/// [`StoreError::WebhookNotFound`] unless `owner` owns the webhook `id`.
pub(crate) fn ensure_owned(c: &Connection, owner: &str, id: &str) -> Result<(), StoreError> {
    let found: Option<i64> = c
        .prepare_cached("SELECT seq FROM webhooks WHERE id = ? AND owner = ?")?
        .query_row([id, owner], |r| r.get(0))
        .optional()?;
    found.map(|_| ()).ok_or(StoreError::WebhookNotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSERT_RAW: &str = "INSERT INTO webhooks (id, owner, url, url_key, events, \
        events_mask, active, streamplace_format, created_at) \
        VALUES (?1, 'did:plc:a', 'u', ?2, '[\"chat\"]', 1, 1, 0, 't')";

    #[test]
    fn only_a_shared_url_key_and_event_is_a_duplicate() {
        let mut c = Connection::open_in_memory().unwrap();
        super::super::migrate::run(&mut c).unwrap();
        c.execute(INSERT_RAW, ["w1", "k"]).unwrap();
        // The same id under another URL: a unique violation, but a bug, not a duplicate.
        let e = c.execute(INSERT_RAW, ["w1", "other"]).unwrap_err();
        assert!(is_unique_violation(&e));
        let got = write_failed(&c, e, "did:plc:a", "other", 1, None);
        assert!(matches!(got, StoreError::Db(_)), "{got:?}");
        // Another webhook with the same URL key and event: the duplicate.
        let e = c.execute(INSERT_RAW, ["w2", "k"]).unwrap_err();
        let got = write_failed(&c, e, "did:plc:a", "k", 1, None);
        assert!(matches!(got, StoreError::DuplicateWebhook), "{got:?}");
        // Anything else passes through classified as usual.
        let e = c.execute("INSERT INTO nowhere VALUES (1)", []).unwrap_err();
        let got = write_failed(&c, e, "did:plc:a", "k", 1, None);
        assert!(matches!(got, StoreError::Db(_)), "{got:?}");
    }
}
