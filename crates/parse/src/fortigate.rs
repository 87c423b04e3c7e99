//! FortiGate key=value logs (FortiOS 5 to 7).
//!
//! ```text
//! <189>date=2023-05-02 time=08:31:47 devname="firewall" devid="FG10011121905111" eventtime=1683012706143815633 tz="+0200" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=10.10.10.6 srcport=61031 srcintf="VLAN22" dstip=10.10.10.18 dstport=7680 dstintf="VLAN10" sessionid=214919072 proto=6 action="deny" policyid=0 service="tcp/7680" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 rcvdpkt=0
//! ```
//!
//! Values are bare or double-quoted; quoted values may hold spaces and
//! `\"`. Traffic logs (`type="traffic"`) become packets: `action` `deny`,
//! `block`, `dropped` drop, `reject` rejects, `accept`, `close`, `timeout`,
//! `server-rst`, `client-rst`, `ip-conn`, `dns`, `start` accept; the policy
//! (`policyid`, with its `policyname` when present) is the label; `srcintf`
//! and `dstintf` the interfaces. A session's closing log (`action=close`,
//! `timeout`, `server-rst`, `client-rst`) is a flow record with its
//! `duration`, `sentpkt`/`rcvdpkt` and `sentbyte`/`rcvdbyte`, dated at the
//! session's start. Other log types (UTM, events) are skipped.
//!
//! The time is `date` and `time` in the zone of `tz` (`-0500`, `+01:00`)
//! when the line gives one, else the run's zone; lines without a date use
//! `eventtime` (seconds, or milli-, micro- or nanoseconds since 1970).

use std::sync::LazyLock;

use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};
use memchr::memmem::Finder;
use picket_model::{
    Action, FlowInfo, FlowOutcome, Host, IcmpFields, Packet, Proto, Sensor, TcpFields,
};

use crate::bytes::{Interner, parse_ip, parse_u8, parse_u16, parse_u64};
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::snort::common::Damage;
use crate::time::{TimeContext, parse_clock};

static LOGID: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"logid="));
static TYPE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"type="));

/// Pairs read from one line before the rest is ignored.
const MAX_PAIRS: usize = 256;

/// `key=value` pairs, values bare or double-quoted (quotes may hold spaces
/// and backslash escapes). Yields the key and the value without quotes
/// (escapes left in place). Text that is not a pair is passed over.
#[derive(Clone, Debug)]
pub(crate) struct Pairs<'a> {
    rest: &'a [u8],
}

impl<'a> Pairs<'a> {
    /// The pairs of `text`.
    pub(crate) fn new(text: &'a [u8]) -> Pairs<'a> {
        Pairs { rest: text }
    }
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let start = self.rest.iter().position(|b| *b != b' ' && *b != b'\t')?;
            let rest = &self.rest[start..];
            let word_end = rest
                .iter()
                .position(|b| matches!(b, b' ' | b'\t' | b'='))
                .unwrap_or(rest.len());
            if rest.get(word_end) != Some(&b'=') {
                self.rest = &rest[word_end..];
                continue;
            }
            let key = &rest[..word_end];
            let after = &rest[word_end + 1..];
            if let Some(quoted) = after.strip_prefix(b"\"") {
                let end = closing_quote(quoted);
                self.rest = quoted.get(end + 1..).unwrap_or(b"");
                return Some((key, &quoted[..end]));
            }
            let end = after
                .iter()
                .position(|b| *b == b' ' || *b == b'\t')
                .unwrap_or(after.len());
            self.rest = &after[end..];
            return Some((key, &after[..end]));
        }
    }
}

/// Where the unescaped `"` closing a quoted value is (the end of the text
/// when it is missing).
fn closing_quote(text: &[u8]) -> usize {
    let mut escaped = false;
    for (i, b) in text.iter().enumerate() {
        match (escaped, *b) {
            (true, _) => escaped = false,
            (false, b'\\') => escaped = true,
            (false, b'"') => return i,
            _ => {}
        }
    }
    text.len()
}

/// Reads FortiGate key=value logs.
#[derive(Default, Debug)]
pub struct FortigateParser {
    names: Interner,
}

impl FormatParser for FortigateParser {
    fn format(&self) -> Format {
        Format::Fortigate
    }

    fn claims(&self, line: &[u8]) -> bool {
        LOGID
            .find(line)
            .is_some_and(|at| at == 0 || matches!(line[at - 1], b' ' | b'>' | b'\t'))
            && TYPE.find(line).is_some()
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

/// The fields of a traffic log picket reads.
#[derive(Default)]
struct Fields<'a> {
    kind: Option<&'a [u8]>,
    date: Option<&'a [u8]>,
    time: Option<&'a [u8]>,
    tz: Option<&'a [u8]>,
    eventtime: Option<&'a [u8]>,
    srcip: Option<&'a [u8]>,
    dstip: Option<&'a [u8]>,
    srcport: Option<&'a [u8]>,
    dstport: Option<&'a [u8]>,
    srcintf: Option<&'a [u8]>,
    dstintf: Option<&'a [u8]>,
    proto: Option<&'a [u8]>,
    action: Option<&'a [u8]>,
    policyid: Option<&'a [u8]>,
    policyname: Option<&'a [u8]>,
    duration: Option<&'a [u8]>,
    sentbyte: Option<&'a [u8]>,
    rcvdbyte: Option<&'a [u8]>,
    sentpkt: Option<&'a [u8]>,
    rcvdpkt: Option<&'a [u8]>,
    service: Option<&'a [u8]>,
}

impl FortigateParser {
    fn parse(
        &mut self,
        line: &[u8],
        ctx: &mut TimeContext,
        damage: &mut Damage,
    ) -> Result<Option<Packet>, &'static str> {
        let mut f = Fields::default();
        for (key, value) in Pairs::new(line).take(MAX_PAIRS) {
            // A syslog `<PRI>` glued to the first key.
            let key = match memchr::memchr(b'>', key) {
                Some(close) if key.first() == Some(&b'<') => &key[close + 1..],
                _ => key,
            };
            let slot = match key {
                b"type" => &mut f.kind,
                b"date" => &mut f.date,
                b"time" => &mut f.time,
                b"tz" => &mut f.tz,
                b"eventtime" => &mut f.eventtime,
                b"srcip" => &mut f.srcip,
                b"dstip" => &mut f.dstip,
                b"srcport" => &mut f.srcport,
                b"dstport" => &mut f.dstport,
                b"srcintf" => &mut f.srcintf,
                b"dstintf" => &mut f.dstintf,
                b"proto" => &mut f.proto,
                b"action" => &mut f.action,
                b"policyid" => &mut f.policyid,
                b"policyname" => &mut f.policyname,
                b"duration" => &mut f.duration,
                b"sentbyte" => &mut f.sentbyte,
                b"rcvdbyte" => &mut f.rcvdbyte,
                b"sentpkt" => &mut f.sentpkt,
                b"rcvdpkt" => &mut f.rcvdpkt,
                b"service" => &mut f.service,
                _ => continue,
            };
            // The first value wins (FortiAnalyzer relays repeat `tz`).
            slot.get_or_insert(value);
        }
        if f.kind != Some(b"traffic") {
            return Ok(None);
        }
        let src = f.srcip.and_then(parse_ip).ok_or("unreadable srcip")?;
        let dst = f.dstip.and_then(parse_ip).ok_or("unreadable dstip")?;
        let proto = f
            .proto
            .and_then(parse_u8)
            .map(Proto)
            .ok_or("unreadable proto")?;
        let proto = match proto {
            Proto::ICMP if src.is_ipv6() => Proto::ICMPV6,
            other => other,
        };
        let mut packet = Packet::new(Sensor::Fortigate, Host::Addr(src), Host::Addr(dst), proto);
        packet.ip.v6 = src.is_ipv6();
        let action_word = f.action.unwrap_or(b"");
        let (action, closing) = match action_word {
            b"deny" | b"block" | b"blocked" | b"dropped" | b"drop" => (Action::Drop, false),
            b"reject" => (Action::Reject, false),
            b"close" | b"timeout" | b"server-rst" | b"client-rst" => (Action::Accept, true),
            b"accept" | b"start" | b"ip-conn" | b"dns" | b"pass" | b"passthrough" => {
                (Action::Accept, false)
            }
            _ => {
                damage.field("action", action_word);
                (Action::Logged, false)
            }
        };
        packet.action = action;
        packet.in_iface = f.srcintf.map(|i| self.names.intern(i));
        packet.out_iface = f.dstintf.map(|i| self.names.intern(i));
        packet.label = f
            .policyname
            .filter(|n| !n.is_empty())
            .or(f.policyid)
            .map(|p| self.names.intern(p));
        let mut number = |text: Option<&[u8]>, what: &str| -> Option<u64> {
            let text = text?;
            let n = parse_u64(text);
            if n.is_none() {
                damage.field(what, text);
            }
            n
        };
        let src_port = number(f.srcport, "srcport").and_then(|p| u16::try_from(p).ok());
        let dst_port = number(f.dstport, "dstport").and_then(|p| u16::try_from(p).ok());
        let duration = number(f.duration, "duration");
        let flow = FlowInfo {
            outcome: None,
            packets_out: number(f.sentpkt, "sentpkt"),
            packets_back: number(f.rcvdpkt, "rcvdpkt"),
            bytes_out: number(f.sentbyte, "sentbyte"),
            bytes_back: number(f.rcvdbyte, "rcvdbyte"),
            duration_ms: duration.map(|s| s.saturating_mul(1000)),
        };
        match proto {
            Proto::ICMP | Proto::ICMPV6 => {
                // `service="icmp6/1/0"`, `app="icmp/8/0"`: type and code.
                let (kind, code) = f.service.and_then(icmp_service).unwrap_or((0, 0));
                packet.icmp = Some(IcmpFields {
                    kind,
                    code,
                    ..IcmpFields::default()
                });
            }
            _ => {
                packet.src_port = src_port;
                packet.dst_port = dst_port;
            }
        }
        if proto == Proto::TCP {
            packet.tcp = Some(TcpFields::default());
        }
        packet.time = self.time(&f, ctx);
        if packet.time.is_none() && (f.date.is_some() || f.eventtime.is_some()) {
            damage.note("unreadable date, time or eventtime; packet kept without a time");
        }
        if closing {
            let outcome = match (action_word, flow.packets_back) {
                (_, Some(0)) => FlowOutcome::Unanswered,
                (b"server-rst", Some(n)) if n <= 1 => FlowOutcome::Rejected,
                (_, Some(_)) => FlowOutcome::Established,
                (_, None) => FlowOutcome::Other,
            };
            // A closing log is the session's record: date it at the start.
            if let (Some(end), Some(ms)) = (packet.time, flow.duration_ms) {
                packet.time = i64::try_from(ms)
                    .ok()
                    .and_then(|ms| end.checked_sub(SignedDuration::from_millis(ms)).ok())
                    .or(Some(end));
            }
            packet.flow = Some(Box::new(FlowInfo {
                outcome: Some(outcome),
                ..flow
            }));
        } else if flow.packets_out.is_some_and(|n| n > 1) {
            packet.flow = Some(Box::new(flow));
        }
        Ok(Some(packet))
    }

    fn time(&self, f: &Fields<'_>, ctx: &TimeContext) -> Option<Timestamp> {
        if let (Some(date), Some(clock)) = (f.date, f.time) {
            let date = read_date(date)?;
            let (h, m, s, n) = parse_clock(clock)?;
            let dt = DateTime::from_parts(date, jiff::civil::Time::new(h, m, s, n).ok()?);
            return match f.tz.and_then(offset) {
                Some(offset) => offset.to_timestamp(dt).ok(),
                None => ctx.local(dt),
            };
        }
        let digits = f.eventtime?;
        let value = i64::try_from(parse_u64(digits)?).ok()?;
        match digits.len() {
            0..=10 => Timestamp::from_second(value).ok(),
            11..=13 => Timestamp::from_millisecond(value).ok(),
            14..=16 => Timestamp::from_microsecond(value).ok(),
            _ => Timestamp::from_nanosecond(i128::from(value)).ok(),
        }
    }
}

/// `YYYY-MM-DD`.
fn read_date(text: &[u8]) -> Option<Date> {
    if text.len() != 10 || text[4] != b'-' || text[7] != b'-' {
        return None;
    }
    let year = i16::try_from(parse_u16(&text[..4])?).ok()?;
    let month = i8::try_from(parse_u8(&text[5..7])?).ok()?;
    let day = i8::try_from(parse_u8(&text[8..10])?).ok()?;
    Date::new(year, month, day).ok()
}

/// `-0500`, `+01:00`, `UTC-5:00`.
fn offset(text: &[u8]) -> Option<Offset> {
    let text = text.strip_prefix(b"UTC").unwrap_or(text);
    let (sign, digits) = match text.first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = match memchr::memchr(b':', digits) {
        Some(colon) => (parse_u8(&digits[..colon])?, parse_u8(&digits[colon + 1..])?),
        None if digits.len() == 4 => (parse_u8(&digits[..2])?, parse_u8(&digits[2..])?),
        None => (parse_u8(digits)?, 0),
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (i32::from(hours) * 3600 + i32::from(minutes) * 60)).ok()
}

/// `icmp/8/0` or `icmp6/1/0`: type and code.
fn icmp_service(text: &[u8]) -> Option<(u8, u8)> {
    let mut parts = text.split(|b| *b == b'/');
    let name = parts.next()?;
    if !name.starts_with(b"icmp") {
        return None;
    }
    Some((parse_u8(parts.next()?)?, parse_u8(parts.next()?)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::{Collect, parse_text};
    use std::net::IpAddr;

    fn parse(text: &str) -> Collect {
        parse_text(
            text.as_bytes(),
            Some(Format::Fortigate),
            &mut TimeContext::fixed_year(2024),
        )
    }

    fn addr(text: &str) -> Host {
        Host::Addr(text.parse::<IpAddr>().unwrap())
    }

    #[test]
    fn pairs_with_quotes_spaces_and_escapes() {
        let pairs: Vec<_> =
            Pairs::new(br#"a=1 b="two words" c="say \"hi\"" junk d= e="unclosed"#).collect();
        assert_eq!(pairs[0], (&b"a"[..], &b"1"[..]));
        assert_eq!(pairs[1], (&b"b"[..], &b"two words"[..]));
        assert_eq!(pairs[2], (&b"c"[..], &br#"say \"hi\""#[..]));
        assert_eq!(pairs[3], (&b"d"[..], &b""[..]));
        assert_eq!(pairs[4], (&b"e"[..], &b"unclosed"[..]));
        assert_eq!(pairs.len(), 5);
    }

    #[test]
    fn denied_forward_traffic() {
        // elastic fortinet_fortigate test-fortinet.log, the 2023-05-02 line.
        let out = parse(
            "<189>date=2023-05-02 time=08:31:47 devname=\"firewall\" devid=\"FG10011121905111\" eventtime=1683012706143815633 tz=\"+0200\" logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" level=\"notice\" vd=\"root\" srcip=10.10.10.6 srcname=\"HOSTNAME-FOR-PC\" srcport=61031 srcintf=\"VLAN22\" srcintfrole=\"lan\" dstip=10.10.10.18 dstport=7680 dstintf=\"VLAN10\" dstintfrole=\"lan\" srccountry=\"Reserved\" dstcountry=\"Reserved\" sessionid=214919072 proto=6 action=\"deny\" policyid=0 policytype=\"policy\" service=\"tcp/7680\" trandisp=\"noop\" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 rcvdpkt=0 appcat=\"unscanned\" crscore=30 craction=131072 crlevel=\"high\" osname=\"Windows\" srcswversion=\"10\" unauthuser=\"USER-NAME\" unauthusersource=\"kerberos\" mastersrcmac=\"b4:b5:b6:e6:db:bb\" srcmac=\"b4:b5:b6:e6:db:bb\" srcserver=0",
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let p = &out.packets[0];
        assert_eq!(p.sensor, Sensor::Fortigate);
        assert_eq!(p.time.unwrap().to_string(), "2023-05-02T06:31:47Z");
        assert_eq!(p.action, Action::Drop);
        assert_eq!(p.src, addr("10.10.10.6"));
        assert_eq!(p.dst, addr("10.10.10.18"));
        assert_eq!((p.src_port, p.dst_port), (Some(61031), Some(7680)));
        assert_eq!(p.proto, Proto::TCP);
        assert_eq!(p.in_iface.as_deref(), Some("VLAN22"));
        assert_eq!(p.out_iface.as_deref(), Some("VLAN10"));
        assert_eq!(p.label.as_deref(), Some("0"));
        assert!(p.flow.is_none());
    }

    #[test]
    fn accepted_session_with_counts_and_policy_name() {
        // elastic fortinet_fortigate test-fortinet.log, the `accept` UDP line.
        let p = &parse(
            "<189>date=2020-04-23 time=12:11:51 devname=\"newfirewall\" devid=\"newrouterid\" logid=\"0000000020\" type=\"traffic\" subtype=\"forward\" level=\"notice\" vd=\"root\" eventtime=1587229911390385486 tz=\"-0500\" srcip=192.168.10.10 srcport=6000 srcintf=\"port1\" srcintfrole=\"lan\" dstip=67.43.156.13 dstport=6000 dstintf=\"wan1\" dstintfrole=\"wan\" sessionid=4352 proto=17 action=\"accept\" policyid=3426 policytype=\"policy\" poluuid=\"1765de8-5a13-765da73fdsfa1c\" policyname=\"newruleelastic\" service=\"portname\" dstcountry=\"Netherlands\" srccountry=\"Reserved\" trandisp=\"snat\" transip=67.43.156.14 transport=60964 appcat=\"unknown\" applist=\"policylist\" duration=5462 sentbyte=438650 rcvdbyte=65446 sentpkt=723417 rcvdpkt=1045601 vwlid=0 sentdelta=576 rcvddelta=728",
        )
        .packets[0];
        assert_eq!(p.action, Action::Accept);
        assert_eq!(p.label.as_deref(), Some("newruleelastic"));
        assert_eq!(p.time.unwrap().to_string(), "2020-04-23T17:11:51Z");
        let flow = p.flow.as_ref().unwrap();
        assert_eq!(flow.packets_out, Some(723_417));
        assert_eq!(flow.packets_back, Some(1_045_601));
        assert_eq!(flow.bytes_out, Some(438_650));
        assert_eq!(flow.bytes_back, Some(65_446));
        assert_eq!(flow.duration_ms, Some(5_462_000));
        assert_eq!(flow.outcome, None);
    }

    #[test]
    fn closed_session_is_a_flow_dated_at_its_start_and_icmp6() {
        // elastic fortinet_fortigate test-fortinet.log: the `close` line
        // (cut after its counters) and the ICMPv6 local-traffic line.
        let out = parse(concat!(
            "<189>date=2020-04-23 time=12:14:28 devname=\"firewall3\" devid=\"oldfwid\" logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" level=\"notice\" vd=\"root\" eventtime=1587230069291463928 tz=\"-0500\" srcip=192.168.50.50 srcport=56603 srcintf=\"port1\" srcintfrole=\"lan\" dstip=67.43.156.13 dstport=442 dstintf=\"wan1\" dstintfrole=\"wan\" sessionid=2345 proto=6 action=\"close\" policyid=2365 policytype=\"policy\" poluuid=\"654644c-b064-fdgdf3425-f003-1234ghdf682e05f\" policyname=\"someoldpolicyname\" user=\"elasticuser\" group=\"testgroup\" authserver=\"FSSO_something\" service=\"HTTPS\" dstcountry=\"Netherlands\" srccountry=\"Reserved\" trandisp=\"snat\" transip=67.43.156.14 transport=603 appid=43540 app=\"Skype.Portals\" appcat=\"Collaboration\" apprisk=\"elevated\" applist=\"someapplist\" appact=\"detected\" duration=126 sentbyte=923 rcvdbyte=77654 sentpkt=113 rcvdpkt=70\n",
            "<189>date=2020-04-23 time=12:11:48 devname=\"newfirewall\" devid=\"newrouterid\" logid=\"0001000014\" type=\"traffic\" subtype=\"local\" level=\"notice\" vd=\"root\" eventtime=1587229908751434997 tz=\"-0500\" srcip=2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6 identifier=0 srcintf=\"port1\" srcintfrole=\"lan\" dstip=2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6 dstintf=\"unknown0\" dstintfrole=\"undefined\" sessionid=6542345 proto=58 action=\"accept\" policyid=0 policytype=\"someotherpolicy\" service=\"icmp6/1/0\" trandisp=\"noop\" app=\"icmp6/25/0\" duration=42 sentbyte=3014 rcvdbyte=20 sentpkt=4 rcvdpkt=0 appcat=\"unscanned\"",
        ));
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let closed = &out.packets[0];
        let flow = closed.flow.as_ref().unwrap();
        assert_eq!(flow.outcome, Some(FlowOutcome::Established));
        assert_eq!(closed.time.unwrap().to_string(), "2020-04-23T17:12:22Z");
        let v6 = &out.packets[1];
        assert_eq!(v6.proto, Proto::ICMPV6);
        assert!(v6.ip.v6);
        let icmp = v6.icmp.as_ref().unwrap();
        assert_eq!((icmp.kind, icmp.code), (1, 0));
        assert_eq!(v6.flow.as_ref().unwrap().packets_back, Some(0));
    }

    #[test]
    fn eventtime_only_utm_skipped_and_damage() {
        // elastic fortinet_fortigate test-fortinet.log: a webfilter UTM line
        // and an event line; then written from the format: a traffic log
        // with only `eventtime`, and cut traffic lines.
        let out = parse(concat!(
            "<188>date=2020-04-23 time=12:17:48 devname=\"testswitch1\" devid=\"somerouterid\" logid=\"0316013056\" type=\"utm\" subtype=\"webfilter\" eventtype=\"ftgd_blk\" srcip=192.168.2.1 dstip=67.43.156.13 action=\"blocked\"\n",
            "<185>eventtime=1702257752722386015 tz=\"+0100\" logid=\"0100032002\" type=\"event\" subtype=\"system\" level=\"alert\" srcip=192.168.0.10 dstip=10.123.26.241 action=\"login\"\n",
            "eventtime=1702257752 logid=\"0000000013\" type=\"traffic\" srcip=10.0.0.1 dstip=10.0.0.2 srcport=1 dstport=2 proto=17 action=\"deny\" policyid=7\n",
            "date=2023-05-02 time=08:31:47 logid=\"0000000013\" type=\"traffic\" srcip=10.10.10.6 srcport=61031\n",
            "date=2023-05-02 time=08:31:47 logid=\"0000000013\" type=\"traffic\" srcip=10.10.10.6 dstip=10.0.0.2 proto=6 srcport=6x dstport=80 action=\"wibble\"",
        ));
        assert_eq!(out.skipped, vec![1, 2]);
        assert_eq!(out.packets.len(), 2);
        assert_eq!(
            out.packets[0].time.unwrap().to_string(),
            "2023-12-11T01:22:32Z"
        );
        assert_eq!(out.packets[0].label.as_deref(), Some("7"));
        assert_eq!(out.unrecognized.len(), 1);
        assert_eq!(out.packets[1].src_port, None);
        assert_eq!(out.packets[1].action, Action::Logged);
        assert_eq!(out.warnings.len(), 1);
        let parser = FortigateParser::default();
        assert!(!parser.claims(b"<190>date= desc=\"Object update request\" msg=\"x\""));
        assert!(!parser.claims(b"x catalogid=3 type=1"));
    }
}
