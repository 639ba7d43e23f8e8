//! Slow or silent clients cannot hold connections: heads and bodies have deadlines, and
//! open connections are bounded.

use crate::raw::{exchange, parse_all, read_one, read_to_close};
use crate::support::spawn_app_with;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const HEALTH: &[u8] = b"GET /xrpc/_health HTTP/1.1\r\nHost: x\r\n\r\n";

#[tokio::test]
async fn a_silent_or_half_sent_head_is_closed_at_the_header_timeout() {
    let app = spawn_app_with(|c| c.header_read_timeout = Duration::from_millis(300)).await;
    for (what, sent) in [
        ("nothing", &b""[..]),
        ("half a request line", b"GET /xrpc/_hea"),
        (
            "half the headers",
            b"GET /xrpc/_health HTTP/1.1\r\nHost: x\r\n",
        ),
    ] {
        let started = Instant::now();
        let got = exchange(app.addr, sent, Duration::from_secs(5)).await;
        assert!(
            got.is_empty(),
            "{what}: {:?}",
            String::from_utf8_lossy(&got)
        );
        assert!(started.elapsed() >= Duration::from_millis(250), "{what}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_a_408() {
    let app = spawn_app_with(|c| c.body_read_timeout = Duration::from_millis(300)).await;
    let req = b"POST /xrpc/place.stream.server.createWebhook HTTP/1.1\r\nHost: x\r\n\
                Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"url\":";
    let got = exchange(app.addr, req, Duration::from_secs(5)).await;
    let res = parse_all(&got);
    assert_eq!(res.len(), 1, "{res:?}");
    res[0].assert_xrpc_error(408, "RequestTimeout");
    app.stop().await;
}

#[tokio::test]
async fn idle_connections_at_the_bound_time_out_and_health_answers_again() {
    let app = spawn_app_with(|c| {
        c.max_connections = 3;
        c.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(TcpStream::connect(app.addr).await.unwrap());
    }
    let mut health = TcpStream::connect(app.addr).await.unwrap();
    health.write_all(HEALTH).await.unwrap();
    assert!(
        read_one(&mut health, Duration::from_millis(300))
            .await
            .is_none(),
        "the fourth connection waits while three are open"
    );
    let res = read_one(&mut health, Duration::from_secs(5))
        .await
        .expect("answered once the idle connections time out");
    assert_eq!(res.status, 200, "{res:?}");
    for mut sock in idle {
        let got = read_to_close(&mut sock, Duration::from_secs(5)).await;
        assert_eq!(
            got,
            Ok(Vec::new()),
            "an idle connection is closed unanswered"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_finish() {
    let app = spawn_app_with(|_| {}).await;
    let body = br#"{"url":"https://example.com/hook","events":["chat"]}"#;
    let mut sock = TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /xrpc/place.stream.server.createWebhook HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    sock.write_all(&body[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopped = tokio::spawn(app.stop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!stopped.is_finished(), "the server waits for the request");
    sock.write_all(&body[10..]).await.unwrap();
    let got = read_to_close(&mut sock, Duration::from_secs(5))
        .await
        .unwrap();
    let res = parse_all(&got);
    // No token: the body was read and validated, then authentication failed.
    res[0].assert_xrpc_error(401, "AuthenticationRequired");
    assert_eq!(res[0].header("connection"), Some("close"));
    tokio::time::timeout(Duration::from_secs(5), stopped)
        .await
        .expect("stops once the request is answered")
        .unwrap();
}
