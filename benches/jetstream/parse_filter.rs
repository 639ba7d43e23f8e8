//! In process, one thread: `frame::parse` and `mapping::map` over the replay, by sort too.

use crate::replay::{WireFrame, SORTS};
use placehook::jetstream::{frame, mapping};
use placehook::profile::{DidOnlyResolver, ProfileResolver};
use std::collections::HashSet;
use std::time::Instant;

/// Best-of-`passes` frames/s of `frame::parse` alone, and of `parse` + `mapping::map`
/// (as the consumer calls them, with the identity hook), and the events `map` made.
pub(crate) fn parse_filter(
    frames: &[WireFrame],
    sets: &[HashSet<String>; 5],
    passes: usize,
) -> (f64, f64, u64, u64) {
    let resolver = DidOnlyResolver;
    let mut best_parse = f64::MAX;
    let mut best_map = f64::MAX;
    let (mut events, mut invalid) = (0, 0);
    for _ in 0..passes {
        let t = Instant::now();
        let mut ok = 0u64;
        for f in frames {
            if let Some(fr) = frame::parse(std::hint::black_box(f.text.as_str())) {
                ok += u64::from(fr.time_us > 0);
            }
        }
        std::hint::black_box(ok);
        best_parse = best_parse.min(t.elapsed().as_secs_f64());

        let t = Instant::now();
        let (mut ev, mut inv) = (0u64, 0u64);
        for f in frames {
            let Some(fr) = frame::parse(std::hint::black_box(f.text.as_str())) else {
                continue;
            };
            if fr.kind == "identity" {
                resolver.invalidate(fr.did);
            }
            let m = fr
                .create_op()
                .map(|op| mapping::map(&op, sets))
                .unwrap_or_default();
            inv += u64::from(m.invalid);
            ev += m.events.len() as u64;
        }
        best_map = best_map.min(t.elapsed().as_secs_f64());
        (events, invalid) = (ev, inv);
    }
    let n = frames.len() as f64;
    (n / best_parse, n / best_map, events, invalid)
}

/// Per sort of frame: frames, mean bytes, best-of-`passes` ns/frame of `parse` and of
/// `parse` + `map`.
pub(crate) fn by_sort(
    frames: &[WireFrame],
    sets: &[HashSet<String>; 5],
    passes: usize,
) -> Vec<(usize, usize, f64, f64, f64)> {
    let mut groups: Vec<Vec<&str>> = vec![Vec::new(); SORTS.len()];
    for f in frames {
        groups[usize::from(f.sort)].push(f.text.as_str());
    }
    let mut rows = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        if g.is_empty() {
            continue;
        }
        let bytes = g.iter().map(|t| t.len()).sum::<usize>() as f64 / g.len() as f64;
        let (mut parse, mut both) = (f64::MAX, f64::MAX);
        for _ in 0..passes {
            let t = Instant::now();
            for text in g {
                std::hint::black_box(frame::parse(std::hint::black_box(text)));
            }
            parse = parse.min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            for text in g {
                if let Some(fr) = frame::parse(std::hint::black_box(text)) {
                    std::hint::black_box(fr.create_op().map(|op| mapping::map(&op, sets)));
                }
            }
            both = both.min(t.elapsed().as_secs_f64());
        }
        let n = g.len() as f64;
        rows.push((i, g.len(), bytes, parse * 1e9 / n, both * 1e9 / n));
    }
    rows
}
