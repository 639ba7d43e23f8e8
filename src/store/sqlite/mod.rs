//! The SQLite backend: one database file through rusqlite (see `db.rs` for why).
//!
//! Reads run on the caller's thread on reader connections, which WAL lets run beside the
//! writer; writes queue for one writer thread, which commits them in groups inside
//! `BEGIN IMMEDIATE`, so each is also atomic against other processes (the CLI) on the
//! same file. One `serve` per file (`lock.rs`): the dispatcher relies on being alone.

mod backend;
mod checkpoint;
mod datetime;
mod db;
mod deliveries;
mod error;
mod events;
mod listing;
mod location;
mod lock;
mod merged;
mod migrate;
mod outbox;
mod row;
mod secrets;
mod settle;
mod stream_cursor;
mod subscriptions;
mod tokens;
mod webhooks;

pub(crate) use datetime::format as format_datetime;
pub(crate) use location::database_file;
pub use settle::OutcomeWriter;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use db::{Db, Target};

use super::StoreError;

/// Where the database is.
pub(crate) enum Location {
    /// A file path, or a `sqlite:` URL (parameters read by SQLite itself).
    Url(String),
    /// A file path as such (non-UTF-8 paths too).
    Path(PathBuf),
}

/// An open database; cheap to clone.
#[derive(Clone)]
pub struct Sqlite {
    db: Db,
    /// Signs list cursors; loaded from `store_meta` at open.
    cursor_key: Arc<[u8]>,
    /// Held while an exclusive store is open.
    _lock: Option<Arc<lock::ServeLock>>,
}

impl Sqlite {
    /// Opens (creating if missing) the database and applies pending migrations.
    /// `sqlite::memory:` gives a private in-memory database. `exclusive`: refuse a file
    /// another exclusive opener holds (`serve`).
    pub(crate) async fn open(
        at: Location,
        read_connections: u32,
        busy_timeout: Duration,
        exclusive: bool,
    ) -> Result<Self, StoreError> {
        let target = match at {
            Location::Path(p) => Target::Path(p),
            Location::Url(url) => target(&url),
        };
        let lock = match exclusive {
            true => lock::ServeLock::take(&target)?.map(Arc::new),
            false => None,
        };
        // Opening and migrating touch the file synchronously; keep that off the runtime.
        let db = tokio::task::spawn_blocking(move || {
            Db::open(
                target,
                busy_timeout,
                read_connections.max(1) as usize,
                migrate::run,
            )
        })
        .await
        .map_err(|e| StoreError::Db(Box::new(e)))??;
        let key: Vec<u8> = db.read(|c| {
            Ok(c.query_row(
                "SELECT value FROM store_meta WHERE key = 'cursor_key'",
                [],
                |r| r.get(0),
            )?)
        })?;
        Ok(Self {
            db,
            cursor_key: key.into(),
            _lock: lock,
        })
    }
}

/// What a `--database` value names: a path, or a `sqlite:` URL (`sqlite://data/x.sqlite`,
/// `sqlite:x.db?mode=rwc`).
fn target(url: &str) -> Target {
    if url.contains(":memory:") || url.contains("mode=memory") {
        Target::Memory
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        if rest.contains('?') {
            // SQLite reads the parameters itself (`mode`, `cache`, `vfs`, ...).
            Target::Uri(format!("file:{rest}"))
        } else {
            Target::Path(rest.into())
        }
    } else {
        Target::Path(url.into())
    }
}

#[cfg(test)]
pub(crate) use listing::SELECT_PAGE;

/// For tests of the backend's own machinery (the writer's batches, query plans).
#[cfg(test)]
impl Sqlite {
    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    pub(crate) async fn hold_writer(&self) -> impl std::future::Future<Output = ()> {
        db::hold_writer(&self.db).await
    }
}
