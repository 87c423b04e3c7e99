//! Access-list lines of every mnemonic, each with the fields a user relies on.

use std::net::IpAddr;

use picket_model::{Action, Host, Packet, Proto, Sensor};

use super::*;
use crate::dispatch::{Collect, parse_text};

fn parse(text: &str) -> Collect {
    parse_text(
        text.as_bytes(),
        Some(Format::CiscoIos),
        &mut TimeContext::fixed_year(2024),
    )
}

/// The one packet of `line`, which must parse without warnings.
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

fn time(p: &Packet) -> String {
    p.time.map(|t| t.to_string()).unwrap_or_default()
}

#[test]
fn udp_denied_with_ports() {
    // elastic cisco_ios test-cisco-ios.log, line 5.
    let p = clean(
        "Jun 20 02:41:40 192.168.100.2 1663303: Jun 20 02:41:39.326: %SEC-6-IPACCESSLOGP: list 177 denied udp 192.168.100.195(55250) -> 192.168.100.255(15600), 1 packet",
    );
    assert_eq!(p.sensor, Sensor::CiscoIos);
    assert_eq!(time(&p), "2024-06-20T02:41:39.326Z");
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.label.as_deref(), Some("177"));
    assert_eq!(p.proto, Proto::UDP);
    assert_eq!(p.src, addr("192.168.100.195"));
    assert_eq!(p.dst, addr("192.168.100.255"));
    assert_eq!((p.src_port, p.dst_port), (Some(55250), Some(15600)));
    assert!(p.flow.is_none(), "one packet is not a summary");
    assert_eq!(p.in_iface, None);
    assert_eq!(p.origin.line, 1);
}

#[test]
fn icmp_summary_of_32_packets() {
    // elastic cisco_ios test-cisco-ios.log, line 12.
    let p = clean(
        "Jun 20 02:43:29 192.168.100.2 1663326: Jun 20 02:43:28.403: %SEC-6-IPACCESSLOGDP: list 150 denied icmp 192.168.100.12 -> 192.168.100.1 (3/3), 32 packets",
    );
    assert_eq!(p.proto, Proto::ICMP);
    let icmp = p.icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (3, 3));
    assert_eq!((p.src_port, p.dst_port), (None, None));
    assert_eq!(p.flow.as_ref().unwrap().packets_out, Some(32));
    assert_eq!(p.dst, addr("192.168.100.1"));
}

#[test]
fn other_protocols_and_igmp_type() {
    // elastic cisco_ios test-cisco-ios.log, lines 1 to 3.
    let out = parse(
        "Feb  8 04:00:48 192.168.100.2 585917: Feb  8 04:00:47.272: %SEC-6-IPACCESSLOGRP: list 177 denied igmp 192.168.100.197 -> 224.0.0.22, 1 packet\nFeb  9 04:00:48 192.168.100.2 585918: Feb  9 04:00:47.272: %SEC-6-IPACCESSLOGSP: list INBOUND-ON-F11 denied igmp 192.168.100.2 -> 224.0.0.2 (20), 1 packet\nFeb 10 04:00:48 192.168.100.2 585919: Feb 10 04:00:47.272: %SEC-6-IPACCESSLOGNP: list 171 denied 0 192.168.100.1 -> 255.255.255.255, 1 packet",
    );
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.packets.len(), 3);
    assert_eq!(out.packets[0].proto, Proto::IGMP);
    assert_eq!(out.packets[0].dst, addr("224.0.0.22"));
    assert_eq!(out.packets[1].label.as_deref(), Some("INBOUND-ON-F11"));
    assert_eq!(out.packets[1].proto, Proto::IGMP);
    assert_eq!(out.packets[2].proto, Proto(0));
    assert_eq!(out.packets[2].dst, addr("255.255.255.255"));
    assert_eq!(time(&out.packets[2]), "2024-02-10T04:00:47.272Z");
}

#[test]
fn ipv6_permitted_summary() {
    // elastic cisco_ios test-cisco-ios.log, line 4.
    let p = clean(
        "May  3 19:11:33 192.168.100.2 585920: May  3 19:11:32.619: %IPV6-6-ACCESSLOGP: list ACL-IPv6-E0/0-IN/10 permitted tcp 2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6(1027) -> 2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6(22), 9 packets",
    );
    assert_eq!(p.action, Action::Accept);
    assert_eq!(p.label.as_deref(), Some("ACL-IPv6-E0/0-IN/10"));
    assert!(p.ip.v6);
    assert_eq!(p.proto, Proto::TCP);
    assert_eq!((p.src_port, p.dst_port), (Some(1027), Some(22)));
    assert_eq!(p.flow.as_ref().unwrap().packets_out, Some(9));
}

#[test]
fn ios_xe_with_mac_and_interface_glued_to_the_arrow() {
    // elastic cisco_ios test-cisco-ios.log, last line.
    let p = clean(
        "<174>15162564: BGP-BETA: 29391555: Jun 26 16:44:58.802 CEST: %FMANFP-6-IPACCESSLOGP: F0/0: fman_fp_image: list acl_Te0-1-1_in denied tcp 00-00-5E-00-53-23 198.51.100.10(56279) TenGigabitEthernet0/1/1-> 203.0.113.20(45240), 1 packet",
    );
    assert_eq!(p.label.as_deref(), Some("acl_Te0-1-1_in"));
    assert_eq!(p.src, addr("198.51.100.10"));
    assert_eq!(p.in_iface.as_deref(), Some("TenGigabitEthernet0/1/1"));
    assert_eq!(p.dst, addr("203.0.113.20"));
    assert_eq!((p.src_port, p.dst_port), (Some(56279), Some(45240)));
    assert_eq!(time(&p), "2024-06-26T16:44:58.802Z");
}

#[test]
fn ios_xr_access_list_deny() {
    // elastic cisco_ios test-syslog.log, IOS XR line.
    let p = clean(
        "<190>Oct 7 07:19:44 internet-primary-mgmt RP/0/RP0/CPU0:Oct 7 07:19:43.630 UTC: ipv4_acl_mgr[310]: %ACL-IPV4_ACL-6-IPACCESSLOGP : access-list outgoing-to-VCS-GW deny tcp 89.160.20.128(39527) -> 89.160.20.128(1830), 1 packet",
    );
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.label.as_deref(), Some("outgoing-to-VCS-GW"));
    assert_eq!((p.src_port, p.dst_port), (Some(39527), Some(1830)));
    assert_eq!(time(&p), "2024-10-07T07:19:43.63Z");
}

#[test]
fn classic_log_input_interface_group() {
    // Written from Cisco's documented IPACCESSLOGP text with `log-input`.
    let p = clean(
        "Mar  1 00:01:20 10.0.0.1 45: *Mar  1 00:01:19.123: %SEC-6-IPACCESSLOGP: list 101 denied tcp 10.1.1.1(1234) (FastEthernet0/0 0011.2233.4455) -> 10.2.2.2(80), 1 packet",
    );
    assert_eq!(p.in_iface.as_deref(), Some("FastEthernet0/0"));
    assert_eq!(p.src, addr("10.1.1.1"));
    assert_eq!(p.dst_port, Some(80));
}

#[test]
fn standard_list_uses_the_router_as_destination() {
    // Written from Cisco's documented IPACCESSLOGS text.
    let p = clean(
        "Mar  1 00:01:20 10.0.0.1 46: Mar  1 00:01:19: %SEC-6-IPACCESSLOGS: list 10 denied 192.0.2.7 3 packets",
    );
    assert_eq!(p.src, addr("192.0.2.7"));
    assert_eq!(p.dst, addr("10.0.0.1"));
    assert_eq!(p.proto, Proto::UNKNOWN);
    assert_eq!(p.flow.as_ref().unwrap().packets_out, Some(3));
    let out = parse(": %SEC-6-IPACCESSLOGS: list 10 denied 192.0.2.7 1 packet");
    assert_eq!(out.packets[0].dst.to_string(), "unknown");
    assert_eq!(out.warnings.len(), 1);
}

#[test]
fn rate_limit_counter_is_skipped_and_damage_is_reported() {
    // elastic cisco_ios test-cisco-ios.log, line 8, then cut copies of line 5.
    let out = parse(
        "Jun 20 02:42:28 192.168.100.2 1663313: Jun 20 02:42:28.374: %SEC-6-IPACCESSLOGRL: access-list logging rate-limited or missed 18 packets\n: %SEC-6-IPACCESSLOGP: list 177 denied udp 192.168.100.195(55250) ->\n: %SEC-6-IPACCESSLOGP: list 177\n: %SEC-6-IPACCESSLOGP: list 177 denied udp 192.168.100.195(55250) -> 192.168.100.255, 1 packet",
    );
    assert_eq!(out.skipped, vec![1]);
    assert_eq!(out.unrecognized.len(), 2);
    assert_eq!(out.packets.len(), 1);
    assert_eq!(out.packets[0].dst_port, None);
    assert_eq!(out.warnings.len(), 1);
}

#[test]
fn claims_only_access_list_mnemonics() {
    let parser = CiscoIosParser::default();
    assert!(parser.claims(b"x: %SEC-6-IPACCESSLOGP: list 1 denied"));
    assert!(!parser.claims(b"Mar 24 12:09:35 r1 1: %OSPF-4-NOVALIDKEY: No valid key"));
    assert!(!parser.claims(b"user wrote ACCESSLOG in a message"));
    assert!(!parser.claims(b"%ASA-4-106023: Deny tcp src outside:10.1.1.1/1 dst in:10.2.2.2/80"));
}
