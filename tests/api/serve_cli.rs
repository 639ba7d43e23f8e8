//! `placehook serve` as a process: boolean environment variables, when it says it is
//! listening, plain logs when stderr is not a terminal.

use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

fn serve() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_placehook"));
    cmd.arg("serve")
        .env_remove("RUST_LOG")
        .env_remove("PLACEHOOK_LOG_FORMAT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

#[tokio::test]
async fn boolean_environment_variables_take_1_0_yes_no_on_off() {
    for value in ["1", "0", "yes", "no", "on", "off", "true", "false"] {
        for var in [
            "PLACEHOOK_ALLOW_PRIVATE_TARGETS",
            "PLACEHOOK_DID_WEB_INSECURE_LOOPBACK",
        ] {
            // An invalid DID stops it right after the flags are parsed.
            let out = serve()
                .env(var, value)
                .args(["--service-did", "not-a-did"])
                .output()
                .await
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains("is not a DID") && !stderr.contains("invalid value"),
                "{var}={value}: {stderr}"
            );
            assert_eq!(out.status.code(), Some(2), "{var}={value}: {stderr}");
        }
    }
}

#[tokio::test]
async fn it_says_listening_only_once_the_database_is_open() {
    let dir = tempfile::tempdir().unwrap();
    // A directory is not a database file.
    let out = serve()
        .args(["--listen", "127.0.0.1:0", "--database"])
        .arg(dir.path())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("placehook listening"), "{stderr}");
}

#[tokio::test]
async fn logs_have_no_colour_codes_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("placehook.sqlite");
    let mut child = serve()
        .args(["--listen", "127.0.0.1:0", "--database"])
        .arg(&db)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("placehook listening") {
                return line;
            }
        }
        panic!("stderr ended before it was listening");
    })
    .await
    .expect("listening within 30 s");
    child.kill().await.unwrap();
    assert!(!line.contains('\u{1b}'), "{line:?}");
    assert!(line.contains("addr=127.0.0.1:"), "{line}");
    assert!(
        line.contains(&format!("database={}", db.display())),
        "{line}"
    );
}

/// The first stderr line of `serve` (run with `args`) that contains `needle`.
async fn first_line_with(args: &[&str], needle: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut child = serve()
        .args(["--listen", "127.0.0.1:0", "--database"])
        .arg(dir.path().join("placehook.sqlite"))
        .args(args)
        .env_remove("PLACEHOOK_SERVICE_DID")
        .env_remove("PLACEHOOK_PUBLIC_URL")
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains(needle) {
                return line;
            }
        }
        panic!("stderr ended without {needle:?}");
    })
    .await
    .expect("within 30 s");
    child.kill().await.unwrap();
    line
}

#[tokio::test]
async fn it_says_at_start_why_it_serves_no_did_document() {
    let line = first_line_with(
        &["--service-did", "did:web:hooks.example"],
        "not serving a DID document",
    )
    .await;
    assert!(line.contains("WARN"), "{line}");
    assert!(
        line.contains("the service DID did:web:hooks.example is a did:web of hooks.example"),
        "{line}"
    );
    assert!(line.contains("public_url=http://127.0.0.1:"), "{line}");

    let line = first_line_with(
        &[
            "--service-did",
            "did:web:hooks.example",
            "--public-url",
            "https://hooks.example",
        ],
        "DID document",
    )
    .await;
    assert!(
        line.contains("serving the DID document at /.well-known/did.json"),
        "{line}"
    );
    assert!(line.contains("services=#placehook, #streamplace"), "{line}");
}

#[tokio::test]
async fn a_public_url_with_a_path_is_refused_at_start() {
    let out = serve()
        .args(["--public-url", "https://hooks.example/placehook"])
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--public-url https://hooks.example/placehook must be only a scheme"),
        "{stderr}"
    );
    // Through the environment too.
    let out = serve()
        .env("PLACEHOOK_PUBLIC_URL", "ftp://hooks.example")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("must be an http(s) URL"), "{stderr}");
}
