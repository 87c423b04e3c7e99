//! Detects, log files and database checks shared by the history tests.

use std::io::Write;
use std::path::Path;

use picket_history::{HistoryStore, InputBatch, ReadPosition, RunId, SourceDay, StoreOutcome};
use picket_model::{Detect, DetectKind, EvidenceRef, ScanType, Severity, SeverityLevel, Spoofed};

/// Lines of psad's `iptables_syn_scan_1000_1500` test log (the sample folder),
/// the kind of input picket fingerprints.
pub const SYN_SCAN_LINES: [&str; 3] = [
    "Mar 15 20:54:07 linux kernel: [810226.707064] DROP IN=eth0 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=52 ID=30146 PROTO=TCP SPT=47311 DPT=1025 WINDOW=1024 RES=0x00 SYN URGP=0 \n",
    "Mar 15 20:54:07 linux kernel: [810226.707123] DROP IN=eth0 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=47 ID=41307 PROTO=TCP SPT=47311 DPT=1163 WINDOW=4096 RES=0x00 SYN URGP=0 \n",
    "Mar 15 20:54:07 linux kernel: [810226.707186] DROP IN=eth0 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=59 ID=64411 PROTO=TCP SPT=47311 DPT=1118 WINDOW=1024 RES=0x00 SYN URGP=0 \n",
];

/// Appends `count` log lines to `path` (created when missing).
pub fn append_lines(path: &Path, count: usize) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    for i in 0..count {
        file.write_all(SYN_SCAN_LINES[i % SYN_SCAN_LINES.len()].as_bytes())
            .unwrap();
    }
}

/// A detect with what the store keeps; the narrative fields are empty.
pub fn detect(
    id: &str,
    kind: DetectKind,
    first_seen: &str,
    sources: &[&str],
    ports: &[u16],
) -> Detect {
    Detect {
        id: id.to_string(),
        title: format!("{} from {}", kind.phrase(), sources.first().unwrap_or(&"")),
        first_seen: first_seen.to_string(),
        last_seen: first_seen.to_string(),
        sensors: vec!["netfilter".to_string()],
        sources: sources.iter().map(|s| s.to_string()).collect(),
        targets: vec!["192.168.10.1".to_string()],
        protocols: vec!["tcp".to_string()],
        target_ports: ports.to_vec(),
        packets: ports.len().max(1) as u64,
        kind,
        scan_type: (kind == DetectKind::PortScan).then_some(ScanType::Syn),
        spoofed: Spoofed::Unlikely,
        active_targeting: String::new(),
        intent: String::new(),
        technique: String::new(),
        history: String::new(),
        identity: String::new(),
        severity: Severity {
            criticality: 3,
            lethality: 2,
            system_countermeasures: 4,
            network_countermeasures: 4,
            score: -3,
            level: SeverityLevel::Low,
            reasons: vec![],
        },
        recommendations: vec![],
        observations: vec![],
        evidence: vec![],
        evidence_total: 0,
        related: vec![],
        tool_signature: None,
        sources_total: 0,
    }
}

/// The detect with evidence lines in the input `path`.
pub fn with_evidence(mut d: Detect, path: &str, lines: &[u64]) -> Detect {
    d.evidence.extend(lines.iter().map(|&line| EvidenceRef {
        path: path.to_string(),
        line,
        text: Some(format!("line {line}")),
    }));
    d.evidence_total = d.evidence.len() as u64;
    d
}

/// Stores `detects` as one unfingerprinted input of a new run.
pub fn store_run(
    store: &mut HistoryStore,
    label: &str,
    detects: &[Detect],
    days: &[SourceDay],
) -> RunId {
    let run = store.begin_run("picket test");
    let refs: Vec<&Detect> = detects.iter().collect();
    let batch = InputBatch {
        label,
        fingerprint: None,
        start: ReadPosition::START,
        end: ReadPosition::START,
        detects: &refs,
        source_days: days,
    };
    let outcome = store.store_input(&run, &batch).unwrap();
    assert!(matches!(outcome, StoreOutcome::Stored(_)));
    run
}

/// A raw connection for checks the API does not expose.
pub fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

/// `PRAGMA integrity_check` of the database.
pub fn integrity(path: &Path) -> String {
    raw(path)
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap()
}

/// One number from a query.
pub fn number(path: &Path, sql: &str) -> i64 {
    raw(path).query_row(sql, [], |row| row.get(0)).unwrap()
}
