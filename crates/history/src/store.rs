//! Opening the history database: where it lives, how it is configured (WAL,
//! busy timeout, foreign keys), bringing its schema up to date, and retrying
//! work that another process's lock held up.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{Connection, ErrorCode, MAIN_DB, OpenFlags};

use crate::error::{HistoryError, HistoryErrorKind, HistoryResult};
use crate::schema::{self, CURRENT_VERSION, MigrateError};

/// How long one statement waits for another process's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// SQLite's page cache per connection, in KiB (as `PRAGMA cache_size`
/// takes it, negated): filled only as far as the database is used.
const CACHE_KIB: i64 = -65_536;

/// Prepared statements kept per connection.
const STATEMENTS_KEPT: usize = 128;

/// How many times a whole transaction is tried again after the busy timeout
/// ran out or a snapshot went stale.
const BUSY_RETRIES: u32 = 6;

/// The history store: one connection to the database.
#[derive(Debug)]
pub struct HistoryStore {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    pub(crate) read_only: bool,
    pub(crate) current_run: Option<String>,
    /// True while the store holds no detect and no daily counter: set when
    /// a run begins, cleared by its first store. Every look-up of the past
    /// then finds nothing, and is answered without a query.
    pub(crate) nothing_stored: bool,
    /// Large groups of related past detects, looked up once per run.
    pub(crate) large_groups: crate::facts::LargeGroups,
}

/// One run of picket, as the store knows it: detects stored under it are
/// not "seen before" by [`HistoryStore::history_of`] during the same run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunId {
    pub(crate) key: String,
    pub(crate) started: Timestamp,
    pub(crate) generator: String,
}

impl RunId {
    /// The run's unique key, as stored in `runs.key`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// When the run began.
    pub fn started(&self) -> Timestamp {
        self.started
    }
}

impl HistoryStore {
    /// The default database: `$XDG_DATA_HOME/picket/history.db`, or
    /// `~/.local/share/picket/history.db`; `None` when neither variable gives
    /// an absolute folder.
    pub fn default_path() -> Option<PathBuf> {
        let absolute = |var: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
        };
        let data = absolute("XDG_DATA_HOME")
            .or_else(|| absolute("HOME").map(|home| home.join(".local").join("share")))?;
        Some(data.join("picket").join("history.db"))
    }

    /// Opens (creating when missing) the database at the default path.
    pub fn open_default() -> HistoryResult<Self> {
        let path = Self::default_path().ok_or_else(|| {
            HistoryError::new(
                HistoryErrorKind::Io,
                Path::new("history.db"),
                "neither XDG_DATA_HOME nor HOME names a folder for the history database",
            )
        })?;
        Self::open(&path)
    }

    /// Opens the database at `path` for reading and writing, creating it and
    /// its folder when missing, and migrating an older schema. A file that
    /// cannot be written still opens (queries work; storing gives a
    /// [`HistoryErrorKind::ReadOnly`] error) unless it needs migrating.
    pub fn open(path: &Path) -> HistoryResult<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_private_dir(parent).map_err(|e| HistoryError::from_io(e, parent))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| HistoryError::from_sqlite(e, path))?;
        let read_only = conn.is_readonly(MAIN_DB).unwrap_or(true);
        let mut store = HistoryStore {
            conn,
            path: path.to_path_buf(),
            read_only,
            current_run: None,
            nothing_stored: false,
            large_groups: Default::default(),
        };
        store.configure()?;
        store.bring_up_to_date()?;
        Ok(store)
    }

    /// Opens an existing database for queries only (`picket history`): no
    /// file is created and storing gives a [`HistoryErrorKind::ReadOnly`]
    /// error. The schema must already be current.
    pub fn open_read_only(path: &Path) -> HistoryResult<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| HistoryError::from_sqlite(e, path))?;
        let mut store = HistoryStore {
            conn,
            path: path.to_path_buf(),
            read_only: true,
            current_run: None,
            nothing_stored: false,
            large_groups: Default::default(),
        };
        store.configure()?;
        store.bring_up_to_date()?;
        Ok(store)
    }

    /// Where the database is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether storing will fail because the database cannot be written.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> HistoryResult<u32> {
        schema::version(&self.conn).map_err(|e| self.error(e))
    }

    /// Caps the database at about `max_bytes` (rounded down to whole pages,
    /// and never below its current size): past it, storing fails with
    /// [`HistoryErrorKind::Full`] and nothing of that input is kept.
    pub fn set_size_limit(&self, max_bytes: u64) -> HistoryResult<()> {
        let page_size: i64 = self
            .conn
            .pragma_query_value(None, "page_size", |row| row.get(0))
            .map_err(|e| self.error(e))?;
        let pages = max_bytes / u64::try_from(page_size.max(512)).unwrap_or(4096);
        let pages = i64::try_from(pages.max(1)).unwrap_or(i64::MAX);
        self.conn
            .pragma_update(None, "max_page_count", pages)
            .map_err(|e| self.error(e))
    }

    /// Starts a run: detects stored under it are left out of
    /// [`HistoryStore::history_of`] for the rest of it. `generator` is the
    /// `picket <version>` string of the report. Nothing is written until the
    /// first input is stored.
    pub fn begin_run(&mut self, generator: &str) -> RunId {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let started = Timestamp::now();
        let serial = COUNTER.fetch_add(1, Ordering::Relaxed);
        let key = format!(
            "{}-{}-{serial}",
            started.as_nanosecond(),
            std::process::id()
        );
        self.current_run = Some(key.clone());
        self.large_groups.borrow_mut().clear();
        self.nothing_stored = self
            .read(|conn| {
                conn.query_row(
                    "SELECT NOT EXISTS (SELECT 1 FROM detects)
                        AND NOT EXISTS (SELECT 1 FROM source_days)",
                    [],
                    |row| row.get(0),
                )
            })
            .unwrap_or(false);
        RunId {
            key,
            started,
            generator: generator.to_string(),
        }
    }

    /// Sets the per-connection settings: foreign keys, the busy timeout, WAL
    /// and full syncs (a committed input survives a crash of the machine, not
    /// only of picket).
    fn configure(&mut self) -> HistoryResult<()> {
        let read_only = self.read_only;
        self.with_retry(|conn| {
            conn.busy_timeout(BUSY_TIMEOUT)?;
            conn.pragma_update(None, "foreign_keys", true)?;
            // A run writes and looks up detects all over the tables' indexes:
            // with SQLite's 2 MB page cache it read the same pages back from
            // the file again and again.
            conn.pragma_update(None, "cache_size", CACHE_KIB)?;
            // Storing and reading back a detect use more statements than
            // rusqlite's 16 kept prepared: past that, each was compiled again
            // for every detect.
            conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
            if !read_only {
                // Some file systems cannot hold a WAL and keep the rollback
                // journal instead; transactions stay atomic either way.
                let _mode: String =
                    conn.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))?;
                conn.pragma_update(None, "synchronous", "FULL")?;
            }
            Ok(())
        })
    }

    /// Migrates an older schema; refuses a newer one.
    fn bring_up_to_date(&mut self) -> HistoryResult<()> {
        let found = self.with_retry(|conn| schema::version(conn))?;
        if found == CURRENT_VERSION {
            return Ok(());
        }
        if found > CURRENT_VERSION {
            return Err(self.newer(found));
        }
        if self.read_only {
            return Err(HistoryError::new(
                HistoryErrorKind::ReadOnly,
                &self.path,
                format!(
                    "schema version {found} needs upgrading to {CURRENT_VERSION}, which needs write access"
                ),
            ));
        }
        let mut attempt = 0;
        loop {
            match schema::migrate(&mut self.conn) {
                Ok(()) => return Ok(()),
                Err(MigrateError::Newer(v)) => return Err(self.newer(v)),
                Err(MigrateError::Sqlite(e)) if is_busy(&e) && attempt < BUSY_RETRIES => {
                    attempt += 1;
                    std::thread::sleep(backoff(attempt));
                }
                Err(MigrateError::Sqlite(e)) => return Err(self.error(e)),
            }
        }
    }

    fn newer(&self, found: u32) -> HistoryError {
        HistoryError::new(
            HistoryErrorKind::Schema,
            &self.path,
            format!(
                "schema version {found} was written by a newer picket (this one knows {CURRENT_VERSION})"
            ),
        )
    }

    /// Wraps an SQLite failure with this database's path.
    pub(crate) fn error(&self, err: rusqlite::Error) -> HistoryError {
        HistoryError::from_sqlite(err, &self.path)
    }

    /// Runs read-only `work` on one snapshot of the database (so counts and
    /// lists agree), trying again when a lock held it up.
    pub(crate) fn read<T>(
        &self,
        mut work: impl FnMut(&Connection) -> rusqlite::Result<T>,
    ) -> HistoryResult<T> {
        let mut attempt = 0;
        loop {
            let result = self.conn.unchecked_transaction().and_then(|tx| {
                let value = work(&tx)?;
                tx.finish()?;
                Ok(value)
            });
            match result {
                Ok(value) => return Ok(value),
                Err(e) if is_busy(&e) && attempt < BUSY_RETRIES => {
                    attempt += 1;
                    std::thread::sleep(backoff(attempt));
                }
                Err(e) => return Err(HistoryError::from_sqlite(e, &self.path)),
            }
        }
    }

    /// Runs `work` (a whole transaction, or a query), trying again when
    /// another process kept the database locked past the busy timeout.
    pub(crate) fn with_retry<T>(
        &mut self,
        mut work: impl FnMut(&mut Connection) -> rusqlite::Result<T>,
    ) -> HistoryResult<T> {
        let mut attempt = 0;
        loop {
            match work(&mut self.conn) {
                Ok(value) => return Ok(value),
                Err(e) if is_busy(&e) && attempt < BUSY_RETRIES => {
                    attempt += 1;
                    std::thread::sleep(backoff(attempt));
                }
                Err(e) => return Err(HistoryError::from_sqlite(e, &self.path)),
            }
        }
    }
}

/// Whether SQLite gave up waiting for a lock.
fn is_busy(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// A growing pause between retries, with a little per-process jitter so two
/// waiting processes do not wake together.
fn backoff(attempt: u32) -> Duration {
    let jitter = u64::from(std::process::id() % 17);
    Duration::from_millis(20 * u64::from(attempt) * u64::from(attempt) + jitter)
}

/// Creates the database's folder, readable by its owner only: the history
/// says what attacked the site.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_creates_folder_and_sets_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("history.db");
        let store = HistoryStore::open(&path).unwrap();
        assert!(path.exists());
        assert_eq!(store.schema_version().unwrap(), CURRENT_VERSION);
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = store
            .conn
            .pragma_query_value(None, "foreign_keys", |row| row.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        assert!(!store.is_read_only());
    }

    #[test]
    fn a_file_that_is_not_a_database_is_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        std::fs::write(&path, vec![b'x'; 8192]).unwrap();
        let err = HistoryStore::open(&path).err().unwrap();
        assert_eq!(err.kind(), HistoryErrorKind::Corrupt);
    }

    #[test]
    fn runs_get_distinct_keys() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = HistoryStore::open(&dir.path().join("h.db")).unwrap();
        let a = store.begin_run("picket 0.1.0");
        let b = store.begin_run("picket 0.1.0");
        assert_ne!(a.key(), b.key());
        assert_eq!(store.current_run.as_deref(), Some(b.key()));
    }
}
