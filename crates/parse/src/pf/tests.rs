//! pf lines in both tcpdump layouts, each with the fields a user relies on.

use std::net::IpAddr;

use picket_model::{Action, Host, Packet, Proto, Sensor, TcpFlags};

use super::*;
use crate::dispatch::{Collect, parse_text};

fn parse(text: &str) -> Collect {
    parse_text(
        text.as_bytes(),
        Some(Format::Pf),
        &mut TimeContext::fixed_year(2015),
    )
}

/// The one packet of `text`, which must parse without warnings.
fn clean(text: &str) -> Packet {
    let out = parse(text);
    assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.packets.len(), 1);
    out.packets.into_iter().next().unwrap()
}

fn host(text: &str) -> Host {
    Host::Addr(text.parse::<IpAddr>().unwrap())
}

fn time(p: &Packet) -> String {
    p.time.map(|t| t.to_string()).unwrap_or_default()
}

#[test]
fn openbsd_syn_with_every_field() {
    // psad test/scans/pf/pf_syn_scan_1100_1500, line 1.
    let p = clean(
        "Mar 29 19:32:17.184835 rule 4/(match) [uid 0, pid 10758] block in on em0: 192.168.56.1.53614 > 192.168.56.101.1435: S [tcp sum ok] 786092310:786092310(0) win 3072 <mss 1460> (ttl 42, id 1076, len 44)",
    );
    assert_eq!(p.sensor, Sensor::Pf);
    assert_eq!(time(&p), "2015-03-29T19:32:17.184835Z");
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.label.as_deref(), Some("rule 4/(match)"));
    assert_eq!(p.in_iface.as_deref(), Some("em0"));
    assert_eq!(p.out_iface, None);
    assert_eq!(p.src, host("192.168.56.1"));
    assert_eq!(p.dst, host("192.168.56.101"));
    assert_eq!(p.proto, Proto::TCP);
    assert_eq!((p.src_port, p.dst_port), (Some(53614), Some(1435)));
    assert_eq!(
        (p.ip.ttl, p.ip.id, p.ip.total_len),
        (Some(42), Some(1076), Some(44))
    );
    assert!(!p.ip.df && !p.ip.v6);
    let tcp = p.tcp.as_ref().unwrap();
    assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(tcp.seq, Some(786_092_310));
    assert_eq!(tcp.ack, None);
    assert_eq!(tcp.window, Some(3072));
    let opts = tcp.options.as_ref().unwrap();
    assert_eq!((opts.kinds.clone(), opts.mss), (vec![2], Some(1460)));
    assert_eq!(p.transport_len, Some(0));
}

#[test]
fn openbsd_flags_dot_ack_and_urg() {
    // Segments in OpenBSD tcpdump's layout: `.` is none of S F R P, ACK
    // comes from `ack N`, URG from `urg N`.
    let out = parse(
        "Mar 29 19:32:18.000001 rule 4/(match) block in on em0: 10.0.0.9.40000 > 10.0.0.1.80: . ack 1 win 1024 (DF) [tos 0x10]\n\
         Mar 29 19:32:18.000002 rule 4/(match) block in on em0: 10.0.0.9.40000 > 10.0.0.1.81: FP 1:10(9) win 1024 urg 1\n\
         Mar 29 19:32:18.000003 rule 4/(match) block in on em0: 10.0.0.9.40000 > 10.0.0.1.82: . win 1024",
    );
    assert!(
        out.unrecognized.is_empty() && out.warnings.is_empty(),
        "{out:?}"
    );
    let flags: Vec<Option<TcpFlags>> = out.packets.iter().map(Packet::tcp_flags).collect();
    assert_eq!(
        flags,
        vec![
            Some(TcpFlags(TcpFlags::ACK)),
            Some(TcpFlags(TcpFlags::FIN | TcpFlags::PSH | TcpFlags::URG)),
            Some(TcpFlags(0)),
        ]
    );
    let ack = &out.packets[0];
    assert!(ack.ip.df);
    assert_eq!(ack.ip.tos, Some(0x10));
    assert_eq!(ack.tcp.as_ref().unwrap().ack, Some(1));
    assert_eq!(out.packets[1].transport_len, Some(9));
    assert_eq!(out.packets[1].tcp_seq(), Some(1));
}

#[test]
fn freebsd_layout_without_verbose() {
    // A SYN in upstream tcpdump's layout, with its -ttt delta as the time.
    let p = clean(
        "00:00:00.000123 rule 0/0(match): block in on em0: 192.168.1.100.51234 > 192.168.1.1.22: Flags [S], seq 1234, win 65535, options [mss 1460,nop,wscale 6,sackOK,TS val 123 ecr 0], length 0",
    );
    assert_eq!(p.time, None, "a delta cannot be anchored");
    assert_eq!(p.label.as_deref(), Some("rule 0/0(match)"));
    assert_eq!(p.action, Action::Drop);
    assert_eq!((p.src_port, p.dst_port), (Some(51234), Some(22)));
    let tcp = p.tcp.as_ref().unwrap();
    assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!((tcp.seq, tcp.window), (Some(1234), Some(65535)));
    let opts = tcp.options.as_ref().unwrap();
    assert_eq!(opts.kinds, vec![2, 1, 3, 4, 8]);
    assert_eq!((opts.mss, opts.window_scale), (Some(1460), Some(6)));
    assert_eq!(p.transport_len, Some(0));
}

#[test]
fn ip_header_before_the_addresses() {
    // Upstream tcpdump -v, printed on one line.
    let p = clean(
        "2024-03-29 19:32:17.184835 rule 1/0(match): pass out on em1: (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60) 10.0.0.1.5555 > 10.0.0.2.80: Flags [S.], cksum 0x1234 (correct), seq 1, ack 2, win 3, options [mss 1460,nop,wscale 3], length 0",
    );
    assert_eq!(time(&p), "2024-03-29T19:32:17.184835Z");
    assert_eq!(p.action, Action::Accept);
    assert_eq!(p.out_iface.as_deref(), Some("em1"));
    assert_eq!(p.in_iface, None);
    assert_eq!((p.ip.tos, p.ip.ttl, p.ip.id), (Some(0), Some(64), Some(1)));
    assert_eq!((p.ip.total_len, p.ip.frag_offset), (Some(60), Some(0)));
    assert!(p.ip.df && !p.ip.mf);
    let tcp = p.tcp.as_ref().unwrap();
    assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::SYN | TcpFlags::ACK)));
    assert_eq!((tcp.seq, tcp.ack, tcp.window), (Some(1), Some(2), Some(3)));
    assert_eq!(tcp.options.as_ref().unwrap().window_scale, Some(3));
}

#[test]
fn two_line_verbose_record() {
    // Upstream tcpdump -v prints the packet text on an indented second line.
    let out = parse(
        "1711740737.184835 rule 1/0(match): block in on em0: (tos 0x0, ttl 49, id 4242, offset 0, flags [none], proto UDP (17), length 40)\n    198.51.100.7.5353 > 10.0.0.2.161: UDP, length 12",
    );
    assert!(
        out.unrecognized.is_empty() && out.warnings.is_empty(),
        "{out:?}"
    );
    let p = &out.packets[0];
    assert_eq!(p.origin.line, 1);
    assert_eq!(time(p), "2024-03-29T19:32:17.184835Z");
    assert_eq!(p.proto, Proto::UDP);
    assert_eq!((p.src_port, p.dst_port), (Some(5353), Some(161)));
    assert_eq!(p.transport_len, Some(20), "the UDP length field: 12 + 8");
    assert_eq!(
        (p.ip.ttl, p.ip.id, p.ip.total_len),
        (Some(49), Some(4242), Some(40))
    );
}

#[test]
fn a_header_line_without_its_packet_line() {
    let out = parse(
        "1711740737.184835 rule 1/0(match): block in on em0: (tos 0x0, ttl 49, id 4242, offset 0, flags [none], proto UDP (17), length 40)\n\
         Mar 29 19:32:17.184835 rule 4/(match) block in on em0: 192.168.56.1.53614 > 192.168.56.101.1435: S 1:1(0) win 3072",
    );
    assert_eq!(out.unrecognized.len(), 1);
    assert_eq!(out.unrecognized[0].0, 1);
    assert_eq!(out.packets.len(), 1, "the next record is read anew");
    assert_eq!(out.packets[0].dst_port, Some(1435));
}

#[test]
fn udp_old_layout_and_decoded_payloads() {
    // OpenBSD prints `udp N` (payload bytes), or a decoder's text.
    let out = parse(
        "Mar 29 19:40:00.000001 rule 7/(match) block in on em0: 10.0.0.9.1025 > 10.0.0.1.137: udp 50\n\
         Mar 29 19:40:00.000002 rule 7/(match) block in on em0: 10.0.0.9.1026 > 10.0.0.1.53: 12345+ A? example.com. (29)",
    );
    assert!(
        out.unrecognized.is_empty() && out.warnings.is_empty(),
        "{out:?}"
    );
    assert_eq!(out.packets[0].proto, Proto::UDP);
    assert_eq!(out.packets[0].transport_len, Some(58));
    assert_eq!(out.packets[1].proto, Proto::UDP);
    assert_eq!(out.packets[1].dst_port, Some(53));
    assert_eq!(out.packets[1].transport_len, None);
}

#[test]
fn icmp_in_both_layouts() {
    let out = parse(
        "Mar 29 19:41:00.000001 rule 2/(match) pass in on em0: 10.0.0.9 > 10.0.0.1: icmp: echo request (id:b30e seq:7) (ttl 255, id 3, len 84)\n\
         Mar 29 19:41:00.000002 rule 2/(match) block out on em0: 10.0.0.1 > 10.0.0.9: icmp: 10.0.0.9 udp port 33434 unreachable\n\
         00:00:01.000000 rule 2/0(match): pass in on em0: 10.0.0.9 > 10.0.0.1: ICMP echo request, id 1, seq 2, length 64",
    );
    assert!(
        out.unrecognized.is_empty() && out.warnings.is_empty(),
        "{out:?}"
    );
    let echo = &out.packets[0];
    assert_eq!(echo.proto, Proto::ICMP);
    assert_eq!((echo.src_port, echo.dst_port), (None, None));
    assert_eq!(echo.ip.ttl, Some(255));
    let icmp = echo.icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (8, 0));
    assert_eq!((icmp.echo_id, icmp.echo_seq), (Some(0xb30e), Some(7)));
    let unreach = out.packets[1].icmp.as_ref().unwrap();
    assert_eq!((unreach.kind, unreach.code), (3, 3));
    assert_eq!(out.packets[1].out_iface.as_deref(), Some("em0"));
    let upstream = out.packets[2].icmp.as_ref().unwrap();
    assert_eq!(
        (upstream.kind, upstream.echo_id, upstream.echo_seq),
        (8, Some(1), Some(2))
    );
}

#[test]
fn ipv6_endpoints_and_icmp6() {
    let out = parse(
        "Mar 29 19:42:00.000001 rule 3/(match) block in on em0: 2001:db8::9.40000 > 2001:db8::1.22: S 5:5(0) win 8192\n\
         Mar 29 19:42:00.000002 rule 3/(match) block in on em0: fe80::1 > ff02::1:ff00:1: icmp6: neighbor sol: who has 2001:db8::1",
    );
    assert!(
        out.unrecognized.is_empty() && out.warnings.is_empty(),
        "{out:?}"
    );
    let syn = &out.packets[0];
    assert_eq!(syn.src, host("2001:db8::9"));
    assert_eq!((syn.src_port, syn.dst_port), (Some(40000), Some(22)));
    assert!(syn.ip.v6);
    assert_eq!(syn.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
    let nd = &out.packets[1];
    assert_eq!(nd.proto, Proto::ICMPV6);
    assert_eq!(nd.dst, host("ff02::1:ff00:1"));
    assert_eq!(nd.icmp.as_ref().map(|i| i.kind), Some(135));
}

#[test]
fn anchors_default_rules_and_other_protocols() {
    let out = parse(
        "Mar 29 19:43:00.000001 rule 2.ssh.1/(match) block in on vio0: 10.0.0.9 > 10.0.0.1: ip-proto-162 20\n\
         Mar 29 19:43:00.000002 rule def/(match) match in on vio0: 10.0.0.9 > 224.0.0.18: CARPv2-advertise 36: vhid=1 advbase=1 advskew=0 authlen=7 counter=1\n\
         Mar 29 19:43:00.000003 rule 5/(match) block in on vio0: 10.0.0.9 > 10.0.0.1: esp spi 0x1234 seq 1 len 132",
    );
    assert!(
        out.unrecognized.is_empty() && out.warnings.is_empty(),
        "{out:?}"
    );
    let labels: Vec<&str> = out
        .packets
        .iter()
        .map(|p| p.label.as_deref().unwrap())
        .collect();
    assert_eq!(
        labels,
        vec!["rule 2.ssh.1/(match)", "rule def/(match)", "rule 5/(match)"]
    );
    let protos: Vec<u8> = out.packets.iter().map(|p| p.proto.0).collect();
    assert_eq!(protos, vec![162, 112, 50]);
    assert_eq!(out.packets[1].action, Action::Logged);
}

#[test]
fn syslog_envelope_around_a_pf_line() {
    // psad pf line 1 as `tcpdump ... | logger -t pf` leaves it.
    let p = clean(
        "Mar 29 19:32:18 fw pf: Mar 29 19:32:17.184835 rule 4/(match) block in on em0: 192.168.56.1.53614 > 192.168.56.101.1435: S 786092310:786092310(0) win 3072 <mss 1460>",
    );
    assert_eq!(time(&p), "2015-03-29T19:32:17.184835Z");
    assert_eq!(p.dst_port, Some(1435));
}

#[test]
fn later_fragments_and_broken_text_are_unrecognized() {
    let out = parse(
        "Mar 29 19:44:00.000001 rule 4/(match) block in on em0: 10.0.0.9 > 10.0.0.1: (frag 4321:1480@1480+)\n\
         Mar 29 19:44:00.000002 rule 4/(match) block in on em0: 10.0.0.9.1 10.0.0.1.2: S 1:1(0) win 1\n\
         Mar 29 19:44:00.000003 rule 4/(match) block in on em0: 10.0.0.999.1 > 10.0.0.1.2: S 1:1(0) win 1",
    );
    assert!(out.packets.is_empty());
    assert_eq!(out.unrecognized.len(), 3);
}

#[test]
fn damage_is_kept_with_one_warning() {
    // psad pf line 1 with an absurd TTL, cut inside its IP group.
    let out = parse(
        "Mar 29 19:32:17.184835 rule 4/(match) block in on em0: 192.168.56.1.53614 > 192.168.56.101.1435: S [tcp sum ok] 786092310:786092310(0) win 3072 <mss 1460> (ttl 999, id 1076, le",
    );
    assert_eq!(out.warnings.len(), 1);
    assert!(out.warnings[0].1.contains("1 unreadable") && out.warnings[0].1.contains("cut"));
    let p = &out.packets[0];
    assert_eq!((p.ip.ttl, p.ip.id), (None, Some(1076)));
    assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
}

#[test]
fn times_in_every_form() {
    let mut ctx = TimeContext::fixed_year(2015);
    let mut at = |head: &str| read_time(head.as_bytes(), &mut ctx);
    assert_eq!(
        at("Mar 29 19:32:17.184835").0.unwrap().to_string(),
        "2015-03-29T19:32:17.184835Z"
    );
    assert_eq!(
        at("1711740737.5").0.unwrap().to_string(),
        "2024-03-29T19:32:17.5Z"
    );
    assert_eq!(at("19:32:17.184835"), (None, false));
    assert_eq!(at("000123"), (None, false), "an old tcpdump's delta");
    assert_eq!(at(""), (None, false));
    assert_eq!(at("Mar 32 19:32:17.1"), (None, true));
    assert_eq!(at("garbage here"), (None, true));
}

#[test]
fn claims_pf_lines_only() {
    let parser = PfParser::default();
    assert!(parser.claims(
        b"Mar 29 19:32:17.184835 rule 4/(match) [uid 0, pid 10758] block in on em0: 192.168.56.1.53614 > 192.168.56.101.1435: S"
    ));
    assert!(
        parser.claims(b"00:00:00.000000 rule 0/0(match): block in on em0: 1.2.3.4 > 5.6.7.8: ICMP")
    );
    assert!(!parser.claims(
        b"Mar 11 20:35:11 linux kernel: [463490.251762] DROP IN=eth1 OUT= SRC=192.168.10.55 DST=192.168.10.1 LEN=44 PROTO=TCP SPT=56247 DPT=1025"
    ));
    assert!(!parser.claims(
        b"Jul  7 18:48:26 linux1 kernel: Packet log: input DENY ppp0 PROTO=6 211.250.197.2:3024 193.237.109.203:111 L=60 S=0x00 I=14018 F=0x4000 T=43 SYN (#3)"
    ));
    assert!(!parser.claims(
        b"Apr 21 17:04:13 host snort[123]: [1:1000:1] rule 4 fired on eth0: {TCP} 1.2.3.4:1 -> 5.6.7.8:2"
    ));
}
