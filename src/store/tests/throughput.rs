//! Manual measurement, not a timed assertion:
//! `cargo test --release --lib store::tests::throughput -- --ignored --nocapture`

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run by hand in release"]
async fn creates_per_second() {
    let (_dir, store) = temp_store().await;
    let n = 20_000usize;
    let owners = 2_000usize;
    let start = std::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    // 64 concurrent callers, as an HTTP server would have, on a runtime sized like the
    // 2-CPU machines this was measured on.
    for c in 0..64 {
        let store = store.clone();
        tasks.spawn(async move {
            for i in (c..n).step_by(64) {
                let owner = format!("did:plc:owner{}", i % owners);
                let url = format!("https://discord.com/api/webhooks/{i}/token");
                let body = serde_json::json!({ "url": url, "events": ["chat", "livestream"], "active": true, "name": "bench" });
                store.create_webhook(&owner, &input(body), &url, 100).await.unwrap();
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!("{n} creates in {secs:.2}s = {:.0}/s", n as f64 / secs);
    let start = std::time::Instant::now();
    for i in 0..2_000 {
        store
            .list_webhooks(
                &format!("did:plc:owner{}", i % owners),
                50,
                None,
                None,
                Some("chat"),
            )
            .await
            .unwrap();
    }
    println!(
        "2000 sequential list pages in {:.2}s",
        start.elapsed().as_secs_f64()
    );
}

/// One caller, plus the cost of bare round trips to the writer: if those are far below
/// ~40k/s the machine is busy and the numbers above mean little.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run by hand in release"]
async fn sequential_creates_and_baselines() {
    let (_dir, store) = temp_store().await;
    let n = 5_000;
    let t = std::time::Instant::now();
    for i in 0..n {
        let url = format!("https://discord.com/api/webhooks/{i}/token");
        let body = serde_json::json!({ "url": url, "events": ["chat"], "active": true });
        store
            .create_webhook(&format!("did:plc:o{}", i % 500), &input(body), &url, 100)
            .await
            .unwrap();
    }
    println!(
        "sequential creates: {:.0}/s",
        n as f64 / t.elapsed().as_secs_f64()
    );
    let t = std::time::Instant::now();
    for _ in 0..n {
        store.db.write(|_| Ok(())).await.unwrap();
    }
    println!(
        "empty write jobs (one caller, BEGIN IMMEDIATE/COMMIT each): {:.0}/s",
        n as f64 / t.elapsed().as_secs_f64()
    );
    let t = std::time::Instant::now();
    for _ in 0..n {
        store
            .db
            .read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .unwrap();
    }
    println!(
        "SELECT 1 on a reader: {:.0}/s",
        n as f64 / t.elapsed().as_secs_f64()
    );
}
