//! The reference network (`tools/pds/network.mjs`): a PLC directory and a PDS on
//! localhost, with the accounts alice.test and bob.test.

use serde::Deserialize;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The variable that skips these tests (for a machine where the network cannot be
/// installed); CI does not set it, so there a missing install fails the tests.
pub const SKIP_VAR: &str = "PLACEHOOK_SKIP_NETWORK_TESTS";

/// Longest wait for the network's line: Node loading dev-env takes about 3 s.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// An account created on the PDS.
#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    /// Its did:plc, registered in the network's PLC directory.
    pub did: String,
    /// `<name>.test`
    pub handle: String,
    /// Its password, for logging in.
    pub password: String,
}

/// What `network.mjs` prints once it is up.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Urls {
    /// `http://localhost:<port>` of the PLC directory.
    pub plc_url: String,
    /// `http://localhost:<port>` of the PDS.
    pub pds_url: String,
    /// alice and bob.
    pub accounts: HashMap<String, Account>,
}

/// The running network; shut down (gracefully, by closing its stdin) when dropped.
pub struct Network {
    /// Its URLs and accounts.
    pub urls: Urls,
    /// How long it took from spawning Node to the accounts existing.
    pub started_in: Duration,
    child: Child,
    stdin: Option<ChildStdin>,
}

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Node 22, installed by tools/pds/install.sh.
pub fn node() -> PathBuf {
    root().join("tools/pds/node22/node_modules/.bin/node")
}

/// Whether to run: `false` (with a note) when [`SKIP_VAR`] is set; panics, saying how to
/// install it, when the network is not installed.
pub fn required() -> bool {
    if std::env::var_os(SKIP_VAR).is_some_and(|v| !v.is_empty() && v != "0") {
        println!("skipped: {SKIP_VAR} is set");
        return false;
    }
    let stamp = root().join("tools/pds/node_modules/.placehook-install");
    assert!(
        node().is_file() && stamp.is_file(),
        "the reference PDS (tools/pds) is not installed: run `bash tools/pds/install.sh` \
         (tools/test.sh does), or set {SKIP_VAR}=1 to skip these tests"
    );
    true
}

impl Network {
    /// Start the network and wait for its accounts.
    pub fn start() -> Network {
        let started = Instant::now();
        let mut child = Command::new(node())
            .arg(root().join("tools/pds/network.mjs"))
            .current_dir(root().join("tools/pds"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn tools/pds/network.mjs");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut network = Network {
            urls: Urls {
                plc_url: String::new(),
                pds_url: String::new(),
                accounts: HashMap::new(),
            },
            started_in: Duration::ZERO,
            child,
            stdin,
        };
        let line = rx
            .recv_timeout(START_TIMEOUT)
            .expect("network.mjs printed its URLs in time");
        network.urls = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("network.mjs printed {line:?}: {e}"));
        network.started_in = started.elapsed();
        network
    }

    /// An account by name (`alice`, `bob`).
    pub fn account(&self, name: &str) -> &Account {
        &self.urls.accounts[name]
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        // Closing stdin asks network.mjs to shut down and remove its temporary data.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
