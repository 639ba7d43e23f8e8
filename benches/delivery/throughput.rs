//! Part 1, throughput: a placehook round, the bare-client baseline, and their figures.

use crate::client::{push, wait_for};
use crate::cpu::{cpu_report, cpu_snapshot};
use crate::figures::thousands;
use crate::receiver::Rx;
use crate::{now_ns, Cfg, OWNER_T};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub(crate) struct Through {
    /// Bare client rates: before the first round and after each.
    pub(crate) baselines: Vec<f64>,
    pub(crate) rounds: Vec<Round>,
    pub(crate) body_len: usize,
    pub(crate) cpu_base: String,
}

impl Through {
    /// Each round's rate as a share of the mean of the baselines either side of it.
    pub(crate) fn ratios(&self) -> Vec<f64> {
        self.rounds
            .iter()
            .enumerate()
            .map(|(i, r)| 2.0 * r.rate / (self.baselines[i] + self.baselines[i + 1]))
            .collect()
    }

    /// The round with the median ratio (the lower of the two middle ones for an even
    /// count).
    pub(crate) fn median(&self) -> (usize, f64) {
        let ratios = self.ratios();
        let mut order: Vec<usize> = (0..ratios.len()).collect();
        order.sort_by(|a, b| ratios[*a].total_cmp(&ratios[*b]));
        let i = order[(order.len() - 1) / 2];
        (i, ratios[i])
    }
}

/// One placehook throughput round.
pub(crate) struct Round {
    pub(crate) rate: f64,
    pub(crate) push_rate: f64,
    pub(crate) push_secs: f64,
    pub(crate) delivered_at_push_end: u64,
    pub(crate) total_secs: f64,
    pub(crate) deliveries: u64,
    pub(crate) cpu: String,
}

/// A bare client sending `events` bodies to each of `paths` (one worker per path, one
/// request in flight each); returns deliveries/s, from the first request to the last
/// arrival.
pub(crate) async fn baseline(
    rx: &Rx,
    recv: &str,
    webhooks: usize,
    events: usize,
    template: &(String, Vec<(String, String)>),
) -> f64 {
    rx.base.store(0, Ordering::SeqCst);
    rx.last_base.store(0, Ordering::SeqCst);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(90))
        .build()
        .expect("client");
    let (body, headers) = template;
    let t0 = now_ns();
    let workers: Vec<_> = (0..webhooks)
        .map(|w| {
            let http = http.clone();
            let url = format!("{recv}/t/{w}");
            let body = body.clone();
            let headers = headers.clone();
            tokio::spawn(async move {
                for i in 0..events {
                    let mut req =
                        http.post(&url)
                            .body(body.replacen("\"W0\"", &format!("\"B{i}\""), 1));
                    for (k, v) in &headers {
                        req = req.header(k.as_str(), v.as_str());
                    }
                    let res = req.send().await.expect("baseline request");
                    assert!(res.status().is_success(), "baseline: {}", res.status());
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("baseline worker");
    }
    let want = (webhooks * events) as u64;
    assert!(
        wait_for(
            || rx.base.load(Ordering::SeqCst),
            want,
            Duration::from_secs(30)
        )
        .await,
        "baseline: not everything arrived"
    );
    let secs = (rx.last_base.load(Ordering::SeqCst) - t0) as f64 / 1e9;
    want as f64 / secs
}

/// One placehook throughput round: `events` chat events pushed by `pushers`, timed from
/// the first push until the receiver has every delivery.
pub(crate) async fn placehook_round(
    cfg: &Cfg,
    rx: &Rx,
    http: &reqwest::Client,
    base: &str,
    producer: &str,
    round: usize,
) -> Round {
    rx.through.store(0, Ordering::SeqCst);
    rx.last_through.store(0, Ordering::SeqCst);
    let want = (cfg.events * cfg.webhooks) as u64;
    let next = Arc::new(AtomicUsize::new(0));
    let c0 = cpu_snapshot();
    let t0 = now_ns();
    let pushers: Vec<_> = (0..cfg.pushers)
        .map(|_| {
            let (http, base, producer, next) = (
                http.clone(),
                base.to_string(),
                producer.to_string(),
                next.clone(),
            );
            let (events, webhooks) = (cfg.events, cfg.webhooks as i64);
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= events {
                        return;
                    }
                    let text = format!("T{round}-{i}");
                    let n = push(&http, &base, &producer, OWNER_T, &text).await;
                    assert_eq!(n, webhooks);
                }
            })
        })
        .collect();
    for p in pushers {
        p.await.expect("pusher");
    }
    let pushed_at = now_ns();
    let delivered_at_push_end = rx.through.load(Ordering::SeqCst);
    assert!(
        wait_for(
            || rx.through.load(Ordering::SeqCst),
            want,
            Duration::from_secs(600)
        )
        .await,
        "throughput: only {} of {want} deliveries arrived",
        rx.through.load(Ordering::SeqCst)
    );
    let end = rx.last_through.load(Ordering::SeqCst);
    let cpu = cpu_report(&c0, &cpu_snapshot(), (now_ns() - t0) as f64 / 1e9);
    let total_secs = (end - t0) as f64 / 1e9;
    let push_secs = (pushed_at - t0) as f64 / 1e9;
    let rate = want as f64 / total_secs;
    println!(
        "placehook round {}: {} deliveries/s ({} events pushed in {push_secs:.1} s, {} of \
         {want} delivered by then, all in {total_secs:.1} s)",
        round + 1,
        thousands(rate),
        cfg.events,
        delivered_at_push_end
    );
    println!("  cpu: {cpu}");
    Round {
        rate,
        push_rate: cfg.events as f64 / push_secs,
        push_secs,
        delivered_at_push_end,
        total_secs,
        deliveries: want,
        cpu,
    }
}
