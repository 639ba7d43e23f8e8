//! Known cases for every event format, pinned end to end through [`render`].

use super::livestream::DEFAULT_COLOR;
use super::*;
use serde_json::{json, Value};

const STREAMER: &str = "did:plc:streamerstreamerstreamer";
const SENDER: &str = "did:plc:sendersendersendersender";

/// A webhook's settings as a `createWebhook` body with the required fields filled in
/// and `extra` (camelCase lexicon fields) on top would give them.
fn webhook(extra: Value) -> WebhookSettings {
    let mut v = json!({
        "url": "https://discord.com/api/webhooks/1/x",
        "events": ["chat", "livestream", "follow", "mention", "stream.received"],
        "active": true,
    });
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    crate::api::wire::settings(&serde_json::from_value(v).unwrap())
}

fn natalie() -> Profile {
    Profile {
        handle: Some("natalie".into()),
        avatar: Some("https://cdn.example/avatar.jpg".into()),
        ..Profile::did_only(SENDER)
    }
}

fn event(kind: EventKind, record: Option<Value>) -> Event {
    Event {
        kind,
        subject: STREAMER.into(),
        author: Some(SENDER.into()),
        uri: None,
        record,
    }
}

fn chat(text: &str) -> Event {
    event(
        EventKind::Chat,
        Some(json!({
            "$type": "place.stream.chat.message",
            "text": text,
            "streamer": STREAMER,
            "createdAt": "2025-01-01T00:00:00.000Z",
        })),
    )
}

fn livestream(extra: Value) -> Event {
    let mut v = json!({
        "$type": "place.stream.livestream",
        "title": "building placehook",
        "createdAt": "2025-01-01T00:00:00.000Z",
    });
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    event(EventKind::Livestream, Some(v))
}

fn sent(event: &Event, webhook: &WebhookSettings, author: &Profile) -> DiscordPayload {
    match render(event, webhook, author).expect("renders") {
        Rendered::Send(p) => p,
        Rendered::Muted => panic!("unexpectedly muted"),
    }
}

fn content(event: &Event, webhook: &WebhookSettings) -> String {
    sent(event, webhook, &natalie()).content
}

#[test]
fn chat_is_prefix_text_suffix() {
    let w = webhook(json!({"prefix": "[Streamplace] ", "suffix": "!"}));
    let p = sent(&chat("hello world"), &w, &natalie());
    assert_eq!(p.content, "[Streamplace] hello world!");
    assert_eq!(p.username.as_deref(), Some("@natalie"));
    assert_eq!(
        p.avatar_url.as_deref(),
        Some("https://cdn.example/avatar.jpg")
    );
    assert!(p.embeds.is_empty());
}

#[test]
fn chat_in_streamplace_format() {
    let w = webhook(json!({"streamplaceFormat": true, "prefix": "p ", "suffix": " s"}));
    let p = sent(&chat("hello world"), &w, &natalie());
    assert_eq!(p.content, "**@natalie**: p hello world s");
    assert_eq!(p.username.as_deref(), Some("[Streamplace]"));
    assert_eq!(p.avatar_url, None);
}

#[test]
fn chat_anti_ping() {
    let w = webhook(json!({}));
    assert_eq!(content(&chat("@here"), &w), "@\u{200B}here");
    assert_eq!(content(&chat("hi @everyone"), &w), "hi @\u{200B}everyone");
    assert_eq!(content(&chat("<@123> hi"), &w), "<@\u{200B}123> hi");
}

#[test]
fn chat_anti_ping_covers_pings_formed_across_prefix_and_text() {
    let w = webhook(json!({"prefix": "@", "suffix": "one"}));
    assert_eq!(content(&chat("here"), &w), "@\u{200B}hereone");
    assert_eq!(content(&chat("every"), &w), "@\u{200B}everyone");
    let w = webhook(json!({"prefix": "<"}));
    assert_eq!(content(&chat("@123>"), &w), "<@\u{200B}123>");
}

#[test]
fn chat_rewrite_can_undo_anti_ping_on_purpose() {
    let w = webhook(json!({"rewrite": [{"from": "@\u{200B}here", "to": "@here"}]}));
    assert_eq!(content(&chat("@here look"), &w), "@here look");
}

#[test]
fn chat_rewrite_chain_and_literal_matching() {
    let w = webhook(json!({"rewrite": [{"from": "a", "to": "b"}, {"from": "b", "to": "c"}]}));
    assert_eq!(content(&chat("a"), &w), "c");
    let w = webhook(json!({"rewrite": [{"from": ".", "to": "!"}]}));
    assert_eq!(content(&chat("a.b"), &w), "a!b");
    assert_eq!(content(&chat("axb"), &w), "axb");
}

#[test]
fn chat_rewrites_apply_to_prefix_and_format_too() {
    let w = webhook(json!({
        "streamplaceFormat": true,
        "prefix": "P ",
        "rewrite": [{"from": "P", "to": "Q"}, {"from": "natalie", "to": "nat"}],
    }));
    assert_eq!(content(&chat("hi"), &w), "**@nat**: Q hi");
}

#[test]
fn chat_mute_words_match_the_raw_text_case_insensitively() {
    let w = webhook(json!({"muteWords": ["SPOILER"]}));
    let r = render(&chat("no spoilers please"), &w, &natalie()).unwrap();
    assert_eq!(r, Rendered::Muted);
    // Only the raw text counts: a match created by the prefix does not mute...
    let w = webhook(json!({"muteWords": ["spoiler"], "prefix": "spoiler: "}));
    assert_eq!(content(&chat("fine"), &w), "spoiler: fine");
    // ...and a match in the raw text mutes even if a rewrite would remove it.
    let w = webhook(json!({"muteWords": ["bad"], "rewrite": [{"from": "bad", "to": "good"}]}));
    let r = render(&chat("bad news"), &w, &natalie()).unwrap();
    assert_eq!(r, Rendered::Muted);
}

#[test]
fn chat_handle_falls_back_to_the_did() {
    let w = webhook(json!({"streamplaceFormat": true}));
    let p = sent(&chat("hi"), &w, &Profile::did_only(SENDER));
    assert_eq!(p.content, format!("**@{SENDER}**: hi"));
    let p = sent(&chat("hi"), &webhook(json!({})), &Profile::did_only(SENDER));
    assert_eq!(p.username, Some(format!("@{SENDER}")));
    assert_eq!(p.avatar_url, None);
}

#[test]
fn chat_content_is_cut_to_discords_limit() {
    let tenfold = |to: &str| webhook(json!({"rewrite": [{"from": "x", "to": to.repeat(10)}]}));
    let exact = content(&chat(&"x".repeat(200)), &tenfold("x"));
    assert_eq!(exact, "x".repeat(2000), "exactly 2000 chars is not cut");
    let cut = content(&chat(&"x".repeat(300)), &tenfold("x"));
    assert_eq!(cut, format!("{}…", "x".repeat(1999)));
    let multibyte = content(&chat(&"x".repeat(201)), &tenfold("é"));
    assert_eq!(multibyte, format!("{}…", "é".repeat(1999)));
}

#[test]
fn empty_message_is_not_sent() {
    let r = render(&chat(""), &webhook(json!({})), &natalie()).unwrap();
    assert_eq!(r, Rendered::Muted);
    let w = webhook(json!({"rewrite": [{"from": "hi", "to": "  "}]}));
    assert_eq!(
        render(&chat("hi"), &w, &natalie()).unwrap(),
        Rendered::Muted
    );
}

#[test]
fn livestream_embed() {
    let w = webhook(json!({"prefix": "> ", "suffix": " @everyone"}));
    let e = livestream(json!({
        "url": "https://stream.place/natalie",
        "thumb": {
            "$type": "blob",
            "ref": {"$link": "bafkreiabc"},
            "mimeType": "image/jpeg",
            "size": 1234,
        },
    }));
    let author = Profile {
        color: Some(0x123456),
        pds: Some("https://pds.example/".into()),
        ..natalie()
    };
    let p = sent(&e, &w, &author);
    assert_eq!(p.content, "> 🔴 LIVE building placehook @everyone");
    assert_eq!(p.username.as_deref(), Some("@natalie"));
    assert_eq!(
        p.avatar_url.as_deref(),
        Some("https://cdn.example/avatar.jpg")
    );
    let image = format!(
        "https://pds.example/xrpc/com.atproto.sync.getBlob?cid=bafkreiabc&did={}",
        SENDER.replace(':', "%3A")
    );
    assert_eq!(
        p.embeds,
        vec![Embed {
            title: "@natalie is LIVE on stream.place!".into(),
            url: Some("https://stream.place/natalie".into()),
            color: Some(0x123456),
            image: Some(EmbedImage { url: image }),
        }]
    );
}

#[test]
fn livestream_without_url_thumb_or_colour() {
    let p = sent(&livestream(json!({})), &webhook(json!({})), &natalie());
    assert_eq!(p.content, "🔴 LIVE building placehook");
    let embed = &p.embeds[0];
    assert_eq!(embed.title, "@natalie is LIVE!");
    assert_eq!((embed.url.as_deref(), embed.image.as_ref()), (None, None));
    assert_eq!(embed.color, Some(16300746));
    assert_eq!(DEFAULT_COLOR, 16300746);
}

#[test]
fn livestream_unusable_url_gives_the_short_title() {
    let e = livestream(json!({"url": "at://did:plc:x/place.stream.livestream/1"}));
    let embed = &sent(&e, &webhook(json!({})), &natalie()).embeds[0];
    assert_eq!(embed.title, "@natalie is LIVE!");
    assert_eq!(embed.url, None);
}

#[test]
fn livestream_thumb_needs_a_pds() {
    let e = livestream(json!({
        "thumb": {"$type": "blob", "ref": {"$link": "bafkreiabc"}, "mimeType": "image/png", "size": 1},
    }));
    let embed = &sent(&e, &webhook(json!({})), &natalie()).embeds[0];
    assert_eq!(embed.image, None);
}

#[test]
fn livestream_rewrites_the_line_only_and_skips_anti_ping() {
    let w = webhook(json!({
        "prefix": "LIVE: ",
        "suffix": " <@&42>",
        "rewrite": [{"from": "LIVE", "to": "live"}],
    }));
    let e = livestream(json!({"title": "@here come in", "url": "https://stream.place/n"}));
    let p = sent(&e, &w, &natalie());
    assert_eq!(p.content, "LIVE: 🔴 live @here come in <@&42>");
    assert_eq!(p.embeds[0].title, "@natalie is LIVE on stream.place!");
}

#[test]
fn stream_received() {
    let w = webhook(json!({
        "prefix": "[", "suffix": "]",
        "rewrite": [{"from": "stream.received", "to": "receiving"}],
    }));
    let e = Event {
        kind: EventKind::StreamReceived,
        subject: STREAMER.into(),
        author: None,
        uri: None,
        record: None,
    };
    let p = sent(&e, &w, &natalie());
    assert_eq!(p.content, format!("[receiving {STREAMER}]"));
    assert_eq!((p.username, p.avatar_url), (None, None));
    assert!(p.embeds.is_empty());
}

#[test]
fn follow() {
    let w = webhook(json!({"prefix": "> ", "rewrite": [{"from": "followed", "to": "follows"}]}));
    let e = event(
        EventKind::Follow,
        Some(json!({
            "$type": "app.bsky.graph.follow",
            "subject": STREAMER,
            "createdAt": "2025-01-01T00:00:00.000Z",
        })),
    );
    let p = sent(&e, &w, &natalie());
    assert_eq!(p.content, "> @natalie follows you");
    assert_eq!(p.username.as_deref(), Some("@natalie"));
    assert_eq!(
        p.avatar_url.as_deref(),
        Some("https://cdn.example/avatar.jpg")
    );
    let p = sent(&e, &webhook(json!({})), &Profile::did_only(SENDER));
    assert_eq!(p.content, format!("@{SENDER} followed you"));
}

fn mention_post(text: &str) -> Event {
    event(
        EventKind::Mention,
        Some(json!({
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": "2025-01-01T00:00:00.000Z",
        })),
    )
}

#[test]
fn mention_from_a_post_or_a_chat_message() {
    let w = webhook(json!({"prefix": "[", "suffix": "]"}));
    let p = sent(&mention_post("hey @streamer.example"), &w, &natalie());
    assert_eq!(p.content, "[@natalie mentioned you: hey @streamer.example]");
    assert_eq!(p.username.as_deref(), Some("@natalie"));
    assert_eq!(
        p.avatar_url.as_deref(),
        Some("https://cdn.example/avatar.jpg")
    );
    let mut e = chat("hi streamer");
    e.kind = EventKind::Mention;
    assert_eq!(content(&e, &w), "[@natalie mentioned you: hi streamer]");
}

#[test]
fn mention_text_is_anti_pinged_but_rewrites_come_after() {
    let w = webhook(json!({"suffix": " @here"}));
    assert_eq!(
        content(&mention_post("@everyone <@1>"), &w),
        "@natalie mentioned you: @\u{200B}everyone <@\u{200B}1> @here"
    );
    let w = webhook(json!({"rewrite": [{"from": "\u{200B}", "to": ""}]}));
    assert_eq!(
        content(&mention_post("@here"), &w),
        "@natalie mentioned you: @here"
    );
}

#[test]
fn mention_mute_words_apply_to_the_raw_text() {
    let w = webhook(json!({"muteWords": ["Crypto"]}));
    let r = render(&mention_post("free CRYPTO"), &w, &natalie()).unwrap();
    assert_eq!(r, Rendered::Muted);
    let w = webhook(json!({"muteWords": ["mentioned"]}));
    assert!(matches!(
        render(&mention_post("hi"), &w, &natalie()).unwrap(),
        Rendered::Send(_)
    ));
}

#[test]
fn bad_records_are_errors_not_panics() {
    let w = webhook(json!({}));
    let a = natalie();
    let no_record = event(EventKind::Chat, None);
    assert!(matches!(
        render(&no_record, &w, &a),
        Err(RenderError::MissingRecord { kind: "chat" })
    ));
    let wrong_shape = event(EventKind::Livestream, Some(json!({"title": 5})));
    assert!(matches!(
        render(&wrong_shape, &w, &a),
        Err(RenderError::InvalidRecord {
            collection: "place.stream.livestream",
            ..
        })
    ));
    let foreign = event(
        EventKind::Mention,
        Some(json!({"$type": "x.y.z", "text": "hi"})),
    );
    assert!(matches!(
        render(&foreign, &w, &a),
        Err(RenderError::UnsupportedRecordType { found: Some(t) }) if t == "x.y.z"
    ));
    let bad_post = event(
        EventKind::Mention,
        Some(json!({"$type": "app.bsky.feed.post"})),
    );
    assert!(matches!(
        render(&bad_post, &w, &a),
        Err(RenderError::InvalidRecord { .. })
    ));
    assert!(matches!(
        render(&event(EventKind::Mention, None), &w, &a),
        Err(RenderError::MissingRecord { kind: "mention" })
    ));
}

#[test]
fn long_handles_fit_discords_username_and_title_limits() {
    let author = Profile {
        handle: Some(format!("{}.example", "a".repeat(240))),
        ..natalie()
    };
    let e = livestream(json!({"url": format!("https://{}.example/", "b".repeat(60))}));
    let p = sent(&e, &webhook(json!({})), &author);
    assert_eq!(p.username.unwrap().chars().count(), 80);
    assert_eq!(p.embeds[0].title.chars().count(), 256);
    assert!(p.embeds[0].title.ends_with('…'));
}

#[test]
fn serialized_payload_omits_empty_fields() {
    let received = Event {
        kind: EventKind::StreamReceived,
        subject: STREAMER.into(),
        author: None,
        uri: None,
        record: None,
    };
    let p = sent(&received, &webhook(json!({})), &natalie());
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        json!({"content": format!("stream.received {STREAMER}")})
    );
    let p = sent(
        &livestream(json!({})),
        &webhook(json!({})),
        &Profile::did_only(SENDER),
    );
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        json!({
            "username": format!("@{SENDER}"),
            "content": "🔴 LIVE building placehook",
            "embeds": [{"title": format!("@{SENDER} is LIVE!"), "color": 16300746}],
        })
    );
    let empty = DiscordPayload {
        embeds: vec![Embed::default()],
        ..DiscordPayload::default()
    };
    assert_eq!(
        serde_json::to_value(&empty).unwrap(),
        json!({"embeds": [{}]})
    );
}

#[test]
fn payload_round_trips_through_json() {
    let w = webhook(json!({}));
    let e = livestream(json!({"url": "https://stream.place/n"}));
    let p = sent(&e, &w, &natalie());
    let back: DiscordPayload = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
}
