//! The delivery worker: one lane per webhook with due work, each sending that webhook's
//! deliveries one at a time in event order, under a global cap on requests in flight.
//!
//! Lanes exist only while a webhook has work, so idle webhooks cost nothing. New work
//! pokes its lane directly; a scheduler wakes lanes whose retries come due, returns
//! lapsed claims to the queue, and prunes old events.

use super::committer::{self, Job};
use super::http::Sender;
use super::send::attempt;
use super::DeliveryConfig;
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::profile::ProfileResolver;
use crate::store::{Claimed, Outcome, Settled, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

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
    wake: Notify,
    cancel: CancellationToken,
    tracker: TaskTracker,
    jobs: mpsc::Sender<Job>,
    committer: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher").finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// Starts the dispatcher: claims left by a previous process go back to the queue
    /// (one dispatcher runs per database), then the scheduler starts.
    pub async fn start(
        store: Store,
        clock: Arc<dyn Clock>,
        sender: Sender,
        resolver: Arc<dyn ProfileResolver>,
        config: DeliveryConfig,
        metrics: Metrics,
    ) -> anyhow::Result<Self> {
        let released = store.release_claims(clock.now_ms(), true).await?;
        if released > 0 {
            tracing::info!(
                released,
                "requeued deliveries interrupted by the last shutdown"
            );
        }
        let lease_ms = i64::try_from(config.lease().as_millis()).unwrap_or(i64::MAX);
        let (jobs, rx) = mpsc::channel(4096);
        let committer = tokio::spawn(committer::run(
            store.clone(),
            clock.clone(),
            config.disable,
            lease_ms,
            rx,
        ));
        let inner = Arc::new(Inner {
            jobs,
            committer: std::sync::Mutex::new(Some(committer)),
            permits: Semaphore::new(config.concurrency.max(1)),
            store,
            clock,
            sender,
            resolver,
            config,
            metrics,
            lanes: Mutex::new(HashMap::new()),
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
        // Every lane has recorded its last attempt; the committer has nothing left.
        let committer = self.inner.committer.lock().expect("committer lock").take();
        if let Some(c) = committer {
            c.abort();
            let _ = c.await;
        }
    }

    /// Records `finished` and claims the webhook's next delivery, through the committer.
    async fn settle(
        &self,
        finished: Option<(Claimed, Outcome)>,
        claim: Option<&str>,
    ) -> Result<Settled, String> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            finished,
            claim: claim.map(str::to_string),
            reply,
        };
        self.inner
            .jobs
            .send(job)
            .await
            .map_err(|_| "the committer has stopped".to_string())?;
        answer
            .await
            .map_err(|_| "the committer has stopped".to_string())?
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
        self.inner.tracker.spawn(async move { d.lane(id).await });
    }

    async fn lane(self, webhook: String) {
        let inner = &self.inner;
        let mut finished: Option<(Claimed, Outcome)> = None;
        loop {
            let stopping = inner.cancel.is_cancelled();
            if stopping && finished.is_none() {
                break;
            }
            let claim = (!stopping).then_some(webhook.as_str());
            let settled = match self.settle(finished.take(), claim).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(%webhook, error = %e, "could not settle a delivery; retrying soon");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            };
            if let Some(reason) = settled.disabled {
                tracing::warn!(%webhook, %reason, "webhook switched off");
            }
            if stopping {
                break;
            }
            let Some(claimed) = settled.next else {
                let mut lanes = inner.lanes.lock().expect("lane map lock");
                if lanes.get(&webhook).copied().unwrap_or(false) {
                    lanes.insert(webhook.clone(), false);
                    continue;
                }
                lanes.remove(&webhook);
                return;
            };
            let (outcome, pause) = attempt(inner, &claimed).await;
            inner.metrics.delivery(outcome.label());
            finished = Some((claimed, outcome));
            if let Some(pause) = pause {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = inner.cancel.cancelled() => {}
                }
            }
        }
        inner.lanes.lock().expect("lane map lock").remove(&webhook);
    }

    async fn schedule(self) {
        let inner = &self.inner;
        let mut last_prune = None::<i64>;
        loop {
            let now = inner.clock.now_ms();
            let mut sleep_for = inner.config.poll_interval;
            match inner.store.release_claims(now, false).await {
                Ok(n) if n > 0 => tracing::warn!(requeued = n, "deliveries whose claim lapsed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not release lapsed claims"),
            }
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
