//! pfSense and OPNsense `filterlog` lines: pf's decisions as CSV.
//!
//! ```text
//! <134>Jul  3 19:10:30 filterlog[72237]: 146,,,1535324496,igb1.12,match,block,in,4,0x0,,63,12617,0,DF,6,tcp,60,10.170.12.50,1.1.1.1,49724,853,0,S,1891286705,,64240,,mss;sackOK;TS;nop;wscale
//! ```
//!
//! The fields, as pfSense documents them: rule number, sub-rule, anchor,
//! tracker, interface, reason, action, direction, IP version; for IPv4 TOS,
//! ECN, TTL, ID, fragment offset, flags, protocol number and name; for IPv6
//! class, flow label, hop limit, protocol name and number; then length,
//! source and destination. After them come the protocol's own fields: TCP
//! ports, data length, flags, sequence and acknowledgement numbers, window,
//! urgent pointer and option names; UDP ports and length; ICMP's type name
//! and what that type carries (echo id and sequence, the unreachable
//! packet's destination, protocol and port, ...); other protocols
//! `datalength=N`.
//!
//! The envelope is BSD syslog (with or without a host, the day padded or
//! not) or RFC 5424 (`<134>1 2022-06-09T14:44:11-06:00 host filterlog 76404
//! - [meta sequenceId="1"] 124,,,...`). The label is the rule's tracker (the
//! id pfSense's rule list shows), or its number when the tracker is empty.
//! IPv6's length field is the payload length; 40 is added so that
//! `total_len` means the whole datagram as for IPv4.

use std::net::IpAddr;
use std::sync::LazyLock;

use memchr::memmem::Finder;
use picket_model::{
    Action, Host, IcmpFields, Packet, Proto, Sensor, TcpFields, TcpFlags, TcpOptions,
};

use crate::bytes::{Interner, parse_hex, parse_ip, parse_u8, parse_u16, parse_u32, trim};
use crate::cisco_ios::stamp;
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::snort::common::{Damage, proto_from_name};
use crate::time::TimeContext;

static MARKER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"filterlog"));

/// `filterlog` mentions looked at before a line is given up.
const MAX_MARKERS: usize = 4;

/// Reads pfSense and OPNsense filterlog lines.
#[derive(Default, Debug)]
pub struct FilterlogParser {
    names: Interner,
}

impl FormatParser for FilterlogParser {
    fn format(&self) -> Format {
        Format::Filterlog
    }

    fn claims(&self, line: &[u8]) -> bool {
        locate(line).is_some()
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        let mut damage = Damage::default();
        let result = self.parse(line, time, &mut damage).map(Some);
        damage.emit(result, line_no, sink)
    }
}

/// Where the `filterlog` program name is: a word of its own, followed by
/// `[pid]:`, `:` or (RFC 5424) a space.
fn locate(line: &[u8]) -> Option<usize> {
    MARKER.find_iter(line).take(MAX_MARKERS).find(|&at| {
        let before_ok = at == 0 || line[at - 1] == b' ';
        before_ok && matches!(line.get(at + 9), Some(b'[' | b':' | b' '))
    })
}

/// The CSV after the program name.
fn csv_start(after: &[u8]) -> Option<&[u8]> {
    match after.first()? {
        b'[' | b':' => {
            let colon = memchr::memchr(b':', after)?;
            Some(trim(&after[colon + 1..]))
        }
        _ => {
            // RFC 5424: PROCID MSGID STRUCTURED-DATA MSG.
            let (_, rest) = crate::bytes::next_token(after)?;
            let (_, rest) = crate::bytes::next_token(rest)?;
            let mut rest = trim(rest);
            if let Some(after_dash) = rest.strip_prefix(b"- ") {
                return Some(trim(after_dash));
            }
            while rest.first() == Some(&b'[') {
                let close = closing_bracket(rest)?;
                rest = &rest[close + 1..];
            }
            Some(trim(rest))
        }
    }
}

/// The `]` closing the structured-data element that opens `text`, skipping
/// quoted values (which may hold `]` escaped as `\]`).
fn closing_bracket(text: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, b) in text.iter().enumerate() {
        match (quoted, escaped, *b) {
            (_, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (_, false, b'"') => quoted = !quoted,
            (false, false, b']') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The CSV fields, one at a time.
struct Fields<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Fields<'a> {
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match memchr::memchr(b',', rest) {
            Some(comma) => {
                self.rest = Some(&rest[comma + 1..]);
                Some(&rest[..comma])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }

    /// The next field, or an empty one past the end.
    fn take(&mut self) -> &'a [u8] {
        self.next().unwrap_or(b"")
    }
}

impl FilterlogParser {
    fn parse(
        &mut self,
        line: &[u8],
        time: &mut TimeContext,
        damage: &mut Damage,
    ) -> Result<Packet, &'static str> {
        let at = locate(line).ok_or("no filterlog tag")?;
        let stamp = stamp::last_time(&line[..at], time);
        if stamp.unreadable {
            damage.note("unreadable syslog time; packet kept without a time");
        }
        let csv = csv_start(&line[at + 9..]).ok_or("no CSV after the filterlog tag")?;
        let mut f = Fields { rest: Some(csv) };
        let rule = f.take();
        let _sub_rule = f.take();
        let _anchor = f.take();
        let tracker = f.take();
        let iface = f.take();
        let _reason = f.take();
        let action = match f.take() {
            b"block" => Action::Drop,
            b"pass" => Action::Accept,
            _ => Action::Logged,
        };
        let inbound = match f.take() {
            b"in" => Some(true),
            b"out" => Some(false),
            _ => None,
        };
        let version = f.take();
        let mut ip = picket_model::IpFields::default();
        let (proto_id, proto_name);
        match version {
            b"4" => {
                ip.tos = opt_hex_u8(f.take(), "TOS", damage);
                let _ecn = f.take();
                ip.ttl = opt_num(f.take(), "TTL", damage, parse_u8);
                ip.id = opt_num(f.take(), "IP id", damage, parse_u32);
                ip.frag_offset = opt_num(f.take(), "fragment offset", damage, parse_u16);
                let flags = f.take();
                ip.df = memchr::memmem::find(flags, b"DF").is_some();
                ip.mf = memchr::memmem::find(flags, b"MF").is_some();
                proto_id = f.take();
                proto_name = f.take();
            }
            b"6" => {
                ip.v6 = true;
                ip.tos = opt_hex_u8(f.take(), "traffic class", damage);
                let _flow_label = f.take();
                ip.ttl = opt_num(f.take(), "hop limit", damage, parse_u8);
                proto_name = f.take();
                proto_id = f.take();
            }
            _ => return Err("IP version is neither 4 nor 6"),
        }
        let proto = parse_u8(proto_id)
            .map(Proto)
            .or_else(|| proto_from_name(proto_name))
            .ok_or("unreadable protocol")?;
        let length = opt_num(f.take(), "length", damage, parse_u32);
        ip.total_len = if ip.v6 {
            length.and_then(|l| l.checked_add(40))
        } else {
            length
        };
        let src = parse_ip(f.take()).ok_or("unreadable source address")?;
        let dst = parse_ip(f.take()).ok_or("unreadable destination address")?;
        let proto = match proto {
            Proto::ICMP if ip.v6 => Proto::ICMPV6,
            other => other,
        };

        let mut packet = Packet::new(Sensor::Pf, Host::Addr(src), Host::Addr(dst), proto);
        packet.time = stamp.time;
        packet.action = action;
        packet.ip = ip;
        let label = if tracker.is_empty() { rule } else { tracker };
        if !label.is_empty() {
            packet.label = Some(self.names.intern(label));
        }
        if !iface.is_empty() {
            let name = self.names.intern(iface);
            match inbound {
                Some(false) => packet.out_iface = Some(name),
                _ => packet.in_iface = Some(name),
            }
        }
        if f.rest.is_none() {
            damage.note("line ends before the protocol's fields");
        }
        match proto {
            Proto::TCP => read_tcp(&mut f, &mut packet, damage),
            Proto::UDP => {
                packet.src_port = opt_num(f.take(), "source port", damage, parse_u16);
                packet.dst_port = opt_num(f.take(), "destination port", damage, parse_u16);
                packet.transport_len = opt_num(f.take(), "UDP length", damage, parse_u32);
            }
            Proto::ICMP | Proto::ICMPV6 => read_icmp(&mut f, &mut packet, src, damage),
            _ => {
                if let Some(n) = f.take().strip_prefix(b"datalength=") {
                    packet.transport_len = opt_num(n, "data length", damage, parse_u32);
                }
            }
        }
        Ok(packet)
    }
}

/// Ports, data length, flags, sequence, acknowledgement, window, urgent
/// pointer and option names.
fn read_tcp(f: &mut Fields<'_>, packet: &mut Packet, damage: &mut Damage) {
    packet.src_port = opt_num(f.take(), "source port", damage, parse_u16);
    packet.dst_port = opt_num(f.take(), "destination port", damage, parse_u16);
    packet.transport_len = opt_num(f.take(), "data length", damage, parse_u32);
    let flag_text = f.take();
    let mut flags = TcpFlags::default();
    let mut bad_flag = false;
    for letter in flag_text {
        match letter {
            b'F' => flags.set(TcpFlags::FIN),
            b'S' => flags.set(TcpFlags::SYN),
            b'R' => flags.set(TcpFlags::RST),
            b'P' => flags.set(TcpFlags::PSH),
            b'A' => flags.set(TcpFlags::ACK),
            b'U' => flags.set(TcpFlags::URG),
            b'E' => flags.set(TcpFlags::ECE),
            b'W' => flags.set(TcpFlags::CWR),
            _ => bad_flag = true,
        }
    }
    if bad_flag {
        damage.field("TCP flags", flag_text);
    }
    let seq = f.take();
    let mut tcp = TcpFields {
        flags: (!flag_text.is_empty()).then_some(flags),
        ..TcpFields::default()
    };
    // The sequence field is `start` or `start:end`.
    let seq_start = &seq[..memchr::memchr(b':', seq).unwrap_or(seq.len())];
    tcp.seq = opt_num(seq_start, "sequence number", damage, parse_u32);
    tcp.ack = opt_num(f.take(), "acknowledgement number", damage, parse_u32);
    tcp.window = opt_num(f.take(), "window", damage, parse_u32);
    let _urg = f.take();
    let options = f.take();
    if !options.is_empty() {
        let mut kinds = Vec::new();
        for name in options.split(|b| *b == b';') {
            let kind = match name {
                b"eol" => 0,
                b"nop" => 1,
                b"mss" => 2,
                b"wscale" => 3,
                b"sackOK" => 4,
                b"sack" => 5,
                b"TS" => 8,
                _ => continue,
            };
            if kinds.len() < 16 {
                kinds.push(kind);
            }
        }
        tcp.options = Some(Box::new(TcpOptions {
            kinds,
            ..TcpOptions::default()
        }));
    }
    packet.tcp = Some(tcp);
}

/// ICMP's type name and the fields that type carries.
fn read_icmp(f: &mut Fields<'_>, packet: &mut Packet, src: IpAddr, damage: &mut Damage) {
    let v6 = packet.ip.v6;
    let name = f.take();
    if let Some(n) = name.strip_prefix(b"datalength=") {
        packet.transport_len = opt_num(n, "data length", damage, parse_u32);
        packet.icmp = None;
        return;
    }
    let (kind, code) = match name {
        b"request" => (if v6 { 128 } else { 8 }, 0),
        b"reply" => (if v6 { 129 } else { 0 }, 0),
        b"unreachproto" => (3, 2),
        b"unreachport" => (3, 3),
        b"unreach" => (3, 0),
        b"needfrag" => (3, 4),
        b"redirect" => (5, 0),
        b"routeradvert" => (9, 0),
        b"routersol" => (10, 0),
        b"timexceed" => (11, 0),
        b"paramprob" => (12, 0),
        b"tstamp" => (13, 0),
        b"tstampreply" => (14, 0),
        b"maskreq" => (17, 0),
        b"maskreply" => (18, 0),
        _ => {
            damage.field("ICMP type", name);
            (0, 0)
        }
    };
    let mut icmp = IcmpFields {
        kind,
        code,
        ..IcmpFields::default()
    };
    match name {
        b"request" | b"reply" | b"tstamp" | b"tstampreply" => {
            icmp.echo_id = opt_num(f.take(), "ICMP id", damage, parse_u16);
            icmp.echo_seq = opt_num(f.take(), "ICMP sequence", damage, parse_u16);
        }
        b"unreachproto" | b"unreachport" => {
            let quoted_dst = parse_ip(f.take());
            let quoted_proto = parse_u8(f.take()).map(Proto);
            let quoted_port = if name == b"unreachport" {
                parse_u16(f.take())
            } else {
                None
            };
            if let (Some(qdst), Some(qproto)) = (quoted_dst, quoted_proto) {
                // The packet that drew the error was sent by this one's
                // destination to the address the error names.
                let mut quoted =
                    Packet::new(Sensor::Pf, packet.dst.clone(), Host::Addr(qdst), qproto);
                quoted.dst_port = quoted_port;
                icmp.quoted = Some(Box::new(quoted));
            } else {
                damage.note(format!(
                    "unreadable quoted header of an ICMP error from {src}"
                ));
            }
        }
        _ => {}
    }
    packet.icmp = Some(icmp);
}

/// An optional number: empty is `None`, anything unreadable is noted.
fn opt_num<T>(
    text: &[u8],
    what: &str,
    damage: &mut Damage,
    parse: impl Fn(&[u8]) -> Option<T>,
) -> Option<T> {
    if text.is_empty() {
        return None;
    }
    let value = parse(text);
    if value.is_none() {
        damage.field(what, text);
    }
    value
}

/// An optional `0x..` byte.
fn opt_hex_u8(text: &[u8], what: &str, damage: &mut Damage) -> Option<u8> {
    opt_num(text, what, damage, |t| {
        parse_hex(t).and_then(|v| u8::try_from(v).ok())
    })
}

#[cfg(test)]
mod tests;
