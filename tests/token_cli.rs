//! `placehook token create|list|revoke`, run as an operator would run them.

use std::path::Path;
use std::process::{Command, Output};

const DID: &str = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";

fn placehook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_placehook"))
        .args(args)
        .env_remove("PLACEHOOK_DATABASE")
        .output()
        .expect("placehook runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// `placehook token create --did DID --create-database --database DB`.
fn create_with_database(did: &str, db: &str) -> Output {
    placehook(&[
        "token",
        "create",
        "--did",
        did,
        "--create-database",
        "--database",
        db,
    ])
}

/// A database with tokens: `token create --create-database`; returns the secrets.
fn database_with_tokens(db: &Path, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let o = create_with_database(DID, db.to_str().unwrap());
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            stdout(&o).trim().to_string()
        })
        .collect()
}

/// `(id, prefix, status)` of every token, from `token list`.
fn list(db: &Path) -> Vec<(String, String, String)> {
    let o = placehook(&["token", "list", "--database", db.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stdout(&o)
        .lines()
        .skip(1)
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[0].into(), cols[1].into(), cols[4].into())
        })
        .collect()
}

fn revoke(db: &Path, key: &str) -> Output {
    placehook(&["token", "revoke", key, "--database", db.to_str().unwrap()])
}

fn status_of(db: &Path, id: &str) -> String {
    list(db).into_iter().find(|t| t.0 == id).unwrap().2
}

/// A `--database` that does not exist (a typo, another directory) is refused with the
/// path and how to create it, and no empty database is left behind.
#[test]
fn token_commands_refuse_a_missing_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo.sqlite");
    let path = db.to_str().unwrap();
    let url = format!("sqlite://{path}");
    let uri = format!("sqlite://{path}?mode=rwc");
    let cases: Vec<Vec<&str>> = vec![
        vec!["token", "list", "--database", path],
        vec!["token", "list", "--database", &url],
        vec!["token", "list", "--database", &uri],
        vec!["token", "revoke", "ph_abc", "--database", path],
        vec!["token", "create", "--did", DID, "--database", path],
        vec!["token", "create", "--did", DID, "--database", &uri],
    ];
    for args in cases {
        let o = placehook(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(&format!("no database at {path}")), "{err}");
        assert!(err.contains("placehook serve"), "{err}");
        assert!(err.contains("--create-database"), "{err}");
        assert_eq!(stdout(&o), "", "{args:?}");
        assert!(!db.exists(), "{args:?} created {path}");
    }
    // The same through the environment, as `serve` reads it.
    let o = Command::new(env!("CARGO_BIN_EXE_placehook"))
        .args(["token", "list"])
        .env("PLACEHOOK_DATABASE", path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!db.exists());
    // A directory is not a database either.
    let o = placehook(&["token", "list", "--database", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not a database file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn create_database_creates_it_and_then_every_command_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.sqlite");
    let secrets = database_with_tokens(&db, 1);
    assert!(db.is_file());
    assert!(secrets[0].starts_with("ph_"), "{secrets:?}");
    let tokens = list(&db);
    assert_eq!(tokens.len(), 1);
    assert!(secrets[0].starts_with(&tokens[0].1));
    // Once it exists, create needs no flag.
    let o = placehook(&[
        "token",
        "create",
        "--did",
        DID,
        "--database",
        db.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(list(&db).len(), 2);
}

/// What the help promises: the id, the whole secret, or any start of the secret; an
/// ambiguous start is named as such.
#[test]
fn revoke_takes_an_id_a_secret_or_a_start_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let secrets = database_with_tokens(&db, 5);
    let tokens = list(&db);
    let id_of = |secret: &str| {
        tokens
            .iter()
            .find(|t| secret.starts_with(&t.1))
            .unwrap()
            .0
            .clone()
    };

    // `ph_` is the start of every secret: ambiguous, and nothing is revoked.
    let o = revoke(&db, "ph_");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("\"ph_\" matches 5 active tokens: "), "{err}");
    for t in &tokens {
        assert!(err.contains(&t.0), "{err} lists {}", t.0);
    }
    assert!(err.contains("give more of it"), "{err}");
    assert!(list(&db).iter().all(|t| t.2 == "active"));

    // The whole secret.
    let o = revoke(&db, &secrets[0]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(status_of(&db, &id_of(&secrets[0])), "revoked");
    // A start longer than the listed prefix.
    let o = revoke(&db, &secrets[1][..20]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(status_of(&db, &id_of(&secrets[1])), "revoked");
    // Exactly the listed prefix.
    let o = revoke(&db, &secrets[2][..11]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(status_of(&db, &id_of(&secrets[2])), "revoked");
    // A start shorter than the prefix, unique among active tokens (5 random characters).
    let o = revoke(&db, &secrets[3][..8]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(status_of(&db, &id_of(&secrets[3])), "revoked");
    // The id.
    let id = id_of(&secrets[4]);
    let o = revoke(&db, &id);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with(&format!("revoked {id}")),
        "{}",
        stdout(&o)
    );
    assert_eq!(status_of(&db, &id), "revoked");

    // Nothing active is left to match; an id says it was revoked already.
    for key in [&secrets[0][..], &secrets[1][..20], "ph_", "nope"] {
        let o = revoke(&db, key);
        assert_eq!(o.status.code(), Some(2), "{key}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("no active token matches"),
            "{key}: {}",
            stderr(&o)
        );
    }
    let o = revoke(&db, &id);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already revoked"), "{}", stderr(&o));
}

/// A whole-length secret whose hash matches nothing revokes nothing, even if it begins
/// with an active token's prefix.
#[test]
fn revoke_a_wrong_whole_secret_matches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let secrets = database_with_tokens(&db, 1);
    let mut wrong = secrets[0].clone();
    let last = if wrong.ends_with('A') { "B" } else { "A" };
    wrong.replace_range(wrong.len() - 1.., last);
    let o = revoke(&db, &wrong);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no active token matches"));
    assert_eq!(list(&db)[0].2, "active");
}

/// `--did` takes what service auth accepts: a did:plc of 24 base32 characters or a
/// did:web, not the README's old `did:plc:yourdidhere0000000000000`.
#[test]
fn create_refuses_dids_service_auth_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.sqlite");
    let path = db.to_str().unwrap();
    for (did, says) in [
        ("did:plc:yourdidhere0000000000000", "not a valid did:plc"),
        ("did:plc:UPPERCASEUPPERCASEUPPERC", "not a valid did:plc"),
        ("did:plc:short", "not a valid did:plc"),
        ("did:web:host:path", "did:web with a path"),
        (
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2Q",
            "only did:plc and did:web",
        ),
        ("alice", "not a DID"),
    ] {
        let o = create_with_database(did, path);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{did}: {err}");
        assert!(err.contains(did) && err.contains(says), "{did}: {err}");
        assert!(!db.exists(), "{did}: nothing is created");
    }
    for did in [DID, "did:web:node.example"] {
        let o = create_with_database(did, path);
        assert_eq!(o.status.code(), Some(0), "{did}: {}", stderr(&o));
    }
}
