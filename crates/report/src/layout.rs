//! What the human-readable reports show, decided once for text and
//! Markdown alike: which detects are left out for their severity, which tiny
//! detects are folded into one line, and the words of the summary.
//!
//! Detects keep their number (their place in the report, from 1) whether or
//! not others are hidden, so "detect 3" means the same in every view.

use std::collections::{HashMap, HashSet};

use picket_model::{Detect, DetectKind, Report, SeverityLevel};

use crate::RenderOptions;
use crate::words::{Escape, count, port_phrase, thousands};

/// More than this many tiny detects of one kind, port and level are shown
/// as one line.
const GROUP_AFTER: usize = 5;

/// A detect with at most this many packets counts as tiny for grouping.
const TINY_PACKETS: u64 = 2;

/// A low-severity detect with at most this many packets is background noise
/// too: on an internet-facing log, tens of thousands of bots each knock a
/// few times on one port, and each gets a block of its own only in JSON.
const SMALL_PACKETS: u64 = 20;

/// One entry of a rendered report.
pub(crate) enum Item<'a> {
    /// A detect with its own block.
    Detect {
        /// Its place in the report, from 1.
        number: usize,
        /// The detect.
        detect: &'a Detect,
    },
    /// Many tiny detects of one kind at one port, shown as one line.
    Group(Group<'a>),
}

/// Tiny detects folded into one line.
pub(crate) struct Group<'a> {
    /// The place of the first member in the report, from 1.
    pub(crate) number: usize,
    /// The members, most severe first as in the report.
    pub(crate) members: Vec<&'a Detect>,
    /// The port they all probed.
    pub(crate) port: u16,
}

impl Group<'_> {
    /// The level every member shares.
    pub(crate) fn level(&self) -> SeverityLevel {
        self.members
            .first()
            .map_or(SeverityLevel::None, |d| d.severity.level)
    }

    /// One sentence for the whole group: its [`Group::summary`], then the
    /// intent of the first member.
    pub(crate) fn sentence(&self, escape: Escape) -> String {
        let mut sentence = self.summary(escape);
        if let Some(intent) = self.intent(escape) {
            sentence.push_str(": ");
            sentence.push_str(&intent);
        }
        sentence
    }

    /// The intent of the first member, escaped, when it has one.
    pub(crate) fn intent(&self, escape: Escape) -> Option<String> {
        self.members
            .first()
            .filter(|d| !d.intent.trim().is_empty())
            .map(|d| escape(&d.intent))
    }

    /// What the group did: `1,204 sources probed 23/tcp once or twice
    /// (service probe, 1,204 detects)`, or `up to 12 times each`.
    pub(crate) fn summary(&self, escape: Escape) -> String {
        let Some(first) = self.members.first() else {
            return String::new();
        };
        let listed: HashSet<&str> = self
            .members
            .iter()
            .flat_map(|d| d.sources.iter().map(String::as_str))
            .collect();
        // A crowd of sources past the tracking limits lists only its first
        // thousand; the others are counted.
        let unlisted: u64 = self
            .members
            .iter()
            .map(|d| d.source_count() - d.sources.len() as u64)
            .sum();
        let sources = listed.len() as u64 + unlisted;
        let most = self.members.iter().map(per_source).max().unwrap_or(0);
        let how_often = match most {
            0 | 1 => "once".to_string(),
            2 => "once or twice".to_string(),
            n => format!("up to {n} times each"),
        };
        format!(
            "{} probed {} {how_often} ({}, {})",
            count(sources, "source", "sources"),
            port_phrase(self.port, &first.protocols, escape),
            first.kind.phrase(),
            count(self.members.len() as u64, "detect", "detects"),
        )
    }
}

/// The detects to show, in order, and how many were left out.
pub(crate) struct Plan<'a> {
    /// Blocks and grouped lines, most severe first.
    pub(crate) items: Vec<Item<'a>>,
    /// Detects below the minimum severity.
    pub(crate) hidden: usize,
    /// The number of each detect shown in a block of its own, by id.
    pub(crate) numbers: HashMap<&'a str, usize>,
}

/// Decides what a human-readable report shows.
pub(crate) fn plan<'a>(report: &'a Report, options: &RenderOptions) -> Plan<'a> {
    let shown: Vec<(usize, &Detect)> = report
        .detects
        .iter()
        .enumerate()
        .filter(|(_, d)| d.severity.level >= options.min_severity)
        .map(|(i, d)| (i + 1, d))
        .collect();
    let hidden = report.detects.len() - shown.len();

    let mut members_per_key: HashMap<GroupKey<'a>, usize> = HashMap::new();
    for (_, detect) in &shown {
        if let Some(key) = group_key(detect) {
            *members_per_key.entry(key).or_default() += 1;
        }
    }

    let mut items = Vec::with_capacity(shown.len());
    let mut group_at: HashMap<GroupKey<'a>, usize> = HashMap::new();
    let mut numbers = HashMap::new();
    for (number, detect) in shown {
        let key = group_key(detect)
            .filter(|key| members_per_key.get(key).is_some_and(|&n| n > GROUP_AFTER));
        match key {
            Some(key) => match group_at.get(&key) {
                Some(&at) => {
                    if let Some(Item::Group(group)) = items.get_mut(at) {
                        group.members.push(detect);
                    }
                }
                None => {
                    group_at.insert(key, items.len());
                    items.push(Item::Group(Group {
                        number,
                        members: vec![detect],
                        port: key.port,
                    }));
                }
            },
            None => {
                numbers.insert(detect.id.as_str(), number);
                items.push(Item::Detect { number, detect });
            }
        }
    }
    Plan {
        items,
        hidden,
        numbers,
    }
}

/// What tiny detects must share to be grouped.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct GroupKey<'a> {
    kind: DetectKind,
    level: SeverityLevel,
    port: u16,
    protocols: &'a [String],
}

/// Packets per source, rounded up: a crowd of sources past the tracking
/// limits is as small as each of its sources.
fn per_source(detect: &&Detect) -> u64 {
    detect.packets.div_ceil(detect.source_count().max(1))
}

/// The group a detect could join: tiny, one target port.
fn group_key(detect: &Detect) -> Option<GroupKey<'_>> {
    let packets = if detect.kind == DetectKind::Flood {
        detect.packets
    } else {
        per_source(&detect)
    };
    let small = packets <= TINY_PACKETS
        || (packets <= SMALL_PACKETS && detect.severity.level <= SeverityLevel::Low);
    match detect.target_ports.as_slice() {
        [port] if small => Some(GroupKey {
            kind: detect.kind,
            level: detect.severity.level,
            port: *port,
            protocols: &detect.protocols,
        }),
        _ => None,
    }
}

/// The run in one sentence, numbers only: `3 inputs, 42 records, 23 packets
/// from 5 sources, 10 detects`.
pub(crate) fn overview(report: &Report) -> String {
    let summary = &report.summary;
    let mut packets = count(summary.packets, "packet", "packets");
    if summary.sources > 0 {
        packets.push_str(" from ");
        packets.push_str(&count(summary.sources, "source", "sources"));
    }
    [
        count(report.inputs.len() as u64, "input", "inputs"),
        count(summary.records, "record", "records"),
        packets,
        count(report.detects.len() as u64, "detect", "detects"),
    ]
    .join(", ")
}

/// Detects per level, most severe first: `1 medium, 3 low, 1 none`.
pub(crate) fn severities(report: &Report) -> String {
    SeverityLevel::ALL
        .iter()
        .rev()
        .filter_map(|&level| {
            let n = report
                .detects
                .iter()
                .filter(|d| d.severity.level == level)
                .count();
            (n > 0).then(|| format!("{} {}", thousands(n as u64), level.as_str()))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Detects per kind, most common first: `trojan-probe 4, service-probe 3`.
pub(crate) fn kinds(report: &Report) -> String {
    let mut counts: Vec<(DetectKind, u64)> = DetectKind::ALL
        .iter()
        .map(|&kind| {
            let n = report.detects.iter().filter(|d| d.kind == kind).count();
            (kind, n as u64)
        })
        .filter(|&(_, n)| n > 0)
        .collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
        .iter()
        .map(|(kind, n)| format!("{} {}", kind.as_str(), thousands(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closing note on hidden detects, or `None` when none were hidden.
pub(crate) fn hidden_note(hidden: usize, options: &RenderOptions) -> Option<String> {
    (hidden > 0).then(|| {
        let (noun, verb) = if hidden == 1 {
            ("detect", "was")
        } else {
            ("detects", "were")
        };
        format!(
            "{} {noun} below {} {verb} left out; run with --min-severity none to see {}.",
            thousands(hidden as u64),
            options.min_severity.as_str(),
            if hidden == 1 { "it" } else { "them" },
        )
    })
}

/// What to say when no detect is shown.
pub(crate) fn nothing_shown(report: &Report, hidden: usize) -> &'static str {
    if hidden > 0 {
        "No detects at or above the minimum severity."
    } else if !report.inputs.is_empty() && report.inputs.iter().all(|i| i.records == 0) {
        "No detects: none of these inputs held a record picket could read."
    } else if report.summary.sources == 0 && report.inputs.iter().any(|i| i.records > 0) {
        // Records without a single source: they were read, not analysed.
        "No detects: the records were read but not analysed (--parse-only)."
    } else {
        "No detects: nothing in these logs needs attention."
    }
}

/// What came past the tracking limits, as a sentence, or `None` when
/// every source was tracked one by one.
pub(crate) fn beyond_limits(summary: &picket_model::Summary) -> Option<String> {
    (summary.sources_beyond_limits > 0).then(|| {
        format!(
            "{} past the tracking limits sent {}, counted together by target and port \
             (max_sources, max_kept_packets in the site file)",
            count(summary.sources_beyond_limits, "source", "sources"),
            count(summary.packets_beyond_limits, "packet", "packets")
        )
    })
}
