//! The database schema and its forward migrations. The version lives in
//! `PRAGMA user_version`; each migration runs in its own transaction, so a
//! database is always at one version or the next, never in between.
//! `docs/history.md` describes every table and column.

use rusqlite::{Connection, TransactionBehavior, params};

use crate::keys::{domain_of, network_of};

/// The schema version this picket writes.
pub const CURRENT_VERSION: u32 = 3;

/// Version 3: DNS answers of `--resolve`, so each name is asked once until
/// its answer expires.
const V3: &str = "
CREATE TABLE dns_cache (
    key TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    expires_unix INTEGER NOT NULL
);
";

/// Version 1: runs, inputs and their read positions, detects with their
/// sources, targets, ports and evidence, and per-source daily counters.
const V1: &str = "
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    started_at TEXT NOT NULL,
    started_unix INTEGER NOT NULL,
    generator TEXT NOT NULL
);
CREATE TABLE inputs (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    label TEXT NOT NULL,
    device INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    head_len INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    byte_offset INTEGER NOT NULL,
    line INTEGER NOT NULL,
    first_read_unix INTEGER NOT NULL,
    last_read_unix INTEGER NOT NULL,
    last_run INTEGER REFERENCES runs(id) ON DELETE SET NULL
);
CREATE INDEX inputs_path ON inputs(path);
CREATE INDEX inputs_identity ON inputs(device, inode);
CREATE INDEX inputs_head ON inputs(head_hash);
CREATE TABLE detects (
    id INTEGER PRIMARY KEY,
    detect_id TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    first_unix INTEGER,
    last_unix INTEGER,
    day TEXT,
    minute INTEGER,
    kind TEXT NOT NULL,
    scan_type TEXT,
    severity_level TEXT NOT NULL,
    severity_score INTEGER NOT NULL,
    packets INTEGER NOT NULL,
    sources_total INTEGER NOT NULL,
    targets_total INTEGER NOT NULL,
    tool_signature TEXT,
    title TEXT NOT NULL,
    protocols TEXT NOT NULL,
    run INTEGER NOT NULL REFERENCES runs(id),
    UNIQUE (detect_id, first_seen)
);
CREATE INDEX detects_first ON detects(first_unix);
CREATE INDEX detects_last ON detects(last_unix);
CREATE INDEX detects_kind ON detects(kind);
CREATE INDEX detects_tool ON detects(tool_signature) WHERE tool_signature IS NOT NULL;
CREATE INDEX detects_run ON detects(run);
CREATE TABLE detect_sources (
    detect INTEGER NOT NULL REFERENCES detects(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    PRIMARY KEY (detect, source)
) WITHOUT ROWID;
CREATE INDEX detect_sources_source ON detect_sources(source);
CREATE TABLE detect_targets (
    detect INTEGER NOT NULL REFERENCES detects(id) ON DELETE CASCADE,
    target TEXT NOT NULL,
    PRIMARY KEY (detect, target)
) WITHOUT ROWID;
CREATE INDEX detect_targets_target ON detect_targets(target);
CREATE TABLE detect_ports (
    detect INTEGER NOT NULL REFERENCES detects(id) ON DELETE CASCADE,
    port INTEGER NOT NULL,
    PRIMARY KEY (detect, port)
) WITHOUT ROWID;
CREATE INDEX detect_ports_port ON detect_ports(port);
CREATE TABLE evidence (
    detect INTEGER NOT NULL REFERENCES detects(id) ON DELETE CASCADE,
    input INTEGER REFERENCES inputs(id) ON DELETE SET NULL,
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    text TEXT,
    PRIMARY KEY (detect, path, line)
);
CREATE INDEX evidence_input ON evidence(input);
CREATE TABLE source_days (
    source TEXT NOT NULL,
    day TEXT NOT NULL,
    packets INTEGER NOT NULL DEFAULT 0,
    detects INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, day)
) WITHOUT ROWID;
CREATE INDEX source_days_day ON source_days(day);
";

/// Version 2: the keys that relate sources (network and registrable domain)
/// and the time of day a source first showed up on each day, for regularity.
const V2: &str = "
ALTER TABLE detect_sources ADD COLUMN network TEXT;
ALTER TABLE detect_sources ADD COLUMN domain TEXT;
CREATE INDEX detect_sources_network ON detect_sources(network) WHERE network IS NOT NULL;
CREATE INDEX detect_sources_domain ON detect_sources(domain) WHERE domain IS NOT NULL;
ALTER TABLE source_days ADD COLUMN first_minute INTEGER;
";

/// Fills the version 2 keys of sources stored before them, and the first
/// minute of each source's days from its detects.
fn backfill_v2(conn: &Connection) -> rusqlite::Result<()> {
    let sources: Vec<String> = conn
        .prepare("SELECT DISTINCT source FROM detect_sources")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update =
        conn.prepare("UPDATE detect_sources SET network = ?2, domain = ?3 WHERE source = ?1")?;
    for source in &sources {
        update.execute(params![source, network_of(source), domain_of(source)])?;
    }
    conn.execute(
        "UPDATE source_days SET first_minute = (
             SELECT MIN(d.minute) FROM detects d JOIN detect_sources s ON s.detect = d.id
             WHERE s.source = source_days.source AND d.day = source_days.day)",
        [],
    )?;
    Ok(())
}

/// One step from a version to the next.
fn apply(conn: &Connection, from: u32) -> rusqlite::Result<()> {
    match from {
        0 => conn.execute_batch(V1),
        1 => {
            conn.execute_batch(V2)?;
            backfill_v2(conn)
        }
        2 => conn.execute_batch(V3),
        _ => Ok(()),
    }
}

/// Why a database cannot be brought to the current version.
#[derive(Debug)]
pub(crate) enum MigrateError {
    /// SQLite failed.
    Sqlite(rusqlite::Error),
    /// The database was written by a newer picket.
    Newer(u32),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(err: rusqlite::Error) -> Self {
        MigrateError::Sqlite(err)
    }
}

/// Reads the schema version.
pub(crate) fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Brings the database to [`CURRENT_VERSION`], one transaction per step.
/// Each step re-reads the version under the write lock, so two processes
/// opening an old database at once migrate it once.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = version(&tx)?;
        if found > CURRENT_VERSION {
            return Err(MigrateError::Newer(found));
        }
        if found == CURRENT_VERSION {
            tx.commit()?;
            return Ok(());
        }
        apply(&tx, found)?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_reaches_current_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), CURRENT_VERSION);
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('detect_sources')")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(columns, ["detect", "source", "network", "domain"]);
        // Running it again changes nothing.
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), CURRENT_VERSION);
    }

    #[test]
    fn newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", CURRENT_VERSION + 1)
            .unwrap();
        assert!(
            matches!(migrate(&mut conn), Err(MigrateError::Newer(v)) if v == CURRENT_VERSION + 1)
        );
    }
}
