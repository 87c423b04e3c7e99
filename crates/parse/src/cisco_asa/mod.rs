//! Cisco ASA, PIX and FTD syslog messages.
//!
//! ```text
//! Apr 30 2013 09:23:40: %ASA-4-106023: Deny tcp src outside:192.168.2.126/53638 dst inside:10.0.0.132/8111 by access-group "acl_out" [0x71761f18, 0x0]
//! ```
//!
//! A line is whatever envelope the relay added, the device's own stamp
//! (`Apr 30 2013 09:23:40`, read by [`crate::cisco_ios::stamp`]), then
//! `%ASA-LEVEL-ID:` (`%PIX-`, `%FTD-`, `%FWSM-`, or with a class,
//! `%ASA-session-5-106100:`) and the message. The messages read as packets
//! are listed in [`messages`]; every other ASA message is understood as
//! carrying no packet and counted as skipped.
//!
//! Connections are logged twice: when built (302013, 302015) and when torn
//! down (302014, 302016). The teardown holds what the analysis weighs (how
//! long, how it ended), so it becomes the flow's one packet, dated at the
//! connection's start; the built message is skipped after its direction is
//! noted, because only it says which end opened the connection.

mod messages;

use std::collections::HashMap;

use jiff::SignedDuration;
use picket_model::{Host, Packet};

use crate::bytes::{Interner, parse_u8, parse_u32};
use crate::cisco_ios::stamp;
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::snort::common::Damage;
use crate::syslog;
use crate::time::TimeContext;

/// The product tags that open a message.
const TAGS: [&[u8]; 4] = [b"ASA-", b"PIX-", b"FTD-", b"FWSM-"];

/// `%` signs looked at before a line is given up (URLs in messages are
/// full of them).
const MAX_PERCENT_SIGNS: usize = 16;

/// Connections whose direction is remembered between their built and
/// teardown messages; past this the table starts over.
const MAX_OPEN_CONNECTIONS: usize = 65_536;

/// Reads Cisco ASA, PIX and FTD syslog messages.
#[derive(Default, Debug)]
pub struct CiscoAsaParser {
    names: Interner,
    /// For each open connection, true when the second endpoint of its
    /// messages opened it (an outbound connection).
    opened_by_second: HashMap<u64, bool>,
}

impl FormatParser for CiscoAsaParser {
    fn format(&self) -> Format {
        Format::CiscoAsa
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

/// A located message: where its `%` is, its number, and its text.
struct Located<'a> {
    percent: usize,
    id: u32,
    text: &'a [u8],
}

/// Finds `%ASA-[class-]LEVEL-ID[:]` and splits off the message text.
fn locate(line: &[u8]) -> Option<Located<'_>> {
    for percent in memchr::memchr_iter(b'%', line).take(MAX_PERCENT_SIGNS) {
        let after = &line[percent + 1..];
        let Some(tag) = TAGS.iter().find(|tag| after.starts_with(tag)) else {
            continue;
        };
        let code_start = percent + 1 + tag.len();
        let code_end = line[code_start..]
            .iter()
            .position(|b| *b == b':' || *b == b' ')
            .map_or(line.len(), |p| code_start + p);
        let code = &line[code_start..code_end];
        let mut parts = code.rsplit(|b| *b == b'-');
        let id = parts.next().and_then(parse_u32);
        let level = parts.next().and_then(parse_u8);
        let (Some(id), Some(level)) = (id, level) else {
            continue;
        };
        if level > 7 || !(100_000..=999_999).contains(&id) {
            continue;
        }
        let text = line[code_end..]
            .strip_prefix(b":")
            .unwrap_or(&line[code_end..]);
        return Some(Located {
            percent,
            id,
            text: crate::bytes::trim(text),
        });
    }
    None
}

impl CiscoAsaParser {
    fn parse(
        &mut self,
        line: &[u8],
        time: &mut TimeContext,
        damage: &mut Damage,
    ) -> Result<Option<Packet>, &'static str> {
        let located = locate(line).ok_or("no %ASA- message")?;
        let head = &line[..located.percent];
        let stamp = stamp::last_time(head, time);
        if stamp.unreadable {
            damage.note("unreadable device time; packet kept without a time");
        }
        let mut reader = messages::Reader {
            names: &mut self.names,
            opened_by_second: &mut self.opened_by_second,
            damage,
            head,
            time,
        };
        let packet = reader.read(located.id, located.text)?;
        Ok(packet.map(|mut packet| {
            // A teardown's packet is its connection's first: date it at the start.
            let duration = packet.flow.as_ref().and_then(|flow| flow.duration_ms);
            packet.time = match (stamp.time, duration) {
                (Some(end), Some(ms)) => i64::try_from(ms)
                    .ok()
                    .and_then(|ms| end.checked_sub(SignedDuration::from_millis(ms)).ok())
                    .or(Some(end)),
                (time, _) => time,
            };
            packet
        }))
    }
}

/// The device that logged a line, for messages that name no destination:
/// the syslog host, or the tag when the device wrote `name:` alone.
fn device(head: &[u8], time: &mut TimeContext, names: &mut Interner) -> Option<Host> {
    let mut scratch = time.clone();
    let envelope = syslog::split(head, &mut scratch)?;
    let text = match (envelope.host, envelope.tag) {
        (Some(host), _) => host,
        (None, Some(tag)) => {
            let end = memchr::memchr(b'[', tag).unwrap_or(tag.len());
            &tag[..end]
        }
        (None, None) => return None,
    };
    // A relay's stamp in front of the device's reads as a host `Nov`.
    if text.len() == 3 && crate::time::month_number(text).is_some() {
        return None;
    }
    names.host(text)
}

#[cfg(test)]
mod tests;
