//! Pieces shared by Snort's output forms (and by the SunScreen reader):
//! Snort timestamps, the `[gid:sid:rev]` tag, the classification, priority
//! and interface groups, protocol names, `host:port` endpoints, and the
//! one-warning-per-record damage note.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use memchr::{memchr, memrchr};
use picket_model::{Host, Packet, Proto, Signature};

use crate::bytes::{Interner, next_token, parse_ip, parse_u8, parse_u16, parse_u32, trim};
use crate::format::{Feed, Sink};
use crate::time::{TimeContext, parse_clock};

/// The protocol given to a record that does not say which one it carried
/// (Snort 1.x syslog and fast lines, full records cut before their IP line).
/// IANA reserves 255, so it never names a real protocol.
pub(crate) const UNKNOWN_PROTO: Proto = Proto::UNKNOWN;

/// Longest endpoint text taken as a host (a DNS name is at most 253 bytes).
const MAX_ENDPOINT: usize = 255;

/// True when `text` starts like a Snort timestamp: `MM/DD-hh:` or, when
/// Snort ran with `-y`, `MM/DD/YY-hh:`. A few byte comparisons.
pub(crate) fn looks_like_time(text: &[u8]) -> bool {
    let digits = |from: usize, to: usize| {
        text.get(from..to)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    if !(digits(0, 2) && text.get(2) == Some(&b'/') && digits(3, 5)) {
        return false;
    }
    match text.get(5) {
        Some(b'-') => digits(6, 8) && text.get(8) == Some(&b':'),
        Some(b'/') => {
            digits(6, 8)
                && text.get(8) == Some(&b'-')
                && digits(9, 11)
                && text.get(11) == Some(&b':')
        }
        _ => false,
    }
}

/// Reads the Snort timestamp that starts `text` (`04/21-17:04:13.198326`,
/// `04/21/00-17:04:13.198326`). Returns `None` when `text` does not start
/// like one; otherwise the time (itself `None` when it cannot be read or the
/// date cannot exist) and how many bytes the timestamp used.
pub(crate) fn read_time(text: &[u8], ctx: &mut TimeContext) -> Option<(Option<Timestamp>, usize)> {
    if !looks_like_time(text) {
        return None;
    }
    let used = text
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let token = &text[..used];
    Some((settle_time(token, ctx), used))
}

fn settle_time(token: &[u8], ctx: &mut TimeContext) -> Option<Timestamp> {
    let dash = memchr(b'-', token)?;
    let (date, clock) = (&token[..dash], &token[dash + 1..]);
    let mut parts = date.split(|b| *b == b'/');
    let month = i8::try_from(parse_u32(parts.next()?)?).ok()?;
    let day = i8::try_from(parse_u32(parts.next()?)?).ok()?;
    let year = parts.next().map(parse_u32);
    if parts.next().is_some() {
        return None;
    }
    let (hour, minute, second, nanos) = parse_clock(clock)?;
    match year {
        None => ctx.yearless(month, day, hour, minute, second, nanos),
        Some(short) => {
            // Snort prints two digits; it did not exist before 1998.
            let short = i16::try_from(short?).ok()?;
            let century: i16 = if short < 70 { 2000 } else { 1900 };
            let year = century.checked_add(short)?;
            let date = Date::new(year, month, day).ok()?;
            let time = Time::new(hour, minute, second, nanos).ok()?;
            ctx.local(DateTime::from_parts(date, time))
        }
    }
}

/// Whether an endpoint of a record is expected to carry a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ports {
    /// TCP or UDP: Snort prints `host:port` (unless the packet is a fragment).
    Expected,
    /// Another protocol: Snort prints the bare address.
    Absent,
    /// The record does not say which protocol it carried.
    Unknown,
}

impl Ports {
    /// What to expect of the endpoints of a packet of protocol `proto`.
    pub(crate) fn of(proto: Option<Proto>) -> Ports {
        match proto {
            Some(Proto::TCP | Proto::UDP) => Ports::Expected,
            Some(p) if p == UNKNOWN_PROTO => Ports::Unknown,
            Some(_) => Ports::Absent,
            None => Ports::Unknown,
        }
    }
}

/// One endpoint as logged, split into host text and port.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Endpoint<'a> {
    /// The address or name.
    pub host: &'a [u8],
    /// The port, when one was printed and could be read.
    pub port: Option<u16>,
    /// True when a port was printed but could not be read.
    pub bad_port: bool,
}

/// Splits `host:port`, `[v6]:port`, a bare host, or an IPv6 address with
/// Snort's unbracketed `:port` (told apart by `ports`).
pub(crate) fn split_endpoint(text: &[u8], ports: Ports) -> Endpoint<'_> {
    let bare = Endpoint {
        host: text,
        port: None,
        bad_port: false,
    };
    if let Some(inner) = text.strip_prefix(b"[")
        && let Some(close) = memchr(b']', inner)
    {
        let host = &inner[..close];
        return match inner[close + 1..].strip_prefix(b":") {
            Some(port) => with_port(host, port),
            None => Endpoint { host, ..bare },
        };
    }
    let Some(last) = memrchr(b':', text) else {
        return bare;
    };
    let (head, port) = (&text[..last], &text[last + 1..]);
    if memchr(b':', head).is_none() {
        return with_port(head, port);
    }
    // Two colons or more: an IPv6 address, perhaps followed by `:port`.
    let whole_is_addr = is_address(text);
    let split_ok = is_address(head) && parse_u16(port).is_some();
    match ports {
        Ports::Expected if split_ok => with_port(head, port),
        Ports::Unknown if !whole_is_addr && split_ok => with_port(head, port),
        _ => bare,
    }
}

/// True for an IP address, also one with an IPv6 zone (`fe80::1%eth0`),
/// which stays part of the host's text.
fn is_address(text: &[u8]) -> bool {
    match memchr(b'%', text) {
        Some(at) => {
            let zone = &text[at + 1..];
            !zone.is_empty() && memchr(b':', zone).is_none() && parse_ip(&text[..at]).is_some()
        }
        None => parse_ip(text).is_some(),
    }
}

fn with_port<'a>(host: &'a [u8], port: &'a [u8]) -> Endpoint<'a> {
    let parsed = parse_u16(port);
    Endpoint {
        host,
        port: parsed,
        bad_port: parsed.is_none(),
    }
}

/// Both endpoints of a record, resolved into hosts.
#[derive(Debug)]
pub(crate) struct Endpoints {
    /// Source host.
    pub src: Host,
    /// Source port.
    pub src_port: Option<u16>,
    /// Destination host.
    pub dst: Host,
    /// Destination port.
    pub dst_port: Option<u16>,
    /// True when a printed port could not be read.
    pub bad_port: bool,
}

/// Resolves the endpoint texts of a record of protocol `proto`.
pub(crate) fn resolve_endpoints(
    names: &mut Interner,
    src: &[u8],
    dst: &[u8],
    proto: Option<Proto>,
) -> Result<Endpoints, &'static str> {
    let ports = Ports::of(proto);
    let src = split_endpoint(trim(src), ports);
    let dst = split_endpoint(trim(dst), ports);
    if src.host.len() > MAX_ENDPOINT || dst.host.len() > MAX_ENDPOINT {
        return Err("endpoint too long to be a host");
    }
    Ok(Endpoints {
        src: names.host(src.host).ok_or("empty source")?,
        src_port: src.port,
        dst: names.host(dst.host).ok_or("empty destination")?,
        dst_port: dst.port,
        bad_port: src.bad_port || dst.bad_port,
    })
}

/// The `[{PROTO}] src -> dst` end of a one-line alert, read from the end so
/// that a message holding brackets, braces or `->` does not matter.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Flow<'a> {
    /// What comes before (trailing blanks removed).
    pub before: &'a [u8],
    /// The text inside `{...}`, when present.
    pub proto: Option<&'a [u8]>,
    /// Source endpoint text.
    pub src: &'a [u8],
    /// Destination endpoint text.
    pub dst: &'a [u8],
}

/// Finds the last ` -> ` of `text` and the endpoints and protocol around it.
pub(crate) fn split_flow(text: &[u8]) -> Option<Flow<'_>> {
    let arrow = memchr::memmem::rfind(text, b" -> ")?;
    let (dst, _) = next_token(&text[arrow + 4..])?;
    let before_arrow = trim_end(&text[..arrow]);
    // After `{PROTO}` the whole source is taken, so that a name printed with
    // a space (`my host:1029`) is not cut to its last word.
    if let Some(close) = memrchr(b'}', before_arrow)
        && let Some(open) = memrchr(b'{', &before_arrow[..close])
        && proto_from_name(&before_arrow[open + 1..close]).is_some()
    {
        let src = trim_start(&before_arrow[close + 1..]);
        if !src.is_empty() {
            return Some(Flow {
                before: trim_end(&before_arrow[..open]),
                proto: Some(&before_arrow[open + 1..close]),
                src,
                dst,
            });
        }
    }
    let src_start = before_arrow
        .iter()
        .rposition(|b| *b == b' ' || *b == b'\t')
        .map_or(0, |p| p + 1);
    let src = &before_arrow[src_start..];
    if src.is_empty() {
        return None;
    }
    let mut before = trim_end(&before_arrow[..src_start]);
    let mut proto = None;
    if let Some(inner) = before.strip_suffix(b"}")
        && let Some(open) = memrchr(b'{', inner)
    {
        proto = Some(&inner[open + 1..]);
        before = trim_end(&inner[..open]);
    }
    Some(Flow {
        before,
        proto,
        src,
        dst,
    })
}

/// Splits a leading `[gid:sid:rev]` off `text` (leading blanks skipped).
pub(crate) fn split_sid(text: &[u8]) -> (Option<(u32, u32, u32)>, &[u8]) {
    let text = trim_start(text);
    let parsed = text.strip_prefix(b"[").and_then(|inner| {
        let close = memchr(b']', &inner[..inner.len().min(40)])?;
        let mut parts = inner[..close].split(|b| *b == b':');
        let gid = parse_u32(parts.next()?)?;
        let sid = parse_u32(parts.next()?)?;
        let rev = parse_u32(parts.next()?)?;
        if parts.next().is_some() {
            return None;
        }
        Some(((gid, sid, rev), &inner[close + 1..]))
    });
    match parsed {
        Some((ids, rest)) => (Some(ids), trim_start(rest)),
        None => (None, text),
    }
}

/// The groups Snort prints after an alert's message.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Decorations<'a> {
    /// `[Classification: ...]`.
    pub classification: Option<&'a [u8]>,
    /// `[Priority: n]`.
    pub priority: Option<u8>,
    /// `<eth0>`, printed when Snort ran with `-I`.
    pub iface: Option<&'a [u8]>,
}

/// Strips trailing `[Classification: ...]`, `[Priority: n]`, `[AppID: ...]`
/// and `<iface>` groups off `text`; returns what is left and the groups.
/// A trailing bracket group that is none of these belongs to the message.
pub(crate) fn strip_decorations(text: &[u8]) -> (&[u8], Decorations<'_>) {
    let mut rest = trim_end(text);
    let mut found = Decorations::default();
    loop {
        if let Some(inner) = rest.strip_suffix(b">")
            && let Some(open) = memrchr(b'<', inner)
            && open + 1 < inner.len()
            && !inner[open + 1..].contains(&b' ')
        {
            found.iface = Some(&inner[open + 1..]);
            rest = trim_end(&inner[..open]);
            continue;
        }
        let Some(inner) = rest.strip_suffix(b"]") else {
            break;
        };
        let Some(open) = memrchr(b'[', inner) else {
            break;
        };
        let group = &inner[open + 1..];
        if let Some(value) = group.strip_prefix(b"Priority:") {
            found.priority = parse_u8(trim(value));
        } else if let Some(value) = group.strip_prefix(b"Classification:") {
            found.classification = Some(trim(value));
        } else if !group.starts_with(b"AppID:") {
            break;
        }
        rest = trim_end(&inner[..open]);
    }
    (rest, found)
}

/// An alert message as printed: blanks trimmed, and the double quotes
/// Snort 3 puts around it removed.
pub(crate) fn clean_message(text: &[u8]) -> &[u8] {
    let text = trim(text);
    match text.strip_prefix(b"\"").and_then(|t| t.strip_suffix(b"\"")) {
        Some(inner) => inner,
        None => text,
    }
}

/// Builds an alert's signature from its parts, interning the strings.
pub(crate) fn signature(
    names: &mut Interner,
    ids: Option<(u32, u32, u32)>,
    message: &[u8],
    decorations: &Decorations<'_>,
) -> Box<Signature> {
    Box::new(Signature {
        gid: ids.map(|i| i.0),
        sid: ids.map(|i| i.1),
        rev: ids.map(|i| i.2),
        message: names.intern(message),
        classification: decorations.classification.map(|c| names.intern(c)),
        priority: decorations.priority,
    })
}

/// Protocol names as Snort prints them (`protocol_names[]`) and numbers.
pub(crate) fn proto_from_name(name: &[u8]) -> Option<Proto> {
    if let Some(n) = parse_u8(name) {
        return Some(Proto(n));
    }
    const NAMES: [(&[u8], u8); 24] = [
        (b"TCP", 6),
        (b"UDP", 17),
        (b"ICMP", 1),
        (b"IGMP", 2),
        (b"IPV6-ICMP", 58),
        (b"ICMPV6", 58),
        (b"ICMP6", 58),
        (b"IP", 0),
        (b"HOPOPT", 0),
        (b"IPIP", 4),
        (b"IPENCAP", 4),
        (b"IPV6", 41),
        (b"IPV6-ROUTE", 43),
        (b"IPV6-FRAG", 44),
        (b"RSVP", 46),
        (b"GRE", 47),
        (b"ESP", 50),
        (b"AH", 51),
        (b"IPV6-NONXT", 59),
        (b"IPV6-OPTS", 60),
        (b"OSPFIGP", 89),
        (b"PIM", 103),
        (b"VRRP", 112),
        (b"SCTP", 132),
    ];
    NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, p)| Proto(*p))
}

/// What was wrong with one record, reported as a single warning when the
/// record is emitted. Allocates only when there is damage.
#[derive(Debug, Default)]
pub(crate) struct Damage {
    notes: Vec<String>,
    more: u32,
}

impl Damage {
    /// Most notes spelled out; further ones are counted.
    const SPELLED: usize = 4;

    /// Adds a note.
    pub(crate) fn note(&mut self, note: impl Into<String>) {
        if self.notes.len() < Self::SPELLED {
            self.notes.push(note.into());
        } else {
            self.more = self.more.saturating_add(1);
        }
    }

    /// Notes an unreadable field, quoting (escaped, shortened) what was there.
    pub(crate) fn field(&mut self, what: &str, token: &[u8]) {
        if self.notes.len() < Self::SPELLED {
            self.notes
                .push(format!("unreadable {what} `{}` skipped", shown(token)));
        } else {
            self.more = self.more.saturating_add(1);
        }
    }

    /// True when nothing was noted.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.notes.is_empty()
    }

    /// Sends one warning for everything noted, then forgets it.
    pub(crate) fn report(&mut self, line: u64, sink: &mut dyn Sink) {
        if self.notes.is_empty() {
            return;
        }
        let mut message = self.notes.join("; ");
        if self.more > 0 {
            message.push_str(&format!(" (and {} more)", self.more));
        }
        sink.warning(line, message);
        self.notes.clear();
        self.more = 0;
    }

    /// Sends what a one-line parser made of line `line_no` to the sink: the
    /// packet (numbered, with this damage reported), a line understood that
    /// carries no packet (`Ok(None)`), or why the line could not be read.
    pub(crate) fn emit(
        mut self,
        result: Result<Option<Packet>, &'static str>,
        line_no: u64,
        sink: &mut dyn Sink,
    ) -> Feed {
        match result {
            Ok(Some(mut packet)) => {
                packet.origin.line = line_no;
                self.report(line_no, sink);
                sink.packet(packet);
            }
            Ok(None) => sink.skipped(line_no),
            Err(reason) => sink.unrecognized(line_no, reason),
        }
        Feed::Done
    }
}

/// Log text quoted in a warning: at most 40 bytes, non-printable bytes escaped.
pub(crate) fn shown(token: &[u8]) -> String {
    let cut = &token[..token.len().min(40)];
    let mut text = cut.escape_ascii().to_string();
    if cut.len() < token.len() {
        text.push_str("...");
    }
    text
}

/// Removes blanks at the start.
pub(crate) fn trim_start(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    &s[start..]
}

/// Removes blanks at the end.
pub(crate) fn trim_end(s: &[u8]) -> &[u8] {
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snort_times_with_and_without_year() {
        let mut ctx = TimeContext::fixed_year(2000);
        // The 2000 paper, detect 04 (snort.alert).
        let (ts, used) = read_time(b"04/21-17:04:13.198326 user.dsl.ma:60000", &mut ctx).unwrap();
        assert_eq!(used, 21);
        assert_eq!(ts.unwrap().to_string(), "2000-04-21T17:04:13.198326Z");
        // Snort run with -y prints a two-digit year.
        let (ts, used) = read_time(b"04/21/01-17:04:13.5 x", &mut ctx).unwrap();
        assert_eq!(used, 19);
        assert_eq!(ts.unwrap().to_string(), "2001-04-21T17:04:13.5Z");
        assert!(
            read_time(b"13/45-17:04:13.1 x", &mut ctx)
                .unwrap()
                .0
                .is_none()
        );
        assert!(read_time(b"Apr 21 17:04:13", &mut ctx).is_none());
        assert!(!looks_like_time(b"04/21"));
        assert!(!looks_like_time(b"04/21/00-"));
    }

    #[test]
    fn endpoints_v4_names_and_v6() {
        let e = split_endpoint(b"dial.uu.net:4615", Ports::Unknown);
        assert_eq!((e.host, e.port), (&b"dial.uu.net"[..], Some(4615)));
        let e = split_endpoint(b"10.100.10.190", Ports::Absent);
        assert_eq!((e.host, e.port), (&b"10.100.10.190"[..], None));
        let e = split_endpoint(b"2001:db8::1:80", Ports::Expected);
        assert_eq!((e.host, e.port), (&b"2001:db8::1"[..], Some(80)));
        let e = split_endpoint(b"2001:db8::1:80", Ports::Absent);
        assert_eq!((e.host, e.port), (&b"2001:db8::1:80"[..], None));
        let e = split_endpoint(b"[fe80::1]:53", Ports::Unknown);
        assert_eq!((e.host, e.port), (&b"fe80::1"[..], Some(53)));
        let e = split_endpoint(b"fe80::1%eth0:1029", Ports::Expected);
        assert_eq!((e.host, e.port), (&b"fe80::1%eth0"[..], Some(1029)));
        let e = split_endpoint(b"fe80::1%eth0", Ports::Unknown);
        assert_eq!((e.host, e.port), (&b"fe80::1%eth0"[..], None));
        let e = split_endpoint(b"host:99999", Ports::Expected);
        assert_eq!((e.host, e.port, e.bad_port), (&b"host"[..], None, true));
    }

    #[test]
    fn flow_is_read_from_the_end() {
        // elastic/snort_test-log-fast.log, with `->` added to the message.
        let flow = split_flow(
            b"[**] [1:2:3] a -> b {x} [**] [Priority: 2] {UDP} 192.168.88.10:1029 -> 4.2.2.3:53",
        )
        .unwrap();
        assert_eq!(flow.src, b"192.168.88.10:1029");
        assert_eq!(flow.dst, b"4.2.2.3:53");
        assert_eq!(flow.proto, Some(&b"UDP"[..]));
        assert_eq!(flow.before, b"[**] [1:2:3] a -> b {x} [**] [Priority: 2]");
        assert!(split_flow(b"no arrow here").is_none());
        let flow = split_flow(b"[**] x {y} [**] {TCP} my host:1029 -> 4.2.2.3:80").unwrap();
        assert_eq!(
            flow.src, b"my host:1029",
            "a name with a space is kept whole"
        );
        assert_eq!(flow.proto, Some(&b"TCP"[..]));
        assert_eq!(flow.before, b"[**] x {y} [**]");
        let flow = split_flow(b"[**] x {y} [**] 10.0.0.1:1 -> 4.2.2.3:80").unwrap();
        assert_eq!((flow.src, flow.proto), (&b"10.0.0.1:1"[..], None));
    }

    #[test]
    fn sid_and_decorations() {
        let (ids, rest) = split_sid(b" [1:2012811:2] ET DNS Query [Classification: Potentially Bad Traffic] [Priority: 2] <eth0>");
        assert_eq!(ids, Some((1, 2012811, 2)));
        let (message, deco) = strip_decorations(rest);
        assert_eq!(message, b"ET DNS Query");
        assert_eq!(deco.classification, Some(&b"Potentially Bad Traffic"[..]));
        assert_eq!(deco.priority, Some(2));
        assert_eq!(deco.iface, Some(&b"eth0"[..]));
        let (ids, rest) = split_sid(b"[tag] message [ref]");
        assert_eq!(ids, None);
        assert_eq!(strip_decorations(rest).0, b"[tag] message [ref]");
        assert_eq!(clean_message(b" \"ICMP test\" "), b"ICMP test");
    }

    #[test]
    fn protocol_names() {
        assert_eq!(proto_from_name(b"UDP"), Some(Proto::UDP));
        assert_eq!(proto_from_name(b"IPV6-ICMP"), Some(Proto::ICMPV6));
        assert_eq!(proto_from_name(b"103"), Some(Proto(103)));
        assert_eq!(proto_from_name(b"BOGUS"), None);
    }

    #[test]
    fn damage_is_one_warning() {
        let mut sink = crate::dispatch::Collect::default();
        let mut damage = Damage::default();
        damage.field("IP header field", b"TTT:110");
        for _ in 0..6 {
            damage.note("x");
        }
        damage.report(7, &mut sink);
        damage.report(8, &mut sink);
        assert_eq!(sink.warnings.len(), 1);
        assert_eq!(sink.warnings[0].0, 7);
        assert!(
            sink.warnings[0]
                .1
                .starts_with("unreadable IP header field `TTT:110`")
        );
        assert!(sink.warnings[0].1.ends_with("(and 3 more)"));
    }
}
