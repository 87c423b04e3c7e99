//! A writer killed with SIGKILL at any moment leaves a sound database in
//! which every run it reported committed is whole, and no run is half there.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jiff::civil::date;
use picket_history::{HistoryStore, InputBatch, ReadPosition, SourceDay, StoreOutcome};
use picket_model::{Detect, DetectKind};

use crate::common::{detect, integrity, raw, with_evidence};

/// Where the helper process writes; unset in a normal test run.
const DB_VAR: &str = "PICKET_HISTORY_WRITER_DB";
/// How many runs the helper writes before exiting (unbounded when unset).
const RUNS_VAR: &str = "PICKET_HISTORY_WRITER_RUNS";
/// Detects per run: enough that a kill often lands inside a transaction.
pub const DETECTS_PER_RUN: usize = 120;
/// Sources counted by every run, one packet each on one day.
pub const COUNTED_SOURCES: usize = 40;

/// The helper process: stores runs in a loop and prints each committed run's
/// key. Started by the tests below through the test binary itself.
#[test]
#[ignore = "helper process started by the crash and concurrency tests"]
fn writer_child() {
    let Some(db) = std::env::var_os(DB_VAR) else {
        return;
    };
    let limit: Option<usize> = std::env::var(RUNS_VAR).ok().and_then(|v| v.parse().ok());
    let mut store = HistoryStore::open(Path::new(&db)).unwrap();
    let counts: Vec<SourceDay> = (0..COUNTED_SOURCES)
        .map(|i| SourceDay::from((format!("198.51.100.{i}"), date(2000, 9, 20), 1)))
        .collect();
    let mut done = 0;
    while limit.is_none_or(|l| done < l) {
        let run = store.begin_run("picket crash test");
        let label = format!("{}.log", run.key());
        let detects: Vec<Detect> = (0..DETECTS_PER_RUN)
            .map(|i| {
                let d = detect(
                    &format!("{}-{i}", run.key()),
                    DetectKind::PortScan,
                    "2000-09-20T15:04:31-04:00",
                    &[&format!("203.0.113.{}", i % 250), "192.0.2.7"],
                    &[21, 22, 23, 25, 80, 110, 111, 119],
                );
                with_evidence(d, &label, &[i as u64 + 1])
            })
            .collect();
        let refs: Vec<&Detect> = detects.iter().collect();
        let batch = InputBatch {
            label: &label,
            fingerprint: None,
            start: ReadPosition::START,
            end: ReadPosition::START,
            detects: &refs,
            source_days: &counts,
        };
        match store.store_input(&run, &batch).unwrap() {
            StoreOutcome::Stored(_) => println!("committed {}", run.key()),
            StoreOutcome::AlreadyStored => panic!("a new run is never already stored"),
        }
        done += 1;
    }
}

/// Starts the helper writing into `db`.
pub fn spawn_writer(db: &Path, runs: Option<usize>) -> std::process::Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "crash::writer_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(DB_VAR, db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(n) = runs {
        command.env(RUNS_VAR, n.to_string());
    }
    command.spawn().unwrap()
}

/// The run keys a helper reported committed.
pub fn committed_keys(child: &mut std::process::Child) -> Vec<String> {
    let stdout = child.stdout.take().unwrap();
    BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        // libtest prints "test crash::writer_child ... " before the first
        // line, so the marker is looked for anywhere on the line.
        .filter_map(|l| {
            l.split_once("committed ")
                .map(|(_, key)| key.trim().to_owned())
        })
        .collect()
}

/// Checks that every run in the database is whole and that the counters
/// agree with the number of runs.
pub fn assert_runs_whole(db: &Path, committed: &[String]) {
    let conn = raw(db);
    let count_for = |key: &str| -> i64 {
        conn.query_row(
            "SELECT COUNT(*) FROM detects d JOIN runs r ON r.id = d.run WHERE r.key = ?1",
            [key],
            |row| row.get(0),
        )
        .unwrap()
    };
    for key in committed {
        assert_eq!(
            count_for(key),
            DETECTS_PER_RUN as i64,
            "committed run {key} is whole"
        );
    }
    let partial: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM runs r WHERE (SELECT COUNT(*) FROM detects d WHERE d.run = r.id) != ?1",
            [DETECTS_PER_RUN as i64],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(partial, 0, "no run is half stored");
    let runs: i64 = conn
        .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    let evidence: i64 = conn
        .query_row("SELECT COUNT(*) FROM evidence", [], |r| r.get(0))
        .unwrap();
    assert_eq!(evidence, runs * DETECTS_PER_RUN as i64);
    let off: i64 = conn
        .query_row("SELECT COUNT(*) FROM source_days WHERE day = '2000-09-20' AND source LIKE '198.51.100.%' AND packets != ?1", [runs], |r| r.get(0))
        .unwrap();
    assert_eq!(off, 0, "every counter was raised once per stored run");
}

/// A small xorshift generator seeded from the clock: kill times differ from
/// run to run, and the seed is printed when a check fails.
struct Jitter(u64);

impl Jitter {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn sigkill_during_long_writes_loses_no_committed_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    // Create the schema first so every kill lands in run writing.
    HistoryStore::open(&db).unwrap();
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut jitter = Jitter(seed);
    let mut committed: Vec<String> = Vec::new();
    let mut killed_after_commit = 0;
    for round in 0..24 {
        let mut child = spawn_writer(&db, None);
        let stdout = child.stdout.take().unwrap();
        let (lines, seen) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some((_, key)) = line.split_once("committed ") {
                    let _ = lines.send(key.trim().to_owned());
                }
            }
        });
        let delay = Duration::from_millis(jitter.next() % 300);
        if round % 2 == 0 {
            // From the start: kills land while opening, or in the first runs.
            std::thread::sleep(delay + Duration::from_millis(20));
        } else {
            // From the first commit: kills land in the middle of writing.
            let first = seen.recv_timeout(Duration::from_secs(60));
            assert!(first.is_ok(), "the writer commits a run (seed {seed})");
            committed.extend(first);
            std::thread::sleep(delay);
            killed_after_commit += 1;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        committed.extend(seen.try_iter());
        assert_eq!(integrity(&db), "ok", "round {round}, seed {seed}");
        // Opening recovers the WAL; the store must still work.
        let store = HistoryStore::open(&db).unwrap();
        assert!(store.recent_detects(None, 1).is_ok());
        drop(store);
        assert_runs_whole(&db, &committed);
    }
    assert_eq!(killed_after_commit, 12);
    assert!(
        committed.len() >= 12,
        "the writer committed runs between kills (seed {seed})"
    );
}
