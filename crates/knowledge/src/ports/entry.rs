//! One port's meaning: its transport, category and the analyst's notes.

use picket_model::Proto;
use serde::Deserialize;

/// Transport of a port entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// TCP only.
    Tcp,
    /// UDP only.
    Udp,
    /// The same meaning over TCP and UDP.
    Both,
}

impl Transport {
    /// True when a packet of this IP protocol can reach an entry of this transport.
    pub fn carries(self, proto: Proto) -> bool {
        match self {
            Transport::Tcp => proto == Proto::TCP,
            Transport::Udp => proto == Proto::UDP,
            Transport::Both => proto == Proto::TCP || proto == Proto::UDP,
        }
    }

    /// True when two transports share a protocol (so two entries of one port clash).
    pub fn overlaps(self, other: Transport) -> bool {
        self == other || self == Transport::Both || other == Transport::Both
    }

    /// The word used in reports: "tcp", "udp" or "tcp/udp" (the data file says "both").
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::Both => "tcp/udp",
        }
    }
}

/// What kind of port it is, for an analyst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PortCategory {
    /// An ordinary service (ssh, http, nntp).
    Service,
    /// Known mainly as a backdoor or trojan port (27374 SubSeven, 31337 Back Orifice).
    Trojan,
    /// Where open proxies are hunted (8080, 3128, 1080 SOCKS, WinGate).
    Proxy,
    /// Windows networking: NetBIOS, SMB, RPC (135-139, 445).
    WindowsSharing,
    /// A database or data store (1433, 3306, 5432, 6379, 27017...).
    Database,
    /// Remote logins and desktops (telnet, rdp 3389, vnc 5900, radmin...).
    RemoteAccess,
    /// Embedded devices and industrial controllers (2323 Mirai, 7547 TR-069, 502 Modbus...).
    Iot,
    /// Used mainly by worm propagation (4444 Blaster shell, 5554/9996 Sasser).
    Worm,
    /// Network plumbing: dns 53, ntp 123, snmp 161, dhcp, syslog, routing.
    Infrastructure,
}

impl PortCategory {
    /// A short phrase for reports ("a trojan or backdoor port").
    pub fn describe(self) -> &'static str {
        match self {
            PortCategory::Service => "a service port",
            PortCategory::Trojan => "a trojan or backdoor port",
            PortCategory::Proxy => "a proxy port",
            PortCategory::WindowsSharing => "a Windows networking port",
            PortCategory::Database => "a database port",
            PortCategory::RemoteAccess => "a remote access port",
            PortCategory::Iot => "an embedded-device or industrial-control port",
            PortCategory::Worm => "a port known from worm propagation",
            PortCategory::Infrastructure => "a network infrastructure port",
        }
    }
}

/// One port's meaning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortEntry {
    /// The port number.
    pub port: u16,
    /// The transport the meaning applies to.
    pub transport: Transport,
    /// Short name: "netbios-ns", "nntp", "http-proxy", "subseven".
    pub service: String,
    /// One line for a person: "NetBIOS name service".
    pub description: String,
    /// What kind of port it is.
    pub category: PortCategory,
    /// Trojans, backdoors and worms known on it, the best-known first:
    /// ["SubSeven", "Ramen"], ["Deep Throat", "The Invasor"].
    pub malware: Vec<String>,
    /// What probing it usually seeks, as a phrase completing "looking for ...".
    pub intent: String,
    /// 1..=5: the damage if the probe found what it looks for.
    pub lethality: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports_carry_their_protocols() {
        assert!(Transport::Tcp.carries(Proto::TCP));
        assert!(!Transport::Tcp.carries(Proto::UDP));
        assert!(Transport::Udp.carries(Proto::UDP));
        assert!(Transport::Both.carries(Proto::TCP) && Transport::Both.carries(Proto::UDP));
        assert!(!Transport::Both.carries(Proto::ICMP));
        assert!(Transport::Tcp.overlaps(Transport::Both));
        assert!(Transport::Both.overlaps(Transport::Udp));
        assert!(!Transport::Tcp.overlaps(Transport::Udp));
        assert_eq!(Transport::Both.as_str(), "tcp/udp");
        assert_eq!(PortCategory::Trojan.describe(), "a trojan or backdoor port");
    }
}
