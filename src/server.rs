//! Running the service: state from config, the HTTP server, graceful shutdown.

mod accept;
mod parse_errors;

use crate::auth::ServiceAuthVerifier;
use crate::clock::{Clock, SystemClock};
use crate::config::ServeConfig;
use crate::deliver::http::Sender;
use crate::deliver::Dispatcher;
use crate::did::{DidResolver, DidResolverConfig};
use crate::firehose::{FirehoseConfig, SigningKeys};
use crate::identity::{IdentityConfig, IdentityResolver};
use crate::jetstream::{Consumer, Interests, JetstreamConfig};
use crate::metrics::Metrics;
use crate::profile::ProfileResolver;
use crate::service_did::ServiceIdentity;
use crate::state::AppState;
use crate::store::{Store, StoreOptions};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// What tests (or an embedder) may swap in; production uses the defaults.
#[derive(Default)]
pub struct Hooks {
    /// The clock (default: the system clock).
    pub clock: Option<Arc<dyn Clock>>,
    /// Handle and avatar look-ups (default: the DID, no avatar).
    pub resolver: Option<Arc<dyn ProfileResolver>>,
    /// Receives the running state once the server is up (tests use it to wake the
    /// dispatcher after moving the clock).
    pub started: Option<tokio::sync::oneshot::Sender<AppState>>,
}

/// Open the database, start the dispatcher and build the shared state of a service known
/// as `identity`.
pub async fn build_state(
    config: &ServeConfig,
    identity: ServiceIdentity,
    hooks: Hooks,
) -> anyhow::Result<AppState> {
    config.validate().map_err(anyhow::Error::msg)?;
    let options = StoreOptions {
        exclusive: true,
        ..StoreOptions::default()
    };
    let store = Store::open(&config.database, options).await?;
    let dids = Arc::new(DidResolver::new(DidResolverConfig {
        plc_url: config.plc_url.clone(),
        allow_insecure_did_web_loopback: config.did_web_insecure_loopback,
        ..DidResolverConfig::default()
    })?);
    let verifier = ServiceAuthVerifier::new(identity.did().to_string(), dids.clone());
    let clock = hooks.clock.unwrap_or_else(|| Arc::new(SystemClock));
    let profiles: Arc<dyn ProfileResolver> = match hooks.resolver {
        Some(r) => r,
        None => Arc::new(IdentityResolver::new(
            dids,
            IdentityConfig {
                appview_url: config.appview_url.clone(),
                // DID document then chat profile: at most 2 s, inside the dispatcher's
                // 2.5 s bound on a look-up.
                timeout: Duration::from_secs(1),
                ..IdentityConfig::default()
            },
        )?),
    };
    let profiles_for_state = profiles.clone();
    let delivery = config.delivery.to_config(config.allow_private_targets);
    let metrics = Metrics::new();
    let sender = Sender::new(&delivery.http)?;
    let dispatcher = Dispatcher::start(
        store.clone(),
        clock.clone(),
        sender,
        profiles,
        delivery,
        metrics.clone(),
    )
    .await?;
    Ok(AppState {
        store,
        verifier: Arc::new(verifier),
        config: Arc::new(config.clone()),
        identity: Arc::new(identity),
        clock,
        dispatcher,
        metrics,
        interests: Arc::new(Interests::new()),
        profiles: profiles_for_state,
    })
}

/// Serve on `listener` until `shutdown` resolves, then let in-flight requests and
/// delivery attempts finish (for at most the configured grace period) and close the
/// database.
pub async fn run(
    config: ServeConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    run_with(config, listener, shutdown, Hooks::default()).await
}

/// [`run`] with swapped-in parts.
pub async fn run_with(
    config: ServeConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    hooks: Hooks,
) -> anyhow::Result<()> {
    let started = hooks.started;
    let hooks = Hooks {
        started: None,
        ..hooks
    };
    let bound = listener.local_addr()?;
    let identity = ServiceIdentity::new(&config.service_did, &config.public_url_for(bound));
    let state = build_state(&config, identity, hooks).await?;
    log_identity(&state.identity);
    tracing::info!(addr = %bound, database = %config.database, "placehook listening");
    if let Some(tx) = started {
        let _ = tx.send(state.clone());
    }
    let app = crate::xrpc::router::router(state.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let signalled = async move {
        shutdown.await;
        let _ = tx.send(());
    };
    let stream_cancel = tokio_util::sync::CancellationToken::new();
    let consumer = (!config.jetstream_urls.is_empty()).then(|| {
        let consumer = Consumer {
            config: JetstreamConfig {
                urls: config.jetstream_urls.clone(),
                replay: config.jetstream_replay,
                max_backoff: Duration::from_secs(30),
            },
            store: state.store.clone(),
            interests: state.interests.clone(),
            dispatcher: state.dispatcher.clone(),
            resolver: state.profiles.clone(),
            metrics: state.metrics.clone(),
            clock: state.clock.clone(),
        };
        tokio::spawn(consumer.run(stream_cancel.clone()))
    });
    let firehose = (!config.firehose_urls.is_empty()).then(|| {
        let consumer = crate::firehose::Consumer {
            config: FirehoseConfig {
                urls: config.firehose_urls.clone(),
                max_backoff: Duration::from_secs(30),
                max_frame_bytes: crate::firehose::consumer::MAX_FRAME_BYTES,
            },
            store: state.store.clone(),
            interests: state.interests.clone(),
            dispatcher: state.dispatcher.clone(),
            profiles: state.profiles.clone(),
            keys: Arc::new(SigningKeys::new(state.verifier.resolver().clone())),
            metrics: state.metrics.clone(),
            clock: state.clock.clone(),
        };
        tokio::spawn(consumer.run(stream_cancel.clone()))
    });
    let limits = accept::ConnectionLimits {
        header_read_timeout: config.header_read_timeout,
        max_connections: usize::try_from(config.max_connections).unwrap_or(usize::MAX),
    };
    let server = accept::serve(listener, app, limits, signalled);
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    let drained = async {
        server.await;
        stream_cancel.cancel();
        for c in [consumer, firehose].into_iter().flatten() {
            let _ = c.await;
        }
        state.dispatcher.shutdown().await;
        anyhow::Ok(())
    };
    tokio::select! {
        res = drained => res?,
        _ = async { let _ = rx.await; tokio::time::sleep(grace).await } => {
            tracing::warn!("shutdown grace period over; dropping remaining work");
        }
    }
    state.store.close().await;
    Ok(())
}

/// Says at start whether PDSes can find this service through its DID document, and if
/// not, why: a mismatch is legal (API tokens still work) but makes proxying fail far away.
fn log_identity(identity: &ServiceIdentity) {
    let did = identity.did();
    let public_url = identity.public_url().as_str();
    match identity.unpublished_reason() {
        None => tracing::info!(
            %did, %public_url,
            services = %crate::service_did::service_fragments().join(", "),
            "serving the DID document at /.well-known/did.json"
        ),
        Some(why) => tracing::warn!(
            %did, %public_url,
            "not serving a DID document (/.well-known/did.json answers 404), so PDSes cannot \
             proxy calls here: {why}"
        ),
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
