//! One packet as one sensor logged it.
//!
//! Every parser fills the fields its format carries and leaves the rest `None`.
//! The analysis never asks which format a packet came from, only what is known.

use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;

use crate::host::Host;

/// Which kind of sensor wrote a record. Its text form is the `sensors` vocabulary
/// of the JSON report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sensor {
    /// Linux 2.2 ipchains `Packet log:` lines.
    Ipchains,
    /// Linux netfilter LOG lines (iptables, ip6tables, nftables, ufw).
    Netfilter,
    /// Sun SunScreen SPF-200 `ssadm logdump` records.
    Sunscreen,
    /// Snort alerts, in any of its output forms.
    Snort,
    /// Suricata alerts and flows.
    Suricata,
    /// OpenBSD/FreeBSD pf.
    Pf,
    /// Cisco ASA, PIX and FTD.
    CiscoAsa,
    /// A packet capture.
    Pcap,
    /// Cisco IOS access-list logging.
    CiscoIos,
    /// ipfilter's `ipmon`.
    Ipfilter,
    /// FreeBSD `ipfw`.
    Ipfw,
    /// Windows Firewall (`pfirewall.log`).
    WindowsFirewall,
    /// Juniper SRX and NetScreen.
    Juniper,
    /// Fortinet FortiGate.
    Fortigate,
    /// Zeek (Bro) connection logs.
    Zeek,
}

impl Sensor {
    /// The name used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Sensor::Ipchains => "ipchains",
            Sensor::Netfilter => "netfilter",
            Sensor::Sunscreen => "sunscreen",
            Sensor::Snort => "snort",
            Sensor::Suricata => "suricata",
            Sensor::Pf => "pf",
            Sensor::CiscoAsa => "cisco-asa",
            Sensor::Pcap => "pcap",
            Sensor::CiscoIos => "cisco-ios",
            Sensor::Ipfilter => "ipfilter",
            Sensor::Ipfw => "ipfw",
            Sensor::WindowsFirewall => "windows-firewall",
            Sensor::Juniper => "juniper",
            Sensor::Fortigate => "fortigate",
            Sensor::Zeek => "zeek",
        }
    }

    /// True for sensors that report alerts (an IDS) rather than filter decisions.
    pub fn is_ids(self) -> bool {
        matches!(self, Sensor::Snort | Sensor::Suricata)
    }

    /// Every sensor, in a fixed order.
    pub const ALL: [Sensor; 15] = [
        Sensor::Ipchains,
        Sensor::Netfilter,
        Sensor::Sunscreen,
        Sensor::Snort,
        Sensor::Suricata,
        Sensor::Pf,
        Sensor::CiscoAsa,
        Sensor::Pcap,
        Sensor::CiscoIos,
        Sensor::Ipfilter,
        Sensor::Ipfw,
        Sensor::WindowsFirewall,
        Sensor::Juniper,
        Sensor::Fortigate,
        Sensor::Zeek,
    ];
}

impl fmt::Display for Sensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the sensor did with the packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Action {
    /// Dropped silently (ipchains DENY, netfilter DROP, SunScreen deny).
    Drop,
    /// Refused with an error reply (REJECT).
    Reject,
    /// Let through (ACCEPT, MASQ, REDIRECT, a logged pass).
    Accept,
    /// An IDS alert: the packet was seen, not necessarily stopped.
    Alert,
    /// Logged without a stated decision.
    #[default]
    Logged,
}

impl Action {
    /// True when the packet did not reach its target.
    pub fn blocked(self) -> bool {
        matches!(self, Action::Drop | Action::Reject)
    }

    /// A word for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Drop => "dropped",
            Action::Reject => "rejected",
            Action::Accept => "accepted",
            Action::Alert => "alerted",
            Action::Logged => "logged",
        }
    }
}

/// The IP protocol number. Constants name the common ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Proto(pub u8);

impl Proto {
    /// ICMP for IPv4.
    pub const ICMP: Proto = Proto(1);
    /// IGMP.
    pub const IGMP: Proto = Proto(2);
    /// TCP.
    pub const TCP: Proto = Proto(6);
    /// UDP.
    pub const UDP: Proto = Proto(17);
    /// ICMP for IPv6.
    pub const ICMPV6: Proto = Proto(58);
    /// Not logged (Snort 1.x fast and syslog alerts name no protocol). 255 is
    /// reserved by IANA, so no real packet carries it.
    pub const UNKNOWN: Proto = Proto(255);

    /// The `protocols` vocabulary of the JSON report: a name for the common
    /// protocols, otherwise the number.
    pub fn name(self) -> String {
        match self.0 {
            1 => "icmp".into(),
            2 => "igmp".into(),
            6 => "tcp".into(),
            17 => "udp".into(),
            47 => "gre".into(),
            50 => "esp".into(),
            51 => "ah".into(),
            58 => "icmpv6".into(),
            132 => "sctp".into(),
            255 => "unknown".into(),
            n => n.to_string(),
        }
    }

    /// Parses a protocol as logged: a name (any case) or a number.
    pub fn parse(text: &str) -> Option<Proto> {
        if let Ok(n) = text.parse::<u8>() {
            return Some(Proto(n));
        }
        let p = match text.to_ascii_lowercase().as_str() {
            "icmp" => 1,
            "igmp" => 2,
            "tcp" => 6,
            "udp" => 17,
            "gre" => 47,
            "esp" => 50,
            "ah" => 51,
            "icmpv6" | "ipv6-icmp" | "icmp6" => 58,
            "sctp" => 132,
            _ => return None,
        };
        Some(Proto(p))
    }
}

/// TCP flags as a bit set, in header order (FIN is bit 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// PSH.
    pub const PSH: u8 = 0x08;
    /// ACK.
    pub const ACK: u8 = 0x10;
    /// URG.
    pub const URG: u8 = 0x20;
    /// ECE.
    pub const ECE: u8 = 0x40;
    /// CWR.
    pub const CWR: u8 = 0x80;

    /// True when every bit of `mask` is set.
    pub fn has(self, mask: u8) -> bool {
        self.0 & mask == mask
    }

    /// True when exactly the bits of `mask` are set, ignoring ECE and CWR.
    pub fn is_exactly(self, mask: u8) -> bool {
        self.0 & 0x3f == mask
    }

    /// Sets the bits of `mask`.
    pub fn set(&mut self, mask: u8) {
        self.0 |= mask;
    }
}

impl fmt::Display for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [(u8, &str); 8] = [
            (TcpFlags::CWR, "CWR"),
            (TcpFlags::ECE, "ECE"),
            (TcpFlags::URG, "URG"),
            (TcpFlags::ACK, "ACK"),
            (TcpFlags::PSH, "PSH"),
            (TcpFlags::RST, "RST"),
            (TcpFlags::SYN, "SYN"),
            (TcpFlags::FIN, "FIN"),
        ];
        if self.0 == 0 {
            return f.write_str("none");
        }
        let mut first = true;
        for (bit, name) in NAMES {
            if self.0 & bit != 0 {
                if !first {
                    f.write_str(" ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// TCP options, reduced to what fingerprints a sender's stack.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct TcpOptions {
    /// Option kinds in the order sent (0 EOL, 1 NOP, 2 MSS, 3 window scale,
    /// 4 SACK permitted, 5 SACK, 8 timestamp, ...). At most 16 are kept.
    pub kinds: Vec<u8>,
    /// Maximum segment size, if sent.
    pub mss: Option<u16>,
    /// Window scale shift, if sent.
    pub window_scale: Option<u8>,
}

impl fmt::Display for TcpOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for &kind in &self.kinds {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            match kind {
                0 => f.write_str("EOL")?,
                1 => f.write_str("NOP")?,
                2 => match self.mss {
                    Some(m) => write!(f, "MSS:{m}")?,
                    None => f.write_str("MSS")?,
                },
                3 => match self.window_scale {
                    Some(w) => write!(f, "WS:{w}")?,
                    None => f.write_str("WS")?,
                },
                4 => f.write_str("SackOK")?,
                5 => f.write_str("SACK")?,
                8 => f.write_str("TS")?,
                k => write!(f, "opt{k}")?,
            }
        }
        Ok(())
    }
}

/// IP header fields.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct IpFields {
    /// Total length of the IP datagram in bytes.
    pub total_len: Option<u32>,
    /// Time to live (IPv4) or hop limit (IPv6).
    pub ttl: Option<u8>,
    /// IP identification (IPv4; IPv6 fragments carry a 32-bit one).
    pub id: Option<u32>,
    /// Type of service / traffic class.
    pub tos: Option<u8>,
    /// Don't-fragment bit.
    pub df: bool,
    /// More-fragments bit.
    pub mf: bool,
    /// Fragment offset in 8-byte units, when logged.
    pub frag_offset: Option<u16>,
    /// True for IPv6.
    pub v6: bool,
}

/// TCP header fields.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TcpFields {
    /// Flags; `None` when the sensor did not log them.
    pub flags: Option<TcpFlags>,
    /// Sequence number.
    pub seq: Option<u32>,
    /// Acknowledgement number.
    pub ack: Option<u32>,
    /// Advertised window.
    pub window: Option<u32>,
    /// Options, when logged.
    pub options: Option<Box<TcpOptions>>,
}

/// ICMP or ICMPv6 fields.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct IcmpFields {
    /// Message type.
    pub kind: u8,
    /// Message code.
    pub code: u8,
    /// Echo identifier.
    pub echo_id: Option<u16>,
    /// Echo sequence number.
    pub echo_seq: Option<u16>,
    /// For error messages: the header of the packet that caused the error,
    /// as the sensor logged it (source, destination, protocol, ports).
    pub quoted: Option<Box<Packet>>,
}

/// How a connection ended, as a flow record (Zeek `conn_state`, Suricata
/// flow state, a firewall's teardown) tells it. Scanners' first contacts
/// mostly fail; that is what sequential hypothesis testing weighs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowOutcome {
    /// The handshake completed (or the UDP exchange went both ways).
    Established,
    /// The target refused it (RST, ICMP unreachable, REJ).
    Rejected,
    /// Nothing came back (SYN unanswered, S0, a dropped attempt).
    Unanswered,
    /// Anything else (half-closed, mid-stream pick-up).
    Other,
}

/// What a flow record adds to the packet that opened it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FlowInfo {
    /// How it ended, when the record says.
    pub outcome: Option<FlowOutcome>,
    /// Packets from the originator.
    pub packets_out: Option<u64>,
    /// Packets from the responder.
    pub packets_back: Option<u64>,
    /// Bytes from the originator.
    pub bytes_out: Option<u64>,
    /// Bytes from the responder.
    pub bytes_back: Option<u64>,
    /// Duration in milliseconds.
    pub duration_ms: Option<u64>,
}

/// An IDS signature that fired on the packet.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Signature {
    /// Generator id (1 for rules), when logged.
    pub gid: Option<u32>,
    /// Signature id.
    pub sid: Option<u32>,
    /// Revision.
    pub rev: Option<u32>,
    /// The alert message, as logged (attacker-influenced: escape on output).
    pub message: Arc<str>,
    /// The rule's classification, when logged.
    pub classification: Option<Arc<str>>,
    /// Priority (1 is the most urgent), when logged.
    pub priority: Option<u8>,
}

/// Where a packet was read: which input and which line (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Origin {
    /// Index of the input in the run's list of inputs.
    pub input: u32,
    /// First line of the record, counting from 1.
    pub line: u64,
}

/// One packet as one sensor logged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    /// When the sensor saw it; `None` when the timestamp could not be read.
    pub time: Option<Timestamp>,
    /// The sensor that logged it.
    pub sensor: Sensor,
    /// What the sensor did with it.
    pub action: Action,
    /// Claimed source.
    pub src: Host,
    /// Destination.
    pub dst: Host,
    /// IP protocol.
    pub proto: Proto,
    /// Source port (TCP, UDP, SCTP).
    pub src_port: Option<u16>,
    /// Destination port.
    pub dst_port: Option<u16>,
    /// IP header fields.
    pub ip: IpFields,
    /// TCP fields, for TCP.
    pub tcp: Option<TcpFields>,
    /// ICMP fields, for ICMP and ICMPv6.
    pub icmp: Option<IcmpFields>,
    /// Transport length as logged: the UDP length field, or the TCP/other
    /// payload length when that is what the sensor printed.
    pub transport_len: Option<u32>,
    /// Interface the packet came in on.
    pub in_iface: Option<Arc<str>>,
    /// Interface it was going out of.
    pub out_iface: Option<Arc<str>>,
    /// A log prefix, chain or rule label (attacker-influenced only through
    /// configuration, still escaped on output).
    pub label: Option<Arc<str>>,
    /// The IDS signature, for alerts.
    pub signature: Option<Box<Signature>>,
    /// For flow records (Zeek, Suricata flows, firewall teardowns): the
    /// whole connection's outcome and counts. The packet is its first packet.
    pub flow: Option<Box<FlowInfo>>,
    /// Where it was read.
    pub origin: Origin,
}

impl Packet {
    /// A packet with the given endpoints and protocol and nothing else known.
    pub fn new(sensor: Sensor, src: Host, dst: Host, proto: Proto) -> Packet {
        Packet {
            time: None,
            sensor,
            action: Action::Logged,
            src,
            dst,
            proto,
            src_port: None,
            dst_port: None,
            ip: IpFields::default(),
            tcp: None,
            icmp: None,
            transport_len: None,
            in_iface: None,
            out_iface: None,
            label: None,
            signature: None,
            flow: None,
            origin: Origin::default(),
        }
    }

    /// The TCP flags, when this is a TCP packet whose flags were logged.
    pub fn tcp_flags(&self) -> Option<TcpFlags> {
        self.tcp.as_ref().and_then(|t| t.flags)
    }

    /// The TCP sequence number, when logged.
    pub fn tcp_seq(&self) -> Option<u32> {
        self.tcp.as_ref().and_then(|t| t.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_print_in_tcpdump_order() {
        let flags = TcpFlags(TcpFlags::URG | TcpFlags::PSH | TcpFlags::FIN);
        assert_eq!(flags.to_string(), "URG PSH FIN");
        assert_eq!(TcpFlags(0).to_string(), "none");
        assert!(TcpFlags(TcpFlags::SYN).is_exactly(TcpFlags::SYN));
        assert!(!TcpFlags(TcpFlags::SYN | TcpFlags::ACK).is_exactly(TcpFlags::SYN));
    }

    #[test]
    fn protocol_names_and_numbers() {
        assert_eq!(Proto::parse("TCP"), Some(Proto::TCP));
        assert_eq!(Proto::parse("ICMPv6"), Some(Proto::ICMPV6));
        assert_eq!(Proto::parse("162"), Some(Proto(162)));
        assert_eq!(Proto(162).name(), "162");
        assert_eq!(Proto::UDP.name(), "udp");
        assert_eq!(Proto::parse("bogus"), None);
    }

    #[test]
    fn options_print_like_snort() {
        let opts = TcpOptions {
            kinds: vec![2, 1, 1, 4],
            mss: Some(536),
            window_scale: None,
        };
        assert_eq!(opts.to_string(), "MSS:536 NOP NOP SackOK");
    }
}
