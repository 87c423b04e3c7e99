//! picket's analysis, stage by stage:
//!
//! 1. [`track`]: packets are routed to per-source state, sharded by source
//!    address (and counted per target);
//! 2. [`merge`]: within each source, records several sensors made of one
//!    packet become one packet;
//! 3. [`classify`]: each source's packets are split into units of activity,
//!    units that one actor sent under several addresses are joined, and each
//!    unit gets its kind;
//! 4. [`assess`]: each unit is written up as a [`Detect`].
//!
//! Data flows one way. Shards are analysed on separate threads.

pub mod assess;
pub mod classify;
pub mod config;
pub mod context;
pub mod merge;
pub mod site;
pub mod track;

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use picket_knowledge::PortTable;
use picket_model::{Counted, Detect, Packet};

pub use config::Thresholds;
pub use context::{Context, HomeNet};
pub use site::Site;

use classify::Unit;
use track::{SourceState, Tracker};

/// Collects packets, then analyses them.
#[derive(Debug)]
pub struct Analyzer {
    trackers: Vec<Tracker>,
    fresh_from: Vec<u64>,
    limits: Thresholds,
    threads: usize,
    /// True while the trackers share the tracking limits as workers; false
    /// once the first tracker, fed alone, holds them all.
    shared: bool,
}

/// What an analysis found.
#[derive(Debug)]
pub struct Analysis {
    /// Detects, most severe first.
    pub detects: Vec<Detect>,
    /// Distinct packets after merging sensors.
    pub packets: u64,
    /// Distinct sources.
    pub sources: u64,
    /// The home network used.
    pub home: HomeNet,
    /// Sources with the most packets.
    pub top_sources: Vec<Counted>,
    /// Destination ports with the most packets (`23/tcp`).
    pub top_ports: Vec<Counted>,
    /// Packets per clock hour, in time order.
    pub activity: Vec<Counted>,
    /// Packets per source per day, for the history store.
    pub source_days: Vec<SourceDay>,
    /// What came past the tracking limits and was counted in crowds.
    pub beyond_limits: BeyondLimits,
}

/// Sources and packets past the tracking limits (`max_sources`,
/// `max_kept_packets`), counted in crowds rather than tracked one by one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BeyondLimits {
    /// Distinct sources remembered in crowds.
    pub sources: u64,
    /// Packets in crowds.
    pub packets: u64,
}

/// Entries in each top list of the summary.
const TOP_LISTED: usize = 10;

/// Packets of one source on one day (in the report's zone), for history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceDay {
    /// The input the packets were read from.
    pub input: u32,
    /// The source, as reports print it.
    pub source: String,
    /// The day.
    pub day: jiff::civil::Date,
    /// Packets that day (after merging sensors).
    pub packets: u64,
    /// The first packet's time of day.
    pub first_time: Option<jiff::civil::Time>,
}

/// Packets per source, port and hour, counted after merging sensors.
#[derive(Default)]
struct Counts {
    days: Vec<SourceDay>,
    sources: Vec<(u64, picket_model::Host)>,
    ports: std::collections::HashMap<(u8, u16), u64>,
    hours: BTreeMap<i64, u64>,
}

impl Counts {
    /// Hourly buckets kept (over a year); later hours are not charted.
    const HOURS_KEPT: usize = 24 * 400;

    fn add(&mut self, state: &SourceState, zone: &TimeZone, fresh_from: &[u64]) {
        let name = state.src.to_string();
        let mut day: Option<SourceDay> = None;
        for seen in &state.kept {
            let Some(t) = seen.packet.time else { continue };
            let origin = seen.packet.origin;
            if fresh_from
                .get(origin.input as usize)
                .is_some_and(|l| origin.line <= *l)
            {
                continue;
            }
            let dt = zone.to_datetime(t);
            let input = seen.packet.origin.input;
            match day.as_mut() {
                Some(d) if d.day == dt.date() && d.input == input => d.packets += 1,
                _ => {
                    self.days.extend(day.take());
                    day = Some(SourceDay {
                        input,
                        source: name.clone(),
                        day: dt.date(),
                        packets: 1,
                        first_time: Some(dt.time()),
                    });
                }
            }
        }
        self.days.extend(day);
        self.sources
            .push((state.kept.len() as u64 + state.overflow, state.src.clone()));
        if self.sources.len() > 4 * TOP_LISTED {
            self.trim();
        }
        for seen in &state.kept {
            let p = &seen.packet;
            if let Some(port) = p.dst_port {
                *self.ports.entry((p.proto.0, port)).or_default() += 1;
            }
            if let Some(t) = p.time {
                let hour = t.as_second().div_euclid(3600);
                if self.hours.len() < Self::HOURS_KEPT || self.hours.contains_key(&hour) {
                    *self.hours.entry(hour).or_default() += 1;
                }
            }
        }
    }

    fn trim(&mut self) {
        self.sources
            .sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.sources.truncate(TOP_LISTED);
    }

    fn absorb(&mut self, other: Counts) {
        self.days.extend(other.days);
        self.sources.extend(other.sources);
        self.trim();
        for (k, v) in other.ports {
            *self.ports.entry(k).or_default() += v;
        }
        for (k, v) in other.hours {
            *self.hours.entry(k).or_default() += v;
        }
    }

    fn top_sources(&mut self, most: usize) -> Vec<Counted> {
        self.trim();
        self.sources
            .iter()
            .take(most)
            .map(|(count, host)| Counted {
                name: host.to_string(),
                count: *count,
            })
            .collect()
    }

    fn top_ports(&self, most: usize) -> Vec<Counted> {
        let mut all: Vec<(&(u8, u16), &u64)> = self.ports.iter().collect();
        all.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        all.into_iter()
            .take(most)
            .map(|((proto, port), count)| Counted {
                name: format!("{port}/{}", picket_model::Proto(*proto).name()),
                count: *count,
            })
            .collect()
    }

    fn activity(&self, zone: &TimeZone) -> Vec<Counted> {
        self.hours
            .iter()
            .filter_map(|(hour, count)| {
                let start = jiff::Timestamp::from_second(hour.checked_mul(3600)?).ok()?;
                let dt = zone.to_datetime(start);
                Some(Counted {
                    name: format!(
                        "{:04}-{:02}-{:02}T{:02}:00",
                        dt.year(),
                        dt.month(),
                        dt.day(),
                        dt.hour()
                    ),
                    count: *count,
                })
            })
            .collect()
    }
}

impl Analyzer {
    /// An analyzer with the given thresholds, using `threads` threads (at
    /// least one) and as many shards.
    pub fn new(limits: Thresholds, threads: usize) -> Analyzer {
        let threads = threads.max(1);
        Analyzer {
            trackers: {
                let first = Tracker::new(threads * 4, limits.packets_per_source)
                    .with_limits(
                        limits.max_sources.div_ceil(threads),
                        limits.max_kept_packets.div_ceil(threads),
                    )
                    .with_flood(track::FloodLimits {
                        packets: limits.flood_packets,
                        rate: limits.flood_rate,
                    });
                let mut all: Vec<Tracker> = (1..threads).map(|_| first.sibling()).collect();
                all.insert(0, first);
                all
            },
            fresh_from: Vec::new(),
            limits,
            threads,
            shared: true,
        }
    }

    /// Counts, for history, only lines after `line` of input `input` (the
    /// lines before were stored by an earlier run); the analysis still sees
    /// them all.
    pub fn count_from(&mut self, input: u32, line: u64) {
        let index = input as usize;
        if self.fresh_from.len() <= index {
            self.fresh_from.resize(index + 1, 0);
        }
        self.fresh_from[index] = line;
    }

    /// Takes one packet.
    pub fn observe(&mut self, packet: Packet) {
        if self.shared {
            // One reader feeds the first tracker alone: it gets the whole
            // budget.
            self.shared = false;
            let limits = &self.limits;
            self.trackers[0].set_limits(limits.max_sources, limits.max_kept_packets);
        }
        self.trackers[0].observe(packet);
    }

    /// One tracker per thread: workers that parse parts of an input in
    /// parallel each feed their own, and [`Analyzer::finish`] merges them.
    pub fn workers(&mut self) -> &mut [Tracker] {
        if !self.shared {
            self.shared = true;
            let (sources, kept) = self.worker_limits();
            for tracker in &mut self.trackers {
                tracker.set_limits(sources, kept);
            }
        }
        &mut self.trackers
    }

    /// Each worker's share of the tracking limits.
    fn worker_limits(&self) -> (usize, usize) {
        let threads = self.trackers.len().max(1);
        (
            self.limits.max_sources.div_ceil(threads),
            self.limits.max_kept_packets.div_ceil(threads),
        )
    }

    /// Analyses everything observed. `paths` name the inputs by index, for
    /// evidence; `zone` is the zone reports use.
    pub fn finish(
        self,
        site: &Site,
        ports: &PortTable,
        identity: &picket_identity::IdentityService,
        zone: &TimeZone,
        paths: &[String],
    ) -> Analysis {
        let fresh_from = self.fresh_from;
        let mut walk_contacts = false;
        let mut targets = track::Map::default();
        let mut shards: Vec<Vec<track::Map<picket_model::Host, SourceState>>> = Vec::new();
        let mut cap = self.limits.packets_per_source;
        let mut crowds = track::Crowds::default();
        for tracker in self.trackers {
            let parts = tracker.into_parts();
            walk_contacts |= parts.outcomes;
            crowds.absorb(parts.crowds);
            cap = parts.cap;
            track::merge_targets(&mut targets, parts.targets);
            for (i, shard) in parts.shards.into_iter().enumerate() {
                if shards.len() <= i {
                    shards.push(Vec::new());
                }
                shards[i].push(shard);
            }
        }
        let limits = &self.limits;
        let per_shard = run_sharded(shards, self.threads, |parts| {
            let states = track::merge_shard(parts, cap);
            let sources = states.len() as u64;
            let mut units = Vec::new();
            let mut packets = 0u64;
            let mut counts = Counts::default();
            for mut state in states {
                state.settle();
                merge::merge_sensors(&mut state.kept, limits.merge_window_secs);
                packets += state.kept.len() as u64 + state.overflow;
                counts.add(&state, zone, &fresh_from);
                units.extend(classify::unit::split_source(
                    state,
                    ports,
                    limits,
                    walk_contacts,
                ));
            }
            (units, packets, counts, sources)
        });
        let mut packets = 0;
        let mut units: Vec<Unit> = Vec::new();
        let mut counts = Counts::default();
        let mut sources = 0u64;
        for (u, p, c, n) in per_shard {
            sources += n;
            units.extend(u);
            packets += p;
            counts.absorb(c);
        }
        let beyond_limits = BeyondLimits {
            sources: crowds.by_key.values().map(track::Crowd::sources).sum(),
            packets: crowds.packets(),
        };
        crowds.seal();
        for (hour, n) in std::mem::take(&mut crowds.hours) {
            *counts.hours.entry(hour).or_default() += n;
        }
        sources += beyond_limits.sources;
        packets += beyond_limits.packets;
        for (key, crowd) in crowds.by_key {
            if let Some((_, proto, Some(port), _)) = key {
                *counts.ports.entry((proto.0, port)).or_default() += crowd.packets();
            }
            units.extend(
                crowd
                    .into_gatherings()
                    .map(|g| classify::unit::crowd_unit(g, ports)),
            );
        }
        let top_sources = counts.top_sources(TOP_LISTED);
        let top_ports = counts.top_ports(TOP_LISTED);
        let activity = counts.activity(zone);
        let source_days = std::mem::take(&mut counts.days);
        sort_by_key_then(
            &mut units,
            |u| u.packets.first().and_then(|s| s.packet.time),
            |a, b| a.sources.cmp(&b.sources),
        );
        let units = classify::actors::join_actors(units, site);
        let units = classify::actors::join_floods(units, limits);
        let home = HomeNet::infer(site, &targets);
        let ctx = Context {
            site,
            ports,
            limits,
            home: &home,
            zone,
            walk_contacts,
            identity,
        };
        let mut detects = assess_all(units, &ctx, paths, self.threads);
        assess::relate::relate(&mut detects);
        assess::relate::relate_distributed(&mut detects);
        sort_by_key_then(
            &mut detects,
            |d| {
                (
                    std::cmp::Reverse(d.severity.level),
                    std::cmp::Reverse(d.severity.score),
                    std::cmp::Reverse(d.packets),
                )
            },
            |a, b| {
                a.first_seen
                    .cmp(&b.first_seen)
                    .then_with(|| a.id.cmp(&b.id))
            },
        );
        Analysis {
            detects,
            packets,
            sources,
            home,
            top_sources,
            top_ports,
            activity,
            source_days,
            beyond_limits,
        }
    }
}

/// Sorts `items` stably by `key`, then by `tie` among equal keys: the same
/// order as `sort_by`, but the keys are sorted beside their positions and
/// each item is moved once, which matters for 100,000 large detects whose
/// comparison would fetch each from memory again and again.
fn sort_by_key_then<T, K: Ord>(
    items: &mut Vec<T>,
    key: impl Fn(&T) -> K,
    tie: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    let mut order: Vec<(K, usize)> = items.iter().map(&key).zip(0..).collect();
    // Positions break every tie, so an unstable sort gives the stable order.
    order.sort_unstable_by(|(ka, a), (kb, b)| {
        ka.cmp(kb)
            .then_with(|| tie(&items[*a], &items[*b]))
            .then(a.cmp(b))
    });
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(
        order
            .into_iter()
            .filter_map(|(_, i)| slots.get_mut(i).and_then(Option::take)),
    );
}

/// Writes up every unit, in order, on up to `threads` threads. Each unit's
/// packets are freed as soon as it is written up, so that packets and
/// detects are not both held whole.
fn assess_all(units: Vec<Unit>, ctx: &Context, paths: &[String], threads: usize) -> Vec<Detect> {
    let per_thread = units.len().div_ceil(threads.max(1)).max(64);
    let write_up = |chunk: Vec<Unit>| -> Vec<Detect> {
        chunk
            .into_iter()
            .map(|unit| assess::assess(&unit, ctx, paths))
            .collect()
    };
    if threads <= 1 || units.len() <= per_thread {
        return write_up(units);
    }
    let mut chunks: Vec<Vec<Unit>> = Vec::new();
    let mut rest = units;
    while rest.len() > per_thread {
        let tail = rest.split_off(per_thread);
        chunks.push(rest);
        rest = tail;
    }
    chunks.push(rest);
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || write_up(chunk)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("an assessment thread panicked"))
            .collect()
    })
}

/// Runs `work` on each shard, on up to `threads` threads, and returns the
/// results in shard order.
fn run_sharded<S, T, F>(shards: Vec<S>, threads: usize, work: F) -> Vec<T>
where
    S: Send,
    T: Send,
    F: Fn(S) -> T + Sync,
{
    if threads <= 1 || shards.len() <= 1 {
        return shards.into_iter().map(&work).collect();
    }
    let mut buckets: Vec<Vec<(usize, S)>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, shard) in shards.into_iter().enumerate() {
        buckets[i % threads].push((i, shard));
    }
    let work = &work;
    let mut results: Vec<(usize, T)> = std::thread::scope(|scope| {
        let handles: Vec<_> = buckets
            .into_iter()
            .map(|bucket| {
                scope.spawn(move || {
                    bucket
                        .into_iter()
                        .map(|(i, shard)| (i, work(shard)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests;
