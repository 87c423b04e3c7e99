//! Severity as GIAC defines it: (criticality + lethality) - (system +
//! network countermeasures), each from 1 to 5, each with its reason.

use picket_knowledge::{PortCategory, PortEntry};
use picket_model::{DetectKind, Severity, SeverityLevel};

use crate::classify::Facts;
use crate::context::Context;

/// The level a score maps to, before kind-specific floors.
pub fn level_of(score: i8) -> SeverityLevel {
    match score {
        i8::MIN..=-6 => SeverityLevel::None,
        -5..=0 => SeverityLevel::Low,
        1..=3 => SeverityLevel::Medium,
        4..=5 => SeverityLevel::High,
        _ => SeverityLevel::Critical,
    }
}

/// Rates one detect.
pub fn rate(
    kind: DetectKind,
    facts: &Facts,
    entry: Option<&PortEntry>,
    priority: Option<u8>,
    ctx: &Context,
) -> Severity {
    let (criticality, c_why) = criticality(facts, ctx);
    let (lethality, l_why) = lethality(kind, entry, priority);
    let (system, s_why) = system_countermeasures(kind, facts, entry, ctx);
    let (network, n_why) = network_countermeasures(kind, facts);
    let score = (criticality as i8 + lethality as i8) - (system as i8 + network as i8);
    let accepted_only = facts.packets > 0 && facts.accepted == facts.packets;
    let level = match kind {
        DetectKind::Misconfiguration | DetectKind::AuthorizedScan => SeverityLevel::None,
        // Accepted connections to an offered service, not a scan: traffic.
        DetectKind::ServiceProbe if accepted_only && facts.targets_seen() <= 2 => {
            SeverityLevel::None
        }
        DetectKind::Compromise => level_of(score).max(SeverityLevel::High),
        _ => level_of(score),
    };
    Severity {
        criticality,
        lethality,
        system_countermeasures: system,
        network_countermeasures: network,
        score,
        level,
        reasons: vec![c_why, l_why, s_why, n_why],
    }
}

fn criticality(facts: &Facts, ctx: &Context) -> (u8, String) {
    let known = facts
        .targets
        .iter()
        .filter_map(|t| ctx.site.host(t).map(|h| (t, h)))
        .filter_map(|(t, h)| h.criticality().map(|c| (c, t, h)))
        .max_by_key(|(c, _, _)| *c);
    if let Some((c, target, host)) = known {
        let what = host
            .description
            .clone()
            .unwrap_or_else(|| "a host the site lists".into());
        return (c, format!("the most critical target, {target}, is {what}"));
    }
    if facts.targets_seen() > 1 {
        (
            3,
            format!(
                "{} hosts of the network, roles unknown",
                picket_model::thousands(facts.targets_seen() as u64)
            ),
        )
    } else {
        (
            3,
            "the target's role is unknown (a site file can say)".into(),
        )
    }
}

fn lethality(kind: DetectKind, entry: Option<&PortEntry>, priority: Option<u8>) -> (u8, String) {
    match kind {
        DetectKind::Misconfiguration => (1, "legitimate traffic, no attack".into()),
        DetectKind::AuthorizedScan => (1, "scanning the site agreed to".into()),
        DetectKind::Backscatter => (1, "answers to others' forgeries carry no attack".into()),
        DetectKind::PortScan | DetectKind::HostSweep | DetectKind::BlockScan => {
            (2, "reconnaissance: it finds targets, it harms none".into())
        }
        DetectKind::Flood => (3, "a flood can take the target off the network".into()),
        DetectKind::Worm => (
            4,
            "a vulnerable host would be infected and spread it further".into(),
        ),
        DetectKind::Compromise => (
            5,
            "a host of this site is already under someone else's control".into(),
        ),
        DetectKind::Alert => match priority {
            Some(1) => (4, "the IDS rates its signature priority 1".into()),
            Some(2) => (3, "the IDS rates its signature priority 2".into()),
            _ => (2, "a low-priority IDS signature".into()),
        },
        DetectKind::TrojanProbe | DetectKind::ServiceProbe => match entry {
            Some(e) if e.category == PortCategory::Trojan => (
                e.lethality.clamp(1, 3),
                format!(
                    "only a host already running {} could be taken over through it",
                    trojan_names(e)
                ),
            ),
            Some(e) => (
                e.lethality.clamp(1, 5),
                format!(
                    "what a probe of {} can lead to where the service runs",
                    short_description(e)
                ),
            ),
            None => (2, "a probe of a port with no known service".into()),
        },
    }
}

/// The best-known malware name of a port entry, or its short description.
pub fn trojan_names(e: &PortEntry) -> String {
    e.malware
        .first()
        .cloned()
        .unwrap_or_else(|| short_description(e))
}

/// The description up to its first qualification: `HTTP alternate` for
/// `HTTP alternate: proxies and ... (hosts2-ns ...)`.
pub fn short_description(e: &PortEntry) -> String {
    let d = e.description.as_str();
    let cut = [" (", ": ", "; ", ", "]
        .iter()
        .filter_map(|sep| d.find(sep))
        .min()
        .unwrap_or(d.len());
    d[..cut].to_string()
}

fn system_countermeasures(
    kind: DetectKind,
    facts: &Facts,
    entry: Option<&PortEntry>,
    ctx: &Context,
) -> (u8, String) {
    if kind == DetectKind::Compromise {
        return (1, "the host itself failed to resist".into());
    }
    if matches!(kind, DetectKind::Misconfiguration | DetectKind::Backscatter) {
        return (3, "nothing here is being attacked".into());
    }
    let hosts: Vec<_> = facts
        .targets
        .iter()
        .filter_map(|t| ctx.site.host(t).map(|h| (t, h)))
        .collect();
    if hosts.is_empty() {
        return (3, "nothing is known of the targets' systems".into());
    }
    let windows_only = entry.is_some_and(|e| {
        matches!(
            e.category,
            PortCategory::Trojan | PortCategory::WindowsSharing
        )
    });
    if windows_only
        && let Some((t, h)) = hosts.iter().find(|(_, h)| {
            h.os.as_deref()
                .is_some_and(|os| !os.to_ascii_lowercase().contains("windows"))
        })
    {
        let os = h.os.as_deref().unwrap_or("");
        let what = entry.map(trojan_names).unwrap_or_else(|| "it".into());
        return (
            5,
            format!("{t} runs {os}, which {what} does not affect (it targets Windows)"),
        );
    }
    let offered: Vec<Option<bool>> = hosts
        .iter()
        .map(|(_, h)| {
            let any = facts.dports.iter().any(|p| {
                facts
                    .protos
                    .iter()
                    .any(|proto| h.offers(*proto, *p) == Some(true))
            });
            let none = facts.dports.iter().all(|p| {
                facts
                    .protos
                    .iter()
                    .all(|proto| h.offers(*proto, *p) == Some(false))
            });
            if any {
                Some(true)
            } else if none && h.services.is_some() {
                Some(false)
            } else {
                None
            }
        })
        .collect();
    if offered.contains(&Some(true)) {
        return (2, "a target offers the probed service".into());
    }
    if !offered.is_empty() && offered.iter().all(|o| *o == Some(false)) {
        return (4, "the targets offer no service on the probed ports".into());
    }
    (3, "the targets' exposure on these ports is unknown".into())
}

fn network_countermeasures(kind: DetectKind, facts: &Facts) -> (u8, String) {
    if kind == DetectKind::Compromise && facts.blocked < facts.packets {
        return (1, "the traffic left the network".into());
    }
    if facts.packets > 0 && facts.blocked == facts.packets {
        return (5, "a firewall dropped every packet".into());
    }
    if facts.accepted > 0 {
        return (2, format!("{} packet(s) were let through", facts.accepted));
    }
    if facts.blocked > 0 {
        return (4, "a firewall dropped most packets".into());
    }
    if facts.ids_only == facts.packets {
        return (
            2,
            "only an IDS saw it, and an IDS does not stop traffic".into(),
        );
    }
    (
        4,
        "a filter logged every packet; its policy decided their fate".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(level_of(-8), SeverityLevel::None);
        assert_eq!(level_of(-3), SeverityLevel::Low);
        assert_eq!(level_of(0), SeverityLevel::Low);
        assert_eq!(level_of(2), SeverityLevel::Medium);
        assert_eq!(level_of(4), SeverityLevel::High);
        assert_eq!(level_of(7), SeverityLevel::Critical);
    }
}
