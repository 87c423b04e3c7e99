//! Tracking: state per source and per target, sharded by source address so
//! that each shard can be analysed on its own core (and, later, machine).

mod beyond;
mod crowd;
mod recall;
mod sensors;
mod sources;

use std::collections::VecDeque;
use std::hash::BuildHasher;

use picket_model::{Host, Origin, Packet};

pub use beyond::Beyond;
pub use crowd::{
    CROWD_KEPT_EACH_END, CROWD_SOURCES_MAX, CROWDS_MAX, Crowd, CrowdKey, Crowds, FloodLimits,
    Gathering, RUN_GAP_SECS,
};
use recall::{Demoted, Recall};
pub use sensors::SensorSet;
pub use sources::SourceSet;

/// A hash map keyed by what senders chose (their addresses, their
/// targets): a fast hash, seeded at random per map, so that the keys of one
/// log cannot be chosen to collide.
pub type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The set of [`Map`].
pub type Set<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// The hash that picks a source's shard: the same in every worker, so
/// that their shards can be merged one by one.
type ShardHasher = foldhash::fast::FixedState;

/// One packet as the analysis keeps it: the packet as first logged, every
/// sensor that saw it, and every line that logged it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The packet (fields filled from every sensor that saw it).
    pub packet: Packet,
    /// The sensors that logged it.
    pub sensors: SensorSet,
    /// Lines of other sensors that logged the same packet (rarely any: a
    /// boxed slice is half a vector's size, for every packet kept).
    pub also: Box<[Origin]>,
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
    /// The ports and targets of the packets past the cap.
    pub beyond: Option<Box<Beyond>>,
    /// What was remembered of the source when it was moved to a crowd
    /// earlier and is tracked again: it counts towards
    /// [`SourceState::is_small`].
    earlier: Option<Box<Demoted>>,
    /// Set while merging workers' states: the kept packets need ordering.
    split_from_other_worker: bool,
}

impl SourceState {
    fn new(src: Host) -> SourceState {
        SourceState {
            src,
            kept: Vec::new(),
            overflow: 0,
            beyond: None,
            earlier: None,
            split_from_other_worker: false,
        }
    }

    /// True when the source sent at most [`DEMOTED_PACKETS`] packets, all
    /// kept, to at most [`DEMOTED_SPREAD`] ports and targets: background
    /// noise, which may be moved to a crowd when the tracking limits are
    /// reached. Scanners never are.
    pub fn is_small(&self) -> bool {
        if self.overflow > 0 || self.kept.len() > DEMOTED_PACKETS {
            return false;
        }
        // Counted with what it sent before it was moved to a crowd and
        // came back: a slow scan, a port at a time, is not small.
        let mut sent = self.earlier.as_deref().copied().unwrap_or_default();
        !self.kept.iter().any(|seen| sent.note(&seen.packet))
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
    shards: Vec<Map<Host, SourceState>>,
    targets: Map<Host, TargetState>,
    hasher: ShardHasher,
    packets_per_source: usize,
    /// Packets kept per source now: `packets_per_source` until big sources
    /// hold the whole packet budget ([`Tracker::make_room`]).
    cap: usize,
    target_cap: usize,
    outcomes: bool,
    max_sources: usize,
    max_kept: usize,
    sources: usize,
    /// Room taken for kept packets, used or not: what `max_kept` bounds.
    kept: usize,
    crowds: Crowds,
    arrivals: VecDeque<Host>,
    /// The buffer [`Tracker::make_room`] moves packets to crowds through,
    /// kept from one batch to the next.
    demoted: Vec<Packet>,
    /// Sources moved to crowds, so that one coming back more than small
    /// is tracked whole again.
    recall: Recall,
}

/// Most packets a tracked source may have sent and still be moved to a
/// crowd when the tracking limits are reached.
pub const DEMOTED_PACKETS: usize = 64;

/// Most distinct destination ports, and most targets, of a source moved to
/// a crowd: well under any scan threshold, so that scanners stay tracked.
pub const DEMOTED_SPREAD: usize = 2;

/// Fewest packets per source kept when big sources hold the whole packet
/// budget: enough for a scan's or a flood's shape, timing and evidence.
pub const CAP_FLOOR: usize = 16;

/// Most sources moved to crowds that a tracker remembers (32 bytes each).
const RECALL_SLOTS_MAX: usize = 1 << 18;

impl Tracker {
    /// A tracker with `shards` shards (at least one) keeping at most
    /// `packets_per_source` packets per source.
    pub fn new(shards: usize, packets_per_source: usize) -> Tracker {
        Tracker {
            shards: (0..shards.max(1)).map(|_| Map::default()).collect(),
            targets: Map::default(),
            hasher: Default::default(),
            packets_per_source,
            cap: packets_per_source,
            target_cap: 1 << 20,
            outcomes: false,
            max_sources: usize::MAX,
            max_kept: usize::MAX,
            sources: 0,
            kept: 0,
            crowds: Crowds::default(),
            arrivals: VecDeque::new(),
            demoted: Vec::new(),
            recall: Recall::new(1),
        }
    }

    /// The same tracker holding state for at most `max_sources` sources and
    /// `max_kept` kept packets: past either, new sources join crowds
    /// ([`Crowd`]) and tracked sources' packets are counted, not kept.
    pub fn with_limits(mut self, max_sources: usize, max_kept: usize) -> Tracker {
        self.set_limits(max_sources, max_kept);
        self
    }

    /// Changes the limits of [`Tracker::with_limits`]: a tracker fed alone
    /// gets the whole budget, one of several workers its share.
    pub fn set_limits(&mut self, max_sources: usize, max_kept: usize) {
        self.max_sources = max_sources.max(1);
        self.max_kept = max_kept.max(1);
        // Twice the sources tracked: a source moved to a crowd is
        // remembered while about as many again are moved after it.
        self.recall = Recall::new(self.max_sources.saturating_mul(2).min(RECALL_SLOTS_MAX));
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
        // The same hash picks the shard (as in [`Tracker::make_room`]).
        let shard = (source % self.shards.len() as u64) as usize;
        if !self.has_room() {
            // A tracked source needs room only when the packet budget is
            // spent: its packets would only be counted.
            let tracked = self.shards[shard].contains_key(&packet.src);
            if !tracked || self.kept >= self.max_kept {
                self.make_room(!tracked);
            }
            if !tracked && !self.has_room() {
                self.recall.note(source, &packet);
                self.crowds.add(packet);
                return;
            }
        }
        let room = self.kept < self.max_kept;
        let sources = &mut self.sources;
        let arrivals = &mut self.arrivals;
        let recall = &mut self.recall;
        let state = self.shards[shard]
            .entry(packet.src.clone())
            .or_insert_with(|| {
                *sources += 1;
                arrivals.push_back(packet.src.clone());
                let mut state = SourceState::new(packet.src.clone());
                state.earlier = recall.take(source);
                state
            });
        let full = state.kept.len() == state.kept.capacity();
        if state.kept.len() < self.cap && (room || !full) {
            if full {
                // Grow 1, 2, 4, ... rather than from 4: most sources of an
                // internet-facing log send one or two packets. (Growing by
                // half instead left more memory unused between the
                // allocator's size classes.) The budget counts the room
                // taken, used or not, so that it bounds memory.
                let before = state.kept.capacity();
                let more = before
                    .max(1)
                    .min(self.max_kept - self.kept)
                    .min(self.cap - state.kept.len());
                state.kept.reserve_exact(more);
                self.kept += state.kept.capacity() - before;
            }
            let sensors = SensorSet::of(packet.sensor);
            state.kept.push(Seen {
                packet,
                sensors,
                also: Box::default(),
            });
        } else {
            state.overflow += 1;
            state.beyond.get_or_insert_default().add(&packet);
        }
    }

    /// True when a new source can be tracked one by one.
    fn has_room(&self) -> bool {
        self.sources < self.max_sources && self.kept < self.max_kept
    }

    /// Moves the oldest small tracked sources ([`SourceState::is_small`]),
    /// in the order they arrived, into crowds, making room for new sources
    /// and for the packets of those still tracked: background noise goes to
    /// crowds, scanners stay tracked. A batch at a time, each source looked
    /// at once per arrival, so that the cost per packet stays constant.
    /// For a `new_source`, when that is not room enough, every tracked
    /// source keeps fewer packets ([`Tracker::trim_to_cap`]).
    fn make_room(&mut self, new_source: bool) {
        let batch = (self.max_sources / 16).max(1);
        // Room for packets as well: the sources still tracked go on
        // keeping theirs.
        let kept_at_most = self.max_kept - (self.max_kept / 16).max(1);
        let mut demoted = std::mem::take(&mut self.demoted);
        let (mut sources, mut kept) = (0usize, 0usize);
        while sources < batch || self.kept - kept > kept_at_most {
            let Some(src) = self.arrivals.pop_front() else {
                break;
            };
            let hash = self.hasher.hash_one(&src);
            let shard = (hash % self.shards.len() as u64) as usize;
            // A source that is not small never becomes small again.
            if !self.shards[shard]
                .get(&src)
                .is_some_and(SourceState::is_small)
            {
                continue;
            }
            if let Some(state) = self.shards[shard].remove(&src) {
                sources += 1;
                kept += state.kept.capacity();
                let sent = state.kept.iter().map(|seen| &seen.packet);
                self.recall.remember(hash, state.earlier, sent);
                demoted.extend(state.kept.into_iter().map(|seen| seen.packet));
            }
        }
        self.sources -= sources;
        self.kept -= kept;
        self.crowds.add_late(&mut demoted);
        self.demoted = demoted;
        // Still short of room for packets: the sources tracked are big
        // ones (floods, scans). Each keeps fewer, the rest counted.
        while new_source && self.kept > kept_at_most && self.cap > CAP_FLOOR {
            self.cap = (self.cap / 2).max(CAP_FLOOR);
            self.trim_to_cap();
        }
    }

    /// Keeps at most the current cap of each source's first packets; the
    /// rest are counted, their ports, targets, flags and times gathered.
    fn trim_to_cap(&mut self) {
        let cap = self.cap;
        for state in self.shards.iter_mut().flat_map(Map::values_mut) {
            let Some(extra) = state.kept.len().checked_sub(cap).filter(|&n| n > 0) else {
                continue;
            };
            let beyond = state.beyond.get_or_insert_default();
            for seen in &state.kept[cap..] {
                beyond.add(&seen.packet);
            }
            state.overflow += extra as u64;
            let before = state.kept.capacity();
            state.kept.truncate(cap);
            state.kept.shrink_to_fit();
            self.kept -= before - state.kept.capacity();
        }
    }

    /// True when any packet was accepted or carried a flow outcome.
    pub fn outcomes_seen(&self) -> bool {
        self.outcomes
    }

    /// Per-target counters.
    pub fn targets(&self) -> &Map<Host, TargetState> {
        &self.targets
    }

    /// An empty tracker with the same shards and caps, for another worker
    /// whose packets are merged back at the end.
    pub fn sibling(&self) -> Tracker {
        Tracker::new(self.shards.len(), self.packets_per_source)
            .with_limits(self.max_sources, self.max_kept)
            .with_flood(self.crowds.flood)
    }

    /// The same tracker reading runs of crowds at `flood` as floods.
    pub fn with_flood(mut self, flood: FloodLimits) -> Tracker {
        self.crowds.flood = flood;
        self
    }

    /// Takes the tracker apart: its shards (each mergeable with the same
    /// shard of a sibling by [`merge_shard`]), its per-target counters and
    /// whether it saw outcomes.
    pub fn into_parts(self) -> TrackerParts {
        TrackerParts {
            shards: self.shards,
            targets: self.targets,
            outcomes: self.outcomes,
            cap: self.packets_per_source,
            crowds: self.crowds,
        }
    }
}

/// A tracker taken apart, so that its shards can be merged with its
/// siblings' on separate threads.
#[derive(Debug)]
pub struct TrackerParts {
    /// Per-source state, by shard.
    pub shards: Vec<Map<Host, SourceState>>,
    /// Per-target counters.
    pub targets: Map<Host, TargetState>,
    /// True when any packet was accepted or carried a flow outcome.
    pub outcomes: bool,
    /// Packets kept per source.
    pub cap: usize,
    /// Packets of sources past the tracking limits.
    pub crowds: Crowds,
}

/// Merges one shard as several workers tracked it into one list of sources,
/// sorted by address. A source seen by several workers keeps the packets a
/// single worker would have kept: the first `cap` in input order (by origin),
/// the rest counted as overflow.
pub fn merge_shard(parts: Vec<Map<Host, SourceState>>, cap: usize) -> Vec<SourceState> {
    let mut parts = parts.into_iter();
    let mut merged = parts.next().unwrap_or_default();
    for part in parts {
        for (src, state) in part {
            match merged.entry(src) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(state);
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    let into = o.get_mut();
                    into.overflow += state.overflow;
                    into.kept.extend(state.kept);
                    match (&mut into.beyond, state.beyond) {
                        (Some(mine), Some(theirs)) => mine.absorb(&theirs),
                        (mine @ None, theirs) => *mine = theirs,
                        (Some(_), None) => {}
                    }
                    into.split_from_other_worker = true;
                }
            }
        }
    }
    let mut states: Vec<SourceState> = merged.into_values().collect();
    for state in &mut states {
        if std::mem::take(&mut state.split_from_other_worker) {
            state.kept.sort_by_key(|s| s.packet.origin);
            if state.kept.len() > cap {
                state.overflow += (state.kept.len() - cap) as u64;
                let beyond = state.beyond.get_or_insert_default();
                for seen in &state.kept[cap..] {
                    beyond.add(&seen.packet);
                }
                state.kept.truncate(cap);
            }
        }
    }
    states.sort_by(|a, b| a.src.cmp(&b.src));
    states
}

/// Adds one worker's per-target counters to another's.
pub fn merge_targets(into: &mut Map<Host, TargetState>, from: Map<Host, TargetState>) {
    for (host, t) in from {
        let entry = into.entry(host).or_default();
        entry.packets += t.packets;
        entry.blocked += t.blocked;
        for source in t.sources {
            if entry.sources.len() < TargetState::SOURCES_KEPT && !entry.sources.contains(&source) {
                entry.sources.push(source);
            }
        }
    }
}

#[cfg(test)]
mod tests;
