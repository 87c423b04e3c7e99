//! The JSON report is a contract (docs/detect-json.md): every field, only
//! the documented vocabularies.

use serde_json::Value;

use crate::util::{all_paper, analyze_json, detects, fixture};

const KINDS: [&str; 12] = [
    "port-scan",
    "host-sweep",
    "block-scan",
    "trojan-probe",
    "service-probe",
    "worm",
    "flood",
    "backscatter",
    "misconfiguration",
    "authorized-scan",
    "compromise",
    "alert",
];
const SCAN_TYPES: [&str; 12] = [
    "syn",
    "connect",
    "fin",
    "null",
    "xmas",
    "ack",
    "maimon",
    "window",
    "udp",
    "icmp-echo",
    "ip-protocol",
    "mixed",
];
const LEVELS: [&str; 5] = ["none", "low", "medium", "high", "critical"];
const SPOOFED: [&str; 3] = ["likely", "possible", "unlikely"];

fn is_rfc3339(s: &str) -> bool {
    s.parse::<jiff::Timestamp>().is_ok()
        && (s.ends_with("+00:00") || s.contains('+') || s.rfind('-').is_some_and(|i| i > 10))
}

fn check_contract(report: &Value) {
    assert_eq!(report["schema"], 1);
    assert!(report["generator"].as_str().unwrap().starts_with("picket "));
    for input in report["inputs"].as_array().expect("inputs") {
        assert!(input["path"].is_string());
        assert!(input["format"].is_string());
        for field in ["lines", "records", "unrecognized", "warnings"] {
            assert!(input[field].is_u64(), "inputs[].{field}");
        }
    }
    for field in ["records", "packets", "detects"] {
        assert!(report["summary"][field].is_u64(), "summary.{field}");
    }
    let list = detects(report);
    assert_eq!(
        report["summary"]["detects"].as_u64().unwrap() as usize,
        list.len()
    );
    let mut last_level = usize::MAX;
    for d in list {
        for field in [
            "id",
            "first_seen",
            "last_seen",
            "active_targeting",
            "intent",
            "technique",
            "history",
            "identity",
        ] {
            assert!(d[field].is_string(), "{field} is a string in {d:#}");
        }
        for field in [
            "sensors",
            "sources",
            "targets",
            "protocols",
            "recommendations",
            "observations",
        ] {
            let arr = d[field]
                .as_array()
                .unwrap_or_else(|| panic!("{field} is an array"));
            assert!(arr.iter().all(Value::is_string), "{field} holds strings");
        }
        assert!(
            is_rfc3339(d["first_seen"].as_str().unwrap()),
            "{}",
            d["first_seen"]
        );
        assert!(is_rfc3339(d["last_seen"].as_str().unwrap()));
        let ports: Vec<u64> = d["target_ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_u64().unwrap())
            .collect();
        let mut sorted = ports.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ports, sorted, "target_ports sorted and distinct");
        assert!(ports.iter().all(|p| *p <= 65535));
        assert!(d["packets"].as_u64().unwrap() >= 1);
        assert!(
            KINDS.contains(&d["kind"].as_str().unwrap()),
            "kind {}",
            d["kind"]
        );
        assert!(d["scan_type"].is_null() || SCAN_TYPES.contains(&d["scan_type"].as_str().unwrap()));
        assert!(SPOOFED.contains(&d["spoofed"].as_str().unwrap()));
        let sev = &d["severity"];
        let mut values = [0i64; 4];
        for (i, field) in [
            "criticality",
            "lethality",
            "system_countermeasures",
            "network_countermeasures",
        ]
        .iter()
        .enumerate()
        {
            let v = sev[field]
                .as_i64()
                .unwrap_or_else(|| panic!("severity.{field}"));
            assert!((1..=5).contains(&v), "severity.{field} = {v}");
            values[i] = v;
        }
        assert_eq!(
            sev["score"].as_i64().unwrap(),
            (values[0] + values[1]) - (values[2] + values[3])
        );
        let level = LEVELS
            .iter()
            .position(|l| *l == sev["level"].as_str().unwrap())
            .expect("level vocabulary");
        assert!(level <= last_level, "most severe first");
        last_level = level;
        for e in d["evidence"].as_array().unwrap() {
            assert!(e["path"].is_string());
            assert!(e["line"].as_u64().unwrap() >= 1);
        }
        assert!(
            !d["evidence"].as_array().unwrap().is_empty(),
            "every detect is backed by lines"
        );
    }
}

#[test]
fn paper_report_keeps_the_json_contract() {
    check_contract(&analyze_json(&all_paper(), true));
    check_contract(&analyze_json(&all_paper(), false));
}

#[test]
fn sample_report_keeps_the_json_contract() {
    let files: Vec<String> = [
        "samples/psad/iptables_syn_scan_1000_1500",
        "samples/psad/iptables_proto_scan",
        "samples/psad/iptables_ipv6_tcp_connect_nmap_default_scan",
        "samples/elastic/iptables_test-iptables-raw.log",
        "samples/elastic/snort_test-log-full.log",
        "samples/elastic/snort_test-log-fast.log",
        "samples/snort/securitywing_alert.full",
        "samples/ipchains/lkml_ipchains_excerpts.log",
        "samples/psad/pf_syn_scan_1100_1500",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    check_contract(&analyze_json(&files, false));
}

#[test]
fn ids_are_stable_for_the_same_input() {
    let a = analyze_json(&all_paper(), false);
    let b = analyze_json(&all_paper(), false);
    let ids = |r: &Value| -> Vec<String> {
        detects(r)
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&a), ids(&b));
    let mut unique = ids(&a);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids(&a).len(), "ids are distinct");
}
