//! Several claimed sources, one actor: units of different sources are joined
//! when forged sources interleave with others against one target, or when
//! hosts of one numbered pool send the same packet.

use std::collections::{BTreeMap, BTreeSet};

use picket_knowledge::addr::{self, AddrClass};
use picket_knowledge::names;
use picket_model::{Host, Proto};

use crate::assess::spoof::impossible_source_for;
use crate::classify::unit::{Grouping, Role, Unit};
use crate::config::Thresholds;
use crate::site::Site;

/// Seconds by which two units' spans may miss each other and still count
/// as interleaved.
const INTERLEAVE_SLACK_SECS: i128 = 60;

/// Most pairs of units compared within one class. A class larger than this
/// is a flood of sources at one target, which `join_floods` reads as one
/// actor; comparing every pair would take time quadratic in its sources.
const PAIRS_COMPARED: usize = 4_000_000;

/// What must be equal for units to be candidates for joining.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Shape {
    targets: Vec<Host>,
    proto: Proto,
    dports: Vec<u16>,
}

/// The unit's shape, when it is one source's probes of at most two targets
/// and two ports over one protocol. Read in one pass that stops at the
/// first packet out of shape: most units are background noise.
fn shape(unit: &Unit) -> Option<Shape> {
    if unit.role != Role::Probe || unit.sources.len() != 1 {
        return None;
    }
    let mut targets: Vec<Host> = Vec::with_capacity(2);
    let mut proto = None;
    let mut dports: Vec<u16> = Vec::with_capacity(2);
    for s in &unit.packets {
        let packet = &s.packet;
        if *proto.get_or_insert(packet.proto) != packet.proto {
            return None;
        }
        if !targets.contains(&packet.dst) {
            if targets.len() == 2 {
                return None;
            }
            targets.push(packet.dst.clone());
        }
        if let Some(port) = packet.dst_port
            && !dports.contains(&port)
        {
            if dports.len() == 2 {
                return None;
            }
            dports.push(port);
        }
    }
    targets.sort();
    dports.sort_unstable();
    Some(Shape {
        targets,
        proto: proto?,
        dports,
    })
}

fn span(unit: &Unit) -> Option<(i128, i128)> {
    let times = unit.packets.iter().filter_map(|s| s.packet.time);
    let (mut lo, mut hi) = (None::<i128>, None::<i128>);
    for t in times {
        let n = t.as_nanosecond();
        lo = Some(lo.map_or(n, |x| x.min(n)));
        hi = Some(hi.map_or(n, |x| x.max(n)));
    }
    Some((lo?, hi?))
}

fn ttls(unit: &Unit) -> BTreeSet<u8> {
    unit.packets
        .iter()
        .filter_map(|s| s.packet.ip.ttl)
        .collect()
}

fn ttls_agree(a: &BTreeSet<u8>, b: &BTreeSet<u8>) -> bool {
    if a.is_empty() || b.is_empty() {
        return true;
    }
    a.iter().any(|x| b.iter().any(|y| x.abs_diff(*y) <= 2))
}

/// Joins units that one actor sent under several source addresses.
pub fn join_actors(units: Vec<Unit>, site: &Site) -> Vec<Unit> {
    let mut slots: Vec<Option<Unit>> = units.into_iter().map(Some).collect();
    let shapes: Vec<Option<Shape>> = slots.iter().map(|u| u.as_ref().and_then(shape)).collect();
    let mut order: Vec<usize> = (0..slots.len()).filter(|i| shapes[*i].is_some()).collect();
    order.sort_by(|a, b| shapes[*a].cmp(&shapes[*b]).then(a.cmp(b)));

    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && shapes[order[end]] == shapes[order[start]] {
            end += 1;
        }
        if end - start >= 2 {
            join_class(&mut slots, &order[start..end], site);
        }
        start = end;
    }
    slots.into_iter().flatten().collect()
}

/// Seconds within which packets of two claimed sources count as taking turns.
const TURN_SECS: i128 = 5;

/// True when `host` cannot be the genuine sender of a packet to `target`:
/// an impossible address, or a private one sent to a public host or name.
fn forged_looking(host: &Host, target: Option<&Host>, site: &Site) -> bool {
    if impossible_source_for(host, target, None, site).is_some() {
        return true;
    }
    let Some(ip) = host.addr() else {
        return false;
    };
    let private = matches!(
        addr::classify(ip),
        AddrClass::Private | AddrClass::SharedCgn | AddrClass::UniqueLocal
    );
    let target_private = target
        .and_then(Host::addr)
        .is_some_and(|t| addr::classify(t) != AddrClass::Global);
    private && !target_private && !site.is_home_addr(ip)
}

/// Times (ns) of a unit's packets.
fn times(unit: &Unit) -> Vec<i128> {
    unit.packets
        .iter()
        .filter_map(|s| s.packet.time.map(|t| t.as_nanosecond()))
        .collect()
}

/// True when each unit has at least two packets within a few seconds of a
/// packet of the other: the two sources take turns.
fn take_turns(a: &[i128], b: &[i128]) -> bool {
    let window = TURN_SECS * 1_000_000_000;
    let close = |xs: &[i128], ys: &[i128]| {
        xs.iter()
            .filter(|x| ys.iter().any(|y| (*x - y).abs() <= window))
            .count()
    };
    close(a, b) >= 2 && close(b, a) >= 2
}

fn find(parent: &mut [usize], i: usize) -> usize {
    let mut root = i;
    while parent[root] != root {
        root = parent[root];
    }
    let mut node = i;
    while parent[node] != root {
        let next = parent[node];
        parent[node] = root;
        node = next;
    }
    root
}

/// Within units of one shape, joins interleaved forgeries and pool twins.
fn join_class(slots: &mut [Option<Unit>], members: &[usize], site: &Site) {
    let slack = INTERLEAVE_SLACK_SECS * 1_000_000_000;
    let units: Vec<&Unit> = members.iter().filter_map(|i| slots[*i].as_ref()).collect();
    if units.len() != members.len() {
        return;
    }
    let forged: Vec<bool> = units
        .iter()
        .map(|u| {
            let target = u.packets.first().map(|s| &s.packet.dst);
            u.sources.iter().any(|s| forged_looking(s, target, site))
        })
        .collect();
    let mut parent: Vec<usize> = (0..units.len()).collect();
    let mut any_joined = false;
    let forged_count = forged.iter().filter(|f| **f).count();
    if forged_count > 0 && forged_count.saturating_mul(units.len()) <= PAIRS_COMPARED {
        let spans: Vec<Option<(i128, i128)>> = units.iter().map(|u| span(u)).collect();
        let all_times: Vec<Vec<i128>> = units.iter().map(|u| times(u)).collect();
        let all_ttls: Vec<BTreeSet<u8>> = units.iter().map(|u| ttls(u)).collect();
        // Only pairs with a forged member: they are few, the class may be huge.
        let forged_at: Vec<usize> = (0..units.len()).filter(|k| forged[*k]).collect();
        for &a in &forged_at {
            for b in 0..units.len() {
                if a == b || (forged[b] && b < a) || !ttls_agree(&all_ttls[a], &all_ttls[b]) {
                    continue;
                }
                let joined = if forged[b] {
                    // Two forged sources at one target at the same time.
                    matches!((spans[a], spans[b]), (Some((lo, hi)), Some((lo2, hi2)))
                        if lo <= hi2 + slack && lo2 <= hi + slack)
                } else {
                    // A forged source taking turns with a routable one.
                    take_turns(&all_times[a], &all_times[b])
                };
                if joined {
                    let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                    parent[rb] = ra;
                    any_joined = true;
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    // Nothing joined (the usual case): every unit is its own group.
    for k in (0..units.len()).filter(|_| any_joined) {
        let root = find(&mut parent, k);
        groups.entry(root).or_default().push(k);
    }
    let mut joined_any = vec![false; units.len()];
    let interleaved: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() >= 2).collect();
    for group in &interleaved {
        for k in group {
            joined_any[*k] = true;
        }
    }
    // Pools: same source port, same TTLs, sources of one numbered pool.
    // Only sources logged by name can be pooled.
    let named: Vec<usize> = (0..units.len())
        .filter(|k| !joined_any[*k] && matches!(units[*k].sources.first(), Some(Host::Name(_))))
        .collect();
    let mut pools: Vec<Vec<usize>> = Vec::new();
    let mut used = joined_any.clone();
    if named.len().saturating_mul(named.len()) / 2 > PAIRS_COMPARED {
        return finish(slots, members, interleaved, pools);
    }
    for (i, &a) in named.iter().enumerate() {
        if used[a] {
            continue;
        }
        let mut group = vec![a];
        for &b in &named[i + 1..] {
            if !used[b] && pool_twins(units[a], units[b]) {
                used[b] = true;
                group.push(b);
            }
        }
        if group.len() >= 2 {
            pools.push(group);
        }
    }
    finish(slots, members, interleaved, pools);
}

/// Merges the interleaved groups and pools found in one class.
fn finish(
    slots: &mut [Option<Unit>],
    members: &[usize],
    interleaved: Vec<Vec<usize>>,
    pools: Vec<Vec<usize>>,
) {
    for (groups, how) in [
        (interleaved, Grouping::Interleaved),
        (pools, Grouping::Pool),
    ] {
        for group in groups {
            let indices: Vec<usize> = group.iter().map(|k| members[*k]).collect();
            merge_into_first(slots, &indices, how);
        }
    }
}

fn pool_twins(a: &Unit, b: &Unit) -> bool {
    let (Some(Host::Name(na)), Some(Host::Name(nb))) = (a.sources.first(), b.sources.first())
    else {
        return false;
    };
    if !names::same_pool(na, nb) {
        return false;
    }
    let sport = |u: &Unit| -> BTreeSet<Option<u16>> {
        u.packets.iter().map(|s| s.packet.src_port).collect()
    };
    let size = |u: &Unit| -> BTreeSet<Option<u32>> {
        u.packets.iter().map(|s| s.packet.ip.total_len).collect()
    };
    let (sa, sb) = (sport(a), sport(b));
    sa.len() == 1 && sa == sb && ttls(a) == ttls(b) && size(a) == size(b)
}

fn merge_into_first(slots: &mut [Option<Unit>], group: &[usize], how: Grouping) {
    let mut taken: Vec<Unit> = group.iter().filter_map(|i| slots[*i].take()).collect();
    let Some(mut first) = (!taken.is_empty()).then(|| taken.remove(0)) else {
        return;
    };
    for other in taken {
        first.sources.extend(other.sources);
        first.packets.extend(other.packets);
        first.overflow += other.overflow;
        match (&mut first.beyond, other.beyond) {
            (Some(mine), Some(theirs)) => mine.absorb(&theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
    }
    first.sources.sort();
    first.sources.dedup();
    first.packets.sort_by(|a, b| {
        a.packet
            .time
            .cmp(&b.packet.time)
            .then(a.packet.origin.cmp(&b.packet.origin))
    });
    first.grouping = how;
    slots[group[0]] = Some(first);
}

/// True when the units' packets together reach a flood's count and rate.
fn is_flood(run: &[usize], slots: &[Option<Unit>], limits: &Thresholds) -> bool {
    let units: Vec<&Unit> = run.iter().filter_map(|i| slots[*i].as_ref()).collect();
    let packets: u64 = units
        .iter()
        .map(|u| u.packets.len() as u64 + u.overflow)
        .sum();
    let all: Vec<i128> = units.iter().flat_map(|u| times(u)).collect();
    let (Some(lo), Some(hi)) = (all.iter().min(), all.iter().max()) else {
        return false;
    };
    let span = ((hi - lo) as f64 / 1e9).max(1.0);
    packets >= limits.flood_packets && packets as f64 / span >= limits.flood_rate
}

/// Fewest claimed sources for a many-source flood.
const FLOOD_SOURCES: usize = 10;

/// Joins, per target and protocol, the small probe units of many sources
/// whose packets together reach a flood's rate: a flood from forged or
/// many sources looks like thousands of one-packet visitors otherwise.
pub fn join_floods(units: Vec<Unit>, limits: &Thresholds) -> Vec<Unit> {
    let mut by_target: BTreeMap<(Host, Proto), Vec<usize>> = BTreeMap::new();
    for (i, unit) in units.iter().enumerate() {
        // Small units, and units of several sources already (forgeries
        // joined as one actor, crowds of untracked sources): parts of the
        // same flood.
        if unit.role != Role::Probe || (unit.packets.len() > 16 && unit.sources.len() < 2) {
            continue;
        }
        let Some(first) = unit.packets.first() else {
            continue;
        };
        let one_target = unit
            .packets
            .iter()
            .all(|s| s.packet.dst == first.packet.dst);
        let one_proto = unit
            .packets
            .iter()
            .all(|s| s.packet.proto == first.packet.proto);
        if one_target && one_proto {
            by_target
                .entry((first.packet.dst.clone(), first.packet.proto))
                .or_default()
                .push(i);
        }
    }
    let mut slots: Vec<Option<Unit>> = units.into_iter().map(Some).collect();
    let claimed = |run: &[usize], slots: &[Option<Unit>]| -> usize {
        run.iter()
            .filter_map(|i| slots[*i].as_ref())
            .map(|u| u.sources.len())
            .sum()
    };
    for members in by_target.values() {
        if claimed(members, &slots) < FLOOD_SOURCES {
            continue;
        }
        // Runs of units each starting within a second of the one before: a
        // flood is dense, background noise at the same target is not. A
        // unit that is a flood by itself (a crowd of untracked sources)
        // carries the run to its own end.
        let mut starts: Vec<(i128, i128, usize)> = members
            .iter()
            .filter_map(|i| {
                let (lo, hi) = span(slots[*i].as_ref()?)?;
                let reach = if is_flood(&[*i], &slots, limits) {
                    hi
                } else {
                    lo
                };
                Some((lo, reach, *i))
            })
            .collect();
        starts.sort_unstable();
        let mut run: Vec<usize> = Vec::new();
        let mut last: Option<i128> = None;
        let flush = |run: &mut Vec<usize>, slots: &mut [Option<Unit>]| {
            if run.len() >= 2
                && claimed(run, slots) >= FLOOD_SOURCES
                && is_flood(run, slots, limits)
            {
                merge_into_first(slots, run, Grouping::Flood);
            }
            run.clear();
        };
        for (start, end, i) in starts {
            if last.is_some_and(|l| start - l > 1_000_000_000) {
                flush(&mut run, &mut slots);
                last = None;
            }
            run.push(i);
            last = Some(last.map_or(end, |l| l.max(end)));
        }
        flush(&mut run, &mut slots);
    }
    slots.into_iter().flatten().collect()
}
