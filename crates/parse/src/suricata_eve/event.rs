//! The parts of an eve.json event that picket reads, as serde reads them:
//! every leaf a [`Scalar`], every other key skipped.

use serde::Deserialize;

use super::json::Scalar;

/// The fields of an event that picket reads; the rest is skipped.
#[derive(Deserialize)]
pub(super) struct Event<'a> {
    #[serde(borrow, default)]
    pub(super) timestamp: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) event_type: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) src_ip: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) dest_ip: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) src_port: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) dest_port: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) proto: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) in_iface: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) icmp_type: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) icmp_code: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) alert: Option<AlertPart<'a>>,
    #[serde(borrow, default)]
    pub(super) drop: Option<DropPart<'a>>,
    #[serde(borrow, default)]
    pub(super) flow: Option<FlowPart<'a>>,
    #[serde(borrow, default)]
    pub(super) netflow: Option<NetflowPart<'a>>,
    #[serde(borrow, default)]
    pub(super) tcp: Option<TcpPart<'a>>,
    #[serde(borrow, default)]
    pub(super) anomaly: Option<AnomalyPart<'a>>,
}

/// `alert`: the signature that fired and what the engine did.
#[derive(Deserialize)]
pub(super) struct AlertPart<'a> {
    #[serde(borrow, default)]
    pub(super) action: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) gid: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) signature_id: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) rev: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) signature: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) category: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) severity: Scalar<'a>,
}

/// `drop`: the dropped packet's headers (IPS mode).
#[derive(Deserialize)]
pub(super) struct DropPart<'a> {
    #[serde(borrow, default)]
    pub(super) len: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) tos: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) tc: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) ttl: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) hoplimit: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) ipid: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) tcpseq: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) tcpack: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) tcpwin: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) syn: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) ack: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) psh: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) rst: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) urg: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) fin: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) udplen: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) icmp_id: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) icmp_seq: Scalar<'a>,
}

/// `flow`: a bidirectional flow record (also attached to alerts, unread there).
#[derive(Deserialize)]
pub(super) struct FlowPart<'a> {
    #[serde(borrow, default)]
    pub(super) pkts_toserver: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) pkts_toclient: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) bytes_toserver: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) bytes_toclient: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) start: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) end: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) age: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) state: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) action: Scalar<'a>,
}

/// `netflow`: one direction of a flow.
#[derive(Deserialize)]
pub(super) struct NetflowPart<'a> {
    #[serde(borrow, default)]
    pub(super) pkts: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) bytes: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) start: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) end: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) age: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) min_ttl: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) max_ttl: Scalar<'a>,
}

/// `tcp`: flags seen over a flow, as hex (`1b`), and the TCP state. Flags
/// are only tracked for a flow with a TCP session (which then has a state);
/// without one, `00` means untracked, not a packet without flags.
#[derive(Deserialize)]
pub(super) struct TcpPart<'a> {
    #[serde(borrow, default)]
    pub(super) tcp_flags: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) tcp_flags_ts: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) tcp_flags_tc: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) state: Scalar<'a>,
}

/// `anomaly`: a decoder, stream or application-layer anomaly.
#[derive(Deserialize)]
pub(super) struct AnomalyPart<'a> {
    #[serde(borrow, default, rename = "type")]
    pub(super) kind: Scalar<'a>,
    #[serde(borrow, default)]
    pub(super) event: Scalar<'a>,
}
