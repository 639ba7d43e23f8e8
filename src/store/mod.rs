//! Storage: what the service needs from it (`traits.rs`), the SQLite backend
//! (`sqlite/`), and [`Store`], which wraps a backend with the caches.
//!
//! Nothing outside this module knows which backend runs. [`Store`] dispatches to it and
//! keeps, in front of it, the answers to `listWebhooks` (`page_cache.rs`), what sending a
//! delivery reads (`send_cache.rs`) and the generation of the subscription set that the
//! stream consumers filter on; each is invalidated only through `changes.rs`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), placehook::store::StoreError> {
//! use placehook::store::{Store, StoreOptions};
//! let store = Store::open("sqlite://placehook.sqlite", StoreOptions::default()).await?;
//! let (page, cursor) = store.list_webhooks("did:plc:alice", 50, None, None, None).await?;
//! # Ok(()) }
//! ```

mod changes;
mod cursor;
mod error;
mod outbox;
mod page_cache;
mod send_cache;
mod sending;
mod sqlite;
pub(crate) mod traits;
mod webhooks;

#[cfg(test)]
mod tests;

pub(crate) use error::decode_error;
pub use error::StoreError;
pub use sending::OutcomeWriter;
pub use webhooks::MAX_PAGE;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use changes::Changes;
use sqlite::{Location, Sqlite};

/// Formats a time as the lexicon `datetime` the store writes (UTC, milliseconds, `Z`).
pub fn format_datetime(at: time::OffsetDateTime) -> String {
    sqlite::format_datetime(at)
}

/// How to open a [`Store`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Idle reader connections kept open (at least 1). Writes always use one dedicated
    /// connection on its own thread.
    pub read_connections: u32,
    /// How long a statement waits for another process's write lock before failing with
    /// [`StoreError::Busy`].
    pub busy_timeout: Duration,
    /// Refuse to open a database file another store holds this way: `serve` sets it,
    /// since its dispatcher assumes it is alone; the `token` commands and tests reading
    /// beside a server do not.
    pub exclusive: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().map_or(4, |n| n.get());
        Self {
            read_connections: u32::try_from(cpus).unwrap_or(8).clamp(2, 8),
            busy_timeout: Duration::from_secs(5),
            exclusive: false,
        }
    }
}

/// The backends. An enum rather than `dyn`: the traits' methods return `impl Future`.
enum Engine {
    Sqlite(Sqlite),
}

/// Runs `$body` with `$b` bound to the running backend.
macro_rules! on_backend {
    ($store:expr, $b:ident => $body:expr) => {
        match &*$store.engine {
            crate::store::Engine::Sqlite($b) => $body,
        }
    };
}
pub(crate) use on_backend;

/// Handle to the database and its caches; cheap to clone.
#[derive(Clone)]
pub struct Store {
    engine: Arc<Engine>,
    /// Every cache of webhooks, invalidated only through it.
    changes: Arc<Changes>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The cursor key stays out of logs.
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if missing) the database at `url`, a file path or a `sqlite:` URL
    /// (`sqlite://data/placehook.sqlite`, `sqlite:x.db?mode=rwc`), and applies pending
    /// migrations. `sqlite::memory:` gives a private in-memory database.
    pub async fn open(url: &str, opts: StoreOptions) -> Result<Self, StoreError> {
        Self::open_at(Location::Url(url.to_owned()), opts).await
    }

    /// Opens the database file at `path` (handy for tests and non-UTF-8 paths).
    pub async fn open_path(path: impl AsRef<Path>, opts: StoreOptions) -> Result<Self, StoreError> {
        Self::open_at(Location::Path(path.as_ref().to_owned()), opts).await
    }

    /// The local file a `--database` value names (`None`: in memory, or no file), so a
    /// caller can refuse a missing database instead of creating an empty one.
    pub fn database_file(url: &str) -> Option<std::path::PathBuf> {
        sqlite::database_file(url)
    }

    async fn open_at(at: Location, opts: StoreOptions) -> Result<Self, StoreError> {
        let db = Sqlite::open(at, opts.read_connections, opts.busy_timeout, opts.exclusive).await?;
        Ok(Self {
            engine: Arc::new(Engine::Sqlite(db)),
            changes: Arc::default(),
        })
    }

    /// The generation of the set of active subscriptions (who receives which events):
    /// it moves on after every write that may change the set, including a webhook
    /// switched off by its failures. Stream consumers reload their filter when it moves.
    pub fn subscriptions_generation(&self) -> u64 {
        self.changes.subscriptions()
    }

    /// Finishes the writes already queued and closes the database.
    pub async fn close(&self) {
        use traits::Backend;
        on_backend!(self, b => b.close().await)
    }
}

/// For tests of the SQLite backend's machinery beside the facade.
#[cfg(test)]
impl Store {
    pub(crate) fn sqlite(&self) -> &Sqlite {
        match &*self.engine {
            Engine::Sqlite(b) => b,
        }
    }

    pub(crate) async fn hold_writer(&self) -> impl std::future::Future<Output = ()> {
        self.sqlite().hold_writer().await
    }

    /// The error a failing statement gives.
    pub(crate) fn raw_read_error(&self, sql: &str) -> StoreError {
        self.sqlite()
            .db()
            .read(|c| Ok(c.execute(sql, [])?))
            .unwrap_err()
    }
}
