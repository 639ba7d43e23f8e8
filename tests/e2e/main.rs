//! End to end: a fake Jetstream replays a fixture stream (mostly unrelated events, some
//! matching, a delete, an update, an invalid record, an identity change), a fake PLC
//! directory / AppView / PDS answer look-ups, and a Discord-like receiver gets exactly
//! the payloads Streamplace would send, once each, across reconnects and restarts. The
//! repo firehose's tests (`firehose_flow.rs`) use the same network and receiver with a
//! fake `subscribeRepos` host (`firehose.rs`).

mod firehose;
mod firehose_flow;
mod jetstream;
mod network;
#[path = "../delivery/receiver.rs"]
#[allow(dead_code)]
mod receiver;

use jetstream::{FakeJetstream, Plan};
use network::{Account, FakeNetwork};
use placehook::config::ServeConfig;
use placehook::store::{Store, StoreOptions};
use receiver::Receiver;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

const ALICE: &str = "did:plc:alicealicealicealicealic";
const BOB: &str = "did:plc:bobbobbobbobbobbobbobbob";
const CAROL: &str = "did:plc:carolcarolcarolcarolcaro";
const DAVE: &str = "did:plc:davedavedavedavedavedave";
const THUMB: &str = "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy";

fn frames() -> Vec<String> {
    include_str!("../fixtures/jetstream/stream.jsonl")
        .lines()
        .map(str::to_string)
        .collect()
}

fn accounts() -> Vec<Account> {
    let a = |did: &str, handle: &str, avatar: Option<&str>, color| Account {
        did: did.into(),
        handle: handle.into(),
        avatar: avatar.map(String::from),
        color,
    };
    vec![
        a(
            ALICE,
            "alice.test",
            Some("https://cdn.example/alice.jpg"),
            Some((255, 0, 128)),
        ),
        a(BOB, "bob.test", Some("https://cdn.example/bob.jpg"), None),
        a(
            CAROL,
            "carol.test",
            Some("https://cdn.example/carol.jpg"),
            None,
        ),
        a(DAVE, "dave.test", None, None),
    ]
}

/// What each receiver path must get, in order.
fn expected(net: &str) -> HashMap<&'static str, Vec<Value>> {
    let thumb = format!(
        "{net}/xrpc/com.atproto.sync.getBlob?cid={THUMB}&did={}",
        ALICE.replace(':', "%3A")
    );
    HashMap::from([
        (
            "/chat",
            vec![
                json!({"username": "@bob.test", "avatar_url": "https://cdn.example/bob.jpg",
                       "content": "[S] hi @\u{200B}everyone, first here!"}),
                json!({"username": "@bobby.test", "avatar_url": "https://cdn.example/bob.jpg",
                       "content": "[S] second message!"}),
            ],
        ),
        (
            "/live",
            vec![
                json!({"username": "@alice.test", "avatar_url": "https://cdn.example/alice.jpg",
                "content": "🔴 LIVE Speedrun night @everyone",
                "embeds": [{"title": "@alice.test is LIVE on stream.place!",
                            "url": "https://stream.place/alice.test",
                            "color": 0xff0080, "image": {"url": thumb}}]}),
            ],
        ),
        (
            "/follow",
            vec![
                json!({"username": "@carol.test", "avatar_url": "https://cdn.example/carol.jpg",
                        "content": "@carol.test followed you"}),
            ],
        ),
        (
            "/mention",
            vec![
                json!({"username": "@dave.test", "content": "@dave.test mentioned you: hey @alice.test look at this"}),
            ],
        ),
    ])
}

struct Server {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    base: String,
}

async fn serve(db: &str, net: &FakeNetwork, js: &FakeJetstream) -> Server {
    serve_with(db, net, |c| {
        c.jetstream_urls = vec![js.url().parse().unwrap()]
    })
    .await
}

/// The server on `db` against the fake network, with `sources` setting its event sources.
async fn serve_with(db: &str, net: &FakeNetwork, sources: impl FnOnce(&mut ServeConfig)) -> Server {
    let mut config = ServeConfig::for_database(db);
    config.allow_private_targets = true;
    config.plc_url = net.url().parse().unwrap();
    config.appview_url = net.url().parse().unwrap();
    sources(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(placehook::server::run(config, listener, async {
        let _ = stopped.await;
    }));
    Server { stop, task, base }
}

async fn setup(rx: &Receiver, db: &str) {
    let store = Store::open(db, StoreOptions::default()).await.unwrap();
    for (path, events, extra) in [
        (
            "/chat",
            json!(["chat"]),
            json!({"prefix": "[S] ", "suffix": "!", "rewrite": [{"from": "hello", "to": "hi"}]}),
        ),
        (
            "/live",
            json!(["livestream"]),
            json!({"suffix": " @everyone"}),
        ),
        ("/follow", json!(["follow"]), json!({})),
        ("/mention", json!(["mention"]), json!({})),
    ] {
        let mut body = json!({"url": rx.url(path), "events": events, "active": true});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let input = serde_json::from_value(body).unwrap();
        store
            .create_webhook(
                ALICE,
                &placehook::api::wire::settings(&input),
                &rx.url(path),
                50,
            )
            .await
            .unwrap();
    }
    store.close().await;
}

/// Collects deliveries per path until `n` arrived, then checks nothing more comes.
async fn collect(rx: &Receiver, n: usize, got: &mut HashMap<String, Vec<Value>>) {
    let mut count: usize = got.values().map(Vec::len).sum();
    while count < n {
        let r = rx
            .next(Duration::from_secs(20))
            .await
            .unwrap_or_else(|| panic!("only {count} of {n} deliveries: {got:?}"));
        got.entry(r.path.clone()).or_default().push(r.json());
        count += 1;
    }
}

async fn assert_exactly(rx: &Receiver, mut got: HashMap<String, Vec<Value>>, net: &FakeNetwork) {
    if let Some(extra) = rx.next(Duration::from_millis(800)).await {
        panic!("a delivery too many: {} {}", extra.path, extra.json());
    }
    for (path, want) in expected(&net.url()) {
        assert_eq!(got.remove(path).unwrap_or_default(), want, "{path}");
    }
    assert!(got.is_empty(), "{got:?}");
}

fn rename_bob_on_identity(net: &Arc<FakeNetwork>) -> Option<jetstream::BeforeSend> {
    let net = net.clone();
    Some(Arc::new(move |frame: &Value| {
        if frame["kind"] == "identity" {
            net.set_handle(BOB, "bobby.test");
        }
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_becomes_exact_discord_payloads_across_a_reconnect() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir
        .path()
        .join("placehook.sqlite")
        .to_str()
        .unwrap()
        .to_string();
    let net = Arc::new(FakeNetwork::start(&accounts()).await);
    let rx = Receiver::start().await;
    setup(&rx, &db).await;
    let plan = Plan {
        drop_after: vec![100],
        pace: Duration::from_millis(2),
        before_send: rename_bob_on_identity(&net),
    };
    let js = FakeJetstream::start(frames(), plan).await;
    let server = serve(&db, &net, &js).await;
    let mut got = HashMap::new();
    collect(&rx, 5, &mut got).await;
    assert_exactly(&rx, got, &net).await;

    let conns = js.connections.lock().unwrap().clone();
    assert!(conns.len() >= 2, "reconnected: {conns:?}");
    assert!(
        conns[0].contains("wantedCollections=place.stream.chat.message"),
        "{}",
        conns[0]
    );
    assert!(!conns[0].contains("cursor="), "first start is live");
    assert!(
        conns[1].contains("cursor="),
        "resumed from its cursor: {}",
        conns[1]
    );
    let metrics = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The invalid record is skipped and counted (again when the reconnect replays it).
    let invalid: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("placehook_jetstream_invalid_records_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    assert!(invalid >= 1, "{metrics}");
    let _ = server.stop.send(());
    server.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_stream_neither_loses_nor_repeats_a_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir
        .path()
        .join("placehook.sqlite")
        .to_str()
        .unwrap()
        .to_string();
    let net = Arc::new(FakeNetwork::start(&accounts()).await);
    let rx = Receiver::start().await;
    setup(&rx, &db).await;
    let plan = Plan {
        drop_after: vec![],
        pace: Duration::from_millis(4),
        before_send: rename_bob_on_identity(&net),
    };
    let js = FakeJetstream::start(frames(), plan).await;
    let first = serve(&db, &net, &js).await;
    let mut got = HashMap::new();
    collect(&rx, 1, &mut got).await; // the first chat message
    let _ = first.stop.send(());
    first.task.await.unwrap().unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = serve(&db, &net, &js).await;
    collect(&rx, 5, &mut got).await;
    assert_exactly(&rx, got, &net).await;
    let conns = js.connections.lock().unwrap().clone();
    assert!(conns.last().unwrap().contains("cursor="), "{conns:?}");
    let _ = second.stop.send(());
    second.task.await.unwrap().unwrap();
}
