//! The far side of the network on one loopback server, in the real wire formats: a PLC
//! directory (`GET /<did>`), an AppView (`app.bsky.actor.getProfile`) and a PDS
//! (`com.atproto.repo.getRecord` for chat profiles).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use placehook::auth::testing::{did_document, Alg, SigningKey};
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// One account as the network knows it.
#[derive(Clone, Debug)]
pub struct Account {
    pub did: String,
    pub handle: String,
    pub avatar: Option<String>,
    /// `place.stream.chat.profile` colour.
    pub color: Option<(u8, u8, u8)>,
}

#[derive(Default)]
struct Inner {
    accounts: HashMap<String, Account>,
    /// Signing keys set by a test; other accounts get a new random key on each look-up.
    keys: HashMap<String, SigningKey>,
    base: String,
}

type Shared = Arc<Mutex<Inner>>;

pub struct FakeNetwork {
    pub addr: SocketAddr,
    inner: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeNetwork {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeNetwork {
    pub async fn start(accounts: &[Account]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let inner: Shared = Arc::new(Mutex::new(Inner {
            accounts: accounts
                .iter()
                .map(|a| (a.did.clone(), a.clone()))
                .collect(),
            base: format!("http://{addr}"),
            ..Inner::default()
        }));
        let app = Router::new()
            .route("/xrpc/app.bsky.actor.getProfile", get(profile))
            .route("/xrpc/com.atproto.repo.getRecord", get(record))
            .route("/{did}", get(plc))
            .with_state(inner.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeNetwork { addr, inner, task }
    }

    /// The URL of this server (PLC directory, AppView and PDS alike).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Gives an account a fixed `#atproto` key (as its repo signs with).
    #[allow(dead_code)]
    pub fn set_key(&self, did: &str, key: SigningKey) {
        self.inner.lock().unwrap().keys.insert(did.to_string(), key);
    }

    /// Changes an account's handle (as after an identity event).
    pub fn set_handle(&self, did: &str, handle: &str) {
        if let Some(a) = self.inner.lock().unwrap().accounts.get_mut(did) {
            a.handle = handle.to_string();
        }
    }
}

async fn plc(State(s): State<Shared>, Path(did): Path<String>) -> Response {
    let s = s.lock().unwrap();
    match s.accounts.get(&did) {
        Some(a) => {
            let key = s
                .keys
                .get(&did)
                .cloned()
                .unwrap_or_else(|| SigningKey::generate(Alg::Es256k));
            Json(did_document(&a.did, &key.public_key(), &a.handle, &s.base)).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"message": "DID not registered"})),
        )
            .into_response(),
    }
}

async fn profile(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let s = s.lock().unwrap();
    let Some(a) = q.get("actor").and_then(|d| s.accounts.get(d)) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "InvalidRequest", "message": "Profile not found"})),
        )
            .into_response();
    };
    let mut v = json!({"did": a.did, "handle": a.handle});
    if let Some(av) = &a.avatar {
        v["avatar"] = json!(av);
    }
    Json(v).into_response()
}

async fn record(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let s = s.lock().unwrap();
    let found = q.get("repo").and_then(|d| s.accounts.get(d)).filter(|_| {
        q.get("collection").map(String::as_str) == Some("place.stream.chat.profile")
            && q.get("rkey").map(String::as_str) == Some("self")
    });
    match found.and_then(|a| a.color.map(|c| (a, c))) {
        Some((a, (r, g, b))) => Json(json!({
            "uri": format!("at://{}/place.stream.chat.profile/self", a.did),
            "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            "value": {"$type": "place.stream.chat.profile", "color": {"red": r, "green": g, "blue": b}}
        }))
        .into_response(),
        None => (StatusCode::BAD_REQUEST, Json(json!({"error": "RecordNotFound", "message": "Could not locate record"}))).into_response(),
    }
}
