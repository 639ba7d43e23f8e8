//! Every answer is an XRPC body, including those for requests that never reach a handler
//! (unparseable heads) or that axum rejects itself; CORS preflights are answered.

use crate::raw::{exchange, parse_all};
use crate::support::spawn_app;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn unparseable_heads_get_xrpc_error_bodies() {
    let app = spawn_app().await;
    let long_query = format!(
        "GET /xrpc/place.stream.server.listWebhooks?cursor={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    let huge_header = format!(
        "GET /xrpc/_health HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(500 * 1024)
    );
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "literal <id> in the query",
            b"GET /xrpc/place.stream.server.getWebhook?id=<id> HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            400,
            "InvalidRequest",
        ),
        ("garbage request line", b"HELLO\r\n\r\n".to_vec(), 400, "InvalidRequest"),
        (
            "space in the path",
            b"GET /xrpc/a b c HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            400,
            "InvalidRequest",
        ),
        (
            "two different content lengths",
            b"POST /xrpc/_health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
                .to_vec(),
            400,
            "InvalidRequest",
        ),
        ("100 KB query", long_query.into_bytes(), 414, "UriTooLong"),
        ("500 KB header", huge_header.into_bytes(), 431, "HeadersTooLarge"),
    ];
    for (what, req, status, name) in cases {
        let got = exchange(app.addr, &req, WAIT).await;
        let res = parse_all(&got);
        assert_eq!(res.len(), 1, "{what}: {res:?}");
        res[0].assert_xrpc_error(status, name);
        assert_eq!(res[0].header("connection"), Some("close"), "{what}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_bad_head_after_a_good_request_on_one_connection_gets_an_xrpc_body() {
    let app = spawn_app().await;
    for first in ["GET", "HEAD"] {
        let req =
            format!("{first} /xrpc/_health HTTP/1.1\r\nHost: x\r\n\r\nGET /<id> HTTP/1.1\r\n\r\n");
        let got = exchange(app.addr, req.as_bytes(), WAIT).await;
        let text = String::from_utf8_lossy(&got);
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{first}: {text}");
        // A HEAD answer has no body, so the second answer starts right after its head.
        let second = if first == "HEAD" {
            text.find("\r\n\r\n").unwrap() + 4
        } else {
            let res = parse_all(&got[..text.find("}").unwrap() + 1]);
            assert_eq!(res[0].json()["version"], env!("CARGO_PKG_VERSION"));
            text.find("}").unwrap() + 1
        };
        let res = parse_all(&got[second..]);
        assert_eq!(res.len(), 1, "{first}: {text}");
        res[0].assert_xrpc_error(400, "InvalidRequest");
    }
    app.stop().await;
}

#[tokio::test]
async fn axum_rejections_get_xrpc_error_bodies() {
    let app = spawn_app().await;
    for (what, req, status, name) in [
        (
            "undecodable NSID",
            "GET /xrpc/%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            400,
            "InvalidRequest",
        ),
        (
            "POST /metrics",
            "POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            405,
            "MethodNotAllowed",
        ),
    ] {
        let got = exchange(app.addr, req.as_bytes(), WAIT).await;
        let res = parse_all(&got);
        assert_eq!(res.len(), 1, "{what}: {res:?}");
        res[0].assert_xrpc_error(status, name);
    }
    app.stop().await;
}

#[tokio::test]
async fn xrpc_answers_cors_preflights_without_credentials() {
    let app = spawn_app().await;
    for path in [
        "/xrpc/place.stream.server.createWebhook",
        "/xrpc/place.stream.server.listWebhooks",
        "/xrpc/_health",
        "/xrpc/com.example.unknown",
    ] {
        let req = format!(
            "OPTIONS {path} HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n\
             Access-Control-Request-Method: POST\r\n\
             Access-Control-Request-Headers: authorization, content-type, atproto-proxy\r\n\
             Connection: close\r\n\r\n"
        );
        let got = exchange(app.addr, req.as_bytes(), WAIT).await;
        let res = &parse_all(&got)[0];
        assert!(res.status == 200 || res.status == 204, "{path}: {res:?}");
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
        let methods = res.header("access-control-allow-methods").unwrap_or("");
        assert!(
            methods.contains("GET") && methods.contains("POST"),
            "{path}: {res:?}"
        );
        let headers = res.header("access-control-allow-headers").unwrap_or("");
        for h in [
            "authorization",
            "content-type",
            "atproto-proxy",
            "atproto-accept-labelers",
        ] {
            assert!(headers.contains(h), "{path}: {h} in {headers:?}");
        }
        assert_eq!(
            res.header("access-control-allow-credentials"),
            None,
            "{path}"
        );
    }
    // The answer itself is readable cross-origin, errors included, never credentialed.
    let res = app
        .raw(
            reqwest::Method::GET,
            "/xrpc/place.stream.server.listWebhooks",
        )
        .header("Origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    assert!(res
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
    app.stop().await;
}
