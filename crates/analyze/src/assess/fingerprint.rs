//! Passive hints about the sender's stack: initial TTL and hop count, the
//! IP ID counter's behaviour, TCP window and options.

use std::collections::{BTreeSet, HashMap};

use picket_model::Host;

use crate::classify::Unit;
use crate::track::Seen;

/// The initial TTL a sender most likely used: the nearest of 32, 64, 128
/// and 255 at or above the observed value.
pub fn initial_ttl(ttl: u8) -> u8 {
    match ttl {
        0..=32 => 32,
        33..=64 => 64,
        65..=128 => 128,
        _ => 255,
    }
}

/// Operating systems that start with a given TTL.
pub fn ttl_family(initial: u8) -> &'static str {
    match initial {
        32 => "old Windows 9x/NT or some embedded stacks",
        64 => "Linux, BSD, macOS or another Unix",
        128 => "Windows",
        _ => "Solaris, Cisco IOS or another network device",
    }
}

/// How a sender's IP ID values move from packet to packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpIdPattern {
    /// Rising by one or a few: a global counter on a quiet host.
    Sequential,
    /// Rising in steps of 256: a counter written in the wrong byte order, as
    /// Windows stacks of that era did.
    ByteSwapped,
    /// Always zero (Linux with DF set) or another constant.
    Constant,
    /// No order: randomized IDs (OpenBSD, modern Linux per destination) or
    /// many senders.
    Random,
}

impl IpIdPattern {
    /// A sentence fragment for reports.
    pub fn describe(self) -> &'static str {
        match self {
            IpIdPattern::Sequential => {
                "rise one at a time: a sequential counter on a host sending little else"
            }
            IpIdPattern::ByteSwapped => {
                "rise in steps that are multiples of 256: a byte-swapped counter, typical of Windows"
            }
            IpIdPattern::Constant => "never change",
            IpIdPattern::Random => "follow no order",
        }
    }
}

/// The IP ID pattern of a sequence (in time order), when at least two IDs
/// are known. Steps are taken modulo 2^16.
pub fn ip_id_pattern(ids: &[u32]) -> Option<IpIdPattern> {
    if ids.len() < 2 {
        return None;
    }
    let steps: Vec<u16> = ids
        .windows(2)
        .map(|w| (w[1] as u16).wrapping_sub(w[0] as u16))
        .collect();
    if steps.iter().all(|s| *s == 0) {
        return Some(IpIdPattern::Constant);
    }
    if steps.iter().all(|s| *s > 0 && *s <= 64) {
        return Some(IpIdPattern::Sequential);
    }
    let swapped: Vec<u16> = ids
        .windows(2)
        .map(|w| {
            (w[1] as u16)
                .swap_bytes()
                .wrapping_sub((w[0] as u16).swap_bytes())
        })
        .collect();
    if swapped.iter().all(|s| *s > 0 && *s <= 128) {
        return Some(IpIdPattern::ByteSwapped);
    }
    Some(IpIdPattern::Random)
}

/// What the TTLs, IP IDs and TCP details of each source say.
#[derive(Clone, Debug, Default)]
pub struct StackHints {
    /// Sentences, one per fact.
    pub observations: Vec<String>,
    /// A short OS guess, when the hints agree on one.
    pub os_guess: Option<String>,
}

/// Sources whose stack hints are written out one by one; the OS guess
/// still weighs every source.
const SOURCES_DESCRIBED: usize = 5;

/// Reads the stack hints of a unit, source by source.
pub fn hints(unit: &Unit) -> StackHints {
    let mut out = StackHints::default();
    let mut families = BTreeSet::new();
    let mut by_source: HashMap<&Host, Vec<&Seen>> = HashMap::new();
    for s in &unit.packets {
        by_source.entry(&s.packet.src).or_default().push(s);
    }
    for (index, src) in unit.sources.iter().enumerate() {
        let packets: &[&Seen] = by_source.get(src).map_or(&[], Vec::as_slice);
        let ttls: BTreeSet<u8> = packets.iter().filter_map(|s| s.packet.ip.ttl).collect();
        if index >= SOURCES_DESCRIBED {
            if let (Some(lo), Some(hi)) = (ttls.first().copied(), ttls.last().copied())
                && hi - lo <= 8
            {
                families.insert(initial_ttl(hi));
            }
            continue;
        }
        let label = if unit.sources.len() > 1 {
            format!("{src}: ")
        } else {
            String::new()
        };
        if let (Some(lo), Some(hi)) = (ttls.first().copied(), ttls.last().copied()) {
            let initial = initial_ttl(hi);
            let hops = if lo == hi {
                format!("{} hops", initial - hi)
            } else {
                format!("{}-{} hops", initial - hi, initial - lo)
            };
            let ttl_text = if lo == hi {
                format!("TTL {hi}")
            } else {
                format!("TTLs {lo}-{hi}")
            };
            let spread = if hi - lo > 8 {
                " (TTLs this varied in one stream suggest a tool that randomizes them, or several senders)"
            } else {
                ""
            };
            out.observations.push(format!(
                "{label}{ttl_text}: initial TTL {initial} ({}), about {hops} away{spread}.",
                ttl_family(initial)
            ));
            if hi - lo <= 8 {
                families.insert(initial);
            }
        }
        let ids: Vec<u32> = packets.iter().filter_map(|s| s.packet.ip.id).collect();
        if let Some(pattern) = ip_id_pattern_in_bursts(packets) {
            let sample: Vec<String> = ids.iter().take(4).map(u32::to_string).collect();
            let more = if ids.len() > 4 { ", ..." } else { "" };
            out.observations.push(format!(
                "{label}IP IDs ({}{more}) {}.",
                sample.join(", "),
                pattern.describe()
            ));
            if pattern == IpIdPattern::ByteSwapped {
                families.insert(0);
            }
        }
        let windows: BTreeSet<u32> = packets
            .iter()
            .filter_map(|s| s.packet.tcp.as_ref().and_then(|t| t.window))
            .collect();
        let options: BTreeSet<String> = packets
            .iter()
            .filter_map(|s| s.packet.tcp.as_ref().and_then(|t| t.options.as_ref()))
            .map(|o| o.to_string())
            .collect();
        if windows.len() == 1 || !options.is_empty() {
            let mut parts = Vec::new();
            if windows.len() == 1
                && let Some(w) = windows.first()
            {
                parts.push(format!("TCP window {w} (0x{w:x})"));
            }
            if options.len() == 1
                && let Some(o) = options.first()
            {
                parts.push(format!("options {o}"));
            }
            if packets.iter().all(|s| s.packet.ip.df)
                && packets.iter().any(|s| s.packet.ip.total_len.is_some())
            {
                parts.push("don't-fragment set".into());
            }
            if !parts.is_empty() {
                out.observations
                    .push(format!("{label}{}.", parts.join(", ")));
            }
        }
    }
    if unit.sources.len() > SOURCES_DESCRIBED {
        out.observations.push(format!(
            "Stack details are listed for the first {SOURCES_DESCRIBED} of {} claimed sources.",
            picket_model::thousands(unit.sources.len() as u64)
        ));
    }
    out.os_guess = match (families.contains(&0), families.len()) {
        (true, _) if families.contains(&128) || families.len() == 1 => Some("Windows".into()),
        (false, 1) => families.first().map(|f| ttl_family(*f).to_string()),
        _ => None,
    };
    out
}

/// A short key of what a unit's packets share (initial TTL, window,
/// options, size, source-port and IP ID behaviour), so that one tool can be
/// recognised across sources and runs. `None` with fewer than two traits.
pub fn tool_signature(unit: &Unit) -> Option<String> {
    let packets: Vec<&crate::track::Seen> = unit.packets.iter().collect();
    let mut parts: Vec<String> = Vec::new();
    let proto: BTreeSet<u8> = packets.iter().map(|s| s.packet.proto.0).collect();
    if proto.len() == 1 {
        parts.push(format!("proto={}", proto.first().copied().unwrap_or(0)));
    }
    let ttls: BTreeSet<u8> = packets.iter().filter_map(|s| s.packet.ip.ttl).collect();
    if let (Some(lo), Some(hi)) = (ttls.first(), ttls.last())
        && hi - lo <= 8
    {
        parts.push(format!("ttl0={}", initial_ttl(*hi)));
    }
    let windows: BTreeSet<u32> = packets
        .iter()
        .filter_map(|s| s.packet.tcp.as_ref().and_then(|t| t.window))
        .collect();
    if windows.len() == 1 {
        parts.push(format!("win={}", windows.first().copied().unwrap_or(0)));
    }
    let options: BTreeSet<String> = packets
        .iter()
        .filter_map(|s| s.packet.tcp.as_ref().and_then(|t| t.options.as_ref()))
        .map(|o| o.to_string().replace(' ', ","))
        .collect();
    if options.len() == 1
        && let Some(o) = options.first()
    {
        parts.push(format!("opt={o}"));
    }
    let sizes: BTreeSet<u32> = packets
        .iter()
        .filter_map(|s| s.packet.ip.total_len)
        .collect();
    if sizes.len() == 1 {
        parts.push(format!("len={}", sizes.first().copied().unwrap_or(0)));
    }
    let sports: Vec<u16> = packets.iter().filter_map(|s| s.packet.src_port).collect();
    if sports.len() >= 2 {
        if sports.iter().all(|p| *p == sports[0]) {
            parts.push("sport=fixed".into());
        } else if sports.windows(2).all(|w| w[1] > w[0]) {
            parts.push("sport=rising".into());
        }
    }
    if let Some(pattern) = ip_id_pattern_in_bursts(&packets) {
        let word = match pattern {
            IpIdPattern::Sequential => "sequential",
            IpIdPattern::ByteSwapped => "byteswapped",
            IpIdPattern::Constant => "constant",
            IpIdPattern::Random => "random",
        };
        parts.push(format!("ipid={word}"));
    }
    // The protocol alone says nothing about a tool.
    (parts.len() >= 3).then(|| parts.join(" "))
}

/// Gap, in seconds, past which a sender's counter may have moved on for
/// traffic the sensor did not see.
const BURST_GAP_NS: i128 = 300 * 1_000_000_000;

/// The IP ID pattern judged within each burst of packets (a counter moves on
/// between bursts hours apart), when the bursts agree.
fn ip_id_pattern_in_bursts(packets: &[&crate::track::Seen]) -> Option<IpIdPattern> {
    let mut patterns = BTreeSet::new();
    let mut burst: Vec<u32> = Vec::new();
    let mut last: Option<i128> = None;
    let mut flush = |burst: &mut Vec<u32>| {
        if let Some(p) = ip_id_pattern(burst) {
            patterns.insert(p as u8);
        }
        burst.clear();
    };
    for s in packets {
        let Some(id) = s.packet.ip.id else { continue };
        let t = s.packet.time.map(|t| t.as_nanosecond());
        if let (Some(t), Some(l)) = (t, last)
            && t - l > BURST_GAP_NS
        {
            flush(&mut burst);
        }
        last = t.or(last);
        burst.push(id);
    }
    flush(&mut burst);
    let all = [
        IpIdPattern::Sequential,
        IpIdPattern::ByteSwapped,
        IpIdPattern::Constant,
        IpIdPattern::Random,
    ];
    match patterns.len() {
        1 => patterns
            .first()
            .and_then(|p| all.get(usize::from(*p)).copied()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_ttls() {
        assert_eq!(initial_ttl(111), 128);
        assert_eq!(initial_ttl(242), 255);
        assert_eq!(initial_ttl(54), 64);
        assert_eq!(initial_ttl(30), 32);
    }

    #[test]
    fn ip_id_patterns_from_the_paper() {
        // Detect 02: byte-swapped counters, wrapping past 65535.
        assert_eq!(
            ip_id_pattern(&[57926, 65094, 5191, 6727]),
            Some(IpIdPattern::ByteSwapped)
        );
        assert_eq!(
            ip_id_pattern(&[15306, 28362, 30922, 33482]),
            Some(IpIdPattern::ByteSwapped)
        );
        // Detect 05: steps of exactly 256.
        assert_eq!(
            ip_id_pattern(&[10946, 11202, 11458]),
            Some(IpIdPattern::ByteSwapped)
        );
        // Detect 09: a quiet host's sequential counter.
        assert_eq!(ip_id_pattern(&[343, 344]), Some(IpIdPattern::Sequential));
        // Detect 01: random.
        assert_eq!(
            ip_id_pattern(&[63671, 37095, 12549, 54469, 29903]),
            Some(IpIdPattern::Random)
        );
        assert_eq!(ip_id_pattern(&[0, 0, 0]), Some(IpIdPattern::Constant));
        assert_eq!(ip_id_pattern(&[5]), None);
    }
}
