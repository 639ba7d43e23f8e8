//! `tools/pds/write-records.mjs`: the official `@atproto/api` client writing records to
//! the reference PDS as alice or bob, one command at a time, so the test can wait for
//! what each write makes placehook deliver.

use crate::reference::{self, Network};
use serde_json::{json, Value};
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

/// Longest a command may take (500 createRecords on a busy 2-core machine included).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);

/// The running script, logged in as alice and bob.
pub struct Writer {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

/// A command's successful answer.
#[derive(Debug, Clone)]
pub struct Written {
    /// The XRPC answer (`uri`, `cid`; `blob` for an upload).
    pub data: Value,
    /// Wall-clock time just before the script sent the (first) request.
    pub started_at: SystemTime,
    /// Wall-clock time just after the (last) answer came.
    pub finished_at: SystemTime,
}

/// Milliseconds since the epoch, as the script writes times, to a [`SystemTime`].
fn from_millis(v: &Value) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(v.as_u64().unwrap_or_else(|| panic!("time: {v}")))
}

impl Writer {
    /// Start the script and log in to the network's PDS.
    pub async fn start(network: &Network) -> Writer {
        let account = |name: &str| {
            let a = network.account(name);
            json!({"handle": a.handle, "password": a.password})
        };
        let setup = json!({
            "pdsUrl": network.urls.pds_url,
            "accounts": {"alice": account("alice"), "bob": account("bob")},
        });
        let mut child = tokio::process::Command::new(reference::node())
            .arg(reference::root().join("tools/pds/write-records.mjs"))
            .current_dir(reference::root().join("tools/pds"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn write-records.mjs");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut writer = Writer {
            child,
            stdin,
            stdout,
        };
        writer.send(&setup).await;
        writer
    }

    async fn send(&mut self, line: &Value) {
        let mut text = line.to_string();
        text.push('\n');
        self.stdin.write_all(text.as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// Run `command` as `who` (`alice`, `bob`); panics if it failed.
    pub async fn run(&mut self, who: &str, mut command: Value) -> Written {
        command["as"] = json!(who);
        self.send(&command).await;
        let line = tokio::time::timeout(COMMAND_TIMEOUT, self.stdout.next_line())
            .await
            .unwrap_or_else(|_| panic!("write-records.mjs answered {command} in time"))
            .unwrap();
        let Some(line) = line else {
            let status = self.child.wait().await.unwrap();
            panic!("write-records.mjs exited ({status}) before answering {command}");
        };
        let answer: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("write-records.mjs printed {line:?}: {e}"));
        assert_eq!(answer["ok"], true, "{command}: {answer:#}");
        Written {
            data: answer["data"].clone(),
            started_at: from_millis(&answer["startedAt"]),
            finished_at: from_millis(&answer["finishedAt"]),
        }
    }

    /// `com.atproto.repo.createRecord` of `record` in `collection` (at `rkey` if given).
    pub async fn create(
        &mut self,
        who: &str,
        collection: &str,
        rkey: Option<&str>,
        record: Value,
    ) -> Written {
        let mut command = json!({"op": "create", "collection": collection, "record": record});
        if let Some(rkey) = rkey {
            command["rkey"] = json!(rkey);
        }
        self.run(who, command).await
    }
}
