//! The ASA messages that carry a packet, one reader each.
//!
//! | id | what | packet |
//! | --- | --- | --- |
//! | 106001 | inbound TCP denied (with flags) | dropped |
//! | 106006, 106007 | inbound UDP denied (by policy, DNS) | dropped |
//! | 106010, 106014 | inbound protocol / ICMP denied | dropped |
//! | 106015 | TCP without a connection denied (with flags) | dropped |
//! | 106016, 106021 | IP spoof, reverse-path check failed | dropped |
//! | 106023 | denied by an access group | dropped, ACL as label |
//! | 106100 | access-list hit, permitted or denied, with a hit count | ACL as label |
//! | 313001, 313004 | ICMP to the device denied, ICMP without a session | dropped |
//! | 710003, 710005 | TCP/UDP to the device denied or discarded | dropped |
//! | 733100 | threat-detection rate about a host | see below |
//! | 302013/302015, 302014/302016 | TCP/UDP connection built / torn down | accepted flow |
//!
//! 733100 reports a rate about an object. When the object is a host
//! (`[192.168.2.2] drop rate-1 exceeded`) it becomes a dropped packet from
//! that host to the device, labelled with the rate's name, the cumulative
//! count in `flow.packets_out`; objects that are not hosts (`[ Scanning]`,
//! `[RDP 3389]`) carry no packet and are skipped.
//!
//! A teardown's reason gives the flow's outcome: `SYN Timeout` unanswered;
//! a reset rejected when no byte went through (a reset that ends a
//! connection that carried data ends an established one); `TCP FINs` and
//! `FIN Timeout` established; other reasons `Other`. UDP teardowns give no
//! reason, so no outcome. The teardown's byte count covers both directions,
//! which [`FlowInfo`] cannot hold, so it is used only to settle the outcome.

use std::collections::HashMap;
use std::net::IpAddr;

use memchr::memmem;
use picket_model::{
    Action, FlowInfo, FlowOutcome, Host, IcmpFields, Packet, Proto, Sensor, TcpFields, TcpFlags,
};

use crate::bytes::{Interner, next_token, parse_u8, parse_u16, parse_u32, parse_u64, trim};
use crate::snort::common::{Damage, proto_from_name};
use crate::time::TimeContext;

use super::MAX_OPEN_CONNECTIONS;

/// Reads one message's text into a packet.
pub(super) struct Reader<'a> {
    pub(super) names: &'a mut Interner,
    pub(super) opened_by_second: &'a mut HashMap<u64, bool>,
    pub(super) damage: &'a mut Damage,
    /// The line before the message, for the device's name.
    pub(super) head: &'a [u8],
    pub(super) time: &'a mut TimeContext,
}

/// One endpoint as ASA prints it: `[iface:]host[/port][(user)]`.
#[derive(Clone, Copy, Debug)]
struct End<'a> {
    iface: Option<&'a [u8]>,
    host: &'a [u8],
    port: Option<u16>,
}

impl Reader<'_> {
    /// Reads message `id`; `Ok(None)` for messages that carry no packet.
    pub(super) fn read(&mut self, id: u32, text: &[u8]) -> Result<Option<Packet>, &'static str> {
        let packet = match id {
            106001 | 106015 => self.denied_with_flags(text)?,
            106006 | 106007 => self.deny_from_to(text, 2)?,
            106010 | 106014 => self.deny_src_dst(text, b"inbound")?,
            106016 => self.spoof(text)?,
            106021 => self.deny_from_to(text, 1)?,
            106023 => self.access_group(text)?,
            106100 => self.access_list(text)?,
            313001 | 313004 => self.icmp_to_device(text)?,
            710003 | 710005 => self.device_bound(text)?,
            733100 => return self.threat_rate(text),
            302013 | 302015 => {
                self.built(text)?;
                return Ok(None);
            }
            302014 | 302016 => self.teardown(text)?,
            _ => return Ok(None),
        };
        Ok(Some(packet))
    }

    /// 106001 `Inbound TCP connection denied from A/p to B/p flags SYN on
    /// interface X` and 106015 `Deny TCP (no connection) from A/p to B/p
    /// flags RST on interface X`.
    fn denied_with_flags(&mut self, text: &[u8]) -> Result<Packet, &'static str> {
        let mut packet = self.deny_from_to(text, 1)?;
        let mut flags = TcpFlags::default();
        if let Some(at) = memmem::find(text, b" flags ") {
            let mut words = &text[at + 7..];
            while let Some((word, after)) = next_token(words) {
                words = after;
                match word {
                    b"SYN" => flags.set(TcpFlags::SYN),
                    b"ACK" => flags.set(TcpFlags::ACK),
                    b"FIN" => flags.set(TcpFlags::FIN),
                    b"RST" => flags.set(TcpFlags::RST),
                    b"PSH" => flags.set(TcpFlags::PSH),
                    b"URG" => flags.set(TcpFlags::URG),
                    b"ECE" => flags.set(TcpFlags::ECE),
                    b"CWR" => flags.set(TcpFlags::CWR),
                    _ => break,
                }
            }
            if let Some(tcp) = packet.tcp.as_mut() {
                tcp.flags = Some(flags);
            }
        }
        Ok(packet)
    }

    /// `... PROTO ... from A[/p] to B[/p] [on interface X]`, the protocol
    /// being word `proto_at` (counting from 0).
    fn deny_from_to(&mut self, text: &[u8], proto_at: usize) -> Result<Packet, &'static str> {
        let proto_word = nth_word(text, proto_at).ok_or("missing protocol")?;
        let proto = protocol(proto_word, b"").ok_or("unknown protocol")?;
        let src = word_after(text, b"from").ok_or("missing source")?;
        let dst = word_after(text, b"to").ok_or("missing destination")?;
        let mut packet = self.packet(end(src, false), end(dst, false), proto)?;
        packet.action = Action::Drop;
        packet.in_iface = word_after(text, b"interface").map(|i| self.names.intern(i));
        Ok(packet)
    }

    /// 106010 / 106014 `Deny inbound PROTO src X:A[/p] dst Y:B[/p] [(type t, code c)]`.
    fn deny_src_dst(&mut self, text: &[u8], before_proto: &[u8]) -> Result<Packet, &'static str> {
        let (proto_word, rest) =
            word_after_with_rest(text, before_proto).ok_or("missing protocol")?;
        let proto = protocol(proto_word, rest).ok_or("unknown protocol")?;
        let src = word_after(text, b"src").ok_or("missing source")?;
        let dst = word_after(text, b"dst").ok_or("missing destination")?;
        let mut packet = self.packet(end(src, true), end(dst, true), proto)?;
        packet.action = Action::Drop;
        self.icmp_type(&mut packet, text);
        Ok(packet)
    }

    /// 106016 `Deny IP spoof from (A) to B on interface X`.
    fn spoof(&mut self, text: &[u8]) -> Result<Packet, &'static str> {
        let src = word_after(text, b"from").ok_or("missing source")?;
        let src = src.strip_prefix(b"(").unwrap_or(src);
        let src = src.strip_suffix(b")").unwrap_or(src);
        let dst = word_after(text, b"to").ok_or("missing destination")?;
        let mut packet = self.packet(end(src, false), end(dst, false), Proto::UNKNOWN)?;
        packet.action = Action::Drop;
        packet.in_iface = word_after(text, b"interface").map(|i| self.names.intern(i));
        Ok(packet)
    }

    /// 106023 `Deny PROTO src X:A[/p] dst Y:B[/p] [(type t, code c)] by
    /// access-group "ACL" [hash, hash]`.
    fn access_group(&mut self, text: &[u8]) -> Result<Packet, &'static str> {
        let mut packet = self.deny_src_dst(text, b"Deny")?;
        if let Some(at) = memmem::find(text, b"access-group") {
            let rest = trim(&text[at + 12..]);
            let name = match rest.strip_prefix(b"\"") {
                Some(quoted) => &quoted[..memchr::memchr(b'"', quoted).unwrap_or(quoted.len())],
                None => next_token(rest).map_or(&b""[..], |(w, _)| w),
            };
            if !name.is_empty() {
                packet.label = Some(self.names.intern(name));
            }
        }
        Ok(packet)
    }

    /// 106100 `access-list ACL permitted|denied|est-allowed PROTO X/A(p) ->
    /// Y/B(p) hit-cnt N first hit|300-second interval [hash]`.
    fn access_list(&mut self, text: &[u8]) -> Result<Packet, &'static str> {
        let (acl, rest) = word_after_with_rest(text, b"access-list").ok_or("missing list")?;
        let (verb, rest) = next_token(rest).ok_or("missing action")?;
        let action = match verb {
            b"permitted" | b"est-allowed" => Action::Accept,
            b"denied" => Action::Drop,
            _ => {
                self.damage.field("action", verb);
                Action::Logged
            }
        };
        let (proto_word, rest) = next_token(rest).ok_or("missing protocol")?;
        let proto = protocol(proto_word, rest).ok_or("unknown protocol")?;
        let (src, rest) = next_token(rest).ok_or("missing source")?;
        let dst = word_after(rest, b"->").ok_or("missing destination")?;
        let (src, dst) = (slash_end(src), slash_end(dst));
        let mut packet = self.packet(src, dst, proto)?;
        packet.action = action;
        packet.label = Some(self.names.intern(acl));
        if matches!(packet.proto, Proto::ICMP | Proto::ICMPV6) {
            // The "ports" of an ICMP hit are its type and code.
            packet.icmp = Some(IcmpFields {
                kind: src.port.and_then(|p| u8::try_from(p).ok()).unwrap_or(0),
                code: dst.port.and_then(|p| u8::try_from(p).ok()).unwrap_or(0),
                ..IcmpFields::default()
            });
        }
        match word_after(text, b"hit-cnt").map(parse_u64) {
            Some(Some(hits)) if hits > 1 => {
                packet.flow = Some(Box::new(FlowInfo {
                    packets_out: Some(hits),
                    ..FlowInfo::default()
                }));
            }
            Some(None) => self.damage.note("unreadable hit count"),
            _ => {}
        }
        Ok(packet)
    }

    /// 313001 `Denied ICMP type=t, code=c from A on interface X` (to the
    /// device) and 313004 `Denied ICMP type=t, from laddr A on interface X
    /// to B: no matching session`.
    fn icmp_to_device(&mut self, text: &[u8]) -> Result<Packet, &'static str> {
        let src = match word_after(text, b"laddr") {
            Some(src) => src,
            None => word_after(text, b"from").ok_or("missing source")?,
        };
        let src = self.names.host(src).ok_or("empty source")?;
        let dst = match word_after(text, b"to") {
            Some(dst) => self
                .names
                .host(dst.strip_suffix(b":").unwrap_or(dst))
                .ok_or("empty destination")?,
            None => self.device(),
        };
        let v6 = matches!(src, Host::Addr(IpAddr::V6(_)));
        let proto = if v6 { Proto::ICMPV6 } else { Proto::ICMP };
        let mut packet = Packet::new(Sensor::CiscoAsa, src, dst, proto);
        packet.ip.v6 = v6;
        packet.action = Action::Drop;
        packet.in_iface = word_after(text, b"interface").map(|i| self.names.intern(i));
        self.icmp_type(&mut packet, text);
        Ok(packet)
    }

    /// 710003 `TCP access denied by ACL from A/p to X:B/p` and 710005 `UDP
    /// request discarded from A/p to X:B/p`: traffic to the device itself.
    fn device_bound(&mut self, text: &[u8]) -> Result<Packet, &'static str> {
        let proto = nth_word(text, 0)
            .and_then(|w| protocol(w, b""))
            .ok_or("unknown protocol")?;
        let src = word_after(text, b"from").ok_or("missing source")?;
        let dst = word_after(text, b"to").ok_or("missing destination")?;
        let (src, dst) = (end(src, false), end(dst, true));
        let mut packet = self.packet(src, dst, proto)?;
        packet.action = Action::Drop;
        packet.in_iface = packet.out_iface.take();
        Ok(packet)
    }

    /// 733100 `[ OBJECT] drop rate-1 exceeded. ... Cumulative total count is N`.
    fn threat_rate(&mut self, text: &[u8]) -> Result<Option<Packet>, &'static str> {
        let inner = text.strip_prefix(b"[").ok_or("missing object")?;
        let close = memchr::memchr(b']', inner).ok_or("unclosed object")?;
        let object = trim(&inner[..close]);
        let Some(addr) = crate::bytes::parse_ip(object) else {
            return Ok(None);
        };
        let after = &inner[close + 1..];
        let name_end = memchr::memchr(b'.', after).unwrap_or(after.len());
        let rate = trim(&after[..name_end]);
        let dst = self.device();
        let mut packet = Packet::new(Sensor::CiscoAsa, Host::Addr(addr), dst, Proto::UNKNOWN);
        packet.ip.v6 = addr.is_ipv6();
        packet.action = Action::Drop;
        if !rate.is_empty() {
            packet.label = Some(self.names.intern(rate));
        }
        let total = memmem::find(text, b"total count is ").map(|at| {
            let digits = &text[at + 15..];
            let end = digits
                .iter()
                .position(|b| !b.is_ascii_digit())
                .unwrap_or(digits.len());
            parse_u64(&digits[..end])
        });
        match total {
            Some(Some(count)) => {
                packet.flow = Some(Box::new(FlowInfo {
                    packets_out: Some(count),
                    ..FlowInfo::default()
                }))
            }
            Some(None) => self.damage.note("unreadable cumulative count"),
            None => {}
        }
        Ok(Some(packet))
    }

    /// 302013 / 302015 `Built inbound|outbound TCP connection ID for ...`:
    /// notes which end opened the connection.
    fn built(&mut self, text: &[u8]) -> Result<(), &'static str> {
        let direction = nth_word(text, 1).ok_or("missing direction")?;
        let id = word_after(text, b"connection")
            .and_then(parse_u64)
            .ok_or("unreadable connection number")?;
        let outbound = match direction {
            b"outbound" => true,
            b"inbound" => false,
            _ => return Ok(()),
        };
        if self.opened_by_second.len() >= MAX_OPEN_CONNECTIONS {
            self.opened_by_second.clear();
        }
        self.opened_by_second.insert(id, outbound);
        Ok(())
    }

    /// 302014 / 302016 `Teardown TCP|UDP connection ID for X:A/p to Y:B/p
    /// duration h:mm:ss bytes N [reason]`.
    fn teardown(&mut self, text: &[u8]) -> Result<Packet, &'static str> {
        let proto = nth_word(text, 1)
            .and_then(|w| protocol(w, b""))
            .ok_or("unknown protocol")?;
        let id = word_after(text, b"connection").and_then(parse_u64);
        let first = end(
            word_after(text, b"for").ok_or("missing first endpoint")?,
            true,
        );
        let second = end(
            word_after(text, b"to").ok_or("missing second endpoint")?,
            true,
        );
        let opened_by_second = match id.and_then(|id| self.opened_by_second.remove(&id)) {
            Some(known) => known,
            // No built message seen: the end with the lower port serves.
            None => match (first.port, second.port) {
                (Some(a), Some(b)) => a < b,
                _ => false,
            },
        };
        let (src, dst) = if opened_by_second {
            (second, first)
        } else {
            (first, second)
        };
        let mut packet = self.packet(src, dst, proto)?;
        packet.action = Action::Accept;
        let duration_ms = match word_after(text, b"duration") {
            Some(d) => {
                let ms = duration(d);
                if ms.is_none() {
                    self.damage.field("duration", d);
                }
                ms
            }
            None => None,
        };
        let (bytes, reason) = match word_after_with_rest(text, b"bytes") {
            Some((n, rest)) => (parse_u64(n), trim(rest)),
            None => (None, &b""[..]),
        };
        let outcome = if proto == Proto::TCP {
            Some(outcome(reason, bytes))
        } else {
            None
        };
        packet.flow = Some(Box::new(FlowInfo {
            outcome,
            duration_ms,
            ..FlowInfo::default()
        }));
        Ok(packet)
    }

    /// A packet between two endpoints, with interfaces and ports filled.
    fn packet(&mut self, src: End<'_>, dst: End<'_>, proto: Proto) -> Result<Packet, &'static str> {
        let src_host = self.names.host(src.host).ok_or("empty source")?;
        let dst_host = self.names.host(dst.host).ok_or("empty destination")?;
        let v6 = matches!(src_host, Host::Addr(IpAddr::V6(_)));
        let proto = if proto == Proto::ICMP && v6 {
            Proto::ICMPV6
        } else {
            proto
        };
        let mut packet = Packet::new(Sensor::CiscoAsa, src_host, dst_host, proto);
        packet.ip.v6 = v6;
        packet.in_iface = src.iface.map(|i| self.names.intern(i));
        packet.out_iface = dst.iface.map(|i| self.names.intern(i));
        if !matches!(proto, Proto::ICMP | Proto::ICMPV6) {
            packet.src_port = src.port;
            packet.dst_port = dst.port;
        }
        if proto == Proto::TCP {
            packet.tcp = Some(TcpFields::default());
        }
        Ok(packet)
    }

    /// Fills ICMP type and code from `type 8, code 0` or `type=3, code=3`.
    fn icmp_type(&mut self, packet: &mut Packet, text: &[u8]) {
        if !matches!(packet.proto, Proto::ICMP | Proto::ICMPV6) {
            return;
        }
        let kind = number_after(text, b"type");
        let code = number_after(text, b"code");
        if kind.is_none() {
            self.damage.note("ICMP type missing");
        }
        packet.icmp = Some(IcmpFields {
            kind: kind.unwrap_or(0),
            code: code.unwrap_or(0),
            ..IcmpFields::default()
        });
    }

    /// The device that logged the line, or `unknown` (with a note).
    fn device(&mut self) -> Host {
        match super::device(self.head, self.time, self.names) {
            Some(host) => host,
            None => {
                self.damage
                    .note("message names no destination and the line no device; `unknown` used");
                Host::Name(self.names.intern(b"unknown"))
            }
        }
    }
}

/// `[iface:]host[/port]` with anything glued from a `(` on dropped.
fn end(token: &[u8], with_iface: bool) -> End<'_> {
    let token = match memchr::memchr(b'(', token) {
        Some(open) if open > 0 => &token[..open],
        _ => token,
    };
    let (iface, rest) = match (with_iface, memchr::memchr(b':', token)) {
        (true, Some(colon)) => (Some(&token[..colon]), &token[colon + 1..]),
        _ => (None, token),
    };
    let (host, port) = match memchr::memrchr(b'/', rest) {
        Some(slash) => (&rest[..slash], parse_u16(&rest[slash + 1..])),
        None => (rest, None),
    };
    End { iface, host, port }
}

/// 106100's `iface/host(port)`.
fn slash_end(token: &[u8]) -> End<'_> {
    let (iface, rest) = match memchr::memchr(b'/', token) {
        Some(slash) => (Some(&token[..slash]), &token[slash + 1..]),
        None => (None, token),
    };
    let (host, port) = match memchr::memchr(b'(', rest) {
        Some(open) => (
            &rest[..open],
            rest[open + 1..].strip_suffix(b")").and_then(parse_u16),
        ),
        None => (rest, None),
    };
    End { iface, host, port }
}

/// A protocol word; `protocol N` takes its number from `rest`, and `IP`
/// (any protocol) is unknown.
fn protocol(word: &[u8], rest: &[u8]) -> Option<Proto> {
    if word.eq_ignore_ascii_case(b"protocol") {
        return next_token(rest).and_then(|(n, _)| parse_u8(n)).map(Proto);
    }
    if word.eq_ignore_ascii_case(b"ip") {
        return Some(Proto::UNKNOWN);
    }
    proto_from_name(word)
}

/// Word `n` (from 0) of `text`.
fn nth_word(text: &[u8], n: usize) -> Option<&[u8]> {
    let mut rest = text;
    for _ in 0..n {
        rest = next_token(rest)?.1;
    }
    next_token(rest).map(|(w, _)| w)
}

/// The word after the first word equal to `key`.
fn word_after<'a>(text: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    word_after_with_rest(text, key).map(|(w, _)| w)
}

/// The word after the first word equal to `key`, and the text after it.
fn word_after_with_rest<'a>(text: &'a [u8], key: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let mut rest = text;
    while let Some((word, after)) = next_token(rest) {
        rest = after;
        if word == key {
            return next_token(rest);
        }
    }
    None
}

/// The number after `key` and a space or `=` (`type 8,`, `code=3`).
fn number_after(text: &[u8], key: &[u8]) -> Option<u8> {
    for at in memmem::find_iter(text, key).take(4) {
        let rest = &text[at + key.len()..];
        let rest = match rest.first() {
            Some(b' ' | b'=') => &rest[1..],
            _ => continue,
        };
        let end = rest
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(rest.len());
        if let Some(n) = parse_u8(&rest[..end]) {
            return Some(n);
        }
    }
    None
}

/// `h:mm:ss` (hours unbounded) in milliseconds.
fn duration(text: &[u8]) -> Option<u64> {
    let mut parts = text.split(|b| *b == b':');
    let hours = u64::from(parse_u32(parts.next()?)?);
    let minutes = u64::from(parse_u32(parts.next()?)?);
    let seconds = u64::from(parse_u32(parts.next()?)?);
    if parts.next().is_some() || minutes > 59 || seconds > 59 {
        return None;
    }
    Some((hours * 3600 + minutes * 60 + seconds) * 1000)
}

/// How a TCP connection ended, from its teardown reason and byte count.
fn outcome(reason: &[u8], bytes: Option<u64>) -> FlowOutcome {
    let has = |word: &[u8]| memmem::find(reason, word).is_some();
    if has(b"SYN Timeout") {
        FlowOutcome::Unanswered
    } else if has(b"Reset") {
        if bytes == Some(0) {
            FlowOutcome::Rejected
        } else {
            FlowOutcome::Established
        }
    } else if has(b"FIN") {
        FlowOutcome::Established
    } else {
        FlowOutcome::Other
    }
}
