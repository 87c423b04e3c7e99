//! Merging what several sensors saw of one packet.
//!
//! A packet logged by a firewall and by an IDS beside it is one packet: same
//! endpoints and ports, same IP ID where both logged one, TTLs and lengths
//! that agree where both logged them, and times within a couple of seconds
//! (sensors' clocks and precision differ). The merged packet counts once,
//! lists both sensors and both log lines, and takes the fields each sensor
//! added (Snort's TCP options, ipchains' decision).

use picket_model::{Packet, Proto};

use crate::track::Seen;

/// Merges, in place, packets of one source that different sensors logged.
/// `seen` must be sorted by time. Returns how many records were folded into
/// another.
pub fn merge_sensors(seen: &mut Vec<Seen>, window_secs: f64) -> usize {
    let window_ns = (window_secs * 1e9) as i128;
    let mut merged_into: Vec<Option<usize>> = vec![None; seen.len()];
    for i in 0..seen.len() {
        let Some(ti) = seen[i].packet.time else {
            continue;
        };
        let mut best: Option<(usize, i128, bool)> = None;
        for j in (0..i).rev() {
            if merged_into[j].is_some() {
                continue;
            }
            let Some(tj) = seen[j].packet.time else {
                continue;
            };
            let gap = ti.as_nanosecond() - tj.as_nanosecond();
            if gap > window_ns {
                break;
            }
            if seen[j].sensors.intersects(seen[i].sensors) {
                continue;
            }
            if let Some(id_match) = same_packet(&seen[j].packet, &seen[i].packet) {
                let better = match best {
                    None => true,
                    Some((_, best_gap, best_id)) => {
                        (id_match && !best_id) || (id_match == best_id && gap < best_gap)
                    }
                };
                if better {
                    best = Some((j, gap, id_match));
                }
            }
        }
        if let Some((j, _, _)) = best {
            merged_into[i] = Some(j);
            let other = seen[i].clone();
            let keep = &mut seen[j];
            keep.sensors.union(other.sensors);
            let also = std::mem::take(&mut keep.also).into_vec();
            keep.also = also
                .into_iter()
                .chain([other.packet.origin])
                .chain(other.also)
                .collect();
            fill_missing(&mut keep.packet, &other.packet);
        }
    }
    let folded = merged_into.iter().filter(|m| m.is_some()).count();
    if folded > 0 {
        let mut index = 0;
        seen.retain(|_| {
            let keep = merged_into[index].is_none();
            index += 1;
            keep
        });
    }
    folded
}

/// `Some(true)` when the two records are one packet and both logged the same
/// IP ID, `Some(false)` when they agree on everything both logged but the IP
/// ID was not logged by both, `None` when they differ.
fn same_packet(a: &Packet, b: &Packet) -> Option<bool> {
    let protos_agree = a.proto == b.proto || a.proto == Proto::UNKNOWN || b.proto == Proto::UNKNOWN;
    if a.dst != b.dst || !protos_agree || a.src_port != b.src_port || a.dst_port != b.dst_port {
        return None;
    }
    fn agree<T: PartialEq>(x: Option<T>, y: Option<T>) -> bool {
        match (x, y) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }
    }
    if !agree(a.ip.ttl, b.ip.ttl)
        || !agree(a.ip.total_len, b.ip.total_len)
        || !agree(a.transport_len, b.transport_len)
        || !agree(a.tcp_seq(), b.tcp_seq())
        || !agree(
            a.icmp.as_ref().map(|i| (i.kind, i.code)),
            b.icmp.as_ref().map(|i| (i.kind, i.code)),
        )
    {
        return None;
    }
    match (a.ip.id, b.ip.id) {
        (Some(x), Some(y)) if x != y => None,
        (Some(_), Some(_)) => Some(true),
        _ => Some(false),
    }
}

/// Copies into `keep` what only `other` logged.
fn fill_missing(keep: &mut Packet, other: &Packet) {
    let ip = &mut keep.ip;
    ip.ttl = ip.ttl.or(other.ip.ttl);
    ip.id = ip.id.or(other.ip.id);
    ip.total_len = ip.total_len.or(other.ip.total_len);
    ip.tos = ip.tos.or(other.ip.tos);
    ip.df |= other.ip.df;
    keep.transport_len = keep.transport_len.or(other.transport_len);
    if keep.proto == Proto::UNKNOWN {
        keep.proto = other.proto;
    }
    match (&mut keep.tcp, &other.tcp) {
        (Some(k), Some(o)) => {
            k.flags = k.flags.or(o.flags);
            k.seq = k.seq.or(o.seq);
            k.ack = k.ack.or(o.ack);
            k.window = k.window.or(o.window);
            if k.options.is_none() {
                k.options.clone_from(&o.options);
            }
        }
        (None, Some(o)) => keep.tcp = Some(o.clone()),
        _ => {}
    }
    if keep.signature.is_none() {
        keep.signature.clone_from(&other.signature);
    }
    if keep.label.is_none() {
        keep.label.clone_from(&other.label);
    }
    if keep.in_iface.is_none() {
        keep.in_iface.clone_from(&other.in_iface);
    }
    if !keep.action.blocked() && other.action.blocked() {
        keep.action = other.action;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::SensorSet;
    use picket_model::{Action, Host, Origin, Sensor};

    fn udp(sensor: Sensor, at: &str, id: Option<u32>, line: u64) -> Seen {
        let mut p = Packet::new(
            sensor,
            Host::parse("user.dsl.ma").unwrap(),
            Host::parse("me.at.home").unwrap(),
            Proto::UDP,
        );
        p.time = Some(at.parse().unwrap());
        p.src_port = Some(60000);
        p.dst_port = Some(2140);
        p.ip.id = id;
        p.ip.ttl = Some(50);
        p.origin = Origin {
            input: u32::from(sensor == Sensor::Snort),
            line,
        };
        if sensor == Sensor::Ipchains {
            p.action = Action::Drop;
        }
        Seen {
            packet: p,
            sensors: SensorSet::of(sensor),
            also: Box::default(),
        }
    }

    #[test]
    fn same_packet_from_two_sensors_counts_once() {
        let mut seen = vec![
            udp(Sensor::Ipchains, "2000-04-21T17:04:13Z", Some(2320), 1),
            udp(Sensor::Snort, "2000-04-21T17:04:13.198326Z", Some(2320), 1),
        ];
        assert_eq!(merge_sensors(&mut seen, 2.0), 1);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].sensors.len(), 2);
        assert_eq!(seen[0].origins().count(), 2);
        assert_eq!(seen[0].packet.action, Action::Drop);
    }

    #[test]
    fn different_ip_ids_or_far_times_or_same_sensor_stay_apart() {
        let mut seen = vec![
            udp(Sensor::Ipchains, "2000-04-21T17:04:13Z", Some(1), 1),
            udp(Sensor::Snort, "2000-04-21T17:04:13.5Z", Some(2), 1),
        ];
        assert_eq!(merge_sensors(&mut seen, 2.0), 0);
        let mut seen = vec![
            udp(Sensor::Ipchains, "2000-04-21T17:04:13Z", Some(1), 1),
            udp(Sensor::Snort, "2000-04-21T17:04:16Z", Some(1), 1),
        ];
        assert_eq!(merge_sensors(&mut seen, 2.0), 0);
        let mut seen = vec![
            udp(Sensor::Ipchains, "2000-04-21T17:04:13Z", Some(1), 1),
            udp(Sensor::Ipchains, "2000-04-21T17:04:13Z", Some(1), 2),
        ];
        assert_eq!(merge_sensors(&mut seen, 2.0), 0);
    }

    #[test]
    fn retransmissions_pair_with_their_own_copies() {
        // Three retransmissions, each logged by both sensors: three packets.
        let mut seen = vec![
            udp(Sensor::Ipchains, "2000-04-22T03:20:05Z", Some(36113), 1),
            udp(Sensor::Snort, "2000-04-22T03:20:05.16Z", Some(36113), 1),
            udp(Sensor::Ipchains, "2000-04-22T03:20:05Z", Some(49169), 2),
            udp(Sensor::Snort, "2000-04-22T03:20:05.95Z", Some(49169), 7),
            udp(Sensor::Ipchains, "2000-04-22T03:20:06Z", Some(56337), 3),
            udp(Sensor::Snort, "2000-04-22T03:20:06.69Z", Some(56337), 13),
        ];
        seen.sort_by_key(|s| s.packet.time);
        assert_eq!(merge_sensors(&mut seen, 2.0), 3);
        let ids: Vec<_> = seen.iter().map(|s| s.packet.ip.id.unwrap()).collect();
        assert_eq!(ids, vec![36113, 49169, 56337]);
        assert!(seen.iter().all(|s| s.sensors.len() == 2));
    }
}
