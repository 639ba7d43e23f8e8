//! Delivery throughput, latency and queued-delivery memory (issue 4), on loopback against
//! a fast local receiver, with a bare HTTP client as the same-run baseline.
//!
//! Run: `cargo bench --bench delivery`. Three parts:
//!
//! 1. Throughput. The real server (`placehook::server::run_with`, SQLite file in a temp
//!    dir, default store settings: WAL, `synchronous = NORMAL`, one writer connection)
//!    with `W` webhooks of one owner, all for `chat`, each at its own path on the
//!    receiver. `N` chat events are pushed over HTTP (`dev.placehook.pushEvent`, producer
//!    token) by `P` concurrent pushers; each fans out to `W` deliveries. Measured: from
//!    the first push until the receiver has all `N * W`. Baseline, in the same process:
//!    a bare reqwest client POSTing the same Discord-shaped bodies (taken from a
//!    delivered one) to the same paths, `W` in flight (one worker per path, like the
//!    server's one-at-a-time lanes). The two alternate: baseline, then `ROUNDS` times a
//!    placehook round and a baseline. Each round is compared with the mean of the
//!    baselines either side of it, and the headline is the median round, because a
//!    round lasts well under a second and the shared host's speed can change within one.
//! 2. Latency. `LAT_W` webhooks of another owner; chat events pushed open loop at
//!    `LAT_RATE`/s for `LAT_SECS` s (each push is started at its scheduled time, whether
//!    or not earlier ones have finished); per delivery, push start → arrival at the
//!    receiver, also from the scheduled time.
//! 3. Memory. The release binary (`placehook serve`) with one webhook whose target does
//!    not drain the queue, `RSS_EVENTS` events pushed by `RSS_PUSHERS` pushers; VmRSS
//!    idle, during and after, and VmHWM, from `/proc/<pid>/status`. Two targets: `down`
//!    (a closed loopback port: every delivery fails to connect once and waits for its
//!    retry an hour later, `--retry-schedule 1h`) and `stalled` (a listener that accepts
//!    and never answers, `--delivery-timeout 1h`: one request hangs, the rest wait).
//!
//! 4. The store alone: mean time of the store calls a delivery makes (`accept_event`,
//!    taking the next delivery, recording its outcome), one at a time with no HTTP, with
//!    a queue of one and with `PROBE_BACKLOG` deliveries pending, and of a bare `SELECT 1`
//!    on a connection (rusqlite).
//!
//! Environment (defaults in brackets): `EVENTS` [300], `ROUNDS` [3], `WEBHOOKS` [32], `PUSHERS` [8],
//! `LAT_RATE` [1000], `LAT_SECS` [10], `LAT_W` [1], `RSS_EVENTS` [100000],
//! `RSS_PUSHERS` [16], `RSS_MODES` [down,stalled] (empty: skip), `RSS_SETTLE_SECS` [10],
//! `PROBE_ROUNDS` [2000] (0: skip), `PROBE_BACKLOG` [20000], `THREADS` [cores].
//! Quick run: `EVENTS=200 LAT_SECS=2 RSS_EVENTS=5000 cargo bench --bench delivery`.
//!
//! One tokio multi-thread runtime is shared by the server, the receiver, the baseline
//! client and the pushers (the store reads on the calling thread and writes on one
//! SQLite writer thread of its own, with checkpoints on another). Per phase the bench
//! prints the process's CPU time by thread (from `/proc/self/task`).
//! Targets (issue 4): deliveries/s >= 50% of the bare client's, p99 < 50 ms at
//! 1,000 events/s, RSS < 150 MB with 100,000 queued deliveries.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::Router;
use placehook::config::ServeConfig;
use placehook::server::Hooks;
use placehook::store::{Store, StoreOptions};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

const OWNER_T: &str = "did:plc:throughputthroughputthro";
const OWNER_L: &str = "did:plc:latencylatencylatencylat";
const OWNER_R: &str = "did:plc:memorymemorymemorymemory";
const AUTHOR: &str = "did:plc:senderssendersenderssend";
const PUSH: &str = "/xrpc/dev.placehook.pushEvent";
const CREATE: &str = "/xrpc/place.stream.server.createWebhook";

fn env_or<T: FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

static EPOCH: OnceLock<Instant> = OnceLock::new();

/// Nanoseconds since the bench started (one clock for senders and the receiver).
fn now_ns() -> u64 {
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

// ---------------------------------------------------------------------------------------
// The receiver

/// What the receiver has seen. Bodies are Discord payloads; `content` starts with a
/// letter naming the phase (`T` throughput, `B` baseline, `L` latency) and, for `L`,
/// the event's sequence number.
struct Rx {
    through: AtomicU64,
    last_through: AtomicU64,
    base: AtomicU64,
    last_base: AtomicU64,
    lat: AtomicU64,
    /// Arrival (ns) of latency event `seq` at webhook `w`: index `seq * lat_w + w`.
    lat_arrival: Vec<AtomicU64>,
    lat_w: usize,
    other: AtomicU64,
    /// A delivered body and its headers (from the warm-up).
    sample: Mutex<Option<Sample>>,
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

async fn start_receiver(lat_slots: usize, lat_w: usize) -> (String, Arc<Rx>) {
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

// ---------------------------------------------------------------------------------------
// Talking to placehook

fn chat(owner: &str, text: &str) -> String {
    json!({
        "type": "chat",
        "subject": owner,
        "author": AUTHOR,
        "record": {
            "$type": "place.stream.chat.message",
            "text": text,
            "streamer": owner,
            "createdAt": "2026-12-01T00:00:00.000Z"
        }
    })
    .to_string()
}

/// Pushes one chat event; returns the deliveries queued.
async fn push(http: &reqwest::Client, base: &str, producer: &str, owner: &str, text: &str) -> i64 {
    let res = http
        .post(format!("{base}{PUSH}"))
        .bearer_auth(producer)
        .header("content-type", "application/json")
        .body(chat(owner, text))
        .send()
        .await
        .expect("push");
    let status = res.status();
    let v: Value = res.json().await.expect("push output");
    assert_eq!(status, 200, "push failed: {v}");
    v["deliveries"].as_i64().expect("deliveries")
}

async fn create_webhook(http: &reqwest::Client, base: &str, token: &str, url: &str) -> String {
    let v: Value = http
        .post(format!("{base}{CREATE}"))
        .bearer_auth(token)
        .json(&json!({"url": url, "events": ["chat"], "active": true}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("create output");
    v["webhook"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createWebhook failed: {v}"))
        .to_string()
}

async fn wait_healthy(http: &reqwest::Client, base: &str) {
    for _ in 0..500 {
        if let Ok(r) = http.get(format!("{base}/xrpc/_health")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("server at {base} did not start");
}

/// Waits until `count() >= want` (at most `limit`); returns whether it got there.
async fn wait_for(count: impl Fn() -> u64, want: u64, limit: Duration) -> bool {
    let end = Instant::now() + limit;
    while count() < want {
        if Instant::now() > end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    true
}

// ---------------------------------------------------------------------------------------
// CPU by thread

/// Clock ticks (utime + stime) per live thread of this process: tid → (name, ticks),
/// and the whole process's ticks (including threads that have exited).
fn cpu_snapshot() -> (HashMap<u32, (String, u64)>, u64) {
    fn ticks(stat: &str) -> Option<(String, u64)> {
        let open = stat.find('(')?;
        let close = stat.rfind(')')?;
        let name = stat[open + 1..close].to_string();
        let f: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let u: u64 = f.get(11)?.parse().ok()?;
        let s: u64 = f.get(12)?.parse().ok()?;
        Some((name, u + s))
    }
    let mut threads = HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        for e in dir.flatten() {
            let tid: Option<u32> = e.file_name().to_str().and_then(|s| s.parse().ok());
            let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
            if let (Some(tid), Some(t)) = (tid, ticks(&stat)) {
                threads.insert(tid, t);
            }
        }
    }
    let total = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| ticks(&s))
        .map_or(0, |t| t.1);
    (threads, total)
}

/// CPU used between two snapshots over `secs` of wall time, as "% of one core" per
/// thread name (threads of one name summed), busiest first.
fn cpu_report(
    before: &(HashMap<u32, (String, u64)>, u64),
    after: &(HashMap<u32, (String, u64)>, u64),
    secs: f64,
) -> String {
    let hz = 100.0; // USER_HZ on Linux
    let pct = |t: u64| 100.0 * t as f64 / hz / secs;
    let mut by_name: HashMap<String, (u64, u64, usize)> = HashMap::new();
    for (tid, (name, t)) in &after.0 {
        let was = before.0.get(tid).map_or(0, |b| b.1);
        let d = t.saturating_sub(was);
        let e = by_name.entry(name.clone()).or_default();
        e.0 += d;
        e.1 = e.1.max(d);
        e.2 += 1;
    }
    let mut rows: Vec<_> = by_name.into_iter().filter(|r| r.1 .0 > 0).collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1 .0));
    let mut out = format!(
        "process {:.0}% of a core",
        pct(after.1.saturating_sub(before.1))
    );
    for (name, (sum, max, n)) in rows {
        out.push_str(&format!(
            "; {name} x{n}: {:.0}% (busiest {:.0}%)",
            pct(sum),
            pct(max)
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Figures

/// Sorted-sample percentile in milliseconds.
fn pct_ms(sorted_ns: &[u64], p: f64) -> f64 {
    if sorted_ns.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted_ns.len() as f64 * p).ceil() as usize).clamp(1, sorted_ns.len()) - 1;
    sorted_ns[i] as f64 / 1e6
}

fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v);
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

struct Through {
    /// Bare client rates: before the first round and after each.
    baselines: Vec<f64>,
    rounds: Vec<Round>,
    body_len: usize,
    cpu_base: String,
}

impl Through {
    /// Each round's rate as a share of the mean of the baselines either side of it.
    fn ratios(&self) -> Vec<f64> {
        self.rounds
            .iter()
            .enumerate()
            .map(|(i, r)| 2.0 * r.rate / (self.baselines[i] + self.baselines[i + 1]))
            .collect()
    }

    /// The round with the median ratio (the lower of the two middle ones for an even
    /// count).
    fn median(&self) -> (usize, f64) {
        let ratios = self.ratios();
        let mut order: Vec<usize> = (0..ratios.len()).collect();
        order.sort_by(|a, b| ratios[*a].total_cmp(&ratios[*b]));
        let i = order[(order.len() - 1) / 2];
        (i, ratios[i])
    }
}

/// One placehook throughput round.
struct Round {
    rate: f64,
    push_rate: f64,
    push_secs: f64,
    delivered_at_push_end: u64,
    total_secs: f64,
    deliveries: u64,
    cpu: String,
}

struct Latency {
    events: usize,
    deliveries: usize,
    offered: f64,
    /// Sorted ns from push start, and from the scheduled time.
    from_send: Vec<u64>,
    from_sched: Vec<u64>,
    push_ack: Vec<u64>,
    missing: usize,
    cpu: String,
}

struct Memory {
    mode: &'static str,
    idle_kb: u64,
    pushed: usize,
    push_secs: f64,
    after_push_kb: u64,
    settled_kb: u64,
    peak_kb: u64,
    hwm_kb: u64,
    pending: i64,
    attempted: i64,
    settle_note: String,
}

// ---------------------------------------------------------------------------------------
// Parts 1 and 2: the in-process server

struct Cfg {
    events: usize,
    /// Placehook throughput rounds, each between two baselines.
    rounds: usize,
    webhooks: usize,
    pushers: usize,
    lat_rate: f64,
    lat_secs: f64,
    lat_w: usize,
}

/// A bare client sending `events` bodies to each of `paths` (one worker per path, one
/// request in flight each); returns deliveries/s, from the first request to the last
/// arrival.
async fn baseline(
    rx: &Rx,
    recv: &str,
    webhooks: usize,
    events: usize,
    template: &(String, Vec<(String, String)>),
) -> f64 {
    rx.base.store(0, Ordering::SeqCst);
    rx.last_base.store(0, Ordering::SeqCst);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(90))
        .build()
        .expect("client");
    let (body, headers) = template;
    let t0 = now_ns();
    let workers: Vec<_> = (0..webhooks)
        .map(|w| {
            let http = http.clone();
            let url = format!("{recv}/t/{w}");
            let body = body.clone();
            let headers = headers.clone();
            tokio::spawn(async move {
                for i in 0..events {
                    let mut req =
                        http.post(&url)
                            .body(body.replacen("\"W0\"", &format!("\"B{i}\""), 1));
                    for (k, v) in &headers {
                        req = req.header(k.as_str(), v.as_str());
                    }
                    let res = req.send().await.expect("baseline request");
                    assert!(res.status().is_success(), "baseline: {}", res.status());
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("baseline worker");
    }
    let want = (webhooks * events) as u64;
    assert!(
        wait_for(
            || rx.base.load(Ordering::SeqCst),
            want,
            Duration::from_secs(30)
        )
        .await,
        "baseline: not everything arrived"
    );
    let secs = (rx.last_base.load(Ordering::SeqCst) - t0) as f64 / 1e9;
    want as f64 / secs
}

/// One placehook throughput round: `events` chat events pushed by `pushers`, timed from
/// the first push until the receiver has every delivery.
async fn placehook_round(
    cfg: &Cfg,
    rx: &Rx,
    http: &reqwest::Client,
    base: &str,
    producer: &str,
    round: usize,
) -> Round {
    rx.through.store(0, Ordering::SeqCst);
    rx.last_through.store(0, Ordering::SeqCst);
    let want = (cfg.events * cfg.webhooks) as u64;
    let next = Arc::new(AtomicUsize::new(0));
    let c0 = cpu_snapshot();
    let t0 = now_ns();
    let pushers: Vec<_> = (0..cfg.pushers)
        .map(|_| {
            let (http, base, producer, next) = (
                http.clone(),
                base.to_string(),
                producer.to_string(),
                next.clone(),
            );
            let (events, webhooks) = (cfg.events, cfg.webhooks as i64);
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= events {
                        return;
                    }
                    let text = format!("T{round}-{i}");
                    let n = push(&http, &base, &producer, OWNER_T, &text).await;
                    assert_eq!(n, webhooks);
                }
            })
        })
        .collect();
    for p in pushers {
        p.await.expect("pusher");
    }
    let pushed_at = now_ns();
    let delivered_at_push_end = rx.through.load(Ordering::SeqCst);
    assert!(
        wait_for(
            || rx.through.load(Ordering::SeqCst),
            want,
            Duration::from_secs(600)
        )
        .await,
        "throughput: only {} of {want} deliveries arrived",
        rx.through.load(Ordering::SeqCst)
    );
    let end = rx.last_through.load(Ordering::SeqCst);
    let cpu = cpu_report(&c0, &cpu_snapshot(), (now_ns() - t0) as f64 / 1e9);
    let total_secs = (end - t0) as f64 / 1e9;
    let push_secs = (pushed_at - t0) as f64 / 1e9;
    let rate = want as f64 / total_secs;
    println!(
        "placehook round {}: {} deliveries/s ({} events pushed in {push_secs:.1} s, {} of \
         {want} delivered by then, all in {total_secs:.1} s)",
        round + 1,
        thousands(rate),
        cfg.events,
        delivered_at_push_end
    );
    println!("  cpu: {cpu}");
    Round {
        rate,
        push_rate: cfg.events as f64 / push_secs,
        push_secs,
        delivered_at_push_end,
        total_secs,
        deliveries: want,
        cpu,
    }
}

async fn in_process(cfg: &Cfg) -> (Through, Latency, String) {
    let lat_events = (cfg.lat_rate * cfg.lat_secs).round() as usize;
    let (recv, rx) = start_receiver(lat_events * cfg.lat_w, cfg.lat_w).await;

    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("placehook.sqlite");
    let mut config = ServeConfig::for_database(db.to_str().expect("utf-8"));
    config.allow_private_targets = true;
    config.max_webhooks_per_owner = 10_000;
    let concurrency = config.delivery.delivery_concurrency;
    let store = Store::open(&config.database, StoreOptions::default())
        .await
        .expect("store");
    let producer = store
        .create_token("did:web:producer.example", true, None)
        .await
        .expect("token")
        .1;
    let tok_t = store
        .create_token(OWNER_T, false, None)
        .await
        .expect("token")
        .1;
    let tok_l = store
        .create_token(OWNER_L, false, None)
        .await
        .expect("token")
        .1;
    store.close().await;

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(placehook::server::run_with(
        config.clone(),
        listener,
        async {
            let _ = stopped.await;
        },
        Hooks {
            started: Some(started_tx),
            // Nothing leaves loopback: no profile look-ups.
            resolver: Some(std::sync::Arc::new(placehook::profile::DidOnlyResolver)),
            ..Hooks::default()
        },
    ));
    let state = started_rx.await.expect("server started");
    let http = reqwest::Client::new();
    wait_healthy(&http, &base).await;

    // Durability: what the file says (synchronous is per connection: NORMAL, set by
    // `Store::open` on every connection).
    let journal: String = rusqlite::Connection::open(&db)
        .expect("inspect db")
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal_mode");
    let durability = format!(
        "journal_mode={journal}, synchronous=NORMAL (Store::open defaults), delivery \
         concurrency {concurrency} (default)"
    );

    for w in 0..cfg.webhooks {
        create_webhook(&http, &base, &tok_t, &format!("{recv}/t/{w}")).await;
    }
    for w in 0..cfg.lat_w {
        create_webhook(&http, &base, &tok_l, &format!("{recv}/l/{w}")).await;
    }

    // Warm-up: one event to every throughput webhook; its body is the baseline's template.
    let n = push(&http, &base, &producer, OWNER_T, "W0").await;
    assert_eq!(n as usize, cfg.webhooks);
    assert!(
        wait_for(
            || rx.other.load(Ordering::SeqCst),
            cfg.webhooks as u64,
            Duration::from_secs(30)
        )
        .await,
        "warm-up deliveries did not arrive"
    );
    let (body, headers) = rx.sample.lock().expect("sample").clone().expect("sample");
    let body = String::from_utf8(body).expect("utf-8 body");
    let headers: Vec<(String, String)> = headers
        .into_iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "content-type" | "user-agent" | "webhook-id" | "webhook-timestamp"
            )
        })
        .collect();
    println!("delivered body (warm-up): {body}");
    println!(
        "delivered headers: {}",
        headers
            .iter()
            .map(|h| h.0.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let template = (body.clone(), headers);

    // 1. Throughput: baseline, then `rounds` times placehook and baseline again. Each
    // placehook round is compared with the baselines either side of it.
    let c0 = cpu_snapshot();
    let t = now_ns();
    let mut baselines = vec![baseline(&rx, &recv, cfg.webhooks, cfg.events, &template).await];
    let cpu_base = cpu_report(&c0, &cpu_snapshot(), (now_ns() - t) as f64 / 1e9);
    println!("baseline 1: {} deliveries/s", thousands(baselines[0]));
    let mut rounds = Vec::with_capacity(cfg.rounds);
    for round in 0..cfg.rounds {
        rounds.push(placehook_round(cfg, &rx, &http, &base, &producer, round).await);
        baselines.push(baseline(&rx, &recv, cfg.webhooks, cfg.events, &template).await);
        println!(
            "baseline {}: {} deliveries/s",
            round + 2,
            thousands(baselines[round + 1])
        );
    }
    println!("  cpu (baseline 1): {cpu_base}");
    let through = Through {
        baselines,
        rounds,
        body_len: body.len(),
        cpu_base,
    };

    // 2. Latency: open loop at lat_rate.
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..lat_events).map(|_| AtomicU64::new(0)).collect());
    let acks: Arc<Vec<AtomicU64>> = Arc::new((0..lat_events).map(|_| AtomicU64::new(0)).collect());
    let period = Duration::from_secs_f64(1.0 / cfg.lat_rate);
    let c0 = cpu_snapshot();
    let start = tokio::time::Instant::now() + Duration::from_millis(20);
    let start_ns = now_ns() + 20_000_000;
    let mut tasks = Vec::with_capacity(lat_events);
    for i in 0..lat_events {
        tokio::time::sleep_until(start + period * i as u32).await;
        let (http, base, producer, sent, acks) = (
            http.clone(),
            base.clone(),
            producer.clone(),
            sent.clone(),
            acks.clone(),
        );
        let lat_w = cfg.lat_w as i64;
        tasks.push(tokio::spawn(async move {
            let t = now_ns();
            sent[i].store(t, Ordering::SeqCst);
            let n = push(&http, &base, &producer, OWNER_L, &format!("L{i}")).await;
            acks[i].store(now_ns() - t, Ordering::SeqCst);
            assert_eq!(n, lat_w);
        }));
    }
    for t in tasks {
        t.await.expect("latency pusher");
    }
    let want_l = (lat_events * cfg.lat_w) as u64;
    wait_for(
        || rx.lat.load(Ordering::SeqCst),
        want_l,
        Duration::from_secs(60),
    )
    .await;
    let cpu_l = cpu_report(&c0, &cpu_snapshot(), (now_ns() - start_ns) as f64 / 1e9);
    let first_sent = sent[0].load(Ordering::SeqCst);
    let last_sent = sent
        .iter()
        .map(|s| s.load(Ordering::SeqCst))
        .max()
        .unwrap_or(0);
    let (mut from_send, mut from_sched, mut missing) = (Vec::new(), Vec::new(), 0);
    for i in 0..lat_events {
        let s = sent[i].load(Ordering::SeqCst);
        let sched = start_ns + (period * i as u32).as_nanos() as u64;
        for w in 0..cfg.lat_w {
            let a = rx.lat_arrival[i * cfg.lat_w + w].load(Ordering::SeqCst);
            if a == 0 {
                missing += 1;
                continue;
            }
            from_send.push(a.saturating_sub(s));
            from_sched.push(a.saturating_sub(sched));
        }
    }
    from_send.sort_unstable();
    from_sched.sort_unstable();
    let mut push_ack: Vec<u64> = acks.iter().map(|a| a.load(Ordering::SeqCst)).collect();
    push_ack.sort_unstable();
    let latency = Latency {
        events: lat_events,
        deliveries: lat_events * cfg.lat_w,
        offered: (lat_events - 1) as f64 / ((last_sent - first_sent) as f64 / 1e9),
        from_send,
        from_sched,
        push_ack,
        missing,
        cpu: cpu_l,
    };

    drop(state);
    let _ = stop.send(());
    server.await.expect("server task").expect("server");
    (through, latency, durability)
}

// ---------------------------------------------------------------------------------------
// Part 3: the release binary with a queue that does not drain

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

async fn memory(mode: &'static str, events: usize, pushers: usize) -> Memory {
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

// ---------------------------------------------------------------------------------------
// Part 4: the store alone (no HTTP), one operation at a time

struct Probe {
    round_trip_us: f64,
    accept_us: f64,
    claim_us: f64,
    finish_us: f64,
    backlog: usize,
    claim_backlog_us: f64,
    finish_backlog_us: f64,
}

/// The next delivery due on `webhook`, read as a lane reads it.
fn claim_one(store: &Store, webhook: &str) -> placehook::model::Claimed {
    let now = time::OffsetDateTime::now_utc() + time::Duration::milliseconds(1);
    let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    store
        .next_deliveries(webhook, now_ms, &[], 1)
        .expect("next delivery")
        .pop()
        .expect("one is due")
}

/// Records one outcome through the dispatcher's outcome writer and waits for its commit.
async fn finish_one(
    writer: &placehook::store::OutcomeWriter,
    c: &placehook::model::Claimed,
    o: &placehook::model::Outcome,
) {
    writer
        .record(std::sync::Arc::new((c.clone(), o.clone())))
        .await
        .expect("the writer answers")
        .expect("finish");
}

/// Mean microseconds of the store calls a delivery makes, made one at a time on an
/// otherwise idle store: `accept_event` (one webhook), taking the next delivery
/// (`next_deliveries`, a read) and recording its outcome (the outcome writer, one outcome
/// per commit) with a queue of one, then the same with `backlog` deliveries pending.
async fn store_probe(rounds: usize, backlog: usize) -> Probe {
    use placehook::events::{Event, EventKind};
    use placehook::lexicon::place::stream::server::create_webhook;
    use placehook::model::{AttemptLog, DisablePolicy, Outcome};
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("probe.sqlite");
    let store = Store::open(db.to_str().expect("utf-8"), StoreOptions::default())
        .await
        .expect("store");
    let url = "http://127.0.0.1:9/probe";
    let input: create_webhook::Input =
        serde_json::from_value(json!({"url": url, "events": ["chat"], "active": true}))
            .expect("input");
    let webhook = store
        .create_webhook(OWNER_R, &input, url, 50)
        .await
        .expect("webhook")
        .id;
    let event = Event {
        kind: EventKind::Chat,
        subject: OWNER_R.into(),
        author: Some(AUTHOR.into()),
        uri: None,
        record: Some(
            json!({"$type": "place.stream.chat.message", "text": "probe",
                            "streamer": OWNER_R, "createdAt": "2026-12-01T00:00:00.000Z"}),
        ),
    };
    let policy = DisablePolicy {
        failures: 20,
        min_span_ms: 86_400_000,
    };
    let ok = || {
        Outcome::Succeeded(AttemptLog {
            started_at: Some(time::OffsetDateTime::now_utc()),
            duration_ms: 1,
            status_code: Some(204),
            ..AttemptLog::default()
        })
    };
    let writer = store.outcome_writer(policy, std::sync::Arc::new(placehook::clock::SystemClock));
    let us = |d: Duration, n: usize| d.as_secs_f64() * 1e6 / n as f64;
    let (mut accept, mut claim, mut finish) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for _ in 0..rounds {
        let t = Instant::now();
        store
            .accept_event(&event, None, time::OffsetDateTime::now_utc())
            .await
            .expect("accept");
        accept += t.elapsed();
        let t = Instant::now();
        let c = claim_one(&store, &webhook);
        claim += t.elapsed();
        let t = Instant::now();
        finish_one(&writer, &c, &ok()).await;
        finish += t.elapsed();
    }
    for _ in 0..backlog {
        store
            .accept_event(&event, None, time::OffsetDateTime::now_utc())
            .await
            .expect("accept");
    }
    let sample = rounds.min(backlog);
    let (mut claim_b, mut finish_b) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..sample {
        let t = Instant::now();
        let c = claim_one(&store, &webhook);
        claim_b += t.elapsed();
        let t = Instant::now();
        finish_one(&writer, &c, &ok()).await;
        finish_b += t.elapsed();
    }
    store.close().await;
    // One bare statement on a connection of the same file, on this thread (how the store
    // runs reads), for scale.
    let conn = rusqlite::Connection::open(&db).expect("open db");
    let n = rounds * 4;
    let t = Instant::now();
    for _ in 0..n {
        let one: i64 = conn
            .prepare_cached("SELECT 1")
            .and_then(|mut q| q.query_row([], |r| r.get(0)))
            .expect("select 1");
        assert_eq!(one, 1);
    }
    let rt = t.elapsed();
    Probe {
        round_trip_us: us(rt, n),
        accept_us: us(accept, rounds),
        claim_us: us(claim, rounds),
        finish_us: us(finish, rounds),
        backlog,
        claim_backlog_us: us(claim_b, sample.max(1)),
        finish_backlog_us: us(finish_b, sample.max(1)),
    }
}

// ---------------------------------------------------------------------------------------

fn main() {
    EPOCH.get_or_init(Instant::now);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let threads = env_or("THREADS", cores);
    let cfg = Cfg {
        events: env_or("EVENTS", 300),
        rounds: env_or::<usize>("ROUNDS", 3).max(1),
        webhooks: env_or("WEBHOOKS", 32),
        pushers: env_or("PUSHERS", 8),
        lat_rate: env_or("LAT_RATE", 1000.0),
        lat_secs: env_or("LAT_SECS", 10.0),
        lat_w: env_or("LAT_W", 1),
    };
    let rss_events: usize = env_or("RSS_EVENTS", 100_000);
    let rss_pushers: usize = env_or("RSS_PUSHERS", 16);
    let modes: Vec<&'static str> = std::env::var("RSS_MODES")
        .unwrap_or_else(|_| "down,stalled".into())
        .split(',')
        .filter_map(|m| match m.trim() {
            "down" => Some("down"),
            "stalled" => Some("stalled"),
            _ => None,
        })
        .collect();
    println!(
        "runtime: one tokio multi-thread runtime, {threads} worker threads ({cores} cores); \
         throughput: {} events x {} webhooks, {} pushers; latency: {} events/s for {} s, {} \
         webhook(s); memory: {} events, {} pushers, modes {:?}",
        cfg.events,
        cfg.webhooks,
        cfg.pushers,
        cfg.lat_rate,
        cfg.lat_secs,
        cfg.lat_w,
        rss_events,
        rss_pushers,
        modes
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .expect("runtime");
    let (t, l, durability) = rt.block_on(in_process(&cfg));
    println!("durability: {durability}");
    let mem: Vec<Memory> = modes
        .iter()
        .map(|m| rt.block_on(memory(m, rss_events, rss_pushers)))
        .collect();
    let probe_rounds: usize = env_or("PROBE_ROUNDS", 2000);
    let probe_backlog: usize = env_or("PROBE_BACKLOG", 20_000);
    let probe = (probe_rounds > 0).then(|| rt.block_on(store_probe(probe_rounds, probe_backlog)));
    drop(rt);

    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    let (mid, ratio) = t.median();
    let m = &t.rounds[mid];
    println!(
        "\n### Throughput ({} deliveries a round, {}-byte bodies)\n",
        m.deliveries, t.body_len
    );
    println!("| sender | deliveries/s | vs bare client either side |\n|---|---:|---:|");
    let ratios = t.ratios();
    for (i, b) in t.baselines.iter().enumerate() {
        println!(
            "| bare reqwest client, {} in flight ({}) | {} | |",
            cfg.webhooks,
            i + 1,
            thousands(*b)
        );
        if let Some(r) = t.rounds.get(i) {
            println!(
                "| placehook round {} | {} | {:.1}% |",
                i + 1,
                thousands(r.rate),
                100.0 * ratios[i]
            );
        }
    }
    println!(
        "| placehook push → receiver ({} lanes), median of {} rounds | {} | **{:.1}%** |",
        cfg.webhooks,
        t.rounds.len(),
        thousands(m.rate),
        100.0 * ratio
    );
    println!(
        "\nmedian round ({}): pushes {} events/s accepted ({} events in {:.1} s, when {} of {} \
         deliveries had arrived); all deliveries done at {:.1} s",
        mid + 1,
        thousands(m.push_rate),
        cfg.events,
        m.push_secs,
        thousands(m.delivered_at_push_end as f64),
        thousands(m.deliveries as f64),
        m.total_secs
    );
    println!("cpu, placehook phase (median round): {}", m.cpu);
    println!("cpu, baseline phase: {}", t.cpu_base);

    println!(
        "\n### Latency ({} events at {:.0}/s offered, {} deliveries)\n",
        l.events, l.offered, l.deliveries
    );
    println!("| measure | p50 ms | p99 ms | p99.9 ms | max ms |\n|---|---:|---:|---:|---:|");
    for (name, v) in [
        ("push start → arrival", &l.from_send),
        ("scheduled send → arrival", &l.from_sched),
        ("push request → 200 (ack)", &l.push_ack),
    ] {
        println!(
            "| {name} | {:.2} | {:.2} | {:.2} | {:.2} |",
            pct_ms(v, 0.5),
            pct_ms(v, 0.99),
            pct_ms(v, 0.999),
            pct_ms(v, 1.0)
        );
    }
    if l.missing > 0 {
        println!("\n{} deliveries never arrived", l.missing);
    }
    println!("cpu, latency phase: {}", l.cpu);

    if !mem.is_empty() {
        println!("\n### Memory (`placehook serve`, release binary)\n");
        println!(
            "| target | idle RSS | after pushes | settled | peak sampled | VmHWM | queued | \
             attempted | pushes/s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for m in &mem {
            let mb = |kb: u64| format!("{:.1} MB", kb as f64 * 1024.0 / 1e6);
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                m.mode,
                mb(m.idle_kb),
                mb(m.after_push_kb),
                mb(m.settled_kb),
                mb(m.peak_kb),
                mb(m.hwm_kb),
                thousands(m.pending as f64),
                thousands(m.attempted as f64),
                thousands(m.pushed as f64 / m.push_secs)
            );
        }
        for m in &mem {
            println!("{}: {}", m.mode, m.settle_note);
        }
    }

    if let Some(p) = &probe {
        println!("\n### Store alone (one call at a time, no HTTP)\n");
        println!("| call | mean µs |\n|---|---:|");
        println!(
            "| `SELECT 1` on a connection, same thread (rusqlite) | {:.1} |",
            p.round_trip_us
        );
        println!("| `accept_event` (1 webhook) | {:.0} |", p.accept_us);
        println!(
            "| taking the next delivery, queue of 1 | {:.0} |",
            p.claim_us
        );
        println!("| `finish` (succeeded), queue of 1 | {:.0} |", p.finish_us);
        println!(
            "| taking the next delivery, {} pending | {:.0} |",
            thousands(p.backlog as f64),
            p.claim_backlog_us
        );
        println!(
            "| `finish` (succeeded), {} pending | {:.0} |",
            thousands(p.backlog as f64),
            p.finish_backlog_us
        );
    }

    println!("\n### Targets\n");
    println!(
        "- deliveries/s >= 50% of the bare client's: {:.1}% (median of {} rounds; each: {}) -> {}",
        100.0 * ratio,
        t.rounds.len(),
        ratios
            .iter()
            .map(|r| format!("{:.1}%", 100.0 * r))
            .collect::<Vec<_>>()
            .join(", "),
        verdict(ratio >= 0.5)
    );
    let p99 = pct_ms(&l.from_send, 0.99);
    println!(
        "- p99 push → delivery < 50 ms at {:.0} events/s: {p99:.2} ms -> {}",
        cfg.lat_rate,
        verdict(p99 < 50.0 && l.missing == 0)
    );
    for m in &mem {
        let mb = m.peak_kb.max(m.hwm_kb) as f64 * 1024.0 / 1e6;
        println!(
            "- RSS < 150 MB with {} queued deliveries ({}): peak {mb:.1} MB -> {}",
            thousands(m.pending as f64),
            m.mode,
            verdict(mb < 150.0 && m.pending as usize >= m.pushed)
        );
    }
}
