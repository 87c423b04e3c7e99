//! Reading an input again never counts it twice: the fingerprint plan says
//! what is new.

use jiff::civil::date;
use picket_history::{
    HistoryStore, InputBatch, ReadPlan, ReadPosition, SourceDay, StoreOutcome, fingerprint,
};
use picket_model::{Detect, DetectKind};

use crate::common::{SYN_SCAN_LINES, append_lines, detect, number, with_evidence};

fn line_len(n: usize) -> u64 {
    (0..n)
        .map(|i| SYN_SCAN_LINES[i % SYN_SCAN_LINES.len()].len() as u64)
        .sum()
}

#[test]
fn same_input_twice_adds_nothing_and_appended_lines_are_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let log = dir.path().join("messages");
    let label = log.to_string_lossy().into_owned();
    append_lines(&log, 60);
    let mut store = HistoryStore::open(&db).unwrap();

    let fp = fingerprint(&log).unwrap();
    assert_eq!(store.plan(&fp).unwrap(), ReadPlan::Whole);
    let scan = with_evidence(
        detect(
            "d1",
            DetectKind::PortScan,
            "2000-03-15T20:54:07+00:00",
            &["192.168.10.55"],
            &[1025, 1118, 1163],
        ),
        &label,
        &[1, 2, 3],
    );
    let day = date(2000, 3, 15);
    let counts = vec![SourceDay::from(("192.168.10.55".to_string(), day, 60))];
    let first_end = ReadPosition {
        byte_offset: line_len(60),
        line: 60,
    };
    let run = store.begin_run("picket test");
    let batch = InputBatch {
        label: &label,
        fingerprint: Some(&fp),
        start: ReadPosition::START,
        end: first_end,
        detects: &[&scan],
        source_days: &counts,
    };
    let StoreOutcome::Stored(stored) = store.store_input(&run, &batch).unwrap() else {
        panic!("first read must be stored");
    };
    assert_eq!(
        (stored.new_detects, stored.evidence, stored.source_days),
        (1, 3, 1)
    );

    // Read again unchanged: the plan skips it, and storing it anyway adds nothing.
    let again = fingerprint(&log).unwrap();
    assert_eq!(store.plan(&again).unwrap(), ReadPlan::Skip);
    let run2 = store.begin_run("picket test");
    let batch2 = InputBatch {
        fingerprint: Some(&again),
        ..batch
    };
    assert_eq!(
        store.store_input(&run2, &batch2).unwrap(),
        StoreOutcome::AlreadyStored
    );
    let record = store.source_record("192.168.10.55").unwrap();
    assert_eq!(
        (
            record.summary.days_seen,
            record.summary.packets,
            record.summary.detects_seen
        ),
        (1, 60, 1)
    );
    assert_eq!(
        number(&db, "SELECT COUNT(*) FROM runs"),
        1,
        "a skipped input leaves no run behind"
    );

    // Lines appended: read from where the first read stopped.
    append_lines(&log, 30);
    let grown = fingerprint(&log).unwrap();
    assert_eq!(
        store.plan(&grown).unwrap(),
        ReadPlan::From {
            byte_offset: line_len(60),
            line: 60
        }
    );
    let sweep = with_evidence(
        detect(
            "d2",
            DetectKind::HostSweep,
            "2000-03-16T09:00:00+00:00",
            &["192.168.10.55"],
            &[1025],
        ),
        &label,
        &[61, 62],
    );
    let new_counts = vec![SourceDay::from((
        "192.168.10.55".to_string(),
        date(2000, 3, 16),
        30,
    ))];
    let run3 = store.begin_run("picket test");
    let appended = InputBatch {
        label: &label,
        fingerprint: Some(&grown),
        start: ReadPosition {
            byte_offset: line_len(60),
            line: 60,
        },
        end: ReadPosition {
            byte_offset: line_len(90),
            line: 90,
        },
        detects: &[&sweep],
        source_days: &new_counts,
    };
    assert!(matches!(
        store.store_input(&run3, &appended).unwrap(),
        StoreOutcome::Stored(_)
    ));
    assert_eq!(
        store.store_input(&run3, &appended).unwrap(),
        StoreOutcome::AlreadyStored
    );
    let after = fingerprint(&log).unwrap();
    assert_eq!(store.plan(&after).unwrap(), ReadPlan::Skip);

    let record = store.source_record("192.168.10.55").unwrap();
    assert_eq!(record.summary.days_seen, 2);
    assert_eq!(record.summary.packets, 90, "60 + 30, each counted once");
    assert_eq!(record.summary.detects_seen, 2);
    assert_eq!(store.recent_detects(None, 10).unwrap().total, 2);
    assert_eq!(number(&db, "SELECT COUNT(*) FROM evidence"), 5);
    assert_eq!(number(&db, "SELECT COUNT(*) FROM inputs"), 1);
}

#[test]
fn rotated_renamed_and_truncated_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let log = dir.path().join("messages");
    let label = log.to_string_lossy().into_owned();
    append_lines(&log, 100);
    let mut store = HistoryStore::open(&db).unwrap();
    let fp = fingerprint(&log).unwrap();
    let run = store.begin_run("picket test");
    let batch = InputBatch {
        label: &label,
        fingerprint: Some(&fp),
        start: ReadPosition::START,
        end: ReadPosition {
            byte_offset: fp.size(),
            line: 100,
        },
        detects: &[],
        source_days: &[],
    };
    store.store_input(&run, &batch).unwrap();

    // Renamed by log rotation: same device, inode and start under a new name.
    let rotated = dir.path().join("messages.1");
    std::fs::rename(&log, &rotated).unwrap();
    assert_eq!(
        store.plan(&fingerprint(&rotated).unwrap()).unwrap(),
        ReadPlan::Skip
    );

    // A new file at the old path starts differently: read whole.
    std::fs::write(&log, "Mar 16 00:00:01 linux kernel: [1.0] DROP IN=eth0 SRC=192.0.2.9 DST=192.168.10.1 PROTO=UDP SPT=53 DPT=33434\n").unwrap();
    assert_eq!(
        store.plan(&fingerprint(&log).unwrap()).unwrap(),
        ReadPlan::Whole
    );

    // A copy elsewhere with the same first 4 KiB is the same log.
    let copy = dir.path().join("copy-of-messages");
    std::fs::copy(&rotated, &copy).unwrap();
    assert_eq!(
        store.plan(&fingerprint(&copy).unwrap()).unwrap(),
        ReadPlan::Skip
    );

    // Truncated below the recorded position (copytruncate, then rewritten):
    // read whole.
    let bytes = std::fs::read(&rotated).unwrap();
    std::fs::write(&rotated, &bytes[..bytes.len() / 2]).unwrap();
    assert_eq!(
        store.plan(&fingerprint(&rotated).unwrap()).unwrap(),
        ReadPlan::Whole
    );
}

#[test]
fn a_detect_spanning_two_inputs_is_stored_once_with_evidence_in_each() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let (a, b) = (dir.path().join("fw-a.log"), dir.path().join("fw-b.log"));
    append_lines(&a, 10);
    append_lines(&b, 20);
    let (la, lb) = (
        a.to_string_lossy().into_owned(),
        b.to_string_lossy().into_owned(),
    );
    let mut d: Detect = detect(
        "d7",
        DetectKind::PortScan,
        "2000-03-15T20:54:07+00:00",
        &["192.168.10.55"],
        &[1025, 1118],
    );
    d = with_evidence(d, &la, &[1, 2]);
    d = with_evidence(d, &lb, &[5]);
    let mut store = HistoryStore::open(&db).unwrap();
    let run = store.begin_run("picket test");
    for (path, label, lines) in [(&a, &la, 10), (&b, &lb, 20)] {
        let fp = fingerprint(path).unwrap();
        let outcome = store
            .store_input(
                &run,
                &InputBatch {
                    label,
                    fingerprint: Some(&fp),
                    start: ReadPosition::START,
                    end: ReadPosition {
                        byte_offset: fp.size(),
                        line: lines,
                    },
                    detects: &[&d],
                    source_days: &[],
                },
            )
            .unwrap();
        let StoreOutcome::Stored(counts) = outcome else {
            panic!("stored")
        };
        assert_eq!(counts.new_detects + counts.known_detects, 1);
    }
    assert_eq!(number(&db, "SELECT COUNT(*) FROM detects"), 1);
    assert_eq!(number(&db, "SELECT COUNT(DISTINCT input) FROM evidence"), 2);
    assert_eq!(number(&db, "SELECT COUNT(*) FROM evidence"), 3);
    assert_eq!(
        number(
            &db,
            "SELECT detects FROM source_days WHERE source = '192.168.10.55'"
        ),
        1,
        "the detect counts once for its source and day"
    );
}
