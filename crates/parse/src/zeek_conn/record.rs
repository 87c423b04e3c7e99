//! One Zeek connection record, from either form, as one packet.
//!
//! The packet is the connection's first packet from the originator
//! (`id.orig_h`) to the responder, at `ts`, carrying the whole connection in
//! [`FlowInfo`]: the outcome from `conn_state`, packets and bytes each way
//! (IP-level bytes, `orig_ip_bytes`, when logged, to compare with other
//! sensors' byte counts; payload bytes otherwise) and the duration. For ICMP
//! Zeek logs the type as `id.orig_p` and the code as `id.resp_p`.
//!
//! Zeek does not log the first packet's TCP flags; its `history` gives them
//! as far as a letter can: `S` a SYN, `H` a SYN-ACK, `A` a pure ACK, `D` data
//! (taken as PSH ACK), `F` a FIN (taken as FIN ACK, as a late FIN of a closed
//! connection mostly is), `R` a RST, `I` FIN and RST together. Upper-case
//! letters are the originator's packets; the first of them is the one read.

use jiff::Timestamp;
use picket_model::{
    Action, FlowInfo, FlowOutcome, Host, IcmpFields, Packet, Proto, Sensor, TcpFields, TcpFlags,
};

use crate::bytes::Interner;
use crate::format::Sink;

/// A connection record's fields as read from either form; `None` when not
/// logged.
#[derive(Debug, Default)]
pub(super) struct Conn<'b> {
    pub time: Option<Timestamp>,
    /// `ts` was there but could not be read.
    pub bad_time: bool,
    pub orig_h: Option<&'b [u8]>,
    pub orig_p: Option<u64>,
    pub resp_h: Option<&'b [u8]>,
    pub resp_p: Option<u64>,
    pub proto: Option<&'b [u8]>,
    pub duration_ms: Option<u64>,
    pub orig_bytes: Option<u64>,
    pub resp_bytes: Option<u64>,
    pub conn_state: Option<&'b [u8]>,
    pub history: Option<&'b [u8]>,
    pub orig_pkts: Option<u64>,
    pub orig_ip_bytes: Option<u64>,
    pub resp_pkts: Option<u64>,
    pub resp_ip_bytes: Option<u64>,
    /// Values present but unreadable (a port of `x`).
    pub bad_fields: u32,
    /// A TSV record with another number of fields than its header: (found, expected).
    pub field_count_mismatch: Option<(usize, usize)>,
}

/// Sends the packet of `conn`, or reports why there is none.
pub(super) fn emit(names: &mut Interner, conn: Conn<'_>, line_no: u64, sink: &mut dyn Sink) {
    let src = conn.orig_h.and_then(|h| names.host(h));
    let dst = conn.resp_h.and_then(|h| names.host(h));
    let (Some(src), Some(dst)) = (src, dst) else {
        sink.unrecognized(line_no, "conn record without id.orig_h and id.resp_h");
        return;
    };
    let mut bad = conn.bad_fields;
    let v6 = matches!(src, Host::Addr(a) if a.is_ipv6());
    let proto = match conn.proto {
        Some(b"tcp") => Proto::TCP,
        Some(b"udp") => Proto::UDP,
        Some(b"icmp") if v6 => Proto::ICMPV6,
        Some(b"icmp") => Proto::ICMP,
        Some(b"unknown_transport") | None => Proto::UNKNOWN,
        Some(other) => {
            let known = std::str::from_utf8(other).ok().and_then(Proto::parse);
            if known.is_none() {
                bad += 1;
            }
            known.unwrap_or(Proto::UNKNOWN)
        }
    };
    let mut packet = Packet::new(Sensor::Zeek, src, dst, proto);
    packet.time = conn.time;
    packet.origin.line = line_no;
    packet.ip.v6 = v6;
    let mut small = |n: Option<u64>, limit: u64| match n {
        Some(n) if n <= limit => Some(n),
        Some(_) => {
            bad += 1;
            None
        }
        None => None,
    };
    if proto == Proto::ICMP || proto == Proto::ICMPV6 {
        let kind = small(conn.orig_p, 255);
        let code = small(conn.resp_p, 255);
        if let Some(kind) = kind {
            packet.icmp = Some(IcmpFields {
                kind: kind as u8,
                code: code.unwrap_or(0) as u8,
                ..IcmpFields::default()
            });
        }
    } else {
        packet.src_port = small(conn.orig_p, 65535).map(|p| p as u16);
        packet.dst_port = small(conn.resp_p, 65535).map(|p| p as u16);
    }
    if proto == Proto::TCP {
        packet.tcp = Some(TcpFields {
            flags: conn.history.and_then(first_flags),
            ..TcpFields::default()
        });
    }
    let outcome = match conn.conn_state {
        Some(state) => {
            let outcome = outcome_of(state);
            if outcome.is_none() {
                bad += 1;
            }
            outcome
        }
        None => None,
    };
    packet.action = if outcome == Some(FlowOutcome::Established) {
        Action::Accept
    } else {
        Action::Logged
    };
    packet.flow = Some(Box::new(FlowInfo {
        outcome,
        packets_out: conn.orig_pkts,
        packets_back: conn.resp_pkts,
        bytes_out: conn.orig_ip_bytes.or(conn.orig_bytes),
        bytes_back: conn.resp_ip_bytes.or(conn.resp_bytes),
        duration_ms: conn.duration_ms,
    }));
    if conn.bad_time || bad > 0 || conn.field_count_mismatch.is_some() {
        let mut parts: Vec<String> = Vec::new();
        if conn.bad_time {
            parts.push("unreadable ts; packet kept without a time".into());
        }
        if bad > 0 {
            parts.push(format!("{bad} unreadable field value(s) left empty"));
        }
        if let Some((found, expected)) = conn.field_count_mismatch {
            parts.push(format!("{found} fields where the header names {expected}"));
        }
        sink.warning(line_no, parts.join("; "));
    }
    sink.packet(packet);
}

/// How the connection went, by `conn_state`.
pub(super) fn outcome_of(state: &[u8]) -> Option<FlowOutcome> {
    Some(match state {
        b"S0" => FlowOutcome::Unanswered,
        b"REJ" | b"RSTOS0" | b"RSTRH" => FlowOutcome::Rejected,
        b"SF" | b"S1" | b"S2" | b"S3" | b"RSTO" | b"RSTR" => FlowOutcome::Established,
        b"SH" | b"SHR" | b"OTH" => FlowOutcome::Other,
        _ => return None,
    })
}

/// The originator's first packet's flags, from the first upper-case packet
/// letter of `history`; `None` when no letter tells them.
pub(super) fn first_flags(history: &[u8]) -> Option<TcpFlags> {
    for letter in history {
        let bits = match letter {
            b'S' => TcpFlags::SYN,
            b'H' => TcpFlags::SYN | TcpFlags::ACK,
            b'A' => TcpFlags::ACK,
            b'D' | b'T' => TcpFlags::PSH | TcpFlags::ACK,
            b'F' => TcpFlags::FIN | TcpFlags::ACK,
            b'R' => TcpFlags::RST,
            b'I' => TcpFlags::FIN | TcpFlags::RST,
            // A SYN with FIN or RST: which one is not said.
            b'Q' => return None,
            // Direction flip, the responder's packets, and annotations of a
            // packet already counted (checksum, gap, zero window).
            _ => continue,
        };
        return Some(TcpFlags(bits));
    }
    None
}
