//! ipfilter's `ipmon` lines, as written to a file or to syslog.
//!
//! ```text
//! 28/06/2020 18:57:52.179848 rge0 @0:12 b 192.168.1.100,40702 -> 77.238.185.51,993 PR tcp len 20 60 -S OUT
//! Mar 13 13:48:22 gw ipmon[836]: 13:48:22.229395 lan900 @0:16 p 192.168.1.188,5454 -> 192.168.1.199,5454 PR tcp len 20 44 -S IN
//! ```
//!
//! After an optional `dd/mm/yyyy` date (ipmon writes the day first) come
//! the time with microseconds, an optional `Nx` (the packet repeated N
//! times), the interface, the rule as `@group:number`, the action (`p` pass,
//! `b` block, `L` log, `S` short, `n` no match), `src,port -> dst,port`,
//! `PR proto`, `len header-length total-length`, then TCP flags after a
//! `-`, `icmp type/code` (and, for an error, `for` the quoted packet), and
//! `IN` or `OUT`. Syslog lines carry no date: it comes from the envelope.
//! `ipmon -n` prints names for addresses and common ports, which are read.
//! State and NAT lines (`STATE:NEW`, `@1 NAT:MAP`) carry no packet.

use std::sync::LazyLock;

use jiff::civil::{Date, DateTime, Time};
use memchr::memmem::Finder;
use picket_model::{Action, FlowInfo, IcmpFields, Packet, Proto, Sensor, TcpFields, TcpFlags};

use crate::bytes::{Interner, next_token, parse_u8, parse_u16, parse_u32, parse_u64};
use crate::cisco_ios::stamp;
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::snort::common::{Damage, proto_from_name};
use crate::time::{TimeContext, parse_clock};

static TAG: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"ipmon"));
static ARROW: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b" -> "));
static PR: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b" PR "));
static NAT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b" NAT:"));

/// Reads ipfilter `ipmon` lines.
#[derive(Default, Debug)]
pub struct IpmonParser {
    names: Interner,
}

impl FormatParser for IpmonParser {
    fn format(&self) -> Format {
        Format::Ipmon
    }

    fn claims(&self, line: &[u8]) -> bool {
        tag_end(line).is_some() || bare(line)
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        let mut damage = Damage::default();
        match self.parse(line, time, &mut damage) {
            Ok(Some(mut packet)) => {
                packet.origin.line = line_no;
                damage.report(line_no, sink);
                sink.packet(packet);
            }
            Ok(None) => sink.skipped(line_no),
            Err(reason) => sink.unrecognized(line_no, reason),
        }
        Feed::Done
    }
}

/// Where the message starts after an `ipmon[pid]:` or `ipmon:` tag.
fn tag_end(line: &[u8]) -> Option<usize> {
    let at = TAG.find(line)?;
    if at > 0 && line[at - 1] != b' ' && line[at - 1] != b'/' {
        return None;
    }
    let rest = &line[at + 5..];
    let colon = match rest.first()? {
        b':' => 0,
        b'[' => {
            let close = memchr::memchr(b']', rest)?;
            (rest.get(close + 1) == Some(&b':')).then_some(close + 1)?
        }
        _ => return None,
    };
    Some(at + 5 + colon + 1)
}

/// A line of `ipmon -o` output: starts with a date or time, and has
/// ` -> ` and ` PR ` (a packet or state line) or ` NAT:` (a NAT line).
fn bare(line: &[u8]) -> bool {
    let shaped = line.len() > 10
        && line[0].is_ascii_digit()
        && line[1].is_ascii_digit()
        && matches!(line[2], b'/' | b':');
    shaped && ARROW.find(line).is_some() && (PR.find(line).is_some() || NAT.find(line).is_some())
}

impl IpmonParser {
    fn parse(
        &mut self,
        line: &[u8],
        time: &mut TimeContext,
        damage: &mut Damage,
    ) -> Result<Option<Packet>, &'static str> {
        let (envelope_time, body) = match tag_end(line) {
            Some(end) => {
                let stamp = stamp::last_time(&line[..end], time);
                if stamp.unreadable {
                    damage.note("unreadable syslog time");
                }
                (stamp.time, &line[end..])
            }
            None => (None, line),
        };
        let (mut word, mut rest) = next_token(body).ok_or("empty message")?;
        let date = if memchr::memchr(b'/', word).is_some() {
            let date = read_date(word);
            if date.is_none() {
                damage.field("date", word);
            }
            (word, rest) = next_token(rest).ok_or("missing time")?;
            date
        } else {
            None
        };
        let clock = parse_clock(word);
        if clock.is_none() {
            if word.starts_with(b"STATE:") {
                return Ok(None);
            }
            return Err("unreadable time");
        }
        let when = settle(date, clock, envelope_time, time);
        if clock.is_some() && when.is_none() && (date.is_some() || envelope_time.is_some()) {
            damage.note("unreadable date");
        }

        (word, rest) = next_token(rest).ok_or("missing interface")?;
        if word.starts_with(b"STATE:") {
            return Ok(None);
        }
        let mut repeated = None;
        if let Some(count) = word.strip_suffix(b"x").and_then(parse_u64) {
            repeated = Some(count);
            (word, rest) = next_token(rest).ok_or("missing interface")?;
        }
        let iface = word;
        let (rule, after_rule) = next_token(rest).ok_or("missing rule")?;
        if iface.starts_with(b"@") && rule.starts_with(b"NAT:") {
            return Ok(None);
        }
        if !rule.starts_with(b"@") {
            return Err("missing @group:rule");
        }
        let (verb, rest) = next_token(after_rule).ok_or("missing action")?;
        let action = match verb {
            b"p" => Action::Accept,
            b"b" | b"B" => Action::Drop,
            _ => Action::Logged,
        };
        let (src_text, rest) = next_token(rest).ok_or("missing source")?;
        let (arrow, rest) = next_token(rest).ok_or("missing arrow")?;
        if arrow != b"->" {
            return Err("missing `->`");
        }
        let (dst_text, rest) = next_token(rest).ok_or("missing destination")?;
        let (pr, rest) = next_token(rest).ok_or("missing PR")?;
        let (proto_word, mut rest) = next_token(rest).ok_or("missing protocol")?;
        if pr != b"PR" {
            return Err("missing `PR protocol`");
        }
        let proto = proto_from_name(proto_word).ok_or("unknown protocol")?;
        let (src, src_port) = self.endpoint(src_text, damage)?;
        let (dst, dst_port) = self.endpoint(dst_text, damage)?;
        let v6 = matches!(src, picket_model::Host::Addr(std::net::IpAddr::V6(_)));
        let proto = if proto == Proto::ICMP && v6 {
            Proto::ICMPV6
        } else {
            proto
        };
        let mut packet = Packet::new(Sensor::Ipfilter, src, dst, proto);
        packet.time = when;
        packet.action = action;
        packet.ip.v6 = v6;
        packet.label = Some(self.names.intern(rule));
        if let Some(count) = repeated.filter(|c| *c > 1) {
            packet.flow = Some(Box::new(FlowInfo {
                packets_out: Some(count),
                ..FlowInfo::default()
            }));
        }
        if !matches!(proto, Proto::ICMP | Proto::ICMPV6) {
            packet.src_port = src_port;
            packet.dst_port = dst_port;
        }
        if proto == Proto::TCP {
            packet.tcp = Some(TcpFields::default());
        }

        let mut inbound = None;
        while let Some((word, after)) = next_token(rest) {
            rest = after;
            match word {
                b"len" => {
                    let (_header, after) = next_token(rest).unwrap_or((b"", b""));
                    let (total, after) = next_token(after).unwrap_or((b"", b""));
                    packet.ip.total_len = parse_u32(total);
                    if packet.ip.total_len.is_none() {
                        damage.field("length", total);
                    }
                    rest = after;
                }
                b"IN" => inbound = Some(true),
                b"OUT" => inbound = Some(false),
                b"icmp" | b"icmpv6" => {
                    let (pair, after) = next_token(rest).unwrap_or((b"", b""));
                    rest = after;
                    match split_pair(pair) {
                        Some((kind, code)) => {
                            packet.icmp = Some(IcmpFields {
                                kind,
                                code,
                                ..IcmpFields::default()
                            })
                        }
                        None => damage.field("ICMP type/code", pair),
                    }
                }
                b"for" => {
                    // The packet an ICMP error quotes: `for A,p - B,p PR udp ...`.
                    rest = self.quoted(rest, &mut packet, damage);
                }
                _ => {
                    if let Some(letters) = word.strip_prefix(b"-")
                        && let Some(tcp) = packet.tcp.as_mut()
                        && tcp.flags.is_none()
                    {
                        tcp.flags = Some(flags(letters, damage));
                    }
                }
            }
        }
        let name = self.names.intern(iface);
        match inbound {
            Some(false) => packet.out_iface = Some(name),
            _ => packet.in_iface = Some(name),
        }
        if packet.ip.total_len.is_none() {
            damage.note("no `len` field");
        }
        Ok(Some(packet))
    }

    /// `host,port` or `host` (an address or, with `ipmon -n`, a name).
    fn endpoint(
        &mut self,
        text: &[u8],
        damage: &mut Damage,
    ) -> Result<(picket_model::Host, Option<u16>), &'static str> {
        let (host, port) = match memchr::memrchr(b',', text) {
            Some(comma) => (&text[..comma], Some(&text[comma + 1..])),
            None => (text, None),
        };
        let host = self.names.host(host).ok_or("empty endpoint")?;
        let port = port.and_then(|p| {
            let number = parse_u16(p).or_else(|| service_port(p));
            if number.is_none() {
                damage.field("port", p);
            }
            number
        });
        Ok((host, port))
    }

    /// Reads a quoted packet after `for`, returning the text after it.
    fn quoted<'a>(&mut self, text: &'a [u8], packet: &mut Packet, damage: &mut Damage) -> &'a [u8] {
        let mut rest = text;
        let mut take = || {
            let (word, after) = next_token(rest)?;
            rest = after;
            Some(word)
        };
        let src = take();
        let dash = take();
        let dst = take();
        let pr = take();
        let proto = take();
        let (Some(src), Some(b"-"), Some(dst), Some(b"PR"), Some(proto)) =
            (src, dash, dst, pr, proto)
        else {
            damage.note("unreadable quoted packet of an ICMP error");
            return rest;
        };
        let Some(proto) = proto_from_name(proto) else {
            damage.field("quoted protocol", proto);
            return rest;
        };
        let (Ok((qsrc, qsport)), Ok((qdst, qdport))) =
            (self.endpoint(src, damage), self.endpoint(dst, damage))
        else {
            damage.note("unreadable quoted packet of an ICMP error");
            return rest;
        };
        let mut quoted = Packet::new(Sensor::Ipfilter, qsrc, qdst, proto);
        quoted.src_port = qsport;
        quoted.dst_port = qdport;
        if let Some(icmp) = packet.icmp.as_mut() {
            icmp.quoted = Some(Box::new(quoted));
        }
        // Skip the quoted packet's own `len h t` so it is not taken for ours.
        if let Some((b"len", after)) = next_token(rest) {
            rest = next_token(after).map_or(b"", |(_, a)| a);
            rest = next_token(rest).map_or(b"", |(_, a)| a);
        }
        rest
    }
}

/// `dd/mm/yyyy`.
fn read_date(text: &[u8]) -> Option<Date> {
    let mut parts = text.split(|b| *b == b'/');
    let day = parse_u8(parts.next()?)?;
    let month = parse_u8(parts.next()?)?;
    let year = parse_u16(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()
}

/// The packet's time: ipmon's own date and clock, or the envelope's date
/// with ipmon's (finer) clock, or nothing when neither gives a date.
fn settle(
    date: Option<Date>,
    clock: Option<(i8, i8, i8, i32)>,
    envelope: Option<jiff::Timestamp>,
    time: &TimeContext,
) -> Option<jiff::Timestamp> {
    let (hour, minute, second, nanos) = clock?;
    let clock = Time::new(hour, minute, second, nanos).ok()?;
    if let Some(date) = date {
        return time.local(DateTime::from_parts(date, clock));
    }
    let envelope = envelope?;
    let day = time.zone().to_datetime(envelope).date();
    let candidate = time.local(DateTime::from_parts(day, clock))?;
    // A clock just before midnight in a line relayed just after it.
    if candidate.as_second() - envelope.as_second() > 12 * 3600 {
        let previous = day.yesterday().ok()?;
        return time.local(DateTime::from_parts(previous, clock));
    }
    Some(candidate)
}

/// ipmon's TCP flag letters.
fn flags(letters: &[u8], damage: &mut Damage) -> TcpFlags {
    let mut flags = TcpFlags::default();
    for letter in letters {
        match letter {
            b'F' => flags.set(TcpFlags::FIN),
            b'S' => flags.set(TcpFlags::SYN),
            b'R' => flags.set(TcpFlags::RST),
            b'P' => flags.set(TcpFlags::PSH),
            b'A' => flags.set(TcpFlags::ACK),
            b'U' => flags.set(TcpFlags::URG),
            b'E' => flags.set(TcpFlags::ECE),
            b'C' | b'W' => flags.set(TcpFlags::CWR),
            _ => {
                damage.field("TCP flags", letters);
                break;
            }
        }
    }
    flags
}

/// `3/3` as type and code.
fn split_pair(text: &[u8]) -> Option<(u8, u8)> {
    let slash = memchr::memchr(b'/', text)?;
    Some((parse_u8(&text[..slash])?, parse_u8(&text[slash + 1..])?))
}

/// Ports `ipmon -n` prints by name.
fn service_port(name: &[u8]) -> Option<u16> {
    const SERVICES: [(&[u8], u16); 24] = [
        (b"ftp-data", 20),
        (b"ftp", 21),
        (b"ssh", 22),
        (b"telnet", 23),
        (b"smtp", 25),
        (b"domain", 53),
        (b"bootps", 67),
        (b"bootpc", 68),
        (b"tftp", 69),
        (b"http", 80),
        (b"pop3", 110),
        (b"sunrpc", 111),
        (b"auth", 113),
        (b"ntp", 123),
        (b"netbios-ns", 137),
        (b"netbios-dgm", 138),
        (b"netbios-ssn", 139),
        (b"imap", 143),
        (b"snmp", 161),
        (b"ldap", 389),
        (b"https", 443),
        (b"microsoft-ds", 445),
        (b"syslog", 514),
        (b"ms-sql-s", 1433),
    ];
    SERVICES.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
}

#[cfg(test)]
mod tests;
