//! Real logs from public projects (tests/fixtures/samples): every packet
//! line is read, and the scans psad reports come out.

use serde_json::Value;

use crate::util::{analyze_json, detects, fixture, root, strings};

/// Every sample file whose lines are all packet logs.
const PACKET_LOGS: [&str; 30] = [
    "psad/iptables_ack_scan_1000_1150",
    "psad/iptables_fin_scan_1000_1150",
    "psad/iptables_fwknop_spa_pkt",
    "psad/iptables_invalid_icmp_type_code",
    "psad/iptables_ipv4_igmp",
    "psad/iptables_ipv4_valid_ping",
    "psad/iptables_ipv6_invalid_icmp6_type_code",
    "psad/iptables_ipv6_ms_sql_server_sig_match",
    "psad/iptables_ipv6_ping_scan",
    "psad/iptables_ipv6_tcp_connect_nmap_default_scan",
    "psad/iptables_mirai_default_credentials_scan",
    "psad/iptables_ms_sql_server_sig_match",
    "psad/iptables_null_scan_1000_1150",
    "psad/iptables_proto_scan",
    "psad/iptables_reputation_scan",
    "psad/iptables_syn_scan_1000_1500",
    "psad/iptables_syn_scan_1000_1500_localhost",
    "psad/iptables_syn_scan_1000_1500_multi_dst",
    "psad/iptables_syn_scan_1000_1500_zeroip",
    "psad/iptables_syn_sweep",
    "psad/iptables_syslog_time_fmt1.log",
    "psad/iptables_topera_ipv6_syn_scan_no_ip_opts",
    "psad/iptables_topera_ipv6_syn_scan_with_ip_opts",
    "psad/iptables_udp_scan_1000_1150",
    "psad/iptables_xmas_scan_1000_1150",
    "psad/pf_syn_scan_1100_1500",
    "elastic/iptables_test-iptables-raw.log",
    "ipchains/lkml_ipchains_excerpts.log",
    "elastic/snort_test-log-fast.log",
    "elastic/snort_test-log-full.log",
];

fn non_blank_lines(path: &str) -> u64 {
    let bytes = std::fs::read(root().join(path)).unwrap();
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
        .count() as u64
}

#[test]
fn every_sample_packet_line_is_read() {
    for name in PACKET_LOGS {
        let path = fixture(&format!("samples/{name}"));
        let report = analyze_json(std::slice::from_ref(&path), false);
        let input = &report["inputs"][0];
        assert_eq!(input["unrecognized"], 0, "{name}: {input:#}");
        assert!(
            input["lines"].as_u64().unwrap() >= non_blank_lines(&path),
            "{name}"
        );
        if !name.contains("full") {
            assert_eq!(
                input["records"].as_u64().unwrap(),
                non_blank_lines(&path),
                "{name}: one record per line"
            );
        }
    }
}

#[test]
fn snort_full_samples_read_every_record() {
    for (name, records) in [
        ("snort/securitywing_alert.full", 6),
        ("elastic/snort_test-log-full.log", 7),
    ] {
        let path = fixture(&format!("samples/{name}"));
        let report = analyze_json(&[path], false);
        assert_eq!(report["inputs"][0]["records"], records, "{name}");
        assert_eq!(report["inputs"][0]["unrecognized"], 0, "{name}");
    }
}

fn single_scan(name: &str) -> Value {
    let report = analyze_json(&[fixture(&format!("samples/psad/{name}"))], false);
    let scans: Vec<&Value> = detects(&report)
        .iter()
        .filter(|d| d["scan_type"].is_string())
        .collect();
    assert_eq!(
        scans.len(),
        1,
        "{name}: one scan in {:#}",
        report["detects"]
    );
    scans[0].clone()
}

#[test]
fn psad_scans_are_recognised_with_their_technique() {
    for (name, kind, scan, packets) in [
        ("iptables_syn_scan_1000_1500", "port-scan", "syn", 1002),
        ("iptables_fin_scan_1000_1150", "port-scan", "fin", 302),
        ("iptables_xmas_scan_1000_1150", "port-scan", "xmas", 302),
        ("iptables_null_scan_1000_1150", "port-scan", "null", 302),
        ("iptables_ack_scan_1000_1150", "port-scan", "ack", 302),
        ("iptables_udp_scan_1000_1150", "port-scan", "udp", 302),
        ("iptables_proto_scan", "port-scan", "ip-protocol", 510),
        (
            "iptables_syn_scan_1000_1500_multi_dst",
            "block-scan",
            "syn",
            4008,
        ),
        ("iptables_syn_sweep", "host-sweep", "syn", 12),
    ] {
        let d = single_scan(name);
        assert_eq!(d["kind"], kind, "{name}");
        assert_eq!(d["scan_type"], scan, "{name}");
        assert_eq!(d["packets"], packets, "{name}");
        assert_eq!(strings(&d["sources"]), vec!["192.168.10.55"], "{name}");
        assert_ne!(d["spoofed"], "likely", "{name}: a lab LAN is not forged");
    }
    let syn = single_scan("iptables_syn_scan_1000_1500");
    let ports = syn["target_ports"].as_array().unwrap();
    assert_eq!(ports.first().unwrap(), 1000);
    assert_eq!(ports.last().unwrap(), 1500);
}

#[test]
fn psad_ipv6_mirai_and_single_probes() {
    let d = single_scan("iptables_ipv6_tcp_connect_nmap_default_scan");
    assert_eq!(
        (d["kind"].as_str(), d["scan_type"].as_str()),
        (Some("port-scan"), Some("connect"))
    );
    assert_ne!(
        d["spoofed"], "likely",
        "a lab prefix talking to itself is not forged"
    );
    for name in [
        "iptables_topera_ipv6_syn_scan_no_ip_opts",
        "iptables_topera_ipv6_syn_scan_with_ip_opts",
    ] {
        let d = single_scan(name);
        assert_eq!(
            (d["kind"].as_str(), d["scan_type"].as_str()),
            (Some("port-scan"), Some("syn")),
            "{name}"
        );
        assert_eq!(strings(&d["sources"]), vec!["2012:1234:1234::1"]);
    }
    let report = analyze_json(
        &[fixture(
            "samples/psad/iptables_mirai_default_credentials_scan",
        )],
        false,
    );
    let mirai = &detects(&report)[0];
    assert_eq!(mirai["kind"], "worm");
    assert_eq!(mirai["packets"], 11);
    assert!(mirai["title"].as_str().unwrap().contains("Mirai"));
    let report = analyze_json(
        &[fixture("samples/psad/iptables_ms_sql_server_sig_match")],
        false,
    );
    assert!(
        detects(&report)
            .iter()
            .any(|d| d["target_ports"] == serde_json::json!([1433])
                && d["intent"].as_str().unwrap().contains("SQL"))
    );
    let report = analyze_json(
        &[fixture(
            "samples/psad/iptables_syn_scan_1000_1500_localhost",
        )],
        false,
    );
    assert_eq!(
        detects(&report)[0]["spoofed"],
        "likely",
        "127.0.0.1 arriving on eth1 is forged"
    );
}

/// Every sample file of every format, captures and compressed files
/// included (README, licence and expected-result files aside).
fn every_sample() -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let base = root().join("tests/fixtures/samples");
    let mut files = Vec::new();
    walk(&base, &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_lowercase();
            !(name.ends_with(".md")
                || name.starts_with("license")
                || name.starts_with("baseline_")
                || name.ends_with(".zeek")
                || name.ends_with(".cfg")
                || name.ends_with(".seed"))
        })
        .map(|p| {
            p.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn at_least_99_percent_of_every_sample_is_recognised() {
    let files = every_sample();
    assert!(files.len() >= 45, "{} sample files", files.len());
    for file in files {
        let report = analyze_json(std::slice::from_ref(&file), false);
        let input = &report["inputs"][0];
        let records = input["records"].as_u64().unwrap();
        let skipped = input["skipped"].as_u64().unwrap();
        let unrecognized = input["unrecognized"].as_u64().unwrap();
        let understood = records + skipped;
        assert!(records > 0, "{file}: no packet read: {input:#}");
        // Lines of other programs kept in the vendor samples on purpose (an
        // OSPF message, daemon lines, a FortiManager line): no packet logs.
        let not_packets: u64 = match file.rsplit('/').next().unwrap_or("") {
            "cisco_ios.log" | "filterlog.log" => 2,
            "fortigate.log" => 1,
            _ => 0,
        };
        assert_eq!(unrecognized, not_packets, "{file}: {input:#}");
        let packet_lines = understood + unrecognized - not_packets;
        assert!(
            (unrecognized - not_packets) * 100 <= packet_lines,
            "{file}: more than 1% of packet lines unrecognized: {input:#}"
        );
    }
}

#[test]
fn the_large_suricata_file_is_read_whole_and_its_ssh_scanners_reported() {
    let report = analyze_json(&[fixture("samples/suricata_eve/eve_large.json.bz2")], false);
    let input = &report["inputs"][0];
    assert_eq!(
        input["lines"], 40_231,
        "every event of the bzip2 file: {input:#}"
    );
    assert_eq!(input["unrecognized"], 0);
    assert_eq!(input["records"], 15_831);
    let ssh: Vec<&Value> = detects(&report)
        .iter()
        .filter(|d| {
            d["target_ports"] == serde_json::json!([22]) && d["packets"].as_u64().unwrap() >= 100
        })
        .collect();
    assert!(ssh.len() >= 10, "the busy SSH sources: {}", ssh.len());
    let top = ssh
        .iter()
        .find(|d| strings(&d["sources"]) == vec!["180.101.88.221"])
        .expect("the busiest SSH source is reported");
    assert!(
        top["technique"]
            .as_str()
            .unwrap()
            .contains("password guessing")
    );
    assert!(top["intent"].as_str().unwrap().contains("SSH"));
    assert!(
        top["observations"]
            .to_string()
            .contains("ET SCAN Potential SSH Scan"),
        "the IDS's own verdict is kept as evidence"
    );
    assert_ne!(top["severity"]["level"], "none");
}
