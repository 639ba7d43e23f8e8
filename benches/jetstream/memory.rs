//! Memory sampling: the child's VmRSS every 50 ms against the frames sent so far.

use crate::fake_jetstream::FakeStats;
use crate::procfs::status_kb;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub(crate) struct Sample {
    pub(crate) sent: u64,
    pub(crate) rss_kb: u64,
}

pub(crate) struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<Sample>>,
}

impl Sampler {
    pub(crate) fn start(pid: u32, stats: Arc<FakeStats>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut out = Vec::new();
            while !stop2.load(Ordering::SeqCst) {
                out.push(Sample {
                    sent: stats.sent.load(Ordering::Relaxed),
                    rss_kb: status_kb(pid, "VmRSS:"),
                });
                std::thread::sleep(Duration::from_millis(50));
            }
            out
        });
        Sampler { stop, thread }
    }

    pub(crate) fn finish(self) -> Vec<Sample> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().expect("sampler")
    }
}
