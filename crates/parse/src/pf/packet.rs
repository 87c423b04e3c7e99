//! The packet text tcpdump prints after `on IFACE:`, in its two layouts.
//!
//! OpenBSD's tcpdump prints the transport first and the IP header after it:
//! `a.b.c.d.port > e.f.g.h.port: S 786092310:786092310(0) win 3072 <mss 1460>
//! (DF) [tos 0x10] (ttl 42, id 1076, len 44)`, where `.` in the flags means
//! none of S, F, R, P and an `ack N` means ACK. The tcpdump of FreeBSD and
//! Linux prints the IP header first, `(tos 0x0, ttl 64, id 1, offset 0, flags
//! [DF], proto TCP (6), length 60)`, then `Flags [S.], seq 1, ack 2, win 3,
//! options [mss 1460,nop,wscale 3], length 0`, where `.` is ACK. One walk
//! reads both: words and bracketed groups, each taken for what it says.

use std::net::IpAddr;

use memchr::{memchr, memrchr};
use picket_model::{
    Host, IcmpFields, IpFields, Packet, Proto, Sensor, TcpFields, TcpFlags, TcpOptions,
};

use super::icmp;
use super::text::{Cursor, Words, tcp_options, trim_punct};
use crate::bytes::{parse_hex, parse_ip, parse_u8, parse_u16, parse_u32};

/// What was wrong with a packet that was kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Damage {
    /// Values that could not be read (left `None`).
    pub bad_fields: u32,
    /// A bracketed group was never closed: the line was cut.
    pub cut: bool,
}

/// What the packet text turned out to be.
#[derive(Debug)]
pub(super) enum Decoded {
    /// A packet, with any damage to report.
    Packet(Box<Packet>, Damage),
    /// Only the IP header of `tcpdump -v`, whose packet text is printed on
    /// the next line.
    HeaderOnly,
    /// Not a packet; the reason in a few words.
    Unrecognized(&'static str),
}

/// Reads the packet text `text`.
pub(super) fn decode(text: &[u8]) -> Decoded {
    let mut cursor = Cursor::new(text);
    let mut draft = Draft::default();
    // `[uid 0, pid 1]` and `[rewritten: ...]` that OpenBSD may print here.
    while cursor.peek() == Some(b'[') {
        cursor.group();
    }
    if matches!(cursor.peek_word(), Some(b"IP" | b"IP6")) {
        cursor.word();
    }
    let mut header = false;
    while cursor.peek() == Some(b'(') {
        let (inner, closed) = cursor.group();
        draft.damage.cut |= !closed;
        draft.ip_items(inner);
        header = true;
    }
    if cursor.peek().is_none() {
        return if header {
            Decoded::HeaderOnly
        } else {
            Decoded::Unrecognized("no `source > destination:` in the packet text")
        };
    }
    let (Some(src), Some(b">"), Some(dst)) = (cursor.word(), cursor.word(), cursor.word()) else {
        return Decoded::Unrecognized("no `source > destination:` in the packet text");
    };
    let Some(dst) = dst.strip_suffix(b":") else {
        return Decoded::Unrecognized("no colon after the destination");
    };
    let (Some((src, src_port)), Some((dst, dst_port))) = (draft.endpoint(src), draft.endpoint(dst))
    else {
        return Decoded::Unrecognized("unreadable address in the packet text");
    };
    let both_ports = src_port.is_some() && dst_port.is_some();
    let Some(proto) = draft.protocol(&mut cursor, both_ports) else {
        return Decoded::Unrecognized("protocol not printed (a later fragment or unknown text)");
    };
    draft.proto = Some(proto);
    while let Some(next) = cursor.peek() {
        if matches!(next, b'(' | b'[' | b'<' | b'{') {
            let (inner, closed) = cursor.group();
            draft.damage.cut |= !closed;
            draft.group(next, inner);
        } else if let Some(word) = cursor.word() {
            draft.word(word, &mut cursor);
        }
    }
    Decoded::Packet(
        Box::new(draft.build(src, src_port, dst, dst_port)),
        draft.damage,
    )
}

/// What the walk has read so far.
#[derive(Debug, Default)]
struct Draft {
    /// The protocol the IP header of the newer layout names.
    header_proto: Option<Proto>,
    /// Settled once the addresses are read.
    proto: Option<Proto>,
    ip: IpFields,
    flags: u8,
    saw_flags: bool,
    seq: Option<u32>,
    ack: Option<u32>,
    window: Option<u32>,
    options: Option<TcpOptions>,
    transport_len: Option<u32>,
    icmp: Option<(u8, u8)>,
    echo_id: Option<u16>,
    echo_seq: Option<u16>,
    damage: Damage,
}

impl Draft {
    /// Counts an unreadable value and passes the parse through.
    fn checked<T>(&mut self, parsed: Option<T>) -> Option<T> {
        if parsed.is_none() {
            self.damage.bad_fields += 1;
        }
        parsed
    }

    /// `a.b.c.d.port`, `2001:db8::1.80`, or an address alone.
    fn endpoint(&mut self, text: &[u8]) -> Option<(IpAddr, Option<u16>)> {
        if let Some(addr) = parse_ip(text) {
            return Some((addr, None));
        }
        let dot = memrchr(b'.', text)?;
        let addr = parse_ip(&text[..dot])?;
        let port = self.checked(parse_u16(&text[dot + 1..]));
        Some((addr, port))
    }

    /// Reads the first word of the transport text and settles the protocol.
    fn protocol(&mut self, cursor: &mut Cursor<'_>, both_ports: bool) -> Option<Proto> {
        let Some(word) = cursor.peek_word() else {
            return self.header_proto.or(both_ports.then_some(Proto::UDP));
        };
        let bare = trim_punct(word);
        let lower = |name: &str| bare.eq_ignore_ascii_case(name.as_bytes());
        let proto = if bare == b"Flags" {
            // Left for the walk, which reads the flags group after it.
            Proto::TCP
        } else if lower("tcp") {
            cursor.word();
            Proto::TCP
        } else if both_ports && is_old_flags(word) {
            cursor.word();
            self.saw_flags = true;
            for &letter in word {
                self.flags |= old_flag(letter);
            }
            Proto::TCP
        } else if lower("udp") {
            cursor.word();
            if let Some(len) = cursor.peek_word().and_then(parse_u32) {
                cursor.word();
                self.transport_len = len.checked_add(8);
            }
            Proto::UDP
        } else if lower("icmp") || lower("icmp6") {
            cursor.word();
            let v6 = bare.len() == 5;
            let description = cursor.description();
            self.icmp = if v6 {
                icmp::v6(description)
            } else {
                icmp::v4(description)
            };
            if v6 { Proto::ICMPV6 } else { Proto::ICMP }
        } else if let Some(number) = bare.strip_prefix(b"ip-proto-") {
            cursor.word();
            Proto(self.checked(parse_u8(number))?)
        } else if let Some(proto) = named_protocol(bare) {
            Proto(proto)
        } else if let Some(proto) = self.header_proto {
            proto
        } else if both_ports {
            // tcpdump prints TCP flags before anything else, so text after
            // two ports that is not TCP is a decoded UDP payload (DNS, NTP...).
            Proto::UDP
        } else {
            return None;
        };
        Some(self.header_proto.unwrap_or(proto))
    }

    /// A bracketed group after the addresses.
    fn group(&mut self, open: u8, inner: &[u8]) {
        match open {
            b'(' => self.ip_items(inner),
            b'<' => self.options = Some(tcp_options(inner, &mut self.damage)),
            b'[' => {
                let mut words = Words::new(inner);
                match words.next() {
                    Some(b"tos") => self.ip.tos = words.hex_u8(&mut self.damage),
                    Some(b"ttl") => self.ip.ttl = words.u8(&mut self.damage),
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// A word after the addresses, and the value words it takes.
    fn word(&mut self, word: &[u8], cursor: &mut Cursor<'_>) {
        let key = trim_punct(word);
        let tcp = self.proto == Some(Proto::TCP);
        let icmp = matches!(self.proto, Some(Proto::ICMP | Proto::ICMPV6));
        let bracket = cursor.peek() == Some(b'[');
        match key {
            b"Flags" if tcp && bracket => {
                let (letters, _) = cursor.group();
                self.new_flags(letters);
            }
            b"options" if tcp && bracket => {
                let (inner, closed) = cursor.group();
                self.damage.cut |= !closed;
                self.options = Some(tcp_options(inner, &mut self.damage));
            }
            b"seq" if tcp => {
                let text = cursor.value().unwrap_or_default();
                let first = text.split(|b| *b == b':').next().unwrap_or_default();
                self.seq = self.checked(parse_u32(first));
            }
            b"seq" if icmp => self.echo_seq = cursor.value().and_then(parse_u16),
            b"id" if icmp => self.echo_id = cursor.value().and_then(parse_u16),
            b"ack" if tcp => {
                self.ack = cursor.value().and_then(parse_u32);
                self.flags |= TcpFlags::ACK;
                self.saw_flags = true;
            }
            b"win" if tcp => self.window = cursor.value().and_then(parse_u32),
            b"urg" if tcp => {
                cursor.value();
                self.flags |= TcpFlags::URG;
            }
            b"length" => {
                let len = cursor.value().and_then(parse_u32);
                if tcp {
                    self.transport_len = len;
                } else if self.proto == Some(Proto::UDP) {
                    self.transport_len = len.and_then(|n| n.checked_add(8));
                }
            }
            b"cksum" | b"sum" => {
                cursor.value();
            }
            _ if tcp => self.old_sequence(word),
            _ => {}
        }
    }

    /// The old layout's `first:last(length)` sequence range.
    fn old_sequence(&mut self, word: &[u8]) {
        let (Some(colon), Some(open)) = (memchr(b':', word), memchr(b'(', word)) else {
            return;
        };
        if colon > open || !word.ends_with(b")") {
            return;
        }
        self.seq = self.checked(parse_u32(&word[..colon]));
        self.transport_len = self.checked(parse_u32(&word[open + 1..word.len() - 1]));
    }

    /// The newer layout's `Flags [S.]`: `.` is ACK, `none` is no flag.
    fn new_flags(&mut self, letters: &[u8]) {
        self.saw_flags = true;
        if letters == b"none" {
            return;
        }
        for &letter in letters {
            self.flags |= match letter {
                b'.' => TcpFlags::ACK,
                b'U' => TcpFlags::URG,
                other => old_flag(other),
            };
        }
    }

    /// The items of an IP header group: `ttl 64, id 1, len 44`, `DF`,
    /// `frag 1234:20@1480+`, `flags [DF]`, `proto TCP (6)`, `hlim 64`,
    /// `payload length: 40`, and an ICMP echo's `id:b30e seq:0`.
    fn ip_items(&mut self, inner: &[u8]) {
        let mut words = Words::new(inner);
        while let Some(word) = words.next() {
            match word {
                b"ttl" | b"hlim" => self.ip.ttl = words.u8(&mut self.damage),
                b"id" => self.ip.id = words.u16(&mut self.damage).map(u32::from),
                b"len" | b"length" => self.ip.total_len = words.u32(&mut self.damage),
                b"payload" => {
                    words.next();
                    self.ip.v6 = true;
                    self.ip.total_len = words.u32(&mut self.damage).and_then(|n| n.checked_add(40));
                }
                b"tos" | b"class" => self.ip.tos = words.hex_u8(&mut self.damage),
                b"offset" => {
                    let bytes = words.u32(&mut self.damage);
                    self.ip.frag_offset = bytes.and_then(|n| u16::try_from(n / 8).ok());
                }
                b"flags" => {
                    let text = words.next().unwrap_or_default();
                    self.ip.df |= text.windows(2).any(|w| w == b"DF");
                    self.ip.mf |= memchr(b'+', text).is_some();
                }
                b"proto" | b"next-header" => {
                    let name = words.next().unwrap_or_default();
                    let number = words.peek().and_then(|n| {
                        let n = n.strip_prefix(b"(")?;
                        parse_u8(n.strip_suffix(b")").unwrap_or(n))
                    });
                    if number.is_some() {
                        words.next();
                    }
                    self.header_proto = number.or_else(|| named_protocol(name)).map(Proto);
                    self.ip.v6 |= word == b"next-header";
                }
                b"DF" => self.ip.df = true,
                b"frag" => self.fragment(words.next().unwrap_or_default()),
                _ => {
                    if let Some(id) = word.strip_prefix(b"id:") {
                        self.echo_id = parse_hex(id).and_then(|v| u16::try_from(v).ok());
                    } else if let Some(seq) = word.strip_prefix(b"seq:") {
                        self.echo_seq = parse_u16(seq);
                    }
                }
            }
        }
    }

    /// OpenBSD's `frag id:size@offset+` (offset in bytes, `+` for more).
    fn fragment(&mut self, text: &[u8]) {
        let (Some(colon), Some(at)) = (memchr(b':', text), memchr(b'@', text)) else {
            self.damage.bad_fields += 1;
            return;
        };
        if colon > at {
            self.damage.bad_fields += 1;
            return;
        }
        self.ip.id = self.checked(parse_u16(&text[..colon])).map(u32::from);
        let offset = text[at + 1..].strip_suffix(b"+");
        self.ip.mf = offset.is_some();
        let offset = offset.unwrap_or(&text[at + 1..]);
        self.ip.frag_offset = self
            .checked(parse_u32(offset))
            .and_then(|n| u16::try_from(n / 8).ok());
    }

    fn build(
        &mut self,
        src: IpAddr,
        src_port: Option<u16>,
        dst: IpAddr,
        dst_port: Option<u16>,
    ) -> Packet {
        let proto = self.proto.unwrap_or(Proto(0));
        let mut packet = Packet::new(Sensor::Pf, Host::Addr(src), Host::Addr(dst), proto);
        self.ip.v6 |= src.is_ipv6();
        packet.ip = std::mem::take(&mut self.ip);
        packet.transport_len = self.transport_len;
        match proto {
            Proto::TCP => {
                packet.src_port = src_port;
                packet.dst_port = dst_port;
                packet.tcp = Some(TcpFields {
                    flags: self.saw_flags.then_some(TcpFlags(self.flags)),
                    seq: self.seq,
                    ack: self.ack,
                    window: self.window,
                    options: self.options.take().map(Box::new),
                });
            }
            Proto::ICMP | Proto::ICMPV6 => {
                packet.icmp = self.icmp.map(|(kind, code)| IcmpFields {
                    kind,
                    code,
                    echo_id: self.echo_id,
                    echo_seq: self.echo_seq,
                    quoted: None,
                });
            }
            _ => {
                packet.src_port = src_port;
                packet.dst_port = dst_port;
            }
        }
        packet
    }
}

/// The old layout's flags word: `S`, `FP`, `SWE`, or `.` for none of them.
fn is_old_flags(word: &[u8]) -> bool {
    !word.is_empty() && word.len() <= 8 && word.iter().all(|b| b"SFRPWEU.".contains(b))
}

fn old_flag(letter: u8) -> u8 {
    match letter {
        b'S' => TcpFlags::SYN,
        b'F' => TcpFlags::FIN,
        b'R' => TcpFlags::RST,
        b'P' => TcpFlags::PSH,
        b'U' => TcpFlags::URG,
        b'W' => TcpFlags::CWR,
        b'E' => TcpFlags::ECE,
        _ => 0,
    }
}

/// Protocols tcpdump names by their decoder (`igmp`, `ESP(spi=...)`,
/// `GREv0`, `CARPv2`...).
fn named_protocol(word: &[u8]) -> Option<u8> {
    let stem_end = word
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(word.len());
    let stem = &word[..stem_end];
    let is = |name: &str| stem.eq_ignore_ascii_case(name.as_bytes());
    let proto = if is("igmp") {
        2
    } else if is("gre") || is("GREv") {
        47
    } else if is("esp") {
        50
    } else if is("ah") {
        51
    } else if is("ospf") || is("OSPFv") {
        89
    } else if is("pim") || is("PIMv") {
        103
    } else if is("carp") || is("CARPv") || is("vrrp") || is("VRRPv") {
        112
    } else if is("sctp") {
        132
    } else if is("pfsync") {
        240
    } else {
        return None;
    };
    Some(proto)
}
