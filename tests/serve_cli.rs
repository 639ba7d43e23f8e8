//! `placehook serve`, run as an operator would: one serving process per SQLite file.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `serve`; killed when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(db: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_placehook"));
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(db)
        .env_remove("PLACEHOOK_DATABASE")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    cmd
}

#[test]
fn a_second_serve_on_the_same_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("one.sqlite");
    let first = Served(serve(&db).stderr(Stdio::null()).spawn().unwrap());
    // The first holds the lock once it has created the database.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !dir.path().join("one.sqlite.lock").exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let mut second = Served(serve(&db).stderr(Stdio::piped()).spawn().unwrap());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = second.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "a second serve on the same file kept running"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.0.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("another placehook process is serving the database"),
        "{stderr}"
    );
    // Once the first is gone (even by kill -9), the file can be served again.
    drop(first);
    let mut again = Served(serve(&db).stderr(Stdio::null()).spawn().unwrap());
    std::thread::sleep(Duration::from_millis(500));
    assert!(again.0.try_wait().unwrap().is_none(), "serve runs again");
}
