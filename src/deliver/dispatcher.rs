//! The delivery worker: one lane per webhook with due work (see `lane.rs`), under a
//! global cap on requests in flight, and a scheduler.
//!
//! Lanes exist only while a webhook has work, so idle webhooks cost nothing. New work
//! pokes its lane directly; a scheduler wakes lanes whose retries come due and prunes old
//! events.

use super::attempt::Attempter;
use super::http::Sender;
use super::lane::{Lane, Lanes};
use super::DeliveryConfig;
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::profile::ProfileResolver;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Handle to the running dispatcher; cheap to clone.
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    lanes: Arc<Lanes>,
    wake: Notify,
    tracker: TaskTracker,
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
        let attempter = Attempter {
            permits: Semaphore::new(config.concurrency.max(1)),
            clock,
            sender,
            resolver,
            config,
            metrics,
        };
        let inner = Arc::new(Inner {
            lanes: Arc::new(Lanes {
                store,
                attempter,
                outcomes,
                running: Mutex::new(HashMap::new()),
                taken: AtomicI64::new(0),
                cancel: CancellationToken::new(),
            }),
            wake: Notify::new(),
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
        self.inner.lanes.cancel.cancel();
        self.inner.tracker.close();
        self.inner.tracker.wait().await;
    }

    /// Deliveries being sent, or sent with their outcome not yet written. The store still
    /// counts them as pending.
    pub fn in_flight(&self) -> i64 {
        self.inner.lanes.taken.load(Ordering::Relaxed)
    }

    fn ensure_lane(&self, webhook: &str) {
        let lanes = &self.inner.lanes;
        if lanes.cancel.is_cancelled() {
            return;
        }
        let mut running = lanes.running.lock().expect("lane map lock");
        if let Some(poked) = running.get_mut(webhook) {
            *poked = true;
            return;
        }
        running.insert(webhook.to_string(), false);
        drop(running);
        let lane = Lane::new(lanes.clone(), webhook.to_string());
        let (lanes, webhook) = (lanes.clone(), webhook.to_string());
        self.inner.tracker.spawn(async move {
            // A panic in one lane must not leave its webhook without a lane for good:
            // forget the lane, so the scheduler starts a new one when work is due. The
            // other lanes are tasks of their own and go on.
            let run = std::panic::AssertUnwindSafe(lane.run());
            if futures_util::FutureExt::catch_unwind(run).await.is_err() {
                tracing::error!(%webhook, "a delivery lane panicked; it restarts when work is due");
                lanes.forget(&webhook);
            }
        });
    }

    async fn schedule(self) {
        let inner = &self.inner;
        let lanes = &inner.lanes;
        let mut last_prune = None::<i64>;
        loop {
            let now = lanes.attempter.clock.now_ms();
            let mut sleep_for = lanes.attempter.config.poll_interval;
            match lanes.store.due_webhooks(now).await {
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
                let before = lanes.attempter.clock.now() - lanes.attempter.config.retention;
                if let Err(e) = lanes.store.prune(before).await {
                    tracing::warn!(error = %e, "could not prune old events");
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(sleep_for) => {}
                _ = inner.wake.notified() => {}
                _ = lanes.cancel.cancelled() => break,
            }
        }
    }
}
