//! Operator-issued API tokens (`placehook token create|list|revoke`).
//!
//! A secret is `ph_` + 32 random bytes in base64url. Only its SHA-256 is stored, with a
//! short random id and the secret's first characters (its `prefix`) for people to refer to.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::{datetime, Sqlite};
use crate::model::TokenInfo;
use crate::store::StoreError;

const SECRET_PREFIX: &str = "ph_";
/// `ph_` plus 8 characters (48 random bits): recognisable, useless for guessing.
const PREFIX_LEN: usize = SECRET_PREFIX.len() + 8;
/// `last_used_at` is refreshed at most this often, so authenticating stays a read.
const LAST_USED_GRANULARITY: Duration = Duration::minutes(1);

/// A literal, so queries are `concat!`ed into `&'static str` (statements are cached by text).
macro_rules! select_tokens {
    () => {
        "SELECT id, prefix, did, producer, label, created_at, last_used_at, revoked_at \
         FROM api_tokens"
    };
}

impl TokenInfo {
    /// Reads a row of `select_tokens!()`.
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            prefix: r.get(1)?,
            did: r.get(2)?,
            producer: r.get(3)?,
            label: r.get(4)?,
            created_at: r.get(5)?,
            last_used_at: r.get(6)?,
            revoked_at: r.get(7)?,
        })
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    OsRng.fill_bytes(&mut buf);
    buf
}

fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

impl Sqlite {
    /// Issues a token for `did` and returns it with its secret, which is shown once and
    /// cannot be recovered later.
    pub(super) async fn create_token(
        &self,
        did: &str,
        producer: bool,
        label: Option<&str>,
    ) -> Result<(TokenInfo, String), StoreError> {
        let secret = format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(random::<32>()));
        let info = TokenInfo {
            id: random::<6>().iter().map(|b| format!("{b:02x}")).collect(),
            prefix: secret[..PREFIX_LEN].to_owned(),
            did: did.to_owned(),
            producer,
            label: label.map(str::to_owned),
            created_at: datetime::now(),
            last_used_at: None,
            revoked_at: None,
        };
        let row = info.clone();
        let secret_hash = hash(&secret);
        self.db
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO api_tokens (id, prefix, secret_hash, did, producer, label, \
                     created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                )?
                .execute(rusqlite::params![
                    row.id,
                    row.prefix,
                    secret_hash,
                    row.did,
                    row.producer,
                    row.label,
                    row.created_at
                ])?;
                Ok(())
            })
            .await?;
        Ok((info, secret))
    }

    /// Every token, revoked ones included, oldest first.
    pub(super) async fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        // Insertion order; `created_at` can tie within a millisecond.
        let sql = concat!(select_tokens!(), " ORDER BY rowid");
        self.db.read(|c| {
            let mut q = c.prepare_cached(sql)?;
            let rows = q.query_map([], TokenInfo::from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Revokes the token with this id or prefix. `false` if none matches, the match is
    /// ambiguous (a prefix shared by several tokens), or it was already revoked.
    pub(super) async fn revoke_token(&self, id_or_prefix: &str) -> Result<bool, StoreError> {
        let now = datetime::now();
        let key = id_or_prefix.to_owned();
        let done = self
            .db
            .write(move |c| {
                Ok(c.prepare_cached(
                    "UPDATE api_tokens SET revoked_at = ?1 \
                     WHERE (id = ?2 OR prefix = ?2) AND revoked_at IS NULL \
                       AND (SELECT COUNT(*) FROM api_tokens WHERE id = ?2 OR prefix = ?2) = 1",
                )?
                .execute(rusqlite::params![now, key])?)
            })
            .await?;
        Ok(done == 1)
    }

    /// The live (unrevoked) token whose secret this is. Looked up by hash, so timing
    /// reveals nothing about stored secrets.
    pub(super) async fn authenticate_token(
        &self,
        secret: &str,
    ) -> Result<Option<TokenInfo>, StoreError> {
        if !secret.starts_with(SECRET_PREFIX) {
            return Ok(None);
        }
        let sql = concat!(
            select_tokens!(),
            " WHERE secret_hash = ? AND revoked_at IS NULL"
        );
        let secret_hash = hash(secret);
        let found: Option<TokenInfo> = self.db.read(|c| {
            let mut q = c.prepare_cached(sql)?;
            Ok(q.query_row([&secret_hash], TokenInfo::from_row)
                .optional()?)
        })?;
        let Some(mut info) = found else {
            return Ok(None);
        };
        // Fixed-width datetimes compare correctly as text.
        let stale = datetime::format(OffsetDateTime::now_utc() - LAST_USED_GRANULARITY);
        if info
            .last_used_at
            .as_deref()
            .is_none_or(|t| t < stale.as_str())
        {
            let now = datetime::now();
            let (at, id) = (now.clone(), info.id.clone());
            self.db
                .write(move |c| {
                    c.prepare_cached("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")?
                        .execute([&at, &id])?;
                    Ok(())
                })
                .await?;
            info.last_used_at = Some(now);
        }
        Ok(Some(info))
    }
}
