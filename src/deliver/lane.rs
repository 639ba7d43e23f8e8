//! A lane: one webhook's deliveries, sent one at a time in event order.
//!
//! A lane goes on sending while the outcomes of its last successes are being written (at
//! most [`UNWRITTEN`] of them): the writer's commit is then off the lane's path. So at a
//! crash, a webhook has at most `UNWRITTEN + 1` deliveries sent whose outcome is not on
//! disk (those being written and the one in flight), and those are what is sent again,
//! with the same ids. After a failure the lane waits until every outcome is written, so a
//! retry or a switch-off is in force before anything else goes out.

use super::attempt::Attempter;
use crate::model::{Claimed, Finished, Outcome};
use crate::store::{OutcomeWriter, Store, StoreError};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

/// Successes per lane whose outcome may still be being written while the next request
/// goes out; each one more is one more possible repeat per webhook after a crash. The
/// bound is reached only when a receiver answers faster than the writer commits (the
/// delivery bench's loopback receiver, with the writer busy with accepts): against
/// Discord, a request takes far longer than a commit, and a lane has one or two
/// outcomes unwritten at most. At the bench's load, 8 gave about 10 points more of the
/// bare client's rate than 2 in alternating runs (docs/perf-log.md).
pub const UNWRITTEN: usize = 8;

/// Deliveries a lane reads in one query. One query per send was ~7% of the process's CPU
/// in the delivery bench's profile (docs/perf-log.md). What is read ahead is still
/// pending on disk, and each is sent with its webhook as it is at that moment, so reading
/// ahead changes neither what a crash repeats nor which settings a delivery goes out
/// with. A retry that comes due waits at most this many sends.
const AHEAD: usize = 8;

/// What every lane shares: the store, the attempter, the outcome writer, and which
/// webhooks have a lane.
pub(super) struct Lanes {
    pub store: Store,
    pub attempter: Attempter,
    /// Records outcomes, many lanes' to a transaction.
    pub outcomes: OutcomeWriter,
    /// Webhook id → "more work arrived while the lane was looking".
    pub running: Mutex<HashMap<String, bool>>,
    /// Deliveries taken by lanes whose outcome is not written yet.
    pub taken: AtomicI64,
    pub cancel: CancellationToken,
}

impl Lanes {
    /// Forgets `webhook`'s lane, so the next work for it starts a new one (also after a
    /// lane panicked, so the lock may be poisoned).
    pub fn forget(&self, webhook: &str) {
        let mut running = self
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        running.remove(webhook);
    }
}

/// An outcome handed to the writer.
struct Recording {
    finished: Finished,
    /// Why the webhook was switched off by this outcome, if it was.
    answer: oneshot::Receiver<Result<Option<String>, StoreError>>,
}

/// What [`Lane::take`] found.
enum Next {
    /// Send this.
    Send(Claimed),
    /// Look again (the webhook changed, an outcome was written, or the store failed).
    Again,
    /// Nothing is due: the lane ends.
    Done,
}

/// One webhook's lane and its state.
pub(super) struct Lane {
    shared: Arc<Lanes>,
    webhook: String,
    /// Successes sent, oldest first, whose outcome is being written.
    unwritten: VecDeque<Recording>,
    /// Deliveries read ahead, not sent yet.
    ahead: VecDeque<Claimed>,
}

impl Lane {
    /// A lane for `webhook`; the caller has entered it in `shared.running`.
    pub fn new(shared: Arc<Lanes>, webhook: String) -> Self {
        Lane {
            shared,
            webhook,
            unwritten: VecDeque::with_capacity(UNWRITTEN),
            ahead: VecDeque::with_capacity(AHEAD),
        }
    }

    /// Sends the webhook's due deliveries until none is left or the dispatcher stops.
    pub async fn run(mut self) {
        while !self.shared.cancel.is_cancelled() {
            let claimed = match self.take().await {
                Next::Send(c) => c,
                Next::Again => continue,
                Next::Done => return,
            };
            let pause = self.send_and_record(claimed).await;
            if let Some(pause) = pause {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = self.shared.cancel.cancelled() => {}
                }
            }
        }
        while let Some(r) = self.unwritten.pop_front() {
            self.recorded(r).await;
        }
        self.shared.forget(&self.webhook);
    }

    /// The next delivery to send: one read ahead (with its webhook as it is now), or the
    /// next few due from the store.
    async fn take(&mut self) -> Next {
        let shared = &self.shared;
        let now_ms = shared.attempter.clock.now_ms();
        if let Some(c) = self.ahead.pop_front() {
            // Read a few sends ago: send it as its webhook is now.
            return match shared.store.current_endpoint(&c, now_ms).await {
                Ok(Some(endpoint)) => Next::Send(Claimed { endpoint, ..c }),
                Ok(None) => {
                    // The webhook was deleted, and its deliveries with it.
                    self.ahead.clear();
                    Next::Again
                }
                Err(e) => {
                    tracing::warn!(webhook = %self.webhook, error = %e, "could not read the webhook; retrying soon");
                    self.ahead.clear();
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    Next::Again
                }
            };
        }
        let skip: Vec<i64> = self.unwritten.iter().map(|r| r.finished.0.seq).collect();
        match shared
            .store
            .next_deliveries(&self.webhook, now_ms, &skip, AHEAD)
            .await
        {
            Ok(found) if !found.is_empty() => {
                self.ahead.extend(found);
                self.ahead.pop_front().map_or(Next::Again, Next::Send)
            }
            Ok(_) => {
                if let Some(r) = self.unwritten.pop_front() {
                    // Once written, it no longer hides anything due behind it.
                    self.recorded(r).await;
                    return Next::Again;
                }
                let mut running = shared.running.lock().expect("lane map lock");
                if running.get(&self.webhook).copied().unwrap_or(false) {
                    running.insert(self.webhook.clone(), false);
                    return Next::Again;
                }
                running.remove(&self.webhook);
                Next::Done
            }
            Err(e) => {
                tracing::warn!(webhook = %self.webhook, error = %e, "could not read the next delivery; retrying soon");
                tokio::time::sleep(Duration::from_millis(500)).await;
                Next::Again
            }
        }
    }

    /// Makes the attempt and hands its outcome to the writer: a success goes on being
    /// written while the lane sends on; anything else is waited for. Returns the pause
    /// the receiver asked for.
    async fn send_and_record(&mut self, claimed: Claimed) -> Option<Duration> {
        let shared = self.shared.clone();
        shared.taken.fetch_add(1, Ordering::Relaxed);
        let (outcome, pause) = shared.attempter.attempt(&claimed).await;
        shared.attempter.metrics.delivery(outcome.label());
        let succeeded = matches!(
            outcome,
            Outcome::Succeeded(_) | Outcome::Muted | Outcome::Skipped
        );
        // Keep at most UNWRITTEN outstanding while the next request goes out; after a
        // failure, none, and this one's outcome too: it may switch the webhook off.
        let keep = if succeeded { UNWRITTEN - 1 } else { 0 };
        while self.unwritten.len() > keep {
            if let Some(r) = self.unwritten.pop_front() {
                self.recorded(r).await;
            }
        }
        let r = self.record(Arc::new((claimed, outcome)));
        if succeeded {
            self.unwritten.push_back(r);
        } else {
            self.recorded(r).await;
            // A retry, or the webhook switched off: read afresh what is due.
            self.ahead.clear();
        }
        pause
    }

    /// Hands an outcome to the writer; the answer comes from [`Self::recorded`].
    fn record(&self, finished: Finished) -> Recording {
        let answer = self.shared.outcomes.record(finished.clone());
        Recording { finished, answer }
    }

    /// Waits until `r` is written. A failed write is handed in again after a pause, so the
    /// outcome is not lost while the store recovers; on shutdown it is given up, and the
    /// delivery, still pending on disk, is sent again after the restart.
    async fn recorded(&self, mut r: Recording) {
        let webhook = &self.webhook;
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
                _ = self.shared.cancel.cancelled() => break,
            }
            r = self.record(r.finished);
        }
        self.shared.taken.fetch_sub(1, Ordering::Relaxed);
    }
}
