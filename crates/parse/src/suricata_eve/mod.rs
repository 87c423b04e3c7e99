//! Suricata `eve.json`: one JSON object per line, told apart by `event_type`.
//!
//! ```text
//! {"timestamp":"2022-02-08T11:33:00.175195-0500","flow_id":1117051772115445,"event_type":"alert","src_ip":"206.190.49.109","src_port":25,"dest_ip":"10.2.8.102","dest_port":49890,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2260002,"rev":1,"signature":"SURICATA Applayer Detect protocol only one direction","category":"Generic Protocol Command Decode","severity":3}}
//! ```
//!
//! `alert`, `drop`, `anomaly`, `flow` and `netflow` events become packets;
//! every other event type (`dns`, `http`, `tls`, `stats`, `fileinfo`...) is
//! understood and skipped. A flow record becomes the packet that opened the
//! flow, carrying the whole flow's counts and outcome in [`FlowInfo`]: its
//! time is the flow's `start` (the event's own `timestamp` is when the record
//! was written, which for a replayed capture can be hours away), and its TCP
//! flags are those of the first packet as far as the record tells them.

mod event;
pub(crate) mod json;
pub(crate) mod stamp;

use std::sync::LazyLock;

use memchr::memmem::Finder;
use picket_model::{
    Action, FlowInfo, FlowOutcome, Host, IcmpFields, Packet, Proto, Sensor, Signature, TcpFields,
    TcpFlags,
};

use crate::bytes::{Interner, parse_hex};
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::time::TimeContext;

use event::{AlertPart, DropPart, Event, FlowPart, NetflowPart, TcpPart};
use json::{Scalar, count};

static EVENT_TYPE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"event_type\""));

/// Reads Suricata `eve.json` events.
#[derive(Default, Debug)]
pub struct SuricataEveParser {
    names: Interner,
}

impl FormatParser for SuricataEveParser {
    fn format(&self) -> Format {
        Format::SuricataEve
    }

    fn claims(&self, line: &[u8]) -> bool {
        starts_object(line) && EVENT_TYPE.find(line).is_some()
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        match serde_json::from_slice::<Event<'_>>(line) {
            Ok(event) => self.read(&event, line_no, time, sink),
            Err(_) => sink.unrecognized(line_no, "not a readable eve.json object"),
        }
        Feed::Done
    }
}

/// True when the first byte that is not a space or tab opens a JSON object.
pub(crate) fn starts_object(line: &[u8]) -> bool {
    line.iter().find(|b| **b != b' ' && **b != b'\t') == Some(&b'{')
}

/// The event types that carry a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Alert,
    Drop,
    Flow,
    Netflow,
    Anomaly,
}

impl SuricataEveParser {
    fn read(&mut self, event: &Event<'_>, line_no: u64, time: &TimeContext, sink: &mut dyn Sink) {
        let kind = match event.event_type.text() {
            Some("alert") => Kind::Alert,
            Some("drop") => Kind::Drop,
            Some("flow") => Kind::Flow,
            Some("netflow") => Kind::Netflow,
            Some("anomaly") => Kind::Anomaly,
            Some(_) => {
                sink.skipped(line_no);
                return;
            }
            None => {
                sink.unrecognized(line_no, "eve.json object without an event_type");
                return;
            }
        };
        let endpoints = (
            event.src_ip.bytes().and_then(|t| self.names.host(t)),
            event.dest_ip.bytes().and_then(|t| self.names.host(t)),
        );
        let (src, dst) = match endpoints {
            (Some(src), Some(dst)) => (src, dst),
            // A decoder anomaly on a packet too broken to have addresses.
            _ if kind == Kind::Anomaly => {
                sink.skipped(line_no);
                return;
            }
            _ => {
                sink.unrecognized(line_no, "eve.json event without src_ip and dest_ip");
                return;
            }
        };
        let mut bad = 0u32;
        let (proto, proto_known) = match protocol(&event.proto) {
            Some(proto) => (proto, true),
            None => (Proto::UNKNOWN, !event.proto.is_present()),
        };
        let mut packet = Packet::new(Sensor::Suricata, src, dst, proto);
        packet.origin.line = line_no;
        packet.ip.v6 = matches!(packet.src, Host::Addr(a) if a.is_ipv6());
        packet.in_iface = event.in_iface.bytes().map(|name| self.names.intern(name));
        let is_icmp = proto == Proto::ICMP || proto == Proto::ICMPV6;
        if is_icmp {
            let kind_code = (
                count::<u8>(&event.icmp_type, &mut bad),
                count::<u8>(&event.icmp_code, &mut bad),
            );
            if let (Some(kind), code) = kind_code {
                packet.icmp = Some(IcmpFields {
                    kind,
                    code: code.unwrap_or(0),
                    ..IcmpFields::default()
                });
            }
        } else {
            packet.src_port = count(&event.src_port, &mut bad);
            packet.dst_port = count(&event.dest_port, &mut bad);
        }
        if proto == Proto::TCP {
            packet.tcp = Some(TcpFields::default());
        }

        let logged_time = match kind {
            Kind::Flow => event.flow.as_ref().map(|f| &f.start),
            Kind::Netflow => event.netflow.as_ref().map(|f| &f.start),
            _ => None,
        }
        .filter(|start| start.is_present())
        .unwrap_or(&event.timestamp);
        packet.time = logged_time.bytes().and_then(|text| stamp::iso(text, time));
        let bad_time = logged_time.is_present() && packet.time.is_none();

        match kind {
            Kind::Alert => {
                packet.action = match event.alert.as_ref().and_then(|a| a.action.text()) {
                    Some("blocked") => Action::Drop,
                    _ => Action::Alert,
                };
                packet.signature = event
                    .alert
                    .as_ref()
                    .map(|a| Box::new(self.signature(a, &mut bad)));
            }
            Kind::Drop => {
                packet.action = Action::Drop;
                if let Some(dropped) = &event.drop {
                    read_drop(&mut packet, dropped, &mut bad);
                }
                packet.signature = event
                    .alert
                    .as_ref()
                    .map(|a| Box::new(self.signature(a, &mut bad)));
            }
            Kind::Anomaly => {
                packet.action = Action::Alert;
                if let Some(anomaly) = &event.anomaly {
                    packet.signature = Some(Box::new(Signature {
                        message: self
                            .names
                            .intern(anomaly.event.bytes().unwrap_or(b"anomaly")),
                        classification: anomaly.kind.bytes().map(|t| self.names.intern(t)),
                        ..Signature::default()
                    }));
                }
            }
            Kind::Flow => match &event.flow {
                Some(flow) => read_flow(&mut packet, flow, event.tcp.as_ref(), time, &mut bad),
                None => {
                    sink.unrecognized(line_no, "flow event without its flow object");
                    return;
                }
            },
            Kind::Netflow => match &event.netflow {
                Some(netflow) => {
                    read_netflow(&mut packet, netflow, event.tcp.as_ref(), time, &mut bad)
                }
                None => {
                    sink.unrecognized(line_no, "netflow event without its netflow object");
                    return;
                }
            },
        }
        if bad_time || bad > 0 || !proto_known {
            sink.warning(line_no, describe(bad_time, bad, proto_known));
        }
        sink.packet(packet);
    }

    fn signature(&mut self, alert: &AlertPart<'_>, bad: &mut u32) -> Signature {
        Signature {
            gid: count(&alert.gid, bad),
            sid: count(&alert.signature_id, bad),
            rev: count(&alert.rev, bad),
            message: self.names.intern(alert.signature.bytes().unwrap_or(b"")),
            classification: alert
                .category
                .bytes()
                .filter(|c| !c.is_empty())
                .map(|c| self.names.intern(c)),
            priority: count(&alert.severity, bad),
        }
    }
}

/// The protocol as eve writes it: a name (`TCP`, `IPv6-ICMP`), a zero-padded
/// number (`047`) or a JSON number.
fn protocol(leaf: &Scalar<'_>) -> Option<Proto> {
    match leaf {
        Scalar::Unsigned(n) => u8::try_from(*n).ok().map(Proto),
        // Suricata's own spellings first: `Proto::parse` lower-cases a copy.
        Scalar::Text(name) => match name.as_ref() {
            "TCP" => Some(Proto::TCP),
            "UDP" => Some(Proto::UDP),
            "ICMP" => Some(Proto::ICMP),
            "IPv6-ICMP" => Some(Proto::ICMPV6),
            other => Proto::parse(other).or_else(|| other_protocol(other)),
        },
        _ => None,
    }
}

/// Protocol names from `/etc/protocols` that eve may print and
/// `Proto::parse` does not know.
fn other_protocol(name: &str) -> Option<Proto> {
    let number = match name.to_ascii_lowercase().as_str() {
        "ipip" | "ipencap" | "ipv4" => 4,
        "ipv6" => 41,
        "ospf" | "ospfigp" => 89,
        "pim" => 103,
        "vrrp" => 112,
        "l2tp" => 115,
        "udplite" => 136,
        _ => return None,
    };
    Some(Proto(number))
}

fn read_drop(packet: &mut Packet, dropped: &DropPart<'_>, bad: &mut u32) {
    let length: Option<u32> = count(&dropped.len, bad);
    if packet.ip.v6 {
        // IPv6 logs the payload length; the datagram adds its 40-byte header.
        packet.ip.total_len = length.and_then(|l| l.checked_add(40));
        packet.ip.tos = count(&dropped.tc, bad);
        packet.ip.ttl = count(&dropped.hoplimit, bad);
    } else {
        packet.ip.total_len = length;
        packet.ip.tos = count(&dropped.tos, bad);
        packet.ip.ttl = count(&dropped.ttl, bad);
        packet.ip.id = count(&dropped.ipid, bad);
    }
    if let Some(tcp) = packet.tcp.as_mut() {
        tcp.seq = count(&dropped.tcpseq, bad);
        tcp.ack = count(&dropped.tcpack, bad);
        tcp.window = count(&dropped.tcpwin, bad);
        let bits = [
            (&dropped.fin, TcpFlags::FIN),
            (&dropped.syn, TcpFlags::SYN),
            (&dropped.rst, TcpFlags::RST),
            (&dropped.psh, TcpFlags::PSH),
            (&dropped.ack, TcpFlags::ACK),
            (&dropped.urg, TcpFlags::URG),
        ];
        if bits.iter().any(|(leaf, _)| leaf.is_present()) {
            let mut flags = TcpFlags::default();
            for (leaf, bit) in bits {
                if leaf.flag() == Some(true) {
                    flags.set(bit);
                }
            }
            tcp.flags = Some(flags);
        }
    }
    if packet.proto == Proto::UDP {
        packet.transport_len = count(&dropped.udplen, bad);
    }
    if let Some(icmp) = packet.icmp.as_mut() {
        icmp.echo_id = count(&dropped.icmp_id, bad);
        icmp.echo_seq = count(&dropped.icmp_seq, bad);
    }
}

fn read_flow(
    packet: &mut Packet,
    flow: &FlowPart<'_>,
    tcp: Option<&TcpPart<'_>>,
    time: &TimeContext,
    bad: &mut u32,
) {
    let info = FlowInfo {
        outcome: None,
        packets_out: count(&flow.pkts_toserver, bad),
        packets_back: count(&flow.pkts_toclient, bad),
        bytes_out: count(&flow.bytes_toserver, bad),
        bytes_back: count(&flow.bytes_toclient, bad),
        duration_ms: duration(&flow.start, &flow.end, &flow.age, time, bad),
    };
    let session = tcp.is_some_and(|t| t.state.is_present());
    let to_server = tcp
        .and_then(|t| hex_flags(&t.tcp_flags_ts, bad).or_else(|| hex_flags(&t.tcp_flags, bad)))
        .filter(|flags| session || *flags != 0);
    let to_client = tcp
        .and_then(|t| hex_flags(&t.tcp_flags_tc, bad))
        .filter(|flags| session || *flags != 0);
    if let (Some(fields), Some(seen)) = (packet.tcp.as_mut(), to_server) {
        fields.flags = Some(first_packet_flags(seen, info.packets_out));
    }
    let outcome = flow_outcome(flow.state.text(), info.packets_back, to_client);
    packet.action = match flow.action.text() {
        Some(a) if a.eq_ignore_ascii_case("drop") => Action::Drop,
        _ => Action::Accept,
    };
    packet.flow = Some(Box::new(FlowInfo { outcome, ..info }));
}

fn read_netflow(
    packet: &mut Packet,
    netflow: &NetflowPart<'_>,
    tcp: Option<&TcpPart<'_>>,
    time: &TimeContext,
    bad: &mut u32,
) {
    let info = FlowInfo {
        packets_out: count(&netflow.pkts, bad),
        bytes_out: count(&netflow.bytes, bad),
        duration_ms: duration(&netflow.start, &netflow.end, &netflow.age, time, bad),
        ..FlowInfo::default()
    };
    let (min_ttl, max_ttl) = (
        count::<u8>(&netflow.min_ttl, bad),
        count::<u8>(&netflow.max_ttl, bad),
    );
    if min_ttl.is_some() && min_ttl == max_ttl {
        packet.ip.ttl = min_ttl;
    }
    let seen = tcp
        .and_then(|t| hex_flags(&t.tcp_flags, bad))
        .filter(|flags| *flags != 0);
    if let (Some(fields), Some(seen)) = (packet.tcp.as_mut(), seen) {
        fields.flags = Some(first_packet_flags(seen, info.packets_out));
    }
    packet.action = Action::Accept;
    packet.flow = Some(Box::new(info));
}

/// How a flow went, from its state, the replies it got and the TCP flags the
/// server sent: a SYN-ACK means the port answered (even if the client then
/// reset a half-open scan), a RST without one that it refused, and replies
/// with no TCP flags at all that only ICMP errors came back (Suricata counts
/// an ICMP error in the flow of the packet it quotes). No reply at all means
/// nothing answered.
fn flow_outcome(
    state: Option<&str>,
    packets_back: Option<u64>,
    server_flags: Option<u8>,
) -> Option<FlowOutcome> {
    if let Some(flags) = server_flags {
        if flags & TcpFlags::SYN != 0 {
            return Some(FlowOutcome::Established);
        }
        if flags & TcpFlags::RST != 0 || (flags == 0 && packets_back.is_some_and(|n| n > 0)) {
            return Some(FlowOutcome::Rejected);
        }
    }
    if packets_back == Some(0) {
        return Some(FlowOutcome::Unanswered);
    }
    match state? {
        "established" | "closed" if packets_back.is_some() => Some(FlowOutcome::Established),
        "established" | "closed" => None,
        _ => Some(FlowOutcome::Other),
    }
}

/// The flags of a flow's first packet from the union the record logs: the
/// union itself when the side sent one packet; a lone SYN when it opened with
/// a handshake; otherwise (picked up mid-stream) the union, the best guess.
fn first_packet_flags(union: u8, packets: Option<u64>) -> TcpFlags {
    if packets.is_some_and(|n| n <= 1) || union & TcpFlags::SYN == 0 {
        TcpFlags(union)
    } else {
        TcpFlags(TcpFlags::SYN)
    }
}

fn hex_flags(leaf: &Scalar<'_>, bad: &mut u32) -> Option<u8> {
    let text = leaf.bytes()?;
    let flags = parse_hex(text).and_then(|v| u8::try_from(v).ok());
    if flags.is_none() {
        *bad += 1;
    }
    flags
}

/// A flow's length in milliseconds, rounded: `end - start` when both read,
/// else `age` (whole seconds).
fn duration(
    start: &Scalar<'_>,
    end: &Scalar<'_>,
    age: &Scalar<'_>,
    time: &TimeContext,
    bad: &mut u32,
) -> Option<u64> {
    let read = |leaf: &Scalar<'_>| leaf.bytes().and_then(|t| stamp::iso(t, time));
    if let (Some(first), Some(last)) = (read(start), read(end)) {
        let nanos = last.duration_since(first).as_nanos();
        if let Ok(ms) = u64::try_from((nanos + 500_000) / 1_000_000) {
            return Some(ms);
        }
    }
    count::<u64>(age, bad).and_then(|seconds| seconds.checked_mul(1000))
}

fn describe(bad_time: bool, bad: u32, proto_known: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    if bad_time {
        parts.push("unreadable timestamp; packet kept without a time".into());
    }
    if bad > 0 {
        parts.push(format!("{bad} unreadable field value(s) left empty"));
    }
    if !proto_known {
        parts.push("unknown protocol name; kept as unknown".into());
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests;
