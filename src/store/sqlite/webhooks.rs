//! Create, read, update and delete one webhook, always within its owner's scope.

use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use super::error::is_unique_violation;
use super::row::{webhook_columns, Encoded, WebhookRow};
use super::{datetime, events, Sqlite};
use crate::model::{Webhook, WebhookPatch, WebhookSettings};
use crate::store::StoreError;

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

impl Sqlite {
    pub(super) async fn create_webhook(
        &self,
        owner: &str,
        settings: &WebhookSettings,
        url_key: &str,
        max_per_owner: u32,
    ) -> Result<Webhook, StoreError> {
        let mut settings = settings.clone();
        settings.normalise();
        let who = owner.to_owned();
        let url_key = url_key.to_owned();
        self.db
            .write(move |c| {
                let owner = &who;
                // Taken under the write lock, so ids and times ascend with insertion order.
                let webhook = Webhook {
                    id: Uuid::now_v7().to_string(),
                    settings: settings.clone(),
                    created_at: datetime::now(),
                    updated_at: None,
                    last_triggered: None,
                    error_count: 0,
                    disabled: None,
                };
                let enc = Encoded::new(&webhook.settings, &url_key);
                let limit = i64::from(max_per_owner);
                let mut values: Vec<&dyn rusqlite::ToSql> =
                    vec![&webhook.id, owner, &webhook.created_at];
                values.extend(enc.values());
                values.push(&limit);
                // The `webhooks_dup_*` unique indexes refuse a duplicate.
                let mask = events::mask(&webhook.settings.events);
                let inserted = c
                    .prepare_cached(INSERT)?
                    .execute(&*values)
                    .map_err(|e| write_failed(c, e, owner, &url_key, mask, None))?;
                if inserted == 0 {
                    return Err(StoreError::TooManyWebhooks);
                }
                Ok(webhook)
            })
            .await
    }

    pub(super) async fn get_webhook(
        &self,
        owner: &str,
        id: &str,
    ) -> Result<Option<Webhook>, StoreError> {
        let row = self.db.read(|c| select_one(c, owner, id))?;
        row.map(WebhookRow::into_webhook).transpose()
    }

    pub(super) async fn update_webhook(
        &self,
        owner: &str,
        id: &str,
        patch: &WebhookPatch,
        url_key: Option<&str>,
    ) -> Result<Webhook, StoreError> {
        let (who, id, patch) = (owner.to_owned(), id.to_owned(), patch.clone());
        let url_key = url_key.map(str::to_owned);
        self.db
            .write(move |c| {
                let owner = &who;
                let row = select_one(c, owner, &id)?.ok_or(StoreError::WebhookNotFound)?;
                let (seq, old_key) = (row.seq, row.url_key.clone());
                let mut webhook = row.into_webhook()?;
                patch.apply(&mut webhook.settings);
                webhook.updated_at = Some(datetime::now());
                let key = match (&patch.url, url_key.as_deref()) {
                    (Some(_), Some(key)) => key,
                    (Some(url), None) => url.as_str(),
                    (None, _) => old_key.as_str(),
                };
                let enc = Encoded::new(&webhook.settings, key);
                let mut values: Vec<&dyn rusqlite::ToSql> = vec![&webhook.updated_at];
                values.extend(enc.values());
                values.push(&seq);
                // The duplicate indexes compare against the owner's other rows only, so they
                // fire exactly when a changed url or event list collides with one of those.
                let mask = events::mask(&webhook.settings.events);
                c.prepare_cached(UPDATE)?
                    .execute(&*values)
                    .map_err(|e| write_failed(c, e, owner, key, mask, Some(seq)))?;
                if patch.active == Some(true) {
                    // The owner switched it back on: it starts afresh.
                    c.prepare_cached(
                        "UPDATE webhooks SET disabled_reason = NULL, disabled_at = NULL, \
                         failing_since = NULL, error_count = 0 WHERE seq = ?",
                    )?
                    .execute([seq])?;
                    webhook.error_count = 0;
                    webhook.disabled = None;
                }
                Ok(webhook)
            })
            .await
    }

    pub(super) async fn delete_webhook(&self, owner: &str, id: &str) -> Result<bool, StoreError> {
        let (who, id) = (owner.to_owned(), id.to_owned());
        let deleted = self
            .db
            .write(move |c| {
                Ok(
                    c.prepare_cached("DELETE FROM webhooks WHERE id = ? AND owner = ?")?
                        .execute([&id, &who])?,
                )
            })
            .await?;
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
