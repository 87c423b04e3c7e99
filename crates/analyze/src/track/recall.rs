//! Sources moved to crowds, remembered in a few bytes each, so that one
//! that comes back and stops being small (a slow scan: one port now and
//! then; a misconfigured server: a trickle of replies) is tracked again
//! instead of being split across crowds for the rest of the log.

use std::hash::BuildHasher;

use picket_model::Packet;

use super::{DEMOTED_PACKETS, DEMOTED_SPREAD};

/// What is remembered of one source moved to a crowd: its hash, how many
/// packets it sent, and the first distinct ports and targets it sent to
/// (hashed), up to [`DEMOTED_SPREAD`] each.
#[derive(Clone, Copy, Debug, Default)]
pub struct Demoted {
    /// The source's hash; 0 marks an empty slot.
    source: u64,
    packets: u32,
    ports: [u32; DEMOTED_SPREAD],
    port_count: u8,
    targets: [u32; DEMOTED_SPREAD],
    target_count: u8,
}

/// A port as remembered: `None` (ICMP, replies) apart from every number.
fn port_key(port: Option<u16>) -> u32 {
    port.map_or(u32::MAX, u32::from)
}

/// The hash targets are remembered by (its low half: two targets are
/// told apart, not identified): fixed, so that every worker agrees.
fn target_hash(packet: &Packet) -> u32 {
    foldhash::fast::FixedState::default().hash_one(&packet.dst) as u32
}

impl Demoted {
    /// Notes one more packet; true when the source is no longer small
    /// ([`super::SourceState::is_small`]): more than [`DEMOTED_PACKETS`]
    /// packets, or more than [`DEMOTED_SPREAD`] ports or targets.
    pub fn note(&mut self, packet: &Packet) -> bool {
        self.packets = self.packets.saturating_add(1);
        let port = port_key(packet.dst_port);
        let target = target_hash(packet);
        no_room_for(&mut self.ports, &mut self.port_count, port)
            || no_room_for(&mut self.targets, &mut self.target_count, target)
            || self.packets as usize > DEMOTED_PACKETS
    }
}

/// Adds `value` to the first `count` entries of `seen` unless it is there;
/// true when it is new and `seen` is full.
fn no_room_for<T: Copy + PartialEq>(
    seen: &mut [T; DEMOTED_SPREAD],
    count: &mut u8,
    value: T,
) -> bool {
    let n = usize::from(*count);
    if seen[..n].contains(&value) {
        return false;
    }
    if n == DEMOTED_SPREAD {
        return true;
    }
    seen[n] = value;
    *count += 1;
    false
}

/// A fixed table of sources moved to crowds, one slot per hash: a newer
/// source takes the slot of an older one, so the table's size never
/// changes, whatever the log's length.
#[derive(Debug)]
pub struct Recall {
    slots: Vec<Demoted>,
    /// Sources remembered now.
    held: usize,
}

impl Recall {
    /// A table of `slots` slots (rounded up to a power of two, at least 1).
    pub fn new(slots: usize) -> Recall {
        Recall {
            slots: vec![Demoted::default(); slots.max(1).next_power_of_two()],
            held: 0,
        }
    }

    /// Bytes the table takes.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.slots.len() * std::mem::size_of::<Demoted>()
    }

    fn slot(&self, source: u64) -> usize {
        // The low bits pick the tracker's shard; mix in the high ones.
        ((source >> 32) ^ source.rotate_left(17)) as usize & (self.slots.len() - 1)
    }

    /// Remembers a source moved to a crowd: what was remembered of it
    /// before it was tracked again (`earlier`), and the packets it sent
    /// since.
    pub fn remember<'a>(
        &mut self,
        source: u64,
        earlier: Option<Box<Demoted>>,
        packets: impl Iterator<Item = &'a Packet>,
    ) {
        let source = source.max(1);
        let mut demoted = earlier.map_or_else(Demoted::default, |e| *e);
        demoted.source = source;
        for packet in packets {
            demoted.note(packet);
        }
        let slot = self.slot(source);
        if self.slots[slot].source == 0 {
            self.held += 1;
        }
        self.slots[slot] = demoted;
    }

    /// What is remembered of a source moved to a crowd earlier, taken out
    /// of the table: the source is being tracked again, and carries it.
    pub fn take(&mut self, source: u64) -> Option<Box<Demoted>> {
        if self.held == 0 {
            return None;
        }
        let source = source.max(1);
        let slot = self.slot(source);
        if self.slots[slot].source != source {
            return None;
        }
        self.held -= 1;
        Some(Box::new(std::mem::take(&mut self.slots[slot])))
    }

    /// Notes a packet of a remembered source that joins a crowd because
    /// the tracker has no room for it.
    pub fn note(&mut self, source: u64, packet: &Packet) {
        if self.held == 0 {
            return;
        }
        let source = source.max(1);
        let slot = self.slot(source);
        if self.slots[slot].source == source {
            self.slots[slot].note(packet);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use picket_model::{Host, Proto, Sensor};

    fn to(target: u8, port: Option<u16>) -> Packet {
        let mut p = Packet::new(
            Sensor::Netfilter,
            Host::Addr("192.0.2.9".parse().unwrap()),
            Host::Addr(format!("203.0.113.{target}").parse().unwrap()),
            Proto::TCP,
        );
        p.dst_port = port;
        p
    }

    /// Counts what is remembered of `source` as packets to `sent` (each
    /// tracked again, then moved back with one more packet) until it is no
    /// longer small; returns after how many.
    fn small_for(recall: &mut Recall, source: u64, sent: &[Packet]) -> Option<usize> {
        for (i, packet) in sent.iter().enumerate() {
            let mut earlier = recall.take(source).unwrap_or_default();
            if earlier.note(packet) {
                return Some(i);
            }
            recall.remember(source, Some(earlier), std::iter::empty());
        }
        None
    }

    #[test]
    fn a_source_back_at_a_third_port_or_target_is_no_longer_small() {
        let mut recall = Recall::new(1024);
        recall.remember(42, None, [to(7, Some(22))].iter());
        let back = [to(7, Some(23)), to(7, Some(22)), to(7, Some(24))];
        assert_eq!(small_for(&mut recall, 42, &back), Some(2), "a third port");
        assert!(recall.take(42).is_none(), "taken out when tracked again");

        recall.remember(43, None, [to(1, None)].iter());
        let back = [to(2, None), to(1, None), to(3, None)];
        assert_eq!(small_for(&mut recall, 43, &back), Some(2), "a third target");
    }

    #[test]
    fn a_source_past_the_small_packet_count_is_no_longer_small() {
        let mut recall = Recall::new(16);
        recall.remember(9, None, std::iter::empty());
        let same = vec![to(5, Some(123)); DEMOTED_PACKETS + 1];
        assert_eq!(small_for(&mut recall, 9, &same), Some(DEMOTED_PACKETS));
    }

    #[test]
    fn packets_noted_while_in_a_crowd_count() {
        let mut recall = Recall::new(16);
        recall.remember(5, None, [to(1, Some(1))].iter());
        recall.note(5, &to(1, Some(2)));
        recall.note(6, &to(1, Some(3)));
        let mut earlier = recall.take(5).expect("remembered");
        assert!(earlier.note(&to(1, Some(3))), "ports 1, 2 and now 3");
    }

    #[test]
    fn sources_never_moved_are_unknown_and_the_table_keeps_its_size() {
        let mut recall = Recall::new(4);
        let bytes = recall.bytes();
        for source in 1..10_000u64 {
            recall.remember(
                source.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                None,
                std::iter::empty(),
            );
        }
        assert_eq!(recall.bytes(), bytes);
        assert!(recall.take(77).is_none());
    }
}
