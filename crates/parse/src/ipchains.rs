//! Linux 2.2 ipchains `Packet log:` lines.
//!
//! ```text
//! Jul  7 18:48:26 linux1 kernel: Packet log: input DENY ppp0 PROTO=6 211.250.197.2:3024 193.237.109.203:111 L=60 S=0x00 I=14018 F=0x4000 T=43 SYN (#3)
//! ```
//!
//! After the chain come the target (`-` when the rule only logs, `DENY`,
//! `REJECT`, `ACCEPT`, `MASQ`, `REDIRECT port`), the interface, the protocol
//! number, `source:port destination:port` (for ICMP the "ports" are type and
//! code), then length, TOS, IP ID, flags-and-offset and TTL, an optional
//! `SYN` mark and the rule number. Endpoints may be names when the kernel's
//! log was resolved, and a `host: port` with a stray space (seen in the wild)
//! is joined with a warning.

use std::sync::LazyLock;

use memchr::memmem::Finder;
use picket_model::{Action, IcmpFields, Packet, Proto, Sensor, TcpFields, TcpFlags};

use crate::bytes::{Interner, parse_hex, parse_u8, parse_u16};
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::syslog;
use crate::time::TimeContext;

static MARKER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"Packet log: "));

/// Reads ipchains packet log lines.
#[derive(Default, Debug)]
pub struct IpchainsParser {
    names: Interner,
}

impl FormatParser for IpchainsParser {
    fn format(&self) -> Format {
        Format::Ipchains
    }

    fn claims(&self, line: &[u8]) -> bool {
        MARKER.find(line).is_some()
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        match self.parse(line, line_no, time, sink) {
            Ok(packet) => sink.packet(packet),
            Err(reason) => sink.unrecognized(line_no, reason),
        }
        Feed::Done
    }
}

impl IpchainsParser {
    fn parse(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Result<Packet, &'static str> {
        let at = MARKER.find(line).ok_or("no `Packet log:` marker")?;
        let envelope = syslog::split(&line[..at], time);
        let when = envelope.as_ref().and_then(|e| e.time);
        // What is wrong with a kept record, said in one warning.
        let mut notes: Vec<String> = Vec::new();
        if envelope
            .as_ref()
            .is_some_and(|e| e.had_time && e.time.is_none())
        {
            notes.push("unreadable timestamp; packet kept without a time".into());
        }
        let mut tokens = line[at + 12..]
            .split(|b| *b == b' ' || *b == b'\t')
            .filter(|t| !t.is_empty())
            .peekable();
        let chain = tokens.next().ok_or("missing chain")?;
        let target = tokens.next().ok_or("missing target")?;
        let action = match target {
            b"DENY" => Action::Drop,
            b"REJECT" => Action::Reject,
            b"ACCEPT" | b"MASQ" => Action::Accept,
            b"REDIRECT" => {
                if tokens
                    .peek()
                    .is_some_and(|t| t.iter().all(u8::is_ascii_digit))
                {
                    tokens.next();
                }
                Action::Accept
            }
            _ => Action::Logged,
        };
        let iface = tokens.next().ok_or("missing interface")?;
        let proto_field = tokens.next().ok_or("missing protocol")?;
        let proto = proto_field
            .strip_prefix(b"PROTO=")
            .and_then(parse_u8)
            .map(Proto)
            .ok_or("bad PROTO= field")?;

        let mut joined_endpoint = false;
        // Ports that do not fit 16 bits (`:99999`) are left empty, with a
        // warning, rather than kept wrapped or dropped unsaid.
        let mut bad_ports = 0u32;
        let mut endpoint = |tokens: &mut std::iter::Peekable<_>| -> Option<(Vec<u8>, Option<u16>)> {
            let first: &[u8] = tokens.next()?;
            if let Some(host) = first.strip_suffix(b":") {
                // `host: port`, a stray space after the colon.
                let port = tokens.peek().and_then(|t: &&[u8]| parse_u16(t));
                if port.is_some() {
                    tokens.next();
                    joined_endpoint = true;
                } else {
                    bad_ports += 1;
                }
                return Some((host.to_vec(), port));
            }
            let colon = memchr::memrchr(b':', first)?;
            let port = parse_u16(&first[colon + 1..]);
            if port.is_none() {
                bad_ports += 1;
            }
            Some((first[..colon].to_vec(), port))
        };
        let (src_text, src_port) = endpoint(&mut tokens).ok_or("missing source")?;
        let (dst_text, dst_port) = endpoint(&mut tokens).ok_or("missing destination")?;
        let src = self.names.host(&src_text).ok_or("empty source")?;
        let dst = self.names.host(&dst_text).ok_or("empty destination")?;

        let mut packet = Packet::new(Sensor::Ipchains, src, dst, proto);
        packet.time = when;
        packet.action = action;
        packet.in_iface = Some(self.names.intern(iface));
        packet.label = Some(self.names.intern(chain));
        packet.origin.line = line_no;
        if proto == Proto::ICMP {
            // A type or code past 255 is no ICMP header: leave it out rather
            // than read it as type 0.
            let kind = src_port.and_then(|p| u8::try_from(p).ok());
            let code = dst_port.and_then(|p| u8::try_from(p).ok());
            if let (Some(kind), Some(code)) = (kind, code) {
                packet.icmp = Some(IcmpFields {
                    kind,
                    code,
                    ..IcmpFields::default()
                });
            } else if src_port.is_some() && dst_port.is_some() {
                bad_ports += 1;
            }
        } else {
            packet.src_port = src_port;
            packet.dst_port = dst_port;
        }
        if proto == Proto::TCP {
            packet.tcp = Some(TcpFields::default());
        }

        // The kernel ends every line's header fields with `T=`. A line that
        // stops at the destination was cut, perhaps inside it; one that stops
        // before `T=` may end in a number cut short (`I=23` of `I=2320`),
        // which is left out.
        let mut fields: Vec<&[u8]> = tokens.collect();
        if fields.is_empty() {
            return Err("line cut short after the destination");
        }
        let cut = !fields.iter().any(|t| t.starts_with(b"T="));
        if cut {
            fields.pop();
        }
        let mut bad_fields = 0u32;
        for token in fields {
            // ipchains logs IPv4 only: length and ID are 16-bit fields.
            let ok = if let Some(v) = token.strip_prefix(b"L=") {
                packet.ip.total_len = parse_u16(v).map(u32::from);
                packet.ip.total_len.is_some()
            } else if let Some(v) = token.strip_prefix(b"S=") {
                packet.ip.tos = parse_hex(v).and_then(|x| u8::try_from(x).ok());
                packet.ip.tos.is_some()
            } else if let Some(v) = token.strip_prefix(b"I=") {
                packet.ip.id = parse_u16(v).map(u32::from);
                packet.ip.id.is_some()
            } else if let Some(v) = token.strip_prefix(b"F=") {
                match parse_hex(v).and_then(|x| u16::try_from(x).ok()) {
                    Some(bits) => {
                        packet.ip.df = bits & 0x4000 != 0;
                        packet.ip.mf = bits & 0x2000 != 0;
                        packet.ip.frag_offset = Some(bits & 0x1fff);
                        true
                    }
                    None => false,
                }
            } else if let Some(v) = token.strip_prefix(b"T=") {
                packet.ip.ttl = parse_u8(v);
                packet.ip.ttl.is_some()
            } else if token == b"SYN" {
                if let Some(tcp) = packet.tcp.as_mut() {
                    tcp.flags = Some(TcpFlags(TcpFlags::SYN));
                }
                true
            } else {
                // The rule number `(#3)` and anything newer kernels added.
                true
            };
            if !ok {
                bad_fields += 1;
            }
        }
        if let (Some(len), Some(Proto::UDP)) = (packet.ip.total_len, Some(proto)) {
            packet.transport_len = len.checked_sub(20);
        }
        if joined_endpoint {
            notes.push("endpoint written as `host: port` with a space; joined".into());
        }
        if cut {
            notes.push("line cut short; its last field left out".into());
        }
        if bad_ports > 0 {
            notes.push(format!("{bad_ports} unreadable port(s) left empty"));
        }
        if bad_fields > 0 {
            notes.push(format!("{bad_fields} unreadable header field(s) skipped"));
        }
        if !notes.is_empty() {
            sink.warning(line_no, notes.join("; "));
        }
        Ok(packet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::parse_text;
    use picket_model::Host;

    fn parse(text: &str) -> crate::dispatch::Collect {
        parse_text(
            text.as_bytes(),
            Some(Format::Ipchains),
            &mut TimeContext::fixed_year(2000),
        )
    }

    #[test]
    fn paper_line_with_names() {
        // The 2000 paper, detect 01.
        let out = parse(
            "Mar 12 04:05:35 hostname kernel: Packet log: input - eth0 PROTO=17 snort.someplace.net:123 me.nowhere.com:61218 L=76 S=0x10 I=63671 F=0x4000 T=245",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        let p = &out.packets[0];
        assert_eq!(p.src, Host::parse("snort.someplace.net").unwrap());
        assert_eq!(p.dst.to_string(), "me.nowhere.com");
        assert_eq!((p.src_port, p.dst_port), (Some(123), Some(61218)));
        assert_eq!(p.proto, Proto::UDP);
        assert_eq!(p.ip.total_len, Some(76));
        assert_eq!(p.transport_len, Some(56));
        assert_eq!(p.ip.tos, Some(0x10));
        assert_eq!(p.ip.id, Some(63671));
        assert!(p.ip.df);
        assert_eq!(p.ip.ttl, Some(245));
        assert_eq!(p.action, Action::Logged);
        assert_eq!(p.in_iface.as_deref(), Some("eth0"));
        assert_eq!(p.time.unwrap().to_string(), "2000-03-12T04:05:35Z");
    }

    #[test]
    fn stray_space_after_colon_is_joined_with_a_warning() {
        // The 2000 paper, detect 02.
        let out = parse(
            "Apr 12 04:49:49 unbeliever kernel: Packet log: input - eth0 PROTO=6 a.supercomputer.place: 3254 me.home.com: 27374 L=48 S=0x00 I=57926 F=0x4000 T=111",
        );
        assert_eq!(out.packets.len(), 1);
        assert_eq!(out.warnings.len(), 1);
        let p = &out.packets[0];
        assert_eq!(p.src.to_string(), "a.supercomputer.place");
        assert_eq!((p.src_port, p.dst_port), (Some(3254), Some(27374)));
        assert_eq!(p.ip.ttl, Some(111));
    }

    #[test]
    fn deny_with_syn_mark_and_rule_number() {
        // LKML post, 2001 (samples/ipchains).
        let out = parse(
            "Jul  7 18:48:26 linux1 kernel: Packet log: input DENY ppp0 PROTO=6 211.250.197.2:3024 193.237.109.203:111 L=60 S=0x00 I=14018 F=0x4000 T=43 SYN (#3)",
        );
        let p = &out.packets[0];
        assert_eq!(p.action, Action::Drop);
        assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
        assert_eq!(p.src.to_string(), "211.250.197.2");
        assert_eq!(p.in_iface.as_deref(), Some("ppp0"));
    }

    #[test]
    fn targets_and_icmp() {
        let out = parse(
            "Jul  7 18:48:26 gw kernel: Packet log: forward MASQ eth1 PROTO=1 10.0.0.2:8 1.2.3.4:0 L=84 S=0x00 I=1 F=0x0000 T=64 (#1)\nJul  7 18:48:27 gw kernel: Packet log: input REDIRECT 3128 eth1 PROTO=6 10.0.0.2:1025 1.2.3.4:80 L=60 S=0x00 I=2 F=0x0000 T=64 SYN (#2)\nJul  7 18:48:28 gw kernel: Packet log: input REJECT eth0 PROTO=17 1.2.3.4:53 10.0.0.2:1025 L=60 S=0x00 I=3 F=0x2005 T=64 (#9)",
        );
        assert_eq!(out.packets.len(), 3);
        let icmp = out.packets[0].icmp.as_ref().unwrap();
        assert_eq!((icmp.kind, icmp.code), (8, 0));
        assert_eq!(out.packets[0].src_port, None);
        assert_eq!(out.packets[1].action, Action::Accept);
        assert_eq!(out.packets[1].dst_port, Some(80));
        assert_eq!(out.packets[2].action, Action::Reject);
        assert!(out.packets[2].ip.mf);
        assert_eq!(out.packets[2].ip.frag_offset, Some(5));
    }

    #[test]
    fn truncated_lines_are_unrecognized_not_panics() {
        let out = parse(
            "Mar 12 04:05:35 h kernel: Packet log: input - eth0 PROTO=17 snort.someplace.net:123\nMar 12 04:05:35 h kernel: Packet log: input\nMar 12 04:05:35 h kernel: Packet log: input - eth0 PROTO=x a:1 b:2",
        );
        assert_eq!(out.packets.len(), 0);
        assert_eq!(out.unrecognized.len(), 3);
    }

    #[test]
    fn out_of_range_numbers_are_left_empty_with_a_warning() {
        let out = parse(
            "Mar 12 04:05:35 h kernel: Packet log: input - eth0 PROTO=17 a:99999 b:70000 L=70000 S=0x10 I=70000 F=0x4000 T=999\nMar 12 04:05:36 h kernel: Packet log: input - eth0 PROTO=1 a:300 b:0 L=84 S=0x00 I=1 F=0x0000 T=64",
        );
        assert_eq!(out.packets.len(), 2);
        let udp = &out.packets[0];
        assert_eq!((udp.src_port, udp.dst_port), (None, None));
        assert_eq!(
            (udp.ip.total_len, udp.ip.id, udp.ip.ttl),
            (None, None, None)
        );
        assert_eq!(out.packets[1].icmp, None, "ICMP type 300 is not type 0");
        assert_eq!(out.warnings.len(), 2, "one warning a line");
    }

    #[test]
    fn a_cut_line_keeps_no_value_cut_short() {
        let out = parse(
            "Apr 21 17:04:13 u kernel: Packet log: input - eth0 PROTO=17 a:60000 b:21\nApr 21 17:04:13 u kernel: Packet log: input - eth0 PROTO=17 a:60000 b:2140 L=30 S=0x00 I=23",
        );
        assert_eq!(out.unrecognized.len(), 1, "a cut destination is no record");
        assert_eq!(out.packets.len(), 1);
        assert_eq!(out.packets[0].dst_port, Some(2140));
        assert_eq!(
            (out.packets[0].ip.total_len, out.packets[0].ip.id),
            (Some(30), None)
        );
        assert_eq!(out.warnings.len(), 1);
    }

    #[test]
    fn damaged_field_keeps_the_record_with_a_warning() {
        let out = parse(
            "Mar 12 04:05:35 h kernel: Packet log: input - eth0 PROTO=17 a:1 b:2 L=76 S=0x10 I=6x3 F=0x4000 T=245",
        );
        assert_eq!(out.packets.len(), 1);
        assert_eq!(out.packets[0].ip.id, None);
        assert_eq!(out.warnings.len(), 1);
    }
}
