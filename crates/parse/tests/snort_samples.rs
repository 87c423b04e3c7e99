//! Every Snort sample and paper trace parses whole; hostile input never
//! panics.

use picket_model::{Action, Proto, Sensor, TcpFlags};
use picket_parse::dispatch::{Collect, parse_text};
use picket_parse::{Format, TimeContext};
use proptest::prelude::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/");

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{FIXTURES}{path}");
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn parse(text: &[u8], forced: Option<Format>) -> Collect {
    parse_text(text, forced, &mut TimeContext::fixed_year(2000))
}

/// Parses a fixture both forced and sniffed; both must agree.
fn parse_fixture(path: &str, format: Format) -> Collect {
    let text = fixture(path);
    let forced = parse(&text, Some(format));
    let sniffed = parse(&text, None);
    assert_eq!(
        forced.packets, sniffed.packets,
        "{path}: sniffing changed the result"
    );
    forced
}

fn headers(text: &[u8]) -> usize {
    text.split(|b| *b == b'\n')
        .filter(|l| l.starts_with(b"[**]"))
        .count()
}

#[test]
fn securitywing_full_alerts() {
    let path = "samples/snort/securitywing_alert.full";
    let out = parse_fixture(path, Format::SnortFull);
    assert_eq!(headers(&fixture(path)), 6);
    assert_eq!(out.packets.len(), 6);
    assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let lines: Vec<u64> = out.packets.iter().map(|p| p.origin.line).collect();
    assert_eq!(lines, vec![1, 7, 13, 19, 25, 31]);
    for p in &out.packets {
        assert_eq!(p.sensor, Sensor::Snort);
        assert_eq!(p.action, Action::Alert);
        assert_eq!(p.proto, Proto::TCP);
        assert!(p.time.is_some() && p.ip.ttl.is_some() && p.tcp_seq().is_some());
    }
    let first = &out.packets[0];
    let sig = first.signature.as_ref().unwrap();
    assert_eq!((sig.gid, sig.sid, sig.rev), (Some(129), Some(12), Some(1)));
    assert_eq!(
        &*sig.message,
        "Consecutive TCP small segments exceeding threshold"
    );
    assert_eq!(first.src.to_string(), "82.110.102.199");
    assert_eq!(first.dst_port, Some(443));
    assert_eq!(
        first.tcp_flags(),
        Some(TcpFlags(TcpFlags::ACK | TcpFlags::PSH))
    );
    assert_eq!(first.transport_len, Some(119));
    let http = &out.packets[1];
    assert_eq!(
        &*http.signature.as_ref().unwrap().message,
        "(http_inspect) NO CONTENT-LENGTH OR TRANSFER-ENCODING IN HTTP RESPONSE"
    );
    assert_eq!(
        http.signature.as_ref().unwrap().classification.as_deref(),
        Some("Unknown Traffic")
    );
    let resets = out
        .packets
        .iter()
        .filter(|p| p.tcp_flags() == Some(TcpFlags(TcpFlags::RST)))
        .count();
    assert_eq!(resets, 2);
}

#[test]
fn elastic_full_alerts() {
    let path = "samples/elastic/snort_test-log-full.log";
    let out = parse_fixture(path, Format::SnortFull);
    assert_eq!(headers(&fixture(path)), 7);
    assert_eq!(out.packets.len(), 7);
    assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let protos: Vec<Proto> = out.packets.iter().map(|p| p.proto).collect();
    use Proto as P;
    assert_eq!(
        protos,
        vec![P::TCP, P::TCP, P::UDP, P::ICMP, P::TCP, P::ICMP, P::UDP]
    );
    // `[Priority: 0]` alone, without a classification.
    let first = out.packets[0].signature.as_ref().unwrap();
    assert_eq!(
        (first.priority, first.classification.as_deref()),
        (Some(0), None)
    );
    assert_eq!(out.packets[6].transport_len, Some(133));
    let reply = out.packets[5].icmp.as_ref().unwrap();
    assert_eq!((reply.kind, reply.code, reply.echo_id), (0, 0, Some(101)));
}

#[test]
fn elastic_fast_alerts() {
    let path = "samples/elastic/snort_test-log-fast.log";
    let text = fixture(path);
    let out = parse_fixture(path, Format::SnortFast);
    let lines = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(lines, 10);
    assert_eq!(out.packets.len(), 10);
    assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let first = &out.packets[0];
    assert_eq!(first.src.to_string(), "0.0.0.0");
    assert_eq!(first.dst.to_string(), "255.255.255.255");
    assert_eq!((first.src_port, first.dst_port), (Some(68), Some(67)));
    assert_eq!(
        &*first.signature.as_ref().unwrap().message,
        "BAD-TRAFFIC same SRC/DST"
    );
    let icmp = out
        .packets
        .iter()
        .filter(|p| p.proto == Proto::ICMP)
        .count();
    assert_eq!(icmp, 4);
    assert!(out.packets.iter().all(|p| p.time.is_some()));
}

#[test]
fn paper_alerts() {
    let deep = parse_fixture("paper/04-deep-throat/snort.alert", Format::SnortFull);
    assert_eq!(deep.packets.len(), 1);
    assert!(deep.unrecognized.is_empty() && deep.warnings.is_empty());
    let p = &deep.packets[0];
    assert_eq!(p.proto, Proto::UDP);
    assert_eq!(p.src.to_string(), "user.dsl.ma");
    assert_eq!((p.src_port, p.dst_port), (Some(60000), Some(2140)));
    assert_eq!(
        p.transport_len,
        Some(10),
        "Snort 1.x prints the UDP length field"
    );
    assert_eq!((p.ip.ttl, p.ip.id), (Some(50), Some(2320)));
    assert_eq!(
        &*p.signature.as_ref().unwrap().message,
        "Deep Throat/Invasor"
    );

    let smb = parse_fixture("paper/05-smb-wildcard/snort.alert", Format::SnortFull);
    assert_eq!(smb.packets.len(), 3);
    assert!(smb.unrecognized.is_empty());
    assert_eq!(smb.warnings.len(), 1, "{:?}", smb.warnings);
    assert_eq!(smb.warnings[0].0, 11);
    assert!(smb.warnings[0].1.contains("TTT:110"));
    let damaged = &smb.packets[2];
    assert_eq!(damaged.origin.line, 11);
    assert_eq!(damaged.ip.ttl, None);
    assert_eq!(damaged.ip.id, Some(11458));
    assert_eq!(damaged.ip.tos, Some(0));
    assert_eq!(damaged.transport_len, Some(58));
    assert_eq!(smb.packets[0].ip.ttl, Some(110));

    let wingate = parse_fixture("paper/06-wingate/snort.alert", Format::SnortFull);
    assert_eq!(wingate.packets.len(), 3);
    assert!(wingate.unrecognized.is_empty() && wingate.warnings.is_empty());
    let ids: Vec<Option<u32>> = wingate.packets.iter().map(|p| p.ip.id).collect();
    assert_eq!(ids, vec![Some(36113), Some(49169), Some(56337)]);
    for p in &wingate.packets {
        assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
        let options = p.tcp.as_ref().and_then(|t| t.options.as_ref()).unwrap();
        assert_eq!(options.mss, Some(536));
        assert_eq!(options.kinds, vec![2, 1, 1, 4]);
    }
}

const FULL_RECORD: &str = "[**] [1:1000006:0] TCP connection [**]\n[Classification: Potentially Bad Traffic] [Priority: 2]\n09/04-21:53:15.301504 10.100.20.59:57263 -> 10.100.10.190:22\nTCP TTL:127 TOS:0x0 ID:61472 IpLen:20 DgmLen:40 DF\n***A**** Seq: 0x68940D74  Ack: 0xBC811F16  Win: 0x80E  TcpLen: 20\nTCP Options (3) => MSS: 1460 NOP WS: 3\n";
const FAST_LINE: &str = "05/30-19:09:10.917356  [**] [1:477:3] ICMP Packet [**] [Priority: 0] {ICMP} 172.25.212.245 -> 172.25.212.153\n";
const SUNSCREEN_LINE: &str = "197118 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.799467 somewhere.uk -> www.xxx.yyy.65 TCP D=81 S=35039 Syn Seq=1630776701 Len=0 Win=8760\n";
const SYSLOG_LINE: &str = "Apr 21 17:04:13 unbeliever snort[1234]: [1:1:1] Deep Throat/Invasor [Classification: Misc activity] [Priority: 3]: {UDP} 10.1.1.1:60000 -> 10.2.2.2:2140\n";

#[test]
fn mixed_formats_in_one_file() {
    let text = format!("{FULL_RECORD}\n{FAST_LINE}{SUNSCREEN_LINE}");
    let out = parse(text.as_bytes(), None);
    assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.packets.len(), 3);
    let full = &out.packets[0];
    assert_eq!(full.sensor, Sensor::Snort);
    assert_eq!(full.origin.line, 1);
    assert_eq!(full.dst_port, Some(22));
    let options = full.tcp.as_ref().and_then(|t| t.options.as_ref()).unwrap();
    assert_eq!((options.mss, options.window_scale), (Some(1460), Some(3)));
    let fast = &out.packets[1];
    assert_eq!(
        (fast.sensor, fast.proto, fast.origin.line),
        (Sensor::Snort, Proto::ICMP, 8)
    );
    let screen = &out.packets[2];
    assert_eq!(screen.sensor, Sensor::Sunscreen);
    assert_eq!(screen.origin.line, 9);
    assert_eq!(screen.action, Action::Drop);

    // Without the blank line, the fast line ends the full record itself.
    let text = format!("{FULL_RECORD}{FAST_LINE}{SYSLOG_LINE}{FULL_RECORD}");
    let out = parse(text.as_bytes(), None);
    assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
    assert_eq!(out.packets.len(), 4);
    let lines: Vec<u64> = out.packets.iter().map(|p| p.origin.line).collect();
    assert_eq!(lines, vec![1, 7, 8, 9]);
}

fn all_modes(text: &[u8]) {
    let _ = parse(text, None);
    for format in [
        Format::SnortFull,
        Format::SnortFast,
        Format::SnortSyslog,
        Format::Sunscreen,
    ] {
        let _ = parse(text, Some(format));
    }
}

#[test]
fn every_prefix_of_real_records() {
    for record in [FULL_RECORD, FAST_LINE, SUNSCREEN_LINE, SYSLOG_LINE] {
        let bytes = record.as_bytes();
        for cut in 0..=bytes.len() {
            all_modes(&bytes[..cut]);
        }
    }
    let paper = fixture("paper/05-smb-wildcard/snort.alert");
    for cut in 0..=paper.len() {
        let out = parse(&paper[..cut], Some(Format::SnortFull));
        assert!(out.packets.len() <= 3);
    }
}

#[test]
fn binary_huge_and_invalid_utf8_input() {
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    all_modes(&binary);
    all_modes(b"[**] \xff\xfe [**]\n\xc3\x28-\xa0\xa1 -> \xf0\x28\x8c\x28:80\nTCP TTL:\xff\n");
    all_modes(b"05/30-19:09:10.917356  [**] \xff [**] {\xfe} \xc3:1 -> \xc3\x28:2");

    let mega = "A".repeat(1 << 20);
    let long_lines = [
        format!("[**] {mega} [**]\n04/21-17:04:13.1 a:1 -> b:2\nUDP {mega}\n{mega}\n"),
        format!("05/30-19:09:10.917356  [**] {mega} [**] {{UDP}} a:1 -> b:2"),
        format!(
            "05/30-19:09:10.917356  [**] x [**] {}",
            "[Priority: 1] ".repeat(50_000)
        ),
        format!("Apr 21 17:04:13 h snort: {} -> b", " -> ".repeat(200_000)),
        format!("1 q ({mega}) 2000/4/4 1:2:3 a -> b TCP {mega}"),
        format!("1 q (x) 2000/4/4 1:2:3 a -> {mega} ICMP Echo request"),
    ];
    for text in &long_lines {
        all_modes(text.as_bytes());
    }
    let out = parse(long_lines[0].as_bytes(), Some(Format::SnortFull));
    assert_eq!(out.packets.len(), 1);
    assert_eq!(out.warnings.len(), 1, "one warning per damaged record");
}

fn mutate(base: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut text = base.to_vec();
    for &(at, byte, how) in edits {
        if text.is_empty() {
            text.push(byte);
            continue;
        }
        let at = at % text.len();
        match how % 4 {
            0 => text[at] = byte,
            1 => text.insert(at, byte),
            2 => {
                text.remove(at);
            }
            _ => {
                let end = (at + usize::from(byte % 16)).min(text.len());
                text.drain(at..end);
            }
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        all_modes(&bytes);
    }

    #[test]
    fn mutated_records_never_panic(
        which in 0usize..4,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..12),
    ) {
        let base = [FULL_RECORD, FAST_LINE, SUNSCREEN_LINE, SYSLOG_LINE][which];
        let text = mutate(base.as_bytes(), &edits);
        all_modes(&text);
        // Whatever survives points at a real line of the input.
        let lines = text.split(|b| *b == b'\n').count() as u64;
        let out = parse(&text, None);
        for packet in &out.packets {
            prop_assert!((1..=lines).contains(&packet.origin.line));
        }
    }

    #[test]
    fn printable_noise_in_a_record_never_panics(
        noise in "[ -~]{0,80}",
        line in 1usize..6,
    ) {
        let mut lines: Vec<&str> = FULL_RECORD.lines().collect();
        lines.insert(line.min(lines.len()), &noise);
        let text = lines.join("\n");
        let out = parse(text.as_bytes(), Some(Format::SnortFull));
        // The noise can split the record in two at most, each warned once.
        prop_assert!(out.packets.len() <= 2);
        prop_assert!(out.warnings.len() <= 2);
    }
}
