//! Assessment: what a unit means. Fills every analyst's field of a detect:
//! active targeting, intent, technique, history, identity, forgery,
//! severity, recommendations and the observations behind them.

pub mod conn;
pub mod fingerprint;
mod narrative;
pub(crate) mod relate;
pub mod severity;
pub mod spoof;
pub mod words;

use std::collections::BTreeMap;

use picket_knowledge::{PortEntry, WormSignature};
use picket_model::{Detect, DetectKind, EvidenceRef, Proto, ScanType, Spoofed};

use crate::classify::kind::{classify, worm};
use crate::classify::timing::{self, Burst, Clusters, Period};
use crate::classify::{Facts, Role, Unit};
use crate::context::Context;

/// Everything worked out about a unit before it is written up.
pub struct Findings<'a> {
    /// The unit itself.
    pub unit: &'a Unit,
    /// Counts and distinct values.
    pub facts: Facts,
    /// What it is.
    pub kind: DetectKind,
    /// The scan technique, for scans.
    pub scan: Option<ScanType>,
    /// The main service port and its protocol.
    pub primary: Option<(Proto, u16)>,
    /// What the knowledge base says of the main port.
    pub entry: Option<&'a PortEntry>,
    /// The worm the packets match.
    pub worm: Option<&'a WormSignature>,
    /// Forgery verdict.
    pub spoofed: Spoofed,
    /// Why.
    pub spoof_reasons: Vec<String>,
    /// Connection attempts.
    pub attempts: Vec<conn::Attempt>,
    /// SYN/RST pairs.
    pub pairs: Vec<conn::SynRstPair>,
    /// RSTs without their SYN.
    pub orphan_rsts: usize,
    /// Stack hints.
    pub hints: fingerprint::StackHints,
    /// Steady period between packets.
    pub period: Option<Period>,
    /// Tight groups at a steady interval.
    pub clusters: Option<Clusters>,
    /// Bursts separated by long quiet times.
    pub bursts: Vec<Burst>,
    /// The IDS's best (lowest) priority.
    pub priority: Option<u8>,
    /// Threshold Random Walk over first contacts, when the log has outcomes.
    pub walk: Option<crate::classify::trw::Walk>,
}

/// Most sources listed in one detect (a flood from forged sources can claim
/// millions); observations give the full count.
const SOURCES_LISTED: usize = 1000;

/// Gap, in seconds, that separates bursts.
const BURST_SPLIT_SECS: f64 = 300.0;

/// Works out a unit's findings.
pub fn findings<'a>(unit: &'a Unit, ctx: &Context<'a>) -> Findings<'a> {
    let facts = Facts::of(&unit.packets, unit.overflow, unit.beyond.as_deref());
    let (kind, scan) = classify(unit, &facts, ctx);
    let primary = primary_port(unit);
    let entry = primary.and_then(|(proto, port)| ctx.ports.lookup(proto, port));
    let (spoofed, spoof_reasons) = spoof::judge(unit, &facts, kind, ctx);
    let attempts = conn::attempts(unit, ctx.limits.retransmit_window_secs);
    let (pairs, orphan_rsts) = conn::syn_rst_pairs(unit);
    let priority = unit
        .packets
        .iter()
        .filter_map(|s| s.packet.signature.as_ref().and_then(|sig| sig.priority))
        .min();
    Findings {
        unit,
        kind,
        scan,
        primary,
        entry,
        worm: worm(unit, ctx),
        spoofed,
        spoof_reasons,
        attempts,
        pairs,
        orphan_rsts,
        hints: fingerprint::hints(unit),
        period: timing::steady_period(unit),
        clusters: timing::clusters(unit, 0.05),
        bursts: timing::bursts(unit, BURST_SPLIT_SECS),
        priority,
        walk: ctx.walk_contacts.then(|| crate::classify::trw::walk(unit)),
        facts,
    }
}

/// The service a unit is about: for probes the most frequent destination
/// port, for replies the port they come from.
fn primary_port(unit: &Unit) -> Option<(Proto, u16)> {
    let mut counts: BTreeMap<(Proto, u16), usize> = BTreeMap::new();
    for s in &unit.packets {
        let port = match unit.role {
            Role::Probe => s.packet.dst_port,
            Role::Reply => s.packet.src_port,
        };
        if let Some(port) = port {
            *counts.entry((s.packet.proto, port)).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(k, _)| k)
}

/// Writes a unit up as a detect. `paths` are the inputs' paths, by index.
pub fn assess(unit: &Unit, ctx: &Context, paths: &[String]) -> Detect {
    let f = findings(unit, ctx);
    let severity = severity::rate(f.kind, &f.facts, f.entry, f.priority, ctx);
    let zone = ctx.zone;
    let mut origins: Vec<(u32, u64)> = unit
        .packets
        .iter()
        .flat_map(|s| s.origins())
        .map(|o| (o.input, o.line))
        .collect();
    origins.sort_unstable();
    origins.dedup();
    // Every packet past the cap was logged on a line of its own at least.
    let evidence_total = origins.len() as u64 + unit.overflow;
    let evidence = origins
        .iter()
        .take(ctx.limits.evidence_per_detect)
        .map(|(input, line)| EvidenceRef {
            path: paths.get(*input as usize).cloned().unwrap_or_default(),
            line: *line,
            text: None,
        })
        .collect();
    let mut protocols: Vec<String> = f.facts.protos.iter().map(|p| p.name()).collect();
    protocols.dedup();
    let detect = Detect {
        id: String::new(),
        title: narrative::title(&f, ctx),
        first_seen: f
            .facts
            .first
            .map(|t| words::rfc3339(t, zone))
            .unwrap_or_default(),
        last_seen: f
            .facts
            .last
            .map(|t| words::rfc3339(t, zone))
            .unwrap_or_default(),
        sensors: f
            .facts
            .sensors
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
        sources: unit
            .sources
            .iter()
            .take(SOURCES_LISTED)
            .map(|s| s.to_string())
            .collect(),
        sources_total: unit.sources.len() as u64,
        targets: f.facts.targets.iter().map(|t| t.to_string()).collect(),
        protocols,
        target_ports: f.facts.dports.iter().copied().collect(),
        packets: f.facts.packets,
        kind: f.kind,
        scan_type: f.scan,
        spoofed: f.spoofed,
        active_targeting: narrative::active_targeting(&f, ctx),
        intent: narrative::intent(&f, ctx),
        technique: narrative::technique(&f, ctx),
        history: narrative::history(&f, ctx),
        identity: narrative::identity(&f, ctx),
        recommendations: narrative::recommendations(&f, ctx),
        observations: narrative::observations(&f, ctx),
        severity,
        evidence,
        evidence_total,
        related: Vec::new(),
        tool_signature: fingerprint::tool_signature(unit),
    };
    Detect {
        id: detect_id(&detect),
        ..detect
    }
}

/// A stable id: a hash of what identifies the detect in its input.
fn detect_id(d: &Detect) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    eat(d.kind.as_str().as_bytes());
    eat(d.first_seen.as_bytes());
    for s in &d.sources {
        eat(s.as_bytes());
    }
    for t in d.targets.iter().take(16) {
        eat(t.as_bytes());
    }
    for p in d.target_ports.iter().take(64) {
        eat(&p.to_le_bytes());
    }
    format!("d{:011x}", h >> 20)
}
