//! FreeBSD `ipfw` log lines, as the kernel writes them to syslog.
//!
//! ```text
//! Feb  3 08:00:02 ns3 kernel: ipfw: 900 Deny UDP 198.51.100.73:17500 255.255.255.255:17500 in via em0
//! Feb  3 08:00:05 ns3 kernel: ipfw: 200 Deny ICMP:8.0 10.1.1.1 10.2.2.2 in via em0
//! ```
//!
//! After `ipfw:` come the rule number, the action (`Accept`, `Deny`,
//! `Count`, `Reset`, `Unreach N`, `Divert N`, `Fwd addr`, ...), the protocol
//! (`TCP`, `UDP`, `ICMP:type.code`, `ICMPv6:type.code`, `P:number`), source
//! and destination (`addr:port`, IPv6 as `[addr]:port`, no port for ICMP
//! and others), the direction with its interface (`in via em0`,
//! `out via em0`) and, for a fragment, `(frag id:length@offset[+])`.
//! `ipfw: limit N reached on entry M` says logging stopped for a rule: a
//! line without a packet.

use std::net::IpAddr;
use std::sync::LazyLock;

use memchr::memmem::Finder;
use picket_model::{Action, Host, IcmpFields, Packet, Proto, Sensor, TcpFields};

use crate::bytes::{Interner, next_token, parse_ip, parse_u8, parse_u16, parse_u32};
use crate::cisco_ios::stamp;
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::snort::common::{Damage, proto_from_name};
use crate::time::TimeContext;

static MARKER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"ipfw: "));

/// Reads FreeBSD ipfw log lines.
#[derive(Default, Debug)]
pub struct IpfwParser {
    names: Interner,
}

impl FormatParser for IpfwParser {
    fn format(&self) -> Format {
        Format::Ipfw
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

/// Where `ipfw: ` is, when a rule number (or `limit`) follows it.
fn locate(line: &[u8]) -> Option<usize> {
    let at = MARKER.find(line)?;
    if at > 0 && !matches!(line[at - 1], b' ' | b'/' | b':') {
        return None;
    }
    let after = &line[at + 6..];
    let numbered = after
        .first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'-');
    (numbered || after.starts_with(b"limit ")).then_some(at)
}

impl IpfwParser {
    fn parse(
        &mut self,
        line: &[u8],
        time: &mut TimeContext,
        damage: &mut Damage,
    ) -> Result<Option<Packet>, &'static str> {
        let at = locate(line).ok_or("no `ipfw:` tag")?;
        let body = &line[at + 6..];
        if body.starts_with(b"limit ") {
            return Ok(None);
        }
        let stamp = stamp::last_time(&line[..at], time);
        if stamp.unreadable {
            damage.note("unreadable syslog time; packet kept without a time");
        }
        let (rule, rest) = next_token(body).ok_or("missing rule number")?;
        let (verb, mut rest) = next_token(rest).ok_or("missing action")?;
        let action = match verb {
            b"Accept" | b"Allow" | b"Divert" | b"Tee" | b"Fwd" | b"Pipe" | b"Queue" | b"Nat" => {
                Action::Accept
            }
            b"Deny" => Action::Drop,
            b"Reset" | b"Unreach" | b"Unreach6" | b"Reject" | b"Abort" | b"Abort6" => {
                Action::Reject
            }
            _ => Action::Logged,
        };
        // Actions with an argument: `Unreach 3`, `Divert 8668`, `Fwd 10.0.0.1,3128`.
        if matches!(
            verb,
            b"Unreach"
                | b"Unreach6"
                | b"Divert"
                | b"Tee"
                | b"Fwd"
                | b"Pipe"
                | b"Queue"
                | b"SkipTo"
                | b"Nat"
                | b"SetFib"
                | b"SetDscp"
                | b"Call"
        ) && let Some((arg, after)) = next_token(rest)
            && (arg.first().is_some_and(u8::is_ascii_digit) || verb == b"Fwd")
        {
            rest = after;
        }
        let (proto_text, rest) = next_token(rest).ok_or("missing protocol")?;
        let (proto, icmp) = read_proto(proto_text).ok_or("unknown protocol")?;
        let (src_text, rest) = next_token(rest).ok_or("missing source")?;
        let (dst_text, mut rest) = next_token(rest).ok_or("missing destination")?;
        let (src, src_port) = endpoint(src_text).ok_or("unreadable source")?;
        let (dst, dst_port) = endpoint(dst_text).ok_or("unreadable destination")?;

        let mut packet = Packet::new(Sensor::Ipfw, Host::Addr(src), Host::Addr(dst), proto);
        packet.time = stamp.time;
        packet.action = action;
        packet.ip.v6 = src.is_ipv6();
        packet.label = Some(self.names.intern(rule));
        let has_icmp = icmp.is_some();
        packet.icmp = icmp;
        if !has_icmp {
            packet.src_port = src_port;
            packet.dst_port = dst_port;
        }
        if proto == Proto::TCP {
            packet.tcp = Some(TcpFields::default());
        }
        if matches!(proto, Proto::TCP | Proto::UDP) && (src_port.is_none() || dst_port.is_none()) {
            damage.note("ports missing");
        }
        let mut direction_seen = false;
        while let Some((word, after)) = next_token(rest) {
            rest = after;
            match word {
                b"in" | b"out" => {
                    direction_seen = true;
                    if let Some((b"via", after)) = next_token(rest)
                        && let Some((iface, after)) = next_token(after)
                    {
                        rest = after;
                        let name = self.names.intern(iface);
                        if word == b"in" {
                            packet.in_iface = Some(name);
                        } else {
                            packet.out_iface = Some(name);
                        }
                    }
                }
                b"(frag" => {
                    let (spec, after) = next_token(rest).unwrap_or((b"", b""));
                    rest = after;
                    if !read_fragment(spec, &mut packet) {
                        damage.field("fragment", spec);
                    }
                }
                _ => {}
            }
        }
        if !direction_seen {
            damage.note("no direction (`in via`, `out via`)");
        }
        Ok(Some(packet))
    }
}

/// `TCP`, `UDP`, `ICMP:8.0`, `ICMPv6:128.0`, `P:47`.
fn read_proto(text: &[u8]) -> Option<(Proto, Option<IcmpFields>)> {
    let Some(colon) = memchr::memchr(b':', text) else {
        return proto_from_name(text).map(|p| (p, None));
    };
    let (name, arg) = (&text[..colon], &text[colon + 1..]);
    match name {
        b"P" => parse_u8(arg).map(|n| (Proto(n), None)),
        b"ICMP" | b"ICMPv6" => {
            let dot = memchr::memchr(b'.', arg)?;
            let icmp = IcmpFields {
                kind: parse_u8(&arg[..dot])?,
                code: parse_u8(&arg[dot + 1..])?,
                ..IcmpFields::default()
            };
            let proto = if name == b"ICMP" {
                Proto::ICMP
            } else {
                Proto::ICMPV6
            };
            Some((proto, Some(icmp)))
        }
        _ => None,
    }
}

/// `addr:port`, `[v6addr]:port`, or a bare address.
fn endpoint(text: &[u8]) -> Option<(IpAddr, Option<u16>)> {
    if let Some(inner) = text.strip_prefix(b"[") {
        let close = memchr::memchr(b']', inner)?;
        let addr = parse_ip(&inner[..close])?;
        let port = inner[close + 1..].strip_prefix(b":").and_then(parse_u16);
        return Some((addr, port));
    }
    if let Some(addr) = parse_ip(text) {
        return Some((addr, None));
    }
    let colon = memchr::memrchr(b':', text)?;
    Some((parse_ip(&text[..colon])?, parse_u16(&text[colon + 1..])))
}

/// `id:length@offset[+])`: the fragment offset (in bytes in the log, in
/// 8-byte units in the packet) and the more-fragments mark.
fn read_fragment(spec: &[u8], packet: &mut Packet) -> bool {
    let spec = spec.strip_suffix(b")").unwrap_or(spec);
    let (spec, more) = match spec.strip_suffix(b"+") {
        Some(s) => (s, true),
        None => (spec, false),
    };
    let Some(colon) = memchr::memchr(b':', spec) else {
        return false;
    };
    let Some(at) = memchr::memchr(b'@', spec) else {
        return false;
    };
    if at < colon {
        return false;
    }
    let (Some(id), Some(offset)) = (parse_u32(&spec[..colon]), parse_u32(&spec[at + 1..])) else {
        return false;
    };
    packet.ip.id = Some(id);
    packet.ip.frag_offset = u16::try_from(offset / 8).ok();
    packet.ip.mf = more;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::{Collect, parse_text};

    fn parse(text: &str) -> Collect {
        parse_text(
            text.as_bytes(),
            Some(Format::Ipfw),
            &mut TimeContext::fixed_year(2024),
        )
    }

    fn clean(line: &str) -> Packet {
        let out = parse(line);
        assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(out.packets.len(), 1);
        out.packets.into_iter().next().unwrap()
    }

    fn addr(text: &str) -> Host {
        Host::Addr(text.parse::<IpAddr>().unwrap())
    }

    #[test]
    fn udp_deny_in() {
        // vendor/ipfw.log line 1 (written from ipfw's log format).
        let p = clean(
            "Feb  3 08:00:02 ns3 kernel: ipfw: 900 Deny UDP 198.51.100.73:17500 255.255.255.255:17500 in via em0",
        );
        assert_eq!(p.sensor, Sensor::Ipfw);
        assert_eq!(p.time.unwrap().to_string(), "2024-02-03T08:00:02Z");
        assert_eq!(p.action, Action::Drop);
        assert_eq!(p.label.as_deref(), Some("900"));
        assert_eq!(p.proto, Proto::UDP);
        assert_eq!(p.src, addr("198.51.100.73"));
        assert_eq!(p.dst, addr("255.255.255.255"));
        assert_eq!((p.src_port, p.dst_port), (Some(17500), Some(17500)));
        assert_eq!(p.in_iface.as_deref(), Some("em0"));
        assert_eq!(p.out_iface, None);
    }

    #[test]
    fn icmp_echo_and_other_protocol() {
        // Written from ipfw's log format.
        let out = parse(concat!(
            "Feb  3 08:00:05 ns3 kernel: ipfw: 200 Deny ICMP:8.0 10.1.1.1 10.2.2.2 in via em0\n",
            "Feb  3 08:00:06 ns3 kernel: ipfw: 300 Accept P:47 10.1.1.1 10.2.2.2 out via em1",
        ));
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let icmp = out.packets[0].icmp.as_ref().unwrap();
        assert_eq!((icmp.kind, icmp.code), (8, 0));
        assert_eq!(out.packets[0].src_port, None);
        assert_eq!(out.packets[1].proto, Proto(47));
        assert_eq!(out.packets[1].action, Action::Accept);
        assert_eq!(out.packets[1].out_iface.as_deref(), Some("em1"));
    }

    #[test]
    fn reset_unreach_ipv6_and_fragment() {
        // Written from ipfw's log format.
        let out = parse(concat!(
            "Feb  3 08:00:07 ns3 kernel: ipfw: 400 Reset TCP 10.1.1.1:1234 10.2.2.2:113 in via em0\n",
            "Feb  3 08:00:08 ns3 kernel: ipfw: 500 Unreach 3 UDP 10.1.1.1:1234 10.2.2.2:31337 in via em0\n",
            "Feb  3 08:00:09 ns3 kernel: ipfw: 600 Deny TCP [2001:db8::1]:40000 [2001:db8::2]:22 in via em0\n",
            "Feb  3 08:00:10 ns3 kernel: ipfw: 700 Deny UDP 10.1.1.1 10.2.2.2 in via em0 (frag 54321:1480@1480+)",
        ));
        assert!(out.unrecognized.is_empty(), "{:?}", out.unrecognized);
        assert_eq!(out.packets[0].action, Action::Reject);
        assert!(out.packets[0].tcp.is_some());
        assert_eq!(out.packets[1].action, Action::Reject);
        assert_eq!(out.packets[1].dst_port, Some(31337));
        let v6 = &out.packets[2];
        assert!(v6.ip.v6);
        assert_eq!(v6.src, addr("2001:db8::1"));
        assert_eq!(v6.dst_port, Some(22));
        let frag = &out.packets[3];
        assert_eq!(frag.ip.id, Some(54321));
        assert_eq!(frag.ip.frag_offset, Some(185));
        assert!(frag.ip.mf);
        // A fragment has no ports: noted once.
        assert_eq!(out.warnings.len(), 1);
    }

    #[test]
    fn limit_lines_are_skipped_and_damage_reported() {
        let out = parse(concat!(
            "Feb  3 08:00:11 ns3 kernel: ipfw: limit 100 reached on entry 900\n",
            "Feb  3 08:00:12 ns3 kernel: ipfw: 900 Deny UDP 198.51.100.73:17500\n",
            "Feb  3 08:00:13 ns3 kernel: ipfw: 900 Deny UDP 198.51.100.73:17500 255.255.255.255:17500",
        ));
        assert_eq!(out.skipped, vec![1]);
        assert_eq!(out.unrecognized.len(), 1);
        assert_eq!(out.packets.len(), 1);
        assert_eq!(out.warnings.len(), 1);
        let parser = IpfwParser::default();
        assert!(!parser.claims(b"Feb  3 08:00:11 ns3 kernel: noipfw: 900 Deny"));
        assert!(!parser.claims(b"Feb  3 08:00:11 ns3 kernel: ipfw: rule added"));
    }
}
