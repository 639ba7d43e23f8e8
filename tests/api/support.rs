//! Test support: spawn the real server, call it, mint tokens.

#![allow(dead_code)]

use placehook::config::ServeConfig;
use placehook::store::{Store, StoreOptions};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::net::SocketAddr;
use tokio::sync::oneshot;

/// A running server with its own database.
pub struct App {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    /// Listening address.
    pub addr: SocketAddr,
    /// The database (also usable directly, e.g. to mint tokens).
    pub store: Store,
    /// HTTP client.
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
}

/// Start a server with default settings (private targets allowed, so tests can use
/// loopback URLs).
pub async fn spawn_app() -> App {
    spawn_app_with(|c| c.allow_private_targets = true).await
}

/// Start a server after adjusting its settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut ServeConfig)) -> App {
    spawn_app_on(|c, _| adjust(c)).await
}

/// Start a server after adjusting its settings, knowing the address it will listen on.
pub async fn spawn_app_on(adjust: impl FnOnce(&mut ServeConfig, SocketAddr)) -> App {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("placehook.sqlite");
    let mut config = ServeConfig::for_database(db.to_str().unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    adjust(&mut config, addr);
    // Open (and migrate) the database before the server does: two migrators racing on a
    // fresh file would trip over each other.
    let store = Store::open(&config.database, StoreOptions::default())
        .await
        .unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(placehook::server::run(config.clone(), listener, async {
        let _ = stopped.await;
    }));
    let app = App {
        base: format!("http://{addr}"),
        addr,
        store,
        http: reqwest::Client::new(),
        stop: Some(stop),
        task: Some(task),
        _dir: dir,
    };
    // Wait until it answers.
    for _ in 0..500 {
        if app.task.as_ref().is_some_and(|t| t.is_finished()) {
            let mut app = app;
            let res = app.task.take().unwrap().await;
            panic!("server stopped at start: {res:?}");
        }
        if app
            .http
            .get(format!("{}/xrpc/_health", app.base))
            .send()
            .await
            .is_ok()
        {
            return app;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("server did not start");
}

impl App {
    /// An API token acting for `did`.
    pub async fn token(&self, did: &str) -> String {
        self.store.create_token(did, false, None).await.unwrap().1
    }

    /// A fresh account DID and its token.
    pub async fn account(&self, name: &str) -> (String, String) {
        let did = format!("did:web:{name}.example");
        let token = self.token(&did).await;
        (did, token)
    }

    /// `POST /xrpc/<nsid>` with a JSON body.
    pub async fn post(&self, nsid: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(format!("{}/xrpc/{nsid}", self.base))
            .json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.unwrap()).await
    }

    /// `GET /xrpc/<nsid>?<query>`.
    pub async fn get(
        &self,
        nsid: &str,
        token: Option<&str>,
        query: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .get(format!("{}/xrpc/{nsid}", self.base))
            .query(query);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.unwrap()).await
    }

    /// Any request, for hostile-input tests.
    pub fn raw(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    /// Create a webhook; panics unless it succeeds.
    pub async fn create(&self, token: &str, body: Value) -> Value {
        let (status, out) = self
            .post("place.stream.server.createWebhook", Some(token), &body)
            .await;
        assert_eq!(status, StatusCode::OK, "{out}");
        out["webhook"].clone()
    }

    /// Stop the server and wait for it to finish.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap().unwrap();
        }
    }
}

/// Status and JSON body (XRPC errors are always JSON; a non-JSON body is a test failure).
pub async fn read(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("non-JSON body for {status}: {text:?}"));
    (status, body)
}

/// Assert an XRPC error with this status and name.
pub fn assert_xrpc_error(got: &(StatusCode, Value), status: u16, name: &str) {
    assert_eq!(got.0.as_u16(), status, "{}", got.1);
    assert_eq!(got.1["error"], name, "{}", got.1);
    assert!(got.1["message"].is_string(), "{}", got.1);
}
