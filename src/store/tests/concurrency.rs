use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::store::StoreError;

/// Runs `n` concurrent creates (spread over `stores`) and counts the outcomes.
async fn race(stores: &[Store], n: usize, max: u32, same_url: bool) -> (usize, usize, usize) {
    let counts = std::sync::Arc::new([
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    ]);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let store = stores[i % stores.len()].clone();
        let counts = counts.clone();
        tasks.spawn(async move {
            let url = if same_url {
                "https://same.test/".to_owned()
            } else {
                format!("https://{i}.test/")
            };
            let slot = match store
                .create_webhook(ALICE, &simple(&url, &["chat"]), &url, max)
                .await
            {
                Ok(_) => 0,
                Err(StoreError::TooManyWebhooks) => 1,
                Err(StoreError::DuplicateWebhook) => 2,
                Err(e) => panic!("unexpected {e:?}"),
            };
            counts[slot].fetch_add(1, Ordering::Relaxed);
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
    let c = |i: usize| counts[i].load(Ordering::Relaxed);
    (c(0), c(1), c(2))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_creates_respect_the_limit() {
    let (_dir, store) = temp_store().await;
    assert_eq!(
        race(std::slice::from_ref(&store), 50, 10, false).await,
        (10, 40, 0)
    );
    assert_eq!(
        store
            .list_webhooks(ALICE, 100, None, None, None)
            .await
            .unwrap()
            .0
            .len(),
        10
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_duplicates_yield_one_webhook() {
    let (_dir, store) = temp_store().await;
    assert_eq!(
        race(std::slice::from_ref(&store), 20, 100, true).await,
        (1, 0, 19)
    );
    assert_eq!(
        store
            .list_webhooks(ALICE, 100, None, None, None)
            .await
            .unwrap()
            .0
            .len(),
        1
    );
}

/// Two stores on one file have two writer connections, as when the CLI runs beside the
/// server: only `BEGIN IMMEDIATE` and SQLite's lock keep the checks sound there.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn limit_holds_across_processes_sharing_the_file() {
    let (dir, a) = temp_store().await;
    let b = Store::open_path(dir.path().join("store.sqlite"), StoreOptions::default())
        .await
        .unwrap();
    assert_eq!(
        race(&[a.clone(), b.clone()], 50, 10, false).await,
        (10, 40, 0)
    );
    let (dir, a) = temp_store().await;
    let b = Store::open_path(dir.path().join("store.sqlite"), StoreOptions::default())
        .await
        .unwrap();
    assert_eq!(race(&[a, b], 20, 100, true).await, (1, 0, 19));
}
