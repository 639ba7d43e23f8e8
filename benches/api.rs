//! XRPC API throughput and latency over loopback HTTP/1.1: `getWebhook`, `listWebhooks` and
//! `createWebhook` on the real server (`placehook::server::run`, SQLite in a temp dir,
//! API-token auth), against a trivial axum handler returning a JSON body of about the size
//! of a `getWebhook` answer, measured in the same process and run. Then the idle RSS of
//! the real binary (`placehook serve`, built by cargo for this bench).
//!
//! Run: `cargo bench --bench api`. One tokio multi-thread runtime (one worker per core) is
//! shared by the server, the baseline and the load generator; the store runs reads on
//! the caller's thread and writes on one SQLite writer thread of its own. The load
//! generator keeps C keep-alive connections (hyper client), one request in flight on
//! each, and records every latency after the warm-up; any non-200 answer fails the run.
//! Besides rates, it reports the process's CPU time per request (server and load
//! generator together) and the part spent on the SQLite writer thread (reads count in the
//! total only), which depend far less on noisy neighbours than rates do.
//! Environment: `PLACEHOOK_BENCH_CONNS` (32), `PLACEHOOK_BENCH_SECS` (5),
//! `PLACEHOOK_BENCH_WARMUP_SECS` (1), `PLACEHOOK_BENCH_THREADS` (cores).
//! Targets (issue 3): reads >= 50% of the trivial rate, creates >= 5,000/s, idle RSS < 30 MB.

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
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};

const GET: &str = "/xrpc/place.stream.server.getWebhook";
const LIST: &str = "/xrpc/place.stream.server.listWebhooks";
const CREATE: &str = "/xrpc/place.stream.server.createWebhook";
const TRIVIAL: &str = "/xrpc/_trivial";
/// Webhooks of the reading account; three in four listen to `chat`.
const READ_SET: usize = 1000;
const CHAT: &[&str] = &["chat", "livestream"];
const FOLLOW: &[&str] = &["follow"];

type MakeReq = Arc<dyn Fn(usize, u64) -> Request<Full<Bytes>> + Send + Sync>;

fn env_or(name: &str, default: u64) -> u64 {
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

/// One scenario: requests/s, sorted latencies (ns), CPU µs per request (all, SQLite threads).
struct Outcome {
    name: &'static str,
    rate: f64,
    lat: Vec<u64>,
    cpu: (f64, f64),
}

impl Outcome {
    fn ms(&self, p: f64) -> f64 {
        let i = ((self.lat.len() as f64 * p).ceil() as usize).clamp(1, self.lat.len());
        self.lat[i - 1] as f64 / 1e6
    }
}

/// CPU seconds used so far by this process and by its SQLite writer thread.
fn cpu() -> (f64, f64) {
    let secs = |stat: String| {
        let f: Vec<f64> = (stat.rsplit_once(')').map_or("", |s| s.1).split_whitespace())
            .map(|x| x.parse().unwrap_or(0.0))
            .collect();
        (f[11] + f[12]) / 100.0 // utime + stime, in USER_HZ (100 on Linux)
    };
    let read = |p: std::path::PathBuf| std::fs::read_to_string(p).unwrap_or_default();
    let sqlite = std::fs::read_dir("/proc/self/task")
        .expect("/proc")
        .flatten()
        .filter(|t| read(t.path().join("comm")).starts_with("sqlite-writer"))
        .map(|t| secs(read(t.path().join("stat"))))
        .sum();
    (secs(read("/proc/self/stat".into())), sqlite)
}

fn request(method: Method, uri: String, token: &str, body: Option<String>) -> Request<Full<Bytes>> {
    let b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    b.body(Full::new(body.unwrap_or_default().into()))
        .expect("request")
}

/// One keep-alive connection issuing requests back to back until `end`: the latencies
/// of those sent from `from` on, and their non-200 answers.
async fn worker(
    addr: SocketAddr,
    make: MakeReq,
    c: usize,
    from: Instant,
    end: Instant,
) -> (Vec<u64>, Vec<String>) {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    tcp.set_nodelay(true).expect("nodelay");
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let (mut lat, mut errors) = (Vec::new(), Vec::new());
    for n in 0.. {
        if Instant::now() >= end {
            break;
        }
        let req = make(c, n);
        send.ready().await.expect("connection closed");
        let t0 = Instant::now();
        let res = send.send_request(req).await.expect("request failed");
        let status = res.status();
        let body = res.into_body().collect().await.expect("body").to_bytes();
        let ns = t0.elapsed().as_nanos() as u64;
        if t0 >= from {
            lat.push(ns);
            if status != StatusCode::OK {
                errors.push(format!("{status} {}", String::from_utf8_lossy(&body)));
            }
        }
    }
    (lat, errors)
}

async fn load(name: &'static str, addr: SocketAddr, make: MakeReq, cfg: &Cfg) -> Outcome {
    let from = Instant::now() + cfg.warmup;
    let end = from + cfg.secs;
    let tasks: Vec<_> = (0..cfg.conns)
        .map(|c| tokio::spawn(worker(addr, make.clone(), c, from, end)))
        .collect();
    tokio::time::sleep_until(from.into()).await;
    let cpu0 = cpu();
    let (mut lat, mut errors) = (Vec::new(), Vec::new());
    for t in tasks {
        let (l, e) = t.await.expect("worker panicked");
        lat.extend(l);
        errors.extend(e);
    }
    let (secs, cpu1) = (from.elapsed().as_secs_f64(), cpu());
    let n = lat.len();
    let bad = errors.len();
    assert!(
        bad == 0,
        "{name}: {bad} of {n} answers not 200, first: {}",
        errors[0]
    );
    lat.sort_unstable();
    let per = |a: f64, b: f64| (b - a) * 1e6 / n as f64;
    let cpu = (per(cpu0.0, cpu1.0), per(cpu0.1, cpu1.1));
    Outcome {
        name,
        rate: n as f64 / secs,
        lat,
        cpu,
    }
}

async fn trivial() -> Json<Value> {
    Json(json!({"webhook": {
        "id": "0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "url": "http://127.0.0.1:9/read/0",
        "events": ["chat", "livestream"], "active": true, "streamplaceFormat": false,
        "prefix": "[Streamplace] ", "createdAt": "2025-01-01T00:00:00.000Z", "errorCount": 0,
    }}))
}

async fn fetch(req: reqwest::RequestBuilder) -> Bytes {
    req.send().await.expect("send").bytes().await.expect("body")
}

fn create_body(url: String, events: &[&str]) -> String {
    json!({"url": url, "events": events, "active": true, "prefix": "[Streamplace] "}).to_string()
}

/// The scenarios, and the sizes of a `getWebhook` answer and of the baseline's.
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
    let mut tries = 0;
    while http
        .get(format!("{base}/xrpc/_health"))
        .send()
        .await
        .is_err()
    {
        tries += 1;
        assert!(tries < 250, "server did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Opened once the server has migrated the file. One account reads; each create
    // connection has an account of its own, so the per-owner limit is never near.
    let store = Store::open(&config.database, StoreOptions::default())
        .await
        .expect("store");
    let mut tokens = Vec::new();
    for did in std::iter::once("reader".to_owned()).chain((0..cfg.conns).map(|c| format!("w{c}"))) {
        let did = format!("did:web:{did}.example");
        let (_, secret) = store.create_token(&did, false, None).await.expect("token");
        tokens.push(secret);
    }
    let tokens = Arc::new(tokens);
    let reader = tokens[0].clone();
    let ids: Vec<String> = stream::iter(0..READ_SET)
        .map(|i| {
            let events = if i % 4 == 3 { FOLLOW } else { CHAT };
            let body = create_body(format!("http://127.0.0.1:9/read/{i}"), events);
            let req = http.post(format!("{base}{CREATE}")).bearer_auth(&reader);
            let req = req.header("content-type", "application/json").body(body);
            async move {
                let v: Value = serde_json::from_slice(&fetch(req).await).expect("JSON");
                let id = v["webhook"]["id"].as_str();
                id.unwrap_or_else(|| panic!("create failed: {v}"))
                    .to_owned()
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let size = |url: String| fetch(http.get(url).bearer_auth(&reader));
    let get_size = size(format!("{base}{GET}?id={}", ids[0])).await.len();
    let trivial_size = size(format!("http://{taddr}{TRIVIAL}")).await.len();

    let t = tokens.clone();
    let trivial: MakeReq = Arc::new(move |_, _| request(Method::GET, TRIVIAL.into(), &t[0], None));
    let t = tokens.clone();
    let get: MakeReq = Arc::new(move |_, _| {
        let id = &ids[rand::thread_rng().gen_range(0..ids.len())];
        request(Method::GET, format!("{GET}?id={id}"), &t[0], None)
    });
    let t = tokens.clone();
    let uri = format!("{LIST}?limit=50&event=chat");
    let list: MakeReq = Arc::new(move |_, _| request(Method::GET, uri.clone(), &t[0], None));
    let create: MakeReq = Arc::new(move |c, n| {
        let body = create_body(format!("http://127.0.0.1:9/hook/{c}/{n}"), CHAT);
        request(Method::POST, CREATE.into(), &tokens[c + 1], Some(body))
    });
    let mut out = vec![load("trivial axum handler (baseline)", taddr, trivial, cfg).await];
    out.push(load("getWebhook (random of 1,000)", addr, get, cfg).await);
    out.push(load("listWebhooks (limit=50, event=chat)", addr, list, cfg).await);
    out.push(load("createWebhook (an owner per connection)", addr, create, cfg).await);
    let _ = stop.send(());
    server.await.expect("server task").expect("server");
    (out, get_size, trivial_size)
}

/// VmRSS (KiB) of `placehook serve` one second after it first answers `/xrpc/_health`.
async fn idle_rss() -> u64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_placehook"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
        ])
        .arg(dir.path().join("idle.sqlite"))
        .args([
            "--plc-url",
            "http://127.0.0.1:1",
            "--appview-url",
            "http://127.0.0.1:1",
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn placehook serve");
    let health = format!("http://127.0.0.1:{port}/xrpc/_health");
    let mut tries = 0;
    while !reqwest::get(&health)
        .await
        .is_ok_and(|r| r.status() == StatusCode::OK)
        && tries < 250
    {
        tries += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    assert!(tries < 250, "placehook serve did not answer /xrpc/_health");
    let rss = status.lines().find_map(|l| l.strip_prefix("VmRSS:"));
    rss.and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let threads = env_or("PLACEHOOK_BENCH_THREADS", cores as u64) as usize;
    let cfg = Cfg {
        conns: env_or("PLACEHOOK_BENCH_CONNS", 32) as usize,
        warmup: Duration::from_secs(env_or("PLACEHOOK_BENCH_WARMUP_SECS", 1)),
        secs: Duration::from_secs(env_or("PLACEHOOK_BENCH_SECS", 5)),
    };
    let (conns, warm, secs) = (cfg.conns, cfg.warmup.as_secs(), cfg.secs.as_secs());
    println!(
        "runtime: one tokio multi-thread runtime with {threads} workers on {cores} cores, shared by \
         server, baseline and load generator (+1 SQLite writer thread); {conns} \
         keep-alive HTTP/1.1 connections; {warm} s warm-up + {secs} s measured per scenario"
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .expect("runtime");
    let (out, get_size, trivial_size) = rt.block_on(run(&cfg));
    let rss = rt.block_on(idle_rss());
    println!("answer bodies: getWebhook {get_size} bytes, trivial {trivial_size} bytes\n");
    println!("| scenario | requests/s | p50 ms | p99 ms | vs trivial | CPU µs/request | of which SQLite writer thread |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let base = out[0].rate;
    for o in &out {
        let (rate, p50, p99, pct) = (o.rate, o.ms(0.5), o.ms(0.99), 100.0 * o.rate / base);
        let (cpu, sql) = o.cpu;
        println!(
            "| {} | {rate:.0} | {p50:.2} | {p99:.2} | {pct:.0}% | {cpu:.0} | {sql:.0} |",
            o.name
        );
    }
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    let (g, l) = (out[1].rate / base, out[2].rate / base);
    let reads = verdict(g.min(l) >= 0.5);
    println!(
        "\nreads >= 50% of trivial: getWebhook {:.0}%, listWebhooks {:.0}% -> {reads}",
        g * 100.0,
        l * 100.0
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
