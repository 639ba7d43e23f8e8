//! Signing secrets per webhook: the newest signs, older ones keep signing until their
//! overlap ends, so receivers can switch secrets without missing a delivery.

use time::OffsetDateTime;

use super::{datetime, Store, StoreError};

impl Store {
    /// Makes `secret` the webhook's signing secret. Every earlier secret that is still
    /// valid keeps signing until `now + overlap` (or its own earlier end). Returns when
    /// the previous secret stops signing, if there was one.
    pub async fn rotate_secret(
        &self,
        owner: &str,
        webhook_id: &str,
        secret: &str,
        overlap: time::Duration,
        now: OffsetDateTime,
    ) -> Result<Option<String>, StoreError> {
        let now_s = datetime::format(now);
        let until = datetime::format(now + overlap);
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        super::webhooks::ensure_owned(&mut *tx, owner, webhook_id).await?;
        sqlx::query("DELETE FROM webhook_secrets WHERE webhook_id = ? AND expires_at <= ?")
            .bind(webhook_id)
            .bind(&now_s)
            .execute(&mut *tx)
            .await?;
        let ended = sqlx::query(
            "UPDATE webhook_secrets SET expires_at = \
             CASE WHEN expires_at IS NULL OR expires_at > ?1 THEN ?1 ELSE expires_at END \
             WHERE webhook_id = ?2",
        )
        .bind(&until)
        .bind(webhook_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO webhook_secrets (webhook_id, secret, created_at) VALUES (?, ?, ?)",
        )
        .bind(webhook_id)
        .bind(secret)
        .bind(&now_s)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((ended.rows_affected() > 0).then_some(until))
    }

    /// The secrets that sign the webhook's deliveries at `now`, newest first.
    pub async fn signing_secrets(
        &self,
        webhook_id: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT secret FROM webhook_secrets WHERE webhook_id = ? \
             AND (expires_at IS NULL OR expires_at > ?) ORDER BY rowid DESC",
        )
        .bind(webhook_id)
        .bind(datetime::format(now))
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }
}
