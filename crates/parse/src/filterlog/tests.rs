//! filterlog lines of every protocol and envelope, each with the fields a
//! user relies on.

use super::*;
use crate::dispatch::{Collect, parse_text};

fn parse(text: &str) -> Collect {
    parse_text(
        text.as_bytes(),
        Some(Format::Filterlog),
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

fn time(p: &Packet) -> String {
    p.time.map(|t| t.to_string()).unwrap_or_default()
}

#[test]
fn tcp_syn_blocked_in() {
    // elastic pfsense test-pfsense-bsd.log, line 1.
    let p = clean(
        "<134>Jul  3 19:10:30 filterlog[72237]: 146,,,1535324496,igb1.12,match,block,in,4,0x0,,63,12617,0,DF,6,tcp,60,10.170.12.50,1.1.1.1,49724,853,0,S,1891286705,,64240,,mss;sackOK;TS;nop;wscale",
    );
    assert_eq!(p.sensor, Sensor::Pf);
    assert_eq!(time(&p), "2024-07-03T19:10:30Z");
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.label.as_deref(), Some("1535324496"));
    assert_eq!(p.in_iface.as_deref(), Some("igb1.12"));
    assert_eq!(p.out_iface, None);
    assert_eq!(p.ip.tos, Some(0));
    assert_eq!(p.ip.ttl, Some(63));
    assert_eq!(p.ip.id, Some(12617));
    assert_eq!(p.ip.frag_offset, Some(0));
    assert!(p.ip.df && !p.ip.mf && !p.ip.v6);
    assert_eq!(p.ip.total_len, Some(60));
    assert_eq!(p.proto, Proto::TCP);
    assert_eq!(p.src, addr("10.170.12.50"));
    assert_eq!(p.dst, addr("1.1.1.1"));
    assert_eq!((p.src_port, p.dst_port), (Some(49724), Some(853)));
    assert_eq!(p.transport_len, Some(0));
    let tcp = p.tcp.as_ref().unwrap();
    assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(tcp.seq, Some(1_891_286_705));
    assert_eq!(tcp.ack, None);
    assert_eq!(tcp.window, Some(64240));
    assert_eq!(tcp.options.as_ref().unwrap().kinds, vec![2, 4, 8, 1, 3]);
    assert!(p.flow.is_none());
}

#[test]
fn udp_pass_ipv6_udp_and_igmp() {
    // elastic pfsense test-pfsense-bsd.log, lines 3, 7 and 17.
    let out = parse(concat!(
        "<134>Jul  3 19:10:30 filterlog[72237]: 176,,,1520797901,igb1.27,match,pass,in,4,0xb8,,64,58355,0,none,17,udp,76,10.170.27.27,216.229.4.66,123,123,56\n",
        "<134>Jul  3 19:10:31 filterlog[72237]: 6,,,1000000105,igb1.27,match,block,in,6,0x00,0xf6279,1,UDP,17,32,fe80::208:9bff:fef3:652b,ff02::1:2,546,547,32\n",
        "<134>Jul  3 19:10:33 filterlog[72237]: 199,,,1557957510,igb1.12,match,pass,in,4,0xc0,,1,0,0,DF,2,igmp,32,10.170.12.17,239.255.255.250,datalength=8",
    ));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let udp = &out.packets[0];
    assert_eq!(udp.action, Action::Accept);
    assert_eq!(udp.ip.tos, Some(0xb8));
    assert!(!udp.ip.df);
    assert_eq!((udp.src_port, udp.dst_port), (Some(123), Some(123)));
    assert_eq!(udp.transport_len, Some(56));
    let v6 = &out.packets[1];
    assert!(v6.ip.v6);
    assert_eq!(v6.ip.ttl, Some(1));
    assert_eq!(v6.ip.total_len, Some(72));
    assert_eq!(v6.proto, Proto::UDP);
    assert_eq!(v6.src, addr("fe80::208:9bff:fef3:652b"));
    assert_eq!(v6.dst_port, Some(547));
    let igmp = &out.packets[2];
    assert_eq!(igmp.proto, Proto::IGMP);
    assert_eq!(igmp.transport_len, Some(8));
    assert_eq!(igmp.ip.ttl, Some(1));
}

#[test]
fn icmp_echo_request() {
    // elastic pfsense test-pfsense-bsd.log, line 18.
    let p = clean(
        "<134>Jul  4 11:10:45 filterlog[72237]: 176,,,1520797901,igb1.10,match,pass,in,4,0x0,,64,62096,0,DF,1,icmp,84,10.100.10.30,142.250.114.105,request,37728,164",
    );
    let icmp = p.icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (8, 0));
    assert_eq!((icmp.echo_id, icmp.echo_seq), (Some(37728), Some(164)));
    assert_eq!((p.src_port, p.dst_port), (None, None));
}

#[test]
fn icmp_port_unreachable_quotes_the_udp_packet() {
    // Written from pfSense's documented filterlog format.
    let p = clean(
        "Jul  4 11:10:46 fw filterlog[1]: 5,,,1000000103,em0,match,pass,out,4,0x0,,64,1,0,none,1,icmp,56,192.168.1.1,10.0.0.9,unreachport,10.0.0.9,17,33434",
    );
    assert_eq!(p.out_iface.as_deref(), Some("em0"));
    let icmp = p.icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (3, 3));
    let quoted = icmp.quoted.as_ref().unwrap();
    assert_eq!(quoted.src, addr("10.0.0.9"));
    assert_eq!(quoted.dst, addr("10.0.0.9"));
    assert_eq!(quoted.proto, Proto::UDP);
    assert_eq!(quoted.dst_port, Some(33434));
}

#[test]
fn opnsense_hosts_rfc5424_and_dashes() {
    // elastic pfsense test-opensense.log lines 1 and 5, and
    // test-opensense-transport-dash.log.
    let out = parse(concat!(
        "<134>Jan 1 02:21:38 firewall.opnsense.net filterlog[97530]: 146,,,1535324496,igb1.12,match,block,in,4,0x0,,63,12617,0,DF,6,tcp,60,10.170.12.50,175.16.199.1,49724,853,0,S,1891286705,,64240,,mss;sackOK;TS;nop;wscale\n",
        "<134>1 2022-06-09T14:44:11-06:00 OPNsense.example.com filterlog 76404 - [meta sequenceId=\"1\"] 124,,,fae559338f65e11c53669fc3642c93c2,ixl1_vlan70,match,pass,out,4,0x0,,63,5687,0,DF,6,tcp,60,192.168.1.1,10.10.10.10,40370,80,0,S,3364871769,,65535,,mss;sackOK;TS;nop;wscale\n",
        "<134>Jan 1 02:21:39 firewall.opnsense.net filterlog[97530]: 32,,,1535324496a,igb0,match,pass,in,6,0x0,0x00000,255,ipv6-icmp,58,16,fe80::208:9bff:fef3:652b,ff02::1:2,datalength=16",
    ));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(time(&out.packets[0]), "2024-01-01T02:21:38Z");
    let rfc = &out.packets[1];
    assert_eq!(time(rfc), "2022-06-09T20:44:11Z");
    assert_eq!(
        rfc.label.as_deref(),
        Some("fae559338f65e11c53669fc3642c93c2")
    );
    assert_eq!(rfc.out_iface.as_deref(), Some("ixl1_vlan70"));
    assert_eq!(rfc.dst_port, Some(80));
    let v6 = &out.packets[2];
    assert_eq!(v6.proto, Proto::ICMPV6);
    assert_eq!(v6.transport_len, Some(16));
    assert_eq!(v6.ip.ttl, Some(255));
}

#[test]
fn damaged_and_foreign_lines() {
    // Cut and altered copies of test-pfsense-bsd.log line 1; an OPNsense
    // DHCP line that is not filterlog.
    let out = parse(concat!(
        "<134>Jul  3 19:10:30 filterlog[72237]: 146,,,1535324496,igb1.12,match,block,in,4,0x0,,6x3,12617,0,DF,6,tcp,60,10.170.12.50,1.1.1.1,49724,853,0,S,1891286705,,64240,,mss\n",
        "<134>Jul  3 19:10:30 filterlog[72237]: 146,,,1535324496,igb1.12,match,block,in,4,0x0,,63,12617,0,DF,6,tcp,60,10.170.12.50\n",
        "<134>Jul  3 19:10:30 filterlog[72237]: 146,,,1535324496,igb1.12,match,block,in,5\n",
        "<134>Jul  3 19:10:30 filterlog[72237]: 146,,,1535324496,igb1.12,match,block,in,4,0x0,,63,12617,0,DF,6,tcp,60,10.170.12.50,1.1.1.1",
    ));
    assert_eq!(out.packets.len(), 2);
    assert_eq!(out.packets[0].ip.ttl, None);
    assert_eq!(out.warnings.len(), 2);
    assert_eq!(out.unrecognized.len(), 2);
    assert_eq!(out.packets[1].src_port, None);
    let parser = FilterlogParser::default();
    assert!(!parser.claims(b"<190>Dec 31 22:06:16 fw dhcpd[40152]: DHCPDISCOVER from 4c:55"));
    assert!(!parser.claims(b"Jul  3 19:10:30 host myfilterlog: 1,2"));
    assert!(parser.claims(b"Jul  3 19:10:30 host filterlog: 1,2"));
}
