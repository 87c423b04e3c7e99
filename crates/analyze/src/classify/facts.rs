//! Facts about a group of packets that both classification and assessment
//! read: counts, distinct values, time span.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use picket_model::{Action, Host, Proto, TcpFlags};

use crate::track::{Beyond, Seen, SensorSet};

/// How many distinct targets are remembered exactly; past this, only counted.
const TARGET_CAP: usize = 4096;

/// Counts and distinct values over a unit's packets.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Distinct packets (kept plus overflow).
    pub packets: u64,
    /// First time seen.
    pub first: Option<Timestamp>,
    /// Last time seen.
    pub last: Option<Timestamp>,
    /// Distinct targets, in order of first appearance (capped).
    pub targets: Vec<Host>,
    /// How many distinct targets there were, past the list's cap too (at
    /// least this many when [`Facts::more_targets`]).
    pub target_count: u64,
    /// More targets came than could be counted exactly.
    pub more_targets: bool,
    /// Distinct destination ports.
    pub dports: BTreeSet<u16>,
    /// Distinct source ports.
    pub sports: BTreeSet<u16>,
    /// Distinct protocols.
    pub protos: BTreeSet<Proto>,
    /// Sensors that saw any packet.
    pub sensors: SensorSet,
    /// TCP packets per exact flag byte.
    pub tcp_flags: BTreeMap<u8, u64>,
    /// ICMP packets per (type, code).
    pub icmp: BTreeMap<(u8, u8), u64>,
    /// Distinct TTLs.
    pub ttls: BTreeSet<u8>,
    /// Distinct IP total lengths.
    pub sizes: BTreeSet<u32>,
    /// Packets a filter dropped or rejected.
    pub blocked: u64,
    /// Packets a filter let through.
    pub accepted: u64,
    /// Packets only an IDS reported.
    pub ids_only: u64,
    /// IDS messages and how often each fired.
    pub messages: BTreeMap<String, u64>,
    /// Packets whose source port is a well-known port (< 1024).
    pub from_low_ports: u64,
}

impl Facts {
    /// Gathers the facts of `packets`, with `overflow` more packets counted
    /// but not kept, whose ports and targets `beyond` gathered.
    pub fn of(packets: &[Seen], overflow: u64, beyond: Option<&Beyond>) -> Facts {
        let mut f = Facts {
            packets: packets.len() as u64 + overflow,
            ..Facts::default()
        };
        let mut target_set: BTreeSet<&Host> = BTreeSet::new();
        for seen in packets {
            let p = &seen.packet;
            if let Some(t) = p.time {
                f.spans(t);
            }
            if target_set.insert(&p.dst) && f.targets.len() < TARGET_CAP {
                f.targets.push(p.dst.clone());
            }
            if let Some(port) = p.dst_port {
                f.dports.insert(port);
            }
            if let Some(port) = p.src_port {
                f.sports.insert(port);
                if port < 1024 {
                    f.from_low_ports += 1;
                }
            }
            f.protos.insert(p.proto);
            f.sensors.union(seen.sensors);
            if let Some(flags) = p.tcp_flags() {
                *f.tcp_flags.entry(flags.0).or_default() += 1;
            }
            if let Some(icmp) = &p.icmp {
                *f.icmp.entry((icmp.kind, icmp.code)).or_default() += 1;
            }
            if let Some(ttl) = p.ip.ttl {
                f.ttls.insert(ttl);
            }
            if let Some(len) = p.ip.total_len {
                f.sizes.insert(len);
            }
            match p.action {
                Action::Drop | Action::Reject => f.blocked += 1,
                Action::Accept => f.accepted += 1,
                Action::Alert => {
                    if seen.sensors.iter().all(|s| s.is_ids()) {
                        f.ids_only += 1;
                    }
                }
                Action::Logged => {}
            }
            if let Some(sig) = &p.signature {
                *f.messages.entry(sig.message.to_string()).or_default() += 1;
            }
        }
        f.target_count = target_set.len() as u64;
        if let Some(beyond) = beyond {
            f.dports.extend(beyond.ports());
            f.target_count += beyond
                .targets
                .iter()
                .filter(|t| !target_set.contains(t))
                .count() as u64;
            f.more_targets = beyond.more_targets;
            f.blocked += beyond.blocked;
            f.accepted += beyond.accepted;
            for t in [beyond.first, beyond.last].into_iter().flatten() {
                f.spans(t);
            }
            for &(flags, n) in &beyond.tcp_flags {
                *f.tcp_flags.entry(flags).or_default() += n;
            }
            f.protos.extend(beyond.protos());
        }
        f
    }

    /// Widens the time span to take in `t`.
    fn spans(&mut self, t: Timestamp) {
        self.first = Some(self.first.map_or(t, |x| x.min(t)));
        self.last = Some(self.last.map_or(t, |x| x.max(t)));
    }

    /// Distinct targets in all, past the list's cap too.
    pub fn targets_seen(&self) -> usize {
        usize::try_from(self.target_count).unwrap_or(usize::MAX)
    }

    /// Seconds from first to last packet.
    pub fn span_secs(&self) -> f64 {
        match (self.first, self.last) {
            (Some(a), Some(b)) => (b.as_nanosecond() - a.as_nanosecond()) as f64 / 1e9,
            _ => 0.0,
        }
    }

    /// TCP packets whose flags are exactly `mask` (ignoring ECE/CWR).
    pub fn tcp_count(&self, mask: u8) -> u64 {
        self.tcp_flags
            .iter()
            .filter(|(f, _)| TcpFlags(**f).is_exactly(mask))
            .map(|(_, n)| *n)
            .sum()
    }

    /// The single protocol, when there is exactly one.
    pub fn single_proto(&self) -> Option<Proto> {
        if self.protos.len() == 1 {
            self.protos.first().copied()
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use picket_model::{Packet, Sensor, TcpFields};

    fn probe(second: i64, flags: u8) -> Packet {
        let mut p = Packet::new(
            Sensor::Netfilter,
            Host::parse("192.0.2.66").unwrap(),
            Host::parse("203.0.113.5").unwrap(),
            Proto::TCP,
        );
        p.time = Some(Timestamp::from_second(1_700_000_000 + second).unwrap());
        p.dst_port = Some(80);
        p.tcp = Some(TcpFields {
            flags: Some(TcpFlags(flags)),
            ..TcpFields::default()
        });
        p
    }

    #[test]
    fn packets_only_counted_still_give_the_span_and_the_flags() {
        let kept: Vec<Seen> = (0..2)
            .map(|i| Seen {
                packet: probe(10 + i, TcpFlags::SYN),
                sensors: SensorSet::of(Sensor::Netfilter),
                also: Box::default(),
            })
            .collect();
        let mut beyond = Beyond::default();
        for i in 0..100 {
            beyond.add(&probe(20 + i, TcpFlags::ACK));
        }
        beyond.add(&probe(5, TcpFlags::SYN));
        let f = Facts::of(&kept, 101, Some(&beyond));
        assert_eq!(f.packets, 103);
        assert_eq!(f.span_secs(), 114.0, "from second 5 to second 119");
        assert_eq!(f.tcp_flags.get(&TcpFlags::ACK), Some(&100));
        assert_eq!(f.tcp_flags.get(&TcpFlags::SYN), Some(&3));
        let mut udp = probe(30, 0);
        udp.proto = Proto::UDP;
        beyond.add(&udp);
        let f = Facts::of(&kept, 102, Some(&beyond));
        assert_eq!(
            f.protos.into_iter().collect::<Vec<_>>(),
            vec![Proto::TCP, Proto::UDP]
        );
    }
}
