//! A fake Jetstream: a websocket server on loopback that replays a fixed stream of frames
//! in the real wire format, honours `wantedCollections` and `cursor`, and can be told to
//! drop the connection after some frames (to exercise reconnects).

use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;

/// The running fake.
pub struct FakeJetstream {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Query strings of every connection, in order.
    pub connections: Arc<Mutex<Vec<String>>>,
    /// Frames sent in all.
    #[allow(dead_code)]
    pub sent: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeJetstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Called with each frame just before it is sent.
pub type BeforeSend = Arc<dyn Fn(&serde_json::Value) + Send + Sync>;

/// How a connection behaves.
#[derive(Clone, Default)]
pub struct Plan {
    /// Close connection number i (0-based) after `drop_after[i]` frames; later
    /// connections send everything.
    pub drop_after: Vec<usize>,
    /// Pause between frames.
    pub pace: std::time::Duration,
    /// Hook run before each frame goes out.
    pub before_send: Option<BeforeSend>,
}

impl FakeJetstream {
    /// Serves `frames` (JSON text, ascending `time_us`).
    pub async fn start(frames: Vec<String>, plan: Plan) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections: Arc<Mutex<Vec<String>>> = Arc::default();
        let sent = Arc::new(AtomicUsize::new(0));
        let frames = Arc::new(frames);
        let (conns, sent2) = (connections.clone(), sent.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let query = Arc::new(Mutex::new(String::new()));
                let q2 = query.clone();
                // The callback's signature is tungstenite's; its error type is large.
                #[allow(clippy::result_large_err)]
                let cb = move |req: &Request, res: Response| {
                    *q2.lock().unwrap() = req.uri().query().unwrap_or("").to_string();
                    Ok(res)
                };
                let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, cb).await else {
                    continue;
                };
                let query = query.lock().unwrap().clone();
                let n = {
                    let mut c = conns.lock().unwrap();
                    c.push(query.clone());
                    c.len() - 1
                };
                let limit = plan.drop_after.get(n).copied();
                let plan = plan.clone();
                let (frames, sent) = (frames.clone(), sent2.clone());
                tokio::spawn(async move {
                    let (wanted, cursor) = parse_query(&query);
                    let mut count = 0;
                    for f in frames.iter() {
                        let v: serde_json::Value = serde_json::from_str(f).unwrap();
                        if cursor.is_some_and(|c| v["time_us"].as_i64().unwrap() < c) {
                            continue;
                        }
                        let collection = v["commit"]["collection"].as_str();
                        if let Some(c) = collection {
                            if !wanted.is_empty() && !wanted.iter().any(|w| w == c) {
                                continue;
                            }
                        }
                        if limit.is_some_and(|l| count >= l) {
                            let _ = ws.close(None).await;
                            return;
                        }
                        if let Some(hook) = &plan.before_send {
                            hook(&v);
                        }
                        if !plan.pace.is_zero() {
                            tokio::time::sleep(plan.pace).await;
                        }
                        if ws.send(Message::text(f.clone())).await.is_err() {
                            return;
                        }
                        sent.fetch_add(1, Ordering::SeqCst);
                        count += 1;
                    }
                    // Live tail: stay open, answering nothing, until the client goes.
                    while let Some(Ok(_)) = ws.next().await {}
                });
            }
        });
        FakeJetstream {
            addr,
            connections,
            sent,
            task,
        }
    }

    /// `ws://127.0.0.1:<port>/subscribe`
    pub fn url(&self) -> String {
        format!("ws://{}/subscribe", self.addr)
    }
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
