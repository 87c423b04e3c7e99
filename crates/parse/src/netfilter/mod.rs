//! Linux netfilter LOG lines, as iptables, ip6tables, nftables and ufw write
//! them through the kernel log.
//!
//! ```text
//! Mar 11 20:35:11 linux kernel: [463490.251762] DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0 OPT (020405B4)
//! ```
//!
//! A line is a syslog envelope (any form [`crate::syslog`] reads, or none),
//! the rule's log prefix, then the kernel's fields from `IN=` on. The prefix
//! is whatever the rule set configured (`DROP`, `[UFW BLOCK]`,
//! `Shorewall:net:DROP:`, `[wan-lan-default-D]`, glued to `IN=` or not); it
//! becomes the packet's label, and its words say what the rule did. The
//! fields are read by [`fields`].

mod fields;
mod values;

use std::sync::{Arc, LazyLock};

use jiff::Timestamp;
use memchr::memchr2;
use memchr::memmem::Finder;
use picket_model::Action;

use crate::bytes::{Interner, trim};
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::syslog;
use crate::time::TimeContext;

use fields::Damage;

static IN_FIELD: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"IN="));
static SRC_FIELD: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"SRC="));
static KERNEL_TAG: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"kernel:"));

/// `IN=` candidates tried before settling for the first one, so a hostile
/// line full of `IN=` costs a bounded amount of work.
const MAX_IN_CANDIDATES: usize = 8;

/// Names longer than this are not kept in a parser's one-entry caches.
const MAX_CACHED_NAME: usize = 256;

/// Reads netfilter LOG lines.
#[derive(Default, Debug)]
pub struct NetfilterParser {
    names: Interner,
    last_prefix: Recent<(Arc<str>, Action)>,
    last_in: Recent<Arc<str>>,
    last_out: Recent<Arc<str>>,
}

impl FormatParser for NetfilterParser {
    fn format(&self) -> Format {
        Format::Netfilter
    }

    fn claims(&self, line: &[u8]) -> bool {
        // A JSON record (a journal export, eve.json) may quote a LOG line:
        // that is its own format's to read.
        let json = line.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        !json && IN_FIELD.find(line).is_some() && SRC_FIELD.find(line).is_some()
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        self.parse(line, line_no, time, sink);
        Feed::Done
    }
}

impl NetfilterParser {
    fn parse(&mut self, line: &[u8], line_no: u64, time: &mut TimeContext, sink: &mut dyn Sink) {
        let Some(at) = find_in_field(line) else {
            sink.unrecognized(line_no, "no IN= field");
            return;
        };
        let reading = fields::read_line(&line[at..]);
        let mut packet = match reading.packet {
            Ok(packet) => packet,
            Err(reason) => {
                sink.unrecognized(line_no, reason);
                return;
            }
        };
        let head = read_head(&line[..at], time);
        packet.time = head.time;
        packet.origin.line = line_no;
        let prefix = trim(head.prefix);
        if !prefix.is_empty() {
            let names = &mut self.names;
            let (label, action) = self
                .last_prefix
                .get(prefix, || (names.intern(prefix), action_of(prefix)));
            packet.label = Some(label);
            packet.action = action;
        }
        if let Some(name) = reading.in_iface {
            let names = &mut self.names;
            packet.in_iface = Some(self.last_in.get(name, || names.intern(name)));
        }
        if let Some(name) = reading.out_iface {
            let names = &mut self.names;
            packet.out_iface = Some(self.last_out.get(name, || names.intern(name)));
        }
        if head.bad_time || !reading.damage.is_clean() {
            sink.warning(line_no, describe(head.bad_time, reading.damage));
        }
        sink.packet(packet);
    }
}

/// The part of a line before `IN=`.
struct Head<'a> {
    time: Option<Timestamp>,
    /// The line had a time (or an envelope) that could not be read.
    bad_time: bool,
    /// The log prefix, untrimmed.
    prefix: &'a [u8],
}

/// Splits what precedes `IN=` into the syslog envelope and the log prefix.
fn read_head<'a>(head: &'a [u8], time: &mut TimeContext) -> Head<'a> {
    if let Some(found) = envelope(head, time) {
        return found;
    }
    // `file:` in front, as `grep` prints when given several files.
    if let Some(colon) = memchr2(b':', b' ', head)
        && head[colon] == b':'
        && colon > 0
        && let Some(found) = envelope(&head[colon + 1..], time)
    {
        return found;
    }
    // An envelope of a form not read here: keep what follows the tag.
    if let Some(tag) = KERNEL_TAG.find(head) {
        let message = syslog::skip_uptime(trim(&head[tag + 7..]));
        return Head {
            time: None,
            bad_time: tag > 0,
            prefix: message,
        };
    }
    // No envelope at all: the line starts with the prefix or with `IN=`.
    Head {
        time: None,
        bad_time: false,
        prefix: head,
    }
}

fn envelope<'a>(head: &'a [u8], time: &mut TimeContext) -> Option<Head<'a>> {
    let env = syslog::split(head, time)?;
    Some(Head {
        time: env.time,
        bad_time: env.had_time && env.time.is_none(),
        prefix: env.message,
    })
}

/// Where the kernel's `IN=` field starts: the first `IN=` whose interface is
/// followed by ` OUT=`, so that a prefix such as `LOGIN=` is not taken for
/// it; the first `IN=` of all when none is.
fn find_in_field(line: &[u8]) -> Option<usize> {
    let mut first = None;
    for at in IN_FIELD.find_iter(line).take(MAX_IN_CANDIDATES) {
        first.get_or_insert(at);
        let after = &line[at + 3..];
        let end = after
            .iter()
            .position(|b| *b == b' ' || *b == b'\t')
            .unwrap_or(after.len());
        if after[end..].starts_with(b" OUT=") {
            return Some(at);
        }
    }
    first
}

/// What a rule did, from the words of its log prefix (any case).
///
/// Blocking words win over accepting ones (`DROP INVALID`, `[UFW LIMIT
/// BLOCK]`); then ufw's `AUDIT` only logs; then the `-D]`, `-A]`, `-R]`
/// endings that Ubiquiti EdgeOS and VyOS rule names carry
/// (`[WAN_LOCAL-default-D]`).
fn action_of(prefix: &[u8]) -> Action {
    let has = |word: &[u8]| {
        prefix
            .windows(word.len())
            .any(|window| window.eq_ignore_ascii_case(word))
    };
    if has(b"REJECT") {
        Action::Reject
    } else if has(b"DROP") || has(b"DENY") || has(b"BLOCK") || has(b"INVALID") {
        Action::Drop
    } else if has(b"ACCEPT") || has(b"ALLOW") || has(b"PASS") {
        Action::Accept
    } else if has(b"AUDIT") {
        Action::Logged
    } else if prefix.ends_with(b"-D]") {
        Action::Drop
    } else if prefix.ends_with(b"-A]") {
        Action::Accept
    } else if prefix.ends_with(b"-R]") {
        Action::Reject
    } else {
        Action::Logged
    }
}

/// One warning's text for everything wrong with a kept line.
fn describe(bad_time: bool, damage: Damage) -> String {
    let mut parts: Vec<String> = Vec::new();
    if bad_time {
        parts.push("unreadable syslog time; packet kept without a time".into());
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
    if damage.bad_quote {
        parts.push("unreadable quoted header in the ICMP error left out".into());
    }
    parts.join("; ")
}

/// The last name looked up and what it gave, so that a run of lines with the
/// same prefix or interface skips the interner's hashing.
#[derive(Debug)]
struct Recent<T> {
    key: Vec<u8>,
    value: Option<T>,
}

impl<T> Default for Recent<T> {
    fn default() -> Self {
        Recent {
            key: Vec::new(),
            value: None,
        }
    }
}

impl<T: Clone> Recent<T> {
    /// The value for `key`: the cached one when `key` is the last key seen,
    /// else `make()` (remembered when `key` is short).
    fn get(&mut self, key: &[u8], make: impl FnOnce() -> T) -> T {
        if let Some(value) = &self.value
            && self.key == key
        {
            return value.clone();
        }
        let value = make();
        if key.len() <= MAX_CACHED_NAME {
            self.key.clear();
            self.key.extend_from_slice(key);
            self.value = Some(value.clone());
        }
        value
    }
}

#[cfg(test)]
mod tests;
