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

mod client;
mod cpu;
mod figures;
mod in_process;
mod memory;
mod receiver;
mod store_probe;
mod throughput;

use figures::{pct_ms, thousands};
use in_process::in_process;
use memory::{memory, Memory};
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Instant;
use store_probe::store_probe;

const OWNER_T: &str = "did:plc:throughputthroughputthro";
const OWNER_L: &str = "did:plc:latencylatencylatencylat";
const OWNER_R: &str = "did:plc:memorymemorymemorymemory";
const AUTHOR: &str = "did:plc:senderssendersenderssend";

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
