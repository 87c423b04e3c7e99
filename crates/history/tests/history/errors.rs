//! A database that cannot be written, or that is full, gives an error of the
//! right kind and stays sound.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use picket_history::{HistoryErrorKind, HistoryStore, InputBatch, ReadPosition};
use picket_model::{Detect, DetectKind};

use crate::common::{detect, integrity, number, store_run};

fn batch<'a>(refs: &'a [&'a Detect]) -> InputBatch<'a> {
    InputBatch {
        label: "fw.log",
        fingerprint: None,
        start: ReadPosition::START,
        end: ReadPosition::START,
        detects: refs,
        source_days: &[],
    }
}

/// Marks a file immutable with `chattr +i` for as long as it lives, when the
/// tool and the file system allow it.
struct Immutable<'a>(Option<&'a Path>);

impl<'a> Immutable<'a> {
    fn try_set(path: &'a Path) -> Self {
        let set = Command::new("chattr")
            .arg("+i")
            .arg(path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        Immutable(set.then_some(path))
    }
}

impl Drop for Immutable<'_> {
    fn drop(&mut self) {
        if let Some(path) = self.0 {
            let _ = Command::new("chattr").arg("-i").arg(path).status();
        }
    }
}

#[test]
fn read_only_database_gives_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    {
        let mut store = HistoryStore::open(&db).unwrap();
        store_run(
            &mut store,
            "a.log",
            &[detect(
                "d1",
                DetectKind::PortScan,
                "2000-09-20T15:04:31-04:00",
                &["203.0.113.5"],
                &[21],
            )],
            &[],
        );
    }
    let d = detect(
        "d2",
        DetectKind::PortScan,
        "2000-09-21T15:04:31-04:00",
        &["203.0.113.5"],
        &[21],
    );

    // Opened for queries only: history still answers, storing is refused.
    let mut store = HistoryStore::open_read_only(&db).unwrap();
    assert!(store.is_read_only());
    assert_eq!(store.history_of(&d).unwrap().sources[0].detects_seen, 1);
    let run = store.begin_run("picket test");
    let err = store.store_input(&run, &batch(&[&d])).unwrap_err();
    assert_eq!(err.kind(), HistoryErrorKind::ReadOnly);
    assert!(err.to_string().contains("cannot be written"), "{err}");
    let err = store.prune(jiff::Timestamp::now()).unwrap_err();
    assert_eq!(err.kind(), HistoryErrorKind::ReadOnly);
    drop(store);

    // A file nobody may write: without write permission, and for root (who
    // ignores permissions) immutable where `chattr` can make it so.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let _immutable = Immutable::try_set(&db);
    if std::fs::OpenOptions::new().write(true).open(&db).is_err() {
        let mut store = HistoryStore::open(&db).unwrap();
        assert!(store.is_read_only());
        assert_eq!(store.history_of(&d).unwrap().sources[0].detects_seen, 1);
        let run = store.begin_run("picket test");
        let err = store.store_input(&run, &batch(&[&d])).unwrap_err();
        assert_eq!(err.kind(), HistoryErrorKind::ReadOnly);
    } else {
        eprintln!("skipped: this user can write a read-only file");
    }
    drop(_immutable);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(integrity(&db), "ok");
    assert_eq!(number(&db, "SELECT COUNT(*) FROM detects"), 1);
}

#[test]
fn full_database_gives_full_and_keeps_what_was_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let mut store = HistoryStore::open(&db).unwrap();
    store_run(
        &mut store,
        "a.log",
        &[detect(
            "d0",
            DetectKind::PortScan,
            "2000-09-20T15:04:31-04:00",
            &["203.0.113.5"],
            &[21],
        )],
        &[],
    );
    let size = std::fs::metadata(&db).unwrap().len();
    store.set_size_limit(size + 64 * 1024).unwrap();
    let mut stored_runs = 1;
    let mut failure = None;
    for r in 0..200 {
        let detects: Vec<Detect> = (0..50)
            .map(|i| {
                detect(
                    &format!("r{r}-{i}"),
                    DetectKind::HostSweep,
                    "2000-09-21T15:04:31-04:00",
                    &[&format!("198.51.100.{i}")],
                    &[111, 2049],
                )
            })
            .collect();
        let refs: Vec<&Detect> = detects.iter().collect();
        let run = store.begin_run("picket test");
        match store.store_input(&run, &batch(&refs)) {
            Ok(_) => stored_runs += 1,
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let err = failure.expect("the size limit is reached");
    assert_eq!(err.kind(), HistoryErrorKind::Full);
    assert!(err.to_string().contains("is full"), "{err}");
    drop(store);
    assert_eq!(integrity(&db), "ok");
    assert_eq!(number(&db, "SELECT COUNT(*) FROM runs"), stored_runs);
    assert_eq!(
        number(&db, "SELECT COUNT(*) FROM detects"),
        1 + (stored_runs - 1) * 50
    );
}
