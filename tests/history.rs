//! History across runs, through the real binary: the same file read twice
//! counts once, appended lines are read once, and a detect is related to an
//! earlier one through its network.

use std::io::Write;

use serde_json::Value;

use crate::util::{detects, root, run_with_data};

fn analyze(data: &std::path::Path, file: &std::path::Path) -> Value {
    let args: Vec<String> = [
        "analyze", "--format", "json", "--year", "2024", "--tz", "UTC",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([file.to_string_lossy().into_owned()])
    .collect();
    let out = run_with_data(&args, None, data);
    crate::util::assert_success(&out);
    assert!(
        out.stderr.is_empty() || !String::from_utf8_lossy(&out.stderr).contains("history"),
        "no history trouble: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn syn(second: u32, src: &str, port: u16) -> String {
    format!(
        "Mar  1 10:{:02}:{:02} fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC={src} DST=198.51.100.7 LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID={second} PROTO=TCP SPT=40000 DPT={port} WINDOW=1024 RES=0x00 SYN URGP=0\n",
        second / 60,
        second % 60
    )
}

/// Writes a 10-port SYN scan from `src` to `path`.
fn write_scan(path: &std::path::Path, src: &str) {
    let lines: String = (0..10).map(|i| syn(i, src, 1000 + i as u16)).collect();
    std::fs::write(path, lines).unwrap();
}

#[test]
fn the_same_file_twice_counts_once_and_says_seen_before() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fw.log");
    write_scan(&file, "203.0.113.9");
    let first = analyze(data.path(), &file);
    assert_eq!(detects(&first).len(), 1);
    assert!(
        detects(&first)[0]["history"]
            .as_str()
            .unwrap()
            .contains("new"),
        "{}",
        detects(&first)[0]["history"]
    );
    let second = analyze(data.path(), &file);
    assert_eq!(detects(&second).len(), 1, "the report is complete again");
    let history = detects(&second)[0]["history"].as_str().unwrap().to_string();
    assert!(history.contains("seen before"), "{history}");
    assert!(
        second["inputs"][0]["history"]
            .as_str()
            .unwrap()
            .contains("not counted again")
    );
    let out = run_with_data(
        &["history".into(), "--format".into(), "json".into()],
        None,
        data.path(),
    );
    let stored: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        stored["recent_detects"]["detects"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "stored once: {stored:#}"
    );
    let db = data.path().join("picket/history.db");
    assert!(db.exists(), "the default store is under XDG_DATA_HOME");
    let out = run_with_data(
        &[
            "history".into(),
            "203.0.113.9".into(),
            "--format".into(),
            "json".into(),
        ],
        None,
        data.path(),
    );
    crate::util::assert_success(&out);
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = record.to_string();
    assert!(text.contains("port-scan"), "{text}");
}

#[test]
fn appended_lines_are_read_once() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fw.log");
    std::fs::write(
        &file,
        (0..8)
            .map(|i| syn(i, "203.0.113.9", 1000 + i as u16))
            .collect::<String>(),
    )
    .unwrap();
    analyze(data.path(), &file);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    for i in 100..108 {
        f.write_all(syn(i, "192.0.2.44", 2000 + i as u16).as_bytes())
            .unwrap();
    }
    drop(f);
    let second = analyze(data.path(), &file);
    let input = &second["inputs"][0];
    assert_eq!(
        input["records"], 16,
        "the whole file is analysed: {input:#}"
    );
    assert!(
        input["history"].as_str().unwrap().contains("lines 1-8"),
        "{input:#}"
    );
    let list = detects(&second);
    assert_eq!(list.len(), 2);
    let new = list
        .iter()
        .find(|d| d["sources"][0] == "192.0.2.44")
        .unwrap();
    assert_eq!(new["evidence"][0]["line"], 9);
    assert!(
        new["history"].as_str().unwrap().contains("new source"),
        "{}",
        new["history"]
    );
    let out = run_with_data(
        &[
            "history".into(),
            "203.0.113.9".into(),
            "--format".into(),
            "json".into(),
        ],
        None,
        data.path(),
    );
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = record.to_string();
    assert!(
        text.contains("\"packets\":8"),
        "the old lines count once: {record:#}"
    );
}

#[test]
fn a_detect_is_related_to_an_earlier_one_through_its_network() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("monday.log");
    let b = dir.path().join("tuesday.log");
    write_scan(&a, "203.0.113.9");
    write_scan(&b, "203.0.113.77");
    analyze(data.path(), &a);
    let second = analyze(data.path(), &b);
    let history = detects(&second)[0]["history"].as_str().unwrap().to_string();
    assert!(history.contains("203.0.113"), "{history}");
    let _ = root();
}

#[test]
fn an_unusable_store_is_reported_and_the_report_still_printed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fw.log");
    write_scan(&file, "203.0.113.9");
    // A database path below a regular file can never be created.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "x").unwrap();
    let db = blocker.join("history.db");
    let args: Vec<String> = ["analyze", "--format", "json", "--year", "2024", "--db"]
        .iter()
        .map(|s| s.to_string())
        .chain([
            db.to_string_lossy().into_owned(),
            file.to_string_lossy().into_owned(),
        ])
        .collect();
    let out = run_with_data(&args, None, dir.path());
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("history store not used"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        detects(&report).len(),
        1,
        "the report is printed all the same"
    );
}

#[test]
fn prune_removes_what_is_older_than_the_age() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fw.log");
    write_scan(&file, "203.0.113.9");
    analyze(data.path(), &file);
    let prune = |age: &str| {
        let out = run_with_data(
            &[
                "history".into(),
                "prune".into(),
                "--older-than".into(),
                age.into(),
            ],
            None,
            data.path(),
        );
        crate::util::assert_success(&out);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The log is from 2024: a century-long age keeps it, one day removes it.
    assert!(
        prune("36500d").starts_with("Removed 0 detects"),
        "{}",
        prune("36500d")
    );
    assert!(
        prune("1d").starts_with("Removed 1 detect"),
        "{}",
        prune("1d")
    );
    let out = run_with_data(
        &["history".into(), "--format".into(), "json".into()],
        None,
        data.path(),
    );
    let stored: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        stored["recent_detects"]["detects"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let bad = run_with_data(
        &[
            "history".into(),
            "prune".into(),
            "--older-than".into(),
            "soon".into(),
        ],
        None,
        data.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
}
