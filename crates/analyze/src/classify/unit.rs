//! A unit of activity: the packets one actor sent for one purpose. A unit
//! becomes one detect.

use picket_knowledge::{PortCategory, PortTable, WormSignature};
use picket_model::{Host, Proto, TcpFlags};

use crate::config::Thresholds;
use crate::track::{Beyond, Gathering, Seen, SourceState};

/// Why packets of several sources were judged to be one actor's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// One source.
    Single,
    /// Impossible sources interleaved with others against one target.
    Interleaved,
    /// Hosts of one numbered address pool sending the same packet.
    Pool,
    /// Many sources, each sending little, together flooding one target.
    Flood,
    /// Sources past the tracking limits, counted together by target,
    /// protocol and port ([`crate::track::Crowd`]).
    Crowd,
}

/// Whether the packets start conversations or answer them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Unsolicited packets that start something (SYNs, UDP to a service).
    Probe,
    /// Answers: SYN-ACKs, RSTs, ICMP errors, UDP from a service port to an
    /// ephemeral port.
    Reply,
}

/// Packets of one actor for one purpose.
#[derive(Clone, Debug)]
pub struct Unit {
    /// The claimed sources, sorted.
    pub sources: Vec<Host>,
    /// Packets, sorted by time.
    pub packets: Vec<Seen>,
    /// Packets counted but not kept (past the per-source cap).
    pub overflow: u64,
    /// The ports and targets of the packets not kept.
    pub beyond: Option<Box<Beyond>>,
    /// Probes or replies.
    pub role: Role,
    /// Why several sources are one unit.
    pub grouping: Grouping,
}

/// Splits one source's packets into units: replies apart from probes; the
/// probes as one scan when they reach many ports or hosts, otherwise one unit
/// per service (all trojan ports together).
/// With `walk_contacts` (the log holds accepted traffic too), a source that
/// Threshold Random Walk calls a scanner keeps its probes in one unit.
pub fn split_source(
    state: SourceState,
    ports: &PortTable,
    limits: &Thresholds,
    walk_contacts: bool,
) -> Vec<Unit> {
    let SourceState {
        src,
        kept,
        overflow,
        beyond,
        ..
    } = state;
    let sends_syns = kept.iter().any(|s| {
        s.packet
            .tcp_flags()
            .is_some_and(|f| f.is_exactly(TcpFlags::SYN))
    });
    let (replies, probes): (Vec<Seen>, Vec<Seen>) = kept
        .into_iter()
        .partition(|s| is_reply(s, sends_syns, ports));
    let mut units = Vec::new();
    let unit = |packets: Vec<Seen>, role: Role, overflow: u64| Unit {
        sources: vec![src.clone()],
        packets,
        overflow,
        beyond: None,
        role,
        grouping: Grouping::Single,
    };
    if !replies.is_empty() {
        units.push(unit(replies, Role::Reply, 0));
    }
    if probes.is_empty() {
        if let Some(first) = units.first_mut() {
            first.overflow = overflow;
            first.beyond = beyond;
        }
        return units;
    }
    let mut whole = unit(probes, Role::Probe, overflow);
    whole.beyond = beyond;
    // A source whose first contacts mostly succeed is a client, however many
    // hosts and ports it talks to.
    let walk = walk_contacts.then(|| crate::classify::trw::walk(&whole).verdict);
    let benign = walk == Some(crate::classify::trw::Verdict::Benign);
    if overflow > 0
        || (!benign && is_scan_shaped(&whole.packets, limits))
        || worm_of(&whole.packets, ports).is_some()
        || (walk_contacts
            && crate::classify::trw::walk(&whole).verdict == crate::classify::trw::Verdict::Scanner)
    {
        units.push(whole);
        return units;
    }
    let probes = whole.packets;
    // One unit per service; trojan ports together.
    let mut groups: Vec<(ServiceKey, Vec<Seen>)> = Vec::new();
    for seen in probes {
        let key = service_key(&seen, ports);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(seen),
            None => groups.push((key, vec![seen])),
        }
    }
    units.extend(
        groups
            .into_iter()
            .map(|(_, list)| unit(list, Role::Probe, 0)),
    );
    units
}

/// One crowd of sources past the tracking limits as a unit: its kept
/// packets (the first and last few), the rest counted with their ports and
/// targets, every remembered source.
pub fn crowd_unit(crowd: Gathering, ports: &PortTable) -> Unit {
    let (mut packets, counted, sources, beyond) = crowd.into_kept();
    packets.sort_by(|a, b| {
        a.packet
            .time
            .cmp(&b.packet.time)
            .then(a.packet.origin.cmp(&b.packet.origin))
    });
    let role = if !packets.is_empty() && packets.iter().all(|s| is_reply(s, false, ports)) {
        Role::Reply
    } else {
        Role::Probe
    };
    Unit {
        sources,
        packets,
        overflow: counted,
        beyond: (counted > 0).then(|| Box::new(beyond)),
        role,
        grouping: Grouping::Crowd,
    }
}

/// The worm whose propagation these packets match: at least one packet
/// matches a signature that identifies the worm by itself (a distinctive
/// port, a characteristic size), and every packet goes where that worm goes.
pub fn worm_of<'a>(packets: &[Seen], ports: &'a PortTable) -> Option<&'a WormSignature> {
    let icmp_type = |s: &Seen| s.packet.icmp.as_ref().map(|i| i.kind);
    let found = packets.iter().find_map(|s| {
        let p = &s.packet;
        ports.match_worm(p.proto, p.dst_port, p.ip.total_len, icmp_type(s))
    });
    let dports: Vec<u16> = {
        let mut v: Vec<u16> = packets.iter().filter_map(|s| s.packet.dst_port).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let found = found.or_else(|| {
        let proto = packets.first()?.packet.proto;
        ports.match_worm_ports(proto, &dports)
    })?;
    let covered = packets.iter().all(|s| {
        let p = &s.packet;
        ports
            .match_worm(p.proto, p.dst_port, p.ip.total_len, icmp_type(s))
            .is_some_and(|w| w.name == found.name)
            || p.dst_port.is_some_and(|port| {
                ports
                    .worm_candidates(p.proto, port)
                    .any(|w| w.name == found.name)
            })
    });
    covered.then_some(found)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ServiceKey {
    Trojan,
    Port(Proto, u16),
    Icmp(u8),
    Proto(Proto),
}

fn service_key(seen: &Seen, ports: &PortTable) -> ServiceKey {
    let p = &seen.packet;
    if let Some(icmp) = &p.icmp {
        return ServiceKey::Icmp(icmp.kind);
    }
    match p.dst_port {
        Some(port) if ports.is_trojan_port(p.proto, port) => ServiceKey::Trojan,
        Some(port) => ServiceKey::Port(p.proto, port),
        None => ServiceKey::Proto(p.proto),
    }
}

/// Whether probes reach enough ports, hosts or protocols to be a scan.
fn is_scan_shaped(probes: &[Seen], limits: &Thresholds) -> bool {
    let mut ports = std::collections::BTreeSet::new();
    let mut hosts = std::collections::BTreeSet::new();
    let mut protos = std::collections::BTreeSet::new();
    for s in probes {
        if let Some(port) = s.packet.dst_port {
            ports.insert((s.packet.proto, port));
        }
        hosts.insert(&s.packet.dst);
        protos.insert(s.packet.proto);
    }
    ports.len() >= limits.scan_ports || hosts.len() >= limits.sweep_hosts || protos.len() >= 10
}

/// Answers rather than questions: what a host sends back, never first.
fn is_reply(seen: &Seen, sends_syns: bool, ports: &PortTable) -> bool {
    let p = &seen.packet;
    if let Some(flags) = p.tcp_flags() {
        if flags.has(TcpFlags::SYN | TcpFlags::ACK) {
            return true;
        }
        if flags.has(TcpFlags::RST) {
            return !sends_syns;
        }
        return false;
    }
    if let Some(icmp) = &p.icmp {
        // Echo reply, unreachable, source quench, redirect, time exceeded,
        // parameter problem, timestamp and address-mask replies; ICMPv6 errors.
        return if p.proto == Proto::ICMPV6 {
            icmp.kind < 128 || icmp.kind == 129
        } else {
            matches!(icmp.kind, 0 | 3 | 4 | 5 | 11 | 12 | 14 | 16 | 18)
        };
    }
    if p.proto == Proto::UDP
        && let (Some(sport), Some(dport)) = (p.src_port, p.dst_port)
    {
        let from_service = sport < 1024
            && ports.lookup(p.proto, sport).is_some_and(|e| {
                matches!(
                    e.category,
                    PortCategory::Service | PortCategory::Infrastructure
                )
            });
        let to_ephemeral = dport >= 1024 && ports.lookup(p.proto, dport).is_none();
        return from_service && to_ephemeral;
    }
    false
}
