//! `IdentityResolver` against real HTTP on loopback: one fake server plays the PLC
//! directory (`GET /<did>`), the AppView (`app.bsky.actor.getProfile`) and the PDS
//! (`com.atproto.repo.getRecord`), counting requests and optionally answering late.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use placehook::auth::testing::{did_document, Alg, SigningKey};
use placehook::did::{DidResolver, DidResolverConfig};
use placehook::identity::{IdentityConfig, IdentityResolver};
use placehook::profile::{Profile, ProfileResolver};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CHAT_PROFILE: &str = "place.stream.chat.profile";

/// Which of the fake's three services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Svc {
    Plc,
    AppView,
    Pds,
}

#[derive(Default)]
struct Fake {
    /// PLC: DID documents.
    docs: Mutex<HashMap<String, Value>>,
    /// AppView: accounts with a profile, and their avatar if any.
    profiles: Mutex<HashMap<String, Option<String>>>,
    /// PDS: `place.stream.chat.profile/self` record values.
    records: Mutex<HashMap<String, Value>>,
    hits: Mutex<HashMap<Svc, usize>>,
    delays: Mutex<HashMap<Svc, Duration>>,
    user_agents: Mutex<Vec<String>>,
}

impl Fake {
    async fn arrive(&self, svc: Svc, headers: &HeaderMap) {
        *self.hits.lock().unwrap().entry(svc).or_default() += 1;
        let ua = headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        self.user_agents.lock().unwrap().push(ua.to_string());
        let delay = self.delays.lock().unwrap().get(&svc).copied();
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
    }
}

type Shared = Arc<Fake>;

/// The running fake.
struct Server {
    url: String,
    fake: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

static SERIAL: AtomicUsize = AtomicUsize::new(0);

/// A fresh, valid did:plc.
fn new_did() -> String {
    const B32: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let n = SERIAL.fetch_add(1, Ordering::Relaxed);
    let mut id: String = (0..20)
        .map(|_| B32[rand::random::<usize>() % 32] as char)
        .collect();
    for shift in [15, 10, 5, 0] {
        id.push(B32[(n >> shift) & 31] as char);
    }
    format!("did:plc:{id}")
}

impl Server {
    async fn start() -> Self {
        let fake: Shared = Arc::default();
        let app = Router::new()
            .route("/xrpc/app.bsky.actor.getProfile", get(appview_profile))
            .route("/xrpc/com.atproto.repo.getRecord", get(pds_record))
            .route("/{did}", get(plc_doc))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server { url, fake, task }
    }

    /// A new account: DID document (PDS = this server), AppView profile, and a chat
    /// profile record with `color` (none when `None`).
    fn account(&self, handle: &str, avatar: Option<&str>, color: Option<Value>) -> String {
        let did = new_did();
        self.set_handle(&did, handle);
        self.fake
            .profiles
            .lock()
            .unwrap()
            .insert(did.clone(), avatar.map(str::to_string));
        if let Some(color) = color {
            let record = json!({"$type": CHAT_PROFILE, "color": color});
            self.fake
                .records
                .lock()
                .unwrap()
                .insert(did.clone(), record);
        }
        did
    }

    /// Publish (or replace) `did`'s DID document with `handle`.
    fn set_handle(&self, did: &str, handle: &str) {
        let key = SigningKey::generate(Alg::Es256k);
        let doc = did_document(did, &key.public_key(), handle, &self.url);
        self.fake.docs.lock().unwrap().insert(did.to_string(), doc);
    }

    fn delay(&self, svc: Svc, by: Duration) {
        self.fake.delays.lock().unwrap().insert(svc, by);
    }

    fn no_delays(&self) {
        self.fake.delays.lock().unwrap().clear();
    }

    fn hits(&self, svc: Svc) -> usize {
        self.fake
            .hits
            .lock()
            .unwrap()
            .get(&svc)
            .copied()
            .unwrap_or(0)
    }

    /// Requests so far to (PLC, AppView, PDS).
    fn all_hits(&self) -> (usize, usize, usize) {
        (
            self.hits(Svc::Plc),
            self.hits(Svc::AppView),
            self.hits(Svc::Pds),
        )
    }

    /// An `IdentityResolver` using this server for everything, with a 500 ms timeout.
    fn resolver(&self, tweak: impl FnOnce(&mut IdentityConfig)) -> IdentityResolver {
        let dids = DidResolver::new(DidResolverConfig {
            plc_url: self.url.parse().unwrap(),
            ..Default::default()
        })
        .unwrap();
        let mut config = IdentityConfig {
            appview_url: self.url.parse().unwrap(),
            timeout: Duration::from_millis(500),
            ..Default::default()
        };
        tweak(&mut config);
        IdentityResolver::new(Arc::new(dids), config).unwrap()
    }
}

async fn plc_doc(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Path(did): Path<String>,
) -> Response {
    fake.arrive(Svc::Plc, &headers).await;
    match fake.docs.lock().unwrap().get(&did) {
        Some(doc) => Json(doc.clone()).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"message": "DID not registered"})),
        )
            .into_response(),
    }
}

fn xrpc_error(error: &str, message: &str) -> Response {
    let body = json!({"error": error, "message": message});
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

async fn appview_profile(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    fake.arrive(Svc::AppView, &headers).await;
    let actor = q.get("actor").cloned().unwrap_or_default();
    let Some(avatar) = fake.profiles.lock().unwrap().get(&actor).cloned() else {
        return xrpc_error("InvalidRequest", "Profile not found");
    };
    let mut body = json!({"did": actor, "handle": "whatever.appview.says"});
    if let Some(avatar) = avatar {
        body["avatar"] = json!(avatar);
    }
    Json(body).into_response()
}

async fn pds_record(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    fake.arrive(Svc::Pds, &headers).await;
    let param = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    if param("collection") != CHAT_PROFILE || param("rkey") != "self" {
        return xrpc_error("InvalidRequest", "unexpected collection or rkey");
    }
    let repo = param("repo");
    match fake.records.lock().unwrap().get(repo) {
        Some(value) => Json(json!({
            "uri": format!("at://{repo}/{CHAT_PROFILE}/self"),
            "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            "value": value,
        }))
        .into_response(),
        None => xrpc_error("RecordNotFound", "Could not locate record"),
    }
}

fn rgb(red: u8, green: u8, blue: u8) -> Option<Value> {
    Some(json!({"red": red, "green": green, "blue": blue}))
}

const AVATAR: &str = "https://cdn.bsky.app/img/avatar/plain/did:plc:x/bafkreiabc@jpeg";

#[tokio::test]
async fn resolves_handle_pds_avatar_and_colour() {
    let server = Server::start().await;
    let did = server.account("Alice.Test", Some(AVATAR), rgb(0x12, 0xab, 0xef));
    let resolver = server.resolver(|_| {});
    let profile = resolver.resolve(&did).await;
    assert_eq!(
        profile,
        Profile {
            did: did.clone(),
            handle: Some("alice.test".into()),
            avatar: Some(AVATAR.into()),
            color: Some(0x12abef),
            pds: Some(server.url.clone()),
        }
    );
    assert_eq!(server.all_hits(), (1, 1, 1));
    let uas = server.fake.user_agents.lock().unwrap().clone();
    assert_eq!(uas.len(), 3);
    for ua in uas {
        assert_eq!(ua, format!("placehook/{}", env!("CARGO_PKG_VERSION")));
    }
}

#[tokio::test]
async fn a_cached_profile_needs_no_requests() {
    let server = Server::start().await;
    let did = server.account("bob.test", Some(AVATAR), rgb(1, 2, 3));
    let resolver = server.resolver(|_| {});
    let first = resolver.resolve(&did).await;
    let hits = server.all_hits();
    assert_eq!(hits, (1, 1, 1));
    for _ in 0..5 {
        assert_eq!(resolver.resolve(&did).await, first);
    }
    assert_eq!(server.all_hits(), hits, "served from the cache");
    // Clones share the cache.
    assert_eq!(resolver.clone().resolve(&did).await, first);
    assert_eq!(server.all_hits(), hits);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_resolves_of_one_did_share_one_lookup() {
    let server = Server::start().await;
    let did = server.account("carol.test", Some(AVATAR), rgb(9, 9, 9));
    // Slow enough that all callers arrive while the look-up is in progress.
    for svc in [Svc::Plc, Svc::AppView, Svc::Pds] {
        server.delay(svc, Duration::from_millis(100));
    }
    let resolver = server.resolver(|_| {});
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (resolver, did) = (resolver.clone(), did.clone());
            tokio::spawn(async move { resolver.resolve(&did).await })
        })
        .collect();
    let mut profiles = Vec::new();
    for task in tasks {
        profiles.push(task.await.unwrap());
    }
    assert_eq!(server.all_hits(), (1, 1, 1));
    assert_eq!(profiles[0].handle.as_deref(), Some("carol.test"));
    assert_eq!(profiles[0].avatar.as_deref(), Some(AVATAR));
    assert_eq!(profiles[0].color, Some(0x090909));
    assert!(profiles.iter().all(|p| *p == profiles[0]));
}

#[tokio::test]
async fn a_slow_appview_only_costs_the_avatar() {
    let server = Server::start().await;
    let did = server.account("dave.test", Some(AVATAR), rgb(255, 0, 0));
    server.delay(Svc::AppView, Duration::from_secs(5));
    let timeout = Duration::from_millis(300);
    let resolver = server.resolver(|c| {
        c.timeout = timeout;
        c.negative_ttl = Duration::from_millis(500);
    });
    let started = Instant::now();
    let profile = resolver.resolve(&did).await;
    let took = started.elapsed();
    assert!(took >= timeout, "{took:?}");
    assert!(took < timeout + Duration::from_millis(700), "{took:?}");
    assert_eq!(profile.handle.as_deref(), Some("dave.test"));
    assert_eq!(profile.color, Some(0xff0000));
    assert_eq!(profile.pds.as_deref(), Some(server.url.as_str()));
    assert_eq!(profile.avatar, None);

    // Kept only for the negative TTL, then the avatar is tried again.
    assert_eq!(resolver.resolve(&did).await, profile);
    assert_eq!(server.hits(Svc::AppView), 1);
    server.no_delays();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let again = resolver.resolve(&did).await;
    assert_eq!(again.avatar.as_deref(), Some(AVATAR));
    assert_eq!(server.hits(Svc::AppView), 2);
}

#[tokio::test]
async fn a_slow_pds_only_costs_the_colour() {
    let server = Server::start().await;
    let did = server.account("erin.test", Some(AVATAR), rgb(0, 255, 0));
    server.delay(Svc::Pds, Duration::from_secs(5));
    let timeout = Duration::from_millis(300);
    let resolver = server.resolver(|c| c.timeout = timeout);
    let started = Instant::now();
    let profile = resolver.resolve(&did).await;
    let took = started.elapsed();
    assert!(took < timeout + Duration::from_millis(700), "{took:?}");
    assert_eq!(profile.handle.as_deref(), Some("erin.test"));
    assert_eq!(profile.avatar.as_deref(), Some(AVATAR));
    assert_eq!(profile.color, None);
}

#[tokio::test]
async fn no_chat_profile_record_means_no_colour() {
    let server = Server::start().await;
    let did = server.account("frank.test", Some(AVATAR), None);
    let resolver = server.resolver(|c| c.negative_ttl = Duration::from_millis(100));
    let profile = resolver.resolve(&did).await;
    assert_eq!(profile.handle.as_deref(), Some("frank.test"));
    assert_eq!(profile.avatar.as_deref(), Some(AVATAR));
    assert_eq!(profile.color, None);
    // "No record" is an answer, not a failure: kept for the full TTL.
    tokio::time::sleep(Duration::from_millis(200)).await;
    resolver.resolve(&did).await;
    assert_eq!(server.all_hits(), (1, 1, 1));
}

#[tokio::test]
async fn an_invalid_chat_profile_record_is_ignored() {
    let server = Server::start().await;
    let did = server.account(
        "gina.test",
        None,
        Some(json!({"red": 300, "green": 0, "blue": 0})),
    );
    let profile = server.resolver(|_| {}).resolve(&did).await;
    assert_eq!(server.hits(Svc::Pds), 1);
    assert_eq!(profile.color, None);
    assert_eq!(profile.avatar, None, "this account has no avatar");
    assert_eq!(profile.handle.as_deref(), Some("gina.test"));
}

#[tokio::test]
async fn an_unknown_did_falls_back_to_the_did_and_is_negatively_cached() {
    let server = Server::start().await;
    let did = new_did(); // not published: PLC answers 404
    let resolver = server.resolver(|c| c.negative_ttl = Duration::from_millis(300));
    let profile = resolver.resolve(&did).await;
    assert_eq!(profile, Profile::did_only(&did));
    assert_eq!(profile.display_handle(), did);
    assert_eq!(server.hits(Svc::Plc), 1);
    assert_eq!(server.hits(Svc::Pds), 0, "no PDS to ask");

    for _ in 0..3 {
        assert_eq!(resolver.resolve(&did).await, profile);
    }
    assert_eq!(server.hits(Svc::Plc), 1, "negatively cached");

    tokio::time::sleep(Duration::from_millis(400)).await;
    resolver.resolve(&did).await;
    assert_eq!(server.hits(Svc::Plc), 2, "retried after the negative TTL");
}

#[tokio::test]
async fn invalidate_forces_a_refetch() {
    let server = Server::start().await;
    let did = server.account("old-name.test", Some(AVATAR), rgb(1, 1, 1));
    let resolver = server.resolver(|_| {});
    assert_eq!(
        resolver.resolve(&did).await.handle.as_deref(),
        Some("old-name.test")
    );
    server.set_handle(&did, "new-name.test");
    assert_eq!(
        resolver.resolve(&did).await.handle.as_deref(),
        Some("old-name.test"),
        "still cached"
    );
    resolver.invalidate(&did);
    let profile = resolver.resolve(&did).await;
    assert_eq!(profile.handle.as_deref(), Some("new-name.test"));
    assert_eq!(profile.color, Some(0x010101));
    // The DID document was fetched again too, not served from the DID resolver's cache.
    assert_eq!(server.all_hits(), (2, 2, 2));
}

#[tokio::test]
async fn the_cache_is_bounded() {
    let server = Server::start().await;
    let dids: Vec<String> = (0..3)
        .map(|i| server.account(&format!("u{i}.test"), None, None))
        .collect();
    let resolver = server.resolver(|c| c.max_entries = 2);
    for did in &dids {
        resolver.resolve(did).await;
    }
    assert_eq!(server.hits(Svc::AppView), 3);
    // The two newest are cached; the oldest was evicted and is looked up again.
    resolver.resolve(&dids[2]).await;
    resolver.resolve(&dids[1]).await;
    assert_eq!(server.hits(Svc::AppView), 3);
    resolver.resolve(&dids[0]).await;
    assert_eq!(server.hits(Svc::AppView), 4);
}

#[tokio::test]
async fn a_malformed_did_is_not_looked_up() {
    let server = Server::start().await;
    let resolver = server.resolver(|_| {});
    for did in [
        "",
        "alice.test",
        "did:PLC:abc",
        "did:web:exa mple.com",
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
    ] {
        assert_eq!(
            resolver.resolve(did).await,
            Profile::did_only(did),
            "{did:?}"
        );
    }
    assert_eq!(server.all_hits(), (0, 0, 0));
}

#[tokio::test]
async fn usable_as_the_dispatchers_trait_object() {
    let server = Server::start().await;
    let did = server.account("hal.test", None, rgb(0xf8, 0xba, 0xca));
    let resolver: Arc<dyn ProfileResolver> = Arc::new(server.resolver(|_| {}));
    let profile = resolver.resolve(&did).await;
    assert_eq!(profile.display_handle(), "hal.test");
    assert_eq!(profile.color, Some(16300746));
}
