//! Part 3, memory: the release binary with a queue that does not drain, its VmRSS and VmHWM.

use crate::client::{create_webhook, push};
use crate::{env_or, OWNER_R};
use placehook::store::{Store, StoreOptions};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

pub(crate) struct Memory {
    pub(crate) mode: &'static str,
    pub(crate) idle_kb: u64,
    pub(crate) pushed: usize,
    pub(crate) push_secs: f64,
    pub(crate) after_push_kb: u64,
    pub(crate) settled_kb: u64,
    pub(crate) peak_kb: u64,
    pub(crate) hwm_kb: u64,
    pub(crate) pending: i64,
    pub(crate) attempted: i64,
    pub(crate) settle_note: String,
}

fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn healthy(port: u16) -> bool {
    (0..500).any(|_| {
        let ok = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok_and(|mut s| {
            let mut reply = String::new();
            s.write_all(b"GET /xrpc/_health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .is_ok()
                && s.read_to_string(&mut reply).is_ok()
                && reply.starts_with("HTTP/1.1 200")
        });
        if !ok {
            std::thread::sleep(Duration::from_millis(20));
        }
        ok
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

pub(crate) async fn memory(mode: &'static str, events: usize, pushers: usize) -> Memory {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("rss.sqlite");
    let db_s = db.to_str().expect("utf-8").to_string();
    let store = Store::open(&db_s, StoreOptions::default())
        .await
        .expect("store");
    let producer = store
        .create_token("did:web:producer.example", true, None)
        .await
        .expect("token")
        .1;
    let owner = store
        .create_token(OWNER_R, false, None)
        .await
        .expect("token")
        .1;
    store.close().await;

    // The target: a closed port, or a listener that accepts and never answers.
    let mut held = None;
    let target_port = match mode {
        "down" => free_port(),
        _ => {
            let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let port = l.local_addr().expect("addr").port();
            held = Some(tokio::spawn(async move {
                let mut conns = Vec::new();
                while let Ok((s, _)) = l.accept().await {
                    conns.push(s);
                }
            }));
            port
        }
    };

    let port = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_placehook"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
        ])
        .arg(&db)
        .args([
            "--allow-private-targets",
            "--retry-schedule",
            "1h",
            "--delivery-timeout",
            "1h",
            // Look-ups fail fast on a closed loopback port: nothing leaves the machine.
            "--plc-url",
            "http://127.0.0.1:1",
            "--appview-url",
            "http://127.0.0.1:1",
        ])
        .env("RUST_LOG", "error")
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn placehook serve");
    let pid = child.id();
    assert!(
        tokio::task::spawn_blocking(move || healthy(port))
            .await
            .expect("health"),
        "placehook serve did not answer /xrpc/_health"
    );
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    create_webhook(
        &http,
        &base,
        &owner,
        &format!("http://127.0.0.1:{target_port}/hook"),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_kb = status_kb(pid, "VmRSS:");

    // Sample RSS throughout.
    let sampling = Arc::new(AtomicBool::new(true));
    let peak = Arc::new(AtomicU64::new(idle_kb));
    let sampler = {
        let (sampling, peak) = (sampling.clone(), peak.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::SeqCst) {
                peak.fetch_max(status_kb(pid, "VmRSS:"), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };

    let next = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let tasks: Vec<_> = (0..pushers)
        .map(|_| {
            let (http, base, producer, next) =
                (http.clone(), base.clone(), producer.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= events {
                        return;
                    }
                    let n = push(&http, &base, &producer, OWNER_R, &format!("R{i}")).await;
                    assert_eq!(n, 1);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("pusher");
    }
    let push_secs = t0.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after_push_kb = status_kb(pid, "VmRSS:");

    // Let the lane go through the queue (down: every delivery gets its one failed
    // attempt; stalled: nothing moves), then read again.
    let inspect =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("inspect db");
    let counts = || async {
        let (pending, attempted): (i64, i64) = inspect
            .query_row(
                "SELECT COALESCE(SUM(state IN ('pending', 'inflight')), 0), \
                 COALESCE(SUM(attempts > 0), 0) FROM deliveries",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("counts");
        (pending, attempted)
    };
    let settle_limit = Duration::from_secs(env_or("RSS_SETTLE_SECS", 10));
    let t1 = Instant::now();
    let mut settle_note = String::from("measured 2 s after the pushes");
    if mode == "down" {
        loop {
            let (_, attempted) = counts().await;
            if attempted as usize >= events {
                settle_note = format!(
                    "every delivery had failed once {:.0} s after the pushes ended",
                    t1.elapsed().as_secs_f64() + 1.0
                );
                break;
            }
            if t1.elapsed() > settle_limit {
                settle_note = format!(
                    "{attempted} of {events} deliveries attempted {} s after the pushes",
                    settle_limit.as_secs() + 1
                );
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let settled_kb = status_kb(pid, "VmRSS:");
    let hwm_kb = status_kb(pid, "VmHWM:");
    let (pending, attempted) = counts().await;
    sampling.store(false, Ordering::SeqCst);
    let _ = sampler.join();
    let _ = child.kill();
    let _ = child.wait();
    if let Some(h) = held {
        h.abort();
    }
    Memory {
        mode,
        idle_kb,
        pushed: events,
        push_secs,
        after_push_kb,
        settled_kb,
        peak_kb: peak.load(Ordering::SeqCst).max(settled_kb),
        hwm_kb,
        pending,
        attempted,
        settle_note,
    }
}
