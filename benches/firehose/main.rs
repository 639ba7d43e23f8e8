//! Repo firehose throughput on one core: frames/s of the consumer's per-frame work over a
//! generated stream of real-format `subscribeRepos` frames (signed commits with their CAR
//! slices; mostly unrelated, one in `MATCH_EVERY` producing an event), against the bare
//! decode of the same frames.
//!
//! Run: `cargo bench --bench firehose`. Environment (defaults in brackets): `FRAMES`
//! [100000], `MATCH_EVERY` [100], `OWNERS` [10000] webhook owners, `AUTHORS` [500]
//! signing repos, `SEED` [7], `PASSES` [3] (best of), `PIN` [1] (0: no `taskset`).
//!
//! Measured on this thread, pinned to one CPU, each path over every frame:
//!
//! 1. `bare decode`: `firehose::frame::decode` (header and body; strings and the CAR
//!    slice borrowed), the least any consumer does.
//! 2. `decode + every CAR read and hashed`: what reading every commit's blocks would cost
//!    (the path scan exists to avoid it).
//! 3. `consumer`: `firehose::examine::examine` (decode, the path scan, and for commits
//!    with a wanted create: the CAR, the block hashes, the shared mapping and lexicon
//!    validation, the commit decode) and, for each commit with events,
//!    `firehose::verify::verify` (the signature against the author's `#atproto` key from
//!    `SigningKeys`, whose cache was filled beforehand from a loopback PLC directory:
//!    the real resolver, no network). The events themselves are not stored here.
//!
//! Checked: every matching commit produced its event and verified; nothing else did.
//!
//! Then, `ROUNDS` [3] times (0: skip), end to end (`service.rs`): the real service in a
//! child pinned to one core reading the stream over a loopback websocket, with a cold key
//! cache, storing and delivering every event; against a bare client reading the frames.

mod generator;
mod service;

use generator::{Gen, SORTS};
use placehook::auth::testing::did_document;
use placehook::did::{DidResolver, DidResolverConfig};
use placehook::events::EventKind;
use placehook::firehose::car::Blocks;
use placehook::firehose::examine::{examine, Step};
use placehook::firehose::frame::{decode, Frame};
use placehook::firehose::verify::verify;
use placehook::firehose::SigningKeys;
use placehook::jetstream::interests::index;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The target, commits/s with verification of the matching ones.
const TARGET: f64 = 50_000.0;
const MAX_FRAME: usize = placehook::firehose::consumer::MAX_FRAME_BYTES;

fn env_or<T: FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn thousands(x: f64) -> String {
    let s = format!("{:.0}", x);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn best<F: FnMut() -> u64>(passes: usize, mut f: F) -> (f64, u64) {
    let (mut secs, mut out) = (f64::MAX, 0);
    for _ in 0..passes {
        let t = Instant::now();
        out = f();
        secs = secs.min(t.elapsed().as_secs_f64());
    }
    (secs, out)
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cpus} x {model}")
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() {
    match std::env::var("FIREHOSE_BENCH_CHILD").as_deref() {
        Ok("bare") => return service::child_bare(),
        Ok("service") => return service::child_service(),
        _ => {}
    }
    let frames_n: usize = env_or("FRAMES", 100_000);
    let match_every: usize = env_or("MATCH_EVERY", 100);
    let owners_n: usize = env_or("OWNERS", 10_000);
    let authors_n: usize = env_or("AUTHORS", 500).max(1);
    let seed: u64 = env_or("SEED", 7);
    let passes: usize = env_or("PASSES", 3usize).max(1);
    println!("machine: {}; load average {}", machine(), load());
    // The runtime (loopback PLC directory) before pinning, on its own thread.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");

    let t = Instant::now();
    let mut gen = Gen::new(seed, owners_n, authors_n);
    let stream = gen.generate(frames_n, match_every);
    println!(
        "stream: {} frames, {:.1} MB (mean {:.0} B/frame), {} matching (1 in {match_every}), {} owners, {} signing repos; generated in {:.1} s",
        stream.frames.len(),
        stream.bytes as f64 / 1e6,
        stream.bytes as f64 / stream.frames.len().max(1) as f64,
        stream.matching,
        owners_n,
        authors_n,
        t.elapsed().as_secs_f64()
    );
    println!(
        "mix: {}",
        SORTS
            .iter()
            .zip(stream.mix)
            .map(|(name, n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );

    // The subjects with webhooks, as `Interests` holds them.
    let mut sets: [HashSet<String>; 5] = Default::default();
    for kind in [
        EventKind::Chat,
        EventKind::Livestream,
        EventKind::Follow,
        EventKind::Mention,
    ] {
        sets[index(kind)] = gen.owners.iter().cloned().collect();
    }

    // A loopback PLC directory with every author's key; the key cache filled from it.
    let docs: Arc<HashMap<String, serde_json::Value>> = Arc::new(
        gen.authors
            .iter()
            .map(|r| {
                let doc =
                    did_document(&r.did, &r.key.public_key(), "a.test", "https://pds.example");
                (r.did.clone(), doc)
            })
            .collect(),
    );
    let (keys, plc) = rt.block_on(async {
        let app = axum::Router::new().route(
            "/{did}",
            axum::routing::get(
                move |axum::extract::Path(did): axum::extract::Path<String>| {
                    let docs = docs.clone();
                    async move { axum::Json(docs.get(&did).cloned().unwrap_or_default()) }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        let dids = DidResolver::new(DidResolverConfig {
            plc_url: format!("http://{addr}").parse().expect("url"),
            ..DidResolverConfig::default()
        })
        .expect("resolver");
        let keys = SigningKeys::new(Arc::new(dids));
        for r in &gen.authors {
            keys.key(&r.did, false).await.expect("key");
        }
        (keys, format!("http://{addr}"))
    });

    let pin = env_or("PIN", 1u8) != 0;
    if pin {
        let pinned = std::process::Command::new("taskset")
            .args(["-p", "-c", "1", &format!("{}", nix_tid())])
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        println!(
            "{}",
            if pinned {
                "measuring thread pinned to CPU 1 (the PLC runtime idles on its own thread)"
            } else {
                "taskset unavailable: not pinning"
            }
        );
    }
    let none = HashSet::new();
    let frames = &stream.frames;

    let (bare, decoded) = best(passes, || {
        frames
            .iter()
            .filter(|f| decode(std::hint::black_box(f), MAX_FRAME).is_ok())
            .count() as u64
    });
    assert_eq!(decoded, frames.len() as u64, "every frame decodes");

    let (car_all, blocks_read) = best(passes, || {
        let mut n = 0u64;
        for f in frames {
            if let Ok(Frame::Commit(c)) = decode(f, MAX_FRAME) {
                let blocks = Blocks::read(c.blocks).expect("car");
                n += u64::from(blocks.get(&c.commit).is_ok());
                for op in &c.ops {
                    if let Some(cid) = op.cid.filter(|_| op.action == "create") {
                        n += u64::from(blocks.get(&cid).is_ok());
                    }
                }
            }
        }
        n
    });
    std::hint::black_box(blocks_read);

    let mut verify_secs = 0.0;
    let (consumer, produced) = best(passes, || {
        let (mut events, mut verified) = (0u64, 0u64);
        let mut in_verify = 0.0;
        for f in frames {
            let ex = examine(std::hint::black_box(f), MAX_FRAME, &sets, &none);
            assert!(ex.invalid.is_empty(), "no invalid records");
            match ex.step {
                Step::Verify(c) => {
                    let t = Instant::now();
                    rt.block_on(verify(&keys, &c))
                        .expect("every matching commit verifies");
                    in_verify += t.elapsed().as_secs_f64();
                    verified += 1;
                    events += c.events.len() as u64;
                }
                Step::Skip { reason, detail, .. } => panic!("skipped: {reason:?} {detail}"),
                _ => {}
            }
        }
        assert_eq!(verified, events, "one event per matching commit");
        verify_secs = in_verify;
        events
    });
    assert_eq!(
        produced, stream.matching,
        "exactly the matching commits produce events"
    );

    let n = frames.len() as f64;
    let row = |name: &str, secs: f64| {
        println!(
            "| {name} | {} | {:.2} | {:.2}x |",
            thousands(n / secs),
            secs * 1e6 / n,
            bare / secs
        );
    };
    println!();
    println!("| path (one thread, best of {passes}) | frames/s | µs/frame | vs bare decode |");
    println!("|---|---:|---:|---:|");
    row(
        "bare decode (`frame::decode`: header + body, blocks borrowed)",
        bare,
    );
    row(
        "decode + every commit's CAR read and its used blocks hashed",
        car_all,
    );
    row(
        &format!(
            "**consumer**: `examine` + `verify` of the {} matching commits (signature, cached key)",
            stream.matching
        ),
        consumer,
    );
    println!();
    if stream.matching > 0 {
        println!(
            "verification alone: {:.0} µs per matching commit ({:.1}% of the consumer's time)",
            verify_secs * 1e6 / stream.matching as f64,
            100.0 * verify_secs / consumer
        );
    }
    println!(
        "target {} commits/s with verification: {} ({} frames/s)",
        thousands(TARGET),
        if n / consumer >= TARGET {
            "met"
        } else {
            "MISSED"
        },
        thousands(n / consumer)
    );
    if env_or("ROUNDS", 3usize) > 0 {
        end_to_end(&rt, &stream, &gen.owners, &plc, pin);
    }
    println!("load average at the end: {}", load());
}

/// The service end to end (see `service.rs`), `ROUNDS` times, against the bare client.
fn end_to_end(
    rt: &tokio::runtime::Runtime,
    stream: &generator::Stream,
    owners: &[String],
    plc: &str,
    mut pin: bool,
) {
    use placehook::lexicon::place::stream::server::create_webhook;
    use placehook::store::{Store, StoreOptions};
    use std::sync::atomic::{AtomicU64, Ordering};
    let rounds: usize = env_or("ROUNDS", 3usize);
    if pin {
        // Everything here (fake host, receiver, PLC) on CPU 0; the children on CPU 1.
        pin = std::process::Command::new("taskset")
            .args(["-a", "-p", "-c", "0", &std::process::id().to_string()])
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let template = dir.path().join("template.sqlite");
    let delivered = Arc::new(AtomicU64::new(0));
    let t = Instant::now();
    rt.block_on(async {
        let count = delivered.clone();
        let app = axum::Router::new().fallback(move || {
            let count = count.clone();
            async move {
                count.fetch_add(1, Ordering::SeqCst);
                axum::http::StatusCode::NO_CONTENT
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        let store = Store::open_path(&template, StoreOptions::default())
            .await
            .expect("store");
        for owner in owners {
            let input: create_webhook::Input = serde_json::from_value(serde_json::json!({
                "url": url, "events": ["chat", "livestream", "follow", "mention"], "active": true,
            }))
            .expect("input");
            store
                .create_webhook(owner, &placehook::api::wire::settings(&input), &url, 50)
                .await
                .expect("webhook");
        }
        store.close().await;
    });
    println!();
    println!(
        "end to end: {} webhooks created in {:.1} s; {rounds} rounds, {}",
        owners.len(),
        t.elapsed().as_secs_f64(),
        if pin {
            "children pinned to CPU 1, this process to CPU 0"
        } else {
            "not pinned"
        }
    );
    let frames = Arc::new(stream.frames.clone());
    let last = frames.len() as i64;
    let n = frames.len() as f64;
    let (mut bares, mut services) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let b = service::run_bare(&frames, pin);
        println!(
            "round {}: bare client {:.3} s = {} frames/s (CPU {:.2} s)",
            round + 1,
            b.secs,
            thousands(n / b.secs),
            b.cpu
        );
        let s = service::run_service(&frames, last, &template, plc, &delivered, pin, round);
        let wait = Instant::now();
        while delivered.load(Ordering::SeqCst) < stream.matching
            && wait.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        let got = delivered.load(Ordering::SeqCst);
        println!(
            "round {}: service {:.3} s = {} frames/s (CPU {:.2} s); {}; {got} delivered",
            round + 1,
            s.secs,
            thousands(n / s.secs),
            s.cpu,
            s.stats
        );
        let stat = |name: &str| -> u64 {
            s.stats
                .split_whitespace()
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
                .unwrap_or(u64::MAX)
        };
        assert_eq!(stat("frames"), frames.len() as u64, "frames read");
        assert_eq!(stat("accepted"), stream.matching, "events accepted");
        assert_eq!(stat("skipped"), 0, "nothing skipped");
        assert_eq!(got, stream.matching, "deliveries");
        bares.push(b);
        services.push(s);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let bare_rate = median(bares.iter().map(|b| n / b.secs).collect());
    let svc_rate = median(services.iter().map(|s| n / s.secs).collect());
    let bare_cpu = median(bares.iter().map(|b| b.cpu * 1e6 / n).collect());
    let svc_cpu = median(services.iter().map(|s| s.cpu * 1e6 / n).collect());
    println!();
    println!(
        "| end to end (one core, median of {rounds}) | frames/s | CPU µs/frame | vs transport |"
    );
    println!("|---|---:|---:|---:|");
    println!("| bare tokio-tungstenite client, read + discard (transport ceiling) | {} | {bare_cpu:.2} | 1.00x |", thousands(bare_rate));
    println!(
        "| **placehook serve** (firehose consumer, {} webhooks, {} matching commits verified, stored, delivered; cold key cache) | **{}** | {svc_cpu:.2} | {:.2}x |",
        owners.len(), stream.matching, thousands(svc_rate), svc_rate / bare_rate
    );
    println!(
        "target {} commits/s end to end: {}",
        thousands(TARGET),
        if svc_rate >= TARGET { "met" } else { "MISSED" }
    );
    drop(dir);
}

/// This thread's id, for `taskset -p` (which pins one thread given its id).
fn nix_tid() -> u32 {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|p| p.file_name()?.to_str()?.parse().ok())
        .unwrap_or_else(std::process::id)
}
