//! A client no one here wrote: drives the webhook API of a real server with the official
//! TypeScript XRPC client (`@atproto/xrpc`), via `tools/xrpc-client/drive.mjs`.
//!
//! Skipped (passes, with a note) when `node` is not on PATH. Fails when node is present but
//! the client's packages are not installed: `npm ci --prefix tools/xrpc-client` (CI does it
//! in `tools/test.sh`).

use placehook::config::ServeConfig;
use placehook::store::{Store, StoreOptions};
use std::path::Path;
use std::process::Stdio;
use tokio::process::Command;

#[tokio::test]
async fn official_ts_xrpc_client_drives_the_api() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let node_found = std::process::Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !node_found {
        println!("skipped: node not found on PATH");
        return;
    }
    assert!(
        root.join("tools/xrpc-client/node_modules/@atproto/xrpc")
            .is_dir(),
        "node is present but tools/xrpc-client/node_modules is missing: \
         run `npm ci --prefix tools/xrpc-client` (CI installs it via tools/test.sh)"
    );

    // Start the real server, as tests/api/support.rs does.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("placehook.sqlite");
    let mut config = ServeConfig::for_database(db.to_str().unwrap());
    config.allow_private_targets = true;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(placehook::server::run(config.clone(), listener, async {
        let _ = stopped.await;
    }));

    // Wait until it answers before opening the database here: two concurrent first
    // openings of a fresh database race on its migrations.
    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..250 {
        if http
            .get(format!("{base}/xrpc/_health"))
            .send()
            .await
            .is_ok()
        {
            up = true;
            break;
        }
        assert!(!server.is_finished(), "server exited: {:?}", server.await);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(up, "server did not start");

    let store = Store::open(&config.database, StoreOptions::default())
        .await
        .unwrap();
    let (_, token_a) = store
        .create_token("did:web:alice.example", false, None)
        .await
        .unwrap();
    let (_, token_b) = store
        .create_token("did:web:bob.example", false, None)
        .await
        .unwrap();

    let out = Command::new("node")
        .args(["tools/xrpc-client/drive.mjs", &base, &token_a, &token_b])
        .current_dir(root)
        .kill_on_drop(true)
        .output()
        .await
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    print!("{stdout}");
    assert!(
        out.status.success(),
        "drive.mjs failed ({})\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );

    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
