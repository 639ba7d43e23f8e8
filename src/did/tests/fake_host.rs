//! A fake PLC directory / did:web host on 127.0.0.1 (axum), and accounts with real keys
//! published on it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use rand::Rng as _;
use serde_json::Value;

use crate::auth::testing::{self, Alg, SigningKey};
use crate::did::{DidResolver, DidResolverConfig};

#[derive(Default)]
struct State {
    routes: HashMap<String, (StatusCode, String)>,
    hits: HashMap<String, usize>,
    delay: Duration,
}

/// An HTTP server answering configured paths; stops when dropped.
pub struct FakeHost {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(state: Arc<Mutex<State>>, uri: Uri) -> axum::response::Response {
    let path = uri.path().replace("%3A", ":");
    let (delay, route) = {
        let mut s = state.lock().unwrap();
        *s.hits.entry(path.clone()).or_default() += 1;
        (s.delay, s.routes.get(&path).cloned())
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match route {
        Some((status, body)) => (status, body).into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

impl FakeHost {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let s = state.clone();
        let app = axum::Router::new().fallback(move |uri: Uri| answer(s.clone(), uri));
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, state, task }
    }

    pub fn plc_url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}", self.addr)).unwrap()
    }

    /// The did:web DID this host serves at `/.well-known/did.json`.
    pub fn web_did(&self) -> String {
        format!("did:web:127.0.0.1%3A{}", self.addr.port())
    }

    pub fn set_raw(&self, path: &str, status: StatusCode, body: &str) {
        let mut s = self.state.lock().unwrap();
        s.routes
            .insert(path.to_string(), (status, body.to_string()));
    }

    /// Serve `doc` as the document of `did` (PLC path, or did:web path).
    pub fn set_doc(&self, did: &str, doc: &Value) {
        self.set_raw(&doc_path(did), StatusCode::OK, &doc.to_string());
    }

    pub fn hits(&self, did: &str) -> usize {
        let s = self.state.lock().unwrap();
        s.hits.get(&doc_path(did)).copied().unwrap_or(0)
    }

    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    pub fn resolver_config(&self) -> DidResolverConfig {
        DidResolverConfig {
            plc_url: self.plc_url(),
            timeout: Duration::from_secs(5),
            allow_insecure_did_web_loopback: true,
            ..DidResolverConfig::default()
        }
    }

    pub fn resolver(&self) -> Arc<DidResolver> {
        Arc::new(DidResolver::new(self.resolver_config()).unwrap())
    }

    /// Create a did:plc account with a fresh `alg` key, published here.
    pub fn account(&self, alg: Alg) -> Account {
        let account = Account {
            did: random_plc_did(),
            key: SigningKey::generate(alg),
        };
        self.publish(&account);
        account
    }

    /// (Re)publish `account`'s document with its current key.
    pub fn publish(&self, account: &Account) {
        self.set_doc(&account.did, &account.document());
    }
}

fn doc_path(did: &str) -> String {
    if did.starts_with("did:web:") {
        "/.well-known/did.json".to_string()
    } else {
        format!("/{did}")
    }
}

/// An identity with its private key (the auth tests add token minting).
pub struct Account {
    pub did: String,
    pub key: SigningKey,
}

impl Account {
    pub fn document(&self) -> Value {
        testing::did_document(
            &self.did,
            &self.key.public_key(),
            "alice.test",
            "https://pds.example.com",
        )
    }
}

pub fn random_plc_did() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut rng = rand::thread_rng();
    let id: String = (0..24)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("did:plc:{id}")
}
