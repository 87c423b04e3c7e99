//! Two writers at once both succeed: WAL, the busy timeout and retries.

use std::thread;

use picket_history::HistoryStore;
use picket_model::{Detect, DetectKind};

use crate::common::{detect, number, store_run};
use crate::crash::{DETECTS_PER_RUN, assert_runs_whole, committed_keys, spawn_writer};

#[test]
fn two_threads_with_separate_connections_both_store_everything() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let db = db.clone();
            thread::spawn(move || {
                let mut store = HistoryStore::open(&db).unwrap();
                for r in 0..25 {
                    let detects: Vec<Detect> = (0..40)
                        .map(|i| {
                            detect(
                                &format!("w{w}-r{r}-{i}"),
                                DetectKind::HostSweep,
                                "2000-09-20T15:04:31-04:00",
                                &[&format!("203.0.113.{i}")],
                                &[111],
                            )
                        })
                        .collect();
                    store_run(&mut store, &format!("w{w}.log"), &detects, &[]);
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer thread succeeded");
    }
    assert_eq!(number(&db, "SELECT COUNT(*) FROM detects"), 2 * 25 * 40);
    assert_eq!(number(&db, "SELECT COUNT(*) FROM runs"), 50);
}

#[test]
fn two_processes_writing_at_once_both_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let mut first = spawn_writer(&db, Some(15));
    let mut second = spawn_writer(&db, Some(15));
    let mut keys = committed_keys(&mut first);
    keys.extend(committed_keys(&mut second));
    assert!(first.wait().unwrap().success());
    assert!(second.wait().unwrap().success());
    assert_eq!(keys.len(), 30);
    assert_runs_whole(&db, &keys);
    assert_eq!(
        number(&db, "SELECT COUNT(*) FROM detects"),
        30 * DETECTS_PER_RUN as i64
    );
}
