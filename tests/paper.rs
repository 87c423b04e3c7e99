//! The ten detects of the 2000 GCIA paper: each folder alone and all ten at
//! once, with and without the site file, must reach the conclusions an
//! analyst reached (tests/fixtures/paper, see the samples README).

use serde_json::Value;

use crate::util::{all_paper, analyze_json, detects, from, observations, paper, strings};

/// Runs one folder (or every folder) with and without the site file and
/// checks `assert` on both reports.
fn both(files: Vec<String>, assert: impl Fn(&Value, bool)) {
    for site in [false, true] {
        let report = analyze_json(&files, site);
        assert(&report, site);
    }
}

fn only<'a>(report: &'a Value, source: &str) -> &'a Value {
    let found = from(report, source);
    assert_eq!(found.len(), 1, "one detect from {source}: {found:#?}");
    found[0]
}

fn text(d: &Value, field: &str) -> String {
    d[field].as_str().unwrap_or_default().to_string()
}

fn check_ntp_misconfiguration(report: &Value, site: bool) {
    let d = only(report, "snort.someplace.net");
    assert_eq!(d["kind"], "misconfiguration");
    assert_eq!(d["scan_type"], Value::Null);
    assert_eq!(d["packets"], 5);
    assert_eq!(d["severity"]["level"], "none");
    assert_eq!(d["spoofed"], "unlikely");
    assert_eq!(
        d["target_ports"],
        serde_json::json!([61218, 61219, 61220, 61221, 61222])
    );
    let obs = observations(d);
    assert!(obs.contains("Steady period"), "{obs}");
    assert!(obs.contains("17 min"), "period of about 17 minutes: {obs}");
    assert!(obs.contains("rise with each packet"), "{obs}");
    assert!(obs.contains("76 bytes"), "{obs}");
    assert!(
        text(d, "intent").contains("123/udp"),
        "{}",
        text(d, "intent")
    );
    if site {
        assert!(
            text(d, "intent").contains("NTP server"),
            "{}",
            text(d, "intent")
        );
    }
}

#[test]
fn detect_01_ntp_replies_are_a_misconfiguration() {
    both(paper("01-ntp-misconfig"), check_ntp_misconfiguration);
}

fn check_subseven(report: &Value, _site: bool) {
    let sources = [
        "a.supercomputer.place",
        "cable.socal.com",
        "someone.earthlink.place",
    ];
    let ids: Vec<String> = sources
        .iter()
        .map(|s| text(only(report, s), "id"))
        .collect();
    for (i, src) in sources.iter().enumerate() {
        let d = only(report, src);
        assert_eq!(d["kind"], "trojan-probe", "{src}");
        assert_eq!(d["packets"], 4, "{src}");
        assert_eq!(d["target_ports"], serde_json::json!([27374]));
        assert_eq!(d["severity"]["level"], "low");
        assert_ne!(d["spoofed"], "likely");
        assert!(
            text(d, "intent").contains("SubSeven"),
            "{}",
            text(d, "intent")
        );
        assert!(text(d, "active_targeting").starts_with("Yes"));
        let obs = observations(d);
        assert!(
            obs.contains("1 connection attempt and 3 retransmissions"),
            "retransmissions are one attempt: {obs}"
        );
        assert!(
            obs.contains("multiples of 256"),
            "byte-swapped IP IDs: {obs}"
        );
        assert!(obs.contains("initial TTL 128"), "{obs}");
        assert!(
            text(d, "identity").contains("Windows"),
            "{}",
            text(d, "identity")
        );
        let related = strings(&d["related"]);
        for (j, other) in ids.iter().enumerate() {
            if i != j {
                assert!(
                    related.contains(other),
                    "{src} related to the other two: {related:?}"
                );
            }
        }
    }
}

#[test]
fn detect_02_subseven_probes_are_three_related_single_attempts() {
    both(paper("02-subseven"), check_subseven);
}

fn check_netbios_spoofed(report: &Value, site: bool) {
    let d = only(report, "205.250.106.45");
    assert_eq!(
        strings(&d["sources"]),
        vec!["10.0.0.1", "10.0.0.11", "205.250.106.45"],
        "the interleaved sources are one actor"
    );
    assert_eq!(d["spoofed"], "likely");
    assert_eq!(d["packets"], 19);
    assert_eq!(d["target_ports"], serde_json::json!([137]));
    assert_eq!(d["severity"]["level"], "low");
    let intent = text(d, "intent");
    assert!(intent.contains("denial of service"), "{intent}");
    assert!(
        intent.to_lowercase().contains("netbios") || intent.contains("Windows"),
        "{intent}"
    );
    let recs = strings(&d["recommendations"]).join(" ");
    assert!(
        recs.contains("ingress filtering") && recs.contains("egress"),
        "{recs}"
    );
    let obs = observations(d);
    assert!(
        obs.contains("3 bursts"),
        "bursts that start and stop: {obs}"
    );
    assert!(
        obs.contains("19 packets over 52 min"),
        "rate and duration: {obs}"
    );
    assert!(obs.contains("private"), "{obs}");
    if site {
        assert_eq!(
            d["severity"]["system_countermeasures"], 5,
            "Solaris is immune"
        );
    }
}

#[test]
fn detect_03_interleaved_private_sources_are_spoofed() {
    both(paper("03-netbios-spoofed"), check_netbios_spoofed);
}

fn check_deep_throat(report: &Value, _site: bool) {
    let d = only(report, "user.dsl.ma");
    assert_eq!(d["kind"], "trojan-probe");
    assert_eq!(
        d["packets"], 1,
        "one packet seen by two sensors counts once"
    );
    assert_eq!(strings(&d["sensors"]), vec!["ipchains", "snort"]);
    assert_eq!(d["evidence"].as_array().unwrap().len(), 2);
    assert!(
        text(d, "intent").contains("Deep Throat"),
        "{}",
        text(d, "intent")
    );
    assert!(
        text(d, "technique").contains("single packet"),
        "{}",
        text(d, "technique")
    );
    assert!(
        text(d, "identity").contains("DSL"),
        "{}",
        text(d, "identity")
    );
}

#[test]
fn detect_04_one_packet_two_sensors_is_one_trojan_probe() {
    both(paper("04-deep-throat"), check_deep_throat);
}

fn check_smb_wildcard(report: &Value, _site: bool) {
    let d = only(report, "some.cableuser.socal");
    assert_eq!(d["kind"], "service-probe");
    assert_eq!(d["packets"], 3);
    assert_eq!(strings(&d["sensors"]), vec!["ipchains", "snort"]);
    let intent = text(d, "intent");
    assert!(
        intent.contains("Windows") && intent.contains("shar"),
        "{intent}"
    );
    assert!(
        observations(d).contains("multiples of 256"),
        "{}",
        observations(d)
    );
    assert!(
        observations(d).contains("initial TTL 128"),
        "{}",
        observations(d)
    );
    let snort = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["path"]
                .as_str()
                .unwrap_or("")
                .ends_with("05-smb-wildcard/snort.alert")
        })
        .expect("the Snort input is listed");
    assert_eq!(snort["records"], 3, "the damaged record is kept");
    assert_eq!(snort["warnings"], 1, "and counted as a warning");
}

#[test]
fn detect_05_smb_wildcard_keeps_the_damaged_record() {
    both(paper("05-smb-wildcard"), check_smb_wildcard);
}

fn check_wingate(report: &Value, _site: bool) {
    let d = only(report, "dial.uu.net");
    assert_eq!(d["kind"], "service-probe");
    assert_eq!(d["packets"], 3);
    assert_eq!(d["spoofed"], "unlikely");
    assert_eq!(strings(&d["sensors"]), vec!["ipchains", "snort"]);
    let intent = text(d, "intent");
    assert!(
        intent.contains("WinGate") && intent.contains("prox"),
        "{intent}"
    );
    let obs = observations(d);
    assert!(
        obs.contains("1 connection attempt and 2 retransmissions"),
        "{obs}"
    );
    assert!(obs.contains("0x91ED9D"), "{obs}");
    assert!(obs.contains("MSS:536 NOP NOP SackOK"), "{obs}");
    assert!(
        text(d, "identity").contains("dial-up"),
        "{}",
        text(d, "identity")
    );
}

#[test]
fn detect_06_wingate_probe_is_one_attempt_retransmitted() {
    both(paper("06-wingate"), check_wingate);
}

fn check_hackatack(report: &Value, _site: bool) {
    let d = only(report, "dial1.netcom");
    assert_eq!(
        strings(&d["sources"]),
        vec!["dial1.netcom", "dial2.netcom"],
        "one actor"
    );
    assert_eq!(d["kind"], "trojan-probe");
    assert_eq!(d["packets"], 2);
    assert!(
        text(d, "intent").contains("Hack'a'Tack"),
        "{}",
        text(d, "intent")
    );
    assert!(
        text(d, "technique").contains("one tool"),
        "{}",
        text(d, "technique")
    );
    assert!(
        text(d, "identity").contains("dial-up"),
        "{}",
        text(d, "identity")
    );
}

#[test]
fn detect_07_two_pool_hosts_are_one_hackatack_actor() {
    both(paper("07-hackatack"), check_hackatack);
}

fn check_arpanet(report: &Value, _site: bool) {
    let d = only(report, "arpanet");
    assert_eq!(d["spoofed"], "likely");
    assert_eq!(d["packets"], 4);
    assert_eq!(d["severity"]["level"], "low");
    let obs = observations(d);
    assert!(obs.contains("pairs") && obs.contains("4 ms"), "{obs}");
    assert!(obs.contains("10.0.0.0"), "{obs}");
    let recs = strings(&d["recommendations"]).join(" ");
    assert!(recs.contains("ingress filtering"), "{recs}");
}

#[test]
fn detect_08_network_address_source_is_spoofed() {
    both(paper("08-netbios-arpanet"), check_arpanet);
}

fn check_nntp(report: &Value, site: bool) {
    let d = only(report, "auth.scanner.home");
    assert_eq!(d["packets"], 4);
    assert_eq!(d["target_ports"], serde_json::json!([119]));
    let obs = observations(d);
    assert!(
        obs.contains("rise one at a time"),
        "sequential IP IDs: {obs}"
    );
    assert!(obs.contains("initial TTL 255"), "{obs}");
    assert!(obs.contains("2 bursts"), "{obs}");
    if site {
        assert_eq!(d["kind"], "authorized-scan");
        assert_eq!(d["severity"]["level"], "none");
        assert!(
            text(d, "intent").contains("Benign"),
            "{}",
            text(d, "intent")
        );
    } else {
        assert_eq!(d["kind"], "service-probe");
        assert_eq!(d["severity"]["level"], "low");
        assert!(text(d, "intent").contains("NNTP") || text(d, "intent").contains("news"));
    }
}

#[test]
fn detect_09_nntp_scanner_is_benign_when_authorized() {
    both(paper("09-nntp-scanner"), check_nntp);
}

fn check_port81(report: &Value, site: bool) {
    let d = only(report, "somewhere.uk");
    assert_eq!(d["kind"], "host-sweep");
    assert_eq!(d["scan_type"], "syn");
    assert_eq!(d["packets"], 23);
    assert_eq!(d["targets"].as_array().unwrap().len(), 15);
    assert_eq!(d["target_ports"], serde_json::json!([81]));
    assert_eq!(d["spoofed"], "unlikely");
    let obs = observations(d);
    assert!(obs.contains("8 SYN/RST pairs"), "{obs}");
    assert!(obs.contains("plus one"), "{obs}");
    assert!(obs.contains("tool sends the RSTs itself"), "{obs}");
    assert!(obs.contains("7 RSTs whose SYN is not in the log"), "{obs}");
    assert!(obs.contains("TCP window 8760"), "{obs}");
    assert!(text(d, "intent").starts_with("Reconnaissance"));
    if site {
        let technique = text(d, "technique");
        assert!(
            technique.contains("DNS server") && technique.contains("web cluster"),
            "{technique}"
        );
    }
}

#[test]
fn detect_10_port81_sweep_pairs_syns_with_rsts() {
    both(paper("10-port81-sweep"), check_port81);
}

#[test]
fn all_ten_at_once_do_not_bleed_into_each_other() {
    both(all_paper(), |report, site| {
        assert_eq!(
            detects(report).len(),
            12,
            "ten detects, 02 as three sources"
        );
        check_ntp_misconfiguration(report, site);
        check_subseven(report, site);
        check_netbios_spoofed(report, site);
        check_deep_throat(report, site);
        check_smb_wildcard(report, site);
        check_wingate(report, site);
        check_hackatack(report, site);
        check_arpanet(report, site);
        check_nntp(report, site);
        check_port81(report, site);
        assert_eq!(report["summary"]["unrecognized"], 0);
    });
}
