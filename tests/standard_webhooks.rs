//! placehook's Standard Webhooks signatures, checked by an independent verifier: the
//! official `standardwebhooks` Python package (pinned in tools/swh/requirements.txt,
//! installed into tools/swh/.venv by `bash tools/test.sh`, driven by tools/swh/verify.py).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use placehook::signing::{generate_secret, secret_key, signature_header, verify};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

/// One delivery for the verifier: signed with `signers`, verified with `verifier`.
struct Case {
    name: &'static str,
    signers: Vec<String>,
    verifier: String,
    body: String,
    /// The body actually sent, when it differs from the signed one.
    sent_body: Option<String>,
    valid: bool,
}

/// A `whsec_` secret over `len` fixed bytes (exercises each base64 padding length).
fn secret_of_len(len: usize) -> String {
    let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
    format!("whsec_{}", STANDARD.encode(bytes))
}

fn cases() -> Vec<Case> {
    let (a, b, c) = (generate_secret(), generate_secret(), generate_secret());
    let case = |name, signers: &[&String], verifier: &String, body: &str, valid| Case {
        name,
        signers: signers.iter().map(|s| s.to_string()).collect(),
        verifier: verifier.clone(),
        body: body.to_string(),
        sent_body: None,
        valid,
    };
    let chat = r#"{"event":"chat","did":"did:plc:abc","text":"hello"}"#;
    let unicode = "{\"text\":\"h\u{e9}llo \u{1f30a} \u{65e5}\u{672c}\u{8a9e} \u{5e2}\u{5d1}\u{5e8}\u{5d9}\u{5ea} e\u{301} \u{2028}|\u{2029} \u{0}\",\"escaped\":\"\\u00e9\\ud83c\\udf0a\"}";
    let (s24, s33, s64) = (secret_of_len(24), secret_of_len(33), secret_of_len(64));
    let mut all = vec![
        case("one secret", &[&a], &a, chat, true),
        case("rotation, newest secret", &[&a, &b], &a, chat, true),
        case("rotation, older secret", &[&a, &b], &b, chat, true),
        case("unicode body", &[&a], &a, unicode, true),
        case("unicode body, rotation", &[&b, &a], &a, unicode, true),
        case(
            "text body with CR LF",
            &[&a],
            &a,
            "line one\r\nline two\n",
            true,
        ),
        case("empty body", &[&a], &a, "", true),
        case("24-byte secret", &[&s24], &s24, chat, true),
        case("33-byte secret", &[&s33], &s33, chat, true),
        case("64-byte secret", &[&s64], &s64, unicode, true),
        case("wrong secret", &[&a], &c, chat, false),
        case("wrong secret, rotation", &[&a, &b], &c, unicode, false),
    ];
    let mut tampered = case("tampered body", &[&a], &a, chat, false);
    tampered.sent_body = Some(chat.replace("hello", "hullo"));
    all.push(tampered);
    all
}

/// The venv's interpreter with `standardwebhooks`; `None` (skip) only if there is no
/// python3 at all.
fn verifier_python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("tools/swh/.venv/bin/python");
    let importable = Command::new(&venv)
        .args(["-c", "import standardwebhooks"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if importable {
        return Some(venv);
    }
    if Command::new("python3").arg("--version").output().is_err() {
        println!("skipped: python3 is not installed, so the standardwebhooks check cannot run");
        return None;
    }
    panic!(
        "python3 is installed but {} cannot import standardwebhooks: \
         run `bash tools/test.sh` (it creates the venv from tools/swh/requirements.txt)",
        venv.display()
    );
}

#[test]
fn the_official_python_library_verifies_placehook_signatures() {
    let Some(python) = verifier_python() else {
        return;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let cases = cases();
    let mut input = String::new();
    for (i, case) in cases.iter().enumerate() {
        let keys: Vec<Vec<u8>> = case
            .signers
            .iter()
            .map(|s| secret_key(s).unwrap())
            .collect();
        let id = format!("msg_{i:02}_{}", case.name.replace([' ', ','], "_"));
        let signature = signature_header(&keys, &id, now, case.body.as_bytes());
        let sent = case.sent_body.as_deref().unwrap_or(&case.body);
        // placehook's own verifier must agree with the expectation too.
        let ours = verify(
            &secret_key(&case.verifier).unwrap(),
            Some(&id),
            Some(&now.to_string()),
            Some(&signature),
            sent.as_bytes(),
            now,
        );
        assert_eq!(
            ours.is_ok(),
            case.valid,
            "{}: placehook says {ours:?}",
            case.name
        );
        let line = json!({
            "secret": case.verifier,
            "headers": {
                // Mixed case on purpose: header names are case-insensitive.
                "Webhook-Id": id,
                "webhook-timestamp": now.to_string(),
                "webhook-signature": signature,
                "content-type": "application/json",
            },
            "body": sent,
        });
        input.push_str(&line.to_string());
        input.push('\n');
    }

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/swh/verify.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the venv's python runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "verify.py failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        verdicts.len(),
        cases.len(),
        "one verdict per line:\n{stdout}"
    );
    let mut wrong = Vec::new();
    for (case, verdict) in cases.iter().zip(&verdicts) {
        let verified = *verdict == "ok";
        if verified != case.valid || !(verified || verdict.starts_with("err: ")) {
            wrong.push(format!(
                "{}: expected valid={}, got {verdict}",
                case.name, case.valid
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "standardwebhooks disagrees:\n{}",
        wrong.join("\n")
    );
    // The rejections are signature rejections, not input errors.
    for (case, verdict) in cases.iter().zip(&verdicts) {
        if !case.valid {
            assert_eq!(
                *verdict, "err: WebhookVerificationError: No matching signature found",
                "{}",
                case.name
            );
        }
    }
}
