//! What a port means to an analyst: the service, the trojans and worms known
//! on it, what probing it seeks, and how bad finding it would be; and the
//! signatures of worms whose propagation shows in firewall logs.
//!
//! The table is `data/ports.toml`, compiled in and parsed once. A user's file
//! of the same shape extends or overrides it ([`PortTable::with_overrides`]).

mod entry;
mod file;
mod worms;

use std::sync::LazyLock;

use picket_model::Proto;

use crate::KnowledgeError;

pub use entry::{PortCategory, PortEntry, Transport};
pub use worms::WormSignature;

/// The built-in knowledge file, compiled into the binary.
const BUILTIN_TOML: &str = include_str!("../../data/ports.toml");

/// The built-in table, parsed on first use. The data file is compiled in and
/// checked by the tests, so a failure here is a defect of the build itself.
static BUILTIN: LazyLock<PortTable> = LazyLock::new(|| match file::parse(BUILTIN_TOML) {
    Ok(parsed) => PortTable::from_parsed(parsed),
    Err(err) => panic!("the built-in data/ports.toml is invalid: {err}"),
});

/// The port and worm knowledge: built in, optionally extended by a user file.
#[derive(Clone, Debug, Default)]
pub struct PortTable {
    /// Sorted by (port, transport); a port may hold a TCP and a UDP entry, and
    /// after overrides a `Both` entry beside a more specific one.
    entries: Vec<PortEntry>,
    /// In match order: user signatures first, then the built-in ones.
    worms: Vec<WormSignature>,
    /// Every (protocol, port) some worm signature names, sorted: most
    /// packets go to no worm's port, and this answers so at once.
    worm_ports: Vec<(u8, u16)>,
    /// Protocols with a signature that names no port (matched on shape).
    portless_worm_protos: Vec<u8>,
}

impl PortTable {
    /// The built-in table, parsed once on first use.
    pub fn builtin() -> &'static PortTable {
        &BUILTIN
    }

    /// The built-in table with a user's file of the same shape laid over it.
    ///
    /// A user entry replaces the built-in entries of its port that its transport
    /// covers (a `both` entry replaces the TCP, UDP and `both` ones). A user worm
    /// replaces every built-in signature of the same name; other worms are added
    /// and are tried first.
    pub fn with_overrides(toml_text: &str) -> Result<PortTable, KnowledgeError> {
        let user = file::parse(toml_text)?;
        let mut table = PortTable::builtin().clone();
        for entry in user.entries {
            table.entries.retain(|old| {
                !(old.port == entry.port
                    && (old.transport == entry.transport || entry.transport == Transport::Both))
            });
            table.entries.push(entry);
        }
        table.sort_entries();
        let replaced: Vec<String> = user.worms.iter().map(|w| w.name.to_lowercase()).collect();
        let mut worms = user.worms;
        worms.extend(
            table
                .worms
                .into_iter()
                .filter(|old| !replaced.contains(&old.name.to_lowercase())),
        );
        table.worms = worms;
        table.index_worms();
        Ok(table)
    }

    /// What the port means for this protocol. The entry for the exact transport
    /// wins over a `both` entry; protocols other than TCP and UDP have no ports.
    pub fn lookup(&self, proto: Proto, port: u16) -> Option<&PortEntry> {
        let start = self.entries.partition_point(|e| e.port < port);
        let same_port = self.entries[start..]
            .iter()
            .take_while(|e| e.port == port)
            .filter(|e| e.transport.carries(proto));
        let mut fallback = None;
        for entry in same_port {
            if entry.transport != Transport::Both {
                return Some(entry);
            }
            fallback = Some(entry);
        }
        fallback
    }

    /// True when the port is known mainly as a trojan or backdoor port for this protocol.
    pub fn is_trojan_port(&self, proto: Proto, port: u16) -> bool {
        self.lookup(proto, port)
            .is_some_and(|e| e.category == PortCategory::Trojan)
    }

    /// Number of port entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table holds no port entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every port entry, sorted by port then transport.
    pub fn entries(&self) -> &[PortEntry] {
        &self.entries
    }

    /// Every worm signature, in match order.
    pub fn worms(&self) -> &[WormSignature] {
        &self.worms
    }

    /// The first worm whose every stated field matches this one packet. A port
    /// alone matches only signatures marked distinctive (see [`WormSignature`]).
    pub fn match_worm(
        &self,
        proto: Proto,
        dst_port: Option<u16>,
        ip_len: Option<u32>,
        icmp_type: Option<u8>,
    ) -> Option<&WormSignature> {
        if let Some(port) = dst_port
            && !self.portless_worm_protos.contains(&proto.0)
            && self.worm_ports.binary_search(&(proto.0, port)).is_err()
        {
            return None;
        }
        self.worms
            .iter()
            .find(|w| w.matches_packet(proto, dst_port, ip_len, icmp_type))
    }

    /// The first worm identified by the set of destination ports one source
    /// probed on a target: a sequence such as Blaster's 135 then 4444, or one
    /// distinctive port.
    pub fn match_worm_ports(&self, proto: Proto, dst_ports: &[u16]) -> Option<&WormSignature> {
        self.worms
            .iter()
            .find(|w| w.matches_port_set(proto, dst_ports))
    }

    /// Every worm known to use this destination port, distinctive or not: for
    /// the history an analyst writes ("445 is how Sasser, Conficker and
    /// WannaCry spread").
    pub fn worm_candidates(
        &self,
        proto: Proto,
        dst_port: u16,
    ) -> impl Iterator<Item = &WormSignature> + '_ {
        self.worms
            .iter()
            .filter(move |w| w.proto == proto && w.ports.contains(&dst_port))
    }

    fn from_parsed(parsed: file::Parsed) -> PortTable {
        let mut table = PortTable {
            entries: parsed.entries,
            worms: parsed.worms,
            worm_ports: Vec::new(),
            portless_worm_protos: Vec::new(),
        };
        table.sort_entries();
        table.index_worms();
        table
    }

    fn index_worms(&mut self) {
        self.worm_ports = self
            .worms
            .iter()
            .flat_map(|w| w.ports.iter().map(move |p| (w.proto.0, *p)))
            .collect();
        self.worm_ports.sort_unstable();
        self.worm_ports.dedup();
        self.portless_worm_protos = self
            .worms
            .iter()
            .filter(|w| w.ports.is_empty())
            .map(|w| w.proto.0)
            .collect();
    }

    fn sort_entries(&mut self) {
        self.entries.sort_by_key(|e| (e.port, e.transport));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> &'static PortTable {
        PortTable::builtin()
    }

    fn entry(proto: Proto, port: u16) -> &'static PortEntry {
        table()
            .lookup(proto, port)
            .unwrap_or_else(|| panic!("no entry for {}/{port}", proto.name()))
    }

    fn knows_malware(entry: &PortEntry, name: &str) -> bool {
        let name = name.to_lowercase();
        entry
            .malware
            .iter()
            .any(|m| m.to_lowercase().contains(&name))
    }

    #[test]
    fn data_file_parses_without_duplicates() {
        let parsed = file::parse(BUILTIN_TOML).expect("data/ports.toml parses");
        assert_eq!(parsed.entries.len(), table().len());
        assert!(table().len() >= 250, "only {} entries", table().len());
        let mut seen: Vec<(u16, Transport)> = Vec::new();
        for e in table().entries() {
            assert!(
                !seen
                    .iter()
                    .any(|(port, t)| *port == e.port && t.overlaps(e.transport)),
                "{}/{} listed twice",
                e.port,
                e.transport.as_str()
            );
            seen.push((e.port, e.transport));
            assert!((1..=5).contains(&e.lethality), "{}", e.port);
            assert!(!e.intent.ends_with('.'), "{}", e.port);
            assert!(
                !e.intent.to_lowercase().starts_with("looking for"),
                "{}",
                e.port
            );
        }
        assert!(table().worms().len() >= 15);
    }

    /// The ports of the ten detects of the 2000 GCIA paper (shared/seed/detects).
    #[test]
    fn paper_detect_ports() {
        // 02-subseven: TCP 27374.
        let subseven = entry(Proto::TCP, 27374);
        assert_eq!(subseven.category, PortCategory::Trojan);
        assert!(knows_malware(subseven, "SubSeven"));
        assert_eq!(subseven.intent, "hosts infected with the SubSeven trojan");
        // 04-deep-throat: UDP 2140, and TCP 2140 is something else.
        let deep_throat = entry(Proto::UDP, 2140);
        assert!(knows_malware(deep_throat, "Deep Throat"));
        assert!(knows_malware(deep_throat, "The Invasor"));
        assert!(!knows_malware(entry(Proto::TCP, 2140), "Deep Throat"));
        // 07-hackatack: UDP 31789.
        let hackatack = entry(Proto::UDP, 31789);
        assert!(knows_malware(hackatack, "Hack'a'Tack"));
        assert!(table().is_trojan_port(Proto::UDP, 31789));
        // 06-wingate: TCP 8080.
        let proxy = entry(Proto::TCP, 8080);
        assert_eq!(proxy.category, PortCategory::Proxy);
        assert!(proxy.description.contains("WinGate"));
        assert!(proxy.intent.contains("WinGate"));
        // 03, 05, 08: UDP 137.
        let netbios = entry(Proto::UDP, 137);
        assert_eq!(netbios.service, "netbios-ns");
        assert_eq!(netbios.description, "NetBIOS name service");
        assert_eq!(netbios.category, PortCategory::WindowsSharing);
        assert!(netbios.intent.contains("nbtstat -A"));
        // 09-nntp-scanner: TCP 119.
        let nntp = entry(Proto::TCP, 119);
        assert_eq!(nntp.service, "nntp");
        assert_eq!(
            nntp.intent,
            "news servers with known flaws or open to relaying posts"
        );
        // 01-ntp-misconfig: UDP 123.
        let ntp = entry(Proto::UDP, 123);
        assert_eq!(ntp.service, "ntp");
        assert_eq!(ntp.category, PortCategory::Infrastructure);
        // 10-port81-sweep: TCP 81.
        let port81 = entry(Proto::TCP, 81);
        assert!(port81.description.contains("HTTP alternate"));
        assert!(port81.description.contains("hosts2-ns"));
        assert!(!table().is_trojan_port(Proto::TCP, 81));
    }

    #[test]
    fn well_known_services_are_all_there() {
        let tcp = [
            7, 9, 11, 13, 19, 21, 22, 23, 25, 37, 42, 43, 49, 53, 79, 80, 81, 88, 109, 110, 111,
            113, 119, 135, 139, 143, 389, 427, 443, 445, 465, 512, 513, 514, 515, 554, 587, 631,
            636, 873, 993, 995, 1080, 1194, 1433, 1521, 1723, 2049, 2375, 3128, 3306, 3389, 5060,
            5432, 5900, 5985, 6000, 6379, 6667, 8000, 8080, 8443, 8888, 9200, 11211, 27017,
        ];
        for port in tcp {
            assert!(table().lookup(Proto::TCP, port).is_some(), "tcp/{port}");
        }
        let udp = [
            53, 67, 68, 69, 123, 137, 138, 161, 162, 177, 500, 520, 1434, 1900, 4500, 5353, 11211,
        ];
        for port in udp {
            assert!(table().lookup(Proto::UDP, port).is_some(), "udp/{port}");
        }
    }

    #[test]
    fn classic_trojans_and_modern_threats() {
        let known: &[(Proto, u16, &str)] = &[
            (Proto::TCP, 1243, "SubSeven"),
            (Proto::TCP, 6711, "SubSeven"),
            (Proto::TCP, 6712, "SubSeven"),
            (Proto::TCP, 6713, "SubSeven"),
            (Proto::TCP, 27573, "SubSeven"),
            (Proto::UDP, 3150, "Deep Throat"),
            (Proto::TCP, 6670, "Deep Throat"),
            (Proto::TCP, 6771, "Deep Throat"),
            (Proto::TCP, 41, "Deep Throat"),
            (Proto::TCP, 31785, "Hack'a'Tack"),
            (Proto::TCP, 31787, "Hack'a'Tack"),
            (Proto::TCP, 31788, "Hack'a'Tack"),
            (Proto::TCP, 31790, "Hack'a'Tack"),
            (Proto::TCP, 31792, "Hack'a'Tack"),
            (Proto::UDP, 31791, "Hack'a'Tack"),
            (Proto::TCP, 12345, "NetBus"),
            (Proto::TCP, 12346, "NetBus"),
            (Proto::TCP, 20034, "NetBus"),
            (Proto::UDP, 31337, "Back Orifice"),
            (Proto::TCP, 54320, "Back Orifice 2000"),
            (Proto::UDP, 54321, "Back Orifice 2000"),
            (Proto::TCP, 6970, "GateCrasher"),
            (Proto::TCP, 21554, "GirlFriend"),
            (Proto::TCP, 21544, "GirlFriend"),
            (Proto::TCP, 1011, "Doly"),
            (Proto::TCP, 1016, "Doly"),
            (Proto::TCP, 1024, "NetSpy"),
            (Proto::TCP, 1033, "NetSpy"),
            (Proto::TCP, 20000, "Millenium"),
            (Proto::TCP, 20001, "Millenium"),
            (Proto::TCP, 3129, "Masters Paradise"),
            (Proto::TCP, 40421, "Masters Paradise"),
            (Proto::TCP, 2801, "Phineas Phucker"),
            (Proto::UDP, 10067, "Portal of Doom"),
            (Proto::UDP, 10167, "Portal of Doom"),
            (Proto::TCP, 50766, "Schwindler"),
            (Proto::UDP, 27444, "Trinoo"),
            (Proto::TCP, 27665, "Trinoo"),
            (Proto::UDP, 31335, "Trinoo"),
            (Proto::TCP, 16660, "Stacheldraht"),
            (Proto::TCP, 65000, "Stacheldraht"),
            (Proto::TCP, 5000, "Sockets de Troie"),
            (Proto::TCP, 5001, "Sockets de Troie"),
            (Proto::TCP, 50505, "Sockets de Troie"),
            (Proto::TCP, 9989, "iNi-Killer"),
            (Proto::TCP, 2023, "Ripper"),
            (Proto::TCP, 23456, "Evil FTP"),
            (Proto::TCP, 17300, "Kuang2"),
            (Proto::TCP, 1095, "RAT"),
            (Proto::TCP, 7000, "Remote Grab"),
            (Proto::TCP, 4444, "Blaster"),
            (Proto::TCP, 5554, "Sasser"),
            (Proto::TCP, 9996, "Sasser"),
            (Proto::UDP, 1434, "SQL Slammer"),
            (Proto::TCP, 23, "Mirai"),
            (Proto::TCP, 2323, "Mirai"),
            (Proto::TCP, 7547, "Mirai"),
            (Proto::TCP, 5555, "ADB.Miner"),
            (Proto::TCP, 37215, "Satori"),
            (Proto::TCP, 52869, "Satori"),
            (Proto::TCP, 8291, "VPNFilter"),
            (Proto::TCP, 60001, "Mirai"),
            (Proto::TCP, 6379, "Kinsing"),
            (Proto::TCP, 2375, "Kinsing"),
            (Proto::TCP, 10250, "TeamTNT"),
        ];
        for &(proto, port, name) in known {
            let found = entry(proto, port);
            assert!(
                knows_malware(found, name),
                "{}/{port}: {name}",
                proto.name()
            );
        }
        assert_eq!(entry(Proto::TCP, 3128).category, PortCategory::Proxy);
        assert!(entry(Proto::TCP, 3128).description.contains("Squid"));
        assert_eq!(entry(Proto::TCP, 1080).category, PortCategory::Proxy);
        assert!(entry(Proto::TCP, 1080).intent.contains("WinGate"));
        assert!(entry(Proto::TCP, 23).description.contains("WinGate"));
        assert_eq!(entry(Proto::TCP, 2323).category, PortCategory::Iot);
        assert_eq!(entry(Proto::TCP, 1433).category, PortCategory::Database);
        assert_eq!(entry(Proto::TCP, 3389).category, PortCategory::RemoteAccess);
        assert_eq!(entry(Proto::TCP, 4444).category, PortCategory::Worm);
    }

    #[test]
    fn transport_and_protocol_decide() {
        assert!(table().is_trojan_port(Proto::TCP, 27374));
        assert!(!table().is_trojan_port(Proto::UDP, 27374));
        assert!(!table().is_trojan_port(Proto::TCP, 80));
        assert!(table().lookup(Proto::ICMP, 137).is_none());
        assert!(table().lookup(Proto(132), 80).is_none());
        assert_eq!(entry(Proto::TCP, 137).service, "netbios-ns");
        assert!(table().lookup(Proto::TCP, 138).is_none());
        assert_eq!(entry(Proto::UDP, 514).service, "syslog");
        assert_eq!(entry(Proto::TCP, 514).service, "shell");
        assert_eq!(entry(Proto::UDP, 6970).category, PortCategory::Service);
        assert!(table().lookup(Proto::UDP, 65534).is_none());
    }

    const OVERRIDE: &str = r#"
# The site runs a news server on 119 and a game on 40000.
[[port]]
port = 40000
transport = "udp"
service = "site-game"
description = "The site's game server"
category = "service"
intent = "the site's game server"
lethality = 1

[[port]]
port = 119
transport = "tcp"
service = "nntp"
description = "The site's own news server"
category = "service"
intent = "the site's news server, which accepts posts from customers only"
lethality = 2

[[port]]
port = 2140
transport = "tcp"
service = "site-tool"
description = "An in-house tool"
category = "service"
intent = "the in-house tool"
lethality = 1

[[worm]]
name = "SQL Slammer"
proto = "udp"
ports = [1434]
ip_len = [400, 410]
description = "Slammer, with a looser size for a sensor that counts differently"
"#;

    #[test]
    fn overrides_add_and_replace() {
        let custom = PortTable::with_overrides(OVERRIDE).expect("override parses");
        assert_eq!(custom.len(), table().len() + 1);
        assert_eq!(
            custom.lookup(Proto::UDP, 40000).unwrap().service,
            "site-game"
        );
        let nntp = custom.lookup(Proto::TCP, 119).unwrap();
        assert_eq!(nntp.lethality, 2);
        assert!(nntp.malware.is_empty());
        // A TCP override leaves the UDP meaning of the port alone.
        assert_eq!(
            custom.lookup(Proto::TCP, 2140).unwrap().service,
            "site-tool"
        );
        assert_eq!(
            custom.lookup(Proto::UDP, 2140).unwrap().service,
            "deep-throat"
        );
        // The user's Slammer replaces the built-in one.
        let slammers = custom
            .worms()
            .iter()
            .filter(|w| w.name == "SQL Slammer")
            .count();
        assert_eq!(slammers, 1);
        assert!(
            custom
                .match_worm(Proto::UDP, Some(1434), Some(408), None)
                .is_some()
        );
        assert!(
            table()
                .match_worm(Proto::UDP, Some(1434), Some(408), None)
                .is_none()
        );
        // The built-in table is untouched.
        assert_eq!(table().lookup(Proto::TCP, 119).unwrap().lethality, 3);
    }

    #[test]
    fn a_both_override_covers_tcp_and_udp() {
        let text = r#"
[[port]]
port = 514
transport = "both"
service = "site-log"
description = "Site log relay"
category = "infrastructure"
intent = "the site's log relay"
lethality = 1
"#;
        let custom = PortTable::with_overrides(text).unwrap();
        assert_eq!(custom.lookup(Proto::TCP, 514).unwrap().service, "site-log");
        assert_eq!(custom.lookup(Proto::UDP, 514).unwrap().service, "site-log");
        assert_eq!(custom.len(), table().len() - 1);
    }

    #[test]
    fn a_malformed_override_is_an_error() {
        let bad = OVERRIDE.replace(
            "lethality = 1\n\n[[port]]\nport = 119",
            "lethality = 7\n\n[[port]]\nport = 119",
        );
        let err = PortTable::with_overrides(&bad).unwrap_err();
        assert_eq!(err.field(), Some("lethality"));
        assert_eq!(err.line(), Some(10));
        assert!(err.to_string().contains("line 10"));
        assert!(PortTable::with_overrides("[[port]]\nport = 70000\n").is_err());
        assert!(PortTable::with_overrides("not toml at all").is_err());
        assert!(PortTable::with_overrides("").is_ok());
    }

    #[test]
    fn worms_match_only_on_every_stated_field() {
        let slammer = table().match_worm(Proto::UDP, Some(1434), Some(404), None);
        assert_eq!(slammer.map(|w| w.name.as_str()), Some("SQL Slammer"));
        assert!(
            table()
                .match_worm(Proto::UDP, Some(1434), Some(58), None)
                .is_none()
        );
        assert!(
            table()
                .match_worm(Proto::UDP, Some(1434), None, None)
                .is_none()
        );
        let welchia = table().match_worm(Proto::ICMP, None, Some(92), Some(8));
        assert_eq!(welchia.map(|w| w.name.as_str()), Some("Welchia"));
        assert!(
            table()
                .match_worm(Proto::ICMP, None, Some(84), Some(8))
                .is_none()
        );
        assert!(
            table()
                .match_worm(Proto::ICMP, None, Some(92), Some(0))
                .is_none()
        );
        // Common ports alone name no worm; distinctive ones do.
        for port in [445, 80, 135, 23, 1433, 4444] {
            assert!(
                table()
                    .match_worm(Proto::TCP, Some(port), Some(48), None)
                    .is_none(),
                "{port}"
            );
        }
        let sasser = table().match_worm(Proto::TCP, Some(9996), Some(48), None);
        assert_eq!(sasser.map(|w| w.name.as_str()), Some("Sasser"));
        let mirai = table().match_worm(Proto::TCP, Some(2323), None, None);
        assert_eq!(mirai.map(|w| w.name.as_str()), Some("Mirai"));
    }

    #[test]
    fn worm_port_sets_and_candidates() {
        let blaster = table().match_worm_ports(Proto::TCP, &[135, 4444]);
        assert_eq!(blaster.map(|w| w.name.as_str()), Some("Blaster"));
        assert!(table().match_worm_ports(Proto::TCP, &[135]).is_none());
        assert!(table().match_worm_ports(Proto::TCP, &[445, 139]).is_none());
        assert!(table().match_worm_ports(Proto::UDP, &[1434]).is_none());
        let names: Vec<&str> = table()
            .worm_candidates(Proto::TCP, 445)
            .map(|w| w.name.as_str())
            .collect();
        for name in ["Sasser", "Conficker", "WannaCry"] {
            assert!(names.contains(&name), "{names:?}");
        }
        let code_red: Vec<&str> = table()
            .worm_candidates(Proto::TCP, 80)
            .map(|w| w.name.as_str())
            .collect();
        assert!(code_red.contains(&"Code Red"));
    }
}
