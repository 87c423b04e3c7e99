//! Cisco IOS, IOS XE and IOS XR access-list logging.
//!
//! ```text
//! Jun 20 02:41:39 192.168.100.2 1663303: Jun 20 02:41:39.326: %SEC-6-IPACCESSLOGP: list 177 denied udp 192.168.100.195(55250) -> 192.168.100.255(15600), 1 packet
//! ```
//!
//! The mnemonic says what the line carries: `IPACCESSLOGP` TCP or UDP with
//! ports, `IPACCESSLOGDP` ICMP with `(type/code)`, `IPACCESSLOGRP` and
//! `IPACCESSLOGNP` other protocols, `IPACCESSLOGSP` IGMP with its type,
//! `IPACCESSLOGS` a standard access list (source only), and
//! `IPV6_ACL-6-ACCESSLOGP` / `IPV6-6-ACCESSLOGP` / `FMANFP-6-IPV6ACCESSLOGP`
//! the IPv6 forms; IOS XE's `FMANFP` lines and IOS XR's `ACL-IPV4_ACL` lines
//! carry the same text. `IPACCESSLOGRL` (rate-limited, packets missed) is a
//! counter, read as a skipped line.
//!
//! The router sums the packets of one flow over its logging interval into
//! one line (`, 9 packets`): that is one packet here, with the count in
//! `flow.packets_out` when it is more than one.
//!
//! A standard list logs only the source. Its packet's destination is the
//! router that logged it (the syslog host) when the line names one, and the
//! name `unknown` otherwise, with a warning.

pub(crate) mod stamp;

use std::sync::LazyLock;

use memchr::memmem::Finder;
use picket_model::{Action, FlowInfo, Host, IcmpFields, Packet, Proto, Sensor, TcpFields};

use crate::bytes::{Interner, next_token, parse_ip, parse_u8, parse_u16, parse_u64, trim};
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::snort::common::{Damage, proto_from_name};
use crate::syslog;
use crate::time::TimeContext;

static MARKER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"ACCESSLOG"));
static ARROW: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"->"));

/// How far back from `ACCESSLOG` the mnemonic's `%` may be
/// (`%FMANFP-6-IPV6` is 14 bytes).
const MAX_FACILITY: usize = 32;

/// Reads Cisco IOS access-list log lines.
#[derive(Default, Debug)]
pub struct CiscoIosParser {
    names: Interner,
}

impl FormatParser for CiscoIosParser {
    fn format(&self) -> Format {
        Format::CiscoIos
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
        let result = self.parse(line, time, &mut damage);
        damage.emit(result, line_no, sink)
    }
}

/// Where the mnemonic starts (its `%`) and where `ACCESSLOG` is in it.
fn locate(line: &[u8]) -> Option<(usize, usize)> {
    let at = MARKER.find(line)?;
    let from = at.saturating_sub(MAX_FACILITY);
    let percent = line[from..at]
        .iter()
        .rposition(|b| *b == b'%' || *b == b' ')
        .map(|p| from + p)?;
    (line[percent] == b'%').then_some((percent, at))
}

/// Which mnemonic a line carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A standard list: the source address only.
    SourceOnly,
    /// The rate-limit counter.
    RateLimited,
    /// An extended list: protocol, source and destination.
    Extended,
}

impl CiscoIosParser {
    fn parse(
        &mut self,
        line: &[u8],
        time: &mut TimeContext,
        damage: &mut Damage,
    ) -> Result<Option<Packet>, &'static str> {
        let (percent, at) = locate(line).ok_or("no access-list mnemonic")?;
        let mnemonic_end = line[at..]
            .iter()
            .position(|b| *b == b':' || *b == b' ')
            .map_or(line.len(), |p| at + p);
        let kind = match &line[at + 9..mnemonic_end] {
            b"RL" => Kind::RateLimited,
            b"S" => Kind::SourceOnly,
            _ => Kind::Extended,
        };
        if kind == Kind::RateLimited {
            return Ok(None);
        }
        let body = &line[mnemonic_end..];
        let body = match memchr::memchr(b':', body) {
            Some(colon) => &body[colon + 1..],
            None => body,
        };
        let stamp = stamp::last_time(&line[..percent], time);
        if stamp.unreadable {
            damage.note("unreadable device time; packet kept without a time");
        }

        // `list NAME` (IOS) or `access-list NAME` (IOS XR), after an
        // optional `R0/0: fman_fp_image:` (IOS XE).
        let mut rest = body;
        let mut list = None;
        for _ in 0..6 {
            let Some((word, after)) = next_token(rest) else {
                break;
            };
            rest = after;
            if word == b"list" || word == b"access-list" {
                list = next_token(rest).map(|(name, after)| {
                    rest = after;
                    name
                });
                break;
            }
        }
        let list = list.ok_or("no `list NAME`")?;
        let (verb, after) = next_token(rest).ok_or("missing action")?;
        rest = after;
        let action = match verb {
            b"denied" | b"deny" => Action::Drop,
            b"permitted" | b"permit" => Action::Accept,
            _ => {
                damage.field("action", verb);
                Action::Logged
            }
        };

        let mut packet = if kind == Kind::SourceOnly {
            self.source_only(line, percent, rest, time, damage)?
        } else {
            self.extended(rest, damage)?
        };
        packet.time = stamp.time;
        packet.action = action;
        packet.label = Some(self.names.intern(list));
        if let Some(count) = packet_count(rest)
            && count > 1
        {
            packet.flow = Some(Box::new(FlowInfo {
                packets_out: Some(count),
                ..FlowInfo::default()
            }));
        }
        Ok(Some(packet))
    }

    /// `SOURCE [(iface mac)] N packet(s)` of a standard list.
    fn source_only(
        &mut self,
        line: &[u8],
        percent: usize,
        rest: &[u8],
        time: &mut TimeContext,
        damage: &mut Damage,
    ) -> Result<Packet, &'static str> {
        let (source, after) = next_token(rest).ok_or("missing source")?;
        let src = parse_ip(source)
            .map(Host::Addr)
            .ok_or("unreadable source address")?;
        let device = syslog::split(&line[..percent], time)
            .and_then(|env| env.host)
            .and_then(|host| self.names.host(host));
        let dst = match device {
            Some(host) => host,
            None => {
                damage.note("standard access list names no destination; `unknown` used");
                Host::Name(self.names.intern(b"unknown"))
            }
        };
        let mut packet = Packet::new(Sensor::CiscoIos, src, dst, Proto::UNKNOWN);
        packet.in_iface = self.interface_group(after);
        Ok(packet)
    }

    /// `PROTO SOURCE[(port)] [(iface mac)] -> DEST[(port)] [(type/code)], N packets`.
    fn extended(&mut self, rest: &[u8], damage: &mut Damage) -> Result<Packet, &'static str> {
        let (proto_word, rest) = next_token(rest).ok_or("missing protocol")?;
        let proto =
            if proto_word.eq_ignore_ascii_case(b"ip") || proto_word.eq_ignore_ascii_case(b"ipv6") {
                Proto::UNKNOWN
            } else {
                proto_from_name(proto_word).ok_or("unknown protocol")?
            };
        let arrow = ARROW.find(rest).ok_or("no `->` between the endpoints")?;
        let (left, right) = (&rest[..arrow], &rest[arrow + 2..]);

        // Left of the arrow: an optional MAC (IOS XE), the source, an
        // optional `(iface mac)` group (IOS `log-input`) or an interface
        // glued to the arrow.
        let mut source = None;
        let mut in_iface = None;
        let mut words = left;
        while let Some((word, after)) = next_token(words) {
            words = after;
            if source.is_none() {
                if let Some(endpoint) = endpoint(word) {
                    source = Some(endpoint);
                } else if !is_mac(word) {
                    return Err("unreadable source");
                }
                continue;
            }
            if let Some(inner) = word.strip_prefix(b"(") {
                in_iface = Some(self.names.intern(inner.strip_suffix(b")").unwrap_or(inner)));
                break;
            }
            in_iface = Some(self.names.intern(word));
        }
        let (src_addr, src_port) = source.ok_or("missing source")?;

        let (dest, tail) = next_token(right).ok_or("missing destination")?;
        let dest = dest.strip_suffix(b",").unwrap_or(dest);
        let (dst_addr, dst_port) = endpoint(dest).ok_or("unreadable destination")?;
        let mut packet = Packet::new(
            Sensor::CiscoIos,
            Host::Addr(src_addr),
            Host::Addr(dst_addr),
            proto,
        );
        packet.ip.v6 = src_addr.is_ipv6();
        packet.in_iface = in_iface;

        // `(type/code)` after an ICMP destination, `(type)` after IGMP.
        let detail = next_token(tail)
            .filter(|(word, _)| word.starts_with(b"("))
            .map(|(word, _)| trim_punct(word));
        match proto {
            Proto::ICMP | Proto::ICMPV6 => {
                let (kind, code) = match detail.and_then(|d| split_pair(d, b'/')) {
                    Some(pair) => pair,
                    None => {
                        damage.note("ICMP type and code missing");
                        (0, 0)
                    }
                };
                packet.icmp = Some(IcmpFields {
                    kind,
                    code,
                    ..IcmpFields::default()
                });
            }
            Proto::TCP | Proto::UDP => {
                packet.src_port = src_port;
                packet.dst_port = dst_port;
                if src_port.is_none() || dst_port.is_none() {
                    damage.note("ports missing");
                }
                if proto == Proto::TCP {
                    packet.tcp = Some(TcpFields::default());
                }
            }
            _ => {
                packet.src_port = src_port;
                packet.dst_port = dst_port;
            }
        }
        if let Some(d) = detail
            && proto != Proto::ICMP
            && proto != Proto::ICMPV6
            && parse_u8(d).is_none()
        {
            damage.field("detail", d);
        }
        Ok(packet)
    }

    /// A `(FastEthernet0/0 0011.2233.4455)` group after a source: the input
    /// interface of `log-input`.
    fn interface_group(&mut self, text: &[u8]) -> Option<std::sync::Arc<str>> {
        let (word, _) = next_token(text)?;
        let inner = word.strip_prefix(b"(")?;
        let name = inner.strip_suffix(b")").unwrap_or(inner);
        (!name.is_empty()).then(|| self.names.intern(name))
    }
}

/// `10.1.1.1(1234)` or `10.1.1.1`: an address and an optional port.
fn endpoint(word: &[u8]) -> Option<(std::net::IpAddr, Option<u16>)> {
    match memchr::memchr(b'(', word) {
        Some(open) => {
            let addr = parse_ip(&word[..open])?;
            let port = word[open + 1..].strip_suffix(b")").and_then(parse_u16);
            Some((addr, port))
        }
        None => parse_ip(word).map(|addr| (addr, None)),
    }
}

/// A MAC address as IOS XE prints it before the source (`00-00-5E-00-53-23`).
fn is_mac(word: &[u8]) -> bool {
    word.len() == 17
        && word.iter().enumerate().all(|(i, b)| {
            if i % 3 == 2 {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// `(3/4),` without its brackets and comma.
fn trim_punct(word: &[u8]) -> &[u8] {
    let word = word.strip_suffix(b",").unwrap_or(word);
    let word = word.strip_prefix(b"(").unwrap_or(word);
    word.strip_suffix(b")").unwrap_or(word)
}

/// `3/4` as two bytes.
fn split_pair(text: &[u8], separator: u8) -> Option<(u8, u8)> {
    let at = memchr::memchr(separator, text)?;
    Some((parse_u8(&text[..at])?, parse_u8(&text[at + 1..])?))
}

/// The `N packet(s)` count at the end of a line.
fn packet_count(text: &[u8]) -> Option<u64> {
    let text = trim(text);
    let end = text
        .strip_suffix(b"packets")
        .or_else(|| text.strip_suffix(b"packet"))?;
    let end = trim(end);
    let start = end
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |p| p + 1);
    parse_u64(&end[start..])
}

#[cfg(test)]
mod tests;
