//! Parts 1 and 2 on the in-process server: setup, throughput rounds, open-loop latency run.

use crate::client::{create_webhook, push, wait_for, wait_healthy};
use crate::cpu::{cpu_report, cpu_snapshot};
use crate::figures::thousands;
use crate::receiver::start_receiver;
use crate::throughput::{baseline, placehook_round, Through};
use crate::{now_ns, Cfg, OWNER_L, OWNER_T};
use placehook::config::ServeConfig;
use placehook::server::Hooks;
use placehook::store::{Store, StoreOptions};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub(crate) struct Latency {
    pub(crate) events: usize,
    pub(crate) deliveries: usize,
    pub(crate) offered: f64,
    /// Sorted ns from push start, and from the scheduled time.
    pub(crate) from_send: Vec<u64>,
    pub(crate) from_sched: Vec<u64>,
    pub(crate) push_ack: Vec<u64>,
    pub(crate) missing: usize,
    pub(crate) cpu: String,
}

pub(crate) async fn in_process(cfg: &Cfg) -> (Through, Latency, String) {
    let lat_events = (cfg.lat_rate * cfg.lat_secs).round() as usize;
    let (recv, rx) = start_receiver(lat_events * cfg.lat_w, cfg.lat_w).await;

    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("placehook.sqlite");
    let mut config = ServeConfig::for_database(db.to_str().expect("utf-8"));
    config.allow_private_targets = true;
    config.max_webhooks_per_owner = 10_000;
    let concurrency = config.delivery.delivery_concurrency;
    let store = Store::open(&config.database, StoreOptions::default())
        .await
        .expect("store");
    let producer = store
        .create_token("did:web:producer.example", true, None)
        .await
        .expect("token")
        .1;
    let tok_t = store
        .create_token(OWNER_T, false, None)
        .await
        .expect("token")
        .1;
    let tok_l = store
        .create_token(OWNER_L, false, None)
        .await
        .expect("token")
        .1;
    store.close().await;

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(placehook::server::run_with(
        config.clone(),
        listener,
        async {
            let _ = stopped.await;
        },
        Hooks {
            started: Some(started_tx),
            // Nothing leaves loopback: no profile look-ups.
            resolver: Some(std::sync::Arc::new(placehook::profile::DidOnlyResolver)),
            ..Hooks::default()
        },
    ));
    let state = started_rx.await.expect("server started");
    let http = reqwest::Client::new();
    wait_healthy(&http, &base).await;

    // Durability: what the file says (synchronous is per connection: NORMAL, set by
    // `Store::open` on every connection).
    let journal: String = rusqlite::Connection::open(&db)
        .expect("inspect db")
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal_mode");
    let durability = format!(
        "journal_mode={journal}, synchronous=NORMAL (Store::open defaults), delivery \
         concurrency {concurrency} (default)"
    );

    for w in 0..cfg.webhooks {
        create_webhook(&http, &base, &tok_t, &format!("{recv}/t/{w}")).await;
    }
    for w in 0..cfg.lat_w {
        create_webhook(&http, &base, &tok_l, &format!("{recv}/l/{w}")).await;
    }

    // Warm-up: one event to every throughput webhook; its body is the baseline's template.
    let n = push(&http, &base, &producer, OWNER_T, "W0").await;
    assert_eq!(n as usize, cfg.webhooks);
    assert!(
        wait_for(
            || rx.other.load(Ordering::SeqCst),
            cfg.webhooks as u64,
            Duration::from_secs(30)
        )
        .await,
        "warm-up deliveries did not arrive"
    );
    let (body, headers) = rx.sample.lock().expect("sample").clone().expect("sample");
    let body = String::from_utf8(body).expect("utf-8 body");
    let headers: Vec<(String, String)> = headers
        .into_iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "content-type" | "user-agent" | "webhook-id" | "webhook-timestamp"
            )
        })
        .collect();
    println!("delivered body (warm-up): {body}");
    println!(
        "delivered headers: {}",
        headers
            .iter()
            .map(|h| h.0.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let template = (body.clone(), headers);

    // 1. Throughput: baseline, then `rounds` times placehook and baseline again. Each
    // placehook round is compared with the baselines either side of it.
    let c0 = cpu_snapshot();
    let t = now_ns();
    let mut baselines = vec![baseline(&rx, &recv, cfg.webhooks, cfg.events, &template).await];
    let cpu_base = cpu_report(&c0, &cpu_snapshot(), (now_ns() - t) as f64 / 1e9);
    println!("baseline 1: {} deliveries/s", thousands(baselines[0]));
    let mut rounds = Vec::with_capacity(cfg.rounds);
    for round in 0..cfg.rounds {
        rounds.push(placehook_round(cfg, &rx, &http, &base, &producer, round).await);
        baselines.push(baseline(&rx, &recv, cfg.webhooks, cfg.events, &template).await);
        println!(
            "baseline {}: {} deliveries/s",
            round + 2,
            thousands(baselines[round + 1])
        );
    }
    println!("  cpu (baseline 1): {cpu_base}");
    let through = Through {
        baselines,
        rounds,
        body_len: body.len(),
        cpu_base,
    };

    // 2. Latency: open loop at lat_rate.
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..lat_events).map(|_| AtomicU64::new(0)).collect());
    let acks: Arc<Vec<AtomicU64>> = Arc::new((0..lat_events).map(|_| AtomicU64::new(0)).collect());
    let period = Duration::from_secs_f64(1.0 / cfg.lat_rate);
    let c0 = cpu_snapshot();
    let start = tokio::time::Instant::now() + Duration::from_millis(20);
    let start_ns = now_ns() + 20_000_000;
    let mut tasks = Vec::with_capacity(lat_events);
    for i in 0..lat_events {
        tokio::time::sleep_until(start + period * i as u32).await;
        let (http, base, producer, sent, acks) = (
            http.clone(),
            base.clone(),
            producer.clone(),
            sent.clone(),
            acks.clone(),
        );
        let lat_w = cfg.lat_w as i64;
        tasks.push(tokio::spawn(async move {
            let t = now_ns();
            sent[i].store(t, Ordering::SeqCst);
            let n = push(&http, &base, &producer, OWNER_L, &format!("L{i}")).await;
            acks[i].store(now_ns() - t, Ordering::SeqCst);
            assert_eq!(n, lat_w);
        }));
    }
    for t in tasks {
        t.await.expect("latency pusher");
    }
    let want_l = (lat_events * cfg.lat_w) as u64;
    wait_for(
        || rx.lat.load(Ordering::SeqCst),
        want_l,
        Duration::from_secs(60),
    )
    .await;
    let cpu_l = cpu_report(&c0, &cpu_snapshot(), (now_ns() - start_ns) as f64 / 1e9);
    let first_sent = sent[0].load(Ordering::SeqCst);
    let last_sent = sent
        .iter()
        .map(|s| s.load(Ordering::SeqCst))
        .max()
        .unwrap_or(0);
    let (mut from_send, mut from_sched, mut missing) = (Vec::new(), Vec::new(), 0);
    for i in 0..lat_events {
        let s = sent[i].load(Ordering::SeqCst);
        let sched = start_ns + (period * i as u32).as_nanos() as u64;
        for w in 0..cfg.lat_w {
            let a = rx.lat_arrival[i * cfg.lat_w + w].load(Ordering::SeqCst);
            if a == 0 {
                missing += 1;
                continue;
            }
            from_send.push(a.saturating_sub(s));
            from_sched.push(a.saturating_sub(sched));
        }
    }
    from_send.sort_unstable();
    from_sched.sort_unstable();
    let mut push_ack: Vec<u64> = acks.iter().map(|a| a.load(Ordering::SeqCst)).collect();
    push_ack.sort_unstable();
    let latency = Latency {
        events: lat_events,
        deliveries: lat_events * cfg.lat_w,
        offered: (lat_events - 1) as f64 / ((last_sent - first_sent) as f64 / 1e9),
        from_send,
        from_sched,
        push_ack,
        missing,
        cpu: cpu_l,
    };

    drop(state);
    let _ = stop.send(());
    server.await.expect("server task").expect("server");
    (through, latency, durability)
}
