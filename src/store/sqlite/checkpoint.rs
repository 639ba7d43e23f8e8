//! WAL checkpoints on a thread of their own, off the writer's path.
//!
//! SQLite's automatic checkpoint runs inside the commit that pushes the WAL past 1,000
//! pages: that commit then copies every page into the database file and waits for two
//! fsyncs, several milliseconds on which every queued write waits (BENCHMARKS.md). In WAL
//! mode a `PASSIVE` checkpoint needs no write lock, so a second connection can do the
//! same work while the writer goes on committing. The writer turns its automatic
//! checkpoint off and pokes this thread after each commit; the thread checkpoints at most
//! every [`PAUSE`], and an idle database costs nothing.
//!
//! A checkpoint that runs beside the writer never catches up with it: the writer appends
//! while it copies, so the WAL is never wholly copied when the writer begins its next
//! transaction, which is the only time SQLite starts the WAL over. Under steady load the
//! WAL would grow without end. So once a pass finds the WAL past [`RESET_FRAMES`], the
//! writer makes one checkpoint itself between two transactions: it copies only the
//! frames committed during that pass (the rest are done), and its next transaction
//! starts the WAL from the beginning. Durability is unchanged: with `synchronous = NORMAL` a commit survives a
//! process crash as soon as it is in the WAL, and power loss from the next checkpoint.

use rusqlite::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};

/// Shortest time between two checkpoints. Each costs two fsyncs however little it
/// copies, so they are spaced; at the delivery bench's write rate the WAL grows by a few
/// thousand pages in this time.
pub(crate) const PAUSE: Duration = Duration::from_millis(200);

/// WAL length, in frames (pages), past which the writer starts the WAL over; SQLite's
/// own automatic checkpoint uses 1,000.
pub(crate) const RESET_FRAMES: i64 = 1000;

/// The checkpoint thread's handle: poke it after a commit, stop it before closing.
pub(crate) struct Checkpointer {
    shared: Arc<Shared>,
    thread: Thread,
    handle: std::sync::Mutex<Option<JoinHandle<()>>>,
}

struct Shared {
    /// Commits since the last checkpoint began.
    dirty: AtomicBool,
    stop: AtomicBool,
    /// The last pass found the WAL long: the writer should let it start over.
    reset: AtomicBool,
}

impl Checkpointer {
    /// Starts the thread on `conn`, a connection of its own to the database.
    pub fn start(conn: Connection) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            dirty: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            reset: AtomicBool::new(false),
        });
        let for_thread = shared.clone();
        let handle = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&conn, &for_thread))?;
        Ok(Self {
            shared,
            thread: handle.thread().clone(),
            handle: std::sync::Mutex::new(Some(handle)),
        })
    }

    /// The writer committed on `conn`. Cheap: an atomic swap or two, a wake-up only when
    /// the thread was idle, and now and then the short checkpoint that lets the WAL start
    /// over.
    pub fn committed(&self, conn: &Connection) {
        if self.shared.reset.swap(false, Ordering::AcqRel) {
            if let Err(e) = checkpoint(conn) {
                tracing::warn!(error = %e, "WAL checkpoint failed; retrying later");
            }
        }
        if !self.shared.dirty.swap(true, Ordering::AcqRel) {
            self.thread.unpark();
        }
    }

    /// Stops the thread after the checkpoint it is making, if any.
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
        self.thread.unpark();
        let handle = self
            .handle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

/// One `PASSIVE` checkpoint; returns the WAL's length in frames. It never waits: a
/// checkpoint already running elsewhere (the last connection closing) makes it a no-op,
/// and the next poke tries again.
fn checkpoint(conn: &Connection) -> rusqlite::Result<i64> {
    // (busy, frames in the WAL, frames copied)
    let (busy, frames, copied) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    tracing::trace!(busy, frames, copied, "checkpoint");
    Ok(frames)
}

impl Drop for Checkpointer {
    /// A store dropped without being closed still lets its thread (and connection) go.
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// Passes made back to back before the writer's own checkpoint, at most.
const CATCH_UP: usize = 4;

/// A pass this short left little behind it for the writer to copy.
const SHORT_PASS: Duration = Duration::from_millis(4);

/// Copies, in more passes, what the writer committed during the last one, until a pass
/// is short: the writer's own checkpoint (which holds up every write) then copies only
/// what came in during that short pass, not the ~200 ms of commits since the last pause.
fn catch_up(conn: &Connection) {
    for _ in 0..CATCH_UP {
        let began = Instant::now();
        if let Err(e) = checkpoint(conn) {
            tracing::warn!(error = %e, "WAL checkpoint failed; retrying later");
            return;
        }
        if began.elapsed() < SHORT_PASS {
            return;
        }
    }
}

fn run(conn: &Connection, shared: &Shared) {
    while !shared.stop.load(Ordering::Acquire) {
        if !shared.dirty.swap(false, Ordering::AcqRel) {
            // Unparked by a commit or by stop; a spurious wake-up just loops.
            std::thread::park();
            continue;
        }
        match checkpoint(conn) {
            Ok(frames) if frames >= RESET_FRAMES => {
                catch_up(conn);
                shared.reset.store(true, Ordering::Release);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; retrying later"),
        }
        // Commits unpark the thread too; only stop cuts the pause short.
        let until = Instant::now() + PAUSE;
        while !shared.stop.load(Ordering::Acquire) {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            std::thread::park_timeout(left);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::db::test_db;
    use super::PAUSE;
    use std::time::{Duration, Instant};

    fn size(p: &std::path::Path) -> u64 {
        std::fs::metadata(p).map_or(0, |m| m.len())
    }

    /// The writer no longer checkpoints: unless this thread does, the database file
    /// would stay empty until close and the WAL would grow with every commit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn commits_reach_the_database_file_and_the_wal_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let wal = dir.path().join("c.sqlite-wal");
        let db = test_db(
            path.clone(),
            "CREATE TABLE t (n INTEGER PRIMARY KEY, b BLOB NOT NULL)",
        );
        let start = size(&path);
        // Commits for several pauses, rewriting the same 300 rows (a table of ~1 MB), so
        // a WAL that starts over stays far shorter than everything written.
        let began = Instant::now();
        let mut commits = 0_i64;
        while began.elapsed() < PAUSE * 6 {
            let n = commits % 300;
            db.write(move |c| {
                c.execute(
                    "INSERT OR REPLACE INTO t (n, b) VALUES (?1, zeroblob(3000))",
                    [n],
                )?;
                Ok(())
            })
            .await
            .unwrap();
            commits += 1;
        }
        // Each commit writes at least the row's page to the WAL.
        let written = u64::try_from(commits).unwrap() * 4096;
        let deadline = Instant::now() + Duration::from_secs(10);
        while size(&path) < start + 900_000 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            size(&path) >= start + 900_000,
            "the database file did not get the rows: {} bytes",
            size(&path)
        );
        assert!(
            size(&wal) < written / 2,
            "the WAL kept growing: {} bytes after {commits} commits ({written} bytes)",
            size(&wal)
        );
        db.close();
        assert!(!wal.exists(), "closing checkpoints and removes the WAL");
    }

    /// A burst that grows the WAL far past its usual length: once the WAL starts over,
    /// the file is cut back to `journal_size_limit` instead of keeping its longest size
    /// until the database is closed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_file_shrinks_back_after_a_burst() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let wal = dir.path().join("c.sqlite-wal");
        let db = test_db(
            path,
            "CREATE TABLE t (n INTEGER PRIMARY KEY, b BLOB NOT NULL)",
        );
        // About 24 MB in one transaction: one WAL that long.
        db.write(|c| {
            let mut ins =
                c.prepare("INSERT OR REPLACE INTO t (n, b) VALUES (?1, zeroblob(3000))")?;
            for n in 0..6000 {
                ins.execute([n])?;
            }
            Ok(())
        })
        .await
        .unwrap();
        assert!(
            size(&wal) > 16_000_000,
            "the burst made a long WAL: {}",
            size(&wal)
        );
        // Until the WAL has been copied back whole and a commit has started it over: the
        // checkpoint thread does this under load; a checkpoint of our own between small
        // commits makes it happen here even when the machine's disk is busy.
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut n = 0;
        while size(&wal) > 8 * 1024 * 1024 && Instant::now() < deadline {
            let _ = db.read(|c| {
                c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
                Ok(())
            });
            n += 1;
            db.write(move |c| {
                c.execute("UPDATE t SET b = zeroblob(10) WHERE n = ?1", [n % 10])?;
                Ok(())
            })
            .await
            .unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            size(&wal) <= 8 * 1024 * 1024,
            "the WAL file kept its burst length: {} bytes",
            size(&wal)
        );
        db.close();
    }
}
