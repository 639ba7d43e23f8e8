//! Events in, Discord bodies out.

use crate::receiver::Receiver;
use crate::support::spawn_app;
use serde_json::json;
use std::time::Duration;

const SEC: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_pushed_chat_message_arrives_rendered_as_streamplace_renders_it() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    app.webhook(
        &rx.url("/hook"),
        &["chat"],
        json!({"prefix": "[Streamplace] ", "suffix": "!"}),
    )
    .await;
    let out = app.push_chat("hello world @everyone").await;
    assert_eq!(
        (out["deliveries"].as_i64(), out["duplicate"].as_bool()),
        (Some(1), Some(false))
    );
    let got = rx.next(SEC).await.expect("delivered");
    assert_eq!(got.path, "/hook");
    assert_eq!(
        got.json(),
        json!({
            "username": "@did:plc:senderssendersenderssend",
            "content": "[Streamplace] hello world @\u{200B}everyone!"
        })
    );
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert!(got.header("user-agent").unwrap().starts_with("placehook/"));
    assert!(
        got.header("webhook-signature").is_none(),
        "no secret, no signature"
    );
    app.stop().await;
}

#[tokio::test]
async fn only_matching_active_webhooks_of_the_subject_fire() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    app.webhook(&rx.url("/chat"), &["chat"], json!({})).await;
    app.webhook(&rx.url("/follow"), &["follow"], json!({}))
        .await;
    app.webhook(&rx.url("/off"), &["chat"], json!({"active": false}))
        .await;
    let out = app.push_chat("hi").await;
    assert_eq!(out["deliveries"], 1);
    assert_eq!(rx.next(SEC).await.unwrap().path, "/chat");
    rx.nothing(Duration::from_millis(300)).await;
    // Someone else's chat does not reach this owner.
    let mut other = app.chat("hi", None);
    other["subject"] = json!("did:plc:someoneelsesomeoneelseso");
    other["record"]["streamer"] = json!("did:plc:someoneelsesomeoneelseso");
    let (status, out) = app
        .post("dev.placehook.pushEvent", &app.producer, &other)
        .await;
    assert_eq!(
        (status.as_u16(), out["deliveries"].as_i64()),
        (200, Some(0)),
        "{out}"
    );
    rx.nothing(Duration::from_millis(300)).await;
    app.stop().await;
}

#[tokio::test]
async fn only_producers_may_push() {
    let app = spawn_app().await;
    let (status, out) = app
        .post("dev.placehook.pushEvent", &app.token, &app.chat("x", None))
        .await;
    assert_eq!(
        (status.as_u16(), out["error"].as_str()),
        (403, Some("Forbidden")),
        "{out}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_repeated_idempotency_key_or_record_uri_delivers_once() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    app.webhook(&rx.url("/h"), &["chat"], json!({})).await;
    let first = app
        .post(
            "dev.placehook.pushEvent",
            &app.producer,
            &app.chat("a", Some("k1")),
        )
        .await
        .1;
    let again = app
        .post(
            "dev.placehook.pushEvent",
            &app.producer,
            &app.chat("a", Some("k1")),
        )
        .await
        .1;
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["eventId"], first["eventId"]);
    assert_eq!(again["deliveries"], 0);
    let mut by_uri = app.chat("b", None);
    by_uri["uri"] = json!("at://did:plc:senderssendersenderssend/place.stream.chat.message/3kabc");
    assert_eq!(
        app.post("dev.placehook.pushEvent", &app.producer, &by_uri)
            .await
            .1["duplicate"],
        false
    );
    assert_eq!(
        app.post("dev.placehook.pushEvent", &app.producer, &by_uri)
            .await
            .1["duplicate"],
        true
    );
    rx.next(SEC).await.unwrap();
    rx.next(SEC).await.unwrap();
    rx.nothing(Duration::from_millis(400)).await;
    app.stop().await;
}

#[tokio::test]
async fn invalid_records_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    app.webhook(
        &rx.url("/h"),
        &["chat", "follow", "stream.received"],
        json!({}),
    )
    .await;
    let mut too_long = app.chat(&"a".repeat(400), None);
    too_long["record"]["text"] = json!("x".repeat(5000));
    let mut wrong_streamer = app.chat("hi", None);
    wrong_streamer["record"]["streamer"] = json!("did:plc:someoneelsesomeoneelseso");
    let mut wrong_type = app.chat("hi", None);
    wrong_type["record"]["$type"] = json!("app.bsky.feed.post");
    let mut no_record = app.chat("hi", None);
    no_record.as_object_mut().unwrap().remove("record");
    let with_record =
        json!({"type": "stream.received", "subject": app.owner, "record": {"$type": "x.y.z"}});
    for (what, body, name) in [
        ("too long", too_long, "InvalidRecord"),
        ("wrong streamer", wrong_streamer, "InvalidRecord"),
        ("wrong $type", wrong_type, "InvalidRecord"),
        ("no record", no_record, "InvalidRecord"),
        ("record on stream.received", with_record, "InvalidRecord"),
        (
            "bad subject",
            json!({"type": "chat", "subject": "not-a-did"}),
            "InvalidRequest",
        ),
        (
            "bad type",
            json!({"type": "nope", "subject": app.owner}),
            "InvalidRequest",
        ),
    ] {
        let (status, out) = app
            .post("dev.placehook.pushEvent", &app.producer, &body)
            .await;
        assert_eq!(
            (status.as_u16(), out["error"].as_str()),
            (400, Some(name)),
            "{what}: {out}"
        );
        assert!(
            out["message"].as_str().unwrap().contains('$'),
            "{what}: names the field: {out}"
        );
    }
    rx.nothing(Duration::from_millis(300)).await;
    // A follow needs no record, stream.received none either.
    let follow = json!({"type": "follow", "subject": app.owner, "author": "did:plc:followerfollowerfollower"});
    let (status, out) = app
        .post("dev.placehook.pushEvent", &app.producer, &follow)
        .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(
        rx.next(SEC).await.unwrap().json()["content"],
        "@did:plc:followerfollowerfollower followed you"
    );
    let recv = json!({"type": "stream.received", "subject": app.owner});
    app.post("dev.placehook.pushEvent", &app.producer, &recv)
        .await;
    assert_eq!(
        rx.next(SEC).await.unwrap().json()["content"],
        format!("stream.received {}", app.owner)
    );
    app.stop().await;
}

#[tokio::test]
async fn mute_words_send_nothing_and_count_as_done() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app
        .webhook(&rx.url("/h"), &["chat"], json!({"muteWords": ["Spoiler"]}))
        .await;
    app.push_chat("big SPOILER ahead").await;
    rx.nothing(Duration::from_millis(400)).await;
    let d = app.settled(&id, 0).await;
    assert_eq!(d["status"], "muted");
    app.stop().await;
}

#[tokio::test]
async fn one_event_reaches_every_matching_webhook() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    for path in ["/a", "/b", "/c"] {
        app.webhook(&rx.url(path), &["chat"], json!({})).await;
    }
    assert_eq!(app.push_chat("fan out").await["deliveries"], 3);
    let mut paths: Vec<String> = Vec::new();
    for _ in 0..3 {
        paths.push(rx.next(SEC).await.expect("delivered").path);
    }
    paths.sort();
    assert_eq!(paths, ["/a", "/b", "/c"]);
    app.stop().await;
}

#[tokio::test]
async fn deleting_a_webhook_while_its_delivery_is_in_flight_leaves_the_service_working() {
    use crate::receiver::Reply;
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let gone = app.webhook(&rx.url("/gone"), &["chat"], json!({})).await;
    rx.script([Reply::Slow(Duration::from_millis(400))]);
    app.push_chat("one").await;
    // The request is being answered (slowly) when its webhook goes.
    for _ in 0..200 {
        if rx.in_flight() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(rx.in_flight(), 1);
    let (status, out) = app
        .post(
            "place.stream.server.deleteWebhook",
            &app.token,
            &json!({"id": gone}),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(rx.next(SEC).await.unwrap().path, "/gone");
    // Its outcome has nowhere to go; the rest of the service carries on...
    let kept = app.webhook(&rx.url("/kept"), &["chat"], json!({})).await;
    app.push_chat("two").await;
    assert_eq!(rx.next(SEC).await.unwrap().path, "/kept");
    app.settled(&kept, 1).await;
    rx.nothing(Duration::from_millis(300)).await;
    // ...and stops when asked, with nothing left trying to record it.
    tokio::time::timeout(Duration::from_secs(5), app.stop())
        .await
        .expect("the server stops");
}

#[tokio::test]
async fn changed_settings_apply_from_the_next_delivery() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = app
        .webhook(&rx.url("/hook"), &["chat"], json!({"prefix": "a "}))
        .await;
    app.push_chat("one").await;
    assert_eq!(rx.next(SEC).await.unwrap().json()["content"], "a one");
    app.settled(&id, 1).await;
    let update = |patch: serde_json::Value| {
        let mut body = patch;
        body["id"] = json!(id);
        body
    };
    let (status, out) = app
        .post(
            "place.stream.server.updateWebhook",
            &app.token,
            &update(json!({"prefix": "b "})),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    app.push_chat("two").await;
    assert_eq!(rx.next(SEC).await.unwrap().json()["content"], "b two");
    app.settled(&id, 1).await;
    let (status, out) = app
        .post(
            "place.stream.server.updateWebhook",
            &app.token,
            &update(json!({"active": false})),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    app.push_chat("three").await;
    rx.nothing(Duration::from_millis(300)).await;
    app.stop().await;
}

/// A lane reads several deliveries at once; each still goes out as its webhook is when
/// its turn comes. Four events wait behind a slow request; the lane has read the last
/// three ahead when the webhook changes during the second one's request.
async fn three_read_ahead_behind_a_slow_request(
    app: &crate::support::App,
    rx: &Receiver,
) -> String {
    use crate::receiver::Reply;
    let id = app
        .webhook(&rx.url("/ahead"), &["chat"], json!({"prefix": "a "}))
        .await;
    // The second request's 600 ms is the window in which the test changes the webhook.
    rx.script([
        Reply::Slow(Duration::from_millis(300)),
        Reply::Slow(Duration::from_millis(600)),
    ]);
    app.push_chat("one").await;
    assert_eq!(rx.next(SEC).await.unwrap().json()["content"], "a one");
    for text in ["two", "three", "four"] {
        app.push_chat(text).await;
    }
    assert_eq!(rx.next(SEC).await.unwrap().json()["content"], "a two");
    id
}

#[tokio::test]
async fn deliveries_read_ahead_go_out_with_the_settings_of_their_turn() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = three_read_ahead_behind_a_slow_request(&app, &rx).await;
    let (status, out) = app
        .post(
            "place.stream.server.updateWebhook",
            &app.token,
            &json!({"id": id, "prefix": "b "}),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(rx.next(SEC).await.unwrap().json()["content"], "b three");
    assert_eq!(rx.next(SEC).await.unwrap().json()["content"], "b four");
    app.stop().await;
}

#[tokio::test]
async fn deliveries_read_ahead_for_a_deleted_webhook_are_not_sent() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let id = three_read_ahead_behind_a_slow_request(&app, &rx).await;
    let (status, out) = app
        .post(
            "place.stream.server.deleteWebhook",
            &app.token,
            &json!({"id": id}),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    rx.nothing(Duration::from_millis(1000)).await;
    app.stop().await;
}

/// pushEvent takes only DIDs that service auth would resolve (`format: did` admits any DID
/// syntax): a 400 InvalidRequest naming the field, and nothing is queued.
#[tokio::test]
async fn push_event_refuses_dids_service_auth_refuses() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    app.webhook(&rx.url("/hook"), &["follow"], json!({})).await;
    let follow = |subject: &str, author: &str| json!({"type": "follow", "subject": subject, "author": author});
    let good = "did:plc:followerfollowerfollower";
    for (body, field) in [
        (
            follow("did:plc:yourdidhere0000000000000", good),
            "$.subject",
        ),
        (
            follow("did:plc:OWNEROWNEROWNEROWNEROWNE", good),
            "$.subject",
        ),
        (follow(&app.owner, "did:plc:UPPER"), "$.author"),
        (
            follow(&app.owner, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2Q"),
            "$.author",
        ),
        (
            json!({"type": "stream.received", "subject": app.owner,
                   "uri": "at://did:plc:short/place.stream.livestream/3k"}),
            "$.uri",
        ),
    ] {
        let (status, out) = app
            .post("dev.placehook.pushEvent", &app.producer, &body)
            .await;
        assert_eq!(status, 400, "{body}: {out}");
        assert_eq!(out["error"], "InvalidRequest", "{body}");
        let message = out["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{field}: ")), "{message}");
    }
    rx.nothing(Duration::from_millis(300)).await;
    let (status, out) = app
        .post(
            "dev.placehook.pushEvent",
            &app.producer,
            &follow(&app.owner, good),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    app.stop().await;
}
