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

/// One caller, plus the cost of an empty write job (a round trip to the writer thread and
/// an empty transaction): if that is far below ~40k/s the machine is busy.
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
        store.sqlite().db().write(|_| Ok(())).await.unwrap();
    }
    println!(
        "empty write jobs (one caller, BEGIN IMMEDIATE/COMMIT each): {:.0}/s",
        n as f64 / t.elapsed().as_secs_f64()
    );
    // Reads alone: `read_call_costs`.
}

/// What a read costs on this thread: the store's share of a `getWebhook` / `listWebhooks`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run by hand in release"]
async fn read_call_costs() {
    let (dir, store) = temp_store().await;
    let n = 100_000;
    let t = std::time::Instant::now();
    for _ in 0..n {
        store
            .sqlite()
            .db()
            .read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .unwrap();
    }
    println!(
        "Db::read SELECT 1, prepared each time: {:.2} us",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    let t = std::time::Instant::now();
    for _ in 0..n {
        store
            .sqlite()
            .db()
            .read(|c| {
                Ok(c.prepare_cached("SELECT 1")?
                    .query_row([], |r| r.get::<_, i64>(0))?)
            })
            .unwrap();
    }
    println!(
        "Db::read SELECT 1, cached statement: {:.2} us",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    let conn = rusqlite::Connection::open(dir.path().join("store.sqlite")).unwrap();
    let t = std::time::Instant::now();
    for _ in 0..n {
        conn.prepare_cached("SELECT 1")
            .unwrap()
            .query_row([], |r| r.get::<_, i64>(0))
            .unwrap();
    }
    println!(
        "bare rusqlite connection, cached statement: {:.2} us",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    let mut ids = vec![];
    for i in 0..60 {
        let body = serde_json::json!({ "url": format!("https://x.test/{i}"), "events": ["chat"], "active": true, "name": "bench", "prefix": "[x] " });
        ids.push(
            store
                .create_webhook(ALICE, &input(body), &format!("k{i}"), 100)
                .await
                .unwrap()
                .id,
        );
    }
    let m = 20_000;
    let t = std::time::Instant::now();
    for i in 0..m {
        store
            .get_webhook(ALICE, &ids[i % 60])
            .await
            .unwrap()
            .unwrap();
    }
    println!(
        "get_webhook: {:.2} us",
        t.elapsed().as_secs_f64() * 1e6 / m as f64
    );
    let t = std::time::Instant::now();
    for _ in 0..2000 {
        store
            .list_webhooks(ALICE, 50, None, None, Some("chat"))
            .await
            .unwrap();
    }
    println!(
        "list 50: {:.2} us",
        t.elapsed().as_secs_f64() * 1e6 / 2000.0
    );
    let (page, _) = store
        .list_webhooks(ALICE, 50, None, None, Some("chat"))
        .await
        .unwrap();
    let t = std::time::Instant::now();
    for _ in 0..2000 {
        std::hint::black_box(crate::api::webhooks::list_answer(page.clone(), None).unwrap());
    }
    println!(
        "serialize 50: {:.2} us",
        t.elapsed().as_secs_f64() * 1e6 / 2000.0
    );
    let (_, secret) = store.create_token(ALICE, false, None).await.unwrap();
    let t = std::time::Instant::now();
    for _ in 0..m {
        store.authenticate_token(&secret).await.unwrap().unwrap();
    }
    println!(
        "authenticate_token: {:.2} us",
        t.elapsed().as_secs_f64() * 1e6 / m as f64
    );
}
