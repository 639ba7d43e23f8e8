//! Unit tests of decoding and verification, on frames built with the same IPLD crates the
//! consumer reads them with and commits signed with real secp256k1 keys.

use super::car::{Blocks, CarError};
use super::commit::SignedCommit;
use super::examine::{examine, Skip, Step};
use super::frame::{decode, Frame};
use super::testing::{self, CommitParts, Create, Repo};
use crate::auth::testing::{Alg, SigningKey};
use crate::events::EventKind;
use crate::jetstream::interests::index;
use crate::jetstream::mapping::{map, CreateOp, RecordBody};
use serde_json::{json, Value};
use std::collections::HashSet;

const ALICE: &str = "did:plc:aliceaaaaaaaaaaaaaaaaaaa";
const BOB: &str = "did:plc:bobbbbbbbbbbbbbbbbbbbbbb";
const MAX: usize = 1 << 20;

fn repo(did: &str) -> Repo {
    Repo {
        did: did.into(),
        key: SigningKey::generate(Alg::Es256k),
    }
}

fn sets() -> [HashSet<String>; 5] {
    let mut s: [HashSet<String>; 5] = Default::default();
    for k in [EventKind::Follow, EventKind::Chat, EventKind::Mention] {
        s[index(k)].insert(BOB.to_string());
    }
    s
}

fn follow(subject: &str) -> Create {
    Create {
        collection: "app.bsky.graph.follow".into(),
        rkey: "3kfollow0000a".into(),
        record: json!({"$type": "app.bsky.graph.follow", "subject": subject,
                       "createdAt": "2026-01-01T00:00:00.000Z"}),
    }
}

fn like() -> Create {
    Create {
        collection: "app.bsky.feed.like".into(),
        rkey: "3klike00000aa".into(),
        record: json!({"$type": "app.bsky.feed.like", "createdAt": "2026-01-01T00:00:00.000Z",
            "subject": {"uri": format!("at://{BOB}/app.bsky.feed.post/3k"),
                        "cid": "bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj4"}}),
    }
}

fn none() -> HashSet<String> {
    HashSet::new()
}

#[test]
fn a_matching_commit_decodes_maps_and_verifies_with_the_repo_key() {
    let alice = repo(ALICE);
    let parts = CommitParts::new(&alice, 7, &[like(), follow(BOB)]);
    let frame = parts.frame();
    let examined = examine(&frame, MAX, &sets(), &none());
    assert_eq!(examined.seq, Some(7));
    assert!(examined.invalid.is_empty());
    let Step::Verify(c) = examined.step else {
        panic!("{:?}", examined.step)
    };
    assert_eq!(c.did, ALICE);
    assert_eq!(c.events.len(), 1);
    let e = &c.events[0];
    assert_eq!((e.kind, e.subject.as_str()), (EventKind::Follow, BOB));
    assert_eq!(
        e.uri.as_deref(),
        Some(&*format!(
            "at://{ALICE}/app.bsky.graph.follow/3kfollow0000a"
        ))
    );
    assert!(c.commit.verify(&alice.key.public_key()).is_ok());
    // Another key, or a P-256 key, does not verify it.
    assert!(c.commit.verify(&repo(ALICE).key.public_key()).is_err());
    let p256 = SigningKey::generate(Alg::Es256).public_key();
    assert!(c.commit.verify(&p256).is_err());
}

#[test]
fn the_same_record_maps_to_the_same_events_from_either_source() {
    let rec = json!({"$type": "place.stream.chat.message", "text": "hi @bob",
        "streamer": BOB, "createdAt": "2026-01-01T00:00:00.000Z",
        "facets": [{"index": {"byteStart": 3, "byteEnd": 7},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": BOB}]}]});
    let text = rec.to_string();
    let cbor = testing::encode(&testing::ipld(&rec));
    let op = |record| CreateOp {
        did: ALICE,
        collection: "place.stream.chat.message",
        rkey: "3kchat",
        record,
    };
    let from_json = map(&op(RecordBody::Json(&text)), &sets());
    let from_cbor = map(&op(RecordBody::Cbor(&cbor)), &sets());
    assert_eq!(from_json.events.len(), 2);
    assert_eq!(from_json.events, from_cbor.events);
}

#[test]
fn unrelated_commits_stop_at_the_path_scan() {
    let alice = repo(ALICE);
    // A like, and a follow of someone without a webhook: nothing to read.
    for creates in [vec![like()], vec![]] {
        let parts = CommitParts::new(&alice, 3, &creates);
        // Garbage blocks: never read, since no op asks for them.
        let frame = parts.frame_with_car(b"not a car".to_vec());
        let ex = examine(&frame, MAX, &sets(), &none());
        assert!(matches!(ex.step, Step::Pass), "{:?}", ex.step);
        assert_eq!(ex.seq, Some(3));
    }
    // A post without a mention: the whole block slice is searched, not read.
    let post = Create {
        collection: "app.bsky.feed.post".into(),
        rkey: "3kpost".into(),
        record: json!({"$type": "app.bsky.feed.post", "text": "hello", "createdAt": "2026-01-01T00:00:00Z"}),
    };
    let parts = CommitParts::new(&alice, 4, &[post]);
    let ex = examine(&parts.frame(), MAX, &sets(), &none());
    assert!(matches!(ex.step, Step::Pass));
    // A follow of someone nobody watches: read, mapped, nothing produced, no verification.
    let parts = CommitParts::new(&alice, 5, &[follow(ALICE)]);
    assert!(matches!(
        examine(&parts.frame(), MAX, &sets(), &none()).step,
        Step::Pass
    ));
}

fn skip_reason(step: &Step) -> Option<Skip> {
    match step {
        Step::Skip { reason, .. } => Some(*reason),
        _ => None,
    }
}

#[test]
fn frames_that_are_not_cbor_or_too_large_are_skipped_without_a_position() {
    let good = CommitParts::new(&repo(ALICE), 9, &[follow(BOB)]).frame();
    let mut trailing = good.clone();
    trailing.push(0x01);
    let header_only = testing::encode(&testing::ipld(&json!({"op": 1, "t": "#commit"})));
    let wrong_op = testing::encode(&testing::ipld(&json!({"op": 2, "t": "#commit"})));
    for (bad, why) in [
        (b"{\"json\": true}".to_vec(), "not cbor"),
        (vec![], "empty"),
        (vec![0xff; 10], "garbage"),
        (good[..good.len() / 2].to_vec(), "truncated"),
        (trailing, "trailing byte"),
        (header_only, "no body"),
        (wrong_op, "unknown op"),
    ] {
        let ex = examine(&bad, MAX, &sets(), &none());
        assert_eq!(skip_reason(&ex.step), Some(Skip::Malformed), "{why}");
        assert_eq!(ex.seq, None, "{why}");
    }
    let ex = examine(&good, good.len() - 1, &sets(), &none());
    assert_eq!(skip_reason(&ex.step), Some(Skip::TooLarge));
}

#[test]
fn blocks_that_do_not_match_their_cids_are_refused() {
    let alice = repo(ALICE);
    let parts = CommitParts::new(&alice, 11, &[follow(BOB)]);
    let record_cid = parts.blocks[1].0;
    // The record swapped for another one under the same CID.
    let mut spoiled = parts.blocks.clone();
    spoiled[1].1 = testing::encode(&testing::ipld(&follow(ALICE).record));
    let frame = parts.frame_with_car(testing::car(parts.commit, &spoiled));
    let ex = examine(&frame, MAX, &sets(), &none());
    assert_eq!(skip_reason(&ex.step), Some(Skip::BadCar));
    let blocks = Blocks::read(&testing::car(parts.commit, &spoiled)).unwrap();
    assert_eq!(blocks.get(&record_cid), Err(CarError::Mismatch(record_cid)));
    // The commit block spoiled.
    let mut spoiled = parts.blocks.clone();
    spoiled[0].1.push(0);
    let frame = parts.frame_with_car(testing::car(parts.commit, &spoiled));
    assert_eq!(
        skip_reason(&examine(&frame, MAX, &sets(), &none()).step),
        Some(Skip::BadCar)
    );
    // The record missing, and a CAR that does not parse.
    let frame = parts.frame_with_car(testing::car(parts.commit, &parts.blocks[..1]));
    assert_eq!(
        skip_reason(&examine(&frame, MAX, &sets(), &none()).step),
        Some(Skip::BadCar)
    );
    let frame = parts.frame_with_car(vec![0x05, 1, 2]);
    assert_eq!(
        skip_reason(&examine(&frame, MAX, &sets(), &none()).step),
        Some(Skip::BadCar)
    );
}

#[test]
fn a_commit_signed_by_another_key_or_changed_after_signing_fails() {
    let alice = repo(ALICE);
    let parts = CommitParts::new(&alice, 12, &[follow(BOB)]);
    let commit = SignedCommit::decode(&parts.blocks[0].1).unwrap();
    assert!(commit.verify(&alice.key.public_key()).is_ok());
    let mallory = repo(ALICE);
    let forged = CommitParts::new(&mallory, 12, &[follow(BOB)]);
    let commit = SignedCommit::decode(&forged.blocks[0].1).unwrap();
    assert!(commit.verify(&alice.key.public_key()).is_err());
    // The rev changed after signing.
    let mut value: ipld_core::ipld::Ipld =
        serde_ipld_dagcbor::from_slice(&parts.blocks[0].1).unwrap();
    if let ipld_core::ipld::Ipld::Map(m) = &mut value {
        m.insert(
            "rev".into(),
            ipld_core::ipld::Ipld::String("3zzzzzzzzzzzz".into()),
        );
    }
    let commit = SignedCommit::decode(&testing::encode(&value)).unwrap();
    assert!(commit.verify(&alice.key.public_key()).is_err());
    // A commit for another repo is not this repo's commit.
    let bob = repo(BOB);
    let mut parts = CommitParts::new(&bob, 13, &[follow(BOB)]);
    parts.did = ALICE.into();
    let ex = examine(&parts.frame(), MAX, &sets(), &none());
    assert_eq!(skip_reason(&ex.step), Some(Skip::BadCommit));
    // A record that is in the blocks and the ops but not in the tree the repo signed.
    let mut parts = CommitParts::new(&alice, 14, &[like()]);
    let extra = testing::encode(&testing::ipld(&follow(BOB).record));
    let cid = testing::cid_of(&extra);
    parts.blocks.push((cid, extra));
    parts.ops.push((
        "create".into(),
        "app.bsky.graph.follow/3kfollow0000a".into(),
        Some(cid),
    ));
    let ex = examine(&parts.frame(), MAX, &sets(), &none());
    assert_eq!(skip_reason(&ex.step), Some(Skip::BadCommit));
    // A block that is not a commit at all.
    for bad in [
        json!({"did": ALICE}),
        json!([1, 2]),
        json!({"did": ALICE, "rev": "x", "sig": {"$bytes": "AA"}}),
    ] {
        assert!(SignedCommit::decode(&testing::encode(&testing::ipld(&bad))).is_err());
    }
}

#[test]
fn high_s_signatures_are_refused() {
    use k256::elliptic_curve::ops::Neg as _;
    let alice = repo(ALICE);
    let parts = CommitParts::new(&alice, 14, &[]);
    let Ok(ipld_core::ipld::Ipld::Map(mut m)) =
        serde_ipld_dagcbor::from_slice::<ipld_core::ipld::Ipld>(&parts.blocks[0].1)
    else {
        panic!("a map")
    };
    let Some(ipld_core::ipld::Ipld::Bytes(sig)) = m.get("sig").cloned() else {
        panic!("a sig")
    };
    let low = k256::ecdsa::Signature::from_slice(&sig).unwrap();
    let (r, s) = low.split_scalars();
    let high = k256::ecdsa::Signature::from_scalars(r, s.as_ref().neg()).unwrap();
    m.insert(
        "sig".into(),
        ipld_core::ipld::Ipld::Bytes(high.to_bytes().to_vec()),
    );
    let commit = SignedCommit::decode(&testing::encode(&ipld_core::ipld::Ipld::Map(m))).unwrap();
    assert!(commit.verify(&alice.key.public_key()).is_err());
}

#[test]
fn records_that_fail_their_lexicon_are_counted_and_the_rest_go_on() {
    let alice = repo(ALICE);
    let mut bad = follow(BOB);
    bad.record["createdAt"] = json!("not a date");
    bad.rkey = "3kbad".into();
    let ex = examine(
        &CommitParts::new(&alice, 15, &[bad.clone()]).frame(),
        MAX,
        &sets(),
        &none(),
    );
    assert!(matches!(ex.step, Step::Pass));
    assert_eq!(ex.invalid, vec!["app.bsky.graph.follow/3kbad".to_string()]);
    let ex = examine(
        &CommitParts::new(&alice, 16, &[bad, follow(BOB)]).frame(),
        MAX,
        &sets(),
        &none(),
    );
    assert_eq!(ex.invalid.len(), 1);
    assert!(matches!(ex.step, Step::Verify(ref c) if c.events.len() == 1));
}

#[test]
fn identity_account_info_error_and_sync_frames_decode() {
    let f = testing::identity_frame(20, ALICE, "alice.test");
    assert!(matches!(examine(&f, MAX, &sets(), &none()).step, Step::Identity(ref d) if d == ALICE));
    let f = testing::account_frame(21, ALICE, false);
    let ex = examine(&f, MAX, &sets(), &none());
    assert_eq!(ex.seq, Some(21));
    assert!(matches!(ex.step, Step::Account { active: false, .. }));
    let f = testing::info_frame("OutdatedCursor");
    let ex = examine(&f, MAX, &sets(), &none());
    assert_eq!(ex.seq, None);
    assert!(
        matches!(ex.step, Step::Notice { ref name, error: false, .. } if name == "OutdatedCursor")
    );
    let f = testing::error_frame("FutureCursor", "cursor in the future");
    assert!(matches!(
        examine(&f, MAX, &sets(), &none()).step,
        Step::Notice { error: true, .. }
    ));
    let sync = testing::frame(
        "#sync",
        &testing::ipld(
            &json!({"seq": 22, "did": ALICE, "rev": "3k", "blocks": {"$bytes": "AA"},
                               "time": "2026-01-01T00:00:00Z"}),
        ),
    );
    let ex = examine(&sync, MAX, &sets(), &none());
    assert_eq!((ex.seq, matches!(ex.step, Step::Pass)), (Some(22), true));
    let other = testing::frame("#handle", &testing::ipld(&json!({"seq": 23, "did": ALICE})));
    assert!(matches!(
        decode(&other, MAX),
        Ok(Frame::Other { seq: Some(23), .. })
    ));
}

#[test]
fn an_inactive_account_produces_nothing() {
    let parts = CommitParts::new(&repo(ALICE), 30, &[follow(BOB)]);
    let inactive: HashSet<String> = [ALICE.to_string()].into();
    let ex = examine(&parts.frame(), MAX, &sets(), &inactive);
    assert_eq!(skip_reason(&ex.step), Some(Skip::Inactive));
    assert_eq!(ex.seq, Some(30));
}

#[test]
fn cbor_records_keep_links_and_bytes_in_their_json_form() {
    let rec = json!({"$type": "place.stream.livestream", "title": "hi",
        "createdAt": "2026-01-01T00:00:00Z",
        "thumb": {"$type": "blob", "ref": {"$link": "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"},
                  "mimeType": "image/jpeg", "size": 1000}});
    let cbor = testing::encode(&testing::ipld(&rec));
    let back: Value = super::record::to_json(&cbor).unwrap();
    assert_eq!(back, rec);
}

/// The DID document side: a document without an `#atproto` key is a `MissingKey` (the
/// consumer's `no_key`), and the key cache serves, forgets and refreshes keys.
#[tokio::test]
async fn signing_keys_come_from_the_did_document_and_are_refreshed() {
    use crate::did::{DidError, DidResolver, DidResolverConfig};
    use std::sync::{Arc, Mutex};
    let key = Arc::new(Mutex::new(Some(SigningKey::generate(Alg::Es256k))));
    let served = key.clone();
    let app = axum::Router::new().route(
        "/{did}",
        axum::routing::get(
            move |axum::extract::Path(did): axum::extract::Path<String>| {
                let served = served.clone();
                async move {
                    let key = served.lock().unwrap().clone();
                    let doc = match key {
                        Some(k) => crate::auth::testing::did_document(
                            &did,
                            &k.public_key(),
                            "alice.test",
                            "https://pds.example",
                        ),
                        None => json!({"id": did, "alsoKnownAs": ["at://alice.test"]}),
                    };
                    axum::Json(doc)
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let dids = Arc::new(
        DidResolver::new(DidResolverConfig {
            plc_url: format!("http://{addr}").parse().unwrap(),
            ..DidResolverConfig::default()
        })
        .unwrap(),
    );
    let keys = super::SigningKeys::new(dids);
    let first = key.lock().unwrap().clone().unwrap().public_key();
    assert_eq!(keys.key(ALICE, false).await.unwrap(), first);
    // Rotated: the cache still has the old key until asked afresh.
    *key.lock().unwrap() = Some(SigningKey::generate(Alg::Es256k));
    assert_eq!(keys.key(ALICE, false).await.unwrap(), first);
    let second = keys.key(ALICE, true).await.unwrap();
    assert_ne!(second, first);
    assert_eq!(keys.key(ALICE, false).await.unwrap(), second);
    // No key in the document.
    *key.lock().unwrap() = None;
    keys.forget(ALICE);
    assert!(matches!(
        keys.key(ALICE, false).await,
        Err(DidError::MissingKey { .. })
    ));
    server.abort();
}
