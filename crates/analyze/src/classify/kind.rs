//! Naming what a unit is: its `kind` and, for scans, its `scan_type`.

use std::collections::BTreeSet;

use picket_knowledge::PortCategory;
use picket_model::{DetectKind, Proto, ScanType, TcpFlags};

use crate::classify::facts::Facts;
use crate::classify::timing;
use crate::classify::unit::{Role, Unit};
use crate::context::Context;
use crate::site::HostRole;

/// The kind and scan type of a unit.
pub fn classify(unit: &Unit, facts: &Facts, ctx: &Context) -> (DetectKind, Option<ScanType>) {
    let scan = scan_type(unit, facts);
    let authorized = unit
        .sources
        .iter()
        .any(|s| ctx.site.role(s) == Some(HostRole::AuthorizedScanner));
    if authorized {
        return (
            DetectKind::AuthorizedScan,
            scan_if_scanlike(facts, ctx, scan),
        );
    }
    if unit.role == Role::Reply {
        return if is_misconfiguration(unit, facts, ctx) {
            (DetectKind::Misconfiguration, None)
        } else {
            (DetectKind::Backscatter, None)
        };
    }
    if worm(unit, ctx).is_some() {
        return (DetectKind::Worm, None);
    }
    let benign_client = ctx.walk_contacts
        && crate::classify::trw::walk(unit).verdict == crate::classify::trw::Verdict::Benign;
    let many_ports =
        !benign_client && (facts.dports.len() >= ctx.limits.scan_ports || facts.protos.len() >= 10);
    let many_hosts = !benign_client && facts.targets_seen() >= ctx.limits.sweep_hosts
        || (many_ports && targets_port_scanned(unit, ctx.limits.scan_ports) >= 2);
    // Outbound: from the home network to outside it, or sent by the logging
    // host itself (no input interface, an output one).
    let locally_sent = unit
        .packets
        .iter()
        .all(|s| s.packet.in_iface.is_none() && s.packet.out_iface.is_some());
    let outbound = locally_sent
        || (unit.sources.iter().all(|s| ctx.home.contains(s))
            && facts.targets.iter().all(|t| !ctx.home.contains(t)));
    let trojan_ports = !facts.dports.is_empty()
        && facts.dports.iter().all(|p| {
            facts
                .protos
                .iter()
                .any(|proto| ctx.ports.is_trojan_port(*proto, *p))
        });
    if outbound && (many_ports || many_hosts || trojan_ports || c2_ports(facts)) {
        return (DetectKind::Compromise, scan_if_scanlike(facts, ctx, scan));
    }
    if unit.grouping == crate::classify::Grouping::Flood {
        return (DetectKind::Flood, None);
    }
    if facts.packets >= ctx.limits.flood_packets
        && facts.targets_seen() <= 2
        && timing::rate_per_sec(facts) >= ctx.limits.flood_rate
        && !many_ports
    {
        return (DetectKind::Flood, None);
    }
    let walked = (ctx.walk_contacts && !many_ports && !many_hosts)
        .then(|| crate::classify::trw::walk(unit))
        .filter(|w| w.verdict == crate::classify::trw::Verdict::Scanner);
    if walked.is_some() {
        let kind = if facts.targets_seen() > facts.dports.len() {
            DetectKind::HostSweep
        } else {
            DetectKind::PortScan
        };
        return (kind, scan.or(Some(ScanType::Mixed)));
    }
    match (many_ports, many_hosts) {
        (true, true) => return (DetectKind::BlockScan, scan.or(Some(ScanType::Mixed))),
        (true, false) => return (DetectKind::PortScan, scan.or(Some(ScanType::Mixed))),
        (false, true) => return (DetectKind::HostSweep, scan.or(Some(ScanType::Mixed))),
        (false, false) => {}
    }
    if trojan_ports {
        return (DetectKind::TrojanProbe, None);
    }
    let known_service = facts.dports.iter().any(|p| {
        facts
            .protos
            .iter()
            .any(|proto| ctx.ports.lookup(*proto, *p).is_some())
    });
    if facts.ids_only == facts.packets && !known_service {
        return (DetectKind::Alert, None);
    }
    (DetectKind::ServiceProbe, None)
}

/// How many targets each received at least `ports` distinct ports.
fn targets_port_scanned(unit: &Unit, ports: usize) -> usize {
    let mut per_target: std::collections::BTreeMap<&picket_model::Host, BTreeSet<u16>> =
        std::collections::BTreeMap::new();
    for s in &unit.packets {
        if let Some(port) = s.packet.dst_port {
            per_target.entry(&s.packet.dst).or_default().insert(port);
        }
    }
    per_target.values().filter(|set| set.len() >= ports).count()
}

fn scan_if_scanlike(facts: &Facts, ctx: &Context, scan: Option<ScanType>) -> Option<ScanType> {
    let scanlike = facts.dports.len() >= ctx.limits.scan_ports
        || facts.targets_seen() >= ctx.limits.sweep_hosts;
    if scanlike { scan } else { None }
}

/// Ports that command-and-control traffic favours (IRC and its usual
/// alternates).
fn c2_ports(facts: &Facts) -> bool {
    facts
        .dports
        .iter()
        .any(|p| matches!(p, 6660..=6669 | 6697 | 7000 | 31337))
}

/// The worm a unit's packets match, if any.
pub fn worm<'a>(unit: &Unit, ctx: &Context<'a>) -> Option<&'a picket_knowledge::WormSignature> {
    crate::classify::unit::worm_of(&unit.packets, ctx.ports)
}

/// Replies from one service to one host's rising ephemeral ports at a steady
/// pace: the host's own requests answered and dropped by a local rule.
fn is_misconfiguration(unit: &Unit, facts: &Facts, ctx: &Context) -> bool {
    let known_server = unit.sources.iter().any(|s| {
        matches!(
            ctx.site.role(s),
            Some(HostRole::NtpServer | HostRole::Resolver | HostRole::Partner)
        )
    });
    if known_server {
        return true;
    }
    if facts.protos.iter().any(|p| *p != Proto::UDP) || facts.targets_seen() != 1 {
        return false;
    }
    if facts.sports.len() != 1 || facts.packets < 3 {
        return false;
    }
    let dports: Vec<u16> = unit
        .packets
        .iter()
        .filter_map(|s| s.packet.dst_port)
        .collect();
    let rising = dports.windows(2).all(|w| w[1] > w[0]);
    let service = facts
        .sports
        .first()
        .and_then(|p| ctx.ports.lookup(Proto::UDP, *p))
        .is_some_and(|e| {
            matches!(
                e.category,
                PortCategory::Service | PortCategory::Infrastructure
            )
        });
    rising && service && (timing::steady_period(unit).is_some() || dports.len() >= 3)
}

/// The scan technique from the probes' flags or protocol.
pub fn scan_type(unit: &Unit, facts: &Facts) -> Option<ScanType> {
    if facts.protos.len() >= 10 {
        return Some(ScanType::IpProtocol);
    }
    let mut types: BTreeSet<ScanType> = BTreeSet::new();
    let probes = facts.packets.max(1);
    let mut consider = |t: ScanType, n: u64| {
        if n > 0 && n * 10 >= probes {
            types.insert(t);
        }
    };
    let syn = facts.tcp_count(TcpFlags::SYN);
    if syn > 0 {
        consider(
            if connect_like(unit) {
                ScanType::Connect
            } else {
                ScanType::Syn
            },
            syn,
        );
    }
    consider(ScanType::Fin, facts.tcp_count(TcpFlags::FIN));
    consider(ScanType::Null, facts.tcp_count(0));
    consider(
        ScanType::Xmas,
        facts.tcp_count(TcpFlags::FIN | TcpFlags::PSH | TcpFlags::URG),
    );
    consider(ScanType::Ack, facts.tcp_count(TcpFlags::ACK));
    consider(
        ScanType::Maimon,
        facts.tcp_count(TcpFlags::FIN | TcpFlags::ACK),
    );
    let udp = unit
        .packets
        .iter()
        .filter(|s| s.packet.proto == Proto::UDP)
        .count() as u64;
    consider(ScanType::Udp, udp);
    let echo: u64 = facts
        .icmp
        .iter()
        .filter(|((t, _), _)| *t == 8 || *t == 128)
        .map(|(_, n)| *n)
        .sum();
    consider(ScanType::IcmpEcho, echo);
    match types.len() {
        0 => None,
        1 => types.into_iter().next(),
        _ => Some(ScanType::Mixed),
    }
}

/// SYNs that carry a full operating-system option set (SACK, timestamps,
/// window scale) come from connect(); a raw SYN scanner sends MSS alone.
fn connect_like(unit: &Unit) -> bool {
    let mut full = 0usize;
    let mut bare = 0usize;
    for s in &unit.packets {
        let p = &s.packet;
        if !p.tcp_flags().is_some_and(|f| f.is_exactly(TcpFlags::SYN)) {
            continue;
        }
        let header = if p.ip.v6 { 40 } else { 20 };
        let from_options = p
            .tcp
            .as_ref()
            .and_then(|t| t.options.as_ref())
            .map(|o| o.kinds.iter().any(|k| matches!(k, 3 | 4 | 8)));
        // A TCP header is at most 60 bytes: a longer SYN carries IPv6
        // extension headers or IP options, and its length says nothing.
        let from_length =
            p.ip.total_len
                .map(|len| len.saturating_sub(header))
                .filter(|tcp| *tcp <= 60)
                .map(|tcp| tcp >= 32);
        match from_options.or(from_length) {
            Some(true) => full += 1,
            Some(false) => bare += 1,
            None => {}
        }
    }
    full > bare
}
