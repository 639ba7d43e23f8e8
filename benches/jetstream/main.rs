//! Jetstream consumer throughput and memory (issue 5): events/s consumed and filtered
//! from a local replay of mostly non-matching events, on one core, with 10,000
//! registered webhooks.
//!
//! Run: `cargo bench --bench jetstream`.
//!
//! Setup (in the bench process):
//!
//! * `WEBHOOKS` owners (distinct `did:plc` DIDs), one webhook each for `chat`,
//!   `livestream`, `follow` and `mention`, created with `Store::create_webhook` in a
//!   template SQLite file; each webhook's URL is its own path on a local receiver that
//!   answers 204 (`--allow-private-targets`).
//! * A generated replay of `FRAMES` frames in the Jetstream wire format, pre-serialised:
//!   only what a real Jetstream sends for the consumer's `wantedCollections` (posts,
//!   follows, chat messages, livestreams; no likes or reposts) plus identity and account
//!   events. Mostly post creates (some with replies, image / external / quote embeds,
//!   link and tag facets, ~1% of frames with `#mention` facets naming DIDs nobody
//!   subscribed to), follows of random DIDs, chat messages to random streamers, deletes,
//!   livestream updates by owners, and `MATCH_PPM` per million frames that do match one
//!   webhook (a follow of, chat to, mention of or livestream by an owner).
//! * A fake Jetstream: a websocket server (`tokio_tungstenite::accept_hdr_async`) on its
//!   own thread and current-thread runtime, honouring `wantedCollections` and `cursor`.
//!   The first connection gets the whole replay as fast as the client reads it, then a
//!   close; later connections (the consumer's reconnect) get nothing and stay open.
//!
//! Measured, per round, each in a child process (this binary re-executed), pinned with
//! `taskset` to one core while the bench process (fake Jetstream, receiver) is pinned to
//! another, so the child's every thread (runtime, SQLite writer and checkpointer) shares
//! one core:
//!
//! 1. `bare`: a tokio-tungstenite client on a current-thread runtime reading and
//!    discarding the frames (the transport ceiling).
//! 2. `consumer`: the real service (`placehook::server::run_with`, so the real
//!    `jetstream::Consumer`, dispatcher and store, with
//!    `Hooks { resolver: DidOnlyResolver }`) on a current-thread runtime, against a fresh
//!    copy of the template database. Time: from the fake's websocket handshake until
//!    the consumer's saved cursor (`Store::jetstream_cursor`, polled every `POLL_MS`)
//!    equals the last frame's `time_us`. Memory: the child's VmRSS, sampled every 50 ms, reported
//!    at start, every 10% of the stream, at the end and at its peak (VmHWM). The child
//!    does not hold the replay (the bench process does; its size is printed apart).
//!    Checked: frames read = frames sent, events accepted = matching frames, every
//!    webhook's receiver path got exactly its matching frames' deliveries, no invalid
//!    records.
//! 3. `consumer, no webhooks`: the same against a database without webhooks, so nothing
//!    matches; the difference from 2 is the cost of the matching frames.
//!
//! And once, in this process on one thread: `frame::parse` alone and `frame::parse` +
//! `mapping::map` over the pre-serialised frames against the real `Interests` snapshot
//! (which must yield exactly the matching events).
//!
//! Environment (defaults in brackets): `FRAMES` [1000000], `WEBHOOKS` [10000],
//! `MATCH_PPM` [1000], `SEED` [5], `ROUNDS` [3], `PARSE_PASSES` [3], `PIN` [1] (0: no
//! `taskset`), `POLL_MS` [5], `PERF` [unset] (a path: `perf record -g` the last
//! consumer round into it).
//! Quick run: `FRAMES=100000 WEBHOOKS=1000 ROUNDS=1 cargo bench --bench jetstream`.
//! Nothing leaves loopback: profiles come from `DidOnlyResolver`, and the PLC / AppView
//! URLs point at a closed loopback port.

mod bare;
mod child;
mod consumer;
mod fake_jetstream;
mod figures;
mod generator;
mod memory;
mod parse_filter;
mod procfs;
mod receiver;
mod replay;

use bare::{child_bare, run_bare};
use consumer::{child_consumer, run_consumer, ConsumerRun};
use figures::{machine, mb, median, thousands};
use generator::Gen;
use parse_filter::{by_sort, parse_filter};
use placehook::jetstream::Interests;
use placehook::lexicon::place::stream::server::create_webhook;
use placehook::store::{Store, StoreOptions};
use procfs::self_rss_kb;
use receiver::start_receiver;
use replay::SORTS;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::time::Instant;

/// The target, events/s.
const TARGET: f64 = 100_000.0;

fn env_or<T: FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Cfg {
    frames: usize,
    webhooks: usize,
    match_ppm: u32,
    seed: u64,
    rounds: usize,
    parse_passes: usize,
    pin: bool,
    perf: Option<String>,
}

impl Cfg {
    fn from_env() -> Self {
        Self {
            frames: env_or("FRAMES", 1_000_000),
            webhooks: env_or("WEBHOOKS", 10_000),
            match_ppm: env_or("MATCH_PPM", 1000),
            seed: env_or("SEED", 5),
            rounds: env_or("ROUNDS", 3usize).max(1),
            parse_passes: env_or("PARSE_PASSES", 3usize).max(1),
            pin: env_or("PIN", 1u8) != 0,
            perf: std::env::var("PERF").ok().filter(|p| !p.is_empty()),
        }
    }
}

fn main() {
    match std::env::var("JETSTREAM_BENCH_CHILD").as_deref() {
        Ok("bare") => return child_bare(),
        Ok("consumer") => return child_consumer(),
        _ => {}
    }
    let mut cfg = Cfg::from_env();
    // Before pinning (which makes this process see one CPU).
    let machine = machine();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cfg.pin {
        // This process (fake Jetstream, receiver, sampler) on core 0; children on core 1.
        let ok = cpus >= 2
            && Command::new("taskset")
                .args(["-a", "-p", "-c", "0", &std::process::id().to_string()])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if !ok {
            println!("taskset unavailable or one core: not pinning");
            cfg.pin = false;
        }
    }
    let load = || {
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!("machine: {machine}; load average {}", load());
    println!(
        "frames {}, webhooks {}, match {} ppm, seed {}, rounds {}, pinned: {}",
        cfg.frames,
        cfg.webhooks,
        cfg.match_ppm,
        cfg.seed,
        cfg.rounds,
        if cfg.pin {
            "bench process on CPU 0, measured child on CPU 1"
        } else {
            "no"
        }
    );

    let t = Instant::now();
    let gen = Gen::new(cfg.seed, cfg.webhooks);
    let owners = gen.owners.clone();
    let replay = gen.generate(cfg.frames, cfg.match_ppm);
    println!(
        "replay: {} frames, {:.1} MB of JSON (mean {:.0} B/frame), {} matching, generated in {:.1} s; bench process RSS {}",
        replay.frames.len(),
        replay.bytes as f64 / 1e6,
        replay.bytes as f64 / replay.frames.len().max(1) as f64,
        replay.matching,
        t.elapsed().as_secs_f64(),
        mb(self_rss_kb())
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "mix: {}",
        SORTS
            .iter()
            .zip(replay.mix)
            .map(|(name, n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("tempdir");
        let (rx_url, rx) = start_receiver(owners.len()).await;

        // The template database: one webhook per owner.
        let template: PathBuf = dir.path().join("template.sqlite");
        let t = Instant::now();
        let store = Store::open_path(&template, StoreOptions::default())
            .await
            .expect("store");
        for (i, owner) in owners.iter().enumerate() {
            let url = format!("{rx_url}/hook/{i}");
            let input: create_webhook::Input = serde_json::from_value(serde_json::json!({
                "url": url,
                "events": ["chat", "livestream", "follow", "mention"],
                "active": true,
            }))
            .expect("input");
            store
                .create_webhook(owner, &placehook::api::wire::settings(&input), &url, 50)
                .await
                .expect("create webhook");
        }
        let empty: PathBuf = dir.path().join("empty.sqlite");
        Store::open_path(&empty, StoreOptions::default())
            .await
            .expect("store")
            .close()
            .await;
        let interests = Interests::new();
        interests.reload(&store).await.expect("interests");
        let sets = interests.snapshot();
        store.close().await;
        println!(
            "{} webhooks created with Store::create_webhook in {:.1} s",
            owners.len(),
            t.elapsed().as_secs_f64()
        );

        // In process, one thread.
        let (parse_rate, map_rate, events, invalid) =
            parse_filter(&replay.frames, &sets, cfg.parse_passes);
        assert_eq!(invalid, 0, "map: invalid records");
        assert_eq!(events, replay.matching, "map: events = matching frames");
        println!(
            "in process: parse {} frames/s, parse + filter {} frames/s ({} events)",
            thousands(parse_rate),
            thousands(map_rate),
            events
        );

        let rows = by_sort(&replay.frames, &sets, cfg.parse_passes);
        let total_ns: f64 = rows.iter().map(|r| r.1 as f64 * r.4).sum();
        println!();
        println!("in process, by sort of frame (best of {} passes):", cfg.parse_passes);
        println!("| frame | share | mean size | parse ns | parse + map ns | share of parse + map time |");
        println!("|---|---:|---:|---:|---:|---:|");
        for (i, n, bytes, parse, both) in &rows {
            println!(
                "| {} | {:.2}% | {:.0} B | {:.0} | {:.0} | {:.1}% |",
                SORTS[*i],
                100.0 * *n as f64 / replay.frames.len() as f64,
                bytes,
                parse,
                both,
                100.0 * *n as f64 * both / total_ns
            );
        }
        println!();

        let mut bares = Vec::new();
        let mut consumers = Vec::new();
        let mut empties = Vec::new();
        let report = |round: usize, what: &str, c: &ConsumerRun, perf: bool| {
            println!(
                "round {}: {what} {} frames in {:.3} s (fake done writing at {:.3} s) = {} frames/s (CPU {:.2} s: {}); RSS start {}, end {}, peak {}; {} accepted, {} delivered ({:.2} s after the last frame){}",
                round + 1,
                c.frames,
                c.secs,
                c.written_secs,
                thousands(c.frames as f64 / c.secs),
                c.cpu,
                c.threads
                    .iter()
                    .filter(|t| t.1 > 0.0)
                    .map(|(n, s, k)| format!("{n} x{k} {s:.2} s"))
                    .collect::<Vec<_>>()
                    .join(", "),
                mb(c.rss_ready),
                mb(c.rss_done),
                mb(c.hwm),
                c.accepted,
                c.delivered,
                c.delivery_wait,
                if perf { " [under perf]" } else { "" }
            );
        };
        for round in 0..cfg.rounds {
            let b = run_bare(&cfg, &replay);
            println!(
                "round {}: bare client {} frames in {:.3} s = {} frames/s (CPU {:.2} s)",
                round + 1,
                b.frames,
                b.secs,
                thousands(b.frames as f64 / b.secs),
                b.cpu
            );
            bares.push(b);
            let perf = (round + 1 == cfg.rounds).then_some(cfg.perf.as_deref()).flatten();
            let c = run_consumer(&cfg, &replay, &template, round, &rx, perf, true).await;
            report(round, "consumer", &c, perf.is_some());
            consumers.push(c);
            let e = run_consumer(&cfg, &replay, &empty, round, &rx, None, false).await;
            report(round, "consumer, no webhooks", &e, false);
            empties.push(e);
        }

        let rate = |frames: u64, secs: f64| frames as f64 / secs;
        let bare_rate = median(bares.iter().map(|b| rate(b.frames, b.secs)).collect());
        let bare_cpu = median(bares.iter().map(|b| b.cpu * 1e6 / b.frames as f64).collect());
        let cons_rates: Vec<f64> = consumers.iter().map(|c| rate(c.frames, c.secs)).collect();
        let cons_rate = median(cons_rates.clone());
        let cons_cpu = median(consumers.iter().map(|c| c.cpu * 1e6 / c.frames as f64).collect());
        let empty_rate = median(empties.iter().map(|c| rate(c.frames, c.secs)).collect());
        let empty_cpu = median(empties.iter().map(|c| c.cpu * 1e6 / c.frames as f64).collect());
        println!();
        println!(
            "| path (one core) | frames/s (median of {}) | µs/frame (wall) | CPU µs/frame | vs transport |",
            cfg.rounds
        );
        println!("|---|---:|---:|---:|---:|");
        println!(
            "| bare tokio-tungstenite client, read + discard (transport ceiling) | {} | {:.2} | {:.2} | 1.00x |",
            thousands(bare_rate),
            1e6 / bare_rate,
            bare_cpu
        );
        println!(
            "| **placehook consumer** (`server::run_with`, current-thread runtime), {} webhooks, {} matching frames | **{}** | {:.2} | {:.2} | {:.2}x |",
            owners.len(),
            replay.matching,
            thousands(cons_rate),
            1e6 / cons_rate,
            cons_cpu,
            cons_rate / bare_rate
        );
        println!(
            "| placehook consumer, no webhooks (nothing matches) | {} | {:.2} | {:.2} | {:.2}x |",
            thousands(empty_rate),
            1e6 / empty_rate,
            empty_cpu,
            empty_rate / bare_rate
        );
        println!(
            "| in process: `frame::parse` only | {} | {:.2} | | |",
            thousands(parse_rate),
            1e6 / parse_rate
        );
        println!(
            "| in process: `frame::parse` + `mapping::map` | {} | {:.2} | | |",
            thousands(map_rate),
            1e6 / map_rate
        );
        println!();
        println!(
            "consumer rounds: {}; without webhooks: {}",
            cons_rates.iter().map(|r| thousands(*r)).collect::<Vec<_>>().join(", "),
            empties
                .iter()
                .map(|c| thousands(rate(c.frames, c.secs)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if replay.matching > 0 {
            println!(
                "cost of the matching frames (accept + delivery), from the CPU difference: {:.0} µs of the core per matching frame",
                (cons_cpu - empty_cpu) * replay.frames.len() as f64 / replay.matching as f64
            );
        }
        println!(
            "target {} events/s: {}",
            thousands(TARGET),
            if cons_rate >= TARGET { "met" } else { "MISSED" }
        );

        println!();
        println!("consumer child VmRSS (round by round):");
        let mut head = String::from("| round | start |");
        let mut sep = String::from("|---|---:|");
        if let Some(c) = consumers.first() {
            for (m, _) in &c.milestones {
                let _ = write!(head, " {}k |", m / 1000);
                sep.push_str("---:|");
            }
        }
        head.push_str(" last frame | deliveries done | peak (VmHWM) |");
        sep.push_str("---:|---:|---:|");
        println!("{head}");
        println!("{sep}");
        for (i, c) in consumers.iter().enumerate() {
            let mut row = format!("| {} | {} |", i + 1, mb(c.rss_ready));
            for (_, kb) in &c.milestones {
                let _ = write!(row, " {} |", mb(*kb));
            }
            let _ = write!(
                row,
                " {} | {} | {} |",
                mb(c.rss_done),
                mb(c.rss_delivered),
                mb(c.hwm.max(c.rss_peak_sampled))
            );
            println!("{row}");
        }
        for (i, c) in consumers.iter().enumerate() {
            if let (Some(first), Some(last)) = (c.milestones.first(), c.milestones.last()) {
                let growth = (c.rss_done.max(last.1) as f64 - first.1 as f64) / 1024.0;
                println!(
                    "round {}: growth from {}k frames to the last frame: {:+.1} MB ({})",
                    i + 1,
                    first.0 / 1000,
                    growth,
                    if growth < 2.0 { "flat" } else { "GROWS" }
                );
            }
        }
        println!(
            "bench process (holds the replay, {:.0} MB of frames): RSS {}",
            replay.bytes as f64 / 1e6,
            mb(self_rss_kb())
        );
        drop(dir);
    });
    println!("load average at the end: {}", load());
}
