//! The local receiver: counts deliveries per owner's webhook path.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::Router;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;

pub(crate) struct Rx {
    pub(crate) per_owner: Vec<AtomicU64>,
    pub(crate) total: AtomicU64,
    pub(crate) other: AtomicU64,
}

impl Rx {
    pub(crate) fn reset(&self) {
        for c in &self.per_owner {
            c.store(0, Ordering::SeqCst);
        }
        self.total.store(0, Ordering::SeqCst);
        self.other.store(0, Ordering::SeqCst);
    }
}

async fn receive(State(rx): State<Arc<Rx>>, uri: Uri) -> StatusCode {
    let i: Option<usize> = uri
        .path()
        .strip_prefix("/hook/")
        .and_then(|i| i.parse().ok());
    match i.and_then(|i| rx.per_owner.get(i)) {
        Some(c) => {
            c.fetch_add(1, Ordering::SeqCst);
            rx.total.fetch_add(1, Ordering::SeqCst);
        }
        None => {
            rx.other.fetch_add(1, Ordering::SeqCst);
        }
    }
    StatusCode::NO_CONTENT
}

pub(crate) async fn start_receiver(owners: usize) -> (String, Arc<Rx>) {
    let rx = Arc::new(Rx {
        per_owner: (0..owners).map(|_| AtomicU64::new(0)).collect(),
        total: AtomicU64::new(0),
        other: AtomicU64::new(0),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new().fallback(receive).with_state(rx.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), rx)
}
