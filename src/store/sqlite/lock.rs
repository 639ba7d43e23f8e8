//! One serving process per database file.
//!
//! The dispatcher assumes it is alone on its database: it requeues every claimed delivery
//! at start, and a lane's reads ahead are not claims. A second `serve` on the same file
//! would send every delivery twice, so it is refused. The lock is an OS file lock on
//! `<database>.lock`, held for the life of the store and released by the kernel when the
//! process ends, even by `kill -9`, so a crash never leaves a stale lock behind.

use super::db::Target;
use super::StoreError;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;

/// Held while a store serves its database.
#[derive(Debug)]
pub(crate) struct ServeLock {
    _file: File,
}

impl ServeLock {
    /// Takes the lock for `target`; `None` for an in-memory database, which no other
    /// process can open.
    pub(crate) fn take(target: &Target) -> Result<Option<Self>, StoreError> {
        let Some(db) = database_path(target) else {
            return Ok(None);
        };
        let mut path = db.clone().into_os_string();
        path.push(".lock");
        let path = PathBuf::from(path);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::Db(Box::new(e)))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(ServeLock { _file: file })),
            Err(TryLockError::WouldBlock) => Err(StoreError::InUse(db.display().to_string())),
            Err(TryLockError::Error(e)) => Err(StoreError::Db(Box::new(e))),
        }
    }
}

/// The file a target names: a path, or the path part of a `file:` URI.
fn database_path(target: &Target) -> Option<PathBuf> {
    match target {
        Target::Path(p) => Some(p.clone()),
        Target::Uri(u) => {
            let rest = u.strip_prefix("file:").unwrap_or(u);
            let path = rest.split('?').next().unwrap_or(rest);
            (!path.is_empty()).then(|| PathBuf::from(path))
        }
        Target::Memory => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_file_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let target = Target::Path(dir.path().join("p.sqlite"));
        let first = ServeLock::take(&target).unwrap();
        assert!(first.is_some());
        let err = ServeLock::take(&target).unwrap_err();
        assert!(matches!(err, StoreError::InUse(_)), "{err:?}");
        assert!(err.to_string().contains("p.sqlite"), "{err}");
        drop(first);
        assert!(ServeLock::take(&target).unwrap().is_some());
        assert!(ServeLock::take(&Target::Memory).unwrap().is_none());
    }
}
