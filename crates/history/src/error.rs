//! What can go wrong with the history store, sorted into the few kinds a
//! caller acts on differently: a report is still printed whatever the kind,
//! and the kind says what to tell the user.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;
use serde::Serialize;

/// The kind of a [`HistoryError`]: what the user should do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistoryErrorKind {
    /// The database or its folder cannot be written (permissions, a
    /// read-only file system, or a store opened for reading only).
    ReadOnly,
    /// The disk, or the size limit set on the store, is full.
    Full,
    /// The file is damaged or is not a picket history database.
    Corrupt,
    /// Another process held the database locked for longer than picket
    /// waits, even after retrying.
    Busy,
    /// Any other input/output failure, including a path that cannot be opened.
    Io,
    /// The database's schema is newer than this picket, or not the one
    /// expected.
    Schema,
}

impl HistoryErrorKind {
    /// A short name for messages and JSON (`read-only`, `full`...).
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryErrorKind::ReadOnly => "read-only",
            HistoryErrorKind::Full => "full",
            HistoryErrorKind::Corrupt => "corrupt",
            HistoryErrorKind::Busy => "busy",
            HistoryErrorKind::Io => "io",
            HistoryErrorKind::Schema => "schema",
        }
    }
}

/// A failure of the history store, with its kind, the database path and the
/// underlying cause. The store is left consistent whatever the failure: the
/// transaction in progress is rolled back.
#[derive(Debug)]
pub struct HistoryError {
    kind: HistoryErrorKind,
    path: PathBuf,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl HistoryError {
    /// An error of a given kind about the database at `path`.
    pub fn new(kind: HistoryErrorKind, path: &Path, message: impl Into<String>) -> Self {
        HistoryError {
            kind,
            path: path.to_path_buf(),
            message: message.into(),
            source: None,
        }
    }

    /// Sorts an SQLite failure into its kind.
    pub(crate) fn from_sqlite(err: rusqlite::Error, path: &Path) -> Self {
        let kind = match err.sqlite_error_code() {
            Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => HistoryErrorKind::ReadOnly,
            Some(ErrorCode::DiskFull) => HistoryErrorKind::Full,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => HistoryErrorKind::Corrupt,
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => HistoryErrorKind::Busy,
            Some(
                ErrorCode::SystemIoFailure
                | ErrorCode::CannotOpen
                | ErrorCode::NoLargeFileSupport
                | ErrorCode::OutOfMemory
                | ErrorCode::FileLockingProtocolFailed,
            ) => HistoryErrorKind::Io,
            // Everything else comes from statements picket wrote against the
            // schema it expects: the file holds another schema.
            _ => HistoryErrorKind::Schema,
        };
        HistoryError {
            kind,
            path: path.to_path_buf(),
            message: err.to_string(),
            source: Some(Box::new(err)),
        }
    }

    /// Sorts a file-system failure (creating the folder, reading an input)
    /// into its kind.
    pub(crate) fn from_io(err: io::Error, path: &Path) -> Self {
        let kind = match err.kind() {
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                HistoryErrorKind::ReadOnly
            }
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => HistoryErrorKind::Full,
            _ => HistoryErrorKind::Io,
        };
        HistoryError {
            kind,
            path: path.to_path_buf(),
            message: err.to_string(),
            source: Some(Box::new(err)),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> HistoryErrorKind {
        self.kind
    }

    /// The database the failure is about.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying message, without the kind and path.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            HistoryErrorKind::ReadOnly => "cannot be written",
            HistoryErrorKind::Full => "is full",
            HistoryErrorKind::Corrupt => "is damaged or not a picket history",
            HistoryErrorKind::Busy => "is locked by another process",
            HistoryErrorKind::Io => "could not be read or written",
            HistoryErrorKind::Schema => "has an unexpected schema",
        };
        write!(
            f,
            "history database {} {what}: {}",
            self.path.display(),
            self.message
        )
    }
}

impl StdError for HistoryError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// The result of a history store operation.
pub type HistoryResult<T> = Result<T, HistoryError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_codes_sort_into_kinds() {
        let path = Path::new("/tmp/h.db");
        let failure = |code: i32| {
            rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some("x".into()))
        };
        let kind = |code| HistoryError::from_sqlite(failure(code), path).kind();
        assert_eq!(
            kind(rusqlite::ffi::SQLITE_READONLY),
            HistoryErrorKind::ReadOnly
        );
        assert_eq!(kind(rusqlite::ffi::SQLITE_FULL), HistoryErrorKind::Full);
        assert_eq!(
            kind(rusqlite::ffi::SQLITE_CORRUPT),
            HistoryErrorKind::Corrupt
        );
        assert_eq!(
            kind(rusqlite::ffi::SQLITE_NOTADB),
            HistoryErrorKind::Corrupt
        );
        assert_eq!(kind(rusqlite::ffi::SQLITE_BUSY), HistoryErrorKind::Busy);
        assert_eq!(kind(rusqlite::ffi::SQLITE_IOERR), HistoryErrorKind::Io);
        assert_eq!(kind(rusqlite::ffi::SQLITE_ERROR), HistoryErrorKind::Schema);
    }

    #[test]
    fn message_names_path_and_kind() {
        let err = HistoryError::new(HistoryErrorKind::Full, Path::new("/d/h.db"), "no space");
        assert_eq!(
            err.to_string(),
            "history database /d/h.db is full: no space"
        );
        let io = HistoryError::from_io(
            io::Error::from(io::ErrorKind::PermissionDenied),
            Path::new("/d"),
        );
        assert_eq!(io.kind(), HistoryErrorKind::ReadOnly);
    }
}
