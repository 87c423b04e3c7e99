//! The analyst's history sentence for a detect, written from what the store
//! knew: who was seen before and how often, who is new, and which earlier
//! detects look related. Source names are attacker-controlled: the caller
//! escapes the text for its output.

use crate::facts::{HistoryFacts, RelatedGroup, Relation, SourceFacts};
use crate::past::{PastDetect, kind_phrase};

/// Writes the history sentence (one or several sentences) for a detect.
pub fn history_sentence(facts: &HistoryFacts) -> String {
    let mut parts: Vec<String> = Vec::new();
    let new: Vec<&str> = facts
        .sources
        .iter()
        .filter(|s| s.is_new())
        .map(|s| s.source.as_str())
        .collect();
    parts.extend(
        facts
            .sources
            .iter()
            .filter(|s| !s.is_new())
            .map(source_sentence),
    );
    match new.as_slice() {
        [] => {}
        [one] => parts.push(format!("{one} is a new source.")),
        many => parts.push(format!("{} are new sources.", join_and(many))),
    }
    let hidden = facts
        .sources_total
        .saturating_sub(facts.sources.len() as u64);
    if hidden > 0 {
        parts.push(format!(
            "{hidden} more {} not described.",
            plural(hidden, "source is", "sources are")
        ));
    }
    parts.extend(facts.related.iter().map(group_sentence));
    if facts.related.is_empty() {
        if facts.sources.iter().all(SourceFacts::is_new) {
            parts.push("Nothing related was seen before.".to_string());
        } else {
            parts.push("No related detect from other sources was seen before.".to_string());
        }
    }
    parts.join(" ")
}

/// "203.0.113.5 was first seen on 2000-09-20 and has been seen on 12 days
/// up to 2000-10-01, in 3 earlier detects (daily, about 15:00)."
fn source_sentence(s: &SourceFacts) -> String {
    let detects = match s.detects_seen {
        0 => "without a detect".to_string(),
        1 => "in 1 earlier detect".to_string(),
        n => format!("in {n} earlier detects"),
    };
    let pattern = s
        .regularity
        .describe()
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    match (&s.first_seen, &s.last_seen, s.days_seen) {
        (Some(first), Some(last), days) if days > 1 => format!(
            "{} was first seen on {first} and has been seen on {days} days up to {last}, {detects}{pattern}.",
            s.source
        ),
        (Some(first), _, _) => format!("{} was seen before on {first}, {detects}.", s.source),
        _ => format!("{} was seen before, {detects}.", s.source),
    }
}

/// One sentence per group of related past detects.
fn group_sentence(group: &RelatedGroup) -> String {
    let list = detect_list(group);
    match &group.relation {
        Relation::SameSource => format!("Earlier detects from the same source: {list}."),
        Relation::SameNetwork { network } => {
            format!("Earlier detects from other sources in {network}: {list}.")
        }
        Relation::SameDomain { domain } => {
            format!("Earlier detects from other hosts under {domain}: {list}.")
        }
        Relation::SameToolSignature { .. } => {
            format!("Earlier detects with the same tool signature from other sources: {list}.")
        }
        Relation::Campaign { kind, ports } => format!(
            "The same {} at {} from other sources before, a possible campaign: {list}.",
            kind_phrase(kind),
            port_words(ports)
        ),
    }
}

/// "port scan d0123 on 2000-09-21, host sweep d0456 on 2000-09-22 and 3 more".
fn detect_list(group: &RelatedGroup) -> String {
    let with_source = group.relation != Relation::SameSource;
    let mut items: Vec<String> = group
        .detects
        .iter()
        .map(|d| detect_words(d, with_source))
        .collect();
    let more = group.total.saturating_sub(group.detects.len() as u64);
    if more > 0 {
        items.push(format!("{more} more"));
    }
    let refs: Vec<&str> = items.iter().map(String::as_str).collect();
    join_and(&refs)
}

/// "port scan d0123 from 203.0.113.9 on 2000-09-21".
fn detect_words(d: &PastDetect, with_source: bool) -> String {
    let mut text = format!("{} {}", d.kind_phrase(), d.id);
    if with_source && let Some(first) = d.sources.first() {
        text.push_str(" from ");
        text.push_str(first);
        let others = d.sources_total.saturating_sub(1);
        if others > 0 {
            text.push_str(&format!(" and {others} other{}", plural(others, "", "s")));
        }
    }
    if !d.first_seen.is_empty() {
        text.push_str(" on ");
        text.push_str(d.first_day());
    }
    text
}

/// "port 119" or "ports 119 and 120".
fn port_words(ports: &[u16]) -> String {
    let numbers: Vec<String> = ports.iter().map(u16::to_string).collect();
    let refs: Vec<&str> = numbers.iter().map(String::as_str).collect();
    let word = if ports.len() == 1 { "port" } else { "ports" };
    format!("{word} {}", join_and(&refs))
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The singular or plural word for a count.
pub(crate) fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regularity::Regularity;

    fn source(name: &str, days: u64, detects: u64, regularity: Regularity) -> SourceFacts {
        SourceFacts {
            source: name.to_string(),
            first_seen: (days > 0).then(|| "2000-09-20".to_string()),
            last_seen: (days > 0).then(|| "2000-09-29".to_string()),
            days_seen: days,
            detects_seen: detects,
            packets: 40,
            regularity,
        }
    }

    fn past(id: &str, source: &str) -> PastDetect {
        PastDetect {
            id: id.to_string(),
            title: String::new(),
            kind: "port-scan".to_string(),
            scan_type: Some("syn".to_string()),
            severity: "low".to_string(),
            first_seen: "2000-09-21T03:00:00-04:00".to_string(),
            last_seen: "2000-09-21T03:01:00-04:00".to_string(),
            sources: vec![source.to_string()],
            sources_total: 1,
            target_ports: vec![119],
            target_ports_total: 1,
            packets: 3,
            tool_signature: None,
        }
    }

    #[test]
    fn daily_source_and_new_source() {
        let facts = HistoryFacts {
            sources: vec![
                source(
                    "203.0.113.5",
                    10,
                    3,
                    Regularity::Daily {
                        about: Some("15:00".into()),
                    },
                ),
                source("198.51.100.7", 0, 0, Regularity::TooFewDays),
            ],
            sources_total: 2,
            related: vec![],
        };
        assert_eq!(
            history_sentence(&facts),
            "203.0.113.5 was first seen on 2000-09-20 and has been seen on 10 days up to \
             2000-09-29, in 3 earlier detects (daily, about 15:00). 198.51.100.7 is a new \
             source. No related detect from other sources was seen before."
        );
    }

    #[test]
    fn related_groups_are_capped_with_a_count() {
        let facts = HistoryFacts {
            sources: vec![source("203.0.113.5", 0, 0, Regularity::TooFewDays)],
            sources_total: 1,
            related: vec![RelatedGroup {
                relation: Relation::SameNetwork {
                    network: "203.0.113.0/24".into(),
                },
                detects: vec![past("d1", "203.0.113.9"), past("d2", "203.0.113.10")],
                total: 7,
            }],
        };
        assert_eq!(
            history_sentence(&facts),
            "203.0.113.5 is a new source. Earlier detects from other sources in \
             203.0.113.0/24: port scan d1 from 203.0.113.9 on 2000-09-21, port scan d2 from \
             203.0.113.10 on 2000-09-21 and 5 more."
        );
    }

    #[test]
    fn campaign_and_nothing() {
        let group = RelatedGroup {
            relation: Relation::Campaign {
                kind: "trojan-probe".into(),
                ports: vec![12345, 12346],
            },
            detects: vec![past("d9", "192.0.2.1")],
            total: 1,
        };
        assert_eq!(
            group_sentence(&group),
            "The same trojan probe at ports 12345 and 12346 from other sources before, a \
             possible campaign: port scan d9 from 192.0.2.1 on 2000-09-21."
        );
        let empty = HistoryFacts {
            sources: vec![],
            sources_total: 0,
            related: vec![],
        };
        assert_eq!(history_sentence(&empty), "Nothing related was seen before.");
    }
}
