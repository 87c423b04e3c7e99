//! Snort "full" alerts: one record of several lines per alert.
//!
//! ```text
//! [**] [1:1000006:0] TCP connection [**]
//! [Classification: Potentially Bad Traffic] [Priority: 2]
//! 09/04-21:53:15.301504 10.100.20.59:57263 -> 10.100.10.190:22
//! TCP TTL:127 TOS:0x0 ID:61472 IpLen:20 DgmLen:40 DF
//! ***A**** Seq: 0x68940D74  Ack: 0xBC811F16  Win: 0x80E  TcpLen: 20
//! ```
//!
//! The header's `[gid:sid:rev]` and the classification line are absent in
//! Snort 1.x. The endpoints follow the time, or (with `-e`, where the time
//! line carries the Ethernet header) open the IP line. Then come the
//! protocol's lines, an ICMP error's quoted datagram between
//! `** ORIGINAL DATAGRAM DUMP:` and `** END OF DUMP`, and `[Xref => ...]`.
//!
//! A record ends at a blank line. When the next `[**]` header (or a line
//! that opens another format, such as a syslog line) comes first, the record
//! is emitted and the line handed back with [`Feed::Rejected`], so that the
//! dispatcher sniffs it anew. Lines inside a record that are not understood
//! are skipped; each record with any damage gets exactly one warning.

use jiff::Timestamp;
use memchr::memmem;
use picket_model::{Action, Packet, Proto, Sensor, Signature};

use crate::bytes::{Interner, trim};
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::snort::common::{
    Damage, Decorations, UNKNOWN_PROTO, clean_message, looks_like_time, read_time,
    resolve_endpoints, signature, split_sid, strip_decorations,
};
use crate::snort::fields::Words;
use crate::snort::headers::{Layer, is_flags_word, is_ip_line};
use crate::sunscreen::looks_like_record;
use crate::syslog::{skip_uptime, strip_priority};
use crate::time::{TimeContext, looks_bsd, looks_iso};

/// Reads Snort full alert records.
#[derive(Default, Debug)]
pub struct SnortFullParser {
    names: Interner,
    record: Record,
}

/// The record being read. Buffers are kept between records.
#[derive(Default, Debug)]
struct Record {
    active: bool,
    first_line: u64,
    signature: Option<Box<Signature>>,
    time: Option<Timestamp>,
    has_time_line: bool,
    outer: Layer,
    quoted: Layer,
    in_dump: bool,
    unknown_lines: u32,
    damage: Damage,
}

impl Record {
    fn start(&mut self, line_no: u64) {
        self.active = true;
        self.first_line = line_no;
        self.signature = None;
        self.time = None;
        self.has_time_line = false;
        self.outer.clear();
        self.quoted.clear();
        self.in_dump = false;
        self.unknown_lines = 0;
    }
}

impl FormatParser for SnortFullParser {
    fn format(&self) -> Format {
        Format::SnortFull
    }

    fn claims(&self, line: &[u8]) -> bool {
        line.starts_with(b"[**]")
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        if !self.record.active {
            return self.open(line, line_no, sink);
        }
        let text = trim(line);
        if text.is_empty() {
            self.emit(sink);
            return Feed::Done;
        }
        if text.starts_with(b"[**]") || opens_another_format(text, self.record.has_time_line) {
            self.emit(sink);
            return Feed::Rejected;
        }
        self.read_line(text, time);
        Feed::Pending
    }

    fn finish(&mut self, _time: &mut TimeContext, sink: &mut dyn Sink) {
        if self.record.active {
            self.emit(sink);
        }
    }
}

impl SnortFullParser {
    /// Reads the `[**] [gid:sid:rev] message [**]` header.
    fn open(&mut self, line: &[u8], line_no: u64, sink: &mut dyn Sink) -> Feed {
        let Some(after) = line.strip_prefix(b"[**]") else {
            sink.unrecognized(line_no, "not a Snort alert header");
            return Feed::Done;
        };
        self.record.start(line_no);
        let message = match memmem::rfind(after, b"[**]") {
            Some(close) => &after[..close],
            None => {
                self.record
                    .damage
                    .note("alert header lacks its closing `[**]`");
                after
            }
        };
        let (ids, message) = split_sid(message);
        let message = clean_message(message);
        self.record.signature = Some(signature(
            &mut self.names,
            ids,
            message,
            &Decorations::default(),
        ));
        Feed::Pending
    }

    /// Reads one line of a pending record (trimmed, not blank).
    fn read_line(&mut self, text: &[u8], time: &mut TimeContext) {
        let record = &mut self.record;
        if record.in_dump {
            read_dump_line(record, text);
            return;
        }
        if text.starts_with(b"** ORIGINAL DATAGRAM DUMP") {
            record.in_dump = true;
            return;
        }
        if !record.has_time_line {
            if text.starts_with(b"[Classification:") || text.starts_with(b"[Priority:") {
                let (_, decorations) = strip_decorations(text);
                if let Some(sig) = record.signature.as_mut() {
                    sig.classification = decorations.classification.map(|c| self.names.intern(c));
                    sig.priority = decorations.priority;
                }
                return;
            }
            if let Some((when, used)) = read_time(text, time) {
                record.has_time_line = true;
                record.time = when;
                if when.is_none() {
                    record.damage.note("unreadable timestamp");
                }
                read_time_line_rest(record, &text[used..]);
                return;
            }
        }
        if is_known_noise(text) {
            return;
        }
        if !record.outer.has_endpoints
            && let Some(rest) = record.outer.read_endpoints(text)
        {
            // `-e`: the endpoints open the IP line.
            if is_ip_line(rest) {
                record.outer.read_ip_line(rest, &mut record.damage);
            }
            return;
        }
        if is_ip_line(text) && !record.outer.has_ip_line {
            record.outer.read_ip_line(text, &mut record.damage);
            return;
        }
        if text.starts_with(b"Frag Offset:") {
            record.outer.read_frag_line(text, &mut record.damage);
            return;
        }
        if text.starts_with(b"TCP Options") {
            record.outer.read_tcp_options(text, &mut record.damage);
            return;
        }
        let proto = record.outer.proto;
        let first = Words::new(text).next().unwrap_or_default();
        let tcp_line =
            is_flags_word(first) || (first.len() == 8 && memmem::find(text, b"Seq:").is_some());
        if matches!(proto, Some(Proto::TCP) | None) && record.outer.tcp.is_none() && tcp_line {
            record.outer.read_tcp_line(text, &mut record.damage);
            return;
        }
        if matches!(proto, Some(Proto::UDP) | None) && text.starts_with(b"Len:") {
            record.outer.read_udp_line(text, &mut record.damage);
            return;
        }
        if matches!(proto, Some(Proto::ICMP | Proto::ICMPV6) | None) {
            if record.outer.icmp.is_none() {
                if record.outer.read_icmp_line(text) {
                    return;
                }
            } else if is_icmp_continuation(text) {
                return;
            }
        }
        record.unknown_lines = record.unknown_lines.saturating_add(1);
    }

    /// Sends the pending record to `sink` and forgets it.
    fn emit(&mut self, sink: &mut dyn Sink) {
        let record = &mut self.record;
        record.active = false;
        let line = record.first_line;
        if !record.outer.has_endpoints {
            sink.unrecognized(line, "Snort alert without `src -> dst`");
            record.damage = Damage::default();
            return;
        }
        let outer = &record.outer;
        let proto = outer.proto;
        let ends = match resolve_endpoints(&mut self.names, &outer.src, &outer.dst, proto) {
            Ok(ends) => ends,
            Err(reason) => {
                sink.unrecognized(line, reason);
                record.damage = Damage::default();
                return;
            }
        };
        if !record.has_time_line {
            record.damage.note("no timestamp line");
        }
        if !outer.has_ip_line {
            record.damage.note("record ends before its IP header line");
        }
        if ends.bad_port {
            record.damage.note("unreadable port");
        }
        if record.unknown_lines > 0 {
            record
                .damage
                .note(format!("{} line(s) not understood", record.unknown_lines));
        }
        let mut packet = Packet::new(
            Sensor::Snort,
            ends.src,
            ends.dst,
            proto.unwrap_or(UNKNOWN_PROTO),
        );
        packet.time = record.time;
        packet.action = Action::Alert;
        packet.src_port = ends.src_port;
        packet.dst_port = ends.dst_port;
        packet.signature = record.signature.take();
        packet.origin.line = line;
        outer.fill(&mut packet);
        if let Some(icmp) = packet.icmp.as_mut()
            && record.quoted.has_endpoints
        {
            icmp.quoted = record.quoted.to_packet(&mut self.names, packet.time);
        }
        record.damage.report(line, sink);
        sink.packet(packet);
    }
}

/// After the time: `src -> dst`, or with `-e` the Ethernet header
/// (`0:C:29:.. -> 0:50:56:.. type:0x800 len:0x4A`), whose endpoints are not
/// the packet's.
fn read_time_line_rest(record: &mut Record, rest: &[u8]) {
    let rest = trim(rest);
    if rest.is_empty() || memmem::find(rest, b" type:0x").is_some() {
        return;
    }
    if record.outer.read_endpoints(rest).is_none() {
        record.damage.note("time line lacks `src -> dst`");
    }
}

/// A line of the datagram an ICMP error quotes.
fn read_dump_line(record: &mut Record, text: &[u8]) {
    let quoted = &mut record.quoted;
    if text.starts_with(b"** END OF DUMP") {
        record.in_dump = false;
        return;
    }
    if !quoted.has_endpoints
        && let Some(rest) = quoted.read_endpoints(text)
    {
        if is_ip_line(rest) {
            quoted.read_ip_line(rest, &mut record.damage);
        }
        return;
    }
    if is_ip_line(text) && !quoted.has_ip_line {
        quoted.read_ip_line(text, &mut record.damage);
    } else if text.starts_with(b"Seq:") {
        quoted.read_tcp_line(text, &mut record.damage);
    } else if text.starts_with(b"Len:") {
        quoted.read_udp_line(text, &mut record.damage);
    } else if text.starts_with(b"Type:") {
        quoted.read_icmp_line(text);
    } else if text.starts_with(b"Frag Offset:") {
        quoted.read_frag_line(text, &mut record.damage);
    } else if !is_known_noise(text) {
        record.unknown_lines = record.unknown_lines.saturating_add(1);
    }
}

/// Lines Snort prints that carry nothing picket keeps.
fn is_known_noise(text: &[u8]) -> bool {
    const PREFIXES: [&[u8]; 6] = [
        b"[Xref",
        b"=+=+",
        b"IP Options",
        b"ORIGINAL DATAGRAM TRUNCATED",
        b"(",
        b"Protocol:",
    ];
    PREFIXES.iter().any(|p| text.starts_with(p)) || text.ends_with(b"header truncated")
}

/// The second line of ICMP messages Snort prints over two lines.
fn is_icmp_continuation(text: &[u8]) -> bool {
    text.starts_with(b"PACKET FILTERED")
        || text.starts_with(b"NEXT LINK MTU")
        || text.starts_with(b"Orig:")
}

/// True when `text` cannot belong to a full record because it opens a line
/// of another format: a syslog envelope or kernel uptime stamp, a SunScreen
/// record, or (after the record's own time line) a Snort fast alert.
fn opens_another_format(text: &[u8], has_time_line: bool) -> bool {
    let text = strip_priority(text);
    looks_bsd(text)
        || looks_iso(text)
        || skip_uptime(text).len() != text.len()
        || looks_like_record(text)
        || (has_time_line && looks_like_time(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::{Collect, parse_text};
    use picket_model::{Host, TcpFlags};

    fn parse(text: &str) -> Collect {
        parse_text(
            text.as_bytes(),
            Some(Format::SnortFull),
            &mut TimeContext::fixed_year(2000),
        )
    }

    #[test]
    fn snort1_record_with_tcp_options() {
        // The 2000 paper, detect 06 (snort.alert), first record.
        let out = parse(
            "[**] WinGate 8080 Attempt [**]\n04/22-03:20:05.164500 dial.uu.net:4615 -> me.at.home:8080\nTCP TTL:54 TOS:0x0 ID:36113 DF\n**S***** Seq: 0x91ED9D Ack: 0x0 Win: 0x860\nTCP Options => MSS: 536 NOP NOP SackOK\n",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        assert_eq!(out.packets.len(), 1);
        let p = &out.packets[0];
        assert_eq!(p.sensor, Sensor::Snort);
        assert_eq!(p.action, Action::Alert);
        assert_eq!(p.origin.line, 1);
        assert_eq!(p.time.unwrap().to_string(), "2000-04-22T03:20:05.1645Z");
        assert_eq!(p.src, Host::parse("dial.uu.net").unwrap());
        assert_eq!(p.dst, Host::parse("me.at.home").unwrap());
        assert_eq!((p.src_port, p.dst_port), (Some(4615), Some(8080)));
        assert_eq!(p.proto, Proto::TCP);
        assert_eq!(p.ip.ttl, Some(54));
        assert_eq!(p.ip.tos, Some(0));
        assert_eq!(p.ip.id, Some(36113));
        assert!(p.ip.df && !p.ip.mf && !p.ip.v6);
        assert_eq!((p.ip.total_len, p.ip.frag_offset), (None, None));
        assert_eq!(p.transport_len, None, "Snort 1.x prints no lengths");
        assert!(p.icmp.is_none() && p.in_iface.is_none() && p.label.is_none());
        let tcp = p.tcp.as_ref().unwrap();
        assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::SYN)));
        assert_eq!(
            (tcp.seq, tcp.ack, tcp.window),
            (Some(0x91ED9D), Some(0), Some(0x860))
        );
        assert_eq!(
            tcp.options.as_ref().unwrap().to_string(),
            "MSS:536 NOP NOP SackOK"
        );
        let sig = p.signature.as_ref().unwrap();
        assert_eq!(&*sig.message, "WinGate 8080 Attempt");
        assert_eq!(
            (sig.gid, sig.sid, sig.rev, sig.priority),
            (None, None, None, None)
        );
        assert_eq!(sig.classification, None);
    }

    #[test]
    fn snort2_record_with_classification() {
        // samples/snort/securitywing_alert.full, fifth record.
        let out = parse(
            "[**] [129:15:1] Reset outside window [**]\n[Classification: Potentially Bad Traffic] [Priority: 2]\n07/07-11:38:11.815701 10.14.1.76:47636 -> 10.0.4.179:443\nTCP TTL:63 TOS:0x0 ID:0 IpLen:20 DgmLen:40 DF\n*****R** Seq: 0x975F2DD1  Ack: 0x0  Win: 0x0  TcpLen: 20\n\n",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        let p = &out.packets[0];
        let sig = p.signature.as_ref().unwrap();
        assert_eq!((sig.gid, sig.sid, sig.rev), (Some(129), Some(15), Some(1)));
        assert_eq!(&*sig.message, "Reset outside window");
        assert_eq!(
            sig.classification.as_deref(),
            Some("Potentially Bad Traffic")
        );
        assert_eq!(sig.priority, Some(2));
        assert_eq!(p.time.unwrap().to_string(), "2000-07-07T11:38:11.815701Z");
        assert_eq!(
            (p.sensor, p.action, p.proto),
            (Sensor::Snort, Action::Alert, Proto::TCP)
        );
        assert_eq!(p.src.to_string(), "10.14.1.76");
        assert_eq!(p.dst.to_string(), "10.0.4.179");
        assert_eq!((p.src_port, p.dst_port), (Some(47636), Some(443)));
        assert_eq!(p.ip.total_len, Some(40));
        assert_eq!((p.ip.ttl, p.ip.tos, p.ip.id), (Some(63), Some(0), Some(0)));
        assert!(p.ip.df && !p.ip.mf);
        let tcp = p.tcp.as_ref().unwrap();
        assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::RST)));
        assert_eq!(
            (tcp.seq, tcp.ack, tcp.window),
            (Some(0x975F2DD1), Some(0), Some(0))
        );
        assert_eq!(tcp.options, None);
        assert_eq!(p.transport_len, Some(0), "DgmLen 40 - IpLen 20 - TcpLen 20");
    }

    #[test]
    fn snort2_udp_and_icmp_records() {
        // elastic/snort_test-log-full.log, third and fourth records.
        let out = parse(
            "[**] [1:1000005:0] UDP Connection [**]\n[Classification: A Network Trojan was Detected] [Priority: 1] \n09/04-21:53:15.299702 10.100.10.1:53 -> 10.100.10.190:36635\nUDP TTL:64 TOS:0x0 ID:58363 IpLen:20 DgmLen:83\nLen: 55\n\n[**] [1:1000004:0] Pinging... [**]\n[Classification: Attempted Information Leak] [Priority: 2] \n09/04-21:53:15.299988 10.100.10.190 -> 172.217.1.142\nICMP TTL:64 TOS:0x0 ID:6922 IpLen:20 DgmLen:84 DF\nType:8  Code:0  ID:101   Seq:1  ECHO\n",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        assert_eq!(out.packets.len(), 2);
        let udp = &out.packets[0];
        assert_eq!(udp.proto, Proto::UDP);
        assert_eq!(udp.time.unwrap().to_string(), "2000-09-04T21:53:15.299702Z");
        assert_eq!(
            (udp.src.to_string(), udp.dst.to_string()),
            ("10.100.10.1".into(), "10.100.10.190".into())
        );
        assert_eq!(
            (udp.ip.ttl, udp.ip.tos, udp.ip.id),
            (Some(64), Some(0), Some(58363))
        );
        assert!(!udp.ip.df && udp.tcp.is_none() && udp.icmp.is_none());
        let sig = udp.signature.as_ref().unwrap();
        assert_eq!(
            (sig.gid, sig.sid, sig.rev, sig.priority),
            (Some(1), Some(1000005), Some(0), Some(1))
        );
        assert_eq!(&*sig.message, "UDP Connection");
        assert_eq!(
            sig.classification.as_deref(),
            Some("A Network Trojan was Detected")
        );
        assert_eq!(udp.ip.total_len, Some(83));
        assert_eq!(udp.transport_len, Some(63));
        assert_eq!((udp.src_port, udp.dst_port), (Some(53), Some(36635)));
        let icmp = &out.packets[1];
        assert_eq!(icmp.origin.line, 7);
        assert_eq!(icmp.proto, Proto::ICMP);
        assert_eq!(icmp.dst.to_string(), "172.217.1.142");
        assert_eq!(
            (icmp.ip.ttl, icmp.ip.id, icmp.ip.total_len),
            (Some(64), Some(6922), Some(84))
        );
        assert!(icmp.ip.df && icmp.tcp.is_none());
        assert_eq!(icmp.transport_len, None);
        assert_eq!((icmp.src_port, icmp.dst_port), (None, None));
        let fields = icmp.icmp.as_ref().unwrap();
        assert_eq!((fields.kind, fields.code), (8, 0));
        assert_eq!((fields.echo_id, fields.echo_seq), (Some(101), Some(1)));
        assert_eq!(
            icmp.signature.as_ref().unwrap().classification.as_deref(),
            Some("Attempted Information Leak")
        );
    }

    #[test]
    fn icmp_error_quotes_its_datagram() {
        // Layout of Snort 2.9's alert-full for an ICMP error.
        let out = parse(
            "[**] [1:402:7] ICMP Destination Unreachable Port Unreachable [**]\n[Classification: Misc activity] [Priority: 3]\n03/06-08:04:34.906430 192.168.1.1 -> 192.168.1.100\nICMP TTL:64 TOS:0xC0 ID:39330 IpLen:20 DgmLen:88\nType:3  Code:3  DESTINATION UNREACHABLE: PORT UNREACHABLE\n** ORIGINAL DATAGRAM DUMP:\n192.168.1.100:1026 -> 192.168.1.1:53\nUDP TTL:64 TOS:0x0 ID:0 IpLen:20 DgmLen:60 DF\nLen: 32  Csum: 1234\n(32 more bytes of original packet)\n** END OF DUMP\n[Xref => http://www.whitehats.com/info/IDS1]\n",
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let p = &out.packets[0];
        assert_eq!(p.ip.tos, Some(0xC0));
        let icmp = p.icmp.as_ref().unwrap();
        assert_eq!((icmp.kind, icmp.code), (3, 3));
        let quoted = icmp.quoted.as_ref().unwrap();
        assert_eq!(quoted.src.to_string(), "192.168.1.100");
        assert_eq!((quoted.src_port, quoted.dst_port), (Some(1026), Some(53)));
        assert_eq!(quoted.proto, Proto::UDP);
        assert_eq!(quoted.transport_len, Some(40));
        assert_eq!(quoted.ip.total_len, Some(60));
    }

    #[test]
    fn datalink_records_take_endpoints_from_the_ip_line() {
        // Snort 2.x run with -e: the time line holds the Ethernet header.
        let out = parse(
            "[**] [1:368:6] ICMP PING BSDtype [**]\n[Classification: Misc activity] [Priority: 3]\n09/09-04:11:43.974523 00:40:33:D9:7C:FD -> 00:00:39:CF:D9:CD type:0x800 len:0x62\n10.0.0.6 -> 10.0.0.254 ICMP TTL:64 TOS:0x0 ID:5093 IpLen:20 DgmLen:84\nType:8  Code:0  ID:50203   Seq:0  ECHO\n[Xref => http://www.whitehats.com/info/IDS152]\n",
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let p = &out.packets[0];
        assert_eq!(p.src.to_string(), "10.0.0.6");
        assert_eq!(p.dst.to_string(), "10.0.0.254");
        assert_eq!(p.ip.ttl, Some(64));
        assert_eq!(p.icmp.as_ref().map(|i| i.echo_id), Some(Some(50203)));
    }

    #[test]
    fn next_header_ends_a_record_without_blank_line() {
        let out = parse(
            "[**] A [**]\n04/21-13:21:41.856720 a:137 -> b:137\nUDP TTL:110 TOS:0x0 ID:1\nLen: 58\n[**] B [**]\n04/21-13:21:43.410188 a:137 -> b:137\nUDP TTL:110 TOS:0x0 ID:2\nLen: 58",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        assert_eq!(out.packets.len(), 2);
        assert_eq!(out.packets[1].origin.line, 5);
        assert_eq!(out.packets[1].ip.id, Some(2));
        assert_eq!(out.packets[1].transport_len, Some(58));
    }

    #[test]
    fn cut_records_and_strange_lines() {
        let out = parse(
            "[**] Cut short [**]\n04/21-13:21:41.856720 a:137 -> b:137\n\n[**] No endpoints [**]\n\n[**] Odd line [**]\n04/21-13:21:41.856720 a:1 -> b:2\nUDP TTL:1 TOS:0x0 ID:1\nwhat is this\nLen: 10\n",
        );
        assert_eq!(out.packets.len(), 2);
        assert_eq!(out.packets[0].proto, UNKNOWN_PROTO);
        assert_eq!(
            out.unrecognized,
            vec![(4, "Snort alert without `src -> dst`")]
        );
        assert_eq!(out.warnings.len(), 2);
        assert_eq!(out.warnings[0].0, 1);
        assert_eq!(out.warnings[1].0, 6);
        assert_eq!(out.packets[1].transport_len, Some(10));
    }

    #[test]
    fn other_formats_end_a_record() {
        // A SunScreen record (paper, detect 08) and a dmesg line right after
        // a Snort record, with no blank line between them.
        for next in [
            "100867 qfe0 (deny rule or no pass rule)2000/4/4 9:29:34.654960 arpanet -> server.cluster UDP D=137 S=137 LEN=58",
            "[  449.059230] DROP IN=eth0",
        ] {
            let text = format!(
                "[**] A [**]\n04/21-13:21:41.856720 a:137 -> b:137\nUDP TTL:110 TOS:0x0 ID:1\n{next}"
            );
            let out = parse(&text);
            assert_eq!(out.packets.len(), 1);
            assert!(out.warnings.is_empty(), "{next}: {:?}", out.warnings);
            assert_eq!(
                out.unrecognized,
                vec![(4, "not a line of the forced format")]
            );
        }
    }

    #[test]
    fn a_syslog_line_after_a_record_is_handed_back() {
        let out = parse(
            "[**] A [**]\n04/21-13:21:41.856720 a:137 -> b:137\nUDP TTL:110 TOS:0x0 ID:1\nApr 21 13:21:44 host kernel: something else",
        );
        assert_eq!(out.packets.len(), 1);
        assert!(out.warnings.is_empty());
        assert_eq!(
            out.unrecognized,
            vec![(4, "not a line of the forced format")]
        );
    }
}
