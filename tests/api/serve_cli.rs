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
