//! The connection loop: subscribe, read frames, turn matching commits into accepted
//! events, keep the cursor, reconnect with exponential backoff across the configured
//! instances.

use super::frame::parse;
use super::interests::Interests;
use super::mapping::{map, COLLECTIONS};
use crate::clock::Clock;
use crate::deliver::Dispatcher;
use crate::events::uri_dedupe_key;
use crate::metrics::Metrics;
use crate::profile::ProfileResolver;
use crate::store::Store;
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;
use url::Url;

/// Consumer settings.
#[derive(Debug, Clone)]
pub struct JetstreamConfig {
    /// Instances, tried in turn (`wss://host/subscribe`).
    pub urls: Vec<Url>,
    /// How far before the saved cursor a reconnect resumes (events seen twice are
    /// deduplicated by record).
    pub replay: Duration,
    /// Longest wait between connection attempts.
    pub max_backoff: Duration,
}

/// What the consumer works with.
#[derive(Clone)]
pub struct Consumer {
    /// Settings.
    pub config: JetstreamConfig,
    /// The database.
    pub store: Store,
    /// Subjects with active webhooks.
    pub interests: Arc<Interests>,
    /// Sends what is accepted.
    pub dispatcher: Dispatcher,
    /// Told about identity changes.
    pub resolver: Arc<dyn ProfileResolver>,
    /// Counters.
    pub metrics: Metrics,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// How often interests are reloaded even without a change notice, and the cursor saved.
const RELOAD_EVERY: Duration = Duration::from_secs(30);
const TICK: Duration = Duration::from_millis(500);

impl Consumer {
    /// Runs until `cancel`.
    pub async fn run(self, cancel: CancellationToken) {
        let mut backoff = Duration::from_millis(250);
        let mut turn = 0usize;
        while !cancel.is_cancelled() {
            let base = &self.config.urls[turn % self.config.urls.len()];
            self.metrics.jetstream_reconnect();
            let resumed = match self.session(base, &cancel).await {
                Ok(read_any) => read_any,
                Err(e) => {
                    tracing::warn!(url = %base, error = %e, "jetstream connection failed");
                    false
                }
            };
            if resumed {
                backoff = Duration::from_millis(250);
            } else {
                turn += 1;
            }
            let wait = backoff.mul_f64(0.75 + rand::random::<f64>() * 0.5);
            backoff = (backoff * 2).min(self.config.max_backoff);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = cancel.cancelled() => return,
            }
        }
    }

    /// One connection. `Ok(true)` if any frame was read (so the instance works).
    async fn session(&self, base: &Url, cancel: &CancellationToken) -> anyhow::Result<bool> {
        let saved = self.store.jetstream_cursor().await?;
        let replay_us = i64::try_from(self.config.replay.as_micros()).unwrap_or(0);
        let url = subscribe_url(base, saved.map(|c| (c - replay_us).max(0)));
        let (ws, _) = tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async(url.as_str()),
        )
        .await??;
        tracing::info!(url = %url, "jetstream connected");
        let (_, mut read) = ws.split();
        if self.interests.is_stale(&self.store) || saved.is_none() {
            self.interests.reload(&self.store).await?;
        }
        let mut sets = self.interests.snapshot();
        let (mut last_us, mut saved_us) = (saved.unwrap_or(0), saved.unwrap_or(0));
        let (mut frames, mut invalid, mut any) = (0u64, 0u64, false);
        let mut last_reload = Instant::now();
        let mut tick = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                msg = read.next() => {
                    let text = match msg {
                        Some(Ok(Message::Text(t))) => t,
                        Some(Ok(Message::Close(_))) | None => break,
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => { tracing::warn!(error = %e, "jetstream read failed"); break }
                    };
                    any = true;
                    frames += 1;
                    let Some(frame) = parse(text.as_str()) else { continue };
                    if frame.kind == "identity" {
                        self.resolver.invalidate(frame.did);
                    }
                    let mapped = frame.create_op().map(|op| map(&op, &sets)).unwrap_or_default();
                    invalid += u64::from(mapped.invalid);
                    for event in mapped.events {
                        let uri = event.uri.clone().unwrap_or_default();
                        let key = uri_dedupe_key(event.kind, &event.subject, &uri);
                        let accepted = self.store.accept_streamed_event(&event, &key, self.clock.now(), frame.time_us).await?;
                        saved_us = saved_us.max(frame.time_us);
                        if !accepted.duplicate {
                            self.metrics.event_accepted(event.kind.as_str());
                            self.dispatcher.notify(&accepted.webhooks);
                        }
                    }
                    last_us = last_us.max(frame.time_us);
                }
                _ = tick.tick() => {
                    self.metrics.jetstream_frames(std::mem::take(&mut frames), std::mem::take(&mut invalid));
                    if last_us > saved_us {
                        self.store.save_jetstream_cursor(last_us).await?;
                        saved_us = last_us;
                    }
                    let lag = (self.clock.now_ms() * 1000 - last_us).max(0);
                    if last_us > 0 {
                        self.metrics.jetstream_lag(Duration::from_micros(lag as u64));
                    }
                    if self.interests.is_stale(&self.store) || last_reload.elapsed() > RELOAD_EVERY {
                        self.interests.reload(&self.store).await?;
                        sets = self.interests.snapshot();
                        last_reload = Instant::now();
                    }
                }
                _ = cancel.cancelled() => break,
            }
        }
        self.metrics.jetstream_frames(frames, invalid);
        if last_us > saved_us {
            self.store.save_jetstream_cursor(last_us).await?;
        }
        Ok(any)
    }
}

/// `<base>?wantedCollections=...&cursor=...` (a base without a path gets `/subscribe`).
pub fn subscribe_url(base: &Url, cursor: Option<i64>) -> Url {
    let mut url = base.clone();
    if url.path() == "/" || url.path().is_empty() {
        url.set_path("/subscribe");
    }
    {
        let mut q = url.query_pairs_mut();
        for c in COLLECTIONS {
            q.append_pair("wantedCollections", c);
        }
        if let Some(c) = cursor {
            q.append_pair("cursor", &c.to_string());
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribes_to_exactly_the_needed_collections() {
        let u = subscribe_url(
            &"wss://jetstream1.us-east.bsky.network".parse().unwrap(),
            Some(123),
        );
        assert_eq!(
            u.as_str(),
            "wss://jetstream1.us-east.bsky.network/subscribe?wantedCollections=place.stream.chat.message\
             &wantedCollections=place.stream.livestream&wantedCollections=app.bsky.graph.follow\
             &wantedCollections=app.bsky.feed.post&cursor=123"
        );
        let u = subscribe_url(&"ws://127.0.0.1:1/subscribe".parse().unwrap(), None);
        assert!(!u.as_str().contains("cursor"));
    }
}
