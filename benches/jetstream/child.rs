//! The measured child processes: this binary re-executed (pinned), its lines read back.

use crate::Cfg;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A child that is killed if the bench panics.
pub(crate) struct ChildGuard(pub(crate) Option<Child>);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub(crate) struct Spawned {
    guard: ChildGuard,
    pub(crate) pid: u32,
    lines: mpsc::Receiver<(Instant, String)>,
}

impl Spawned {
    /// The next line starting with `prefix` (others are echoed), and when it arrived.
    pub(crate) fn expect(&self, prefix: &str, limit: Duration) -> (Instant, String) {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((at, line)) if line.starts_with(prefix) => return (at, line),
                Ok((_, line)) => println!("  child: {line}"),
                Err(e) => panic!("child never said {prefix:?}: {e}"),
            }
        }
    }

    /// Closes the child's stdin (its cue to stop) and waits for it to exit.
    pub(crate) fn finish(mut self, limit: Duration) {
        let Some(mut child) = self.guard.0.take() else {
            return;
        };
        drop(child.stdin.take());
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                assert!(status.success(), "child failed: {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("child did not exit");
    }
}

pub(crate) fn spawn_child(mode: &str, cfg: &Cfg, env: &[(&str, String)]) -> Spawned {
    let exe = std::env::current_exe().expect("current exe");
    let mut cmd = if cfg.pin {
        let mut c = Command::new("taskset");
        c.arg("-c").arg("1").arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.env("JETSTREAM_BENCH_CHILD", mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn child");
    let pid = child.id();
    let stdout = child.stdout.take().expect("stdout");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send((Instant::now(), line)).is_err() {
                return;
            }
        }
    });
    Spawned {
        guard: ChildGuard(Some(child)),
        pid,
        lines,
    }
}
