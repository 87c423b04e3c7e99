//! Juniper SRX `RT_FLOW` session logs and NetScreen (ScreenOS) traffic logs.
//!
//! ```text
//! <14>1 2019-11-14T11:12:46.573+01:00 SRX-GW1 RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.129 source-address="10.0.0.26" source-port="37233" destination-address="67.43.156.13" destination-port="161" ... protocol-id="17" policy-name="MgmtAccess-trust-cleanup" ...]
//! Sep 29 23:49:20 SRX-1 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.1/54924->192.168.1.1/53 junos-dns-udp 17(0) default-deny(global) trust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny
//! Jun  2 14:53:31 fire00 aka1: NetScreen device_id=aka1  [Root]system-notification-00257(traffic): start_time="2006-06-02 14:53:30" duration=0 policy_id=120 service=udp/port:17210 proto=17 src zone=Trust dst zone=DMZ action=Deny sent=0 rcvd=0 src=192.168.2.2 dst=1.2.3.4 src_port=53 dst_port=17210
//! ```
//!
//! [`srx`] reads `RT_FLOW_SESSION_DENY`, `_CREATE` and `_CLOSE` (and their
//! logical-system `_LS` forms) in the structured-data form and the plain
//! one; other `RT_FLOW` messages (`APPTRACK_*`) are skipped. [`netscreen`]
//! reads ScreenOS traffic logs and its screen alarms (`FIN but no ACK bit!
//! From ... to ...`).
//!
//! A denied session is a dropped packet. A session is logged when it
//! starts, when it ends, or both, as each policy says; the end holds what
//! the analysis weighs (how it ended, packets and bytes each way), so it
//! is the session's one packet, dated at its start. Starts become packets
//! only while the log has shown no session end: once one is seen, starts
//! are skipped (their ends will follow), and an end whose start was already
//! emitted is skipped too, so no session counts twice.
//!
//! Policies are the label, the incoming interface `in_iface`. Zones have
//! no field of their own and are not kept.

mod netscreen;
mod srx;

use std::collections::HashSet;
use std::sync::LazyLock;

use memchr::memmem::Finder;
use picket_model::{FlowOutcome, Packet};

use crate::bytes::Interner;
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::snort::common::Damage;
use crate::time::TimeContext;

static RT_FLOW: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"RT_FLOW"));
static NETSCREEN: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"etscreen device_id="));
static NETSCREEN_UPPER: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new(b"etScreen device_id="));

/// Session starts remembered while no end has been seen; past this the
/// table starts over.
const MAX_STARTED: usize = 65_536;

/// Reads Juniper SRX and NetScreen session logs.
#[derive(Default, Debug)]
pub struct JuniperParser {
    names: Interner,
    sessions: Sessions,
}

/// Which session records to emit, so that a session logged at both its
/// start and its end counts once.
#[derive(Default, Debug)]
struct Sessions {
    /// A session end has been seen in this input.
    ends_seen: bool,
    /// Sessions whose start was emitted as a packet.
    started: HashSet<u64>,
}

impl Sessions {
    /// Whether to emit a session start with this id.
    fn emit_start(&mut self, id: Option<u64>) -> bool {
        if self.ends_seen {
            return false;
        }
        if let Some(id) = id {
            if self.started.len() >= MAX_STARTED {
                self.started.clear();
            }
            self.started.insert(id);
        }
        true
    }

    /// Whether to emit a session end with this id.
    fn emit_end(&mut self, id: Option<u64>) -> bool {
        self.ends_seen = true;
        !id.is_some_and(|id| self.started.remove(&id))
    }
}

/// A record read from a line: what it is, its session id, its packet.
struct Read {
    record: Record,
    id: Option<u64>,
    packet: Packet,
}

/// What reading a line gave: a record, nothing (a line without a packet),
/// or why the line could not be read.
type ReadResult = Result<Option<Read>, &'static str>;

/// What a session record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Record {
    Deny,
    Start,
    End,
}

impl FormatParser for JuniperParser {
    fn format(&self) -> Format {
        Format::Juniper
    }

    fn claims(&self, line: &[u8]) -> bool {
        rt_flow(line).is_some() || netscreen(line).is_some()
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        let mut damage = Damage::default();
        let read = match (rt_flow(line), netscreen(line)) {
            (Some(at), _) => srx::read(line, at, &mut self.names, time, &mut damage),
            (None, Some(at)) => netscreen::read(line, at, &mut self.names, time, &mut damage),
            (None, None) => Err("no RT_FLOW or NetScreen tag"),
        };
        match read {
            Ok(Some(Read {
                record,
                id,
                mut packet,
            })) => {
                let emit = match record {
                    Record::Deny => true,
                    Record::Start => self.sessions.emit_start(id),
                    Record::End => self.sessions.emit_end(id),
                };
                if emit {
                    packet.origin.line = line_no;
                    damage.report(line_no, sink);
                    sink.packet(packet);
                } else {
                    sink.skipped(line_no);
                }
            }
            Ok(None) => sink.skipped(line_no),
            Err(reason) => sink.unrecognized(line_no, reason),
        }
        Feed::Done
    }
}

/// Where `RT_FLOW` is, as a word of its own (the program name or the
/// start of a message tag).
fn rt_flow(line: &[u8]) -> Option<usize> {
    let at = RT_FLOW.find(line)?;
    let before_ok = at == 0 || matches!(line[at - 1], b' ' | b'%' | b'-');
    before_ok.then_some(at)
}

/// Where `NetScreen device_id=` (any case of its S) is.
fn netscreen(line: &[u8]) -> Option<usize> {
    let at = NETSCREEN_UPPER
        .find(line)
        .or_else(|| NETSCREEN.find(line))?;
    (at > 0 && matches!(line[at - 1], b'N' | b'n')).then(|| at - 1)
}

/// How a session ended, from the end record's reason and the packets that
/// came back: nothing back is unanswered; a reset with at most one packet
/// back (the reset itself) from the server, or any reset with none, is a
/// refusal; anything back otherwise means the exchange happened.
fn outcome(reason: &[u8], packets_back: Option<u64>) -> FlowOutcome {
    let has = |word: &[u8]| {
        reason
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word))
    };
    match packets_back {
        Some(0) => FlowOutcome::Unanswered,
        Some(1) if has(b"RST") && !has(b"CLIENT") => FlowOutcome::Rejected,
        Some(_) => FlowOutcome::Established,
        None if has(b"FIN") => FlowOutcome::Established,
        None if has(b"RST") => FlowOutcome::Rejected,
        None => FlowOutcome::Other,
    }
}

/// Dates a session end at its start: `end` minus `elapsed` milliseconds.
fn started_at(packet: &mut Packet) {
    let elapsed = packet.flow.as_ref().and_then(|f| f.duration_ms);
    if let (Some(end), Some(ms)) = (packet.time, elapsed)
        && let Ok(ms) = i64::try_from(ms)
        && let Ok(start) = end.checked_sub(jiff::SignedDuration::from_millis(ms))
    {
        packet.time = Some(start);
    }
}

#[cfg(test)]
mod tests;
