//! The paper's three SunScreen traces parse whole, with the endpoints,
//! ports and flags an analyst reads off them.

use std::collections::BTreeMap;

use picket_model::{Action, Host, Packet, Proto, Sensor, TcpFlags};
use picket_parse::dispatch::{Collect, parse_text};
use picket_parse::{Format, TimeContext};

fn trace(folder: &str) -> Collect {
    let path = format!(
        "{}/../../tests/fixtures/paper/{folder}/sunscreen.log",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut time = TimeContext::fixed_year(2000);
    let forced = parse_text(&text, Some(Format::Sunscreen), &mut time);
    let sniffed = parse_text(&text, None, &mut TimeContext::fixed_year(2000));
    assert_eq!(
        forced.packets, sniffed.packets,
        "{folder}: sniffing changed the result"
    );
    assert!(
        forced.unrecognized.is_empty(),
        "{folder}: {:?}",
        forced.unrecognized
    );
    assert!(
        forced.warnings.is_empty(),
        "{folder}: {:?}",
        forced.warnings
    );
    forced
}

fn name(text: &str) -> Host {
    Host::parse(text).unwrap()
}

fn common_checks(packets: &[Packet]) {
    for (i, p) in packets.iter().enumerate() {
        assert_eq!(p.sensor, Sensor::Sunscreen);
        assert_eq!(p.action, Action::Drop);
        assert_eq!(p.in_iface.as_deref(), Some("qfe0"));
        assert_eq!(p.label.as_deref(), Some("deny rule or no pass rule"));
        assert_eq!(p.origin.line, i as u64 + 1);
        assert!(p.time.is_some());
    }
    assert!(packets.windows(2).all(|w| w[0].time <= w[1].time));
}

#[test]
fn netbios_from_spoofed_sources() {
    // Detect 03.
    let out = trace("03-netbios-spoofed");
    assert_eq!(out.packets.len(), 19);
    common_checks(&out.packets);
    let mut by_source: BTreeMap<String, usize> = BTreeMap::new();
    for p in &out.packets {
        assert_eq!(p.proto, Proto::UDP);
        assert_eq!(p.dst, name("server.cluster"));
        assert_eq!((p.src_port, p.dst_port), (Some(137), Some(137)));
        assert_eq!(p.transport_len, Some(58));
        *by_source.entry(p.src.to_string()).or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = [
        ("10.0.0.1".to_string(), 11),
        ("10.0.0.11".to_string(), 3),
        ("205.250.106.45".to_string(), 5),
    ]
    .into();
    assert_eq!(by_source, expected);
    assert!(out.packets[0].src.addr().is_some());
    assert_eq!(
        out.packets[0].time.unwrap().to_string(),
        "2000-04-04T14:29:11.667852Z"
    );
}

#[test]
fn netbios_from_a_named_host() {
    // Detect 08.
    let out = trace("08-netbios-arpanet");
    assert_eq!(out.packets.len(), 4);
    common_checks(&out.packets);
    for p in &out.packets {
        assert_eq!(p.src, name("arpanet"));
        assert_eq!(p.dst, name("server.cluster"));
        assert_eq!(
            (p.proto, p.src_port, p.dst_port),
            (Proto::UDP, Some(137), Some(137))
        );
    }
    assert_eq!(
        out.packets[0].time.unwrap().to_string(),
        "2000-04-04T09:29:34.65496Z"
    );
}

#[test]
fn port_81_sweep_syns_then_resets() {
    // Detect 10.
    let out = trace("10-port81-sweep");
    assert_eq!(out.packets.len(), 23);
    common_checks(&out.packets);
    let syn = TcpFlags(TcpFlags::SYN);
    let rst = TcpFlags(TcpFlags::RST);
    let syns: Vec<&Packet> = out
        .packets
        .iter()
        .filter(|p| p.tcp_flags() == Some(syn))
        .collect();
    let rsts: Vec<&Packet> = out
        .packets
        .iter()
        .filter(|p| p.tcp_flags() == Some(rst))
        .collect();
    assert_eq!((syns.len(), rsts.len()), (8, 15));
    for p in &out.packets {
        assert_eq!(p.proto, Proto::TCP);
        assert_eq!(p.src, name("somewhere.uk"));
        assert_eq!(p.dst_port, Some(81));
        assert!(p.dst.name().is_some_and(|n| n.starts_with("www.xxx.yyy.")));
        assert_eq!(p.transport_len, Some(0));
        assert_eq!(p.tcp.as_ref().and_then(|t| t.window), Some(8760));
    }
    // Every SYN is answered by a RST from the same port to the same host,
    // one sequence number on.
    for s in &syns {
        let answered = rsts.iter().any(|r| {
            r.dst == s.dst && r.src_port == s.src_port && r.tcp_seq() == s.tcp_seq().map(|q| q + 1)
        });
        assert!(answered, "no RST for SYN to {}", s.dst);
    }
    let targets: std::collections::BTreeSet<String> =
        out.packets.iter().map(|p| p.dst.to_string()).collect();
    assert_eq!(targets.len(), 15);
    assert_eq!(out.packets[0].dst, Host::Name("www.xxx.yyy.65".into()));
    assert_eq!(out.packets[0].src_port, Some(35039));
}
