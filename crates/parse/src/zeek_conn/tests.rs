//! Real conn.log records in both forms, each with the fields a user relies on.

use std::net::IpAddr;

use picket_model::{Action, FlowOutcome, Host, Packet, Proto, Sensor, TcpFlags};

use super::record::{first_flags, outcome_of};
use crate::dispatch::{Collect, parse_text};
use crate::format::{Format, FormatParser};
use crate::time::TimeContext;

fn parse(text: &str) -> Collect {
    parse_text(
        text.as_bytes(),
        Some(Format::ZeekConn),
        &mut TimeContext::fixed_year(2000),
    )
}

fn host(text: &str) -> Host {
    Host::Addr(text.parse::<IpAddr>().unwrap())
}

fn time(p: &Packet) -> String {
    p.time.map(|t| t.to_string()).unwrap_or_default()
}

/// The header of zeek/zeek testing/btest/Baseline/core.tunnels.teredo/conn.log.
const HEADER: &str = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t2015-02-23-21-33-18\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n";

#[test]
fn tsv_header_then_an_http_connection() {
    // zeek/zeek core.tunnels.teredo/conn.log, line 13 (after the header).
    let text = format!(
        "{HEADER}1210953057.834454\tC7XEbhP654jzLoe3a\t192.168.2.16\t1578\t75.126.203.78\t80\ttcp\thttp\t0.407908\t790\t171\tRSTO\t-\t-\t0\tShADadR\t6\t1038\t4\t335\t(empty)\n#close\t2015-02-23-21-33-18\n"
    );
    let out = parse(&text);
    assert!(
        out.unrecognized.is_empty() && out.warnings.is_empty(),
        "{out:?}"
    );
    assert_eq!(out.skipped, vec![1, 2, 3, 4, 5, 6, 7, 8, 10]);
    let [p] = &out.packets[..] else {
        panic!("{:?}", out.packets)
    };
    assert_eq!(p.sensor, Sensor::Zeek);
    assert_eq!(p.origin.line, 9);
    assert_eq!(time(p), "2008-05-16T15:50:57.834454Z");
    assert_eq!(p.src, host("192.168.2.16"));
    assert_eq!(p.dst, host("75.126.203.78"));
    assert_eq!(p.proto, Proto::TCP);
    assert_eq!((p.src_port, p.dst_port), (Some(1578), Some(80)));
    assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(p.action, Action::Accept);
    let flow = p.flow.as_ref().unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Established));
    assert_eq!((flow.packets_out, flow.packets_back), (Some(6), Some(4)));
    assert_eq!((flow.bytes_out, flow.bytes_back), (Some(1038), Some(335)));
    assert_eq!(flow.duration_ms, Some(408));
    assert!(p.icmp.is_none() && p.signature.is_none());
}

#[test]
fn tsv_unset_fields_icmpv6_and_udp_without_reply() {
    // zeek/zeek core.tunnels.teredo/conn.log: RSTOS0, an unanswered NetBIOS
    // broadcast, and an ICMPv6 router advertisement.
    let text = format!(
        "{HEADER}1210953058.007081\tCJ3xTn1c4Zw9TmAE05\t192.168.2.16\t1576\t75.126.130.163\t80\ttcp\t-\t-\t-\t-\tRSTOS0\t-\t-\t0\tR\t1\t40\t0\t0\t(empty)\n1210953046.591933\tCXWv6p3arKYeMETxOg\t192.168.2.16\t138\t192.168.2.255\t138\tudp\t-\t28.448321\t416\t0\tS0\t-\t-\t0\tD\t2\t472\t0\t0\t(empty)\n1210953052.324629\tC6pKV8GSxOnSLghOa\tfe80::8000:f227:bec8:61af\t134\tfe80::8000:ffff:ffff:fffd\t133\ticmp\t-\t-\t-\t-\tOTH\t-\t-\t0\t-\t1\t88\t0\t0\tCPbrpk1qSsw6ESzHV4\n"
    );
    let out = parse(&text);
    assert!(
        out.unrecognized.is_empty() && out.warnings.is_empty(),
        "{out:?}"
    );
    let [rst, udp, icmp] = &out.packets[..] else {
        panic!("{:?}", out.packets)
    };
    let flow = rst.flow.as_ref().unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Rejected));
    assert_eq!(flow.duration_ms, None);
    assert_eq!(rst.tcp_flags(), Some(TcpFlags(TcpFlags::RST)));
    assert_eq!(rst.action, Action::Logged);
    let flow = udp.flow.as_ref().unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Unanswered));
    assert_eq!((flow.packets_out, flow.packets_back), (Some(2), Some(0)));
    assert_eq!(flow.duration_ms, Some(28_448));
    assert_eq!(udp.proto, Proto::UDP);
    assert!(udp.tcp.is_none());
    assert_eq!(udp.dst, host("192.168.2.255"));
    assert_eq!(icmp.proto, Proto::ICMPV6);
    assert!(icmp.ip.v6);
    let fields = icmp.icmp.as_ref().unwrap();
    assert_eq!((fields.kind, fields.code), (134, 133));
    assert_eq!((icmp.src_port, icmp.dst_port), (None, None));
    assert_eq!(
        icmp.flow.as_ref().unwrap().outcome,
        Some(FlowOutcome::Other)
    );
}

#[test]
fn json_record_with_epoch_time() {
    // The first record of core.tunnels.teredo/conn.log (zeek/zeek) in Zeek's
    // JSON form (LogAscii::use_json).
    let out = parse(
        r#"{"ts":1210953047.736921,"uid":"CjhGID4nQcgTWjvg4c","id.orig_h":"192.168.2.16","id.orig_p":1576,"id.resp_h":"75.126.130.163","id.resp_p":80,"proto":"tcp","duration":0.000357,"orig_bytes":0,"resp_bytes":0,"conn_state":"SHR","missed_bytes":0,"history":"fA","orig_pkts":1,"orig_ip_bytes":40,"resp_pkts":1,"resp_ip_bytes":40,"tunnel_parents":[]}"#,
    );
    assert!(
        out.unrecognized.is_empty() && out.warnings.is_empty(),
        "{out:?}"
    );
    let p = &out.packets[0];
    assert_eq!(time(p), "2008-05-16T15:50:47.736921Z");
    assert_eq!((p.src_port, p.dst_port), (Some(1576), Some(80)));
    assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::ACK)));
    assert_eq!(p.action, Action::Logged);
    let flow = p.flow.as_ref().unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Other));
    assert_eq!((flow.bytes_out, flow.bytes_back), (Some(40), Some(40)));
    assert_eq!(flow.duration_ms, Some(0));
}

#[test]
fn json_record_with_iso_time_and_payload_bytes_only() {
    // gravwell/gravwell ingest/processors/corelight_data_test.go, conn2_in
    // (a Corelight record, on one line).
    let out = parse(
        r#"{"_path":"conn","_system_name":"ds61","_write_ts":"2020-08-16T06:26:04.077276Z","_node":"worker-01","ts":"2020-08-16T06:26:03.553287Z","uid":"C5bLoe2Mvxqhawzqqd","id.orig_h":"192.168.4.76","id.orig_p":46378,"id.resp_h":"31.3.245.133","id.resp_p":80,"proto":"tcp","service":"http","duration":0.25411510467529297,"orig_bytes":77,"resp_bytes":295,"conn_state":"SF","missed_bytes":0,"history":"ShADadFf","orig_pkts":6,"orig_ip_bytes":397,"resp_pkts":4,"resp_ip_bytes":511}"#,
    );
    assert!(
        out.unrecognized.is_empty() && out.warnings.is_empty(),
        "{out:?}"
    );
    let p = &out.packets[0];
    assert_eq!(time(p), "2020-08-16T06:26:03.553287Z");
    assert_eq!(p.src, host("192.168.4.76"));
    assert_eq!(p.dst, host("31.3.245.133"));
    assert_eq!(p.action, Action::Accept);
    let flow = p.flow.as_ref().unwrap();
    assert_eq!(flow.outcome, Some(FlowOutcome::Established));
    assert_eq!(flow.duration_ms, Some(254));
    assert_eq!((flow.bytes_out, flow.bytes_back), (Some(397), Some(511)));
    // An S0 record without the IP-level byte counts (written for this test).
    let out = parse(
        r#"{"ts":1517336042.090842,"uid":"x","id.orig_h":"10.55.182.100","id.orig_p":14291,"id.resp_h":"10.233.233.5","id.resp_p":80,"proto":"tcp","orig_bytes":0,"resp_bytes":0,"conn_state":"S0","history":"S","orig_pkts":2}"#,
    );
    let flow = out.packets[0].flow.as_ref().unwrap();
    assert_eq!(
        (flow.bytes_out, flow.bytes_back),
        (Some(0), Some(0)),
        "payload bytes when IP bytes are not logged"
    );
    assert_eq!(flow.outcome, Some(FlowOutcome::Unanswered));
}

#[test]
fn other_zeek_logs_are_skipped() {
    // A dns.log header and record in Zeek's TSV layout, and the same record as
    // JSON; the values are gravwell/gravwell corelight_data_test.go's dns1.
    let out = parse(concat!(
        "#separator \\x09\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\n",
        "1597559163.553287\tCMdzit1AMNsmfAIiQc\t192.168.4.76\t36844\t192.168.4.1\t53\tudp\ttestmyids.com\n",
        r#"{"_path":"dns","ts":"2020-08-16T06:26:03.553287Z","uid":"CMdzit1AMNsmfAIiQc","id.orig_h":"192.168.4.76","id.orig_p":36844,"id.resp_h":"192.168.4.1","id.resp_p":53,"proto":"udp","query":"testmyids.com"}"#,
    ));
    assert!(out.packets.is_empty() && out.unrecognized.is_empty());
    assert_eq!(out.skipped, vec![1, 2, 3, 4, 5]);
}

#[test]
fn damaged_records_warn_or_are_unrecognized() {
    let out = parse(&format!(
        "{HEADER}1210953047.736921\tC\t192.168.2.16\t99999\t75.126.130.163\t80\ttcp\t-\tx\t0\t0\tWEIRD\t-\t-\t0\tS\t1\t40\n1210953047.736921\tC\t-\t1\t-\t2\ttcp\n{{\"uid\":\"C\",\"id.orig_h\":\"10.0.0.1\"\n"
    ));
    assert_eq!(out.packets.len(), 1);
    let p = &out.packets[0];
    assert_eq!(p.src_port, None);
    assert_eq!(p.flow.as_ref().unwrap().outcome, None);
    assert_eq!(out.warnings.len(), 1);
    assert!(
        out.warnings[0].1.contains("3 unreadable"),
        "{:?}",
        out.warnings
    );
    assert!(
        out.warnings[0]
            .1
            .contains("18 fields where the header names 21")
    );
    let lines: Vec<u64> = out.unrecognized.iter().map(|u| u.0).collect();
    assert_eq!(lines, vec![10, 11]);
}

#[test]
fn record_before_header_and_other_separators() {
    let out = parse("1210953047.736921\tC\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\n");
    assert_eq!(out.unrecognized.len(), 1);
    let out = parse(concat!(
        "#separator ,\n#fields,ts,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,conn_state\n",
        "1210953047.5,10.0.0.1,1025,10.0.0.2,22,tcp,REJ\n",
    ));
    assert!(
        out.unrecognized.is_empty() && out.warnings.is_empty(),
        "{out:?}"
    );
    assert_eq!(out.packets[0].dst_port, Some(22));
    assert_eq!(
        out.packets[0].flow.as_ref().unwrap().outcome,
        Some(FlowOutcome::Rejected)
    );
}

#[test]
fn claims_headers_records_after_a_header_and_conn_json() {
    let mut parser = super::ZeekConnParser::default();
    let record = b"1210953047.736921\tC\t10.0.0.1\t1\t10.0.0.2\t2\ttcp";
    assert!(parser.claims(b"#separator \\x09"));
    assert!(parser.claims(b"#fields\tts\tuid"));
    assert!(!parser.claims(b"#fieldsx"));
    assert!(!parser.claims(b"# a comment"));
    assert!(!parser.claims(record), "no header seen yet");
    let mut sink = Collect::default();
    let mut ctx = TimeContext::fixed_year(2000);
    parser.feed(
        b"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto",
        1,
        &mut ctx,
        &mut sink,
    );
    assert!(parser.claims(record));
    assert!(!parser.claims(b"Mar 12 04:05:35 host kernel: x"));
    assert!(parser.claims(br#"{"ts":1.5,"uid":"C1","id.orig_h":"10.0.0.1"}"#));
    assert!(parser.claims(br#"{"id.orig_h":"10.0.0.1","conn_state":"S0"}"#));
    assert!(!parser.claims(br#"{"id.orig_h":"10.0.0.1"}"#));
}

#[test]
fn conn_states_and_history_letters() {
    assert_eq!(outcome_of(b"S0"), Some(FlowOutcome::Unanswered));
    for state in [&b"REJ"[..], b"RSTOS0", b"RSTRH"] {
        assert_eq!(outcome_of(state), Some(FlowOutcome::Rejected));
    }
    for state in [&b"SF"[..], b"S1", b"S2", b"S3", b"RSTO", b"RSTR"] {
        assert_eq!(outcome_of(state), Some(FlowOutcome::Established));
    }
    for state in [&b"SH"[..], b"SHR", b"OTH"] {
        assert_eq!(outcome_of(state), Some(FlowOutcome::Other));
    }
    assert_eq!(outcome_of(b"sf"), None);
    assert_eq!(first_flags(b"ShADadFf"), Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(first_flags(b"^dtfAR"), Some(TcpFlags(TcpFlags::ACK)));
    assert_eq!(
        first_flags(b"DadF"),
        Some(TcpFlags(TcpFlags::PSH | TcpFlags::ACK))
    );
    assert_eq!(
        first_flags(b"Fa"),
        Some(TcpFlags(TcpFlags::FIN | TcpFlags::ACK))
    );
    assert_eq!(first_flags(b"r"), None);
    assert_eq!(first_flags(b"Q"), None);
}
