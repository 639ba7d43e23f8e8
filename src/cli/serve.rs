//! `placehook serve`: run the XRPC server.

use crate::config::ServeConfig;

/// Run the server until SIGINT/SIGTERM; returns the exit code.
pub fn run(config: ServeConfig) -> i32 {
    init_logging();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return 1;
        }
    };
    rt.block_on(async move {
        if let Err(e) = config.validate() {
            eprintln!("error: {e}");
            return 2;
        }
        let listener = match tokio::net::TcpListener::bind(config.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {}: {e}", config.listen);
                return 1;
            }
        };
        match crate::server::run(config, listener, crate::server::shutdown_signal()).await {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e:#}");
                1
            }
        }
    })
}

/// Structured logs to stderr; `RUST_LOG` filters (default `info`), `PLACEHOOK_LOG_FORMAT=json`
/// switches to JSON lines.
pub fn init_logging() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = if std::env::var("PLACEHOOK_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
