//! `placehook listen`, run as a user would run it: signed and tampered deliveries.

use placehook::signing::{generate_secret, secret_key, signature_header};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The running receiver; killed when dropped, so a failing test leaves nothing behind.
struct Listener {
    child: Child,
    lines: Receiver<String>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Listener {
    fn start(args: &[&str]) -> Listener {
        let mut child = Command::new(env!("CARGO_BIN_EXE_placehook"))
            .arg("listen")
            .args(args)
            .env_remove("PLACEHOOK_SECRET")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("placehook runs");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Listener { child, lines }
    }

    /// The next stdout line, waiting up to 10 s.
    fn line(&self) -> String {
        match self.lines.recv_timeout(Duration::from_secs(10)) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => panic!("no output from placehook listen in 10 s"),
            Err(RecvTimeoutError::Disconnected) => panic!("placehook listen closed its stdout"),
        }
    }

    /// Stdout lines up to the next one starting with `prefix`, that one included.
    fn until(&self, prefix: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let line = self.line();
            let done = line.starts_with(prefix);
            seen.push(line);
            if done {
                return seen;
            }
        }
    }

    /// The base URL from the `listening on http://ADDR` line.
    fn base_url(&self) -> String {
        let line = self.line();
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line is not `listening on ...`: {line:?}"));
        assert!(!url.ends_with(":0"), "the real port is printed: {line}");
        url.to_string()
    }
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn listen_verifies_signed_deliveries_and_flags_tampered_ones() {
    let secret = generate_secret();
    let key = secret_key(&secret).unwrap();
    let listener = Listener::start(&["--listen", "127.0.0.1:0", "--secret", &secret]);
    let base = listener.base_url();
    let client = reqwest::Client::new();

    let body = r#"{"event":"chat","text":"héllo 🌊"}"#;
    let ts = now_secs();
    let signature = signature_header(
        std::slice::from_ref(&key),
        "msg_listen_1",
        ts,
        body.as_bytes(),
    );
    let post = |path: &str, body: &str| {
        client
            .post(format!("{base}{path}"))
            .header("webhook-id", "msg_listen_1")
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", &signature)
            .header("content-type", "application/json")
            .header("user-agent", "listen-test")
            .body(body.to_string())
            .send()
    };

    let ok = post("/hooks/one", body).await.unwrap();
    assert_eq!(ok.status(), 204);
    let shown = listener.until("signature: ");
    assert!(
        shown[0].contains("POST /hooks/one (") && shown[0].contains(" bytes)"),
        "{shown:#?}"
    );
    for expected in [
        "webhook-id: msg_listen_1".to_string(),
        format!("webhook-timestamp: {ts}"),
        format!("webhook-signature: {signature}"),
        "content-type: application/json".to_string(),
        "user-agent: listen-test".to_string(),
        r#"  "text": "héllo 🌊""#.to_string(),
    ] {
        assert!(shown.contains(&expected), "no {expected:?} in {shown:#?}");
    }
    assert_eq!(shown.last().unwrap(), "signature: valid", "{shown:#?}");

    let tampered = body.replace("chat", "follow");
    let bad = post("/hooks/two", &tampered).await.unwrap();
    assert_eq!(bad.status(), 204);
    let shown = listener.until("signature: ");
    assert!(
        shown.contains(&r#"  "event": "follow","#.to_string()),
        "{shown:#?}"
    );
    assert_eq!(
        shown.last().unwrap(),
        "signature: INVALID (no signature matches)",
        "{shown:#?}"
    );

    // Over 1 MiB is refused, and the refusal is printed.
    let big = client
        .post(format!("{base}/big"))
        .body(vec![b'x'; 1024 * 1024 + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    let refused = listener.until("[");
    assert!(
        refused.last().unwrap().contains("POST /big: answered 413"),
        "{refused:#?}"
    );

    stops_cleanly_on_sigterm(listener);
}

#[tokio::test]
async fn listen_without_a_secret_says_signatures_are_not_checked() {
    let listener = Listener::start(&["--listen", "127.0.0.1:0"]);
    let base = listener.base_url();
    let res = reqwest::Client::new()
        .post(format!("{base}/"))
        .body("plain text")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let shown = listener.until("signature: ");
    assert!(shown.contains(&"plain text".to_string()), "{shown:#?}");
    assert!(
        shown.contains(&"webhook-signature: (absent)".to_string()),
        "{shown:#?}"
    );
    assert_eq!(
        shown.last().unwrap(),
        "signature: not checked (no --secret)"
    );
}

#[test]
fn listen_refuses_a_malformed_secret() {
    let out = Command::new(env!("CARGO_BIN_EXE_placehook"))
        .args([
            "listen",
            "--listen",
            "127.0.0.1:0",
            "--secret",
            "not-a-secret",
        ])
        .env_remove("PLACEHOOK_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--secret: a secret starts with whsec_"),
        "{stderr}"
    );
}

/// SIGTERM ends the receiver with exit status 0 (where `kill` exists to send it).
fn stops_cleanly_on_sigterm(mut listener: Listener) {
    let pid = listener.child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status();
    if !matches!(sent, Ok(s) if s.success()) {
        return; // Dropping the listener kills it.
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = listener.child.try_wait().unwrap() {
            assert!(status.success(), "placehook listen exited with {status}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "placehook listen ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
