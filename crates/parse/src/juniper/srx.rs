//! SRX `RT_FLOW_SESSION_*` messages, structured and plain.
//!
//! The structured form carries `[junos@... key="value" ...]`: the endpoints
//! (`source-address`, `source-port`, ...), `protocol-id`, `icmp-type`,
//! `policy-name`, `packet-incoming-interface`, `session-id-32`, and for a
//! session's end its `reason`, `packets-from-client`, `bytes-from-client`,
//! `packets-from-server`, `bytes-from-server` and `elapsed-time` (seconds).
//!
//! The plain form prints the same values by position:
//!
//! - `session denied SRC/SP->DST/DP [tag] SERVICE PROTO(ICMP-TYPE) POLICY
//!   FROM-ZONE TO-ZONE APP NESTED-APP USER(ROLES) IFACE ...`
//! - `session created SRC/SP->DST/DP [tag] SERVICE NAT-SRC/P->NAT-DST/P
//!   [tag] NAT-RULES... PROTO POLICY FROM-ZONE TO-ZONE SESSION-ID
//!   USER(ROLES) IFACE ...`
//! - `session closed REASON: SRC/SP->DST/DP ... PROTO POLICY FROM-ZONE
//!   TO-ZONE SESSION-ID PKTS(BYTES) PKTS(BYTES) ELAPSED APP NESTED-APP
//!   USER(ROLES) IFACE ...`
//!
//! NAT rule fields vary in number across Junos releases (some hold
//! spaces), so the fields after them are found from a fixed point: the
//! `USER(ROLES)` word of a start, the two `PKTS(BYTES)` words of an end.

use std::net::IpAddr;
use std::sync::{Arc, LazyLock};

use memchr::memmem::Finder;
use picket_model::{Action, FlowInfo, Host, IcmpFields, Packet, Proto, Sensor, TcpFields};

use crate::bytes::{Interner, parse_ip, parse_u8, parse_u16, parse_u64, trim};
use crate::cisco_ios::stamp;
use crate::fortigate::Pairs;
use crate::snort::common::Damage;
use crate::time::TimeContext;

use super::{Read, ReadResult, Record, outcome, started_at};

static SESSION_TAG: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"RT_FLOW_SESSION_"));

/// Words of a plain message kept for positional reading.
const MAX_WORDS: usize = 64;

/// What one record said, before it becomes a packet.
#[derive(Default)]
struct Session<'a> {
    src: Option<&'a [u8]>,
    src_port: Option<&'a [u8]>,
    dst: Option<&'a [u8]>,
    dst_port: Option<&'a [u8]>,
    proto: Option<&'a [u8]>,
    icmp_type: Option<&'a [u8]>,
    policy: Option<&'a [u8]>,
    in_iface: Option<&'a [u8]>,
    out_iface: Option<&'a [u8]>,
    id: Option<&'a [u8]>,
    reason: Option<&'a [u8]>,
    packets_out: Option<&'a [u8]>,
    bytes_out: Option<&'a [u8]>,
    packets_back: Option<&'a [u8]>,
    bytes_back: Option<&'a [u8]>,
    elapsed: Option<&'a [u8]>,
}

/// Reads an `RT_FLOW` line whose `RT_FLOW` starts at `at`. `Ok(None)` for
/// messages that carry no session.
pub(super) fn read(
    line: &[u8],
    at: usize,
    names: &mut Interner,
    time: &mut TimeContext,
    damage: &mut Damage,
) -> ReadResult {
    let Some(tag_at) = SESSION_TAG.find(&line[at..]).map(|p| at + p) else {
        return Ok(None);
    };
    let tag_end = line[tag_at..]
        .iter()
        .position(|b| matches!(b, b' ' | b':' | b'['))
        .map_or(line.len(), |p| tag_at + p);
    let tag = &line[tag_at + 16..tag_end];
    let record = if tag.starts_with(b"DENY") {
        Record::Deny
    } else if tag.starts_with(b"CREATE") {
        Record::Start
    } else if tag.starts_with(b"CLOSE") {
        Record::End
    } else {
        return Ok(None);
    };
    let stamp = stamp::last_time(&line[..tag_at], time);
    if stamp.unreadable {
        damage.note("unreadable syslog time; packet kept without a time");
    }
    let rest = trim(&line[tag_end..]);
    let session = match rest.first() {
        Some(b'[') => structured(rest),
        _ => {
            let message = trim(rest.strip_prefix(b":").unwrap_or(rest));
            plain(message, record)?
        }
    };
    let mut packet = to_packet(&session, record, names, damage)?;
    packet.time = stamp.time;
    if record == Record::End {
        started_at(&mut packet);
    }
    let id = session.id.and_then(parse_u64);
    Ok(Some(Read { record, id, packet }))
}

/// The `[junos@... key="value" ...]` element.
fn structured(text: &[u8]) -> Session<'_> {
    let mut s = Session::default();
    for (key, value) in Pairs::new(text) {
        let value = value.strip_suffix(b"]").unwrap_or(value);
        let value = strip_curly_quotes(value);
        let slot = match key {
            b"source-address" => &mut s.src,
            b"source-port" => &mut s.src_port,
            b"destination-address" => &mut s.dst,
            b"destination-port" => &mut s.dst_port,
            b"protocol-id" => &mut s.proto,
            b"icmp-type" => &mut s.icmp_type,
            b"policy-name" => &mut s.policy,
            b"packet-incoming-interface" => &mut s.in_iface,
            b"destination-interface-name" => &mut s.out_iface,
            b"session-id-32" | b"session-id" => &mut s.id,
            b"reason" => &mut s.reason,
            b"packets-from-client" => &mut s.packets_out,
            b"bytes-from-client" => &mut s.bytes_out,
            b"packets-from-server" => &mut s.packets_back,
            b"bytes-from-server" => &mut s.bytes_back,
            b"elapsed-time" => &mut s.elapsed,
            _ => continue,
        };
        slot.get_or_insert(value);
    }
    s
}

/// `”st0.0”`: typographic quotes some Junos releases print.
fn strip_curly_quotes(value: &[u8]) -> &[u8] {
    const QUOTE: &[u8] = "\u{201d}".as_bytes();
    let value = value.strip_prefix(QUOTE).unwrap_or(value);
    value.strip_suffix(QUOTE).unwrap_or(value)
}

/// A plain message, after the tag's colon.
fn plain(message: &[u8], record: Record) -> Result<Session<'_>, &'static str> {
    let mut s = Session::default();
    let body = match record {
        Record::Deny => message
            .strip_prefix(b"session denied ")
            .ok_or("no `session denied`")?,
        Record::Start => message
            .strip_prefix(b"session created ")
            .ok_or("no `session created`")?,
        Record::End => {
            let after = message
                .strip_prefix(b"session closed ")
                .ok_or("no `session closed`")?;
            let colon = memchr::memmem::find(after, b": ").ok_or("no close reason")?;
            s.reason = Some(&after[..colon]);
            &after[colon + 2..]
        }
    };
    let mut spans = [(0usize, 0usize); MAX_WORDS];
    let mut count = 0;
    let mut pos = 0;
    while count < MAX_WORDS {
        let Some(start) = body[pos..].iter().position(|b| *b != b' ').map(|p| pos + p) else {
            break;
        };
        let end = body[start..]
            .iter()
            .position(|b| *b == b' ')
            .map_or(body.len(), |p| start + p);
        spans[count] = (start, end);
        count += 1;
        pos = end;
    }
    let word = |i: usize| -> Option<&[u8]> { (i < count).then(|| &body[spans[i].0..spans[i].1]) };
    let endpoints = word(0).ok_or("missing endpoints")?;
    let flow = split_flow(endpoints).ok_or("unreadable endpoints")?;
    s.src = Some(flow.src);
    s.src_port = flow.src_port;
    s.dst = Some(flow.dst);
    s.dst_port = flow.dst_port;

    let user_after = |from: usize| (from..count).find(|&i| word(i).is_some_and(is_user_roles));
    match record {
        Record::Deny => {
            // The first `N(M)` word is the protocol and ICMP type.
            let at = (1..count)
                .find(|&i| word(i).is_some_and(is_count_pair))
                .ok_or("missing protocol")?;
            let (proto, icmp) = split_pair(word(at).unwrap_or(b"")).ok_or("missing protocol")?;
            s.proto = Some(proto);
            s.icmp_type = Some(icmp);
            s.policy = word(at + 1);
            if let Some(user) = user_after(at + 4) {
                s.in_iface = word(user + 1);
            }
        }
        Record::Start => {
            // The last bracketed word: a policy may be `name(global)`.
            let user = (2..count)
                .rev()
                .find(|&i| word(i).is_some_and(is_user_roles))
                .ok_or("missing user(roles) field")?;
            let first = user
                .checked_sub(5)
                .filter(|f| *f >= 2)
                .ok_or("too few fields")?;
            s.proto = word(first);
            s.policy = word(first + 1);
            s.id = word(first + 4);
            s.in_iface = word(user + 1);
        }
        Record::End => {
            let counts = (2..count.saturating_sub(1))
                .find(|&i| {
                    word(i).is_some_and(is_count_pair) && word(i + 1).is_some_and(is_count_pair)
                })
                .ok_or("missing packet counts")?;
            let first = counts
                .checked_sub(5)
                .filter(|f| *f >= 2)
                .ok_or("too few fields")?;
            s.proto = word(first);
            s.policy = word(first + 1);
            s.id = word(first + 4);
            (s.packets_out, s.bytes_out) = split_pair(word(counts).unwrap_or(b""))
                .map_or((None, None), |(p, b)| (Some(p), Some(b)));
            (s.packets_back, s.bytes_back) = split_pair(word(counts + 1).unwrap_or(b""))
                .map_or((None, None), |(p, b)| (Some(p), Some(b)));
            s.elapsed = word(counts + 2);
            if let Some(user) = user_after(counts + 3) {
                s.in_iface = word(user + 1);
            }
        }
    }
    Ok(s)
}

/// The endpoints of `SRC/SP->DST/DP`.
struct Flow<'a> {
    src: &'a [u8],
    src_port: Option<&'a [u8]>,
    dst: &'a [u8],
    dst_port: Option<&'a [u8]>,
}

/// `SRC/SP->DST/DP`.
fn split_flow(text: &[u8]) -> Option<Flow<'_>> {
    let arrow = memchr::memmem::find(text, b"->")?;
    let (src, src_port) = split_side(&text[..arrow]);
    let (dst, dst_port) = split_side(&text[arrow + 2..]);
    Some(Flow {
        src,
        src_port,
        dst,
        dst_port,
    })
}

/// `ADDR/PORT` as address and port.
fn split_side(text: &[u8]) -> (&[u8], Option<&[u8]>) {
    match memchr::memrchr(b'/', text) {
        Some(slash) => (&text[..slash], Some(&text[slash + 1..])),
        None => (text, None),
    }
}

/// `17(0)`, `98(78354)`: digits, then digits in brackets.
fn is_count_pair(word: &[u8]) -> bool {
    split_pair(word)
        .is_some_and(|(a, b)| a.iter().all(u8::is_ascii_digit) && b.iter().all(u8::is_ascii_digit))
}

/// `N/A(N/A)`, `user1(DEPT1)`: a word with a bracketed part at its end
/// that is not a count pair.
fn is_user_roles(word: &[u8]) -> bool {
    word.ends_with(b")")
        && memchr::memchr(b'(', word).is_some_and(|p| p > 0)
        && !is_count_pair(word)
}

/// `A(B)` as `A` and `B`, both non-empty.
fn split_pair(word: &[u8]) -> Option<(&[u8], &[u8])> {
    let open = memchr::memchr(b'(', word)?;
    let inner = word[open + 1..].strip_suffix(b")")?;
    (open > 0 && !inner.is_empty()).then(|| (&word[..open], inner))
}

fn to_packet(
    s: &Session<'_>,
    record: Record,
    names: &mut Interner,
    damage: &mut Damage,
) -> Result<Packet, &'static str> {
    let src: IpAddr = s
        .src
        .and_then(parse_ip)
        .ok_or("unreadable source address")?;
    let dst: IpAddr = s
        .dst
        .and_then(parse_ip)
        .ok_or("unreadable destination address")?;
    let proto = s
        .proto
        .and_then(parse_u8)
        .map(Proto)
        .ok_or("unreadable protocol")?;
    let proto = match proto {
        Proto::ICMP if src.is_ipv6() => Proto::ICMPV6,
        other => other,
    };
    let mut packet = Packet::new(Sensor::Juniper, Host::Addr(src), Host::Addr(dst), proto);
    packet.ip.v6 = src.is_ipv6();
    packet.action = match record {
        Record::Deny => Action::Drop,
        Record::Start | Record::End => Action::Accept,
    };
    let mut intern = |v: Option<&[u8]>| -> Option<Arc<str>> {
        v.filter(|v| !v.is_empty() && *v != b"N/A")
            .map(|v| names.intern(v))
    };
    packet.label = intern(s.policy);
    packet.in_iface = intern(s.in_iface);
    packet.out_iface = intern(s.out_iface);
    match proto {
        Proto::ICMP | Proto::ICMPV6 => {
            let kind = number(s.icmp_type, "icmp-type", damage).and_then(|t| u8::try_from(t).ok());
            packet.icmp = Some(IcmpFields {
                kind: kind.unwrap_or(0),
                ..IcmpFields::default()
            });
        }
        _ => {
            packet.src_port = s.src_port.and_then(parse_u16);
            packet.dst_port = s.dst_port.and_then(parse_u16);
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
    if record == Record::End {
        let packets_back = number(s.packets_back, "packets-from-server", damage);
        packet.flow = Some(Box::new(FlowInfo {
            outcome: Some(outcome(s.reason.unwrap_or(b""), packets_back)),
            packets_out: number(s.packets_out, "packets-from-client", damage),
            packets_back,
            bytes_out: number(s.bytes_out, "bytes-from-client", damage),
            bytes_back: number(s.bytes_back, "bytes-from-server", damage),
            duration_ms: number(s.elapsed, "elapsed-time", damage).map(|e| e.saturating_mul(1000)),
        }));
    }
    Ok(packet)
}

/// An optional number; anything unreadable is noted.
fn number(text: Option<&[u8]>, what: &str, damage: &mut Damage) -> Option<u64> {
    let text = text?;
    let n = parse_u64(text);
    if n.is_none() {
        damage.field(what, text);
    }
    n
}
