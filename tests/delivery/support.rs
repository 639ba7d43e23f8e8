//! Test support: the real server on port 0 with a hand-moved clock, and helpers to make
//! webhooks, push events and read delivery logs.

#![allow(dead_code)]

use placehook::clock::ManualClock;
use placehook::config::{Schedule, ServeConfig};
use placehook::server::Hooks;
use placehook::store::{Store, StoreOptions};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// A running server with its own database and clock.
pub struct App {
    pub base: String,
    pub store: Store,
    pub http: reqwest::Client,
    pub clock: Arc<ManualClock>,
    /// The server's state (store, dispatcher).
    pub state: placehook::state::AppState,
    /// An owner account and its token.
    pub owner: String,
    pub token: String,
    /// A producer token.
    pub producer: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
}

/// Retries after 10 s then 60 s, no jitter, private targets allowed.
pub fn test_config(c: &mut ServeConfig) {
    c.allow_private_targets = true;
    c.delivery.retry_schedule = Schedule(vec![Duration::from_secs(10), Duration::from_secs(60)]);
    c.delivery.retry_jitter_percent = 0;
    c.delivery.delivery_timeout = Duration::from_millis(1500);
}

pub async fn spawn_app() -> App {
    spawn_app_with(test_config).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut ServeConfig)) -> App {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("placehook.sqlite");
    let mut config = ServeConfig::for_database(db.to_str().unwrap());
    adjust(&mut config);
    let store = Store::open(&config.database, StoreOptions::default())
        .await
        .unwrap();
    let owner = "did:plc:ownerownerownerownerowne".to_string();
    let token = store.create_token(&owner, false, None).await.unwrap().1;
    let producer = store
        .create_token("did:web:producer.example", true, None)
        .await
        .unwrap()
        .1;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let clock = Arc::new(ManualClock::new());
    let (started_tx, started_rx) = oneshot::channel();
    let hooks = Hooks {
        clock: Some(clock.clone()),
        // Profiles stay DID-only: these tests never leave loopback.
        resolver: Some(Arc::new(placehook::profile::DidOnlyResolver)),
        started: Some(started_tx),
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(placehook::server::run_with(
        config,
        listener,
        async {
            let _ = stopped.await;
        },
        hooks,
    ));
    let state = started_rx.await.expect("server started");
    let app = App {
        state,
        base: format!("http://{addr}"),
        store,
        http: reqwest::Client::new(),
        clock,
        owner,
        token,
        producer,
        stop: Some(stop),
        task: Some(task),
        _dir: dir,
    };
    for _ in 0..500 {
        if app
            .http
            .get(format!("{}/xrpc/_health", app.base))
            .send()
            .await
            .is_ok()
        {
            return app;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("server did not start");
}

impl App {
    pub async fn post(&self, nsid: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        let res = self
            .http
            .post(format!("{}/xrpc/{nsid}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap())
    }

    pub async fn get(&self, nsid: &str, token: &str, q: &[(&str, &str)]) -> (StatusCode, Value) {
        let res = self
            .http
            .get(format!("{}/xrpc/{nsid}", self.base))
            .bearer_auth(token)
            .query(q)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap())
    }

    /// An active webhook of the owner's for `events` at `url`, with extra settings.
    pub async fn webhook(&self, url: &str, events: &[&str], extra: Value) -> String {
        let mut body = json!({"url": url, "events": events, "active": true});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, out) = self
            .post("place.stream.server.createWebhook", &self.token, &body)
            .await;
        assert_eq!(status, 200, "{out}");
        out["webhook"]["id"].as_str().unwrap().to_string()
    }

    /// Pushes a chat message to the owner's webhooks; returns the push output.
    pub async fn push_chat(&self, text: &str) -> Value {
        let (status, out) = self
            .post(
                "dev.placehook.pushEvent",
                &self.producer,
                &self.chat(text, None),
            )
            .await;
        assert_eq!(status, 200, "{out}");
        out
    }

    /// A `testWebhook` send of `kind` to the owner's webhook `id`; the queued delivery.
    pub async fn test_send(&self, id: &str, kind: &str) -> Value {
        let (status, out) = self
            .post(
                "dev.placehook.testWebhook",
                &self.token,
                &json!({"id": id, "type": kind}),
            )
            .await;
        assert_eq!(status, 200, "{kind}: {out}");
        out["delivery"].clone()
    }

    /// A pushEvent input for a chat message to the owner.
    pub fn chat(&self, text: &str, key: Option<&str>) -> Value {
        let mut v = json!({
            "type": "chat",
            "subject": self.owner,
            "author": "did:plc:senderssendersenderssend",
            "record": {
                "$type": "place.stream.chat.message",
                "text": text,
                "streamer": self.owner,
                "createdAt": "2026-12-01T00:00:00.000Z"
            }
        });
        if let Some(k) = key {
            v["idempotencyKey"] = json!(k);
        }
        v
    }

    /// The webhook as its owner sees it.
    pub async fn get_webhook(&self, id: &str) -> Value {
        let (status, out) = self
            .get("place.stream.server.getWebhook", &self.token, &[("id", id)])
            .await;
        assert_eq!(status, 200, "{out}");
        out["webhook"].clone()
    }

    /// The webhook's deliveries, newest first.
    pub async fn deliveries(&self, id: &str) -> Vec<Value> {
        let (status, out) = self
            .get("dev.placehook.listDeliveries", &self.token, &[("id", id)])
            .await;
        assert_eq!(status, 200, "{out}");
        out["deliveries"].as_array().unwrap().clone()
    }

    /// Waits until the newest delivery has made `n` attempts and is no longer in flight.
    pub async fn settled(&self, id: &str, n: i64) -> Value {
        for _ in 0..300 {
            let ds = self.deliveries(id).await;
            if let Some(d) = ds.first() {
                let done = n > 0 || !matches!(d["status"].as_str(), Some("pending" | "inflight"));
                if done
                    && d["attemptCount"] == n
                    && d["status"] != "inflight"
                    && d["attempts"].as_array().unwrap().len() as i64 == n
                {
                    return d.clone();
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "delivery of {id} never settled at {n} attempts: {:?}",
            self.deliveries(id).await
        );
    }

    /// Moves the clock and lets the dispatcher look for due work.
    pub async fn advance(&self, by: Duration) {
        self.clock.advance(by);
        self.state.dispatcher.wake();
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap().unwrap();
        }
    }
}
