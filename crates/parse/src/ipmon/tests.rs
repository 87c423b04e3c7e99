//! ipmon lines of every form, each with the fields a user relies on.

use super::*;
use crate::dispatch::{Collect, parse_text};
use picket_model::Host;
use std::net::IpAddr;

fn parse(text: &str) -> Collect {
    parse_text(
        text.as_bytes(),
        Some(Format::Ipmon),
        &mut TimeContext::fixed_year(2024),
    )
}

fn clean(line: &str) -> Packet {
    let out = parse(line);
    assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.packets.len(), 1);
    out.packets.into_iter().next().unwrap()
}

fn addr(text: &str) -> Host {
    Host::Addr(text.parse::<IpAddr>().unwrap())
}

#[test]
fn dated_block_out_with_syn() {
    // FreeBSD Handbook, firewalls chapter, `ipmon -o SNI` sample.
    let p = clean(
        "28/06/2020 18:57:52.179848 rge0 @0:12 b 192.168.1.100,40702 -> 77.238.185.51,993 PR tcp len 20 60 -S OUT",
    );
    assert_eq!(p.sensor, Sensor::Ipfilter);
    assert_eq!(p.time.unwrap().to_string(), "2020-06-28T18:57:52.179848Z");
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.label.as_deref(), Some("@0:12"));
    assert_eq!(p.out_iface.as_deref(), Some("rge0"));
    assert_eq!(p.in_iface, None);
    assert_eq!(p.src, addr("192.168.1.100"));
    assert_eq!(p.dst, addr("77.238.185.51"));
    assert_eq!((p.src_port, p.dst_port), (Some(40702), Some(993)));
    assert_eq!(p.proto, Proto::TCP);
    assert_eq!(p.ip.total_len, Some(60));
    assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
    assert!(p.flow.is_none());
}

#[test]
fn syslog_pass_in_takes_the_envelope_date() {
    // Written from ipmon's syslog form (tag `ipmon[pid]:`, no date).
    let p = clean(
        "Mar 13 13:48:22 gw ipmon[836]: 13:48:22.229395 lan900 @0:16 p 192.168.1.188,5454 -> 192.168.1.199,5454 PR tcp len 20 44 -S IN",
    );
    assert_eq!(p.time.unwrap().to_string(), "2024-03-13T13:48:22.229395Z");
    assert_eq!(p.action, Action::Accept);
    assert_eq!(p.in_iface.as_deref(), Some("lan900"));
    assert_eq!(p.ip.total_len, Some(44));
}

#[test]
fn time_only_line_with_repeat_count_and_ack() {
    // IP Filter HOWTO, `ipmon -o I` example, with a repeat count added
    // as ipmon prints one.
    let p = clean(
        "15:57:33.803147 2x ppp0 @0:2 b 100.100.100.103,443 -> 20.20.20.10,4923 PR tcp len 20 1488 -A",
    );
    assert_eq!(p.time, None);
    assert_eq!(p.flow.as_ref().unwrap().packets_out, Some(2));
    assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::ACK)));
    assert_eq!(p.in_iface.as_deref(), Some("ppp0"));
    assert_eq!(p.ip.total_len, Some(1488));
}

#[test]
fn udp_and_icmp_error_with_quoted_packet() {
    // FreeBSD Handbook UDP line; an ICMP error written from ipmon's format.
    let out = parse(concat!(
        "28/06/2020 18:57:54.169657 rge0 @0:12 b 192.168.1.100,8698 -> 162.159.200.123,123 PR udp len 20 76 OUT\n",
        "28/06/2020 18:58:01.000001 rge0 @0:3 b 10.0.0.1 -> 192.168.1.100 PR icmp len 20 56 icmp 3/3 for 192.168.1.100,33434 - 10.0.0.1,53 PR udp len 20 28 IN",
    ));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let udp = &out.packets[0];
    assert_eq!(udp.proto, Proto::UDP);
    assert_eq!(udp.dst_port, Some(123));
    let icmp = out.packets[1].icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (3, 3));
    let quoted = icmp.quoted.as_ref().unwrap();
    assert_eq!(quoted.src, addr("192.168.1.100"));
    assert_eq!(quoted.dst_port, Some(53));
    assert_eq!(out.packets[1].ip.total_len, Some(56));
    assert_eq!(out.packets[1].in_iface.as_deref(), Some("rge0"));
}

#[test]
fn names_and_services_from_ipmon_n() {
    // Written from ipmon's `-n` form.
    let p = clean(
        "01/02/2024 10:00:00.000001 le0 @0:1 b attacker.example,1025 -> www.example,http PR tcp len 20 40 -S IN",
    );
    assert_eq!(p.src.to_string(), "attacker.example");
    assert_eq!(p.dst_port, Some(80));
    assert_eq!(p.time.unwrap().to_string(), "2024-02-01T10:00:00.000001Z");
}

#[test]
fn state_and_nat_lines_are_skipped_and_damage_reported() {
    // FreeBSD Handbook `ipmon -o SNI` sample; cut copies of its block line.
    let out = parse(concat!(
        "28/06/2020 18:57:47.089622 @1 NAT:MAP 192.168.1.100,43183 <- -> 192.168.43.100,43183 [1.1.1.1,53]\n",
        "28/06/2020 18:57:47.089607 STATE:NEW 192.168.1.100,43183 -> 1.1.1.1,53 PR udp\n",
        "28/06/2020 18:57:52.179848 rge0 @0:12 b 192.168.1.100,40702 -> 77.238.185.51,993 PR\n",
        "28/06/2020 18:57:52.179848 rge0 @0:12 b 192.168.1.100,40702 -> 77.238.185.51,99x PR tcp len 20 60 -S OUT\n",
        "31/02/2020 18:57:52.179848 rge0 @0:12 b 192.168.1.100,40702 -> 77.238.185.51,993 PR tcp len 20 60 -S OUT",
    ));
    assert_eq!(out.skipped, vec![1, 2]);
    assert_eq!(out.unrecognized.len(), 1);
    assert_eq!(out.packets.len(), 2);
    assert_eq!(out.packets[0].dst_port, None);
    assert_eq!(out.packets[1].time, None);
    assert_eq!(out.warnings.len(), 2);
}

#[test]
fn claims() {
    let parser = IpmonParser::default();
    assert!(parser.claims(b"Mar 13 13:48:22 gw ipmon[836]: 13:48:22.2 x"));
    assert!(parser.claims(b"15:57:33.803147 ppp0 @0:2 b 1.2.3.4,1 -> 5.6.7.8,2 PR tcp"));
    assert!(!parser.claims(b"Mar 13 13:48:22 gw sshd[1]: 1.2.3.4 -> 5.6.7.8 PR"));
    assert!(!parser.claims(b"0001 le0 (x) 1.2.3.4 -> 5.6.7.8 PR"));
}
