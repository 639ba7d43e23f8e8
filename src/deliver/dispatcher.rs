//! The delivery worker: one lane per webhook with due work, each sending that webhook's
//! deliveries one at a time in event order, under a global cap on requests in flight.
//!
//! Lanes exist only while a webhook has work, so idle webhooks cost nothing. New work
//! pokes its lane directly; a scheduler wakes lanes whose retries come due and prunes old
//! events.
//!
//! A lane goes on sending while the outcomes of its last successes are being written (at
//! most [`UNWRITTEN`] of them): the writer's commit is then off the lane's path. So at a
//! crash, a webhook has at most `UNWRITTEN + 1` deliveries sent whose outcome is not on
//! disk (those being written and the one in flight), and those are what is sent again,
//! with the same ids. After a failure the lane waits until every outcome is written, so a
//! retry or a switch-off is in force before anything else goes out.

use super::http::Sender;
use super::send::attempt;
use super::DeliveryConfig;
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::model::{Claimed, Finished, Outcome};
use crate::profile::ProfileResolver;
use crate::store::{OutcomeWriter, Store, StoreError};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Successes per lane whose outcome may still be being written while the next request
/// goes out; each one more is one more possible repeat per webhook after a crash. The
/// bound is reached only when a receiver answers faster than the writer commits (the
/// delivery bench's loopback receiver, with the writer busy with accepts): against
/// Discord, a request takes far longer than a commit, and a lane has one or two
/// outcomes unwritten at most. At the bench's load, 8 gave about 10 points more of the
/// bare client's rate than 2 in alternating runs (BENCHMARKS.md).
pub const UNWRITTEN: usize = 8;

/// Deliveries a lane reads in one query. One query per send was ~7% of the process's CPU
/// in the delivery bench's profile (BENCHMARKS.md). What is read ahead is still pending on disk, and each is
/// sent with its webhook as it is at that moment, so reading ahead changes neither what a
/// crash repeats nor which settings a delivery goes out with. A retry that comes due
/// waits at most this many sends.
const AHEAD: usize = 8;

/// Handle to the running dispatcher; cheap to clone.
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub sender: Sender,
    pub resolver: Arc<dyn ProfileResolver>,
    pub config: DeliveryConfig,
    pub metrics: Metrics,
    pub permits: Semaphore,
    /// Webhook id → "more work arrived while the lane was looking".
    lanes: Mutex<HashMap<String, bool>>,
    /// Deliveries taken by lanes whose outcome is not written yet.
    taken: AtomicI64,
    wake: Notify,
    cancel: CancellationToken,
    tracker: TaskTracker,
    /// Records outcomes, many lanes' to a transaction.
    outcomes: OutcomeWriter,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher").finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// Starts the dispatcher: claims left by an earlier build go back to the queue (one
    /// dispatcher runs per database), then the scheduler starts.
    pub async fn start(
        store: Store,
        clock: Arc<dyn Clock>,
        sender: Sender,
        resolver: Arc<dyn ProfileResolver>,
        config: DeliveryConfig,
        metrics: Metrics,
    ) -> anyhow::Result<Self> {
        let released = store.release_claims().await?;
        if released > 0 {
            tracing::info!(
                released,
                "requeued deliveries interrupted by the last shutdown"
            );
        }
        let outcomes = store.outcome_writer(config.disable, clock.clone());
        let inner = Arc::new(Inner {
            outcomes,
            permits: Semaphore::new(config.concurrency.max(1)),
            store,
            clock,
            sender,
            resolver,
            config,
            metrics,
            lanes: Mutex::new(HashMap::new()),
            taken: AtomicI64::new(0),
            wake: Notify::new(),
            cancel: CancellationToken::new(),
            tracker: TaskTracker::new(),
        });
        let d = Dispatcher { inner };
        let sched = d.clone();
        d.inner.tracker.spawn(async move { sched.schedule().await });
        Ok(d)
    }

    /// New deliveries were queued for these webhooks: start or poke their lanes.
    pub fn notify<S: AsRef<str>>(&self, webhooks: &[S]) {
        for w in webhooks {
            self.ensure_lane(w.as_ref());
        }
    }

    /// Look for due work now (after the clock moved, in tests).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Stops taking new work, lets attempts in flight finish, and waits for every lane.
    pub async fn shutdown(&self) {
        self.inner.cancel.cancel();
        self.inner.tracker.close();
        self.inner.tracker.wait().await;
    }

    /// Deliveries being sent, or sent with their outcome not yet written. The store still
    /// counts them as pending.
    pub fn in_flight(&self) -> i64 {
        self.inner.taken.load(Ordering::Relaxed)
    }

    /// Hands an outcome to the writer; the answer comes from [`Self::recorded`].
    fn record(&self, finished: Finished) -> Recording {
        let answer = self.inner.outcomes.record(finished.clone());
        Recording { finished, answer }
    }

    /// Waits until `r` is written. A failed write is handed in again after a pause, so the
    /// outcome is not lost while the store recovers; on shutdown it is given up, and the
    /// delivery, still pending on disk, is sent again after the restart.
    async fn recorded(&self, mut r: Recording, webhook: &str) {
        loop {
            let error = match (&mut r.answer).await {
                Ok(Ok(disabled)) => {
                    if let Some(reason) = disabled {
                        tracing::warn!(%webhook, %reason, "webhook switched off");
                    }
                    break;
                }
                Ok(Err(e)) => e,
                Err(_) => StoreError::Db(Box::new(std::io::Error::other("the writer has stopped"))),
            };
            tracing::warn!(%webhook, error = %error, "could not record a delivery; retrying soon");
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = self.inner.cancel.cancelled() => break,
            }
            r = self.record(r.finished);
        }
        self.inner.taken.fetch_sub(1, Ordering::Relaxed);
    }

    fn ensure_lane(&self, webhook: &str) {
        if self.inner.cancel.is_cancelled() {
            return;
        }
        let mut lanes = self.inner.lanes.lock().expect("lane map lock");
        if let Some(poked) = lanes.get_mut(webhook) {
            *poked = true;
            return;
        }
        lanes.insert(webhook.to_string(), false);
        drop(lanes);
        let d = self.clone();
        let id = webhook.to_string();
        self.inner.tracker.spawn(async move {
            // A panic in one lane must not leave its webhook without a lane for good:
            // forget the lane, so the scheduler starts a new one when work is due. The
            // other lanes are tasks of their own and go on.
            let lane = std::panic::AssertUnwindSafe(d.clone().lane(id.clone()));
            if futures_util::FutureExt::catch_unwind(lane).await.is_err() {
                tracing::error!(webhook = %id, "a delivery lane panicked; it restarts when work is due");
                let mut lanes = d.inner.lanes.lock().unwrap_or_else(|p| p.into_inner());
                lanes.remove(&id);
            }
        });
    }

    async fn lane(self, webhook: String) {
        let inner = &self.inner;
        // Successes sent, oldest first, whose outcome is being written.
        let mut unwritten: VecDeque<Recording> = VecDeque::with_capacity(UNWRITTEN);
        // Deliveries read ahead, not sent yet.
        let mut ahead: VecDeque<Claimed> = VecDeque::with_capacity(AHEAD);
        while !inner.cancel.is_cancelled() {
            let now_ms = inner.clock.now_ms();
            let claimed = if let Some(c) = ahead.pop_front() {
                // Read a few sends ago: send it as its webhook is now.
                match inner.store.current_endpoint(&c, now_ms) {
                    Ok(Some(endpoint)) => Claimed { endpoint, ..c },
                    Ok(None) => {
                        // The webhook was deleted, and its deliveries with it.
                        ahead.clear();
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(%webhook, error = %e, "could not read the webhook; retrying soon");
                        ahead.clear();
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        continue;
                    }
                }
            } else {
                let skip: Vec<i64> = unwritten.iter().map(|r| r.finished.0.seq).collect();
                let next = inner.store.next_deliveries(&webhook, now_ms, &skip, AHEAD);
                match next {
                    Ok(found) if !found.is_empty() => {
                        ahead.extend(found);
                        match ahead.pop_front() {
                            Some(c) => c,
                            None => continue,
                        }
                    }
                    Ok(_) => {
                        if let Some(r) = unwritten.pop_front() {
                            // Once written, it no longer hides anything due behind it.
                            self.recorded(r, &webhook).await;
                            continue;
                        }
                        let mut lanes = inner.lanes.lock().expect("lane map lock");
                        if lanes.get(&webhook).copied().unwrap_or(false) {
                            lanes.insert(webhook.clone(), false);
                            continue;
                        }
                        lanes.remove(&webhook);
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(%webhook, error = %e, "could not read the next delivery; retrying soon");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        continue;
                    }
                }
            };
            inner.taken.fetch_add(1, Ordering::Relaxed);
            let (outcome, pause) = attempt(inner, &claimed).await;
            inner.metrics.delivery(outcome.label());
            let succeeded = matches!(
                outcome,
                Outcome::Succeeded(_) | Outcome::Muted | Outcome::Skipped
            );
            // Keep at most UNWRITTEN outstanding while the next request goes out; after a
            // failure, none, and this one's outcome too: it may switch the webhook off.
            let keep = if succeeded { UNWRITTEN - 1 } else { 0 };
            while unwritten.len() > keep {
                if let Some(r) = unwritten.pop_front() {
                    self.recorded(r, &webhook).await;
                }
            }
            let r = self.record(Arc::new((claimed, outcome)));
            if succeeded {
                unwritten.push_back(r);
            } else {
                self.recorded(r, &webhook).await;
                // A retry, or the webhook switched off: read afresh what is due.
                ahead.clear();
            }
            if let Some(pause) = pause {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = inner.cancel.cancelled() => {}
                }
            }
        }
        while let Some(r) = unwritten.pop_front() {
            self.recorded(r, &webhook).await;
        }
        inner.lanes.lock().expect("lane map lock").remove(&webhook);
    }

    async fn schedule(self) {
        let inner = &self.inner;
        let mut last_prune = None::<i64>;
        loop {
            let now = inner.clock.now_ms();
            let mut sleep_for = inner.config.poll_interval;
            match inner.store.due_webhooks(now).await {
                Ok((due, next)) => {
                    self.notify(&due);
                    if let Some(next) = next {
                        let wait = Duration::from_millis(u64::try_from(next - now).unwrap_or(0));
                        sleep_for = sleep_for.min(wait.max(Duration::from_millis(10)));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not look for due deliveries"),
            }
            let prune_every = 3_600_000;
            if last_prune.is_none_or(|t| now - t > prune_every) {
                last_prune = Some(now);
                let before = inner.clock.now() - inner.config.retention;
                if let Err(e) = inner.store.prune(before).await {
                    tracing::warn!(error = %e, "could not prune old events");
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(sleep_for) => {}
                _ = inner.wake.notified() => {}
                _ = inner.cancel.cancelled() => break,
            }
        }
    }
}

/// An outcome handed to the writer.
struct Recording {
    finished: Finished,
    /// Why the webhook was switched off by this outcome, if it was.
    answer: oneshot::Receiver<Result<Option<String>, StoreError>>,
}
