//! Inputs beyond one plain file: compressed logs, standard input, directories,
//! rotated sets read oldest first, and packet captures analysed end to end.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::util::{analyze_json, detects, fixture, from, root, run, strings};

/// The psad Xmas scan log, and the same bytes compressed by the standard tools
/// (tests/fixtures/compressed/README.md).
const PLAIN: &str = "samples/psad/iptables_xmas_scan_1000_1150";
const COMPRESSED: [&str; 6] = [
    "compressed/xmas.log.gz",
    "compressed/xmas.log.bz2",
    "compressed/xmas.log.zst",
    "compressed/xmas.log.xz",
    "compressed/xmas-two-members.log.gz",
    "compressed/xmas-two-frames.log.zst",
];

/// The report's detects as JSON text.
fn detects_json(report: &Value) -> String {
    serde_json::to_string(&report["detects"]).unwrap()
}

/// The report's detects as JSON text, with one input's name replaced by
/// another's, so that two runs over the same log compare equal.
fn detects_text(report: &Value, name: &str, as_name: &str) -> String {
    detects_json(report).replace(name, as_name)
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Runs picket with `list`, expecting a JSON report on standard output;
/// returns the report and the exit status.
fn report_of(list: &[String], stdin: Option<&[u8]>) -> (Value, Option<i32>) {
    let out = run(list, stdin);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.code())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn every_compression_gives_the_same_detects_as_the_plain_log() {
    let plain_name = fixture(PLAIN);
    let plain = analyze_json(std::slice::from_ref(&plain_name), false);
    assert_eq!(plain["inputs"][0]["records"], 302);
    let expected = detects_json(&plain);
    assert!(!detects(&plain).is_empty());
    for name in COMPRESSED {
        let path = fixture(name);
        let report = analyze_json(std::slice::from_ref(&path), false);
        let input = &report["inputs"][0];
        assert_eq!(input["records"], 302, "{name}: {input:#}");
        assert_eq!(input["lines"], 302, "{name}");
        assert_eq!(input["format"], "netfilter", "{name}");
        assert!(input["error"].is_null(), "{name}");
        assert_eq!(
            detects_text(&report, &path, &plain_name),
            expected,
            "{name}"
        );
    }
}

#[test]
fn a_cut_gzip_gives_its_decoded_part_a_report_and_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(root().join(fixture("compressed/xmas.log.gz"))).unwrap();
    let cut = dir.path().join("xmas.log.gz");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let cut_name = cut.display().to_string();
    let (report, status) = report_of(
        &args(&[
            "analyze", "--format", "json", "--year", "2000", "--tz", "UTC", &cut_name,
        ]),
        None,
    );
    assert_eq!(status, Some(2), "a damaged input is trouble");
    let input = &report["inputs"][0];
    let lines = input["lines"].as_u64().unwrap();
    assert!(lines > 20 && lines < 302, "{input:#}");
    assert_eq!(
        input["records"].as_u64(),
        Some(lines),
        "every decoded line read"
    );
    assert_eq!(input["warnings"], 1);
    let error = input["error"].as_str().expect("the error is recorded");
    assert!(error.starts_with("gzip stream ends early"), "{error}");
    assert!(
        !from(&report, "192.168.10.55").is_empty(),
        "the decoded part is analysed"
    );
}

#[test]
fn gzip_on_standard_input() {
    let bytes = std::fs::read(root().join(fixture("compressed/xmas.log.gz"))).unwrap();
    let (report, status) = report_of(
        &args(&[
            "analyze", "--format", "json", "--year", "2000", "--tz", "UTC", "-",
        ]),
        Some(&bytes),
    );
    assert_eq!(status, Some(0));
    assert_eq!(report["inputs"][0]["path"], "-");
    assert_eq!(report["inputs"][0]["records"], 302);
    let plain_name = fixture(PLAIN);
    let plain = analyze_json(std::slice::from_ref(&plain_name), false);
    assert_eq!(
        detects_text(
            &report,
            "\"path\":\"-\"",
            &format!("\"path\":\"{plain_name}\"")
        ),
        detects_json(&plain),
        "evidence is read back from the decompressed spool"
    );
}

/// A netfilter DROP line of a SYN to `port` from 203.0.113.9, at `stamp`
/// (`Dec 31 23:59:50`).
fn syn_line(stamp: &str, port: u16) -> String {
    format!(
        "{stamp} fw kernel: DROP IN=eth0 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:08:00 \
         SRC=203.0.113.9 DST=192.168.10.1 LEN=40 TOS=0x00 PREC=0x00 TTL=44 ID={port} PROTO=TCP \
         SPT=43347 DPT={port} WINDOW=1024 RES=0x00 SYN URGP=0\n"
    )
}

/// Writes a rotated set spanning New Year into `dir`: `fw.log.2.gz` and
/// `fw.log.1` in December, `fw.log` in January, each dated as logrotate
/// leaves it.
fn write_rotated_set(dir: &Path) {
    let lines = |minute: &str, ports: std::ops::Range<u16>| -> String {
        ports
            .enumerate()
            .map(|(i, port)| syn_line(&format!("{minute}:{:02}", 10 + i), port))
            .collect()
    };
    let oldest = lines("Dec 31 23:58", 1..8);
    let middle = lines("Dec 31 23:59", 8..16);
    let newest = lines("Jan  1 00:00", 16..24);
    let files = [
        (
            "fw.log.2.gz",
            gzip(oldest.as_bytes()),
            "2023-12-31T23:58:59Z",
        ),
        ("fw.log.1", middle.into_bytes(), "2023-12-31T23:59:59Z"),
        ("fw.log", newest.into_bytes(), "2024-01-01T00:00:59Z"),
    ];
    for (name, bytes, modified) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let when: jiff::Timestamp = modified.parse().unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        let seconds = std::time::Duration::from_secs(when.as_second() as u64);
        file.set_modified(std::time::UNIX_EPOCH + seconds).unwrap();
    }
}

fn paths(report: &Value) -> Vec<String> {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_rotated_set_named_in_any_order_is_read_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    write_rotated_set(dir.path());
    let name = |f: &str| dir.path().join(f).display().to_string();
    let oldest_first = vec![name("fw.log.2.gz"), name("fw.log.1"), name("fw.log")];
    for order in [
        [name("fw.log"), name("fw.log.1"), name("fw.log.2.gz")],
        [name("fw.log.1"), name("fw.log"), name("fw.log.2.gz")],
    ] {
        // With --year, the year runs forward through the set: December of
        // the year given, then January of the next.
        let mut list = args(&[
            "analyze", "--format", "json", "--year", "2023", "--tz", "UTC",
        ]);
        list.extend(order.iter().cloned());
        let (report, status) = report_of(&list, None);
        assert_eq!(status, Some(0));
        assert_eq!(paths(&report), oldest_first);
        let scans = from(&report, "203.0.113.9");
        assert_eq!(scans.len(), 1, "one scan across the set");
        assert_eq!(scans[0]["first_seen"], "2023-12-31T23:58:10+00:00");
        assert_eq!(scans[0]["last_seen"], "2024-01-01T00:00:17+00:00");
        assert_eq!(scans[0]["target_ports"].as_array().unwrap().len(), 23);
    }
    // Without --year, each piece is dated by its modification time.
    let mut list = args(&["analyze", "--format", "json", "--tz", "UTC"]);
    list.push(dir.path().display().to_string());
    let (report, _) = report_of(&list, None);
    assert_eq!(paths(&report), oldest_first);
    let scans = from(&report, "203.0.113.9");
    assert_eq!(scans[0]["first_seen"], "2023-12-31T23:58:10+00:00");
    assert_eq!(scans[0]["last_seen"], "2024-01-01T00:00:17+00:00");
}

#[test]
fn a_directory_is_read_recursively() {
    let dir = tempfile::tempdir().unwrap();
    let root_dir = dir.path();
    std::fs::create_dir_all(root_dir.join("a")).unwrap();
    std::fs::create_dir_all(root_dir.join("b/deeper")).unwrap();
    std::fs::copy(root().join(fixture(PLAIN)), root_dir.join("a/xmas.log")).unwrap();
    std::fs::copy(
        root().join(fixture("compressed/xmas.log.bz2")),
        root_dir.join("b/deeper/xmas.log.bz2"),
    )
    .unwrap();
    std::fs::write(root_dir.join(".hidden"), "not a log\n").unwrap();
    std::fs::write(root_dir.join("fw.log"), syn_line("Jan  1 00:00:01", 80)).unwrap();
    std::fs::write(
        root_dir.join("fw.log-20231231"),
        syn_line("Dec 31 23:59:59", 81),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root_dir, root_dir.join("b/loop")).unwrap();
    let shown = root_dir.display().to_string();
    let (report, status) = report_of(
        &args(&[
            "analyze", "--format", "json", "--year", "2000", "--tz", "UTC", &shown,
        ]),
        None,
    );
    assert_eq!(status, Some(0));
    assert_eq!(
        paths(&report),
        vec![
            format!("{shown}/a/xmas.log"),
            format!("{shown}/b/deeper/xmas.log.bz2"),
            format!("{shown}/fw.log-20231231"),
            format!("{shown}/fw.log"),
        ]
    );
    let records: Vec<u64> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["records"].as_u64().unwrap())
        .collect();
    assert_eq!(records, vec![302, 302, 1, 1]);
    // Evidence names the file each packet came from.
    let scan = &from(&report, "192.168.10.55")[0];
    let cited: std::collections::BTreeSet<&str> = scan["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert!(cited.iter().all(|p| p.starts_with(&shown)), "{cited:?}");
}

const MASSCAN_TCP: &str =
    "samples/pcaps/esnet_curated/attacks_scanners_masscan_tcp_0_1000_20190821.pcap";

#[test]
fn masscan_tcp_capture_is_a_syn_scan_of_1001_ports() {
    let report = analyze_json(&[fixture(MASSCAN_TCP)], false);
    let input = &report["inputs"][0];
    assert_eq!(input["format"], "pcap");
    assert_eq!(
        (input["lines"].as_u64(), input["records"].as_u64()),
        (Some(1005), Some(1005))
    );
    let scans: Vec<&Value> = from(&report, "172.31.15.102")
        .into_iter()
        .filter(|d| d["kind"] == "port-scan")
        .collect();
    assert_eq!(scans.len(), 1, "{:#}", report["detects"]);
    let scan = scans[0];
    assert_eq!(scan["scan_type"], "syn");
    assert_eq!(strings(&scan["targets"]), vec!["198.124.152.15"]);
    let ports: Vec<u64> = scan["target_ports"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    assert_eq!(ports, (0..=1000).collect::<Vec<u64>>());
    assert_eq!(strings(&scan["sensors"]), vec!["pcap"]);
    assert_eq!(scan["first_seen"], "2019-08-21T18:16:47.841604+00:00");
    // Evidence from a capture is a summary of the packet, not its bytes.
    assert_eq!(scan["evidence"][0]["line"], 1);
    assert_eq!(
        scan["evidence"][0]["text"],
        "#1 172.31.15.102:51406 > 198.124.152.15:697 TCP [S] len 40"
    );
}

#[test]
fn a_gzipped_capture_reads_like_the_capture() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(root().join(fixture(MASSCAN_TCP))).unwrap();
    let packed = dir.path().join("masscan.pcap.gz");
    std::fs::write(&packed, gzip(&bytes)).unwrap();
    let packed_name = packed.display().to_string();
    let report = analyze_json(std::slice::from_ref(&packed_name), false);
    let plain = analyze_json(&[fixture(MASSCAN_TCP)], false);
    assert_eq!(report["inputs"][0]["format"], "pcap");
    assert_eq!(
        detects_text(&report, &packed_name, &fixture(MASSCAN_TCP)),
        detects_json(&plain)
    );
}

#[test]
fn masscan_udp_capture_is_a_udp_scan() {
    let report = analyze_json(
        &[fixture(
            "samples/pcaps/esnet_curated/attacks_scanners_masscan_udp_0_1000_20190821.pcap",
        )],
        false,
    );
    let scans = from(&report, "172.31.15.102");
    assert!(
        scans.iter().any(|d| d["kind"] == "port-scan"
            && d["scan_type"] == "udp"
            && d["target_ports"].as_array().unwrap().len() == 1001),
        "{:#}",
        report["detects"]
    );
}

/// Analyses one `ncsa_bro_simple_scan` capture with a site file naming the
/// networks its Zeek test names as `Site::local_nets`.
fn ncsa(capture: &str, home: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site.toml");
    let nets: Vec<String> = home.iter().map(|n| format!("{n:?}")).collect();
    std::fs::write(&site, format!("home_networks = [{}]\n", nets.join(", "))).unwrap();
    let site_name = site.display().to_string();
    let capture = fixture(&format!("samples/pcaps/ncsa_bro_simple_scan/{capture}"));
    let (report, status) = report_of(
        &args(&[
            "analyze", "--format", "json", "--tz", "UTC", "--site", &site_name, &capture,
        ]),
        None,
    );
    assert_eq!(status, Some(0));
    report
}

/// The detects from `source` whose kind is one of `kinds`.
fn of_kind<'a>(report: &'a Value, source: &str, kinds: &[&str]) -> Vec<&'a Value> {
    from(report, source)
        .into_iter()
        .filter(|d| kinds.iter().any(|k| d["kind"] == *k))
        .collect()
}

fn count(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

#[test]
fn ncsa_445_scan() {
    // Zeek: 176.192.150.3 scanned at least 9 unique hosts on port 445/tcp.
    let report = ncsa("pcaps_445_scan.pcap", &["192.168.0.0/16", "10.10.0.0/16"]);
    let sweeps = of_kind(&report, "176.192.150.3", &["host-sweep", "block-scan"]);
    assert_eq!(sweeps.len(), 1, "{:#}", report["detects"]);
    assert!(count(&sweeps[0]["targets"]) >= 9);
    assert_eq!(sweeps[0]["target_ports"], serde_json::json!([445]));
}

#[test]
fn ncsa_multiport_scan() {
    // Zeek: 125.27.226.209 scanned at least 5 unique hosts on ports #/tcp, #/tcp, #/tcp.
    let report = ncsa(
        "pcaps_multiport_scan.pcap",
        &["192.168.0.0/16", "10.10.0.0/16"],
    );
    let sweeps = of_kind(&report, "125.27.226.209", &["host-sweep", "block-scan"]);
    assert_eq!(sweeps.len(), 1, "{:#}", report["detects"]);
    assert!(count(&sweeps[0]["targets"]) >= 5);
    assert_eq!(sweeps[0]["target_ports"], serde_json::json!([80, 88, 8080]));
}

#[test]
fn ncsa_port_scan() {
    // Zeek: 192.168.2.154 scanned at least 5 unique ports on host 192.168.2.22.
    let report = ncsa("pcaps_port_scan.pcap", &["192.168.2.22/32"]);
    let scans = of_kind(&report, "192.168.2.154", &["port-scan"]);
    assert_eq!(scans.len(), 1, "{:#}", report["detects"]);
    assert_eq!(strings(&scans[0]["targets"]), vec!["192.168.2.22"]);
    assert!(count(&scans[0]["target_ports"]) >= 5);
}

#[test]
fn ncsa_scan_with_zero_windows() {
    // Zeek: 10.0.0.1 scanned at least 5 unique hosts on port 23/tcp.
    let report = ncsa("pcaps_scan_with_zero_windows.pcap", &["10.0.0.0/24"]);
    let sweeps = of_kind(&report, "10.0.0.1", &["host-sweep", "block-scan"]);
    assert_eq!(sweeps.len(), 1, "{:#}", report["detects"]);
    assert!(count(&sweeps[0]["targets"]) >= 5);
    assert_eq!(sweeps[0]["target_ports"], serde_json::json!([23]));
}

#[test]
fn ncsa_backscatter_is_backscatter_and_no_scan() {
    // Zeek raises no notice on this trace: SYN-ACKs and unreachables sent
    // to 192.150.0.0/16 in answer to packets forged in its name.
    let report = ncsa("pcaps_backscatter.trace", &["192.150.0.0/16"]);
    assert_eq!(report["inputs"][0]["records"], 4771);
    let kinds: Vec<&str> = detects(&report)
        .iter()
        .filter_map(|d| d["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"backscatter"), "{kinds:?}");
    for scan in ["port-scan", "host-sweep", "block-scan"] {
        assert!(!kinds.contains(&scan), "{kinds:?}");
    }
    assert!(
        !of_kind(&report, "202.229.120.98", &["backscatter"]).is_empty(),
        "the SYN-ACK flood's sender is the victim of the forgery"
    );
}
