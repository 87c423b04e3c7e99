//! A database written by schema version 1 opens under the current version
//! with its rows kept and the version 2 keys filled in.

use picket_history::{CURRENT_VERSION, HistoryStore, Relation};
use picket_model::DetectKind;

use crate::common::{detect, number, raw, store_run};

/// The version 1 schema as it shipped, frozen here so that a change to the
/// migrations cannot silently change what an old database looks like.
const V1_SCHEMA: &str = "
CREATE TABLE runs (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, started_at TEXT NOT NULL,
    started_unix INTEGER NOT NULL, generator TEXT NOT NULL);
CREATE TABLE inputs (id INTEGER PRIMARY KEY, path TEXT NOT NULL, label TEXT NOT NULL,
    device INTEGER NOT NULL, inode INTEGER NOT NULL, head_len INTEGER NOT NULL,
    head_hash TEXT NOT NULL, size INTEGER NOT NULL, byte_offset INTEGER NOT NULL,
    line INTEGER NOT NULL, first_read_unix INTEGER NOT NULL, last_read_unix INTEGER NOT NULL,
    last_run INTEGER REFERENCES runs(id) ON DELETE SET NULL);
CREATE INDEX inputs_path ON inputs(path);
CREATE INDEX inputs_identity ON inputs(device, inode);
CREATE INDEX inputs_head ON inputs(head_hash);
CREATE TABLE detects (id INTEGER PRIMARY KEY, detect_id TEXT NOT NULL, first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL, first_unix INTEGER, last_unix INTEGER, day TEXT, minute INTEGER,
    kind TEXT NOT NULL, scan_type TEXT, severity_level TEXT NOT NULL,
    severity_score INTEGER NOT NULL, packets INTEGER NOT NULL, sources_total INTEGER NOT NULL,
    targets_total INTEGER NOT NULL, tool_signature TEXT, title TEXT NOT NULL,
    protocols TEXT NOT NULL, run INTEGER NOT NULL REFERENCES runs(id),
    UNIQUE (detect_id, first_seen));
CREATE INDEX detects_first ON detects(first_unix);
CREATE INDEX detects_last ON detects(last_unix);
CREATE INDEX detects_kind ON detects(kind);
CREATE INDEX detects_tool ON detects(tool_signature) WHERE tool_signature IS NOT NULL;
CREATE INDEX detects_run ON detects(run);
CREATE TABLE detect_sources (detect INTEGER NOT NULL REFERENCES detects(id) ON DELETE CASCADE,
    source TEXT NOT NULL, PRIMARY KEY (detect, source)) WITHOUT ROWID;
CREATE INDEX detect_sources_source ON detect_sources(source);
CREATE TABLE detect_targets (detect INTEGER NOT NULL REFERENCES detects(id) ON DELETE CASCADE,
    target TEXT NOT NULL, PRIMARY KEY (detect, target)) WITHOUT ROWID;
CREATE INDEX detect_targets_target ON detect_targets(target);
CREATE TABLE detect_ports (detect INTEGER NOT NULL REFERENCES detects(id) ON DELETE CASCADE,
    port INTEGER NOT NULL, PRIMARY KEY (detect, port)) WITHOUT ROWID;
CREATE INDEX detect_ports_port ON detect_ports(port);
CREATE TABLE evidence (detect INTEGER NOT NULL REFERENCES detects(id) ON DELETE CASCADE,
    input INTEGER REFERENCES inputs(id) ON DELETE SET NULL, path TEXT NOT NULL,
    line INTEGER NOT NULL, text TEXT, PRIMARY KEY (detect, path, line));
CREATE INDEX evidence_input ON evidence(input);
CREATE TABLE source_days (source TEXT NOT NULL, day TEXT NOT NULL,
    packets INTEGER NOT NULL DEFAULT 0, detects INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, day)) WITHOUT ROWID;
CREATE INDEX source_days_day ON source_days(day);
PRAGMA user_version = 1;
";

/// One detect from 203.0.113.5 as a version 1 picket stored it.
const V1_ROWS: &str = "
INSERT INTO runs VALUES (1, 'old-run', '2000-09-20T20:00:00Z', 969480000, 'picket 0.0.9');
INSERT INTO detects VALUES (1, 'd-old', '2000-09-20T15:04:31-04:00', '2000-09-20T15:06:00-04:00',
    969476671, 969476760, '2000-09-20', 904, 'host-sweep', NULL, 'low', -2, 12, 1, 12, NULL,
    'host sweep at port 111 from 203.0.113.5', '[\"tcp\"]', 1);
INSERT INTO detect_sources VALUES (1, '203.0.113.5');
INSERT INTO detect_ports VALUES (1, 111);
INSERT INTO source_days VALUES ('203.0.113.5', '2000-09-20', 12, 1);
";

#[test]
fn version_1_database_opens_under_the_current_version() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    raw(&db)
        .execute_batch(&format!("{V1_SCHEMA}{V1_ROWS}"))
        .unwrap();
    assert_eq!(number(&db, "PRAGMA user_version"), 1);

    let mut store = HistoryStore::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), CURRENT_VERSION);
    const { assert!(CURRENT_VERSION > 1, "the test migrates something") };
    // Keys added by version 2 were filled in for the old rows.
    assert_eq!(
        number(
            &db,
            "SELECT COUNT(*) FROM detect_sources WHERE network = '203.0.113.0/24'"
        ),
        1
    );
    assert_eq!(number(&db, "SELECT first_minute FROM source_days"), 904);
    // And the old detect is history for a neighbour.
    store.begin_run("picket test");
    let neighbour = detect(
        "d-new",
        DetectKind::HostSweep,
        "2000-10-01T10:00:00-04:00",
        &["203.0.113.9"],
        &[111],
    );
    let facts = store.history_of(&neighbour).unwrap();
    let group = facts
        .related
        .iter()
        .find(|g| {
            g.relation
                == Relation::SameNetwork {
                    network: "203.0.113.0/24".into(),
                }
        })
        .expect("the old detect is found through its network");
    assert_eq!(group.detects[0].id, "d-old");
    let record = store.source_record("203.0.113.9").unwrap();
    assert_eq!(record.related_sources[0].source, "203.0.113.5");
    // Storing works on the migrated database.
    store_run(&mut store, "new.log", &[neighbour], &[]);
    assert_eq!(number(&db, "SELECT COUNT(*) FROM detects"), 2);
    // Opening again changes nothing.
    drop(store);
    assert_eq!(
        HistoryStore::open(&db).unwrap().schema_version().unwrap(),
        CURRENT_VERSION
    );
}
