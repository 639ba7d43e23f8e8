//! `placehook listen`: a local webhook receiver, for trying placehook without Discord.
//!
//! Accepts `POST` on any path, prints each delivery to stdout (headers, body, and whether
//! its Standard Webhooks signature verifies against `--secret`), and answers 204.

use crate::signing::{secret_key, verify};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use time::macros::format_description;
use time::OffsetDateTime;

/// The largest body `listen` accepts; bigger ones are answered 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The headers printed first, in this order, whether present or not.
const SHOWN_FIRST: [&str; 5] = [
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "content-type",
    "user-agent",
];

/// `placehook listen`
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// Address to listen on (port 0 picks a free port; the real one is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9000")]
    pub listen: SocketAddr,
    /// The webhook's secret (`whsec_...`); with it, every delivery's signature is checked.
    #[arg(
        long,
        value_name = "SECRET",
        env = "PLACEHOOK_SECRET",
        hide_env_values = true
    )]
    pub secret: Option<String>,
}

/// Receive deliveries until SIGINT/SIGTERM; returns the exit code.
pub fn run(args: ListenArgs) -> i32 {
    let key = match args.secret.as_deref().map(secret_key).transpose() {
        Ok(key) => key,
        Err(e) => {
            eprintln!("error: --secret: {e}");
            return 2;
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return 1;
        }
    };
    rt.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(args.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {}: {e}", args.listen);
                return 1;
            }
        };
        let addr = listener.local_addr().unwrap_or(args.listen);
        print_out(&format!("listening on http://{addr}\n"));
        let served = axum::serve(listener, router(key, print_out))
            .with_graceful_shutdown(crate::server::shutdown_signal())
            .await;
        match served {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        }
    })
}

/// What the receiver checks signatures with and prints to.
struct Receiver {
    key: Option<Vec<u8>>,
    out: fn(&str),
}

/// The receiver: every path, body bounded by [`MAX_BODY_BYTES`].
fn router(key: Option<Vec<u8>>, out: fn(&str)) -> Router {
    Router::new()
        .fallback(receive)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(Arc::new(Receiver { key, out }))
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let now = OffsetDateTime::now_utc();
    if method != Method::POST {
        (receiver.out)(&format!(
            "[{}] {method} {uri}: answered 405 (only POST is accepted)\n\n",
            timestamp(now)
        ));
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "POST")]).into_response();
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            (receiver.out)(&format!(
                "[{}] {method} {uri}: answered {} ({})\n\n",
                timestamp(now),
                status.as_u16(),
                rejection.body_text()
            ));
            return rejection.into_response();
        }
    };
    (receiver.out)(&describe(
        now,
        &method,
        &uri,
        &headers,
        &body,
        receiver.key.as_deref(),
    ));
    StatusCode::NO_CONTENT.into_response()
}

/// Writes `text` to stdout in one piece and flushes; a closed stdout is ignored.
fn print_out(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn timestamp(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .unwrap_or_default()
}

/// What `listen` prints for one delivery received at `at`: a header line, the headers
/// (the webhook ones first), the body (reindented if JSON), the signature verdict
/// (checked with `key` against `at`), and a blank line.
pub fn describe(
    at: OffsetDateTime,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    key: Option<&[u8]>,
) -> String {
    let mut out = String::new();
    let size = match body.len() {
        1 => "1 byte".to_string(),
        n => format!("{n} bytes"),
    };
    out.push_str(&format!("[{}] {method} {uri} ({size})\n", timestamp(at)));

    for name in SHOWN_FIRST {
        let mut values = headers.get_all(name).iter().peekable();
        if values.peek().is_none() {
            out.push_str(&format!("{name}: (absent)\n"));
        }
        for value in values {
            out.push_str(&format!("{name}: {}\n", lossy(value.as_bytes())));
        }
    }
    for (name, value) in headers {
        if !SHOWN_FIRST.contains(&name.as_str()) {
            out.push_str(&format!("{name}: {}\n", lossy(value.as_bytes())));
        }
    }

    match std::str::from_utf8(body) {
        Ok("") => out.push_str("(empty body)\n"),
        Ok(text) if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() => {
            out.push_str(&reindent_json(text));
            out.push('\n');
        }
        Ok(text) => {
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
        Err(_) => {
            out.push_str("(body is not UTF-8; shown with replacement characters)\n");
            out.push_str(&String::from_utf8_lossy(body));
            out.push('\n');
        }
    }

    out.push_str("signature: ");
    match key {
        None => out.push_str("not checked (no --secret)"),
        Some(key) => {
            let header = |name: &str| headers.get(name).map(|v| lossy(v.as_bytes()));
            let (id, ts, sig) = (
                header("webhook-id"),
                header("webhook-timestamp"),
                header("webhook-signature"),
            );
            let verdict = verify(
                key,
                id.as_deref(),
                ts.as_deref(),
                sig.as_deref(),
                body,
                at.unix_timestamp(),
            );
            match verdict {
                Ok(()) => out.push_str("valid"),
                Err(e) => out.push_str(&format!("INVALID ({e})")),
            }
        }
    }
    out.push_str("\n\n");
    escape_controls(&out)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Control characters other than newline and tab, escaped, so a delivery cannot drive the
/// terminal it is printed on.
fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{{{:04x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Reindents valid JSON text two spaces per level, keeping its tokens exactly as sent
/// (member order, duplicate keys, number spellings, string escapes).
fn reindent_json(text: &str) -> String {
    fn newline(out: &mut String, depth: usize) {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.next_if(|c| c.is_ascii_whitespace()).is_some() {}
                let close = if c == '{' { '}' } else { ']' };
                if chars.next_if_eq(&close).is_some() {
                    out.push(close);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::{generate_secret, signature_header};
    use axum::http::HeaderValue;

    const AT: i64 = 1_700_000_000;

    fn at() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(AT).unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    fn signed(key: &[u8], body: &[u8]) -> HeaderMap {
        let sig = signature_header(&[key.to_vec()], "msg_1", AT, body);
        headers(&[
            ("webhook-id", "msg_1"),
            ("webhook-timestamp", &AT.to_string()),
            ("webhook-signature", &sig),
            ("content-type", "application/json"),
            ("user-agent", "placehook/0.1.0"),
            ("x-extra", "yes"),
        ])
    }

    fn post(uri: &str, h: &HeaderMap, body: &[u8], key: Option<&[u8]>) -> String {
        describe(at(), &Method::POST, &uri.parse().unwrap(), h, body, key)
    }

    #[test]
    fn listen_describes_a_valid_delivery_completely() {
        let key = secret_key(&generate_secret()).unwrap();
        let body = br#"{"b":1,"a":[1.50,{}],"s":"x\"y","n":[]}"#;
        let h = signed(&key, body);
        let text = post("/hooks/a?x=1", &h, body, Some(&key));
        let sig = h["webhook-signature"].to_str().unwrap();
        let expected = format!(
            "[2023-11-14T22:13:20Z] POST /hooks/a?x=1 (39 bytes)\n\
             webhook-id: msg_1\n\
             webhook-timestamp: {AT}\n\
             webhook-signature: {sig}\n\
             content-type: application/json\n\
             user-agent: placehook/0.1.0\n\
             x-extra: yes\n\
             {{\n  \"b\": 1,\n  \"a\": [\n    1.50,\n    {{}}\n  ],\n  \"s\": \"x\\\"y\",\n  \"n\": []\n}}\n\
             signature: valid\n\n"
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn listen_says_why_a_signature_is_invalid() {
        let key = secret_key(&generate_secret()).unwrap();
        let other = secret_key(&generate_secret()).unwrap();
        let h = signed(&key, b"{}");
        let verdict = |h: &HeaderMap, body: &[u8], key: &[u8]| {
            let text = post("/", h, body, Some(key));
            text.lines().rfind(|l| !l.is_empty()).unwrap().to_string()
        };
        assert_eq!(verdict(&h, b"{}", &key), "signature: valid");
        assert_eq!(
            verdict(&h, b"{ }", &key),
            "signature: INVALID (no signature matches)"
        );
        assert_eq!(
            verdict(&h, b"{}", &other),
            "signature: INVALID (no signature matches)"
        );
        assert_eq!(
            verdict(&HeaderMap::new(), b"{}", &key),
            "signature: INVALID (missing webhook-id header)"
        );
        let stale = headers(&[
            ("webhook-id", "msg_1"),
            ("webhook-timestamp", "1600000000"),
            ("webhook-signature", "v1,AAAA"),
        ]);
        assert_eq!(
            verdict(&stale, b"{}", &key),
            "signature: INVALID (webhook-timestamp is outside the 5-minute tolerance)"
        );
    }

    #[test]
    fn listen_without_a_secret_shows_absent_headers_and_raw_text() {
        let text = post("/x", &HeaderMap::new(), b"hello\x1b[31m", None);
        assert_eq!(
            text,
            "[2023-11-14T22:13:20Z] POST /x (10 bytes)\n\
             webhook-id: (absent)\n\
             webhook-timestamp: (absent)\n\
             webhook-signature: (absent)\n\
             content-type: (absent)\n\
             user-agent: (absent)\n\
             hello\\u{001b}[31m\n\
             signature: not checked (no --secret)\n\n"
        );
        let empty = post("/x", &HeaderMap::new(), b"", None);
        assert!(empty.contains("(0 bytes)\n") && empty.contains("\n(empty body)\n"));
        let binary = post("/x", &HeaderMap::new(), b"\xff\x00", None);
        assert!(binary.contains("(2 bytes)\n"));
        assert!(
            binary.contains("not UTF-8; shown with replacement characters)\n\u{fffd}\\u{0000}\n")
        );
    }

    #[test]
    fn listen_reindents_json_without_reordering_or_rewriting() {
        assert_eq!(reindent_json("[]"), "[]");
        assert_eq!(reindent_json(" { } "), "{}");
        assert_eq!(
            reindent_json("{\"k\" : [ 1e400 , \"a,b:{[\\\\\" ],\"k\":null}"),
            "{\n  \"k\": [\n    1e400,\n    \"a,b:{[\\\\\"\n  ],\n  \"k\": null\n}"
        );
        // A JSON string containing a C1 control character is escaped when printed.
        let text = post("/", &HeaderMap::new(), "\"\u{9b}2J\"".as_bytes(), None);
        assert!(text.contains("\n\"\\u{009b}2J\"\n"), "{text}");
    }

    #[tokio::test]
    async fn listen_answers_204_405_and_413() {
        use tower::ServiceExt;
        let send = |method: &str, body: Vec<u8>| {
            let req = axum::http::Request::builder()
                .method(method)
                .uri("/any/path")
                .body(axum::body::Body::from(body))
                .unwrap();
            router(None, |_| {}).oneshot(req)
        };
        let ok = send("POST", b"{}".to_vec()).await.unwrap();
        assert_eq!(ok.status(), StatusCode::NO_CONTENT);
        let get = send("GET", vec![]).await.unwrap();
        assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
        let big = send("POST", vec![b' '; MAX_BODY_BYTES + 1]).await.unwrap();
        assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let edge = send("POST", vec![b' '; MAX_BODY_BYTES]).await.unwrap();
        assert_eq!(edge.status(), StatusCode::NO_CONTENT);
    }
}
