//! Is the source forged? Sources that cannot exist on the wire, several
//! claimed sources acting as one, and what the activity needs back.

use std::net::{IpAddr, Ipv4Addr};

use picket_knowledge::addr::{self, AddrClass};
use picket_model::{DetectKind, Host, Proto, Spoofed, TcpFlags, thousands};

use crate::classify::{Facts, Grouping, Unit};
use crate::context::Context;
use crate::site::Site;

/// Why a source cannot be genuine for a packet to `target` arriving on
/// `iface`: [`impossible_source`], except that a lab or loopback network
/// talking to itself (both ends in one special range, or the loopback
/// interface) and link-local neighbours are genuine.
pub fn impossible_source_for(
    host: &Host,
    target: Option<&Host>,
    iface: Option<&str>,
    site: &Site,
) -> Option<String> {
    if iface == Some("lo") {
        return None;
    }
    if let (Some(src), Some(dst)) = (host.addr(), target.and_then(Host::addr)) {
        let (sc, dc) = (addr::classify(src), addr::classify(dst));
        // Link-local senders and link-scope multicast stay on the wire
        // they were sent on: nothing forged crosses a router to get there.
        let link_scope = match dst {
            IpAddr::V6(d) => d.segments()[0] == 0xff02,
            IpAddr::V4(d) => d.octets()[..3] == [224, 0, 0],
        };
        if sc == AddrClass::LinkLocal || link_scope {
            return None;
        }
        if sc == dc && sc != AddrClass::Global && same_prefix(src, dst) {
            return None;
        }
    }
    impossible_source(host, site)
}

/// [`impossible_source_for`] over every packet of `src` in the unit: the
/// source is genuine if any of its packets shows it on its own network.
pub fn impossible_in_unit(unit: &Unit, src: &Host, site: &Site) -> Option<String> {
    let mut why = None;
    for s in unit.packets.iter().filter(|s| &s.packet.src == src) {
        let iface = s.packet.in_iface.as_deref();
        match impossible_source_for(src, Some(&s.packet.dst), iface, site) {
            None => return None,
            Some(reason) => why = why.or(Some(reason)),
        }
    }
    why.or_else(|| impossible_source(src, site))
}

/// [`impossible_in_unit`], except that an address of the home network is
/// the site's own: a site numbered from a documentation or reserved range
/// (a lab, a test bed) sends from it honestly.
pub fn impossible_here(unit: &Unit, src: &Host, ctx: &Context) -> Option<String> {
    if matches!(src, Host::Addr(_)) && ctx.home.contains(src) {
        return None;
    }
    impossible_in_unit(unit, src, ctx.site)
}

/// True when two addresses share their first 24 (IPv4) or 32 (IPv6) bits.
fn same_prefix(a: IpAddr, b: IpAddr) -> bool {
    match (a, b) {
        (IpAddr::V4(a), IpAddr::V4(b)) => a.octets()[..3] == b.octets()[..3],
        (IpAddr::V6(a), IpAddr::V6(b)) => a.segments()[..2] == b.segments()[..2],
        _ => false,
    }
}

/// Why a source cannot be genuine, or `None` when it could be. Covers
/// special-purpose ranges that never route, network and broadcast
/// addresses, and the network names old sensors printed (`arpanet`).
pub fn impossible_source(host: &Host, site: &Site) -> Option<String> {
    match host {
        Host::Addr(ip) => impossible_addr(*ip),
        Host::Name(name) => {
            let net = site
                .network_name(name)
                .or_else(|| addr::classic_network_name(name))?;
            Some(format!(
                "`{name}` is the name of the network {net}, not of a host: a network address \
                 cannot send packets"
            ))
        }
    }
}

fn impossible_addr(ip: IpAddr) -> Option<String> {
    let class = addr::classify(ip);
    match class {
        AddrClass::Global => {}
        AddrClass::Private | AddrClass::SharedCgn | AddrClass::UniqueLocal => return None,
        other if !other.is_routable_source() => {
            return Some(format!(
                "{ip} is {}, which never appears honestly as a source",
                other.describe()
            ));
        }
        _ => {}
    }
    if let IpAddr::V4(v4) = ip
        && addr::is_classful_network_or_broadcast(v4)
        && v4 != Ipv4Addr::UNSPECIFIED
    {
        return Some(format!(
            "{ip} is the network or broadcast address of its classful network, which no host uses"
        ));
    }
    None
}

/// A private source that reached a target outside its own private range:
/// it cannot have crossed the internet honestly.
fn private_from_outside(src: &Host, dst: &Host, ctx: &Context) -> Option<String> {
    let ip = src.addr()?;
    let class = addr::classify(ip);
    if !matches!(
        class,
        AddrClass::Private | AddrClass::SharedCgn | AddrClass::UniqueLocal
    ) {
        return None;
    }
    let target_public = match dst {
        Host::Addr(d) => addr::classify(*d) == AddrClass::Global,
        // A name hides its address: take it as public unless the site says
        // its own networks are all private.
        Host::Name(_) => {
            ctx.site.home_networks.is_empty()
                || ctx
                    .site
                    .home_networks
                    .iter()
                    .any(|n| addr::classify(n.network()) == AddrClass::Global)
        }
    };
    if ctx.site.is_home_addr(ip) || !target_public {
        return None;
    }
    Some(format!(
        "{ip} is {}, which cannot arrive from the internet, yet it was sent to {dst}",
        class.describe()
    ))
}

/// Most claimed sources of one unit checked one by one for forgery.
const SOURCES_JUDGED: usize = 64;

/// The verdict on forgery and the reasons behind it.
pub fn judge(
    unit: &Unit,
    facts: &Facts,
    kind: DetectKind,
    ctx: &Context,
) -> (Spoofed, Vec<String>) {
    let mut reasons = Vec::new();
    // Each source's check reads all the unit's packets: judging the first
    // few dozen of a many-source flood says as much as judging all of them.
    for src in unit.sources.iter().take(SOURCES_JUDGED) {
        if let Some(why) = impossible_here(unit, src, ctx) {
            reasons.push(why);
        } else if let Some(dst) = facts.targets.first()
            && let Some(why) = private_from_outside(src, dst, ctx)
        {
            reasons.push(why);
        } else if let Some(why) = private_on_outside_interface(unit, src, ctx) {
            reasons.push(why);
        }
    }
    if matches!(unit.grouping, Grouping::Flood | Grouping::Crowd)
        && kind == DetectKind::Flood
        && unit.sources.len() >= 10
        && !facts.ttls.is_empty()
    {
        let families: std::collections::BTreeSet<u8> = facts
            .ttls
            .iter()
            .map(|t| crate::assess::fingerprint::initial_ttl(*t))
            .collect();
        let spread =
            facts.ttls.last().copied().unwrap_or(0) - facts.ttls.first().copied().unwrap_or(0);
        if families.len() == 1 && spread <= 4 {
            reasons.push(format!(
                "{} claimed sources all arrive with TTLs {}-{}: one machine behind many addresses",
                thousands(unit.sources.len() as u64),
                facts.ttls.first().copied().unwrap_or(0),
                facts.ttls.last().copied().unwrap_or(0)
            ));
        }
    }
    if unit.grouping == Grouping::Interleaved {
        let ttl = match facts.ttls.len() {
            0 => "the sensor did not log TTLs to confirm one origin".to_string(),
            1 => format!(
                "all with TTL {}, as from one origin",
                facts.ttls.first().copied().unwrap_or(0)
            ),
            _ => "with TTLs within two hops of each other".to_string(),
        };
        reasons.push(format!(
            "{} claimed sources take turns against the same target within seconds ({ttl})",
            thousands(unit.sources.len() as u64)
        ));
    }
    if !reasons.is_empty() {
        return (Spoofed::Likely, reasons);
    }
    if kind == DetectKind::Misconfiguration {
        return (
            Spoofed::Unlikely,
            vec!["regular replies of a known service to this host's own requests".into()],
        );
    }
    if kind == DetectKind::Backscatter {
        return (
            Spoofed::Unlikely,
            vec![
                "the senders are genuine: they answer packets someone forged in this site's name"
                    .into(),
            ],
        );
    }
    let tcp_opening =
        facts.tcp_count(TcpFlags::SYN) > 0 || facts.tcp_count(TcpFlags::SYN | TcpFlags::ACK) > 0;
    // ipchains logs no flags unless the packet is a SYN on newer kernels;
    // a small TCP packet with no data is a connection request all the same.
    let unflagged_openings = unit.packets.iter().any(|s| {
        let p = &s.packet;
        p.proto == Proto::TCP
            && p.tcp_flags().is_none()
            && p.ip.total_len.is_some_and(|len| (40..=64).contains(&len))
    });
    if tcp_opening || unflagged_openings {
        return (
            Spoofed::Unlikely,
            vec!["TCP connection attempts only pay off if the answer reaches the sender, so the source is real".into()],
        );
    }
    if facts.accepted > 0 {
        return (
            Spoofed::Unlikely,
            vec!["the traffic was accepted and answered".into()],
        );
    }
    (
        Spoofed::Possible,
        vec!["nothing in connectionless traffic proves the source genuine".into()],
    )
}

fn private_on_outside_interface(unit: &Unit, src: &Host, ctx: &Context) -> Option<String> {
    let ip = src.addr()?;
    if ctx.site.outside_interfaces.is_empty() || ctx.site.is_home_addr(ip) {
        return None;
    }
    if !matches!(
        addr::classify(ip),
        AddrClass::Private | AddrClass::SharedCgn | AddrClass::UniqueLocal
    ) {
        return None;
    }
    let iface = unit
        .packets
        .iter()
        .filter(|s| &s.packet.src == src)
        .find_map(|s| s.packet.in_iface.clone())?;
    ctx.site
        .outside_interfaces
        .iter()
        .any(|o| o.as_str() == &*iface)
        .then(|| format!("{ip} is a private address arriving on the outside interface {iface}"))
}
