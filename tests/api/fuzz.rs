//! Property test: generated requests (methods, NSIDs, params, bodies, headers, auth) get
//! only 2xx or 4xx answers, always with an XRPC body, and the server stays up.

use crate::support::{spawn_app_with, App};
use proptest::prelude::*;
use serde_json::{json, Value};

const NSIDS: &[&str] = &[
    "place.stream.server.createWebhook",
    "place.stream.server.getWebhook",
    "place.stream.server.listWebhooks",
    "place.stream.server.updateWebhook",
    "place.stream.server.deleteWebhook",
    "com.example.unknown",
    "_health",
];

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,120}".prop_map(Value::from),
        prop::sample::select(vec![
            "chat",
            "follow",
            "http://127.0.0.1:9/h",
            "",
            "stream.received"
        ])
        .prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(field(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "url",
            "events",
            "active",
            "prefix",
            "suffix",
            "rewrite",
            "from",
            "to",
            "name",
            "description",
            "muteWords",
            "id",
            "streamplaceFormat",
            "$type",
        ])
        .prop_map(String::from),
        "[a-z]{1,8}",
    ]
}

#[derive(Debug, Clone)]
struct Req {
    post: bool,
    nsid: &'static str,
    query: Vec<(String, String)>,
    body: Vec<u8>,
    content_type: Option<&'static str>,
    auth: u8,
}

fn request() -> impl Strategy<Value = Req> {
    let body = prop_oneof![
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        // a near-valid create body with one field replaced
        (field(), json_value()).prop_map(|(k, v)| {
            let mut b = json!({"url": "http://127.0.0.1:9/h", "events": ["chat"]});
            b[k] = v;
            serde_json::to_vec(&b).unwrap()
        }),
        prop::collection::vec(any::<u8>(), 0..200),
    ];
    let param = (
        field(),
        prop_oneof![
            ".{0,40}".boxed(),
            "-?[0-9]{1,25}".boxed(),
            Just("true".to_string()).boxed()
        ],
    );
    (
        any::<bool>(),
        prop::sample::select(NSIDS),
        prop::collection::vec(param, 0..4),
        body,
        prop::sample::select(vec![
            Some("application/json"),
            None,
            Some("text/plain"),
            Some("application/json; charset=latin1"),
        ]),
        0u8..3,
    )
        .prop_map(|(post, nsid, query, body, content_type, auth)| Req {
            post,
            nsid,
            query,
            body,
            content_type,
            auth,
        })
}

async fn send(app: &App, tok: &str, r: &Req) -> Result<(), String> {
    let url = format!("{}/xrpc/{}", app.base, r.nsid);
    let mut req = if r.post {
        app.http.post(url)
    } else {
        app.http.get(url)
    };
    req = req.query(&r.query);
    if r.post {
        req = req.body(r.body.clone());
    }
    if let Some(ct) = r.content_type {
        req = req.header("Content-Type", ct);
    }
    req = match r.auth {
        0 => req,
        1 => req.bearer_auth(tok),
        _ => req.bearer_auth("eyJhbGciOiJFUzI1NksifQ.e30.AAAA"),
    };
    let res = req.send().await.map_err(|e| e.to_string())?;
    let status = res.status();
    let text = res.text().await.map_err(|e| e.to_string())?;
    let body: Value =
        serde_json::from_str(&text).map_err(|_| format!("non-JSON {status}: {text}"))?;
    // 501 MethodNotImplemented is XRPC's answer for an unknown NSID; any other 5xx is a bug.
    let unimplemented = status == 501 && body["error"] == "MethodNotImplemented";
    if status.is_server_error() && !unimplemented {
        return Err(format!("{status}: {text}"));
    }
    let xrpc_body = body["error"].is_string() && body["message"].is_string();
    if !status.is_success() && !xrpc_body {
        return Err(format!("{status} without an XRPC body: {text}"));
    }
    Ok(())
}

#[test]
fn generated_requests_get_only_2xx_or_4xx_xrpc_answers() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (app, tok) = rt.block_on(async {
        let app = spawn_app_with(|c| {
            c.allow_private_targets = true;
            c.max_webhooks_per_owner = 100_000;
        })
        .await;
        let (_, tok) = app.account("fuzzer").await;
        (app, tok)
    });
    let config = ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(r in request())| {
        let out = rt.block_on(send(&app, &tok, &r));
        prop_assert!(out.is_ok(), "{:?}: {}", r, out.unwrap_err());
    });
    rt.block_on(async {
        // still serving
        let (status, _) = app
            .get("place.stream.server.listWebhooks", Some(&tok), &[])
            .await;
        assert_eq!(status, 200);
        app.stop().await;
    });
}
