//! The repo firehose end to end on the reference network: placehook reads
//! `com.atproto.sync.subscribeRepos` from the reference PDS itself, the official
//! `@atproto/api` client writes records there as alice and bob
//! (`tools/pds/write-records.mjs`), and the Discord receiver gets the exact bodies, with
//! handles from the accounts' real DID documents in the reference PLC directory. Then
//! placehook is killed with SIGKILL in the middle of 500 records and restarted: none is
//! lost, and the repeats are as few as the README promises, each with its first
//! `webhook-id`. Nothing here is a fake except the Discord receiver.

use crate::placehook::Placehook;
use crate::receiver::{Received, Receiver};
use crate::reference::{self, Account, Network};
use crate::writer::{Writer, Written};
use base64::Engine;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// The longest a write may take to reach its webhook (the bound).
const DELIVERY_BOUND: Duration = Duration::from_secs(2);
/// Chat records written in the kill -9 run.
const BULK: usize = 500;
/// Deliveries of the run after which placehook is killed.
const KILL_AFTER: usize = 150;
/// How long placehook stays down: alice keeps writing meanwhile, so the PDS must replay
/// those commits from placehook's saved cursor.
const DOWN_FOR: Duration = Duration::from_secs(2);
/// The README's bound on a webhook's repeats after a crash: the delivery in flight and
/// up to eight earlier successes whose outcome was not yet written.
const MAX_REPEATS: usize = 9;

const CHAT: &str = "place.stream.chat.message";

/// A 1×1 PNG: alice's stream thumbnail.
const THUMB_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_written_on_the_reference_pds_reach_webhooks_through_its_firehose() {
    if !reference::required() {
        return;
    }
    let network = tokio::task::spawn_blocking(Network::start).await.unwrap();
    let (plc, pds) = (&network.urls.plc_url, &network.urls.pds_url);
    let mut placehook = Placehook::start_with_firehose(plc, pds).await;
    let receiver = Receiver::start().await;
    let alice = network.account("alice").clone();
    let bob = network.account("bob").clone();
    let webhook = |did: &str, path: &str, events: Value, extra: Value| {
        let mut body = json!({"url": receiver.url(path), "events": events, "active": true});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        create_webhook(&placehook, did.to_string(), body)
    };
    let rewrite = json!([{"from": "hello", "to": "hi"}]);
    let chat_settings = json!({"prefix": "[S] ", "suffix": "!", "rewrite": rewrite});
    webhook(&alice.did, "/chat", json!(["chat"]), chat_settings).await;
    webhook(&alice.did, "/follow", json!(["follow"]), json!({})).await;
    webhook(&alice.did, "/mention", json!(["mention"]), json!({})).await;
    let live_settings = json!({"suffix": " @everyone"});
    webhook(&alice.did, "/live", json!(["livestream"]), live_settings).await;
    // bob's chat, for the kill -9 run: alice writes there, so nothing of it reaches
    // alice's webhooks.
    webhook(&bob.did, "/bulk", json!(["chat"]), json!({})).await;
    let mut writer = Writer::start(&network).await;
    // A host never read before is read from its live tail: write only once connected.
    wait_for_log(&placehook, "firehose connected").await;
    eprintln!(
        "reference network up in {:?}; placehook answering in {:?}",
        network.started_in, placehook.started_in
    );

    // Per write: from the createRecord request to the delivery, and how much of that
    // the PDS took to answer createRecord.
    let mut latencies = Vec::new();
    let mut answered = Vec::new();
    let mut timed = |written: &Written, got: &Received| {
        let took = got_at(got).duration_since(written.started_at).unwrap();
        latencies.push(took);
        answered.push(
            written
                .finished_at
                .duration_since(written.started_at)
                .unwrap(),
        );
        assert!(took < DELIVERY_BOUND, "{took:?}: {got:?}");
    };

    // bob chats in alice's stream: prefix, suffix, anti-ping, then the rewrite.
    let text = "hello @everyone, bob here <@123>";
    let first = writer
        .create("bob", CHAT, None, chat_record(text, &alice))
        .await;
    let got = next(&receiver, "/chat").await;
    timed(&first, &got);
    let content = "[S] hi @\u{200B}everyone, bob here <@\u{200B}123>!";
    assert_eq!(
        got.json(),
        json!({"username": "@bob.test", "content": content})
    );

    // bob follows alice.
    let follow = json!({"$type": "app.bsky.graph.follow", "subject": alice.did,
                        "createdAt": now()});
    let written = writer
        .create("bob", "app.bsky.graph.follow", None, follow)
        .await;
    let got = next(&receiver, "/follow").await;
    timed(&written, &got);
    let followed = json!({"username": "@bob.test", "content": "@bob.test followed you"});
    assert_eq!(got.json(), followed);

    // bob mentions alice in a post (a mention facet over "@alice.test").
    let written = writer
        .create("bob", "app.bsky.feed.post", None, mention_post(&alice))
        .await;
    let got = next(&receiver, "/mention").await;
    timed(&written, &got);
    let mentioned = "@bob.test mentioned you: look, @alice.test is live";
    assert_eq!(
        got.json(),
        json!({"username": "@bob.test", "content": mentioned})
    );

    // alice goes live with a thumbnail uploaded to her PDS.
    let (written, got) = livestream(&mut writer, &receiver, &alice, pds).await;
    timed(&written, &got);

    // An update and a delete of bob's first chat record deliver nothing: the next
    // delivery is the message written after them.
    let rkey = first.data["uri"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let edited = chat_record("hello again, edited", &alice);
    let put = json!({"op": "put", "collection": CHAT, "rkey": rkey, "record": edited});
    writer.run("bob", put).await;
    let delete = json!({"op": "delete", "collection": CHAT, "rkey": rkey});
    writer.run("bob", delete).await;
    for i in 0..10 {
        let written = writer
            .create(
                "bob",
                CHAT,
                None,
                chat_record(&format!("after {i}"), &alice),
            )
            .await;
        let got = next(&receiver, "/chat").await;
        timed(&written, &got);
        let content = format!("[S] after {i}!");
        assert_eq!(
            got.json(),
            json!({"username": "@bob.test", "content": content})
        );
    }
    // bob changes his handle: the PDS updates his DID document in the PLC directory and
    // sends #identity, on which placehook forgets the handle it had cached.
    writer
        .run("bob", json!({"op": "updateHandle", "handle": "bobby.test"}))
        .await;
    let written = writer
        .create("bob", CHAT, None, chat_record("new name", &alice))
        .await;
    let got = next(&receiver, "/chat").await;
    timed(&written, &got);
    let renamed = json!({"username": "@bobby.test", "content": "[S] new name!"});
    assert_eq!(got.json(), renamed);
    receiver.nothing(Duration::from_millis(500)).await;
    report("createRecord -> delivery", &mut latencies);
    report("createRecord -> its answer", &mut answered);
    check_nothing_skipped(&placehook).await;

    kill_in_the_middle(&mut placehook, &mut writer, &receiver, &bob).await;
}

/// alice uploads a PNG and writes a livestream record with it as `thumb`: the embed's
/// image is the blob on her PDS (`getBlob`), which serves the PNG's bytes.
async fn livestream(
    writer: &mut Writer,
    receiver: &Receiver,
    alice: &Account,
    pds: &str,
) -> (Written, Received) {
    let png = base64::engine::general_purpose::STANDARD
        .decode(THUMB_PNG)
        .unwrap();
    let upload = json!({"op": "upload", "base64": THUMB_PNG, "mimeType": "image/png"});
    let blob = writer.run("alice", upload).await.data["blob"].clone();
    assert_eq!(blob["mimeType"], "image/png", "{blob}");
    let cid = blob["ref"]["$link"].as_str().unwrap().to_string();
    let record = json!({"$type": "place.stream.livestream", "title": "Testing the firehose",
                        "url": "https://stream.place/alice.test", "createdAt": now(),
                        "thumb": blob});
    let written = writer
        .create("alice", "place.stream.livestream", None, record)
        .await;
    let got = next(receiver, "/live").await;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("cid", &cid)
        .append_pair("did", &alice.did)
        .finish();
    let image = format!("{pds}/xrpc/com.atproto.sync.getBlob?{query}");
    let expected = json!({
        "username": "@alice.test",
        "content": "🔴 LIVE Testing the firehose @everyone",
        "embeds": [{"title": "@alice.test is LIVE on stream.place!",
                    "url": "https://stream.place/alice.test",
                    "color": 0xf8baca, "image": {"url": image}}],
    });
    assert_eq!(got.json(), expected);
    let fetched = reqwest::get(&image).await.unwrap();
    assert_eq!(fetched.status(), 200, "{image}");
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), png, "{image}");
    (written, got)
}

/// 500 chat records in bob's stream, written by alice one commit each while placehook
/// is killed with SIGKILL after [`KILL_AFTER`] deliveries and started again [`DOWN_FOR`]
/// later: every
/// record is delivered, repeats are at most [`MAX_REPEATS`], and a repeat carries the
/// `webhook-id` of its first delivery.
async fn kill_in_the_middle(
    placehook: &mut Placehook,
    writer: &mut Writer,
    receiver: &Receiver,
    bob: &Account,
) {
    let records: Vec<Value> = (0..BULK)
        .map(|i| chat_record(&format!("bulk {i:03}"), bob))
        .collect();
    let writing_done = AtomicBool::new(false);
    let started = Instant::now();
    let write = async {
        let many = json!({"op": "createMany", "collection": CHAT, "records": records});
        let written = writer.run("alice", many).await;
        writing_done.store(true, Ordering::SeqCst);
        (written, started.elapsed())
    };
    // Text -> the webhook-id of each delivery of it.
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut killed_at = None;
    let watch = async {
        let mut deliveries = 0;
        while seen.len() < BULK {
            let got = receiver.next(Duration::from_secs(60)).await;
            let got = got.unwrap_or_else(|| {
                panic!(
                    "stalled at {} of {BULK}:\n{}",
                    seen.len(),
                    placehook.log_text()
                )
            });
            assert_eq!(got.path, "/bulk", "{got:?}");
            let text = got.json()["content"].as_str().unwrap().to_string();
            let id = got.header("webhook-id").unwrap().to_string();
            seen.entry(text).or_default().push(id);
            deliveries += 1;
            if deliveries == KILL_AFTER {
                placehook.kill9();
                killed_at = Some((deliveries, writing_done.load(Ordering::SeqCst)));
                tokio::time::sleep(DOWN_FOR).await;
                placehook.restart().await;
            }
        }
    };
    let ((written, writing_took), ()) = tokio::join!(write, watch);
    let all_delivered_in = started.elapsed();
    assert_eq!(written.data["count"], BULK);
    // Late repeats would come right after the last first delivery.
    while let Some(got) = receiver.next(Duration::from_secs(1)).await {
        let text = got.json()["content"].as_str().unwrap().to_string();
        let id = got.header("webhook-id").unwrap().to_string();
        seen.entry(text).or_default().push(id);
    }
    let expected: BTreeSet<String> = (0..BULK).map(|i| format!("bulk {i:03}")).collect();
    assert_eq!(seen.keys().cloned().collect::<BTreeSet<_>>(), expected);
    let delivered: usize = seen.values().map(Vec::len).sum();
    let repeats = delivered - BULK;
    for (text, ids) in &seen {
        let first = &ids[0];
        assert!(ids.iter().all(|id| id == first), "{text}: {ids:?}");
    }
    assert!(repeats <= MAX_REPEATS, "{repeats} repeats");
    check_nothing_skipped(placehook).await;
    let (at, done) = killed_at.expect("killed");
    let resumed = placehook.logged("firehose connected");
    eprintln!(
        "kill -9 run: {BULK} records written (one createRecord each, in {writing_took:?}), \
         killed after {at} deliveries (writing {}) and down for {DOWN_FOR:?}, every record delivered {all_delivered_in:?} \
         after the first write, {delivered} deliveries, {repeats} repeats (same \
         webhook-id), restarted in {:?}, resumed at {}",
        if done { "finished" } else { "still going" },
        placehook.started_in,
        resumed.first().map_or(json!(null), |f| f["url"].clone())
    );
}

/// POST `place.stream.server.createWebhook` with an API token of `did`.
async fn create_webhook(placehook: &Placehook, did: String, body: Value) -> Value {
    let res = reqwest::Client::new()
        .post(format!(
            "{}/xrpc/place.stream.server.createWebhook",
            placehook.url
        ))
        .bearer_auth(placehook.api_token(&did))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Asserts that placehook's firehose consumer skipped nothing the reference PDS sent
/// (no `placehook_firehose_skipped_total` above 0), and prints its firehose counters.
async fn check_nothing_skipped(placehook: &Placehook) {
    let text = reqwest::get(format!("{}/metrics", placehook.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let counters: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("placehook_firehose"))
        .collect();
    for line in &counters {
        if line.starts_with("placehook_firehose_skipped_total") {
            assert!(line.ends_with(" 0"), "{line}");
        }
    }
    eprintln!("firehose counters: {counters:?}");
}

/// Waits up to 30 s for placehook to log `message`.
async fn wait_for_log(placehook: &Placehook, message: &str) {
    for _ in 0..300 {
        if !placehook.logged(message).is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {message:?} in 30 s:\n{}", placehook.log_text());
}

/// The next delivery, which must be to `path` and arrive within [`DELIVERY_BOUND`]
/// (plus slack: the bound itself is checked against the write's start).
async fn next(receiver: &Receiver, path: &str) -> Received {
    let got = receiver.next(DELIVERY_BOUND * 2).await;
    let got = got.unwrap_or_else(|| panic!("nothing reached {path}"));
    assert_eq!(got.path, path, "{got:?}");
    got
}

/// When the receiver handed over `_got`: now, as it is read right after arriving.
fn got_at(_got: &Received) -> SystemTime {
    SystemTime::now()
}

fn now() -> String {
    let rfc3339 = time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::now_utc().format(&rfc3339).unwrap()
}

fn chat_record(text: &str, streamer: &Account) -> Value {
    json!({"$type": CHAT, "text": text, "streamer": streamer.did, "createdAt": now()})
}

/// A post mentioning `who`, with the facet the Bluesky app writes for it.
fn mention_post(who: &Account) -> Value {
    let text = format!("look, @{} is live", who.handle);
    let start = text.find('@').unwrap();
    let end = start + 1 + who.handle.len();
    json!({"$type": "app.bsky.feed.post", "text": text, "createdAt": now(),
           "facets": [{"index": {"byteStart": start, "byteEnd": end},
                       "features": [{"$type": "app.bsky.richtext.facet#mention",
                                     "did": who.did}]}]})
}

/// Prints p50 and max of `times`, with `what` they measure.
fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let p50 = times[times.len() / 2];
    let max = times[times.len() - 1];
    let n = times.len();
    eprintln!("{what} over {n} writes: p50 {p50:?}, max {max:?} (all: {times:?})");
}
