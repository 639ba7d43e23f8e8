//! A fake PLC directory and did:web host on loopback, serving real DID documents.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use placehook::auth::testing::{did_document, Alg, SigningKey};
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

type Docs = Arc<Mutex<HashMap<String, Value>>>;

/// Serves `GET /<did>` (PLC) and `GET /.well-known/did.json` (did:web for this host).
pub struct FakeDidHost {
    /// Where it listens.
    pub addr: SocketAddr,
    docs: Docs,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeDidHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeDidHost {
    /// Start on a free loopback port.
    pub async fn start() -> Self {
        let docs: Docs = Arc::default();
        let app = Router::new()
            .route("/.well-known/did.json", get(web_doc))
            .route("/{did}", get(plc_doc))
            .with_state(docs.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeDidHost { addr, docs, task }
    }

    /// `http://127.0.0.1:<port>`, the `--plc-url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The did:web naming this host.
    pub fn web_did(&self) -> String {
        format!("did:web:127.0.0.1%3A{}", self.addr.port())
    }

    /// Publish (or replace) `did`'s document with `key` as its `#atproto` key.
    pub fn publish(&self, did: &str, key: &SigningKey) {
        let doc = did_document(did, &key.public_key(), "user.test", "https://pds.test");
        self.docs.lock().unwrap().insert(did.to_string(), doc);
    }

    /// A new did:plc account with a fresh key, published here.
    pub fn plc_account(&self, alg: Alg) -> (String, SigningKey) {
        let key = SigningKey::generate(alg);
        const B32: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
        let id: String = (0..24)
            .map(|_| B32[rand::random::<usize>() % 32] as char)
            .collect();
        let did = format!("did:plc:{id}");
        self.publish(&did, &key);
        (did, key)
    }
}

async fn plc_doc(State(docs): State<Docs>, Path(did): Path<String>) -> Response {
    match docs.lock().unwrap().get(&did) {
        Some(doc) => Json(doc.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

async fn web_doc(State(docs): State<Docs>) -> Response {
    let docs = docs.lock().unwrap();
    match docs.iter().find(|(k, _)| k.starts_with("did:web:")) {
        Some((_, doc)) => Json(doc.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
