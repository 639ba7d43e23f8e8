//! Signing secrets per webhook: the newest signs, older ones keep signing until their
//! overlap ends, so receivers can switch secrets without missing a delivery.

use time::OffsetDateTime;

use super::{datetime, Sqlite};
use crate::store::StoreError;

impl Sqlite {
    /// Makes `secret` the webhook's signing secret. Every earlier secret that is still
    /// valid keeps signing until `now + overlap` (or its own earlier end). Returns when
    /// the previous secret stops signing, if there was one.
    pub(super) async fn rotate_secret(
        &self,
        owner: &str,
        webhook_id: &str,
        secret: &str,
        overlap: time::Duration,
        now: OffsetDateTime,
    ) -> Result<Option<String>, StoreError> {
        let now_s = datetime::format(now);
        let until = datetime::format(now + overlap);
        let (owner, webhook_id, secret) =
            (owner.to_owned(), webhook_id.to_owned(), secret.to_owned());
        self.db
            .write(move |c| {
                super::webhooks::ensure_owned(c, &owner, &webhook_id)?;
                c.prepare_cached(
                    "DELETE FROM webhook_secrets WHERE webhook_id = ? AND expires_at <= ?",
                )?
                .execute([&webhook_id, &now_s])?;
                let ended = c
                    .prepare_cached(
                        "UPDATE webhook_secrets SET expires_at = \
                         CASE WHEN expires_at IS NULL OR expires_at > ?1 THEN ?1 \
                         ELSE expires_at END WHERE webhook_id = ?2",
                    )?
                    .execute([&until, &webhook_id])?;
                c.prepare_cached(
                    "INSERT INTO webhook_secrets (webhook_id, secret, created_at) \
                     VALUES (?, ?, ?)",
                )?
                .execute([&webhook_id, &secret, &now_s])?;
                Ok((ended > 0).then(|| until.clone()))
            })
            .await
    }
}
