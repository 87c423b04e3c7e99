//! Tracking: state per source and per target, sharded by source address so
//! that each shard can be analysed on its own core (and, later, machine).

mod sensors;

use std::collections::HashMap;
use std::hash::BuildHasher;

use picket_model::{Host, Origin, Packet};

pub use sensors::SensorSet;

/// One packet as the analysis keeps it: the packet as first logged, every
/// sensor that saw it, and every line that logged it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The packet (fields filled from every sensor that saw it).
    pub packet: Packet,
    /// The sensors that logged it.
    pub sensors: SensorSet,
    /// Lines of other sensors that logged the same packet.
    pub also: Vec<Origin>,
}

impl Seen {
    /// Every line that logged this packet.
    pub fn origins(&self) -> impl Iterator<Item = Origin> + '_ {
        std::iter::once(self.packet.origin).chain(self.also.iter().copied())
    }
}

/// Everything known about one source.
#[derive(Clone, Debug)]
pub struct SourceState {
    /// The source.
    pub src: Host,
    /// Packets kept for analysis, in arrival order until [`SourceState::settle`].
    pub kept: Vec<Seen>,
    /// Packets past the per-source cap: counted, not kept.
    pub overflow: u64,
}

impl SourceState {
    fn new(src: Host) -> SourceState {
        SourceState {
            src,
            kept: Vec::new(),
            overflow: 0,
        }
    }

    /// Sorts the kept packets by time (records without a time keep their
    /// input order, after the timed ones).
    pub fn settle(&mut self) {
        self.kept.sort_by(|a, b| {
            match (a.packet.time, b.packet.time) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then(a.packet.origin.cmp(&b.packet.origin))
        });
    }
}

/// Per-target counters, for the home network and floods.
#[derive(Clone, Debug, Default)]
pub struct TargetState {
    /// Packets addressed to the target.
    pub packets: u64,
    /// Packets to it that a filter blocked.
    pub blocked: u64,
    /// Hashes of the first few distinct sources that reached it (at most
    /// [`TargetState::SOURCES_KEPT`]).
    pub sources: Vec<u64>,
}

impl TargetState {
    /// Distinct sources remembered per target: enough to tell "one" from "many".
    pub const SOURCES_KEPT: usize = 4;

    fn saw(&mut self, source: u64, blocked: bool) {
        self.packets += 1;
        self.blocked += u64::from(blocked);
        if self.sources.len() < Self::SOURCES_KEPT && !self.sources.contains(&source) {
            self.sources.push(source);
        }
    }
}

/// Packets routed to per-source state, in shards.
#[derive(Debug)]
pub struct Tracker {
    shards: Vec<HashMap<Host, SourceState>>,
    targets: HashMap<Host, TargetState>,
    hasher: std::hash::BuildHasherDefault<std::hash::DefaultHasher>,
    packets_per_source: usize,
    target_cap: usize,
    outcomes: bool,
}

impl Tracker {
    /// A tracker with `shards` shards (at least one) keeping at most
    /// `packets_per_source` packets per source.
    pub fn new(shards: usize, packets_per_source: usize) -> Tracker {
        Tracker {
            shards: (0..shards.max(1)).map(|_| HashMap::new()).collect(),
            targets: HashMap::new(),
            hasher: Default::default(),
            packets_per_source,
            target_cap: 1 << 20,
            outcomes: false,
        }
    }

    /// Routes one packet to its source's state.
    pub fn observe(&mut self, packet: Packet) {
        self.outcomes |= packet.action == picket_model::Action::Accept
            || packet.flow.as_ref().is_some_and(|f| f.outcome.is_some());
        let source = self.hasher.hash_one(&packet.src);
        let blocked = packet.action.blocked();
        if let Some(t) = self.targets.get_mut(&packet.dst) {
            t.saw(source, blocked);
        } else if self.targets.len() < self.target_cap {
            let mut t = TargetState::default();
            t.saw(source, blocked);
            self.targets.insert(packet.dst.clone(), t);
        }
        let shard = self.shard_of(&packet.src);
        let state = self.shards[shard]
            .entry(packet.src.clone())
            .or_insert_with(|| SourceState::new(packet.src.clone()));
        if state.kept.len() < self.packets_per_source {
            let sensors = SensorSet::of(packet.sensor);
            state.kept.push(Seen {
                packet,
                sensors,
                also: Vec::new(),
            });
        } else {
            state.overflow += 1;
        }
    }

    fn shard_of(&self, src: &Host) -> usize {
        (self.hasher.hash_one(src) % self.shards.len() as u64) as usize
    }

    /// True when any packet was accepted or carried a flow outcome.
    pub fn outcomes_seen(&self) -> bool {
        self.outcomes
    }

    /// Distinct sources seen.
    pub fn sources(&self) -> usize {
        self.shards.iter().map(HashMap::len).sum()
    }

    /// Per-target counters.
    pub fn targets(&self) -> &HashMap<Host, TargetState> {
        &self.targets
    }

    /// Takes the shards apart for analysis; each can go to its own thread.
    pub fn into_shards(self) -> (Vec<Vec<SourceState>>, HashMap<Host, TargetState>) {
        let shards = self
            .shards
            .into_iter()
            .map(|m| {
                let mut v: Vec<SourceState> = m.into_values().collect();
                v.sort_by(|a, b| a.src.cmp(&b.src));
                v
            })
            .collect();
        (shards, self.targets)
    }
}
