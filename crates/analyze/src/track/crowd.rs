//! Sources past the tracking limits. Once a tracker holds its most sources
//! or kept packets, a packet from a new source joins a crowd: the packets
//! every untracked source sent to one target, protocol and port. A crowd
//! keeps its first and last few packets (for evidence, timing and stack
//! hints), counts the rest and remembers its sources' addresses, so that a
//! flood of a million unique sources costs a few bytes per source instead
//! of a full state each, and is still reported, counted in full.

use std::collections::VecDeque;

use jiff::Timestamp;
use picket_model::{Host, Packet, Proto, TcpFlags};

use super::beyond::widen;
use super::{Beyond, Map, Seen, SensorSet, SourceSet};

/// Packets a crowd keeps from its start, and as many from its end.
pub const CROWD_KEPT_EACH_END: usize = 4;

/// Distinct crowds per tracker; later keys share one catch-all crowd.
pub const CROWDS_MAX: usize = 32_768;

/// Source addresses remembered across a tracker's crowds; past this the
/// packets of sources not remembered are only counted.
pub const CROWD_SOURCES_MAX: usize = 1 << 19;

/// What a crowd is keyed by: target, protocol, destination port (none for
/// replies, whose ports are the other side's ephemeral ones), and whether a
/// filter let the packets through: connections a firewall allowed are not
/// mixed with probes it dropped. `None` is the catch-all crowd past
/// [`CROWDS_MAX`].
pub type CrowdKey = Option<(Host, Proto, Option<u16>, bool)>;

/// Packets of untracked sources, gathered: the first and last few kept,
/// the rest counted.
#[derive(Clone, Debug, Default)]
pub struct Gathering {
    /// The first packets, in arrival order. Boxed, as in the tail: they
    /// are moved and sorted as gatherings merge, and a packet is large.
    pub head: Vec<Box<Seen>>,
    /// The latest packets past the head, oldest first.
    pub tail: VecDeque<Box<Seen>>,
    /// Every packet, kept or not.
    pub packets: u64,
    /// Distinct sources remembered.
    pub sources: SourceSet,
    /// Ports and targets of the packets not kept.
    pub beyond: Beyond,
    /// Time of the first and of the latest packet.
    first: Option<Timestamp>,
    last: Option<Timestamp>,
}

impl Gathering {
    /// Adds a packet; its source joins the sources when `remember` is
    /// true.
    fn add(&mut self, packet: Packet, remember: bool) {
        self.packets += 1;
        if self.first.is_none() {
            self.first = packet.time;
        }
        if packet.time.is_some() {
            self.last = packet.time;
        }
        if remember {
            self.sources.insert(&packet.src);
        }
        let seen = Seen {
            sensors: SensorSet::of(packet.sensor),
            packet,
            also: Box::default(),
        };
        if self.head.len() < CROWD_KEPT_EACH_END {
            self.head.push(Box::new(seen));
        } else if self.tail.len() == CROWD_KEPT_EACH_END
            && let Some(mut oldest) = self.tail.pop_front()
        {
            // The oldest of the tail is counted, its box reused.
            self.beyond.add(&oldest.packet);
            *oldest = seen;
            self.tail.push_back(oldest);
        } else {
            self.tail.push_back(Box::new(seen));
        }
    }

    /// Adds another gathering: every packet is counted, the earliest and
    /// latest by input order are kept.
    pub fn absorb(&mut self, other: Gathering) {
        if other.packets == 0 {
            return;
        }
        self.packets += other.packets;
        self.first = widen(self.first, other.first, Timestamp::min);
        self.last = widen(self.last, other.last, Timestamp::max);
        self.sources.extend(other.sources);
        self.beyond.absorb(&other.beyond);
        let mut all: Vec<Box<Seen>> = std::mem::take(&mut self.head);
        all.extend(self.tail.drain(..));
        all.extend(other.head);
        all.extend(other.tail);
        all.sort_by_key(|s| s.packet.origin);
        let keep = 2 * CROWD_KEPT_EACH_END;
        if all.len() > keep {
            for seen in all.drain(CROWD_KEPT_EACH_END..all.len() - CROWD_KEPT_EACH_END) {
                self.beyond.add(&seen.packet);
            }
        }
        let tail = all.split_off(all.len().min(CROWD_KEPT_EACH_END));
        // Without the room the merge needed: a crowd is kept to the end.
        all.shrink_to_fit();
        self.head = all;
        self.tail = tail.into();
    }

    /// True when the packets came at least `rate` a second, `packets` or
    /// more of them: a flood.
    fn is_flood(&self, packets: u64, rate: f64) -> bool {
        let span = match (self.first, self.last) {
            (Some(a), Some(b)) => (b.as_nanosecond() - a.as_nanosecond()) as f64 / 1e9,
            _ => return false,
        };
        self.packets >= packets && self.packets as f64 / span.max(1.0) >= rate
    }

    /// True when the two overlap in time, give or take [`RUN_GAP_SECS`].
    fn overlaps(&self, other: &Gathering) -> bool {
        let gap = jiff::SignedDuration::from_secs(RUN_GAP_SECS);
        match (self.first, self.last, other.first, other.last) {
            (Some(a), Some(b), Some(c), Some(d)) => {
                a.checked_sub(gap).is_ok_and(|a| a <= d) && c.checked_sub(gap).is_ok_and(|c| c <= b)
            }
            _ => false,
        }
    }

    /// The kept packets, head then tail, how many were only counted, the
    /// sources (sorted) and what the counted packets reached.
    pub fn into_kept(self) -> (Vec<Seen>, u64, Vec<Host>, Beyond) {
        let kept: Vec<Seen> = self.head.into_iter().chain(self.tail).map(|b| *b).collect();
        let counted = self.packets - kept.len() as u64;
        let sources = self.sources.into_sorted();
        (kept, counted, sources, self.beyond)
    }
}

/// Seconds between packets that end a run of a crowd: a flood is dense,
/// background noise at the same port is not.
pub const RUN_GAP_SECS: i64 = 1;

/// Packets of untracked sources to one target, protocol and port: runs
/// dense enough to be floods apart, the rest together.
#[derive(Clone, Debug, Default)]
pub struct Crowd {
    /// Everything but the floods.
    pub rest: Gathering,
    /// Runs of packets that came at a flood's rate.
    pub floods: Vec<Gathering>,
    /// The run under way: packets each within [`RUN_GAP_SECS`] of the last.
    run: Gathering,
    /// The run under way among packets of tracked sources moved here
    /// later ([`Crowds::add_late`]), which come in their own time order.
    late: Gathering,
}

impl Crowd {
    fn add(&mut self, packet: Packet, remember: bool, flood: FloodLimits) -> bool {
        if !continues(&self.run, packet.time) {
            self.end_run(flood);
        }
        let new = !self.knows(&packet.src);
        // A source the crowd knows joins the run too: the run may become a
        // flood of its own, listing its sources.
        self.run.add(packet, remember || !new);
        new && remember
    }

    /// Files the run under way with the floods or with the rest.
    fn end_run(&mut self, flood: FloodLimits) {
        let run = std::mem::take(&mut self.run);
        self.file(run, flood);
        let late = std::mem::take(&mut self.late);
        self.file(late, flood);
    }

    /// Adds a packet of a tracked source moved here later: it continues
    /// the late run, starts a new one after it, or, older than the run,
    /// joins the rest.
    fn add_late(&mut self, packet: Packet, remember: bool, flood: FloodLimits) -> bool {
        let new = !self.knows(&packet.src);
        let gap = jiff::SignedDuration::from_secs(RUN_GAP_SECS);
        let before_run = match (self.late.first, packet.time) {
            (Some(first), Some(t)) => first.duration_since(t) > gap,
            _ => false,
        };
        if before_run {
            let mut one = Gathering::default();
            one.add(packet, remember || !new);
            self.rest.absorb(one);
        } else {
            if !continues(&self.late, packet.time) {
                let late = std::mem::take(&mut self.late);
                self.file(late, flood);
            }
            self.late.add(packet, remember || !new);
        }
        new && remember
    }

    /// Files an ended run: with a flood it overlaps, as a flood of its own,
    /// or with the rest.
    fn file(&mut self, run: Gathering, flood: FloodLimits) {
        if let Some(mine) = self.floods.iter_mut().find(|f| f.overlaps(&run)) {
            mine.absorb(run);
        } else if run.is_flood(flood.packets, flood.rate) {
            self.floods.push(run);
        } else {
            self.rest.absorb(run);
        }
    }

    /// Joins floods that touch in time: the parts of one flood filed apart
    /// (sources moved to the crowd in several sweeps, several workers).
    fn coalesce(&mut self) {
        let mut floods = std::mem::take(&mut self.floods);
        floods.sort_by_key(|f| f.first);
        for flood in floods {
            match self.floods.last_mut() {
                Some(last) if last.overlaps(&flood) => last.absorb(flood),
                _ => self.floods.push(flood),
            }
        }
    }

    /// True when `source` is among the sources remembered so far.
    fn knows(&self, source: &Host) -> bool {
        self.rest.sources.contains(source)
            || self.run.sources.contains(source)
            || self.late.sources.contains(source)
    }

    /// Every packet of the crowd, counted.
    pub fn packets(&self) -> u64 {
        self.rest.packets
            + self.run.packets
            + self.late.packets
            + self.floods.iter().map(|f| f.packets).sum::<u64>()
    }

    /// Distinct sources remembered, across its floods and the rest (a
    /// source in both counts twice).
    pub fn sources(&self) -> u64 {
        (self.rest.sources.len()
            + self.run.sources.len()
            + self.late.sources.len()
            + self.floods.iter().map(|f| f.sources.len()).sum::<usize>()) as u64
    }

    /// Adds another worker's crowd of the same key. Runs and floods that
    /// overlap in time are one: the workers read alternate stretches of
    /// one input, so each saw part of the same flood.
    pub fn absorb(&mut self, other: Crowd, flood: FloodLimits) {
        self.rest.absorb(other.rest);
        for run in [other.run, other.late] {
            if self.run.packets == 0 || self.run.overlaps(&run) {
                self.run.absorb(run);
            } else {
                self.file(run, flood);
            }
        }
        for gathering in other.floods {
            match self.floods.iter_mut().find(|f| f.overlaps(&gathering)) {
                Some(mine) => mine.absorb(gathering),
                None => self.floods.push(gathering),
            }
        }
    }

    /// The floods, then the rest: what becomes units.
    pub fn into_gatherings(self) -> impl Iterator<Item = Gathering> {
        self.floods
            .into_iter()
            .chain(std::iter::once(self.rest).filter(|g| g.packets > 0))
    }
}

/// What makes a run of a crowd a flood (the thresholds' `flood_packets` and
/// `flood_rate`).
#[derive(Clone, Copy, Debug)]
pub struct FloodLimits {
    /// Fewest packets.
    pub packets: u64,
    /// Fewest packets per second.
    pub rate: f64,
}

impl Default for FloodLimits {
    fn default() -> FloodLimits {
        FloodLimits {
            packets: 500,
            rate: 50.0,
        }
    }
}

/// A tracker's crowds, and how many source addresses they remember.
#[derive(Clone, Debug, Default)]
pub struct Crowds {
    /// Crowds by key.
    pub by_key: Map<CrowdKey, Crowd>,
    /// Source addresses remembered across them.
    pub remembered: usize,
    /// What makes a run a flood.
    pub flood: FloodLimits,
    /// Packets per clock hour (Unix hour number), for the report's chart.
    pub hours: Map<i64, u64>,
}

/// Clock hours counted for the chart, over a year.
const HOURS_KEPT: usize = 24 * 400;

impl Crowds {
    /// Counts a packet in its clock hour.
    fn count_hour(&mut self, packet: &Packet) {
        if let Some(t) = packet.time {
            let hour = t.as_second().div_euclid(3600);
            if self.hours.len() < HOURS_KEPT || self.hours.contains_key(&hour) {
                *self.hours.entry(hour).or_default() += 1;
            }
        }
    }

    /// Adds a packet of an untracked source to its crowd.
    pub fn add(&mut self, packet: Packet) {
        self.file(packet, false);
    }

    /// Adds packets of tracked sources moved to crowds after the fact.
    /// They are older than the runs under way, so they form runs of their
    /// own, in time order, kept from one batch to the next: a flood whose
    /// sources each sent one packet is still found as one.
    /// `packets` is left empty, its buffer kept for the next batch.
    pub fn add_late(&mut self, packets: &mut Vec<Packet>) {
        // By key, then moved once: packets are large to move while sorting.
        packets.sort_by_cached_key(|p| (p.time, p.origin));
        for packet in packets.drain(..) {
            self.file(packet, true);
        }
    }

    /// Counts a packet in its hour and adds it to its crowd, as a late one
    /// ([`Crowd::add_late`]) or not ([`Crowd::add`]).
    fn file(&mut self, packet: Packet, late: bool) {
        self.count_hour(&packet);
        let key = self.key_of(&packet);
        let remember = self.remembered < CROWD_SOURCES_MAX;
        let flood = self.flood;
        let crowd = self.by_key.entry(key).or_default();
        let new_source = if late {
            crowd.add_late(packet, remember, flood)
        } else {
            crowd.add(packet, remember, flood)
        };
        if new_source {
            self.remembered += 1;
        }
    }

    /// The crowd a packet joins: its own key, or the catch-all past
    /// [`CROWDS_MAX`] crowds.
    fn key_of(&self, packet: &Packet) -> CrowdKey {
        let key = Some(crowd_key(packet));
        // Below the cap, no look-up is needed.
        if self.by_key.len() >= CROWDS_MAX && !self.by_key.contains_key(&key) {
            None
        } else {
            key
        }
    }

    /// Ends every run under way, filing it with the floods or the rest.
    pub fn seal(&mut self) {
        let flood = self.flood;
        for crowd in self.by_key.values_mut() {
            crowd.end_run(flood);
            crowd.coalesce();
        }
    }

    /// Adds another worker's crowds; [`Crowds::seal`] them after the last.
    pub fn absorb(&mut self, other: Crowds) {
        self.flood = other.flood;
        for (hour, n) in other.hours {
            *self.hours.entry(hour).or_default() += n;
        }
        for (key, crowd) in other.by_key {
            match self.by_key.entry(key) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(crowd);
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    o.get_mut().absorb(crowd, other.flood)
                }
            }
        }
        self.remembered = self.by_key.values().map(|c| c.sources() as usize).sum();
    }

    /// Packets in all crowds.
    pub fn packets(&self) -> u64 {
        self.by_key.values().map(Crowd::packets).sum()
    }
}

/// True when a packet at `time` continues `run`: within [`RUN_GAP_SECS`]
/// of its latest packet, or the first of an empty run.
fn continues(run: &Gathering, time: Option<Timestamp>) -> bool {
    let gap = jiff::SignedDuration::from_secs(RUN_GAP_SECS);
    match (run.last, time) {
        (Some(last), Some(t)) => t.duration_since(last) <= gap,
        _ => run.packets == 0,
    }
}

fn crowd_key(packet: &Packet) -> (Host, Proto, Option<u16>, bool) {
    let reply = packet
        .tcp_flags()
        .is_some_and(|f| f.has(TcpFlags::ACK) || f.has(TcpFlags::RST));
    let port = if reply { None } else { packet.dst_port };
    (
        packet.dst.clone(),
        packet.proto,
        port,
        packet.action == picket_model::Action::Accept,
    )
}
