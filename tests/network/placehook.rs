//! `placehook serve` as an operator runs it behind a PDS: a did:web of its own
//! `http://localhost:<port>` URL, the network's PLC directory for callers' DIDs.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `placehook serve`; killed when dropped.
pub struct Placehook {
    /// `did:web:localhost%3A<port>`
    pub did: String,
    /// `http://localhost:<port>` (its public URL)
    pub url: String,
    /// How long from spawning it to its first answer.
    pub started_in: Duration,
    child: Child,
    log: PathBuf,
    database: PathBuf,
    /// Everything after `serve`, for a restart on the same database and port.
    args: Vec<String>,
    /// How many times it has been started (each start logs to a file of its own).
    starts: u32,
    dir: tempfile::TempDir,
}

/// A port nothing listens on now (the OS's pick; free again once the probe closes).
fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

impl Placehook {
    /// Start it with the network's PLC directory, and wait until it answers.
    pub async fn start(plc_url: &str) -> Placehook {
        Self::spawn(plc_url, "localhost").await
    }

    /// The same, but with a public URL on another host than its did:web names
    /// (`127.0.0.1`), so it serves no DID document.
    pub async fn start_without_did_document(plc_url: &str) -> Placehook {
        Self::spawn(plc_url, "127.0.0.1").await
    }

    /// The same, also reading the repo firehose of the PDS at `pds_url`
    /// (`ws://` of its `http://` URL) and asking it, as the AppView, for avatars: with
    /// only a PLC directory and a PDS, that is all an operator has.
    pub async fn start_with_firehose(plc_url: &str, pds_url: &str) -> Placehook {
        let firehose = pds_url.replacen("http://", "ws://", 1);
        let extra = ["--firehose-url", &firehose, "--appview-url", pds_url];
        Self::spawn_with(plc_url, "localhost", &extra).await
    }

    async fn spawn(plc_url: &str, public_host: &str) -> Placehook {
        Self::spawn_with(plc_url, public_host, &[]).await
    }

    async fn spawn_with(plc_url: &str, public_host: &str, extra: &[&str]) -> Placehook {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let did = format!("did:web:localhost%3A{port}");
        let url = format!("http://{public_host}:{port}");
        let database = dir.path().join("placehook.sqlite");
        let mut args: Vec<String> = vec!["--listen".into(), format!("127.0.0.1:{port}")];
        args.extend(["--database".into(), database.display().to_string()]);
        args.extend(["--service-did".into(), did.clone()]);
        args.extend(["--public-url".into(), url.clone(), "--plc-url".into()]);
        args.push(plc_url.into());
        // The Discord receiver is on loopback.
        args.push("--allow-private-targets".into());
        args.extend(extra.iter().map(|a| a.to_string()));
        let log = dir.path().join("serve-1.log");
        let started = Instant::now();
        let child = launch(&args, &log);
        let mut placehook = Placehook {
            did,
            url,
            started_in: Duration::ZERO,
            child,
            log,
            database,
            args,
            starts: 1,
            dir,
        };
        placehook.wait_until_up().await;
        placehook.started_in = started.elapsed();
        placehook
    }

    /// Kill it with SIGKILL (`kill -9`: no shutdown of any kind), and reap it.
    pub fn kill9(&mut self) {
        self.child.kill().expect("SIGKILL placehook");
        let status = self.child.wait().unwrap();
        assert!(!status.success(), "{status}");
    }

    /// Start it again on the same database, port and flags (after [`Self::kill9`]), and
    /// wait until it answers. Its log goes to a new file.
    pub async fn restart(&mut self) {
        self.starts += 1;
        self.log = self.dir.path().join(format!("serve-{}.log", self.starts));
        let started = Instant::now();
        self.child = launch(&self.args, &self.log);
        self.wait_until_up().await;
        self.started_in = started.elapsed();
    }

    async fn wait_until_up(&mut self) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("placehook serve exited ({status}):\n{}", self.log_text());
            }
            let health = http.get(format!("{}/xrpc/_health", self.url)).send();
            if health.await.is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "placehook did not answer within 30 s:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Everything it has logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The `fields` of its JSON log lines whose message is `message`.
    pub fn logged(&self, message: &str) -> Vec<Value> {
        self.log_text()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|l| l["fields"]["message"] == message)
            .map(|l| l["fields"].clone())
            .collect()
    }

    /// An API token for `did`, made with `placehook token create` on its database (the
    /// token commands may run beside `serve`).
    pub fn api_token(&self, did: &str) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_placehook"))
            .args(["token", "create", "--did", did, "--database"])
            .arg(&self.database)
            .env_remove("PLACEHOOK_DATABASE")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            out.status.success() && stdout.starts_with("ph_"),
            "token create: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
}

/// `placehook serve <args>`, logging JSON lines to `log`.
fn launch(args: &[String], log: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_placehook"))
        .arg("serve")
        .args(args)
        // Accepted service-auth tokens are logged at debug: the test reads them.
        .env("RUST_LOG", "info,placehook::api::caller=debug")
        .env("PLACEHOOK_LOG_FORMAT", "json")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("spawn placehook serve")
}

impl Drop for Placehook {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
