//! Timing: rates, steady periods, bursts and pairs.

use crate::classify::facts::Facts;
use crate::classify::unit::Unit;

/// Packets per second over the unit's span (the count itself when the span
/// is under a second).
pub fn rate_per_sec(facts: &Facts) -> f64 {
    let span = facts.span_secs();
    if span < 1.0 {
        facts.packets as f64
    } else {
        facts.packets as f64 / span
    }
}

/// Seconds between consecutive timed packets.
pub fn gaps(unit: &Unit) -> Vec<f64> {
    let times: Vec<i128> = unit
        .packets
        .iter()
        .filter_map(|s| s.packet.time.map(|t| t.as_nanosecond()))
        .collect();
    times
        .windows(2)
        .map(|w| (w[1] - w[0]) as f64 / 1e9)
        .collect()
}

/// A steady interval between packets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Period {
    /// Mean gap in seconds.
    pub mean: f64,
    /// Shortest gap.
    pub min: f64,
    /// Longest gap.
    pub max: f64,
    /// Gaps measured.
    pub gaps: usize,
}

/// The period when at least three gaps stay within 10% of their mean and the
/// mean is at least a second.
pub fn steady_period(unit: &Unit) -> Option<Period> {
    period_of(&gaps(unit))
}

fn period_of(gaps: &[f64]) -> Option<Period> {
    if gaps.len() < 3 {
        return None;
    }
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    if mean < 1.0 {
        return None;
    }
    let min = gaps.iter().copied().fold(f64::INFINITY, f64::min);
    let max = gaps.iter().copied().fold(0.0, f64::max);
    (max - min <= mean * 0.2).then_some(Period {
        mean,
        min,
        max,
        gaps: gaps.len(),
    })
}

/// Packets that arrive in tight groups (within `tight` seconds) at a steady
/// interval: "pairs 4 ms apart, every 1.5 s".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clusters {
    /// Packets per group (the most common size).
    pub size: usize,
    /// Longest gap inside a group, in seconds.
    pub inner: f64,
    /// The interval between groups.
    pub period: Period,
}

/// Finds tight groups at a steady interval, if the packets show them.
pub fn clusters(unit: &Unit, tight: f64) -> Option<Clusters> {
    let gaps = gaps(unit);
    if gaps.len() < 3 || !gaps.iter().any(|g| *g <= tight) {
        return None;
    }
    let mut sizes = Vec::new();
    let mut inner: f64 = 0.0;
    let mut current = 1;
    for g in &gaps {
        if *g <= tight {
            current += 1;
            inner = inner.max(*g);
        } else {
            sizes.push(current);
            current = 1;
        }
    }
    sizes.push(current);
    // Uniform groups of two or more, with measurable (sub-second) gaps.
    let size = sizes[0];
    if sizes.len() < 2 || size < 2 || sizes.iter().any(|s| *s != size) || inner <= 0.0 {
        return None;
    }
    // The group-to-group interval: from each group's start to the next.
    let mut starts = Vec::new();
    let mut acc = 0.0;
    let mut index = 0;
    for s in &sizes {
        starts.push(acc);
        for _ in 0..*s {
            if index < gaps.len() {
                acc += gaps[index];
                index += 1;
            }
        }
    }
    let intervals: Vec<f64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    let period = if intervals.len() >= 3 {
        period_of(&intervals)?
    } else {
        let mean = intervals.iter().sum::<f64>() / intervals.len().max(1) as f64;
        Period {
            mean,
            min: intervals.iter().copied().fold(f64::INFINITY, f64::min),
            max: intervals.iter().copied().fold(0.0, f64::max),
            gaps: intervals.len(),
        }
    };
    Some(Clusters {
        size,
        inner,
        period,
    })
}

/// A run of packets with no gap longer than the split.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Burst {
    /// Index of the first packet in the unit.
    pub first: usize,
    /// Packets in the burst.
    pub packets: usize,
    /// Seconds from its first to its last packet.
    pub span: f64,
}

/// Splits the unit at gaps longer than `split` seconds.
pub fn bursts(unit: &Unit, split: f64) -> Vec<Burst> {
    let gaps = gaps(unit);
    let mut out = Vec::new();
    let mut start = 0;
    let mut span = 0.0;
    for (i, g) in gaps.iter().enumerate() {
        if *g > split {
            out.push(Burst {
                first: start,
                packets: i + 1 - start,
                span,
            });
            start = i + 1;
            span = 0.0;
        } else {
            span += g;
        }
    }
    if !unit.packets.is_empty() {
        out.push(Burst {
            first: start,
            packets: gaps.len() + 1 - start,
            span,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_needs_three_close_gaps() {
        assert!(period_of(&[1022.0, 1024.0, 1025.0, 1024.0]).is_some());
        assert!(period_of(&[1022.0, 1024.0]).is_none());
        assert!(period_of(&[10.0, 100.0, 1000.0]).is_none());
        assert!(period_of(&[0.1, 0.1, 0.1]).is_none());
    }
}
