//! `tools/pds/proxied-calls.mjs`: the official `@atproto/api` client calling placehook
//! through the reference PDS, and the outcomes it records.

use crate::placehook::Placehook;
use crate::receiver::Receiver;
use crate::reference::{self, Network};
use serde_json::{json, Value};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// The service ids of placehook's DID document, one round of calls each.
pub const SERVICE_IDS: [&str; 2] = ["placehook", "streamplace"];

/// The calls the script made, as it recorded them.
pub struct Calls(Vec<Value>);

impl Calls {
    /// The call `step` made by `who` through `#<via>` (or, for a probe, to DID `via`).
    pub fn get(&self, via: &str, who: &str, step: &str) -> &Value {
        self.0
            .iter()
            .find(|c| c["via"] == via && c["as"] == who && c["step"] == step)
            .unwrap_or_else(|| panic!("no call {via}/{who}/{step} in {:#}", json!(self.0)))
    }

    /// The data of a call that must have succeeded.
    pub fn ok(&self, via: &str, who: &str, step: &str) -> &Value {
        let call = self.get(via, who, step);
        assert_eq!(call["ok"], true, "{via}/{who}/{step}: {call:#}");
        &call["data"]
    }

    /// Asserts that a call failed with `status` and XRPC error `error`, as placehook
    /// answered and the PDS passed on.
    pub fn failed(&self, via: &str, who: &str, step: &str, status: u16, error: &str) {
        let call = self.get(via, who, step);
        assert_eq!(call["ok"], false, "{via}/{who}/{step}: {call:#}");
        assert_eq!(
            (call["status"].as_u64(), call["error"].as_str()),
            (Some(u64::from(status)), Some(error)),
            "{via}/{who}/{step}: {call:#}"
        );
    }
}

/// Run the script: a round of calls to `placehook` per service id, deliveries going to
/// `receiver`, then one call to each of `probes`.
pub async fn run(
    network: &Network,
    placehook: &Placehook,
    receiver: &Receiver,
    probes: &[&Placehook],
) -> Calls {
    let account = |name: &str| {
        let a = network.account(name);
        json!({"handle": a.handle, "password": a.password})
    };
    let input = json!({
        "pdsUrl": network.urls.pds_url,
        "serviceDid": placehook.did,
        "receiverUrl": format!("http://{}", receiver.addr),
        "lexiconDir": reference::root().join("lexicons"),
        "serviceIds": SERVICE_IDS,
        "accounts": {"alice": account("alice"), "bob": account("bob")},
        "probeDids": probes.iter().map(|p| p.did.as_str()).collect::<Vec<_>>(),
    });
    let mut child = tokio::process::Command::new(reference::node())
        .arg(reference::root().join("tools/pds/proxied-calls.mjs"))
        .current_dir(reference::root().join("tools/pds"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn proxied-calls.mjs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.to_string().as_bytes()).await.unwrap();
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("proxied-calls.mjs finished within 120 s")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "proxied-calls.mjs failed ({}):\n{}\n--- placehook's log\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        placehook.log_text()
    );
    let parsed: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("proxied-calls.mjs printed {stdout:?}: {e}"));
    Calls(parsed["calls"].as_array().unwrap().clone())
}
