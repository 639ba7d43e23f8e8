//! A fake webhook receiver on loopback that can be told what to answer: a status (with
//! headers and body), a delay, or a connection reset. It speaks plain HTTP/1.1 (written
//! by hand so a reset can be a real RST) and hands every request to the test.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// What to answer one request with.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Status, extra headers, body.
    Status(u16, Vec<(&'static str, String)>, String),
    /// Wait, then answer 204.
    Slow(Duration),
    /// Reset the connection without answering.
    Reset,
}

impl Reply {
    /// A bare status.
    pub fn status(code: u16) -> Self {
        Reply::Status(code, Vec::new(), String::new())
    }
}

/// One received request.
#[derive(Debug, Clone)]
pub struct Received {
    /// Request path.
    pub path: String,
    /// Lower-cased header names and their values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Received {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("delivery body is JSON")
    }
}

/// The running receiver.
pub struct Receiver {
    /// Where it listens.
    pub addr: SocketAddr,
    script: Arc<Mutex<VecDeque<Reply>>>,
    rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<Received>>,
    in_flight: Arc<AtomicUsize>,
    /// Most requests seen in flight at once.
    pub max_in_flight: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// Starts answering 204 to everything not scripted.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let script: Arc<Mutex<VecDeque<Reply>>> = Arc::default();
        let (tx, rx) = mpsc::unbounded_channel();
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let (s, f, m) = (script.clone(), in_flight.clone(), max_in_flight.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (s, f, m, tx) = (s.clone(), f.clone(), m.clone(), tx.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, s, f, m, tx).await;
                });
            }
        });
        Receiver {
            addr,
            script,
            rx: tokio::sync::Mutex::new(rx),
            in_flight,
            max_in_flight,
            task,
        }
    }

    /// The URL of `path` here.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Queue answers for the next requests, in order.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.script.lock().unwrap().extend(replies);
    }

    /// The next request, waiting at most `within`.
    pub async fn next(&self, within: Duration) -> Option<Received> {
        tokio::time::timeout(within, self.rx.lock().await.recv())
            .await
            .ok()
            .flatten()
    }

    /// Asserts nothing arrives within `within`.
    pub async fn nothing(&self, within: Duration) {
        if let Some(r) = self.next(within).await {
            panic!("unexpected delivery: {r:?}");
        }
    }

    /// Requests being answered right now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut stream: TcpStream,
    script: Arc<Mutex<VecDeque<Reply>>>,
    in_flight: Arc<AtomicUsize>,
    max: Arc<AtomicUsize>,
    tx: mpsc::UnboundedSender<Received>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        let Some((head_len, path, headers)) = read_head(&mut stream, &mut buf).await? else {
            return Ok(());
        };
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < head_len + len {
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body = buf[head_len..head_len + len].to_vec();
        buf.drain(..head_len + len);
        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        max.fetch_max(now, Ordering::SeqCst);
        let reply = script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Reply::status(204));
        let _ = tx.send(Received {
            path,
            headers,
            body,
        });
        let (code, extra, text) = match reply {
            Reply::Status(c, h, b) => (c, h, b),
            Reply::Slow(d) => {
                tokio::time::sleep(d).await;
                (204, Vec::new(), String::new())
            }
            Reply::Reset => {
                in_flight.fetch_sub(1, Ordering::SeqCst);
                // A zero linger makes close send RST at once (it never blocks).
                #[allow(deprecated)]
                stream.set_linger(Some(Duration::ZERO))?;
                return Ok(());
            }
        };
        let mut out = format!("HTTP/1.1 {code} X\r\ncontent-length: {}\r\n", text.len());
        for (k, v) in extra {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&text);
        in_flight.fetch_sub(1, Ordering::SeqCst);
        stream.write_all(out.as_bytes()).await?;
    }
}

type Head = (usize, String, Vec<(String, String)>);

async fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Option<Head>> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let text = String::from_utf8_lossy(&buf[..end]).into_owned();
            let mut lines = text.split("\r\n");
            let path = lines
                .next()
                .unwrap_or("")
                .split(' ')
                .nth(1)
                .unwrap_or("")
                .to_string();
            let headers = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            return Ok(Some((end + 4, path, headers)));
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}
