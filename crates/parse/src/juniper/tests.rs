//! SRX and NetScreen records of every kind, each with the fields a user
//! relies on.

use std::net::IpAddr;

use picket_model::{Action, FlowOutcome, Host, Packet, Proto, Sensor};

use super::*;
use crate::dispatch::{Collect, parse_text};

fn parse(text: &str) -> Collect {
    parse_text(
        text.as_bytes(),
        Some(Format::Juniper),
        &mut TimeContext::fixed_year(2024),
    )
}

fn clean(line: &str) -> Packet {
    let out = parse(line);
    assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.packets.len(), 1, "skipped {:?}", out.skipped);
    out.packets.into_iter().next().unwrap()
}

fn addr(text: &str) -> Host {
    Host::Addr(text.parse::<IpAddr>().unwrap())
}

fn time(p: &Packet) -> String {
    p.time.map(|t| t.to_string()).unwrap_or_default()
}

#[test]
fn structured_deny() {
    // elastic juniper_srx test-flow.log, line 2.
    let p = clean(
        "<14>1 2019-11-14T11:12:46.573+01:00 SRX-GW1 RT_FLOW - RT_FLOW_SESSION_DENY [junos@67.43.156.15 source-address=\"10.0.0.26\" source-port=\"37233\" destination-address=\"67.43.156.13\" destination-port=\"161\" connection-tag=\"0\" service-name=\"None\" protocol-id=\"17\" icmp-type=\"0\" policy-name=\"MgmtAccess-trust-cleanup\" source-zone-name=\"trust\" destination-zone-name=\"junos-host\" application=\"UNKNOWN\" nested-application=\"UNKNOWN\" username=\"N/A\" roles=\"N/A\" packet-incoming-interface=\".local..0\" encrypted=\"No\" reason=\"Denied by policy\" session-id-32=\"7087\" application-category=\"N/A\" application-sub-category=\"N/A\" application-risk=\"1\" application-characteristics=\"N/A\"]",
    );
    assert_eq!(p.sensor, Sensor::Juniper);
    assert_eq!(time(&p), "2019-11-14T10:12:46.573Z");
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.src, addr("10.0.0.26"));
    assert_eq!(p.dst, addr("67.43.156.13"));
    assert_eq!((p.src_port, p.dst_port), (Some(37233), Some(161)));
    assert_eq!(p.proto, Proto::UDP);
    assert_eq!(p.label.as_deref(), Some("MgmtAccess-trust-cleanup"));
    assert_eq!(p.in_iface.as_deref(), Some(".local..0"));
    assert!(p.flow.is_none());
}

#[test]
fn structured_close_with_counts_dated_at_start() {
    // elastic juniper_srx test-flow.log, the `TCP RST` close to port 445.
    let p = clean(
        "<14>1 2019-04-13T14:33:06.576Z cixi RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@67.43.156.15 reason=\"TCP RST\" source-address=\"192.168.2.164\" source-port=\"53232\" destination-address=\"172.16.1.19\" destination-port=\"445\" service-name=\"junos-smb\" nat-source-address=\"192.168.2.164\" nat-source-port=\"53232\" nat-destination-address=\"172.16.1.19\" nat-destination-port=\"445\" src-nat-rule-name=\"None\" dst-nat-rule-name=\"None\" protocol-id=\"6\" policy-name=\"35\" source-zone-name=\"Trust\" destination-zone-name=\"Trust\" session-id-32=\"206\" packets-from-client=\"13\" bytes-from-client=\"4274\" packets-from-server=\"9\" bytes-from-server=\"1575\" elapsed-time=\"16\" application=\"UNKNOWN\" nested-application=\"UNKNOWN\" username=\"N/A\" roles=\"N/A\" packet-incoming-interface=\"ge-0/0/2.0\"]",
    );
    assert_eq!(p.action, Action::Accept);
    assert_eq!(time(&p), "2019-04-13T14:32:50.576Z");
    assert_eq!(p.label.as_deref(), Some("35"));
    assert_eq!(p.in_iface.as_deref(), Some("ge-0/0/2.0"));
    let flow = p.flow.as_ref().unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Established));
    assert_eq!((flow.packets_out, flow.packets_back), (Some(13), Some(9)));
    assert_eq!((flow.bytes_out, flow.bytes_back), (Some(4274), Some(1575)));
    assert_eq!(flow.duration_ms, Some(16_000));
}

#[test]
fn unanswered_close_and_curly_quotes() {
    // elastic juniper_srx test-flow.log: the `unset` UDP close (nothing back)
    // and an APPTRACK line with typographic quotes (skipped).
    let out = parse(concat!(
        "<14>1 2014-05-01T08:28:10.933Z fw01 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@67.43.156.15 reason=\"unset\" source-address=\"67.43.156.15\" source-port=\"63456\" destination-address=\"67.43.156.15\" destination-port=\"902\" service-name=\"None\" nat-source-address=\"67.43.156.15\" nat-source-port=\"63456\" nat-destination-address=\"67.43.156.15\" nat-destination-port=\"902\" src-nat-rule-name=\"None\" dst-nat-rule-name=\"None\" protocol-id=\"17\" policy-name=\"mngmt-to-vcenter\" source-zone-name=\"mngmt\" destination-zone-name=\"intra\" session-id-32=\"15353\" packets-from-client=\"1\" bytes-from-client=\"94\" packets-from-server=\"0\" bytes-from-server=\"0\" elapsed-time=\"60\" application=\"UNKNOWN\" nested-application=\"UNKNOWN\" username=\"N/A\" roles=\"N/A\" packet-incoming-interface=\"reth3.5\" encrypted=\"No \"]\n",
        "<14>1 2013-01-19T15:18:20.040 SRX100HM RT_FLOW - APPTRACK_SESSION_CLOSE [junos@67.43.156.15 reason=\"TCP CLIENT RST\" source-address=\"67.43.156.14\" destination-interface-name=”st0.0” apbr-rule-type=”default”]",
    ));
    assert_eq!(out.packets.len(), 1);
    assert_eq!(out.skipped, vec![2]);
    let flow = out.packets[0].flow.as_ref().unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Unanswered));
    assert_eq!(time(&out.packets[0]), "2014-05-01T08:27:10.933Z");
}

#[test]
fn start_then_end_counts_once() {
    // elastic juniper_srx test-flow.log: the ICMP session 41 created and
    // closed on mrpp-srx550-dut01.
    let out = parse(concat!(
        "<14>1 2010-09-30T14:55:04.323+08:00 mrpp-srx550-dut01 RT_FLOW - RT_FLOW_SESSION_CREATE [junos@67.43.156.15 source-address=\"192.168.2.1\" source-port=\"1\" destination-address=\"192.168.100.12\" destination-port=\"46384\" service-name=\"icmp\" nat-source-address=\"192.168.2.1\" nat-source-port=\"1\" nat-destination-address=\"67.43.156.14\" nat-destination-port=\"46384\" src-nat-rule-name=\"None\" dst-nat-rule-name=\"None\" protocol-id=\"1\" policy-name=\"policy1\" source-zone-name=\"trustZone\" destination-zone-name=\"untrustZone\" session-id-32=\"41\" packet-incoming-interface=\"ge-0/0/1.0\"]\n",
        "<14>1 2010-09-30T14:55:07.188+08:00 mrpp-srx550-dut01 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@67.43.156.15 reason=\"response received\" source-address=\"192.168.2.1\" source-port=\"1\" destination-address=\"192.168.100.12\" destination-port=\"46384\" service-name=\"icmp\" nat-source-address=\"192.168.2.1\" nat-source-port=\"1\" nat-destination-address=\"67.43.156.14\" nat-destination-port=\"46384\" src-nat-rule-name=\"None\" dst-nat-rule-name=\"None\" protocol-id=\"1\" policy-name=\"policy1\" source-zone-name=\"trustZone\" destination-zone-name=\"untrustZone\" session-id-32=\"41\" packets-from-client=\"1\" bytes-from-client=\"84\" packets-from-server=\"1\" bytes-from-server=\"84\" elapsed-time=\"0\" packet-incoming-interface=\"ge-0/0/1.0\"]\n",
        "<14>1 2010-09-30T14:55:08.000+08:00 mrpp-srx550-dut01 RT_FLOW - RT_FLOW_SESSION_CREATE [junos@67.43.156.15 source-address=\"192.168.2.1\" source-port=\"2\" destination-address=\"192.168.100.12\" destination-port=\"46385\" protocol-id=\"1\" policy-name=\"policy1\" session-id-32=\"42\"]",
    ));
    assert_eq!(
        out.packets.len(),
        1,
        "the end of an emitted start is skipped"
    );
    assert_eq!(out.skipped, vec![2, 3]);
    let p = &out.packets[0];
    assert_eq!(p.proto, Proto::ICMP);
    assert_eq!((p.src_port, p.dst_port), (None, None));
    assert_eq!(p.icmp.as_ref().unwrap().kind, 0);
    assert!(p.flow.is_none());
    assert_eq!(time(p), "2010-09-30T06:55:04.323Z");
}

#[test]
fn plain_deny_create_and_close() {
    // logstash-patterns-core spec/patterns/junos_spec.rb: RT_FLOW3, RT_FLOW2
    // and RT_FLOW1 (in a file of their own: an end follows the start).
    let out = parse(concat!(
        "Sep 29 23:49:20 SRX-1 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.1/54924->192.168.1.1/53 junos-dns-udp 17(0) default-deny(global) trust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny\n",
        "Dec 17 08:04:45 RT_FLOW: RT_FLOW_SESSION_CREATE: session created 10.10.10.2/53836->10.10.10.1/22 junos-ssh 10.10.10.2/53836->10.10.10.1/22 None None 6 log-host-traffic untrust junos-host 5 N/A(N/A) ge-0/0/1.0",
    ));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let deny = &out.packets[0];
    assert_eq!(deny.action, Action::Drop);
    assert_eq!(time(deny), "2024-09-29T23:49:20Z");
    assert_eq!((deny.src_port, deny.dst_port), (Some(54924), Some(53)));
    assert_eq!(deny.proto, Proto::UDP);
    assert_eq!(deny.label.as_deref(), Some("default-deny(global)"));
    assert_eq!(deny.in_iface.as_deref(), Some("ge-0/0/0.0"));
    let start = &out.packets[1];
    assert_eq!(start.action, Action::Accept);
    assert_eq!(start.proto, Proto::TCP);
    assert_eq!(start.label.as_deref(), Some("log-host-traffic"));
    assert_eq!(start.in_iface.as_deref(), Some("ge-0/0/1.0"));
    assert_eq!(start.dst_port, Some(22));

    let close = clean(
        "Dec 17 08:05:30 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.10.10.2/53836->10.10.10.1/22 junos-ssh 10.10.10.2/53836->10.10.10.1/22 None None 6 log-host-traffic untrust junos-host 5 78(6657) 122(13305) 45 UNKNOWN UNKNOWN N/A(N/A) ge-0/0/1.0 No ",
    );
    let flow = close.flow.as_ref().unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Established));
    assert_eq!((flow.packets_out, flow.bytes_out), (Some(78), Some(6657)));
    assert_eq!(
        (flow.packets_back, flow.bytes_back),
        (Some(122), Some(13305))
    );
    assert_eq!(flow.duration_ms, Some(45_000));
    assert_eq!(time(&close), "2024-12-17T08:04:45Z");
    assert_eq!(close.label.as_deref(), Some("log-host-traffic"));
    assert_eq!(close.in_iface.as_deref(), Some("ge-0/0/1.0"));
}

#[test]
fn netscreen_traffic_denied_and_closed() {
    // logstash-patterns-core spec/patterns/netscreen_spec.rb, with and
    // without its session_id/reason suffix; a close written from the format.
    let out = parse(concat!(
        "Jun  2 14:53:31 fire00 aka1: NetScreen device_id=aka1  [Root]system-notification-00257(traffic): start_time=\"2006-06-02 14:53:30\" duration=0 policy_id=120 service=udp/port:17210 proto=17 src zone=Trust dst zone=DMZ action=Deny sent=0 rcvd=0 src=192.168.2.2 dst=1.2.3.4 src_port=53 dst_port=17210\n",
        "Jun  2 14:53:31 fire00 aka1: NetScreen device_id=aka1  [Root]system-notification-00257(traffic): start_time=\"2006-06-02 14:53:30\" duration=0 policy_id=120 service=udp/port:17210 proto=17 src zone=Trust dst zone=DMZ action=Deny sent=0 rcvd=0 src=192.168.2.2 dst=1.2.3.4 src_port=53 dst_port=17210 session_id=0 reason=Traffic Denied\n",
        "Jun  2 15:00:00 fire00 aka1: NetScreen device_id=aka1  [Root]system-notification-00257(traffic): start_time=\"2006-06-02 14:59:00\" duration=60 policy_id=7 service=tcp/port:23 proto=6 src zone=Untrust dst zone=Trust action=Permit sent=180 rcvd=40 src=203.0.113.9 dst=10.1.1.5 src_port=4000 dst_port=23 src-xlated ip=203.0.113.9 port=4000 dst-xlated ip=10.1.1.5 port=23 session_id=991 reason=Close - TCP RST",
    ));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.packets.len(), 3);
    let deny = &out.packets[0];
    assert_eq!(deny.action, Action::Drop);
    assert_eq!(deny.src, addr("192.168.2.2"));
    assert_eq!(deny.dst, addr("1.2.3.4"));
    assert_eq!((deny.src_port, deny.dst_port), (Some(53), Some(17210)));
    assert_eq!(deny.label.as_deref(), Some("120"));
    assert_eq!(time(deny), "2006-06-02T14:53:30Z");
    assert_eq!(out.packets[1].action, Action::Drop);
    let close = &out.packets[2];
    assert_eq!(close.action, Action::Accept);
    let flow = close.flow.as_ref().unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Rejected));
    assert_eq!((flow.bytes_out, flow.bytes_back), (Some(180), Some(40)));
    assert_eq!(flow.duration_ms, Some(60_000));
    assert_eq!(time(close), "2006-06-02T14:59:00Z");
}

#[test]
fn netscreen_icmp_and_screen_alarms() {
    // Logscape's NetScreen examples (ICMP traffic, FIN-no-ACK and large ICMP
    // alarms), addresses filled in where the source masked them.
    let out = parse(concat!(
        "Apr 4 15:12:51 127.0.0.1 HOST_NETSCREEN: NetScreen device_id=HOST_NETSCREEN [No Name]system-notification-00257(traffic): start_time=\"2006-04-04 15:12:51\" duration=0 policy_id=320001 service=icmp proto=1 src zone=Null dst zone=self action=Deny sent=0 rcvd=28 src=192.0.2.10 dst=198.51.100.1 icmp type=8 session_id=0\n",
        "Apr 24 19:55:17 127.0.0.1 ns204: NetScreen device_id=HOST_NETSCREEN [Root]system-critical-00438: FIN but no ACK bit! From 192.0.2.10:57491 to 198.51.100.1:6346, proto TCP (zone V1-Untrust, int v1-untrust). Occurred 3 times. (2006-04-24 19:55:17)\n",
        "Apr 5 14:35:14 127.0.0.1 ns204: NetScreen device_id=HOST_NETSCREEN [Root]system-critical-00436: Large ICMP packet! From 192.0.2.10 to 198.51.100.1, proto 1 (zone V1-Untrust, int v1-untrust). Occurred 1 times. (2006-04-05 14:35:14)\n",
        "Apr 4 15:12:51 127.0.0.1 HOST_NETSCREEN: NetScreen device_id=HOST_NETSCREEN [Root]system-notification-00535: PKI: Saved CA configuration (2006-04-04 15:12:50)",
    ));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.packets.len(), 3);
    assert_eq!(out.skipped, vec![4]);
    let icmp = &out.packets[0];
    assert_eq!(icmp.proto, Proto::ICMP);
    assert_eq!(icmp.icmp.as_ref().unwrap().kind, 8);
    assert_eq!(icmp.label.as_deref(), Some("320001"));
    let fin = &out.packets[1];
    assert_eq!(fin.label.as_deref(), Some("FIN but no ACK bit"));
    assert_eq!((fin.src_port, fin.dst_port), (Some(57491), Some(6346)));
    assert_eq!(fin.in_iface.as_deref(), Some("v1-untrust"));
    assert_eq!(fin.flow.as_ref().unwrap().packets_out, Some(3));
    assert_eq!(time(fin), "2006-04-24T19:55:17Z");
    let large = &out.packets[2];
    assert_eq!(large.proto, Proto::ICMP);
    assert!(large.flow.is_none());
    assert_eq!(large.label.as_deref(), Some("Large ICMP packet"));
}

#[test]
fn damaged_records() {
    // Graylog's SyslogCodec test line (a NetScreen creation with no
    // endpoints) and cut SRX lines.
    let out = parse(concat!(
        "<133>NOMA101FW01A: NetScreen device_id=NOMA101FW01A [Root]system-notification-00257(traffic): start_time=\"2011-12-23 17:33:43\" duration=0 reason=Creation\n",
        "Sep 29 23:49:20 SRX-1 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.1/54924->192.168.1.1/53\n",
        "<14>1 2019-11-14T11:12:46.573+01:00 SRX-GW1 RT_FLOW - RT_FLOW_SESSION_DENY [junos@67.43.156.15 source-address=\"10.0.0.26\" source-port=\"x\" destination-address=\"67.43.156.13\" destination-port=\"161\" protocol-id=\"17\"]\n",
        "Sep 29 23:49:20 SRX-1 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed",
    ));
    assert_eq!(out.unrecognized.len(), 3);
    assert_eq!(out.packets.len(), 1);
    assert_eq!(out.packets[0].src_port, None);
    assert_eq!(out.warnings.len(), 1);
    let parser = JuniperParser::default();
    assert!(!parser.claims(b"Dec 17 08:05:30 host MY_RT_FLOWER: x"));
    assert!(!parser.claims(b"screen device_id=1"));
}
