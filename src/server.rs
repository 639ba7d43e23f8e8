//! Running the service: state from config, the HTTP server, graceful shutdown.

use crate::auth::did::{DidResolver, DidResolverConfig};
use crate::auth::ServiceAuthVerifier;
use crate::config::ServeConfig;
use crate::state::AppState;
use crate::store::{Store, StoreOptions};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Open the database and build the shared state.
pub async fn build_state(config: &ServeConfig) -> anyhow::Result<AppState> {
    config.validate().map_err(anyhow::Error::msg)?;
    let store = Store::open(&config.database, StoreOptions::default()).await?;
    let resolver = DidResolver::new(DidResolverConfig {
        plc_url: config.plc_url.clone(),
        allow_insecure_did_web_loopback: config.did_web_insecure_loopback,
        ..DidResolverConfig::default()
    })?;
    let verifier = ServiceAuthVerifier::new(config.service_did.clone(), Arc::new(resolver));
    Ok(AppState {
        store,
        verifier: Arc::new(verifier),
        config: Arc::new(config.clone()),
    })
}

/// Serve on `listener` until `shutdown` resolves, then let in-flight requests finish
/// (for at most the configured grace period) and close the database.
pub async fn run(
    config: ServeConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = build_state(&config).await?;
    let app = crate::xrpc::router::router(state.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let signalled = async move {
        shutdown.await;
        let _ = tx.send(());
    };
    let server = axum::serve(listener, app).with_graceful_shutdown(signalled);
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    tokio::select! {
        res = std::future::IntoFuture::into_future(server) => res?,
        _ = async { let _ = rx.await; tokio::time::sleep(grace).await } => {
            tracing::warn!("shutdown grace period over; dropping remaining connections");
        }
    }
    state.store.close().await;
    Ok(())
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
