//! NetScreen (ScreenOS) traffic logs and screen alarms.
//!
//! A traffic log (`system-notification-00257(traffic):`) carries
//! `start_time="..."`, `duration`, `policy_id`, `service`, `proto`,
//! `src zone`, `dst zone`, `action` (`Permit`, `Deny`, `Reject`,
//! `Tunnel(...)`), `sent` and `rcvd` bytes, `src`, `dst`, `src_port`,
//! `dst_port` or `icmp type`, and on newer releases `session_id` and
//! `reason` (`Creation`, `Close - TCP FIN`, `Close - AGE OUT`, `Traffic
//! Denied`; the reason runs to the end of the line). Some keys hold a space
//! and some values are bare, so each key is searched for. A permitted
//! session without a reason was logged at its end, as older releases did.
//! The time is `start_time`, the session's start, in the run's zone.
//!
//! A screen alarm (`[Root]system-critical-00438: FIN but no ACK bit! From
//! 1.2.3.4:57491 to 5.6.7.8:6346, proto TCP (zone V1-Untrust, int
//! v1-untrust). Occurred 1 times. (2006-04-24 19:55:17)`) is a dropped
//! packet labelled with the alarm, counted by `Occurred N times`.
//!
//! A session's end says how many bytes came back, not packets: nothing back
//! is unanswered, a reset with at most 60 bytes back (a bare reset) is a
//! refusal, anything else established.

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use memchr::memmem::{self, Finder};
use picket_model::{
    Action, FlowInfo, FlowOutcome, Host, IcmpFields, Packet, Proto, Sensor, TcpFields,
};

use crate::bytes::{Interner, parse_ip, parse_u8, parse_u16, parse_u64, trim};
use crate::cisco_ios::stamp;
use crate::snort::common::{Damage, proto_from_name};
use crate::time::{TimeContext, parse_clock};

use super::{Read, ReadResult, Record, started_at};

static TRAFFIC: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"(traffic):"));
static ALARM: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"! From "));

/// Bytes back that a bare reset fits in.
const RESET_BYTES: u64 = 60;

/// Reads a NetScreen line whose `NetScreen device_id=` starts at `at`.
pub(super) fn read(
    line: &[u8],
    at: usize,
    names: &mut Interner,
    time: &mut TimeContext,
    damage: &mut Damage,
) -> ReadResult {
    let stamp = stamp::last_time(&line[..at], time);
    let body = &line[at..];
    if let Some(t) = TRAFFIC.find(body) {
        return traffic(&body[t + 10..], stamp.time, names, time, damage).map(Some);
    }
    if let Some(a) = ALARM.find(body) {
        return alarm(body, a, stamp.time, names, time, damage).map(Some);
    }
    Ok(None)
}

/// The value of `key` (which ends with `=`), where `key` starts a word: a
/// quoted value, or the text up to the next space.
fn value<'a>(text: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let at = memmem::find_iter(text, key)
        .take(8)
        .find(|&p| p == 0 || text[p - 1] == b' ')?;
    let rest = &text[at + key.len()..];
    if let Some(quoted) = rest.strip_prefix(b"\"") {
        let end = memchr::memchr(b'"', quoted).unwrap_or(quoted.len());
        return Some(&quoted[..end]);
    }
    let end = rest.iter().position(|b| *b == b' ').unwrap_or(rest.len());
    let value = &rest[..end];
    // Some releases bracket ports: `src_port=(1254)`.
    let value = value.strip_prefix(b"(").unwrap_or(value);
    Some(value.strip_suffix(b")").unwrap_or(value))
}

fn traffic(
    text: &[u8],
    envelope: Option<Timestamp>,
    names: &mut Interner,
    ctx: &TimeContext,
    damage: &mut Damage,
) -> Result<Read, &'static str> {
    let src = value(text, b"src=")
        .and_then(parse_ip)
        .ok_or("unreadable src")?;
    let dst = value(text, b"dst=")
        .and_then(parse_ip)
        .ok_or("unreadable dst")?;
    let proto = value(text, b"proto=")
        .and_then(parse_u8)
        .map(Proto)
        .ok_or("unreadable proto")?;
    let action_word = value(text, b"action=").unwrap_or(b"");
    let action = if action_word.starts_with(b"Permit") || action_word.starts_with(b"Tunnel") {
        Action::Accept
    } else if action_word.starts_with(b"Deny") {
        Action::Drop
    } else if action_word.starts_with(b"Reject") {
        Action::Reject
    } else {
        damage.field("action", action_word);
        Action::Logged
    };
    let reason = memmem::find(text, b" reason=").map(|p| trim(&text[p + 8..]));
    let record = match (action, reason) {
        (Action::Drop | Action::Reject, _) => Record::Deny,
        (_, Some(r)) if r.starts_with(b"Creation") => Record::Start,
        _ => Record::End,
    };
    let proto = match proto {
        Proto::ICMP if src.is_ipv6() => Proto::ICMPV6,
        other => other,
    };
    let mut packet = Packet::new(Sensor::Juniper, Host::Addr(src), Host::Addr(dst), proto);
    packet.ip.v6 = src.is_ipv6();
    packet.action = action;
    let policy = value(text, b"policy_id=").or_else(|| value(text, b"id="));
    packet.label = policy.map(|p| names.intern(p));
    match proto {
        Proto::ICMP | Proto::ICMPV6 => {
            let kind = value(text, b"type=").and_then(parse_u8);
            packet.icmp = Some(IcmpFields {
                kind: kind.unwrap_or(0),
                ..IcmpFields::default()
            });
        }
        _ => {
            packet.src_port = value(text, b"src_port=").and_then(parse_u16);
            packet.dst_port = value(text, b"dst_port=").and_then(parse_u16);
            if matches!(proto, Proto::TCP | Proto::UDP)
                && (packet.src_port.is_none() || packet.dst_port.is_none())
            {
                damage.note("ports missing or unreadable");
            }
        }
    }
    if proto == Proto::TCP {
        packet.tcp = Some(TcpFields::default());
    }
    let start = value(text, b"start_time=").map(|t| (t, local_time(t, ctx)));
    if let Some((text, None)) = start {
        damage.field("start_time", text);
    }
    packet.time = start.and_then(|(_, t)| t);
    let duration = value(text, b"duration=").and_then(parse_u64);
    if record == Record::End {
        let sent = value(text, b"sent=").and_then(parse_u64);
        let rcvd = value(text, b"rcvd=").and_then(parse_u64);
        let reason = reason.unwrap_or(b"");
        let outcome = match rcvd {
            Some(0) => FlowOutcome::Unanswered,
            Some(n) if n <= RESET_BYTES && memmem::find(reason, b"RST").is_some() => {
                FlowOutcome::Rejected
            }
            Some(_) => FlowOutcome::Established,
            None => FlowOutcome::Other,
        };
        packet.flow = Some(Box::new(FlowInfo {
            outcome: Some(outcome),
            bytes_out: sent,
            bytes_back: rcvd,
            duration_ms: duration.map(|d| d.saturating_mul(1000)),
            ..FlowInfo::default()
        }));
    }
    if packet.time.is_none() {
        // Without a start time, the relay's stamp (the session's end).
        packet.time = envelope;
        if record == Record::End {
            started_at(&mut packet);
        }
    }
    let id = value(text, b"session_id=").and_then(parse_u64);
    Ok(Read { record, id, packet })
}

fn alarm(
    body: &[u8],
    at: usize,
    envelope: Option<Timestamp>,
    names: &mut Interner,
    ctx: &TimeContext,
    damage: &mut Damage,
) -> Result<Read, &'static str> {
    // The alarm's name runs from the message id's `: ` to the `!`.
    let head = &body[..at];
    let name_start = memmem::rfind(head, b": ").map_or(0, |p| p + 2);
    let name = trim(&head[name_start..]);
    let rest = &body[at + 7..];
    let (src_text, rest) = crate::bytes::next_token(rest).ok_or("missing source")?;
    let rest = trim(rest).strip_prefix(b"to ").ok_or("missing `to`")?;
    let (dst_text, rest) = crate::bytes::next_token(rest).ok_or("missing destination")?;
    let (src, src_port) = endpoint(src_text).ok_or("unreadable source")?;
    let (dst, dst_port) = endpoint(dst_text).ok_or("unreadable destination")?;
    let proto_word = value(rest, b"proto ")
        .or_else(|| word_after(rest, b"protocol "))
        .map(|w| w.strip_suffix(b",").unwrap_or(w));
    let proto = proto_word
        .and_then(proto_from_name)
        .ok_or("unreadable protocol")?;
    let mut packet = Packet::new(Sensor::Juniper, Host::Addr(src), Host::Addr(dst), proto);
    packet.ip.v6 = src.is_ipv6();
    packet.action = Action::Drop;
    if !name.is_empty() {
        packet.label = Some(names.intern(name));
    }
    if !matches!(proto, Proto::ICMP | Proto::ICMPV6) {
        packet.src_port = src_port;
        packet.dst_port = dst_port;
    }
    if proto == Proto::TCP {
        packet.tcp = Some(TcpFields::default());
    }
    let iface = word_after(rest, b"int ")
        .or_else(|| word_after(rest, b"interface "))
        .map(|w| {
            let w = w.strip_suffix(b".").unwrap_or(w);
            let w = w.strip_suffix(b")").unwrap_or(w);
            w.strip_suffix(b",").unwrap_or(w)
        });
    packet.in_iface = iface.filter(|i| !i.is_empty()).map(|i| names.intern(i));
    let occurred = word_after(rest, b"ccurred ").and_then(parse_u64);
    if let Some(n) = occurred.filter(|n| *n > 1) {
        packet.flow = Some(Box::new(FlowInfo {
            packets_out: Some(n),
            ..FlowInfo::default()
        }));
    }
    // `(2006-04-24 19:55:17)` at the end.
    let when = memchr::memrchr(b'(', rest).and_then(|open| {
        let inner = rest[open + 1..].strip_suffix(b")")?;
        local_time(inner, ctx)
    });
    packet.time = when.or(envelope);
    if packet.time.is_none() {
        damage.note("no readable alarm time");
    }
    Ok(Read {
        record: Record::Deny,
        id: None,
        packet,
    })
}

/// `1.2.3.4:80,` or `1.2.3.4`.
fn endpoint(text: &[u8]) -> Option<(std::net::IpAddr, Option<u16>)> {
    let text = text.strip_suffix(b",").unwrap_or(text);
    if let Some(addr) = parse_ip(text) {
        return Some((addr, None));
    }
    let colon = memchr::memrchr(b':', text)?;
    Some((parse_ip(&text[..colon])?, parse_u16(&text[colon + 1..])))
}

/// The word after `key` (which ends with a space).
fn word_after<'a>(text: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let at = memmem::find(text, key)?;
    crate::bytes::next_token(&text[at + key.len()..]).map(|(w, _)| w)
}

/// `YYYY-MM-DD hh:mm:ss` in the run's zone.
fn local_time(text: &[u8], ctx: &TimeContext) -> Option<Timestamp> {
    if text.len() < 19 || text[4] != b'-' || text[7] != b'-' || text[10] != b' ' {
        return None;
    }
    let year = i16::try_from(parse_u16(&text[..4])?).ok()?;
    let month = i8::try_from(parse_u8(&text[5..7])?).ok()?;
    let day = i8::try_from(parse_u8(&text[8..10])?).ok()?;
    let (h, m, s, n) = parse_clock(&text[11..])?;
    let dt = DateTime::from_parts(
        Date::new(year, month, day).ok()?,
        jiff::civil::Time::new(h, m, s, n).ok()?,
    );
    ctx.local(dt)
}
