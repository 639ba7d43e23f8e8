//! The one place SQLite errors are classified.

use crate::store::StoreError;

impl From<rusqlite::Error> for StoreError {
    /// Classifies a driver error by its result code: lock contention becomes
    /// [`StoreError::Busy`], the rest is `Db`. (Which unique index a violation broke is
    /// the caller's to tell: see [`is_unique_violation`].)
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        if let rusqlite::Error::SqliteFailure(e, _) = &err {
            if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) {
                return StoreError::Busy;
            }
        }
        StoreError::Db(Box::new(err))
    }
}

/// Whether a statement failed on a `UNIQUE` constraint (`SQLITE_CONSTRAINT_UNIQUE`, the
/// extended code; a primary key has its own). SQLite names the index only in the message
/// text, so the code alone cannot say which one.
pub(crate) fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(err, rusqlite::Error::SqliteFailure(e, _)
        if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}
