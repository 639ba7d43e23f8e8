//! The real service end to end on one core: `placehook serve`'s code
//! (`server::run_with`, current-thread runtime) in a child process pinned to CPU 1,
//! reading the stream from a fake `subscribeRepos` host in this process (CPU 0) over a
//! loopback websocket, resolving keys from the loopback PLC directory (a cold cache: one
//! fetch per author of a matching commit), storing and delivering the events to a local
//! receiver; against a bare tokio-tungstenite client reading the same frames.

use futures_util::{SinkExt, StreamExt};
use placehook::config::ServeConfig;
use placehook::profile::DidOnlyResolver;
use placehook::server::Hooks;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// A child's run: frames, wall seconds from the handshake to its DONE, its CPU seconds.
pub(crate) struct Run {
    pub(crate) secs: f64,
    pub(crate) cpu: f64,
    pub(crate) stats: String,
}

/// This process's (or a child's) user + system CPU seconds.
pub(crate) fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| f.get(*i)?.parse::<u64>().ok())
        .sum();
    ticks as f64 / 100.0
}

/// `FIREHOSE_BENCH_CHILD=bare`: read and discard every frame, then say DONE.
pub(crate) fn child_bare() {
    let url = std::env::var("FIREHOSE_BENCH_URL").expect("url");
    let n: u64 = std::env::var("FIREHOSE_BENCH_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let config = WebSocketConfig::default()
            .max_message_size(Some(16 << 20))
            .max_frame_size(Some(16 << 20));
        let (ws, _) =
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), false)
                .await
                .expect("connect");
        let (_, mut read) = ws.split();
        let mut seen = 0u64;
        while let Some(Ok(msg)) = read.next().await {
            if let Message::Binary(b) = msg {
                std::hint::black_box(b.len());
                seen += 1;
                if seen == n {
                    break;
                }
            }
        }
        println!("DONE {seen} cpu={}", cpu_secs("self"));
    });
}

/// `FIREHOSE_BENCH_CHILD=service`: the service with the firehose consumer; DONE once the
/// saved cursor reaches the last frame, then STATS; stops when stdin closes.
pub(crate) fn child_service() {
    let var = |k: &str| std::env::var(k).expect(k);
    let (url, db, plc) = (
        var("FIREHOSE_BENCH_URL"),
        var("FIREHOSE_BENCH_DB"),
        var("FIREHOSE_BENCH_PLC"),
    );
    let last: i64 = var("FIREHOSE_BENCH_LAST").parse().expect("last");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async move {
        let mut config = ServeConfig::for_database(db);
        config.allow_private_targets = true;
        config.plc_url = plc.parse().expect("url");
        config.appview_url = "http://127.0.0.1:9/".parse().expect("url");
        config.firehose_urls = vec![url.parse().expect("url")];
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
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
        let state = started.await.expect("started");
        println!("READY");
        while state.store.stream_cursor(&url).await.expect("cursor") != Some(last) {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        println!("DONE cpu={}", cpu_secs("self"));
        // Past one metrics tick, so the frame counter is published.
        tokio::time::sleep(Duration::from_millis(700)).await;
        let metrics = state.metrics.render(0, 0, 0);
        let sum = |prefix: &str| -> u64 {
            metrics
                .lines()
                .filter(|l| l.starts_with(prefix))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
                .sum()
        };
        println!(
            "STATS frames={} accepted={} skipped={}",
            sum("placehook_firehose_frames_total"),
            sum("placehook_events_accepted_total"),
            sum("placehook_firehose_skipped_total")
        );
        tokio::task::spawn_blocking(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
        })
        .await
        .expect("stdin");
        let _ = stop.send(());
        server.await.expect("task").expect("server");
    });
}

/// The fake host: sends every frame as fast as the reader takes them, then stays open.
pub(crate) struct FakeHost {
    pub(crate) url: String,
    pub(crate) started: Arc<Mutex<Option<Instant>>>,
}

impl FakeHost {
    pub(crate) fn start(frames: Arc<Vec<Vec<u8>>>) -> Self {
        let (tx, rx) = mpsc::channel();
        let started: Arc<Mutex<Option<Instant>>> = Arc::default();
        let at = started.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("rt");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let addr = listener.local_addr().expect("addr");
                tx.send(format!("ws://{addr}/xrpc/com.atproto.sync.subscribeRepos"))
                    .expect("send");
                while let Ok((stream, _)) = listener.accept().await {
                    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
                        continue;
                    };
                    *at.lock().expect("lock") = Some(Instant::now());
                    let (mut write, mut read) = ws.split();
                    for f in frames.iter() {
                        if write.feed(Message::binary(f.clone())).await.is_err() {
                            break;
                        }
                    }
                    let _ = write.flush().await;
                    while let Some(Ok(_)) = read.next().await {}
                }
            });
        });
        Self {
            url: rx.recv().expect("fake host address"),
            started,
        }
    }
}

/// Spawns this binary as a child in `mode`, pinned to CPU 1 when `pin`.
pub(crate) fn spawn(
    mode: &str,
    pin: bool,
    env: &[(&str, String)],
) -> (Child, mpsc::Receiver<(Instant, String)>) {
    let exe = std::env::current_exe().expect("exe");
    let mut cmd = if pin {
        let mut c = Command::new("taskset");
        c.arg("-c").arg("1").arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.env("FIREHOSE_BENCH_CHILD", mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn");
    let out = child.stdout.take().expect("stdout");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send((Instant::now(), line)).is_err() {
                return;
            }
        }
    });
    (child, lines)
}

fn expect(lines: &mpsc::Receiver<(Instant, String)>, prefix: &str) -> (Instant, String) {
    loop {
        match lines.recv_timeout(Duration::from_secs(600)) {
            Ok((at, l)) if l.starts_with(prefix) => return (at, l),
            Ok((_, l)) => println!("  child: {l}"),
            Err(e) => panic!("child never said {prefix}: {e}"),
        }
    }
}

fn field(line: &str, name: &str) -> f64 {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// One bare-client run.
pub(crate) fn run_bare(frames: &Arc<Vec<Vec<u8>>>, pin: bool) -> Run {
    let host = FakeHost::start(frames.clone());
    let (mut child, lines) = spawn(
        "bare",
        pin,
        &[
            ("FIREHOSE_BENCH_URL", host.url.clone()),
            ("FIREHOSE_BENCH_FRAMES", frames.len().to_string()),
        ],
    );
    let (done, line) = expect(&lines, "DONE");
    let _ = child.wait();
    let t0 = host.started.lock().expect("lock").expect("connected");
    Run {
        secs: (done - t0).as_secs_f64(),
        cpu: field(&line, "cpu"),
        stats: String::new(),
    }
}

/// One service run against a fresh copy of `template`.
pub(crate) fn run_service(
    frames: &Arc<Vec<Vec<u8>>>,
    last: i64,
    template: &std::path::Path,
    plc: &str,
    delivered: &AtomicU64,
    pin: bool,
    round: usize,
) -> Run {
    let db = template.with_file_name(format!("round-{round}.sqlite"));
    std::fs::copy(template, &db).expect("copy template");
    let host = FakeHost::start(frames.clone());
    delivered.store(0, Ordering::SeqCst);
    let (mut child, lines) = spawn(
        "service",
        pin,
        &[
            ("FIREHOSE_BENCH_URL", host.url.clone()),
            ("FIREHOSE_BENCH_DB", db.to_str().expect("utf-8").to_string()),
            ("FIREHOSE_BENCH_PLC", plc.to_string()),
            ("FIREHOSE_BENCH_LAST", last.to_string()),
        ],
    );
    expect(&lines, "READY");
    let (done, line) = expect(&lines, "DONE");
    let (_, stats) = expect(&lines, "STATS");
    drop(child.stdin.take());
    let _ = child.wait();
    let t0 = host.started.lock().expect("lock").expect("connected");
    Run {
        secs: (done - t0).as_secs_f64(),
        cpu: field(&line, "cpu"),
        stats,
    }
}
