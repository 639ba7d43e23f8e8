//! A fake repo firehose: a websocket server on loopback serving
//! `com.atproto.sync.subscribeRepos` frames (binary DAG-CBOR, built with
//! `placehook::firehose::testing`), honouring `cursor` (frames after it; a cursor past
//! its newest frame gets a `FutureCursor` error frame and a close), then staying open as a
//! live tail.

use futures_util::{SinkExt, StreamExt};
use placehook::firehose::testing;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;

/// The running fake.
pub struct FakeFirehose {
    addr: SocketAddr,
    /// Path and query of every connection, in order.
    pub connections: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeFirehose {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeFirehose {
    /// Serves `frames`, each with the position a cursor compares against (its `seq`;
    /// for a frame without one, the seq it stands between), `pace` apart.
    pub async fn start(frames: Vec<(i64, Vec<u8>)>, pace: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections: Arc<Mutex<Vec<String>>> = Arc::default();
        let frames = Arc::new(frames);
        let conns = connections.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let seen = Arc::new(Mutex::new(String::new()));
                let seen2 = seen.clone();
                // The callback's signature is tungstenite's; its error type is large.
                #[allow(clippy::result_large_err)]
                let cb = move |req: &Request, res: Response| {
                    *seen2.lock().unwrap() = req.uri().to_string();
                    Ok(res)
                };
                let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, cb).await else {
                    continue;
                };
                let uri = seen.lock().unwrap().clone();
                conns.lock().unwrap().push(uri.clone());
                let frames = frames.clone();
                tokio::spawn(async move {
                    let cursor = cursor_of(&uri);
                    let newest = frames.iter().map(|(seq, _)| *seq).max().unwrap_or(0);
                    if cursor.is_some_and(|c| c > newest) {
                        // As a real host answers a cursor from a future it has not seen.
                        let frame = testing::error_frame("FutureCursor", "Cursor in the future.");
                        let _ = ws.send(Message::binary(frame)).await;
                        let _ = ws.close(None).await;
                        return;
                    }
                    for (seq, frame) in frames.iter() {
                        if cursor.is_some_and(|c| *seq <= c) {
                            continue;
                        }
                        tokio::time::sleep(pace).await;
                        if ws.send(Message::binary(frame.clone())).await.is_err() {
                            return;
                        }
                    }
                    while let Some(Ok(_)) = ws.next().await {}
                });
            }
        });
        FakeFirehose {
            addr,
            connections,
            task,
        }
    }

    /// `ws://127.0.0.1:<port>/xrpc/com.atproto.sync.subscribeRepos`
    pub fn url(&self) -> String {
        format!("ws://{}/xrpc/com.atproto.sync.subscribeRepos", self.addr)
    }
}

fn cursor_of(uri: &str) -> Option<i64> {
    let query = uri.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "cursor")
        .and_then(|(_, v)| v.parse().ok())
}
