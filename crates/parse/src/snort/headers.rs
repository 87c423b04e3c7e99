//! The header lines of a Snort full record: the IP line, the TCP flags and
//! options lines, UDP's `Len:` and the ICMP line. The same readers serve the
//! datagram an ICMP error quotes (`** ORIGINAL DATAGRAM DUMP:`).
//!
//! Lines are read field by field: what cannot be read is skipped and noted
//! in the record's [`Damage`], so one damaged field costs only that field.

use jiff::Timestamp;
use memchr::memmem;
use picket_model::{IcmpFields, IpFields, Packet, Proto, Sensor, TcpFields, TcpFlags, TcpOptions};

use crate::bytes::{Interner, parse_hex, parse_u8, parse_u16, parse_u32};
use crate::snort::common::{Damage, UNKNOWN_PROTO, proto_from_name, resolve_endpoints};
use crate::snort::fields::{Fields, Words};
use crate::snort::icmp::icmp_from_words;

/// Most endpoint bytes kept per side (longer text is not a host).
const ENDPOINT_CAP: usize = 256;

/// One IP header and what follows it: the alerting packet, or the datagram
/// an ICMP error quotes. Buffers are reused from record to record.
#[derive(Debug, Default)]
pub(crate) struct Layer {
    /// Source endpoint text, as printed.
    pub src: Vec<u8>,
    /// Destination endpoint text, as printed.
    pub dst: Vec<u8>,
    /// True once both endpoint texts were read.
    pub has_endpoints: bool,
    /// True once an IP line was read.
    pub has_ip_line: bool,
    /// The protocol the IP line named.
    pub proto: Option<Proto>,
    /// IP header fields.
    pub ip: IpFields,
    /// `IpLen:`, the IP header length in bytes.
    pub ip_header_len: Option<u32>,
    /// True when the IP line had `DgmLen:` (Snort 2.x and later).
    pub has_dgm_len: bool,
    /// TCP fields, once a TCP line was read.
    pub tcp: Option<TcpFields>,
    /// `TcpLen:`, the TCP header length in bytes.
    pub tcp_header_len: Option<u32>,
    /// UDP `Len:` as printed.
    pub udp_len: Option<u32>,
    /// ICMP fields, once an ICMP line was read.
    pub icmp: Option<IcmpFields>,
}

impl Layer {
    /// Forgets the layer, keeping the buffers' room.
    pub(crate) fn clear(&mut self) {
        self.src.clear();
        self.dst.clear();
        self.has_endpoints = false;
        self.has_ip_line = false;
        self.proto = None;
        self.ip = IpFields::default();
        self.ip_header_len = None;
        self.has_dgm_len = false;
        self.tcp = None;
        self.tcp_header_len = None;
        self.udp_len = None;
        self.icmp = None;
    }

    /// Reads `src -> dst` at the start of `text`; returns what follows it,
    /// or `None` (layer unchanged) when `text` does not start that way.
    pub(crate) fn read_endpoints<'a>(&mut self, text: &'a [u8]) -> Option<&'a [u8]> {
        let mut words = Words::new(text);
        let src = words.next()?;
        if words.next()? != b"->" {
            return None;
        }
        let dst = words.next()?;
        if src.len() > ENDPOINT_CAP || dst.len() > ENDPOINT_CAP {
            return None;
        }
        self.src.clear();
        self.src.extend_from_slice(src);
        self.dst.clear();
        self.dst.extend_from_slice(dst);
        self.has_endpoints = true;
        Some(words.rest())
    }

    /// The UDP length field (header included): Snort 2.x prints the payload
    /// length beside `DgmLen:`, Snort 1.x the field itself.
    pub(crate) fn udp_length_field(&self) -> Option<u32> {
        let len = self.udp_len?;
        if self.has_dgm_len {
            len.checked_add(8)
        } else {
            Some(len)
        }
    }

    /// The TCP payload length, when the IP and TCP header lengths and the
    /// datagram length were all printed.
    pub(crate) fn tcp_payload_len(&self) -> Option<u32> {
        self.ip
            .total_len?
            .checked_sub(self.ip_header_len?)?
            .checked_sub(self.tcp_header_len?)
    }

    /// Copies the layer's header fields into `packet`, whose endpoints and
    /// protocol are already set.
    pub(crate) fn fill(&self, packet: &mut Packet) {
        packet.ip = self.ip.clone();
        packet.ip.v6 = packet.src.addr().is_some_and(|a| a.is_ipv6())
            || packet.dst.addr().is_some_and(|a| a.is_ipv6());
        match packet.proto {
            Proto::TCP => {
                packet.tcp = Some(self.tcp.clone().unwrap_or_default());
                packet.transport_len = self.tcp_payload_len();
            }
            Proto::UDP => packet.transport_len = self.udp_length_field(),
            Proto::ICMP | Proto::ICMPV6 => packet.icmp = self.icmp.clone(),
            _ => {}
        }
    }

    /// The layer as a packet of its own: the datagram an ICMP error quotes.
    /// `None` when its endpoints cannot be read.
    pub(crate) fn to_packet(
        &self,
        names: &mut Interner,
        time: Option<Timestamp>,
    ) -> Option<Box<Packet>> {
        let ends = resolve_endpoints(names, &self.src, &self.dst, self.proto).ok()?;
        let proto = self.proto.unwrap_or(UNKNOWN_PROTO);
        let mut packet = Packet::new(Sensor::Snort, ends.src, ends.dst, proto);
        packet.time = time;
        packet.src_port = ends.src_port;
        packet.dst_port = ends.dst_port;
        self.fill(&mut packet);
        Some(Box::new(packet))
    }

    /// Reads `PROTO TTL:n TOS:0xn ID:n [IpLen:n DgmLen:n] [RB] [DF] [MF]`.
    pub(crate) fn read_ip_line(&mut self, line: &[u8], damage: &mut Damage) {
        self.has_ip_line = true;
        let mut fields = Fields::new(line);
        if let Some(first) = fields.next_word() {
            self.proto = proto_from_name(first);
            if self.proto.is_none() {
                damage.field("protocol", first);
            }
        }
        for field in fields {
            let ok = match field.key {
                b"TTL" => set(&mut self.ip.ttl, field.value.and_then(parse_u8)),
                b"TOS" => set(&mut self.ip.tos, field.value.and_then(hex_u8)),
                b"ID" => set(&mut self.ip.id, field.value.and_then(parse_u32)),
                b"IpLen" => set(&mut self.ip_header_len, field.value.and_then(parse_u32)),
                b"DgmLen" => {
                    self.has_dgm_len = true;
                    set(&mut self.ip.total_len, field.value.and_then(parse_u32))
                }
                b"DF" if field.value.is_none() => {
                    self.ip.df = true;
                    true
                }
                b"MF" if field.value.is_none() => {
                    self.ip.mf = true;
                    true
                }
                b"RB" | b"Frag" | b"Size" => true,
                b"Offset" => self.read_frag_offset(field.value),
                _ => false,
            };
            if !ok {
                damage.field("IP header field", field.raw);
            }
        }
    }

    /// Reads `Frag Offset: 0x0000   Frag Size: 0x0000`.
    pub(crate) fn read_frag_line(&mut self, line: &[u8], damage: &mut Damage) {
        for field in Fields::new(line) {
            let ok = match field.key {
                b"Frag" | b"Size" => true,
                b"Offset" => self.read_frag_offset(field.value),
                _ => false,
            };
            if !ok {
                damage.field("fragment field", field.raw);
            }
        }
    }

    fn read_frag_offset(&mut self, value: Option<&[u8]>) -> bool {
        let offset = value
            .and_then(parse_hex)
            .and_then(|v| u16::try_from(v).ok());
        set(&mut self.ip.frag_offset, offset)
    }

    /// Reads `**S***** Seq: 0x91ED9D Ack: 0x0 Win: 0x860 [TcpLen: 20]
    /// [UrgPtr: 0x0]`, or a quoted datagram's lone `Seq: 0x...`.
    pub(crate) fn read_tcp_line(&mut self, line: &[u8], damage: &mut Damage) {
        let tcp = self.tcp.get_or_insert_with(TcpFields::default);
        let mut fields = Fields::new(line);
        if let Some(first) = Words::new(line).next()
            && first.len() == 8
            && !first.contains(&b':')
        {
            fields.next_word();
            tcp.flags = decode_flags(first);
            if tcp.flags.is_none() {
                damage.field("TCP flags", first);
            }
        }
        for field in fields {
            let hex32 = || {
                field
                    .value
                    .and_then(parse_hex)
                    .and_then(|v| u32::try_from(v).ok())
            };
            let ok = match field.key {
                b"Seq" => set(&mut tcp.seq, hex32()),
                b"Ack" => set(&mut tcp.ack, hex32()),
                b"Win" => set(&mut tcp.window, hex32()),
                b"TcpLen" => set(&mut self.tcp_header_len, field.value.and_then(parse_u32)),
                b"UrgPtr" => hex32().is_some(),
                _ => false,
            };
            if !ok {
                damage.field("TCP header field", field.raw);
            }
        }
    }

    /// Reads `TCP Options (4) => MSS: 1460 NOP WS: 3 SackOK` (Snort 1.x
    /// prints no count).
    pub(crate) fn read_tcp_options(&mut self, line: &[u8], damage: &mut Damage) {
        let after = match memmem::find(line, b"=>") {
            Some(at) => &line[at + 2..],
            None => {
                damage.note("TCP options line without `=>`");
                return;
            }
        };
        let options = read_options(after, damage);
        self.tcp.get_or_insert_with(TcpFields::default).options = Some(Box::new(options));
    }

    /// Reads UDP's `Len: 58` (a quoted datagram adds `Csum: n`).
    pub(crate) fn read_udp_line(&mut self, line: &[u8], damage: &mut Damage) {
        for field in Fields::new(line) {
            let ok = match field.key {
                b"Len" => set(&mut self.udp_len, field.value.and_then(parse_u32)),
                b"Csum" => true,
                _ => false,
            };
            if !ok {
                damage.field("UDP header field", field.raw);
            }
        }
    }

    /// Reads an ICMP line: `Type:8  Code:0  ID:101   Seq:1  ECHO`, Snort
    /// 1.x's `ID:5889   Seq:0  ECHO` (type told by the words), or a quoted
    /// datagram's `Type: 8  Code: 0  Csum: 1  Id: 2  SeqNo: 3`. Returns false
    /// when nothing on the line was ICMP.
    pub(crate) fn read_icmp_line(&mut self, line: &[u8]) -> bool {
        let mut kind = None;
        let mut code = None;
        let mut echo_id = None;
        let mut echo_seq = None;
        for field in Fields::new(line) {
            match field.key {
                b"Type" => kind = field.value.and_then(parse_u8),
                b"Code" => code = field.value.and_then(parse_u8),
                b"ID" | b"Id" => echo_id = field.value.and_then(parse_u16),
                b"Seq" | b"SeqNo" => echo_seq = field.value.and_then(parse_u16),
                _ => {}
            }
        }
        if kind.is_none()
            && let Some((k, c)) = icmp_from_words(line)
        {
            kind = Some(k);
            code = code.or(Some(c));
        }
        let Some(kind) = kind else {
            return false;
        };
        self.icmp = Some(IcmpFields {
            kind,
            code: code.unwrap_or(0),
            echo_id,
            echo_seq,
            quoted: None,
        });
        true
    }
}

/// Stores `value` and says whether there was one.
fn set<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
    let ok = value.is_some();
    *slot = value;
    ok
}

fn hex_u8(text: &[u8]) -> Option<u8> {
    parse_hex(text).and_then(|v| u8::try_from(v).ok())
}

/// True when `line` reads as an IP line: a protocol word, then `TTL:`,
/// `TOS:` or `ID:` somewhere after it (one of them may be damaged).
pub(crate) fn is_ip_line(line: &[u8]) -> bool {
    let mut words = Words::new(line);
    let Some(first) = words.next() else {
        return false;
    };
    first.len() <= 16
        && first
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'-')
        && words.any(|w| w.starts_with(b"TTL:") || w.starts_with(b"TOS:") || w.starts_with(b"ID:"))
}

/// True when `word` is an eight-letter TCP flags field: `*` or a flag letter
/// in each place (`1`/`2` for the high bits in Snort 1.x, `C`/`E` later).
pub(crate) fn is_flags_word(word: &[u8]) -> bool {
    word.len() == 8 && word.iter().all(|b| b"*12CEUAPRSF".contains(b))
}

/// Decodes a flags field by letter, not by place. `None` when a place holds
/// something that is not a flag letter.
pub(crate) fn decode_flags(word: &[u8]) -> Option<TcpFlags> {
    let mut flags = TcpFlags::default();
    for b in word {
        match b {
            b'*' => {}
            b'1' | b'C' => flags.set(TcpFlags::CWR),
            b'2' | b'E' => flags.set(TcpFlags::ECE),
            b'U' => flags.set(TcpFlags::URG),
            b'A' => flags.set(TcpFlags::ACK),
            b'P' => flags.set(TcpFlags::PSH),
            b'R' => flags.set(TcpFlags::RST),
            b'S' => flags.set(TcpFlags::SYN),
            b'F' => flags.set(TcpFlags::FIN),
            _ => return None,
        }
    }
    Some(flags)
}

/// Reads the options after `=>`: option names push their kind, numbers
/// after `MSS:` and `WS:` are kept, other values are skipped.
fn read_options(text: &[u8], damage: &mut Damage) -> TcpOptions {
    const MAX_KINDS: usize = 16;
    let mut options = TcpOptions::default();
    let mut words = Words::new(text).peekable();
    let mut unknown = false;
    while let Some(word) = words.next() {
        let kind = match word {
            b"EOL" => Some(0),
            b"NOP" => Some(1),
            b"MSS:" => {
                options.mss = words
                    .next_if(|w| parse_u16(w).is_some())
                    .and_then(parse_u16);
                Some(2)
            }
            b"WS:" => {
                options.window_scale = words.next_if(|w| parse_u8(w).is_some()).and_then(parse_u8);
                Some(3)
            }
            b"SackOK" => Some(4),
            b"Sack:" => Some(5),
            b"Echo:" => Some(6),
            b"Echo" => Some(if words.next_if(|w| *w == b"Rep:").is_some() {
                7
            } else {
                6
            }),
            b"TS:" => Some(8),
            b"CC" | b"CC:" => Some(11),
            b"CCNEW:" => Some(12),
            b"CCECHO:" => Some(13),
            // Snort 2.x `Opt 30 (4): 01 02`, Snort 3 `Kind 30, Len 4 |01 02|`.
            b"Opt" | b"Kind" => words
                .next()
                .and_then(|w| parse_u8(w.strip_suffix(b",").unwrap_or(w))),
            _ => {
                let value = word == b"Len"
                    || word
                        .iter()
                        .all(|b| b.is_ascii_hexdigit() || b"@()|:,xX".contains(b));
                if !value {
                    unknown = true;
                }
                None
            }
        };
        if let Some(kind) = kind
            && options.kinds.len() < MAX_KINDS
        {
            options.kinds.push(kind);
        }
    }
    if unknown {
        damage.note("unreadable TCP option skipped");
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snort2_ip_and_tcp_lines() {
        // samples/snort/securitywing_alert.full, first record.
        let mut layer = Layer::default();
        let mut damage = Damage::default();
        let ip = b"TCP TTL:40 TOS:0x0 ID:51552 IpLen:20 DgmLen:159 DF";
        assert!(is_ip_line(ip));
        layer.read_ip_line(ip, &mut damage);
        layer.read_tcp_line(
            b"***AP*** Seq: 0xBEB96BF4  Ack: 0x1F647225  Win: 0x489  TcpLen: 20",
            &mut damage,
        );
        assert!(damage.is_empty());
        assert_eq!(layer.proto, Some(Proto::TCP));
        assert_eq!(layer.ip.ttl, Some(40));
        assert_eq!(layer.ip.tos, Some(0));
        assert_eq!(layer.ip.id, Some(51552));
        assert_eq!(layer.ip.total_len, Some(159));
        assert!(layer.ip.df && !layer.ip.mf);
        let tcp = layer.tcp.as_ref().unwrap();
        assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::ACK | TcpFlags::PSH)));
        assert_eq!(tcp.seq, Some(0xBEB9_6BF4));
        assert_eq!(tcp.ack, Some(0x1F64_7225));
        assert_eq!(tcp.window, Some(0x489));
        assert_eq!(layer.tcp_payload_len(), Some(119));
    }

    #[test]
    fn damaged_ttl_is_skipped_and_the_rest_read() {
        // The 2000 paper, detect 05, third alert.
        let mut layer = Layer::default();
        let mut damage = Damage::default();
        let line = b"UDP TTT:110 TOS:0x0 ID:11458";
        assert!(is_ip_line(line));
        layer.read_ip_line(line, &mut damage);
        assert_eq!(layer.ip.ttl, None);
        assert_eq!(layer.ip.id, Some(11458));
        assert_eq!(layer.ip.tos, Some(0));
        assert!(!damage.is_empty());
    }

    #[test]
    fn snort1_flags_and_options() {
        // The 2000 paper, detect 06.
        let mut layer = Layer::default();
        let mut damage = Damage::default();
        layer.read_tcp_line(b"**S***** Seq: 0x91ED9D Ack: 0x0 Win: 0x860", &mut damage);
        layer.read_tcp_options(b"TCP Options => MSS: 536 NOP NOP SackOK", &mut damage);
        assert!(damage.is_empty());
        let tcp = layer.tcp.unwrap();
        assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::SYN)));
        assert_eq!(tcp.seq, Some(0x0091_ED9D));
        let options = tcp.options.unwrap();
        assert_eq!(options.kinds, vec![2, 1, 1, 4]);
        assert_eq!(options.mss, Some(536));
        assert_eq!(options.window_scale, None);
    }

    #[test]
    fn snort2_options_with_count_timestamps_and_unknown_kinds() {
        // Snort 2.9 alert-full layout.
        let mut damage = Damage::default();
        let options = read_options(
            b" MSS: 1460 SackOK TS: 1234567 0 NOP WS: 7 Opt 30 (4): 01 02 Echo Rep: 9",
            &mut damage,
        );
        assert!(damage.is_empty());
        assert_eq!(options.kinds, vec![2, 4, 8, 1, 3, 30, 7]);
        assert_eq!((options.mss, options.window_scale), (Some(1460), Some(7)));
    }

    #[test]
    fn flags_by_letter_in_either_generation() {
        assert_eq!(decode_flags(b"******S*"), Some(TcpFlags(TcpFlags::SYN)));
        assert_eq!(decode_flags(b"**S*****"), Some(TcpFlags(TcpFlags::SYN)));
        assert_eq!(
            decode_flags(b"12UAPRSF"),
            Some(TcpFlags(0xff)),
            "Snort 1.x high bits"
        );
        assert_eq!(decode_flags(b"CE******"), Some(TcpFlags(0xc0)));
        assert_eq!(decode_flags(b"**X*****"), None);
        assert!(is_flags_word(b"********"));
        assert!(!is_flags_word(b"Seq:"));
    }

    #[test]
    fn icmp_lines_of_both_generations() {
        // elastic/snort_test-log-full.log.
        let mut layer = Layer::default();
        assert!(layer.read_icmp_line(b"Type:0  Code:0  ID:101  Seq:1  ECHO REPLY"));
        let icmp = layer.icmp.take().unwrap();
        assert_eq!((icmp.kind, icmp.code), (0, 0));
        assert_eq!((icmp.echo_id, icmp.echo_seq), (Some(101), Some(1)));
        // Snort 1.x printed no type.
        assert!(layer.read_icmp_line(b"ID:7564   Seq:0  ECHO"));
        assert_eq!(layer.icmp.as_ref().map(|i| (i.kind, i.code)), Some((8, 0)));
        assert!(layer.read_icmp_line(b"DESTINATION UNREACHABLE: PORT UNREACHABLE"));
        assert_eq!(layer.icmp.as_ref().map(|i| (i.kind, i.code)), Some((3, 3)));
        assert!(layer.read_icmp_line(b"Type: 8  Code: 0  Csum: 1234  Id: 7  SeqNo: 9"));
        assert_eq!(layer.icmp.as_ref().and_then(|i| i.echo_seq), Some(9));
        assert!(!layer.read_icmp_line(b"something else"));
    }

    #[test]
    fn udp_length_depends_on_generation() {
        let mut damage = Damage::default();
        let mut old = Layer::default();
        old.read_udp_line(b"Len: 10", &mut damage);
        assert_eq!(old.udp_length_field(), Some(10));
        let mut new = Layer::default();
        new.read_ip_line(
            b"UDP TTL:64 TOS:0x0 ID:58363 IpLen:20 DgmLen:83",
            &mut damage,
        );
        new.read_udp_line(b"Len: 55", &mut damage);
        assert_eq!(new.udp_length_field(), Some(63));
        assert!(damage.is_empty());
    }

    #[test]
    fn endpoints_and_fragments() {
        let mut layer = Layer::default();
        let rest = layer
            .read_endpoints(b"10.0.0.6 -> 10.0.0.254 ICMP TTL:64 TOS:0x0 ID:5093")
            .unwrap();
        assert_eq!(layer.src, b"10.0.0.6");
        assert_eq!(layer.dst, b"10.0.0.254");
        assert!(is_ip_line(rest));
        assert!(layer.read_endpoints(b"10.0.0.6 10.0.0.254").is_none());
        let mut damage = Damage::default();
        layer.read_frag_line(b"Frag Offset: 0x00B9   Frag Size: 0x0010", &mut damage);
        assert_eq!(layer.ip.frag_offset, Some(0xB9));
        assert!(damage.is_empty());
    }
}
