//! Every netfilter and pf sample parses whole, with the facts an analyst
//! would read off it; damaged and hostile input never panics.

use std::collections::BTreeSet;
use std::net::IpAddr;

use picket_model::{Action, Host, Packet, Proto, Sensor, TcpFlags};
use picket_parse::dispatch::{Collect, parse_text};
use picket_parse::{Format, TimeContext};
use proptest::prelude::*;

const PSAD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/samples/psad/"
);
const ELASTIC_IPTABLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/samples/elastic/iptables_test-iptables-raw.log"
);

/// psad syn_scan_1000_1500, line 1.
const SYN_LINE: &str = "Mar 11 20:35:11 linux kernel: [463490.251762] DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0 OPT (020405B4) ";

/// elastic iptables test-iptables-raw.log, line 4: an ICMP error quoting UDP.
const QUOTING_LINE: &str = "Jan  8 03:37:09 DENY: IN=eth0 OUT= MAC=90:10:28:5f:62:24:90:10:18:5a:89:2a:08:00 SRC=192.168.2.71 DST=192.168.2.83 LEN=88 TOS=0x00 PREC=0x00 TTL=118 ID=21684 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.168.2.83 DST=192.168.173.191 LEN=60 TOS=0x00 PREC=0x00 TTL=54 ID=0 DF PROTO=UDP SPT=21458 DPT=62936 LEN=40 ]";

/// psad pf_syn_scan_1100_1500, line 1.
const PF_LINE: &str = "Mar 29 19:32:17.184835 rule 4/(match) [uid 0, pid 10758] block in on em0: 192.168.56.1.53614 > 192.168.56.101.1435: S [tcp sum ok] 786092310:786092310(0) win 3072 <mss 1460> (ttl 42, id 1076, len 44)";

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(text: &[u8]) -> Collect {
    parse_text(text, None, &mut TimeContext::fixed_year(2015))
}

fn non_blank_lines(text: &[u8]) -> usize {
    text.split(|b| *b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .count()
}

/// Parses a psad sample; every non-blank line must be one packet.
fn psad(name: &str) -> Collect {
    let text = read(&format!("{PSAD}{name}"));
    let out = parse(&text);
    assert!(
        out.unrecognized.is_empty(),
        "{name}: {:?}",
        out.unrecognized
    );
    assert_eq!(out.packets.len(), non_blank_lines(&text), "{name}");
    out
}

fn addr(text: &str) -> Host {
    Host::Addr(text.parse::<IpAddr>().unwrap())
}

fn distinct<T: Ord>(packets: &[Packet], key: impl Fn(&Packet) -> T) -> BTreeSet<T> {
    packets.iter().map(key).collect()
}

#[test]
fn every_sample_parses_whole() {
    let mut names: Vec<String> = std::fs::read_dir(PSAD)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "PSAD-RESULTS.md")
        .collect();
    names.sort();
    assert!(names.len() >= 26, "{names:?}");
    for name in &names {
        let out = psad(name);
        let sensor = if name.starts_with("pf_") {
            Sensor::Pf
        } else {
            Sensor::Netfilter
        };
        assert!(out.packets.iter().all(|p| p.sensor == sensor), "{name}");
        assert!(out.warnings.is_empty(), "{name}: {:?}", out.warnings);
        assert!(out.packets.iter().all(|p| p.time.is_some()), "{name}");
    }
    let text = read(ELASTIC_IPTABLES);
    let out = parse(&text);
    assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
    assert_eq!(out.packets.len(), non_blank_lines(&text));
    assert_eq!(out.packets.len(), 24);
    // Only the echo id 98765 of line 24, which cannot fit in 16 bits.
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].0, 24);
}

#[test]
fn syn_scan_of_ports_1000_to_1500() {
    let out = psad("iptables_syn_scan_1000_1500");
    let p = &out.packets;
    assert_eq!(p.len(), 1002);
    assert_eq!(
        distinct(p, |p| p.dst_port),
        (1000..=1500).map(Some).collect()
    );
    assert_eq!(
        distinct(p, |p| p.src.clone()),
        BTreeSet::from([addr("192.168.10.55")])
    );
    assert_eq!(
        distinct(p, |p| p.dst.clone()),
        BTreeSet::from([addr("192.168.10.1")])
    );
    assert!(
        p.iter()
            .all(|p| p.tcp_flags() == Some(TcpFlags(TcpFlags::SYN)))
    );
    assert!(p.iter().all(|p| p.action == Action::Drop));
    assert!(p.iter().all(|p| p.label.as_deref() == Some("DROP")));
    let mss = distinct(p, |p| p.tcp.as_ref().and_then(|t| t.options.as_ref()?.mss));
    assert_eq!(mss, BTreeSet::from([Some(1460)]));
    let first = p.first().unwrap().time.unwrap().to_string();
    assert_eq!(first, "2015-03-11T20:35:11Z");
}

#[test]
fn syn_scan_against_four_targets() {
    let out = psad("iptables_syn_scan_1000_1500_multi_dst");
    assert_eq!(out.packets.len(), 4008);
    let targets = distinct(&out.packets, |p| p.dst.to_string());
    assert_eq!(
        targets,
        BTreeSet::from(
            [
                "192.168.10.1",
                "192.168.10.2",
                "192.168.10.232",
                "192.168.10.45"
            ]
            .map(String::from)
        )
    );
    let localhost = psad("iptables_syn_scan_1000_1500_localhost");
    assert!(localhost.packets.iter().all(|p| p.src == addr("127.0.0.1")));
    let zero = psad("iptables_syn_scan_1000_1500_zeroip");
    assert!(zero.packets.iter().all(|p| p.src == addr("0.0.0.0")));
}

#[test]
fn stealth_scans_carry_their_flags() {
    let cases = [
        ("iptables_fin_scan_1000_1150", TcpFlags::FIN),
        (
            "iptables_xmas_scan_1000_1150",
            TcpFlags::URG | TcpFlags::PSH | TcpFlags::FIN,
        ),
        ("iptables_ack_scan_1000_1150", TcpFlags::ACK),
    ];
    for (name, flags) in cases {
        let out = psad(name);
        assert_eq!(out.packets.len(), 302, "{name}");
        assert!(
            out.packets
                .iter()
                .all(|p| p.tcp_flags() == Some(TcpFlags(flags))),
            "{name}"
        );
    }
    let fin = psad("iptables_fin_scan_1000_1150");
    assert!(
        fin.packets
            .iter()
            .all(|p| p.label.as_deref() == Some("DROP INVALID"))
    );
    let null = psad("iptables_null_scan_1000_1150");
    let tcp: Vec<&Packet> = null
        .packets
        .iter()
        .filter(|p| p.proto == Proto::TCP)
        .collect();
    assert_eq!(tcp.len(), 302);
    assert!(tcp.iter().all(|p| p.tcp_flags() == Some(TcpFlags(0))));
    let ping: Vec<&Packet> = null
        .packets
        .iter()
        .filter(|p| p.proto == Proto::ICMP)
        .collect();
    assert_eq!(ping.len(), 1);
    assert_eq!(ping[0].out_iface.as_deref(), Some("eth0"));
    assert_eq!(
        ping[0].icmp.as_ref().map(|i| (i.kind, i.echo_seq)),
        Some((8, Some(1)))
    );
}

#[test]
fn udp_scan_lengths_and_ports() {
    let out = psad("iptables_udp_scan_1000_1150");
    assert_eq!(out.packets.len(), 302);
    assert_eq!(distinct(&out.packets, |p| p.dst_port).len(), 151);
    assert!(out.packets.iter().all(|p| p.proto == Proto::UDP));
    assert!(
        out.packets
            .iter()
            .all(|p| p.transport_len == Some(8) && p.ip.total_len == Some(28))
    );
}

#[test]
fn protocol_scan_touches_255_protocols() {
    let out = psad("iptables_proto_scan");
    assert_eq!(out.packets.len(), 510);
    assert_eq!(distinct(&out.packets, |p| p.proto).len(), 255);
    assert!(out.packets.iter().any(|p| p.proto == Proto(136)), "UDPLITE");
}

#[test]
fn ipv6_scans_have_ipv6_endpoints() {
    let out = psad("iptables_ipv6_tcp_connect_nmap_default_scan");
    assert!(
        out.packets
            .iter()
            .all(|p| p.ip.v6 && matches!(p.src, Host::Addr(IpAddr::V6(_))))
    );
    assert_eq!(
        distinct(&out.packets, |p| p.src.to_string()),
        BTreeSet::from(["2001:db8:0:f101::2".to_string()])
    );
    let tcp: Vec<&Packet> = out
        .packets
        .iter()
        .filter(|p| p.proto == Proto::TCP)
        .collect();
    assert_eq!(tcp.len(), 1008);
    assert_eq!(
        distinct(&out.packets, |p| p.dst_port).len(),
        1001,
        "1000 ports and no port"
    );
    let syns = tcp
        .iter()
        .filter(|p| p.tcp_flags() == Some(TcpFlags(TcpFlags::SYN)))
        .count();
    assert_eq!(syns, 1002);

    let topera = psad("iptables_topera_ipv6_syn_scan_with_ip_opts");
    let tcp = topera
        .packets
        .iter()
        .filter(|p| p.proto == Proto::TCP)
        .count();
    assert_eq!(tcp, 1025);
    let icmp6 = topera
        .packets
        .iter()
        .filter(|p| p.proto == Proto::ICMPV6)
        .count();
    assert_eq!(icmp6, 21);
}

#[test]
fn icmp_samples() {
    let invalid = psad("iptables_invalid_icmp_type_code");
    let codes = distinct(&invalid.packets, |p| {
        p.icmp.as_ref().map(|i| (i.kind, i.code))
    });
    assert_eq!(codes, BTreeSet::from([Some((8, 2))]));
    let v6 = psad("iptables_ipv6_invalid_icmp6_type_code");
    let codes = distinct(&v6.packets, |p| p.icmp.as_ref().map(|i| (i.kind, i.code)));
    assert_eq!(codes, BTreeSet::from([Some((135, 22))]));
    let igmp = psad("iptables_ipv4_igmp");
    assert!(
        igmp.packets
            .iter()
            .all(|p| p.proto == Proto::IGMP && p.action == Action::Drop)
    );
}

#[test]
fn rfc3339_sample_times() {
    let out = psad("iptables_syslog_time_fmt1.log");
    let times: Vec<String> = out
        .packets
        .iter()
        .map(|p| p.time.unwrap().to_string())
        .collect();
    assert_eq!(times[0], "2015-03-07T03:09:30.045015Z");
    assert_eq!(
        out.packets.iter().filter(|p| p.proto == Proto::TCP).count(),
        2
    );
    assert_eq!(
        out.packets
            .iter()
            .filter(|p| p.proto == Proto::IGMP)
            .count(),
        4
    );
}

#[test]
fn pf_syn_scan() {
    let out = psad("pf_syn_scan_1100_1500");
    let p = &out.packets;
    assert_eq!(p.len(), 800);
    assert!(
        p.iter()
            .all(|p| p.sensor == Sensor::Pf && p.action == Action::Drop)
    );
    assert!(
        p.iter()
            .all(|p| p.tcp_flags() == Some(TcpFlags(TcpFlags::SYN)))
    );
    assert_eq!(
        distinct(p, |p| p.dst.clone()),
        BTreeSet::from([addr("192.168.56.101")])
    );
    assert_eq!(distinct(p, |p| p.dst_port).len(), 400);
    assert_eq!(
        distinct(p, |p| p.src_port),
        BTreeSet::from([Some(53614), Some(53615)])
    );
    assert!(p.iter().all(|p| p.in_iface.as_deref() == Some("em0")));
}

#[test]
fn garbage_never_panics() {
    let mut binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    binary.extend_from_slice(b"\nIN= SRC= \xff\xfe\n");
    let out = parse(&binary);
    assert!(out.packets.is_empty());

    let mut huge = SYN_LINE.as_bytes().to_vec();
    huge.extend(std::iter::repeat_n(b'A', 1 << 20));
    let out = parse(&huge);
    assert_eq!(out.packets.len(), 1);

    let many = format!("{} {}", "IN=x".repeat(200_000), "SRC=1.2.3.4");
    let out = parse(many.as_bytes());
    assert!(out.packets.is_empty());

    let bad_utf8 = SYN_LINE
        .replace("IN=eth1", "IN=e\u{fffd}th1")
        .replace("DROP", "DR\u{fffd}OP");
    let mut bytes = bad_utf8.into_bytes();
    for b in &mut bytes {
        if *b == 0xef {
            *b = 0xff;
        }
    }
    let out = parse(&bytes);
    assert_eq!(out.packets.len(), 1);
    assert!(
        out.packets[0]
            .in_iface
            .as_deref()
            .unwrap()
            .contains('\u{fffd}')
    );
}

#[test]
fn every_cut_of_real_lines_is_safe() {
    for line in [SYN_LINE, QUOTING_LINE, PF_LINE] {
        for end in 0..=line.len() {
            let out = parse(&line.as_bytes()[..end]);
            assert!(out.packets.len() <= 1);
            assert!(out.packets.len() + out.unrecognized.len() <= 1);
        }
    }
}

/// A packet's fields written as the kernel's LOG target writes them.
fn kernel_line(p: &Packet, day: u8, secs: u32, prefix: &str) -> String {
    let tcp = p.tcp.as_ref().unwrap();
    let mut flags = String::new();
    for (bit, name) in [
        (TcpFlags::URG, "URG"),
        (TcpFlags::ACK, "ACK"),
        (TcpFlags::PSH, "PSH"),
        (TcpFlags::RST, "RST"),
        (TcpFlags::SYN, "SYN"),
        (TcpFlags::FIN, "FIN"),
    ] {
        if tcp.flags.unwrap().has(bit) {
            flags.push_str(name);
            flags.push(' ');
        }
    }
    format!(
        "Mar {day:2} {:02}:{:02}:{:02} fw kernel: [  12.345678] {prefix} IN=eth0 OUT= \
         SRC={} DST={} LEN={} TOS=0x00 PREC=0x00 TTL={} ID={} {}PROTO=TCP SPT={} DPT={} \
         WINDOW={} RES=0x00 {flags}URGP=0 ",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        p.src,
        p.dst,
        p.ip.total_len.unwrap(),
        p.ip.ttl.unwrap(),
        p.ip.id.unwrap(),
        if p.ip.df { "DF " } else { "" },
        p.src_port.unwrap(),
        p.dst_port.unwrap(),
        tcp.window.unwrap(),
    )
}

proptest! {
    /// Parse, write the packet back as the kernel would, parse again: the
    /// same packet.
    #[test]
    fn a_parsed_line_written_back_parses_the_same(
        src in any::<[u8; 4]>(),
        dst in any::<[u8; 4]>(),
        (sport, dport, id) in (any::<u16>(), any::<u16>(), any::<u16>()),
        (ttl, window, len) in (any::<u8>(), any::<u16>(), 20u16..),
        flags in 1u8..64,
        df in any::<bool>(),
        day in 1u8..29,
        secs in 0u32..86_400,
    ) {
        let mut p = Packet::new(
            Sensor::Netfilter,
            Host::Addr(IpAddr::from(src)),
            Host::Addr(IpAddr::from(dst)),
            Proto::TCP,
        );
        p.src_port = Some(sport);
        p.dst_port = Some(dport);
        p.ip.ttl = Some(ttl);
        p.ip.id = Some(u32::from(id));
        p.ip.total_len = Some(u32::from(len));
        p.ip.df = df;
        p.tcp = Some(picket_model::TcpFields {
            flags: Some(TcpFlags(flags)),
            window: Some(u32::from(window)),
            ..Default::default()
        });
        let first = parse(kernel_line(&p, day, secs, "DROP").as_bytes());
        prop_assert!(first.unrecognized.is_empty() && first.warnings.is_empty());
        let once = &first.packets[0];
        let again = parse(kernel_line(once, day, secs, "DROP").as_bytes());
        let twice = &again.packets[0];
        prop_assert_eq!(once, twice);
        prop_assert_eq!(&once.src, &p.src);
        prop_assert_eq!(once.dst_port, Some(dport));
        prop_assert_eq!(once.ip.ttl, Some(ttl));
        prop_assert_eq!(once.ip.df, df);
        prop_assert_eq!(once.tcp_flags(), Some(TcpFlags(flags)));
        prop_assert_eq!(once.action, Action::Drop);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse(&bytes);
        parse_text(&bytes, Some(Format::Netfilter), &mut TimeContext::fixed_year(2015));
        parse_text(&bytes, Some(Format::Pf), &mut TimeContext::fixed_year(2015));
    }

    #[test]
    fn mutated_real_lines_never_panic(
        which in 0usize..3,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..12),
    ) {
        let mut line = [SYN_LINE, QUOTING_LINE, PF_LINE][which].as_bytes().to_vec();
        for (at, byte) in edits {
            let at = at % (line.len() + 1);
            match byte % 3 {
                0 => line.insert(at, byte),
                1 if at < line.len() => { line.remove(at); }
                _ if at < line.len() => line[at] = byte,
                _ => {}
            }
        }
        let out = parse(&line);
        prop_assert!(out.packets.len() <= 1);
    }
}
