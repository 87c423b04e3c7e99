//! What a source sent past its per-source packet cap: the packets are only
//! counted, but their destination ports and targets are still gathered, so
//! that a scan of 60,000 ports is called one, not one of the first 20,000.

use jiff::Timestamp;
use picket_model::{Action, Host, Packet, Proto};

use super::Set;

/// Distinct targets remembered past the cap; past this, only flagged.
pub const TARGETS_BEYOND: usize = 1 << 16;

/// Distinct ports listed before a [`Beyond`] switches to a bitmap: most
/// sources past a limit send to a few ports, and a bitmap costs 8 KiB.
const PORTS_LISTED: usize = 64;

/// Destination ports: a short list, or one bit per port.
#[derive(Clone, Debug)]
enum Ports {
    Few(Vec<u16>),
    Many(Box<[u64; 1024]>),
}

impl Ports {
    fn insert(&mut self, port: u16) {
        match self {
            Ports::Few(list) if list.contains(&port) => {}
            Ports::Few(list) if list.len() < PORTS_LISTED => list.push(port),
            Ports::Few(list) => {
                let mut bits = Box::new([0u64; 1024]);
                for p in list.iter().copied().chain([port]) {
                    bits[usize::from(p >> 6)] |= 1 << (p & 63);
                }
                *self = Ports::Many(bits);
            }
            Ports::Many(bits) => bits[usize::from(port >> 6)] |= 1 << (port & 63),
        }
    }

    fn sorted(&self) -> Vec<u16> {
        match self {
            Ports::Few(list) => {
                let mut list = list.clone();
                list.sort_unstable();
                list
            }
            Ports::Many(bits) => bits
                .iter()
                .enumerate()
                .flat_map(|(word, bits)| {
                    (0..64u16)
                        .filter(move |bit| bits & (1 << bit) != 0)
                        .map(move |bit| (word as u16) << 6 | bit)
                })
                .collect(),
        }
    }
}

/// Ports and targets of the packets past a source's cap.
#[derive(Clone, Debug)]
pub struct Beyond {
    /// Destination ports seen.
    ports: Ports,
    /// Distinct targets, up to [`TARGETS_BEYOND`].
    pub targets: Set<Host>,
    /// True when more targets came than were remembered.
    pub more_targets: bool,
    /// Packets a filter dropped or rejected.
    pub blocked: u64,
    /// Packets a filter let through.
    pub accepted: u64,
    /// Time of the earliest and of the latest packet: a flood's rate is
    /// its packets over its whole span.
    pub first: Option<Timestamp>,
    /// See [`Beyond::first`].
    pub last: Option<Timestamp>,
    /// TCP packets per exact flag byte, as [`crate::classify::Facts`]
    /// counts them: a scan's type is read from all its packets.
    pub tcp_flags: Vec<(u8, u64)>,
    /// IP protocols seen, one bit each: a protocol scan is read from all
    /// its packets.
    protos: [u64; 4],
}

impl Default for Beyond {
    fn default() -> Beyond {
        Beyond {
            ports: Ports::Few(Vec::new()),
            targets: Set::default(),
            more_targets: false,
            blocked: 0,
            accepted: 0,
            first: None,
            last: None,
            tcp_flags: Vec::new(),
            protos: [0; 4],
        }
    }
}

/// Adds `n` packets with `flags` to a list of counts per flag byte.
fn count_flags(counts: &mut Vec<(u8, u64)>, flags: u8, n: u64) {
    match counts.iter_mut().find(|(f, _)| *f == flags) {
        Some((_, count)) => *count += n,
        None => counts.push((flags, n)),
    }
}

/// The earlier (`min`) or later of two optional times.
pub(super) fn widen(
    mine: Option<Timestamp>,
    other: Option<Timestamp>,
    pick: fn(Timestamp, Timestamp) -> Timestamp,
) -> Option<Timestamp> {
    match (mine, other) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

impl Beyond {
    /// Notes one packet past the cap.
    pub fn add(&mut self, packet: &Packet) {
        match packet.action {
            Action::Drop | Action::Reject => self.blocked += 1,
            Action::Accept => self.accepted += 1,
            _ => {}
        }
        self.first = widen(self.first, packet.time, Timestamp::min);
        self.last = widen(self.last, packet.time, Timestamp::max);
        if let Some(flags) = packet.tcp_flags() {
            count_flags(&mut self.tcp_flags, flags.0, 1);
        }
        let proto = packet.proto.0;
        self.protos[usize::from(proto >> 6)] |= 1 << (proto & 63);
        if let Some(port) = packet.dst_port {
            self.ports.insert(port);
        }
        if !self.targets.contains(&packet.dst) {
            if self.targets.len() < TARGETS_BEYOND {
                self.targets.insert(packet.dst.clone());
            } else {
                self.more_targets = true;
            }
        }
    }

    /// Adds another source's (or worker's) notes to these.
    pub fn absorb(&mut self, other: &Beyond) {
        for port in other.ports.sorted() {
            self.ports.insert(port);
        }
        for host in &other.targets {
            if self.targets.len() >= TARGETS_BEYOND {
                self.more_targets = true;
                break;
            }
            self.targets.insert(host.clone());
        }
        self.more_targets |= other.more_targets;
        self.blocked += other.blocked;
        self.accepted += other.accepted;
        self.first = widen(self.first, other.first, Timestamp::min);
        self.last = widen(self.last, other.last, Timestamp::max);
        for &(flags, n) in &other.tcp_flags {
            count_flags(&mut self.tcp_flags, flags, n);
        }
        for (mine, theirs) in self.protos.iter_mut().zip(other.protos) {
            *mine |= theirs;
        }
    }

    /// The IP protocols seen, ascending.
    pub fn protos(&self) -> impl Iterator<Item = Proto> + '_ {
        (0..=255u8)
            .filter(|&p| self.protos[usize::from(p >> 6)] & (1 << (p & 63)) != 0)
            .map(Proto)
    }

    /// The destination ports seen, ascending.
    pub fn ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.ports.sorted().into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use picket_model::Sensor;

    fn packet(dst: &str, port: u16) -> Packet {
        let mut p = Packet::new(
            Sensor::Netfilter,
            Host::Addr("192.0.2.1".parse().unwrap()),
            Host::Addr(dst.parse().unwrap()),
            Proto::TCP,
        );
        p.dst_port = Some(port);
        p
    }

    #[test]
    fn ports_and_targets_past_the_cap_are_gathered() {
        let mut b = Beyond::default();
        for port in [0, 1, 63, 64, 1025, 65535, 1025] {
            b.add(&packet("203.0.113.5", port));
        }
        b.add(&packet("203.0.113.6", 80));
        assert_eq!(
            b.ports().collect::<Vec<_>>(),
            vec![0, 1, 63, 64, 80, 1025, 65535]
        );
        assert_eq!(b.targets.len(), 2);
        let mut other = Beyond::default();
        other.add(&packet("203.0.113.7", 22));
        b.absorb(&other);
        assert_eq!(b.ports().count(), 8);
        assert_eq!(b.targets.len(), 3);
        assert!(!b.more_targets);
        let mut icmp = packet("203.0.113.8", 0);
        icmp.proto = Proto::ICMP;
        b.add(&icmp);
        assert_eq!(
            b.protos().collect::<Vec<_>>(),
            vec![Proto::ICMP, Proto::TCP]
        );
    }

    #[test]
    fn many_ports_switch_to_a_bitmap_and_lose_none() {
        let mut b = Beyond::default();
        for port in (0..=65535u16).rev().step_by(7) {
            b.add(&packet("203.0.113.5", port));
        }
        let mut expected: Vec<u16> = (0..=65535u16).rev().step_by(7).collect();
        expected.sort_unstable();
        assert_eq!(b.ports().collect::<Vec<_>>(), expected);
        let mut few = Beyond::default();
        few.add(&packet("203.0.113.5", 6));
        few.absorb(&b);
        assert_eq!(few.ports().count(), expected.len() + 1);
    }
}
