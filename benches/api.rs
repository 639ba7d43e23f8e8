//! XRPC API throughput and latency over loopback HTTP/1.1: `getWebhook`, `listWebhooks` and
//! `createWebhook` on the real server (`placehook::server::run`, SQLite in a temp dir,
//! API-token auth), against a trivial axum handler returning a JSON body of similar size,
//! measured in the same process and run. Then the idle RSS of the real binary.
//!
//! Run: `cargo bench --bench api`. One tokio multi-thread runtime is shared by the server,
//! the baseline and the load generator (sqlx additionally runs each SQLite connection on
//! its own thread). The load generator keeps C keep-alive connections (hyper client), one
//! request in flight on each, and records every latency after the warm-up; any non-200
//! answer fails the run. Environment overrides: `PLACEHOOK_BENCH_CONNS` (32),
//! `PLACEHOOK_BENCH_SECS` (5), `PLACEHOOK_BENCH_WARMUP_SECS` (1), `PLACEHOOK_BENCH_THREADS`
//! (available cores). Targets (issue 3): reads >= 50% of the trivial rate, creates >=
//! 5,000/s, idle RSS < 30 MB.

use axum::routing::get;
use axum::{Json, Router};
use futures_util::{stream, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{header, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use placehook::config::ServeConfig;
use placehook::store::{Store, StoreOptions};
use rand::Rng;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};

const GET: &str = "/xrpc/place.stream.server.getWebhook";
const LIST: &str = "/xrpc/place.stream.server.listWebhooks";
const CREATE: &str = "/xrpc/place.stream.server.createWebhook";
const TRIVIAL: &str = "/xrpc/_trivial";
/// Webhooks of the reading account; three in four include `chat`.
const READ_SET: usize = 1000;

type MakeReq = Arc<dyn Fn(usize, u64) -> Request<Full<Bytes>> + Send + Sync>;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Cfg {
    conns: usize,
    warmup: Duration,
    secs: Duration,
}

/// One scenario's figures: requests/s and sorted latencies (ns).
struct Outcome {
    name: &'static str,
    rate: f64,
    lat: Vec<u64>,
}

impl Outcome {
    fn pct(&self, p: f64) -> f64 {
        let i = ((self.lat.len() as f64 * p).ceil() as usize).clamp(1, self.lat.len()) - 1;
        self.lat[i] as f64 / 1e6
    }
}

fn request(
    method: Method,
    path: String,
    token: &str,
    body: Option<String>,
) -> Request<Full<Bytes>> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    b.body(Full::new(Bytes::from(body.unwrap_or_default())))
        .expect("request")
}

/// One keep-alive connection issuing requests back to back until `end`.
async fn worker(
    addr: SocketAddr,
    make: MakeReq,
    c: usize,
    from: Instant,
    end: Instant,
) -> (Vec<u64>, u64, Option<String>) {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    tcp.set_nodelay(true).expect("nodelay");
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let (mut lat, mut errors, mut first_error) = (Vec::new(), 0, None);
    let mut n = 0;
    while Instant::now() < end {
        let req = make(c, n);
        n += 1;
        send.ready().await.expect("connection closed");
        let t0 = Instant::now();
        let res = send.send_request(req).await.expect("request failed");
        let status = res.status();
        let body = res.into_body().collect().await.expect("body").to_bytes();
        let ns = t0.elapsed().as_nanos() as u64;
        if t0 < from {
            continue;
        }
        if status != StatusCode::OK {
            errors += 1;
            first_error
                .get_or_insert_with(|| format!("{status}: {}", String::from_utf8_lossy(&body)));
        }
        lat.push(ns);
    }
    (lat, errors, first_error)
}

async fn load(name: &'static str, addr: SocketAddr, make: MakeReq, cfg: &Cfg) -> Outcome {
    let from = Instant::now() + cfg.warmup;
    let end = from + cfg.secs;
    let tasks: Vec<_> = (0..cfg.conns)
        .map(|c| tokio::spawn(worker(addr, make.clone(), c, from, end)))
        .collect();
    let (mut lat, mut errors, mut first) = (Vec::new(), 0, None);
    for t in tasks {
        let (l, e, f) = t.await.expect("worker panicked");
        lat.extend(l);
        errors += e;
        first = first.or(f);
    }
    let secs = from.elapsed().as_secs_f64();
    assert!(
        errors == 0,
        "{name}: {errors} non-200 answers of {}, first: {}",
        lat.len(),
        first.unwrap_or_default()
    );
    lat.sort_unstable();
    Outcome {
        name,
        rate: lat.len() as f64 / secs,
        lat,
    }
}

async fn trivial() -> Json<Value> {
    Json(json!({"webhook": {
        "id": "0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        "url": "http://127.0.0.1:9/hook/0000", "events": ["chat", "livestream"],
        "active": true, "streamplaceFormat": false, "prefix": "[Streamplace] ",
        "createdAt": "2025-01-01T00:00:00.000Z", "errorCount": 0,
    }}))
}

fn create_body(url: &str, events: &[&str]) -> String {
    json!({"url": url, "events": events, "active": true, "prefix": "[Streamplace] "}).to_string()
}

async fn run(cfg: &Cfg) -> (Vec<Outcome>, usize, usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config =
        ServeConfig::for_database(dir.path().join("placehook.sqlite").to_str().expect("utf-8"));
    config.allow_private_targets = true;
    config.max_webhooks_per_owner = 100_000;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(placehook::server::run(config.clone(), listener, async {
        let _ = stopped.await;
    }));
    let tl = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let taddr = tl.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(tl, Router::new().route(TRIVIAL, get(trivial))).await });

    let http = reqwest::Client::new();
    let base = format!("http://{addr}");
    let mut up = false;
    for _ in 0..250 {
        if http
            .get(format!("{base}/xrpc/_health"))
            .send()
            .await
            .is_ok()
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(up, "server did not start");
    // Opened after the server has migrated the file.
    let store = Store::open(&config.database, StoreOptions::default())
        .await
        .expect("store");
    let token = |did: String| {
        let store = store.clone();
        async move {
            store
                .create_token(&did, false, None)
                .await
                .expect("token")
                .1
        }
    };
    let reader: Arc<str> = token("did:web:reader.example".into()).await.into();
    let mut writers = Vec::new();
    for c in 0..cfg.conns {
        writers.push(token(format!("did:web:writer{c}.example")).await);
    }
    let writers = Arc::new(writers);

    let ids: Vec<String> = stream::iter(0..READ_SET)
        .map(|i| {
            let events: &[&str] = if i % 4 == 3 {
                &["follow"]
            } else {
                &["chat", "livestream"]
            };
            let req = http
                .post(format!("{base}{CREATE}"))
                .bearer_auth(&reader)
                .header("content-type", "application/json")
                .body(create_body(&format!("http://127.0.0.1:9/read/{i}"), events));
            async move {
                let v: Value = req
                    .send()
                    .await
                    .expect("create")
                    .json()
                    .await
                    .expect("json");
                v["webhook"]["id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("create failed: {v}"))
                    .to_owned()
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let ids = Arc::new(ids);
    let size = |url: String| {
        let req = http.get(url).bearer_auth(&reader);
        async move {
            req.send()
                .await
                .expect("get")
                .bytes()
                .await
                .expect("body")
                .len()
        }
    };
    let get_size = size(format!("{base}{GET}?id={}", ids[0])).await;
    let trivial_size = size(format!("http://{taddr}{TRIVIAL}")).await;

    let mut out = Vec::new();
    let t = reader.clone();
    let make: MakeReq = Arc::new(move |_, _| request(Method::GET, TRIVIAL.into(), &t, None));
    out.push(load("trivial axum handler (baseline)", taddr, make, cfg).await);
    let t = reader.clone();
    let make: MakeReq = Arc::new(move |_, _| {
        let id = &ids[rand::thread_rng().gen_range(0..ids.len())];
        request(Method::GET, format!("{GET}?id={id}"), &t, None)
    });
    out.push(load("getWebhook (random of 1,000)", addr, make, cfg).await);
    let t = reader.clone();
    let make: MakeReq =
        Arc::new(move |_, _| request(Method::GET, format!("{LIST}?limit=50&event=chat"), &t, None));
    out.push(load("listWebhooks (limit=50, event=chat)", addr, make, cfg).await);
    let make: MakeReq = Arc::new(move |c, n| {
        let body = create_body(
            &format!("http://127.0.0.1:9/hook/{c}/{n}"),
            &["chat", "livestream"],
        );
        request(Method::POST, CREATE.into(), &writers[c], Some(body))
    });
    out.push(load("createWebhook (one owner per connection)", addr, make, cfg).await);

    let _ = stop.send(());
    server.await.expect("server task").expect("server");
    (out, get_size, trivial_size)
}

/// VmRSS (KiB) of `placehook serve` one second after it first answers `/xrpc/_health`.
fn idle_rss() -> u64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_placehook"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
        ])
        .arg(dir.path().join("idle.sqlite"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn placehook serve");
    let healthy = (0..250).any(|_| {
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
    });
    std::thread::sleep(Duration::from_secs(1));
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    assert!(healthy, "placehook serve did not answer /xrpc/_health");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/<pid>/status")
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let threads = env_or("PLACEHOOK_BENCH_THREADS", cores);
    let cfg = Cfg {
        conns: env_or("PLACEHOOK_BENCH_CONNS", 32),
        warmup: Duration::from_secs(env_or("PLACEHOOK_BENCH_WARMUP_SECS", 1) as u64),
        secs: Duration::from_secs(env_or("PLACEHOOK_BENCH_SECS", 5) as u64),
    };
    println!(
        "runtime: one tokio multi-thread runtime, {threads} worker threads ({cores} cores), shared by \
         the server, the baseline and the load generator; {} keep-alive HTTP/1.1 connections, \
         {}s warm-up + {}s measured per scenario",
        cfg.conns,
        cfg.warmup.as_secs(),
        cfg.secs.as_secs()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .expect("runtime");
    let (out, get_size, trivial_size) = rt.block_on(run(&cfg));
    drop(rt);
    let rss = idle_rss();
    println!("body bytes: getWebhook {get_size}, trivial {trivial_size}\n");
    println!("| scenario | requests/s | p50 ms | p99 ms | vs trivial |\n|---|---:|---:|---:|---:|");
    let base = out[0].rate;
    for o in &out {
        println!(
            "| {} | {:.0} | {:.3} | {:.3} | {:.0}% |",
            o.name,
            o.rate,
            o.pct(0.5),
            o.pct(0.99),
            100.0 * o.rate / base
        );
    }
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    let reads = out[1].rate.min(out[2].rate) / base;
    println!(
        "\nreads >= 50% of trivial: {:.0}% -> {}",
        100.0 * reads,
        verdict(reads >= 0.5)
    );
    println!(
        "creates >= 5,000/s: {:.0}/s -> {}",
        out[3].rate,
        verdict(out[3].rate >= 5000.0)
    );
    let mb = rss as f64 * 1024.0 / 1e6;
    println!(
        "idle RSS < 30 MB: {mb:.1} MB ({rss} KiB) -> {}",
        verdict(mb < 30.0)
    );
}
