//! Raw HTTP/1.1 over a real socket, for what an HTTP client library will not send.

#![allow(dead_code)]

use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One parsed response.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    /// Header lines, names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON; panics if it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "non-JSON body for {}: {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Assert an XRPC error body with this status and name.
    pub fn assert_xrpc_error(&self, status: u16, name: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{self:?}"
        );
        let body = self.json();
        assert_eq!(body["error"], name, "{body}");
        assert!(body["message"].is_string(), "{body}");
    }
}

/// Send `request`, then read until the server closes the connection (at most `wait`).
pub async fn exchange(addr: SocketAddr, request: &[u8], wait: Duration) -> Vec<u8> {
    let mut sock = TcpStream::connect(addr).await.unwrap();
    sock.write_all(request).await.unwrap();
    read_to_close(&mut sock, wait)
        .await
        .unwrap_or_else(|got| panic!("still open after {wait:?}; got {got:?}"))
}

/// Read until EOF; `Err` with what was read if `wait` passes first.
pub async fn read_to_close(sock: &mut TcpStream, wait: Duration) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let read = tokio::time::timeout(wait, async {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    match read {
        Ok(()) => Ok(out),
        Err(_) => Err(String::from_utf8_lossy(&out).into_owned()),
    }
}

/// Read one whole response (head and `content-length` body) within `wait`; bytes after
/// it are dropped.
pub async fn read_one(sock: &mut TcpStream, wait: Duration) -> Option<RawResponse> {
    let mut out = Vec::new();
    tokio::time::timeout(wait, async {
        let mut buf = [0u8; 16 * 1024];
        loop {
            if let Some((res, _)) = parse_one(&out) {
                return Some(res);
            }
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .ok()
    .flatten()
}

/// Every whole response in `bytes`, in order.
pub fn parse_all(mut bytes: &[u8]) -> Vec<RawResponse> {
    let mut all = Vec::new();
    while let Some((res, used)) = parse_one(bytes) {
        all.push(res);
        bytes = &bytes[used..];
    }
    assert!(
        bytes.is_empty(),
        "trailing bytes: {:?}",
        String::from_utf8_lossy(bytes)
    );
    all
}

fn parse_one(bytes: &[u8]) -> Option<(RawResponse, usize)> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..end]).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let start = end + 4;
    let body = bytes.get(start..start + len)?.to_vec();
    Some((
        RawResponse {
            status,
            headers,
            body,
        },
        start + len,
    ))
}
