//! Schema migrations: `migrations/NNNN_name.sql`, applied in order, each once.
//!
//! The bookkeeping table is the one sqlx's migrator keeps (`_sqlx_migrations`: version,
//! description, SHA-384 checksum of the file, nanoseconds taken), because placehook used
//! that migrator before it drove SQLite itself: databases made by either keep working.
//! Written here because no crate keeps that exact table on top of rusqlite.

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha384};
use std::time::Instant;

use super::StoreError;

/// `(version, description, sql)`; descriptions are the file names' words, as sqlx has them.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "store",
        include_str!("../../../migrations/0001_store.sql"),
    ),
    (
        2,
        "delivery",
        include_str!("../../../migrations/0002_delivery.sql"),
    ),
    (
        3,
        "jetstream",
        include_str!("../../../migrations/0003_jetstream.sql"),
    ),
    (
        4,
        "queue indexes",
        include_str!("../../../migrations/0004_queue_indexes.sql"),
    ),
    (
        5,
        "attempts without rowid",
        include_str!("../../../migrations/0005_attempts_without_rowid.sql"),
    ),
    (
        6,
        "stream cursors",
        include_str!("../../../migrations/0006_stream_cursors.sql"),
    ),
];

const TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)";

fn failed(why: String) -> StoreError {
    StoreError::Db(Box::new(std::io::Error::other(why)))
}

/// Applies every pending migration in one `BEGIN IMMEDIATE` transaction, so two processes
/// opening a fresh file at once cannot both apply one; refuses a database whose applied
/// migrations were edited since, or that is newer than this build.
pub(crate) fn run(conn: &mut Connection) -> Result<(), StoreError> {
    apply(conn, MIGRATIONS)
}

fn apply(conn: &mut Connection, migrations: &[(i64, &str, &str)]) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute_batch(TABLE)?;
    for (version, description, sql) in migrations {
        let checksum = Sha384::digest(sql.as_bytes()).to_vec();
        let applied: Option<(bool, Vec<u8>)> = tx
            .query_row(
                "SELECT success, checksum FROM _sqlx_migrations WHERE version = ?1",
                [version],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match applied {
            Some((false, _)) => {
                return Err(failed(format!(
                    "migration {version} was left partly applied"
                )))
            }
            Some((true, stored)) if stored != checksum => {
                return Err(failed(format!(
                    "migration {version} ({description}) was applied but has changed since"
                )))
            }
            Some(_) => continue,
            None => {}
        }
        let started = Instant::now();
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
             execution_time) VALUES (?1, ?2, 1, ?3, ?4)",
            params![
                version,
                description,
                checksum,
                i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX)
            ],
        )?;
    }
    let newest: Option<i64> =
        tx.query_row("SELECT MAX(version) FROM _sqlx_migrations", [], |r| {
            r.get(0)
        })?;
    let known = migrations.last().map_or(0, |m| m.0);
    if newest.is_some_and(|v| v > known) {
        return Err(failed(format!(
            "the database has migration {} but this placehook knows only up to {known}",
            newest.unwrap_or_default()
        )));
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_listed() {
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "sql")
            })
            .count();
        assert_eq!(files, MIGRATIONS.len());
    }

    #[test]
    fn applies_once_and_refuses_edited_history() {
        let mut conn = Connection::open_in_memory().unwrap();
        run(&mut conn).unwrap();
        run(&mut conn).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM _sqlx_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, MIGRATIONS.len() as i64);
        conn.execute(
            "UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 2",
            [],
        )
        .unwrap();
        let err = run(&mut conn).unwrap_err();
        assert!(
            std::error::Error::source(&err)
                .unwrap()
                .to_string()
                .contains("has changed"),
            "{err:?}"
        );
    }

    #[test]
    fn attempts_made_before_0005_survive_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        apply(&mut conn, &MIGRATIONS[..4]).unwrap();
        conn.execute_batch(
            "INSERT INTO webhooks (id, owner, url, url_key, events, events_mask, active, \
               streamplace_format, created_at) VALUES ('w', 'did:plc:a', 'u', 'u', '[]', 1, 1, 0, 't');
             INSERT INTO events (id, type, subject, created_at) VALUES ('e', 'chat', 'did:plc:a', 't');
             INSERT INTO deliveries (id, event_seq, webhook_id, state, next_attempt_ms, created_at)
               VALUES ('d', 1, 'w', 'failed', 0, 't');
             INSERT INTO delivery_attempts VALUES (1, 1, 't', 5, 0, 500, 'HTTP 500', 'oops');",
        )
        .unwrap();
        run(&mut conn).unwrap();
        let kept: (i64, String) = conn
            .query_row(
                "SELECT status_code, response_body FROM delivery_attempts WHERE delivery_seq = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(kept, (500, "oops".to_string()));
        let sql: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'delivery_attempts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(sql.contains("WITHOUT ROWID"), "{sql}");
        // Still goes with its delivery.
        conn.execute("DELETE FROM deliveries", []).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM delivery_attempts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn keeps_the_checksums_sqlx_recorded() {
        // From a database made by placehook 0.1 when sqlx's migrator ran (SHA-384, hex).
        let first = hex(&Sha384::digest(MIGRATIONS[0].2.as_bytes()));
        assert!(first.starts_with("E6463EE9B195C4D151B3"), "{first}");
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02X}")).collect()
    }
}
