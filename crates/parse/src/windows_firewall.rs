//! Windows Firewall's `pfirewall.log`, in the W3C extended format.
//!
//! ```text
//! #Version: 1.5
//! #Software: Microsoft Windows Firewall
//! #Time Format: Local
//! #Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path
//! 2005-04-11 08:06:26 DROP TCP 123.45.78.90 123.156.78.90 80 1774 576 A 123456789 987654321 12345 - - - RECEIVE
//! ```
//!
//! The `#Fields` header decides the columns; until one is seen the
//! standard list above is assumed. `-` is an empty field. `#Time Format`
//! says whether times are local (read in the run's zone) or UTC. Header
//! lines are skipped. Actions: `DROP` dropped; `ALLOW`, `OPEN` and
//! `OPEN-INBOUND` accepted (`OPEN` is a connection the firewall let open);
//! `CLOSE` (a connection's end) carries no packet; `INFO-EVENTS-LOST` says
//! how many events the logger lost, reported as a warning. The `path`
//! (`RECEIVE`, `SEND`, `FORWARD`) names no interface, so none is set.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use picket_model::{Action, Host, IcmpFields, Packet, Proto, Sensor, TcpFields, TcpFlags};

use crate::bytes::{parse_ip, parse_u8, parse_u16, parse_u32, parse_u64, trim};
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::snort::common::{Damage, proto_from_name, shown};
use crate::time::{TimeContext, parse_clock};

/// The columns picket reads; the rest are kept as `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Date,
    Time,
    Action,
    Protocol,
    SrcIp,
    DstIp,
    SrcPort,
    DstPort,
    Size,
    TcpFlags,
    TcpSyn,
    TcpAck,
    TcpWin,
    IcmpType,
    IcmpCode,
    Info,
    Other,
}

impl Column {
    fn of(name: &[u8]) -> Column {
        match name {
            b"date" => Column::Date,
            b"time" => Column::Time,
            b"action" => Column::Action,
            b"protocol" => Column::Protocol,
            b"src-ip" => Column::SrcIp,
            b"dst-ip" => Column::DstIp,
            b"src-port" => Column::SrcPort,
            b"dst-port" => Column::DstPort,
            b"size" => Column::Size,
            b"tcpflags" => Column::TcpFlags,
            b"tcpsyn" => Column::TcpSyn,
            b"tcpack" => Column::TcpAck,
            b"tcpwin" => Column::TcpWin,
            b"icmptype" => Column::IcmpType,
            b"icmpcode" => Column::IcmpCode,
            b"info" => Column::Info,
            _ => Column::Other,
        }
    }
}

/// The columns Windows writes when the header is missing.
const STANDARD: [Column; 17] = [
    Column::Date,
    Column::Time,
    Column::Action,
    Column::Protocol,
    Column::SrcIp,
    Column::DstIp,
    Column::SrcPort,
    Column::DstPort,
    Column::Size,
    Column::TcpFlags,
    Column::TcpSyn,
    Column::TcpAck,
    Column::TcpWin,
    Column::IcmpType,
    Column::IcmpCode,
    Column::Info,
    Column::Other,
];

/// Most columns a `#Fields` header may declare.
const MAX_COLUMNS: usize = 64;

/// The action words of data lines.
const ACTIONS: [&[u8]; 6] = [
    b"DROP",
    b"ALLOW",
    b"OPEN",
    b"CLOSE",
    b"OPEN-INBOUND",
    b"INFO-EVENTS-LOST",
];

/// Reads Windows Firewall `pfirewall.log` files.
#[derive(Debug, Default)]
pub struct WindowsFirewallParser {
    /// The columns of the last `#Fields` header; empty for the standard ones.
    columns: Vec<Column>,
    /// A `#Fields` header of this format was seen.
    seen_fields: bool,
    /// `#Time Format: UTC`.
    utc: bool,
}

impl FormatParser for WindowsFirewallParser {
    fn format(&self) -> Format {
        Format::WindowsFirewall
    }

    fn claims(&self, line: &[u8]) -> bool {
        if line.first() == Some(&b'#') {
            return header_kind(line).is_some();
        }
        if !starts_with_date_time(line) {
            return false;
        }
        if self.seen_fields {
            return true;
        }
        let word = &line[20..];
        let end = word.iter().position(|b| *b == b' ').unwrap_or(word.len());
        ACTIONS.contains(&&word[..end])
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        if line.first() == Some(&b'#') {
            self.header(line);
            sink.skipped(line_no);
            return Feed::Done;
        }
        let mut damage = Damage::default();
        match self.parse(line, time, &mut damage) {
            Ok(Row::Packet(mut packet)) => {
                packet.origin.line = line_no;
                damage.report(line_no, sink);
                sink.packet(*packet);
            }
            Ok(Row::Lost(count)) => {
                sink.warning(
                    line_no,
                    format!("the firewall's logger lost {count} event(s) here"),
                );
                sink.skipped(line_no);
            }
            Ok(Row::Nothing) => sink.skipped(line_no),
            Err(reason) => sink.unrecognized(line_no, reason),
        }
        Feed::Done
    }
}

/// Which header a `#` line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Header {
    Version,
    Software,
    TimeFormat,
    Fields,
}

fn header_kind(line: &[u8]) -> Option<Header> {
    if line.starts_with(b"#Version:") {
        Some(Header::Version)
    } else if line.starts_with(b"#Software: Microsoft Windows Firewall") {
        Some(Header::Software)
    } else if line.starts_with(b"#Time Format:") {
        Some(Header::TimeFormat)
    } else if line.starts_with(b"#Fields:")
        && line.split(|b| *b == b' ').any(|w| w == b"action")
        && line.split(|b| *b == b' ').any(|w| w == b"src-ip")
    {
        Some(Header::Fields)
    } else {
        None
    }
}

/// `YYYY-MM-DD hh:mm:ss ` at the start of a line.
fn starts_with_date_time(line: &[u8]) -> bool {
    let digits = |from: usize, to: usize| {
        line.get(from..to)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    digits(0, 4)
        && line.get(4) == Some(&b'-')
        && digits(5, 7)
        && line.get(7) == Some(&b'-')
        && digits(8, 10)
        && line.get(10) == Some(&b' ')
        && digits(11, 13)
        && line.get(13) == Some(&b':')
        && line.get(19) == Some(&b' ')
}

/// What a data line holds.
enum Row {
    Packet(Box<Packet>),
    Lost(u64),
    Nothing,
}

impl WindowsFirewallParser {
    fn header(&mut self, line: &[u8]) {
        match header_kind(line) {
            Some(Header::TimeFormat) => {
                let value = trim(&line[13..]);
                self.utc = value.eq_ignore_ascii_case(b"UTC");
            }
            Some(Header::Fields) => {
                self.columns = line[8..]
                    .split(|b| *b == b' ' || *b == b'\t')
                    .filter(|w| !w.is_empty())
                    .take(MAX_COLUMNS)
                    .map(Column::of)
                    .collect();
                self.seen_fields = true;
            }
            _ => {}
        }
    }

    fn parse(
        &mut self,
        line: &[u8],
        time: &mut TimeContext,
        damage: &mut Damage,
    ) -> Result<Row, &'static str> {
        let columns: &[Column] = if self.columns.is_empty() {
            &STANDARD
        } else {
            &self.columns
        };
        let mut value = [None::<&[u8]>; 17];
        let mut count = 0;
        for (i, field) in line
            .split(|b| *b == b' ')
            .filter(|w| !w.is_empty())
            .enumerate()
        {
            count = i + 1;
            let Some(column) = columns.get(i) else {
                continue;
            };
            if *column != Column::Other && field != b"-" {
                value[*column as usize] = Some(field);
            }
        }
        let get = |c: Column| value[c as usize];
        let action_word = get(Column::Action).ok_or("missing action")?;
        let action = match action_word {
            b"DROP" => Action::Drop,
            b"ALLOW" | b"OPEN" | b"OPEN-INBOUND" => Action::Accept,
            b"CLOSE" => return Ok(Row::Nothing),
            b"INFO-EVENTS-LOST" => {
                let lost = get(Column::Info).and_then(parse_u64).unwrap_or(0);
                return Ok(Row::Lost(lost));
            }
            _ => {
                damage.field("action", action_word);
                Action::Logged
            }
        };
        if count < columns.len() {
            damage.note(format!("{count} of {} fields", columns.len()));
        }
        let src = get(Column::SrcIp)
            .and_then(parse_ip)
            .ok_or("unreadable source address")?;
        let dst = get(Column::DstIp)
            .and_then(parse_ip)
            .ok_or("unreadable destination address")?;
        let proto_text = get(Column::Protocol).ok_or("missing protocol")?;
        let proto = proto_from_name(proto_text).ok_or("unknown protocol")?;
        let mut packet = Packet::new(
            Sensor::WindowsFirewall,
            Host::Addr(src),
            Host::Addr(dst),
            proto,
        );
        packet.action = action;
        packet.ip.v6 = src.is_ipv6();
        packet.time = self.time(get(Column::Date), get(Column::Time), time);
        if packet.time.is_none() {
            damage.note("unreadable date or time; packet kept without a time");
        }
        let mut number = |c: Column, what: &str| -> Option<u32> {
            let text = get(c)?;
            let n = parse_u32(text);
            if n.is_none() {
                damage.field(what, text);
            }
            n
        };
        packet.ip.total_len = number(Column::Size, "size");
        let src_port = number(Column::SrcPort, "source port");
        let dst_port = number(Column::DstPort, "destination port");
        let seq = number(Column::TcpSyn, "tcpsyn");
        let ack = number(Column::TcpAck, "tcpack");
        let window = number(Column::TcpWin, "tcpwin");
        let icmp_type = number(Column::IcmpType, "icmptype");
        let icmp_code = number(Column::IcmpCode, "icmpcode");
        match proto {
            Proto::ICMP | Proto::ICMPV6 => {
                packet.icmp = Some(IcmpFields {
                    kind: icmp_type.and_then(|t| u8::try_from(t).ok()).unwrap_or(0),
                    code: icmp_code.and_then(|c| u8::try_from(c).ok()).unwrap_or(0),
                    ..IcmpFields::default()
                });
            }
            _ => {
                packet.src_port = src_port.and_then(|p| u16::try_from(p).ok());
                packet.dst_port = dst_port.and_then(|p| u16::try_from(p).ok());
            }
        }
        if proto == Proto::TCP {
            let flags = get(Column::TcpFlags).map(|letters| {
                let mut flags = TcpFlags::default();
                for letter in letters {
                    match letter {
                        b'F' => flags.set(TcpFlags::FIN),
                        b'S' => flags.set(TcpFlags::SYN),
                        b'R' => flags.set(TcpFlags::RST),
                        b'P' => flags.set(TcpFlags::PSH),
                        b'A' => flags.set(TcpFlags::ACK),
                        b'U' => flags.set(TcpFlags::URG),
                        _ => damage.note(format!("unreadable TCP flag in `{}`", shown(letters))),
                    }
                }
                flags
            });
            packet.tcp = Some(TcpFields {
                flags,
                seq,
                ack,
                window,
                options: None,
            });
        }
        Ok(Row::Packet(Box::new(packet)))
    }

    /// `YYYY-MM-DD` and `hh:mm:ss`, local or UTC as the header said.
    fn time(
        &self,
        date: Option<&[u8]>,
        clock: Option<&[u8]>,
        ctx: &TimeContext,
    ) -> Option<jiff::Timestamp> {
        let date = date?;
        if date.len() != 10 {
            return None;
        }
        let year = i16::try_from(parse_u16(&date[..4])?).ok()?;
        let month = i8::try_from(parse_u8(&date[5..7])?).ok()?;
        let day = i8::try_from(parse_u8(&date[8..10])?).ok()?;
        let (hour, minute, second, nanos) = parse_clock(clock?)?;
        let dt = DateTime::from_parts(
            Date::new(year, month, day).ok()?,
            jiff::civil::Time::new(hour, minute, second, nanos).ok()?,
        );
        if self.utc {
            TimeZone::UTC.to_ambiguous_timestamp(dt).compatible().ok()
        } else {
            ctx.local(dt)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::{Collect, parse_text};
    use std::net::IpAddr;

    const HEADER: &str = "#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n";

    fn parse(text: &str) -> Collect {
        parse_text(
            text.as_bytes(),
            Some(Format::WindowsFirewall),
            &mut TimeContext::fixed_year(2024),
        )
    }

    fn addr(text: &str) -> Host {
        Host::Addr(text.parse::<IpAddr>().unwrap())
    }

    #[test]
    fn header_then_tcp_drop_with_sequence_numbers() {
        // plaso test_data/firewall.log: header and the `DROP TCP ... A` line.
        let out = parse(&format!(
            "{HEADER}2005-04-11 08:06:26 DROP TCP 123.45.78.90 123.156.78.90 80 1774 576 A 123456789 987654321 12345 - - - RECEIVE\n"
        ));
        assert_eq!(out.skipped, vec![1, 2, 3, 4]);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let p = &out.packets[0];
        assert_eq!(p.sensor, Sensor::WindowsFirewall);
        assert_eq!(p.time.unwrap().to_string(), "2005-04-11T08:06:26Z");
        assert_eq!(p.action, Action::Drop);
        assert_eq!(p.proto, Proto::TCP);
        assert_eq!(p.src, addr("123.45.78.90"));
        assert_eq!(p.dst, addr("123.156.78.90"));
        assert_eq!((p.src_port, p.dst_port), (Some(80), Some(1774)));
        assert_eq!(p.ip.total_len, Some(576));
        let tcp = p.tcp.as_ref().unwrap();
        assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::ACK)));
        assert_eq!(tcp.seq, Some(123_456_789));
        assert_eq!(tcp.ack, Some(987_654_321));
        assert_eq!(tcp.window, Some(12345));
        assert_eq!(p.origin.line, 5);
    }

    #[test]
    fn icmp_open_close_and_lost_events() {
        // plaso test_data/firewall.log: ICMP, OPEN, CLOSE, INFO-EVENTS-LOST.
        let out = parse(&format!(
            "{HEADER}2005-04-11 08:08:58 DROP ICMP 123.45.78.90 123.156.78.90 7 7 78 - - - - 8 0 - RECEIVE\n2005-04-11 08:09:29 OPEN TCP 123.45.78.90 123.156.78.90 1606 445 - - - - - - - - -\n2005-04-11 08:09:30 CLOSE TCP 123.45.78.90 123.156.78.90 1607 139 - - - - - - - - -\n2005-04-11 08:52:26 INFO-EVENTS-LOST - - - - - - - - - - - - 59 -\n"
        ));
        assert_eq!(out.packets.len(), 2);
        let icmp = out.packets[0].icmp.as_ref().unwrap();
        assert_eq!((icmp.kind, icmp.code), (8, 0));
        assert_eq!(out.packets[0].src_port, None);
        assert_eq!(out.packets[1].action, Action::Accept);
        assert_eq!(out.packets[1].dst_port, Some(445));
        assert_eq!(out.packets[1].tcp_flags(), None);
        assert_eq!(out.skipped, vec![1, 2, 3, 4, 7, 8]);
        assert_eq!(out.warnings.len(), 1);
        assert!(out.warnings[0].1.contains("59"));
    }

    #[test]
    fn fields_header_decides_the_columns_and_utc() {
        // Written from the W3C extended format: a reordered header.
        let out = parse(
            "#Software: Microsoft Windows Firewall\n#Time Format: UTC\n#Fields: date time action src-ip dst-ip protocol dst-port src-port pid\n2024-01-02 10:20:30 ALLOW 10.1.1.1 10.2.2.2 UDP 53 5353 4242\n",
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let p = &out.packets[0];
        assert_eq!(p.proto, Proto::UDP);
        assert_eq!((p.src_port, p.dst_port), (Some(5353), Some(53)));
        assert_eq!(p.time.unwrap().to_string(), "2024-01-02T10:20:30Z");
        assert_eq!(p.ip.total_len, None);
    }

    #[test]
    fn lines_without_header_cut_lines_and_damage() {
        // The first line is written from the documented format; the others are cut
        // copies of plaso test_data/firewall.log lines.
        let out = parse(concat!(
            "2024-01-02 10:20:30 DROP TCP 10.1.1.1 10.2.2.2 1234 3389 52 S 123456 0 8192 - - - RECEIVE\n",
            "2019-11-06 12:35:19 DROP UDP fe80::3680:dff:fe01:9e88 ff02::fb 5353 5353 89 - - - - - -\n",
            "2005-04-11 08:06:26 DROP TCP 123.45.78.90\n",
            "2005-13-11 08:06:26 DROP UDP 123.45.78.90 123.156.78.255 137 137 78 - - - - - - - RECEIVE",
        ));
        assert_eq!(out.packets.len(), 3);
        assert_eq!(out.packets[0].tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
        assert_eq!(out.packets[0].dst_port, Some(3389));
        assert!(out.packets[1].ip.v6);
        assert_eq!(out.packets[2].time, None);
        assert_eq!(out.unrecognized.len(), 1);
        assert_eq!(out.warnings.len(), 2);
        let parser = WindowsFirewallParser::default();
        assert!(!parser.claims(b"2024-01-02 10:20:30 GET /index.html 200"));
        assert!(!parser.claims(b"#Software: Microsoft Internet Information Services 10.0"));
        assert!(!parser.claims(b"#fields\tts\tuid"));
    }
}
