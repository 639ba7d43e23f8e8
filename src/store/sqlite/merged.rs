//! Small writes of one kind that the writer thread runs together as one job.
//!
//! Each write through [`super::db::Db::write`] is a job of its own, with an answer that a
//! task must be woken for. A lane's
//! delivery outcome is three short statements, and lanes finish hundreds of them between
//! two commits. Queued here instead, they wait in one list; the first to arrive sends the
//! writer a single job, and when that job runs it takes every item waiting at that moment.
//! Items that come while it is being written start the next one. So the batch forms on
//! the writer thread itself, without a task in between to wake on the way in and out.

use rusqlite::Connection;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

use super::db::{closed, copy, guarded, lock, Db, Job};
use super::StoreError;

/// What an item's writer answers: its own result, once committed.
pub(crate) type Answer<R> = oneshot::Receiver<Result<R, StoreError>>;
/// Where that answer goes.
type Reply<R> = oneshot::Sender<Result<R, StoreError>>;

/// Runs a batch of items; answers one result per item, in order.
type Run<I, R> = dyn Fn(&Connection, &[I]) -> Result<Vec<R>, StoreError> + Send + Sync;
/// Runs on the writer thread once a batch is over, before anyone is answered: with its
/// results if it committed, `None` if it failed.
type After<I, R> = dyn Fn(&[I], Option<&[R]>) + Send + Sync;

/// A queue of items written together; cheap to clone.
pub(crate) struct Merged<I, R> {
    inner: Arc<Inner<I, R>>,
}

impl<I, R> Clone for Merged<I, R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

struct Inner<I, R> {
    db: Db,
    /// Items not yet taken by a batch, each with its answer.
    waiting: Mutex<Vec<(I, Reply<R>)>>,
    run: Box<Run<I, R>>,
    after: Box<After<I, R>>,
}

impl<I: Send + 'static, R: Send + 'static> Merged<I, R> {
    /// A queue whose batches `run` writes; `after` sees each committed batch.
    pub fn new(
        db: Db,
        run: impl Fn(&Connection, &[I]) -> Result<Vec<R>, StoreError> + Send + Sync + 'static,
        after: impl Fn(&[I], Option<&[R]>) + Send + Sync + 'static,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                waiting: Mutex::new(Vec::new()),
                run: Box::new(run),
                after: Box::new(after),
            }),
        }
    }

    /// Queues `item`; the answer comes once the batch that takes it is committed.
    pub fn write(&self, item: I) -> Answer<R> {
        let (tx, rx) = oneshot::channel();
        let first = {
            let mut waiting = lock(&self.inner.waiting);
            waiting.push((item, tx));
            waiting.len() == 1
        };
        // Later items ride on the job the first one sent, until that job takes them.
        if first {
            let job = Box::new(Batch {
                inner: self.inner.clone(),
                items: Vec::new(),
                answers: Vec::new(),
                taken: false,
                results: None,
            });
            if self.inner.db.send(job).is_err() {
                for (_, tx) in lock(&self.inner.waiting).drain(..) {
                    let _ = tx.send(Err(closed()));
                }
            }
        }
        rx
    }
}

/// The job: takes what is waiting when it runs.
struct Batch<I, R> {
    inner: Arc<Inner<I, R>>,
    items: Vec<I>,
    answers: Vec<Reply<R>>,
    /// The items were taken from the queue (by the first run).
    taken: bool,
    results: Option<Result<Vec<R>, StoreError>>,
}

impl<I: Send, R: Send> Job for Batch<I, R> {
    fn run(&mut self, conn: &Connection) -> bool {
        // A rerun (another job of the transaction failed) writes the same items again;
        // those that came since wait for the next batch.
        if !self.taken {
            let waiting = std::mem::take(&mut *lock(&self.inner.waiting));
            (self.items, self.answers) = waiting.into_iter().unzip();
            self.taken = true;
        }
        let result = guarded(|| (self.inner.run)(conn, &self.items));
        let ok = result.is_ok();
        self.results = Some(result);
        ok
    }

    fn reply(self: Box<Self>, lost: Option<StoreError>) {
        let Batch {
            inner,
            items,
            answers,
            results,
            ..
        } = *self;
        let failed = match (lost, results) {
            (None, Some(Ok(results))) => {
                (inner.after)(&items, Some(&results));
                for (tx, r) in answers.into_iter().zip(results) {
                    let _ = tx.send(Ok(r));
                }
                return;
            }
            // The batch's own error says more than the transaction's.
            (_, Some(Err(e))) | (Some(e), _) => e,
            (None, None) => closed(),
        };
        (inner.after)(&items, None);
        for tx in answers {
            let _ = tx.send(Err(copy(&failed)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::db::{hold_writer, test_db, Db};
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn open(dir: &tempfile::TempDir) -> Db {
        test_db(
            dir.path().join("m.sqlite"),
            "CREATE TABLE t (n INTEGER PRIMARY KEY)",
        )
    }

    fn count(db: &Db) -> i64 {
        db.read(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn items_queued_together_share_a_batch_and_get_their_own_answers() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir);
        let batches = Arc::new(AtomicUsize::new(0));
        let seen = batches.clone();
        let merged = Merged::new(
            db.clone(),
            move |c, items: &[i64]| {
                seen.fetch_add(1, Ordering::SeqCst);
                let mut out = Vec::new();
                for n in items {
                    c.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                    out.push(n * 10);
                }
                Ok(out)
            },
            |_: &[i64], _: Option<&[i64]>| {},
        );
        // Queued before anything is awaited: the writer finds most of them waiting.
        let answers: Vec<_> = (1..=200_i64).map(|n| (n, merged.write(n))).collect();
        for (n, a) in answers {
            assert_eq!(a.await.unwrap().unwrap(), n * 10);
        }
        assert_eq!(count(&db), 200);
        let b = batches.load(Ordering::SeqCst);
        assert!(b < 200, "200 items took {b} batches");
        db.close();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_batch_writes_nothing_and_tells_every_item() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir);
        let after_failed = Arc::new(AtomicUsize::new(0));
        let told = after_failed.clone();
        let merged = Merged::new(
            db.clone(),
            |c, items: &[i64]| {
                for n in items {
                    c.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                }
                // After the rows are in: the second -1 breaks the primary key.
                c.execute("INSERT INTO t (n) VALUES (-1)", [])?;
                c.execute("INSERT INTO t (n) VALUES (-1)", [])?;
                Ok(vec![(); items.len()])
            },
            move |_: &[i64], results: Option<&[()]>| {
                if results.is_none() {
                    told.fetch_add(1, Ordering::SeqCst);
                }
            },
        );
        let a = merged.write(1);
        let b = merged.write(2);
        assert!(a.await.unwrap().is_err());
        assert!(b.await.unwrap().is_err());
        assert_eq!(count(&db), 0, "a failed batch leaves no row behind");
        assert!(after_failed.load(Ordering::SeqCst) >= 1);
        db.close();
        // Closed: an answer still comes, an error.
        assert!(merged.write(3).await.unwrap().is_err());
    }

    /// A job after the batch fails in the same transaction: the batch runs again with the
    /// items it took, each written once, and items queued meanwhile wait for the next one.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_rerun_for_another_jobs_failure_writes_its_own_items_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir);
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = runs.clone();
        let merged = Merged::new(
            db.clone(),
            move |c, items: &[i64]| {
                counted.fetch_add(1, Ordering::SeqCst);
                for n in items {
                    c.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                }
                Ok(items.to_vec())
            },
            |_: &[i64], _: Option<&[i64]>| {},
        );
        // Hold the writer so that the batch and the failing job share a transaction.
        let release_soon = hold_writer(&db).await;
        let (a, b) = (merged.write(1), merged.write(2));
        let failing = db.write(|c| {
            c.execute("INSERT INTO t (n) VALUES (100)", [])?;
            c.execute("INSERT INTO t (n) VALUES (100)", [])?;
            Ok(())
        });
        let (failed, ()) = tokio::join!(failing, release_soon);
        assert!(failed.is_err());
        assert_eq!(a.await.unwrap().unwrap(), 1);
        assert_eq!(b.await.unwrap().unwrap(), 2);
        assert_eq!(
            runs.load(Ordering::SeqCst),
            2,
            "the batch ran, then ran again"
        );
        assert_eq!(count(&db), 2);
        assert_eq!(merged.write(3).await.unwrap().unwrap(), 3);
        assert_eq!(count(&db), 3);
        db.close();
    }
}
