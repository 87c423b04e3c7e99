//! Floods of unique sources through the real binary: each claimed source is
//! new, so every per-source structure grows with the flood. Both runs must
//! finish (a watchdog kills a hung run), keep their lists capped, and say
//! the right thing: one flood from forged sources, or background noise that
//! is never escalated.

use std::collections::BTreeSet;
use std::path::Path;

use crate::crashes::analyze_watched;
use crate::util::{XorShift, detects, run, strings};

/// `lines` SYNs to `target` port 80, each from a new random source,
/// `per_second` of them each second from 10:00:00. Returns the log and the
/// distinct sources in it.
fn unique_sources(lines: u32, per_second: u32, target: &str) -> (String, BTreeSet<String>) {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut text = String::with_capacity(lines as usize * 220);
    let mut sources = BTreeSet::new();
    for i in 0..lines {
        let second = i / per_second;
        let (h, m, s) = (10 + second / 3600, (second / 60) % 60, second % 60);
        let src = rng.address();
        let ttl = 240 + rng.next() % 3;
        let (id, sport) = (rng.next() % 65536, 1024 + rng.next() % 60000);
        text += &format!(
            "Mar  1 {h:02}:{m:02}:{s:02} fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC={src} DST={target} LEN=40 TOS=0x00 PREC=0x00 TTL={ttl} ID={id} PROTO=TCP SPT={sport} DPT=80 WINDOW=512 RES=0x00 SYN URGP=0\n"
        );
        sources.insert(src);
    }
    (text, sources)
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn a_flood_of_100k_forged_sources_is_one_bounded_detect() {
    const LINES: u32 = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let (text, sources) = unique_sources(LINES, 10_000, "203.0.113.5");
    let file = write(dir.path(), "flood.log", &text);
    let (watched, report) = analyze_watched(Path::new(env!("CARGO_BIN_EXE_picket")), &file);
    eprintln!(
        "flood of {LINES} lines from {} sources: {:?}, peak {} MB",
        sources.len(),
        watched.took,
        watched.peak_kb / 1024
    );
    let found = detects(&report);
    assert_eq!(found.len(), 1, "one flood, not one detect per source");
    let flood = &found[0];
    assert_eq!(flood["kind"], "flood");
    assert_eq!(strings(&flood["targets"]), ["203.0.113.5"]);
    assert_eq!(flood["packets"], LINES);
    assert_eq!(flood["spoofed"], "likely", "TTLs agree across the sources");
    assert_eq!(flood["sources_total"], sources.len() as u64);
    let listed = flood["sources"].as_array().unwrap().len();
    assert!(listed <= 1000, "the sources list is capped: {listed}");
    assert_eq!(flood["evidence_total"], LINES);
    assert!(flood["evidence"].as_array().unwrap().len() <= 50);
    let observations = flood["observations"].as_array().unwrap();
    assert!(
        observations.len() < 40,
        "observations do not grow with the sources: {}",
        observations.len()
    );
    let all_text: usize = ["identity", "technique", "intent", "active_targeting"]
        .iter()
        .map(|f| flood[*f].as_str().unwrap().len())
        .sum::<usize>()
        + observations
            .iter()
            .map(|o| o.as_str().unwrap().len())
            .sum::<usize>();
    assert!(
        all_text < 8000,
        "the write-up stays readable: {all_text} bytes"
    );
}

/// The text report of `file`.
fn text_report(file: &Path) -> String {
    let out = run(
        &[
            "analyze".into(),
            "--no-history".into(),
            "--year".into(),
            "2024".into(),
            file.display().to_string(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn fifty_thousand_single_probes_stay_low_and_grouped() {
    const LINES: u32 = 50_000;
    let dir = tempfile::tempdir().unwrap();
    // One probe every two seconds from a new source: noise, not a flood.
    let (text, sources) = unique_sources(LINES, 1, "203.0.113.5");
    let text: String = text.lines().step_by(2).map(|l| format!("{l}\n")).collect();
    let file = write(dir.path(), "noise.log", &text);
    let (_, report) = analyze_watched(Path::new(env!("CARGO_BIN_EXE_picket")), &file);
    let found = detects(&report);
    assert!(found.len() > sources.len() / 3, "{} detects", found.len());
    for d in found {
        let level = d["severity"]["level"].as_str().unwrap();
        assert!(matches!(level, "none" | "low"), "escalated: {d}");
        assert!(d["scan_type"].is_null(), "not a scan: {d}");
        // Forged sources (loopback, say) probing within a minute of each
        // other may be read as one actor; each still sent one probe.
        assert!(
            d["packets"].as_u64().unwrap() <= 2 * d["sources_total"].as_u64().unwrap(),
            "one or two probes per source: {d}"
        );
    }
    let text = text_report(&file);
    let lines = text.lines().count();
    assert!(lines < 100, "{lines} lines of report for background noise");
    assert!(text.contains("sources probed 80/tcp"), "{text}");
}

#[test]
fn past_the_tracking_limits_scans_stay_whole_and_every_packet_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let site = write(
        dir.path(),
        "site.toml",
        "[thresholds]\nmax_sources = 200\nmax_kept_packets = 20000\n",
    );
    let line = |second: u32, src: &str, dport: u32| {
        let (h, m, s) = (10 + second / 3600, (second / 60) % 60, second % 60);
        format!(
            "Mar  1 {h:02}:{m:02}:{s:02} fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC={src} DST=203.0.113.5 LEN=40 TOS=0x00 PREC=0x00 TTL=50 ID=1 PROTO=TCP SPT=40000 DPT={dport} WINDOW=512 RES=0x00 SYN URGP=0\n"
        )
    };
    let mut text = String::new();
    // Two hours of noise from 3,000 sources, one probe of 23/tcp each.
    for i in 0..3000 {
        text += &line(i * 2, &format!("100.64.{}.{}", i / 250, 1 + i % 250), 23);
    }
    // Then a port scan of 100 ports, long after the table filled.
    for port in 1..=100 {
        text += &line(6000, "192.0.2.66", port);
    }
    // And a flood of 2,000 one-packet sources in one second.
    let (flood, _) = unique_sources(2000, 2000, "203.0.113.5");
    let flood = flood.replace("Mar  1 10:00:00", "Mar  1 11:40:01");
    text += &flood;
    let records = 3000 + 100 + 2000;
    let file = write(dir.path(), "limits.log", &text);
    let args = |format: &str| -> Vec<String> {
        [
            "analyze",
            "--no-history",
            "--year",
            "2024",
            "--format",
            format,
            "--site",
            &site.display().to_string(),
            &file.display().to_string(),
        ]
        .map(String::from)
        .to_vec()
    };
    let out = run(&args("json"), None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("past the tracking limits"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = &report["summary"];
    assert!(
        summary["sources_beyond_limits"].as_u64().unwrap() > 1000,
        "{summary}"
    );
    let counted: u64 = detects(&report)
        .iter()
        .map(|d| d["packets"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, records, "every packet is in some detect");
    let charted: u64 = summary["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hour| hour["count"].as_u64().unwrap())
        .sum();
    assert_eq!(charted, records, "every packet is in the hourly chart");
    let scan = crate::util::from(&report, "192.0.2.66");
    assert_eq!(scan.len(), 1, "the scan is one detect");
    assert_eq!(scan[0]["kind"], "port-scan");
    assert_eq!(scan[0]["packets"], 100);
    let floods: Vec<_> = detects(&report)
        .iter()
        .filter(|d| d["kind"] == "flood")
        .collect();
    assert_eq!(floods.len(), 1, "one flood");
    assert!(floods[0]["packets"].as_u64().unwrap() >= 2000);
    for d in detects(&report) {
        if d["kind"] == "service-probe" {
            assert_eq!(d["severity"]["level"], "low", "noise stays low: {d}");
        }
    }
    let text = run(&args("text"), None);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("\nLimits: "), "{text}");
}
