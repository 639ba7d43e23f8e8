//! Validation throughput on one core of already-parsed values: generated validation of
//! typed values (`rt::Validate` on the generated structs, what the service runs after
//! deserialising), generated validation of JSON values, and the dynamic validator behind
//! `lex validate`, against the reference TypeScript validator
//! (`@atproto/lexicon`, via `tools/ref/bench.mjs`) on the same inputs in the same run.
//!
//! Run: `cargo bench --bench validate` (needs `npm ci --prefix tools/ref` for the
//! baseline; without node the baseline is reported as missing). Target: >= 15x the
//! reference.

use placehook::lexicon::place::stream::chat::message;
use placehook::lexicon::place::stream::server::create_webhook;
use placehook_lex::catalog::Catalog;
use placehook_lex::validate::Validator;
use placehook_lexrt::Validate;
use serde_json::Value;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const SECONDS: f64 = 2.0;

fn load(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bench")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("bench input")).expect("JSON")
}

/// Validations per second of `f` on this thread (after a warm-up).
fn rate(f: impl Fn() -> bool) -> f64 {
    assert!(f(), "bench input must be valid");
    let run = |d: Duration| {
        let end = Instant::now() + d;
        let mut n = 0u64;
        while Instant::now() < end {
            for _ in 0..256 {
                black_box(f());
            }
            n += 256;
        }
        n
    };
    run(Duration::from_millis(300));
    let t0 = Instant::now();
    let n = run(Duration::from_secs_f64(SECONDS));
    n as f64 / t0.elapsed().as_secs_f64()
}

/// The reference's rates, or `None` when node or its packages are missing.
fn reference() -> Option<(f64, f64)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !root
        .join("tools/ref/node_modules/@atproto/lexicon")
        .exists()
    {
        return None;
    }
    let out = std::process::Command::new("node")
        .arg(root.join("tools/ref/bench.mjs"))
        .args(["--seconds", &SECONDS.to_string()])
        .output()
        .ok()?;
    let v: Value = serde_json::from_slice(&out.stdout).ok()?;
    Some((
        v["chat_message_per_s"].as_f64()?,
        v["create_webhook_per_s"].as_f64()?,
    ))
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs us with no such flag.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let chat = load("chat_message.json");
    let hook = load("create_webhook.json");
    let cat = Catalog::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons"))
        .expect("lexicons load");
    let dynamic = Validator::new(&cat);
    let chat_entry = dynamic.entry("place.stream.chat.message").unwrap();
    let hook_entry = dynamic.entry("place.stream.server.createWebhook").unwrap();

    let chat_typed: message::Main = serde_json::from_value(chat.clone()).expect("typed chat");
    let hook_typed: create_webhook::Input =
        serde_json::from_value(hook.clone()).expect("typed input");
    let rows = [
        (
            "chat.message",
            "typed",
            rate(|| black_box(&chat_typed).validate().is_ok()),
        ),
        (
            "createWebhook",
            "typed",
            rate(|| black_box(&hook_typed).validate().is_ok()),
        ),
        (
            "chat.message",
            "generated",
            rate(|| message::Main::validate_json(black_box(&chat)).is_ok()),
        ),
        (
            "createWebhook",
            "generated",
            rate(|| create_webhook::validate_input(black_box(&hook)).is_ok()),
        ),
        (
            "chat.message",
            "dynamic",
            rate(|| dynamic.validate(&chat_entry, black_box(&chat)).is_ok()),
        ),
        (
            "createWebhook",
            "dynamic",
            rate(|| dynamic.validate(&hook_entry, black_box(&hook)).is_ok()),
        ),
    ];
    let baseline = reference();
    println!(
        "{:<14} {:<10} {:>14} {:>14} {:>8}",
        "input", "validator", "validations/s", "reference/s", "ratio"
    );
    for (input, kind, r) in rows {
        let base = baseline.map(|(c, h)| if input == "chat.message" { c } else { h });
        match base {
            Some(b) => println!("{input:<14} {kind:<10} {r:>14.0} {b:>14.0} {:>7.1}x", r / b),
            None => println!("{input:<14} {kind:<10} {r:>14.0} {:>14} {:>8}", "n/a", "-"),
        }
    }
}
