//! The baseline: a bare tokio-tungstenite client reading and discarding the replay.

use crate::child::spawn_child;
use crate::fake_jetstream::Fake;
use crate::procfs::cpu_by_thread;
use crate::replay::Replay;
use crate::Cfg;
use futures_util::StreamExt;
use placehook::jetstream::consumer::subscribe_url;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// `JETSTREAM_BENCH_CHILD=bare`: read and discard every frame, then report.
pub(crate) fn child_bare() {
    let url = std::env::var("JETSTREAM_BENCH_URL").expect("url");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let url = subscribe_url(&url.parse().expect("url"), None);
        let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .expect("connect");
        // As the consumer does: keep only the read half.
        let (_, mut read) = ws.split();
        let (mut n, mut bytes) = (0u64, 0u64);
        while let Some(msg) = read.next().await {
            match msg {
                Ok(Message::Text(t)) => {
                    n += 1;
                    bytes += t.len() as u64;
                }
                Ok(Message::Close(_)) | Err(_) => break,
                Ok(_) => {}
            }
        }
        println!("DONE {n} {bytes}");
    });
}

pub(crate) struct BareRun {
    pub(crate) frames: u64,
    pub(crate) secs: f64,
    pub(crate) cpu: f64,
}

pub(crate) fn run_bare(cfg: &Cfg, replay: &Replay) -> BareRun {
    let fake = Fake::start(replay.frames.clone());
    let child = spawn_child("bare", cfg, &[("JETSTREAM_BENCH_URL", fake.url.clone())]);
    let (done, line) = child.expect("DONE", Duration::from_secs(600));
    let (_, cpu) = cpu_by_thread(child.pid);
    let t0 = fake.started().expect("connected");
    let frames: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert_eq!(
        frames,
        fake.stats.sent.load(Ordering::SeqCst),
        "bare: frames read"
    );
    child.finish(Duration::from_secs(30));
    BareRun {
        frames,
        secs: (done - t0).as_secs_f64(),
        cpu,
    }
}
