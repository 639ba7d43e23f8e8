//! The consumer run: the real service in a child against the fake Jetstream, timed and checked.

use crate::child::{spawn_child, ChildGuard};
use crate::fake_jetstream::Fake;
use crate::memory::Sampler;
use crate::procfs::{cpu_by_thread, self_rss_kb, status_kb};
use crate::receiver::Rx;
use crate::replay::Replay;
use crate::{env_or, Cfg};
use placehook::config::ServeConfig;
use placehook::profile::DidOnlyResolver;
use placehook::server::Hooks;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// Where the PLC directory and AppView "are": a closed loopback port (never used).
const NOWHERE: &str = "http://127.0.0.1:9/";

/// `JETSTREAM_BENCH_CHILD=consumer`: the real service with the Jetstream consumer; says
/// DONE once the saved cursor reaches the last frame, then STATS, and stops when its
/// stdin closes.
pub(crate) fn child_consumer() {
    let url = std::env::var("JETSTREAM_BENCH_URL").expect("url");
    let db = std::env::var("JETSTREAM_BENCH_DB").expect("db");
    let last: i64 = env_or("JETSTREAM_BENCH_LAST_US", 0);
    let poll = Duration::from_millis(env_or("POLL_MS", 5));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let mut config = ServeConfig::for_database(db);
        config.allow_private_targets = true;
        config.plc_url = NOWHERE.parse().expect("url");
        config.appview_url = NOWHERE.parse().expect("url");
        config.jetstream_urls = vec![url.parse().expect("url")];
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (started_tx, started) = tokio::sync::oneshot::channel();
        let hooks = Hooks {
            resolver: Some(Arc::new(DidOnlyResolver)),
            started: Some(started_tx),
            ..Hooks::default()
        };
        let server = tokio::spawn(placehook::server::run_with(
            config,
            listener,
            async {
                let _ = stopped.await;
            },
            hooks,
        ));
        let state = started.await.expect("server started");
        println!("READY {}", self_rss_kb());
        loop {
            if state.store.jetstream_cursor().await.expect("cursor") == Some(last) {
                break;
            }
            tokio::time::sleep(poll).await;
        }
        println!("DONE");
        let metrics = state.metrics.render(0, 0, 0);
        let sum = |prefix: &str| -> u64 {
            metrics
                .lines()
                .filter(|l| l.starts_with(prefix))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
                .sum()
        };
        println!(
            "STATS frames={} accepted={} invalid={}",
            sum("placehook_jetstream_frames_total"),
            sum("placehook_events_accepted_total"),
            sum("placehook_jetstream_invalid_records_total")
        );
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .expect("stdin");
        let _ = stop.send(());
        server.await.expect("server task").expect("server");
    });
}

pub(crate) struct ConsumerRun {
    pub(crate) frames: u64,
    pub(crate) secs: f64,
    pub(crate) cpu: f64,
    pub(crate) threads: Vec<(String, f64, usize)>,
    pub(crate) rss_ready: u64,
    /// (frames sent, RSS kB) at every 10% of the stream.
    pub(crate) milestones: Vec<(u64, u64)>,
    pub(crate) rss_done: u64,
    pub(crate) rss_delivered: u64,
    pub(crate) rss_peak_sampled: u64,
    pub(crate) hwm: u64,
    pub(crate) accepted: u64,
    pub(crate) delivered: u64,
    pub(crate) delivery_wait: f64,
    /// When the fake had written the last frame (s after the handshake).
    pub(crate) written_secs: f64,
}

async fn wait_for(count: impl Fn() -> u64, want: u64, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if count() >= want {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    count() >= want
}

pub(crate) async fn run_consumer(
    cfg: &Cfg,
    replay: &Replay,
    template: &Path,
    round: usize,
    rx: &Arc<Rx>,
    perf: Option<&str>,
    with_webhooks: bool,
) -> ConsumerRun {
    let dir = template.parent().expect("template in a directory");
    // Without webhooks nothing matches: no accepts, no deliveries.
    let matching = if with_webhooks { replay.matching } else { 0 };
    let want = |i: usize| {
        if with_webhooks {
            u64::from(replay.expected[i])
        } else {
            0
        }
    };
    let db = dir.join(format!("round{round}-{with_webhooks}.sqlite"));
    std::fs::copy(template, &db).expect("copy template");
    rx.reset();
    let fake = Fake::start(replay.frames.clone());
    let child = spawn_child(
        "consumer",
        cfg,
        &[
            ("JETSTREAM_BENCH_URL", fake.url.clone()),
            (
                "JETSTREAM_BENCH_DB",
                db.to_str().expect("utf-8 path").to_string(),
            ),
            ("JETSTREAM_BENCH_LAST_US", replay.last_us.to_string()),
        ],
    );
    let (_, ready) = child.expect("READY", Duration::from_secs(60));
    let rss_ready: u64 = ready
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let sampler = Sampler::start(child.pid, fake.stats.clone());
    let perf_child = perf.map(|path| {
        let c = Command::new("perf")
            .args(["record", "-F", "1999", "-g", "-o", path, "-p"])
            .arg(child.pid.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("perf");
        ChildGuard(Some(c))
    });
    let (done, _) = child.expect("DONE", Duration::from_secs(900));
    let (threads, cpu) = cpu_by_thread(child.pid);
    let rss_done = status_kb(child.pid, "VmRSS:");
    if let Some(mut p) = perf_child {
        if let Some(c) = p.0.take() {
            let _ = Command::new("kill")
                .args(["-INT", &c.id().to_string()])
                .status();
            let mut c = c;
            let _ = c.wait();
        }
    }
    let (_, stats) = child.expect("STATS", Duration::from_secs(30));
    let field = |name: &str| -> u64 {
        stats
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or(u64::MAX)
    };
    let t0 = fake.started().expect("connected");
    let written = fake
        .stats
        .finished
        .lock()
        .expect("lock")
        .map_or(f64::NAN, |f| (f - t0).as_secs_f64());
    let sent = fake.stats.sent.load(Ordering::SeqCst);
    assert_eq!(sent, replay.frames.len() as u64, "every frame is wanted");
    assert_eq!(field("frames"), sent, "consumer: frames read");
    assert_eq!(field("invalid"), 0, "consumer: invalid records");
    let accepted = field("accepted");
    let wait_started = Instant::now();
    let all = wait_for(
        || rx.total.load(Ordering::SeqCst),
        matching,
        Duration::from_secs(120),
    )
    .await;
    let delivery_wait = wait_started.elapsed().as_secs_f64();
    // Anything extra would arrive right away.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_delivered = status_kb(child.pid, "VmRSS:");
    let hwm = status_kb(child.pid, "VmHWM:");
    let samples = sampler.finish();
    child.finish(Duration::from_secs(60));
    drop(fake);
    let delivered = rx.total.load(Ordering::SeqCst);
    assert!(all, "only {delivered} of {matching} deliveries");
    assert_eq!(
        rx.other.load(Ordering::SeqCst),
        0,
        "deliveries to unknown paths"
    );
    for i in 0..replay.expected.len() {
        assert_eq!(
            rx.per_owner[i].load(Ordering::SeqCst),
            want(i),
            "deliveries to owner {i}'s webhook"
        );
    }
    assert_eq!(accepted, matching, "consumer: events accepted");
    let total = sent;
    let milestones = (1..=10u64)
        .filter_map(|k| {
            let m = total * k / 10;
            samples
                .iter()
                .find(|s| s.sent >= m && s.rss_kb > 0)
                .map(|s| (m, s.rss_kb))
        })
        .collect();
    let rss_peak_sampled = samples.iter().map(|s| s.rss_kb).max().unwrap_or(0);
    ConsumerRun {
        frames: sent,
        secs: (done - t0).as_secs_f64(),
        cpu,
        threads,
        rss_ready,
        milestones,
        rss_done,
        rss_delivered,
        rss_peak_sampled,
        hwm,
        accepted,
        delivered,
        delivery_wait,
        written_secs: written,
    }
}
