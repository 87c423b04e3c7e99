//! The JSON and TSV formats (Suricata eve.json, Zeek conn.log, journald
//! exports) read their real samples whole, with the counts the files hold,
//! and no damaged, hostile or deeply nested line panics or exhausts the stack.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use picket_model::{FlowOutcome, Host, Packet, Proto, Sensor, TcpFlags};
use picket_parse::dispatch::{Collect, parse_text};
use picket_parse::{Dispatcher, Format, TimeContext};
use proptest::prelude::*;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/samples/");

/// eve-2.json (josevnz/SuricataLog), line 182.
const EVE_ALERT: &str = r#"{"timestamp":"2022-02-08T11:33:00.175195-0500","flow_id":1117051772115445,"pcap_cnt":10980,"event_type":"alert","src_ip":"206.190.49.109","src_port":25,"dest_ip":"10.2.8.102","dest_port":49890,"proto":"TCP","pkt_src":"wire/pcap","metadata":{"flowints":{"applayer.anomaly.count":1}},"alert":{"action":"allowed","gid":1,"signature_id":2260002,"rev":1,"signature":"SURICATA Applayer Detect protocol only one direction","category":"Generic Protocol Command Decode","severity":3},"app_proto":"smtp","app_proto_tc":"failed","direction":"to_client","flow":{"pkts_toserver":3,"pkts_toclient":3,"bytes_toserver":198,"bytes_toclient":203,"start":"2022-02-08T11:32:59.784371-0500","src_ip":"10.2.8.102","dest_ip":"206.190.49.109","src_port":49890,"dest_port":25},"stream":0}"#;

/// eve-2.json (josevnz/SuricataLog), line 1591: a refused TCP flow.
const EVE_FLOW: &str = r#"{"timestamp":"2022-02-08T09:40:28.279682-0500","flow_id":1709195751335483,"event_type":"flow","src_ip":"10.2.8.102","src_port":49973,"dest_ip":"62.149.128.75","dest_port":587,"proto":"TCP","flow":{"pkts_toserver":5,"pkts_toclient":5,"bytes_toserver":330,"bytes_toclient":270,"start":"2022-02-08T11:35:58.725633-0500","end":"2022-02-08T11:36:02.458191-0500","age":4,"state":"new","reason":"shutdown","alerted":false},"tcp":{"tcp_flags":"16","tcp_flags_ts":"02","tcp_flags_tc":"14","syn":true,"rst":true,"ack":true,"state":"syn_sent","ts_max_regions":1,"tc_max_regions":1}}"#;

/// zeek_teredo_conn.json, line 5 (zeek/zeek core.tunnels.teredo/conn.log in JSON form).
const ZEEK_JSON: &str = r#"{"ts":1210953057.834454,"uid":"C7XEbhP654jzLoe3a","id.orig_h":"192.168.2.16","id.orig_p":1578,"id.resp_h":"75.126.203.78","id.resp_p":80,"proto":"tcp","service":"http","duration":0.407908,"orig_bytes":790,"resp_bytes":171,"conn_state":"RSTO","missed_bytes":0,"history":"ShADadR","orig_pkts":6,"orig_ip_bytes":1038,"resp_pkts":4,"resp_ip_bytes":335,"tunnel_parents":[]}"#;

/// psad syn_scan_1000_1500 line 1's kernel message as a `journalctl -o json` entry.
const JOURNAL: &str = r#"{"__REALTIME_TIMESTAMP":"1426106111251762","_TRANSPORT":"kernel","SYSLOG_IDENTIFIER":"kernel","_HOSTNAME":"linux","MESSAGE":"DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0 OPT (020405B4) "}"#;

/// The real lines above with the format that reads each.
const REAL_LINES: [(Format, &str); 4] = [
    (Format::SuricataEve, EVE_ALERT),
    (Format::SuricataEve, EVE_FLOW),
    (Format::ZeekConn, ZEEK_JSON),
    (Format::Journald, JOURNAL),
];

const STRUCTURED: [Format; 3] = [Format::SuricataEve, Format::ZeekConn, Format::Journald];

fn read(name: &str) -> Vec<u8> {
    let path = format!("{SAMPLES}{name}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(text: &[u8], forced: Option<Format>) -> Collect {
    parse_text(text, forced, &mut TimeContext::fixed_year(2000))
}

fn non_blank_lines(text: &[u8]) -> usize {
    text.split(|b| *b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .count()
}

/// Event types of an eve.json text, counted by scanning for the key.
fn event_types(text: &[u8]) -> BTreeMap<String, usize> {
    let key = br#""event_type":""#;
    let mut counts = BTreeMap::new();
    for line in text.split(|b| *b == b'\n') {
        if let Some(at) = line.windows(key.len()).position(|w| w == key) {
            let rest = &line[at + key.len()..];
            let end = rest.iter().position(|b| *b == b'"').unwrap();
            *counts
                .entry(String::from_utf8_lossy(&rest[..end]).into_owned())
                .or_default() += 1;
        }
    }
    counts
}

fn tally<K: std::hash::Hash + Eq>(
    packets: &[Packet],
    key: impl Fn(&Packet) -> K,
) -> HashMap<K, usize> {
    let mut counts = HashMap::new();
    for p in packets {
        *counts.entry(key(p)).or_default() += 1;
    }
    counts
}

fn outcome(p: &Packet) -> Option<FlowOutcome> {
    p.flow.as_ref().and_then(|f| f.outcome)
}

#[test]
fn eve_sample_parses_whole_with_its_event_counts() {
    let text = read("suricata_eve/eve-2.json");
    let types = event_types(&text);
    assert_eq!(types.values().sum::<usize>(), 2401);
    assert_eq!(
        (
            types["alert"],
            types["anomaly"],
            types["flow"],
            types["dns"]
        ),
        (118, 106, 923, 936)
    );
    let bearing = types["alert"] + types["anomaly"] + types["flow"];

    let out = parse(&text, None);
    assert!(
        out.unrecognized.is_empty(),
        "{:?}",
        &out.unrecognized[..3.min(out.unrecognized.len())]
    );
    assert!(
        out.warnings.is_empty(),
        "{:?}",
        &out.warnings[..3.min(out.warnings.len())]
    );
    assert!(out.packets.len() * 100 >= bearing * 99);
    assert_eq!(out.packets.len(), bearing);
    assert_eq!(out.skipped.len(), 2401 - bearing);
    assert!(
        out.packets
            .iter()
            .all(|p| p.sensor == Sensor::Suricata && p.time.is_some())
    );

    let alerts: Vec<&Packet> = out
        .packets
        .iter()
        .filter(|p| p.signature.as_ref().is_some_and(|s| s.sid.is_some()))
        .collect();
    assert_eq!(alerts.len(), 118);
    let anomalies = out
        .packets
        .iter()
        .filter(|p| p.signature.as_ref().is_some_and(|s| s.sid.is_none()))
        .count();
    assert_eq!(anomalies, 106);
    let flows: Vec<&Packet> = out.packets.iter().filter(|p| p.flow.is_some()).collect();
    assert_eq!(flows.len(), 923);

    let by_outcome = tally(&out.packets, |p| (p.proto, outcome(p)));
    let expected: HashMap<(Proto, Option<FlowOutcome>), usize> = [
        ((Proto::TCP, None), 224),
        ((Proto::TCP, Some(FlowOutcome::Established)), 347),
        ((Proto::TCP, Some(FlowOutcome::Rejected)), 33),
        ((Proto::TCP, Some(FlowOutcome::Unanswered)), 179),
        ((Proto::TCP, Some(FlowOutcome::Other)), 5),
        ((Proto::UDP, Some(FlowOutcome::Established)), 359),
    ]
    .into();
    assert_eq!(
        by_outcome, expected,
        "alerts and anomalies are the 224 without a flow"
    );

    let flows: Vec<Packet> = flows.into_iter().cloned().collect();
    let first_flags = tally(&flows, |p| p.tcp_flags());
    assert_eq!(first_flags[&Some(TcpFlags(TcpFlags::SYN))], 474);
    assert_eq!(first_flags[&None], 90 + 359, "untracked TCP flags, and UDP");

    let mut dispatcher = Dispatcher::new(None);
    let mut sink = Collect::default();
    let mut time = TimeContext::fixed_year(2000);
    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
        dispatcher.feed(line, i as u64 + 1, &mut time, &mut sink);
    }
    assert_eq!(
        dispatcher.formats(),
        vec![(Format::SuricataEve, bearing as u64)]
    );
}

#[test]
fn eve_udp_flows_and_netflows() {
    let text = read("suricata_eve/eve_udp_flow.json");
    let types = event_types(&text);
    assert_eq!((types["flow"], types["netflow"]), (16, 16));
    let out = parse(&text, None);
    assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
    assert_eq!(out.packets.len(), 32);
    assert!(
        out.packets
            .iter()
            .all(|p| p.in_iface.as_deref() == Some("eth0"))
    );
    assert!(out.packets.iter().all(|p| p.proto == Proto::UDP));
    let by_outcome = tally(&out.packets, outcome);
    assert_eq!(
        by_outcome[&Some(FlowOutcome::Unanswered)],
        16,
        "flows without replies"
    );
    assert_eq!(by_outcome[&None], 16, "netflows, one direction each");
    let forced = parse(&text, Some(Format::SuricataEve));
    assert_eq!(forced.packets, out.packets);
}

fn addr(text: &str) -> Host {
    Host::Addr(text.parse::<IpAddr>().unwrap())
}

/// Parses a Zeek sample; every record must be one clean packet.
fn zeek(name: &str, records: usize) -> Collect {
    let text = read(&format!("zeek/{name}"));
    let out = parse(&text, None);
    assert!(
        out.unrecognized.is_empty(),
        "{name}: {:?}",
        out.unrecognized
    );
    assert!(out.warnings.is_empty(), "{name}: {:?}", out.warnings);
    assert_eq!(out.packets.len(), records, "{name}");
    assert_eq!(
        out.skipped.len(),
        non_blank_lines(&text) - records,
        "{name}"
    );
    assert!(
        out.packets
            .iter()
            .all(|p| p.sensor == Sensor::Zeek && p.time.is_some())
    );
    out
}

#[test]
fn zeek_teredo_outcomes() {
    let out = zeek("zeek_teredo_conn.log", 21);
    let by_outcome = tally(&out.packets, outcome);
    let expected: HashMap<Option<FlowOutcome>, usize> = [
        (Some(FlowOutcome::Established), 7),
        (Some(FlowOutcome::Unanswered), 3),
        (Some(FlowOutcome::Rejected), 4),
        (Some(FlowOutcome::Other), 7),
    ]
    .into();
    assert_eq!(by_outcome, expected);
    let protos = tally(&out.packets, |p| p.proto);
    assert_eq!(protos[&Proto::TCP], 10);
    assert_eq!(protos[&Proto::UDP], 8);
    assert_eq!(protos[&Proto::ICMPV6], 3);
}

#[test]
fn zeek_scan_outcomes() {
    let out = zeek("brimdata_zed_conn.log", 92);
    let by_outcome = tally(&out.packets, outcome);
    let expected: HashMap<Option<FlowOutcome>, usize> = [
        (Some(FlowOutcome::Unanswered), 56),
        (Some(FlowOutcome::Rejected), 12),
        (Some(FlowOutcome::Established), 24),
    ]
    .into();
    assert_eq!(by_outcome, expected);
    // 10.174.251.215 probes 19 hosts on 20 ports with SYNs; one is refused.
    let scanner: Vec<Packet> = out
        .packets
        .into_iter()
        .filter(|p| p.src == addr("10.174.251.215"))
        .collect();
    assert_eq!(scanner.len(), 46);
    assert_eq!(
        scanner
            .iter()
            .filter(|p| outcome(p) == Some(FlowOutcome::Unanswered))
            .count(),
        45
    );
    assert!(
        scanner
            .iter()
            .all(|p| p.tcp_flags() == Some(TcpFlags(TcpFlags::SYN)))
    );
    let targets = tally(
        &scanner.iter().map(|p| (*p).clone()).collect::<Vec<_>>(),
        |p| p.dst.clone(),
    );
    assert_eq!(targets.len(), 19);
    assert_eq!(tally(&scanner, |p| p.dst_port).len(), 20);
}

#[test]
fn zeek_json_forms_give_the_tsv_packets() {
    let strip = |mut packets: Vec<Packet>| {
        for p in &mut packets {
            p.origin.line = 0;
        }
        packets
    };
    let tsv = zeek("zeek_teredo_conn.log", 21);
    let json = zeek("zeek_teredo_conn.json", 21);
    assert_eq!(strip(json.packets), strip(tsv.packets));
    let tsv = zeek("brimdata_zed_conn.log", 92);
    let json = zeek("brimdata_zed_conn_iso.json", 92);
    assert_eq!(strip(json.packets), strip(tsv.packets));
}

#[test]
fn journal_entries_forced() {
    let text = format!(
        "{JOURNAL}\n{}\n",
        r#"{"__REALTIME_TIMESTAMP":"1426106112000000","_TRANSPORT":"syslog","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Accepted publickey for root"}"#
    );
    let out = parse(text.as_bytes(), Some(Format::Journald));
    assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
    assert_eq!(out.packets.len(), 1);
    assert_eq!(out.skipped, vec![2]);
    assert_eq!(out.packets[0].sensor, Sensor::Netfilter);
    assert_eq!(
        out.packets[0].time.unwrap().to_string(),
        "2015-03-11T20:35:11.251762Z"
    );
}

#[test]
fn every_prefix_of_a_real_line_is_refused_cleanly() {
    for (format, line) in REAL_LINES {
        let bytes = line.as_bytes();
        assert_eq!(parse(bytes, Some(format)).packets.len(), 1, "{format:?}");
        for cut in 1..bytes.len() {
            let prefix = &bytes[..cut];
            let out = parse(prefix, Some(format));
            assert!(out.packets.is_empty(), "{format:?} cut at {cut}");
            if prefix.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            assert_eq!(out.unrecognized.len(), 1, "{format:?} cut at {cut}");
            // Sniffed, the prefix may be claimed by any format or none; it
            // must still not panic.
            let _ = parse(prefix, None);
        }
    }
}

#[test]
fn binary_and_huge_lines_never_panic() {
    let binary: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    let mut megabyte =
        br#"{"event_type":"alert","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","alert":{"signature":""#
            .to_vec();
    megabyte.extend(std::iter::repeat_n(b'A', 1 << 20));
    megabyte.extend_from_slice(br#""}}"#);
    let mut unclosed =
        br#"{"event_type":"alert","__REALTIME_TIMESTAMP":"1","id.orig_h":""#.to_vec();
    unclosed.extend(std::iter::repeat_n(b'\\', 1 << 20));
    for forced in STRUCTURED.map(Some).into_iter().chain([None]) {
        let _ = parse(&binary, forced);
        let _ = parse(&unclosed, forced);
    }
    let out = parse(&megabyte, None);
    assert_eq!(out.packets.len(), 1);
    assert_eq!(
        out.packets[0].signature.as_ref().unwrap().message.len(),
        1 << 20
    );
    let out = parse(&unclosed, Some(Format::SuricataEve));
    assert_eq!(out.unrecognized.len(), 1);
}

#[test]
fn deep_nesting_is_bounded() {
    const DEPTH: usize = 100_000;
    let arrays = format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(DEPTH), "}".repeat(DEPTH));
    let mut lines = vec![
        arrays.clone(),
        objects.clone(),
        "[".repeat(DEPTH),
        r#"{"a":"#.repeat(DEPTH),
    ];
    for nested in [&arrays, &objects] {
        // In a field nobody reads, in a leaf, and in an object picket reads.
        lines.push(format!(
            r#"{{"event_type":"alert","x":{nested},"src_ip":"10.0.0.1","dest_ip":"10.0.0.2"}}"#
        ));
        lines.push(format!(r#"{{"event_type":"alert","src_port":{nested},"src_ip":"10.0.0.1","dest_ip":"10.0.0.2"}}"#));
        lines.push(format!(r#"{{"event_type":"alert","alert":{{"signature":{nested}}},"src_ip":"10.0.0.1","dest_ip":"10.0.0.2"}}"#));
        lines.push(format!(
            r#"{{"ts":1,"uid":"C","id.orig_h":{nested},"conn_state":"S0"}}"#
        ));
        lines.push(format!(
            r#"{{"__REALTIME_TIMESTAMP":"1","_TRANSPORT":"kernel","MESSAGE":{nested}}}"#
        ));
    }
    let worker = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let mut packets = 0;
            for line in &lines {
                for forced in STRUCTURED.map(Some).into_iter().chain([None]) {
                    packets += parse(line.as_bytes(), forced).packets.len();
                }
            }
            packets
        })
        .unwrap();
    // The three eve alerts with nesting in places picket does not need still
    // read, once forced and once sniffed, for both kinds of nesting.
    assert_eq!(worker.join().expect("no overflow, no panic"), 3 * 2 * 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut line = b"{\"event_type\":\"alert\",\"__REALTIME_TIMESTAMP\":\"1\",\"id.orig_h\":".to_vec();
        line.extend_from_slice(&bytes);
        for forced in STRUCTURED.map(Some).into_iter().chain([None]) {
            let out = parse(&line, forced);
            prop_assert!(out.packets.len() <= non_blank_lines(&line));
            let out = parse(&bytes, forced);
            prop_assert!(out.packets.len() <= non_blank_lines(&bytes));
        }
    }

    #[test]
    fn damaged_real_lines_never_panic(
        which in 0..REAL_LINES.len(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let (format, line) = REAL_LINES[which];
        let mut damaged = line.as_bytes().to_vec();
        let at = at.index(damaged.len());
        damaged[at] = byte;
        for forced in [Some(format), None] {
            let out = parse(&damaged, forced);
            prop_assert!(out.packets.len() <= 1);
            if forced.is_some() && byte != b'\n' {
                prop_assert_eq!(out.packets.len() + out.unrecognized.len() + out.skipped.len(), 1);
            }
        }
    }
}

#[test]
fn sniffed_journal_entries_are_journald_not_netfilter() {
    // Without a forced format the journal entry must reach the journald
    // parser, not the netfilter parser (its MESSAGE holds a LOG line).
    let mut time = TimeContext::fixed_year(2015);
    let mixed = format!(
        "{JOURNAL}\nMar 11 20:35:11 linux kernel: [463490.251762] DROP IN=eth1 OUT= SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TTL=53 ID=1 PROTO=TCP SPT=1 DPT=2 WINDOW=3072 RES=0x00 SYN URGP=0\n"
    );
    let out = parse_text(mixed.as_bytes(), None, &mut time);
    assert_eq!(out.packets.len(), 2);
    assert!(out.unrecognized.is_empty());
    let journal = &out.packets[0];
    assert_eq!(
        journal.label.as_deref(),
        Some("DROP"),
        "the label is the LOG prefix, not JSON"
    );
    assert_eq!(
        journal.time.map(|t| t.as_microsecond()),
        Some(1_426_106_111_251_762),
        "the journal's own time"
    );
    assert_eq!(journal.dst_port, Some(1025));
}
