//! OpenBSD and FreeBSD pf logs, as `tcpdump -n -e -ttt -r pflog` prints them.
//!
//! ```text
//! Mar 29 19:32:17.184835 rule 4/(match) [uid 0, pid 10758] block in on em0: 192.168.56.1.53614 > 192.168.56.101.1435: S [tcp sum ok] 786092310:786092310(0) win 3072 <mss 1460> (ttl 42, id 1076, len 44)
//! ```
//!
//! A line is a time, the pflog header that `-e` prints (`rule N/(reason)`,
//! or `rule N.anchor.M/...`, or FreeBSD's `rule N/0(match):`, then the
//! action, the direction and `on IFACE:`), then tcpdump's text for the
//! packet, read by [`packet`].
//!
//! Times: OpenBSD's `-ttt` prints `Mar 29 19:32:17.184835` (the year is
//! settled as for syslog), `-tt` an epoch (`1711740737.184835`), FreeBSD's
//! `-tttt` a date and time. A bare `hh:mm:ss.frac` is either a time of day
//! without a date or FreeBSD's `-ttt` delta from the previous packet: neither
//! can be anchored, so such packets keep no time (without a warning). A
//! syslog envelope in front (pflog piped to `logger`) is read too.
//!
//! `tcpdump -v` on FreeBSD prints the IP header at the end of the first line
//! and the packet text on the next, indented: the two lines are read as one.

mod icmp;
mod packet;
mod text;

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use memchr::memchr;
use memchr::memmem::Finder;
use picket_model::Action;

use crate::bytes::{Interner, parse_u8, parse_u16, parse_u32, parse_u64, trim};
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::syslog;
use crate::time::{TimeContext, month_number, parse_clock};

use packet::{Damage, Decoded};

static RULE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"rule "));
static ON: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b" on "));
static COLON_SPACE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b": "));

/// `rule ` occurrences tried before giving up on a line.
const MAX_RULE_CANDIDATES: usize = 4;

/// Longest first line kept while waiting for its continuation.
const MAX_PENDING_LINE: usize = 64 * 1024;

/// Reads pf log lines.
#[derive(Default, Debug)]
pub struct PfParser {
    names: Interner,
    /// The first line of a two-line `tcpdump -v` record, and its number.
    pending: Option<(Vec<u8>, u64)>,
}

impl FormatParser for PfParser {
    fn format(&self) -> Format {
        Format::Pf
    }

    fn claims(&self, line: &[u8]) -> bool {
        locate_rule(line).is_some()
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        if let Some((mut first, first_no)) = self.pending.take() {
            if matches!(line.first(), Some(b' ' | b'\t')) {
                first.push(b' ');
                first.extend_from_slice(trim(line));
                if let Some(Decoded::HeaderOnly) = self.parse(&first, first_no, time, sink) {
                    sink.unrecognized(first_no, "pf header line without its packet line");
                }
                return Feed::Done;
            }
            sink.unrecognized(first_no, "pf header line without its packet line");
            return Feed::Rejected;
        }
        if let Some(Decoded::HeaderOnly) = self.parse(line, line_no, time, sink) {
            if line.len() <= MAX_PENDING_LINE {
                self.pending = Some((line.to_vec(), line_no));
                return Feed::Pending;
            }
            sink.unrecognized(line_no, "pf header line without its packet line");
        }
        Feed::Done
    }

    fn finish(&mut self, _time: &mut TimeContext, sink: &mut dyn Sink) {
        if let Some((_, first_no)) = self.pending.take() {
            sink.unrecognized(first_no, "pf header line without its packet line");
        }
    }
}

impl PfParser {
    /// Reads one record's text. Emits the packet or the reason it is none,
    /// except for a header-only first line, which is handed back.
    fn parse(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Option<Decoded> {
        let Some(at) = locate_rule(line) else {
            sink.unrecognized(line_no, "no pf `rule` header");
            return None;
        };
        let Some(header) = read_header(&line[at..]) else {
            sink.unrecognized(line_no, "unreadable pf header");
            return None;
        };
        let (mut packet, damage) = match packet::decode(header.rest) {
            Decoded::Packet(packet, damage) => (packet, damage),
            Decoded::HeaderOnly => return Some(Decoded::HeaderOnly),
            Decoded::Unrecognized(reason) => {
                sink.unrecognized(line_no, reason);
                return None;
            }
        };
        let (when, bad_time) = read_time(&line[..at], time);
        packet.time = when;
        packet.action = header.action;
        packet.label = Some(self.names.intern(header.label));
        if header.dir_in {
            packet.in_iface = Some(self.names.intern(header.iface));
        } else {
            packet.out_iface = Some(self.names.intern(header.iface));
        }
        packet.origin.line = line_no;
        if bad_time || damage != Damage::default() {
            sink.warning(line_no, describe(bad_time, damage));
        }
        sink.packet(*packet);
        None
    }
}

/// Where `rule N/...` starts, in a line that goes on with ` on IFACE: `.
fn locate_rule(line: &[u8]) -> Option<usize> {
    for at in RULE.find_iter(line).take(MAX_RULE_CANDIDATES) {
        if at > 0 && !matches!(line[at - 1], b' ' | b'\t') {
            continue;
        }
        let spec = &line[at + 5..];
        let spec = &spec[..memchr::memchr2(b' ', b'\t', spec).unwrap_or(spec.len())];
        let numbered = spec.first().is_some_and(u8::is_ascii_digit) || spec.starts_with(b"def");
        if !numbered || memchr(b'/', spec).is_none() {
            continue;
        }
        let after = &line[at..];
        if let Some(on) = ON.find(after)
            && COLON_SPACE.find(&after[on..]).is_some()
        {
            return Some(at);
        }
    }
    None
}

/// The pflog header that `tcpdump -e` prints.
struct Header<'a> {
    /// `rule 4/(match)`, as printed.
    label: &'a [u8],
    action: Action,
    /// True for `in`, false for `out`.
    dir_in: bool,
    iface: &'a [u8],
    /// The packet text after `on IFACE:`.
    rest: &'a [u8],
}

/// Reads `rule SPEC [uid u, pid p] ACTION DIR on IFACE: ` from `text`, which
/// starts at `rule`.
fn read_header(text: &[u8]) -> Option<Header<'_>> {
    let spec_end = 5 + memchr::memchr2(b' ', b'\t', &text[5..]).unwrap_or(text.len() - 5);
    let label = text[..spec_end]
        .strip_suffix(b":")
        .unwrap_or(&text[..spec_end]);
    let mut rest = trim(&text[spec_end..]);
    // `[uid 0, pid 10758]`, printed with -v.
    if rest.first() == Some(&b'[') {
        let close = memchr(b']', rest)?;
        rest = &rest[close + 1..];
        rest = trim(rest.strip_prefix(b":").unwrap_or(rest));
    }
    let mut words = rest.splitn(4, |b| *b == b' ');
    let action_word = words.next()?;
    let dir = words.next()?;
    let on = words.next()?;
    let tail = words.next()?;
    if on != b"on" {
        return None;
    }
    let colon = COLON_SPACE.find(tail)?;
    let iface = &tail[..colon];
    let action = match action_word {
        b"block" => Action::Drop,
        b"pass" => Action::Accept,
        _ => Action::Logged,
    };
    Some(Header {
        label,
        action,
        dir_in: dir != b"out",
        iface,
        rest: &tail[colon + 2..],
    })
}

/// The time before `rule`: one of tcpdump's forms, or a syslog envelope
/// holding one. Returns the time and whether an unreadable one was there.
fn read_time(head: &[u8], ctx: &mut TimeContext) -> (Option<Timestamp>, bool) {
    let head = trim(head);
    if head.is_empty() {
        return (None, false);
    }
    if let Some(found) = tcpdump_time(head, ctx) {
        return found;
    }
    if let Some(env) = syslog::split(head, ctx) {
        let message = trim(env.message);
        if let Some((Some(when), _)) = tcpdump_time(message, ctx) {
            return (Some(when), false);
        }
        return (env.time, env.had_time && env.time.is_none());
    }
    (None, true)
}

/// One of tcpdump's time forms, when `text` is one: the time (`None` when
/// it cannot be anchored) and whether it was unreadable.
fn tcpdump_time(text: &[u8], ctx: &mut TimeContext) -> Option<(Option<Timestamp>, bool)> {
    let mut words = text.split(|b| *b == b' ').filter(|w| !w.is_empty());
    let first = words.next()?;
    let second = words.next();
    let third = words.next();
    if words.next().is_some() {
        return None;
    }
    let found = match (second, third) {
        (Some(day), Some(clock)) => {
            let month = month_number(first)?;
            let day = parse_u8(day).and_then(|d| i8::try_from(d).ok());
            let when = day
                .zip(parse_clock(clock))
                .and_then(|(day, (h, m, s, ns))| ctx.yearless(month, day, h, m, s, ns));
            (when, when.is_none())
        }
        (Some(clock), None) => {
            let date = civil_date(first)?;
            let when = parse_clock(clock).and_then(|(h, m, s, ns)| {
                let time = Time::new(h, m, s, ns).ok()?;
                ctx.local(DateTime::from_parts(date, time))
            });
            (when, when.is_none())
        }
        _ => {
            if memchr(b':', first).is_some() {
                // A time of day or a delta: nothing to anchor it to.
                (None, parse_clock(first).is_none())
            } else {
                epoch(first)?
            }
        }
    };
    Some(found)
}

/// `2024-03-29`.
fn civil_date(text: &[u8]) -> Option<Date> {
    let mut parts = text.split(|b| *b == b'-');
    let year = parse_u16(parts.next()?)?;
    let month = parse_u8(parts.next()?)?;
    let day = parse_u8(parts.next()?)?;
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

/// `1711740737.184835` (`-tt`). Fewer than nine digits of seconds is an old
/// tcpdump's delta, not a date.
fn epoch(text: &[u8]) -> Option<(Option<Timestamp>, bool)> {
    let (secs, frac) = match memchr(b'.', text) {
        Some(dot) => (&text[..dot], &text[dot + 1..]),
        None => (text, &b""[..]),
    };
    if secs.is_empty() || !secs.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if secs.len() < 9 {
        return Some((None, false));
    }
    let seconds = parse_u64(secs).and_then(|s| i64::try_from(s).ok());
    let nanos = if frac.is_empty() {
        Some(0)
    } else if frac.len() <= 9 {
        parse_u32(frac).and_then(|f| i32::try_from(f * 10u32.pow(9 - frac.len() as u32)).ok())
    } else {
        None
    };
    let when = seconds
        .zip(nanos)
        .and_then(|(s, ns)| Timestamp::new(s, ns).ok());
    Some((when, when.is_none()))
}

/// One warning's text for everything wrong with a kept line.
fn describe(bad_time: bool, damage: Damage) -> String {
    let mut parts: Vec<String> = Vec::new();
    if bad_time {
        parts.push("unreadable time; packet kept without a time".into());
    }
    if damage.bad_fields > 0 {
        parts.push(format!(
            "{} unreadable field value(s) left empty",
            damage.bad_fields
        ));
    }
    if damage.cut {
        parts.push("line cut short; fields before the cut kept".into());
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests;
