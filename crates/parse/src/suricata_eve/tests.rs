//! Real eve.json lines, each with every field a user relies on.

use std::net::IpAddr;

use picket_model::{Action, FlowOutcome, Host, Packet, Proto, Sensor, TcpFlags};

use crate::dispatch::{Collect, parse_text};
use crate::format::Format;
use crate::time::TimeContext;

fn parse(text: &str) -> Collect {
    parse_text(
        text.as_bytes(),
        Some(Format::SuricataEve),
        &mut TimeContext::fixed_year(2000),
    )
}

/// The one packet of `line`, which must parse without warnings.
fn clean(line: &str) -> Packet {
    let out = parse(line);
    assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert!(out.skipped.is_empty());
    assert_eq!(out.packets.len(), 1);
    out.packets.into_iter().next().unwrap()
}

fn host(text: &str) -> Host {
    Host::Addr(text.parse::<IpAddr>().unwrap())
}

fn time(p: &Packet) -> String {
    p.time.map(|t| t.to_string()).unwrap_or_default()
}

/// eve-2.json (josevnz/SuricataLog), line 182.
const ALERT: &str = r#"{"timestamp":"2022-02-08T11:33:00.175195-0500","flow_id":1117051772115445,"pcap_cnt":10980,"event_type":"alert","src_ip":"206.190.49.109","src_port":25,"dest_ip":"10.2.8.102","dest_port":49890,"proto":"TCP","pkt_src":"wire/pcap","metadata":{"flowints":{"applayer.anomaly.count":1}},"alert":{"action":"allowed","gid":1,"signature_id":2260002,"rev":1,"signature":"SURICATA Applayer Detect protocol only one direction","category":"Generic Protocol Command Decode","severity":3},"app_proto":"smtp","app_proto_tc":"failed","direction":"to_client","flow":{"pkts_toserver":3,"pkts_toclient":3,"bytes_toserver":198,"bytes_toclient":203,"start":"2022-02-08T11:32:59.784371-0500","src_ip":"10.2.8.102","dest_ip":"206.190.49.109","src_port":49890,"dest_port":25},"stream":0}"#;

#[test]
fn alert_with_signature() {
    let p = clean(ALERT);
    assert_eq!(p.sensor, Sensor::Suricata);
    assert_eq!(p.action, Action::Alert);
    assert_eq!(time(&p), "2022-02-08T16:33:00.175195Z");
    assert_eq!(p.src, host("206.190.49.109"));
    assert_eq!(p.dst, host("10.2.8.102"));
    assert_eq!(p.proto, Proto::TCP);
    assert_eq!((p.src_port, p.dst_port), (Some(25), Some(49890)));
    assert_eq!(
        p.tcp_flags(),
        None,
        "an alert does not log the packet's flags"
    );
    assert!(p.tcp.is_some() && p.icmp.is_none() && p.flow.is_none());
    assert!(!p.ip.v6);
    assert_eq!(p.in_iface, None);
    assert_eq!(p.origin.line, 1);
    let sig = p.signature.unwrap();
    assert_eq!(
        (sig.gid, sig.sid, sig.rev),
        (Some(1), Some(2260002), Some(1))
    );
    assert_eq!(
        &*sig.message,
        "SURICATA Applayer Detect protocol only one direction"
    );
    assert_eq!(
        sig.classification.as_deref(),
        Some("Generic Protocol Command Decode")
    );
    assert_eq!(sig.priority, Some(3));
}

#[test]
fn anomaly_becomes_an_alert_named_by_its_event() {
    // eve-2.json (josevnz/SuricataLog), line 183: the anomaly beside the alert above.
    let p = clean(
        r#"{"timestamp":"2022-02-08T11:33:00.175195-0500","flow_id":1117051772115445,"pcap_cnt":10980,"event_type":"anomaly","src_ip":"206.190.49.109","src_port":25,"dest_ip":"10.2.8.102","dest_port":49890,"proto":"TCP","pkt_src":"wire/pcap","metadata":{"flowints":{"applayer.anomaly.count":1}},"anomaly":{"app_proto":"smtp","type":"applayer","event":"APPLAYER_DETECT_PROTOCOL_ONLY_ONE_DIRECTION","layer":"proto_detect"}}"#,
    );
    assert_eq!(p.action, Action::Alert);
    assert_eq!(time(&p), "2022-02-08T16:33:00.175195Z");
    assert_eq!((p.src_port, p.dst_port), (Some(25), Some(49890)));
    let sig = p.signature.unwrap();
    assert_eq!(&*sig.message, "APPLAYER_DETECT_PROTOCOL_ONLY_ONE_DIRECTION");
    assert_eq!(sig.classification.as_deref(), Some("applayer"));
    assert_eq!((sig.sid, sig.priority), (None, None));
}

#[test]
fn refused_tcp_flow() {
    // eve-2.json (josevnz/SuricataLog), line 1591: SYNs answered by RST-ACK.
    let p = clean(
        r#"{"timestamp":"2022-02-08T09:40:28.279682-0500","flow_id":1709195751335483,"event_type":"flow","src_ip":"10.2.8.102","src_port":49973,"dest_ip":"62.149.128.75","dest_port":587,"proto":"TCP","flow":{"pkts_toserver":5,"pkts_toclient":5,"bytes_toserver":330,"bytes_toclient":270,"start":"2022-02-08T11:35:58.725633-0500","end":"2022-02-08T11:36:02.458191-0500","age":4,"state":"new","reason":"shutdown","alerted":false},"tcp":{"tcp_flags":"16","tcp_flags_ts":"02","tcp_flags_tc":"14","syn":true,"rst":true,"ack":true,"state":"syn_sent","ts_max_regions":1,"tc_max_regions":1}}"#,
    );
    assert_eq!(p.action, Action::Accept);
    assert_eq!(time(&p), "2022-02-08T16:35:58.725633Z", "the flow's start");
    assert_eq!(p.src, host("10.2.8.102"));
    assert_eq!(p.dst, host("62.149.128.75"));
    assert_eq!((p.src_port, p.dst_port), (Some(49973), Some(587)));
    assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
    let flow = p.flow.unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Rejected));
    assert_eq!((flow.packets_out, flow.packets_back), (Some(5), Some(5)));
    assert_eq!((flow.bytes_out, flow.bytes_back), (Some(330), Some(270)));
    assert_eq!(flow.duration_ms, Some(3733));
    assert!(p.signature.is_none());
}

#[test]
fn unanswered_and_completed_tcp_flows() {
    // eve-2.json (josevnz/SuricataLog), lines 211 and 361.
    let out = parse(concat!(
        r#"{"timestamp":"2022-02-08T09:40:28.279682-0500","flow_id":1963783798040870,"event_type":"flow","src_ip":"10.2.8.102","src_port":49875,"dest_ip":"136.143.191.104","dest_port":587,"proto":"TCP","flow":{"pkts_toserver":3,"pkts_toclient":0,"bytes_toserver":198,"bytes_toclient":0,"start":"2022-02-08T11:32:14.588301-0500","end":"2022-02-08T11:32:17.617126-0500","age":3,"state":"new","reason":"timeout","alerted":false},"tcp":{"tcp_flags":"02","tcp_flags_ts":"02","tcp_flags_tc":"00","syn":true,"state":"syn_sent","ts_max_regions":1,"tc_max_regions":1}}"#,
        "\n",
        r#"{"timestamp":"2022-02-08T09:40:28.279682-0500","flow_id":479039498160123,"event_type":"flow","src_ip":"10.2.8.102","src_port":49855,"dest_ip":"144.217.88.125","dest_port":443,"proto":"TCP","app_proto":"tls","flow":{"pkts_toserver":15,"pkts_toclient":12,"bytes_toserver":5072,"bytes_toclient":2824,"start":"2022-02-08T11:15:13.111535-0500","end":"2022-02-08T11:16:56.166740-0500","age":103,"state":"closed","reason":"timeout","alerted":false},"tcp":{"tcp_flags":"1f","tcp_flags_ts":"1f","tcp_flags_tc":"1b","syn":true,"fin":true,"rst":true,"psh":true,"ack":true,"state":"closed","ts_max_regions":1,"tc_max_regions":1}}"#,
    ));
    assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
    let [s0, sf] = &out.packets[..] else {
        panic!("{:?}", out.packets)
    };
    let flow = s0.flow.as_ref().unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Unanswered));
    assert_eq!((flow.packets_out, flow.packets_back), (Some(3), Some(0)));
    assert_eq!(flow.duration_ms, Some(3029));
    assert_eq!(s0.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(time(s0), "2022-02-08T16:32:14.588301Z");
    assert_eq!(s0.dst_port, Some(587));
    let flow = sf.flow.as_ref().unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Established));
    assert_eq!((flow.bytes_out, flow.bytes_back), (Some(5072), Some(2824)));
    assert_eq!(flow.duration_ms, Some(103_055));
    assert_eq!(
        sf.tcp_flags(),
        Some(TcpFlags(TcpFlags::SYN)),
        "a handshake's first packet, not the union 1f"
    );
    assert_eq!(out.packets[1].origin.line, 2);
}

#[test]
fn untracked_flags_are_unknown_not_a_null_packet() {
    // eve-2.json (josevnz/SuricataLog), line 76: no TCP session, flags `00`.
    let p = clean(
        r#"{"timestamp":"2022-02-08T09:40:28.279682-0500","flow_id":48994560575261,"event_type":"flow","src_ip":"10.2.8.102","src_port":49747,"dest_ip":"13.64.180.106","dest_port":443,"proto":"TCP","flow":{"pkts_toserver":2,"pkts_toclient":2,"bytes_toserver":207,"bytes_toclient":277,"start":"2022-02-08T10:03:44.404623-0500","end":"2022-02-08T10:03:44.529241-0500","age":0,"state":"new","reason":"timeout","alerted":false},"tcp":{"tcp_flags":"00","tcp_flags_ts":"00","tcp_flags_tc":"00"}}"#,
    );
    assert!(p.tcp.is_some());
    assert_eq!(p.tcp_flags(), None);
    let flow = p.flow.unwrap();
    assert_eq!(
        flow.outcome,
        Some(FlowOutcome::Other),
        "replies, but no handshake seen"
    );
    assert_eq!(flow.duration_ms, Some(125));
}

#[test]
fn syn_answered_by_an_icmp_error_is_refused() {
    // eve-2.json (josevnz/SuricataLog), line 1613: one 106-byte reply, no TCP flags.
    let p = clean(
        r#"{"timestamp":"2022-02-08T09:40:28.279682-0500","flow_id":1518384101079753,"event_type":"flow","src_ip":"10.2.8.102","src_port":50238,"dest_ip":"197.96.187.222","dest_port":465,"proto":"TCP","flow":{"pkts_toserver":3,"pkts_toclient":1,"bytes_toserver":198,"bytes_toclient":106,"start":"2022-02-08T11:50:45.156918-0500","end":"2022-02-08T11:51:04.835065-0500","age":19,"state":"new","reason":"shutdown","alerted":false},"tcp":{"tcp_flags":"02","tcp_flags_ts":"02","tcp_flags_tc":"00","syn":true,"state":"syn_sent","ts_max_regions":1,"tc_max_regions":1}}"#,
    );
    assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
    let flow = p.flow.unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Rejected));
    assert_eq!((flow.packets_back, flow.bytes_back), (Some(1), Some(106)));
    assert_eq!(flow.duration_ms, Some(19_678));
}

#[test]
fn udp_flow_with_a_reply() {
    // eve-2.json (josevnz/SuricataLog), line 1496.
    let p = clean(
        r#"{"timestamp":"2022-02-08T09:40:28.279682-0500","flow_id":2062373296853403,"event_type":"flow","src_ip":"10.2.8.102","src_port":49448,"dest_ip":"10.2.8.8","dest_port":53,"proto":"UDP","app_proto":"dns","flow":{"pkts_toserver":4,"pkts_toclient":1,"bytes_toserver":364,"bytes_toclient":154,"start":"2022-02-08T10:40:23.938935-0500","end":"2022-02-08T10:40:27.688851-0500","age":4,"state":"established","reason":"timeout","alerted":false}}"#,
    );
    assert_eq!(p.proto, Proto::UDP);
    assert_eq!((p.src_port, p.dst_port), (Some(49448), Some(53)));
    assert!(p.tcp.is_none());
    let flow = p.flow.unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Established));
    assert_eq!((flow.packets_out, flow.packets_back), (Some(4), Some(1)));
    assert_eq!(flow.duration_ms, Some(3750));
}

#[test]
fn multicast_flow_and_its_netflow() {
    // eve_udp_flow.json (josevnz/SuricataLog), lines 1 and 2.
    let out = parse(concat!(
        r#"{"timestamp":"2022-04-25T00:04:12.542081+0000","flow_id":761003327377765,"in_iface":"eth0","event_type":"flow","src_ip":"192.168.1.22","src_port":5353,"dest_ip":"224.0.0.251","dest_port":5353,"proto":"UDP","app_proto":"failed","flow":{"pkts_toserver":6,"pkts_toclient":0,"bytes_toserver":1149,"bytes_toclient":0,"start":"2022-04-25T00:02:08.938341+0000","end":"2022-04-25T00:02:33.268264+0000","age":25,"state":"new","reason":"timeout","alerted":false},"host":"raspberrypi"}"#,
        "\n",
        r#"{"timestamp":"2022-04-25T00:04:12.542274+0000","flow_id":761003327377765,"in_iface":"eth0","event_type":"netflow","src_ip":"192.168.1.22","src_port":5353,"dest_ip":"224.0.0.251","dest_port":5353,"proto":"UDP","app_proto":"failed","netflow":{"pkts":6,"bytes":1149,"start":"2022-04-25T00:02:08.938341+0000","end":"2022-04-25T00:02:33.268264+0000","age":25,"min_ttl":255,"max_ttl":255},"host":"raspberrypi"}"#,
    ));
    assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
    let [flow, netflow] = &out.packets[..] else {
        panic!("{:?}", out.packets)
    };
    for p in [flow, netflow] {
        assert_eq!(p.in_iface.as_deref(), Some("eth0"));
        assert_eq!(p.dst, host("224.0.0.251"));
        assert_eq!((p.src_port, p.dst_port), (Some(5353), Some(5353)));
        assert_eq!(time(p), "2022-04-25T00:02:08.938341Z");
        assert_eq!(p.action, Action::Accept);
    }
    let info = flow.flow.as_ref().unwrap();
    assert_eq!(info.outcome, Some(FlowOutcome::Unanswered));
    assert_eq!(info.duration_ms, Some(24_330));
    let info = netflow.flow.as_ref().unwrap();
    assert_eq!(info.outcome, None, "one direction cannot tell how it went");
    assert_eq!((info.packets_out, info.bytes_out), (Some(6), Some(1149)));
    assert_eq!((info.packets_back, info.bytes_back), (None, None));
    assert_eq!(netflow.ip.ttl, Some(255));
    assert_eq!(flow.ip.ttl, None);
}

#[test]
fn dns_and_other_protocol_events_are_skipped() {
    // eve-2.json (josevnz/SuricataLog), line 2.
    let out = parse(
        r#"{"timestamp":"2022-02-08T09:40:31.064321-0500","flow_id":2246584802538812,"pcap_cnt":18,"event_type":"dns","src_ip":"10.2.8.102","src_port":49278,"dest_ip":"10.2.8.8","dest_port":53,"proto":"UDP","pkt_src":"wire/pcap","dns":{"type":"query","id":22761,"rrname":"ttisecurity.com","rrtype":"A","tx_id":0,"opcode":0}}"#,
    );
    assert_eq!(out.skipped, vec![1]);
    assert!(out.packets.is_empty() && out.unrecognized.is_empty());
}

#[test]
fn drop_event_with_its_blocking_alert() {
    // The shape of Suricata's drop logger (src/output-json-drop.c) around the
    // tuple of eve-2.json line 182, with the alert an IPS adds.
    let p = clean(
        r#"{"timestamp":"2022-02-08T11:33:00.175195-0500","flow_id":1117051772115445,"in_iface":"enp3s0f0","event_type":"drop","src_ip":"206.190.49.109","src_port":25,"dest_ip":"10.2.8.102","dest_port":49890,"proto":"TCP","drop":{"len":60,"tos":0,"ttl":49,"ipid":24118,"tcpseq":2298331104,"tcpack":0,"tcpwin":29200,"syn":true,"ack":false,"psh":false,"rst":false,"urg":false,"fin":false,"tcpres":0,"tcpurgp":0},"alert":{"action":"blocked","gid":1,"signature_id":2019401,"rev":6,"signature":"ET WEB_SERVER Possible SQL Injection UNION SELECT","category":"Web Application Attack","severity":1}}"#,
    );
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.in_iface.as_deref(), Some("enp3s0f0"));
    assert_eq!(p.ip.total_len, Some(60));
    assert_eq!(
        (p.ip.tos, p.ip.ttl, p.ip.id),
        (Some(0), Some(49), Some(24118))
    );
    let tcp = p.tcp.as_ref().unwrap();
    assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(
        (tcp.seq, tcp.ack, tcp.window),
        (Some(2298331104), Some(0), Some(29200))
    );
    let sig = p.signature.unwrap();
    assert_eq!(sig.sid, Some(2019401));
    assert_eq!(sig.priority, Some(1));
    assert!(p.flow.is_none());
}

#[test]
fn blocked_alert_is_a_drop_and_icmpv6_keeps_type_and_code() {
    // Suricata's documented alert shape (docs.suricata.io, Eve JSON Format)
    // with IPS action and an ICMPv6 echo request's tuple.
    let p = clean(
        r#"{"timestamp":"2017-04-07T22:24:37.251547+0100","flow_id":586497171462735,"event_type":"alert","src_ip":"2001:db8::14","dest_ip":"2001:db8::5","proto":"IPv6-ICMP","icmp_type":128,"icmp_code":0,"alert":{"action":"blocked","gid":1,"signature_id":2100500,"rev":3,"signature":"GPL ICMP PING","category":"Misc activity","severity":3}}"#,
    );
    assert_eq!(p.action, Action::Drop);
    assert_eq!(p.proto, Proto::ICMPV6);
    assert!(p.ip.v6);
    assert_eq!(time(&p), "2017-04-07T21:24:37.251547Z");
    let icmp = p.icmp.as_ref().unwrap();
    assert_eq!((icmp.kind, icmp.code), (128, 0));
    assert_eq!((p.src_port, p.dst_port), (None, None));
    assert!(p.tcp.is_none());
}

#[test]
fn damaged_fields_keep_the_event_with_a_warning() {
    let out = parse(
        r#"{"timestamp":"yesterday","event_type":"alert","src_ip":"10.0.0.1","src_port":70000,"dest_ip":"10.0.0.2","dest_port":"80","proto":"NOPE","alert":{"signature":"x","severity":{"a":1}}}"#,
    );
    assert_eq!(out.packets.len(), 1);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    let p = &out.packets[0];
    assert_eq!(p.time, None);
    assert_eq!((p.src_port, p.dst_port), (None, Some(80)));
    assert_eq!(p.proto, Proto::UNKNOWN);
    assert_eq!(p.signature.as_ref().unwrap().priority, None);
}

#[test]
fn unreadable_events_are_unrecognized() {
    let out = parse(concat!(
        r#"{"event_type":"alert","src_ip":"10.0.0.1"}"#,
        "\n",
        r#"{"event_type":"flow","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP"}"#,
        "\n",
        r#"{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2"}"#,
        "\n",
        r#"{"event_type":"alert","src_ip":"10.0.0.1","dest_ip":"#,
        "\n",
        r#"{"event_type":"alert","alert":"not an object"}"#,
        "\n",
        r#"{"event_type":"anomaly","anomaly":{"type":"decode","event":"ipv4.trunc_pkt"}}"#,
    ));
    assert!(out.packets.is_empty());
    let lines: Vec<u64> = out.unrecognized.iter().map(|u| u.0).collect();
    assert_eq!(lines, vec![1, 2, 3, 4, 5]);
    assert_eq!(out.skipped, vec![6], "an anomaly on an addressless packet");
}

#[test]
fn protocol_names_and_numbers() {
    use super::{Scalar, protocol};
    use std::borrow::Cow;
    let text = |t: &'static str| Scalar::Text(Cow::Borrowed(t));
    assert_eq!(protocol(&text("TCP")), Some(Proto::TCP));
    assert_eq!(protocol(&text("IPv6-ICMP")), Some(Proto::ICMPV6));
    assert_eq!(protocol(&text("047")), Some(Proto(47)));
    assert_eq!(protocol(&text("PIM")), Some(Proto(103)));
    assert_eq!(protocol(&Scalar::Unsigned(132)), Some(Proto(132)));
    assert_eq!(protocol(&Scalar::Unsigned(300)), None);
    assert_eq!(protocol(&text("bogus")), None);
}

#[test]
fn claims_only_eve_objects() {
    use crate::format::FormatParser;
    let parser = super::SuricataEveParser::default();
    assert!(parser.claims(ALERT.as_bytes()));
    assert!(parser.claims(br#"  {"event_type":"dns"}"#));
    assert!(!parser.claims(br#"{"ts":1,"id.orig_h":"10.0.0.1"}"#));
    assert!(!parser.claims(br#"x {"event_type":"dns"}"#));
    assert!(!parser.claims(br#"{"MESSAGE":"say \"event_type\" here"}"#));
}
