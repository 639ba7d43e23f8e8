//! The connection loop: subscribe to `com.atproto.sync.subscribeRepos`, examine each
//! frame, verify the commits that produce events, accept those events with the frame's
//! `seq` as the cursor (per source URL), and reconnect with exponential backoff across
//! the configured hosts.

use super::examine::{examine, Candidate, Examined, Skip, Step};
use super::keys::SigningKeys;
use super::verify::verify;
use crate::clock::Clock;
use crate::deliver::Dispatcher;
use crate::events::uri_dedupe_key;
use crate::jetstream::Interests;
use crate::metrics::Metrics;
use crate::profile::ProfileResolver;
use crate::store::Store;
use futures_util::StreamExt;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;
use url::Url;

/// The XRPC path of the repo firehose.
pub const SUBSCRIBE_REPOS: &str = "/xrpc/com.atproto.sync.subscribeRepos";

/// The default largest frame read: commits carry at most about 2 MB of blocks (the sync
/// protocol's bound), so twice that leaves room for the rest of the frame.
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;

/// Consumer settings.
#[derive(Debug, Clone)]
pub struct FirehoseConfig {
    /// Hosts (a PDS or a relay), tried in turn.
    pub urls: Vec<Url>,
    /// Longest wait between connection attempts.
    pub max_backoff: Duration,
    /// Frames larger than this are skipped and counted. The websocket itself takes
    /// messages up to four times as large, so that an oversized frame is skipped rather
    /// than failing the connection (which would fetch it again on every reconnect).
    pub max_frame_bytes: usize,
}

/// What the consumer works with.
#[derive(Clone)]
pub struct Consumer {
    /// Settings.
    pub config: FirehoseConfig,
    /// The database.
    pub store: Store,
    /// Subjects with active webhooks (shared with the Jetstream consumer).
    pub interests: Arc<Interests>,
    /// Sends what is accepted.
    pub dispatcher: Dispatcher,
    /// Told about identity changes.
    pub profiles: Arc<dyn ProfileResolver>,
    /// Repo signing keys.
    pub keys: Arc<SigningKeys>,
    /// Counters.
    pub metrics: Metrics,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// How often interests are reloaded even without a change notice.
const RELOAD_EVERY: Duration = Duration::from_secs(30);
/// How often counters are published and the cursor saved when no event carried it.
const TICK: Duration = Duration::from_millis(500);
/// Most accounts remembered as inactive (a relay sends them no commits anyway; this
/// only bounds memory).
const INACTIVE_CAPACITY: usize = 100_000;

/// What outlives one connection.
#[derive(Default)]
struct Carry {
    /// Accounts `#account` said are not active.
    inactive: HashSet<String>,
    /// The host said our cursor is ahead of it (`FutureCursor`): forget that cursor.
    drop_cursor: bool,
}

/// One connection's running position.
struct Position<'a> {
    source: &'a str,
    last: i64,
    saved: i64,
}

impl Consumer {
    /// Runs until `cancel`.
    pub async fn run(self, cancel: CancellationToken) {
        if self.config.urls.is_empty() {
            return;
        }
        let mut backoff = Duration::from_millis(250);
        let mut turn = 0usize;
        let mut carry = Carry::default();
        while !cancel.is_cancelled() {
            let base = &self.config.urls[turn % self.config.urls.len()];
            self.metrics.firehose_reconnect();
            let worked = match self.session(base, &cancel, &mut carry).await {
                Ok(read_any) => read_any,
                Err(e) => {
                    tracing::warn!(url = %base, error = %e, "firehose connection failed");
                    false
                }
            };
            if worked {
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

    /// One connection. `Ok(true)` if any frame was read (so the host works).
    async fn session(
        &self,
        base: &Url,
        cancel: &CancellationToken,
        carry: &mut Carry,
    ) -> anyhow::Result<bool> {
        let source = base.as_str();
        if std::mem::take(&mut carry.drop_cursor) {
            // The host's sequence is behind our cursor (it was reset): start again from
            // its live tail, and save positions from its new sequence.
            self.store.forget_stream_cursor(source).await?;
        }
        let saved = self.store.stream_cursor(source).await?;
        let url = subscribe_url(base, saved);
        let limit = self.config.max_frame_bytes.saturating_mul(4);
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(limit))
            .max_frame_size(Some(limit));
        let (ws, _) = tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(ws_config), false),
        )
        .await??;
        tracing::info!(url = %url, "firehose connected");
        let (_, mut read) = ws.split();
        if self.interests.is_stale(&self.store) || saved.is_none() {
            self.interests.reload(&self.store).await?;
        }
        let mut sets = self.interests.snapshot();
        let mut pos = Position {
            source,
            last: saved.unwrap_or(0),
            saved: saved.unwrap_or(0),
        };
        let (mut frames, mut any) = (0u64, false);
        let mut last_reload = Instant::now();
        let mut tick = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                msg = read.next() => {
                    let examined = match msg {
                        Some(Ok(Message::Binary(bytes))) => examine(
                            &bytes, self.config.max_frame_bytes, &sets, &carry.inactive,
                        ),
                        Some(Ok(Message::Text(_))) => {
                            self.skipped(Skip::Malformed, None, "a text frame");
                            continue;
                        }
                        Some(Ok(Message::Close(_))) | None => break,
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => { tracing::warn!(error = %e, "firehose read failed"); break }
                    };
                    any = true;
                    frames += 1;
                    self.handle(examined, &mut pos, carry).await?;
                }
                _ = tick.tick() => {
                    self.metrics.firehose_frames(std::mem::take(&mut frames));
                    self.save(&mut pos).await?;
                    if self.interests.is_stale(&self.store) || last_reload.elapsed() > RELOAD_EVERY {
                        self.interests.reload(&self.store).await?;
                        sets = self.interests.snapshot();
                        last_reload = Instant::now();
                    }
                }
                _ = cancel.cancelled() => break,
            }
        }
        self.metrics.firehose_frames(frames);
        self.save(&mut pos).await?;
        Ok(any)
    }

    async fn save(&self, pos: &mut Position<'_>) -> anyhow::Result<()> {
        if pos.last > pos.saved {
            self.store.save_stream_cursor(pos.source, pos.last).await?;
            pos.saved = pos.last;
        }
        Ok(())
    }

    async fn handle(
        &self,
        examined: Examined,
        pos: &mut Position<'_>,
        carry: &mut Carry,
    ) -> anyhow::Result<()> {
        let Examined { seq, step, invalid } = examined;
        let did = match &step {
            Step::Verify(c) => Some(c.did.as_str()),
            Step::Skip { did, .. } => did.as_deref(),
            _ => None,
        };
        for path in &invalid {
            self.skipped(Skip::InvalidRecord, did, path);
        }
        match step {
            Step::Pass => {}
            Step::Verify(candidate) => match verify(&self.keys, &candidate).await {
                Ok(()) => self.accept(*candidate, seq.unwrap_or(0), pos).await?,
                Err(r) => self.skipped(r.reason, Some(&candidate.did), r.detail),
            },
            Step::Identity(did) => {
                self.profiles.invalidate(&did);
                self.keys.forget(&did);
            }
            Step::Account { did, active } => {
                if active {
                    carry.inactive.remove(&did);
                } else {
                    if carry.inactive.len() >= INACTIVE_CAPACITY {
                        carry.inactive.clear();
                    }
                    self.keys.forget(&did);
                    carry.inactive.insert(did);
                }
            }
            Step::Notice {
                name,
                message,
                error,
            } => {
                self.metrics.firehose_notice(&name);
                tracing::warn!(source = pos.source, %name, %message, error, "firehose notice");
                // Our cursor is past the host's (it was reset, or it is another host
                // behind the same URL): the next connection forgets it.
                carry.drop_cursor |= error && name == "FutureCursor";
            }
            Step::Skip {
                reason,
                did,
                detail,
            } => self.skipped(reason, did.as_deref(), detail),
        }
        if let Some(seq) = seq {
            pos.last = pos.last.max(seq);
        }
        Ok(())
    }

    /// Accepts a verified commit's events. Each saves the cursor in its transaction: the
    /// last one the frame's `seq`, the others `seq - 1`, so a crash between two of them
    /// resumes at this frame (the host sends what follows the cursor) and the events
    /// already accepted are recognised by their dedupe keys.
    async fn accept(
        &self,
        candidate: Candidate,
        seq: i64,
        pos: &mut Position<'_>,
    ) -> anyhow::Result<()> {
        let n = candidate.events.len();
        for (i, event) in candidate.events.into_iter().enumerate() {
            let uri = event.uri.clone().unwrap_or_default();
            let key = uri_dedupe_key(event.kind, &event.subject, &uri);
            let at = if i + 1 == n { seq } else { seq - 1 };
            let accepted = self
                .store
                .accept_streamed_event_from(&event, &key, self.clock.now(), pos.source, at)
                .await?;
            pos.saved = pos.saved.max(at);
            if !accepted.duplicate {
                self.metrics.event_accepted(event.kind.as_str());
                self.dispatcher.notify(&accepted.webhooks);
            }
        }
        Ok(())
    }

    fn skipped(&self, reason: Skip, did: Option<&str>, detail: impl std::fmt::Display) {
        self.metrics.firehose_skipped(reason.as_str());
        tracing::warn!(
            did = did.unwrap_or("-"),
            reason = reason.as_str(),
            %detail,
            "firehose: skipped"
        );
    }
}

/// `<base>/xrpc/com.atproto.sync.subscribeRepos?cursor=...` (a base without a path gets
/// the XRPC path; one with a path is used as given).
pub fn subscribe_url(base: &Url, cursor: Option<i64>) -> Url {
    let mut url = base.clone();
    if url.path() == "/" || url.path().is_empty() {
        url.set_path(SUBSCRIBE_REPOS);
    }
    if let Some(c) = cursor {
        url.query_pairs_mut().append_pair("cursor", &c.to_string());
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribes_at_the_xrpc_path_with_the_cursor() {
        let u = subscribe_url(&"wss://bsky.network".parse().unwrap(), Some(42));
        assert_eq!(
            u.as_str(),
            "wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos?cursor=42"
        );
        let given = "ws://127.0.0.1:1/xrpc/com.atproto.sync.subscribeRepos";
        let u = subscribe_url(&given.parse().unwrap(), None);
        assert_eq!(u.as_str(), given);
    }
}
