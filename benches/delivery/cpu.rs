//! CPU time by thread of this process, from `/proc/self/task`.

use std::collections::HashMap;

/// Clock ticks (utime + stime) per live thread of this process: tid → (name, ticks),
/// and the whole process's ticks (including threads that have exited).
pub(crate) fn cpu_snapshot() -> (HashMap<u32, (String, u64)>, u64) {
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
pub(crate) fn cpu_report(
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
