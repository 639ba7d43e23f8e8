//! Reading `/proc`: VmRSS and VmHWM, and CPU time by thread.

use std::collections::HashMap;

pub(crate) fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// (name, utime + stime ticks) from a `stat` line.
fn stat_ticks(stat: &str) -> Option<(String, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat[open + 1..close].to_string();
    let f: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let u: u64 = f.get(11)?.parse().ok()?;
    let s: u64 = f.get(12)?.parse().ok()?;
    Some((name, u + s))
}

/// CPU seconds per thread name (summed) of a live process, and the whole process's.
pub(crate) fn cpu_by_thread(pid: u32) -> (Vec<(String, f64, usize)>, f64) {
    let hz = 100.0; // USER_HZ on Linux
    let mut by: HashMap<String, (u64, usize)> = HashMap::new();
    if let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for e in dir.flatten() {
            let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
            if let Some((name, t)) = stat_ticks(&stat) {
                // tokio-runtime-worker-3 and -4 (say) are one kind of thread.
                let kind = name
                    .trim_end_matches(|c: char| c.is_ascii_digit())
                    .to_string();
                let e = by.entry(kind).or_default();
                e.0 += t;
                e.1 += 1;
            }
        }
    }
    let total = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| stat_ticks(&s))
        .map_or(0, |t| t.1);
    let mut rows: Vec<_> = by
        .into_iter()
        .map(|(n, (t, c))| (n, t as f64 / hz, c))
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    (rows, total as f64 / hz)
}

pub(crate) fn self_rss_kb() -> u64 {
    status_kb(std::process::id(), "VmRSS:")
}
