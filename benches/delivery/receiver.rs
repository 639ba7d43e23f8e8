//! The fast local receiver: deliveries counted by phase, latency arrivals, one sample body.

use crate::now_ns;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::Router;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

/// What the receiver has seen. Bodies are Discord payloads; `content` starts with a
/// letter naming the phase (`T` throughput, `B` baseline, `L` latency) and, for `L`,
/// the event's sequence number.
pub(crate) struct Rx {
    pub(crate) through: AtomicU64,
    pub(crate) last_through: AtomicU64,
    pub(crate) base: AtomicU64,
    pub(crate) last_base: AtomicU64,
    pub(crate) lat: AtomicU64,
    /// Arrival (ns) of latency event `seq` at webhook `w`: index `seq * lat_w + w`.
    pub(crate) lat_arrival: Vec<AtomicU64>,
    pub(crate) lat_w: usize,
    pub(crate) other: AtomicU64,
    /// A delivered body and its headers (from the warm-up).
    pub(crate) sample: Mutex<Option<Sample>>,
}

/// A request's body and headers.
type Sample = (Vec<u8>, Vec<(String, String)>);

#[derive(serde::Deserialize)]
struct Msg {
    content: String,
}

async fn receive(
    State(rx): State<Arc<Rx>>,
    uri: Uri,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> StatusCode {
    let at = now_ns();
    let content = serde_json::from_slice::<Msg>(&body)
        .map(|m| m.content)
        .unwrap_or_default();
    match content.as_bytes().first() {
        Some(b'T') => {
            rx.through.fetch_add(1, Ordering::Relaxed);
            rx.last_through.fetch_max(at, Ordering::Relaxed);
        }
        Some(b'B') => {
            rx.base.fetch_add(1, Ordering::Relaxed);
            rx.last_base.fetch_max(at, Ordering::Relaxed);
        }
        Some(b'L') => {
            let seq: Option<usize> = content[1..].parse().ok();
            let w: Option<usize> = uri.path().rsplit('/').next().and_then(|w| w.parse().ok());
            if let (Some(seq), Some(w)) = (seq, w) {
                if let Some(slot) = rx.lat_arrival.get(seq * rx.lat_w + w) {
                    if slot
                        .compare_exchange(0, at, Ordering::Relaxed, Ordering::Relaxed)
                        .is_ok()
                    {
                        rx.lat.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
        _ => {
            rx.other.fetch_add(1, Ordering::Relaxed);
            let mut s = rx.sample.lock().expect("sample lock");
            if s.is_none() {
                let hs = headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                    .collect();
                *s = Some((body.to_vec(), hs));
            }
        }
    }
    StatusCode::NO_CONTENT
}

pub(crate) async fn start_receiver(lat_slots: usize, lat_w: usize) -> (String, Arc<Rx>) {
    let rx = Arc::new(Rx {
        through: AtomicU64::new(0),
        last_through: AtomicU64::new(0),
        base: AtomicU64::new(0),
        last_base: AtomicU64::new(0),
        lat: AtomicU64::new(0),
        lat_arrival: (0..lat_slots).map(|_| AtomicU64::new(0)).collect(),
        lat_w,
        other: AtomicU64::new(0),
        sample: Mutex::new(None),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new().fallback(receive).with_state(rx.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), rx)
}
