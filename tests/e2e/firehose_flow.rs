//! The repo firehose end to end: a fake `subscribeRepos` host serves real-format frames
//! (signed commits, CAR slices) among bad ones, the fake PLC directory serves the
//! authors' signing keys, and the Discord-like receiver gets each verified create once,
//! also when Jetstream delivers the same record, and across a restart.

use super::firehose::FakeFirehose;
use super::jetstream::{FakeJetstream, Plan};
use super::network::FakeNetwork;
use super::{accounts, collect, serve_with, setup, Receiver, ALICE, BOB, CAROL};
use placehook::auth::testing::{Alg, SigningKey};
use placehook::firehose::testing::{self, CommitParts, Create, Repo};
use placehook::store::{Store, StoreOptions};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

fn repo(net: &FakeNetwork, did: &str) -> Repo {
    let key = SigningKey::generate(Alg::Es256k);
    net.set_key(did, key.clone());
    Repo {
        did: did.into(),
        key,
    }
}

fn follow(rkey: &str, subject: &str) -> Create {
    Create {
        collection: "app.bsky.graph.follow".into(),
        rkey: rkey.into(),
        record: json!({"$type": "app.bsky.graph.follow", "subject": subject,
                       "createdAt": "2026-01-01T00:00:00.000Z"}),
    }
}

fn chat(rkey: &str, text: &str) -> Create {
    Create {
        collection: "place.stream.chat.message".into(),
        rkey: rkey.into(),
        record: json!({"$type": "place.stream.chat.message", "text": text,
                       "streamer": ALICE, "createdAt": "2026-01-01T00:00:00.000Z"}),
    }
}

fn like(rkey: &str) -> Create {
    Create {
        collection: "app.bsky.feed.like".into(),
        rkey: rkey.into(),
        record: json!({"$type": "app.bsky.feed.like", "createdAt": "2026-01-01T00:00:00.000Z",
            "subject": {"uri": format!("at://{ALICE}/app.bsky.feed.post/3k"),
                        "cid": "bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj4"}}),
    }
}

fn follow_payload() -> Value {
    json!({"username": "@bob.test", "avatar_url": "https://cdn.example/bob.jpg",
           "content": "@bob.test followed you"})
}

fn chat_payload(text: &str) -> Value {
    json!({"username": "@bob.test", "avatar_url": "https://cdn.example/bob.jpg",
           "content": format!("[S] {text}!")})
}

async fn metric(base: &str, line_start: &str) -> u64 {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(line_start))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

async fn db_in(dir: &tempfile::TempDir) -> String {
    dir.path()
        .join("placehook.sqlite")
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verified_creates_are_delivered_once_and_bad_frames_are_counted_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir).await;
    let net = FakeNetwork::start(&accounts()).await;
    let rx = Receiver::start().await;
    setup(&rx, &db).await;
    let (bob, carol) = (repo(&net, BOB), repo(&net, CAROL));
    let impostor = Repo {
        did: CAROL.into(),
        key: SigningKey::generate(Alg::Es256k),
    };
    let follow_by_bob = CommitParts::new(&bob, 3, &[follow("3kfollowbob01", ALICE)]);
    let mut spoiled = CommitParts::new(&carol, 5, &[follow("3kfollowcar01", ALICE)]);
    spoiled.blocks[1].1 = testing::encode(&testing::ipld(&follow("x", CAROL).record));
    let mut invalid = follow("3kfollowcar02", ALICE);
    invalid.record["createdAt"] = json!("yesterday");
    let frames = vec![
        (
            1,
            CommitParts::new(&carol, 1, &[like("3klike0000001")]).frame(),
        ),
        (2, b"this is not CBOR".to_vec()),
        (3, follow_by_bob.frame()),
        (
            4,
            CommitParts::new(&impostor, 4, &[chat("3kchatforged1", "forged")]).frame(),
        ),
        (5, spoiled.frame()),
        (
            6,
            CommitParts::new(&bob, 6, &[chat("3kchatbob0001", "hello firehose")]).frame(),
        ),
        (7, testing::info_frame("OutdatedCursor")),
        (7, CommitParts::new(&carol, 8, &[invalid]).frame()),
        (9, testing::identity_frame(9, BOB, "bob.test")),
    ];
    let firehose = FakeFirehose::start(frames, Duration::from_millis(5)).await;
    // Jetstream reports Bob's follow too: the same record, delivered once.
    let jetstream_follow = json!({"did": BOB, "time_us": 1_764_547_200_000_000i64, "kind": "commit",
        "commit": {"rev": "3lzzzzzzzzzzz", "operation": "create", "collection": "app.bsky.graph.follow",
                   "rkey": "3kfollowbob01", "record": follow("3kfollowbob01", ALICE).record,
                   "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"}});
    let plan = Plan {
        pace: Duration::from_millis(5),
        ..Plan::default()
    };
    let js = FakeJetstream::start(vec![jetstream_follow.to_string()], plan).await;
    let server = serve_with(&db, &net, |c| {
        c.firehose_urls = vec![firehose.url().parse().unwrap()];
        c.jetstream_urls = vec![js.url().parse().unwrap()];
    })
    .await;
    let mut got = HashMap::new();
    collect(&rx, 2, &mut got).await;
    if let Some(extra) = rx.next(Duration::from_millis(1500)).await {
        panic!("a delivery too many: {} {}", extra.path, extra.json());
    }
    assert_eq!(got.remove("/follow").unwrap(), vec![follow_payload()]);
    assert_eq!(
        got.remove("/chat").unwrap(),
        vec![chat_payload("hi firehose")]
    );
    assert!(got.is_empty(), "{got:?}");

    let base = &server.base;
    let skipped = "placehook_firehose_skipped_total{reason=";
    for reason in ["malformed", "bad_signature", "bad_car", "invalid_record"] {
        let n = metric(base, &format!("{skipped}\"{reason}\"}} ")).await;
        assert_eq!(n, 1, "{reason}");
    }
    let notices = "placehook_firehose_notices_total{name=\"OutdatedCursor\"} ";
    assert_eq!(metric(base, notices).await, 1);
    // The cursor reached the last frame (it is saved at least every half second).
    let store = Store::open(&db, StoreOptions::default()).await.unwrap();
    let mut cursor = None;
    for _ in 0..40 {
        cursor = store.stream_cursor(&firehose.url()).await.unwrap();
        if cursor == Some(9) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(cursor, Some(9));
    store.close().await;
    let _ = server.stop.send(());
    server.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_resumes_from_the_saved_seq_without_repeats_or_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir).await;
    let net = FakeNetwork::start(&accounts()).await;
    let rx = Receiver::start().await;
    setup(&rx, &db).await;
    let (bob, carol) = (repo(&net, BOB), repo(&net, CAROL));
    let mut frames = vec![(
        10,
        CommitParts::new(&bob, 10, &[follow("3kfollowbob02", ALICE)]).frame(),
    )];
    for seq in 11..80 {
        let rkey = format!("3klike{seq:07}");
        frames.push((seq, CommitParts::new(&carol, seq, &[like(&rkey)]).frame()));
    }
    frames.push((
        80,
        CommitParts::new(&bob, 80, &[chat("3kchatbob0002", "hello again")]).frame(),
    ));
    let firehose = FakeFirehose::start(frames, Duration::from_millis(10)).await;
    let url = firehose.url();
    let sources = |c: &mut placehook::config::ServeConfig| {
        c.firehose_urls = vec![url.parse().unwrap()];
    };
    let first = serve_with(&db, &net, sources).await;
    let mut got = HashMap::new();
    collect(&rx, 1, &mut got).await;
    let _ = first.stop.send(());
    first.task.await.unwrap().unwrap();
    let second = serve_with(&db, &net, sources).await;
    collect(&rx, 2, &mut got).await;
    if let Some(extra) = rx.next(Duration::from_millis(1000)).await {
        panic!("a delivery too many: {} {}", extra.path, extra.json());
    }
    assert_eq!(got.remove("/follow").unwrap(), vec![follow_payload()]);
    assert_eq!(got.remove("/chat").unwrap(), vec![chat_payload("hi again")]);
    let conns = firehose.connections.lock().unwrap().clone();
    assert_eq!(conns.len(), 2, "{conns:?}");
    assert!(
        !conns[0].contains("cursor="),
        "first start is live: {conns:?}"
    );
    let resumed: i64 = conns[1]
        .rsplit_once("cursor=")
        .and_then(|(_, c)| c.parse().ok())
        .unwrap_or_else(|| panic!("resumed from its cursor: {conns:?}"));
    assert!((10..80).contains(&resumed), "{conns:?}");
    let _ = second.stop.send(());
    second.task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_whose_sequence_was_reset_is_read_from_its_live_tail() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir).await;
    let net = FakeNetwork::start(&accounts()).await;
    let rx = Receiver::start().await;
    setup(&rx, &db).await;
    let bob = repo(&net, BOB);
    let frames = vec![
        (1, testing::identity_frame(1, BOB, "bob.test")),
        (
            2,
            CommitParts::new(&bob, 2, &[follow("3kfollowbob03", ALICE)]).frame(),
        ),
    ];
    let firehose = FakeFirehose::start(frames, Duration::from_millis(5)).await;
    // A cursor from before the host's reset.
    let store = Store::open(&db, StoreOptions::default()).await.unwrap();
    store
        .save_stream_cursor(&firehose.url(), 5000)
        .await
        .unwrap();
    let url = firehose.url();
    let server = serve_with(&db, &net, |c| c.firehose_urls = vec![url.parse().unwrap()]).await;
    let mut got = HashMap::new();
    collect(&rx, 1, &mut got).await;
    assert_eq!(got.remove("/follow").unwrap(), vec![follow_payload()]);
    let conns = firehose.connections.lock().unwrap().clone();
    assert!(conns[0].contains("cursor=5000"), "{conns:?}");
    assert!(!conns[1].contains("cursor="), "{conns:?}");
    let notices = "placehook_firehose_notices_total{name=\"FutureCursor\"} ";
    assert_eq!(metric(&server.base, notices).await, 1);
    // The new sequence is saved (the event saved seq 2 with it).
    assert_eq!(store.stream_cursor(&url).await.unwrap(), Some(2));
    store.close().await;
    let _ = server.stop.send(());
    server.task.await.unwrap().unwrap();
}
