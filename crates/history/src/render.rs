//! Plain-text renderings of the `picket history` query results, one line per
//! item. Nothing is escaped: sources and titles are attacker-controlled, and
//! the caller escapes for the terminal.

use std::fmt::Write as _;

use crate::past::{PastDetect, kind_phrase};
use crate::query::{DetectList, PruneStats, SourceRank, SourceRecord};
use crate::sentence::{join_and, plural};

/// One line per detect: when, id, kind, from whom, at which ports, how many
/// packets, severity; then how many were left out.
pub fn render_detects(list: &DetectList) -> String {
    let mut out = String::new();
    if list.detects.is_empty() {
        out.push_str("No detects stored.\n");
        return out;
    }
    for d in &list.detects {
        out.push_str(&detect_line(d));
        out.push('\n');
    }
    more_line(
        &mut out,
        list.total,
        list.detects.len(),
        "detect",
        "detects",
    );
    out
}

/// A source's record: days seen, first and last, pattern, kinds, recent
/// detects and related sources.
pub fn render_source_record(record: &SourceRecord) -> String {
    let s = &record.summary;
    let mut out = String::new();
    if s.is_new() {
        let _ = writeln!(out, "{}: never seen.", s.source);
    } else {
        let _ = write!(
            out,
            "{}: seen on {} {}",
            s.source,
            s.days_seen,
            plural(s.days_seen, "day", "days")
        );
        if let (Some(first), Some(last)) = (&s.first_seen, &s.last_seen) {
            let _ = write!(out, " from {first} to {last}");
        }
        let _ = writeln!(
            out,
            ", in {} {}, {} {}.",
            s.detects_seen,
            plural(s.detects_seen, "detect", "detects"),
            s.packets,
            plural(s.packets, "packet", "packets")
        );
        if let Some(pattern) = s.regularity.describe() {
            let _ = writeln!(out, "Pattern: {pattern}.");
        }
    }
    if !record.kinds.is_empty() {
        let kinds: Vec<String> = record
            .kinds
            .iter()
            .map(|k| format!("{} {}", k.detects, kind_phrase(&k.kind)))
            .collect();
        let refs: Vec<&str> = kinds.iter().map(String::as_str).collect();
        let _ = writeln!(out, "Kinds: {}.", join_and(&refs));
    }
    if !record.recent.detects.is_empty() {
        out.push_str("Recent detects:\n");
        for d in &record.recent.detects {
            let _ = writeln!(out, "  {}", detect_line(d));
        }
        more_line(
            &mut out,
            record.recent.total,
            record.recent.detects.len(),
            "detect",
            "detects",
        );
    }
    if let Some(via) = record.network.as_ref().or(record.domain.as_ref()) {
        if record.related_sources.is_empty() {
            let _ = writeln!(out, "No other source seen in {via}.");
        } else {
            let _ = writeln!(out, "Other sources in {via}:");
            for r in &record.related_sources {
                let _ = write!(
                    out,
                    "  {}: {} {}, {} {}",
                    r.source,
                    r.detects,
                    plural(r.detects, "detect", "detects"),
                    r.days_seen,
                    plural(r.days_seen, "day", "days")
                );
                if let Some(last) = &r.last_seen {
                    let _ = write!(out, ", last {last}");
                }
                out.push('\n');
            }
            more_line(
                &mut out,
                record.related_sources_total,
                record.related_sources.len(),
                "source",
                "sources",
            );
        }
    }
    out
}

/// One line per source: days seen, detects, packets, first and last day.
pub fn render_top_sources(ranks: &[SourceRank]) -> String {
    let mut out = String::new();
    if ranks.is_empty() {
        out.push_str("No sources stored.\n");
        return out;
    }
    let width = ranks.iter().map(|r| r.source.len()).max().unwrap_or(0);
    for r in ranks {
        let _ = writeln!(
            out,
            "{:<width$}  {:>4} {}  {:>4} {}  {:>8} {}  {} to {}",
            r.source,
            r.days_seen,
            plural(r.days_seen, "day ", "days"),
            r.detects,
            plural(r.detects, "detect ", "detects"),
            r.packets,
            plural(r.packets, "packet ", "packets"),
            r.first_seen,
            r.last_seen
        );
    }
    out
}

/// What pruning removed, in one sentence.
pub fn render_prune(stats: &PruneStats) -> String {
    format!(
        "Removed {} {}, {} daily {}, {} input {} and {} {} from before {}.\n",
        stats.detects,
        plural(stats.detects, "detect", "detects"),
        stats.source_days,
        plural(stats.source_days, "counter", "counters"),
        stats.inputs,
        plural(stats.inputs, "record", "records"),
        stats.runs,
        plural(stats.runs, "run", "runs"),
        stats.cutoff
    )
}

/// "2000-09-20T15:04:31-04:00  d0123  port scan (syn) from 203.0.113.5 at 119, 3 packets, low".
fn detect_line(d: &PastDetect) -> String {
    let mut line = format!("{}  {}  {}", d.first_seen, d.id, d.kind_phrase());
    if let Some(scan) = &d.scan_type {
        let _ = write!(line, " ({scan})");
    }
    if let Some(first) = d.sources.first() {
        let _ = write!(line, " from {first}");
        let others = d.sources_total.saturating_sub(1);
        if others > 0 {
            let _ = write!(line, " and {others} other{}", plural(others, "", "s"));
        }
    }
    if !d.target_ports.is_empty() {
        let ports: Vec<String> = d.target_ports.iter().map(u16::to_string).collect();
        let _ = write!(line, " at {}", ports.join(", "));
        let more = d
            .target_ports_total
            .saturating_sub(d.target_ports.len() as u64);
        if more > 0 {
            let _ = write!(line, " and {more} more");
        }
    }
    let _ = write!(
        line,
        ", {} {}, {}",
        d.packets,
        plural(d.packets, "packet", "packets"),
        d.severity
    );
    line
}

/// "and 12 more detects" when the list was capped.
fn more_line(out: &mut String, total: u64, shown: usize, one: &str, many: &str) {
    let more = total.saturating_sub(shown as u64);
    if more > 0 {
        let _ = writeln!(out, "and {more} more {}", plural(more, one, many));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_lines_say_who_where_and_how_much() {
        let d = PastDetect {
            id: "d00001".into(),
            title: String::new(),
            kind: "port-scan".into(),
            scan_type: Some("syn".into()),
            severity: "medium".into(),
            first_seen: "2000-09-20T15:04:31-04:00".into(),
            last_seen: "2000-09-20T15:05:00-04:00".into(),
            sources: vec!["203.0.113.5".into()],
            sources_total: 1,
            target_ports: vec![21, 23, 25],
            target_ports_total: 40,
            packets: 41,
            tool_signature: None,
        };
        let list = DetectList {
            detects: vec![d],
            total: 3,
        };
        assert_eq!(
            render_detects(&list),
            "2000-09-20T15:04:31-04:00  d00001  port scan (syn) from 203.0.113.5 at 21, 23, 25 \
             and 37 more, 41 packets, medium\nand 2 more detects\n"
        );
    }

    #[test]
    fn prune_sentence() {
        let stats = PruneStats {
            cutoff: "2000-10-02T00:00:00Z".into(),
            detects: 1,
            source_days: 4,
            inputs: 0,
            runs: 1,
        };
        assert_eq!(
            render_prune(&stats),
            "Removed 1 detect, 4 daily counters, 0 input records and 1 run from before \
             2000-10-02T00:00:00Z.\n"
        );
    }
}
