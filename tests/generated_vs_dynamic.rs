//! The compiled-in (generated) JSON validation and the dynamic validator behind
//! `lex validate` must give the same verdict on any value. The dynamic one is checked
//! against the reference implementation by `tools/ref/difftest.sh`; this closes the loop
//! for the generated code, on random mutations of valid values.

use placehook_lex::catalog::Catalog;
use placehook_lex::validate::Validator;
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::OnceLock;

fn validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons");
        Validator::new(&Catalog::load_dir(&dir).unwrap())
    })
}

fn seeds() -> Vec<(&'static str, Value)> {
    let cid = "bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm";
    vec![
        (
            "place.stream.chat.message",
            json!({
            "$type": "place.stream.chat.message", "text": "hi @bob", "createdAt": "2024-01-01T00:00:00Z",
            "streamer": "did:plc:abc", "facets": [{"index": {"byteStart": 3, "byteEnd": 7},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bob"}]}],
            "reply": {"root": {"uri": "at://did:plc:a/place.stream.chat.message/3k", "cid": cid},
                      "parent": {"uri": "at://did:plc:a/place.stream.chat.message/3k", "cid": cid}}}),
        ),
        (
            "place.stream.livestream",
            json!({
            "$type": "place.stream.livestream", "title": "live!", "createdAt": "2024-01-01T00:00:00Z",
            "url": "https://stream.place/x", "tags": ["a", "lang:en"],
            "thumb": {"$type": "blob", "ref": {"$link": cid}, "mimeType": "image/png", "size": 10},
            "activity": {"$type": "place.stream.defs#activityLabel", "label": "x"}}),
        ),
        (
            "place.stream.server.createWebhook",
            json!({
            "url": "https://example.com/h", "events": ["chat", "follow"], "prefix": "p", "suffix": "s",
            "rewrite": [{"from": "a", "to": "b"}], "muteWords": ["x"], "active": true}),
        ),
        (
            "place.stream.server.listWebhooks",
            json!({"limit": 10, "event": "chat", "active": true}),
        ),
        (
            "place.stream.server.defs#webhook",
            json!({
            "id": "x", "url": "https://e.com/", "events": ["chat"], "active": true,
            "createdAt": "2024-01-01T00:00:00.000Z", "errorCount": 2}),
        ),
        (
            "app.bsky.feed.post",
            json!({
            "$type": "app.bsky.feed.post", "text": "t", "createdAt": "2024-01-01T00:00:00Z",
            "langs": ["en"], "embed": {"$type": "app.bsky.embed.external",
            "external": {"uri": "https://x.y", "title": "t", "description": "d"}}}),
        ),
    ]
}

fn random_value(rng: &mut StdRng, depth: u32) -> Value {
    let cid = "bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm";
    match rng.gen_range(0..16) {
        0 => Value::Null,
        1 => json!(rng.gen_bool(0.5)),
        2 => json!(rng.gen_range(-5i64..200)),
        3 => json!(rng.gen_range(-1e3..1e3)),
        4 => json!(
            [
                "",
                "a",
                "did:plc:abc",
                "2024-01-00T00:00:00Z",
                "é€😀",
                "chat",
                &"x".repeat(101)
            ][rng.gen_range(0..7)]
        ),
        5 => json!({"$bytes": (["AAEC", "A", "ŁŁŁŁ"][rng.gen_range(0..3)])}),
        6 => json!({"$link": ([cid, "Qm", "bad"][rng.gen_range(0..3)])}),
        7 => json!({"cid": (["bad", cid][rng.gen_range(0..2)]), "mimeType": "image/png"}),
        8 => {
            json!({"$type": (["app.bsky.richtext.facet#link", "x.y.z", "#a", "a#b#c", "lex:app.bsky.richtext.facet#mention"][rng.gen_range(0..5)]), "uri": "https://a.b", "did": "did:plc:x"})
        }
        9 => json!({"/": "x", "bytes": "x"}),
        10 => json!({"__proto__": 1}),
        11 => json!({"constructor": "x", "length": 1}),
        12 if depth < 3 => Value::Array(
            (0..rng.gen_range(0..4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        13 if depth < 3 => {
            let mut m = serde_json::Map::new();
            for _ in 0..rng.gen_range(0..4) {
                let k = ["a", "text", "uri", "$type", "toString", "0"][rng.gen_range(0..6)];
                m.insert(k.to_string(), random_value(rng, depth + 1));
            }
            Value::Object(m)
        }
        _ => json!("2024-01-01T00:00:00Z"),
    }
}

/// Replace, delete or add one thing somewhere in `v`.
fn mutate(v: &mut Value, rng: &mut StdRng, depth: u32) {
    let descend = depth < 6 && rng.gen_bool(0.7);
    match v {
        Value::Object(m) if !m.is_empty() => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = keys[rng.gen_range(0..keys.len())].clone();
            match rng.gen_range(0..4) {
                0 => {
                    m.remove(&k);
                }
                1 if !descend => {
                    m.insert(k, random_value(rng, 0));
                }
                2 => {
                    m.insert(
                        ["extra", "$type", "constructor", "length"][rng.gen_range(0..4)].into(),
                        random_value(rng, 0),
                    );
                }
                _ => mutate(m.get_mut(&k).unwrap(), rng, depth + 1),
            }
        }
        Value::Array(a) if !a.is_empty() => {
            let i = rng.gen_range(0..a.len());
            if descend {
                mutate(&mut a[i], rng, depth + 1)
            } else {
                a[i] = random_value(rng, 0)
            }
        }
        _ => *v = random_value(rng, 0),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    #[test]
    fn generated_and_dynamic_agree(seed in any::<u64>(), which in 0usize..6, n in 1u32..4) {
        let (def, mut value) = seeds().swap_remove(which);
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..n {
            mutate(&mut value, &mut rng, 0);
        }
        if rng.gen_bool(0.05) {
            value = random_value(&mut rng, 0);
        }
        let v = validator();
        let dynamic = v.validate(&v.entry(def).unwrap(), &value);
        let generated = placehook::lexicon::validate(def, &value).expect("compiled in");
        prop_assert_eq!(dynamic.is_ok(), generated.is_ok(), "{} on {}: dynamic {:?}, generated {:?}", def, value, dynamic, generated);
    }
}

#[test]
fn seeds_are_valid() {
    for (def, value) in seeds() {
        assert!(
            placehook::lexicon::validate(def, &value).unwrap().is_ok(),
            "{def}: {value}"
        );
    }
}
