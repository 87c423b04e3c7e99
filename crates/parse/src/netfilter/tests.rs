//! Lines of every envelope, prefix and protocol variant, each with the
//! fields a user relies on.

use std::net::IpAddr;

use picket_model::{Action, Host, Packet, Proto, Sensor, TcpFlags};

use super::*;
use crate::dispatch::{Collect, parse_text};

fn parse(text: &str) -> Collect {
    parse_text(
        text.as_bytes(),
        Some(Format::Netfilter),
        &mut TimeContext::fixed_year(2015),
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

fn host(text: &str) -> Host {
    Host::Addr(text.parse::<IpAddr>().unwrap())
}

fn time(p: &Packet) -> String {
    p.time.map(|t| t.to_string()).unwrap_or_default()
}

#[test]
fn syn_scan_line_with_tcp_options() {
    // psad test/scans/iptables/syn_scan_1000_1500, line 1.
    let p = clean(
        "Mar 11 20:35:11 linux kernel: [463490.251762] DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0 OPT (020405B4) ",
    );
    assert_eq!(p.sensor, Sensor::Netfilter);
    assert_eq!(time(&p), "2015-03-11T20:35:11Z");
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.label.as_deref(), Some("DROP"));
    assert_eq!(p.in_iface.as_deref(), Some("eth1"));
    assert_eq!(p.out_iface, None);
    assert_eq!(p.src, host("192.168.10.55"));
    assert_eq!(p.dst, host("192.168.10.1"));
    assert_eq!(p.proto, Proto::TCP);
    assert_eq!((p.src_port, p.dst_port), (Some(56247), Some(1025)));
    assert_eq!(p.ip.total_len, Some(44));
    assert_eq!(p.ip.tos, Some(0));
    assert_eq!(p.ip.ttl, Some(53));
    assert_eq!(p.ip.id, Some(15270));
    assert!(!p.ip.df && !p.ip.mf && !p.ip.v6);
    assert_eq!(p.ip.frag_offset, Some(0));
    let tcp = p.tcp.as_ref().unwrap();
    assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!((tcp.seq, tcp.ack), (None, None));
    assert_eq!(tcp.window, Some(3072));
    let opts = tcp.options.as_ref().unwrap();
    assert_eq!(opts.kinds, vec![2]);
    assert_eq!(opts.mss, Some(1460));
    assert_eq!(p.transport_len, None);
    assert!(p.icmp.is_none());
    assert_eq!(p.origin.line, 1);
}

#[test]
fn rfc3339_envelope_colon_prefix_and_igmp() {
    // psad test/scans/iptables/syslog_time_fmt1.log, line 3.
    let p = clean(
        "2015-03-08T02:22:57.444022+02:00 servername kernel: DROP: IN=eth0 OUT= MAC=00:23:45:b8:34:3f:00:00:00:00:00:00:08:00 SRC=10.0.0.0 DST=224.0.0.1 LEN=36 TOS=0x00 PREC=0x00 TTL=1 ID=0 PROTO=2 ",
    );
    assert_eq!(time(&p), "2015-03-08T00:22:57.444022Z");
    assert_eq!(p.label.as_deref(), Some("DROP:"));
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.proto, Proto::IGMP);
    assert_eq!(p.src, host("10.0.0.0"));
    assert_eq!(p.dst, host("224.0.0.1"));
    assert_eq!(
        (p.ip.total_len, p.ip.ttl, p.ip.id),
        (Some(36), Some(1), Some(0))
    );
    assert_eq!((p.src_port, p.dst_port), (None, None));
    assert!(p.tcp.is_none() && p.icmp.is_none());
}

#[test]
fn journalctl_short_iso_envelope() {
    // psad syn scan line 1 in a `journalctl -o short-iso` envelope.
    let p = clean(
        "2021-03-12T14:10:18+0100 host kernel: DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0 OPT (020405B4)",
    );
    assert_eq!(time(&p), "2021-03-12T13:10:18Z");
    assert_eq!(p.label.as_deref(), Some("DROP"));
    assert_eq!(p.dst_port, Some(1025));
}

#[test]
fn priority_and_prefix_glued_to_in() {
    // elastic/integrations iptables test-iptables-raw.log, line 1.
    let p = clean(
        "<161>Oct 10 07:25:12 Hostname kernel: [wan-lan-default-D]IN=eth0 OUT= MAC=90:10:20:76:8d:20:90:10:65:29:b6:2a:08:00 SRC=67.43.156.15 DST=10.4.0.5 LEN=52 TOS=0x00 PREC=0x00 TTL=63 ID=0 DF PROTO=TCP SPT=38842 DPT=443 WINDOW=2853 RES=0x00 ACK URGP=0",
    );
    assert_eq!(time(&p), "2015-10-10T07:25:12Z");
    assert_eq!(p.label.as_deref(), Some("[wan-lan-default-D]"));
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.in_iface.as_deref(), Some("eth0"));
    assert_eq!(p.src, host("67.43.156.15"));
    assert_eq!((p.src_port, p.dst_port), (Some(38842), Some(443)));
    assert!(p.ip.df);
    assert_eq!(
        (p.ip.ttl, p.ip.id, p.ip.total_len),
        (Some(63), Some(0), Some(52))
    );
    let tcp = p.tcp.as_ref().unwrap();
    assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::ACK)));
    assert_eq!(tcp.window, Some(2853));
    assert_eq!(tcp.options, None);
}

#[test]
fn bare_kernel_line_has_no_time_and_no_warning() {
    // psad test/scans/iptables/ipv4_igmp line 1, as dmesg prints it.
    let p = clean(
        "[ 3445.031964] Shorewall:wlan0_mac:DROP:IN=wlan0 OUT= MAC=02:00:5e:02:03:01:18:53:33:33:d6:41:03:00 SRC=192.168.10.55 DST=224.0.0.1 LEN=36 TOS=0x00 PREC=0xC0 TTL=1 ID=0 PROTO=2",
    );
    assert_eq!(p.time, None);
    assert_eq!(p.label.as_deref(), Some("Shorewall:wlan0_mac:DROP:"));
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.in_iface.as_deref(), Some("wlan0"));
    assert_eq!(p.ip.tos, Some(0xC0), "TOS and PREC together make the byte");
    assert_eq!(p.proto, Proto::IGMP);
}

#[test]
fn no_host_and_icmp_error_quoting_udp() {
    // elastic/integrations iptables test-iptables-raw.log, line 4.
    let p = clean(
        "Jan  8 03:37:09 DENY: IN=eth0 OUT= MAC=90:10:28:5f:62:24:90:10:18:5a:89:2a:08:00 SRC=192.168.2.71 DST=192.168.2.83 LEN=88 TOS=0x00 PREC=0x00 TTL=118 ID=21684 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.168.2.83 DST=192.168.173.191 LEN=60 TOS=0x00 PREC=0x00 TTL=54 ID=0 DF PROTO=UDP SPT=21458 DPT=62936 LEN=40 ]",
    );
    assert_eq!(time(&p), "2015-01-08T03:37:09Z");
    assert_eq!(p.label.as_deref(), Some("DENY:"));
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.proto, Proto::ICMP);
    assert_eq!(p.src, host("192.168.2.71"));
    assert_eq!(
        (p.ip.ttl, p.ip.id, p.ip.total_len),
        (Some(118), Some(21684), Some(88))
    );
    assert!(!p.ip.df, "DF belongs to the quoted header");
    let icmp = p.icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (3, 3));
    assert_eq!((icmp.echo_id, icmp.echo_seq), (None, None));
    let quoted = icmp.quoted.as_ref().unwrap();
    assert_eq!(quoted.src, host("192.168.2.83"));
    assert_eq!(quoted.dst, host("192.168.173.191"));
    assert_eq!(quoted.proto, Proto::UDP);
    assert_eq!(
        (quoted.src_port, quoted.dst_port),
        (Some(21458), Some(62936))
    );
    assert_eq!(quoted.transport_len, Some(40));
    assert_eq!((quoted.ip.total_len, quoted.ip.ttl), (Some(60), Some(54)));
    assert!(quoted.ip.df);
    assert_eq!(quoted.in_iface, None);
}

#[test]
fn ufw_block_after_uptime() {
    // "Understanding UFW log", a question on Ask Ubuntu (lines rejoined).
    let p = clean(
        "Feb  6 16:27:08 jonasgroenbek kernel: [71910.873115] [UFW BLOCK] IN=eth0 OUT= MAC=a6:8d:e2:51:62:4c:f0:4b:3a:4f:80:30:08:00 SRC=77.72.85.26 DST=157.230.26.180 LEN=40 TOS=0x00 PREC=0x00 TTL=251 ID=62215 PROTO=TCP SPT=42772 DPT=3194 WINDOW=1024 RES=0x00 SYN URGP=0",
    );
    assert_eq!(p.label.as_deref(), Some("[UFW BLOCK]"));
    assert_eq!(p.action, Action::Drop);
    assert_eq!((p.src_port, p.dst_port), (Some(42772), Some(3194)));
    assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(p.ip.ttl, Some(251));
}

#[test]
fn prefix_with_spaces() {
    // elastic/integrations iptables test-iptables-raw.log, line 5.
    let p = clean(
        "Jan  8 03:37:09 example-host kernel: iptables DROP_INPUT: IN=eth0 OUT= MAC=90:10:35:5a:1e:3a:90:10:9e:ec:2c:71:08:00 SRC=81.2.69.143 DST=172.16.54.114 LEN=52 TOS=0x00 PREC=0x00 TTL=115 ID=15743 DF PROTO=TCP SPT=17805 DPT=445 WINDOW=8192 RES=0x00 SYN URGP=0 ",
    );
    assert_eq!(p.label.as_deref(), Some("iptables DROP_INPUT:"));
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.dst_port, Some(445));
    assert!(p.ip.df);
}

#[test]
fn ipv6_echo_request_going_out() {
    // elastic/integrations iptables test-iptables-raw.log, line 15.
    let p = clean(
        "Jan 22 09:05:05 ubuntu-bionic kernel: [16571.459614] IN= OUT=lo SRC=2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6 DST=2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6 LEN=104 TC=0 HOPLIMIT=64 FLOWLBL=868225 PROTO=ICMPv6 TYPE=128 CODE=0 ID=3427 SEQ=1 ",
    );
    assert_eq!(p.label, None);
    assert_eq!(p.action, Action::Logged);
    assert_eq!(p.in_iface, None);
    assert_eq!(p.out_iface.as_deref(), Some("lo"));
    assert!(p.ip.v6);
    assert_eq!(p.src, host("2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6"));
    assert_eq!(p.proto, Proto::ICMPV6);
    assert_eq!(
        (p.ip.total_len, p.ip.ttl, p.ip.tos),
        (Some(104), Some(64), Some(0))
    );
    assert_eq!(p.ip.id, None);
    let icmp = p.icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (128, 0));
    assert_eq!((icmp.echo_id, icmp.echo_seq), (Some(3427), Some(1)));
}

#[test]
fn ipv6_full_form_addresses_and_extension_headers() {
    // psad test/scans/iptables/topera_ipv6_syn_scan_with_ip_opts, line 1.
    let p = clean(
        "Dec 20 20:10:01 rohan kernel: [  449.059230] DROP IN=eth0 OUT= MAC=00:1b:b9:76:9c:e4:00:13:46:3a:41:36:86:dd SRC=2012:1234:1234:0000:0000:0000:0000:0001 DST=2012:1234:1234:0000:0000:0000:0000:0002 LEN=132 TC=0 HOPLIMIT=64 FLOWLBL=0 OPT ( ) OPT ( ) OPT ( ) OPT ( ) OPT ( ) OPT ( ) OPT ( ) OPT ( ) OPT ( ) PROTO=TCP SPT=58537 DPT=1234 WINDOW=8192 RES=0x00 SYN URGP=0 ",
    );
    assert_eq!(p.src.to_string(), "2012:1234:1234::1");
    assert_eq!(p.dst.to_string(), "2012:1234:1234::2");
    assert!(p.ip.v6);
    assert_eq!((p.ip.total_len, p.ip.ttl), (Some(132), Some(64)));
    assert_eq!(p.proto, Proto::TCP);
    assert_eq!((p.src_port, p.dst_port), (Some(58537), Some(1234)));
    assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(p.tcp.as_ref().unwrap().options, None);
}

#[test]
fn udp_length_is_not_the_ip_length() {
    // psad test/scans/iptables/fwknop_spa_pkt.
    let p = clean(
        "Feb  9 20:55:06 ubuntu kernel: [13626.584587] IN=lo OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=189 TOS=0x00 PREC=0x00 TTL=64 ID=45067 DF PROTO=UDP SPT=33197 DPT=62201 LEN=169",
    );
    assert_eq!(p.label, None);
    assert_eq!(p.proto, Proto::UDP);
    assert_eq!(p.ip.total_len, Some(189));
    assert_eq!(p.transport_len, Some(169));
    assert_eq!((p.src_port, p.dst_port), (Some(33197), Some(62201)));
    assert!(p.ip.df);
    assert!(p.tcp.is_none());
}

#[test]
fn icmp_echo_id_is_not_the_ip_id() {
    // psad test/scans/iptables/ipv4_valid_ping, line 1.
    let p = clean(
        "Mar 23 21:29:27 linux kernel: [1503546.179768] ICMP IN=eth0 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=18443 PROTO=ICMP TYPE=8 CODE=0 ID=2158 SEQ=512",
    );
    assert_eq!(p.label.as_deref(), Some("ICMP"));
    assert_eq!(p.action, Action::Logged);
    assert_eq!(p.ip.id, Some(18443));
    let icmp = p.icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (8, 0));
    assert_eq!((icmp.echo_id, icmp.echo_seq), (Some(2158), Some(512)));
    assert!(icmp.quoted.is_none());
}

#[test]
fn protocol_scan_numbers_names_and_incomplete() {
    // psad test/scans/iptables/proto_scan: numbered protocols (58 over IPv4
    // is not decoded as ICMPv6), then UDPLITE and AH too short for their headers.
    let out = parse(
        "Mar 15 20:58:59 linux kernel: [810518.886565] DROP IN=eth0 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=20 TOS=0x00 PREC=0x00 TTL=54 ID=47785 PROTO=61 \n\
         Mar 15 20:59:04 linux kernel: [810523.507536] DROP IN=eth0 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=20 TOS=0x00 PREC=0x00 TTL=52 ID=48031 PROTO=58 \n\
         Mar 15 20:58:59 linux kernel: [810518.886753] DROP IN=eth0 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=20 TOS=0x00 PREC=0x00 TTL=40 ID=40147 PROTO=UDPLITE INCOMPLETE [0 bytes] \n\
         Mar 15 20:59:03 linux kernel: [810522.295362] DROP IN=eth0 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=20 TOS=0x00 PREC=0x00 TTL=40 ID=42813 PROTO=AH INCOMPLETE [0 bytes] ",
    );
    assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
    let protos: Vec<u8> = out.packets.iter().map(|p| p.proto.0).collect();
    assert_eq!(protos, vec![61, 58, 136, 51]);
    assert!(out.packets[1].icmp.is_none());
    assert_eq!(out.packets[2].src_port, None);
    assert_eq!(out.packets[2].transport_len, None);
    assert_eq!(out.packets[3].ip.ttl, Some(40));
}

#[test]
fn esp_with_spi() {
    // elastic/integrations iptables test-iptables-raw.log, line 22.
    let p = clean(
        "Jan  5 20:17:01 firewall kernel: [4276041.728154] IN=eno1 OUT= MAC=0c:c4:7a:0f:51:0c:d4:66:24:80:d8:da:08:00 SRC=192.168.110.116 DST=192.168.2.25 LEN=120 TOS=0x00 PREC=0x00 TTL=55 ID=0 DF PROTO=ESP SPI=0xcb886522",
    );
    assert_eq!(p.proto, Proto(50));
    assert_eq!(p.in_iface.as_deref(), Some("eno1"));
    assert_eq!((p.src_port, p.dst_port), (None, None));
    assert_eq!(p.ip.total_len, Some(120));
}

#[test]
fn edgeos_accept_suffix_and_full_tos_byte() {
    // elastic/integrations iptables test-iptables-raw.log, line 17.
    let p = clean(
        "Jan  5 20:17:05 MainFirewall kernel: [LAN_LOCAL-default-A]IN=eth0.90 OUT= MAC=90:10:92:6e:ea:a7:90:10:73:ba:d6:77:08:00:45:fc:02:1c SRC=192.168.48.137 DST=81.2.69.143 LEN=540 TOS=0x1C PREC=0xE0 TTL=64 ID=27223 PROTO=UDP SPT=48689 DPT=48689 LEN=520 ",
    );
    assert_eq!(p.action, Action::Accept);
    assert_eq!(p.label.as_deref(), Some("[LAN_LOCAL-default-A]"));
    assert_eq!(p.in_iface.as_deref(), Some("eth0.90"));
    assert_eq!(p.ip.tos, Some(0xFC));
    assert_eq!((p.ip.total_len, p.transport_len), (Some(540), Some(520)));
}

#[test]
fn hex_tos_without_0x_and_out_of_range_echo_id() {
    // elastic/integrations iptables test-iptables-raw.log, line 24: an echo
    // id of 98765 cannot fit in 16 bits.
    let out = parse(
        "Jun 28 04:30:32 Abc-A1 [SOMETHING-1234-A] IN=abc.123 OUT=abc.123 MAC=0a:ea:10:00:f0:06:10:e1:21:31:61:20:01:00:41:00:00:01 SRC=10.251.1.1 DST=10.251.1.1 LEN=84 TOS=00 PREC=0x00 TTL=63 ID=6789 PROTO=ICMP TYPE=8 CODE=0 ID=98765 SEQ=30123 MARK=0",
    );
    assert_eq!(out.warnings.len(), 1);
    assert!(
        out.warnings[0].1.contains("1 unreadable"),
        "{:?}",
        out.warnings
    );
    let p = &out.packets[0];
    assert_eq!(p.label.as_deref(), Some("[SOMETHING-1234-A]"));
    assert_eq!(p.action, Action::Accept);
    assert_eq!(p.in_iface.as_deref(), Some("abc.123"));
    assert_eq!(p.out_iface.as_deref(), Some("abc.123"));
    assert_eq!(p.ip.tos, Some(0));
    assert_eq!(p.ip.id, Some(6789));
    let icmp = p.icmp.as_ref().unwrap();
    assert_eq!((icmp.echo_id, icmp.echo_seq), (None, Some(30123)));
}

#[test]
fn sequence_numbers_ip_options_uid_and_mark() {
    // An outgoing SYN in the kernel's layout with --log-tcp-sequence,
    // --log-ip-options, --log-tcp-options and --log-uid.
    let p = clean(
        "Jun  2 10:00:00 gw kernel: OUT-SSH IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=60 TOS=0x10 PREC=0x00 TTL=64 ID=1234 CE DF OPT (01010000) PROTO=TCP SPT=40000 DPT=22 SEQ=123456789 ACK=0 WINDOW=29200 RES=0x00 CWR ECE SYN URGP=0 OPT (020405B40402080A0001E2400000000001030307) UID=1000 GID=1000 MARK=0x1 ",
    );
    assert_eq!(p.out_iface.as_deref(), Some("eth0"));
    assert_eq!(p.ip.tos, Some(0x10));
    assert!(p.ip.df);
    let tcp = p.tcp.as_ref().unwrap();
    assert_eq!(
        tcp.flags,
        Some(TcpFlags(TcpFlags::CWR | TcpFlags::ECE | TcpFlags::SYN))
    );
    assert_eq!((tcp.seq, tcp.ack), (Some(123_456_789), Some(0)));
    assert_eq!(tcp.window, Some(29200));
    let opts = tcp.options.as_ref().unwrap();
    assert_eq!(opts.kinds, vec![2, 4, 8, 1, 3]);
    assert_eq!((opts.mss, opts.window_scale), (Some(1460), Some(7)));
}

#[test]
fn fragments_carry_no_transport_fields() {
    // IPv4 and IPv6 fragments in the kernel's layout: a later IPv4
    // fragment, an IPv6 first fragment (logged with --log-ip-options) and a
    // later IPv6 one.
    let out = parse(
        "Jun  2 10:00:00 gw kernel: IN=eth0 OUT= SRC=10.0.0.9 DST=10.0.0.2 LEN=1500 TOS=0x00 PREC=0x00 TTL=50 ID=4321 MF FRAG:185 PROTO=UDP \n\
         Jun  2 10:00:01 gw kernel: IN=eth0 OUT= SRC=2001:0db8:0000:0000:0000:0000:0000:0009 DST=2001:0db8:0000:0000:0000:0000:0000:0002 LEN=1280 TC=0 HOPLIMIT=60 FLOWLBL=0 OPT ( FRAG:0 INCOMPLETE ID:0000abcd ) PROTO=UDP SPT=5000 DPT=53 LEN=1232 \n\
         Jun  2 10:00:01 gw kernel: IN=eth0 OUT= SRC=2001:0db8:0000:0000:0000:0000:0000:0009 DST=2001:0db8:0000:0000:0000:0000:0000:0002 LEN=200 TC=0 HOPLIMIT=60 FLOWLBL=0 FRAG:1232 ID:0000abcd PROTO=UDP ",
    );
    assert!(
        out.unrecognized.is_empty() && out.warnings.is_empty(),
        "{out:?}"
    );
    let [v4, first, later] = &out.packets[..] else {
        panic!("three packets");
    };
    assert!(v4.ip.mf);
    assert_eq!(v4.ip.frag_offset, Some(185));
    assert_eq!((v4.src_port, v4.transport_len), (None, None));
    assert!(first.ip.mf);
    assert_eq!(first.ip.frag_offset, Some(0));
    assert_eq!(first.ip.id, Some(0xabcd));
    assert_eq!((first.src_port, first.dst_port), (Some(5000), Some(53)));
    assert!(!later.ip.mf);
    assert_eq!(later.ip.frag_offset, Some(1232 / 8));
    assert_eq!(later.dst_port, None);
}

#[test]
fn fragmentation_needed_quotes_a_tcp_header() {
    // A path MTU message in the kernel's layout: the quoted TCP header, then MTU.
    let p = clean(
        "Jun  2 10:00:00 gw kernel: IN=eth0 OUT= SRC=10.0.0.254 DST=10.0.0.1 LEN=576 TOS=0x00 PREC=0xC0 TTL=64 ID=999 PROTO=ICMP TYPE=3 CODE=4 [SRC=10.0.0.1 DST=192.0.2.7 LEN=1500 TOS=0x00 PREC=0x00 TTL=63 ID=0 DF PROTO=TCP SPT=50000 DPT=443 WINDOW=501 RES=0x00 ACK PSH URGP=0 ] MTU=1400 ",
    );
    let icmp = p.icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (3, 4));
    let quoted = icmp.quoted.as_ref().unwrap();
    assert_eq!(quoted.dst, host("192.0.2.7"));
    assert_eq!(quoted.dst_port, Some(443));
    assert_eq!(
        quoted.tcp_flags(),
        Some(TcpFlags(TcpFlags::ACK | TcpFlags::PSH))
    );
    assert!(quoted.icmp.is_none());
}

#[test]
fn absurd_numbers_leave_fields_empty_with_one_warning() {
    // psad syn scan line 1 with its port, TTL and length made absurd.
    let out = parse(
        "Mar 11 20:35:11 linux kernel: DROP IN=eth1 OUT= SRC=192.168.10.55 DST=192.168.10.1 LEN=99999999999999999999 TOS=0x00 PREC=0x00 TTL=999 ID=15270 PROTO=TCP SPT=56247 DPT=99999 WINDOW=3072 RES=0x00 SYN URGP=0",
    );
    assert_eq!(out.warnings.len(), 1);
    assert!(
        out.warnings[0].1.starts_with("3 unreadable"),
        "{:?}",
        out.warnings
    );
    let p = &out.packets[0];
    assert_eq!((p.ip.total_len, p.ip.ttl, p.dst_port), (None, None, None));
    assert_eq!(p.src_port, Some(56247));
    assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
}

#[test]
fn missing_or_unreadable_endpoints_are_unrecognized() {
    let out = parse(
        "Mar 11 20:35:11 linux kernel: DROP IN=eth1 OUT= SRC=192.168.10.55 LEN=44 PROTO=TCP SPT=1 DPT=2 URGP=0\n\
         Mar 11 20:35:11 linux kernel: DROP IN=eth1 OUT= SRC=192.168.10.555 DST=192.168.10.1 LEN=44 PROTO=TCP SPT=1 DPT=2 URGP=0\n\
         Mar 11 20:35:11 linux kernel: DROP IN=eth1 OUT= SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TTL=53\n\
         Mar 11 20:35:11 linux kernel: DROP IN=eth1 OUT= SRC=192.168.10.55 DST=192.168.10.1 PROTO=999",
    );
    assert!(out.packets.is_empty());
    let reasons: Vec<&str> = out.unrecognized.iter().map(|u| u.1).collect();
    assert_eq!(
        reasons,
        vec![
            "no DST= field",
            "unreadable SRC= address",
            "no PROTO= field",
            "unreadable PROTO= field"
        ]
    );
}

#[test]
fn a_cut_line_keeps_what_came_before_the_cut() {
    // psad test/scans/iptables/xmas_scan_1000_1150, line 1, cut in its flags
    // and again in its quoted header.
    let out = parse(
        "Mar 15 20:57:55 linux kernel: [810454.796629] DROP INVALID IN=eth0 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=40 TOS=0x00 PREC=0x00 TTL=44 ID=9043 PROTO=TCP SPT=43347 DPT=1025 WINDOW=1024 RES=0x00 URG PS\n\
         Jan  8 03:37:09 DENY: IN=eth0 OUT= SRC=192.168.2.71 DST=192.168.2.83 LEN=88 TOS=0x00 PREC=0x00 TTL=118 ID=21684 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.168.2.83 DST=192.168.173.191 LEN=60 TOS=0x00 PREC=0x00 TTL=54 ID=0 DF PROTO=UDP SPT=21458",
    );
    assert!(out.unrecognized.is_empty());
    assert_eq!(out.warnings.len(), 2);
    assert!(out.warnings[0].1.contains("cut short"));
    let p = &out.packets[0];
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.dst_port, Some(1025));
    assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::URG)));
    let quoted = out.packets[1]
        .icmp
        .as_ref()
        .unwrap()
        .quoted
        .as_ref()
        .unwrap();
    // The line ends inside or just after `SPT=21458`: that value may have
    // lost digits, so it is not kept.
    assert_eq!(quoted.src_port, None);
    assert_eq!(quoted.dst_port, None);
    assert_eq!(quoted.ip.ttl, Some(54));
}

#[test]
fn the_last_value_of_a_cut_line_is_forgotten() {
    let line = "Mar 15 20:57:55 linux kernel: DROP IN=eth0 OUT= SRC=192.168.10.55 DST=192.168.10.1 LEN=40 TOS=0x00 PREC=0x00 TTL=44 ID=9043 PROTO=TCP SPT=43347 DPT=10";
    let out = parse(line);
    assert_eq!(out.warnings.len(), 1);
    assert_eq!(out.packets[0].src_port, Some(43347));
    assert_eq!(out.packets[0].dst_port, None);
    // A line cut inside an address cannot say where the packet went.
    let out =
        parse("Mar 15 20:57:55 linux kernel: DROP IN=eth0 OUT= SRC=192.168.10.55 DST=192.168.10.1");
    assert!(out.packets.is_empty());
    assert_eq!(out.unrecognized.len(), 1);
}

#[test]
fn grep_file_name_in_front_of_the_envelope() {
    // psad test/scans/iptables/ipv6_ms_sql_server_sig_match, as grep left it.
    let p = clean(
        "ipv6_tcp_connect_nmap_default_scan:Mar 17 13:39:13 linux kernel: [956932.522957] DROP IN=eth0 OUT= MAC=00:13:46:3a:41:36:00:1b:b9:76:9c:e4:86:dd SRC=2001:0db8:0000:f101:0000:0000:0000:0002 DST=2001:0db8:0000:f101:0000:0000:0000:0001 LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=TCP SPT=51397 DPT=1433 WINDOW=5760 RES=0x00 SYN URGP=0 ",
    );
    assert_eq!(time(&p), "2015-03-17T13:39:13Z");
    assert_eq!(p.label.as_deref(), Some("DROP"));
    assert_eq!(p.src.to_string(), "2001:db8:0:f101::2");
    assert_eq!(p.dst_port, Some(1433));
}

#[test]
fn unknown_envelope_keeps_the_prefix_with_a_warning() {
    // psad syn scan line 1 behind a time this parser does not read.
    let out = parse(
        "2015-03-11 20:35:11 linux kernel: DROP IN=eth1 OUT= SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0",
    );
    assert_eq!(out.warnings.len(), 1);
    let p = &out.packets[0];
    assert_eq!(p.time, None);
    assert_eq!(p.label.as_deref(), Some("DROP"));
}

#[test]
fn a_prefix_containing_in_equals() {
    let p = clean(
        "Mar 11 20:35:11 h kernel: LOGIN=x IN=eth1 OUT= SRC=192.168.10.55 DST=192.168.10.1 LEN=28 TOS=0x00 PREC=0x00 TTL=50 ID=1 PROTO=UDP SPT=1 DPT=2 LEN=8",
    );
    assert_eq!(p.label.as_deref(), Some("LOGIN=x"));
    assert_eq!(p.in_iface.as_deref(), Some("eth1"));
}

#[test]
fn actions_from_prefix_words() {
    let cases: [(&str, Action); 12] = [
        ("DROP INVALID", Action::Drop),
        ("[UFW BLOCK]", Action::Drop),
        ("[UFW LIMIT BLOCK]", Action::Drop),
        ("[UFW ALLOW]", Action::Accept),
        ("[UFW AUDIT]", Action::Logged),
        ("fw-reject:", Action::Reject),
        ("Shorewall:net2fw:ACCEPT:", Action::Accept),
        ("pass-in", Action::Accept),
        ("[WAN_IN-10-R]", Action::Reject),
        ("[WAN_IN-10-D]", Action::Drop),
        ("SFW2-INext-ACC-TCP", Action::Logged),
        ("ICMP", Action::Logged),
    ];
    for (prefix, action) in cases {
        assert_eq!(action_of(prefix.as_bytes()), action, "{prefix}");
    }
}

#[test]
fn claims_netfilter_lines_only() {
    let parser = NetfilterParser::default();
    assert!(parser.claims(b"Jan  8 03:37:09 DENY: IN=eth0 OUT= SRC=192.168.2.71 DST=1.2.3.4"));
    assert!(!parser.claims(
        b"Jul  7 18:48:26 linux1 kernel: Packet log: input DENY ppp0 PROTO=6 211.250.197.2:3024 193.237.109.203:111 L=60 S=0x00 I=14018 F=0x4000 T=43 SYN (#3)"
    ));
    assert!(!parser.claims(
        b"04/21-17:04:13.198326  [**] [1:469:1] ICMP PING NMAP [**] [Classification: Attempted Information Leak] [Priority: 2] {ICMP} 192.168.1.5 -> 192.168.1.1"
    ));
}

#[test]
fn repeated_names_are_shared() {
    // psad test/scans/iptables/udp_scan_1000_1150, lines 1 and 2.
    let out = parse(
        "Mar 11 20:41:04 linux kernel: [463843.171785] DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=28 TOS=0x00 PREC=0x00 TTL=50 ID=54985 PROTO=UDP SPT=44318 DPT=1146 LEN=8 \n\
         Mar 11 20:41:04 linux kernel: [463843.171837] DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=28 TOS=0x00 PREC=0x00 TTL=40 ID=52449 PROTO=UDP SPT=44318 DPT=1009 LEN=8 ",
    );
    let [a, b] = &out.packets[..] else {
        panic!("two packets");
    };
    assert!(Arc::ptr_eq(
        a.label.as_ref().unwrap(),
        b.label.as_ref().unwrap()
    ));
    assert!(Arc::ptr_eq(
        a.in_iface.as_ref().unwrap(),
        b.in_iface.as_ref().unwrap()
    ));
    assert_eq!((a.dst_port, b.dst_port), (Some(1146), Some(1009)));
    assert_eq!((a.transport_len, a.ip.total_len), (Some(8), Some(28)));
}
