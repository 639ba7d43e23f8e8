//! The fake Jetstream: a websocket server on its own thread that sends the replay once.

use crate::replay::WireFrame;
use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub(crate) struct FakeStats {
    pub(crate) sent: AtomicU64,
    connections: AtomicU64,
    /// When the first connection's handshake completed.
    pub(crate) started: Mutex<Option<Instant>>,
    /// When the last frame had been written.
    pub(crate) finished: Mutex<Option<Instant>>,
}

pub(crate) struct Fake {
    pub(crate) url: String,
    pub(crate) stats: Arc<FakeStats>,
    cancel: CancellationToken,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Fake {
    pub(crate) fn start(frames: Arc<Vec<WireFrame>>) -> Self {
        let stats = Arc::new(FakeStats::default());
        let cancel = CancellationToken::new();
        let (tx, rx) = mpsc::channel();
        let (stats2, cancel2) = (stats.clone(), cancel.clone());
        let thread = std::thread::Builder::new()
            .name("fake-jetstream".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                    tx.send(listener.local_addr().expect("addr")).expect("addr");
                    loop {
                        let stream = tokio::select! {
                            r = listener.accept() => match r { Ok((s, _)) => s, Err(_) => return },
                            _ = cancel2.cancelled() => return,
                        };
                        let _ = stream.set_nodelay(true);
                        tokio::spawn(serve_connection(stream, frames.clone(), stats2.clone()));
                    }
                });
            })
            .expect("thread");
        let addr = rx.recv().expect("fake address");
        Fake {
            url: format!("ws://{addr}/subscribe"),
            stats,
            cancel,
            thread: Some(thread),
        }
    }

    pub(crate) fn started(&self) -> Option<Instant> {
        *self.stats.started.lock().expect("lock")
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.cancel.cancel();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    frames: Arc<Vec<WireFrame>>,
    stats: Arc<FakeStats>,
) {
    let query = Arc::new(Mutex::new(String::new()));
    let q2 = query.clone();
    // The callback's signature is tungstenite's; its error type is large.
    #[allow(clippy::result_large_err)]
    let cb = move |req: &Request, res: Response| {
        *q2.lock().expect("lock") = req.uri().query().unwrap_or("").to_string();
        Ok(res)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, cb).await else {
        return;
    };
    let n = stats.connections.fetch_add(1, Ordering::SeqCst);
    if n > 0 {
        // A reconnect: the replay is over, this is the live tail with nothing new.
        while let Some(Ok(_)) = ws.next().await {}
        return;
    }
    *stats.started.lock().expect("lock") = Some(Instant::now());
    let query = query.lock().expect("lock").clone();
    let (wanted, cursor) = parse_query(&query);
    let mut since_flush = 0;
    for f in frames.iter() {
        if cursor.is_some_and(|c| f.time_us < c) {
            continue;
        }
        if !f.collection.is_empty()
            && !wanted.is_empty()
            && !wanted.iter().any(|w| w == f.collection)
        {
            continue;
        }
        // Buffered (tungstenite writes out once its buffer is full); flushed in batches.
        if ws.feed(Message::Text(f.text.clone())).await.is_err() {
            return;
        }
        stats.sent.fetch_add(1, Ordering::Relaxed);
        since_flush += 1;
        if since_flush == 256 {
            since_flush = 0;
            if ws.flush().await.is_err() {
                return;
            }
        }
    }
    if ws.flush().await.is_err() {
        return;
    }
    *stats.finished.lock().expect("lock") = Some(Instant::now());
    let _ = ws.close(None).await;
    while let Some(Ok(_)) = ws.next().await {}
}

fn parse_query(q: &str) -> (Vec<String>, Option<i64>) {
    let mut wanted = Vec::new();
    let mut cursor = None;
    for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
        match &*k {
            "wantedCollections" => wanted.push(v.into_owned()),
            "cursor" => cursor = v.parse().ok(),
            _ => {}
        }
    }
    (wanted, cursor)
}
