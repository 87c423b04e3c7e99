//! Sun SunScreen SPF-200 records as `ssadm logdump` prints them, in snoop's
//! one-line style.
//!
//! ```text
//! 148312 qfe0 (deny rule or no pass rule)2000/4/4 14:29:11.667852 10.0.0.1 -> server.cluster UDP D=137 S=137 LEN=58
//! 197126 qfe0 (deny rule or no pass rule)2000/4/23 23:40:43.692429 somewhere.uk -> www.xxx.yyy.110 TCP D=81 S=35084 Rst Seq=1633711440 Len=0 Win=8760
//! ```
//!
//! Record number, interface, the screen's reason in parentheses, the date
//! and time (full year, no zone), `src -> dst` as printed (names are kept
//! as names, masked addresses such as `www.xxx.yyy.65` included), then
//! snoop's protocol summary: `UDP D= S= LEN=` (the UDP length field), `TCP
//! D= S= <flag words> Seq= [Ack=] Len= Win=`, or `ICMP Echo request` and the
//! like. The date may be glued to the closing parenthesis.

use std::sync::LazyLock;

use jiff::civil::{Date, DateTime, Time};
use memchr::memmem::{self, Finder};
use picket_model::{Action, IcmpFields, Packet, Proto, Sensor, TcpFields, TcpFlags};

use crate::bytes::{Interner, next_token, parse_u16, parse_u32, trim};
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::snort::common::{Damage, UNKNOWN_PROTO, proto_from_name, trim_end};
use crate::time::{TimeContext, parse_clock};

static ARROW: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b" -> "));

/// Longest endpoint text taken as a host.
const MAX_ENDPOINT: usize = 255;

/// Reads SunScreen `ssadm logdump` lines.
#[derive(Default, Debug)]
pub struct SunscreenParser {
    names: Interner,
}

impl FormatParser for SunscreenParser {
    fn format(&self) -> Format {
        Format::Sunscreen
    }

    fn claims(&self, line: &[u8]) -> bool {
        looks_like_record(line)
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        let mut damage = Damage::default();
        let result = self.parse(line, line_no, time, &mut damage).map(Some);
        damage.emit(result, line_no, sink)
    }
}

/// True when `line` is shaped like a logdump record: a record number, an
/// interface, ` (`, and somewhere ` -> `. A few byte comparisons and one
/// search, so other parsers may ask too.
pub(crate) fn looks_like_record(line: &[u8]) -> bool {
    let digits = line.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || line.get(digits) != Some(&b' ') {
        return false;
    }
    let Some((iface, rest)) = next_token(&line[digits..]) else {
        return false;
    };
    !iface.starts_with(b"(") && rest.starts_with(b" (") && ARROW.find(rest).is_some()
}

impl SunscreenParser {
    fn parse(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        damage: &mut Damage,
    ) -> Result<Packet, &'static str> {
        let (_record_no, rest) = next_token(line).ok_or("empty line")?;
        let (iface, rest) = next_token(rest).ok_or("missing interface")?;
        let rest = trim(rest);
        let (reason, rest) = match rest.strip_prefix(b"(") {
            Some(inner) => {
                let close = memchr::memchr(b')', inner).ok_or("unclosed reason")?;
                (Some(&inner[..close]), &inner[close + 1..])
            }
            None => (None, rest),
        };
        let arrow = ARROW.find(rest).ok_or("no `src -> dst`")?;
        let before = trim_end(&rest[..arrow]);
        // The source is what follows the time, so that a name printed with a
        // space is kept whole; without a time, the last word.
        let src_start = clock_end(before)
            .filter(|end| !trim(&before[*end..]).is_empty())
            .map(|end| end + (before[end..].len() - trim(&before[end..]).len()))
            .or_else(|| {
                before
                    .iter()
                    .rposition(|b| *b == b' ' || *b == b'\t')
                    .map(|p| p + 1)
            })
            .unwrap_or(0);
        let src = &before[src_start..];
        let (dst, summary) = next_token(&rest[arrow + 4..]).ok_or("missing destination")?;
        if src.is_empty() || src.len() > MAX_ENDPOINT || dst.len() > MAX_ENDPOINT {
            return Err("unreadable endpoints");
        }
        let when = read_date_time(&before[..src_start], time);
        if when.is_none() {
            damage.note("unreadable date or time");
        }

        let (proto, summary_rest) = match next_token(summary) {
            Some((word, after)) => match proto_from_name(word) {
                Some(proto) => (proto, after),
                None => {
                    damage.field("protocol summary", word);
                    (UNKNOWN_PROTO, after)
                }
            },
            // snoop always prints a summary: a line that ends with the
            // destination was cut, perhaps inside the destination's name.
            None => return Err("line cut short after the destination"),
        };
        let src = self.names.host(src).ok_or("empty source")?;
        let dst = self.names.host(dst).ok_or("empty destination")?;
        let mut packet = Packet::new(Sensor::Sunscreen, src, dst, proto);
        packet.time = when;
        packet.action = reason.map_or(Action::Logged, action_of);
        packet.label = reason.map(|r| self.names.intern(trim(r)));
        packet.in_iface = Some(self.names.intern(iface));
        packet.ip.v6 = packet.src.addr().is_some_and(|a| a.is_ipv6());
        packet.origin.line = line_no;
        match proto {
            Proto::ICMP | Proto::ICMPV6 => {
                packet.icmp = read_icmp(summary_rest);
                if packet.icmp.is_none() {
                    damage.note("ICMP summary without a known message type");
                }
            }
            _ => read_summary(&mut packet, summary_rest, damage),
        }
        Ok(packet)
    }
}

/// The decision a SunScreen reason states.
fn action_of(reason: &[u8]) -> Action {
    let has = |needle: &[u8]| memmem::find(reason, needle).is_some();
    if has(b"deny") || has(b"no pass") || has(b"drop") {
        Action::Drop
    } else if has(b"reject") {
        Action::Reject
    } else if has(b"pass") || has(b"allow") {
        Action::Accept
    } else {
        Action::Logged
    }
}

/// Where the first word that reads as a clock (`23:40:41.799467`) ends.
fn clock_end(text: &[u8]) -> Option<usize> {
    let mut at = 0;
    for word in text.split(|b| *b == b' ' || *b == b'\t') {
        at += word.len();
        if parse_clock(word).is_some() {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// Finds `YYYY/M/D` and `h:mm:ss.ffffff` among the words before the source.
fn read_date_time(words: &[u8], time: &mut TimeContext) -> Option<jiff::Timestamp> {
    let mut date = None;
    let mut clock = None;
    for word in words.split(|b| *b == b' ' || *b == b'\t') {
        if memchr::memchr(b'/', word).is_some() {
            date = read_date(word);
        } else if memchr::memchr(b':', word).is_some() {
            clock = parse_clock(word);
        }
    }
    let date = date?;
    let (hour, minute, second, nanos) = clock?;
    let clock = Time::new(hour, minute, second, nanos).ok()?;
    time.local(DateTime::from_parts(date, clock))
}

fn read_date(word: &[u8]) -> Option<Date> {
    let mut parts = word.split(|b| *b == b'/');
    let year = i16::try_from(parse_u32(parts.next()?)?).ok()?;
    let month = i8::try_from(parse_u32(parts.next()?)?).ok()?;
    let day = i8::try_from(parse_u32(parts.next()?)?).ok()?;
    if parts.next().is_some() {
        return None;
    }
    Date::new(year, month, day).ok()
}

/// Reads snoop's `D=81 S=35084 Syn Ack=1 Seq=1633711439 Len=0 Win=8760`
/// (or UDP's `D= S= LEN=`) into `packet`.
fn read_summary(packet: &mut Packet, words: &[u8], damage: &mut Damage) {
    let is_tcp = packet.proto == Proto::TCP;
    let mut tcp = TcpFields {
        flags: Some(TcpFlags::default()),
        ..TcpFields::default()
    };
    let mut flags = TcpFlags::default();
    let mut words: Vec<&[u8]> = words
        .split(|b| *b == b' ' || *b == b'\t')
        .filter(|w| !w.is_empty())
        .collect();
    // snoop ends a TCP summary with `Win=` and a UDP one with `LEN=`: without
    // it the line was cut, and its last word may be a number cut short
    // (`D=8` of `D=81`), so it is left out.
    let last_key: &[u8] = match packet.proto {
        Proto::TCP => b"Win=",
        Proto::UDP => b"LEN=",
        _ => b"",
    };
    if !last_key.is_empty() && !words.iter().any(|w| w.starts_with(last_key)) {
        words.pop();
        damage.note("line cut short; its last field left out");
    }
    for word in words {
        let (key, value) = match memchr::memchr(b'=', word) {
            Some(eq) => (&word[..eq], Some(&word[eq + 1..])),
            None => (word, None),
        };
        let ok = match (key, value) {
            (b"D", Some(v)) => set(&mut packet.dst_port, parse_u16(v)),
            (b"S", Some(v)) => set(&mut packet.src_port, parse_u16(v)),
            (b"LEN" | b"Len", Some(v)) => set(&mut packet.transport_len, parse_u32(v)),
            (b"Seq", Some(v)) if is_tcp => set(&mut tcp.seq, parse_u32(v)),
            (b"Ack", Some(v)) if is_tcp => {
                flags.set(TcpFlags::ACK);
                set(&mut tcp.ack, parse_u32(v))
            }
            (b"Win", Some(v)) if is_tcp => set(&mut tcp.window, parse_u32(v)),
            (b"Urg", Some(_)) if is_tcp => {
                flags.set(TcpFlags::URG);
                true
            }
            (word, None) if is_tcp => match flag_word(word) {
                Some(bit) => {
                    flags.set(bit);
                    true
                }
                None => false,
            },
            _ => false,
        };
        if !ok {
            damage.field("summary field", word);
        }
    }
    if is_tcp {
        tcp.flags = Some(flags);
        packet.tcp = Some(tcp);
    }
}

/// The TCP flag a snoop flag word names.
fn flag_word(word: &[u8]) -> Option<u8> {
    const WORDS: [(&[u8], u8); 8] = [
        (b"Syn", TcpFlags::SYN),
        (b"Fin", TcpFlags::FIN),
        (b"Rst", TcpFlags::RST),
        (b"Push", TcpFlags::PSH),
        (b"Ack", TcpFlags::ACK),
        (b"Urg", TcpFlags::URG),
        (b"Ece", TcpFlags::ECE),
        (b"Cwr", TcpFlags::CWR),
    ];
    WORDS
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(word))
        .map(|(_, bit)| *bit)
}

/// Type and code from snoop's ICMP words (`Echo request (ID: 1 Sequence
/// number: 0)`, `Destination unreachable (UDP port 33434 unreachable)`).
fn read_icmp(summary: &[u8]) -> Option<IcmpFields> {
    let text = &summary[..summary.len().min(256)];
    let lower_has = |needle: &[u8]| {
        text.windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    const KINDS: [(&[u8], u8); 14] = [
        (b"echo request", 8),
        (b"echo reply", 0),
        (b"destination unreachable", 3),
        (b"source quench", 4),
        (b"redirect", 5),
        (b"router advertisement", 9),
        (b"router solicitation", 10),
        (b"time exceeded", 11),
        (b"parameter problem", 12),
        (b"timestamp request", 13),
        (b"timestamp reply", 14),
        (b"information request", 15),
        (b"information reply", 16),
        (b"address mask request", 17),
    ];
    let kind = if lower_has(b"address mask reply") {
        18
    } else {
        KINDS.iter().find(|(w, _)| lower_has(w)).map(|(_, k)| *k)?
    };
    let code = match kind {
        3 if lower_has(b"port") => 3,
        3 if lower_has(b"protocol") => 2,
        3 if lower_has(b"fragment") => 4,
        3 if lower_has(b"host") => 1,
        _ => 0,
    };
    let number_after = |label: &[u8]| {
        let at = memmem::find(text, label)?;
        let (word, _) = next_token(&text[at + label.len()..])?;
        parse_u16(word.strip_suffix(b")").unwrap_or(word))
    };
    Some(IcmpFields {
        kind,
        code,
        echo_id: number_after(b"ID:"),
        echo_seq: number_after(b"Sequence number:"),
        quoted: None,
    })
}

fn set<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
    let ok = value.is_some();
    *slot = value;
    ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::{Collect, parse_text};
    use picket_model::Host;

    fn parse(text: &str) -> Collect {
        parse_text(
            text.as_bytes(),
            Some(Format::Sunscreen),
            &mut TimeContext::fixed_year(2000),
        )
    }

    #[test]
    fn udp_deny() {
        // The 2000 paper, detect 03 (sunscreen.log), first line.
        let out = parse(
            "148312 qfe0 (deny rule or no pass rule)2000/4/4 14:29:11.667852 10.0.0.1 -> server.cluster UDP D=137 S=137 LEN=58",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        let p = &out.packets[0];
        assert_eq!(p.sensor, Sensor::Sunscreen);
        assert_eq!(p.action, Action::Drop);
        assert_eq!(p.label.as_deref(), Some("deny rule or no pass rule"));
        assert_eq!(p.in_iface.as_deref(), Some("qfe0"));
        assert_eq!(p.time.unwrap().to_string(), "2000-04-04T14:29:11.667852Z");
        assert_eq!(p.src.to_string(), "10.0.0.1");
        assert_eq!(p.dst, Host::parse("server.cluster").unwrap());
        assert_eq!(p.proto, Proto::UDP);
        assert_eq!((p.src_port, p.dst_port), (Some(137), Some(137)));
        assert_eq!(p.transport_len, Some(58));
        assert!(p.tcp.is_none());
    }

    #[test]
    fn tcp_syn_and_rst() {
        // The 2000 paper, detect 10 (sunscreen.log), lines 1 and 9.
        let out = parse(
            "197118 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.799467 somewhere.uk -> www.xxx.yyy.65 TCP D=81 S=35039 Syn Seq=1630776701 Len=0 Win=8760\n197126 qfe0 (deny rule or no pass rule)2000/4/23 23:40:43.692429 somewhere.uk -> www.xxx.yyy.110 TCP D=81 S=35084 Rst Seq=1633711440 Len=0 Win=8760",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        let syn = &out.packets[0];
        assert_eq!((syn.sensor, syn.action), (Sensor::Sunscreen, Action::Drop));
        assert_eq!(syn.label.as_deref(), Some("deny rule or no pass rule"));
        assert_eq!(syn.in_iface.as_deref(), Some("qfe0"));
        assert_eq!(syn.time.unwrap().to_string(), "2000-04-23T23:40:41.799467Z");
        assert_eq!(syn.src, Host::Name("somewhere.uk".into()));
        assert_eq!(syn.proto, Proto::TCP);
        assert_eq!(syn.dst, Host::Name("www.xxx.yyy.65".into()));
        assert_eq!((syn.src_port, syn.dst_port), (Some(35039), Some(81)));
        assert_eq!(syn.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
        assert_eq!(syn.tcp_seq(), Some(1_630_776_701));
        let tcp = syn.tcp.as_ref().unwrap();
        assert_eq!(
            (tcp.window, tcp.ack, tcp.options.as_ref()),
            (Some(8760), None, None)
        );
        assert_eq!(syn.transport_len, Some(0));
        let rst = &out.packets[1];
        assert_eq!(rst.dst, Host::Name("www.xxx.yyy.110".into()));
        assert_eq!((rst.src_port, rst.dst_port), (Some(35084), Some(81)));
        assert_eq!(rst.origin.line, 2);
        assert_eq!(rst.tcp_flags(), Some(TcpFlags(TcpFlags::RST)));
        assert_eq!(rst.tcp_seq(), Some(1_633_711_440));
        assert_eq!(rst.time.unwrap().to_string(), "2000-04-23T23:40:43.692429Z");
    }

    #[test]
    fn spaced_date_several_flags_pass_and_icmp() {
        let out = parse(
            "5 hme0 (pass rule) 2000/4/4 9:29:34.5 a -> b TCP D=80 S=1024 Syn Ack=5 Seq=7 Len=0 Win=8760\n6 hme0 (pass rule)2000/4/4 9:29:34.5 a -> b ICMP Echo request (ID: 3 Sequence number: 4)",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        let p = &out.packets[0];
        assert_eq!(p.action, Action::Accept);
        assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN | TcpFlags::ACK)));
        assert_eq!(p.tcp.as_ref().unwrap().ack, Some(5));
        let icmp = out.packets[1].icmp.as_ref().unwrap();
        assert_eq!((icmp.kind, icmp.code), (8, 0));
        assert_eq!((icmp.echo_id, icmp.echo_seq), (Some(3), Some(4)));
    }

    #[test]
    fn broken_lines_do_not_panic() {
        // Paper lines as text extraction broke them: fields moved or lost.
        let out = parse(
            "148312 qfe0 (deny rule or no pass rule) 10.0.0.1 -> server.cluster UDP D=137 S=137 LEN=58\n148312 qfe0 (deny rule or no pass rule)2000/4/4 14:29:11.667852 10.0.0.1 ->\n148312 qfe0 (deny rule or no pass rule\n1 q (x) -> y UDP D=1",
        );
        assert_eq!(out.packets.len(), 1);
        assert_eq!(out.warnings.len(), 1, "missing date warns");
        assert_eq!(out.unrecognized.len(), 3);
    }

    #[test]
    fn a_name_with_a_space_is_kept_whole() {
        let out = parse(
            "197118 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.799467 some where.uk -> www.xxx.yyy.65 TCP D=81 S=35039 Syn Seq=1630776701 Len=0 Win=8760",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        assert_eq!(out.packets[0].src, Host::Name("some where.uk".into()));
        assert!(out.packets[0].time.is_some());
    }

    #[test]
    fn a_cut_line_keeps_no_value_cut_short() {
        let head =
            "197118 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.799467 somewhere.uk -> ";
        let out = parse(&format!(
            "{head}www.xxx.yyy.6\n{head}www.xxx.yyy.65 TCP D=8\n{head}www.xxx.yyy.65 TCP D=81 S=350\n{head}www.xxx.yyy.65 UDP D=137 S=13"
        ));
        assert_eq!(out.unrecognized.len(), 1, "a cut destination is no record");
        assert_eq!(out.packets.len(), 3);
        assert_eq!(out.warnings.len(), 3);
        let ports: Vec<_> = out
            .packets
            .iter()
            .map(|p| (p.dst_port, p.src_port))
            .collect();
        assert_eq!(
            ports,
            vec![(None, None), (Some(81), None), (Some(137), None)]
        );
    }
}
