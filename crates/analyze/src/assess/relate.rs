//! Detects of different sources linked after they are written up: one scan
//! split across addresses, or one campaign against a target and service.

use std::collections::BTreeMap;

use picket_model::{Detect, DetectKind};

/// Links scans of different sources that share a tool signature and a
/// target: one scan split across several addresses (a distributed scan).
pub(crate) fn relate_distributed(detects: &mut [Detect]) {
    let mut groups: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, d) in detects.iter().enumerate() {
        let scan = matches!(
            d.kind,
            DetectKind::PortScan | DetectKind::HostSweep | DetectKind::BlockScan
        );
        if let (true, Some(signature), Some(target)) = (scan, &d.tool_signature, d.targets.first())
        {
            groups
                .entry((signature.as_str(), target.as_str()))
                .or_default()
                .push(i);
        }
    }
    let groups: Vec<Vec<usize>> = groups.into_values().filter(|m| m.len() >= 2).collect();
    for members in &groups {
        let ids: Vec<String> = members.iter().map(|i| detects[*i].id.clone()).collect();
        let sources: Vec<String> = members
            .iter()
            .flat_map(|i| detects[*i].sources.iter().take(1).cloned())
            .collect();
        for &i in members {
            let own = detects[i].id.clone();
            for id in ids.iter().filter(|x| **x != own) {
                if detects[i].related.len() < RELATED_CAP && !detects[i].related.contains(id) {
                    detects[i].related.push(id.clone());
                }
            }
            let note = format!(
                "{} sources ({}) scanned {} with the same tool signature in these logs: one \
                 distributed scan, its work split across addresses.",
                members.len(),
                sources
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
                detects[i].targets.first().cloned().unwrap_or_default()
            );
            detects[i].observations.push(note);
        }
    }
}

/// Most related ids listed per detect.
const RELATED_CAP: usize = 10;

/// Links detects of different sources that share a kind, a target service
/// and a target: one campaign, tool or pattern seen from several places.
pub(crate) fn relate(detects: &mut [Detect]) {
    /// Kind, protocols, ports and one target, borrowed from the detects.
    type Campaign<'a> = (&'a str, &'a [String], &'a [u16], &'a str);
    let mut groups: BTreeMap<Campaign, Vec<usize>> = BTreeMap::new();
    for (i, d) in detects.iter().enumerate() {
        if d.target_ports.is_empty() || d.target_ports.len() > 4 || d.targets.len() > 4 {
            continue;
        }
        for target in &d.targets {
            groups
                .entry((
                    d.kind.as_str(),
                    &d.protocols,
                    &d.target_ports,
                    target.as_str(),
                ))
                .or_default()
                .push(i);
        }
    }
    // In key order, as the map holds them; the keys borrow the detects,
    // which are written below.
    let groups: Vec<Vec<usize>> = groups.into_values().filter(|m| m.len() >= 2).collect();
    for members in &groups {
        let ids: Vec<String> = members.iter().map(|i| detects[*i].id.clone()).collect();
        let ports: Vec<String> = detects[members[0]]
            .target_ports
            .iter()
            .map(|p| p.to_string())
            .collect();
        for &i in members {
            if !detects[i].related.is_empty() {
                continue;
            }
            let own = detects[i].id.clone();
            detects[i].related = ids
                .iter()
                .filter(|x| **x != own)
                .take(RELATED_CAP)
                .cloned()
                .collect();
            let note = format!(
                " One of {} detects of this kind against port {} of {} in these logs, from \
                 different sources: a campaign pattern, not a lone event.",
                members.len(),
                ports.join(", "),
                detects[i].targets.first().cloned().unwrap_or_default()
            );
            detects[i].history.push_str(&note);
        }
    }
}
