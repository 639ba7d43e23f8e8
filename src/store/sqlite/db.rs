//! SQLite driven synchronously through rusqlite: reads on the caller's thread, writes on
//! one writer thread that group-commits whatever is queued.
//!
//! Why not an async driver: sqlx-sqlite runs each connection on a thread of its own and
//! crosses to it for every statement and every row. On the project's 2-core machines that
//! was 52–57 µs per statement and about 1.5 ms of CPU for one 50-row page (BENCHMARKS.md),
//! and it made the single writer the service's ceiling. SQLite is a library: a primary-key
//! read costs a few microseconds, so reads run inline (WAL readers never wait for the
//! writer), and a write transaction is one closure, one hop to the writer thread and back.
//!
//! Group commit: the writer takes every job waiting when it wakes (up to [`MAX_BATCH`]),
//! runs them in one `BEGIN IMMEDIATE` transaction, and answers them only after `COMMIT`.
//! A job that fails leaves nothing: the transaction is rolled back, the job answered with
//! its error, and the jobs before it run again in a new transaction with those after it,
//! from then on each in a `SAVEPOINT` of its own, so that a second failure rolls back only
//! itself. Savepoints are not the rule because each copies every page its job first
//! touches into a sub-journal: that was 7–9% of the writer's time in the delivery bench
//! (an accepted event touches ~70 pages), and jobs almost never fail. So a job is atomic, may run more
//! than once (its closure is `Fn`), and nothing is acknowledged before it is durable.

use rusqlite::{Connection, OpenFlags};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::oneshot;

use super::checkpoint::Checkpointer;
use super::StoreError;

/// The most jobs one transaction carries; bounds how long the first of them waits.
const MAX_BATCH: usize = 256;
/// Prepared statements kept per connection (the store has a few dozen distinct ones).
const STATEMENT_CACHE: usize = 96;

/// Where the database is and how to open a connection to it.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// A file path, taken literally.
    Path(PathBuf),
    /// An SQLite `file:` URI (from a `sqlite:` URL, so query parameters such as `mode=ro`
    /// work as SQLite documents them).
    Uri(String),
    /// A private in-memory database: one connection, shared by readers and the writer.
    Memory,
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub(crate) struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    target: Target,
    busy_timeout: Duration,
    /// Idle reader connections; a reader is opened when none is free.
    readers: Mutex<Vec<Connection>>,
    max_idle_readers: usize,
    /// The writer's connection. The writer thread locks it per batch; for an in-memory
    /// database reads lock it too, as there is no second connection.
    /// `None` once closed.
    writer: Arc<Mutex<Option<Connection>>>,
    jobs: Mutex<Option<mpsc::Sender<Box<dyn Job>>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Checkpoints the WAL off the writer's path (file databases only).
    checkpointer: Option<Arc<Checkpointer>>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic inside a job cannot leave a connection half-used: SQLite's own state is
    // consistent between calls, and the transaction is rolled back when it is next seen.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Db {
    /// Opens the writer connection (creating the file), sets WAL, and starts the writer
    /// thread. `init` runs on the writer connection first (migrations).
    pub fn open(
        target: Target,
        busy_timeout: Duration,
        max_idle_readers: usize,
        init: impl FnOnce(&mut Connection) -> Result<(), StoreError>,
    ) -> Result<Self, StoreError> {
        let mut conn = connect(&target, busy_timeout, true)?;
        if !matches!(target, Target::Memory) {
            // Persistent, and needs no transaction: set once, every connection then uses it.
            let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(%mode, "SQLite refused WAL mode; readers will wait for writers");
            }
        }
        // The writer touches the hot end of every table and index on each commit; a page it
        // has to read back from the OS costs a system call. 16 MiB keeps the working set of a
        // busy queue (the delivery bench's) in memory; it is only used as pages are touched.
        conn.execute_batch("PRAGMA cache_size = -16384")?;
        init(&mut conn)?;
        // A file database checkpoints on its own thread (see `checkpoint`); an in-memory
        // one has no WAL.
        let checkpointer = match target {
            Target::Memory => None,
            _ => {
                conn.execute_batch("PRAGMA wal_autocheckpoint = 0")?;
                let own = connect(&target, busy_timeout, false)?;
                Some(Arc::new(
                    Checkpointer::start(own).map_err(|e| StoreError::Db(Box::new(e)))?,
                ))
            }
        };
        let writer = Arc::new(Mutex::new(Some(conn)));
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let for_thread = writer.clone();
        let poke = checkpointer.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(&for_thread, &rx, poke.as_deref()))
            .map_err(|e| StoreError::Db(Box::new(e)))?;
        Ok(Self {
            inner: Arc::new(Inner {
                target,
                busy_timeout,
                readers: Mutex::new(Vec::new()),
                max_idle_readers,
                writer,
                jobs: Mutex::new(Some(tx)),
                thread: Mutex::new(Some(thread)),
                checkpointer,
            }),
        })
    }

    /// Runs `f` on a reader connection on this thread. Keep `f` short (index look-ups,
    /// one page): it blocks the calling task's thread. Scans belong in [`Db::read_blocking`].
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if matches!(self.inner.target, Target::Memory) {
            let conn = lock(&self.inner.writer);
            return f(conn.as_ref().ok_or_else(closed)?);
        }
        let conn = match lock(&self.inner.readers).pop() {
            Some(c) => c,
            None => connect(&self.inner.target, self.inner.busy_timeout, false)?,
        };
        let out = f(&conn);
        let mut idle = lock(&self.inner.readers);
        if idle.len() < self.inner.max_idle_readers {
            idle.push(conn);
        }
        out
    }

    /// [`Db::read`] on tokio's blocking pool, for queries that scan.
    pub async fn read_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.read(f))
            .await
            .map_err(|e| StoreError::Db(Box::new(e)))?
    }

    /// Runs `f` atomically on the writer thread and answers once it is committed. `f` sees
    /// an open write transaction and must not begin or end one itself. It may be run again
    /// in a new transaction when another job of its batch fails (its earlier run rolled
    /// back), so it must do nothing but its writes; the last run's result is answered.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl Fn(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.send(Box::new(Task {
            f,
            result: None,
            tx,
        }))?;
        rx.await.map_err(|_| closed())?
    }

    /// Hands `job` to the writer thread.
    pub(super) fn send(&self, job: Box<dyn Job>) -> Result<(), StoreError> {
        let jobs = lock(&self.inner.jobs);
        let Some(jobs) = jobs.as_ref() else {
            return Err(closed());
        };
        jobs.send(job).map_err(|_| closed())
    }

    /// Stops the writer after the jobs already queued, and closes every connection (the
    /// last one to close checkpoints the WAL into the database file and removes it).
    pub fn close(&self) {
        lock(&self.inner.jobs).take();
        if let Some(thread) = lock(&self.inner.thread).take() {
            // Never join from the writer thread itself (a job that closed the store).
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
        if let Some(c) = &self.inner.checkpointer {
            c.stop();
        }
        lock(&self.inner.readers).clear();
        lock(&self.inner.writer).take();
    }
}

/// Runs a job's work; a panic fails that job alone, and the writer thread lives on for
/// the others.
pub(super) fn guarded<T>(f: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(StoreError::Db(Box::new(std::io::Error::other(
            "a store job panicked",
        ))))
    })
}

/// A database file at `path` holding one table made by `schema`, for tests of the
/// writer's machinery.
#[cfg(test)]
pub(super) fn test_db(path: PathBuf, schema: &'static str) -> Db {
    Db::open(Target::Path(path), Duration::from_secs(5), 2, |c| {
        c.execute_batch(schema)?;
        Ok(())
    })
    .expect("a test database")
}

/// Holds the writer thread with a job of its own until `release_soon` is awaited, so
/// that the writes queued meanwhile form one batch (tests of the writer's machinery).
#[cfg(test)]
pub(super) async fn hold_writer(db: &Db) -> impl std::future::Future<Output = ()> {
    // The start is awaited, not blocked on: a current-thread test runtime must stay free
    // to run the holder's task.
    let (started_tx, started) = tokio::sync::oneshot::channel::<()>();
    let (release, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = db.clone();
    let started_tx = std::sync::Mutex::new(Some(started_tx));
    let hold = tokio::spawn(async move {
        holder
            .write(move |_| {
                if let Some(tx) = started_tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
                let _ = release_rx.recv();
                Ok(())
            })
            .await
    });
    started.await.unwrap();
    // Releases after a pause in which the caller's writes reach the writer's queue.
    async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        release.send(()).unwrap();
        hold.await.unwrap().unwrap();
    }
}

pub(super) fn closed() -> StoreError {
    StoreError::Db(Box::new(std::io::Error::other("the store is closed")))
}

/// Opens one connection with the store's settings.
fn connect(
    target: &Target,
    busy_timeout: Duration,
    create: bool,
) -> Result<Connection, StoreError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    // A URI's `mode=rwc` is refused unless the flags allow creating as well.
    if create || matches!(target, Target::Uri(_)) {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = match target {
        Target::Path(p) => Connection::open_with_flags(p, flags)?,
        Target::Uri(u) => Connection::open_with_flags(u, flags | OpenFlags::SQLITE_OPEN_URI)?,
        Target::Memory => Connection::open_in_memory_with_flags(flags)?,
    };
    conn.busy_timeout(busy_timeout)?;
    // NORMAL in WAL mode: a commit is durable against a process crash (kill -9) at once,
    // and against power loss from the next checkpoint; it saves an fsync per commit.
    // `journal_size_limit`: when the WAL starts over, SQLite cuts the file back to this
    // size; without it the file keeps its longest length (15 MB after a burst of 1,000
    // creates) until a clean shutdown. 8 MiB is above what steady load keeps in it
    // (`checkpoint::RESET_FRAMES` pages and what comes in during a pass), so only a burst
    // is cut back.
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; \
         PRAGMA journal_size_limit = 8388608;",
    )?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// One queued write.
pub(super) trait Job: Send {
    /// Runs inside the batch's transaction; `false` if it failed. Runs again, doing the
    /// same work, if the transaction was rolled back for another job's failure.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers: its own result if the batch committed, `Err(lost)` if it did not.
    fn reply(self: Box<Self>, lost: Option<StoreError>);
}

struct Task<T, F> {
    f: F,
    result: Option<Result<T, StoreError>>,
    tx: oneshot::Sender<Result<T, StoreError>>,
}

impl<T: Send, F: Fn(&Connection) -> Result<T, StoreError> + Send> Job for Task<T, F> {
    fn run(&mut self, conn: &Connection) -> bool {
        let result = guarded(|| (self.f)(conn));
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn reply(self: Box<Self>, lost: Option<StoreError>) {
        let result = match (lost, self.result) {
            // A failed job's own error says more than the batch's.
            (_, Some(Err(e))) => Err(e),
            (Some(lost), _) => Err(lost),
            (None, Some(ok)) => ok,
            (None, None) => Err(closed()),
        };
        // The caller may have gone (a cancelled request); the write stands regardless.
        let _ = self.tx.send(result);
    }
}

fn writer_loop(
    conn: &Mutex<Option<Connection>>,
    rx: &mpsc::Receiver<Box<dyn Job>>,
    checkpointer: Option<&Checkpointer>,
) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match lock(conn).as_ref() {
            Some(conn) => {
                run_batch(conn, batch);
                if let Some(c) = checkpointer {
                    c.committed(conn);
                }
            }
            None => batch.into_iter().for_each(|job| job.reply(Some(closed()))),
        }
    }
}

/// Runs `batch` in as few transactions as SQLite allows (one, unless a job failed or an
/// error made SQLite roll the transaction back itself), answering each job after its
/// transaction ends.
fn run_batch(conn: &Connection, batch: Vec<Box<dyn Job>>) {
    let mut jobs: VecDeque<Box<dyn Job>> = batch.into();
    // Set once a job has failed: the rest of the batch then pays for savepoints, so a
    // batch full of failing jobs costs each one a savepoint, not a rerun of the others.
    let mut savepoints = false;
    'transaction: while !jobs.is_empty() {
        if let Err(e) = exec(conn, "BEGIN IMMEDIATE") {
            let err = StoreError::from(e);
            for job in jobs {
                job.reply(Some(copy(&err)));
            }
            return;
        }
        let mut done: Vec<Box<dyn Job>> = Vec::with_capacity(jobs.len());
        while let Some(mut job) = jobs.pop_front() {
            // The first job of a transaction needs no savepoint: if it fails, rolling
            // the transaction back undoes it alone.
            let saved = savepoints && !done.is_empty();
            if saved {
                let _ = exec(conn, "SAVEPOINT job");
            }
            let ok = job.run(conn);
            if conn.is_autocommit() {
                // SQLite ended the transaction itself (an I/O error, or a full disk): every
                // job in it is lost, including those that had succeeded.
                let lost = StoreError::Db(Box::new(std::io::Error::other(
                    "the transaction was rolled back by SQLite",
                )));
                for earlier in done.drain(..) {
                    earlier.reply(Some(copy(&lost)));
                }
                job.reply(Some(lost));
                continue 'transaction;
            }
            if saved {
                if !ok {
                    let _ = exec(conn, "ROLLBACK TO job");
                }
                let _ = exec(conn, "RELEASE job");
            } else if !ok {
                // Its writes can only go with the whole transaction. The jobs before it
                // run again in the next one, in their order, so they see what they saw.
                let _ = exec(conn, "ROLLBACK");
                job.reply(None);
                savepoints = true;
                for earlier in done.into_iter().rev() {
                    jobs.push_front(earlier);
                }
                continue 'transaction;
            }
            if ok {
                done.push(job);
            } else {
                job.reply(None);
            }
        }
        let lost = exec(conn, "COMMIT").err().map(StoreError::from);
        if lost.is_some() && !conn.is_autocommit() {
            let _ = exec(conn, "ROLLBACK");
        }
        for job in done {
            job.reply(lost.as_ref().map(copy));
        }
    }
}

/// Runs one transaction-control statement, prepared once per connection (each of these
/// runs once or twice per batch; parsing it anew each time showed in the writer's profile).
fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// The same failure for another job of the batch (errors are not `Clone`).
pub(super) fn copy(err: &StoreError) -> StoreError {
    match err {
        StoreError::Busy => StoreError::Busy,
        other => {
            let why = std::error::Error::source(other)
                .map_or_else(|| other.to_string(), ToString::to_string);
            StoreError::Db(Box::new(std::io::Error::other(why)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert(n: i64, fail: bool) -> impl Fn(&Connection) -> Result<i64, StoreError> {
        move |c| {
            c.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
            if fail {
                // A second row with the same key: the job fails after writing one.
                c.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
            }
            Ok(n)
        }
    }

    /// Runs `jobs` as one writer batch (queued while the writer is held by another job);
    /// answers each job's result and the rows left in the table.
    async fn one_batch(jobs: &[(i64, bool)]) -> (Vec<bool>, Vec<i64>) {
        let dir = tempfile::tempdir().unwrap();
        let db = test_db(
            dir.path().join("b.sqlite"),
            "CREATE TABLE t (n INTEGER PRIMARY KEY)",
        );
        let release_soon = hold_writer(&db).await;
        let queued =
            futures_util::future::join_all(jobs.iter().map(|&(n, fail)| db.write(insert(n, fail))));
        let (answers, ()) = tokio::join!(queued, release_soon);
        let rows = db
            .read(|c| {
                let mut q = c.prepare("SELECT n FROM t ORDER BY n")?;
                let rows = q.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<Result<Vec<i64>, _>>()?)
            })
            .unwrap();
        db.close();
        (answers.iter().map(Result::is_ok).collect(), rows)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_job_in_a_batch_leaves_nothing_and_the_others_commit() {
        let (ok, rows) = one_batch(&[(1, false), (2, true), (3, false)]).await;
        assert_eq!(ok, [true, false, true]);
        assert_eq!(rows, [1, 3]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_first_job_leaves_nothing_and_the_others_commit() {
        let (ok, rows) = one_batch(&[(1, true), (2, false), (3, true)]).await;
        assert_eq!(ok, [false, true, false]);
        assert_eq!(rows, [2]);
    }

    /// The first failure reruns the jobs before it; later ones roll back only themselves.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn several_failing_jobs_each_leave_nothing_and_the_others_commit_once() {
        let jobs = [
            (1, false),
            (2, false),
            (3, true),
            (4, false),
            (5, true),
            (6, false),
        ];
        let (ok, rows) = one_batch(&jobs).await;
        assert_eq!(ok, [true, true, false, true, false, true]);
        assert_eq!(rows, [1, 2, 4, 6]);
    }
}
