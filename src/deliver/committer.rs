//! The committer: one task that owns the write side of delivery. Lanes hand it their
//! finished attempts; it records every outcome waiting at that moment in one transaction
//! (group commit), so the cost per delivery stays small as the number of lanes grows.

use crate::clock::Clock;
use crate::store::{Claimed, DisablePolicy, Outcome, Store};
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most outcomes recorded by one transaction.
const MAX_BATCH: usize = 256;

/// One lane's finished attempt. Shared so that the lane can hand it in again if
/// recording fails.
pub(super) struct Job {
    pub finished: Arc<(Claimed, Outcome)>,
    /// Why the webhook was switched off by this outcome, if it was.
    pub reply: oneshot::Sender<Result<Option<String>, String>>,
}

/// Batches sent to the store at once. While one is being written, the next forms and
/// waits at the writer, so lanes that finish their request meanwhile are not held back
/// by a whole transaction plus the hand-offs around it.
const IN_FLIGHT: usize = 2;

/// Serves jobs until every sender is gone.
pub(super) async fn run(
    store: Store,
    clock: Arc<dyn Clock>,
    policy: DisablePolicy,
    mut rx: mpsc::Receiver<Job>,
) {
    let mut writing = FuturesUnordered::new();
    loop {
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        tokio::select! {
            n = rx.recv_many(&mut jobs, MAX_BATCH), if writing.len() < IN_FLIGHT => {
                if n == 0 {
                    break;
                }
                writing.push(settle(&store, &*clock, policy, jobs));
            }
            Some(()) = writing.next(), if !writing.is_empty() => {}
        }
    }
    while writing.next().await.is_some() {}
}

/// Records one batch and answers its lanes.
async fn settle(store: &Store, clock: &dyn Clock, policy: DisablePolicy, jobs: Vec<Job>) {
    let finished: Vec<(&Claimed, &Outcome)> = jobs
        .iter()
        .map(|j| (&j.finished.0, &j.finished.1))
        .collect();
    let result = store.settle_batch(&finished, policy, clock.now()).await;
    drop(finished);
    match result {
        Ok(disabled) => {
            for (job, d) in jobs.into_iter().zip(disabled) {
                let _ = job.reply.send(Ok(d));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, batch = jobs.len(), "could not record deliveries");
            for job in jobs {
                let _ = job.reply.send(Err(e.to_string()));
            }
        }
    }
}
