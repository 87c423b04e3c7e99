//! ASA messages of every kind read, each with the fields a user relies on.

use std::net::IpAddr;

use picket_model::{Action, FlowOutcome, Host, Packet, Proto, Sensor, TcpFlags};

use super::*;
use crate::dispatch::{Collect, parse_text};

fn parse(text: &str) -> Collect {
    parse_text(
        text.as_bytes(),
        Some(Format::CiscoAsa),
        &mut TimeContext::fixed_year(2024),
    )
}

/// The one packet of `line`, which must parse without warnings.
fn clean(line: &str) -> Packet {
    let out = parse(line);
    assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.packets.len(), 1, "{:?}", out.skipped);
    out.packets.into_iter().next().unwrap()
}

fn addr(text: &str) -> Host {
    Host::Addr(text.parse::<IpAddr>().unwrap())
}

fn time(p: &Packet) -> String {
    p.time.map(|t| t.to_string()).unwrap_or_default()
}

#[test]
fn access_group_deny() {
    // elastic cisco_asa test-sample.log, line 35.
    let p = clean(
        "Apr 30 2013 09:23:40: %ASA-4-106023: Deny tcp src outside:192.168.2.126/53638 dst inside:10.0.0.132/8111 by access-group \"acl_out\" [0x71761f18, 0x0]",
    );
    assert_eq!(p.sensor, Sensor::CiscoAsa);
    assert_eq!(time(&p), "2013-04-30T09:23:40Z");
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.label.as_deref(), Some("acl_out"));
    assert_eq!(p.proto, Proto::TCP);
    assert_eq!(p.src, addr("192.168.2.126"));
    assert_eq!(p.dst, addr("10.0.0.132"));
    assert_eq!((p.src_port, p.dst_port), (Some(53638), Some(8111)));
    assert_eq!(p.in_iface.as_deref(), Some("outside"));
    assert_eq!(p.out_iface.as_deref(), Some("inside"));
    assert_eq!(p.tcp_flags(), None);
    assert!(p.flow.is_none());
}

#[test]
fn access_group_icmpv6_protocol_number_and_hostname_suffix() {
    // elastic cisco_asa test-additional-messages.log, IPv6 ICMP, GRE and
    // hostname lines.
    let out = parse(concat!(
        "Apr 27 2020 02:03:03 dev01: %ASA-4-106023: Deny icmp src OUTSIDE:2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6 dst OUTSIDE:2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6 (type 128, code 0) by access-group \"OUTSIDE_in\"\n",
        "Apr 27 2020 02:03:03 dev01: %ASA-4-106023: Deny protocol 47 src outside:81.2.69.144 dst inside:172.31.98.44 by access-group \"inbound\"\n",
        "Apr 27 02:02:02 dev01: %ASA-4-106023: Deny tcp src outside:10.10.10.2/56444 dst srv:192.168.2.2/51635(testhostname.domain) by access-group \"global_access_1\"",
    ));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let v6 = &out.packets[0];
    assert_eq!(v6.proto, Proto::ICMPV6);
    assert!(v6.ip.v6);
    assert_eq!(v6.in_iface.as_deref(), Some("OUTSIDE"));
    let icmp = v6.icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (128, 0));
    assert_eq!(v6.label.as_deref(), Some("OUTSIDE_in"));
    assert_eq!(out.packets[1].proto, Proto(47));
    assert_eq!(out.packets[1].dst, addr("172.31.98.44"));
    assert_eq!(out.packets[2].dst, addr("192.168.2.2"));
    assert_eq!(out.packets[2].dst_port, Some(51635));
    assert_eq!(time(&out.packets[2]), "2024-04-27T02:02:02Z");
}

#[test]
fn inbound_tcp_denied_with_flags() {
    // elastic cisco_asa test-additional-messages.log, 106001 line.
    let p = clean(
        "May  5 18:40:50 dev01: %ASA-2-106001: Inbound TCP connection denied from 192.168.2.2/43803 to 10.10.10.10/14322 flags SYN  on interface out111",
    );
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!((p.src_port, p.dst_port), (Some(43803), Some(14322)));
    assert_eq!(p.in_iface.as_deref(), Some("out111"));
    assert_eq!(time(&p), "2024-05-05T18:40:50Z");
}

#[test]
fn no_connection_deny_flags() {
    // elastic cisco_asa test-additional-messages.log, 106015 line.
    let p = clean(
        "May  5 19:02:58 dev01: %ASA-6-106015: Deny TCP (no connection) from 192.168.2.2/53089 to 10.10.10.10/443 flags FIN PSH ACK  on interface out111",
    );
    assert_eq!(
        p.tcp_flags(),
        Some(TcpFlags(TcpFlags::FIN | TcpFlags::PSH | TcpFlags::ACK))
    );
    assert_eq!(p.dst, addr("10.10.10.10"));
}

#[test]
fn inbound_udp_dns_and_protocol_denies() {
    // elastic cisco_asa test-sample.log (106006, 106007) and
    // test-additional-messages.log (106010, 106014, 106016, 106021).
    let out = parse(concat!(
        "Apr 30 2013 09:23:02: %ASA-2-106006: Deny inbound UDP from 192.168.2.66/137 to 10.1.2.42/137 on interface inside\n",
        "Apr 30 2013 09:22:33: %ASA-2-106007: Deny inbound UDP from 192.168.0.66/12981 to 10.1.2.60/53 due to DNS Query\n",
        "May  5 19:02:25 dev01: %ASA-3-106010: Deny inbound sctp src fw111:10.10.10.10/5114 dst fw111:10.10.10.10/2\n",
        "May  5 19:02:26 dev01: %ASA-3-106014: Deny inbound icmp src fw111:10.10.10.10 dst fw111:10.10.10.10(type 8, code 0)\n",
        "Sep 12 2014 06:50:53 GIFRCHN01 : %ASA-2-106016: Deny IP spoof from (0.0.0.0) to 192.168.99.47 on interface Mobile_Traffic\n",
        "May  5 18:40:50 dev01: %ASA-4-106021: Deny TCP reverse path check from 192.168.2.2 to 10.10.10.10 on interface fw111",
    ));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.packets.len(), 6);
    assert!(out.packets.iter().all(|p| p.action == Action::Drop));
    assert_eq!(out.packets[0].in_iface.as_deref(), Some("inside"));
    assert_eq!(out.packets[0].proto, Proto::UDP);
    assert_eq!(out.packets[1].dst_port, Some(53));
    assert_eq!(out.packets[2].proto, Proto(132));
    assert_eq!(out.packets[2].src_port, Some(5114));
    let icmp = out.packets[3].icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (8, 0));
    assert_eq!(out.packets[4].src, addr("0.0.0.0"));
    assert_eq!(out.packets[4].proto, Proto::UNKNOWN);
    assert_eq!(out.packets[4].in_iface.as_deref(), Some("Mobile_Traffic"));
    assert_eq!(out.packets[5].proto, Proto::TCP);
    assert_eq!(out.packets[5].src_port, None);
}

#[test]
fn access_list_hits_with_counts_and_names() {
    // elastic cisco_asa test-sample.log, lines 4 and 5, and
    // test-additional-messages.log's name-for-address 106100 line.
    let out = parse(concat!(
        "Apr 24 2013 16:00:28 INT-FW01 : %ASA-6-106100: access-list inside denied udp inside/172.29.2.101(1039) -> outside/192.168.2.10(53) hit-cnt 1 first hit [0xd820e56a, 0x0]\n",
        "Apr 24 2013 16:00:27 INT-FW01 : %ASA-6-106100: access-list inside permitted udp inside/172.29.2.3(1065) -> outside/192.168.2.57(53) hit-cnt 144 300-second interval [0xe982c7a4, 0x0]\n",
        "Oct 20 2019 15:15:15 dev01: %ASA-5-106100: access-list testrulename denied tcp insideintf/somedomainname.local(27218) -> OUTSIDE/192.168.157.61(53) hit-cnt 1 first hit [0x16847359, 0x00000000]",
    ));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let first = &out.packets[0];
    assert_eq!(first.action, Action::Drop);
    assert_eq!(first.label.as_deref(), Some("inside"));
    assert_eq!(first.in_iface.as_deref(), Some("inside"));
    assert_eq!(first.out_iface.as_deref(), Some("outside"));
    assert_eq!((first.src_port, first.dst_port), (Some(1039), Some(53)));
    assert!(first.flow.is_none());
    let summary = &out.packets[1];
    assert_eq!(summary.action, Action::Accept);
    assert_eq!(summary.flow.as_ref().unwrap().packets_out, Some(144));
    assert_eq!(out.packets[2].src.to_string(), "somedomainname.local");
    assert_eq!(time(&out.packets[2]), "2019-10-20T15:15:15Z");
}

#[test]
fn icmp_to_the_device_and_without_session() {
    // elastic cisco_asa test-sample.log, 313001 and 313004 lines.
    let out = parse(concat!(
        "Sep 12 2014 06:53:02 GIFRCHN01 : %ASA-3-313001: Denied ICMP type=3, code=3 from 10.2.3.5 on interface Outside\n",
        "Jan 14 2015 13:16:13: %ASA-4-313004: Denied ICMP type=0, from laddr 172.16.30.2 on interface inside to 172.16.1.10: no matching session",
    ));
    let denied = &out.packets[0];
    assert_eq!(denied.src, addr("10.2.3.5"));
    assert_eq!(
        denied.dst.to_string(),
        "unknown",
        "no syslog host to stand for the device"
    );
    let icmp = denied.icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (3, 3));
    assert_eq!(denied.in_iface.as_deref(), Some("Outside"));
    assert_eq!(out.warnings.len(), 1);
    let stray = &out.packets[1];
    assert_eq!(stray.src, addr("172.16.30.2"));
    assert_eq!(stray.dst, addr("172.16.1.10"));
    assert_eq!(stray.icmp.as_ref().unwrap().kind, 0);
    // With a syslog host, the device is the destination.
    let p = clean(
        "May  5 18:40:50 asa1 : %ASA-3-313001: Denied ICMP type=8, code=0 from 192.168.253.21 on interface outside",
    );
    assert_eq!(p.dst.to_string(), "asa1");
}

#[test]
fn tcp_to_the_device_denied() {
    // elastic cisco_asa test-additional-messages.log, 710003 line.
    let p = clean(
        "Apr 27 02:03:03 dev01: %ASA-3-710003: TCP access denied by ACL from 81.2.69.144/6370 to outside:192.168.157.61/23",
    );
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.src, addr("81.2.69.144"));
    assert_eq!((p.src_port, p.dst_port), (Some(6370), Some(23)));
    assert_eq!(p.in_iface.as_deref(), Some("outside"));
    assert_eq!(p.out_iface, None);
}

#[test]
fn threat_rate_about_a_host_is_a_packet_others_are_skipped() {
    // elastic cisco_asa test-additional-messages.log, 733100 lines.
    let out = parse(concat!(
        "May  5 19:02:25 dev01: %ASA-4-733100: [192.168.2.2] drop rate-1 exceeded. Current burst rate is 0 per second, max configured rate is -4; Current average rate is 7 per second, max configured rate is -4; Cumulative total count is 9063\n",
        "May  5 19:02:25 dev01: %ASA-4-733100: [ Scanning] drop rate-2 exceeded. Current burst rate is 0 per second, max configured rate is 8; Current average rate is 5 per second, max configured rate is 4; Cumulative total count is 19269\n",
        "May  5 19:02:25 dev01: %ASA-4-733100: [           RDP 3389] drop rate-1 exceeded. Current burst rate is 63 per second, max configured rate is 10; Current average rate is 5 per second, max configured rate is 5; Cumulative total count is 3054",
    ));
    assert_eq!(out.packets.len(), 1);
    assert_eq!(out.skipped, vec![2, 3]);
    let p = &out.packets[0];
    assert_eq!(p.src, addr("192.168.2.2"));
    assert_eq!(p.dst.to_string(), "dev01");
    assert_eq!(p.label.as_deref(), Some("drop rate-1 exceeded"));
    assert_eq!(p.flow.as_ref().unwrap().packets_out, Some(9063));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn built_then_teardown_is_one_flow_opened_by_the_inside_host() {
    // elastic cisco_asa test-asa.log: connection 11777 built and torn down.
    let out = parse(concat!(
        "Oct 10 2018 12:34:56 localhost CiscoASA[999]: %ASA-6-302013: Built outbound TCP connection 11777 for outside:100.66.133.112/80 (100.66.133.112/80) to inside:172.31.98.44/1453 (172.31.98.44/1453)\n",
        "Oct 10 2018 12:34:56 localhost CiscoASA[999]: %ASA-6-302014: Teardown TCP connection 11777 for outside:100.66.133.112/80 to inside:172.31.98.44/1453 duration 0:00:00 bytes 862 TCP FINs",
    ));
    assert_eq!(out.skipped, vec![1]);
    assert_eq!(out.packets.len(), 1);
    let p = &out.packets[0];
    assert_eq!(p.action, Action::Accept);
    assert_eq!(p.src, addr("172.31.98.44"));
    assert_eq!(p.dst, addr("100.66.133.112"));
    assert_eq!((p.src_port, p.dst_port), (Some(1453), Some(80)));
    assert_eq!(p.in_iface.as_deref(), Some("inside"));
    assert_eq!(p.out_iface.as_deref(), Some("outside"));
    let flow = p.flow.as_ref().unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Established));
    assert_eq!(flow.duration_ms, Some(0));
    assert_eq!(p.origin.line, 2);
}

#[test]
fn teardown_reasons_give_outcomes_and_start_times() {
    // elastic cisco_asa test-asa.log (SYN Timeout, Reset-I) and
    // test-additional-messages.log (Reset-I with no bytes, UDP).
    let out = parse(concat!(
        "Oct 10 2018 12:34:56 localhost CiscoASA[999]: %ASA-6-302014: Teardown TCP connection 11753 for outside:100.66.35.162/80 to inside:172.31.98.44/1765 duration 0:00:30 bytes 0 SYN Timeout\n",
        "Oct 10 2018 12:34:56 localhost CiscoASA[999]: %ASA-6-302014: Teardown TCP connection 11749 for outside:100.66.211.242/80 to inside:172.31.98.44/1758 duration 0:01:07 bytes 38110 TCP Reset-I\n",
        "May  5 18:29:32 dev01: %ASA-6-302014: Teardown TCP connection 2960892904 for out111:10.10.10.10/443 to fw111:192.168.2.2/55225 duration 0:00:00 bytes 0 TCP Reset-I\n",
        "Apr 29 2013 12:59:50: %ASA-6-302016: Teardown UDP connection 89743275 for outside:192.168.2.222/53 to inside:10.123.1.35/52925 duration 1:23:45 bytes 140",
    ));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let outcome = |i: usize| out.packets[i].flow.as_ref().unwrap().outcome;
    assert_eq!(outcome(0), Some(FlowOutcome::Unanswered));
    assert_eq!(time(&out.packets[0]), "2018-10-10T12:34:26Z");
    assert_eq!(out.packets[0].src, addr("172.31.98.44"));
    assert_eq!(out.packets[0].dst_port, Some(80));
    assert_eq!(outcome(1), Some(FlowOutcome::Established));
    assert_eq!(outcome(2), Some(FlowOutcome::Rejected));
    assert_eq!(out.packets[2].src, addr("192.168.2.2"));
    assert_eq!(outcome(3), None);
    assert_eq!(out.packets[3].proto, Proto::UDP);
    assert_eq!(
        out.packets[3].flow.as_ref().unwrap().duration_ms,
        Some(5_025_000)
    );
    assert_eq!(time(&out.packets[3]), "2013-04-29T11:36:05Z");
}

#[test]
fn inbound_built_keeps_the_outside_host_as_source_and_names_stay_names() {
    // elastic cisco_asa test-sample.log: PIX-style line with a name for an
    // address; written from it, an inbound connection and its teardown.
    let out = parse(concat!(
        "Sep  7 06:25:28 PIXName %PIX-6-302013: Built inbound TCP connection 141968 for outside:attacker.example/60749 (attacker.example/60749) to dmz:10.0.0.2/22 (10.0.0.2/22)\n",
        "Sep  7 06:25:29 PIXName %PIX-6-302014: Teardown TCP connection 141968 for outside:attacker.example/60749 to dmz:10.0.0.2/22 duration 0:00:01 bytes 0 TCP Reset-O",
    ));
    let p = &out.packets[0];
    assert_eq!(p.src.to_string(), "attacker.example");
    assert_eq!(p.dst, addr("10.0.0.2"));
    assert_eq!(p.dst_port, Some(22));
    assert_eq!(
        p.flow.as_ref().unwrap().outcome,
        Some(FlowOutcome::Rejected)
    );
    assert_eq!(time(p), "2024-09-07T06:25:28Z");
}

#[test]
fn other_messages_are_skipped_and_damage_is_reported() {
    // elastic cisco_asa test-additional-messages.log (609001, 111009) and
    // cut copies of test-sample.log line 35.
    let out = parse(concat!(
        "May  5 18:22:35 dev01: %ASA-7-609001: Built local-host net:10.10.10.10\n",
        "May  5 19:03:27 dev01: %ASA-7-111009: User 'aaaa' executed cmd: show access-list fw211111_access_out brief\n",
        "Apr 30 2013 09:23:40: %ASA-4-106023: Deny tcp src outside:192.168.2.126/53638\n",
        "Apr 30 2013 09:23:40: %ASA-4-106023: Deny\n",
        "Feb 30 2013 09:23:40: %ASA-4-106023: Deny tcp src outside:192.168.2.126/53638 dst inside:10.0.0.132/8111 by access-group \"acl_out\"",
    ));
    assert_eq!(out.skipped, vec![1, 2]);
    assert_eq!(out.unrecognized.len(), 2);
    assert_eq!(out.packets.len(), 1);
    assert_eq!(out.packets[0].time, None);
    assert_eq!(out.warnings.len(), 1);
}

#[test]
fn claims_asa_pix_ftd_only() {
    let parser = CiscoAsaParser::default();
    assert!(parser.claims(b"x %ASA-4-106023: Deny"));
    assert!(parser.claims(b"x %FTD-6-302013: Built"));
    assert!(parser.claims(b"x %ASA-session-5-106100: access-list"));
    assert!(parser.claims(b"Aug 15 2012 23:30:09 : %ASA-6-302016 Teardown UDP"));
    assert!(!parser.claims(b"%SEC-6-IPACCESSLOGP: list 1 denied"));
    assert!(!parser.claims(b"GET /%ASA-x HTTP/1.1"));
    assert!(!parser.claims(b"100% done"));
}
