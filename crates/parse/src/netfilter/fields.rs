//! The fields after `IN=`, read once, left to right, in the order the kernel
//! prints them.
//!
//! The IP header comes first (`SRC= DST= LEN= TOS= ... PROTO=`), then the
//! fields of the protocol `PROTO=` named. The same key can mean two things
//! depending on where it stands: `LEN=` is the IP length before `PROTO=` and
//! the UDP length after it, `ID=` is the IP ID before and the ICMP echo id
//! after. So the walk keeps a [`Stage`] and reads each key in its stage.
//!
//! An ICMP error quotes the header that caused it in brackets
//! (`[SRC=... PROTO=UDP SPT=21458 DPT=62936 LEN=40 ]`); that part is read
//! by the same walk, one level deeper.

use std::net::IpAddr;

use picket_model::{Host, IcmpFields, Packet, Proto, Sensor, TcpFields, TcpFlags, TcpOptions};

use super::values::{decode_tcp_options, ip_address, parse_hex_u8};

use crate::bytes::{parse_hex, parse_u8, parse_u16, parse_u32};

mod kernel_order;
mod tokens;

pub(super) use kernel_order::read_line;
pub(super) use tokens::Tokens;

/// Quoted headers nest no deeper than this (the kernel quotes one level).
const MAX_QUOTE_DEPTH: u8 = 1;

/// What was wrong with a record that was kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Damage {
    /// Fields whose value could not be read (left `None`).
    pub bad_fields: u32,
    /// The line ends before its last field.
    pub cut: bool,
    /// A quoted header could not be read and was left out.
    pub bad_quote: bool,
}

impl Damage {
    /// True when nothing was wrong.
    pub(super) fn is_clean(&self) -> bool {
        *self == Damage::default()
    }
}

/// The result of one walk over the fields.
#[derive(Debug, PartialEq)]
pub(super) struct Reading<'a> {
    /// The packet, or why the line cannot be one.
    pub packet: Result<Packet, &'static str>,
    /// The `IN=` interface, when not empty.
    pub in_iface: Option<&'a [u8]>,
    /// The `OUT=` interface, when not empty.
    pub out_iface: Option<&'a [u8]>,
    /// Damage to report with a kept record.
    pub damage: Damage,
}

/// Reads the fields of one packet from `tokens`. `first`, when given, is read
/// before the tokens (the opening token of a quoted header, bracket removed);
/// `quoted` makes a lone `]` end the packet.
pub(super) fn read<'a>(
    tokens: &mut Tokens<'a>,
    first: Option<&'a [u8]>,
    depth: u8,
    quoted: bool,
) -> Reading<'a> {
    Walk::default().walk(tokens, first, depth, quoted)
}

/// Where the walk stands: in the IP header, or in a protocol's fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Stage {
    #[default]
    Header,
    Tcp,
    Udp,
    Icmp,
    /// AH and ESP: an `SPI=` follows.
    Spi,
    /// A protocol the kernel prints nothing more for.
    Other,
}

/// A required field: not seen, seen but unreadable, or read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Slot<T> {
    #[default]
    Absent,
    Bad,
    Read(T),
}

/// The state of one walk.
#[derive(Debug, Default)]
struct Walk<'a> {
    stage: Stage,
    src: Slot<IpAddr>,
    dst: Slot<IpAddr>,
    proto: Slot<Proto>,
    in_iface: Option<&'a [u8]>,
    out_iface: Option<&'a [u8]>,
    total_len: Option<u32>,
    tos: Option<u8>,
    prec: Option<u8>,
    ttl: Option<u8>,
    ip_id: Option<u32>,
    df: bool,
    mf: bool,
    frag_offset: Option<u16>,
    v6: bool,
    /// An IPv6 ESP extension header ends the header with no `PROTO=`.
    esp_header: bool,
    /// A non-first fragment: the kernel prints no transport fields.
    fragment: bool,
    /// `INCOMPLETE [n bytes]`: the packet was too short for its header.
    incomplete: bool,
    src_port: Option<u16>,
    dst_port: Option<u16>,
    flags: u8,
    saw_flag: bool,
    saw_urgp: bool,
    seq: Option<u32>,
    ack: Option<u32>,
    window: Option<u32>,
    options: Option<TcpOptions>,
    transport_len: Option<u32>,
    saw_udp_len: bool,
    icmp_type: Option<u8>,
    icmp_code: Option<u8>,
    saw_type: bool,
    saw_code: bool,
    echo_id: Option<u16>,
    echo_seq: Option<u16>,
    quoted: Option<Box<Packet>>,
    saw_spi: bool,
    closed: bool,
    damage: Damage,
    /// The last `KEY=value` read and the stage it was read in: when the
    /// line turns out cut, that value may be cut too (`DPT=10` of
    /// `DPT=1025`) and is forgotten.
    last_key: Option<(Stage, &'a [u8])>,
}

impl<'a> Walk<'a> {
    /// Reads the remaining tokens into this walk's state, then builds the
    /// packet. See [`read`] for `first`, `depth` and `quoted`.
    fn walk(
        &mut self,
        tokens: &mut Tokens<'a>,
        first: Option<&'a [u8]>,
        depth: u8,
        quoted: bool,
    ) -> Reading<'a> {
        let mut pending = first;
        loop {
            let token = match pending.take() {
                Some(token) => token,
                None => match tokens.next() {
                    Some(token) => token,
                    None => break,
                },
            };
            if quoted {
                if token == b"]" {
                    self.closed = true;
                    break;
                }
                if let Some(body) = token.strip_suffix(b"]") {
                    self.token(body, tokens, depth);
                    self.closed = true;
                    break;
                }
            }
            self.token(token, tokens, depth);
        }
        if quoted && !self.closed {
            self.damage.cut = true;
        }
        self.finish()
    }

    fn token(&mut self, token: &'a [u8], tokens: &mut Tokens<'a>, depth: u8) {
        // A token after a value proves the value whole.
        self.last_key = None;
        if self.stage == Stage::Icmp && token.first() == Some(&b'[') {
            self.quote(&token[1..], tokens, depth);
            return;
        }
        if let Some(eq) = token.iter().position(|b| *b == b'=') {
            self.keyed(&token[..eq], &token[eq + 1..]);
            return;
        }
        if token == b"INCOMPLETE" {
            self.incomplete_mark(tokens);
            return;
        }
        match self.stage {
            Stage::Header => self.header_word(token),
            Stage::Tcp => self.tcp_word(token, tokens),
            _ => {}
        }
    }

    /// Reads one `key=value` in the current stage.
    #[inline(always)]
    fn keyed(&mut self, key: &'a [u8], value: &'a [u8]) {
        self.last_key = Some((self.stage, key));
        match self.stage {
            Stage::Header => self.header_key(key, value),
            Stage::Tcp => self.tcp_key(key, value),
            Stage::Udp => self.udp_key(key, value),
            Stage::Icmp => self.icmp_key(key, value),
            Stage::Spi => self.saw_spi |= key == b"SPI",
            Stage::Other => {}
        }
    }

    /// Counts an unreadable value and passes the parse through.
    fn checked<T>(&mut self, parsed: Option<T>) -> Option<T> {
        if parsed.is_none() {
            self.damage.bad_fields += 1;
        }
        parsed
    }

    #[inline(always)]
    fn header_key(&mut self, key: &'a [u8], value: &'a [u8]) {
        match key {
            b"IN" => self.in_iface = (!value.is_empty()).then_some(value),
            b"OUT" => self.out_iface = (!value.is_empty()).then_some(value),
            b"SRC" => {
                self.src = address(value);
                self.v6 = matches!(self.src, Slot::Read(IpAddr::V6(_)));
            }
            b"DST" => self.dst = address(value),
            b"LEN" => self.total_len = self.checked(parse_u32(value)),
            b"TOS" => self.tos = self.checked(parse_hex_u8(value)),
            b"PREC" => self.prec = self.checked(parse_hex_u8(value)),
            b"TC" => {
                self.v6 = true;
                self.tos = self.checked(parse_u8(value));
            }
            b"HOPLIMIT" => {
                self.v6 = true;
                self.ttl = self.checked(parse_u8(value));
            }
            b"TTL" => self.ttl = self.checked(parse_u8(value)),
            b"ID" => self.ip_id = self.checked(parse_u16(value)).map(u32::from),
            b"PROTO" => self.set_proto(value),
            // MAC, PHYSIN, PHYSOUT, FLOWLBL, an extension header's SPI, and
            // whatever newer kernels add.
            _ => {}
        }
    }

    fn header_word(&mut self, word: &'a [u8]) {
        match word {
            b"DF" => self.df = true,
            b"MF" => self.mf = true,
            b"ESP" => self.esp_header = true,
            _ => {
                if let Some(offset) = word.strip_prefix(b"FRAG:") {
                    self.set_fragment(offset);
                } else if let Some(id) = word.strip_prefix(b"ID:") {
                    // IPv6 fragment header: a 32-bit id in hex.
                    let id = parse_hex(id).and_then(|v| u32::try_from(v).ok());
                    self.ip_id = self.checked(id);
                }
                // CE, OPT, its parentheses and IP options, AH: nothing kept.
            }
        }
    }

    /// `FRAG:n`: IPv4 prints the offset in 8-byte units, IPv6 in bytes.
    fn set_fragment(&mut self, text: &[u8]) {
        let units = parse_u16(text).and_then(|n| {
            if self.v6 {
                (n % 8 == 0).then_some(n / 8)
            } else {
                (n <= 0x1fff).then_some(n)
            }
        });
        self.frag_offset = self.checked(units);
        self.fragment |= self.frag_offset.is_some_and(|n| n > 0);
    }

    fn set_proto(&mut self, value: &[u8]) {
        let named = |name: &str| value.eq_ignore_ascii_case(name.as_bytes());
        let proto = if named("TCP") {
            Proto::TCP
        } else if named("UDP") {
            Proto::UDP
        } else if named("UDPLITE") {
            Proto(136)
        } else if named("ICMP") {
            Proto::ICMP
        } else if named("ICMPv6") {
            Proto::ICMPV6
        } else if named("ESP") {
            Proto(50)
        } else if named("AH") {
            Proto(51)
        } else if let Some(number) = parse_u8(value) {
            // The kernel prints a number only for protocols it does not
            // decode (`PROTO=58` over IPv4 included): nothing follows.
            self.proto = Slot::Read(Proto(number));
            self.stage = Stage::Other;
            return;
        } else {
            self.proto = Slot::Bad;
            return;
        };
        self.proto = Slot::Read(proto);
        self.stage = match proto.0 {
            6 => Stage::Tcp,
            17 | 136 => Stage::Udp,
            1 | 58 => Stage::Icmp,
            _ => Stage::Spi,
        };
    }

    #[inline(always)]
    fn tcp_key(&mut self, key: &[u8], value: &[u8]) {
        match key {
            b"SPT" => self.src_port = self.checked(parse_u16(value)),
            b"DPT" => self.dst_port = self.checked(parse_u16(value)),
            b"SEQ" => self.seq = self.checked(parse_u32(value)),
            b"ACK" => self.ack = self.checked(parse_u32(value)),
            b"WINDOW" => self.window = self.checked(parse_u16(value)).map(u32::from),
            b"URGP" => {
                self.saw_urgp = true;
                self.checked(parse_u16(value));
            }
            // RES, UID, GID, MARK and newer fields.
            _ => {}
        }
    }

    fn tcp_word(&mut self, word: &[u8], tokens: &mut Tokens<'a>) {
        if word == b"OPT" {
            if let Some(next) = tokens.peek()
                && next.first() == Some(&b'(')
            {
                tokens.next();
                self.tcp_options(&next[1..]);
            }
            return;
        }
        self.tcp_flag(word);
    }

    /// A TCP flag's name sets its bit; other words are passed over.
    fn tcp_flag(&mut self, word: &[u8]) {
        let bit = match word {
            b"CWR" => TcpFlags::CWR,
            b"ECE" => TcpFlags::ECE,
            b"URG" => TcpFlags::URG,
            b"ACK" => TcpFlags::ACK,
            b"PSH" => TcpFlags::PSH,
            b"RST" => TcpFlags::RST,
            b"SYN" => TcpFlags::SYN,
            b"FIN" => TcpFlags::FIN,
            _ => return,
        };
        self.flags |= bit;
        self.saw_flag = true;
    }

    /// The hex after `OPT (`, with its closing parenthesis when not cut.
    fn tcp_options(&mut self, text: &[u8]) {
        let hex = match text.strip_suffix(b")") {
            Some(hex) => hex,
            None => {
                self.damage.cut = true;
                text
            }
        };
        let (options, readable) = decode_tcp_options(hex);
        if !readable {
            self.damage.bad_fields += 1;
        }
        self.options = Some(options);
    }

    #[inline(always)]
    fn udp_key(&mut self, key: &[u8], value: &[u8]) {
        match key {
            b"SPT" => self.src_port = self.checked(parse_u16(value)),
            b"DPT" => self.dst_port = self.checked(parse_u16(value)),
            b"LEN" => {
                self.saw_udp_len = true;
                self.transport_len = self.checked(parse_u16(value)).map(u32::from);
            }
            _ => {}
        }
    }

    #[inline(always)]
    fn icmp_key(&mut self, key: &[u8], value: &[u8]) {
        match key {
            b"TYPE" => {
                self.saw_type = true;
                self.icmp_type = self.checked(parse_u8(value));
            }
            b"CODE" => {
                self.saw_code = true;
                self.icmp_code = self.checked(parse_u8(value));
            }
            b"ID" => self.echo_id = self.checked(parse_u16(value)),
            b"SEQ" => self.echo_seq = self.checked(parse_u16(value)),
            // PARAMETER, POINTER, GATEWAY, MTU, MARK and newer fields.
            _ => {}
        }
    }

    /// `INCOMPLETE [n bytes]` after `PROTO=`: the packet was too short to
    /// hold the protocol's header. In an IPv6 fragment header a bare
    /// `INCOMPLETE` means more fragments follow.
    fn incomplete_mark(&mut self, tokens: &mut Tokens<'a>) {
        let mut lookahead = *tokens;
        let counted = lookahead.next().is_some_and(|t| {
            t.strip_prefix(b"[")
                .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit))
        }) && lookahead.next() == Some(b"bytes]");
        if counted {
            *tokens = lookahead;
        }
        if self.stage == Stage::Header && !counted {
            self.mf = true;
        } else {
            self.incomplete = true;
        }
    }

    /// An ICMP error's quoted header, opened by `[`.
    fn quote(&mut self, first: &'a [u8], tokens: &mut Tokens<'a>, depth: u8) {
        if depth >= MAX_QUOTE_DEPTH {
            // Deeper than the kernel ever goes: skip to the matching `]`.
            let mut open = 1usize;
            for token in tokens.by_ref() {
                if token.first() == Some(&b'[') {
                    open += 1;
                }
                if token.last() == Some(&b']') {
                    open -= 1;
                    if open == 0 {
                        break;
                    }
                }
            }
            self.damage.bad_quote = true;
            return;
        }
        let first = (!first.is_empty()).then_some(first);
        let inner = read(tokens, first, depth + 1, true);
        self.damage.bad_fields += inner.damage.bad_fields;
        self.damage.cut |= inner.damage.cut;
        self.damage.bad_quote |= inner.damage.bad_quote;
        match inner.packet {
            Ok(packet) => self.quoted = Some(Box::new(packet)),
            Err(_) => self.damage.bad_quote = true,
        }
    }

    /// Forgets the value of the last field of a cut line, which may have lost
    /// digits; an address that may have lost some makes the line unreadable.
    fn forget_last_value(&mut self) -> Result<(), &'static str> {
        let Some((stage, key)) = self.last_key else {
            return Ok(());
        };
        match (stage, key) {
            (Stage::Header, b"SRC" | b"DST") => return Err("line cut inside an address"),
            (Stage::Header, b"LEN") => self.total_len = None,
            (Stage::Header, b"TTL" | b"HOPLIMIT") => self.ttl = None,
            (Stage::Header, b"ID") => self.ip_id = None,
            (Stage::Header, b"TOS" | b"TC") => self.tos = None,
            (Stage::Header, b"PREC") => self.prec = None,
            (Stage::Tcp | Stage::Udp, b"SPT") => self.src_port = None,
            (Stage::Tcp | Stage::Udp, b"DPT") => self.dst_port = None,
            (Stage::Tcp, b"SEQ") => self.seq = None,
            (Stage::Tcp, b"ACK") => self.ack = None,
            (Stage::Tcp, b"WINDOW") => self.window = None,
            (Stage::Udp, b"LEN") => self.transport_len = None,
            (Stage::Icmp, b"TYPE") => self.icmp_type = None,
            (Stage::Icmp, b"CODE") => self.icmp_code = None,
            (Stage::Icmp, b"ID") => self.echo_id = None,
            (Stage::Icmp, b"SEQ") => self.echo_seq = None,
            _ => {}
        }
        Ok(())
    }

    /// Builds the packet, and marks the line cut when the protocol's last
    /// field never came.
    fn finish(&mut self) -> Reading<'a> {
        let packet = self.build();
        Reading {
            packet,
            in_iface: self.in_iface,
            out_iface: self.out_iface,
            damage: self.damage,
        }
    }

    fn build(&mut self) -> Result<Packet, &'static str> {
        let src = match self.src {
            Slot::Read(addr) => addr,
            Slot::Absent => return Err("no SRC= field"),
            Slot::Bad => return Err("unreadable SRC= address"),
        };
        let dst = match self.dst {
            Slot::Read(addr) => addr,
            Slot::Absent => return Err("no DST= field"),
            Slot::Bad => return Err("unreadable DST= address"),
        };
        let proto = match self.proto {
            Slot::Read(proto) => proto,
            Slot::Absent if self.esp_header => Proto(50),
            Slot::Absent => return Err("no PROTO= field"),
            Slot::Bad => return Err("unreadable PROTO= field"),
        };
        let mut packet = Packet::new(Sensor::Netfilter, Host::Addr(src), Host::Addr(dst), proto);
        packet.ip.v6 = self.v6;
        packet.ip.total_len = self.total_len;
        packet.ip.tos = match (self.tos, self.prec) {
            (Some(tos), Some(prec)) => Some(tos | prec),
            (tos, _) => tos,
        };
        packet.ip.ttl = self.ttl;
        packet.ip.id = self.ip_id;
        packet.ip.df = self.df;
        packet.ip.mf = self.mf;
        packet.ip.frag_offset = Some(self.frag_offset.unwrap_or(0));

        let skipped = self.fragment || self.incomplete;
        let complete = match self.stage {
            Stage::Header | Stage::Other => true,
            Stage::Tcp => skipped || self.saw_urgp,
            Stage::Udp => skipped || self.saw_udp_len,
            Stage::Icmp => skipped || (self.saw_type && self.saw_code),
            Stage::Spi => skipped || self.saw_spi,
        };
        self.damage.cut |= !complete;
        if self.damage.cut {
            self.forget_last_value()?;
        }

        match self.stage {
            Stage::Tcp => {
                packet.src_port = self.src_port;
                packet.dst_port = self.dst_port;
                packet.tcp = Some(TcpFields {
                    flags: (self.saw_urgp || self.saw_flag).then_some(TcpFlags(self.flags)),
                    seq: self.seq,
                    ack: self.ack,
                    window: self.window,
                    options: self.options.take().map(Box::new),
                });
            }
            Stage::Udp => {
                packet.src_port = self.src_port;
                packet.dst_port = self.dst_port;
                packet.transport_len = self.transport_len;
            }
            Stage::Icmp => {
                if let (Some(kind), Some(code)) = (self.icmp_type, self.icmp_code) {
                    packet.icmp = Some(IcmpFields {
                        kind,
                        code,
                        echo_id: self.echo_id,
                        echo_seq: self.echo_seq,
                        quoted: self.quoted.take(),
                    });
                }
            }
            _ => {}
        }
        Ok(packet)
    }
}
/// An address field, or why it is missing.
fn address(text: &[u8]) -> Slot<IpAddr> {
    match ip_address(text) {
        Some(addr) => Slot::Read(addr),
        None => Slot::Bad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_addresses_are_bad_slots() {
        assert_eq!(
            address(b"2001:0db8::1"),
            Slot::Read("2001:db8::1".parse().unwrap())
        );
        assert_eq!(address(b"1.2.3"), Slot::Bad);
        assert_eq!(address(b""), Slot::Bad);
    }
}
